"""Drawing attributions: a heatmap over an image, a bar chart over named features.

Taught in notebook 06_gradient_attributions and reused by 07 (SHAP) and 08 (LIME), so that every
method of Part III is drawn the same way and can be compared by eye:

- :func:`plot_image_attribution` — a heatmap with the outline of the digit's ink on top: signed
  attributions (red pushes the explained output up, blue pushes it down, white is 0) on a
  diverging colour map centred at zero, non-negative ones (|gradient|, Grad-CAM) on a sequential
  map from white (0) to dark purple;
- :func:`plot_feature_attribution` — one example's attributions as horizontal bars, largest
  first, coloured by sign.

Both take ``ax=None``, return the axes they drew on and never call ``plt.show()``. They only
draw: the explainers (``course_utils.gradients``, ``shapley``, ``lime``) compute the arrays.
Colours are colour-blind safe (RdBu_r, Purples; Okabe–Ito vermillion and blue for the bars). Images are
drawn as black ink on white (``gray_r``) everywhere in the course.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects

from course_utils.validation import check_count

__all__ = [
    "plot_image_attribution", "plot_feature_attribution", "plot_local_surrogate", "plot_segments",
    "POSITIVE", "NEGATIVE", "DIVERGING", "SEQUENTIAL", "INK",
]

#: Bar colours (Okabe–Ito vermillion and blue): the same sides as the RdBu_r heatmaps.
POSITIVE, NEGATIVE = "#D55E00", "#0072B2"
#: Colour maps: signed attributions (centred at zero), non-negative maps (|gradient|, Grad-CAM), and images
#: themselves (black ink on white, the course's convention for drawing digits).
DIVERGING, SEQUENTIAL, INK = "RdBu_r", "Purples", "gray_r"


def _as_image(array: Any, name: str) -> np.ndarray:
    """``array`` as a float (h, w) image, or an error that says how to get one."""
    if hasattr(array, "values") and hasattr(array, "completeness_gap"):
        raise TypeError(
            f"{name} should be an array of shape (h, w); got an Attribution. Pass attribution.values[i] for example i."
        )
    image = np.asarray(array, dtype=float)
    if image.ndim == 3 and image.shape[-1] == 1:  # one channel, (h, w, 1)
        image = image[..., 0]
    if image.ndim == 3 and image.shape[0] == 1:
        raise ValueError(
            f"{name} should be one image of shape (h, w); got a batch of shape {image.shape}. Pass {name}[0]."
        )
    if image.ndim != 2:
        fix = f" Pick one example, e.g. {name}[i]." if image.ndim == 3 else " Reshape it, e.g. values.reshape(28, 28)."
        raise ValueError(f"{name} should be one image of shape (h, w); got shape {image.shape}.{fix}")
    return image


def _ink_outline(ax: plt.Axes, image: np.ndarray) -> None:
    """Draw the outline of the image's ink (pixels above half its range) as a thin black contour."""
    low, high = float(image.min()), float(image.max())
    if high <= low:  # a blank image has no ink to outline
        return
    lines = ax.contour(image, levels=[low + 0.5 * (high - low)], colors="black", linewidths=0.9)
    lines.set_path_effects([patheffects.withStroke(linewidth=2.2, foreground="white")])  # visible on dark heat too


