"""course_utils.counterfactuals against closed forms: logistic models, a known nonlinear optimum, brute force."""

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import cdist
from scipy.stats import median_abs_deviation

from course_utils import counterfactuals as cf


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))


def logistic(w, b):
    return lambda X: sigmoid(np.asarray(X, dtype=float) @ w + b)


def logit(p):
    return np.log(p) - np.log1p(-p)


@pytest.fixture
def problem():
    """A logistic model whose cheapest feature (largest |w_j| * scale_j) is not the one with the largest |w_j|."""
    w = np.array([1.5, -0.8, 0.4, 2.0, -0.3, 0.9])
    scale = np.array([0.5, 2.0, 3.0, 0.2, 1.0, 1.5])  # |w| * scale = 0.75, 1.6, 1.2, 0.4, 0.3, 1.35
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 6))
    b = 1.5 - (x @ w).min()  # every example is above the threshold
    return w, b, scale, x


def closed_form_cost(w, b, scale, x, mutable, threshold=0.5):
    """The L1 optimum of one linear constraint: all change on the mutable feature with the largest |w_j| * scale_j."""
    gap = x @ w + b - logit(threshold)  # (n,) log-odds to remove
    return gap / np.max(np.abs(w[mutable]) * scale[mutable])


def test_on_a_logistic_model_the_cost_is_the_closed_form_optimum(problem):
    w, b, scale, x = problem
    f = logistic(w, b)
    result = cf.counterfactual(f, x, scale=scale, immutable=[1])
    mutable = np.array([0, 2, 3, 4, 5])
    best = closed_form_cost(w, b, scale, x, mutable)
    assert np.all(result.distance <= best * 1.03)  # at most a few percent more than the optimum ...
    assert np.all(result.distance >= best * (1 - 1e-6))  # ... and never less: nothing valid is cheaper
    expected_feature = mutable[np.argmax(np.abs(w[mutable]) * scale[mutable])]  # feature 5 (feature 1 is immutable)
    assert expected_feature == 5
    assert np.array_equal(result.changed, np.tile(np.arange(6) == expected_feature, (4, 1)))
    np.testing.assert_array_equal(result.valid, f(result.x_cf) < 0.5)
    assert result.valid.all()


def test_with_the_best_feature_capped_the_optimum_is_the_fractional_knapsack(problem):
    # minimizing sum |d_j| / s_j under w . d <= -gap and box bounds: fill features by decreasing |w_j| s_j
    w, b, scale, x = problem
    x = x[:1]
    f = logistic(w, b)
    gap = float(x[0] @ w + b)
    cap = 0.4 * gap / (abs(w[1]) * scale[1]) * scale[1]  # feature 1 can remove only 40% of the gap
    bounds = {1: (x[0, 1] - cap, x[0, 1] + cap)}
    result = cf.counterfactual(f, x, scale=scale, bounds=bounds)
    per_unit = np.abs(w) * scale  # log-odds removed per unit of cost
    order = np.argsort(-per_unit)
    remaining, expected = gap, 0.0
    for j in order:
        room = cap / scale[j] if j == 1 else np.inf
        used = min(room, remaining / per_unit[j])
        expected += used
        remaining -= used * per_unit[j]
        if remaining <= 0:
            break
    assert result.valid[0]
    assert expected * (1 - 1e-6) <= result.distance[0] <= expected * 1.03
    assert set(np.flatnonzero(result.changed[0])) == {1, 5}  # the capped feature to its bound, then the next best
    assert result.x_cf[0, 1] == pytest.approx(x[0, 1] + cap, abs=1e-4 * cap)  # at its bound, up to the threshold margin


def test_a_combination_beats_any_single_feature_when_returns_diminish():
    # approved when sqrt(x0) + sqrt(x1) >= 2; from (0.01, 0.01) one feature alone must reach 3.61 (cost 3.60),
    # while x0 = x1 = 1 costs 1.98: the optimum of min a² + b² subject to a + b = 2
    f = lambda X: sigmoid(5 * (np.sqrt(np.clip(X[:, 0], 0, None)) + np.sqrt(np.clip(X[:, 1], 0, None)) - 2) * -1)
    result = cf.counterfactual(f, np.array([[0.01, 0.01]]), scale=np.ones(2), bounds={0: (0, None), 1: (0, None)})
    assert result.valid[0]
    assert 1.98 * (1 - 1e-6) <= result.distance[0] <= 1.98 * 1.03
    np.testing.assert_allclose(result.x_cf[0], [1.0, 1.0], atol=0.05)


