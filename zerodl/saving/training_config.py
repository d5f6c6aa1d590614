"""Compile settings and optimizer state in Keras's layouts.

`compile_config(model)` is what Keras 3 writes as `compile_config` (and, with `legacy=True`, what the
Keras 2 `.h5` format holds as `training_config`); `compile_from_config` compiles a model from either,
taking user classes and functions from `custom_objects`. Optimizer state is exchanged in Keras 3's order,
`[iterations, learning_rate, slots of variable 1, slots of variable 2, ..., optimizer-wide state]`,
variables as in Keras's `model.trainable_variables`, so Keras and zerodl resume each other's training.
"""
import inspect
import warnings

import numpy as np

from .. import losses, metrics, optimizers
from .walk import keras_trainable_variables

_ANY = object()
# Keys Keras writes that zerodl has no use for, and the values for which ignoring them changes nothing.
_HARMLESS = {"use_ema": (False,), "ema_momentum": _ANY, "ema_overwrite_frequency": (None,),
             "loss_scale_factor": (None,), "gradient_accumulation_steps": (None,), "jit_compile": _ANY,
             "is_legacy_optimizer": _ANY, "axis": (-1,), "dtype": _ANY, "input_axes": (None,),
             "output_axes": (None,), "fn": _ANY}


def _accepted(cls):
    """Keyword names cls(...) takes, following **kwargs up the class hierarchy."""
    names = set()
    for klass in cls.__mro__:
        init = vars(klass).get("__init__")
        if init is None or klass is object:
            continue
        params = inspect.signature(init).parameters.values()
        names.update(p.name for p in params if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL))
        if not any(p.kind == p.VAR_KEYWORD for p in params):
            break
    return names


def _fit_config(config, accepted, what):
    """config without the Keras-only keys zerodl can ignore; an error for any other unknown key."""
    kept = {}
    for key, value in config.items():
        if key in accepted:
            kept[key] = value
        elif key not in _HARMLESS or (_HARMLESS[key] is not _ANY and value not in _HARMLESS[key]):
            raise ValueError(f"{what}: zerodl does not support the setting {key}={value!r}.")
    return kept


def _class_name(config):
    name = config.get("class_name", "")
    return name.split(">", 1)[1] if name.startswith("Custom>") else name  # Keras 2 'Custom>Adam'


def _function_name(fn, table):
    for name, f in table.items():
        if f is fn:
            return name
    return getattr(fn, "__name__", None)


# --- optimizer -----------------------------------------------------------------------------------
def serialize_optimizer(optimizer, legacy=False):
    config = optimizer.get_config()
    lr = config.get("learning_rate")
    if not isinstance(lr, (int, float, dict)):
        raise ValueError(f"Cannot save optimizer '{optimizer.name}': its learning rate {lr!r} is a plain function; "
                         "use a schedule object with get_config, or a float.")
    if not config.get("decay"):
        config.pop("decay", None)  # Keras 3 has no decay
    entry = {"class_name": type(optimizer).__name__, "config": config}
    return entry if legacy else {"module": "keras.optimizers", **entry, "registered_name": None}


def deserialize_optimizer(config, custom_objects=None):
    if isinstance(config, str):
        return optimizers.get(config)
    custom_objects = custom_objects or {}
    name = _class_name(config)
    inner = dict(config.get("config") or {})
    if name in custom_objects:
        return custom_objects[name].from_config(inner)
    cls = optimizers._lookup(name)
    if isinstance(inner.get("learning_rate"), dict):
        schedule = inner["learning_rate"]
        schedule_cls = custom_objects.get(_class_name(schedule))
        if schedule_cls is None:
            raise ValueError(f"Optimizer {name}: its learning rate is the schedule '{_class_name(schedule)}'; pass "
                             f"its class in custom_objects to load it.")
        inner["learning_rate"] = schedule_cls.from_config(schedule.get("config") or {})
    return cls.from_config(_fit_config(inner, _accepted(cls), f"Optimizer {name}"))


# --- losses --------------------------------------------------------------------------------------
def serialize_loss(spec, legacy=False):
    if isinstance(spec, str) and legacy and spec.lower() in losses._FUNCTIONS:
        return _function_name(losses._FUNCTIONS[spec.lower()], losses._FUNCTIONS)  # Keras's .h5 reader needs
    if spec is None or isinstance(spec, str):                                        # 'mean_squared_error', not 'mse'
        return spec
    if isinstance(spec, (list, tuple)):
        return [serialize_loss(s, legacy) for s in spec]
    if isinstance(spec, dict):
        return {k: serialize_loss(v, legacy) for k, v in spec.items()}
    if isinstance(spec, type):
        spec = spec()
    if isinstance(spec, losses.Loss):
        if type(spec) is losses.Loss:
            if spec.fn in losses._FUNCTIONS.values() and not spec.fn_kwargs:
                return spec.name if spec.name.lower() in losses._FUNCTIONS else _function_name(spec.fn,
                                                                                              losses._FUNCTIONS)
            return _function_name(spec.fn, {})
        entry = {"class_name": type(spec).__name__, "config": spec.get_config()}
        return entry if legacy else {"module": "keras.losses", **entry, "registered_name": None}
    return _function_name(spec, losses._FUNCTIONS)


