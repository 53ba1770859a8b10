"""Reading a learner's result as numbers, whatever arrives (used by the checks of notebooks 00–03).

:func:`course_utils.checks.expect_array` turns strings, lists and tuples into wrong answers. The
helpers here add what a check also meets: an object whose conversion itself raises (a broken
``__array__`` or ``__float__``), a complex number (eigenvalues of a non-symmetric matrix), a
result that should be one number, and a tuple of results in the wrong order.
"""

from __future__ import annotations

import contextlib
import itertools
from typing import Any, Iterator

import numpy as np

from course_utils.checks import Wrong, _a, expect_array, show


def as_array(received: Any, name: str, *, hint: str = "") -> np.ndarray:
    """The learner's result as a float array, or a wrong answer that says what arrived instead."""
    if isinstance(received, (list, tuple)):
        raise Wrong(f"{name} should be a NumPy array, got {_kind(received)}.", f"received: {_show_sequence(received)}",
                    hint=hint or "build the result with NumPy operations, or wrap it: np.array(result).")
    try:
        if not isinstance(received, str) and np.iscomplexobj(received):
            raise Wrong(f"{name} is complex.", f"received: {show(received)}",
                        hint=hint or "the answer is real: compute it from real quantities (singular values are always real, eigenvalues need not be).")
        return expect_array(received, name=name, hint=hint)
    except Wrong:
        raise
    except (Exception, SystemExit) as error:  # a broken __array__/__float__/__len__ is the learner's object, not the check
        raise Wrong(f"{name} could not be read as numbers: converting it raised {type(error).__name__}.",
                    f"received: {show(received)}", hint="return a NumPy array (or a number) computed with NumPy.") from None


def as_number(received: Any, name: str, *, hint: str = "") -> np.ndarray:
    """The learner's result as a 0-d float array; a tuple, list or string is a wrong answer that says so."""
    if isinstance(received, str):
        raise Wrong(f"{name} should be one number, got a string.", f"received: {show(received)}",
                    hint="return the number itself, not text describing it.")
    if isinstance(received, (list, tuple)):
        raise Wrong(f"{name} should be one number, got {_kind(received)}.", f"received: {_show_sequence(received)}",
                    hint=hint or "return a single float, not several values.")
    value = as_array(received, name, hint=hint)
    if value.shape != () and value.size == 1:
        raise Wrong(f"{name} should be one number, got an array of shape {value.shape}.", f"received: {show(value)}",
                    hint="return the number itself: float(result), or result.item().")
    return value


def unpack(received: Any, names: tuple[str, ...], expected: tuple[Any, ...], *, function: str) -> tuple[np.ndarray, ...]:
    """Split a returned tuple into arrays named ``names``; a wrong count or order is a wrong answer.

    The order is judged by shape: when the parts do not have the expected shapes in the order
    given but do in another order, the hint names the order to return them in.
    """
    wanted = ", ".join(names)
    if not isinstance(received, (tuple, list)) or len(received) != len(names):
        got = f"{_kind(received)} of length {len(received)}" if isinstance(received, (tuple, list)) else _kind(received)
        raise Wrong(f"{function} should return {len(names)} results ({wanted}); got {got}.", hint=f"end with `return {wanted}`, in that order.")
    parts = tuple(as_array(part, name) for part, name in zip(received, names))
    shapes = [np.shape(e) for e in expected]
    if [p.shape for p in parts] != shapes:
        for order in itertools.permutations(range(len(parts))):
            if all(parts[i].shape == shapes[k] for k, i in enumerate(order)):
                received_shapes = ", ".join(str(p.shape) for p in parts)
                raise Wrong(f"{function} returned its results in the wrong order (shapes {received_shapes}).",
                            hint=f"return them as `return {wanted}`, with shapes {', '.join(str(s) for s in shapes)}.")
    return parts


@contextlib.contextmanager
def case(description: str) -> Iterator[None]:
    """Name the input a wrong answer was found on, as the first detail line ("for: a tall system ...")."""
    try:
        yield
    except Wrong as wrong:
        raise wrong.with_detail(f"for: {description}", first=True) from None


def _show_sequence(value: list | tuple) -> str:
    """A list of numbers shown as numbers (under NumPy 2 its repr spells out np.float64(...) for each)."""
    try:
        return f"{_kind(value)} {show(np.asarray(value, dtype=float))}"
    except (Exception, SystemExit):
        return show(value)


def _kind(value: Any) -> str:
    return _a(type(value).__name__)
