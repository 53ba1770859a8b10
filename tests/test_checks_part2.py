"""Every outcome of every check of notebooks 04_keras_mnist and 05_hidden_layers."""

from __future__ import annotations

import numpy as np
import pytest

import course_utils  # noqa: F401
import keras

from course_utils.checks import CORRECT, CRASHED, NOT_ATTEMPTED, WRONG
from course_utils.checks import hidden_layers, keras_mnist
from course_utils.models import build


def not_attempted(*args):
    raise NotImplementedError()


def crashes(*args):
    return np.zeros(3)[5]  # IndexError in the learner's code


def hint_of(result) -> str:
    return "\n".join(result.details)


def assert_wrong(result, hint_fragment: str) -> None:
    assert result.status == WRONG, str(result)
    assert hint_fragment in hint_of(result), str(result)


def assert_common_outcomes(check, correct) -> None:
    assert check(correct).status == CORRECT, str(check(correct))
    assert check(not_attempted).status == NOT_ATTEMPTED
    crashed = check(crashes)
    assert crashed.status == CRASHED and "IndexError" in hint_of(crashed)
    assert check(lambda *args: None).status == WRONG and "return" in check(lambda *args: None).message


# --- 04: build_mlp -----------------------------------------------------------------------------


def seq(*layers, with_input=True):
    return keras.Sequential(([keras.Input((28, 28))] if with_input else []) + list(layers))


L = keras.layers


def test_build_mlp_outcomes():
    assert_common_outcomes(keras_mnist.build_mlp, lambda: build("mlp"))
    # a Dense layer followed by a separate activation layer is the same model
    split = lambda: seq(L.Flatten(), L.Dense(128), L.ReLU(), L.Dropout(0.2), L.Dense(64, activation="relu"), L.Dense(10), L.Softmax())  # noqa: E731
    assert keras_mnist.build_mlp(split).status == CORRECT
    no_input = lambda: seq(L.Flatten(), L.Dense(128, activation="relu"), L.Dropout(0.2), L.Dense(64, activation="relu"), L.Dense(10, activation="softmax"), with_input=False)  # noqa: E731
    assert keras_mnist.build_mlp(no_input).status == CORRECT  # builds on its first batch


