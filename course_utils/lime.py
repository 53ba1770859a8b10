"""LIME — local interpretable model-agnostic explanations — as weighted ridge regression.

LIME explains one prediction ``f(x)`` by fitting a *linear* model to ``f`` on perturbed copies of
``x``, each copy weighted by how close it is to ``x`` (Ribeiro, Singh & Guestrin, 2016, "Why
should I trust you?", KDD). Everything method-specific is how the copies are made; the fit is
always the same small function, :func:`fit_surrogate` (after ``lime_base.py`` of marcotcr/lime):

- :func:`kernel_weights` — the exponential kernel ``exp(-d² / (2 w²))`` (lime writes it
  ``sqrt(exp(-d² / w²))``): a copy at distance ``d`` counts that much.
- :func:`fit_surrogate` — weighted ridge regression with an unpenalized intercept.
- :func:`lime_tabular` — Gaussian perturbations of each feature, scaled by its training std.
- :func:`lime_image` — superpixels switched on and off (:func:`grid_segments` by default).
- :func:`top_k_jaccard`, :func:`seed_stability` — how much an explanation changes with the seed.
- :func:`local_surrogate_1d` — the weighted local line on a 1-D toy function (drawn by
  :func:`course_utils.attribution_plots.plot_local_surrogate`, notebook 08's kernel-width slider;
  :func:`course_utils.attribution_plots.plot_segments` draws superpixel borders).

The kernel width decides what "local" means and can change the explanation, even its signs
(Garreau & von Luxburg, 2020, "Explaining the explainable: a first theoretical analysis of LIME",
AISTATS); explanations also change with the random seed and under tiny changes of the input
(Alvarez-Melis & Jaakkola, 2018, "On the robustness of interpretability methods", ICML WHI).
Taught in notebook 08_lime. NumPy only (no TensorFlow, no matplotlib).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any, Callable, Sequence

import numpy as np

from course_utils.explanation import Attribution, PredictFn, Target, explained_outputs, select_output
from course_utils.validation import (
    DEFAULT_BATCH_SIZE,
    RowsOnDemand,
    as_batch,
    check_count,
    check_positive,
    predict_in_batches,
)

__all__ = [
    "kernel_weights",
    "fit_surrogate",
    "lime_tabular",
    "grid_segments",
    "lime_image",
    "top_k_jaccard",
    "seed_stability",
    "LocalSurrogate1D",
    "local_surrogate_1d",
]


# --------------------------------------------------------------------------- the shared core
def kernel_weights(distances: Any, kernel_width: float) -> np.ndarray:
    """The exponential (Gaussian) kernel of LIME: ``exp(-d² / (2 w²))``, same shape as ``distances``.

    lime writes it ``sqrt(exp(-d² / w²))``, which is the same number. A sample at distance 0
    weighs 1; at distance ``w`` it weighs ``exp(-1/2) ≈ 0.61``; at ``3 w`` about 0.01.

    Examples
    --------
    >>> kernel_weights([0.0, 1.0], kernel_width=1.0).round(3)
    array([1.   , 0.607])
    """
    width = check_positive(kernel_width, "kernel_width")
    distances = np.asarray(distances, dtype=float)
    return np.exp(-(distances**2) / (2.0 * width**2))


def fit_surrogate(Z: Any, y: Any, weights: Any, *, alpha: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted ridge regression, the surrogate of every LIME variant.

    Minimizes ``sum_i weights_i (y_i - intercept - Z_i · coef)² + alpha ||coef||²`` — the
    intercept is *not* penalized, exactly as scikit-learn's ``Ridge(alpha).fit(Z, y,
    sample_weight=weights)`` (lime's default surrogate, ``alpha=1``). Closed form: centre ``Z`` and
    ``y`` at their weighted means, then ``coef = (Zcᵀ W Zc + alpha I)⁻¹ Zcᵀ W yc`` and
    ``intercept = ȳ - z̄ · coef``.

    Parameters
    ----------
    Z : array, shape (m, k) or (..., m, k)
        The perturbed samples in the surrogate's features (standardized values, superpixel
        on/off).
    y : array, shape (m,) or (..., m)
        The model's explained output on each sample.
    weights : array, shape (m,) or (..., m)
        Non-negative sample weights (the kernel of the distance to the explained input).

        Leading axes are a batch of independent fits and broadcast: one ``Z`` of shape (m, k)
        with ``y`` of shape (n, m) fits n surrogates on the same samples at once.
    alpha : float
        Ridge penalty on the coefficients (0 gives weighted least squares).

    Returns
    -------
    coef : array, shape (k,) or (..., k)
    intercept : array, shape () or (...)
    score : array, shape () or (...)
        Weighted R² of the surrogate on its samples (scikit-learn's ``score`` with
        ``sample_weight``): how linear ``f`` looks from where the kernel looks.

    Examples
    --------
    >>> Z = np.array([[0.0], [1.0], [2.0]]); y = 1.0 + 2.0 * Z[:, 0]
    >>> coef, intercept, score = fit_surrogate(Z, y, np.ones(3), alpha=0.0)
    >>> coef.round(6), float(intercept), float(score)
    (array([2.]), 1.0, 1.0)
    """
    Z = np.asarray(Z, dtype=float)
    if Z.ndim < 2:
        raise ValueError(
            f"Z must have shape (m, k): one row per sample, one column per feature; got {Z.shape}. For one feature "
            "pass Z[:, None]."
        )
    y = np.asarray(y, dtype=float)
    weights = np.asarray(weights, dtype=float)
    m = Z.shape[-2]
    for name, array in (("y", y), ("weights", weights)):
        if array.ndim == 0 or array.shape[-1] != m:
            raise ValueError(
                f"{name} must hold one {name[:-1] if name == 'weights' else 'output'} per sample, shape ({m},); got "
                f"{array.shape}."
            )
    try:
        np.broadcast_shapes(Z.shape[:-2], y.shape[:-1], weights.shape[:-1])
    except ValueError:
        raise ValueError(
            f"the leading (batch) axes of Z {Z.shape}, y {y.shape} and weights {weights.shape} do not broadcast."
        ) from None
    if np.any(weights < 0) or not np.all(np.isfinite(weights)):
        raise ValueError("weights must be finite and non-negative (they are kernel values, between 0 and 1).")
    total = weights.sum(axis=-1, keepdims=True)  # (..., 1)
    if np.any(total <= 0):
        raise ValueError(
            "the weights of a fit sum to 0: no sample is close enough to count. Use a larger kernel_width."
        )
    if float(alpha) < 0:
        raise ValueError(f"alpha is the ridge penalty and must be >= 0; got {alpha}.")

    share = (weights / total)[..., None, :]  # (..., 1, m), sums to 1
    z_mean = (share @ Z)[..., 0, :]  # (..., k) weighted means
    y_mean = (share @ y[..., None])[..., 0, 0]  # (...)
    Zc = Z - z_mean[..., None, :]  # (..., m, k)
    yc = y - y_mean[..., None]  # (..., m)
    WZc = weights[..., None] * Zc  # (..., m, k) = W @ Zc
    gram = np.swapaxes(WZc, -1, -2) @ Zc + float(alpha) * np.eye(Z.shape[-1])  # (..., k, k) = Zcᵀ W Zc + αI
    moment = np.swapaxes(WZc, -1, -2) @ yc[..., None]  # (..., k, 1) = Zcᵀ W yc
    try:
        coef = np.linalg.solve(gram, moment)[..., 0]  # (..., k)
    except np.linalg.LinAlgError:
        raise ValueError(
            "the weighted least-squares system is singular (e.g. a feature never varies); use alpha > 0."
        ) from None
    intercept = y_mean - (z_mean * coef).sum(axis=-1)

    residual = (weights * (yc - (Zc @ coef[..., None])[..., 0]) ** 2).sum(axis=-1)
    spread = (weights * yc**2).sum(axis=-1)
    flat = (spread <= 0) | (y.max(axis=-1) == y.min(axis=-1))  # nothing to explain: R² is 1 (as scikit-learn)
    score = np.where(flat, 1.0, 1.0 - residual / np.where(flat, 1.0, spread))
    return coef, intercept, score


