"""Checks for notebook 02_linear_svm: a perceptron step, the hinge loss, its subgradient, the decision function.

Each check runs the learner's function on a hand-made problem and a random one (‖w‖ ≠ 1, n ≠ d,
both classes, points on every side of the margin), compares with the reference in
:mod:`course_utils.svm`, and recognizes the common slips (a forgotten ``1 −``, square, label,
regularizer, bias or ``C``; a flipped sign; 0/1-label thinking; results in the wrong order; a
transposed ``coef_``) to give a hint aimed at the slip.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from course_utils import svm
from course_utils.checks import CheckResult, Wrong, call, exercise
from course_utils.checks._answers import as_array, as_number, case, expect_close, unpack

__all__ = ["perceptron_step", "hinge_loss", "hinge_subgradient", "decision_function"]

HINT_LABELS_TIMES_X = ("y has shape (n,) and X has shape (n, d), so y * X does not line up: multiply the "
                       "scores by the labels, y * (X @ w + b), or scale each row with y[:, None] * X.")


def _problems() -> list[tuple[str, np.ndarray, float, np.ndarray, np.ndarray]]:
    """(description, w, b, X, y): points on every side of the margin, none on its edge, ‖w‖ ≠ 1.

    The hand-made one has margins y·f of [-1.6, -0.3, 0.2, 0.55, 0.8, 1.3, 1.9, 2.7]: two points
    misclassified, three inside the margin, three outside it; its bias is large enough that
    forgetting it moves points across the margin. The random one has points in each region too,
    and both classes.
    """
    w = np.array([1.2, -0.9])  # ‖w‖ = 1.5
    b = 0.7
    margins = np.array([-1.6, -0.3, 0.2, 0.55, 0.8, 1.3, 1.9, 2.7])
    y = np.array([1, 1, 1, -1, 1, 1, -1, -1])
    t = np.array([0.3, -1.2, 0.9, 0.1, -0.4, 1.5, -0.8, 0.6])  # position along the line
    direction = np.array([0.6, 0.8])  # orthogonal to w
    f = margins * y  # the scores x·w + b the points must have
    X = ((f - b) / (w @ w))[:, None] * w + t[:, None] * direction  # (8, 2)

    rng = np.random.default_rng(36)  # a seed whose slips all differ from the answer (tests check it)
    X2 = rng.normal(size=(9, 3)) * [1.0, 2.0, 0.5]  # (9, 3)
    y2 = rng.choice([-1, 1], size=9)
    w2 = np.array([0.9, -0.4, 1.3])  # ‖w‖ ≈ 1.63
    return [("a hand-made problem: 8 points in 2-D, ‖w‖ = 1.5", w, b, X, y),
            ("a random problem: 9 points in 3-D", w2, -0.3, X2, y2)]


def _cases() -> list[tuple[str, np.ndarray, float, np.ndarray, np.ndarray, float]]:
    """Each problem with a C ≠ 1, the hand-made one twice (C below and above 1)."""
    (hand, *h), (drawn, *d) = _problems()
    return [(f"{hand}, C = 0.5", *h, 0.5), (f"{hand}, C = 2", *h, 2.0), (f"{drawn}, C = 1.5", *d, 1.5)]


def _hinge_terms(w, b, X, y, *, with_bias=True) -> np.ndarray:
    f = X @ w + (b if with_bias else 0.0)
    return np.maximum(0.0, 1.0 - y * f)


def _hinge_slips(w, b, X, y, C) -> tuple[tuple[float, str], ...]:
    """(what the slip returns, its hint) for the usual mistakes in the objective."""
    f = X @ w + b
    reg = 0.5 * w @ w
    hinge = _hinge_terms(w, b, X, y)
    return (
        (
            reg + C * np.maximum(0.0, y * f).sum(),
            "the hinge term is max(0, 1 − y·f): it charges points with y·f < 1, i.e. inside the margin too — you "
            "wrote max(0, y·f).",
        ),
        (
            reg + C * np.maximum(0.0, -y * f).sum(),
            "the hinge term is max(0, 1 − y·f), with the 1: a correct point inside the margin (0 < y·f < "
            "1) still pays.",
        ),
        (
            reg + C * np.maximum(0.0, 1.0 - f).sum(),
            "multiply the score by the label: max(0, 1 − y·f). Without y, every point is treated as class +1.",
        ),
        (
            reg + C * np.maximum(0.0, 1.0 - (y * (X @ w) + b)).sum(),
            "the label multiplies the whole score, bias included: y * (X @ w + b).",
        ),
        (C * hinge.sum(), "add the regularizer ½‖w‖² = 0.5 * w @ w: it is what makes the margin wide."),
        (w @ w + C * hinge.sum(), "the regularizer is ½‖w‖² — with the ½ (0.5 * w @ w)."),
        (
            0.5 * np.linalg.norm(w) + C * hinge.sum(),
            "square the norm: the regularizer is ½‖w‖² = 0.5 * w @ w, not 0.5 * np.linalg.norm(w).",
        ),
        (reg + C * _hinge_terms(w, b, X, y, with_bias=False).sum(), "the score includes the bias: f = X @ w + b."),
        (
            reg + C * hinge.mean(),
            "sum the hinge terms (np.sum), do not average them: scikit-learn's C multiplies the sum.",
        ),
        (reg + hinge.sum(), "multiply the hinge term by C."),
        (C * reg + hinge.sum(), "C multiplies the hinge term, not the regularizer: ½‖w‖² + C·Σ hinge."),
        (
            reg + C * (1.0 - y * f).sum(),
            "clip at zero: max(0, 1 − y·f) (np.maximum(0, ...)), so points outside the margin cost nothing.",
        ),
        (
            reg + C * np.max(1.0 - y * f),
            "np.max returns the largest entry; np.maximum(0, v) clips each entry of v at 0.",
        ),
        (
            reg + C * (y * np.maximum(0.0, 1.0 - f) + (1 - y) * np.maximum(0.0, 1.0 + f)).sum(),
            "this is the 0/1-label way of writing it. Here y is -1 or +1, and both cases are one formula: "
            "max(0, 1 − y·f).",
        ),
        (reg + 0.5 * b * b + C * hinge.sum(), "do not regularize the bias: the regularizer is ½‖w‖² only."),
    )


_SIGNATURE = (
    TypeError,
    "unexpected keyword argument 'C'",
    "keep C in the signature, def ...(w, b, X, y, C=1.0): the check passes C by name.",
)
_HINGE_CRASH_HINTS = (
    _SIGNATURE,
    (ValueError, "could not be broadcast", HINT_LABELS_TIMES_X),
    (
        ValueError,
        "truth value of an array",
        "Python's max compares two numbers; for arrays use np.maximum(0, ...), entry by entry.",
    ),
    (
        TypeError,
        "only integer scalar arrays",
        "np.max(0, v) reads 0 as the array and v as an axis; use np.maximum(0, v), entry by entry.",
    ),
)


def _steps() -> list[tuple[str, np.ndarray, float, np.ndarray, float]]:
    """(description, w, b, x, y): a mistake of each label, a correct point, the first step from w = 0 (y·f = 0
    exactly) and a point that only the bias puts on the wrong side."""
    return [
        ("a misclassified point with y = +1", np.array([0.5, -1.0]), 0.2, np.array([1.0, 2.0]), 1.0),
        ("a correctly classified point", np.array([0.5, -1.0]), 0.2, np.array([-1.0, 1.0]), -1.0),
        ("the first step, from w = 0 and b = 0", np.zeros(3), 0.0, np.array([2.0, -1.0, 0.5]), -1.0),
        ("a point that the bias puts on the wrong side", np.array([1.0, 0.0]), -2.0, np.array([1.0, 0.5]), 1.0),
        ("a misclassified point with y = −1", np.array([1.0, 1.0]), 0.0, np.array([0.5, 1.0]), -1.0),
    ]


def _step_slips(w, b, x, y) -> tuple[tuple, tuple]:
    """(mistakes for the new w, mistakes for the new b) on this point: what each slip returns and its hint."""
    margin = y * (x @ w + b)
    if margin > 0:  # no mistake: every slip that moves the line is the same one
        moved = "this point is on the right side (y·(x·w + b) > 0): a perceptron only moves the line on a mistake."
        return (
            ((w + y * x, moved), (w - y * x, moved), (w + x, moved)),
            ((b + y, moved), (b - y, moved), (b + 1, moved)),
        )
    if margin == 0:
        stay = (
            "a point exactly on the line, y·(x·w + b) = 0, is a mistake too: test <= 0, or a perceptron that "
            "starts at w = 0 never moves."
        )
    elif y * (x @ w) > 0:
        stay = "the score includes the bias: test y * (x @ w + b) <= 0, not y * (x @ w)."
    else:
        stay = "this point is a mistake (y·(x·w + b) <= 0): move the line, w + y·x and b + y."
    towards = (
        "move the line towards the point, multiplying by its label: w + y·x and b + y (for y = −1 that "
        "subtracts x and 1)."
    )
    mistakes_w = (
        (w, stay),
        (w - y * x, towards),
        (w + x, towards),
        (w + y * x / np.linalg.norm(x), "the perceptron adds y·x itself, not a unit vector."),
    )
    mistakes_b = ((b, "the bias moves too: b + y."), (b - y, towards), (b + 1, towards))
    return mistakes_w, mistakes_b


@exercise("Exercise 1: one perceptron step")
def perceptron_step(fn: Any) -> CheckResult:
    """Check ``fn(w, b, x, y)`` returns the perceptron's ``(w, b)`` after it visits the point ``x``."""
    for description, w, b, x, y in _steps():
        expected_w, expected_b = svm.perceptron_step(w, b, x, y)
        with case(description):
            got = call(fn, w, b, x, y, name="perceptron_step", returns="w, b")
            new_w, new_b = unpack(got, ("w", "b"), (expected_w, expected_b), function="perceptron_step")
            mistakes_w, mistakes_b = _step_slips(w, b, x, y)
            rule = "on a mistake, y·(x·w + b) <= 0, return (w + y·x, b + y); otherwise (w, b) unchanged."
            expect_close(new_w, expected_w, name="the new w", mistakes=mistakes_w, hint=rule)
            expect_close(new_b, expected_b, name="the new b", mistakes=mistakes_b, hint=rule)
    return "correct — a mistake pulls the line towards the point, a correct point leaves it alone."


