"""Checks for notebook 03_backprop_from_scratch.

The exercises re-implement three backward rules of :mod:`course_utils.mlp`, in the order the
backward pass meets them: the softmax cross-entropy gradient w.r.t. the logits, a dense layer's
backward rule, and ReLU's. Each check compares with the reference on random inputs of more than
one shape (n ≠ K, square and rectangular weights) and recognizes the common slips (a sign, a
transpose, a missing 1/n, results in the wrong order, the mask taken from the wrong array, the
slope at 0) to say which one it was.
"""

from __future__ import annotations

import numpy as np

from course_utils.checks import CheckResult, Wrong, _a, call, exercise
from course_utils.checks._answers import as_array, case, expect_close, unpack
from course_utils.mlp import dense_backward as reference_dense_backward
from course_utils.mlp import one_hot
from course_utils.mlp import relu_backward as reference_relu_backward
from course_utils.mlp import softmax
from course_utils.mlp import sgd_step as reference_sgd_step
from course_utils.mlp import softmax_cross_entropy_backward as reference_softmax_cross_entropy_backward

__all__ = ["softmax_cross_entropy_backward", "dense_backward", "relu_backward", "sgd_step"]

HINT_SIGN = (
    "mind the sign: the gradient is p - one_hot(y), not one_hot(y) - p (raising the true class's logit lowers "
    "the loss, so its gradient is negative)."
)
HINT_NO_ONE_HOT = (
    "turn the labels into one-hot rows first (one_hot(y, K), a 1 in column y_i of row i): subtract 1 only at the true "
    "class of each example."
)
HINT_FANCY_INDEX = (
    "y_hot[:, y] = 1 fills whole columns; set one entry per row, row i and column y_i together: y_hot[np.arange(n), "
    "y] = 1 (or np.eye(K)[y])."
)
HINT_NO_MEAN = (
    "the loss is the MEAN over the batch, so the gradient carries a factor 1/n: divide by n = logits.shape[0]."
)
HINT_DIVIDE_BY_K = "divide by the number of examples n = logits.shape[0], not the number of classes."
HINT_SOFTMAX_AXIS = "softmax normalizes each example (row) over the classes: sum with axis=1 and keepdims=True."
HINT_KEEPDIMS = (
    "the row sums have shape (n,) and do not line up with the (n, K) exponentials: sum with axis=1, keepdims=True."
)
HINT_DL_DP = (
    "that is dL/dp, the gradient w.r.t. the probabilities; chained through softmax it becomes (p - one_hot(y)) / n "
    "w.r.t. the logits."
)
HINT_LOSS = "return the gradient, an (n, K) array with one entry per logit — not the loss."
HINT_TRUE_CLASS_ONLY = (
    "return the whole (n, K) gradient: the other classes' entries are p_ik / n, not only the true class's."
)
HINT_OVERFLOW = (
    "np.exp overflowed for large logits. Subtract each row's maximum first "
    "(logits - logits.max(axis=1, keepdims=True)): softmax is unchanged and exp stays finite."
)

HINT_DW_TRANSPOSE = "dW = x.T @ d_out, which has W's shape (d_in, d_out); d_out.T @ x gives its transpose."
HINT_DX_TRANSPOSE = (
    "dx = d_out @ W.T: the transpose sends the gradient back through W, from d_out's width (d_out) to x's (d_in)."
)
HINT_DENSE_SHAPES = (
    "the shapes do not line up. With d_out (n, d_out), x (n, d_in), W (d_in, d_out): dx = d_out @ W.T, dW = "
    "x.T @ d_out."
)
HINT_DB_AXIS = "sum db over the batch axis, axis=0: one number per output unit, shape (d_out,)."
HINT_DB_FROM_X = "db sums the upstream gradient over the batch, d_out.sum(axis=0) — not the input x."
HINT_DOUBLE_MEAN = (
    "d_out already carries the 1/n of the mean loss (it came from the loss gradient); sum over the batch, do not "
    "average or divide by n again."
)

HINT_MASK_ONLY = (
    "multiply the mask by the upstream gradient: d_out * (x > 0). The mask alone is ReLU's local slope, "
    "not the gradient of the loss."
)
HINT_AT_ZERO = "at x == 0 exactly, take ReLU's slope to be 0 (as TensorFlow does): use x > 0, not x >= 0."
HINT_OUTPUT_MASK = (
    "every ReLU output is >= 0, so a mask built from the output with >= is all ones; mask where the INPUT is "
    "positive: d_out * (x > 0)."
)
HINT_MASK_UPSTREAM = (
    "the mask comes from ReLU's input x (where the unit was active), not from the sign of d_out: d_out * (x > 0)."
)
HINT_TIMES_OUTPUT = "multiply d_out by ReLU's slope (1 where x > 0, else 0), not by the ReLU output max(x, 0)."
HINT_FORWARD = "that is ReLU itself, max(x, 0); its backward rule passes d_out where x > 0: d_out * (x > 0)."
HINT_INVERTED = "the gradient passes where x > 0 and is blocked where x <= 0; your mask is the other way round."


