"""Checks for notebook 08_lime: the kernel weights, the weighted ridge surrogate, top-k overlap.

Each check runs the learner's function on more than one input (a hand-made one and random draws
with fixed seeds, of other shapes and settings), so a hard-coded width, size or penalty is caught.
"""

from __future__ import annotations

import numpy as np

from course_utils import lime
from course_utils.checks import CheckResult, Wrong, call, exercise
from course_utils.checks._answers import as_number, case, expect_close, expect_close_on_each, show, unpack

__all__ = ["kernel_weights", "weighted_ridge", "top_k_jaccard"]


# --------------------------------------------------------------------------- Exercise 1

HINT_MATH_EXP = "math.exp works on one number; np.exp works element by element on an array of any shape."


def _kernel_problems() -> dict[str, tuple[np.ndarray, float]]:
    rng = np.random.default_rng(21)
    return {
        "distances of shape (2, 4), kernel_width 1.5": (np.array([[0.0, 0.5, 1.0, 2.0], [3.0, 1.5, 0.25, 4.0]]), 1.5),
        "random distances of shape (3, 5), kernel_width 0.7": (rng.uniform(0.0, 2.5, size=(3, 5)), 0.7),
    }


def _kernel_mistakes(d: np.ndarray, width: float) -> tuple[tuple[np.ndarray, str], ...]:
    raw = np.exp(-(d**2) / (2 * width**2))
    return (
        (
            np.exp(-(d**2) / width**2),
            "lime's kernel is sqrt(exp(-d²/w²)) = exp(-d²/(2w²)): you left out the square root (the 2 in the "
            "denominator).",
        ),
        (np.exp(-d / width), "square the distance: the kernel is exp(-d²/(2w²)), a Gaussian bump, not exp(-d/w)."),
        (np.exp(-d / (2 * width)), "square the distance: the kernel is exp(-d²/(2w²)), a Gaussian bump."),
        (np.exp(-d / (2 * width**2)), "square the distance: the kernel is exp(-d²/(2w²)), a Gaussian bump."),
        (
            np.exp(-(d**2) / (2 * width)),
            "square the width too: exp(-d² / (2 * kernel_width**2)), so d and w are in the same units.",
        ),
        (np.exp(-(d**2) / width), "square the width and keep the 2: exp(-d² / (2 * kernel_width**2))."),
        (np.exp(d**2 / (2 * width**2)), "mind the minus sign: far samples must weigh less, exp(-d²/(2w²)) ≤ 1."),
        (raw / raw.sum(), "do not normalize: the input itself (distance 0) weighs exactly 1."),
        (raw / raw.sum(axis=1, keepdims=True), "do not normalize: the input itself (distance 0) weighs exactly 1."),
        (
            np.exp(-(d**2) / 2 * width**2),
            "put the whole 2 * kernel_width**2 in the denominator: exp(-d**2 / (2 * kernel_width**2)).",
        ),
    )


@exercise("Exercise 1: the exponential kernel")
def kernel_weights(fn) -> CheckResult:
    """Check ``fn(distances, kernel_width)`` returns ``exp(-d² / (2 w²))`` with the shape of ``distances``, on two
    inputs."""
    cases = []
    for description, (d, width) in _kernel_problems().items():
        with case(description, label="input"):
            got = call(
                fn,
                d,
                width,
                name="kernel_weights",
                crash_hints=((TypeError, "can be converted to Python scalars", HINT_MATH_EXP),),
            )
        cases.append((description, got, lime.kernel_weights(d, width), _kernel_mistakes(d, width)))
    expect_close_on_each(
        cases,
        label="input",
        name="kernel_weights(distances, kernel_width)",
        hint="the weight of a sample at distance d is np.exp(-d**2 / (2 * kernel_width**2)); it is 1 at d = 0.",
    )
    return "correct — a sample at distance w weighs exp(-1/2) ≈ 0.61, one at 3w about 0.01."


# --------------------------------------------------------------------------- Exercise 2


def _ridge_problems() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, float]]:
    rng = np.random.default_rng(8)
    Z = rng.normal(size=(40, 3)) * [1.0, 2.0, 0.5] + [1.0, -3.0, 2.0]  # (40, 3): 40 samples, 3 features
    y = np.tanh(Z[:, 0]) - 0.3 * Z[:, 1] + 0.5 * Z[:, 0] * Z[:, 2] + 4.0
    rng2 = np.random.default_rng(18)
    Z2 = rng2.normal(size=(25, 2)) * [0.5, 3.0] + [-2.0, 1.0]  # (25, 2)
    y2 = np.sin(Z2[:, 0]) + 0.2 * Z2[:, 1] ** 2 - 1.0
    return {
        "40 samples of 3 features, alpha 2": (Z, y, lime.kernel_weights(np.linalg.norm(Z - Z[0], axis=1), 2.0), 2.0),
        "25 samples of 2 features, alpha 0.5": (
            Z2,
            y2,
            lime.kernel_weights(np.linalg.norm(Z2 - Z2[3], axis=1), 3.0),
            0.5,
        ),
    }


