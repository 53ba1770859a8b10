"""Global views of a model: permutation importance, partial dependence, ICE, accumulated local effects.

Where Part III explains one prediction, these describe the model over a whole data set ``X``:

- :func:`permutation_importance` — how much a score drops when one column is shuffled, which breaks
  its link with the target and the other columns (Breiman 2001; *model reliance*, Fisher, Rudin &
  Dominici 2019). ``importance = score(y, f(X)) - score(y, f(X with that column permuted))``.
- :func:`ice_curves` — one curve per example: its prediction as one feature is set to each grid
  value, everything else kept (*individual conditional expectation*, Goldstein et al. 2015).
- :func:`partial_dependence` — the average of the ICE curves (Friedman 2001),
  ``PD(v) = mean_i f(v, x_i,-j)``.
- :func:`accumulated_local_effects` — the average *change* of the prediction across small quantile
  bins of the feature, using only the examples inside each bin, accumulated and centred (Apley &
  Zhu 2020): it never asks the model about feature combinations far from the data, which partial
  dependence does when features are correlated.
- :func:`regularization_path` — L1 or L2 logistic regression along a path of penalties: how many
  features survive and what the test AUC is (Tibshirani 1996).

Every function takes any ``predict_fn`` (a batch ``(n, d)`` → ``(n,)`` or ``(n, K)``, called in
batches of at most :data:`~course_utils.validation.DEFAULT_BATCH_SIZE` rows) and a table ``X`` (an
array or a DataFrame); ``feature`` is a column index or a DataFrame column name; ``target`` picks
the output as everywhere in the course (``None``: each example's predicted class, at its own row of
``X``; an int: that class for all; one output needs none). Taught in notebook 09_global_importance.

NumPy and pandas only at import time: scikit-learn and matplotlib are imported by the functions
that need them.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from course_utils.explanation import resolve_target, select_output
from course_utils.validation import as_batch, check_count, predict_in_batches

__all__ = [
    "SCORINGS",
    "permutation_importance",
    "feature_grid",
    "ice_curves",
    "partial_dependence",
    "accumulated_local_effects",
    "regularization_path",
    "plot_importance",
    "plot_ice",
]

#: The scoring names :func:`permutation_importance` knows; each is "higher is better".
SCORINGS = (
    "accuracy", "balanced_accuracy", "roc_auc", "neg_log_loss", "r2",
    "neg_mean_squared_error", "neg_mean_absolute_error",
)


# ---------------------------------------------------------------------------------------------
# Inputs: the table, the feature, the grid
# ---------------------------------------------------------------------------------------------


def _table(X: Any) -> tuple[np.ndarray, list | None]:
    """``X`` as a float array (n, d) and its column names (None for an array)."""
    names = list(X.columns) if hasattr(X, "columns") else None
    array = as_batch(X, name="X")
    if array.ndim != 2:
        raise ValueError(
            f"X should be a table of shape (n, n_features); got {array.shape}. Flatten images first, e.g. "
            "X.reshape(len(X), -1)."
        )
    return array, names


def _feature_index(feature: Any, names: list | None, d: int) -> int:
    """The column index of ``feature`` (an int index or a column name)."""
    if isinstance(feature, (int, np.integer)) and not isinstance(feature, (bool, np.bool_)):
        if not 0 <= feature < d:
            raise ValueError(
                f"feature {int(feature)} is not a column index of X, which has {d} columns (0 to {d - 1})."
            )
        return int(feature)
    if isinstance(feature, str):
        if names is None:
            raise ValueError(
                f"feature {feature!r} is a name, but X is an array without column names; pass the column's index (0 "
                f"to {d - 1}) or a DataFrame."
            )
        if feature not in names:
            raise ValueError(f"feature {feature!r} is not a column of X; its columns are {names}.")
        return names.index(feature)
    raise TypeError(f"feature should be a column index (int) or a column name (str); got {type(feature).__name__}.")


def feature_grid(values: Any, *, n_grid: int = 20, percentiles: tuple[float, float] = (0.05, 0.95)) -> np.ndarray:
    """The default grid of one feature: its unique values if there are fewer than ``n_grid``, else
    ``n_grid`` evenly spaced points between two percentiles — scikit-learn's default grid for
    partial dependence (percentiles by ``scipy.stats.mstats.mquantiles``, as scikit-learn does).

    Examples
    --------
    >>> feature_grid([0, 1, 1, 2, 5])
    array([0., 1., 2., 5.])
    >>> feature_grid(np.arange(101), n_grid=3)      # the 5th, 50th and 95th percentiles (mquantiles' estimate)
    array([ 4.46, 50.  , 95.54])
    """
    n_grid = check_count(n_grid, "n_grid", minimum=2, meaning="the number of grid points")
    from scipy.stats.mstats import mquantiles

    values = np.asarray(values, dtype=float).reshape(-1)
    unique = np.unique(values)
    if len(unique) < n_grid:
        return unique
    low, high = mquantiles(values, prob=percentiles)
    return np.linspace(low, high, n_grid)


def _grid(values: np.ndarray, grid: Any, n_grid: int) -> np.ndarray:
    if grid is None:
        return feature_grid(values, n_grid=n_grid)
    grid = np.asarray(grid, dtype=float)
    if grid.ndim != 1 or grid.size == 0 or not np.all(np.isfinite(grid)):
        raise ValueError(
            f"grid should be a 1-D array of finite values of the feature; got shape {grid.shape}. Pass e.g. "
            "np.linspace(low, high, 20)."
        )
    return grid


# ---------------------------------------------------------------------------------------------
# Permutation importance
# ---------------------------------------------------------------------------------------------


def _labels(scores: np.ndarray, scoring: str) -> np.ndarray:
    """Class labels from a model's output: argmax of (n, K) scores, or a 1-D output as labels or P(class 1)."""
    if scores.ndim == 2 and scores.shape[1] > 1:
        return scores.argmax(axis=1)
    scores = scores.reshape(len(scores))
    if np.all(scores == np.round(scores)):
        return scores
    if scores.min() >= 0 and scores.max() <= 1:
        return (scores > 0.5).astype(int)
    raise ValueError(
        f"{scoring!r} needs class labels, probabilities of class 1 or one column per class, but predict_fn "
        "returned values "
        f"from {scores.min():.3g} to {scores.max():.3g} (log-odds?). Pass probabilities (e.g. lambda X: "
        "model.predict_proba(X)[:, 1]), "
        "use scoring='roc_auc', or pass your own score function."
    )


