"""Every outcome of the checks of notebook 09_global_importance, with the wrong answers learners write."""

import numpy as np
import pytest

from course_utils import global_importance as gi
from course_utils.checks import CORRECT, CRASHED, NOT_ATTEMPTED, WRONG
from course_utils.checks import global_importance as check

from .check_answers import Exercise, judge, params


def not_attempted(*args, **kwargs):
    raise NotImplementedError()


def _text(result):
    return " ".join((result.message, *result.details))


# --------------------------------------------------------------------------- Exercise 1: permutation drops
def drops_right(predict_fn, X, y, score, column, permutations):
    baseline = score(y, predict_fn(X))
    drops = []
    for perm in permutations:
        Xp = X.copy()
        Xp[:, column] = X[perm, column]
        drops.append(baseline - score(y, predict_fn(Xp)))
    return np.array(drops)


def drops_one_liner(predict_fn, X, y, score, column, permutations):
    return np.array([score(y, predict_fn(X)) - score(y, predict_fn(np.where(np.arange(X.shape[1]) == column, X[p], X)))
                     for p in permutations])


def _drops_slip(slip):
    def wrong(predict_fn, X, y, score, column, permutations):
        baseline = score(y, predict_fn(X))
        drops = []
        for perm in permutations:
            if slip == "in place":
                X[:, column] = X[perm, column]
                Xp = X
            elif slip == "all columns":
                Xp = X[perm]
            else:
                Xp = X.copy()
                Xp[:, 0 if slip == "column 0" else column] = X[perm, 0 if slip == "column 0" else column]
            if slip == "y":
                value = score(y[perm], predict_fn(X))
            elif slip == "swapped":
                value, baseline = score(predict_fn(Xp), y), score(predict_fn(X), y)
            else:
                value = score(y, predict_fn(Xp))
            drops.append({"reversed": value - baseline, "permuted score": value, "ratio": baseline / value}.get(slip, baseline - value))
        return np.array(drops)

    return wrong


def test_permutation_drops_correct_not_attempted_crashed_none():
    assert check.permutation_drops(drops_right).status == CORRECT
    assert check.permutation_drops(drops_one_liner).status == CORRECT
    assert check.permutation_drops(not_attempted).status == NOT_ATTEMPTED
    result = check.permutation_drops(lambda f, X, y, s, c, P: X[:, c].permute())
    assert result.status == CRASHED and "permute" in _text(result)
    result = check.permutation_drops(lambda f, X, y, s, c, P: None)
    assert result.status == WRONG and "forget `return`" in result.message


DROP_SLIPS = {
    "reversed": "you have the opposite sign",
    "all columns": "X[perm] shuffles whole rows",
    "y": "permute the feature, not the target",
    "in place": "you permuted the column in place",
    "swapped": "the true values come first",
    "permuted score": "return the drop",
    "column 0": "the column given by the argument `column`",
    "ratio": "take the difference of the scores",
}


@pytest.mark.parametrize("slip, hint", DROP_SLIPS.items(), ids=list(DROP_SLIPS))
def test_permutation_drops_slips_get_their_hint(slip, hint):
    result = check.permutation_drops(_drops_slip(slip))
    assert result.status == WRONG
    assert hint in _text(result), _text(result)
    assert "columns 0 and 2" in _text(result)


def test_permutation_drops_shapes_and_types():
    result = check.permutation_drops(lambda f, X, y, s, c, P: float(drops_right(f, X, y, s, c, P).mean()))
    assert result.status == WRONG and "one number" in result.message and "averaging comes later" in _text(result)
    result = check.permutation_drops(lambda f, X, y, s, c, P: (drops_right(f, X, y, s, c, P).mean(), drops_right(f, X, y, s, c, P).std()))
    assert result.status == WRONG and "not a pair" in result.message
    result = check.permutation_drops(lambda f, X, y, s, c, P: list(drops_right(f, X, y, s, c, P)))
    assert result.status == WRONG and "np.array(result)" in _text(result)
    result = check.permutation_drops(lambda f, X, y, s, c, P: drops_right(f, X, y, s, c, P)[:3])
    assert result.status == WRONG and "shape (3,)" in result.message
    # its own random permutations instead of the given ones: the general hint says to use them
    rng = np.random.default_rng(0)
    result = check.permutation_drops(lambda f, X, y, s, c, P: drops_right(f, X, y, s, c, np.stack([rng.permutation(len(X)) for _ in P])))
    assert result.status == WRONG and "for each row `perm` of permutations" in _text(result)


