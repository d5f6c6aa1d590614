"""Interoperability with real Keras 3: models zerodl saves load in Keras, and Keras's load in zerodl,
with predictions equal within 1e-5 and the optimizer state carried over.

Keras runs in a subprocess (keras_side.py) with KERAS_BACKEND=numpy, so its backend is fixed per
process and it never shares one with zerodl. Keras's numpy backend imports jax (installed by the
`[test]` extra); the tests skip, saying why, only when Keras cannot be imported.
"""
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from zerodl import layers
from zerodl.layers import Activation, Dense, Dropout, Flatten, Input, Reshape
from zerodl.models import Model, Sequential, load_model
from zerodl.saving.training_config import optimizer_variables
from zerodl.utils import set_random_seed

HERE = pathlib.Path(__file__).resolve().parent
TOLERANCE = 1e-5


def keras_env():
    return dict(os.environ, KERAS_BACKEND="numpy", TF_CPP_MIN_LOG_LEVEL="3")


@pytest.fixture(scope="module")
def keras_importable():
    probe = subprocess.run([sys.executable, "-c", "import keras"], env=keras_env(), capture_output=True, text=True)
    if probe.returncode != 0:
        reason = (probe.stderr.strip().splitlines() or ["?"])[-1]
        pytest.skip(f"Keras 3 is not importable with KERAS_BACKEND=numpy ({reason}); pip install 'zerodl[test]'")


def zerodl_models():
    set_random_seed(3)
    sequential = Sequential([Reshape((2, 3), input_shape=(6,)), Flatten(), Dense(8, activation="relu"),
                             Dropout(0.2), Dense(3), Activation("softmax")])
    sequential.compile("nadam", "categorical_crossentropy", metrics=["accuracy"])
    inputs = Input((6,))
    merged = layers.Concatenate()([Dense(5, activation="relu")(inputs), inputs])
    deep = Dense(3)(layers.LeakyReLU(0.1)(Dense(4)(merged)))
    shallow = Activation("sigmoid")(layers.Add()([Dense(2)(inputs), layers.PReLU()(Dense(2)(inputs))]))
    functional = Model(inputs, [deep, shallow])
    functional.compile("adam", "mse")
    return sequential, functional


def zerodl_conv_rnn_models():
    """Convolutional and recurrent layers: their weights nest as Keras nests them (an RNN's cell,
    Bidirectional's forward/backward layers, TimeDistributed's layer)."""
    conv = Sequential([layers.Conv2D(4, 3, padding="same", activation="relu", input_shape=(8, 8, 2)),
                       layers.MaxPooling2D(), layers.BatchNormalization(), layers.Flatten(), layers.Dense(3)])
    conv.compile("rmsprop", "mse")
    rnn = Sequential([layers.Embedding(20, 4, input_shape=(7,)),
                      layers.Bidirectional(layers.LSTM(3, return_sequences=True)),
                      layers.TimeDistributed(layers.Dense(2)), layers.GRU(3), layers.Dense(1)])
    rnn.compile("sgd", "mse")
    return conv, rnn


