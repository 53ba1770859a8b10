"""Checks for notebook 09_global_importance: permutation importance, partial dependence and one ALE bin, by hand."""

from __future__ import annotations

import numpy as np

from course_utils.checks import CheckResult, Wrong, call, exercise
from course_utils.checks._answers import as_array, case, expect_close

__all__ = ["permutation_drops", "partial_dependence_by_hand", "ale_bin_effect"]


def _r2(y_true, predictions):
    """R² = 1 - SSE / SST; not symmetric in its arguments, so swapping them is a different number."""
    y_true, predictions = np.asarray(y_true, dtype=float), np.asarray(predictions, dtype=float)
    return 1.0 - np.sum((y_true - predictions) ** 2) / np.sum((y_true - y_true.mean()) ** 2)


def _model(X):
    """A nonlinear model with an interaction, so that every slip gives a different number."""
    X = np.asarray(X, dtype=float)
    return 2.0 * X[:, 0] - 0.5 * X[:, 1] ** 2 + 0.8 * X[:, 0] * X[:, 2] + np.sin(X[:, 2])


def _with_column(X, column, values):
    copy = np.array(X, dtype=float)
    copy[:, column] = values
    return copy


# --------------------------------------------------------------------------- Exercise 1
def _permutation_problem():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(40, 3)) * [1.0, 2.0, 0.5] + [0.5, -1.0, 1.0]  # (40, 3): 40 rows, 3 features
    y = _model(X) + rng.normal(scale=0.5, size=40)
    permutations = np.stack([rng.permutation(40) for _ in range(5)])  # (5, 40): one row order per repeat
    return X, y, permutations


def _drops(X, y, column, permutations, *, how="right"):
    """The drops of every repeat, and the slips learners make."""
    score = (lambda t, p: _r2(p, t)) if how == "swapped" else _r2
    baseline = score(y, _model(X))
    out, current = [], X.copy()
    for perm in permutations:
        if how == "all columns":
            permuted = X[perm]
        elif how == "in place":
            current[:, column] = current[perm, column]
            permuted = current
        elif how == "next column":
            permuted = _with_column(X, (column + 1) % X.shape[1], X[perm, (column + 1) % X.shape[1]])
        elif how == "column 0":
            permuted = _with_column(X, 0, X[perm, 0])
        else:
            permuted = _with_column(X, column, X[perm, column])
        if how == "y":
            value = score(y[perm], _model(X))
        else:
            value = score(y, _model(permuted))
        out.append({"reversed": value - baseline, "permuted score": value, "ratio": baseline / value}.get(how, baseline - value))
    return np.array(out)


HINT_DROP_SIGN = "importance = score on the original X − score with the column permuted (a useful feature gives a positive drop); you have the opposite sign."
HINT_DROP_ALL = "permute only column `column`: Xp = X.copy(); Xp[:, column] = X[perm, column]. X[perm] shuffles whole rows, which changes nothing the model sees about any single feature."
HINT_DROP_Y = "permute the feature, not the target: shuffling y breaks the link of every feature with y at once."
HINT_DROP_IN_PLACE = (
    "copy X for each permutation (Xp = X.copy()): you permuted the column in place, so each repeat shuffled the "
    "already-shuffled column of the repeat before."
)
HINT_DROP_SWAPPED = "call score(y, predictions): the true values come first (R² is not symmetric in its arguments)."
HINT_DROP_SCORE = "return the drop, score(y, f(X)) − score(y, f(X_permuted)), not the score after permuting."
HINT_DROP_COLUMN = "permute the column given by the argument `column` (the check asks for columns 0 and 2)."
HINT_DROP_RATIO = (
    "take the difference of the scores, as scikit-learn does (Fisher et al.'s model reliance is a ratio of LOSSES, "
    "not of scores)."
)
HINT_DROP_GENERAL = (
    "for each row `perm` of permutations: Xp = X.copy(); Xp[:, column] = X[perm, column]; "
    "drop = score(y, predict_fn(X)) − score(y, predict_fn(Xp)). Return the drops as an array of shape (len(permutations),)."
)


