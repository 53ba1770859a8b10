"""course_utils.capstone: the lending data against its generating process, the leak's measured effect, the records."""

import sqlite3

import numpy as np
import pandas as pd
import pytest
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from course_utils import capstone
from course_utils.datasets import make_credit


def test_the_committed_file_is_what_make_lending_produces():
    X, y = capstone.load_lending()
    X_new, y_new, _ = capstone.make_lending()
    pd.testing.assert_frame_equal(X, X_new, check_dtype=False)
    assert np.array_equal(y, y_new)


def test_the_credit_columns_are_a_new_draw_of_the_credit_process():
    X, y, _ = capstone.make_lending(300)
    X_credit, y_credit, _ = make_credit(300, seed=capstone.LENDING_SEED)
    pd.testing.assert_frame_equal(X.drop(columns=capstone.LEAK), X_credit)  # the same process, its own seed
    assert np.array_equal(y, y_credit)
    X_course, _, _ = make_credit(300, seed=0)
    assert not np.allclose(X_credit.to_numpy(), X_course.to_numpy())  # not the applicants of notebooks 07-11


def test_the_leak_is_poisson_with_the_stated_rates_and_caused_by_default():
    X, y, _ = capstone.make_lending(200_000, seed=5)
    calls = X[capstone.LEAK]
    for label, rate in ((0, capstone.LEAK_BASE_RATE), (1, capstone.LEAK_BASE_RATE + capstone.LEAK_RATE_AFTER_DEFAULT)):
        group = calls[y == label]
        assert abs(group.mean() - rate) < 4 * np.sqrt(rate / len(group))  # Poisson: mean = variance = rate
        assert abs(group.var() - rate) < 0.03 * rate
    # given the outcome, the calls carry nothing about the applicant: an effect of default, not a cause
    for label in (0, 1):
        group = y == label
        for feature in ("income", "late_payments", "debt_to_income"):
            assert abs(np.corrcoef(calls[group], X.loc[group, feature])[0, 1]) < 0.02, (label, feature)


def test_true_contributions_are_the_credit_truth_with_no_effect_for_the_leak():
    X, _, truth = capstone.make_lending(400)
    parts = capstone.true_contributions(X, truth)
    assert list(parts.columns) == list(X.columns)
    assert (parts[capstone.LEAK] == 0).all()
    assert np.allclose(parts.sum(axis=1), truth.logit(X) - truth.intercept)
    # independent reference: the truth's main effects by hand, weight * (x - center) / scale, plus half the interaction
    table = truth.table
    z = (X[table.index] - table["center"]) / table["scale"]
    a, b, w = truth.interaction
    assert np.allclose(parts["income"], table.loc["income", "weight_per_scale"] * z["income"])
    assert np.allclose(parts[a], table.loc[a, "weight_per_scale"] * z[a] + 0.5 * w * z[a] * z[b])


def test_at_application_time_zeroes_only_the_leak_and_leaves_its_input_alone():
    X, _, _ = capstone.make_lending(50)
    before = X.copy()
    decided = capstone.at_application_time(X)
    pd.testing.assert_frame_equal(X, before)
    assert (decided[capstone.LEAK] == 0).all()
    pd.testing.assert_frame_equal(decided.drop(columns=capstone.LEAK), X.drop(columns=capstone.LEAK))


def test_the_lending_functions_say_what_they_expected():
    X, _, truth = capstone.make_lending(20)
    with pytest.raises(ValueError, match="with a 'collection_calls' column .* got DataFrame without it"):
        capstone.at_application_time(X.drop(columns=capstone.LEAK))
    with pytest.raises(ValueError, match="got ndarray"):
        capstone.true_contributions(X.to_numpy(), truth)
    with pytest.raises(ValueError, match="n_samples"):
        capstone.make_lending(0)


@pytest.fixture(scope="module")
def model():
    return capstone.lending_model()


def test_the_model_is_deterministic_and_relies_on_the_leak(model):
    again = capstone.lending_model()
    assert np.array_equal(model.predict_proba(model.X_test), again.predict_proba(again.X_test))
    assert len(model.X_train) == 1800 and len(model.X_test) == capstone.N_TEST
    p = model.predict_proba(model.X_test)[:, 1]
    p_decision = model.predict_proba(capstone.at_application_time(model.X_test))[:, 1]
    recorded, at_decision = roc_auc_score(model.y_test, p), roc_auc_score(model.y_test, p_decision)
    # the flaw's measured effect: skill and the share declined fall once the leak takes the value a decision sees
    assert recorded > 0.95 and recorded - at_decision > 0.05
    assert p_decision.mean() < 0.5 * model.y_test.mean() < p.mean()  # far too few defaults predicted at decision time


