"""The wrong answers learners write in notebook 13_capstone, each with its verdict and hint.

Every exercise has: right answers written differently (correct), the slips learners make (wrong,
each with the fragment of its hint, which points back to the notebook that taught the step), and
answers that try to break the check (never "the check itself failed", and the right answer still
passes afterwards).
"""

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.calibration import calibration_curve
from sklearn.metrics import roc_auc_score

from course_utils import capstone, metrics
from course_utils.checks import WRONG
from course_utils.checks import capstone as check
from tests import check_answers as answers
from tests.check_answers import Exercise


# --------------------------------------------------------------------------- Exercise 1: calibration
def ece(p, y, n_bins):
    bins = np.minimum((p * n_bins).astype(int), n_bins - 1)
    total = 0.0
    for b in range(n_bins):
        inside = bins == b
        if inside.any():
            total += inside.mean() * abs(y[inside].mean() - p[inside].mean())
    return total


def ece_from_sklearn(p, y, n_bins):
    rate, mean_p = calibration_curve(y, p, n_bins=n_bins, strategy="uniform")
    counts = np.histogram(p, bins=np.linspace(0, 1, n_bins + 1))[0]
    return float(np.sum(counts[counts > 0] / len(p) * np.abs(rate - mean_p)))


def _gaps(p, y, n_bins):
    """(share of the examples, default rate − mean p) of each non-empty bin."""
    bins = np.minimum((p * n_bins).astype(int), n_bins - 1)
    inside = [bins == b for b in range(n_bins) if (bins == b).any()]
    return np.array([k.mean() for k in inside]), np.array([y[k].mean() - p[k].mean() for k in inside])


CALIBRATION_SLIPS = {
    "unweighted": (lambda p, y, b: np.abs(_gaps(p, y, b)[1]).mean(), "n_b / n"),
    "signed": (lambda p, y, b: np.prod(_gaps(p, y, b), axis=0).sum(), "absolute gap"),
    "maximum": (lambda p, y, b: np.abs(_gaps(p, y, b)[1]).max(), "maximum calibration"),
    "overall": (lambda p, y, b: abs(y.mean() - p.mean()), "compare within each bin"),
    "squared": (lambda p, y, b: (_gaps(p, y, b)[0] * _gaps(p, y, b)[1] ** 2).sum(), "not its square"),
    "brier": (lambda p, y, b: np.mean((p - y) ** 2), "Brier score"),
    "over the bins": (lambda p, y, b: np.abs(_gaps(p, y, b)[1]).sum() / b, "empty bins"),
    "decisions": (lambda p, y, b: np.mean((p > 0.5) != y), "error rate of the decisions"),
    "an array": (lambda p, y, b: np.array([ece(p, y, b)]), "float(result)"),
}


# --------------------------------------------------------------------------- Exercise 2: importance order
def order(values, feature_names):
    return [feature_names[j] for j in np.argsort(-np.abs(values).mean(axis=0))]


IMPORTANCE_SLIPS = {
    "signed mean": (lambda v, n: [n[j] for j in np.argsort(-v.mean(axis=0))], "average the ABSOLUTE Shapley values"),
    "abs of the mean": (lambda v, n: [n[j] for j in np.argsort(-np.abs(v.mean(axis=0)))], "before averaging"),
    "largest": (lambda v, n: [n[j] for j in np.argsort(-np.abs(v).max(axis=0))], "do not take the largest"),
    "ascending": (lambda v, n: [n[j] for j in np.argsort(np.abs(v).mean(axis=0))], "most important feature first"),
    "indices": (lambda v, n: [int(j) for j in np.argsort(-np.abs(v).mean(axis=0))], "return the feature names"),
    "top 3 only": (lambda v, n: order(v, n)[:3], "list ALL the names"),
    "axis 1": (lambda v, n: [n[j] for j in np.argsort(-np.abs(v).mean(axis=1))], "axis 0 runs over the applicants"),
    "one string": (lambda v, n: " > ".join(order(v, n)), "return a list"),
}


# --------------------------------------------------------------------------- Exercise 3: agreement
def agreement(values, true_values, k):
    top = np.argsort(-np.abs(values), axis=1)[:, :k]
    top_true = np.argsort(-np.abs(true_values), axis=1)[:, :k]
    return np.array([len(np.intersect1d(a, b)) / k for a, b in zip(top, top_true)])


def _shared(values, true_values, k, key=np.abs):
    top = np.argsort(-key(values), axis=1)[:, :k]
    top_true = np.argsort(-key(true_values), axis=1)[:, :k]
    return np.array([len(np.intersect1d(a, b)) for a, b in zip(top, top_true)], dtype=float)


