"""course_utils.hidden against independent references: NumPy forward passes, scikit-learn, SVD."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

import course_utils  # noqa: F401
import keras

from course_utils import activation_maximization as am
from course_utils import hidden, plots, probes, units
from course_utils.datasets import load_mnist
from course_utils.models import load_pretrained, logits_model

RNG = np.random.default_rng(0)


def relu(z):
    return np.maximum(z, 0.0)


def weights(layer):
    return [np.asarray(w, dtype=np.float64) for w in layer.get_weights()]


@pytest.fixture(scope="module")
def mlp():
    return load_pretrained("mlp")


@pytest.fixture(scope="module")
def x_test():
    return load_mnist()[1][0][:200]


@pytest.fixture(scope="module")
def fitted():
    """The Keras 3 trap: a Sequential model without keras.Input, built only by fit."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential([
        keras.layers.Flatten(name="flat"),
        keras.layers.Dense(5, activation="relu", name="h1"),
        keras.layers.Dropout(0.5, name="drop"),
        keras.layers.Dense(3, activation="softmax", name="out"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.fit(RNG.random((64, 3, 4)).astype("float32"), RNG.integers(0, 3, 64), epochs=1, verbose=0)
    return model


def numpy_fitted(model, x):
    W1, b1 = weights(model.get_layer("h1"))
    W2, b2 = weights(model.get_layer("out"))
    flat = x.reshape(len(x), -1)
    h1 = relu(flat @ W1 + b1)
    z = h1 @ W2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return {"flat": flat, "h1": h1, "drop": h1, "out": e / e.sum(axis=1, keepdims=True)}  # dropout is off at inference


# --- get_activations -------------------------------------------------------------------------


def test_sequential_built_only_by_fit(fitted):
    with pytest.raises((AttributeError, ValueError), match="never been called"):  # ValueError before Keras 3.6
        fitted.input  # the trap: the model has no defined input
    x = RNG.random((7, 3, 4)).astype("float32")  # a batch size other than fit's
    got = hidden.get_activations(fitted, x)
    expected = numpy_fitted(fitted, x)
    assert list(got) == ["flat", "h1", "drop", "out"]
    for name in expected:
        np.testing.assert_allclose(got[name], expected[name], rtol=1e-5, atol=1e-6)


def test_functional_model_with_a_branch():
    keras.utils.set_random_seed(1)
    inputs = keras.Input((6,), name="x")
    a = keras.layers.Dense(4, activation="relu", name="a")(inputs)
    b = keras.layers.Dense(3, activation="tanh", name="b")(a)
    both = keras.layers.Concatenate(name="cat")([b, inputs])
    out = keras.layers.Dense(2, name="out")(both)
    model = keras.Model(inputs, out)
    x = RNG.normal(size=(5, 6)).astype("float32")
    Wa, ba = weights(model.get_layer("a"))
    Wb, bb = weights(model.get_layer("b"))
    Wo, bo = weights(model.get_layer("out"))
    a_ = relu(x @ Wa + ba)
    b_ = np.tanh(a_ @ Wb + bb)
    cat = np.concatenate([b_, x], axis=1)
    got = hidden.get_activations(model, x, ["out", "a", "cat"])
    assert list(got) == ["out", "a", "cat"]  # the order asked for
    np.testing.assert_allclose(got["a"], a_, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got["cat"], cat, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got["out"], cat @ Wo + bo, rtol=1e-5, atol=1e-6)
    assert hidden.layer_names(model) == ["a", "b", "cat", "out"]


def test_nested_models():
    keras.utils.set_random_seed(2)
    encoder = keras.Sequential([keras.Input((4, 4)), keras.layers.Flatten(name="flat"), keras.layers.Dense(5, activation="relu", name="code")], name="encoder")
    inputs = keras.Input((4, 4))
    z = keras.layers.Dense(3, activation="relu", name="head")(encoder(inputs))
    outer = keras.Model(inputs, z, name="outer")
    head_inputs = keras.Input((3,))
    inner_functional = keras.Model(head_inputs, keras.layers.Dense(2, name="score")(head_inputs), name="scorer")
    stacked = keras.Sequential([outer, inner_functional], name="stacked")  # functional inside Sequential inside ...

    x = RNG.random((6, 4, 4)).astype("float32")
    Wc, bc = weights(encoder.get_layer("code"))
    Wh, bh = weights(outer.get_layer("head"))
    Ws, bs = weights(inner_functional.get_layer("score"))
    code = relu(x.reshape(6, -1) @ Wc + bc)
    head = relu(code @ Wh + bh)

    got = hidden.get_activations(outer, x, ["encoder/code", "head", "encoder"])
    np.testing.assert_allclose(got["encoder/code"], code, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got["encoder"], code, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got["head"], head, rtol=1e-5, atol=1e-6)

    got = hidden.get_activations(stacked, x, ["code", "score", "outer/head"])  # bare names found inside
    np.testing.assert_allclose(got["code"], code, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got["outer/head"], head, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got["score"], head @ Ws + bs, rtol=1e-5, atol=1e-6)
    assert hidden.layer_names(stacked, nested=True) == [
        "outer", "outer/encoder", "outer/encoder/flat", "outer/encoder/code", "outer/head", "scorer", "scorer/score",
    ]


def test_pretrained_mlp_matches_numpy_and_batches(mlp, x_test):
    W1, b1 = weights(mlp.get_layer("hidden_1"))
    W2, b2 = weights(mlp.get_layer("hidden_2"))
    h1 = relu(x_test.reshape(len(x_test), -1) @ W1 + b1)
    got = hidden.get_activations(mlp, x_test, ["hidden_1", "hidden_2"], batch_size=64)  # 4 batches, the last one short
    np.testing.assert_allclose(got["hidden_1"], h1, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got["hidden_2"], relu(h1 @ W2 + b2), rtol=1e-4, atol=1e-5)


def test_get_activations_errors(mlp, x_test):
    with pytest.raises(ValueError, match=r"expected a batch of shape \(n, 28, 28\); got \(28, 28\)\. Pass x\[None\] for one example"):
        hidden.get_activations(mlp, x_test[0])
    with pytest.raises(ValueError, match=r"expects a batch of shape \(n, 28, 28\); got \(3, 784\)\. Reshape it: x\.reshape\(-1, 28, 28\)"):
        hidden.get_activations(mlp, x_test[:3].reshape(3, -1))
    with pytest.raises(ValueError, match=r"has no layer 'hiden_1'\. Its layers are: flatten, hidden_1, dropout, hidden_2, output"):
        hidden.get_activations(mlp, x_test[:3], ["hiden_1"])
    with pytest.raises(ValueError, match="holds no examples"):
        hidden.get_activations(mlp, x_test[:0])
    with pytest.raises(ValueError, match="array of numbers"):
        hidden.get_activations(mlp, np.array([["a"] * 28] * 28)[None])
    with pytest.raises(ValueError, match="batch_size is the number of inputs per forward pass, an int >= 1; got 0"):
        hidden.get_activations(mlp, x_test[:3], batch_size=0)
    unbuilt = keras.Sequential([keras.layers.Dense(2)])
    with pytest.raises(ValueError, match=r"examples on axis 0, shape \(n, n_features\); got \(3,\)\. Pass x\[None\]"):
        hidden.get_activations(unbuilt, np.zeros(3))

    class Subclassed(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    with pytest.raises(TypeError, match="subclassed model"):
        hidden.get_activations(Subclassed(), np.zeros((2, 3)))


def test_ambiguous_nested_name():
    keras.utils.set_random_seed(3)
    a = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, name="d")], name="a")
    b = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, name="d")], name="b")
    model = keras.Sequential([keras.Input((2,)), a, b])
    with pytest.raises(ValueError, match=r"'d' is ambiguous: it matches \['a/d', 'b/d'\]"):
        hidden.get_activations(model, np.zeros((1, 2)), ["d"])