@exercise("Exercise 1: permutation importance by hand")
def permutation_drops(fn) -> CheckResult:
    """Check ``fn(predict_fn, X, y, score, column, permutations)`` returns the drop of ``score`` for each permutation."""
    X, y, permutations = _permutation_problem()
    received = []
    for column in (0, 2):
        got = call(fn, _model, X, y, _r2, column, permutations, name="permutation_drops")
        if isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[0], (int, float, np.number)):
            raise Wrong("permutation_drops should return one drop per permutation, not a pair (mean, std?).",
                        hint="return the array of drops; the mean and the standard deviation come after, from it.")
        got = as_array(got, f"permutation_drops(..., column={column}, ...)")
        if got.ndim == 0:
            raise Wrong(f"permutation_drops returned one number ({float(got):.4g}); expected one drop per permutation, shape (5,).",
                        hint="collect the drop of every permutation in a list and return np.array(drops): averaging comes later.")
        if got.shape != (len(permutations),):
            raise Wrong(f"permutation_drops returned shape {got.shape}; expected one drop per permutation, shape (5,).",
                        hint="loop over the rows of `permutations` (one row order each) and return one drop per row.")
        received.append(got)
    expected = np.stack([_drops(X, y, c, permutations) for c in (0, 2)])
    slips = (("reversed", HINT_DROP_SIGN), ("all columns", HINT_DROP_ALL), ("y", HINT_DROP_Y), ("in place", HINT_DROP_IN_PLACE),
             ("swapped", HINT_DROP_SWAPPED), ("permuted score", HINT_DROP_SCORE), ("next column", HINT_DROP_COLUMN),
             ("column 0", HINT_DROP_COLUMN), ("ratio", HINT_DROP_RATIO))
    mistakes = tuple((np.stack([_drops(X, y, c, permutations, how=how) for c in (0, 2)]), hint) for how, hint in slips)
    with case("X of shape (40, 3), 5 permutations, score = R², columns 0 and 2", label="checked on"):
        expect_close(np.stack(received), expected, name="the array of drops (columns 0 and 2)", mistakes=mistakes, hint=HINT_DROP_GENERAL)
    return (f"correct — permuting column 0 drops R² by {expected[0].mean():.2f} on average (± {expected[0].std():.2f} over "
            f"the 5 permutations); column 2 by {expected[1].mean():.2f}.")


# --------------------------------------------------------------------------- Exercise 2
def _pd_problem():
    rng = np.random.default_rng(21)
    X = rng.normal(size=(30, 3)) * [1.5, 1.0, 0.8] + [0.0, 1.0, -0.5]  # (30, 3)
    X[:, 2] += 0.6 * X[:, 0]  # correlated columns, as in real data
    grid = np.array([-1.0, 0.0, 0.5, 2.0])  # (4,)
    return X, grid


def _pd(X, column, grid, *, how="right"):
    rows = []
    for value in grid:
        if how == "not set":
            moved = X
        elif how == "added":
            moved = _with_column(X, column, X[:, column] + value)
        elif how == "next column":
            moved = _with_column(X, (column + 1) % X.shape[1], value)
        else:
            moved = _with_column(X, column, value)
        if how == "average row":
            rows.append(_model(_with_column(X.mean(axis=0, keepdims=True), column, value))[0])
        elif how == "median":
            rows.append(np.median(_model(moved)))
        else:
            rows.append(_model(moved).mean())
    return np.array(rows)


