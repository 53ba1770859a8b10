"""Scores for explanations: do they find what the model uses, do they depend on it, do they hold still?

An explanation cannot be checked by looking at it. These are the measurements notebook
10_evaluating_explanations makes instead, each after the paper that proposed it:

- :func:`deletion_curve`, :func:`insertion_curve`, :func:`auc` — remove the features an
  explanation ranks highest (set them to ``fill``), most positive first, and watch the explained
  output fall; or start from all-``fill`` and insert them in the same order and watch it rise
  (Samek et al. 2017, region perturbation; Petsiuk et al. 2018, RISE's deletion and insertion).
  The normalized area under the curve is one number per example: low for deletion and high for
  insertion means the ranking found what the model uses.
- :func:`model_randomization_check` — the cascading model-parameter randomization of Adebayo et
  al. (2018), *Sanity checks for saliency maps*: randomize the layers from the top down and
  measure how much of the explanation survives (Spearman rank correlation with the original). An
  explanation that survives the destruction of the model does not explain the model.
- :func:`ground_truth_agreement` — when the true contributions are known (the credit set), the
  feature, rank and sign agreement of the top-k features (FA, RA, SA of OpenXAI, Agarwal et al.
  2022, after Krishna et al. 2022).
- :func:`max_sensitivity` — the largest change of an explanation under input perturbations in a
  small ball (Yeh et al. 2019, Definition 3.1), estimated by sampling as Captum's
  ``sensitivity_max`` does.

Every helper takes a batch ``x`` of shape ``(n, ...)`` and returns one number per example (or one
curve per example). Model calls go through :func:`course_utils.validation.predict_in_batches`, so a
curve of 1,000 digits with 21 steps is 21,000 predictions in batches of 1,024. NumPy (and SciPy)
only: importing this module does not import TensorFlow.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import numpy.typing as npt

from course_utils.explanation import Attribution, Target, resolve_target, select_output
from course_utils.validation import DEFAULT_BATCH_SIZE, RowsOnDemand, as_batch, check_count, check_positive, predict_in_batches

__all__ = [
    "deletion_curve",
    "insertion_curve",
    "auc",
    "model_randomization_check",
    "ground_truth_agreement",
    "max_sensitivity",
]


# ---------------------------------------------------------------------------------------------
# Shared input rules
# ---------------------------------------------------------------------------------------------


def _inputs(x: Any, name: str = "x") -> np.ndarray:
    """``x`` as a batch, keeping float32 (what Keras models take) when it arrives as float32."""
    dtype = np.float32 if getattr(x, "dtype", None) == np.float32 else float
    return as_batch(x, name=name, dtype=dtype)


def _values(attribution: Any, x: np.ndarray, *, name: str = "attribution", explains_x: bool = True) -> np.ndarray:
    """The attribution values, shape of ``x``: from an :class:`Attribution` or an array.

    With ``explains_x``, an Attribution must explain ``x`` itself (its ``data``).
    """
    if isinstance(attribution, Attribution):
        if explains_x and attribution.data.shape == x.shape and not np.allclose(attribution.data, x, equal_nan=True):
            raise ValueError(
                f"the {name} explains other inputs than x (its .data differs from x). Pass the Attribution "
                "that the explainer returned for these very inputs, in the same order."
            )
        values = attribution.values
    else:
        try:
            values = np.asarray(attribution, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"{name} should be an Attribution or an array of numbers; got {type(attribution).__name__}.") from None
    if values.shape != x.shape:
        raise ValueError(
            f"{name} has shape {values.shape} but x has shape {x.shape}; give one value per feature of x "
            "(an array of x's shape), or the Attribution an explainer returned for x."
        )
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{name} holds NaN or infinite values; an explanation must rank every feature.")
    return values


def _fill(fill: Any, x: np.ndarray) -> np.ndarray:
    """``fill`` broadcast to ``x``'s shape: a number, one example's shape, or one per example."""
    try:
        return np.broadcast_to(np.asarray(fill, dtype=x.dtype), x.shape)
    except (TypeError, ValueError):
        example = "(" + ", ".join(map(str, x.shape[1:])) + ")"
        raise ValueError(
            f"fill has shape {np.shape(fill)} but x has shape {x.shape}. Give a number (e.g. 0.0, the black background "
            f"of MNIST), an array of one example's shape {example} (e.g. the training mean), or one fill per example, "
            f"shape {x.shape}."
        ) from None


def _removal_ranks(values: np.ndarray) -> np.ndarray:
    """Each feature's position in the order of decreasing value (0 = removed first), shape (n, d).

    Ties keep the features' own order (a stable sort), so the curve is reproducible.
    """
    flat = values.reshape(len(values), -1)
    order = np.argsort(-flat, axis=1, kind="stable")  # (n, d): features, most positive first
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(flat.shape[1])[None, :], axis=1)
    return ranks


def _curve(predict_fn, x, attribution, *, target, n_steps, fill, batch_size, insert: bool):
    x = _inputs(x)
    values = _values(attribution, x)
    fill = _fill(fill, x)
    n, d = len(x), int(np.prod(x.shape[1:]))
    n_steps = check_count(n_steps, "n_steps", meaning="the number of steps of the curve")
    if n_steps > d:
        raise ValueError(f"n_steps={n_steps} is more than the {d} features of each example; use at most n_steps={d}.")
    batch_size = check_count(batch_size, "batch_size", meaning="the number of rows per call of predict_fn")
    counts = np.arange(n_steps + 1) * d // n_steps  # (s+1,): features removed (or inserted) after each step
    ranks = _removal_ranks(values)  # (n, d)
    flat_x, flat_fill = x.reshape(n, d), fill.reshape(n, d)
    target = resolve_target(target, predict_in_batches(predict_fn, x, batch_size=batch_size))  # fixed at x
    points = n_steps + 1

    def rows(r: np.ndarray) -> np.ndarray:
        i, step = r // points, r % points
        chosen = ranks[i] < counts[step][:, None]  # (b, d): the features moved so far
        kept = ~chosen if not insert else chosen
        return np.where(kept, flat_x[i], flat_fill[i]).reshape(len(r), *x.shape[1:])

    scores = predict_in_batches(predict_fn, RowsOnDemand(n * points, rows), batch_size=batch_size)
    scores = select_output(scores, None if target is None else np.repeat(target, points)).reshape(n, points)
    return counts / d, scores


def deletion_curve(
    predict_fn: Callable[[np.ndarray], Any],
    x: npt.ArrayLike,
    attribution: Attribution | npt.ArrayLike,
    *,
    target: Target = None,
    n_steps: int = 20,
    fill: float | npt.ArrayLike = 0.0,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> tuple[np.ndarray, np.ndarray]:
    """The explained output as the highest-ranked features are removed (set to ``fill``), step by step.

    ``scores[:, 0]`` is ``f(x)``; ``scores[:, -1]`` is ``f(fill)``. A ranking that puts first the
    features the model relies on makes the curve fall fast, so a *low* :func:`auc` is good (Samek
    et al. 2017, "most relevant first"; Petsiuk et al. 2018, the deletion metric).

    Parameters
    ----------
    predict_fn : callable
        Maps a batch ``(N, ...)`` to scores ``(N,)`` or ``(N, K)`` (e.g. class probabilities).
    x : array, shape (n, ...)
        The explained inputs, batch first (``x[None]`` for one).
    attribution : Attribution or array of x's shape
        The explanation whose ranking is tested: features are taken in the order of decreasing
        value, the most positive first (ties in the features' own order). Pass ``np.abs(values)``
        to test a ranking by magnitude, random numbers for a random ranking.
    target : None, int or array of int
        The explained output: None → each example's predicted class *at x*, kept for every step.
    n_steps : int
        Steps of the curve; after step ``s``, ``s * d // n_steps`` of the ``d`` features have moved.
    fill : float or array
        The value a removed feature takes: a number, an array of one example's shape (e.g. the
        training mean) or of ``x``'s shape (e.g. a blurred copy of each image).
    batch_size : int
        Rows per call of ``predict_fn``.

    Returns
    -------
    fractions : array, shape (n_steps + 1,)
        The fraction of features moved at each step, from 0 to 1.
    scores : array, shape (n, n_steps + 1)
        The explained output at each step.

    Examples
    --------
    >>> w = np.array([3.0, -1.0, 2.0])
    >>> fractions, scores = deletion_curve(lambda X: X @ w, np.ones((1, 3)), w[None], n_steps=3)
    >>> fractions, scores  # removes x0 (3), then x2 (2), then x1 (-1)
    (array([0.        , 0.33333333, 0.66666667, 1.        ]), array([[ 4.,  1., -1.,  0.]]))
    """
    return _curve(predict_fn, x, attribution, target=target, n_steps=n_steps, fill=fill, batch_size=batch_size, insert=False)


def insertion_curve(
    predict_fn: Callable[[np.ndarray], Any],
    x: npt.ArrayLike,
    attribution: Attribution | npt.ArrayLike,
    *,
    target: Target = None,
    n_steps: int = 20,
    fill: float | npt.ArrayLike = 0.0,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> tuple[np.ndarray, np.ndarray]:
    """The explained output as the highest-ranked features are inserted into an all-``fill`` input.

    The same order as :func:`deletion_curve` (most positive first), run from the other end:
    ``scores[:, 0]`` is ``f(fill)``, ``scores[:, -1]`` is ``f(x)``. A good ranking makes the curve
    rise fast, so a *high* :func:`auc` is good (Petsiuk et al. 2018, the insertion metric, which
    starts from a blurred image: pass it as ``fill``).

    Parameters
    ----------
    predict_fn, x, attribution, target, n_steps, fill, batch_size
        As for :func:`deletion_curve`.

    Returns
    -------
    fractions : array, shape (n_steps + 1,)
        The fraction of features inserted at each step, from 0 to 1.
    scores : array, shape (n, n_steps + 1)
        The explained output at each step.

    Examples
    --------
    >>> w = np.array([3.0, -1.0, 2.0])
    >>> insertion_curve(lambda X: X @ w, np.ones((1, 3)), w[None], n_steps=3)[1]  # adds x0, x2, x1
    array([[0., 3., 5., 4.]])
    """
    return _curve(predict_fn, x, attribution, target=target, n_steps=n_steps, fill=fill, batch_size=batch_size, insert=True)


def auc(fractions: npt.ArrayLike, scores: npt.ArrayLike) -> np.ndarray:
    """The normalized area under each curve: the trapezoid rule divided by the width of ``fractions``.

    It is the curve's average height, in the units of the scores (for probabilities, between 0
    and 1), so curves of any number of steps compare.

    Parameters
    ----------
    fractions : array, shape (s + 1,)
        Increasing x-coordinates, as :func:`deletion_curve` returns them.
    scores : array, shape (n, s + 1)
        One curve per row.

    Returns
    -------
    array, shape (n,)

    Examples
    --------
    >>> auc([0.0, 0.5, 1.0], [[1.0, 0.5, 0.0], [1.0, 1.0, 1.0]])
    array([0.5, 1. ])
    """
    fractions = np.asarray(fractions, dtype=float)
    scores = np.asarray(scores, dtype=float)
    if fractions.ndim != 1 or len(fractions) < 2 or not np.all(np.diff(fractions) > 0):
        raise ValueError(f"fractions should be increasing x-coordinates, shape (s + 1,) with s >= 1; got {fractions.round(3).tolist()}.")
    if scores.ndim != 2 or scores.shape[1] != len(fractions):
        raise ValueError(
            f"scores should have one curve per row, shape (n, {len(fractions)}) to match fractions; got {scores.shape}."
            + (" Pass scores[None] for a single curve." if scores.shape == fractions.shape else "")
        )
    widths = np.diff(fractions)  # (s,)
    area = ((scores[:, 1:] + scores[:, :-1]) / 2 * widths).sum(axis=1)
    return area / (fractions[-1] - fractions[0])


# ---------------------------------------------------------------------------------------------
# Ground truth: feature, rank and sign agreement (OpenXAI)
# ---------------------------------------------------------------------------------------------


def ground_truth_agreement(values: Attribution | npt.ArrayLike, true_values: npt.ArrayLike, *, k: int) -> dict[str, np.ndarray]:
    """Feature, rank and sign agreement of the top ``k`` features (by |value|) with the truth.

    The definitions of OpenXAI (Agarwal et al. 2022, its ``Evaluator.agreement_fraction``), per
    example, with ``A`` the ``k`` features of largest |true value| and ``B`` those of the
    explanation:

    - ``feature_agreement`` (FA): ``|A ∩ B| / k`` — the share of the true top-k that the explanation
      also puts in its top-k, in any order;
    - ``rank_agreement`` (RA): the share of the ``k`` positions that hold the same feature in both
      rankings (and the same dense rank of |value|, which only matters for ties);
    - ``sign_agreement`` (SA): the share of the ``k`` features in both top-k sets with the same
      sign (``np.sign``, so a zero only agrees with a zero).

    Ties in |value| are broken by the features' own order (a stable sort).

    Parameters
    ----------
    values : Attribution or array, shape (n, ...)
        The explanation.
    true_values : array or DataFrame of the same shape
        The true contributions (e.g. ``CreditTruth.contributions(X)``, centred on the same
        reference as the explanation).
    k : int
        How many top features are compared, 1 to the number of features.

    Returns
    -------
    dict
        ``"feature_agreement"``, ``"rank_agreement"``, ``"sign_agreement"``: arrays of shape (n,),
        each between 0 and 1.

    Examples
    --------
    >>> truth = [[3.0, -2.0, 1.0, 0.5]]
    >>> explanation = [[2.5, 3.0, 0.1, 0.0]]  # the right two features, in swapped order, one sign wrong
    >>> {name: float(v[0]) for name, v in ground_truth_agreement(explanation, truth, k=2).items()}
    {'feature_agreement': 1.0, 'rank_agreement': 0.0, 'sign_agreement': 0.5}
    """
    from scipy.stats import rankdata

    truth = as_batch(true_values, name="true_values")
    explained = _values(values, truth, name="values", explains_x=False)
    n = len(truth)
    a, b = truth.reshape(n, -1), explained.reshape(n, -1)
    d = a.shape[1]
    k = check_count(k, "k", meaning="the number of top features compared")
    if k > d:
        raise ValueError(f"k={k} is more than the {d} features of each example; use k <= {d}.")
    top_a = np.argsort(-np.abs(a), axis=1, kind="stable")[:, :k]  # (n, k): feature ids, most important first
    top_b = np.argsort(-np.abs(b), axis=1, kind="stable")[:, :k]
    rank_a = np.take_along_axis(rankdata(-np.abs(a), method="dense", axis=1), top_a, axis=1)  # (n, k)
    rank_b = np.take_along_axis(rankdata(-np.abs(b), method="dense", axis=1), top_b, axis=1)
    in_b = (top_a[:, :, None] == top_b[:, None, :])  # (n, k, k): feature at position i of A is at position j of B
    shared = in_b.any(axis=2)  # (n, k): is A's i-th feature in B's top-k?
    sign_a = np.take_along_axis(np.sign(a), top_a, axis=1)  # (n, k)
    sign_b = np.take_along_axis(np.sign(b), top_a, axis=1)  # the explanation's sign of the same features
    return {
        "feature_agreement": shared.sum(axis=1) / k,
        "rank_agreement": ((top_a == top_b) & (rank_a == rank_b)).sum(axis=1) / k,
        "sign_agreement": (shared & (sign_a == sign_b)).sum(axis=1) / k,
    }


# ---------------------------------------------------------------------------------------------
# Model randomization (Adebayo et al. 2018)
# ---------------------------------------------------------------------------------------------


def _rank_correlations(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None) -> np.ndarray:
    """Spearman correlation of each row of ``a`` with the same row of ``b`` (over ``mask``), shape (n,).

    Ranks are averaged over ties; a row that is constant (over its mask) has no correlation: NaN.
    """
    from scipy.stats import rankdata

    out = np.full(len(a), np.nan)
    for i in range(len(a)):
        keep = slice(None) if mask is None else mask[i]
        ra, rb = rankdata(a[i][keep]), rankdata(b[i][keep])
        ra, rb = ra - ra.mean(), rb - rb.mean()
        denominator = np.sqrt((ra**2).sum() * (rb**2).sum())
        if denominator > 0:
            out[i] = (ra * rb).sum() / denominator
    return out


def _explanation(explain_fn, model, x, target, who: str) -> np.ndarray:
    try:
        result = explain_fn(model, x, target=target)
    except TypeError as error:
        if "target" not in str(error):
            raise
        raise TypeError(
            f"{who} calls explain_fn(model, x, target=target); yours does not take those arguments ({error}). "
            "Wrap your explainer, e.g. lambda model, x, target: saliency(model, x, target=target)."
        ) from None
    values = result.values if isinstance(result, Attribution) else np.asarray(result, dtype=float)
    if values.shape != x.shape:
        raise ValueError(f"explain_fn returned values of shape {values.shape} for x of shape {x.shape}; it must return one value per feature.")
    return values.reshape(len(x), -1)


def _layers_with_weights(model) -> list:
    layers = [layer for layer in getattr(model, "layers", []) if layer.get_weights()]
    if not layers:
        raise ValueError(
            f"model_randomization_check needs a Keras model with layers that hold weights; {getattr(model, 'name', 'the model')!r} has none."
        )
    return layers


def _randomize(layer, rng: np.random.Generator) -> None:
    """Replace each weight array by Gaussian draws with the trained array's own standard deviation."""
    layer.set_weights([rng.normal(0.0, w.std(), size=w.shape).astype(w.dtype) for w in layer.get_weights()])


