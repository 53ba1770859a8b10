"""Retrain the MLP on digits whose most important pixels were removed: ROAR in miniature (notebook 10).

    python datasets/models/train_roar.py        # about a minute on 2 CPUs

RemOve And Retrain (Hooker, Erhan, Kindermans & Kim, 2019) asks whether the pixels an explanation
ranks highest carry the information the task needs: replace them by an uninformative value in the
training *and* test images, train the same architecture again, and see how far the test accuracy
falls. Here, for each ranking below, the top ``FRACTION`` of the 784 pixels of every one of the
4,000 training and 1,000 test digits of ``load_mnist()`` is set to the training set's mean pixel
value (ROAR's global mean), and a fresh MLP (``course_utils.models.build("mlp")``) is trained on
the modified training digits with the recipe ``RECIPE``:

- ``random``: a random ranking per image (``np.random.default_rng(seed)``, seed 0 for the training
  digits and 1 for the test digits);
- ``saliency``: |∂ logit / ∂ pixel| of the pretrained MLP for its predicted class (Simonyan et al.);
- ``gradient_x_input``: gradient × input of the same logit, signed (the order the deletion curves
  of notebook 10 use: the most positive first).

The weights go to ``datasets/models/roar_<ranking>.weights.h5`` (weights only, as the pretrained
models) and their checksums to ``datasets/SHA256SUMS``; the script prints each model's accuracy on
the equally modified test digits (the datasheet, ``datasets/models/README.md``, states them).
Notebook 10 rebuilds the modified test digits with the same :func:`remove_top` and evaluates the
shipped models on them, so that retraining does not have to fit in its time budget.
"""

from __future__ import annotations

import hashlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # run from a checkout without installing

import course_utils  # noqa: E402  (quietens TensorFlow before it is imported)
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from course_utils.datasets import load_mnist  # noqa: E402
from course_utils.gradients import saliency  # noqa: E402
from course_utils.models import build, load_pretrained, logits_model  # noqa: E402

SEED = 0
FRACTION = 0.5  # share of the pixels removed from every image
RECIPE = {"epochs": 5, "batch_size": 128, "learning_rate": 3e-3}  # shorter than the pretrained MLP's 20 epochs
RANKINGS = ("random", "saliency", "gradient_x_input")


def weight_file(ranking: str) -> str:
    """The weight file of one ranking, relative to ``datasets/``."""
    return f"models/roar_{ranking}.weights.h5"


def remove_top(images: np.ndarray, ranking: np.ndarray, fraction: float, fill: float, seed: int = 0) -> np.ndarray:
    """``images`` with the top ``fraction`` of each image's pixels by ``ranking`` (highest first) set to ``fill``.

    Ties are broken at random (``np.random.default_rng(seed)``): gradient × input is exactly 0 on the
    whole background, and a tie broken by pixel position would grey out the image from the top down.
    """
    flat = images.reshape(len(images), -1).copy()  # (n, 784)
    ranks = ranking.reshape(len(images), -1)
    order = np.lexsort((np.random.default_rng(seed).random(ranks.shape), -ranks), axis=-1)  # by -ranking, then a coin
    np.put_along_axis(flat, order[:, : int(fraction * flat.shape[1])], fill, axis=1)
    return flat.reshape(images.shape)


def rankings(images: np.ndarray, *, seed: int) -> dict[str, np.ndarray]:
    """Each ranking of the pixels of ``images`` (n, 28, 28); the gradients are the pretrained MLP's, for its predicted class."""
    logits = logits_model(load_pretrained("mlp"))
    gradient = saliency(logits, images).values  # target None: the predicted class
    return {
        "random": np.random.default_rng(seed).random(images.shape),
        "saliency": np.abs(gradient),
        "gradient_x_input": gradient * images,
    }


def retrain(x_train: np.ndarray, y_train: np.ndarray) -> keras.Model:
    """A fresh MLP trained with RECIPE (seeded, deterministic)."""
    keras.utils.set_random_seed(SEED)
    model = build("mlp")
    model.compile(optimizer=keras.optimizers.Adam(RECIPE["learning_rate"]), loss="sparse_categorical_crossentropy")
    model.fit(x_train, y_train, epochs=RECIPE["epochs"], batch_size=RECIPE["batch_size"], shuffle=True, verbose=0)
    return model


def main() -> None:
    tf.config.experimental.enable_op_determinism()
    (x_train, y_train), (x_test, y_test) = load_mnist()
    fill = float(x_train.mean())
    train_rankings, test_rankings = rankings(x_train, seed=SEED), rankings(x_test, seed=SEED + 1)
    sums = HERE.parent / "SHA256SUMS"
    entries = dict(reversed(line.split()) for line in sums.read_text().splitlines() if line.strip())
    for ranking in RANKINGS:
        start = time.perf_counter()
        model = retrain(remove_top(x_train, train_rankings[ranking], FRACTION, fill), y_train)
        modified_test = remove_top(x_test, test_rankings[ranking], FRACTION, fill)
        accuracy = float(np.mean(model.predict(modified_test, verbose=0).argmax(axis=1) == y_test))
        bare = build("mlp")  # uncompiled: the file holds the weights only
        bare.set_weights(model.get_weights())
        path = HERE.parent / weight_file(ranking)
        bare.save_weights(path)
        entries[weight_file(ranking)] = hashlib.sha256(path.read_bytes()).hexdigest()
        print(f"{ranking}: {FRACTION:.0%} of the pixels removed, test accuracy after retraining {accuracy:.3f} "
              f"({time.perf_counter() - start:.0f} s, {path.stat().st_size:,} bytes) sha256 {entries[weight_file(ranking)]}")
    sums.write_text("".join(f"{digest}  {file}\n" for file, digest in entries.items()))


if __name__ == "__main__":
    main()
