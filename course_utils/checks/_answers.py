"""Reading and comparing a learner's answers, for the checks of every notebook.

Whatever the learner's function returns becomes numbers or a wrong answer that says what arrived:

- :func:`as_array` and :func:`as_number` read a result — also text, lists, tuples, complex numbers,
  dicts, models and objects whose ``__array__`` or ``__float__`` raise — and never copy a huge one;
- :func:`unpack` splits a returned tuple and tells a wrong order from the shapes;
- :func:`expect_close` compares with the expected array, judging the shape first, naming a slip
  (``mistakes``) when the answer is what that slip computes, and showing a long array by its first
  differing entries; :func:`expect_close_on_each` does so on several inputs and names a slip only
  when it explains every one of them; :func:`expect_equal` compares exactly;
- :func:`case` says which input a wrong answer was found on; :func:`show` renders a value in a line.

Each raises nothing but :class:`~course_utils.checks.Wrong`. NumPy only.
"""

from __future__ import annotations

import contextlib
import itertools
from typing import Any, Callable, Iterator, Sequence

import numpy as np

from course_utils.checks import Wrong, _a

__all__ = [
    "as_array", "as_names", "as_number", "unpack", "case",
    "expect_close", "expect_close_on_each", "expect_equal", "show",
]

SHOWN_WHOLE = 12  # arrays with at most this many entries are shown whole; longer ones by their shape and first entries
FIRST_DIFFERENCES = 3  # how many of the differing entries of a long array are listed
HINT_COMPLEX = (
    "the answer is real: look for np.linalg.eig or np.sqrt of a negative number (eigenvalues can be complex; "
    "singular values never are)."
)


# --- showing values -------------------------------------------------------------------------------