def _probabilities(scores: np.ndarray, scoring: str) -> np.ndarray:
    if scores.ndim == 1 or scores.shape[1] == 1:
        p = scores.reshape(len(scores))
        if p.min() < 0 or p.max() > 1:
            raise ValueError(
                f"{scoring!r} needs probabilities in [0, 1]; predict_fn returned values from {p.min():.3g} to "
                f"{p.max():.3g}."
            )
        return np.column_stack([1 - p, p])
    return scores


def _scorer(scoring: Any) -> Callable[[np.ndarray, np.ndarray], float]:
    """``score(y_true, scores)`` for a scoring name, or the learner's own callable."""
    if callable(scoring):
        return scoring
    if not isinstance(scoring, str) or scoring not in SCORINGS:
        raise ValueError(
            f"scoring should be one of {list(SCORINGS)} or a function score(y_true, predictions); got {scoring!r}."
        )
    from sklearn import metrics

    def single(scores: np.ndarray) -> np.ndarray:
        return scores.reshape(len(scores)) if scores.ndim == 2 and scores.shape[1] == 1 else scores

    if scoring in ("accuracy", "balanced_accuracy"):
        metric = getattr(metrics, f"{scoring}_score")
        return lambda y, s: metric(y, _labels(s, scoring))
    if scoring == "roc_auc":

        def roc_auc(y, s):
            s = single(s)
            if s.ndim == 2:
                return (
                    metrics.roc_auc_score(y, s[:, 1])
                    if s.shape[1] == 2
                    else metrics.roc_auc_score(y, s, multi_class="ovr")
                )
            return metrics.roc_auc_score(y, s)

        return roc_auc
    if scoring == "neg_log_loss":

        def neg_log_loss(y, s):
            probabilities = _probabilities(s, scoring)
            return -metrics.log_loss(y, probabilities, labels=np.arange(probabilities.shape[1]))

        return neg_log_loss
    regression = {
        "r2": metrics.r2_score,
        "neg_mean_squared_error": metrics.mean_squared_error,
        "neg_mean_absolute_error": metrics.mean_absolute_error,
    }[scoring]
    sign = 1.0 if scoring == "r2" else -1.0
    return lambda y, s: sign * regression(y, single(s))