def random_mlp(seed, d=5):
    rng = np.random.default_rng(seed)
    W1, b1, w2 = rng.normal(size=(d, 8)), rng.normal(size=8), rng.normal(size=8)
    return lambda X: sigmoid(np.maximum(np.asarray(X) @ W1 + b1, 0.0) @ w2 + 0.5)


def test_immutable_features_never_move_and_bounds_hold_on_a_nonlinear_model():
    f = random_mlp(0)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(30, 5))
    x = x[f(x) >= 0.5][:8]
    assert len(x) >= 5
    bounds = {0: (-3.0, 3.0), 2: ("current", None), 4: (None, "current")}
    result = cf.counterfactual(f, x, scale=np.ones(5), immutable=[1, 3], bounds=bounds, search_radius=6.0,
                               allow_invalid=True)
    np.testing.assert_array_equal(result.x_cf[:, [1, 3]], x[:, [1, 3]])  # exactly, not approximately
    assert np.all((result.x_cf[:, 0] >= -3.0) & (result.x_cf[:, 0] <= 3.0))
    assert np.all(result.x_cf[:, 2] >= x[:, 2]) and np.all(result.x_cf[:, 4] <= x[:, 4])
    # every returned counterfactual is valid or flagged: recomputed here from the model
    np.testing.assert_array_equal(result.valid, f(result.x_cf) < 0.5)
    np.testing.assert_allclose(result.distance, np.abs(result.x_cf - x).sum(axis=1))
    np.testing.assert_array_equal(result.changed, result.x_cf != x)
    assert result.valid.sum() >= 3


def test_no_single_feature_change_found_by_brute_force_is_cheaper():
    f = random_mlp(4)
    rng = np.random.default_rng(2)
    x = rng.normal(size=(40, 5))
    x = x[f(x) >= 0.5][:3]
    result = cf.counterfactual(f, x, scale=np.ones(5), search_radius=4.0, allow_invalid=True)
    steps = np.linspace(-4, 4, 8001)
    for i in range(len(x)):
        cheapest = np.inf
        for j in range(5):
            trials = np.repeat(x[i:i + 1], len(steps), axis=0)
            trials[:, j] += steps
            valid = f(trials) < 0.5
            if valid.any():
                cheapest = min(cheapest, np.abs(steps[valid]).min())
        if np.isfinite(cheapest):
            assert result.valid[i] and result.distance[i] <= cheapest + 1e-3


def test_an_example_already_below_the_threshold_is_its_own_counterfactual(problem):
    w, b, scale, x = problem
    f = logistic(w, b - 100)
    result = cf.counterfactual(f, x, scale=scale)
    np.testing.assert_array_equal(result.x_cf, x)
    assert result.valid.all() and not result.changed.any() and np.all(result.distance == 0)


def test_dataframes_names_and_a_series_scale_in_another_order():
    w, b = np.array([1.0, -2.0, 0.5]), 2.0
    X = pd.DataFrame([[1.0, 0.0, 1.0], [0.5, 0.2, 2.0]], columns=["income", "age", "debt"])
    scale = pd.Series({"debt": 1.0, "income": 1.0, "age": 1.0})
    result = cf.counterfactual(logistic(w, b), X, scale=scale, immutable=["age"], bounds={"income": (0, None)})
    assert result.feature_names == ["income", "age", "debt"]
    np.testing.assert_array_equal(result.x_cf[:, 1], X["age"])
    frame = result.to_frame()
    assert list(frame.columns) == ["income", "age", "debt", "score", "score_cf", "distance", "valid", "n_changed"]
    changes = result.changes()
    assert set(changes["feature"]) <= {"income", "debt"} and np.all(changes["cost"] > 0)
    np.testing.assert_allclose(changes.groupby("example")["cost"].sum().to_numpy(), result.distance)


def test_deterministic_with_the_seed():
    f = random_mlp(0)
    x = np.random.default_rng(1).normal(size=(30, 5))
    x = x[f(x) >= 0.5][:3]
    a = cf.counterfactual(f, x, scale=np.ones(5), seed=7, allow_invalid=True)
    b = cf.counterfactual(f, x, scale=np.ones(5), seed=7, allow_invalid=True)
    np.testing.assert_array_equal(a.x_cf, b.x_cf)


