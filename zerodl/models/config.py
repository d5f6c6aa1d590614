"""Model configs in the Keras 3 layout (get_config/from_config, to_json/model_from_json).

A config describes architecture only (no weights); loading never evaluates code from it.
"""
import base64
import contextlib
import contextvars
import json
import marshal

KERAS_VERSION = "3.6.0"
_IGNORED_KEYS = {"ragged", "sparse", "lora_rank", "lora_alpha", "quantization_config", "optional"}
_IGNORED_NESTED = {"input_axes", "output_axes"}  # Keras 3 initializer keys, dropped when None
_SAFE_MODE = contextvars.ContextVar("zerodl_safe_mode", default=True)


@contextlib.contextmanager
def safe_mode_scope(safe_mode=True):
    """While active, `Lambda` layers deserialize only when `safe_mode` is False."""
    token = _SAFE_MODE.set(safe_mode is not False)
    try:
        yield
    finally:
        _SAFE_MODE.reset(token)


def _layer_entry(layer):
    from ..layers import InputLayer, Lambda
    from .functional import Model
    class_name = type(layer).__name__
    if isinstance(layer, Model) and class_name == "Model":
        class_name = "Functional"
    config = _lambda_config(layer) if type(layer) is Lambda else layer.get_config()
    if not isinstance(layer, InputLayer):  # the model's InputLayer entry holds the shape (Keras 3 rejects it here)
        config.pop("batch_input_shape", None)
    entry = {"module": "keras" if isinstance(layer, Model) else "keras.layers", "class_name": class_name,
             "config": config, "registered_name": None}
    if class_name == "Functional":  # as Keras 3 writes it
        entry.update(module="keras.src.models.functional", registered_name="Functional")
    if layer._inbound_nodes and layer._inbound_nodes[0].inputs:
        shapes = [list(t.shape) for t in layer._inbound_nodes[0].inputs]
        entry["build_config"] = {"input_shape": shapes[0] if len(shapes) == 1 else shapes}
    return entry


def sequential_config(model):
    layers = []
    if model._input_layer is not None:
        layers.append(_layer_entry(model._input_layer))
    layers += [_layer_entry(layer) for layer in model.layers]
    config = {"name": model.name, "trainable": model.trainable, "dtype": model.dtype, "layers": layers}
    if model.built_graph:
        config["build_input_shape"] = list(model.inputs[0].shape)
    return config


def _tensor_ref(tensor, node_positions):
    layer, node_index, tensor_index = tensor.history
    return {"class_name": "__keras_tensor__",
            "config": {"shape": list(tensor.shape), "dtype": tensor.dtype,
                       "keras_history": [layer.name, node_positions[id(layer._inbound_nodes[node_index])],
                                         tensor_index]}}


def functional_config(model):
    node_positions = {}
    for layer in model.layers:
        own = [n for n in layer._inbound_nodes if n in model._nodes]
        node_positions.update((id(n), i) for i, n in enumerate(own))
    layers = []
    for layer in model.layers:
        entry = _layer_entry(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = []
        for node in layer._inbound_nodes:
            if id(node) not in node_positions or not node.inputs:
                continue
            refs = [_tensor_ref(t, node_positions) for t in node.inputs]
            entry["inbound_nodes"].append({"args": [refs[0] if len(refs) == 1 else refs],
                                           "kwargs": _call_kwargs(node.kwargs)})
        layers.append(entry)
    refs = lambda tensors: [list(_tensor_ref(t, node_positions)["config"]["keras_history"]) for t in tensors]  # noqa
    single = lambda found, one: found[0] if one and len(found) == 1 else found  # noqa: E731 (Keras 3: a bare ref)
    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": single(refs(model.inputs), model._single_input),
            "output_layers": single(refs(model.outputs), model._single_output)}


