"""evaluate and predict call the on_test_* / on_predict_* hooks, as Keras does; fit calls the test
hooks around its validation pass."""
import numpy as np

from zerodl.callbacks import Callback
from zerodl.layers import Dense
from zerodl.models import Sequential


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_test_begin(self, logs=None): self.events.append(("test_begin",))
    def on_test_batch_end(self, batch, logs=None): self.events.append(("test_batch", batch, round(logs["loss"], 6)))
    def on_test_end(self, logs=None): self.events.append(("test_end", round(logs["loss"], 6)))
    def on_predict_begin(self, logs=None): self.events.append(("predict_begin",))
    def on_predict_batch_end(self, batch, logs=None): self.events.append(("predict_batch", batch, logs["outputs"]))
    def on_predict_end(self, logs=None): self.events.append(("predict_end",))


def model_and_data():
    x = np.random.default_rng(0).normal(size=(10, 3)).astype("float32")
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile("sgd", "mse")
    return model, x, x.sum(1)


def test_evaluate_calls_test_hooks_with_running_logs():
    model, x, y = model_and_data()
    recorder = Recorder()
    loss = model.evaluate(x, y, batch_size=4, verbose=0, callbacks=[recorder])
    kinds = [e[0] for e in recorder.events]
    assert kinds == ["test_begin", "test_batch", "test_batch", "test_batch", "test_end"]
    assert [e[1] for e in recorder.events[1:4]] == [0, 1, 2]
    assert recorder.events[-1][1] == round(loss, 6) == recorder.events[-2][2]
    assert recorder.model is model


def test_predict_calls_predict_hooks_with_each_batch_outputs():
    model, x, _ = model_and_data()
    recorder = Recorder()
    predictions = model.predict(x, batch_size=4, callbacks=[recorder])
    batches = [e for e in recorder.events if e[0] == "predict_batch"]
    assert recorder.events[0] == ("predict_begin",) and recorder.events[-1] == ("predict_end",)
    np.testing.assert_array_equal(np.concatenate([b[2] for b in batches]), predictions)
    np.testing.assert_array_equal(predictions, model.predict(x, batch_size=4))


def test_fit_validation_calls_test_hooks_each_epoch():
    model, x, y = model_and_data()
    recorder = Recorder()
    history = model.fit(x, y, epochs=2, validation_split=0.4, verbose=0, callbacks=[recorder])
    ends = [e[1] for e in recorder.events if e[0] == "test_end"]
    assert ends == [round(v, 6) for v in history.history["val_loss"]]
