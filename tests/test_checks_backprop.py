"""The wrong answers learners write in notebook 03_backprop_from_scratch, each with its verdict and hint.

Every exercise has: right answers written differently (correct), the slips learners make (wrong,
each with the fragment of its hint), and answers that try to break the check (never "the check
itself failed", and the right answer still passes afterwards).
"""

import numpy as np
import pytest

from course_utils import mlp
from course_utils.checks import backprop as check
from tests import check_answers as answers
from tests.check_answers import Exercise


def _softmax(z, axis=1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _one_hot(y, k):
    return np.eye(k)[y]


# ---------------------------------------------------------------- Exercise 1: softmax cross-entropy


def dlogits(z, y):
    n, k = z.shape
    return (_softmax(z) - _one_hot(y, k)) / n


def dlogits_in_place(z, y):
    z -= z.max(axis=1, keepdims=True)  # changes the caller's array: harmless, the check passes copies
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    p[np.arange(len(y)), y] -= 1
    return p / len(y)


def dlogits_with_a_loop(z, y):
    out = np.zeros_like(z)
    for i, (row, label) in enumerate(zip(z, y)):
        e = np.exp(row - row.max())
        out[i] = e / e.sum()
        out[i, label] -= 1
    return out / len(z)


def dlogits_naive_exp(z, y):  # right formula, but exp overflows for large logits
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z)
        return (e / e.sum(axis=1, keepdims=True) - _one_hot(y, z.shape[1])) / len(z)


def dlogits_fancy_columns(z, y):
    y_hot = np.zeros_like(z)
    y_hot[:, y] = 1.0
    return (_softmax(z) - y_hot) / len(z)


SOFTMAX_ALSO_RIGHT = [dlogits_in_place, dlogits_with_a_loop, mlp.softmax_cross_entropy_backward]

SOFTMAX_SLIPS = {
    "sign": (lambda z, y: (_one_hot(y, z.shape[1]) - _softmax(z)) / len(z), check.HINT_SIGN),
    "sign and no 1/n": (lambda z, y: _one_hot(y, z.shape[1]) - _softmax(z), "Also: " + check.HINT_NO_MEAN),
    "labels not one-hot": (lambda z, y: (_softmax(z) - y[:, None]) / len(z), check.HINT_NO_ONE_HOT),
    "minus one everywhere": (lambda z, y: (_softmax(z) - 1) / len(z), check.HINT_NO_ONE_HOT),
    "y_hot[:, y] = 1": (dlogits_fancy_columns, check.HINT_FANCY_INDEX),
    "no 1/n": (lambda z, y: _softmax(z) - _one_hot(y, z.shape[1]), check.HINT_NO_MEAN),
    "1/K": (lambda z, y: (_softmax(z) - _one_hot(y, z.shape[1])) / z.shape[1], check.HINT_DIVIDE_BY_K),
    "softmax over the batch": (
        lambda z, y: (_softmax(z, axis=0) - _one_hot(y, z.shape[1])) / len(z),
        check.HINT_SOFTMAX_AXIS,
    ),
    "softmax over everything": (
        lambda z, y: (np.exp(z) / np.exp(z).sum() - _one_hot(y, z.shape[1])) / len(z),
        check.HINT_SOFTMAX_AXIS,
    ),
    "no keepdims": (
        lambda z, y: (np.exp(z) / np.exp(z).sum(axis=1) - _one_hot(y, z.shape[1])) / len(z),
        check.HINT_KEEPDIMS,
    ),
    "dL/dp": (lambda z, y: -_one_hot(y, z.shape[1]) / _softmax(z) / len(z), check.HINT_DL_DP),
    "the loss": (lambda z, y: -np.log(_softmax(z)[np.arange(len(y)), y]).mean(), check.HINT_LOSS),
    "the true class only": (lambda z, y: (_softmax(z)[np.arange(len(y)), y] - 1) / len(z), check.HINT_TRUE_CLASS_ONLY),
    "overflow": (dlogits_naive_exp, check.HINT_OVERFLOW),
    "a list": (lambda z, y: dlogits(z, y).tolist(), "got a list"),
    "forgot return": (lambda z, y: None, "did you forget `return`?"),
}


@pytest.mark.parametrize("index", [0, 1])
def test_softmax_slips_differ_from_the_answer_on_every_case(index):
    _, logits, y = check._logits_cases()[index]
    assert logits.shape[0] != logits.shape[1]  # axis and keepdims slips cannot hide
    right = dlogits(logits, y)
    for value, hint in check._softmax_slips(logits, y):
        assert not np.allclose(value, right), hint


def test_softmax_first_case_lacks_a_class_so_fancy_indexing_shows():
    _, _, y = check._logits_cases()[0]
    assert 1 not in y


# ---------------------------------------------------------------- Exercise 2: dense backward


def dense(d, x, W):
    return d @ W.T, x.T @ d, d.sum(axis=0)


def dense_with_einsum(d, x, W):
    return np.einsum("nk,jk->nj", d, W), np.einsum("nj,nk->jk", x, d), np.einsum("nk->k", d)


