"""Checks for notebook 05_hidden_layers."""

from __future__ import annotations

import numpy as np

from course_utils.checks import CheckResult, Wrong, call, exercise, expect_close

__all__ = ["dense_relu", "probe_accuracy", "find_dead_units"]


# --- reference implementations (the notebook uses these after each exercise) -------------------


def reference_dense_relu(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``relu(x_flat @ W + b)`` for a batch of images ``x`` (n, 28, 28), ``W`` (784, units), ``b`` (units,)."""
    return np.maximum(np.asarray(x).reshape(len(x), -1) @ W + b, 0.0)


def reference_probe_accuracy(train_activations, y_train, test_activations, y_test) -> float:
    """Held-out accuracy of a logistic-regression probe (see ``course_utils.hidden.linear_probe``)."""
    from course_utils.hidden import linear_probe

    return linear_probe(train_activations, y_train, test_activations, y_test)


def reference_find_dead_units(activations: np.ndarray) -> np.ndarray:
    """Indices of the units that are 0 on every example; ``activations`` has shape (n, units)."""
    return np.flatnonzero(np.all(np.asarray(activations) <= 0, axis=0))


# --- exercise 1: a hidden layer by hand -------------------------------------------------------


@exercise("The first hidden layer by hand")
def dense_relu(fn) -> CheckResult:
    """Check ``fn(x, W, b)`` equals ``relu(x.reshape(n, -1) @ W + b)``."""
    rng = np.random.default_rng(5)
    x = rng.random((4, 28, 28))  # (n, 28, 28): a batch of 4 "images"
    W = rng.normal(0.0, 0.05, size=(784, 6))  # (784, units)
    b = rng.normal(0.0, 0.5, size=6)  # (units,)
    got = call(fn, x.copy(), W.copy(), b.copy(), name="dense_relu")
    flat = x.reshape(4, -1)
    expected = reference_dense_relu(x, W, b)
    mistakes = (
        (flat @ W + b, "apply the ReLU: np.maximum(z, 0) sets the negative pre-activations to 0."),
        (np.maximum(flat @ W, 0.0), "add the bias b before the ReLU."),
        (np.maximum(flat @ W, 0.0) + b, "add the bias *before* the ReLU: relu(x @ W + b), not relu(x @ W) + b."),
        (1.0 / (1.0 + np.exp(-(flat @ W + b))), "the hidden layers use ReLU, np.maximum(z, 0), not the sigmoid."),
    )
    expect_close(got, expected, name="dense_relu(x, W, b)", rtol=1e-6, atol=1e-8, mistakes=mistakes,
                 hint="flatten each image with x.reshape(len(x), -1), multiply by W (784 × units), add b, then np.maximum(..., 0).")
    return "correct — a Dense layer is a linear map followed by a ReLU; that is all the network does, layer after layer."


# --- exercise 2: a linear probe ---------------------------------------------------------------


def _probe_data():
    """3 classes in 40 dimensions: 60 training points (separable) and 300 held-out ones."""
    rng = np.random.default_rng(11)
    means = rng.normal(0.0, 0.35, size=(3, 40))
    y_train, y_test = np.arange(60) % 3, np.arange(300) % 3
    train = means[y_train] + rng.normal(size=(60, 40))
    test = means[y_test] + rng.normal(size=(300, 40))
    return train, y_train, test, y_test


@exercise("A linear probe's held-out accuracy")
def probe_accuracy(fn) -> CheckResult:
    """Check ``fn(train_acts, y_train, test_acts, y_test)`` is a logistic regression's held-out accuracy."""
    from sklearn.linear_model import LogisticRegression

    train, y_train, test, y_test = _probe_data()
    got = call(fn, train.copy(), y_train.copy(), test.copy(), y_test.copy(), name="probe_accuracy")
    expected = reference_probe_accuracy(train, y_train, test, y_test)
    on_train = LogisticRegression(max_iter=1000).fit(train, y_train).score(train, y_train)  # 1.0: 60 points in 40 dimensions
    if got is not None and np.ndim(got) == 0 and np.isclose(float(got), on_train) and not np.isclose(on_train, expected, atol=0.05):
        raise Wrong(
            "probe_accuracy is not right.", f"expected about: {expected:.3f}", f"received: {float(got):.3f}",
            hint="that is the accuracy on the training activations; score the probe on the held-out ones, "
                 "probe.score(test_activations, y_test). A probe that memorizes its training set says nothing.",
        )
    if got is not None and np.ndim(got) == 0 and 1 < float(got) <= 100 and abs(float(got) / 100 - expected) <= 0.05:
        raise Wrong("probe_accuracy is not right.", f"expected about: {expected:.3f}", f"received: {float(got):.3f}",
                    hint="return a fraction between 0 and 1, not a percentage.")
    expect_close(got, expected, name="probe_accuracy", rtol=0.0, atol=0.05,
                 hint="fit LogisticRegression(max_iter=1000) on (train_activations, y_train) and return its "
                      "accuracy on (test_activations, y_test).")
    return f"correct — about {expected:.2f} held out, although a probe this flexible fits its 60 training points perfectly."


# --- exercise 3: dead units -------------------------------------------------------------------


@exercise("Spot the dead units")
def find_dead_units(fn) -> CheckResult:
    """Check ``fn(activations)`` returns the indices of the units that are 0 on every example."""
    activations = np.array([  # (6, 5): 6 inputs, 5 ReLU units
        [0.0, 0.0, 1.2, 0.0, 0.0],
        [0.3, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 2.0, 0.0, 0.0],
        [0.0, 0.0, 0.4, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.7],  # unit 4 fires once: rare, not dead
        [0.0, 0.0, 0.1, 0.0, 0.0],
    ])
    got = call(fn, activations.copy(), name="find_dead_units")
    expected = reference_find_dead_units(activations)  # [1, 3]
    if isinstance(got, tuple):
        raise Wrong("find_dead_units returned a tuple.", f"received: {got!r}",
                    hint="np.where(mask) returns a tuple of arrays, one per axis; take np.where(mask)[0], or use np.flatnonzero(mask).")
    if got is not None and np.asarray(got).dtype == bool:
        raise Wrong("find_dead_units returned a mask of True/False values, not the units' indices.",
                    hint="turn the mask into indices with np.flatnonzero(mask).")
    zero = activations <= 0
    mistakes = (
        (np.flatnonzero(zero.any(axis=0)), "dead means 0 on *every* input: np.all(activations == 0, axis=0). These units are silent on some inputs only."),
        (np.flatnonzero(zero.all(axis=1)), "reduce over the examples (axis=0) to get one answer per unit; axis=1 gives one per example."),
        (np.flatnonzero(activations.mean(axis=0) < 0.2), "a low mean is not enough: a dead unit is exactly 0 on every input (unit 4 fires once, so it is alive)."),
    )
    if got is not None and np.shape(got) != expected.shape:
        for wrong_value, hint in mistakes:
            if np.shape(got) == wrong_value.shape and np.array_equal(np.asarray(got), wrong_value):
                raise Wrong("find_dead_units is not right.", f"expected: {expected}", f"received: {np.asarray(got)}", hint=hint)
    expect_close(got, expected, name="find_dead_units", mistakes=mistakes,
                 hint="a unit is dead when its column is 0 for every row: np.flatnonzero(np.all(activations == 0, axis=0)).")
    return "correct — units 1 and 3 never fire; unit 4 fires rarely but is alive."
