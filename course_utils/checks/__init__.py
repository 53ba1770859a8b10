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
built from the small pieces below (:func:`exercise`, :func:`call`, :func:`expect_close`, …),
after the ``problem.check()`` of Kaggle's learntools.
"""

from __future__ import annotations

import functools
import html
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

__all__ = [
    "CheckResult",
    "exercise",
    "call",
    "expect_close",
    "expect_equal",
    "Wrong",
    "show",
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
            f"<div class='course-check' data-status='{self.status}' style='border-left:4px solid {colour};background:{background};padding:6px 10px;"
            f"margin:4px 0;border-radius:3px;color:#1f2328'>{mark} <b>{html.escape(self.exercise)}</b>: "
            f"{html.escape(self.message)}{details}</div>"
        )


class Wrong(Exception):
    """Raised inside a check body to report a wrong answer: a message, detail lines, a hint.

    >>> raise Wrong("slope is not right.", "expected: 2", "received: -2", hint="mind the sign.")
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


class _NotAttempted(Exception):
    pass


class _Crashed(Exception):
    def __init__(self, error: BaseException):
        super().__init__(str(error))
        self.error = error


def exercise(title: str) -> Callable[[Callable[..., Any]], Callable[..., CheckResult]]:
    """Turn a check body into a check that always returns a :class:`CheckResult`.

    The body receives the learner's objects, calls learner code through :func:`call` and
    compares through :func:`expect_close`/:func:`expect_equal` (or raises :class:`Wrong`). If it
    returns a string, that string is the message of the correct outcome.
    """

    def decorate(body: Callable[..., Any]) -> Callable[..., CheckResult]:
        @functools.wraps(body)
        def check(*args: Any, **kwargs: Any) -> CheckResult:
            try:
                praise = body(*args, **kwargs)
            except _NotAttempted:
                return CheckResult(title, NOT_ATTEMPTED, "not attempted yet — replace `raise NotImplementedError()` with your code, then run this cell again.")
            except Wrong as wrong:
                return CheckResult(title, WRONG, wrong.message, wrong.details)
            except _Crashed as crash:
                return CheckResult(title, CRASHED, "your code raised an error.", _describe_crash(crash.error))
            except Exception as error:  # a bug in the check itself must not break the notebook
                return CheckResult(
                    title,
                    CRASHED,
                    "the check itself failed (not your fault) — please report this.",
                    (f"{type(error).__name__}: {error}",),
                )
            return CheckResult(title, CORRECT, praise if isinstance(praise, str) else "correct — well done!")

        return check

    return decorate


def call(fn: Any, *args: Any, name: str | None = None, crash_hints: tuple[tuple[type, str, str], ...] = (), **kwargs: Any) -> Any:
    """Call the learner's function, translating what can go wrong into check outcomes.

    ``crash_hints`` holds ``(exception type, fragment of its message, hint)`` triples: a crash
    that betrays a known slip (e.g. a matmul shape error from a missing transpose) is reported as
    a wrong answer with that hint instead of a bare crash.
    """
    label = name or getattr(fn, "__name__", "your function")
    if fn is None:
        raise Wrong(f"got None instead of the function `{label}`.", hint="pass the function itself, e.g. check.x(x), not its result.")
    if not callable(fn):
        raise Wrong(
            f"expected a function, got {_a(type(fn).__name__)}.",
            hint="pass the function itself (no parentheses), e.g. check.x(x) rather than check.x(x(...)).",
        )
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as error:
        raise _NotAttempted() from error
    except Exception as error:
        for kind, fragment, hint in crash_hints:
            if isinstance(error, kind) and fragment in str(error):
                raise Wrong(f"{label} raised {type(error).__name__}: {error}", hint=hint) from None
        raise _Crashed(error) from error


def _describe_crash(error: BaseException) -> tuple[str, ...]:
    lines = [f"{type(error).__name__}: {error}"]
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not f.filename.startswith(_PACKAGE_DIR)]
    if frames:
        last = frames[-1]
        where = f"line {last.lineno} of your code" if last.filename.startswith(("<", "/tmp")) or "ipykernel" in last.filename else f"{Path(last.filename).name}, line {last.lineno}"
        lines.append(f"at {where}: {last.line}" if last.line else f"at {where}")
    lines.append("Read the error from the bottom up, fix the line it points at, and run both cells again.")
    return tuple(lines)


def _a(noun: str) -> str:
    if noun == "ndarray":
        return "a NumPy array"
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def show(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=4, threshold=24, edgeitems=3, suppress_small=True).replace("\n", " ")
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _none_check(received: Any, name: str) -> None:
    if received is None:
        raise Wrong(f"{name} returned None — did you forget `return`?")


def expect_equal(received: Any, expected: Any, *, name: str = "your answer", hint: str = "") -> None:
    """Exact comparison (for ints, strings, booleans, tuples)."""
    _none_check(received, name)
    if isinstance(expected, (bool, np.bool_)) and not isinstance(received, (bool, np.bool_)):
        raise Wrong(f"{name} should be True or False, got {_a(type(received).__name__)}.", f"received: {show(received)}", hint=hint)
    if received != expected:
        raise Wrong(f"{name} is not right.", f"expected: {show(expected)}", f"received: {show(received)}", hint=hint)


def expect_close(
    received: Any,
    expected: Any,
    *,
    name: str = "your answer",
    hint: str = "",
    rtol: float = 1e-6,
    atol: float = 1e-8,
    mistakes: tuple[tuple[Any, str], ...] = (),
) -> None:
    """Numerical comparison with shape checking.

    ``mistakes`` lists ``(wrong_value, hint)`` pairs for common slips: when the learner's answer
    matches one of them, its hint is given instead of the general one.
    """
    _none_check(received, name)
    expected = np.asarray(expected, dtype=float)
    try:
        got = np.asarray(received, dtype=float)
    except (TypeError, ValueError):
        raise Wrong(f"{name} should be numbers, got {_a(type(received).__name__)}.", f"received: {show(received)}", hint=hint) from None
    if got.shape != expected.shape:
        raise Wrong(
            f"{name} has shape {got.shape}, expected {expected.shape}.",
            f"received: {show(got)}",
            hint=hint or "check which axis you reduced over and whether you kept the batch axis.",
        )
    if np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True):
        return
    for wrong_value, mistake_hint in mistakes:
        wrong_value = np.asarray(wrong_value, dtype=float)
        if wrong_value.shape == got.shape and np.allclose(got, wrong_value, rtol=rtol, atol=atol):
            raise Wrong(f"{name} is not right.", f"expected: {show(expected)}", f"received: {show(got)}", hint=mistake_hint)
    details = [f"expected: {show(expected)}", f"received: {show(got)}"]
    if got.ndim:
        diff = np.abs(got - expected)
        worst = np.unravel_index(np.nanargmax(np.where(np.isnan(diff), np.inf, diff)), diff.shape)
        details.append(f"largest difference at index {tuple(int(i) for i in worst)}: expected {expected[worst]:.6g}, got {got[worst]:.6g}")
    raise Wrong(f"{name} is not right.", *details, hint=hint)
