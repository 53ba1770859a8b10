"""Counterfactual explanations: the smallest change to an input that flips a model's decision.

Wachter, Mittelstadt & Russell (2017) explain a decision by the closest input that gets the wanted
one: "you would have been approved if your savings were 6 k$ higher". With ``f(x)`` the model's
probability of the *unwanted* outcome (default, rejection) and a decision threshold ``t``, the
counterfactual of ``x`` is

    x' = argmin  sum_j |x'_j - x_j| / scale_j   subject to  f(x') < t,

the L1 distance in units of each feature's **median absolute deviation** (MAD) over the training
data, the distance Wachter et al. use: robust to outliers, comparable across units, and its L1 form
makes most features stay where they are (sparse changes). They solve a penalized version by
gradient descent; here ``f`` is a black box (only its outputs are used) and the constraint is kept:

1. **Line search, one feature at a time.** For each mutable feature and direction, a grid along the
   feature (up to its bound) and bisection find the smallest single change that crosses the
   threshold. For a linear (logistic) model this is already the optimum: minimizing an L1 cost
   under one linear constraint puts all the change on the feature with the largest
   ``|w_j| * scale_j``. For a model monotone in each feature it is the best one-feature change.
2. **Local refinement.** SLSQP on the split change ``Δ = Δ⁺ − Δ⁻`` (both ≥ 0, so the L1 cost is the
   linear ``sum(Δ⁺ + Δ⁻)`` in MAD units), with the constraint's gradient from central differences
   in one batched model call; started from the best one-feature changes, the all-features corner
   and ``n_restarts`` random points (``np.random.default_rng(seed)``). It finds combinations
   cheaper than any single feature when the model has diminishing returns.
3. **Polish.** Each changed feature is moved back toward its original value as far as the
   decision allows, in order of cost, so that no feature is changed needlessly.

Every result is checked by calling ``f`` on it: ``valid = f(x_cf) < threshold``. Immutable
features (age) never move; ``bounds`` keep each feature in a range (no negative savings; a lower
bound ``"current"`` means a feature may only grow). :func:`principal_reasons` reads the reasons for
a decline off an attribution (what an adverse-action notice states). :func:`diverse_counterfactuals` gives several
options that use different features (Mothilal, Sharma & Tan 2020 ask for diverse counterfactuals;
Ustun, Spangher & Liu 2019 for *actionable* ones), and :func:`nearest_distance` measures how far a
counterfactual lies from the real data (a plausibility check). Taught in notebook 11_case_studies.

NumPy, pandas and SciPy only: importing this module does not import TensorFlow.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from course_utils.validation import as_batch, check_count, check_positive, in_batches, predict_in_batches

__all__ = [
    "Counterfactual",
    "mad_scale",
    "l1_distance",
    "counterfactual",
    "diverse_counterfactuals",
    "nearest_distance",
    "principal_reasons",
]

_N_GRID = 32  # grid points per feature and direction in the line search
_N_BISECT = 40  # bisection steps after the grid: the crossing is located to extent * 2**-40
_FD_STEP = 1e-4  # central-difference step, in units of each feature's scale
_TOLERANCE = 1e-9  # a change smaller than this (in scale units) counts as no change
_NEAREST_BATCH = 256  # points per block of nearest_distance: a (256, N, d) array of differences at a time


@dataclass
class Counterfactual:
    """Counterfactuals of ``n`` examples: parallel arrays, one row per example.

    Attributes
    ----------
    x : array, shape (n, d)
        The original inputs.
    x_cf : array, shape (n, d)
        The counterfactuals; where ``valid`` is False, the closest attempt found.
    valid : bool array, shape (n,)
        ``predict_fn(x_cf) < threshold``, computed by calling the model on ``x_cf``.
    distance : array, shape (n,)
        ``sum_j |x_cf - x| / scale``: the cost in MAD units (:func:`l1_distance`).
    changed : bool array, shape (n, d)
        Which features the counterfactual changes.
    scores, scores_cf : array, shape (n,)
        ``predict_fn(x)`` and ``predict_fn(x_cf)``.
    threshold : float
    scale : array, shape (d,)
    feature_names : list of str, optional
    """

    x: np.ndarray
    x_cf: np.ndarray
    valid: np.ndarray
    distance: np.ndarray
    changed: np.ndarray
    scores: np.ndarray
    scores_cf: np.ndarray
    threshold: float
    scale: np.ndarray
    feature_names: list[str] | None = None

    def __len__(self) -> int:
        return len(self.x)

    @property
    def names(self) -> list[str]:
        return self.feature_names or [f"x{j}" for j in range(self.x.shape[1])]

    def to_frame(self) -> pd.DataFrame:
        """One row per counterfactual: its feature values, the scores before and after, its cost."""
        frame = pd.DataFrame(self.x_cf, columns=self.names)
        return frame.assign(score=self.scores, score_cf=self.scores_cf, distance=self.distance, valid=self.valid,
                            n_changed=self.changed.sum(axis=1))

    def changes(self) -> pd.DataFrame:
        """Only what changes, one row per (example, changed feature): original, new value, change, cost."""
        rows, cols = np.nonzero(self.changed)
        delta = self.x_cf[rows, cols] - self.x[rows, cols]
        return pd.DataFrame({
            "example": rows, "feature": [self.names[j] for j in cols], "original": self.x[rows, cols],
            "counterfactual": self.x_cf[rows, cols], "change": delta, "cost": np.abs(delta) / self.scale[cols],
        })


# ---------------------------------------------------------------------------------------------
# The distance and its scale
# ---------------------------------------------------------------------------------------------


def mad_scale(data: Any, *, floor: float | None = None) -> np.ndarray | pd.Series:
    """The median absolute deviation of each column: the scale of Wachter et al.'s distance.

    ``MAD_j = median_i |X_ij - median(X_j)|``. Where it is 0 — more than half of the rows share
    one value, e.g. a count that is mostly 0 — it would make any change of that feature infinitely
    expensive; such a column gets the *mean* absolute deviation from its median instead, and a
    constant column gets 1.

    Parameters
    ----------
    data : array or DataFrame, shape (N, d)
        The training data.
    floor : float, optional
        A smallest allowed scale for every feature.

    Returns
    -------
    array of shape (d,), or a Series indexed by the column names for a DataFrame.

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [2.0, 0.0], [4.0, 0.0], [8.0, 3.0]])
    >>> mad_scale(X)  # column 1 has MAD 0: its mean absolute deviation, 0.75, is used
    array([1.5 , 0.75])
    """
    names = [str(c) for c in data.columns] if hasattr(data, "columns") else None
    X = as_batch(data, name="data")
    if X.ndim != 2:
        raise ValueError(f"data should be a table of shape (N, d); got {X.shape}.")
    deviation = np.abs(X - np.median(X, axis=0))  # (N, d)
    scale = np.median(deviation, axis=0)
    scale = np.where(scale > 0, scale, deviation.mean(axis=0))
    scale = np.where(scale > 0, scale, 1.0)
    if floor is not None:
        scale = np.maximum(scale, check_positive(floor, "floor"))
    return pd.Series(scale, index=names, name="MAD") if names else scale


def l1_distance(x: Any, x_cf: Any, *, scale: Any) -> np.ndarray:
    """``sum_j |x_cf[i, j] - x[i, j]| / scale[j]`` for each example: shape (n,).

    >>> l1_distance([[1.0, 5.0]], [[2.0, 3.0]], scale=[0.5, 4.0])
    array([2.5])
    """
    x = as_batch(x, name="x")
    x_cf = as_batch(x_cf, example_shape=x.shape[1:], name="x_cf")
    if x_cf.shape != x.shape:
        raise ValueError(f"x_cf has shape {x_cf.shape} but x has shape {x.shape}; give one counterfactual per example.")
    return np.abs(x_cf - x) @ (1.0 / _scale(scale, x.shape[1], None))


# ---------------------------------------------------------------------------------------------
# Input rules: scale, immutable features, bounds, the model's scores
# ---------------------------------------------------------------------------------------------


def _scale(scale: Any, d: int, names: list[str] | None) -> np.ndarray:
    if isinstance(scale, pd.Series) and names is not None and all(isinstance(k, str) for k in scale.index):
        missing = [name for name in names if name not in scale.index]
        if missing:
            raise ValueError(f"scale has no entry for {missing}; give one scale per feature (e.g. mad_scale(X_train)).")
        scale = scale.loc[names]
    values = np.asarray(scale, dtype=float)
    if values.shape != (d,):
        raise ValueError(f"scale should hold one positive number per feature, shape ({d},); got shape {values.shape}. "
                         "Use mad_scale(X_train).")
    bad = np.flatnonzero(~(np.isfinite(values) & (values > 0)))
    if len(bad):
        which = names[bad[0]] if names else f"feature {bad[0]}"
        raise ValueError(f"scale must be positive and finite; {which} has scale {float(values[bad[0]])!r}. "
                         "Use mad_scale(X_train), which replaces zero MADs.")
    return values


def _indices(features: Any, names: list[str] | None, d: int, what: str) -> np.ndarray:
    """Column indices of ``features`` (names or ints)."""
    if features is None:
        return np.zeros(0, dtype=int)
    if isinstance(features, (str, int, np.integer)):
        features = [features]
    out = []
    for feature in features:
        if isinstance(feature, str):
            if names is None:
                raise ValueError(f"{what} names the feature {feature!r}, but x has no column names; pass a DataFrame "
                                 "or column indices.")
            if feature not in names:
                raise ValueError(f"{what}: unknown feature {feature!r}; the features are {names}.")
            out.append(names.index(feature))
        elif isinstance(feature, (int, np.integer)) and not isinstance(feature, bool) and -d <= feature < d:
            out.append(int(feature) % d)
        else:
            raise ValueError(f"{what}: {feature!r} is neither a feature name nor a column index in 0..{d - 1}.")
    return np.array(sorted(set(out)), dtype=int)


def _side(value: Any, current: np.ndarray, default: float, feature: str) -> np.ndarray:
    if value is None:
        return np.full(len(current), default)
    if isinstance(value, str):
        if value != "current":
            raise ValueError(f"bounds for {feature}: {value!r} is not a bound; use a number, None (no bound) or "
                             "'current'.")
        return current.copy()
    number = float(value)
    if np.isnan(number):
        raise ValueError(f"bounds for {feature}: NaN is not a bound; use None for no bound.")
    return np.full(len(current), number)


def _bounds(bounds: Any, x: np.ndarray, names: list[str] | None) -> tuple[np.ndarray, np.ndarray]:
    """Per-example ``(low, high)``, each (n, d), from None, a dict or an array of shape (d, 2)."""
    n, d = x.shape
    low, high = np.full((n, d), -np.inf), np.full((n, d), np.inf)
    if bounds is None:
        return low, high
    if isinstance(bounds, Mapping):
        for feature, pair in bounds.items():
            j = _indices([feature], names, d, "bounds")[0]
            label = names[j] if names else f"feature {j}"
            if isinstance(pair, str) or not isinstance(pair, Sequence) or len(pair) != 2:
                raise ValueError(f"bounds for {label} should be a pair (low, high); got {pair!r}.")
            low[:, j] = _side(pair[0], x[:, j], -np.inf, label)
            high[:, j] = _side(pair[1], x[:, j], np.inf, label)
    else:
        table = np.asarray(bounds, dtype=float)
        if table.shape != (d, 2):
            raise ValueError(f"bounds should be a dict {{feature: (low, high)}} or an array of shape ({d}, 2); got "
                             f"shape {table.shape}.")
        low[:], high[:] = table[:, 0], table[:, 1]
    for i, j in zip(*np.nonzero(low > high)):
        raise ValueError(f"bounds for {names[j] if names else f'feature {j}'}: low {low[i, j]} > high {high[i, j]}.")
    outside = (x < low) | (x > high)
    if outside.any():
        i, j = np.argwhere(outside)[0]
        label = names[j] if names else f"feature {j}"
        raise ValueError(f"example {i} has {label} = {x[i, j]:g}, outside its bounds [{low[i, j]:g}, {high[i, j]:g}]; "
                         "a counterfactual can only move within the bounds, so they must contain the example.")
    return low, high


def _scorer(predict_fn: Callable[[np.ndarray], Any]) -> Callable[[np.ndarray], np.ndarray]:
    """``predict_fn`` on a batch, called in batches, checked to give one finite score per row."""

    def scores(rows: np.ndarray) -> np.ndarray:
        out = predict_in_batches(predict_fn, rows)
        if out.ndim == 2 and out.shape[1] == 1:
            out = out[:, 0]
        if out.ndim != 1:
            raise ValueError(f"predict_fn should return one probability of the unwanted outcome per row, shape (n,); "
                             f"got shape {out.shape}. For a classifier: lambda X: model.predict_proba(X)[:, 1].")
        if not np.all(np.isfinite(out)):
            raise ValueError("predict_fn returned NaN or infinite scores.")
        return out

    return scores


# ---------------------------------------------------------------------------------------------
# The search: one feature at a time, then SLSQP, then polish
# ---------------------------------------------------------------------------------------------


def _line_search(f, x, low, high, scale, mutable, threshold, radius):
    """The smallest valid change along each (example, mutable feature, direction).

    Returns a dict: ``cost`` (n, m, 2), inf where no change along that line is valid within reach;
    ``point`` (n, m, 2, d) the changed inputs; ``extent`` (n, m, 2) how far each line reaches;
    ``line_lowest`` (n, m, 2) the lowest score seen on each line; ``lowest`` (n,) and
    ``lowest_at`` (n, d) the lowest score seen per example and where.
    """
    n, d = x.shape
    m = len(mutable)
    signs = np.array([1.0, -1.0])
    reach = radius * scale[mutable]  # (m,)
    extent = np.stack([np.minimum(high[:, mutable] - x[:, mutable], reach),
                       np.minimum(x[:, mutable] - low[:, mutable], reach)], axis=-1)  # (n, m, 2)

    def moved(fractions: np.ndarray) -> np.ndarray:  # fractions (n, m, 2, g) -> points (n, m, 2, g, d)
        g = fractions.shape[-1]
        points = np.broadcast_to(x[:, None, None, None, :], (n, m, 2, g, d)).copy()
        step = signs[None, None, :, None] * extent[..., None] * fractions  # (n, m, 2, g)
        points[:, np.arange(m), :, :, mutable] += step.transpose(1, 0, 2, 3)
        return points

    grid = np.broadcast_to(np.arange(1, _N_GRID + 1) / _N_GRID, (n, m, 2, _N_GRID))
    points = moved(grid)
    scores = f(points.reshape(-1, d)).reshape(n, m, 2, _N_GRID)
    flat = scores.reshape(n, -1)
    ok = (scores < threshold) & (extent[..., None] > 0)
    found = ok.any(axis=-1)  # (n, m, 2)
    first = ok.argmax(axis=-1)
    hi, lo = (first + 1) / _N_GRID, first / _N_GRID
    for _ in range(_N_BISECT):  # every line at once: one model call per step
        mid = (lo + hi) / 2
        valid = f(moved(mid[..., None]).reshape(-1, d)).reshape(n, m, 2) < threshold
        hi, lo = np.where(valid, mid, hi), np.where(valid, lo, mid)
    return {
        "cost": np.where(found, hi * extent / scale[mutable][None, :, None], np.inf),
        "point": moved(hi[..., None])[..., 0, :],
        "extent": extent,
        "line_lowest": np.where(extent > 0, scores.min(axis=-1), np.inf),
        "lowest": flat.min(axis=1),
        "lowest_at": points.reshape(n, -1, d)[np.arange(n), flat.argmin(axis=1)],
    }


def _refine(f, x0, low, high, scale, mutable, threshold, starts):
    """SLSQP on the split change (Δ⁺, Δ⁻) in scale units, from each start: the end points (k, d)."""
    from scipy.optimize import minimize

    m = len(mutable)
    s = scale[mutable]
    up = np.clip((high[mutable] - x0[mutable]) / s, 0, None)
    down = np.clip((x0[mutable] - low[mutable]) / s, 0, None)
    upper = np.concatenate([up, down])  # (2m,), inf where unbounded
    box = [(0.0, float(b) if np.isfinite(b) else None) for b in upper]
    margin = 1e-6 * max(1.0, abs(threshold))
    cache: dict[bytes, tuple[float, np.ndarray]] = {}

    def point(z: np.ndarray) -> np.ndarray:
        p = x0.copy()
        p[mutable] += s * (z[:m] - z[m:])
        return np.clip(p, low, high)

    def value_and_slope(z: np.ndarray) -> tuple[float, np.ndarray]:
        key = z.tobytes()
        if key not in cache:  # f and its central differences in one batched call of 2m + 1 rows
            p = point(z)
            plus, minus = np.repeat(p[None], m, axis=0), np.repeat(p[None], m, axis=0)
            plus[np.arange(m), mutable] += _FD_STEP * s
            minus[np.arange(m), mutable] -= _FD_STEP * s
            plus, minus = np.clip(plus, low, high), np.clip(minus, low, high)
            scores = f(np.concatenate([p[None], plus, minus]))
            width = (plus[np.arange(m), mutable] - minus[np.arange(m), mutable]) / s
            slope = np.where(width > 0, (scores[1:m + 1] - scores[m + 1:]) / np.where(width > 0, width, 1.0), 0.0)
            cache[key] = (float(scores[0]), np.concatenate([slope, -slope]))  # d f / d (Δ⁺, Δ⁻)
        return cache[key]

    constraint = {"type": "ineq", "fun": lambda z: threshold - margin - value_and_slope(z)[0],
                  "jac": lambda z: -value_and_slope(z)[1]}
    ends = []
    for start in starts:
        z0 = np.clip(np.concatenate([np.clip(start, 0, None), np.clip(-start, 0, None)]), 0, upper)
        with warnings.catch_warnings():
            # SciPy < 1.12 warns when SLSQP steps outside the bounds, which it then clips to (as newer SciPy
            # does silently): the returned point is inside the box either way.
            warnings.filterwarnings("ignore", "Values in x were outside bounds", RuntimeWarning)
            result = minimize(lambda z: z.sum(), z0, jac=lambda z: np.ones_like(z), bounds=box,
                              constraints=[constraint], method="SLSQP", options={"maxiter": 100, "ftol": 1e-10})
        ends.append(point(result.x))
    return np.array(ends).reshape(-1, len(x0))


def _polish(f, x0, candidate, scale, threshold):
    """Move each changed feature back toward ``x0`` as far as validity allows (cheapest first, two passes)."""
    x_cf = candidate.copy()
    fractions = np.linspace(0.0, 1.0, _N_GRID + 1)  # 0 = back to x0, 1 = as now (valid)
    for _ in range(2):
        cost = np.abs(x_cf - x0) / scale
        for j in np.argsort(cost, kind="stable"):
            if cost[j] <= _TOLERANCE:
                x_cf[j] = x0[j]
                continue
            trials = np.repeat(x_cf[None], len(fractions), axis=0)
            trials[:, j] = x0[j] + fractions * (x_cf[j] - x0[j])
            valid = f(trials) < threshold
            if not valid[-1]:
                continue
            k = int(np.argmax(valid))  # the first valid fraction on the grid
            lo, hi = (fractions[k - 1] if k else 0.0), fractions[k]
            for _ in range(_N_BISECT // 2 if k else 0):
                mid = (lo + hi) / 2
                trial = x_cf.copy()
                trial[j] = x0[j] + mid * (x_cf[j] - x0[j])
                lo, hi = (lo, mid) if f(trial[None])[0] < threshold else (mid, hi)
            x_cf[j] = x0[j] + hi * (x_cf[j] - x0[j])
    return x_cf


def _search_one(f, x0, low, high, scale, mutable, threshold, lines, rng, n_restarts):
    """For one example: the cheapest valid point (or None) and the lowest-scoring point tried.

    The line search's best one-feature changes, SLSQP from several starts, then a polish.
    """
    m, d = len(mutable), len(x0)
    cost, points = lines["cost"].reshape(-1), lines["point"].reshape(-1, d)  # (2m,), (2m, d): feature-major
    order = np.argsort(cost, kind="stable")
    singles = [points[k] for k in order[:3] if np.isfinite(cost[k])]
    # the corner: every mutable feature as far as it goes in the direction that lowered the score most
    better = np.argmin(lines["line_lowest"], axis=1)  # (m,)
    corner = lines["extent"][np.arange(m), better] * np.where(better == 0, 1.0, -1.0) / scale[mutable]
    budget = float(cost[order[0]]) if singles else float(np.abs(corner).sum())
    starts = [(p - x0)[mutable] / scale[mutable] for p in singles] + [corner]
    starts += [rng.dirichlet(np.ones(m)) * budget * rng.choice([-1.0, 1.0], size=m) for _ in range(n_restarts)]
    corner_point = x0.copy()
    corner_point[mutable] += corner * scale[mutable]
    candidates = [*singles, lines["lowest_at"], corner_point]
    if m >= 2:
        candidates += list(_refine(f, x0, low, high, scale, mutable, threshold, starts))
    candidates = np.array(candidates)
    scores = f(candidates)
    costs = np.where(scores < threshold, np.abs(candidates - x0) @ (1.0 / scale), np.inf)
    best, best_cost = None, np.inf
    for k in np.argsort(costs, kind="stable")[:2]:  # polish the two cheapest valid candidates
        if not np.isfinite(costs[k]):
            break
        polished = _polish(f, x0, candidates[k], scale, threshold)
        polished_cost = float(np.abs(polished - x0) @ (1.0 / scale))
        if polished_cost < best_cost:
            best, best_cost = polished, polished_cost
    return best, candidates[np.argmin(scores)]


def counterfactual(
    predict_fn: Callable[[np.ndarray], Any],
    x: Any,
    *,
    threshold: float = 0.5,
    scale: Any,
    immutable: Sequence[str | int] = (),
    bounds: Mapping | np.ndarray | None = None,
    seed: int = 0,
    n_restarts: int = 4,
    search_radius: float = 25.0,
    allow_invalid: bool = False,
) -> Counterfactual:
    """The cheapest change of each example that brings ``predict_fn`` below ``threshold`` (Wachter et al. 2017).

    Minimizes ``sum_j |x'_j - x_j| / scale_j`` subject to ``predict_fn(x') < threshold``, with
    immutable features fixed and every feature within its bounds: a line search along each
    mutable feature, SLSQP from several starts, and a polish (see the module docstring).

    Parameters
    ----------
    predict_fn : callable
        Maps a batch ``(n, d)`` to ``(n,)``: the probability of the *unwanted* outcome (e.g.
        ``lambda X: model.predict_proba(X)[:, 1]`` for default). Only its outputs are used.
    x : array or DataFrame, shape (n, d)
        The examples, batch first (``x[None]`` or ``X.iloc[[i]]`` for one). An example already
        below the threshold is its own counterfactual (distance 0).
    threshold : float
        The decision threshold: the counterfactual needs ``predict_fn(x') < threshold``.
    scale : array or Series, shape (d,)
        The cost of one unit of each feature is ``1 / scale``; :func:`mad_scale` of the training
        data gives Wachter et al.'s MAD. A Series is matched to the columns by name.
    immutable : sequence of names or column indices
        Features that never change (age, history). Names need a DataFrame ``x``.
    bounds : dict or array, optional
        ``{feature: (low, high)}`` with numbers, ``None`` (no bound) or ``"current"`` (the
        example's own value: ``("current", None)`` means "may only increase"), or an array of
        shape ``(d, 2)`` with ``±np.inf`` for no bound. Every example must lie within its bounds.
    seed : int
        Seed of ``np.random.default_rng`` for the random restarts: the result is deterministic.
    n_restarts : int
        Random starts of the local refinement, on top of the best one-feature changes.
    search_radius : float
        How far to search along a feature without a bound, in units of its scale.
    allow_invalid : bool
        If False (default), an example for which no valid counterfactual is found raises a
        ``ValueError``; if True, its closest attempt is returned with ``valid=False``.

    Returns
    -------
    Counterfactual
        ``x``, ``x_cf`` (n, d), ``valid`` (n,), ``distance`` (n,), ``changed`` (n, d), the scores
        before and after; ``to_frame()`` and ``changes()`` tabulate them.

    Examples
    --------
    A logistic model: the cheapest change is all on feature 1, whose |weight| × scale is largest.

    >>> w, b = np.array([0.5, -2.0, 1.0]), 1.0
    >>> f = lambda X: 1 / (1 + np.exp(-(X @ w + b)))
    >>> result = counterfactual(f, np.array([[1.0, 0.0, 0.0]]), scale=np.ones(3), immutable=[0])
    >>> result.x_cf.round(3), bool(result.valid[0]), result.distance.round(3)
    (array([[1.  , 0.75, 0.  ]]), True, array([0.75]))
    """
    names = [str(c) for c in x.columns] if hasattr(x, "columns") else None
    x = as_batch(x, name="x")
    if x.ndim != 2:
        raise ValueError(f"counterfactual takes tabular inputs of shape (n, d); got {x.shape}.")
    n, d = x.shape
    try:
        threshold = float(threshold)
    except (TypeError, ValueError):
        raise ValueError(f"threshold should be a number; got {threshold!r}.") from None
    if not np.isfinite(threshold):
        raise ValueError(f"threshold should be a finite number; got {threshold!r}.")
    scale = _scale(scale, d, names)
    fixed = _indices(immutable, names, d, "immutable")
    low, high = _bounds(bounds, x, names)
    mutable = np.setdiff1d(np.arange(d), fixed)
    n_restarts = check_count(n_restarts, "n_restarts", minimum=0)
    radius = check_positive(search_radius, "search_radius")
    if not len(mutable):
        raise ValueError("every feature is immutable: nothing can change. Leave at least one feature out of "
                         "`immutable`.")
    f = _scorer(predict_fn)
    rng = np.random.default_rng(seed)

    scores = f(x)
    x_cf = x.copy()
    todo = np.flatnonzero(scores >= threshold)  # the others are below the threshold already
    failed = []
    if len(todo):
        lines = _line_search(f, x[todo], low[todo], high[todo], scale, mutable, threshold, radius)
        for k, i in enumerate(todo):
            line = {key: value[k] for key, value in lines.items()}
            best, closest = _search_one(f, x[i], low[i], high[i], scale, mutable, threshold, line, rng, n_restarts)
            if best is None:
                failed.append(i)
            x_cf[i] = closest if best is None else best
    changed = np.abs(x_cf - x) > _TOLERANCE * scale
    x_cf = np.where(changed, x_cf, x)
    scores_cf = f(x_cf)
    if failed and not allow_invalid:
        report = "; ".join(f"example {i}: lowest score reached {scores_cf[i]:.3g}" for i in failed[:5])
        raise ValueError(
            f"no counterfactual found with predict_fn < threshold {threshold:g} within the bounds ({report}). "
            "Make more features mutable, widen the bounds (or search_radius for unbounded features), or raise the "
            "threshold; pass allow_invalid=True to get the closest attempts flagged valid=False."
        )
    return Counterfactual(x=x, x_cf=x_cf, valid=scores_cf < threshold, distance=np.abs(x_cf - x) @ (1.0 / scale),
                          changed=changed, scores=scores, scores_cf=scores_cf, threshold=threshold, scale=scale,
                          feature_names=names)


def diverse_counterfactuals(
    predict_fn: Callable[[np.ndarray], Any],
    x: Any,
    *,
    n_counterfactuals: int = 3,
    threshold: float = 0.5,
    scale: Any,
    immutable: Sequence[str | int] = (),
    bounds: Mapping | np.ndarray | None = None,
    seed: int = 0,
    n_restarts: int = 4,
    search_radius: float = 25.0,
) -> Counterfactual:
    """Several counterfactuals of ONE example, each using features that none of the earlier ones changed.

    The first is :func:`counterfactual`'s; the next is the cheapest change that leaves the features
    of the first untouched (they are added to ``immutable``), and so on, until
    ``n_counterfactuals`` are found or no valid one remains. Mothilal, Sharma & Tan (2020, DiCE)
    find diverse sets jointly, with a diversity term in the objective; this greedy version trades
    that optimality for options that are different by construction: another way to be approved.

    Parameters
    ----------
    x : array or DataFrame, shape (1, d)
        One example, with the batch axis (``X.iloc[[i]]`` or ``x[None]``).
    n_counterfactuals : int
        At most this many options.
    predict_fn, threshold, scale, immutable, bounds, seed, n_restarts, search_radius
        As in :func:`counterfactual`.

    Returns
    -------
    Counterfactual
        One row per option (``x`` repeated), cheapest first; only valid options are kept. Raises
        ``ValueError`` if not even the first exists.

    Examples
    --------
    >>> w = np.array([-2.0, -1.0, -0.5])
    >>> f = lambda X: 1 / (1 + np.exp(-(X @ w + 1.0)))
    >>> options = diverse_counterfactuals(f, np.zeros((1, 3)), scale=np.ones(3))
    >>> options.changed.astype(int), options.distance.round(3)
    (array([[1, 0, 0],
           [0, 1, 0],
           [0, 0, 1]]), array([0.5, 1. , 2. ]))
    """
    table = x
    x = as_batch(x, name="x")
    if len(x) != 1:
        raise ValueError(f"diverse_counterfactuals explains one example at a time; got {len(x)} rows. Pass x[i:i+1] "
                         "(or X.iloc[[i]]).")
    n_counterfactuals = check_count(n_counterfactuals, "n_counterfactuals")
    names = [str(c) for c in table.columns] if hasattr(table, "columns") else None
    fixed = list(_indices(immutable, names, x.shape[1], "immutable"))
    options = []
    for k in range(n_counterfactuals):
        if len(fixed) == x.shape[1]:
            break
        result = counterfactual(predict_fn, table, threshold=threshold, scale=scale, immutable=fixed, bounds=bounds,
                                seed=seed + k,
                                n_restarts=n_restarts, search_radius=search_radius, allow_invalid=k > 0)
        if not result.valid[0] or (k and not result.changed[0].any()):
            break
        options.append(result)
        fixed += list(np.flatnonzero(result.changed[0]))
    first = options[0]
    stack = lambda name: np.concatenate([getattr(o, name) for o in options])  # noqa: E731
    return Counterfactual(x=stack("x"), x_cf=stack("x_cf"), valid=stack("valid"), distance=stack("distance"),
                          changed=stack("changed"), scores=stack("scores"), scores_cf=stack("scores_cf"),
                          threshold=first.threshold, scale=first.scale, feature_names=first.feature_names)


def nearest_distance(points: Any, data: Any, *, scale: Any, exclude_self: bool = False) -> np.ndarray:
    """The MAD-weighted L1 distance from each point to its nearest row of ``data``: shape (n,).

    A plausibility check for counterfactuals: one that lies much farther from every real example
    than real examples lie from each other describes an applicant who does not exist. With
    ``exclude_self=True`` (``points`` is ``data`` itself) each row's distance to itself is
    skipped, which gives the reference: how far real examples are from their nearest neighbour.

    Examples
    --------
    >>> data = np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 0.0]])
    >>> nearest_distance([[1.0, 0.0]], data, scale=[1.0, 2.0])
    array([0.5])
    >>> nearest_distance(data, data, scale=[1.0, 2.0], exclude_self=True)
    array([1.5, 1.5, 2.5])
    """
    names = [str(c) for c in data.columns] if hasattr(data, "columns") else None
    data = as_batch(data, name="data")
    points = as_batch(points, example_shape=data.shape[1:], name="points")
    scale = _scale(scale, data.shape[1], names)
    if exclude_self and points.shape != data.shape:
        raise ValueError(f"exclude_self=True compares data with itself; points has shape {points.shape}, data "
                         f"{data.shape}.")
    nearest = np.empty(len(points))
    for where, chunk in in_batches(points, _NEAREST_BATCH):  # (batch, N) distances at a time
        block = np.abs(chunk[:, None, :] - data[None]) @ (1.0 / scale)
        if exclude_self:
            block[np.arange(len(block)), np.arange(where.start, where.stop)] = np.inf
        nearest[where] = block.min(axis=1)
    return nearest


def principal_reasons(values: Any, feature_names: Sequence[str], *, k: int = 4) -> list[list[str]]:
    """The features that pushed each example's score most towards the unwanted outcome, strongest first.

    For attributions of the score of the unwanted outcome (e.g. Shapley values of the log-odds of
    default), the adverse contributions are the positive ones; the principal reasons for a decline
    are the ``k`` largest (fewer if fewer are positive). A feature that pushed towards approval is
    never a reason for the decline, however large its value.

    Parameters
    ----------
    values : array, shape (n, d)
        Attributions, one row per example (``attribution.values``).
    feature_names : sequence of d str
    k : int
        At most this many reasons per example (US Regulation B's commentary finds more than four
        "not likely to be helpful").

    Returns
    -------
    list of n lists of names

    Examples
    --------
    >>> principal_reasons([[0.5, -2.0, 0.1, 0.0]], ["debt", "income", "age", "savings"], k=3)
    [['debt', 'age']]
    """
    values = as_batch(values, name="values")
    names = [str(name) for name in feature_names]
    if values.ndim != 2 or values.shape[1] != len(names):
        raise ValueError(f"values should have shape (n, {len(names)}), one attribution per feature name; got "
                         f"{values.shape}.")
    k = check_count(k, "k", meaning="the number of reasons per example")
    return [[names[j] for j in np.argsort(-row, kind="stable") if row[j] > 0][:k] for row in values]
