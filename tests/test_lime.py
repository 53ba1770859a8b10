"""course_utils.lime against independent references: closed forms, scikit-learn's Ridge, the lime library."""

import contextlib
import io

import matplotlib

matplotlib.use("Agg")

import lime.lime_base
import lime.lime_image
import lime.lime_tabular
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from course_utils import attribution_plots
from course_utils import lime as cl


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _toy_regression(seed=0, m=60, k=3):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(m, k)) * [1.0, 3.0, 0.5] + [0.0, 2.0, -1.0]
    y = np.sin(Z[:, 0]) + 0.5 * Z[:, 1] * Z[:, 2] + rng.normal(scale=0.1, size=m)
    weights = cl.kernel_weights(np.linalg.norm(Z - Z[0], axis=1), 2.0)
    return Z, y, weights


# --------------------------------------------------------------------------- kernel
def test_kernel_is_lime_s_sqrt_exp_formula():
    d = np.linspace(0, 5, 11)
    for width in (0.25, 1.0, 3.0):
        assert np.allclose(cl.kernel_weights(d, width), np.sqrt(np.exp(-(d**2) / width**2)))
    assert cl.kernel_weights(np.zeros((2, 3)), 1.0).shape == (2, 3)


def test_a_tiny_width_lets_only_the_nearest_samples_count():
    d = np.array([0.0, 0.01, 0.1, 1.0])
    weights = cl.kernel_weights(d, 0.01)
    assert weights[0] == 1.0 and weights[1] == pytest.approx(np.exp(-0.5))
    assert weights[2] < 1e-20 and weights[3] == 0.0
    assert np.all(cl.kernel_weights(d, 100.0) > 0.99)  # a huge width: every sample counts


# --------------------------------------------------------------------------- surrogate
@pytest.mark.parametrize("alpha", [0.0, 0.1, 1.0, 10.0])
def test_surrogate_equals_sklearn_ridge_with_sample_weight(alpha):
    Z, y, weights = _toy_regression()
    coef, intercept, score = cl.fit_surrogate(Z, y, weights, alpha=alpha)
    reference = Ridge(alpha=alpha).fit(Z, y, sample_weight=weights)
    assert np.allclose(coef, reference.coef_, rtol=1e-9, atol=1e-11)
    assert np.isclose(intercept, reference.intercept_, rtol=1e-9, atol=1e-11)
    assert np.isclose(score, reference.score(Z, y, sample_weight=weights), rtol=1e-9)


@pytest.mark.parametrize("alpha", [0.0, 1.0])
def test_surrogate_equals_the_augmented_normal_equations(alpha):
    # min Σ w_i (y_i - [1, z_i]·β)² + α ||β[1:]||²  ⇔  (Aᵀ W A + α diag(0, 1, ..., 1)) β = Aᵀ W y
    Z, y, weights = _toy_regression(seed=3)
    A = np.column_stack([np.ones(len(Z)), Z])
    penalty = alpha * np.diag([0.0] + [1.0] * Z.shape[1])
    beta = np.linalg.solve(A.T @ (weights[:, None] * A) + penalty, A.T @ (weights * y))
    coef, intercept, _ = cl.fit_surrogate(Z, y, weights, alpha=alpha)
    assert np.allclose(coef, beta[1:], rtol=1e-10) and np.isclose(intercept, beta[0], rtol=1e-10)


def test_weighted_least_squares_is_plain_least_squares_on_sqrt_weighted_rows():
    Z, y, weights = _toy_regression(seed=4)
    A = np.column_stack([np.ones(len(Z)), Z]) * np.sqrt(weights)[:, None]
    beta, *_ = np.linalg.lstsq(A, y * np.sqrt(weights), rcond=None)
    coef, intercept, _ = cl.fit_surrogate(Z, y, weights, alpha=0.0)
    assert np.allclose(coef, beta[1:], rtol=1e-9) and np.isclose(intercept, beta[0], rtol=1e-9)


