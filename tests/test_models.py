"""course_utils.models: architectures, checksummed weights-only loading, logits models."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import course_utils  # noqa: F401
import keras

from course_utils import models
from course_utils.datasets import load_mnist, sha256

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


@pytest.fixture(scope="module")
def mlp():
    return models.load_pretrained("mlp")


@pytest.fixture(scope="module")
def cnn():
    return models.load_pretrained("cnn")


def _relu(z):
    return np.maximum(z, 0.0)


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _numpy_mlp_logits(model, x):
    """The MLP's forward pass written out in NumPy from its weight matrices (dropout is off)."""
    W1, b1 = model.get_layer("hidden_1").get_weights()
    W2, b2 = model.get_layer("hidden_2").get_weights()
    W3, b3 = model.get_layer("output").get_weights()
    h = x.reshape(len(x), -1).astype(np.float64)
    return _relu(_relu(h @ W1 + b1) @ W2 + b2) @ W3 + b3


# --- build -----------------------------------------------------------------------------------


def test_mlp_architecture_is_the_seed_model():
    model = models.build("mlp")
    kinds = [(type(layer).__name__, getattr(layer, "units", None)) for layer in model.layers]
    assert kinds == [("Flatten", None), ("Dense", 128), ("Dropout", None), ("Dense", 64), ("Dense", 10)]
    assert model.get_layer("dropout").rate == pytest.approx(0.2)
    assert [model.get_layer(n).activation.__name__ for n in ("hidden_1", "hidden_2", "output")] == [
        "relu",
        "relu",
        "softmax",
    ]
    assert model.input_shape == (None, 28, 28) and model.output_shape == (None, 10)


def test_cnn_architecture_ends_in_global_average_pooling_for_grad_cam():
    model = models.build("cnn")
    last_conv = model.get_layer("last_conv")
    assert isinstance(last_conv, keras.layers.Conv2D)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert convs[-1] is last_conv
    # the head of CAM (Zhou et al. 2016): last_conv -> global average pooling -> Dense softmax
    assert [type(layer).__name__ for layer in model.layers[-3:]] == ["Conv2D", "GlobalAveragePooling2D", "Dense"]
    assert model.get_layer("output").activation.__name__ == "softmax"
    assert model.input_shape == (None, 28, 28) and model.output_shape == (None, 10)
    assert model.count_params() < 50_000  # small: trains in seconds


def test_build_gives_fresh_weights_each_time():
    keras.utils.set_random_seed(0)
    a = models.build("mlp").get_layer("hidden_1").get_weights()[0]
    b = models.build("mlp").get_layer("hidden_1").get_weights()[0]
    assert not np.array_equal(a, b)


@pytest.mark.parametrize("function", [models.build, models.load_pretrained])
def test_unknown_name_lists_the_valid_names(function):
    with pytest.raises(ValueError, match=r"Unknown model name 'resnet'\. The course's models are 'mlp', 'cnn'"):
        function("resnet")


# --- load_pretrained -------------------------------------------------------------------------


def test_pretrained_mlp_reaches_its_stated_accuracy(mlp, mnist):
    _, (x_test, y_test) = mnist
    accuracy = np.mean(np.argmax(mlp.predict(x_test, verbose=0), axis=1) == y_test)
    assert accuracy >= 0.92  # train_models.py's minimum; the exact value is checked against the datasheet
    # the Keras model computes exactly the NumPy forward pass of its weights
    np.testing.assert_allclose(
        mlp.predict(x_test[:50], verbose=0), _softmax(_numpy_mlp_logits(mlp, x_test[:50])), rtol=1e-4, atol=1e-6
    )


def test_pretrained_cnn_reaches_its_stated_accuracy(cnn, mnist):
    _, (x_test, y_test) = mnist
    accuracy = np.mean(np.argmax(cnn.predict(x_test, verbose=0), axis=1) == y_test)
    assert accuracy >= 0.93  # train_models.py's minimum; the exact value is checked against the datasheet


def test_pretrained_cnn_logits_are_averaged_feature_maps_times_the_dense_weights(cnn, mnist):
    """The GAP head written out in NumPy: logit_c = sum_k W[k, c] * mean_ij A_k[i, j] + b_c."""
    _, (x_test, _) = mnist
    h = x_test[:50]
    for layer in cnn.layers:  # run the layers up to and including last_conv
        h = layer(h)
        if layer.name == "last_conv":
            break
    A = np.asarray(h, dtype=np.float64)  # (50, h, w, k)
    W, b = cnn.get_layer("output").get_weights()
    logits = A.mean(axis=(1, 2)) @ W + b
    np.testing.assert_allclose(cnn.predict(x_test[:50], verbose=0), _softmax(logits), rtol=1e-4, atol=1e-6)


def test_datasheet_states_the_measured_accuracies_and_checksums(mlp, cnn, mnist):
    _, (x_test, y_test) = mnist
    sheet = (ROOT / "datasets" / "models" / "README.md").read_text(encoding="utf-8")
    sums = (ROOT / "datasets" / "SHA256SUMS").read_text()
    for name, model in (("mlp", mlp), ("cnn", cnn)):
        accuracy = np.mean(np.argmax(model.predict(x_test, verbose=0), axis=1) == y_test)
        row = next(line for line in sheet.splitlines() if line.startswith(f"| `{name}.weights.h5`"))
        assert f"{accuracy:.3f}" in row, row
        digest = sha256(ROOT / "datasets" / models.WEIGHT_FILES[name])
        assert digest in row
        assert f"{digest}  {models.WEIGHT_FILES[name]}" in sums