def plot_image_attribution(
    image: Any,
    values: Any,
    *,
    ax: plt.Axes | None = None,
    overlay: bool = True,
    title: str | None = None,
    colorbar: bool = True,
    signed: bool | None = None,
) -> plt.Axes:
    """Draw one image's attributions as a heatmap with the outline of the image's ink on top.

    Signed attributions are drawn on a diverging colour map centred at zero (red > 0 > blue,
    white is 0); non-negative maps (``|gradient|``, Grad-CAM) on a sequential one (white is 0,
    darker is more).

    Parameters
    ----------
    image : array of shape (h, w)
        The explained image (e.g. an MNIST digit with pixels in [0, 1]); ``(h, w, 1)`` is fine.
    values : array of shape (h, w)
        One attribution per pixel, e.g. ``saliency(model, x).values[0]``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    overlay : bool
        Draw the outline of the image's ink (a black contour at half the image's range) over the
        heatmap, so you see *where* on the digit the attributions sit without hiding them. With
        ``False`` only the heatmap is drawn.
    title : str, optional
        Axes title.
    colorbar : bool
        Add a colour bar labelled "attribution" (switch it off in large grids and add one
        yourself, with :data:`DIVERGING` or :data:`SEQUENTIAL`).
    signed : bool, optional
        ``True``: the diverging map :data:`DIVERGING`, limits ``±max|values|``. ``False``: the
        sequential map :data:`SEQUENTIAL`, limits ``0 .. max(values)`` (only for non-negative
        values). ``None`` (default): signed unless every value is ≥ 0.

    Returns
    -------
    matplotlib Axes

    Notes
    -----
    Each panel has its own colour scale (``max|values|``), so compare patterns, not shades,
    across panels drawn separately. The ink convention of the course is black ink on white
    (``cmap="gray_r"``); here the ink is only outlined, so the heatmap stays readable.

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((28, 28)); image[8:20, 12:16] = 1.0
    >>> ax = plot_image_attribution(image, image - 0.2, title="a toy heatmap")
    >>> ax.get_title(), ax.get_images()[0].get_cmap().name
    ('a toy heatmap', 'RdBu_r')
    >>> plot_image_attribution(image, image, colorbar=False).get_images()[0].get_cmap().name
    'Purples'
    """
    image = _as_image(image, "image")
    values = _as_image(values, "values")
    if image.shape != values.shape:
        raise ValueError(
            f"image has shape {image.shape} but values has shape {values.shape}; they must match. "
            "Draw one example: plot_image_attribution(x[i], attribution.values[i])."
        )
    if not np.all(np.isfinite(values)):
        raise ValueError("values contains NaN or infinite numbers; check the explainer's output before plotting it.")
    if signed is None:
        signed = bool((values < 0).any())
    elif not signed and (values < 0).any():
        raise ValueError(
            f"signed=False draws non-negative maps on a sequential colour map, but values has negative entries "
            f"(down to {values.min():.3g}). Use signed=True (or leave signed=None), or pass np.abs(values)."
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(3.6, 3.0))

    limit = float(np.abs(values).max()) or 1.0
    if signed:  # symmetric limits: white is exactly 0
        heat = ax.imshow(values, cmap=DIVERGING, vmin=-limit, vmax=limit, interpolation="nearest")
    else:
        heat = ax.imshow(values, cmap=SEQUENTIAL, vmin=0.0, vmax=limit, interpolation="nearest")
    if overlay:
        _ink_outline(ax, image)
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    if colorbar:
        bar = ax.figure.colorbar(heat, ax=ax, fraction=0.046, pad=0.04)
        bar.set_label("attribution" if signed else "attribution (≥ 0)")
    return ax


def _format_value(value: Any) -> str:
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return f"{float(value):.4g}"
    return str(value)


