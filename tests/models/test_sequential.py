"""Sequential: construction, add/pop, build (eager and lazy), layer access, parameter counts,
the Keras 2 summary table, and config/JSON round trips."""
import json

import numpy as np
import pytest

from zerodl.layers import Activation, Dense, Dropout, Flatten, Input, InputLayer, Reshape
from zerodl.models import Sequential, model_from_config, model_from_json
from zerodl.optimizers import SGD

rng = np.random.default_rng(9)
X = rng.standard_normal((7, 2)).astype("float32")


def course_model():
    return Sequential([Dense(4, input_shape=(2,), activation="tanh"), Dense(1, activation="sigmoid")])


def numpy_forward(model, x):
    W1, b1, W2, b2 = model.get_weights()
    return 1 / (1 + np.exp(-(np.tanh(x @ W1 + b1) @ W2 + b2)))


# --- construction ---------------------------------------------------------------------------------
def test_constructor_list_and_forward():
    model = course_model()
    assert [type(l).__name__ for l in model.layers] == ["Dense", "Dense"]
    np.testing.assert_allclose(model.predict(X), numpy_forward(model, X), rtol=1e-5)
    assert model(X).numpy().shape == (7, 1)  # callable on arrays too


def test_add_one_layer_at_a_time():
    model = Sequential()
    model.add(Dense(4, input_shape=(2,), activation="tanh"))
    model.add(Dense(1, activation="sigmoid"))
    assert len(model.layers) == 2 and model.built
    np.testing.assert_allclose(model.predict(X), numpy_forward(model, X), rtol=1e-5)


def test_input_first_and_input_layer():
    for first in (Input(shape=(2,)), InputLayer(input_shape=(2,))):
        model = Sequential([first, Dense(3)])
        assert len(model.layers) == 1  # the input layer is not listed (Keras)
        assert model.input_shape == (None, 2) and model.output_shape == (None, 3)


def test_add_rejects_non_layers_and_late_input_layers():
    model = course_model()
    with pytest.raises(TypeError, match="Layer"):
        model.add("dense")
    with pytest.raises(ValueError, match="first layer"):
        model.add(InputLayer(input_shape=(1,)))


def test_incompatible_add_names_layer_and_leaves_model_intact():
    model = Sequential([Flatten(input_shape=(2, 3))])
    with pytest.raises(ValueError, match='"reshape"'):
        model.add(Reshape((4,)))
    assert len(model.layers) == 1 and model.output_shape == (None, 6)


def test_pop():
    model = Sequential([Dense(4, input_shape=(2,)), Dense(3), Dense(1)])
    removed = model.pop()
    assert removed.name == "dense_2"
    assert len(model.layers) == 2 and model.output_shape == (None, 3)
    assert model.predict(X).shape == (7, 3)
    model.add(Dense(5))
    assert model.output_shape == (None, 5)
    model.pop(), model.pop(), model.pop()
    with pytest.raises(TypeError, match="no layers"):
        model.pop()


def test_input_output_and_layer_links():
    model = course_model()
    assert model.input is model.layers[0].input
    assert model.output is model.layers[-1].output
    assert model.inputs == [model.input] and model.outputs == [model.output]
    assert model.input_shape == (None, 2) and model.output_shape == (None, 1)


def test_build_with_input_shape():
    model = Sequential([Dense(4, activation="tanh"), Dense(1)])
    assert not model.weights
    model.build((None, 2))
    assert model.built and model.input_shape == (None, 2) and model.count_params() == 17
    model.build((None, 2))  # building again is a no-op
    assert model.count_params() == 17


def test_lazy_build_from_first_batch():
    model = Sequential([Dense(4, activation="relu"), Dense(1)])
    with pytest.raises(ValueError, match="not yet been built"):
        model.summary()
    with pytest.raises(ValueError, match="cannot be built"):
        model.build()
    model.compile(SGD(0.01), "mse")
    model.fit(rng.standard_normal((10, 3)), rng.standard_normal(10), verbose=0)
    assert model.input_shape == (None, 3) and model.count_params() == 3 * 4 + 4 + 5
    lazy = Sequential([Dense(2)])
    assert lazy.predict(X).shape == (7, 2)
    assert lazy.layers[0].kernel.shape == (2, 2)


def test_get_layer_by_name_and_index():
    model = Sequential([Dense(4, input_shape=(2,), name="hidden"), Dropout(0.5), Dense(1, name="out")])
    assert model.get_layer("hidden") is model.layers[0]
    assert model.get_layer(name="out") is model.layers[2]
    assert model.get_layer(index=1) is model.layers[1]
    assert model.get_layer(index=-1) is model.layers[2]
    with pytest.raises(ValueError, match="No such layer: nope"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="index=5"):
        model.get_layer(index=5)