def _ridge(Z, y, weights, alpha, *, center_with=None, penalize_intercept=False):
    """Variants of the weighted ridge fit, for the targeted hints."""
    if penalize_intercept:
        A = np.column_stack([np.ones(len(Z)), Z])
        beta = np.linalg.solve(A.T @ (weights[:, None] * A) + alpha * np.eye(A.shape[1]), A.T @ (weights * y))
        return beta[1:], beta[0]
    share = (weights if center_with is None else center_with) / (weights if center_with is None else center_with).sum()
    z_mean, y_mean = share @ Z, share @ y
    Zc, yc = Z - z_mean, y - y_mean
    coef = np.linalg.solve(Zc.T @ (weights[:, None] * Zc) + alpha * np.eye(Z.shape[1]), Zc.T @ (weights * yc))
    return coef, y_mean - z_mean @ coef


def _coef_and_intercept(got, expected: tuple[np.ndarray, float]) -> tuple[np.ndarray, float]:
    """(coef, intercept) from what the learner returned, or a wrong answer that says what is amiss."""
    coef, intercept = unpack(got, ("coef", "intercept"), expected, function="fit_weighted_ridge")
    k = len(expected[0])
    if coef.size == k and coef.shape != (k,):
        raise Wrong(
            f"coef has shape {coef.shape}, expected ({k},).",
            f"received: {show(coef)}",
            hint=(
                "return coef as a flat array of k numbers: coef.ravel() (y should be a vector of shape (m,), "
                "not a column)."
            ),
        )
    if intercept.size != 1:
        raise Wrong(
            f"the intercept should be one number, got an array of shape {intercept.shape}.",
            f"received: {show(intercept)}",
            hint="the intercept is ȳ - z̄ · coef, one number.",
        )
    return coef, float(intercept.reshape(()))


def _ridge_mistakes(Z, y, weights, alpha, expected_coef) -> tuple[tuple, tuple]:
    """What the common slips give for coef, and for the intercept (given the right coef)."""
    k, ones = Z.shape[1], np.ones(len(y))
    z0 = np.linalg.solve(Z.T @ (weights[:, None] * Z) + alpha * np.eye(k), Z.T @ (weights * y))
    coef = (
        (
            _ridge(Z, y, ones, alpha)[0],
            "use the weights: every sample's squared error is multiplied by its kernel weight (W = diag(weights)).",
        ),
        (
            _ridge(Z, y, weights, alpha, penalize_intercept=True)[0],
            "do not penalize the intercept: centre Z and y at their weighted means and solve for coef alone.",
        ),
        (
            _ridge(Z, y, weights, alpha, center_with=ones)[0],
            "centre with the WEIGHTED means, z̄ = Σ wᵢ zᵢ / Σ wᵢ, not the plain column means.",
        ),
        (
            _ridge(Z, y, weights, 0.0)[0],
            "add alpha * I to Zcᵀ W Zc: that is the ridge penalty (without it this is weighted least squares).",
        ),
        (
            _ridge(Z, y, weights**2, alpha)[0],
            "multiply by the weights once: Zcᵀ (w * Zc), i.e. W = diag(weights), not weights² (that would be scaling "
            "the rows by w instead of √w).",
        ),
        (
            _ridge(Z, y, np.sqrt(weights), alpha)[0],
            "W = diag(weights): multiply by the weights themselves, not their square roots.",
        ),
        (z0, "the surrogate has an intercept: centre Z and y first, then intercept = ȳ - z̄ · coef."),
    )
    intercept = (
        (
            np.average(y, weights=weights),
            "the intercept is ȳ - z̄ · coef: subtract the weighted mean features times coef.",
        ),
        (
            y.mean() - Z.mean(axis=0) @ expected_coef,
            "use the weighted means in the intercept too: ȳ = Σ wᵢ yᵢ / Σ wᵢ, z̄ likewise.",
        ),
        (
            np.average(y, weights=weights) + np.average(Z, axis=0, weights=weights) @ expected_coef,
            "mind the sign: intercept = ȳ - z̄ · coef.",
        ),
    )
    return coef, intercept


@exercise("Exercise 2: the weighted ridge surrogate")
def weighted_ridge(fn) -> CheckResult:
    """Check ``fn(Z, y, weights, alpha)`` returns ``(coef, intercept)`` of weighted ridge, intercept unpenalized, on
    two problems."""
    coefs, intercepts = [], []
    for description, (Z, y, weights, alpha) in _ridge_problems().items():
        expected_coef, expected_intercept = lime.fit_surrogate(Z, y, weights, alpha=alpha)[:2]
        with case(description, label="problem"):
            got = call(fn, Z, y, weights, alpha, name="fit_weighted_ridge", returns="coef, intercept")
            coef, intercept = _coef_and_intercept(got, (expected_coef, expected_intercept))
        coef_mistakes, intercept_mistakes = _ridge_mistakes(Z, y, weights, alpha, expected_coef)
        coefs.append((description, coef, expected_coef, coef_mistakes))
        intercepts.append((description, intercept, expected_intercept, intercept_mistakes))
    expect_close_on_each(
        coefs,
        label="problem",
        name="coef",
        hint="coef = solve(Zcᵀ W Zc + alpha I, Zcᵀ W yc) with Zc, yc centred at the weighted means.",
    )
    expect_close_on_each(
        intercepts, label="problem", name="the intercept", hint="intercept = ȳ - z̄ · coef, with the weighted means."
    )
    return "correct — the same numbers as Ridge(alpha).fit(Z, y, sample_weight=weights), and as lime's surrogate."


