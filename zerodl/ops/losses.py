"""Fused loss ops: per-sample losses (mean or sum over the last axis) with closed-form gradients.

Fusing the output activation into the loss is both stable and cheap: the gradient of
cross-entropy with respect to the logits z is simply  sigmoid(z) - y  or  softmax(z) - y.
Targets are constants (no gradient flows to y_true).
"""
from ..autodiff import Op
from ..config import epsilon, xp
from .activations import log_softmax_array, sigmoid_array
from .base import operand, unbroadcast


class _Loss(Op):
    """A loss op. Subclasses compute one loss per sample (`per_sample`) and its gradient with
    respect to y_pred (`per_sample_backward(g)`, g the gradient of each per-sample value).

    `reduction="mean"` (PyTorch's spelling; Keras's 'sum_over_batch_size' without sample weights)
    returns the mean of the per-sample values from the same op, instead of a separate Mean op.
    """
    def __init__(self, reduction="none"):
        if reduction not in ("none", "mean"):
            raise ValueError(f'A loss op\'s reduction is "none" or "mean", received reduction={reduction!r}.')
        self.reduction = reduction

    def __call__(self, y_true, y_pred):
        y_pred = operand(y_pred)
        self.pred_shape = y_pred.shape  # a target may broadcast against y_pred; its gradient may not
        return super().__call__(operand(y_true), y_pred)

    def forward(self, y, p):
        losses = self.per_sample(y, p)
        if self.reduction == "none":
            return losses
        self.n_values = losses.size
        return losses.sum() * losses.dtype.type(1 / self.n_values)

    def backward(self, g):
        if self.reduction == "mean":  # each per-sample value weighs 1/n in the mean
            g = g.item() / self.n_values
        return None, self.per_sample_backward(g)

    def _reduce(self, elementwise):
        """Mean over the last axis: (batch, ..., C) -> (batch, ...)."""
        if not elementwise.ndim:
            self.count = 1
            return elementwise
        self.count = elementwise.shape[-1]
        if self.count == 1:
            return elementwise.reshape(elementwise.shape[:-1])
        return elementwise.sum(axis=-1) * elementwise.dtype.type(1 / self.count)

    def _spread(self, g, local):
        """Chain the per-sample gradient g (an array, or one float for all samples) through the
        mean over the last axis: g[..., None] * local / C, summed back to y_pred's shape where the
        target broadcast against it. `local` is a fresh array: it is scaled in place."""
        if isinstance(g, float):
            local *= g / self.count
        elif not local.ndim:
            return g * local
        elif self.count == 1:
            local *= g.reshape(local.shape)
        else:
            local = g[..., None] * local * local.dtype.type(1 / self.count)
        return unbroadcast(local, self.pred_shape)


def _times(g, local):
    """g[..., None] * local for per-sample gradients g (batch, ...), or local * g for one float g."""
    if isinstance(g, float):
        local *= g
        return local
    return g[..., None] * local


class MeanSquaredError(_Loss):
    def per_sample(self, y, p):
        self.diff = p - y
        return self._reduce(self.diff * self.diff)

    def per_sample_backward(self, g):
        return self._spread(g, 2 * self.diff)


class SigmoidCrossEntropy(_Loss):
    """Binary cross-entropy from logits z: log(1 + e^z) - z y (logaddexp keeps it stable); d/dz = sigmoid(z) - y."""
    def __init__(self, probs=None, reduction="none"):
        super().__init__(reduction)
        self.probs = probs  # sigmoid(z) when the caller already has it (the output layer computed it)

    def per_sample(self, y, z):
        self.y, self.z = y, z
        return self._reduce(xp.logaddexp(0, z) - z * y)

    def per_sample_backward(self, g):
        probs = sigmoid_array(self.z) if self.probs is None else self.probs
        return self._spread(g, probs - self.y)


class BinaryCrossEntropy(_Loss):
    """-(y log p + (1 - y) log(1 - p)) with p clipped to [eps, 1 - eps], as Keras does for probabilities."""
    def per_sample(self, y, p):
        eps = epsilon()
        self.y, self.inside = y, (p > eps) & (p < 1 - eps)
        self.p = xp.clip(p, eps, 1 - eps)
        return self._reduce(-(y * xp.log(self.p) + (1 - y) * xp.log(1 - self.p)))

    def per_sample_backward(self, g):
        p = self.p
        return self._spread(g, (p - self.y) / (p * (1 - p)) * self.inside)


class SoftmaxCrossEntropy(_Loss):
    """-sum_j y_j log softmax(z)_j over the last axis; d/dz = softmax(z) sum_j y_j - y."""
    def per_sample(self, y, z):
        log_probs = log_softmax_array(z)
        self.y, self.probs = y, xp.exp(log_probs)
        return -(y * log_probs).sum(axis=-1)

    def per_sample_backward(self, g):
        local = self.probs * self.y.sum(axis=-1, keepdims=True) - self.y
        return unbroadcast(_times(g, local), self.pred_shape)


class SparseSoftmaxCrossEntropy(_Loss):
    """Softmax cross-entropy with integer class labels y of shape (batch, ...) or (batch, ..., 1)."""
    def per_sample(self, y, z):
        labels = y.astype(xp.intp)
        if labels.ndim == z.ndim:
            labels = labels[..., 0]
        if labels.size and (labels.min() < 0 or labels.max() >= z.shape[-1]):
            raise ValueError(f"sparse_categorical_crossentropy: labels must lie in [0, {z.shape[-1]}), "
                             f"got values in [{labels.min()}, {labels.max()}].")
        log_probs = log_softmax_array(z)
        self.labels, self.probs = labels, xp.exp(log_probs)
        return -xp.take_along_axis(log_probs, labels[..., None], axis=-1)[..., 0]

    def per_sample_backward(self, g):
        local = self.probs.copy()
        xp.put_along_axis(local, self.labels[..., None],
                          xp.take_along_axis(local, self.labels[..., None], axis=-1) - 1, axis=-1)
        return _times(g, local)


def mean_squared_error(y_true, y_pred, reduction="none"):
    return MeanSquaredError(reduction)(y_true, y_pred)


def sigmoid_cross_entropy(y_true, logits, probs=None, reduction="none"):
    return SigmoidCrossEntropy(probs, reduction)(y_true, logits)


def binary_cross_entropy(y_true, probs, reduction="none"):
    return BinaryCrossEntropy(reduction)(y_true, probs)


def softmax_cross_entropy(y_true, logits, reduction="none"):
    return SoftmaxCrossEntropy(reduction)(y_true, logits)


def sparse_softmax_cross_entropy(y_true, logits, reduction="none"):
    return SparseSoftmaxCrossEntropy(reduction)(y_true, logits)
