"""Looking inside a network: activations, weights, linear probes and the inputs a unit likes.

- :func:`get_activations` — what each layer outputs for a batch, for ``Sequential`` (even one
  built only by ``fit``), functional and nested Keras 3 models.
- :func:`dense_weight_images` — a Dense layer's incoming weights over 784 pixels as 28×28 images.
- :func:`class_means`, :func:`active_fraction`, :func:`dead_units` — summaries per unit.
- :func:`project` — a 2-D map of a layer's representation (PCA or t-SNE).
- :func:`linear_probe`, :func:`probe_layers` — is the class linearly solvable from this layer?
- :func:`most_activating` — the inputs on which one unit fires most.
- :func:`activation_maximization` — an input optimized to excite one unit, with L2 and
  total-variation regularizers.
- :func:`plot_neuron` — the neuron-explorer figure: weights, top inputs, activation histogram.

A *unit* is one coordinate of a layer's output: a neuron of a Dense layer, or a channel of a
convolutional layer (its value on an input is then the channel's mean over positions).
Taught in notebook 05_hidden_layers.

References: Alain & Bengio (2016), *Understanding intermediate layers using linear classifier
probes*; Erhan, Bengio, Courville & Vincent (2009), *Visualizing higher-layer features of a deep
network*; van der Maaten & Hinton (2008), *Visualizing data using t-SNE*.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Callable, Sequence

import numpy as np

__all__ = [
    "get_activations",
    "layer_names",
    "dense_weight_images",
    "unit_values",
    "class_means",
    "active_fraction",
    "dead_units",
    "project",
    "linear_probe",
    "probe_layers",
    "most_activating",
    "activation_maximization",
    "plot_neuron",
]


# ---------------------------------------------------------------------------------------------
# Finding layers and running a model up to them
# ---------------------------------------------------------------------------------------------


def _keras():
    import course_utils  # noqa: F401  (quietens TensorFlow before keras is imported)
    import keras

    return keras


def _is_input_layer(layer) -> bool:
    return type(layer).__name__ == "InputLayer"


def _paths(model, prefix: str = "") -> list[str]:
    """Every layer of ``model`` as a path; layers inside a nested model are ``"outer/inner"``."""
    keras = _keras()
    found = []
    for layer in model.layers:
        if _is_input_layer(layer):
            continue
        found.append(prefix + layer.name)
        if isinstance(layer, keras.Model):
            found += _paths(layer, prefix + layer.name + "/")
    return found


def layer_names(model, *, nested: bool = False) -> list[str]:
    """Names of the layers whose activations :func:`get_activations` can return.

    Parameters
    ----------
    model : keras.Model
    nested : bool
        Also list the layers inside nested models, as ``"outer/inner"`` paths.

    Examples
    --------
    >>> from course_utils.models import build
    >>> layer_names(build("mlp"))
    ['flatten', 'hidden_1', 'dropout', 'hidden_2', 'output']
    """
    _check_model(model)
    paths = _paths(model)
    return paths if nested else [p for p in paths if "/" not in p]


def _resolve(model, names: Sequence[str] | str | None) -> dict[str, str]:
    """Map each requested name to its full path; a bare name may point inside a nested model."""
    if names is None:
        return {name: name for name in layer_names(model)}
    if isinstance(names, str):
        names = [names]
    paths = _paths(model)
    resolved = {}
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"layer_names should be layer names (strings), e.g. ['hidden_1']; got {name!r}.")
        if name in paths:
            resolved[name] = name
            continue
        matches = [p for p in paths if p.rsplit("/", 1)[-1] == name]
        if len(matches) == 1:
            resolved[name] = matches[0]
        elif len(matches) > 1:
            raise ValueError(f"The layer name {name!r} is ambiguous: it matches {matches}. Pass the full path.")
        else:
            raise ValueError(f"The model {model.name!r} has no layer {name!r}. Its layers are: {', '.join(paths)}.")
    return resolved


def _check_model(model) -> None:
    keras = _keras()
    if not isinstance(model, keras.Model):
        raise TypeError(f"Expected a Keras model, got {type(model).__name__}.")
    if not isinstance(model, keras.Sequential) and not hasattr(model, "_nodes_by_depth"):
        raise TypeError(
            f"{model.name!r} is a subclassed model (it defines its own call()); its layers' outputs cannot be "
            "read from the outside. Rebuild it as a Sequential or functional model."
        )


def _input_shape(model) -> tuple | None:
    """The shape of one input (without the batch axis), or None if the model was never built."""
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        return None
    if not inputs:
        return None
    if len(inputs) != 1:
        raise ValueError(f"{model.name!r} has {len(inputs)} inputs; these helpers support models with one input.")
    return tuple(inputs[0].shape[1:])


def _as_batch(model, x: Any, *, name: str = "x") -> np.ndarray:
    """``x`` as a float32 batch, with an error that says how to fix a missing batch axis."""
    x = np.asarray(x)
    if not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise ValueError(f"{name} should be an array of numbers; got dtype {x.dtype}.")
    expected = _input_shape(model)
    if expected is not None:
        shape = "(n, " + ", ".join(str(s) for s in expected) + ")"
        same = lambda got: len(got) == len(expected) and all(e is None or e == g for e, g in zip(expected, got))  # noqa: E731
        if same(x.shape):
            raise ValueError(f"Expected a batch of shape {shape}; got {x.shape}. Pass {name}[None] for one example.")
        if x.ndim < 1 or not same(x.shape[1:]):
            fix = ""
            if x.ndim >= 1 and None not in expected and x.size and x[0].size == math.prod(expected):
                fix = f" Reshape it: {name}.reshape(-1, " + ", ".join(str(s) for s in expected) + ")."
            raise ValueError(f"The model {model.name!r} expects a batch of shape {shape}; got {x.shape}.{fix}")
    elif x.ndim < 2:
        raise ValueError(f"Expected a batch with the examples on axis 0; got shape {x.shape}. Pass {name}[None] for one example.")
    if len(x) == 0:
        raise ValueError(f"{name} holds no examples (shape {x.shape}).")
    return x.astype(np.float32, copy=False)


def _own_node(model, layer):
    """The call of ``layer`` inside the graph of the functional ``model``.

    ``layer.output`` is the output of the layer's *first* call, which belongs to another model
    when the layer is shared (e.g. by ``logits_model``); the model's own node is the right one.
    """
    nodes = [node for depth in model._nodes_by_depth.values() for node in depth if node.operation is layer]
    if len(nodes) != 1:
        raise ValueError(f"The layer {layer.name!r} is called {len(nodes)} times in {model.name!r}; its activation is ambiguous.")
    return nodes[0]


_INPUT = ":input"  # a path ending in this asks for the input that reaches the layer, not its output


def _tracer(model, paths: set[str], prefix: str = "") -> Callable[[Any], dict[str, Any]]:
    """A function mapping an input batch to ``{path: output tensor}`` for the wanted paths.

    A path ``"name:input"`` asks for the tensor that enters layer ``name``.

    ``Sequential`` models are run layer by layer (this also works for one built only by ``fit``,
    whose ``model.input`` is undefined); functional models through one extractor model built once;
    nested models by recursion on the input that reaches them.
    """
    keras = _keras()
    wanted = {p for p in paths if p.startswith(prefix)}
    nested = {
        layer.name: _tracer(layer, wanted, prefix + layer.name + "/")
        for layer in model.layers
        if isinstance(layer, keras.Model) and any(p.startswith(prefix + layer.name + "/") for p in wanted)
    }
    if isinstance(model, keras.Sequential):
        last_needed = max(
            (i for i, layer in enumerate(model.layers)
             if {prefix + layer.name, prefix + layer.name + _INPUT} & wanted or layer.name in nested),
            default=-1,
        )

        def run_sequential(x):
            found, h = {}, x
            for layer in model.layers[: last_needed + 1]:
                if layer.name in nested:
                    found.update(nested[layer.name](h))
                if prefix + layer.name + _INPUT in wanted:
                    found[prefix + layer.name + _INPUT] = h
                h = layer(h, training=False)
                if prefix + layer.name in wanted:
                    found[prefix + layer.name] = h
            return found

        return run_sequential

    keys, tensors = [], []
    for layer in model.layers:
        if _is_input_layer(layer):
            continue
        if prefix + layer.name in wanted:
            keys.append(prefix + layer.name)
            tensors.append(_own_node(model, layer).output_tensors[0])
        if prefix + layer.name + _INPUT in wanted:
            keys.append(prefix + layer.name + _INPUT)
            tensors.append(_own_node(model, layer).input_tensors[0])
        if layer.name in nested:
            keys.append(layer.name + "/")  # marks the input that reaches the nested model
            tensors.append(_own_node(model, layer).input_tensors[0])
    if not keys:
        return lambda x: {}
    extractor = keras.Model(model.inputs[0], tensors)  # one input tensor (not a list), so a batch is passed as is

    def run_functional(x):
        values = extractor(x, training=False)
        values = values if isinstance(values, (list, tuple)) else [values]
        found = {}
        for key, value in zip(keys, values):
            if key.endswith("/"):
                found.update(nested[key[:-1]](value))
            else:
                found[key] = value
        return found

    return run_functional


def get_activations(model, x: Any, layer_names: Sequence[str] | str | None = None, *, batch_size: int = 1024) -> dict[str, np.ndarray]:
    """The output of each named layer for a batch of inputs (inference mode: dropout is off).

    Parameters
    ----------
    model : keras.Model
        A ``Sequential`` (with or without ``keras.Input``, also one built only by ``fit``) or a
        functional model; layers of nested models are reached as ``"outer/inner"`` or by their
        own name when it is unique.
    x : array of shape (n, ...)
        A batch of inputs; one example is ``x[None]``.
    layer_names : list of str, optional
        Which layers; default: every top-level layer, in order.
    batch_size : int
        Inputs run through the model this many at a time (memory).

    Returns
    -------
    dict[str, ndarray]
        Layer name -> its output, shape ``(n, ...)`` (e.g. ``(n, 128)`` for a Dense layer of 128
        units, ``(n, h, w, channels)`` for a convolution), in the order requested.

    Examples
    --------
    >>> from course_utils.models import load_pretrained
    >>> from course_utils.datasets import load_mnist
    >>> _, (x_test, y_test) = load_mnist()
    >>> acts = get_activations(load_pretrained("mlp"), x_test[:5], ["hidden_1", "hidden_2"])
    >>> {name: a.shape for name, a in acts.items()}
    {'hidden_1': (5, 128), 'hidden_2': (5, 64)}
    """
    _check_model(model)
    resolved = _resolve(model, layer_names)
    x = _as_batch(model, x)
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size should be a positive integer; got {batch_size!r}.")
    run = _tracer(model, set(resolved.values()))
    parts: dict[str, list[np.ndarray]] = {path: [] for path in resolved.values()}
    for start in range(0, len(x), batch_size):
        found = run(x[start : start + batch_size])
        for path in parts:
            parts[path].append(np.asarray(found[path]))
    return {name: np.concatenate(parts[path]) for name, path in resolved.items()}


def _find_layer(model, name: str):
    path = _resolve(model, [name])[name]
    layer = model
    for part in path.split("/"):
        layer = layer.get_layer(part)
    return layer


# ---------------------------------------------------------------------------------------------
# Weights and simple summaries per unit
# ---------------------------------------------------------------------------------------------


def dense_weight_images(model, layer_name: str | None = None, *, image_shape: tuple[int, int] = (28, 28)) -> np.ndarray:
    """Each unit's incoming weights of a Dense layer on raw pixels, reshaped to an image.

    Parameters
    ----------
    model : keras.Model
    layer_name : str, optional
        A Dense layer with ``h * w`` inputs; default: the first such layer.
    image_shape : (h, w)

    Returns
    -------
    ndarray of shape (units, h, w)
        ``weights[j]`` is what unit ``j`` multiplies the pixels with (positive: the pixel excites
        the unit; negative: it inhibits it).

    Examples
    --------
    >>> from course_utils.models import load_pretrained
    >>> dense_weight_images(load_pretrained("mlp")).shape
    (128, 28, 28)
    """
    keras = _keras()
    _check_model(model)
    n_pixels = math.prod(image_shape)
    if layer_name is None:
        for path in _paths(model):
            layer = _find_layer(model, path)
            if isinstance(layer, keras.layers.Dense) and layer.built and layer.kernel.shape[0] == n_pixels:
                break
        else:
            raise ValueError(f"The model {model.name!r} has no Dense layer with {n_pixels} inputs (one per pixel of a {image_shape} image).")
    else:
        layer = _find_layer(model, layer_name)
        if not isinstance(layer, keras.layers.Dense):
            raise ValueError(f"The layer {layer_name!r} is a {type(layer).__name__}, not a Dense layer; pick a Dense layer on the pixels, e.g. 'hidden_1'.")
        if not layer.built or layer.kernel.shape[0] != n_pixels:
            inputs = layer.kernel.shape[0] if layer.built else "unknown"
            raise ValueError(
                f"The layer {layer_name!r} has {inputs} inputs, not the {n_pixels} pixels of a {image_shape} image: "
                "only a layer that reads the pixels directly has weights that can be drawn as images."
            )
    kernel = np.asarray(layer.kernel)  # (n_pixels, units)
    return kernel.T.reshape(-1, *image_shape)


def unit_values(activations: Any) -> np.ndarray:
    """One number per example and unit: ``(n, units)``; a channel of a conv layer is averaged over positions.

    Examples
    --------
    >>> unit_values(np.ones((2, 4, 4, 3))).shape
    (2, 3)
    """
    a = np.asarray(activations, dtype=float)
    if a.ndim < 2:
        raise ValueError(f"Expected activations of shape (n, units) or (n, ..., channels); got {a.shape}. Pass a batch.")
    if a.ndim == 2:
        return a
    return a.reshape(len(a), -1, a.shape[-1]).mean(axis=1)


def _labels(y: Any, n: int) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(f"y should hold one label per example, shape ({n},); got shape {y.shape}.")
    if not np.issubdtype(y.dtype, np.integer):
        if np.issubdtype(y.dtype, np.floating) and np.all(y == np.round(y)):
            return y.astype(int)
        raise ValueError(f"y should hold integer class labels; got dtype {y.dtype}.")
    return y


def class_means(activations: Any, y: Any, *, n_classes: int | None = None) -> np.ndarray:
    """Mean activation of every unit over the examples of each class.

    Parameters
    ----------
    activations : array of shape (n, units) or (n, ..., channels)
    y : array of shape (n,)
        Integer class labels 0 .. n_classes - 1.
    n_classes : int, optional
        Default ``y.max() + 1``. A class without examples gets NaN.

    Returns
    -------
    ndarray of shape (n_classes, units)

    Examples
    --------
    >>> class_means(np.array([[1.0, 0.0], [3.0, 2.0], [5.0, 4.0]]), np.array([0, 0, 1]))
    array([[2., 1.],
           [5., 4.]])
    """
    a = unit_values(activations)
    y = _labels(y, len(a))
    k = int(y.max()) + 1 if n_classes is None else int(n_classes)
    means = np.full((k, a.shape[1]), np.nan)
    for c in range(k):
        if np.any(y == c):
            means[c] = a[y == c].mean(axis=0)
    return means


def _max_per_unit(activations: Any) -> np.ndarray:
    a = np.asarray(activations, dtype=float)
    if a.ndim < 2:
        raise ValueError(f"Expected activations of shape (n, units) or (n, ..., channels); got {a.shape}. Pass a batch.")
    return a.reshape(len(a), -1, a.shape[-1]).max(axis=1)  # (n, units): the strongest response anywhere


def active_fraction(activations: Any, *, tol: float = 0.0) -> np.ndarray:
    """For each unit, the fraction of examples on which it is active (above ``tol`` somewhere).

    Returns
    -------
    ndarray of shape (units,), values in [0, 1]

    Examples
    --------
    >>> active_fraction(np.array([[0.0, 1.0], [0.0, 0.0], [0.0, 2.0], [0.0, 3.0]]))
    array([0.  , 0.75])
    """
    return (_max_per_unit(activations) > tol).mean(axis=0)


def dead_units(activations: Any, *, tol: float = 0.0) -> np.ndarray:
    """Indices of the units that are never active: at most ``tol`` on every example.

    A dead ReLU unit outputs 0 whatever the input, so its gradient is 0 too and it never learns
    again; it is wasted capacity.

    Returns
    -------
    ndarray of int, shape (n_dead,)

    Examples
    --------
    >>> dead_units(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]))
    array([0, 2])
    """
    return np.flatnonzero(active_fraction(activations, tol=tol) == 0)


# ---------------------------------------------------------------------------------------------
# Representations: 2-D maps and linear probes
# ---------------------------------------------------------------------------------------------


def _one_thread():
    """Run BLAS/OpenMP on one thread: on these small fits, extra threads cost more than they bring
    (and on a busy machine they can make a fit ten times slower)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _flat(activations: Any, name: str = "activations") -> np.ndarray:
    a = np.asarray(activations, dtype=float)
    if a.ndim < 2:
        raise ValueError(f"{name} should be a batch, shape (n, ...); got {a.shape}.")
    return a.reshape(len(a), -1)


