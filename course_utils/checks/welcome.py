"""Checks for notebook 00_welcome: the warm-up exercise, standardizing each column."""

from __future__ import annotations

import numpy as np

from course_utils.checks import CheckResult, Wrong, call, exercise
from course_utils.checks._answers import as_array, case, expect_close, show

__all__ = ["standardize"]


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
        ((x - mean) / x.std(axis=0, ddof=1), "use the population standard deviation, x.std(axis=0) (NumPy's default ddof=0)."),
        ((x - x.mean()) / x.std(), "compute one mean and one std per column: pass axis=0."),
        ((x - mean) / x.std(), "pass axis=0 to std as well: one standard deviation per column."),
        ((x - x.mean()) / std, "subtract each column's own mean: x.mean(axis=0)."),
        ((x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True),
         "axis=0 runs down the rows, giving one number per column (feature); axis=1 gives one per example."),
        (x - mean, "centring is half of it: also divide by each column's standard deviation."),
        (x / std, "also subtract each column's mean before dividing."),
        (x - mean / std, "mind the brackets: division comes first, so write (x - mean) / std."),
        ((x - mean) / x.var(axis=0), "divide by the standard deviation, not the variance: std = sqrt(var)."),
        ((x - x.min(axis=0)) / (x.max(axis=0) - x.min(axis=0)),
         "that is min–max scaling to [0, 1]; standardizing subtracts the mean and divides by the standard deviation."),
    )


@exercise("Warm-up: standardize each column")
def standardize(fn) -> CheckResult:
    """Check ``fn(x)`` returns the column-wise z-scores of a batch ``x`` of shape ``(n, d)``, on two batches."""
    for description, x in _inputs():
        with case(description):
            got = as_array(call(fn, x, name="standardize"), "standardize(x)")
            if got.shape == x.shape[::-1]:
                raise Wrong(f"standardize(x) has shape {got.shape}, expected {x.shape}.", f"received: {show(got)}",
                            hint="keep x's layout, one row per example: no transpose is needed.")
            expect_close(got, reference_standardize(x), name="standardize(x)", mistakes=_slips(x),
                         hint="each column of the result should have mean 0 and standard deviation 1.")
    return "correct — every column now has mean 0 and standard deviation 1."
