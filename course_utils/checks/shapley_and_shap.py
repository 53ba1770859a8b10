"""Checks for notebook 07_shapley_and_shap: the Shapley weight, Shapley values of a 3-player game,
and the KernelSHAP regression."""

from __future__ import annotations

import itertools
import math

import numpy as np

from course_utils import shapley
from course_utils.checks import CheckResult, Wrong, call, exercise, expect_close

__all__ = ["shapley_weight", "shapley_by_enumeration", "kernel_regression"]

# ---------------------------------------------------------------- Exercise 1: the Shapley weight

HINT_WEIGHT_OFF_BY_ONE = (
    "the players after i number n − |S| − 1, not n − |S|: player i itself is neither in S nor after it. "
    "Use factorial(n_players - size - 1)."
)
HINT_WEIGHT_N_MINUS_ONE = "divide by n! (all orderings of the n players), not by (n − 1)!: your weights are n times too large."
HINT_WEIGHT_BANZHAF = (
    "1/2^(n−1) gives every coalition the same weight (that is the Banzhaf value). Shapley weighs a coalition by "
    "the chance that exactly its members come before i in a random ordering: |S|!(n−|S|−1)!/n!."
)
HINT_WEIGHT_INTEGER_DIVISION = "`//` is integer division and rounds the weight down to 0; use `/`."
HINT_WEIGHT_COUNTS_I = (
    "|S| counts the players already there BEFORE i arrives, not including i: use factorial(size), not factorial(size + 1)."
)
HINT_WEIGHT_GENERAL = "the weight is factorial(size) * factorial(n_players - size - 1) / factorial(n_players)."


def _weight(s: int, n: int, *, before: int = 0, after: int = -1, total: int = 0) -> float:
    """(s + before)! (n - s + after)! / (n + total)!: the Shapley weight and its common slips."""
    return math.factorial(s + before) * math.factorial(n - s + after) / math.factorial(n + total)


