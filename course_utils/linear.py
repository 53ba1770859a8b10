"""Linear systems, least squares and collinearity — the helpers of notebook 01_linear_solvability.

- :func:`least_squares` — the least-squares solution three ways (normal equations, ``lstsq``,
  ``pinv``), which agree whenever the solution is unique.
- :func:`make_correlated_features` — two standard-normal features with a chosen correlation and
  a linear target; :func:`collinearity_experiment` refits it on fresh samples and measures how
  much the weights and the predictions move; :func:`plot_collinearity` draws that (it is the
  drawing function of the notebook's correlation slider).
- :func:`standardized_weights`, :func:`bootstrap_standardized_weights` and :func:`plot_weights`
  — a logistic regression's weights on z-scored features, their spread across bootstrap
  resamples, and a bar chart of them.

Only NumPy, scikit-learn and matplotlib are imported (no TensorFlow). References: G. Strang,
*Introduction to Linear Algebra* (rank, the four subspaces, least squares); L. N. Trefethen and
D. Bau, *Numerical Linear Algebra*, lectures 11–12 and 18 (least squares and conditioning).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from course_utils.validation import check_count

__all__ = [
    "METHODS",
    "least_squares",
    "make_correlated_features",
    "CollinearityFits",
    "collinearity_experiment",
    "plot_collinearity",
    "standardized_weights",
    "bootstrap_standardized_weights",
    "plot_weights",
]

METHODS = ("normal", "lstsq", "pinv")
_BLUE, _GREEN, _VERMILLION = "#0072B2", "#009E73", "#D55E00"  # Okabe–Ito


def _as_system(A, b) -> tuple[np.ndarray, np.ndarray]:
    A = np.asarray(A, dtype=float)
    b = np.asarray(b, dtype=float)
    if A.ndim != 2:
        raise ValueError(
            f"A must be a 2-D array of shape (n, d) — n equations, d unknowns; got shape {A.shape}. "
            "For a single feature pass A[:, None]."
        )
    if b.ndim not in (1, 2) or b.shape[0] != A.shape[0]:
        raise ValueError(
            f"b must have one row per equation: A has shape {A.shape}, so b should have shape "
            f"({A.shape[0]},); got shape {b.shape}."
        )
    return A, b


def least_squares(A, b, *, method: str = "lstsq") -> np.ndarray:
    """The ``x`` that minimizes ``||A @ x - b||²``, computed one of three ways.

    Parameters
    ----------
    A : array of shape (n, d)
        One row per equation (example), one column per unknown (feature).
    b : array of shape (n,) or (n, k)
        The right-hand side (targets).
    method : {"normal", "lstsq", "pinv"}
        ``"normal"`` solves the normal equations ``AᵀA x = Aᵀb`` with ``np.linalg.solve``
        (only when the solution is unique); ``"lstsq"`` calls ``np.linalg.lstsq`` (SVD-based);
        ``"pinv"`` multiplies by the pseudo-inverse, ``np.linalg.pinv(A) @ b``. When ``A`` has
        fewer independent columns than columns, ``"lstsq"`` and ``"pinv"`` return the
        minimum-norm solution.

    Returns
    -------
    x : ndarray of shape (d,) or (d, k)

    Examples
    --------
    >>> A = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    >>> least_squares(A, np.array([1.0, 2.0, 2.0]), method="normal").round(3)
    array([1.167, 0.5  ])
    """
    A, b = _as_system(A, b)
    if method == "normal":
        rank = np.linalg.matrix_rank(A)
        if rank < A.shape[1]:
            raise ValueError(
                f"A has rank {rank} but {A.shape[1]} columns, so AᵀA is singular and the least-squares "
                "solution is not unique: the normal equations cannot pick one. Use method='lstsq' or "
                "method='pinv' for the minimum-norm solution, or drop the redundant columns."
            )
        return np.linalg.solve(A.T @ A, A.T @ b)  # (d, d) system
    if method == "lstsq":
        return np.linalg.lstsq(A, b, rcond=None)[0]
    if method == "pinv":
        return np.linalg.pinv(A) @ b
    raise ValueError(f"method must be one of {', '.join(repr(m) for m in METHODS)}; got {method!r}.")


def _check_correlation(correlation: float) -> float:
    correlation = float(correlation)
    if not -1.0 < correlation < 1.0:
        raise ValueError(
            f"correlation must be strictly between -1 and 1; got {correlation}. At ±1 the two features "
            "are copies of each other and their separate weights are not defined at all."
        )
    return correlation


def _draw(rng: np.random.Generator, n: int, correlation: float, weights: np.ndarray, noise: float):
    z = rng.standard_normal((n, 2))  # (n, 2) independent
    x = np.column_stack([z[:, 0], correlation * z[:, 0] + np.sqrt(1.0 - correlation**2) * z[:, 1]])
    signal = x @ weights  # (n,)
    return x, signal, signal + noise * rng.standard_normal(n)


def make_correlated_features(
    n_samples: int = 100,
    *,
    correlation: float = 0.9,
    weights: Sequence[float] = (1.0, 1.0),
    noise: float = 1.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Two standard-normal features with a chosen correlation, and a linear target.

    ``x1 = z1`` and ``x2 = correlation * z1 + sqrt(1 - correlation²) * z2`` with independent
    standard normal ``z1, z2``; the target is ``y = weights[0] x1 + weights[1] x2 + noise * ε``.

    Parameters
    ----------
    n_samples : int
        Number of examples (at least 3).
    correlation : float
        Population correlation of the two features, strictly between -1 and 1.
    weights : pair of floats
        True weights of the target.
    noise : float
        Standard deviation of the target's noise.
    seed : int
        Seed of ``np.random.default_rng``.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)

    Examples
    --------
    >>> X, y = make_correlated_features(5000, correlation=0.9, seed=1)
    >>> round(float(np.corrcoef(X.T)[0, 1]), 1)
    0.9
    """
    correlation = _check_correlation(correlation)
    n_samples = check_count(n_samples, "n_samples", minimum=3)
    weights = np.asarray(weights, dtype=float)
    if weights.shape != (2,):
        raise ValueError(f"weights must be a pair (w1, w2); got shape {weights.shape}.")
    X, _, y = _draw(np.random.default_rng(seed), int(n_samples), correlation, weights, float(noise))
    return X, y


