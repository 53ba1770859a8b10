"""course_utils.gradients against independent references.

- a linear Dense model: integrated gradients are exactly ``w * (x - baseline)`` for any baseline;
- a tiny tanh network whose gradient is written in closed form in NumPy: saliency, gradient ×
  input, SmoothGrad (same noise, drawn here) and integrated gradients (Gauss–Legendre quadrature
  of the closed-form gradient along the path);
- a tiny CNN with hand-set weights: Grad-CAM's feature maps, gradients, weights and map computed
  in NumPy, upsampled with scikit-image.
"""

import numpy as np
import pytest

import course_utils  # noqa: F401  (quiet TensorFlow)
import keras
from skimage.transform import resize

from course_utils.gradients import (
    conv_layer_names,
    grad_cam,
    gradient_x_input,
    integrated_gradients,
    saliency,
    smoothgrad,
)

RNG = np.random.default_rng(42)


# --------------------------------------------------------------------------- toy models
def _linear_model(d=4, k=3, seed=0):
    """f(x) = x @ W + b with W, b set by hand."""
    rng = np.random.default_rng(seed)
    W, b = rng.normal(size=(d, k)), rng.normal(size=k)
    model = keras.Sequential([keras.Input((d,)), keras.layers.Dense(k)])
    model.layers[0].set_weights([W.astype(np.float32), b.astype(np.float32)])
    return model, W.astype(np.float32).astype(float), b.astype(np.float32).astype(float)


class TanhNet:
    """f(x) = tanh(x @ W1 + b1) @ W2 + b2 (optionally softmaxed), in Keras and in closed form."""

    def __init__(self, d=5, h=8, k=3, *, softmax=False, seed=1):
        rng = np.random.default_rng(seed)
        f32 = lambda a: a.astype(np.float32).astype(float)  # noqa: E731  (the weights Keras holds)
        self.W1, self.b1 = f32(rng.normal(size=(d, h))), f32(rng.normal(size=h) * 0.3)
        self.W2, self.b2 = f32(rng.normal(size=(h, k))), f32(rng.normal(size=k) * 0.3)
        self.softmax = softmax
        self.model = keras.Sequential([
            keras.Input((d,)),
            keras.layers.Dense(h, activation="tanh"),
            keras.layers.Dense(k, activation="softmax" if softmax else None),
        ])
        self.model.layers[0].set_weights([self.W1.astype(np.float32), self.b1.astype(np.float32)])
        self.model.layers[1].set_weights([self.W2.astype(np.float32), self.b2.astype(np.float32)])

    def logits(self, x):
        return np.tanh(x @ self.W1 + self.b1) @ self.W2 + self.b2  # (n, k)

    def __call__(self, x):
        z = self.logits(x)
        if not self.softmax:
            return z
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def grad(self, x, target):
        """∂f(x)[i, target[i]] / ∂x[i] in closed form, (n, d)."""
        x = np.asarray(x, dtype=float)
        target = np.broadcast_to(target, (len(x),))
        u = 1 - np.tanh(x @ self.W1 + self.b1) ** 2  # (n, h)
        # gradient of every logit: dz_j/dx = W1 @ (u * W2[:, j])  -> (n, d, k)
        g_logits = np.einsum("dh,nh,hk->ndk", self.W1, u, self.W2)
        rows = np.arange(len(x))
        if not self.softmax:
            return g_logits[rows, :, target]
        p = self(x)  # (n, k)
        mean_grad = np.einsum("ndk,nk->nd", g_logits, p)
        return p[rows, target][:, None] * (g_logits[rows, :, target] - mean_grad)


@pytest.fixture(scope="module")
def tanh_net():
    return TanhNet()


@pytest.fixture(scope="module")
def tanh_softmax():
    return TanhNet(softmax=True, seed=3)


def _x(n=6, d=5, seed=0):
    return np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)


