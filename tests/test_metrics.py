"""zerodl.metrics: metric functions against NumPy, the 'accuracy' choice Keras makes, top-k,
regression metrics, Metric objects, user metric functions and history key naming."""
import numpy as np
import pandas as pd
import pytest

from zerodl import backend as K
from zerodl import metrics
from zerodl.layers import Dense, Input
from zerodl.models import Model, Sequential
from zerodl.optimizers import SGD

rng = np.random.default_rng(3)


def values(x):
    return np.asarray(x.numpy() if hasattr(x, "numpy") else x)


# --- metric functions ---------------------------------------------------------------------------
def test_binary_accuracy():
    y = np.array([[1.0], [0.0], [1.0], [0.0]])
    p = np.array([[0.7], [0.6], [0.4], [0.1]])
    np.testing.assert_array_equal(values(metrics.binary_accuracy(y, p)), [1, 0, 0, 1])
    np.testing.assert_array_equal(values(metrics.binary_accuracy(y, p, threshold=0.35)), [1, 0, 1, 1])
    multi = metrics.binary_accuracy(np.array([[1, 0, 1]]), np.array([[0.9, 0.2, 0.3]]))
    np.testing.assert_allclose(values(multi), [2 / 3], rtol=1e-6)


def test_categorical_and_sparse_accuracy():
    p = np.array([[0.1, 0.8, 0.1], [0.5, 0.2, 0.3], [0.2, 0.2, 0.6]])
    labels = np.array([1, 2, 2])
    np.testing.assert_array_equal(values(metrics.categorical_accuracy(np.eye(3)[labels], p)), [1, 0, 1])
    np.testing.assert_array_equal(values(metrics.sparse_categorical_accuracy(labels, p)), [1, 0, 1])
    np.testing.assert_array_equal(values(metrics.sparse_categorical_accuracy(labels[:, None], p)), [1, 0, 1])
    np.testing.assert_array_equal(values(metrics.sparse_categorical_accuracy(labels.astype(float), p)), [1, 0, 1])


def test_top_k_accuracy():
    p = np.array([[0.1, 0.5, 0.3, 0.1], [0.4, 0.3, 0.2, 0.1], [0.25, 0.25, 0.25, 0.25]])
    labels = np.array([2, 3, 0])
    np.testing.assert_array_equal(values(metrics.sparse_top_k_categorical_accuracy(labels, p, k=2)), [1, 0, 1])
    np.testing.assert_array_equal(values(metrics.top_k_categorical_accuracy(np.eye(4)[labels], p, k=2)), [1, 0, 1])
    np.testing.assert_array_equal(values(metrics.sparse_top_k_categorical_accuracy(labels, p, k=1)), [0, 0, 1])
    np.testing.assert_array_equal(values(metrics.top_k_categorical_accuracy(np.eye(4)[labels], p)), [1, 1, 1])
    m = metrics.SparseTopKCategoricalAccuracy(k=2)
    m.update_state(labels, p)
    assert m.result() == pytest.approx(2 / 3)
    assert m.name == "sparse_top_k_categorical_accuracy"


def test_regression_metrics():
    y, p = rng.standard_normal((6, 3)), rng.standard_normal((6, 3))
    np.testing.assert_allclose(values(metrics.mse(y, p)), ((y - p) ** 2).mean(-1), rtol=1e-5)
    np.testing.assert_allclose(values(metrics.mae(y, p)), np.abs(y - p).mean(-1), rtol=1e-5)
    np.testing.assert_allclose(values(metrics.mape(y, p)), 100 * np.abs((y - p) / np.abs(y)).mean(-1), rtol=1e-5)
    for cls, ref in ((metrics.MeanSquaredError, ((y - p) ** 2).mean()), (metrics.MeanAbsoluteError,
                                                                          np.abs(y - p).mean())):
        m = cls()
        m.update_state(y[:4], p[:4])
        m.update_state(y[4:], p[4:])
        assert m.result() == pytest.approx(ref, rel=1e-5)
        m.reset_state()
        assert m.result() == 0.0


