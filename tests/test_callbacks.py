"""Callbacks: EarlyStopping, ModelCheckpoint, CSVLogger, LambdaCallback, LearningRateScheduler,
ReduceLROnPlateau, TerminateOnNaN, TensorBoard -- their logic on scripted values and in real fits."""
import csv
import json
import math
import subprocess
import sys
import warnings

import numpy as np
import pytest

from zerodl import callbacks as C
from zerodl.layers import Dense
from zerodl.models import Model, Sequential
from zerodl.optimizers import SGD


def small_model(optimizer="adam"):
    model = Sequential([Dense(4, input_shape=(2,), activation="tanh"), Dense(1, activation="sigmoid")])
    model.compile(optimizer, "binary_crossentropy", metrics=["accuracy"])
    return model


def data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)).astype("float32")
    return X, (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)


def scripted(name, values):
    """A callback that overwrites logs[name] with the next scripted value (placed before the one tested)."""
    return C.LambdaCallback(on_epoch_end=lambda epoch, logs: logs.__setitem__(name, values[epoch]))


class FakeOptimizer:
    def __init__(self, lr):
        self.learning_rate = lr


class FakeModel:
    """Just what the monitoring callbacks touch: weights, stop_training and an optimizer."""

    def __init__(self):
        self.weights, self.stop_training, self.optimizer = [np.zeros(1)], False, FakeOptimizer(0.1)

    def get_weights(self):
        return [w.copy() for w in self.weights]

    def set_weights(self, weights):
        self.weights = [w.copy() for w in weights]


def drive(callback, values, monitor="val_loss", model=None):
    """Feed a monitored sequence epoch by epoch, as fit would; return the epochs run."""
    model = model or FakeModel()
    callback.set_model(model)
    callback.on_train_begin()
    for epoch, value in enumerate(values):
        model.weights = [np.full(1, float(epoch))]
        callback.on_epoch_end(epoch, {monitor: value})
        if model.stop_training:
            break
    callback.on_train_end()
    return epoch + 1


# --- EarlyStopping ---------------------------------------------------------------------------
def test_early_stopping_patience_and_min_delta():
    assert drive(C.EarlyStopping(patience=2), [1.0, 0.9, 0.95, 0.94, 0.93]) == 4
    assert drive(C.EarlyStopping(patience=0), [1.0, 0.9, 0.95, 0.8]) == 3
    assert drive(C.EarlyStopping(patience=1, min_delta=0.05), [1.0, 0.99, 0.5]) == 2
    assert drive(C.EarlyStopping(patience=1, min_delta=-0.05), [1.0, 0.99, 0.5]) == 2  # |min_delta| is used


def test_early_stopping_mode_auto_min_max_and_unknown():
    assert drive(C.EarlyStopping(monitor="val_acc", patience=0), [0.5, 0.6, 0.55], "val_acc") == 3
    assert drive(C.EarlyStopping(monitor="val_acc", patience=0), [0.5, 0.4, 0.3], "val_acc") == 2
    assert drive(C.EarlyStopping(monitor="val_auc", patience=0), [0.5, 0.4], "val_auc") == 2
    assert drive(C.EarlyStopping(monitor="val_mae", patience=0), [0.5, 0.4, 0.3], "val_mae") == 3
    assert drive(C.EarlyStopping(monitor="score", mode="max", patience=0), [1, 2, 1], "score") == 3
    assert drive(C.EarlyStopping(monitor="val_acc", mode="min", patience=0), [0.5, 0.6], "val_acc") == 2
    with pytest.warns(UserWarning, match="EarlyStopping mode bogus is unknown, fallback to auto mode."):
        stopper = C.EarlyStopping(mode="bogus")
    assert stopper.mode == "auto"


def test_early_stopping_baseline_and_start_from_epoch():
    # Improving but never past the baseline: the first non-improving epoch stops training.
    assert drive(C.EarlyStopping(monitor="acc", patience=2, baseline=0.9), [0.5, 0.6, 0.55], "acc") == 3
    assert drive(C.EarlyStopping(monitor="acc", patience=2), [0.5, 0.6, 0.55, 0.7], "acc") == 4
    assert drive(C.EarlyStopping(monitor="acc", patience=1, baseline=0.5), [0.6, 0.7, 0.65, 0.8], "acc") == 3
    assert drive(C.EarlyStopping(patience=0, start_from_epoch=2), [1, 2, 3, 4, 5]) == 4


