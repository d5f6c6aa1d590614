"""Gradient, forward and dtype checks for zerodl.ops.elementwise (binary ops with broadcasting, math, where, clip, cast)."""
import numpy as np
import pytest

from gradcheck import Case, away_from, check_gradients, run_float32, run_forward, run_gradient
from zerodl import ops
from zerodl.autodiff import Tensor, Variable, gradients

rng = np.random.default_rng(0)


def normal(*shape):
    return rng.standard_normal(shape)


def positive(*shape, low=0.5, high=2.0):
    return rng.uniform(low, high, shape)


# Operand shape pairs exercising NumPy broadcasting in every direction.
BROADCAST = [((3, 4), (3, 4)), ((3, 4), (4,)), ((4,), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (3, 1)),
             ((), (3,)), ((2, 1, 4), (2, 3, 1))]

BINARY = {
    "add": (ops.add, np.add, normal, normal),
    "subtract": (ops.subtract, np.subtract, normal, normal),
    "multiply": (ops.multiply, np.multiply, normal, normal),
    "divide": (ops.divide, np.divide, normal, lambda *s: positive(*s) * rng.choice([-1, 1], s)),
    "power": (ops.power, np.power, positive, normal),
}


CASES = []
for name, (op, ref, make_a, make_b) in BINARY.items():
    for sa, sb in BROADCAST:
        CASES.append(Case(f"{name}-{sa}-{sb}", op, [make_a(*sa), make_b(*sb)], ref))
for name, op, ref in [("maximum", ops.maximum, np.maximum), ("minimum", ops.minimum, np.minimum)]:
    for sa, sb in [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4))]:
        a = normal(*sa)
        b = normal(*sb)
        b = b + np.where(np.abs(np.broadcast_to(a, np.broadcast_shapes(sa, sb)) - b).min() < 0.05, 0.3, 0)
        CASES.append(Case(f"{name}-{sa}-{sb}", op, [a, b], ref))

x34 = normal(3, 4)
CASES += [
    Case("negative", ops.negative, [x34], np.negative),
    Case("neg-operator", lambda x: -x, [x34], np.negative),
    Case("exp", ops.exp, [x34], np.exp),
    Case("log", ops.log, [positive(3, 4)], np.log),
    Case("sqrt", ops.sqrt, [positive(3, 4)], np.sqrt),
    Case("square", ops.square, [x34], np.square),
    Case("abs", ops.abs, [away_from(x34, [0])], np.abs),
    Case("abs-operator", lambda x: abs(x), [away_from(x34, [0])], np.abs),
    Case("clip", lambda x: ops.clip(x, -0.5, 0.75), [away_from(2 * x34, [-0.5, 0.75])],
         lambda x: np.clip(x, -0.5, 0.75)),
    Case("cast-float64", lambda x: ops.cast(x, "float64") * 2.5, [x34], lambda x: x * 2.5,
         out_dtype=np.float64),
    Case("where", lambda a, b: ops.where(np.arange(12).reshape(3, 4) % 3 == 0, a, b),
         [normal(3, 4), normal(4)], lambda a, b: np.where(np.arange(12).reshape(3, 4) % 3 == 0, a, b)),
    Case("where-tensor-condition", lambda a, b: ops.where(a > 0, a, b * a),
         [away_from(x34, [0]), normal(3, 4)], lambda a, b: np.where(a > 0, a, b * a)),
    Case("where-scalar-branch", lambda a: ops.where(a > 0, a, 0.5), [away_from(x34, [0])],
         lambda a: np.where(a > 0, a, 0.5)),
    # Python scalars on either side of every operator (they must stay floatx, not float64).
    Case("scalar-operators", lambda x: (2.5 * x + 1.5) * (x - 0.5) / 4.0 - 3.0 / (x * x + 1.0) + (1 - x),
         [x34], lambda x: (2.5 * x + 1.5) * (x - 0.5) / 4.0 - 3.0 / (x * x + 1.0) + (1 - x)),
    Case("pow-int", lambda x: x ** 3, [x34], lambda x: x ** 3),
    Case("pow-float", lambda x: x ** 1.5, [positive(3, 4)], lambda x: x ** 1.5),
    Case("pow-ndarray-exponent", lambda x: ops.power(x, np.array([1.0, 2.0, 0.5, -1.0], np.float32)),
         [positive(3, 4)], lambda x: x ** np.array([1.0, 2.0, 0.5, -1.0])),
    Case("rpow-scalar-base", lambda x: 2.0 ** x, [x34], lambda x: 2.0 ** x),
    Case("pow-constant-base-with-zeros", lambda x: ops.power(np.array([0.0, 1.0, 2.0, 3.0], np.float32), x),
         [positive(3, 4)], lambda x: np.array([0.0, 1.0, 2.0, 3.0]) ** x),
    Case("clip-no-low", lambda x: ops.clip(x, None, 0.75), [away_from(2 * x34, [0.75])],
         lambda x: np.minimum(x, 0.75)),
    Case("clip-no-high", lambda x: ops.clip(x, -0.5, None), [away_from(2 * x34, [-0.5])],
         lambda x: np.maximum(x, -0.5)),
    Case("matmul-operator", lambda a, b: a @ b, [normal(2, 3), normal(3, 4)], np.matmul),
    Case("ndarray-on-left", lambda x: np.full((3, 4), 2.0, np.float32) * x + np.ones(4, np.float32), [x34],
         lambda x: 2 * x + 1),
]


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_gradient(case):
    run_gradient(case)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_forward(case):
    run_forward(case)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_float32_in_float32_out(case):
    run_float32(case)


