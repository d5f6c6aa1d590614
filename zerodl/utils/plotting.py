"""Pictures of training and models with matplotlib (optional: pip install 'zerodl[plot]').

- `plot_history(history)`: loss and each metric per epoch, train against validation.
- `plot_decision_boundary(model, X, y)`: the course's picture of what a 2-feature classifier predicts.
- `plot_model(model, to_file='model.png')`: the layer graph, drawn by matplotlib (no Graphviz needed).
- `get_activations(model, x)` / `plot_activations(model, x, y)`: what the inner layers make of a batch.

matplotlib is imported when a function is called, never with zerodl.
"""
import numpy as np


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("Plotting needs matplotlib: pip install 'zerodl[plot]' (or pip install matplotlib).") \
            from exc
    return plt


def _save(fig, to_file, dpi=None):
    if to_file is not None:
        fig.savefig(to_file, dpi=dpi, bbox_inches="tight")


def _label_codes(y):
    """Labels (strings too, or one-hot rows) as integer codes, and the sorted label values."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        y = y.argmax(axis=1)
    values, codes = np.unique(y.ravel(), return_inverse=True)
    return codes, values


# --- history ---------------------------------------------------------------------------------
def plot_history(history, metrics=None, to_file=None, figsize=None):
    """One panel per quantity (loss first), train and validation against the epoch (from 1).

    `history`: what fit returned (a History), its `.history` dict, or a DataFrame of it. Keras 2 and
    Keras 3 spellings of one metric ('acc' and 'accuracy') are drawn once. Returns the axes.
    """
    from ..callbacks import KERAS2_ALIASES
    logs = getattr(history, "history", history)
    if hasattr(logs, "to_dict"):  # a pandas DataFrame
        logs = logs.to_dict("list")
    names = []
    for name in logs:
        alias = KERAS2_ALIASES.get(name)
        if not name.startswith("val_") and not (alias in names and list(logs[alias]) == list(logs[name])):
            names.append(name)
    if metrics is not None:
        missing = [m for m in metrics if m not in logs]
        if missing:
            raise ValueError(f"plot_history: {missing} not in the history; it has {sorted(logs)}.")
        names = list(metrics)
    names.sort(key=lambda n: n != "loss")
    if not names:
        raise ValueError("plot_history: the history is empty (was the model trained?).")
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(names), figsize=figsize or (5 * len(names), 4), squeeze=False)
    for ax, name in zip(axes[0], names):
        train = list(logs[name])
        epochs = np.arange(1, len(train) + 1)
        ax.plot(epochs, train, label="train")
        if "val_" + name in logs:
            val = list(logs["val_" + name])
            ax.plot(np.arange(1, len(val) + 1), val, label="validation")
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.legend()
    fig.tight_layout()
    _save(fig, to_file)
    return axes[0]


# --- decision boundary -----------------------------------------------------------------------
def plot_decision_boundary(model, X, y, steps=101, margin=0.1, ax=None, cmap="bwr", to_file=None,
                           figsize=(12, 8)):
    """The course's picture: the model's output over a grid spanning X (2 features), shaded, and the
    points, class 0 as blue circles and class 1 as red crosses (more classes get more markers).

    A probability output is shaded as is; several outputs by their argmax. Returns the axes.
    """
    X = np.asarray(X, dtype="float32")
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary draws 2 features; X has shape {X.shape}.")
    (amin, bmin), (amax, bmax) = X.min(axis=0) - margin, X.max(axis=0) + margin
    aa, bb = np.meshgrid(np.linspace(amin, amax, steps), np.linspace(bmin, bmax, steps))
    c = np.asarray(model.predict(np.c_[aa.ravel(), bb.ravel()]))
    if c.ndim == 2 and c.shape[1] > 1:
        c = c.argmax(axis=1)
    elif c.dtype.kind not in "fiub":  # labels, e.g. from a KerasClassifier
        c = np.unique(c, return_inverse=True)[1]
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    ax.contourf(aa, bb, c.reshape(aa.shape).astype(float), cmap=cmap, alpha=0.2)
    codes, values = _label_codes(y)
    markers = ["ob", "xr", "^g", "sm", "dc", "vy", "pk"]
    for code, value in enumerate(values):
        ax.plot(X[codes == code, 0], X[codes == code, 1], markers[code % len(markers)], alpha=0.5,
                label=str(value))
    ax.legend()
    _save(ax.figure, to_file)
    return ax


# --- model graph -----------------------------------------------------------------------------
def _graph(model):
    """(layers, edges) of the model's graph, input layers included, in call order."""
    if not getattr(model, "built_graph", False):
        raise ValueError("This model has not yet been built. Build the model first by calling `build()` or by "
                         "calling the model on a batch of data.")
    layers, edges = [], []
    for node in model._nodes:
        if node.layer not in layers:
            layers.append(node.layer)
        for tensor in node.inputs:
            edge = (tensor.history[0], node.layer)
            if edge not in edges:
                edges.append(edge)
    return layers, edges


