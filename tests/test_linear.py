"""course_utils.linear against independent references: closed forms, scikit-learn, theory."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from course_utils import linear


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- least_squares ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", linear.METHODS)
def test_least_squares_line_through_three_points_matches_the_closed_form(method):
    # y = c + m t through (0, 1), (1, 2), (2, 2): m = cov(t, y) / var(t) = 1/2, c = ȳ - m t̄ = 7/6.
    A = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    b = np.array([1.0, 2.0, 2.0])
    np.testing.assert_allclose(linear.least_squares(A, b, method=method), [7 / 6, 1 / 2], rtol=1e-12)


@pytest.mark.parametrize("method", linear.METHODS)
def test_least_squares_matches_sklearn_linear_regression(method):
    rng = np.random.default_rng(3)
    A = rng.normal(size=(40, 4))
    b = A @ [1.0, -2.0, 0.5, 3.0] + rng.normal(size=40)
    reference = LinearRegression(fit_intercept=False).fit(A, b).coef_
    np.testing.assert_allclose(linear.least_squares(A, b, method=method), reference, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("method", linear.METHODS)
def test_least_squares_solves_a_square_system_exactly(method):
    A = np.array([[2.0, 1.0, 0.0], [1.0, 2.0, 1.0], [0.0, 1.0, 2.0]])
    x = np.array([3.0, 2.5, 4.0])
    np.testing.assert_allclose(linear.least_squares(A, A @ x, method=method), x, rtol=1e-12)


def test_least_squares_accepts_several_right_hand_sides():
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(20, 3)), rng.normal(size=(20, 2))
    reference = LinearRegression(fit_intercept=False).fit(A, B).coef_.T  # (3, 2)
    for method in linear.METHODS:
        np.testing.assert_allclose(linear.least_squares(A, B, method=method), reference, rtol=1e-9, atol=1e-12)


def test_rank_deficient_lstsq_and_pinv_give_the_minimum_norm_solution():
    # Columns t and 2t: every x with x1 + 2 x2 = 1 fits y = t exactly; the shortest is (1, 2) / 5.
    t = np.array([1.0, 2.0, 3.0, 4.0])
    A = np.column_stack([t, 2 * t])
    for method in ("lstsq", "pinv"):
        np.testing.assert_allclose(linear.least_squares(A, t, method=method), [0.2, 0.4], rtol=1e-12)
    with pytest.raises(ValueError, match=r"A has rank 1 but 2 columns.*method='lstsq'"):
        linear.least_squares(A, t, method="normal")


def test_least_squares_errors_say_how_to_fix_the_call():
    with pytest.raises(ValueError, match=r"A must be a 2-D array.*got shape \(3,\).*A\[:, None\]"):
        linear.least_squares(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match=r"b must have one row per equation.*shape \(4,\); got shape \(3,\)"):
        linear.least_squares(np.ones((4, 2)), np.ones(3))
    with pytest.raises(ValueError, match=r"method must be one of 'normal', 'lstsq', 'pinv'; got 'qr'"):
        linear.least_squares(np.eye(2), np.ones(2), method="qr")


# --- make_correlated_features -------------------------------------------------------------------


@pytest.mark.parametrize("correlation", [-0.7, 0.0, 0.5, 0.95])
def test_sample_correlation_is_close_to_the_requested_one(correlation):
    X, _ = linear.make_correlated_features(20_000, correlation=correlation, seed=1)
    assert X.shape == (20_000, 2)
    # standard error of r is about (1 - r²) / sqrt(n) < 0.01
    assert abs(np.corrcoef(X.T)[0, 1] - correlation) < 0.03
    np.testing.assert_allclose(X.std(axis=0), [1.0, 1.0], atol=0.03)


def test_target_is_linear_in_the_features_with_the_given_weights_and_noise():
    X, y = linear.make_correlated_features(20_000, correlation=0.5, weights=(2.0, -1.0), noise=0.5, seed=2)
    fit = LinearRegression().fit(X, y)
    np.testing.assert_allclose(fit.coef_, [2.0, -1.0], atol=0.03)
    assert abs(np.std(y - fit.predict(X)) - 0.5) < 0.02


def test_make_correlated_features_is_reproducible():
    a = linear.make_correlated_features(10, correlation=0.3, seed=5)
    b = linear.make_correlated_features(10, correlation=0.3, seed=5)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])


def test_make_correlated_features_errors():
    with pytest.raises(ValueError, match=r"correlation must be strictly between -1 and 1; got 1.0.*copies"):
        linear.make_correlated_features(10, correlation=1.0)
    with pytest.raises(ValueError, match=r"n_samples should be an integer of at least 3; got 2"):
        linear.make_correlated_features(2)
    with pytest.raises(ValueError, match=r"weights must be a pair"):
        linear.make_correlated_features(10, weights=(1.0, 2.0, 3.0))


# --- collinearity -------------------------------------------------------------------------------


def test_condition_number_follows_the_theory():
    # Population covariance [[1, r], [r, 1]] has eigenvalues 1 ± r, so cond(X) → sqrt((1 + r) / (1 - r)).
    for r in (0.0, 0.9, 0.99):
        X, _ = linear.make_correlated_features(20_000, correlation=r, seed=0)
        assert np.linalg.cond(X) == pytest.approx(np.sqrt((1 + r) / (1 - r)), rel=0.05)


def test_weights_swing_with_correlation_while_predictions_do_not():
    low = linear.collinearity_experiment(0.0, n_resamples=60, seed=1)
    high = linear.collinearity_experiment(0.99, n_resamples=60, seed=1)
    # Theory: sd(w_j) ≈ noise / sqrt(n (1 - r²)); at r = 0.99 that is ~7× larger than at r = 0.
    assert np.all(high.weight_spread > 4 * low.weight_spread)
    # ... and the mean weight sum stays at the truth (w1 + w2 = 2), even though each weight swings.
    assert abs(high.weights.sum(axis=1).mean() - 2.0) < 0.1
    # On inputs from the same distribution, prediction spread ≈ noise * sqrt(d / n) for any r.
    assert high.prediction_spread == pytest.approx(low.prediction_spread, rel=0.05)
    assert low.prediction_spread == pytest.approx(np.sqrt(2 / 50), rel=0.35)
    assert high.condition_number > 5 * low.condition_number


def test_collinearity_fits_are_least_squares_fits():
    fits = linear.collinearity_experiment(0.5, n_resamples=3, seed=2)
    np.testing.assert_allclose(fits.predictions, fits.weights @ fits.x_test.T)
    assert fits.weights.shape == (3, 2) and fits.predictions.shape == (3, 25)
    np.testing.assert_allclose(fits.y_test, fits.x_test @ [1.0, 1.0])


def test_collinearity_experiment_errors():
    with pytest.raises(ValueError, match=r"correlation must be strictly between -1 and 1; got -1.5"):
        linear.collinearity_experiment(-1.5)
    with pytest.raises(ValueError, match=r"n_resamples is the number of fits \(a spread needs two\), an int >= 2"):
        linear.collinearity_experiment(0.5, n_resamples=1)


def _drawn(axes):
    return [np.vstack([c.get_offsets() for c in ax.collections]) for ax in axes]


def test_plot_collinearity_draws_without_showing_and_changes_with_the_correlation(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plot_collinearity must not call plt.show()"))
    axes = linear.plot_collinearity(0.0, n_resamples=10)
    assert len(axes) == 3 and all(isinstance(ax, matplotlib.axes.Axes) for ax in axes)
    assert all(ax.get_title() and ax.get_xlabel() and ax.get_ylabel() for ax in axes)
    assert "0.00" in axes[0].get_title()
    other = linear.plot_collinearity(0.9, n_resamples=10)
    assert "0.90" in other[0].get_title()
    before, after = _drawn(axes), _drawn(other)
    assert not np.allclose(before[0], after[0])  # the features
    assert not np.allclose(before[1], after[1])  # the weights
    # fixed limits so that pictures for different correlations compare
    assert axes[1].get_xlim() == other[1].get_xlim()


def test_plot_collinearity_draws_on_given_axes():
    fig, axes = plt.subplots(2, 3)
    returned = linear.plot_collinearity(0.5, n_resamples=5, axes=axes[1])
    assert all(a is b for a, b in zip(returned, axes[1]))
    assert not axes[0, 0].collections and axes[1, 0].collections
    with pytest.raises(ValueError, match=r"axes must hold 3 axes .*got 2"):
        linear.plot_collinearity(0.5, n_resamples=5, axes=axes[0, :2])


# --- standardized weights -----------------------------------------------------------------------


def _binary_data(seed=0, n=300):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 50.0, 0.01] + [0.0, 100.0, 5.0]  # very different units
    logit = X[:, 0] - 0.02 * (X[:, 1] - 100.0) + 80.0 * (X[:, 2] - 5.0)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


def test_standardized_weights_match_a_scikit_learn_pipeline():
    X, y = _binary_data()
    pipe = make_pipeline(StandardScaler(), LogisticRegression(C=0.5, tol=1e-10, max_iter=10_000)).fit(X, y)
    np.testing.assert_allclose(linear.standardized_weights(X, y, C=0.5), pipe[-1].coef_[0], rtol=1e-5, atol=1e-7)


def test_standardized_weights_are_raw_weights_times_the_standard_deviation():
    # Without a penalty, the fit is the same model in other units: w_std = w_raw * sd.
    X, y = _binary_data(seed=1)
    logistic = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    raw = logistic.fit((X - X.mean(0)), y).coef_[0]
    np.testing.assert_allclose(linear.standardized_weights(X, y, C=1e12), raw * X.std(axis=0), rtol=1e-4)


def test_bootstrap_weights_vary_around_the_full_fit_and_are_reproducible():
    X, y = _binary_data(seed=2)
    boot = linear.bootstrap_standardized_weights(X, y, n_resamples=8, seed=4)
    assert boot.shape == (8, 3)
    assert np.all(boot.std(axis=0) > 0)
    assert np.all(np.abs(boot.mean(axis=0) - linear.standardized_weights(X, y)) < 3 * boot.std(axis=0) + 1e-9)
    np.testing.assert_array_equal(boot, linear.bootstrap_standardized_weights(X, y, n_resamples=8, seed=4))


def test_standardized_weights_errors():
    X, y = _binary_data()
    with pytest.raises(ValueError, match=r"X must be a 2-D array.*got shape \(3,\).*X\[None\]"):
        linear.standardized_weights(X[0], y[:1])
    with pytest.raises(ValueError, match=r"y must have shape \(300,\).*got shape \(299,\)"):
        linear.standardized_weights(X, y[:-1])
    with pytest.raises(ValueError, match=r"y must hold two classes.*got 3"):
        linear.standardized_weights(X, np.arange(300) % 3)
    X_const = X.copy()
    X_const[:, 1] = 7.0
    with pytest.raises(ValueError, match=r"feature\(s\) \[1\] are constant.*drop them"):
        linear.standardized_weights(X_const, y)


def test_plot_weights_sorts_by_magnitude_and_marks_highlights():
    ax = linear.plot_weights(
        np.array([0.5, -2.0, 1.0]),
        ["a", "b", "c"],
        spread=np.array([0.1, 0.2, 0.3]),
        highlight=np.array([False, True, False]),
        highlight_label="flagged",
    )
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["a", "c", "b"]  # largest magnitude on top
    widths = [p.get_width() for p in ax.patches[:3]]
    assert widths == [0.5, 1.0, -2.0]
    assert [p.get_hatch() for p in ax.patches[:3]] == [None, None, "///"]
    assert "flagged" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert (
        linear.plot_weights(np.array([0.5, -2.0, 1.0]), ["a", "b", "c"], top=2).get_yticklabels()[-1].get_text() == "b"
    )


def test_plot_weights_errors():
    with pytest.raises(ValueError, match=r"one name per weight; got shape \(3,\) and 2 names"):
        linear.plot_weights(np.ones(3), ["a", "b"])
    with pytest.raises(ValueError, match=r"spread must have the shape of weights"):
        linear.plot_weights(np.ones(3), ["a", "b", "c"], spread=np.ones(2))
    with pytest.raises(ValueError, match=r"highlight must be a boolean mask"):
        linear.plot_weights(np.ones(3), ["a", "b", "c"], highlight=[True])
