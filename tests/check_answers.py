"""The answers every check is tried on, and how a verdict is asserted; shared by the suites of wrong answers.

A suite ``test_checks_<notebook>.py`` lists, per exercise, the right answer, right answers written
differently and the slips learners make, each with the fragment of the hint it must get — as a
table of :class:`Exercise` turned into pytest parameters by :func:`params` and :func:`judge`, or
as rows asserted with :func:`assert_verdict`. Every check is also tried on the answers here, which
do not depend on the exercise (:data:`GENERIC`: not attempted, a crash, ``sys.exit()``, a forgotten
``return``, text or a list where an array is expected, objects whose ``__array__``/``__eq__``/
``__float__`` raise, NaN, a huge array, …), and on *vandals* that wreck whatever they are given —
its arrays, and the data its functions close over (:func:`assert_isolated`). A check answers each
with a result (never "the check itself failed") and keeps no trace of it: the right answer,
checked next, is still correct.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, NamedTuple

import numpy as np
import pytest

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


def not_attempted(*args, **kwargs):
    # YOUR CODE HERE
    raise NotImplementedError()


def typo(*args, **kwargs):
    return undefined_name  # noqa: F821


def divides_by_zero(*args, **kwargs):
    return 1 / 0


def no_return(*args, **kwargs):
    np.zeros(3)  # computes something, returns nothing


def exits(*args, **kwargs):
    sys.exit("done")


class Hostile:
    """An object whose every conversion and comparison raises."""

    def _raise(self, *args, **kwargs):
        raise RuntimeError("hostile")

    __array__ = __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __bool__ = __len__ = _raise
    __float__ = __int__ = __index__ = __iter__ = __getitem__ = __repr__ = __str__ = __hash__ = _raise


class ExitsWhenRead:
    """An object that calls sys.exit() when NumPy converts it."""

    def __array__(self, *args, **kwargs):
        sys.exit("read")


class Booby(np.ndarray):
    """An ndarray whose comparisons and ufuncs raise (a check must work on a plain copy)."""

    def __eq__(self, other):
        raise RuntimeError("no __eq__")

    __ne__ = __eq__

    def __array_ufunc__(self, *args, **kwargs):
        raise RuntimeError("no ufuncs")


def _shaped_like_the_input(args) -> tuple:
    return next((np.shape(a) for a in args if isinstance(a, np.ndarray)), (3,))


def wreck(value: Any, depth: int = 3) -> None:
    """Change, in place, every array, list and dict reachable from ``value`` — through containers,
    the cells a function closes over and the attributes of a bound method's object."""
    if depth < 0:
        return
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            factor = np.linspace(0.3, 3.0, value.size).reshape(value.shape)
            value[...] = value * factor + 0.1 * factor  # positive: weights stay weights, zeros do not stay zero
        # sorted (or reversed if already sorted): pairs of label arrays break up
        elif value.dtype.kind in "iu" and value.size > 1:
            ordered = np.sort(value, axis=None).reshape(value.shape)
            value[...] = (
                ordered if not np.array_equal(ordered, value) else ordered.reshape(-1)[::-1].reshape(value.shape)
            )
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


def _wreck_all(args, kwargs) -> None:
    for arg in (*args, *kwargs.values()):
        wreck(arg)


def wrecks_and_returns_nan(*args, **kwargs):
    """Wrecks everything it is given, then returns NaN."""
    _wreck_all(args, kwargs)
    return float("nan")


# (id, answer, status, fragment): the fragment is looked for in the message and details
GENERIC = (
    ("not attempted", not_attempted, NOT_ATTEMPTED, "not attempted yet — replace `raise NotImplementedError()`"),
    ("a typo", typo, CRASHED, "NameError: name 'undefined_name' is not defined"),
    ("a division by zero", divides_by_zero, CRASHED, "ZeroDivisionError"),
    ("sys.exit", exits, CRASHED, "SystemExit: your code called sys.exit()"),
    ("no return", no_return, WRONG, "did you forget `return"),
    ("text", lambda *a, **k: "0.5", WRONG, "str"),
    ("list", lambda *a, **k: [0.5, 0.25, 0.25], WRONG, "list"),
    ("dict", lambda *a, **k: {"answer": 1.0}, WRONG, "dict"),
    ("generator", lambda *a, **k: (i for i in range(3)), WRONG, "generator"),
    ("a type", lambda *a, **k: np.ndarray, WRONG, "type"),
    ("boolean", lambda *a, **k: True, WRONG, ""),
    ("NaN", lambda *a, **k: np.nan, WRONG, ""),
    ("infinity", lambda *a, **k: np.inf, WRONG, ""),
    ("array of NaN", lambda *a, **k: np.full((3, 3), np.nan), WRONG, ""),
    ("NaN shaped like the input", lambda *a, **k: np.full(_shaped_like_the_input(a), np.nan), WRONG, ""),
    ("complex array", lambda *a, **k: np.ones(3) * 1j, WRONG, "real number"),
    ("array of text", lambda *a, **k: np.array(["a", "b"]), WRONG, ""),
    ("huge array", lambda *a, **k: np.broadcast_to(0.0, (10**6, 10**6)), WRONG, "(1000000, 1000000)"),
    ("big array", lambda *a, **k: np.ones((2000, 2000)), WRONG, ""),
    ("hostile object", lambda *a, **k: Hostile(), WRONG, "Hostile"),
    ("pair of hostile objects", lambda *a, **k: (Hostile(), Hostile()), WRONG, ""),
    ("three hostile objects", lambda *a, **k: (Hostile(), Hostile(), Hostile()), WRONG, ""),
    ("sys.exit while being read", lambda *a, **k: ExitsWhenRead(), WRONG, ""),
    ("booby-trapped array", lambda *a, **k: np.arange(6.0).view(Booby), WRONG, ""),
    (
        "booby-trapped array shaped like the input",
        lambda *a, **k: np.zeros(_shaped_like_the_input(a)).view(Booby),
        WRONG,
        "",
    ),
    ("mutates its inputs", wrecks_and_returns_nan, WRONG, ""),
)
GENERIC_IDS = [case[0] for case in GENERIC]
HOSTILE_ANSWERS = {label: answer for label, answer, _, _ in GENERIC}


