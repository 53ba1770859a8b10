"""course_utils.metrics against independent references: hand computations, shap.benchmark, hand cases."""

import numpy as np
import pandas as pd
import pytest
import shap
import shap.benchmark
import sklearn.metrics

from course_utils import metrics
from course_utils.explanation import Attribution


# --------------------------------------------------------------------------- deletion and insertion
def _linear_problem():
    w = np.array([2.0, -1.0, 0.5, 3.0, -0.25])  # (5,)
    b = 0.7
    x = np.array([[1.0, 2.0, -1.0, 0.5, 4.0], [0.3, -0.6, 2.0, -1.0, 1.0]])  # (2, 5)
    return w, b, x


def test_deletion_curve_of_a_linear_model_equals_the_hand_computation():
    w, b, x = _linear_problem()
    contributions = w * x  # (2, 5): each feature's share of f(x) - f(0)
    fractions, scores = metrics.deletion_curve(lambda X: X @ w + b, x, contributions, n_steps=5)
    assert np.allclose(fractions, np.arange(6) / 5)
    for i in range(2):
        order = np.argsort(-contributions[i])  # remove the largest contribution first
        remaining = [contributions[i].sum() - contributions[i][order[:s]].sum() for s in range(6)]
        assert np.allclose(scores[i], b + np.array(remaining))
    assert np.allclose(scores[:, 0], x @ w + b) and np.allclose(scores[:, -1], b)


def test_insertion_curve_of_a_linear_model_with_a_fill_vector():
    w, b, x = _linear_problem()
    fill = np.array([0.5, 0.5, 0.0, -1.0, 1.0])  # one example's shape: e.g. a training mean
    attribution = w * (x - fill)
    _, scores = metrics.insertion_curve(lambda X: X @ w + b, x, attribution, n_steps=5, fill=fill)
    for i in range(2):
        order = np.argsort(-attribution[i])
        expected = [b + fill @ w + attribution[i][order[:s]].sum() for s in range(6)]
        assert np.allclose(scores[i], expected)
    assert np.allclose(scores[:, 0], fill @ w + b) and np.allclose(scores[:, -1], x @ w + b)


def test_counts_round_down_when_the_steps_do_not_divide_the_features():
    w, b, x = _linear_problem()  # d = 5, n_steps = 3 -> 0, 1, 3, 5 features removed
    fractions, scores = metrics.deletion_curve(lambda X: X @ w, x[:1], w * x[:1], n_steps=3)
    assert np.allclose(fractions, [0, 1 / 5, 3 / 5, 1])
    order = np.argsort(-(w * x[0]))
    assert np.allclose(scores[0], [(w * x[0])[order[k:]].sum() for k in (0, 1, 3, 5)])


def test_images_and_a_fill_per_example():
    rng = np.random.default_rng(0)
    x = rng.random((3, 4, 4))  # (n, h, w)
    fill = rng.random((3, 4, 4))  # e.g. a blurred copy of each image
    weights = rng.normal(size=(4, 4))
    f = lambda X: (X * weights).sum(axis=(1, 2))
    attribution = weights * (x - fill)
    _, scores = metrics.deletion_curve(f, x, attribution, n_steps=16, fill=fill)
    assert np.allclose(scores[:, 0], f(x)) and np.allclose(scores[:, -1], f(fill))
    steps = -np.sort(attribution.reshape(3, -1), axis=1)[:, ::-1]  # one pixel per step, the largest term first
    assert np.allclose(np.diff(scores, axis=1), steps)


def test_ties_are_removed_in_the_features_own_order():
    x = np.array([[1.0, 2.0, 3.0, 4.0]])
    _, scores = metrics.deletion_curve(lambda X: X @ [1.0, 10.0, 100.0, 1000.0], x, np.zeros((1, 4)), n_steps=4)
    assert np.allclose(scores[0], [4321, 4320, 4300, 4000, 0])


def test_the_target_is_fixed_at_x():
    # Two outputs: class 0 wins at x, class 1 once the first feature is gone.
    f = lambda X: np.stack([X[:, 0] * 3.0, X[:, 1]], axis=1)
    x = np.array([[1.0, 2.0]])
    _, scores = metrics.deletion_curve(f, x, np.array([[1.0, 0.5]]), n_steps=2)
    assert np.allclose(scores, [[3.0, 0.0, 0.0]])  # class 0 all along, although class 1 wins later
    _, scores = metrics.deletion_curve(f, x, np.array([[1.0, 0.5]]), n_steps=2, target=1)
    assert np.allclose(scores, [[2.0, 2.0, 0.0]])


