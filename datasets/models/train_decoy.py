"""Retrain the three Decoy MNIST models of notebook 11 and write their weights and checksums.

    python datasets/models/train_decoy.py           # all three (about a minute on 2 CPUs)
    python datasets/models/train_decoy.py rrr       # one of them

Each model is the paper's MLP built by ``course_utils.decoy.build`` (784-50-30-10; the file holds
weights only) and is trained by ``course_utils.decoy.train`` on ``load_decoy_mnist()`` with a fixed
seed: ``decoy`` on the digits with the label-coded patch, ``rrr`` on the same digits with Ross et
al.'s right-for-the-right-reasons penalty on the patch (weight ``PENALTY``), ``clean`` on the
digits without patches. The script prints each model's accuracies, saves
``datasets/models/decoy_<name>.weights.h5`` and updates its line in ``datasets/SHA256SUMS``. The
datasheet is the "Decoy MNIST models" section of ``datasets/models/README.md`` (update its table
if the numbers change; a test checks it against the files).
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

from course_utils import decoy  # noqa: E402

SEED = 0
EPOCHS, BATCH_SIZE, LEARNING_RATE = 20, 64, 1e-3
PENALTY = 1.0  # λ of the penalty, for pixels in [0, 1] (the paper's λ = 1000 was for pixels in 0..255)


def accuracy(model, x, y) -> float:
    return float(np.mean(np.argmax(model.predict(x, batch_size=1000, verbose=0), axis=1) == y))


def train(name: str, data: decoy.DecoyMNIST) -> None:
    """Train one model from scratch and save its weights."""
    x = data.x_train_clean if name == "clean" else data.x_train
    keras.utils.set_random_seed(SEED)
    model = decoy.build()
    start = time.perf_counter()
    decoy.train(model, x, data.y_train, mask=data.mask_train, penalty=PENALTY if name == "rrr" else 0.0,
                epochs=EPOCHS, batch_size=BATCH_SIZE, learning_rate=LEARNING_RATE, seed=SEED)
    seconds = time.perf_counter() - start
    path = HERE.parent / decoy.WEIGHT_FILES[name]
    model.save_weights(path)  # a model built in code and never compiled: the file holds its weights only
    print(f"{name}: train {accuracy(model, x, data.y_train):.3f}, "
          f"decoy test {accuracy(model, data.x_test, data.y_test):.3f}, "
          f"clean test {accuracy(model, data.x_test_clean, data.y_test):.3f}; trained in {seconds:.0f} s, "
          f"{model.count_params():,} parameters, {path.stat().st_size:,} bytes -> {path.name}")


def update_sums(names: list[str]) -> None:
    """Write each weight file's sha256 into datasets/SHA256SUMS, keeping the other entries."""
    sums = HERE.parent / "SHA256SUMS"
    entries = dict(reversed(line.split()) for line in sums.read_text().splitlines() if line.strip())
    for name in names:
        relative = decoy.WEIGHT_FILES[name]
        entries[relative] = hashlib.sha256((HERE.parent / relative).read_bytes()).hexdigest()
        print(f"{entries[relative]}  {relative}")
    sums.write_text("".join(f"{digest}  {file}\n" for file, digest in entries.items()))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", metavar="name", help=f"models to retrain: {', '.join(decoy.MODEL_NAMES)} "
                                                                 "(default: all)")
    names = parser.parse_args(argv).names or list(decoy.MODEL_NAMES)
    unknown = [name for name in names if name not in decoy.MODEL_NAMES]
    if unknown:
        parser.error(f"unknown model {unknown[0]!r}; choose from {', '.join(decoy.MODEL_NAMES)}")
    tf.config.experimental.enable_op_determinism()
    data = decoy.load_decoy_mnist(seed=SEED)
    for name in names:
        train(name, data)
    update_sums(names)


if __name__ == "__main__":
    main()
