"""The wrong answers learners write in notebook 08_lime, each with its verdict and hint; answers
written differently that are right; answers that would break a weaker check."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import lime
from course_utils.checks import CORRECT, CRASHED, WRONG
from course_utils.checks import lime as check

from .check_answers import GENERIC, Exercise, assert_verdict, judge, params

# --------------------------------------------------------------------------- Exercise 1: kernel

gauss = lambda d, w: np.exp(-d**2 / (2 * w**2))  # noqa: E731

KERNEL_ANSWERS = [
    (gauss, CORRECT, "exp(-1/2)"),
    (lambda d, w: np.sqrt(np.exp(-d**2 / w**2)), CORRECT, ""),  # lime's spelling
    (lime.kernel_weights, CORRECT, ""),
    (lambda d, w: np.exp(-0.5 * (d / w) ** 2), CORRECT, ""),
    (lambda d, w: np.exp(-d**2 / w**2), WRONG, "left out the square root"),
    (lambda d, w: np.exp(-d / w), WRONG, "not exp(-d/w)"),
    (lambda d, w: np.exp(-d / (2 * w)), WRONG, "square the distance"),
    (lambda d, w: np.exp(-d / (2 * w**2)), WRONG, "square the distance"),
    (lambda d, w: np.exp(-d**2 / (2 * w)), WRONG, "square the width too"),
    (lambda d, w: np.exp(-d**2 / w), WRONG, "square the width and keep the 2"),
    (lambda d, w: np.exp(d**2 / (2 * w**2)), WRONG, "mind the minus sign"),
    (lambda d, w: gauss(d, w) / gauss(d, w).sum(), WRONG, "do not normalize"),
    (lambda d, w: gauss(d, w) / gauss(d, w).sum(axis=1, keepdims=True), WRONG, "do not normalize"),
    (lambda d, w: np.exp(-d**2 / 2 * w**2), WRONG, "put the whole 2 * kernel_width**2 in the denominator"),
    (lambda d, w: 1.0 / (1.0 + d**2 / w**2), WRONG, "it is 1 at d = 0"),  # no known slip: the general hint
    (lambda d, w: np.exp(-d**2 / (2 * 1.5**2)), WRONG, "kernel_width 0.7"),  # the width hard-coded
    (lambda d, w: math.exp(-d**2 / (2 * w**2)), WRONG, "math.exp works on one number"),
    (lambda d, w: gauss(d, w).ravel(), WRONG, "has shape (8,), expected (2, 4)"),
    (lambda d, w: [math.exp(-v**2 / (2 * w**2)) for v in d.ravel()], WRONG, "got a list"),
]


@pytest.mark.parametrize("answer, status, fragment", KERNEL_ANSWERS)
def test_kernel_weights_answers(answer, status, fragment):
    assert_verdict(check.kernel_weights(answer), status, fragment)


def test_a_crash_that_is_no_known_slip_stays_a_crash():
    assert_verdict(check.kernel_weights(lambda d, w: np.expp(-d**2)), CRASHED, "expp")


# --------------------------------------------------------------------------- Exercise 2: weighted ridge


def reference_ridge(Z, y, weights, alpha):
    share = weights / weights.sum()
    z_mean, y_mean = share @ Z, share @ y
    Zc, yc = Z - z_mean, y - y_mean
    coef = np.linalg.solve(Zc.T @ (weights[:, None] * Zc) + alpha * np.eye(Z.shape[1]), Zc.T @ (weights * yc))
    return coef, y_mean - z_mean @ coef


def with_sklearn(Z, y, weights, alpha):
    from sklearn.linear_model import Ridge

    model = Ridge(alpha=alpha).fit(Z, y, sample_weight=weights)
    return model.coef_, model.intercept_


def unpenalized_intercept_in_one_system(Z, y, weights, alpha):
    A = np.column_stack([np.ones(len(Z)), Z])
    penalty = alpha * np.diag([0.0] + [1.0] * Z.shape[1])
    beta = np.linalg.solve(A.T @ (weights[:, None] * A) + penalty, A.T @ (weights * y))
    return beta[1:], beta[0]


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


RIDGE_ANSWERS = [
    (reference_ridge, CORRECT, "Ridge(alpha)"),
    (with_sklearn, CORRECT, ""),
    (lambda Z, y, w, a: lime.fit_surrogate(Z, y, w, alpha=a)[:2], CORRECT, ""),
    (unpenalized_intercept_in_one_system, CORRECT, ""),
    (lambda *args: list(reference_ridge(*args)), CORRECT, ""),  # a list of the two is fine
    (
        lambda *args: (reference_ridge(*args)[0], np.array([reference_ridge(*args)[1]])),
        CORRECT,
        "",
    ),  # intercept as a 1-element array
    (_ridge_variant(lambda w: np.ones_like(w)), WRONG, "use the weights"),
    (_penalized_intercept, WRONG, "do not penalize the intercept"),
    (_ridge_variant(center=lambda w: np.ones_like(w)), WRONG, "centre with the WEIGHTED means"),
    (_ridge_variant(alpha_used=0.0), WRONG, "that is the ridge penalty"),
    (_ridge_variant(lambda w: w**2), WRONG, "not weights²"),
    (_ridge_variant(np.sqrt), WRONG, "not their square roots"),
    (_no_intercept, WRONG, "the surrogate has an intercept"),
    (
        _intercept_slip(lambda Z, y, w, c: np.average(y, weights=w)),
        WRONG,
        "subtract the weighted mean features times coef",
    ),
    (
        _intercept_slip(lambda Z, y, w, c: y.mean() - Z.mean(axis=0) @ c),
        WRONG,
        "use the weighted means in the intercept too",
    ),
    (
        _intercept_slip(lambda Z, y, w, c: np.average(y, weights=w) + np.average(Z, axis=0, weights=w) @ c),
        WRONG,
        "mind the sign",
    ),
    (lambda *args: reference_ridge(*args)[::-1], WRONG, "returned its results in the wrong order"),
    (lambda *args: np.r_[reference_ridge(*args)[1], reference_ridge(*args)[0]], WRONG, "got one array of 4 numbers"),
    (lambda *args: reference_ridge(*args)[0], WRONG, "return coef, intercept"),
    (lambda *args: (reference_ridge(*args)[0][:, None], reference_ridge(*args)[1]), WRONG, "coef.ravel()"),
    (lambda *args: (*reference_ridge(*args), 0.0), WRONG, "got a tuple of 3 things"),
    (lambda Z, y, w, a: reference_ridge(Z, y, w, 2.0), WRONG, "alpha 0.5"),  # alpha hard-coded
    (lambda Z, y, w, a: np.linalg.solve(Z, y), CRASHED, "LinAlgError"),
]


@pytest.mark.parametrize("answer, status, fragment", RIDGE_ANSWERS)
def test_weighted_ridge_answers(answer, status, fragment):
    assert_verdict(check.weighted_ridge(answer), status, fragment)


# --------------------------------------------------------------------------- Exercise 3: top-k Jaccard


def reference_jaccard(a, b, k):
    top_a = set(np.argsort(-np.abs(a))[:k])
    top_b = set(np.argsort(-np.abs(b))[:k])
    return len(top_a & top_b) / len(top_a | top_b)


def top(v, k):
    return set(np.argsort(-np.abs(v))[:k].tolist())


JACCARD_ANSWERS = [
    (reference_jaccard, CORRECT, "1 means both explanations"),
    (lambda a, b, k: lime.top_k_jaccard(a, b, k=k), CORRECT, ""),
    (
        lambda a, b, k: (
            len(set(np.argsort(np.abs(a))[-k:]) & set(np.argsort(np.abs(b))[-k:]))
            / len(set(np.argsort(np.abs(a))[-k:]) | set(np.argsort(np.abs(b))[-k:]))
        ),
        CORRECT,
        "",
    ),
    (lambda a, b, k: (i := len(top(a, k) & top(b, k))) / (2 * k - i), CORRECT, ""),
    (
        lambda a, b, k: (
            len(set(np.argsort(-a)[:k]) & set(np.argsort(-b)[:k]))
            / len(set(np.argsort(-a)[:k]) | set(np.argsort(-b)[:k]))
        ),
        WRONG,
        "rank by ABSOLUTE value",
    ),
    (lambda a, b, k: len(top(a, k) & top(b, k)) / k, WRONG, "not by k"),
    (lambda a, b, k: len(top(a, k) & top(b, k)), WRONG, "return a fraction"),
    (
        lambda a, b, k: len(top(a, k) & top(b, k)) / (len(top(a, k)) + len(top(b, k))),
        WRONG,
        "counts a shared feature once",
    ),
    (lambda a, b, k: len(top(a, k) & top(b, k)) // len(top(a, k) | top(b, k)), WRONG, "integer division"),
    (lambda a, b, k: reference_jaccard(1 / (np.abs(a) + 1e-3), 1 / (np.abs(b) + 1e-3), k), WRONG, "take the k LARGEST"),
    (lambda a, b, k: reference_jaccard(a, b, k + 1), WRONG, "take exactly k features"),
    (
        lambda a, b, k: (
            (A := set(np.sort(np.abs(a))[-k:]))
            and len(A & set(np.sort(np.abs(b))[-k:])) / len(A | set(np.sort(np.abs(b))[-k:]))
        ),
        WRONG,
        "not their values",
    ),
    (lambda a, b, k: 0.5, WRONG, "return len(A & B) / len(A | B)"),  # no known slip: the general hint
    (lambda a, b, k: top(a, k) & top(b, k), WRONG, "got a set"),
    (lambda a, b, k: f"{reference_jaccard(a, b, k):.2f}", WRONG, "got a string"),
]


@pytest.mark.parametrize("answer, status, fragment", JACCARD_ANSWERS)
def test_top_k_jaccard_answers(answer, status, fragment):
    assert_verdict(check.top_k_jaccard(answer), status, fragment)


def test_the_random_pair_is_informative():
    a, b, k = check._pairs()[-1]
    assert 0 < lime.top_k_jaccard(a, b, k=k) < 1
    assert len(np.unique(np.abs(a))) == len(a) and len(np.unique(np.abs(b))) == len(
        b
    )  # no ties: every right answer agrees


# --- answers that do not depend on the exercise -------------------------------------------------

REFERENCES = {"kernel_weights": gauss, "weighted_ridge": reference_ridge, "top_k_jaccard": reference_jaccard}
RIDGE_MESSAGE = {
    "text": "string",
    "list": "list of 3 things",
    "hostile object": "Hostile",
    "dict": "dict",
    "generator": "generator",
    "complex array": "2 results",
    "huge array": "2 results",
    "array of text": "2 results",
}
NOT_A_PAIR = {
    label: RIDGE_MESSAGE.get(label, "") for label, _, status, _ in GENERIC if status == WRONG and label != "no return"
}
EXERCISES = {
    name: Exercise(getattr(check, name), reference, [], {}, generic=NOT_A_PAIR if name == "weighted_ridge" else {})
    for name, reference in REFERENCES.items()
}


@pytest.mark.parametrize(*params(EXERCISES))
def test_generic_answers_and_vandals(kind, exercise, answer, expected):
    judge(kind, exercise, answer, expected)
