"""Reading a Keras 3 model's layer graph — the one place that walks Keras's node lists.

A layer's ``output`` attribute is the output of its *first* call, which belongs to another model
when the layer is shared (``course_utils.models.logits_model`` shares every layer of the model it
wraps). The tensors of *this* model's call of a layer live on that call's node, which Keras keeps
in the model's ``_nodes_by_depth`` (private, but the only record of the graph Keras 3 offers).
Everything that needs a layer's tensors inside a functional model goes through
:func:`layer_call`.
"""

from __future__ import annotations

from typing import Any

import course_utils  # noqa: F401  (quietens TensorFlow before keras is imported)

__all__ = ["is_graph_model", "check_graph_model", "layer_call"]


def is_graph_model(model: Any) -> bool:
    """True for a functional model (one built from ``keras.Input``), whose graph can be read."""
    return hasattr(model, "_nodes_by_depth")


def check_graph_model(model: Any, *, who: str = "this helper") -> None:
    """A ``TypeError`` unless ``model`` is a Keras ``Sequential`` or functional model.

    A subclassed model computes in its own ``call()``, so its intermediate tensors cannot be read
    from the outside.
    """
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"Expected a Keras model, got {type(model).__name__}.")
    if not isinstance(model, keras.Sequential) and not is_graph_model(model):
        raise TypeError(
            f"{who} needs a Sequential or functional Keras model; {model.name!r} is a subclassed model (it defines its "
            "own call()), so its layers' outputs cannot be read from the outside. Rebuild it as a Sequential or "
            "functional model."
        )


def layer_call(model: Any, layer: Any, *, why: str = "its tensors are ambiguous"):
    """The node of ``model``'s own graph where ``layer`` is called: ``.input_tensors``, ``.output_tensors``.

    Raises a ``ValueError`` when the layer is called more than once (or never) in the model.
    """
    nodes = [
        node for depth in getattr(model, "_nodes_by_depth", {}).values() for node in depth if node.operation is layer
    ]
    if len(nodes) != 1:
        raise ValueError(f"the layer {layer.name!r} is called {len(nodes)} times in {model.name!r}; {why}.")
    return nodes[0]
