"""The course's data: bundled, checksummed, offline. Nothing is downloaded.

- ``load_mnist`` — 5,000 MNIST digits (500 per class) with a fixed stratified 4,000/1,000 split,
  each part in one fixed random order, from ``datasets/mnist_5k.npz``.
- ``make_credit`` — synthetic credit applications whose true effects are known;
  ``load_credit`` — the committed set it produced (``datasets/credit.csv``).

Every file is checked against ``datasets/SHA256SUMS`` before it is read; the datasheet is
``datasets/README.md``; ``datasets/make_datasets.py`` regenerates the files.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from course_utils.validation import check_count

__all__ = ["load_mnist", "make_credit", "load_credit", "CreditTruth", "data_dir", "verified_path", "CREDIT_FEATURES"]

REGENERATE = "python datasets/make_datasets.py"


def data_dir() -> Path:
    """The folder with the bundled data: ``$COURSE_DATA_DIR`` if set, else ``datasets/`` of the course."""
    return Path(os.environ.get("COURSE_DATA_DIR") or Path(__file__).resolve().parent.parent / "datasets")


def _expected_checksums(folder: Path) -> dict[str, str]:
    sums = folder / "SHA256SUMS"
    if not sums.exists():
        raise FileNotFoundError(f"{sums} is missing; restore it with `git checkout datasets/SHA256SUMS`.")
    pairs = (line.split() for line in sums.read_text().splitlines() if line.strip())
    return {name.lstrip("*"): digest for digest, name in pairs}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _regenerate_command(name: str) -> str:
    if name.startswith("models/"):
        return "python datasets/models/train_models.py"
    return f"{REGENERATE} {Path(name).stem.split('_')[0]}"


def verified_path(name: str) -> Path:
    """Path of a bundled file after checking it exists and matches its SHA-256 checksum."""
    folder = data_dir()
    path = folder / name
    how = f"Restore it with `git checkout datasets/{name}` or regenerate it with `{_regenerate_command(name)}`."
    if not path.exists():
        raise FileNotFoundError(f"The data file {path} is missing. {how}")
    expected = _expected_checksums(folder).get(name)
    if expected is None:
        raise ValueError(f"{name} has no entry in {folder / 'SHA256SUMS'}. Add its checksum (`sha256sum {name}`).")
    actual = sha256(path)
    if actual != expected:
        raise ValueError(
            f"The data file {path} does not match its checksum (expected sha256 {expected[:12]}…, "
            f"got {actual[:12]}…): it was changed or damaged. {how}"
        )
    return path


def load_mnist(*, flatten: bool = False):
    """5,000 MNIST digits split 4,000 train / 1,000 test, stratified (400 and 100 per class).

    Both parts are in one fixed random order, not grouped by class, so a slice such as
    ``x_train[:100]`` is a fair sample of every digit; select a class by its label,
    ``x_test[y_test == 7]``.

    Parameters
    ----------
    flatten : bool
        Return images as vectors of 784 pixels instead of 28×28 arrays.

    Returns
    -------
    (x_train, y_train), (x_test, y_test)
        ``x`` float32 in [0, 1] of shape ``(n, 28, 28)`` or ``(n, 784)``; ``y`` int64 digits 0–9.

    Examples
    --------
    >>> (x_train, y_train), (x_test, y_test) = load_mnist()
    >>> x_train.shape, x_test.shape
    ((4000, 28, 28), (1000, 28, 28))
    """
    with np.load(verified_path("mnist_5k.npz"), allow_pickle=False) as data:
        arrays = {key: data[key] for key in ("x_train", "y_train", "x_test", "y_test")}
    shape = (-1, 784) if flatten else (-1, 28, 28)
    x_train = (arrays["x_train"].astype(np.float32) / 255.0).reshape(shape)
    x_test = (arrays["x_test"].astype(np.float32) / 255.0).reshape(shape)
    return (x_train, arrays["y_train"].astype(np.int64)), (x_test, arrays["y_test"].astype(np.int64))


# ---------------------------------------------------------------------------------------------
# Synthetic credit applications with a known logistic ground truth.
# Each term of the true log-odds of default is weight * (x - center) / scale; the interaction
# adds interaction_weight * z(late_payments) * z(debt_to_income). Centers and scales are fixed
# constants of the generating process (not sample statistics), so the truth does not depend on
# the sample. monthly_spending has no effect but correlates with income (r ≈ 0.8).
# ---------------------------------------------------------------------------------------------

CREDIT_FEATURES = pd.DataFrame(
    [
        # feature,              unit,                      center, scale, weight (log-odds per scale)
        ("age", "years", 42.0, 12.0, -0.20),
        ("income", "thousand $ per year", 50.0, 20.0, -0.80),
        ("monthly_spending", "thousand $ per month", 2.0, 1.0, 0.00),
        ("credit_history_years", "years", 10.0, 6.0, -0.50),
        ("employment_years", "years", 6.0, 5.0, -0.30),
        ("debt_to_income", "ratio of monthly debt to income", 0.30, 0.12, 0.90),
        ("late_payments", "count in the last 2 years", 1.0, 1.0, 0.70),
        ("loan_amount", "thousand $", 20.0, 8.0, 0.40),
        ("savings", "thousand $", 10.0, 8.0, -0.60),
    ],
    columns=["feature", "unit", "center", "scale", "weight_per_scale"],
).set_index("feature")
CREDIT_INTERACTION = ("late_payments", "debt_to_income", 0.50)
CREDIT_INTERCEPT = -1.2


@dataclass(frozen=True)
class CreditTruth:
    """The true model behind ``make_credit``: log-odds of default, additive plus one interaction.

    Attributes
    ----------
    table : DataFrame
        One row per feature: unit, center, scale, ``weight_per_scale`` (change in log-odds for a
        change of one scale) and ``weight_per_unit``.
    interaction : tuple
        ``(feature_a, feature_b, weight)``: adds ``weight * z_a * z_b`` to the log-odds, with
        ``z = (x - center) / scale``.
    intercept : float
        Log-odds of default of the applicant at the centers.
    """

    table: pd.DataFrame
    interaction: tuple[str, str, float]
    intercept: float

    def _z(self, X: pd.DataFrame) -> pd.DataFrame:
        missing = [f for f in self.table.index if f not in X.columns]
        if missing:
            raise ValueError(f"X lacks the credit features {missing}; pass the DataFrame that make_credit returned.")
        return (X[self.table.index] - self.table["center"]) / self.table["scale"]

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Each feature's true contribution to the log-odds, relative to the applicant at the centers.

        Main effects are ``weight * z``; the interaction is split equally between its two features
        (its Shapley split against that reference). Rows sum to ``logit(X) - intercept``.
        """
        z = self._z(X)
        parts = z * self.table["weight_per_scale"]
        a, b, weight = self.interaction
        half = 0.5 * weight * z[a] * z[b]
        parts[a] += half
        parts[b] += half
        return parts

    def logit(self, X: pd.DataFrame) -> np.ndarray:
        """True log-odds of default, shape ``(n,)``."""
        return self.intercept + self.contributions(X).sum(axis=1).to_numpy()

    def probability(self, X: pd.DataFrame) -> np.ndarray:
        """True probability of default, shape ``(n,)``."""
        return 1.0 / (1.0 + np.exp(-self.logit(X)))


