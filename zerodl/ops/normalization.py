"""Batch normalization as two fused ops: training (batch statistics) and inference (moving ones).

x (..., C, ...) normalized over every axis but `axis`; gamma, beta (C,) or None.
Training: y = gamma * xhat + beta with xhat = (x - mean) / sqrt(var + eps), mean and biased var
of the batch. Its hand-derived VJP, with m values per channel and dxhat = g * gamma:

    dx = (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)) / sqrt(var + eps)
    dgamma = sum(g * xhat),  dbeta = sum(g)
"""
from ..autodiff import Op
from ..config import xp
from .base import operand


def _layout(x, axis):
    """(axes reduced over, broadcast shape of a (C,) parameter) for normalizing along `axis`."""
    axis = axis % x.ndim
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    return tuple(a for a in range(x.ndim) if a != axis), tuple(shape)


def _param(p, shape, dtype):
    return None if p is None else p.reshape(shape).astype(dtype, copy=False)


class BatchNorm(Op):
    """Training-mode batch normalization; after forward, `mean` and `var` hold the batch statistics (C,)."""

    def __init__(self, axis=-1, epsilon=1e-3):
        self.axis, self.epsilon = axis, epsilon

    def __call__(self, x, gamma=None, beta=None):
        return super().__call__(operand(x), gamma, beta)

    def forward(self, x, gamma=None, beta=None):
        axes, shape = _layout(x, self.axis)
        if axes == tuple(range(x.ndim - 1)):  # channels last: reduce a (m, C) matrix over its rows
            x2 = x.reshape(-1, x.shape[-1])
            mean = x2.mean(axis=0)
            centered = x2 - mean
            var = xp.einsum("ij,ij->j", centered, centered) / x.dtype.type(len(x2))
            centered = centered.reshape(x.shape)
        else:
            mean = x.mean(axis=axes).reshape(shape)
            centered = x - mean
            var = (centered * centered).mean(axis=axes)
        inv = (1 / xp.sqrt(var + x.dtype.type(self.epsilon))).astype(x.dtype)
        self.mean, self.var = mean.reshape(-1), var
        self.inv, self.shape, self.axes = inv.reshape(shape), shape, axes
        xhat = centered
        xhat *= self.inv
        self.xhat = xhat
        self.gamma = _param(gamma, shape, x.dtype)
        out = xhat * self.gamma if gamma is not None else xhat.copy()
        if beta is not None:
            out += _param(beta, shape, x.dtype)
        return out

    def backward(self, g):
        xhat, axes, shape = self.xhat, self.axes, self.shape
        sum_g = _channel_sum(g, axes)
        sum_g_xhat = _channel_sum(g * xhat, axes)
        gx = None
        if getattr(self.inputs[0], "requires_grad", False):
            m = g.dtype.type(g.size // sum_g.size)
            gx = xhat * (sum_g_xhat / m).reshape(shape)
            gx += (sum_g / m).reshape(shape)
            xp.subtract(g, gx, out=gx)
            gx *= self.inv if self.gamma is None else self.inv * self.gamma
        return (gx, sum_g_xhat if self.inputs[1] is not None else None,
                sum_g if self.inputs[2] is not None else None)


def _channel_sum(a, axes):
    """Sum over `axes`, as a (C,) array (a row sum of a (m, C) matrix when channels are last)."""
    if axes == tuple(range(a.ndim - 1)) and a.flags.c_contiguous:
        return a.reshape(-1, a.shape[-1]).sum(axis=0)
    return a.sum(axis=axes)


class BatchNormInference(Op):
    """(x - moving_mean) / sqrt(moving_var + eps) * gamma + beta: an affine map per channel."""

    def __init__(self, axis=-1, epsilon=1e-3):
        self.axis, self.epsilon = axis, epsilon

    def __call__(self, x, mean, var, gamma=None, beta=None):
        return super().__call__(operand(x), mean, var, gamma, beta)

    def forward(self, x, mean, var, gamma=None, beta=None):
        axes, shape = _layout(x, self.axis)
        inv = 1 / xp.sqrt(var.astype(x.dtype) + x.dtype.type(self.epsilon))
        scale = inv if gamma is None else inv * gamma.astype(x.dtype)
        shift = -mean.astype(x.dtype) * scale
        if beta is not None:
            shift = shift + beta.astype(x.dtype)
        self.x, self.mean, self.inv, self.scale, self.shape, self.axes = x, mean, inv, scale, shape, axes
        out = x * scale.reshape(shape)
        out += shift.reshape(shape)
        return out

    def backward(self, g):
        gx = g * self.scale.reshape(self.shape) if getattr(self.inputs[0], "requires_grad", False) else None
        ggamma = None
        if self.inputs[3] is not None:
            ggamma = _channel_sum(g * (self.x - self.mean.reshape(self.shape).astype(g.dtype)), self.axes) * self.inv
        gbeta = _channel_sum(g, self.axes) if self.inputs[4] is not None else None
        return gx, None, None, ggamma, gbeta


def batch_norm(x, gamma=None, beta=None, axis=-1, epsilon=1e-3):
    """Training-mode batch normalization of x along `axis` (the op keeps mean/var of the batch)."""
    return BatchNorm(axis, epsilon)(x, gamma, beta)


def batch_norm_inference(x, mean, var, gamma=None, beta=None, axis=-1, epsilon=1e-3):
    return BatchNormInference(axis, epsilon)(x, mean, var, gamma, beta)
