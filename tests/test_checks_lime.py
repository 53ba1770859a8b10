"""Every outcome of the checks of notebook 08_lime, with the targeted hints."""

import numpy as np
import pytest

from course_utils import lime
from course_utils.checks import CORRECT, CRASHED, NOT_ATTEMPTED, WRONG
from course_utils.checks import lime as check


def not_attempted(*args, **kwargs):
    raise NotImplementedError()


def _hint_of(result):
    return " ".join(result.details)


# --------------------------------------------------------------------------- Exercise 1: kernel
def test_kernel_weights_correct_not_attempted_crashed_none():
    assert check.kernel_weights(lambda d, w: np.exp(-d**2 / (2 * w**2))).status == CORRECT
    assert check.kernel_weights(lambda d, w: np.sqrt(np.exp(-d**2 / w**2))).status == CORRECT  # lime's spelling
    assert check.kernel_weights(lime.kernel_weights).status == CORRECT
    assert check.kernel_weights(not_attempted).status == NOT_ATTEMPTED
    result = check.kernel_weights(lambda d, w: np.expp(-d**2))
    assert result.status == CRASHED and "expp" in _hint_of(result)
    result = check.kernel_weights(lambda d, w: None)
    assert result.status == WRONG and "forget `return`" in result.message


KERNEL_MISTAKES = {
    "left out the square root": lambda d, w: np.exp(-d**2 / w**2),
    "not exp(-d/w)": lambda d, w: np.exp(-d / w),
    "a Gaussian bump.": lambda d, w: np.exp(-d / (2 * w)),
    "square the width too": lambda d, w: np.exp(-d**2 / (2 * w)),
    "square the width and keep the 2": lambda d, w: np.exp(-d**2 / w),
    "mind the minus sign": lambda d, w: np.exp(d**2 / (2 * w**2)),
    "do not normalize": lambda d, w: np.exp(-d**2 / (2 * w**2)) / np.exp(-d**2 / (2 * w**2)).sum(),
    "put the whole 2 * kernel_width**2 in the denominator": lambda d, w: np.exp(-d**2 / 2 * w**2),
    "it is 1 at d = 0": lambda d, w: 1.0 / (1.0 + d**2 / w**2),  # no targeted hint: the general one
}


@pytest.mark.parametrize("hint, wrong", KERNEL_MISTAKES.items(), ids=list(KERNEL_MISTAKES))
def test_kernel_weights_targeted_hints(hint, wrong):
    result = check.kernel_weights(wrong)
    assert result.status == WRONG
    assert hint in _hint_of(result)


def test_kernel_weights_row_normalized_and_wrong_shape():
    result = check.kernel_weights(lambda d, w: np.exp(-d**2 / (2 * w**2)) / np.exp(-d**2 / (2 * w**2)).sum(axis=1, keepdims=True))
    assert result.status == WRONG and "do not normalize" in _hint_of(result)
    result = check.kernel_weights(lambda d, w: np.exp(-d.ravel()**2 / (2 * w**2)))
    assert result.status == WRONG and "shape (8,), expected (2, 4)" in result.message


# --------------------------------------------------------------------------- Exercise 2: weighted ridge
def reference_ridge(Z, y, weights, alpha):
    share = weights / weights.sum()
    z_mean, y_mean = share @ Z, share @ y
    Zc, yc = Z - z_mean, y - y_mean
    coef = np.linalg.solve(Zc.T @ (weights[:, None] * Zc) + alpha * np.eye(Z.shape[1]), Zc.T @ (weights * yc))
    return coef, y_mean - z_mean @ coef


def _with_sklearn(Z, y, weights, alpha):
    from sklearn.linear_model import Ridge

    model = Ridge(alpha=alpha).fit(Z, y, sample_weight=weights)
    return model.coef_, model.intercept_


def test_weighted_ridge_correct_not_attempted_crashed_none():
    assert check.weighted_ridge(reference_ridge).status == CORRECT
    assert check.weighted_ridge(_with_sklearn).status == CORRECT
    assert check.weighted_ridge(lambda Z, y, w, a: lime.fit_surrogate(Z, y, w, alpha=a)[:2]).status == CORRECT
    assert check.weighted_ridge(not_attempted).status == NOT_ATTEMPTED
    result = check.weighted_ridge(lambda Z, y, w, a: np.linalg.solve(Z, y))
    assert result.status == CRASHED and "LinAlgError" in _hint_of(result)
    result = check.weighted_ridge(lambda Z, y, w, a: None)
    assert result.status == WRONG and "forget `return`" in result.message
    result = check.weighted_ridge(lambda Z, y, w, a: reference_ridge(Z, y, w, a)[0])
    assert result.status == WRONG and "return coef, intercept" in _hint_of(result)


