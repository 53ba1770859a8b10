"""The comparisons behind the checks of notebooks 04–08 (course_utils.checks._compare)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from course_utils.checks import Wrong
from course_utils.checks._compare import about, array_of_numbers, differences, expect_close, expect_close_on_each, number, short

from .check_suite import Booby, Hostile


def wrong(fn, *args, **kwargs) -> Wrong:
    with pytest.raises(Wrong) as info:
        fn(*args, **kwargs)
    return info.value


def test_the_verb_agrees_with_the_name():
    assert wrong(expect_close, np.zeros(2), [1.0, 2.0], name="your attributions", plural=True).message == "your attributions are not right."
    assert wrong(expect_close, np.zeros(3), [1.0, 2.0], name="the indices", plural=True).message == "the indices have shape (3,), expected (2,)."
    assert wrong(expect_close, 0.5, [1.0, 2.0], name="your map").message == "your map is a single number; expected an array of shape (2,)."


def test_a_long_array_is_shown_by_its_first_differing_entries():
    expected = np.arange(40.0).reshape(2, 5, 4)
    got = expected.copy()
    got[0, 1, 2] = -1.0
    got[1, 4, 3] = np.nan
    lines = differences(got, expected, rtol=1e-6, atol=1e-8)
    assert lines[0] == "2 of 40 entries differ; the first ones:"
    assert lines[1] == "  at [0, 1, 2]: expected 6, received -1"
    assert lines[2] == "  at [1, 4, 3]: expected 39, received nan"
    assert "NaN" in lines[3]
    named = differences(got, expected, rtol=1e-6, atol=1e-8, label=lambda i: f"pixel {i}")
    assert named[1].startswith("  pixel (0, 1, 2): ")
    assert differences(np.zeros(3), np.ones(3), rtol=1e-6, atol=1e-8) == ["expected: [1, 1, 1]", "received: [0, 0, 0]"]


def test_short_never_copies_a_huge_array():
    assert short(np.broadcast_to(0.5, (10**6, 10**6))) == "shape (1000000, 1000000): [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, ...]"
    assert short(np.array([1, 2])) == "[1, 2]" and short(np.float64(0.25)) == "0.25"


@pytest.mark.parametrize("received, message", [
    ("[1, 2]", "should be a NumPy array, got a string"),
    ([1.0, 2.0], "should be a NumPy array, got a list"),
    (Hostile(), "should be an array of real numbers, got a Hostile"),
    ({"a": 1}, "should be an array of real numbers, got a dict"),
    (np.ones(2) * 1j, "got an array of complex128"),
    (np.array(["a"]), "got an array of <U1"),
])
def test_array_of_numbers_turns_anything_else_into_a_wrong_answer(received, message):
    assert message in wrong(array_of_numbers, received, name="x").message


def test_array_of_numbers_keeps_the_dtype_and_drops_subclasses():
    assert array_of_numbers(np.arange(3), name="x").dtype.kind == "i"
    assert type(array_of_numbers(np.arange(3.0).view(Booby), name="x")) is np.ndarray
    assert array_of_numbers(np.array([Fraction(1, 3)], dtype=object), name="x").dtype == float


@pytest.mark.parametrize("received, message", [
    (True, "should be a number, got True"),
    ([0.5], "should be one number, got a list"),
    ("0.5", "should be a number, got a string"),
    (np.ones(3), "should be one number, got an array of shape (3,)"),
    (Hostile(), "should be one real number, got a Hostile"),
    (None, "got None"),
])
def test_number_turns_anything_else_into_a_wrong_answer(received, message):
    assert message in wrong(number, received, name="accuracy").message


def test_number_accepts_scalars_of_every_kind():
    assert [number(v, name="x") for v in (1, 0.5, np.float32(0.5), np.array(2.0), Fraction(1, 4))] == [1.0, 0.5, 0.5, 2.0, 0.25]


def test_a_mistake_of_another_shape_gets_its_hint():
    assert wrong(expect_close, np.ones(3), np.ones((2, 3)), name="z", mistakes=((np.ones(3), "np.max(z, 0) reduces"),)).details[-1] == "Hint: np.max(z, 0) reduces"


def test_on_each_input_a_slip_is_named_only_when_it_explains_every_input():
    # input 1: the answer equals both slips; input 2: only slip "B"
    cases = [
        ("first", np.array([1.0, 2.0]), [0.0, 0.0], (([1.0, 2.0], "A"), ([1.0, 2.0], "B"))),
        ("second", np.array([3.0, 4.0]), [0.0, 0.0], (([9.0, 9.0], "A"), ([3.0, 4.0], "B"))),
    ]
    result = wrong(expect_close_on_each, cases, what="input", name="v")
    assert result.details[0] == "input: first" and result.details[-1] == "Hint: B"
    cases[1] = ("second", np.array([5.0, 5.0]), [0.0, 0.0], (([9.0, 9.0], "A"), ([3.0, 4.0], "B")))  # no slip fits both: judged on the first alone
    assert wrong(expect_close_on_each, cases, what="input", name="v").details[-1] == "Hint: A"
    cases[0] = ("first", np.array([0.0, 0.0]), [0.0, 0.0], cases[0][3])  # right on the first: the second one is reported
    assert wrong(expect_close_on_each, cases, what="input", name="v").details[0] == "input: second"


def test_on_each_input_a_note_comes_before_the_hint():
    cases = [("only", np.ones(2), np.zeros(2), (), "gap: 3 %")]
    assert wrong(expect_close_on_each, cases, what="input", name="v", hint="h").details[-2:] == ("gap: 3 %", "Hint: h")


def test_about_names_the_input():
    with pytest.raises(Wrong) as info:
        with about("batch", "6 examples"):
            raise Wrong("not right.", "expected: 1", hint="h")
    assert info.value.details == ("batch: 6 examples", "expected: 1", "Hint: h")


def _all_checks():
    from course_utils.checks import gradient_attributions, hidden_layers, keras_mnist, lime, shapley_and_shap

    modules = (keras_mnist, hidden_layers, gradient_attributions, shapley_and_shap, lime)
    return [getattr(module, name) for module in modules for name in module.__all__]


@pytest.mark.parametrize("run", _all_checks(), ids=lambda run: run.__name__)
def test_the_stop_button_still_stops_every_check(run):
    def interrupted(*args):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(interrupted)