@exercise("Exercise 2: the hinge loss (soft-margin SVM objective)")
def hinge_loss(fn: Any) -> CheckResult:
    """Check ``fn(w, b, X, y, C=C)`` returns ``½‖w‖² + C Σ max(0, 1 − y (X w + b))``."""
    for description, w, b, X, y, C in _cases():
        with case(description):
            got = call(fn, w, b, X, y, C=C, name="hinge_loss", crash_hints=_HINGE_CRASH_HINTS)
            if isinstance(got, np.ndarray) and got.shape == (len(X),):
                raise Wrong(
                    "hinge_loss returned one value per point; it should return one number.",
                    hint="sum the hinge terms over the points (np.sum), then add ½‖w‖².",
                )
            if isinstance(got, np.ndarray) and got.shape == w.shape:
                raise Wrong(
                    f"hinge_loss returned {len(w)} numbers, one per weight; it should return one number.",
                    hint="w * w squares entry by entry; ½‖w‖² is the number 0.5 * w @ w (or 0.5 * np.sum(w**2)).",
                )
            got = as_number(got, "hinge_loss", hint="return one number: ½‖w‖² plus C times the sum of the hinge terms.")
            expect_close(
                got,
                svm.hinge_loss(w, b, X, y, C=C),
                name=f"hinge_loss(w, b, X, y, C={C:g})",
                mistakes=_hinge_slips(w, b, X, y, C),
                hint="½‖w‖² + C · Σᵢ max(0, 1 − yᵢ (xᵢ·w + b)): check each piece against the formula.",
            )
    return "correct — the objective charges every point inside the margin or on the wrong side."


