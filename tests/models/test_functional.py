"""Functional API: Input, multiple inputs and outputs (loss lists/dicts, loss_weights), shared layers,
nested models, Model as a layer, K.function on intermediate layers, config round trips."""
import json

import numpy as np
import pytest

from zerodl import backend as K
from zerodl.autodiff import Tensor
from zerodl.layers import Dense, Dropout, Input, Lambda
from zerodl.models import Model, Sequential, model_from_json
from zerodl.optimizers import SGD

rng = np.random.default_rng(21)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_single_input_output_matches_numpy():
    inp = Input(shape=(3,))
    h = Dense(4, activation="relu", name="h")(inp)
    out = Dense(1, activation="sigmoid", name="out")(h)
    model = Model(inputs=inp, outputs=out)
    x = rng.standard_normal((5, 3)).astype("float32")
    W1, b1, W2, b2 = model.get_weights()
    np.testing.assert_allclose(model.predict(x), sigmoid(np.maximum(x @ W1 + b1, 0) @ W2 + b2), rtol=1e-5)
    assert [l.name for l in model.layers][1:] == ["h", "out"]
    assert model.input is inp and model.output is out
    assert model.input_shape == (None, 3) and model.output_shape == (None, 1)
    assert model.name == "model"


def two_in_two_out():
    a, b = Input((2,), name="a"), Input((3,), name="b")
    merged = Lambda(lambda ts: K.concatenate(ts, axis=-1), name="merge")([Dense(4, name="da")(a), b])
    reg = Dense(1, name="reg")(merged)
    cls = Dense(3, activation="softmax", name="cls")(merged)
    return Model([a, b], [reg, cls])


def _data(n=32):
    xa, xb = rng.standard_normal((n, 2)).astype("float32"), rng.standard_normal((n, 3)).astype("float32")
    y_reg = (xa.sum(1, keepdims=True) - xb[:, :1]).astype("float32")
    y_cls = rng.integers(0, 3, n)
    return [xa, xb], [y_reg, y_cls]


def _manual_losses(model, xs, ys):
    reg, cls = model.predict(xs)
    mse = np.mean((reg - ys[0]) ** 2)
    xent = -np.mean(np.log(cls[np.arange(len(ys[1])), ys[1]]))
    return mse, xent


@pytest.mark.parametrize("loss", [["mse", "sparse_categorical_crossentropy"],
                                  {"reg": "mse", "cls": "sparse_categorical_crossentropy"}])
@pytest.mark.parametrize("loss_weights", [None, [0.5, 2.0], {"reg": 0.5, "cls": 2.0}])
def test_multi_input_output_losses_and_weights(loss, loss_weights):
    model = two_in_two_out()
    model.compile(SGD(0.0), loss, loss_weights=loss_weights)
    xs, ys = _data()
    mse, xent = _manual_losses(model, xs, ys)
    w = (1.0, 1.0) if loss_weights is None else (0.5, 2.0)
    result = model.evaluate(xs, ys, verbose=0, batch_size=32)
    assert result[0] == pytest.approx(w[0] * mse + w[1] * xent, rel=1e-5)
    assert result[1] == pytest.approx(mse, rel=1e-5) and result[2] == pytest.approx(xent, rel=1e-5)
    assert model.metrics_names == ["loss", "reg_loss", "cls_loss"]
    h = model.fit(xs, ys, verbose=0, epochs=1, batch_size=32)
    assert h.history["reg_loss"][0] == pytest.approx(mse, rel=1e-5)