def _ridge_variant(weights_fn=lambda w: w, *, center=None, alpha_used=None):
    def fit(Z, y, weights, alpha):
        w = weights_fn(weights)
        c = w if center is None else center(weights)
        share = c / c.sum()
        z_mean, y_mean = share @ Z, share @ y
        Zc, yc = Z - z_mean, y - y_mean
        a = alpha if alpha_used is None else alpha_used
        coef = np.linalg.solve(Zc.T @ (w[:, None] * Zc) + a * np.eye(Z.shape[1]), Zc.T @ (w * yc))
        return coef, y_mean - z_mean @ coef

    return fit


def _penalized_intercept(Z, y, weights, alpha):
    A = np.column_stack([np.ones(len(Z)), Z])
    beta = np.linalg.solve(A.T @ (weights[:, None] * A) + alpha * np.eye(A.shape[1]), A.T @ (weights * y))
    return beta[1:], beta[0]


def _no_intercept(Z, y, weights, alpha):
    return np.linalg.solve(Z.T @ (weights[:, None] * Z) + alpha * np.eye(Z.shape[1]), Z.T @ (weights * y)), 0.0


def _intercept_slip(slip):
    def fit(Z, y, weights, alpha):
        coef, _ = reference_ridge(Z, y, weights, alpha)
        return coef, slip(Z, y, weights, coef)

    return fit


RIDGE_MISTAKES = {
    "use the weights": _ridge_variant(lambda w: np.ones_like(w)),
    "do not penalize the intercept": _penalized_intercept,
    "centre with the WEIGHTED means": _ridge_variant(center=lambda w: np.ones_like(w)),
    "that is the ridge penalty": _ridge_variant(alpha_used=0.0),
    "not weights²": _ridge_variant(lambda w: w**2),
    "not their square roots": _ridge_variant(np.sqrt),
    "the surrogate has an intercept": _no_intercept,
    "subtract the weighted mean features times coef": _intercept_slip(lambda Z, y, w, c: np.average(y, weights=w)),
    "use the weighted means in the intercept too": _intercept_slip(lambda Z, y, w, c: y.mean() - Z.mean(axis=0) @ c),
    "mind the sign": _intercept_slip(lambda Z, y, w, c: np.average(y, weights=w) + np.average(Z, axis=0, weights=w) @ c),
}


@pytest.mark.parametrize("hint, wrong", RIDGE_MISTAKES.items(), ids=list(RIDGE_MISTAKES))
def test_weighted_ridge_targeted_hints(hint, wrong):
    result = check.weighted_ridge(wrong)
    assert result.status == WRONG
    assert hint in _hint_of(result)


# --------------------------------------------------------------------------- Exercise 3: top-k Jaccard
def reference_jaccard(a, b, k):
    top_a = set(np.argsort(-np.abs(a))[:k])
    top_b = set(np.argsort(-np.abs(b))[:k])
    return len(top_a & top_b) / len(top_a | top_b)


def test_top_k_jaccard_correct_not_attempted_crashed_none():
    assert check.top_k_jaccard(reference_jaccard).status == CORRECT
    assert check.top_k_jaccard(lambda a, b, k: lime.top_k_jaccard(a, b, k=k)).status == CORRECT
    assert check.top_k_jaccard(not_attempted).status == NOT_ATTEMPTED
    result = check.top_k_jaccard(lambda a, b, k: len(set(a) & set(b)) / len(set(a) | set(b), k))
    assert result.status == CRASHED and "TypeError" in _hint_of(result)
    result = check.top_k_jaccard(lambda a, b, k: None)
    assert result.status == WRONG and "forget `return`" in result.message


JACCARD_MISTAKES = {
    "rank by ABSOLUTE value": lambda a, b, k: len(set(np.argsort(-a)[:k]) & set(np.argsort(-b)[:k])) / len(set(np.argsort(-a)[:k]) | set(np.argsort(-b)[:k])),
    "not by k": lambda a, b, k: len(set(np.argsort(-np.abs(a))[:k]) & set(np.argsort(-np.abs(b))[:k])) / k,
    "return a fraction": lambda a, b, k: len(set(np.argsort(-np.abs(a))[:k]) & set(np.argsort(-np.abs(b))[:k])),
    "take the k LARGEST": lambda a, b, k: reference_jaccard(1 / (np.abs(a) + 1e-3), 1 / (np.abs(b) + 1e-3), k),
    "return len(A & B) / len(A | B)": lambda a, b, k: 0.5,  # no targeted hint: the general one
}


@pytest.mark.parametrize("hint, wrong", JACCARD_MISTAKES.items(), ids=list(JACCARD_MISTAKES))
def test_top_k_jaccard_targeted_hints(hint, wrong):
    result = check.top_k_jaccard(wrong)
    assert result.status == WRONG
    assert hint in _hint_of(result)
