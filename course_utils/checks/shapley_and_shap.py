"""Checks for notebook 07_shapley_and_shap: the Shapley weight, Shapley values of a 3-player game,
and the KernelSHAP regression.

The learner's code never gets an object that the check itself uses afterwards: every game is
built afresh for each call (its value function validates the coalition it is given), and the
expected answers are computed from separate copies before the learner's code runs, so code that
vandalizes what it is given cannot change this check's verdict or the next one's.
"""

from __future__ import annotations

import itertools
import math
from typing import Callable

import numpy as np

from course_utils import shapley
from course_utils.checks import CheckResult, Wrong, call, exercise
from course_utils.checks._answers import as_array, as_number, case, expect_close, expect_close_on_each, show

__all__ = ["shapley_weight", "shapley_by_enumeration", "kernel_regression"]

# ---------------------------------------------------------------- Exercise 1: the Shapley weight

HINT_WEIGHT_OFF_BY_ONE = (
    "the players after i number n − |S| − 1, not n − |S|: player i itself is neither in S nor after it. "
    "Use factorial(n_players - size - 1)."
)
HINT_WEIGHT_N_MINUS_ONE = (
    "divide by n! (all orderings of the n players), not by (n − 1)!: your weights are n times too large."
)
HINT_WEIGHT_BANZHAF = (
    "1/2^(n−1) gives every coalition the same weight (that is the Banzhaf value). Shapley weighs a coalition by "
    "the chance that exactly its members come before i in a random ordering: |S|!(n−|S|−1)!/n!."
)
HINT_WEIGHT_INTEGER_DIVISION = "`//` is integer division and rounds the weight down to 0; use `/`."
HINT_WEIGHT_COUNTS_I = (
    "|S| counts the players already there BEFORE i arrives, not including i: use factorial(size), not "
    "factorial(size + 1)."
)
HINT_WEIGHT_COMB_N = (
    "S is chosen among the n − 1 OTHER players: the weight is 1 / (n · C(n − 1, size)), not 1 / (n · C(n, size))."
)
HINT_WEIGHT_NEGATIVE = (
    "a factorial of a negative number: size runs from 0 to n_players − 1, so n_players − size − 1 ≥ 0. Check the order "
    "of the arguments, shapley_weight(size, n_players), and your −1s."
)
HINT_WEIGHT_GENERAL = "the weight is factorial(size) * factorial(n_players - size - 1) / factorial(n_players)."

WEIGHT_PAIRS = tuple((s, n) for n in range(1, 7) for s in range(n))  # (size, n_players): all 21 of n = 1..6


def _weight(s: int, n: int, *, before: int = 0, after: int = -1, total: int = 0) -> float:
    """(s + before)! (n - s + after)! / (n + total)!: the Shapley weight and its common slips."""
    return math.factorial(s + before) * math.factorial(n - s + after) / math.factorial(n + total)


