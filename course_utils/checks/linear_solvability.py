"""Checks for notebook 01_linear_solvability.

Three exercises: decide from the rank whether a system has a unique solution
(:func:`is_uniquely_solvable`), solve least squares through the normal equations
(:func:`normal_equations`), and compute a condition number from singular values
(:func:`condition_number`). Each check recognizes the usual slips — a determinant compared with
0, ``np.linalg.solve`` on a non-square matrix, a forgotten transpose, an inverted ratio — and
says what to change.
"""

from __future__ import annotations

import numpy as np

from course_utils.checks import CheckResult, Wrong, call, exercise, expect_close, show

__all__ = ["is_uniquely_solvable", "normal_equations", "condition_number"]

_SQUARE_ONLY = "Last 2 dimensions of the array must be square"


# --- Exercise 1: unique or not? ----------------------------------------------------------------


def reference_is_uniquely_solvable(A: np.ndarray) -> bool:
    """True when ``A`` has full column rank: ``A @ x = b`` has at most one (least-squares) solution."""
    A = np.asarray(A, dtype=float)
    return bool(np.linalg.matrix_rank(A) == A.shape[1])


def _uniqueness_cases() -> list[tuple[str, np.ndarray, str]]:
    """(description, A, hint when answered wrongly); the expected answer is the reference's."""
    first3 = np.array([[0.3, 0.8, 0.3], [0.9, 0.4, -0.5], [0.4, 0.3, 0.0], [-0.7, -0.2, -0.5]])
    rounded = np.column_stack([first3, first3 @ [0.1, 0.7, -0.3]])  # (4, 4), dependent; det ≈ 1e-17, not 0
    celsius = np.array([12.0, 18.5, 21.0, 25.5, 30.0, 33.5])
    return [
        ("a square system with independent columns, [[2, 1, 0], [1, 2, 1], [0, 1, 2]]",
         np.array([[2.0, 1.0, 0.0], [1.0, 2.0, 1.0], [0.0, 1.0, 2.0]]),
         "its columns are independent (rank 3 = 3 columns), so the solution is unique. Compare "
         "np.linalg.matrix_rank(A) with the number of columns, A.shape[1]."),
        ("a 4 × 4 system whose last column is 0.1 × the first + 0.7 × the second − 0.3 × the third",
         rounded,
         "the columns are dependent (rank 3 < 4 columns), so the solution is not unique. If you used "
         "the determinant: rounding makes det(A) a tiny number such as 1e-17 rather than exactly 0 — "
         "never compare a determinant with 0. Use np.linalg.matrix_rank(A), which decides with a tolerance."),
        ("0.1 × the 10×10 identity matrix (its determinant is 1e-10)",
         0.1 * np.eye(10),
         "a tiny determinant does not mean (nearly) singular: det(0.1·I) = 0.1¹⁰ only because of "
         "the scale, and every column is independent. A determinant threshold depends on the units; "
         "the rank does not."),
        ("a tall system: 6 equations, 3 unknowns, independent columns",
         np.column_stack([np.ones(6), celsius, celsius**2 / 10]),
         "with more equations than unknowns the least-squares solution is unique exactly when the "
         "columns are independent: compare the rank with the number of columns (unknowns), A.shape[1], "
         "not the number of rows."),
        ("a wide system: 2 equations, 3 unknowns",
         np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0]]),
         "2 equations cannot pin down 3 unknowns: some direction changes x without changing A @ x. "
         "Full rank is not enough — the rank must equal the number of columns, A.shape[1]."),
        ("a tall system with an intercept column, °C and °F (°F = 1.8 °C + 32)",
         np.column_stack([np.ones(6), celsius, 1.8 * celsius + 32.0]),
         "the °F column is 1.8 × the °C column + 32 × the intercept column, so the rank is 2 < 3 "
         "columns: infinitely many weight vectors fit equally well."),
    ]


