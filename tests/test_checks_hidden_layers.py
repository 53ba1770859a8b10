"""The wrong answers learners write in notebook 05_hidden_layers, each with its verdict and hint;
answers written differently that are right; answers that would break a weaker check."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from course_utils.checks import CORRECT, CRASHED, WRONG
from course_utils.checks import hidden_layers as check

from .check_answers import Exercise, assert_verdict, judge, params

flat = lambda x: x.reshape(len(x), -1)  # noqa: E731
dead_mask = lambda a: np.all(a == 0, axis=0)  # noqa: E731


def relu_by_loops(x, W, b):
    out = np.zeros((len(x), W.shape[1]))
    for i, image in enumerate(x):
        z = image.reshape(-1) @ W + b
        out[i] = [v if v > 0 else 0.0 for v in z]
    return out


def probe(train, y_train, test, y_test):
    return LogisticRegression(max_iter=1000).fit(train, y_train).score(test, y_test)


def scaled_probe(train, y_train, test, y_test):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(train, y_train).score(test, y_test)


ANSWERS = [
    # dense_relu — right, written differently
    ("dense_relu", check.reference_dense_relu, CORRECT, ""),
    ("dense_relu", lambda x, W, b: np.maximum(x.reshape(-1, 784) @ W + b, 0), CORRECT, ""),
    ("dense_relu", lambda x, W, b: np.clip(x.reshape(x.shape[0], 784) @ W + b, 0, None), CORRECT, ""),
    ("dense_relu", lambda x, W, b: (z := flat(x) @ W + b) * (z > 0), CORRECT, ""),
    ("dense_relu", lambda x, W, b: np.maximum(np.einsum("nij,iju->nu", x, W.reshape(28, 28, -1)) + b, 0), CORRECT, ""),
    ("dense_relu", relu_by_loops, CORRECT, ""),
    ("dense_relu", lambda x, W, b: np.maximum(flat(x).astype(np.float32) @ W.astype(np.float32) + b.astype(np.float32), 0), CORRECT, ""),
    # dense_relu — wrong
    ("dense_relu", lambda x, W, b: np.maximum(x @ W + b, 0), WRONG, "flatten each image first"),
    ("dense_relu", lambda x, W, b: np.maximum(np.dot(x, W) + b, 0), WRONG, "flatten each image first"),
    ("dense_relu", lambda x, W, b: np.maximum(x.reshape(-1) @ W + b, 0), WRONG, "not the whole batch"),
    ("dense_relu", lambda x, W, b: np.maximum(x.reshape(784, -1) @ W + b, 0), WRONG, "not (784, n)"),
    ("dense_relu", lambda x, W, b: np.maximum(x.reshape(784, -1).T @ W + b, 0), WRONG, "mixes the pixels of different images"),
    ("dense_relu", lambda x, W, b: np.maximum(x.reshape(4, -1) @ W + b, 0), WRONG, "for any batch size n"),  # hard-coded batch size
    ("dense_relu", lambda x, W, b: np.maximum(W.T @ flat(x).T + b[:, None], 0), WRONG, "not (units, n)"),
    ("dense_relu", lambda x, W, b: np.maximum(flat(x) @ W.T + b, 0), WRONG, "without transposing"),
    ("dense_relu", lambda x, W, b: flat(x) @ W + b, WRONG, "apply the ReLU"),
    ("dense_relu", lambda x, W, b: np.maximum(flat(x) @ W, 0), WRONG, "add the bias b"),
    ("dense_relu", lambda x, W, b: np.maximum(flat(x) @ W, 0) + b, WRONG, "*before* the ReLU"),
    ("dense_relu", lambda x, W, b: 1 / (1 + np.exp(-(flat(x) @ W + b))), WRONG, "not the sigmoid"),
    ("dense_relu", lambda x, W, b: np.maximum(flat(x) @ W + b, 0.01 * (flat(x) @ W + b)), WRONG, "not a leaky ReLU"),
    ("dense_relu", lambda x, W, b: np.max(flat(x) @ W + b, 0), WRONG, "np.max(z, 0) is the largest entry of each column"),
    ("dense_relu", lambda x, W, b: max(flat(x) @ W + b, 0), WRONG, "Python's max(z, 0)"),
    ("dense_relu", lambda x, W, b: (flat(x) @ W + b).clip(0).tolist(), WRONG, "got a list"),
    # find_dead_units — right, written differently
    ("find_dead_units", check.reference_find_dead_units, CORRECT, "fires rarely is alive"),
    ("find_dead_units", lambda a: np.where(dead_mask(a))[0], CORRECT, ""),
    ("find_dead_units", lambda a: np.flatnonzero(a.max(axis=0) == 0), CORRECT, ""),
    ("find_dead_units", lambda a: np.flatnonzero(~a.any(axis=0)), CORRECT, ""),
    ("find_dead_units", lambda a: np.flatnonzero(a.sum(axis=0) == 0), CORRECT, ""),  # ReLU outputs are never negative
    ("find_dead_units", lambda a: np.array([j for j in range(a.shape[1]) if not a[:, j].any()]), CORRECT, ""),
    # find_dead_units — wrong
    ("find_dead_units", lambda a: np.where(dead_mask(a)), WRONG, "take np.where(mask)[0]"),
    ("find_dead_units", dead_mask, WRONG, "np.flatnonzero(mask)"),
    ("find_dead_units", lambda a: np.flatnonzero(np.any(a == 0, axis=0)), WRONG, "on *every* input"),
    ("find_dead_units", lambda a: np.flatnonzero(np.all(a == 0, axis=1)), WRONG, "reduce over the examples (axis=0)"),
    ("find_dead_units", lambda a: np.flatnonzero(a.mean(axis=0) < 0.2), WRONG, "a low mean is not enough"),
    ("find_dead_units", lambda a: np.flatnonzero(a.std(axis=0) == 0), WRONG, "constant but not 0 is alive"),
    ("find_dead_units", lambda a: np.argwhere(dead_mask(a)), WRONG, "np.argwhere gives a column"),
    ("find_dead_units", lambda a: int(dead_mask(a).sum()), WRONG, "not how many there are"),
    ("find_dead_units", lambda a: [j for j in range(a.shape[1]) if not a[:, j].any()], WRONG, "collect the indices in a NumPy array"),
    ("find_dead_units", lambda a: set(np.flatnonzero(dead_mask(a)).tolist()), WRONG, "got a set"),
    ("find_dead_units", lambda a: np.array([1, 3]), WRONG, "30 random inputs"),  # hard-coded from the first input
    # probe_accuracy — right, written differently
    ("probe_accuracy", probe, CORRECT, "held out"),
    ("probe_accuracy", check.reference_probe_accuracy, CORRECT, ""),
    ("probe_accuracy", scaled_probe, CORRECT, ""),
    ("probe_accuracy", lambda a, ya, b, yb: np.mean(LogisticRegression(max_iter=1000).fit(a, ya).predict(b) == yb), CORRECT, ""),
    # probe_accuracy — wrong
    ("probe_accuracy", lambda a, ya, b, yb: LogisticRegression(max_iter=1000).fit(a, ya).score(a, ya), WRONG, "held-out ones"),
    ("probe_accuracy", lambda *args: 100 * probe(*args), WRONG, "not a percentage"),
    ("probe_accuracy", lambda *args: 1 - probe(*args), WRONG, "error rate"),
    ("probe_accuracy", lambda a, ya, b, yb: probe(b, yb, a, ya), WRONG, "not the other way round"),
    ("probe_accuracy", lambda a, ya, b, yb: LogisticRegression(max_iter=1000).fit(a, yb), WRONG, "its own labels"),  # a crash that betrays the slip
    ("probe_accuracy", lambda a, ya, b, yb: LogisticRegression(max_iter=1000).fit(a, ya), WRONG, "got a LogisticRegression"),
    ("probe_accuracy", lambda a, ya, b, yb: LogisticRegression(max_iter=1000).fit(a, ya).predict(b), WRONG, "one number, got an array of shape (300,)"),
    ("probe_accuracy", lambda *args: 1 / 3, WRONG, "probe.score(test_activations, y_test)"),  # chance level
    ("probe_accuracy", lambda *args: "about 0.7", WRONG, "got a string"),
    ("probe_accuracy", lambda *args: [probe(*args)], WRONG, "got a list"),
]


@pytest.mark.parametrize("exercise, answer, status, fragment", ANSWERS)
def test_each_answer_gets_its_verdict_and_hint(exercise, answer, status, fragment):
    assert_verdict(getattr(check, exercise)(answer), status, fragment)


def test_a_crash_that_is_no_known_slip_stays_a_crash():
    assert_verdict(check.dense_relu(lambda x, W, b: np.maximum(flat(x) @ W + b[:3], 0)), CRASHED, "ValueError")


# --- answers that do not depend on the exercise -------------------------------------------------

REFERENCES = {"dense_relu": check.reference_dense_relu, "find_dead_units": check.reference_find_dead_units, "probe_accuracy": probe}
A_TUPLE = {"pair of hostile objects": "np.where(mask)", "three hostile objects": "np.where(mask)"}  # "returned a tuple"
EXERCISES = {name: Exercise(getattr(check, name), reference, [], {}, generic=A_TUPLE if name == "find_dead_units" else {})
             for name, reference in REFERENCES.items()}


@pytest.mark.parametrize(*params(EXERCISES))
def test_generic_answers_and_vandals(kind, exercise, answer, expected):
    judge(kind, exercise, answer, expected)


# --- the check's data and references -------------------------------------------------------------


def test_the_dead_unit_inputs_are_what_their_descriptions_say():
    problems = check._dead_unit_problems()
    for activations, expected in problems.values():
        np.testing.assert_array_equal(expected, check.reference_find_dead_units(activations))
        assert (activations >= 0).all()  # ReLU outputs
        alive = np.setdiff1d(np.arange(activations.shape[1]), expected)
        assert ((activations[:, alive] > 0).sum(axis=0) == 1).any()  # a unit that fires once is alive
    (small, _), (big, _) = problems.values()
    assert np.all(small == 0, axis=1).any()  # an input on which no unit fires: the axis=1 slip finds it
    assert ((big.std(axis=0) == 0) & (big.max(axis=0) > 0)).any()  # a constant unit that is alive


def test_the_probe_problems_are_separable_in_training_and_not_held_out():
    for train, y_train, test, y_test in check._probe_problems().values():
        assert probe(train, y_train, train, y_train) == 1.0
        assert 0.6 < check.reference_probe_accuracy(train, y_train, test, y_test) < 0.9


def test_reference_dense_relu_matches_the_keras_layer():
    from course_utils.hidden import get_activations
    from course_utils.models import load_pretrained

    mlp = load_pretrained("mlp")
    x = np.random.default_rng(0).random((5, 28, 28)).astype("float32")
    W, b = mlp.get_layer("hidden_1").get_weights()
    np.testing.assert_allclose(check.reference_dense_relu(x, W, b), get_activations(mlp, x, ["hidden_1"])["hidden_1"], rtol=1e-4, atol=1e-5)
