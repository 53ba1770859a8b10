"""The course's two MNIST models: their architectures, their pretrained weights, their logits.

- ``build(name)`` — the untrained Keras 3 architecture of ``"mlp"`` (the seed model: Flatten →
  Dense 128 ReLU → Dropout 0.2 → Dense 64 ReLU → Dense 10 softmax) or ``"cnn"`` (Conv 16 →
  MaxPool → Conv 32 → Conv 64 ``"last_conv"`` → global average pooling → Dense 10 softmax).
- ``load_pretrained(name)`` — the same architecture with the weights trained by
  ``datasets/models/train_models.py``. Only *weights* are loaded (``model.load_weights`` from a
  ``.weights.h5`` file whose SHA-256 checksum is checked first): the architecture is built here in
  code, so loading a model never runs code stored in a file.
- ``logits_model(model)`` — the same network without its final softmax, sharing its weights.
- ``explained_digits()`` — the test digits that notebooks 06, 07 and 08 all explain, so that
  gradients, SHAP and LIME can be compared on the same predictions.

Both models take a batch of images of shape ``(n, 28, 28)`` with pixels in [0, 1] — exactly what
``load_mnist()`` returns — and output ``(n, 10)`` class probabilities. Taught in notebook
04_keras_mnist; used by every later notebook on images.

MNIST: LeCun, Bottou, Bengio & Haffner (1998), *Gradient-based learning applied to document
recognition*.
"""

from __future__ import annotations

from typing import Callable

from course_utils.env import import_keras
from course_utils.keras_graph import layer_call
from course_utils.validation import input_shape

keras = import_keras()  # without TensorFlow's start-up lines on the process's error output

__all__ = [
    "ARCHITECTURES",
    "WEIGHT_FILES",
    "EXPLAINED_CLASSES",
    "build",
    "load_pretrained",
    "logits_model",
    "explained_digits",
]

INPUT_SHAPE = (28, 28)  # one MNIST image; a batch is (n, 28, 28)
N_CLASSES = 10
#: The digits that Part III explains, one test image of each (see explained_digits).
EXPLAINED_CLASSES = (2, 3, 7, 9)


def _mlp() -> keras.Model:
    """784-128-64-10 multilayer perceptron with dropout after the first hidden layer."""
    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE, name="image"),
            keras.layers.Flatten(name="flatten"),  # (n, 784)
            keras.layers.Dense(128, activation="relu", name="hidden_1"),  # (n, 128)
            keras.layers.Dropout(0.2, name="dropout"),
            keras.layers.Dense(64, activation="relu", name="hidden_2"),  # (n, 64)
            keras.layers.Dense(N_CLASSES, activation="softmax", name="output"),  # (n, 10)
        ],
        name="mlp",
    )


def _cnn() -> keras.Model:
    """A small CNN with a global-average-pooling head; ``last_conv`` (14×14×64) is Grad-CAM's layer.

    The head averages each of the 64 feature maps of ``last_conv`` to one number and feeds those
    to the softmax layer (the class-activation-map architecture of Zhou et al., 2016), so every
    class score is a weighted sum of spatially averaged feature maps.
    """
    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE, name="image"),
            keras.layers.Reshape((*INPUT_SHAPE, 1), name="add_channel"),  # (n, 28, 28, 1)
            keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="conv_1"),  # (n, 28, 28, 16)
            keras.layers.MaxPooling2D(2, name="pool_1"),  # (n, 14, 14, 16)
            keras.layers.Conv2D(32, 3, padding="same", activation="relu", name="conv_2"),  # (n, 14, 14, 32)
            keras.layers.Conv2D(64, 3, padding="same", activation="relu", name="last_conv"),  # (n, 14, 14, 64)
            keras.layers.GlobalAveragePooling2D(name="global_pool"),  # (n, 64)
            keras.layers.Dense(N_CLASSES, activation="softmax", name="output"),  # (n, 10)
        ],
        name="cnn",
    )


#: name -> function building the untrained architecture.
ARCHITECTURES: dict[str, Callable[[], keras.Model]] = {"mlp": _mlp, "cnn": _cnn}
#: name -> weight file, relative to ``datasets/`` (checked against ``datasets/SHA256SUMS``).
WEIGHT_FILES: dict[str, str] = {"mlp": "models/mlp.weights.h5", "cnn": "models/cnn.weights.h5"}


def _check_name(name: str) -> str:
    if name not in ARCHITECTURES:
        valid = ", ".join(repr(n) for n in ARCHITECTURES)
        raise ValueError(f"Unknown model name {name!r}. The course's models are {valid}, e.g. load_pretrained('mlp').")
    return name


def build(name: str) -> keras.Model:
    """The untrained architecture of one of the course's models (fresh random weights).

    Parameters
    ----------
    name : {"mlp", "cnn"}
        Which model.

    Returns
    -------
    keras.Model
        A Keras 3 ``Sequential`` model taking ``(n, 28, 28)`` images and returning ``(n, 10)``
        softmax probabilities; not compiled. Call ``keras.utils.set_random_seed`` first for
        reproducible initial weights.

    Examples
    --------
    >>> model = build("mlp")
    >>> [layer.name for layer in model.layers]
    ['flatten', 'hidden_1', 'dropout', 'hidden_2', 'output']
    """
    return ARCHITECTURES[_check_name(name)]()