# --- weights and summaries -------------------------------------------------------------------


def test_dense_weight_images(mlp):
    images = hidden.dense_weight_images(mlp)
    kernel = mlp.get_layer("hidden_1").get_weights()[0]  # (784, 128)
    assert images.shape == (128, 28, 28)
    np.testing.assert_array_equal(images[5].ravel(), kernel[:, 5])
    np.testing.assert_array_equal(hidden.dense_weight_images(mlp, "hidden_1"), images)
    with pytest.raises(ValueError, match=r"'hidden_2' has 128 inputs, not the 784 pixels"):
        hidden.dense_weight_images(mlp, "hidden_2")
    with pytest.raises(ValueError, match="is a Dropout, not a Dense layer"):
        hidden.dense_weight_images(mlp, "dropout")
    with pytest.raises(ValueError, match="has no Dense layer with 25 inputs"):
        hidden.dense_weight_images(mlp, image_shape=(5, 5))


def test_unit_values_and_class_means():
    acts = RNG.random((12, 3, 3, 4))  # conv-like: (n, h, w, channels)
    np.testing.assert_allclose(units.unit_values(acts), acts.mean(axis=(1, 2)))
    y = np.array([0, 1, 2] * 4)
    means = units.class_means(acts, y)
    expected = np.array([[acts[i].mean(axis=(0, 1)) for i in range(12) if y[i] == c] for c in range(3)]).mean(axis=1)
    np.testing.assert_allclose(means, expected)
    padded = units.class_means(acts, y, n_classes=4)
    assert np.isnan(padded[3]).all() and np.allclose(padded[:3], expected)
    with pytest.raises(ValueError, match=r"y should hold one class index per example, shape \(12,\); got \(11,\)"):
        units.class_means(acts, y[:11])
    with pytest.raises(ValueError, match="integer class labels"):
        units.class_means(acts, y + 0.5)
    with pytest.raises(ValueError, match="Pass a batch"):
        units.unit_values(np.ones(3))


