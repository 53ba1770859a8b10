"""The input rules every course helper shares, each written once (after scikit-learn's ``utils.validation``).

- :func:`check_count` — a positive integer option (``n_samples``, ``n_steps``, ``batch_size``,
  ``k``…); ``True`` is not a count.
- :func:`check_positive` — a positive, finite number (``kernel_width``, ``radius``…).
- :func:`as_batch` — inputs with the examples on axis 0 (one example is ``x[None]``), or an
  error that says how to fix the call.
- :func:`input_shape`, :func:`as_model_batch` — the shape one example must have for a model, and
  a batch checked against it.
- :func:`predict_in_batches` — a model or ``predict_fn`` called on many rows, at most
  :data:`DEFAULT_BATCH_SIZE` at a time, with its output shape checked.

Every message says what was expected, what arrived, and the fix. NumPy only: importing this
module does not import TensorFlow (a Keras model is only inspected through its attributes).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterator, Protocol

import numpy as np

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "check_count",
    "check_positive",
    "as_batch",
    "input_shape",
    "as_model_batch",
    "as_labels",
    "check_callable_model",
    "in_batches",
    "predict_in_batches",
    "Rows",
    "RowsOnDemand",
]

#: Rows (inputs) per call of a model or ``predict_fn``: bounds the memory of one call (a batch of
#: 1,024 MNIST images through the course's CNN and its gradient tape takes about 300 MB).
DEFAULT_BATCH_SIZE = 1024


def check_count(value: Any, name: str, *, minimum: int = 1, meaning: str | None = None) -> int:
    """``value`` as an int of at least ``minimum``, or a ``ValueError`` that says what it counts.

    ``True``/``False`` are refused although Python treats them as 1/0.

    >>> check_count(50, "n_steps")
    50
    >>> check_count(True, "n_steps", meaning="the number of Riemann-sum steps")
    Traceback (most recent call last):
    ...
    ValueError: n_steps is the number of Riemann-sum steps, an int >= 1; got True.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
        if meaning:
            raise ValueError(f"{name} is {meaning}, an int >= {minimum}; got {value!r}.")
        wanted = "a positive integer" if minimum == 1 else f"an integer of at least {minimum}"
        raise ValueError(f"{name} should be {wanted}; got {value!r}.")
    return int(value)


def check_positive(value: Any, name: str, *, meaning: str | None = None) -> float:
    """``value`` as a finite float > 0, or a ``ValueError``.

    >>> check_positive(0.75, "kernel_width")
    0.75
    """
    try:
        number = float(value)
        ok = not isinstance(value, (bool, np.bool_)) and math.isfinite(number) and number > 0
    except (TypeError, ValueError):
        ok = False
    if not ok:
        what = f"{meaning}, a positive number" if meaning else "a positive number"
        raise ValueError(f"{name} should be {what}; got {value!r}.")
    return number


def as_batch(x: Any, *, example_shape: tuple[int, ...] | None = None, name: str = "x", dtype: Any = float) -> np.ndarray:
    """``x`` as an array with the examples on axis 0, or an error that says how to fix it.

    Parameters
    ----------
    x : array-like or DataFrame
        The inputs.
    example_shape : tuple of int, optional
        The shape of one example, e.g. ``(28, 28)`` or ``(9,)``. Without it, ``x`` must have at
        least 2 dimensions.
    name : str
        How the argument is called in the error messages.
    dtype
        The dtype of the returned array.

    Examples
    --------
    >>> as_batch([[1, 2, 3]]).shape
    (1, 3)
    >>> as_batch([1, 2, 3], example_shape=(3,), name="row")
    Traceback (most recent call last):
    ...
    ValueError: expected a batch of shape (n, 3); got (3,). Pass row[None] for one example.
    """
    if hasattr(x, "to_numpy"):
        x = x.to_numpy()
    array = np.asarray(x, dtype=dtype)
    if example_shape is not None:
        example_shape = tuple(int(d) for d in example_shape)
        wanted = _batch_shape(example_shape)
        if array.shape == example_shape:
            raise ValueError(f"expected a batch of shape {wanted}; got {array.shape}. Pass {name}[None] for one example.")
        if array.shape[1:] != example_shape:
            raise ValueError(f"expected a batch of shape {wanted}; got {array.shape}.")
    elif array.ndim < 2:
        raise ValueError(
            f"expected a batch with the examples on axis 0, shape (n, n_features); got {array.shape}. "
            f"Pass {name}[None] for one example."
        )
    if array.shape[0] == 0:
        raise ValueError(f"{name} holds no examples (shape {array.shape}).")
    return array