def load_pretrained(name: str) -> keras.Model:
    """One of the course's models with its pretrained weights (trained on ``load_mnist()``).

    The architecture is built in code by :func:`build`; only the weights are read, from
    ``datasets/models/<name>.weights.h5`` after checking its SHA-256 checksum. Loading therefore
    runs no code from the file. The datasheet with the test accuracies is
    ``datasets/models/README.md``.

    Parameters
    ----------
    name : {"mlp", "cnn"}
        Which model.

    Returns
    -------
    keras.Model
        The model, compiled with Adam and sparse categorical cross-entropy (so
        ``model.evaluate`` works), outputs ``(n, 10)`` probabilities.

    Examples
    --------
    >>> mlp = load_pretrained("mlp")
    >>> mlp.output_shape
    (None, 10)
    """
    from course_utils.datasets import verified_path

    model = build(name)
    model.load_weights(verified_path(WEIGHT_FILES[name]))
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


class _PreSoftmax(keras.layers.Layer):
    """The pre-activation ``x @ kernel + bias`` of a Dense layer, sharing that layer's variables."""

    def __init__(self, dense: keras.layers.Dense, **kwargs):
        super().__init__(**kwargs)
        self.dense = dense

    def call(self, x):
        z = keras.ops.matmul(x, self.dense.kernel)
        if self.dense.use_bias:
            z = z + self.dense.bias
        return z

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.dense.units)


def _is_softmax_layer(layer) -> bool:
    if isinstance(layer, keras.layers.Softmax):
        return True
    return isinstance(layer, keras.layers.Activation) and layer.activation is keras.activations.softmax


def _known_input_shape(model: keras.Model) -> tuple:
    shape = input_shape(model)
    if shape is None:
        raise ValueError(
            f"The model {model.name!r} has not been built yet, so its input shape is unknown. Call it once on "
            "a batch first, e.g. model(x[:1]), or start it with keras.Input(shape=(28, 28))."
        )
    return shape


def logits_model(model: keras.Model) -> keras.Model:
    """The same network without its final softmax: it outputs the pre-softmax logits.

    The returned model shares its weights with ``model`` (changing one changes the other), and
    ``keras.ops.softmax(logits_model(model)(x))`` equals ``model(x)``. Gradient explanations of a
    class score are usually taken on the logit: the softmax couples all classes and saturates.

    Parameters
    ----------
    model : keras.Model
        A ``Sequential`` or functional model whose last layer is a ``Dense`` layer with
        ``activation="softmax"`` or a ``Softmax``/``Activation("softmax")`` layer.

    Returns
    -------
    keras.Model
        Input as ``model``; output ``(n, n_classes)`` logits. A Dense head becomes a layer named
        ``"logits"``.

    Examples
    --------
    >>> mlp = load_pretrained("mlp")
    >>> logits = logits_model(mlp)
    >>> logits.layers[-1].name
    'logits'
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"logits_model expects a keras.Model, got {type(model).__name__}.")
    if not model.layers:
        raise ValueError(f"The model {model.name!r} has no layers.")
    last = model.layers[-1]
    if _is_softmax_layer(last):
        head = None  # the logits are simply the input of the softmax layer
    elif isinstance(last, keras.layers.Dense) and last.activation is keras.activations.softmax:
        head = _PreSoftmax(last, name="logits")
    else:
        activation = getattr(getattr(last, "activation", None), "__name__", None)
        raise ValueError(
            f"logits_model needs a model that ends in a softmax; its last layer {last.name!r} is a "
            f"{type(last).__name__}" + (f" with activation {activation!r}" if activation else "") + ". "
            "If the model already outputs logits, use it as it is."
        )
    if isinstance(model, keras.Sequential):
        inputs = keras.Input(shape=_known_input_shape(model), name="image")
        h = inputs
        for layer in model.layers[:-1]:
            h = layer(h)
        outputs = h if head is None else head(h)
    else:
        # The node where the model's own graph calls its last layer (``last.input`` would be the
        # input of the layer's first call, which belongs to another model if the layer is shared).
        unsupported = ValueError(
            f"logits_model supports functional models with one output made by their last layer; "
            f"{model.name!r} is not one. Build the logits model by hand: keras.Model(model.inputs, ...)."
        )
        try:
            node = layer_call(model, last)
        except ValueError:
            raise unsupported from None
        if len(model.outputs) != 1 or node.output_tensors[0] is not model.outputs[0]:
            raise unsupported
        inputs = (
            model.inputs[0] if len(model.inputs) == 1 else model.inputs
        )  # a lone tensor: call it with a batch as is
        features = node.input_tensors[0]
        outputs = features if head is None else head(features)
    return keras.Model(inputs, outputs, name=f"{model.name}_logits")


def explained_digits(*, confidence: float = 0.95):
    """Indices of the test digits that notebooks 06–08 explain: one 2, 3, 7 and 9.

    Each is the first test image of its class (``EXPLAINED_CLASSES``) that *both* pretrained
    models classify correctly with a probability above ``confidence`` for the true digit, so that
    every explainer of Part III is compared on the same, unambiguous predictions.

    Returns
    -------
    numpy array of 4 ints
        Indices into ``load_mnist()[1]`` (the test set), in the order of ``EXPLAINED_CLASSES``.

    Examples
    --------
    >>> from course_utils.datasets import load_mnist
    >>> _, (x_test, y_test) = load_mnist()
    >>> y_test[explained_digits()].tolist()
    [2, 3, 7, 9]
    """
    import numpy as np

    from course_utils.datasets import load_mnist

    _, (x_test, y_test) = load_mnist()
    probabilities = [load_pretrained(name).predict(x_test, verbose=0) for name in ("mlp", "cnn")]
    p_true = np.minimum(*probabilities)[np.arange(len(y_test)), y_test]  # (n,): the less sure model's probability
    picked = []
    for digit in EXPLAINED_CLASSES:
        candidates = np.flatnonzero((y_test == digit) & (p_true > confidence))
        if not len(candidates):
            raise ValueError(
                f"no test {digit} is classified with probability above {confidence} by both models; lower confidence."
            )
        picked.append(int(candidates[0]))
    return np.array(picked)
