"""ZeroPadding, Cropping and UpSampling layers (1-D and 2-D) against NumPy, with their gradients' shapes."""
import numpy as np
import pytest

from zerodl import ops
from zerodl.autodiff import Variable, gradients
from zerodl.layers import (Cropping1D, Cropping2D, Input, UpSampling1D, UpSampling2D, ZeroPadding1D, ZeroPadding2D)

rng = np.random.default_rng(9)
X = rng.standard_normal((2, 4, 5, 3)).astype("float32")


@pytest.mark.parametrize("padding, pads", [(1, ((1, 1), (1, 1))), ((2, 1), ((2, 2), (1, 1))),
                                           (((1, 0), (0, 3)), ((1, 0), (0, 3)))])
def test_zero_padding2d(padding, pads):
    layer = ZeroPadding2D(padding)
    out = layer(X).value
    np.testing.assert_array_equal(out, np.pad(X, ((0, 0),) + pads + ((0, 0),)))
    assert layer.compute_output_shape((None, 4, 5, 3)) == (None,) + out.shape[1:]
    first = ZeroPadding2D(padding, data_format="channels_first")(X.transpose(0, 3, 1, 2)).value
    np.testing.assert_array_equal(first, out.transpose(0, 3, 1, 2))


def test_cropping2d_and_errors():
    out = Cropping2D(((1, 0), (2, 1)))(X).value
    np.testing.assert_array_equal(out, X[:, 1:, 2:4])
    np.testing.assert_array_equal(Cropping2D(1)(X).value, X[:, 1:3, 1:4])
    assert Cropping2D(((1, 1), (0, 2)))(Input((4, 5, 3))).shape == (None, 2, 3, 3)
    with pytest.raises(ValueError, match="cropping"):
        Cropping2D(((2, 2), (0, 0)))(X)


def test_upsampling2d_nearest_and_bilinear():
    out = UpSampling2D((2, 3))(X).value
    np.testing.assert_array_equal(out, X.repeat(2, axis=1).repeat(3, axis=2))
    ramp = np.arange(4, dtype="float32").reshape(1, 1, 4, 1)
    up = UpSampling2D((1, 2), interpolation="bilinear")(ramp).value[0, 0, :, 0]
    np.testing.assert_allclose(up, [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3])  # half-pixel centres, clamped edges
    with pytest.raises(ValueError, match="interpolation"):
        UpSampling2D(interpolation="cubic")


def test_one_d_forms():
    x = rng.standard_normal((2, 5, 3)).astype("float32")
    np.testing.assert_array_equal(ZeroPadding1D(2)(x).value, np.pad(x, ((0, 0), (2, 2), (0, 0))))
    np.testing.assert_array_equal(Cropping1D((1, 2))(x).value, x[:, 1:3])
    np.testing.assert_array_equal(UpSampling1D(2)(x).value, x.repeat(2, axis=1))


def test_gradients_flow_back_with_input_shape():
    v = Variable(X)
    for layer in (ZeroPadding2D(1), Cropping2D(1), UpSampling2D(2), UpSampling2D(2, interpolation="bilinear")):
        (g,) = gradients(ops.sum(layer(v)), [v])
        assert g.shape == X.shape and g.dtype == np.float32
    (g,) = gradients(ops.sum(UpSampling2D((2, 3))(v)), [v])
    np.testing.assert_allclose(g, 6.0)
