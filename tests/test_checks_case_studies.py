"""The wrong answers learners write in notebook 11_case_studies, each with its verdict and hint.

Every exercise has: right answers written differently (correct), the slips learners make (wrong,
each with the fragment of its hint), and answers that try to break the check (never "the check
itself failed", and the right answer still passes afterwards).
"""

import numpy as np
import pytest

from course_utils import counterfactuals, decoy
from course_utils.checks import WRONG
from course_utils.checks import case_studies as check
from tests import check_answers as answers
from tests.check_answers import Exercise


def text(result):
    return answers.text(result)


# --------------------------------------------------------------------------- Exercise 1: the distance
def distance(x, x_cf, scale):
    return np.sum(np.abs(x_cf - x) / scale, axis=1)


def distance_with_a_loop(x, x_cf, scale):
    out = []
    for row, row_cf in zip(x, x_cf):
        out.append(sum(abs(b - a) / s for a, b, s in zip(row, row_cf, scale)))
    return np.array(out)


DISTANCE_SLIPS = {
    "no abs": (lambda x, c, s: np.sum((c - x) / s, axis=1), "take the absolute value of each change"),
    "times scale": (lambda x, c, s: np.sum(np.abs(c - x) * s, axis=1), "divide by the scale, do not multiply"),
    "no scale": (lambda x, c, s: np.sum(np.abs(c - x), axis=1), "divide each feature's change by its scale"),
    "euclidean": (lambda x, c, s: np.linalg.norm((c - x) / s, axis=1), "no squares and no square root"),
    "squared": (lambda x, c, s: np.sum(((c - x) / s) ** 2, axis=1), "the distance is L1: sum |change| / scale, "
                                                                    "without squaring"),
    "mean": (lambda x, c, s: np.mean(np.abs(c - x) / s, axis=1), "sum over the features, do not average"),
    "scale squared": (lambda x, c, s: np.sum(np.abs(c - x) / s**2, axis=1), "divide by the scale once"),
    "axis 0": (lambda x, c, s: np.sum(np.abs(c - x) / s, axis=0), "sum over the features, axis=1"),
    "everything": (lambda x, c, s: np.sum(np.abs(c - x) / s), "sum over the features only"),
    "a list": (lambda x, c, s: list(distance(x, c, s)), "np.array(result)"),
    "only the first row": (lambda x, c, s: distance(x, c, s)[:1], "sum over the features only"),
}


# --------------------------------------------------------------------------- Exercise 2: the reasons
def reasons(values, feature_names, k):
    order = np.argsort(values)[::-1]
    return [feature_names[j] for j in order[:k] if values[j] > 0]


def reasons_sorted_pairs(values, feature_names, k):
    pairs = sorted(zip(values, feature_names), reverse=True)
    return [name for value, name in pairs if value > 0][:k]


REASONS_SLIPS = {
    "by |value|": (lambda v, n, k: [n[j] for j in np.argsort(-np.abs(v))[:k]], "not by its absolute size"),
    "most favourable": (lambda v, n, k: [n[j] for j in np.argsort(v)[:k]], "most in the applicant's FAVOUR"),
    "smallest positive first": (lambda v, n, k: [n[j] for j in np.argsort(v) if v[j] > 0][:k], "strongest reason "
                                                                                               "first"),
    "right set, wrong order": (lambda v, n, k: reasons(v, n, k)[::-1], "strongest reason first"),
    "padded to k": (lambda v, n, k: [n[j] for j in np.argsort(-v)[:k]], "return fewer than k names"),
    "indices": (lambda v, n, k: [int(j) for j in np.argsort(-v)[:k] if v[j] > 0], "return the feature names"),
    "values": (lambda v, n, k: sorted(v[v > 0], reverse=True)[:k], "return names, not the Shapley values"),
    "one string": (lambda v, n, k: ", ".join(reasons(v, n, k)), "return a list"),
    "a set": (lambda v, n, k: set(reasons(v, n, k)), "got a set"),
    "all positive ones": (lambda v, n, k: [n[j] for j in np.argsort(-v) if v[j] > 0], "keep the features with a "
                                                                                      "positive value"),
}


# --------------------------------------------------------------------------- Exercise 3: the share on the patch
def share(values, mask):
    a = np.abs(values)
    return (a * mask).sum(axis=(1, 2)) / a.sum(axis=(1, 2))


def share_with_a_loop(values, mask):
    return np.array([np.abs(v[m]).sum() / np.abs(v).sum() for v, m in zip(values, mask)])


