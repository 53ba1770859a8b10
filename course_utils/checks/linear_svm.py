"""Checks for notebook 02_linear_svm: the hinge loss, its subgradient, the decision function.

Each check runs the learner's function on a small fixed problem, compares with the reference in
:mod:`course_utils.svm`, and recognizes the common slips (a forgotten ``1 −``, regularizer, bias
or ``C``; a flipped sign; 0/1-label thinking; a transposed ``coef_``) to give a hint aimed at
the slip.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils import svm
from course_utils.checks import CheckResult, Wrong, call, exercise, expect_close

__all__ = ["hinge_loss", "hinge_subgradient", "decision_function"]


def _problem() -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    """A fixed toy problem whose points sit on every side of the margin, none on its edge.

    The margins y·f are about [-1.6, -0.3, 0.2, 0.55, 0.8, 1.3, 1.9, 2.7]: two points are
    misclassified, three inside the margin, three outside it. The bias is large enough that
    forgetting it moves points across the margin.
    """
    w = np.array([0.8, -0.6])
    b = 0.7
    margins = np.array([-1.6, -0.3, 0.2, 0.55, 0.8, 1.3, 1.9, 2.7])
    y = np.array([1, 1, 1, -1, 1, 1, -1, -1])
    t = np.array([0.3, -1.2, 0.9, 0.1, -0.4, 1.5, -0.8, 0.6])  # position along the line
    direction = np.array([0.6, 0.8])  # orthogonal to w
    f = margins * y  # the scores x·w + b the points must have
    X = ((f - b) / (w @ w))[:, None] * w + t[:, None] * direction  # (8, 2)
    return w, b, X, y


def _hinge_terms(w, b, X, y, *, with_bias=True) -> np.ndarray:
    f = X @ w + (b if with_bias else 0.0)
    return np.maximum(0.0, 1.0 - y * f)


@exercise("Exercise 1: the hinge loss (soft-margin SVM objective)")
def hinge_loss(fn: Any) -> CheckResult:
    """Check ``fn(w, b, X, y, C=C)`` returns ``½‖w‖² + C Σ max(0, 1 − y (X w + b))``."""
    w, b, X, y = _problem()
    for C in (0.5, 2.0):
        got = call(fn, w.copy(), b, X.copy(), y.copy(), C=C, name="hinge_loss")
        if np.ndim(got) == 1 and np.size(got) == len(X):
            raise Wrong("hinge_loss returned one value per point; it should return one number.",
                        hint="sum the hinge terms over the points (np.sum), then add ½‖w‖².")
        f = X @ w + b
        reg = 0.5 * w @ w
        hinge = _hinge_terms(w, b, X, y)
        mistakes = (
            (reg + C * np.maximum(0.0, y * f).sum(), "the hinge term is max(0, 1 − y·f): it charges points with y·f < 1, i.e. inside the margin too — you wrote max(0, y·f)."),
            (reg + C * np.maximum(0.0, -y * f).sum(), "the hinge term is max(0, 1 − y·f), with the 1: a correct point inside the margin (0 < y·f < 1) still pays."),
            (reg + C * np.maximum(0.0, 1.0 - f).sum(), "multiply the score by the label: max(0, 1 − y·f). Without y, every point is treated as class +1."),
            (C * hinge.sum(), "add the regularizer ½‖w‖² = 0.5 * w @ w: it is what makes the margin wide."),
            (w @ w + C * hinge.sum(), "the regularizer is ½‖w‖² — with the ½ (0.5 * w @ w)."),
            (reg + C * _hinge_terms(w, b, X, y, with_bias=False).sum(), "the score includes the bias: f = X @ w + b."),
            (reg + C * hinge.mean(), "sum the hinge terms (np.sum), do not average them: scikit-learn's C multiplies the sum."),
            (reg + hinge.sum(), "multiply the hinge term by C."),
            (C * reg + hinge.sum(), "C multiplies the hinge term, not the regularizer: ½‖w‖² + C·Σ hinge."),
            (reg + C * (1.0 - y * f).sum(), "clip at zero: max(0, 1 − y·f) (np.maximum(0, ...)), so points outside the margin cost nothing."),
            (reg + C * (y * np.maximum(0.0, 1.0 - f) + (1 - y) * np.maximum(0.0, 1.0 + f)).sum(),
             "this is the 0/1-label way of writing it. Here y is -1 or +1, and both cases are one formula: max(0, 1 − y·f)."),
            (reg + 0.5 * b * b + C * hinge.sum(), "do not regularize the bias: the regularizer is ½‖w‖² only."),
        )
        expect_close(got, svm.hinge_loss(w, b, X, y, C=C), name=f"hinge_loss(w, b, X, y, C={C})", mistakes=mistakes,
                     hint="½‖w‖² + C · Σᵢ max(0, 1 − yᵢ (xᵢ·w + b)): check each piece against the formula.")
    return "correct — the objective charges every point inside the margin or on the wrong side."


@exercise("Exercise 2: a subgradient of the hinge loss")
def hinge_subgradient(fn: Any) -> CheckResult:
    """Check ``fn(w, b, X, y, C=C)`` returns ``(grad_w, grad_b)`` of the soft-margin objective."""
    w, b, X, y = _problem()
    C = 0.5
    got = call(fn, w.copy(), b, X.copy(), y.copy(), C=C, name="hinge_subgradient")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise Wrong("hinge_subgradient should return two things, grad_w and grad_b.",
                    f"received: {type(got).__name__}",
                    hint="end with `return grad_w, grad_b` — the gradient for the weights and the one for the bias.")
    grad_w, grad_b = got
    expected_w, expected_b = svm.hinge_subgradient(w, b, X, y, C=C)

    m = y * (X @ w + b)
    active = m < 1
    pull_w = (y[active, None] * X[active]).sum(axis=0)
    pull_b = y[active].sum()
    wrong_set = m < 0
    nobias_set = y * (X @ w) < 1
    mistakes_w = (
        (w + C * pull_w, "mind the sign: d/dw max(0, 1 − y·f) = −y·x for the points that pay, so grad_w = w − C·Σ yᵢxᵢ."),
        (-w - C * pull_w, "the regularizer ½‖w‖² has gradient +w."),
        (-C * pull_w, "add the gradient of the regularizer ½‖w‖², which is w."),
        (w - pull_w, "multiply the hinge part by C."),
        (w - C * pull_w / len(X), "sum over the points, do not average: scikit-learn's C multiplies the sum."),
        (w - C * X[active].sum(axis=0), "each paying point pulls with −C·yᵢ·xᵢ: multiply by its label."),
        (w - C * (y[wrong_set, None] * X[wrong_set]).sum(axis=0),
         "a point pays when y·f < 1, not only when it is misclassified (y·f < 0): points inside the margin pull too."),
        (w - C * (y[nobias_set, None] * X[nobias_set]).sum(axis=0), "the score includes the bias, f = X @ w + b, also when you decide which points pay."),
    )
    expect_close(grad_w, expected_w, name="grad_w", mistakes=mistakes_w,
                 hint="grad_w = w − C · Σ yᵢ xᵢ over the points with yᵢ(xᵢ·w + b) < 1.")
    mistakes_b = (
        (0.0, "the bias has a gradient too: each paying point contributes −C·yᵢ, so grad_b = −C·Σ yᵢ."),
        (C * pull_b, "mind the sign: grad_b = −C·Σ yᵢ over the points that pay."),
        (b - C * pull_b, "the bias is not regularized, so its gradient has no +b term: grad_b = −C·Σ yᵢ."),
        (-pull_b, "multiply by C: grad_b = −C·Σ yᵢ."),
        (-C * pull_b / len(X), "sum over the points, do not average."),
        (-C * y[wrong_set].sum(), "a point pays when y·f < 1, not only when it is misclassified."),
    )
    expect_close(grad_b, expected_b, name="grad_b", mistakes=mistakes_b,
                 hint="grad_b = −C · Σ yᵢ over the points with yᵢ(xᵢ·w + b) < 1.")
    return "correct — only the points inside the margin or on the wrong side pull on the line."


def _fitted_models() -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], ...]:
    """A 3-class one-vs-rest LinearSVC and a binary SVC on small blobs: (coef, intercept, X, scores)."""
    from sklearn.datasets import make_blobs
    from sklearn.svm import SVC, LinearSVC

    X, y = make_blobs(n_samples=60, n_features=4, centers=3, random_state=0)  # (60, 4)
    multi = LinearSVC(C=0.1, loss="hinge", max_iter=20000, random_state=0).fit(X, y)
    binary = SVC(kernel="linear", C=1.0).fit(X[y < 2], y[y < 2])
    return (
        (multi.coef_, multi.intercept_, X[:12], multi.decision_function(X[:12])),
        (binary.coef_, binary.intercept_, X[:12], binary.decision_function(X[:12])),
    )


@exercise("Exercise 3: the decision function from coef_ and intercept_")
def decision_function(fn: Any) -> CheckResult:
    """Check ``fn(coef, intercept, X)`` equals scikit-learn's ``clf.decision_function(X)``."""
    for coef, intercept, X, expected in _fitted_models():
        K = len(coef)
        transpose_hint = (f"coef has one row per class, shape {coef.shape}, and X has shape {X.shape}: "
                          "the scores are X @ coef.T, shape (n, d)·(d, K) → (n, K).")
        got = call(fn, coef.copy(), intercept.copy(), X.copy(), name="decision_function",
                   crash_hints=((ValueError, "matmul", transpose_hint), (ValueError, "align", transpose_hint)))
        got_arr = np.asarray(got, dtype=float)
        if K > 1 and got_arr.shape == expected.T.shape and np.allclose(got_arr.T, expected):
            raise Wrong(f"your scores have shape {got_arr.shape}: one row per class instead of one per example.",
                        hint="compute X @ coef.T (shape (n, K)) rather than coef @ X.T (shape (K, n)).")
        if K == 1 and got_arr.shape == (len(X), 1) and np.allclose(got_arr[:, 0], expected):
            raise Wrong(f"the numbers are right, but the shape is {got_arr.shape}; scikit-learn returns ({len(X)},) for two classes.",
                        hint="for a binary classifier coef has one row: return scores.ravel() (or scores[:, 0]) when coef.shape[0] == 1.")
        if K > 1 and got_arr.shape == (len(X),):
            raise Wrong(f"returned shape {got_arr.shape}: one number per example, but there are {K} classes.",
                        hint="return all K scores, X @ coef.T + intercept, shape (n, K) — not the predicted class (that is the argmax).")
        no_bias = X @ coef.T
        mistakes = (
            (no_bias if K > 1 else no_bias[:, 0], "add the bias: + intercept (clf.intercept_), one per class."),
            ((no_bias - intercept) if K > 1 else (no_bias - intercept)[:, 0], "add the intercept, do not subtract it: f(x) = x·w + b."),
        )
        expect_close(got, expected, name=f"decision_function (K = {K} {'classes' if K > 1 else 'row: binary'})", mistakes=mistakes,
                     hint="the score of class k is X @ coef[k] + intercept[k]; all at once: X @ coef.T + intercept.")
    return "correct — a linear classifier's score is just X @ coef_.T + intercept_: its weights say everything."
