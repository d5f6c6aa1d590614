"""Keras losses. Functions map (y_true, y_pred) to one loss per sample (the last axis reduced);
`Loss` classes add sample weighting and the batch reduction.

The four fused losses (mse and the cross-entropies) also take `reduction="mean"` (PyTorch's
argument): their op then returns the batch mean itself, which `Loss` uses when no sample weights
are given -- one graph node fewer on every training step.

When y_pred comes straight out of a sigmoid or softmax, the cross-entropies use the
logits underneath (stable, and the gradient is simply p - y), as Keras does.
"""
from . import ops
from .autodiff import Tensor
from .config import epsilon, xp
from .ops.activations import Sigmoid, Softmax


def _logits_below(y_pred, op_class):
    """The input of the sigmoid/softmax that produced y_pred, if it did (over the last axis)."""
    if isinstance(y_pred, Tensor) and isinstance(y_pred.op, op_class) and \
            getattr(y_pred.op, "axis", -1) in (-1, y_pred.ndim - 1):
        return y_pred.op.inputs[0]
    return None


def mean_squared_error(y_true, y_pred, reduction="none"):
    return ops.mean_squared_error(y_true, y_pred, reduction)


def mean_absolute_error(y_true, y_pred):
    return ops.mean(ops.abs(ops.subtract(y_pred, y_true)), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """100 * mean(|y - p| / max(|y|, eps))."""
    y_true = ops.base.operand(y_true)
    scale = xp.maximum(xp.abs(y_true.value if isinstance(y_true, Tensor) else y_true), epsilon())
    return ops.multiply(100.0, ops.mean(ops.abs(ops.divide(ops.subtract(y_true, y_pred), scale)), axis=-1))


def mean_squared_logarithmic_error(y_true, y_pred):
    first = ops.log(ops.add(ops.maximum(y_pred, epsilon()), 1.0))
    second = ops.log(ops.add(ops.maximum(y_true, epsilon()), 1.0))
    return ops.mean(ops.square(ops.subtract(first, second)), axis=-1)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, reduction="none"):
    if label_smoothing:
        y_true = ops.base.operand(y_true) * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        return ops.sigmoid_cross_entropy(y_true, y_pred, reduction=reduction)
    logits = _logits_below(y_pred, Sigmoid)
    if logits is not None:
        return ops.sigmoid_cross_entropy(y_true, logits, y_pred.value, reduction)
    return ops.binary_cross_entropy(y_true, y_pred, reduction)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, reduction="none"):
    if label_smoothing:
        y_true = ops.base.operand(y_true)
        y_true = y_true * (1 - label_smoothing) + label_smoothing / y_true.shape[-1]
    logits = y_pred if from_logits else _logits_below(y_pred, Softmax)
    if logits is not None:
        return ops.softmax_cross_entropy(y_true, logits, reduction)
    # Probabilities from elsewhere: renormalise, clip, -sum y log p (Keras's formula).
    probs = ops.divide(y_pred, ops.sum(y_pred, axis=-1, keepdims=True))
    probs = ops.clip(probs, epsilon(), 1 - epsilon())
    losses = ops.negative(ops.sum(ops.multiply(y_true, ops.log(probs)), axis=-1))
    return ops.mean(losses) if reduction == "mean" else losses


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, reduction="none"):
    logits = y_pred if from_logits else _logits_below(y_pred, Softmax)
    if logits is None:  # probabilities from elsewhere: log of the clipped probabilities are valid logits
        logits = ops.log(ops.clip(y_pred, epsilon(), 1 - epsilon()))
    return ops.sparse_softmax_cross_entropy(y_true, logits, reduction)


def _hinge_labels(y_true):
    """Keras maps {0, 1} labels to {-1, 1} for the hinge losses."""
    y = y_true.value if isinstance(y_true, Tensor) else xp.asarray(y_true)
    if y.size and xp.all((y == 0) | (y == 1)):
        y = 2 * y - 1
    return ops.base.operand(y)