@exercise("Exercise 1 — unique or not?")
def is_uniquely_solvable(fn) -> CheckResult:
    """Check ``fn(A)`` says whether ``A`` has full column rank, on six systems."""
    crash_hints = (
        (np.linalg.LinAlgError, _SQUARE_ONLY,
         "the determinant (and the inverse) exist only for square matrices, but systems can be tall "
         "or wide. The rank exists for every shape: compare np.linalg.matrix_rank(A) with A.shape[1]."),
    )
    for description, A, hint in _uniqueness_cases():
        got = call(fn, A.copy(), name="is_uniquely_solvable", crash_hints=crash_hints)
        if not isinstance(got, (bool, np.bool_)):
            raise Wrong(
                f"is_uniquely_solvable should return True or False, got {type(got).__name__} {show(got)}.",
                f"for: {description}",
                hint="turn the rank into an answer: return np.linalg.matrix_rank(A) == A.shape[1].",
            )
        expected = reference_is_uniquely_solvable(A)
        if bool(got) != expected:
            raise Wrong(f"wrong answer for {description}.", f"expected: {expected}", f"received: {bool(got)}", hint=hint)
    return "correct — the solution is unique exactly when the rank equals the number of columns."


# --- Exercise 2: least squares through the normal equations --------------------------------------


def _system() -> tuple[np.ndarray, np.ndarray]:
    A = np.array([[1.0, 0.0, 1.0], [1.0, 1.0, 0.0], [1.0, 2.0, 1.0], [1.0, 3.0, 0.0], [1.0, 4.0, 2.0], [1.0, 5.0, 1.0]])  # (6, 3)
    b = np.array([1.0, 2.0, 2.0, 4.0, 5.0, 5.0])  # (6,)
    return A, b


@exercise("Exercise 2 — least squares via the normal equations")
def normal_equations(fn) -> CheckResult:
    """Check ``fn(A, b)`` returns the least-squares solution of a tall (6, 3) system."""
    A, b = _system()
    n, d = A.shape
    crash_hints = (
        (np.linalg.LinAlgError, _SQUARE_ONLY,
         "np.linalg.solve(A, b) needs a square A, one equation per unknown; here A is tall (6 × 3). "
         "Multiply both sides by A.T first: solve the 3 × 3 system np.linalg.solve(A.T @ A, A.T @ b)."),
        (ValueError, "mismatch",
         f"the shapes do not line up — probably a missing transpose. With A of shape ({n}, {d}): "
         f"A.T @ A is ({d}, {d}) and the right-hand side A.T @ b is ({d},)."),
        (np.linalg.LinAlgError, "Singular matrix",
         f"the matrix you solved with is singular. A.T @ A ({d} × {d}) is invertible when the columns "
         f"of A are independent; A @ A.T ({n} × {n}) never is when there are more rows than columns."),
    )
    got = call(fn, A.copy(), b.copy(), name="normal_equations", crash_hints=crash_hints)
    if isinstance(got, tuple):
        raise Wrong(
            f"normal_equations returned a tuple of {len(got)} things.",
            hint="np.linalg.lstsq returns (solution, residuals, rank, singular values) — but here, solve "
                 "the normal equations yourself with np.linalg.solve(A.T @ A, A.T @ b).",
        )
    shape = np.shape(got) if got is not None else None
    if shape == (n,):
        raise Wrong(
            f"normal_equations returned {n} numbers — one per equation (row) — but x has one entry per "
            f"unknown (column): {d}.",
            f"received: {show(np.asarray(got))}",
            hint="did you return the predictions A @ x, or solve with A @ A.T? The normal equations are "
                 "(A.T @ A) x = A.T @ b, a system of size d × d.",
        )
    if shape == (d, d):
        raise Wrong(
            f"normal_equations returned a {d} × {d} matrix, expected a vector of {d} numbers.",
            hint="dividing by a matrix divides entry by entry; to 'divide' by A.T @ A, solve the system: "
                 "np.linalg.solve(A.T @ A, A.T @ b).",
        )
    expected = np.linalg.lstsq(A, b, rcond=None)[0]
    mistakes = (
        ((A.T @ b) / (A**2).sum(axis=0),
         "that fits each column on its own (x_j = a_jᵀb / a_jᵀa_j). The columns share information, so "
         "they must be fitted jointly: solve (A.T @ A) x = A.T @ b."),
        (-expected,
         "the sign is flipped: the normal equations are (A.T @ A) x = A.T @ b, from setting the "
         "gradient 2 A.T (A x - b) to zero."),
    )
    expect_close(got, expected, name="normal_equations(A, b)", mistakes=mistakes,
                 hint="the residual b - A @ x of the least-squares solution is orthogonal to every column: "
                      "A.T @ (b - A @ x) = 0. Solve (A.T @ A) x = A.T @ b with np.linalg.solve.")
    return "correct — the residual is now orthogonal to every column of A."


