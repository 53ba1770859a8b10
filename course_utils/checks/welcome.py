"""Checks for notebook 00_welcome: standardizing each column, ranking features by the size of their
weight, and ``square``, the check the notebook shows its wrong answers to (it is no exercise)."""

from __future__ import annotations

import numpy as np

from course_utils.checks import CheckResult, Wrong, _a, call, exercise
from course_utils.checks._answers import as_array, case, expect_close, show

__all__ = ["square", "standardize", "top_features"]


def reference_standardize(x: np.ndarray) -> np.ndarray:
    """z-scores per column: subtract each column's mean, divide by its (population) std."""
    x = np.asarray(x, dtype=float)
    return (x - x.mean(axis=0)) / x.std(axis=0)


def _inputs() -> list[tuple[str, np.ndarray]]:
    """A small hand-made batch and a random one whose columns have very different means and scales."""
    small = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0], [6.0, 30.0]])  # (4, 2): 4 examples, 2 features
    rng = np.random.default_rng(0)
    drawn = rng.normal(size=(7, 3)) * [1.0, 40.0, 0.2] + [5.0, -300.0, 0.0]  # (7, 3), mixed signs
    return [("a batch of 4 examples with 2 features", small), ("a random batch of 7 examples with 3 features", drawn)]


def _slips(x: np.ndarray) -> tuple[tuple[np.ndarray, str], ...]:
    """(what the slip returns for x, its hint) for the usual mistakes."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    return (
        (
            (x - mean) / x.std(axis=0, ddof=1),
            "use the population standard deviation, x.std(axis=0) (NumPy's default ddof=0).",
        ),
        ((x - x.mean()) / x.std(), "compute one mean and one std per column: pass axis=0."),
        ((x - mean) / x.std(), "pass axis=0 to std as well: one standard deviation per column."),
        ((x - x.mean()) / std, "subtract each column's own mean: x.mean(axis=0)."),
        (
            (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True),
            "axis=0 runs down the rows, giving one number per column (feature); axis=1 gives one per example.",
        ),
        (x - mean, "centring is half of it: also divide by each column's standard deviation."),
        (x / std, "also subtract each column's mean before dividing."),
        (x - mean / std, "mind the brackets: division comes first, so write (x - mean) / std."),
        ((x - mean) / x.var(axis=0), "divide by the standard deviation, not the variance: std = sqrt(var)."),
        (
            (x - x.min(axis=0)) / (x.max(axis=0) - x.min(axis=0)),
            "that is min–max scaling to [0, 1]; standardizing subtracts the mean and divides by the "
            "standard deviation.",
        ),
    )


@exercise("Warm-up: standardize each column")
def standardize(fn) -> CheckResult:
    """Check ``fn(x)`` returns the column-wise z-scores of a batch ``x`` of shape ``(n, d)``, on two batches."""
    for description, x in _inputs():
        with case(description):
            got = as_array(call(fn, x, name="standardize"), "standardize(x)")
            if got.shape == x.shape[::-1]:
                raise Wrong(
                    f"standardize(x) has shape {got.shape}, expected {x.shape}.",
                    f"received: {show(got)}",
                    hint="keep x's layout, one row per example: no transpose is needed.",
                )
            expect_close(
                got,
                reference_standardize(x),
                name="standardize(x)",
                mistakes=_slips(x),
                hint="each column of the result should have mean 0 and standard deviation 1.",
            )
    return "correct — every column now has mean 0 and standard deviation 1."


@exercise("Demo: square each entry")
def square(fn) -> CheckResult:
    """Check ``fn(x)`` returns ``x ** 2`` entry by entry; notebook 00 shows its messages on wrong attempts."""
    x = np.array([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]])  # (2, 3), signs and fractions: x * 2 and x ** 2 differ
    got = as_array(call(fn, x, name="square"), "square(x)")
    expect_close(
        got,
        x**2,
        name="square(x)",
        hint="square each entry: x ** 2 (or x * x).",
        mistakes=(
            (x * 2, "x * 2 doubles each entry; squaring multiplies it by itself: x ** 2."),
            (np.abs(x), "that is the absolute value; squaring is x ** 2."),
            (np.full_like(x, (x**2).sum()), "square each entry separately: no sum."),
        ),
    )
    return "correct."


def reference_top_features(weights, names, k: int) -> list[str]:
    """The ``k`` names whose weights are largest in absolute value, largest first."""
    order = np.argsort(-np.abs(np.asarray(weights, dtype=float)), kind="stable")
    return [str(names[j]) for j in order[:k]]


def _ranking_inputs() -> list[tuple[str, np.ndarray, list[str], int]]:
    """No ties in |weight|; the largest |weight| is negative; sorting by signed weight, by |weight| ascending
    or keeping the names' own order each give another answer."""
    hand = np.array([0.5, -1.2, 0.1, 0.9, -0.3])  # (5,)
    drawn = np.round(np.random.default_rng(1).normal(size=7) * [1.0, 3.0, 0.5, 2.0, 1.5, 0.2, 2.5], 3)  # (7,)
    return [
        ("5 weights, k = 3", hand, ["age", "income", "spending", "debt", "savings"], 3),
        ("7 random weights, k = 4", drawn, [f"feature_{j}" for j in range(7)], 4),
    ]