def _batch_shape(example_shape: tuple) -> str:
    return "(n, " + ", ".join("?" if d is None else str(d) for d in example_shape) + ")"


def as_labels(y: Any, n: int, *, n_classes: int | None = None, why: str = "", name: str = "y") -> np.ndarray:
    """``y`` as int64 class labels, one per example (``n``), each in ``0 .. n_classes - 1`` when given.

    Integral floats (``3.0``) are accepted; one-hot rows get a hint. ``why`` says where
    ``n_classes`` comes from, e.g. ``"the network has 10 outputs"``.

    >>> as_labels([0, 2.0, 1], 3, n_classes=3)
    array([0, 2, 1])
    >>> as_labels([0, 3], 2, n_classes=3, why="the network has 3 outputs")
    Traceback (most recent call last):
    ...
    ValueError: y should hold integer class labels 0..2 (the network has 3 outputs); got 3 at index 1.
    """
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[0] == n and y.shape[1] > 1 and (n_classes is None or y.shape[1] == n_classes):
        raise ValueError(
            f"{name} should hold one class index per example, shape ({n},); got {y.shape}. "
            f"If {name} is one-hot, pass {name}.argmax(axis=1)."
        )
    if y.shape != (n,):
        raise ValueError(f"{name} should hold one class index per example, shape ({n},); got {y.shape}.")
    if y.dtype.kind == "f" and np.all(y == np.round(y)):
        y = y.astype(np.int64)
    span = "" if n_classes is None else f" 0..{n_classes - 1}"
    if y.dtype.kind not in "iu":
        raise ValueError(f"{name} should hold integer class labels{span}; got dtype {y.dtype}.")
    if n_classes is not None:
        bad = np.flatnonzero((y < 0) | (y >= n_classes))
        if bad.size:
            reason = f" ({why})" if why else ""
            raise ValueError(f"{name} should hold integer class labels{span}{reason}; got {y[bad[0]]} at index {bad[0]}.")
    return y.astype(np.int64)


def input_shape(model: Any) -> tuple | None:
    """The shape of one input of a built Keras model (``None`` entries for free sizes), or None if unknown.

    A model that was never built (e.g. a ``Sequential`` without ``keras.Input`` before its first
    call) and a plain function have no known input shape.
    """
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        return None
    if not inputs:
        return None
    if len(inputs) != 1:
        raise ValueError(f"{getattr(model, 'name', 'the model')!r} has {len(inputs)} inputs; the course's helpers support models with one input.")
    return tuple(inputs[0].shape[1:])


def check_callable_model(model: Any) -> None:
    """A ``TypeError`` unless ``model`` can be called on a batch (a Keras model or a function)."""
    if not callable(model):
        raise TypeError(f"model should be a Keras model (or a function of TensorFlow tensors); got {type(model).__name__}.")