def test_early_stopping_restore_best_weights_and_messages(capsys):
    model = FakeModel()
    stopper = C.EarlyStopping(patience=1, restore_best_weights=True, verbose=1)
    assert drive(stopper, [0.9, 0.5, 0.7, 0.8], model=model) == 3
    assert model.weights[0][0] == 1.0 and stopper.best_epoch == 1 and stopper.stopped_epoch == 2
    assert capsys.readouterr().out == ("Epoch 3: early stopping\n"
                                       "Restoring model weights from the end of the best epoch: 2.\n")


def test_early_stopping_in_fit_restores_weights_and_accepts_keras2_names():
    X, y = data()
    model = small_model()
    seen = []
    record = C.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(model.get_weights()))
    stopper = C.EarlyStopping(monitor="val_acc", patience=2, restore_best_weights=True)
    history = model.fit(X, y, epochs=20, verbose=0, validation_split=0.25,
                        callbacks=[scripted("val_accuracy", [0.5, 0.7, 0.6, 0.65] + [0.1] * 16), record, stopper])
    assert len(history.history["loss"]) == 4 and history.history["val_acc"][:4] == [0.5, 0.7, 0.6, 0.65]
    for restored, best in zip(model.get_weights(), seen[1]):
        np.testing.assert_array_equal(restored, best)
    assert not np.array_equal(seen[1][0], seen[3][0])


def test_early_stopping_keras_docstring_example():
    # keras.callbacks.EarlyStopping docstring: "Only 4 epochs are run."
    model = Sequential([Dense(10)])
    model.compile(SGD(), loss="mse")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the example's loss overflows on purpose
        history = model.fit(np.arange(100).reshape(5, 20), np.zeros((5, 10)), epochs=10, batch_size=1,
                            callbacks=[C.EarlyStopping(monitor="loss", patience=3)], verbose=0)
    assert len(history.history["loss"]) == 4


def test_early_stopping_missing_monitor_warns():
    X, y = data()
    with pytest.warns(UserWarning, match=r"Early stopping conditioned on metric `val_loss` which is not "
                                         r"available. Available metrics are: loss,accuracy"):
        small_model().fit(X, y, epochs=1, verbose=0, callbacks=[C.EarlyStopping()])


# --- ModelCheckpoint -------------------------------------------------------------------------
@pytest.fixture
def saves(monkeypatch):
    """A model whose save/save_weights record (kind, path) instead of writing."""
    calls = []
    model = small_model()
    monkeypatch.setattr(model, "save", lambda path, *a, **k: calls.append(("save", path)), raising=False)
    monkeypatch.setattr(model, "save_weights", lambda path, *a, **k: calls.append(("weights", path)),
                        raising=False)
    return model, calls


def test_checkpoint_template_every_epoch(saves, tmp_path, capsys):
    model, calls = saves
    X, y = data()
    template = str(tmp_path / "ckpt" / "weights.{epoch:02d}-{val_loss:.2f}-{val_acc:.3f}.hdf5")
    history = model.fit(X, y, epochs=3, verbose=0, validation_split=0.25,
                        callbacks=[C.ModelCheckpoint(template, verbose=1)])
    h = history.history
    expected = [str(tmp_path / "ckpt" / f"weights.{e + 1:02d}-{h['val_loss'][e]:.2f}-{h['val_accuracy'][e]:.3f}.hdf5")
                for e in range(3)]
    assert calls == [("save", p) for p in expected]
    assert (tmp_path / "ckpt").is_dir()
    assert f"\nEpoch 2: saving model to {expected[1]}\n" in capsys.readouterr().out


def test_checkpoint_save_best_only_and_weights_only(saves, tmp_path, capsys):
    model, calls = saves
    X, y = data()
    path = str(tmp_path / "best.weights.h5")
    checkpoint = C.ModelCheckpoint(path, monitor="val_acc", save_best_only=True, save_weights_only=True, verbose=1)
    model.fit(X, y, epochs=5, verbose=0, validation_split=0.25,
              callbacks=[scripted("val_accuracy", [0.5, 0.7, 0.6, 0.7, 0.9]), checkpoint])
    assert calls == [("weights", path)] * 3  # epochs 1, 2 and 5 improve (mode auto: accuracy rises)
    assert checkpoint.best == 0.9
    out = capsys.readouterr().out
    assert f"\nEpoch 1: val_acc improved from -inf to 0.50000, saving model to {path}\n" in out
    assert "\nEpoch 3: val_acc did not improve from 0.70000\n" in out