def test_calls_are_batched():
    sizes = []

    def f(X):
        sizes.append(len(X))
        return X.sum(axis=1)

    x = np.random.default_rng(1).random((7, 10))
    metrics.deletion_curve(f, x, x, n_steps=10, batch_size=16)
    assert max(sizes) <= 16 and sum(sizes) == 7 + 7 * 11  # x once for the target, then every step


def test_an_attribution_object_is_accepted_and_must_explain_x():
    w, b, x = _linear_problem()
    attribution = Attribution(values=w * x, base_values=b, outputs=x @ w + b, data=x, target=None)
    by_array = metrics.deletion_curve(lambda X: X @ w + b, x, w * x, n_steps=5)[1]
    assert np.allclose(metrics.deletion_curve(lambda X: X @ w + b, x, attribution, n_steps=5)[1], by_array)
    with pytest.raises(ValueError, match="explains other inputs than x"):
        metrics.deletion_curve(lambda X: X @ w + b, x[::-1], attribution, n_steps=5)


def test_curve_errors_say_how_to_fix_the_call():
    w, b, x = _linear_problem()
    f = lambda X: X @ w
    with pytest.raises(ValueError, match=r"attribution has shape \(5,\) but x has shape \(2, 5\)"):
        metrics.deletion_curve(f, x, w, n_steps=5)
    with pytest.raises(ValueError, match=r"Pass x\[None\] for one example"):
        metrics.deletion_curve(f, x[0], w * x[0], n_steps=5)
    with pytest.raises(ValueError, match="n_steps=6 is more than the 5 features"):
        metrics.insertion_curve(f, x, w * x, n_steps=6)
    with pytest.raises(ValueError, match="n_steps is the number of steps of the curve"):
        metrics.deletion_curve(f, x, w * x, n_steps=0)
    with pytest.raises(ValueError, match=r"fill has shape \(3,\) but x has shape \(2, 5\)"):
        metrics.deletion_curve(f, x, w * x, n_steps=5, fill=np.zeros(3))
    with pytest.raises(ValueError, match="NaN or infinite"):
        metrics.deletion_curve(f, x, np.full((2, 5), np.nan), n_steps=5)
    with pytest.raises(TypeError, match="should be an Attribution or an array of numbers"):
        metrics.deletion_curve(f, x, "saliency", n_steps=5)


# --------------------------------------------------------------------------- against shap.benchmark
@pytest.fixture(scope="module")
def credit():
    from course_utils.tabular import credit_model

    model = credit_model()
    X = model.X_test.iloc[:12].to_numpy()
    fill = model.X_train.to_numpy().mean(axis=0)  # removed features take the average applicant's value
    rng = np.random.default_rng(3)
    attribution = rng.normal(size=X.shape)  # any ranking will do; both libraries get the same one
    return model, X, fill, attribution


@pytest.mark.parametrize("ours, mask_type", [(metrics.deletion_curve, "remove"), (metrics.insertion_curve, "keep")])
def test_curves_and_areas_equal_shap_sequential_masker(credit, ours, mask_type):
    """shap's SequentialMasker removes (or keeps) features in the order of argsort(-attribution), one per step
    for percent < 2/9, with masked features taken from its masker's background (here the one row `fill`).
    It removes only features with a positive attribution, so both get the same all-positive ranking."""
    model, X, fill, attribution = credit
    d = X.shape[1]
    ranking = d - np.argsort(np.argsort(-attribution, axis=1, kind="stable"), axis=1)  # (n, d): d for the first, 1 for the last
    masker = shap.maskers.Independent(fill[None], max_samples=1)
    sequential = shap.benchmark.SequentialMasker(mask_type, "positive", masker, model.log_odds, X)
    _, their_curves, their_aucs = sequential(ranking, "ranking", percent=0.12, debug_mode=True, silent=True)

    fractions, scores = ours(model.log_odds, X, attribution, n_steps=d, fill=fill)
    grid = np.linspace(0, 1, their_curves.shape[1])  # shap interpolates every curve to 100 points
    ours_on_grid = np.array([np.interp(grid, fractions, row) for row in scores])
    assert np.allclose(ours_on_grid, their_curves, rtol=1e-10, atol=1e-10)
    # shap's area is sklearn.metrics.auc of (curve - curve[0]) on [0, 1]: ours minus the start.
    assert np.allclose(metrics.auc(fractions, scores) - scores[:, 0], their_aucs, rtol=1e-10, atol=1e-10)


