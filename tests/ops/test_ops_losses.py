"""Gradient, forward (against Keras's documented formulas) and dtype checks for the fused losses."""
import numpy as np
import pytest

from gradcheck import Case, check_gradients, run_float32, run_forward, run_gradient
from zerodl import ops
from zerodl.autodiff import Variable, gradients
from zerodl.config import epsilon

rng = np.random.default_rng(4)


def normal(*shape):
    return rng.standard_normal(shape)


def probs(*shape):
    return rng.uniform(0.05, 0.95, shape)


def one_hot(labels, n):
    return np.eye(n)[labels]


def keras_mse(y, p):
    return np.mean(np.square(y - p), axis=-1)


def keras_bce(y, p):
    """keras.losses.binary_crossentropy on probabilities: clip to [eps, 1 - eps], then the mean log loss."""
    p = np.clip(p, epsilon(), 1 - epsilon())
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p), axis=-1)


def keras_bce_logits(y, z):
    s = 1 / (1 + np.exp(-z))
    return -np.mean(y * np.log(s) + (1 - y) * np.log(1 - s), axis=-1)


def log_softmax(z):
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def keras_cce_logits(y, z):
    return -np.sum(y * log_softmax(z), axis=-1)


def keras_sparse_cce_logits(labels, z):
    labels = np.asarray(labels).astype(int)
    if labels.ndim == z.ndim:
        labels = labels[..., 0]
    return -np.take_along_axis(log_softmax(z), labels[..., None], axis=-1)[..., 0]


# Targets are constants: each case closes over them (float32, as a data pipeline would give them).
y_reg, y_reg3 = normal(4, 3), normal(2, 4, 3)
y_bin, y_bin1 = (normal(4, 3) > 0).astype(float), (normal(5, 1) > 0).astype(float)
y_soft = rng.integers(0, 65, (4, 5)) / 64  # soft labels, rows not normalized (1 - y exact in float32)
labels = rng.integers(0, 5, 4)
labels3 = rng.integers(0, 5, (2, 3))


def f32(a):
    return np.asarray(a, np.float32)


def loss_case(name, op, ref, y, pred, reduction="none"):
    """Case for op(y_true, pred, reduction) with y_true a constant; "mean" compares with the mean of `ref`."""
    y32 = f32(y)
    reference = (lambda p: ref(y32.astype(np.float64), p)) if reduction == "none" else \
        (lambda p: np.mean(ref(y32.astype(np.float64), p)))
    return Case(name + ("" if reduction == "none" else "-mean"), lambda p: op(y32, p, reduction=reduction), [pred],
                reference)