def _pull(X, y, mask) -> np.ndarray:
    """Σ yᵢ xᵢ over the points in mask."""
    return (y[mask, None] * X[mask]).sum(axis=0)


def _subgradient_slips(w, b, X, y, C) -> tuple[tuple, tuple]:
    """(mistakes for grad_w, mistakes for grad_b): what each slip returns and its hint."""
    m = y * (X @ w + b)
    active = m < 1
    pull_w, pull_b = _pull(X, y, active), y[active].sum()
    misclassified, without_bias, every = m < 0, y * (X @ w) < 1, np.ones(len(X), bool)
    hint_every = "only the points with y·f < 1 pull: select them with a mask, active = y * (X @ w + b) < 1."
    hint_outside = "the points that pay are those with y·f < 1 (inside the margin or misclassified), not y·f > 1."
    hint_misclassified = (
        "a point pays when y·f < 1, not only when it is misclassified (y·f < 0): points inside the margin pull too."
    )
    hint_bias = "the score includes the bias, f = X @ w + b, also when you decide which points pay."
    mistakes_w = (
        (
            w + C * pull_w,
            "mind the sign: d/dw max(0, 1 − y·f) = −y·x for the points that pay, so grad_w = w − C·Σ yᵢxᵢ.",
        ),
        (-w - C * pull_w, "the regularizer ½‖w‖² has gradient +w."),
        (-C * pull_w, "add the gradient of the regularizer ½‖w‖², which is w."),
        (2 * w - C * pull_w, "the ½ in ½‖w‖² cancels the 2: the regularizer's gradient is w, not 2w."),
        (
            w / np.linalg.norm(w) - C * pull_w,
            "w / ‖w‖ is the gradient of ‖w‖; the regularizer ½‖w‖² has gradient w itself.",
        ),
        (w - pull_w, "multiply the hinge part by C."),
        (w - C * pull_w / len(X), "sum over the points, do not average: scikit-learn's C multiplies the sum."),
        (w - C * X[active].sum(axis=0), "each paying point pulls with −C·yᵢ·xᵢ: multiply by its label."),
        (w - C * _pull(X, y, misclassified), hint_misclassified),
        (w - C * _pull(X, y, without_bias), hint_bias),
        (w - C * _pull(X, y, every), hint_every),
        (w - C * _pull(X, y, ~active), hint_outside),
    )
    mistakes_b = (
        (0.0, "the bias has a gradient too: each paying point contributes −C·yᵢ, so grad_b = −C·Σ yᵢ."),
        (C * pull_b, "mind the sign: grad_b = −C·Σ yᵢ over the points that pay."),
        (b - C * pull_b, "the bias is not regularized, so its gradient has no +b term: grad_b = −C·Σ yᵢ."),
        (-pull_b, "multiply by C: grad_b = −C·Σ yᵢ."),
        (-C * pull_b / len(X), "sum over the points, do not average."),
        (-C * y[misclassified].sum(), hint_misclassified),
        (-C * y[without_bias].sum(), hint_bias),
        (-C * y.sum(), hint_every),
        (-C * y[~active].sum(), hint_outside),
    )
    return mistakes_w, mistakes_b


