"""course_utils.quantization against TensorFlow's fake-quantization ops and the error bound of rounding."""

import numpy as np
import pytest

from course_utils import quantization


def _near_ties(W, scale):
    """Entries within float32 rounding of half-way between two grid points: either neighbour is right."""
    ratio = np.asarray(W, dtype=np.float64) / scale
    return np.abs(np.abs(ratio - np.floor(ratio)) - 0.5) < 1e-4


@pytest.fixture(scope="module")
def tf():
    from course_utils.env import import_keras

    import_keras()
    import tensorflow

    return tensorflow


@pytest.mark.parametrize("shape, seed", [((784, 128), 0), ((64, 10), 1), ((3, 3, 16, 32), 2)])
def test_per_tensor_grid_is_tensorflows_narrow_range_fake_quant(tf, shape, seed):
    W = np.random.default_rng(seed).normal(scale=0.1, size=shape).astype(np.float32)
    q, scale = quantization.quantize(W, bits=8)
    largest = np.abs(W).max()
    reference = tf.quantization.fake_quant_with_min_max_vars(W, -largest, largest, num_bits=8,
                                                             narrow_range=True).numpy()
    ours = quantization.dequantize(q, scale)
    differ = np.abs(ours - reference) > 1e-6 * largest
    assert not np.any(differ & ~_near_ties(W, scale))
    assert q.dtype == np.int8 and q.min() >= -127 and q.max() <= 127
    assert np.abs(q).max() == 127  # the largest weight lands on the edge


def test_per_channel_grid_is_tensorflows_per_channel_fake_quant(tf):
    W = np.random.default_rng(3).normal(size=(50, 12)).astype(np.float32) * np.linspace(0.01, 2.0, 12, dtype=np.float32)
    q, scale = quantization.quantize(W, bits=8, axis=-1)
    assert scale.shape == (12,)
    largest = np.abs(W).max(axis=0)
    reference = tf.quantization.fake_quant_with_min_max_vars_per_channel(W, -largest, largest, num_bits=8,
                                                                         narrow_range=True).numpy()
    ours = quantization.dequantize(q, scale, axis=-1)
    differ = np.abs(ours - reference) > 1e-6 * largest
    assert not np.any(differ & ~_near_ties(W, scale))
    # one scale per channel keeps the small channels precise
    per_tensor = quantization.dequantize(*quantization.quantize(W, bits=8))
    assert np.abs(ours - W)[:, 0].max() < np.abs(per_tensor - W)[:, 0].max()


@pytest.mark.parametrize("bits", [2, 4, 8, 12])
def test_rounding_moves_each_weight_by_at_most_half_a_step(bits):
    W = np.random.default_rng(bits).normal(size=(40, 30))
    q, scale = quantization.quantize(W, bits=bits)
    levels = 2 ** (bits - 1) - 1
    assert float(scale) == pytest.approx(np.abs(W).max() / levels)
    assert np.abs(q).max() == levels and len(np.unique(q)) <= 2 * levels + 1
    assert np.abs(quantization.dequantize(q, scale) - W).max() <= scale / 2 + 1e-6
    assert q.dtype == (np.int8 if bits <= 8 else np.int16)


def test_zero_tensor_and_zero_channel_get_scale_one():
    q, scale = quantization.quantize(np.zeros((2, 3)))
    assert float(scale) == 1.0 and not q.any()
    W = np.array([[0.0, 1.0], [0.0, -0.5]])
    q, scale = quantization.quantize(W, axis=1)
    assert scale.tolist() == [1.0, 1.0 / 127] and q[:, 0].tolist() == [0, 0]


def test_errors_say_what_to_pass():
    with pytest.raises(ValueError, match="bits must be at most 16"):
        quantization.quantize(np.ones((2, 2)), bits=32)
    with pytest.raises(ValueError, match="bits is the number of bits per weight, an int >= 2"):
        quantization.quantize(np.ones((2, 2)), bits=1)
    with pytest.raises(ValueError, match="axis must be None"):
        quantization.quantize(np.ones((2, 2)), axis=2)
    with pytest.raises(ValueError, match="NaN or infinite"):
        quantization.quantize(np.array([1.0, np.inf]))
    with pytest.raises(ValueError, match="empty"):
        quantization.quantize(np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r"scale has shape \(3,\); expected \(\) for one scale per tensor"):
        quantization.dequantize(np.ones((2, 3), dtype=np.int8), np.ones(3))


def test_quantized_model_puts_every_kernel_on_its_grid_and_leaves_the_original_alone():
    from course_utils.datasets import load_mnist
    from course_utils.models import load_pretrained

    mlp = load_pretrained("mlp")
    before = [w.copy() for w in mlp.get_weights()]
    for per_channel in (False, True):
        small = quantization.quantized_model(mlp, bits=4, per_channel=per_channel)
        for layer, original in zip(small.layers, mlp.layers):
            if hasattr(original, "kernel"):
                kernel, axis = original.kernel.numpy(), (-1 if per_channel else None)
                expected = quantization.dequantize(*quantization.quantize(kernel, bits=4, axis=axis), axis=axis)
                assert np.array_equal(layer.kernel.numpy(), expected)
                assert np.array_equal(layer.bias.numpy(), original.bias.numpy())     # biases stay float
    assert all(np.array_equal(a, b) for a, b in zip(before, mlp.get_weights()))
    x = load_mnist()[1][0][:200]
    fine = quantization.quantized_model(mlp, bits=16)
    assert np.abs(fine.predict(x, verbose=0) - mlp.predict(x, verbose=0)).max() < 1e-3
    with pytest.raises(TypeError, match="expects a keras.Model"):
        quantization.quantized_model(lambda x: x)