def deserialize_loss(spec, custom_objects=None):
    custom_objects = custom_objects or {}
    if spec is None:
        return None
    if isinstance(spec, list):
        return [deserialize_loss(s, custom_objects) for s in spec]
    if isinstance(spec, dict) and "class_name" not in spec:
        return {k: deserialize_loss(v, custom_objects) for k, v in spec.items()}
    if isinstance(spec, dict) and spec["class_name"] == "function":  # Keras 3's form of a plain function
        spec = spec["config"]
    if isinstance(spec, str):
        if spec in custom_objects:
            return custom_objects[spec]
        try:
            losses.get(spec)
        except ValueError:
            raise ValueError(f"Unknown loss '{spec}': pass it in custom_objects={{'{spec}': fn}}, or load with "
                             f"compile=False.") from None
        return spec
    name, inner = _class_name(spec), dict(spec.get("config") or {})
    if name in custom_objects:
        return custom_objects[name].from_config(inner)
    cls = losses._CLASSES.get(name)
    if cls is None:
        raise ValueError(f"Unknown loss class '{name}': pass it in custom_objects={{'{name}': cls}}, or load with "
                         f"compile=False.")
    fn_params = set(inspect.signature(cls().fn).parameters) - {"y_true", "y_pred"}
    return cls.from_config(_fit_config(inner, {"name", "reduction"} | fn_params, f"Loss {name}"))


# --- metrics -------------------------------------------------------------------------------------
def serialize_metrics(spec, legacy=False):
    if spec is None or isinstance(spec, str):
        return spec
    if isinstance(spec, (list, tuple)):
        return [serialize_metrics(s, legacy) for s in spec]
    if isinstance(spec, dict):
        return {k: serialize_metrics(v, legacy) for k, v in spec.items()}
    if isinstance(spec, type):
        spec = spec()
    if isinstance(spec, metrics.Metric):
        if type(spec) is metrics.MeanMetricWrapper:
            return _function_name(spec.fn, metrics._FUNCTIONS)
        entry = {"class_name": type(spec).__name__,
                 "config": {**spec.get_config(), **getattr(spec, "fn_kwargs", {})}}
        return entry if legacy else {"module": "keras.metrics", **entry, "registered_name": None}
    return _function_name(spec, metrics._FUNCTIONS)


def deserialize_metrics(spec, custom_objects=None):
    """Metrics as compile() takes them. A metric zerodl lacks is left out, with a warning."""
    if spec is None:
        return None
    if isinstance(spec, list):
        found = [deserialize_metrics(s, custom_objects) for s in spec]
        return [m for m in found if m is not None]
    if isinstance(spec, dict) and "class_name" not in spec:
        return {k: deserialize_metrics(v, custom_objects) for k, v in spec.items()}
    try:
        return _deserialize_metric(spec, custom_objects or {})
    except (ValueError, TypeError) as error:
        warnings.warn(f"Metric {spec!r} left out of the loaded model's compile(): {error}", stacklevel=3)
        return None


def _deserialize_metric(spec, custom_objects):
    if isinstance(spec, dict):
        name, inner = _class_name(spec), dict(spec.get("config") or {})
        if name == "function":
            spec = inner if isinstance(inner, str) else spec["config"]
        elif name == "MeanMetricWrapper":  # Keras 2: {'name': 'accuracy', 'fn': 'binary_accuracy'}
            spec = inner.get("name") if inner.get("name") in ("accuracy", "acc") else inner.get("fn", inner.get("name"))
        elif name in custom_objects:
            return custom_objects[name].from_config(inner) if hasattr(custom_objects[name], "from_config") \
                else custom_objects[name](**inner)
        else:
            cls = getattr(metrics, name, None)
            if not (isinstance(cls, type) and issubclass(cls, metrics.Metric)):
                raise ValueError(f"zerodl has no metric class '{name}' (pass one in custom_objects)")
            accepted = _accepted(cls)
            if issubclass(cls, metrics.MeanMetricWrapper):  # name, dtype and the function's own options
                accepted = {"name", "dtype"} | (set(inspect.signature(cls().fn).parameters) - {"y_true", "y_pred"})
            return cls(**_fit_config(inner, accepted, f"Metric {name}"))
    if isinstance(spec, str):
        if spec in custom_objects:
            return custom_objects[spec]
        metrics.get(spec, "mean_squared_error", (None, 1))  # raises for unknown names
        return spec
    raise ValueError(f"cannot read metric {spec!r}")