@exercise("Exercise 3: a subgradient of the hinge loss")
def hinge_subgradient(fn: Any) -> CheckResult:
    """Check ``fn(w, b, X, y, C=C)`` returns ``(grad_w, grad_b)`` of the soft-margin objective."""
    for description, w, b, X, y, C in _cases():
        expected_w, expected_b = svm.hinge_subgradient(w, b, X, y, C=C)
        with case(description):
            got = call(
                fn,
                w,
                b,
                X,
                y,
                C=C,
                name="hinge_subgradient",
                returns="grad_w, grad_b",
                crash_hints=(_SIGNATURE, (ValueError, "could not be broadcast", HINT_LABELS_TIMES_X)),
            )
            grad_w, grad_b = unpack(got, ("grad_w", "grad_b"), (expected_w, expected_b), function="hinge_subgradient")
            if grad_b.shape == (len(X),):
                raise Wrong(
                    "grad_b has one value per point; it should be one number.",
                    hint="sum over the points that pay: grad_b = −C · Σ yᵢ.",
                )
            mistakes_w, mistakes_b = _subgradient_slips(w, b, X, y, C)
            expect_close(
                grad_w,
                expected_w,
                name="grad_w",
                mistakes=mistakes_w,
                hint="grad_w = w − C · Σ yᵢ xᵢ over the points with yᵢ(xᵢ·w + b) < 1.",
            )
            expect_close(
                grad_b,
                expected_b,
                name="grad_b",
                mistakes=mistakes_b,
                hint="grad_b = −C · Σ yᵢ over the points with yᵢ(xᵢ·w + b) < 1.",
            )
    return "correct — only the points inside the margin or on the wrong side pull on the line."


