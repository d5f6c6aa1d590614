"""Convolution layers against direct NumPy convolution: Conv1D, Conv2D (strides, padding, dilation,
channels_first), Conv2DTranspose, DepthwiseConv2D, SeparableConv2D; Keras weight layouts, shapes,
errors, configs, and a small model that learns."""
import json

import numpy as np
import pytest

from zerodl.layers import (Conv1D, Conv2D, Conv2DTranspose, Convolution2D, DepthwiseConv2D, Dense, Flatten, Input,
                           SeparableConv2D)
from zerodl.models import Model, Sequential, model_from_json

rng = np.random.default_rng(3)


def direct_conv2d(x, kernel, bias, strides=(1, 1), pads=((0, 0), (0, 0)), dilation=(1, 1)):
    """Plain loops over output positions and kernel offsets: out[n,i,j,f] = sum x[n, i*s + a*d, ...] k[a, b, :, f]."""
    x = np.pad(x, ((0, 0),) + tuple(pads) + ((0, 0),))
    kh, kw = kernel.shape[:2]
    ho = (x.shape[1] - (kh - 1) * dilation[0] - 1) // strides[0] + 1
    wo = (x.shape[2] - (kw - 1) * dilation[1] - 1) // strides[1] + 1
    out = np.zeros((x.shape[0], ho, wo, kernel.shape[3]))
    for i in range(ho):
        for j in range(wo):
            for a in range(kh):
                for b in range(kw):
                    out[:, i, j] += x[:, i * strides[0] + a * dilation[0], j * strides[1] + b * dilation[1]] @ kernel[a, b]
    return out + bias


def built(layer, x):
    layer(x[:1])
    return layer


@pytest.mark.parametrize("kwargs, pads", [
    ({}, ((0, 0), (0, 0))),
    ({"strides": (2, 1)}, ((0, 0), (0, 0))),
    ({"padding": "same"}, ((1, 1), (1, 1))),
    ({"padding": "same", "strides": 2}, ((0, 1), (1, 1))),  # 9 rows: out 5, total pad 2 -> (1, 1); 10 cols: (0, 1)
    ({"dilation_rate": 2}, ((0, 0), (0, 0))),
])
def test_conv2d_matches_direct_convolution(kwargs, pads):
    x = rng.standard_normal((2, 9, 10, 3)).astype("float32")
    layer = built(Conv2D(4, (3, 3), **kwargs), x)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 3, 3, 4) and bias.shape == (4,)
    bias = rng.standard_normal(4).astype("float32")
    layer.set_weights([kernel, bias])
    if kwargs.get("padding") == "same" and kwargs.get("strides") == 2:
        pads = ((1, 1), (0, 1))
    expected = direct_conv2d(x, kernel, bias, (kwargs.get("strides", 1),) * 2 if isinstance(kwargs.get("strides", 1), int)
                             else kwargs["strides"], pads, (kwargs.get("dilation_rate", 1),) * 2)
    out = layer(x).value
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)


def test_conv2d_course_shapes_and_all_ones_kernel():
    """Lecture 98: Conv2D(1, (3, 3), strides=(2, 1)) on a 512x512 image gives (1, 255, 510, 1); with an
    all-ones kernel set by set_weights each output is the sum of its 3x3 window."""
    img = rng.random((1, 512, 512, 1)).astype("float32")
    model = Sequential()
    model.add(Conv2D(1, (3, 3), strides=(2, 1), input_shape=(512, 512, 1)))
    model.compile("adam", "mse")
    assert model.predict(img).shape == (1, 255, 510, 1)
    weights = model.get_weights()
    assert weights[0].shape == (3, 3, 1, 1)
    weights[0] = np.ones(weights[0].shape)
    model.set_weights(weights)
    out = model.predict(img)[0, :, :, 0]
    windows = sum(img[0, a:a + 509:2, b:b + 510, 0] for a in range(3) for b in range(3))
    np.testing.assert_allclose(out, windows, rtol=1e-5)
    same = Sequential([Conv2D(1, (3, 3), input_shape=(512, 512, 1), padding="same")])
    assert same.predict(img).shape == (1, 512, 512, 1)


def test_conv1d_matches_direct_and_causal_padding():
    x = rng.standard_normal((2, 11, 3)).astype("float32")
    layer = built(Conv1D(5, 4, activation="relu"), x)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (4, 3, 5)
    expected = np.maximum(direct_conv2d(x[:, None], kernel[None], bias)[:, 0], 0)
    np.testing.assert_allclose(layer(x).value, expected, rtol=1e-4, atol=1e-5)
    causal = built(Conv1D(2, 3, padding="causal", dilation_rate=2), x)
    k, b = causal.get_weights()
    out = causal(x).value
    assert out.shape == (2, 11, 2)
    np.testing.assert_allclose(out, direct_conv2d(x[:, None], k[None], b, pads=((0, 0), (4, 0)), dilation=(1, 2))[:, 0],
                               rtol=1e-4, atol=1e-5)
    x_changed = x.copy()
    x_changed[:, 7:] += 1  # a causal output at t depends on inputs up to t only
    np.testing.assert_allclose(causal(x_changed).value[:, :7], out[:, :7], rtol=1e-6)


def test_channels_first_equals_channels_last():
    x = rng.standard_normal((2, 7, 8, 3)).astype("float32")
    last = built(Conv2D(4, 3, strides=2, padding="same"), x)
    first = built(Conv2D(4, 3, strides=2, padding="same", data_format="channels_first"), x.transpose(0, 3, 1, 2))
    first.set_weights(last.get_weights())
    np.testing.assert_allclose(first(x.transpose(0, 3, 1, 2)).value, last(x).value.transpose(0, 3, 1, 2), rtol=1e-5,
                               atol=1e-6)
    assert first.compute_output_shape((None, 3, 7, 8)) == (None, 4, 4, 4)


