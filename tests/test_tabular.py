"""The course's credit model."""

import numpy as np
import pytest

from course_utils.datasets import make_credit
from course_utils.tabular import credit_model


@pytest.fixture(scope="module")
def model():
    return credit_model()


def test_credit_model_is_accurate_deterministic_and_close_to_the_truth(model):
    assert model.accuracy() >= 0.8
    again = credit_model()
    assert np.array_equal(model.log_odds(model.X_test), again.log_odds(again.X_test))
    _, _, truth = make_credit()
    assert np.corrcoef(model.log_odds(model.X_test), truth.logit(model.X_test))[0, 1] > 0.9
    assert len(model.X_train) == 1500 and len(model.X_test) == 500


def test_log_odds_is_the_logit_of_the_probability(model):
    p = model.predict_proba(model.X_test.iloc[:5])[:, 1]
    assert np.allclose(1 / (1 + np.exp(-model.log_odds(model.X_test.iloc[:5]))), p)


def test_one_applicant_needs_the_batch_axis(model):
    with pytest.raises(ValueError, match=r"expected a batch of shape \(n, 9\); got \(9,\)\. Pass X\[None\]"):
        model.log_odds(model.X_test.to_numpy()[0])
