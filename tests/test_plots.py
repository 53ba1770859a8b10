"""course_utils.plots: decision regions and weight images draw what they should, never show."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import QuadMesh  # noqa: E402

from course_utils.plots import OKABE_ITO, plot_decision_boundary, plot_weight_images  # noqa: E402


def _toy():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(40, 2))  # (40, 2)
    y = np.where(X[:, 0] + X[:, 1] > 0.2, 1, -1)
    return X, y


def _mesh(ax):
    meshes = [c for c in ax.collections if isinstance(c, QuadMesh)]
    assert len(meshes) == 1
    return meshes[0]


# --------------------------------------------------------------------------- decision boundary
def test_labels_regions_match_the_classifier_on_the_grid():
    X, y = _toy()
    fig, ax = plt.subplots()
    out = plot_decision_boundary(lambda Z: np.where(Z[:, 0] > 0.3, 1, -1), X, y, ax=ax, resolution=41, padding=0.0,
                                 title="t", feature_names=("a", "b"))
    assert out is ax
    assert ax.get_title() == "t" and ax.get_xlabel() == "a" and ax.get_ylabel() == "b"
    regions = np.asarray(_mesh(ax).get_array()).reshape(41, 41)
    xs = np.linspace(X[:, 0].min(), X[:, 0].max(), 41)
    # classes sorted (-1, +1) -> region index 0, 1; the rule depends on the column's x only
    np.testing.assert_array_equal(regions, np.broadcast_to((xs > 0.3).astype(int), (41, 41)))
    # the limits are the data range plus the padding
    assert ax.get_xlim() == pytest.approx((X[:, 0].min(), X[:, 0].max()))


def test_scores_draw_the_zero_contour_where_the_score_is_zero():
    X, y = _toy()
    ax = plot_decision_boundary(lambda Z: Z[:, 0] + Z[:, 1] - 0.2, X, y, resolution=60)
    # the shading is the sign of the score
    mesh = np.asarray(_mesh(ax).get_array()).reshape(60, 60)
    assert set(np.unique(mesh)) == {0.0, 1.0}
    lines = [c for c in ax.collections if hasattr(c, "levels") and list(c.levels) == [0.0]]
    assert len(lines) == 1
    vertices = np.concatenate([p.vertices for p in lines[0].get_paths()])
    np.testing.assert_allclose(vertices.sum(axis=1), 0.2, atol=1e-9)  # on the line x1 + x2 = 0.2


def test_points_are_scattered_by_class_with_okabe_ito_colours():
    X, y = _toy()
    ax = plot_decision_boundary(lambda Z: np.ones(len(Z)), X, y, resolution=10)
    scatters = [c for c in ax.collections if c.get_offsets().shape[0] > 0 and not isinstance(c, QuadMesh)]
    assert sum(len(s.get_offsets()) for s in scatters) == len(X)
    colours = {tuple(s.get_facecolor()[0][:3]) for s in scatters}
    palette = {tuple(matplotlib.colors.to_rgb(c)) for c in OKABE_ITO}
    assert colours <= palette
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["class -1", "class +1"]


def test_string_labels_and_three_classes():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    y = np.array(["a", "b", "c"])[rng.integers(0, 3, 30)]
    predict = lambda Z: np.array(["a", "b", "c"])[(Z[:, 0] > 0).astype(int) + (Z[:, 1] > 0).astype(int)]  # noqa: E731
    ax = plot_decision_boundary(predict, X, y, resolution=20)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class a", "class b", "class c"]


def test_column_vector_output_is_accepted():
    X, y = _toy()
    plot_decision_boundary(lambda Z: (Z[:, :1] > 0).astype(int), X, (y > 0).astype(int), resolution=10)


@pytest.mark.parametrize(
    "X, y, kwargs, message",
    [
        (
            np.zeros((150, 4)),
            np.zeros(150),
            {},
            r"plot_decision_boundary draws 2 features; X has shape \(150, 4\)\. Select two columns, e\.g\. "
            r"X\[:, :2\]\.",
        ),
        (np.zeros(5), np.zeros(5), {}, r"X has shape \(5,\)\. Pass a batch"),
        (np.zeros((5, 2)), np.zeros(4), {}, r"one label per row of X, shape \(5,\); got shape \(4,\)"),
        (np.zeros((5, 2)), np.zeros((5, 1)), {}, r"Flatten it with y\.ravel\(\)"),
        (np.zeros((5, 2)), np.zeros(5), {"resolution": 1}, r"resolution is the number of grid points"),
        (np.zeros((5, 2)), np.zeros(5), {"padding": -1}, r"padding is a margin in feature units"),
        (np.zeros((5, 2)), np.zeros(5), {"feature_names": "ab"}, r"feature_names should be two names"),
    ],
)
def test_decision_boundary_errors(X, y, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_decision_boundary(lambda Z: np.zeros(len(Z)), X, y, **kwargs)


def test_decision_boundary_predict_fn_errors():
    X, y = _toy()
    with pytest.raises(ValueError, match=r"predict_fn should be a function .* Pass e\.g\. clf\.predict"):
        plot_decision_boundary(np.zeros(3), X, y)
    with pytest.raises(ValueError, match=r"returned shape \(100, 3\)\. For several classes pass the predicted class"):
        plot_decision_boundary(lambda Z: np.zeros((len(Z), 3)), X, y, resolution=10)


# --------------------------------------------------------------------------- weight images
def test_weight_images_show_each_row_on_a_symmetric_diverging_scale():
    W = np.random.default_rng(0).normal(size=(7, 12))
    W[3, 5] = -4.0  # the largest magnitude sets the symmetric scale
    axes = plot_weight_images(W, image_shape=(3, 4), titles=[f"w{i}" for i in range(7)], ncols=3)
    assert axes.shape == (7,)
    fig = axes[0].figure
    for i, ax in enumerate(axes):
        image = ax.get_images()[0]
        np.testing.assert_array_equal(image.get_array(), W[i].reshape(3, 4))
        assert image.get_clim() == (-4.0, 4.0)
        assert image.get_cmap().name == "RdBu_r"
        assert ax.get_title() == f"w{i}"
    # 3 × 3 grid: two spare axes switched off, plus one colour bar
    assert len(fig.axes) == 9 + 1
    assert sum(not ax.axison for ax in fig.axes[:9]) == 2
    assert fig.axes[-1].get_ylabel().startswith("weight")


def test_weight_images_on_given_axes_and_single_vector():
    fig, grid = plt.subplots(2, 2)
    axes = plot_weight_images(np.arange(64.0) - 32, axes=grid)
    assert axes.shape == (1,) and axes[0] is grid[0, 0]
    assert not grid[1, 1].axison


@pytest.mark.parametrize(
    "W, kwargs, message",
    [
        (
            np.zeros((64, 10)),
            {},
            r"draws rows of 8×8 = 64 weights; W has shape \(64, 10\)\. Each row should be one weight vector: "
            r"transpose it, W\.T\.",
        ),
        (
            np.zeros((10, 784)),
            {},
            r"W has shape \(10, 784\)\. Pass one weight vector of 64 values per row, or set image_shape",
        ),
        (np.zeros((2, 64)), {"titles": ["a"]}, r"titles should have one entry per weight vector \(2\); got 1"),
        (np.zeros((2, 64)), {"image_shape": (8,)}, r"image_shape should be \(height, width\)"),
        (np.zeros((2, 64)), {"ncols": 0}, r"ncols should be a positive integer"),
    ],
)
def test_weight_images_errors(W, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_weight_images(W, **kwargs)


def test_weight_images_too_few_axes():
    fig, grid = plt.subplots(1, 2)
    with pytest.raises(ValueError, match=r"axes holds 2 axes but W has 3 weight vectors"):
        plot_weight_images(np.zeros((3, 64)), axes=grid)
