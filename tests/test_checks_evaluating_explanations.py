"""The wrong answers learners write in notebook 10_evaluating_explanations, each with its verdict and hint.

Every exercise has: right answers written differently (correct), the slips learners make (wrong,
each with the fragment of its hint), and answers that try to break the check (never "the check
itself failed", and the right answer still passes afterwards).
"""

import numpy as np
import pytest

from course_utils import metrics
from course_utils.checks import CRASHED, WRONG
from course_utils.checks import evaluating_explanations as check
from tests import check_answers as answers
from tests.check_answers import Exercise


# --------------------------------------------------------------------------- Exercise 2: deletion curve
def deletion_scores(predict_fn, x, attribution, n_steps):
    return check.reference_deletion_scores(predict_fn, x, attribution, n_steps)


def deletion_one_copy_at_a_time(predict_fn, x, attribution, n_steps):
    order = np.argsort(attribution)[::-1]
    z, scores, removed = x.copy(), [], 0
    for step in range(n_steps + 1):
        target = step * len(x) // n_steps
        z[order[removed:target]] = 0.0  # in place: what was removed stays removed
        removed = target
        scores.append(predict_fn(z[None])[0])
    return np.array(scores)


def deletion_with_masks(predict_fn, x, attribution, n_steps):
    rank = np.empty(len(x), dtype=int)
    rank[np.argsort(-attribution)] = np.arange(len(x))
    counts = np.arange(n_steps + 1) * len(x) // n_steps
    return predict_fn(np.where(rank[None, :] < counts[:, None], 0.0, x[None, :]))


DELETION_ALSO_RIGHT = [
    deletion_one_copy_at_a_time,
    deletion_with_masks,
    lambda p, x, a, n: metrics.deletion_curve(p, x[None], a[None], n_steps=n)[1][0],
]