@pytest.mark.parametrize("layers, hint", [
    ((L.Dense(128, activation="relu"), L.Dropout(0.2), L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")), "start with keras.layers.Flatten()"),
    ((L.Flatten(), L.Dense(128, activation="relu"), L.Dropout(0.2), L.Dense(64, activation="relu"), L.Dense(10)), "activation='softmax'"),
    ((L.Flatten(), L.Dense(128, activation="relu"), L.Dropout(0.2), L.Dense(64, activation="relu"), L.Dense(9, activation="softmax")), "one unit per digit"),
    ((L.Flatten(), L.Dense(64, activation="relu"), L.Dropout(0.2), L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")), "swapped"),
    ((L.Flatten(), L.Dense(128, activation="relu"), L.Dropout(0.2), L.Dense(10, activation="softmax")), "three Dense layers"),
    ((L.Flatten(), L.Dense(128), L.Dropout(0.2), L.Dense(64), L.Dense(10, activation="softmax")), "activation='relu'"),
    ((L.Flatten(), L.Dense(128, activation="relu"), L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")), "add keras.layers.Dropout(0.2)"),
    ((L.Flatten(), L.Dense(128, activation="relu"), L.Dropout(0.5), L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")), "rate is 0.2"),
    ((L.Flatten(), L.Dense(128, activation="relu"), L.Dense(64, activation="relu"), L.Dropout(0.2), L.Dense(10, activation="softmax")), "right after the first hidden layer"),
])
def test_build_mlp_targeted_hints(layers, hint):
    result = keras_mnist.build_mlp(lambda: seq(*layers))
    assert_wrong(result, hint)
    assert "expected: Flatten → Dense(128, relu) → Dropout(0.2)" in hint_of(result)


def test_build_mlp_other_wrong_answers():
    assert_wrong(keras_mnist.build_mlp(lambda: "a model"), "keras.Sequential")
    flat_input = lambda: keras.Sequential([keras.Input((784,)), L.Flatten(), L.Dense(128, activation="relu"), L.Dropout(0.2), L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")])  # noqa: E731
    assert_wrong(keras_mnist.build_mlp(flat_input), "keras.Input(shape=(28, 28))")


# --- 04: accuracy, confusion matrix, most confident mistakes -----------------------------------


def test_accuracy_outcomes():
    assert_common_outcomes(keras_mnist.accuracy, keras_mnist.reference_accuracy)
    assert_wrong(keras_mnist.accuracy(lambda p, y: np.sum(p.argmax(axis=1) == y)), "divide by the number of examples")
    assert_wrong(keras_mnist.accuracy(lambda p, y: 100 * np.mean(p.argmax(axis=1) == y)), "not a percentage")
    assert_wrong(keras_mnist.accuracy(lambda p, y: np.mean(p.argmax(axis=1) != y)), "error rate")
    assert_wrong(keras_mnist.accuracy(lambda p, y: np.mean(p.max(axis=1) == y)), "np.argmax(..., axis=1)")
    assert keras_mnist.accuracy(lambda p, y: np.mean(p.argmax(axis=0) == y)).status == CRASHED  # shapes (4,) vs (6,)


def test_confusion_matrix_outcomes():
    assert_common_outcomes(keras_mnist.confusion_matrix, keras_mnist.reference_confusion_matrix)

    def transposed(t, p, n):
        return keras_mnist.reference_confusion_matrix(p, t, n)

    def normalized(t, p, n):
        c = keras_mnist.reference_confusion_matrix(t, p, n)
        return c / np.maximum(c.sum(axis=1, keepdims=True), 1)

    def too_small(t, p, n):
        k = max(t.max(), p.max()) + 1
        return keras_mnist.reference_confusion_matrix(t, p, k)

    assert_wrong(keras_mnist.confusion_matrix(transposed), "add 1 to C[true, predicted]")
    assert_wrong(keras_mnist.confusion_matrix(normalized), "do not normalize")
    assert_wrong(keras_mnist.confusion_matrix(too_small), "a class that never occurs still gets its row")
    from sklearn.metrics import confusion_matrix as sk

    assert keras_mnist.confusion_matrix(lambda t, p, n: sk(t, p, labels=range(n))).status == CORRECT  # scikit-learn agrees


def test_most_confident_mistakes_outcomes():
    assert_common_outcomes(keras_mnist.most_confident_mistakes, keras_mnist.reference_most_confident_mistakes)
    conf = lambda p: p.max(axis=1)  # noqa: E731
    wrong = lambda p, y: np.flatnonzero(p.argmax(axis=1) != y)  # noqa: E731
    cases = {
        "keep only the mistakes": lambda p, y, k: np.argsort(-conf(p))[:k],
        "decreasing confidence": lambda p, y, k: wrong(p, y)[np.argsort(conf(p)[wrong(p, y)])][:k],
        "not sorted by index": lambda p, y, k: np.sort(keras_mnist.reference_most_confident_mistakes(p, y, k)),
        "not of the true one": lambda p, y, k: wrong(p, y)[np.argsort(p[wrong(p, y), y[wrong(p, y)]])][:k],
        "just the first mistakes": lambda p, y, k: wrong(p, y)[:k],
        "not a mask": lambda p, y, k: p.argmax(axis=1) != y,
    }
    for hint, fn in cases.items():
        assert_wrong(keras_mnist.most_confident_mistakes(fn), hint)


def test_reference_confusion_matrix_and_accuracy_agree_with_scikit_learn():
    from sklearn.metrics import accuracy_score, confusion_matrix

    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 10, 200), rng.dirichlet(np.ones(10), 200)
    assert keras_mnist.reference_accuracy(p, y) == pytest.approx(accuracy_score(y, p.argmax(axis=1)))
    np.testing.assert_array_equal(keras_mnist.reference_confusion_matrix(y, p.argmax(axis=1)), confusion_matrix(y, p.argmax(axis=1), labels=range(10)))


# --- 05: dense_relu, probe_accuracy, find_dead_units --------------------------------------------


def test_dense_relu_outcomes():
    assert_common_outcomes(hidden_layers.dense_relu, hidden_layers.reference_dense_relu)
    flat = lambda x: x.reshape(len(x), -1)  # noqa: E731
    assert_wrong(hidden_layers.dense_relu(lambda x, W, b: flat(x) @ W + b), "apply the ReLU")
    assert_wrong(hidden_layers.dense_relu(lambda x, W, b: np.maximum(flat(x) @ W, 0)), "add the bias b")
    assert_wrong(hidden_layers.dense_relu(lambda x, W, b: np.maximum(flat(x) @ W, 0) + b), "*before* the ReLU")
    assert_wrong(hidden_layers.dense_relu(lambda x, W, b: 1 / (1 + np.exp(-(flat(x) @ W + b)))), "not the sigmoid")
    assert hidden_layers.dense_relu(lambda x, W, b: np.maximum(x @ W + b, 0)).status == CRASHED  # forgot to flatten


def test_reference_dense_relu_matches_the_keras_layer():
    from course_utils.hidden import get_activations
    from course_utils.models import load_pretrained

    mlp = load_pretrained("mlp")
    x = np.random.default_rng(0).random((5, 28, 28)).astype("float32")
    W, b = mlp.get_layer("hidden_1").get_weights()
    np.testing.assert_allclose(hidden_layers.reference_dense_relu(x, W, b), get_activations(mlp, x, ["hidden_1"])["hidden_1"], rtol=1e-4, atol=1e-5)


def test_probe_accuracy_outcomes():
    from sklearn.linear_model import LogisticRegression

    def probe(train, y_train, test, y_test):
        return LogisticRegression(max_iter=1000).fit(train, y_train).score(test, y_test)

    assert_common_outcomes(hidden_layers.probe_accuracy, probe)
    assert hidden_layers.probe_accuracy(hidden_layers.reference_probe_accuracy).status == CORRECT
    assert_wrong(hidden_layers.probe_accuracy(lambda a, ya, b, yb: LogisticRegression(max_iter=1000).fit(a, ya).score(a, ya)), "held-out ones")
    assert_wrong(hidden_layers.probe_accuracy(lambda *args: 100 * probe(*args)), "not a percentage")
    assert hidden_layers.probe_accuracy(lambda *args: 1 / 3).status == WRONG  # chance level


def test_find_dead_units_outcomes():
    assert_common_outcomes(hidden_layers.find_dead_units, hidden_layers.reference_find_dead_units)
    assert hidden_layers.find_dead_units(lambda a: np.where(np.all(a == 0, axis=0))[0]).status == CORRECT
    assert_wrong(hidden_layers.find_dead_units(lambda a: np.where(np.all(a == 0, axis=0))), "take np.where(mask)[0]")
    assert_wrong(hidden_layers.find_dead_units(lambda a: np.all(a == 0, axis=0)), "np.flatnonzero(mask)")
    assert_wrong(hidden_layers.find_dead_units(lambda a: np.flatnonzero(np.any(a == 0, axis=0))), "on *every* input")
    assert_wrong(hidden_layers.find_dead_units(lambda a: np.flatnonzero(np.all(a == 0, axis=1))), "reduce over the examples (axis=0)")
    assert_wrong(hidden_layers.find_dead_units(lambda a: np.flatnonzero(a.mean(axis=0) < 0.2)), "a low mean is not enough")