def test_surrogate_equals_lime_base_on_the_same_samples():
    Z, y, _ = _toy_regression(seed=5)
    distances = np.linalg.norm(Z - Z[0], axis=1)
    base = lime.lime_base.LimeBase(lambda d: cl.kernel_weights(d, 2.0), random_state=0)
    intercept, exp, score, _ = base.explain_instance_with_data(
        Z, y[:, None], distances, 0, Z.shape[1], feature_selection="none"
    )
    coef, our_intercept, our_score = cl.fit_surrogate(Z, y, cl.kernel_weights(distances, 2.0))
    assert np.allclose(coef, [w for _, w in sorted(exp)], rtol=1e-9)
    assert np.isclose(our_intercept, intercept) and np.isclose(our_score, score)


def test_a_batch_of_fits_equals_one_fit_each():
    fits = [_toy_regression(seed=s) for s in range(3)]
    Z, y, weights = (np.stack(parts) for parts in zip(*fits))
    coef, intercept, score = cl.fit_surrogate(Z, y, weights)
    for i, (Zi, yi, wi) in enumerate(fits):
        ci, ii, si = cl.fit_surrogate(Zi, yi, wi)
        assert np.allclose(coef[i], ci) and np.isclose(intercept[i], ii) and np.isclose(score[i], si)


def test_shared_samples_broadcast_against_many_outputs():
    Z, y, weights = _toy_regression(seed=6)
    ys = np.stack([y, 2 * y - 1, np.cos(Z[:, 1])])  # (3, m): three outputs on the same samples
    coef, intercept, score = cl.fit_surrogate(Z, ys, weights)
    assert coef.shape == (3, 3) and intercept.shape == (3,) and score.shape == (3,)
    for i in range(3):
        reference = Ridge(alpha=1.0).fit(Z, ys[i], sample_weight=weights)
        assert np.allclose(coef[i], reference.coef_) and np.isclose(intercept[i], reference.intercept_)


def test_a_constant_output_has_zero_coefficients_and_a_perfect_score():
    Z, _, weights = _toy_regression()
    coef, intercept, score = cl.fit_surrogate(Z, np.full(len(Z), 2.5), weights)
    assert np.allclose(coef, 0.0) and np.isclose(intercept, 2.5) and score == 1.0


# --------------------------------------------------------------------------- tabular
def _linear_model(w, b=0.0):
    return lambda X: X @ w + b


def test_tabular_on_a_linear_model_gives_weight_times_std_and_closes_the_gap():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3)) * [1.0, 5.0, 0.1] + [2.0, -1.0, 0.0]
    w = np.array([0.5, -0.2, 3.0])
    attribution = cl.lime_tabular(_linear_model(w, 1.0), X[:4], X, n_samples=4000)
    std, mean = X.std(axis=0), X.mean(axis=0)
    # ridge shrinks each coefficient by a factor S/(S + 1), S = Σ_i k_i (z_ij - z̄_j)² ≫ 1: within 0.3 %
    assert np.allclose(attribution.extras["coef"], w * std, rtol=3e-3)
    assert np.allclose(attribution.values, w * (X[:4] - mean), rtol=3e-3, atol=1e-3)
    assert np.allclose(attribution.base_values, 1.0 + w @ mean, atol=1e-2)
    assert np.allclose(attribution.completeness_gap(), 0.0, atol=1e-2)
    assert np.allclose(attribution.outputs, X[:4] @ w + 1.0) and attribution.target is None
    assert np.all(attribution.extras["score"] > 0.999)


def test_tabular_equals_ridge_on_the_standardized_copies_built_by_hand():
    # The whole pipeline, rebuilt independently: lime's sampling (sample_around_instance=True),
    # its kernel sqrt(exp(-d²/w²)) and Ridge(alpha=1) with sample_weight on the standardized copies.
    rng = np.random.default_rng(7)
    X = rng.normal(size=(300, 4)) * [1.0, 10.0, 0.2, 3.0] + [5.0, 0.0, 1.0, -2.0]
    f = lambda X: np.tanh(X @ [0.5, 0.05, 2.0, -0.2]) + 0.1 * X[:, 0] ** 2
    x = X[:2]
    attribution = cl.lime_tabular(f, x, X, n_samples=800, seed=11)
    mean, std = X.mean(axis=0), X.std(axis=0)
    noise = np.random.default_rng(11).standard_normal((800, 4))
    noise[0] = 0.0
    width = 0.75 * np.sqrt(4)
    for i in range(2):
        copies = x[i] + noise * std
        Z = (copies - mean) / std
        distances = np.linalg.norm(Z - Z[0], axis=1)
        reference = Ridge(alpha=1.0).fit(Z, f(copies), sample_weight=np.sqrt(np.exp(-(distances**2) / width**2)))
        assert np.allclose(attribution.extras["coef"][i], reference.coef_, rtol=1e-8, atol=1e-10)
        assert np.isclose(
            attribution.base_values[i], reference.intercept_, rtol=1e-8
        )  # the surrogate at the training mean
        assert np.allclose(attribution.values[i], reference.coef_ * Z[0])


