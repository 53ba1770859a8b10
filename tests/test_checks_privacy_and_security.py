"""The wrong answers learners write in notebook 12_privacy_and_security, each with its verdict and hint.

Every exercise has: right answers written differently (correct), the slips learners make (wrong,
each with the fragment of its hint), and answers that try to break the check (never "the check
itself failed", and the right answer still passes afterwards).
"""

import numpy as np
import pytest
from scipy.stats import rankdata
from sklearn.metrics import roc_auc_score

from course_utils import attacks, quantization
from course_utils.checks import CORRECT, WRONG
from course_utils.checks import privacy_and_security as check
from tests import check_answers as answers
from tests.check_answers import Exercise, text


# ---------------------------------------------------------------- Exercise 1: the scaffold's routing
def route(biased, innocuous, p_real, threshold):
    return np.where(p_real >= threshold, biased, innocuous)


def route_with_a_loop(biased, innocuous, p_real, threshold):
    return np.array([b if p >= threshold else i for b, i, p in zip(biased, innocuous, p_real)])


def route_by_mask(biased, innocuous, p_real, threshold):
    out = innocuous.copy()
    real = ~(p_real < threshold)
    out[real] = biased[real]
    return out


SCAFFOLD_SLIPS = {
    "swapped": (lambda b, i, p, t: np.where(p >= t, i, b), check.HINT_SCAFFOLD_SWAPPED),
    "strict": (lambda b, i, p, t: np.where(p > t, b, i), check.HINT_SCAFFOLD_STRICT),
    "a blend": (lambda b, i, p, t: p * b + (1 - p) * i, check.HINT_SCAFFOLD_MIX),
    "threshold 0.5": (lambda b, i, p, t: np.where(p >= 0.5, b, i), check.HINT_SCAFFOLD_FIXED),
    "the mask": (lambda b, i, p, t: p >= t, check.HINT_SCAFFOLD_MASK),
    "p of fake": (lambda b, i, p, t: np.where(1 - p >= t, b, i), check.HINT_SCAFFOLD_FAKE),
    "a list": (lambda b, i, p, t: list(route(b, i, p, t)), "got a list"),
    "one number": (lambda b, i, p, t: float(route(b, i, p, t).mean()),
                   "is a single number; expected an array of shape (12,)"),
    "the biased model only": (lambda b, i, p, t: b, check.HINT_SCAFFOLD_GENERAL),
}


# ---------------------------------------------------------------- Exercise 2: a membership AUC by hand
def auc_pairs(s, t):
    return np.mean((s[:, None] > t[None, :]) + 0.5 * (s[:, None] == t[None, :]))


def auc_loops(s, t):
    total = 0.0
    for a in s:
        for b in t:
            total += 1.0 if a > b else 0.5 if a == b else 0.0
    return total / (len(s) * len(t))


def auc_sklearn(s, t):
    return roc_auc_score(np.r_[np.ones(len(s)), np.zeros(len(t))], np.r_[s, t])


def auc_mann_whitney(s, t):
    ranks = rankdata(np.r_[s, t])  # average ranks for ties
    return (ranks[: len(s)].sum() - len(s) * (len(s) + 1) / 2) / (len(s) * len(t))


def auc_ordinal(s, t):
    ranks = rankdata(np.r_[s, t], method="ordinal")
    return (ranks[: len(s)].sum() - len(s) * (len(s) + 1) / 2) / (len(s) * len(t))


AUC_SLIPS = {
    "ties count 0": (lambda s, t: np.mean(s[:, None] > t[None, :]), check.HINT_AUC_STRICT),
    "ties count 1": (lambda s, t: np.mean(s[:, None] >= t[None, :]), check.HINT_AUC_WINS),
    "reversed": (lambda s, t: auc_pairs(t, s), check.HINT_AUC_REVERSED),
    "labels swapped in sklearn": (lambda s, t: roc_auc_score(np.r_[np.zeros(len(s)), np.ones(len(t))], np.r_[s, t]),
                                  check.HINT_AUC_REVERSED),
    "zip": (lambda s, t: np.mean([1.0 if a > b else 0.5 if a == b else 0.0 for a, b in zip(s, t)]), check.HINT_AUC_ZIP),
    "a count": (lambda s, t: np.sum((s[:, None] > t[None, :]) + 0.5 * (s[:, None] == t[None, :])),
                check.HINT_AUC_COUNT),
    "over m + n": (lambda s, t: np.sum((s[:, None] > t[None, :]) + 0.5 * (s[:, None] == t[None, :]))
                   / (len(s) + len(t)), check.HINT_AUC_M_PLUS_N),
    "ordinal ranks": (auc_ordinal, "average rank"),
    "a tuple": (lambda s, t: (auc_pairs(s, t), 0.5), "one number"),
    "a string": (lambda s, t: f"{auc_pairs(s, t):.3f}", "got a string"),
    "the means compared": (lambda s, t: float(s.mean() > t.mean()), check.HINT_AUC_GENERAL),
}