AGREEMENT_SLIPS = {
    "signed": (lambda v, t, k: _shared(v, t, k, key=lambda a: a) / k, "rank by the SIZE"),
    "a count": (lambda v, t, k: _shared(v, t, k), "divide the number of shared features by k"),
    "over d": (lambda v, t, k: _shared(v, t, k) / v.shape[1], "not by the number of features"),
    "mean": (lambda v, t, k: agreement(v, t, k).mean(), "one agreement per applicant"),
    "smallest": (lambda v, t, k: _shared(v, t, k, key=lambda a: -np.abs(a)) / k, "k LARGEST |values|"),
}


# --------------------------------------------------------------------------- Exercise 4: rank similarity
def similarity(a, b):
    return np.array([spearmanr(np.abs(u), np.abs(v)).statistic for u, v in zip(a, b)])


SIMILARITY_SLIPS = {
    "signed": (lambda a, b: np.array([spearmanr(u, v).statistic for u, v in zip(a, b)]), "compare the SIZES"),
    "pearson": (lambda a, b: np.array([np.corrcoef(np.abs(u), np.abs(v))[0, 1] for u, v in zip(a, b)]),
                "rank (Spearman)"),
    "flattened": (lambda a, b: spearmanr(np.abs(a).ravel(), np.abs(b).ravel()).statistic,
                  "one correlation per applicant, row"),
    "mean": (lambda a, b: similarity(a, b).mean(), "average them afterwards"),
}


# --------------------------------------------------------------------------- Exercise 5: recourse
def recourse(valid, distance, budget):
    return valid & (distance <= budget)


RECOURSE_SLIPS = {
    "ignores valid": (lambda v, d, b: d <= b, "no recourse, however close"),
    "strict": (lambda v, d, b: v & (d < b), "exactly the budget is within it"),
    "or": (lambda v, d, b: v | (d <= b), "both must hold"),
    "inverted": (lambda v, d, b: ~v | (d > b), "who HAVE recourse"),
    "share": (lambda v, d, b: np.mean(v & (d <= b)), "the share is the mean of that afterwards"),
    "only valid": (lambda v, d, b: v, "also compare the distance with the budget"),
    "a list": (lambda v, d, b: list(recourse(v, d, b)), "np.array(result)"),
}


# --------------------------------------------------------------------------- Exercise 6: the flaw
def flaw(predict_fn, X, y):
    at_decision = capstone.at_application_time(X)
    return "collection_calls", roc_auc_score(y, predict_fn(X)) - roc_auc_score(y, predict_fn(at_decision))


def flaw_by_hand(predict_fn, X, y):
    decision = X.copy()
    decision["collection_calls"] = 0
    drop = roc_auc_score(y, predict_fn(X.to_numpy())) - roc_auc_score(y, predict_fn(decision.to_numpy()))
    return ("collection_calls", float(drop))


def _drop(feature, score=roc_auc_score, reverse=False):
    def answer(predict_fn, X, y):
        decision = X.copy()
        decision[feature] = 0.0
        drop = score(y, predict_fn(X)) - score(y, predict_fn(decision))
        return feature, -drop if reverse else drop

    return answer


FLAW_SLIPS = {
    "a legitimate feature": (_drop("late_payments"), "gives late_payments a real effect"),
    "another legitimate one": (_drop("debt_to_income"), "relies on it is right to"),
    "the irrelevant feature": (_drop("monthly_spending"), "hardly relies on it"),
    "a misspelled name": (lambda f, X, y: ("collections", 0.1), "not a column of the lending data"),
    "reversed drop": (_drop("collection_calls", reverse=True), "the evidence is the DROP"),
    "accuracy": (_drop("collection_calls", score=lambda y, p: np.mean((p > 0.5) == y)), "not in accuracy"),
    "AUC only": (lambda f, X, y: ("collection_calls", roc_auc_score(y, f(capstone.at_application_time(X)))),
                 "return the drop"),
    "hard-coded drop": (lambda f, X, y: ("collection_calls", 0.1014), "score p_default on X as it is"),
    "only the name": (lambda f, X, y: "collection_calls", "return two things"),
    "swapped": (lambda f, X, y: flaw(f, X, y)[::-1], "wrong order"),
    "index": (lambda f, X, y: (9, flaw(f, X, y)[1]), "return the column's name"),
}


