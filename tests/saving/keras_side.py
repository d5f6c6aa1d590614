"""Run by test_keras_interop.py in a subprocess with KERAS_BACKEND=numpy: real Keras 3 loads the files
zerodl saved and saves its own for zerodl to load. Usage: python keras_side.py WORKDIR.

WORKDIR/x.npy is the input batch; every zerodl_*.keras / .h5 file there is loaded and its predictions
and optimizer variables written to keras_loaded.json; Keras's own models are saved as keras_*.keras,
keras_*.h5 and keras_*.weights.h5 with their predictions in keras_saved.json.
"""
import json
import os
import sys
import warnings

import numpy as np

warnings.simplefilter("ignore")
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

work = sys.argv[1]
x = np.load(os.path.join(work, "x.npy"))


def outputs(prediction):
    return [p.tolist() for p in prediction] if isinstance(prediction, list) else [prediction.tolist()]


def inputs_for(stem):
    """A model's own input batch (stem.x.npy) when it has one, else x.npy."""
    own = os.path.join(work, stem + ".x.npy")
    return np.load(own) if os.path.exists(own) else x


loaded = {}
for name in sorted(os.listdir(work)):
    if name.startswith("zerodl_") and name.endswith((".keras", ".h5")) and not name.endswith(".weights.h5"):
        model = keras.saving.load_model(os.path.join(work, name))
        batch = inputs_for(name.split(".")[0])
        entry = {"pred": outputs(model.predict(batch, verbose=0)), "layers": [layer.name for layer in model.layers]}
        if model.optimizer is not None:
            entry["optimizer"] = type(model.optimizer).__name__
            entry["optimizer_vars"] = [np.asarray(v).tolist() for v in model.optimizer.variables]
        weights_file = os.path.join(work, name.split(".")[0] + ".weights.h5")
        if os.path.exists(weights_file):  # zerodl's weights-only file into a fresh copy of the model
            twin = keras.models.model_from_json(model.to_json())
            twin.load_weights(weights_file)
            entry["pred_weights_only"] = outputs(twin.predict(batch, verbose=0))
        loaded[name] = entry
json.dump(loaded, open(os.path.join(work, "keras_loaded.json"), "w"))

rng = np.random.default_rng(5)
features = x.shape[1]
sequential = keras.Sequential([keras.Input((features,)), L.Reshape((2, features // 2)), L.Flatten(),
                               L.Dense(8, activation="relu"), L.Dropout(0.3), L.Dense(3), L.Activation("softmax")])
inputs = keras.Input((features,))
a = L.Dense(5, activation="tanh")(inputs)
b = L.Dense(4, activation="sigmoid")(inputs)
functional = keras.Model(inputs, [L.Dense(2)(L.Dense(3)(a)), L.Activation("relu")(L.Dense(2)(b))])
conv = keras.Sequential([keras.Input((8, 8, 2)), L.Conv2D(4, 3, padding="same", activation="relu"), L.MaxPooling2D(),
                         L.BatchNormalization(), L.Flatten(), L.Dense(3)])
rnn = keras.Sequential([keras.Input((7,)), L.Embedding(20, 4), L.Bidirectional(L.LSTM(3, return_sequences=True)),
                        L.TimeDistributed(L.Dense(2)), L.GRU(3), L.Dense(1)])
np.save(os.path.join(work, "keras_conv.x.npy"), rng.standard_normal((6, 8, 8, 2)).astype("float32"))
np.save(os.path.join(work, "keras_rnn.x.npy"), rng.integers(0, 20, (6, 7)).astype("float32"))
saved = {}
for name, model in (("keras_seq", sequential), ("keras_fun", functional), ("keras_conv", conv), ("keras_rnn", rnn)):
    model.set_weights([rng.standard_normal(w.shape).astype("float32") * 0.5 + ("variance" in v.path)
                       for w, v in zip(model.get_weights(), model.weights)])  # variances stay positive
    model.compile(keras.optimizers.Adam(0.01), "mse", metrics=["mae"])
    model.optimizer.build(model.trainable_variables)
    # Keras's numpy backend cannot train: give the optimizer a state by hand, as if it had.
    for variable in model.optimizer.variables:
        if "iteration" in variable.path:
            variable.assign(7)
        elif variable.path.endswith(("momentum", "velocity")):
            variable.assign(np.abs(rng.standard_normal(variable.shape)).astype("float32") * 0.1)
    model.save(os.path.join(work, name + ".keras"))
    model.save(os.path.join(work, name + ".h5"))
    model.save_weights(os.path.join(work, name + ".weights.h5"))
    saved[name] = {"pred": outputs(model.predict(inputs_for(name), verbose=0)),
                   "optimizer_vars": [np.asarray(v).tolist() for v in model.optimizer.variables]}
json.dump(saved, open(os.path.join(work, "keras_saved.json"), "w"))