def test_unreachable_examples_are_flagged_when_allowed():
    w, b = np.array([1.0, 1.0]), 0.0
    f = logistic(w, b)
    x = np.array([[1.0, 1.0], [5.0, 5.0]])
    bounds = {0: (-1.0, None), 1: (-1.0, None)}  # both can reach log-odds -2 at best, the second from 10
    result = cf.counterfactual(f, x, scale=np.ones(2), bounds=bounds, threshold=0.3, allow_invalid=True)
    assert result.valid.tolist() == [True, True]
    result = cf.counterfactual(f, x, scale=np.ones(2), bounds=bounds, threshold=0.1, allow_invalid=True)
    assert result.valid.tolist() == [False, False]
    np.testing.assert_array_equal(result.valid, f(result.x_cf) < 0.1)
    np.testing.assert_allclose(result.x_cf, [[-1.0, -1.0], [-1.0, -1.0]])  # the closest attempt: the lowest score


# --------------------------------------------------------------------------- errors
def test_a_threshold_the_model_cannot_reach_within_the_bounds_is_an_error():
    f = logistic(np.array([1.0, 1.0]), 0.0)
    with pytest.raises(ValueError, match=r"no counterfactual found with predict_fn < threshold 0\.1 within the bounds "
                                         r"\(example 0: lowest score reached 0\.119\).*allow_invalid=True"):
        cf.counterfactual(f, np.array([[1.0, 1.0]]), scale=np.ones(2), bounds=np.array([[-1.0, 2.0], [-1.0, 2.0]]),
                          threshold=0.1)


@pytest.mark.parametrize("kwargs, message", [
    ({"scale": np.ones(2)}, r"scale should hold one positive number per feature, shape \(3,\); got shape \(2,\)"),
    ({"scale": np.array([1.0, 0.0, 1.0])}, r"feature 1 has scale 0\.0\. Use mad_scale\(X_train\)"),
    ({"scale": np.ones(3), "immutable": ["age"]}, r"x has no column names"),
    ({"scale": np.ones(3), "immutable": [3]}, r"neither a feature name nor a column index in 0\.\.2"),
    ({"scale": np.ones(3), "immutable": [0, 1, 2]}, r"every feature is immutable"),
    ({"scale": np.ones(3), "bounds": {0: (2.0, None)}}, r"example 0 has feature 0 = 1, outside its bounds \[2, inf\]"),
    ({"scale": np.ones(3), "bounds": {0: ("now", None)}}, r"'now' is not a bound; use a number, None \(no bound\) or "
                                                          r"'current'"),
    ({"scale": np.ones(3), "bounds": np.ones((3, 3))}, r"array of shape \(3, 2\); got shape \(3, 3\)"),
    ({"scale": np.ones(3), "threshold": "high"}, r"threshold should be a number; got 'high'"),
])
def test_errors_say_what_to_fix(kwargs, message):
    f = logistic(np.array([1.0, 1.0, 1.0]), 1.0)
    with pytest.raises(ValueError, match=message):
        cf.counterfactual(f, np.ones((1, 3)), **kwargs)


def test_unknown_names_list_the_features():
    X = pd.DataFrame([[1.0, 2.0]], columns=["income", "age"])
    with pytest.raises(ValueError, match=r"immutable: unknown feature 'agee'; the features are \['income', 'age'\]"):
        cf.counterfactual(logistic(np.ones(2), 1.0), X, scale=np.ones(2), immutable=["agee"])
    with pytest.raises(ValueError, match=r"scale has no entry for \['age'\]"):
        cf.counterfactual(logistic(np.ones(2), 1.0), X, scale=pd.Series({"income": 1.0, "savings": 1.0}))


def test_one_example_without_the_batch_axis_and_a_two_column_predict_fn():
    f = logistic(np.ones(3), 1.0)
    with pytest.raises(ValueError, match=r"shape \(n, n_features\); got \(3,\)\. Pass x\[None\] for one example"):
        cf.counterfactual(f, np.ones(3), scale=np.ones(3))
    two = lambda X: np.stack([1 - f(X), f(X)], axis=1)  # noqa: E731
    with pytest.raises(ValueError, match=r"one probability of the unwanted outcome per row.*predict_proba\(X\)\[:, "
                                         r"1\]"):
        cf.counterfactual(two, np.ones((1, 3)), scale=np.ones(3))


