"""Run by test_recurrent_stacked.py in a subprocess with KERAS_BACKEND=numpy: real Keras 3 runs stacked
RNN cells. Usage: python keras_stacked_side.py WORKDIR.

WORKDIR/cases.json lists the cases ({"cells": [[class name, kwargs], ...], "rnn": RNN kwargs, "mask": a name
in masks.npz or null, "initial_state": bool}); WORKDIR/x.npy (batch, timesteps, features) and WORKDIR/masks.npz
(each (batch, timesteps)) hold the inputs. For case i, WORKDIR/case<i>.npz gets the weights Keras drew (w0, w1,
...), the initial states, flat in cell order (s0, s1, ...), and its outputs with the states flattened in order
(out0, out1, ...). zerodl_stacked.keras is loaded and its prediction saved as zerodl_stacked.npy; Keras's own
model with stacked cells is saved as keras_stacked.keras, its prediction as keras_stacked.npy.
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
x, masks = np.load(os.path.join(work, "x.npy")), np.load(os.path.join(work, "masks.npz"))
rng = np.random.default_rng(7)


def flatten(nested):
    if isinstance(nested, (list, tuple)):
        return [item for part in nested for item in flatten(part)]
    return [np.asarray(nested)]


def random_weights(model):
    model.set_weights([(rng.standard_normal(w.shape) * 0.5).astype("float32") for w in model.get_weights()])


for i, case in enumerate(json.load(open(os.path.join(work, "cases.json")))):
    cells = [getattr(L, name)(**kwargs) for name, kwargs in case["cells"]]
    layer = L.RNN(cells, **case["rnn"])
    layer.build(x.shape)
    random_weights(layer)
    kwargs, states = {}, []
    if case["mask"]:
        kwargs["mask"] = masks[case["mask"]]
    if case["initial_state"]:  # one list per cell, as Keras 3 nests them
        sizes = [cell.state_size if isinstance(cell.state_size, list) else [cell.state_size] for cell in cells]
        kwargs["initial_state"] = [[rng.standard_normal((len(x), n)).astype("float32") for n in cell_sizes]
                                   for cell_sizes in sizes]
        states = flatten(kwargs["initial_state"])
    outputs = flatten(layer(x, **kwargs))
    np.savez(os.path.join(work, f"case{i}.npz"), **{f"w{k}": w for k, w in enumerate(layer.get_weights())},
             **{f"s{k}": s for k, s in enumerate(states)}, **{f"out{k}": o for k, o in enumerate(outputs)})

ours = keras.saving.load_model(os.path.join(work, "zerodl_stacked.keras"))
np.save(os.path.join(work, "zerodl_stacked.npy"), ours.predict(x, verbose=0))
theirs = keras.Sequential([keras.Input(x.shape[1:]), L.RNN([L.LSTMCell(4), L.GRUCell(3)], return_sequences=True),
                           L.RNN(L.StackedRNNCells([L.SimpleRNNCell(3), L.LSTMCell(2)])), L.Dense(1)])
random_weights(theirs)
theirs.save(os.path.join(work, "keras_stacked.keras"))
np.save(os.path.join(work, "keras_stacked.npy"), theirs.predict(x, verbose=0))
