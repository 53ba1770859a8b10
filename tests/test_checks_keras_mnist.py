"""The wrong answers learners write in notebook 04_keras_mnist, each with its verdict and hint;
answers written differently that are right; answers that would break a weaker check."""

from __future__ import annotations

import numpy as np
import pytest

import course_utils  # noqa: F401  (quiet TensorFlow)
import keras

from course_utils.checks import CORRECT, WRONG
from course_utils.checks import keras_mnist as check
from course_utils.models import build

from .check_answers import GENERIC, Exercise, assert_verdict, judge, params

L = keras.layers


def seq(*layers, with_input=True):
    return keras.Sequential(([keras.Input((28, 28))] if with_input else []) + list(layers))


def seed_layers():
    return (L.Flatten(), L.Dense(128, activation="relu"), L.Dropout(0.2), L.Dense(64, activation="relu"), L.Dense(10, activation="softmax"))


def functional_mlp():
    inputs = keras.Input((28, 28))
    h = L.Dense(128, activation="relu")(L.Flatten()(inputs))
    h = L.Dense(64, activation="relu")(L.Dropout(0.2)(h))
    return keras.Model(inputs, L.Dense(10, activation="softmax")(h))


# --- answers learners write, with the verdict and the hint they must get ---------------------------

conf = lambda p: p.max(axis=1)  # noqa: E731
pred = lambda p: p.argmax(axis=1)  # noqa: E731
mistakes_of = lambda p, y: np.flatnonzero(pred(p) != y)  # noqa: E731


def loop_counts(t, p, n, dtype=int):
    counts = np.zeros((n, n), dtype=dtype)
    for a, b in zip(t, p):
        counts[a, b] += 1
    return counts


def fancy_index_counts(t, p, n):
    counts = np.zeros((n, n), dtype=int)
    counts[t, p] += 1  # buffered: a repeated (t, p) pair counts once
    return counts


def sorted_by_key(p, y, k):
    wrong = mistakes_of(p, y)
    return np.array(sorted(wrong, key=lambda i: -conf(p)[i])[:k])


