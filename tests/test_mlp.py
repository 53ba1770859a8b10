"""course_utils.mlp against independent references: closed forms, centred differences,
tf.GradientTape and Keras's cross-entropy. Only the tests marked below import TensorFlow."""

import subprocess
import sys

import numpy as np
import pytest

from course_utils import mlp
from course_utils.gradcheck import numerical_gradient, relative_error
from course_utils.mlp import MLP

LAYER_SIZES = [[2, 3, 2], [5, 8, 6, 3], [784, 16, 10]]


def batch(net: MLP, n: int = 4, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, net.layer_sizes[0]))  # (n, d_in)
    y = rng.integers(0, net.n_classes, size=n)  # (n,)
    return X, y


# ---------------------------------------------------------------- building blocks


def test_dense_backward_matches_centred_differences():
    rng = np.random.default_rng(1)
    x, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    G = rng.normal(size=(4, 2))  # L = sum(G * out) has dL/dout = G
    dx, dW, db = mlp.dense_backward(G, x, W)
    loss = lambda _: float((G * mlp.dense_forward(x, W, b)).sum())  # noqa: E731
    for analytic, array in ((dx, x), (dW, W), (db, b)):
        np.testing.assert_allclose(analytic, numerical_gradient(loss, array), rtol=1e-7, atol=1e-9)


def test_relu_and_tanh_backward_closed_form():
    x = np.array([[-2.0, 0.0, 3.0], [0.5, -0.1, 0.0]])
    d = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    np.testing.assert_array_equal(mlp.relu_forward(x), [[0.0, 0.0, 3.0], [0.5, 0.0, 0.0]])
    np.testing.assert_array_equal(mlp.relu_backward(d, x), [[0.0, 0.0, 3.0], [4.0, 0.0, 0.0]])  # slope 0 at 0
    np.testing.assert_allclose(mlp.tanh_backward(d, x), d / np.cosh(x) ** 2)


def test_softmax_cross_entropy_closed_forms():
    # Equal logits: every class has probability 1/K, the loss is log K, the gradient (1/K - one_hot)/n.
    logits, y = np.zeros((2, 4)), np.array([1, 3])
    assert mlp.softmax_cross_entropy(logits, y) == pytest.approx(np.log(4))
    expected = (np.full((2, 4), 0.25) - np.array([[0, 1, 0, 0], [0, 0, 0, 1]])) / 2
    np.testing.assert_allclose(mlp.softmax_cross_entropy_backward(logits, y), expected)
    # Two classes: the loss is the logistic loss log(1 + exp(-(z_y - z_other))).
    logits, y = np.array([[2.0, -1.0], [0.5, 1.5]]), np.array([0, 0])
    margins = np.array([3.0, -1.0])
    assert mlp.softmax_cross_entropy(logits, y) == pytest.approx(np.mean(np.log1p(np.exp(-margins))))
    # Huge logits stay finite (log-sum-exp).
    big = np.array([[1000.0, 0.0], [0.0, 1000.0]])
    assert mlp.softmax_cross_entropy(big, np.array([0, 0])) == pytest.approx(500.0)
    assert np.all(np.isfinite(mlp.softmax_cross_entropy_backward(big, np.array([0, 0]))))


def test_softmax_cross_entropy_backward_matches_centred_differences():
    rng = np.random.default_rng(2)
    logits, y = rng.normal(size=(5, 3)), np.array([0, 2, 1, 1, 0])
    numeric = numerical_gradient(lambda z: mlp.softmax_cross_entropy(z, y), logits.copy())
    np.testing.assert_allclose(mlp.softmax_cross_entropy_backward(logits, y), numeric, rtol=1e-6, atol=1e-10)


# ---------------------------------------------------------------- the network


@pytest.mark.parametrize("sizes", LAYER_SIZES)
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_mlp_gradients_match_centred_differences(sizes, activation):
    net = MLP(sizes, activation=activation, seed=3)
    X, y = batch(net, n=3 if sizes[0] == 784 else 6)
    for key in net.params:  # non-zero biases, so they matter
        if key.startswith("b"):
            net.params[key] += np.random.default_rng(4).normal(size=net.params[key].shape) * 0.1
    loss, grads = net.loss_and_grads(X, y)
    assert loss == pytest.approx(net.loss(X, y))
    assert list(grads) == list(net.params)
    for key, p in net.params.items():
        assert grads[key].shape == p.shape
        rows = slice(None, None, 49 if p.shape[0] == 784 else 1)  # 16 of W1's 784 rows keep it fast
        numeric = numerical_gradient(lambda _: net.loss(X, y), p[rows])  # a view: nudges p itself
        assert relative_error(grads[key][rows], numeric) < 1e-6, key