def plot_feature_attribution(
    values: Any,
    feature_names: Sequence[str],
    *,
    ax: plt.Axes | None = None,
    data: Any = None,
    title: str | None = None,
    top_k: int | None = None,
    order: Sequence[int] | None = None,
) -> plt.Axes:
    """Draw one example's attributions as horizontal bars, largest |value| at the top.

    Parameters
    ----------
    values : array of shape (d,)
        One attribution per feature for ONE example, e.g. ``attribution.values[0]``.
    feature_names : sequence of d str
        The features' names, e.g. ``attribution.feature_names``.
    ax : matplotlib Axes, optional
        Where to draw; a new figure if omitted.
    data : array of shape (d,), optional
        The example's feature values; shown in the labels as ``name = value``.
    title : str, optional
        Axes title.
    top_k : int, optional
        Draw only the ``top_k`` largest |attributions|; the rest are summed into one grey bar
        "k other features".
    order : sequence of int, optional
        The features' indices from top to bottom, e.g. the order of another panel, so that two
        explanations of the same example can be read row by row (``np.argsort(-np.abs(other))``).
        Default: by |value|, largest first.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> ax = plot_feature_attribution([0.5, -1.0, 0.1], ["income", "late_payments", "age"])
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['late_payments', 'income', 'age']
    """
    if hasattr(values, "values") and hasattr(values, "completeness_gap"):
        raise TypeError(
            "values should be an array of shape (d,); got an Attribution. Pass attribution.values[i] "
            "(and attribution.feature_names) for example i."
        )
    if hasattr(values, "to_numpy"):
        values = values.to_numpy()
    values = np.asarray(values, dtype=float)
    if values.ndim == 2 and values.shape[0] == 1:
        values = values[0]
    if values.ndim != 1:
        fix = " Pick one example, e.g. values[i]." if values.ndim == 2 else ""
        raise ValueError(
            f"plot_feature_attribution draws one example, values of shape (d,); got shape {values.shape}.{fix}"
        )
    if isinstance(feature_names, str):
        raise ValueError(
            f"feature_names should be a list of {len(values)} names, one per feature; got the string {feature_names!r}."
        )
    names = [str(n) for n in feature_names]
    if len(names) != len(values):
        raise ValueError(
            f"feature_names has {len(names)} names but values has {len(values)} features; give one name per feature."
        )
    if data is not None:
        if hasattr(data, "to_numpy"):
            data = data.to_numpy()
        data = np.asarray(data, dtype=object)
        if data.ndim == 2 and data.shape[0] == 1:
            data = data[0]
        if data.shape != values.shape:
            raise ValueError(
                f"data should hold this example's {len(values)} feature values, shape {values.shape}; got shape "
                f"{data.shape}."
            )
        names = [f"{n} = {_format_value(v)}" for n, v in zip(names, data)]
    if top_k is not None:
        top_k = check_count(top_k, "top_k", meaning="how many features to draw (or None for all)")

    if order is None:
        order = np.argsort(-np.abs(values), kind="stable")  # largest |value| first
    else:
        order = np.asarray(order)
        if order.ndim != 1 or sorted(order.tolist()) != list(range(len(values))):
            raise ValueError(
                f"order should list each of the {len(values)} feature indices 0 .. {len(values) - 1} once, "
                "top bar first; "
                f"got {order.tolist()[:12]}. For the order of another explanation use np.argsort(-np.abs(other))."
            )
    shown = order if top_k is None else order[:top_k]
    bars = [values[i] for i in shown]
    labels = [names[i] for i in shown]
    colours = [POSITIVE if v > 0 else NEGATIVE for v in bars]
    rest = order[len(shown) :]
    if len(rest):
        bars.append(float(values[rest].sum()))
        labels.append(f"{len(rest)} other features")
        colours.append("#999999")

    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 0.45 * len(bars) + 1.2))
    positions = np.arange(len(bars))[::-1]  # first bar at the top
    ax.barh(positions, bars, color=colours, height=0.7)
    ax.set_yticks(positions, labels)
    ax.axvline(0.0, color="black", linewidth=0.8)
    span = max(float(np.abs(bars).max()), 1e-12)
    for y, v in zip(positions, bars):
        ax.text(
            v + (0.02 * span if v >= 0 else -0.02 * span),
            y,
            f"{v:+.3g}",
            va="center",
            ha="left" if v >= 0 else "right",
            fontsize="small",
        )
    low, high = min(0.0, min(bars)), max(0.0, max(bars))
    pad = 0.3 * span  # room for the value labels beyond the longest bars
    ax.set_xlim(low - pad, high + pad)
    ax.set_xlabel("attribution (red pushes the output up, blue down)")
    if title is not None:
        ax.set_title(title)
    return ax


# --------------------------------------------------------------------------- LIME's pictures (notebook 08)
_BLUE, _ORANGE, _VERMILLION = "#0072B2", "#E69F00", "#D55E00"  # Okabe–Ito


