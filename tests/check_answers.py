"""The answers every check is tried on, shared by the per-notebook suites of wrong answers.

A suite lists, per exercise, its check, one right answer, more right answers written differently
and the slips learners make, each with the fragment of its hint (:class:`Exercise`). The helpers
here turn that table into pytest parameters, and add what every check must survive: not
attempted, a crash, ``sys.exit()``, and hostile answers — objects whose conversions raise, huge or
NaN arrays, inputs overwritten in place. A check answers each with a result (wrong or crashed,
never "the check itself failed") and keeps no trace of it: the right answer, checked next, is
still correct.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, NamedTuple

import numpy as np
import pytest

from course_utils.checks import CORRECT, CRASHED, NOT_ATTEMPTED, WRONG


class Exercise(NamedTuple):
    check: Callable
    right: Callable  # the plain right answer
    also_right: list  # right answers written differently
    slips: dict  # name -> (answer, fragment of the hint it must get)


def text(result) -> str:
    return "\n".join((result.message, *result.details))


# --- the outcomes every check knows -----------------------------------------------------------------


def not_attempted(*args, **kwargs):
    # YOUR CODE HERE
    raise NotImplementedError()


def crashes(*args, **kwargs):
    return undefined_name  # noqa: F821 (a typo)


def exits(*args, **kwargs):
    sys.exit(1)


OUTCOMES = {
    "not attempted": (not_attempted, NOT_ATTEMPTED, "replace `raise NotImplementedError()`"),
    "a crash": (crashes, CRASHED, "NameError: name 'undefined_name' is not defined"),
    "sys.exit()": (exits, CRASHED, "SystemExit: your code called sys.exit()"),
}


# --- hostile answers ----------------------------------------------------------------------------------


class Hostile:
    """An object whose every conversion and comparison raises."""

    def _raise(self, *args, **kwargs):
        raise RuntimeError("hostile")

    __array__ = __eq__ = __ne__ = __lt__ = __gt__ = __bool__ = __len__ = __float__ = __int__ = __index__ = _raise
    __iter__ = __getitem__ = __repr__ = __str__ = __hash__ = _raise


class ExitsWhenRead:
    """An object that calls sys.exit() when NumPy converts it."""

    def __array__(self, *args, **kwargs):
        sys.exit("read")


class HostileArray(np.ndarray):
    """An array whose comparisons and arithmetic raise (the check must work on a plain copy)."""

    def __eq__(self, other):
        raise RuntimeError("hostile ==")

    __ne__ = __eq__

    def __array_ufunc__(self, *args, **kwargs):
        raise RuntimeError("hostile ufunc")


def _vandal(*args, **kwargs):
    """Wrecks every array it is given, then returns NaN."""
    for a in (*args, *kwargs.values()):
        if isinstance(a, np.ndarray):
            a[...] = np.nan if a.dtype.kind == "f" else 0
    return float("nan")


def _first_array_shape(args) -> tuple:
    return next((np.shape(a) for a in args if isinstance(a, np.ndarray)), (3,))


HOSTILE_ANSWERS = {
    "dunders that raise": lambda *a, **k: Hostile(),
    "a tuple of objects that raise": lambda *a, **k: (Hostile(), Hostile(), Hostile()),
    "a pair of objects that raise": lambda *a, **k: (Hostile(), Hostile()),
    "sys.exit while being read": lambda *a, **k: ExitsWhenRead(),
    "an array subclass that raises": lambda *a, **k: np.zeros(_first_array_shape(a)).view(HostileArray),
    "a huge array": lambda *a, **k: np.ones((2000, 2000)),
    "NaN": lambda *a, **k: float("nan"),
    "an array of NaN": lambda *a, **k: np.full(_first_array_shape(a), np.nan),
    "inf": lambda *a, **k: np.inf,
    "a dict": lambda *a, **k: {"answer": 1},
    "a generator": lambda *a, **k: (i for i in range(3)),
    "a type": lambda *a, **k: np.ndarray,
    "mutates its inputs": _vandal,
}


def mutating(right: Callable) -> Callable:
    """The right answer, written by someone who then overwrites the inputs in place."""

    def answer(*args, **kwargs):
        result = right(*args, **kwargs)
        result = tuple(np.array(r, copy=True) for r in result) if isinstance(result, tuple) else np.array(result, copy=True)
        _vandal(*args, **kwargs)
        return result

    return answer


# --- pytest parameters from a table of exercises -------------------------------------------------------


def params(exercises: dict[str, Exercise]) -> tuple[str, list]:
    """``parametrize`` arguments: every answer to try on every exercise, with what it must get.

    Ids read ``<kind>-<exercise>-<answer>``: ``right`` (correct), ``slip`` (wrong, with its hint),
    ``outcome`` (not attempted, crashed), ``hostile`` (never breaks the check).
    """
    cases = []
    for name, e in exercises.items():
        for i, answer in enumerate([e.right, *e.also_right, mutating(e.right)]):
            cases.append(pytest.param("right", e, answer, None, id=f"right-{name}-{i}"))
        for slip, (answer, hint) in e.slips.items():
            cases.append(pytest.param("slip", e, answer, hint, id=f"slip-{name}-{slip}"))
        for outcome, (answer, status, fragment) in OUTCOMES.items():
            cases.append(pytest.param("outcome", e, answer, (status, fragment), id=f"outcome-{name}-{outcome}"))
        for hostile, answer in HOSTILE_ANSWERS.items():
            cases.append(pytest.param("hostile", e, answer, None, id=f"hostile-{name}-{hostile}"))
    return "kind, exercise, answer, expected", cases


def judge(kind: str, exercise: Exercise, answer: Callable, expected: Any) -> None:
    """Assert the verdict ``answer`` must get (see :func:`params`)."""
    result = exercise.check(answer)
    if kind == "right":
        assert result.status == CORRECT, str(result)
    elif kind == "slip":
        assert result.status == WRONG and expected in text(result), str(result)
    elif kind == "outcome":
        status, fragment = expected
        assert result.status == status and fragment in text(result), str(result)
    else:  # hostile: blamed on the answer, and nothing left behind for the next check
        assert result.status in (WRONG, CRASHED), str(result)
        assert "the check itself failed" not in result.message, str(result)
        assert exercise.check(exercise.right).status == CORRECT