# --------------------------------------------------------------------------- auc
def test_auc_is_the_normalized_trapezoid():
    rng = np.random.default_rng(2)
    fractions = np.sort(rng.uniform(0.1, 0.9, size=7))
    scores = rng.normal(size=(3, 7))
    width = fractions[-1] - fractions[0]
    expected = [sklearn.metrics.auc(fractions, row) / width for row in scores]
    assert np.allclose(metrics.auc(fractions, scores), expected)
    assert np.allclose(metrics.auc([0.0, 0.3, 1.0], [[2.0, 2.0, 2.0]]), [2.0])  # a constant curve: its height


def test_auc_errors():
    with pytest.raises(ValueError, match="increasing"):
        metrics.auc([0.0, 0.5, 0.5], [[1.0, 1.0, 1.0]])
    with pytest.raises(ValueError, match=r"Pass scores\[None\] for a single curve"):
        metrics.auc([0.0, 1.0], [1.0, 0.0])
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        metrics.auc([0.0, 0.5, 1.0], np.ones((2, 4)))


# --------------------------------------------------------------------------- ground truth agreement
def _agreement(values, truth, k):
    return {name: v.tolist() for name, v in metrics.ground_truth_agreement(np.array(values), np.array(truth), k=k).items()}


def test_agreement_hand_cases():
    truth = [[3.0, -2.0, 1.0, 0.5, -0.1]]  # top 3 by |value|: 0 (+), 1 (-), 2 (+)
    assert _agreement([[3.0, -2.0, 1.0, 0.5, -0.1]], truth, 3) == {"feature_agreement": [1.0], "rank_agreement": [1.0], "sign_agreement": [1.0]}
    # the same three features, the first two in swapped order, the sign of feature 2 flipped
    assert _agreement([[2.0, -3.0, -1.0, 0.2, 0.0]], truth, 3) == {
        "feature_agreement": [1.0], "rank_agreement": [1 / 3], "sign_agreement": [2 / 3]}
    # feature 3 replaces feature 2 in the top 3; feature 0's sign is wrong
    assert _agreement([[-5.0, -4.0, 0.1, 3.0, 0.0]], truth, 3) == {
        "feature_agreement": [2 / 3], "rank_agreement": [2 / 3], "sign_agreement": [1 / 3]}
    # nothing in common
    assert _agreement([[0.0, 0.0, 0.0, 1.0, 2.0]], truth, 2) == {"feature_agreement": [0.0], "rank_agreement": [0.0], "sign_agreement": [0.0]}


def test_agreement_per_example_and_k_equal_d():
    rng = np.random.default_rng(4)
    truth = rng.normal(size=(6, 9))
    noisy = truth + rng.normal(scale=0.3, size=truth.shape)
    result = metrics.ground_truth_agreement(noisy, truth, k=9)
    assert np.allclose(result["feature_agreement"], 1.0)  # all features are in both top-9 sets
    assert np.allclose(result["sign_agreement"], (np.sign(noisy) == np.sign(truth)).mean(axis=1))
    assert result["rank_agreement"].shape == (6,)
    same = metrics.ground_truth_agreement(truth, truth, k=4)
    assert all(np.allclose(v, 1.0) for v in same.values())


def test_rank_agreement_needs_equal_dense_ranks_with_ties():
    """OpenXAI compares (feature, dense rank) pairs: a tie in the truth agrees only with the same tie."""
    truth = [[2.0, 2.0, 1.0]]  # dense ranks 1, 1, 2
    assert _agreement([[2.0, 1.5, 1.0]], truth, 2)["rank_agreement"] == [0.5]  # feature 1 has rank 2, not 1
    assert _agreement([[2.0, -2.0, 1.0]], truth, 2)["rank_agreement"] == [1.0]


def test_sign_zero_agrees_only_with_zero():
    assert _agreement([[1.0, 0.0]], [[1.0, 0.5]], 2)["sign_agreement"] == [0.5]
    assert _agreement([[1.0, 0.0, 3.0]], [[1.0, 0.0, 3.0]], 3)["sign_agreement"] == [1.0]


def test_agreement_takes_a_dataframe_of_true_contributions_and_an_attribution():
    truth = pd.DataFrame([[0.5, -1.0, 0.2]], columns=["a", "b", "c"])
    attribution = Attribution(values=[[0.4, -1.2, 0.0]], base_values=0.0, outputs=[0.0], data=[[9.0, 9.0, 9.0]], target=None)
    assert metrics.ground_truth_agreement(attribution, truth, k=2)["sign_agreement"].tolist() == [1.0]


