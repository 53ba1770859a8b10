"""Decoy MNIST (Ross, Hughes & Doshi-Velez 2017): a shortcut planted in the digits, and models with and without it.

**The data.** Every digit gets a 4×4 patch in one of its four corners (chosen at random per
image). In the training set the patch's shade encodes the label — ``(255 - 25 * digit) / 255``, so
a 0 gets a patch of full intensity (1.0, like ink) and a 9 a faint one (0.12) — and at test time it is
the shade of a *random*
digit. A model that reads the patch instead of the digit is right for the wrong reason: perfect on
the training data, near chance at test. :func:`add_patch` plants it; :func:`load_decoy_mnist`
builds the sets from the course's digits (``load_mnist()``) with a fixed seed.

**The cure** in the paper is a loss that is "right for the right reasons":

    L(θ) = cross-entropy + λ · mean_n sum_d ( A_nd · ∂/∂x_nd sum_k log p_θ(k | x_n) )²,

which penalizes the input gradient of the summed log-probabilities wherever the annotation mask
``A`` says "this should not matter" — here, the patch (:func:`right_reasons_penalty`, trained by
the ``tf.GradientTape`` loop of :func:`train`). The other cure is cleaned data: train on the digits
without patches.

**The models.** The paper's MLP (784-50-30-10, ReLU, softmax output), trained three ways by
``datasets/models/train_decoy.py``: ``"decoy"`` on the decoy training set, ``"rrr"`` on the same
set with the penalty, ``"clean"`` on the digits without patches. :func:`load_decoy_model` builds
the architecture in code and loads only their checksummed weights (as
:func:`course_utils.models.load_pretrained` does). :func:`patch_share` measures how much of an
attribution falls on the patch. Taught in notebook 11_case_studies.

TensorFlow is imported only by the functions that train or load models.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from course_utils.validation import as_batch, as_labels, check_count, check_positive

if TYPE_CHECKING:
    import keras

__all__ = [
    "PATCH",
    "DecoyMNIST",
    "patch_shade",
    "add_patch",
    "load_decoy_mnist",
    "patch_share",
    "build",
    "right_reasons_penalty",
    "train",
    "MODEL_NAMES",
    "WEIGHT_FILES",
    "load_decoy_model",
]

PATCH = 4  # the patch is PATCH × PATCH pixels
MODEL_NAMES = ("decoy", "rrr", "clean")
#: name -> weight file, relative to ``datasets/`` (checked against ``datasets/SHA256SUMS``).
WEIGHT_FILES = {name: f"models/decoy_{name}.weights.h5" for name in MODEL_NAMES}


def patch_shade(digits: Any) -> np.ndarray:
    """The shade that encodes each digit, in [0, 1]: ``(255 - 25 * digit) / 255`` (0 → 1.0, 9 → 0.12)."""
    return (255.0 - 25.0 * np.asarray(digits, dtype=float)) / 255.0


def add_patch(images: Any, digits: Any, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Copies of ``images`` with a 4×4 patch of shade ``patch_shade(digits)`` in a random corner of each.

    Parameters
    ----------
    images : array, shape (n, 28, 28)
        Pixels in [0, 1].
    digits : array of int, shape (n,)
        The digit whose shade each patch gets: the labels (training set) or random digits (test).
    seed : int
        Seed of ``np.random.default_rng`` for the corners.

    Returns
    -------
    patched : float32 array, shape (n, 28, 28)
    mask : bool array, shape (n, 28, 28)
        True on each image's patch: the annotation ``A`` of the penalty and of :func:`patch_share`.

    Examples
    --------
    >>> patched, mask = add_patch(np.zeros((2, 28, 28)), [0, 9])
    >>> mask.sum(axis=(1, 2)), patched.max(axis=(1, 2)).round(2)
    (array([16, 16]), array([1.  , 0.12], dtype=float32))
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 3:
        raise ValueError(f"images should be a batch of shape (n, 28, 28); got {images.shape}. Pass image[None] for "
                         "one.")
    digits = np.asarray(digits)
    if digits.shape != images.shape[:1]:
        raise ValueError(f"give one digit per image: digits has shape {digits.shape}, images {images.shape}.")
    n, h, w = images.shape
    rng = np.random.default_rng(seed)
    top = rng.integers(0, 2, size=n).astype(bool)  # (n,) patch at the top or the bottom
    left = rng.integers(0, 2, size=n).astype(bool)  # (n,) at the left or the right
    rows = np.where(top[:, None], np.arange(PATCH), np.arange(h - PATCH, h))  # (n, 4)
    cols = np.where(left[:, None], np.arange(PATCH), np.arange(w - PATCH, w))  # (n, 4)
    mask = np.zeros(images.shape, dtype=bool)
    mask[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]] = True
    patched = images.copy()
    patched[mask] = np.repeat(patch_shade(digits), PATCH * PATCH).astype(np.float32)
    return patched, mask


@dataclass
class DecoyMNIST:
    """The course's digits with and without the decoy patch.

    ``x_train`` carries the label's shade, ``x_test`` a random digit's shade (``test_shade_digit``);
    ``x_train_clean``/``x_test_clean`` are the same digits without patches; ``mask_*`` are True
    on the patches. Images (n, 28, 28) float32 in [0, 1]; labels int.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    mask_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    mask_test: np.ndarray
    test_shade_digit: np.ndarray
    x_train_clean: np.ndarray
    x_test_clean: np.ndarray