def _slope_of_sin_plus_x(x0, width):
    # f(x) = sin(3x) + x; for x ~ N(x0, s²), the best linear slope is E[f'(x)] (Stein's lemma):
    # 1 + 3 cos(3 x0) exp(-9 s² / 2). Gaussian samples (std 1) times the Gaussian kernel of width w
    # are Gaussian with 1/s² = 1 + 1/w².
    s2 = width**2 / (1 + width**2)
    return 1 + 3 * np.cos(3 * x0) * np.exp(-4.5 * s2)


@pytest.mark.parametrize("width", [0.3, 1.0, 3.0])
def test_kernel_width_moves_the_slope_as_the_closed_form_says(width):
    train = np.random.default_rng(0).normal(size=(500, 1))
    train = (train - train.mean()) / train.std()  # std exactly 1: coef is the slope
    f = lambda X: np.sin(3 * X[:, 0]) + X[:, 0]
    slopes = [
        cl.lime_tabular(f, np.array([[1.0]]), train, n_samples=20_000, kernel_width=width, seed=s).extras["coef"][0, 0]
        for s in range(3)
    ]
    assert abs(np.mean(slopes) - _slope_of_sin_plus_x(1.0, width)) < 0.03  # Monte Carlo std ≈ 0.005


def test_the_sign_of_the_explanation_depends_on_the_kernel_width():
    f = lambda x: np.sin(3 * x) + x
    narrow = cl.local_surrogate_1d(f, 1.0, kernel_width=0.3, n_samples=5000)
    wide = cl.local_surrogate_1d(f, 1.0, kernel_width=3.0, n_samples=5000)
    assert narrow.slope < -0.9 and wide.slope > 0.9
    assert abs(narrow.slope - _slope_of_sin_plus_x(1.0, 0.3)) < 0.05


def test_a_tiny_kernel_width_keeps_only_the_explained_input():
    X = np.random.default_rng(1).normal(size=(300, 4))
    f = lambda X: np.tanh(X).sum(axis=1)
    attribution = cl.lime_tabular(f, X[:3], X, kernel_width=1e-6, n_samples=500)
    # every copy but x itself weighs 0: the surrogate is the constant f(x)
    assert np.allclose(attribution.extras["coef"], 0.0) and np.allclose(attribution.base_values, attribution.outputs)


def test_default_kernel_width_is_lime_s():
    X = np.random.default_rng(2).normal(size=(100, 9))
    attribution = cl.lime_tabular(lambda X: X[:, 0], X[:1], X, n_samples=50)
    assert attribution.extras["kernel_width"] == pytest.approx(0.75 * 3.0)


def test_same_seed_same_result_other_seed_other_samples():
    X = np.random.default_rng(3).normal(size=(300, 5))
    f = lambda X: np.tanh(X @ [1.0, -1.0, 0.5, 0.0, 2.0])
    a, b = cl.lime_tabular(f, X[:3], X, seed=7, n_samples=500), cl.lime_tabular(f, X[:3], X, seed=7, n_samples=500)
    c = cl.lime_tabular(f, X[:3], X, seed=8, n_samples=500)
    assert np.array_equal(a.values, b.values) and np.array_equal(a.base_values, b.base_values)
    assert not np.allclose(a.values, c.values)


