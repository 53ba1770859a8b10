"""A multilayer perceptron and its backward pass, in NumPy (notebook 03_backprop_from_scratch).

Each building block has its forward rule and its backward rule side by side, after micrograd.
A backward rule takes ``d_out``, the gradient of the (scalar) loss with respect to the block's
output, and returns the gradient with respect to its inputs: the chain rule, one block at a time.

=======================================  =========================================================
forward                                  backward
=======================================  =========================================================
``dense_forward(x, W, b) = x @ W + b``   ``dense_backward(d_out, x, W) -> (dx, dW, db)``
``relu_forward(x) = max(x, 0)``          ``relu_backward(d_out, x) = d_out * (x > 0)``
``tanh_forward(x) = tanh(x)``            ``tanh_backward(d_out, x) = d_out * (1 - tanh(x)**2)``
``softmax_cross_entropy(logits, y)``     ``softmax_cross_entropy_backward(logits, y)``
=======================================  =========================================================

The loss is the MEAN softmax cross-entropy over the batch, so the 1/n lives in
``softmax_cross_entropy_backward``; every ``d_out`` further back already carries it.

Everything is float64 by default: gradient checking with centred differences needs the
precision. Importing this module does not import TensorFlow.

References: Rumelhart, Hinton & Williams (1986), *Learning representations by back-propagating
errors*, Nature 323:533–536; He et al. (2015) for the initialization of ReLU layers; Kingma & Ba
(2015), *Adam: a method for stochastic optimization*.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from course_utils.validation import as_labels, check_count, check_positive, in_batches

__all__ = [
    "dense_forward",
    "dense_backward",
    "relu_forward",
    "relu_backward",
    "tanh_forward",
    "tanh_backward",
    "softmax",
    "softmax_cross_entropy",
    "softmax_cross_entropy_backward",
    "one_hot",
    "sgd_step",
    "MLP",
]


# ---------------------------------------------------------------- building blocks, side by side


def dense_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A dense (fully connected) layer: ``x @ W + b``, shapes (n, d_in) @ (d_in, d_out) + (d_out,)."""
    return x @ W + b  # (n, d_out)


