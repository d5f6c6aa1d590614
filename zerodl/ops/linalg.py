"""Matrix products. `Affine` is the fused op behind Dense: y = x W + b."""
from ..autodiff import Op
from ..config import xp
from .base import operand, unbroadcast


class MatMul(Op):
    """a @ b with NumPy's batching rules; dA = g B^T, dB = A^T g (1-D operands act as a row / a column)."""
    def __call__(self, a, b):
        return super().__call__(operand(a), operand(b))

    def forward(self, a, b):
        self.shapes = a.shape, b.shape
        self.a = a[None, :] if a.ndim == 1 else a
        self.b = b[:, None] if b.ndim == 1 else b
        out = self.a @ self.b
        self.out_shape = out.shape
        dropped = (-2,) * (a.ndim == 1) + (-1,) * (b.ndim == 1)  # the axes a 1-D operand was given
        return xp.squeeze(out, axis=dropped) if dropped else out

    def backward(self, g):
        g = g.reshape(self.out_shape)
        ga = unbroadcast(g @ xp.swapaxes(self.b, -1, -2), self.a.shape).reshape(self.shapes[0])
        gb = unbroadcast(xp.swapaxes(self.a, -1, -2) @ g, self.b.shape).reshape(self.shapes[1])
        return ga, gb


class Affine(Op):
    """x W + b over the last axis of x: x (..., in), W (in, out), b (out,) or None."""
    def __call__(self, x, kernel, bias=None):
        return super().__call__(operand(x), kernel) if bias is None else super().__call__(operand(x), kernel, bias)

    def forward(self, x, kernel, bias=None):
        self.x, self.kernel = x, kernel
        y = x @ kernel
        if bias is not None:
            y += bias
        return y

    def backward(self, g):
        x, g2 = self.x, g
        if x.ndim != 2:  # (batch, ..., in): fold the leading axes into one
            x, g2 = x.reshape(-1, x.shape[-1]), g.reshape(-1, g.shape[-1])
        gx = g @ self.kernel.T if getattr(self.inputs[0], "requires_grad", False) else None
        if len(self.inputs) == 3:
            return gx, x.T @ g2, g2.sum(axis=0)
        return gx, x.T @ g2


def matmul(a, b): return MatMul()(a, b)
def affine(x, kernel, bias=None): return Affine()(x, kernel, bias)
