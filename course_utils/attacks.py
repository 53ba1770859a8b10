"""Attacks on explanations, in miniature: fooled explainers, leaked membership, fragile saliency.

Three papers, each reduced to a few functions that notebook 12_privacy_and_security runs:

- **A scaffold that hides a bias** (Slack, Hilgard, Jia, Singh & Lakkaraju, 2020, "Fooling LIME
  and SHAP: adversarial attacks on post hoc explanation methods", AIES). LIME and KernelSHAP ask
  the model about inputs that no real applicant has. A detector trained on real rows against such
  perturbed rows (:func:`train_detector` on :func:`lime_perturbations` or
  :func:`shap_perturbations`) lets a :class:`Scaffold` answer real rows with a biased model and
  perturbed rows with an innocuous one (:func:`scaffold_predict`), so the explainer describes the
  innocuous one. :func:`top_feature_rate` counts how often a feature leads the explanations.
- **Membership inference from explanations** (Shokri, Strobel & Zick, 2021, "On the privacy risks
  of model explanations", AIES). A threshold on a per-example score — the loss, or the variance of
  the gradient explanation (:func:`explanation_variance`) — separates training members from
  non-members; :func:`pairwise_auc` measures how well, as the share of (member, non-member) pairs
  ranked the right way.
- **Fragile saliency** (Ghorbani, Abid & Zou, 2019, "Interpretation of neural networks is
  fragile", AAAI). :func:`top_k_attack` takes signed steps that push the saliency off its original
  top-``k`` pixels while the predicted label stays, measured by :func:`top_k_intersection` against
  :func:`random_sign_perturbation` of the same size. A ReLU network's saliency is piecewise
  constant in the input, so, as in the paper's code, the attack differentiates a
  :func:`softplus_surrogate` of the network.

NumPy only at import: scikit-learn is imported by :func:`train_detector`, TensorFlow by
:func:`softplus_surrogate` and :func:`top_k_attack`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from course_utils.validation import as_batch, check_count, check_positive

__all__ = [
    "lime_perturbations",
    "shap_perturbations",
    "train_detector",
    "scaffold_predict",
    "Scaffold",
    "top_feature_rate",
    "pairwise_auc",
    "explanation_variance",
    "top_k_intersection",
    "random_sign_perturbation",
    "softplus_surrogate",
    "FragilityResult",
    "top_k_attack",
]


# --------------------------------------------------------------------------- Slack et al. (2020)
def _table(X: Any, name: str, d: int | None = None) -> np.ndarray:
    if np.ndim(X) == 1:
        raise ValueError(
            f"{name} must be a table of shape (n, d); got shape {np.shape(X)}. Pass {name}[None] for one row."
        )
    table = as_batch(X, name=name)
    if table.ndim != 2:
        raise ValueError(f"{name} must be a table of shape (n, d); got {table.shape}.")
    if d is not None and table.shape[1] != d:
        raise ValueError(f"{name} has {table.shape[1]} columns; expected {d}, as many as the rows it is compared with.")
    return table


def lime_perturbations(X: Any, training_data: Any, *, n_copies: int = 1, seed: int = 0) -> np.ndarray:
    """The rows LIME's tabular sampler asks the model about: ``x + std * ε``, ``ε ~ N(0, I)``.

    ``std`` is the training data's per-feature (population) standard deviation, a feature with
    std 0 gets 1 — the sampler of :func:`course_utils.lime.lime_tabular` (and of lime's
    ``LimeTabularExplainer`` with ``discretize_continuous=False``). The noise ignores how features
    go together, and makes integer counts fractional: most rows are unlike any real applicant.

    Parameters
    ----------
    X : array or DataFrame, shape (n, d)
        The rows to perturb.
    training_data : array or DataFrame, shape (N, d)
        Gives the per-feature std.
    n_copies : int
        Perturbed copies of each row.
    seed : int
        Seed of ``np.random.default_rng``.

    Returns
    -------
    array, shape (n * n_copies, d)
        The copies of row 0 first, then those of row 1, …

    Examples
    --------
    >>> lime_perturbations([[0.0, 10.0]], [[-1.0, 0.0], [1.0, 20.0]], n_copies=3).shape
    (3, 2)
    """
    training = _table(training_data, "training_data")
    X = _table(X, "X", training.shape[1])
    n_copies = check_count(n_copies, "n_copies", meaning="the number of perturbed copies of each row")
    std = training.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    rows = np.repeat(X, n_copies, axis=0)  # (n * c, d)
    return rows + np.random.default_rng(seed).standard_normal(rows.shape) * std


def shap_perturbations(X: Any, background: Any, *, n_copies: int = 1, seed: int = 0) -> np.ndarray:
    """The rows KernelSHAP asks the model about: some features of ``x``, the rest from a background row.

    Each copy draws a coalition with :func:`course_utils.shapley.sample_coalitions` (sizes
    distributed as the Shapley kernel weighs them) and a background row at random; features in the
    coalition keep the value of ``x``, the others take the background row's. Every value in such a
    row is a real value, and a coalition of almost all (or almost no) features gives a row close to
    a real one — which is why a detector finds these rows harder to tell from real ones.

    Parameters
    ----------
    X : array or DataFrame, shape (n, d)
    background : array or DataFrame, shape (b, d)
        The background rows (KernelSHAP's background data), at least 2 features.
    n_copies : int
        Perturbed copies of each row.
    seed : int
        Seed of the coalitions and of the choice of background rows.

    Returns
    -------
    array, shape (n * n_copies, d)
        The copies of row 0 first, then those of row 1, …

    Examples
    --------
    >>> rows = shap_perturbations([[1.0, 1.0, 1.0]], [[0.0, 0.0, 0.0]], n_copies=4)
    >>> sorted(rows.sum(axis=1).tolist())  # paired coalitions: a set of features, then the others
    [1.0, 1.0, 2.0, 2.0]
    """
    from course_utils.shapley import sample_coalitions

    background = _table(background, "background")
    X = _table(X, "X", background.shape[1])
    n_copies = check_count(n_copies, "n_copies", meaning="the number of perturbed copies of each row")
    rng = np.random.default_rng(seed)
    rows = np.repeat(X, n_copies, axis=0)  # (n * c, d)
    coalitions = sample_coalitions(X.shape[1], len(rows), seed=int(rng.integers(2**31)))  # (n * c, d)
    donors = background[rng.integers(len(background), size=len(rows))]  # (n * c, d)
    return np.where(coalitions, rows, donors)


def train_detector(real: Any, perturbed: Any, *, n_estimators: int = 100, seed: int = 0):
    """A random forest that tells real rows (class 1) from perturbed ones (class 0), as Slack et al. train.

    Returns the fitted ``sklearn.ensemble.RandomForestClassifier``; ``predict_proba(X)[:, 1]`` is
    its probability that a row is real.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> detector = train_detector(rng.normal(size=(100, 2)), rng.normal(size=(100, 2)) + 5, n_estimators=10)
    >>> detector.predict([[0.0, 0.0], [5.0, 5.0]]).tolist()
    [1.0, 0.0]
    """
    from sklearn.ensemble import RandomForestClassifier

    real = _table(real, "real")
    perturbed = _table(perturbed, "perturbed", real.shape[1])
    n_estimators = check_count(n_estimators, "n_estimators", meaning="the number of trees")
    rows = np.vstack([real, perturbed])
    labels = np.concatenate([np.ones(len(real)), np.zeros(len(perturbed))])
    return RandomForestClassifier(n_estimators=n_estimators, random_state=seed, n_jobs=1).fit(rows, labels)


def scaffold_predict(biased: Any, innocuous: Any, p_real: Any, *, threshold: float = 0.5) -> np.ndarray:
    """The scaffold's answer: the biased model's where the detector says "real", else the innocuous one's.

    ``biased[i]`` where ``p_real[i] >= threshold``, ``innocuous[i]`` elsewhere (Slack et al.'s
    ``e(x) = f(x)`` if ``x`` is in distribution, ``ψ(x)`` otherwise).

    Examples
    --------
    >>> scaffold_predict([1.0, 1.0, 1.0], [0.0, 0.0, 0.0], [0.9, 0.5, 0.1]).tolist()
    [1.0, 1.0, 0.0]
    """
    biased, innocuous, p_real = (np.asarray(a, dtype=float) for a in (biased, innocuous, p_real))
    if not biased.shape == innocuous.shape == p_real.shape:
        raise ValueError(
            f"biased {biased.shape}, innocuous {innocuous.shape} and p_real {p_real.shape} must have the same shape: "
            "one answer of each model and one detector probability per row."
        )
    return np.where(p_real >= float(threshold), biased, innocuous)


@dataclass
class Scaffold:
    """A model that routes each row by a detector: ``biased`` on rows it deems real, ``innocuous`` on the rest.

    Attributes
    ----------
    biased, innocuous : callable
        ``(n, d) -> (n,)`` scores (e.g. the probability of refusing the applicant).
    detector : fitted classifier
        ``detector.predict_proba(X)[:, 1]`` is the probability that a row is real (:func:`train_detector`).
    threshold : float
        Rows with that probability or more are answered by ``biased``.

    Calling the scaffold on a batch ``(n, d)`` returns ``(n,)`` scores, so it is a ``predict_fn``
    for :func:`course_utils.lime.lime_tabular` and :func:`course_utils.shapley.kernel_shap`.
    """

    biased: Callable[[np.ndarray], Any]
    innocuous: Callable[[np.ndarray], Any]
    detector: Any
    threshold: float = 0.5

    def p_real(self, X: Any) -> np.ndarray:
        """The detector's probability that each row is real, shape (n,)."""
        return self.detector.predict_proba(as_batch(X, name="X"))[:, 1]

    def __call__(self, X: Any) -> np.ndarray:
        X = as_batch(X, name="X")
        return scaffold_predict(self.biased(X), self.innocuous(X), self.p_real(X), threshold=self.threshold)


def top_feature_rate(values: Any, feature: int) -> float:
    """The share of explanations (rows of ``values``) whose largest ``|value|`` is feature ``feature``.

    Ties go to the first feature (``argmax``).

    Examples
    --------
    >>> top_feature_rate([[0.9, -0.1], [0.2, -0.5], [-2.0, 1.0]], 0)
    0.6666666666666666
    """
    values = _table(values, "values")
    if not 0 <= int(feature) < values.shape[1]:
        raise ValueError(f"feature must be a column index in 0..{values.shape[1] - 1}; got {feature}.")
    return float(np.mean(np.abs(values).argmax(axis=1) == int(feature)))


# --------------------------------------------------------------------------- Shokri et al. (2021)
def _scores(scores: Any, name: str) -> np.ndarray:
    array = np.asarray(scores, dtype=float)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, one score per example; got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(
            f"{name} holds NaN or infinite scores; a membership score must be a finite number per example."
        )
    return array


def pairwise_auc(member_scores: Any, nonmember_scores: Any) -> float:
    """The ROC AUC of a membership score: the share of (member, non-member) pairs it ranks correctly.

    ``mean over all pairs (i, j) of [s_i > t_j] + ½ [s_i = t_j]`` for member scores ``s`` and
    non-member scores ``t`` (higher means "more likely a member"): 1 separates them perfectly, 0.5
    is a coin flip. It equals ``sklearn.metrics.roc_auc_score`` with members labelled 1 (the
    Mann–Whitney statistic divided by the number of pairs). Counted by sorting, not by forming the
    ``m × n`` pairs.

    Examples
    --------
    >>> pairwise_auc([3.0, 2.0], [2.0, 1.0, 0.0])  # 5 pairs right, 1 tie, of 6
    0.9166666666666666
    """
    s = _scores(member_scores, "member_scores")
    t = np.sort(_scores(nonmember_scores, "nonmember_scores"))
    below = np.searchsorted(t, s, side="left")  # non-members strictly below each member
    tied = np.searchsorted(t, s, side="right") - below
    return float((below.sum() + 0.5 * tied.sum()) / (len(s) * len(t)))


def explanation_variance(values: Any) -> np.ndarray:
    """The variance of each explanation over its features, shape (n,): Shokri et al.'s membership signal.

    Examples
    --------
    >>> explanation_variance(np.array([[[1.0, -1.0]], [[0.0, 0.0]]]))
    array([1., 0.])
    """
    values = np.asarray(values, dtype=float)
    if values.ndim < 2:
        raise ValueError(
            f"values must have the examples on axis 0, shape (n, ...); got {values.shape}. Pass values[None] for one."
        )
    return values.reshape(len(values), -1).var(axis=1)


# --------------------------------------------------------------------------- Ghorbani et al. (2019)
def _top_k_masks(values: np.ndarray, k: int) -> np.ndarray:
    """(n, F) booleans: the ``k`` largest ``|value|`` of each row (ties by position, as a stable sort)."""
    flat = np.abs(values.reshape(len(values), -1))
    order = np.argsort(-flat, axis=1, kind="stable")[:, :k]  # (n, k)
    mask = np.zeros(flat.shape, dtype=bool)
    np.put_along_axis(mask, order, True, axis=1)
    return mask


def top_k_intersection(a: Any, b: Any, *, k: int) -> np.ndarray:
    """The share of the top-``k`` features of ``a`` (by ``|value|``) that are also top-``k`` in ``b``, per example.

    Ghorbani et al.'s measure of how much a perturbation moved a saliency map: 1 when the ``k``
    most salient pixels are the same set, 0 when none is shared. Each example's values are
    flattened first (an image's pixels).

    Parameters
    ----------
    a, b : arrays of the same shape (n, ...)
        Two explanations of each of ``n`` examples.
    k : int
        How many of the largest absolute values count, at most the features of one example.

    Returns
    -------
    array, shape (n,)

    Examples
    --------
    >>> top_k_intersection(np.array([[3.0, -2.0, 0.1, 0.0]]), np.array([[0.2, -5.0, 0.0, 1.0]]), k=2)
    array([0.5])
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError(f"the two explanations must have the same shape; got {a.shape} and {b.shape}.")
    if a.ndim < 2:
        raise ValueError(
            f"expected a batch of explanations, shape (n, ...); got {a.shape}. Pass a[None], b[None] for one."
        )
    k = check_count(k, "k")
    features = int(np.prod(a.shape[1:]))
    if k > features:
        raise ValueError(f"k={k} is more than the {features} features of one explanation.")
    return (_top_k_masks(a, k) & _top_k_masks(b, k)).sum(axis=1) / k


def random_sign_perturbation(
    x: Any, *, epsilon: float, seed: int = 0, bounds: tuple[float, float] = (0.0, 1.0)
) -> np.ndarray:
    """``x + epsilon * s`` with a random sign ``s = ±1`` per pixel, clipped to ``bounds``: the paper's random baseline.

    Examples
    --------
    >>> noisy = random_sign_perturbation(np.full((1, 4), 0.5), epsilon=0.1)
    >>> bool(np.allclose(np.abs(noisy - 0.5), 0.1))
    True
    """
    x = np.asarray(x, dtype=np.float32)
    epsilon = check_positive(epsilon, "epsilon", meaning="the largest change of one pixel")
    signs = np.where(np.random.default_rng(seed).random(x.shape) < 0.5, -1.0, 1.0)
    return np.clip(x + epsilon * signs, *bounds).astype(np.float32)


def softplus_surrogate(model: Any, *, beta: float = 10.0):
    """A copy of a Keras model with every ReLU replaced by ``softplus(β z) / β``, with the same weights.

    A ReLU network's input gradient is constant between kinks, so its second derivative — what an
    attack on the saliency map follows — is zero almost everywhere. The smooth copy has the same
    weights and, for large ``β``, nearly the same outputs and gradients (``softplus(β z)/β → relu(z)``),
    but a usable second derivative. Ghorbani et al.'s code attacks such a copy.

    Examples
    --------
    >>> from course_utils.models import load_pretrained
    >>> smooth = softplus_surrogate(load_pretrained("mlp"), beta=10.0)
    >>> [layer.get_config().get("activation") for layer in smooth.layers][1:3] != ["relu", "relu"]
    True
    """
    from course_utils.env import import_keras

    keras = import_keras()
    beta = check_positive(beta, "beta", meaning="the sharpness of the softplus")

    def smooth_relu(z):
        return keras.ops.softplus(beta * z) / beta

    def clone(layer):  # a new layer where the activation is ReLU; every other layer is shared as it is
        if getattr(layer, "activation", None) is not keras.activations.relu:
            return layer
        config = layer.get_config()
        config["activation"] = smooth_relu
        return layer.__class__.from_config(config)

    if not isinstance(model, keras.Model):
        raise TypeError(f"softplus_surrogate expects a keras.Model; got {type(model).__name__}.")
    surrogate = keras.models.clone_model(model, clone_function=clone)
    for old, new in zip(model.layers, surrogate.layers):
        if new is not old:
            new.set_weights(old.get_weights())
    return surrogate


@dataclass
class FragilityResult:
    """What :func:`top_k_attack` found for each of ``n`` images.

    Attributes
    ----------
    x_adv : array (n, ...)
        The perturbed image with the lowest top-k intersection among the steps that kept the
        label (the original image if none did).
    intersection : array (n,)
        Its top-k intersection with the original saliency map (1.0 when no step helped).
    history : array (n_steps + 1, n)
        The intersection after each step (step 0 is the original: 1.0); steps that changed the
        label count as 1.0, since the attack may not use them.
    saliency, saliency_adv : arrays (n, ...)
        ``|∂ model(x)[target] / ∂x|`` of the original and of the returned images.
    target : array (n,)
        The explained class: the original prediction, which every returned image keeps.
    """

    x_adv: np.ndarray
    intersection: np.ndarray
    history: np.ndarray
    saliency: np.ndarray
    saliency_adv: np.ndarray
    target: np.ndarray


def _abs_saliency(model, x):
    from course_utils.gradients import saliency

    return np.abs(saliency(model, x, target=None).values)


def top_k_attack(
    model: Any,
    x: Any,
    *,
    k: int,
    epsilon: float,
    n_steps: int = 20,
    step_size: float | None = None,
    surrogate: Any = None,
    bounds: tuple[float, float] = (0.0, 1.0),
) -> FragilityResult:
    """Ghorbani et al.'s iterative top-k attack on the saliency map ``|∂ model(x)[c] / ∂x|``.

    ``c`` is each image's predicted class. Every step moves all pixels by ``step_size`` against the
    sign of the gradient of the saliency mass on the original top-``k`` pixels (computed on the
    ``surrogate``, by default :func:`softplus_surrogate` of ``model``), then projects onto the
    L∞ ball of radius ``epsilon`` around ``x`` and onto ``bounds``. After each step the real
    ``model`` is asked again: a step whose image changes the predicted class is not kept; among the
    others, the one with the lowest :func:`top_k_intersection` is returned.

    Parameters
    ----------
    model : keras.Model
        Returns the explained scores, usually logits (``course_utils.models.logits_model``).
    x : array, shape (n, ...)
        The images, pixels within ``bounds``.
    k : int
        How many of the most salient pixels the attack pushes away.
    epsilon : float
        The largest change of one pixel (L∞ budget).
    n_steps : int
        Signed gradient steps.
    step_size : float, optional
        Change of each pixel per step; default ``epsilon / 4``.
    surrogate : keras.Model, optional
        The smooth model whose second derivative the attack follows.

    Returns
    -------
    FragilityResult
    """
    from course_utils.env import import_keras

    import_keras()
    import tensorflow as tf

    from course_utils.validation import as_model_batch

    x = as_model_batch(model, x)
    k = check_count(k, "k")
    epsilon = check_positive(epsilon, "epsilon", meaning="the largest change of one pixel")
    n_steps = check_count(n_steps, "n_steps", meaning="the number of attack steps")
    step = epsilon / 4 if step_size is None else check_positive(step_size, "step_size")
    surrogate = softplus_surrogate(model) if surrogate is None else surrogate

    target = np.asarray(model(x, training=False)).argmax(axis=1)  # (n,)
    original = _abs_saliency(model, x)  # (n, ...)
    top = tf.constant(_top_k_masks(original, k).reshape(x.shape).astype(np.float32))
    chosen = tf.constant(np.stack([np.arange(len(x)), target], axis=1))

    def direction(batch):
        batch = tf.constant(batch)
        with tf.GradientTape() as outer:
            outer.watch(batch)
            with tf.GradientTape() as inner:
                inner.watch(batch)
                explained = tf.gather_nd(surrogate(batch, training=False), chosen)  # (n,)
            mass = tf.reduce_sum(tf.abs(inner.gradient(explained, batch)) * top)  # saliency on the original top-k
        return np.sign(outer.gradient(mass, batch).numpy())

    best, best_score = x.copy(), np.ones(len(x))
    best_saliency = original.copy()
    history = [np.ones(len(x))]
    current = x.copy()
    for _ in range(n_steps):
        current = current - step * direction(current)
        current = np.clip(np.clip(current, x - epsilon, x + epsilon), *bounds).astype(np.float32)
        kept = np.asarray(model(current, training=False)).argmax(axis=1) == target
        moved = _abs_saliency(model, current)
        score = np.where(kept, top_k_intersection(original, moved, k=k), 1.0)
        better = score < best_score
        best[better], best_score[better], best_saliency[better] = current[better], score[better], moved[better]
        history.append(score)
    return FragilityResult(x_adv=best, intersection=best_score, history=np.array(history), saliency=original,
                           saliency_adv=best_saliency, target=target)