# --------------------------------------------------------------------------- Exercise 2: partial dependence
def pd_right(predict_fn, X, column, grid):
    averages = []
    for value in grid:
        Xv = X.copy()
        Xv[:, column] = value
        averages.append(predict_fn(Xv).mean())
    return np.array(averages)


def pd_in_place(predict_fn, X, column, grid):  # overwriting the column of X itself is fine: every value is set anew
    out = []
    for value in grid:
        X[:, column] = value
        out.append(np.mean(predict_fn(X)))
    return np.array(out)


def test_partial_dependence_correct_not_attempted_crashed_none():
    assert check.partial_dependence_by_hand(pd_right).status == CORRECT
    assert check.partial_dependence_by_hand(pd_in_place).status == CORRECT
    assert check.partial_dependence_by_hand(lambda f, X, c, g: gi.partial_dependence(f, X, c, grid=g)[1]).status == CORRECT
    assert check.partial_dependence_by_hand(not_attempted).status == NOT_ATTEMPTED
    result = check.partial_dependence_by_hand(lambda f, X, c, g: f(X[:, c]))
    assert result.status == CRASHED and "IndexError" in _text(result)
    assert "forget `return`" in check.partial_dependence_by_hand(lambda f, X, c, g: None).message


def _pd_slip(slip):
    def wrong(predict_fn, X, column, grid):
        out = []
        for value in grid:
            Xv = X.copy()
            if slip == "added":
                Xv[:, column] = X[:, column] + value
            elif slip == "next column":
                Xv[:, column + 1 if column + 1 < X.shape[1] else 0] = value
            elif slip != "not set":
                Xv[:, column] = value
            if slip == "average row":
                row = X.mean(axis=0, keepdims=True)
                row[:, column] = value
                out.append(predict_fn(row)[0])
            elif slip == "median":
                out.append(np.median(predict_fn(Xv)))
            else:
                out.append(predict_fn(Xv).mean())
        return np.array(out)

    return wrong


PD_SLIPS = {
    "not set": "your curve is flat at mean f(X)",
    "added": "do not add the value",
    "next column": "change the column given by the argument `column`",
    "average row": "average the PREDICTIONS, not the inputs",
    "median": "not their median",
}


@pytest.mark.parametrize("slip, hint", PD_SLIPS.items(), ids=list(PD_SLIPS))
def test_partial_dependence_slips_get_their_hint(slip, hint):
    result = check.partial_dependence_by_hand(_pd_slip(slip))
    assert result.status == WRONG
    assert hint in _text(result), _text(result)


def ice_not_averaged(predict_fn, X, column, grid):
    return np.stack([predict_fn(np.where(np.arange(X.shape[1]) == column, v, X)) for v in grid], axis=1)  # (n, g)


def test_partial_dependence_shapes():
    result = check.partial_dependence_by_hand(ice_not_averaged)
    assert result.status == WRONG and "shape (30, 4), one row per example" in result.message and "curves.mean(axis=0)" in _text(result)
    result = check.partial_dependence_by_hand(lambda f, X, c, g: ice_not_averaged(f, X, c, g).mean(axis=1))
    assert result.status == WRONG and "one number per example" in result.message and "axis 0" in _text(result)
    result = check.partial_dependence_by_hand(lambda f, X, c, g: (g, pd_right(f, X, c, g)))
    assert result.status == WRONG and "not (grid, averages)" in result.message
    result = check.partial_dependence_by_hand(lambda f, X, c, g: pd_right(f, X, c, g)[:2])
    assert result.status == WRONG and "shape (2,)" in result.message


# --------------------------------------------------------------------------- Exercise 3: one ALE bin
def ale_right(predict_fn, X, column, lower, upper):
    inside = (X[:, column] > lower) & (X[:, column] <= upper)
    high, low = X[inside].copy(), X[inside].copy()
    high[:, column], low[:, column] = upper, lower
    return np.mean(predict_fn(high) - predict_fn(low))


