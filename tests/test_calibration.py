"""course_utils.calibration against hand-computed bins and an independent optimum condition."""

import numpy as np
import pytest
from scipy.optimize import brentq

from course_utils.calibration import apply_temperature, expected_calibration_error, fit_temperature, nll, reliability


def test_reliability_bins_and_ece_by_hand():
    p = np.array([[0.95, 0.05], [0.92, 0.08], [0.35, 0.65], [0.45, 0.55], [0.7, 0.3]])
    y = np.array([0, 1, 1, 1, 0])
    r = reliability(p, y, n_bins=5)  # bins of width 0.2; confidences 0.95, 0.92, 0.65, 0.55, 0.7
    assert r.counts.tolist() == [0, 0, 1, 2, 2]
    np.testing.assert_allclose(r.mean_confidence[2:], [0.55, 0.675, 0.935])
    np.testing.assert_allclose(r.accuracy[2:], [1.0, 1.0, 0.5])
    assert np.isnan(r.accuracy[:2]).all() and np.isnan(r.mean_confidence[:2]).all()  # empty bins: no value
    by_hand = 1 / 5 * 0.45 + 2 / 5 * 0.325 + 2 / 5 * 0.435
    assert r.ece == pytest.approx(by_hand)
    assert expected_calibration_error(p, y, n_bins=5) == pytest.approx(by_hand)


def test_confidence_of_one_falls_in_the_last_bin():
    r = reliability(np.array([[1.0, 0.0]]), np.array([0]), n_bins=10)
    assert r.counts[-1] == 1 and r.ece == pytest.approx(0.0)


def _overconfident_logits(seed=0, n=400, k=5):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    z = rng.normal(size=(n, k))
    z[np.arange(n), y] += 1.5  # informative but noisy ...
    return 4.0 * z, y  # ... and scaled up: overconfident


def test_fit_temperature_satisfies_the_first_order_condition():
    # d NLL / dT = 0  <=>  mean z_y = mean sum_k softmax(z/T)_k z_k (no optimizer involved)
    z, y = _overconfident_logits()

    def gradient_sign(t):
        p = apply_temperature(z, t)
        return np.mean(z[np.arange(len(z)), y]) - np.mean(np.sum(p * z, axis=1))

    root = brentq(gradient_sign, 0.1, 50.0, xtol=1e-10)
    t = fit_temperature(z, y)
    assert t == pytest.approx(root, rel=1e-4)
    assert t > 1  # overconfident logits are softened
    grid = np.linspace(0.5 * t, 2 * t, 301)
    assert nll(z, y, temperature=t) <= min(nll(z, y, temperature=g) for g in grid) + 1e-9


def test_temperature_lowers_the_ece_and_keeps_the_predictions():
    z, y = _overconfident_logits(seed=1)
    t = fit_temperature(z, y)
    before, after = apply_temperature(z, 1.0), apply_temperature(z, t)
    assert np.array_equal(before.argmax(axis=1), after.argmax(axis=1))
    assert expected_calibration_error(after, y) < expected_calibration_error(before, y) / 2


def test_nll_by_hand():
    z = np.array([[2.0, 0.0], [0.0, 1.0]])
    by_hand = -(np.log(np.exp(1) / (np.exp(1) + 1)) + np.log(np.exp(0.5) / (1 + np.exp(0.5)))) / 2
    assert nll(z, [0, 1], temperature=2.0) == pytest.approx(by_hand)


def test_errors_say_what_to_pass():
    with pytest.raises(ValueError, match=r"shape \(n, n_classes\); got shape \(3,\)"):
        reliability(np.ones(3), [0, 0, 0])
    with pytest.raises(ValueError, match=r"one class index per example, shape \(2,\); got \(3,\)"):
        reliability(np.eye(2), [0, 1, 1])
    with pytest.raises(ValueError, match="logits_model"):
        fit_temperature(np.ones(4), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="positive number"):
        apply_temperature(np.eye(2), 0.0)
    with pytest.raises(ValueError, match="0 < low < high"):
        fit_temperature(np.eye(2), [0, 1], bounds=(2.0, 1.0))
