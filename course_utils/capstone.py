"""The capstone's lending model (notebook 13_capstone): new data, a model to audit, its known truth.

A lender's data team built a table of past applications from the credit process of
:func:`course_utils.datasets.make_credit` (a new draw, ``seed=LENDING_SEED``) and joined one more
column from the account system: ``collection_calls``, the calls the collections team made to the
borrower in the twelve months **after** the loan was granted. It is caused by default, not a cause
of it, and at the moment of a decision it is always 0 — a target leak, the shortcut the audit
should find. The model (the course's scikit-learn MLP recipe of :mod:`course_utils.tabular`) is
trained on all ten columns, deterministically, in about a second.

- :func:`make_lending` draws the data; :func:`load_lending` reads the committed ``lending.csv``;
- :func:`lending_model` trains the model to audit; :func:`true_contributions` is the truth per
  feature (0 for the leak); :func:`at_application_time` sets the leak to the value a decision sees;
- :func:`save_decisions` keeps decisions, reasons and counterfactuals in SQLite;
  :func:`audit_card` writes the Markdown summary of an audit.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from course_utils.datasets import CreditTruth, make_credit, verified_path
from course_utils.tabular import CreditModel
from course_utils.validation import check_count

__all__ = [
    "LENDING_SEED", "LEAK", "LEAK_BASE_RATE", "LEAK_RATE_AFTER_DEFAULT", "make_lending", "load_lending",
    "lending_model", "true_contributions", "at_application_time", "calibration_error", "save_decisions", "audit_card",
]

LENDING_SEED = 13  # the capstone's own draw of the credit process (notebooks 07-11 use seed 0)
LEAK = "collection_calls"
LEAK_BASE_RATE = 0.3  # mean calls in the year after the loan for a borrower who repays (wrong numbers, reminders)
LEAK_RATE_AFTER_DEFAULT = 2.5  # extra mean calls for a borrower who defaults
N_TEST = 600


def make_lending(n_samples: int = 2400, *, seed: int = LENDING_SEED) -> tuple[pd.DataFrame, np.ndarray, CreditTruth]:
    """Past loans with the credit features, the leaked ``collection_calls`` and whether each defaulted.

    Parameters
    ----------
    n_samples : int
        Number of loans.
    seed : int
        Seed of the credit draw; the leak is drawn from ``np.random.default_rng(seed + 1)``.

    Returns
    -------
    X : DataFrame, shape (n_samples, 10)
        The nine features of ``make_credit`` and ``collection_calls`` (a count, Poisson with mean
        ``LEAK_BASE_RATE + LEAK_RATE_AFTER_DEFAULT * default``).
    y : ndarray of int64, shape (n_samples,)
        1 if the borrower defaulted.
    truth : CreditTruth
        The credit process's truth; ``collection_calls`` has no effect on default (it is an effect of it).

    Examples
    --------
    >>> X, y, truth = make_lending(100)
    >>> list(X.columns)[-1], X.shape
    ('collection_calls', (100, 10))
    """
    n_samples = check_count(n_samples, "n_samples")
    X, y, truth = make_credit(n_samples, seed=seed)
    rng = np.random.default_rng(seed + 1)
    X[LEAK] = rng.poisson(LEAK_BASE_RATE + LEAK_RATE_AFTER_DEFAULT * y).astype(np.float64)
    return X, y, truth


def load_lending() -> tuple[pd.DataFrame, np.ndarray]:
    """The committed lending set (``make_lending(2400)``): ``X`` DataFrame (2400, 10), ``y`` int64 array."""
    frame = pd.read_csv(verified_path("lending.csv"))
    y = frame.pop("default").to_numpy(dtype=np.int64)
    return frame.astype(np.float64), y


def lending_model(*, seed: int = 0, shuffled_labels: bool = False) -> CreditModel:
    """Train the model to audit on ``load_lending()`` (1,800 train / 600 test, stratified), as the lender did.

    ``shuffled_labels=True`` trains the same recipe on the training outcomes in a random order
    (``np.random.default_rng(seed)``): a model that learned nothing real, for the data randomization
    test of an explainer (Adebayo et al. 2018). ``y_train`` is then the shuffled one.

    Examples
    --------
    >>> model = lending_model()
    >>> model.predict_proba(model.X_test.iloc[:2]).shape
    (2, 2)
    """
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_lending()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=N_TEST, stratify=y, random_state=seed)
    if shuffled_labels:
        y_train = np.random.default_rng(seed).permutation(y_train)
    network = MLPClassifier(hidden_layer_sizes=(16,), alpha=1e-2, max_iter=2000, random_state=seed)
    pipeline = make_pipeline(StandardScaler(), network).fit(X_train.to_numpy(), y_train)
    return CreditModel(pipeline, list(X.columns), X_train.reset_index(drop=True), X_test.reset_index(drop=True),
                       y_train, y_test)


def _frame(X: Any) -> pd.DataFrame:
    if not isinstance(X, pd.DataFrame) or LEAK not in X.columns:
        raise ValueError(f"expected the lending DataFrame with a {LEAK!r} column (model.X_test, or load_lending()[0]); "
                         f"got {type(X).__name__}{'' if not isinstance(X, pd.DataFrame) else ' without it'}.")
    return X


def true_contributions(X: pd.DataFrame, truth: CreditTruth) -> pd.DataFrame:
    """Each feature's true contribution to the log-odds of default, columns in ``X``'s order; 0 for the leak.

    Rows sum to ``truth.logit(X) - truth.intercept`` (see ``CreditTruth.contributions``).
    """
    X = _frame(X)
    parts = truth.contributions(X)
    parts[LEAK] = 0.0
    return parts[list(X.columns)]


def at_application_time(X: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``X`` as a decision sees it: no calls from the collections team have happened yet (0)."""
    X = _frame(X).copy()
    X[LEAK] = 0.0
    return X


