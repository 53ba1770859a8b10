"""Checks for notebook 03_backprop_from_scratch.

The exercises re-implement three backward rules of :mod:`course_utils.mlp`, in the order the
backward pass meets them: the softmax cross-entropy gradient w.r.t. the logits, a dense layer's
backward rule, and ReLU's. Each check compares with the reference on small inputs and recognizes
the common slips (a sign, a transpose, a missing 1/n, the slope at 0) to say which one it was.
"""

from __future__ import annotations

import numpy as np

from course_utils.checks import CheckResult, Wrong, call, exercise, expect_close
from course_utils.mlp import dense_backward as reference_dense_backward
from course_utils.mlp import one_hot
from course_utils.mlp import relu_backward as reference_relu_backward
from course_utils.mlp import softmax
from course_utils.mlp import softmax_cross_entropy_backward as reference_softmax_cross_entropy_backward

__all__ = ["softmax_cross_entropy_backward", "dense_backward", "relu_backward"]

HINT_SIGN = "mind the sign: the gradient is p - one_hot(y), not one_hot(y) - p (raising the true class's logit lowers the loss, so its gradient is negative)."
HINT_NO_ONE_HOT = "turn the labels into one-hot rows first (one_hot(y, K), a 1 in column y_i of row i): subtract 1 only at the true class of each example."
HINT_NO_MEAN = "the loss is the MEAN over the batch, so the gradient carries a factor 1/n: divide by n = logits.shape[0]."
HINT_DIVIDE_BY_K = "divide by the number of examples n = logits.shape[0], not the number of classes."
HINT_SOFTMAX_AXIS = "softmax normalizes each example (row) over the classes: sum with axis=1 and keepdims=True."
HINT_OVERFLOW = "np.exp overflowed for large logits. Subtract each row's maximum first (logits - logits.max(axis=1, keepdims=True)): softmax is unchanged and exp stays finite."

HINT_DW_TRANSPOSE = "dW = x.T @ d_out, which has W's shape (d_in, d_out); d_out.T @ x gives its transpose."
HINT_DX_TRANSPOSE = "dx = d_out @ W.T: the transpose sends the gradient back through W, from d_out's width (d_out) to x's (d_in)."
HINT_DB_AXIS = "sum db over the batch axis, axis=0: one number per output unit, shape (d_out,)."
HINT_DOUBLE_MEAN = "d_out already carries the 1/n of the mean loss (it came from the loss gradient); sum over the batch, do not average or divide by n again."

HINT_MASK_ONLY = "multiply the mask by the upstream gradient: d_out * (x > 0). The mask alone is ReLU's local slope, not the gradient of the loss."
HINT_AT_ZERO = "at x == 0 exactly, take ReLU's slope to be 0 (as TensorFlow does): use x > 0, not x >= 0."
HINT_OUTPUT_MASK = "every ReLU output is >= 0, so a mask built from the output with >= is all ones; mask where the INPUT is positive: d_out * (x > 0)."
HINT_TIMES_OUTPUT = "multiply d_out by ReLU's slope (1 where x > 0, else 0), not by the ReLU output max(x, 0)."
HINT_INVERTED = "the gradient passes where x > 0 and is blocked where x <= 0; your mask is the other way round."


@exercise("Exercise 1: softmax cross-entropy gradient w.r.t. the logits")
def softmax_cross_entropy_backward(fn) -> CheckResult:
    """Check ``fn(logits, y)`` returns ``(softmax(logits) - one_hot(y)) / n``, shape (n, K)."""
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(4, 3)) * 2.0  # (n=4, K=3)
    y = np.array([0, 2, 1, 2])
    got = call(fn, logits.copy(), y.copy(), name="softmax_cross_entropy_backward")
    n, n_classes = logits.shape
    p, y_hot = softmax(logits), one_hot(y, n_classes)
    p_columns = np.exp(logits) / np.exp(logits).sum(axis=0, keepdims=True)
    mistakes = (
        ((y_hot - p) / n, HINT_SIGN),
        ((p - y[:, None]) / n, HINT_NO_ONE_HOT),
        ((p - 1.0) / n, HINT_NO_ONE_HOT),
        (p - y_hot, HINT_NO_MEAN),
        ((p - y_hot) / n_classes, HINT_DIVIDE_BY_K),
        (y_hot - p, HINT_SIGN + " Also: " + HINT_NO_MEAN),
        ((p_columns - y_hot) / n, HINT_SOFTMAX_AXIS),
    )
    expected = reference_softmax_cross_entropy_backward(logits, y)
    expect_close(got, expected, name="dlogits", mistakes=mistakes,
                 hint="the gradient is (softmax(logits) - one_hot(y)) / n; each row sums to 0.")

    big = np.array([[1000.0, 998.0, 990.0], [-5.0, 800.0, 801.0]])  # (2, 3): exp(1000) overflows
    y_big = np.array([1, 2])
    got_big = call(fn, big.copy(), y_big.copy(), name="softmax_cross_entropy_backward")
    if got_big is not None and not np.all(np.isfinite(np.asarray(got_big, dtype=float))):
        raise Wrong("dlogits is nan or inf for large logits.", f"logits: {big.tolist()}", hint=HINT_OVERFLOW)
    expect_close(got_big, reference_softmax_cross_entropy_backward(big, y_big), name="dlogits for large logits",
                 hint="subtracting each row's maximum must not change the result.")
    return "correct — dL/dlogits = (p - one_hot(y)) / n: push the true class up, the others down."


