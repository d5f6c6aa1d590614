"""Symbolic tensors and nodes: how the functional API records a graph of layer calls.

Calling a layer on a `KerasTensor` (a shape without data) does not compute anything: it
builds the layer, infers the output shape, and records a `Node` linking input tensors,
layer and output tensors. A model later replays the nodes on real arrays.
"""


class KerasTensor:
    """A placeholder for a batch of data: shape (with None for the batch axis), dtype, and
    `history` = (layer, node_index, tensor_index) of the call that produced it."""

    def __init__(self, shape, dtype="float32", history=None, name=None):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.history = history
        self.name = name

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def node(self):
        layer, node_index, _ = self.history
        return layer._inbound_nodes[node_index]

    def __repr__(self):
        name = f" name={self.name}" if self.name else ""
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}{name}>"

    def __array__(self, *args, **kwargs):
        raise TypeError("A symbolic KerasTensor has no value: build a Model from it, or use "
                        "zerodl.backend.function(inputs, outputs) to compute it on data.")


class Node:
    """One call of `layer` on `inputs` (KerasTensors) giving `outputs`."""

    def __init__(self, layer, inputs, outputs, kwargs=None):
        self.layer = layer
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.kwargs = kwargs or {}
        self.index = len(layer._inbound_nodes)
        layer._inbound_nodes.append(self)
        for i, tensor in enumerate(self.outputs):
            tensor.history = (layer, self.index, i)

    @property
    def parents(self):
        return [t.node for t in self.inputs]


def is_symbolic(x):
    if isinstance(x, (list, tuple)):
        return any(isinstance(t, KerasTensor) for t in x)
    return isinstance(x, KerasTensor)
