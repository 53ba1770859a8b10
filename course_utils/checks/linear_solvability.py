"""Checks for notebook 01_linear_solvability.

Three exercises: decide from the rank whether a system has a unique solution
(:func:`is_uniquely_solvable`), solve least squares through the normal equations
(:func:`normal_equations`), and compute a condition number from singular values
(:func:`condition_number`). Each check runs on square, tall and wide (or random) matrices and
recognizes the usual slips — a determinant compared with 0, a tolerance that ignores the scale,
rows counted instead of columns, ``np.linalg.solve`` on a non-square matrix, a right-hand side
left without ``A.T``, ``lstsq`` where the normal equations are asked for, an inverted or squared
ratio — and says what to change.
"""

from __future__ import annotations

import inspect
import io
import textwrap
import tokenize

import numpy as np

from course_utils.checks import CheckResult, Wrong, _a, call, exercise
from course_utils.checks._answers import as_array, as_number, case, expect_close, show

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
    rng = np.random.default_rng(7)
    tall = rng.normal(size=(8, 3))  # (8, 3), independent columns
    tiny = 1e-4 * rng.normal(size=(5, 3))  # (5, 3), independent, singular values about 1e-4
    return [
        ("a square system with independent columns, [[2, 1, 0], [1, 2, 1], [0, 1, 2]]",
         np.array([[2.0, 1.0, 0.0], [1.0, 2.0, 1.0], [0.0, 1.0, 2.0]]),
         "its columns are independent (rank 3 = 3 columns), so the solution is unique. Compare "
         "np.linalg.matrix_rank(A) with the number of columns, A.shape[1]."),
        ("a 4 × 4 system whose last column is 0.1 × the first + 0.7 × the second − 0.3 × the third",
         rounded,
         "the columns are dependent (rank 3 < 4 columns), so the solution is not unique."),
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
        ("a random tall system (8 × 3) whose last column is the sum of the first two",
         np.column_stack([tall[:, :2], tall[:, 0] + tall[:, 1]]),
         "the third column is the first plus the second, so the rank is 2 < 3 columns."),
        ("a random tall system (5 × 3) in small units: every entry is about 1e-4",
         tiny,
         "the columns are independent; its singular values are about 1e-4 only because of the units. "
         "A fixed threshold such as s > 1e-3 (or matrix_rank(A, tol=1e-3)) calls them zero — keep "
         "np.linalg.matrix_rank's default tolerance, which scales with the largest singular value."),
    ]


def _rounding_left(A: np.ndarray) -> str:
    """For a dependent ``A``: what rounding left of det(A) and the smallest singular value on this
    machine, with the advice never to compare them with 0 ("" when both came out exactly 0).

    Computed, not written down: whether they come out as 0 or as 1e-17 depends on the CPU's BLAS
    kernels (the 4 × 4 system's smallest singular value is 0.0 on one machine and 1e-17 on another)."""
    smallest = np.linalg.svd(A, compute_uv=False)[-1]
    det = np.linalg.det(A) if A.shape[0] == A.shape[1] else 0.0
    left = [f"det(A) at {det:.0e}"] if det != 0 else []
    left += [f"the smallest singular value at {smallest:.0e}"] if smallest > 0 else []
    if not left:
        return ""
    inverse = " (and np.linalg.inv may not fail)" if A.shape[0] == A.shape[1] else ""
    return (f" Rounding leaves {' and '.join(left)} here rather than exactly 0{inverse}: never compare them "
            "with 0. np.linalg.matrix_rank(A) decides with a tolerance.")


def _as_bool(got) -> bool:
    """The learner's answer as a bool; anything but True/False (or a 0-d boolean array) is a wrong answer."""
    if isinstance(got, np.ndarray) and got.shape == () and got.dtype == bool:
        got = got.item()
    if not isinstance(got, (bool, np.bool_)):
        value = got.item() if isinstance(got, np.generic) else got
        raise Wrong(f"is_uniquely_solvable should return True or False, got {_a(type(got).__name__)}: {show(value)}.",
                    hint="turn the rank into an answer: return np.linalg.matrix_rank(A) == A.shape[1].")
    return bool(got)