def model_randomization_check(
    model: Any,
    x: npt.ArrayLike,
    explain_fn: Callable[..., Any],
    *,
    target: Target = None,
    seed: int = 0,
    mask: npt.ArrayLike | None = None,
    absolute: bool = True,
):
    """Cascading model-parameter randomization (Adebayo et al. 2018): does the explanation need the model?

    The layers that hold weights are randomized one after the other from the top (the output
    layer) down to the first, cumulatively; after each step the explanation is recomputed and
    compared with the trained model's by the Spearman rank correlation over each example's
    features (of ``|values|`` with ``absolute=True``, as in the paper's absolute-value plots). A
    method that explains the model must lose its correlation as its layers are destroyed.
    Randomizing replaces each weight array by Gaussian draws with the trained array's standard
    deviation (it keeps each layer's scale and destroys what it learned; Adebayo et al.
    re-initialized from a truncated normal). The model's weights are restored when the check
    returns, also after an error.

    Parameters
    ----------
    model : keras.Model
        The model the explanation is computed on (e.g. ``logits_model(load_pretrained("mlp"))``);
        its layers (and those of models sharing them) are randomized and then restored.
    x : array, shape (n, ...)
        The explained inputs.
    explain_fn : callable
        ``explain_fn(model, x, target=target)`` → an Attribution or an array of ``x``'s shape, e.g.
        ``course_utils.gradients.saliency``. A control that ignores the model, such as
        ``lambda model, x, target: np.abs(x)``, keeps a correlation of 1 however much is randomized.
    target : None, int or array of int
        The explained class; None → the *trained* model's predicted class, kept for every randomized
        model (a random model predicts something else).
    seed : int
        Seed of ``np.random.default_rng`` for the random weights.
    mask : bool array of x's shape (or one example's shape), optional
        Correlate only over these features, e.g. ``x > 0``, the digit's ink: on MNIST most pixels are
        background, where many maps are 0 for every model, and they inflate the correlation.
    absolute : bool
        Correlate ``|values|`` (True) or the signed values (False).

    Returns
    -------
    DataFrame
        One row per randomized layer, in the order randomized (index ``"layer"``: randomized from
        the top down to and including this one); columns ``rank_correlation`` (mean over the
        examples) and ``rank_correlation_std``.

    Examples
    --------
    >>> import keras
    >>> keras.utils.set_random_seed(0)
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, name="hidden"), keras.layers.Dense(2, name="out")])
    >>> control = lambda model, x, target: np.abs(x)  # ignores the model
    >>> table = model_randomization_check(model, np.random.default_rng(0).normal(size=(3, 4)), control, target=0)
    >>> table["rank_correlation"].to_dict()  # randomized: out, then out and hidden
    {'out': 1.0, 'hidden': 1.0}
    """
    import pandas as pd

    if not callable(explain_fn):
        raise TypeError(f"explain_fn should be a function explain_fn(model, x, target=...); got {type(explain_fn).__name__}.")
    x = _inputs(x)
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype != bool:
            raise ValueError(f"mask should be a boolean array (e.g. x > 0); got dtype {mask.dtype}.")
        try:
            mask = np.broadcast_to(mask, x.shape).reshape(len(x), -1)
        except ValueError:
            raise ValueError(f"mask has shape {mask.shape}; give x's shape {x.shape} or one example's shape {x.shape[1:]}.") from None
        if (mask.sum(axis=1) < 2).any():
            raise ValueError("mask keeps fewer than 2 features of some example; a rank correlation needs at least 2.")
    layers = _layers_with_weights(model)
    scores = predict_in_batches(lambda batch: np.asarray(model(batch, training=False)), x)
    target = resolve_target(target, scores)  # the trained model's class, fixed from here on
    original = _explanation(explain_fn, model, x, target, "model_randomization_check")
    saved = [layer.get_weights() for layer in layers]
    rng = np.random.default_rng(seed)
    rows = []
    try:
        for layer in reversed(layers):  # from the top
            _randomize(layer, rng)
            randomized = _explanation(explain_fn, model, x, target, "model_randomization_check")
            a, b = (np.abs(original), np.abs(randomized)) if absolute else (original, randomized)
            rho = _rank_correlations(a, b, mask)
            rows.append({"layer": layer.name, "rank_correlation": float(np.nanmean(rho)) if np.isfinite(rho).any() else np.nan,
                         "rank_correlation_std": float(np.nanstd(rho)) if np.isfinite(rho).any() else np.nan})
    finally:
        for layer, weights in zip(layers, saved):
            layer.set_weights(weights)
    return pd.DataFrame(rows).set_index("layer")