def as_model_batch(model: Any, x: Any, *, name: str = "x") -> np.ndarray:
    """``x`` as a float32 batch of the shape ``model`` takes, with an error that says how to fix it.

    >>> class Model:  # anything callable with Keras's ``inputs`` attribute
    ...     name, inputs = "demo", [np.zeros((1, 28, 28))]
    ...     def __call__(self, x): return x
    >>> as_model_batch(Model(), np.zeros((28, 28)))
    Traceback (most recent call last):
    ...
    ValueError: expected a batch of shape (n, 28, 28); got (28, 28). Pass x[None] for one example.
    """
    check_callable_model(model)
    array = np.asarray(x)
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
        raise ValueError(f"{name} should be an array of numbers; got dtype {array.dtype}.")
    expected = input_shape(model)
    if expected is None:
        return as_batch(array, name=name, dtype=np.float32)

    def fits(shape: tuple) -> bool:
        return len(shape) == len(expected) and all(e is None or e == g for e, g in zip(expected, shape))

    wanted = _batch_shape(expected)
    if fits(array.shape):
        raise ValueError(f"expected a batch of shape {wanted}; got {array.shape}. Pass {name}[None] for one example.")
    if array.ndim < 1 or not fits(array.shape[1:]):
        fix = ""
        if array.ndim >= 1 and None not in expected and array.size and array[0].size == math.prod(expected):
            fix = f" Reshape it: {name}.reshape(-1, " + ", ".join(str(s) for s in expected) + ")."
        raise ValueError(f"the model {getattr(model, 'name', '')!r} expects a batch of shape {wanted}; got {array.shape}.{fix}")
    if len(array) == 0:
        raise ValueError(f"{name} holds no examples (shape {array.shape}).")
    return array.astype(np.float32, copy=False)


class Rows(Protocol):
    """Rows made on demand: anything with ``len()`` whose slices are arrays (see :func:`predict_in_batches`)."""

    def __len__(self) -> int: ...

    def __getitem__(self, rows: slice) -> np.ndarray: ...


class RowsOnDemand:
    """``n`` rows made by ``make(indices)`` only when a batch asks for them (a :class:`Rows`).

    >>> squares = RowsOnDemand(4, lambda i: (i ** 2)[:, None])
    >>> len(squares), squares[1:3].ravel().tolist()
    (4, [1, 4])
    """

    def __init__(self, n: int, make: Callable[[np.ndarray], np.ndarray]):
        self.n, self.make = int(n), make

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, rows: slice) -> np.ndarray:
        return self.make(np.arange(self.n)[rows])


def in_batches(rows: np.ndarray | Rows, batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[tuple[slice, np.ndarray]]:
    """The one batching loop of the course: ``(where, rows[where])`` for consecutive batches.

    Every helper that runs a model on many inputs — predictions, activations, gradients — walks
    its inputs with this loop, so memory is bounded the same way everywhere.

    >>> [(where.start, len(batch)) for where, batch in in_batches(np.zeros((5, 2)), 2)]
    [(0, 2), (2, 2), (4, 1)]
    """
    batch_size = check_count(batch_size, "batch_size", meaning="the number of rows per call of predict_fn")
    n = len(rows)
    for start in range(0, n, batch_size):
        where = slice(start, min(start + batch_size, n))
        yield where, rows[where]


def predict_in_batches(
    predict_fn: Callable[[np.ndarray], Any], rows: np.ndarray | Rows, *, batch_size: int = DEFAULT_BATCH_SIZE
) -> np.ndarray:
    """``predict_fn`` on ``rows`` at most ``batch_size`` at a time, concatenated: shape (N,) or (N, K).

    ``rows`` is an array of inputs, or an object that makes them on demand (``len(rows)`` and
    ``rows[start:stop]`` giving an array), so perturbed inputs that would not fit in memory at
    once — every coalition of every example with every background row — are built one batch at a
    time. Each call must return one score (or one row of K scores) per input.

    Examples
    --------
    >>> predict_in_batches(lambda x: x.sum(axis=1), np.ones((5, 2)), batch_size=2)
    array([2., 2., 2., 2., 2.])
    """
    parts = []
    for _, chunk in in_batches(rows, batch_size):
        scores = np.asarray(predict_fn(chunk), dtype=float)
        if scores.ndim not in (1, 2) or scores.shape[0] != len(chunk):
            raise ValueError(
                f"predict_fn returned shape {scores.shape} for {len(chunk)} inputs; it must return one score per input, "
                "shape (n,), or one row of scores per input, shape (n, K)."
            )
        parts.append(scores)
    if not parts:
        raise ValueError("predict_in_batches got no rows to predict.")
    return np.concatenate(parts)
