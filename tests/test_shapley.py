"""course_utils.shapley against independent references: hand-computed games, the average over all
orderings, the four axioms, the linear closed form, a KKT solve, and shap's ExactExplainer."""

import itertools
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from course_utils import shapley
from course_utils.shapley import exact_shapley, kernel_shap, shapley_values


def by_orderings(value_fn, n):
    """Independent reference: the average marginal contribution over all n! orderings of the players."""
    phi = np.zeros(n)
    orderings = list(itertools.permutations(range(n)))
    for order in orderings:
        before = set()
        for player in order:
            phi[player] += value_fn(frozenset(before | {player})) - value_fn(frozenset(before))
            before.add(player)
    return phi / len(orderings)


def random_game(n, seed):
    table = dict(zip(range(2**n), np.random.default_rng(seed).normal(size=2**n)))
    return lambda S: table[sum(1 << i for i in S)]


# ---------------------------------------------------------------- games, by hand


def test_toy_games_by_hand():
    assert np.allclose(shapley_values(shapley.glove_game, 3), [2 / 3, 1 / 6, 1 / 6])
    assert np.allclose(shapley_values(shapley.sickness_game, 2), [1.0, 1.0])
    # a 3-player game worked out on paper: phi_A = 1/3*1 + 1/6*2 + 1/6*3 + 1/3*3 = 13/6, ...
    table = {(): 0, (0,): 1, (1,): 2, (2,): 3, (0, 1): 4, (0, 2): 6, (1, 2): 7, (0, 1, 2): 10}
    assert np.allclose(shapley_values(lambda S: table[tuple(sorted(S))], 3), [13 / 6, 19 / 6, 14 / 3])


@pytest.mark.parametrize("scores", [[3.0, 6.0, 9.0], [5.0, 1.0, 2.5]])
def test_max_game_matches_the_sequential_sharing_formula(scores):
    a, b, c = sorted(scores)
    by_rank = [a / 3, a / 3 + (b - a) / 2, a / 3 + (b - a) / 2 + (c - b)]
    expected = np.array(by_rank)[np.argsort(np.argsort(scores))]
    assert np.allclose(shapley_values(shapley.max_game(scores), 3), expected)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_enumeration_equals_the_average_over_orderings(n):
    game = random_game(n, seed=n)
    assert np.allclose(shapley_values(game, n), by_orderings(game, n), atol=1e-12)


def test_shapley_weight_is_the_factorial_formula_and_sums_to_one():
    for n in range(1, 9):
        for s in range(n):
            assert shapley.shapley_weight(s, n) == pytest.approx(
                math.factorial(s) * math.factorial(n - s - 1) / math.factorial(n)
            )
        sizes = np.arange(n)
        assert sum(math.comb(n - 1, s) * w for s, w in zip(sizes, shapley.shapley_weight(sizes, n))) == pytest.approx(
            1.0
        )


def test_all_coalitions_order_is_the_binary_code():
    masks = shapley.all_coalitions(3)
    assert masks.shape == (8, 3) and not masks[0].any() and masks[-1].all()
    assert [int(sum(1 << j for j in np.flatnonzero(row))) for row in masks] == list(range(8))


# ---------------------------------------------------------------- the four axioms on random games


@pytest.mark.parametrize("seed", range(5))
def test_axioms_on_random_games(seed):
    n = 4
    rng = np.random.default_rng(seed)
    v, w = random_game(n, seed), random_game(n, seed + 100)
    phi_v, phi_w = shapley_values(v, n), shapley_values(w, n)
    everyone = frozenset(range(n))
    # efficiency: the values share v(N) - v(∅)
    assert phi_v.sum() == pytest.approx(v(everyone) - v(frozenset()))
    # linearity / additivity: the value of a v + b w is a phi(v) + b phi(w)
    a, b = rng.normal(size=2)
    assert np.allclose(shapley_values(lambda S: a * v(S) + b * w(S), n), a * phi_v + b * phi_w)
    # symmetry: make players 1 and 2 interchangeable; they get the same value
    swap = {0: 0, 1: 2, 2: 1, 3: 3}
    symmetric = lambda S: v(S) + v(frozenset(swap[i] for i in S))  # noqa: E731
    phi_s = shapley_values(symmetric, n)
    assert phi_s[1] == pytest.approx(phi_s[2])
    # dummy: player 3 adds exactly c to every coalition -> value c (null player when c = 0)
    c = rng.normal()
    with_dummy = lambda S: v(frozenset(S) - {3}) + (c if 3 in S else 0.0)  # noqa: E731
    phi_d = shapley_values(with_dummy, n)
    assert phi_d[3] == pytest.approx(c)
    assert shapley_values(lambda S: v(frozenset(S) - {3}), n)[3] == pytest.approx(0.0, abs=1e-12)


