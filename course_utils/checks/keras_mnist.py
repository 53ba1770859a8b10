"""Checks for notebook 04_keras_mnist."""

from __future__ import annotations

import numpy as np

from course_utils.checks import CheckResult, Wrong, call, exercise, expect_close

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
        raise Wrong(f"build_mlp should return a Keras model, got {type(model).__name__}.", hint="return keras.Sequential([...]).")
    got = _describe_all(model.layers)
    if got != SEED_MLP:
        raise Wrong("the layers are not right.", "expected: " + " → ".join(SEED_MLP), "received: " + " → ".join(got) if got else "received: no layers", hint=_layer_hint(got))
    x = np.zeros((2, 28, 28), dtype=np.float32)  # a batch of two blank images, as load_mnist returns them
    try:
        out = np.asarray(model(x))
    except Exception as error:  # the layers are right but the input shape is not
        raise Wrong(
            "the model does not accept a batch of 28×28 images.", f"{type(error).__name__}: {str(error).splitlines()[0]}",
            hint="begin with keras.Input(shape=(28, 28)) — the images come as (n, 28, 28), not as 784-vectors.",
        ) from None
    if out.shape != (2, 10):
        raise Wrong(f"for a batch of 2 images the model returns shape {out.shape}, expected (2, 10).", hint="keras.Input(shape=(28, 28)), then Flatten().")
    return "correct — 109,386 weights and biases, the architecture of the pretrained 'mlp'."


# --- exercise 2: accuracy ---------------------------------------------------------------------


@exercise("Accuracy from predicted probabilities")
def accuracy(fn) -> CheckResult:
    """Check ``fn(probabilities, y)`` is the fraction of rows whose argmax equals the label."""
    probabilities = np.array([  # (6, 4): 6 examples, 4 classes
        [0.70, 0.10, 0.10, 0.10],
        [0.20, 0.50, 0.20, 0.10],
        [0.05, 0.05, 0.30, 0.60],
        [0.25, 0.40, 0.20, 0.15],
        [0.10, 0.10, 0.10, 0.70],
        [0.30, 0.30, 0.35, 0.05],
    ])
    y = np.array([0, 1, 2, 0, 3, 2])  # rows 2 and 3 are wrong
    got = call(fn, probabilities.copy(), y.copy(), name="accuracy")
    expected = reference_accuracy(probabilities, y)  # 4/6
    mistakes = (
        (np.sum(np.argmax(probabilities, axis=1) == y), "that is the number of correct predictions; divide by the number of examples (np.mean does both)."),
        (100 * expected, "return a fraction between 0 and 1, not a percentage."),
        (1 - expected, "that is the error rate; accuracy counts the predictions that are right."),
        (np.mean(probabilities.max(axis=1) == y), "np.max gives the highest probability; np.argmax(..., axis=1) gives the class it belongs to."),
    )
    expect_close(got, expected, name="accuracy(probabilities, y)", mistakes=mistakes,
                 hint="predicted class = np.argmax(probabilities, axis=1); accuracy = mean of (predicted == y).")
    return "correct — 4 of the 6 predictions are right."


# --- exercise 3: confusion matrix -------------------------------------------------------------


@exercise("A confusion matrix by hand")
def confusion_matrix(fn) -> CheckResult:
    """Check ``fn(y_true, y_pred, n_classes)`` counts ``C[true, predicted]``."""
    y_true = np.array([0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3, 0])
    y_pred = np.array([0, 1, 1, 1, 2, 2, 0, 3, 1, 3, 2, 0])  # class 3 is predicted, class 4 never occurs
    n_classes = 5
    got = call(fn, y_true.copy(), y_pred.copy(), n_classes, name="confusion_matrix")
    expected = reference_confusion_matrix(y_true, y_pred, n_classes)
    if got is not None and np.shape(got) != expected.shape:
        raise Wrong(
            f"confusion_matrix returned shape {np.shape(got)}, expected {expected.shape}.",
            hint="make it n_classes × n_classes (np.zeros((n_classes, n_classes), dtype=int)): a class that never "
                 "occurs still gets its row and column.",
        )
    mistakes = (
        (expected.T, "rows are the true class and columns the prediction: add 1 to C[true, predicted], not C[predicted, true]."),
        (expected / np.maximum(expected.sum(axis=1, keepdims=True), 1), "count the examples; do not normalize the rows."),
    )
    expect_close(got, expected, name="the confusion matrix", mistakes=mistakes,
                 hint="loop over the pairs: for t, p in zip(y_true, y_pred): C[t, p] += 1.")
    return "correct — the diagonal holds the right answers, every other cell one kind of mistake."


# --- exercise 4: most confident mistakes ------------------------------------------------------


@exercise("The most confident mistakes")
def most_confident_mistakes(fn) -> CheckResult:
    """Check ``fn(probabilities, y, k)`` returns the k wrong predictions with the highest confidence."""
    probabilities = np.array([  # (8, 3)
        [0.90, 0.05, 0.05],  # 0: right, very confident
        [0.10, 0.80, 0.10],  # 1: wrong (true 0), confidence 0.80
        [0.30, 0.40, 0.30],  # 2: wrong (true 2), confidence 0.40
        [0.05, 0.05, 0.90],  # 3: wrong (true 1), confidence 0.90
        [0.60, 0.20, 0.20],  # 4: right
        [0.20, 0.15, 0.65],  # 5: wrong (true 0), confidence 0.65
        [0.02, 0.97, 0.01],  # 6: right, the most confident of all
        [0.02, 0.50, 0.48],  # 7: wrong (true 0), confidence 0.50, true class only 0.02
    ])
    y = np.array([0, 0, 2, 1, 0, 0, 1, 0])
    k = 3
    got = call(fn, probabilities.copy(), y.copy(), k, name="most_confident_mistakes")
    expected = reference_most_confident_mistakes(probabilities, y, k)  # [3, 1, 5]
    confidence = probabilities.max(axis=1)
    wrong = np.flatnonzero(probabilities.argmax(axis=1) != y)
    mistakes = (
        (np.argsort(-confidence)[:k], "keep only the mistakes (np.argmax(probabilities, axis=1) != y) before ranking by confidence."),
        (wrong[np.argsort(confidence[wrong])][:k], "most confident first: sort the mistakes by decreasing confidence (np.argsort(-confidence))."),
        (np.sort(wrong[np.argsort(-confidence[wrong])][:k]), "return the indices in order of confidence, most confident first (not sorted by index)."),
        (wrong[np.argsort(probabilities[wrong, y[wrong]])][:k], "confidence is the probability of the *predicted* class, probabilities.max(axis=1), not of the true one."),
        (wrong[:k], "rank the mistakes by confidence; these are just the first mistakes in the data."),
    )
    if got is not None and np.shape(got) != expected.shape:
        raise Wrong(f"most_confident_mistakes returned shape {np.shape(got)}, expected {expected.shape}.",
                    hint="return an array of k indices into the batch (e.g. wrong[order][:k]), not a mask or the probabilities.")
    expect_close(got, expected, name="the indices", mistakes=mistakes,
                 hint="wrong = np.flatnonzero(predicted != y); order those by confidence[wrong], highest first; keep k.")
    return "correct — these are the inputs to look at first when diagnosing a model."
