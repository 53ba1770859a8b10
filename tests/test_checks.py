"""The check machinery: four outcomes, never raises, kind messages; the warm-up check of 00."""

import numpy as np
import pytest

from course_utils.checks import CORRECT, CRASHED, NOT_ATTEMPTED, WRONG, Wrong, call, exercise, expect_close, expect_equal
from course_utils.checks import welcome


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


@pytest.mark.parametrize(
    "attempt, hint",
    [
        (lambda x: (x - x.mean(axis=0)) / x.std(axis=0, ddof=1), "population standard deviation"),
        (lambda x: (x - x.mean()) / x.std(), "pass axis=0"),
        (lambda x: (x - x.mean(axis=1, keepdims=True)) / x.std(axis=1, keepdims=True), "axis=1 gives one per example"),
        (lambda x: x - x.mean(axis=0), "also divide"),
        (lambda x: x / x.std(axis=0), "subtract each column's mean"),
        (lambda x: x * 2, "mean 0 and standard deviation 1"),
    ],
)
def test_wrong_answers_get_a_hint_aimed_at_the_mistake(attempt, hint):
    result = welcome.standardize(attempt)
    assert result.status == WRONG
    assert any(hint in line for line in result.details), result.details
    assert any(line.startswith("expected:") for line in result.details)


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
    assert result.status == WRONG and "expected: 2" in result.details and "Hint: count independent columns" in result.details

    @exercise("Unique?")
    def check_flag(fn):
        expect_equal(call(fn), True, name="is_unique")

    assert "True or False" in check_flag(lambda: "yes").message


def test_expect_close_reports_the_largest_difference():
    with pytest.raises(Wrong) as info:
        expect_close(np.array([1.0, 2.0, 5.0]), np.array([1.0, 2.0, 3.0]), name="v")
    assert any("largest difference at index (2,)" in d for d in info.value.details)


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
