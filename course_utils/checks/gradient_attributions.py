"""Checks for notebook 06_gradient_attributions.

Exercise 1 builds integrated gradients from a gradient function by a midpoint Riemann sum; its
check compares with the reference on a small smooth model whose gradient is known in closed
form — on a batch of vectors and on a batch of small "images", each with a baseline that is not
zero — recognizes the usual slips (other Riemann rules, ``np.linspace``, a sum for a mean, a
missing ``x - baseline``, a baseline left out) and always reports the completeness gap of the
learner's result. Exercise 2 builds the Grad-CAM map from feature maps and their gradients, on
two batches of different shapes.

NumPy only: the checks run without TensorFlow.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from course_utils.checks import CheckResult, Wrong, call, exercise
from course_utils.checks._answers import as_array, case, expect_close_on_each

__all__ = ["integrated_gradients", "grad_cam_map"]

HINT_LEFT = (
    "you evaluated the gradient at α = k / n_steps (the left ends, starting at the baseline itself); the midpoint "
    "rule uses α = (k + 0.5) / n_steps."
)
HINT_RIGHT = (
    "you evaluated the gradient at α = (k + 1) / n_steps (the right ends, as in the paper); this exercise asks for "
    "the midpoints α = (k + 0.5) / n_steps."
)
HINT_LINSPACE = (
    "np.linspace(0, 1, n_steps) includes both ends and spaces the points 1 / (n_steps − 1) apart; the midpoints are "
    "(np.arange(n_steps) + 0.5) / n_steps."
)
HINT_NO_DELTA = (
    "that is the average gradient along the path; multiply it by (x - baseline) to turn slopes into contributions."
)
HINT_TIMES_X = (
    "multiply the average gradient by (x - baseline), not by x: the attributions explain the change from the baseline."
)
HINT_SUM = (
    "average the gradients (divide by n_steps) rather than summing them: the integral over [0, 1] is the mean over "
    "equal slices."
)
HINT_PATH = "the path starts at the baseline: the points are baseline + α · (x - baseline), not α · x."
HINT_DIRECTION = (
    "mind the direction: multiply by (x - baseline), from the baseline to x; (baseline - x) flips every sign."
)
HINT_ZERO_BASELINE = (
    "the baseline here is not zero: the path is baseline + α · (x - baseline) and the factor is (x - baseline); "
    "you computed integrated gradients from the zero image."
)
HINT_ENDPOINTS = (
    "k / n_steps for k = 0 .. n_steps are n_steps + 1 points, both ends included (a trapezoid-like rule); "
    "the midpoint rule uses the n_steps points α = (k + 0.5) / n_steps."
)
HINT_ANY_SHAPE = (
    "x and baseline have shape (n, ...) with any number of axes (here also (2, 3, 4)); if you stack the α's, "
    "give them one axis per axis of x: alphas.reshape((-1,) + (1,) * x.ndim)."
)
HINT_GRAD_FN = (
    "call grad_fn on a batch shaped like x, e.g. grad_fn(baseline + alpha * (x - baseline)); it returns the same shape."
)

HINT_NO_RELU = "Grad-CAM keeps only the positive evidence: apply a ReLU, np.maximum(map, 0), to the weighted sum."
HINT_WRONG_AXES = (
    "average the gradients over the positions, axes 1 and 2 (height and width), to get ONE weight per channel, shape "
    "(n, channels)."
)
HINT_SUM_POSITIONS = (
    "the channel weights are the MEAN of the gradients over positions (divide by h·w); a sum scales the "
    "whole map by h·w."
)
HINT_ELEMENTWISE = (
    "that is gradient × activation at each position; Grad-CAM first averages each channel's gradient over "
    "positions, then weights the whole map by it."
)
HINT_MEAN_CHANNELS = "add up the weighted maps over the channels (a sum over the last axis), do not average them."
HINT_BATCH_AXIS = (
    "average over the positions only, axes 1 and 2: axis 0 is the batch, and each example gets its own "
    "channel weights, shape (n, channels)."
)
HINT_RELU_EARLY = (
    "apply the ReLU once, to the weighted sum over the channels — not to the channel weights or to each "
    "channel's weighted map (with feature maps ≥ 0 those two are the same slip)."
)
HINT_NORMALIZED = "return the map itself; do not divide by its maximum (the plotting scales it for display)."


# ---------------------------------------------------------------------------------------------
# Exercise 1: integrated gradients by a Riemann sum
# ---------------------------------------------------------------------------------------------


def reference_integrated_gradients_riemann(
    grad_fn: Callable[[np.ndarray], np.ndarray], x: np.ndarray, baseline: np.ndarray, n_steps: int
) -> np.ndarray:
    """``(x - baseline) ⊙`` the mean of ``grad_fn`` at the midpoints α = (k + ½)/n_steps of the path."""
    x, baseline = np.asarray(x, dtype=float), np.asarray(baseline, dtype=float)
    alphas = (np.arange(n_steps) + 0.5) / n_steps
    mean_grad = np.zeros_like(x)
    for alpha in alphas:
        mean_grad += grad_fn(baseline + alpha * (x - baseline))
    return (x - baseline) * mean_grad / n_steps


class _SmoothModel:
    """f(x) = tanh(x_flat @ W + c) @ v, one output per example of shape ``shape``, with its gradient in closed form."""

    def __init__(self, shape: tuple[int, ...] = (6,), h: int = 5, seed: int = 6):
        rng = np.random.default_rng(seed)
        self.shape, d = tuple(shape), int(np.prod(shape))
        self.W, self.c, self.v = rng.normal(size=(d, h)), rng.normal(size=h) * 0.5, rng.normal(size=h)

    def _flat(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)  # (..., *shape): any leading axes, so a vectorized answer works too
        if x.shape[x.ndim - len(self.shape) :] != self.shape or x.ndim <= len(self.shape):
            raise ValueError(
                f"grad_fn takes a batch of points shaped like x, (n, {', '.join(map(str, self.shape))}); got "
                f"shape {x.shape}."
            )
        return x.reshape(x.shape[: x.ndim - len(self.shape)] + (-1,))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(self._flat(x) @ self.W + self.c) @ self.v  # (...,)

    def grad(self, x: np.ndarray) -> np.ndarray:
        flat = self._flat(x)
        u = 1 - np.tanh(flat @ self.W + self.c) ** 2  # (..., h)
        return ((u * self.v) @ self.W.T).reshape(np.shape(x))  # (..., *shape)


def _ig_problems() -> dict[str, tuple[dict, np.ndarray, np.ndarray, int]]:
    """(model settings, x, baseline, n_steps): vectors with a constant baseline, "images" with a random one."""
    rng = np.random.default_rng(0)
    x1 = rng.normal(size=(3, 6))  # (n=3, d=6)
    x2 = rng.normal(size=(2, 3, 4))  # (n=2, h=3, w=4)
    return {
        "3 inputs of 6 features, baseline 0.25 everywhere, 8 steps": (
            dict(shape=(6,), seed=6),
            x1,
            np.full_like(x1, 0.25),
            8,
        ),
        "2 inputs of shape (3, 4), a random baseline, 5 steps": (
            dict(shape=(3, 4), seed=7),
            x2,
            rng.normal(0.0, 0.5, size=x2.shape),
            5,
        ),
    }


def _riemann(grad_fn, x, baseline, alphas, *, points=None, delta=None, mean=True) -> np.ndarray:
    """A (possibly wrong) Riemann sum, for recognizing the slips."""
    points = points or (lambda a: baseline + a * (x - baseline))
    total = sum(grad_fn(points(a)) for a in alphas)
    total = total / len(alphas) if mean else total
    return (x - baseline if delta is None else delta) * total


def _ig_mistakes(g, x, baseline, n_steps) -> tuple[tuple[np.ndarray, str], ...]:
    k = np.arange(n_steps)
    mid = (k + 0.5) / n_steps
    return (
        (_riemann(g, x, baseline, k / n_steps), HINT_LEFT),
        (_riemann(g, x, baseline, (k + 1) / n_steps), HINT_RIGHT),
        (_riemann(g, x, baseline, np.linspace(0, 1, n_steps)), HINT_LINSPACE),
        (_riemann(g, x, baseline, np.arange(n_steps + 1) / n_steps), HINT_ENDPOINTS),
        (_riemann(g, x, baseline, mid, delta=np.ones_like(x)), HINT_NO_DELTA),
        (_riemann(g, x, baseline, mid, delta=x), HINT_TIMES_X),
        (_riemann(g, x, baseline, mid, mean=False), HINT_SUM),
        (_riemann(g, x, baseline, mid, points=lambda a: a * x, delta=x), HINT_ZERO_BASELINE),
        (_riemann(g, x, baseline, mid, points=lambda a: a * x), HINT_PATH),
        (-reference_integrated_gradients_riemann(g, x, baseline, n_steps), HINT_DIRECTION),
    )


def _gap_line(received, model, x, baseline) -> tuple[str, np.ndarray | None]:
    """The completeness gap of the learner's result, when it has the shape of x."""
    change = model(x) - model(baseline)  # (n,): what the attributions should add up to
    try:
        got = as_array(received, "your attributions", dtype=None)
    except Wrong:
        return "", None
    if got.shape != x.shape:
        return "", None
    got = got.astype(float)
    gap = change - got.reshape(len(x), -1).sum(axis=1)
    return (
        f"completeness gap of your result, f(x) − f(baseline) − Σ attributions: {np.array2string(gap, precision=4)}"
        f" (f(x) − f(baseline) = {np.array2string(change, precision=3)})"
    ), gap / change


