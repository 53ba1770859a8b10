"""Looking inside a network: the output of any layer, and a Dense layer's weights as images.

- :func:`get_activations` — what each layer outputs for a batch, for ``Sequential`` (even one
  built only by ``fit``), functional and nested Keras 3 models.
- :func:`layer_names` — the layers it can read.
- :func:`dense_weight_images` — a Dense layer's incoming weights over 784 pixels as 28×28 images.

The rest of notebook 05's tools build on these: :mod:`course_utils.units` (summaries per unit),
:mod:`course_utils.probes` (linear probes, PCA/t-SNE maps), :mod:`course_utils.activation_maximization`
and the neuron explorer :func:`course_utils.plots.plot_neuron`. Taught in notebook
05_hidden_layers.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as np

from course_utils.env import import_keras
from course_utils.keras_graph import check_graph_model, layer_call
from course_utils.validation import DEFAULT_BATCH_SIZE, as_model_batch, check_count, in_batches

__all__ = ["get_activations", "layer_names", "dense_weight_images", "find_layer"]


# ---------------------------------------------------------------------------------------------
# Finding layers and running a model up to them
# ---------------------------------------------------------------------------------------------


def _is_input_layer(layer) -> bool:
    return type(layer).__name__ == "InputLayer"


def _paths(model, prefix: str = "") -> list[str]:
    """Every layer of ``model`` as a path; layers inside a nested model are ``"outer/inner"``."""
    keras = import_keras()
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
    check_traceable(model)
    paths = _paths(model)
    return paths if nested else [p for p in paths if "/" not in p]


def resolve_layers(model, names: Sequence[str] | str | None) -> dict[str, str]:
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


def check_traceable(model) -> None:
    """A ``TypeError`` unless ``model`` is a Keras model whose layers' outputs can be read."""
    check_graph_model(model, who="reading a layer's output")


LAYER_INPUT = ":input"  # a path ending in this asks for the input that reaches the layer, not its output


def tracer(model, paths: set[str], prefix: str = "") -> Callable[[Any], dict[str, Any]]:
    """A function mapping an input batch to ``{path: output tensor}`` for the wanted paths.

    A path ``"name:input"`` asks for the tensor that enters layer ``name``.

    ``Sequential`` models are run layer by layer (this also works for one built only by ``fit``,
    whose ``model.input`` is undefined); functional models through one extractor model built once;
    nested models by recursion on the input that reaches them.
    """
    keras = import_keras()
    wanted = {p for p in paths if p.startswith(prefix)}
    nested = {
        layer.name: tracer(layer, wanted, prefix + layer.name + "/")
        for layer in model.layers
        if isinstance(layer, keras.Model) and any(p.startswith(prefix + layer.name + "/") for p in wanted)
    }
    if isinstance(model, keras.Sequential):
        last_needed = max(
            (i for i, layer in enumerate(model.layers)
             if {prefix + layer.name, prefix + layer.name + LAYER_INPUT} & wanted or layer.name in nested),
            default=-1,
        )

        def run_sequential(x):
            found, h = {}, x
            for layer in model.layers[: last_needed + 1]:
                if layer.name in nested:
                    found.update(nested[layer.name](h))
                if prefix + layer.name + LAYER_INPUT in wanted:
                    found[prefix + layer.name + LAYER_INPUT] = h
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
            tensors.append(layer_call(model, layer, why="its activation is ambiguous").output_tensors[0])
        if prefix + layer.name + LAYER_INPUT in wanted:
            keys.append(prefix + layer.name + LAYER_INPUT)
            tensors.append(layer_call(model, layer, why="its activation is ambiguous").input_tensors[0])
        if layer.name in nested:
            keys.append(layer.name + "/")  # marks the input that reaches the nested model
            tensors.append(layer_call(model, layer, why="its activation is ambiguous").input_tensors[0])
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


def get_activations(
    model, x: Any, layer_names: Sequence[str] | str | None = None, *, batch_size: int = DEFAULT_BATCH_SIZE
) -> dict[str, np.ndarray]:
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
    check_traceable(model)
    resolved = resolve_layers(model, layer_names)
    x = as_model_batch(model, x)
    batch_size = check_count(batch_size, "batch_size", meaning="the number of inputs per forward pass")
    run = tracer(model, set(resolved.values()))
    parts: dict[str, list[np.ndarray]] = {path: [] for path in resolved.values()}
    for _, batch in in_batches(x, batch_size):
        found = run(batch)
        for path in parts:
            parts[path].append(np.asarray(found[path]))
    return {name: np.concatenate(parts[path]) for name, path in resolved.items()}


def find_layer(model, name: str):
    """The layer at ``name`` (a top-level name, a unique nested name, or an ``"outer/inner"`` path)."""
    path = resolve_layers(model, [name])[name]
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
    keras = import_keras()
    check_traceable(model)
    n_pixels = math.prod(image_shape)
    if layer_name is None:
        for path in _paths(model):
            layer = find_layer(model, path)
            if isinstance(layer, keras.layers.Dense) and layer.built and layer.kernel.shape[0] == n_pixels:
                break
        else:
            raise ValueError(f"The model {model.name!r} has no Dense layer with {n_pixels} inputs (one per pixel of a {image_shape} image).")
    else:
        layer = find_layer(model, layer_name)
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


