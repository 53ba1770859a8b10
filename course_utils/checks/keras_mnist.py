"""Checks for notebook 04_keras_mnist.

Every check of a computed answer runs on two batches — a small hand-made one and a random one
with a fixed seed, rectangular, whose mistakes go both ways (predicted class above and below the
label) — so that a slip which happens to be right on one batch is still caught.
"""

from __future__ import annotations

import numpy as np

from course_utils.checks import CheckResult, Wrong, _a, _message, call, exercise
from course_utils.checks._answers import as_array, as_number, case, expect_close, expect_close_on_each

__all__ = ["build_mlp", "accuracy", "confusion_matrix", "most_confident_mistakes"]

SEED_MLP = ("Flatten", "Dense(128, relu)", "Dropout(0.2)", "Dense(64, relu)", "Dense(10, softmax)")


# --- reference implementations (the notebook uses these after each exercise) -------------------


def reference_accuracy(probabilities: np.ndarray, y: np.ndarray) -> float:
    """Fraction of examples whose most probable class is the true one."""
    return float(np.mean(np.argmax(probabilities, axis=1) == y))


def reference_confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Counts ``C[i, j]`` of examples of true class ``i`` predicted as ``j``, shape (n_classes, n_classes)."""
    counts = np.zeros((n_classes, n_classes), dtype=int)
    np.add.at(counts, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return counts


def reference_most_confident_mistakes(probabilities: np.ndarray, y: np.ndarray, k: int = 10) -> np.ndarray:
    """Indices of the ``k`` wrongly classified examples with the highest confidence, most confident first."""
    predicted = np.argmax(probabilities, axis=1)
    confidence = np.max(probabilities, axis=1)
    wrong = np.flatnonzero(predicted != y)
    return wrong[np.argsort(-confidence[wrong], kind="stable")][:k]


# --- exercise 1: the seed MLP -----------------------------------------------------------------


def _describe(layer) -> str:
    kind = type(layer).__name__
    if kind == "Dense":
        return f"Dense({layer.units}, {getattr(layer.activation, '__name__', layer.activation)})"
    if kind == "Dropout":
        return f"Dropout({layer.rate:g})"
    if kind == "Activation":
        return f"Activation({getattr(layer.activation, '__name__', layer.activation)})"
    if kind in ("ReLU", "Softmax"):
        return f"Activation({kind.lower()})"
    if kind == "Reshape" and tuple(getattr(layer, "target_shape", ())) in ((784,), (-1,)):
        return "Flatten"  # Reshape((784,)) flattens each image just as well
    return kind


def _describe_all(layers) -> tuple[str, ...]:
    """One description per layer; a Dense layer followed by an activation layer counts as one."""
    described: list[str] = []
    for layer in layers:
        if type(layer).__name__ == "InputLayer":
            continue
        d = _describe(layer)
        if d.startswith("Activation(") and described and described[-1].endswith(", linear)"):
            described[-1] = described[-1].replace("linear)", d[len("Activation("):])
        else:
            described.append(d)
    return tuple(described)


def _layer_hint(got: tuple[str, ...]) -> str:
    """The most likely slip, read off the layers the learner built."""
    dense = [d for d in got if d.startswith("Dense")]
    if not got or got[0] != "Flatten":
        return "start with keras.layers.Flatten(): Dense layers need vectors, so each 28×28 image becomes 784 numbers."
    if dense and not dense[-1].startswith("Dense(10,"):
        return "the last layer needs one unit per digit: keras.layers.Dense(10, activation='softmax')."
    if dense and not dense[-1].endswith("softmax)"):
        return ("the last layer should output probabilities: activation='softmax' (the loss "
                "sparse_categorical_crossentropy expects probabilities unless told from_logits=True).")
    if [d.split(",")[0] for d in dense] == ["Dense(64", "Dense(128", "Dense(10"]:
        return "the hidden layers are swapped: 128 units first, then 64."
    if len(dense) != 3:
        return f"the model needs three Dense layers (128, 64 and 10 units); yours has {len(dense)}."
    if any(d.endswith("linear)") for d in dense[:2]):
        return ("give the hidden layers activation='relu': without a non-linearity two Dense layers in a row "
                "are just one linear map.")
    if not any(d.startswith("Dropout") for d in got):
        return "add keras.layers.Dropout(0.2) right after the first hidden layer."
    if "Dropout(0.2)" not in got:
        return "the dropout rate is 0.2: keras.layers.Dropout(0.2) drops 20% of the units during training."
    if got.index("Dropout(0.2)") != 2:
        return "put the Dropout(0.2) right after the first hidden layer (Dense 128), as in the seed model."
    return "compare your layers with the list above, one by one."


@exercise("Build the seed MLP 784-128-64-10")
def build_mlp(fn) -> CheckResult:
    """Check ``fn()`` returns Flatten → Dense 128 ReLU → Dropout 0.2 → Dense 64 ReLU → Dense 10 softmax."""
    import course_utils  # noqa: F401  (quiet TensorFlow)
    import keras

    model = call(fn, name="build_mlp", returns="model")
    if not isinstance(model, keras.Model):
        layers = isinstance(model, (list, tuple)) and model and all(isinstance(layer, keras.layers.Layer) for layer in model)
        raise Wrong(f"build_mlp should return a Keras model, got {_a(type(model).__name__)}.",
                    hint="wrap the list of layers in a model: return keras.Sequential([...])." if layers else "return keras.Sequential([...]).")
    try:
        got = _describe_all(model.layers)
    except Exception:  # a subclassed model whose layers cannot be listed
        raise Wrong("the layers of your model cannot be listed.", hint="build the model with keras.Sequential([...]).") from None
    if got != SEED_MLP:
        raise Wrong("the layers are not right.", "expected: " + " → ".join(SEED_MLP), "received: " + " → ".join(got) if got else "received: no layers", hint=_layer_hint(got))
    x = np.zeros((2, 28, 28), dtype=np.float32)  # a batch of two blank images, as load_mnist returns them
    try:
        out = np.asarray(model(x))
    except (Exception, SystemExit) as error:  # the layers are right but the input shape is not
        first_line = (_message(error).splitlines() or [""])[0]
        raise Wrong(
            "the model does not accept a batch of 28×28 images.", f"{type(error).__name__}: {first_line}",
            hint="begin with keras.Input(shape=(28, 28)) — the images come as (n, 28, 28), not as 784-vectors.",
        ) from None
    if out.shape != (2, 10):
        raise Wrong(f"for a batch of 2 images the model returns shape {out.shape}, expected (2, 10).", hint="keras.Input(shape=(28, 28)), then Flatten().")
    return "correct — 109,386 weights and biases, the architecture of the pretrained 'mlp'."


# --- test data with mistakes in both directions (predicted class above and below the label) -------


def _batch(seed: int, n: int, n_classes: int, n_wrong: int) -> tuple[np.ndarray, np.ndarray]:
    """Random probabilities (n, n_classes) and labels: the argmax, except for ``n_wrong`` rows
    whose label is shifted by 1..n_classes-1 (mod n_classes), so mistakes go both ways."""
    rng = np.random.default_rng(seed)
    probabilities = rng.dirichlet(np.full(n_classes, 0.5), size=n)  # (n, n_classes), confidences all distinct
    predicted = probabilities.argmax(axis=1)
    y = predicted.copy()
    wrong = rng.choice(n, n_wrong, replace=False)
    y[wrong] = (predicted[wrong] + rng.integers(1, n_classes, n_wrong)) % n_classes
    return probabilities, y


def _saturated(probabilities: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first row made certain of its label (a saturated softmax), so that the slips that compare
    a probability or a flattened index with y do not all give 0."""
    probabilities = probabilities.copy()
    probabilities[0] = np.eye(probabilities.shape[1])[y[0]]
    return probabilities, y