@exercise("Exercise 1 — the Shapley weight")
def shapley_weight(fn) -> CheckResult:
    """Check ``fn(size, n_players)`` returns ``size! (n - size - 1)! / n!`` for all sizes 0..n-1, n = 1..6."""
    pairs = WEIGHT_PAIRS
    received = []
    for (
        s,
        n,
    ) in pairs:  # each answer is read as a number at once: a function that returns one shared array cannot fool it
        name = f"shapley_weight({s}, {n})"
        value = call(
            fn,
            s,
            n,
            name=name,
            crash_hints=((ValueError, "factorial() not defined for negative values", HINT_WEIGHT_NEGATIVE),),
        )
        received.append(as_number(value, name, hint=HINT_WEIGHT_GENERAL))
    expected = [_weight(s, n) for s, n in pairs]
    mistakes = (
        ([_weight(s, n, after=0) for s, n in pairs], HINT_WEIGHT_OFF_BY_ONE),
        ([_weight(s, n, total=-1) for s, n in pairs], HINT_WEIGHT_N_MINUS_ONE),
        ([0.5 ** (n - 1) for s, n in pairs], HINT_WEIGHT_BANZHAF),
        (
            [math.factorial(s) * math.factorial(n - s - 1) // math.factorial(n) for s, n in pairs],
            HINT_WEIGHT_INTEGER_DIVISION,
        ),
        ([_weight(s, n, before=1) for s, n in pairs], HINT_WEIGHT_COUNTS_I),
        ([1 / (n * math.comb(n, s)) for s, n in pairs], HINT_WEIGHT_COMB_N),
    )
    with case("shapley_weight(0, 1) ... shapley_weight(5, 6)", label="checked every size for n_players = 1 .. 6"):
        expect_close(
            np.array(received),
            expected,
            name="shapley_weight(size, n_players)",
            mistakes=mistakes,
            hint=HINT_WEIGHT_GENERAL,
            entry=lambda index: f"shapley_weight{pairs[index[0]]}",
        )
    return (
        "correct — for n = 3 the weights of |S| = 0, 1, 2 are 1/3, 1/6, 1/3, and over all coalitions without i "
        "they sum to 1."
    )


# ---------------------------------------------------------------- Exercise 2: a 3-player game

HINT_GAME_BANZHAF = (
    "you averaged the marginal contributions with equal weights (the Banzhaf value). Weigh each coalition S by "
    "|S|!(n−|S|−1)!/n! — for n = 3: 1/3 for |S| = 0 and 2, 1/6 for |S| = 1."
)
HINT_GAME_N_TIMES = "your values are n times too large: the weight divides by n! (or equivalently by n · C(n−1, |S|))."
HINT_GAME_OFF_BY_ONE = "the weight is |S|!(n−|S|−1)!/n!; you used (n−|S|)! — the −1 is player i itself."
HINT_GAME_SIGN = (
    "the marginal contribution is v(S ∪ {i}) − v(S): what i adds when joining S (you have the opposite sign)."
)
HINT_GAME_NO_MINUS = "the marginal contribution is v(S ∪ {i}) − v(S): subtract what S was worth without i."
HINT_GAME_ONLY_FIRST = (
    "v({i}) − v(∅) is only i's contribution when it comes first; average over ALL coalitions S of the other players."
)
HINT_GAME_ONLY_LAST = (
    "v(N) − v(N∖{i}) is only i's contribution when it comes last; average over ALL coalitions S of the other players."
)
HINT_GAME_EFFICIENCY = (
    "Shapley values must add up to v(N) − v(∅) (efficiency); loop over every coalition S without i, including "
    "the empty one."
)
HINT_GAME_COALITION = (
    "call value_fn with a frozenset of player indices 0 .. n_players − 1, e.g. value_fn(S | {i}) with S = "
    "frozenset(members) — "
    "not with a 0/1 mask, numbers counted from 1, or a single int."
)


def _validated(worth: Callable[[frozenset], float], n: int) -> Callable[[frozenset], float]:
    """A value function that says clearly when it is called with something that is not a coalition of 0..n-1."""

    def value_fn(coalition) -> float:
        problem = (
            f"value_fn takes a frozenset of player indices 0..{n - 1}, e.g. frozenset({{0, 2}}); got {coalition!r}."
        )
        try:
            members = list(coalition)
        except TypeError:
            raise TypeError(problem) from None
        ok = all(
            isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)) and 0 <= i < n for i in members
        )
        if not ok or len(set(members)) != len(members):
            raise ValueError(problem)
        return worth(frozenset(int(i) for i in members))

    return value_fn


def _table_game(values) -> Callable[[frozenset], float]:
    """A 3-player game from the values of its 8 coalitions, in all_coalitions order (bit j = player j)."""
    table = dict(zip(range(8), map(float, values)))
    return lambda coalition: table[sum(1 << i for i in coalition)]


def _games() -> dict[str, Callable[[frozenset], float]]:
    """Fresh games for every call: nothing a learner's code does to one can reach the next."""
    return {
        "the glove game (player 0 has a left glove, players 1 and 2 a right one)": _validated(shapley.glove_game, 3),
        "a game with values v(∅)=1, v({0})=2, v({1})=3, v({2})=4, v({0,1})=5, v({0,2})=7, v({1,2})=8, "
            "v({0,1,2})=12": _validated(
            _table_game([1, 2, 3, 5, 4, 7, 8, 12]), 3
        ),
        "the max game with scores (3, 6, 9)": _validated(shapley.max_game([3.0, 6.0, 9.0]), 3),
    }


def _variants(v, n):
    """The Shapley values of game v and what the common slips compute: (value, hint) pairs."""
    others = lambda i: [j for j in range(n) if j != i]  # noqa: E731
    subsets = lambda i: [frozenset(c) for r in range(n) for c in itertools.combinations(others(i), r)]  # noqa: E731
    gain = lambda i, S: v(S | {i}) - v(S)  # noqa: E731

    def weighted(weight, contribution=gain):
        return np.array([sum(weight(len(S)) * contribution(i, S) for S in subsets(i)) for i in range(n)])

    shap = weighted(lambda s: _weight(s, n))
    everyone = frozenset(range(n))
    return shap, (
        (weighted(lambda s: 0.5 ** (n - 1)), HINT_GAME_BANZHAF),
        (n * shap, HINT_GAME_N_TIMES),
        (weighted(lambda s: _weight(s, n, after=0)), HINT_GAME_OFF_BY_ONE),
        (-shap, HINT_GAME_SIGN),
        (weighted(lambda s: _weight(s, n), lambda i, S: v(S | {i})), HINT_GAME_NO_MINUS),
        (np.array([gain(i, frozenset()) for i in range(n)]), HINT_GAME_ONLY_FIRST),
        (np.array([v(everyone) - v(everyone - {i}) for i in range(n)]), HINT_GAME_ONLY_LAST),
    )


