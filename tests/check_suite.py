"""Answers that every check of notebooks 04–08 must survive, and how to assert a verdict.

Imported by the per-notebook suites ``test_checks_<notebook>.py``: the answers here do not
depend on the exercise (a forgotten ``return``, a crash, ``sys.exit()``, text or a list where an
array is expected, objects whose ``__array__``/``__eq__``/``__float__`` raise, NaN, a huge
array), plus a *vandal* that wrecks whatever it is given — its arrays, and the data that its
functions close over — before answering.
"""

from __future__ import annotations

import sys
from typing import Any, Callable

import numpy as np

from course_utils.checks import CORRECT, CRASHED, NOT_ATTEMPTED, WRONG

CHECK_FAILED = "the check itself failed"


def text(result) -> str:
    return "\n".join((result.message, *result.details))


def assert_verdict(result, status: str, fragment: str = "") -> None:
    """The result has this status, its message or details contain ``fragment``, and the check did not fail itself."""
    assert CHECK_FAILED not in result.message, text(result)
    assert result.status == status, text(result)
    assert fragment in text(result), f"{fragment!r} not in:\n{text(result)}"


# --- answers that do not depend on the exercise ------------------------------------------------


def not_attempted(*args):
    raise NotImplementedError()


def crashes(*args):
    return 1 / 0


def no_return(*args):
    np.zeros(3)  # computes something, returns nothing


def exits(*args):
    sys.exit("done")


class Hostile:
    """Every conversion and comparison raises."""

    def __array__(self, *args, **kwargs):
        raise RuntimeError("no __array__")

    def __eq__(self, other):
        raise RuntimeError("no __eq__")

    __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __eq__
    __hash__ = None

    def __float__(self):
        raise RuntimeError("no __float__")

    def __len__(self):
        raise RuntimeError("no __len__")

    def __iter__(self):
        raise RuntimeError("no __iter__")

    def __bool__(self):
        raise RuntimeError("no __bool__")

    def __repr__(self):
        raise RuntimeError("no __repr__")


class Booby(np.ndarray):
    """An ndarray whose comparisons and ufuncs raise."""

    def __eq__(self, other):
        raise RuntimeError("no __eq__")

    def __array_ufunc__(self, *args, **kwargs):
        raise RuntimeError("no ufuncs")


# (id, answer, status, fragment): the fragment is looked for in the message and details
GENERIC = (
    ("not attempted", not_attempted, NOT_ATTEMPTED, "not attempted yet"),
    ("crash", crashes, CRASHED, "ZeroDivisionError"),
    ("no return", no_return, WRONG, "did you forget `return"),
    ("sys.exit", exits, CRASHED, "SystemExit: your code called sys.exit()"),
    ("text", lambda *a: "0.5", WRONG, "str"),
    ("list", lambda *a: [0.5, 0.25, 0.25], WRONG, "list"),
    ("hostile object", lambda *a: Hostile(), WRONG, "Hostile"),
    ("tuple of hostile objects", lambda *a: (Hostile(), Hostile()), WRONG, ""),
    ("booby-trapped array", lambda *a: np.arange(6.0).view(Booby), WRONG, ""),
    ("NaN", lambda *a: np.nan, WRONG, ""),
    ("array of NaN", lambda *a: np.full((3, 3), np.nan), WRONG, ""),
    ("infinity", lambda *a: np.inf, WRONG, ""),
    ("huge array", lambda *a: np.broadcast_to(0.0, (10**6, 10**6)), WRONG, "(1000000, 1000000)"),
    ("dict", lambda *a: {"answer": 1.0}, WRONG, "dict"),
    ("complex array", lambda *a: np.ones(3) * 1j, WRONG, "real number"),
    ("array of text", lambda *a: np.array(["a", "b"]), WRONG, ""),
    ("generator", lambda *a: (i for i in range(3)), WRONG, "generator"),
    ("boolean", lambda *a: True, WRONG, ""),
)


# --- vandals --------------------------------------------------------------------------------------


def wreck(value: Any, depth: int = 3) -> None:
    """Change, in place, every array, list and dict reachable from ``value`` — through containers,
    the cells a function closes over and the attributes of a bound method's object."""
    if depth < 0:
        return
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            factor = np.linspace(0.3, 3.0, value.size).reshape(value.shape)
            value[...] = value * factor + 0.1 * factor  # positive: weights stay weights, zeros do not stay zero
        elif value.dtype.kind in "iu" and value.size > 1:  # sorted (or reversed if already sorted): pairs of label arrays break up
            ordered = np.sort(value, axis=None).reshape(value.shape)
            value[...] = ordered if not np.array_equal(ordered, value) else ordered.reshape(-1)[::-1].reshape(value.shape)
        elif value.dtype.kind == "b":
            np.logical_not(value, out=value)
    elif isinstance(value, list):
        for item in value:
            wreck(item, depth - 1)
        value.reverse()
    elif isinstance(value, dict):
        for key, item in list(value.items()):
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                value[key] = -3.0 * item - 1.0
            else:
                wreck(item, depth - 1)
    elif callable(value):
        for cell in getattr(value, "__closure__", None) or ():
            try:
                wreck(cell.cell_contents, depth - 1)
            except ValueError:  # an empty cell
                pass
        owner = getattr(value, "__self__", None)
        if owner is not None and hasattr(owner, "__dict__"):
            for item in vars(owner).values():
                wreck(item, depth - 1)


def vandal(reference: Callable[..., Any]) -> Callable[..., Any]:
    """Wreck every argument, then answer what the reference says about the wrecked data: right only
    if the wrecking reached the check's own data."""

    def vandalize(*args):
        for arg in args:
            wreck(arg)
        return reference(*args)

    return vandalize


def answers_then_mutates(reference: Callable[..., Any]) -> Callable[..., Any]:
    """A correct answer from a function that also changes its inputs in place: still correct."""

    def mutate(*args):
        answer = reference(*args)
        for arg in args:
            wreck(arg)
        return answer

    return mutate


# --- the two tests every check gets --------------------------------------------------------------


def assert_survives(run: Callable[..., Any], case: tuple, fragment: str | None = None) -> None:
    """One of :data:`GENERIC` gets its verdict (and its fragment, or the one given) from the check ``run``."""
    label, answer, status, default = case
    assert_verdict(run(answer), status, default if fragment is None else fragment)


def assert_isolated(run: Callable[..., Any], reference: Callable[..., Any]) -> None:
    """A vandal's answer fits only the data it wrecked; the next call is unaffected; a right answer that
    also mutates its inputs is still right."""
    assert run(vandal(reference)).status == WRONG
    assert run(reference).status == CORRECT
    assert run(answers_then_mutates(reference)).status == CORRECT