def _ranking_slips(weights: np.ndarray, names: list[str], k: int) -> tuple[tuple[list[str], str], ...]:
    by_size = np.argsort(-np.abs(weights), kind="stable")
    by_sign = np.argsort(-weights, kind="stable")
    pick = lambda order: [names[j] for j in order]  # noqa: E731
    return (
        (
            pick(by_sign[:k]),
            "rank by size, np.abs(weights): a large negative weight matters as much as a large positive one.",
        ),
        (pick(by_sign[::-1][:k]), "rank by size, np.abs(weights), largest first — not by the signed weight."),
        (
            pick(by_size[::-1][:k]),
            "largest first: np.argsort sorts ascending, so reverse it (order[::-1]) or sort -np.abs(weights).",
        ),
        (pick(sorted(by_size[:k])), "these are the right names in the wrong order: list them largest |weight| first."),
        (pick(by_size), f"return only the first k = {k} names."),
        (pick(by_size[: k - 1]), f"return exactly k = {k} names: order[:k]."),
        (pick(by_size[: k + 1]), f"return exactly k = {k} names: order[:k]."),
    )


def _as_names(received, k: int) -> list[str]:
    """The learner's answer as a list of strings, or :class:`Wrong` saying what arrived instead."""
    name = "top_features(weights, names, k)"
    if isinstance(received, str):
        raise Wrong(
            f"{name} returned one str, expected a list of {k} feature names.",
            f"received: {show(received)}",
            hint="return a list of names, e.g. [names[j] for j in order[:k]].",
        )
    if isinstance(received, np.ndarray):
        if received.ndim != 1:
            raise Wrong(
                f"{name} returned an array of shape {received.shape}, expected a list of {k} names.",
                hint="return a flat list of names.",
            )
        received = received.view(np.ndarray).tolist()
    elif not isinstance(received, (list, tuple)):
        raise Wrong(
            f"{name} should return a list of {k} feature names, got {_a(type(received).__name__)}.",
            f"received: {show(received)}",
            hint="return a list of names, e.g. [names[j] for j in order[:k]].",
        )
    kinds = {type(item).__name__ for item in received}
    positions = all(isinstance(item, (int, np.integer)) and not isinstance(item, (bool, np.bool_)) for item in received)
    if received and positions:
        raise Wrong(
            f"{name} returned positions, expected names.",
            f"received: {show(list(received))}",
            hint="look the names up: [names[j] for j in order[:k]].",
        )
    if received and all(isinstance(item, tuple) for item in received):
        raise Wrong(
            f"{name} returned pairs, expected names only.",
            f"received: {show(list(received))}",
            hint="return just the names, largest |weight| first.",
        )
    if not all(isinstance(item, str) for item in received):
        raise Wrong(
            f"{name} should return a list of feature names (str), got a {type(received).__name__} of "
            f"{', '.join(sorted(kinds))}.",
            f"received: {show(list(received))}",
            hint="return the names themselves, e.g. [names[j] for j in order[:k]].",
        )
    return [str(item) for item in received]


@exercise("Rank the features by the size of their weight")
def top_features(fn) -> CheckResult:
    """Check ``fn(weights, names, k)`` returns the ``k`` names with the largest ``|weight|``, largest first."""
    for description, weights, names, k in _ranking_inputs():
        with case(description):
            got = _as_names(call(fn, weights, names, k, name="top_features"), k)
            expected = reference_top_features(weights, names, k)
            if got != expected:
                hint = next(
                    (hint for slip, hint in _ranking_slips(weights, names, k) if got == slip),
                    "sort by the absolute value of the weights, largest first, and keep the first k names.",
                )
                raise Wrong(
                    "top_features(weights, names, k) is not right.",
                    f"weights: {show(weights)}",
                    f"names: {show(names)}",
                    f"expected: {show(expected)}",
                    f"received: {show(got)}",
                    hint=hint,
                )
    return "correct — the features whose weights move the prediction most, biggest first."