def _expect_shape(got, expected_shape: tuple, transposed_hint: str, name: str, other_hints: dict) -> np.ndarray:
    """Shape check with a hint aimed at the likely slip (a transpose, the wrong axis)."""
    if got is None:
        raise Wrong(f"{name} is None — did you forget to return it?")
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise Wrong(f"{name} should be an array of numbers, got {type(got).__name__}.") from None
    if arr.shape == expected_shape:
        return arr
    if arr.shape == expected_shape[::-1] and len(expected_shape) == 2:
        hint = transposed_hint
    else:
        hint = other_hints.get(arr.shape, f"{name} should have shape {expected_shape}.")
    raise Wrong(f"{name} has shape {arr.shape}, expected {expected_shape}.", hint=hint)


def _check_dense_case(fn, n: int, d_in: int, d_out: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d_in))  # (n, d_in)
    W = rng.normal(size=(d_in, d_out))  # (d_in, d_out)
    d_up = rng.normal(size=(n, d_out)) / n  # (n, d_out): dL/d(out), carries the 1/n of the mean loss
    result = call(fn, d_up.copy(), x.copy(), W.copy(), name="dense_backward", returns="dx, dW, db")
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise Wrong(
            f"dense_backward should return three arrays (dx, dW, db); got {type(result).__name__}"
            + (f" of length {len(result)}." if isinstance(result, (tuple, list)) else "."),
            hint="end with `return dx, dW, db`, in that order.",
        )
    dx, dW, db = result
    ref_dx, ref_dW, ref_db = reference_dense_backward(d_up, x, W)

    dW = _expect_shape(dW, (d_in, d_out), HINT_DW_TRANSPOSE, "dW", {})
    dx = _expect_shape(dx, (n, d_in), HINT_DX_TRANSPOSE, "dx", {})
    db = _expect_shape(db, (d_out,), "", "db", {
        (n,): HINT_DB_AXIS, (): HINT_DB_AXIS, (1, d_out): "return db with shape (d_out,): drop keepdims=True.",
    })
    # Only with a square W does a missing transpose give the right shape (and a wrong value).
    transposed_dW = [(d_up.T @ x, HINT_DW_TRANSPOSE)] if d_in == d_out else []
    transposed_dx = [(d_up @ W, HINT_DX_TRANSPOSE)] if d_in == d_out else []
    expect_close(dW, ref_dW, name="dW", hint="dW = x.T @ d_out.", mistakes=(
        *transposed_dW,
        (ref_dW / n, HINT_DOUBLE_MEAN),
        (x.T @ np.ones_like(d_up), "multiply by the upstream gradient d_out: dW = x.T @ d_out."),
    ))
    expect_close(dx, ref_dx, name="dx", hint="dx = d_out @ W.T.", mistakes=(
        *transposed_dx,
        (ref_dx / n, HINT_DOUBLE_MEAN),
    ))
    expect_close(db, ref_db, name="db", hint="db = d_out.sum(axis=0).", mistakes=(
        (ref_db / n, HINT_DOUBLE_MEAN),
    ))


@exercise("Exercise 2: backward pass of a dense layer")
def dense_backward(fn) -> CheckResult:
    """Check ``fn(d_out, x, W)`` returns ``(d_out @ W.T, x.T @ d_out, d_out.sum(axis=0))``."""
    _check_dense_case(fn, n=5, d_in=3, d_out=3, seed=1)  # square W: transposes show up in values
    _check_dense_case(fn, n=6, d_in=4, d_out=2, seed=2)  # rectangular W: transposes show up in shapes
    return "correct — dW = x.T @ d_out has W's shape, db sums over the batch, dx = d_out @ W.T goes one layer back."


@exercise("Exercise 3: backward pass of ReLU")
def relu_backward(fn) -> CheckResult:
    """Check ``fn(d_out, x)`` returns ``d_out * (x > 0)`` (slope 0 at x == 0)."""
    x = np.array([[-2.0, 0.0, 1.5, 3.0], [0.5, -0.1, 0.0, -4.0], [2.0, 0.0, -1.0, 0.25]])  # (3, 4), with exact zeros
    d_up = np.array([[0.3, -1.2, 0.7, -0.4], [1.1, 0.6, -0.8, 0.9], [-0.5, 0.2, 1.3, -0.6]])  # (3, 4)
    got = call(fn, d_up.copy(), x.copy(), name="relu_backward")
    mistakes = (
        ((x > 0).astype(float), HINT_MASK_ONLY),
        ((x >= 0).astype(float), HINT_MASK_ONLY),
        (d_up * (x >= 0), HINT_AT_ZERO),
        (d_up, HINT_OUTPUT_MASK),
        (d_up * np.maximum(x, 0.0), HINT_TIMES_OUTPUT),
        (d_up * (x <= 0), HINT_INVERTED),
        (d_up * (x < 0), HINT_INVERTED),
    )
    expected = reference_relu_backward(d_up, x) + 0.0  # + 0.0 shows -0.0 as 0.0
    expect_close(got, expected, name="relu_backward(d_out, x)", mistakes=mistakes,
                 hint="pass d_out through where x > 0 and put 0 elsewhere: d_out * (x > 0).")
    return "correct — ReLU lets the gradient through where the unit was active and blocks it elsewhere."