@dataclass(frozen=True)
class CollinearityFits:
    """Least-squares fits of the same model on many fresh samples (see :func:`collinearity_experiment`).

    Attributes
    ----------
    correlation : float
    true_weights : ndarray (2,)
    weights : ndarray (n_resamples, 2)
        The fitted weights, one row per resample.
    x_first : ndarray (n_samples, 2)
        The features of the first resample (for drawing).
    x_test : ndarray (n_test, 2)
        New inputs from the same distribution, shared by all resamples.
    y_test : ndarray (n_test,)
        Their noise-free targets.
    predictions : ndarray (n_resamples, n_test)
        Each refit's predictions on ``x_test``.
    condition_number : float
        Median over the resamples of ``cond(X)``.
    """

    correlation: float
    true_weights: np.ndarray
    weights: np.ndarray
    x_first: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    predictions: np.ndarray
    condition_number: float

    @property
    def weight_spread(self) -> np.ndarray:
        """Standard deviation of each fitted weight across resamples, shape (2,)."""
        return self.weights.std(axis=0)

    @property
    def prediction_spread(self) -> float:
        """Typical standard deviation of a prediction across resamples (root mean square over x_test)."""
        return float(np.sqrt(np.mean(self.predictions.var(axis=0))))


def collinearity_experiment(
    correlation: float,
    *,
    n_samples: int = 50,
    n_resamples: int = 40,
    n_test: int = 25,
    weights: Sequence[float] = (1.0, 1.0),
    noise: float = 1.0,
    seed: int = 0,
) -> CollinearityFits:
    """Refit ``y ≈ w1 x1 + w2 x2`` on ``n_resamples`` fresh samples and keep weights and predictions.

    The same seed draws the same underlying random numbers for every ``correlation``, so moving
    the correlation changes the data smoothly.

    Examples
    --------
    >>> fits = collinearity_experiment(0.99, seed=0)
    >>> fits.weights.shape, fits.predictions.shape
    ((40, 2), (40, 25))
    """
    correlation = _check_correlation(correlation)
    n_resamples = check_count(n_resamples, "n_resamples", minimum=2, meaning="the number of fits (a spread needs two)")
    true_weights = np.asarray(weights, dtype=float)
    rng = np.random.default_rng(seed)
    x_test, y_test, _ = _draw(rng, n_test, correlation, true_weights, 0.0)
    fitted, conds, x_first = [], [], None
    for _ in range(n_resamples):
        X, y = make_correlated_features(
            n_samples, correlation=correlation, weights=true_weights, noise=noise, seed=int(rng.integers(2**31))
        )
        x_first = X if x_first is None else x_first
        fitted.append(least_squares(X, y))
        conds.append(np.linalg.cond(X))
    fitted = np.array(fitted)  # (n_resamples, 2)
    return CollinearityFits(
        correlation=correlation,
        true_weights=true_weights,
        weights=fitted,
        x_first=x_first,
        x_test=x_test,
        y_test=y_test,
        predictions=fitted @ x_test.T,  # (n_resamples, n_test)
        condition_number=float(np.median(conds)),
    )