HINT_PD_NOT_SET = "set the feature to the grid value for every row (Xv = X.copy(); Xv[:, column] = value) before predicting: your curve is flat at mean f(X)."
HINT_PD_ADDED = "SET the feature to the grid value (Xv[:, column] = value); do not add the value to what each row had."
HINT_PD_COLUMN = "change the column given by the argument `column` (the check asks for columns 0 and 2)."
HINT_PD_AVERAGE_ROW = (
    "average the PREDICTIONS, not the inputs: partial dependence is mean_i f(value, x_i,rest), not f at the average "
    "applicant — for a nonlinear model the two differ."
)
HINT_PD_MEDIAN = "partial dependence is the MEAN of the predictions (np.mean), not their median."
HINT_PD_ICE = "you returned the ICE curves, one row per example: average them over the examples, curves.mean(axis=0), shape (len(grid),)."
HINT_PD_AXIS = "average over the examples (axis 0) for each grid value: the result has one number per grid value, shape (len(grid),)."
HINT_PD_GENERAL = "for each value in grid: Xv = X.copy(); Xv[:, column] = value; append predict_fn(Xv).mean(); return np.array of those."


@exercise("Exercise 2: partial dependence by hand")
def partial_dependence_by_hand(fn) -> CheckResult:
    """Check ``fn(predict_fn, X, column, grid)`` returns ``mean_i f(x_i with column set to v)`` for each ``v`` in ``grid``."""
    X, grid = _pd_problem()
    received = []
    for column in (0, 2):
        got = call(fn, _model, X, column, grid, name="partial_dependence_by_hand")
        if isinstance(got, (tuple, list)) and len(got) == 2 and isinstance(got[0], np.ndarray) and got[0].shape == grid.shape:
            raise Wrong("partial_dependence_by_hand should return the averages only, not (grid, averages).",
                        hint="return the array of averages, shape (len(grid),): the caller already has the grid.")
        got = as_array(got, f"partial_dependence_by_hand(..., column={column}, ...)")
        if got.shape == (len(X), len(grid)):
            raise Wrong(f"the result has shape {got.shape}, one row per example: expected ({len(grid)},).", hint=HINT_PD_ICE)
        if got.shape == (len(X),):
            raise Wrong(f"the result has shape {got.shape}, one number per example: expected ({len(grid)},).", hint=HINT_PD_AXIS)
        if got.shape != grid.shape:
            raise Wrong(f"the result has shape {got.shape}; expected ({len(grid)},), one average per grid value.", hint=HINT_PD_GENERAL)
        received.append(got)
    expected = np.stack([_pd(X, c, grid) for c in (0, 2)])
    slips = (("not set", HINT_PD_NOT_SET), ("added", HINT_PD_ADDED), ("next column", HINT_PD_COLUMN),
             ("average row", HINT_PD_AVERAGE_ROW), ("median", HINT_PD_MEDIAN))
    mistakes = tuple((np.stack([_pd(X, c, grid, how=how) for c in (0, 2)]), hint) for how, hint in slips)
    with case(f"X of shape (30, 3), grid {grid.tolist()}, columns 0 and 2", label="checked on"):
        expect_close(np.stack(received), expected, name="the partial dependence (columns 0 and 2)", mistakes=mistakes, hint=HINT_PD_GENERAL)
    return "correct — one average prediction per grid value; scikit-learn's partial_dependence(method='brute') computes the same."


# --------------------------------------------------------------------------- Exercise 3
def _ale_problem():
    rng = np.random.default_rng(33)
    X = rng.normal(size=(60, 3)) * [1.0, 1.0, 0.7]  # (60, 3)
    X[:, 1] = rng.integers(0, 6, size=60)  # a count 0..5: many rows sit exactly on the bin edges
    X[:, 0] += 0.4 * X[:, 1]  # correlated with the count
    X[:, 0] = np.round(X[:, 0], 1)  # recorded to one decimal: ties on the edges too
    lower0, upper0 = np.quantile(X[:, 0], [0.3, 0.6], method="inverted_cdf")  # data values
    bins = [(1, 1.0, 3.0), (1, 3.0, 5.0), (0, float(lower0), float(upper0))]  # (column, lower, upper); no slip empties a bin
    return X, bins


def _ale_model(X):
    """The count (column 1) interacts with column 0, so WHICH examples are in a bin changes the effect."""
    X = np.asarray(X, dtype=float)
    return X[:, 0] * X[:, 1] + 0.3 * X[:, 1] ** 2 + np.sin(X[:, 2]) * X[:, 0]