@exercise("Exercise 1 — unique or not?")
def is_uniquely_solvable(fn) -> CheckResult:
    """Check ``fn(A)`` says whether ``A`` has full column rank, on eight systems."""
    crash_hints = (
        (np.linalg.LinAlgError, _SQUARE_ONLY,
         "the determinant (and the inverse) exist only for square matrices, but systems can be tall "
         "or wide. The rank exists for every shape: compare np.linalg.matrix_rank(A) with A.shape[1]."),
    )
    for description, A, hint in _uniqueness_cases():
        with case(description):
            got = _as_bool(call(fn, A, name="is_uniquely_solvable", crash_hints=crash_hints))
            expected = reference_is_uniquely_solvable(A)
            if got != expected:
                if not expected:  # a dependent system called unique: perhaps a tiny number taken for non-zero
                    hint += _rounding_left(A)
                raise Wrong(
                    "is_uniquely_solvable gave the wrong answer.",
                    f"expected: {expected}",
                    f"received: {got}",
                    hint=hint,
                )
    return "correct — the solution is unique exactly when the rank equals the number of columns."


# --- Exercise 2: least squares through the normal equations --------------------------------------


def _systems() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(description, A, b): a small hand-made tall system and a random one (n ≠ d, correlated columns)."""
    A = np.array(
        [[1.0, 0.0, 1.0], [1.0, 1.0, 0.0], [1.0, 2.0, 1.0], [1.0, 3.0, 0.0], [1.0, 4.0, 2.0], [1.0, 5.0, 1.0]]
    )  # (6, 3)
    b = np.array([1.0, 2.0, 2.0, 4.0, 5.0, 5.0])  # (6,)
    rng = np.random.default_rng(1)
    A2 = rng.normal(size=(9, 4)) * [1.0, 2.0, 0.5, 1.0] + [0.0, 1.0, 0.0, -1.0]  # (9, 4)
    b2 = A2 @ [0.5, -1.0, 2.0, 0.3] + 0.2 * rng.normal(size=9)  # (9,)
    return [("a tall system, A of shape (6, 3)", A, b), ("a random tall system, A of shape (9, 4)", A2, b2)]


# Functions that compute least squares for you: right numbers, but not the exercise.
_SOLVERS = {
    "lstsq": "np.linalg.lstsq",
    "pinv": "np.linalg.pinv",
    "LinearRegression": "scikit-learn's LinearRegression",
}


def _solvers_called(fn) -> list[str]:
    """The least-squares solvers that the source of ``fn`` calls or looks up (``np.linalg.lstsq``,
    ``lstsq(``), not names in its comments or strings, nor a variable that happens to be called ``pinv``."""
    try:
        source = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError):  # a built-in, or defined where the source is not kept
        return []
    tokens = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            tokens.append(token)
    except (tokenize.TokenError, SyntaxError):  # a lambda's source can stop mid-expression: keep what was read
        pass
    called = set()
    for before, token, after in zip([None, *tokens], tokens, [*tokens[1:], None]):
        if (
            token.type == tokenize.NAME
            and token.string in _SOLVERS
            and ((before is not None and before.string == ".") or (after is not None and after.string == "("))
        ):
            called.add(_SOLVERS[token.string])
    return sorted(called)


def _normal_equations_crash_hints(n: int, d: int) -> tuple:
    """Crashes that betray a slip, the more specific first (numpy names the sizes that disagree)."""
    vector_rhs = "(m,m),(m)->(m)"
    return (
        (
            ValueError,
            f"{vector_rhs} (size {n} is different from {d})",
            f"the right-hand side must be A.T @ b, not b: multiply both sides of A x = b by A.T. "
            f"A.T @ A is ({d}, {d}), so it needs a right-hand side of {d} numbers; b has {n}.",
        ),
        (
            ValueError,
            f"{vector_rhs} (size {d} is different from {n})",
            f"A @ A.T is ({n}, {n}); the normal equations use A.T @ A, of shape ({d}, {d}): "
            "np.linalg.solve(A.T @ A, A.T @ b).",
        ),
        (
            np.linalg.LinAlgError,
            _SQUARE_ONLY,
            f"np.linalg.solve(A, b) needs a square A, one equation per unknown; here A is tall ({n} × {d}). "
            "Multiply both sides by A.T first: solve the small system np.linalg.solve(A.T @ A, A.T @ b).",
        ),
        (
            ValueError,
            "mismatch",
            f"the shapes do not line up — probably a missing transpose. With A of shape ({n}, {d}): "
            f"A.T @ A is ({d}, {d}) and the right-hand side A.T @ b is ({d},).",
        ),
        (
            ValueError,
            "could not be broadcast",
            "* multiplies entry by entry; a matrix product is @: A.T @ A and A.T @ b.",
        ),
        (
            np.linalg.LinAlgError,
            "Singular matrix",
            f"the matrix you solved with is singular. A.T @ A ({d} × {d}) is invertible when the columns "
            f"of A are independent; A @ A.T ({n} × {n}) never is when there are more rows than columns.",
        ),
    )


def _check_shape(got: np.ndarray, n: int, d: int) -> None:
    """Wrong answers recognizable from the shape alone."""
    if got.shape == (n,):
        raise Wrong(
            f"normal_equations returned {n} numbers — one per equation (row) — but x has one entry per "
            f"unknown (column): {d}.",
            f"received: {show(got)}",
            hint="did you return the predictions A @ x (or the residuals), or solve with A @ A.T? The normal "
            "equations (A.T @ A) x = A.T @ b are a system of size d × d.",
        )
    if got.shape == (d, d):
        raise Wrong(
            f"normal_equations returned a {d} × {d} matrix, expected a vector of {d} numbers.",
            hint="dividing by a matrix divides entry by entry; to 'divide' by A.T @ A, solve the system: "
            "np.linalg.solve(A.T @ A, A.T @ b).",
        )
    if got.shape == (d, n):
        raise Wrong(
            f"normal_equations returned a {d} × {n} matrix, expected a vector of {d} numbers.",
            hint="A.T * b multiplies entry by entry; the right-hand side is the matrix product A.T @ b.",
        )
    if got.shape == (d, 1):
        raise Wrong(
            f"normal_equations returned a column of shape ({d}, 1), expected shape ({d},).",
            hint="keep b one-dimensional (no b[:, None]), or flatten the result: x.ravel().",
        )


@exercise("Exercise 2 — least squares via the normal equations")
def normal_equations(fn) -> CheckResult:
    """Check ``fn(A, b)`` solves the normal equations, on two tall systems."""
    solvers = _solvers_called(fn)
    for description, A, b in _systems():
        n, d = A.shape
        with case(description):
            got = call(fn, A, b, name="normal_equations", crash_hints=_normal_equations_crash_hints(n, d))
            if isinstance(got, tuple):
                raise Wrong(
                    f"normal_equations returned a tuple of {len(got)} things.",
                    hint="np.linalg.lstsq returns (solution, residuals, rank, singular values) — but here, solve "
                    "the normal equations yourself with np.linalg.solve(A.T @ A, A.T @ b).",
                )
            got = as_array(got, "normal_equations(A, b)")
            _check_shape(got, n, d)
            if solvers:
                raise Wrong(
                    f"your code calls {' and '.join(solvers)}; this exercise asks you to solve the normal equations.",
                    hint="write np.linalg.solve(A.T @ A, A.T @ b) yourself; the notebook compares it with lstsq "
                    "and pinv right after.",
                )
            expected = np.linalg.lstsq(A, b, rcond=None)[0]
            mistakes = (
                (
                    (A.T @ b) / (A**2).sum(axis=0),
                    "that fits each column on its own (x_j = a_jᵀb / a_jᵀa_j). The columns share information, so "
                    "they must be fitted jointly: solve (A.T @ A) x = A.T @ b.",
                ),
                (
                    -expected,
                    "the sign is flipped: the normal equations are (A.T @ A) x = A.T @ b, from setting the "
                    "gradient 2 A.T (A x - b) to zero.",
                ),
            )
            expect_close(
                got,
                expected,
                name="normal_equations(A, b)",
                mistakes=mistakes,
                hint="the residual b - A @ x of the least-squares solution is orthogonal to every column: "
                "A.T @ (b - A @ x) = 0. Solve (A.T @ A) x = A.T @ b with np.linalg.solve.",
            )
    return "correct — the residual is now orthogonal to every column of A."


# --- Exercise 3: the condition number -----------------------------------------------------------


def _matrices() -> list[tuple[str, np.ndarray]]:
    square = np.array([[2.0, 8.0, 0.0], [0.0, 2.0, 8.0], [0.0, 0.0, 2.0]])  # eigenvalues all 2, det 8, cond ≈ 79
    x1 = np.array([-1.5, -1.0, -0.4, 0.0, 0.3, 0.8, 1.1, 1.6])
    x2 = x1 + np.array([0.2, -0.1, 0.15, -0.2, 0.1, -0.05, 0.2, -0.15])  # nearly a copy of x1
    tall = np.column_stack([x1, x2])  # (8, 2)
    mixed = np.random.default_rng(2).normal(size=(7, 3)) * [1.0, 30.0, 0.05]  # (7, 3), columns in different units
    wide = np.random.default_rng(3).normal(size=(2, 5))  # (2, 5)
    return [
        ("a square, non-symmetric 3 × 3 matrix", square),
        ("a tall data matrix (8 × 2) with correlated columns", tall),
        ("a random tall matrix (7 × 3) whose columns are in different units", mixed),
        ("a random wide matrix (2 × 5)", wide),
    ]


def _condition_slips(A: np.ndarray, s: np.ndarray) -> list[tuple[float, str]]:
    """(what the slip returns for A, its hint); s are A's singular values, largest first."""
    slips = [
        (
            s[-1] / s[0],
            "the ratio is upside down: the condition number is largest / smallest singular "
            "value, so it is at least 1 (and huge for a nearly singular matrix).",
        ),
        (
            (s[0] / s[-1]) ** 2,
            "that is κ(A)², the condition number of A.T @ A (its eigenvalues are the squared "
            "singular values of A) — exactly why the normal equations lose accuracy. Take the "
            "square root, or use the singular values of A itself.",
        ),
        (
            np.linalg.norm(A, "fro") * np.linalg.norm(np.linalg.pinv(A), "fro"),
            "that uses the Frobenius norm; the condition number of the course (and np.linalg.cond's default) "
            "uses the 2-norm: largest singular value / smallest singular value.",
        ),
    ]
    if len(s) > 2:
        slips.append(
            (
                s[0] / s[1],
                "np.linalg.svd sorts singular values from largest to smallest, so the smallest "
                "is the last one, s[-1], not s[1].",
            )
        )
    if A.shape[0] == A.shape[1]:
        eig = np.abs(np.linalg.eigvals(A))
        det_hint = (
            "the determinant is not the condition number: it is the product of the singular values "
            "(a volume), not the ratio of the largest to the smallest."
        )
        slips += [
            (
                eig.max() / eig.min(),
                "eigenvalues give the condition number only for symmetric matrices. All the "
                "eigenvalues of this matrix are equal, yet it is far from well-conditioned; use "
                "singular values: np.linalg.svd(A, compute_uv=False).",
            ),
            (abs(np.linalg.det(A)), det_hint),
            (1.0 / abs(np.linalg.det(A)), det_hint),
        ]
    return slips


@exercise("Exercise 3 — the condition number")
def condition_number(fn) -> CheckResult:
    """Check ``fn(A)`` returns σ_max / σ_min (the 2-norm condition number) on square, tall and wide matrices."""
    crash_hints = (
        (
            np.linalg.LinAlgError,
            _SQUARE_ONLY,
            "eigenvalues, determinants and inverses exist only for square matrices; a data matrix is tall. "
            "Singular values exist for every shape: s = np.linalg.svd(A, compute_uv=False).",
        ),
    )
    general = "take the singular values s = np.linalg.svd(A, compute_uv=False) and return s[0] / s[-1]."
    for description, A in _matrices():
        s = np.linalg.svd(A, compute_uv=False)  # descending, min(n, d) of them
        with case(description):
            got = call(fn, A, name="condition_number", crash_hints=crash_hints)
            if isinstance(got, np.ndarray) and got.shape == s.shape:
                raise Wrong(
                    f"condition_number returned {len(s)} numbers; expected one.",
                    hint="return the ratio of the largest to the smallest singular value, s[0] / s[-1].",
                )
            got = as_number(got, "condition_number(A)", hint=general)
            wide = A.shape[0] < A.shape[1]
            if wide and not (np.isfinite(got) and got < 1e6 * s[0] / s[-1]):
                raise Wrong(
                    "condition_number is huge or not a number for a wide matrix.",
                    f"received: {show(got)}",
                    hint="for a wide A, A.T @ A is singular (its rank is at most the number of rows), so its "
                    "eigenvalues include zeros. Use the singular values of A itself: " + general,
                )
            expect_close(
                got, s[0] / s[-1], name="condition_number(A)", mistakes=tuple(_condition_slips(A, s)), hint=general
            )
    return "correct — σ_max / σ_min, the factor by which relative errors in b can grow in x."