EXERCISES = {
    "calibration_error": Exercise(check.calibration_error, ece,
                                  [ece_from_sklearn, lambda p, y, b: np.float32(ece(p, y, b))], CALIBRATION_SLIPS),
    "importance_order": Exercise(check.importance_order, order,
                                 [lambda v, n: tuple(order(v, n)), lambda v, n: np.array(order(v, n)),
                                  lambda v, n: sorted(n, key=lambda f: -np.abs(v[:, n.index(f)]).mean())],
                                 IMPORTANCE_SLIPS,
                                 # what 11's reader of names (checks._answers.as_names) says to these
                                 generic={"dict": "got a dict", "generator": "got a generator",
                                          "complex array": "list of feature names (strings)",
                                          "huge array": "list of feature names"}),
    "top_k_agreement": Exercise(check.top_k_agreement, agreement,
                                [lambda v, t, k: metrics.ground_truth_agreement(v, t, k=k)["feature_agreement"]],
                                AGREEMENT_SLIPS),
    "rank_similarity": Exercise(check.rank_similarity, similarity, [lambda a, b: check._spearman(np.abs(a), np.abs(b))],
                                SIMILARITY_SLIPS),
    "has_recourse": Exercise(check.has_recourse, recourse, [lambda v, d, b: np.logical_and(v, d <= b).astype(int)],
                             RECOURSE_SLIPS),
    "the_flaw": Exercise(check.the_flaw, flaw, [flaw_by_hand, lambda f, X, y: list(flaw(f, X, y))], FLAW_SLIPS,
                         generic={"list": "should return 2 results", "pair of hostile objects": "",
                                  "text": "only a name",
                                  "dict": "should return 2 results", "generator": "should return 2 results",
                                  "a type": "should return 2 results", "complex array": "should return 2 results"}),
}


@pytest.mark.parametrize(*answers.params(EXERCISES))
def test_every_answer_gets_its_verdict(kind, exercise, answer, expected):
    answers.judge(kind, exercise, answer, expected)


# --------------------------------------------------------------------------- what the checks are tried on
def test_the_calibration_problems_tell_every_slip_apart_somewhere():
    problems = check._calibration_problems()
    for how in check.HINT_CALIBRATION:
        differs = [not np.isclose(check._calibration(p, y, b, how), check._calibration(p, y, b))
                   for p, y, b in problems]
        assert any(differs), how
    for p, y, n_bins in problems:  # empty bins, and the reference agrees with scikit-learn's calibration_curve
        assert (np.bincount(np.minimum((p * n_bins).astype(int), n_bins - 1), minlength=n_bins) == 0).any()
        assert np.isclose(check._calibration(p, y, n_bins), ece_from_sklearn(p, y, n_bins))


def test_the_importance_problems_order_every_slip_differently():
    for values in check._importance_problems():
        right = check._order(values)
        for how in check.HINT_IMPORTANCE:
            assert check._order(values, how) != right, how


def test_the_agreement_and_similarity_problems_tell_every_slip_apart():
    for values, truth, k in check._agreement_problems():
        expected = metrics.ground_truth_agreement(values, truth, k=k)["feature_agreement"]
        assert np.allclose(check._agreement(values, truth, k), expected)
        for how in check.HINT_AGREEMENT:
            other = check._agreement(values, truth, k, how)
            assert np.shape(other) != expected.shape or not np.allclose(other, expected), how
    for a, b in check._similarity_problems():
        expected = similarity(a, b)
        assert np.allclose(check._similarity(a, b), expected)
        for how in check.HINT_SIMILARITY:
            other = check._similarity(a, b, how)
            assert np.shape(other) != expected.shape or not np.allclose(other, expected), how


def test_the_recourse_problems_have_a_cost_on_the_budget_and_an_invalid_cheap_one():
    for valid, distance, budget in check._recourse_problems():
        assert (distance == budget).any()  # <= and < differ
        assert (~valid & (distance < budget)).any() and (valid & (distance > budget)).any()


def test_the_flaw_check_knows_the_leak_and_its_evidence_differs_between_its_two_inputs():
    pipeline, X, y = check._audit()
    whole = check._auc_drop(pipeline, X, y, capstone.LEAK)
    half = check._auc_drop(pipeline, X.iloc[:300], y[:300], capstone.LEAK)
    assert whole > 0.05 and half > 0.05 and not np.isclose(whole, half)  # a hard-coded number fails one of them


def test_a_wrong_answer_names_the_input_it_failed_on():
    result = check.has_recourse(RECOURSE_SLIPS["strict"][0])
    assert result.status == WRONG and "for: valid [True, True, False" in answers.text(result)
    result = check.the_flaw(FLAW_SLIPS["hard-coded drop"][0])
    assert result.status == WRONG and "for: the test applicants" in answers.text(result)