def calibration_error(p: Any, y: Any, *, n_bins: int = 10) -> float:
    """Expected calibration error of probabilities ``p`` (n,) for outcomes ``y`` (n,) in 0/1 (Guo et al. 2017).

    Bins of equal width on [0, 1] (bin b holds ``b / n_bins <= p < (b + 1) / n_bins``, the last also
    ``p = 1``, as in notebook 04); ``sum_b n_b / n * |mean(y_b) - mean(p_b)|`` over the non-empty bins.

    >>> round(calibration_error(np.array([0.1, 0.9]), np.array([0, 1]), n_bins=10), 6)
    0.1
    """
    n_bins = check_count(n_bins, "n_bins")
    p, y = np.asarray(p, dtype=float).reshape(-1), np.asarray(y, dtype=float).reshape(-1)
    if p.shape != y.shape:
        raise ValueError(f"p and y need one entry per example: got {p.size} probabilities and {y.size} outcomes.")
    if p.size == 0 or p.min() < 0 or p.max() > 1:
        raise ValueError("p should hold probabilities in [0, 1]; pass model.predict_proba(X)[:, 1].")
    bins = np.minimum((p * n_bins).astype(int), n_bins - 1)  # (n,)
    counts = np.bincount(bins, minlength=n_bins)
    used = counts > 0
    sum_y = np.bincount(bins, weights=y, minlength=n_bins)[used]
    sum_p = np.bincount(bins, weights=p, minlength=n_bins)[used]
    gap = np.abs(sum_y - sum_p)
    return float(np.sum(gap) / p.size)  # sum_b n_b/n * |sum y_b - sum p_b| / n_b


# --------------------------------------------------------------------------- the lender's records
SCHEMA = """
CREATE TABLE decisions (applicant INTEGER PRIMARY KEY, p_default REAL NOT NULL, declined INTEGER NOT NULL);
CREATE TABLE reasons (applicant INTEGER NOT NULL REFERENCES decisions, rank INTEGER NOT NULL,
                      feature TEXT NOT NULL, value REAL NOT NULL, PRIMARY KEY (applicant, rank));
CREATE TABLE counterfactuals (applicant INTEGER NOT NULL REFERENCES decisions, feature TEXT NOT NULL,
                              value_before REAL NOT NULL, value_after REAL NOT NULL, PRIMARY KEY (applicant, feature));
"""