def hinge(y_true, y_pred):
    margin = ops.subtract(1.0, ops.multiply(_hinge_labels(y_true), y_pred))
    return ops.mean(ops.maximum(margin, 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    margin = ops.subtract(1.0, ops.multiply(_hinge_labels(y_true), y_pred))
    return ops.mean(ops.square(ops.maximum(margin, 0.0)), axis=-1)


def categorical_hinge(y_true, y_pred):
    """max(max((1 - y) p) - sum(y p) + 1, 0)."""
    positive = ops.sum(ops.multiply(y_true, y_pred), axis=-1)
    negative = ops.max(ops.multiply(ops.subtract(1.0, y_true), y_pred), axis=-1)
    return ops.maximum(ops.add(ops.subtract(negative, positive), 1.0), 0.0)


def huber(y_true, y_pred, delta=1.0):
    """0.5 e^2 where |e| <= delta, else delta (|e| - delta / 2); e = p - y."""
    error = ops.abs(ops.subtract(y_pred, y_true))
    quadratic = ops.minimum(error, delta)
    linear = ops.subtract(error, quadratic)
    return ops.mean(ops.add(ops.multiply(0.5, ops.square(quadratic)), ops.multiply(delta, linear)), axis=-1)


def log_cosh(y_true, y_pred):
    """log(cosh(e)) = e + softplus(-2e) - log 2, stable for large |e|."""
    error = ops.subtract(y_pred, y_true)
    return ops.mean(ops.subtract(ops.add(error, ops.softplus(ops.multiply(-2.0, error))), float(xp.log(2.0))),
                    axis=-1)


def kl_divergence(y_true, y_pred):
    y_true = ops.clip(y_true, epsilon(), 1.0)
    y_pred = ops.clip(y_pred, epsilon(), 1.0)
    return ops.sum(ops.multiply(y_true, ops.log(ops.divide(y_true, y_pred))), axis=-1)


def poisson(y_true, y_pred):
    return ops.mean(ops.subtract(y_pred, ops.multiply(y_true, ops.log(ops.add(y_pred, epsilon())))), axis=-1)


def cosine_similarity(y_true, y_pred, axis=-1):
    """-cos(y, p) along `axis` (Keras's loss is the negative similarity, so minimising aligns them)."""
    def unit(x):
        return ops.divide(x, ops.sqrt(ops.maximum(ops.sum(ops.square(x), axis=axis, keepdims=True), 1e-12)))
    return ops.negative(ops.sum(ops.multiply(unit(y_true), unit(y_pred)), axis=axis))


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
logcosh = log_cosh
kld = KLD = kullback_leibler_divergence = kl_divergence
huber_loss = huber


def weights_like(sample_weight, values):
    """Sample weights (n,) or (n, 1) as an array of values' dtype that broadcasts against values (n, ...)."""
    weight = xp.asarray(sample_weight, dtype=values.dtype)
    if weight.ndim > values.ndim and weight.shape[-1] == 1:  # (n, 1) weights for (n,) values
        weight = weight.reshape(weight.shape[:-1])
    return weight.reshape(weight.shape + (1,) * (values.ndim - weight.ndim))


class Loss:
    """A loss function with sample weighting and the Keras 'sum_over_batch_size' reduction:
    sum(per_sample_loss * sample_weight) / number_of_samples."""

    def __init__(self, fn, name=None, reduction="sum_over_batch_size", **fn_kwargs):
        self.fn, self.fn_kwargs = fn, fn_kwargs
        self.name = name or getattr(fn, "__name__", "loss")
        self.reduction = reduction
        self._reduces_itself = any(fn is f for f in _REDUCING)

    def __call__(self, y_true, y_pred, sample_weight=None):
        if sample_weight is None and self._reduces_itself and self.reduction == "sum_over_batch_size":
            return self.fn(y_true, y_pred, reduction="mean", **self.fn_kwargs)  # the mean from the loss op
        losses = self.fn(y_true, y_pred, **self.fn_kwargs)
        if not isinstance(losses, Tensor):
            losses = Tensor(xp.asarray(losses, dtype=y_pred.dtype))
        if sample_weight is not None:
            losses = ops.multiply(losses, weights_like(sample_weight, losses))
        if self.reduction == "none" or losses.ndim == 0:
            return losses
        return ops.sum(losses) if self.reduction == "sum" else ops.mean(losses)

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction, **self.fn_kwargs}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _loss_class(class_name, fn, default_name, **defaults):
    """A Loss subclass such as MeanSquaredError(reduction=..., name=...) for the function `fn`."""
    def __init__(self, reduction="sum_over_batch_size", name=default_name, **kwargs):
        Loss.__init__(self, fn, name=name, reduction=reduction, **{**defaults, **kwargs})
    return type(class_name, (Loss,), {"__init__": __init__, "__doc__": f"Loss class for `{fn.__name__}`."})


MeanSquaredError = _loss_class("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _loss_class("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _loss_class("MeanAbsolutePercentageError", mean_absolute_percentage_error, "mean_absolute_percentage_error")
MeanSquaredLogarithmicError = _loss_class("MeanSquaredLogarithmicError", mean_squared_logarithmic_error, "mean_squared_logarithmic_error")
BinaryCrossentropy = _loss_class("BinaryCrossentropy", binary_crossentropy, "binary_crossentropy", from_logits=False,
                                 label_smoothing=0.0)
CategoricalCrossentropy = _loss_class("CategoricalCrossentropy", categorical_crossentropy, "categorical_crossentropy", from_logits=False,
                                      label_smoothing=0.0)
SparseCategoricalCrossentropy = _loss_class("SparseCategoricalCrossentropy", sparse_categorical_crossentropy, "sparse_categorical_crossentropy",
                                            from_logits=False)
Hinge = _loss_class("Hinge", hinge, "hinge")
SquaredHinge = _loss_class("SquaredHinge", squared_hinge, "squared_hinge")
CategoricalHinge = _loss_class("CategoricalHinge", categorical_hinge, "categorical_hinge")
Huber = _loss_class("Huber", huber, "huber_loss", delta=1.0)
LogCosh = _loss_class("LogCosh", log_cosh, "log_cosh")
KLDivergence = _loss_class("KLDivergence", kl_divergence, "kl_divergence")
Poisson = _loss_class("Poisson", poisson, "poisson")
CosineSimilarity = _loss_class("CosineSimilarity", cosine_similarity, "cosine_similarity", axis=-1)
_FUNCTIONS = {
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error,
    "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error,
    "mean_absolute_percentage_error": mean_absolute_percentage_error, "mape": mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error, "msle": mean_squared_logarithmic_error,
    "binary_crossentropy": binary_crossentropy, "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy, "hinge": hinge,
    "squared_hinge": squared_hinge, "categorical_hinge": categorical_hinge, "huber": huber,
    "huber_loss": huber, "log_cosh": log_cosh, "logcosh": log_cosh, "kl_divergence": kl_divergence,
    "kld": kl_divergence, "kullback_leibler_divergence": kl_divergence, "poisson": poisson,
    "cosine_similarity": cosine_similarity,
}
_REDUCING = {mean_squared_error, binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy}
_CLASSES = {c.__name__: c for c in (MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
                                      MeanSquaredLogarithmicError, BinaryCrossentropy, CategoricalCrossentropy,
                                      SparseCategoricalCrossentropy, Hinge, SquaredHinge, CategoricalHinge,
                                      Huber, LogCosh, KLDivergence, Poisson, CosineSimilarity)}


def get(identifier):
    """A `Loss` for a name ('mse', 'binary_crossentropy', ...), a Loss, or a function (y_true, y_pred)."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        if identifier in _CLASSES:  # 'Huber', 'Poisson': the class, before the lower-cased function name
            return _CLASSES[identifier]()
        key = identifier.lower()
        if key in _FUNCTIONS:
            return Loss(_FUNCTIONS[key], name=identifier)
    elif isinstance(identifier, dict) and identifier.get("class_name") in _CLASSES:
        return _CLASSES[identifier["class_name"]].from_config(identifier.get("config", {}))
    elif isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()
    elif callable(identifier):
        return Loss(identifier)
    raise ValueError(f"Unknown loss {identifier!r}. Valid names: {', '.join(sorted(_FUNCTIONS))}, "
                     f"or a function loss(y_true, y_pred).")


def serialize(loss):
    if loss.fn in _FUNCTIONS.values() and type(loss) is Loss:
        return loss.name
    return {"module": "keras.losses", "class_name": type(loss).__name__, "config": loss.get_config(),
            "registered_name": None}

