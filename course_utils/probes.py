"""Is the class linearly solvable from this layer? Linear probes and 2-D maps of representations.

- :func:`project` — a 2-D map of a layer's representation (PCA or t-SNE).
- :func:`linear_probe`, :func:`probe_layers` — the held-out accuracy of a logistic regression on a
  layer's activations (Alain & Bengio, 2016, *Understanding intermediate layers using linear
  classifier probes*).

t-SNE: van der Maaten & Hinton (2008), *Visualizing data using t-SNE*. Taught in notebook
05_hidden_layers.
"""

from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from course_utils.hidden import get_activations
from course_utils.validation import as_labels

__all__ = ["project", "linear_probe", "probe_layers"]


def _one_thread():
    """Run BLAS/OpenMP on one thread: on these small fits, extra threads cost more than they bring
    (and on a busy machine they can make a fit ten times slower)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _flat(activations: Any, name: str = "activations") -> np.ndarray:
    a = np.asarray(activations, dtype=float)
    if a.ndim < 2:
        raise ValueError(f"{name} should be a batch, shape (n, ...); got {a.shape}.")
    return a.reshape(len(a), -1)


def project(
    activations: Any, *, method: str = "pca", n_components: int = 2, seed: int = 0, perplexity: float = 30.0, max_iter: int = 500,
) -> np.ndarray:
    """A low-dimensional map of a layer's representation, one point per example.

    Parameters
    ----------
    activations : array of shape (n, ...)
        Flattened to ``(n, d)``.
    method : {"pca", "tsne"}
        PCA keeps the directions of largest variance (linear, global distances mean something);
        t-SNE (van der Maaten & Hinton, 2008) keeps neighbourhoods (non-linear: cluster sizes and
        the distances between clusters mean little). For t-SNE, data with more than 50 dimensions
        are first reduced to 50 by PCA.
    n_components : int
    seed : int
    perplexity : float
        t-SNE's effective number of neighbours; must be smaller than ``n``.
    max_iter : int
        t-SNE's optimization steps (at least 250).

    Returns
    -------
    ndarray of shape (n, n_components)

    Examples
    --------
    >>> project(np.random.default_rng(0).normal(size=(20, 5))).shape
    (20, 2)
    """
    from sklearn.decomposition import PCA

    a = _flat(activations)
    if method not in ("pca", "tsne"):
        raise ValueError(f"Unknown method {method!r}; use 'pca' or 'tsne'.")
    with _one_thread():
        if method == "pca":
            return PCA(n_components=n_components, random_state=seed).fit_transform(a)
        from sklearn.manifold import TSNE

        if perplexity >= len(a):
            raise ValueError(f"t-SNE's perplexity ({perplexity}) must be smaller than the number of examples ({len(a)}); lower it or pass more examples.")
        if a.shape[1] > 50:
            a = PCA(n_components=50, random_state=seed).fit_transform(a)
        tsne = TSNE(n_components=n_components, perplexity=perplexity, init="pca", learning_rate="auto", max_iter=max_iter, random_state=seed)
        return tsne.fit_transform(a)


def linear_probe(
    train_activations: Any, y_train: Any, test_activations: Any, y_test: Any, *, C: float = 1.0, max_iter: int = 3000, tol: float = 1e-6,
) -> float:
    """Held-out accuracy of a linear classifier trained on a layer's activations.

    The probe (Alain & Bengio, 2016) is a multinomial logistic regression on standardized
    activations. A high accuracy says the classes are *linearly solvable* from this layer; it
    does not say the network uses that information.

    Parameters
    ----------
    train_activations, test_activations : arrays of shape (n_train, ...), (n_test, ...)
    y_train, y_test : arrays of int, shapes (n_train,), (n_test,)
    C : float
        Inverse L2 regularization strength of the logistic regression.
    max_iter, tol : int, float
        The solver (L-BFGS) runs until the gradient is below ``tol`` or for ``max_iter``
        iterations (then it stops without a warning). The defaults fit to convergence: the
        L2-regularized problem has one optimum, so the accuracy does not depend on the solver's
        path and is the same on every machine.

    Returns
    -------
    float
        Accuracy on the test activations, in [0, 1].

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = np.arange(100) % 2
    >>> a = rng.normal(size=(100, 3)) + 6 * y[:, None]  # two well-separated classes
    >>> linear_probe(a[:50], y[:50], a[50:], y[50:])
    1.0
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    a_train, a_test = _flat(train_activations, "train_activations"), _flat(test_activations, "test_activations")
    if a_train.shape[1] != a_test.shape[1]:
        raise ValueError(f"train and test activations should come from the same layer; they have {a_train.shape[1]} and {a_test.shape[1]} features.")
    y_train, y_test = as_labels(y_train, len(a_train), name="y_train"), as_labels(y_test, len(a_test), name="y_test")
    probe = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=max_iter, tol=tol))
    with warnings.catch_warnings(), _one_thread():
        warnings.simplefilter("ignore", ConvergenceWarning)
        probe.fit(a_train, y_train)
        return float(probe.score(a_test, y_test))


def probe_layers(
    model, x_train: Any, y_train: Any, x_test: Any, y_test: Any, layer_names: Sequence[str] | None = None, *,
    include_input: bool = True, C: float = 1.0, max_iter: int = 3000, tol: float = 1e-6, progress: bool = True,
) -> dict[str, float]:
    """A linear probe on each layer: held-out accuracy of a logistic regression per layer.

    Parameters
    ----------
    model : keras.Model
    x_train, y_train, x_test, y_test : the probe's training and held-out data (inputs, labels)
    layer_names : list of str, optional
        Default: every top-level layer.
    include_input : bool
        Also probe the raw input (entry ``"input"``): the baseline every layer is compared with.
    C, max_iter, tol : see :func:`linear_probe`
    progress : bool
        Show a progress bar (``tqdm.auto``).

    Returns
    -------
    dict[str, float]
        Layer name -> held-out probe accuracy, input first, then in layer order.
    """
    from tqdm.auto import tqdm

    train = get_activations(model, x_train, layer_names)
    test = get_activations(model, x_test, layer_names)
    if include_input:
        train = {"input": np.asarray(x_train), **train}
        test = {"input": np.asarray(x_test), **test}
    return {
        name: linear_probe(train[name], y_train, test[name], y_test, C=C, max_iter=max_iter, tol=tol)
        for name in tqdm(train, desc="linear probes", disable=not progress)
    }
