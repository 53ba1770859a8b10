"""Checks for notebook 06_gradient_attributions.

Exercise 1 builds integrated gradients from a gradient function by a midpoint Riemann sum; its
check compares with the reference on a small smooth model whose gradient is known in closed
form, recognizes the usual slips (other Riemann rules, ``np.linspace``, a sum for a mean, a
missing ``x - baseline``) and always reports the completeness gap of the learner's result.
Exercise 2 builds the Grad-CAM map from feature maps and their gradients.

NumPy only: the checks run without TensorFlow.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from course_utils.checks import CheckResult, Wrong, call, exercise, expect_close

__all__ = ["integrated_gradients", "grad_cam_map"]

HINT_LEFT = "you evaluated the gradient at α = k / n_steps (the left ends, starting at the baseline itself); the midpoint rule uses α = (k + 0.5) / n_steps."
HINT_RIGHT = "you evaluated the gradient at α = (k + 1) / n_steps (the right ends, as in the paper); this exercise asks for the midpoints α = (k + 0.5) / n_steps."
HINT_LINSPACE = "np.linspace(0, 1, n_steps) includes both ends and spaces the points 1 / (n_steps − 1) apart; the midpoints are (np.arange(n_steps) + 0.5) / n_steps."
HINT_NO_DELTA = "that is the average gradient along the path; multiply it by (x - baseline) to turn slopes into contributions."
HINT_TIMES_X = "multiply the average gradient by (x - baseline), not by x: the attributions explain the change from the baseline."
HINT_SUM = "average the gradients (divide by n_steps) rather than summing them: the integral over [0, 1] is the mean over equal slices."
HINT_PATH = "the path starts at the baseline: the points are baseline + α · (x - baseline), not α · x."
HINT_DIRECTION = "mind the direction: multiply by (x - baseline), from the baseline to x; (baseline - x) flips every sign."

HINT_NO_RELU = "Grad-CAM keeps only the positive evidence: apply a ReLU, np.maximum(map, 0), to the weighted sum."
HINT_WRONG_AXES = "average the gradients over the positions, axes 1 and 2 (height and width), to get ONE weight per channel, shape (n, channels)."
HINT_SUM_POSITIONS = "the channel weights are the MEAN of the gradients over positions (divide by h·w); a sum scales the whole map by h·w."
HINT_ELEMENTWISE = "that is gradient × activation at each position; Grad-CAM first averages each channel's gradient over positions, then weights the whole map by it."
HINT_MEAN_CHANNELS = "add up the weighted maps over the channels (a sum over the last axis), do not average them."


# ---------------------------------------------------------------------------------------------
# Exercise 1: integrated gradients by a Riemann sum
# ---------------------------------------------------------------------------------------------


def reference_integrated_gradients_riemann(grad_fn: Callable[[np.ndarray], np.ndarray], x: np.ndarray,
                                           baseline: np.ndarray, n_steps: int) -> np.ndarray:
    """``(x - baseline) ⊙`` the mean of ``grad_fn`` at the midpoints α = (k + ½)/n_steps of the path."""
    x, baseline = np.asarray(x, dtype=float), np.asarray(baseline, dtype=float)
    alphas = (np.arange(n_steps) + 0.5) / n_steps
    mean_grad = np.zeros_like(x)
    for alpha in alphas:
        mean_grad += grad_fn(baseline + alpha * (x - baseline))
    return (x - baseline) * mean_grad / n_steps


class _SmoothModel:
    """f(x) = tanh(x @ W + c) @ v, one output per example, with its gradient in closed form."""

    def __init__(self, d: int = 6, h: int = 5, seed: int = 6):
        rng = np.random.default_rng(seed)
        self.W, self.c, self.v = rng.normal(size=(d, h)), rng.normal(size=h) * 0.5, rng.normal(size=h)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(np.asarray(x, dtype=float) @ self.W + self.c) @ self.v  # (...,)

    def grad(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)  # (..., d): any leading axes, so a vectorized answer works too
        u = 1 - np.tanh(x @ self.W + self.c) ** 2  # (..., h)
        return (u * self.v) @ self.W.T  # (..., d)


def _riemann(grad_fn, x, baseline, alphas, *, points=None, delta=None, mean=True) -> np.ndarray:
    """A (possibly wrong) Riemann sum, for recognizing the slips."""
    points = points or (lambda a: baseline + a * (x - baseline))
    total = sum(grad_fn(points(a)) for a in alphas)
    total = total / len(alphas) if mean else total
    return (x - baseline if delta is None else delta) * total


@exercise("Exercise 1: integrated gradients by a Riemann sum")
def integrated_gradients(fn) -> CheckResult:
    """Check ``fn(grad_fn, x, baseline, n_steps)`` is the midpoint-rule integrated gradients."""
    model = _SmoothModel()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 6))  # (n=3, d=6)
    baseline = np.full_like(x, 0.25)  # not zero, so that x and x - baseline differ
    n_steps = 8
    got = call(fn, model.grad, x.copy(), baseline.copy(), n_steps, name="integrated_gradients_riemann")

    change = model(x) - model(baseline)  # (n,): what the attributions should add up to
    try:
        got_array = np.asarray(got, dtype=float)
        gap = change - got_array.reshape(len(x), -1).sum(axis=1) if got_array.shape == x.shape else None
    except (TypeError, ValueError):
        gap = None
    gap_line = (
        f"completeness gap of your result, f(x) − f(baseline) − Σ attributions: {np.array2string(gap, precision=4)}"
        f" (f(x) − f(baseline) = {np.array2string(change, precision=3)})"
        if gap is not None else ""
    )

    k = np.arange(n_steps)
    g = model.grad
    mistakes = (
        (_riemann(g, x, baseline, k / n_steps), HINT_LEFT),
        (_riemann(g, x, baseline, (k + 1) / n_steps), HINT_RIGHT),
        (_riemann(g, x, baseline, np.linspace(0, 1, n_steps)), HINT_LINSPACE),
        (_riemann(g, x, baseline, (k + 0.5) / n_steps, delta=np.ones_like(x)), HINT_NO_DELTA),
        (_riemann(g, x, baseline, (k + 0.5) / n_steps, delta=x), HINT_TIMES_X),
        (_riemann(g, x, baseline, (k + 0.5) / n_steps, mean=False), HINT_SUM),
        (_riemann(g, x, baseline, (k + 0.5) / n_steps, points=lambda a: a * x), HINT_PATH),
        (-reference_integrated_gradients_riemann(g, x, baseline, n_steps), HINT_DIRECTION),
    )
    try:
        expect_close(got, reference_integrated_gradients_riemann(g, x, baseline, n_steps), name="your attributions",
                     mistakes=mistakes, rtol=1e-6, atol=1e-9,
                     hint="average grad_fn(baseline + α (x − baseline)) over α = (k + 0.5) / n_steps, then multiply by (x − baseline).")
    except Wrong as wrong:
        raise (wrong.with_detail(gap_line) if gap_line else wrong) from None
    worst = float(np.max(np.abs(gap) / np.abs(change)))
    return (f"correct — your attributions add up to f(x) − f(baseline) up to a completeness gap of "
            f"{100 * worst:.2g} % with only {n_steps} steps; more steps shrink it.")


# ---------------------------------------------------------------------------------------------
# Exercise 2: the Grad-CAM map
# ---------------------------------------------------------------------------------------------


def reference_grad_cam_map(feature_maps: np.ndarray, gradients: np.ndarray) -> np.ndarray:
    """``ReLU(Σ_k α_k A_k)`` with ``α_k`` the mean over positions of ``∂y/∂A_k``; shape (n, h, w)."""
    feature_maps, gradients = np.asarray(feature_maps, dtype=float), np.asarray(gradients, dtype=float)
    weights = gradients.mean(axis=(1, 2))  # (n, c)
    return np.maximum(np.einsum("nhwc,nc->nhw", feature_maps, weights), 0.0)


@exercise("Exercise 2: the Grad-CAM map")
def grad_cam_map(fn) -> CheckResult:
    """Check ``fn(feature_maps, gradients)`` returns ``ReLU(Σ_k mean(∂y/∂A_k) A_k)``, shape (n, h, w)."""
    rng = np.random.default_rng(2)
    A = np.maximum(rng.normal(size=(2, 5, 4, 3)), 0.0)  # (n=2, h=5, w=4, c=3): post-ReLU feature maps
    dA = rng.normal(size=A.shape) + np.array([0.3, -0.2, 0.1])  # (n, h, w, c): gradients of the class score
    got = call(fn, A.copy(), dA.copy(), name="grad_cam_map")

    weights = dA.mean(axis=(1, 2))  # (n, c)
    linear = np.einsum("nhwc,nc->nhw", A, weights)
    mistakes = (
        (linear, HINT_NO_RELU),
        (np.maximum((A * dA.mean(axis=3, keepdims=True)).sum(axis=3), 0.0), HINT_WRONG_AXES),
        (np.maximum(linear * A.shape[1] * A.shape[2], 0.0), HINT_SUM_POSITIONS),
        (np.maximum((A * dA).sum(axis=3), 0.0), HINT_ELEMENTWISE),
        ((A * dA).sum(axis=3), HINT_ELEMENTWISE + " " + HINT_NO_RELU),
        (np.maximum(linear / A.shape[3], 0.0), HINT_MEAN_CHANNELS),
    )
    if got is not None and np.shape(got) == (2, 3):
        raise Wrong("your map has shape (2, 3): one number per channel.",
                    hint="those look like the channel weights; now weight the feature maps by them and sum over channels, shape (n, h, w).")
    expect_close(got, reference_grad_cam_map(A, dA), name="your map", mistakes=mistakes,
                 hint="weights = gradients.mean(axis=(1, 2)); map = ReLU(Σ_k weights[:, k] · A[..., k]).")
    return "correct — Grad-CAM is a linear model over feature maps: one averaged-gradient weight per channel, then a ReLU."