# ---------------------------------------------------------------- Exercise 1: softmax cross-entropy


def _logits_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(description, logits, y): n ≠ K, once with a class that no example has (it shows y_hot[:, y] = 1)."""
    rng = np.random.default_rng(3)
    first = rng.normal(size=(4, 3)) * 2.0  # (n=4, K=3)
    second = np.random.default_rng(4).normal(size=(5, 4)) * 1.5  # (n=5, K=4)
    return [
        ("4 examples, 3 classes (no example of class 1)", first, np.array([0, 2, 2, 0])),
        ("5 examples, 4 classes", second, np.array([1, 3, 2, 0, 1])),
    ]


def _softmax_slips(logits: np.ndarray, y: np.ndarray) -> tuple[tuple[np.ndarray, str], ...]:
    n, n_classes = logits.shape
    p, y_hot = softmax(logits), one_hot(y, n_classes)
    columns = np.zeros_like(y_hot)
    columns[:, y] = 1.0
    e = np.exp(logits - logits.max())
    return (
        ((y_hot - p) / n, HINT_SIGN),
        ((p - columns) / n, HINT_FANCY_INDEX),
        ((p - y[:, None]) / n, HINT_NO_ONE_HOT),
        ((p - 1.0) / n, HINT_NO_ONE_HOT),
        (p - y_hot, HINT_NO_MEAN),
        ((p - y_hot) / n_classes, HINT_DIVIDE_BY_K),
        (y_hot - p, HINT_SIGN + " Also: " + HINT_NO_MEAN),
        ((e / e.sum(axis=0, keepdims=True) - y_hot) / n, HINT_SOFTMAX_AXIS),
        ((e / e.sum() - y_hot) / n, HINT_SOFTMAX_AXIS),
        (-y_hot / p / n, HINT_DL_DP),
    )


@exercise("Exercise 1: softmax cross-entropy gradient w.r.t. the logits")
def softmax_cross_entropy_backward(fn) -> CheckResult:
    """Check ``fn(logits, y)`` returns ``(softmax(logits) - one_hot(y)) / n``, shape (n, K)."""
    crash_hints = ((ValueError, "could not be broadcast", HINT_KEEPDIMS),)
    for description, logits, y in _logits_cases():
        with case(description):
            got = as_array(
                call(fn, logits, y, name="softmax_cross_entropy_backward", crash_hints=crash_hints), "dlogits"
            )
            if got.shape == ():
                raise Wrong(f"dlogits is one number, expected shape {logits.shape}.", hint=HINT_LOSS)
            if got.shape == (len(y),):
                raise Wrong(f"dlogits has shape {got.shape}, expected {logits.shape}.", hint=HINT_TRUE_CLASS_ONLY)
            expect_close(
                got,
                reference_softmax_cross_entropy_backward(logits, y),
                name="dlogits",
                mistakes=_softmax_slips(logits, y),
                hint="the gradient is (softmax(logits) - one_hot(y)) / n; each row sums to 0.",
            )

    big = np.array([[1000.0, 998.0, 990.0], [-5.0, 800.0, 801.0]])  # (2, 3): exp(1000) overflows
    y_big = np.array([1, 2])
    with case(f"large logits {big.tolist()}"):
        got_big = as_array(
            call(fn, big, y_big, name="softmax_cross_entropy_backward", crash_hints=crash_hints), "dlogits"
        )
        if not np.all(np.isfinite(got_big)):
            raise Wrong("dlogits is nan or inf for large logits.", hint=HINT_OVERFLOW)
        expect_close(
            got_big,
            reference_softmax_cross_entropy_backward(big, y_big),
            name="dlogits",
            hint="subtracting each row's maximum must not change the result.",
        )
    return "correct — dL/dlogits = (p - one_hot(y)) / n: push the true class up, the others down."


# ---------------------------------------------------------------- Exercise 2: dense backward


def _expect_shape(arr: np.ndarray, expected_shape: tuple, name: str, hints: dict) -> None:
    """Shape check with a hint aimed at the likely slip (a transpose, the wrong axis)."""
    if arr.shape != expected_shape:
        hint = hints.get(arr.shape, f"{name} should have shape {expected_shape}.")
        raise Wrong(f"{name} has shape {arr.shape}, expected {expected_shape}.", hint=hint)


def _check_dense_case(fn, n: int, d_in: int, d_out: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d_in))  # (n, d_in)
    W = rng.normal(size=(d_in, d_out))  # (d_in, d_out)
    d_up = rng.normal(size=(n, d_out)) / n  # (n, d_out): dL/d(out), carries the 1/n of the mean loss
    expected = reference_dense_backward(d_up, x, W)
    crash_hints = ((ValueError, "matmul", HINT_DENSE_SHAPES), (ValueError, "could not be broadcast", HINT_DENSE_SHAPES))
    result = call(fn, d_up, x, W, name="dense_backward", returns="dx, dW, db", crash_hints=crash_hints)
    dx, dW, db = unpack(result, ("dx", "dW", "db"), expected, function="dense_backward")
    ref_dx, ref_dW, ref_db = expected

    _expect_shape(dW, (d_in, d_out), "dW", {(d_out, d_in): HINT_DW_TRANSPOSE})
    _expect_shape(dx, (n, d_in), "dx", {(d_in, n): HINT_DX_TRANSPOSE, (n, d_out): HINT_DX_TRANSPOSE})
    _expect_shape(
        db,
        (d_out,),
        "db",
        {
            (n,): HINT_DB_AXIS,
            (): HINT_DB_AXIS,
            (1, d_out): "return db with shape (d_out,): drop keepdims=True.",
            (d_in,): HINT_DB_FROM_X,
        },
    )
    # Only with a square W does a missing transpose give the right shape (and a wrong value).
    square = d_in == d_out
    expect_close(
        dW,
        ref_dW,
        name="dW",
        hint="dW = x.T @ d_out.",
        mistakes=(
            *([(d_up.T @ x, HINT_DW_TRANSPOSE)] if square else []),
            (ref_dW / n, HINT_DOUBLE_MEAN),
            (x.T @ np.ones_like(d_up), "multiply by the upstream gradient d_out: dW = x.T @ d_out."),
        ),
    )
    expect_close(
        dx,
        ref_dx,
        name="dx",
        hint="dx = d_out @ W.T.",
        mistakes=(
            *([(d_up @ W, HINT_DX_TRANSPOSE)] if square else []),
            (ref_dx / n, HINT_DOUBLE_MEAN),
        ),
    )
    expect_close(
        db,
        ref_db,
        name="db",
        hint="db = d_out.sum(axis=0).",
        mistakes=(
            (ref_db / n, HINT_DOUBLE_MEAN),
            *([(x.sum(axis=0), HINT_DB_FROM_X)] if square else []),
        ),
    )


@exercise("Exercise 2: backward pass of a dense layer")
def dense_backward(fn) -> CheckResult:
    """Check ``fn(d_out, x, W)`` returns ``(d_out @ W.T, x.T @ d_out, d_out.sum(axis=0))``."""
    with case("n = 5 examples, a square W (3 → 3)"):
        _check_dense_case(fn, n=5, d_in=3, d_out=3, seed=1)  # square W: transposes show up in values
    with case("n = 6 examples, a rectangular W (4 → 2)"):
        _check_dense_case(fn, n=6, d_in=4, d_out=2, seed=2)  # rectangular W: transposes show up in shapes
    return "correct — dW = x.T @ d_out has W's shape, db sums over the batch, dx = d_out @ W.T goes one layer back."


# ---------------------------------------------------------------- Exercise 3: ReLU backward


def _relu_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(description, d_out, x): mixed signs in both, and inputs exactly 0."""
    x = np.array([[-2.0, 0.0, 1.5, 3.0], [0.5, -0.1, 0.0, -4.0], [2.0, 0.0, -1.0, 0.25]])  # (3, 4)
    d_up = np.array([[0.3, -1.2, 0.7, -0.4], [1.1, 0.6, -0.8, 0.9], [-0.5, 0.2, 1.3, -0.6]])  # (3, 4)
    rng = np.random.default_rng(6)
    x2 = rng.normal(size=(5, 2))  # (5, 2)
    x2[[0, 3], [1, 0]] = 0.0
    return [("a 3 × 4 batch with inputs exactly 0", d_up, x), ("a random 5 × 2 batch", rng.normal(size=(5, 2)), x2)]


