"""Retrain the course's pretrained MNIST models and write their weights and checksums.

    python datasets/models/train_models.py          # both models (one to three minutes on 2 CPUs)
    python datasets/models/train_models.py mlp      # one of them

Each model is built by ``course_utils.models.build`` (the architecture lives in code, the file
holds weights only), trained on the 4,000 training digits of ``load_mnist()`` with a fixed seed,
evaluated on the 1,000 held-out digits, and saved as ``datasets/models/<name>.weights.h5``; its
line in ``datasets/SHA256SUMS`` is updated so ``load_pretrained`` accepts it. The datasheet is
``datasets/models/README.md`` (update its accuracies and checksums if they change).
"""

from __future__ import annotations

import argparse
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
from course_utils.models import WEIGHT_FILES, build  # noqa: E402

SEED = 0
#: name -> training recipe (Adam, sparse categorical cross-entropy on the softmax output).
RECIPES = {
    "mlp": {"epochs": 20, "batch_size": 32, "learning_rate": 1e-3},
    "cnn": {"epochs": 25, "batch_size": 32, "learning_rate": 3e-3},
}
MINIMUM_TEST_ACCURACY = {"mlp": 0.92, "cnn": 0.93}  # below the spread over seeds (see the datasheet)


def train(name: str) -> float:
    """Train one model from scratch, save its weights, return its test accuracy."""
    (x_train, y_train), (x_test, y_test) = load_mnist()
    recipe = RECIPES[name]
    keras.utils.set_random_seed(SEED)
    model = build(name)
    model.compile(
        optimizer=keras.optimizers.Adam(recipe["learning_rate"]),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    model.fit(x_train, y_train, epochs=recipe["epochs"], batch_size=recipe["batch_size"], shuffle=True, verbose=0)
    seconds = time.perf_counter() - start
    accuracy = float(np.mean(np.argmax(model.predict(x_test, verbose=0), axis=1) == y_test))
    path = HERE.parent / WEIGHT_FILES[name]
    bare = build(name)  # uncompiled: the file then holds the model's weights only, no optimizer state
    bare.set_weights(model.get_weights())
    bare.save_weights(path)
    print(f"{name}: test accuracy {accuracy:.3f} on {len(y_test)} digits, trained in {seconds:.0f} s, "
          f"{model.count_params():,} parameters, {path.stat().st_size:,} bytes -> {path.name}")
    if accuracy < MINIMUM_TEST_ACCURACY[name]:
        raise SystemExit(f"{name} reached only {accuracy:.3f} (< {MINIMUM_TEST_ACCURACY[name]}); not good enough.")
    return accuracy


def update_sums(names: list[str]) -> None:
    """Write each weight file's sha256 into datasets/SHA256SUMS, keeping the other entries."""
    sums = HERE.parent / "SHA256SUMS"
    entries = dict(reversed(line.split()) for line in sums.read_text().splitlines() if line.strip())
    for name in names:
        relative = WEIGHT_FILES[name]
        entries[relative] = hashlib.sha256((HERE.parent / relative).read_bytes()).hexdigest()
        print(f"{entries[relative]}  {relative}")
    sums.write_text("".join(f"{digest}  {file}\n" for file, digest in entries.items()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "names", nargs="*", metavar="name", help=f"models to retrain: {', '.join(RECIPES)} (default: all)"
    )
    names = parser.parse_args(argv).names or list(RECIPES)
    unknown = [name for name in names if name not in RECIPES]
    if unknown:
        parser.error(f"unknown model {unknown[0]!r}; choose from {', '.join(RECIPES)}")
    tf.config.experimental.enable_op_determinism()
    for name in names:
        train(name)
    update_sums(names)


if __name__ == "__main__":
    main()
