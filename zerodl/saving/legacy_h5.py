"""The Keras 2 HDF5 `.h5` format (read and written as Keras 3 does, and read as tf.keras 2 wrote it):

    attrs model_config, training_config (JSON), keras_version, backend
    model_weights/              attrs layer_names (Keras's order of model.layers), keras_version, backend
        <layer name>/           attrs weight_names; one dataset per name, e.g. dense/kernel
        top_level_model_weights/
    optimizer_weights/          attrs weight_names: iteration, learning_rate, slots (see training_config.py)

A weights-only `.h5` file holds what model_weights holds, at its root. Weights are matched to layers by
position among the layers that have weights, as Keras does (or by layer name with by_name=True).
"""
import json

import numpy as np

from . import files
from .atomic import atomic_path
from .training_config import compile_config, compile_from_config, optimizer_variables, set_optimizer_variables
from .walk import assign_checked, keras_layers, legacy_weights


def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _names_attr(names):
    return np.array([n.encode("utf-8") for n in names]) if names else np.array([], dtype="S1")


def read_names(group, name):
    """A list-of-names attribute, joining the chunks (name0, name1, ...) Keras splits big ones into."""
    if name in group.attrs:
        values = group.attrs[name]
    else:
        values, chunk = [], 0
        while f"{name}{chunk}" in group.attrs:
            values.extend(group.attrs[f"{name}{chunk}"])
            chunk += 1
    return [_text(v) for v in np.atleast_1d(values)] if len(values) else []


# --- weights -------------------------------------------------------------------------------------
def write_weights(group, model):
    from ..models.config import KERAS_VERSION
    layers = keras_layers(model)
    group.attrs["layer_names"] = _names_attr([layer.name for layer in layers])
    group.attrs["backend"] = b"numpy"
    group.attrs["keras_version"] = KERAS_VERSION.encode()
    for layer in sorted(layers, key=lambda layer: layer.name):
        _write_subset(group.create_group(layer.name), legacy_weights(layer))
    _write_subset(group.create_group("top_level_model_weights"), [])


def _write_subset(group, variables):
    names, used = [], set()
    for variable in variables:
        name, n = variable.name, 1
        while name in used:
            name, n = f"{variable.name}_{n}", n + 1
        used.add(name)
        names.append(name)
    group.attrs["weight_names"] = _names_attr(names)
    for name, variable in zip(names, variables):
        group.create_dataset(name, data=variable.value)


def read_weights(group, model, where, by_name=False, skip_mismatch=False):
    """Set the model's weights from a Keras 2 layout; the model is left unchanged if they do not fit."""
    saved = []
    for name in read_names(group, "layer_names"):
        layer_group = group[name]
        saved.append((name, [np.asarray(layer_group[w][()]) for w in read_names(layer_group, "weight_names")]))
    layers = [layer for layer in keras_layers(model) if legacy_weights(layer)]
    if by_name:
        by = dict(saved)
        pairs = [(layer, layer.name, by[layer.name]) for layer in layers if layer.name in by]
    else:
        saved = [(name, values) for name, values in saved if values]
        if len(saved) != len(layers):
            raise ValueError(f"Cannot load the weights in '{where}': the model has {len(layers)} layers with "
                             f"weights, the file {len(saved)} ({[n for n, _ in saved]}). Load by layer name with "
                             f"by_name=True.")
        pairs = [(layer, name, values) for layer, (name, values) in zip(layers, saved)]
    groups = [(f"layer '{layer.name}' (the file's '{name}')", legacy_weights(layer), values)
              for layer, name, values in pairs]
    assign_checked(model, where, groups, [], skip_mismatch)


def _weights_group(f, where):
    if "layer_names" in f.attrs or "layer_names0" in f.attrs:
        return f
    if "model_weights" in f:
        return f["model_weights"]
    raise ValueError(f"'{where}' holds no Keras 2 weights (no layer_names attribute, no model_weights group).")


def save_weights(model, filepath):
    h5py = files.h5py()
    with atomic_path(filepath) as tmp, h5py.File(tmp, "w") as f:
        write_weights(f, model)


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    h5py = files.h5py()
    try:
        handle = h5py.File(filepath, "r")
    except OSError as error:
        raise files.corrupt(filepath, error) from None
    with handle as f:
        try:
            read_weights(_weights_group(f, filepath), model, filepath, by_name, skip_mismatch)
        except (KeyError, OSError) as error:
            raise files.corrupt(filepath, error) from None


# --- whole model ---------------------------------------------------------------------------------
def model_config(model):
    from ..models.config import _layer_entry
    entry = _layer_entry(model)
    return {"class_name": entry["class_name"], "config": entry["config"]}


def save_model(model, filepath, include_optimizer=True):
    from ..models.config import KERAS_VERSION
    h5py = files.h5py()
    config = json.dumps(model_config(model))
    training = compile_config(model, legacy=True)
    with atomic_path(filepath) as tmp, h5py.File(tmp, "w") as f:
        f.attrs["backend"] = "numpy"
        f.attrs["keras_version"] = KERAS_VERSION
        f.attrs["model_config"] = config
        if training is not None:
            f.attrs["training_config"] = json.dumps(training)
        write_weights(f.create_group("model_weights"), model)
        if include_optimizer and training is not None:
            arrays, names = optimizer_variables(model)
            group = f.create_group("optimizer_weights")
            group.attrs["weight_names"] = _names_attr(names)
            for name, array in zip(names, arrays):
                group.create_dataset(name, data=array)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    from ..models.config import model_from_config, safe_mode_scope
    h5py = files.h5py()
    try:
        handle = h5py.File(filepath, "r")
    except OSError as error:
        raise files.corrupt(filepath, error) from None
    with handle as f:
        if "model_config" not in f.attrs:
            raise ValueError(f"'{filepath}' holds no model config (a weights-only file?): build the model in code "
                             f"and call model.load_weights('{filepath}').")
        try:
            config = json.loads(_text(f.attrs["model_config"]))
            training = json.loads(_text(f.attrs["training_config"])) if "training_config" in f.attrs else None
        except ValueError as error:
            raise files.corrupt(filepath, error) from None
        with safe_mode_scope(safe_mode), files.naming(filepath):
            model = model_from_config(config, custom_objects)
        try:
            read_weights(_weights_group(f, filepath), model, filepath)
            if compile and training is not None:
                with files.naming(filepath):
                    compile_from_config(model, training, custom_objects)
                if "optimizer_weights" in f:
                    _read_optimizer(f["optimizer_weights"], model, filepath)
        except (KeyError, OSError) as error:
            raise files.corrupt(filepath, error) from None
    return model


def _read_optimizer(group, model, where):
    names = read_names(group, "weight_names")
    if len(names) > 1 and not names[1].endswith("learning_rate"):
        import warnings
        warnings.warn(f"Optimizer state in '{where}' not restored: it is in the Keras 2 layout "
                      f"({names[:3]}...). The optimizer starts afresh.", stacklevel=3)
        return
    set_optimizer_variables(model, [group[n][()] for n in names], where)