def _shape(shapes):
    shapes = [tuple(s) for s in shapes]
    return str(shapes[0]) if len(shapes) == 1 else str(shapes)


def _box_text(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable):
    kind = type(layer).__name__
    lines = [f"{layer.name} ({kind})" if show_layer_names else kind]
    if show_shapes:
        node = layer._inbound_nodes[0] if layer._inbound_nodes else None
        if node is not None and node.inputs:
            lines.append(f"Input shape: {_shape(t.shape for t in node.inputs)}")
        if node is not None and node.outputs:
            lines.append(f"Output shape: {_shape(t.shape for t in node.outputs)}")
    activation = getattr(layer, "activation", None)
    if show_layer_activations and activation is not None:
        lines.append(f"Activation: {getattr(activation, '__name__', activation)}")
    if show_dtype:
        lines.append(f"dtype: {getattr(layer, 'dtype', 'float32')}")
    if show_trainable:
        lines.append(f"Trainable: {layer.trainable}")
    return "\n".join(lines)


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False, show_layer_names=True,
               rankdir="TB", expand_nested=False, dpi=96, show_layer_activations=False, show_trainable=False,
               **kwargs):
    """Draw the layer graph to `to_file` (any format matplotlib writes: png, pdf, svg...).

    The Keras arguments keep their meaning; boxes are placed by depth from the inputs, top to bottom
    (rankdir='TB') or left to right ('LR'), and drawn with matplotlib, so Graphviz is not needed.
    In IPython the image is returned for display, as Keras does; otherwise None.
    """
    layers, edges = _graph(model)
    depth = {}
    for layer in layers:  # call order: parents come first
        parents = [a for a, b in edges if b is layer]
        depth[id(layer)] = 1 + max((depth[id(p)] for p in parents), default=-1)
    ranks = {}
    for layer in layers:
        ranks.setdefault(depth[id(layer)], []).append(layer)
    n_ranks, width = len(ranks), max(len(r) for r in ranks.values())
    texts = {id(layer): _box_text(layer, show_shapes, show_dtype, show_layer_names, show_layer_activations,
                                  show_trainable) for layer in layers}
    lines = max(t.count("\n") + 1 for t in texts.values())
    longest = max(len(line) for t in texts.values() for line in t.split("\n"))
    box_w, box_h = 0.085 * longest + 0.4, 0.18 * lines + 0.3  # inches, for 10 pt monospace text
    vertical = rankdir.upper() in ("TB", "BT")
    across, along = (box_w + 0.4, box_h + 0.6) if vertical else (box_h + 0.4, box_w + 0.8)
    size = (across * width, along * n_ranks) if vertical else (along * n_ranks, across * width)
    plt = _pyplot()
    fig = plt.figure(figsize=size)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_axis_off()
    ax.set_xlim(0, size[0])
    ax.set_ylim(0, size[1])
    artists = {}
    for rank, members in ranks.items():
        for i, layer in enumerate(members):
            offset = (i + 0.5) * size[0 if vertical else 1] / len(members)
            step = (rank + 0.5) * along
            if vertical:
                x, y = offset, size[1] - step if rankdir.upper() == "TB" else step
            else:
                x, y = step if rankdir.upper() == "LR" else size[0] - step, size[1] - offset
            artists[id(layer)] = ax.text(x, y, texts[id(layer)], ha="center", va="center", fontsize=10,
                                         family="monospace", bbox=dict(boxstyle="round,pad=0.5", fc="#dbe9f6",
                                                                       ec="#3b6ea5"))
    fig.canvas.draw()  # size the boxes, so arrows stop at their edges
    for parent, child in edges:
        a, b = artists[id(parent)], artists[id(child)]
        ax.annotate("", xy=b.get_position(), xytext=a.get_position(),
                    arrowprops=dict(arrowstyle="-|>", color="#3b6ea5", patchA=a.get_bbox_patch(),
                                    patchB=b.get_bbox_patch(), shrinkA=2, shrinkB=2))
    fig.savefig(to_file, dpi=dpi)
    plt.close(fig)
    try:
        from IPython import get_ipython
        from IPython.display import Image
    except ImportError:
        return None
    if get_ipython() is None or str(to_file).endswith(".pdf"):
        return None
    return Image(filename=str(to_file))


