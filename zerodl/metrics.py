"""Keras metrics. Metric functions map (y_true, y_pred) arrays to one value per sample;
`Metric` objects accumulate a weighted mean over the batches of an epoch."""
from . import losses
from .autodiff import Tensor
from .config import floatx, xp


def _value(x):
    return x.value if isinstance(x, Tensor) else xp.asarray(x)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_true = _value(y_true)
    matches = y_true == (_value(y_pred) > threshold).astype(y_true.dtype)  # same-type compare: faster
    if matches.shape[-1:] == (1,):  # one sigmoid unit: no mean over the last axis needed
        return matches.reshape(matches.shape[:-1]).astype(floatx())
    return matches.mean(axis=-1, dtype=floatx())


def categorical_accuracy(y_true, y_pred):
    y_true, y_pred = _value(y_true), _value(y_pred)
    return (y_true.argmax(axis=-1) == y_pred.argmax(axis=-1)).astype(floatx())


def _sparse_labels(y_true, y_pred):
    y_true = _value(y_true)
    if y_true.ndim == y_pred.ndim:
        y_true = y_true[..., 0]
    return y_true


def sparse_categorical_accuracy(y_true, y_pred):
    y_pred = _value(y_pred)
    return (_sparse_labels(y_true, y_pred) == y_pred.argmax(axis=-1)).astype(floatx())


def _in_top_k(labels, y_pred, k):
    """Whether each label's score is among the k largest (ties count in favour, as Keras)."""
    label_scores = xp.take_along_axis(y_pred, labels[..., None].astype(xp.intp), axis=-1)
    return ((y_pred > label_scores).sum(axis=-1) < k).astype(floatx())


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_pred = _value(y_pred)
    return _in_top_k(_value(y_true).argmax(axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_pred = _value(y_pred)
    return _in_top_k(_sparse_labels(y_true, y_pred), y_pred, k)


def _from_loss(fn):
    def metric(y_true, y_pred):
        return _value(fn(_value(y_true), _value(y_pred)))
    metric.__name__ = fn.__name__
    return metric


mean_squared_error = mse = _from_loss(losses.mean_squared_error)
mean_absolute_error = mae = _from_loss(losses.mean_absolute_error)
mean_absolute_percentage_error = mape = _from_loss(losses.mean_absolute_percentage_error)
mean_squared_logarithmic_error = msle = _from_loss(losses.mean_squared_logarithmic_error)
binary_crossentropy = _from_loss(losses.binary_crossentropy)
categorical_crossentropy = _from_loss(losses.categorical_crossentropy)
sparse_categorical_crossentropy = _from_loss(losses.sparse_categorical_crossentropy)
hinge = _from_loss(losses.hinge)
kl_divergence = _from_loss(losses.kl_divergence)
poisson = _from_loss(losses.poisson)
cosine_similarity = _from_loss(lambda y, p: losses.cosine_similarity(y, p) * -1.0)
cosine_similarity.__name__ = "cosine_similarity"


class Metric:
    """Base class: `update_state(y_true, y_pred, sample_weight=None)`, `result()`, `reset_state()`."""

    def __init__(self, name=None, dtype=None):
        self.name = name or type(self).__name__.lower()
        self.dtype = dtype or floatx()

    def update_state(self, y_true, y_pred, sample_weight=None):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def reset_state(self):
        raise NotImplementedError

    reset_states = reset_state

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}


class Mean(Metric):
    """Weighted mean of the values passed to update_state."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name, dtype)
        self.reset_state()

    def reset_state(self):
        self.total, self.count = 0.0, 0.0

    def update_state(self, values, sample_weight=None):
        values = _value(values)
        if sample_weight is None:
            self.total += float(values.sum())
            self.count += values.size
        else:
            weight = xp.broadcast_to(losses.weights_like(sample_weight, values), values.shape)
            self.total += float((values * weight).sum())
            self.count += float(weight.sum())

    def result(self):
        return self.total / self.count if self.count else 0.0


class MeanMetricWrapper(Mean):
    """Mean over samples of fn(y_true, y_pred), e.g. accuracy."""

    def __init__(self, fn, name=None, dtype=None, **fn_kwargs):
        super().__init__(name or fn.__name__, dtype)
        self.fn, self.fn_kwargs = fn, fn_kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self.fn(y_true, y_pred, **self.fn_kwargs), sample_weight)


def _wrapper_class(class_name, fn, default_name, **defaults):
    def __init__(self, name=default_name, dtype=None, **kwargs):
        MeanMetricWrapper.__init__(self, fn, name, dtype, **{**defaults, **kwargs})
    return type(class_name, (MeanMetricWrapper,), {"__init__": __init__, "__doc__": f"Mean of `{fn.__name__}`."})


BinaryAccuracy = _wrapper_class("BinaryAccuracy", binary_accuracy, "binary_accuracy", threshold=0.5)
CategoricalAccuracy = _wrapper_class("CategoricalAccuracy", categorical_accuracy, "categorical_accuracy")
SparseCategoricalAccuracy = _wrapper_class("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                           "sparse_categorical_accuracy")
TopKCategoricalAccuracy = _wrapper_class("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                         "top_k_categorical_accuracy", k=5)
SparseTopKCategoricalAccuracy = _wrapper_class("SparseTopKCategoricalAccuracy", sparse_top_k_categorical_accuracy,
                                               "sparse_top_k_categorical_accuracy", k=5)
MeanSquaredError = _wrapper_class("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _wrapper_class("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error")
MeanAbsolutePercentageError = _wrapper_class("MeanAbsolutePercentageError", mean_absolute_percentage_error,
                                             "mean_absolute_percentage_error")

_FUNCTIONS = {
    "binary_accuracy": binary_accuracy, "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "top_k_categorical_accuracy": top_k_categorical_accuracy,
    "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy,
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error,
    "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error,
    "mean_absolute_percentage_error": mean_absolute_percentage_error, "mape": mean_absolute_percentage_error,
    "mean_squared_logarithmic_error": mean_squared_logarithmic_error, "msle": mean_squared_logarithmic_error,
    "binary_crossentropy": binary_crossentropy, "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy, "hinge": hinge,
    "kl_divergence": kl_divergence, "poisson": poisson, "cosine_similarity": cosine_similarity,
}


def accuracy_for(loss_name, output_shape):
    """The accuracy Keras means by 'accuracy' for this loss and output shape."""
    if loss_name == "sparse_categorical_crossentropy":
        return sparse_categorical_accuracy
    if loss_name == "binary_crossentropy" or (output_shape and output_shape[-1] == 1):
        return binary_accuracy
    return categorical_accuracy


def get(identifier, loss_name=None, output_shape=None):
    """A Metric for a name ('accuracy', 'acc', 'mse', ...), a Metric, or a function (y_true, y_pred)."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if isinstance(identifier, str):
        if identifier in ("accuracy", "acc"):
            return MeanMetricWrapper(accuracy_for(loss_name, output_shape), name=identifier)
        if identifier.lower() in _FUNCTIONS:
            return MeanMetricWrapper(_FUNCTIONS[identifier.lower()], name=identifier)
    elif callable(identifier):
        return MeanMetricWrapper(identifier)
    raise ValueError(f"Unknown metric {identifier!r}. Valid names: accuracy, acc, {', '.join(sorted(_FUNCTIONS))}, "
                     f"or a function metric(y_true, y_pred).")
