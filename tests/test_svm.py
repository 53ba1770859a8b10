"""course_utils.svm against independent references: scikit-learn, centred differences, hand cases."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import load_iris, make_blobs  # noqa: E402
from sklearn.linear_model import LogisticRegression, Perceptron  # noqa: E402
from sklearn.svm import SVC, LinearSVC  # noqa: E402

from course_utils import svm  # noqa: E402


def _iris_pair():
    """versicolor (-1) vs virginica (+1) on petal length and width: near-separable."""
    X, y = load_iris(return_X_y=True)
    keep = y > 0
    return X[keep][:, 2:], np.where(y[keep] == 2, 1, -1)


def _blobs(seed=0, spread=1.0):
    X, y = make_blobs(n_samples=80, centers=[[-2, -1], [2, 1.5]], cluster_std=spread, random_state=seed)
    return X, np.where(y == 1, 1, -1)


def _loss_by_loop(w, b, X, y, C):
    """The soft-margin objective written out point by point (an independent formulation)."""
    total = 0.5 * sum(wj * wj for wj in w)
    for xi, yi in zip(X, y):
        f = sum(wj * xj for wj, xj in zip(w, xi)) + b
        total += C * (1 - yi * f if yi * f < 1 else 0.0)
    return total


# --------------------------------------------------------------------------- data and labels
def test_to_signed_labels_and_make_xor():
    np.testing.assert_array_equal(svm.to_signed_labels(np.array([0, 2, 1, 2]), positive=2), [-1, 1, -1, 1])
    X, y = svm.make_xor(10, seed=3)
    assert X.shape == (40, 2) and y.shape == (40,)
    corner = np.round(X).astype(int)  # noise 0.15: every point rounds to its corner
    np.testing.assert_array_equal(y, np.where(corner[:, 0] ^ corner[:, 1], 1, -1))
    _, y_and = svm.make_xor(10, labels="and", seed=3)
    np.testing.assert_array_equal(y_and, np.where(corner[:, 0] & corner[:, 1], 1, -1))


# --------------------------------------------------------------------------- perceptron
def test_perceptron_converges_on_a_separable_set():
    X, y = svm.make_xor(25, labels="and")
    # independent witness that the set is separable: scikit-learn's perceptron gets every point right
    assert Perceptron(max_iter=1000, tol=None, random_state=0).fit(X, y).score(X, y) == 1.0
    model = svm.perceptron(X, y, n_epochs=100)
    assert model.history[-1] == 0 and len(model.history) < 100
    np.testing.assert_array_equal(model.predict(X), y)
    assert np.all(svm.functional_margins(model.w, model.b, X, y) > 0)


def test_perceptron_never_converges_on_xor():
    X, y = svm.make_xor(25, labels="xor")
    # independent witness that XOR is not separable: even a near-hard-margin SVM misclassifies
    assert SVC(kernel="linear", C=1e3).fit(X, y).score(X, y) < 0.9
    model = svm.perceptron(X, y, n_epochs=60)
    assert len(model.history) == 60 and model.history.min() > 0
    assert np.mean(model.predict(X) == y) < 1.0


def test_perceptron_on_iris_setosa_is_separable():
    X, y = load_iris(return_X_y=True)
    keep = y < 2
    model = svm.perceptron(X[keep], svm.to_signed_labels(y[keep], positive=1))
    assert model.history[-1] == 0


# --------------------------------------------------------------------------- hinge loss
def test_hinge_loss_hand_case():
    # w = (1, 0): margins 2 (free) and 0.5 (pays 0.5); ½‖w‖² = 0.5
    assert svm.hinge_loss(np.array([1.0, 0.0]), 0.0, np.array([[2.0, 0.0], [0.5, 0.0]]), np.array([1, 1])) == 1.0
    assert svm.hinge_loss(np.array([1.0, 0.0]), 0.0, np.array([[2.0, 0.0], [0.5, 0.0]]), np.array([1, 1]), C=3.0) == 2.0


def test_hinge_loss_matches_a_loop_on_random_data():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 3)), rng.choice([-1, 1], size=30)
    w, b = rng.normal(size=3), 0.3
    assert svm.hinge_loss(w, b, X, y, C=0.7) == pytest.approx(_loss_by_loop(w, b, X, y, 0.7), rel=1e-12)


def test_scikit_learn_optimum_minimizes_our_objective():
    """SVC(C) minimizes ½‖w‖² + C Σ hinge: random nudges of its solution never lower our objective."""
    X, y = _iris_pair()
    clf = SVC(kernel="linear", C=1.0, tol=1e-8).fit(X, y)
    w, b = clf.coef_[0], clf.intercept_[0]
    best = svm.hinge_loss(w, b, X, y, C=1.0)
    rng = np.random.default_rng(0)
    for _ in range(50):
        dw, db = rng.normal(scale=1e-2, size=2), rng.normal(scale=1e-2)
        assert svm.hinge_loss(w + dw, b + db, X, y, C=1.0) >= best - 1e-6


def test_subgradient_matches_centred_differences_where_differentiable():
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(40, 3)), rng.choice([-1, 1], size=40)
    h = 1e-6
    for _ in range(5):
        w, b, C = rng.normal(size=3), rng.normal(), rng.uniform(0.1, 3)
        assert np.min(np.abs(y * (X @ w + b) - 1)) > 10 * h  # no point at the kink
        grad_w, grad_b = svm.hinge_subgradient(w, b, X, y, C=C)
        numeric_w = [
            (svm.hinge_loss(w + h * e, b, X, y, C=C) - svm.hinge_loss(w - h * e, b, X, y, C=C)) / (2 * h)
            for e in np.eye(3)
        ]
        numeric_b = (svm.hinge_loss(w, b + h, X, y, C=C) - svm.hinge_loss(w, b - h, X, y, C=C)) / (2 * h)
        np.testing.assert_allclose(grad_w, numeric_w, rtol=1e-6, atol=1e-6)
        assert grad_b == pytest.approx(numeric_b, rel=1e-6, abs=1e-6)


def test_subgradient_at_the_kink_is_a_valid_subgradient():
    """At y f = 1 the one-sided slopes bracket the returned value (here: 0 for that point)."""
    X, y, w, b = np.array([[1.0]]), np.array([1]), np.array([1.0]), 0.0  # margin exactly 1
    grad_w, grad_b = svm.hinge_subgradient(w, b, X, y, C=1.0)
    h = 1e-6
    left = (svm.hinge_loss(w, b, X, y) - svm.hinge_loss(w - h, b, X, y)) / h
    right = (svm.hinge_loss(w + h, b, X, y) - svm.hinge_loss(w, b, X, y)) / h
    assert left - 1e-6 <= grad_w[0] <= right + 1e-6


# --------------------------------------------------------------------------- the scratch SVM
@pytest.mark.parametrize("C", [0.03, 1.0, 10.0])  # (at C = 0.1 three identical flowers sit exactly on the line)
def test_scratch_svm_lands_near_scikit_learn_on_iris(C):
    X, y = _iris_pair()
    ours = svm.fit_linear_svm(X, y, C=C)
    ref = SVC(kernel="linear", C=C).fit(X, y)
    w_ref = ref.coef_[0]
    cosine = ours.w @ w_ref / (np.linalg.norm(ours.w) * np.linalg.norm(w_ref))
    assert cosine > 0.999
    assert np.mean(ours.predict(X) == ref.predict(X)) >= 0.98
    assert svm.hinge_loss(ours.w, ours.b, X, y, C=C) <= svm.hinge_loss(w_ref, ref.intercept_[0], X, y, C=C) * 1.001
    assert ours.history.shape == (3000,)


def test_scratch_svm_near_scikit_learn_on_overlapping_blobs():
    X, y = _blobs(seed=3, spread=1.6)  # overlapping: a genuinely soft margin
    ours = svm.fit_linear_svm(X, y, C=0.5)
    ref = SVC(kernel="linear", C=0.5).fit(X, y)
    cosine = ours.w @ ref.coef_[0] / (np.linalg.norm(ours.w) * np.linalg.norm(ref.coef_[0]))
    assert cosine > 0.999
    assert np.mean(ours.predict(X) == ref.predict(X)) >= 0.98


# --------------------------------------------------------------------------- decision function and margins
def test_decision_function_equals_scikit_learn():
    X, y = make_blobs(n_samples=90, n_features=5, centers=3, random_state=1)
    for clf in (
        LinearSVC(C=0.1, max_iter=20000).fit(X, y),
        LogisticRegression(max_iter=2000).fit(X, y),
        SVC(kernel="linear").fit(X[y < 2], y[y < 2]),
    ):
        np.testing.assert_allclose(
            svm.decision_function(clf.coef_, clf.intercept_, X), clf.decision_function(X), rtol=1e-10, atol=1e-10
        )


def test_margin_width_hand_case():
    assert svm.margin_width(np.array([3.0, 4.0])) == pytest.approx(0.4)


def test_support_vectors_match_scikit_learn():
    X, y = _blobs(seed=0, spread=0.8)  # separable: a hard margin
    clf = SVC(kernel="linear", C=1e6).fit(X, y)
    mask = svm.support_vector_mask(clf.coef_[0], clf.intercept_[0], X, y)
    np.testing.assert_array_equal(np.flatnonzero(mask), np.sort(clf.support_))
    # soft margin: every scikit-learn support vector is on or inside the margin
    X, y = _iris_pair()
    for C in (0.01, 1.0, 100.0):
        clf = SVC(kernel="linear", C=C).fit(X, y)
        mask = svm.support_vector_mask(clf.coef_[0], clf.intercept_[0], X, y)
        assert mask[clf.support_].all()
        extra = mask & ~np.isin(np.arange(len(X)), clf.support_)  # on the margin with a zero dual coefficient
        np.testing.assert_allclose(
            svm.functional_margins(clf.coef_[0], clf.intercept_[0], X[extra], y[extra]), 1.0, atol=1e-3
        )


# --------------------------------------------------------------------------- drawing
def test_plot_svm_margin_draws_and_returns_axes():
    X, y = _iris_pair()
    fig, ax = plt.subplots()
    out = svm.plot_svm_margin(
        1.0,
        X=X,
        y=y,
        ax=ax,
        feature_names=("petal length", "petal width"),
        class_names=("versicolor", "virginica"),
        resolution=40,
    )
    clf = SVC(kernel="linear", C=1.0).fit(X, y)
    assert out is ax
    assert f"{len(clf.support_)} support vectors" in ax.get_title()
    assert f"margin width {2 / np.linalg.norm(clf.coef_[0]):.2f}" in ax.get_title()
    rings = [c for c in ax.collections if len(c.get_facecolor()) == 0 and len(c.get_offsets()) == len(clf.support_)]
    assert len(rings) == 1
    np.testing.assert_allclose(np.sort(rings[0].get_offsets(), axis=0), np.sort(X[clf.support_], axis=0))
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts[:2] == ["versicolor", "virginica"] and texts[-1] == f"support vectors ({len(clf.support_)})"
    # without the solver's support vectors the rings are every point with y·f <= 1, and the legend says so
    plt.close("all")
    w, b = clf.coef_[0], clf.intercept_[0]
    rings_all = svm.draw_svm(w, b, X, y, resolution=20)
    label = [t.get_text() for t in rings_all.get_legend().get_texts()][-1]
    assert label == f"on or inside the margin, y·f(x) ≤ 1 ({svm.support_vector_mask(w, b, X, y).sum()})"
    # a smaller C gives a wider margin and more support vectors
    narrow = svm.plot_svm_margin(100.0, X=X, y=y, resolution=20).get_title()
    wide = svm.plot_svm_margin(0.01, X=X, y=y, resolution=20).get_title()
    assert float(wide.split("margin width ")[1].split(",")[0]) > float(narrow.split("margin width ")[1].split(",")[0])


def test_draw_svm_with_scratch_model():
    X, y = _blobs()
    model = svm.fit_linear_svm(X, y, C=1.0, n_steps=300)
    ax = svm.draw_svm(model.w, model.b, X, y, title="scratch", resolution=30)
    assert ax.get_title() == "scratch"


# --------------------------------------------------------------------------- learner-facing errors
@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: svm.hinge_loss(np.ones(2), 0.0, np.ones((3, 2)), np.array([0, 1, 1])),
            r"hinge_loss needs labels in \{-1, \+1\} \(the SVM maths\); got labels \[0 1\]\. Convert them first, "
            r"e\.g\. y = svm\.to_signed_labels",
        ),
        (lambda: svm.perceptron(np.ones((3, 2)), np.array([0, 1, 1])), r"perceptron needs labels in \{-1, \+1\}"),
        (
            lambda: svm.hinge_loss(np.ones(2), 0.0, np.ones(2), np.array([1])),
            r"expects a batch X of shape \(n, d\); got shape \(2,\)\. Pass x\[None\] for one example",
        ),
        (
            lambda: svm.hinge_loss(np.ones(3), 0.0, np.ones((3, 2)), np.ones(3)),
            r"w should have one weight per feature, shape \(2,\); got shape \(3,\)",
        ),
        (
            lambda: svm.hinge_loss(np.ones(2), 0.0, np.ones((3, 2)), np.ones(2)),
            r"y should hold one label per row of X, shape \(3,\); got shape \(2,\)",
        ),
        (
            lambda: svm.hinge_subgradient(np.ones(2), 0.0, np.ones((3, 2)), np.ones(3), C=0),
            r"C is the weight of the hinge term, a number > 0; got 0",
        ),
        (
            lambda: svm.fit_linear_svm(np.ones((3, 2)), np.ones(3), n_steps=0),
            r"n_steps is fit_linear_svm.s number of subgradient steps, an int >= 1",
        ),
        (lambda: svm.margin_width(np.zeros(2)), r"w is all zeros"),
        (
            lambda: svm.margin_width(np.ones((1, 2))),
            r"one weight vector, shape \(d,\); got \(1, 2\)\. For scikit-learn use clf\.coef_\[0\]",
        ),
        (lambda: svm.to_signed_labels(np.array([0, 1]), positive=2), r"positive=2 is not among the labels \[0 1\]"),
        (lambda: svm.to_signed_labels(np.ones((2, 2)), positive=1), r"expects a 1-D array of labels"),
        (lambda: svm.make_xor(labels="or"), r'labels should be "xor" or "and"'),
        (
            lambda: svm.decision_function(np.ones((3, 4)), np.ones(3), np.ones((5, 2))),
            r"coef has shape \(3, 4\), one row per class over 4 features, but X has 2 features",
        ),
        (
            lambda: svm.decision_function(np.ones((3, 2)), np.ones(2), np.ones((5, 2))),
            r"intercept should have one entry per row of coef, shape \(3,\)",
        ),
        (
            lambda: svm.draw_svm(np.ones(3), 0.0, np.ones((4, 3)), np.ones(4)),
            r"draw_svm draws 2 features; X has shape \(4, 3\)\. Select two columns",
        ),
        (
            lambda: svm.draw_svm(np.ones(2), 0.0, np.ones((4, 2)), np.ones(4), class_names="ab"),
            r"class_names should be two names",
        ),
        (
            lambda: svm.plot_svm_margin(-1.0, X=np.ones((4, 2)), y=np.array([1, -1, 1, -1])),
            r"plot_svm_margin: C is the weight of the hinge term",
        ),
    ],
)
def test_learner_facing_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
