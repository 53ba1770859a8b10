"""Instant, kind feedback for exercises — a check never raises.

Every exercise in the course is a function the learner completes; the cell after it passes that
function to a check from a per-notebook module::

    from course_utils.checks import welcome as check
    check.standardize(standardize)

A check says one of four things (:class:`CheckResult`):

- ✅ **correct**;
- ✏️ **not attempted** — the function still raises ``NotImplementedError``;
- ❌ **wrong** — what was expected, what arrived, and a hint aimed at the likely mistake;
- 💥 **crashed** — the learner's code raised; the error and the line it came from.

It never raises, so a notebook with unfinished exercises still runs top to bottom. Checks are
built from the small pieces below (:func:`exercise`, :func:`call`, :class:`Wrong`), after the
``problem.check()`` of Kaggle's learntools, and from the readers and comparisons of
:mod:`course_utils.checks._answers` (:func:`as_array`, :func:`as_number`, :func:`unpack`,
:func:`expect_close`, :func:`expect_close_on_each`, :func:`case`, :func:`show`), importable from
here too.

**Grading.** Every check cell is also an nbgrader grade cell. Under nbgrader's autograder (and its
validator), which set ``NBGRADER_EXECUTION``, a check shows its result, and one that is not
correct then raises :class:`CheckFailed`, so the cell fails and the exercise earns no points. Cells that
show checks on deliberately wrong answers run them inside :func:`ungraded`. In a learner's own
kernel nothing changes: a check only reports.

**Isolation.** A check hands the learner's function private copies of its inputs (arrays, lists,
dicts, DataFrames), so the learner's code cannot change the check's data; learner code that calls
``sys.exit()`` is reported as crashed; ``KeyboardInterrupt`` (the stop button) still stops the cell.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import html
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

__all__ = [
    "CheckResult",
    "CheckFailed",
    "exercise",
    "call",
    "Wrong",
    "as_array",
    "as_number",
    "unpack",
    "case",
    "expect_array",
    "expect_close",
    "expect_close_on_each",
    "expect_equal",
    "show",
    "grading",
    "ungraded",
    "CORRECT",
    "NOT_ATTEMPTED",
    "WRONG",
    "CRASHED",
]

CORRECT, NOT_ATTEMPTED, WRONG, CRASHED = "correct", "not attempted", "wrong", "crashed"
_LOOK = {  # status -> (mark, colour for the left border, background)
    CORRECT: ("✅", "#1a7f37", "#eafbea"),
    NOT_ATTEMPTED: ("✏️", "#6e7781", "#f3f4f6"),
    WRONG: ("❌", "#b35900", "#fff4e5"),
    CRASHED: ("💥", "#cf222e", "#ffebe9"),
}
_PACKAGE_DIR = str(Path(__file__).resolve().parent.parent)
GRADING_VARIABLE = "NBGRADER_EXECUTION"  # set by nbgrader's autograder ("autograde") and validator ("validate")
_ungraded_depth = 0


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check: a status, a one-line message and optional detail lines.

    It is truthy only when correct, prints as a few plain-text lines, and shows as a coloured
    box in Jupyter.
    """

    exercise: str
    status: str
    message: str
    details: tuple[str, ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return self.status == CORRECT

    def __str__(self) -> str:
        mark = _LOOK[self.status][0]
        lines = [f"{mark} {self.exercise}: {self.message}"]
        lines += [f"   {line}" for line in self.details]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        mark, colour, background = _LOOK[self.status]
        details = "".join(
            f"<div style='margin-left:1.6em;white-space:pre-wrap;font-family:monospace'>{html.escape(d)}</div>"
            for d in self.details
        )
        return (
            f"<div class='course-check' data-status='{self.status}' style='border-left:4px solid "
            f"{colour};background:{background};padding:6px 10px;"
            f"margin:4px 0;border-radius:3px;color:#1f2328'>{mark} <b>{html.escape(self.exercise)}</b>: "
            f"{html.escape(self.message)}{details}</div>"
        )


class Wrong(Exception):
    """Raised inside a check body to report a wrong answer: a message, detail lines, a hint.

    >>> @exercise("Slope")
    ... def check_slope(fn):
    ...     if call(fn) != 2:
    ...         raise Wrong("slope is not right.", "expected: 2", f"received: {call(fn)}", hint="mind the sign.")
    >>> print(check_slope(lambda: -2))
    ❌ Slope: slope is not right.
       expected: 2
       received: -2
       Hint: mind the sign.
    """

    def __init__(self, message: str, *details: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.details = tuple(d for d in details if d) + ((f"Hint: {hint}",) if hint else ())

    def with_detail(self, line: str, *, first: bool = False) -> "Wrong":
        """Add one detail line (what was checked, a measured gap): first, or just before the hint."""
        if first:
            self.details = (line, *self.details)
        else:
            plain = tuple(d for d in self.details if not d.startswith("Hint: "))
            self.details = plain + (line,) + tuple(d for d in self.details if d.startswith("Hint: "))
        return self


class CheckFailed(AssertionError):
    """Raised by a check under nbgrader (see :func:`grading`) when the answer is not correct."""


def grading() -> bool:
    """True while nbgrader executes the notebook (autograde or validate) outside :func:`ungraded`."""
    return bool(os.environ.get(GRADING_VARIABLE)) and _ungraded_depth == 0


@contextlib.contextmanager
def ungraded() -> Iterator[None]:
    """Run checks that only report, even under nbgrader: for demonstrations on deliberately wrong answers.

    >>> from course_utils.checks import welcome
    >>> with ungraded():
    ...     print(welcome.standardize(lambda x: x).status)
    wrong
    """
    global _ungraded_depth
    _ungraded_depth += 1
    try:
        yield
    finally:
        _ungraded_depth -= 1


class _NotAttempted(Exception):
    pass


class _Crashed(Exception):
    def __init__(self, error: BaseException):
        super().__init__(_message(error))
        self.error = error


def _message(error: BaseException) -> str:
    """``str(error)``, even when the error's own ``__str__`` fails."""
    try:
        return str(error)
    except Exception as inner:  # an exception class with a broken __str__ must still be reported
        return f"(its message could not be shown: {type(inner).__name__} in __str__)"


def exercise(title: str) -> Callable[[Callable[..., Any]], Callable[..., CheckResult]]:
    """Turn a check body into a check that always returns a :class:`CheckResult`.

    The body receives the learner's objects, calls learner code through :func:`call` and
    compares through :func:`expect_close`/:func:`expect_equal` (or raises :class:`Wrong`). If it
    returns a string, that string is the message of the correct outcome.

    Under nbgrader (:func:`grading`) the check shows its result instead of returning it (nbgrader
    would read a returned value as partial credit) and, if it is not correct, raises
    :class:`CheckFailed` so that the grade cell fails.
    """

    def decorate(body: Callable[..., Any]) -> Callable[..., CheckResult]:
        @functools.wraps(body)
        def check(*args: Any, **kwargs: Any) -> CheckResult | None:
            result = _outcome(title, body, args, kwargs)
            if not grading():
                return result
            _display(result)  # shown, not returned: nbgrader reads a grade cell's value as partial credit
            if not result:
                raise CheckFailed(str(result)) from None
            return None

        return check

    return decorate


def _outcome(title: str, body: Callable[..., Any], args: tuple, kwargs: dict) -> CheckResult:
    try:
        praise = body(*args, **kwargs)
    except _NotAttempted:
        return CheckResult(
            title,
            NOT_ATTEMPTED,
            "not attempted yet — replace `raise NotImplementedError()` with your code, then run this cell again.",
        )
    except Wrong as wrong:
        return CheckResult(title, WRONG, wrong.message, wrong.details)
    except _Crashed as crash:
        return CheckResult(title, CRASHED, "your code raised an error.", _describe_crash(crash.error))
    except (Exception, SystemExit) as error:  # a bug in the check itself must not break the notebook
        return CheckResult(
            title,
            CRASHED,
            "the check itself failed (not your fault) — please report this.",
            (f"{type(error).__name__}: {_message(error)}",),
        )
    return CheckResult(title, CORRECT, praise if isinstance(praise, str) else "correct — well done!")


def _display(result: CheckResult) -> None:
    """Show the result in the notebook before the grade cell fails, so the feedback carries it."""
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython is a dependency of the kernel
        print(result)
        return
    display(result)


def call(
    fn: Any,
    *args: Any,
    name: str | None = None,
    returns: str | None = None,
    allow_none: bool = False,
    crash_hints: tuple[tuple[type, str, str], ...] = (),
    **kwargs: Any,
) -> Any:
    """Call the learner's function, translating what can go wrong into check outcomes.

    The function gets private copies of the arguments (see :func:`private_copy`). A ``None``
    result is a wrong answer ("did you forget `return`?", naming ``returns`` — e.g.
    ``"dx, dW, db"`` — when given) unless ``allow_none``. ``crash_hints`` holds ``(exception
    type, fragment of its message, hint)`` triples: a crash that betrays a known slip (e.g. a
    matmul shape error from a missing transpose) is reported as a wrong answer with that hint
    instead of a bare crash. ``sys.exit()`` in the learner's code is a crash, not an exit.
    """
    label = name or getattr(fn, "__name__", "your function")
    if fn is None:
        raise Wrong(
            f"got None instead of the function `{label}`.",
            hint="pass the function itself, e.g. check.x(x), not its result.",
        )
    if not callable(fn):
        raise Wrong(
            f"expected a function, got {_a(type(fn).__name__)}.",
            hint="pass the function itself (no parentheses), e.g. check.x(x) rather than check.x(x(...)).",
        )
    args = tuple(private_copy(a) for a in args)
    kwargs = {k: private_copy(v) for k, v in kwargs.items()}
    try:
        result = fn(*args, **kwargs)
    except NotImplementedError as error:
        raise _NotAttempted() from error
    except SystemExit as error:
        raise _Crashed(_ExitCalled(error)) from None
    except Exception as error:
        text = _message(error)
        for kind, fragment, hint in crash_hints:
            if isinstance(error, kind) and fragment in text:
                raise Wrong(f"{label} raised {type(error).__name__}: {text}", hint=hint) from None
        raise _Crashed(error) from error
    if result is None and not allow_none:
        raise Wrong(f"{label} returned None — did you forget `return{' ' + returns if returns else ''}`?")
    return result


class _ExitCalled(Exception):
    """Stands for a ``SystemExit`` raised by learner code (``sys.exit()``, ``exit()``, ``quit()``)."""

    def __init__(self, error: SystemExit):
        super().__init__(
            f"your code called sys.exit()/exit() (exit code {error.code!r}); a function should return its "
            "answer instead — exit() would stop the whole kernel in a script."
        )
        self.__traceback__ = error.__traceback__


def private_copy(value: Any) -> Any:
    """A copy of plain data (arrays, lists, tuples, dicts, sets, pandas objects); anything else as it is.

    Checks pass these copies to learner code, so an in-place change (``x -= x.mean()``,
    ``table[k] = ...``) cannot alter the check's own data or a later check. Models and functions
    are passed as they are.

    >>> data = {"a": [1, 2]}
    >>> private_copy(data) is data, private_copy(data) == data
    (False, True)
    """
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple, dict, set)) or type(value).__module__.startswith("pandas"):
        try:
            return copy.deepcopy(value)
        except Exception:  # holds something that cannot be copied (a model): pass it as it is
            return value
    return value