def test_conv2d_transpose_is_the_adjoint_of_conv2d():
    """<conv(x), y> = <x, conv_transpose(y)> with the same kernel (Conv2DTranspose's kernel is (kh, kw, out, in))."""
    x = rng.standard_normal((2, 8, 10, 3)).astype("float32")
    conv = built(Conv2D(4, 3, strides=2, padding="same", use_bias=False), x)
    y = rng.standard_normal(conv(x).shape).astype("float32")
    transpose = built(Conv2DTranspose(3, 3, strides=2, padding="same", use_bias=False), y)
    transpose.set_weights([conv.get_weights()[0]])
    back = transpose(y).value
    assert back.shape == (2, 8, 10, 3)  # 'same' transposed output is input * stride
    lhs = float((conv(x).value * y).sum())
    rhs = float((x * back).sum())
    assert abs(lhs - rhs) < 1e-3 * abs(lhs)
    assert transpose.get_weights()[0].shape == (3, 3, 3, 4)


@pytest.mark.parametrize("padding, output_padding, expected", [("valid", None, (11, 13)), ("same", None, (10, 12)),
                                                               ("valid", 1, (12, 14)), ("same", 1, (10, 12))])
def test_conv2d_transpose_output_shapes(padding, output_padding, expected):
    x = rng.standard_normal((1, 5, 6, 2)).astype("float32")
    layer = Conv2DTranspose(3, 3, strides=2, padding=padding, output_padding=output_padding)
    assert layer(x).shape == (1,) + expected + (3,)
    assert layer.compute_output_shape((None, 5, 6, 2)) == (None,) + expected + (3,)


def test_depthwise_and_separable_conv():
    x = rng.standard_normal((2, 6, 7, 3)).astype("float32")
    depthwise = built(DepthwiseConv2D(3, depth_multiplier=2), x)
    kernel, bias = depthwise.get_weights()
    assert kernel.shape == (3, 3, 3, 2) and bias.shape == (6,)
    expected = np.concatenate([direct_conv2d(x[..., c:c + 1], kernel[:, :, c:c + 1], 0) for c in range(3)], axis=-1)
    np.testing.assert_allclose(depthwise(x).value, expected + bias, rtol=1e-4, atol=1e-5)
    separable = built(SeparableConv2D(5, 3, depth_multiplier=2), x)
    dk, pk, b = separable.get_weights()
    assert dk.shape == (3, 3, 3, 2) and pk.shape == (1, 1, 6, 5) and b.shape == (5,)
    inner = np.concatenate([direct_conv2d(x[..., c:c + 1], dk[:, :, c:c + 1], 0) for c in range(3)], axis=-1)
    np.testing.assert_allclose(separable(x).value, inner @ pk[0, 0] + b, rtol=1e-4, atol=1e-5)


def test_input_rank_error_is_the_keras_one():
    model = Sequential([Conv2D(8, 3, input_shape=(28, 28, 1))])
    with pytest.raises(ValueError, match="expected ndim=4, found ndim=3"):
        Conv2D(8, 3)(Input((28, 28)))
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 1"):
        model.layers[0](np.zeros((1, 28, 28, 3), "float32"))


def test_argument_errors():
    with pytest.raises(ValueError, match="filters"):
        Conv2D(0, 3)
    with pytest.raises(ValueError, match="padding"):
        Conv2D(2, 3, padding="full")
    with pytest.raises(ValueError, match="strides > 1"):
        Conv2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="kernel_size"):
        Conv2D(2, (3, 3, 3))
    with pytest.raises(ValueError, match="negative or zero"):
        Conv2D(2, 5)(np.zeros((1, 3, 3, 1), "float32"))
    assert Conv1D(2, 3, padding="causal").padding == "causal"
    with pytest.raises(ValueError, match="padding"):
        Conv2D(2, 3, padding="causal")


def test_config_round_trip_and_keras2_alias():
    layer = Convolution2D(6, (5, 3), strides=(2, 1), padding="same", activation="relu", name="c")
    config = layer.get_config()
    assert config["kernel_size"] == (5, 3) and config["activation"] == "relu" and config["padding"] == "same"
    clone = Conv2D.from_config(json.loads(json.dumps(config)))
    assert clone.kernel_size == (5, 3) and clone.strides == (2, 1)
    model = Sequential([Conv2D(2, 3, input_shape=(8, 8, 1)), Conv2DTranspose(1, 3, strides=2, padding="same")])
    rebuilt = model_from_json(model.to_json())
    rebuilt.set_weights(model.get_weights())
    x = rng.random((2, 8, 8, 1)).astype("float32")
    np.testing.assert_allclose(rebuilt.predict(x), model.predict(x), rtol=1e-6)


def test_small_cnn_learns_to_tell_stripes_apart():
    """Horizontal vs vertical stripes: a Conv2D model reaches 100% after a few epochs."""
    n = 200
    x = rng.random((n, 8, 8, 1)).astype("float32") * 0.3
    y = np.arange(n) % 2
    x[y == 0, ::2, :, 0] += 1
    x[y == 1, :, ::2, 0] += 1
    inputs = Input((8, 8, 1))
    h = Conv2D(4, 3, activation="relu")(inputs)
    h = Flatten()(h)
    model = Model(inputs, Dense(1, activation="sigmoid")(h))
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=8, batch_size=20, verbose=0)
    assert history.history["accuracy"][-1] == 1.0
