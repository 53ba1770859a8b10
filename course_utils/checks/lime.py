"""Checks for notebook 08_lime: the kernel weights, the weighted ridge surrogate, top-k overlap."""

from __future__ import annotations

import numpy as np

from course_utils import lime
from course_utils.checks import CheckResult, Wrong, call, exercise, expect_close

__all__ = ["kernel_weights", "weighted_ridge", "top_k_jaccard"]


# --------------------------------------------------------------------------- Exercise 1
@exercise("Exercise 1: the exponential kernel")
def kernel_weights(fn) -> CheckResult:
    """Check ``fn(distances, kernel_width)`` returns ``exp(-d² / (2 w²))`` with the shape of ``distances``."""
    d = np.array([[0.0, 0.5, 1.0, 2.0], [3.0, 1.5, 0.25, 4.0]])  # (2, 4): 2 examples, 4 samples each
    width = 1.5
    got = call(fn, d.copy(), width, name="kernel_weights")
    raw = np.exp(-(d**2) / (2 * width**2))
    mistakes = (
        (np.exp(-(d**2) / width**2), "lime's kernel is sqrt(exp(-d²/w²)) = exp(-d²/(2w²)): you left out the square root (the 2 in the denominator)."),
        (np.exp(-d / width), "square the distance: the kernel is exp(-d²/(2w²)), a Gaussian bump, not exp(-d/w)."),
        (np.exp(-d / (2 * width)), "square the distance: the kernel is exp(-d²/(2w²)), a Gaussian bump."),
        (np.exp(-(d**2) / (2 * width)), "square the width too: exp(-d² / (2 * kernel_width**2)), so d and w are in the same units."),
        (np.exp(-(d**2) / width), "square the width and keep the 2: exp(-d² / (2 * kernel_width**2))."),
        (np.exp(d**2 / (2 * width**2)), "mind the minus sign: far samples must weigh less, exp(-d²/(2w²)) ≤ 1."),
        (raw / raw.sum(), "do not normalize: the input itself (distance 0) weighs exactly 1."),
        (raw / raw.sum(axis=1, keepdims=True), "do not normalize: the input itself (distance 0) weighs exactly 1."),
        (np.exp(-(d**2) / 2 * width**2), "put the whole 2 * kernel_width**2 in the denominator: exp(-d**2 / (2 * kernel_width**2))."),
    )
    expect_close(got, raw, name="kernel_weights(d, 1.5)", mistakes=mistakes,
                 hint="the weight of a sample at distance d is np.exp(-d**2 / (2 * kernel_width**2)); it is 1 at d = 0.")
    return "correct — a sample at distance w weighs exp(-1/2) ≈ 0.61, one at 3w about 0.01."


# --------------------------------------------------------------------------- Exercise 2
def _problem() -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    rng = np.random.default_rng(8)
    Z = rng.normal(size=(40, 3)) * [1.0, 2.0, 0.5] + [1.0, -3.0, 2.0]  # (40, 3): 40 samples, 3 features
    y = np.tanh(Z[:, 0]) - 0.3 * Z[:, 1] + 0.5 * Z[:, 0] * Z[:, 2] + 4.0
    weights = lime.kernel_weights(np.linalg.norm(Z - Z[0], axis=1), 2.0)
    return Z, y, weights, 2.0


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