def test_a_batch_equals_one_example_at_a_time_and_few_model_calls():
    X = np.random.default_rng(4).normal(size=(300, 5))
    calls = []

    def f(X):
        calls.append(len(X))
        return np.tanh(X @ [1.0, -1.0, 0.5, 0.0, 2.0])

    batch = cl.lime_tabular(f, X[:6], X, n_samples=1000, batch_size=2500)
    assert calls == [6, 2500, 2500, 1000]  # the outputs, then all 6,000 copies, batch_size rows per call
    calls.clear()
    cl.lime_tabular(f, X[:2], X, n_samples=1000, batch_size=300)  # a batch may hold the copies of two examples
    assert calls == [2] + [300] * 6 + [200]
    for i in range(6):
        one = cl.lime_tabular(f, X[i : i + 1], X, n_samples=1000)
        assert np.allclose(batch.values[i], one.values[0], rtol=1e-12) and np.isclose(
            batch.base_values[i], one.base_values[0]
        )


def test_target_semantics_for_probabilities():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(300, 3))
    w = np.array([2.0, -1.0, 0.0])

    def proba(X):
        p = 1 / (1 + np.exp(-(X @ w)))
        return np.column_stack([1 - p, p])

    x = np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]])  # predicted classes 1 and 0
    predicted = cl.lime_tabular(proba, x, X, n_samples=500)
    assert predicted.target.tolist() == [1, 0]
    one = cl.lime_tabular(proba, x, X, target=1, n_samples=500)
    zero = cl.lime_tabular(proba, x, X, target=0, n_samples=500)
    # p0 = 1 - p1 on every copy: the two surrogates are mirror images
    assert np.allclose(one.extras["coef"], -zero.extras["coef"]) and np.allclose(
        one.base_values + zero.base_values, 1.0
    )
    assert np.allclose(predicted.values[0], one.values[0]) and np.allclose(predicted.values[1], zero.values[1])
    per_example = cl.lime_tabular(proba, x, X, target=np.array([0, 1]), n_samples=500)
    assert np.allclose(per_example.values, [zero.values[0], one.values[1]])
    assert one.extras["coef"][0, 0] > 0 and one.extras["coef"][0, 1] < 0


def test_dataframes_give_feature_names():
    X = pd.DataFrame(np.random.default_rng(6).normal(size=(100, 2)), columns=["income", "age"])
    attribution = cl.lime_tabular(lambda X: X[:, 0], X.iloc[:2], X, n_samples=100)
    assert attribution.feature_names == ["income", "age"] and attribution.to_frame().shape == (2, 2)


def _sparse_logistic(seed=0, d=20, n_gold=5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(1000, d)) * rng.uniform(0.5, 3.0, d) + rng.normal(size=d)
    gold = np.sort(rng.choice(d, n_gold, replace=False))
    w = np.zeros(d)
    w[gold] = rng.choice([-1.0, 1.0], n_gold) * rng.uniform(0.5, 1.5, n_gold) / X.std(axis=0)[gold]
    b = -(X.mean(axis=0) @ w)

    def proba(Z):
        p = 1 / (1 + np.exp(-(Z @ w + b)))
        return np.column_stack([1 - p, p])

    return X, proba, set(gold.tolist())


def _recall(coefs, gold):
    return float(np.mean([len(set(np.argsort(-np.abs(c))[: len(gold)].tolist()) & gold) / len(gold) for c in coefs]))


def test_gold_feature_recall_at_least_as_good_as_the_lime_library():
    # The LIME paper's check (Ribeiro et al. 2016, section 5.2): a sparse logistic model has
    # 5 gold features among 20; how many of the top-5 |coefficients| are gold, over 25 instances?
    X, proba, gold = _sparse_logistic()
    x = X[:25]
    ours = _recall(cl.lime_tabular(proba, x, X, target=1, n_samples=2000).extras["coef"], gold)
    recalls = {}
    for around in (True, False):  # True samples around x, as we do; False is lime's default (around the mean)
        explainer = lime.lime_tabular.LimeTabularExplainer(
            X, discretize_continuous=False, sample_around_instance=around, random_state=0
        )
        coefs = []
        for row in x:
            found = dict(
                explainer.explain_instance(row, proba, labels=(1,), num_features=20, num_samples=2000).as_map()[1]
            )
            coefs.append([found[j] for j in range(20)])
        recalls[around] = _recall(coefs, gold)
    assert ours >= max(recalls.values()) and ours >= 0.95, (ours, recalls)