def project(
    activations: Any, *, method: str = "pca", n_components: int = 2, seed: int = 0, perplexity: float = 30.0, max_iter: int = 500,
) -> np.ndarray:
    """A low-dimensional map of a layer's representation, one point per example.

    Parameters
    ----------
    activations : array of shape (n, ...)
        Flattened to ``(n, d)``.
    method : {"pca", "tsne"}
        PCA keeps the directions of largest variance (linear, global distances mean something);
        t-SNE (van der Maaten & Hinton, 2008) keeps neighbourhoods (non-linear: cluster sizes and
        the distances between clusters mean little). For t-SNE, data with more than 50 dimensions
        are first reduced to 50 by PCA.
    n_components : int
    seed : int
    perplexity : float
        t-SNE's effective number of neighbours; must be smaller than ``n``.
    max_iter : int
        t-SNE's optimization steps (at least 250).

    Returns
    -------
    ndarray of shape (n, n_components)

    Examples
    --------
    >>> project(np.random.default_rng(0).normal(size=(20, 5))).shape
    (20, 2)
    """
    from sklearn.decomposition import PCA

    a = _flat(activations)
    if method not in ("pca", "tsne"):
        raise ValueError(f"Unknown method {method!r}; use 'pca' or 'tsne'.")
    with _one_thread():
        if method == "pca":
            return PCA(n_components=n_components, random_state=seed).fit_transform(a)
        from sklearn.manifold import TSNE

        if perplexity >= len(a):
            raise ValueError(f"t-SNE's perplexity ({perplexity}) must be smaller than the number of examples ({len(a)}); lower it or pass more examples.")
        if a.shape[1] > 50:
            a = PCA(n_components=50, random_state=seed).fit_transform(a)
        tsne = TSNE(n_components=n_components, perplexity=perplexity, init="pca", learning_rate="auto", max_iter=max_iter, random_state=seed)
        return tsne.fit_transform(a)