# ---------------------------------------------------------------- exact_shapley


def nonlinear_model(seed=0, d=5, k=None):
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(d, 6))
    V = rng.normal(size=(6, k or 1))

    def f(X):
        out = np.tanh(X @ W) @ V + 0.5 * X[:, :1] * X[:, 1:2]  # (n, k): an interaction on top
        return out[:, 0] if k is None else out

    return f, rng.normal(size=(4, d)), rng.normal(size=(12, d))


@pytest.fixture(scope="module")
def shap_exact():
    """shap's ExactExplainer on the same model and background (computed once: shap compiles with numba)."""
    shap = pytest.importorskip("shap")
    f, x, background = nonlinear_model()
    explainer = shap.explainers.Exact(f, shap.maskers.Independent(background, max_samples=len(background)))
    return f, x, background, explainer(x, silent=True)


def test_exact_shapley_equals_shap_exact_explainer(shap_exact):
    f, x, background, reference = shap_exact
    ours = exact_shapley(f, x, background)
    assert np.abs(ours.values - reference.values).max() < 1e-8
    assert np.allclose(ours.base_values, reference.base_values, atol=1e-12)
    assert np.allclose(ours.outputs, f(x)) and np.allclose(ours.base_values, f(background).mean())
    assert np.abs(ours.completeness_gap()).max() < 1e-10


def test_exact_shapley_equals_the_average_over_orderings_for_one_example():
    f, x, background = nonlinear_model(seed=3, d=4)
    game = lambda S: np.mean(f(np.where(np.isin(np.arange(4), list(S)), x[0], background)))  # noqa: E731
    assert np.allclose(exact_shapley(f, x[:1], background).values[0], by_orderings(game, 4), atol=1e-12)


def test_exact_shapley_of_a_linear_model_is_the_closed_form():
    rng = np.random.default_rng(1)
    w, b = rng.normal(size=7), 0.3
    x, background = rng.normal(size=(5, 7)), rng.normal(size=(30, 7))
    result = exact_shapley(lambda X: X @ w + b, x, background)
    assert np.allclose(result.values, w * (x - background.mean(axis=0)), atol=1e-12)


def test_multi_output_target_semantics():
    f, x, background = nonlinear_model(seed=2, d=4, k=3)
    scores = f(x)
    predicted = exact_shapley(f, x, background)
    assert predicted.target.tolist() == scores.argmax(axis=1).tolist()
    for c in range(3):
        one = exact_shapley(lambda X: f(X)[:, c], x, background)  # noqa: B023
        chosen = exact_shapley(f, x, background, target=c)
        assert np.allclose(chosen.values, one.values) and np.allclose(chosen.base_values, f(background)[:, c].mean())
    per_example = np.array([0, 2, 1, 0])
    mixed = exact_shapley(f, x, background, target=per_example)
    for i, c in enumerate(per_example):
        assert np.allclose(mixed.values[i], exact_shapley(f, x[i : i + 1], background, target=int(c)).values[0])


def test_batch_and_one_at_a_time_agree_and_chunking_changes_nothing():
    f, x, background = nonlinear_model(seed=4)
    whole = exact_shapley(f, x, background)
    for i in range(len(x)):
        assert np.allclose(exact_shapley(f, x[i : i + 1], background).values[0], whole.values[i], atol=1e-12)
    assert np.allclose(exact_shapley(f, x, background, batch_size=7).values, whole.values, atol=1e-12)


