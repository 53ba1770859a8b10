"""The result every explainer returns, and the input rules every explainer shares.

:class:`Attribution` is a set of parallel arrays (after shap's ``Explanation``, without its
machinery): ``values`` has the shape of the explained inputs ``data``; ``base_values`` is the
reference output (the background mean for Shapley methods, ``f(baseline)`` for integrated
gradients, the surrogate's intercept for LIME); ``outputs`` is the explained output
``f(x)[target]``. For additive methods, ``outputs ≈ base_values + values summed per example``;
:meth:`Attribution.completeness_gap` measures how far from that a result is.

The helpers below are the shared target rules of COURSE.md section 6: ``predict_fn`` maps
``(n, ...)`` to ``(n,)`` or ``(n, K)``, ``target=None`` means each example's predicted class, an
int means that class for all, an array one class per example, and single-output functions take no
target. The input rules (batch first, counts, batched calls) are in :mod:`course_utils.validation`;
``as_batch`` is re-exported here.

NumPy only: importing this module does not import TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence, Union

import numpy as np
import numpy.typing as npt

from course_utils.validation import as_batch

__all__ = ["Attribution", "Target", "PredictFn", "as_batch", "resolve_target", "select_output", "explained_outputs"]

#: Which output to explain: None (each example's predicted class; nothing for a single output),
#: an int (that class for every example) or an array of ints (one class per example).
Target = Union[None, int, npt.ArrayLike]
#: A model as a plain function: a batch (n, ...) -> scores (n,) or (n, K).
PredictFn = Callable[[np.ndarray], Any]


@dataclass
class Attribution:
    """Attributions for a batch of ``n`` examples.

    Parameters
    ----------
    values : array, shape (n, ...)
        One attribution per input feature (pixel, column), the shape of ``data``.
    base_values : float or array, shape (n,)
        The reference output the attributions start from (broadcast to ``(n,)``).
    outputs : array, shape (n,)
        The explained output of each example, ``f(x)[target]``.
    data : array, shape (n, ...)
        The explained inputs.
    target : array of int, shape (n,), or None
        The explained class of each example; None for a single-output function.
    feature_names : list of str, optional
        Names of the features (tabular data).
    method : str
        Which method produced it, e.g. ``"integrated gradients"``.

    Examples
    --------
    >>> a = Attribution(values=[[1.0, 2.0]], base_values=0.5, outputs=[3.5], data=[[1.0, 1.0]], target=None)
    >>> a.completeness_gap()
    array([0.])
    """

    values: np.ndarray
    base_values: np.ndarray
    outputs: np.ndarray
    data: np.ndarray
    target: np.ndarray | None
    feature_names: list[str] | None = None
    method: str = ""
    extras: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.values = np.asarray(self.values, dtype=float)
        self.data = np.asarray(self.data)
        if self.values.ndim < 2:
            raise ValueError(f"values must have the examples on axis 0, shape (n, ...); got {self.values.shape}.")
        n = self.values.shape[0]
        if self.data.shape != self.values.shape:
            raise ValueError(
                f"values has shape {self.values.shape} but data has shape {self.data.shape}; they must match."
            )
        self.outputs = np.asarray(self.outputs, dtype=float).reshape(-1)
        if self.outputs.shape != (n,):
            raise ValueError(f"outputs must have shape ({n},), one per example; got {self.outputs.shape}.")
        self.base_values = np.broadcast_to(np.asarray(self.base_values, dtype=float), (n,)).copy()
        if self.target is not None:
            self.target = np.broadcast_to(np.asarray(self.target, dtype=np.int64), (n,)).copy()
        if self.feature_names is not None:
            self.feature_names = list(self.feature_names)
            if len(self.feature_names) != int(np.prod(self.values.shape[1:])):
                raise ValueError(
                    f"{len(self.feature_names)} feature_names for {int(np.prod(self.values.shape[1:]))} features "
                    "per example."
                )

    def __len__(self) -> int:
        return self.values.shape[0]

    def __getitem__(self, index: int | slice | Sequence[int] | np.ndarray) -> "Attribution":
        """The attributions of some examples; an int keeps the batch axis (length 1)."""
        if isinstance(index, (int, np.integer)):
            index = [int(index)]
        return Attribution(
            values=self.values[index],
            base_values=self.base_values[index],
            outputs=self.outputs[index],
            data=self.data[index],
            target=None if self.target is None else self.target[index],
            feature_names=self.feature_names,
            method=self.method,
        )

    def completeness_gap(self) -> np.ndarray:
        """``outputs - (base_values + values summed per example)``, shape (n,)."""
        return self.outputs - (self.base_values + self.values.reshape(len(self), -1).sum(axis=1))

    def to_frame(self):
        """Tabular attributions as a pandas DataFrame, one column per feature."""
        import pandas as pd

        if self.values.ndim != 2:
            raise ValueError(
                f"to_frame is for tabular attributions of shape (n, features); these have shape {self.values.shape}."
            )
        names = self.feature_names or [f"x{j}" for j in range(self.values.shape[1])]
        return pd.DataFrame(self.values, columns=names)


def resolve_target(target: Any, scores: np.ndarray) -> np.ndarray | None:
    """The class to explain for each example, from the model's ``scores`` of shape (n,) or (n, K).

    ``None`` → the predicted class (argmax) of each example, or None for a single output; an int
    → that class for all; an array → one class per example.
    """
    scores = np.asarray(scores)
    n = scores.shape[0]
    if scores.ndim == 1 or (scores.ndim == 2 and scores.shape[1] == 1):
        if target not in (None, 0):
            raise ValueError(f"the model returns one output per example (shape {scores.shape}); leave target=None.")
        return None
    if scores.ndim != 2:
        raise ValueError(f"predict_fn must return shape (n,) or (n, K); got {scores.shape}.")
    k = scores.shape[1]
    if target is None:
        return scores.argmax(axis=1).astype(np.int64)
    chosen = np.asarray(target)
    if not np.issubdtype(chosen.dtype, np.integer):
        raise TypeError(f"target must be None, an int class or an array of int classes; got {chosen.dtype} values.")
    if chosen.ndim == 0:
        chosen = np.full(n, int(chosen))
    if chosen.shape != (n,):
        raise ValueError(f"target has shape {chosen.shape}; give one class per example, shape ({n},), or a single int.")
    if chosen.min() < 0 or chosen.max() >= k:
        raise ValueError(
            f"target classes must be in 0..{k - 1} (the model has {k} outputs); got {sorted(set(chosen.tolist()))}."
        )
    return chosen.astype(np.int64)


def select_output(scores: np.ndarray, target: np.ndarray | None) -> np.ndarray:
    """``scores[i, target[i]]`` for each example, shape (n,); the scores themselves for one output."""
    scores = np.asarray(scores, dtype=float)
    if target is None:
        return scores.reshape(scores.shape[0])
    return scores[np.arange(scores.shape[0]), target]


def explained_outputs(
    predict_fn: Callable[[np.ndarray], Any], x: np.ndarray, target: Any
) -> tuple[np.ndarray, np.ndarray | None]:
    """Call ``predict_fn`` on the batch; return the explained outputs (n,) and the resolved target."""
    scores = np.asarray(predict_fn(x))
    if scores.shape[:1] != (x.shape[0],):
        raise ValueError(
            f"predict_fn returned shape {scores.shape} for {x.shape[0]} examples; it must return (n,) or (n, K)."
        )
    target = resolve_target(target, scores)
    return select_output(scores, target), target