def test_checkpoint_mode_min_threshold_and_missing_monitor(saves, tmp_path):
    model, calls = saves
    X, y = data()
    checkpoint = C.ModelCheckpoint(str(tmp_path / "m.keras"), monitor="val_loss", save_best_only=True,
                                   initial_value_threshold=0.35)
    model.fit(X, y, epochs=4, verbose=0, validation_split=0.25,
              callbacks=[scripted("val_loss", [0.4, 0.3, 0.31, 0.2]), checkpoint])
    assert len(calls) == 2
    calls.clear()
    with pytest.warns(UserWarning, match="Can save best model only with val_loss available."):
        model.fit(X, y, epochs=1, verbose=0, callbacks=[checkpoint])
    assert len(calls) == 1


def test_checkpoint_save_freq_batches_and_period(saves, tmp_path):
    model, calls = saves
    X, y = data(96)  # 3 batches of 32 per epoch
    model.fit(X, y, epochs=2, verbose=0,
              callbacks=[C.ModelCheckpoint(str(tmp_path / "b{epoch}-{batch}.h5"), save_freq=2)])
    assert [p for _, p in calls] == [str(tmp_path / f) for f in ("b1-2.h5", "b2-1.h5", "b2-3.h5")]
    calls.clear()
    model.fit(X, y, epochs=5, verbose=0, callbacks=[C.ModelCheckpoint(str(tmp_path / "p{epoch}.h5"), period=2)])
    assert [p for _, p in calls] == [str(tmp_path / "p2.h5"), str(tmp_path / "p4.h5")]
    with pytest.raises(ValueError, match="Unrecognized save_freq"):
        C.ModelCheckpoint("x.h5", save_freq="batch")


def test_checkpoint_bad_template(saves, tmp_path):
    model, _ = saves
    X, y = data()
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        model.fit(X, y, epochs=1, verbose=0, callbacks=[C.ModelCheckpoint(str(tmp_path / "{val_loss}.h5"))])


@pytest.mark.skipif(not hasattr(Model, "save"), reason="model.save/load_model (zerodl.saving) not written yet")
def test_checkpoint_real_files(tmp_path):
    from zerodl.models import load_model
    X, y = data()
    model = small_model()
    model.fit(X, y, epochs=3, verbose=0, validation_split=0.25, callbacks=[
        C.ModelCheckpoint(str(tmp_path / "model.{epoch:02d}.hdf5")),
        C.ModelCheckpoint(str(tmp_path / "last.keras")),
        C.ModelCheckpoint(str(tmp_path / "last.ckpt")),  # another extension: HDF5, as Keras 2 wrote
        C.ModelCheckpoint(str(tmp_path / "last.weights.h5"), save_weights_only=True)])
    assert sorted(p.name for p in tmp_path.glob("model.*.hdf5")) == ["model.01.hdf5", "model.02.hdf5",
                                                                       "model.03.hdf5"]
    expected = model.predict(X)
    for name in ("model.03.hdf5", "last.keras", "last.ckpt"):
        np.testing.assert_allclose(load_model(str(tmp_path / name)).predict(X), expected, rtol=1e-6)
    fresh = small_model()
    fresh.load_weights(str(tmp_path / "last.weights.h5"))
    np.testing.assert_allclose(fresh.predict(X), expected, rtol=1e-6)


# --- CSVLogger, LambdaCallback ---------------------------------------------------------------
def test_csv_logger_columns_values_and_append(tmp_path):
    X, y = data()
    path = tmp_path / "training.log"
    model = small_model()
    history = model.fit(X, y, epochs=2, verbose=0, validation_split=0.25, callbacks=[C.CSVLogger(path)])
    with open(path) as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [float(v) for v in rows[2][1:]] == [history.history[k][1] for k in rows[0][1:]]
    assert [r[0] for r in rows[1:]] == ["0", "1"]
    model.fit(X, y, epochs=1, verbose=0, validation_split=0.25, callbacks=[C.CSVLogger(path, append=True)])
    model.fit(X, y, epochs=1, verbose=0, callbacks=[C.CSVLogger(tmp_path / "semi.csv", separator=";")])
    lines = path.read_text().splitlines()
    assert len(lines) == 4 and lines.count(lines[0]) == 1
    assert (tmp_path / "semi.csv").read_text().splitlines()[0] == "epoch;accuracy;loss"