def _layer_class(class_name, custom_objects):
    from .. import layers
    from .functional import Model
    from .sequential import Sequential
    if custom_objects and class_name in custom_objects:
        return custom_objects[class_name]
    known = {"Sequential": Sequential, "Functional": Model, "Model": Model}
    if class_name in known:
        return known[class_name]
    cls = getattr(layers, class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, layers.Layer)):
        raise ValueError(f"Unknown layer class '{class_name}'. Pass it in custom_objects={{'{class_name}': cls}}.")
    return cls


def _clean_config(config):
    config = {k: v for k, v in config.items() if k not in _IGNORED_KEYS}
    dtype = config.get("dtype")
    if isinstance(dtype, dict):  # Keras 3 DTypePolicy
        config["dtype"] = dtype.get("config", {}).get("name", "float32")
    return {key: _clean_nested(value) for key, value in config.items()}


def _clean_nested(value):
    """Nested objects (initializers, a wrapper's layer, an RNN's cell): the same cleaning, and Keras-only
    initializer keys left at None dropped."""
    if isinstance(value, list):
        return [_clean_nested(v) for v in value]
    if isinstance(value, dict) and isinstance(value.get("config"), dict) and "class_name" in value:
        inner = {k: v for k, v in value["config"].items() if not (k in _IGNORED_NESTED and v is None)}
        return {**value, "config": _clean_config(inner)}
    return value


def deserialize_layer(entry, custom_objects=None):
    cls = _layer_class(entry["class_name"], custom_objects)
    config = _clean_config(entry["config"])
    if entry["class_name"] == "Lambda" and not (custom_objects and "Lambda" in custom_objects):
        return _lambda_from_config(config, custom_objects)
    if "from_config" in vars(cls) and cls.__module__.startswith("zerodl.models"):
        return cls.from_config(config, custom_objects)
    return cls.from_config(config)


def sequential_from_config(config, custom_objects=None):
    from ..layers import InputLayer
    from .sequential import Sequential
    if isinstance(config, list):  # Keras 2.0 configs were a bare list of layers
        config = {"layers": config}
    model = Sequential(name=config.get("name"))
    for entry in config["layers"]:
        model.add(deserialize_layer(entry, custom_objects))
    if not model.built_graph and config.get("build_input_shape") and not isinstance(model._input_layer, InputLayer):
        model.build(config["build_input_shape"])
    return model


def functional_from_config(config, custom_objects=None):
    from .functional import Model
    built = [(entry, deserialize_layer(entry, custom_objects)) for entry in config["layers"]]
    # Calls name the layer they take input from as its entry does ("name" beside the config, or in it).
    name_of = {entry.get("name", entry["config"].get("name")): layer.name for entry, layer in built}
    outputs_of = {}  # (layer name, node index) -> output tensors
    for entry, layer in built:
        if not entry.get("inbound_nodes"):
            outputs_of[(layer.name, 0)] = [layer.output]
    # Replay the calls, repeatedly taking the nodes whose inputs already exist.
    todo = [(layer, i, node) for entry, layer in built for i, node in enumerate(entry.get("inbound_nodes") or [])]
    while todo:
        progressed = False
        for item in list(todo):
            layer, index, node = item
            refs = _node_refs(node)
            if all((name_of.get(n, n), i) in outputs_of for n, i, _ in refs):
                inputs = [outputs_of[(name_of.get(n, n), i)][t] for n, i, t in refs]
                result = layer(inputs if len(inputs) > 1 else inputs[0], **_saved_call_kwargs(node))
                outputs_of[(layer.name, index)] = result if isinstance(result, list) else [result]
                todo.remove(item)
                progressed = True
        if not progressed:
            raise ValueError("Model config is inconsistent: some layer calls refer to tensors that are never made.")
    pick = lambda refs: [outputs_of[(name_of.get(n, n), i)][t] for n, i, t in  # noqa: E731
                         ([refs] if refs and isinstance(refs[0], str) else refs)]  # Keras 3 writes one ref bare
    inputs, outputs = pick(config["input_layers"]), pick(config["output_layers"])
    return Model(inputs if len(inputs) > 1 else inputs[0], outputs if len(outputs) > 1 else outputs[0],
                 name=config.get("name"))


