"""What one unit of a layer does: its values per example, per class, how often it fires.

A *unit* is one coordinate of a layer's output: a neuron of a Dense layer, or a channel of a
convolutional layer (its value on an input is then the channel's mean over positions).

- :func:`unit_values` — one number per example and unit.
- :func:`class_means`, :func:`active_fraction`, :func:`dead_units` — summaries per unit.
- :func:`most_activating` — the inputs on which one unit fires most.

The activations come from :func:`course_utils.hidden.get_activations`. Taught in notebook
05_hidden_layers. NumPy only.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from course_utils.validation import as_labels, check_count

__all__ = ["unit_values", "unit_column", "class_means", "active_fraction", "dead_units", "most_activating"]


def unit_values(activations: Any) -> np.ndarray:
    """One number per example and unit: ``(n, units)``; a channel of a conv layer is averaged over positions.

    Examples
    --------
    >>> unit_values(np.ones((2, 4, 4, 3))).shape
    (2, 3)
    """
    a = np.asarray(activations, dtype=float)
    if a.ndim < 2:
        raise ValueError(f"Expected activations of shape (n, units) or (n, ..., channels); got {a.shape}. Pass a batch.")
    if a.ndim == 2:
        return a
    return a.reshape(len(a), -1, a.shape[-1]).mean(axis=1)


def class_means(activations: Any, y: Any, *, n_classes: int | None = None) -> np.ndarray:
    """Mean activation of every unit over the examples of each class.

    Parameters
    ----------
    activations : array of shape (n, units) or (n, ..., channels)
    y : array of shape (n,)
        Integer class labels 0 .. n_classes - 1.
    n_classes : int, optional
        Default ``y.max() + 1``. A class without examples gets NaN.

    Returns
    -------
    ndarray of shape (n_classes, units)

    Examples
    --------
    >>> class_means(np.array([[1.0, 0.0], [3.0, 2.0], [5.0, 4.0]]), np.array([0, 0, 1]))
    array([[2., 1.],
           [5., 4.]])
    """
    a = unit_values(activations)
    y = as_labels(y, len(a))
    k = int(y.max()) + 1 if n_classes is None else int(n_classes)
    means = np.full((k, a.shape[1]), np.nan)
    for c in range(k):
        if np.any(y == c):
            means[c] = a[y == c].mean(axis=0)
    return means


def _max_per_unit(activations: Any) -> np.ndarray:
    a = np.asarray(activations, dtype=float)
    if a.ndim < 2:
        raise ValueError(f"Expected activations of shape (n, units) or (n, ..., channels); got {a.shape}. Pass a batch.")
    return a.reshape(len(a), -1, a.shape[-1]).max(axis=1)  # (n, units): the strongest response anywhere


def active_fraction(activations: Any, *, tol: float = 0.0) -> np.ndarray:
    """For each unit, the fraction of examples on which it is active (above ``tol`` somewhere).

    Returns
    -------
    ndarray of shape (units,), values in [0, 1]

    Examples
    --------
    >>> active_fraction(np.array([[0.0, 1.0], [0.0, 0.0], [0.0, 2.0], [0.0, 3.0]]))
    array([0.  , 0.75])
    """
    return (_max_per_unit(activations) > tol).mean(axis=0)


def dead_units(activations: Any, *, tol: float = 0.0) -> np.ndarray:
    """Indices of the units that are never active: at most ``tol`` on every example.

    A dead ReLU unit outputs 0 whatever the input, so its gradient is 0 too and it never learns
    again; it is wasted capacity.

    Returns
    -------
    ndarray of int, shape (n_dead,)

    Examples
    --------
    >>> dead_units(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]))
    array([0, 2])
    """
    return np.flatnonzero(active_fraction(activations, tol=tol) == 0)


def unit_column(activations: Any, unit: int) -> np.ndarray:
    """One unit's values over the examples, shape (n,), with an error naming the valid units."""
    a = unit_values(activations)
    if isinstance(unit, (bool, np.bool_)) or not isinstance(unit, (int, np.integer)) or not 0 <= unit < a.shape[1]:
        raise ValueError(f"unit should be an integer from 0 to {a.shape[1] - 1} (the layer has {a.shape[1]} units); got {unit!r}.")
    return a[:, unit]


def most_activating(activations: Any, unit: int, *, k: int = 9) -> np.ndarray:
    """Indices of the ``k`` examples on which ``unit`` is most active, strongest first.

    Parameters
    ----------
    activations : array of shape (n, units) or (n, ..., channels)
        A layer's activations, e.g. ``get_activations(model, x, ["hidden_1"])["hidden_1"]``.
    unit : int
    k : int

    Returns
    -------
    ndarray of int, shape (min(k, n),)
        Ties keep the order of the examples.

    Examples
    --------
    >>> most_activating(np.array([[0.1], [0.9], [0.5]]), 0, k=2)
    array([1, 2])
    """
    values = unit_column(activations, unit)
    k = check_count(k, "k")
    return np.argsort(-values, kind="stable")[:k]
