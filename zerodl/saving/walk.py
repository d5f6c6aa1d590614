"""How Keras 3 lays a model out in weight files: layer order, group paths and variable order.

A layer interoperates once its `get_config` takes Keras's keys and its weights are created in Keras's
order (Keras saves a layer's trainable variables, then its non-trainable ones). Sub-layers held in public
attributes, as Keras holds them (an RNN's `cell`, TimeDistributed's `layer`, Bidirectional's
`forward_layer`/`backward_layer`), get their own groups under the attribute's name. A layer laid out
otherwise can define `_keras_weight_groups(self) -> [(subpath, variables), ...]`.
"""
from ..layers.base import snake_case


def keras_class_name(layer):
    from ..models import Model
    return "Functional" if type(layer) is Model else type(layer).__name__


def is_model(layer):
    from ..models import Model
    return isinstance(layer, Model)


def keras_layers(model):
    """`model.layers` as Keras 3 orders them: a Sequential's stack; for a functional model every layer,
    InputLayers included, by decreasing depth from the outputs, ties in first-visit order (Keras's map_graph)."""
    from ..layers import InputLayer
    from ..models import Sequential
    if isinstance(model, Sequential) or not model.built_graph:
        return list(model.layers)
    given = {id(t) for t in model.inputs}
    finished, order, first_visit = set(), [], {}

    def visit(tensor):
        layer, node_index, _ = tensor.history
        node = layer._inbound_nodes[node_index]
        if id(node) in finished:
            return
        if id(tensor) in given and not isinstance(layer, InputLayer):
            finished.add(id(node))
            return
        first_visit.setdefault(id(layer), (len(first_visit), layer))
        for parent in node.inputs:
            visit(parent)
        finished.add(id(node))
        order.append(node)

    for tensor in model.outputs:
        visit(tensor)
    in_graph = {id(n) for n in order}
    node_depth, layer_depth = {}, {}
    for node in reversed(order):
        depth = max(node_depth.setdefault(id(node), 0), layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = node_depth[id(node)] = depth
        for parent in node.parents:
            if id(parent) in in_graph:
                node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    for tensor in model.inputs:  # inputs the outputs do not use
        layer = tensor.history[0]
        if id(layer) not in layer_depth:
            layer_depth[id(layer)] = 0
            first_visit[id(layer)] = (-1, layer)
    keys = sorted(layer_depth, key=lambda k: (-layer_depth[k], first_visit[k][0]))
    return [first_visit[k][1] for k in keys]


def own_variables(layer):
    """A layer's variables in Keras's saving order: trainable ones, then non-trainable ones."""
    weights = layer.weights
    return [w for w in weights if w.trainable] + [w for w in weights if not w.trainable]


def sublayers(layer):
    """(attribute, layer) for the layers a layer holds in public attributes (an RNN's cell, a wrapper's
    layer, Bidirectional's forward_layer and backward_layer), sorted by name as Keras walks them."""
    from ..layers import Layer
    return sorted((name, value) for name, value in vars(layer).items()
                  if isinstance(value, Layer) and not name.startswith("_") and value is not layer)


def weight_groups(layer, _seen=None):
    """[(subpath, variables)] for one (non-model) layer, as Keras 3 files hold them: '' for the layer's
    own variables, then each sub-layer's under its attribute name ('cell', 'forward_layer/cell', ...)."""
    hook = getattr(layer, "_keras_weight_groups", None)
    if hook is not None:
        return list(hook())
    seen = (_seen or set()) | {id(layer)}
    children = [(name, child) for name, child in sublayers(layer) if id(child) not in seen]
    held = {id(w) for _, child in children for w in child.weights}
    groups = [("", [w for w in own_variables(layer) if id(w) not in held])]
    for name, child in children:
        groups += [(f"{name}/{sub}" if sub else name, variables) for sub, variables in weight_groups(child, seen)]
    return groups


def keras_groups(model, prefix=""):
    """(path, object, variables) for the model and each layer inside it, as Keras 3's `.weights.h5` holds
    them: the model at '' (no variables of its own), a layer at 'layers/<snake class name>[_n]', a nested
    model's layers under its path. A layer met twice (shared) is listed once."""
    yield prefix.rstrip("/"), model, []
    yield from _walk(model, prefix, set())


def _walk(model, prefix, seen):
    counts = {}  # Keras's unique names: dense, dense_1, dense_2, ...
    for layer in keras_layers(model):
        base = snake_case(keras_class_name(layer))
        counts[base] = counts.get(base, -1) + 1
        name = f"{base}_{counts[base]}" if counts[base] else base
        if id(layer) in seen:  # counted, as Keras does, but saved once
            continue
        seen.add(id(layer))
        path = f"{prefix}layers/{name}"
        if is_model(layer):
            yield path, layer, []
            yield from _walk(layer, path + "/", seen)
        else:
            for sub, variables in weight_groups(layer):
                yield (f"{path}/{sub}" if sub else path), layer, variables


def keras_trainable_variables(model):
    """`model.trainable_variables` in Keras's order (layers in Keras order, nested models flattened),
    the order of Keras's optimizer slots."""
    if not model.trainable:
        return []
    found, seen = [], set()
    for layer in keras_layers(model):
        if is_model(layer):
            variables = keras_trainable_variables(layer)
        else:  # a layer's own order (its sub-layers' in the order it made them), as Keras tracks them
            variables = [w for w in own_variables(layer) if w.trainable] if layer.trainable else []
        for v in variables:
            if id(v) not in seen:
                seen.add(id(v))
                found.append(v)
    return found


def legacy_weights(layer):
    """Keras 2 `.h5` order for a layer or nested model: trainable weights, then non-trainable ones."""
    if is_model(layer):
        variables = [w for sub in keras_layers(layer) for w in legacy_weights(sub)]
        unique = list({id(v): v for v in variables}.values())
        return [w for w in unique if w.trainable and layer.trainable] + \
            [w for w in unique if not (w.trainable and layer.trainable)]
    variables = own_variables(layer)
    return [w for w in variables if w.trainable and layer.trainable] + \
        [w for w in variables if not (w.trainable and layer.trainable)]


def assign_checked(model, where, groups, problems, skip_mismatch=False):
    """Set variables from file arrays, all or none: `groups` holds (label, variables, values) per layer;
    any count or shape that does not fit is added to `problems`, which raise unless skip_mismatch."""
    assignments = []
    for label, variables, values in groups:
        if len(values) != len(variables):
            problems.append(f"{label}: the layer has {len(variables)} variables, the file {len(values)}")
            continue
        for variable, value in zip(variables, values):
            if value.shape != variable.value.shape:
                problems.append(f"{label}: '{variable.name}' has shape {variable.value.shape}, the file "
                                f"{value.shape}")
            else:
                assignments.append((variable, value))
    if problems and not skip_mismatch:
        raise ValueError(f"Cannot load the weights in '{where}' into model '{model.name}': " + "; ".join(problems)
                         + ".")
    for variable, value in assignments:
        variable.value[...] = value
