"""The wrong answers learners write in notebook 02_linear_svm, each with its verdict and hint.

Every exercise has: right answers written differently (correct), the slips learners make (wrong,
each with the fragment of its hint), and answers that try to break the check (never "the check
itself failed", and the right answer still passes afterwards).
"""

import numpy as np
import pytest

from course_utils import svm
from course_utils.checks import WRONG
from course_utils.checks import linear_svm as check
from tests import check_answers as answers
from tests.check_answers import Exercise


def _f(w, b, X):
    return X @ w + b


def test_problems_have_points_on_every_side_of_the_margin_and_both_classes():
    for _, w, b, X, y in check._problems():
        m = y * _f(w, b, X)
        assert (m < 0).sum() >= 2 and ((0 < m) & (m < 1)).sum() >= 2 and (m > 1).sum() >= 2
        assert set(np.unique(y)) == {-1, 1}
        assert not np.isclose(np.linalg.norm(w), 1.0)  # ½‖w‖ and ½‖w‖² differ, so do w and w/‖w‖
        assert X.shape[0] != X.shape[1]  # y * X cannot broadcast by accident
        assert np.min(np.abs(m - 1)) > 0.05  # no point on the kink, where subgradients may differ
        assert ((y * (X @ w) < 1) != (m < 1)).any()  # forgetting the bias changes who pays


# --------------------------------------------------------------------------- Exercise 1: perceptron step


def step(w, b, x, y):
    if y * (x @ w + b) <= 0:
        return w + y * x, b + y
    return w, b


def step_in_place(w, b, x, y):
    if y * np.dot(x, w) + y * b <= 0:
        w += y * x
        b += y
    return w, b


def step_as_list(w, b, x, y):
    new_w, new_b = step(w, b, x, y)
    return [list(new_w), float(new_b)]


def _moves_when(condition):
    return lambda w, b, x, y: (w + y * x, b + y) if condition(w, b, x, y) else (w, b)


STEP_SLIPS = {
    "always moves": (lambda w, b, x, y: (w + y * x, b + y), "only moves the line on a mistake"),
    "strict inequality": (_moves_when(lambda w, b, x, y: y * (x @ w + b) < 0), "test <= 0"),
    "condition without the bias": (_moves_when(lambda w, b, x, y: y * (x @ w) <= 0), "the score includes the bias"),
    "inverted condition": (_moves_when(lambda w, b, x, y: y * (x @ w + b) > 0), "this point is a mistake"),
    "only w": (lambda w, b, x, y: step(w, b, x, y)[0], "should return 2 results"),
    "a list": (step_as_list, "np.array(result)"),
    "sign flipped": (lambda w, b, x, y: (w - y * x, b - y) if y * (x @ w + b) <= 0 else (w, b), "towards the point"),
    "no label": (lambda w, b, x, y: (w + x, b + y) if y * (x @ w + b) <= 0 else (w, b), "multiplying by its label"),
    "unit step": (lambda w, b, x, y: (w + y * x / np.linalg.norm(x), b + y) if y * (x @ w + b) <= 0 else (w, b),
                  "not a unit vector"),
    "bias stays": (lambda w, b, x, y: (step(w, b, x, y)[0], b), "the bias moves too"),
    "bias + 1": (lambda w, b, x, y: (step(w, b, x, y)[0], b + 1) if y * (x @ w + b) <= 0 else (w, b),
                 "multiplying by its label"),
    "swapped": (lambda w, b, x, y: step(w, b, x, y)[::-1], "order"),
    "never moves": (lambda w, b, x, y: (w, b), "move the line"),
}


def test_perceptron_steps_cover_both_outcomes_the_tie_and_the_bias():
    margins = [y * (x @ w + b) for _, w, b, x, y in check._steps()]
    assert any(m > 0 for m in margins) and any(m < 0 for m in margins) and 0.0 in margins
    assert any(y * (x @ w) > 0 >= y * (x @ w + b) for _, w, b, x, y in check._steps())  # the bias decides
    assert {y for *_, y in check._steps()} == {-1.0, 1.0}