def _score(score: Callable, y: np.ndarray, scores: np.ndarray) -> float:
    value = score(y, scores)
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"the score function should return one number; it returned {type(value).__name__}.") from None
    if not np.isfinite(value):
        raise ValueError(f"the score function returned {value}; it should return a finite number (higher is better).")
    return value


class _PermutedRows:
    """The rows of ``X`` with column ``j`` permuted by each permutation in turn, made on demand."""

    def __init__(self, X: np.ndarray, j: int, permutations: np.ndarray):
        self.X, self.j, self.permutations = X, j, permutations  # permutations: (r, n)

    def __len__(self) -> int:
        return self.permutations.size

    def __getitem__(self, rows: slice) -> np.ndarray:
        index = np.arange(len(self))[rows]
        repeat, row = np.divmod(index, len(self.X))
        chunk = self.X[row].copy()  # (m, d)
        chunk[:, self.j] = self.X[self.permutations[repeat, row], self.j]
        return chunk


def permutation_importance(
    predict_fn: Callable[[np.ndarray], Any],
    X: Any,
    y: Any,
    *,
    scoring: str | Callable[[np.ndarray, np.ndarray], float],
    n_repeats: int = 10,
    seed: int = 0,
) -> pd.DataFrame:
    """How much a score drops when each column of ``X`` is shuffled (Breiman 2001; Fisher et al. 2019).

    For each feature ``j`` and each of ``n_repeats`` random permutations ``π`` of the rows,
    ``importance = score(y, f(X)) - score(y, f(X with column j replaced by X[π, j]))``. Shuffling
    breaks the column's link with ``y`` (and with the other columns) but keeps its distribution.

    Parameters
    ----------
    predict_fn : callable
        Maps a batch ``(n, d)`` to ``(n,)`` or ``(n, K)``.
    X : array or DataFrame, shape (n, d)
        The data, best held out: importance on the training data measures what the model
        memorized too.
    y : array, shape (n,)
        The targets (class labels 0..K-1, or numbers for regression).
    scoring : str or callable
        A name from :data:`SCORINGS` — ``"accuracy"`` and ``"balanced_accuracy"`` (labels from
        the argmax of ``(n, K)`` outputs, or a 1-D output of labels or probabilities of class 1
        cut at 0.5), ``"roc_auc"`` (1-D scores of class 1, or ``(n, K)`` scores), ``"neg_log_loss"``,
        ``"r2"``, ``"neg_mean_squared_error"``, ``"neg_mean_absolute_error"`` — or a function
        ``score(y_true, predict_fn(X)) -> float``. Higher must be better.
    n_repeats : int
        Permutations per feature.
    seed : int
        Seed of ``np.random.default_rng``: for each feature in column order, ``n_repeats``
        permutations ``rng.permutation(n)``.

    Returns
    -------
    DataFrame
        Index: the features (column names, or indices for an array); columns ``mean`` and ``std``
        (over the repeats, ``ddof=0`` as in scikit-learn). ``attrs["importances"]`` holds every
        repeat, shape (d, n_repeats); ``attrs["baseline"]`` the score on the unshuffled data.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2))
    >>> y = 3 * X[:, 0]                     # column 1 is ignored
    >>> table = permutation_importance(lambda X: 3 * X[:, 0], X, y, scoring="r2", n_repeats=5)
    >>> table.round(1)
       mean  std
    0   2.0  0.1
    1   0.0  0.0
    """
    X, names = _table(X)
    n, d = X.shape
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(
            f"y should hold one target per row of X, shape ({n},); got shape {y.shape}."
            + (" Flatten it: y.ravel()." if y.size == n else "")
        )
    n_repeats = check_count(n_repeats, "n_repeats", meaning="the number of permutations per feature")
    if not callable(predict_fn):
        raise TypeError(
            f"predict_fn should be a function of a batch (n, d); got {type(predict_fn).__name__}. Pass e.g. "
            "model.predict_proba (no parentheses)."
        )
    score = _scorer(scoring)
    baseline = _score(score, y, predict_in_batches(predict_fn, X))
    rng = np.random.default_rng(seed)
    importances = np.empty((d, n_repeats))
    for j in range(d):
        permutations = np.stack([rng.permutation(n) for _ in range(n_repeats)])  # (r, n)
        scores = predict_in_batches(predict_fn, _PermutedRows(X, j, permutations))  # (r * n,) or (r * n, K)
        scores = scores.reshape(n_repeats, n, *scores.shape[1:])
        importances[j] = [baseline - _score(score, y, scores[r]) for r in range(n_repeats)]
    table = pd.DataFrame(
        {"mean": importances.mean(axis=1), "std": importances.std(axis=1)}, index=names if names else range(d)
    )
    table.attrs["importances"] = importances
    table.attrs["baseline"] = baseline
    return table