# ---------------------------------------------------------------------------------------------
# Stability: max-sensitivity (Yeh et al. 2019)
# ---------------------------------------------------------------------------------------------


def max_sensitivity(
    explain_fn: Callable[[np.ndarray], Any],
    x: npt.ArrayLike,
    *,
    radius: float,
    n_samples: int = 10,
    seed: int = 0,
    normalize: bool = True,
) -> np.ndarray:
    """The largest change of an explanation when the input moves a little (Yeh et al. 2019).

    ``SENS_MAX(Φ, x, r) = max over ‖y − x‖ ≤ r of ‖Φ(y) − Φ(x)‖`` (their Definition 3.1), estimated
    as Captum's ``sensitivity_max`` does: ``n_samples`` points ``y = x + δ`` with ``δ`` uniform in
    ``[-radius, radius]`` per feature (the L∞ ball), the Frobenius norm of the difference, the
    largest of the samples, and with ``normalize=True`` divided by ``‖Φ(x)‖`` so that methods of
    different scales compare (1 means "changed by as much as the explanation itself").

    Parameters
    ----------
    explain_fn : callable
        ``explain_fn(x)`` → an Attribution or an array of ``x``'s shape. Fix the explained class
        inside it (e.g. ``lambda x: saliency(model, x, target=predicted)``), so that every
        perturbed copy explains the same output.
    x : array, shape (n, ...)
        The inputs.
    radius : float
        Half-width of the perturbation per feature (e.g. 0.02 for pixels in [0, 1]).
    n_samples : int
        Perturbed copies per example (one call of ``explain_fn`` each, on the whole batch).
    seed : int
        Seed of ``np.random.default_rng`` for the perturbations.
    normalize : bool
        Divide by ``‖Φ(x)‖`` (an all-zero explanation counts as 1).

    Returns
    -------
    array, shape (n,)

    Examples
    --------
    >>> w = np.array([1.0, -2.0])
    >>> max_sensitivity(lambda x: x * w, np.ones((1, 2)), radius=0.1, n_samples=50).round(2)
    array([0.1])
    >>> max_sensitivity(lambda x: np.ones_like(x) * w, np.ones((1, 2)), radius=0.1)  # a gradient of a linear model
    array([0.])
    """
    if not callable(explain_fn):
        raise TypeError(f"explain_fn should be a function of a batch, explain_fn(x); got {type(explain_fn).__name__}.")
    x = _inputs(x)
    radius = check_positive(radius, "radius", meaning="the half-width of the perturbation per feature")
    n_samples = check_count(n_samples, "n_samples", meaning="the number of perturbed copies per example")
    n = len(x)

    def explain(batch: np.ndarray) -> np.ndarray:
        result = explain_fn(batch)
        values = result.values if isinstance(result, Attribution) else np.asarray(result, dtype=float)
        if values.shape != batch.shape:
            raise ValueError(f"explain_fn returned values of shape {values.shape} for a batch of shape {batch.shape}; it must return one value per feature.")
        return values.reshape(n, -1)

    original = explain(x)  # (n, d)
    scale = np.linalg.norm(original, axis=1) if normalize else np.ones(n)
    scale = np.where(scale > 0, scale, 1.0)
    rng = np.random.default_rng(seed)
    largest = np.zeros(n)
    for _ in range(n_samples):
        moved = (x + rng.uniform(-radius, radius, size=x.shape)).astype(x.dtype)
        largest = np.maximum(largest, np.linalg.norm(explain(moved) - original, axis=1) / scale)
    return largest