def plot_collinearity(
    correlation: float,
    *,
    seed: int = 0,
    n_samples: int = 50,
    n_resamples: int = 40,
    axes=None,
):
    """Draw the collinearity experiment: the features, the fitted weights, the predictions.

    Left: the two features of one sample. Middle: the fitted ``(w1, w2)`` of every resample, with
    the true weights and the line of equal sum ``w1 + w2``. Right: every refit's predictions on
    the same new inputs against their noise-free targets. Axis limits are fixed, so pictures for
    different correlations can be compared (this is the notebook's slider).

    Parameters
    ----------
    correlation : float
        Correlation of the two features, strictly between -1 and 1.
    seed, n_samples, n_resamples
        Passed to :func:`collinearity_experiment`.
    axes : sequence of 3 matplotlib Axes, optional
        Where to draw; a new 1×3 figure when omitted.

    Returns
    -------
    ndarray of 3 Axes
    """
    import matplotlib.pyplot as plt

    fits = collinearity_experiment(correlation, n_samples=n_samples, n_resamples=n_resamples, seed=seed)
    if axes is None:
        _, axes = plt.subplots(1, 3, figsize=(13, 4.2))
    axes = np.asarray(axes, dtype=object).ravel()
    if axes.size != 3:
        raise ValueError(
            f"axes must hold 3 axes (features, weights, predictions); got {axes.size}. Omit axes to get a new figure."
        )
    ax_x, ax_w, ax_p = axes

    ax_x.scatter(*fits.x_first.T, s=14, color=_BLUE, alpha=0.8)
    ax_x.set(
        xlim=(-3.5, 3.5),
        ylim=(-3.5, 3.5),
        xlabel="feature $x_1$",
        ylabel="feature $x_2$",
        aspect="equal",
        title=f"the features: correlation {fits.correlation:.2f}\ncond(X) ≈ {fits.condition_number:.1f}",
    )

    w1, w2 = fits.true_weights
    line = np.array([-3.0, 6.0])
    ax_w.plot(line, w1 + w2 - line, color="black", linestyle="--", linewidth=1, label=f"$w_1 + w_2 = {w1 + w2:g}$")
    ax_w.scatter(*fits.weights.T, s=18, color=_BLUE, alpha=0.7, label="one refit")
    ax_w.scatter([w1], [w2], s=160, marker="*", color=_VERMILLION, zorder=3, label="true weights")
    spread = fits.weight_spread
    ax_w.set(
        xlim=(-2.5, 4.5),
        ylim=(-2.5, 4.5),
        xlabel="fitted weight $w_1$",
        ylabel="fitted weight $w_2$",
        aspect="equal",
        title=f"weights of {len(fits.weights)} refits\nspread (sd): $w_1$ {spread[0]:.2f}, $w_2$ {spread[1]:.2f}",
    )
    ax_w.legend(loc="upper right", fontsize=8)

    limit = np.array([-6.0, 6.0])
    ax_p.plot(limit, limit, color="black", linestyle="--", linewidth=1, label="perfect prediction")
    ax_p.scatter(
        np.tile(fits.y_test, len(fits.predictions)),
        fits.predictions.ravel(),
        s=8,
        color=_GREEN,
        alpha=0.35,
        label="a refit's prediction",
    )
    ax_p.set(
        xlim=limit,
        ylim=limit,
        xlabel="noise-free target of a new input",
        ylabel="predicted",
        aspect="equal",
        title=f"their predictions on {len(fits.y_test)} new inputs\nspread (sd): {fits.prediction_spread:.2f}",
    )
    ax_p.legend(loc="upper left", fontsize=8)
    return axes


def _check_features(X, y) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array of shape (n, d); got shape {X.shape}. For one example pass X[None].")
    if y.shape != (X.shape[0],):
        raise ValueError(f"y must have shape ({X.shape[0]},), one label per row of X; got shape {y.shape}.")
    if len(np.unique(y)) != 2:
        raise ValueError(f"y must hold two classes (a binary target); got {len(np.unique(y))} distinct values.")
    constant = np.flatnonzero(X.std(axis=0) == 0)
    if constant.size:
        raise ValueError(
            f"feature(s) {constant.tolist()} are constant, so they cannot be standardized; drop them first."
        )
    return X, y


