"""course_utils.decoy: the planted patch, the right-for-the-right-reasons penalty, the shipped models."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import course_utils  # noqa: F401  (quietens TensorFlow)
from course_utils import decoy
from course_utils.datasets import sha256, verified_path

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def data():
    return decoy.load_decoy_mnist()


@pytest.fixture(scope="module")
def trained():
    return {name: decoy.load_decoy_model(name) for name in decoy.MODEL_NAMES}


# --------------------------------------------------------------------------- the data
def test_each_patch_is_a_4x4_block_in_a_corner_with_the_digits_shade():
    rng = np.random.default_rng(0)
    images, digits = rng.random((200, 28, 28)).astype(np.float32), rng.integers(0, 10, 200)
    patched, mask = decoy.add_patch(images, digits, seed=3)
    corners = set()
    for image, original, where, digit in zip(patched, images, mask, digits):
        rows, cols = np.nonzero(where)
        assert where.sum() == 16 and rows.max() - rows.min() == 3 and cols.max() - cols.min() == 3
        assert rows.min() in (0, 24) and cols.min() in (0, 24)
        corners.add((rows.min(), cols.min()))
        np.testing.assert_allclose(image[where], (255 - 25 * digit) / 255, rtol=1e-6)
        np.testing.assert_array_equal(image[~where], original[~where])  # nothing else changes
    assert corners == {(0, 0), (0, 24), (24, 0), (24, 24)}
    np.testing.assert_array_equal(decoy.add_patch(images, digits, seed=3)[0], patched)  # deterministic


def test_the_shade_gives_the_label_away_in_training_and_nothing_at_test(data):
    def digit_of_shade(x, mask):
        shade = np.array([image[where].mean() for image, where in zip(x, mask)])
        return np.rint((255 - 255 * shade) / 25).astype(int)

    np.testing.assert_array_equal(digit_of_shade(data.x_train, data.mask_train), data.y_train)
    np.testing.assert_array_equal(digit_of_shade(data.x_test, data.mask_test), data.test_shade_digit)
    assert np.mean(data.test_shade_digit == data.y_test) < 0.15  # about one in ten, by chance
    np.testing.assert_array_equal(data.x_train[~data.mask_train], data.x_train_clean[~data.mask_train])


def test_add_patch_errors():
    with pytest.raises(ValueError, match=r"shape \(n, 28, 28\); got \(28, 28\)\. Pass image\[None\]"):
        decoy.add_patch(np.zeros((28, 28)), [1])
    with pytest.raises(ValueError, match=r"one digit per image"):
        decoy.add_patch(np.zeros((2, 28, 28)), [1])


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 0}, r"epochs should be a positive integer; got 0"),
    ({"batch_size": True}, r"batch_size is the number of images per training step, an int >= 1; got True"),
    ({"learning_rate": -1e-3}, r"learning_rate should be a positive number; got -0\.001"),
    ({"penalty": -1.0}, r"penalty is the weight λ of the right-reasons term, a number >= 0 \(0: no penalty\); "
                        r"got -1\.0"),
    ({"mask": np.zeros((3, 28, 28), bool)}, r"mask should have the shape of x, \(2, 28, 28\).*got \(3, 28, 28\)"),
])
def test_train_refuses_bad_options_before_touching_the_model(kwargs, message):
    with pytest.raises(ValueError, match=message):
        decoy.train(None, np.zeros((2, 28, 28)), np.array([1, 2]), **kwargs)  # None: the model is never reached


def test_patch_share_by_hand():
    rng = np.random.default_rng(0)
    values = rng.normal(size=(3, 28, 28))
    mask = np.zeros((3, 28, 28), bool)
    mask[:, 24:, :4] = True
    expected = [np.abs(v[m]).sum() / np.abs(v).sum() for v, m in zip(values, mask)]
    np.testing.assert_allclose(decoy.patch_share(values, mask), expected)
    np.testing.assert_allclose(decoy.patch_share(-values, mask), expected)  # signs do not matter
    assert decoy.patch_share(np.zeros((1, 28, 28)), mask[:1])[0] == 0.0
    with pytest.raises(ValueError, match=r"both have shape \(n, 28, 28\)"):
        decoy.patch_share(values[0], mask[0][None])


# --------------------------------------------------------------------------- the penalty and the training loop
def test_the_penalty_is_the_closed_form_for_a_softmax_regression():
    # z = x W + b, log p_k = z_k - logsumexp(z): d/dx sum_k log p_k = W.sum(axis=1) - K * W @ p
    import keras
    import tensorflow as tf

    from course_utils.models import logits_model

    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    W, b = model.layers[-1].get_weights()
    rng = np.random.default_rng(0)
    x = rng.random((5, 28, 28)).astype(np.float32)
    mask = (rng.random((5, 28, 28)) < 0.1).astype(np.float32)
    z = x.reshape(5, -1) @ W + b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    gradient = (W.sum(axis=1)[None] - 10 * p @ W.T).reshape(5, 28, 28)
    expected = np.mean(np.sum((mask * gradient) ** 2, axis=(1, 2)))
    got = float(decoy.right_reasons_penalty(logits_model(model), tf.constant(x), tf.constant(mask)))
    assert got == pytest.approx(expected, rel=1e-4)


def test_training_with_the_penalty_shrinks_the_gradient_on_the_mask(data):
    import keras
    import tensorflow as tf

    from course_utils.models import logits_model

    x, y, mask = data.x_train[:600], data.y_train[:600], data.mask_train[:600]
    penalties = {}
    for weight in (0.0, 1.0):
        keras.utils.set_random_seed(0)
        model = decoy.build()
        losses = decoy.train(model, x, y, mask=mask, penalty=weight, epochs=5, seed=0)
        assert len(losses) == 5 and losses[-1] < losses[0]
        penalty = decoy.right_reasons_penalty(logits_model(model), tf.constant(x), tf.constant(mask.astype(np.float32)))
        penalties[weight] = float(penalty)
    assert penalties[1.0] < 0.2 * penalties[0.0], penalties


# --------------------------------------------------------------------------- the shipped models
def _accuracy(model, x, y):
    return float(np.mean(np.argmax(model.predict(x, batch_size=1000, verbose=0), axis=1) == y))


def test_the_datasheet_states_each_models_accuracies_and_checksum(trained, data):
    sheet = (ROOT / "datasets" / "models" / "README.md").read_text(encoding="utf-8")
    sums = (ROOT / "datasets" / "SHA256SUMS").read_text()
    for name, model in trained.items():
        x_train = data.x_train_clean if name == "clean" else data.x_train
        row = next(line for line in sheet.splitlines() if line.startswith(f"| `decoy_{name}.weights.h5`"))
        cells = [cell.strip() for cell in row.split("|")]
        measured = [_accuracy(model, x_train, data.y_train), _accuracy(model, data.x_test, data.y_test),
                    _accuracy(model, data.x_test_clean, data.y_test)]
        assert cells[4:7] == [f"{value:.3f}" for value in measured], row
        digest = sha256(ROOT / "datasets" / decoy.WEIGHT_FILES[name])
        assert digest in row and f"{digest}  {decoy.WEIGHT_FILES[name]}" in sums
        assert f"{model.count_params():,}" in row


def test_the_decoy_model_reads_the_patch_and_the_cured_ones_do_not(trained, data):
    from course_utils import gradients
    from course_utils.models import logits_model

    x, mask = data.x_test[:100], data.mask_test[:100]
    shares = {}
    for name, m in trained.items():
        ig = gradients.integrated_gradients(logits_model(m), x, n_steps=16).values  # (100, 28, 28)
        shares[name] = decoy.patch_share(ig, mask).mean()
    area = mask.mean()
    assert shares["decoy"] > 4 * area and shares["rrr"] < area
    accuracy = {name: _accuracy(m, data.x_test, data.y_test) for name, m in trained.items()}
    assert accuracy["decoy"] < accuracy["rrr"] - 0.1 and accuracy["decoy"] < accuracy["clean"] - 0.1


def test_weight_files_hold_weights_only_and_unknown_names_are_refused():
    import h5py

    for file in decoy.WEIGHT_FILES.values():
        verified_path(file)
        with h5py.File(ROOT / "datasets" / file, "r") as f:
            assert "optimizer" not in f and "model_config" not in f.attrs
    with pytest.raises(ValueError, match=re.escape("Unknown Decoy MNIST model 'cnn'; choose from 'decoy', 'rrr', "
                                                   "'clean'")):
        decoy.load_decoy_model("cnn")