def _describe_crash(error: BaseException) -> tuple[str, ...]:
    kind = "SystemExit" if isinstance(error, _ExitCalled) else type(error).__name__
    lines = [f"{kind}: {_message(error)}"]
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not f.filename.startswith(_PACKAGE_DIR)]
    if frames:
        last = frames[-1]
        where = (
            f"line {last.lineno} of your code"
            if last.filename.startswith(("<", "/tmp")) or "ipykernel" in last.filename
            else f"{Path(last.filename).name}, line {last.lineno}"
        )
        lines.append(f"at {where}: {last.line}" if last.line else f"at {where}")
    lines.append("Read the error from the bottom up, fix the line it points at, and run both cells again.")
    return tuple(lines)


_NOUNS = {
    "ndarray": "a NumPy array",
    "str": "a string",
    "int": "an int",
    "NoneType": "None",
    "complex": "a complex number",
}


def _a(noun: str) -> str:
    if noun in _NOUNS:
        return _NOUNS[noun]
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


# The readers and comparisons live in their own module; they are part of this package's API.
from course_utils.checks._answers import (  # noqa: E402  (they need Wrong and _a, defined above)
    as_array,
    as_number,
    case,
    expect_close,
    expect_close_on_each,
    expect_equal,
    show,
    unpack,
)

expect_array = as_array  # the name the first check modules read arrays with
