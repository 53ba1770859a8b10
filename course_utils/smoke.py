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
    from course_utils.checks import ungraded, welcome

    with ungraded():  # a diagnostic, not a grade cell: it reports even under nbgrader's autograder
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


def _gradients() -> str:
    from course_utils.datasets import load_mnist
    from course_utils.gradients import grad_cam, gradient_x_input, integrated_gradients, saliency, smoothgrad
    from course_utils.models import load_pretrained, logits_model

    _, (x, _) = load_mnist()
    mlp, cnn = logits_model(load_pretrained("mlp")), logits_model(load_pretrained("cnn"))
    shapes = {f(mlp, x[:2]).values.shape for f in (saliency, gradient_x_input)}
    shapes.add(smoothgrad(mlp, x[:2], n_samples=4).values.shape)
    shapes.add(grad_cam(cnn, x[:2]).values.shape)
    ig = integrated_gradients(mlp, x[:2], n_steps=300)
    gap = np.abs(ig.completeness_gap()) / np.abs(ig.outputs - ig.base_values)
    return (
        f"5 methods, values {shapes.pop() if len(shapes) == 1 else shapes}; IG completeness gap < 1% at 300 steps: "
        f"{bool(gap.max() < 0.01)}"
    )


def _attribution_plots() -> str:
    from matplotlib.figure import Figure

    from course_utils.attribution_plots import plot_feature_attribution, plot_image_attribution

    axes = Figure().subplots(1, 2)
    plot_image_attribution(np.eye(28), np.eye(28) - 0.5, ax=axes[0])
    plot_feature_attribution([0.5, -1.0, 0.2], ["a", "b", "c"], ax=axes[1], top_k=2)
    return f"heatmap and {len(axes[1].patches)} bars drawn"


def _shapley_values() -> str:
    from course_utils import shapley

    return f"glove game by enumeration: {np.round(shapley.shapley_values(shapley.glove_game, 3), 3)}"


def _exact_shapley() -> str:
    from course_utils import shapley

    w = np.array([1.0, -2.0, 0.5])
    x, background = np.ones((2, 3)), np.random.default_rng(0).normal(size=(8, 3))
    a = shapley.exact_shapley(lambda X: X @ w, x, background)
    return f"linear model = w·(x − mean background): {np.allclose(a.values, w * (x - background.mean(axis=0)))}"


def _kernel_shap() -> str:
    from course_utils import shapley

    f = lambda X: np.tanh(X).sum(axis=1) + X[:, 0] * X[:, 1]  # noqa: E731
    x, background = np.ones((2, 4)), np.random.default_rng(0).normal(size=(8, 4))
    exact, kernel = shapley.exact_shapley(f, x, background), shapley.kernel_shap(f, x, background)
    sampled = shapley.kernel_shap(f, x, background, n_samples=6, seed=0)
    gap = np.abs(sampled.completeness_gap()).max()
    return (
        f"all coalitions = exact: {np.allclose(kernel.values, exact.values)}; sampled values add up: "
        f"{bool(gap < 1e-10)}"
    )


def _lime() -> str:
    from course_utils.lime import lime_image, lime_tabular

    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    tabular = lime_tabular(lambda Z: Z @ [1.0, -2.0, 0.0], X[:2], X, n_samples=500)
    image = lime_image(lambda x: x[:, :4, :4].sum(axis=(1, 2)), rng.random((1, 28, 28)), n_samples=100)
    top = int(np.argmax(image.extras["segment_values"][0]))
    return f"tabular {tabular.values.shape}, image {image.values.shape}, top superpixel {top}"


def _lime_plots() -> str:
    from matplotlib.figure import Figure

    from course_utils.attribution_plots import plot_local_surrogate, plot_segments
    from course_utils.lime import grid_segments

    ax = plot_local_surrogate(lambda x: np.sin(3 * x) + x, 1.0, kernel_width=0.5, ax=Figure().subplots())
    plot_segments(np.zeros((28, 28)), grid_segments(), ax=Figure().subplots())
    return f"local surrogate ({ax.get_title()}) and 49 superpixels drawn"


def _models() -> str:
    from course_utils.models import load_pretrained, logits_model

    mlp, cnn = load_pretrained("mlp"), load_pretrained("cnn")
    return (
        f"mlp {mlp.count_params():,} and cnn {cnn.count_params():,} parameters; logits layer "
        f"{logits_model(mlp).layers[-1].name!r}"
    )


def _hidden() -> str:
    from course_utils.datasets import load_mnist
    from course_utils.hidden import get_activations
    from course_utils.probes import linear_probe
    from course_utils.models import load_pretrained

    _, (x_test, y_test) = load_mnist()
    x, y = x_test[::5], y_test[::5]  # 200 digits, all classes
    acts = get_activations(load_pretrained("mlp"), x, ["hidden_1"])["hidden_1"]
    return f"hidden_1 {acts.shape}, probe accuracy > 0.8: {linear_probe(acts[::2], y[::2], acts[1::2], y[1::2]) > 0.8}"


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
    "models.load_pretrained": _models,
    "hidden.get_activations": _hidden,
    "gradients": _gradients,
    "attribution_plots": _attribution_plots,
    "shapley.shapley_values": _shapley_values,
    "shapley.exact_shapley": _exact_shapley,
    "shapley.kernel_shap": _kernel_shap,
    "lime.lime_tabular / lime_image": _lime,
    "attribution_plots (LIME)": _lime_plots,
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