def vandal(reference: Callable[..., Any]) -> Callable[..., Any]:
    """Wreck every argument, then answer what the reference says about the wrecked data: right only
    if the wrecking reached the check's own data."""

    def vandalize(*args, **kwargs):
        _wreck_all(args, kwargs)
        return reference(*args, **kwargs)

    return vandalize


def answers_then_mutates(reference: Callable[..., Any]) -> Callable[..., Any]:
    """A correct answer from a function that then changes its inputs in place: still correct."""

    def own(value):  # a copy of an array that may be a view of the inputs
        return value.copy() if isinstance(value, np.ndarray) else value

    def mutate(*args, **kwargs):
        answer = reference(*args, **kwargs)
        answer = tuple(own(a) for a in answer) if isinstance(answer, tuple) else own(answer)
        _wreck_all(args, kwargs)
        return answer

    return mutate


def assert_survives(
    run: Callable[..., Any], case: tuple, fragment: str | None = None, *, right: Callable | None = None
) -> None:
    """One of :data:`GENERIC` gets its verdict (and its fragment, or the one given) from the check ``run``;
    then the ``right`` answer is still correct."""
    label, answer, status, default = case
    assert_verdict(run(answer), status, default if fragment is None else fragment)
    if right is not None:
        assert_verdict(run(right), CORRECT)


def assert_isolated(run: Callable[..., Any], reference: Callable[..., Any]) -> None:
    """A vandal's answer fits only the data it wrecked; the next call is unaffected; a right answer that
    also mutates its inputs is still right."""
    assert_verdict(run(vandal(reference)), WRONG)
    assert_verdict(run(reference), CORRECT)
    assert_verdict(run(answers_then_mutates(reference)), CORRECT)


# --- a table of exercises as pytest parameters ---------------------------------------------------


class Exercise(NamedTuple):
    check: Callable
    right: Callable  # the plain right answer
    also_right: list  # right answers written differently
    slips: dict  # name -> (answer, fragment of the hint it must get)
    generic: dict = {}  # GENERIC id -> the fragment this check says instead (e.g. "should return 2 results")
    isolated: bool = True  # False where a vandal has nothing to wreck (the arguments are numbers)


def params(exercises: dict[str, Exercise]) -> tuple[str, list]:
    """``parametrize`` arguments: every answer to try on every exercise, with what it must get.

    Ids read ``<kind>-<exercise>-<answer>``: ``right`` (correct, also when it then mutates its
    inputs), ``slip`` (wrong, with its hint), ``generic`` (:data:`GENERIC`, then the right answer is
    still correct), ``isolated`` (:func:`assert_isolated`).
    """
    cases = []
    for name, e in exercises.items():
        for i, answer in enumerate([e.right, *e.also_right, answers_then_mutates(e.right)]):
            cases.append(pytest.param("right", e, answer, None, id=f"right-{name}-{i}"))
        for slip, (answer, hint) in e.slips.items():
            cases.append(pytest.param("slip", e, answer, hint, id=f"slip-{name}-{slip}"))
        for case in GENERIC:
            cases.append(pytest.param("generic", e, case, e.generic.get(case[0]), id=f"generic-{name}-{case[0]}"))
        if e.isolated:
            cases.append(pytest.param("isolated", e, e.right, None, id=f"isolated-{name}"))
    return "kind, exercise, answer, expected", cases


def judge(kind: str, exercise: Exercise, answer: Any, expected: Any) -> None:
    """Assert the verdict ``answer`` must get (see :func:`params`)."""
    if kind == "right":
        assert_verdict(exercise.check(answer), CORRECT)
    elif kind == "slip":
        assert_verdict(exercise.check(answer), WRONG, expected)
    elif kind == "generic":
        assert_survives(exercise.check, answer, expected, right=exercise.right)
    else:
        assert_isolated(exercise.check, answer)
