"""Gradient, forward (against the Keras formulas) and dtype checks for zerodl.ops.activations."""
import math

import numpy as np
import pytest

from gradcheck import Case, away_from, run_float32, run_forward, run_gradient
from zerodl import ops
from zerodl.autodiff import Variable, gradients
from zerodl.ops.activations import erf

rng = np.random.default_rng(1)
x = 2.0 * rng.standard_normal((4, 5))
x3 = 2.0 * rng.standard_normal((2, 3, 4))

SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805
np_erf = np.vectorize(math.erf)


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def np_relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Keras: max_value for x >= max_value, x for threshold <= x < max_value, alpha (x - threshold) below."""
    out = np.where(x >= threshold, x, alpha * (x - threshold))
    return out if max_value is None else np.where(x >= max_value, max_value, out)


def np_elu(x, alpha=1.0):
    return np.where(x > 0, x, alpha * (np.exp(x) - 1))


def np_softmax(x, axis=-1):
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def np_log_softmax(x, axis=-1):
    return x - np.log(np.exp(x).sum(axis=axis, keepdims=True))


RELU_VARIANTS = [
    dict(),
    dict(negative_slope=0.1),
    dict(max_value=1.5),
    dict(threshold=0.5),
    dict(negative_slope=0.2, max_value=2.0),
    dict(negative_slope=0.3, threshold=-0.5),
    dict(negative_slope=0.1, max_value=2.5, threshold=0.5),
    dict(max_value=6.0),
]


def _relu_case(kw):
    kinks = [kw.get("threshold", 0.0)] + ([kw["max_value"]] if kw.get("max_value") is not None else [])
    keras_kw = dict(alpha=kw.get("negative_slope", 0.0), max_value=kw.get("max_value"),
                    threshold=kw.get("threshold", 0.0))
    return Case(f"relu-{kw}", lambda v: ops.relu(v, **kw), [away_from(x, kinks)],
                lambda a: np_relu(a, **keras_kw))


CASES = [_relu_case(kw) for kw in RELU_VARIANTS] + [
    Case("sigmoid", ops.sigmoid, [x], np_sigmoid),
    Case("tanh", ops.tanh, [x], np.tanh),
    Case("elu", ops.elu, [away_from(x, [0])], np_elu),
    Case("elu-alpha", lambda v: ops.elu(v, alpha=0.5), [away_from(x, [0])], lambda a: np_elu(a, 0.5)),
    Case("selu", ops.selu, [away_from(x, [0])], lambda a: SELU_SCALE * np_elu(a, SELU_ALPHA)),
    Case("softplus", ops.softplus, [x], lambda a: np.log(np.exp(a) + 1)),
    Case("softsign", ops.softsign, [away_from(x, [0])], lambda a: a / (np.abs(a) + 1)),
    Case("swish", ops.swish, [x], lambda a: a * np_sigmoid(a)),
    Case("gelu-erf", ops.gelu, [x], lambda a: 0.5 * a * (1 + np_erf(a / np.sqrt(2))), fwd_atol=5e-7),
    Case("gelu-tanh", lambda v: ops.gelu(v, approximate=True), [x],
         lambda a: 0.5 * a * (1 + np.tanh(np.sqrt(2 / np.pi) * (a + 0.044715 * a ** 3)))),
    Case("hard_sigmoid", ops.hard_sigmoid, [away_from(2 * x, [-3, 3])],
         lambda a: np.minimum(np.maximum(a + 3, 0), 6) / 6),  # Keras 3: relu6(x + 3) / 6
    Case("softmax", ops.softmax, [x], np_softmax),
    Case("log_softmax", ops.log_softmax, [x], np_log_softmax),
]
for axis in (0, 1, -1, -2):
    CASES.append(Case(f"softmax-3d-axis{axis}", lambda v, axis=axis: ops.softmax(v, axis=axis), [x3],
                      lambda a, axis=axis: np_softmax(a, axis)))
    CASES.append(Case(f"log_softmax-3d-axis{axis}", lambda v, axis=axis: ops.log_softmax(v, axis=axis), [x3],
                      lambda a, axis=axis: np_log_softmax(a, axis)))


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_gradient(case):
    run_gradient(case)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_forward(case):
    run_forward(case)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_float32_in_float32_out(case):
    run_float32(case)


def test_erf_matches_math_erf():
    grid = np.linspace(-6, 6, 2401)
    np.testing.assert_allclose(erf(grid), np_erf(grid), rtol=0, atol=2e-7)
    assert erf(grid.astype(np.float32)).dtype == np.float32
    assert erf(np.float64(0.0)) == 0.0


@pytest.mark.parametrize("fn", [ops.sigmoid, ops.tanh, ops.softplus, ops.swish, ops.gelu, ops.softsign,
                                ops.elu, ops.selu, ops.softmax, ops.log_softmax, ops.hard_sigmoid])
def test_extreme_inputs_stay_finite(fn):
    v = Variable([[-1000.0, -80.0, 0.0, 80.0, 1000.0]], dtype="float32")
    out = fn(v)
    (g,) = gradients(ops.sum(out * np.arange(5.0)), [v])
    assert np.all(np.isfinite(out.value)) and np.all(np.isfinite(g))


def test_sigmoid_saturates_exactly():
    out = ops.sigmoid(np.array([-1000.0, 1000.0], np.float32)).value
    np.testing.assert_array_equal(out, [0.0, 1.0])


def test_relu_kink_gradients():
    """At the kinks the slope is the flatter side's (TF's Relu6Grad, LeakyReluGrad): relu'(0) = 0; at
    x == threshold, negative_slope; at x == max_value, 0."""
    v = Variable([0.0, 0.5, 1.0], dtype="float64")
    (g,) = gradients(ops.sum(ops.relu(v)), [v])
    np.testing.assert_array_equal(g, [0.0, 1.0, 1.0])
    (g,) = gradients(ops.sum(ops.relu(v, negative_slope=0.1, max_value=1.0, threshold=0.5)), [v])
    np.testing.assert_allclose(g, [0.1, 0.1, 0.0])
    (g,) = gradients(ops.sum(ops.relu(v - 0.5, max_value=6.0) + ops.relu(v - 0.5, negative_slope=0.2)), [v])
    np.testing.assert_allclose(g, [0.2, 0.2, 2.0])  # relu6 and leaky_relu at 0: 0 and the slope below
