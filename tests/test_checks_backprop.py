"""Every outcome of every check of notebook 03: correct, not attempted, wrong (with the targeted
hint for each realistic slip), crashed."""

import numpy as np
import pytest

from course_utils import mlp
from course_utils.checks import backprop as check


def not_attempted(*args):
    raise NotImplementedError()


def crashes(*args):
    return np.exp(args[0]).sume()  # a typo


def hint_text(result) -> str:
    return "\n".join(result.details)


def _softmax(z, axis=1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _one_hot(y, k):
    return np.eye(k)[y]


# ---------------------------------------------------------------- Exercise 1: softmax cross-entropy


def test_softmax_gradient_correct_not_attempted_crashed():
    assert check.softmax_cross_entropy_backward(mlp.softmax_cross_entropy_backward).status == "correct"
    assert check.softmax_cross_entropy_backward(not_attempted).status == "not attempted"
    crashed = check.softmax_cross_entropy_backward(crashes)
    assert crashed.status == "crashed" and "AttributeError" in hint_text(crashed)
    assert "forget `return`" in check.softmax_cross_entropy_backward(lambda z, y: None).message


SOFTMAX_MISTAKES = {
    "sign": (lambda z, y: (_one_hot(y, z.shape[1]) - _softmax(z)) / len(z), check.HINT_SIGN),
    "labels not one-hot": (lambda z, y: (_softmax(z) - y[:, None]) / len(z), check.HINT_NO_ONE_HOT),
    "minus one everywhere": (lambda z, y: (_softmax(z) - 1) / len(z), check.HINT_NO_ONE_HOT),
    "no 1/n": (lambda z, y: _softmax(z) - _one_hot(y, z.shape[1]), check.HINT_NO_MEAN),
    "1/K": (lambda z, y: (_softmax(z) - _one_hot(y, z.shape[1])) / z.shape[1], check.HINT_DIVIDE_BY_K),
    "softmax over the batch": (lambda z, y: (_softmax(z, axis=0) - _one_hot(y, z.shape[1])) / len(z), check.HINT_SOFTMAX_AXIS),
}


@pytest.mark.parametrize("mistake", list(SOFTMAX_MISTAKES))
def test_softmax_gradient_targeted_hints(mistake):
    fn, hint = SOFTMAX_MISTAKES[mistake]
    result = check.softmax_cross_entropy_backward(fn)
    assert result.status == "wrong"
    assert hint in hint_text(result)


def test_softmax_gradient_overflow_hint():
    def naive(z, y):  # right formula, but exp overflows for large logits
        with np.errstate(over="ignore", invalid="ignore"):
            e = np.exp(z)
            return (e / e.sum(axis=1, keepdims=True) - _one_hot(y, z.shape[1])) / len(z)

    result = check.softmax_cross_entropy_backward(naive)
    assert result.status == "wrong" and "large logits" in result.message
    assert check.HINT_OVERFLOW in hint_text(result)


# ---------------------------------------------------------------- Exercise 2: dense backward


def test_dense_backward_correct_not_attempted_crashed():
    assert check.dense_backward(mlp.dense_backward).status == "correct"
    assert check.dense_backward(not_attempted).status == "not attempted"
    assert check.dense_backward(crashes).status == "crashed"
    assert "return dx, dW, db" in check.dense_backward(lambda d, x, W: None).message
    two = check.dense_backward(lambda d, x, W: (d @ W.T, x.T @ d))
    assert two.status == "wrong" and "three arrays (dx, dW, db)" in two.message


DENSE_MISTAKES = {
    "dW transposed": (lambda d, x, W: (d @ W.T, d.T @ x, d.sum(axis=0)), check.HINT_DW_TRANSPOSE),
    "dx without transpose": (lambda d, x, W: (d @ W, x.T @ d, d.sum(axis=0)), check.HINT_DX_TRANSPOSE),
    "db over examples": (lambda d, x, W: (d @ W.T, x.T @ d, d.sum(axis=1)), check.HINT_DB_AXIS),
    "db summed to a scalar": (lambda d, x, W: (d @ W.T, x.T @ d, d.sum()), check.HINT_DB_AXIS),
    "db averaged": (lambda d, x, W: (d @ W.T, x.T @ d, d.mean(axis=0)), check.HINT_DOUBLE_MEAN),
    "dW divided by n again": (lambda d, x, W: (d @ W.T, x.T @ d / len(x), d.sum(axis=0)), check.HINT_DOUBLE_MEAN),
}


@pytest.mark.parametrize("mistake", list(DENSE_MISTAKES))
def test_dense_backward_targeted_hints(mistake):
    fn, hint = DENSE_MISTAKES[mistake]
    result = check.dense_backward(fn)
    assert result.status == "wrong"
    assert hint in hint_text(result)


def test_dense_backward_transposes_caught_by_shape_on_rectangular_weights():
    # Right on square weights only (W.T has W's shape there), caught by the second, rectangular case.
    def transposed_only_when_rectangular(d, x, W):
        dW = x.T @ d if W.shape[0] == W.shape[1] else d.T @ x
        return d @ W.T, dW, d.sum(axis=0)

    result = check.dense_backward(transposed_only_when_rectangular)
    assert result.status == "wrong" and "dW has shape (2, 4), expected (4, 2)" in result.message
    assert check.HINT_DW_TRANSPOSE in hint_text(result)


# ---------------------------------------------------------------- Exercise 3: ReLU backward


def test_relu_backward_correct_not_attempted_crashed():
    assert check.relu_backward(mlp.relu_backward).status == "correct"
    assert check.relu_backward(lambda d, x: np.where(x > 0, d, 0.0)).status == "correct"
    assert check.relu_backward(not_attempted).status == "not attempted"
    assert check.relu_backward(crashes).status == "crashed"


RELU_MISTAKES = {
    "mask only": (lambda d, x: (x > 0).astype(float), check.HINT_MASK_ONLY),
    "mask only, >=": (lambda d, x: (x >= 0) * 1.0, check.HINT_MASK_ONLY),
    "slope 1 at zero": (lambda d, x: d * (x >= 0), check.HINT_AT_ZERO),
    "mask from the output with >=": (lambda d, x: d * (np.maximum(x, 0) >= 0), check.HINT_OUTPUT_MASK),
    "times the output": (lambda d, x: d * np.maximum(x, 0), check.HINT_TIMES_OUTPUT),
    "inverted mask": (lambda d, x: d * (x <= 0), check.HINT_INVERTED),
}


@pytest.mark.parametrize("mistake", list(RELU_MISTAKES))
def test_relu_backward_targeted_hints(mistake):
    fn, hint = RELU_MISTAKES[mistake]
    result = check.relu_backward(fn)
    assert result.status == "wrong"
    assert hint in hint_text(result)


def test_relu_backward_other_wrong_answer_gets_the_general_hint():
    result = check.relu_backward(lambda d, x: 2 * d * (x > 0))
    assert result.status == "wrong" and "d_out * (x > 0)" in hint_text(result)
