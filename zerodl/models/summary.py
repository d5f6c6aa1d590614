"""model.summary(): the Keras table of layers, output shapes and parameter counts."""
from ..layers.base import shape_str


def _shape(shapes):
    if isinstance(shapes, list):
        return ", ".join(_shape(s) for s in shapes) if len(shapes) > 1 else _shape(shapes[0])
    return shape_str(shapes)


def _row(fields, positions):
    line = ""
    for i, field in enumerate(fields):
        if i > 0:
            line = line[:-1] + " "
        line += str(field)
        line = line[:positions[i]]
        line += " " * (positions[i] - len(line))
    return line


def print_summary(model, line_length=None, positions=None, print_fn=None):
    if not model.built_graph:
        raise ValueError(f'The model "{model.name}" has not yet been built. Build it first by calling build(), '
                         "giving the first layer an input_shape, or calling fit/predict on a batch of data.")
    print_fn = print_fn or print
    sequential = type(model).__name__ == "Sequential"
    line_length = line_length or (65 if sequential else 98)
    positions = positions or ([0.45, 0.85, 1.0] if sequential else [0.33, 0.55, 0.67, 1.0])
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    headers = ["Layer (type)", "Output Shape", "Param #"] + ([] if sequential else ["Connected to"])
    nodes = {id(n) for n in model._nodes}

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    print_fn(_row(headers, positions))
    print_fn("=" * line_length)
    for i, layer in enumerate(model.layers):
        own_nodes = [n for n in layer._inbound_nodes if id(n) in nodes]
        shapes = [t.shape for t in own_nodes[0].outputs] if own_nodes else "?"
        fields = [f"{layer.name} ({type(layer).__name__})", _shape(shapes), layer.count_params()]
        if not sequential:
            sources = [f"{t.history[0].name}[{t.history[1]}][{t.history[2]}]" for n in own_nodes for t in n.inputs]
            fields.append(sources[0] if sources else "")
            print_fn(_row(fields, positions))
            for source in sources[1:]:
                print_fn(_row(["", "", "", source], positions))
        else:
            print_fn(_row(fields, positions))
        print_fn("=" * line_length if i == len(model.layers) - 1 else "_" * line_length)
    trainable = sum(w.value.size for w in model.trainable_weights)
    total = model.count_params()
    print_fn(f"Total params: {total:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {total - trainable:,}")
    print_fn("_" * line_length)