ANSWERS = [
    # build_mlp — right, written differently
    ("build_mlp", lambda: build("mlp"), CORRECT, "109,386"),
    ("build_mlp", lambda: seq(*seed_layers()), CORRECT, ""),
    ("build_mlp", lambda: seq(*seed_layers(), with_input=False), CORRECT, ""),  # builds on its first batch
    ("build_mlp", functional_mlp, CORRECT, ""),
    ("build_mlp", lambda: seq(L.Reshape((784,)), *seed_layers()[1:]), CORRECT, ""),
    ("build_mlp", lambda: seq(L.Reshape((-1,)), *seed_layers()[1:]), CORRECT, ""),
    ("build_mlp", lambda: seq(L.Flatten(), L.Dense(128), L.ReLU(), L.Dropout(0.2), L.Dense(64, activation="relu"), L.Dense(10), L.Softmax()), CORRECT, ""),
    ("build_mlp", lambda: seq(L.Flatten(), L.Dense(128), L.Activation("relu"), L.Dropout(rate=0.2), L.Dense(64, activation=keras.activations.relu),
                              L.Dense(10, activation="softmax")), CORRECT, ""),
    # build_mlp — wrong
    ("build_mlp", lambda: seq(*seed_layers()[1:]), WRONG, "start with keras.layers.Flatten()"),
    ("build_mlp", lambda: seq(L.Reshape((28, 28)), *seed_layers()[1:]), WRONG, "start with keras.layers.Flatten()"),
    ("build_mlp", lambda: seq(*seed_layers()[:4], L.Dense(10)), WRONG, "activation='softmax'"),
    ("build_mlp", lambda: seq(*seed_layers()[:4], L.Dense(9, activation="softmax")), WRONG, "one unit per digit"),
    ("build_mlp", lambda: seq(L.Flatten(), L.Dense(64, activation="relu"), L.Dropout(0.2), L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")), WRONG, "swapped"),
    ("build_mlp", lambda: seq(L.Flatten(), L.Dense(128, activation="relu"), L.Dropout(0.2), L.Dense(10, activation="softmax")), WRONG, "three Dense layers"),
    ("build_mlp", lambda: seq(L.Flatten(), L.Dense(128), L.Dropout(0.2), L.Dense(64), L.Dense(10, activation="softmax")), WRONG, "activation='relu'"),
    ("build_mlp", lambda: seq(L.Flatten(), L.Dense(128, activation="relu"), L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")), WRONG, "add keras.layers.Dropout(0.2)"),
    ("build_mlp", lambda: seq(L.Flatten(), L.Dense(128, activation="relu"), L.Dropout(0.5), L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")), WRONG, "rate is 0.2"),
    ("build_mlp", lambda: seq(L.Flatten(), L.Dense(128, activation="relu"), L.Dense(64, activation="relu"), L.Dropout(0.2), L.Dense(10, activation="softmax")), WRONG, "right after the first hidden layer"),
    ("build_mlp", lambda: keras.Sequential([keras.Input((784,)), *seed_layers()]), WRONG, "keras.Input(shape=(28, 28))"),
    ("build_mlp", lambda: list(seed_layers()), WRONG, "wrap the list of layers in a model"),
    ("build_mlp", lambda: keras.Sequential, WRONG, "Keras model"),
    ("build_mlp", lambda: "a model", WRONG, "keras.Sequential"),
    # accuracy — right, written differently
    ("accuracy", check.reference_accuracy, CORRECT, "4 of the 6"),
    ("accuracy", lambda p, y: (p.argmax(1) == y).mean(), CORRECT, ""),
    ("accuracy", lambda p, y: np.sum(np.argmax(p, axis=1) == y) / len(y), CORRECT, ""),
    ("accuracy", lambda p, y: __import__("sklearn.metrics", fromlist=["x"]).accuracy_score(y, p.argmax(axis=1)), CORRECT, ""),
    ("accuracy", lambda p, y: np.array(np.mean(p.argmax(1) == y)), CORRECT, ""),  # a 0-d array is one number
    # accuracy — wrong
    ("accuracy", lambda p, y: np.sum(pred(p) == y), WRONG, "divide by the number of examples"),
    ("accuracy", lambda p, y: 100 * np.mean(pred(p) == y), WRONG, "not a percentage"),
    ("accuracy", lambda p, y: np.mean(pred(p) != y), WRONG, "error rate"),
    ("accuracy", lambda p, y: np.mean(p.max(axis=1) == y), WRONG, "np.argmax(..., axis=1) gives the class"),
    ("accuracy", lambda p, y: np.mean(np.argmax(p, axis=0) == y), WRONG, "axis=0 gives one per column"),
    ("accuracy", lambda p, y: np.mean(np.argmax(p) == y), WRONG, "np.argmax without an axis"),
    ("accuracy", lambda p, y: np.mean(pred(p) <= y), WRONG, "compare with =="),
    ("accuracy", lambda p, y: np.mean(pred(p) >= y), WRONG, "compare with =="),
    ("accuracy", lambda p, y: np.sum(pred(p) == y) // len(y), WRONG, "integer division"),
    ("accuracy", lambda p, y: round(float(np.mean(pred(p) == y)), 2), WRONG, "do not round"),
    ("accuracy", lambda p, y: pred(p) == y, WRONG, "one number, got an array of shape (6,)"),
    ("accuracy", lambda p, y: 2 / 3, WRONG, "40 random examples"),  # right on the first batch only
    ("accuracy", lambda p, y: f"{np.mean(pred(p) == y):.4f}", WRONG, "got a string"),
    ("accuracy", lambda p, y: [np.mean(pred(p) == y)], WRONG, "got a list"),
    # confusion_matrix — right, written differently
    ("confusion_matrix", check.reference_confusion_matrix, CORRECT, ""),
    ("confusion_matrix", loop_counts, CORRECT, ""),
    ("confusion_matrix", lambda t, p, n: loop_counts(t, p, n, np.int32), CORRECT, ""),
    ("confusion_matrix", lambda t, p, n: np.bincount(t * n + p, minlength=n * n).reshape(n, n), CORRECT, ""),
    ("confusion_matrix", lambda t, p, n: __import__("sklearn.metrics", fromlist=["x"]).confusion_matrix(t, p, labels=range(n)), CORRECT, ""),
    # confusion_matrix — wrong
    ("confusion_matrix", lambda t, p, n: loop_counts(t, p, n, float), WRONG, "integer counts"),
    ("confusion_matrix", lambda t, p, n: loop_counts(p, t, n), WRONG, "add 1 to C[true, predicted]"),
    ("confusion_matrix", lambda t, p, n: (c := loop_counts(t, p, n)) / np.maximum(c.sum(axis=1, keepdims=True), 1), WRONG, "do not normalize"),
    ("confusion_matrix", lambda t, p, n: (c := loop_counts(t, p, n)) / c.sum(), WRONG, "do not divide by their total"),
    ("confusion_matrix", lambda t, p, n: loop_counts(t, p, max(t.max(), p.max()) + 1), WRONG, "a class that never occurs still gets its row"),
    ("confusion_matrix", lambda t, p, n: __import__("sklearn.metrics", fromlist=["x"]).confusion_matrix(t, p), WRONG, "labels=range(n_classes)"),
    ("confusion_matrix", fancy_index_counts, WRONG, "repeated pairs count once"),
    ("confusion_matrix", lambda t, p, n: loop_counts(t - 1, p - 1, n), WRONG, "numbered from 0"),
    ("confusion_matrix", lambda t, p, n: loop_counts(t, p, n).tolist(), WRONG, "got a list"),
    # most_confident_mistakes — right, written differently
    ("most_confident_mistakes", check.reference_most_confident_mistakes, CORRECT, ""),
    ("most_confident_mistakes", lambda p, y, k: mistakes_of(p, y)[np.argsort(conf(p)[mistakes_of(p, y)])[::-1]][:k], CORRECT, ""),
    ("most_confident_mistakes", sorted_by_key, CORRECT, ""),
    ("most_confident_mistakes", lambda p, y, k: np.argsort(-np.where(pred(p) != y, conf(p), -1))[:k], CORRECT, ""),
    # most_confident_mistakes — wrong
    ("most_confident_mistakes", lambda p, y, k: np.argsort(-conf(p))[:k], WRONG, "keep only the mistakes"),
    ("most_confident_mistakes", lambda p, y, k: mistakes_of(p, y)[np.argsort(conf(p)[mistakes_of(p, y)])][:k], WRONG, "decreasing confidence"),
    ("most_confident_mistakes", lambda p, y, k: np.sort(check.reference_most_confident_mistakes(p, y, k)), WRONG, "not sorted by index"),
    ("most_confident_mistakes", lambda p, y, k: (w := mistakes_of(p, y))[np.argsort(p[w, y[w]])][:k], WRONG, "not of the true one"),
    ("most_confident_mistakes", lambda p, y, k: mistakes_of(p, y)[:k], WRONG, "just the first mistakes"),
    ("most_confident_mistakes", lambda p, y, k: np.argsort(-conf(p)[mistakes_of(p, y)])[:k], WRONG, "map them back"),
    ("most_confident_mistakes", lambda p, y, k: np.sort(conf(p)[mistakes_of(p, y)])[::-1][:k], WRONG, "not their confidences"),
    ("most_confident_mistakes", lambda p, y, k: (w := np.flatnonzero(pred(p) > y))[np.argsort(-conf(p)[w])][:k], WRONG, "errs both ways"),
    ("most_confident_mistakes", lambda p, y, k: (w := np.flatnonzero(pred(p) < y))[np.argsort(-conf(p)[w])][:k], WRONG, "errs both ways"),
    ("most_confident_mistakes", lambda p, y, k: pred(p) != y, WRONG, "a mask"),
    ("most_confident_mistakes", lambda p, y, k: check.reference_most_confident_mistakes(p, y, k + 1), WRONG, "return exactly k indices"),
    ("most_confident_mistakes", lambda p, y, k: np.array([3, 2, 1]), WRONG, "60 random examples"),  # hard-coded
    ("most_confident_mistakes", lambda p, y, k: check.reference_most_confident_mistakes(p, y, k).tolist(), WRONG, "got a list"),
]


@pytest.mark.parametrize("exercise, answer, status, fragment", ANSWERS)
def test_each_answer_gets_its_verdict_and_hint(exercise, answer, status, fragment):
    assert_verdict(getattr(check, exercise)(answer), status, fragment)


# --- answers that do not depend on the exercise -------------------------------------------------

REFERENCES = {
    "accuracy": check.reference_accuracy,
    "confusion_matrix": check.reference_confusion_matrix,
    "most_confident_mistakes": check.reference_most_confident_mistakes,
}
MODEL_MESSAGE = {"list": "list", "text": "str", "dict": "dict", "hostile object": "Hostile", "generator": "generator"}
NOT_A_MODEL = {label: MODEL_MESSAGE.get(label, "Keras model") for label, _, status, _ in GENERIC if status == WRONG and label != "no return"}
EXERCISES = {
    "build_mlp": Exercise(check.build_mlp, lambda: build("mlp"), [], {}, generic=NOT_A_MODEL, isolated=False),  # no inputs to wreck
    **{name: Exercise(getattr(check, name), reference, [], {}) for name, reference in REFERENCES.items()},
}


@pytest.mark.parametrize(*params(EXERCISES))
def test_generic_answers_and_vandals(kind, exercise, answer, expected):
    judge(kind, exercise, answer, expected)


def test_a_model_that_fails_on_a_batch_is_a_wrong_answer_even_with_an_empty_error_message():
    class Dense(L.Dense):  # described as Dense(64, relu), but calling it fails
        def call(self, inputs):
            raise RuntimeError("")

    result = check.build_mlp(lambda: seq(L.Flatten(), L.Dense(128, activation="relu"), L.Dropout(0.2), Dense(64, activation="relu"),
                                         L.Dense(10, activation="softmax"), with_input=False))
    assert_verdict(result, WRONG, "does not accept a batch of 28×28 images")


# --- the check's data and references -------------------------------------------------------------


def test_the_check_data_have_mistakes_in_both_directions():
    for probabilities, y in check._accuracy_batches().values():
        predicted = probabilities.argmax(axis=1)
        assert (predicted > y).any() and (predicted < y).any() and (predicted == y).any()
    for probabilities, y, k in check._mistake_problems().values():
        top = check.reference_most_confident_mistakes(probabilities, y, k)
        predicted = probabilities.argmax(axis=1)
        assert (predicted[top] > y[top]).any() and (predicted[top] < y[top]).any()  # among the k asked for, too
        wrong = np.flatnonzero(predicted != y)
        assert len(np.unique(probabilities.max(axis=1)[wrong])) == len(wrong)  # no ties in confidence among the mistakes
        assert len(np.unique(probabilities[wrong, y[wrong]])) == len(wrong)  # nor in the true class's probability


def test_reference_confusion_matrix_and_accuracy_agree_with_scikit_learn():
    from sklearn.metrics import accuracy_score, confusion_matrix

    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 10, 200), rng.dirichlet(np.ones(10), 200)
    assert check.reference_accuracy(p, y) == pytest.approx(accuracy_score(y, p.argmax(axis=1)))
    np.testing.assert_array_equal(check.reference_confusion_matrix(y, p.argmax(axis=1)), confusion_matrix(y, p.argmax(axis=1), labels=range(10)))