# --- inner layers ----------------------------------------------------------------------------
def _select_layers(model, layers):
    from ..layers import InputLayer
    if layers is None:
        return [layer for layer in model.layers if not isinstance(layer, InputLayer)]
    chosen = []
    for item in layers if isinstance(layers, (list, tuple)) else [layers]:
        if isinstance(item, str):
            item = model.get_layer(name=item)
        elif isinstance(item, (int, np.integer)):
            item = model.get_layer(index=int(item))
        chosen.append(item)
    return chosen


def get_activations(model, x, layers=None):
    """{layer name: its output for the batch x}, for the named / indexed layers (default: all).

    This is the course's `K.function([model.layers[0].input], [layer.output])` for many layers at once.
    """
    from .. import backend as K
    chosen = _select_layers(model, layers)
    function = K.function(model.inputs, [layer.output for layer in chosen])
    x = x if isinstance(x, (list, tuple)) else [x]
    outputs = function([np.asarray(a, dtype="float32") for a in x])
    return {layer.name: out for layer, out in zip(chosen, outputs)}


def _mosaic(maps, limit=16):
    """(H, W, C) feature maps -> one (rows*H, cols*W) image of the first `limit` channels."""
    maps = maps[..., :limit]
    count = maps.shape[-1]
    cols = int(np.ceil(np.sqrt(count)))
    rows = int(np.ceil(count / cols))
    h, w = maps.shape[:2]
    image = np.full((rows * h, cols * w), np.nan)
    for c in range(count):
        r, k = divmod(c, cols)
        image[r * h:(r + 1) * h, k * w:(k + 1) * w] = maps[..., c]
    return image


def plot_activations(model, x, y=None, layers=None, to_file=None, cmap="coolwarm", figsize=None):
    """One panel per layer showing what it outputs for the batch x (lecture 77's picture).

    A 2-unit layer is a scatter of its two features coloured by y; a 1-unit layer a histogram per
    class; a wider dense layer a heat map (samples x units); conv feature maps (and sequences) are shown
    for the first sample. Returns the axes.
    """
    activations = get_activations(model, x, layers)
    plt = _pyplot()
    n = len(activations)
    cols = min(n, 4)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=figsize or (4.5 * cols, 4 * rows), squeeze=False)
    codes = _label_codes(y)[0] if y is not None else None
    for ax, (name, out) in zip(axes.ravel(), activations.items()):
        ax.set_title(f"{name} {tuple(out.shape[1:])}")
        if out.ndim == 2 and out.shape[1] == 2:
            ax.scatter(out[:, 0], out[:, 1], s=12, **({} if codes is None else {"c": codes, "cmap": cmap}))
        elif out.ndim == 2 and out.shape[1] == 1:
            groups = [out[codes == c, 0] for c in np.unique(codes)] if codes is not None else [out[:, 0]]
            ax.hist(groups, bins=30, stacked=True)
        elif out.ndim == 2:
            order = np.argsort(codes, kind="stable") if codes is not None else slice(None)
            image = ax.imshow(out[order], aspect="auto", cmap="viridis", interpolation="nearest")
            ax.set_xlabel("unit")
            ax.set_ylabel("sample" + (" (sorted by class)" if codes is not None else ""))
            fig.colorbar(image, ax=ax)
        elif out.ndim == 4:
            ax.imshow(_mosaic(out[0]), cmap="viridis", interpolation="nearest")
            ax.set_axis_off()
        else:
            ax.imshow(out[0].reshape(out.shape[1], -1).T, aspect="auto", cmap="viridis", interpolation="nearest")
    for ax in axes.ravel()[n:]:
        ax.set_axis_off()
    fig.tight_layout()
    _save(fig, to_file)
    return axes.ravel()[:n]