def load_decoy_mnist(*, seed: int = 0) -> DecoyMNIST:
    """Decoy MNIST from ``load_mnist()``'s 4,000 training and 1,000 test digits.

    Examples
    --------
    >>> data = load_decoy_mnist()
    >>> data.x_train.shape, float(data.mask_test.mean().round(4))  # the patch is 16 of 784 pixels
    ((4000, 28, 28), 0.0204)
    """
    from course_utils.datasets import load_mnist

    (x_train, y_train), (x_test, y_test) = load_mnist()
    rng = np.random.default_rng(seed)
    shade_digit = rng.integers(0, 10, size=len(y_test))  # at test the shade says nothing about the label
    patched_train, mask_train = add_patch(x_train, y_train, seed=seed + 1)
    patched_test, mask_test = add_patch(x_test, shade_digit, seed=seed + 2)
    return DecoyMNIST(patched_train, y_train, mask_train, patched_test, y_test, mask_test, shade_digit, x_train, x_test)


def patch_share(values: Any, mask: Any) -> np.ndarray:
    """The share of each image's attribution mass that falls on its patch: shape (n,).

    ``sum_patch |a| / sum_all |a|`` per image, in [0, 1]. Compare it with the patch's share of the
    area, ``mask.mean()`` (16 / 784 ≈ 2%): a model that ignores the patch puts about that much or
    less there; a model that reads it puts far more.

    >>> values = np.ones((1, 28, 28)); values[0, :4, :4] = 10.0
    >>> mask = np.zeros((1, 28, 28), bool); mask[0, :4, :4] = True
    >>> patch_share(values, mask).round(3)
    array([0.172])
    """
    values = np.abs(np.asarray(values, dtype=float))
    mask = np.asarray(mask, dtype=bool)
    if values.shape != mask.shape or values.ndim < 2:
        raise ValueError(f"values and mask should both have shape (n, 28, 28); got {values.shape} and {mask.shape}.")
    n = len(values)
    total = values.reshape(n, -1).sum(axis=1)
    on_patch = np.where(mask, values, 0.0).reshape(n, -1).sum(axis=1)
    return np.divide(on_patch, total, out=np.zeros(n), where=total > 0)


# ---------------------------------------------------------------------------------------------
# The models: architecture, penalty, training loop, pretrained weights
# ---------------------------------------------------------------------------------------------


def build() -> "keras.Model":
    """The paper's MLP: Flatten → Dense 50 ReLU → Dense 30 ReLU → Dense 10 softmax (untrained)."""
    from course_utils.env import import_keras

    keras = import_keras()
    return keras.Sequential([
        keras.Input(shape=(28, 28), name="image"),
        keras.layers.Flatten(name="flatten"),  # (n, 784)
        keras.layers.Dense(50, activation="relu", name="hidden_1"),  # (n, 50)
        keras.layers.Dense(30, activation="relu", name="hidden_2"),  # (n, 30)
        keras.layers.Dense(10, activation="softmax", name="output"),  # (n, 10)
    ], name="decoy_mlp")


