"""Shapley values: of cooperative games by enumeration, and of a model's prediction (exact, KernelSHAP).

A cooperative game gives each coalition ``S`` of players a value ``v(S)``. The Shapley value of
player ``i`` is its marginal contribution averaged over all coalitions of the others,

    phi_i = sum over S not containing i of  |S|! (n - |S| - 1)! / n!  *  (v(S ∪ {i}) - v(S)),

the only way of sharing ``v(N) - v(∅)`` that is efficient, symmetric, gives dummies nothing and
is additive (Shapley 1953).

To explain a prediction ``f(x)`` the players are the features, and a coalition's value is the
model's output when the features in ``S`` take the values of ``x`` and the others come from
background rows, averaged over the background ("interventional", Janzing et al. 2020)::

    v_x(S) = mean over background rows b of f(x_S, b_{-S}).

Then ``v_x(∅) = mean f(background)`` (the ``base_values``) and ``v_x(all) = f(x)``.

- :func:`exact_shapley` evaluates ``v_x`` on all ``2**d`` coalitions, in a few large batched
  calls of the model, and applies the formula above (Štrumbelj & Kononenko 2014 sample it; we
  enumerate, so it is exact and needs ``d`` small).
- :func:`kernel_shap` finds the same numbers as a weighted least-squares fit of ``v_x`` with the
  Shapley kernel and the efficiency constraint (Lundberg & Lee 2017), on all coalitions when the
  budget allows, else on a sample.

Coalitions are boolean rows of shape ``(d,)``; :func:`all_coalitions` lists them in the order of
the integer whose bit ``j`` says whether player ``j`` is in, so coalition ``k | (1 << i)`` is
coalition ``k`` with player ``i`` added. Taught in notebook 07_shapley_and_shap.

NumPy only: importing this module does not import TensorFlow (or shap).
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable

import numpy as np

from course_utils.explanation import Attribution, explained_outputs, select_output
from course_utils.validation import DEFAULT_BATCH_SIZE, RowsOnDemand, as_batch, check_count, predict_in_batches

__all__ = [
    "MAX_EXACT_FEATURES",
    "shapley_weight",
    "all_coalitions",
    "shapley_from_coalition_values",
    "shapley_values",
    "sickness_game",
    "glove_game",
    "max_game",
    "coalition_values",
    "exact_shapley",
    "shapley_kernel_weight",
    "sample_coalitions",
    "solve_kernel_regression",
    "kernel_shap",
]

#: exact_shapley enumerates 2**d coalitions; beyond this many features it refuses.
MAX_EXACT_FEATURES = 20


# ---------------------------------------------------------------------------------------------
# Cooperative games
# ---------------------------------------------------------------------------------------------


def _check_players(n_players: Any, *, limit: int = MAX_EXACT_FEATURES) -> int:
    n_players = check_count(n_players, "n_players")
    if n_players > limit:
        raise ValueError(
            f"enumerating the 2**{n_players} coalitions of {n_players} players is too much; "
            f"exact enumeration handles at most {limit} players."
        )
    return int(n_players)


def shapley_weight(size: int | np.ndarray, n_players: int) -> float | np.ndarray:
    """The Shapley weight ``|S|! (n - |S| - 1)! / n!`` of a coalition of ``size`` other players.

    It is the probability that, in a uniformly random ordering of the ``n`` players, exactly the
    players of one given ``S`` (not containing ``i``) come before ``i``: equal to
    ``1 / (n * C(n - 1, |S|))``. The weights of all coalitions without ``i`` sum to 1.

    Parameters
    ----------
    size : int or array of int
        ``|S|``, from 0 to ``n_players - 1``.
    n_players : int
        ``n``.

    Returns
    -------
    float, or array of the shape of ``size``

    Examples
    --------
    >>> shapley_weight(1, 3)  # 1! 1! / 3!
    0.16666666666666666
    """
    n = _check_players(n_players, limit=10_000)
    sizes = np.asarray(size)
    if not np.issubdtype(sizes.dtype, np.integer) or sizes.min(initial=0) < 0 or sizes.max(initial=0) > n - 1:
        raise ValueError(
            f"size is |S|, the number of OTHER players in the coalition: an int from 0 to {n - 1}; got {size!r}."
        )
    weights = np.array([1.0 / (n * math.comb(n - 1, int(s))) for s in sizes.reshape(-1)]).reshape(sizes.shape)
    return float(weights) if weights.ndim == 0 else weights


def all_coalitions(n_players: int) -> np.ndarray:
    """Every coalition of ``n_players`` players as a boolean matrix of shape ``(2**n, n)``.

    Row ``k`` holds player ``j`` when bit ``j`` of ``k`` is set: row 0 is the empty coalition, the
    last row all players.

    Examples
    --------
    >>> all_coalitions(2).astype(int)
    array([[0, 0],
           [1, 0],
           [0, 1],
           [1, 1]])
    """
    n = _check_players(n_players)
    codes = np.arange(2**n)  # (2**n,)
    return ((codes[:, None] >> np.arange(n)) & 1).astype(bool)  # (2**n, n)


def shapley_from_coalition_values(values: np.ndarray) -> np.ndarray:
    """Shapley values from the values of all ``2**n`` coalitions, in :func:`all_coalitions` order.

    Parameters
    ----------
    values : array, shape (2**n,) or (m, 2**n)
        ``v(S)`` for every coalition (one game, or ``m`` games side by side).

    Returns
    -------
    array, shape (n,) or (m, n)
    """
    values = np.asarray(values, dtype=float)
    n = int(round(math.log2(values.shape[-1]))) if values.shape[-1] > 0 else -1
    if n < 1 or 2**n != values.shape[-1]:
        raise ValueError(
            f"values must hold one number per coalition, 2**n of them on the last axis; got shape {values.shape}."
        )
    codes = np.arange(2**n)
    sizes = np.array([bin(k).count("1") for k in codes])  # |S| of each coalition
    weights = shapley_weight(np.arange(n), n)  # (n,): weight of |S| = 0 .. n-1
    phi = np.empty(values.shape[:-1] + (n,))
    for i in range(n):
        without = codes[(codes >> i) & 1 == 0]  # the 2**(n-1) coalitions S without player i
        gain = values[..., without | (1 << i)] - values[..., without]  # v(S ∪ {i}) - v(S)
        phi[..., i] = gain @ weights[sizes[without]]
    return phi


def shapley_values(value_fn: Callable[[frozenset], float], n_players: int) -> np.ndarray:
    """Exact Shapley values of a cooperative game, by enumerating all ``2**n`` coalitions.

    Parameters
    ----------
    value_fn : callable
        ``value_fn(coalition) -> float``, where ``coalition`` is a frozenset of player indices
        ``0 .. n_players - 1``.
    n_players : int

    Returns
    -------
    array, shape (n_players,)

    Examples
    --------
    >>> shapley_values(glove_game, 3)  # one left glove, two right gloves
    array([0.66666667, 0.16666667, 0.16666667])
    """
    if not callable(value_fn):
        raise TypeError(
            f"value_fn must be a function of a coalition (a frozenset of players); got {type(value_fn).__name__}."
        )
    masks = all_coalitions(n_players)
    values = np.empty(len(masks))
    for k, mask in enumerate(masks):
        coalition = frozenset(np.flatnonzero(mask).tolist())
        value = value_fn(coalition)
        try:
            values[k] = float(value)
        except (TypeError, ValueError):
            shown = set(coalition) or "{}"
            raise ValueError(
                f"value_fn must return a number for every coalition; it returned {value!r} for {shown}."
            ) from None
    return shapley_from_coalition_values(values)


def sickness_game(coalition: Iterable[int]) -> float:
    """The "sickness score" of Lundberg & Lee's user study (2017, Fig. 4): players 0 = fever, 1 = cough.

    Score 0 with no symptom, 5 with exactly one, 2 with both. Shapley values for a patient with
    both: ``(1, 1)``.
    """
    return {0: 0.0, 1: 5.0, 2: 2.0}[len(set(coalition) & {0, 1})]


def glove_game(coalition: Iterable[int]) -> float:
    """The glove game: player 0 owns a left glove, players 1 and 2 a right glove each.

    A coalition is worth 1 if it can make a pair. Shapley values: ``(2/3, 1/6, 1/6)``.
    """
    members = set(coalition)
    return 1.0 if 0 in members and members & {1, 2} else 0.0


def max_game(scores: Iterable[float]) -> Callable[[Iterable[int]], float]:
    """A game where a coalition wins the best score of its members (0 when empty).

    With sorted scores ``a <= b <= c``: ``phi = (a/3, a/3 + (b-a)/2, a/3 + (b-a)/2 + (c-b))``.
    (Lundberg & Lee's second user study shares a maximum this way.)

    Examples
    --------
    >>> shapley_values(max_game([3.0, 6.0, 9.0]), 3)
    array([1. , 2.5, 5.5])
    """
    scores = [float(s) for s in scores]

    def value(coalition: Iterable[int]) -> float:
        return max((scores[i] for i in coalition), default=0.0)

    return value


# ---------------------------------------------------------------------------------------------
# The value function of a prediction: v_x(S) = mean_b f(x_S, b_{-S})
# ---------------------------------------------------------------------------------------------


def _validate(x: Any, background: Any) -> tuple[np.ndarray, np.ndarray, list[str] | None]:
    names = [str(c) for c in x.columns] if hasattr(x, "columns") else None
    if names is None and hasattr(background, "columns"):
        names = [str(c) for c in background.columns]
    x = as_batch(x, name="x")
    if x.ndim != 2:
        raise ValueError(
            f"Shapley explainers take tabular inputs of shape (n, n_features); got {x.shape}. "
            "Flatten images or group pixels into a few features (superpixels) first."
        )
    background = as_batch(background, example_shape=(x.shape[1],), name="background")
    return x, background, names


def _coalition_values(predict_fn, x, background, coalitions, target, batch_size) -> np.ndarray:
    """``v_x(S)`` for every example and coalition, shape (n, m), the masked rows made batch by batch.

    Row ``r`` is pair ``p = r // n_background`` (example ``p // m``, coalition ``p % m``) with the
    features outside the coalition taken from background row ``r % n_background``.
    """
    n, d = x.shape
    m, n_background = len(coalitions), len(background)
    if m == 0:  # one feature: KernelSHAP has no proper coalition to evaluate
        return np.zeros((n, 0))

    def masked(r: np.ndarray) -> np.ndarray:
        pair = r // n_background
        return np.where(coalitions[pair % m], x[pair // m], background[r % n_background])  # (b, d)

    scores = predict_in_batches(predict_fn, RowsOnDemand(n * m * n_background, masked), batch_size=batch_size)
    chosen = None if target is None else np.repeat(target, m * n_background)
    return select_output(scores, chosen).reshape(n, m, n_background).mean(axis=2)


def _base_values(predict_fn, background, target, n) -> np.ndarray:
    """``mean f(background)`` of the explained output of each example, shape (n,)."""
    scores = np.asarray(predict_fn(background), dtype=float)
    mean = scores.reshape(len(background), -1).mean(axis=0)  # (K,) or (1,)
    return np.full(n, mean[0]) if target is None else mean[target]


def _check_batch_size(batch_size: Any) -> int:
    return check_count(batch_size, "batch_size", meaning="the number of rows per call of predict_fn")


def coalition_values(
    predict_fn: Callable[[np.ndarray], Any],
    x: Any,
    background: Any,
    coalitions: Any,
    *,
    target: Any = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> np.ndarray:
    """The interventional value function ``v_x(S) = mean_b f(x_S, b_{-S})`` on given coalitions.

    Parameters
    ----------
    predict_fn : callable
        Maps a batch ``(n, d)`` to ``(n,)`` or ``(n, K)``.
    x : array or DataFrame, shape (n, d)
        The explained examples (``x[None]`` for one).
    background : array or DataFrame, shape (n_background, d)
        Where the features outside ``S`` come from.
    coalitions : bool array, shape (m, d)
        ``True`` where the feature takes the value of ``x``.
    target : None, int or array of int
        The explained output (COURSE.md section 6); None for a single output.
    batch_size : int
        Rows per call of ``predict_fn``.

    Returns
    -------
    array, shape (n, m)

    Examples
    --------
    >>> f = lambda X: X @ np.array([1.0, 2.0])
    >>> coalition_values(f, np.array([[1.0, 1.0]]), np.zeros((3, 2)), [[False, False], [False, True], [True, True]])
    array([[0., 2., 3.]])
    """
    x, background, _ = _validate(x, background)
    coalitions = np.asarray(coalitions)
    if coalitions.ndim != 2 or coalitions.shape[1] != x.shape[1] or coalitions.dtype != bool:
        raise ValueError(
            f"coalitions must be a boolean array of shape (m, {x.shape[1]}), one row per coalition; "
            f"got {coalitions.dtype} {coalitions.shape}."
        )
    _, target = explained_outputs(predict_fn, x, target)
    return _coalition_values(predict_fn, x, background, coalitions, target, _check_batch_size(batch_size))


def exact_shapley(
    predict_fn: Callable[[np.ndarray], Any],
    x: Any,
    background: Any,
    *,
    target: Any = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Attribution:
    """Exact (interventional) Shapley values of ``f(x)``, by evaluating all ``2**d`` coalitions.

    The ``2**d`` masked inputs per background row are built at once and sent to ``predict_fn`` in
    batches of about ``batch_size`` rows, so the model is called ``ceil(n * 2**d *
    n_background / batch_size)`` times. Cost grows as ``2**d``: for more than
    ``MAX_EXACT_FEATURES`` features use :func:`kernel_shap`.

    Parameters
    ----------
    predict_fn : callable
        Maps a batch ``(n, d)`` to ``(n,)`` or ``(n, K)``.
    x : array or DataFrame, shape (n, d)
        The explained examples, batch first (``x[None]`` for one). DataFrame columns become the
        feature names.
    background : array or DataFrame, shape (n_background, d)
        The reference rows; Shapley values explain ``f(x) - mean f(background)``.
    target : None, int or array of int
        Which output to explain: None = the predicted class of each example (or the only
        output), an int = that class for all, an array = one class per example.
    batch_size : int
        Rows per call of ``predict_fn`` (bounds memory).

    Returns
    -------
    Attribution
        ``values`` (n, d); ``base_values`` = mean of the explained output over the background;
        ``outputs`` = ``f(x)[target]``; ``values`` sum to ``outputs - base_values`` exactly.

    Examples
    --------
    >>> w = np.array([1.0, -2.0, 0.5])
    >>> a = exact_shapley(lambda X: X @ w, np.ones((1, 3)), np.zeros((4, 3)))
    >>> a.values  # w * (x - mean(background))
    array([[ 1. , -2. ,  0.5]])
    """
    x, background, names = _validate(x, background)
    d = x.shape[1]
    if d > MAX_EXACT_FEATURES:
        raise ValueError(
            f"exact_shapley enumerates all 2**d coalitions; with d = {d} features that is 2**{d}, too many "
            f"(at most {MAX_EXACT_FEATURES} features). Use kernel_shap(predict_fn, x, background, n_samples=2048), "
            "which samples coalitions, or group the features (e.g. superpixels) first."
        )
    outputs, target = explained_outputs(predict_fn, x, target)
    values = _coalition_values(
        predict_fn, x, background, all_coalitions(d), target, _check_batch_size(batch_size)
    )  # (n, 2**d)
    return Attribution(
        values=shapley_from_coalition_values(values),
        base_values=_base_values(predict_fn, background, target, len(x)),
        outputs=outputs,
        data=x,
        target=target,
        feature_names=names,
        method="exact Shapley (interventional)",
        extras={"n_coalitions": 2**d, "n_background": len(background)},
    )


# ---------------------------------------------------------------------------------------------
# KernelSHAP: Shapley values as a weighted least-squares fit (Lundberg & Lee 2017, Theorem 2)
# ---------------------------------------------------------------------------------------------


def shapley_kernel_weight(size: int | np.ndarray, n_features: int) -> float | np.ndarray:
    """The Shapley kernel ``(M - 1) / (C(M, |z|) |z| (M - |z|))`` of a coalition of ``size`` of ``M`` features.

    Infinite for the empty and the full coalition (KernelSHAP enforces those two as constraints),
    so ``size`` must be in ``1 .. n_features - 1``.

    Examples
    --------
    >>> shapley_kernel_weight(np.arange(1, 4), 4)
    array([0.25 , 0.125, 0.25 ])
    """
    m = _check_players(n_features, limit=10_000)
    sizes = np.asarray(size)
    if m < 2 or not np.issubdtype(sizes.dtype, np.integer) or sizes.min(initial=1) < 1 or sizes.max(initial=1) > m - 1:
        raise ValueError(f"the Shapley kernel is finite for coalition sizes 1 .. {m - 1}; got {size!r}.")
    weights = np.array([(m - 1) / (math.comb(m, int(s)) * s * (m - s)) for s in sizes.reshape(-1)]).reshape(sizes.shape)
    return float(weights) if weights.ndim == 0 else weights


def sample_coalitions(n_features: int, n_samples: int, *, seed: int = 0, paired: bool = True) -> np.ndarray:
    """Coalitions drawn with probability proportional to the Shapley kernel, shape (n_samples, d).

    A size ``s`` is drawn with probability proportional to ``C(d, s) * kernel(s) = (d-1) / (s (d-s))``,
    then a uniformly random set of ``s`` features. Each coalition ``z`` is thus drawn with
    probability proportional to its kernel weight, so the sampled rows enter the least-squares fit
    with equal weights. With ``paired=True`` every drawn coalition is followed by its complement
    (antithetic sampling, Covert & Lee 2021), which has the same probability and often reduces
    the variance of the estimate considerably.

    Examples
    --------
    >>> sample_coalitions(4, 4, seed=0).sum(axis=1)  # sizes of z1, not z1, z2, not z2
    array([3, 1, 1, 3])
    """
    d = _check_players(n_features, limit=10_000)
    if d < 2:
        raise ValueError("with one feature there is no coalition that is neither empty nor full to sample.")
    n_samples = check_count(n_samples, "n_samples", meaning="the number of coalitions to draw")
    rng = np.random.default_rng(seed)
    sizes = np.arange(1, d)
    p = 1.0 / (sizes * (d - sizes))
    n_draws = (n_samples + 1) // 2 if paired else n_samples
    drawn = rng.choice(sizes, size=n_draws, p=p / p.sum())  # (n_draws,)
    ranks = rng.random((n_draws, d)).argsort(axis=1).argsort(axis=1)  # a random ordering per row
    masks = ranks < drawn[:, None]  # (n_draws, d): the first `size` features of the ordering
    if paired:
        masks = np.stack([masks, ~masks], axis=1).reshape(-1, d)  # z1, not z1, z2, not z2, ...
    return masks[:n_samples]


def solve_kernel_regression(coalitions: Any, weights: Any, values: Any, base_value: Any, output: Any) -> np.ndarray:
    """The KernelSHAP fit: weighted least squares under the efficiency constraint.

    Minimizes ``sum_k weights[k] * (base_value + coalitions[k] @ phi - values[k])**2`` subject to
    ``phi.sum() == output - base_value``. The constraint is used to eliminate the last feature,
    ``phi[-1] = total - phi[:-1].sum()``; the rest is ordinary weighted least squares (rows scaled
    by ``sqrt(weights)``, solved with ``np.linalg.lstsq``).

    Parameters
    ----------
    coalitions : array, shape (m, d)
        0/1 rows, one per coalition (neither empty nor full).
    weights : array, shape (m,)
        The regression weight of each row (the Shapley kernel, or 1 for kernel-sampled rows).
    values : array, shape (m,) or (n, m)
        ``v(z)`` of each coalition (for ``n`` examples at once).
    base_value, output : float or array of shape (n,)
        ``v(∅)`` and ``v(all)``.

    Returns
    -------
    array, shape (d,) or (n, d)

    Examples
    --------
    >>> Z = np.array([[1, 0], [0, 1]]); v = np.array([1.0, 3.0])  # v(∅) = 0, v(both) = 6
    >>> solve_kernel_regression(Z, [1.0, 1.0], v, 0.0, 6.0)
    array([2., 4.])
    """
    Z = np.asarray(coalitions, dtype=float)
    w = np.asarray(weights, dtype=float)
    single = np.ndim(values) == 1
    v = np.atleast_2d(np.asarray(values, dtype=float))  # (n, m)
    if Z.ndim != 2 or w.shape != (len(Z),) or v.shape[1] != len(Z):
        raise ValueError(
            f"coalitions (m, d), weights (m,) and values (m,) must agree on m; got {Z.shape}, {w.shape} and "
            f"{np.shape(values)}."
        )
    base = np.broadcast_to(np.asarray(base_value, dtype=float), (len(v),))
    total = np.broadcast_to(np.asarray(output, dtype=float), (len(v),)) - base  # (n,): what phi must sum to
    y = v - base[:, None] - total[:, None] * Z[:, -1]  # (n, m): the last feature's share moved left
    A = Z[:, :-1] - Z[:, -1:]  # (m, d - 1)
    root = np.sqrt(w)[:, None]
    head = (
        np.linalg.lstsq(A * root, (y.T * root), rcond=None)[0].T if A.shape[1] else np.empty((len(v), 0))
    )  # (n, d - 1)
    phi = np.concatenate([head, (total - head.sum(axis=1))[:, None]], axis=1)  # (n, d)
    return phi[0] if single else phi


def kernel_shap(
    predict_fn: Callable[[np.ndarray], Any],
    x: Any,
    background: Any,
    *,
    target: Any = None,
    n_samples: int | None = None,
    seed: int = 0,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Attribution:
    """KernelSHAP: Shapley values as the weighted least-squares fit of the value function.

    With ``n_samples=None`` or ``n_samples >= 2**d - 2`` every coalition except the empty and the
    full one enters the fit with its Shapley-kernel weight, and the result equals
    :func:`exact_shapley` (Lundberg & Lee 2017, Theorem 2). Otherwise ``n_samples`` coalitions are
    drawn from the kernel by :func:`sample_coalitions` (paired with their complements) and enter
    with equal weights; the same coalitions serve every example of the batch. Either way the
    values sum to ``f(x) - mean f(background)`` exactly (the efficiency constraint).

    Parameters
    ----------
    predict_fn, x, background, target, batch_size
        As for :func:`exact_shapley`.
    n_samples : int, optional
        Number of coalitions (model evaluations per background row); at least ``d``.
    seed : int
        Seed of the coalition sampling; the same seed gives the same result.

    Returns
    -------
    Attribution
        As :func:`exact_shapley`; ``extras`` records ``n_coalitions`` and ``enumerated``.

    Examples
    --------
    >>> w = np.array([1.0, -2.0, 0.5])
    >>> a = kernel_shap(lambda X: X @ w, np.ones((1, 3)), np.zeros((4, 3)))
    >>> np.round(a.values, 12)
    array([[ 1. , -2. ,  0.5]])
    """
    x, background, names = _validate(x, background)
    d = x.shape[1]
    n_proper = 2**d - 2  # coalitions neither empty nor full
    if n_samples is not None:
        check_count(
            n_samples,
            "n_samples",
            minimum=d,
            meaning=f"the number of coalitions to evaluate (at least one per feature)",
        )
    elif d > MAX_EXACT_FEATURES:
        raise ValueError(
            f"with d = {d} features the 2**{d} coalitions are too many to enumerate; pass n_samples to sample "
            "some of them, e.g. kernel_shap(predict_fn, x, background, n_samples=2048)."
        )
    enumerate_all = n_samples is None or n_samples >= n_proper
    if enumerate_all:
        coalitions = all_coalitions(d)[1:-1] if d > 1 else np.zeros((0, d), dtype=bool)  # (2**d - 2, d)
        weights = shapley_kernel_weight(coalitions.sum(axis=1), d) if d > 1 else np.zeros(0)
    else:
        coalitions = sample_coalitions(d, int(n_samples), seed=seed)  # (n_samples, d)
        weights = np.ones(len(coalitions))
    outputs, target = explained_outputs(predict_fn, x, target)
    base = _base_values(predict_fn, background, target, len(x))
    values = _coalition_values(predict_fn, x, background, coalitions, target, _check_batch_size(batch_size))  # (n, m)
    phi = solve_kernel_regression(coalitions, weights, values, base, outputs)  # (n, d)
    return Attribution(
        values=phi,
        base_values=base,
        outputs=outputs,
        data=x,
        target=target,
        feature_names=names,
        method="KernelSHAP" + (" (all coalitions)" if enumerate_all else f" ({len(coalitions)} sampled coalitions)"),
        extras={"n_coalitions": len(coalitions), "enumerated": enumerate_all, "n_background": len(background)},
    )