def _accuracy_batches() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    small = np.array([  # (6, 4): rows 2 and 3 are wrong, one predicted above its label, one below
        [0.00, 1.00, 0.00, 0.00],  # true 1, predicted 1 with certainty (a saturated softmax)
        [0.70, 0.10, 0.10, 0.10],  # true 0, predicted 0
        [0.05, 0.05, 0.30, 0.60],  # true 2, predicted 3
        [0.25, 0.40, 0.20, 0.15],  # true 2, predicted 1
        [0.10, 0.10, 0.10, 0.70],  # true 3, predicted 3
        [0.30, 0.30, 0.35, 0.05],  # true 2, predicted 2
    ])
    return {
        "6 examples, 4 classes": (small, np.array([1, 0, 2, 2, 3, 2])),
        "40 random examples, 7 classes": _saturated(*_batch(4, 40, 7, 13)),
    }


# --- exercise 2: accuracy ---------------------------------------------------------------------

HINT_ACC_AXIS = ("the shapes do not match: np.argmax(probabilities, axis=1) gives one class per row (per example), "
                 "shape (n,) like y; axis=0 gives one per column (per class).")
HINT_ACC = "predicted class = np.argmax(probabilities, axis=1); accuracy = mean of (predicted == y)."
HINT_ACC_EQUAL = "a prediction is right when the predicted class equals the label: compare with ==, not <= or >=."


