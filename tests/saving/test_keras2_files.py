"""Files written by Keras 2 (tf.keras 2.x and standalone Keras 2.0-2.3, the course's era) load in zerodl.
The files are written here with h5py in exactly the layout those versions used."""
import json

import numpy as np
import pytest

from zerodl.models import load_model

h5py = pytest.importorskip("h5py", reason="h5py is the optional extra zerodl[h5]")
rng = np.random.default_rng(4)
W1, B1 = rng.standard_normal((4, 3)).astype("float32"), rng.standard_normal(3).astype("float32")
W2, B2 = rng.standard_normal((3, 1)).astype("float32"), rng.standard_normal(1).astype("float32")
X = rng.standard_normal((6, 4)).astype("float32")
EXPECTED = 1 / (1 + np.exp(-(np.maximum(X @ W1 + B1, 0) @ W2 + B2)))


def dense(name, units, activation, **extra):
    return {"class_name": "Dense", "config": {
        "name": name, "trainable": True, "dtype": "float32", "units": units, "activation": activation,
        "use_bias": True, "kernel_initializer": {"class_name": "VarianceScaling", "config": {
            "scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}},
        "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
        "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None,
        **extra}}


DROPOUT = {"class_name": "Dropout", "config": {"name": "dropout", "trainable": True, "dtype": "float32", "rate": 0.5,
                                               "noise_shape": None, "seed": None}}
TRAINING = {"loss": "binary_crossentropy", "metrics": [[{"class_name": "MeanMetricWrapper", "config": {
    "name": "accuracy", "dtype": "float32", "fn": "binary_accuracy"}}]], "weighted_metrics": None,
    "loss_weights": None, "optimizer_config": {"class_name": "Adam", "config": {
        "name": "Adam", "learning_rate": 0.001, "decay": 0.0, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07,
        "amsgrad": False}}}


def write_keras2_file(path, config, layer_names=("dense", "dropout", "dense_1")):
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = b"2.4.0"
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode()
        f.attrs["training_config"] = json.dumps(TRAINING).encode()
        weights = f.create_group("model_weights")
        weights.attrs["layer_names"] = np.array([n.encode() for n in layer_names])
        weights.attrs["backend"], weights.attrs["keras_version"] = b"tensorflow", b"2.4.0"
        values = {"dense": (W1, B1), "dense_1": (W2, B2)}
        for name in layer_names:
            group = weights.create_group(name)
            names = [f"{name}/kernel:0", f"{name}/bias:0"] if name in values else []
            group.attrs["weight_names"] = np.array([n.encode() for n in names]) if names else np.array([])
            for weight_name, value in zip(names, values.get(name, ())):
                group.create_dataset(weight_name, data=value)
        optimizer = f.create_group("optimizer_weights")
        optimizer.attrs["weight_names"] = np.array([b"Adam/iter:0", b"Adam/dense/kernel/m:0"])
        optimizer.create_dataset("Adam/iter:0", data=np.int64(30))
        optimizer.create_dataset("Adam/dense/kernel/m:0", data=np.zeros((4, 3), "float32"))


def test_tf_keras_2_sequential(tmp_path):
    config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": [
        {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 4], "dtype": "float32", "sparse": False,
                                                "ragged": False, "name": "dense_input"}},
        dense("dense", 3, "relu", batch_input_shape=[None, 4]), DROPOUT, dense("dense_1", 1, "sigmoid")]}}
    write_keras2_file(tmp_path / "course.h5", config)
    with pytest.warns(UserWarning, match="Keras 2 layout"):
        model = load_model(tmp_path / "course.h5")
    np.testing.assert_allclose(model.predict(X), EXPECTED, rtol=1e-5, atol=1e-6)
    assert type(model.optimizer).__name__ == "Adam" and model.loss == "binary_crossentropy"
    assert "accuracy" in model.fit(X, (EXPECTED > 0.5).astype("float32"), epochs=1, verbose=0).history


def test_keras_2_0_sequential_config_is_a_list(tmp_path):
    config = {"class_name": "Sequential", "config": [dense("dense", 3, "relu", batch_input_shape=[None, 4]),
                                                     DROPOUT, dense("dense_1", 1, "sigmoid")]}
    write_keras2_file(tmp_path / "old.h5", config)
    model = load_model(tmp_path / "old.h5", compile=False)
    np.testing.assert_allclose(model.predict(X), EXPECTED, rtol=1e-5, atol=1e-6)


def test_tf_keras_2_functional(tmp_path):
    node = lambda name: [[[name, 0, 0, {}]]]  # noqa: E731
    config = {"class_name": "Functional", "config": {"name": "model", "layers": [
        {"class_name": "InputLayer", "name": "input_1", "inbound_nodes": [], "config": {
            "batch_input_shape": [None, 4], "dtype": "float32", "sparse": False, "ragged": False, "name": "input_1"}},
        {**dense("dense", 3, "relu"), "name": "dense", "inbound_nodes": node("input_1")},
        {**DROPOUT, "name": "dropout", "inbound_nodes": node("dense")},
        {**dense("dense_1", 1, "sigmoid"), "name": "dense_1", "inbound_nodes": node("dropout")}],
        "input_layers": [["input_1", 0, 0]], "output_layers": [["dense_1", 0, 0]]}}
    write_keras2_file(tmp_path / "functional.h5", config, ("input_1", "dense", "dropout", "dense_1"))
    model = load_model(tmp_path / "functional.h5", compile=False)
    np.testing.assert_allclose(model.predict(X), EXPECTED, rtol=1e-5, atol=1e-6)
