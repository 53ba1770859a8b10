"""Every outcome of every check of notebook 07: correct, not attempted, wrong (with the targeted
hint for each realistic slip), crashed."""

import itertools
import math

import numpy as np
import pytest

from course_utils import shapley
from course_utils.checks import shapley_and_shap as check


def not_attempted(*args):
    raise NotImplementedError()


def crashes(*args):
    return np.zeros(3).sume()  # a typo


def details(result) -> str:
    return "\n".join(result.details)


# ---------------------------------------------------------------- Exercise 1: the Shapley weight


def test_weight_correct_not_attempted_crashed_none():
    assert check.shapley_weight(shapley.shapley_weight).status == "correct"
    assert check.shapley_weight(lambda s, n: math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n)).status == "correct"
    assert check.shapley_weight(not_attempted).status == "not attempted"
    crashed = check.shapley_weight(crashes)
    assert crashed.status == "crashed" and "AttributeError" in details(crashed)
    assert "forget `return`" in check.shapley_weight(lambda s, n: None).message


WEIGHT_MISTAKES = {
    "(n - s)!": (lambda s, n: math.factorial(s) * math.factorial(n - s) / math.factorial(n), check.HINT_WEIGHT_OFF_BY_ONE),
    "(n - 1)! below": (lambda s, n: math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n - 1), check.HINT_WEIGHT_N_MINUS_ONE),
    "1 / comb(n - 1, s)": (lambda s, n: 1 / math.comb(n - 1, s), check.HINT_WEIGHT_N_MINUS_ONE),
    "Banzhaf": (lambda s, n: 1 / 2 ** (n - 1), check.HINT_WEIGHT_BANZHAF),
    "integer division": (lambda s, n: math.factorial(s) * math.factorial(n - s - 1) // math.factorial(n), check.HINT_WEIGHT_INTEGER_DIVISION),
    "(s + 1)!": (lambda s, n: math.factorial(s + 1) * math.factorial(n - s - 1) / math.factorial(n), check.HINT_WEIGHT_COUNTS_I),
    "something else": (lambda s, n: 1 / n, check.HINT_WEIGHT_GENERAL),
}


@pytest.mark.parametrize("mistake", list(WEIGHT_MISTAKES))
def test_weight_targeted_hints(mistake):
    fn, hint = WEIGHT_MISTAKES[mistake]
    result = check.shapley_weight(fn)
    assert result.status == "wrong"
    assert hint in details(result)
    assert "pairs checked" in details(result)


# ---------------------------------------------------------------- Exercise 2: a 3-player game


def reference_by_enumeration(value_fn, n_players):
    """A learner's solution: loop over the coalitions S of the others, weigh v(S ∪ {i}) − v(S)."""
    phi = np.zeros(n_players)
    for i in range(n_players):
        others = [j for j in range(n_players) if j != i]
        for size in range(n_players):
            for S in itertools.combinations(others, size):
                S = frozenset(S)
                weight = math.factorial(size) * math.factorial(n_players - size - 1) / math.factorial(n_players)
                phi[i] += weight * (value_fn(S | {i}) - value_fn(S))
    return phi


def with_weight(weight, sign=1.0):
    def solution(value_fn, n):
        phi = np.zeros(n)
        for i in range(n):
            others = [j for j in range(n) if j != i]
            for size in range(n):
                for S in itertools.combinations(others, size):
                    S = frozenset(S)
                    phi[i] += weight(size, n) * sign * (value_fn(S | {i}) - value_fn(S))
        return phi

    return solution


def test_game_correct_not_attempted_crashed_none():
    assert check.shapley_by_enumeration(reference_by_enumeration).status == "correct"
    assert check.shapley_by_enumeration(shapley.shapley_values).status == "correct"
    assert check.shapley_by_enumeration(lambda v, n: list(shapley.shapley_values(v, n))).status == "correct"  # a list is fine
    assert check.shapley_by_enumeration(not_attempted).status == "not attempted"
    assert check.shapley_by_enumeration(crashes).status == "crashed"
    assert "forget `return`" in check.shapley_by_enumeration(lambda v, n: None).message


GAME_MISTAKES = {
    "Banzhaf": (with_weight(lambda s, n: 0.5 ** (n - 1)), check.HINT_GAME_BANZHAF),
    "no 1/n": (with_weight(lambda s, n: 1 / math.comb(n - 1, s)), check.HINT_GAME_N_TIMES),
    "(n - s)!": (with_weight(lambda s, n: math.factorial(s) * math.factorial(n - s) / math.factorial(n)), check.HINT_GAME_OFF_BY_ONE),
    "sign": (with_weight(lambda s, n: math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n), sign=-1.0), check.HINT_GAME_SIGN),
    "first only": (lambda v, n: np.array([v(frozenset({i})) - v(frozenset()) for i in range(n)]), check.HINT_GAME_ONLY_FIRST),
    "last only": (lambda v, n: np.array([v(frozenset(range(n))) - v(frozenset(range(n)) - {i}) for i in range(n)]), check.HINT_GAME_ONLY_LAST),
    "skips the empty coalition": (
        with_weight(lambda s, n: 0.0 if s == 0 else math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n)),
        check.HINT_GAME_EFFICIENCY,
    ),
}