def test_mlp_shapes_predictions_and_initialization():
    net = MLP([784, 300, 10], seed=0)
    assert [net.params[k].shape for k in ("W1", "b1", "W2", "b2")] == [(784, 300), (300,), (300, 10), (10,)]
    assert all(p.dtype == np.float64 for p in net.params.values())
    assert net.params["W1"].std() == pytest.approx(np.sqrt(2 / 784), rel=0.02)  # He et al. (2015)
    assert MLP([784, 300, 10], activation="tanh").params["W1"].std() == pytest.approx(np.sqrt(1 / 784), rel=0.02)
    np.testing.assert_array_equal(net.params["b1"], 0.0)
    X, _ = batch(net, n=5)
    probs = net.predict_proba(X)
    assert net.forward(X).shape == probs.shape == (5, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    np.testing.assert_array_equal(net.predict(X), probs.argmax(axis=1))
    np.testing.assert_array_equal(MLP([784, 300, 10], seed=0).params["W1"], net.params["W1"])  # seeded
    assert not np.array_equal(MLP([784, 300, 10], seed=1).params["W1"], net.params["W1"])
    assert MLP([784, 300, 10], dtype=np.float32).forward(X).dtype == np.float32


def test_sgd_step_is_minus_learning_rate_times_gradient():
    net = MLP([3, 4, 2], seed=0)
    X, y = batch(net, n=8)
    before = {k: p.copy() for k, p in net.params.items()}
    _, grads = net.loss_and_grads(X, y)
    net.fit(X, y, epochs=1, batch_size=8, learning_rate=0.1, optimizer="sgd")  # one full batch
    for key in before:
        np.testing.assert_allclose(net.params[key], before[key] - 0.1 * grads[key], rtol=1e-12, atol=1e-15)


def test_first_adam_step_moves_each_weight_by_learning_rate_against_its_gradient():
    # Kingma & Ba (2015): after bias correction, step 1 is lr * g / (|g| + eps).
    net = MLP([3, 4, 2], seed=0)
    X, y = batch(net, n=8)
    before = {k: p.copy() for k, p in net.params.items()}
    _, grads = net.loss_and_grads(X, y)
    net.fit(X, y, epochs=1, batch_size=8, learning_rate=0.01, optimizer="adam")
    for key in before:
        np.testing.assert_allclose(
            net.params[key], before[key] - 0.01 * grads[key] / (np.abs(grads[key]) + 1e-8), rtol=1e-9, atol=1e-12
        )


def test_mlp_solves_xor():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0])
    net = MLP([2, 8, 2], seed=0)
    history = net.fit(X, y, epochs=300, batch_size=4, learning_rate=0.05)
    assert net.accuracy(X, y) == 1.0
    assert history["accuracy"][-1] == 1.0 and history["loss"][-1] < 0.01


def test_fit_on_mnist_is_fast_deterministic_and_learns():
    from course_utils.datasets import load_mnist

    (x_train, y_train), (x_test, y_test) = load_mnist(flatten=True)
    runs = []
    for _ in range(2):
        net = MLP([784, 32, 10], seed=0)
        runs.append(net.fit(x_train, y_train, epochs=2, batch_size=64, validation_data=(x_test, y_test)))
    assert runs[0] == runs[1]
    assert set(runs[0]) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 2 for v in runs[0].values())
    assert runs[0]["loss"][1] < runs[0]["loss"][0]
    assert runs[0]["val_accuracy"][-1] > 0.85


# ---------------------------------------------------------------- learner-facing errors


def test_errors_about_the_batch_axis_and_width():
    net = MLP([784, 16, 10])
    with pytest.raises(
        ValueError, match=r"expected a batch of shape \(n, 784\); got \(784,\)\. Pass x\[None\] for one example\."
    ):
        net.forward(np.zeros(784))
    with pytest.raises(ValueError, match=r"got \(5, 28, 28\)\. Flatten each example first: X\.reshape\(len\(X\), -1\)"):
        net.predict(np.zeros((5, 28, 28)))
    with pytest.raises(ValueError, match=r"expected a batch of shape \(n, 784\); got \(5, 10\)\.$"):
        net.loss_and_grads(np.zeros((5, 10)), np.zeros(5, dtype=int))


