"""Linear classifiers from scratch: the perceptron, the hinge loss, a linear SVM, its margin.

Taught in notebook 02_linear_svm. Everything here uses labels ``y`` in {-1, +1} — the SVM maths
needs them: a point is on the right side when ``y * f(x) > 0`` and outside the margin when
``y * f(x) >= 1``, with the score ``f(x) = x · w + b``. Convert other labels with
:func:`to_signed_labels`. NumPy, scikit-learn and matplotlib only (no TensorFlow).

Papers
------
- F. Rosenblatt (1958). The perceptron: a probabilistic model for information storage and
  organization in the brain. *Psychological Review* 65(6), 386–408.
- C. Cortes and V. Vapnik (1995). Support-vector networks. *Machine Learning* 20, 273–297.

The soft-margin SVM minimizes the primal objective of Cortes & Vapnik, the one scikit-learn's
``SVC(kernel="linear", C=C)`` solves::

    J(w, b) = ½ ‖w‖² + C · Σ_i max(0, 1 − y_i (x_i · w + b))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from course_utils.validation import check_count

__all__ = [
    "LinearClassifier",
    "to_signed_labels",
    "make_xor",
    "perceptron_step",
    "perceptron",
    "hinge_loss",
    "hinge_subgradient",
    "fit_linear_svm",
    "decision_function",
    "functional_margins",
    "margin_width",
    "support_vector_mask",
    "draw_svm",
    "plot_svm_margin",
]


@dataclass
class LinearClassifier:
    """A linear classifier ``sign(x · w + b)`` with labels in {-1, +1}.

    Attributes
    ----------
    w : array of shape (d,)
        The weights, one per feature.
    b : float
        The bias (intercept).
    history : array
        What the training did: mistakes per epoch for :func:`perceptron`, the objective per step
        for :func:`fit_linear_svm`.
    """

    w: np.ndarray
    b: float
    history: np.ndarray

    def decision_function(self, X: Any) -> np.ndarray:
        """The scores ``X @ w + b``, shape (n,)."""
        X = _check_X(X, "decision_function")
        _check_w(self.w, X, "decision_function")
        return X @ self.w + self.b

    def predict(self, X: Any) -> np.ndarray:
        """Labels in {-1, +1}, shape (n,) (a score of exactly 0 counts as +1)."""
        return np.where(self.decision_function(X) >= 0, 1, -1)


# --------------------------------------------------------------------------- validation
def _check_X(X: Any, where: str) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        fix = " Pass x[None] for one example." if X.ndim == 1 else ""
        raise ValueError(f"{where} expects a batch X of shape (n, d); got shape {X.shape}.{fix}")
    return X


def _check_Xy(X: Any, y: Any, where: str) -> tuple[np.ndarray, np.ndarray]:
    X = _check_X(X, where)
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(f"{where}: y should hold one label per row of X, shape ({len(X)},); got shape {y.shape}.")
    labels = np.unique(y)
    if not np.isin(labels, (-1, 1)).all():
        raise ValueError(
            f"{where} needs labels in {{-1, +1}} (the SVM maths); got labels {labels}. "
            "Convert them first, e.g. y = svm.to_signed_labels(y, positive=1) or np.where(y == 1, 1, -1)."
        )
    return X, y.astype(float)


def _check_w(w: Any, X: np.ndarray, where: str) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    if w.shape != (X.shape[1],):
        raise ValueError(f"{where}: w should have one weight per feature, shape ({X.shape[1]},); got shape {w.shape}.")
    return w


def _check_C(C: Any, where: str) -> float:
    if not np.isscalar(C) or not np.isfinite(C) or C <= 0:
        raise ValueError(f"{where}: C is the weight of the hinge term, a number > 0; got {C!r}.")
    return float(C)


# --------------------------------------------------------------------------- data
def to_signed_labels(y: Any, *, positive: Any) -> np.ndarray:
    """Map labels to {-1, +1}: ``positive`` becomes +1, every other label -1.

    >>> to_signed_labels([0, 1, 1, 0], positive=1)
    array([-1,  1,  1, -1])
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"to_signed_labels expects a 1-D array of labels; got shape {y.shape}.")
    if not np.any(y == positive):
        raise ValueError(f"to_signed_labels: positive={positive!r} is not among the labels {np.unique(y)}.")
    return np.where(y == positive, 1, -1)


