"""The tape itself: accumulation over shared uses, unrelated variables, leaves, no_grad, deep graphs."""
import numpy as np
import pytest

from gradcheck import check_gradients
from zerodl import ops
from zerodl.autodiff import Op, Tensor, Variable, gradients, no_grad

rng = np.random.default_rng(5)


def test_same_tensor_used_twice_accumulates():
    x = Variable([1.0, -2.0, 3.0], dtype="float64")
    (g,) = gradients(ops.sum(x * x), [x])
    np.testing.assert_allclose(g, 2 * x.value)
    (g,) = gradients(ops.sum(x + x + x), [x])
    np.testing.assert_allclose(g, 3.0)


def test_shared_subgraph_accumulates():
    """h is used by two branches and the final sum: every path's gradient must reach x."""
    def f(x, w):
        h = ops.tanh(x @ w)
        return ops.sigmoid(h) * h + ops.exp(h) - ops.square(h) * x[:, :1]
    check_gradients(f, rng.standard_normal((3, 4)), rng.standard_normal((4, 4)))


def test_diamond_and_reused_intermediates():
    def f(x):
        a = x * 2.0
        b = ops.tanh(a)
        c = a * b + a
        return c * c + ops.sum(c, axis=0, keepdims=True) * a
    check_gradients(f, rng.standard_normal((3, 2)))


@pytest.mark.parametrize("seed", range(8))
def test_random_graphs_with_shared_intermediates(seed):
    """Random DAGs: each new tensor combines two earlier ones (any of them, so many are reused), built in an
    order unrelated to the final loss's structure; the tape must visit every use before passing a gradient on."""
    pick = np.random.default_rng(seed)
    steps = [(*pick.integers(0, 2 + k, 2), pick.integers(0, 3)) for k in range(12)]  # (operand, operand, kind)
    summed = pick.choice(2 + len(steps), 4, replace=False)

    def f(x, y):
        pool = [x, y]
        for i, j, kind in steps:
            a, b = pool[i], pool[j]
            pool.append(a + b if kind == 0 else a * ops.tanh(b) if kind == 1 else ops.sigmoid(a - b))
        return sum((pool[i] for i in summed[1:]), pool[summed[0]])
    check_gradients(f, rng.standard_normal((2, 3)), rng.standard_normal((2, 3)), seed=seed)


def test_each_op_backward_runs_once():
    """Reverse topological order: an op passes its gradient on only when every use has added to it."""
    calls = []

    class Double(Op):
        def forward(self, x):
            return 2 * x

        def backward(self, g):
            calls.append(self)
            return (2 * g,)

    x = Variable(rng.standard_normal(3), dtype="float64")
    a = Double()(x)
    b = Double()(a)
    c = Double()(a + b)  # a reaches c directly and through b
    d = Double()(c * b + a)
    (g,) = gradients(ops.sum(d), [x])
    assert len(calls) == 4 and len(set(map(id, calls))) == 4
    np.testing.assert_allclose(g, 192 * x.value + 4, rtol=1e-12)  # d = 2 (12x * 4x + 2x) = 96x^2 + 4x


def test_unrelated_variables_get_zeros():
    x = Variable(rng.standard_normal((2, 3)), dtype="float64")
    unused = Variable(rng.standard_normal((4,)), dtype="float32")
    gx, gu = gradients(ops.sum(x * 3.0), [x, unused])
    np.testing.assert_allclose(gx, 3.0)
    assert gu.shape == (4,) and gu.dtype == np.float32 and not gu.any()


def test_loss_independent_of_every_variable():
    x = Variable([1.0, 2.0], dtype="float64")
    loss = ops.sum(Tensor(np.array([1.0, 2.0])) * 2.0)
    assert not loss.requires_grad
    (g,) = gradients(loss, [x])
    np.testing.assert_array_equal(g, [0.0, 0.0])


def test_loss_is_the_variable():
    x = Variable([1.0, 2.0], dtype="float64")
    y = Variable([1.0], dtype="float64")
    gx, gy = gradients(x, [x, y])
    np.testing.assert_array_equal(gx, [1.0, 1.0])
    np.testing.assert_array_equal(gy, [0.0])