# ---------------------------------------------------------------------------------------------
# ICE curves and partial dependence
# ---------------------------------------------------------------------------------------------


class _GridRows:
    """Every row of ``X`` with column ``j`` set to every grid value: row ``i * g + k`` is ``x_i`` at ``grid[k]``."""

    def __init__(self, X: np.ndarray, j: int, grid: np.ndarray):
        self.X, self.j, self.grid = X, j, grid

    def __len__(self) -> int:
        return len(self.X) * len(self.grid)

    def __getitem__(self, rows: slice) -> np.ndarray:
        example, point = np.divmod(np.arange(len(self))[rows], len(self.grid))
        chunk = self.X[example].copy()  # (m, d)
        chunk[:, self.j] = self.grid[point]
        return chunk


def _explained(predict_fn: Callable, X: np.ndarray, rows: Any, target: Any, per_example: int) -> np.ndarray:
    """The explained output on ``rows`` (``per_example`` rows per example of ``X``), shape (n, per_example).

    ``target=None`` is each example's predicted class at its own row of ``X``.
    """
    if not callable(predict_fn):
        raise TypeError(
            f"predict_fn should be a function of a batch (n, d); got {type(predict_fn).__name__}. Pass e.g. "
            "model.predict_proba (no parentheses)."
        )
    scores = predict_in_batches(predict_fn, rows)  # (n * p,) or (n * p, K)
    if scores.ndim == 2 and scores.shape[1] > 1:
        chosen = resolve_target(target, predict_in_batches(predict_fn, X))
        return select_output(scores, np.repeat(chosen, per_example)).reshape(len(X), per_example)
    resolve_target(target, scores)  # a single output takes no target (a clear error otherwise)
    return scores.reshape(len(X), per_example)