def test_dead_units_on_a_constructed_layer():
    keras.utils.set_random_seed(4)
    layer = keras.layers.Dense(6, activation="relu")
    model = keras.Sequential([keras.Input((10,)), layer])
    W, b = layer.get_weights()
    b[[1, 4]] = -1e3  # these two units can never switch on for inputs in [0, 1]
    b[[0, 2, 3, 5]] = 1e3  # and these are always on
    layer.set_weights([W, b])
    acts = hidden.get_activations(model, RNG.random((50, 10)))[layer.name]
    np.testing.assert_array_equal(units.dead_units(acts), [1, 4])
    np.testing.assert_allclose(units.active_fraction(acts), [1, 0, 1, 1, 0, 1])
    # a conv channel is dead only if it is silent at every position of every image
    conv = np.zeros((3, 2, 2, 3))
    conv[1, 0, 1, 2] = 0.5
    np.testing.assert_array_equal(units.dead_units(conv), [0, 1])
    np.testing.assert_allclose(units.active_fraction(conv), [0, 0, 1 / 3])
    assert units.dead_units(np.full((4, 2), 0.01), tol=0.05).tolist() == [0, 1]


# --- projections and probes ------------------------------------------------------------------


def test_pca_projection_matches_the_svd():
    a = RNG.normal(size=(40, 6)) * np.array([5, 3, 1, 0.5, 0.2, 0.1])
    got = probes.project(a, method="pca")
    centred = a - a.mean(axis=0)
    _, _, Vt = np.linalg.svd(centred, full_matrices=False)
    expected = centred @ Vt[:2].T
    np.testing.assert_allclose(np.abs(got), np.abs(expected), rtol=1e-6, atol=1e-8)  # up to the sign of each axis