@exercise("Exercise 2 — exact Shapley values of a 3-player game")
def shapley_by_enumeration(fn) -> CheckResult:
    """Check ``fn(value_fn, 3)`` on three 3-player games against their exact Shapley values."""
    crash_hints = (
        (TypeError, "value_fn takes a frozenset", HINT_GAME_COALITION),
        (ValueError, "value_fn takes a frozenset", HINT_GAME_COALITION),
    )
    ours, theirs = _games(), _games()  # the check computes with one set, the learner gets the other
    cases = []
    for (description, game), learners_game in zip(ours.items(), theirs.values()):
        expected, mistakes = _variants(game, 3)
        with case(description, label="game"):
            received = call(fn, learners_game, 3, name="shapley_by_enumeration", crash_hints=crash_hints)
        cases.append((description, received, expected, mistakes))
    expect_close_on_each(cases, label="game", name="your Shapley values", plural=True, hint=HINT_GAME_EFFICIENCY)
    return "correct — the glove owner with the scarce left glove gets 2/3, each right glove 1/6."


# ---------------------------------------------------------------- Exercise 3: the KernelSHAP regression

HINT_KR_UNWEIGHTED = "every row counts with its weight: minimize Σ w_k (…)², i.e. solve with Zᵀ W Z, not Zᵀ Z."
HINT_KR_NO_CONSTRAINT = (
    "the fit must satisfy Σφ = output − base_value exactly (the efficiency constraint): give the linear system one "
    "more unknown, the Lagrange multiplier λ, with its row and column (the KKT system), or eliminate one φ with it."
)
HINT_KR_PENALTY = (
    "the constraint looks added as one more (heavily) weighted row of the regression: then Σφ = output − base_value "
    "holds only approximately (and a huge weight makes the system ill-conditioned). Enforce it exactly: add the "
    "Lagrange multiplier λ as an extra unknown — the (d + 1) × (d + 1) KKT system above."
)
HINT_KR_BASE_IN_VALUES = (
    "the model is base_value + z·φ: regress values − base_value on the coalitions, not the raw values."
)
HINT_KR_BASE_IN_CONSTRAINT = (
    "the φ share what the features add to the base value: they sum to output − base_value, not to output."
)
HINT_KR_SQUARED_WEIGHTS = (
    "scaling the rows by w squares the weights; scale rows by √w (or use Zᵀ W Z with W = diag(w))."
)
HINT_KR_MULTIPLIER = "you returned the Lagrange multiplier too: return only the first d entries (one φ per feature)."
HINT_KR_SHIFTED = "φ is the FIRST d entries of the solution, solution[:d]; the last one is the multiplier λ."
HINT_KR_GENERAL = (
    "solve [[Zᵀ W Z, 1], [1ᵀ, 0]] [φ; λ] = [Zᵀ W (values − base_value); output − base_value] and return φ."
)
CONSTRAINT_TOLERANCE = 1e-9  # |Σφ − (output − base_value)|, relative: a linear solve meets it with room to spare


def _kkt(Z, w, v, total):
    """[φ; λ] of the WLS of v on Z with weights w under Σφ = total (the KKT system)."""
    d = Z.shape[1]
    system = np.zeros((d + 1, d + 1))
    system[:d, :d] = Z.T @ (w[:, None] * Z)
    system[:d, d] = system[d, :d] = 1.0
    return np.linalg.solve(system, np.concatenate([Z.T @ (w * v), [total]]))