def test_mean_metric_weighting():
    m = metrics.Mean()
    m.update_state([1.0, 2.0, 3.0])
    m.update_state([4.0], sample_weight=[3.0])
    assert m.result() == pytest.approx((1 + 2 + 3 + 12) / 6)
    acc = metrics.BinaryAccuracy()
    acc.update_state(np.array([[1.0], [0.0]]), np.array([[0.9], [0.9]]), sample_weight=[3.0, 1.0])
    assert acc.result() == pytest.approx(0.75)


def test_get_names_and_unknown():
    assert metrics.get("mse").name == "mse"
    assert metrics.get("mean_absolute_error").fn is metrics.mean_absolute_error
    assert isinstance(metrics.get(metrics.CategoricalAccuracy), metrics.CategoricalAccuracy)
    with pytest.raises(ValueError, match="Unknown metric 'acuracy'.*accuracy"):
        metrics.get("acuracy")


# --- 'accuracy' in compile: binary / categorical / sparse, as Keras chooses ---------------------------
def _compiled(units, activation, loss, metric="accuracy"):
    model = Sequential([Dense(units, input_shape=(2,), activation=activation)])
    model.compile("sgd", loss, metrics=[metric])
    return model


@pytest.mark.parametrize("metric", ["accuracy", "acc"])
@pytest.mark.parametrize("units, activation, loss, expected", [
    (1, "sigmoid", "binary_crossentropy", metrics.binary_accuracy),
    (1, "sigmoid", "mse", metrics.binary_accuracy),
    (3, "softmax", "categorical_crossentropy", metrics.categorical_accuracy),
    (3, "softmax", "sparse_categorical_crossentropy", metrics.sparse_categorical_accuracy),
    (3, "softmax", "mse", metrics.categorical_accuracy),
])
def test_accuracy_resolves_like_keras(metric, units, activation, loss, expected):
    model = _compiled(units, activation, loss, metric)
    (_, resolved, _), = model._metrics
    assert resolved.fn is expected
    assert resolved.name == metric


def test_accuracy_values_in_evaluate_match_numpy():
    x = rng.standard_normal((50, 2)).astype("float32")
    labels = rng.integers(0, 3, 50)
    model = _compiled(3, "softmax", "sparse_categorical_crossentropy")
    p = model.predict(x)
    expected = (p.argmax(-1) == labels).mean()
    assert model.evaluate(x, labels, verbose=0)[1] == pytest.approx(expected)
    model = _compiled(3, "softmax", "categorical_crossentropy")
    model.set_weights(model.get_weights())
    p = model.predict(x)
    assert model.evaluate(x, np.eye(3)[labels], verbose=0)[1] == pytest.approx((p.argmax(-1) == labels).mean())
    model = _compiled(1, "sigmoid", "binary_crossentropy")
    p = model.predict(x)
    y = labels % 2
    assert model.evaluate(x, y, verbose=0)[1] == pytest.approx(((p[:, 0] > 0.5) == y).mean())


# --- metrics in fit: names and values -----------------------------------------------------------------
def _data(n=40):
    x = rng.standard_normal((n, 2)).astype("float32")
    return x, (x[:, 0] > 0).astype(int)


def test_history_keys_for_named_metrics():
    x, y = _data()
    model = _compiled(1, "sigmoid", "binary_crossentropy", "accuracy")
    model.compile("sgd", "binary_crossentropy", metrics=["accuracy", "mse", "mae", "binary_crossentropy"])
    h = model.fit(x, y, epochs=2, verbose=0, validation_split=0.25)
    for key in ("loss", "accuracy", "acc", "mse", "mae", "binary_crossentropy",
                "val_loss", "val_accuracy", "val_acc", "val_mse", "val_mae"):
        assert len(h.history[key]) == 2, key
    assert h.history["acc"] == h.history["accuracy"]
    assert pd.DataFrame(h.history)["acc"].tolist() == h.history["accuracy"]


