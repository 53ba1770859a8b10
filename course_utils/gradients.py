"""Gradient attributions: saliency, gradient × input, SmoothGrad, integrated gradients, Grad-CAM.

Every explainer takes a differentiable TensorFlow/Keras ``model``, a batch ``x`` of shape
``(n, ...)`` (one example is ``x[None]``) and a ``target`` (None → each example's predicted
class, an int → that class for all, an array → one class per example), and returns an
:class:`~course_utils.explanation.Attribution` whose ``values`` have the shape of ``x``.

**What is explained** is ``model(x)[:, target]`` — whatever the model returns. For the course's
pretrained models (``course_utils.models.load_pretrained``) that is a softmax *probability*.
``course_utils.models.logits_model(model)`` gives the pre-softmax *logits*, which are usually
the better thing to explain: the softmax saturates (a confident prediction has a gradient near
zero everywhere) and couples the classes (a class's probability rises when the *other* logits
fall), so probability gradients mix "evidence for this class" with "evidence against the rest".

- :func:`saliency` — the gradient ∂f/∂x (Simonyan, Vedaldi & Zisserman, 2014, drew its absolute
  value). Values are slopes, not contributions: ``base_values`` is NaN.
- :func:`gradient_x_input` — gradient ⊙ input (Shrikumar et al., 2017): the first-order Taylor
  term around the all-zero input, so ``base_values = f(0)``. Exact for a linear model.
- :func:`smoothgrad` — the average of another method over noisy copies of the input (Smilkov
  et al., 2017). It *wraps* a method (saliency by default) through :func:`_noise_tunnel`.
- :func:`integrated_gradients` — ``(x - x') ⊙`` the gradient averaged along the straight path from
  a baseline ``x'`` to ``x`` (Sundararajan, Taly & Yan, 2017), by a midpoint Riemann sum.
  Its attributions add up to ``f(x) - f(x')`` (completeness) up to the sum's error, which
  :meth:`Attribution.completeness_gap` reports.
- :func:`grad_cam` — ReLU of the feature maps of a convolutional layer weighted by their
  spatially averaged gradients, upsampled to the input (Selvaraju et al., 2017).

A caution: Adebayo et al. (2018), *Sanity checks for saliency maps*, show that some gradient
maps hardly change when the model's weights are randomized — looking like an edge detector is
not evidence that a map explains the model (notebook 10 runs that check).

Taught in notebook 06_gradient_attributions. The gradients come from ``tf.GradientTape``, in
batches; the model runs in inference mode (``training=False``: dropout is off).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterator

import numpy as np
import numpy.typing as npt

import course_utils  # noqa: F401  (quietens TensorFlow before it is imported)
from course_utils.explanation import Attribution, Target, resolve_target, select_output
from course_utils.keras_graph import check_graph_model, layer_call
from course_utils.validation import (
    DEFAULT_BATCH_SIZE,
    RowsOnDemand,
    as_model_batch,
    check_count,
    in_batches,
    predict_in_batches,
)

if TYPE_CHECKING:  # for the annotations only: importing this module does not import TensorFlow
    import keras
    import tensorflow as tf

    #: A differentiable model: a Keras model, or a function of TensorFlow tensors, batch (n, ...) -> (n, K) or (n,).
    Model = keras.Model | Callable[[tf.Tensor], tf.Tensor]

__all__ = ["saliency", "gradient_x_input", "smoothgrad", "integrated_gradients", "grad_cam", "conv_layer_names"]


# ---------------------------------------------------------------------------------------------
# Shared pieces: the model call, the explained output, and the one gradient loop
# ---------------------------------------------------------------------------------------------


def _tf():
    import tensorflow as tf

    return tf


def _select(scores, target):
    """``scores[i, target[i]]`` as a TensorFlow tensor, shape (n,)."""
    tf = _tf()
    if target is None:
        return tf.reshape(scores, [-1])
    return tf.gather(scores, tf.constant(target), axis=1, batch_dims=1)


def _no_gradient_error() -> ValueError:
    return ValueError(
        "the model's output has no gradient with respect to x. Pass a Keras model, or a function built "
        "from TensorFlow operations (not model.predict or a NumPy function)."
    )


def _call(model: Model, batch):
    """``model(batch)`` in inference mode, as a TensorFlow tensor of shape (n,) or (n, K)."""
    tf = _tf()
    try:
        scores = model(batch, training=False)
    except TypeError:  # a plain function without a training argument
        scores = model(batch)
    if not tf.is_tensor(scores):
        raise _no_gradient_error()
    if scores.shape.rank not in (1, 2):
        raise ValueError(f"the model should return scores of shape (n,) or (n, K); it returned {tuple(scores.shape)}.")
    return scores


def _scores(model: Model, x: np.ndarray) -> np.ndarray:
    """``model(x)`` as NumPy, in batches of :data:`~course_utils.validation.DEFAULT_BATCH_SIZE`."""
    return predict_in_batches(lambda batch: np.asarray(_call(model, batch)), x)


def _input_and_scores(model: Model) -> Callable:
    """The forward pass of input gradients: a batch -> (the batch itself, the model's scores)."""
    return lambda batch: (batch, _call(model, batch))


def _gradient_batches(
    forward: Callable, x: Any, target: Target, *, batch_size: int = DEFAULT_BATCH_SIZE
) -> Iterator[tuple]:
    """The one gradient loop: for each batch, ``(rows, outputs, gradients, watched, target)``.

    ``forward(batch)`` returns ``(watched, scores)``: the tensor to differentiate with respect to
    (the batch itself for input gradients, a layer's feature maps for Grad-CAM) and the model's
    scores. ``x`` is an array or rows made on demand (``len(x)`` and slices, e.g. the points of an
    integration path). ``target`` is the raw rule (None, int or one per example), resolved on each
    batch's own scores, so ``None`` means the predicted class of each input. ``rows`` is the
    batch's slice of ``x``; the arrays are NumPy: outputs (b,), gradients and watched (b, ...).
    """
    tf = _tf()
    n = len(x)
    if np.ndim(target) == 1 and len(target) != n:
        raise ValueError(
            f"target has shape {np.shape(target)}; give one class per example, shape ({n},), or a single int."
        )
    for rows, inputs in in_batches(x, batch_size):
        batch = tf.constant(np.asarray(inputs, dtype=np.float32))
        part = target if target is None or np.ndim(target) == 0 else np.asarray(target)[rows]
        with tf.GradientTape() as tape:
            tape.watch(batch)
            watched, scores = forward(batch)
            chosen = resolve_target(part, np.asarray(scores))
            explained = _select(scores, chosen)  # (b,)
        grad = tape.gradient(explained, watched)
        if grad is None:
            raise _no_gradient_error()
        yield rows, explained.numpy().astype(float), grad.numpy().astype(float), np.asarray(watched), chosen


def _gradients(forward: Callable, x: Any, target: Target, *, keep_watched: bool = False):
    """All batches of :func:`_gradient_batches` joined: outputs (n,), gradients (n, ...), watched or None, target."""
    parts = list(zip(*_gradient_batches(forward, x, target)))
    _, outputs, grads, watched, targets = parts
    target = None if targets[0] is None else np.concatenate(targets)
    return np.concatenate(outputs), np.concatenate(grads), np.concatenate(watched) if keep_watched else None, target


def _input_gradients(model: Model, x: np.ndarray, target: Target):
    """Explained outputs (n,), their input gradients (n, ...) and the resolved target."""
    outputs, grads, _, target = _gradients(_input_and_scores(model), x, target)
    return outputs, grads, target


# ---------------------------------------------------------------------------------------------
# Saliency and gradient × input
# ---------------------------------------------------------------------------------------------


def saliency(model: Model, x: npt.ArrayLike, *, target: Target = None) -> Attribution:
    """The gradient of the explained output with respect to each input feature.

    Explains ``model(x)[:, target]`` — softmax probabilities for the course's pretrained models;
    pass ``course_utils.models.logits_model(model)`` to explain the logits, which is usually
    preferred (the softmax saturates and couples the classes).

    Parameters
    ----------
    model : keras.Model or callable on TensorFlow tensors
        Maps a batch ``(n, ...)`` to scores ``(n, K)`` (or ``(n,)`` for one output).
    x : array of shape (n, ...)
        The inputs, batch first: one example is ``x[None]``.
    target : None, int or array of shape (n,)
        None → each example's predicted class; an int → that class for all; an array → one each.

    Returns
    -------
    Attribution
        ``values`` (n, ...) = ∂ model(x)[i, target[i]] / ∂ x[i], *signed*; Simonyan et al.
        (2014) draw ``np.abs(values)``. ``outputs`` = the explained outputs. A gradient is a
        slope, not a share of the output, so ``base_values`` is NaN (and so is the completeness
        gap).

    Examples
    --------
    >>> from course_utils.models import load_pretrained, logits_model
    >>> from course_utils.datasets import load_mnist
    >>> _, (x, y) = load_mnist()
    >>> result = saliency(logits_model(load_pretrained("mlp")), x[:2])
    >>> result.values.shape
    (2, 28, 28)
    """
    x = as_model_batch(model, x)
    outputs, grads, target = _input_gradients(model, x, target)
    return Attribution(values=grads, base_values=np.nan, outputs=outputs, data=x, target=target, method="saliency")


def gradient_x_input(model: Model, x: npt.ArrayLike, *, target: Target = None) -> Attribution:
    """Gradient ⊙ input: each feature's value times the output's slope along it.

    It is the first-order Taylor term of ``f`` around the all-zero input, so for a linear model
    ``f(x) = w·x + b`` the values ``w ⊙ x`` add up to exactly ``f(x) - f(0)`` (Shrikumar et al.,
    2017). Explains ``model(x)[:, target]`` (probabilities for the pretrained models; logits
    via ``course_utils.models.logits_model``, usually preferred).

    Parameters
    ----------
    model, x, target
        As in :func:`saliency`.

    Returns
    -------
    Attribution
        ``values`` (n, ...) = gradient ⊙ x; ``base_values`` = ``f(0)[target]``, the output at the
        all-zero input, so ``completeness_gap()`` measures how far from linear the model is
        between 0 and x.

    Examples
    --------
    >>> import numpy as np, keras
    >>> linear = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    >>> result = gradient_x_input(linear, np.ones((1, 3)))
    >>> bool(abs(result.completeness_gap()[0]) < 1e-5)
    True
    """
    x = as_model_batch(model, x)
    outputs, grads, target = _input_gradients(model, x, target)
    base = select_output(_scores(model, np.zeros_like(x)), target)
    return Attribution(
        values=grads * x, base_values=base, outputs=outputs, data=x, target=target, method="gradient × input"
    )


# ---------------------------------------------------------------------------------------------
# SmoothGrad: a noise tunnel around any method
# ---------------------------------------------------------------------------------------------


def _noise_tunnel(
    method: Callable[..., Attribution],
    model: Model,
    x: np.ndarray,
    *,
    target: Target,
    n_samples: int,
    noise_level: float,
    seed: int | None,
) -> Attribution:
    """Average ``method`` over ``n_samples`` noisy copies of each input.

    The noise is ``rng.normal(size=(n_samples, *x.shape)) * sigma`` with
    ``rng = np.random.default_rng(seed)`` and, for each example, ``sigma = noise_level *
    (x_i.max() - x_i.min())``. The target is fixed on the *clean* inputs, so every noisy copy
    explains the same class.
    """
    n_samples = check_count(n_samples, "n_samples", meaning="the number of noisy copies per example")
    if not np.isfinite(noise_level) or noise_level < 0:
        raise ValueError(
            "noise_level is the noise's standard deviation as a fraction of the input range, a number >= 0 (e.g. "
            f"0.15); got {noise_level!r}."
        )
    clean = method(model, x, target=target)  # fixes the target; its outputs are f(x)
    target = clean.target
    flat = x.reshape(len(x), -1)
    sigma = (noise_level * (flat.max(axis=1) - flat.min(axis=1))).reshape((-1,) + (1,) * (x.ndim - 1))  # (n, 1, ...)
    rng = np.random.default_rng(seed)
    per_call = max(1, DEFAULT_BATCH_SIZE // len(x))  # noisy copies per call of the method
    total = np.zeros(x.shape)
    base = np.zeros(len(x))

    def noisy_copies(samples: np.ndarray) -> np.ndarray:  # (len(samples), n, ...): the batch with fresh noise
        return (x[None] + rng.normal(size=(len(samples), *x.shape)) * sigma[None]).astype(np.float32)

    draws = RowsOnDemand(n_samples, noisy_copies)
    for _, noisy in in_batches(draws, per_call):  # noisy: (k, n, ...), k noisy copies of the batch
        k = len(noisy)
        tiled = None if target is None else np.tile(target, k)
        result = method(model, noisy.reshape(k * len(x), *x.shape[1:]), target=tiled)
        total += result.values.reshape(k, *x.shape).sum(axis=0)
        base += result.base_values.reshape(k, len(x)).sum(axis=0)
    return Attribution(
        values=total / n_samples,
        base_values=base / n_samples,
        outputs=clean.outputs,
        data=x,
        target=target,
        method=f"smoothgrad ({clean.method})",
        extras={"n_samples": n_samples, "noise_level": noise_level, "sigma": sigma.reshape(-1), "seed": seed},
    )


def smoothgrad(
    model: Model,
    x: npt.ArrayLike,
    *,
    target: Target = None,
    n_samples: int = 50,
    noise_level: float = 0.15,
    seed: int | None = 0,
    method: Callable[..., Attribution] | None = None,
) -> Attribution:
    """SmoothGrad: another attribution method averaged over noisy copies of the input.

    Gradients of ReLU networks jump from pixel to pixel; averaging them over Gaussian noise
    keeps what is stable (Smilkov, Thorat, Kim, Viégas & Wattenberg, 2017). Explains
    ``model(x)[:, target]`` (probabilities for the pretrained models; logits via
    ``course_utils.models.logits_model``, usually preferred).

    Parameters
    ----------
    model, x, target
        As in :func:`saliency`; ``target=None`` is the predicted class of the *clean* input.
    n_samples : int
        Noisy copies per example.
    noise_level : float
        Standard deviation of the noise as a fraction of each input's range, σ / (x_max − x_min)
        (Smilkov et al. found 10–20 % best). 0 gives the wrapped method itself.
    seed : int or None
        Seed of ``np.random.default_rng``: the same seed gives the same noise.
    method : callable, optional
        The method to smooth, called as ``method(model, x, target=...)``; default
        :func:`saliency`. ``gradient_x_input`` gives SmoothGrad × input.

    Returns
    -------
    Attribution
        ``values`` (n, ...) = the mean of ``method(...).values`` over the noisy copies;
        ``outputs`` = the explained outputs at the clean ``x``; ``base_values`` = the mean of
        the wrapped method's base values (NaN for saliency); ``extras`` holds ``sigma`` (n,).

    Examples
    --------
    >>> from course_utils.models import load_pretrained, logits_model
    >>> from course_utils.datasets import load_mnist
    >>> _, (x, y) = load_mnist()
    >>> smoothgrad(logits_model(load_pretrained("mlp")), x[:1], n_samples=10).values.shape
    (1, 28, 28)
    """
    method = saliency if method is None else method
    if not callable(method):
        raise TypeError(
            "method should be an attribution function such as saliency or gradient_x_input; got "
            f"{type(method).__name__}."
        )
    x = as_model_batch(model, x)
    return _noise_tunnel(method, model, x, target=target, n_samples=n_samples, noise_level=noise_level, seed=seed)


# ---------------------------------------------------------------------------------------------
# Integrated gradients
# ---------------------------------------------------------------------------------------------


def _as_baseline(baseline: float | npt.ArrayLike | None, x: np.ndarray) -> np.ndarray:
    """The baseline broadcast to ``x``'s shape: None → zeros, a scalar, one example, or one each."""
    if baseline is None:
        return np.zeros_like(x)
    b = np.asarray(baseline, dtype=np.float32)
    if b.ndim == 0 or b.shape == x.shape[1:]:
        return np.broadcast_to(b, x.shape).copy()
    if b.shape == x.shape:
        return b
    example = "(" + ", ".join(map(str, x.shape[1:])) + ")"
    raise ValueError(
        f"baseline has shape {b.shape} but x has shape {x.shape}. Give a number (e.g. 0.0), an array of one "
        f"example's shape {example}, or one baseline per example, shape {x.shape}."
    )


def integrated_gradients(
    model: Model,
    x: npt.ArrayLike,
    *,
    target: Target = None,
    baseline: float | npt.ArrayLike | None = None,
    n_steps: int = 50,
    batch_size: int | None = None,
) -> Attribution:
    """Integrated gradients: (x − baseline) ⊙ the gradient averaged along the straight path.

    ``IG_j(x) = (x_j − x'_j) · ∫₀¹ ∂f(x' + α(x − x'))/∂x_j dα`` (Sundararajan, Taly & Yan, 2017),
    computed by the **midpoint rule**: the gradient is evaluated at ``α_k = (k + ½) / n_steps``
    for ``k = 0, …, n_steps − 1`` and averaged. By the fundamental theorem of calculus for path
    integrals the attributions add up to ``f(x) − f(x')`` (completeness); the midpoint sum does
    so up to an error that shrinks as ``n_steps`` grows, reported by ``completeness_gap()``.
    For a linear model every gradient equals the weights and the result is exactly
    ``w ⊙ (x − x')``.

    Explains ``model(x)[:, target]`` — probabilities for the pretrained models; logits via
    ``course_utils.models.logits_model`` are usually preferred (the softmax saturates, so most
    of a probability's path can be flat).

    Parameters
    ----------
    model, x, target
        As in :func:`saliency`; ``target=None`` is the predicted class at ``x``.
    baseline : None, float or array
        The reference input ``x'``: None → all zeros (a black image); a number → that value
        everywhere; an array of one example's shape, or of ``x``'s shape (one per example).
    n_steps : int
        Gradient evaluations along the path (the Riemann sum's slices).
    batch_size : int, optional
        Path points per forward/backward pass; None → 256 (the whole path of a few examples at
        once). Only memory and speed depend on it, not the result.

    Returns
    -------
    Attribution
        ``values`` (n, ...) the attributions; ``base_values`` = ``f(x')[target]``; ``outputs`` =
        ``f(x)[target]``; ``extras`` holds ``baseline``, ``n_steps`` and ``rule="midpoint"``.

    Examples
    --------
    >>> from course_utils.models import load_pretrained, logits_model
    >>> from course_utils.datasets import load_mnist
    >>> _, (x, y) = load_mnist()
    >>> result = integrated_gradients(logits_model(load_pretrained("mlp")), x[:2], n_steps=300)
    >>> bool(abs(result.completeness_gap()).max() < 0.01 * abs(result.outputs - result.base_values).min())
    True
    """
    x = as_model_batch(model, x)
    n_steps = check_count(
        n_steps, "n_steps", meaning="the number of gradient evaluations along the path (Riemann-sum steps)"
    )
    batch_size = (
        DEFAULT_BATCH_SIZE
        if batch_size is None
        else check_count(batch_size, "batch_size", meaning="the number of path points per pass")
    )
    base = _as_baseline(baseline, x)

    scores_x = _scores(model, x)
    target = resolve_target(target, scores_x)  # fixed at x, not at the baseline or along the path
    outputs = select_output(scores_x, target)
    base_values = select_output(_scores(model, base), target)

    path = _straight_path(base, x, n_steps)  # n * n_steps points
    path_target = None if target is None else np.repeat(target, n_steps)
    grad_sum = np.zeros(x.shape)
    for rows, _, grads, _, _ in _gradient_batches(_input_and_scores(model), path, path_target, batch_size=batch_size):
        np.add.at(
            grad_sum, np.arange(rows.start, rows.stop) // n_steps, grads
        )  # point p belongs to example p // n_steps
    values = (x - base) * grad_sum / n_steps
    return Attribution(
        values=values,
        base_values=base_values,
        outputs=outputs,
        data=x,
        target=target,
        method="integrated gradients",
        extras={"baseline": base, "n_steps": n_steps, "rule": "midpoint"},
    )


def _straight_path(base: np.ndarray, x: np.ndarray, n_steps: int) -> RowsOnDemand:
    """The midpoints of the straight paths from each baseline to its input, made one batch at a time.

    Point ``p`` is example ``p // n_steps`` at ``α = (p % n_steps + ½) / n_steps``: ``x' + α (x − x')``.
    """
    alphas = (np.arange(n_steps) + 0.5) / n_steps  # midpoints of n_steps equal slices of [0, 1]
    shape = (-1,) + (1,) * (x.ndim - 1)

    def points(p: np.ndarray) -> np.ndarray:
        i, alpha = p // n_steps, alphas[p % n_steps].reshape(shape)
        return (base[i] + alpha * (x[i] - base[i])).astype(np.float32)  # (b, ...)

    return RowsOnDemand(len(x) * n_steps, points)


# ---------------------------------------------------------------------------------------------
# Grad-CAM
# ---------------------------------------------------------------------------------------------


def _conv_types() -> tuple:
    import keras

    return (
        keras.layers.Conv2D,
        keras.layers.SeparableConv2D,
        keras.layers.DepthwiseConv2D,
        keras.layers.Conv2DTranspose,
    )


def conv_layer_names(model: keras.Model) -> list[str]:
    """Names of the model's 2-D convolutional layers, in order (top-level layers only).

    Examples
    --------
    >>> from course_utils.models import build
    >>> conv_layer_names(build("cnn"))
    ['conv_1', 'conv_2', 'last_conv']
    """
    return [layer.name for layer in getattr(model, "layers", []) if isinstance(layer, _conv_types())]


def _maps_and_scores(model: Model, layer) -> Callable:
    """The forward pass of Grad-CAM: a batch -> (the layer's feature maps, the model's scores)."""
    import keras

    if isinstance(model, keras.Sequential):

        def run(x):
            h, maps = x, None
            for each in model.layers:
                h = each(h, training=False)
                if each is layer:
                    maps = h
            return maps, h

        return run
    check_graph_model(model, who="grad_cam")
    node = layer_call(model, layer, why="Grad-CAM needs one call")
    extractor = keras.Model(model.inputs[0], [node.output_tensors[0], model.outputs[0]])
    return lambda x: extractor(x, training=False)


def _upsample(maps: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of (n, h, w) maps to (n, *size), half-pixel centres (as tf.image.resize)."""
    if maps.shape[1:] == tuple(size):
        return maps
    tf = _tf()
    return tf.image.resize(maps[..., None], size, method="bilinear").numpy()[..., 0]


def grad_cam(model: Model, x: npt.ArrayLike, *, target: Target = None, layer_name: str | None = None) -> Attribution:
    """Grad-CAM: the feature maps of a conv layer, weighted by their average gradient.

    With ``A_k`` the k-th feature map of the layer (h × w) and ``y`` the explained output,
    each map gets the weight ``α_k = mean over positions of ∂y/∂A_k`` and the map is
    ``ReLU(Σ_k α_k A_k)`` (Selvaraju et al., 2017): a linear model over feature maps, whose
    positive part shows where the evidence for the class sits. It is then bilinearly upsampled
    to the input's height and width.

    Explains ``model(x)[:, target]`` — probabilities for the pretrained models; Selvaraju et
    al. use the class score before the softmax, ``course_utils.models.logits_model(model)``,
    which is usually preferred.

    Parameters
    ----------
    model : keras.Model
        A Sequential or functional model with at least one 2-D convolutional layer.
    x : array of shape (n, h, w) or (n, h, w, c)
        The images, batch first: one image is ``x[None]``.
    target : None, int or array of shape (n,)
        As in :func:`saliency`.
    layer_name : str, optional
        The conv layer to use; default the last one (found by layer type).

    Returns
    -------
    Attribution
        ``values`` of ``x``'s shape: the upsampled map (the same for every channel of a colour
        image); ``base_values`` NaN (Grad-CAM is not additive); ``extras`` holds the raw map
        ``"map"`` (n, h', w'), the channel weights ``"weights"`` (n, channels), the layer's
        ``"feature_maps"`` A and their ``"gradients"`` ∂y/∂A (both (n, h', w', channels)) and
        ``"layer_name"``.

    Notes
    -----
    One weight per channel assumes that a feature counts the same wherever it appears, which
    holds when the network averages each feature map over positions (global average pooling,
    as in CAM). After a Flatten → Dense head, each position has its own weight; their average
    can be negative for every channel and the map then vanishes (all zero). The
    position-resolved terms ``extras["gradients"] * extras["feature_maps"]`` keep that
    information.

    Examples
    --------
    >>> from course_utils.models import load_pretrained, logits_model
    >>> from course_utils.datasets import load_mnist
    >>> _, (x, y) = load_mnist()
    >>> result = grad_cam(logits_model(load_pretrained("cnn")), x[:2])
    >>> result.values.shape, result.extras["map"].shape
    ((2, 28, 28), (2, 14, 14))
    """
    x = as_model_batch(model, x)
    if x.ndim not in (3, 4):
        raise ValueError(f"grad_cam explains images, a batch of shape (n, h, w) or (n, h, w, c); got {x.shape}.")
    convs = conv_layer_names(model)
    if not convs:
        raise ValueError(
            f"grad_cam needs a convolutional layer, and {getattr(model, 'name', 'the model')!r} has none. "
            "For a model without conv layers use saliency or integrated_gradients."
        )
    if layer_name is None:
        layer_name = convs[-1]
    elif layer_name not in convs:
        raise ValueError(f"the model has no conv layer named {layer_name!r}; its conv layers are: {', '.join(convs)}.")
    forward = _maps_and_scores(model, model.get_layer(layer_name))
    outputs, grads, features, target = _gradients(
        forward, x, target, keep_watched=True
    )  # grads, features: (n, h', w', c)
    weights = grads.mean(axis=(1, 2))  # (n, c): one weight per feature map
    cam = np.maximum(np.einsum("nhwc,nc->nhw", features, weights), 0.0)  # (n, h', w')
    values = _upsample(cam, x.shape[1:3])  # (n, h, w)
    if x.ndim == 4:
        values = np.broadcast_to(values[..., None], x.shape)
    return Attribution(
        values=values,
        base_values=np.nan,
        outputs=outputs,
        data=x,
        target=target,
        method="Grad-CAM",
        extras={"map": cam, "weights": weights, "layer_name": layer_name, "feature_maps": features, "gradients": grads},
    )
