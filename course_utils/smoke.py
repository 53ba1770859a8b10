"""A keyboard-free smoke test of every helper, run at the end of notebook 00.

Each entry calls one public helper on a tiny input and describes what came back; a failure is
reported on its line (never raised), so the learner sees at once which part of the set-up is
broken. Later parts of the course add their helpers to ``SMOKE_TESTS``.
"""

from __future__ import annotations

from typing import Callable

import numpy as np


def _load_mnist() -> str:
    from course_utils.datasets import load_mnist

    (x_train, y_train), (x_test, _) = load_mnist()
    return f"train {x_train.shape}, test {x_test.shape}, {len(np.unique(y_train))} classes"


def _make_credit() -> str:
    from course_utils.datasets import make_credit

    X, y, truth = make_credit(200, seed=1)
    return f"X {X.shape}, {len(truth.table)} true effects"


def _load_credit() -> str:
    from course_utils.datasets import load_credit

    X, y = load_credit()
    return f"X {X.shape}, default rate {y.mean():.2f}"


def _checks() -> str:
    from course_utils.checks import welcome

    result = welcome.standardize(lambda x: (x - x.mean(axis=0)) / x.std(axis=0))
    return f"a correct answer is reported as {result.status!r}"


def _linear() -> str:
    from course_utils import linear

    A = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]])
    x = [linear.least_squares(A, np.array([1.0, 2.0, 2.0]), method=m) for m in linear.METHODS]
    return f"least squares three ways agree: {all(np.allclose(x[0], xi) for xi in x)}"


def _collinearity() -> str:
    from matplotlib.figure import Figure

    from course_utils import linear

    axes = linear.plot_collinearity(0.9, n_resamples=5, axes=Figure().subplots(1, 3))
    X, _ = linear.make_correlated_features(200, correlation=0.9, seed=0)
    return f"{len(axes)} panels drawn, sample correlation {np.corrcoef(X.T)[0, 1]:.2f}"


def _standardized_weights() -> str:
    from matplotlib.figure import Figure
    from sklearn.datasets import load_breast_cancer

    from course_utils import linear

    X, y = load_breast_cancer(return_X_y=True)
    weights = linear.standardized_weights(X[:, :4], 1 - y)
    linear.plot_weights(weights, ["a", "b", "c", "d"], ax=Figure().subplots())
    return f"{weights.shape[0]} standardized weights"


def _svm() -> str:
    from course_utils import svm

    X, y = svm.make_xor(10, labels="and")
    model = svm.fit_linear_svm(X, y, C=1.0, n_steps=200)
    return f"scratch linear SVM on AND: training accuracy {np.mean(model.predict(X) == y):.2f}"


def _plots() -> str:
    from matplotlib.figure import Figure

    from course_utils.plots import plot_decision_boundary, plot_weight_images

    X, y = np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([-1, 1])
    plot_decision_boundary(lambda Z: Z.sum(axis=1) - 1.0, X, y, resolution=20, ax=Figure().subplots())
    axes = plot_weight_images(np.eye(2, 64), axes=Figure().subplots(1, 2))
    return f"decision boundary and {len(axes)} weight images drawn"


def _mlp() -> str:
    from course_utils.mlp import MLP

    net = MLP([2, 3, 2], seed=0)
    loss, grads = net.loss_and_grads(np.ones((4, 2)), np.array([0, 1, 1, 0]))
    return f"loss {loss:.3f}, gradients for {sorted(grads)}"


def _gradcheck() -> str:
    from course_utils.gradcheck import numerical_gradient, relative_error

    x = np.array([1.0, -2.0])
    error = relative_error(numerical_gradient(lambda v: float((v**2).sum()), x), 2 * x)
    return f"d(x²)/dx by centred differences, relative error < 1e-8: {error < 1e-8}"


SMOKE_TESTS: dict[str, Callable[[], str]] = {
    "datasets.load_mnist": _load_mnist,
    "datasets.make_credit": _make_credit,
    "datasets.load_credit": _load_credit,
    "checks": _checks,
    "linear.least_squares": _linear,
    "linear.plot_collinearity": _collinearity,
    "linear.standardized_weights": _standardized_weights,
    "svm.fit_linear_svm": _svm,
    "plots": _plots,
    "mlp.MLP": _mlp,
    "gradcheck": _gradcheck,
}


def run(tests: dict[str, Callable[[], str]] | None = None) -> bool:
    """Run every smoke test, print one line each, return True if all passed."""
    ok = True
    for name, test in (SMOKE_TESTS if tests is None else tests).items():
        try:
            print(f"✓ {name:<30} {test()}")
        except Exception as error:  # report, never raise: this is a diagnostic
            ok = False
            print(f"✗ {name:<30} {type(error).__name__}: {error}")
    return ok
