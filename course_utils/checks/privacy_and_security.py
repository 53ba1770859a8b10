"""Checks for notebook 12_privacy_and_security: the scaffold's routing, a membership AUC, top-k overlap, int8 weights.

Each check tries the learner's function on several inputs (with ties where ties matter, unequal
group sizes, rectangular images and weights whose largest magnitude is negative) and recognizes
the common slips, each with its own hint.
"""

from __future__ import annotations

import numpy as np

from course_utils import attacks, quantization
from course_utils.checks import CheckResult, Wrong, call, exercise, expect_close, show
from course_utils.checks._answers import as_array, as_number, case, unpack

__all__ = ["scaffold_predict", "membership_auc", "top_k_intersection", "quantize_int8"]


# --------------------------------------------------------------------------- Exercise 1
def _scaffold_cases():
    """(biased, innocuous, p_real, threshold): refusals 0/1 and probabilities, some exactly at the threshold."""
    rng = np.random.default_rng(12)
    cases = []
    for n, threshold in ((12, 0.5), (9, 0.7)):
        biased = rng.integers(0, 2, size=n).astype(float)
        innocuous = 1.0 - biased  # the two models disagree everywhere, so every routing slip shows
        innocuous[:2] = biased[:2]
        p_real = rng.random(n).round(2)
        p_real[[2, 5]] = threshold  # rows exactly at the threshold count as real
        cases.append((biased, innocuous, p_real, threshold))
    cases[1][0][:] = rng.random(9).round(2)  # probabilities too, not only 0/1: a mix or a mask shows
    cases[1][1][:] = rng.random(9).round(2)
    return cases


HINT_SCAFFOLD_SWAPPED = (
    "rows the detector deems real (p_real >= threshold) get the BIASED answer: that is what the scaffold hides; the "
    "explainer's perturbed rows get the innocuous one."
)
HINT_SCAFFOLD_STRICT = "a row exactly at the threshold counts as real: use p_real >= threshold, not p_real > threshold."
HINT_SCAFFOLD_MIX = (
    "choose one model per row (np.where), do not blend them: p_real * biased + (1 - p_real) * innocuous lets the bias "
    "leak into every answer."
)
HINT_SCAFFOLD_FIXED = "use the argument `threshold` (the check also tries 0.7), not a fixed 0.5."
HINT_SCAFFOLD_MASK = "return the chosen model's answers, not the mask of rows deemed real."
HINT_SCAFFOLD_FAKE = (
    "p_real is the probability that a row is REAL; you thresholded 1 - p_real, the probability that it was made up."
)
HINT_SCAFFOLD_GENERAL = "np.where(p_real >= threshold, biased, innocuous): one answer per row, shape (n,)."


@exercise("Exercise 1: the scaffold's routing")
def scaffold_predict(fn) -> CheckResult:
    """Check ``fn(biased, innocuous, p_real, threshold)``: ``biased`` where ``p_real >= threshold``, else the other."""
    for biased, innocuous, p_real, threshold in _scaffold_cases():
        description = f"{len(p_real)} rows, threshold {threshold} (two rows exactly at it)"
        with case(description):
            received = call(fn, biased, innocuous, p_real, threshold, name="scaffold_predict")
            got = as_array(received, "scaffold_predict(...)", hint=HINT_SCAFFOLD_GENERAL)
            real = p_real >= threshold
            mistakes = (
                (np.where(real, innocuous, biased), HINT_SCAFFOLD_SWAPPED),
                (np.where(p_real > threshold, biased, innocuous), HINT_SCAFFOLD_STRICT),
                (p_real * biased + (1 - p_real) * innocuous, HINT_SCAFFOLD_MIX),
                (np.where(p_real >= 0.5, biased, innocuous), HINT_SCAFFOLD_FIXED),
                (real.astype(float), HINT_SCAFFOLD_MASK),
                (np.where(1 - p_real >= threshold, biased, innocuous), HINT_SCAFFOLD_FAKE),
            )
            expect_close(got, np.where(real, biased, innocuous), name="scaffold_predict(...)", mistakes=mistakes,
                         hint=HINT_SCAFFOLD_GENERAL)
    return "correct — one line is all the scaffold needs; the work is in the detector that computes p_real."


