"""The wrong answers learners write in notebook 06_gradient_attributions, each with its verdict and
hint (and, for integrated gradients, the completeness gap); answers written differently that are
right; answers that would break a weaker check."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils.checks import CORRECT, CRASHED, WRONG
from course_utils.checks import gradient_attributions as check

from .check_answers import Exercise, assert_verdict, judge, params, text

# ---------------------------------------------------------------- Exercise 1: integrated gradients


def ig_midpoint(grad_fn, x, baseline, n_steps):
    """The intended solution, written as a learner would (a loop over the steps)."""
    total = np.zeros_like(x)
    for k in range(n_steps):
        alpha = (k + 0.5) / n_steps
        total += grad_fn(baseline + alpha * (x - baseline))
    return (x - baseline) * total / n_steps


def ig_vectorized(grad_fn, x, baseline, n_steps):
    alphas = ((np.arange(n_steps) + 0.5) / n_steps).reshape((-1,) + (1,) * x.ndim)  # (n_steps, 1, ..., 1)
    return (x - baseline) * grad_fn(baseline + alphas * (x - baseline)).mean(axis=0)


def ig_linspace_midpoints(grad_fn, x, baseline, n_steps):
    alphas = np.linspace(0.5 / n_steps, 1 - 0.5 / n_steps, n_steps)
    return (x - baseline) * np.mean([grad_fn(baseline + a * (x - baseline)) for a in alphas], axis=0)


def _rule(alphas_of, *, delta="x-b", mean=True, path="b+a(x-b)", sign=1.0):
    def fn(grad_fn, x, baseline, n_steps):
        alphas = alphas_of(n_steps)
        points = [baseline + a * (x - baseline) if path == "b+a(x-b)" else a * x for a in alphas]
        total = sum(grad_fn(p) for p in points)
        total = total / len(alphas) if mean else total
        factor = {"x-b": x - baseline, "x": x, "none": 1.0}[delta]
        return sign * factor * total

    return fn


mid = lambda n: (np.arange(n) + 0.5) / n  # noqa: E731
RIEMANN_SLIPS = [  # each has the shape of x, so the check also reports its completeness gap
    (_rule(lambda n: np.arange(n) / n), check.HINT_LEFT),
    (_rule(lambda n: (np.arange(n) + 1) / n), check.HINT_RIGHT),
    (_rule(lambda n: np.linspace(0, 1, n)), check.HINT_LINSPACE),
    (_rule(lambda n: np.arange(n + 1) / n), check.HINT_ENDPOINTS),
    (_rule(mid, delta="none"), check.HINT_NO_DELTA),
    (_rule(mid, delta="x"), check.HINT_TIMES_X),
    (_rule(mid, mean=False), check.HINT_SUM),
    (_rule(mid, path="a*x"), check.HINT_PATH),
    (_rule(mid, path="a*x", delta="x"), check.HINT_ZERO_BASELINE),
    (_rule(mid, sign=-1.0), check.HINT_DIRECTION),
    (
        lambda g, x, b, n: ig_midpoint(g, x, b, n) + 1e-3,
        "then multiply by (x − baseline)",
    ),  # no known slip: the general hint
]
IG_ANSWERS = [
    (ig_midpoint, CORRECT, "completeness gap of"),
    (ig_vectorized, CORRECT, ""),
    (ig_linspace_midpoints, CORRECT, ""),
    (check.reference_integrated_gradients_riemann, CORRECT, ""),
    *((answer, WRONG, hint) for answer, hint in RIEMANN_SLIPS),
    (lambda g, x, b, n: ig_midpoint(g, x, b, n).sum(axis=1), WRONG, "have shape (3,), expected (3, 6)"),
    (lambda g, x, b, n: g(x.reshape(-1)), WRONG, check.HINT_GRAD_FN),
    (
        lambda g, x, b, n: (x - b) * g(b + mid(n)[:, None, None] * (x - b)).mean(axis=0),
        WRONG,
        "any number of axes",
    ),  # assumes 2-D x
    (lambda g, x, b, n: ig_midpoint(g, x, b, 8), WRONG, "5 steps"),  # hard-coded n_steps
    (lambda g, x, b, n: ig_midpoint(g, x, b, n).tolist(), WRONG, "got a list"),
]


@pytest.mark.parametrize("answer, status, fragment", IG_ANSWERS)
def test_integrated_gradients_answers(answer, status, fragment):
    result = check.integrated_gradients(answer)
    assert_verdict(result, status, fragment)
    if status == WRONG:
        assert result.details[-1].startswith("Hint: ")  # the gap line comes before the hint


@pytest.mark.parametrize("answer, hint", RIEMANN_SLIPS)
def test_every_riemann_slip_reports_the_completeness_gap(answer, hint):
    assert "completeness gap of your result" in text(check.integrated_gradients(answer))


def test_a_result_of_the_wrong_shape_reports_no_gap():
    assert "completeness gap" not in text(
        check.integrated_gradients(lambda g, x, b, n: ig_midpoint(g, x, b, n).sum(axis=1))
    )


def test_the_correct_message_states_the_gap_and_the_steps():
    result = check.integrated_gradients(ig_midpoint)
    assert "completeness gap of" in result.message and "%" in result.message and "5–8 steps" in result.message


def test_the_reference_riemann_sum_is_the_library_integrated_gradients():
    """The exercise and course_utils.gradients compute the same thing (on the pretrained MLP, two digits chosen by
    label)."""
    from course_utils.datasets import load_mnist
    from course_utils.gradients import integrated_gradients, saliency
    from course_utils.models import load_pretrained, logits_model

    _, (x, y) = load_mnist()
    x = np.stack([x[np.flatnonzero(y == 3)[0]], x[np.flatnonzero(y == 7)[0]]])  # independent of the digits' order
    model = logits_model(load_pretrained("mlp"))
    baseline, target = np.full((2, 28, 28), 0.1, np.float32), np.array([3, 7])

    def grad_fn(points):
        return saliency(model, points.astype(np.float32), target=target).values

    ours = check.reference_integrated_gradients_riemann(grad_fn, x, baseline, 10)
    library = integrated_gradients(model, x, target=target, baseline=0.1, n_steps=10).values
    np.testing.assert_allclose(ours, library, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("shape", [(6,), (3, 4)])
def test_the_toy_model_gradient_is_its_centred_difference(shape):
    model = check._SmoothModel(shape=shape, seed=7)
    x = np.random.default_rng(1).normal(size=(2, *shape))
    h = 1e-6
    numeric = np.zeros_like(x)
    for j in np.ndindex(shape):
        e = np.zeros(shape)
        e[j] = h
        numeric[(slice(None), *j)] = (model(x + e) - model(x - e)) / (2 * h)
    np.testing.assert_allclose(model.grad(x), numeric, rtol=1e-6, atol=1e-9)


def test_the_toy_model_says_what_grad_fn_takes():
    with pytest.raises(
        ValueError, match=r"grad_fn takes a batch of points shaped like x, \(n, 3, 4\); got shape \(12,\)"
    ):
        check._SmoothModel(shape=(3, 4)).grad(np.zeros(12))


# ---------------------------------------------------------------- Exercise 2: Grad-CAM map


def cam_by_loops(A, dA):
    """Independent reference: explicit loops over examples, channels and positions."""
    n, h, w, c = A.shape
    out = np.zeros((n, h, w))
    for i in range(n):
        for k in range(c):
            weight = sum(dA[i, r, s, k] for r in range(h) for s in range(w)) / (h * w)
            out[i] += weight * A[i, :, :, k]
    return np.where(out > 0, out, 0.0)


def test_reference_grad_cam_map_equals_the_loops():
    rng = np.random.default_rng(5)
    A, dA = np.maximum(rng.normal(size=(2, 3, 4, 5)), 0), rng.normal(size=(2, 3, 4, 5))
    np.testing.assert_allclose(check.reference_grad_cam_map(A, dA), cam_by_loops(A, dA), rtol=1e-12)


weights_of = lambda dA: dA.mean(axis=(1, 2))  # noqa: E731
CAM_ANSWERS = [
    (cam_by_loops, CORRECT, "linear model over feature maps"),
    (check.reference_grad_cam_map, CORRECT, ""),
    (lambda A, dA: np.maximum((A * dA.mean(axis=(1, 2), keepdims=True)).sum(axis=-1), 0), CORRECT, ""),
    (lambda A, dA: np.maximum(np.einsum("nhwc,nc->nhw", A, weights_of(dA)), 0), CORRECT, ""),
    (lambda A, dA: np.einsum("nhwc,nc->nhw", A, weights_of(dA)), WRONG, check.HINT_NO_RELU),
    (lambda A, dA: np.maximum((A * dA.mean(axis=-1, keepdims=True)).sum(-1), 0), WRONG, check.HINT_WRONG_AXES),
    (lambda A, dA: np.maximum(np.einsum("nhwc,nc->nhw", A, dA.sum(axis=(1, 2))), 0), WRONG, check.HINT_SUM_POSITIONS),
    (lambda A, dA: np.maximum((A * dA).sum(-1), 0), WRONG, check.HINT_ELEMENTWISE),
    (lambda A, dA: (A * dA).sum(-1), WRONG, check.HINT_ELEMENTWISE),
    (lambda A, dA: np.maximum((A * weights_of(dA)[:, None, None, :]).mean(-1), 0), WRONG, check.HINT_MEAN_CHANNELS),
    (lambda A, dA: np.maximum((A * dA.mean(axis=(0, 1, 2))).sum(-1), 0), WRONG, check.HINT_BATCH_AXIS),
    (lambda A, dA: np.einsum("nhwc,nc->nhw", A, np.maximum(weights_of(dA), 0)), WRONG, check.HINT_RELU_EARLY),
    (lambda A, dA: np.maximum(A * weights_of(dA)[:, None, None, :], 0).sum(-1), WRONG, check.HINT_RELU_EARLY),
    (
        lambda A, dA: (m := check.reference_grad_cam_map(A, dA)) / m.max(axis=(1, 2), keepdims=True),
        WRONG,
        check.HINT_NORMALIZED,
    ),
    (lambda A, dA: weights_of(dA), WRONG, "those look like the channel weights"),
    (lambda A, dA: check.reference_grad_cam_map(A, dA)[0], WRONG, "has shape (5, 4), expected (2, 5, 4)"),
    (
        lambda A, dA: np.maximum(np.einsum("nhwc,nc->nhw", A, dA.sum(axis=(1, 2)) / 20), 0),
        WRONG,
        "3 examples, 4 × 6 positions",
    ),  # hard-coded h·w
    (lambda A, dA: check.reference_grad_cam_map(A, dA).tolist(), WRONG, "got a list"),
]


@pytest.mark.parametrize("answer, status, fragment", CAM_ANSWERS)
def test_grad_cam_map_answers(answer, status, fragment):
    assert_verdict(check.grad_cam_map(answer), status, fragment)


def test_a_long_map_is_shown_by_its_first_differing_entries():
    result = check.grad_cam_map(lambda A, dA: check.reference_grad_cam_map(A, dA) + 1.0)
    assert "40 of 40 entries differ; the first ones:" in result.details
    assert any(line.strip().startswith("at [0, 0, 0]: expected") for line in result.details)
    assert all(len(line) < 200 for line in result.details)


def test_a_crash_that_is_no_known_slip_stays_a_crash():
    assert_verdict(check.grad_cam_map(lambda A, dA: A @ dA), CRASHED, "ValueError")


# --- answers that do not depend on the exercise -------------------------------------------------

REFERENCES = {"integrated_gradients": ig_midpoint, "grad_cam_map": check.reference_grad_cam_map}
EXERCISES = {name: Exercise(getattr(check, name), reference, [], {}) for name, reference in REFERENCES.items()}


@pytest.mark.parametrize(*params(EXERCISES))
def test_generic_answers_and_vandals(kind, exercise, answer, expected):
    """Every generic answer gets its verdict; the vandal also reaches through grad_fn into the toy model's weights."""
    judge(kind, exercise, answer, expected)