def test_coefficients_agree_with_the_lime_library_within_sampling_noise():
    X, proba, _ = _sparse_logistic(seed=1, d=6, n_gold=3)
    row = X[3]
    ours = cl.lime_tabular(proba, row[None], X, target=1, n_samples=5000).extras["coef"][0]
    explainer = lime.lime_tabular.LimeTabularExplainer(
        X, discretize_continuous=False, sample_around_instance=True, random_state=0
    )
    found = dict(explainer.explain_instance(row, proba, labels=(1,), num_features=6, num_samples=5000).as_map()[1])
    theirs = np.array([found[j] for j in range(6)])
    assert np.corrcoef(ours, theirs)[0, 1] > 0.99
    assert np.abs(ours - theirs).max() < 0.1 * np.abs(theirs).max()


# --------------------------------------------------------------------------- images
def test_grid_segments_by_hand():
    assert cl.grid_segments((4, 4), patch=2).tolist() == [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3], [2, 2, 3, 3]]
    grid = cl.grid_segments()
    assert grid.shape == (28, 28) and grid.max() == 48 and np.all(np.bincount(grid.ravel()) == 16)
    assert cl.grid_segments((5, 3), patch=2).tolist() == [[0, 0, 1], [0, 0, 1], [2, 2, 3], [2, 2, 3], [4, 4, 5]]


def _one_patch_model(image_shape=(28, 28)):
    # looks only at the 4×4 patch in rows 8..11, columns 12..15: grid superpixel 2*7 + 3 = 17
    return lambda x: np.stack([x[:, 8:12, 12:16].sum(axis=(1, 2)), np.ones(len(x))], axis=1)


def _digits(n=2, seed=0):
    rng = np.random.default_rng(seed)
    images = (rng.random((n, 28, 28)) < 0.3).astype(np.float32)
    images[:, 8:12, 12:16] = 1.0
    return images


def test_image_lime_attributes_a_one_patch_model_to_that_patch():
    images = _digits()
    attribution = cl.lime_image(_one_patch_model(), images, target=0, n_samples=500)
    assert attribution.values.shape == images.shape
    for i in range(2):
        coef = attribution.extras["segment_values"][i]
        assert int(np.argmax(coef)) == 17
        assert np.abs(np.delete(coef, 17)).max() < 0.05 * coef[17]
        # the model is exactly linear in the masks (16 pixels of ink × on/off): coef ≈ 16 (ridge shrinks a little)
        assert coef[17] == pytest.approx(16.0, rel=0.02)
        assert np.allclose(attribution.values[i][8:12, 12:16], coef[17] / 16)  # spread over the patch's 16 pixels
    # values sum to the coefficients, so the gap is the surrogate's error at the image itself
    assert np.allclose(attribution.completeness_gap(), 0.0, atol=0.05 * 16)


def test_the_lime_library_agrees_on_the_one_patch_model():
    image = _digits(1)[0].astype(float)
    grid = cl.grid_segments()
    explainer = lime.lime_image.LimeImageExplainer(random_state=0)
    with contextlib.redirect_stderr(io.StringIO()):  # lime 0.2.0.1 always draws a tqdm bar
        found = explainer.explain_instance(
            image,
            lambda rgb: _one_patch_model()(rgb[..., 0]),
            labels=(0,),
            top_labels=None,
            hide_color=0,
            num_samples=500,
            batch_size=500,
            segmentation_fn=lambda rgb: grid,
        )
    theirs = dict(found.local_exp[0])
    ours = cl.lime_image(_one_patch_model(), image[None], target=0, n_samples=500).extras["segment_values"][0]
    assert max(theirs, key=lambda s: abs(theirs[s])) == int(np.argmax(np.abs(ours))) == 17
    assert theirs[17] == pytest.approx(ours[17], rel=0.02)


def test_image_kernel_is_cosine_distance_to_the_all_on_mask():
    from sklearn.metrics.pairwise import cosine_distances

    masks = np.random.default_rng(0).integers(0, 2, size=(50, 49))
    masks[0] = 1
    assert np.allclose(1.0 - np.sqrt(masks.sum(axis=1) / 49), cosine_distances(masks, masks[:1]).ravel())


