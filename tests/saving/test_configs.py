"""get_config/from_config for every layer, optimizer, loss, initializer and regularizer: each object
rebuilt from its config has the same config (the round trip model files rely on)."""
import inspect
import json

import pytest

from zerodl import initializers, layers, losses, metrics, optimizers, regularizers
from zerodl.models.config import _layer_entry, deserialize_layer
from zerodl.saving import training_config as tc

# Arguments for the layers that cannot be built without any; the others are made with none.
LAYER_ARGS = {
    "Activation": dict(activation="relu"), "Dense": dict(units=3, activation="tanh", kernel_regularizer="l2",
                                                         bias_initializer="ones", use_bias=True),
    "Dropout": dict(rate=0.3, seed=4), "Reshape": dict(target_shape=(2, 3)), "InputLayer": dict(shape=(3,)),
    "Conv1D": dict(filters=2, kernel_size=3), "Conv2D": dict(filters=2, kernel_size=(3, 3), padding="same"),
    "Conv2DTranspose": dict(filters=2, kernel_size=3), "DepthwiseConv2D": dict(kernel_size=3),
    "SeparableConv2D": dict(filters=2, kernel_size=3), "Embedding": dict(input_dim=10, output_dim=4),
    "GaussianDropout": dict(rate=0.2), "GaussianNoise": dict(stddev=0.1), "RepeatVector": dict(n=2),
    "SpatialDropout1D": dict(rate=0.2), "SpatialDropout2D": dict(rate=0.2), "SimpleRNN": dict(units=3),
    "LSTM": dict(units=3, return_sequences=True), "GRU": dict(units=3), "SimpleRNNCell": dict(units=3),
    "LSTMCell": dict(units=3), "GRUCell": dict(units=3), "Flatten": dict(), "BatchNormalization": dict(momentum=0.9),
    "Dot": dict(axes=1, normalize=True), "Permute": dict(dims=(2, 1)),
}
NOT_HERE = {"Layer", "Lambda", "KerasTensor"}  # Lambda: see test_safety.py
WRAPPERS = {"Bidirectional": lambda: dict(layer=layers.LSTM(2)), "TimeDistributed": lambda: dict(layer=layers.Dense(2)),
            "RNN": lambda: dict(cell=layers.SimpleRNNCell(2)),
            "StackedRNNCells": lambda: dict(cells=[layers.LSTMCell(2), layers.GRUCell(3, reset_after=False)])}


def layer_classes():
    found = {}
    for name in dir(layers):
        cls = getattr(layers, name)
        if isinstance(cls, type) and issubclass(cls, layers.Layer) and cls.__name__ == name and name not in NOT_HERE:
            found[name] = cls
    return sorted(found.items())


@pytest.mark.parametrize("name,cls", layer_classes())
def test_layer_config_round_trip(name, cls):
    if name in WRAPPERS:
        kwargs = WRAPPERS[name]()
    elif name in LAYER_ARGS:
        kwargs = LAYER_ARGS[name]
    else:
        required = [p for p in inspect.signature(cls.__init__).parameters.values()
                    if p.default is p.empty and p.kind == p.POSITIONAL_OR_KEYWORD and p.name != "self"]
        if required:
            pytest.skip(f"{name}: add sample arguments to LAYER_ARGS")
        kwargs = {}
    layer = cls(**kwargs)
    entry = json.loads(json.dumps(_layer_entry(layer)))  # through JSON, as in a file
    clone = deserialize_layer(entry)
    assert type(clone) is cls
    assert clone.get_config() == layer.get_config()


@pytest.mark.parametrize("name", sorted(optimizers._OPTIMIZERS))
def test_optimizer_config_round_trip(name):
    optimizer = optimizers.get(name)
    optimizer.learning_rate = 0.0123
    config = json.loads(json.dumps(tc.serialize_optimizer(optimizer)))
    clone = tc.deserialize_optimizer(config)
    assert type(clone) is type(optimizer) and clone.get_config() == optimizer.get_config()
    assert type(optimizer).from_config(optimizer.get_config()).get_config() == optimizer.get_config()