@exercise("Exercise 1: integrated gradients by a Riemann sum")
def integrated_gradients(fn) -> CheckResult:
    """Check ``fn(grad_fn, x, baseline, n_steps)`` is the midpoint-rule integrated gradients, on two problems."""
    crash_hints = (
        (ValueError, "grad_fn takes a batch", HINT_GRAD_FN),
        (ValueError, "could not be broadcast", HINT_ANY_SHAPE),
    )
    cases, gaps, steps = [], [], []
    for description, (settings, x, baseline, n_steps) in _ig_problems().items():
        model = _SmoothModel(**settings)
        expected = reference_integrated_gradients_riemann(model.grad, x, baseline, n_steps)
        mistakes = _ig_mistakes(model.grad, x, baseline, n_steps)  # computed before the learner's code runs
        with case(description, label="problem"):  # the learner's grad_fn belongs to a model of its own
            received = call(
                fn,
                _SmoothModel(**settings).grad,
                x,
                baseline,
                n_steps,
                name="integrated_gradients_riemann",
                crash_hints=crash_hints,
            )
        gap_line, relative_gap = _gap_line(received, model, x, baseline)
        cases.append((description, received, expected, mistakes, gap_line))
        gaps.append(relative_gap)
        steps.append(n_steps)
    expect_close_on_each(
        cases,
        label="problem",
        name="your attributions",
        plural=True,
        rtol=1e-6,
        atol=1e-9,
        hint=(
            "average grad_fn(baseline + α (x − baseline)) over α = (k + 0.5) / n_steps, then multiply by (x "
            "− baseline)."
        ),
    )
    worst = max(float(np.max(np.abs(gap))) for gap in gaps)
    return (
        f"correct — your attributions add up to f(x) − f(baseline) up to a completeness gap of "
        f"{100 * worst:.2g} % with only {min(steps)}–{max(steps)} steps; more steps shrink it."
    )


