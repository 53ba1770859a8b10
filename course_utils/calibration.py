"""Calibration of a classifier's probabilities: reliability bins, ECE and temperature scaling (notebook 04).

Follows Guo, Pleiss, Sun & Weinberger (2017), *On calibration of modern neural networks* (ICML):
the expected calibration error (ECE) over equal-width confidence bins, and temperature scaling —
one scalar ``T > 0`` that divides the logits, fitted by minimizing the negative log-likelihood
on held-out data. Dividing by ``T`` changes no argmax, so accuracy stays the same.

NumPy and SciPy only (no TensorFlow).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax

from course_utils.validation import as_labels, check_count

__all__ = ["Reliability", "reliability", "expected_calibration_error", "nll", "fit_temperature", "apply_temperature"]


class Reliability(NamedTuple):
    """Per confidence bin (arrays of shape (n_bins,)) and the expected calibration error."""

    mean_confidence: np.ndarray  # mean confidence of the bin; nan if the bin is empty
    accuracy: np.ndarray  # fraction right in the bin; nan if the bin is empty
    counts: np.ndarray  # examples in the bin
    ece: float


def _probabilities_and_labels(probabilities: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(probabilities, dtype=float)
    if p.ndim != 2:
        raise ValueError(f"probabilities should have shape (n, n_classes); got shape {p.shape}.")
    labels = as_labels(y, len(p), n_classes=p.shape[1])
    return p, labels


def reliability(probabilities: Any, y: Any, *, n_bins: int = 10) -> Reliability:
    """Group predictions into ``n_bins`` equal-width bins of confidence; accuracy and confidence per bin.

    Bin ``b`` holds the confidences in ``[b / n_bins, (b + 1) / n_bins)`` (the last bin includes 1).
    ECE = sum over bins of (n_b / n) * |accuracy_b - mean confidence_b|  (Guo et al., 2017, eq. 3).

    Parameters
    ----------
    probabilities : array of shape (n, n_classes)
    y : array of shape (n,), integer labels
    n_bins : int

    Returns
    -------
    Reliability
        ``mean_confidence``, ``accuracy``, ``counts`` (each (n_bins,); nan for an empty bin) and ``ece``.

    Examples
    --------
    >>> import numpy as np
    >>> r = reliability(np.array([[0.9, 0.1], [0.6, 0.4]]), np.array([0, 1]), n_bins=2)
    >>> r.counts.tolist(), round(r.ece, 2)
    ([0, 2], 0.25)
    """
    p, labels = _probabilities_and_labels(probabilities, y)
    n_bins = check_count(n_bins, "n_bins")
    confidence = p.max(axis=1)  # (n,)
    correct = p.argmax(axis=1) == labels  # (n,)
    bins = np.minimum((confidence * n_bins).astype(int), n_bins - 1)  # (n,)
    counts = np.bincount(bins, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_confidence = np.bincount(bins, weights=confidence, minlength=n_bins) / counts
        accuracy = np.bincount(bins, weights=correct, minlength=n_bins) / counts
    used = counts > 0
    ece = float(np.sum(counts[used] / len(labels) * np.abs(accuracy[used] - mean_confidence[used])))
    return Reliability(mean_confidence, accuracy, counts, ece)


def expected_calibration_error(probabilities: Any, y: Any, *, n_bins: int = 10) -> float:
    """The ECE of :func:`reliability` alone."""
    return reliability(probabilities, y, n_bins=n_bins).ece


def _logits_and_labels(logits: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    z = np.asarray(logits, dtype=float)
    if z.ndim != 2:
        raise ValueError(f"logits should have shape (n, n_classes); got shape {z.shape}. "
                         "Use course_utils.models.logits_model(model) to get a model's logits.")
    labels = as_labels(y, len(z), n_classes=z.shape[1])
    return z, labels


def nll(logits: Any, y: Any, *, temperature: float = 1.0) -> float:
    """Mean negative log-likelihood of the labels under ``softmax(logits / temperature)``."""
    z, labels = _logits_and_labels(logits, y)
    return float(-np.mean(log_softmax(z / temperature, axis=1)[np.arange(len(z)), labels]))


def fit_temperature(logits: Any, y: Any, *, bounds: tuple[float, float] = (0.05, 20.0)) -> float:
    """The temperature ``T`` minimizing the NLL of ``softmax(logits / T)`` on ``(logits, y)``.

    Fit it on held-out data (not the data the model was trained on, where it is overconfident).
    The search runs over ``log T`` within ``bounds``.

    Parameters
    ----------
    logits : array of shape (n, n_classes)
        Scores before the softmax.
    y : array of shape (n,), integer labels
    bounds : (low, high)
        Range searched for ``T``.

    Returns
    -------
    float
        ``T > 1`` softens overconfident probabilities, ``T < 1`` sharpens them.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.array([[4.0, 0.0], [4.0, 0.0], [0.0, 4.0], [4.0, 0.0]])
    >>> fit_temperature(z, np.array([0, 1, 1, 0])) > 1   # one of four confident answers is wrong
    True
    """
    z, labels = _logits_and_labels(logits, y)
    low, high = bounds
    if not 0 < low < high:
        raise ValueError(f"bounds should be (low, high) with 0 < low < high; got {bounds!r}.")
    result = minimize_scalar(lambda log_t: nll(z, labels, temperature=np.exp(log_t)),
                             bounds=(np.log(low), np.log(high)), method="bounded", options={"xatol": 1e-6})
    return float(np.exp(result.x))


def apply_temperature(logits: Any, temperature: float) -> np.ndarray:
    """Probabilities ``softmax(logits / temperature)``, shape (n, n_classes)."""
    if not temperature > 0:
        raise ValueError(f"temperature should be a positive number; got {temperature!r}.")
    return softmax(np.asarray(logits, dtype=float) / temperature, axis=1)
