"""course_utils.attribution_plots: heatmaps and bar charts draw what they are given, never show."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from course_utils.attribution_plots import (  # noqa: E402
    DIVERGING, INK, NEGATIVE, POSITIVE, SEQUENTIAL, plot_feature_attribution, plot_image_attribution, plot_segments,
)
from course_utils.explanation import Attribution  # noqa: E402


def _digit():
    image = np.zeros((28, 28))
    image[6:22, 12:16] = 1.0  # a "1"
    values = np.random.default_rng(0).normal(size=(28, 28))
    return image, values


# --------------------------------------------------------------------------- image heatmaps
def test_signed_heatmap_is_centred_at_zero_with_the_ink_outlined():
    image, values = _digit()
    fig, ax = plt.subplots()
    out = plot_image_attribution(image, values, ax=ax, title="saliency")
    assert out is ax and ax.get_title() == "saliency"
    (heat,) = ax.get_images()  # the heatmap only: the digit is not painted over it
    np.testing.assert_array_equal(heat.get_array(), values)
    limit = np.abs(values).max()
    assert heat.get_clim() == pytest.approx((-limit, limit))  # white is exactly 0
    assert heat.get_cmap().name == DIVERGING == "RdBu_r" and heat.get_alpha() in (None, 1.0)
    (outline,) = [c for c in ax.collections if c.get_array() is not None or hasattr(c, "levels")]
    assert list(outline.levels) == [0.5]  # half-way between no ink (0) and full ink (1)
    vertices = np.concatenate([p.vertices for p in outline.get_paths()])
    # the outline runs around the bar of ink, rows 6..21 and columns 12..15, half a pixel outside its centres
    assert vertices[:, 0].min() == pytest.approx(11.5) and vertices[:, 0].max() == pytest.approx(15.5)
    assert vertices[:, 1].min() == pytest.approx(5.5) and vertices[:, 1].max() == pytest.approx(21.5)
    assert len(fig.axes) == 2 and fig.axes[1].get_ylabel() == "attribution"  # the colour bar


def test_non_negative_maps_get_a_sequential_map_from_zero():
    image, values = _digit()
    ax = plot_image_attribution(image, np.abs(values), colorbar=False)
    (heat,) = ax.get_images()
    assert heat.get_cmap().name == SEQUENTIAL == "Purples"
    assert heat.get_clim() == pytest.approx((0.0, np.abs(values).max()))
    assert to_hex(heat.get_cmap()(0.0)) in ("#fcfbfd", "#ffffff")  # zero is (almost) white, as in the diverging map
    forced = plot_image_attribution(image, np.abs(values), colorbar=False, signed=True).get_images()[0]
    assert forced.get_cmap().name == DIVERGING and forced.get_clim()[0] == -forced.get_clim()[1]


def test_without_overlay_or_colorbar_only_the_heatmap_is_drawn():
    image, values = _digit()
    ax = plot_image_attribution(image, values, overlay=False, colorbar=False)
    (heat,) = ax.get_images()
    assert heat.get_clim()[0] == -heat.get_clim()[1] and len(ax.figure.axes) == 1
    assert not ax.collections  # no outline


def test_an_all_zero_map_and_a_channel_axis_are_fine():
    ax = plot_image_attribution(np.zeros((5, 4, 1)), np.zeros((5, 4)), colorbar=False)
    assert ax.get_images()[-1].get_clim() == (0.0, 1.0) and not ax.collections  # a blank image has no outline
    ax = plot_image_attribution(np.zeros((5, 4)), np.zeros((5, 4)), colorbar=False, signed=True)
    assert ax.get_images()[-1].get_clim() == (-1.0, 1.0)


def test_signed_false_refuses_negative_values():
    image, values = _digit()
    with pytest.raises(ValueError, match=r"signed=False .* negative entries .*np\.abs\(values\)"):
        plot_image_attribution(image, values, signed=False)


@pytest.mark.parametrize(
    "image, values, error, message",
    [
        (
            np.zeros((1, 28, 28)),
            np.zeros((28, 28)),
            ValueError,
            r"got a batch of shape \(1, 28, 28\)\. Pass image\[0\]",
        ),
        (
            np.zeros((28, 28)),
            np.zeros((3, 28, 28)),
            ValueError,
            r"values should be one image.*Pick one example, e\.g\. values\[i\]",
        ),
        (np.zeros((28, 28)), np.zeros(784), ValueError, r"Reshape it, e\.g\. values\.reshape\(28, 28\)"),
        (
            np.zeros((28, 28)),
            np.zeros((14, 14)),
            ValueError,
            r"image has shape \(28, 28\) but values has shape \(14, 14\)",
        ),
        (np.zeros((2, 2)), np.array([[0.0, np.nan], [0.0, 0.0]]), ValueError, r"NaN or infinite"),
    ],
)
def test_image_errors_say_how_to_fix_the_call(image, values, error, message):
    with pytest.raises(error, match=message):
        plot_image_attribution(image, values)


def test_passing_an_attribution_says_to_pick_its_values():
    a = Attribution(values=np.ones((1, 2, 2)), base_values=0.0, outputs=[4.0], data=np.ones((1, 2, 2)), target=None)
    with pytest.raises(TypeError, match=r"Pass attribution\.values\[i\]"):
        plot_image_attribution(np.ones((2, 2)), a)
    with pytest.raises(TypeError, match=r"Pass attribution\.values\[i\]"):
        plot_feature_attribution(a, ["a", "b", "c", "d"])


# --------------------------------------------------------------------------- feature bars
def _bars(ax):
    return [p for p in ax.patches]


def test_bars_are_sorted_by_size_and_coloured_by_sign():
    values = np.array([0.5, -2.0, 0.1, 1.0])
    ax = plot_feature_attribution(values, ["a", "b", "c", "d"], title="one applicant")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["b", "d", "a", "c"]  # top to bottom by |value|
    bars = sorted(_bars(ax), key=lambda p: -p.get_y())  # top first
    assert [p.get_width() for p in bars] == pytest.approx([-2.0, 1.0, 0.5, 0.1])
    assert [to_hex(p.get_facecolor()) for p in bars] == [
        NEGATIVE.lower(),
        POSITIVE.lower(),
        POSITIVE.lower(),
        POSITIVE.lower(),
    ]
    assert ax.get_title() == "one applicant" and "attribution" in ax.get_xlabel()


def test_top_k_sums_the_rest_and_data_goes_into_the_labels():
    values = np.array([0.5, -2.0, 0.1, 1.0, -0.3])
    fig, ax = plt.subplots()
    out = plot_feature_attribution(values[None], list("abcde"), ax=ax, data=[1, 2.5, 3, "x", 5], top_k=2)
    assert out is ax
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["b = 2.5", "d = x", "3 other features"]
    bars = sorted(_bars(ax), key=lambda p: -p.get_y())
    assert bars[-1].get_width() == pytest.approx(0.5 + 0.1 - 0.3)


def test_a_given_order_draws_two_panels_row_by_row():
    values, other = np.array([0.5, -2.0, 0.1, 1.0]), np.array([0.3, 0.2, -0.9, 0.0])
    order = np.argsort(-np.abs(other))  # c, a, b, d
    ax = plot_feature_attribution(values, list("abcd"), order=order)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["c", "a", "b", "d"]
    bars = sorted(_bars(ax), key=lambda p: -p.get_y())
    assert [p.get_width() for p in bars] == pytest.approx([0.1, 0.5, -2.0, 1.0])


def test_segments_are_drawn_as_black_ink_on_white():
    from course_utils.lime import grid_segments

    image = np.zeros((28, 28))
    image[6:22, 12:16] = 1.0
    ax = plot_segments(image, grid_segments())
    assert ax.get_images()[0].get_cmap().name == INK == "gray_r"


@pytest.mark.parametrize(
    "values, names, kwargs, message",
    [
        (np.zeros((2, 3)), list("abc"), {}, r"draws one example.*got shape \(2, 3\)\. Pick one example"),
        (np.zeros(3), list("ab"), {}, r"feature_names has 2 names but values has 3 features"),
        (np.zeros(3), "abc", {}, r"feature_names should be a list of 3 names"),
        (np.zeros(3), list("abc"), dict(data=np.zeros(4)), r"data should hold this example's 3 feature values"),
        (np.zeros(3), list("abc"), dict(top_k=0), r"top_k is how many features to draw"),
        (
            np.zeros(3),
            list("abc"),
            dict(order=[0, 0, 1]),
            r"order should list each of the 3 feature indices 0 \.\. 2 once",
        ),
        (np.zeros(3), list("abc"), dict(order=[0, 1]), r"order should list each of the 3 feature indices"),
    ],
)
def test_bar_errors_say_how_to_fix_the_call(values, names, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_feature_attribution(values, names, **kwargs)
