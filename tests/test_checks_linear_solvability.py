"""Every outcome of the checks of notebook 01_linear_solvability, including each targeted hint."""

import numpy as np
import pytest

from course_utils.checks import CORRECT, CRASHED, NOT_ATTEMPTED, WRONG
from course_utils.checks import linear_solvability as check


def _text(result):
    return "\n".join((result.message, *result.details))


def not_attempted(*args):
    raise NotImplementedError()


# --- Exercise 1: unique or not? ----------------------------------------------------------------


def rank_vs_columns(A):
    return np.linalg.matrix_rank(A) == A.shape[1]


def test_uniqueness_reference_answers_match_a_hand_count():
    # independent square, dependent 4×4, scaled identity, tall independent, wide, °C/°F
    assert [check.reference_is_uniquely_solvable(A) for _, A, _ in check._uniqueness_cases()] == [
        True, False, True, True, False, False,
    ]


def test_uniqueness_correct():
    result = check.is_uniquely_solvable(rank_vs_columns)
    assert result.status == CORRECT, str(result)
    assert check.is_uniquely_solvable(lambda A: bool(np.linalg.matrix_rank(A) == A.shape[1]))


def test_uniqueness_not_attempted():
    assert check.is_uniquely_solvable(not_attempted).status == NOT_ATTEMPTED


def test_uniqueness_determinant_compared_with_zero():
    result = check.is_uniquely_solvable(lambda A: np.linalg.det(A) != 0)
    assert result.status == WRONG
    dependent = check._uniqueness_cases()[1][1]
    if np.linalg.det(dependent) != 0:  # rounding leaves a tiny non-zero determinant (the usual case)
        assert "never compare a determinant with 0" in _text(result)
    else:  # this BLAS happened to hit 0 exactly: the tall system then exposes the slip
        assert "exist only for square matrices" in _text(result)


def test_uniqueness_determinant_threshold_depends_on_scale():
    result = check.is_uniquely_solvable(lambda A: abs(np.linalg.det(A)) > 1e-9)
    assert result.status == WRONG
    assert "0.1 × the 10×10 identity" in result.message
    assert "depends on the units" in _text(result)


def test_uniqueness_determinant_on_a_tall_matrix():
    def det_then_rank(A):
        return bool(np.linalg.matrix_rank(A) == A.shape[1]) if A.shape == (4, 4) else abs(np.linalg.det(A)) > 1e-12

    result = check.is_uniquely_solvable(det_then_rank)
    assert result.status == WRONG
    assert "LinAlgError" in result.message
    assert "exist only for square matrices" in _text(result)


def test_uniqueness_rank_compared_with_rows():
    result = check.is_uniquely_solvable(lambda A: np.linalg.matrix_rank(A) == A.shape[0])
    assert result.status == WRONG
    assert "tall system" in result.message
    assert "not the number of rows" in _text(result)


def test_uniqueness_full_rank_is_not_enough_for_a_wide_system():
    result = check.is_uniquely_solvable(lambda A: np.linalg.matrix_rank(A) == min(A.shape))
    assert result.status == WRONG
    assert "wide system" in result.message
    assert "Full rank is not enough" in _text(result)


def test_uniqueness_shape_alone():
    result = check.is_uniquely_solvable(lambda A: A.shape[0] >= A.shape[1])
    assert result.status == WRONG
    assert "4 × 4 system" in result.message and "rank 3 < 4 columns" in _text(result)


def test_uniqueness_returns_the_rank_instead_of_a_boolean():
    result = check.is_uniquely_solvable(lambda A: np.linalg.matrix_rank(A))
    assert result.status == WRONG
    assert "should return True or False" in result.message
    assert "matrix_rank(A) == A.shape[1]" in _text(result)


def test_uniqueness_forgot_return():
    result = check.is_uniquely_solvable(lambda A: None)
    assert result.status == WRONG and "forget `return`" in result.message


def test_uniqueness_crashed():
    result = check.is_uniquely_solvable(lambda A: np.linalg.matrix_rnak(A) == A.shape[1])
    assert result.status == CRASHED
    assert "AttributeError" in _text(result)


# --- Exercise 2: normal equations ---------------------------------------------------------------


def test_normal_equations_reference_answer_matches_sklearn():
    from sklearn.linear_model import LinearRegression

    A, b = check._system()
    expected = LinearRegression(fit_intercept=False).fit(A, b).coef_
    np.testing.assert_allclose(np.linalg.solve(A.T @ A, A.T @ b), expected, rtol=1e-10)


def test_normal_equations_correct():
    assert check.normal_equations(lambda A, b: np.linalg.solve(A.T @ A, A.T @ b)).status == CORRECT
    assert check.normal_equations(lambda A, b: np.linalg.inv(A.T @ A) @ A.T @ b).status == CORRECT


def test_normal_equations_not_attempted():
    assert check.normal_equations(not_attempted).status == NOT_ATTEMPTED


def test_normal_equations_solve_on_a_non_square_matrix():
    result = check.normal_equations(lambda A, b: np.linalg.solve(A, b))
    assert result.status == WRONG
    assert "needs a square A" in _text(result)