def _deletion(order_of, counts_of=lambda s, d, n: s * d // n, *, cumulative=True, insert=False, fill=lambda x: 0.0):
    """Exercise 1 with one piece changed."""

    def answer(predict_fn, x, attribution, n_steps):
        order, d = order_of(attribution), len(x)
        copies = np.repeat((np.zeros_like(x) if insert else x)[None], n_steps + 1, axis=0)
        previous = 0
        for step in range(n_steps + 1):
            count = int(counts_of(step, d, n_steps))
            chosen = order[(0 if cumulative else previous):count]
            copies[step, chosen] = x[chosen] if insert else fill(x)
            previous = count
        return predict_fn(copies)

    return answer


_DESCENDING = lambda a: np.argsort(-a)
DELETION_SLIPS = {
    "ascending": (_deletion(np.argsort), "remove the MOST positive attribution first"),
    "by magnitude": (_deletion(lambda a: np.argsort(-np.abs(a))), "not by |attribution|"),
    "round": (_deletion(_DESCENDING, lambda s, d, n: round(s * d / n)), "not round()"),
    "ceil": (_deletion(_DESCENDING, lambda s, d, n: np.ceil(s * d / n)), "not ceil()"),
    "s features": (_deletion(_DESCENDING, lambda s, d, n: min(s, d)), "not s of them"),
    "not cumulative": (_deletion(_DESCENDING, cumulative=False), "removal is cumulative"),
    "insertion": (_deletion(_DESCENDING, insert=True), "that is the insertion curve"),
    "filled with the mean": (_deletion(_DESCENDING, fill=np.mean), "not to the mean of x"),
    "the fractions": (lambda p, x, a, n: np.arange(n + 1) * len(x) // n / len(x), "not the fractions"),
    "no step 0": (lambda p, x, a, n: deletion_scores(p, x, a, n)[1:], "include step 0"),
    "a column": (lambda p, x, a, n: deletion_scores(p, x, a, n)[:, None], "return a 1-D array"),
    "fractions and scores": (lambda p, x, a, n: (np.linspace(0, 1, n + 1), deletion_scores(p, x, a, n)), "return the scores only"),
    "one copy, unbatched": (lambda p, x, a, n: np.array([p(x) for _ in range(n + 1)]), "stack the n_steps + 1 copies"),
    "a list": (lambda p, x, a, n: deletion_scores(p, x, a, n).tolist(), "got a list"),
    "something else": (lambda p, x, a, n: deletion_scores(p, x, a, n) + 0.1, "order = np.argsort(-attribution)"),
    "forgot return": (lambda p, x, a, n: None, "did you forget `return`?"),
}


def test_deletion_problems_tell_the_slips_apart():
    """On every problem the slips differ from the answer, and d is not a multiple of n_steps somewhere."""
    assert any(len(x) % n for _, _, x, _, n in check._deletion_problems())
    for _, predict_fn, x, attribution, n_steps in check._deletion_problems():
        assert len(np.unique(attribution)) == len(attribution) and np.all(x != 0)  # no ties, every removal counts
        assert not np.array_equal(np.argsort(-attribution), np.argsort(-np.abs(attribution)))
    for _, predict_fn, x, attribution, n_steps in check._deletion_problems()[:2]:
        right = deletion_scores(predict_fn, x, attribution, n_steps)
        slips = [value for value, _ in check._deletion_slips(predict_fn, x, attribution, n_steps)]
        assert not any(np.allclose(value, right) for value in slips)


def test_deletion_check_does_not_share_its_model_with_the_learner():
    before = [np.array(x, copy=True) for _, _, x, _, _ in check._deletion_problems()]
    assert check.deletion_scores(answers.HOSTILE_ANSWERS["mutates its inputs"]).status == WRONG
    for kept, (_, _, x, _, _) in zip(before, check._deletion_problems()):
        np.testing.assert_array_equal(kept, x)


def test_a_predict_fn_called_on_one_copy_is_explained():
    result = check.deletion_scores(DELETION_SLIPS["one copy, unbatched"][0])
    assert result.status == WRONG and "predict_fn takes a batch" in answers.text(result)


# --------------------------------------------------------------------------- Exercise 1: sign agreement
def sign_agreement(values, true_values, k):
    top = np.argsort(-np.abs(values))[:k]
    top_true = np.argsort(-np.abs(true_values))[:k]
    shared = np.intersect1d(top, top_true)
    return np.sum(np.sign(values[shared]) == np.sign(true_values[shared])) / k


def sign_agreement_with_sets(values, true_values, k):
    a = {(int(j), np.sign(values[j])) for j in np.argsort(-np.abs(values))[:k]}
    b = {(int(j), np.sign(true_values[j])) for j in np.argsort(-np.abs(true_values))[:k]}
    return len(a & b) / k  # OpenXAI's way: (feature, sign) pairs in both sets


SIGN_ALSO_RIGHT = [
    sign_agreement_with_sets,
    lambda v, t, k: float(metrics.ground_truth_agreement(v[None], t[None], k=k)["sign_agreement"][0]),
    lambda v, t, k: np.mean([np.sign(v[j]) == np.sign(t[j]) and j in np.argsort(-np.abs(t))[:k] for j in np.argsort(-np.abs(v))[:k]]),
]


def _slip(**variant):
    return lambda v, t, k: check._sign_slip(v, t, k, **variant)


SIGN_SLIPS = {
    "feature agreement": (_slip(rule="overlap"), "also compare the signs"),
    "position by position": (_slip(rule="by position"), "not position by position"),
    "truth's top-k only": (_slip(rule="truth's top-k"), "in BOTH top-k sets"),
    "signed ranking": (_slip(key=lambda v: v), "rank by |value|"),
    "smallest k": (_slip(smallest=True), "the k LARGEST |values|"),
    "divided by the shared features": (_slip(denominator="shared"), "not by the number of shared features"),
    "divided by the union": (_slip(denominator="union"), "not by the size of the union"),
    "a count": (_slip(denominator="count"), "return a fraction"),
    "a tuple": (lambda v, t, k: (sign_agreement(v, t, k), k), "should be one number, got a tuple"),
    "a string": (lambda v, t, k: f"{sign_agreement(v, t, k):.2f}", "got a string"),
    "something else": (lambda v, t, k: 0.5, "same np.sign, divided by k"),
    "forgot return": (lambda v, t, k: None, "did you forget `return`?"),
}


def test_sign_pairs_tell_every_slip_apart():
    right = np.array([sign_agreement(v, t, k) for v, t, k in check._SIGN_PAIRS])
    slips = np.array([[check._sign_slip(v, t, k, **variant) for v, t, k in check._SIGN_PAIRS] for variant, _ in check._SIGN_SLIPS])
    assert not any(np.allclose(row, right) for row in slips)
    assert len({tuple(np.round(row, 9)) for row in slips}) == len(slips)  # each slip has its own hint


# --------------------------------------------------------------------------- Exercise 3: max-sensitivity
def max_sensitivity_by_hand(explain_fn, x, perturbations):
    original = explain_fn(x)
    changes = [np.linalg.norm(explain_fn(x + delta) - original, axis=1) for delta in perturbations]
    return np.max(changes, axis=0) / np.linalg.norm(original, axis=1)


def max_sensitivity_vectorized(explain_fn, x, perturbations):
    original = explain_fn(x)
    moved = np.stack([explain_fn(x + delta) for delta in perturbations])  # (m, n, d)
    return np.sqrt(((moved - original) ** 2).sum(axis=2)).max(axis=0) / np.sqrt((original**2).sum(axis=1))


def max_sensitivity_with_loops(explain_fn, x, perturbations):
    original = explain_fn(x)
    result = np.zeros(len(x))
    for delta in perturbations:
        moved = explain_fn(x + delta)
        for i in range(len(x)):
            result[i] = max(result[i], np.linalg.norm(moved[i] - original[i]) / np.linalg.norm(original[i]))
    return result


SENSITIVITY_ALSO_RIGHT = [max_sensitivity_vectorized, max_sensitivity_with_loops]


def _sens(**variant):
    return lambda e, x, p: check._sensitivity(e, x, p, **variant)


SENSITIVITY_SLIPS = {
    "mean": (_sens(reduce=np.mean), "not the mean"),
    "min": (_sens(reduce=np.min), "not the smallest"),
    "not normalized": (_sens(scale="none"), "divide by ‖Φ(x)‖"),
    "normalized by the perturbed": (_sens(scale="moved"), "not of the perturbed one"),
    "no difference": (_sens(change="perturbed"), "not of Φ(x + δ) itself"),
    "difference of norms": (_sens(change="norms"), "not the difference of the norms"),
    "largest entry": (_sens(norm=lambda a: np.abs(a).max(axis=-1)), "not the largest entry"),
    "L1 norm": (_sens(norm=lambda a: np.abs(a).sum(axis=-1)), "not the sum of absolute values"),
    "squared norm": (_sens(norm=lambda a: (a**2).sum(axis=-1)), "not its square"),
    "one number": (lambda e, x, p: np.linalg.norm(e(x + p[0]) - e(x)) / np.linalg.norm(e(x)), "returned one number"),
    "per perturbation": (lambda e, x, p: np.array([np.linalg.norm(e(x + d) - e(x), axis=1) for d in p]).max(axis=1),
                         "one per perturbation"),
    "a list": (lambda e, x, p: max_sensitivity_by_hand(e, x, p).tolist(), "got a list"),
    "something else": (lambda e, x, p: max_sensitivity_by_hand(e, x, p) * 1.1, "divided by np.linalg.norm(explain_fn(x), axis=1)"),
    "forgot return": (lambda e, x, p: None, "did you forget `return`?"),
}


def test_sensitivity_problems_tell_every_slip_apart():
    for _, explain_fn, x, noise in check._sensitivity_problems():
        assert noise.shape[0] != noise.shape[1]  # perturbations and examples cannot be confused
        right = max_sensitivity_by_hand(explain_fn, x, noise)
        slips = [value for value, _ in check._sensitivity_slips(explain_fn, x, noise)]
        assert not any(np.allclose(value, right) for value in slips)
        assert len({tuple(np.round(v, 9)) for v in slips}) == len(slips)


def test_the_by_hand_formula_is_what_metrics_max_sensitivity_estimates():
    """metrics.max_sensitivity draws its perturbations from np.random.default_rng(seed); given the same draws,
    the exercise's formula gives the same numbers."""
    _, explain_fn, x, _ = check._sensitivity_problems()[0]
    rng = np.random.default_rng(5)
    noise = np.stack([rng.uniform(-0.2, 0.2, size=x.shape) for _ in range(8)])
    expected = metrics.max_sensitivity(explain_fn, x, radius=0.2, n_samples=8, seed=5)
    np.testing.assert_allclose(max_sensitivity_by_hand(explain_fn, x, noise), expected, rtol=1e-12)


# --------------------------------------------------------------------------- every answer, every exercise
EXERCISES = {
    "deletion_scores": Exercise(check.deletion_scores, deletion_scores, DELETION_ALSO_RIGHT, DELETION_SLIPS),
    "sign_agreement": Exercise(check.sign_agreement, sign_agreement, SIGN_ALSO_RIGHT, SIGN_SLIPS),
    "max_sensitivity": Exercise(check.max_sensitivity, max_sensitivity_by_hand, SENSITIVITY_ALSO_RIGHT, SENSITIVITY_SLIPS),
}


@pytest.mark.parametrize(*answers.params(EXERCISES))
def test_answers(kind, exercise, answer, expected):
    answers.judge(kind, exercise, answer, expected)


def test_a_crash_in_learner_code_is_reported_with_its_line():
    def typo(predict_fn, x, attribution, n_steps):
        return predict_fn(np.repat(x[None], n_steps + 1, axis=0))

    result = check.deletion_scores(typo)
    assert result.status == CRASHED and "repat" in answers.text(result)
