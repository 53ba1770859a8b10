"""Checks for notebook 00_welcome."""

from __future__ import annotations

import numpy as np

from course_utils.checks import CheckResult, call, exercise, expect_close

__all__ = ["standardize"]


def reference_standardize(x: np.ndarray) -> np.ndarray:
    """z-scores per column: subtract each column's mean, divide by its (population) std."""
    x = np.asarray(x, dtype=float)
    return (x - x.mean(axis=0)) / x.std(axis=0)


@exercise("Warm-up: standardize each column")
def standardize(fn) -> CheckResult:
    """Check ``fn(x)`` returns the column-wise z-scores of a batch ``x`` of shape ``(n, d)``."""
    x = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 60.0], [6.0, 30.0]])  # (4, 2): 4 examples, 2 features
    got = call(fn, x.copy(), name="standardize")
    mistakes = (
        ((x - x.mean(axis=0)) / x.std(axis=0, ddof=1), "use the population standard deviation, x.std(axis=0) (NumPy's default ddof=0)."),
        ((x - x.mean()) / x.std(), "compute one mean and one std per column: pass axis=0."),
        ((x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True), "axis=0 runs down the rows, giving one number per column (feature); axis=1 gives one per example."),
        (x - x.mean(axis=0), "centring is half of it: also divide by each column's standard deviation."),
        (x / x.std(axis=0), "also subtract each column's mean before dividing."),
    )
    expect_close(got, reference_standardize(x), name="standardize(x)", mistakes=mistakes,
                 hint="each column of the result should have mean 0 and standard deviation 1.")
    return "correct — every column now has mean 0 and standard deviation 1."