# --------------------------------------------------------------------------- Exercise 2
def _auc_cases():
    """(member scores, non-member scores, what they are): unequal sizes, ties, and a score that ranks members low."""
    rng = np.random.default_rng(21)
    return [
        (rng.normal(0.8, 1.0, size=7), rng.normal(0.0, 1.0, size=5), "7 members, 5 non-members, no ties"),
        (np.array([3.0, 2.0, 2.0, 5.0, 1.0, 2.0]), np.array([2.0, 1.0, 2.0, 0.0]),
         "6 members, 4 non-members, many ties"),
        (rng.normal(-0.5, 1.0, size=4).round(1), rng.normal(0.0, 1.0, size=9).round(1),
         "4 members, 9 non-members, a weak score"),
    ]


def _auc_variant(s, t, how="right"):
    s, t = np.asarray(s, dtype=float), np.asarray(t, dtype=float)
    greater, ties = (s[:, None] > t[None, :]), (s[:, None] == t[None, :])
    if how == "strict":
        return greater.mean()
    if how == "ties as wins":
        return (greater | ties).mean()
    if how == "reversed":
        return (t[:, None] > s[None, :]).mean() + 0.5 * ties.mean()
    if how == "zip":
        return np.mean([1.0 if a > b else 0.5 if a == b else 0.0 for a, b in zip(s, t)])
    if how == "count":
        return greater.sum() + 0.5 * ties.sum()
    if how == "over m + n":
        return (greater.sum() + 0.5 * ties.sum()) / (len(s) + len(t))
    return greater.mean() + 0.5 * ties.mean()


HINT_AUC_STRICT = (
    "a tie (member score == non-member score) counts one half, not 0: (s > t) + 0.5 * (s == t), averaged over all "
    "pairs. (Ranks that break ties by position do the same; give tied scores their average rank, as "
    "scipy.stats.rankdata does.)"
)
HINT_AUC_WINS = "a tie counts one half, not 1: (s > t) + 0.5 * (s == t)."
HINT_AUC_REVERSED = "count the pairs where the MEMBER scores higher (s_i > t_j): you have 1 − AUC."
HINT_AUC_ZIP = (
    "compare every member with every non-member (m × n pairs, e.g. s[:, None] > t[None, :]), not member i with "
    "non-member i: zip pairs up only min(m, n) of them."
)
HINT_AUC_COUNT = (
    "divide the count of pairs ranked right by the number of pairs, len(s) * len(t): the AUC is a share between 0 and "
    "1."
)
HINT_AUC_M_PLUS_N = "divide by the number of PAIRS, len(s) * len(t), not by the number of examples."
HINT_AUC_GENERAL = (
    "AUC = mean over all pairs (i, j) of [s_i > t_j] + 0.5 * [s_i == t_j]; sklearn's roc_auc_score gives the same with "
    "members labelled 1."
)


@exercise("Exercise 2: a membership AUC by hand")
def membership_auc(fn) -> CheckResult:
    """Check ``fn(member_scores, nonmember_scores)``: the share of (member, non-member) pairs ranked right, ties ½."""
    for s, t, description in _auc_cases():
        with case(description):
            got = as_number(call(fn, s, t, name="membership_auc"), "membership_auc(...)", hint=HINT_AUC_GENERAL)
            slips = (("strict", HINT_AUC_STRICT), ("ties as wins", HINT_AUC_WINS), ("reversed", HINT_AUC_REVERSED),
                     ("zip", HINT_AUC_ZIP), ("count", HINT_AUC_COUNT), ("over m + n", HINT_AUC_M_PLUS_N))
            mistakes = tuple((_auc_variant(s, t, how), hint) for how, hint in slips
                             if not np.isclose(_auc_variant(s, t, how), _auc_variant(s, t)))
            expect_close(got, _auc_variant(s, t), name="membership_auc(...)", mistakes=mistakes, hint=HINT_AUC_GENERAL)
    return "correct — the same number as sklearn.metrics.roc_auc_score(labels, scores), ties included."


