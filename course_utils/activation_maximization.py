"""What input excites a unit most? Activation maximization (Erhan, Bengio, Courville & Vincent, 2009).

:func:`activation_maximization` optimizes inputs by gradient ascent, one per unit, with an L2
penalty and a smoothness penalty (the sum of squared differences of neighbouring pixels, a
squared variant of total variation). Taught in notebook 05_hidden_layers.

Reference: Erhan, Bengio, Courville & Vincent (2009), *Visualizing higher-layer features of a
deep network*.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from course_utils.env import import_keras
from course_utils.hidden import LAYER_INPUT, check_traceable, find_layer, resolve_layers, tracer
from course_utils.validation import check_count, input_shape

__all__ = ["activation_maximization"]


def _total_variation(x):
    import tensorflow as tf

    dy = x[:, 1:, ...] - x[:, :-1, ...]
    dx = x[:, :, 1:, ...] - x[:, :, :-1, ...]
    axes = list(range(1, len(x.shape)))
    return tf.reduce_sum(tf.square(dy), axis=axes) + tf.reduce_sum(tf.square(dx), axis=axes)  # (n,)


def _pre_activation_fn(layer) -> Callable[[Any], Any] | None:
    """``h -> layer(h)`` without the layer's activation (Dense and 2-D convolutions), else None."""
    keras = import_keras()
    ops = keras.ops
    activation = getattr(layer, "activation", None)
    if activation is None or activation is keras.activations.linear:
        return None
    if isinstance(layer, keras.layers.Dense):
        return lambda h: ops.matmul(h, layer.kernel) + (layer.bias if layer.use_bias else 0.0)
    if isinstance(layer, keras.layers.Conv2D) and layer.groups == 1:
        def conv(h):
            z = ops.conv(h, layer.kernel, strides=layer.strides, padding=layer.padding,
                         data_format=layer.data_format, dilation_rate=layer.dilation_rate)
            return z + layer.bias if layer.use_bias else z  # channels last: the bias broadcasts
        return conv if layer.data_format == "channels_last" else None
    return None


def activation_maximization(
    model, layer_name: str, units: Sequence[int] | int, *, n_steps: int = 200, learning_rate: float = 0.05,
    l2: float = 0.1, tv: float = 0.5, pre_activation: bool = True, value_range: tuple[float, float] = (0.0, 1.0),
    seed: int = 0,
) -> np.ndarray:
    """Inputs optimized by gradient ascent to excite one unit each (Erhan et al., 2009).

    Each image starts grey with a little noise and follows Adam on

        activation(x)[unit] - l2 * ||x||^2 - tv * TV(x),

    where ``TV`` is the squared total variation (squared differences of neighbouring pixels),
    then is clipped to ``value_range``. The L2 term keeps the background dark (as in MNIST), the
    TV term keeps strokes smooth; without them the result is high-frequency noise. A channel of
    a convolution is scored by its mean over positions. For a class, maximize its logit: pass
    ``logits_model(model)`` and ``layer_name="logits"`` (a softmax probability can also rise by
    pushing the other classes down).

    Parameters
    ----------
    model : keras.Model
        Must know its input shape (start it with ``keras.Input`` or call it once on a batch).
    layer_name : str
    units : int or sequence of int
        One image is optimized per unit, all at once.
    n_steps, learning_rate : int, float
        Adam steps and step size.
    l2, tv : float
        Regularizer weights (0 turns one off).
    pre_activation : bool
        For a Dense or Conv2D layer with a non-linear activation (ReLU), maximize the value before
        the activation. Where the unit is active this is the same goal; where it is silent a ReLU
        has no gradient and the image would never move.
    value_range : (low, high)
        Pixels are clipped to this range after every step.
    seed : int
        Seed of the starting noise.

    Returns
    -------
    ndarray of shape (len(units), *input_shape)

    Examples
    --------
    >>> from course_utils.models import load_pretrained
    >>> images = activation_maximization(load_pretrained("mlp"), "hidden_1", [0, 1], n_steps=10)
    >>> images.shape
    (2, 28, 28)
    """
    import tensorflow as tf

    keras = import_keras()
    check_traceable(model)
    shape = input_shape(model)
    if shape is None or None in shape:
        raise ValueError(f"The model {model.name!r} has no fixed input shape yet; call it once on a batch, e.g. model(x[:1]).")
    units = np.atleast_1d(np.asarray(units))
    if units.ndim != 1 or not np.issubdtype(units.dtype, np.integer):
        raise ValueError(f"units should be an int or a list of ints; got {units!r}.")
    path = resolve_layers(model, [layer_name])[layer_name]
    linear_part = _pre_activation_fn(find_layer(model, path)) if pre_activation else None
    run = tracer(model, {path + LAYER_INPUT} if linear_part else {path})

    def score(x):  # (k, ..., units): the quantity maximized
        return linear_part(run(x)[path + LAYER_INPUT]) if linear_part else run(x)[path]

    n_units = score(np.zeros((1, *shape), np.float32)).shape[-1]
    if units.min() < 0 or units.max() >= n_units:
        raise ValueError(f"units should be integers from 0 to {n_units - 1} (the layer {layer_name!r} has {n_units}); got {units.tolist()}.")
    low, high = value_range
    rng = np.random.default_rng(seed)
    start = (low + high) / 2 + 0.01 * (high - low) * rng.standard_normal((len(units), *shape))
    x = tf.Variable(start.astype(np.float32))
    optimizer = keras.optimizers.Adam(learning_rate)
    pick = tf.one_hot(units, n_units, dtype=tf.float32)  # (k, units): which unit each image excites
    pixel_axes = list(range(1, len(x.shape)))

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            act = tf.reshape(score(x), (len(units), -1, n_units))  # (k, positions, units)
            objective = tf.reduce_sum(tf.reduce_mean(act, axis=1) * pick, axis=1)  # (k,)
            penalty = l2 * tf.reduce_sum(tf.square(x), axis=pixel_axes) + tv * _total_variation(x)  # (k,)
            loss = -tf.reduce_sum(objective - penalty)
        optimizer.apply_gradients([(tape.gradient(loss, x), x)])
        x.assign(tf.clip_by_value(x, low, high))

    for _ in range(check_count(n_steps, "n_steps", meaning="the number of gradient-ascent steps")):
        step()
    return x.numpy()