# --- compile config ------------------------------------------------------------------------------
def compile_config(model, legacy=False):
    """The model's compile() arguments in Keras's layout, or None when it is not compiled."""
    if not getattr(model, "compiled", False):
        return None
    config = {"loss": serialize_loss(model._loss_spec, legacy),
              "loss_weights": getattr(model, "_loss_weights_spec", None),
              "metrics": serialize_metrics(getattr(model, "_metric_spec", None), legacy),
              "weighted_metrics": serialize_metrics(getattr(model, "_weighted_metrics_spec", None), legacy),
              "run_eagerly": False, "steps_per_execution": 1, "jit_compile": False}
    optimizer = serialize_optimizer(model.optimizer, legacy)
    return {**config, "optimizer_config": optimizer} if legacy else {"optimizer": optimizer, **config}


def compile_from_config(model, config, custom_objects=None):
    """compile() the model as the saved compile (or Keras 2 training) config says."""
    optimizer = config.get("optimizer", config.get("optimizer_config"))
    metric_spec = config.get("metrics")
    if isinstance(metric_spec, list) and len(metric_spec) == 1 and isinstance(metric_spec[0], list) \
            and len(model.outputs) <= 1:
        metric_spec = metric_spec[0]  # Keras 2 wrote one list per output
    model.compile(optimizer=deserialize_optimizer(optimizer or "rmsprop", custom_objects),
                  loss=deserialize_loss(config.get("loss"), custom_objects),
                  metrics=deserialize_metrics(metric_spec, custom_objects),
                  loss_weights=config.get("loss_weights"),
                  weighted_metrics=deserialize_metrics(config.get("weighted_metrics"), custom_objects))


# --- optimizer state -----------------------------------------------------------------------------
def optimizer_variables(model):
    """(arrays, names): the optimizer state in Keras 3's order (see the module docstring)."""
    opt = model.optimizer
    prefix = opt.name
    arrays = [np.array(opt.iterations, dtype=np.int64), np.array(float(opt.learning_rate), dtype=np.float32)]
    names = [f"{prefix}/iteration", f"{prefix}/learning_rate"]
    if not opt.built:
        return arrays, names
    slot_names, n_global = opt._slot_names(), len(opt._global_state())
    state = opt.get_weights()
    slots, position, count = state[1 + n_global:], {id(v): i for i, v in enumerate(opt._vars)}, len(opt._vars)
    for v in keras_trainable_variables(model):
        i = position.get(id(v))
        for k, slot in enumerate(slot_names):
            arrays.append(slots[k * count + i] if i is not None else
                          np.full(v.value.shape, opt._slot_init(slot), dtype=v.value.dtype))
            names.append(f"{prefix}/{v.name.replace('/', '_')}_{slot}")
    arrays += state[1:1 + n_global]
    names += [f"{prefix}/state_{k}" for k in range(n_global)]
    return arrays, names


def set_optimizer_variables(model, arrays, where):
    """Restore state saved by `optimizer_variables` (or by Keras 3); warn and start fresh on a mismatch."""
    opt = model.optimizer
    arrays = [np.asarray(a) for a in arrays]
    if len(arrays) <= 2:  # saved before the first step: iterations and learning rate only
        opt.iterations = int(arrays[0]) if arrays else 0
        return
    variables = keras_trainable_variables(model)
    n_slots, n_global = len(opt._slot_names()), len(opt._global_state())
    expected = 2 + len(variables) * n_slots + n_global
    if len(arrays) != expected:
        warnings.warn(f"Optimizer state in '{where}' not restored: it has {len(arrays)} arrays, but this model's "
                      f"{type(opt).__name__} needs {expected}. The optimizer starts afresh.", stacklevel=3)
        return
    opt.build(model.trainable_weights)  # the order fit() updates them in
    slots = arrays[2:2 + len(variables) * n_slots]
    by_var = {id(v): slots[j * n_slots:(j + 1) * n_slots] for j, v in enumerate(variables)}
    if any(id(v) not in by_var for v in opt._vars):
        warnings.warn(f"Optimizer state in '{where}' not restored: its variables do not match the model's.",
                      stacklevel=3)
        return
    global_state = arrays[len(arrays) - n_global:] if n_global else []
    opt.set_weights([arrays[0]] + global_state + [by_var[id(v)][k] for k in range(n_slots) for v in opt._vars])