# --------------------------------------------------------------------------- Exercise 3
def _intersection_cases():
    """Signed maps of non-square images with no ties in |value|, and the k to use."""
    rng = np.random.default_rng(33)
    a = rng.normal(size=(3, 6, 5))  # (3, 6, 5): 3 images of 6 × 5 pixels
    b = a + rng.normal(scale=0.8, size=a.shape)
    b[0] = -b[0]  # a map with its signs flipped has the same |values|: the same top-k set
    c = rng.normal(size=(2, 4, 7))
    d = c + rng.normal(scale=1.0, size=c.shape)
    return [(a, b, 7, "3 maps of 6 × 5 pixels, k = 7"), (c, d, 3, "2 maps of 4 × 7 pixels, k = 3")]


def _intersection_variant(a, b, k, how="right"):
    n = len(a)
    fa, fb = a.reshape(n, -1), b.reshape(n, -1)
    if how == "signed":
        fa, fb = -fa, -fb  # the k most positive values: argsort of -value
        top = lambda f: np.argsort(f, axis=1)[:, :k]  # noqa: E731
    elif how == "smallest":
        top = lambda f: np.argsort(np.abs(f), axis=1)[:, :k]  # noqa: E731
    else:
        top = lambda f: np.argsort(-np.abs(f), axis=1)[:, :k]  # noqa: E731
    ta, tb = top(fa), top(fb)
    shared = np.array([len(set(x) & set(y)) for x, y in zip(ta, tb)], dtype=float)
    if how == "positions":
        return (ta == tb).mean(axis=1)
    if how == "count":
        return shared
    if how == "over features":
        return shared / fa.shape[1]
    if how == "jaccard":
        return shared / (2 * k - shared)
    return shared / k


HINT_TOPK_SIGNED = (
    "rank by magnitude, np.abs(values): a pixel with a large negative saliency is as important as a large positive "
    "one."
)
HINT_TOPK_SMALLEST = "take the k LARGEST |values|: np.argsort(-np.abs(v))[:k] (np.argsort alone sorts ascending)."
HINT_TOPK_POSITIONS = (
    "compare the two top-k SETS (np.intersect1d or set(a) & set(b)), not the two sorted index lists position by "
    "position: the same pixels in another order are still the same top-k."
)
HINT_TOPK_COUNT = "divide the number of shared pixels by k: the intersection is a share between 0 and 1."
HINT_TOPK_FEATURES = "divide the number of shared pixels by k, not by the number of pixels."
HINT_TOPK_JACCARD = (
    "divide by k, not by the size of the union: that is the Jaccard index (notebook 08); Ghorbani et al. report |A ∩ "
    "B| / k."
)
HINT_TOPK_FLATTEN = (
    "flatten each map first (a.reshape(len(a), -1)): the top-k pixels are taken over the whole image, not per row of "
    "it."
)
HINT_TOPK_BATCH = "return one share per image, shape (n,), not their mean."
HINT_TOPK_GENERAL = (
    "for each image: A = the indices of the k largest |a| (flattened), B the same for b; return len(A & B) / k. "
    "Shape (n,)."
)


@exercise("Exercise 3: top-k intersection")
def top_k_intersection(fn) -> CheckResult:
    """Check ``fn(a, b, k)`` returns, per image, the share of a's top-k pixels (by |value|) among b's top-k."""
    for a, b, k, description in _intersection_cases():
        with case(description):
            received = call(fn, a, b, k, name="top_k_intersection")
            got = as_array(received, "top_k_intersection(a, b, k)", hint=HINT_TOPK_GENERAL)
            if got.shape == ():
                if np.isclose(float(got), attacks.top_k_intersection(a, b, k=k).mean()):
                    raise Wrong(f"top_k_intersection returned one number, {float(got):.4g}, the mean over the images.",
                                hint=HINT_TOPK_BATCH)
                raise Wrong(f"top_k_intersection returned one number; expected one share per image, shape ({len(a)},).",
                            hint=HINT_TOPK_BATCH)
            if got.shape == a.shape[:2]:
                raise Wrong(f"top_k_intersection returned shape {got.shape}, one number per row of each image.",
                            hint=HINT_TOPK_FLATTEN)
            slips = (("signed", HINT_TOPK_SIGNED), ("smallest", HINT_TOPK_SMALLEST), ("positions", HINT_TOPK_POSITIONS),
                     ("count", HINT_TOPK_COUNT), ("over features", HINT_TOPK_FEATURES), ("jaccard", HINT_TOPK_JACCARD))
            mistakes = tuple((_intersection_variant(a, b, k, how), hint) for how, hint in slips)
            expect_close(got, attacks.top_k_intersection(a, b, k=k), name="top_k_intersection(a, b, k)",
                         mistakes=mistakes, hint=HINT_TOPK_GENERAL)
    return ("correct — the first map's signs were flipped in the check, and its top-k set stayed the same: "
            "only |values| count.")


