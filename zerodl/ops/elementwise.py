"""Elementwise arithmetic and math, with NumPy broadcasting.

Each backward returns the local derivative times the incoming gradient, summed back
over broadcast axes (`unbroadcast`).
"""
from ..autodiff import Op
from ..config import xp
from .base import operand, unbroadcast


class _Binary(Op):
    def __call__(self, a, b):
        return super().__call__(operand(a), operand(b))


class Add(_Binary):
    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return a + b

    def backward(self, g):
        return unbroadcast(g, self.shapes[0]), unbroadcast(g, self.shapes[1])


class Subtract(_Binary):
    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        return a - b

    def backward(self, g):
        return unbroadcast(g, self.shapes[0]), unbroadcast(-g, self.shapes[1])


class Multiply(_Binary):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a * b

    def backward(self, g):
        return unbroadcast(g * self.b, self.a.shape), unbroadcast(g * self.a, self.b.shape)


class Divide(_Binary):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a / b

    def backward(self, g):
        ga = g / self.b
        return unbroadcast(ga, self.a.shape), unbroadcast(-ga * self.a / self.b, self.b.shape)


class Power(_Binary):
    """a ** b; d/da = b a^(b-1), d/db = a^b log(a)."""
    def forward(self, a, b):
        self.a, self.b = a, b
        self.out = a ** b
        return self.out

    def backward(self, g):
        ga = gb = None
        if getattr(self.inputs[0], "requires_grad", False):
            ga = unbroadcast(g * self.b * self.a ** (self.b - 1), self.a.shape)
        if getattr(self.inputs[1], "requires_grad", False):
            log_a = xp.log(xp.where(self.a > 0, self.a, 1))  # log a, taken as 0 where a <= 0
            gb = unbroadcast(g * self.out * log_a, self.b.shape)
        return ga, gb


class Maximum(_Binary):
    """Gradient goes to the larger input (to `a` on ties)."""
    pick, a_wins = staticmethod(xp.maximum), staticmethod(xp.greater_equal)

    def forward(self, a, b):
        self.mask = self.a_wins(a, b)
        self.shapes = a.shape, b.shape
        return self.pick(a, b)

    def backward(self, g):
        return (unbroadcast(g * self.mask, self.shapes[0]),
                unbroadcast(g * ~self.mask, self.shapes[1]))


class Minimum(Maximum):
    """Gradient goes to the smaller input (to `a` on ties)."""
    pick, a_wins = staticmethod(xp.minimum), staticmethod(xp.less_equal)


class Where(Op):
    """where(condition, a, b): condition is a constant boolean array."""
    def __call__(self, condition, a, b):
        return super().__call__(condition, operand(a), operand(b))

    def forward(self, condition, a, b):
        self.condition = xp.asarray(condition, dtype=bool)
        self.shapes = a.shape, b.shape
        return xp.where(self.condition, a, b)

    def backward(self, g):
        zero = xp.zeros((), g.dtype)
        return (None, unbroadcast(xp.where(self.condition, g, zero), self.shapes[0]),
                unbroadcast(xp.where(self.condition, zero, g), self.shapes[1]))


class Negative(Op):
    def forward(self, x):
        return -x

    def backward(self, g):
        return (-g,)


class Exp(Op):
    def forward(self, x):
        self.out = xp.exp(x)
        return self.out

    def backward(self, g):
        return (g * self.out,)


class Log(Op):
    def forward(self, x):
        self.x = x
        return xp.log(x)

    def backward(self, g):
        return (g / self.x,)


class Sqrt(Op):
    def forward(self, x):
        self.out = xp.sqrt(x)
        return self.out

    def backward(self, g):
        return (g / (2 * self.out),)


class Square(Op):
    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, g):
        return (2 * g * self.x,)


class Abs(Op):
    def forward(self, x):
        self.x = x
        return xp.abs(x)

    def backward(self, g):
        return (g * xp.sign(self.x),)


class Clip(Op):
    """clip(x, low, high); the gradient passes only where x was inside [low, high]. None: no bound."""
    def __init__(self, low, high):
        self.low = -xp.inf if low is None else low
        self.high = xp.inf if high is None else high

    def forward(self, x):
        self.mask = (x >= self.low) & (x <= self.high)
        return xp.clip(x, self.low, self.high)

    def backward(self, g):
        return (g * self.mask,)


class Cast(Op):
    def __init__(self, dtype):
        self.dtype = dtype

    def forward(self, x):
        self.source = x.dtype
        return x.astype(self.dtype)

    def backward(self, g):
        return (g.astype(self.source),) if xp.issubdtype(self.source, xp.floating) else (None,)


def add(a, b): return Add()(a, b)
def subtract(a, b): return Subtract()(a, b)
def multiply(a, b): return Multiply()(a, b)
def divide(a, b): return Divide()(a, b)
def power(a, b): return Power()(a, b)
def maximum(a, b): return Maximum()(a, b)
def minimum(a, b): return Minimum()(a, b)
def where(condition, a, b): return Where()(condition, a, b)
def negative(x): return Negative()(operand(x))
def exp(x): return Exp()(operand(x))
def log(x): return Log()(operand(x))
def sqrt(x): return Sqrt()(operand(x))
def square(x): return Square()(operand(x))
def abs(x): return Abs()(operand(x))
def clip(x, low, high): return Clip(low, high)(operand(x))
def cast(x, dtype): return Cast(dtype)(operand(x))
