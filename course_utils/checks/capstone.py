"""Checks for notebook 13_capstone: the six steps of an audit, each pointing back to the notebook that taught it."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from course_utils.checks import CheckResult, Wrong, call, exercise, expect_close, show
from course_utils.checks._answers import as_array, as_number, case, expect_close_on_each
from course_utils.checks._answers import as_names

__all__ = ["calibration_error", "importance_order", "top_k_agreement", "rank_similarity", "has_recourse", "the_flaw"]


# --------------------------------------------------------------------------- Exercise 1: calibration (04)
def _calibration_problems():
    """Probabilities with an empty bin or two, labels overconfident both ways, two bin counts."""
    rng = np.random.default_rng(41)
    out = []
    for n, n_bins, gap in ((200, 10, (0.6, 0.8)), (90, 5, (0.2, 0.4))):
        p = rng.beta(0.7, 2.0, n - 2)
        # (n,): empty bins, and 0 and 1 themselves; no p on an inner bin edge, where conventions differ
        # (04 puts b / n_bins in the upper bin, scikit-learn's calibration_curve in the lower one)
        p = np.concatenate([np.where((p >= gap[0]) & (p < gap[1]), p / 3, p), [0.0, 1.0]])
        y = (rng.random(n) < 0.08 + 0.6 * p).astype(np.int64)  # overconfident: too low at low p, too high at high p
        out.append((p, y, n_bins))
    return out


def _calibration(p, y, n_bins, how="right"):
    bins = np.minimum((p * n_bins).astype(int), n_bins - 1)
    counts = np.bincount(bins, minlength=n_bins)
    used = counts > 0
    mean_p = np.bincount(bins, weights=p, minlength=n_bins)[used] / counts[used]
    rate = np.bincount(bins, weights=y, minlength=n_bins)[used] / counts[used]
    weights = counts[used] / len(p)
    hard = (p > 0.5).astype(float)
    return {
        "right": lambda: np.sum(weights * np.abs(rate - mean_p)),
        "unweighted": lambda: np.mean(np.abs(rate - mean_p)),
        "signed": lambda: np.sum(weights * (rate - mean_p)),
        "maximum": lambda: np.max(np.abs(rate - mean_p)),
        "overall": lambda: abs(y.mean() - p.mean()),
        "squared": lambda: np.sum(weights * (rate - mean_p) ** 2),
        "brier": lambda: np.mean((p - y) ** 2),
        "empty bins count": lambda: np.sum(np.abs(rate - mean_p)) / n_bins,
        "hard labels": lambda: np.mean(hard != y),
    }[how]()


HINT_CALIBRATION = {
    "unweighted": "weight each bin's gap by its share of the examples, n_b / n (see 04, the ECE): a bin of 3 "
                  "applicants must not count as much as a bin of 300.",
    "signed": "take the absolute gap |default rate − mean p| in each bin (see 04): over- and under-confident bins "
              "must not cancel.",
    "maximum": "that is the maximum calibration error; the ECE is the weighted AVERAGE of the gaps (see 04).",
    "overall": "compare within each bin of p (see 04's reliability diagram): one overall gap hides bins that are "
               "too high and too low.",
    "squared": "the ECE uses the absolute gap, not its square (see 04).",
    "brier": "that is the Brier score, mean (p − y)²; the ECE compares each bin's default rate with its mean p "
             "(see 04).",
    "empty bins count": "average over the examples (weights n_b / n), not over the bins: empty bins contribute "
                        "nothing (see 04).",
    "hard labels": "that is the error rate of the decisions p > 0.5; calibration asks whether the probabilities "
                   "themselves mean what they say (see 04).",
}
HINT_CALIBRATION_GENERAL = ("bins = np.minimum((p * n_bins).astype(int), n_bins - 1); for each non-empty bin b, "
                            "n_b / n * |mean(y[b]) − mean(p[b])|, summed (see 04, the reliability diagram).")


@exercise("Exercise 1: the calibration of the lender's model")
def calibration_error(fn) -> CheckResult:
    """Check ``fn(p, y, n_bins)`` returns the expected calibration error of probabilities ``p`` for labels ``y``."""
    cases = []  # a slip may coincide with another on one input (signed = overall when every bin errs alike)
    for p, y, n_bins in _calibration_problems():
        description = f"{len(p)} probabilities in {n_bins} bins"
        with case(description):
            got = as_number(call(fn, p, y, n_bins, name="calibration_error"), "calibration_error(p, y, n_bins)")
        mistakes = tuple((_calibration(p, y, n_bins, how), hint) for how, hint in HINT_CALIBRATION.items())
        cases.append((description, got, _calibration(p, y, n_bins), mistakes))
    expect_close_on_each(cases, name="calibration_error(p, y, n_bins)", hint=HINT_CALIBRATION_GENERAL)
    return "correct — the ECE is 0 for a model whose probabilities are default rates."


# --------------------------------------------------------------------------- Exercise 2: global importance (09)
IMPORTANCE_NAMES = ["age", "income", "debt_to_income", "late_payments", "savings"]


def _importance_problems():
    """Shapley values whose mean, mean |.|, |mean| and max |.| order the features differently."""
    values = np.array([
        [0.9, -0.1, 0.3, -0.6, 0.05],
        [-0.9, 0.2, 0.35, -0.5, 0.02],
        [0.8, -0.15, 0.25, 0.7, 1.60],
        [-0.85, 0.1, 0.3, -0.55, 0.03],
    ])  # (4, 5): 4 applicants
    return [values, values[:, [3, 0, 4, 1, 2]] * [1.0, 1.1, 0.9, 1.2, 0.8]]


def _order(values, how="right"):
    score = {
        "right": lambda: np.abs(values).mean(axis=0),
        "signed": lambda: values.mean(axis=0),
        "abs of mean": lambda: np.abs(values.mean(axis=0)),
        "maximum": lambda: np.abs(values).max(axis=0),
        "ascending": lambda: -np.abs(values).mean(axis=0),
    }[how]()
    return [int(j) for j in np.argsort(-score, kind="stable")]


HINT_IMPORTANCE = {
    "signed": "average the ABSOLUTE Shapley values (see 09, global importance from local SHAP values): a feature "
              "that pushes half the applicants up and half down matters although its mean is near 0.",
    "abs of mean": "take the absolute value of each applicant's value before averaging, np.abs(values).mean(axis=0) "
                   "(see 09).",
    "maximum": "average over the applicants, do not take the largest: one extreme applicant should not decide the "
               "global order (see 09).",
    "ascending": "list the most important feature first: sort from the largest mean |value| down.",
}


@exercise("Exercise 2: the features in order of global importance")
def importance_order(fn) -> CheckResult:
    """Check ``fn(values, feature_names)`` lists the names by mean |Shapley value|, largest first."""
    for k, values in enumerate(_importance_problems()):
        names = IMPORTANCE_NAMES if k == 0 else [IMPORTANCE_NAMES[j] for j in (3, 0, 4, 1, 2)]
        with case(f"Shapley values of shape {values.shape} for {names}"):
            got = as_names(call(fn, values.copy(), list(names), name="importance_order"), "importance_order")
            expected = [names[j] for j in _order(values)]
            if got == expected:
                continue
            for how, hint in HINT_IMPORTANCE.items():
                if got == [names[j] for j in _order(values, how)]:
                    raise Wrong("importance_order is not right.", f"expected: {expected}", f"received: {got}",
                                hint=hint)
            raise Wrong("importance_order is not right.", f"expected: {expected}", f"received: {got}",
                        hint="score each feature by np.abs(values).mean(axis=0) (axis 0 runs over the applicants), "
                             "then list ALL the names from the largest score down (see 09).")
    return "correct — this is the bar chart of mean |SHAP| that notebook 09 built from local values."


# --------------------------------------------------------------------------- Exercise 3: agreement with the truth (10)
def _agreement_problems():
    rng = np.random.default_rng(7)
    out = []
    for n, d, k in ((5, 6, 2), (4, 8, 3)):
        truth = rng.normal(size=(n, d)) * np.linspace(2.0, 0.2, d)
        values = truth * rng.uniform(0.3, 1.7, size=(n, d)) + rng.normal(scale=0.8, size=(n, d))
        values[0] = -values[0]  # the signs flipped: |.| keeps the ranking
        out.append((values, truth, k))
    return out


def _top(a, k):
    return np.argsort(-np.abs(a), axis=1, kind="stable")[:, :k]


def _agreement(values, truth, k, how="right"):
    def overlap(a, b, size):
        return np.array([len(set(r) & set(s)) for r, s in zip(a, b)], dtype=float) / size

    d = values.shape[1]
    signed = lambda a: np.argsort(-a, axis=1, kind="stable")[:, :k]  # noqa: E731
    return {
        "right": lambda: overlap(_top(values, k), _top(truth, k), k),
        "signed": lambda: overlap(signed(values), signed(truth), k),
        "count": lambda: overlap(_top(values, k), _top(truth, k), 1),
        "over d": lambda: overlap(_top(values, k), _top(truth, k), d),
        "mean": lambda: overlap(_top(values, k), _top(truth, k), k).mean(),
        "smallest": lambda: overlap(np.argsort(np.abs(values), axis=1)[:, :k],
                                    np.argsort(np.abs(truth), axis=1)[:, :k], k),
    }[how]()


HINT_AGREEMENT = {
    "signed": "rank by the SIZE of each value, np.abs(values) (see 10, OpenXAI's feature agreement): a large "
              "negative contribution is among the most important.",
    "count": "divide the number of shared features by k, so the agreement lies between 0 and 1 (see 10).",
    "over d": "divide by k, the number of top features compared, not by the number of features (see 10).",
    "mean": "return one agreement per applicant, shape (n,); average them afterwards (see 10).",
    "smallest": "take the k LARGEST |values|: np.argsort(-np.abs(values), axis=1)[:, :k] (see 10).",
}
HINT_AGREEMENT_GENERAL = ("for each row: the k features with the largest |value| in each, then "
                          "len(shared) / k (see 10, metrics.ground_truth_agreement's feature_agreement).")


@exercise("Exercise 3: do the local explanations agree with the truth?")
def top_k_agreement(fn) -> CheckResult:
    """Check ``fn(values, true_values, k)`` returns, per row, the share of the top-k features by |value| that agree."""
    for values, truth, k in _agreement_problems():
        with case(f"values of shape {values.shape} and k = {k}"):
            got = as_array(call(fn, values, truth, k, name="top_k_agreement"),
                           "top_k_agreement(values, true_values, k)")
            mistakes = tuple((_agreement(values, truth, k, how), hint) for how, hint in HINT_AGREEMENT.items())
            expect_close(got, _agreement(values, truth, k), name="top_k_agreement(values, true_values, k)",
                         mistakes=mistakes, hint=HINT_AGREEMENT_GENERAL)
    return "correct — 1 means the explanation names the same k features as the truth, in any order."


# --------------------------------------------------------------------------- Exercise 4: a sanity check (10)
def _similarity_problems():
    rng = np.random.default_rng(3)
    out = []
    for n, d in ((4, 7), (3, 10)):
        a = rng.normal(size=(n, d)) * np.linspace(3, 0.3, d)
        b = a * rng.uniform(-1.5, 1.5, size=(n, d)) + rng.normal(size=(n, d))
        b[:, 0] = b[:, 0] * 20  # one outlier per row: Pearson and Spearman differ
        out.append((a, b))
    return out


def _spearman(a, b):
    from scipy.stats import rankdata

    ra, rb = rankdata(a, axis=1), rankdata(b, axis=1)
    ra, rb = ra - ra.mean(axis=1, keepdims=True), rb - rb.mean(axis=1, keepdims=True)
    return (ra * rb).sum(axis=1) / np.sqrt((ra**2).sum(axis=1) * (rb**2).sum(axis=1))


def _similarity(a, b, how="right"):
    def pearson(u, v):
        u, v = u - u.mean(axis=1, keepdims=True), v - v.mean(axis=1, keepdims=True)
        return (u * v).sum(axis=1) / np.sqrt((u**2).sum(axis=1) * (v**2).sum(axis=1))

    return {
        "right": lambda: _spearman(np.abs(a), np.abs(b)),
        "signed": lambda: _spearman(a, b),
        "pearson": lambda: pearson(np.abs(a), np.abs(b)),
        "flattened": lambda: _spearman(np.abs(a).reshape(1, -1), np.abs(b).reshape(1, -1))[0],
        "mean": lambda: _spearman(np.abs(a), np.abs(b)).mean(),
    }[how]()


HINT_SIMILARITY = {
    "signed": "compare the SIZES, np.abs(values) (see 10, the model-randomization check): an explanation that "
              "flips every sign still ranks the same features highest.",
    "pearson": "use the rank (Spearman) correlation, of the ranks rather than the values (see 10): one huge "
               "attribution must not decide it.",
    "flattened": "one correlation per applicant, row by row, shape (n,) — not one over the whole batch (see 10).",
    "mean": "return one correlation per applicant, shape (n,); average them afterwards.",
}
HINT_SIMILARITY_GENERAL = ("for each row i: scipy.stats.spearmanr(np.abs(a[i]), np.abs(b[i])).statistic "
                           "(see 10, model_randomization_check).")


@exercise("Exercise 4: a sanity check of the explainer")
def rank_similarity(fn) -> CheckResult:
    """Check ``fn(a, b)`` returns the Spearman correlation of |a[i]| and |b[i]| for every row i, shape (n,)."""
    for a, b in _similarity_problems():
        with case(f"two attributions of shape {a.shape}"):
            got = as_array(call(fn, a, b, name="rank_similarity"), "rank_similarity(a, b)")
            mistakes = tuple((_similarity(a, b, how), hint) for how, hint in HINT_SIMILARITY.items())
            expect_close(got, _similarity(a, b), name="rank_similarity(a, b)", mistakes=mistakes,
                         hint=HINT_SIMILARITY_GENERAL)
    return "correct — near 1: the two explanations rank the features alike; near 0: they do not."


# --------------------------------------------------------------------------- Exercise 5: recourse (11)
def _recourse_problems():
    valid = np.array([True, True, False, True, False, True, True])
    distance = np.array([0.8, 2.0, 0.5, 3.5, 9.0, 1.999, 2.4])  # one exactly on the budget, an invalid cheap one
    return [(valid, distance, 2.0), (valid[::-1].copy(), distance[::-1] * 2, 4.0)]


def _recourse(valid, distance, budget, how="right"):
    return {
        "right": lambda: valid & (distance <= budget),
        "ignores valid": lambda: distance <= budget,
        "strict": lambda: valid & (distance < budget),
        "or": lambda: valid | (distance <= budget),
        "inverted": lambda: ~(valid & (distance <= budget)),
        "share": lambda: np.mean(valid & (distance <= budget)),
        "only valid": lambda: valid.copy(),
    }[how]()


HINT_RECOURSE = {
    "ignores valid": "a counterfactual the search could not make valid (valid is False) is no recourse, however "
                     "close it is (see 11: valid means the model's score really fell below the threshold).",
    "strict": "a change that costs exactly the budget is within it: distance <= budget (see 11, the cost in MADs).",
    "or": "both must hold: a valid counterfactual AND a cost within the budget (valid & (distance <= budget); "
          "see 11).",
    "inverted": "return True for the applicants who HAVE recourse.",
    "share": "return one True/False per applicant, shape (n,); the share is the mean of that afterwards (as 11 "
             "does with result.valid).",
    "only valid": "a valid counterfactual that costs more than the budget is not a realistic recourse: also "
                  "compare the distance with the budget (see 11, the MAD-weighted distance).",
}


@exercise("Exercise 5: who has recourse?")
def has_recourse(fn) -> CheckResult:
    """Check ``fn(valid, distance, budget)`` returns ``valid & (distance <= budget)``, shape (n,)."""
    for valid, distance, budget in _recourse_problems():
        with case(f"valid {show(valid)}, distance {show(distance)}, budget {budget}"):
            got = as_array(call(fn, valid, distance, budget, name="has_recourse"),
                           "has_recourse(valid, distance, budget)")
            mistakes = tuple((_recourse(valid, distance, budget, how), hint) for how, hint in HINT_RECOURSE.items())
            expect_close(got, _recourse(valid, distance, budget), name="has_recourse(valid, distance, budget)",
                         mistakes=mistakes, hint="valid & (distance <= budget), one True/False per applicant.")
    return "correct — an applicant has recourse when a valid change within the budget exists."


# --------------------------------------------------------------------------- Exercise 6: the flaw (all of it)
@functools.cache
def _audit():
    """The audited model's probability of default, its test applicants and their outcomes (trained once)."""
    from course_utils import capstone

    model = capstone.lending_model()
    return model.pipeline, model.X_test, model.y_test


