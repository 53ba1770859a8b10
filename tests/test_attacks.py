"""course_utils.attacks against independent references: scikit-learn's AUC, set arithmetic, the Shapley kernel, TF."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from course_utils import attacks, lime, shapley


# --------------------------------------------------------------------- Slack et al.: perturbations, detector, scaffold
def test_lime_perturbations_are_the_applicant_plus_noise_scaled_by_the_training_std():
    rng = np.random.default_rng(0)
    training = rng.normal(size=(400, 3)) * [1.0, 5.0, 0.0] + [0.0, 10.0, 3.0]   # the last feature never varies
    x = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 3.0]])
    rows = attacks.lime_perturbations(x, training, n_copies=20_000, seed=1)
    assert rows.shape == (40_000, 3)
    first, second = rows[:20_000], rows[20_000:]                                # the copies of each row, in order
    std = np.where(training.std(axis=0) > 0, training.std(axis=0), 1.0)           # lime's rule: std 0 becomes 1
    for copies, row in [(first, x[0]), (second, x[1])]:
        assert copies.mean(axis=0) == pytest.approx(row, abs=0.05)
        assert copies.std(axis=0) == pytest.approx(std, rel=0.03)
    assert np.array_equal(rows, attacks.lime_perturbations(x, training, n_copies=20_000, seed=1))


def test_lime_perturbations_match_the_spread_of_lime_tabulars_sampler():
    # lime_tabular standardizes with the same std: its kernel width is 0.75 sqrt(d) standardized units
    rng = np.random.default_rng(2)
    training = rng.normal(size=(300, 4)) * [1.0, 2.0, 3.0, 4.0]
    rows = attacks.lime_perturbations(training[:1], training, n_copies=5000, seed=0)
    explanation = lime.lime_tabular(lambda X: X @ [1.0, 0, 0, 0], training[:1], training, n_samples=5000, seed=0)
    assert explanation.extras["std"] == pytest.approx(training.std(axis=0))
    assert rows.std(axis=0) == pytest.approx(explanation.extras["std"], rel=0.05)


def test_shap_perturbations_mix_the_row_with_one_background_row_and_follow_the_shapley_kernel():
    d = 5
    x = np.full((1, d), 100.0)
    background = np.arange(30 * d, dtype=float).reshape(30, d) + 1000.0          # every value distinct, none equal to x
    rows = attacks.shap_perturbations(x, background, n_copies=20_000, seed=0)
    kept = rows == 100.0                                                          # (N, d) features taken from x
    for row, mask in zip(rows[:500], kept[:500]):
        donors = background[np.all((background == row) | mask, axis=1)]
        assert len(donors) == 1  # the rest comes from ONE background row
    sizes = kept.sum(axis=1)
    assert sizes.min() >= 1 and sizes.max() <= d - 1  # never the empty or the full coalition
    s = np.arange(1, d)
    kernel = 1.0 / (s * (d - s))  # C(d, s) * Shapley kernel weight ∝ 1 / (s (d - s))
    observed = np.array([np.mean(sizes == k) for k in s])
    assert observed == pytest.approx(kernel / kernel.sum(), abs=0.01)


def test_detector_tells_real_rows_from_lime_rows_on_the_credit_data():
    rng = np.random.default_rng(0)
    real = np.column_stack([rng.integers(0, 5, 600), rng.normal(size=600)])      # an integer count and a measurement
    fake = attacks.lime_perturbations(real, real, seed=1)                         # fractional counts
    detector = attacks.train_detector(real[:400], fake[:400], n_estimators=30)
    assert detector.classes_.tolist() == [0.0, 1.0]
    accuracy = np.mean(np.r_[detector.predict(real[400:]), 1 - detector.predict(fake[400:])])
    assert accuracy > 0.9


def test_scaffold_routes_each_row_by_the_detector():
    class Detector:  # deems real every row whose first feature is positive
        def predict_proba(self, X):
            p = (np.asarray(X)[:, 0] > 0).astype(float)
            return np.column_stack([1 - p, p])

    scaffold = attacks.Scaffold(biased=lambda X: np.full(len(X), 7.0), innocuous=lambda X: np.full(len(X), -1.0),
                                detector=Detector())
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [2.0, 5.0]])
    assert scaffold(X).tolist() == [7.0, -1.0, 7.0]
    assert scaffold.p_real(X).tolist() == [1.0, 0.0, 1.0]
    assert attacks.scaffold_predict([1, 1], [0, 0], [0.5, 0.49], threshold=0.5).tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="must have the same shape"):
        attacks.scaffold_predict([1, 1], [0, 0, 0], [0.5, 0.5])
    with pytest.raises(ValueError, match=r"Pass X\[None\]"):
        scaffold(np.array([1.0, 0.0]))


def test_a_scaffold_fools_lime_but_not_kernelshap_on_a_toy_problem():
    # the paper's point in a few lines: the LIME detector sees through LIME's rows, not through SHAP's
    rng = np.random.default_rng(0)
    real = np.column_stack([rng.integers(20, 70, 500), rng.integers(0, 4, 500), rng.normal(size=500)]).astype(float)
    biased, innocuous = (lambda X: (X[:, 0] < 30).astype(float)), (lambda X: (X[:, 2] < 0).astype(float))
    detector = attacks.train_detector(real, attacks.lime_perturbations(real, real, seed=1), n_estimators=50)
    scaffold = attacks.Scaffold(biased, innocuous, detector)
    x, background = real[:20], real[rng.choice(500, 10, replace=False)]
    lime_values = lime.lime_tabular(scaffold, x, real, n_samples=500).values
    shap_values = shapley.kernel_shap(scaffold, x, background).values
    assert attacks.top_feature_rate(lime_values, 0) < 0.3 < attacks.top_feature_rate(shap_values, 0)
    assert np.mean(scaffold(real) == biased(real)) > 0.95


def test_top_feature_rate_counts_the_largest_absolute_value_and_checks_the_feature():
    values = np.array([[0.1, -3.0, 2.0], [5.0, 0.0, 1.0], [0.0, 0.0, -0.5], [1.0, 1.0, 0.0]])
    assert attacks.top_feature_rate(values, 1) == 0.25
    assert attacks.top_feature_rate(values, 2) == 0.25  # [1, 1, 0]: the tie goes to feature 0
    assert attacks.top_feature_rate(values, 0) == 0.5
    with pytest.raises(ValueError, match="column index in 0..2"):
        attacks.top_feature_rate(values, 3)
    with pytest.raises(ValueError, match="table of shape"):
        attacks.top_feature_rate(values[0], 0)


def test_perturbation_inputs_are_checked():
    with pytest.raises(ValueError, match="has 2 columns; expected 3"):
        attacks.lime_perturbations(np.ones((1, 2)), np.ones((5, 3)))
    with pytest.raises(ValueError, match=r"Pass X\[None\] for one row"):
        attacks.shap_perturbations(np.ones(3), np.ones((5, 3)))
    with pytest.raises(ValueError, match="n_copies is the number of perturbed copies"):
        attacks.lime_perturbations(np.ones((1, 3)), np.ones((5, 3)), n_copies=0)


# --------------------------------------------------------------------------- Shokri et al.: AUC and the variance signal
@pytest.mark.parametrize("seed", range(5))
def test_pairwise_auc_is_sklearns_roc_auc_with_ties(seed):
    rng = np.random.default_rng(seed)
    members = rng.integers(0, 6, size=rng.integers(1, 40)).astype(float)         # integer scores: many ties
    nonmembers = rng.integers(0, 5, size=rng.integers(1, 40)).astype(float)
    labels = np.r_[np.ones(len(members)), np.zeros(len(nonmembers))]
    if len(set(labels)) == 2:
        reference = roc_auc_score(labels, np.r_[members, nonmembers])
        assert attacks.pairwise_auc(members, nonmembers) == pytest.approx(reference, abs=1e-12)


def test_pairwise_auc_extremes_and_errors():
    assert attacks.pairwise_auc([2.0, 3.0], [0.0, 1.0]) == 1.0
    assert attacks.pairwise_auc([0.0], [1.0, 2.0]) == 0.0
    assert attacks.pairwise_auc([1.0, 1.0], [1.0]) == 0.5
    with pytest.raises(ValueError, match="one score per example"):
        attacks.pairwise_auc([[1.0]], [1.0])
    with pytest.raises(ValueError, match="NaN or infinite"):
        attacks.pairwise_auc([np.nan], [1.0])


def test_explanation_variance_is_the_variance_over_each_examples_features():
    values = np.random.default_rng(0).normal(size=(4, 3, 5))
    assert attacks.explanation_variance(values) == pytest.approx([np.var(v) for v in values])
    with pytest.raises(ValueError, match=r"Pass values\[None\]"):
        attacks.explanation_variance(np.ones(3))


# --------------------------------------------------------------------- Ghorbani et al.: top-k intersection, the attack
def _by_sets(a, b, k):
    out = []
    for x, y in zip(a.reshape(len(a), -1), b.reshape(len(b), -1)):
        top_x = set(np.argsort(-np.abs(x))[:k].tolist())
        top_y = set(np.argsort(-np.abs(y))[:k].tolist())
        out.append(len(top_x & top_y) / k)
    return np.array(out)


@pytest.mark.parametrize("k", [1, 3, 10, 35])
def test_top_k_intersection_is_the_share_of_shared_indices(k):
    rng = np.random.default_rng(k)
    a = rng.normal(size=(6, 5, 7))
    b = a + rng.normal(scale=0.7, size=a.shape)
    assert attacks.top_k_intersection(a, b, k=k) == pytest.approx(_by_sets(a, b, k))
    assert np.all(attacks.top_k_intersection(a, -a, k=k) == 1.0)                 # only |values| count


def test_top_k_intersection_relates_to_lime_top_k_jaccard():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(1, 20)), rng.normal(size=(1, 20))
    shared = attacks.top_k_intersection(a, b, k=6)[0] * 6
    assert lime.top_k_jaccard(a[0], b[0], k=6) == pytest.approx(shared / (12 - shared))


def test_top_k_intersection_errors():
    with pytest.raises(ValueError, match="same shape"):
        attacks.top_k_intersection(np.ones((2, 3)), np.ones((2, 4)), k=1)
    with pytest.raises(ValueError, match="k=5 is more than the 4 features"):
        attacks.top_k_intersection(np.ones((2, 4)), np.ones((2, 4)), k=5)
    with pytest.raises(ValueError, match=r"Pass a\[None\], b\[None\]"):
        attacks.top_k_intersection(np.ones(4), np.ones(4), k=1)
    with pytest.raises(ValueError, match="k should be a positive integer"):
        attacks.top_k_intersection(np.ones((1, 4)), np.ones((1, 4)), k=0)


def test_random_sign_perturbation_moves_every_pixel_by_epsilon_within_bounds():
    x = np.random.default_rng(0).uniform(0.2, 0.8, size=(3, 10, 10)).astype(np.float32)
    noisy = attacks.random_sign_perturbation(x, epsilon=0.1, seed=4)
    assert np.abs(noisy - x) == pytest.approx(np.full(x.shape, 0.1), abs=1e-6)
    signs = np.sign(noisy - x)
    assert 0.4 < np.mean(signs > 0) < 0.6
    clipped = attacks.random_sign_perturbation(np.zeros((1, 50)), epsilon=0.3, seed=0)
    assert clipped.min() == 0.0 and clipped.max() == pytest.approx(0.3)
    with pytest.raises(ValueError, match="epsilon should be the largest change of one pixel"):
        attacks.random_sign_perturbation(x, epsilon=0)


@pytest.fixture(scope="module")
def mlp_logits():
    from course_utils.models import load_pretrained, logits_model

    return logits_model(load_pretrained("mlp"))


@pytest.fixture(scope="module")
def digits():
    from course_utils.datasets import load_mnist

    return load_mnist()[1][0][:8]


def test_softplus_surrogate_approaches_the_relu_network_and_has_a_second_derivative(mlp_logits, digits):
    import tensorflow as tf

    sharp = attacks.softplus_surrogate(mlp_logits, beta=200.0)
    assert np.abs(np.asarray(sharp(digits)) - np.asarray(mlp_logits(digits))).max() < 0.05
    smooth = attacks.softplus_surrogate(mlp_logits, beta=5.0)
    assert np.all(np.asarray(smooth(digits)).argmax(1) == np.asarray(mlp_logits(digits)).argmax(1))
    before = np.asarray(mlp_logits(digits))
    attacks.softplus_surrogate(mlp_logits, beta=1.0)
    assert np.array_equal(np.asarray(mlp_logits(digits)), before)                 # the original keeps its ReLUs

    def curvature(model):
        x = tf.constant(digits[:2])
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                score = tf.reduce_sum(model(x)[:, 3])
            mass = tf.reduce_sum(tf.abs(inner.gradient(score, x)))
        g = outer.gradient(mass, x)
        return 0.0 if g is None else float(tf.reduce_max(tf.abs(g)))

    assert curvature(mlp_logits) == 0.0                                            # piecewise-constant gradient
    assert curvature(smooth) > 0.0
    with pytest.raises(TypeError, match="expects a keras.Model"):
        attacks.softplus_surrogate(lambda x: x)


def test_top_k_attack_stays_in_budget_keeps_labels_and_beats_random_noise(mlp_logits, digits):
    from course_utils.gradients import saliency

    result = attacks.top_k_attack(mlp_logits, digits, k=40, epsilon=0.1, n_steps=10)
    assert result.x_adv.shape == digits.shape and result.history.shape == (11, len(digits))
    assert np.abs(result.x_adv - digits).max() <= 0.1 + 1e-6
    assert result.x_adv.min() >= 0.0 and result.x_adv.max() <= 1.0
    assert np.all(np.asarray(mlp_logits(result.x_adv)).argmax(1) == result.target)
    recomputed = np.abs(saliency(mlp_logits, result.x_adv, target=result.target).values)
    assert attacks.top_k_intersection(result.saliency, recomputed, k=40) == pytest.approx(result.intersection, abs=1e-6)
    assert np.all(result.intersection == result.history.min(axis=0))
    noisy = attacks.random_sign_perturbation(digits, epsilon=0.1, seed=0)
    noisy_saliency = np.abs(saliency(mlp_logits, noisy, target=result.target).values)
    assert result.intersection.mean() < attacks.top_k_intersection(result.saliency, noisy_saliency, k=40).mean()


def test_top_k_attack_errors(mlp_logits, digits):
    with pytest.raises(ValueError, match=r"Pass x\[None\]"):
        attacks.top_k_attack(mlp_logits, digits[0], k=10, epsilon=0.1)
    with pytest.raises(ValueError, match="epsilon should be the largest change"):
        attacks.top_k_attack(mlp_logits, digits, k=10, epsilon=-1)