def dense_outer_products(d, x, W):
    dW = sum(np.outer(xi, di) for xi, di in zip(x, d))
    return (W @ d.T).T, dW, d.sum(axis=0)


def transposed_only_when_rectangular(d, x, W):
    # right on square weights only (W.T has W's shape there), caught by the second, rectangular case
    dW = x.T @ d if W.shape[0] == W.shape[1] else d.T @ x
    return d @ W.T, dW, d.sum(axis=0)


DENSE_ALSO_RIGHT = [mlp.dense_backward, dense_with_einsum, dense_outer_products]

DENSE_SLIPS = {
    "dW transposed": (lambda d, x, W: (d @ W.T, d.T @ x, d.sum(axis=0)), check.HINT_DW_TRANSPOSE),
    "dW transposed, rectangular only": (transposed_only_when_rectangular, check.HINT_DW_TRANSPOSE),
    "dx without transpose": (lambda d, x, W: (d @ W, x.T @ d, d.sum(axis=0)), check.HINT_DX_TRANSPOSE),
    "dx as W @ d.T": (lambda d, x, W: (W @ d.T, x.T @ d, d.sum(axis=0)), check.HINT_DX_TRANSPOSE),
    "x @ d": (lambda d, x, W: (d @ W.T, x @ d, d.sum(axis=0)), check.HINT_DENSE_SHAPES),
    "db over examples": (lambda d, x, W: (d @ W.T, x.T @ d, d.sum(axis=1)), check.HINT_DB_AXIS),
    "db summed to a scalar": (lambda d, x, W: (d @ W.T, x.T @ d, d.sum()), check.HINT_DB_AXIS),
    "db with keepdims": (lambda d, x, W: (d @ W.T, x.T @ d, d.sum(axis=0, keepdims=True)), "drop keepdims=True"),
    "db from x": (lambda d, x, W: (d @ W.T, x.T @ d, x.sum(axis=0)), check.HINT_DB_FROM_X),
    "db averaged": (lambda d, x, W: (d @ W.T, x.T @ d, d.mean(axis=0)), check.HINT_DOUBLE_MEAN),
    "dW divided by n again": (lambda d, x, W: (d @ W.T, x.T @ d / len(x), d.sum(axis=0)), check.HINT_DOUBLE_MEAN),
    "dx divided by n again": (lambda d, x, W: (d @ W.T / len(x), x.T @ d, d.sum(axis=0)), check.HINT_DOUBLE_MEAN),
    "dW without d_out": (
        lambda d, x, W: (d @ W.T, x.T @ np.ones_like(d), d.sum(axis=0)),
        "multiply by the upstream gradient",
    ),
    "order dW, dx, db": (lambda d, x, W: (x.T @ d, d @ W.T, d.sum(axis=0)), "`return dx, dW, db`"),
    "order dx, db, dW": (lambda d, x, W: (d @ W.T, d.sum(axis=0), x.T @ d), "wrong order"),
    "two results": (lambda d, x, W: (d @ W.T, x.T @ d), "should return 3 results (dx, dW, db)"),
    "a dict": (lambda d, x, W: {"dx": d @ W.T, "dW": x.T @ d, "db": d.sum(axis=0)}, "got a dict"),
    "dW as a list": (
        lambda d, x, W: (d @ W.T, (x.T @ d).tolist(), d.sum(axis=0)),
        "dW should be a NumPy array, got a list",
    ),
    "forgot return": (lambda d, x, W: None, "did you forget `return dx, dW, db`?"),
}


def test_dense_backward_transpose_on_rectangular_weights_is_caught_by_shape():
    result = check.dense_backward(transposed_only_when_rectangular)
    assert "dW has shape (2, 4), expected (4, 2)" in result.message
    assert result.details[0] == "for: n = 6 examples, a rectangular W (4 → 2)"


# ---------------------------------------------------------------- Exercise 3: ReLU backward


def relu_grad(d, x):
    return d * (x > 0)


def relu_grad_in_place(d, x):
    d[x <= 0] = 0.0
    return d


RELU_ALSO_RIGHT = [
    mlp.relu_backward,
    relu_grad_in_place,
    lambda d, x: np.where(x > 0, d, 0.0),
    lambda d, x: d * np.heaviside(x, 0.0),
]

RELU_SLIPS = {
    "mask only": (lambda d, x: (x > 0).astype(float), check.HINT_MASK_ONLY),
    "mask only, >=": (lambda d, x: (x >= 0) * 1.0, check.HINT_MASK_ONLY),
    "slope 1 at zero": (lambda d, x: d * (x >= 0), check.HINT_AT_ZERO),
    "slope ½ at zero": (lambda d, x: d * np.heaviside(x, 0.5), check.HINT_AT_ZERO),
    "mask from the output with >=": (lambda d, x: d * (np.maximum(x, 0) >= 0), check.HINT_OUTPUT_MASK),
    "mask from d_out": (lambda d, x: d * (d > 0), check.HINT_MASK_UPSTREAM),
    "ReLU of d_out": (lambda d, x: np.maximum(d, 0), check.HINT_MASK_UPSTREAM),
    "times the output": (lambda d, x: d * np.maximum(x, 0), check.HINT_TIMES_OUTPUT),
    "the forward pass": (lambda d, x: np.maximum(x, 0), check.HINT_FORWARD),
    "inverted mask": (lambda d, x: d * (x <= 0), check.HINT_INVERTED),
    "inverted strict mask": (lambda d, x: d * (x < 0), check.HINT_INVERTED),
    "something else": (lambda d, x: 2 * d * (x > 0), "pass d_out through where x > 0"),
    "a list": (lambda d, x: relu_grad(d, x).tolist(), "got a list"),
    "forgot return": (lambda d, x: None, "did you forget `return`?"),
}