def _kernel_problems():
    """(Z, weights, values, base_value, output): all coalitions with the Shapley kernel, and two sampled sets."""
    rng = np.random.default_rng(7)
    problems = {}
    game = rng.normal(size=2**4) * 2.0  # an asymmetric, non-additive game of 4 players
    Z = shapley.all_coalitions(4)[1:-1]
    problems["all 14 coalitions of 4 features, Shapley-kernel weights"] = (
        Z,
        shapley.shapley_kernel_weight(Z.sum(axis=1), 4),
        game[1:-1],
        game[0],
        game[-1],
    )
    for d, m, seed in ((4, 10, 3), (5, 12, 5)):
        game = rng.normal(size=2**d) * 2.0
        sampled = shapley.sample_coalitions(d, m, seed=seed)
        codes = sampled @ (1 << np.arange(d))
        problems[f"{m} sampled coalitions of {d} features, random weights"] = (
            sampled,
            rng.uniform(0.5, 2.0, size=m),
            game[codes],
            game[0],
            game[-1],
        )
    return problems


def _is_penalty_solution(Z, w, v, total, phi) -> bool:
    """Does phi minimize Σ w (z·φ − v)² + M (Σφ − total)² for some M > 0 (the constraint as a weighted row)?

    Its normal equations say Zᵀ W (v − Z φ) = M (Σφ − total) · 1: every entry of the left side is
    the same positive multiple of the constraint's gap.
    """
    gap = phi.sum() - total
    if abs(gap) <= CONSTRAINT_TOLERANCE * max(1.0, abs(total)):
        return False
    g = Z.T @ (w * (v - Z @ phi))  # (d,)
    scale = np.abs(Z.T @ (w * v)).max() + np.abs(Z.T @ (w[:, None] * Z)).max() * np.abs(phi).max()
    return bool(np.ptp(g) <= 1e-6 * scale and abs(g.mean()) > 1e-9 * scale and g.mean() / gap > 0)


def _kr_mistakes(Z, w, v, base, output, full) -> tuple[tuple[np.ndarray, str], ...]:
    d, total = Z.shape[1], output - base
    lstsq = lambda A, b: np.linalg.lstsq(A, b, rcond=None)[0]  # noqa: E731
    root = np.sqrt(w)[:, None]
    return (
        (_kkt(Z, np.ones_like(w), v - base, total)[:d], HINT_KR_UNWEIGHTED),
        (lstsq(Z * root, (v - base) * root[:, 0]), HINT_KR_NO_CONSTRAINT),
        (lstsq(np.c_[np.ones(len(Z)), Z] * root, v * root[:, 0])[1:], HINT_KR_NO_CONSTRAINT),
        (_kkt(Z, w, v, total)[:d], HINT_KR_BASE_IN_VALUES),
        (_kkt(Z, w, v - base, output)[:d], HINT_KR_BASE_IN_CONSTRAINT),
        (_kkt(Z, w**2, v - base, total)[:d], HINT_KR_SQUARED_WEIGHTS),
        (full[1:], HINT_KR_SHIFTED),
    )


def _constraint_missed(phi: np.ndarray, total: float) -> Wrong:
    return Wrong(
        "your φ does not meet the constraint Σφ = output − base_value exactly.",
        f"Σφ − (output − base_value) = {float(phi.sum()) - total:.3g}",
        hint=HINT_KR_PENALTY,
    )


@exercise("Exercise 3 — the KernelSHAP regression")
def kernel_regression(fn) -> CheckResult:
    """Check ``fn(coalitions, weights, values, base_value, output)`` solves the constrained WLS, on three problems."""
    cases, totals = [], []
    for description, (Z, w, v, base, output) in _kernel_problems().items():
        Zf, d = Z.astype(float), Z.shape[1]
        full = _kkt(Zf, w, v - base, output - base)
        total = output - base
        with case(description, label="problem"):
            phi = as_array(
                call(fn, Z, w, v, float(base), float(output), name="kernel_regression"), "your φ", dtype=None
            )
            if phi.shape == (d + 1,):
                raise Wrong(
                    f"your φ has {d + 1} entries, one per feature plus one.",
                    f"received: {show(phi)}",
                    hint=HINT_KR_MULTIPLIER,
                )
            if phi.shape == (d,) and _is_penalty_solution(Zf, w, v - base, total, phi.astype(float)):
                raise _constraint_missed(phi, total)
        cases.append((description, phi, full[:d], _kr_mistakes(Zf, w, v, base, output, full)))
        totals.append(total)
    expect_close_on_each(cases, label="problem", name="your φ", hint=HINT_KR_GENERAL)
    for (description, phi, _, _), total in zip(cases, totals):
        if abs(float(phi.sum()) - total) > CONSTRAINT_TOLERANCE * max(1.0, abs(total)):  # close, yet not exact
            with case(description, label="problem"):
                raise _constraint_missed(phi, total)
    return (
        "correct — with every coalition and the Shapley kernel, the weighted regression returns exactly the "
        "Shapley values."
    )