# ---------------------------------------------------------------- Exercise 3: top-k intersection
def topk_sets(a, b, k):
    n = len(a)
    top = lambda v: np.argsort(-np.abs(v.reshape(n, -1)), axis=1)[:, :k]  # noqa: E731
    return np.array([len(np.intersect1d(x, y)) / k for x, y in zip(top(a), top(b))])


def topk_argpartition(a, b, k):
    fa, fb = np.abs(a.reshape(len(a), -1)), np.abs(b.reshape(len(b), -1))
    ia, ib = np.argpartition(-fa, k - 1, axis=1)[:, :k], np.argpartition(-fb, k - 1, axis=1)[:, :k]
    return np.array([len(set(x.tolist()) & set(y.tolist())) for x, y in zip(ia, ib)]) / k


def topk_threshold(a, b, k):  # the k-th largest |value| as a cut-off, no ties in the check's data
    fa, fb = np.abs(a.reshape(len(a), -1)), np.abs(b.reshape(len(b), -1))
    cut = lambda f: f >= np.sort(f, axis=1)[:, -k][:, None]  # noqa: E731
    return (cut(fa) & cut(fb)).sum(axis=1) / k


def _topk_slip(how):
    def wrong(a, b, k):
        n = len(a)
        fa, fb = a.reshape(n, -1), b.reshape(n, -1)
        order = {"signed": lambda f: np.argsort(-f, axis=1), "smallest": lambda f: np.argsort(np.abs(f), axis=1)}.get(
            how, lambda f: np.argsort(-np.abs(f), axis=1))
        ta, tb = order(fa)[:, :k], order(fb)[:, :k]
        shared = np.array([len(set(x) & set(y)) for x, y in zip(ta, tb)], dtype=float)
        if how == "positions":
            return np.mean(ta == tb, axis=1)
        if how == "count":
            return shared
        if how == "over pixels":
            return shared / fa.shape[1]
        if how == "jaccard":
            return shared / (2 * k - shared)
        if how == "mean":
            return float((shared / k).mean())
        return shared / k

    return wrong


def topk_not_flattened(a, b, k):  # the top-k of each row of the image
    ta, tb = np.argsort(-np.abs(a), axis=-1)[..., :k], np.argsort(-np.abs(b), axis=-1)[..., :k]
    return np.array([[len(set(x) & set(y)) / k for x, y in zip(ra, rb)] for ra, rb in zip(ta, tb)])


TOPK_SLIPS = {
    "signed values": (_topk_slip("signed"), check.HINT_TOPK_SIGNED),
    "the smallest": (_topk_slip("smallest"), check.HINT_TOPK_SMALLEST),
    "positions": (_topk_slip("positions"), check.HINT_TOPK_POSITIONS),
    "a count": (_topk_slip("count"), check.HINT_TOPK_COUNT),
    "over pixels": (_topk_slip("over pixels"), check.HINT_TOPK_FEATURES),
    "jaccard": (_topk_slip("jaccard"), check.HINT_TOPK_JACCARD),
    "the mean": (_topk_slip("mean"), check.HINT_TOPK_BATCH),
    "not flattened": (topk_not_flattened, check.HINT_TOPK_FLATTEN),
}


# ---------------------------------------------------------------- Exercise 4: int8 weights by hand
def int8(W):
    scale = np.abs(W).max() / 127
    return np.rint(W / scale).astype(np.int8), scale


def int8_with_round_and_clip(W):
    scale = max(W.max(), -W.min()) / 127.0
    return np.clip(np.round(W / scale), -127, 127).astype(np.int8), float(scale)


def _int8_slip(how):
    def wrong(W):
        largest = {"max": W.max()}.get(how, np.abs(W).max())
        scale = largest / {"128": 128, "255": 255}.get(how, 127)
        if how == "per column":
            scale = np.abs(W).max(axis=0) / 127
        ratio = W / scale
        q = {"truncate": ratio.astype(np.int8),
             "floor": np.floor(ratio).astype(np.int8)}.get(how, np.rint(ratio).astype(np.int8))
        if how == "float":
            q = np.rint(ratio)
        if how == "dequantized":
            q = np.rint(ratio) * scale
        if how == "swapped":
            return scale, q
        if how == "q only":
            return q
        return q, scale

    return wrong