def _accuracy_mistakes(probabilities: np.ndarray, y: np.ndarray) -> tuple[tuple[float, str], ...]:
    predicted = np.argmax(probabilities, axis=1)
    right = np.mean(predicted == y)
    return (
        (np.sum(predicted == y), "that is the number of correct predictions; divide by the number of examples (np.mean does both)."),
        (100 * right, "return a fraction between 0 and 1, not a percentage."),
        (1 - right, "that is the error rate; accuracy counts the predictions that are right."),
        (np.mean(probabilities.max(axis=1) == y), "np.max gives the highest probability; np.argmax(..., axis=1) gives the class it belongs to."),
        (np.mean(np.argmax(probabilities) == y), "np.argmax without an axis gives one index into the flattened array; use axis=1 for one class per row."),
        (np.mean(predicted <= y), HINT_ACC_EQUAL),
        (np.mean(predicted >= y), HINT_ACC_EQUAL),
        (np.sum(predicted == y) // len(y), "`//` is integer division and rounds the accuracy down to 0; use `/` (or np.mean)."),
        *((round(right, digits), "return the exact fraction; do not round it (rounding is for printing).") for digits in (1, 2, 3)),
    )


@exercise("Accuracy from predicted probabilities")
def accuracy(fn) -> CheckResult:
    """Check ``fn(probabilities, y)`` is the fraction of rows whose argmax equals the label, on two batches."""
    batches = _accuracy_batches()
    received = []
    for description, (probabilities, y) in batches.items():
        with case(description, label="batch"):
            answer = call(fn, probabilities, y, name="accuracy", crash_hints=((ValueError, "could not be broadcast", HINT_ACC_AXIS),))
            received.append(as_number(answer, "accuracy(probabilities, y)", hint=HINT_ACC))
    slips = [_accuracy_mistakes(p, y) for p, y in batches.values()]  # slips[batch][slip] = (value, hint)
    mistakes = tuple(([s[j][0] for s in slips], slips[0][j][1]) for j in range(len(slips[0])))
    with case("; ".join(f"({i + 1}) {name}" for i, name in enumerate(batches)), label="batches"):
        expect_close(np.array(received), [reference_accuracy(p, y) for p, y in batches.values()], name="accuracy(probabilities, y)",
                     mistakes=mistakes, hint=HINT_ACC)
    return "correct — 4 of the 6 predictions of the first batch are right, 27 of the 40 of the second."


# --- exercise 3: confusion matrix -------------------------------------------------------------

HINT_CM_SHAPE = ("make it n_classes × n_classes (np.zeros((n_classes, n_classes), dtype=int)): a class that never "
                 "occurs still gets its row and column (scikit-learn: labels=range(n_classes)).")
HINT_CM_FLOAT = ("the counts are right but stored as floats; the exercise asks for integer counts: "
                 "np.zeros((n_classes, n_classes), dtype=int).")
HINT_CM_SET = ("add 1 for every example, C[t, p] += 1 in a loop (or np.add.at(C, (y_true, y_pred), 1)). Setting C[t, p] = 1, "
               "or C[y_true, y_pred] += 1 in one go, only marks which pairs occur: repeated pairs count once.")


def _confusion_problems() -> dict[str, tuple[np.ndarray, np.ndarray, int]]:
    rng = np.random.default_rng(9)
    y_true = rng.integers(0, 4, 50)  # classes 0..3 occur as labels; 4 only as a prediction; 5 never
    y_pred = np.where(rng.random(50) < 0.6, y_true, rng.integers(0, 5, 50))
    return {
        "12 examples, 5 classes (class 4 never occurs)": (
            np.array([0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3, 0]), np.array([0, 1, 1, 1, 2, 2, 0, 3, 1, 3, 2, 0]), 5),
        "50 random examples, 6 classes (class 5 never occurs)": (y_true, y_pred, 6),
    }


@exercise("A confusion matrix by hand")
def confusion_matrix(fn) -> CheckResult:
    """Check ``fn(y_true, y_pred, n_classes)`` counts ``C[true, predicted]`` as integers, on two problems."""
    cases = []
    for description, (y_true, y_pred, n_classes) in _confusion_problems().items():
        expected = reference_confusion_matrix(y_true, y_pred, n_classes)
        mistakes = (
            (expected.T, "rows are the true class and columns the prediction: add 1 to C[true, predicted], not C[predicted, true]."),
            (expected / np.maximum(expected.sum(axis=1, keepdims=True), 1), "count the examples; do not normalize the rows."),
            (expected / expected.sum(), "count the examples; do not divide by their total."),
            ((expected > 0).astype(int), HINT_CM_SET),
            (np.roll(expected, -1, axis=(0, 1)), "the classes are numbered from 0: add 1 to C[t, p], not C[t - 1, p - 1]."),
        )
        with case(description, label="problem"):
            counts = as_array(call(fn, y_true, y_pred, n_classes, name="confusion_matrix"), "the confusion matrix", dtype=None)
            if counts.ndim == 2 and counts.shape != expected.shape:
                raise Wrong(f"the confusion matrix has shape {counts.shape}, expected {expected.shape}.", hint=HINT_CM_SHAPE)
        cases.append((description, counts, expected, mistakes))
    expect_close_on_each(cases, label="problem", name="the confusion matrix",
                         hint="loop over the pairs: for t, p in zip(y_true, y_pred): C[t, p] += 1.")
    for description, counts, _, _ in cases:
        if counts.dtype.kind not in "iu":
            with case(description, label="problem"):
                raise Wrong(f"the confusion matrix holds {counts.dtype} values, not integer counts.", hint=HINT_CM_FLOAT)
    return "correct — the diagonal holds the right answers, every other cell one kind of mistake."


# --- exercise 4: most confident mistakes ------------------------------------------------------

HINT_MCM_DIRECTION = ("a mistake is any row whose predicted class differs from y, predicted != y: "
                      "a model errs both ways, predicting a larger or a smaller class than the label.")


def _mistake_problems() -> dict[str, tuple[np.ndarray, np.ndarray, int]]:
    small = np.array([  # (8, 3): five mistakes, predicted above and below the label
        [0.90, 0.05, 0.05],  # 0: right (true 0), very confident
        [0.12, 0.80, 0.08],  # 1: wrong (true 0, predicted 1), confidence 0.80
        [0.05, 0.85, 0.10],  # 2: wrong (true 2, predicted 1), confidence 0.85
        [0.05, 0.05, 0.90],  # 3: wrong (true 1, predicted 2), confidence 0.90
        [0.60, 0.20, 0.20],  # 4: right (true 0)
        [0.20, 0.15, 0.65],  # 5: wrong (true 0, predicted 2), confidence 0.65
        [0.02, 0.97, 0.01],  # 6: right (true 1), the most confident of all
        [0.02, 0.50, 0.48],  # 7: wrong (true 0, predicted 1), confidence 0.50, true class only 0.02
    ])
    probabilities, y = _batch(12, 60, 5, 20)
    return {
        "8 examples, 3 classes, k = 3": (small, np.array([0, 0, 2, 1, 0, 0, 1, 0]), 3),
        "60 random examples, 5 classes, k = 7": (probabilities, y, 7),
    }


def _ranking_mistakes(probabilities: np.ndarray, y: np.ndarray, k: int) -> tuple[tuple[np.ndarray, str], ...]:
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities.max(axis=1)
    wrong = np.flatnonzero(predicted != y)
    order = np.argsort(-confidence[wrong], kind="stable")
    by_confidence = lambda rows: rows[np.argsort(-confidence[rows], kind="stable")][:k]  # noqa: E731
    return (
        (np.argsort(-confidence)[:k], "keep only the mistakes (np.argmax(probabilities, axis=1) != y) before ranking by confidence."),
        (wrong[order[::-1]][:k], "most confident first: sort the mistakes by decreasing confidence (np.argsort(-confidence))."),
        (wrong[np.argsort(confidence[wrong], kind="stable")][:k], "most confident first: sort the mistakes by decreasing confidence (np.argsort(-confidence))."),
        (np.sort(wrong[order][:k]), "return the indices in order of confidence, most confident first (not sorted by index)."),
        (wrong[np.argsort(probabilities[wrong, y[wrong]], kind="stable")][:k], "confidence is the probability of the *predicted* class, probabilities.max(axis=1), not of the true one."),
        (wrong[:k], "rank the mistakes by confidence; these are just the first mistakes in the data."),
        (order[:k], "those are positions in the list of mistakes, not rows of the batch: map them back, wrong[order][:k]."),
        (confidence[wrong][order][:k], "return the indices of the examples, not their confidences."),
        (by_confidence(np.flatnonzero(predicted > y)), HINT_MCM_DIRECTION),
        (by_confidence(np.flatnonzero(predicted < y)), HINT_MCM_DIRECTION),
    )


@exercise("The most confident mistakes")
def most_confident_mistakes(fn) -> CheckResult:
    """Check ``fn(probabilities, y, k)`` returns the k wrong predictions with the highest confidence, on two problems."""
    cases = []
    for description, (probabilities, y, k) in _mistake_problems().items():
        with case(description, label="problem"):
            indices = as_array(call(fn, probabilities, y, k, name="most_confident_mistakes"), "the indices", dtype=None)
            if indices.dtype.kind == "b":
                raise Wrong("the indices are True/False values (a mask), not the examples' indices.",
                            hint="return an array of k indices into the batch, e.g. wrong[order][:k] with wrong = np.flatnonzero(predicted != y).")
        cases.append((description, indices, reference_most_confident_mistakes(probabilities, y, k), _ranking_mistakes(probabilities, y, k)))
    expect_close_on_each(cases, label="problem", name="the indices", plural=True,
                         hint="return exactly k indices (k = 3, then 7): wrong = np.flatnonzero(predicted != y); order those by "
                              "confidence[wrong], highest first; keep k.")
    return "correct — these are the inputs to look at first when diagnosing a model."
