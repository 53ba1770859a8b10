"""The course's tabular running example: one credit model that Parts III and IV all explain.

``credit_model()`` trains a small scikit-learn MLP on the committed credit set
(:func:`course_utils.datasets.load_credit`), standardized, with a fixed stratified split, in about
a second and deterministically. Explainers get plain functions of a batch ``(n, 9)`` in the
original units: ``model.log_odds`` (the output whose true value the credit set's ``CreditTruth``
knows) and ``model.predict_proba``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from course_utils.explanation import as_batch

__all__ = ["CreditModel", "credit_model"]


@dataclass
class CreditModel:
    """A fitted credit model and its data split.

    Attributes
    ----------
    pipeline : sklearn Pipeline
        ``StandardScaler`` → ``MLPClassifier``; predicts default (1) vs repaid (0).
    feature_names : list of str
    X_train, X_test : DataFrame
    y_train, y_test : ndarray of int
    """

    pipeline: object
    feature_names: list[str]
    X_train: pd.DataFrame
    X_test: pd.DataFrame
    y_train: np.ndarray
    y_test: np.ndarray

    def _batch(self, X) -> np.ndarray:
        return as_batch(X, example_shape=(len(self.feature_names),), name="X")

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of (repaid, default), shape (n, 2)."""
        return self.pipeline.predict_proba(self._batch(X))

    def log_odds(self, X) -> np.ndarray:
        """Log-odds of default, shape (n,): the single output the course's explainers explain."""
        p = np.clip(self.predict_proba(X)[:, 1], 1e-12, 1 - 1e-12)
        return np.log(p) - np.log1p(-p)

    def accuracy(self) -> float:
        """Accuracy on the held-out test applicants."""
        return float(np.mean((self.predict_proba(self.X_test)[:, 1] > 0.5) == self.y_test))


def credit_model(*, seed: int = 0, hidden: tuple[int, ...] = (16,)) -> CreditModel:
    """Train the course's credit model on ``load_credit()`` (1,500 train / 500 test, stratified).

    Examples
    --------
    >>> model = credit_model()
    >>> model.log_odds(model.X_test.iloc[:3]).shape
    (3,)
    """
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from course_utils.datasets import load_credit

    X, y = load_credit()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=500, stratify=y, random_state=seed)
    network = MLPClassifier(hidden_layer_sizes=hidden, alpha=1e-2, max_iter=2000, random_state=seed)
    pipeline = make_pipeline(StandardScaler(), network).fit(X_train.to_numpy(), y_train)
    return CreditModel(
        pipeline, list(X.columns), X_train.reset_index(drop=True), X_test.reset_index(drop=True), y_train, y_test
    )