# --------------------------------------------------------------------------- saliency, gradient x input
@pytest.mark.parametrize("which", ["tanh_net", "tanh_softmax"])
def test_saliency_equals_the_closed_form_gradient(which, request):
    net = request.getfixturevalue(which)
    x = _x()
    result = saliency(net.model, x, target=1)
    np.testing.assert_allclose(result.values, net.grad(x, 1), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(result.outputs, net(x)[:, 1], rtol=1e-5, atol=1e-6)
    assert result.values.shape == x.shape and result.method == "saliency"
    assert np.isnan(result.base_values).all()  # a slope is not a share of the output


def test_saliency_matches_centred_differences_of_the_model_function(tanh_softmax):
    x = _x(3).astype(float)
    h = 1e-5
    numeric = np.zeros_like(x)
    for j in range(x.shape[1]):
        step = np.zeros_like(x)
        step[:, j] = h
        numeric[:, j] = (tanh_softmax(x + step)[:, 2] - tanh_softmax(x - step)[:, 2]) / (2 * h)
    np.testing.assert_allclose(saliency(tanh_softmax.model, x, target=2).values, numeric, rtol=1e-4, atol=1e-6)


def test_gradient_x_input_is_gradient_times_input_with_f0_as_base(tanh_net):
    x = _x()
    result = gradient_x_input(tanh_net.model, x, target=0)
    np.testing.assert_allclose(result.values, tanh_net.grad(x, 0) * x, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(result.base_values, tanh_net(np.zeros((1, 5)))[0, 0], rtol=1e-5)


def test_gradient_x_input_is_complete_for_a_linear_model():
    model, W, b = _linear_model()
    x = _x(4, 4)
    result = gradient_x_input(model, x, target=2)
    np.testing.assert_allclose(result.values, W[:, 2] * x, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(result.base_values, b[2], rtol=1e-6)
    np.testing.assert_allclose(result.completeness_gap(), 0.0, atol=1e-5)


# --------------------------------------------------------------------------- target semantics, batching
def test_target_none_int_and_array(tanh_net):
    x = _x(6)
    predicted = tanh_net(x).argmax(axis=1)
    assert saliency(tanh_net.model, x).target.tolist() == predicted.tolist()
    np.testing.assert_allclose(saliency(tanh_net.model, x).values, tanh_net.grad(x, predicted), rtol=1e-4, atol=1e-6)
    assert saliency(tanh_net.model, x, target=2).target.tolist() == [2] * 6
    per_example = np.array([0, 1, 2, 2, 1, 0])
    result = saliency(tanh_net.model, x, target=per_example)
    assert result.target.tolist() == per_example.tolist()
    np.testing.assert_allclose(result.values, tanh_net.grad(x, per_example), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    "explain",
    [
        saliency,
        gradient_x_input,
        lambda m, x, target=None: smoothgrad(m, x, target=target, n_samples=8, noise_level=0.0),
        lambda m, x, target=None: integrated_gradients(m, x, target=target, baseline=0.3, n_steps=20),
    ],
    ids=["saliency", "gradient_x_input", "smoothgrad", "integrated_gradients"],
)
def test_a_batch_gives_the_same_rows_as_one_example_at_a_time(explain, tanh_net):
    x = _x(4)
    batch = explain(tanh_net.model, x, target=np.array([0, 1, 2, 0]))
    for i, t in enumerate([0, 1, 2, 0]):
        one = explain(tanh_net.model, x[i:i + 1], target=t)
        np.testing.assert_allclose(one.values[0], batch.values[i], rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(one.outputs[0], batch.outputs[i], rtol=1e-6)


def test_a_single_output_model_needs_no_target():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    W = np.array([[1.0], [-2.0], [0.5]], dtype=np.float32)
    model.layers[0].set_weights([W, np.zeros(1, np.float32)])
    result = integrated_gradients(model, np.ones((2, 3)), n_steps=3)
    assert result.target is None
    np.testing.assert_allclose(result.values, np.tile(W[:, 0], (2, 1)), rtol=1e-6)


# --------------------------------------------------------------------------- SmoothGrad
def test_smoothgrad_is_the_mean_gradient_at_the_same_noisy_points(tanh_net):
    x = _x(3)
    n_samples, noise_level, seed = 12, 0.2, 7
    result = smoothgrad(tanh_net.model, x, target=None, n_samples=n_samples, noise_level=noise_level, seed=seed)
    # by hand: sigma is a fraction of each example's range; the target is the clean prediction
    target = tanh_net(x).argmax(axis=1)
    sigma = noise_level * (x.max(axis=1) - x.min(axis=1))  # (n,)
    noise = np.random.default_rng(seed).normal(size=(n_samples, *x.shape)) * sigma[None, :, None]
    noisy = (x[None] + noise).astype(np.float32)  # the precision the model sees
    expected = np.mean([tanh_net.grad(points, target) for points in noisy], axis=0)
    np.testing.assert_allclose(result.values, expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(result.outputs, tanh_net(x)[np.arange(3), target], rtol=1e-5)
    assert result.target.tolist() == target.tolist()
    np.testing.assert_allclose(result.extras["sigma"], sigma, rtol=1e-6)


def test_smoothgrad_draws_the_same_noise_when_split_into_several_calls(tanh_net):
    x = _x(300)  # 1024 // 300 = 3 noisy copies per call: 5 samples take two calls
    result = smoothgrad(tanh_net.model, x, target=1, n_samples=5, noise_level=0.1, seed=3)
    sigma = 0.1 * (x.max(axis=1) - x.min(axis=1))
    noise = np.random.default_rng(3).normal(size=(5, *x.shape)) * sigma[None, :, None]
    expected = np.mean([tanh_net.grad((x + e).astype(np.float32), 1) for e in noise], axis=0)
    np.testing.assert_allclose(result.values, expected, rtol=1e-4, atol=1e-6)


def test_smoothgrad_without_noise_is_the_wrapped_method(tanh_net):
    x = _x(3)
    np.testing.assert_allclose(smoothgrad(tanh_net.model, x, noise_level=0.0, n_samples=4).values,
                               saliency(tanh_net.model, x).values, rtol=1e-6, atol=1e-8)
    wrapped = smoothgrad(tanh_net.model, x, noise_level=0.0, n_samples=4, method=gradient_x_input, target=1)
    direct = gradient_x_input(tanh_net.model, x, target=1)
    np.testing.assert_allclose(wrapped.values, direct.values, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(wrapped.base_values, direct.base_values, rtol=1e-6)
    assert wrapped.method == "smoothgrad (gradient × input)"


def test_smoothgrad_same_seed_same_result_other_seed_other_result(tanh_net):
    x = _x(2)
    a = smoothgrad(tanh_net.model, x, n_samples=6, seed=5).values
    b = smoothgrad(tanh_net.model, x, n_samples=6, seed=5).values
    c = smoothgrad(tanh_net.model, x, n_samples=6, seed=6).values
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)


# --------------------------------------------------------------------------- integrated gradients
@pytest.mark.parametrize(
    "baseline",
    [None, 0.5, "one example", "one per example"],
)
def test_integrated_gradients_of_a_linear_model_is_exactly_w_times_x_minus_baseline(baseline):
    model, W, b = _linear_model()
    x = _x(5, 4, seed=1)
    if baseline == "one example":
        baseline = RNG.normal(size=4).astype(np.float32)
    elif baseline == "one per example":
        baseline = RNG.normal(size=(5, 4)).astype(np.float32)
    result = integrated_gradients(model, x, target=1, baseline=baseline, n_steps=3)
    base = np.zeros_like(x) if baseline is None else np.broadcast_to(np.asarray(baseline, dtype=float), x.shape)
    np.testing.assert_allclose(result.values, W[:, 1] * (x - base), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(result.base_values, base @ W[:, 1] + b[1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(result.outputs, x @ W[:, 1] + b[1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(result.completeness_gap(), 0.0, atol=1e-5)  # exact, whatever n_steps


def _ig_by_quadrature(net, x, baseline, target, n_nodes=64):
    """∫₀¹ of the closed-form gradient along the path, by Gauss–Legendre quadrature."""
    nodes, weights = np.polynomial.legendre.leggauss(n_nodes)
    alphas, weights = (nodes + 1) / 2, weights / 2  # from [-1, 1] to [0, 1]
    avg = sum(w * net.grad(baseline + a * (x - baseline), target) for a, w in zip(alphas, weights))
    return (x - baseline) * avg


@pytest.mark.parametrize("which", ["tanh_net", "tanh_softmax"])
def test_integrated_gradients_matches_quadrature_and_is_complete_at_300_steps(which, request):
    net = request.getfixturevalue(which)
    x = _x(4)
    baseline = np.full_like(x, 0.2)
    target = net(x).argmax(axis=1)
    result = integrated_gradients(net.model, x, baseline=0.2, n_steps=300)
    expected = _ig_by_quadrature(net, x.astype(float), baseline, target)
    np.testing.assert_allclose(result.values, expected, rtol=1e-3, atol=1e-5)
    change = net(x)[np.arange(4), target] - net(baseline)[np.arange(4), target]
    assert np.all(np.abs(result.completeness_gap()) < 0.01 * np.abs(change))


def test_integrated_gradients_midpoint_rule_with_few_steps(tanh_net):
    x, n_steps = _x(2), 3
    alphas = (np.arange(n_steps) + 0.5) / n_steps  # the documented rule
    expected = x * np.mean([tanh_net.grad(a * x, 0) for a in alphas], axis=0)
    result = integrated_gradients(tanh_net.model, x, target=0, n_steps=n_steps)
    np.testing.assert_allclose(result.values, expected, rtol=1e-4, atol=1e-6)
    assert result.extras["rule"] == "midpoint" and result.extras["n_steps"] == 3


def test_integrated_gradients_does_not_depend_on_batch_size(tanh_net):
    x = _x(3)
    a = integrated_gradients(tanh_net.model, x, n_steps=10, batch_size=7).values
    b = integrated_gradients(tanh_net.model, x, n_steps=10).values
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)


def test_integrated_gradients_target_is_fixed_at_x_not_at_the_baseline(tanh_net):
    x = _x(4)
    result = integrated_gradients(tanh_net.model, x, baseline=-1.0, n_steps=5)
    assert result.target.tolist() == tanh_net(x).argmax(axis=1).tolist()


# --------------------------------------------------------------------------- Grad-CAM
def _tiny_cnn(*, softmax=False, functional=False, seed=0):
    """4×4 image → Conv2D(2 filters, 2×2, valid, relu) → (3, 3, 2) → Flatten → Dense(3)."""
    rng = np.random.default_rng(seed)
    kernel = rng.normal(size=(2, 2, 1, 2)).astype(np.float32)
    bias = np.array([0.1, -0.2], np.float32)
    W = rng.normal(size=(18, 3)).astype(np.float32)
    b = rng.normal(size=3).astype(np.float32)
    layers = [
        keras.layers.Reshape((4, 4, 1)),
        keras.layers.Conv2D(2, 2, activation="relu", name="maps"),
        keras.layers.Flatten(),
        keras.layers.Dense(3, activation="softmax" if softmax else None),
    ]
    if functional:
        inputs = keras.Input((4, 4))
        h = inputs
        for layer in layers:
            h = layer(h)
        model = keras.Model(inputs, h)
    else:
        model = keras.Sequential([keras.Input((4, 4)), *layers])
    model.get_layer("maps").set_weights([kernel, bias])
    layers[-1].set_weights([W, b])
    return model, kernel.astype(float), bias.astype(float), W.astype(float), b.astype(float)


def _grad_cam_by_hand(x, kernel, bias, W, b, target, softmax):
    """Feature maps, their gradients, the weights and the map, in NumPy."""
    n = len(x)
    A = np.zeros((n, 3, 3, 2))
    for i in range(3):
        for j in range(3):
            patch = x[:, i : i + 2, j : j + 2]  # (n, 2, 2)
            A[:, i, j, :] = np.einsum("nab,abk->nk", patch, kernel[:, :, 0, :]) + bias
    A = np.maximum(A, 0.0)
    z = A.reshape(n, 18) @ W + b  # (n, 3)
    rows = np.arange(n)
    dA = W[:, target].T  # (n, 18): the gradient of logit target[i] w.r.t. the flattened maps
    if softmax:
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        dA = p[rows, target][:, None] * (dA - p @ W.T)
    dA = dA.reshape(n, 3, 3, 2)
    alpha = dA.mean(axis=(1, 2))  # (n, 2)
    cam = np.maximum(np.einsum("nhwk,nk->nhw", A, alpha), 0.0)
    return cam, alpha, A, dA


@pytest.mark.parametrize("softmax", [False, True])
@pytest.mark.parametrize("functional", [False, True])
def test_grad_cam_equals_the_hand_computation(softmax, functional):
    model, kernel, bias, W, b = _tiny_cnn(softmax=softmax, functional=functional)
    x = np.random.default_rng(1).uniform(0, 1, size=(5, 4, 4)).astype(np.float32)
    target = np.array([0, 1, 2, 1, 0])
    result = grad_cam(model, x, target=target)
    cam, alpha, A, dA = _grad_cam_by_hand(x.astype(float), kernel, bias, W, b, target, softmax)
    assert cam.max() > 0  # the test would be vacuous if the ReLU zeroed everything
    np.testing.assert_allclose(result.extras["feature_maps"], A, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(result.extras["gradients"], dA, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(result.extras["weights"], alpha, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(result.extras["map"], cam, rtol=1e-4, atol=1e-7)
    upsampled = np.stack([resize(c, (4, 4), order=1, mode="edge", anti_aliasing=False) for c in cam])
    np.testing.assert_allclose(result.values, upsampled, rtol=1e-4, atol=1e-6)
    assert result.values.shape == x.shape and result.extras["layer_name"] == "maps"
    assert np.isnan(result.base_values).all()


def test_grad_cam_uses_the_last_conv_layer_by_type_and_accepts_a_name():
    model = keras.Sequential(
        [
            keras.Input((6, 6, 1)),
            keras.layers.Conv2D(2, 3, padding="same", activation="relu", name="first"),
            keras.layers.Conv2D(3, 3, padding="same", activation="relu", name="second"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(2),
        ]
    )
    x = np.random.default_rng(0).uniform(size=(2, 6, 6, 1)).astype(np.float32)
    assert conv_layer_names(model) == ["first", "second"]
    assert grad_cam(model, x).extras["layer_name"] == "second"
    first = grad_cam(model, x, layer_name="first")
    assert first.extras["weights"].shape == (2, 2)
    # same spatial size: nothing to upsample; one map for the single channel
    np.testing.assert_allclose(first.values[..., 0], first.extras["map"], rtol=1e-6)


def test_grad_cam_on_the_pretrained_cnn_uses_last_conv():
    from course_utils.datasets import load_mnist
    from course_utils.models import load_pretrained, logits_model

    _, (x, _) = load_mnist()
    result = grad_cam(logits_model(load_pretrained("cnn")), x[:3])
    assert result.extras["layer_name"] == "last_conv"
    assert result.values.shape == (3, 28, 28) and result.extras["map"].shape == (3, 14, 14)
    assert (result.values >= 0).all()


def test_grad_cam_on_the_pooled_cnn_is_cam():
    """After global average pooling, d logit_c / d A_k[i, j] = W[k, c] / (h w) at every position:
    Grad-CAM's weights are CAM's Dense weights scaled by 1 / (h w) (Zhou et al. 2016), and the
    unclipped map sums to the logit minus its bias."""
    from course_utils.datasets import load_mnist
    from course_utils.models import load_pretrained, logits_model

    _, (x, _) = load_mnist()
    cnn = load_pretrained("cnn")
    target = np.array([0, 3, 7, 9, 2])
    result = grad_cam(logits_model(cnn), x[:5], target=target)
    W, b = cnn.get_layer("output").get_weights()
    A = result.extras["feature_maps"].astype(np.float64)  # (5, h, w, k)
    h, w = A.shape[1:3]
    np.testing.assert_allclose(result.extras["weights"], W[:, target].T / (h * w), rtol=1e-5, atol=1e-8)
    cam = np.einsum("nijk,kn->nij", A, W[:, target]) / (h * w)  # CAM from the Dense weights
    np.testing.assert_allclose(result.extras["map"], np.maximum(cam, 0.0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(cam.sum(axis=(1, 2)) + b[target], result.outputs, rtol=1e-4, atol=1e-4)


# --------------------------------------------------------------------------- learner-facing errors
def test_missing_batch_axis_says_x_none(tanh_net):
    with pytest.raises(ValueError, match=r"Pass x\[None\] for one example"):
        saliency(tanh_net.model, np.zeros(5))
    model, *_ = _tiny_cnn()
    with pytest.raises(ValueError, match=r"expected a batch of shape \(n, 4, 4\); got \(4, 4\)\. Pass x\[None\]"):
        grad_cam(model, np.zeros((4, 4)))


def test_wrong_layer_name_lists_the_conv_layers():
    model, *_ = _tiny_cnn()
    with pytest.raises(ValueError, match=r"no conv layer named 'conv'; its conv layers are: maps"):
        grad_cam(model, np.zeros((1, 4, 4)), layer_name="conv")


def test_grad_cam_on_a_model_without_conv_layers(tanh_net):
    model = keras.Sequential([keras.Input((4, 4)), keras.layers.Flatten(), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match=r"needs a convolutional layer.*use saliency or integrated_gradients"):
        grad_cam(model, np.zeros((1, 4, 4)))
    with pytest.raises(ValueError, match=r"grad_cam explains images"):
        grad_cam(tanh_net.model, np.zeros((1, 5)))


@pytest.mark.parametrize("n_steps", [0, -3, 2.5, True])
def test_n_steps_must_be_a_positive_int(n_steps, tanh_net):
    with pytest.raises(ValueError, match=r"n_steps is the number of gradient evaluations.*an int >= 1"):
        integrated_gradients(tanh_net.model, _x(1), n_steps=n_steps)


def test_baseline_of_the_wrong_shape(tanh_net):
    with pytest.raises(ValueError, match=r"baseline has shape \(3,\) but x has shape \(2, 5\)\. Give a number"):
        integrated_gradients(tanh_net.model, _x(2), baseline=np.zeros(3))


def test_batch_size_must_be_a_positive_int(tanh_net):
    with pytest.raises(ValueError, match=r"batch_size is the number of path points per pass"):
        integrated_gradients(tanh_net.model, _x(1), batch_size=0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(n_samples=0), r"n_samples is the number of noisy copies"),
        (dict(noise_level=-0.1), r"noise_level is the noise's standard deviation as a fraction of the input range"),
    ],
)
def test_smoothgrad_options(kwargs, message, tanh_net):
    with pytest.raises(ValueError, match=message):
        smoothgrad(tanh_net.model, _x(1), **kwargs)
    with pytest.raises(TypeError, match=r"method should be an attribution function"):
        smoothgrad(tanh_net.model, _x(1), method="saliency")


def test_targets_are_checked_by_the_shared_rules(tanh_net):
    with pytest.raises(ValueError, match=r"target classes must be in 0\.\.2"):
        saliency(tanh_net.model, _x(2), target=3)
    with pytest.raises(ValueError, match=r"give one class per example, shape \(2,\)"):
        integrated_gradients(tanh_net.model, _x(2), target=np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"give one class per example, shape \(2,\)"):
        saliency(tanh_net.model, _x(2), target=np.array([0, 1, 2]))


def test_a_numpy_function_is_not_differentiable(tanh_net):
    with pytest.raises(ValueError, match=r"has no gradient with respect to x.*not model\.predict"):
        saliency(lambda x: tanh_net(np.asarray(x)), _x(2))
    with pytest.raises(TypeError, match=r"model should be a Keras model"):
        saliency("mlp", _x(2))


def test_grad_cam_on_a_subclassed_model_says_to_rebuild_it():
    class Sub(keras.Model):
        def __init__(self):
            super().__init__(name="sub")
            self.conv = keras.layers.Conv2D(2, 3, name="conv")
            self.head = keras.layers.Dense(2)

        def call(self, x):
            return self.head(keras.ops.mean(self.conv(x), axis=(1, 2)))

    model = Sub()
    x = np.zeros((1, 5, 5, 1), np.float32)
    model(x)
    with pytest.raises(
        TypeError,
        match=r"grad_cam needs a Sequential or functional Keras model; 'sub' is a subclassed model"
        r".*Rebuild it as a Sequential or functional model",
    ):
        grad_cam(model, x)


def test_integrated_gradients_agree_with_shap_gradient_explainer_from_one_baseline(tanh_net):
    """shap's GradientExplainer with a one-row background is a Monte Carlo estimate of the same integral."""
    import shap

    x = _x(n=4, seed=11)
    baseline = np.random.default_rng(12).normal(size=(1, x.shape[1])).astype(np.float32)
    ours = integrated_gradients(
        tanh_net.model, x, baseline=np.repeat(baseline, len(x), axis=0), target=2, n_steps=300
    ).values
    inputs = keras.Input((x.shape[1],))
    as_list = keras.Model([inputs], tanh_net.model(inputs))  # shap passes a list of inputs
    theirs = shap.GradientExplainer(as_list, baseline).shap_values(x, nsamples=4000, rseed=0)[..., 2]  # (4, 5)
    scale = np.abs(ours).max()
    assert np.abs(theirs - ours).max() < 0.05 * scale, (
        np.abs(theirs - ours).max() / scale
    )  # Monte Carlo noise, 4,000 points
    assert np.abs(theirs - ours).max() > 1e-6 * scale  # ... and it is a different estimate, not the same numbers
