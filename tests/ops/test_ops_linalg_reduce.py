"""Gradient, forward and dtype checks for zerodl.ops.linalg (matmul, affine) and zerodl.ops.reduce."""
import numpy as np
import pytest

from gradcheck import Case, check_gradients, run_float32, run_forward, run_gradient
from zerodl import ops
from zerodl.autodiff import Variable, gradients

rng = np.random.default_rng(2)


def normal(*shape):
    return rng.standard_normal(shape)


MATMUL_SHAPES = [
    ((3,), (3,)),            # vector . vector -> scalar
    ((3,), (3, 4)),          # row vector
    ((2, 3), (3,)),          # column vector
    ((2, 3), (3, 4)),
    ((5, 2, 3), (5, 3, 4)),  # batched
    ((5, 2, 3), (3, 4)),     # batch broadcast on the left
    ((2, 3), (5, 3, 4)),     # batch broadcast on the right
    ((2, 1, 2, 3), (4, 3, 2)),  # both broadcast
    ((3,), (5, 3, 4)),       # vector against a batch
    ((5, 2, 3), (3,)),
]

CASES = [Case(f"matmul-{sa}-{sb}", ops.matmul, [normal(*sa), normal(*sb)], np.matmul) for sa, sb in MATMUL_SHAPES]
CASES += [
    Case("affine-bias", ops.affine, [normal(4, 3), normal(3, 5), normal(5)], lambda x, w, b: x @ w + b),
    Case("affine-no-bias", ops.affine, [normal(4, 3), normal(3, 5)], lambda x, w: x @ w),
    Case("affine-3d", ops.affine, [normal(2, 4, 3), normal(3, 5), normal(5)], lambda x, w, b: x @ w + b),
    Case("affine-3d-no-bias", ops.affine, [normal(2, 4, 3), normal(3, 5)], lambda x, w: x @ w),
    Case("affine-1d", ops.affine, [normal(3), normal(3, 5), normal(5)], lambda x, w, b: x @ w + b),
]

AXES = [None, 0, 1, -1, (0, 2), (-1, 0), (0, 1, 2)]
x234 = normal(2, 3, 4)
for name, op, ref in [("sum", ops.sum, np.sum), ("mean", ops.mean, np.mean),
                      ("max", ops.max, np.max), ("min", ops.min, np.min)]:
    for axis in AXES:
        for keepdims in (False, True):
            CASES.append(Case(f"{name}-axis{axis}-keepdims{keepdims}",
                              lambda v, op=op, axis=axis, keepdims=keepdims: op(v, axis=axis, keepdims=keepdims),
                              [x234], lambda a, ref=ref, axis=axis, keepdims=keepdims: ref(a, axis=axis, keepdims=keepdims)))
CASES += [
    Case("sum-method", lambda v: v.sum(axis=1), [x234], lambda a: a.sum(axis=1)),
    Case("mean-method", lambda v: v.mean(axis=-1, keepdims=True), [x234], lambda a: a.mean(axis=-1, keepdims=True)),
    Case("sum-of-scalar", lambda v: ops.sum(ops.sum(v)), [x234], np.sum),
    Case("mean-list-axis", lambda v: ops.mean(v, axis=[0, 1]), [x234], lambda a: a.mean(axis=(0, 1))),
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


def test_affine_kernel_gradient_when_input_is_constant():
    x = normal(2, 4, 3)
    check_gradients(lambda w, b: ops.affine(x.astype(np.float32), w, b), normal(3, 5), normal(5))


@pytest.mark.parametrize("op,expected", [(ops.max, [0.0, 0.5, 0.0, 0.5]), (ops.min, [0.5, 0.0, 0.5, 0.0])])
def test_max_min_share_gradient_among_ties(op, expected):
    v = Variable([1.0, 3.0, 1.0, 3.0], dtype="float64")
    (g,) = gradients(op(v), [v])
    np.testing.assert_allclose(g, expected)


def test_max_ties_per_row():
    v = Variable([[2.0, 2.0, 1.0], [0.0, 1.0, 5.0]], dtype="float32")
    (g,) = gradients(ops.sum(ops.max(v, axis=1) * np.array([1.0, 2.0], np.float32)), [v])
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, [[0.5, 0.5, 0.0], [0.0, 0.0, 2.0]])


def test_mean_of_int_array_is_a_float():
    assert float(ops.mean(np.array([1, 2])).value) == 1.5