SHARE_SLIPS = {
    "signed": (lambda v, m: (v * m).sum(axis=(1, 2)) / v.sum(axis=(1, 2)), "use absolute values, np.abs(values)"),
    "abs of the sum": (lambda v, m: np.abs((v * m).sum(axis=(1, 2))) / np.abs(v).sum(axis=(1, 2)), "before summing"),
    "mask inverted": (lambda v, m: (np.abs(v) * ~m).sum(axis=(1, 2)) / np.abs(v).sum(axis=(1, 2)), "the mask is True "
                                                                                                   "ON the patch"),
    "over the rest": (lambda v, m: (np.abs(v) * m).sum(axis=(1, 2)) / (np.abs(v) * ~m).sum(axis=(1, 2)),
                      "divide by the total over ALL pixels"),
    "divided by the area": (lambda v, m: share(v, m) / m.mean(axis=(1, 2)), "return the share itself, a ratio of SUMS"),
    "ratio of means": (lambda v, m: np.array([np.abs(a[b]).mean() / np.abs(a).mean() for a, b in zip(v, m)]),
                       "as a ratio of MEANS is"),
    "squares": (lambda v, m: ((v**2) * m).sum(axis=(1, 2)) / (v**2).sum(axis=(1, 2)), "not squares"),
    "one share for the batch": (lambda v, m: np.abs(v[m]).sum() / np.abs(v).sum(), "not over the whole batch"),
    "hard-coded 784 pixels": (lambda v, m: (np.abs(v) * m).sum(axis=(1, 2)) / (np.abs(v).mean(axis=(1, 2)) * 784),
                              "for each image: np.abs(values[i])[mask[i]].sum() / np.abs(values[i]).sum()"),
}


EXERCISES = {
    "mad_distance": Exercise(check.mad_distance, distance,
                             [distance_with_a_loop, lambda x, c, s: counterfactuals.l1_distance(x, c, scale=s),
                              lambda x, c, s: np.abs((c - x) / s) @ np.ones(len(s))], DISTANCE_SLIPS),
    "top_adverse_reasons": Exercise(check.top_adverse_reasons, reasons,
                                    [reasons_sorted_pairs, lambda v, n, k: tuple(reasons(v, n, k)),
                                     lambda v, n, k: counterfactuals.principal_reasons(v[None], n, k=k)[0],
                                     lambda v, n, k: np.array(reasons(v, n, k), dtype=str)], REASONS_SLIPS,
                                    generic={"complex array": "an array of complex128"}),
    "patch_share": Exercise(check.patch_share, share, [share_with_a_loop, decoy.patch_share], SHARE_SLIPS),
}


@pytest.mark.parametrize(*answers.params(EXERCISES))
def test_every_answer_gets_its_verdict(kind, exercise, answer, expected):
    answers.judge(kind, exercise, answer, expected)


# --------------------------------------------------------------------------- what the checks are tried on
def test_the_distance_problems_make_every_slip_a_different_number():
    for x, x_cf, scale in check._distance_problems():
        assert x.shape[0] != x.shape[1] and not np.allclose(scale, scale[0])
        assert ((x_cf - x) > 0).any() and ((x_cf - x) < 0).any()  # rises and falls: the signed sum differs
        right = check._distances(x, x_cf, scale)
        for how in check.HINT_DISTANCE:
            assert not np.allclose(check._distances(x, x_cf, scale, how), right), how


def test_the_reason_problems_tell_every_slip_apart():
    seen = {how: False for how in check.HINT_REASONS}
    for values, k in check._reasons_problems():
        assert len(set(values)) == len(values)  # no ties: one right order
        right = check._reasons(values, k)
        for how in check.HINT_REASONS:
            seen[how] |= check._reasons(values, k, how) != right
    assert all(seen.values()), seen
    assert any((values > 0).sum() < k for values, k in check._reasons_problems())  # fewer adverse features than k once


def test_the_patch_problems_make_every_slip_a_different_number():
    for values, mask in check._patch_problems():
        assert (values[mask] < 0).any() and (values[mask] > 0).any()
        right = check._shares(values, mask)
        for how in check.HINT_SHARE:
            assert not np.allclose(check._shares(values, mask, how), right), how
    assert {v.shape[1] for v, _ in check._patch_problems()} == {28, 10}  # a 784 hard-coded somewhere fails


def test_a_wrong_answer_names_the_input_it_failed_on():
    result = check.patch_share(SHARE_SLIPS["signed"][0])
    assert result.status == WRONG and "for: values and mask of shape (3, 28, 28)" in text(result)
    result = check.top_adverse_reasons(REASONS_SLIPS["padded to k"][0])
    assert result.status == WRONG and "for: k = 3 and the contributions age -0.10" in text(result)
