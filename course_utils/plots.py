"""Shared plot helpers: decision regions of a 2-feature classifier, weight vectors as images.

Taught in notebook 02_linear_svm and reused later (03 draws its MLP on XOR, 05 draws first-layer
weights). Every helper takes ``ax=None``/``axes=None``, returns the axes it drew on and never calls
``plt.show()``. Computing and drawing stay apart: the helpers take a prediction function or an
array and only draw.

Colours are the Okabe–Ito palette (safe for colour-blind readers); classes also get different
marker shapes, so the plots read in greyscale too.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap, to_rgb

from course_utils.validation import check_count

__all__ = ["OKABE_ITO", "plot_decision_boundary", "plot_weight_images", "plot_neuron"]

#: The Okabe–Ito colour-blind-safe palette (black last: it is kept for lines).
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def _light(colour: str, amount: float = 0.72) -> tuple[float, float, float]:
    """``colour`` mixed with white (``amount`` = share of white), for background regions."""
    r, g, b = to_rgb(colour)
    return (r + (1 - r) * amount, g + (1 - g) * amount, b + (1 - b) * amount)


def _check_points(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 2:
        hint = " Select two columns, e.g. X[:, :2]." if X.ndim == 2 else " Pass a batch of points, one row per example."
        raise ValueError(f"plot_decision_boundary draws 2 features; X has shape {X.shape}.{hint}")
    if not np.issubdtype(X.dtype, np.number):
        raise ValueError(f"plot_decision_boundary needs numeric features; X has dtype {X.dtype}.")
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != len(X):
        raise ValueError(
            f"y should hold one label per row of X, shape ({len(X)},); got shape {y.shape}."
            + (" Flatten it with y.ravel()." if y.size == len(X) else "")
        )
    return X.astype(float), y


def _predict_grid(predict_fn: Callable[[np.ndarray], Any], grid: np.ndarray) -> np.ndarray:
    if not callable(predict_fn):
        raise ValueError(
            f"predict_fn should be a function mapping points (n, 2) to labels or scores (n,); got "
            f"{type(predict_fn).__name__}. Pass e.g. clf.predict or clf.decision_function (no parentheses)."
        )
    out = np.asarray(predict_fn(grid))
    if out.ndim == 2 and out.shape[1] == 1:
        out = out[:, 0]
    if out.shape != (len(grid),):
        extra = (
            " For several classes pass the predicted class, e.g. lambda Z: scores(Z).argmax(axis=1)."
            if out.ndim == 2
            else ""
        )
        raise ValueError(
            f"predict_fn should return one label or score per point, shape ({len(grid)},); "
            f"it returned shape {out.shape}.{extra}"
        )
    return out


def plot_decision_boundary(
    predict_fn: Callable[[np.ndarray], Any],
    X: Any,
    y: Any,
    *,
    ax: plt.Axes | None = None,
    resolution: int = 200,
    padding: float = 0.5,
    title: str | None = None,
    feature_names: Sequence[str] | None = None,
) -> plt.Axes:
    """Shade the decision regions of a classifier on 2 features and scatter the points.

    Parameters
    ----------
    predict_fn : callable
        Maps points of shape ``(m, 2)`` to ``(m,)``: either class labels (integers, booleans,
        strings, or the values found in ``y``), drawn as one region per class, or real-valued
        scores (e.g. ``clf.decision_function``, logits), where a score > 0 means the larger of
        two classes; regions are shaded by the sign and the 0 contour — the decision boundary — is
        drawn as a black line. For a probability p of the larger class, pass
        ``lambda Z: p(Z) - 0.5``.
    X : array of shape (n, 2)
        The points, one per row.
    y : array of shape (n,)
        Their classes (any labels, e.g. {0, 1} or {-1, +1}); points are coloured by class.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    resolution : int
        Grid points per axis (the picture's sharpness; the cost is ``resolution**2`` predictions).
    padding : float
        Margin added around the points, in feature units.
    title : str, optional
        Axes title.
    feature_names : pair of str, optional
        Axis labels (default "feature 1", "feature 2").

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 0.0], [1.0, 1.0]]); y = np.array([-1, 1])
    >>> ax = plot_decision_boundary(lambda Z: Z.sum(axis=1) - 1.0, X, y, resolution=20)
    """
    X, y = _check_points(X, y)
    resolution = check_count(resolution, "resolution", minimum=2, meaning="the number of grid points per axis")
    if not np.isfinite(padding) or padding < 0:
        raise ValueError(f"padding is a margin in feature units, a number >= 0; got {padding!r}.")
    if feature_names is not None and (isinstance(feature_names, str) or len(feature_names) != 2):
        raise ValueError(f"feature_names should be two names, one per axis, e.g. ('petal length', 'petal width'); got {feature_names!r}.")

    lo, hi = X.min(axis=0) - padding, X.max(axis=0) + padding
    hi = np.where(hi > lo, hi, lo + 1.0)  # all points on a line: still draw a square
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([g0.ravel(), g1.ravel()])  # (resolution**2, 2)
    out = _predict_grid(predict_fn, grid)

    classes = np.unique(y)
    is_labels = out.dtype.kind in "biuUSO" or np.isin(out, classes).all()
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.5))

    if is_labels:
        region_classes = np.unique(np.concatenate([classes, np.unique(out)]))
        index = np.searchsorted(region_classes, out).reshape(g0.shape)
        colours = [_light(OKABE_ITO[i % 7]) for i in range(len(region_classes))]
        ax.pcolormesh(g0, g1, index, cmap=ListedColormap(colours), vmin=-0.5, vmax=len(region_classes) - 0.5,
                      shading="auto", rasterized=True)
        if len(np.unique(index)) > 1:
            ax.contour(g0, g1, index, levels=np.arange(len(region_classes) - 1) + 0.5, colors="black", linewidths=1.2)
        colour_of = {c: OKABE_ITO[i % 7] for i, c in enumerate(region_classes)}
    else:
        scores = out.astype(float).reshape(g0.shape)
        shade = ListedColormap([_light(OKABE_ITO[0]), _light(OKABE_ITO[1])])
        ax.pcolormesh(g0, g1, (scores > 0).astype(float), cmap=shade, vmin=0, vmax=1, shading="auto", rasterized=True)
        if scores.min() < 0 < scores.max():
            ax.contour(g0, g1, scores, levels=[0.0], colors="black", linewidths=1.5)
        colour_of = {c: OKABE_ITO[i % 7] for i, c in enumerate(classes)}

    signed = classes.dtype.kind in "if" and classes.min() < 0  # e.g. {-1, +1}: show the sign
    for i, c in enumerate(classes):
        mask = y == c
        name = f"{c:+g}" if signed else str(c)
        ax.scatter(X[mask, 0], X[mask, 1], s=28, color=colour_of[c], marker=_MARKERS[i % len(_MARKERS)],
                   edgecolor="black", linewidth=0.6, label=f"class {name}", zorder=3)
    names = feature_names or ("feature 1", "feature 2")
    ax.set(xlim=(lo[0], hi[0]), ylim=(lo[1], hi[1]), xlabel=names[0], ylabel=names[1])
    if title is not None:
        ax.set_title(title)
    ax.legend(loc="best", fontsize="small", framealpha=0.9)
    return ax


def plot_weight_images(
    W: Any,
    *,
    image_shape: tuple[int, int] = (8, 8),
    titles: Sequence[str] | None = None,
    axes: Any = None,
    ncols: int = 5,
) -> np.ndarray:
    """Draw each weight vector (a row of ``W``) as an image, red > 0 > blue, one shared colour bar.

    A linear model's weights over pixels are a picture of what it looks for: red pixels push the
    score up, blue ones down, white ones do not matter. The colour scale is symmetric around 0,
    shared by all images, so the images can be compared.

    Parameters
    ----------
    W : array of shape (k, h * w)
        One weight vector per row — scikit-learn's ``clf.coef_`` has this layout. A single
        vector of shape ``(h * w,)`` is drawn as one image.
    image_shape : (h, w)
        The shape of one image (8 × 8 for scikit-learn's digits, 28 × 28 for MNIST).
    titles : sequence of k str, optional
        One title per image (default "0", "1", ...).
    axes : array of matplotlib Axes, optional
        At least ``k`` axes to draw on (left over axes are switched off); a new figure with
        ``ncols`` columns if omitted.
    ncols : int
        Columns of the new figure.

    Returns
    -------
    numpy array of matplotlib Axes, shape (k,)
        The axes holding the images, in the order of the rows of ``W``.

    Examples
    --------
    >>> import numpy as np
    >>> axes = plot_weight_images(np.random.default_rng(0).normal(size=(3, 64)))
    >>> axes.shape
    (3,)
    """
    W = np.asarray(W, dtype=float)
    if W.ndim == 1:
        W = W[None]
    if len(image_shape) != 2 or any(int(s) < 1 for s in image_shape):
        raise ValueError(f"image_shape should be (height, width), e.g. (8, 8); got {image_shape!r}.")
    h, w = int(image_shape[0]), int(image_shape[1])
    if W.ndim != 2 or W.shape[1] != h * w:
        fix = (
            " Each row should be one weight vector: transpose it, W.T."
            if W.ndim == 2 and W.shape[0] == h * w
            else f" Pass one weight vector of {h * w} values per row, or set image_shape."
        )
        raise ValueError(f"plot_weight_images draws rows of {h}×{w} = {h * w} weights; W has shape {W.shape}.{fix}")
    k = len(W)
    if titles is not None and len(titles) != k:
        raise ValueError(f"titles should have one entry per weight vector ({k}); got {len(titles)}.")
    ncols = check_count(ncols, "ncols")

    if axes is None:
        ncols = min(ncols, k)
        nrows = math.ceil(k / ncols)
        _, axes = plt.subplots(nrows, ncols, figsize=(1.6 * ncols + 1.0, 1.7 * nrows), squeeze=False)
    all_axes = np.asarray(axes, dtype=object).ravel()
    if len(all_axes) < k:
        raise ValueError(f"axes holds {len(all_axes)} axes but W has {k} weight vectors; pass at least {k} axes or axes=None.")

    vmax = float(np.abs(W).max()) or 1.0  # symmetric scale: white is exactly 0
    image = None
    for i, ax in enumerate(all_axes):
        if i >= k:
            ax.axis("off")
            continue
        image = ax.imshow(W[i].reshape(h, w), cmap="RdBu_r", vmin=-vmax, vmax=vmax, interpolation="nearest")
        ax.set_title(str(i) if titles is None else titles[i], fontsize="medium")
        ax.set_xticks([])
        ax.set_yticks([])
    fig = all_axes[0].figure
    bar = fig.colorbar(image, ax=list(all_axes), shrink=0.85, pad=0.02)
    bar.set_label("weight (0 = white)")
    return all_axes[:k]


# ---------------------------------------------------------------------------------------------
# The neuron explorer of notebook 05
# ---------------------------------------------------------------------------------------------


def _draw_weights(ax, layer, unit: int, image_shape: tuple[int, int]) -> None:
    from course_utils.env import import_keras

    keras = import_keras()
    if isinstance(layer, keras.layers.Dense):
        w = np.asarray(layer.kernel)[:, unit]  # (inputs,)
        if w.size == math.prod(image_shape):
            vmax = float(np.abs(w).max()) or 1.0
            im = ax.imshow(w.reshape(image_shape), cmap="RdBu_r", vmin=-vmax, vmax=vmax)
            ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="weight (0 = white)")
            ax.set(xticks=[], yticks=[], title=f"incoming weights of unit {unit}\nred excites, blue inhibits")
            return
        colors = np.where(w >= 0, "#D55E00", "#0072B2")
        ax.bar(np.arange(w.size), w, color=colors, width=1.0)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set(xlabel="unit of the layer below", ylabel="weight", title=f"incoming weights of unit {unit}")
        return
    if isinstance(layer, keras.layers.Conv2D):
        k = np.asarray(layer.kernel)[..., unit]  # (kh, kw, in_channels)
        k = k[..., 0] if k.shape[-1] == 1 else k.reshape(-1, k.shape[-1]).T  # (kh, kw) or (in_channels, kh*kw)
        vmax = float(np.abs(k).max()) or 1.0
        im = ax.imshow(k, cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="auto")
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label="weight (0 = white)")
        labels = ("kernel column", "kernel row") if k.ndim == 2 and layer.kernel.shape[2] == 1 else ("kernel position", "input channel")
        ax.set(xlabel=labels[0], ylabel=labels[1], title=f"filter of channel {unit}")
        return
    ax.text(0.5, 0.5, f"{type(layer).__name__} layer:\nno weights of its own", ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()


def plot_neuron(model, layer_name: str, unit: int, x: Any, *, fig=None, k: int = 9, activations: Any = None, image_shape: tuple[int, int] = (28, 28)):
    """The neuron explorer: one unit's incoming weights, its top ``k`` inputs and its activation histogram.

    Parameters
    ----------
    model : keras.Model
    layer_name : str
    unit : int
        The unit (neuron or channel) of that layer.
    x : array of shape (n, ...)
        The inputs to search (images; rows of 784 pixels are shown as 28×28).
    fig : matplotlib Figure, optional
        Drawn into (cleared first) — the widget redraws one figure; a new figure if omitted.
    k : int
        How many top inputs to show (a square number fills the grid).
    activations : array, optional
        The layer's activations on ``x`` if already computed (saves a forward pass).
    image_shape : (h, w)
        Shape used to draw inputs and first-layer weights.

    Returns
    -------
    matplotlib Figure
        Three panels: weights (an image for a layer on the pixels, bars otherwise, the filter of a
        convolution), the top inputs with their activations (or, for a unit with the same output
        on every input, such as a dead ReLU unit, a note saying so), and the histogram of the
        unit's activation over ``x``.

    Examples
    --------
    >>> from course_utils.models import load_pretrained
    >>> from course_utils.datasets import load_mnist
    >>> _, (x_test, _) = load_mnist()
    >>> fig = plot_neuron(load_pretrained("mlp"), "hidden_1", 3, x_test[:200])
    >>> len(fig.axes) > 3
    True
    """
    import matplotlib.pyplot as plt

    from course_utils.hidden import find_layer, get_activations
    from course_utils.units import most_activating, unit_column

    layer = find_layer(model, layer_name)
    if activations is None:
        activations = get_activations(model, x, [layer_name])[layer_name]
    values = unit_column(activations, unit)  # (n,)
    if len(values) != len(x):
        raise ValueError(f"activations hold {len(values)} examples but x holds {len(x)}; compute them on the same x.")
    top = most_activating(activations, unit, k=k)
    if fig is None:
        fig = plt.figure(figsize=(12, 3.8))
    else:
        fig.clear()
    grid = fig.add_gridspec(1, 3, width_ratios=[1.1, 1.0, 1.3], wspace=0.35)
    _draw_weights(fig.add_subplot(grid[0]), layer, unit, image_shape)

    if len(values) and np.all(values == values[0]):  # a dead unit: every input ties, so no input is "top"
        ax = fig.add_subplot(grid[1])
        state = "never fires: it is dead" if values[0] == 0 else "is constant"
        note = f"unit {unit} outputs {values[0]:.3g}\non all {len(values)} inputs:\nit {state},\nno input excites it more than another"
        ax.text(0.5, 0.5, note, ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        top = top[:0]
    side = math.ceil(math.sqrt(len(top)))
    cells = grid[1].subgridspec(max(side, 1), max(side, 1), wspace=0.08, hspace=0.35)
    images = np.asarray(x, dtype=float)
    for i in range(len(top) and side * side):
        ax = fig.add_subplot(cells[i // side, i % side])
        ax.set_axis_off()
        if i < len(top):
            ax.imshow(images[top[i]].reshape(image_shape), cmap="gray_r", vmin=0, vmax=1)
            ax.set_title(f"{values[top[i]]:.2f}", fontsize="small")
        if i == side // 2:
            ax.text(0.5, 1.45, f"top {len(top)} inputs (activation)", ha="center", va="bottom", transform=ax.transAxes)

    ax = fig.add_subplot(grid[2])
    ax.hist(values, bins=30, color="#0072B2")
    if len(top):
        ax.axvline(values[top[-1]], color="#D55E00", linestyle="--", label=f"top {len(top)} are right of this")
        ax.legend(loc="upper right", fontsize="small")
    silent = float(np.mean(values <= 0))
    ax.set(xlabel="activation", ylabel="number of inputs", title=f"{layer_name}, unit {unit}: silent on {silent:.0%} of {len(values)} inputs")
    return fig