def test_the_perceptron_is_built_from_the_step():
    """svm.perceptron takes svm.perceptron_step's steps: replayed by hand, in its order, they give its line."""
    X, y = svm.make_xor(10, labels="and", seed=1)
    fitted = svm.perceptron(X, y, n_epochs=50, seed=3)
    rng, w, b, mistakes = np.random.default_rng(3), np.zeros(2), 0.0, []
    for _ in fitted.history:
        count = 0
        for i in rng.permutation(len(X)):
            count += y[i] * (X[i] @ w + b) <= 0
            w, b = step(w, b, X[i], y[i])
        mistakes.append(count)
    np.testing.assert_array_equal(fitted.history, mistakes)
    np.testing.assert_allclose(fitted.w, w) and np.testing.assert_allclose(fitted.b, b)


# --------------------------------------------------------------------------- Exercise 2: hinge loss


def hinge(w, b, X, y, C=1.0):
    return 0.5 * w @ w + C * np.sum(np.maximum(0.0, 1.0 - y * _f(w, b, X)))


def hinge_with_a_loop(w, b, X, y, C=1.0):
    total = 0.0
    for xi, yi in zip(X, y):
        total += max(0.0, 1.0 - yi * (xi @ w + b))
    return 0.5 * sum(wj**2 for wj in w) + C * total


HINGE_ALSO_RIGHT = [
    hinge_with_a_loop,
    lambda w, b, X, y, C=1.0: 0.5 * np.linalg.norm(w) ** 2 + C * np.clip(1 - y * _f(w, b, X), 0, None).sum(),
    lambda w, b, X, y, C=1.0: svm.hinge_loss(w, b, X, y, C=C),
]


def _reg(w):
    return 0.5 * w @ w


HINGE_SLIPS = {
    "max(0, y·f)": (
        lambda w, b, X, y, C=1.0: _reg(w) + C * np.maximum(0, y * _f(w, b, X)).sum(),
        "you wrote max(0, y·f)",
    ),
    "no 1": (
        lambda w, b, X, y, C=1.0: _reg(w) + C * np.maximum(0, -y * _f(w, b, X)).sum(),
        "with the 1: a correct point inside the margin",
    ),
    "no label": (
        lambda w, b, X, y, C=1.0: _reg(w) + C * np.maximum(0, 1 - _f(w, b, X)).sum(),
        "multiply the score by the label",
    ),
    "label not on the bias": (
        lambda w, b, X, y, C=1.0: _reg(w) + C * np.maximum(0, 1 - (y * (X @ w) + b)).sum(),
        "bias included: y * (X @ w + b)",
    ),
    "y * X @ w": (
        lambda w, b, X, y, C=1.0: _reg(w) + C * np.maximum(0, 1 - y * X @ w + b).sum(),
        "y * X does not line up",
    ),
    "no regularizer": (
        lambda w, b, X, y, C=1.0: C * np.maximum(0, 1 - y * _f(w, b, X)).sum(),
        "add the regularizer ½‖w‖²",
    ),
    "no ½": (lambda w, b, X, y, C=1.0: w @ w + C * np.maximum(0, 1 - y * _f(w, b, X)).sum(), "with the ½"),
    "norm not squared": (
        lambda w, b, X, y, C=1.0: 0.5 * np.linalg.norm(w) + C * np.maximum(0, 1 - y * _f(w, b, X)).sum(),
        "square the norm",
    ),
    "w * w": (
        lambda w, b, X, y, C=1.0: 0.5 * w * w + C * np.maximum(0, 1 - y * _f(w, b, X)).sum(),
        "w * w squares entry by entry",
    ),
    "no bias": (
        lambda w, b, X, y, C=1.0: _reg(w) + C * np.maximum(0, 1 - y * (X @ w)).sum(),
        "the score includes the bias",
    ),
    "mean": (lambda w, b, X, y, C=1.0: _reg(w) + C * np.maximum(0, 1 - y * _f(w, b, X)).mean(), "do not average them"),
    "no C": (
        lambda w, b, X, y, C=1.0: _reg(w) + np.maximum(0, 1 - y * _f(w, b, X)).sum(),
        "multiply the hinge term by C",
    ),
    "C on the regularizer": (
        lambda w, b, X, y, C=1.0: C * _reg(w) + np.maximum(0, 1 - y * _f(w, b, X)).sum(),
        "C multiplies the hinge term, not the regularizer",
    ),
    "no clipping": (lambda w, b, X, y, C=1.0: _reg(w) + C * (1 - y * _f(w, b, X)).sum(), "clip at zero"),
    "np.max": (lambda w, b, X, y, C=1.0: _reg(w) + C * np.max(1 - y * _f(w, b, X)), "np.max returns the largest entry"),
    "np.max(0, v)": (
        lambda w, b, X, y, C=1.0: _reg(w) + C * np.max(0, 1 - y * _f(w, b, X)).sum(),
        "np.max(0, v) reads 0 as the array",
    ),
    "Python's max": (
        lambda w, b, X, y, C=1.0: _reg(w) + C * np.sum(max(0, 1 - y * _f(w, b, X))),
        "Python's max compares two numbers",
    ),
    "0/1 labels": (
        lambda w, b, X, y, C=1.0: (
            _reg(w) + C * (y * np.maximum(0, 1 - _f(w, b, X)) + (1 - y) * np.maximum(0, 1 + _f(w, b, X))).sum()
        ),
        "0/1-label way of writing it",
    ),
    "bias regularized": (
        lambda w, b, X, y, C=1.0: 0.5 * (w @ w + b * b) + C * np.maximum(0, 1 - y * _f(w, b, X)).sum(),
        "do not regularize the bias",
    ),
    "no sum": (
        lambda w, b, X, y, C=1.0: _reg(w) + C * np.maximum(0, 1 - y * _f(w, b, X)),
        "sum the hinge terms over the points",
    ),
    "a tuple of the two parts": (
        lambda w, b, X, y, C=1.0: (_reg(w), C * np.maximum(0, 1 - y * _f(w, b, X)).sum()),
        "should be one number, got a tuple",
    ),
    "a string": (lambda w, b, X, y, C=1.0: f"{hinge(w, b, X, y, C):.3f}", "not text describing it"),
    "something else": (lambda w, b, X, y, C=1.0: hinge(w, b, X, y, C) + 0.123, "check each piece against the formula"),
    "C left out of the signature": (lambda w, b, X, y: hinge(w, b, X, y), "keep C in the signature"),
    "forgot return": (lambda w, b, X, y, C=1.0: None, "did you forget `return`?"),
}