def credit_truth() -> CreditTruth:
    table = CREDIT_FEATURES.copy()
    table["weight_per_unit"] = table["weight_per_scale"] / table["scale"]
    return CreditTruth(table=table, interaction=CREDIT_INTERACTION, intercept=CREDIT_INTERCEPT)


def make_credit(n_samples: int = 2000, *, seed: int = 0):
    """Synthetic credit applications and whether each applicant defaulted.

    Parameters
    ----------
    n_samples : int
        Number of applications.
    seed : int
        Seed of ``np.random.default_rng``; the same seed gives the same data.

    Returns
    -------
    X : DataFrame, shape (n_samples, 9)
        Features with realistic units (see ``true_effects.table``), rounded as a bank records them.
    y : ndarray of int64, shape (n_samples,)
        1 if the applicant defaulted, else 0.
    true_effects : CreditTruth
        The generating model: per-feature weights, the interaction, true contributions.

    Examples
    --------
    >>> X, y, truth = make_credit(500, seed=1)
    >>> X.shape, float(truth.table.loc["monthly_spending", "weight_per_unit"])
    ((500, 9), 0.0)
    """
    n_samples = check_count(n_samples, "n_samples")
    rng = np.random.default_rng(seed)
    n = int(n_samples)
    age = np.clip(np.round(rng.normal(42, 12, n)), 21, 75)
    income = np.round(np.clip(np.exp(rng.normal(np.log(46), 0.4, n)), 12, 250), 1)
    monthly_spending = np.round(0.04 * income * np.exp(rng.normal(0, 0.25, n)), 2)
    credit_history_years = np.round((age - 21) * rng.uniform(0.2, 0.9, n), 1)
    employment_years = np.round(np.minimum(rng.exponential(6, n), age - 18), 1)
    debt_to_income = np.round(np.clip(rng.beta(2.5, 6, n), 0.01, 0.9), 3)
    late_payments = rng.poisson(np.clip(0.7 + 3 * (debt_to_income - 0.3), 0.1, None)).astype(np.float64)
    loan_amount = np.round(np.clip(rng.gamma(4, 3.5, n) + 0.12 * income, 1, 100), 1)
    savings = np.round(np.exp(rng.normal(np.log(7), 0.9, n)), 1)
    X = pd.DataFrame({
        "age": age, "income": income, "monthly_spending": monthly_spending,
        "credit_history_years": credit_history_years, "employment_years": employment_years,
        "debt_to_income": debt_to_income, "late_payments": late_payments,
        "loan_amount": loan_amount, "savings": savings,
    })
    truth = credit_truth()
    y = (rng.random(n) < truth.probability(X)).astype(np.int64)
    return X, y, truth


def load_credit():
    """The committed credit set (``make_credit(2000, seed=0)``): ``X`` DataFrame, ``y`` int64 array."""
    frame = pd.read_csv(verified_path("credit.csv"))
    y = frame.pop("default").to_numpy(dtype=np.int64)
    return frame.astype(np.float64), y
