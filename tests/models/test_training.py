"""The training engine: fit (batching, epochs, verbose output, validation, shuffling, weights,
initial_epoch, History), evaluate, predict and their Keras 2 / *_on_batch forms, input conversion,
reproducibility, gradients against finite differences, learning rate changes from callbacks."""
import re

import numpy as np
import pandas as pd
import pytest

from zerodl import backend as K
from zerodl.callbacks import Callback, History
from zerodl.layers import Dense, Dropout
from zerodl.models import Sequential
from zerodl.optimizers import SGD, Adam
from zerodl.utils import set_random_seed, to_categorical

rng = np.random.default_rng(13)
X = rng.standard_normal((100, 2)).astype("float32")
Y = (np.hypot(X[:, 0], X[:, 1]) < 1).astype(int)


def course_model(lr=0.5, metrics=("accuracy",)):
    model = Sequential([Dense(4, input_shape=(2,), activation="tanh"), Dense(1, activation="sigmoid")])
    model.compile(SGD(lr=lr), "binary_crossentropy", metrics=list(metrics))
    return model


class Recorder(Callback):
    """Records batch sizes and the calls made."""

    def __init__(self):
        super().__init__()
        self.sizes, self.calls, self.epoch_logs = [], [], []

    def on_train_begin(self, logs=None): self.calls.append("train_begin")
    def on_epoch_begin(self, epoch, logs=None): self.calls.append(f"epoch_begin {epoch}")
    def on_batch_begin(self, batch, logs=None): self.sizes.append(logs["size"])
    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(f"epoch_end {epoch}")
        self.epoch_logs.append(dict(logs))
    def on_train_end(self, logs=None): self.calls.append("train_end")


# --- fit: batches, epochs, output ---------------------------------------------------------------------
def test_fit_batches_and_epochs():
    model = course_model()
    rec = Recorder()
    model.fit(X, Y, batch_size=32, epochs=3, verbose=0, callbacks=[rec])
    assert rec.calls[0] == "train_begin" and rec.calls[-1] == "train_end"
    assert rec.calls.count("epoch_end 2") == 1
    assert len(rec.sizes) == 3 * 4
    assert model.optimizer.iterations == 12


def test_fit_default_batch_size_is_32():
    model = course_model()
    model.fit(X, Y, epochs=1, verbose=0)
    assert model.optimizer.iterations == 4
    assert model.history.params == {"verbose": 0, "epochs": 1, "steps": 4}


def test_last_batch_is_the_remainder():
    """Training with batch_size 30 on 100 samples = 3 batches of 30 and one of 10, in order."""
    K.set_floatx("float64")
    try:
        set_random_seed(0)
        model = Sequential([Dense(1, input_shape=(2,))])
        model.compile(SGD(0.1), "mse")
        W0, b0 = [w.astype(np.float64) for w in model.get_weights()]
        x, y = X.astype(np.float64), Y.astype(np.float64)[:, None]
        model.fit(x, y, batch_size=30, epochs=1, verbose=0, shuffle=False)
        W, b = W0.copy(), b0.copy()
        for start in range(0, 100, 30):
            xb, yb = x[start:start + 30], y[start:start + 30]
            err = xb @ W + b - yb
            gW, gb = 2 * xb.T @ err / len(xb), 2 * err.sum(0) / len(xb)
            W, b = W - 0.1 * gW, b - 0.1 * gb
        np.testing.assert_allclose(model.get_weights()[0], W, rtol=1e-10)
        np.testing.assert_allclose(model.get_weights()[1], b, rtol=1e-10)
    finally:
        K.set_floatx("float32")


def test_verbose_1_output(capsys):
    course_model().fit(X, Y, epochs=3, verbose=1)
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if line.startswith("Epoch")] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    bars = [line for line in out.splitlines() if line.startswith("4/4 [")]
    assert len(bars) == 3
    assert re.search(r"4/4 \[=+\] - .* - loss: \d\.\d{4} - accuracy: \d\.\d{4}", bars[0])


def test_verbose_default_prints_like_1(capsys):
    course_model().fit(X, Y, epochs=2)
    assert "Epoch 2/2" in capsys.readouterr().out


