"""The wrong answers learners write in notebook 01_linear_solvability, each with its verdict and hint.

Every exercise has: right answers written differently (correct), the slips learners make (wrong,
each with the fragment of its hint), and answers that try to break the check (never "the check
itself failed", and the right answer still passes afterwards).
"""

import numpy as np
import pytest

from course_utils.checks import WRONG
from course_utils.checks import linear_solvability as check
from tests import check_answers as answers
from tests.check_answers import Exercise, text


def _singular_values(A):
    return np.linalg.svd(A, compute_uv=False)


# --- Exercise 1: unique or not? ----------------------------------------------------------------


def rank_vs_columns(A):
    return np.linalg.matrix_rank(A) == A.shape[1]


def rank_from_singular_values(A):
    s = _singular_values(A)
    return bool(np.sum(s > s.max() * max(A.shape) * np.finfo(float).eps) == A.shape[1])


def inverse_or_false(A):
    try:
        np.linalg.inv(A)
        return True
    except np.linalg.LinAlgError:
        return False


def det_then_rank(A):
    return bool(np.linalg.matrix_rank(A) == A.shape[1]) if A.shape == (4, 4) else abs(np.linalg.det(A)) > 1e-12


UNIQUENESS_ALSO_RIGHT = [
    lambda A: bool(np.linalg.matrix_rank(A) == A.shape[1]),
    lambda A: np.linalg.matrix_rank(A.T) >= A.shape[1],
    lambda A: np.array(np.linalg.matrix_rank(A) == A.shape[1]),  # a 0-d boolean array
    rank_from_singular_values,
]

UNIQUENESS_SLIPS = {
    "determinant threshold": (lambda A: abs(np.linalg.det(A)) > 1e-9, "depends on the units"),
    "determinant of a tall matrix": (det_then_rank, "exist only for square matrices"),
    "rank vs rows": (lambda A: np.linalg.matrix_rank(A) == A.shape[0], "not the number of rows"),
    "full rank": (lambda A: np.linalg.matrix_rank(A) == min(A.shape), "Full rank is not enough"),
    "shape alone": (lambda A: A.shape[0] >= A.shape[1], "rank 3 < 4 columns"),
    "inverse exists": (inverse_or_false, "np.linalg.inv may not fail"),
    "singular values above 0": (lambda A: np.sum(_singular_values(A) > 0) == A.shape[1], "never compare them with 0"),
    "absolute tolerance": (
        lambda A: np.sum(_singular_values(A) > 1e-3) == A.shape[1],
        "keep np.linalg.matrix_rank's default tolerance",
    ),
    "tolerance passed to matrix_rank": (
        lambda A: np.linalg.matrix_rank(A, tol=1e-3) == A.shape[1],
        "scales with the largest singular value",
    ),
    "condition number threshold": (lambda A: np.linalg.cond(A) < 1e12, "Full rank is not enough"),
    "the rank itself": (lambda A: np.linalg.matrix_rank(A), "should return True or False"),
    "an int": (lambda A: int(np.linalg.matrix_rank(A) == A.shape[1]), "should return True or False"),
    "a string": (lambda A: str(np.linalg.matrix_rank(A) == A.shape[1]), "should return True or False"),
    "forgot return": (lambda A: None, "did you forget `return`?"),
}


def test_uniqueness_reference_answers_match_a_hand_count():
    # independent square, dependent 4×4, scaled identity, tall independent, wide, °C/°F, random dependent, small units
    assert [check.reference_is_uniquely_solvable(A) for _, A, _ in check._uniqueness_cases()] == [
        True,
        False,
        True,
        True,
        False,
        False,
        False,
        True,
    ]


def test_uniqueness_determinant_compared_with_zero():
    result = check.is_uniquely_solvable(lambda A: np.linalg.det(A) != 0)
    assert result.status == WRONG
    dependent = check._uniqueness_cases()[1][1]
    if np.linalg.det(dependent) != 0:  # rounding leaves a tiny non-zero determinant (the usual case)
        assert "never compare them with 0" in text(result)
    else:  # this BLAS happened to hit 0 exactly: the tall system then exposes the slip
        assert "exist only for square matrices" in text(result)