def linear_probe(
    train_activations: Any, y_train: Any, test_activations: Any, y_test: Any, *, C: float = 1.0, max_iter: int = 3000, tol: float = 1e-6,
) -> float:
    """Held-out accuracy of a linear classifier trained on a layer's activations.

    The probe (Alain & Bengio, 2016) is a multinomial logistic regression on standardized
    activations. A high accuracy says the classes are *linearly solvable* from this layer; it
    does not say the network uses that information.

    Parameters
    ----------
    train_activations, test_activations : arrays of shape (n_train, ...), (n_test, ...)
    y_train, y_test : arrays of int, shapes (n_train,), (n_test,)
    C : float
        Inverse L2 regularization strength of the logistic regression.
    max_iter, tol : int, float
        The solver (L-BFGS) runs until the gradient is below ``tol`` or for ``max_iter``
        iterations (then it stops without a warning). The defaults fit to convergence: the
        L2-regularized problem has one optimum, so the accuracy does not depend on the solver's
        path and is the same on every machine.

    Returns
    -------
    float
        Accuracy on the test activations, in [0, 1].

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = np.arange(100) % 2
    >>> a = rng.normal(size=(100, 3)) + 3 * y[:, None]
    >>> linear_probe(a[:50], y[:50], a[50:], y[50:])
    1.0
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    a_train, a_test = _flat(train_activations, "train_activations"), _flat(test_activations, "test_activations")
    if a_train.shape[1] != a_test.shape[1]:
        raise ValueError(f"train and test activations should come from the same layer; they have {a_train.shape[1]} and {a_test.shape[1]} features.")
    y_train, y_test = _labels(y_train, len(a_train)), _labels(y_test, len(a_test))
    probe = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=max_iter, tol=tol))
    with warnings.catch_warnings(), _one_thread():
        warnings.simplefilter("ignore", ConvergenceWarning)
        probe.fit(a_train, y_train)
        return float(probe.score(a_test, y_test))


def probe_layers(
    model, x_train: Any, y_train: Any, x_test: Any, y_test: Any, layer_names: Sequence[str] | None = None, *,
    include_input: bool = True, C: float = 1.0, max_iter: int = 3000, tol: float = 1e-6, progress: bool = True,
) -> dict[str, float]:
    """A linear probe on each layer: held-out accuracy of a logistic regression per layer.

    Parameters
    ----------
    model : keras.Model
    x_train, y_train, x_test, y_test : the probe's training and held-out data (inputs, labels)
    layer_names : list of str, optional
        Default: every top-level layer.
    include_input : bool
        Also probe the raw input (entry ``"input"``): the baseline every layer is compared with.
    C, max_iter, tol : see :func:`linear_probe`
    progress : bool
        Show a progress bar (``tqdm.auto``).

    Returns
    -------
    dict[str, float]
        Layer name -> held-out probe accuracy, input first, then in layer order.
    """
    from tqdm.auto import tqdm

    train = get_activations(model, x_train, layer_names)
    test = get_activations(model, x_test, layer_names)
    if include_input:
        train = {"input": np.asarray(x_train), **train}
        test = {"input": np.asarray(x_test), **test}
    return {
        name: linear_probe(train[name], y_train, test[name], y_test, C=C, max_iter=max_iter, tol=tol)
        for name in tqdm(train, desc="linear probes", disable=not progress)
    }


# ---------------------------------------------------------------------------------------------
# What a unit responds to
# ---------------------------------------------------------------------------------------------


def _unit_column(activations: Any, unit: int) -> np.ndarray:
    a = unit_values(activations)
    if not isinstance(unit, (int, np.integer)) or not 0 <= unit < a.shape[1]:
        raise ValueError(f"unit should be an integer from 0 to {a.shape[1] - 1} (the layer has {a.shape[1]} units); got {unit!r}.")
    return a[:, unit]


def most_activating(activations: Any, unit: int, *, k: int = 9) -> np.ndarray:
    """Indices of the ``k`` examples on which ``unit`` is most active, strongest first.

    Parameters
    ----------
    activations : array of shape (n, units) or (n, ..., channels)
        A layer's activations, e.g. ``get_activations(model, x, ["hidden_1"])["hidden_1"]``.
    unit : int
    k : int

    Returns
    -------
    ndarray of int, shape (min(k, n),)
        Ties keep the order of the examples.

    Examples
    --------
    >>> most_activating(np.array([[0.1], [0.9], [0.5]]), 0, k=2)
    array([1, 2])
    """
    values = _unit_column(activations, unit)
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k should be a positive integer; got {k!r}.")
    return np.argsort(-values, kind="stable")[:k]


def _total_variation(x):
    import tensorflow as tf

    dy = x[:, 1:, ...] - x[:, :-1, ...]
    dx = x[:, :, 1:, ...] - x[:, :, :-1, ...]
    axes = list(range(1, len(x.shape)))
    return tf.reduce_sum(tf.square(dy), axis=axes) + tf.reduce_sum(tf.square(dx), axis=axes)  # (n,)


def _pre_activation_fn(layer) -> Callable[[Any], Any] | None:
    """``h -> layer(h)`` without the layer's activation (Dense and 2-D convolutions), else None."""
    keras = _keras()
    ops = keras.ops
    activation = getattr(layer, "activation", None)
    if activation is None or activation is keras.activations.linear:
        return None
    if isinstance(layer, keras.layers.Dense):
        return lambda h: ops.matmul(h, layer.kernel) + (layer.bias if layer.use_bias else 0.0)
    if isinstance(layer, keras.layers.Conv2D) and layer.groups == 1:
        def conv(h):
            z = ops.conv(h, layer.kernel, strides=layer.strides, padding=layer.padding,
                         data_format=layer.data_format, dilation_rate=layer.dilation_rate)
            return z + layer.bias if layer.use_bias else z  # channels last: the bias broadcasts
        return conv if layer.data_format == "channels_last" else None
    return None