@pytest.mark.parametrize("index", range(len(check._cases())))
def test_hinge_loss_slips_differ_from_the_answer_and_each_other_on_every_case(index):
    """Each targeted slip gives its own value on every case (else its hint is unreachable there)."""
    _, w, b, X, y, C = check._cases()[index]
    values = np.array([value for value, _ in check._hinge_slips(w, b, X, y, C)])
    right = svm.hinge_loss(w, b, X, y, C=C)
    assert not np.isclose(values, right).any()
    assert len(np.unique(np.round(values, 9))) == len(values)


def test_hinge_loss_half_norm_is_caught_on_every_case():
    """At ‖w‖ = 1 (the old test point) ½‖w‖ = ½‖w‖²; every case now tells them apart."""
    slip = HINGE_SLIPS["norm not squared"][0]
    for description, w, b, X, y, C in check._cases():
        assert not np.isclose(slip(w, b, X, y, C), hinge(w, b, X, y, C)), description


# --------------------------------------------------------------------------- Exercise 3: subgradient


def _sub(
    w,
    b,
    X,
    y,
    C=1.0,
    *,
    sign=-1.0,
    reg=None,
    pays=lambda m: m < 1,
    bias_in_cond=True,
    use_y=True,
    mean=False,
    grad_b="ok",
):
    """The subgradient, with one piece changed to make a slip."""
    m = y * (X @ w + (b if bias_in_cond else 0.0))
    active = pays(m)
    scale = C / len(X) if mean else C
    pull = ((y[active, None] if use_y else 1.0) * X[active]).sum(axis=0)
    gw = (w if reg is None else reg(w)) + sign * scale * pull
    gb = {
        "ok": -scale * y[active].sum(),
        "zero": 0.0,
        "sign": scale * y[active].sum(),
        "plus_b": b - scale * y[active].sum(),
        "per point": -scale * y * active,
    }[grad_b]
    return gw, gb


def subgradient(w, b, X, y, C=1.0):
    active = y * (X @ w + b) < 1
    return w - C * (y[active, None] * X[active]).sum(axis=0), -C * np.sum(y[active])