def _auc_drop(pipeline, X, y, feature, how="right"):
    from sklearn.metrics import roc_auc_score

    def score(table):
        p = pipeline.predict_proba(table.to_numpy())[:, 1]
        return accuracy(p) if how == "accuracy" else roc_auc_score(y, p)

    def accuracy(p):
        return np.mean((p > 0.5) == y)

    changed = X.copy()
    changed[feature] = 0.0  # the value every applicant has when the decision is made
    recorded, at_decision = score(X), score(changed)
    return {"right": recorded - at_decision, "reversed": at_decision - recorded, "accuracy": recorded - at_decision,
            "auc only": at_decision}[how]


HINT_FLAW_EVIDENCE = {
    "reversed": "the evidence is the DROP, AUC as recorded minus AUC at application time: positive when the model "
                "loses skill once the feature takes the value a decision sees.",
    "accuracy": "measure the drop in ROC AUC (see 09, scoring='roc_auc'), not in accuracy: accuracy at 0.5 hides "
                "how the ranking of applicants falls apart.",
    "auc only": "return the drop: AUC on X as recorded minus AUC with the feature set to 0.",
}
LEGITIMATE = ("the truth (datasets/README.md, truth.table) gives {name} a real effect on default: a model that relies "
              "on it is right to. The flaw is a feature the model relies on although the truth gives it NO effect, "
              "and that a decision could not even see (compare the importances with the truth, see 10).")