def dense_backward(d_out: np.ndarray, x: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of the loss w.r.t. the dense layer's input, weights and bias.

    Parameters
    ----------
    d_out : ndarray, shape (n, d_out)
        Gradient of the loss w.r.t. the layer's output ``x @ W + b``.
    x : ndarray, shape (n, d_in)
        The layer's input in the forward pass.
    W : ndarray, shape (d_in, d_out)
        The layer's weights.

    Returns
    -------
    dx : ndarray, shape (n, d_in)
        ``d_out @ W.T``.
    dW : ndarray, shape (d_in, d_out)
        ``x.T @ d_out`` — the sum over the batch of each example's outer product.
    db : ndarray, shape (d_out,)
        ``d_out.sum(axis=0)`` — every example adds the same bias.
    """
    dx = d_out @ W.T  # (n, d_in)
    dW = x.T @ d_out  # (d_in, d_out)
    db = d_out.sum(axis=0)  # (d_out,)
    return dx, dW, db


def relu_forward(x: np.ndarray) -> np.ndarray:
    """ReLU, element-wise ``max(x, 0)``."""
    return np.maximum(x, 0.0)


def relu_backward(d_out: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Gradient through ReLU: pass ``d_out`` where the input ``x`` was positive, 0 elsewhere.

    At ``x == 0`` exactly the slope is taken as 0, as TensorFlow does.
    """
    return d_out * (x > 0)


def tanh_forward(x: np.ndarray) -> np.ndarray:
    """The hyperbolic tangent, element-wise."""
    return np.tanh(x)


def tanh_backward(d_out: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Gradient through tanh: ``d_out * (1 - tanh(x)**2)``, with ``x`` the input."""
    return d_out * (1.0 - np.tanh(x) ** 2)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of a batch of logits, shape (n, K); stable (subtracts each row's max)."""
    z = logits - logits.max(axis=1, keepdims=True)  # (n, K), largest entry per row is 0
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def one_hot(y: np.ndarray, n_classes: int, *, dtype=np.float64) -> np.ndarray:
    """Labels (n,) -> one-hot rows (n, n_classes) of 0.0 and 1.0."""
    out = np.zeros((len(y), n_classes), dtype=dtype)
    out[np.arange(len(y)), y] = 1.0
    return out


def softmax_cross_entropy(logits: np.ndarray, y: np.ndarray) -> float:
    """Mean softmax cross-entropy, ``-(1/n) sum_i log softmax(logits_i)[y_i]``.

    Parameters
    ----------
    logits : ndarray, shape (n, K)
    y : ndarray of int, shape (n,)
        The true class of each example, in ``0 .. K-1``.
    """
    z = logits - logits.max(axis=1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))  # (n, K), log-sum-exp trick
    return float(-log_probs[np.arange(len(y)), y].mean())


def softmax_cross_entropy_backward(logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Gradient of the MEAN softmax cross-entropy w.r.t. the logits: ``(softmax(logits) - one_hot(y)) / n``.

    Returns an array of shape (n, K).
    """
    n, n_classes = logits.shape
    return (softmax(logits) - one_hot(y, n_classes, dtype=logits.dtype)) / n


ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "relu": (relu_forward, relu_backward),
    "tanh": (tanh_forward, tanh_backward),
}


# ---------------------------------------------------------------- the network


class MLP:
    """A multilayer perceptron: dense layers with an activation between them, logits out.

    Parameters
    ----------
    layer_sizes : sequence of int
        Widths from input to output, e.g. ``[784, 64, 10]``: 784 inputs, one hidden layer of 64
        units, 10 classes. At least two entries.
    activation : {"relu", "tanh"}
        The non-linearity after every hidden layer (the output layer gives raw logits).
    seed : int
        Seed of the weight initialization: ``W ~ N(0, gain / d_in)`` with gain 2 for ReLU (He et
        al., 2015) and 1 for tanh; biases start at 0.
    dtype : numpy dtype
        float64 by default, which gradient checking needs.

    Attributes
    ----------
    params : dict[str, ndarray]
        ``{"W1", "b1", "W2", "b2", ...}``; ``W_k`` has shape (in, out), ``b_k`` shape (out,).

    Examples
    --------
    >>> net = MLP([2, 3, 2], seed=0)
    >>> net.forward(np.zeros((5, 2))).shape
    (5, 2)
    >>> loss, grads = net.loss_and_grads(np.ones((4, 2)), np.array([0, 1, 1, 0]))
    >>> sorted(grads) == sorted(net.params)
    True
    """

    def __init__(self, layer_sizes: Sequence[int], *, activation: str = "relu", seed: int = 0, dtype=np.float64):
        sizes = list(layer_sizes) if isinstance(layer_sizes, (list, tuple, np.ndarray)) else []
        try:
            sizes = [check_count(size, "a layer size") for size in sizes]
        except ValueError:
            sizes = []
        if len(sizes) < 2:
            raise ValueError(
                f"layer_sizes should list at least two positive integers, input width first, "
                f"e.g. [784, 64, 10]; got {layer_sizes!r}."
            )
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation should be one of {sorted(ACTIVATIONS)}; got {activation!r}.")
        self.layer_sizes = [int(s) for s in sizes]
        self.activation = activation
        self.dtype = np.dtype(dtype)
        gain = 2.0 if activation == "relu" else 1.0
        rng = np.random.default_rng(seed)
        self.params: dict[str, np.ndarray] = {}
        for k, (d_in, d_out) in enumerate(zip(self.layer_sizes[:-1], self.layer_sizes[1:]), start=1):
            self.params[f"W{k}"] = (rng.standard_normal((d_in, d_out)) * np.sqrt(gain / d_in)).astype(self.dtype)
            self.params[f"b{k}"] = np.zeros(d_out, dtype=self.dtype)

    def __repr__(self) -> str:
        return f"MLP({self.layer_sizes}, activation={self.activation!r})"

    @property
    def n_layers(self) -> int:
        """Number of dense layers."""
        return len(self.layer_sizes) - 1

    @property
    def n_classes(self) -> int:
        return self.layer_sizes[-1]

    # ---- input checks that say how to fix the call
    def _check_x(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=self.dtype)
        d = self.layer_sizes[0]
        if X.ndim != 2 or X.shape[1] != d:
            fix = ""
            if X.ndim == 1 and X.shape[0] == d:
                fix = " Pass x[None] for one example."
            elif X.ndim > 2 and int(np.prod(X.shape[1:])) == d:
                fix = " Flatten each example first: X.reshape(len(X), -1) (or load_mnist(flatten=True))."
            raise ValueError(f"expected a batch of shape (n, {d}); got {X.shape}.{fix}")
        return X

    def _check_y(self, y, n: int) -> np.ndarray:
        return as_labels(y, n, n_classes=self.n_classes, why=f"the network has {self.n_classes} outputs")

    # ---- forward and backward
    def _forward(self, X: np.ndarray) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
        """Logits and, per layer, (its input, its pre-activation) for the backward pass."""
        act, _ = ACTIVATIONS[self.activation]
        cache = []
        h = X
        for k in range(1, self.n_layers + 1):
            z = dense_forward(h, self.params[f"W{k}"], self.params[f"b{k}"])  # (n, d_k)
            cache.append((h, z))
            h = act(z) if k < self.n_layers else z
        return h, cache

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Logits of a batch: ``X`` of shape (n, d_in) -> (n, K)."""
        return self._forward(self._check_x(X))[0]

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (softmax of the logits), shape (n, K)."""
        return softmax(self.forward(X))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The most probable class of each example, shape (n,)."""
        return self.forward(X).argmax(axis=1)

    def accuracy(self, X: np.ndarray, y: np.ndarray) -> float:
        """Fraction of examples whose predicted class is ``y``."""
        X = self._check_x(X)
        return float(np.mean(self.predict(X) == self._check_y(y, len(X))))

    def loss(self, X: np.ndarray, y: np.ndarray) -> float:
        """Mean softmax cross-entropy of the batch."""
        X = self._check_x(X)
        return softmax_cross_entropy(self.forward(X), self._check_y(y, len(X)))

    def loss_and_grads(self, X: np.ndarray, y: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """Mean softmax cross-entropy and its gradient w.r.t. every parameter (backpropagation).

        Returns
        -------
        loss : float
        grads : dict[str, ndarray]
            Same keys and shapes as ``params``.
        """
        X = self._check_x(X)
        y = self._check_y(y, len(X))
        _, act_backward = ACTIVATIONS[self.activation]
        logits, cache = self._forward(X)
        loss = softmax_cross_entropy(logits, y)
        grads: dict[str, np.ndarray] = {}
        d_out = softmax_cross_entropy_backward(logits, y)  # (n, K): dL/dlogits, carries the 1/n
        for k in range(self.n_layers, 0, -1):  # last layer first
            h, z = cache[k - 1]
            if k < self.n_layers:
                d_out = act_backward(d_out, z)  # through the activation after layer k
            d_out, grads[f"W{k}"], grads[f"b{k}"] = dense_backward(d_out, h, self.params[f"W{k}"])
        return loss, {key: grads[key] for key in self.params}

    # ---- training
    def fit(
        self,
        X: np.ndarray,
        y: np.ndarray,
        *,
        epochs: int = 10,
        batch_size: int = 64,
        learning_rate: float = 1e-3,
        optimizer: str = "adam",
        validation_data: tuple[np.ndarray, np.ndarray] | None = None,
        seed: int = 0,
        progress: bool = False,
    ) -> dict[str, list[float]]:
        """Train with mini-batch SGD or Adam on shuffled mini-batches; the parameters change in place.

        Parameters
        ----------
        X, y : arrays of shapes (n, d_in) and (n,)
        epochs, batch_size : int
        learning_rate : float
            Step size (Adam's default 1e-3 suits ``optimizer="adam"``; plain SGD wants ~0.1).
        optimizer : {"adam", "sgd"}
        validation_data : (X_val, y_val), optional
            Evaluated after every epoch.
        seed : int
            Seed of the shuffling, so training is repeatable.
        progress : bool
            Show a ``tqdm`` progress bar over the epochs.

        Returns
        -------
        history : dict[str, list[float]]
            Per epoch: ``"loss"`` (mean training loss over the epoch's batches), ``"accuracy"``
            (training accuracy at the end of the epoch) and, with validation data,
            ``"val_loss"`` and ``"val_accuracy"``.
        """
        X = self._check_x(X)
        y = self._check_y(y, len(X))
        if optimizer not in ("adam", "sgd"):
            raise ValueError(f"optimizer should be 'adam' or 'sgd'; got {optimizer!r}.")
        epochs, batch_size = check_count(epochs, "epochs"), check_count(batch_size, "batch_size")
        learning_rate = check_positive(learning_rate, "learning_rate")
        val = None
        if validation_data is not None:
            X_val = self._check_x(validation_data[0])
            val = (X_val, self._check_y(validation_data[1], len(X_val)))
        step = _Adam(self.params, learning_rate) if optimizer == "adam" else _SGD(learning_rate)
        rng = np.random.default_rng(seed)
        history: dict[str, list[float]] = {"loss": [], "accuracy": []}
        if val is not None:
            history.update(val_loss=[], val_accuracy=[])
        epoch_range = range(epochs)
        if progress:
            from tqdm.auto import tqdm

            epoch_range = tqdm(epoch_range, desc="training", unit="epoch")
        with _single_threaded_blas():
            for _ in epoch_range:
                order = rng.permutation(len(X))  # a new shuffle every epoch
                losses = []
                for _, batch in in_batches(order, batch_size):  # consecutive minibatches of the shuffle
                    loss, grads = self.loss_and_grads(X[batch], y[batch])
                    step(self.params, grads)
                    losses.append(loss)
                history["loss"].append(float(np.mean(losses)))
                history["accuracy"].append(float(np.mean(self.predict(X) == y)))
                if val is not None:
                    logits = self.forward(val[0])
                    history["val_loss"].append(softmax_cross_entropy(logits, val[1]))
                    history["val_accuracy"].append(float(np.mean(logits.argmax(axis=1) == val[1])))
        return history


def _single_threaded_blas():
    """One BLAS thread while training: on mini-batches this small, handing work to a second
    thread costs more than it saves — and many times more on a busy machine."""
    try:
        from threadpoolctl import threadpool_limits  # installed with scikit-learn
    except ImportError:  # pragma: no cover
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def sgd_step(
    params: dict[str, np.ndarray], grads: dict[str, np.ndarray], learning_rate: float
) -> dict[str, np.ndarray]:
    """One step of gradient descent: a new dict ``{name: params[name] - learning_rate * grads[name]}``.

    ``params`` is not changed. ``MLP.fit(optimizer="sgd")`` takes this step on each mini-batch.
    Notebook 03, exercise 4.

    >>> sgd_step({"w": np.array([1.0, 2.0])}, {"w": np.array([0.5, -1.0])}, 0.1)
    {'w': array([0.95, 2.1 ])}
    """
    return {name: value - learning_rate * grads[name] for name, value in params.items()}


class _SGD:
    """Plain gradient descent: ``p -= learning_rate * g``."""

    def __init__(self, learning_rate: float):
        self.learning_rate = learning_rate

    def __call__(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        for key, value in sgd_step(params, grads, self.learning_rate).items():
            params[key][...] = value  # in place: the arrays stay the ones MLP.params holds


class _Adam:
    """Adam (Kingma & Ba, 2015) with the paper's defaults and bias correction."""

    def __init__(self, params: dict[str, np.ndarray], learning_rate: float, beta1=0.9, beta2=0.999, eps=1e-8):
        self.learning_rate, self.beta1, self.beta2, self.eps = learning_rate, beta1, beta2, eps
        self.m = {key: np.zeros_like(p) for key, p in params.items()}  # running mean of g
        self.v = {key: np.zeros_like(p) for key, p in params.items()}  # running mean of g**2
        self.t = 0

    def __call__(self, params: dict[str, np.ndarray], grads: dict[str, np.ndarray]) -> None:
        self.t += 1
        for key, g in grads.items():
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * g
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * g**2
            m_hat = self.m[key] / (1 - self.beta1**self.t)
            v_hat = self.v[key] / (1 - self.beta2**self.t)
            params[key] -= self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)