INT8_SLIPS = {
    "/ 128": (_int8_slip("128"), check.HINT_Q_128),
    "/ 255": (_int8_slip("255"), check.HINT_Q_255),
    "max(W)": (_int8_slip("max"), check.HINT_Q_MAX),
    "astype truncates": (_int8_slip("truncate"), check.HINT_Q_TRUNC),
    "floor": (_int8_slip("floor"), check.HINT_Q_FLOOR),
    "dequantized": (_int8_slip("dequantized"), check.HINT_Q_DEQUANT),
    "per column": (_int8_slip("per column"), check.HINT_Q_PER_CHANNEL),
    "float q": (_int8_slip("float"), check.HINT_Q_DTYPE),
    "swapped": (_int8_slip("swapped"), "wrong order"),
    "q only": (_int8_slip("q only"), "should return 2 results"),
}


EXERCISES = {
    "scaffold": Exercise(check.scaffold_predict, route, [route_with_a_loop, route_by_mask,
                         lambda b, i, p, t: attacks.scaffold_predict(b, i, p, threshold=t)], SCAFFOLD_SLIPS),
    "membership AUC": Exercise(check.membership_auc, auc_pairs, [auc_loops, auc_sklearn, auc_mann_whitney,
                               lambda s, t: attacks.pairwise_auc(s, t)], AUC_SLIPS),
    "top-k intersection": Exercise(check.top_k_intersection, topk_sets, [topk_argpartition, topk_threshold,
                                   lambda a, b, k: attacks.top_k_intersection(a, b, k=k)], TOPK_SLIPS),
    "int8": Exercise(check.quantize_int8, int8, [int8_with_round_and_clip, lambda W: quantization.quantize(W, bits=8)],
                     INT8_SLIPS, generic={"complex array": "should return 2 results"}),  # an array of 3 is 3 results
}


@pytest.mark.parametrize(*answers.params(EXERCISES))
def test_answers(kind, exercise, answer, expected):
    answers.judge(kind, exercise, answer, expected)


# ---------------------------------------------------------------- the checks' own data
def test_every_scaffold_slip_gives_other_numbers_on_some_case():
    numeric = {name: slip for name, (slip, _) in SCAFFOLD_SLIPS.items() if name not in ("a list", "one number")}
    for name, slip in numeric.items():
        assert any(not np.allclose(np.asarray(slip(b, i, p, t), dtype=float), route(b, i, p, t))
                   for b, i, p, t in check._scaffold_cases()), name


def test_the_auc_cases_have_ties_and_unequal_groups_and_the_reference_is_sklearns():
    cases = check._auc_cases()
    assert any(np.intersect1d(s, t).size for s, t, _ in cases), "a case must have tied scores across the groups"
    assert all(len(s) != len(t) for s, t, _ in cases), "unequal sizes catch zip"
    for s, t, _ in cases:
        assert check._auc_variant(s, t) == pytest.approx(auc_sklearn(s, t), abs=1e-12)


def test_the_top_k_cases_have_no_ties_and_the_flipped_map_keeps_its_set():
    for a, b, k, _ in check._intersection_cases():
        for m in (a, b):
            flat = np.abs(m.reshape(len(m), -1))
            assert all(len(np.unique(row)) == row.size for row in flat)
        assert check._intersection_variant(a, b, k) == pytest.approx(attacks.top_k_intersection(a, b, k=k))
    a, b, k, _ = check._intersection_cases()[0]
    assert attacks.top_k_intersection(a[:1], -a[:1], k=k)[0] == 1.0


def test_the_int8_cases_catch_max_without_abs_and_have_no_rounding_ties():
    for W, _ in check._weights_cases():
        ratio = W / (np.abs(W).max() / 127)
        assert np.all(np.abs(np.abs(ratio - np.trunc(ratio)) - 0.5) > 1e-6), \
            "no weight sits half-way between two integers"
    W, _ = check._weights_cases()[0]
    assert W.max() < np.abs(W).max()


def test_a_right_answer_after_a_wrong_one_is_still_correct():
    assert check.quantize_int8(_int8_slip("255")).status == WRONG
    assert check.quantize_int8(int8).status == CORRECT
    result = check.top_k_intersection(lambda a, b, k: topk_sets(a, b, k)[:1])
    assert result.status == WRONG and "shape (1,), expected (3,)" in text(result)