@functools.lru_cache(maxsize=1)
def _fitted_models() -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], ...]:
    """(coef, intercept, X, scores) of a 3-class one-vs-rest LinearSVC (K = 3 < d = 4), a binary SVC
    and random weights for K = 4 > d = 3 classes. Read-only: learner code gets copies (see ``call``)."""
    from sklearn.datasets import make_blobs
    from sklearn.svm import SVC, LinearSVC

    X, y = make_blobs(n_samples=60, n_features=4, centers=3, random_state=0)  # (60, 4)
    multi = LinearSVC(C=0.1, loss="hinge", max_iter=20000, random_state=0).fit(X, y)
    binary = SVC(kernel="linear", C=1.0).fit(X[y < 2], y[y < 2])
    rng = np.random.default_rng(5)
    coef, intercept, X3 = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(7, 3))  # (K, d), (K,), (n, d)
    return (
        (multi.coef_, multi.intercept_, X[:12], multi.decision_function(X[:12])),
        (binary.coef_, binary.intercept_, X[:12], binary.decision_function(X[:12])),
        (coef, intercept, X3, X3 @ coef.T + intercept),
    )


def _check_scores_shape(got: np.ndarray, expected: np.ndarray, K: int) -> None:
    """Wrong answers recognizable from the shape of the scores."""
    n = len(expected)
    if K > 1 and got.shape == expected.T.shape:
        raise Wrong(
            f"your scores have shape {got.shape}: one row per class instead of one per example.",
            hint="compute X @ coef.T (shape (n, K)) rather than coef @ X.T (shape (K, n)).",
        )
    if K == 1 and got.shape == (n, 1) and np.allclose(got[:, 0], expected):
        raise Wrong(
            f"the numbers are right, but the shape is {got.shape}; scikit-learn returns ({n},) for two classes.",
            hint=(
                "for a binary classifier coef has one row: return scores.ravel() (or scores[:, 0]) when "
                "coef.shape[0] == 1."
            ),
        )
    if K > 1 and got.shape == (n,):
        raise Wrong(
            f"decision_function returned shape {got.shape}: one number per example, but there are {K} classes.",
            hint=(
                "return all K scores, X @ coef.T + intercept, shape (n, K) — not the predicted class (that is "
                "the argmax)."
            ),
        )


@exercise("Exercise 4: the decision function from coef_ and intercept_")
def decision_function(fn: Any) -> CheckResult:
    """Check ``fn(coef, intercept, X)`` equals scikit-learn's ``clf.decision_function(X)``."""
    for coef, intercept, X, expected in _fitted_models():
        K = len(coef)
        transpose_hint = (
            f"coef has one row per class, shape {coef.shape}, and X has shape {X.shape}: "
            f"the scores are X @ coef.T, shape (n, d)·(d, K) → (n, K)."
        )
        crash_hints = (
            (ValueError, "matmul", transpose_hint),
            (ValueError, "align", transpose_hint),
            (
                ValueError,
                "could not be broadcast",
                "X @ coef.T has shape (n, K) and intercept (K,): add intercept as it is, one number per "
                "class (column).",
            ),
        )
        classes = f"{K} classes" if K > 1 else "2 classes (binary: coef has one row)"
        with case(f"{classes}, coef of shape {coef.shape}, X of shape {X.shape}"):
            got = as_array(
                call(fn, coef, intercept, X, name="decision_function", crash_hints=crash_hints), "decision_function"
            )
            _check_scores_shape(got, expected, K)
            mistakes = (
                ((X @ coef.T).reshape(expected.shape), "add the bias: + intercept (clf.intercept_), one per class."),
                (
                    (X @ coef.T - intercept).reshape(expected.shape),
                    "add the intercept, do not subtract it: f(x) = x·w + b.",
                ),
                (np.sign(expected), "return the scores themselves, not their sign (the predicted side)."),
            )
            expect_close(
                got,
                expected,
                name="decision_function",
                mistakes=mistakes,
                hint="the score of class k is X @ coef[k] + intercept[k]; all at once: X @ coef.T + intercept.",
            )
    return "correct — a linear classifier's score is just X @ coef_.T + intercept_: its weights say everything."