# ---------------------------------------------------------------------------------------------
# Exercise 2: the Grad-CAM map
# ---------------------------------------------------------------------------------------------


def reference_grad_cam_map(feature_maps: np.ndarray, gradients: np.ndarray) -> np.ndarray:
    """``ReLU(Σ_k α_k A_k)`` with ``α_k`` the mean over positions of ``∂y/∂A_k``; shape (n, h, w)."""
    feature_maps, gradients = np.asarray(feature_maps, dtype=float), np.asarray(gradients, dtype=float)
    weights = gradients.mean(axis=(1, 2))  # (n, c)
    return np.maximum(np.einsum("nhwc,nc->nhw", feature_maps, weights), 0.0)


def _cam_problems() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    problems = {}
    for seed, shape in ((2, (2, 5, 4, 3)), (3, (3, 4, 6, 5))):
        rng = np.random.default_rng(seed)
        A = np.maximum(rng.normal(size=shape), 0.0)  # (n, h, w, c): post-ReLU feature maps
        dA = rng.normal(size=shape) + rng.normal(0.0, 0.3, size=shape[-1])  # (n, h, w, c): gradients of the class score
        problems[f"{shape[0]} examples, {shape[1]} × {shape[2]} positions, {shape[3]} channels"] = (A, dA)
    return problems


def _cam_mistakes(A: np.ndarray, dA: np.ndarray) -> tuple[tuple[np.ndarray, str], ...]:
    weights = dA.mean(axis=(1, 2))  # (n, c)
    linear = np.einsum("nhwc,nc->nhw", A, weights)
    cam = np.maximum(linear, 0.0)
    return (
        (linear, HINT_NO_RELU),
        (np.maximum((A * dA.mean(axis=3, keepdims=True)).sum(axis=3), 0.0), HINT_WRONG_AXES),
        (np.maximum(linear * A.shape[1] * A.shape[2], 0.0), HINT_SUM_POSITIONS),
        (np.maximum((A * dA).sum(axis=3), 0.0), HINT_ELEMENTWISE),
        ((A * dA).sum(axis=3), HINT_ELEMENTWISE + " " + HINT_NO_RELU),
        (np.maximum(linear / A.shape[3], 0.0), HINT_MEAN_CHANNELS),
        (np.maximum(np.einsum("nhwc,c->nhw", A, dA.mean(axis=(0, 1, 2))), 0.0), HINT_BATCH_AXIS),
        (
            np.einsum("nhwc,nc->nhw", A, np.maximum(weights, 0.0)),
            HINT_RELU_EARLY,
        ),  # = ReLU of each channel's map, as A ≥ 0
        (cam / np.maximum(cam.max(axis=(1, 2), keepdims=True), 1e-12), HINT_NORMALIZED),
        (
            weights,
            "those look like the channel weights; now weight the feature maps by them and sum over channels, "
            "shape (n, h, w).",
        ),
    )


@exercise("Exercise 2: the Grad-CAM map")
def grad_cam_map(fn) -> CheckResult:
    """Check ``fn(feature_maps, gradients)`` returns ``ReLU(Σ_k mean(∂y/∂A_k) A_k)``, shape (n, h, w), on two
    batches."""
    cases = []
    for description, (A, dA) in _cam_problems().items():
        with case(description, label="feature maps"):
            received = call(fn, A, dA, name="grad_cam_map")
        cases.append((description, received, reference_grad_cam_map(A, dA), _cam_mistakes(A, dA)))
    expect_close_on_each(
        cases,
        label="feature maps",
        name="your map",
        hint="weights = gradients.mean(axis=(1, 2)); map = ReLU(Σ_k weights[:, k] · A[..., k]).",
    )
    return (
        "correct — Grad-CAM is a linear model over feature maps: one averaged-gradient weight per channel, then a ReLU."
    )