def test_agreement_errors():
    with pytest.raises(ValueError, match="k=4 is more than the 3 features"):
        metrics.ground_truth_agreement(np.ones((1, 3)), np.ones((1, 3)), k=4)
    with pytest.raises(ValueError, match=r"values has shape \(1, 4\) but x has shape \(1, 3\)"):
        metrics.ground_truth_agreement(np.ones((1, 4)), np.ones((1, 3)), k=2)
    with pytest.raises(ValueError, match="k is the number of top features compared"):
        metrics.ground_truth_agreement(np.ones((1, 3)), np.ones((1, 3)), k=True)


# --------------------------------------------------------------------------- model randomization
@pytest.fixture(scope="module")
def mnist_mlp():
    import course_utils

    course_utils.setup(seed=0, quiet=True)
    from course_utils.datasets import load_mnist
    from course_utils.models import load_pretrained, logits_model

    _, (x, y) = load_mnist()
    picked = np.concatenate([np.flatnonzero(y == c)[:1] for c in range(10)])  # one digit of each class
    return logits_model(load_pretrained("mlp")), x[picked]


def test_randomizing_every_layer_destroys_the_gradient_but_not_the_input_control(mnist_mlp):
    from course_utils.gradients import saliency

    model, x = mnist_mlp
    before = np.asarray(model(x, training=False))
    ink = x > 0
    gradient = metrics.model_randomization_check(model, x, saliency, mask=ink)
    control = metrics.model_randomization_check(model, x, lambda model, x, target: np.abs(x), mask=ink)
    assert list(gradient.index) == ["logits", "hidden_2", "hidden_1"]  # from the top, layers with weights only
    assert np.allclose(control["rank_correlation"], 1.0) and np.allclose(control["rank_correlation_std"], 0.0)
    assert gradient["rank_correlation"].iloc[-1] < 0.3  # nothing of the trained model's map survives
    signed = metrics.model_randomization_check(model, x, saliency, mask=ink, absolute=False)
    assert abs(signed["rank_correlation"].iloc[-1]) < 0.15
    assert np.array_equal(np.asarray(model(x, training=False)), before)  # weights restored


def test_randomization_is_seeded_and_restores_the_weights_after_an_error(mnist_mlp):
    from course_utils.gradients import saliency

    model, x = mnist_mlp
    first = metrics.model_randomization_check(model, x[:3], saliency, seed=1)
    assert first.equals(metrics.model_randomization_check(model, x[:3], saliency, seed=1))
    before = np.asarray(model(x, training=False))
    calls = []

    def breaks_on_the_third_call(model, x, target):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("explainer broke")
        return saliency(model, x, target=target)

    with pytest.raises(RuntimeError, match="explainer broke"):
        metrics.model_randomization_check(model, x[:3], breaks_on_the_third_call)
    assert np.array_equal(np.asarray(model(x, training=False)), before)


def test_randomization_errors(mnist_mlp):
    model, x = mnist_mlp
    control = lambda model, x, target: np.abs(x)
    with pytest.raises(TypeError, match="explain_fn should be a function"):
        metrics.model_randomization_check(model, x, "saliency")
    with pytest.raises(TypeError, match=r"lambda model, x, target: saliency\(model, x, target=target\)"):
        metrics.model_randomization_check(model, x, lambda model, x: np.abs(x))
    with pytest.raises(ValueError, match="mask should be a boolean array"):
        metrics.model_randomization_check(model, x, control, mask=x)
    with pytest.raises(ValueError, match="fewer than 2 features"):
        metrics.model_randomization_check(model, x, control, mask=np.zeros(x.shape, bool))
    with pytest.raises(ValueError, match="returned values of shape"):
        metrics.model_randomization_check(model, x, lambda model, x, target: np.abs(x)[:, 0])


# --------------------------------------------------------------------------- max-sensitivity
def test_a_constant_explanation_has_sensitivity_zero():
    w = np.array([1.0, -2.0, 0.5])
    result = metrics.max_sensitivity(lambda x: np.broadcast_to(w, x.shape), np.ones((4, 3)), radius=0.5)
    assert np.array_equal(result, np.zeros(4))


def test_max_sensitivity_equals_the_largest_sampled_change():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(3, 5))
    explain = lambda z: z**2  # Φ(x + δ) − Φ(x) = 2xδ + δ²
    radius, n_samples = 0.1, 6
    draws = np.random.default_rng(42)
    deltas = [draws.uniform(-radius, radius, size=x.shape) for _ in range(n_samples)]  # the same draws, in order
    changes = np.array([np.linalg.norm(2 * x * d + d**2, axis=1) for d in deltas])  # (m, n)
    assert np.allclose(metrics.max_sensitivity(explain, x, radius=radius, n_samples=n_samples, seed=42, normalize=False), changes.max(axis=0))
    normalized = metrics.max_sensitivity(explain, x, radius=radius, n_samples=n_samples, seed=42)
    assert np.allclose(normalized, changes.max(axis=0) / np.linalg.norm(x**2, axis=1))