@pytest.fixture(scope="module")
def exchange(keras_importable, tmp_path_factory):
    """zerodl saves its models, Keras loads them and saves its own; the results of both sides."""
    work = tmp_path_factory.mktemp("keras_exchange")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 6)).astype("float32")
    np.save(work / "x.npy", x)
    sequential, functional = zerodl_models()
    sequential.fit(x, np.eye(3)[rng.integers(0, 3, 40)], epochs=2, batch_size=8, verbose=0)
    functional.fit(x, [rng.standard_normal((40, 3)), rng.random((40, 2))], epochs=2, batch_size=8, verbose=0)
    conv, rnn = zerodl_conv_rnn_models()
    inputs = {"zerodl_conv": rng.standard_normal((6, 8, 8, 2)).astype("float32"),
              "zerodl_rnn": rng.integers(0, 20, (6, 7)).astype("float32")}
    conv.fit(inputs["zerodl_conv"], rng.standard_normal((6, 3)), epochs=1, batch_size=3, verbose=0)
    rnn.fit(inputs["zerodl_rnn"], rng.standard_normal((6, 1)), epochs=1, batch_size=3, verbose=0)
    ours = {}
    models = (("zerodl_seq", sequential), ("zerodl_fun", functional), ("zerodl_conv", conv), ("zerodl_rnn", rnn))
    for name, model in models:
        if name in inputs:
            np.save(work / f"{name}.x.npy", inputs[name])
        model.save(work / f"{name}.keras")
        model.save(work / f"{name}.h5")
        model.save_weights(work / f"{name}.weights.h5")
        prediction = model.predict(inputs.get(name, x))
        ours[name] = {"pred": prediction if isinstance(prediction, list) else [prediction],
                      "optimizer_vars": optimizer_variables(model)[0]}
    run = subprocess.run([sys.executable, str(HERE / "keras_side.py"), str(work)], env=keras_env(),
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    return {"work": work, "x": x, "ours": ours,
            "keras_loaded": json.loads((work / "keras_loaded.json").read_text()),
            "keras_saved": json.loads((work / "keras_saved.json").read_text())}


def max_difference(expected, got):
    assert len(expected) == len(got)
    return max(float(np.abs(np.asarray(e, dtype=np.float64) - np.asarray(g, dtype=np.float64)).max())
               for e, g in zip(expected, got))


ZERODL_FILES = [f"zerodl_{kind}.{ext}" for kind in ("seq", "fun", "conv", "rnn") for ext in ("keras", "h5")]
KERAS_FILES = [f"keras_{kind}.{ext}" for kind in ("seq", "fun", "conv", "rnn") for ext in ("keras", "h5")]


def batch(exchange, stem):
    own = exchange["work"] / f"{stem}.x.npy"
    return np.load(own) if own.exists() else exchange["x"]


@pytest.mark.parametrize("name", ZERODL_FILES)
def test_zerodl_model_predicts_the_same_in_keras(exchange, name):
    loaded = exchange["keras_loaded"][name]
    assert max_difference(exchange["ours"][name.split(".")[0]]["pred"], loaded["pred"]) < TOLERANCE
    assert max_difference(exchange["ours"][name.split(".")[0]]["pred"], loaded["pred_weights_only"]) < TOLERANCE


@pytest.mark.parametrize("name,optimizer", [("zerodl_seq.keras", "Nadam"), ("zerodl_fun.keras", "Adam"),
                                            ("zerodl_conv.keras", "RMSprop"), ("zerodl_rnn.keras", "SGD")])
def test_keras_takes_over_zerodl_optimizer_state(exchange, name, optimizer):
    loaded = exchange["keras_loaded"][name]
    assert loaded["optimizer"] == optimizer
    ours = exchange["ours"][name.split(".")[0]]["optimizer_vars"]
    theirs = loaded["optimizer_vars"]
    assert len(theirs) == len(ours) >= 2
    assert int(theirs[0]) == int(ours[0]) == (10 if "conv" not in name and "rnn" not in name else 2)
    for mine, keras_value in zip(ours[1:], theirs[1:]):  # Keras keeps float32
        np.testing.assert_allclose(np.asarray(keras_value), np.asarray(mine, dtype=np.float32), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", KERAS_FILES)
def test_keras_model_predicts_the_same_in_zerodl(exchange, name):
    stem = name.split(".")[0]
    saved = exchange["keras_saved"][stem]
    model = load_model(exchange["work"] / name)
    x = batch(exchange, stem)
    prediction = model.predict(x)
    prediction = prediction if isinstance(prediction, list) else [prediction]
    assert max_difference(saved["pred"], prediction) < TOLERANCE
    # the optimizer state Keras saved is the one zerodl goes on from
    assert model.optimizer.iterations == 7
    assert max_difference(saved["optimizer_vars"][2:], optimizer_variables(model)[0][2:]) == 0.0
    model.fit(x, [np.zeros_like(p) for p in prediction], epochs=1, batch_size=len(x) // 2, verbose=0)
    assert model.optimizer.iterations == 9


@pytest.mark.parametrize("stem", ["keras_seq", "keras_fun", "keras_conv", "keras_rnn"])
def test_keras_weights_only_file_loads_in_zerodl(exchange, stem):
    saved = exchange["keras_saved"][stem]
    model = load_model(exchange["work"] / f"{stem}.keras", compile=False)
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    model.load_weights(exchange["work"] / f"{stem}.weights.h5")
    prediction = model.predict(batch(exchange, stem))
    assert max_difference(saved["pred"], prediction if isinstance(prediction, list) else [prediction]) < TOLERANCE