def test_verbose_2_one_line_per_epoch(capsys):
    course_model().fit(X, Y, epochs=20, verbose=2, validation_split=0.2)
    lines = capsys.readouterr().out.splitlines()
    epochs = [l for l in lines if l.startswith("Epoch ")]
    assert epochs[2] == "Epoch 3/20" and len(epochs) == 20
    progress = [l for l in lines if not l.startswith("Epoch ")]
    assert len(progress) == 20
    for line in progress:
        assert "[" not in line and "\r" not in line
        assert re.match(r"3/3 - \S+ - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - "
                        r"val_accuracy: \d\.\d{4}", line), line


def test_verbose_0_prints_nothing(capsys):
    model = course_model()
    model.fit(X, Y, epochs=3, verbose=0, validation_split=0.1)
    model.evaluate(X, Y, verbose=0)
    model.predict(X)
    assert capsys.readouterr().out == ""


def test_evaluate_prints_by_default_and_predict_not(capsys):
    model = course_model()
    model.evaluate(X, Y)
    assert "loss:" in capsys.readouterr().out
    model.predict(X)
    assert capsys.readouterr().out == ""


# --- validation ---------------------------------------------------------------------------------------
def test_validation_split_takes_the_last_fraction():
    model = course_model(lr=0.0)
    h = model.fit(X, Y, epochs=2, verbose=0, validation_split=0.2, batch_size=100)
    assert set(h.history) >= {"loss", "accuracy", "acc", "val_loss", "val_accuracy", "val_acc"}
    val_loss, val_acc = model.evaluate(X[80:], Y[80:], verbose=0)
    assert h.history["val_loss"][-1] == pytest.approx(val_loss, rel=1e-6)
    assert h.history["val_accuracy"][-1] == pytest.approx(val_acc)
    assert h.history["loss"][-1] == pytest.approx(model.evaluate(X[:80], Y[:80], verbose=0)[0], rel=1e-6)
    assert model.history.params["steps"] == 1


def test_validation_data():
    model = course_model(lr=0.0)
    h = model.fit(X[:50], Y[:50], epochs=1, verbose=0, validation_data=(X[50:], Y[50:]))
    assert h.history["val_loss"][0] == pytest.approx(model.evaluate(X[50:], Y[50:], verbose=0)[0], rel=1e-6)
    h = model.fit(X[:50], Y[:50], epochs=1, verbose=0, validation_data=(X[50:], Y[50:], np.full(50, 2.0)))
    assert h.history["val_loss"][0] == pytest.approx(2 * model.evaluate(X[50:], Y[50:], verbose=0)[0], rel=1e-6)
    with pytest.raises(ValueError, match="validation_data"):
        model.fit(X, Y, verbose=0, validation_data=X)


def test_validation_does_not_train_on_validation_samples():
    model = course_model()
    rec = Recorder()
    model.fit(X, Y, epochs=1, verbose=0, validation_split=0.5, batch_size=15, callbacks=[rec])
    assert rec.sizes == [15, 15, 15, 5]