def test_weight_files_hold_weights_only():
    import h5py

    for name, file in models.WEIGHT_FILES.items():
        with h5py.File(ROOT / "datasets" / file, "r") as f:
            assert "optimizer" not in f  # no training state
            assert "model_config" not in f.attrs  # no architecture (it is built in code)


def test_loading_checks_the_checksum_before_reading(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "datasets" / "models", tmp_path / "models")
    shutil.copy(ROOT / "datasets" / "SHA256SUMS", tmp_path / "SHA256SUMS")
    with open(tmp_path / "models" / "mlp.weights.h5", "ab") as f:
        f.write(b"tampered")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    with pytest.raises(ValueError, match="does not match its checksum"):
        models.load_pretrained("mlp")
    (tmp_path / "models" / "cnn.weights.h5").unlink()
    with pytest.raises(FileNotFoundError, match=re.escape("python datasets/models/train_models.py")):
        models.load_pretrained("cnn")


# --- logits_model ----------------------------------------------------------------------------


def _fitted_sequential_without_input():
    """The Keras 3 trap: a Sequential model built only by fit (no keras.Input)."""
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [keras.layers.Flatten(), keras.layers.Dense(6, activation="relu"), keras.layers.Dense(3, activation="softmax")]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    model.fit(rng.random((40, 4, 4)).astype("float32"), rng.integers(0, 3, 40), epochs=1, verbose=0)
    return model


def _functional_with_softmax_layer():
    keras.utils.set_random_seed(2)
    inputs = keras.Input((5,))
    h = keras.layers.Dense(4, activation="tanh")(inputs)
    z = keras.layers.Dense(3)(h)
    return keras.Model(inputs, keras.layers.Softmax()(z))


def test_logits_model_matches_the_numpy_forward_pass(mlp, mnist):
    _, (x_test, _) = mnist
    logits = models.logits_model(mlp)
    assert logits.layers[-1].name == "logits"
    np.testing.assert_allclose(
        logits.predict(x_test[:50], verbose=0), _numpy_mlp_logits(mlp, x_test[:50]), rtol=1e-4, atol=1e-4
    )


@pytest.mark.parametrize("make", ["mlp", "cnn", "fitted", "functional_dense", "functional_softmax_layer"])
def test_softmax_of_logits_is_the_model_output(make, mlp, cnn):
    rng = np.random.default_rng(0)
    if make == "mlp":
        model, x = mlp, rng.random((8, 28, 28))
    elif make == "cnn":
        model, x = cnn, rng.random((8, 28, 28))
    elif make == "fitted":
        model, x = _fitted_sequential_without_input(), rng.random((8, 4, 4))
    elif make == "functional_dense":
        inputs = keras.Input((5,))
        model = keras.Model(
            inputs, keras.layers.Dense(3, activation="softmax")(keras.layers.Dense(4, activation="relu")(inputs))
        )
        x = rng.normal(size=(8, 5))
    else:
        model, x = _functional_with_softmax_layer(), rng.normal(size=(8, 5))
    x = x.astype("float32")
    z = np.asarray(models.logits_model(model)(x), dtype=np.float64)
    np.testing.assert_allclose(_softmax(z), np.asarray(model(x)), rtol=1e-5, atol=1e-6)
    assert not np.allclose(z.sum(axis=1), 1.0)  # really the logits, not probabilities


def test_logits_model_shares_the_weights():
    model = _fitted_sequential_without_input()
    logits = models.logits_model(model)
    x = np.random.default_rng(0).random((4, 4, 4)).astype("float32")
    before = np.asarray(logits(x))
    W, b = model.layers[-1].get_weights()
    model.layers[-1].set_weights([W, b + 1.0])  # change the original ...
    np.testing.assert_allclose(np.asarray(logits(x)), before + 1.0, rtol=1e-5, atol=1e-5)  # ... and the logits follow


def test_logits_model_errors():
    inputs = keras.Input((3,))
    no_softmax = keras.Model(inputs, keras.layers.Dense(2, activation="sigmoid")(inputs))
    with pytest.raises(
        ValueError, match=r"needs a model that ends in a softmax; its last layer .* activation 'sigmoid'"
    ):
        models.logits_model(no_softmax)
    unbuilt = keras.Sequential([keras.layers.Dense(2, activation="softmax")])
    with pytest.raises(ValueError, match=r"has not been built yet.*model\(x\[:1\]\)"):
        models.logits_model(unbuilt)
    with pytest.raises(TypeError, match="expects a keras.Model"):
        models.logits_model(lambda x: x)


def test_explained_digits_are_the_first_confident_ones_of_each_class(mlp, cnn, mnist):
    from course_utils.models import EXPLAINED_CLASSES, explained_digits

    _, (x_test, y_test) = mnist
    picked = explained_digits()
    assert picked.shape == (4,) and y_test[picked].tolist() == list(EXPLAINED_CLASSES) == [2, 3, 7, 9]
    for index, digit in zip(picked, EXPLAINED_CLASSES):
        earlier = np.r_[np.flatnonzero(y_test[:index] == digit), index]  # every test image of this class up to the pick
        sure = [model.predict(x_test[earlier], verbose=0)[:, digit] for model in (mlp, cnn)]
        assert sure[0][-1] > 0.95 and sure[1][-1] > 0.95  # both models are sure of the picked one
        assert not np.any((sure[0][:-1] > 0.95) & (sure[1][:-1] > 0.95))  # and of no earlier one
    assert y_test[explained_digits(confidence=0.5)].tolist() == [2, 3, 7, 9]
    with pytest.raises(ValueError, match=r"no test 2 is classified with probability above 1.0 .*lower confidence"):
        explained_digits(confidence=1.0)
