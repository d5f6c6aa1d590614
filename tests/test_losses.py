"""zerodl.losses against NumPy references of the Keras 3 formulas: every function and class,
from_logits forms, sample weights and reductions, the fused sigmoid/softmax path, user losses."""
import numpy as np
import pytest

from zerodl import backend as K
from zerodl import losses, ops
from zerodl.autodiff import Variable, gradients
from zerodl.ops.losses import _Loss
from zerodl.layers import Dense
from zerodl.models import Sequential
from zerodl.optimizers import SGD

rng = np.random.default_rng(11)
EPS = 1e-7


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


# --- references (per-sample losses, the last axis reduced), written from the Keras 3 docs/formulas --------
def ref_mse(y, p): return np.mean((y - p) ** 2, -1)
def ref_mae(y, p): return np.mean(np.abs(y - p), -1)
def ref_mape(y, p): return 100 * np.mean(np.abs((y - p) / np.maximum(np.abs(y), EPS)), -1)
def ref_msle(y, p): return np.mean((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(y, EPS) + 1)) ** 2, -1)


def ref_bce(y, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p), -1)


def ref_cce(y, p):
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -np.sum(y * np.log(p), -1)


def ref_sparse_cce(labels, p):
    return ref_cce(np.eye(p.shape[-1])[np.asarray(labels).astype(int).reshape(p.shape[:-1])], p)


def _pm1(y): return 2 * y - 1 if np.isin(y, [0, 1]).all() else y
def ref_hinge(y, p): return np.mean(np.maximum(1 - _pm1(y) * p, 0), -1)
def ref_squared_hinge(y, p): return np.mean(np.maximum(1 - _pm1(y) * p, 0) ** 2, -1)


def ref_categorical_hinge(y, p):
    return np.maximum(np.max((1 - y) * p, -1) - np.sum(y * p, -1) + 1, 0)


def ref_huber(y, p, delta=1.0):
    e = np.abs(p - y)
    return np.mean(np.where(e <= delta, 0.5 * e ** 2, delta * e - 0.5 * delta ** 2), -1)


def ref_log_cosh(y, p): return np.mean(np.log(np.cosh(p - y)), -1)


def ref_kld(y, p):
    y, p = np.clip(y, EPS, 1), np.clip(p, EPS, 1)
    return np.sum(y * np.log(y / p), -1)


def ref_poisson(y, p): return np.mean(p - y * np.log(p + EPS), -1)


def ref_cosine(y, p):
    def unit(x): return x / np.sqrt(np.maximum((x ** 2).sum(-1, keepdims=True), 1e-12))
    return -np.sum(unit(y) * unit(p), -1)


N, C = 8, 4
REAL_Y, REAL_P = rng.standard_normal((N, C)), rng.standard_normal((N, C))
POS_Y, POS_P = rng.uniform(0.1, 3, (N, C)), rng.uniform(0.1, 3, (N, C))
BIN_Y, PROB_P = rng.integers(0, 2, (N, C)).astype(float), rng.uniform(0.02, 0.98, (N, C))
LABELS = rng.integers(0, C, N)
ONE_HOT = np.eye(C)[LABELS]
DIST_P = softmax(rng.standard_normal((N, C)))

# name -> (reference, y_true, y_pred, [aliases], class)
CASES = {
    "mean_squared_error": (ref_mse, REAL_Y, REAL_P, ["mse", "MSE"], losses.MeanSquaredError),
    "mean_absolute_error": (ref_mae, REAL_Y, REAL_P, ["mae", "MAE"], losses.MeanAbsoluteError),
    "mean_absolute_percentage_error": (ref_mape, REAL_Y, REAL_P, ["mape", "MAPE"],
                                       losses.MeanAbsolutePercentageError),
    "mean_squared_logarithmic_error": (ref_msle, POS_Y, POS_P, ["msle", "MSLE"], losses.MeanSquaredLogarithmicError),
    "binary_crossentropy": (ref_bce, BIN_Y, PROB_P, [], losses.BinaryCrossentropy),
    "categorical_crossentropy": (ref_cce, ONE_HOT, DIST_P, [], losses.CategoricalCrossentropy),
    "sparse_categorical_crossentropy": (ref_sparse_cce, LABELS, DIST_P, [], losses.SparseCategoricalCrossentropy),
    "hinge": (ref_hinge, BIN_Y, REAL_P, [], losses.Hinge),
    "squared_hinge": (ref_squared_hinge, BIN_Y, REAL_P, [], losses.SquaredHinge),
    "categorical_hinge": (ref_categorical_hinge, ONE_HOT, REAL_P, [], losses.CategoricalHinge),
    "huber": (ref_huber, REAL_Y * 2, REAL_P, ["huber_loss"], losses.Huber),
    "log_cosh": (ref_log_cosh, REAL_Y, REAL_P, ["logcosh"], losses.LogCosh),
    "kl_divergence": (ref_kld, DIST_P[::-1].copy(), DIST_P, ["kld", "KLD", "kullback_leibler_divergence"],
                      losses.KLDivergence),
    "poisson": (ref_poisson, POS_Y, POS_P, [], losses.Poisson),
    "cosine_similarity": (ref_cosine, REAL_Y, REAL_P, [], losses.CosineSimilarity),
}


