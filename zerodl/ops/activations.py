"""Activation functions as ops. Each backward multiplies the incoming gradient by f'(x)."""
import math

from ..autodiff import Op, Tensor
from ..config import floatx, xp
from .base import operand


def sigmoid_array(x):
    """1 / (1 + e^-x) of an array, computed as (1 + tanh(x/2)) / 2: stable for large |x|."""
    out = xp.multiply(x, 0.5, out=xp.empty_like(x))  # a new array even for 0-d x, so the rest is in place
    xp.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def log_softmax_array(x, axis=-1):
    """x - log(sum(e^x)) along `axis`, shifted by the max so that e^x cannot overflow."""
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


class Sigmoid(Op):
    """1 / (1 + e^-x); f' = f (1 - f)."""
    def forward(self, x):
        self.out = sigmoid_array(x)
        return self.out

    def backward(self, g):
        return (g * self.out * (1 - self.out),)


class Tanh(Op):
    def forward(self, x):
        self.out = xp.tanh(x)
        return self.out

    def backward(self, g):
        return (g * (1 - self.out * self.out),)


class Relu(Op):
    """max(x, 0); f' = 1 where x > 0, else 0."""
    def forward(self, x):
        self.x = x  # the mask x > 0 is made only if backward runs
        return xp.maximum(x, 0)

    def backward(self, g):
        return (g * (self.x > 0),)


class ClippedRelu(Op):
    """x for threshold <= x < max_value, max_value above, negative_slope (x - threshold) below. At a kink
    the slope is the flatter side's, as TF's Relu6Grad and LeakyReluGrad: negative_slope at x == threshold,
    0 at x == max_value -- so equal outputs of different inputs always have equal slopes."""
    def __init__(self, negative_slope=0.0, max_value=None, threshold=0.0):
        self.negative_slope, self.max_value, self.threshold = negative_slope, max_value, threshold

    def forward(self, x):
        out = xp.where(x >= self.threshold, x, self.negative_slope * (x - self.threshold)).astype(x.dtype)
        self.slope = xp.where(x > self.threshold, 1.0, self.negative_slope).astype(x.dtype)
        if self.max_value is not None:
            capped = x >= self.max_value
            out = xp.where(capped, xp.asarray(self.max_value, x.dtype), out)
            self.slope = xp.where(capped, 0, self.slope).astype(x.dtype)
        return out

    def backward(self, g):
        return (g * self.slope,)


class Elu(Op):
    def __init__(self, alpha=1.0, scale=1.0):
        self.alpha, self.scale = alpha, scale

    def forward(self, x):
        self.positive = x > 0
        self.negative_part = self.alpha * xp.expm1(xp.minimum(x, 0))
        return self.scale * xp.where(self.positive, x, self.negative_part)

    def backward(self, g):
        return (g * self.scale * xp.where(self.positive, 1, self.negative_part + self.alpha).astype(g.dtype),)


class Softplus(Op):
    """log(1 + e^x) = logaddexp(0, x); f' = sigmoid(x)."""
    def forward(self, x):
        self.x = x
        return xp.logaddexp(0, x).astype(x.dtype)

    def backward(self, g):
        return (g * sigmoid_array(self.x),)


class Softsign(Op):
    """x / (|x| + 1); f' = 1 / (|x| + 1)^2."""
    def forward(self, x):
        self.denominator = xp.abs(x) + 1
        return x / self.denominator

    def backward(self, g):
        return (g / (self.denominator * self.denominator),)


class Softmax(Op):
    """e^x_i / sum_j e^x_j along `axis`; the VJP is s * (g - sum(g * s))."""
    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        e = x - x.max(axis=self.axis, keepdims=True)
        xp.exp(e, out=e)
        e /= e.sum(axis=self.axis, keepdims=True)
        self.out = e
        return e

    def backward(self, g):
        s = self.out
        return (s * (g - (g * s).sum(axis=self.axis, keepdims=True)),)


class LogSoftmax(Op):
    """x - logsumexp(x); the VJP is g - softmax(x) sum(g)."""
    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x):
        out = log_softmax_array(x, self.axis)
        self.softmax = xp.exp(out)
        return out

    def backward(self, g):
        return (g - self.softmax * g.sum(axis=self.axis, keepdims=True),)


class Swish(Op):
    """x sigmoid(x); f' = s + x s (1 - s)."""
    def forward(self, x):
        self.x = x
        self.s = sigmoid_array(x)
        return x * self.s

    def backward(self, g):
        s = self.s
        return (g * (s + self.x * s * (1 - s)),)


def erf(x):
    """Error function, Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7)."""
    sign = xp.sign(x)
    a = xp.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return (sign * (1.0 - poly * xp.exp(-a * a))).astype(x.dtype)


class Gelu(Op):
    """x Phi(x) with Phi the normal CDF (erf form, or the tanh approximation)."""
    def __init__(self, approximate=False):
        self.approximate = approximate

    def forward(self, x):
        self.x = x
        if self.approximate:
            c = math.sqrt(2 / math.pi)
            self.t = xp.tanh(c * (x + 0.044715 * x ** 3))
            return 0.5 * x * (1 + self.t)
        self.cdf = 0.5 * (1 + erf(x / math.sqrt(2)))
        return x * self.cdf

    def backward(self, g):
        x = self.x
        if self.approximate:
            c = math.sqrt(2 / math.pi)
            dt = (1 - self.t ** 2) * c * (1 + 3 * 0.044715 * x * x)
            return (g * (0.5 * (1 + self.t) + 0.5 * x * dt),)
        pdf = xp.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
        return (g * (self.cdf + x * pdf),)


class HardSigmoid(Op):
    """clip(x / 6 + 1/2, 0, 1) (Keras 3: relu6(x + 3) / 6)."""
    def forward(self, x):
        y = x / 6 + 0.5
        self.inside = (y > 0) & (y < 1)
        return xp.clip(y, 0, 1)

    def backward(self, g):
        return (g * self.inside / 6,)


def _floating(x):
    """operand(x), with integer and boolean arrays as floatx: activations are float math."""
    if isinstance(x, Tensor):
        return x
    x = operand(x)
    return x.astype(floatx()) if isinstance(x, xp.ndarray) and x.dtype.kind in "biu" else x


def sigmoid(x): return Sigmoid()(_floating(x))
def tanh(x): return Tanh()(_floating(x))
def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    if negative_slope == 0 and max_value is None and threshold == 0:
        return Relu()(_floating(x))
    return ClippedRelu(negative_slope, max_value, threshold)(_floating(x))
def elu(x, alpha=1.0): return Elu(alpha)(_floating(x))
def selu(x): return Elu(1.6732632423543772, 1.0507009873554805)(_floating(x))
def softplus(x): return Softplus()(_floating(x))
def softsign(x): return Softsign()(_floating(x))
def softmax(x, axis=-1): return Softmax(axis)(_floating(x))
def log_softmax(x, axis=-1): return LogSoftmax(axis)(_floating(x))
def swish(x): return Swish()(_floating(x))
def gelu(x, approximate=False): return Gelu(approximate)(_floating(x))
def hard_sigmoid(x): return HardSigmoid()(_floating(x))