# --------------------------------------------------------------------------- diverse counterfactuals
def test_diverse_counterfactuals_on_a_logistic_model_use_the_next_best_feature_each(problem):
    w, b, scale, x = problem
    options = cf.diverse_counterfactuals(logistic(w, b), x[:1], n_counterfactuals=4, scale=scale)
    gap = float(x[0] @ w + b)
    ranked = np.argsort(-np.abs(w) * scale)[:4]  # features 1, 5, 2, 0
    np.testing.assert_array_equal(options.changed, np.eye(6, dtype=bool)[ranked])
    expected = gap / (np.abs(w) * scale)[ranked]
    assert np.all(options.distance >= expected * (1 - 1e-6)) and np.all(options.distance <= expected * 1.03)
    assert options.valid.all() and np.all(np.diff(options.distance) > 0)
    np.testing.assert_array_equal(options.x, np.repeat(x[:1], 4, axis=0))


def test_diverse_counterfactuals_stop_when_no_option_is_left_and_take_one_example():
    f = logistic(np.array([-1.0, -1.0, 0.0]), 1.0)  # feature 2 has no effect: only two options exist
    options = cf.diverse_counterfactuals(f, np.zeros((1, 3)), n_counterfactuals=3, scale=np.ones(3), search_radius=5.0)
    assert len(options) == 2 and not options.changed[:, 2].any()
    with pytest.raises(ValueError, match=r"one example at a time; got 2 rows\. Pass x\[i:i\+1\]"):
        cf.diverse_counterfactuals(f, np.zeros((2, 3)), scale=np.ones(3))


# --------------------------------------------------------------------------- scale and distances
def test_mad_scale_is_scipys_median_absolute_deviation_with_zero_mads_replaced():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(size=101) * 3, rng.exponential(size=101),
                         np.r_[np.zeros(80), rng.poisson(2, 21) + 1],
                         np.full(101, 4.0)])
    scale = cf.mad_scale(X)
    np.testing.assert_allclose(scale[:2], median_abs_deviation(X[:, :2], axis=0))
    assert median_abs_deviation(X[:, 2]) == 0
    assert scale[2] == pytest.approx(np.mean(np.abs(X[:, 2] - np.median(X[:, 2]))))  # the mean absolute deviation
    assert scale[3] == 1.0  # a constant column
    named = cf.mad_scale(pd.DataFrame(X[:, :2], columns=["a", "b"]), floor=5.0)
    assert list(named.index) == ["a", "b"] and np.all(named == 5.0)


def test_l1_distance_and_nearest_distance_against_scipy():
    rng = np.random.default_rng(1)
    data, points, scale = rng.normal(size=(50, 4)), rng.normal(size=(7, 4)), np.array([0.5, 1.0, 2.0, 4.0])
    expected = cdist(points / scale, data / scale, metric="cityblock").min(axis=1)
    np.testing.assert_allclose(cf.nearest_distance(points, data, scale=scale), expected)
    self_distances = cdist(data / scale, data / scale, metric="cityblock")
    np.fill_diagonal(self_distances, np.inf)
    np.testing.assert_allclose(cf.nearest_distance(data, data, scale=scale, exclude_self=True),
                               self_distances.min(axis=1))
    np.testing.assert_allclose(cf.l1_distance(points, points[::-1], scale=scale),
                               np.abs(points - points[::-1]) @ (1 / scale))
    with pytest.raises(ValueError, match=r"x_cf has shape \(6, 4\) but x has shape \(7, 4\)"):
        cf.l1_distance(points, points[:6], scale=scale)


def test_principal_reasons_are_the_largest_positive_contributions_and_never_favourable_ones():
    values = np.array([[0.2, -3.0, 1.5, 0.7, 0.0], [-1.0, -0.5, 0.3, -2.0, -0.1]])
    names = ["a", "b", "c", "d", "e"]
    assert cf.principal_reasons(values, names, k=2) == [["c", "d"], ["c"]]
    assert cf.principal_reasons(values, names) == [["c", "d", "a"], ["c"]]  # never the large negative b, nor the zero e
    with pytest.raises(ValueError, match=r"values should have shape \(n, 4\)"):
        cf.principal_reasons(values, names[:4])