def right_reasons_penalty(logits_model, x, mask):
    """``mean_n sum_d (mask_nd * ∂/∂x_nd sum_k log p(k | x_n))²``: Ross et al.'s penalty, a TensorFlow scalar.

    ``logits_model`` maps ``x`` (n, 28, 28) to logits; ``mask`` is 1 where the input should not
    matter. The outer tape of the training step differentiates this through the inner one.
    """
    import tensorflow as tf

    with tf.GradientTape() as tape:
        tape.watch(x)
        log_p = tf.nn.log_softmax(logits_model(x, training=True))  # (n, 10)
        summed = tf.reduce_sum(log_p)
    gradient = tape.gradient(summed, x)  # (n, 28, 28): ∂ sum_k log p_k / ∂x, for each image
    return tf.reduce_mean(tf.reduce_sum(tf.square(mask * gradient), axis=[1, 2]))


def train(model, x, y, *, mask=None, penalty: float = 0.0, epochs: int = 10, batch_size: int = 64,
          learning_rate: float = 1e-3, seed: int = 0) -> list[float]:
    """Train ``model`` in place with Adam on cross-entropy + ``penalty`` × :func:`right_reasons_penalty`.

    A plain ``tf.GradientTape`` loop (the penalty needs the gradient of a gradient, which
    ``model.fit`` does not give). Batches are shuffled with ``np.random.default_rng(seed)``.
    Returns the mean training loss of each epoch.
    """
    epochs = check_count(epochs, "epochs")
    batch_size = check_count(batch_size, "batch_size", meaning="the number of images per training step")
    learning_rate = check_positive(learning_rate, "learning_rate")
    if isinstance(penalty, (bool, np.bool_)) or not np.isfinite(penalty) or penalty < 0:
        raise ValueError(f"penalty is the weight λ of the right-reasons term, a number >= 0 (0: no penalty); "
                         f"got {penalty!r}.")
    x = as_batch(x, name="x", dtype=np.float32)
    y = as_labels(y, len(x))
    if mask is not None and np.shape(mask) != x.shape:
        raise ValueError(f"mask should have the shape of x, {x.shape}, True where the input should not matter; "
                         f"got {np.shape(mask)}.")
    import tensorflow as tf

    from course_utils.env import import_keras
    from course_utils.models import logits_model

    keras = import_keras()
    logits = logits_model(model)
    optimizer = keras.optimizers.Adam(learning_rate)
    x = tf.constant(x)
    y = tf.constant(y)
    m = tf.constant(np.zeros(x.shape, np.float32) if mask is None else np.asarray(mask, dtype=np.float32))
    weight = tf.constant(float(penalty))

    @tf.function
    def step(xb, yb, mb):
        with tf.GradientTape() as tape:
            per_image = tf.nn.sparse_softmax_cross_entropy_with_logits(yb, logits(xb, training=True))  # (batch,)
            cross_entropy = tf.reduce_mean(per_image)
            loss = cross_entropy + (weight * right_reasons_penalty(logits, xb, mb) if penalty else 0.0)
        optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables))
        return loss

    rng = np.random.default_rng(seed)
    history = []
    for _ in range(epochs):
        order = rng.permutation(len(y))
        losses = [float(step(tf.gather(x, rows), tf.gather(y, rows), tf.gather(m, rows)))
                  for rows in np.array_split(order, int(np.ceil(len(y) / batch_size)))]
        history.append(float(np.mean(losses)))
    return history


def load_decoy_model(name: str):
    """One of the three trained Decoy MNIST models: ``"decoy"``, ``"rrr"`` or ``"clean"``.

    The architecture is :func:`build`; only weights are read, after their SHA-256 checksum is
    checked (``datasets/SHA256SUMS``). The datasheet is ``datasets/models/README.md``; the training
    script ``datasets/models/train_decoy.py``.

    Examples
    --------
    >>> model = load_decoy_model("rrr")
    >>> model.output_shape
    (None, 10)
    """
    from course_utils.datasets import verified_path

    if name not in WEIGHT_FILES:
        raise ValueError(f"Unknown Decoy MNIST model {name!r}; choose from {', '.join(repr(n) for n in MODEL_NAMES)}.")
    model = build()
    model.load_weights(verified_path(WEIGHT_FILES[name]))
    return model