def ice_curves(
    predict_fn: Callable[[np.ndarray], Any],
    X: Any,
    feature: int | str,
    *,
    grid: Any = None,
    n_grid: int = 20,
    target: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Individual conditional expectation: each example's prediction as ``feature`` moves along a grid.

    ``curves[i, k] = f(x_i with feature set to grid[k])`` (Goldstein et al. 2015); everything else
    about example ``i`` stays as it is. Their mean over the examples is the partial dependence.

    Parameters
    ----------
    predict_fn : callable
        Maps a batch ``(n, d)`` to ``(n,)`` or ``(n, K)``; called on ``n * g`` rows, in batches.
    X : array or DataFrame, shape (n, d)
    feature : int or str
        A column index, or a column name of the DataFrame ``X``.
    grid : array, shape (g,), optional
        The feature values; default :func:`feature_grid` of the column with ``n_grid`` points.
    n_grid : int
        Grid size when ``grid`` is not given.
    target : None, int or array of int
        The output to follow for ``(n, K)`` outputs (COURSE.md section 6); ``None`` is each
        example's predicted class at its own row of ``X``. Pass an int to average one class.

    Returns
    -------
    grid : array, shape (g,)
    curves : array, shape (n, g)

    Examples
    --------
    >>> X = np.array([[0.0, 1.0], [0.0, -1.0]])
    >>> grid, curves = ice_curves(lambda X: (X[:, 0] + 1) * X[:, 1], X, 0, grid=[0.0, 1.0, 2.0])
    >>> curves                                   # the slope depends on the other feature
    array([[ 1.,  2.,  3.],
           [-1., -2., -3.]])
    """
    X, names = _table(X)
    j = _feature_index(feature, names, X.shape[1])
    grid = _grid(X[:, j], grid, n_grid)
    return grid, _explained(predict_fn, X, _GridRows(X, j, grid), target, len(grid))


def partial_dependence(
    predict_fn: Callable[[np.ndarray], Any],
    X: Any,
    feature: int | str,
    *,
    grid: Any = None,
    n_grid: int = 20,
    target: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Partial dependence: the average prediction when ``feature`` is set to each grid value (Friedman 2001).

    ``average[k] = mean_i f(x_i with feature set to grid[k])``: the mean of :func:`ice_curves`.
    Every example is moved to every grid value, whatever its other features, so with correlated
    features the model is asked about combinations that never occur in the data.

    Parameters are those of :func:`ice_curves`.

    Returns
    -------
    grid : array, shape (g,)
    average : array, shape (g,)

    Examples
    --------
    >>> X = np.array([[0.0, 1.0], [0.0, -1.0]])
    >>> partial_dependence(lambda X: (X[:, 0] + 1) * X[:, 1], X, 0, grid=[0.0, 1.0, 2.0])[1]
    array([0., 0., 0.])

    The average hides both slopes (+1 and -1 per unit of feature 0).
    """
    grid, curves = ice_curves(predict_fn, X, feature, grid=grid, n_grid=n_grid, target=target)
    return grid, curves.mean(axis=0)


# ---------------------------------------------------------------------------------------------
# Accumulated local effects
# ---------------------------------------------------------------------------------------------


def _bin_edges(values: np.ndarray, n_bins: int) -> np.ndarray:
    """Quantile bin edges: the minimum, then the k/n_bins quantiles, repeated ones merged.

    The k/K quantile is the ``ceil(n k / K)``-th smallest value (R's ``quantile(type=1)``, which the
    authors' ALEPlot package uses), computed in integers so that no rounding moves an edge.
    """
    ordered = np.sort(values)
    n = len(ordered)
    ranks = [-(-n * k // n_bins) for k in range(1, n_bins + 1)]  # ceil(n k / K), 1-based
    edges = np.unique(np.concatenate([ordered[:1], ordered[np.array(ranks) - 1]]))
    if len(edges) < 2:
        raise ValueError(f"the feature takes a single value ({edges[0]:g}) in X: it has no effect to accumulate.")
    return edges


def accumulated_local_effects(
    predict_fn: Callable[[np.ndarray], Any],
    X: Any,
    feature: int | str,
    *,
    n_bins: int = 20,
    target: Any = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Accumulated local effects of one feature (Apley & Zhu 2020), at the edges of quantile bins.

    The feature's range is cut at its quantiles into bins ``(z_{k-1}, z_k]`` (the first includes
    the minimum). In each bin, only the examples whose value lies in it are moved to the bin's
    two edges, and the differences ``f(z_k, x_i,-j) - f(z_{k-1}, x_i,-j)`` are averaged. These
    local effects are accumulated from the lowest edge and the curve is centred: the piecewise
    linear curve through ``(edges, ale)`` has mean 0 over the examples of ``X``. (The authors'
    ``ALEPlot`` package centres with the bins' midpoints instead, which differs by a constant of
    the order of the curve's change within a bin.)

    Parameters
    ----------
    predict_fn : callable
        Maps a batch ``(n, d)`` to ``(n,)`` or ``(n, K)``; called on ``3 n`` rows.
    X : array or DataFrame, shape (n, d)
    feature : int or str
        A column index, or a column name of the DataFrame ``X``.
    n_bins : int
        The number of quantile bins; a feature with fewer distinct values gets fewer (tied
        quantiles are merged), so ``b <= n_bins``.
    target : None, int or array of int
        As in :func:`ice_curves`.

    Returns
    -------
    edges : array, shape (b + 1,)
        The bin edges, from the feature's minimum to its maximum.
    ale : array, shape (b + 1,)
        The centred accumulated local effect at each edge.

    Examples
    --------
    >>> X = np.column_stack([np.arange(5.0), np.arange(5.0) ** 2])    # two correlated features
    >>> edges, ale = accumulated_local_effects(lambda X: 2 * X[:, 0] + X[:, 1], X, 0, n_bins=4)
    >>> edges, ale                             # the line 2 * (x - mean x): column 1 does not leak in
    (array([0., 1., 2., 3., 4.]), array([-4., -2.,  0.,  2.,  4.]))
    """
    X, names = _table(X)
    j = _feature_index(feature, names, X.shape[1])
    n_bins = check_count(n_bins, "n_bins", meaning="the number of quantile bins")
    values = X[:, j]
    edges = _bin_edges(values, n_bins)
    b = len(edges) - 1
    bins = (
        np.clip(np.searchsorted(edges, values, side="left"), 1, b) - 1
    )  # bin k holds (edges[k], edges[k+1]]; bin 0 also the minimum
    lower, upper = X.copy(), X.copy()
    lower[:, j], upper[:, j] = edges[bins], edges[bins + 1]
    both = _explained(predict_fn, X, _Interleaved(lower, upper), target, 2)  # (n, 2): f at the lower and upper edge
    local = np.bincount(bins, weights=both[:, 1] - both[:, 0], minlength=b) / np.bincount(bins, minlength=b)  # (b,)
    accumulated = np.concatenate([[0.0], np.cumsum(local)])  # (b + 1,)
    return edges, accumulated - np.interp(values, edges, accumulated).mean()


class _Interleaved:
    """Rows ``a[0], b[0], a[1], b[1], ...`` made on demand (two rows per example)."""

    def __init__(self, a: np.ndarray, b: np.ndarray):
        self.a, self.b = a, b

    def __len__(self) -> int:
        return 2 * len(self.a)

    def __getitem__(self, rows: slice) -> np.ndarray:
        example, which = np.divmod(np.arange(len(self))[rows], 2)
        return np.where(which[:, None] == 0, self.a[example], self.b[example])


# ---------------------------------------------------------------------------------------------
# The interpretable alternative: sparse or shrunk logistic regression
# ---------------------------------------------------------------------------------------------


def _logistic(penalty: str, C: float):
    """A liblinear logistic regression with an L1 or L2 penalty, spelled for the installed scikit-learn."""
    import inspect

    from sklearn.linear_model import LogisticRegression

    if penalty == "l2":
        return LogisticRegression(C=C, solver="liblinear")
    if inspect.signature(LogisticRegression).parameters["penalty"].default == "deprecated":  # 1.8+: l1_ratio instead
        return LogisticRegression(C=C, l1_ratio=1.0, solver="liblinear")
    return LogisticRegression(C=C, penalty="l1", solver="liblinear")


def regularization_path(
    X_train: Any,
    y_train: Any,
    X_test: Any,
    y_test: Any,
    *,
    Cs: Sequence[float],
    penalty: str = "l1",
) -> pd.DataFrame:
    """Logistic regression on standardized features for each inverse penalty strength ``C``.

    The L1 penalty (the lasso, Tibshirani 1996) sets coefficients exactly to zero as ``C``
    shrinks; the L2 penalty only shrinks them. Fitted with liblinear on ``StandardScaler``-ed
    features, so coefficients are in log-odds per standard deviation.

    Parameters
    ----------
    X_train, X_test : array or DataFrame, shape (n, d)
    y_train, y_test : array of 0/1, shape (n,)
    Cs : sequence of float
        Inverse penalty strengths (small = strong penalty).
    penalty : {"l1", "l2"}

    Returns
    -------
    DataFrame
        One row per ``C`` (the index): ``n_features`` (non-zero coefficients), ``test_auc``
        (ROC AUC on the test set), then one column of standardized coefficients per feature.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 3)); y = (X[:, 0] + 0.1 * rng.normal(size=300) > 0).astype(int)
    >>> path = regularization_path(X[:200], y[:200], X[200:], y[200:], Cs=[0.1, 10.0])
    >>> path["n_features"].tolist()                 # a strong penalty keeps only the feature that matters
    [1, 3]
    """
    from sklearn.metrics import roc_auc_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if penalty not in ("l1", "l2"):
        raise ValueError(f"penalty should be 'l1' (lasso: sparse) or 'l2' (ridge: shrunk); got {penalty!r}.")
    train, names = _table(X_train)
    test = as_batch(X_test, example_shape=(train.shape[1],), name="X_test")
    Cs = [float(C) for C in Cs]
    if not Cs or min(Cs) <= 0:
        raise ValueError(f"Cs should be positive inverse penalty strengths, e.g. np.logspace(-3, 1, 10); got {Cs}.")
    rows = []
    for C in Cs:
        fitted = make_pipeline(StandardScaler(), _logistic(penalty, C)).fit(train, y_train)
        coef = fitted[-1].coef_[0]
        auc = roc_auc_score(y_test, fitted.decision_function(test))
        rows.append([int(np.count_nonzero(coef)), auc, *coef])
    columns = ["n_features", "test_auc", *(names if names else [f"x{k}" for k in range(train.shape[1])])]
    return pd.DataFrame(rows, index=pd.Index(Cs, name="C"), columns=columns)


# ---------------------------------------------------------------------------------------------
# Plots (they draw what they are given; they never compute or show)
# ---------------------------------------------------------------------------------------------


def plot_importance(
    table: pd.DataFrame,
    *,
    ax=None,
    title: str | None = None,
    xlabel: str = "drop in score when permuted",
    color: str = "#0072B2",
):
    """Horizontal bars of ``table["mean"]`` with ``± table["std"]`` error bars, largest on top; returns the axes."""
    import matplotlib.pyplot as plt

    if not isinstance(table, pd.DataFrame) or not {"mean", "std"} <= set(table.columns):
        raise ValueError(
            "plot_importance takes the DataFrame that permutation_importance returns (columns mean and std)."
        )
    ordered = table.sort_values("mean")
    ax = ax if ax is not None else plt.subplots(figsize=(7, 0.35 * len(table) + 1.2))[1]
    positions = np.arange(len(ordered))
    ax.barh(positions, ordered["mean"], xerr=ordered["std"], color=color, ecolor="#000000", capsize=3)
    ax.set_yticks(positions, [str(name) for name in ordered.index])
    ax.axvline(0, color="#000000", linewidth=0.8)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    return ax


def plot_ice(
    grid: Any,
    curves: Any,
    *,
    colour_by: Any = None,
    colour_label: str = "",
    centred: bool = False,
    ax=None,
    title: str | None = None,
    xlabel: str = "",
    ylabel: str = "prediction",
    cmap: str = "viridis",
):
    """ICE curves (thin, coloured by ``colour_by`` with a colour bar) and their mean, the partial dependence (thick).

    With ``centred=True`` every curve starts at 0 (Goldstein et al.'s c-ICE): differences in
    *shape* stand out. Returns the axes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    grid, curves = np.asarray(grid, dtype=float), np.asarray(curves, dtype=float)
    if curves.ndim != 2 or curves.shape[1] != len(grid):
        raise ValueError(
            f"curves should have shape (n, {len(grid)}), one row per example over the grid; got {curves.shape}."
        )
    if centred:
        curves = curves - curves[:, :1]
    ax = ax if ax is not None else plt.subplots(figsize=(6.5, 4.2))[1]
    lines = LineCollection([np.column_stack([grid, c]) for c in curves], linewidths=0.8, alpha=0.5)
    if colour_by is None:
        lines.set_color("#999999")
    else:
        colour_by = np.asarray(colour_by, dtype=float)
        if colour_by.shape != (len(curves),):
            raise ValueError(
                f"colour_by should hold one value per curve, shape ({len(curves)},); got {colour_by.shape}."
            )
        lines.set_array(colour_by)
        lines.set_cmap(cmap)
        ax.figure.colorbar(lines, ax=ax, label=colour_label)
    ax.add_collection(lines)
    ax.plot(
        grid,
        curves.mean(axis=0),
        color="#D55E00",
        linewidth=3,
        label="mean = partial dependence" + (" (centred)" if centred else ""),
    )
    ax.autoscale_view()
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel + (" − its value at the left end" if centred else ""))
    ax.legend(loc="best", fontsize="small")
    if title:
        ax.set_title(title)
    return ax