def test_uniqueness_names_the_system_it_failed_on():
    result = check.is_uniquely_solvable(lambda A: np.linalg.matrix_rank(A) == A.shape[0])
    assert result.details[:3] == (
        "for: a tall system: 6 equations, 3 unknowns, independent columns",
        "expected: True",
        "received: False",
    )


# --- Exercise 2: normal equations ---------------------------------------------------------------


def solve_normal(A, b):
    return np.linalg.solve(A.T @ A, A.T @ b)


def with_lstsq(A, b):
    # the exercise asks for the normal equations, not lstsq
    return np.linalg.lstsq(A, b, rcond=None)[0]


def with_pinv(A, b):
    return np.linalg.pinv(A) @ b


def with_sklearn(A, b):
    from sklearn.linear_model import LinearRegression

    return LinearRegression(fit_intercept=False).fit(A, b).coef_


def mentions_lstsq_in_a_comment(A, b):
    # not np.linalg.lstsq: "lstsq" and pinv in a comment or a string are not calls
    return np.linalg.solve(A.T @ A, A.T @ b)


def a_variable_called_pinv(A, b):
    pinv = np.linalg.inv(A.T @ A)  # a name, not np.linalg.pinv
    return pinv @ (A.T @ b)


def imports_lstsq(A, b):
    from numpy.linalg import lstsq

    return lstsq(A, b, rcond=None)[0]


def with_scipy(A, b):
    import scipy.linalg

    return scipy.linalg.solve(A.T @ A, A.T @ b, assume_a="pos")


NORMAL_EQUATIONS_ALSO_RIGHT = [
    lambda A, b: np.linalg.inv(A.T @ A) @ A.T @ b,
    lambda A, b: np.linalg.solve(A.T @ A, A.T) @ b,
    lambda A, b: np.linalg.solve(np.einsum("ij,ik->jk", A, A), b @ A),
    with_scipy,
    mentions_lstsq_in_a_comment,
    a_variable_called_pinv,
]

NORMAL_EQUATIONS_SLIPS = {
    "solve on the tall A": (lambda A, b: np.linalg.solve(A, b), "needs a square A"),
    "right-hand side left as b": (
        lambda A, b: np.linalg.solve(A.T @ A, b),
        "the right-hand side must be A.T @ b, not b",
    ),
    "A @ A instead of A.T @ A": (lambda A, b: np.linalg.solve(A @ A, A.T @ b), "probably a missing transpose"),
    "A @ b instead of A.T @ b": (lambda A, b: np.linalg.solve(A.T @ A, A @ b), "probably a missing transpose"),
    "the wrong Gram matrix": (lambda A, b: np.linalg.solve(A @ A.T, A.T @ b), "the normal equations use A.T @ A"),
    "the wrong Gram matrix, b": (lambda A, b: np.linalg.solve(A @ A.T, b), "A @ A.T"),
    "* for the Gram matrix": (lambda A, b: np.linalg.solve(A.T * A, A.T @ b), "a matrix product is @"),
    "* for the right-hand side": (lambda A, b: np.linalg.solve(A.T @ A, A.T * b), "A.T * b multiplies entry by entry"),
    "returned the predictions": (lambda A, b: A @ solve_normal(A, b), "predictions A @ x"),
    "divided by a matrix": (lambda A, b: (A.T @ b) / (A.T @ A), "divides entry by entry"),
    "each column on its own": (
        lambda A, b: np.array([A[:, j] @ b / (A[:, j] @ A[:, j]) for j in range(A.shape[1])]),
        "fits each column on its own",
    ),
    "sign flipped": (lambda A, b: np.linalg.solve(A.T @ A, -A.T @ b), "sign is flipped"),
    "a column vector": (lambda A, b: np.linalg.solve(A.T @ A, A.T @ b[:, None]), "x.ravel()"),
    "lstsq's whole tuple": (
        lambda A, b: np.linalg.lstsq(A, b, rcond=None),
        "returns (solution, residuals, rank, singular values)",
    ),
    "lstsq": (with_lstsq, "your code calls np.linalg.lstsq"),
    "lstsq imported": (imports_lstsq, "your code calls np.linalg.lstsq"),
    "lstsq in a lambda": (lambda A, b: np.linalg.lstsq(A, b, rcond=None)[0], "your code calls np.linalg.lstsq"),
    "pinv": (with_pinv, "your code calls np.linalg.pinv"),
    "scikit-learn": (with_sklearn, "scikit-learn's LinearRegression"),
    "a list": (lambda A, b: list(solve_normal(A, b)), "got a list"),
    "a string": (lambda A, b: str(solve_normal(A, b)), "got a string"),
    "something else": (lambda A, b: solve_normal(A, b) + 0.1, "orthogonal to every column"),
    "forgot return": (lambda A, b: None, "did you forget `return`?"),
}