def test_lambda_callback_keras2_and_keras3_hooks():
    X, y = data(64)
    events = []
    callback = C.LambdaCallback(on_train_begin=lambda logs: events.append("begin"),
                                on_epoch_end=lambda epoch, logs: events.append(("epoch", epoch, "loss" in logs)),
                                on_batch_end=lambda batch, logs: events.append(("k2", batch)),
                                on_train_end=lambda logs: events.append("end"))
    small_model().fit(X, y, epochs=2, batch_size=32, verbose=0, callbacks=[callback])
    assert events == ["begin", ("k2", 0), ("k2", 1), ("epoch", 0, True), ("k2", 0), ("k2", 1),
                      ("epoch", 1, True), "end"]
    batches = []
    small_model().fit(X, y, epochs=1, batch_size=16, verbose=0, callbacks=[
        C.LambdaCallback(on_train_batch_begin=lambda batch, logs: batches.append(batch))])
    assert batches == [0, 1, 2, 3]
    with pytest.raises(TypeError, match="not a callback hook"):
        C.LambdaCallback(on_epoch_finish=print)


# --- learning rate ---------------------------------------------------------------------------
def test_learning_rate_scheduler_keras_docstring_example(capsys):
    # keras.callbacks.LearningRateScheduler docstring: 0.01 -> 0.00607 after 15 epochs.
    model = Sequential([Dense(10)])
    model.compile(SGD(), loss="mse")
    schedule = lambda epoch, lr: lr if epoch < 10 else lr * math.exp(-0.1)  # noqa: E731
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        history = model.fit(np.arange(100).reshape(5, 20), np.zeros((5, 10)), epochs=15, verbose=0,
                            callbacks=[C.LearningRateScheduler(schedule, verbose=1)])
    assert round(model.optimizer.learning_rate, 5) == 0.00607
    assert history.history["lr"] is history.history["learning_rate"]
    assert history.history["lr"][-1] == pytest.approx(0.01 * math.exp(-0.5))
    assert "\nEpoch 11: LearningRateScheduler setting learning rate to 0.009048" in capsys.readouterr().out


def test_learning_rate_scheduler_keras2_one_argument():
    X, y = data(32)
    model = small_model(SGD(lr=0.1))
    seen = []
    model.fit(X, y, epochs=3, verbose=0, callbacks=[
        C.LearningRateScheduler(lambda epoch: 0.1 * 0.5 ** epoch),
        C.LambdaCallback(on_epoch_begin=lambda e, logs: seen.append(float(model.optimizer.lr)))])
    assert seen == [0.1, 0.05, 0.025]
    with pytest.raises(ValueError, match="should be a float"):
        model.fit(X, y, epochs=1, verbose=0, callbacks=[C.LearningRateScheduler(lambda epoch: "fast")])


def test_reduce_lr_on_plateau_factor_patience_cooldown_min_lr(capsys):
    model = FakeModel()
    model.optimizer.learning_rate = 1.0
    lrs = []
    reducer = C.ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1, min_lr=0.2, verbose=1)
    reducer.set_model(model)
    reducer.on_train_begin()
    for epoch, value in enumerate([1.0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]):
        logs = {"val_loss": value}
        reducer.on_epoch_end(epoch, logs)
        lrs.append(model.optimizer.learning_rate)
        assert logs["learning_rate"] == (lrs[-2] if epoch else 1.0)
    # As in Keras, the cooldown epoch resets the wait but still counts towards the next reduction.
    assert lrs == [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2, 0.2, 0.2, 0.2]
    out = capsys.readouterr().out
    assert "\nEpoch 4: ReduceLROnPlateau reducing learning rate to 0.5.\n" in out
    assert out.count("reducing") == 3  # never below min_lr, and no message once there


def test_reduce_lr_on_plateau_in_fit_with_keras2_epsilon():
    X, y = data()
    model = small_model(SGD(lr=0.2))
    with pytest.warns(UserWarning, match="`epsilon` argument is deprecated"):
        reducer = C.ReduceLROnPlateau(monitor="val_acc", factor=0.1, patience=1, epsilon=0.05)
    assert reducer.min_delta == 0.05
    history = model.fit(X, y, epochs=4, verbose=0, validation_split=0.25,
                        callbacks=[scripted("val_accuracy", [0.5, 0.52, 0.6, 0.61]), reducer])
    assert history.history["lr"] == pytest.approx([0.2, 0.2, 0.02, 0.02])
    assert float(model.optimizer.learning_rate) == pytest.approx(0.002)
    with pytest.raises(ValueError, match="does not support a factor >= 1.0"):
        C.ReduceLROnPlateau(factor=2)


