"""Pooling layers against NumPy: Max/AveragePooling1D/2D (tiling and overlapping windows, 'same'
padding, channels_first), their aliases, the global poolings, and the course's 512x512 example."""
import numpy as np
import pytest

from zerodl import layers
from zerodl.layers import (AveragePooling1D, AveragePooling2D, AvgPool2D, GlobalAveragePooling1D,
                           GlobalAveragePooling2D, GlobalMaxPooling1D, GlobalMaxPooling2D, Input, MaxPool1D,
                           MaxPool2D, MaxPooling2D)
from zerodl.models import Sequential

rng = np.random.default_rng(5)


def windows_reduce(x, pool, strides, reduce):
    n, h, w, c = x.shape
    ho, wo = (h - pool[0]) // strides[0] + 1, (w - pool[1]) // strides[1] + 1
    out = np.zeros((n, ho, wo, c), x.dtype)
    for i in range(ho):
        for j in range(wo):
            out[:, i, j] = reduce(x[:, i * strides[0]:i * strides[0] + pool[0], j * strides[1]:j * strides[1] + pool[1]],
                                  axis=(1, 2))
    return out


@pytest.mark.parametrize("pool, strides", [((2, 2), None), ((3, 3), None), ((3, 2), (1, 2)), ((2, 2), (1, 1))])
@pytest.mark.parametrize("cls, reduce", [(MaxPooling2D, np.max), (AveragePooling2D, np.mean)])
def test_pool2d_matches_numpy_windows(cls, reduce, pool, strides):
    x = rng.standard_normal((2, 7, 8, 3)).astype("float32")
    out = cls(pool, strides)(x).value
    np.testing.assert_allclose(out, windows_reduce(x, pool, strides or pool, reduce), rtol=1e-6, atol=1e-6)


def test_same_padding_shapes_and_average_of_real_values():
    x = np.ones((1, 5, 5, 1), "float32")
    out = AveragePooling2D(2, padding="same")(x).value
    assert out.shape == (1, 3, 3, 1)
    np.testing.assert_allclose(out, 1.0)  # padded positions are not counted, as Keras
    assert MaxPooling2D(3, 2, padding="same")(x).shape == (1, 3, 3, 1)


def test_course_pooling_shapes():
    img = rng.random((1, 512, 512, 1)).astype("float32")
    for cls in (MaxPool2D, AvgPool2D):
        model = Sequential([cls((5, 5), input_shape=(512, 512, 1))])
        model.compile("adam", "mse")
        out = model.predict(img)
        assert out.shape == (1, 102, 102, 1)
    np.testing.assert_allclose(out[0, 0, 0, 0], img[0, :5, :5, 0].mean(), rtol=1e-6)


def test_pool1d_and_channels_first():
    x = rng.standard_normal((2, 9, 3)).astype("float32")
    np.testing.assert_allclose(MaxPool1D()(x).value, x[:, :8].reshape(2, 4, 2, 3).max(axis=2))
    np.testing.assert_allclose(AveragePooling1D(3, 1)(x).value,
                               np.stack([x[:, i:i + 3].mean(axis=1) for i in range(7)], axis=1), rtol=1e-6)
    x2 = rng.standard_normal((2, 3, 6, 4)).astype("float32")
    first = MaxPooling2D(2, data_format="channels_first")
    np.testing.assert_allclose(first(x2).value, MaxPooling2D(2)(x2.transpose(0, 2, 3, 1)).value.transpose(0, 3, 1, 2))
    assert first.compute_output_shape((None, 3, 6, 4)) == (None, 3, 3, 2)


def test_global_pooling():
    x = rng.standard_normal((2, 4, 5, 3)).astype("float32")
    np.testing.assert_allclose(GlobalMaxPooling2D()(x).value, x.max(axis=(1, 2)))
    np.testing.assert_allclose(GlobalAveragePooling2D()(x).value, x.mean(axis=(1, 2)), rtol=1e-6)
    assert GlobalAveragePooling2D(keepdims=True)(x).shape == (2, 1, 1, 3)
    assert GlobalMaxPooling2D(data_format="channels_first")(x).shape == (2, 4)
    seq = rng.standard_normal((2, 6, 3)).astype("float32")
    np.testing.assert_allclose(GlobalMaxPooling1D()(seq).value, seq.max(axis=1))
    np.testing.assert_allclose(GlobalAveragePooling1D()(seq).value, seq.mean(axis=1), rtol=1e-6)
    assert GlobalAveragePooling2D()(Input((4, 5, 3))).shape == (None, 3)


def test_aliases_are_the_same_classes():
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.AvgPool1D is layers.AveragePooling1D
    assert layers.GlobalAvgPool2D is layers.GlobalAveragePooling2D and layers.GlobalMaxPool1D is layers.GlobalMaxPooling1D


def test_strides_default_to_pool_size_and_config():
    layer = MaxPooling2D((3, 2))
    assert layer.strides == (3, 2)
    config = layer.get_config()
    assert config["pool_size"] == (3, 2) and config["strides"] == (3, 2) and config["padding"] == "valid"
    assert MaxPooling2D.from_config(config).pool_size == (3, 2)
    with pytest.raises(ValueError, match="ndim=4"):
        MaxPooling2D()(Input((8, 8)))


def test_max_pool_gradient_in_a_model_reaches_the_window_maxima():
    from zerodl.autodiff import Variable, gradients
    from zerodl import ops
    x = Variable(np.array([[1, 5, 2, 0], [3, 4, 9, 1]], "float32").reshape(1, 2, 4, 1))
    (g,) = gradients(ops.sum(MaxPooling2D(2)(x)), [x])
    np.testing.assert_array_equal(g[0, :, :, 0], [[0, 1, 0, 0], [0, 0, 1, 0]])