def test_image_batch_equals_one_at_a_time_seed_and_target():
    images = _digits(3, seed=1)
    model = lambda x: np.stack([x[:, :14].mean(axis=(1, 2)), x[:, 14:].mean(axis=(1, 2)) ** 2], axis=1)
    batch = cl.lime_image(model, images, n_samples=300, seed=3)
    for i in range(3):
        one = cl.lime_image(model, images[i : i + 1], n_samples=300, seed=3)
        assert np.allclose(batch.values[i], one.values[0]) and batch.target[i] == one.target[0]
    again = cl.lime_image(model, images, n_samples=300, seed=3)
    other = cl.lime_image(model, images, n_samples=300, seed=4)
    assert np.array_equal(batch.values, again.values) and not np.allclose(batch.values, other.values)
    assert batch.target.tolist() == np.argmax(model(images), axis=1).tolist()
    patch_model = _one_patch_model()  # output 0: the patch's ink (16 here), output 1: always 1
    assert cl.lime_image(patch_model, images, n_samples=100).target.tolist() == [0, 0, 0]
    constant = cl.lime_image(patch_model, images, target=1, n_samples=100)
    assert (
        constant.target.tolist() == [1, 1, 1]
        and np.allclose(constant.values, 0.0)
        and np.allclose(constant.base_values, 1.0)
    )
    mixed = cl.lime_image(patch_model, images, target=np.array([1, 0, 1]), n_samples=100)
    assert np.allclose(mixed.values[[0, 2]], 0.0) and np.argmax(mixed.extras["segment_values"][1]) == 17


def test_custom_segments_fill_and_channels():
    images = _digits(2)
    labels = np.zeros((28, 28), dtype=int)
    labels[:, 14:] = 5  # two superpixels, labels need not be 0..S-1
    seen = []

    def model(x):
        seen.append(x.copy())
        return x.reshape(len(x), -1).mean(axis=1)

    attribution = cl.lime_image(model, images, segments=labels, n_samples=20, fill=0.5)
    assert [len(c) for c in attribution.extras["segment_values"]] == [2, 2]
    copies = np.concatenate(seen[1:])
    off_left = np.all(copies[:, :, :14] == 0.5, axis=(1, 2))
    assert off_left.any() and copies.dtype == np.float32
    per_image = np.stack([labels, (labels > 0) * 3])
    assert cl.lime_image(model, images, segments=per_image, n_samples=20).values.shape == images.shape
    rgb = np.repeat(images[..., None], 3, axis=-1)
    coloured = cl.lime_image(lambda x: x.mean(axis=(1, 2, 3)), rgb, n_samples=50, segments=7)
    assert coloured.values.shape == rgb.shape and np.allclose(coloured.values[..., 0], coloured.values[..., 2])


# --------------------------------------------------------------------------- stability
def test_top_k_jaccard_by_hand():
    assert cl.top_k_jaccard([3.0, -2.0, 0.1, 0.0], [0.2, -5.0, 0.0, 1.0], k=2) == pytest.approx(1 / 3)
    assert cl.top_k_jaccard([1.0, 2.0, 3.0], [30.0, 20.0, -10.0], k=3) == 1.0
    assert cl.top_k_jaccard([1.0, 0.0], [0.0, 1.0], k=1) == 0.0
    assert cl.top_k_jaccard(np.eye(3), np.eye(3), k=3) == 1.0  # images are flattened


def test_seed_stability_is_the_mean_pairwise_jaccard():
    runs = [[3.0, 2.0, 1.0, 0.0], [3.0, 0.0, 1.0, 2.0], [0.0, 2.0, 1.0, 3.0]]
    pairs = [2 / 3 * 0 + 1 / 3, 1 / 3, 1 / 3]  # {0,1} vs {0,3}, {0,1} vs {3,1}, {0,3} vs {3,1}
    assert cl.seed_stability(runs, k=2) == pytest.approx(np.mean(pairs))