def subgradient_with_a_loop(w, b, X, y, C=1.0):
    grad_w, grad_b = w.copy(), 0.0
    for xi, yi in zip(X, y):
        if yi * (xi @ w + b) < 1:
            grad_w -= C * yi * xi
            grad_b -= C * yi
    return grad_w, grad_b


SUBGRADIENT_ALSO_RIGHT = [
    subgradient_with_a_loop,
    lambda w, b, X, y, C=1.0: list(svm.hinge_subgradient(w, b, X, y, C=C)),  # a list of the two is fine
    lambda w, b, X, y, C=1.0: (w - C * X.T @ (y * (y * _f(w, b, X) < 1)), -C * y @ (y * _f(w, b, X) < 1)),
]

SUBGRADIENT_SLIPS = {
    "sign of the pull": (lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, sign=+1.0), "mind the sign: d/dw"),
    "no regularizer": (
        lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, reg=np.zeros_like),
        "add the gradient of the regularizer",
    ),
    "regularizer's gradient 2w": (
        lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, reg=lambda w: 2 * w),
        "the ½ in ½‖w‖² cancels the 2",
    ),
    "gradient of ‖w‖": (
        lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, reg=lambda w: w / np.linalg.norm(w)),
        "w / ‖w‖ is the gradient of ‖w‖",
    ),
    "no C": (lambda w, b, X, y, C=1.0: _sub(w, b, X, y, 1.0), "multiply the hinge part by C"),
    "mean": (lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, mean=True), "do not average"),
    "no label": (lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, use_y=False), "multiply by its label"),
    "misclassified only": (
        lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, pays=lambda m: m < 0),
        "not only when it is misclassified (y·f < 0)",
    ),
    "every point pays": (
        lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, pays=lambda m: m < np.inf),
        "only the points with y·f < 1 pull",
    ),
    "the points outside pay": (lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, pays=lambda m: m > 1), "not y·f > 1"),
    "bias left out of who pays": (
        lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, bias_in_cond=False),
        "also when you decide which points pay",
    ),
    "y * X": (lambda w, b, X, y, C=1.0: (w - C * (y * X)[y * _f(w, b, X) < 1].sum(axis=0), 0.0), "y[:, None] * X"),
    "no gradient for b": (lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, grad_b="zero"), "the bias has a gradient too"),
    "sign of grad_b": (lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, grad_b="sign"), "mind the sign: grad_b"),
    "b regularized": (lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, grad_b="plus_b"), "the bias is not regularized"),
    "grad_b not summed": (
        lambda w, b, X, y, C=1.0: _sub(w, b, X, y, C, grad_b="per point"),
        "grad_b has one value per point",
    ),
    "wrong order": (lambda w, b, X, y, C=1.0: subgradient(w, b, X, y, C)[::-1], "`return grad_w, grad_b`"),
    "one thing": (lambda w, b, X, y, C=1.0: subgradient(w, b, X, y, C)[0], "should return 2 results (grad_w, grad_b)"),
    "stacked into one array": (
        lambda w, b, X, y, C=1.0: np.append(*subgradient(w, b, X, y, C)),
        "end with `return grad_w, grad_b`",
    ),
    "grad_w as a list": (
        lambda w, b, X, y, C=1.0: (list(subgradient(w, b, X, y, C)[0]), subgradient(w, b, X, y, C)[1]),
        "grad_w should be a NumPy array, got a list",
    ),
    "C left out of the signature": (lambda w, b, X, y: subgradient(w, b, X, y), "keep C in the signature"),
    "forgot return": (lambda w, b, X, y, C=1.0: None, "did you forget `return grad_w, grad_b`?"),
}


@pytest.mark.parametrize("index", range(len(check._cases())))
def test_hinge_subgradient_slips_differ_from_the_answer_on_every_case(index):
    _, w, b, X, y, C = check._cases()[index]
    right_w, right_b = svm.hinge_subgradient(w, b, X, y, C=C)
    mistakes_w, mistakes_b = check._subgradient_slips(w, b, X, y, C)
    assert not any(np.allclose(value, right_w) for value, _ in mistakes_w)
    assert not any(np.isclose(value, right_b) for value, _ in mistakes_b)


# --------------------------------------------------------------------------- Exercise 4: decision function