def test_count_params_and_trainable_weights():
    model = Sequential([Dense(10, input_shape=(5,)), Dropout(0.1), Dense(3)])
    assert model.count_params() == 5 * 10 + 10 + 10 * 3 + 3
    assert [l.count_params() for l in model.layers] == [60, 0, 33]
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    model.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 4


# --- summary -------------------------------------------------------------------------------------
KERAS2_SUMMARY = """\
Model: "sequential"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
dense (Dense)                (None, 4)                 12        
_________________________________________________________________
dropout (Dropout)            (None, 4)                 0         
_________________________________________________________________
dense_1 (Dense)              (None, 1)                 5         
=================================================================
Total params: 17
Trainable params: 17
Non-trainable params: 0
_________________________________________________________________"""


def test_summary_keras2_table():
    model = Sequential([Dense(4, input_shape=(2,), activation="tanh"), Dropout(0.2), Dense(1, activation="sigmoid")])
    lines = []
    model.summary(print_fn=lines.append)
    assert "\n".join(lines) == KERAS2_SUMMARY


def test_summary_prints_to_stdout_and_counts_frozen_and_thousands(capsys):
    model = Sequential([Dense(512, input_shape=(784,), activation="relu"), Dense(10, activation="softmax")])
    model.layers[1].trainable = False
    model.summary()
    out = capsys.readouterr().out
    assert "Total params: 407,050" in out
    assert "Trainable params: 401,920" in out
    assert "Non-trainable params: 5,130" in out
    assert "(None, 512)" in out and "401920" in out


def test_summary_line_length():
    lines = []
    course_model().summary(line_length=80, print_fn=lines.append)
    assert all(len(line) == 80 for line in lines if set(line) <= {"_", "="})


# --- config / JSON --------------------------------------------------------------------------------
def _round_trips(model, restored, x):
    restored.set_weights(model.get_weights())
    np.testing.assert_allclose(restored.predict(x), model.predict(x), rtol=1e-6)
    assert [type(l).__name__ for l in restored.layers] == [type(l).__name__ for l in model.layers]
    assert [l.name for l in restored.layers] == [l.name for l in model.layers]


def test_get_config_from_config_round_trip():
    model = Sequential([Dense(4, input_shape=(2,), activation="relu", kernel_regularizer="l2"), Dropout(0.3),
                        Dense(3, activation="softmax", use_bias=False)])
    config = model.get_config()
    assert config["name"] == "sequential"
    restored = Sequential.from_config(config)
    _round_trips(model, restored, X)
    assert restored.layers[1].rate == 0.3 and restored.layers[2].use_bias is False
    assert restored.layers[0].kernel_regularizer.l2 == pytest.approx(0.01)


def test_to_json_model_from_json_round_trip():
    model = Sequential([Reshape((2, 1), input_shape=(2,)), Flatten(), Dense(4), Activation("tanh"), Dense(1)])
    text = model.to_json()
    parsed = json.loads(text)
    assert parsed["class_name"] == "Sequential"
    restored = model_from_json(text)
    _round_trips(model, restored, X)
    _round_trips(model, model_from_config(parsed), X)


def test_lazy_model_config_round_trip_builds_on_data():
    model = Sequential([Dense(3, activation="relu"), Dense(1)])
    restored = Sequential.from_config(model.get_config())
    assert len(restored.layers) == 2
    model.build((None, 2))
    restored = Sequential.from_config(model.get_config())
    _round_trips(model, restored, X)


def test_weights_survive_training_after_round_trip():
    model = course_model()
    model.compile(SGD(0.5), "binary_crossentropy")
    y = (X[:, 0] > 0).astype(int)
    model.fit(X, y, epochs=3, verbose=0)
    restored = model_from_json(model.to_json())
    _round_trips(model, restored, X)


def test_nested_sequential():
    inner = Sequential([Dense(3, input_shape=(2,), activation="relu")])
    outer = Sequential([inner, Dense(1)])
    assert outer.output_shape == (None, 1)
    assert outer.count_params() == 9 + 4
    W, b = inner.get_weights()
    W2, b2 = outer.layers[1].get_weights()
    np.testing.assert_allclose(outer.predict(X), np.maximum(X @ W + b, 0) @ W2 + b2, rtol=1e-5, atol=1e-6)
    outer.compile(SGD(0.1), "mse")
    before = inner.get_weights()[0].copy()
    outer.fit(X, X[:, :1], verbose=0, epochs=2)
    assert not np.array_equal(before, inner.get_weights()[0])


def test_a_sequential_without_input_shape_builds_on_its_first_eager_call():
    model = Sequential([Dense(2)])
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    out = model(x)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(out.value, x @ kernel + bias, rtol=1e-6)
    assert model.built_graph and model.input_shape == (None, 4) and model.output_shape == (None, 2)


def test_calling_a_sequential_without_layers_says_so():
    with pytest.raises(ValueError, match="has no layers"):
        Sequential()(np.ones((3, 4), np.float32))
