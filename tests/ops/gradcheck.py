"""Finite-difference gradient checking for zerodl ops.

`check_gradients(fn, *arrays)` builds `fn` on float64 Variables, reduces its output with a
fixed random weighting w (loss = sum(out * w)), asks `gradients` for d(loss)/d(input) and
compares each with central differences of the same loss computed in plain NumPy.

Import it from a test in this folder as `from gradcheck import check_gradients`.
"""
import numpy as np

from zerodl.autodiff import Tensor, Variable, gradients, no_grad
from zerodl import ops


def weights_like(shape, seed=1234):
    """A fixed random weighting for an output of `shape`."""
    return np.random.default_rng(seed).standard_normal(shape)


def central_differences(loss, array, eps=1e-6):
    """(loss() with array[j] + eps - loss() with array[j] - eps) / 2 eps for each entry j of `array`,
    which is changed in place and restored."""
    grad = np.zeros(array.shape)
    for j in np.ndindex(*array.shape):
        saved = array[j]
        array[j] = saved + eps
        up = loss()
        array[j] = saved - eps
        down = loss()
        array[j] = saved
        grad[j] = (up - down) / (2 * eps)
    return grad


def numeric_gradients(fn, arrays, w, eps=1e-6, wrt=None):
    """Central differences of sum(fn(*arrays) * w) with respect to each array in `wrt`."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    wrt = range(len(arrays)) if wrt is None else wrt

    def loss():
        with no_grad():
            out = fn(*[Variable(a, dtype="float64") for a in arrays])
        return float(np.sum(np.asarray(out.value, dtype=np.float64) * w))

    return [central_differences(loss, arrays[i], eps) for i in wrt]


def analytic_gradients(fn, arrays, w, wrt=None, via_output_gradient=False):
    variables = [Variable(a, dtype="float64") for a in arrays]
    out = fn(*variables)
    wrt = range(len(arrays)) if wrt is None else wrt
    chosen = [variables[i] for i in wrt]
    if via_output_gradient:
        return out, gradients(out, chosen, output_gradient=w)
    loss = ops.sum(out * Tensor(np.asarray(w, dtype=np.float64)))
    return out, gradients(loss, chosen)


def check_gradients(fn, *arrays, wrt=None, eps=1e-6, rtol=1e-5, atol=1e-7, seed=1234,
                    via_output_gradient=False):
    """Assert that the tape's gradients of sum(fn(*xs) * w) match central differences."""
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    with no_grad():
        shape = fn(*[Variable(a, dtype="float64") for a in arrays]).shape
    w = weights_like(shape, seed)
    out, analytic = analytic_gradients(fn, arrays, w, wrt, via_output_gradient)
    assert out.dtype == np.float64, f"float64 inputs gave a {out.dtype} output"
    assert out.requires_grad, "output of an op on Variables does not require grad"
    numeric = numeric_gradients(fn, arrays, w, eps, wrt)
    indices = list(range(len(arrays)) if wrt is None else wrt)
    for i, a, n in zip(indices, analytic, numeric):
        a = np.asarray(a)
        assert a.shape == arrays[i].shape, f"input {i}: gradient shape {a.shape} != {arrays[i].shape}"
        assert a.dtype == np.float64, f"input {i}: gradient dtype {a.dtype}"
        np.testing.assert_allclose(a, n, rtol=rtol, atol=atol, err_msg=f"gradient of input {i}")
    return analytic


def away_from(x, points, margin=0.1):
    """Move the entries of x that lie within `margin` of any kink in `points` out to the margin."""
    x = np.array(x, dtype=np.float64)
    for p in points:
        near = np.abs(x - p) < margin
        x[near] = p + np.where(x[near] >= p, margin, -margin)
    return x


def check_float32(fn, *arrays, out_dtype=np.float32):
    """float32 inputs (and any Python scalars inside fn) give a float32 output and float32 gradients."""
    variables = [Variable(np.asarray(a, dtype=np.float32), dtype="float32") for a in arrays]
    out = fn(*variables)
    assert out.dtype == out_dtype, f"float32 inputs gave a {out.dtype} output"
    w = Tensor(weights_like(out.shape).astype(np.float32))
    loss = ops.sum(out * w) if out_dtype == np.float32 else ops.sum(ops.cast(out, "float32") * w)
    assert loss.dtype == np.float32
    for v, g in zip(variables, gradients(loss, variables)):
        assert np.asarray(g).dtype == np.float32, f"float32 variable got a {np.asarray(g).dtype} gradient"
        assert np.asarray(g).shape == v.shape


class Case:
    """One op application for the parametrized checks.

    fn: builds the op from Tensors; inputs: float64 arrays (the differentiated inputs);
    ref: the same computation in plain NumPy on the arrays (None to skip the forward check).
    """
    def __init__(self, id, fn, inputs, ref=None, rtol=1e-5, atol=1e-7, fwd_atol=1e-12,
                 out_dtype=np.float32):
        self.id, self.fn, self.inputs, self.ref = id, fn, [np.asarray(a, np.float64) for a in inputs], ref
        self.rtol, self.atol, self.fwd_atol, self.out_dtype = rtol, atol, fwd_atol, out_dtype

    def __repr__(self):
        return self.id


def run_gradient(case):
    check_gradients(case.fn, *case.inputs, rtol=case.rtol, atol=case.atol)


def run_forward(case):
    if case.ref is None:
        return
    out = case.fn(*[Variable(a, dtype="float64") for a in case.inputs])
    expected = np.asarray(case.ref(*case.inputs))
    assert out.shape == expected.shape, f"shape {out.shape} != reference {expected.shape}"
    np.testing.assert_allclose(out.value, expected, rtol=1e-10, atol=case.fwd_atol)


def run_float32(case):
    check_float32(case.fn, *case.inputs, out_dtype=case.out_dtype)