@pytest.mark.parametrize("slip", [
    lambda A, b: np.linalg.solve(A @ A, A.T @ b),  # forgot the transpose on the left
    lambda A, b: np.linalg.solve(A.T @ A, b),  # forgot A.T on the right-hand side
])
def test_normal_equations_forgotten_transpose(slip):
    result = check.normal_equations(slip)
    assert result.status == WRONG
    assert "probably a missing transpose" in _text(result)


def test_normal_equations_wrong_side_gram_matrix():
    # A @ A.T is 6 × 6 of rank 3: LAPACK either reports it singular or returns 6 numbers.
    result = check.normal_equations(lambda A, b: np.linalg.solve(A @ A.T, b))
    assert result.status == WRONG
    assert "A @ A.T" in _text(result)


def test_normal_equations_returned_the_predictions():
    result = check.normal_equations(lambda A, b: A @ np.linalg.solve(A.T @ A, A.T @ b))
    assert result.status == WRONG
    assert "one per equation" in result.message and "predictions A @ x" in _text(result)


def test_normal_equations_divided_by_a_matrix():
    result = check.normal_equations(lambda A, b: (A.T @ b) / (A.T @ A))
    assert result.status == WRONG
    assert "divides entry by entry" in _text(result)


def test_normal_equations_each_column_on_its_own():
    result = check.normal_equations(lambda A, b: np.array([A[:, j] @ b / (A[:, j] @ A[:, j]) for j in range(A.shape[1])]))
    assert result.status == WRONG
    assert "fits each column on its own" in _text(result)


def test_normal_equations_sign_flipped():
    result = check.normal_equations(lambda A, b: np.linalg.solve(A.T @ A, -A.T @ b))
    assert result.status == WRONG
    assert "sign is flipped" in _text(result)


def test_normal_equations_lstsq_tuple():
    result = check.normal_equations(lambda A, b: np.linalg.lstsq(A, b, rcond=None))
    assert result.status == WRONG
    assert "returns (solution, residuals, rank, singular values)" in _text(result)


def test_normal_equations_other_wrong_answer_gets_the_orthogonality_hint():
    result = check.normal_equations(lambda A, b: np.linalg.solve(A.T @ A, A.T @ b) + 0.1)
    assert result.status == WRONG
    assert "orthogonal to every column" in _text(result)


def test_normal_equations_crashed():
    result = check.normal_equations(lambda A, b: np.linalg.solve(A.T @ A, A.T @ c))  # noqa: F821
    assert result.status == CRASHED
    assert "NameError" in _text(result)


# --- Exercise 3: condition number ---------------------------------------------------------------


def _singular_values(A):
    return np.linalg.svd(A, compute_uv=False)


def test_condition_number_references_match_numpy():
    # σ_max / σ_min = sqrt(λ_max / λ_min) of the symmetric A.T @ A
    for _, A in check._matrices():
        eig = np.linalg.eigvalsh(A.T @ A)
        assert check.condition_number(lambda M: np.sqrt(eig.max() / eig.min()) if M.shape == A.shape else np.linalg.cond(M))
        assert np.linalg.cond(A) == pytest.approx(np.sqrt(eig.max() / eig.min()), rel=1e-9)


def test_condition_number_correct():
    assert check.condition_number(lambda A: _singular_values(A)[0] / _singular_values(A)[-1]).status == CORRECT
    assert check.condition_number(np.linalg.cond).status == CORRECT


def test_condition_number_not_attempted():
    assert check.condition_number(not_attempted).status == NOT_ATTEMPTED


@pytest.mark.parametrize(("slip", "hint"), [
    (lambda A: _singular_values(A)[-1] / _singular_values(A)[0], "upside down"),
    (lambda A: np.linalg.cond(A.T @ A), "the square of A's"),
    (lambda A: _singular_values(A)[0] / _singular_values(A)[1], "the smallest is the last one"),
    (lambda A: np.abs(np.linalg.eigvals(A)).max() / np.abs(np.linalg.eigvals(A)).min(), "only for symmetric matrices"),
    (lambda A: np.linalg.cond(A, "fro"), "Frobenius norm"),
    (lambda A: _singular_values(A), "s[0] / s[-1]"),
])
def test_condition_number_targeted_hints(slip, hint):
    result = check.condition_number(slip)
    assert result.status == WRONG
    assert hint in _text(result)


def test_condition_number_inverse_on_a_tall_matrix():
    def via_inverse(A):
        return np.linalg.norm(A, 2) * np.linalg.norm(np.linalg.inv(A), 2)  # right for square A only

    result = check.condition_number(via_inverse)
    assert result.status == WRONG
    assert "tall data matrix" not in result.message  # the square case passed
    assert "Singular values exist for every shape" in _text(result)


def test_condition_number_crashed():
    result = check.condition_number(lambda A: np.linalg.svd(A)[3])
    assert result.status == CRASHED
    assert "IndexError" in _text(result)
