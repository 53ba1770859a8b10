"""Checks for notebook 10_evaluating_explanations: sign agreement, a deletion curve, max-sensitivity.

Each check runs the learner's function on several hand-made and random problems (a number of
features that the number of steps does not divide, attributions of both signs whose order differs
from the order of their magnitudes, no ties), compares with :mod:`course_utils.metrics`, and
recognizes the common slips — the wrong sort order, rounding the counts, removal that is not
cumulative, a forgotten step 0; signs compared position by position or not at all; the mean for
the max, a missing normalization, the wrong norm — to give a hint aimed at the slip.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from course_utils import metrics
from course_utils.checks import CheckResult, Wrong, call, exercise, expect_close
from course_utils.checks._answers import as_array, as_number, case

__all__ = ["sign_agreement", "deletion_scores", "max_sensitivity", "reference_deletion_scores"]


# --------------------------------------------------------------------------- Exercise 1: sign agreement
_SIGN_PAIRS = (  # (values, true_values, k): top-k sets that overlap partly, signs that agree and disagree;
    # every common slip gives its own answer on these four (tests check it)
    (np.array([-1.7, 0.5, -0.1, -0.2, 0.6]), np.array([1.4, 1.5, 1.2, -1.8, 0.7]), 2),
    (np.array([-1.4, -2.1, -0.5, 0.6, 2.0, 5.6]), np.array([1.4, -1.7, 0.1, 2.0, 2.2, -4.8]), 3),
    (np.array([-2.1, -5.1, 1.6, 0.7, 1.4, 0.3, -0.6]), np.array([1.6, -2.6, 1.8, -0.7, 1.0, 0.6, 2.3]), 3),
    (np.array([-1.7, -0.2, -0.5, -1.0, -1.9, 0.9, 1.6, 0.7]), np.array([1.2, -0.3, -0.1, -0.8, -2.0, 1.0, 1.6, 0.2]), 4),
)


def _top(v: np.ndarray, k: int, key=np.abs) -> np.ndarray:
    return np.argsort(-key(v), kind="stable")[:k]


def _sign_slip(values, truth, k, *, key=np.abs, smallest=False, rule="shared", denominator="k") -> float:
    if smallest:
        top_v, top_t = np.argsort(np.abs(values), kind="stable")[:k], np.argsort(np.abs(truth), kind="stable")[:k]
    else:
        top_v, top_t = _top(values, k, key), _top(truth, k, key)
    shared = np.intersect1d(top_v, top_t)
    agree = {
        "shared": np.sum(np.sign(values[shared]) == np.sign(truth[shared])),
        "overlap": len(shared),
        "by position": np.sum(np.sign(values[top_v]) == np.sign(truth[top_t])),
        "truth's top-k": np.sum(np.sign(values[top_t]) == np.sign(truth[top_t])),
    }[rule]
    return {"k": agree / k, "shared": agree / max(len(shared), 1), "union": agree / len(np.union1d(top_v, top_t)), "count": float(agree)}[denominator]


_SIGN_SLIPS = (
    (dict(rule="overlap"), "also compare the signs: a shared feature counts only when np.sign agrees (this is feature agreement)."),
    (dict(rule="by position"), "compare the sign of the SAME feature in both explanations, not position by position: take the features in both "
                               "top-k sets (np.intersect1d) and compare their signs."),
    (dict(rule="truth's top-k"), "count only the features that are in BOTH top-k sets: a feature of the true top-k that the explanation does "
                                 "not rank in its top-k does not agree, whatever its sign."),
    (dict(key=lambda v: v), "rank by |value|: a large negative contribution is as important as a large positive one (np.abs)."),
    (dict(smallest=True), "take the k LARGEST |values|: np.argsort sorts ascending, so sort -np.abs(values)."),
    (dict(denominator="shared"), "divide by k, not by the number of shared features: a feature missing from the explanation's top-k counts as a disagreement."),
    (dict(denominator="union"), "divide by k (OpenXAI's definition), not by the size of the union."),
    (dict(denominator="count"), "return a fraction: the number of agreeing features divided by k."),
)


@exercise("Exercise 1: sign agreement (OpenXAI's SA)")
def sign_agreement(fn: Any) -> CheckResult:
    """Check ``fn(values, true_values, k)`` returns the sign agreement of the top-k features."""
    received = []
    for number, (values, truth, k) in enumerate(_SIGN_PAIRS, start=1):
        with case(f"test pair {number} of {len(_SIGN_PAIRS)}: {len(values)} features, k = {k}"):
            got = call(fn, values, truth, k, name="sign_agreement")
            got = as_number(got, "sign_agreement", hint="return one number between 0 and 1: agreeing features / k.")
            if got.shape != ():
                raise Wrong(f"sign_agreement should return one number; got an array of shape {got.shape}.",
                            hint="count the agreeing features (np.sum of a boolean array) and divide by k: one number.")
            received.append(got)
    expected = [metrics.ground_truth_agreement(v[None], t[None], k=k)["sign_agreement"][0] for v, t, k in _SIGN_PAIRS]
    mistakes = tuple(([_sign_slip(v, t, k, **slip) for v, t, k in _SIGN_PAIRS], hint) for slip, hint in _SIGN_SLIPS)
    expect_close(np.array(received, dtype=float), expected, name=f"sign_agreement on {len(_SIGN_PAIRS)} test pairs", mistakes=mistakes,
                 hint="features in both top-k sets (by |value|) that have the same np.sign, divided by k.")
    return "correct — a feature counts only if both explanations rank it in their top k AND agree on its direction."


# --------------------------------------------------------------------------- Exercise 2: deletion curve
def reference_deletion_scores(predict_fn: Callable, x: np.ndarray, attribution: np.ndarray, n_steps: int) -> np.ndarray:
    """The course's solution of exercise 2: the deletion curve of one example, shape (n_steps + 1,)."""
    order = np.argsort(-attribution)  # the most positive attribution first
    d = len(x)
    copies = np.repeat(x[None], n_steps + 1, axis=0)  # (n_steps + 1, d): one copy per step
    for step in range(n_steps + 1):
        copies[step, order[: step * d // n_steps]] = 0.0
    return np.asarray(predict_fn(copies), dtype=float)


class _BatchOnly:
    """A model that takes a batch (m, d) only, and says how to call it otherwise."""

    def __init__(self, f: Callable[[np.ndarray], np.ndarray], d: int):
        self.f, self.d = f, d

    def __call__(self, batch: Any) -> np.ndarray:
        batch = np.asarray(batch, dtype=float)
        if batch.ndim != 2 or batch.shape[1] != self.d:
            raise ValueError(f"predict_fn takes a batch of shape (m, {self.d}); got {batch.shape}. "
                             "Pass z[None] for one copy, or stack all copies into one array.")
        return self.f(batch)


@functools.lru_cache(maxsize=1)
def _deletion_problems() -> tuple[tuple[str, Callable, np.ndarray, np.ndarray, int], ...]:
    """(description, predict_fn, x, attribution, n_steps): d not a multiple of n_steps, signed attributions."""
    w = np.array([0.8, -1.5, 2.0, 0.3, -0.6, 1.1, -2.4])  # (7,)
    x1 = np.array([1.0, 0.5, 0.9, 2.0, -1.2, 0.7, 0.4])
    linear = lambda X: X @ w + 0.5  # (m,)
    rng = np.random.default_rng(10)
    W, v = rng.normal(size=(10, 3)), rng.normal(size=3)  # a small network on 10 features
    network = lambda X: np.tanh(X @ W) @ v + 0.3 * X[:, 0] * X[:, 1]
    x2 = rng.normal(size=10) + 0.5
    a2 = rng.normal(size=10)  # an attribution that does not come from the model
    x3 = rng.uniform(0.2, 1.0, size=12)
    w3 = rng.normal(size=12)
    return (
        ("a linear model on 7 features, attribution w·x, n_steps = 3", _BatchOnly(linear, 7), x1, w * x1, 3),
        ("a small network on 10 features, a random attribution, n_steps = 4", _BatchOnly(network, 10), x2, a2, 4),
        ("a linear model on 12 features, attribution w·x, n_steps = 12", _BatchOnly(lambda X: X @ w3, 12), x3, w3 * x3, 12),
    )


def _scores_with(predict_fn, x, order, counts, *, cumulative=True, insert=False, fill=0.0) -> np.ndarray:
    """The curve of one example for a given order and counts, with one piece changed to make a slip."""
    copies = np.repeat((np.full_like(x, fill) if insert else x)[None], len(counts), axis=0)
    for step, count in enumerate(counts):
        start = 0 if cumulative else (counts[step - 1] if step else 0)
        chosen = order[start:count]
        copies[step, chosen] = x[chosen] if insert else fill
    return predict_fn(copies)


def _deletion_slips(predict_fn, x, attribution, n_steps) -> tuple[tuple[np.ndarray, str], ...]:
    d = len(x)
    steps = np.arange(n_steps + 1)
    counts = steps * d // n_steps
    order = np.argsort(-attribution)
    curve = functools.partial(_scores_with, predict_fn, x)
    return (
        (curve(np.argsort(attribution), counts), "remove the MOST positive attribution first: np.argsort sorts ascending, so sort -attribution."),
        (curve(np.argsort(-np.abs(attribution)), counts), "order by the attribution itself, most positive first, not by |attribution|: a negative value "
                                                          "says the feature works against the class, so it is removed last."),
        (curve(order, np.rint(steps * d / n_steps).astype(int)), "after step s, s * d // n_steps features are gone: integer division (rounding down), not round()."),
        (curve(order, np.ceil(steps * d / n_steps).astype(int)), "after step s, s * d // n_steps features are gone: integer division (rounding down), not ceil()."),
        (curve(order, np.minimum(steps, d)), "after step s, s * d // n_steps of the d features are gone, not s of them."),
        (curve(order, counts, cumulative=False), "removal is cumulative: at step s every feature removed before stays removed."),
        (curve(order, counts, insert=True), "that is the insertion curve (starting from all zeros); the deletion curve starts from x and removes."),
        (curve(order, counts, fill=x.mean()), "a removed feature is set to 0 (fill = 0.0), not to the mean of x."),
        (counts / d, "return the model's scores at each step, not the fractions of features removed."),
    )


@exercise("Exercise 2: a deletion curve by hand")
def deletion_scores(fn: Any) -> CheckResult:
    """Check ``fn(predict_fn, x, attribution, n_steps)`` returns the deletion curve of one example."""
    for description, predict_fn, x, attribution, n_steps in _deletion_problems():
        expected = metrics.deletion_curve(predict_fn, x[None], attribution[None], n_steps=n_steps)[1][0]
        crash_hints = ((ValueError, "predict_fn takes a batch",
                        "predict_fn takes a batch (m, d): stack the n_steps + 1 copies into one array and call it once."),)
        with case(description):
            got = call(fn, predict_fn, x, attribution, n_steps, name="deletion_scores", crash_hints=crash_hints)
            if isinstance(got, tuple) and len(got) == 2:
                raise Wrong("deletion_scores returned two things; it should return the scores only.",
                            hint="return one array of n_steps + 1 scores (metrics.deletion_curve also returns the fractions; you do not).")
            got = as_array(got, "deletion_scores")
            if got.shape == (n_steps,):
                raise Wrong(f"deletion_scores returned {n_steps} scores; the curve has n_steps + 1 = {n_steps + 1}.",
                            hint="include step 0: scores[0] is f(x) before anything is removed, scores[-1] is f(all zeros).")
            if got.size == n_steps + 1 and got.shape != (n_steps + 1,):
                raise Wrong(f"deletion_scores returned shape {got.shape}; it should be one score per step, shape ({n_steps + 1},).",
                            hint="return a 1-D array: predict_fn(copies) is already (n_steps + 1,); .ravel() a column.")
            expect_close(got, expected, name="deletion_scores", mistakes=_deletion_slips(predict_fn, x, attribution, n_steps),
                         hint="order = np.argsort(-attribution); at step s set the first s * d // n_steps features of that order to 0.")
    return "correct — the faster this curve falls, the better the ranking found what the model uses."


# --------------------------------------------------------------------------- Exercise 3: max-sensitivity
@functools.lru_cache(maxsize=1)
def _sensitivity_problems() -> tuple[tuple[str, Callable, np.ndarray, np.ndarray], ...]:
    """(description, explain_fn, x (n, d), perturbations (m, n, d)): nonlinear explanations of different sizes."""
    rng = np.random.default_rng(11)
    W = rng.normal(size=(4, 4))
    gradient_like = lambda X: np.cos(X @ W) @ W.T  # (n, 4): the gradient of sum(sin(X @ W))
    x1 = rng.normal(size=(3, 4))
    noise1 = rng.uniform(-0.3, 0.3, size=(5, 3, 4))
    times_input = lambda X: X * np.tanh(2.0 * X[:, ::-1])  # (n, 5): an input-times-something explanation
    x2 = rng.normal(size=(4, 5)) * [1.0, 2.0, 0.5, 1.5, 3.0]
    noise2 = rng.uniform(-0.2, 0.2, size=(6, 4, 5))
    return (
        ("3 examples, 4 features, 5 perturbations, a gradient-like explanation", gradient_like, x1, noise1),
        ("4 examples, 5 features, 6 perturbations, an input × tanh explanation", times_input, x2, noise2),
    )


def _euclidean(a: np.ndarray) -> np.ndarray:
    return np.linalg.norm(a, axis=-1)


def _sensitivity(explain_fn, x, noise, *, reduce=np.max, norm=_euclidean, scale="original", change="difference") -> np.ndarray:
    """Max-sensitivity of each example (shape (n,)), with one piece changed to make a slip."""
    original = explain_fn(x)  # (n, d)
    moved = np.stack([explain_fn(x + delta) for delta in noise])  # (m, n, d)
    size = {"difference": norm(moved - original), "perturbed": norm(moved), "norms": np.abs(norm(moved) - norm(original))}[change]
    divisor = {"original": norm(original), "moved": norm(moved), "none": 1.0}[scale]
    return reduce(size / divisor, axis=0)


def _sensitivity_slips(explain_fn, x, noise) -> tuple[tuple[np.ndarray, str], ...]:
    s = functools.partial(_sensitivity, explain_fn, x, noise)
    return (
        (s(reduce=np.mean), "take the LARGEST change over the perturbations (np.max over axis 0), not the mean: max-sensitivity is a worst case."),
        (s(reduce=np.min), "take the largest change over the perturbations (np.max), not the smallest."),
        (s(scale="none"), "divide by ‖Φ(x)‖, the norm of the original explanation, so that explanations of different sizes compare."),
        (s(scale="moved"), "divide by the norm of the ORIGINAL explanation ‖Φ(x)‖, not of the perturbed one."),
        (s(change="perturbed"), "measure the change: the norm of Φ(x + δ) − Φ(x), not of Φ(x + δ) itself."),
        (s(change="norms"), "take the norm of the difference, ‖Φ(x + δ) − Φ(x)‖, not the difference of the norms: two explanations of equal size "
                              "can point in completely different directions."),
        (s(norm=lambda a: np.abs(a).max(axis=-1)), "use the Euclidean norm of each example's explanation, np.linalg.norm(..., axis=1), not the largest entry."),
        (s(norm=lambda a: np.abs(a).sum(axis=-1)), "use the Euclidean norm, np.linalg.norm(..., axis=1), not the sum of absolute values."),
        (s(norm=lambda a: (a**2).sum(axis=-1)), "use the norm itself, not its square: np.linalg.norm(..., axis=1)."),
    )


@exercise("Exercise 3: max-sensitivity by hand")
def max_sensitivity(fn: Any) -> CheckResult:
    """Check ``fn(explain_fn, x, perturbations)`` returns the normalized max-sensitivity of each example."""
    for description, explain_fn, x, noise in _sensitivity_problems():
        expected = _sensitivity(explain_fn, x, noise)
        m, n = noise.shape[:2]
        with case(description):
            got = as_array(call(fn, explain_fn, x, noise, name="max_sensitivity_by_hand"), "max_sensitivity_by_hand")
            if got.shape == ():
                raise Wrong("max_sensitivity_by_hand returned one number; it should return one per example.",
                            hint="take the norm per example, np.linalg.norm(difference, axis=1), so the result has shape (n,).")
            if got.shape == (m,) and m != n:
                raise Wrong(f"max_sensitivity_by_hand returned {m} numbers, one per perturbation; it should return one per example ({n}).",
                            hint="for each example, take the largest change over the perturbations: np.max(changes, axis=0) with changes of shape (m, n).")
            expect_close(got, expected, name="max_sensitivity_by_hand", mistakes=_sensitivity_slips(explain_fn, x, noise),
                         hint="for each perturbation δ: np.linalg.norm(explain_fn(x + δ) − explain_fn(x), axis=1); the largest over δ, "
                              "divided by np.linalg.norm(explain_fn(x), axis=1).")
    return "correct — 0 means the explanation did not move at all; 1 means it moved by as much as its own size."