# --------------------------------------------------------------------------- drawing
def test_plot_local_surrogate_draws_the_weighted_least_squares_line():
    f = lambda x: np.sin(3 * x) + x
    ax = attribution_plots.plot_local_surrogate(f, 1.0, kernel_width=0.5, n_samples=300)
    fit = cl.local_surrogate_1d(f, 1.0, kernel_width=0.5, n_samples=300)
    (line,) = [l for l in ax.get_lines() if l.get_label().startswith("LIME line")]
    xs, ys = line.get_data()
    assert np.allclose(np.diff(ys) / np.diff(xs), fit.slope)
    # the slope is weighted least squares, solved independently
    A = np.column_stack([np.ones_like(fit.samples), fit.samples]) * np.sqrt(fit.weights)[:, None]
    beta, *_ = np.linalg.lstsq(A, fit.outputs * np.sqrt(fit.weights), rcond=None)
    assert np.isclose(fit.slope, beta[1]) and np.isclose(fit.intercept, beta[0])
    assert ax.get_title() == "kernel width 0.5" and ax.get_xlabel() == "x"
    (tangent,) = [l for l in ax.get_lines() if l.get_label().startswith("tangent")]
    xs, ys = tangent.get_data()
    assert np.allclose(np.diff(ys) / np.diff(xs), 3 * np.cos(3.0) + 1, rtol=1e-6)


def test_plot_segments_draws_every_border_once():
    ax = attribution_plots.plot_segments(np.zeros((4, 4)), cl.grid_segments((4, 4), patch=2), title="grid")
    (borders,) = ax.collections
    assert len(borders.get_segments()) == 8 and ax.get_title() == "grid"
    assert attribution_plots.plot_segments(np.zeros((28, 28)), cl.grid_segments()).get_title() == "49 superpixels"


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: cl.kernel_weights([1.0], 0.0), r"kernel_width should be a positive number; got 0\.0"),
        (lambda: cl.kernel_weights([1.0], "wide"), r"kernel_width should be a positive number; got 'wide'"),
        (
            lambda: cl.fit_surrogate(np.ones(5), np.ones(5), np.ones(5)),
            r"Z must have shape \(m, k\).*pass Z\[:, None\]",
        ),
        (
            lambda: cl.fit_surrogate(np.ones((5, 2)), np.ones(4), np.ones(5)),
            r"y must hold one output per sample, shape \(5,\); got \(4,\)",
        ),
        (
            lambda: cl.fit_surrogate(np.ones((5, 2)), np.ones(5), np.ones(3)),
            r"weights must hold one weight per sample, shape \(5,\); got \(3,\)",
        ),
        (
            lambda: cl.fit_surrogate(np.ones((5, 2)), np.ones(5), -np.ones(5)),
            r"weights must be finite and non-negative",
        ),
        (
            lambda: cl.fit_surrogate(np.ones((2, 5, 2)), np.ones((3, 5)), np.ones(5)),
            r"leading \(batch\) axes of Z \(2, 5, 2\), y \(3, 5\).*do not broadcast",
        ),
        (
            lambda: cl.fit_surrogate(np.ones((5, 2)), np.ones(5), np.zeros(5)),
            r"weights of a fit sum to 0.*larger kernel_width",
        ),
        (
            lambda: cl.fit_surrogate(np.ones((5, 2)), np.ones(5), np.ones(5), alpha=-1),
            r"alpha is the ridge penalty and must be >= 0",
        ),
        (lambda: cl.fit_surrogate(np.ones((5, 2)), np.ones(5), np.ones(5), alpha=0.0), r"singular.*use alpha > 0"),
    ],
)
def test_core_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


