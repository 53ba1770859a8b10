"""Every outcome of the checks of notebook 02_linear_svm, with the targeted hints."""

import numpy as np
import pytest

from course_utils import svm
from course_utils.checks import CORRECT, CRASHED, NOT_ATTEMPTED, WRONG
from course_utils.checks import linear_svm as check


def not_attempted(*args, **kwargs):
    raise NotImplementedError()


def crashes(w, b, X, y, C=1.0):
    return np.maximum(0, 1 - y * (X @ w + b)).summ()


def _hint_of(result):
    return " ".join(result.details)


# --------------------------------------------------------------------------- Exercise 1: hinge loss
def test_hinge_loss_correct_not_attempted_crashed():
    assert check.hinge_loss(lambda w, b, X, y, C=1.0: svm.hinge_loss(w, b, X, y, C=C)).status == CORRECT
    assert check.hinge_loss(not_attempted).status == NOT_ATTEMPTED
    result = check.hinge_loss(crashes)
    assert result.status == CRASHED and "summ" in _hint_of(result)
    result = check.hinge_loss(lambda w, b, X, y, C=1.0: None)
    assert result.status == WRONG and "forget `return`" in result.message


def _f(w, b, X):
    return X @ w + b


HINGE_MISTAKES = {
    "you wrote max(0, y·f)": lambda w, b, X, y, C=1.0: 0.5 * w @ w + C * np.maximum(0, y * _f(w, b, X)).sum(),
    "with the 1: a correct point inside the margin": lambda w, b, X, y, C=1.0: 0.5 * w @ w + C * np.maximum(0, -y * _f(w, b, X)).sum(),
    "multiply the score by the label": lambda w, b, X, y, C=1.0: 0.5 * w @ w + C * np.maximum(0, 1 - _f(w, b, X)).sum(),
    "add the regularizer ½‖w‖²": lambda w, b, X, y, C=1.0: C * np.maximum(0, 1 - y * _f(w, b, X)).sum(),
    "with the ½": lambda w, b, X, y, C=1.0: w @ w + C * np.maximum(0, 1 - y * _f(w, b, X)).sum(),
    "the score includes the bias": lambda w, b, X, y, C=1.0: 0.5 * w @ w + C * np.maximum(0, 1 - y * (X @ w)).sum(),
    "do not average them": lambda w, b, X, y, C=1.0: 0.5 * w @ w + C * np.maximum(0, 1 - y * _f(w, b, X)).mean(),
    "multiply the hinge term by C": lambda w, b, X, y, C=1.0: 0.5 * w @ w + np.maximum(0, 1 - y * _f(w, b, X)).sum(),
    "C multiplies the hinge term, not the regularizer": lambda w, b, X, y, C=1.0: C * 0.5 * w @ w + np.maximum(0, 1 - y * _f(w, b, X)).sum(),
    "clip at zero": lambda w, b, X, y, C=1.0: 0.5 * w @ w + C * (1 - y * _f(w, b, X)).sum(),
    "0/1-label way of writing it": lambda w, b, X, y, C=1.0: 0.5 * w @ w + C * (
        y * np.maximum(0, 1 - _f(w, b, X)) + (1 - y) * np.maximum(0, 1 + _f(w, b, X))).sum(),
    "do not regularize the bias": lambda w, b, X, y, C=1.0: 0.5 * (w @ w + b * b) + C * np.maximum(0, 1 - y * _f(w, b, X)).sum(),
    "sum the hinge terms over the points": lambda w, b, X, y, C=1.0: 0.5 * w @ w + C * np.maximum(0, 1 - y * _f(w, b, X)),
}


@pytest.mark.parametrize("hint, wrong", HINGE_MISTAKES.items(), ids=list(HINGE_MISTAKES))
def test_hinge_loss_targeted_hints(hint, wrong):
    result = check.hinge_loss(wrong)
    assert result.status == WRONG
    assert hint in _hint_of(result)


def test_hinge_loss_mistakes_are_all_different_from_the_answer():
    """Each targeted slip gives a value that differs from the right one (else its hint is unreachable)."""
    w, b, X, y = check._problem()
    right = svm.hinge_loss(w, b, X, y, C=0.5)
    values = [wrong(w, b, X, y, C=0.5) for wrong in HINGE_MISTAKES.values()]
    for value in values:
        assert np.size(value) > 1 or not np.isclose(value, right)
    scalars = [v for v in values if np.size(v) == 1]
    assert len(np.unique(np.round(scalars, 9))) == len(scalars)  # distinct slips, distinct hints