def test_normal_equations_reference_answers_match_sklearn():
    from sklearn.linear_model import LinearRegression

    for _, A, b in check._systems():
        expected = LinearRegression(fit_intercept=False).fit(A, b).coef_
        np.testing.assert_allclose(np.linalg.solve(A.T @ A, A.T @ b), expected, rtol=1e-10)
        assert np.linalg.cond(A) < 100  # well conditioned: the normal equations are as accurate as lstsq


def test_normal_equations_every_slip_differs_on_every_system():
    for _, A, b in check._systems():
        x = solve_normal(A, b)
        per_column = (A.T @ b) / (A**2).sum(axis=0)
        assert not np.allclose(per_column, x) and not np.allclose(-x, x) and not np.allclose(per_column, -x)


def test_normal_equations_the_random_system_catches_a_hard_coded_shape():
    def right_for_three_unknowns_only(A, b):
        return solve_normal(A, b) if A.shape[1] == 3 else solve_normal(A[:, :3], b)

    result = check.normal_equations(right_for_three_unknowns_only)
    assert result.status == WRONG and result.details[0] == "for: a random tall system, A of shape (9, 4)"


# --- Exercise 3: condition number ---------------------------------------------------------------


def svd_ratio(A):
    s = _singular_values(A)
    return s[0] / s[-1]


def via_inverse(A):
    return np.linalg.norm(A, 2) * np.linalg.norm(np.linalg.inv(A), 2)  # right for square A only


def sqrt_of_eigenvalue_ratio(A):
    eig = np.linalg.eigvalsh(A.T @ A)  # right for square and tall A; for wide A, A.T @ A is singular
    with np.errstate(invalid="ignore"):
        return np.sqrt(eig.max() / eig.min())


CONDITION_ALSO_RIGHT = [
    np.linalg.cond,
    lambda A: _singular_values(A).max() / _singular_values(A).min(),
    lambda A: float(np.linalg.norm(A, 2) * np.linalg.norm(np.linalg.pinv(A), 2)),
]