def test_multi_output_targets_as_dict_and_training_improves():
    model = two_in_two_out()
    model.compile(SGD(0.05), {"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                  metrics={"cls": ["accuracy"]})
    xs, ys = _data(64)
    h = model.fit({"a": xs[0], "b": xs[1]}, {"reg": ys[0], "cls": ys[1]}, epochs=20, verbose=0)
    assert h.history["reg_loss"][-1] < h.history["reg_loss"][0]
    assert "cls_accuracy" in h.history and "reg_accuracy" not in h.history
    preds = model.predict(xs)
    assert isinstance(preds, list) and preds[0].shape == (64, 1) and preds[1].shape == (64, 3)


def test_one_loss_for_all_outputs():
    model = two_in_two_out()
    model.compile("sgd", "mse")
    xs, ys = _data()
    result = model.evaluate(xs, [ys[0], np.eye(3)[ys[1]]], verbose=0)
    assert len(result) == 3 and result[0] == pytest.approx(result[1] + result[2], rel=1e-6)


def test_compile_errors_name_outputs():
    model = two_in_two_out()
    with pytest.raises(ValueError, match="unknown outputs.*'nope'"):
        model.compile("sgd", {"nope": "mse"})
    with pytest.raises(ValueError, match="3 entries for 2 outputs"):
        model.compile("sgd", ["mse", "mse", "mse"])
    with pytest.raises(ValueError, match="needs a loss for every output.*cls"):
        model.compile("sgd", {"reg": "mse"})


def test_wrong_number_of_inputs_or_targets():
    model = two_in_two_out()
    model.compile("sgd", "mse")
    xs, ys = _data()
    with pytest.raises(ValueError, match="expects 2 input"):
        model.predict(xs[0])
    with pytest.raises(ValueError, match="2 output.*1 target"):
        model.fit(xs, ys[0], verbose=0)


def test_shared_layer():
    shared = Dense(2, name="shared")
    a, b = Input((3,)), Input((3,))
    out = Lambda(lambda ts: ts[0] - ts[1])([shared(a), shared(b)])
    model = Model([a, b], out)
    assert model.count_params() == 8
    assert len(model.weights) == 2
    xa, xb = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    W, bias = shared.get_weights()
    np.testing.assert_allclose(model.predict([xa, xb]), (xa - xb) @ W, rtol=1e-5, atol=1e-6)
    assert len(shared._inbound_nodes) == 2
    model.compile(SGD(0.1), "mse")
    model.fit([xa, xb], np.ones((4, 2)), verbose=0)  # one gradient for both uses


def test_shared_layer_gradient_sums_both_uses():
    K.set_floatx("float64")
    try:
        shared = Dense(1, use_bias=False, kernel_initializer="ones")
        a, b = Input((1,)), Input((1,))
        out = Lambda(lambda ts: ts[0] + ts[1])([shared(a), shared(b)])
        model = Model([a, b], out)
        model.compile(SGD(0.1), "mse")
        xa, xb = np.array([[1.0]]), np.array([[2.0]])
        model.train_on_batch([xa, xb], np.array([[0.0]]))
        # loss = (w*1 + w*2)^2 with w = 1: d/dw = 2 * 3 * 3 = 18
        np.testing.assert_allclose(shared.get_weights()[0], [[1 - 0.1 * 18]], rtol=1e-12)
    finally:
        K.set_floatx("float32")


def test_model_as_layer_and_nested_models():
    encoder_in = Input((4,))
    encoder = Model(encoder_in, Dense(2, activation="tanh", name="code")(encoder_in), name="encoder")
    decoder = Sequential([Dense(4, input_shape=(2,), name="recon")], name="decoder")
    inp = Input((4,))
    auto = Model(inp, decoder(encoder(inp)), name="autoencoder")
    assert [l.name for l in auto.layers][1:] == ["encoder", "decoder"]
    assert auto.count_params() == encoder.count_params() + decoder.count_params() == 10 + 12
    x = rng.standard_normal((6, 4)).astype("float32")
    np.testing.assert_allclose(auto.predict(x), decoder.predict(encoder.predict(x)), rtol=1e-5, atol=1e-6)
    auto.compile(SGD(0.1), "mse")
    before = encoder.get_weights()[0].copy()
    h = auto.fit(x, x, epochs=5, verbose=0)
    assert not np.array_equal(before, encoder.get_weights()[0])
    assert h.history["loss"][-1] < h.history["loss"][0]
    lines = []
    auto.summary(print_fn=lines.append)
    assert any(line.startswith("encoder (Functional)") or line.startswith("encoder (Model)") for line in lines)
    restored = model_from_json(auto.to_json())
    restored.set_weights(auto.get_weights())
    np.testing.assert_allclose(restored.predict(x), auto.predict(x), rtol=1e-6)


def test_model_called_on_array_and_tensor():
    inp = Input((3,))
    model = Model(inp, Dense(2)(inp))
    x = rng.standard_normal((4, 3)).astype("float32")
    np.testing.assert_allclose(model(x).numpy(), model.predict(x), rtol=1e-6)


def test_frozen_submodel():
    base_in = Input((3,))
    base = Model(base_in, Dense(4, name="base_dense")(base_in))
    base.trainable = False
    inp = Input((3,))
    model = Model(inp, Dense(1)(base(inp)))
    assert len(model.trainable_weights) == 2 and len(model.non_trainable_weights) == 2
    model.compile(SGD(0.1), "mse")
    before = base.get_weights()
    model.fit(rng.standard_normal((8, 3)), rng.standard_normal(8), verbose=0)
    for a, b in zip(before, base.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_function_on_intermediate_layer_of_functional_model():
    model = two_in_two_out()
    xs, _ = _data(5)
    f = K.function(model.inputs, [model.get_layer("merge").output])
    (merged,) = f(xs)
    W, b = model.get_layer("da").get_weights()
    np.testing.assert_allclose(merged, np.concatenate([xs[0] @ W + b, xs[1]], -1), rtol=1e-5, atol=1e-6)
    intermediate = Model(model.inputs, model.get_layer("merge").output)
    np.testing.assert_allclose(intermediate.predict(xs), merged, rtol=1e-6)


def test_dropout_in_functional_model_only_in_training():
    inp = Input((50,))
    model = Model(inp, Dropout(0.5)(inp))
    x = np.ones((4, 50), "float32")
    np.testing.assert_array_equal(model.predict(x), x)
    assert (model(x, training=True).numpy() == 0).any()


def test_graph_disconnected_and_non_symbolic():
    a, b = Input((2,)), Input((2,))
    out = Dense(1)(b)
    with pytest.raises(ValueError, match="disconnected"):
        Model(a, out)
    with pytest.raises(TypeError, match="symbolic"):
        Model(a, np.zeros(2))


def test_functional_config_round_trip_with_shared_layer_and_multiple_outputs():
    shared = Dense(2, name="shared")
    a, b = Input((3,), name="a"), Input((3,), name="b")
    sa, sb = shared(a), shared(b)
    model = Model([a, b], [Dense(1, name="o1")(sa), Dense(1, name="o2")(sb)])
    restored = Model.from_config(model.get_config())
    restored.set_weights(model.get_weights())
    xs = [rng.standard_normal((3, 3)), rng.standard_normal((3, 3))]
    for p, q in zip(model.predict(xs), restored.predict(xs)):
        np.testing.assert_allclose(p, q, rtol=1e-6)
    assert restored.count_params() == model.count_params()


def test_dict_inputs_and_targets_are_matched_by_name_not_order():
    model = two_in_two_out()
    model.compile(SGD(0.0), {"reg": "mse", "cls": "sparse_categorical_crossentropy"})
    xs, ys = _data()
    np.testing.assert_allclose(model.predict({"b": xs[1], "a": xs[0]})[0], model.predict(xs)[0], rtol=1e-6)
    by_list = model.evaluate(xs, ys, verbose=0)
    by_dict = model.evaluate({"b": xs[1], "a": xs[0]}, {"cls": ys[1], "reg": ys[0]}, verbose=0)
    np.testing.assert_allclose(by_dict, by_list, rtol=1e-6)
    with pytest.raises(ValueError, match=r"keys \['a', 'c'\].*input names are \['a', 'b'\]"):
        model.predict({"a": xs[0], "c": xs[1]})


def test_a_calls_training_argument_survives_the_config_round_trip():
    """Saved as Keras 3 saves it: the call's {"kwargs": {"training": true}}; a Keras 2 ref's fourth item too."""
    i = Input((64,))
    model = Model(i, Dropout(0.5)(Dense(64)(i), training=True))
    config = json.loads(model.to_json())
    dropout = next(entry for entry in config["config"]["layers"] if entry["class_name"] == "Dropout")
    dense = next(entry for entry in config["config"]["layers"] if entry["class_name"] == "Dense")
    assert dropout["inbound_nodes"][0]["kwargs"] == {"training": True}
    assert dense["inbound_nodes"][0]["kwargs"] == {}
    x = np.ones((1, 64), np.float32)
    kernel, bias = model.get_weights()
    unit_outputs = x @ kernel + bias

    def drops_in_predict(saved):
        copy = model_from_json(json.dumps(saved))
        copy.set_weights(model.get_weights())
        out = copy.predict(x, verbose=0)
        kept = out != 0
        np.testing.assert_allclose(out[kept], 2 * unit_outputs[kept], rtol=1e-5)  # kept units scaled by 1/(1-0.5)
        return (~kept).sum() > 10

    assert drops_in_predict(config)
    dropout["inbound_nodes"] = [[[dense["name"], 0, 0, {"training": True}]]]  # the Keras 2 layout
    assert drops_in_predict(config)
    dropout["inbound_nodes"] = [[[dense["name"], 0, 0, {}]]]
    copy = model_from_json(json.dumps(config))
    copy.set_weights(model.get_weights())
    np.testing.assert_allclose(copy.predict(x, verbose=0), unit_outputs, rtol=1e-5)


def test_training_given_as_the_keras_2_learning_phase_follows_the_model():
    """`training=K.learning_phase()` (a Keras 2 placeholder, not a bool) is not kept with the call."""
    i = Input((64,))
    model = Model(i, Dropout(0.5)(i, training=K.learning_phase()))
    x = np.ones((1, 64), np.float32)
    np.testing.assert_array_equal(model.predict(x, verbose=0), x)
    assert (model._forward([Tensor(x)], training=True)[0].value == 0).sum() > 10
    dropout = json.loads(model.to_json())["config"]["layers"][1]
    assert dropout["class_name"] == "Dropout" and dropout["inbound_nodes"][0]["kwargs"] == {}
