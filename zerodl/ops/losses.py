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
    def __call__(self, y_true, y_pred):
        y_pred = operand(y_pred)
        self.pred_shape = y_pred.shape  # a target may broadcast against y_pred; its gradient may not
        return super().__call__(operand(y_true), y_pred)

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
        """Chain the per-sample gradient g through the mean: g[..., None] * local / C,
        summed back to y_pred's shape where the target broadcast against it."""
        if not local.ndim:
            return g * local
        if self.count == 1:
            local *= g.reshape(local.shape)
        else:
            local = g[..., None] * local * local.dtype.type(1 / self.count)
        return unbroadcast(local, self.pred_shape)


class MeanSquaredError(_Loss):
    def forward(self, y, p):
        self.diff = p - y
        return self._reduce(self.diff * self.diff)

    def backward(self, g):
        return None, self._spread(g, 2 * self.diff)


class SigmoidCrossEntropy(_Loss):
    """Binary cross-entropy from logits z: max(z, 0) - z y + log(1 + e^-|z|); d/dz = sigmoid(z) - y."""
    def __init__(self, probs=None):
        self.probs = probs  # sigmoid(z) when the caller already has it (the output layer computed it)

    def forward(self, y, z):
        self.y, self.z = y, z
        return self._reduce(xp.maximum(z, 0) - z * y + xp.log1p(xp.exp(-xp.abs(z))))

    def backward(self, g):
        probs = sigmoid_array(self.z) if self.probs is None else self.probs
        return None, self._spread(g, probs - self.y)


class BinaryCrossEntropy(_Loss):
    """-(y log p + (1 - y) log(1 - p)) with p clipped to [eps, 1 - eps], as Keras does for probabilities."""
    def forward(self, y, p):
        eps = epsilon()
        self.y, self.inside = y, (p > eps) & (p < 1 - eps)
        self.p = xp.clip(p, eps, 1 - eps)
        return self._reduce(-(y * xp.log(self.p) + (1 - y) * xp.log(1 - self.p)))

    def backward(self, g):
        p = self.p
        return None, self._spread(g, (p - self.y) / (p * (1 - p)) * self.inside)


class SoftmaxCrossEntropy(_Loss):
    """-sum_j y_j log softmax(z)_j over the last axis; d/dz = softmax(z) sum_j y_j - y."""
    def forward(self, y, z):
        log_probs = log_softmax_array(z)
        self.y, self.probs = y, xp.exp(log_probs)
        return -(y * log_probs).sum(axis=-1)

    def backward(self, g):
        local = self.probs * self.y.sum(axis=-1, keepdims=True) - self.y
        return None, unbroadcast(g[..., None] * local, self.pred_shape)


class SparseSoftmaxCrossEntropy(_Loss):
    """Softmax cross-entropy with integer class labels y of shape (batch, ...) or (batch, ..., 1)."""
    def forward(self, y, z):
        labels = y.astype(xp.intp)
        if labels.ndim == z.ndim:
            labels = labels[..., 0]
        if labels.size and (labels.min() < 0 or labels.max() >= z.shape[-1]):
            raise ValueError(f"sparse_categorical_crossentropy: labels must lie in [0, {z.shape[-1]}), "
                             f"got values in [{labels.min()}, {labels.max()}].")
        log_probs = log_softmax_array(z)
        self.labels, self.probs = labels, xp.exp(log_probs)
        return -xp.take_along_axis(log_probs, labels[..., None], axis=-1)[..., 0]

    def backward(self, g):
        local = self.probs.copy()
        xp.put_along_axis(local, self.labels[..., None],
                          xp.take_along_axis(local, self.labels[..., None], axis=-1) - 1, axis=-1)
        return None, g[..., None] * local


def mean_squared_error(y_true, y_pred): return MeanSquaredError()(y_true, y_pred)
def sigmoid_cross_entropy(y_true, logits, probs=None): return SigmoidCrossEntropy(probs)(y_true, logits)
def binary_cross_entropy(y_true, probs): return BinaryCrossEntropy()(y_true, probs)
def softmax_cross_entropy(y_true, logits): return SoftmaxCrossEntropy()(y_true, logits)
def sparse_softmax_cross_entropy(y_true, logits): return SparseSoftmaxCrossEntropy()(y_true, logits)