def activation_maximization(
    model, layer_name: str, units: Sequence[int] | int, *, n_steps: int = 200, learning_rate: float = 0.05,
    l2: float = 0.1, tv: float = 0.5, pre_activation: bool = True, value_range: tuple[float, float] = (0.0, 1.0),
    seed: int = 0,
) -> np.ndarray:
    """Inputs optimized by gradient ascent to excite one unit each (Erhan et al., 2009).

    Each image starts grey with a little noise and follows Adam on

        activation(x)[unit] - l2 * ||x||^2 - tv * TV(x),

    where ``TV`` is the squared total variation (squared differences of neighbouring pixels),
    then is clipped to ``value_range``. The L2 term keeps the background dark (as in MNIST), the
    TV term keeps strokes smooth; without them the result is high-frequency noise. A channel of
    a convolution is scored by its mean over positions. For a class, maximize its logit: pass
    ``logits_model(model)`` and ``layer_name="logits"`` (a softmax probability can also rise by
    pushing the other classes down).

    Parameters
    ----------
    model : keras.Model
        Must know its input shape (start it with ``keras.Input`` or call it once on a batch).
    layer_name : str
    units : int or sequence of int
        One image is optimized per unit, all at once.
    n_steps, learning_rate : int, float
        Adam steps and step size.
    l2, tv : float
        Regularizer weights (0 turns one off).
    pre_activation : bool
        For a Dense or Conv2D layer with a non-linear activation (ReLU), maximize the value before
        the activation. Where the unit is active this is the same goal; where it is silent a ReLU
        has no gradient and the image would never move.
    value_range : (low, high)
        Pixels are clipped to this range after every step.
    seed : int
        Seed of the starting noise.

    Returns
    -------
    ndarray of shape (len(units), *input_shape)

    Examples
    --------
    >>> from course_utils.models import load_pretrained
    >>> images = activation_maximization(load_pretrained("mlp"), "hidden_1", [0, 1], n_steps=10)
    >>> images.shape
    (2, 28, 28)
    """
    import tensorflow as tf

    keras = _keras()
    _check_model(model)
    shape = _input_shape(model)
    if shape is None or None in shape:
        raise ValueError(f"The model {model.name!r} has no fixed input shape yet; call it once on a batch, e.g. model(x[:1]).")
    units = np.atleast_1d(np.asarray(units))
    if units.ndim != 1 or not np.issubdtype(units.dtype, np.integer):
        raise ValueError(f"units should be an int or a list of ints; got {units!r}.")
    path = _resolve(model, [layer_name])[layer_name]
    linear_part = _pre_activation_fn(_find_layer(model, path)) if pre_activation else None
    run = _tracer(model, {path + _INPUT} if linear_part else {path})

    def score(x):  # (k, ..., units): the quantity maximized
        return linear_part(run(x)[path + _INPUT]) if linear_part else run(x)[path]

    n_units = score(np.zeros((1, *shape), np.float32)).shape[-1]
    if units.min() < 0 or units.max() >= n_units:
        raise ValueError(f"units should be integers from 0 to {n_units - 1} (the layer {layer_name!r} has {n_units}); got {units.tolist()}.")
    low, high = value_range
    rng = np.random.default_rng(seed)
    start = (low + high) / 2 + 0.01 * (high - low) * rng.standard_normal((len(units), *shape))
    x = tf.Variable(start.astype(np.float32))
    optimizer = keras.optimizers.Adam(learning_rate)
    pick = tf.one_hot(units, n_units, dtype=tf.float32)  # (k, units): which unit each image excites
    pixel_axes = list(range(1, len(x.shape)))

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            act = tf.reshape(score(x), (len(units), -1, n_units))  # (k, positions, units)
            objective = tf.reduce_sum(tf.reduce_mean(act, axis=1) * pick, axis=1)  # (k,)
            penalty = l2 * tf.reduce_sum(tf.square(x), axis=pixel_axes) + tv * _total_variation(x)  # (k,)
            loss = -tf.reduce_sum(objective - penalty)
        optimizer.apply_gradients([(tape.gradient(loss, x), x)])
        x.assign(tf.clip_by_value(x, low, high))

    for _ in range(int(n_steps)):
        step()
    return x.numpy()


# ---------------------------------------------------------------------------------------------
# The neuron explorer
# ---------------------------------------------------------------------------------------------


def _draw_weights(ax, layer, unit: int, image_shape: tuple[int, int]) -> None:
    keras = _keras()
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
        convolution), the top inputs with their activations, and the histogram of the unit's
        activation over ``x``.

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

    layer = _find_layer(model, layer_name)
    if activations is None:
        activations = get_activations(model, x, [layer_name])[layer_name]
    values = _unit_column(activations, unit)  # (n,)
    if len(values) != len(x):
        raise ValueError(f"activations hold {len(values)} examples but x holds {len(x)}; compute them on the same x.")
    top = most_activating(activations, unit, k=k)
    if fig is None:
        fig = plt.figure(figsize=(12, 3.8))
    else:
        fig.clear()
    grid = fig.add_gridspec(1, 3, width_ratios=[1.1, 1.0, 1.3], wspace=0.35)
    _draw_weights(fig.add_subplot(grid[0]), layer, unit, image_shape)

    side = math.ceil(math.sqrt(len(top)))
    cells = grid[1].subgridspec(side, side, wspace=0.08, hspace=0.35)
    images = np.asarray(x, dtype=float)
    for i in range(side * side):
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
