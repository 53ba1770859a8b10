"""The check machinery (four outcomes, never raises, grading, isolation), the readers and comparisons
every check is built from (course_utils.checks._answers), and the warm-up check of 00."""

import numpy as np
import pytest

from course_utils.checks import (
    CORRECT,
    CRASHED,
    NOT_ATTEMPTED,
    WRONG,
    Wrong,
    call,
    exercise,
    expect_close,
    expect_equal,
)
from course_utils.checks import welcome
from tests import check_answers as answers
from tests.check_answers import Exercise


def right(x):
    return (x - x.mean(axis=0)) / x.std(axis=0)


def not_attempted(x):
    # YOUR CODE HERE
    raise NotImplementedError()


def test_correct():
    result = welcome.standardize(right)
    assert result.status == CORRECT and bool(result)
    assert "mean 0" in result.message


def test_not_attempted():
    result = welcome.standardize(not_attempted)
    assert result.status == NOT_ATTEMPTED and not result
    assert "NotImplementedError" in result.message


# --- the warm-up exercise of 00: right answers written differently, the slips, hostile answers --------


def column_by_column(x):
    return np.column_stack([(column - column.mean()) / column.std() for column in x.T])


def in_place(x):
    x -= x.mean(axis=0)
    x /= x.std(axis=0)
    return x


def with_scipy(x):
    from scipy.stats import zscore

    return zscore(x, axis=0)


def with_sklearn(x):
    from sklearn.preprocessing import StandardScaler

    return StandardScaler().fit_transform(x)


STANDARDIZE_SLIPS = {
    "ddof=1": (lambda x: (x - x.mean(axis=0)) / x.std(axis=0, ddof=1), "population standard deviation"),
    "one mean and std for all": (lambda x: (x - x.mean()) / x.std(), "pass axis=0"),
    "std of everything": (lambda x: (x - x.mean(axis=0)) / x.std(), "pass axis=0 to std as well"),
    "mean of everything": (lambda x: (x - x.mean()) / x.std(axis=0), "each column's own mean"),
    "per row": (
        lambda x: (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True),
        "axis=1 gives one per example",
    ),
    "centring only": (lambda x: x - x.mean(axis=0), "also divide"),
    "scaling only": (lambda x: x / x.std(axis=0), "subtract each column's mean"),
    "brackets": (lambda x: x - x.mean(axis=0) / x.std(axis=0), "mind the brackets"),
    "variance": (lambda x: (x - x.mean(axis=0)) / x.var(axis=0), "not the variance"),
    "min-max": (lambda x: (x - x.min(axis=0)) / (x.max(axis=0) - x.min(axis=0)), "min–max scaling"),
    "transposed": (lambda x: ((x - x.mean(axis=0)) / x.std(axis=0)).T, "no transpose is needed"),
    "something else": (lambda x: x * 2, "mean 0 and standard deviation 1"),
    "a list": (lambda x: right(x).tolist(), "np.array(result)"),
    "a string": (lambda x: str(right(x)), "not text describing it"),
    "forgot return": (lambda x: None, "did you forget `return`?"),
}


@pytest.mark.parametrize("x", [x for _, x in welcome._inputs()], ids=["hand-made", "random"])
def test_every_slip_differs_from_the_answer_and_from_the_others(x):
    values = [value for value, _ in welcome._slips(x)]
    for i, value in enumerate(values):
        assert not np.allclose(value, right(x))
        assert not any(np.allclose(value, other) for other in values[:i])


def test_the_random_batch_catches_what_the_small_one_cannot():
    """A slip that happens to be right on the first batch is still caught, on the second one."""

    def right_on_the_small_batch_only(x):
        return right(x) if x.shape == (4, 2) else x - x.mean(axis=0)

    result = welcome.standardize(right_on_the_small_batch_only)
    assert result.status == WRONG and result.details[0] == "for: a random batch of 7 examples with 3 features"
    assert any("also divide" in line for line in result.details)


WELCOME = {
    "standardize": Exercise(
        welcome.standardize, right, [column_by_column, in_place, with_scipy, with_sklearn], STANDARDIZE_SLIPS
    )
}


