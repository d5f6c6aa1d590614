"""BatchNormalization: normalize each feature (channel) by batch statistics while training and by
moving averages of them at inference; weights gamma, beta, moving_mean, moving_variance (Keras order)."""
from .. import initializers, regularizers
from ..ops import normalization as norm_ops
from ..utils.serialization import serialize
from .base import Layer, shape_str


class BatchNormalization(Layer):
    """y = gamma * (x - mean) / sqrt(var + epsilon) + beta along `axis` (the channels, -1 by default).

    training=True (inside fit): mean and var of the batch, and
    moving = moving * momentum + batch * (1 - momentum) for moving_mean / moving_variance.
    Otherwise (predict, evaluate, or a frozen layer with trainable=False): the moving statistics.
    """
    _replays = True  # the moving statistics reach the inference op as Variables, read at each call

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None, gamma_constraint=None,
                 synchronized=False, renorm=False, renorm_clipping=None, renorm_momentum=0.99, fused=None,
                 virtual_batch_size=None, adjustment=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):  # Keras 2 configs save axis as a one-element list
            if len(axis) != 1:
                raise NotImplementedError("zerodl BatchNormalization normalizes along one axis.")
            axis = axis[0]
        if renorm or virtual_batch_size is not None or adjustment is not None:
            raise NotImplementedError("BatchNormalization: renorm, virtual_batch_size and adjustment are not "
                                      "supported by zerodl.")
        self.axis = int(axis)
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint, self.gamma_constraint = beta_constraint, gamma_constraint
        self.synchronized = synchronized
        self.gamma = self.beta = None

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim:
            raise ValueError(f"Invalid axis: {self.axis} for an input of rank {ndim} (shape {shape_str(input_shape)}).")
        self.axis = self.axis % ndim
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(f"Axis {self.axis} of input tensor should have a defined dimension but the layer "
                             f"received an input with shape {shape_str(input_shape)}.")
        if self.scale:
            self.gamma = self.add_weight("gamma", (dim,), self.gamma_initializer, self.gamma_regularizer,
                                         constraint=self.gamma_constraint)
        if self.center:
            self.beta = self.add_weight("beta", (dim,), self.beta_initializer, self.beta_regularizer,
                                        constraint=self.beta_constraint)
        self.moving_mean = self.add_weight("moving_mean", (dim,), self.moving_mean_initializer, trainable=False)
        self.moving_variance = self.add_weight("moving_variance", (dim,), self.moving_variance_initializer,
                                               trainable=False)
        self._input_axes = {self.axis: dim}
        self._input_min_ndim = ndim

    def _check_input(self, shape):
        if len(shape) != self._input_min_ndim:  # the axis number is fixed, so is the rank
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                             f"ndim={self._input_min_ndim}, found ndim={len(shape)}. Full shape received: "
                             f"{shape_str(shape)}")
        super()._check_input(shape)

    def call(self, inputs, training=None):
        if training and self.trainable:
            op = norm_ops.BatchNorm(self.axis, self.epsilon)
            out = op(inputs, self.gamma, self.beta)
            m = self.momentum
            for variable, batch in ((self.moving_mean, op.mean), (self.moving_variance, op.var)):
                value = variable.value
                value *= value.dtype.type(m)
                value += (batch * (1 - m)).astype(value.dtype, copy=False)
            return out
        return norm_ops.batch_norm_inference(inputs, self.moving_mean, self.moving_variance, self.gamma,
                                             self.beta, self.axis, self.epsilon)

    def get_config(self):
        init = lambda i: serialize(i, "keras.initializers")  # noqa: E731
        reg = lambda r: serialize(r, "keras.regularizers")  # noqa: E731
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon,
                "center": self.center, "scale": self.scale, "beta_initializer": init(self.beta_initializer),
                "gamma_initializer": init(self.gamma_initializer),
                "moving_mean_initializer": init(self.moving_mean_initializer),
                "moving_variance_initializer": init(self.moving_variance_initializer),
                "beta_regularizer": reg(self.beta_regularizer), "gamma_regularizer": reg(self.gamma_regularizer),
                "beta_constraint": None, "gamma_constraint": None, "synchronized": self.synchronized}
