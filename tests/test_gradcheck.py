"""course_utils.gradcheck against closed-form derivatives and hand-computed tables."""

import numpy as np
import pandas as pd
import pytest

from course_utils.gradcheck import compare_gradients, numerical_gradient, relative_error


def test_numerical_gradient_matches_closed_form_derivatives():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4))
    np.testing.assert_allclose(numerical_gradient(lambda v: np.sin(v).sum(), x), np.cos(x), rtol=1e-8, atol=1e-10)
    A = rng.normal(size=(5, 5))
    v = rng.normal(size=5)
    np.testing.assert_allclose(numerical_gradient(lambda u: u @ A @ u, v), (A + A.T) @ v, rtol=1e-7, atol=1e-9)
    w = rng.normal(size=4)
    np.testing.assert_allclose(numerical_gradient(lambda u: np.log1p(np.exp(u @ w)), w.copy()),
                               w / (1 + np.exp(-(w @ w))), rtol=1e-7)


def test_numerical_gradient_is_centred_with_error_h_squared():
    # For f(x) = x³ the centred difference is exactly 3x² + h²; a forward difference would be 3x² + 3xh + h².
    x = np.array([0.5, -1.0, 2.0])
    h = 1e-2
    np.testing.assert_allclose(numerical_gradient(lambda v: (v**3).sum(), x, h=h), 3 * x**2 + h**2, rtol=1e-10)


def test_numerical_gradient_restores_x_and_supports_closures_and_views():
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()
    grad = numerical_gradient(lambda _: (x**2).sum(), x)  # f ignores its argument, reads the closure
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(grad, 2 * before, atol=1e-8)
    view = x[:, ::2]  # non-contiguous view, shape (2, 2)
    np.testing.assert_allclose(numerical_gradient(lambda v: (v**2).sum(), view), 2 * view, atol=1e-8)
    np.testing.assert_array_equal(x, before)
    assert float(numerical_gradient(lambda v: float(v) ** 2, np.array(3.0))) == pytest.approx(6.0)


def test_numerical_gradient_errors_say_how_to_fix_the_call():
    with pytest.raises(TypeError, match=r"float array .* dtype int64.*np.asarray\(x, dtype=np.float64\)"):
        numerical_gradient(lambda v: v.sum(), np.arange(3))
    with pytest.raises(TypeError, match="got list"):
        numerical_gradient(lambda v: sum(v), [1.0, 2.0])
    with pytest.raises(ValueError, match=r"f should return a scalar .* shape \(3,\).*\.mean\(\)"):
        numerical_gradient(lambda v: v**2, np.ones(3))
    with pytest.raises(ValueError, match="h should be a small positive step"):
        numerical_gradient(lambda v: v.sum(), np.ones(3), h=0.0)


def test_relative_error_formula_by_hand():
    a, b = np.array([1.0, 2.0]), np.array([1.0, 2.2])
    assert relative_error(a, b) == pytest.approx(0.2 / 4.2)  # max|a-b| / max(|a|+|b|)
    assert relative_error(b, a) == relative_error(a, b)
    assert relative_error(np.array([3.0, -1.0]), np.array([-3.0, 1.0])) == pytest.approx(1.0)  # opposite signs
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    # Entries near zero are judged on the array's scale: 1e-9 off where the gradient is ~0.
    assert relative_error(np.array([1.0, 0.0]), np.array([1.0, 1e-9])) == pytest.approx(1e-9 / 2.0)
    assert relative_error(np.array(2.0), np.array(2.0)) == 0.0


def test_relative_error_shape_mismatch():
    with pytest.raises(ValueError, match=r"same shape; got \(2,\) and \(3,\)"):
        relative_error(np.ones(2), np.ones(3))


def test_compare_gradients_table():
    analytic = {"W1": np.array([[1.0, 2.0], [3.0, 4.0]]), "b1": np.array([0.5, -0.5])}
    numeric = {"b1": np.array([0.5, -0.5]), "W1": np.array([[1.0, 2.0], [3.0, 4.0 + 1e-9]])}
    table = compare_gradients(analytic, numeric)
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == ["name", "shape", "exact", "close", "max abs diff", "relative error"]
    assert list(table["name"]) == ["W1", "b1"]  # order of `analytic`
    assert table["shape"].tolist() == [(2, 2), (2,)]
    assert table["exact"].tolist() == [False, True]
    assert table["close"].tolist() == [True, True]
    assert table.loc[0, "max abs diff"] == pytest.approx(1e-9, rel=1e-6)
    assert table.loc[0, "relative error"] == pytest.approx(1e-9 / 8.0, rel=1e-6)
    assert table.loc[1, "relative error"] == 0.0
    wrong = compare_gradients(analytic, {"W1": -analytic["W1"], "b1": analytic["b1"]})
    assert wrong["close"].tolist() == [False, True]
    assert wrong.loc[0, "relative error"] == pytest.approx(1.0)


def test_compare_gradients_errors():
    with pytest.raises(ValueError, match=r"same parameters; missing from numeric: \['b1'\]"):
        compare_gradients({"W1": np.ones(2), "b1": np.ones(2)}, {"W1": np.ones(2)})
    with pytest.raises(ValueError, match=r"'W1' has shape \(2,\) in analytic but \(2, 1\) in numeric"):
        compare_gradients({"W1": np.ones(2)}, {"W1": np.ones((2, 1))})
