"""Attribution and the shared input rules."""

import numpy as np
import pandas as pd
import pytest

from course_utils.explanation import Attribution, as_batch, explained_outputs, resolve_target, select_output


def test_completeness_gap_by_hand():
    a = Attribution(
        values=[[1.0, 2.0], [0.5, -0.5]],
        base_values=[0.5, 1.0],
        outputs=[3.5, 2.0],
        data=np.ones((2, 2)),
        target=[0, 1],
    )
    assert np.allclose(a.completeness_gap(), [0.0, 1.0])
    assert len(a) == 2 and a.target.tolist() == [0, 1]


def test_indexing_keeps_the_batch_axis_and_parallel_arrays():
    a = Attribution(
        values=np.arange(6.0).reshape(3, 2),
        base_values=0.0,
        outputs=[1, 5, 9],
        data=np.zeros((3, 2)),
        target=None,
        feature_names=["a", "b"],
    )
    one = a[1]
    assert one.values.shape == (1, 2) and one.outputs.tolist() == [5.0] and one.feature_names == ["a", "b"]
    assert list(a.to_frame().columns) == ["a", "b"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(values=[1.0, 2.0], data=[1.0, 2.0], outputs=[1.0]), r"examples on axis 0"),
        (
            dict(values=[[1.0, 2.0]], data=[[1.0]], outputs=[1.0]),
            r"values has shape \(1, 2\) but data has shape \(1, 1\)",
        ),
        (dict(values=[[1.0, 2.0]], data=[[1.0, 2.0]], outputs=[1.0, 2.0]), r"outputs must have shape \(1,\)"),
        (
            dict(values=[[1.0, 2.0]], data=[[1.0, 2.0]], outputs=[1.0], feature_names=["a"]),
            r"1 feature_names for 2 features",
        ),
    ],
)
def test_inconsistent_attributions_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Attribution(base_values=0.0, target=None, **kwargs)


def test_as_batch_explains_the_missing_batch_axis():
    with pytest.raises(
        ValueError, match=r"expected a batch of shape \(n, 28, 28\); got \(28, 28\)\. Pass x\[None\] for one example\."
    ):
        as_batch(np.zeros((28, 28)), example_shape=(28, 28))
    with pytest.raises(ValueError, match=r"expected a batch of shape \(n, 28, 28\); got \(5, 784\)"):
        as_batch(np.zeros((5, 784)), example_shape=(28, 28))
    with pytest.raises(ValueError, match=r"shape \(n, n_features\); got \(9,\)\. Pass row\[None\]"):
        as_batch(np.zeros(9), name="row")
    frame = pd.DataFrame({"a": [1, 2], "b": [3, 4]})
    assert as_batch(frame).dtype == float and as_batch(frame).shape == (2, 2)


def test_target_semantics():
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert resolve_target(None, scores).tolist() == [1, 0, 1]
    assert resolve_target(0, scores).tolist() == [0, 0, 0]
    assert resolve_target(np.array([1, 1, 0]), scores).tolist() == [1, 1, 0]
    assert resolve_target(None, scores[:, 0]) is None
    assert select_output(scores, np.array([1, 0, 0])).tolist() == [0.9, 0.8, 0.3]


@pytest.mark.parametrize(
    "target, error, message",
    [
        (2, ValueError, r"target classes must be in 0\.\.1"),
        (np.array([0, 1]), ValueError, r"one class per example, shape \(3,\)"),
        (0.5, TypeError, r"target must be None, an int class"),
    ],
)
def test_bad_targets_say_what_is_allowed(target, error, message):
    with pytest.raises(error, match=message):
        resolve_target(target, np.zeros((3, 2)))


def test_single_output_functions_take_no_target():
    with pytest.raises(ValueError, match=r"one output per example .* leave target=None"):
        resolve_target(3, np.zeros(4))


def test_explained_outputs_checks_what_predict_fn_returns():
    outputs, target = explained_outputs(lambda x: x @ np.array([[1.0, 0.0], [0.0, 2.0]]), np.array([[1.0, 1.0]]), None)
    assert outputs.tolist() == [2.0] and target.tolist() == [1]
    with pytest.raises(ValueError, match=r"predict_fn returned shape \(1,\) for 2 examples"):
        explained_outputs(lambda x: np.zeros(1), np.zeros((2, 3)), None)