# --------------------------------------------------------------------------- tabular
def lime_tabular(
    predict_fn: Callable[[np.ndarray], Any],
    x: Any,
    training_data: Any,
    *,
    target: Any = None,
    n_samples: int = 5000,
    kernel_width: float | None = None,
    seed: int = 0,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Attribution:
    """LIME for tabular data with continuous features (lime's ``discretize_continuous=False``).

    For each example ``x``: draw ``n_samples`` copies ``x + std * ε`` with ``ε ~ N(0, I)`` and
    ``std`` the training data's per-feature standard deviation (the first copy is ``x`` itself);
    standardize them, ``z = (copy - mean) / std``; weight each by :func:`kernel_weights` of its
    Euclidean distance to ``x`` in standardized units (``‖ε‖``); fit :func:`fit_surrogate`
    (``alpha=1``) to the explained output on the standardized copies. (The code fits on ``ε``,
    which is ``z`` shifted by a constant: same coefficients, and the intercept moves to ``x``.)

    Parameters
    ----------
    predict_fn : callable
        Maps a batch ``(N, d)`` in the original units to ``(N,)`` or ``(N, K)``.
    x : array or DataFrame, shape (n, d)
        The examples to explain; one example is ``x[None]``.
    training_data : array or DataFrame, shape (N, d)
        Gives the per-feature mean and std (a feature with std 0 gets std 1, as in lime).
    target : None, int or array of int
        ``None`` → each example's predicted class (or the single output); an int → that class.
    n_samples : int
        Perturbed copies per example.
    kernel_width : float, optional
        Width ``w`` of the kernel in standardized units; default ``0.75 * sqrt(d)`` (lime's).
    seed : int
        Seed of ``np.random.default_rng``. Every example gets the same draw of ``ε``, so
        explaining a batch gives the same result as explaining its examples one at a time.
    batch_size : int
        At most this many rows per call of ``predict_fn``: the copies of all examples are made
        and predicted batch by batch, so the model is called ``ceil(n * n_samples / batch_size)`` times.

    Returns
    -------
    Attribution
        ``values[i, j] = coef[i, j] * (x[i, j] - mean[j]) / std[j]``: feature ``j``'s share of the
        surrogate's move from the average training point to ``x[i]``. ``base_values`` is the
        intercept (the surrogate at the training mean), so ``base_values + values.sum(1)`` is the
        surrogate at ``x`` and ``completeness_gap()`` is ``f(x) - g(x)``, the surrogate's local
        error. ``extras``: ``coef`` (n, d) per standardized unit — lime's ``as_list`` numbers —
        ``score`` (n,) weighted R², ``mean``, ``std``, ``kernel_width``.

    Examples
    --------
    >>> rng = np.random.default_rng(0); X = rng.normal(size=(200, 3))
    >>> attribution = lime_tabular(lambda X: X @ [1.0, -2.0, 0.0], X[:2], X)
    >>> attribution.extras["coef"].round(2)  # per standardized unit: weight × std (ridge shrinks a little)
    array([[ 1.01, -2.  ,  0.  ],
           [ 1.01, -2.  ,  0.  ]])
    """
    if np.ndim(training_data) == 1:
        raise ValueError(
            f"training_data must be a table of shape (N, d); got shape {np.shape(training_data)}. "
            "For a single feature pass training_data[:, None]."
        )
    training = as_batch(training_data, name="training_data")
    if training.ndim != 2:
        raise ValueError(f"training_data must be a table of shape (N, d); got {training.shape}.")
    d = training.shape[1]
    names = _column_names(x) or _column_names(training_data)
    x = as_batch(x, example_shape=(d,), name="x")
    n_samples = check_count(n_samples, "n_samples", minimum=2)
    batch_size = check_count(batch_size, "batch_size", meaning="the number of rows per call of predict_fn")
    width = 0.75 * np.sqrt(d) if kernel_width is None else check_positive(kernel_width, "kernel_width")

    mean = training.mean(axis=0)  # (d,)
    std = training.std(axis=0)  # (d,) population std, as StandardScaler
    std = np.where(std > 0, std, 1.0)
    outputs, target = explained_outputs(predict_fn, x, target)  # (n,)

    n = x.shape[0]
    noise = np.random.default_rng(seed).standard_normal((n_samples, d))  # (m, d), shared by all examples
    noise[0] = 0.0  # the first copy is x itself
    copies = RowsOnDemand(n * n_samples, lambda r: x[r // n_samples] + noise[r % n_samples] * std)  # original units
    scores = predict_in_batches(predict_fn, copies, batch_size=batch_size)  # (n * m,) or (n * m, K)
    y = select_output(scores, None if target is None else np.repeat(target, n_samples)).reshape(n, n_samples)
    weights = kernel_weights(np.linalg.norm(noise, axis=1), width)  # (m,): distance to x in standardized units
    # The standardized copies are (x - mean) / std + noise. Shifting the features does not change the
    # coefficients of a fit with an (unpenalized) intercept, so all n fits share Z = noise: the
    # intercept is then the surrogate at x, and the surrogate at the training mean is
    # g(x) - coef · (x - mean) / std.
    coef, g_at_x, score = fit_surrogate(noise, y, weights)  # (n, d), (n,), (n,)
    values = coef * (x - mean) / std  # (n, d)

    return Attribution(
        values=values,
        base_values=g_at_x - values.sum(axis=1),
        outputs=outputs,
        data=x,
        target=target,
        feature_names=names,
        method="LIME (tabular)",
        extras={"coef": coef, "score": score, "mean": mean, "std": std, "kernel_width": float(width)},
    )


# --------------------------------------------------------------------------- images
def grid_segments(shape: tuple[int, int] = (28, 28), *, patch: int = 4) -> np.ndarray:
    """Superpixels as a regular grid of ``patch × patch`` squares, labelled 0, 1, … row by row.

    For 28×28 digits, 4×4 patches give 49 superpixels of 16 pixels: small enough to follow a
    stroke, big enough that switching one off changes the model's input. (Edge patches are
    smaller when ``patch`` does not divide the shape.)

    Examples
    --------
    >>> grid_segments((4, 4), patch=2)
    array([[0, 0, 1, 1],
           [0, 0, 1, 1],
           [2, 2, 3, 3],
           [2, 2, 3, 3]])
    """
    if len(tuple(shape)) != 2:
        raise ValueError(f"shape must be (height, width) of one image; got {shape}.")
    patch = check_count(patch, "patch")
    h, w = (int(s) for s in shape)
    rows, cols = np.arange(h) // patch, np.arange(w) // patch
    return rows[:, None] * (-(-w // patch)) + cols[None, :]  # (h, w)


def lime_image(
    predict_fn: Callable[[np.ndarray], Any],
    images: Any,
    *,
    target: Any = None,
    segments: Any = None,
    n_samples: int = 1000,
    kernel_width: float = 0.25,
    fill: float = 0.0,
    seed: int = 0,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Attribution:
    """LIME for images: which superpixels, switched off, change the explained output?

    For each image: draw ``n_samples`` random on/off masks over its ``S`` superpixels (each on
    with probability 1/2; the first mask is all on, the image itself); replace the pixels of the
    switched-off superpixels by ``fill``; weight each mask by :func:`kernel_weights` of its cosine
    distance to the all-on mask, ``1 - sqrt(on / S)`` (lime's image kernel, width 0.25); fit
    :func:`fit_surrogate` (``alpha=1``) on the masks.

    Parameters
    ----------
    predict_fn : callable
        Maps a batch of images ``(N, h, w)`` (or ``(N, h, w, c)``) to ``(N,)`` or ``(N, K)``.
    images : array, shape (n, h, w) or (n, h, w, c)
        The images to explain; one image is ``images[None]``.
    target : None, int or array of int
        ``None`` → each image's predicted class; an int → that class for all.
    segments : None, int, or int array of shape (h, w) or (n, h, w)
        Superpixel labels per pixel. ``None`` → :func:`grid_segments` with 4×4 patches (49 for
        MNIST; the same for every image, so explanations compare across images and seeds). An int
        → a grid with that patch size. An array → your own labels (e.g. from
        ``skimage.segmentation.slic``), shared by all images or one map per image.
    n_samples : int
        Masks per image.
    kernel_width : float
        Width of the kernel on the cosine distance (lime's default 0.25).
    fill : float
        Value of switched-off pixels: 0 is the black background of MNIST, so "off" means "no ink
        here". (lime's ``hide_color=0``.)
    seed : int
        Seed of ``np.random.default_rng``; every image with the same number of superpixels gets
        the same masks, so a batch gives the same result as one image at a time.
    batch_size : int
        At most this many images per call of ``predict_fn``.

    Returns
    -------
    Attribution
        ``values`` has the shape of ``images``: each superpixel's coefficient spread evenly over
        its pixels (coef / size; with the default grid every superpixel has the same size, so the
        heatmap is the coefficients'). Pixel values then sum to the coefficients' sum, so with
        ``base_values`` = the intercept (the surrogate with everything off),
        ``completeness_gap()`` is ``f(x) - g(all on)``. ``extras``: ``segments`` (n, h, w),
        ``segment_values`` (list of (S,) coefficients — lime's ``local_exp`` numbers), ``score``.

    Examples
    --------
    >>> images = np.zeros((1, 8, 8)); images[0, :4, :4] = 1.0
    >>> attribution = lime_image(lambda x: x[:, :4, :4].mean(axis=(1, 2)), images, segments=4, n_samples=200)
    >>> int(np.argmax(attribution.extras["segment_values"][0]))
    0
    """
    dtype = np.float32 if getattr(images, "dtype", None) == np.float32 else float  # keep float32 (Keras) inputs
    images = as_batch(images, name="images", dtype=dtype)
    if images.ndim not in (3, 4):
        raise ValueError(
            f"images must have shape (n, h, w) or (n, h, w, channels); got {images.shape}. "
            "Pass images[None] for one image."
        )
    n, h, w = images.shape[:3]
    n_samples = check_count(n_samples, "n_samples", minimum=2)
    batch_size = check_count(batch_size, "batch_size", meaning="the number of images per call of predict_fn")
    width = check_positive(kernel_width, "kernel_width")
    labels = _image_segments(segments, n, (h, w))  # (n, h, w), labels 0..S_i-1 per image
    outputs, target = explained_outputs(predict_fn, images, target)

    masks = []
    for label in labels:
        mask = np.random.default_rng(seed).integers(0, 2, size=(n_samples, int(label.max()) + 1))  # (m, S)
        mask[0] = 1  # the first copy is the image itself
        masks.append(mask)

    def copy(r: np.ndarray) -> np.ndarray:
        """Copies ``r`` (image ``r // m``, mask ``r % m``) with the switched-off superpixels filled."""
        i, k = r // n_samples, r % n_samples
        on = np.stack([masks[a][b][labels[a]] for a, b in zip(i, k)])  # (b, h, w): is each pixel's superpixel on?
        if images.ndim == 4:
            on = on[..., None]
        return np.where(on, images[i], fill).astype(dtype)

    scores = predict_in_batches(predict_fn, RowsOnDemand(n * n_samples, copy), batch_size=batch_size)
    y = select_output(scores, None if target is None else np.repeat(target, n_samples)).reshape(n, n_samples)

    values = np.zeros(images.shape)
    segment_values, intercepts, fit_scores = [], np.zeros(n), np.zeros(n)
    for i, (mask, label) in enumerate(zip(masks, labels)):
        distance = 1.0 - np.sqrt(mask.sum(axis=1) / mask.shape[1])  # (m,) cosine distance to all-on
        coef, intercepts[i], fit_scores[i] = fit_surrogate(mask.astype(float), y[i], kernel_weights(distance, width))
        per_pixel = coef / np.bincount(label.ravel(), minlength=len(coef))  # spread over the pixels
        values[i] = per_pixel[label][..., None] if images.ndim == 4 else per_pixel[label]
        segment_values.append(coef)

    return Attribution(
        values=values,
        base_values=intercepts,
        outputs=outputs,
        data=images,
        target=target,
        method="LIME (image)",
        extras={"segments": labels, "segment_values": segment_values, "score": fit_scores, "kernel_width": width},
    )


def _image_segments(segments: Any, n: int, shape: tuple[int, int]) -> np.ndarray:
    """Superpixel labels of shape (n, h, w), relabelled 0..S-1 per image."""
    if segments is None or isinstance(segments, (int, np.integer)):
        grid = grid_segments(shape, patch=4 if segments is None else int(segments))
        return np.broadcast_to(grid, (n, *shape))
    labels = np.asarray(segments)
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(
            f"segments must hold integer superpixel labels; got dtype {labels.dtype}. Use segments.astype(int)."
        )
    if labels.shape == shape:
        labels = np.broadcast_to(labels, (n, *shape))
    if labels.shape != (n, *shape):
        raise ValueError(
            f"segments must have the shape of one image {shape} (shared) or one map per image {(n, *shape)}; got "
            f"{labels.shape}."
        )
    return np.stack([np.unique(label, return_inverse=True)[1].reshape(shape) for label in labels])


# --------------------------------------------------------------------------- stability
def top_k_jaccard(a: Any, b: Any, *, k: int) -> float:
    """Jaccard index of the top-``k`` features (by |value|) of two explanations of one example.

    ``|A ∩ B| / |A ∪ B|`` for ``A``, ``B`` the indices of the ``k`` largest absolute values: 1 when
    both explanations name the same ``k`` features, 0 when they share none.

    Examples
    --------
    >>> top_k_jaccard([3.0, -2.0, 0.1, 0.0], [0.2, -5.0, 0.0, 1.0], k=2)
    0.3333333333333333
    """
    a, b = np.ravel(np.asarray(a, dtype=float)), np.ravel(np.asarray(b, dtype=float))
    if a.shape != b.shape:
        raise ValueError(f"the two explanations must have the same number of features; got {a.size} and {b.size}.")
    k = check_count(k, "k")
    if k > a.size:
        raise ValueError(f"k={k} is more than the {a.size} features of the explanation.")
    top_a = set(np.argsort(-np.abs(a), kind="stable")[:k].tolist())
    top_b = set(np.argsort(-np.abs(b), kind="stable")[:k].tolist())
    return len(top_a & top_b) / len(top_a | top_b)


def seed_stability(runs: Sequence[Any], *, k: int) -> float:
    """Mean :func:`top_k_jaccard` over all pairs of explanations of one example (e.g. one per seed)."""
    runs = [np.ravel(np.asarray(r, dtype=float)) for r in runs]
    if len(runs) < 2:
        raise ValueError(f"seed_stability compares explanations pairwise: give at least 2, got {len(runs)}.")
    return float(np.mean([top_k_jaccard(a, b, k=k) for a, b in combinations(runs, 2)]))


# --------------------------------------------------------------------------- the 1-D picture
@dataclass
class LocalSurrogate1D:
    """The weighted local line of LIME around ``x0`` for a function of one variable."""

    x0: float
    samples: np.ndarray  # (m,) perturbed inputs
    outputs: np.ndarray  # (m,) f(samples)
    weights: np.ndarray  # (m,) kernel weights
    slope: float
    intercept: float
    kernel_width: float


def local_surrogate_1d(
    f: Callable[[np.ndarray], Any],
    x0: float,
    *,
    kernel_width: float,
    scale: float = 1.0,
    n_samples: int = 200,
    alpha: float = 0.0,
    seed: int = 0,
) -> LocalSurrogate1D:
    """LIME on a function of one number: samples ``x0 + scale * ε``, weights, and the weighted line.

    ``kernel_width`` is in units of ``scale`` (as tabular LIME's is in training stds). ``alpha=0``
    fits weighted least squares, so the line is exactly the best weighted linear fit.
    """
    scale = check_positive(scale, "scale")
    noise = np.random.default_rng(seed).standard_normal(check_count(n_samples, "n_samples", minimum=2))
    samples = float(x0) + scale * noise
    outputs = np.asarray(f(samples), dtype=float).reshape(-1)
    if outputs.shape != samples.shape:
        raise ValueError(
            f"f must map an array of {samples.size} numbers to {samples.size} outputs; got shape {outputs.shape}."
        )
    weights = kernel_weights(np.abs(noise), kernel_width)
    coef, intercept, _ = fit_surrogate(samples[:, None], outputs, weights, alpha=alpha)
    return LocalSurrogate1D(float(x0), samples, outputs, weights, float(coef[0]), float(intercept), float(kernel_width))


# --------------------------------------------------------------------------- small helpers
def _column_names(table: Any) -> list[str] | None:
    columns = getattr(table, "columns", None)
    return None if columns is None else [str(c) for c in columns]