def test_errors_about_labels():
    net = MLP([2, 3, 4])
    X = np.zeros((3, 2))
    with pytest.raises(
        ValueError, match=r"y should hold integer class labels 0\.\.3 \(the network has 4 outputs\); got 4 at index 2"
    ):
        net.loss_and_grads(X, np.array([0, 1, 4]))
    with pytest.raises(ValueError, match=r"got -1 at index 0"):
        net.loss(X, np.array([-1, 1, 2]))
    with pytest.raises(ValueError, match=r"shape \(3,\); got \(3, 4\)\. If y is one-hot, pass y\.argmax\(axis=1\)"):
        net.loss_and_grads(X, np.eye(4)[[0, 1, 2]])
    with pytest.raises(ValueError, match=r"one class index per example, shape \(3,\); got \(2,\)"):
        net.fit(X, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"y should hold integer class labels 0\.\.3; got dtype float64"):
        net.accuracy(X, np.array([0.5, 1.0, 2.0]))
    assert net.loss(X, np.array([0.0, 1.0, 2.0])) == pytest.approx(np.log(4))  # whole-number floats are fine


def test_errors_about_the_construction_and_training_options():
    with pytest.raises(ValueError, match=r"at least two positive integers.*\[784, 64, 10\]; got 784"):
        MLP(784)
    with pytest.raises(ValueError, match=r"got \[784, 0, 10\]"):
        MLP([784, 0, 10])
    with pytest.raises(ValueError, match=r"activation should be one of \['relu', 'tanh'\]; got 'sigmoid'"):
        MLP([2, 2], activation="sigmoid")
    net, X, y = MLP([2, 2]), np.zeros((2, 2)), np.array([0, 1])
    with pytest.raises(ValueError, match=r"optimizer should be 'adam' or 'sgd'; got 'rmsprop'"):
        net.fit(X, y, optimizer="rmsprop")
    with pytest.raises(ValueError, match=r"epochs should be a positive integer; got 0"):
        net.fit(X, y, epochs=0)


def test_importing_the_numpy_modules_does_not_import_tensorflow():
    code = (
        "import sys, course_utils.mlp, course_utils.gradcheck, course_utils.checks.backprop; "
        "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]; "
        "sys.exit(f'imported {bad}' if bad else 0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- TensorFlow as the reference (few, small)


def tape_loss_and_grads(net: MLP, X: np.ndarray, y: np.ndarray):
    """The same network in TensorFlow ops, on tf.Variables holding the NumPy weights (float64)."""
    tf = pytest.importorskip("tensorflow")
    variables = {key: tf.Variable(p) for key, p in net.params.items()}
    act = {"relu": tf.nn.relu, "tanh": tf.math.tanh}[net.activation]
    with tf.GradientTape() as tape:
        h = tf.constant(X)
        for k in range(1, net.n_layers + 1):
            h = h @ variables[f"W{k}"] + variables[f"b{k}"]
            if k < net.n_layers:
                h = act(h)
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant(y), logits=h))
    grads = tape.gradient(loss, variables)
    return float(loss), {key: g.numpy() for key, g in grads.items()}


@pytest.mark.parametrize("sizes", LAYER_SIZES)
def test_mlp_gradients_match_gradient_tape(sizes):
    for activation in ("relu", "tanh"):
        net = MLP(sizes, activation=activation, seed=5)
        X, y = batch(net, n=8, seed=1)
        loss, grads = net.loss_and_grads(X, y)
        tf_loss, tf_grads = tape_loss_and_grads(net, X, y)
        assert loss == pytest.approx(tf_loss, rel=1e-12)
        for key in net.params:
            assert tf_grads[key].dtype == np.float64
            assert relative_error(grads[key], tf_grads[key]) < 1e-6, key


def test_softmax_cross_entropy_matches_keras():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(6)
    logits, y = rng.normal(size=(10, 4)) * 3, rng.integers(0, 4, size=10)
    keras_loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, logits)
    assert mlp.softmax_cross_entropy(logits, y) == pytest.approx(float(keras_loss), rel=1e-6)


def test_relu_slope_at_zero_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    x = tf.Variable(np.array([-1.0, 0.0, 2.0]))
    with tf.GradientTape() as tape:
        out = tf.reduce_sum(tf.nn.relu(x) * np.array([3.0, 4.0, 5.0]))
    np.testing.assert_array_equal(
        tape.gradient(out, x).numpy(), mlp.relu_backward(np.array([3.0, 4.0, 5.0]), x.numpy())
    )