@pytest.mark.parametrize(*answers.params(WELCOME))
def test_standardize_answers(kind, exercise, answer, expected):
    answers.judge(kind, exercise, answer, expected)


# --- 00's second exercise: the k names with the largest |weight|, largest first -----------------------


def top_right(weights, names, k):
    return [names[j] for j in np.argsort(-np.abs(weights))[:k]]


def top_with_sorted(weights, names, k):
    return [name for _, name in sorted(zip(np.abs(weights), names), reverse=True)][:k]


def top_as_array(weights, names, k):
    return np.asarray(names)[np.argsort(np.abs(weights))[::-1][:k]]


def top_as_tuple(weights, names, k):
    return tuple(top_right(weights, names, k))


def _signed(weights, names, k):
    return [names[j] for j in np.argsort(-weights)[:k]]


TOP_SLIPS = {
    "signed weight": (_signed, "rank by size, np.abs(weights)"),
    "most negative first": (lambda w, n, k: [n[j] for j in np.argsort(w)[:k]], "not by the signed weight"),
    "ascending": (lambda w, n, k: [n[j] for j in np.argsort(np.abs(w))[:k]], "np.argsort sorts ascending"),
    "original order": (
        lambda w, n, k: [n[j] for j in sorted(np.argsort(-np.abs(w))[:k])],
        "right names in the wrong order",
    ),
    "all of them": (lambda w, n, k: [n[j] for j in np.argsort(-np.abs(w))], "return only the first k"),
    "one too few": (lambda w, n, k: top_right(w, n, k - 1), "return exactly k"),
    "one too many": (lambda w, n, k: top_right(w, n, k + 1), "return exactly k"),
    "positions": (lambda w, n, k: list(np.argsort(-np.abs(w))[:k]), "returned positions, expected names"),
    "pairs": (lambda w, n, k: [(n[j], w[j]) for j in np.argsort(-np.abs(w))[:k]], "returned pairs"),
    "the weights": (lambda w, n, k: list(w[np.argsort(-np.abs(w))[:k]]), "feature names (str), got a list of float"),
    "one string": (lambda w, n, k: ", ".join(top_right(w, n, k)), "returned one str"),
    "a 2-D array": (lambda w, n, k: np.asarray(top_right(w, n, k))[None], "an array of shape (1,"),
    "something else": (lambda w, n, k: list(reversed(n))[:k], "sort by the absolute value"),
}

TOP_GENERIC = {
    "text": "returned one str",
    "complex array": "feature names (str), got a list of complex",
    "huge array": "(1000000, 1000000)",
}


# --- the demo check 00 shows its messages with (square each entry) --------------------------------

SQUARE_SLIPS = {
    "doubles": (lambda x: x * 2, "x * 2 doubles each entry"),
    "absolute value": (np.abs, "that is the absolute value"),
    "sum of squares": (lambda x: np.full_like(x, (x**2).sum()), "no sum"),
    "cube": (lambda x: x**3, "square each entry: x ** 2"),
    "forgot return": (lambda x: None, "did you forget `return`?"),
}

WELCOME_MORE = {
    "top_features": Exercise(
        welcome.top_features, top_right, [top_with_sorted, top_as_array, top_as_tuple], TOP_SLIPS, generic=TOP_GENERIC
    ),
    "square": Exercise(welcome.square, lambda x: x**2, [np.square, lambda x: x * x], SQUARE_SLIPS),
}


@pytest.mark.parametrize(*answers.params(WELCOME_MORE))
def test_top_features_and_square_answers(kind, exercise, answer, expected):
    answers.judge(kind, exercise, answer, expected)


@pytest.mark.parametrize("case", welcome._ranking_inputs(), ids=lambda case: case[0])
def test_ranking_inputs_tell_the_slips_apart(case):
    """No ties in |weight|, and each slip gives a different answer from the right one on each input."""
    _, weights, names, k = case
    assert len(set(np.abs(weights))) == len(weights)
    right_names = welcome.reference_top_features(weights, names, k)
    assert right_names == top_right(weights, names, k)
    slips = [answer for answer, _ in welcome._ranking_slips(weights, names, k)]
    assert all(slip != right_names for slip in slips)
    assert all(slips[i] != slips[j] for i in range(len(slips)) for j in range(i))