def _bin_effect(X, column, lower, upper, *, how="right"):
    x = X[:, column]
    inside = {"closed": (x >= lower) & (x <= upper), "open": (x > lower) & (x < upper),
              "left-closed": (x >= lower) & (x < upper), "all rows": np.ones(len(x), bool)}.get(how, (x > lower) & (x <= upper))
    rows = X[inside]
    high = _ale_model(_with_column(rows, column, upper))
    low = rows if how == "from x" else _with_column(rows, column, lower)
    differences = high - _ale_model(low)
    if how == "reversed":
        differences = -differences
    if how == "slope":
        differences = differences / (upper - lower)
    return differences.sum() if how == "sum" else differences.mean()


HINT_ALE_ALL = (
    "use only the examples whose value lies in the bin, lower < x ≤ upper. Moving every example to both edges is a "
    "difference of partial dependence — exactly the extrapolation ALE avoids."
)
HINT_ALE_SIGN = "the local effect is f(upper) − f(lower), moving each example up across the bin; you have the opposite sign."
HINT_ALE_CLOSED = "the bin is (lower, upper]: an example exactly at `lower` belongs to the bin below, so use lower < x, not lower ≤ x."
HINT_ALE_OPEN = "the bin is (lower, upper]: an example exactly at `upper` belongs to it, so use x <= upper, not x < upper."
HINT_ALE_LEFT = "the bin is (lower, upper], open on the left and closed on the right: (x > lower) & (x <= upper)."
HINT_ALE_SLOPE = "return the difference f(upper) − f(lower) itself, not divided by the bin width: ALE adds up differences, not slopes."
HINT_ALE_FROM_X = "move each example to BOTH edges: f(x with feature = upper) − f(x with feature = lower), not f(upper) − f(x as it is)."
HINT_ALE_SUM = "average the differences over the examples in the bin (np.mean), do not sum them."
HINT_ALE_GENERAL = (
    "inside = (X[:, column] > lower) & (X[:, column] <= upper); rows = X[inside]; set the column of a copy of rows "
    "to upper and of another copy to lower; return the mean of predict_fn(high) − predict_fn(low)."
)


@exercise("Exercise 3: one bin of accumulated local effects")
def ale_bin_effect(fn) -> CheckResult:
    """Check ``fn(predict_fn, X, column, lower, upper)`` returns the mean of ``f(upper) − f(lower)`` over the rows in ``(lower, upper]``."""
    X, bins = _ale_problem()
    received = []
    for column, lower, upper in bins:
        got = call(fn, _ale_model, X, column, lower, upper, name="ale_bin_effect")
        value = as_array(got, f"ale_bin_effect(..., column={column}, lower={lower:g}, upper={upper:g})")
        if value.size != 1:
            raise Wrong(f"ale_bin_effect should return one number (the mean difference); got an array of shape {value.shape}.",
                        hint="average the differences of the examples in the bin: np.mean(high - low).")
        received.append(float(value.reshape(())))
    expected = [_bin_effect(X, *b) for b in bins]
    slips = (("all rows", HINT_ALE_ALL), ("reversed", HINT_ALE_SIGN), ("closed", HINT_ALE_CLOSED), ("open", HINT_ALE_OPEN),
             ("left-closed", HINT_ALE_LEFT), ("slope", HINT_ALE_SLOPE), ("from x", HINT_ALE_FROM_X), ("sum", HINT_ALE_SUM))
    mistakes = tuple(([_bin_effect(X, *b, how=how) for b in bins], hint) for how, hint in slips)
    with case(", ".join(f"column {c} ({lo:g}, {hi:g}]" for c, lo, hi in bins), label="bins checked"):
        expect_close(np.array(received), expected, name="the result for the 3 bins", mistakes=mistakes, hint=HINT_ALE_GENERAL)
    return "correct — ALE adds up such bin effects from the lowest edge, then shifts the curve so its mean over the data is 0."
