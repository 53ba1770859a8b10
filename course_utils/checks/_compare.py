"""Comparisons that survive anything a learner returns, for the checks of notebooks 04–08.

Three things the shared pieces of :mod:`course_utils.checks` do not do (yet), kept here so that
the five check modules of Parts II and III share one version of them:

- :func:`array_of_numbers` and :func:`number` turn *whatever* the learner's function returned
  into numbers or into a wrong answer that says what arrived — also objects whose ``__array__``
  or ``__float__`` raise, dicts, sets, models, text and complex numbers — so that no answer ends
  in "the check itself failed"; an array's shape is judged before anything is converted, so a
  huge answer costs nothing;
- the verb agrees with the name: "your attributions are not right", "the indices have shape";
- a long array is shown as its first differing entries (``at [0, 2, 1]: expected 0.25, received
  0``), not as a wall of numbers (:func:`differences`).

NumPy only.
"""

from __future__ import annotations

import contextlib
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from course_utils.checks import Wrong, _a, expect_array, show

SHOWN_WHOLE = 6  # arrays with at most this many entries are shown whole
FIRST_DIFFERENCES = 3  # otherwise, this many of the differing entries


def _is_are(plural: bool) -> str:
    return "are" if plural else "is"


def _fmt(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return f"{float(value):.6g}"


def short(value: Any) -> str:
    """A one-line rendering of an array: whole when short, else its shape and first entries (never raises)."""
    try:
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            return show(value)
        if array.size <= SHOWN_WHOLE:
            body = ", ".join(_fmt(v) for v in array.flat) if array.ndim else _fmt(array[()])
            return f"[{body}]" if array.ndim == 1 else (body if array.ndim == 0 else f"shape {array.shape}: [{body}]")
        head = ", ".join(_fmt(v) for v in array.flat[:SHOWN_WHOLE])  # .flat: no copy of a huge (broadcast) array
        return f"shape {array.shape}: [{head}, ...]"
    except Exception:  # pragma: no cover - show() itself never raises
        return show(value)


def array_of_numbers(received: Any, *, name: str, hint: str = "") -> np.ndarray:
    """The learner's result as a NumPy array of booleans, integers or floats (its dtype kept), or :class:`Wrong`.

    Text, lists and tuples are wrong answers where an array is asked for; so is anything that does
    not hold real numbers. Never raises anything but :class:`Wrong`.
    """
    if received is None or isinstance(received, (str, list, tuple)):
        expect_array(received, name=name, hint=hint)  # raises: "should be a NumPy array, got a list", ...
    what = f"an array of {received.dtype}" if isinstance(received, np.ndarray) else _a(type(received).__name__)
    try:
        array = received if isinstance(received, np.ndarray) else np.asarray(received)
        if array.dtype.kind == "c":
            raise TypeError("complex")
        if array.dtype.kind not in "biuf":
            array = array.astype(float)  # an object array of numbers (e.g. Fractions); text or objects fail here
    except Exception:  # whatever the object's __array__ / __float__ raises
        raise Wrong(f"{name} should be an array of real numbers, got {what}.", f"received: {show(received)}", hint=hint) from None
    return np.asarray(array)  # an ndarray subclass becomes a plain array


def number(received: Any, *, name: str, hint: str = "") -> float:
    """The learner's result as one real number (int, float, NumPy scalar, 0-d array, Fraction), or :class:`Wrong`."""
    if received is None:
        raise Wrong(f"{name}: got None — did you forget `return`?")
    if isinstance(received, (bool, np.bool_)):
        raise Wrong(f"{name} should be a number, got {received}.", hint=hint)
    if isinstance(received, (list, tuple)):
        raise Wrong(f"{name} should be one number, got {_a(type(received).__name__)}.", f"received: {show(received)}",
                    hint=hint or "return the number itself, not a list holding it.")
    if isinstance(received, str):
        raise Wrong(f"{name} should be a number, got a string.", f"received: {show(received)}",
                    hint=hint or "return the number itself, not text describing it.")
    try:
        array = array_of_numbers(received, name=name, hint=hint)
    except Wrong:
        what = f"an array of {received.dtype}" if isinstance(received, np.ndarray) else _a(type(received).__name__)
        raise Wrong(f"{name} should be one real number, got {what}.", f"received: {show(received)}", hint=hint) from None
    if array.ndim:
        raise Wrong(f"{name} should be one number, got an array of shape {array.shape}.", f"received: {short(array)}", hint=hint)
    if array.dtype.kind == "b":
        raise Wrong(f"{name} should be a number, got {bool(array)}.", hint=hint)
    return float(array)


@contextlib.contextmanager
def about(what: str, description: str) -> Iterator[None]:
    """Say which input a wrong answer was found on: ``with about("batch", "6 examples"): ...``."""
    try:
        yield
    except Wrong as wrong:
        raise wrong.with_detail(f"{what}: {description}", first=True) from None


def differences(got: np.ndarray, expected: np.ndarray, *, rtol: float, atol: float,
                label: Callable[[tuple[int, ...]], str] | None = None) -> list[str]:
    """Detail lines: both arrays when short, else how many entries differ and the first few."""
    if expected.size <= SHOWN_WHOLE:
        return [f"expected: {short(expected)}", f"received: {short(got)}"]
    wrong = ~np.isclose(got, expected, rtol=rtol, atol=atol)  # NaN counts as wrong
    where = [tuple(int(i) for i in index) for index in np.argwhere(wrong)[:FIRST_DIFFERENCES]]
    name = label or (lambda index: f"at {list(index)}")
    lines = [f"{int(wrong.sum())} of {expected.size} entries differ{'; the first ones' if len(where) > 1 else ''}:"]
    lines += [f"  {name(i)}: expected {_fmt(expected[i])}, received {_fmt(got[i])}" for i in where]
    if np.isnan(got).any():
        lines.append("your result contains NaN (not a number): look for 0/0 or a log of a negative number.")
    return lines


def _shape_message(name: str, plural: bool, shape: tuple[int, ...], expected: tuple[int, ...]) -> str:
    if not shape:
        return f"{name} {_is_are(plural)} a single number; expected an array of shape {expected}."
    return f"{name} {'have' if plural else 'has'} shape {shape}, expected {expected}."


def _matches(got: np.ndarray, value: np.ndarray, rtol: float, atol: float) -> bool:
    return value.shape == got.shape and bool(np.allclose(got, value, rtol=rtol, atol=atol))


def expect_close(
    received: Any,
    expected: Any,
    *,
    name: str,
    plural: bool = False,
    hint: str = "",
    rtol: float = 1e-6,
    atol: float = 1e-8,
    mistakes: tuple[tuple[Any, str], ...] = (),
    label: Callable[[tuple[int, ...]], str] | None = None,
) -> np.ndarray:
    """Compare the learner's array with ``expected``; return it as floats, or raise :class:`Wrong`.

    ``mistakes`` holds ``(what a slip computes, its hint)`` pairs, of any shape; an answer that
    matches one gets that hint. ``label(index)`` names an entry in the message (default
    ``at [i, j]``). Never raises anything but :class:`Wrong`.
    """
    expected = np.asarray(expected, dtype=float)
    array = array_of_numbers(received, name=name, hint=hint)
    shapes = {expected.shape} | {np.shape(value) for value, _ in mistakes}
    got = array.astype(float) if array.shape in shapes else None  # converted only when it can match something
    if got is not None and _matches(got, expected, rtol, atol):
        return got
    for value, mistake_hint in mistakes:
        value = np.asarray(value, dtype=float)
        if got is not None and _matches(got, value, rtol, atol):
            if value.shape != expected.shape:
                raise Wrong(_shape_message(name, plural, got.shape, expected.shape), f"received: {short(got)}", hint=mistake_hint)
            raise Wrong(f"{name} {_is_are(plural)} not right.", *differences(got, expected, rtol=rtol, atol=atol, label=label), hint=mistake_hint)
    if array.shape != expected.shape:
        raise Wrong(_shape_message(name, plural, array.shape, expected.shape), f"received: {short(array)}",
                    hint=hint or "check which axis you reduced over and whether you kept the batch axis.")
    raise Wrong(f"{name} {_is_are(plural)} not right.", *differences(got, expected, rtol=rtol, atol=atol, label=label), hint=hint)


def expect_number(received: Any, expected: float, *, name: str, hint: str = "", rtol: float = 1e-6, atol: float = 1e-8,
                  mistakes: tuple[tuple[float, str], ...] = ()) -> float:
    """:func:`expect_close` for one number: text, lists, arrays and booleans are wrong answers with a message."""
    value = number(received, name=name, hint=hint)
    expect_close(value, expected, name=name, hint=hint, rtol=rtol, atol=atol, mistakes=mistakes)
    return value


def expect_close_on_each(
    cases: Sequence[tuple],
    *,
    what: str,
    name: str,
    plural: bool = False,
    hint: str = "",
    rtol: float = 1e-6,
    atol: float = 1e-8,
    label: Callable[[tuple[int, ...]], str] | None = None,
) -> None:
    """:func:`expect_close` on several inputs, naming a slip only when it explains the answer on all of them.

    ``cases`` holds ``(description, received, expected, mistakes)`` per input, the mistakes in the
    same order (the same slips) for every input, and optionally a fifth item: a note about that
    input's answer (e.g. its completeness gap), shown before the hint when the answer is wrong.
    A slip can coincide with another one, or with the right answer, on one input; matching it on
    every input is what tells it apart. When no slip matches everywhere, the first input with a
    wrong answer is judged on its own.
    """
    arrays = []
    for description, received, *_ in cases:
        with about(what, description):
            arrays.append(array_of_numbers(received, name=name, hint=hint))

    def fits(array: np.ndarray, value: Any) -> bool:
        value = np.asarray(value, dtype=float)
        return value.shape == array.shape and _matches(array.astype(float), value, rtol, atol)  # shape first: no huge copies

    wrong = [i for i, (case, array) in enumerate(zip(cases, arrays)) if not fits(array, case[2])]
    if not wrong:
        return
    first = wrong[0]
    description, _, expected, mistakes, *note = cases[first]
    for j in range(len(mistakes)):
        if all(fits(array, case[3][j][0]) for case, array in zip(cases, arrays)):
            mistakes = (mistakes[j],)
            break
    with about(what, description):
        try:
            expect_close(arrays[first], expected, name=name, plural=plural, hint=hint, rtol=rtol, atol=atol, mistakes=mistakes, label=label)
        except Wrong as wrong_answer:
            raise (wrong_answer.with_detail(note[0]) if note and note[0] else wrong_answer) from None