def scores(coef, intercept, X):
    s = X @ coef.T + intercept
    return s.ravel() if coef.shape[0] == 1 else s


DECISION_ALSO_RIGHT = [
    svm.decision_function,
    lambda coef, intercept, X: (X @ coef.T + intercept).squeeze(),
    lambda coef, intercept, X: (
        (coef @ X.T + intercept[:, None]).T.squeeze(axis=1) if len(coef) == 1 else (coef @ X.T + intercept[:, None]).T
    ),
    lambda coef, intercept, X: np.array([[x @ c + i for c, i in zip(coef, intercept)] for x in X]).squeeze(),
]

DECISION_SLIPS = {
    "no bias": (lambda coef, intercept, X: (X @ coef.T).squeeze(), "add the bias: + intercept"),
    "bias subtracted": (
        lambda coef, intercept, X: (X @ coef.T - intercept).squeeze(),
        "add the intercept, do not subtract it",
    ),
    "one row per class": (lambda coef, intercept, X: coef @ X.T + intercept[:, None], "rather than coef @ X.T"),
    "X @ coef": (lambda coef, intercept, X: X @ coef + intercept, "the scores are X @ coef.T"),
    "intercept as a column": (lambda coef, intercept, X: X @ coef.T + intercept[:, None], "add intercept as it is"),
    "the predicted class": (
        lambda coef, intercept, X: np.argmax(X @ coef.T + intercept, axis=1),
        "not the predicted class",
    ),
    "the sign": (lambda coef, intercept, X: np.sign(X @ coef.T + intercept).squeeze(), "not their sign"),
    "binary left as a column": (lambda coef, intercept, X: X @ coef.T + intercept, "return scores.ravel()"),
    "a list": (lambda coef, intercept, X: scores(coef, intercept, X).tolist(), "got a list"),
    "a string": (lambda coef, intercept, X: str(scores(coef, intercept, X)), "got a string"),
    "forgot return": (lambda coef, intercept, X: None, "did you forget `return`?"),
}


def test_decision_function_cases_cover_both_shapes_of_coef():
    shapes = [coef.shape for coef, _, X, _ in check._fitted_models()]
    assert shapes == [(3, 4), (1, 4), (4, 3)]  # K < d, binary, K > d
    for coef, intercept, X, expected in check._fitted_models():
        np.testing.assert_allclose(svm.decision_function(coef, intercept, X), expected, rtol=1e-10)
        assert np.all(intercept != 0) and X.shape[0] not in coef.shape


def test_decision_function_binary_shape_hint_names_the_case():
    result = check.decision_function(DECISION_SLIPS["binary left as a column"][0])
    assert "scikit-learn returns (12,) for two classes" in result.message
    assert result.details[0] == "for: 2 classes (binary: coef has one row), coef of shape (1, 4), X of shape (12, 4)"


def test_decision_function_models_are_not_changed_by_learner_code():
    before = [tuple(np.array(a, copy=True) for a in case) for case in check._fitted_models()]
    assert check.decision_function(answers.HOSTILE_ANSWERS["mutates its inputs"]).status == WRONG
    for kept, now in zip(before, check._fitted_models()):
        for a, b in zip(kept, now):
            np.testing.assert_array_equal(a, b)


# --------------------------------------------------------------------------- every answer, every exercise


EXERCISES = {
    "perceptron_step": Exercise(
        check.perceptron_step,
        step,
        [step_in_place, svm.perceptron_step],
        STEP_SLIPS,
        generic={"complex array": "should return 2 results"},
    ),
    "hinge_loss": Exercise(check.hinge_loss, hinge, HINGE_ALSO_RIGHT, HINGE_SLIPS),
    "hinge_subgradient": Exercise(
        check.hinge_subgradient,
        subgradient,
        SUBGRADIENT_ALSO_RIGHT,
        SUBGRADIENT_SLIPS,
        generic={"complex array": "should return 2 results"},
    ),
    "decision_function": Exercise(check.decision_function, scores, DECISION_ALSO_RIGHT, DECISION_SLIPS),
}


@pytest.mark.parametrize(*answers.params(EXERCISES))
def test_answers(kind, exercise, answer, expected):
    answers.judge(kind, exercise, answer, expected)
