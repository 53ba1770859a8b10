"""course_utils.global_importance against independent references.

- partial dependence and ICE: scikit-learn's ``partial_dependence(method="brute")`` on the same grid;
- accumulated local effects: the closed form for linear and additive models, a hand-computed toy
  case, and the authors' own algorithm (the ALEPlot R package, transcribed below);
- permutation importance: exactly 0 for an ignored feature, a hand computation with the documented
  random draws, the closed form ``2 w² Var(x)`` for a least-squares line, and scikit-learn's
  ``permutation_importance`` within sampling error.
"""

from __future__ import annotations

import inspect
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import sklearn.inspection  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.ensemble import GradientBoostingRegressor  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402
from sklearn.metrics import r2_score, roc_auc_score  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from course_utils import global_importance as gi  # noqa: E402
from course_utils.validation import DEFAULT_BATCH_SIZE  # noqa: E402


def _table(seed=0, n=120, d=4):
    """Rectangular data with different scales, two correlated columns and an integer column."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) * [1.0, 2.0, 0.5, 3.0] + [0.0, 1.0, -2.0, 5.0]
    X[:, 1] = 0.8 * X[:, 0] * 2.0 + 0.6 * X[:, 1]  # correlated with column 0
    X[:, 2] = rng.integers(0, 5, size=n)  # a count with ties
    return X


class _Recorder:
    """A predict_fn that remembers how many rows each call got."""

    def __init__(self, fn):
        self.fn, self.calls = fn, []

    def __call__(self, X):
        self.calls.append(len(X))
        return self.fn(X)


# --------------------------------------------------------------------------- partial dependence and ICE vs scikit-learn
def _sklearn_pd(estimator, X, j, grid_resolution):
    return sklearn.inspection.partial_dependence(
        estimator, X, [j], kind="both", method="brute", grid_resolution=grid_resolution
    )


@pytest.mark.parametrize("j", [0, 2, 3])
def test_pd_and_ice_equal_sklearn_brute_on_a_binary_classifier(j):
    X = _table()
    y = (X[:, 0] - 0.3 * X[:, 3] + np.sin(X[:, 2]) > -1.5).astype(int)
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=3000, random_state=0).fit(X, y)
    reference = _sklearn_pd(clf, X, j, grid_resolution=7)
    grid = reference["grid_values"][0]
    ours_grid, curves = gi.ice_curves(lambda Z: clf.predict_proba(Z)[:, 1], X, j, grid=grid)
    np.testing.assert_allclose(curves, reference["individual"][0], rtol=1e-12, atol=1e-12)
    _, average = gi.partial_dependence(clf.predict_proba, X, j, grid=grid, target=1)  # (n, 2) outputs, class 1
    np.testing.assert_allclose(average, reference["average"][0], rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(ours_grid, grid)


def test_pd_equals_sklearn_for_every_class_of_a_multiclass_model():
    X, y = load_iris(return_X_y=True)
    clf = LogisticRegression(max_iter=2000).fit(X, y)
    reference = _sklearn_pd(clf, X, 2, grid_resolution=6)
    grid = reference["grid_values"][0]
    for k in range(3):
        _, average = gi.partial_dependence(clf.predict_proba, X, 2, grid=grid, target=k)
        _, curves = gi.ice_curves(clf.predict_proba, X, 2, grid=grid, target=k)
        np.testing.assert_allclose(average, reference["average"][k], rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(curves, reference["individual"][k], rtol=1e-12, atol=1e-12)


def test_pd_equals_sklearn_on_a_regressor_by_column_name_and_default_grid():
    X = _table(seed=1)
    y = X[:, 0] ** 2 + X[:, 1] * X[:, 3] / 5 + X[:, 2]
    reg = GradientBoostingRegressor(n_estimators=30, random_state=0).fit(X, y)
    frame = pd.DataFrame(X, columns=["a", "b", "count", "d"])
    # scikit-learn's default grid: unique values when few (the count), else 5%..95% evenly spaced
    for j, name in [(2, "count"), (1, "b")]:
        reference = _sklearn_pd(reg, X, j, grid_resolution=20)
        grid, average = gi.partial_dependence(lambda Z: reg.predict(np.asarray(Z)), frame, name, n_grid=20)
        np.testing.assert_allclose(grid, reference["grid_values"][0], rtol=1e-12)
        np.testing.assert_allclose(average, reference["average"][0], rtol=1e-10, atol=1e-12)


@pytest.mark.skipif(
    "custom_values" not in inspect.signature(sklearn.inspection.partial_dependence).parameters,
    reason="scikit-learn < 1.7 has no custom_values (the tests above use its own grid instead)",
)
def test_pd_equals_sklearn_custom_values_also_outside_the_data():
    X = _table(seed=2)
    y = (X[:, 1] + X[:, 0] * X[:, 2] > 1).astype(int)
    clf = LogisticRegression(max_iter=2000).fit(X, y)
    grid = np.array([-10.0, -1.0, 0.0, 0.5, 3.0, 25.0])  # beyond the data on both sides
    reference = sklearn.inspection.partial_dependence(clf, X, [1], kind="both", method="brute", custom_values={1: grid})
    _, curves = gi.ice_curves(lambda Z: clf.predict_proba(Z)[:, 1], X, 1, grid=grid)
    np.testing.assert_allclose(curves, reference["individual"][0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(curves.mean(axis=0), reference["average"][0], rtol=1e-12, atol=1e-12)


def test_ice_by_hand_and_target_none_follows_each_examples_predicted_class():
    X = np.array([[0.0, 2.0], [1.0, -1.0], [2.0, 0.5]])
    grid, curves = gi.ice_curves(lambda Z: Z[:, 0] * Z[:, 1], X, 0, grid=[-1.0, 0.0, 3.0])
    np.testing.assert_array_equal(curves, [[-2.0, 0.0, 6.0], [1.0, 0.0, -3.0], [-0.5, 0.0, 1.5]])

    def two_classes(Z):  # class 1 wins where column 1 > 0, whatever column 0 is
        score = np.tanh(Z[:, 1]) * (1 + Z[:, 0] ** 2)
        return np.column_stack([-score, score])

    _, followed = gi.ice_curves(two_classes, X, 0, grid=[0.0, 1.0])
    predicted = two_classes(X).argmax(axis=1)  # [1, 0, 1]
    expected = np.stack(
        [two_classes(np.column_stack([np.full(3, v), X[:, 1]]))[np.arange(3), predicted] for v in (0.0, 1.0)], axis=1
    )
    np.testing.assert_allclose(followed, expected)


def test_ice_calls_the_model_in_bounded_batches():
    X = _table(n=300)
    recorder = _Recorder(lambda Z: Z.sum(axis=1))
    grid, curves = gi.ice_curves(recorder, X, 1, n_grid=10)  # 3,000 rows
    assert curves.shape == (300, 10) and max(recorder.calls) <= DEFAULT_BATCH_SIZE and sum(recorder.calls) == 3000
    np.testing.assert_allclose(curves, X.sum(axis=1, keepdims=True) - X[:, [1]] + grid[None])


# --------------------------------------------------------------------------- accumulated local effects
def test_ale_of_a_linear_model_is_exactly_the_centred_line():
    X = _table(seed=3)
    w = np.array([1.5, -2.0, 0.7, 0.25])
    for j in range(4):
        edges, ale = gi.accumulated_local_effects(lambda Z: Z @ w + 3.0, X, j, n_bins=8)
        np.testing.assert_allclose(ale, w[j] * (edges - X[:, j].mean()), rtol=1e-12, atol=1e-12)
        assert edges[0] == X[:, j].min() and edges[-1] == X[:, j].max()


def test_ale_of_an_additive_model_is_its_centred_component_despite_correlation():
    X = _table(seed=4)  # columns 0 and 1 are strongly correlated
    components = [np.sin, lambda v: 0.1 * v**2, lambda v: np.exp(v / 4), lambda v: 0.3 * v]
    f = lambda Z: sum(g(Z[:, j]) for j, g in enumerate(components))
    for j, g in enumerate(components):
        edges, ale = gi.accumulated_local_effects(f, X, j, n_bins=10)
        shifted = g(edges) - ale
        np.testing.assert_allclose(shifted, shifted[0], atol=1e-12)  # the component up to a constant
        assert abs(np.interp(X[:, j], edges, ale).mean()) < 1e-12  # centred: mean 0 over the data


def test_ale_of_an_ignored_feature_is_exactly_zero():
    X = _table(seed=5)
    edges, ale = gi.accumulated_local_effects(lambda Z: np.sin(Z[:, 0]) * Z[:, 3], X, 1)
    assert np.all(ale == 0.0) and len(edges) == 21


def test_ale_by_hand_on_six_points():
    # x0 = 1..6, x1 = x0 (perfectly correlated); f = x0 * x1. Two bins: quantiles 0, 1/2, 1 -> edges 1, 3, 6
    x = np.arange(1.0, 7.0)
    X = np.column_stack([x, x])
    edges, ale = gi.accumulated_local_effects(lambda Z: Z[:, 0] * Z[:, 1], X, 0, n_bins=2)
    np.testing.assert_array_equal(edges, [1.0, 3.0, 6.0])
    # bin 1 = [1, 3] holds x = 1, 2, 3: (3 - 1) * x1 -> mean 2 * 2 = 4; bin 2 = (3, 6] holds 4, 5, 6: 3 * 5 = 15
    # accumulated: 0, 4, 19 at the edges; the line through them at x = 1..6 is 0, 2, 4, 9, 14, 19 (mean 8)
    np.testing.assert_allclose(ale, [-8.0, -4.0, 11.0], atol=1e-12)


def _aleplot_reference(f, X, j, K):
    """The main-effect algorithm of the ALEPlot R package (Apley & Zhu), line by line, with its centring."""
    x = X[:, j]
    ordered, n = np.sort(x), len(x)
    quantile_type1 = [ordered[max(math.ceil(n * k / K - 1e-9), 1) - 1] for k in range(1, K + 1)]  # R's quantile(type=1)
    z = np.unique(np.concatenate([[x.min()], quantile_type1]))
    K = len(z) - 1
    a1 = np.empty(n, dtype=int)  # cut(x, breaks=z, include.lowest=TRUE): (z[k-1], z[k]], the first closed
    for i, v in enumerate(x):
        a1[i] = 1 if v == z[0] else next(k for k in range(1, K + 1) if z[k - 1] < v <= z[k])
    X1, X2 = X.copy(), X.copy()
    X1[:, j], X2[:, j] = z[a1 - 1], z[a1]
    delta = f(X2) - f(X1)
    delta = np.array([delta[a1 == k].mean() for k in range(1, K + 1)])
    fJ = np.concatenate([[0.0], np.cumsum(delta)])
    b1 = np.array([(a1 == k).sum() for k in range(1, K + 1)])
    return z, fJ - np.sum((fJ[:-1] + fJ[1:]) / 2 * b1) / b1.sum()


@pytest.mark.parametrize("j, K", [(0, 20), (2, 20), (3, 7)])
def test_ale_matches_the_authors_algorithm_up_to_its_centring(j, K):
    X = _table(seed=6, n=150)
    f = lambda Z: np.tanh(Z[:, 0] * Z[:, 1] / 4) + Z[:, 2] ** 2 * Z[:, 3] / 10
    z, reference = _aleplot_reference(f, X, j, K)
    edges, ale = gi.accumulated_local_effects(f, X, j, n_bins=K)
    np.testing.assert_allclose(edges, z)
    shift = reference - ale
    np.testing.assert_allclose(shift, shift[0], atol=1e-12)  # the same curve; only the centring constant differs
    assert len(edges) < K + 1 if j == 2 else len(edges) == K + 1  # the count has 5 values: tied quantiles merged


def test_ale_target_picks_a_class_and_calls_are_batched():
    X, y = load_iris(return_X_y=True)
    X = np.tile(X, (4, 1))  # 600 rows: 1,800 rows to predict
    clf = LogisticRegression(max_iter=2000).fit(X, np.tile(y, 4))
    recorder = _Recorder(clf.predict_proba)
    edges, ale = gi.accumulated_local_effects(recorder, X, 3, n_bins=10, target=2)
    reference = gi.accumulated_local_effects(lambda Z: clf.predict_proba(Z)[:, 2], X, 3, n_bins=10)
    np.testing.assert_allclose(ale, reference[1], atol=1e-14)
    assert max(recorder.calls) <= DEFAULT_BATCH_SIZE


# --------------------------------------------------------------------------- permutation importance
def test_an_ignored_feature_has_importance_exactly_zero_for_every_scoring():
    X = _table(seed=7)
    logit = X[:, 0] - 0.2 * X[:, 3] + 1
    y = (logit + np.random.default_rng(0).logistic(size=len(X)) > 0).astype(int)
    proba = lambda Z: 1 / (1 + np.exp(-(Z[:, 0] - 0.2 * Z[:, 3] + 1)))  # ignores columns 1 and 2
    for scoring, fn in [
        ("roc_auc", proba),
        ("accuracy", proba),
        ("neg_log_loss", proba),
        ("balanced_accuracy", lambda Z: np.column_stack([1 - proba(Z), proba(Z)])),
    ]:
        table = gi.permutation_importance(fn, X, y, scoring=scoring, n_repeats=4)
        assert np.all(table.attrs["importances"][[1, 2]] == 0.0), scoring
        assert table.loc[[1, 2], "std"].eq(0.0).all() and table.loc[0, "mean"] > 0.05


def test_permutation_importance_by_hand_with_the_documented_draws():
    X = _table(seed=8, n=50)
    f = lambda Z: np.sin(Z[:, 0]) + Z[:, 1] * Z[:, 2] / 3
    y = f(X) + np.random.default_rng(1).normal(scale=0.3, size=len(X))
    table = gi.permutation_importance(f, X, y, scoring="r2", n_repeats=3, seed=11)
    rng = np.random.default_rng(11)
    baseline = r2_score(y, f(X))
    for j in range(X.shape[1]):
        for r in range(3):
            Xp = X.copy()
            Xp[:, j] = X[rng.permutation(len(X)), j]
            assert table.attrs["importances"][j, r] == pytest.approx(baseline - r2_score(y, f(Xp)), abs=1e-12)
    np.testing.assert_allclose(table["std"], table.attrs["importances"].std(axis=1))
    assert table.attrs["baseline"] == pytest.approx(baseline)


def test_permutation_importance_of_a_least_squares_line_is_2_w2_var_on_average():
    # For an OLS fit with intercept, on its training data and scored by mean squared error, the expected drop
    # over random permutations is exactly 2 w_j^2 Var(x_j) (population variance): the residuals are orthogonal to x_j.
    rng = np.random.default_rng(9)
    X = _table(seed=9, n=400)
    y = X @ [1.0, -0.5, 2.0, 0.3] + rng.normal(size=400)
    ols = LinearRegression().fit(X, y)
    table = gi.permutation_importance(ols.predict, X, y, scoring="neg_mean_squared_error", n_repeats=200, seed=0)
    expected = 2 * ols.coef_**2 * X.var(axis=0)
    standard_error = table["std"].to_numpy() / np.sqrt(200)
    assert np.all(np.abs(table["mean"].to_numpy() - expected) < 4 * standard_error)
    assert np.all(standard_error < 0.05 * expected)  # a sharp test: the sampling error is small


def test_permutation_importance_agrees_with_sklearn_within_sampling_error():
    X = _table(seed=10, n=300)
    y = (X[:, 0] + 0.3 * X[:, 3] - 0.5 * X[:, 2] + np.random.default_rng(2).logistic(size=300) > 1).astype(int)
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=3000, random_state=0).fit(X, y)
    r = 30
    ours = gi.permutation_importance(clf.predict_proba, X, y, scoring="roc_auc", n_repeats=r, seed=0)
    theirs = sklearn.inspection.permutation_importance(clf, X, y, scoring="roc_auc", n_repeats=r, random_state=0)
    # two independent means of r draws: their difference has standard error sqrt(sd1^2/r + sd2^2/r); allow 4 of them
    standard_error = np.sqrt((ours["std"].to_numpy() ** 2 + theirs.importances_std**2) / r)
    difference = np.abs(ours["mean"].to_numpy() - theirs.importances_mean)
    assert np.all(difference <= 4 * standard_error + 1e-12), (difference, standard_error)
    assert ours.attrs["baseline"] == pytest.approx(roc_auc_score(y, clf.predict_proba(X)[:, 1]))
    assert ours["mean"].idxmax() == int(np.argmax(theirs.importances_mean))


def test_scoring_names_read_outputs_as_documented():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 2))
    y = (X[:, 0] > 0).astype(int)
    p = lambda Z: 1 / (1 + np.exp(-3 * Z[:, 0]))
    log_odds = lambda Z: 3 * Z[:, 0]
    two = lambda Z: np.column_stack([1 - p(Z), p(Z)])
    labels = lambda Z: (Z[:, 0] > 0).astype(int)
    a = gi.permutation_importance(p, X, y, scoring="roc_auc", n_repeats=3)
    b = gi.permutation_importance(log_odds, X, y, scoring="roc_auc", n_repeats=3)
    c = gi.permutation_importance(two, X, y, scoring="roc_auc", n_repeats=3)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    for scoring in ("accuracy", "balanced_accuracy"):
        first = gi.permutation_importance(p, X, y, scoring=scoring, n_repeats=3)
        for other in (two, labels):
            pd.testing.assert_frame_equal(first, gi.permutation_importance(other, X, y, scoring=scoring, n_repeats=3))
    assert gi.permutation_importance(p, X, y, scoring="accuracy").attrs["baseline"] == 1.0
    own = gi.permutation_importance(p, X, y, scoring=lambda t, s: -np.mean((t - s) ** 2), n_repeats=3)
    brier = gi.permutation_importance(p, X, y, scoring="neg_mean_squared_error", n_repeats=3)
    pd.testing.assert_frame_equal(own, brier)
    frame = pd.DataFrame(X, columns=["signal", "noise"])
    assert list(gi.permutation_importance(p, frame, y, scoring="neg_log_loss").index) == ["signal", "noise"]


def test_permutation_importance_is_batched_and_deterministic():
    X = _table(seed=12, n=200)
    recorder = _Recorder(lambda Z: Z[:, 0] + Z[:, 1])
    y = X[:, 0] + X[:, 1]
    first = gi.permutation_importance(recorder, X, y, scoring="r2", n_repeats=12, seed=5)  # 2,400 rows per feature
    assert max(recorder.calls) <= DEFAULT_BATCH_SIZE
    pd.testing.assert_frame_equal(first, gi.permutation_importance(recorder, X, y, scoring="r2", n_repeats=12, seed=5))
    assert not first.equals(gi.permutation_importance(recorder, X, y, scoring="r2", n_repeats=12, seed=6))


# --------------------------------------------------------------------------- errors a learner can act on
@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda X, y, f: gi.permutation_importance(f, X, y, scoring="auc"),
            ValueError,
            r"scoring should be one of \['accuracy'.*'roc_auc'.*or a function score\(y_true, predictions\); got 'auc'",
        ),
        (
            lambda X, y, f: gi.permutation_importance(lambda Z: 5 * Z[:, 0], X, y, scoring="accuracy"),
            ValueError,
            r"'accuracy' needs class labels.*values from -\d.*\(log-odds\?\).*scoring='roc_auc'",
        ),
        (
            lambda X, y, f: gi.permutation_importance(lambda Z: 5 * Z[:, 0], X, y, scoring="neg_log_loss"),
            ValueError,
            r"'neg_log_loss' needs probabilities in \[0, 1\]",
        ),
        (
            lambda X, y, f: gi.permutation_importance(f, X, y[:10], scoring="r2"),
            ValueError,
            r"y should hold one target per row of X, shape \(30,\); got shape \(10,\)",
        ),
        (
            lambda X, y, f: gi.permutation_importance(f, X, y[:, None], scoring="r2"),
            ValueError,
            r"got shape \(30, 1\)\. Flatten it: y\.ravel\(\)",
        ),
        (
            lambda X, y, f: gi.permutation_importance(f, X, y, scoring="r2", n_repeats=0),
            ValueError,
            r"n_repeats is the number of permutations per feature, an int >= 1; got 0",
        ),
        (
            lambda X, y, f: gi.permutation_importance(f, X, y, scoring="r2", n_repeats=True),
            ValueError,
            r"n_repeats .* got True",
        ),
        (
            lambda X, y, f: gi.permutation_importance(f, X, y, scoring=lambda t, s: [1, 2]),
            TypeError,
            r"the score function should return one number; it returned list",
        ),
        (
            lambda X, y, f: gi.permutation_importance(f, X, y, scoring=lambda t, s: np.nan),
            ValueError,
            r"the score function returned nan",
        ),
        (
            lambda X, y, f: gi.permutation_importance(f(X), X, y, scoring="r2"),
            TypeError,
            r"predict_fn should be a function of a batch \(n, d\); got ndarray\. Pass e\.g\. model\.predict_proba "
            r"\(no parentheses\)",
        ),
        (
            lambda X, y, f: gi.permutation_importance(f, X[0], y, scoring="r2"),
            ValueError,
            r"expected a batch with the examples on axis 0.*Pass X\[None\] for one example",
        ),
        (
            lambda X, y, f: gi.partial_dependence(f, X, 3),
            ValueError,
            r"feature 3 is not a column index of X, which has 3 columns \(0 to 2\)",
        ),
        (
            lambda X, y, f: gi.partial_dependence(f, X, "income"),
            ValueError,
            r"feature 'income' is a name, but X is an array without column names; pass the column's index \(0 to 2\) "
            r"or a DataFrame",
        ),
        (
            lambda X, y, f: gi.partial_dependence(f, pd.DataFrame(X, columns=list("abc")), "income"),
            ValueError,
            r"feature 'income' is not a column of X; its columns are \['a', 'b', 'c'\]",
        ),
        (
            lambda X, y, f: gi.ice_curves(f, X, True),
            TypeError,
            r"feature should be a column index \(int\) or a column name \(str\); got bool",
        ),
        (
            lambda X, y, f: gi.ice_curves(f, X, 0, grid=[[0.0, 1.0]]),
            ValueError,
            r"grid should be a 1-D array of finite values of the feature; got shape \(1, 2\)",
        ),
        (
            lambda X, y, f: gi.ice_curves(f, X, 0, grid=[0.0, np.inf]),
            ValueError,
            r"grid should be a 1-D array of finite values",
        ),
        (
            lambda X, y, f: gi.ice_curves(f, X, 0, n_grid=1),
            ValueError,
            r"n_grid is the number of grid points, an int >= 2; got 1",
        ),
        (
            lambda X, y, f: gi.ice_curves(f, X, 0, target=1),
            ValueError,
            r"the model returns one output per example .*leave target=None",
        ),
        (
            lambda X, y, f: gi.ice_curves(lambda Z: np.column_stack([Z[:, 0], -Z[:, 0]]), X, 0, target=2),
            ValueError,
            r"target classes must be in 0\.\.1",
        ),
        (
            lambda X, y, f: gi.ice_curves(lambda Z: Z, X.reshape(30, 3, 1), 0),
            ValueError,
            r"X should be a table of shape \(n, n_features\); got \(30, 3, 1\)",
        ),
        (
            lambda X, y, f: gi.ice_curves(lambda Z: Z[:2, 0], X, 0),
            ValueError,
            r"predict_fn returned shape \(2,\) for \d+ inputs",
        ),
        (
            lambda X, y, f: gi.accumulated_local_effects(f, X, 0, n_bins=0),
            ValueError,
            r"n_bins is the number of quantile bins, an int >= 1; got 0",
        ),
        (
            lambda X, y, f: gi.accumulated_local_effects(f, np.column_stack([X[:, :2], np.ones(30)]), 2),
            ValueError,
            r"the feature takes a single value \(1\) in X: it has no effect to accumulate",
        ),
    ],
)
def test_errors_say_what_was_expected_and_how_to_fix_it(call, error, message):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(30, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=30)
    with pytest.raises(error, match=message):
        call(X, y, lambda Z: Z[:, 0])


def test_feature_grid_matches_sklearns_default_grid_rule():
    values = np.random.default_rng(5).normal(size=(500, 1))
    reference = sklearn.inspection.partial_dependence(  # the grid does not depend on the model
        LinearRegression().fit(values, values[:, 0]), values, [0], grid_resolution=30
    )["grid_values"][0]
    np.testing.assert_allclose(gi.feature_grid(values, n_grid=30), reference, rtol=1e-12)
    np.testing.assert_array_equal(gi.feature_grid([3, 1, 1, 2]), [1.0, 2.0, 3.0])
    five = np.arange(5.0)[:, None]  # 5 values and 5 grid points: not fewer, so evenly spaced between percentiles
    reference = sklearn.inspection.partial_dependence(
        LinearRegression().fit(five, five[:, 0]), five, [0], grid_resolution=5
    )["grid_values"][0]
    np.testing.assert_allclose(gi.feature_grid(five, n_grid=5), reference, rtol=1e-12)


# --------------------------------------------------------------------------- the regularization path
def test_l2_path_equals_logistic_regression_on_standardized_features_and_l1_gets_sparse():
    X, y = load_iris(return_X_y=True)
    y = (y == 2).astype(int)
    rng = np.random.default_rng(6)
    order = rng.permutation(len(y))
    train, test = order[:100], order[100:]
    Cs = [0.01, 0.1, 1.0, 10.0]
    l2 = gi.regularization_path(X[train], y[train], X[test], y[test], Cs=Cs, penalty="l2")
    mean, sd = X[train].mean(axis=0), X[train].std(axis=0)
    for C in Cs:
        direct = LogisticRegression(C=C, solver="liblinear").fit((X[train] - mean) / sd, y[train])
        np.testing.assert_allclose(l2.loc[C, ["x0", "x1", "x2", "x3"]], direct.coef_[0], rtol=1e-6, atol=1e-8)
        assert l2.loc[C, "test_auc"] == pytest.approx(
            roc_auc_score(y[test], direct.decision_function((X[test] - mean) / sd))
        )
    assert l2["n_features"].eq(4).all()
    l1 = gi.regularization_path(X[train], y[train], X[test], y[test], Cs=[0.001, 0.05, 0.3, 100.0], penalty="l1")
    assert l1["n_features"].tolist()[0] == 0 and l1["n_features"].tolist()[-1] == 4
    assert l1["n_features"].is_monotonic_increasing
    assert (l1.iloc[:, 2:].ne(0).sum(axis=1) == l1["n_features"]).all()
    assert l1.loc[0.001, "test_auc"] == 0.5  # no feature: a constant score


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            dict(Cs=[1.0], penalty="elasticnet"),
            r"penalty should be 'l1' \(lasso: sparse\) or 'l2' \(ridge: shrunk\); got 'elasticnet'",
        ),
        (dict(Cs=[0.0, 1.0]), r"Cs should be positive inverse penalty strengths"),
        (dict(Cs=[]), r"Cs should be positive"),
    ],
)
def test_regularization_path_errors(kwargs, message):
    X = np.random.default_rng(7).normal(size=(20, 2))
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ValueError, match=message):
        gi.regularization_path(X, y, X, y, **kwargs)


# --------------------------------------------------------------------------- plots
def test_plot_importance_orders_bars_and_draws_error_bars():
    table = pd.DataFrame({"mean": [0.1, 0.5, 0.0], "std": [0.02, 0.05, 0.0]}, index=["b", "a", "c"])
    ax = gi.plot_importance(table, title="importance")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c", "b", "a"]  # largest on top
    assert [round(p.get_width(), 3) for p in ax.patches] == [0.0, 0.1, 0.5]
    assert ax.get_title() == "importance" and ax.get_xlabel() == "drop in score when permuted"
    with pytest.raises(ValueError, match="takes the DataFrame that permutation_importance returns"):
        gi.plot_importance(table[["mean"]])


def test_plot_ice_colours_curves_and_centres_them():
    grid = np.linspace(0, 1, 5)
    curves = np.outer(np.arange(1.0, 4.0), grid) + 2.0
    fig, ax = plt.subplots()
    out = gi.plot_ice(grid, curves, colour_by=[1.0, 2.0, 3.0], colour_label="slope", centred=True, ax=ax, title="c-ICE")
    assert out is ax and ax.get_title() == "c-ICE" and len(fig.axes) == 2 and fig.axes[1].get_ylabel() == "slope"
    lines = ax.collections[0]
    assert all(segment[0, 1] == 0.0 for segment in lines.get_segments())  # every curve starts at 0
    np.testing.assert_allclose(ax.lines[0].get_ydata(), (curves - curves[:, :1]).mean(axis=0))
    with pytest.raises(ValueError, match=r"curves should have shape \(n, 5\)"):
        gi.plot_ice(grid, curves.T)
    with pytest.raises(ValueError, match=r"colour_by should hold one value per curve, shape \(3,\)"):
        gi.plot_ice(grid, curves, colour_by=[1.0])