def test_keras_optimizer_configs_are_read_and_unsupported_settings_refused():
    keras_adam = {"module": "keras.optimizers", "class_name": "Adam", "registered_name": None,
                  "config": {"name": "adam", "learning_rate": 0.002, "weight_decay": None, "clipnorm": None,
                             "global_clipnorm": None, "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                             "ema_overwrite_frequency": None, "loss_scale_factor": None,
                             "gradient_accumulation_steps": None, "beta_1": 0.8, "beta_2": 0.999,
                             "epsilon": 1e-07, "amsgrad": True}}
    adam = tc.deserialize_optimizer(keras_adam)
    assert isinstance(adam, optimizers.Adam) and adam.amsgrad and adam.beta_1 == 0.8
    keras2_sgd = {"class_name": "Custom>SGD", "config": {"name": "SGD", "lr": 0.1, "decay": 0.01, "momentum": 0.9,
                                                         "nesterov": False, "is_legacy_optimizer": False}}
    sgd = tc.deserialize_optimizer(keras2_sgd)
    assert sgd.decay == 0.01 and float(sgd.learning_rate) == 0.1
    keras_adam["config"]["use_ema"] = True
    with pytest.raises(ValueError, match="use_ema"):
        tc.deserialize_optimizer(keras_adam)


@pytest.mark.parametrize("name", sorted(losses._CLASSES))
def test_loss_config_round_trip(name):
    loss = losses._CLASSES[name](reduction="sum")
    config = json.loads(json.dumps(tc.serialize_loss(loss)))
    clone = tc.deserialize_loss(config)
    assert type(clone) is type(loss) and clone.get_config() == loss.get_config()
    assert type(loss).from_config(loss.get_config()).get_config() == loss.get_config()


def test_loss_specs_by_name_function_and_keras_config():
    assert tc.deserialize_loss(tc.serialize_loss("mse")) == "mse"
    assert tc.serialize_loss("mse", legacy=True) == "mean_squared_error"
    assert tc.serialize_loss(losses.binary_crossentropy) == "binary_crossentropy"
    keras_bce = {"module": "keras.losses", "class_name": "BinaryCrossentropy", "registered_name": None,
                 "config": {"name": "binary_crossentropy", "reduction": "sum_over_batch_size", "from_logits": True,
                            "label_smoothing": 0.1, "axis": -1}}
    bce = tc.deserialize_loss(keras_bce)
    assert bce.fn_kwargs == {"from_logits": True, "label_smoothing": 0.1}
    with pytest.raises(ValueError, match="custom_objects"):
        tc.deserialize_loss("no_such_loss")


@pytest.mark.parametrize("cls", initializers._CLASSES, ids=lambda c: c.__name__)
def test_initializer_config_round_trip(cls):
    initializer = cls()
    config = json.loads(json.dumps(initializers.serialize(initializer)))
    assert initializers.get(config).get_config() == initializer.get_config()
    assert cls.from_config(initializer.get_config()).get_config() == initializer.get_config()


def test_keras3_initializer_keys_are_accepted_in_layer_configs():
    entry = {"class_name": "Dense", "config": {"name": "d", "units": 2, "kernel_initializer": {
        "module": "keras.initializers", "class_name": "GlorotUniform",
        "config": {"seed": 3, "input_axes": None, "output_axes": None}, "registered_name": None}}}
    assert deserialize_layer(entry).kernel_initializer.seed == 3


@pytest.mark.parametrize("regularizer", [regularizers.L1(0.3), regularizers.L2(0.2), regularizers.L1L2(0.1, 0.4)],
                         ids=lambda r: type(r).__name__)
def test_regularizer_config_round_trip(regularizer):
    config = json.loads(json.dumps(regularizers.serialize(regularizer)))
    assert regularizers.get(config).get_config() == regularizer.get_config()
    assert type(regularizer).from_config(regularizer.get_config()).get_config() == regularizer.get_config()


def test_metric_specs():
    specs = ["accuracy", "mae", metrics.BinaryAccuracy(threshold=0.3), metrics.mean_squared_error]
    saved = json.loads(json.dumps(tc.serialize_metrics(specs)))
    assert saved[:2] == ["accuracy", "mae"] and saved[3] == "mean_squared_error"
    back = tc.deserialize_metrics(saved)
    assert isinstance(back[2], metrics.BinaryAccuracy) and back[2].fn_kwargs == {"threshold": 0.3}
    keras2 = [{"class_name": "MeanMetricWrapper", "config": {"name": "accuracy", "dtype": "float32",
                                                             "fn": "binary_accuracy"}}]
    assert tc.deserialize_metrics(keras2) == ["accuracy"]
    with pytest.warns(UserWarning, match="AUC"):
        assert tc.deserialize_metrics([{"class_name": "AUC", "config": {"name": "auc"}}]) == []