def test_the_demo_attempts_of_00_get_their_three_outcomes():
    def forgot_return(x):
        x**2

    def typo(x):
        return x.sqaure()

    assert "did you forget `return`" in welcome.square(forgot_return).message
    answers.assert_verdict(welcome.square(lambda x: x * 2), WRONG, "x * 2 doubles each entry")
    answers.assert_verdict(welcome.square(typo), CRASHED, "AttributeError")


def test_forgotten_return_is_named():
    def no_return(x):
        (x - x.mean(axis=0)) / x.std(axis=0)

    result = welcome.standardize(no_return)
    assert result.status == WRONG and "did you forget `return`" in result.message


def test_wrong_shape_is_reported_with_both_shapes():
    result = welcome.standardize(lambda x: x[0])
    assert result.status == WRONG and "(2,)" in result.message and "(4, 2)" in result.message


def test_passing_something_that_is_not_a_function():
    result = welcome.standardize(np.zeros(3))
    assert result.status == WRONG and "expected a function, got a NumPy array" in result.message
    assert welcome.standardize(None).status == WRONG


def test_crash_shows_the_learners_error_and_line():
    def typo(x):
        return (x - x.mean(axis=0)) / x.sdt(axis=0)

    result = welcome.standardize(typo)
    assert result.status == CRASHED
    assert result.details[0].startswith("AttributeError")
    assert "x.sdt(axis=0)" in result.details[1]


def test_a_bug_in_the_check_itself_never_raises():
    @exercise("Broken check")
    def broken(fn):
        return 1 / 0

    result = broken(right)
    assert result.status == CRASHED and "not your fault" in result.message


def test_check_never_raises_even_for_odd_returns():
    for weird in (lambda x: "text", lambda x: {"a": 1}, lambda x: [[object()]]):
        assert welcome.standardize(weird).status == WRONG


def test_expect_equal_and_booleans():
    @exercise("Rank")
    def check_rank(fn):
        expect_equal(call(fn), 2, name="rank", hint="count independent columns")

    assert check_rank(lambda: 2).status == CORRECT
    result = check_rank(lambda: 3)
    assert (
        result.status == WRONG
        and "expected: 2" in result.details
        and "Hint: count independent columns" in result.details
    )

    @exercise("Unique?")
    def check_flag(fn):
        expect_equal(call(fn), True, name="is_unique")

    assert "True or False" in check_flag(lambda: "yes").message


def test_results_print_and_render():
    result = welcome.standardize(lambda x: x * 2)
    text = str(result)
    assert text.startswith("❌ Warm-up") and "\n   expected:" in text
    html = result._repr_html_()
    assert "<b>Warm-up: standardize each column</b>" in html and "&lt;" not in text
    assert str(welcome.standardize(right)).startswith("✅")
    assert str(welcome.standardize(not_attempted)).startswith("✏️")


def test_a_crash_that_betrays_a_known_slip_becomes_a_hint():
    @exercise("Scores")
    def check_scores(fn):
        W = np.ones((3, 2))
        call(fn, np.ones((4, 2)), W, crash_hints=((ValueError, "matmul", "use X @ W.T"),))

    result = check_scores(lambda X, W: X @ W)
    assert result.status == WRONG and "raised ValueError" in result.message and "Hint: use X @ W.T" in result.details
    assert check_scores(lambda X, W: 1 / 0).status == CRASHED  # other crashes stay crashes


def test_wrong_with_detail_adds_context_first_or_before_the_hint():
    wrong = Wrong("slope is not right.", "expected: 2", hint="mind the sign.")
    assert wrong.with_detail("gap: 3%").details == ("expected: 2", "gap: 3%", "Hint: mind the sign.")
    assert wrong.with_detail("game: glove", first=True).details[0] == "game: glove"


# --- grading under nbgrader, isolation, learner code that misbehaves -----------------------------

from course_utils.checks import CheckFailed, expect_array, grading, private_copy, ungraded  # noqa: E402