@exercise("Exercise 2: the weighted ridge surrogate")
def weighted_ridge(fn) -> CheckResult:
    """Check ``fn(Z, y, weights, alpha)`` returns ``(coef, intercept)`` of weighted ridge, intercept unpenalized."""
    Z, y, weights, alpha = _problem()
    got = call(fn, Z.copy(), y.copy(), weights.copy(), alpha, name="fit_weighted_ridge")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Wrong(
            f"fit_weighted_ridge should return two things, (coef, intercept); got {type(got).__name__}.",
            hint="end with `return coef, intercept`.",
        )
    coef, intercept = got
    expected_coef, expected_intercept = lime.fit_surrogate(Z, y, weights, alpha=alpha)[:2]
    ones = np.ones(len(y))
    wls = _ridge(Z, y, weights, 0.0)
    z0 = np.linalg.solve(Z.T @ (weights[:, None] * Z) + alpha * np.eye(3), Z.T @ (weights * y))
    variants = (
        (_ridge(Z, y, ones, alpha), "use the weights: every sample's squared error is multiplied by its kernel weight (W = diag(weights))."),
        (_ridge(Z, y, weights, alpha, penalize_intercept=True), "do not penalize the intercept: centre Z and y at their weighted means and solve for coef alone."),
        (_ridge(Z, y, weights, alpha, center_with=ones), "centre with the WEIGHTED means, z̄ = Σ wᵢ zᵢ / Σ wᵢ, not the plain column means."),
        (wls, "add alpha * I to Zcᵀ W Zc: that is the ridge penalty (without it this is weighted least squares)."),
        (_ridge(Z, y, weights**2, alpha), "multiply by the weights once: Zcᵀ (w * Zc), i.e. W = diag(weights), not weights² (that would be scaling the rows by w instead of √w)."),
        (_ridge(Z, y, np.sqrt(weights), alpha), "W = diag(weights): multiply by the weights themselves, not their square roots."),
        ((z0, 0.0), "the surrogate has an intercept: centre Z and y first, then intercept = ȳ - z̄ · coef."),
    )
    coef_mistakes = tuple((c, hint) for (c, _), hint in variants)
    expect_close(coef, expected_coef, name="coef", mistakes=coef_mistakes,
                 hint="coef = solve(Zcᵀ W Zc + alpha I, Zcᵀ W yc) with Zc, yc centred at the weighted means.")
    intercept_mistakes = (
        (np.average(y, weights=weights), "the intercept is ȳ - z̄ · coef: subtract the weighted mean features times coef."),
        (y.mean() - Z.mean(axis=0) @ expected_coef, "use the weighted means in the intercept too: ȳ = Σ wᵢ yᵢ / Σ wᵢ, z̄ likewise."),
        (np.average(y, weights=weights) + np.average(Z, axis=0, weights=weights) @ expected_coef, "mind the sign: intercept = ȳ - z̄ · coef."),
    )
    expect_close(np.asarray(intercept, dtype=float).reshape(()), expected_intercept, name="intercept", mistakes=intercept_mistakes,
                 hint="intercept = ȳ - z̄ · coef, with the weighted means.")
    return "correct — the same numbers as Ridge(alpha).fit(Z, y, sample_weight=weights), and as lime's surrogate."


# --------------------------------------------------------------------------- Exercise 3
_PAIRS = (  # (a, b, k): chosen so each common slip gives a different answer
    (np.array([3.0, -2.0, 0.1, 0.0, -0.5]), np.array([0.2, -5.0, 0.0, 1.0, 0.4]), 2),
    (np.array([-4.0, 1.0, 2.0, -3.0, 0.5]), np.array([1.0, -3.5, 2.5, -4.0, 0.1]), 3),
    (np.array([0.3, 0.2, -0.9, 0.1, 0.8, -0.7]), np.array([0.9, -0.2, 0.1, 0.3, 0.7, -0.8]), 3),
    (np.array([5.0, 4.0, 3.0, 2.0, 1.0]), np.array([5.0, 4.0, 1.0, 2.0, 3.0]), 2),
)


def _jaccard_variant(a, b, k, *, key=np.abs, denominator="union", smallest=False):
    order = lambda v: np.argsort(key(v) if not smallest else -key(v), kind="stable")[::-1][:k]
    top_a, top_b = set(order(a).tolist()), set(order(b).tolist())
    shared = len(top_a & top_b)
    return {"union": shared / len(top_a | top_b), "k": shared / k, "count": shared}[denominator]


@exercise("Exercise 3: top-k overlap (Jaccard) of two explanations")
def top_k_jaccard(fn) -> CheckResult:
    """Check ``fn(a, b, k)`` returns the Jaccard index of the top-k |values| of a and b."""
    received = []
    for a, b, k in _PAIRS:
        value = call(fn, a.copy(), b.copy(), k, name="top_k_jaccard")
        received.append(value)
    expected = [lime.top_k_jaccard(a, b, k=k) for a, b, k in _PAIRS]
    variants = (
        (dict(key=lambda v: v), "rank by ABSOLUTE value: a large negative weight matters as much as a large positive one (np.abs)."),
        (dict(denominator="k"), "Jaccard divides by the size of the UNION, |A ∪ B|, not by k."),
        (dict(denominator="count"), "return a fraction: the number of shared features divided by the size of the union."),
        (dict(smallest=True), "take the k LARGEST |values|: np.argsort sorts ascending, so take the last k (or sort -|v|)."),
    )
    mistakes = tuple(([_jaccard_variant(a, b, k, **v) for a, b, k in _PAIRS], hint) for v, hint in variants)
    expect_close(received, expected, name="top_k_jaccard on 4 test pairs", mistakes=mistakes,
                 hint="A = set of indices of the k largest |a|, B likewise; return len(A & B) / len(A | B).")
    return "correct — 1 means both explanations name the same k features, 0 that they share none."