def value(t):
    return np.asarray(t.numpy() if hasattr(t, "numpy") else t)


@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_function_matches_reference(name):
    ref, y, p, aliases, _ = CASES[name]
    expected = ref(y, p)
    for fn in [getattr(losses, name)] + [getattr(losses, a) for a in aliases if hasattr(losses, a)]:
        got = value(fn(y.astype("float32"), p.astype("float32")))
        assert got.shape == (N,)
        np.testing.assert_allclose(got, expected, rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_by_name_is_the_batch_mean(name):
    ref, y, p, aliases, _ = CASES[name]
    for key in [name] + aliases:
        loss = losses.get(key)
        got = float(value(loss(y.astype("float32"), p.astype("float32"))))
        assert got == pytest.approx(ref(y, p).mean(), rel=2e-5, abs=1e-6)


@pytest.mark.parametrize("name", sorted(CASES))
def test_loss_class_reductions_and_sample_weight(name):
    ref, y, p, _, cls = CASES[name]
    per_sample = ref(y, p)
    y32, p32 = y.astype("float32"), p.astype("float32")
    weights = rng.uniform(0, 2, N)
    assert float(value(cls()(y32, p32))) == pytest.approx(per_sample.mean(), rel=2e-5, abs=1e-6)
    assert float(value(cls(reduction="sum")(y32, p32))) == pytest.approx(per_sample.sum(), rel=2e-5, abs=1e-6)
    np.testing.assert_allclose(value(cls(reduction="none")(y32, p32)), per_sample, rtol=2e-5, atol=1e-6)
    # Keras 'sum_over_batch_size': sum(loss * w) / batch size (not / sum of weights)
    assert float(value(cls()(y32, p32, sample_weight=weights))) == pytest.approx(
        (per_sample * weights).sum() / N, rel=2e-5, abs=1e-6)
    assert float(value(cls()(y32, p32, sample_weight=weights[:, None]))) == pytest.approx(
        (per_sample * weights).sum() / N, rel=2e-5, abs=1e-6)
    assert losses.get(cls.__name__).__class__ is cls
    assert isinstance(losses.get(cls), cls)


def test_loss_class_names_follow_keras():
    assert losses.MeanSquaredError().name == "mean_squared_error"
    assert losses.BinaryCrossentropy().name == "binary_crossentropy"
    assert losses.Huber().name == "huber_loss"
    assert losses.CategoricalCrossentropy(name="xent").name == "xent"


# --- from_logits ------------------------------------------------------------------------------------------
def test_binary_crossentropy_from_logits():
    z = rng.standard_normal((N, 3)) * 3
    y = rng.integers(0, 2, (N, 3)).astype(float)
    expected = -np.mean(y * np.log(sigmoid(z)) + (1 - y) * np.log(1 - sigmoid(z)), -1)
    np.testing.assert_allclose(value(losses.binary_crossentropy(y, z, from_logits=True)), expected, rtol=1e-5)
    got = value(losses.BinaryCrossentropy(from_logits=True)(y, z))
    assert float(got) == pytest.approx(expected.mean(), rel=1e-5)
    # large logits stay finite and exact
    big = np.array([[100.0, -100.0]], "float32")
    np.testing.assert_allclose(value(losses.binary_crossentropy(np.array([[0.0, 1.0]]), big, from_logits=True)),
                               [100.0], rtol=1e-6)


def test_categorical_crossentropy_from_logits():
    z = rng.standard_normal((N, C)) * 3
    np.testing.assert_allclose(value(losses.categorical_crossentropy(ONE_HOT, z, from_logits=True)),
                               -np.sum(ONE_HOT * np.log(softmax(z)), -1), rtol=1e-5)
    got = value(losses.CategoricalCrossentropy(from_logits=True)(ONE_HOT, z))
    assert float(got) == pytest.approx(-np.sum(ONE_HOT * np.log(softmax(z)), -1).mean(), rel=1e-5)


@pytest.mark.parametrize("labels", [LABELS, LABELS.reshape(-1, 1), LABELS.astype("float32")])
def test_sparse_categorical_crossentropy_from_logits(labels):
    z = rng.standard_normal((N, C)) * 3
    expected = -np.log(softmax(z)[np.arange(N), LABELS])
    np.testing.assert_allclose(value(losses.sparse_categorical_crossentropy(labels, z, from_logits=True)), expected,
                               rtol=1e-5)
    assert float(value(losses.SparseCategoricalCrossentropy(from_logits=True)(labels, z))) == pytest.approx(
        expected.mean(), rel=1e-5)


def test_sparse_labels_out_of_range():
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        losses.sparse_categorical_crossentropy(np.array([0, 4]), DIST_P[:2])


def test_label_smoothing():
    y, p = BIN_Y, PROB_P
    np.testing.assert_allclose(value(losses.binary_crossentropy(y, p, label_smoothing=0.2)),
                               ref_bce(y * 0.8 + 0.1, p), rtol=1e-5)
    np.testing.assert_allclose(value(losses.categorical_crossentropy(ONE_HOT, DIST_P, label_smoothing=0.2)),
                               ref_cce(ONE_HOT * 0.8 + 0.2 / C, DIST_P), rtol=1e-5)


def test_probabilities_are_clipped():
    y = np.array([[1.0, 0.0]])
    p = np.array([[0.0, 1.0]])
    # p = 0 where y = 1 costs -log(eps) (not inf); p = 1 where y = 0 costs -log(1 - float32(1 - eps))
    np.testing.assert_allclose(value(losses.binary_crossentropy(y[:, :1], p[:, :1])), -np.log(EPS), rtol=1e-6)
    assert np.isfinite(value(losses.binary_crossentropy(y, p))).all()
    np.testing.assert_allclose(value(losses.categorical_crossentropy(y, p)), -np.log(EPS), rtol=1e-6)


# --- the fused path: y_pred straight out of a sigmoid/softmax uses the logits underneath ------------------
@pytest.mark.parametrize("kind", ["binary", "categorical", "sparse"])
def test_fused_path_equals_unfused(kind):
    z = rng.standard_normal((N, C)) * 2
    act, fn, y = {"binary": (ops.sigmoid, losses.binary_crossentropy, BIN_Y),
                  "categorical": (ops.softmax, losses.categorical_crossentropy, ONE_HOT),
                  "sparse": (ops.softmax, losses.sparse_categorical_crossentropy, LABELS)}[kind]
    v_fused, v_plain = Variable(z, dtype="float64"), Variable(z, dtype="float64")
    fused = ops.mean(fn(y, act(v_fused)))
    probs = act(v_plain)
    # an identity op between the activation and the loss hides the activation: the unfused formula
    plain = ops.mean(fn(y, ops.multiply(probs, 1.0)))
    assert float(fused.numpy()) == pytest.approx(float(plain.numpy()), rel=1e-9)
    (g_fused,) = gradients(fused, [v_fused])
    (g_plain,) = gradients(plain, [v_plain])
    np.testing.assert_allclose(g_fused, g_plain, rtol=1e-7, atol=1e-12)


def test_fused_path_stays_finite_where_probabilities_saturate():
    z = Variable(np.array([[40.0, -40.0]]), dtype="float32")
    loss = ops.mean(losses.binary_crossentropy(np.array([[0.0, 1.0]]), ops.sigmoid(z)))
    assert float(loss.numpy()) == pytest.approx(40.0, rel=1e-5)  # from the logits, not -log(eps)
    (g,) = gradients(loss, [z])
    np.testing.assert_allclose(g, [[0.5, -0.5]], rtol=1e-5)


def test_fused_softmax_gradient_is_p_minus_y():
    z = Variable(rng.standard_normal((N, C)), dtype="float64")
    loss = ops.mean(losses.categorical_crossentropy(ONE_HOT, ops.softmax(z)))
    (g,) = gradients(loss, [z])
    np.testing.assert_allclose(g, (softmax(z.value) - ONE_HOT) / N, rtol=1e-9)


@pytest.mark.parametrize("name", ["mean_squared_error", "binary_crossentropy", "categorical_crossentropy",
                                  "sparse_categorical_crossentropy"])
def test_unweighted_batch_mean_comes_from_the_loss_op_itself(name):
    """Without sample weights, Loss asks the fused op for the mean: one node, same value and gradient."""
    z = rng.standard_normal((N, C))
    act = ops.sigmoid if name == "binary_crossentropy" else ops.softmax
    y = {"binary_crossentropy": BIN_Y, "sparse_categorical_crossentropy": LABELS}.get(name, ONE_HOT)
    v_one, v_two = Variable(z, dtype="float64"), Variable(z, dtype="float64")
    one_node = losses.get(name)(y, act(v_one))
    two_nodes = ops.mean(getattr(losses, name)(y, act(v_two)))
    assert isinstance(one_node.op, _Loss) and one_node.op.reduction == "mean"
    assert float(one_node.numpy()) == pytest.approx(float(two_nodes.numpy()), rel=1e-12)
    np.testing.assert_allclose(gradients(one_node, [v_one])[0], gradients(two_nodes, [v_two])[0], rtol=1e-12)


# --- get / serialize --------------------------------------------------------------------------------------
def test_get_function_and_unknown():
    def my_loss(y_true, y_pred):
        return K.mean(K.abs(y_pred - y_true), axis=-1)
    loss = losses.get(my_loss)
    assert loss.name == "my_loss"
    assert float(value(loss(REAL_Y, REAL_P))) == pytest.approx(ref_mae(REAL_Y, REAL_P).mean(), rel=1e-5)
    with pytest.raises(ValueError, match="Unknown loss 'msee'.*mean_squared_error"):
        losses.get("msee")


def test_serialize():
    assert losses.serialize(losses.get("mse")) == "mse"
    config = losses.serialize(losses.Huber(delta=2.0))
    assert config["class_name"] == "Huber" and config["config"]["delta"] == 2.0
    restored = losses.get(config)
    assert isinstance(restored, losses.Huber) and restored.fn_kwargs["delta"] == 2.0


def test_huber_delta():
    y, p = REAL_Y * 3, REAL_P
    np.testing.assert_allclose(value(losses.huber(y, p, delta=2.0)), ref_huber(y, p, 2.0), rtol=1e-6)
    assert float(value(losses.Huber(delta=2.0)(y, p))) == pytest.approx(ref_huber(y, p, 2.0).mean(), rel=1e-6)


def test_hinge_with_minus_one_plus_one_labels():
    y = 2 * BIN_Y - 1
    np.testing.assert_allclose(value(losses.hinge(y, REAL_P)), ref_hinge(BIN_Y, REAL_P), rtol=1e-6)


def test_loss_functions_return_float32_tensors_for_float32_input():
    for name in CASES:
        _, y, p, _, _ = CASES[name]
        out = getattr(losses, name)(y.astype("float32"), p.astype("float32"))
        assert out.dtype == np.float32, name


# --- losses in training -----------------------------------------------------------------------------------
def test_user_defined_loss_from_backend_ops_trains_like_mse():
    def my_mse(y_true, y_pred):
        return K.mean(K.square(y_pred - y_true), axis=-1)

    x = rng.standard_normal((64, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], "float32") + 0.3
    results = []
    for loss in (my_mse, "mse"):
        K.clear_session()
        from zerodl.utils import set_random_seed
        set_random_seed(0)
        model = Sequential([Dense(1, input_shape=(3,))])
        model.compile(SGD(0.1), loss)
        history = model.fit(x, y, epochs=30, batch_size=16, verbose=0, shuffle=False)
        results.append((history.history["loss"], model.get_weights()))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5)
    assert results[0][0][-1] < 0.01 * results[0][0][0]
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_user_loss_with_clip_and_log_trains():
    def weighted_bce(y_true, y_pred):
        p = K.clip(y_pred, K.epsilon(), 1 - K.epsilon())
        return -K.mean(2.0 * y_true * K.log(p) + (1 - y_true) * K.log(1 - p), axis=-1)

    x = rng.standard_normal((100, 2)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("float32")
    model = Sequential([Dense(1, input_shape=(2,), activation="sigmoid")])
    model.compile(SGD(0.5), weighted_bce, metrics=["accuracy"])
    history = model.fit(x, y, epochs=20, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["accuracy"][-1] > 0.9


def test_loss_class_instance_with_from_logits_in_compile():
    x = rng.standard_normal((60, 2)).astype("float32")
    y = (x[:, 0] > 0).astype(int)
    model = Sequential([Dense(3, input_shape=(2,))])
    model.compile(SGD(0.5), losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    history = model.fit(x, y, epochs=30, verbose=0)
    assert history.history["accuracy"][-1] > 0.9
    logits = model.predict(x)
    expected = -np.log(softmax(logits.astype(np.float64))[np.arange(60), y]).mean()
    assert model.evaluate(x, y, verbose=0)[0] == pytest.approx(expected, rel=1e-5)


def test_every_loss_name_and_class_is_covered_here():
    covered = set(CASES) | {a.lower() for case in CASES.values() for a in case[3]}
    assert set(losses._FUNCTIONS) <= covered
    assert set(losses._CLASSES) == {case[4].__name__ for case in CASES.values()}