# --------------------------------------------------------------------------- Exercise 4
def _weights_cases():
    rng = np.random.default_rng(44)
    W = rng.normal(scale=0.1, size=(5, 7))  # (5, 7): a Dense kernel, 5 inputs, 7 units
    W[3, 2] = -0.62  # the largest magnitude is negative: max(W) is not max(|W|)
    V = rng.normal(scale=2.0, size=(4, 3))  # (4, 3)
    V[0, 1] = 9.5
    return [(W, "a (5, 7) kernel whose largest |w| is negative"), (V, "a (4, 3) kernel with large weights")]


HINT_Q_128 = (
    "scale = max|W| / 127, so that the largest weight lands exactly on ±127 (the symmetric int8 grid leaves −128 out)."
)
HINT_Q_255 = "the grid is symmetric around 0: scale = max|W| / 127 (127 steps on each side), not max|W| / 255."
HINT_Q_MAX = "use the largest MAGNITUDE, np.abs(W).max(): here the largest |w| is negative, and max(W) misses it."
HINT_Q_TRUNC = (
    "round to the nearest integer (np.rint or np.round) before converting: .astype(np.int8) alone truncates toward "
    "zero."
)
HINT_Q_FLOOR = "round to the nearest integer (np.rint), not down (np.floor)."
HINT_Q_DEQUANT = "return the integers q = round(W / scale) and the scale, not the dequantized weights q * scale."
HINT_Q_PER_CHANNEL = "one scale for the whole tensor (per-tensor): np.abs(W).max() over all entries, a single number."
HINT_Q_DTYPE = (
    "store q as 8-bit integers: q.astype(np.int8) (the float array of whole numbers takes 4–8 times the memory)."
)
HINT_Q_GENERAL = "scale = np.abs(W).max() / 127; q = np.rint(W / scale).astype(np.int8); return q, scale."


@exercise("Exercise 4: int8 weights by hand")
def quantize_int8(fn) -> CheckResult:
    """Check ``fn(W)`` returns ``(q, scale)``: int8 ``q = round(W / scale)`` with ``scale = max|W| / 127``."""
    for W, description in _weights_cases():
        with case(description):
            q_ref, scale_ref = quantization.quantize(W, bits=8)
            received = call(fn, W, name="quantize_int8", returns="q, scale")
            q, scale = unpack(received, ("q", "scale"), (q_ref, scale_ref), function="quantize_int8")
            largest = np.abs(W).max()
            if scale.shape == (W.shape[1],):
                raise Wrong(f"scale has shape {scale.shape}, one per column.", hint=HINT_Q_PER_CHANNEL)
            expect_close(scale, scale_ref, name="scale", hint=HINT_Q_GENERAL, mistakes=(
                (largest / 128, HINT_Q_128), (largest / 255, HINT_Q_255), (W.max() / 127, HINT_Q_MAX)))
            mistakes = ((np.trunc(W / scale_ref), HINT_Q_TRUNC), (np.floor(W / scale_ref), HINT_Q_FLOOR),
                        (q_ref * scale_ref, HINT_Q_DEQUANT))
            expect_close(q, q_ref, name="q", hint=HINT_Q_GENERAL, mistakes=mistakes, rtol=0, atol=1e-9)
            received_q = np.asarray(received[0])
            if received_q.dtype != np.int8:
                raise Wrong(f"q holds the right values but has dtype {received_q.dtype}.",
                            f"received: {show(received_q)}", hint=HINT_Q_DTYPE)
    return "correct — each weight moved by at most scale / 2, and the kernel now takes a quarter of float32's memory."