def test_the_identity_explanation_stays_within_the_ball():
    x = np.full((2, 4), 2.0)
    result = metrics.max_sensitivity(lambda z: z, x, radius=0.1, n_samples=200, normalize=False)
    assert np.all(result <= 0.1 * np.sqrt(4)) and np.all(result > 0.1)  # at most the ball's corner, ‖δ‖ ≤ r√d


def test_an_all_zero_explanation_is_not_divided_by_zero():
    result = metrics.max_sensitivity(lambda z: np.where(np.abs(z) > 0.05, z, 0.0), np.zeros((1, 3)), radius=0.1, n_samples=20)
    assert np.isfinite(result).all() and result[0] > 0


def test_max_sensitivity_errors():
    x = np.ones((2, 3))
    with pytest.raises(ValueError, match="radius should be the half-width of the perturbation"):
        metrics.max_sensitivity(lambda z: z, x, radius=0)
    with pytest.raises(ValueError, match="n_samples is the number of perturbed copies"):
        metrics.max_sensitivity(lambda z: z, x, radius=0.1, n_samples=True)
    with pytest.raises(ValueError, match="returned values of shape"):
        metrics.max_sensitivity(lambda z: z[:, :2], x, radius=0.1)
    with pytest.raises(TypeError, match="explain_fn should be a function of a batch"):
        metrics.max_sensitivity(None, x, radius=0.1)
    with pytest.raises(ValueError, match=r"Pass x\[None\] for one example"):
        metrics.max_sensitivity(lambda z: z, np.ones(3), radius=0.1)


# --------------------------------------------------------------------------- ROAR's shipped models (notebook 10)
def test_roar_models_reach_the_accuracies_their_datasheet_states():
    """The retrained MLPs of datasets/models/train_roar.py, on test digits modified by the script's own
    remove_top and rankings: the accuracies and checksums of the datasheet's table."""
    import importlib.util

    from course_utils.datasets import load_mnist, sha256, verified_path
    from course_utils.models import build
    from course_utils.notebooks import ROOT

    spec = importlib.util.spec_from_file_location("train_roar", ROOT / "datasets" / "models" / "train_roar.py")
    roar = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(roar)
    (x_train, _), (x_test, y_test) = load_mnist()
    rankings = roar.rankings(x_test, seed=roar.SEED + 1)
    sheet = (ROOT / "datasets" / "models" / "README.md").read_text(encoding="utf-8")
    for ranking in roar.RANKINGS:
        path = verified_path(roar.weight_file(ranking))  # checks SHA256SUMS
        model = build("mlp")
        model.load_weights(path)
        modified = roar.remove_top(x_test, rankings[ranking], roar.FRACTION, float(x_train.mean()))
        accuracy = np.mean(model.predict(modified, verbose=0).argmax(axis=1) == y_test)
        row = next(line for line in sheet.splitlines() if line.startswith(f"| `roar_{ranking}.weights.h5`"))
        assert f"{accuracy:.3f}" in row and sha256(path) in row, row


def test_remove_top_breaks_ties_at_random_and_removes_the_highest_first():
    import importlib.util

    from course_utils.notebooks import ROOT

    spec = importlib.util.spec_from_file_location("train_roar", ROOT / "datasets" / "models" / "train_roar.py")
    roar = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(roar)
    images = np.ones((2, 4, 4))
    ranking = np.zeros((2, 4, 4))
    ranking[:, 0, 0], ranking[:, 3, 3] = 2.0, 1.0  # two ranked pixels, the rest tied
    removed = roar.remove_top(images, ranking, 0.5, 0.0) == 0.0  # (2, 4, 4): 8 of 16 pixels each
    assert removed.reshape(2, -1).sum(axis=1).tolist() == [8, 8]
    assert removed[:, 0, 0].all() and removed[:, 3, 3].all()
    by_position = np.zeros((4, 4), bool).reshape(-1)
    by_position[[0, 15, 1, 2, 3, 4, 5, 6]] = True  # what a stable sort would take: the tied pixels in reading order
    assert not any(np.array_equal(r.reshape(-1), by_position) for r in removed)
    assert not np.array_equal(removed[0], removed[1])  # the coin differs between images