CASES = [
    loss_case("mse", ops.mean_squared_error, keras_mse, y_reg, normal(4, 3)),
    loss_case("mse-3d", ops.mean_squared_error, keras_mse, y_reg3, normal(2, 4, 3)),
    loss_case("mse-1d", ops.mean_squared_error, keras_mse, y_reg[0], normal(3)),
    loss_case("mse-broadcast-target", ops.mean_squared_error, keras_mse, y_reg[:, :1], normal(4, 3)),
    loss_case("mse-pred-broadcasts", ops.mean_squared_error, keras_mse, y_reg, normal(4, 1)),
    loss_case("sigmoid_ce-pred-broadcasts", ops.sigmoid_cross_entropy, keras_bce_logits, y_bin, normal(4, 1)),
    loss_case("bce-pred-broadcasts", ops.binary_cross_entropy, keras_bce, y_bin, probs(4, 1)),
    loss_case("softmax_ce-pred-broadcasts", ops.softmax_cross_entropy, keras_cce_logits, one_hot(labels3, 5),
              normal(3, 5)),
    loss_case("sigmoid_ce", ops.sigmoid_cross_entropy, keras_bce_logits, y_bin, 3 * normal(4, 3)),
    loss_case("sigmoid_ce-col", ops.sigmoid_cross_entropy, keras_bce_logits, y_bin1, 3 * normal(5, 1)),
    loss_case("sigmoid_ce-soft", ops.sigmoid_cross_entropy, keras_bce_logits, y_soft, normal(4, 5)),
    loss_case("bce", ops.binary_cross_entropy, keras_bce, y_bin, probs(4, 3)),
    loss_case("bce-col", ops.binary_cross_entropy, keras_bce, y_bin1, probs(5, 1)),
    loss_case("bce-soft", ops.binary_cross_entropy, keras_bce, y_soft, probs(4, 5)),
    loss_case("softmax_ce", ops.softmax_cross_entropy, keras_cce_logits, one_hot(labels, 5), 2 * normal(4, 5)),
    loss_case("softmax_ce-soft", ops.softmax_cross_entropy, keras_cce_logits, y_soft, normal(4, 5)),
    loss_case("softmax_ce-3d", ops.softmax_cross_entropy, keras_cce_logits, one_hot(labels3, 5), normal(2, 3, 5)),
    loss_case("sparse_ce", ops.sparse_softmax_cross_entropy, keras_sparse_cce_logits, labels, 2 * normal(4, 5)),
    loss_case("sparse_ce-col-labels", ops.sparse_softmax_cross_entropy, keras_sparse_cce_logits,
              labels[:, None], normal(4, 5)),
    loss_case("sparse_ce-3d", ops.sparse_softmax_cross_entropy, keras_sparse_cce_logits, labels3, normal(2, 3, 5)),
    loss_case("sparse_ce-repeated", ops.sparse_softmax_cross_entropy, keras_sparse_cce_logits,
              np.array([1, 1, 1, 4]), normal(4, 5)),
]
# reduction="mean": the batch mean from the loss op itself (what Loss uses without sample weights)
CASES += [
    loss_case("mse", ops.mean_squared_error, keras_mse, y_reg, normal(4, 3), "mean"),
    loss_case("mse-3d", ops.mean_squared_error, keras_mse, y_reg3, normal(2, 4, 3), "mean"),
    loss_case("mse-col", ops.mean_squared_error, keras_mse, y_reg[:, :1], normal(4, 1), "mean"),
    loss_case("mse-broadcast-target", ops.mean_squared_error, keras_mse, y_reg[:, :1], normal(4, 3), "mean"),
    loss_case("sigmoid_ce-col", ops.sigmoid_cross_entropy, keras_bce_logits, y_bin1, 3 * normal(5, 1), "mean"),
    loss_case("sigmoid_ce", ops.sigmoid_cross_entropy, keras_bce_logits, y_bin, 3 * normal(4, 3), "mean"),
    loss_case("bce", ops.binary_cross_entropy, keras_bce, y_bin, probs(4, 3), "mean"),
    loss_case("softmax_ce-3d", ops.softmax_cross_entropy, keras_cce_logits, one_hot(labels3, 5), normal(2, 3, 5),
              "mean"),
    loss_case("sparse_ce-repeated", ops.sparse_softmax_cross_entropy, keras_sparse_cce_logits,
              np.array([1, 1, 1, 4]), normal(4, 5), "mean"),
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


@pytest.mark.parametrize("label_dtype", [np.int32, np.int64, np.float32, np.uint8])
def test_sparse_labels_of_any_dtype(label_dtype):
    z = normal(4, 5)
    out = ops.sparse_softmax_cross_entropy(labels.astype(label_dtype), z.astype(np.float32))
    np.testing.assert_allclose(out.value, keras_sparse_cce_logits(labels, z), rtol=1e-5)


def test_sparse_equals_one_hot():
    z = Variable(normal(4, 5), dtype="float64")
    sparse = ops.sparse_softmax_cross_entropy(labels, z)
    dense = ops.softmax_cross_entropy(one_hot(labels, 5).astype(np.float32), z)
    np.testing.assert_allclose(sparse.value, dense.value)
    np.testing.assert_allclose(gradients(ops.sum(sparse), [z])[0], gradients(ops.sum(dense), [z])[0])


def test_sparse_rejects_out_of_range_labels():
    with pytest.raises(ValueError):
        ops.sparse_softmax_cross_entropy(np.array([0, 5]), np.zeros((2, 5), np.float32))


def test_fused_logit_losses_match_the_unfused_graph():
    """sigmoid/softmax cross-entropy from logits equal the loss built from activation ops."""
    z = Variable(normal(4, 3), dtype="float64")
    fused = ops.sigmoid_cross_entropy(f32(y_bin), z)
    unfused = ops.binary_cross_entropy(f32(y_bin), ops.sigmoid(z))
    np.testing.assert_allclose(fused.value, unfused.value, rtol=1e-6)
    np.testing.assert_allclose(gradients(ops.sum(fused), [z])[0], gradients(ops.sum(unfused), [z])[0], rtol=1e-6)
    z = Variable(normal(4, 5), dtype="float64")
    y = f32(one_hot(labels, 5))
    fused = ops.softmax_cross_entropy(y, z)
    unfused = -ops.sum(y * ops.log_softmax(z), axis=-1)
    np.testing.assert_allclose(fused.value, unfused.value)
    np.testing.assert_allclose(gradients(ops.sum(fused), [z])[0], gradients(ops.sum(unfused), [z])[0])


def test_logit_losses_are_stable_for_huge_logits():
    z = Variable([[-1000.0, 1000.0, 0.0]], dtype="float32")
    for loss in (ops.sigmoid_cross_entropy(np.array([[1.0, 0.0, 1.0]], np.float32), z),
                 ops.softmax_cross_entropy(np.array([[1.0, 0.0, 0.0]], np.float32), z),
                 ops.sparse_softmax_cross_entropy(np.array([0]), z)):
        (g,) = gradients(ops.sum(loss), [z])
        assert np.all(np.isfinite(loss.value)) and np.all(np.isfinite(g))
    np.testing.assert_allclose(ops.sigmoid_cross_entropy(np.array([1.0], np.float32),
                                                         np.array([-1000.0], np.float32)).value, 1000.0)


def test_bce_clips_saturated_probabilities():
    p = Variable([[0.0, 1.0, 0.5]], dtype="float32")
    y = np.array([[1.0, 0.0, 1.0]], np.float32)
    loss = ops.binary_cross_entropy(y, p)
    np.testing.assert_allclose(loss.value, keras_bce(y, p.value), rtol=1e-6)  # both clip in float32
    (g,) = gradients(ops.sum(loss), [p])
    assert np.all(np.isfinite(g))
    np.testing.assert_allclose(g[0, :2], 0.0)  # clipped: no gradient, as with Keras's clip


def test_targets_get_no_gradient():
    y = Variable(normal(4, 3), dtype="float64")
    p = Variable(normal(4, 3), dtype="float64")
    gy, gp = gradients(ops.sum(ops.mean_squared_error(y, p)), [y, p])
    np.testing.assert_array_equal(gy, 0.0)
    assert np.any(gp != 0)


def test_reduction_is_none_or_mean():
    with pytest.raises(ValueError, match="reduction"):
        ops.mean_squared_error(f32(y_reg), f32(normal(4, 3)), reduction="sum")