def ale_masked(predict_fn, X, column, lower, upper):  # every row moved, only the bin's rows averaged
    x = X[:, column]
    weights = ((x > lower) & (x <= upper)).astype(float)
    moved = lambda v: predict_fn(np.where(np.arange(X.shape[1]) == column, v, X))
    return float(weights @ (moved(upper) - moved(lower)) / weights.sum())


def test_ale_bin_correct_not_attempted_crashed_none():
    assert check.ale_bin_effect(ale_right).status == CORRECT
    assert check.ale_bin_effect(ale_masked).status == CORRECT
    assert check.ale_bin_effect(not_attempted).status == NOT_ATTEMPTED
    result = check.ale_bin_effect(lambda f, X, c, lo, hi: f(X[X[:, c] > lo][:, c]))
    assert result.status == CRASHED
    assert "forget `return`" in check.ale_bin_effect(lambda f, X, c, lo, hi: None).message


def _ale_slip(slip):
    def wrong(predict_fn, X, column, lower, upper):
        x = X[:, column]
        inside = {
            "all rows": np.ones(len(x), bool), "closed": (x >= lower) & (x <= upper),
            "open": (x > lower) & (x < upper), "left-closed": (x >= lower) & (x < upper),
        }.get(slip, (x > lower) & (x <= upper))
        high, low = X[inside].copy(), X[inside].copy()
        high[:, column] = upper
        if slip != "from x":
            low[:, column] = lower
        differences = predict_fn(high) - predict_fn(low)
        if slip == "reversed":
            return np.mean(-differences)
        if slip == "slope":
            return np.mean(differences) / (upper - lower)
        return np.sum(differences) if slip == "sum" else np.mean(differences)

    return wrong


ALE_SLIPS = {
    "all rows": "difference of partial dependence",
    "reversed": "you have the opposite sign",
    "closed": "an example exactly at `lower` belongs to the bin below",
    "open": "an example exactly at `upper` belongs to it",
    "left-closed": "open on the left and closed on the right",
    "slope": "not divided by the bin width",
    "from x": "move each example to BOTH edges",
    "sum": "do not sum them",
}


@pytest.mark.parametrize("slip, hint", ALE_SLIPS.items(), ids=list(ALE_SLIPS))
def test_ale_bin_slips_get_their_hint(slip, hint):
    result = check.ale_bin_effect(_ale_slip(slip))
    assert result.status == WRONG
    assert hint in _text(result), _text(result)
    assert "bins checked: column 1 (1, 3]" in _text(result)


def test_ale_bin_returns_one_number():
    result = check.ale_bin_effect(lambda f, X, c, lo, hi: np.array([ale_right(f, X, c, lo, hi)] * 2))
    assert result.status == WRONG and "one number" in result.message
    result = check.ale_bin_effect(lambda f, X, c, lo, hi: "4.1")
    assert result.status == WRONG and "got a string" in result.message


def test_the_checks_own_bin_effects_are_the_course_ales_differences():
    # the reference of Exercise 3 is what accumulated_local_effects accumulates: on a bin of its own quantile edges,
    # the bin effect equals the step of the ALE curve (the first bin also holds the minimum, so it is skipped)
    X, _ = check._ale_problem()
    edges, ale = gi.accumulated_local_effects(check._ale_model, X, 0, n_bins=6)
    steps = np.diff(ale)
    for k in range(1, len(edges) - 1):
        assert check._bin_effect(X, 0, edges[k], edges[k + 1]) == pytest.approx(steps[k], abs=1e-12)


def test_checks_never_share_their_data_with_the_learner():
    def vandal(predict_fn, X, y, score, column, permutations):
        X[:] = 0.0
        permutations[:] = 0
        return drops_right(predict_fn, X, y, score, column, permutations)

    assert check.permutation_drops(vandal).status == WRONG
    assert check.permutation_drops(drops_right).status == CORRECT  # the check's own data was untouched


# --- answers that do not depend on the exercise -------------------------------------------------

REFERENCES = {"permutation_drops": drops_right, "partial_dependence_by_hand": pd_right, "ale_bin_effect": ale_right}
EXERCISES = {name: Exercise(getattr(check, name), reference, [], {}) for name, reference in REFERENCES.items()}


@pytest.mark.parametrize(*params(EXERCISES))
def test_generic_answers_and_vandals(kind, exercise, answer, expected):
    judge(kind, exercise, answer, expected)