CONDITION_SLIPS = {
    "upside down": (lambda A: _singular_values(A)[-1] / _singular_values(A)[0], "upside down"),
    "of A.T @ A": (lambda A: np.linalg.cond(A.T @ A), "κ(A)²"),
    "eigenvalues of A.T @ A without the root": (
        lambda A: np.linalg.eigvalsh(A.T @ A).max() / np.linalg.eigvalsh(A.T @ A).min(),
        "Take the square root",
    ),
    "s[1] for the smallest": (
        lambda A: _singular_values(A)[0] / _singular_values(A)[1],
        "the smallest is the last one",
    ),
    "eigenvalues of A": (
        lambda A: np.abs(np.linalg.eigvals(A)).max() / np.abs(np.linalg.eigvals(A)).min(),
        "only for symmetric matrices",
    ),
    "Frobenius norm": (lambda A: np.linalg.cond(A, "fro"), "Frobenius norm"),
    "Frobenius norm with pinv": (lambda A: np.linalg.norm(A) * np.linalg.norm(np.linalg.pinv(A)), "Frobenius norm"),
    "determinant": (lambda A: abs(np.linalg.det(A)), "the determinant is not the condition number"),
    "1 / determinant": (lambda A: 1 / abs(np.linalg.det(A)), "the determinant is not the condition number"),
    "inverse of a tall matrix": (via_inverse, "Singular values exist for every shape"),
    "A.T @ A for a wide matrix": (sqrt_of_eigenvalue_ratio, "for a wide A, A.T @ A is singular"),
    "the singular values": (_singular_values, "s[0] / s[-1]"),
    "a list": (lambda A: [svd_ratio(A)], "should be one number, got a list"),
    "an array of one": (lambda A: np.array([svd_ratio(A)]), "result.item()"),
    "complex": (lambda A: complex(svd_ratio(A)), "should be one real number, got a complex number"),
    "a string": (lambda A: f"{svd_ratio(A):.3f}", "got a string"),
    "forgot return": (lambda A: None, "did you forget `return`?"),
}


def test_condition_number_references_match_numpy():
    for _, A in check._matrices():
        assert svd_ratio(A) == pytest.approx(np.linalg.cond(A), rel=1e-12)
        if A.shape[0] >= A.shape[1]:  # σ_max / σ_min = sqrt(λ_max / λ_min) of the symmetric A.T @ A
            eig = np.linalg.eigvalsh(A.T @ A)
            assert svd_ratio(A) == pytest.approx(np.sqrt(eig.max() / eig.min()), rel=1e-8)


def test_condition_number_slips_differ_on_every_matrix():
    for _, A in check._matrices():
        s = _singular_values(A)
        values = [value for value, _ in check._condition_slips(A, s)]
        assert not any(np.isclose(value, s[0] / s[-1]) for value in values)


def test_condition_number_inverse_passes_the_square_case_first():
    result = check.condition_number(via_inverse)
    assert result.details[0] == "for: a tall data matrix (8 × 2) with correlated columns"


# --- every answer, every exercise ---------------------------------------------------------------


EXERCISES = {
    "is_uniquely_solvable": Exercise(
        check.is_uniquely_solvable,
        rank_vs_columns,
        UNIQUENESS_ALSO_RIGHT,
        UNIQUENESS_SLIPS,
        generic={"complex array": "should return True or False"},
    ),
    "normal_equations": Exercise(
        check.normal_equations, solve_normal, NORMAL_EQUATIONS_ALSO_RIGHT, NORMAL_EQUATIONS_SLIPS
    ),
    "condition_number": Exercise(
        check.condition_number,
        svd_ratio,
        CONDITION_ALSO_RIGHT,
        CONDITION_SLIPS,
        generic={"complex array": "returned 3 numbers; expected one"},
    ),  # as many as singular values
}


@pytest.mark.parametrize(*answers.params(EXERCISES))
def test_answers(kind, exercise, answer, expected):
    answers.judge(kind, exercise, answer, expected)


def test_the_rounding_hint_reports_what_this_machine_computed():
    """Whether a dependent system's det and smallest singular value come out as 0.0 or as 1e-17 depends on
    the CPU, so the hint says what they are here; exact zeros get no such advice."""
    tiny = np.diag([2.0, 1e-17])  # det 2e-17, singular values 2 and 1e-17, on every machine
    hint = check._rounding_left(tiny)
    assert "det(A) at 2e-17" in hint and "smallest singular value at 1e-17" in hint
    assert "never compare them with 0" in hint
    assert check._rounding_left(np.zeros((3, 3))) == ""
    tall = np.array([[2.0, 0.0], [0.0, 1e-17], [0.0, 0.0]])  # (3, 2): no determinant, singular values 2 and 1e-17
    hint = check._rounding_left(tall)
    assert "det" not in hint and "np.linalg.inv" not in hint and "smallest singular value at 1e-17" in hint
    assert "np.linalg.inv may not fail" in check._rounding_left(tiny)  # only a square matrix has an inverse
