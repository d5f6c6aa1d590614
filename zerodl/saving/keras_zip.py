"""The Keras 3 `.keras` format: a zip of config.json, metadata.json and model.weights.h5,
and the Keras 3 `.weights.h5` weights-only layout (one group per layer path, see walk.py):

    vars                        attrs name=<model name>; the model's own variables (none)
    layers/dense/vars/0, /1     kernel, bias of the first Dense (Keras's order of model.layers)
    layers/dense_1/vars/...     the second Dense; a nested model's layers sit under layers/<model>/layers/
    optimizer/vars/0, 1, ...    iterations, learning rate, slots (see training_config.py)
"""
import datetime
import io
import json
import zipfile

from . import files
from .atomic import atomic_path
from .training_config import compile_config, compile_from_config, optimizer_variables, set_optimizer_variables
from .walk import assign_checked, keras_groups

CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"


# --- weights -------------------------------------------------------------------------------------
def write_weights(h5file, model, include_optimizer=True):
    for path, obj, variables in keras_groups(model):
        group = h5file.create_group(f"{path}/vars" if path else "vars")
        group.attrs["name"] = obj.name
        for i, variable in enumerate(variables):
            group.create_dataset(str(i), data=variable.value)
    if include_optimizer and getattr(model, "compiled", False) and model.optimizer is not None:
        group = h5file.create_group("optimizer/vars")
        group.attrs["name"] = model.optimizer.name
        for i, array in enumerate(optimizer_variables(model)[0]):
            group.create_dataset(str(i), data=array)


def _arrays(group):
    return [group[str(i)][()] for i in range(len(group))]


def read_weights(h5file, model, where, skip_mismatch=False):
    """Set the model's variables from a Keras 3 layout; the model is left unchanged if any do not fit."""
    groups, problems = [], []
    for path, obj, variables in keras_groups(model):
        key = f"{path}/vars" if path else "vars"
        if key in h5file:
            groups.append((f"layer '{obj.name}' at '{key}'", variables, _arrays(h5file[key])))
        elif variables:
            problems.append(f"no weights for layer '{obj.name}' (expected at '{key}')")
    assign_checked(model, where, groups, problems, skip_mismatch)


def read_optimizer(h5file, model, where):
    if "optimizer/vars" in h5file and getattr(model, "compiled", False):
        set_optimizer_variables(model, _arrays(h5file["optimizer/vars"]), where)


def save_weights(model, filepath):
    h5py = files.h5py()
    with atomic_path(filepath) as tmp, h5py.File(tmp, "w") as f:
        write_weights(f, model, include_optimizer=False)


def load_weights(model, filepath, skip_mismatch=False):
    h5py = files.h5py()
    try:
        if files.kind(filepath) == "zip":
            with zipfile.ZipFile(filepath) as zf:
                data = io.BytesIO(zf.read(WEIGHTS))
            handle = h5py.File(data, "r")
        else:
            handle = h5py.File(filepath, "r")
    except (OSError, KeyError, zipfile.BadZipFile) as error:
        raise files.corrupt(filepath, error) from None
    with handle as f:
        try:
            read_weights(f, model, filepath, skip_mismatch)
        except (KeyError, OSError) as error:
            raise files.corrupt(filepath, error) from None


# --- whole model ---------------------------------------------------------------------------------
def model_config(model):
    """config.json: the model's Keras 3 config, its build shape and its compile() settings."""
    from ..models.config import _layer_entry
    entry = _layer_entry(model)
    if getattr(model, "built_graph", False):
        shapes = [list(t.shape) for t in model.inputs]
        entry["build_config"] = {"input_shape": shapes[0] if len(shapes) == 1 else shapes}
    compiled = compile_config(model)
    if compiled is not None:
        entry["compile_config"] = compiled
    return entry


def save_model(model, filepath, include_optimizer=True):
    from .. import __version__ as zerodl_version
    from ..models.config import KERAS_VERSION
    h5py = files.h5py()
    config = json.dumps(model_config(model))
    metadata = json.dumps({"keras_version": KERAS_VERSION, "zerodl_version": zerodl_version,
                           "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")})
    weights = io.BytesIO()
    with h5py.File(weights, "w") as f:
        write_weights(f, model, include_optimizer)
    with atomic_path(filepath) as tmp, zipfile.ZipFile(tmp, "w") as zf:
        zf.writestr(METADATA, metadata)
        zf.writestr(CONFIG, config)
        zf.writestr(WEIGHTS, weights.getvalue())


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    from ..models.config import model_from_config, safe_mode_scope
    h5py = files.h5py()
    try:
        with zipfile.ZipFile(filepath) as zf:
            names = zf.namelist()
            if CONFIG not in names:
                raise KeyError(f"no {CONFIG} in the archive (entries: {names})")
            config = json.loads(zf.read(CONFIG).decode("utf-8"))
            weights = zf.read(WEIGHTS) if WEIGHTS in names else None
        handle = h5py.File(io.BytesIO(weights), "r") if weights is not None else None
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise files.corrupt(filepath, error) from None
    if weights is None and any(n.endswith(".npz") for n in names):
        raise ValueError(f"'{filepath}' keeps its weights in .npz form, which zerodl does not read; save it "
                         f"from Keras with the default weights format (model.weights.h5).")
    with safe_mode_scope(safe_mode), files.naming(filepath):
        model = model_from_config(config, custom_objects)
    build = config.get("build_config") or {}
    if not getattr(model, "built_graph", True) and build.get("input_shape"):
        model.build(build["input_shape"])
    compiling = compile and config.get("compile_config")
    if compiling:
        with files.naming(filepath):
            compile_from_config(model, config["compile_config"], custom_objects)
    if handle is not None:
        with handle as f:
            try:
                read_weights(f, model, filepath)
                if compiling:
                    read_optimizer(f, model, filepath)
            except (KeyError, OSError) as error:
                raise files.corrupt(filepath, error) from None
    return model
