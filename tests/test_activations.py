"""zerodl.activations: the functions by name against NumPy, `get`, `serialize`, and dtypes."""
import math

import numpy as np
import pytest

from zerodl import activations
from zerodl.autodiff import Variable, gradients
from zerodl import ops

x = np.linspace(-5, 5, 41).astype("float32").reshape(1, -1)
x64 = x.astype(np.float64)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


REFERENCE = {
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.2 * z),
    "relu6": lambda z: np.clip(z, 0, 6),
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "elu": lambda z: np.where(z > 0, z, np.expm1(z)),
    "selu": lambda z: 1.0507009873554805 * np.where(z > 0, z, 1.6732632423543772 * np.expm1(z)),
    "softplus": lambda z: np.log1p(np.exp(z)),
    "softsign": lambda z: z / (1 + np.abs(z)),
    "softmax": softmax,
    "log_softmax": lambda z: np.log(softmax(z)),
    "exponential": np.exp,
    "swish": lambda z: z * sigmoid(z),
    "silu": lambda z: z * sigmoid(z),
    "gelu": lambda z: 0.5 * z * (1 + np.vectorize(math.erf)(z / math.sqrt(2))),
    "hard_sigmoid": lambda z: np.clip(z / 6 + 0.5, 0, 1),
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_activation_by_name_matches_numpy(name):
    fn = activations.get(name)
    out = fn(x)
    value = out.numpy() if hasattr(out, "numpy") else np.asarray(out)
    assert value.dtype == np.float32
    # gelu's erf is Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), times x/2 for |x| <= 5
    atol = 5e-7 if name == "gelu" else 2e-7
    np.testing.assert_allclose(value, REFERENCE[name](x64), rtol=2e-6, atol=atol)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_activation_by_name_equals_module_function(name):
    np.testing.assert_array_equal(np.asarray(activations.get(name)(x)), np.asarray(getattr(activations, name)(x)))


@pytest.mark.parametrize("name", sorted(set(REFERENCE) - {"linear"}))
def test_activation_is_differentiable(name):
    v = Variable(x64, dtype="float64")
    out = activations.get(name)(v)
    (grad,) = gradients(ops.sum(out), [v])
    eps = 1e-6
    numeric = (REFERENCE[name](x64 + eps) - REFERENCE[name](x64 - eps)) / (2 * eps)
    if name in ("softmax", "log_softmax"):  # not elementwise: the gradient of the sum
        numeric = np.array([[(REFERENCE[name](x64 + eps * np.eye(x.size)[i]).sum()
                              - REFERENCE[name](x64 - eps * np.eye(x.size)[i]).sum()) / (2 * eps)
                             for i in range(x.size)]])
    kinks = np.isin(x64, [0.0, 3.0, -3.0, 6.0])  # relu-like kinks: one-sided slopes are both fine
    np.testing.assert_allclose(grad[~kinks], numeric[~kinks], rtol=1e-4, atol=1e-6)


def test_relu_keras2_and_keras3_arguments():
    z = np.array([-2.0, -0.5, 0.5, 4.0, 8.0], dtype="float32")
    np.testing.assert_allclose(activations.relu(z, alpha=0.1).numpy(), [-0.2, -0.05, 0.5, 4.0, 8.0], rtol=1e-6)
    np.testing.assert_allclose(activations.relu(z, negative_slope=0.1).numpy(), [-0.2, -0.05, 0.5, 4, 8], rtol=1e-6)
    np.testing.assert_allclose(activations.relu(z, max_value=6.0).numpy(), [0, 0, 0.5, 4.0, 6.0])
    np.testing.assert_allclose(activations.relu(z, alpha=0.5, max_value=3.0).numpy(), [-1, -0.25, 0.5, 3, 3])
    np.testing.assert_allclose(activations.leaky_relu(z, negative_slope=0.3).numpy(), [-0.6, -0.15, 0.5, 4, 8],
                               rtol=1e-6)
    np.testing.assert_allclose(activations.relu6(z).numpy(), [0, 0, 0.5, 4.0, 6.0])


def test_softmax_axis_and_rows_sum_to_one():
    z = np.random.default_rng(0).standard_normal((3, 4, 5)).astype("float32")
    for axis in (-1, 1, 0):
        out = activations.softmax(z, axis=axis).numpy()
        np.testing.assert_allclose(out, softmax(z.astype(np.float64), axis=axis), rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(out.sum(axis=axis), 1, rtol=1e-5)


def test_softmax_and_sigmoid_are_stable_for_large_inputs():
    big = np.array([[1000.0, 0.0, -1000.0]], dtype="float32")
    assert np.isfinite(activations.softmax(big).numpy()).all()
    np.testing.assert_allclose(activations.sigmoid(big).numpy(), [[1, 0.5, 0]], atol=1e-7)
    np.testing.assert_allclose(activations.softplus(big).numpy(), [[1000, math.log(2), 0]], rtol=1e-6, atol=1e-7)


def test_elu_alpha():
    z = np.array([-1.0, 2.0], dtype="float32")
    np.testing.assert_allclose(activations.elu(z, alpha=0.5).numpy(), [0.5 * math.expm1(-1), 2.0], rtol=1e-6)


def test_gelu_approximate():
    c = math.sqrt(2 / math.pi)
    expected = 0.5 * x64 * (1 + np.tanh(c * (x64 + 0.044715 * x64 ** 3)))
    np.testing.assert_allclose(activations.gelu(x, approximate=True).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_get_none_callable_and_case():
    assert activations.get(None) is activations.linear
    assert activations.get(np.tanh) is np.tanh
    assert activations.get("ReLU") is activations.relu
    assert activations.get("Sigmoid") is activations.sigmoid


def test_get_unknown_lists_valid_names():
    with pytest.raises(ValueError) as info:
        activations.get("sigmod")
    message = str(info.value)
    assert "'sigmod'" in message
    for name in ("relu", "sigmoid", "softmax", "tanh"):
        assert name in message


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_serialize_round_trips(name):
    fn = activations.get(name)
    assert activations.get(activations.serialize(fn)) is fn


def test_serialize_aliases():
    assert activations.serialize(activations.swish) in ("swish", "silu")
    assert activations.serialize(activations.linear) == "linear"


@pytest.mark.parametrize("name", sorted(set(REFERENCE) - {"linear"}))  # linear returns its input as is
def test_integer_input_gives_float_output(name):
    ints = np.array([[-2, -1, 0, 1, 3]])
    out = np.asarray(activations.get(name)(ints))
    assert out.dtype.kind == "f"
    np.testing.assert_allclose(out, REFERENCE[name](ints.astype(np.float64)), rtol=1e-5, atol=1e-6)
