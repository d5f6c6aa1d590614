"""The Keras backend functions, `import zerodl.backend as K`.

Math functions take arrays or Tensors and return Tensors, so custom losses and metrics
written with them (`K.mean(K.square(y_pred - y_true), axis=-1)`) are differentiable.
"""
from . import config, ops
from .autodiff import Tensor, Variable, gradients as _gradients, no_grad
from .config import epsilon, floatx, set_epsilon, set_floatx, xp

abs = ops.abs
sqrt, square, exp, log = ops.sqrt, ops.square, ops.exp, ops.log
sigmoid, tanh, softmax, softplus, softsign, elu = ops.sigmoid, ops.tanh, ops.softmax, ops.softplus, ops.softsign, \
    ops.elu
maximum, minimum, clip = ops.maximum, ops.minimum, ops.clip
reshape, transpose, concatenate, stack = ops.reshape, ops.transpose, ops.concatenate, ops.stack
expand_dims, squeeze, flatten = ops.expand_dims, ops.squeeze, ops.flatten
sum, mean, max, min = ops.sum, ops.mean, ops.max, ops.min
dot = ops.matmul
cast = ops.cast
pow = ops.power
switch = ops.where

_LEARNING_PHASE = object()


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    return ops.relu(x, alpha, max_value, threshold)


def var(x, axis=None, keepdims=False):
    centered = ops.subtract(x, ops.mean(x, axis=axis, keepdims=True))
    return ops.mean(ops.square(centered), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    return ops.sqrt(var(x, axis, keepdims))


def _array(x):
    return x.value if isinstance(x, Tensor) else xp.asarray(x)


def argmax(x, axis=-1):
    return Tensor(_array(x).argmax(axis=axis))


def argmin(x, axis=-1):
    return Tensor(_array(x).argmin(axis=axis))


def equal(x, y):
    return Tensor(_array(x) == _array(y))


def not_equal(x, y):
    return Tensor(_array(x) != _array(y))


def greater(x, y):
    return Tensor(_array(x) > _array(y))


def less(x, y):
    return Tensor(_array(x) < _array(y))


def round(x):
    return Tensor(xp.round(_array(x)))


def sign(x):
    return Tensor(xp.sign(_array(x)))


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise, as in Keras (the loss `losses.binary_crossentropy` is its mean over the last axis)."""
    from .losses import _logits_below
    from .ops.activations import Sigmoid
    logits = output if from_logits else _logits_below(output, Sigmoid)
    if logits is not None:  # a trailing axis of 1 makes the loss ops' mean over the last axis the identity
        return ops.sigmoid_cross_entropy(expand_dims(target), expand_dims(logits))
    return ops.binary_cross_entropy(expand_dims(target), expand_dims(output))


def categorical_crossentropy(target, output, from_logits=False):
    from .losses import categorical_crossentropy as loss
    return loss(target, output, from_logits)


# --- variables and values --------------------------------------------------------------------
def variable(value, dtype=None, name=None):
    return Variable(value, name=name or "variable", dtype=dtype)


def constant(value, dtype=None, shape=None):
    value = xp.asarray(value, dtype=dtype or floatx())
    return Tensor(xp.broadcast_to(value, shape).copy() if shape is not None else value)


def zeros(shape, dtype=None, name=None):
    return Variable(xp.zeros(shape, dtype=dtype or floatx()), name=name or "zeros")


def ones(shape, dtype=None, name=None):
    return Variable(xp.ones(shape, dtype=dtype or floatx()), name=name or "ones")


def zeros_like(x, dtype=None):
    return Tensor(xp.zeros_like(_array(x), dtype=dtype))


def ones_like(x, dtype=None):
    return Tensor(xp.ones_like(_array(x), dtype=dtype))


def get_value(x):
    """The array held by a Variable/Tensor, or an optimizer hyperparameter such as `model.optimizer.lr`."""
    return _array(x) if isinstance(x, Tensor) or hasattr(x, "__array__") else x


eval = get_value  # Keras 2: K.eval(x)


def batch_get_value(tensors):
    return [get_value(t) for t in tensors]


def set_value(x, value):
    """Assign in place: a Variable's array, or an optimizer attribute like `K.set_value(opt.lr, 0.1)`."""
    if hasattr(x, "assign"):  # a Variable, or an optimizer's learning rate (`model.optimizer.lr`)
        x.assign(value)
    elif isinstance(x, xp.ndarray):
        x[...] = value
    else:
        raise TypeError(f"set_value needs a Variable (got {type(x).__name__}); for an optimizer's learning rate "
                        "assign `model.optimizer.learning_rate = value`.")


def int_shape(x):
    """The shape as a tuple (None for unknown sizes of symbolic tensors)."""
    return tuple(x.shape)


def ndim(x):
    return len(x.shape)


def dtype(x):
    return str(x.dtype)


def is_keras_tensor(x):
    from .layers.symbolic import KerasTensor
    return isinstance(x, KerasTensor)


# --- sessions, graphs and gradients -----------------------------------------------------------
def clear_session():
    """Reset layer-name counters ('dense', 'dense_1', ... start again) and the global graph state."""
    config.reset_names()


def learning_phase():
    """Keras 2 placeholder: put it among `function` inputs and feed 0 (inference) or 1 (training)."""
    return _LEARNING_PHASE


def gradients(loss, variables):
    """d(loss)/d(variable) for each variable, `loss` being a Tensor computed from them eagerly, e.g.
    `K.gradients(K.mean(losses.mse(y, model(x))), model.trainable_weights)`."""
    many = isinstance(variables, (list, tuple))
    grads = _gradients(loss, list(variables) if many else [variables])
    return grads if many else grads[0]


def function(inputs, outputs, **kwargs):
    """A callable mapping input arrays to output arrays through the graph between the given symbolic
    tensors, e.g. `K.function([model.layers[0].input], [model.layers[1].output])`."""
    from .models.functional import ordered_nodes, run_nodes
    single_output = not isinstance(outputs, (list, tuple))
    inputs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    outputs = [outputs] if single_output else list(outputs)
    tensors = [t for t in inputs if t is not _LEARNING_PHASE]
    nodes = ordered_nodes(outputs, stop_at=tensors)

    def run(values):
        values = list(values) if isinstance(values, (list, tuple)) else [values]
        if len(values) != len(inputs):
            raise ValueError(f"This function takes {len(inputs)} input(s), got {len(values)}.")
        training = bool(next((v for t, v in zip(inputs, values) if t is _LEARNING_PHASE), False))
        arrays = [Tensor(xp.asarray(v, dtype=floatx())) for t, v in zip(inputs, values) if t is not _LEARNING_PHASE]
        with no_grad():
            results = run_nodes(nodes, tensors, arrays, outputs, training)
        values = [r.value for r in results]
        return values[0] if single_output else values

    return run