@exercise("Exercise 1 — the Shapley weight")
def shapley_weight(fn) -> CheckResult:
    """Check ``fn(size, n_players)`` returns ``size! (n - size - 1)! / n!`` for all sizes 0..n-1, n = 1..6."""
    pairs = [(s, n) for n in range(1, 7) for s in range(n)]
    received = []
    for s, n in pairs:
        value = call(fn, s, n, name=f"shapley_weight({s}, {n})")
        received.append(value)
    expected = [_weight(s, n) for s, n in pairs]
    mistakes = (
        ([_weight(s, n, after=0) for s, n in pairs], HINT_WEIGHT_OFF_BY_ONE),
        ([_weight(s, n, total=-1) for s, n in pairs], HINT_WEIGHT_N_MINUS_ONE),
        ([0.5 ** (n - 1) for s, n in pairs], HINT_WEIGHT_BANZHAF),
        ([math.factorial(s) * math.factorial(n - s - 1) // math.factorial(n) for s, n in pairs], HINT_WEIGHT_INTEGER_DIVISION),
        ([_weight(s, n, before=1) for s, n in pairs], HINT_WEIGHT_COUNTS_I),
    )
    try:
        expect_close(received, expected, name="shapley_weight(size, n_players)", mistakes=mistakes, hint=HINT_WEIGHT_GENERAL)
    except Wrong as wrong:
        raise wrong.with_detail(f"(size, n_players) pairs checked: {pairs[:4]} ... {pairs[-1]}", first=True)
    return "correct — for n = 3 the weights of |S| = 0, 1, 2 are 1/3, 1/6, 1/3, and over all coalitions without i they sum to 1."


# ---------------------------------------------------------------- Exercise 2: a 3-player game

HINT_GAME_BANZHAF = (
    "you averaged the marginal contributions with equal weights (the Banzhaf value). Weigh each coalition S by "
    "|S|!(n−|S|−1)!/n! — for n = 3: 1/3 for |S| = 0 and 2, 1/6 for |S| = 1."
)
HINT_GAME_N_TIMES = "your values are n times too large: the weight divides by n! (or equivalently by n · C(n−1, |S|))."
HINT_GAME_OFF_BY_ONE = "the weight is |S|!(n−|S|−1)!/n!; you used (n−|S|)! — the −1 is player i itself."
HINT_GAME_SIGN = "the marginal contribution is v(S ∪ {i}) − v(S): what i adds when joining S (you have the opposite sign)."
HINT_GAME_ONLY_FIRST = "v({i}) − v(∅) is only i's contribution when it comes first; average over ALL coalitions S of the other players."
HINT_GAME_ONLY_LAST = "v(N) − v(N∖{i}) is only i's contribution when it comes last; average over ALL coalitions S of the other players."
HINT_GAME_EFFICIENCY = (
    "Shapley values must add up to v(N) − v(∅) (efficiency); loop over every coalition S without i, including the empty one."
)


def _table_game(values):
    """A 3-player game from the values of its 8 coalitions, in all_coalitions order (bit j = player j)."""
    table = dict(zip(range(8), map(float, values)))

    def v(coalition):
        return table[sum(1 << int(i) for i in set(coalition))]

    return v


def _variants(v, n):
    """What the common slips compute for game v: (value, hint) pairs."""
    others = lambda i: [j for j in range(n) if j != i]  # noqa: E731
    subsets = lambda i: [frozenset(c) for r in range(n) for c in itertools.combinations(others(i), r)]  # noqa: E731
    gain = lambda i, S: v(S | {i}) - v(S)  # noqa: E731

    def weighted(weight):
        return np.array([sum(weight(len(S)) * gain(i, S) for S in subsets(i)) for i in range(n)])

    shap = weighted(lambda s: _weight(s, n))
    everyone = frozenset(range(n))
    return shap, (
        (weighted(lambda s: 0.5 ** (n - 1)), HINT_GAME_BANZHAF),
        (n * shap, HINT_GAME_N_TIMES),
        (weighted(lambda s: _weight(s, n, after=0)), HINT_GAME_OFF_BY_ONE),
        (-shap, HINT_GAME_SIGN),
        (np.array([gain(i, frozenset()) for i in range(n)]), HINT_GAME_ONLY_FIRST),
        (np.array([v(everyone) - v(everyone - {i}) for i in range(n)]), HINT_GAME_ONLY_LAST),
    )


GAMES = {
    "the glove game (player 0 has a left glove, players 1 and 2 a right one)": shapley.glove_game,
    "a game with values v(∅)=0, v({0})=1, v({1})=2, v({2})=3, v({0,1})=4, v({0,2})=6, v({1,2})=7, v({0,1,2})=10": _table_game(
        [0, 1, 2, 4, 3, 6, 7, 10]
    ),
    "the max game with scores (3, 6, 9)": shapley.max_game([3.0, 6.0, 9.0]),
}


@exercise("Exercise 2 — exact Shapley values of a 3-player game")
def shapley_by_enumeration(fn) -> CheckResult:
    """Check ``fn(value_fn, 3)`` on three 3-player games against their exact Shapley values."""
    for description, game in GAMES.items():
        received = call(fn, game, 3, name="shapley_by_enumeration")
        expected, mistakes = _variants(game, 3)
        try:
            expect_close(received, expected, name="shapley_by_enumeration(value_fn, 3)", mistakes=mistakes, hint=HINT_GAME_EFFICIENCY)
        except Wrong as wrong:
            raise wrong.with_detail(f"game: {description}", first=True)
    return "correct — the glove owner with the scarce left glove gets 2/3, each right glove 1/6."


# ---------------------------------------------------------------- Exercise 3: the KernelSHAP regression

HINT_KR_UNWEIGHTED = "every row counts with its weight: minimize Σ w_k (…)², i.e. solve with Zᵀ W Z, not Zᵀ Z."
HINT_KR_NO_CONSTRAINT = (
    "the fit must satisfy Σφ = output − base_value exactly (the efficiency constraint): add it as an extra row and "
    "column of the linear system (a Lagrange multiplier) or eliminate one φ with it."
)
HINT_KR_BASE_IN_VALUES = "the model is base_value + z·φ: regress values − base_value on the coalitions, not the raw values."
HINT_KR_BASE_IN_CONSTRAINT = "the φ share what the features add to the base value: they sum to output − base_value, not to output."
HINT_KR_SQUARED_WEIGHTS = "scaling the rows by w squares the weights; scale rows by √w (or use Zᵀ W Z with W = diag(w))."
HINT_KR_MULTIPLIER = "you returned the Lagrange multiplier too: return only the first d entries (one φ per feature)."
HINT_KR_GENERAL = "solve [[Zᵀ W Z, 1], [1ᵀ, 0]] [φ; λ] = [Zᵀ W (values − base_value); output − base_value] and return φ."


def _kkt(Z, w, v, total):
    """[φ; λ] of the WLS of v on Z with weights w under Σφ = total (the KKT system)."""
    d = Z.shape[1]
    system = np.zeros((d + 1, d + 1))
    system[:d, :d] = Z.T @ (w[:, None] * Z)
    system[:d, d] = system[d, :d] = 1.0
    return np.linalg.solve(system, np.concatenate([Z.T @ (w * v), [total]]))


def _kernel_problems():
    rng = np.random.default_rng(7)
    d = 4
    game = rng.normal(size=2**d) * 2.0  # an asymmetric, non-additive game
    Z = shapley.all_coalitions(d)[1:-1]
    enumerated = (Z, shapley.shapley_kernel_weight(Z.sum(axis=1), d), game[1:-1], game[0], game[-1])
    sampled_Z = shapley.sample_coalitions(d, 10, seed=3)
    codes = sampled_Z @ (1 << np.arange(d))
    sampled = (sampled_Z, rng.uniform(0.5, 2.0, size=10), game[codes], game[0], game[-1])
    return {"all 14 coalitions of 4 features, Shapley-kernel weights": enumerated, "10 sampled coalitions, random weights": sampled}


@exercise("Exercise 3 — the KernelSHAP regression")
def kernel_regression(fn) -> CheckResult:
    """Check ``fn(coalitions, weights, values, base_value, output)`` solves the constrained WLS."""
    for description, (Z, w, v, base, output) in _kernel_problems().items():
        received = call(fn, Z.copy(), w.copy(), v.copy(), float(base), float(output), name="kernel_regression")
        Zf, d = Z.astype(float), Z.shape[1]
        expected = _kkt(Zf, w, v - base, output - base)[:d]
        lstsq = lambda A, b: np.linalg.lstsq(A, b, rcond=None)[0]  # noqa: E731
        root = np.sqrt(w)[:, None]
        mistakes = (
            (_kkt(Zf, np.ones_like(w), v - base, output - base)[:d], HINT_KR_UNWEIGHTED),
            (lstsq(Zf * root, (v - base) * root[:, 0]), HINT_KR_NO_CONSTRAINT),
            (lstsq(np.c_[np.ones(len(Zf)), Zf] * root, v * root[:, 0])[1:], HINT_KR_NO_CONSTRAINT),
            (_kkt(Zf, w, v, output - base)[:d], HINT_KR_BASE_IN_VALUES),
            (_kkt(Zf, w, v - base, output)[:d], HINT_KR_BASE_IN_CONSTRAINT),
            (_kkt(Zf, w**2, v - base, output - base)[:d], HINT_KR_SQUARED_WEIGHTS),
        )
        if np.shape(received) == (d + 1,):
            expect_close(received, _kkt(Zf, w, v - base, output - base), name="your φ", hint=HINT_KR_MULTIPLIER)
            raise Wrong("your φ has one entry per feature plus one.", f"problem: {description}", hint=HINT_KR_MULTIPLIER)
        try:
            expect_close(received, expected, name="your φ", mistakes=mistakes, hint=HINT_KR_GENERAL)
        except Wrong as wrong:
            raise wrong.with_detail(f"problem: {description}", first=True)
    return "correct — with every coalition and the Shapley kernel, the weighted regression returns exactly the Shapley values."