def _entry(value: Any, digits: int = 6) -> str:
    """One number: booleans and integers as they are, floats with ``digits`` significant digits."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return f"{float(value):.{digits}g}"


def _nested(array: np.ndarray) -> str:
    return "[" + ", ".join(_nested(row) if row.ndim else _entry(row[()], 4) for row in array) + "]"


def show(value: Any) -> str:
    """A short one-line rendering of a value for a check's message (never raises, never copies a huge array).

    >>> show(np.array([[0.5, 1.0], [2.0, -3.25]]))
    '[[0.5, 1], [2, -3.25]]'
    >>> show(np.zeros((100, 100)))
    'an array of shape (100, 100): [0, 0, 0, 0, 0, 0, …]'
    >>> show([0.5, 2])
    'list [0.5, 2]'
    """
    try:
        if isinstance(value, (bool, np.bool_, float, np.integer, np.floating)):
            return _entry(value)
        if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
            if value.ndim == 0:
                return _entry(value[()])
            if value.size == 0:
                return f"an empty array of shape {value.shape}"
            if value.size <= SHOWN_WHOLE:
                return _nested(value)
            head = ", ".join(_entry(v, 4) for v in value.flat[:6])  # .flat: no copy of a huge (broadcast) array
            return f"an array of shape {value.shape}: [{head}, …]"
        if (
            isinstance(value, (list, tuple))
            and value
            and all(isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_)) for v in value)
        ):
            return f"{type(value).__name__} {show(np.asarray(value, dtype=float))}"  # not np.float64(...) for each
        if isinstance(value, np.ndarray):  # text, complex or objects: NumPy summarizes a long one
            text = np.array2string(value, threshold=SHOWN_WHOLE, edgeitems=3).replace("\n", " ")
        else:
            text = repr(value)
    except Exception:  # an object whose repr or conversion fails
        return f"<{type(value).__name__} object>"
    return text if len(text) <= 120 else text[:117] + "..."


# --- reading a result -----------------------------------------------------------------------------


def _what(received: Any) -> str:
    """What arrived, in words: ``an array of complex128``, ``a dict``."""
    return f"an array of {received.dtype}" if isinstance(received, np.ndarray) else _a(type(received).__name__)


def _not_none(received: Any, name: str) -> None:
    if received is None:
        raise Wrong(f"{name} is None — did you forget `return`?")


def _real_numbers(received: Any, name: str, hint: str) -> np.ndarray:
    """``received`` as a plain array of booleans, integers or floats (not copied when it is one already)."""
    problem = f"{name} should be an array of real numbers, got {_what(received)}."
    try:
        array = np.asarray(received)  # an ndarray subclass becomes a plain array
    except (Exception, SystemExit) as error:  # the object's own __array__, __len__ or __float__ raised
        raise Wrong(
            problem,
            f"received: {show(received)}",
            f"reading it as numbers raised {type(error).__name__}",
            hint=hint or "return a NumPy array (or a number) computed with NumPy.",
        ) from None
    if array.dtype.kind == "c":
        raise Wrong(problem, f"received: {show(received)}", hint=hint or HINT_COMPLEX)
    if array.dtype.kind not in "biuf":
        try:
            array = array.astype(float)  # an object array of numbers (e.g. Fractions); text and other objects fail
        except (Exception, SystemExit):
            raise Wrong(problem, f"received: {show(received)}", hint=hint) from None
    return array


def as_array(received: Any, name: str = "your answer", *, hint: str = "", dtype: Any = float) -> np.ndarray:
    """The learner's result as a NumPy array of real numbers, or :class:`Wrong` saying what arrived instead.

    Text, lists and tuples are wrong answers where an array is asked for ("return a NumPy array");
    so are complex numbers and anything that does not hold numbers, also objects whose conversion
    raises. The result has ``dtype`` (float); ``dtype=None`` keeps the learner's booleans and
    integers (for counts, indices and masks). An array that already has it is not copied.

    >>> as_array(np.arange(3), "the counts", dtype=None).dtype.kind
    'i'
    >>> as_array([1.0, 2.0], "the scores")
    Traceback (most recent call last):
    ...
    course_utils.checks.Wrong: the scores should be a NumPy array, got a list.
    """
    _not_none(received, name)
    if isinstance(received, str):
        raise Wrong(
            f"{name} should be a NumPy array, got a string.",
            f"received: {show(received)}",
            hint=hint or "return the array itself, not text describing it.",
        )
    if isinstance(received, (list, tuple)):
        raise Wrong(
            f"{name} should be a NumPy array, got {_a(type(received).__name__)}.",
            f"received: {show(received)}",
            hint=hint or "build the result with NumPy operations, or wrap it: np.array(result).",
        )
    array = _real_numbers(received, name, hint)
    if dtype is None or array.dtype == dtype:
        return array
    try:
        return array.astype(dtype)
    except Exception:  # pragma: no cover - real numbers always convert to float, unless memory runs out
        raise Wrong(
            f"{name} could not be converted to {np.dtype(dtype)}.", f"received: {show(array)}", hint=hint
        ) from None


def as_number(received: Any, name: str = "your answer", *, hint: str = "") -> np.float64:
    """The learner's result as one real number (a NumPy float, ``.shape == ()``), or :class:`Wrong`.

    Ints, floats, NumPy scalars, 0-d arrays and Fractions are numbers; text, lists, tuples, booleans,
    arrays (also of one entry) and complex numbers are wrong answers that say what arrived.

    >>> value = as_number(np.array(0.25), "accuracy")
    >>> float(value), value.shape
    (0.25, ())
    >>> as_number(np.array([0.25]), "accuracy")
    Traceback (most recent call last):
    ...
    course_utils.checks.Wrong: accuracy should be one number, got an array of shape (1,).
    """
    _not_none(received, name)
    if isinstance(received, (bool, np.bool_)):
        raise Wrong(f"{name} should be one number, got {bool(received)}.", hint=hint)
    if isinstance(received, str):
        raise Wrong(
            f"{name} should be one number, got a string.",
            f"received: {show(received)}",
            hint="return the number itself, not text describing it.",
        )
    if isinstance(received, (list, tuple)):
        raise Wrong(
            f"{name} should be one number, got {_a(type(received).__name__)}.",
            f"received: {show(received)}",
            hint=hint or "return the number itself (one float), not a list or tuple holding it.",
        )
    try:
        array = _real_numbers(received, name, hint)
    except Wrong as wrong:
        raise Wrong(f"{name} should be one real number, got {_what(received)}.", *wrong.details) from None
    if array.ndim:
        one = array.size == 1
        raise Wrong(
            f"{name} should be one number, got an array of shape {array.shape}.",
            f"received: {show(array)}",
            hint="return the number itself: float(result), or result.item()." if one else hint,
        )
    if array.dtype.kind == "b":
        raise Wrong(f"{name} should be one number, got {bool(array)}.", hint=hint)
    return np.float64(array)


def _several(received: Any) -> str:
    """What arrived where several results were expected: ``a tuple of 3 things``, ``one array of 4 numbers``."""
    if isinstance(received, (tuple, list)):
        return f"{_a(type(received).__name__)} of {len(received)} things"
    if isinstance(received, np.ndarray):
        return (
            "one number"
            if received.ndim == 0
            else f"one array of {received.size} numbers"
            if received.ndim == 1
            else f"one array of shape {received.shape}"
        )
    return _a(type(received).__name__)


def unpack(
    received: Any, names: tuple[str, ...], expected: tuple[Any, ...], *, function: str
) -> tuple[np.ndarray, ...]:
    """Split a returned tuple (or list) into float arrays named ``names``; a wrong count or order is :class:`Wrong`.

    The order is judged by shape: when the parts do not have the shapes of ``expected`` in the
    order given but do in another order, the hint names the order to return them in (a part that
    should be one number may be an array of one entry).

    >>> unpack((np.zeros(3), 0.5), ("coef", "intercept"), (np.ones(3), 1.0), function="fit")[1]
    array(0.5)
    """
    wanted = ", ".join(names)
    if not isinstance(received, (tuple, list)) or len(received) != len(names):
        raise Wrong(
            f"{function} should return {len(names)} results ({wanted}); got {_several(received)}.",
            f"received: {show(received)}",
            hint=f"end with `return {wanted}`, in that order.",
        )
    parts = tuple(as_array(part, name) for part, name in zip(received, names))
    shapes = [np.shape(e) for e in expected]

    def fits(order: tuple[int, ...]) -> bool:
        return all(parts[i].shape == shapes[k] or (shapes[k] == () and parts[i].size == 1) for k, i in enumerate(order))

    if not fits(tuple(range(len(parts)))):
        for order in itertools.permutations(range(len(parts))):
            if fits(order):
                received_shapes = ", ".join(str(p.shape) for p in parts)
                raise Wrong(
                    f"{function} returned its results in the wrong order (shapes {received_shapes}).",
                    hint=f"return them as `return {wanted}`, with shapes {', '.join(str(s) for s in shapes)}.",
                )
    return parts


# --- saying where a wrong answer was found ---------------------------------------------------------


@contextlib.contextmanager
def case(description: str, *, label: str = "for") -> Iterator[None]:
    """Name the input a wrong answer was found on, as its first detail line.

    >>> from course_utils.checks import exercise
    >>> @exercise("Double")
    ... def check_double(fn):
    ...     with case("x = 3", label="input"):
    ...         expect_close(fn(3.0), 6.0, name="double(x)")
    >>> print(check_double(lambda x: x + 2))
    ❌ Double: double(x) is not right.
       input: x = 3
       expected: 6
       received: 5
    """
    try:
        yield
    except Wrong as wrong:
        raise wrong.with_detail(f"{label}: {description}", first=True) from None


# --- comparing --------------------------------------------------------------------------------------


def _is_are(plural: bool) -> str:
    return "are" if plural else "is"


def _shape_message(name: str, plural: bool, shape: tuple[int, ...], expected: tuple[int, ...]) -> str:
    if not shape:
        return f"{name} {_is_are(plural)} a single number; expected an array of shape {expected}."
    has = "have" if plural else "has"
    return (
        f"{name} {has} shape {shape}; expected one number."
        if not expected
        else f"{name} {has} shape {shape}, expected {expected}."
    )


def _close(got: np.ndarray, value: np.ndarray, rtol: float, atol: float, *, equal_nan: bool = False) -> bool:
    return value.shape == got.shape and bool(np.allclose(got, value, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _differences(
    got: np.ndarray, expected: np.ndarray, rtol: float, atol: float, entry: Callable[[tuple[int, ...]], str] | None
) -> list[str]:
    """Detail lines: both arrays when short, else how many entries differ and the first few; then the
    largest difference (unless listed already) and a note on NaN."""
    lines, listed = [f"expected: {show(expected)}", f"received: {show(got)}"], []
    if expected.ndim:
        name = entry or (lambda index: f"at {list(index)}")
        wrong = ~np.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
        if expected.size > SHOWN_WHOLE:
            listed = [tuple(int(i) for i in index) for index in np.argwhere(wrong)[:FIRST_DIFFERENCES]]
            lines = [
                f"{int(wrong.sum())} of {expected.size} entries differ{'; the first ones' if len(listed) > 1 else ''}:"
            ]
            lines += [f"  {name(i)}: expected {_entry(expected[i])}, received {_entry(got[i])}" for i in listed]
        gap = np.where(wrong, np.nan_to_num(np.abs(got - expected), nan=np.inf, posinf=np.inf), 0.0)
        worst = tuple(int(i) for i in np.unravel_index(np.argmax(gap), gap.shape))
        if expected.size > 1 and worst not in listed:
            lines.append(
                f"the largest difference, {name(worst)}: expected {_entry(expected[worst])}, received "
                f"{_entry(got[worst])}"
            )
    if np.isnan(got).any():
        lines.append("your result contains NaN (not a number): look for 0/0 or a log of a negative number.")
    return lines


def expect_close(
    received: Any,
    expected: Any,
    *,
    name: str = "your answer",
    plural: bool = False,
    hint: str = "",
    rtol: float = 1e-6,
    atol: float = 1e-8,
    mistakes: tuple[tuple[Any, str], ...] = (),
    entry: Callable[[tuple[int, ...]], str] | None = None,
) -> np.ndarray:
    """Compare the learner's array (or number) with ``expected``; return it as floats, or raise :class:`Wrong`.

    The answer is read by :func:`as_array` (text, lists, complex numbers… are wrong answers) and its
    shape judged before anything is converted. ``mistakes`` holds ``(what a slip computes, its
    hint)`` pairs, of any shape: an answer that matches one gets that hint instead of ``hint``.
    ``plural`` makes the verb agree with ``name`` ("your attributions are not right");
    ``entry(index)`` names an entry in the message (default ``at [i, j]``).

    >>> expect_close(np.array([1.0, 2.0]), [1.0, 2.0], name="v")
    array([1., 2.])
    """
    expected = np.asarray(expected, dtype=float)
    array = as_array(received, name, hint=hint, dtype=None)
    shapes = {expected.shape} | {np.shape(value) for value, _ in mistakes}
    got = array.astype(float) if array.shape in shapes else None  # converted only when it can match something
    if got is not None and _close(got, expected, rtol, atol, equal_nan=True):
        return got
    for value, mistake_hint in mistakes:
        value = np.asarray(value, dtype=float)
        if got is not None and _close(got, value, rtol, atol):
            if value.shape != expected.shape:
                raise Wrong(
                    _shape_message(name, plural, got.shape, expected.shape), f"received: {show(got)}", hint=mistake_hint
                )
            raise Wrong(
                f"{name} {_is_are(plural)} not right.",
                *_differences(got, expected, rtol, atol, entry),
                hint=mistake_hint,
            )
    if got is None or got.shape != expected.shape:
        raise Wrong(
            _shape_message(name, plural, array.shape, expected.shape),
            f"received: {show(array)}",
            hint=hint or "check which axis you reduced over and whether you kept the batch axis.",
        )
    raise Wrong(f"{name} {_is_are(plural)} not right.", *_differences(got, expected, rtol, atol, entry), hint=hint)


def expect_close_on_each(
    cases: Sequence[tuple],
    *,
    label: str = "for",
    name: str,
    plural: bool = False,
    hint: str = "",
    rtol: float = 1e-6,
    atol: float = 1e-8,
    entry: Callable[[tuple[int, ...]], str] | None = None,
) -> None:
    """:func:`expect_close` on several inputs, naming a slip only when it explains the answer on all of them.

    ``cases`` holds ``(description, received, expected, mistakes)`` per input, the mistakes in the
    same order (the same slips) for every input, and optionally a fifth item: a note about that
    input's answer (e.g. its completeness gap), shown before the hint when the answer is wrong.
    A slip can coincide with another one, or with the right answer, on one input; matching it on
    every input is what tells it apart. When no slip matches everywhere, the first input with a
    wrong answer is judged on its own. Each input is named as in :func:`case`, with ``label``.
    """
    arrays = []
    for description, received, *_ in cases:
        with case(description, label=label):
            arrays.append(as_array(received, name, hint=hint, dtype=None))

    def fits(array: np.ndarray, value: Any) -> bool:
        value = np.asarray(value, dtype=float)
        return value.shape == array.shape and _close(
            array.astype(float), value, rtol, atol
        )  # shape first: no huge copies

    wrong = [i for i, (each, array) in enumerate(zip(cases, arrays)) if not fits(array, each[2])]
    if not wrong:
        return
    first = wrong[0]
    description, _, expected, mistakes, *note = cases[first]
    for j in range(len(mistakes)):
        if all(fits(array, each[3][j][0]) for each, array in zip(cases, arrays)):
            mistakes = (mistakes[j],)
            break
    with case(description, label=label):
        try:
            expect_close(
                arrays[first],
                expected,
                name=name,
                plural=plural,
                hint=hint,
                rtol=rtol,
                atol=atol,
                mistakes=mistakes,
                entry=entry,
            )
        except Wrong as wrong_answer:
            raise (wrong_answer.with_detail(note[0]) if note and note[0] else wrong_answer) from None


def expect_equal(received: Any, expected: Any, *, name: str = "your answer", hint: str = "") -> None:
    """Exact comparison (for ints, strings, booleans, tuples); an answer that cannot be compared is wrong."""
    _not_none(received, name)
    if isinstance(expected, (bool, np.bool_)) and not isinstance(received, (bool, np.bool_)):
        raise Wrong(
            f"{name} should be True or False, got {_a(type(received).__name__)}.",
            f"received: {show(received)}",
            hint=hint,
        )
    try:
        equal = bool(received == expected)
    except (Exception, SystemExit):  # an array (ambiguous truth value), or an object whose == raises
        equal = False
    if not equal:
        raise Wrong(f"{name} is not right.", f"expected: {show(expected)}", f"received: {show(received)}", hint=hint)


def as_names(received: Any, label: str) -> list[str]:
    """A list of feature names (11's reasons, 13's ranking), or :class:`Wrong` saying what arrived.

    Never copies a huge array."""
    hint = "return a list of strings, e.g. [feature_names[j] for j in order[:k]]."
    if received is None:
        raise Wrong(f"{label} returned None — did you forget `return`?")
    if isinstance(received, str):
        raise Wrong(f"{label} should return a list of feature names; got one string {show(received)}.",
                    hint="return a list, e.g. ['debt_to_income', 'late_payments'], even for a single reason.")
    try:
        if isinstance(received, np.ndarray):
            if received.ndim != 1:
                raise Wrong(f"{label} should return a list of feature names; got an array of shape "
                            f"{received.shape}.", f"received: {show(received)}", hint=hint)
            items = np.asarray(received).tolist()  # a plain array: a subclass's own methods are not trusted
        elif isinstance(received, (list, tuple)) or type(received).__module__.startswith("pandas"):
            items = list(received)
        else:
            raise Wrong(f"{label} should return a list of feature names; got {_a(type(received).__name__)}.",
                        f"received: {show(received)}", hint=hint)
    except Wrong:
        raise
    except (Exception, SystemExit):
        raise Wrong(f"{label} should return a list of feature names; got {_a(type(received).__name__)}.",
                    hint=hint) from None
    if items and all(isinstance(item, (int, np.integer)) and not isinstance(item, bool) for item in items):
        raise Wrong(f"{label} returned column indices {show(items)}; return the feature names.",
                    hint="look each index up: [feature_names[j] for j in indices].")
    if not all(isinstance(item, (str, np.str_)) for item in items):
        what = f"an array of {received.dtype}" if isinstance(received, np.ndarray) else show(received)
        raise Wrong(f"{label} should return a list of feature names (strings); got {what}.",
                    f"received: {show(received)}",
                    hint="return names, not the Shapley values: [feature_names[j] for j in ...].")
    return [str(item) for item in items]