def _relu_slips(d_up: np.ndarray, x: np.ndarray) -> tuple[tuple[np.ndarray, str], ...]:
    return (
        ((x > 0).astype(float), HINT_MASK_ONLY),
        ((x >= 0).astype(float), HINT_MASK_ONLY),
        (d_up * (x >= 0), HINT_AT_ZERO),
        (d_up * np.heaviside(x, 0.5), HINT_AT_ZERO),
        (d_up, HINT_OUTPUT_MASK),
        (d_up * (d_up > 0), HINT_MASK_UPSTREAM),
        (d_up * np.maximum(x, 0.0), HINT_TIMES_OUTPUT),
        (np.maximum(x, 0.0), HINT_FORWARD),
        (d_up * (x <= 0), HINT_INVERTED),
        (d_up * (x < 0), HINT_INVERTED),
    )


@exercise("Exercise 3: backward pass of ReLU")
def relu_backward(fn) -> CheckResult:
    """Check ``fn(d_out, x)`` returns ``d_out * (x > 0)`` (slope 0 at x == 0)."""
    for description, d_up, x in _relu_cases():
        with case(description):
            got = as_array(call(fn, d_up, x, name="relu_backward"), "relu_backward(d_out, x)")
            expected = reference_relu_backward(d_up, x) + 0.0  # + 0.0 shows -0.0 as 0.0
            expect_close(
                got,
                expected,
                name="relu_backward(d_out, x)",
                mistakes=_relu_slips(d_up, x),
                hint="pass d_out through where x > 0 and put 0 elsewhere: d_out * (x > 0).",
            )
    return "correct — ReLU lets the gradient through where the unit was active and blocks it elsewhere."