def test_tsne_keeps_clusters_apart():
    centres = np.eye(3) * 20
    labels = np.repeat(np.arange(3), 30)
    a = np.hstack([centres[labels] + RNG.normal(size=(90, 3)), RNG.normal(size=(90, 60))])  # > 50 dims: PCA first
    # Not max_iter=250: t-SNE's first 250 iterations are its early-exaggeration phase, and stopping
    # there leaves clusters touching on most draws (this one passed by luck on some versions).
    emb = probes.project(a, method="tsne", perplexity=10, max_iter=500)
    assert emb.shape == (90, 2)
    from sklearn.neighbors import KNeighborsClassifier

    assert KNeighborsClassifier(5).fit(emb, labels).score(emb, labels) == 1.0
    with pytest.raises(ValueError, match=r"perplexity \(30.0\) must be smaller than the number of examples \(20\)"):
        probes.project(a[:20], method="tsne")
    with pytest.raises(ValueError, match="Unknown method 'umap'; use 'pca' or 'tsne'"):
        probes.project(a, method="umap")


def test_linear_probe_equals_scikit_learn():
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    y = RNG.integers(0, 3, 120)
    a = RNG.normal(size=(120, 8)) + 0.8 * np.eye(3, 8)[y]
    scaler = StandardScaler().fit(a[:80])
    clf = LogisticRegression(C=0.5, max_iter=3000, tol=1e-6).fit(scaler.transform(a[:80]), y[:80])
    expected = np.mean(clf.predict(scaler.transform(a[80:])) == y[80:])
    assert probes.linear_probe(a[:80], y[:80], a[80:], y[80:], C=0.5) == pytest.approx(expected)
    separable = np.c_[y * 10.0, RNG.normal(size=120)]
    assert probes.linear_probe(separable[:80], y[:80], separable[80:], y[80:]) == 1.0
    with pytest.raises(ValueError, match="same layer; they have 8 and 2 features"):
        probes.linear_probe(a[:80], y[:80], a[80:, :2], y[80:])
    with pytest.raises(ValueError, match=r"y_train should hold one class index per example, shape \(80,\)"):
        probes.linear_probe(a[:80], y[:70], a[80:], y[80:])


def test_probe_layers(mlp, x_test):
    y = load_mnist()[1][1][:200]
    got = probes.probe_layers(mlp, x_test[:120], y[:120], x_test[120:], y[120:], ["hidden_2"], progress=False)
    assert list(got) == ["input", "hidden_2"]
    acts = hidden.get_activations(mlp, x_test, ["hidden_2"])["hidden_2"]
    assert got["hidden_2"] == probes.linear_probe(acts[:120], y[:120], acts[120:], y[120:])
    assert got["input"] == probes.linear_probe(x_test[:120], y[:120], x_test[120:], y[120:])


# --- what a unit responds to -----------------------------------------------------------------


def test_most_activating():
    acts = np.array([[0.2, 1.0], [0.9, 1.0], [0.5, 3.0], [0.9, 0.0]])
    np.testing.assert_array_equal(units.most_activating(acts, 0, k=3), [1, 3, 2])  # ties keep example order
    np.testing.assert_array_equal(units.most_activating(acts, 1, k=10), [2, 0, 1, 3])
    with pytest.raises(ValueError, match=r"unit should be an integer from 0 to 1 \(the layer has 2 units\); got 2"):
        units.most_activating(acts, 2)
    with pytest.raises(ValueError, match="k should be a positive integer"):
        units.most_activating(acts, 0, k=0)


def test_pre_activation_is_the_layer_before_its_relu():
    keras.utils.set_random_seed(5)
    dense = keras.layers.Dense(4, activation="relu")
    conv = keras.layers.Conv2D(3, 3, padding="same", activation="relu")
    h = RNG.normal(size=(2, 5)).astype("float32")
    img = RNG.normal(size=(2, 6, 6, 2)).astype("float32")
    dense(h), conv(img)
    for layer, x in ((dense, h), (conv, img)):
        z = np.asarray(am._pre_activation_fn(layer)(x))
        np.testing.assert_allclose(relu(z), np.asarray(layer(x)), rtol=1e-5, atol=1e-6)
        assert (z < 0).any()  # the pre-activation keeps the negative part
    assert am._pre_activation_fn(keras.layers.Dense(2)) is None  # linear already


