"""The wrong answers learners write in notebook 07_shapley_and_shap, each with its verdict and hint;
answers written differently that are right; answers that would break a weaker check; code that
vandalizes the games it is given."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest

from course_utils import shapley
from course_utils.checks import CORRECT, WRONG
from course_utils.checks import shapley_and_shap as check

from .check_answers import Exercise, assert_verdict, judge, params, text, wreck

# ---------------------------------------------------------------- Exercise 1: the Shapley weight

fact = math.factorial


def weight_cache():
    """A learner's answer that hands out one shared array and overwrites it: read at once, it is still right."""
    out = np.zeros(())

    def shapley_weight(size, n):
        out[...] = fact(size) * fact(n - size - 1) / fact(n)
        return out

    return shapley_weight


WEIGHT_ANSWERS = [
    (shapley.shapley_weight, CORRECT, "1/3, 1/6, 1/3"),
    (lambda s, n: fact(s) * fact(n - s - 1) / fact(n), CORRECT, ""),
    (lambda s, n: 1 / (n * math.comb(n - 1, s)), CORRECT, ""),
    (lambda s, n: Fraction(fact(s) * fact(n - s - 1), fact(n)), CORRECT, ""),
    (lambda s, n: np.float32(fact(s) * fact(n - s - 1) / fact(n)), CORRECT, ""),
    (weight_cache(), CORRECT, ""),
    (lambda s, n: fact(s) * fact(n - s) / fact(n), WRONG, check.HINT_WEIGHT_OFF_BY_ONE),
    (lambda s, n: fact(s) * fact(n - s - 1) / fact(n - 1), WRONG, check.HINT_WEIGHT_N_MINUS_ONE),
    (lambda s, n: 1 / math.comb(n - 1, s), WRONG, check.HINT_WEIGHT_N_MINUS_ONE),
    (lambda s, n: 1 / 2 ** (n - 1), WRONG, check.HINT_WEIGHT_BANZHAF),
    (lambda s, n: fact(s) * fact(n - s - 1) // fact(n), WRONG, check.HINT_WEIGHT_INTEGER_DIVISION),
    (lambda s, n: fact(s + 1) * fact(n - s - 1) / fact(n), WRONG, check.HINT_WEIGHT_COUNTS_I),
    (lambda s, n: 1 / (n * math.comb(n, s)), WRONG, check.HINT_WEIGHT_COMB_N),
    (lambda n, s: fact(s) * fact(n - s - 1) / fact(n), WRONG, check.HINT_WEIGHT_NEGATIVE),  # arguments swapped
    (lambda s, n: fact(s - 1) * fact(n - s) / fact(n), WRONG, check.HINT_WEIGHT_NEGATIVE),
    (lambda s, n: 1 / n, WRONG, check.HINT_WEIGHT_GENERAL),
    (lambda s, n: f"{fact(s)}!({n}-{s}-1)!/{n}!", WRONG, "should be one number, got a string"),
    (lambda s, n: [fact(s) * fact(n - s - 1) / fact(n)], WRONG, "got a list"),
]


@pytest.mark.parametrize("answer, status, fragment", WEIGHT_ANSWERS)
def test_shapley_weight_answers(answer, status, fragment):
    assert_verdict(check.shapley_weight(answer), status, fragment)


def test_the_weights_message_names_the_first_differing_pairs_not_all_21():
    result = check.shapley_weight(lambda s, n: fact(s) * fact(n - s) / fact(n))
    assert "15 of 21 entries differ; the first ones:" in result.details
    assert "  shapley_weight(0, 2): expected 0.5, received 1" in result.details
    assert len(result.details) <= 7


# ---------------------------------------------------------------- Exercise 2: a 3-player game


def reference_by_enumeration(value_fn, n_players):
    """A learner's solution: loop over the coalitions S of the others, weigh v(S ∪ {i}) − v(S)."""
    phi = np.zeros(n_players)
    for i in range(n_players):
        others = [j for j in range(n_players) if j != i]
        for size in range(n_players):
            for S in itertools.combinations(others, size):
                S = frozenset(S)
                phi[i] += fact(size) * fact(n_players - size - 1) / fact(n_players) * (value_fn(S | {i}) - value_fn(S))
    return phi


def by_orderings(value_fn, n):
    """Right, the other way: average the marginal contributions over all n! orderings, with tuples and sets."""
    phi = np.zeros(n)
    for order in itertools.permutations(range(n)):
        before = set()
        for i in order:
            phi[i] += value_fn(tuple(before | {i})) - value_fn(before)
            before.add(i)
    return phi / fact(n)


def with_weight(weight, *, sign=1.0, contribution=lambda v, S, i: v(S | {i}) - v(S), coalition=frozenset):
    def solution(value_fn, n):
        phi = np.zeros(n)
        for i in range(n):
            others = [j for j in range(n) if j != i]
            for size in range(n):
                for S in itertools.combinations(others, size):
                    phi[i] += weight(size, n) * sign * contribution(lambda c: value_fn(coalition(c)), frozenset(S), i)
        return phi

    return solution


shap_weight = lambda s, n: fact(s) * fact(n - s - 1) / fact(n)  # noqa: E731


def as_mask(c, n=3):
    return tuple(1 if j in c else 0 for j in range(n))


GAME_ANSWERS = [
    (reference_by_enumeration, CORRECT, "2/3"),
    (shapley.shapley_values, CORRECT, ""),
    (by_orderings, CORRECT, ""),
    (with_weight(shap_weight, coalition=lambda c: sorted(c)), CORRECT, ""),  # a list of indices works too
    (with_weight(lambda s, n: 0.5 ** (n - 1)), WRONG, check.HINT_GAME_BANZHAF),
    (with_weight(lambda s, n: 1 / math.comb(n - 1, s)), WRONG, check.HINT_GAME_N_TIMES),
    (with_weight(lambda s, n: fact(s) * fact(n - s) / fact(n)), WRONG, check.HINT_GAME_OFF_BY_ONE),
    (with_weight(shap_weight, sign=-1.0), WRONG, check.HINT_GAME_SIGN),
    (with_weight(shap_weight, contribution=lambda v, S, i: v(S | {i})), WRONG, check.HINT_GAME_NO_MINUS),
    (lambda v, n: np.array([v(frozenset({i})) - v(frozenset()) for i in range(n)]), WRONG, check.HINT_GAME_ONLY_FIRST),
    (
        lambda v, n: np.array([v(frozenset(range(n))) - v(frozenset(range(n)) - {i}) for i in range(n)]),
        WRONG,
        check.HINT_GAME_ONLY_LAST,
    ),
    (with_weight(lambda s, n: 0.0 if s == 0 else shap_weight(s, n)), WRONG, check.HINT_GAME_EFFICIENCY),
    (with_weight(shap_weight, coalition=as_mask), WRONG, check.HINT_GAME_COALITION),
    (with_weight(shap_weight, coalition=lambda c: frozenset(j + 1 for j in c)), WRONG, check.HINT_GAME_COALITION),
    (lambda v, n: np.array([v(i) for i in range(n)]), WRONG, check.HINT_GAME_COALITION),
    (
        lambda v, n: np.array([2 / 3, 1 / 6, 1 / 6]),
        WRONG,
        "game: a game with values v(∅)=1",
    ),  # the glove game's answer, hard-coded
    (lambda v, n: shapley.shapley_values(v, n)[:2], WRONG, "have shape (2,), expected (3,)"),
    (lambda v, n: list(shapley.shapley_values(v, n)), WRONG, "should be a NumPy array, got a list"),
    (lambda v, n: dict(enumerate(shapley.shapley_values(v, n))), WRONG, "got a dict"),
]


@pytest.mark.parametrize("answer, status, fragment", GAME_ANSWERS)
def test_shapley_by_enumeration_answers(answer, status, fragment):
    assert_verdict(check.shapley_by_enumeration(answer), status, fragment)


def test_a_vandal_cannot_change_the_games_for_this_call_or_the_next():
    """The vandal rewrites the table its value function closes over, then answers for the wrecked game."""

    def vandalize(value_fn, n):
        wreck(value_fn)
        return shapley.shapley_values(value_fn, n)

    def clears(value_fn, n):
        for cell in value_fn.__closure__:
            contents = cell.cell_contents
            for inner in getattr(contents, "__closure__", None) or ():
                if isinstance(inner.cell_contents, dict):
                    inner.cell_contents.clear()
        return np.zeros(n)

    first = check.shapley_by_enumeration(vandalize)
    assert_verdict(first, WRONG, "game: a game with values")  # the glove game has nothing to wreck; the table game does
    assert check.shapley_by_enumeration(clears).status != CORRECT
    assert check.shapley_by_enumeration(reference_by_enumeration).status == CORRECT
    assert check.shapley_by_enumeration(vandalize).message == first.message  # the same verdict every time


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


def eliminated(Z, w, v, base, output):
    """Right, the other way: eliminate the last φ with the constraint, then weighted least squares."""
    Z = np.asarray(Z, dtype=float)
    total = output - base
    A = Z[:, :-1] - Z[:, -1:]
    r = np.sqrt(w)
    head = np.linalg.lstsq(A * r[:, None], (v - base - Z[:, -1] * total) * r, rcond=None)[0]
    return np.append(head, total - head.sum())


def unweighted(Z, w, v, b, o):
    return kkt_solution(Z, np.ones_like(w), v, b, o)[:-1]


def no_constraint(Z, w, v, b, o):
    root = np.sqrt(w)[:, None]
    return np.linalg.lstsq(np.asarray(Z, float) * root, (v - b) * root[:, 0], rcond=None)[0]


def free_intercept(Z, w, v, b, o):
    root = np.sqrt(w)[:, None]
    A = np.c_[np.ones(len(Z)), np.asarray(Z, float)]
    return np.linalg.lstsq(A * root, v * root[:, 0], rcond=None)[0][1:]


def constraint_as_a_row(weight):
    """The near miss: the constraint Σφ = output − base as one more regression row of a large weight."""

    def fit(Z, w, v, b, o):
        Z = np.asarray(Z, float)
        A, y, ww = np.vstack([Z, np.ones(Z.shape[1])]), np.append(v - b, o - b), np.append(w, weight)
        root = np.sqrt(ww)
        return np.linalg.lstsq(A * root[:, None], y * root, rcond=None)[0]

    return fit


KERNEL_ANSWERS = [
    (shapley.solve_kernel_regression, CORRECT, "exactly the Shapley values"),
    (lambda Z, w, v, b, o: kkt_solution(Z, w, v, b, o)[:-1], CORRECT, ""),
    (
        lambda Z, w, v, b, o: np.linalg.pinv(_system(Z, w)) @ _rhs(Z, w, v, b, o) @ np.eye(Z.shape[1] + 1)[:, :-1],
        CORRECT,
        "",
    ),
    (eliminated, CORRECT, ""),
    (constraint_as_a_row(1e12), CORRECT, ""),  # numerically the limit: Σφ is off by less than 1e-9
    (unweighted, WRONG, check.HINT_KR_UNWEIGHTED),
    (no_constraint, WRONG, check.HINT_KR_NO_CONSTRAINT),
    (free_intercept, WRONG, check.HINT_KR_NO_CONSTRAINT),
    (constraint_as_a_row(1.0), WRONG, check.HINT_KR_PENALTY),
    (constraint_as_a_row(1e3), WRONG, check.HINT_KR_PENALTY),
    (constraint_as_a_row(1e6), WRONG, check.HINT_KR_PENALTY),
    (constraint_as_a_row(1e9), WRONG, check.HINT_KR_PENALTY),
    (lambda Z, w, v, b, o: kkt_solution(Z, w, v + b, b, o)[:-1], WRONG, check.HINT_KR_BASE_IN_VALUES),
    (lambda Z, w, v, b, o: kkt_solution(Z, w, v, b, o + b)[:-1], WRONG, check.HINT_KR_BASE_IN_CONSTRAINT),
    (lambda Z, w, v, b, o: kkt_solution(Z, w**2, v, b, o)[:-1], WRONG, check.HINT_KR_SQUARED_WEIGHTS),
    (kkt_solution, WRONG, check.HINT_KR_MULTIPLIER),
    (lambda Z, w, v, b, o: np.append(unweighted(Z, w, v, b, o), 0.0), WRONG, check.HINT_KR_MULTIPLIER),
    (lambda Z, w, v, b, o: kkt_solution(Z, w, v, b, o)[1:], WRONG, check.HINT_KR_SHIFTED),
    (lambda Z, w, v, b, o: np.full(Z.shape[1], (o - b) / Z.shape[1]), WRONG, check.HINT_KR_GENERAL),
    (
        lambda Z, w, v, b, o: kkt_solution(Z, w, v, b, o)[:4],
        WRONG,
        "12 sampled coalitions of 5 features",
    ),  # hard-coded d = 4
    (lambda Z, w, v, b, o: kkt_solution(Z, w, v, b, o)[:-1].tolist(), WRONG, "got a list"),
]


def _system(Z, w):
    Z = np.asarray(Z, float)
    d = Z.shape[1]
    A = np.ones((d + 1, d + 1))
    A[:d, :d], A[d, d] = Z.T @ (w[:, None] * Z), 0.0
    return A


def _rhs(Z, w, v, b, o):
    return np.append(np.asarray(Z, float).T @ (w * (v - b)), o - b)


@pytest.mark.parametrize("answer, status, fragment", KERNEL_ANSWERS)
def test_kernel_regression_answers(answer, status, fragment):
    assert_verdict(check.kernel_regression(answer), status, fragment)


def test_the_near_miss_shows_how_far_the_constraint_is_off():
    result = check.kernel_regression(constraint_as_a_row(1e6))
    assert result.message == "your φ does not meet the constraint Σφ = output − base_value exactly."
    assert any(line.startswith("Σφ − (output − base_value) = ") for line in result.details), text(result)


def test_the_enumerated_problem_has_the_shapley_values_as_answer():
    (Z, w, v, base, output) = next(iter(check._kernel_problems().values()))
    game = np.concatenate([[base], v, [output]])
    assert np.allclose(kkt_solution(Z, w, v, base, output)[:-1], shapley.shapley_from_coalition_values(game))


# --- answers that do not depend on the exercise -------------------------------------------------

REFERENCES = {
    "shapley_weight": shapley.shapley_weight,
    "shapley_by_enumeration": reference_by_enumeration,
    "kernel_regression": shapley.solve_kernel_regression,
}
EXERCISES = {
    name: Exercise(
        getattr(check, name), reference, [], {}, isolated=name != "shapley_weight"
    )  # its inputs are two ints
    for name, reference in REFERENCES.items()
}


@pytest.mark.parametrize(*params(EXERCISES))
def test_generic_answers_and_vandals(kind, exercise, answer, expected):
    judge(kind, exercise, answer, expected)