def test_same_variable_listed_twice():
    x = Variable([1.0, 2.0], dtype="float64")
    g1, g2 = gradients(ops.sum(x * x), [x, x])
    np.testing.assert_allclose(g1, [2.0, 4.0])
    np.testing.assert_allclose(g2, [2.0, 4.0])


def test_gradient_with_respect_to_intermediate_tensor():
    x = Variable([1.0, 2.0], dtype="float64")
    h = x * 3.0
    loss = ops.sum(h * h)
    gh, gx = gradients(loss, [h, x])
    np.testing.assert_allclose(gh, 2 * h.value)
    np.testing.assert_allclose(gx, 18 * x.value)


def test_no_grad_records_nothing():
    x = Variable([1.0, 2.0], dtype="float64")
    with no_grad():
        y = ops.sum(x * x)
    assert not y.requires_grad
    np.testing.assert_array_equal(gradients(y, [x])[0], [0.0, 0.0])
    assert (x * x).requires_grad  # re-enabled on exit


def test_non_trainable_constant_tensor_gets_no_gradient():
    x = Variable([1.0, 2.0], dtype="float64")
    c = Tensor(np.array([3.0, 4.0]))
    gx, gc = gradients(ops.sum(x * c), [x, c])
    np.testing.assert_array_equal(gx, [3.0, 4.0])
    np.testing.assert_array_equal(gc, [0.0, 0.0])


def test_output_gradient_for_non_scalar_loss():
    x = Variable([[1.0, 2.0], [3.0, 4.0]], dtype="float64")
    (g,) = gradients(x * x, [x], output_gradient=np.array([[1.0, 0.0], [0.5, 2.0]]))
    np.testing.assert_allclose(g, [[2.0, 0.0], [3.0, 16.0]])


def test_deep_chain_does_not_recurse():
    x = Variable([0.5], dtype="float64")
    y = x
    for _ in range(5000):
        y = y * 1.0 + 0.0
    (g,) = gradients(ops.sum(y), [x])
    np.testing.assert_allclose(g, [1.0])


def test_wide_fan_out_accumulates():
    x = Variable(rng.standard_normal(3), dtype="float64")
    terms = [x * float(k) for k in range(50)]
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    (g,) = gradients(ops.sum(total), [x])
    np.testing.assert_allclose(g, sum(range(50)))


def test_variable_is_float32_by_default_and_assign_checks_shape():
    v = Variable([1.0, 2.0])
    assert v.dtype == np.float32
    v.assign(np.array([3.0, 4.0]))
    assert v.dtype == np.float32 and v.value.tolist() == [3.0, 4.0]
    with pytest.raises(ValueError):
        v.assign(np.zeros(3))


def test_gradcheck_catches_a_wrong_backward():
    """The checker itself: a 0.1% error in one op's VJP must fail it."""
    from zerodl.autodiff import Op

    class SlightlyWrongSquare(Op):
        def forward(self, x):
            self.x = x
            return x * x

        def backward(self, g):
            return (2.002 * g * self.x,)

    with pytest.raises(AssertionError):
        check_gradients(lambda x: SlightlyWrongSquare()(x), rng.standard_normal((3, 2)))
    check_gradients(lambda x: x * x, rng.standard_normal((3, 2)))


def test_no_grad_and_recording_hold_for_their_own_thread_only():
    """A predict in one thread (no_grad, recording) must not touch the gradients of a fit in another."""
    import threading
    from zerodl.autodiff import recording
    w = Variable(np.ones(3))
    inside, finish, seen = threading.Event(), threading.Event(), {}

    def infer():
        with no_grad(), recording() as recorded:
            inside.set()
            finish.wait(5)
            seen["requires_grad"] = (w * 2.0).requires_grad
            seen["recorded"] = len(recorded)

    thread = threading.Thread(target=infer)
    thread.start()
    assert inside.wait(5)
    y = (w * 3.0).sum()  # this thread, while the other is inside no_grad and recording
    assert y.requires_grad
    np.testing.assert_array_equal(gradients(y, [w])[0], [3.0, 3.0, 3.0])
    finish.set()
    thread.join()
    assert seen == {"requires_grad": False, "recorded": 1}