def _call_kwargs(kwargs):
    """What a saved layer call keeps of its keyword arguments: `training`, where the call gave it."""
    return {"training": bool(kwargs["training"])} if isinstance(kwargs.get("training"), (bool, int)) else {}


def _saved_call_kwargs(node):
    """The keyword arguments of a saved call (Keras 3: the node's "kwargs"; Keras 2: each ref's fourth item)."""
    if isinstance(node, dict):
        return _call_kwargs(node.get("kwargs") or {})
    return _call_kwargs(node[0][3] if node and len(node[0]) > 3 and isinstance(node[0][3], dict) else {})


def _node_refs(node):
    """(layer name, node index, tensor index) of each input of a saved call, Keras 2 or 3 layout."""
    if isinstance(node, dict):  # Keras 3: {"args": [tensor or [tensors]], "kwargs": {}}
        args = node["args"][0]
        tensors = args if isinstance(args, list) else [args]
        return [tuple(t["config"]["keras_history"]) for t in tensors]
    return [tuple(ref[:3]) for ref in node]  # Keras 2: [[name, node_index, tensor_index, kwargs], ...]


def model_to_json(model, **kwargs):
    entry = _layer_entry(model)
    entry.pop("build_config", None)
    return json.dumps({**entry, "keras_version": KERAS_VERSION, "backend": "numpy"}, **kwargs)


def model_from_config(config, custom_objects=None):
    cls = _layer_class(config["class_name"], custom_objects)
    return cls.from_config(config["config"], custom_objects)


def model_from_json(json_string, custom_objects=None):
    return model_from_config(json.loads(json_string), custom_objects)


# --- Lambda: its function is code, so configs name it and loading takes it from the user --------------
def _lambda_config(layer):
    from ..layers.base import Layer
    config = Layer.get_config(layer)
    fn = layer.function
    if getattr(fn, "__name__", "") == "<lambda>":  # Keras's own layout, so Keras can load it (safe_mode=False)
        plain = lambda v: v if v is None or _is_json(v) else None  # noqa: E731
        closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
        function = {"class_name": "__lambda__", "config": {
            "code": base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii"),
            "defaults": plain(fn.__defaults__), "closure": plain(closure)}}
    else:
        function = {"module": getattr(fn, "__module__", None), "class_name": "function",
                    "config": getattr(fn, "__name__", type(fn).__name__), "registered_name": "function"}
    shape = layer._output_shape
    return {**config, "function": function, "arguments": dict(layer.arguments),
            "output_shape": None if shape is None or callable(shape) else list(shape)}


def _is_json(value):
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return False


def _lambda_from_config(config, custom_objects):
    """A Lambda's function comes from custom_objects (by layer or function name), never from the file."""
    from ..layers import Lambda
    config = dict(config)
    name, function = config.get("name", "lambda"), config.pop("function")
    if _SAFE_MODE.get():
        raise ValueError(f"Refusing to deserialize the Lambda layer '{name}': its function is Python code, which "
                         f"loading never runs from a file. If you trust this model, load it with safe_mode=False and "
                         f"pass the function as custom_objects={{'{name}': fn}}.")
    fn_name = function.get("config") if isinstance(function, dict) else function
    custom_objects = custom_objects or {}
    fn = custom_objects.get(name) or (custom_objects.get(fn_name) if isinstance(fn_name, str) else None)
    if fn is None:
        raise ValueError(f"Lambda layer '{name}': zerodl never runs code stored in a file; pass its function as "
                         f"custom_objects={{'{name}': fn}}.")
    shape = config.pop("output_shape", None)
    config.pop("mask", None)
    return Lambda(fn, output_shape=tuple(shape) if isinstance(shape, list) else None, **config)
