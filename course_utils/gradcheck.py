"""Gradient checking: centred differences and a per-parameter comparison table.

A backward pass is easy to get subtly wrong, and a wrong gradient still trains — just badly.
The cure is to compare it with the definition of the derivative, one coordinate at a time::

    df/dx_i ≈ (f(x + h e_i) - f(x - h e_i)) / (2h)        # error O(h²)

``compare_gradients`` prints the result as one line per parameter, after the ``cmp`` helper of
Karpathy's *nn-zero-to-hero* (``makemore_part4_backprop.ipynb``). Taught in notebook
03_backprop_from_scratch; see also CS231n's notes on gradient checks.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = ["numerical_gradient", "relative_error", "compare_gradients"]

TINY = np.finfo(np.float64).tiny  # ≈ 2.2e-308: keeps 0/0 at 0 in relative_error


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, *, h: float = 1e-5) -> np.ndarray:
    """The gradient of a scalar function by centred differences, one coordinate at a time.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a scalar. ``x`` is changed **in place** (one entry nudged by ``±h``, then
        restored), so ``f`` may also ignore its argument and read the array it closes over — e.g.
        ``lambda _: net.loss(X, y)`` with ``x = net.params["W1"]``.
    x : ndarray of float
        The point; float64 recommended (float32 rounding swamps differences this small).
    h : float
        The step. 1e-5 balances truncation error (∝ h²) against rounding error (∝ 1/h).

    Returns
    -------
    ndarray, same shape as ``x``
        ``(f(x + h e_i) - f(x - h e_i)) / (2h)`` for every index ``i``.

    Examples
    --------
    >>> numerical_gradient(lambda v: float((v ** 2).sum()), np.array([1.0, -2.0])).round(6)
    array([ 2., -4.])
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        kind = type(x).__name__ if not isinstance(x, np.ndarray) else f"an array of dtype {x.dtype}"
        raise TypeError(
            f"x should be a NumPy float array that can be nudged in place; got {kind}. "
            "Pass np.asarray(x, dtype=np.float64)."
        )
    if not h > 0:
        raise ValueError(f"h should be a small positive step such as 1e-5; got {h}.")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):  # every index of x, in order
        old = x[i]
        x[i] = old + h
        f_plus = _scalar(f(x))
        x[i] = old - h
        f_minus = _scalar(f(x))
        x[i] = old  # restore
        grad[i] = (f_plus - f_minus) / (2 * h)
    return grad


def _scalar(value) -> float:
    arr = np.asarray(value)
    if arr.size != 1:
        raise ValueError(
            f"f should return a scalar (the loss); got an array of shape {arr.shape}. "
            "Reduce it to one number, e.g. with .mean() or .sum()."
        )
    return float(arr.reshape(()))


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """How far apart two arrays are, relative to their size.

    ``relative_error(a, b) = max_i |a_i - b_i| / max(max_i (|a_i| + |b_i|), tiny)``

    with ``tiny`` the smallest normal float64 (so two all-zero arrays give 0, not 0/0). It is
    symmetric, at most 1, and 0 only when the arrays are equal. One maximum over the whole array in
    the denominator means entries near zero are judged on the array's scale, not their own — an
    element-wise ratio would blow up where both gradients are ~0. In float64, a correct backward
    pass is typically below 1e-8 against centred differences; above 1e-4 something is wrong.

    Examples
    --------
    >>> round(relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.2])), 6)  # 0.2 / 4.2
    0.047619
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"the two arrays should have the same shape; got {a.shape} and {b.shape}.")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(a) + np.abs(b))), TINY))


def compare_gradients(
    analytic: dict[str, np.ndarray],
    numeric: dict[str, np.ndarray],
    *,
    rtol: float = 1e-5,
    atol: float = 1e-8,
):
    """One row per parameter comparing two sets of gradients (after Karpathy's ``cmp``).

    Parameters
    ----------
    analytic, numeric : dict[str, ndarray]
        Gradients by parameter name, e.g. from ``MLP.loss_and_grads`` and from centred
        differences or ``tf.GradientTape``. Same keys, same shapes.
    rtol, atol : float
        Tolerances of the "close" column (``np.allclose(analytic, numeric, rtol, atol)``).

    Returns
    -------
    pandas.DataFrame
        Columns ``name``, ``shape``, ``exact`` (bit-for-bit equal), ``close`` (``np.allclose``),
        ``max abs diff`` and ``relative error`` (:func:`relative_error`), in the order of
        ``analytic``.
    """
    import pandas as pd

    if set(analytic) != set(numeric):
        missing = sorted(set(analytic) - set(numeric))
        extra = sorted(set(numeric) - set(analytic))
        raise ValueError(
            f"both dicts should name the same parameters; missing from numeric: {missing}, "
            f"missing from analytic: {extra}."
        )
    rows = []
    for name, a in analytic.items():
        a, b = np.asarray(a, dtype=np.float64), np.asarray(numeric[name], dtype=np.float64)
        if a.shape != b.shape:
            raise ValueError(f"gradient {name!r} has shape {a.shape} in analytic but {b.shape} in numeric.")
        rows.append(
            {
                "name": name,
                "shape": a.shape,
                "exact": bool(np.array_equal(a, b)),
                "close": bool(np.allclose(a, b, rtol=rtol, atol=atol)),
                "max abs diff": float(np.max(np.abs(a - b))) if a.size else 0.0,
                "relative error": relative_error(a, b),
            }
        )
    return pd.DataFrame(rows, columns=["name", "shape", "exact", "close", "max abs diff", "relative error"])