def test_a_model_without_the_leak_loses_no_skill_at_application_time(model):
    """Reference: a logistic regression on the nine credit features scores the recorded and the decided data alike."""
    features = [f for f in model.feature_names if f != capstone.LEAK]
    clean = LogisticRegression(max_iter=2000).fit(model.X_train[features], model.y_train)
    decided = capstone.at_application_time(model.X_test)
    assert np.array_equal(clean.predict_proba(model.X_test[features]), clean.predict_proba(decided[features]))
    leaky = roc_auc_score(model.y_test, model.predict_proba(decided)[:, 1])
    assert roc_auc_score(model.y_test, clean.predict_proba(decided[features])[:, 1]) > leaky  # the leak costs skill


def test_save_decisions_writes_a_fresh_database_that_sql_reads_back(tmp_path):
    path = tmp_path / "audit.sqlite"
    path.write_text("an old file")  # replaced, not appended to
    reasons = {3: [("collection_calls", 1.2), ("late_payments", 0.4)], 7: [("income", 0.9)]}
    changes = pd.DataFrame({"applicant": [3, 3], "feature": ["debt_to_income", "savings"],
                            "original": [0.4, 2.0], "counterfactual": [0.3, 5.0]})
    for _ in range(2):  # a rerun starts from nothing
        capstone.save_decisions(path, [3, 7, 9], np.array([0.8, 0.6, 0.1]), reasons=reasons, changes=changes)
    with sqlite3.connect(path) as db:
        decisions = db.execute("SELECT applicant, declined FROM decisions ORDER BY applicant").fetchall()
        assert decisions == [(3, 1), (7, 1), (9, 0)]
        top = db.execute("SELECT applicant FROM reasons WHERE rank = 1 AND feature = 'collection_calls'").fetchall()
        assert top == [(3,)]
        saved = db.execute("SELECT value_before, value_after FROM counterfactuals WHERE feature = 'savings'").fetchall()
        assert saved == [(2.0, 5.0)]
    db.close()


def test_save_decisions_needs_one_probability_per_applicant(tmp_path):
    with pytest.raises(ValueError, match="one probability per applicant: got 2 applicants and 3 probabilities"):
        capstone.save_decisions(tmp_path / "a.sqlite", [1, 2], [0.1, 0.2, 0.3])


def test_audit_card_is_markdown_with_one_row_per_finding():
    findings = [("AUC", "0.97 | 0.87", "flawed"), ("ECE", "0.02", "ok")]
    card = capstone.audit_card("lender v1", findings, ["drop the leak"])
    lines = card.splitlines()
    assert lines[0] == "### Audit card: lender v1"
    assert "| AUC | 0.97 \\| 0.87 | flawed |" in lines and "1. drop the leak" in lines
    with pytest.raises(ValueError, match="needs at least one finding"):
        capstone.audit_card("m", [], [])
    with pytest.raises(ValueError, match=r"each finding is \(what was tested, what was found, verdict\); got \('AUC'"):
        capstone.audit_card("m", [("AUC", "0.9")], [])


def test_calibration_error_matches_scikit_learns_reliability_curve():
    rng = np.random.default_rng(2)
    p = rng.beta(0.8, 2.0, 500)  # no p on a bin edge, where the two conventions differ
    y = (rng.random(500) < 0.1 + 0.7 * p).astype(int)
    rate, mean_p = calibration_curve(y, p, n_bins=10, strategy="uniform")
    counts = np.histogram(p, bins=np.linspace(0, 1, 11))[0]
    expected = np.sum(counts[counts > 0] / 500 * np.abs(rate - mean_p))
    assert np.isclose(capstone.calibration_error(p, y, n_bins=10), expected)
    assert capstone.calibration_error(np.array([0.0, 1.0]), np.array([0, 1])) == 0.0


def test_calibration_error_says_what_it_expected():
    with pytest.raises(ValueError, match="got 3 probabilities and 2 outcomes"):
        capstone.calibration_error([0.1, 0.2, 0.3], [0, 1])
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\]; pass model.predict_proba\(X\)\[:, 1\]"):
        capstone.calibration_error([0.1, 1.2], [0, 1])


def test_a_model_trained_on_shuffled_labels_learned_nothing(model):
    shuffled = capstone.lending_model(shuffled_labels=True)
    assert sorted(shuffled.y_train) == sorted(model.y_train) and not np.array_equal(shuffled.y_train, model.y_train)
    pd.testing.assert_frame_equal(shuffled.X_test, model.X_test)
    assert abs(roc_auc_score(shuffled.y_test, shuffled.predict_proba(shuffled.X_test)[:, 1]) - 0.5) < 0.08
