"""Our explainers against shap and lime, on the same models and inputs: one table, one run.

    .venv/bin/python benchmarks/bench_explainers.py

Rows:
- exact Shapley on a 12-feature model (NumPy MLP), 10 examples, 50 background rows, vs
  ``shap.ExactExplainer`` with the same background (both warmed up first); column "max diff" is
  the largest difference between the two.
- KernelSHAP at an equal budget of 512 coalitions vs ``shap.KernelExplainer``; "error" is the
  root mean square error of each against the exact Shapley values.
- LIME tabular, 10 examples × 5,000 samples, vs ``lime.lime_tabular.LimeTabularExplainer``
  (no discretization, sampling around the instance); "max diff" compares the per-standard-deviation
  coefficients of the two.
- integrated gradients (50 steps) on the pretrained MNIST MLP's logits, 20 test digits, vs
  ``shap.GradientExplainer`` (expected gradients, 50 background digits, 50 samples); "error" is
  the mean relative completeness gap |f(x) − base − Σ values| / |f(x) − base| of each.

Times are wall-clock seconds on this machine, from one run; ratio = ours / theirs (below 1: ours
is faster).
"""

from __future__ import annotations

import os
import platform
import time
import warnings

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def tabular_problem(d: int = 12, seed: int = 0):
    rng = np.random.default_rng(seed)
    W1, b1, w2 = rng.normal(size=(d, 16)) / np.sqrt(d), rng.normal(size=16) * 0.1, rng.normal(size=16)

    def f(X):  # (n, d) -> (n,): a small nonlinear model with interactions
        return np.tanh(np.asarray(X, dtype=float) @ W1 + b1) @ w2

    X = rng.normal(size=(600, d))
    return f, X[:500], X[500:550], X[550:560]  # model, training data, background, explained


def row(name, ours_s, theirs_s, ours_err, theirs_err, what):
    return f"| {name} | {ours_s:.3f} | {theirs_s:.3f} | {ours_s / theirs_s:.2f} | {ours_err} | {theirs_err} | {what} |"


def bench_exact(f, background, x):
    import shap

    from course_utils.shapley import exact_shapley

    explainer = shap.ExactExplainer(f, shap.maskers.Independent(background, max_samples=len(background)))
    explainer(x[:1])
    exact_shapley(f, x[:1], background)
    theirs, theirs_s = timed(lambda: explainer(x).values)
    ours, ours_s = timed(lambda: exact_shapley(f, x, background).values)
    diff = np.abs(ours - theirs).max()
    return ours, row("exact Shapley (12 features)", ours_s, theirs_s, f"max diff {diff:.1e}", "—", "same values")


def bench_kernel(f, background, x, exact, budget=512):
    import shap

    from course_utils.shapley import kernel_shap

    explainer = shap.KernelExplainer(f, background)
    theirs, theirs_s = timed(lambda: np.asarray(explainer.shap_values(x, nsamples=budget, silent=True)))
    ours, ours_s = timed(lambda: kernel_shap(f, x, background, n_samples=budget, seed=0).values)
    rmse = lambda v: np.sqrt(np.mean((v - exact) ** 2))  # noqa: E731
    return row(
        f"KernelSHAP ({budget} coalitions)",
        ours_s,
        theirs_s,
        f"RMSE {rmse(ours):.4f}",
        f"RMSE {rmse(theirs):.4f}",
        "vs exact Shapley",
    )


def bench_lime(f, train, x, n_samples=5000):
    from lime.lime_tabular import LimeTabularExplainer

    from course_utils.lime import lime_tabular

    explainer = LimeTabularExplainer(
        train, mode="regression", discretize_continuous=False, sample_around_instance=True, random_state=0
    )

    def theirs_fn():
        coefs = []
        for row_x in x:
            explanation = explainer.explain_instance(row_x, f, num_features=x.shape[1], num_samples=n_samples)
            weights = dict(explanation.as_map()[1])  # regression mode keys its weights by 1
            coefs.append([weights[j] for j in range(x.shape[1])])
        return np.array(coefs)

    theirs, theirs_s = timed(theirs_fn)
    ours, ours_s = timed(lambda: lime_tabular(f, x, train, n_samples=n_samples, seed=0).extras["coef"])
    diff = np.abs(ours - theirs).max()
    return row(
        f"LIME tabular ({n_samples} samples)", ours_s, theirs_s, f"max diff {diff:.3f}", "—", "coefficients per std"
    )


def bench_ig(n_images=20):
    import course_utils

    course_utils.setup(seed=0, quiet=True)
    import shap

    from course_utils.datasets import load_mnist
    from course_utils.gradients import integrated_gradients
    from course_utils.models import load_pretrained, logits_model

    (x_train, _), (x_test, _) = load_mnist()
    model = logits_model(load_pretrained("mlp"))
    x, background = x_test[:n_images], x_train[:50]
    integrated_gradients(model, x[:1])  # warm up
    ours, ours_s = timed(lambda: integrated_gradients(model, x, n_steps=50))
    gap = np.mean(np.abs(ours.completeness_gap()) / np.abs(ours.outputs - ours.base_values))
    explainer = shap.GradientExplainer(model, background)
    explainer.shap_values(x[:1], nsamples=50)
    theirs, theirs_s = timed(lambda: explainer.shap_values(x, nsamples=50))
    logits = np.asarray(model(x))
    target = ours.target
    values = np.asarray(theirs)[np.arange(n_images), ..., target]  # (n, 28, 28)
    base = np.asarray(model(background)).mean(axis=0)[target]
    fx = logits[np.arange(n_images), target]
    their_gap = np.mean(np.abs(fx - base - values.reshape(n_images, -1).sum(1)) / np.abs(fx - base))
    return row(
        "integrated gradients (50 steps, MNIST MLP)",
        ours_s,
        theirs_s,
        f"gap {gap:.3f}",
        f"gap {their_gap:.3f}",
        "vs shap.GradientExplainer",
    )


def main() -> None:
    import importlib.metadata as md

    f, train, background, x = tabular_problem()
    print(
        f"{time.strftime('%Y-%m-%d')} · {platform.machine()} · {os.cpu_count()} CPUs · "
        f"shap {md.version('shap')} · lime {md.version('lime')}"
    )
    print("| method | ours (s) | theirs (s) | ratio | ours: error | theirs: error | compared |")
    print("| --- | ---: | ---: | ---: | --- | --- | --- |")
    exact, line = bench_exact(f, background, x)
    print(line, flush=True)
    print(bench_kernel(f, background, x, exact), flush=True)
    print(bench_lime(f, train, x), flush=True)
    print(bench_ig(), flush=True)


if __name__ == "__main__":
    main()
