"""Saving and loading in zerodl: whole models (.keras, .h5), weights only (.weights.h5, .h5), and
training that resumes bit for bit where it stopped."""
import numpy as np
import pytest

from zerodl import optimizers
from zerodl.layers import Activation, Dense, Dropout, Flatten, Input, Reshape
from zerodl.models import Model, Sequential, load_model
from zerodl.utils import set_random_seed

pytest.importorskip("h5py", reason="h5py is the optional extra zerodl[h5]")

rng = np.random.default_rng(0)
X = rng.standard_normal((48, 6)).astype("float32")
Y = np.eye(3, dtype="float32")[rng.integers(0, 3, 48)]


def classifier(optimizer="adam"):
    model = Sequential([Dense(8, input_shape=(6,), activation="tanh"), Dropout(0.25), Dense(3, activation="softmax")])
    model.compile(optimizer, "categorical_crossentropy", metrics=["accuracy"])
    return model


def same_weights(a, b):
    return len(a.get_weights()) == len(b.get_weights()) and all(
        np.array_equal(u, v) for u, v in zip(a.get_weights(), b.get_weights()))


@pytest.mark.parametrize("ext", ["keras", "h5", "hdf5"])
def test_train_save_load_train_equals_training_straight_through(tmp_path, ext):
    """2 epochs, save, load, 2 more == 4 epochs, bitwise, with shuffling and dropout: the optimizer state is
    saved, and loading leaves zerodl's random generator as it was (so the shuffles that follow are the same)."""
    set_random_seed(11)
    first = classifier()
    first.fit(X, Y, epochs=2, batch_size=8, verbose=0)
    first.save(tmp_path / f"model.{ext}")
    resumed = load_model(tmp_path / f"model.{ext}")
    resumed.fit(X, Y, epochs=2, batch_size=8, verbose=0)

    set_random_seed(11)
    straight = classifier()
    straight.fit(X, Y, epochs=4, batch_size=8, verbose=0)
    assert resumed.optimizer.iterations == straight.optimizer.iterations == 24
    assert same_weights(resumed, straight)


@pytest.mark.parametrize("name", sorted(optimizers._OPTIMIZERS))
def test_every_optimizer_resumes_exactly(tmp_path, name):
    optimizer = optimizers.get(name)
    if name == "sgd":
        optimizer = optimizers.SGD(0.1, momentum=0.9, nesterov=True)
    set_random_seed(2)
    model = classifier(optimizer)
    model.fit(X, Y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    model.save(tmp_path / "m.keras")
    copy = load_model(tmp_path / "m.keras")
    assert type(copy.optimizer) is type(model.optimizer)
    assert copy.optimizer.get_config() == model.optimizer.get_config()
    for m in (model, copy):
        set_random_seed(5)  # the same dropout masks for both
        m.fit(X, Y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    assert same_weights(model, copy)


def test_loaded_model_keeps_compile_settings(tmp_path):
    model = classifier(optimizers.SGD(learning_rate=0.05, momentum=0.5, decay=1e-3, clipnorm=1.0))
    model.save(tmp_path / "m.keras")
    copy = load_model(tmp_path / "m.keras")
    assert copy.optimizer.get_config() == model.optimizer.get_config()
    assert copy.loss == "categorical_crossentropy"
    history = copy.fit(X, Y, epochs=1, verbose=0)
    assert set(history.history) >= {"loss", "accuracy", "acc"}
    assert not load_model(tmp_path / "m.keras", compile=False).compiled


def test_functional_model_with_several_outputs(tmp_path):
    inputs = Input((6,), name="features")
    hidden = Dense(5, activation="relu", name="hidden")(inputs)
    deep = Dense(2, name="deep")(Dense(4, activation="tanh")(hidden))
    flat = Flatten()(Reshape((3, 2))(Dense(6)(inputs)))
    wide = Activation("sigmoid", name="wide")(Dense(1)(flat))
    model = Model(inputs, [deep, wide])
    model.compile("rmsprop", {"deep": "mse", "wide": "binary_crossentropy"}, loss_weights=[1.0, 0.5])
    model.fit(X, [X[:, :2], (X[:, :1] > 0).astype("float32")], epochs=1, verbose=0)
    for ext in ("keras", "h5"):
        model.save(tmp_path / f"m.{ext}")
        copy = load_model(tmp_path / f"m.{ext}")
        assert [layer.name for layer in copy.layers] == [layer.name for layer in model.layers]
        for a, b in zip(model.predict(X), copy.predict(X)):
            np.testing.assert_array_equal(a, b)
        assert copy._loss_weights_spec == [1.0, 0.5]


@pytest.mark.parametrize("filename", ["w.weights.h5", "w.h5", "w.hdf5"])
def test_weights_only(tmp_path, filename):
    model = classifier()
    model.fit(X, Y, epochs=1, verbose=0)
    model.save_weights(tmp_path / filename)
    other = classifier()
    assert not same_weights(model, other)
    other.load_weights(tmp_path / filename)
    assert same_weights(model, other)


def test_load_weights_from_whole_model_files(tmp_path):
    model = classifier()
    model.save(tmp_path / "m.keras")
    model.save(tmp_path / "m.h5")
    for path in ("m.keras", "m.h5"):
        other = classifier()
        other.load_weights(tmp_path / path)
        assert same_weights(model, other)


def test_keras2_layout_loads_by_name(tmp_path):
    model = Sequential([Dense(4, input_shape=(6,), name="a"), Dense(2, name="b")])
    model.save_weights(tmp_path / "w.h5")
    other = Sequential([Dense(4, input_shape=(6,), name="a"), Dense(7, name="c")])
    other.load_weights(tmp_path / "w.h5", by_name=True)
    np.testing.assert_array_equal(other.get_layer("a").get_weights()[0], model.get_layer("a").get_weights()[0])


def test_mismatched_weights_are_refused_and_leave_the_model_unchanged(tmp_path):
    classifier().save_weights(tmp_path / "w.weights.h5")
    classifier().save_weights(tmp_path / "w.h5")
    other = Sequential([Dense(8, input_shape=(6,)), Dense(4)])
    before = other.get_weights()
    for path in ("w.weights.h5", "w.h5"):
        with pytest.raises(ValueError, match="shape"):
            other.load_weights(tmp_path / path)
        assert all(np.array_equal(a, b) for a, b in zip(before, other.get_weights()))


def test_save_needs_a_known_extension(tmp_path):
    model = classifier()
    with pytest.raises(ValueError, match=r"\.keras"):
        model.save(tmp_path / "model.ckpt")
    model.save(tmp_path / "model.ckpt", save_format="h5")
    assert same_weights(model, load_model(tmp_path / "model.ckpt"))
    with pytest.raises(ValueError, match=r"\.weights\.h5"):
        model.save_weights(tmp_path / "w.bin")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "model.ckpt", save_format="h5", overwrite=False)


def test_unbuilt_sequential_round_trips(tmp_path):
    model = Sequential([Dense(3), Dense(1)])
    model.save(tmp_path / "m.keras")
    copy = load_model(tmp_path / "m.keras")
    assert [type(layer).__name__ for layer in copy.layers] == ["Dense", "Dense"]
    assert copy.predict(X).shape == (48, 1)