def test_hinge_loss_unrecognized_mistake_gets_the_general_hint():
    result = check.hinge_loss(lambda w, b, X, y, C=1.0: svm.hinge_loss(w, b, X, y, C=C) + 0.123)
    assert result.status == WRONG and "check each piece against the formula" in _hint_of(result)


# --------------------------------------------------------------------------- Exercise 2: subgradient
def _sub(w, b, X, y, C=1.0, *, sign=-1.0, reg=1.0, cond=1.0, bias_in_cond=True, use_y=True, mean=False, grad_b="ok"):
    f = X @ w + (b if bias_in_cond else 0.0)
    active = y * f < cond
    scale = C / len(X) if mean else C
    pull = ((y[active, None] if use_y else 1.0) * X[active]).sum(axis=0)
    gw = reg * w + sign * scale * pull
    gb = {"ok": -scale * y[active].sum(), "zero": 0.0, "sign": scale * y[active].sum(), "plus_b": b - scale * y[active].sum()}[grad_b]
    return gw, gb


def test_hinge_subgradient_correct_not_attempted_crashed():
    assert check.hinge_subgradient(lambda w, b, X, y, C=1.0: svm.hinge_subgradient(w, b, X, y, C=C)).status == CORRECT
    assert check.hinge_subgradient(lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C)).status == CORRECT
    assert check.hinge_subgradient(not_attempted).status == NOT_ATTEMPTED
    assert check.hinge_subgradient(crashes).status == CRASHED


SUBGRADIENT_MISTAKES = {
    "mind the sign: d/dw": lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, sign=+1.0),
    "add the gradient of the regularizer": lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, reg=0.0),
    "multiply the hinge part by C": lambda w, b, X, y, C=1.0: _sub(w, b, X, y, 1.0),
    "do not average": lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, mean=True),
    "multiply by its label": lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, use_y=False),
    "not only when it is misclassified (y·f < 0)": lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, cond=0.0),
    "also when you decide which points pay": lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, bias_in_cond=False),
    "the bias has a gradient too": lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, grad_b="zero"),
    "mind the sign: grad_b": lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, grad_b="sign"),
    "the bias is not regularized": lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, grad_b="plus_b"),
}


@pytest.mark.parametrize("hint, wrong", SUBGRADIENT_MISTAKES.items(), ids=list(SUBGRADIENT_MISTAKES))
def test_hinge_subgradient_targeted_hints(hint, wrong):
    result = check.hinge_subgradient(wrong)
    assert result.status == WRONG
    assert hint in _hint_of(result)


def test_hinge_subgradient_returns_one_thing():
    result = check.hinge_subgradient(lambda w, b, X, y, C=1.0: svm.hinge_subgradient(w, b, X, y, C=C)[0])
    assert result.status == WRONG and "return grad_w, grad_b" in _hint_of(result)
    result = check.hinge_subgradient(lambda w, b, X, y, C=1.0: None)
    assert result.status == WRONG and "forget `return`" in result.message


# --------------------------------------------------------------------------- Exercise 3: decision function
def test_decision_function_correct_not_attempted_crashed():
    assert check.decision_function(svm.decision_function).status == CORRECT
    assert check.decision_function(lambda coef, intercept, X: (X @ coef.T + intercept).squeeze()).status == CORRECT
    assert check.decision_function(not_attempted).status == NOT_ATTEMPTED
    result = check.decision_function(lambda coef, intercept, X: X @ coef.T + intercept_)  # noqa: F821 (a typo)
    assert result.status == CRASHED and "intercept_" in _hint_of(result)


DECISION_MISTAKES = {
    "add the bias: + intercept": lambda coef, intercept, X: (X @ coef.T).squeeze(),
    "add the intercept, do not subtract it": lambda coef, intercept, X: (X @ coef.T - intercept).squeeze(),
    "rather than coef @ X.T": lambda coef, intercept, X: coef @ X.T + intercept[:, None],
    "the scores are X @ coef.T": lambda coef, intercept, X: X @ coef + intercept,
    "not the predicted class": lambda coef, intercept, X: np.argmax(X @ coef.T + intercept, axis=1),
}


@pytest.mark.parametrize("hint, wrong", DECISION_MISTAKES.items(), ids=list(DECISION_MISTAKES))
def test_decision_function_targeted_hints(hint, wrong):
    result = check.decision_function(wrong)
    assert result.status == WRONG
    assert hint in _hint_of(result)


def test_decision_function_binary_shape_hint():
    """Right numbers for the multi-class model, but (n, 1) instead of (n,) for the binary one."""
    result = check.decision_function(lambda coef, intercept, X: X @ coef.T + intercept)
    assert result.status == WRONG
    assert "scikit-learn returns (12,) for two classes" in result.message
    assert "return scores.ravel()" in _hint_of(result)