# --- TerminateOnNaN --------------------------------------------------------------------------
def test_terminate_on_nan(capsys):
    X, y = data(64)
    X[40] = np.nan
    model = small_model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        history = model.fit(X, y, epochs=5, batch_size=16, shuffle=False, verbose=0,
                            callbacks=[C.TerminateOnNaN()])
        assert len(history.history["loss"]) == 1
        assert capsys.readouterr().out == "Batch 2: Invalid loss, terminating training\n"
        with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch 2"):
            small_model().fit(X, y, epochs=1, batch_size=16, shuffle=False, verbose=0,
                              callbacks=[C.TerminateOnNaN(raise_error=True)])


# --- TensorBoard -----------------------------------------------------------------------------
def read_run(path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    accumulator = EventAccumulator(str(path), size_guidance={"scalars": 0, "histograms": 0, "tensors": 0})
    accumulator.Reload()
    return accumulator


def test_tensorboard_scalars_histograms_graph(tmp_path):
    pytest.importorskip("tensorboard")
    X, y = data()
    model = small_model(SGD(lr=0.5))
    history = model.fit(X, y, epochs=3, verbose=0, validation_split=0.25, callbacks=[
        C.TensorBoard(tmp_path / "logs", histogram_freq=1)])
    train, validation = read_run(tmp_path / "logs" / "train"), read_run(tmp_path / "logs" / "validation")
    assert set(train.Tags()["scalars"]) == {"epoch_loss", "epoch_accuracy", "epoch_learning_rate"}
    assert {"epoch_loss", "epoch_accuracy"} <= set(validation.Tags()["scalars"])
    for run, prefix in ((train, ""), (validation, "val_")):
        for tag, key in (("epoch_loss", "loss"), ("epoch_accuracy", "accuracy")):
            events = run.Scalars(tag)
            assert [e.step for e in events] == [0, 1, 2]
            np.testing.assert_allclose([e.value for e in events], history.history[prefix + key], rtol=1e-6)
    assert [e.value for e in train.Scalars("epoch_learning_rate")] == pytest.approx([0.5] * 3)
    # Histograms: one per weight per epoch; the last one describes the final weights.
    weights = {w.name: w.value for w in model.weights}
    assert set(train.Tags()["histograms"]) == {f"{name}/histogram" for name in weights}
    kernel = train.Histograms("dense/kernel/histogram")
    assert [h.step for h in kernel] == [0, 1, 2]
    final = kernel[-1].histogram_value
    assert final.num == weights["dense/kernel"].size and sum(final.bucket) == final.num
    assert final.sum == pytest.approx(float(weights["dense/kernel"].sum()), rel=1e-5)
    assert final.min == pytest.approx(float(weights["dense/kernel"].min()))
    # Graph: the Keras model summary TensorBoard's graph plugin turns into a GraphDef.
    from tensorboard.plugins.graph import keras_util
    (graph,) = train.Tensors("keras")
    assert train.summary_metadata["keras"].plugin_data.plugin_name == "graph_keras_model"
    graph_def = keras_util.keras_model_to_graph_def(json.loads(graph.tensor_proto.string_val[0]))
    names = [node.name.split("/")[-1] for node in graph_def.node]
    assert names[-2:] == ["dense", "dense_1"]


def test_tensorboard_batch_updates_and_keras2_arguments(tmp_path):
    pytest.importorskip("tensorboard")
    X, y = data(96)
    model = small_model()
    model.fit(X, y, epochs=2, verbose=0, callbacks=[
        C.TensorBoard(log_dir=str(tmp_path), update_freq=2, write_graph=False, batch_size=32)])
    train = read_run(tmp_path / "train")
    assert [e.step for e in train.Scalars("batch_loss")] == [2, 4, 6]
    assert train.Tags()["tensors"] == [] and not (tmp_path / "validation").exists()


def test_optional_writers_are_not_imported_with_zerodl():
    code = "import sys, zerodl, zerodl.callbacks; print([m for m in ('tensorboard', 'sklearn', 'matplotlib') " \
           "if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
