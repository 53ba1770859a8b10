"""Every outcome of every check of notebook 06: correct, not attempted, wrong (with the targeted
hint for each realistic slip, and the completeness gap), crashed."""

import numpy as np
import pytest

from course_utils.checks import gradient_attributions as check


def not_attempted(*args):
    raise NotImplementedError()


def crashes(*args):
    return np.asarray(args[1]).sume()  # a typo


def text(result) -> str:
    return "\n".join((result.message, *result.details))


# ---------------------------------------------------------------- Exercise 1: integrated gradients


def ig_midpoint(grad_fn, x, baseline, n_steps):
    """The intended solution, written as a learner would (a loop over the steps)."""
    total = np.zeros_like(x)
    for k in range(n_steps):
        alpha = (k + 0.5) / n_steps
        total += grad_fn(baseline + alpha * (x - baseline))
    return (x - baseline) * total / n_steps


def ig_vectorized(grad_fn, x, baseline, n_steps):
    alphas = ((np.arange(n_steps) + 0.5) / n_steps)[:, None, None]  # (n_steps, 1, 1)
    return (x - baseline) * grad_fn(baseline + alphas * (x - baseline)).mean(axis=0)


def test_integrated_gradients_correct_and_reports_the_completeness_gap():
    for fn in (ig_midpoint, ig_vectorized, check.reference_integrated_gradients_riemann):
        result = check.integrated_gradients(fn)
        assert result.status == "correct", text(result)
        assert "completeness gap" in result.message and "%" in result.message


def test_integrated_gradients_not_attempted_crashed_none():
    assert check.integrated_gradients(not_attempted).status == "not attempted"
    crashed = check.integrated_gradients(crashes)
    assert crashed.status == "crashed" and "AttributeError" in text(crashed)
    assert "forget `return`" in check.integrated_gradients(lambda *a: None).message


def _rule(alphas_of, *, delta="x-b", mean=True, path="b+a(x-b)", sign=1.0):
    def fn(grad_fn, x, baseline, n_steps):
        alphas = alphas_of(n_steps)
        points = [baseline + a * (x - baseline) if path == "b+a(x-b)" else a * x for a in alphas]
        total = sum(grad_fn(p) for p in points)
        total = total / n_steps if mean else total
        factor = {"x-b": x - baseline, "x": x, "none": 1.0}[delta]
        return sign * factor * total
    return fn


mid = lambda n: (np.arange(n) + 0.5) / n  # noqa: E731
IG_MISTAKES = {
    "left ends": (_rule(lambda n: np.arange(n) / n), check.HINT_LEFT),
    "right ends": (_rule(lambda n: (np.arange(n) + 1) / n), check.HINT_RIGHT),
    "linspace": (_rule(lambda n: np.linspace(0, 1, n)), check.HINT_LINSPACE),
    "no x - baseline": (_rule(mid, delta="none"), check.HINT_NO_DELTA),
    "times x": (_rule(mid, delta="x"), check.HINT_TIMES_X),
    "sum for mean": (_rule(mid, mean=False), check.HINT_SUM),
    "path ignores the baseline": (_rule(mid, path="a*x"), check.HINT_PATH),
    "baseline - x": (_rule(mid, sign=-1.0), check.HINT_DIRECTION),
}


@pytest.mark.parametrize("mistake", list(IG_MISTAKES))
def test_integrated_gradients_targeted_hints_and_the_gap(mistake):
    fn, hint = IG_MISTAKES[mistake]
    result = check.integrated_gradients(fn)
    assert result.status == "wrong", text(result)
    assert hint in text(result)
    assert "completeness gap of your result" in text(result)
    assert result.details[-1].startswith("Hint: ")  # the gap line comes before the hint


def test_integrated_gradients_wrong_shape_gets_the_generic_shape_hint():
    result = check.integrated_gradients(lambda g, x, b, n: ig_midpoint(g, x, b, n).sum(axis=1))
    assert result.status == "wrong" and "shape (3,), expected (3, 6)" in result.message
    assert "completeness gap" not in text(result)


def test_the_reference_riemann_sum_is_the_library_integrated_gradients():
    """The exercise and course_utils.gradients compute the same thing (on the pretrained MLP)."""
    from course_utils.datasets import load_mnist
    from course_utils.gradients import integrated_gradients, saliency
    from course_utils.models import load_pretrained, logits_model

    _, (x, _) = load_mnist()
    model = logits_model(load_pretrained("mlp"))
    x, baseline, target = x[:2], np.full((2, 28, 28), 0.1, np.float32), np.array([3, 7])

    def grad_fn(points):
        return saliency(model, points.astype(np.float32), target=target).values

    ours = check.reference_integrated_gradients_riemann(grad_fn, x, baseline, 10)
    library = integrated_gradients(model, x, target=target, baseline=0.1, n_steps=10).values
    np.testing.assert_allclose(ours, library, rtol=1e-4, atol=1e-6)


def test_the_toy_model_gradient_is_its_centred_difference():
    model = check._SmoothModel()
    x = np.random.default_rng(1).normal(size=(2, 6))
    h = 1e-6
    numeric = np.stack([(model(x + h * e) - model(x - h * e)) / (2 * h) for e in np.eye(6)], axis=1)
    np.testing.assert_allclose(model.grad(x), numeric, rtol=1e-6, atol=1e-9)


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


def test_grad_cam_map_correct_not_attempted_crashed():
    assert check.grad_cam_map(cam_by_loops).status == "correct"
    assert check.grad_cam_map(check.reference_grad_cam_map).status == "correct"
    assert check.grad_cam_map(not_attempted).status == "not attempted"
    crashed = check.grad_cam_map(crashes)
    assert crashed.status == "crashed" and "AttributeError" in text(crashed)
    assert "forget `return`" in check.grad_cam_map(lambda A, dA: None).message


CAM_MISTAKES = {
    "no relu": (lambda A, dA: np.einsum("nhwc,nc->nhw", A, dA.mean(axis=(1, 2))), check.HINT_NO_RELU),
    "mean over channels of the gradient": (lambda A, dA: np.maximum((A * dA.mean(axis=-1, keepdims=True)).sum(-1), 0), check.HINT_WRONG_AXES),
    "sum over positions": (lambda A, dA: np.maximum(np.einsum("nhwc,nc->nhw", A, dA.sum(axis=(1, 2))), 0), check.HINT_SUM_POSITIONS),
    "gradient x activation": (lambda A, dA: np.maximum((A * dA).sum(-1), 0), check.HINT_ELEMENTWISE),
    "mean over channels": (lambda A, dA: np.maximum((A * dA.mean(axis=(1, 2))[:, None, None, :]).mean(-1), 0), check.HINT_MEAN_CHANNELS),
}


@pytest.mark.parametrize("mistake", list(CAM_MISTAKES))
def test_grad_cam_map_targeted_hints(mistake):
    fn, hint = CAM_MISTAKES[mistake]
    result = check.grad_cam_map(fn)
    assert result.status == "wrong", text(result)
    assert hint in text(result)


def test_grad_cam_map_returning_the_weights_is_recognized():
    result = check.grad_cam_map(lambda A, dA: dA.mean(axis=(1, 2)))
    assert result.status == "wrong" and "channel weights" in text(result)