# --- Exercise 3: the condition number -----------------------------------------------------------


def _matrices() -> list[tuple[str, np.ndarray]]:
    square = np.array([[1.0, 4.0, 0.0], [0.0, 1.0, 4.0], [0.0, 0.0, 1.0]])  # eigenvalues all 1, cond ≈ 4e1
    x1 = np.array([-1.5, -1.0, -0.4, 0.0, 0.3, 0.8, 1.1, 1.6])
    x2 = x1 + np.array([0.2, -0.1, 0.15, -0.2, 0.1, -0.05, 0.2, -0.15])  # nearly a copy of x1
    tall = np.column_stack([x1, x2])  # (8, 2)
    return [("a square, non-symmetric 3 × 3 matrix", square), ("a tall data matrix (8 × 2) with correlated columns", tall)]


@exercise("Exercise 3 — the condition number")
def condition_number(fn) -> CheckResult:
    """Check ``fn(A)`` returns σ_max / σ_min (the 2-norm condition number) on a square and a tall matrix."""
    crash_hints = (
        (np.linalg.LinAlgError, _SQUARE_ONLY,
         "eigenvalues, determinants and inverses exist only for square matrices; a data matrix is tall. "
         "Singular values exist for every shape: s = np.linalg.svd(A, compute_uv=False)."),
    )
    for description, A in _matrices():
        got = call(fn, A.copy(), name="condition_number", crash_hints=crash_hints)
        s = np.linalg.svd(A, compute_uv=False)  # descending
        if np.shape(got) == s.shape and got is not None:
            raise Wrong(
                f"condition_number returned {len(s)} numbers for {description}; expected one.",
                hint="return the ratio of the largest to the smallest singular value, s[0] / s[-1].",
            )
        mistakes = [
            (s[-1] / s[0], "the ratio is upside down: the condition number is largest / smallest singular "
                           "value, so it is at least 1 (and huge for a nearly singular matrix)."),
            ((s[0] / s[-1]) ** 2, "that is the condition number of A.T @ A, which is the square of A's — exactly "
                                  "why the normal equations lose accuracy. Use the singular values of A itself."),
            (s[0] / s[1], "np.linalg.svd sorts singular values from largest to smallest, so the smallest is "
                          "the last one, s[-1], not s[1]."),
        ]
        if A.shape[0] == A.shape[1]:
            eig = np.abs(np.linalg.eigvals(A))
            mistakes += [
                (eig.max() / eig.min(), "eigenvalues give the condition number only for symmetric matrices. This "
                                        "matrix has all eigenvalues 1 yet is far from well-conditioned; use singular "
                                        "values: np.linalg.svd(A, compute_uv=False)."),
                (np.linalg.norm(A, "fro") * np.linalg.norm(np.linalg.inv(A), "fro"),
                 "that uses the Frobenius norm; the condition number of the course (and np.linalg.cond's default) "
                 "uses the 2-norm: largest singular value / smallest singular value."),
            ]
        expect_close(got, s[0] / s[-1], name=f"condition_number for {description}", mistakes=tuple(mistakes),
                     hint="take the singular values s = np.linalg.svd(A, compute_uv=False) and return s[0] / s[-1].")
    return "correct — σ_max / σ_min, the factor by which relative errors in b can grow in x."