IRRELEVANT = ("monthly_spending has no true effect, but the model hardly relies on it (its permutation importance "
              "is near 0, see 09): look for a feature it relies on heavily.")


def _flaw_parts(received: Any) -> tuple[str, float]:
    if isinstance(received, str):
        raise Wrong("the_flaw returned only a name; return two things: the feature and the evidence.",
                    f"received: {show(received)}", hint="end with `return feature, drop`.")
    if not isinstance(received, (tuple, list)) or len(received) != 2:
        raise Wrong("the_flaw should return 2 results (feature, drop).", f"received: {show(received)}",
                    hint="end with `return feature, drop`: the feature's name and the drop in AUC.")
    feature, drop = received
    if not isinstance(feature, (str, np.str_)) and isinstance(drop, (str, np.str_)):
        raise Wrong("the_flaw returned its results in the wrong order.", hint="return them as `return feature, drop`.")
    if not isinstance(feature, (str, np.str_)):
        raise Wrong(f"the_flaw's first result should be a feature name (a string); got {show(feature)}.",
                    hint="return the column's name, e.g. 'income', not its index or its values.")
    return str(feature), as_number(drop, "the drop in AUC")


@exercise("Exercise 6: the flaw, named and measured")
def the_flaw(fn) -> CheckResult:
    """Check ``fn(predict_fn, X, y)`` returns the leaked feature and the drop in AUC when it is set to 0."""
    from course_utils import capstone

    pipeline, X_test, y_test = _audit()

    def p_default(X):
        return pipeline.predict_proba(np.asarray(X, dtype=float))[:, 1]

    for label, rows in (("the test applicants", slice(None)), ("the first 300 test applicants", slice(0, 300))):
        X, y = X_test.iloc[rows].reset_index(drop=True), y_test[rows]
        with case(label):
            feature, drop = _flaw_parts(call(fn, p_default, X, y, name="the_flaw", returns="feature, drop"))
            if feature not in X.columns:
                raise Wrong(f"{feature!r} is not a column of the lending data.", f"columns: {list(X.columns)}",
                            hint="name one of X.columns exactly as it is spelled.")
            if feature != capstone.LEAK:
                raise Wrong(f"{feature} is not the flaw.", hint=IRRELEVANT if feature == "monthly_spending"
                            else LEGITIMATE.format(name=feature))
            mistakes = tuple((_auc_drop(pipeline, X, y, feature, how), hint)
                             for how, hint in HINT_FLAW_EVIDENCE.items())
            expect_close(drop, _auc_drop(pipeline, X, y, feature), name="the drop in AUC", mistakes=mistakes, rtol=1e-6,
                         hint="score p_default on X as it is and on a copy with the feature set to 0 "
                              "(capstone.at_application_time), with roc_auc_score, and subtract.")
    return (f"correct — {capstone.LEAK} is recorded after the loan is granted: a target leak. The model's skill on "
            "the recorded test set is not the skill it has when it decides.")