def plot_local_surrogate(
    f: Callable[[np.ndarray], Any],
    x0: float,
    *,
    kernel_width: float,
    scale: float = 1.0,
    n_samples: int = 200,
    seed: int = 0,
    ax=None,
    xlim: tuple[float, float] | None = None,
):
    """Draw ``f``, LIME's samples (area ∝ kernel weight), the weighted line and the tangent at ``x0``.

    The drawing function of notebook 08's kernel-width slider. Returns the axes; the fitted line is
    the artist labelled ``"LIME line"``.
    """
    import matplotlib.pyplot as plt

    from course_utils.lime import local_surrogate_1d

    fit = local_surrogate_1d(f, x0, kernel_width=kernel_width, scale=scale, n_samples=n_samples, seed=seed)
    if ax is None:
        _, ax = plt.subplots(figsize=(6.0, 4.0))
    low, high = xlim or (x0 - 3 * scale, x0 + 3 * scale)
    grid = np.linspace(low, high, 400)
    f_grid = np.asarray(f(grid), dtype=float)
    step = 1e-5 * scale
    tangent = float(
        (np.asarray(f(np.array([x0 + step])), dtype=float)[0] - np.asarray(f(np.array([x0 - step])), dtype=float)[0])
        / (2 * step)
    )
    f0 = float(np.asarray(f(np.array([x0])), dtype=float)[0])

    ax.plot(grid, f_grid, color="black", linewidth=1.5, label="model f(x)")
    ax.scatter(
        fit.samples,
        fit.outputs,
        s=4 + 60 * fit.weights,
        color=_ORANGE,
        alpha=0.6,
        edgecolor="none",
        label="samples (area ∝ kernel weight)",
    )
    ax.plot(
        grid,
        fit.intercept + fit.slope * grid,
        color=_VERMILLION,
        linewidth=2.5,
        label=f"LIME line, slope {fit.slope:+.2f}",
    )
    ax.plot(
        grid,
        f0 + tangent * (grid - x0),
        color=_BLUE,
        linestyle="--",
        linewidth=1.5,
        label=f"tangent at x0, slope {tangent:+.2f}",
    )
    ax.axvline(x0, color="grey", linewidth=0.8, linestyle=":")
    ax.scatter([x0], [f0], s=80, color="black", zorder=5, marker="*", label="explained input x0")
    pad = 0.15 * (f_grid.max() - f_grid.min() + 1e-12)
    ax.set_xlim(low, high)
    ax.set_ylim(f_grid.min() - pad, f_grid.max() + pad)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title(f"kernel width {kernel_width:g}")
    ax.legend(loc="upper left", fontsize="small")
    return ax


def plot_segments(image: Any, segments: Any, *, ax=None, title: str | None = None, color: str = _ORANGE):
    """Draw an image (black ink on white) with the borders of its superpixels (pixel-exact lines).

    Parameters
    ----------
    image : array of shape (h, w)
    segments : int array of shape (h, w)
        Superpixel label of each pixel.
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    image, segments = np.asarray(image, dtype=float), np.asarray(segments)
    if image.ndim != 2 or segments.shape != image.shape:
        raise ValueError(
            f"image and segments must both have shape (h, w); got {image.shape} and {segments.shape}. Pick one "
            "example, e.g. x[i]."
        )
    if ax is None:
        _, ax = plt.subplots(figsize=(3.0, 3.0))
    ax.imshow(image, cmap=INK, interpolation="nearest")
    rows, cols = np.nonzero(segments[:, 1:] != segments[:, :-1])  # border right of (r, c)
    lines = [[(c + 0.5, r - 0.5), (c + 0.5, r + 0.5)] for r, c in zip(rows, cols)]
    rows, cols = np.nonzero(segments[1:, :] != segments[:-1, :])  # border below (r, c)
    lines += [[(c - 0.5, r + 0.5), (c + 0.5, r + 0.5)] for r, c in zip(rows, cols)]
    ax.add_collection(LineCollection(lines, colors=color, linewidths=1.0))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title if title is not None else f"{len(np.unique(segments))} superpixels")
    return ax