_X = np.random.default_rng(0).normal(size=(50, 3))


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: cl.lime_tabular(lambda X: X[:, 0], _X[0], _X),
            r"expected a batch of shape \(n, 3\); got \(3,\)\. Pass x\[None\]",
        ),
        (
            lambda: cl.lime_tabular(lambda X: X[:, 0], _X[:2, :2], _X),
            r"expected a batch of shape \(n, 3\); got \(2, 2\)",
        ),
        (
            lambda: cl.lime_tabular(lambda X: X[:, 0], _X[:2, :1], _X[:, 0]),
            r"training_data must be a table.*training_data\[:, None\]",
        ),
        (
            lambda: cl.lime_tabular(lambda X: X[:, 0], _X[:2], _X[None]),
            r"training_data must be a table of shape \(N, d\); got \(1, 50, 3\)",
        ),
        (
            lambda: cl.lime_tabular(lambda X: X[:, 0], _X[:2], _X, n_samples=1),
            r"n_samples should be an integer of at least 2; got 1",
        ),
        (
            lambda: cl.lime_tabular(lambda X: X[:, 0], _X[:2], _X, n_samples=10.0),
            r"n_samples should be an integer of at least 2; got 10\.0",
        ),
        (
            lambda: cl.lime_tabular(lambda X: X[:, 0], _X[:2], _X, batch_size=0),
            r"batch_size is the number of rows per call of predict_fn, an int >= 1",
        ),
        (
            lambda: cl.lime_tabular(lambda X: X[:, 0], _X[:2], _X, kernel_width=-1),
            r"kernel_width should be a positive number",
        ),
        (
            lambda: cl.lime_tabular(lambda X: X[:, 0], _X[:2], _X, target=1),
            r"one output per example.*leave target=None",
        ),
        (
            lambda: cl.lime_tabular(lambda X: np.ones((len(X), 2)), _X[:2], _X, target=2),
            r"target classes must be in 0\.\.1",
        ),
        (lambda: cl.lime_tabular(lambda X: X[:1, 0], _X[:2], _X), r"predict_fn returned shape \(1,\) for 2 examples"),
        (
            lambda: cl.lime_tabular(lambda X: X[:1000, 0], _X[:1], _X, n_samples=2000),
            r"predict_fn returned shape \(1000,\) for 1024 inputs",
        ),
    ],
)
def test_tabular_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


_IMAGES = np.zeros((2, 28, 28))
_MEAN = lambda x: x.reshape(len(x), -1).mean(axis=1)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: cl.lime_image(_MEAN, _IMAGES[0]),
            r"images must have shape \(n, h, w\).*got \(28, 28\)\. Pass images\[None\]",
        ),
        (
            lambda: cl.lime_image(_MEAN, np.zeros((2, 784))),
            r"images must have shape \(n, h, w\) or \(n, h, w, channels\); got \(2, 784\)",
        ),
        (
            lambda: cl.lime_image(_MEAN, _IMAGES, segments=np.zeros((28, 28))),
            r"segments must hold integer superpixel labels.*astype\(int\)",
        ),
        (
            lambda: cl.lime_image(_MEAN, _IMAGES, segments=np.zeros((14, 14), dtype=int)),
            r"segments must have the shape of one image \(28, 28\)",
        ),
        (lambda: cl.lime_image(_MEAN, _IMAGES, segments=0), r"patch should be a positive integer; got 0"),
        (lambda: cl.lime_image(_MEAN, _IMAGES, n_samples=1), r"n_samples should be an integer of at least 2"),
        (lambda: cl.lime_image(_MEAN, _IMAGES, kernel_width=0), r"kernel_width should be a positive number"),
        (lambda: cl.grid_segments((28, 28, 1)), r"shape must be \(height, width\) of one image"),
        (lambda: cl.top_k_jaccard([1.0, 2.0], [1.0, 2.0, 3.0], k=1), r"same number of features; got 2 and 3"),
        (lambda: cl.top_k_jaccard([1.0, 2.0], [1.0, 2.0], k=3), r"k=3 is more than the 2 features"),
        (lambda: cl.top_k_jaccard([1.0, 2.0], [1.0, 2.0], k=0), r"k should be a positive integer"),
        (lambda: cl.seed_stability([[1.0, 2.0]], k=1), r"at least 2, got 1"),
        (
            lambda: cl.local_surrogate_1d(lambda x: x[:3], 0.0, kernel_width=1.0),
            r"f must map an array of 200 numbers to 200 outputs",
        ),
        (lambda: cl.local_surrogate_1d(np.sin, 0.0, kernel_width=1.0, scale=0), r"scale should be a positive number"),
        (
            lambda: attribution_plots.plot_segments(np.zeros((1, 28, 28)), cl.grid_segments()),
            r"both have shape \(h, w\).*x\[i\]",
        ),
    ],
)
def test_image_and_stability_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