@pytest.mark.parametrize("layer_name, units", [("hidden_1", [3, 7]), ("logits", [0, 5, 8])])
def test_activation_maximization_raises_the_activation(mlp, layer_name, units):
    model = logits_model(mlp) if layer_name == "logits" else mlp
    images = am.activation_maximization(model, layer_name, units, n_steps=60)
    assert images.shape == (len(units), 28, 28)
    assert images.min() >= 0.0 and images.max() <= 1.0
    start = np.full_like(images, 0.5)
    before = hidden.get_activations(model, start, [layer_name])[layer_name][np.arange(len(units)), units]
    after = hidden.get_activations(model, images, [layer_name])[layer_name][np.arange(len(units)), units]
    assert np.all(after > before + 1.0)


def test_total_variation_regularizer_smooths(mlp):
    rough = am.activation_maximization(mlp, "hidden_1", [3], n_steps=60, l2=0.0, tv=0.0)
    smooth = am.activation_maximization(mlp, "hidden_1", [3], n_steps=60, l2=0.0, tv=2.0)

    def tv(img):
        return np.sum(np.diff(img, axis=0) ** 2) + np.sum(np.diff(img, axis=1) ** 2)

    assert tv(smooth[0]) < 0.5 * tv(rough[0])


def test_activation_maximization_errors(mlp):
    with pytest.raises(ValueError, match=r"units should be integers from 0 to 63 \(the layer 'hidden_2' has 64\); got \[64\]"):
        am.activation_maximization(mlp, "hidden_2", 64, n_steps=1)
    with pytest.raises(ValueError, match="units should be an int or a list of ints"):
        am.activation_maximization(mlp, "hidden_2", [0.5], n_steps=1)
    with pytest.raises(ValueError, match=r"no fixed input shape yet; call it once on a batch"):
        am.activation_maximization(keras.Sequential([keras.layers.Dense(2)]), "dense", 0)


# --- the neuron explorer ---------------------------------------------------------------------


def test_plot_neuron_draws_weights_top_images_and_histogram(mlp, x_test):
    fig = plots.plot_neuron(mlp, "hidden_1", 3, x_test, k=9)
    titles = [ax.get_title() for ax in fig.axes]
    assert any("incoming weights of unit 3" in t for t in titles)
    assert any(t.startswith("hidden_1, unit 3: silent on") for t in titles)
    image_axes = [ax for ax in fig.axes if ax.images and ax.get_title() and ax.get_title()[0].isdigit()]
    assert len(image_axes) == 9  # the top 9 inputs, each titled with its activation
    acts = hidden.get_activations(mlp, x_test, ["hidden_1"])["hidden_1"]
    top = units.most_activating(acts, 3, k=9)
    assert [ax.get_title() for ax in image_axes] == [f"{acts[i, 3]:.2f}" for i in top]
    # the weight image is the unit's column of the kernel, centred at 0
    weight_image = fig.axes[0].images[0]
    np.testing.assert_allclose(weight_image.get_array().ravel(), mlp.get_layer("hidden_1").get_weights()[0][:, 3])
    lo, hi = weight_image.get_clim()
    assert lo == pytest.approx(-hi)
    # redrawing into the same figure (what the widget does) replaces the contents
    again = plots.plot_neuron(mlp, "hidden_2", 0, x_test, fig=fig, activations=hidden.get_activations(mlp, x_test, ["hidden_2"])["hidden_2"])
    assert again is fig
    assert any(ax.get_xlabel() == "unit of the layer below" for ax in fig.axes)  # bars: hidden_2 reads 128 units
    plt.close(fig)