@pytest.mark.parametrize("index", [0, 1])
def test_relu_slips_differ_from_the_answer_on_every_case(index):
    _, d_up, x = check._relu_cases()[index]
    assert (x == 0).any() and (x > 0).any() and (x < 0).any() and (d_up > 0).any() and (d_up < 0).any()
    for value, hint in check._relu_slips(d_up, x):
        assert not np.allclose(value, relu_grad(d_up, x)), hint


# ---------------------------------------------------------------- Exercise 4: one SGD step


def sgd(params, grads, learning_rate):
    return {name: params[name] - learning_rate * grads[name] for name in params}


def sgd_in_place_then_returned(params, grads, learning_rate):
    for name in params:
        params[name] -= learning_rate * grads[name]
    return params


def sgd_with_zip(params, grads, learning_rate):
    return dict(zip(params, (value - learning_rate * grads[name] for name, value in params.items())))


def _each(update):
    def step(params, grads, learning_rate):
        return {name: update(params[name], grads[name], learning_rate) for name in params}

    return step


def in_place_only(params, grads, learning_rate):
    for name in params:
        params[name] -= learning_rate * grads[name]


SGD_SLIPS = {
    "uphill": (_each(lambda p, g, lr: p + lr * g), "step against the gradient"),
    "no learning rate": (_each(lambda p, g, lr: p - g), "scale the gradient by the learning rate"),
    "divides": (_each(lambda p, g, lr: p - g / lr), "do not divide"),
    "the step alone": (_each(lambda p, g, lr: -lr * g), "that is the step alone"),
    "weights only": (_each(lambda p, g, lr: p - lr * g if p.ndim == 2 else p), "b1 has not moved"),
    "decay": (_each(lambda p, g, lr: p - lr * p), "not the parameter itself"),
    "squared gradient": (_each(lambda p, g, lr: p - lr * g**2), "not its square"),
    "sign step": (_each(lambda p, g, lr: p - lr * np.sign(g)), "a sign step"),
    "in place, no return": (in_place_only, "did you forget `return new_params`?"),
    "a list": (lambda *args: list(sgd(*args).values()), "should return a dict of the new parameters"),
    "a key missing": (lambda *args: {n: v for n, v in sgd(*args).items() if n != "b2"}, "lacks 'b2'"),
    "nested lists": (lambda *args: {n: v.tolist() for n, v in sgd(*args).items()}, "np.array(result)"),
    "something else": (_each(lambda p, g, lr: p * 0.5), "each parameter moves by -learning_rate"),
}


@pytest.mark.parametrize("index", range(len(check._step_cases())))
def test_sgd_slips_differ_from_the_answer_and_each_other(index):
    _, params, grads, learning_rate = check._step_cases()[index]
    assert len({np.shape(g) for g in grads.values()}) == len(grads)  # no two parameters share a shape: a mix-up shows
    for name in params:
        slips = [value for value, _ in check._step_slips(params[name], grads[name], learning_rate, name)]
        right = params[name] - learning_rate * grads[name]
        assert all(not np.allclose(slip, right) for slip in slips)
        assert all(not np.allclose(slips[i], slips[j]) for i in range(len(slips)) for j in range(i))


# ---------------------------------------------------------------- every answer, every exercise


EXERCISES = {
    "softmax_cross_entropy_backward": Exercise(
        check.softmax_cross_entropy_backward, dlogits, SOFTMAX_ALSO_RIGHT, SOFTMAX_SLIPS
    ),
    "dense_backward": Exercise(
        check.dense_backward,
        dense,
        DENSE_ALSO_RIGHT,
        DENSE_SLIPS,
        generic={"list": "dW has shape ()", "complex array": "should return 3 results"},
    ),  # a list of 3 is 3 results
    "relu_backward": Exercise(check.relu_backward, relu_grad, RELU_ALSO_RIGHT, RELU_SLIPS),
    "sgd_step": Exercise(
        check.sgd_step,
        sgd,
        [sgd_in_place_then_returned, sgd_with_zip, mlp.sgd_step],
        SGD_SLIPS,
        generic={"complex array": "should return a dict", "huge array": "should return a dict"},
    ),
}


@pytest.mark.parametrize(*answers.params(EXERCISES))
def test_answers(kind, exercise, answer, expected):
    answers.judge(kind, exercise, answer, expected)