@pytest.mark.parametrize("mistake", list(GAME_MISTAKES))
def test_game_targeted_hints(mistake):
    fn, hint = GAME_MISTAKES[mistake]
    result = check.shapley_by_enumeration(fn)
    assert result.status == "wrong"
    assert hint in details(result)
    assert "game: " in details(result)


def test_game_wrong_shape():
    result = check.shapley_by_enumeration(lambda v, n: shapley.shapley_values(v, n)[:2])
    assert result.status == "wrong" and "shape (2,), expected (3,)" in result.message


# ---------------------------------------------------------------- Exercise 3: the KernelSHAP regression


def kkt_solution(Z, w, v, base, output):
    """A learner's solution: the constrained WLS as one linear system with a Lagrange multiplier."""
    Z = np.asarray(Z, dtype=float)
    d = Z.shape[1]
    A = np.zeros((d + 1, d + 1))
    A[:d, :d] = Z.T @ np.diag(w) @ Z
    A[:d, d] = A[d, :d] = 1.0
    b = np.concatenate([Z.T @ np.diag(w) @ (v - base), [output - base]])
    return np.linalg.solve(A, b)


def test_kernel_regression_correct_not_attempted_crashed_none():
    assert check.kernel_regression(shapley.solve_kernel_regression).status == "correct"
    assert check.kernel_regression(lambda Z, w, v, b, o: kkt_solution(Z, w, v, b, o)[:-1]).status == "correct"
    assert check.kernel_regression(not_attempted).status == "not attempted"
    assert check.kernel_regression(crashes).status == "crashed"
    assert "forget `return`" in check.kernel_regression(lambda *a: None).message


def unweighted(Z, w, v, b, o):
    return kkt_solution(Z, np.ones_like(w), v, b, o)[:-1]


def no_constraint(Z, w, v, b, o):
    root = np.sqrt(w)[:, None]
    return np.linalg.lstsq(np.asarray(Z, float) * root, (v - b) * root[:, 0], rcond=None)[0]


def free_intercept(Z, w, v, b, o):
    root = np.sqrt(w)[:, None]
    A = np.c_[np.ones(len(Z)), np.asarray(Z, float)]
    return np.linalg.lstsq(A * root, v * root[:, 0], rcond=None)[0][1:]


KERNEL_MISTAKES = {
    "unweighted": (unweighted, check.HINT_KR_UNWEIGHTED),
    "no constraint": (no_constraint, check.HINT_KR_NO_CONSTRAINT),
    "free intercept": (free_intercept, check.HINT_KR_NO_CONSTRAINT),
    "values not centred": (lambda Z, w, v, b, o: kkt_solution(Z, w, v + b, b, o)[:-1], check.HINT_KR_BASE_IN_VALUES),
    "constraint sums to output": (lambda Z, w, v, b, o: kkt_solution(Z, w, v, b, o + b)[:-1], check.HINT_KR_BASE_IN_CONSTRAINT),
    "rows scaled by w": (lambda Z, w, v, b, o: kkt_solution(Z, w**2, v, b, o)[:-1], check.HINT_KR_SQUARED_WEIGHTS),
    "kept the multiplier": (kkt_solution, check.HINT_KR_MULTIPLIER),
    "something else": (lambda Z, w, v, b, o: np.full(Z.shape[1], (o - b) / Z.shape[1]), check.HINT_KR_GENERAL),
}


@pytest.mark.parametrize("mistake", list(KERNEL_MISTAKES))
def test_kernel_regression_targeted_hints(mistake):
    fn, hint = KERNEL_MISTAKES[mistake]
    result = check.kernel_regression(fn)
    assert result.status == "wrong"
    assert hint in details(result)


def test_kernel_regression_with_the_wrong_multiplier_is_still_wrong():
    result = check.kernel_regression(lambda Z, w, v, b, o: np.append(unweighted(Z, w, v, b, o), 0.0))
    assert result.status == "wrong" and check.HINT_KR_MULTIPLIER in details(result)


def test_the_enumerated_problem_has_the_shapley_values_as_answer():
    (Z, w, v, base, output) = next(iter(check._kernel_problems().values()))
    game = np.concatenate([[base], v, [output]])
    assert np.allclose(kkt_solution(Z, w, v, base, output)[:-1], shapley.shapley_from_coalition_values(game))
