"""Two layers run as one call, where running them apart would make an array the pair does not need.

The one pair: a convolution whose output goes only to a pooling with windows that tile it (strides ==
pool_size, 'valid'; same rank; both channels_last). A pooling reduces its window slabs, slab m holding every
window's value at offset m (see ops.conv.Pool). Run apart, the convolution writes its whole output -- the
largest array of a small CNN, ph*pw times the pooled size -- and the pooling copies it into slab order, and
the gradient takes both ways back. Run as one op (`ops.conv.ConvPool`), the convolution's GEMM writes one
slab at a time, in slab order, and the pooling folds it in while it is still in cache.

The activation between the two must then move after the pooling: the pair runs as one when the convolution's
activation is linear (Keras' default), or when the pooling is a max and the activation never decreases
(relu, sigmoid, tanh, ...: max(f(a), f(b)) = f(max(a, b))), which then runs on the pooled output only.

The result is what calling the two layers one after the other gives, up to rounding: the GEMM meets its
rows in another order (and leaves out those no pooling window covers). One exception: a window holding a
NaN, whose output is NaN either way, may send its gradient elsewhere when the activation moved (its slope
is taken at the NaN rather than at the value that led the window). A pair that fuses always runs fused, so
a model gives the same bits in fit, evaluate, predict and its own calls.
"""
from .. import activations
from ..autodiff import Tensor
from .base import get_keras_mask
from .convolutional import Conv1D, Conv2D
from .pooling import AveragePooling1D, AveragePooling2D, MaxPooling1D, MaxPooling2D

_POOLINGS_AFTER = {Conv1D: (MaxPooling1D, AveragePooling1D), Conv2D: (MaxPooling2D, AveragePooling2D)}


def pairs(first, second):
    """Whether `first` then `second` may run as one call. Exact classes: a subclass may change either."""
    poolings = _POOLINGS_AFTER.get(type(first))
    return (poolings is not None and type(second) in poolings
            and first.data_format == second.data_format == "channels_last"
            and second.strides == second.pool_size and second.padding == "valid"
            and first.activity_regularizer is None and second.activity_regularizer is None
            and (first.activation is activations.linear
                 or second.mode == "max" and activations.is_nondecreasing(first.activation)))


def call_pair(first, second, x):
    """second(first(x)) as one call, or None where the two are to be called one by one: they do not pair, or
    x is not a Tensor, or it carries a mask. Both layers are built and their inputs checked as in any call."""
    if not (pairs(first, second) and isinstance(x, Tensor) and get_keras_mask(x) is None):
        return None
    shape = x.value.shape
    if shape != first._accepted_shape or not second.built:
        first._accept(shape)
        second._accept(first.compute_output_shape(shape))
    return first.activation(first._convolve_and_pool(x, second))


def run_sequence(layers, x, training):
    """x through `layers` one after the other (a Sequential model), pairs that fuse as one call."""
    i, n = 0, len(layers)
    while i < n:
        out = call_pair(layers[i], layers[i + 1], x) if i + 1 < n else None
        if out is None:
            x, i = layers[i](x, training=training), i + 1
        else:
            x, i = out, i + 2
    return x


def sole_consumers(nodes, outputs):
    """For each layer call of a graph (nodes in call order), the call its output goes to when that is the
    only one, taking no other input or argument, and the output is not a model output (a candidate pair);
    else None."""
    consumers = {}
    for node in nodes:
        for tensor in node.inputs:
            consumers.setdefault(id(tensor), []).append(node)
    output_ids = {id(t) for t in outputs}
    found = []
    for node in nodes:
        after = consumers.get(id(node.outputs[0]), []) if len(node.outputs) == 1 else []
        sole = (len(after) == 1 and id(node.outputs[0]) not in output_ids and not node.kwargs
                and len(after[0].inputs) == 1 and not after[0].kwargs)
        found.append(after[0] if sole else None)
    return found
