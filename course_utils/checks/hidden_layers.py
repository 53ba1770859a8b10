"""Checks for notebook 05_hidden_layers.

Each check runs the learner's function on two problems of different shapes (random draws with
fixed seeds), so that a hard-coded size or a slip that happens to be right on one is caught.
"""

from __future__ import annotations

import numpy as np

from course_utils.checks import CheckResult, Wrong, call, exercise
from course_utils.checks._answers import as_array, as_number, case, expect_close, expect_close_on_each

__all__ = ["dense_relu", "probe_accuracy", "find_dead_units"]


# --- reference implementations (the notebook uses these after each exercise) -------------------


def reference_dense_relu(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``relu(x_flat @ W + b)`` for a batch of images ``x`` (n, 28, 28), ``W`` (784, units), ``b`` (units,)."""
    return np.maximum(np.asarray(x).reshape(len(x), -1) @ W + b, 0.0)


def reference_probe_accuracy(train_activations, y_train, test_activations, y_test) -> float:
    """Held-out accuracy of a logistic-regression probe (see ``course_utils.probes.linear_probe``)."""
    from course_utils.probes import linear_probe

    return linear_probe(train_activations, y_train, test_activations, y_test)


def reference_find_dead_units(activations: np.ndarray) -> np.ndarray:
    """Indices of the units that are 0 on every example; ``activations`` has shape (n, units)."""
    return np.flatnonzero(np.all(np.asarray(activations) <= 0, axis=0))


# --- exercise 1: a hidden layer by hand -------------------------------------------------------

HINT_FLATTEN = ("flatten each image first: x.reshape(len(x), -1) has shape (n, 784), one row per image, "
                "which matches W (784, units). x itself is (n, 28, 28).")
HINT_FLATTEN_ALL = "flatten each image, not the whole batch: x.reshape(len(x), -1) keeps one row per image, shape (n, 784)."
HINT_FLATTEN_ORDER = "x.reshape(784, -1) mixes the pixels of different images; reshape to (n, 784) directly: x.reshape(len(x), -1)."
HINT_SHAPES = ("x.reshape(len(x), -1) is (n, 784) for any batch size n, and W is (784, units): multiply them in that order, "
               "x_flat @ W, without transposing.")
HINT_ELEMENTWISE = ("the ReLU works element by element: np.maximum(z, 0). Python's max(z, 0), or an `if` on an array, "
                    "cannot decide for every element at once.")


def _dense_problems() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    problems = {}
    for seed, n, units in ((5, 4, 6), (6, 3, 5)):
        rng = np.random.default_rng(seed)
        x = rng.random((n, 28, 28))  # (n, 28, 28): a batch of "images"
        W = rng.normal(0.0, 0.05, size=(784, units))  # (784, units)
        b = rng.normal(0.0, 0.5, size=units)  # (units,)
        problems[f"{n} random images, {units} units"] = (x, W, b)
    return problems


def _dense_crash_hints(n: int) -> tuple[tuple[type, str, str], ...]:
    """Matmul errors that betray a slip in the flattening (the messages of np.matmul and np.dot)."""
    return (
        (ValueError, "different from 28)", HINT_FLATTEN),
        (ValueError, "28 (dim 2) != 784", HINT_FLATTEN),
        (ValueError, f"different from {n * 784})", HINT_FLATTEN_ALL),
        (ValueError, f"different from {n})", "reshape to (n, 784), one row per image, not (784, n): x.reshape(len(x), -1)."),
        (ValueError, "matmul", HINT_SHAPES),
        (ValueError, "not aligned", HINT_SHAPES),
        (ValueError, "truth value of an array", HINT_ELEMENTWISE),
    )


def _dense_mistakes(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[tuple[np.ndarray, str], ...]:
    flat = x.reshape(len(x), -1)
    z = flat @ W + b
    return (
        (z, "apply the ReLU: np.maximum(z, 0) sets the negative pre-activations to 0."),
        (np.maximum(flat @ W, 0.0), "add the bias b before the ReLU."),
        (np.maximum(flat @ W, 0.0) + b, "add the bias *before* the ReLU: relu(x @ W + b), not relu(x @ W) + b."),
        (1.0 / (1.0 + np.exp(-z)), "the hidden layers use ReLU, np.maximum(z, 0), not the sigmoid."),
        (np.maximum(z, 0.01 * z), "the ReLU is exactly 0 for negative z: np.maximum(z, 0), not a leaky ReLU."),
        (z.max(axis=0), "np.max(z, 0) is the largest entry of each column (a reduction over axis 0); the ReLU is np.maximum(z, 0), element by element."),
        (np.maximum(z, 0.0).T, "one row per image: the output has shape (n, units), not (units, n)."),
        (np.maximum(x.reshape(784, -1).T @ W + b, 0.0), HINT_FLATTEN_ORDER),
    )


@exercise("The first hidden layer by hand")
def dense_relu(fn) -> CheckResult:
    """Check ``fn(x, W, b)`` equals ``relu(x.reshape(n, -1) @ W + b)``, on two batches of different sizes."""
    cases = []
    for description, (x, W, b) in _dense_problems().items():
        with case(description, label="batch"):
            received = call(fn, x, W, b, name="dense_relu", crash_hints=_dense_crash_hints(len(x)))
        cases.append((description, received, reference_dense_relu(x, W, b), _dense_mistakes(x, W, b)))
    expect_close_on_each(cases, label="batch", name="dense_relu(x, W, b)", rtol=1e-5, atol=1e-7,
                         hint="flatten each image with x.reshape(len(x), -1), multiply by W (784 × units), add b, then np.maximum(..., 0).")
    return "correct — a Dense layer is a linear map followed by a ReLU; that is all the network does, layer after layer."


# --- exercise 2: dead units -------------------------------------------------------------------


def _dead_unit_problems() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    small = np.array([  # (7, 5): 7 inputs, 5 ReLU units
        [0.0, 0.0, 1.2, 0.0, 0.0],
        [0.3, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 2.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0],  # an input on which no unit fires
        [0.0, 0.0, 0.4, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.7],  # unit 4 fires once: rare, not dead
        [0.0, 0.0, 0.1, 0.0, 0.0],
    ])
    rng = np.random.default_rng(17)
    big = np.maximum(rng.normal(0.0, 1.0, size=(30, 12)), 0.0)  # (30, 12)
    big[:, [2, 7, 11]] = 0.0  # dead
    big[:, 5] = 0.0
    big[13, 5] = 0.2  # rare
    big[:, 9] = 0.5  # constant, but alive
    return {"7 inputs, 5 units": (small, np.array([1, 3])), "30 random inputs, 12 units": (big, np.array([2, 7, 11]))}


def _dead_unit_mistakes(activations: np.ndarray, expected: np.ndarray) -> tuple[tuple[np.ndarray, str], ...]:
    zero = activations <= 0
    return (
        (np.flatnonzero(zero.any(axis=0)), "dead means 0 on *every* input: np.all(activations == 0, axis=0). These units are silent on some inputs only."),
        (np.flatnonzero(zero.all(axis=1)), "reduce over the examples (axis=0) to get one answer per unit; axis=1 gives one per example."),
        (np.flatnonzero(activations.mean(axis=0) < 0.2), "a low mean is not enough: a dead unit is exactly 0 on every input (a unit that fires rarely is alive)."),
        (np.flatnonzero(activations.std(axis=0) == 0), "a unit that is constant but not 0 is alive: dead means exactly 0 on every input."),
        (expected[:, None], "np.argwhere gives a column, shape (k, 1); use np.flatnonzero(mask) for a flat array of indices."),
        (len(expected), "return the indices of the dead units, not how many there are."),
    )


@exercise("Spot the dead units")
def find_dead_units(fn) -> CheckResult:
    """Check ``fn(activations)`` returns the indices of the units that are 0 on every example, on two problems."""
    cases = []
    for description, (activations, expected) in _dead_unit_problems().items():
        with case(description, label="activations"):
            received = call(fn, activations, name="find_dead_units")
            if isinstance(received, tuple):
                raise Wrong("find_dead_units returned a tuple, not an array of indices.", hint="np.where(mask) returns a tuple of arrays, "
                            "one per axis; take np.where(mask)[0], or use np.flatnonzero(mask).")
            indices = as_array(received, "find_dead_units(activations)", dtype=None,
                               hint="collect the indices in a NumPy array, e.g. np.flatnonzero(mask)." if isinstance(received, (list, set)) else "")
            if indices.dtype.kind == "b":
                raise Wrong("find_dead_units returned a mask of True/False values, not the units' indices.",
                            hint="turn the mask into indices with np.flatnonzero(mask).")
        cases.append((description, indices, expected, _dead_unit_mistakes(activations, expected)))
    expect_close_on_each(cases, label="activations", name="find_dead_units(activations)",
                         hint="a unit is dead when its column is 0 for every row: np.flatnonzero(np.all(activations == 0, axis=0)).")
    return "correct — a dead unit never fires, on any input; one that fires rarely is alive."


# --- exercise 3: a linear probe ---------------------------------------------------------------

PROBE_TOLERANCE = 0.02  # a probe on standardized activations, or another solver, lands within 0.01 of the reference
HINT_PROBE = ("fit LogisticRegression(max_iter=1000) on (train_activations, y_train) and return its accuracy on "
              "(test_activations, y_test), a float: probe.score(test_activations, y_test).")


def _probe_problems() -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Separable training sets (more dimensions than the probe needs) and larger held-out sets."""
    problems = {}
    for seed, k, d, n_train, n_test, spread in ((11, 3, 40, 60, 300, 0.35), (23, 4, 30, 80, 200, 0.45)):
        rng = np.random.default_rng(seed)
        means = rng.normal(0.0, spread, size=(k, d))
        y_train, y_test = np.arange(n_train) % k, np.arange(n_test) % k
        train = means[y_train] + rng.normal(size=(n_train, d))
        test = means[y_test] + rng.normal(size=(n_test, d))
        problems[f"{k} classes in {d} dimensions, {n_train} training and {n_test} held-out points"] = (train, y_train, test, y_test)
    return problems


def _probe_mistakes(train, y_train, test, y_test, expected: float) -> tuple[tuple[float, str], ...]:
    from sklearn.linear_model import LogisticRegression

    on_train = LogisticRegression(max_iter=1000).fit(train, y_train).score(train, y_train)  # 1.0: separable
    swapped = LogisticRegression(max_iter=1000).fit(test, y_test).score(train, y_train)
    return (
        (on_train, "that is the accuracy on the training activations; score the probe on the held-out ones, "
                   "probe.score(test_activations, y_test). A probe that memorizes its training set says nothing."),
        (1 - expected, "that is the error rate; the probe's accuracy counts the held-out points it gets right."),
        (swapped, "train the probe on the training activations and score it on the held-out ones, not the other way round."),
    )


@exercise("A linear probe's held-out accuracy")
def probe_accuracy(fn) -> CheckResult:
    """Check ``fn(train_acts, y_train, test_acts, y_test)`` is a logistic regression's held-out accuracy, on two problems."""
    crash_hints = ((ValueError, "inconsistent numbers of samples",
                    "pair each activation matrix with its own labels: fit(train_activations, y_train), then score(test_activations, y_test)."),)
    scores = []
    for description, (train, y_train, test, y_test) in _probe_problems().items():
        with case(description, label="problem"):
            received = call(fn, train, y_train, test, y_test, name="probe_accuracy", crash_hints=crash_hints)
            expected = reference_probe_accuracy(train, y_train, test, y_test)
            value = as_number(received, "probe_accuracy", hint=HINT_PROBE)
            if 1 < value <= 100 and abs(value / 100 - expected) <= PROBE_TOLERANCE:
                raise Wrong("probe_accuracy is not right.", f"expected: {expected:.4g}", f"received: {value:.4g}",
                            hint="return a fraction between 0 and 1, not a percentage.")
            if not abs(value - expected) <= PROBE_TOLERANCE:  # (NaN too) only then fit the probes that the slips would have fitted
                expect_close(value, expected, name="probe_accuracy", rtol=0.0, atol=PROBE_TOLERANCE, hint=HINT_PROBE,
                             mistakes=_probe_mistakes(train, y_train, test, y_test, expected))
        scores.append(expected)
    return (f"correct — about {scores[0]:.2f} and {scores[1]:.2f} held out, although a probe this flexible fits its "
            "training points perfectly.")
