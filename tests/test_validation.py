"""The shared input rules: counts, positive numbers, batches, model inputs, batched prediction."""

import numpy as np
import pandas as pd
import pytest

from course_utils import validation as v


@pytest.mark.parametrize("bad", [0, -3, 2.0, "5", True, False, np.bool_(True), None])
def test_check_count_refuses_what_is_not_a_positive_int(bad):
    with pytest.raises(ValueError, match=r"n_steps should be a positive integer; got"):
        v.check_count(bad, "n_steps")


def test_check_count_says_what_it_counts_and_the_minimum():
    assert v.check_count(np.int64(3), "k") == 3 and type(v.check_count(np.int64(3), "k")) is int
    with pytest.raises(ValueError, match=r"^n_samples should be an integer of at least 3; got 2\.$"):
        v.check_count(2, "n_samples", minimum=3)
    with pytest.raises(ValueError, match=r"^k is the number of top features, an int >= 1; got True\.$"):
        v.check_count(True, "k", meaning="the number of top features")


@pytest.mark.parametrize("bad", [0, -1.0, np.nan, np.inf, "wide", None, True])
def test_check_positive(bad):
    with pytest.raises(ValueError, match=r"radius should be the noise radius, a positive number; got"):
        v.check_positive(bad, "radius", meaning="the noise radius")
    assert v.check_positive(np.float32(0.5), "radius") == 0.5


def test_as_batch_takes_frames_and_says_how_to_add_the_batch_axis():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    assert v.as_batch(frame).shape == (2, 2)
    with pytest.raises(ValueError, match=r"expected a batch of shape \(n, 28, 28\); got \(28, 28\)\. Pass img\[None\]"):
        v.as_batch(np.zeros((28, 28)), example_shape=(28, 28), name="img")
    with pytest.raises(ValueError, match=r"expected a batch of shape \(n, 28, 28\); got \(5, 784\)\.$"):
        v.as_batch(np.zeros((5, 784)), example_shape=(28, 28))
    with pytest.raises(ValueError, match=r"shape \(n, n_features\); got \(9,\)\. Pass row\[None\]"):
        v.as_batch(np.zeros(9), name="row")
    with pytest.raises(ValueError, match=r"x holds no examples \(shape \(0, 3\)\)"):
        v.as_batch(np.zeros((0, 3)))


class _Model:
    """Stands for a built Keras model: a name, one input of shape (None, 28, 28), callable."""

    name = "demo"
    inputs = [np.zeros((1, 28, 28))]

    def __call__(self, x):
        return x


def test_as_model_batch_reads_the_models_input_shape():
    assert v.input_shape(_Model()) == (28, 28)
    assert v.as_model_batch(_Model(), np.zeros((2, 28, 28), dtype=np.float64)).dtype == np.float32
    with pytest.raises(ValueError, match=r"expected a batch of shape \(n, 28, 28\); got \(28, 28\)\. Pass x\[None\]"):
        v.as_model_batch(_Model(), np.zeros((28, 28)))
    with pytest.raises(
        ValueError,
        match=r"expects a batch of shape \(n, 28, 28\); got \(3, 784\)\. Reshape it: x\.reshape\(-1, 28, 28\)",
    ):
        v.as_model_batch(_Model(), np.zeros((3, 784)))
    with pytest.raises(ValueError, match="should be an array of numbers; got dtype <U1"):
        v.as_model_batch(_Model(), np.array([["a"]]))
    with pytest.raises(TypeError, match="model should be a Keras model"):
        v.as_model_batch("not a model", np.zeros((1, 3)))
    assert v.input_shape(lambda x: x) is None
    assert v.as_model_batch(lambda x: x, np.zeros((2, 3))).shape == (2, 3)


def test_predict_in_batches_equals_one_call_and_checks_shapes():
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(10, 3))
    W = rng.normal(size=(3, 2))
    calls = []

    def predict(x):
        calls.append(len(x))
        return x @ W

    np.testing.assert_allclose(v.predict_in_batches(predict, rows, batch_size=4), rows @ W)
    assert calls == [4, 4, 2]
    with pytest.raises(
        ValueError, match=r"predict_fn returned shape \(\) for 4 inputs; it must return one score per input"
    ):
        v.predict_in_batches(lambda x: x.sum(), rows, batch_size=4)
    with pytest.raises(ValueError, match=r"returned shape \(2, 3, 1\) for 2 inputs"):
        v.predict_in_batches(lambda x: x[..., None], rows, batch_size=2)
    with pytest.raises(ValueError, match="batch_size is the number of rows per call of predict_fn, an int >= 1; got 0"):
        v.predict_in_batches(predict, rows, batch_size=0)


def test_predict_in_batches_takes_rows_made_on_demand():
    class Squares:
        def __len__(self):
            return 7

        def __getitem__(self, rows):
            return np.arange(7.0)[rows, None] ** 2

    np.testing.assert_allclose(v.predict_in_batches(lambda x: x[:, 0], Squares(), batch_size=3), np.arange(7.0) ** 2)
