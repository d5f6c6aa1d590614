"""Keras activation functions by name: `Dense(4, activation='tanh')` or `activations.tanh(x)`."""
from . import ops


def linear(x):
    return x


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0, alpha=None):
    """Keras 3 `negative_slope`, or its Keras 2 name `alpha`."""
    return ops.relu(x, negative_slope if alpha is None else alpha, max_value, threshold)


def leaky_relu(x, negative_slope=0.2):
    return ops.relu(x, negative_slope)


def relu6(x):
    return ops.relu(x, max_value=6.0)


sigmoid = ops.sigmoid
tanh = ops.tanh
elu = ops.elu
selu = ops.selu
softplus = ops.softplus
softsign = ops.softsign
softmax = ops.softmax
log_softmax = ops.log_softmax
exponential = ops.exp
swish = silu = ops.swish
gelu = ops.gelu
hard_sigmoid = ops.hard_sigmoid

_ACTIVATIONS = {
    "linear": linear, "relu": relu, "leaky_relu": leaky_relu, "relu6": relu6, "sigmoid": sigmoid,
    "tanh": tanh, "elu": elu, "selu": selu, "softplus": softplus, "softsign": softsign,
    "softmax": softmax, "log_softmax": log_softmax, "exponential": exponential, "swish": swish,
    "silu": silu, "gelu": gelu, "hard_sigmoid": hard_sigmoid,
}


def get(identifier):
    """The activation function for a name, a function, or None (linear)."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier.lower() in _ACTIVATIONS:
        return _ACTIVATIONS[identifier.lower()]
    raise ValueError(f"Unknown activation {identifier!r}. Valid names: {', '.join(sorted(_ACTIVATIONS))}.")


def is_builtin(activation):
    """True for the activations defined here (a fixed sequence of ops); False for user functions."""
    return activation in _ACTIVATIONS.values()


def is_nondecreasing(activation):
    """True for the built-in activations that work elementwise and never decrease, so that a max commutes with
    them, gradient included: max(f(a), f(b)) = f(max(a, b)), and where f(a) = f(b) with a != b, f is flat
    between them and both slopes are 0 (at a kink, the flatter side's slope: see ops.ClippedRelu). False for
    softmax and log_softmax (along an axis), swish and gelu (each dips before it rises), and user functions."""
    return activation in (linear, relu, leaky_relu, relu6, sigmoid, tanh, elu, selu, softplus, softsign,
                          exponential, hard_sigmoid)


def serialize(activation):
    """The name Keras saves for an activation function."""
    for name, f in _ACTIVATIONS.items():
        if f is activation:
            return name
    return getattr(activation, "__name__", str(activation))
