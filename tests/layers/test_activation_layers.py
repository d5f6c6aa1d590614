"""Activation layers against NumPy formulas; PReLU learns its slope."""
import sys
import pathlib

import numpy as np
import pytest

from zerodl.layers import ELU, LeakyReLU, Permute, PReLU, ReLU, Softmax
from zerodl.models import Sequential, model_from_json
from zerodl.optimizers import Adam

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "ops"))
from gradcheck import check_gradients  # noqa: E402

X = np.linspace(-3, 3, 24).reshape(4, 6).astype("float32")


@pytest.mark.parametrize("layer, reference", [
    (ReLU(), lambda x: np.maximum(x, 0)),
    (ReLU(max_value=1.0), lambda x: np.clip(x, 0, 1)),
    (LeakyReLU(), lambda x: np.where(x >= 0, x, 0.3 * x)),
    (LeakyReLU(alpha=0.1), lambda x: np.where(x >= 0, x, 0.1 * x)),
    (ELU(alpha=0.5), lambda x: np.where(x > 0, x, 0.5 * np.expm1(x))),
    (Softmax(), lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True)),
], ids=["relu", "relu6ish", "leaky", "leaky_alpha", "elu", "softmax"])
def test_activation_layers(layer, reference):
    np.testing.assert_allclose(layer(X).value, reference(X), rtol=1e-5, atol=1e-7)


def test_prelu_slope_is_learned_and_has_the_right_gradient():
    layer = PReLU()
    layer.build((None, 6))
    layer.set_weights([np.full(6, 0.25, "float32")])
    np.testing.assert_allclose(layer(X).value, np.where(X > 0, X, 0.25 * X), rtol=1e-6)
    x = X + 0.05  # away from the kink at 0

    def prelu(a, alpha):  # the layer's call with its slope swapped for the checked variable
        layer.alpha = alpha
        return layer.call(a)
    check_gradients(prelu, x, np.full(6, 0.25))
    data = np.random.default_rng(0).normal(size=(256, 6)).astype("float32")
    model = Sequential([PReLU(input_shape=(6,))])
    model.compile(Adam(learning_rate=0.05), "mse")
    model.fit(data, np.where(data > 0, data, 0.5 * data), epochs=20, verbose=0)
    np.testing.assert_allclose(model.layers[0].get_weights()[0], 0.5, atol=0.02)


def test_prelu_shared_axes_and_permute():
    layer = PReLU(shared_axes=[1])
    layer.build((None, 5, 6))
    assert layer.get_weights()[0].shape == (1, 6)
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    np.testing.assert_array_equal(Permute((2, 1))(x).value, x.transpose(0, 2, 1))
    model = Sequential([Permute((2, 1), input_shape=(3, 4)), LeakyReLU(0.2)])
    assert model.output_shape == (None, 4, 3)
    rebuilt = model_from_json(model.to_json())
    np.testing.assert_allclose(rebuilt.predict(x), model.predict(x))