def test_under_nbgrader_a_check_fails_its_cell_unless_correct(monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert grading()
    assert welcome.standardize(right) is None  # correct: shown, not returned (nbgrader reads values as partial credit)
    assert "✅ Warm-up" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="Warm-up: standardize each column: standardize\\(x\\) is not right"):
        welcome.standardize(lambda x: x * 2)
    assert "expected:" in capsys.readouterr().out  # the result is shown before the cell fails
    with pytest.raises(CheckFailed, match="not attempted"):
        welcome.standardize(not_attempted)
    with pytest.raises(CheckFailed, match="your code raised an error"):
        welcome.standardize(lambda x: 1 / 0)


def test_the_smoke_test_of_the_checks_only_reports_under_nbgrader(monkeypatch):
    from course_utils import smoke

    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert smoke._checks() == "a correct answer is reported as 'correct'"


def test_validate_mode_also_grades(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    with pytest.raises(CheckFailed):
        welcome.standardize(lambda x: x)


def test_ungraded_checks_only_report_even_under_nbgrader(monkeypatch):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with ungraded():
        assert not grading()
        assert welcome.standardize(lambda x: x).status == WRONG
        with ungraded():  # nests
            assert welcome.standardize(not_attempted).status == NOT_ATTEMPTED
        assert not grading()
    assert grading()  # restored on leaving
    with pytest.raises(ZeroDivisionError):
        with ungraded():
            1 / 0
    assert grading()  # restored after an error too


def test_outside_nbgrader_checks_never_raise(monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert not grading()
    assert welcome.standardize(lambda x: x).status == WRONG


def test_sys_exit_in_learner_code_is_a_crash_not_an_exit():
    import sys

    for exiting in (lambda x: sys.exit(), lambda x: sys.exit(3), lambda x: exit()):
        result = welcome.standardize(exiting)
        assert result.status == CRASHED, result
        assert result.details[0].startswith("SystemExit: your code called sys.exit()/exit()")


def test_keyboard_interrupt_still_stops_the_cell():
    def interrupted(x):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        welcome.standardize(interrupted)


def test_an_error_whose_str_fails_is_still_reported():
    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("no")

    def raises_unprintable(x):
        raise Unprintable()

    result = welcome.standardize(raises_unprintable)
    assert result.status == CRASHED
    assert result.details[0] == "Unprintable: (its message could not be shown: RuntimeError in __str__)"

    @exercise("Broken check")
    def broken(fn):
        raise Unprintable()

    assert "could not be shown" in broken(right).details[0]


def test_learner_code_gets_private_copies_of_the_checks_data():
    table = {"a": np.array([1.0, 2.0]), "b": [1, 2]}

    @exercise("Tables")
    def check_tables(fn):
        before = {k: np.array(v, copy=True) for k, v in table.items()}
        call(fn, table, table["a"])
        for k in table:
            expect_close(np.asarray(table[k]), before[k], name=f"the check's table {k}")

    def vandal(t, a):
        t["a"][:] = 0
        t["b"].append(3)
        t["c"] = 1
        a *= 10
        return 0

    assert check_tables(vandal).status == CORRECT  # the check's own data did not change
    assert check_tables(vandal).status == CORRECT  # nor does it for the next call
    assert set(table) == {"a", "b"} and table["b"] == [1, 2]


def test_private_copy_copies_data_but_not_models_or_functions():
    import pandas as pd

    frame = pd.DataFrame({"x": [1.0]})
    assert private_copy(frame) is not frame and private_copy(frame).equals(frame)
    assert private_copy(right) is right
    lock = __import__("threading").Lock()
    holder = [lock]
    assert private_copy(holder) is holder  # cannot be deep-copied: passed as it is


def test_none_return_is_reported_by_call_with_the_return_it_expects():
    @exercise("Backward")
    def check_backward(fn):
        call(fn, returns="dx, dW, db")

    assert check_backward(lambda: None).message == "<lambda> returned None — did you forget `return dx, dW, db`?"

    @exercise("Side effect")
    def check_side_effect(fn):
        call(fn, allow_none=True)

    assert check_side_effect(lambda: None).status == CORRECT


# --- reading and comparing answers (course_utils.checks._answers) ------------------------------------

from fractions import Fraction  # noqa: E402

from course_utils.checks import as_array, as_number, case, expect_close_on_each, show, unpack  # noqa: E402

from .check_answers import Booby, Hostile  # noqa: E402


def wrong(fn, *args, **kwargs) -> Wrong:
    with pytest.raises(Wrong) as info:
        fn(*args, **kwargs)
    return info.value


@pytest.mark.parametrize(
    "received, message",
    [
        ("[1, 2]", "should be a NumPy array, got a string"),
        ([1.0, 2.0], "should be a NumPy array, got a list"),
        ((1.0, 2.0), "should be a NumPy array, got a tuple"),
        ({"a": 1}, "should be an array of real numbers, got a dict"),
        (Hostile(), "should be an array of real numbers, got a Hostile"),
        (np.ones(2) * 1j, "should be an array of real numbers, got an array of complex128"),
        (np.array(["a"]), "got an array of <U1"),
        (None, "scores is None — did you forget `return`?"),
    ],
)
def test_as_array_turns_anything_else_into_a_wrong_answer(received, message):
    with pytest.raises(Wrong, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        as_array(received, "scores")
    assert as_array(np.array([1, 2]), "scores").dtype == float


def test_an_answer_whose_conversion_fails_says_what_raised():
    class Broken:
        def __array__(self, *args, **kwargs):
            raise RuntimeError("no")

    result = wrong(as_array, Broken(), "v")
    assert result.message == "v should be an array of real numbers, got a Broken."
    assert "reading it as numbers raised RuntimeError" in result.details
    assert "should be an array of real numbers, got a Broken" in wrong(expect_close, Broken(), [1.0], name="v").message


def test_as_array_keeps_the_dtype_only_when_asked_and_drops_subclasses():
    assert as_array(np.arange(3), "x", dtype=None).dtype.kind == "i"
    assert type(as_array(np.arange(3.0).view(Booby), "x", dtype=None)) is np.ndarray
    assert as_array(np.array([Fraction(1, 3)], dtype=object), "x", dtype=None).dtype == float
    huge = np.broadcast_to(0.0, (10**6, 10**6))
    assert as_array(huge, "x").shape == huge.shape  # a float array is not copied


@pytest.mark.parametrize(
    "received, message",
    [
        (True, "should be one number, got True"),
        ([0.5], "should be one number, got a list"),
        ((0.5, 0.1), "should be one number, got a tuple"),
        ("0.5", "should be one number, got a string"),
        (np.ones(3), "should be one number, got an array of shape (3,)"),
        (np.ones(1), "should be one number, got an array of shape (1,)"),
        (Hostile(), "should be one real number, got a Hostile"),
        (1 + 2j, "should be one real number, got a complex number"),
        (None, "is None"),
    ],
)
def test_as_number_turns_anything_else_into_a_wrong_answer(received, message):
    assert message in wrong(as_number, received, "accuracy").message


def test_as_number_hints_at_the_slip_it_recognizes():
    assert (
        wrong(as_number, np.ones(1), "x").details[-1]
        == "Hint: return the number itself: float(result), or result.item()."
    )
    assert (
        wrong(as_number, "0.5", "x", hint="general").details[-1]
        == "Hint: return the number itself, not text describing it."
    )
    assert wrong(as_number, np.ones(3), "x", hint="general").details[-1] == "Hint: general"


def test_as_number_accepts_scalars_of_every_kind():
    values = [as_number(v, "x") for v in (1, 0.5, np.float32(0.5), np.array(2.0), Fraction(1, 4))]
    assert values == [1.0, 0.5, 0.5, 2.0, 0.25] and all(v.shape == () for v in values)


def test_unpack_names_a_wrong_count_and_a_wrong_order():
    expected = (np.ones((2, 3)), np.ones(3), 0.0)
    assert [
        p.shape for p in unpack((np.zeros((2, 3)), np.zeros(3), 1), ("dx", "dW", "db"), expected, function="f")
    ] == [(2, 3), (3,), ()]
    result = wrong(unpack, (np.zeros(3), np.zeros((2, 3)), 1.0), ("dx", "dW", "db"), expected, function="f")
    assert result.message == "f returned its results in the wrong order (shapes (3,), (2, 3), ())."
    assert result.details[-1] == "Hint: return them as `return dx, dW, db`, with shapes (2, 3), (3,), ()."
    assert (
        "wrong order"
        in wrong(unpack, (np.zeros(1), np.zeros(3)), ("coef", "intercept"), (np.ones(3), 0.0), function="f").message
    )
    assert wrong(unpack, np.zeros(4), ("coef", "intercept"), (np.ones(3), 0.0), function="f").message == (
        "f should return 2 results (coef, intercept); got one array of 4 numbers."
    )
    assert "got a tuple of 3 things" in wrong(unpack, (1, 2, 3), ("a", "b"), (1, 2), function="f").message
    assert (
        "b should be a NumPy array, got a list"
        in wrong(unpack, (1.0, [1.0]), ("a", "b"), (1.0, 1.0), function="f").message
    )


def test_show_is_short_and_never_copies_a_huge_array():
    assert (
        show(np.broadcast_to(0.5, (10**6, 10**6)))
        == "an array of shape (1000000, 1000000): [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, …]"
    )
    assert (
        show(np.arange(196.0).reshape(14, 14) / 100)
        == "an array of shape (14, 14): [0, 0.01, 0.02, 0.03, 0.04, 0.05, …]"
    )
    assert (
        show(np.array([1, 2])) == "[1, 2]"
        and show(np.float64(0.25)) == "0.25"
        and show(np.array([True, False])) == "[True, False]"
    )
    assert show(np.array([[0.5, 1.0], [2.0, -3.25]])) == "[[0.5, 1], [2, -3.25]]"
    assert show([0.5, 0.25]) == "list [0.5, 0.25]" and show("x" * 200).endswith("...") and len(show("x" * 200)) == 120
    assert show(Hostile()) == "<Hostile object>"


def test_expect_close_rejects_text_and_lists_that_look_like_numbers():
    assert wrong(expect_close, "0.6667", 2 / 3, name="v").message == "v should be a NumPy array, got a string."
    assert wrong(expect_close, [1.0, 2.0], [1.0, 2.0], name="v").message == "v should be a NumPy array, got a list."
    assert wrong(expect_close, np.array(2 / 3 + 0j), 2 / 3, name="v").message.startswith(
        "v should be an array of real numbers"
    )


def test_expect_close_reports_the_largest_difference():
    details = wrong(expect_close, np.array([1.0, 2.0, 5.0]), np.array([1.0, 2.0, 3.0]), name="v").details
    assert details == (
        "expected: [1, 2, 3]",
        "received: [1, 2, 5]",
        "the largest difference, at [2]: expected 3, received 5",
    )


def test_the_verb_agrees_with_the_name():
    assert (
        wrong(expect_close, np.zeros(2), [1.0, 2.0], name="your attributions", plural=True).message
        == "your attributions are not right."
    )
    assert (
        wrong(expect_close, np.zeros(3), [1.0, 2.0], name="the indices", plural=True).message
        == "the indices have shape (3,), expected (2,)."
    )
    assert (
        wrong(expect_close, 0.5, [1.0, 2.0], name="your map").message
        == "your map is a single number; expected an array of shape (2,)."
    )


def test_a_long_array_is_shown_by_its_first_differing_entries():
    expected = np.arange(196.0).reshape(14, 14) / 100
    received = expected.copy()
    received[0, 3] += 1
    received[9, 1] -= 2
    details = wrong(expect_close, received, expected, name="the map").details
    assert details[:3] == (
        "2 of 196 entries differ; the first ones:",
        "  at [0, 3]: expected 0.03, received 1.03",
        "  at [9, 1]: expected 1.27, received -0.73",
    )
    assert all(len(line) < 200 for line in details)

    expected = np.arange(40.0).reshape(2, 5, 4)
    got = expected.copy()
    got[0, 1, 2] = -1.0
    got[1, 4, 3] = np.nan
    lines = wrong(expect_close, got, expected, name="v").details
    assert lines[:3] == (
        "2 of 40 entries differ; the first ones:",
        "  at [0, 1, 2]: expected 6, received -1",
        "  at [1, 4, 3]: expected 39, received nan",
    )
    assert "NaN" in lines[3]
    named = wrong(expect_close, got, expected, name="v", entry=lambda i: f"pixel {i}").details
    assert named[1].startswith("  pixel (0, 1, 2): ")
    got[0, 4, 0], got[1, 0, 0], got[1, 4, 3] = 0.0, 21.0, 100.0  # the largest difference is not among the first three
    assert (
        wrong(expect_close, got, expected, name="v").details[-1]
        == "the largest difference, at [1, 4, 3]: expected 39, received 100"
    )
    assert wrong(expect_close, np.zeros(3), np.ones(3), name="v").details[:2] == (
        "expected: [1, 1, 1]",
        "received: [0, 0, 0]",
    )


def test_a_mistake_of_another_shape_gets_its_hint():
    result = wrong(
        expect_close, np.ones(3), np.ones((2, 3)), name="z", mistakes=((np.ones(3), "np.max(z, 0) reduces"),)
    )
    assert result.details[-1] == "Hint: np.max(z, 0) reduces"


def test_on_each_input_a_slip_is_named_only_when_it_explains_every_input():
    # input 1: the answer equals both slips; input 2: only slip "B"
    cases = [
        ("first", np.array([1.0, 2.0]), [0.0, 0.0], (([1.0, 2.0], "A"), ([1.0, 2.0], "B"))),
        ("second", np.array([3.0, 4.0]), [0.0, 0.0], (([9.0, 9.0], "A"), ([3.0, 4.0], "B"))),
    ]
    result = wrong(expect_close_on_each, cases, label="input", name="v")
    assert result.details[0] == "input: first" and result.details[-1] == "Hint: B"
    cases[1] = (
        "second",
        np.array([5.0, 5.0]),
        [0.0, 0.0],
        (([9.0, 9.0], "A"), ([3.0, 4.0], "B")),
    )  # no slip fits both: judged on the first alone
    assert wrong(expect_close_on_each, cases, label="input", name="v").details[-1] == "Hint: A"
    cases[0] = (
        "first",
        np.array([0.0, 0.0]),
        [0.0, 0.0],
        cases[0][3],
    )  # right on the first: the second one is reported
    assert wrong(expect_close_on_each, cases, label="input", name="v").details[0] == "input: second"
    assert wrong(expect_close_on_each, cases, name="v").details[0] == "for: second"


def test_on_each_input_a_note_comes_before_the_hint():
    cases = [("only", np.ones(2), np.zeros(2), (), "gap: 3 %")]
    assert wrong(expect_close_on_each, cases, label="input", name="v", hint="h").details[-2:] == ("gap: 3 %", "Hint: h")


def test_case_names_the_input_first():
    with pytest.raises(Wrong) as info:
        with case("6 examples", label="batch"):
            raise Wrong("not right.", "expected: 1", hint="h")
    assert info.value.details == ("batch: 6 examples", "expected: 1", "Hint: h")
    with pytest.raises(Wrong) as info:
        with case("a tall system"):
            expect_close(1.0, 2.0, name="x")
    assert info.value.details[0] == "for: a tall system"


def _all_checks():
    from course_utils.checks import (
        backprop,
        evaluating_explanations,
        global_importance,
        gradient_attributions,
        hidden_layers,
        keras_mnist,
        lime,
        linear_solvability,
        linear_svm,
        shapley_and_shap,
    )

    modules = (
        welcome,
        linear_solvability,
        linear_svm,
        backprop,
        keras_mnist,
        hidden_layers,
        gradient_attributions,
        shapley_and_shap,
        lime,
        global_importance,
        evaluating_explanations,
    )
    return [getattr(module, name) for module in modules for name in module.__all__]


@pytest.mark.parametrize("run", _all_checks(), ids=lambda run: f"{run.__module__.rsplit('.', 1)[-1]}.{run.__name__}")
def test_the_stop_button_still_stops_every_check(run):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(interrupted)