# --- shuffling and reproducibility ------------------------------------------------------------------
def test_shuffle_false_is_deterministic_given_weights():
    model = course_model()
    start = model.get_weights()
    model.fit(X, Y, epochs=3, verbose=0, shuffle=False)
    first = model.get_weights()
    model.set_weights(start)
    model.optimizer = SGD(lr=0.5)
    model.compile(model.optimizer, "binary_crossentropy", metrics=["accuracy"])
    model.fit(X, Y, epochs=3, verbose=0, shuffle=False)
    for a, b in zip(first, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_shuffle_changes_batch_order():
    model = course_model()
    start = model.get_weights()
    model.fit(X, Y, epochs=1, verbose=0, shuffle=False, batch_size=10)
    unshuffled = model.get_weights()
    model.set_weights(start)
    model.fit(X, Y, epochs=1, verbose=0, shuffle=True, batch_size=10)
    assert not np.array_equal(unshuffled[0], model.get_weights()[0])


def _seeded_run(seed):
    K.clear_session()
    set_random_seed(seed)
    model = Sequential([Dense(8, input_shape=(2,), activation="relu"), Dropout(0.3), Dense(1, activation="sigmoid")])
    model.compile(Adam(0.01), "binary_crossentropy", metrics=["accuracy"])
    h = model.fit(X, Y, epochs=3, verbose=0, validation_split=0.1)
    return model.get_weights(), h.history


def test_set_random_seed_twice_gives_bitwise_identical_training():
    w1, h1 = _seeded_run(42)
    w2, h2 = _seeded_run(42)
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
    assert h1 == h2
    w3, _ = _seeded_run(43)
    assert not np.array_equal(w1[0], w3[0])


# --- sample and class weights -----------------------------------------------------------------------
def _bce(p, y):
    p = np.clip(p.astype(np.float64), 1e-7, 1 - 1e-7)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def test_sample_weight_scales_per_sample_losses():
    model = course_model(lr=0.0)
    weights = rng.uniform(0, 3, 100)
    p = model.predict(X)[:, 0]
    expected = np.sum(_bce(p, Y) * weights) / 100  # Keras: sum(w * loss) / batch size
    assert model.evaluate(X, Y, sample_weight=weights, verbose=0, batch_size=100)[0] == pytest.approx(expected,
                                                                                                     rel=1e-5)
    h = model.fit(X, Y, sample_weight=weights, verbose=0, batch_size=100)
    assert h.history["loss"][0] == pytest.approx(expected, rel=1e-5)
    zero = model.evaluate(X, Y, sample_weight=np.zeros(100), verbose=0)[0]
    assert zero == 0.0
    column = model.evaluate(X, Y, sample_weight=weights.reshape(-1, 1), verbose=0, batch_size=100)[0]
    assert column == pytest.approx(expected, rel=1e-5)  # (n, 1) weights act as (n,)


def test_class_weight_scales_per_class():
    model = course_model(lr=0.0)
    p = model.predict(X)[:, 0]
    cw = {0: 1.0, 1: 5.0}
    expected = np.mean(_bce(p, Y) * np.where(Y == 1, 5.0, 1.0))
    h = model.fit(X, Y, class_weight=cw, verbose=0, batch_size=100)
    assert h.history["loss"][0] == pytest.approx(expected, rel=1e-5)


def test_class_weight_with_one_hot_targets():
    model = Sequential([Dense(3, input_shape=(2,), activation="softmax")])
    model.compile(SGD(0.0), "categorical_crossentropy")
    labels = rng.integers(0, 3, 100)
    p = model.predict(X).astype(np.float64)
    per_sample = -np.log(p[np.arange(100), labels])
    cw = {0: 1.0, 1: 2.0, 2: 0.5}
    h = model.fit(X, to_categorical(labels), class_weight=cw, verbose=0, batch_size=100)
    expected = np.mean(per_sample * np.array([1.0, 2.0, 0.5])[labels])
    assert h.history["loss"][0] == pytest.approx(expected, rel=1e-5)


def test_class_weight_changes_training():
    a, b = course_model(), course_model()
    b.set_weights(a.get_weights())
    a.fit(X, Y, epochs=2, verbose=0, shuffle=False)
    b.fit(X, Y, epochs=2, verbose=0, shuffle=False, class_weight={0: 1, 1: 10})
    assert b.predict(X).mean() > a.predict(X).mean()


# --- initial_epoch and History ----------------------------------------------------------------------
def test_initial_epoch(capsys):
    model = course_model()
    h = model.fit(X, Y, epochs=5, initial_epoch=2, verbose=1)
    out = capsys.readouterr().out
    assert [l for l in out.splitlines() if l.startswith("Epoch")] == ["Epoch 3/5", "Epoch 4/5", "Epoch 5/5"]
    assert h.epoch == [2, 3, 4] and len(h.history["loss"]) == 3


def test_history_object():
    model = course_model()
    h = model.fit(X, Y, epochs=4, verbose=0, validation_split=0.25)
    assert isinstance(h, History) and h is model.history
    assert h.epoch == [0, 1, 2, 3]
    assert h.params["epochs"] == 4 and h.params["steps"] == 3
    for key in ("loss", "accuracy", "acc", "val_loss", "val_accuracy", "val_acc"):
        assert len(h.history[key]) == 4 and all(isinstance(v, float) for v in h.history[key])
    df = pd.DataFrame(h.history)
    assert list(df["acc"]) == h.history["accuracy"] and len(df) == 4
    assert h.history["loss"][-1] < h.history["loss"][0]


def test_history_is_fresh_for_each_fit():
    model = course_model()
    model.fit(X, Y, epochs=2, verbose=0)
    h = model.fit(X, Y, epochs=3, verbose=0)
    assert len(h.history["loss"]) == 3 and h.epoch == [0, 1, 2]


def test_stop_training_from_callback():
    class Stop(Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                self.model.stop_training = True

    h = course_model().fit(X, Y, epochs=10, verbose=0, callbacks=[Stop()])
    assert h.epoch == [0, 1]


# --- evaluate / predict ------------------------------------------------------------------------------
def test_evaluate_scalar_without_metrics_list_with():
    model = course_model(metrics=())
    result = model.evaluate(X, Y, verbose=0)
    assert isinstance(result, float)
    p = model.predict(X)[:, 0]
    assert result == pytest.approx(_bce(p, Y).mean(), rel=1e-5)
    model = course_model(metrics=("accuracy", "mse"))
    result = model.evaluate(X, Y, verbose=0)
    assert isinstance(result, list) and len(result) == 3
    assert model.metrics_names == ["loss", "accuracy", "mse"]
    assert model.evaluate(X, Y, verbose=0, return_dict=True).keys() == {"loss", "accuracy", "mse"}


def test_evaluate_is_independent_of_batch_size():
    model = course_model()
    a = model.evaluate(X, Y, batch_size=7, verbose=0)
    b = model.evaluate(X, Y, batch_size=100, verbose=0)
    np.testing.assert_allclose(a, b, rtol=1e-5)


@pytest.mark.parametrize("batch_size", [1, 7, 32, 1000])
def test_predict_batch_size(batch_size):
    model = course_model()
    W1, b1, W2, b2 = model.get_weights()
    expected = 1 / (1 + np.exp(-(np.tanh(X @ W1 + b1) @ W2 + b2)))
    out = model.predict(X, batch_size=batch_size)
    assert out.shape == (100, 1) and out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-5)


def test_predict_classes_and_proba():
    model = course_model()
    p = model.predict(X)
    classes = model.predict_classes(X)
    assert classes.shape == (100, 1) and classes.dtype == np.int32
    np.testing.assert_array_equal(classes, (p > 0.5).astype(int))
    np.testing.assert_array_equal(model.predict_proba(X), p)
    multi = Sequential([Dense(3, input_shape=(2,), activation="softmax")])
    np.testing.assert_array_equal(multi.predict_classes(X), multi.predict(X).argmax(-1))
    assert multi.predict_classes(X).shape == (100,)


def test_on_batch_methods():
    model = course_model(metrics=())
    p = model.predict_on_batch(X[:10])
    np.testing.assert_allclose(p, model.predict(X[:10]), rtol=1e-6)
    before = model.test_on_batch(X[:10], Y[:10])
    assert before == pytest.approx(_bce(p[:, 0], Y[:10]).mean(), rel=1e-5)
    loss = model.train_on_batch(X[:10], Y[:10])
    assert loss == pytest.approx(before, rel=1e-5)  # the loss before the update
    assert model.test_on_batch(X[:10], Y[:10]) < before
    assert model.optimizer.iterations == 1
    model = course_model()
    result = model.train_on_batch(X[:10], Y[:10])
    assert isinstance(result, list) and len(result) == 2
    assert model.train_on_batch(X[:10], Y[:10], return_dict=True).keys() == {"loss", "accuracy"}


# --- input conversion --------------------------------------------------------------------------------
@pytest.mark.parametrize("convert", [
    lambda x, y: (x.tolist(), y.tolist()),
    lambda x, y: (pd.DataFrame(x, columns=["a", "b"]), pd.Series(y)),
    lambda x, y: (x, y.astype(bool)),
    lambda x, y: (x, y.reshape(-1, 1)),
    lambda x, y: (x.astype(np.float64), y.astype(np.float32)),
    lambda x, y: (pd.DataFrame(x), pd.DataFrame(y)),
], ids=["lists", "pandas", "bool_y", "n1_y", "float64", "dataframe_y"])
def test_fit_accepts_common_input_types(convert):
    reference = course_model(lr=0.0)
    expected = reference.evaluate(X, Y, verbose=0)
    model = course_model(lr=0.0)
    model.set_weights(reference.get_weights())
    x, y = convert(X, Y)
    h = model.fit(x, y, epochs=1, verbose=0, batch_size=100)
    assert h.history["loss"][0] == pytest.approx(expected[0], rel=1e-6)
    np.testing.assert_allclose(model.evaluate(x, y, verbose=0), expected, rtol=1e-6)
    np.testing.assert_allclose(model.predict(x), reference.predict(X), rtol=1e-6)


def test_object_arrays_from_get_dummies():
    df = pd.DataFrame({"num": rng.standard_normal(30), "cat": rng.choice(["a", "b", "c"], 30)})
    features = pd.concat([df[["num"]], pd.get_dummies(df["cat"])], axis=1)
    as_object = features.values
    assert as_object.dtype == object
    model = Sequential([Dense(1, input_shape=(4,), activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy")
    y = (df["num"] > 0).values
    model.fit(as_object, y, epochs=1, verbose=0)
    model.fit(features, y, epochs=1, verbose=0)
    np.testing.assert_allclose(model.predict(as_object), model.predict(features.astype(float).values), rtol=1e-6)


def test_predict_on_1d_input_for_input_shape_1():
    model = Sequential([Dense(1, input_shape=(1,))])
    model.compile(SGD(0.01), "mse")
    x = np.linspace(0, 1, 20)
    model.fit(x, 3 * x + 1, epochs=2, verbose=0)
    W, b = model.get_weights()
    np.testing.assert_allclose(model.predict(x), x[:, None] @ W + b, rtol=1e-5)
    np.testing.assert_allclose(model.predict(pd.Series(x)), model.predict(x[:, None]), rtol=1e-6)
    assert np.isfinite(model.evaluate(x, 3 * x + 1, verbose=0))


def test_sparse_categorical_with_integer_and_n1_targets():
    model = Sequential([Dense(3, input_shape=(2,), activation="softmax")])
    model.compile(SGD(0.0), "sparse_categorical_crossentropy", metrics=["accuracy"])
    labels = rng.integers(0, 3, 100)
    a = model.evaluate(X, labels, verbose=0)
    b = model.evaluate(X, labels.reshape(-1, 1), verbose=0)
    c = model.evaluate(X, labels.astype(float), verbose=0)
    np.testing.assert_allclose(a, b, rtol=1e-6)
    np.testing.assert_allclose(a, c, rtol=1e-6)


# --- gradients ---------------------------------------------------------------------------------------
def test_training_step_gradients_equal_finite_differences():
    K.set_floatx("float64")
    try:
        model = Sequential([Dense(3, input_shape=(2,), activation="tanh", kernel_regularizer="l2",
                                  activity_regularizer="l1"),
                            Dense(2, activation="softmax", bias_regularizer="l2", bias_initializer="ones")])
        model.compile(SGD(1.0), "categorical_crossentropy")
        x = rng.standard_normal((5, 2))
        y = to_categorical(rng.integers(0, 2, 5), 2)
        start = model.get_weights()

        def loss_at(weights):
            model.set_weights(weights)
            return model.evaluate(x, y, verbose=0, batch_size=5)

        numeric = []
        for i, w in enumerate(start):
            g = np.zeros_like(w)
            for j in np.ndindex(*w.shape):
                up = [v.copy() for v in start]
                down = [v.copy() for v in start]
                up[i][j] += 1e-6
                down[i][j] -= 1e-6
                g[j] = (loss_at(up) - loss_at(down)) / 2e-6
            numeric.append(g)
        model.set_weights(start)
        model.train_on_batch(x, y)  # SGD(lr=1): w_new = w - grad
        for w0, w1, g in zip(start, model.get_weights(), numeric):
            np.testing.assert_allclose(w0 - w1, g, rtol=1e-6, atol=1e-9)
    finally:
        K.set_floatx("float32")


# --- learning rate from a callback ---------------------------------------------------------------------
def test_learning_rate_readable_and_settable_from_callback():
    seen = []

    class Halve(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            seen.append(float(K.get_value(self.model.optimizer.lr)))
            if epoch == 1:
                K.set_value(self.model.optimizer.lr, 0.25)
            if epoch == 2:
                self.model.optimizer.learning_rate = 0.0
                self.weights = self.model.get_weights()

    model = course_model(lr=0.5)
    cb = Halve()
    model.fit(X, Y, epochs=3, verbose=0, callbacks=[cb])
    assert seen == [0.5, 0.5, 0.25]
    assert float(model.optimizer.lr) == 0.0
    for a, b in zip(cb.weights, model.get_weights()):  # lr 0 in the last epoch: no change
        np.testing.assert_array_equal(a, b)