def make_xor(
    n_per_corner: int = 25, *, noise: float = 0.15, labels: str = "xor", seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Clouds of points around the corners of the unit square, labelled by XOR (or AND).

    Parameters
    ----------
    n_per_corner : int
        Points per corner.
    noise : float
        Standard deviation of the Gaussian cloud around each corner.
    labels : {"xor", "and"}
        "xor": +1 where exactly one coordinate is 1 (not linearly separable); "and": +1 only at
        (1, 1) (separable).
    seed : int

    Returns
    -------
    X : array of shape (4 * n_per_corner, 2)
    y : array of shape (4 * n_per_corner,), labels in {-1, +1}
    """
    if labels not in ("xor", "and"):
        raise ValueError(f'labels should be "xor" or "and"; got {labels!r}.')
    rng = np.random.default_rng(seed)
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    signs = np.array([-1, 1, 1, -1]) if labels == "xor" else np.array([-1, -1, -1, 1])
    X = np.repeat(corners, n_per_corner, axis=0) + rng.normal(scale=noise, size=(4 * n_per_corner, 2))
    y = np.repeat(signs, n_per_corner)
    return X, y


# --------------------------------------------------------------------------- perceptron
def perceptron_step(w: np.ndarray, b: float, x: np.ndarray, y: float) -> tuple[np.ndarray, float]:
    """One visit of the perceptron to the point ``x`` (shape (d,)) with label ``y`` in {-1, +1}.

    A mistake, ``y (x · w + b) <= 0`` (a point on the line counts), moves the line towards the
    point: ``(w + y x, b + y)``; otherwise ``(w, b)`` is returned unchanged. Notebook 02, exercise 1.

    >>> perceptron_step(np.zeros(2), 0.0, np.array([2.0, -1.0]), -1)
    (array([-2.,  1.]), -1.0)
    """
    if y * (x @ w + b) <= 0:
        return w + y * x, float(b + y)
    return w, float(b)


def perceptron(X: Any, y: Any, *, n_epochs: int = 50, seed: int = 0) -> LinearClassifier:
    """Rosenblatt's perceptron: visit the points, and for each mistake move the line towards it.

    A point is a mistake when ``y_i (x_i · w + b) <= 0``; the update is ``w += y_i x_i``,
    ``b += y_i``. On linearly separable data it stops after finitely many mistakes (Novikoff's
    theorem); otherwise it never stops making them.

    Parameters
    ----------
    X : array of shape (n, d)
    y : array of shape (n,), labels in {-1, +1}
    n_epochs : int
        Passes over the data at most (each in a new random order); stops after an epoch with no
        mistakes.
    seed : int

    Returns
    -------
    LinearClassifier
        ``history`` holds the number of mistakes (updates) in each epoch; it ends with 0 if and
        only if the perceptron converged.
    """
    X, y = _check_Xy(X, y, "perceptron")
    rng = np.random.default_rng(seed)
    w, b = np.zeros(X.shape[1]), 0.0
    mistakes = []
    for _ in range(n_epochs):
        count = 0
        for i in rng.permutation(len(X)):
            w_next, b = perceptron_step(w, b, X[i], y[i])
            count += w_next is not w  # a mistake moved the line
            w = w_next
        mistakes.append(count)
        if count == 0:
            break
    return LinearClassifier(w, float(b), np.array(mistakes))


# --------------------------------------------------------------------------- hinge loss
def hinge_loss(w: Any, b: float, X: Any, y: Any, *, C: float = 1.0) -> float:
    """The soft-margin SVM objective ``½‖w‖² + C Σ_i max(0, 1 − y_i (x_i · w + b))``.

    The regularizer ``½‖w‖²`` makes the margin wide; the hinge term charges every point inside
    the margin or on the wrong side. The bias is not regularized (as in scikit-learn's SVC).

    Parameters
    ----------
    w : array of shape (d,)
    b : float
    X : array of shape (n, d)
    y : array of shape (n,), labels in {-1, +1}
    C : float
        How much a margin violation costs relative to a narrow margin.

    Returns
    -------
    float

    Examples
    --------
    >>> hinge_loss(np.array([1.0, 0.0]), 0.0, np.array([[2.0, 0.0], [0.5, 0.0]]), np.array([1, 1]))
    1.0
    """
    X, y = _check_Xy(X, y, "hinge_loss")
    w, C = _check_w(w, X, "hinge_loss"), _check_C(C, "hinge_loss")
    return _objective(w, b, X, y, C)


def _objective(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, C: float) -> float:
    margins = y * (X @ w + b)  # (n,)
    return float(0.5 * w @ w + C * np.maximum(0.0, 1.0 - margins).sum())


def hinge_subgradient(w: Any, b: float, X: Any, y: Any, *, C: float = 1.0) -> tuple[np.ndarray, float]:
    """A subgradient of :func:`hinge_loss` with respect to ``(w, b)``.

    Every point with ``y_i f(x_i) < 1`` (inside the margin or misclassified) pulls with
    ``−C y_i x_i`` on ``w`` and ``−C y_i`` on ``b``; the others contribute nothing. At the kink
    ``y_i f(x_i) = 1`` the loss has no gradient and this picks 0 (a valid subgradient).

    Returns
    -------
    grad_w : array of shape (d,)
    grad_b : float
    """
    X, y = _check_Xy(X, y, "hinge_subgradient")
    w, C = _check_w(w, X, "hinge_subgradient"), _check_C(C, "hinge_subgradient")
    return _subgradient(w, b, X, y, C)


def _subgradient(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, C: float) -> tuple[np.ndarray, float]:
    active = y * (X @ w + b) < 1.0  # (n,) the points that pay
    grad_w = w - C * (y[active, None] * X[active]).sum(axis=0)  # (d,)
    grad_b = -C * y[active].sum()
    return grad_w, float(grad_b)


def fit_linear_svm(
    X: Any,
    y: Any,
    *,
    C: float = 1.0,
    n_steps: int = 3000,
    learning_rate: float = 10.0,
) -> LinearClassifier:
    """A soft-margin linear SVM trained from scratch by full-batch subgradient descent.

    Minimizes :func:`hinge_loss` with steps ``η_t = learning_rate / (C n √t)`` and keeps the
    best iterate (subgradient steps do not decrease the objective every time). The features
    are centred inside (a change of the unregularized bias only, so the optimum is the same),
    which makes the bias converge as fast as the weights. Lands close to scikit-learn's
    ``SVC(kernel="linear", C=C)``.

    Parameters
    ----------
    X : array of shape (n, d)
    y : array of shape (n,), labels in {-1, +1}
    C : float
    n_steps : int
    learning_rate : float

    Returns
    -------
    LinearClassifier
        ``history`` holds the objective after each step, shape (n_steps,).
    """
    X, y = _check_Xy(X, y, "fit_linear_svm")
    C = _check_C(C, "fit_linear_svm")
    n_steps = check_count(n_steps, "n_steps", meaning="fit_linear_svm's number of subgradient steps")
    mean = X.mean(axis=0)
    Xc = X - mean  # (n, d) centred
    w, b = np.zeros(X.shape[1]), 0.0
    best = (np.inf, w, b)
    history = np.empty(n_steps)
    for t in range(1, n_steps + 1):
        grad_w, grad_b = _subgradient(w, b, Xc, y, C)
        step = learning_rate / (C * len(X) * np.sqrt(t))
        w, b = w - step * grad_w, b - step * grad_b
        history[t - 1] = _objective(w, b, Xc, y, C)
        if history[t - 1] < best[0]:
            best = (history[t - 1], w, b)
    _, w, b = best
    return LinearClassifier(w, float(b - w @ mean), history)


def decision_function(coef: Any, intercept: Any, X: Any) -> np.ndarray:
    """The scores of a fitted linear scikit-learn classifier from its ``coef_`` and ``intercept_``.

    ``coef_`` has one row per class (one-vs-rest), shape ``(K, d)``, so the scores are
    ``X @ coef.T + intercept``, shape ``(n, K)``; a binary classifier has one row and, like
    ``clf.decision_function``, returns shape ``(n,)`` (positive means ``clf.classes_[1]``).

    >>> decision_function(np.array([[1.0, -1.0]]), np.array([0.5]), np.array([[2.0, 1.0]]))
    array([1.5])
    """
    X = _check_X(X, "decision_function")
    coef, intercept = np.atleast_2d(np.asarray(coef, dtype=float)), np.atleast_1d(np.asarray(intercept, dtype=float))
    if coef.shape[1] != X.shape[1]:
        raise ValueError(
            f"decision_function: coef has shape {coef.shape}, one row per class over {coef.shape[1]} features, but X "
            f"has {X.shape[1]} features."
        )
    if intercept.shape != (len(coef),):
        raise ValueError(
            f"decision_function: intercept should have one entry per row of coef, shape ({len(coef)},); got "
            f"{intercept.shape}."
        )
    scores = X @ coef.T + intercept  # (n, K)
    return scores[:, 0] if len(coef) == 1 else scores


# --------------------------------------------------------------------------- margin
def functional_margins(w: Any, b: float, X: Any, y: Any) -> np.ndarray:
    """``y_i (x_i · w + b)`` for every point, shape (n,): > 0 correct, >= 1 outside the margin."""
    X, y = _check_Xy(X, y, "functional_margins")
    return y * (X @ _check_w(w, X, "functional_margins") + b)


def margin_width(w: Any) -> float:
    """The width ``2 / ‖w‖`` of the band between the lines ``f(x) = −1`` and ``f(x) = +1``."""
    w = np.asarray(w, dtype=float)
    if w.ndim != 1:
        raise ValueError(
            f"margin_width expects one weight vector, shape (d,); got {w.shape}. For scikit-learn use clf.coef_[0]."
        )
    norm = np.linalg.norm(w)
    if norm == 0:
        raise ValueError("margin_width: w is all zeros, so there is no decision line (the margin is infinite).")
    return float(2.0 / norm)


def support_vector_mask(w: Any, b: float, X: Any, y: Any, *, tol: float = 1e-3) -> np.ndarray:
    """Which points are support vectors: on or inside the margin, ``y_i f(x_i) <= 1 + tol``.

    For the SVM optimum these are exactly the points whose dual coefficient can be non-zero —
    the points that hold the solution in place. Returns a boolean array of shape (n,).
    """
    return functional_margins(w, b, X, y) <= 1.0 + tol


# --------------------------------------------------------------------------- drawing
def draw_svm(
    w: Any,
    b: float,
    X: Any,
    y: Any,
    *,
    support: Any = None,
    ax: Any = None,
    title: str | None = None,
    feature_names: Any = None,
    class_names: Any = None,
    resolution: int = 200,
) -> Any:
    """Draw a linear SVM on 2 features: regions, decision line, margin band, support vectors.

    Parameters
    ----------
    w : array of shape (2,)
    b : float
    X : array of shape (n, 2)
    y : array of shape (n,), labels in {-1, +1}
    support : boolean mask of shape (n,) or indices, optional
        The support vectors to ring, labelled "support vectors" (by default every point with
        ``y f(x) <= 1``, :func:`support_vector_mask`, labelled as such: the solver may give some of
        those on the margin's edge no weight).
    class_names : pair of str, optional
        Legend names of the classes -1 and +1.
    ax, title, feature_names, resolution
        As for :func:`course_utils.plots.plot_decision_boundary`.

    Returns
    -------
    matplotlib Axes
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from course_utils.plots import plot_decision_boundary

    X, y = _check_Xy(X, y, "draw_svm")
    if X.shape[1] != 2:
        raise ValueError(f"draw_svm draws 2 features; X has shape {X.shape}. Select two columns, e.g. X[:, :2].")
    w = _check_w(w, X, "draw_svm")
    if class_names is not None and (isinstance(class_names, str) or len(class_names) != 2):
        raise ValueError(f"class_names should be two names, for the classes -1 and +1; got {class_names!r}.")
    given = support is not None  # the solver's support vectors; otherwise every point with y·f <= 1 is ringed
    if support is None:
        mask = support_vector_mask(w, b, X, y)
    else:
        support = np.asarray(support)
        mask = support.copy() if support.dtype == bool else np.isin(np.arange(len(X)), support)
        if mask.shape != (len(X),):
            raise ValueError(
                f"draw_svm: support should be a boolean mask of shape ({len(X)},) or indices; got shape "
                f"{support.shape}."
            )

    ax = plot_decision_boundary(
        lambda Z: Z @ w + b, X, y.astype(int), ax=ax, resolution=resolution, title=title, feature_names=feature_names
    )
    g0, g1 = np.meshgrid(np.linspace(*ax.get_xlim(), resolution), np.linspace(*ax.get_ylim(), resolution))
    scores = g0 * w[0] + g1 * w[1] + b  # (resolution, resolution)
    ax.contourf(g0, g1, scores, levels=[-1.0, 1.0], colors=["0.5"], alpha=0.25)
    if scores.min() < 1 and scores.max() > -1:
        ax.contour(g0, g1, scores, levels=[-1.0, 1.0], colors="black", linestyles="--", linewidths=1.0)
    ax.scatter(X[mask, 0], X[mask, 1], s=130, facecolors="none", edgecolors="black", linewidths=1.4, zorder=4)

    handles, labels = ax.get_legend_handles_labels()
    if class_names is not None:
        labels[:2] = list(class_names)
    handles += [
        Line2D([], [], color="black", lw=1.5),
        Patch(facecolor="0.5", alpha=0.35, edgecolor="black", ls="--"),
        Line2D([], [], ls="", marker="o", ms=11, mfc="none", mec="black", mew=1.4),
    ]
    count = int(mask.sum())
    ringed = f"support vectors ({count})" if given else f"on or inside the margin, y·f(x) ≤ 1 ({count})"
    labels += ["decision line f(x) = 0", "margin, −1 < f(x) < 1", ringed]
    ax.legend(handles, labels, loc="best", fontsize="small", framealpha=0.9)
    return ax


def plot_svm_margin(
    C: float,
    *,
    X: Any,
    y: Any,
    ax: Any = None,
    feature_names: Any = None,
    class_names: Any = None,
    resolution: int = 150,
) -> Any:
    """Fit ``SVC(kernel="linear", C=C)`` on 2 features and draw its margin and support vectors.

    The drawing function behind the C widget of notebook 02: small C buys a wide margin with
    many support vectors, large C a narrow margin that tries to classify every point.

    Parameters
    ----------
    C : float
        The SVC's C (> 0).
    X : array of shape (n, 2)
    y : array of shape (n,), labels in {-1, +1}
    ax : matplotlib Axes, optional
    feature_names, class_names : pairs of str, optional
    resolution : int

    Returns
    -------
    matplotlib Axes
        Titled with C, the margin width and the number of support vectors.

    Examples
    --------
    >>> X, y = make_xor(5, labels="and")
    >>> ax = plot_svm_margin(1.0, X=X, y=y, resolution=30)
    """
    from sklearn.svm import SVC

    X, y = _check_Xy(X, y, "plot_svm_margin")
    C = _check_C(C, "plot_svm_margin")
    clf = SVC(kernel="linear", C=C).fit(X, y)
    w, b = clf.coef_[0], float(clf.intercept_[0])
    title = f"C = {C:.3g}: margin width {margin_width(w):.2f}, {len(clf.support_)} support vectors"
    return draw_svm(
        w,
        b,
        X,
        y,
        support=clf.support_,
        ax=ax,
        title=title,
        feature_names=feature_names,
        class_names=class_names,
        resolution=resolution,
    )