def _step_cases() -> list[tuple[str, dict[str, np.ndarray], dict[str, np.ndarray], float]]:
    """(description, params, grads, learning_rate): an MLP's parameter dict; gradients of both signs and sizes."""
    networks = (
        ("a [3, 4, 2] network, learning rate 0.05", (3, 4, 2), 0.05, 0),
        ("a [2, 5, 3, 2] network, learning rate 0.3", (2, 5, 3, 2), 0.3, 1),
    )
    cases = []
    for description, sizes, learning_rate, seed in networks:
        rng = np.random.default_rng(seed)
        params, grads = {}, {}
        for k, (d_in, d_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            params[f"W{k}"] = rng.normal(size=(d_in, d_out))  # (d_in, d_out)
            grads[f"W{k}"] = rng.normal(size=(d_in, d_out)) * 2  # (d_in, d_out)
            params[f"b{k}"], grads[f"b{k}"] = rng.normal(size=d_out) * 0.1, rng.normal(size=d_out)  # (d_out,)
        cases.append((description, params, grads, learning_rate))
    return cases


def _step_slips(
    value: np.ndarray, grad: np.ndarray, learning_rate: float, name: str
) -> tuple[tuple[np.ndarray, str], ...]:
    """What each slip returns for one parameter, and its hint."""
    formula = "params - learning_rate * grads"
    return (
        (value + learning_rate * grad, f"step against the gradient, downhill: {formula} (a + climbs the loss)."),
        (value - grad, f"scale the gradient by the learning rate: {formula}."),
        (value - grad / learning_rate, "multiply by the learning rate, do not divide."),
        (-learning_rate * grad, f"that is the step alone; return the new parameters, {formula}."),
        (value, f"{name} has not moved: update every parameter, the biases too."),
        (value - learning_rate * value, "the step follows the gradient, grads[name], not the parameter itself."),
        (
            value - learning_rate * grad**2,
            "use the gradient itself, not its square (Adam divides by the root of a "
            "running mean of squares; SGD does not).",
        ),
        (
            value - learning_rate * np.sign(grad),
            "that is a sign step; SGD moves by learning_rate * gradient, in proportion to its size.",
        ),
    )


def _as_params(received, expected: dict[str, np.ndarray]) -> dict:
    """The learner's answer as a dict with every parameter's name, or :class:`Wrong` saying what arrived instead."""
    if not isinstance(received, dict):
        raise Wrong(
            f"sgd_step should return a dict of the new parameters, like params; got {_a(type(received).__name__)}.",
            hint="build a new dict: {name: params[name] - learning_rate * grads[name] for name in params}.",
        )
    missing = [name for name in expected if name not in received]
    if missing:
        raise Wrong(
            f"the returned dict lacks {', '.join(repr(m) for m in missing)}.",
            f"expected the keys: {', '.join(expected)}",
            f"received the keys: {', '.join(map(repr, list(received)[:8]))}",
            hint="return every parameter, under the same names as in params.",
        )
    return received


@exercise("Exercise 4: one step of gradient descent")
def sgd_step(fn) -> CheckResult:
    """Check ``fn(params, grads, learning_rate)`` returns ``params - learning_rate * grads`` as a new dict."""
    for description, params, grads, learning_rate in _step_cases():
        expected = reference_sgd_step(params, grads, learning_rate)
        with case(description):
            got = _as_params(call(fn, params, grads, learning_rate, name="sgd_step", returns="new_params"), expected)
            for name, value in expected.items():
                new = as_array(got[name], f"the new {name}")
                expect_close(
                    new,
                    value,
                    name=f"the new {name}",
                    mistakes=_step_slips(params[name], grads[name], learning_rate, name),
                    hint="each parameter moves by -learning_rate * its gradient.",
                )
    return "correct — every parameter takes a small step downhill."