def test_history_keys_for_acc_spelling():
    x, y = _data()
    model = _compiled(1, "sigmoid", "binary_crossentropy", "acc")
    h = model.fit(x, y, epochs=1, verbose=0, validation_data=(x, y))
    assert set(h.history) >= {"loss", "acc", "accuracy", "val_loss", "val_acc", "val_accuracy"}
    assert model.metrics_names == ["loss", "acc"]


def test_metric_objects_and_user_functions():
    x, y = _data()

    def my_metric(y_true, y_pred):
        return K.mean(K.abs(y_true - y_pred), axis=-1)

    model = Sequential([Dense(1, input_shape=(2,), activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=[metrics.BinaryAccuracy(), my_metric])
    h = model.fit(x, y, epochs=1, verbose=0)
    assert "binary_accuracy" in h.history and "my_metric" in h.history
    p = model.predict(x)[:, 0]
    result = model.evaluate(x, y, verbose=0, return_dict=True)
    assert result["my_metric"] == pytest.approx(np.abs(y - p).mean(), rel=1e-5)
    assert result["binary_accuracy"] == pytest.approx(((p > 0.5) == y).mean())


def test_user_metric_returning_numpy_and_scalar():
    x, y = _data()

    def positives(y_true, y_pred):
        return np.asarray(y_pred > 0.5, dtype=float).mean(axis=-1)

    model = Sequential([Dense(1, input_shape=(2,), activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=[positives])
    result = model.evaluate(x, y, verbose=0, return_dict=True)
    assert result["positives"] == pytest.approx((model.predict(x) > 0.5).mean())


def test_metrics_are_unweighted_and_weighted_metrics_weighted():
    """Keras: `metrics` ignore sample_weight/class_weight; `weighted_metrics` use them."""
    x = np.array([[1.0], [1.0], [-1.0], [-1.0]], "float32")
    y = np.array([1, 0, 0, 0])
    model = Sequential([Dense(1, input_shape=(1,), activation="sigmoid", kernel_initializer="ones")])
    model.compile(SGD(0.0), "binary_crossentropy", metrics=["accuracy"], weighted_metrics=["accuracy"])
    result = model.evaluate(x, y, sample_weight=np.array([1.0, 3.0, 1.0, 1.0]), verbose=0, return_dict=True)
    assert result["accuracy"] == pytest.approx(0.75)  # predictions 1, 1, 0, 0
    assert result["weighted_accuracy"] == pytest.approx(3 / 6)
    h = model.fit(x, y, class_weight={0: 1.0, 1: 3.0}, epochs=1, verbose=0, batch_size=4)
    assert h.history["accuracy"] == [pytest.approx(0.75)]
    assert h.history["weighted_accuracy"] == [pytest.approx((3 + 0 + 1 + 1) / 6)]


def test_multi_output_metric_names():
    inp = Input((2,))
    a = Dense(1, activation="sigmoid", name="a")(inp)
    b = Dense(3, activation="softmax", name="b")(inp)
    model = Model(inp, [a, b])
    model.compile("sgd", ["binary_crossentropy", "sparse_categorical_crossentropy"], metrics=["accuracy"])
    x, y = _data()
    h = model.fit(x, [y, y * 2], epochs=1, verbose=0)
    assert set(h.history) >= {"loss", "a_loss", "b_loss", "a_accuracy", "b_accuracy"}
    model.compile("sgd", ["binary_crossentropy", "sparse_categorical_crossentropy"],
                  metrics={"a": "accuracy", "b": ["accuracy", "sparse_top_k_categorical_accuracy"]})
    h = model.fit(x, [y, y * 2], epochs=1, verbose=0)
    assert set(h.history) >= {"a_accuracy", "b_accuracy", "b_sparse_top_k_categorical_accuracy"}
    resolved = {m.name: m.fn for _, m, _ in model._metrics}
    assert resolved["a_accuracy"] is metrics.binary_accuracy
    assert resolved["b_accuracy"] is metrics.sparse_categorical_accuracy