# --------------------------------------------------------------------------- Exercise 3


def _pairs() -> tuple[tuple[np.ndarray, np.ndarray, int], ...]:
    """(a, b, k): chosen so each common slip gives a different answer; the last pair is random (no ties in |value|)."""
    rng = np.random.default_rng(41)
    a = rng.normal(size=8)  # (8,): a random explanation, and b a noisy copy of it
    return (
        (np.array([3.0, -2.0, 0.1, 0.0, -0.5]), np.array([0.2, -5.0, 0.0, 1.0, 0.4]), 2),
        (np.array([-4.0, 1.0, 2.0, -3.0, 0.5]), np.array([1.0, -3.5, 2.5, -4.0, 0.1]), 3),
        (np.array([0.3, 0.2, -0.9, 0.1, 0.8, -0.7]), np.array([0.9, -0.2, 0.1, 0.3, 0.7, -0.8]), 3),
        (np.array([5.0, 4.0, 3.0, 2.0, 1.0]), np.array([5.0, 4.0, 1.0, 2.0, 3.0]), 2),
        (a, a + rng.normal(0.0, 0.8, size=8), 3),
    )


def _jaccard_variant(a, b, k, *, key=np.abs, denominator="union", smallest=False, extra=0, values=False):
    def top(v):
        order = np.argsort(key(v) if not smallest else -key(v), kind="stable")[::-1][: k + extra]
        return set(np.round(key(v)[order], 12).tolist()) if values else set(order.tolist())

    top_a, top_b = top(a), top(b)
    shared = len(top_a & top_b)
    return {
        "union": shared / max(len(top_a | top_b), 1),
        "k": shared / k,
        "count": shared,
        "sizes": shared / (len(top_a) + len(top_b)),
        "floor": shared // max(len(top_a | top_b), 1),
    }[denominator]


@exercise("Exercise 3: top-k overlap (Jaccard) of two explanations")
def top_k_jaccard(fn) -> CheckResult:
    """Check ``fn(a, b, k)`` returns the Jaccard index of the top-k |values| of a and b, on five pairs."""
    pairs = _pairs()
    received = []
    for i, (a, b, k) in enumerate(pairs):  # each answer is read as a number at once
        name = f"top_k_jaccard(a, b, {k}) on pair {i + 1}"
        received.append(
            as_number(
                call(fn, a, b, k, name="top_k_jaccard"),
                name,
                hint="return one number, len(A & B) / len(A | B), not the sets.",
            )
        )
    expected = [lime.top_k_jaccard(a, b, k=k) for a, b, k in pairs]
    variants = (
        (
            dict(key=lambda v: v),
            "rank by ABSOLUTE value: a large negative weight matters as much as a large positive one (np.abs).",
        ),
        (dict(denominator="k"), "Jaccard divides by the size of the UNION, |A ∪ B|, not by k."),
        (
            dict(denominator="count"),
            "return a fraction: the number of shared features divided by the size of the union.",
        ),
        (
            dict(denominator="sizes"),
            "the union counts a shared feature once: |A ∪ B| = |A| + |B| − |A ∩ B|, not |A| + |B|.",
        ),
        (dict(denominator="floor"), "`//` is integer division and rounds the index down to 0; use `/`."),
        (
            dict(smallest=True),
            "take the k LARGEST |values|: np.argsort sorts ascending, so take the last k (or sort -|v|).",
        ),
        (dict(extra=1), "take exactly k features: np.argsort(-np.abs(a))[:k] (your sets hold k + 1)."),
        (
            dict(values=True),
            "compare the INDICES of the top features (which features), not their values: np.argsort gives indices.",
        ),
    )
    mistakes = tuple(([_jaccard_variant(a, b, k, **v) for a, b, k in pairs], hint) for v, hint in variants)
    with case(f"{len(pairs)} pairs of explanations, k = 2 or 3", label="checked on"):
        expect_close(
            np.array(received),
            expected,
            name="top_k_jaccard",
            mistakes=mistakes,
            hint="A = set of indices of the k largest |a|, B likewise; return len(A & B) / len(A | B).",
            entry=lambda index: f"pair {index[0] + 1} (k = {pairs[index[0]][2]})",
        )
    return "correct — 1 means both explanations name the same k features, 0 that they share none."