def save_decisions(path: str | Path, applicants: Sequence[int], p_default: Any, *, threshold: float = 0.5,
                   reasons: Mapping[int, Sequence[tuple[str, float]]] | None = None,
                   changes: pd.DataFrame | None = None) -> Path:
    """Write decisions, their principal reasons and their counterfactual changes to a fresh SQLite file.

    Parameters
    ----------
    path : str or Path
        The database file; an existing one is replaced, so a rerun starts from nothing.
    applicants : sequence of int
        The applicants' ids (e.g. their row in ``model.X_test``), one per decision.
    p_default : array (n,)
        The model's probability of default; ``declined = p_default > threshold``.
    reasons : dict, optional
        ``{applicant: [(feature, value), ...]}``, strongest reason first (rank 1).
    changes : DataFrame, optional
        One row per changed feature, with columns ``applicant, feature, original, counterfactual``:
        ``Counterfactual.changes()`` with an ``applicant`` column added.

    Returns
    -------
    Path
        ``path``; query it with ``sqlite3.connect(path)``. Tables: ``decisions(applicant, p_default,
        declined)``, ``reasons(applicant, rank, feature, value)``, ``counterfactuals(applicant, feature,
        value_before, value_after)``.
    """
    path = Path(path)
    p_default = np.asarray(p_default, dtype=float).reshape(-1)
    applicants = [int(a) for a in applicants]
    if len(applicants) != len(p_default):
        raise ValueError(f"one probability per applicant: got {len(applicants)} applicants and {len(p_default)} "
                         "probabilities. Pass p_default(X.iloc[applicants]).")
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA)
        db.executemany("INSERT INTO decisions VALUES (?, ?, ?)",
                       [(a, float(p), int(p > threshold)) for a, p in zip(applicants, p_default)])
        for applicant, listed in (reasons or {}).items():
            db.executemany("INSERT INTO reasons VALUES (?, ?, ?, ?)",
                           [(int(applicant), rank, str(f), float(v)) for rank, (f, v) in enumerate(listed, start=1)])
        if changes is not None and len(changes):
            rows = changes[["applicant", "feature", "original", "counterfactual"]].itertuples(index=False)
            db.executemany("INSERT INTO counterfactuals VALUES (?, ?, ?, ?)",
                           [(int(a), str(f), float(b), float(c)) for a, f, b, c in rows])
    db.close()
    return path


def audit_card(model_name: str, findings: Sequence[tuple[str, str, str]], actions: Sequence[str]) -> str:
    """A short Markdown audit card: one row per test (what was tested, the result, the verdict), then what to do.

    Examples
    --------
    >>> print(audit_card("m", [("accuracy", "0.91", "ok")], ["ship it"]))  # doctest: +NORMALIZE_WHITESPACE
    ### Audit card: m
    <BLANKLINE>
    | what was tested | what was found | verdict |
    | --- | --- | --- |
    | accuracy | 0.91 | ok |
    <BLANKLINE>
    **What to do**
    <BLANKLINE>
    1. ship it
    """
    if not findings:
        raise ValueError("an audit card needs at least one finding: (what was tested, what was found, verdict).")
    rows = []
    for finding in findings:
        if len(finding) != 3:
            raise ValueError(f"each finding is (what was tested, what was found, verdict); got {finding!r}.")
        rows.append("| " + " | ".join(str(part).replace("|", "\\|") for part in finding) + " |")
    todo = [f"{i}. {action}" for i, action in enumerate(actions, start=1)]
    return "\n".join([f"### Audit card: {model_name}", "", "| what was tested | what was found | verdict |",
                      "| --- | --- | --- |", *rows, "", "**What to do**", "", *todo])