def test_exact_shapley_calls_the_model_in_few_large_batches():
    f, x, background = nonlinear_model(seed=5, d=6)
    sizes = []
    exact_shapley(lambda X: sizes.append(len(X)) or f(X), x, background, batch_size=10_000)
    rows = len(x) * 2**6 * len(background)  # every (example, coalition, background row)
    assert sum(sizes) == rows + len(x) + len(background)  # plus f(x) and f(background)
    assert len(sizes) == 2 + math.ceil(rows / (10_000 // len(background) * len(background)))
    assert max(sizes) <= 10_000


def test_feature_names_come_from_dataframes():
    f, x, background = nonlinear_model(seed=6, d=3)
    names = ["a", "b", "c"]
    result = exact_shapley(f, pd.DataFrame(x, columns=names), pd.DataFrame(background, columns=names))
    assert result.feature_names == names and result.method.startswith("exact Shapley")


def test_coalition_values_are_the_interventional_value_function():
    f, x, background = nonlinear_model(seed=7, d=3)
    masks = shapley.all_coalitions(3)
    values = shapley.coalition_values(f, x, background, masks)
    for k, mask in enumerate(masks):
        for i in range(len(x)):
            assert values[i, k] == pytest.approx(f(np.where(mask, x[i], background)).mean())
    assert np.allclose(values[:, 0], f(background).mean()) and np.allclose(values[:, -1], f(x))


# ---------------------------------------------------------------- KernelSHAP


def kkt_solution(Z, w, v, base, output):
    """Independent reference: the constrained WLS via its KKT system, solved with np.linalg.solve."""
    d = Z.shape[1]
    kkt = np.zeros((d + 1, d + 1))
    kkt[:d, :d] = Z.T @ (w[:, None] * Z)
    kkt[:d, d] = kkt[d, :d] = 1.0
    rhs = np.concatenate([Z.T @ (w * (v - base)), [output - base]])
    return np.linalg.solve(kkt, rhs)[:d]


def test_solve_kernel_regression_equals_the_kkt_solution():
    rng = np.random.default_rng(0)
    Z = rng.random((40, 5)) < 0.5
    w, v = rng.random(40) + 0.1, rng.normal(size=40)
    phi = shapley.solve_kernel_regression(Z, w, v, 0.3, 2.0)
    assert np.allclose(phi, kkt_solution(Z.astype(float), w, v, 0.3, 2.0), atol=1e-10)
    assert phi.sum() == pytest.approx(2.0 - 0.3)
    many = shapley.solve_kernel_regression(Z, w, np.stack([v, 2 * v]), [0.3, 0.6], [2.0, 4.0])
    assert np.allclose(many, [phi, 2 * phi])


def test_shapley_kernel_weights_by_formula():
    for m in range(2, 8):
        for s in range(1, m):
            assert shapley.shapley_kernel_weight(s, m) == pytest.approx((m - 1) / (math.comb(m, s) * s * (m - s)))


def test_kernel_shap_enumerating_equals_exact_shapley():
    f, x, background = nonlinear_model(seed=8, d=6)
    exact = exact_shapley(f, x, background)
    for n_samples in (None, 2**6 - 2, 500):
        kernel = kernel_shap(f, x, background, n_samples=n_samples)
        assert kernel.extras["enumerated"] and kernel.extras["n_coalitions"] == 62
        assert np.abs(kernel.values - exact.values).max() < 1e-8
        assert np.allclose(kernel.base_values, exact.base_values) and np.allclose(kernel.outputs, exact.outputs)


def test_kernel_shap_error_decreases_with_the_sample_budget():
    f, x, background = nonlinear_model(seed=9, d=8)
    exact = exact_shapley(f, x, background).values
    errors = [
        np.mean([np.abs(kernel_shap(f, x, background, n_samples=n, seed=s).values - exact).mean() for s in range(8)])
        for n in (16, 48, 160)
    ]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.5 * errors[0]


def test_kernel_shap_is_efficient_and_reproducible_when_sampling():
    f, x, background = nonlinear_model(seed=10, d=8)
    a = kernel_shap(f, x, background, n_samples=40, seed=3)
    assert not a.extras["enumerated"] and a.extras["n_coalitions"] == 40
    assert np.abs(a.completeness_gap()).max() < 1e-10
    assert np.array_equal(a.values, kernel_shap(f, x, background, n_samples=40, seed=3).values)
    assert not np.allclose(a.values, kernel_shap(f, x, background, n_samples=40, seed=4).values)
    for i in range(len(x)):  # the same coalitions serve every example, so one at a time agrees
        assert np.allclose(
            kernel_shap(f, x[i : i + 1], background, n_samples=40, seed=3).values[0], a.values[i], atol=1e-12
        )


def test_kernel_shap_of_a_linear_model_is_exact_even_when_sampling():
    rng = np.random.default_rng(2)
    w = rng.normal(size=10)
    x, background = rng.normal(size=(3, 10)), rng.normal(size=(20, 10))
    result = kernel_shap(lambda X: X @ w, x, background, n_samples=64)
    assert np.allclose(result.values, w * (x - background.mean(axis=0)), atol=1e-10)


def test_sampled_coalitions_follow_the_kernel_and_come_in_pairs():
    d = 6
    masks = shapley.sample_coalitions(d, 20_000, seed=0)
    assert masks.shape == (20_000, d) and masks.dtype == bool
    sizes = masks.sum(axis=1)
    assert sizes.min() >= 1 and sizes.max() <= d - 1
    assert np.array_equal(masks[1::2], ~masks[0::2])
    per_size = np.array([math.comb(d, s) * shapley.shapley_kernel_weight(s, d) for s in range(1, d)])
    observed = np.bincount(sizes, minlength=d)[1:] / len(sizes)
    assert np.allclose(observed, per_size / per_size.sum(), atol=0.01)
    size_two = masks[sizes == 2]  # within a size, every feature equally often
    assert np.allclose(size_two.mean(axis=0), 2 / d, atol=0.02)


def test_one_and_two_features():
    f = lambda X: X[:, 0] ** 2 + (X[:, 1] if X.shape[1] > 1 else 0.0)  # noqa: E731
    x, background = np.array([[2.0, 1.0]]), np.array([[0.0, 0.0], [1.0, 3.0]])
    expected = np.array([[4.0 - 0.5, 1.0 - 1.5]])
    assert np.allclose(exact_shapley(f, x, background).values, expected)
    assert np.allclose(kernel_shap(f, x, background, n_samples=2).values, expected)
    assert np.allclose(kernel_shap(f, x[:, :1], background[:, :1]).values, [[3.5]])


# ---------------------------------------------------------------- errors a learner can act on


def test_errors_say_how_to_fix_the_call():
    f, x, background = nonlinear_model(seed=11, d=3)
    with pytest.raises(ValueError, match=r"Pass x\[None\] for one example"):
        exact_shapley(f, x[0], background)
    with pytest.raises(ValueError, match=r"expected a batch of shape \(n, 3\); got \(12, 2\)"):
        exact_shapley(f, x, background[:, :2])
    with pytest.raises(ValueError, match=r"Pass background\[None\] for one example"):
        kernel_shap(f, x, background[0])
    with pytest.raises(ValueError, match=r"tabular inputs of shape \(n, n_features\); got \(2, 4, 4\).*superpixels"):
        exact_shapley(lambda X: X.sum(axis=(1, 2)), np.zeros((2, 4, 4)), np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match=r"leave target=None"):
        exact_shapley(f, x, background, target=2)
    with pytest.raises(ValueError, match=r"predict_fn returned shape \(\) for 4 examples"):
        exact_shapley(lambda X: np.float64(X.sum()), x, background)
    with pytest.raises(ValueError, match=r"batch_size is the number of rows per call"):
        exact_shapley(f, x, background, batch_size=0)
    with pytest.raises(
        ValueError,
        match=r"n_samples is the number of coalitions to evaluate \(at least one per feature\), an int >= 3; got 2",
    ):
        kernel_shap(f, x, background, n_samples=2)
    with pytest.raises(ValueError, match=r"coalitions must be a boolean array of shape \(m, 3\)"):
        shapley.coalition_values(f, x, background, np.ones((2, 3)))


def test_too_many_features_point_to_kernel_shap():
    wide_x, wide_background = np.zeros((1, 30)), np.zeros((2, 30))
    with pytest.raises(
        ValueError, match=r"2\*\*30, too many .* Use kernel_shap\(predict_fn, x, background, n_samples=2048\)"
    ):
        exact_shapley(lambda X: X.sum(axis=1), wide_x, wide_background)
    with pytest.raises(ValueError, match=r"too many to enumerate; pass n_samples"):
        kernel_shap(lambda X: X.sum(axis=1), wide_x, wide_background)
    result = kernel_shap(lambda X: X.sum(axis=1), np.ones((1, 30)), wide_background, n_samples=64)
    assert np.allclose(result.values, 1.0)


def test_game_errors():
    with pytest.raises(
        ValueError, match=r"value_fn must return a number for every coalition; it returned None for \{\}"
    ):
        shapley_values(lambda S: None, 2)
    with pytest.raises(TypeError, match=r"value_fn must be a function of a coalition"):
        shapley_values({0: 1.0}, 2)
    with pytest.raises(ValueError, match=r"n_players should be a positive integer; got 0"):
        shapley_values(shapley.glove_game, 0)
    with pytest.raises(ValueError, match=r"exact enumeration handles at most 20 players"):
        shapley.all_coalitions(25)
    with pytest.raises(ValueError, match=r"size is \|S\|, the number of OTHER players .* from 0 to 2; got 3"):
        shapley.shapley_weight(3, 3)
    with pytest.raises(ValueError, match=r"the Shapley kernel is finite for coalition sizes 1 \.\. 3; got 0"):
        shapley.shapley_kernel_weight(0, 4)
    with pytest.raises(ValueError, match=r"one number per coalition, 2\*\*n of them"):
        shapley.shapley_from_coalition_values(np.zeros(6))
    with pytest.raises(ValueError, match=r"n_samples is the number of coalitions to draw, an int >= 1; got 0"):
        shapley.sample_coalitions(4, 0)
    with pytest.raises(ValueError, match=r"with one feature there is no coalition"):
        shapley.sample_coalitions(1, 4)
    with pytest.raises(ValueError, match=r"must agree on m"):
        shapley.solve_kernel_regression(np.ones((3, 2)), np.ones(2), np.ones(3), 0.0, 1.0)


def test_module_imports_neither_tensorflow_nor_shap():
    code = "import sys, course_utils.shapley; print(any(m in sys.modules for m in ('tensorflow', 'keras', 'shap')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
