"""Symmetric linear quantization of weights, by hand: explain the model you deploy.

A deployed network often runs with its weights stored as 8-bit integers. Symmetric linear
quantization maps a tensor ``w`` to integers ``q = round(w / scale)`` in ``[-Q, Q]`` with
``Q = 2**(bits-1) - 1`` (127 for 8 bits) and ``scale = max |w| / Q``, and back to
``q * scale``; the largest weight is represented exactly, every other one moves by at most
``scale / 2``. One scale per tensor, or one per output channel (per column of a Dense kernel),
which keeps small channels precise (Jacob et al., 2018, "Quantization and training of neural
networks for efficient integer-arithmetic-only inference", CVPR; Krishnamoorthi, 2018,
"Quantizing deep convolutional networks for efficient inference: a whitepaper", arXiv:1806.08342).
The grid is TensorFlow's ``fake_quant_with_min_max_vars(..., narrow_range=True)`` with
``min = -max |w|`` (the tests check it).

- :func:`quantize` — ``(q, scale)`` of one array, per tensor or per channel;
- :func:`dequantize` — ``q * scale`` back as float32;
- :func:`quantized_model` — a copy of a Keras model whose kernels are quantized and dequantized
  (biases stay in float, as integer inference keeps them in 32 bits).

Taught in notebook 12_privacy_and_security. NumPy only at import; Keras is imported by
:func:`quantized_model`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.validation import check_count

__all__ = ["quantize", "dequantize", "quantized_model"]


def _levels(bits: Any) -> int:
    bits = check_count(bits, "bits", minimum=2, meaning="the number of bits per weight")
    if bits > 16:
        raise ValueError(f"bits must be at most 16 (the integers are stored as int8 or int16); got {bits}.")
    return 2 ** (bits - 1) - 1


def _channel_axis(axis: Any, ndim: int) -> int | None:
    if axis is None:
        return None
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -ndim <= axis < ndim:
        raise ValueError(f"axis must be None (one scale per tensor) or an axis of the {ndim}-D array; got {axis!r}.")
    return int(axis) % ndim


def quantize(weights: Any, *, bits: int = 8, axis: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric linear quantization: integers ``q`` and the ``scale`` that maps them back.

    Parameters
    ----------
    weights : array
        The float weights, e.g. a Dense kernel of shape (in, out).
    bits : int
        Bits per weight, 2 to 16: integers in ``[-(2**(bits-1) - 1), 2**(bits-1) - 1]``.
    axis : int, optional
        None: one scale for the whole tensor. An axis: one scale per index along it — ``axis=-1``
        gives each output unit of a Dense kernel its own scale (per-channel quantization).

    Returns
    -------
    q : int8 array (int16 above 8 bits), the shape of ``weights``
        ``round(weights / scale)``, rounding half to even (``np.rint``).
    scale : float array, shape () per tensor or ``(weights.shape[axis],)`` per channel
        ``max |w| / (2**(bits-1) - 1)`` over the tensor or channel; 1.0 where all weights are 0.

    Examples
    --------
    >>> q, scale = quantize(np.array([[0.5, -1.27], [0.01, 1.0]]))
    >>> q.tolist(), float(scale)
    ([[50, -127], [1, 100]], 0.01)
    >>> quantize(np.array([[0.5, -1.27], [0.01, 1.0]]), axis=-1)[1].round(5).tolist()  # one scale per column
    [0.00394, 0.01]
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.size == 0:
        raise ValueError("weights is empty; there is nothing to quantize.")
    if not np.all(np.isfinite(w)):
        raise ValueError("weights holds NaN or infinite values, which have no place on an integer grid.")
    levels = _levels(bits)
    channel = _channel_axis(axis, w.ndim)
    others = tuple(i for i in range(w.ndim) if i != channel)
    largest = np.abs(w).max(axis=others)  # () per tensor, (channels,) per channel
    scale = np.where(largest > 0, largest / levels, 1.0)
    q = np.clip(np.rint(w / _broadcast(scale, channel, w.ndim)), -levels, levels)
    return q.astype(np.int8 if levels <= 127 else np.int16), scale


def _broadcast(scale: np.ndarray, channel: int | None, ndim: int) -> np.ndarray:
    """The scale shaped to multiply the tensor: a scalar, or (1, …, channels, …, 1)."""
    if channel is None:
        return scale
    shape = [1] * ndim
    shape[channel] = -1
    return scale.reshape(shape)


def dequantize(q: Any, scale: Any, *, axis: int | None = None) -> np.ndarray:
    """``q * scale`` as float32: the weights the quantized model computes with.

    Examples
    --------
    >>> dequantize(np.array([50, -127], dtype=np.int8), np.float64(0.01)).tolist()
    [0.5, -1.2699999809265137]
    """
    q = np.asarray(q)
    scale = np.asarray(scale, dtype=np.float64)
    channel = _channel_axis(axis, q.ndim)
    expected = () if channel is None else (q.shape[channel],)
    if scale.shape != expected:
        raise ValueError(
            f"scale has shape {scale.shape}; expected {expected} for "
            + ("one scale per tensor (axis=None)." if channel is None else f"one scale per index of axis {axis}.")
        )
    return (q * _broadcast(scale, channel, q.ndim)).astype(np.float32)


def quantized_model(model: Any, *, bits: int = 8, per_channel: bool = False):
    """A copy of a Keras model whose kernels are quantized to ``bits`` and dequantized; biases stay float.

    Every layer's ``kernel`` is replaced by ``dequantize(*quantize(kernel, bits=bits, axis=...))``,
    with one scale per tensor, or per output channel (the last axis of a Dense or Conv kernel) with
    ``per_channel=True``. The original model is unchanged.

    Examples
    --------
    >>> from course_utils.models import load_pretrained
    >>> small = quantized_model(load_pretrained("mlp"))
    >>> kernel = small.get_layer("hidden_1").kernel.numpy()
    >>> len(np.unique(kernel)) <= 255
    True
    """
    from course_utils.env import import_keras

    keras = import_keras()
    if not isinstance(model, keras.Model):
        raise TypeError(f"quantized_model expects a keras.Model; got {type(model).__name__}.")
    axis = -1 if per_channel else None
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    for layer in copy.layers:
        kernel = getattr(layer, "kernel", None)
        if kernel is not None:
            kernel.assign(dequantize(*quantize(kernel.numpy(), bits=bits, axis=axis), axis=axis))
    return copy
