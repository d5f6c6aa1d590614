"""Gradient, forward and dtype checks for zerodl.ops.shape (reshape, transpose, indexing, joining)."""
import numpy as np
import pytest

from gradcheck import Case, run_float32, run_forward, run_gradient
from zerodl import ops
from zerodl.autodiff import Tensor, Variable, gradients

rng = np.random.default_rng(3)


def normal(*shape):
    return rng.standard_normal(shape)


x234 = normal(2, 3, 4)
x45 = normal(4, 5)
mask = normal(4, 5) > 0

INDICES = [
    ("int", 1), ("negative-int", -1), ("slice", slice(1, 3)), ("step-slice", slice(None, None, -2)),
    ("tuple", (slice(None), 2)), ("ellipsis", (Ellipsis, 0)), ("newaxis", (None, slice(1, 3))),
    ("fancy", [3, 0, 2]), ("repeated-fancy", [0, 2, 0, 0, 3]), ("repeated-fancy-2d", np.array([[1, 1], [3, 1]])),
    ("fancy-pair", ([0, 1, 0], [2, 2, 2])), ("mixed", (slice(None), [4, 4, 1])), ("boolean-mask", mask),
    ("boolean-rows", np.array([True, False, True, True])),
]

CASES = [Case(f"getitem-{name}", lambda v, index=index: v[index], [x45], lambda a, index=index: a[index])
         for name, index in INDICES]
CASES += [
    Case("getitem-tensor-index", lambda v: v[Tensor(np.array([2, 2, 0]))], [x45], lambda a: a[[2, 2, 0]]),
    Case("reshape", lambda v: ops.reshape(v, (4, 6)), [x234], lambda a: a.reshape(4, 6)),
    Case("reshape-minus1", lambda v: ops.reshape(v, (-1, 2)), [x234], lambda a: a.reshape(-1, 2)),
    Case("reshape-int", lambda v: ops.reshape(v, -1), [x234], lambda a: a.reshape(-1)),
    Case("reshape-method", lambda v: v.reshape(3, 8), [x234], lambda a: a.reshape(3, 8)),
    Case("reshape-method-int", lambda v: v.reshape(-1), [x234], lambda a: a.reshape(-1)),
    Case("reshape-method-tuple", lambda v: v.reshape((6, 4)), [x234], lambda a: a.reshape(6, 4)),
    Case("transpose", ops.transpose, [x234], np.transpose),
    Case("transpose-axes", lambda v: ops.transpose(v, (1, 2, 0)), [x234], lambda a: a.transpose(1, 2, 0)),
    Case("transpose-negative-axes", lambda v: ops.transpose(v, (0, -1, -2)), [x234], lambda a: a.transpose(0, 2, 1)),
    Case("T", lambda v: v.T, [x45], lambda a: a.T),
    Case("concatenate-last", lambda a, b: ops.concatenate([a, b]), [normal(2, 3), normal(2, 4)],
         lambda a, b: np.concatenate([a, b], axis=-1)),
    Case("concatenate-0-three", lambda a, b, c: ops.concatenate([a, b, c], axis=0),
         [normal(1, 3), normal(2, 3), normal(3, 3)], lambda a, b, c: np.concatenate([a, b, c], axis=0)),
    Case("concatenate-same-twice", lambda a: ops.concatenate([a, a * 2.0], axis=1), [normal(2, 3)],
         lambda a: np.concatenate([a, 2 * a], axis=1)),
    Case("concatenate-with-constant", lambda a: ops.concatenate([a, np.ones((2, 1), np.float32)], axis=1),
         [normal(2, 3)], lambda a: np.concatenate([a, np.ones((2, 1))], axis=1)),
    Case("stack-0", lambda a, b: ops.stack([a, b]), [normal(2, 3), normal(2, 3)], lambda a, b: np.stack([a, b])),
    Case("stack-1", lambda a, b, c: ops.stack([a, b, c], axis=1), [normal(2, 3), normal(2, 3), normal(2, 3)],
         lambda a, b, c: np.stack([a, b, c], axis=1)),
    Case("stack-last", lambda a, b: ops.stack([a, b], axis=-1), [normal(2, 3), normal(2, 3)],
         lambda a, b: np.stack([a, b], axis=-1)),
    Case("expand_dims-default", ops.expand_dims, [x45], lambda a: np.expand_dims(a, -1)),
    Case("expand_dims-0", lambda v: ops.expand_dims(v, 0), [x45], lambda a: np.expand_dims(a, 0)),
    Case("expand_dims-1", lambda v: ops.expand_dims(v, 1), [x45], lambda a: np.expand_dims(a, 1)),
    Case("expand_dims--2", lambda v: ops.expand_dims(v, -2), [x45], lambda a: np.expand_dims(a, -2)),
    Case("squeeze-1", lambda v: ops.squeeze(v, 1), [normal(3, 1, 2)], lambda a: np.squeeze(a, 1)),
    Case("squeeze--1", lambda v: ops.squeeze(v, -1), [normal(3, 2, 1)], lambda a: np.squeeze(a, -1)),
    Case("flatten", ops.flatten, [x234], lambda a: a.reshape(2, -1)),
    Case("flatten-2d", ops.flatten, [x45], lambda a: a),
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


def test_repeated_fancy_index_accumulates():
    v = Variable([1.0, 2.0, 3.0], dtype="float64")
    (g,) = gradients(ops.sum(v[[0, 0, 2, 0]]), [v])
    np.testing.assert_array_equal(g, [3.0, 0.0, 1.0])


def test_squeeze_rejects_non_unit_axis():
    with pytest.raises(ValueError):
        ops.squeeze(np.zeros((2, 3), np.float32), 0)
