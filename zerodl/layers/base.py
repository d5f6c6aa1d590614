"""The Layer base class: weights, lazy build from the input shape, eager and symbolic calls."""
import functools
import inspect
import re
import weakref

from .. import activations, initializers, regularizers
from ..autodiff import Tensor, Variable
from ..config import floatx, unique_name, xp
from .symbolic import KerasTensor, Node, is_symbolic


def snake_case(name):
    """Keras's default layer names: Dense -> dense, Conv2D -> conv2d, MaxPooling2D -> max_pooling2d,
    SimpleRNN -> simple_rnn: a word boundary before each capitalised word, and between a lower-case
    letter and a capital."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def shape_str(shape):
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


# Masks of eager calls, as Keras 3 attaches them to tensors (`x._keras_mask`): output Tensor -> its mask
# (batch, timesteps). Tensor has __slots__, so they live beside it and go with it.
_KERAS_MASKS = weakref.WeakKeyDictionary()
# False until a layer that makes masks is built or a mask is attached: until then an eager call pays one check.
_masks_about = False


def _masks_in_use():
    global _masks_about
    _masks_about = True


def get_keras_mask(x):
    """The mask an eager layer call attached to Tensor `x` (Keras 3's `x._keras_mask`), or None."""
    return _KERAS_MASKS.get(x) if isinstance(x, Tensor) else None


def _input_masks(inputs):
    """The masks attached to the inputs (a Tensor, or a list of them: a list when any has one), or None."""
    if isinstance(inputs, Tensor):
        return _KERAS_MASKS.get(inputs)
    masks = [_KERAS_MASKS.get(x) for x in inputs]
    return masks if any(m is not None for m in masks) else None


def _attach_masks(outputs, masks):
    """Attach what `compute_mask` gave to the output Tensor(s): a list of masks to a list of outputs one by
    one, else the same mask to each output. None attaches nothing."""
    if not isinstance(outputs, (list, tuple)):
        outputs, masks = [outputs], [masks]
    elif not isinstance(masks, (list, tuple)):
        masks = [masks] * len(outputs)
    for tensor, mask in zip(outputs, masks):
        if mask is not None and isinstance(tensor, Tensor):
            _KERAS_MASKS[tensor] = mask
            _masks_in_use()


class Layer:
    """A callable with weights. Subclasses implement `build(input_shape)`, `call(inputs)` and
    `compute_output_shape(input_shape)`; shapes include the batch axis (None when unknown).

    Calling a layer on arrays or Tensors computes; calling it on KerasTensors records a graph node.
    """
    _replays = False  # True: inference `call` is a fixed sequence of ops given the input shapes (inference.py)

    def __init__(self, trainable=True, name=None, dtype=None, input_shape=None, input_dim=None,
                 batch_input_shape=None, batch_size=None, activity_regularizer=None, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword argument(s) {sorted(kwargs)}.")
        self.name = name or unique_name(snake_case(type(self).__name__))
        self.trainable = trainable
        self.dtype = dtype or floatx()
        self.built = False
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.supports_masking = False
        self._weights = []
        self._regularized = []  # (regularizer, variable) pairs added to the training loss
        self._losses = []  # activity-regularization losses of the latest training call
        self._inbound_nodes = []
        self._input_axes = {}  # axis -> size the built layer requires of its input
        self._input_min_ndim = None
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is None and input_shape is not None:
            batch_input_shape = (batch_size,) + tuple(input_shape)
        self._batch_input_shape = tuple(batch_input_shape) if batch_input_shape is not None else None
        self._expects_training = "training" in inspect.signature(self.call).parameters
        self._accepted_shape = None  # the latest input shape that passed _check_input
        self._expects_mask = "mask" in inspect.signature(self.call).parameters

    def __init_subclass__(cls, **kwargs):
        """A subclass's `build` marks the layer built (as in Keras 3), so `layer.build(shape)` called by
        hand is not followed by a second build, with fresh weights, on the first call."""
        super().__init_subclass__(**kwargs)
        if "build" in vars(cls):
            build = cls.build

            @functools.wraps(build)
            def build_then_mark(self, *args, **kwargs):
                result = build(self, *args, **kwargs)
                self._mark_built()
                return result
            cls.build = build_then_mark

    def _mark_built(self):
        """Built; a layer that makes masks turns on the eager mask handling of every layer."""
        self.built = True
        if self._mask_source:  # its eager calls attach masks from now on
            _masks_in_use()

    # --- to override -------------------------------------------------------------------
    def build(self, input_shape):
        self._mark_built()

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    # Masks: (batch, timesteps) bool arrays that models pass along beside the data. A layer whose
    # `call` takes `mask` receives it; `compute_mask` gives the mask of its output (None: no mask).
    # Called by hand, a layer attaches that mask to its output Tensor, where the next layer finds it
    # (Keras 3's `_keras_mask`: see get_keras_mask).
    _mask_source = False  # True on layers that can make a mask from none (Embedding(mask_zero=True), Masking)

    def compute_mask(self, inputs, mask=None):
        return mask if self.supports_masking else None

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = list(self._batch_input_shape)
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    # --- weights -----------------------------------------------------------------------
    def add_weight(self, name, shape, initializer="glorot_uniform", regularizer=None, trainable=True,
                   constraint=None, dtype=None):
        dtype = dtype or self.dtype
        value = initializers.get(initializer)(tuple(shape), dtype=dtype)
        variable = Variable(value, name=f"{self.name}/{name}", trainable=trainable, dtype=dtype,
                            constraint=constraint)
        self._weights.append(variable)
        regularizer = regularizers.get(regularizer)
        if regularizer is not None:
            self._regularized.append((regularizer, variable))
        return variable

    @property
    def weights(self):
        return list(self._weights)

    @property
    def trainable_weights(self):
        return [w for w in self._weights if w.trainable] if self.trainable else []

    @property
    def non_trainable_weights(self):
        return [w for w in self._weights if not (self.trainable and w.trainable)]

    # The Keras 3 names; through `self`, so a Model's overrides of the weight lists apply to them too.
    variables = property(lambda self: self.weights)
    trainable_variables = property(lambda self: self.trainable_weights)
    non_trainable_variables = property(lambda self: self.non_trainable_weights)

    # Through `self.weights` as well, so these serve a Model (whose weights are its layers') unchanged.
    def get_weights(self):
        return [w.value.copy() for w in self.weights]

    def set_weights(self, weights):
        weights, own = list(weights), self.weights
        if len(weights) != len(own):
            raise ValueError(f'You called set_weights(weights) on layer "{self.name}" with a weight list of '
                             f"length {len(weights)}, but the layer was expecting {len(own)} weights"
                             f" (shapes {[w.shape for w in own]}).")
        for variable, value in zip(own, weights):
            value = xp.asarray(value)
            if value.shape != variable.shape:
                raise ValueError(f'Layer "{self.name}" weight "{variable.name}" has shape {variable.shape}, '
                                 f"but set_weights received an array of shape {value.shape}.")
            variable.value[...] = value

    def count_params(self):
        return int(sum(w.value.size for w in self.weights))

    @property
    def losses(self):
        """Regularization penalties (Tensors) of this layer's weights and its latest activity."""
        return [regularizer(variable) for regularizer, variable in self._regularized] + list(self._losses)

    # --- calling -----------------------------------------------------------------------
    def _replayable(self):
        """Whether predict may record this layer's inference call once and replay its ops (see
        models/inference.py): no randomness, no Python decisions on input values, weights as Variables."""
        activation = getattr(self, "activation", None)  # a user's activation or `call` may do anything
        return (self._replays and type(self).call.__module__.startswith("zerodl.")
                and (activation is None or activations.is_builtin(activation)))

    def __call__(self, inputs, *args, training=None, **kwargs):
        if isinstance(inputs, Tensor):  # the common eager case (fit, predict) first
            shapes = inputs.value.shape
        elif is_symbolic(inputs):
            # a True/False given here stays with the call and wins over the model's (Keras 2): Dropout(0.5)(x,
            # training=True) drops in predict too (Monte Carlo dropout); K.learning_phase() follows the model
            if isinstance(training, (bool, int, xp.bool_)):
                kwargs = {**kwargs, "training": bool(training)}
            return self._call_symbolic(inputs, args, kwargs)
        elif isinstance(inputs, (list, tuple)):
            inputs = [x if isinstance(x, Tensor) else Tensor(self._input_array(x)) for x in inputs]
            shapes = [x.shape for x in inputs]
        else:
            inputs = Tensor(self._input_array(inputs))
            shapes = inputs.shape
        self._accept(shapes)
        if _masks_about or (kwargs and kwargs.get("mask") is not None):
            outputs = self._call_masked(inputs, args, kwargs, training)
        elif args or kwargs:
            outputs = self._call_with(inputs, args, kwargs, training)
        else:  # the common case, without packing arguments
            outputs = self.call(inputs, training=training) if self._expects_training else self.call(inputs)
        if self.activity_regularizer is not None:
            self._losses = [self.activity_regularizer(outputs)]
        return outputs

    def _accept(self, shapes):
        """What every eager call does first: build the layer on its first input, and check each new input
        shape once (not on every batch)."""
        if not self.built:
            self._build(shapes)
        if shapes != self._accepted_shape:
            self._check_input(shapes)
            self._accepted_shape = shapes

    def _call_with(self, inputs, args, kwargs, training):
        """`call` with the arguments given; `mask` and `training` only to a call that takes them."""
        if "mask" in kwargs and not self._expects_mask:
            del kwargs["mask"]
        if self._expects_training:
            kwargs["training"] = training
        return self.call(inputs, *args, **kwargs)

    def _call_masked(self, inputs, args, kwargs, training):
        """An eager call where masks may be about, as in Keras 3: without `mask=`, the mask attached to the
        inputs goes to `call`; the outputs carry the mask `compute_mask` gives them."""
        mask = kwargs.get("mask")
        if mask is None:
            mask = _input_masks(inputs)
            if mask is not None:
                kwargs["mask"] = mask
        outputs = self._call_with(inputs, args, kwargs, training)
        if mask is not None or self._mask_source:
            _attach_masks(outputs, self.compute_mask(inputs, mask))
        return outputs

    def _input_array(self, x):
        """Numbers given as arrays or lists become the layer's float type (as fit does), so float64 or integer
        data called on a layer directly gives float32 results."""
        array = xp.asarray(x)
        return array.astype(self.dtype) if array.dtype.kind in "biuf" and array.dtype != self.dtype else array

    def _call_symbolic(self, inputs, args, kwargs):
        many = isinstance(inputs, (list, tuple))
        shapes = [t.shape for t in inputs] if many else inputs.shape
        if not self.built:
            self._build(shapes)
        self._check_input(shapes)
        out_shape = self.compute_output_shape(shapes)
        multi_out = isinstance(out_shape, list)
        outputs = [KerasTensor(s, self.dtype) for s in (out_shape if multi_out else [out_shape])]
        Node(self, inputs if many else [inputs], outputs, dict(kwargs, **({"args": args} if args else {})))
        return outputs if multi_out else outputs[0]

    def _build(self, input_shape):
        self.build(input_shape)
        self.built = True

    def _check_input(self, shape):
        """Raise a clear error when the input does not fit what the layer was built for."""
        if not self._input_axes and self._input_min_ndim is None:
            return
        if self._input_min_ndim is not None and len(shape) < self._input_min_ndim:
            raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                             f"min_ndim={self._input_min_ndim}, found ndim={len(shape)}. Full shape received: "
                             f"{shape_str(shape)}")
        for axis, size in self._input_axes.items():
            if len(shape) < abs(axis) or shape[axis] not in (size, None):
                raise ValueError(f'Input 0 of layer "{self.name}" is incompatible with the layer: expected axis '
                                 f"{axis} of input shape to have value {size}, but received input with shape "
                                 f"{shape_str(shape)}")

    # --- graph introspection -----------------------------------------------------------
    def _single_node(self, what):
        if not self._inbound_nodes:
            raise AttributeError(f'Layer "{self.name}" has never been called and thus has no defined {what}.')
        return self._inbound_nodes[0]

    @property
    def input(self):
        node = self._single_node("input")
        return node.inputs[0] if len(node.inputs) == 1 else node.inputs

    @property
    def output(self):
        node = self._single_node("output")
        return node.outputs[0] if len(node.outputs) == 1 else node.outputs

    @property
    def input_shape(self):
        node = self._single_node("input shape")
        shapes = [t.shape for t in node.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        node = self._single_node("output shape")
        shapes = [t.shape for t in node.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"