def test_power_exponent_gradient_skipped_for_constant_exponent():
    x = Variable([0.0, 1.0, 2.0], dtype="float64")  # 0 ** 2: log 0 must not be needed
    (g,) = gradients(ops.sum(x ** 2), [x])
    np.testing.assert_allclose(g, [0.0, 2.0, 4.0])


def test_power_exponent_gradient_at_nonpositive_base_is_zero():
    a = Variable([0.0, 2.0], dtype="float64")
    b = Variable([2.0, 3.0], dtype="float64")
    ga, gb = gradients(ops.sum(ops.power(a, b)), [a, b])
    np.testing.assert_allclose(ga, [0.0, 12.0])
    np.testing.assert_allclose(gb, [0.0, 8 * np.log(2.0)])
    assert np.all(np.isfinite(gb))


@pytest.mark.parametrize("op", [ops.maximum, ops.minimum])
def test_maximum_minimum_ties_send_gradient_to_first(op):
    a = Variable([1.0, 2.0], dtype="float64")
    b = Variable([1.0, 2.0], dtype="float64")
    ga, gb = gradients(ops.sum(op(a, b)), [a, b])
    np.testing.assert_array_equal(ga, [1.0, 1.0])
    np.testing.assert_array_equal(gb, [0.0, 0.0])


def test_clip_gradient_is_zero_outside():
    x = Variable([-2.0, -0.5, 0.0, 0.5, 2.0], dtype="float64")
    (g,) = gradients(ops.sum(ops.clip(x, -1.0, 1.0)), [x])
    np.testing.assert_array_equal(g, [0.0, 1.0, 1.0, 1.0, 0.0])


def test_cast_to_float32_and_back_keeps_source_dtype_gradient():
    x = Variable(normal(3), dtype="float64")
    y = ops.cast(x, "float32")
    assert y.dtype == np.float32
    (g,) = gradients(ops.sum(y * 3.0), [x])
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, 3.0)


def test_cast_to_int_stops_gradient():
    x = Variable([0.4, 1.6], dtype="float64")
    y = ops.cast(x, "int32")
    assert y.dtype == np.int32
    (g,) = gradients(ops.sum(ops.cast(y, "float64") * x), [x])
    np.testing.assert_array_equal(g, [0.0, 1.0])  # only the direct path from x


def test_where_condition_broadcasts_over_both_branches():
    cond = np.array([True, False, True])
    check_gradients(lambda a, b: ops.where(cond, a, b), normal(2, 1), normal(1, 3))


def test_gradient_via_output_gradient():
    check_gradients(lambda a, b: a * b + a, normal(3, 4), normal(4), via_output_gradient=True)


def test_comparisons_are_constant_boolean_tensors():
    x = Variable([-1.0, 0.0, 1.0], dtype="float64")
    for t in (x > 0, x >= 0, x < 0, x <= 0):
        assert isinstance(t, Tensor) and t.dtype == bool and not t.requires_grad