def test_plot_neuron_says_a_dead_unit_is_dead_instead_of_showing_tied_top_inputs(mlp, x_test):
    acts = np.abs(np.random.default_rng(0).normal(size=(len(x_test), 128)))
    acts[:, 7] = 0.0  # unit 7 never fires
    fig = plots.plot_neuron(mlp, "hidden_1", 7, x_test, activations=acts)
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any("outputs 0\n" in t and f"on all {len(x_test)} inputs" in t and "it is dead" in t for t in texts)
    assert not [ax for ax in fig.axes if ax.images and ax.get_title()[:1].isdigit()]  # no "top inputs" drawn
    fig = plots.plot_neuron(mlp, "hidden_1", 8, x_test, fig=fig, activations=acts, k=4)  # a live unit: top inputs
    assert len([ax for ax in fig.axes if ax.images and ax.get_title()[:1].isdigit()]) == 4
    plt.close(fig)


def test_plot_neuron_on_layers_without_pixel_weights(x_test):
    cnn = load_pretrained("cnn")
    fig = plots.plot_neuron(cnn, "conv_1", 2, x_test[:30], k=4)
    assert fig.axes[0].get_title() == "filter of channel 2"
    np.testing.assert_allclose(fig.axes[0].images[0].get_array(), cnn.get_layer("conv_1").get_weights()[0][:, :, 0, 2])
    fig = plots.plot_neuron(cnn, "pool_1", 0, x_test[:30], fig=fig, k=4)
    assert "no weights" in fig.axes[0].texts[0].get_text()
    with pytest.raises(ValueError, match="activations hold 10 examples but x holds 30"):
        plots.plot_neuron(cnn, "conv_1", 0, x_test[:30], activations=np.zeros((10, 28, 28, 16)))
    plt.close("all")


def test_layers_shared_with_another_model_use_this_models_graph(mlp, x_test):
    """logits_model reuses the MLP's layers: their first call belongs to the MLP's graph, not this one."""
    logits = logits_model(mlp)
    got = hidden.get_activations(logits, x_test[:20], ["hidden_2", "logits"])
    own = hidden.get_activations(mlp, x_test[:20], ["hidden_2"])
    np.testing.assert_allclose(got["hidden_2"], own["hidden_2"], rtol=1e-5, atol=1e-6)
    W, b = weights(mlp.get_layer("output"))
    np.testing.assert_allclose(got["logits"], own["hidden_2"] @ W + b, rtol=1e-4, atol=1e-4)
    # the same for a functional model built on top of another model's layers
    keras.utils.set_random_seed(6)
    inputs = keras.Input((4,))
    dense = keras.layers.Dense(3, activation="relu", name="shared")
    first = keras.Model(inputs, dense(inputs))
    other_inputs = keras.Input((4,))
    second = keras.Model(other_inputs, keras.layers.Dense(2, name="top")(dense(other_inputs)))
    x = RNG.normal(size=(5, 4)).astype("float32")
    Wd, bd = weights(dense)
    np.testing.assert_allclose(hidden.get_activations(second, x, ["shared"])["shared"], relu(x @ Wd + bd), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(hidden.get_activations(first, x, ["shared"])["shared"], relu(x @ Wd + bd), rtol=1e-5, atol=1e-6)


def test_activation_maximization_of_a_first_layer_unit_has_a_closed_form(mlp):
    """max_x w.x + b - l2 ||x||^2 over [0, 1]^784 is solved pixel by pixel: x = clip(w / (2 l2), 0, 1)."""
    units = [7, 51]
    images = am.activation_maximization(mlp, "hidden_1", units, l2=0.1, tv=0.0, n_steps=300)
    W = mlp.get_layer("hidden_1").get_weights()[0]  # (784, 128)
    expected = np.clip(W[:, units].T / (2 * 0.1), 0.0, 1.0).reshape(-1, 28, 28)
    np.testing.assert_allclose(images, expected, atol=1e-3)