def standardized_weights(X, y, *, C: float = 1.0) -> np.ndarray:
    """Weights of a logistic regression fitted on z-scored features.

    Each feature is standardized with its mean and population standard deviation (as
    ``StandardScaler`` does); the weight of feature ``j`` is then the change in log-odds for one
    standard deviation more of it, the other features held fixed.

    Parameters
    ----------
    X : array of shape (n, d)
    y : array of shape (n,), two classes
        The weights push towards the larger label.
    C : float
        Inverse strength of the L2 penalty (scikit-learn's ``C``).

    Returns
    -------
    ndarray of shape (d,)

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> standardized_weights(X, 1 - y).shape
    (30,)
    """
    from sklearn.linear_model import LogisticRegression

    X, y = _check_features(X, y)
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    return LogisticRegression(C=C, solver="newton-cholesky", tol=1e-10, max_iter=1000).fit(Z, y).coef_[0]


def bootstrap_standardized_weights(X, y, *, n_resamples: int = 30, C: float = 1.0, seed: int = 0) -> np.ndarray:
    """:func:`standardized_weights` refitted on ``n_resamples`` bootstrap resamples, shape (n_resamples, d)."""
    X, y = _check_features(X, y)
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(n_resamples):
        pick = rng.integers(0, len(X), len(X))
        rows.append(standardized_weights(X[pick], y[pick], C=C))
    return np.array(rows)


def plot_weights(
    weights,
    feature_names: Sequence[str],
    *,
    spread=None,
    top: int | None = None,
    ax=None,
    title: str = "weights on standardized features",
    xlabel: str = "change in log-odds per standard deviation",
    legend: tuple[str, str] = ("raises the score", "lowers the score"),
    highlight=None,
    highlight_label: str = "highlighted",
):
    """Horizontal bar chart of signed weights, largest magnitude on top, coloured by sign.

    Parameters
    ----------
    weights : array of shape (d,)
    feature_names : d strings
    spread : array of shape (d,), optional
        Drawn as error bars (e.g. the standard deviation across bootstrap resamples).
    top : int, optional
        Draw only the ``top`` weights of largest magnitude.
    ax : matplotlib Axes, optional
    legend : pair of str
        Legend entries for positive and negative weights.
    highlight : boolean array of shape (d,), optional
        Bars to hatch (e.g. weights whose sign disagrees with the feature's correlation with the
        label), with the legend entry ``highlight_label``.

    Returns
    -------
    matplotlib Axes
    """
    import matplotlib.pyplot as plt

    weights = np.asarray(weights, dtype=float)
    names = list(feature_names)
    if weights.ndim != 1 or len(names) != len(weights):
        raise ValueError(
            f"weights must have shape (d,) with one name per weight; got shape {weights.shape} and {len(names)} names."
        )
    if spread is not None:
        spread = np.asarray(spread, dtype=float)
        if spread.shape != weights.shape:
            raise ValueError(f"spread must have the shape of weights, {weights.shape}; got {spread.shape}.")
    if highlight is not None:
        highlight = np.asarray(highlight, dtype=bool)
        if highlight.shape != weights.shape:
            raise ValueError(
                f"highlight must be a boolean mask of the shape of weights, {weights.shape}; got {highlight.shape}."
            )
    order = np.argsort(-np.abs(weights))[: top or len(weights)][::-1]  # largest on top
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 0.28 * len(order) + 1.2))
    colours = [_VERMILLION if w > 0 else _BLUE for w in weights[order]]
    bars = ax.barh(
        np.arange(len(order)),
        weights[order],
        color=colours,
        edgecolor="white",
        xerr=None if spread is None else spread[order],
        error_kw={"ecolor": "black", "elinewidth": 1, "capsize": 2},
    )
    ax.set_yticks(np.arange(len(order)), [names[i] for i in order])
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set(xlabel=xlabel, title=title)
    from matplotlib.patches import Patch

    handles = [Patch(color=_VERMILLION, label=legend[0]), Patch(color=_BLUE, label=legend[1])]
    if highlight is not None:
        for bar, flagged in zip(bars, highlight[order]):
            if flagged:
                bar.set(hatch="///", edgecolor="black")
        handles.append(Patch(facecolor="white", edgecolor="black", hatch="///", label=highlight_label))
    ax.legend(handles=handles, loc="lower right", fontsize=8)
    return ax
