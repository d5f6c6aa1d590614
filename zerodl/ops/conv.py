"""Convolution, pooling and spatial ops on channels_last arrays, by im2col and one GEMM.

Layouts: x (batch, H, W, C) for 2-D ops and (batch, L, C) for 1-D ops (run as 2-D with H = 1);
conv kernels (kh, kw, in, out) as in Keras (kernel (k, in, out) for 1-D); transposed-conv kernels
(kh, kw, out, in). `padding` is 'valid', 'same' (TensorFlow's split: the extra pixel goes after)
or explicit ((top, bottom), (left, right)).

Forward: the windows of the padded input are a strided view (`sliding_window_view`); copying them
once gives the im2col matrix (batch*Ho*Wo, kh*kw*C), and one GEMM with the kernel reshaped to
(kh*kw*C, out) gives the output (a column of ones in cols and the bias as the kernel's last row add
the bias in the same GEMM). Backward: d kernel and d bias = cols^T g (one GEMM); d x = col2im(g kernel^T),
a loop over the kh*kw kernel offsets only, each one GEMM g kernel[i, j]^T added into a strided slab of
the padded gradient. Pooling reduces the window slabs (ph*pw, N, Ho, Wo, C) of its input: copied apart
by one transposing pass where the windows tile the input, slab by slab otherwise -- or, after a
convolution, never as a whole: `ConvPool` runs the convolution's GEMM one slab at a time and folds each
into the pooling as it comes.
"""
from .. import autodiff
from ..autodiff import Op
from ..config import xp
from .base import operand

_sliding_window_view = xp.lib.stride_tricks.sliding_window_view


# --- sizes ---------------------------------------------------------------------------------

def as_tuple(value, n, name="value"):
    """An int or a sequence of n ints as a tuple of n ints (Keras' normalize_tuple)."""
    if isinstance(value, (int, xp.integer)):
        return (int(value),) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received: {value}")
    return value


def output_length(length, size, stride, padding, dilation=1):
    """Output length of a conv or pool window of `size` along an axis (Keras conv_output_length)."""
    if length is None:
        return None
    effective = (size - 1) * dilation + 1
    if isinstance(padding, str):
        if padding == "same":
            return -(-length // stride)
        if padding == "causal":
            return -(-length // stride)
        return (length - effective) // stride + 1 if length >= effective else 0
    return (length + padding[0] + padding[1] - effective) // stride + 1


def padding_amounts(length, size, stride, padding, dilation=1):
    """(before, after) zero padding along an axis for 'valid', 'same' or 'causal'."""
    if not isinstance(padding, str):
        return tuple(padding)
    effective = (size - 1) * dilation + 1
    if padding == "valid":
        return 0, 0
    if padding == "causal":
        return effective - 1, 0
    if padding != "same":
        raise ValueError(f"padding must be 'valid' or 'same', received padding={padding!r}.")
    out = -(-length // stride)
    total = max((out - 1) * stride + effective - length, 0)
    return total // 2, total - total // 2


def deconv_output_length(length, size, stride, padding, output_padding=None, dilation=1):
    """Output length of a transposed convolution (Keras deconv_output_length)."""
    if length is None:
        return None
    effective = (size - 1) * dilation + 1
    if output_padding is None:
        return length * stride + max(effective - stride, 0) if padding == "valid" else length * stride
    pad = effective // 2 if padding == "same" else 0
    return (length - 1) * stride + effective - 2 * pad + output_padding


def _check_positive(shape, op):
    if any(d <= 0 for d in shape):
        raise ValueError(f"{op}: computed output size would be negative or zero: {shape}. The input is "
                         "smaller than the kernel (or pool) window; use padding='same' or a larger input.")


# --- im2col and col2im ----------------------------------------------------------------------

def pad_spatial(x, pads, value=0):
    """x (N, H, W, C) with pads ((top, bottom), (left, right)) of `value` around H and W."""
    (pt, pb), (pl, pr) = pads
    if not (pt or pb or pl or pr):
        return x
    n, h, w, c = x.shape
    out = xp.full((n, h + pt + pb, w + pl + pr, c), value, dtype=x.dtype)
    out[:, pt:pt + h, pl:pl + w] = x
    return out


def im2col(x, kernel_size, strides, dilation, out_hw, ones=False, tiles=None):
    """The windows of padded x (N, H, W, C) copied once into a matrix (P, kh*kw*C): a row holds a window in
    (kh, kw, C) order -- then a column of ones when `ones`, so one GEMM also adds a bias. The rows follow
    the output positions (N, Ho, Wo) in row-major order, or with `tiles` (ph, pw) the order of
    `tile_order`: (ph, pw, N, Ho // ph, Wo // pw)."""
    (kh, kw), (sh, sw), (dh, dw), (ho, wo) = kernel_size, strides, dilation, out_hw
    c = x.shape[3]
    windows = _sliding_window_view(x, ((kh - 1) * dh + 1, (kw - 1) * dw + 1), axis=(1, 2))
    windows = windows[:, :(ho - 1) * sh + 1:sh, :(wo - 1) * sw + 1:sw, :, ::dh, ::dw]  # (N, Ho, Wo, C, kh, kw)
    windows = tile_order(windows, tiles)  # (*rows, C, kh, kw)
    rows, k = windows.shape[:-3], kh * kw * c
    p = windows[..., 0, 0, 0].size
    if c == 1:  # one input channel: fill the transposed matrix, one contiguous row per kernel offset
        cols_t = xp.empty((k + 1 if ones else k, p), dtype=x.dtype)
        target = cols_t[:k].reshape((kh, kw) + rows)
        for i in range(kh):
            for j in range(kw):
                target[i, j] = windows[..., 0, i, j]
        if ones:
            cols_t[k] = 1
        return cols_t.T  # (P, K) as a view: BLAS reads either layout
    cols = xp.empty((p, k + 1 if ones else k), dtype=x.dtype)
    r = len(rows)
    cols[:, :k].reshape(rows + (kh, kw, c))[...] = windows.transpose(tuple(range(r)) + (r + 1, r + 2, r))
    if ones:
        cols[:, k] = 1
    return cols


def tile_order(grid, tiles=None):
    """The positions of grid (N, H, W, ...) in the order of the tiles (ph, pw) of a pooling that tiles it:
    a view (ph, pw, N, H // ph, W // pw, ...) whose element [i, j, b, r, s] is row r*ph + i, column s*pw + j
    of image b -- slab (i, j) holds every window's value at offset (i, j). Rows and columns past the last
    whole tile are left out. `grid` itself when tiles is None."""
    if tiles is None:
        return grid
    (ph, pw), (n, h, w) = tiles, grid.shape[:3]
    grid = grid[:, :h - h % ph, :w - w % pw].reshape((n, h // ph, ph, w // pw, pw) + grid.shape[3:])
    return grid.transpose((2, 4, 0, 1, 3) + tuple(range(5, grid.ndim)))


def _offset_slices(i, j, strides, dilation, out_hw):
    """The slab of the padded input that kernel offset (i, j) meets, over all output positions."""
    (sh, sw), (dh, dw), (ho, wo) = strides, dilation, out_hw
    return (slice(None), slice(i * dh, i * dh + (ho - 1) * sh + 1, sh),
            slice(j * dw, j * dw + (wo - 1) * sw + 1, sw))


def col2im(cols, padded_shape, strides, dilation):
    """Sum the windows cols (N, Ho, Wo, kh, kw, C) back into an array of `padded_shape` (N, Hp, Wp, C)."""
    n, ho, wo, kh, kw, c = cols.shape
    out = xp.zeros(padded_shape, dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            out[_offset_slices(i, j, strides, dilation, (ho, wo))] += cols[:, :, :, i, j, :]
    return out


def col2im_gemm(a, weights, padded_shape, strides, dilation, out_hw, tiles=None):
    """col2im(a @ weights.reshape(-1, C).T) without the (P, kh*kw*C) matrix: for each kernel offset (i, j),
    one GEMM a (P, F) @ weights[i, j].T (F, C) is added to the offset's slab of the padded result
    (N, Hp, Wp, C). weights (kh, kw, C, F); the rows of `a` in the order `tile_order(.., tiles)` gives."""
    kh, kw, c, _ = weights.shape
    out = xp.zeros(padded_shape, dtype=a.dtype)
    part = xp.empty(a.shape[:1] + (c,), dtype=a.dtype)
    for i in range(kh):
        for j in range(kw):
            xp.matmul(a, weights[i, j].T, out=part)
            slab = tile_order(out[_offset_slices(i, j, strides, dilation, out_hw)], tiles)
            slab += part.reshape(slab.shape)
    return out


def _blocks(a, n):
    """The rows of a (P, K) as n blocks (n, P/n, K) when K is a handful of columns (the first layer of an
    image network) and the blocks are not tiny: BLAS runs such small GEMMs one by one faster than one tall
    skinny GEMM (measured from 64 rows a block; the kernel's gradient, a^T b, gains most), and without
    splitting it over threads. None otherwise (one ordinary GEMM is best)."""
    if a.shape[1] <= 32 and a.shape[0] // n >= 64 and a.shape[0] % n == 0:
        return a.reshape(n, a.shape[0] // n, a.shape[1])
    return None


def _gemm(a, b, n, out=None):
    """a @ b: one GEMM, or one batched GEMM over n row blocks of a skinny a; into `out` (P, F) when given."""
    blocks = _blocks(a, n)
    if out is None:
        out = xp.empty((a.shape[0], b.shape[1]), dtype=xp.result_type(a, b))
    xp.matmul(a if blocks is None else blocks, b, out=out if blocks is None else out.reshape(n, -1, b.shape[1]))
    return out


def _gemm_tn(a, b, n):
    """a^T @ b over the rows of a (P, K) and b (P, F): one GEMM, or a batched one summed over row blocks."""
    blocks = _blocks(a, n)
    if blocks is None:
        return a.T @ b
    return (blocks.transpose(0, 2, 1) @ b.reshape(blocks.shape[:2] + (b.shape[1],))).sum(axis=0)


def _crop(x, pads, shape):
    (pt, _), (pl, _) = pads
    if x.shape[1:3] == tuple(shape):
        return x
    return x[:, pt:pt + shape[0], pl:pl + shape[1]]


def _keeps_grad():
    return autodiff.grad_enabled()


def _needs_grad(op, i):
    return len(op.inputs) > i and getattr(op.inputs[i], "requires_grad", False)


def _as_2d(x, rank):
    """A 1-D input (N, L, C) viewed as 2-D (N, 1, L, C)."""
    return x if rank == 2 else x.reshape(x.shape[0], 1, x.shape[1], x.shape[2])


def _spatial(value, rank, name):
    t = as_tuple(value, rank, name)
    return t if rank == 2 else (1,) + t


def _pads(rank, padding):
    if isinstance(padding, str):
        return padding
    padding = tuple(tuple(p) for p in padding)
    return padding if rank == 2 else ((0, 0),) + padding


def _resolve_pads(hw, kernel, strides, padding, dilation):
    if isinstance(padding, str):
        return tuple(padding_amounts(n, k, s, padding, d) for n, k, s, d in zip(hw, kernel, strides, dilation))
    return padding


# --- convolution ----------------------------------------------------------------------------

class Conv(Op):
    """y = conv(x, kernel) + bias for rank 1 or 2 (channels_last).

    x (N, [H,] W, C), kernel ([kh,] kw, C, F), bias (F,) or None -> y (N, [Ho,] Wo, F).
    """
    tiles = None  # ConvPool's: im2col rows in the order of a pooling's window slabs

    def __init__(self, rank=2, strides=1, padding="valid", dilation_rate=1):
        self.rank = rank
        self.strides = _spatial(strides, rank, "strides")
        self.dilation = _spatial(dilation_rate, rank, "dilation_rate")
        self.padding = _pads(rank, padding)

    def __call__(self, x, kernel, bias=None):
        args = (operand(x), kernel) if bias is None else (operand(x), kernel, bias)
        return super().__call__(*args)

    def forward(self, x, kernel, bias=None):
        cols, weights = self._columns(x, kernel, bias)
        if self.pointwise:
            out = cols @ weights
            if bias is not None:
                out += bias
        else:
            out = _gemm(cols, weights, x.shape[0])
        return out.reshape((x.shape[0],) + self.out_hw[2 - self.rank:] + (weights.shape[1],))

    def _columns(self, x, kernel, bias):
        """The GEMM's operands: the im2col matrix of x (P, K), its rows in the order `tile_order(.., tiles)`
        gives, and the kernel as a (K, F) matrix, the bias as its last row facing a column of ones in the
        matrix -- or for a 1x1 convolution (`pointwise`), x itself and the bare kernel. Keeps the geometry,
        and cols and the kernel where a gradient may be asked for, for backward."""
        x4 = _as_2d(x, self.rank)
        k4 = kernel if self.rank == 2 else kernel.reshape((1,) + kernel.shape)
        kh, kw, c, f = k4.shape
        h, w = x4.shape[1:3]
        pads = _resolve_pads((h, w), (kh, kw), self.strides, self.padding, self.dilation)
        out_hw = tuple(output_length(m, k, s, p, d) for m, k, s, p, d in
                       zip((h, w), (kh, kw), self.strides, pads, self.dilation))
        _check_positive(out_hw, "Conv")
        weights = k4.reshape(-1, f)
        self.pointwise = ((kh, kw) == (1, 1) and self.strides == (1, 1) and pads == ((0, 0), (0, 0))
                          and self.tiles is None)
        if self.pointwise:
            xpad, cols = x4, x4.reshape(-1, c)
        else:
            xpad = pad_spatial(x4, pads)
            cols = im2col(xpad, (kh, kw), self.strides, self.dilation, out_hw, bias is not None, self.tiles)
            if bias is not None:
                weights = xp.concatenate([weights, bias.reshape(1, f).astype(weights.dtype, copy=False)])
        self.x_shape, self.padded_shape, self.pads, self.out_hw = x.shape, xpad.shape, pads, out_hw
        if _keeps_grad():
            self.cols, self.kernel = cols, k4
        return cols, weights

    def backward(self, g):
        k4, cols = self.kernel, self.cols
        f = k4.shape[3]
        g2 = g.reshape(-1, f)
        gx = None
        if _needs_grad(self, 0) and self.pointwise:
            gx = (g2 @ k4.reshape(-1, f).T).reshape(self.x_shape)
        elif _needs_grad(self, 0):
            padded = col2im_gemm(g2, k4, self.padded_shape, self.strides, self.dilation, self.out_hw, self.tiles)
            hw = (1, self.x_shape[1]) if self.rank == 1 else self.x_shape[1:3]
            gx = _crop(padded, self.pads, hw).reshape(self.x_shape)
        grads = None
        if _needs_grad(self, 1) or _needs_grad(self, 2):
            grads = _gemm_tn(cols, g2, self.x_shape[0])  # (kh*kw*C [+ 1], F): the kernel's gradient, then the bias'
            if self.pointwise and len(self.inputs) == 3:
                grads = xp.concatenate([grads, g2.sum(axis=0)[None]])
        return (gx,) + self._weight_gradients(grads)

    def _weight_gradients(self, grads):
        """(kernel gradient, [bias gradient]) from the GEMM's (K, F) gradient, its last row the bias'; Nones
        when grads is None."""
        k = self.kernel.shape[0] * self.kernel.shape[1] * self.kernel.shape[2]
        gk = None if grads is None else grads[:k].reshape(self.inputs[1].shape)
        if len(self.inputs) == 3:
            return gk, None if grads is None else grads[k]
        return (gk,)


class ConvPool(Conv):
    """pool(conv(x, kernel) + bias) as one op, for a max or average pooling whose windows tile the convolution's
    output (strides == pool_size, 'valid'): x (N, [H,] W, C), kernel ([kh,] kw, C, F), bias (F,) or None ->
    (N, [Ho // ph,] Wo // pw, F), rank 1 or 2 (channels_last).

    The im2col rows come in the order of the pooling's window slabs (`tile_order`), so the rows of window
    offset m are one block: one GEMM per offset writes slab m, and the pooling folds it into its running max
    (or sum) at once. The convolution's whole output, ph*pw times the pooled size, never exists, and each slab
    is read again while it is still in cache. Backward, when x needs no gradient (a network's first layer),
    routes the gradient one slab at a time too, each slab's GEMM adding to the kernel's gradient; when it does,
    every slab's gradient is made at once, for col2im and one GEMM for the kernel's gradient.
    """

    def __init__(self, mode, pool_size, rank=2, strides=1, padding="valid", dilation_rate=1):
        super().__init__(rank, strides, padding, dilation_rate)
        self.pooling = Pool(mode, pool_size, None, "valid", rank)  # reduces and routes the slabs
        self.tiles = self.pooling.pool

    def forward(self, x, kernel, bias=None):
        cols, weights = self._columns(x, kernel, bias)
        (ph, pw), (ho, wo) = self.tiles, self.out_hw
        _check_positive((ho // ph, wo // pw), "Pooling")  # no whole window: the pooling's own error
        n, f = x.shape[0], weights.shape[1]
        self.pooled_shape = (n, ho // ph, wo // pw, f)
        first, later = (xp.empty((self._slab(cols, 0).shape[0], f), dtype=xp.result_type(cols, weights))
                        for _ in range(2))  # slab 0, which the pooling reduces into; every later slab, in turn
        slabs = (_gemm(self._slab(cols, m), weights, n, out=later if m else first).reshape(self.pooled_shape)
                 for m in range(ph * pw))
        pooled = self.pooling._reduce(slabs, None, in_place=True)
        return pooled.reshape((n,) + pooled.shape[3 - self.rank:])

    def _slab(self, rows, m):
        """Window offset m's block of `rows`, rows in slab order (P, ...)."""
        size = rows.shape[0] // (self.tiles[0] * self.tiles[1])
        return rows[m * size:(m + 1) * size]

    def backward(self, g):
        g4 = g.reshape(self.pooled_shape)
        if _needs_grad(self, 0):  # the input's gradient takes every slab's gradient at once
            return super().backward(self.pooling._slab_gradients(g4, None))
        grads = None
        if _needs_grad(self, 1) or _needs_grad(self, 2):
            for m, slab in self.pooling._each_slab_gradient(g4):
                part = _gemm_tn(self._slab(self.cols, m), slab.reshape(-1, g4.shape[3]), g4.shape[0])
                grads = part if grads is None else xp.add(grads, part, out=grads)
        return (None,) + self._weight_gradients(grads)


class ConvTranspose(Op):
    """The transpose (gradient) of a 2-D convolution: x (N, H, W, Cin), kernel (kh, kw, F, Cin),
    bias (F,) -> y (N, Ho, Wo, F) with Ho = deconv_output_length(H, ...)."""

    def __init__(self, strides=1, padding="valid", output_padding=None, dilation_rate=1):
        self.strides = as_tuple(strides, 2, "strides")
        self.dilation = as_tuple(dilation_rate, 2, "dilation_rate")
        self.padding = padding
        self.output_padding = None if output_padding is None else as_tuple(output_padding, 2, "output_padding")

    def __call__(self, x, kernel, bias=None):
        args = (operand(x), kernel) if bias is None else (operand(x), kernel, bias)
        return super().__call__(*args)

    def geometry(self, hw, kernel_hw):
        """(output size, crop offsets, size of the full buffer) for an input of spatial size hw."""
        out, before, full = [], [], []
        for i in range(2):
            k, s, d = kernel_hw[i], self.strides[i], self.dilation[i]
            op = None if self.output_padding is None else self.output_padding[i]
            length = deconv_output_length(hw[i], k, s, self.padding, op, d)
            effective = (k - 1) * d + 1
            # 'same': where TensorFlow's conv2d 'same' padding of an input of `length` would start
            start = max((hw[i] - 1) * s + effective - length, 0) // 2 if self.padding == "same" else 0
            out.append(length)
            before.append(start)
            full.append(max((hw[i] - 1) * s + effective, start + length))
        return tuple(out), tuple(before), tuple(full)

    def forward(self, x, kernel, bias=None):
        n, h, w, cin = x.shape
        kh, kw, f, _ = kernel.shape
        out_hw, before, full = self.geometry((h, w), (kh, kw))
        _check_positive(out_hw, "Conv2DTranspose")
        padded = col2im_gemm(x.reshape(-1, cin), kernel, (n,) + full + (f,), self.strides, self.dilation, (h, w))
        out = padded[:, before[0]:before[0] + out_hw[0], before[1]:before[1] + out_hw[1]]
        out = out + bias if bias is not None else xp.ascontiguousarray(out)
        if _keeps_grad():
            self.x, self.kernel, self.geom = x, kernel, (out_hw, before, full)
        return out

    def backward(self, g):
        x, kernel = self.x, self.kernel
        n, h, w, cin = x.shape
        kh, kw, f, _ = kernel.shape
        out_hw, before, full = self.geom
        if tuple(full) == tuple(out_hw):
            padded = g
        else:
            padded = xp.zeros((n,) + full + (f,), dtype=g.dtype)
            padded[:, before[0]:before[0] + out_hw[0], before[1]:before[1] + out_hw[1]] = g
        cols = im2col(padded, (kh, kw), self.strides, self.dilation, (h, w))
        k2 = kernel.reshape(-1, cin)
        gx = (cols @ k2).reshape(x.shape) if _needs_grad(self, 0) else None
        gk = (cols.T @ x.reshape(-1, cin)).reshape(kernel.shape) if _needs_grad(self, 1) else None
        if len(self.inputs) == 3:
            return gx, gk, g.reshape(-1, f).sum(axis=0)
        return gx, gk


class DepthwiseConv(Op):
    """Each input channel convolved with its own `multiplier` filters: x (N, H, W, C),
    kernel (kh, kw, C, M) -> y (N, Ho, Wo, C*M) (output channel c*M + m), as Keras DepthwiseConv2D."""

    def __init__(self, strides=1, padding="valid", dilation_rate=1):
        self.strides = as_tuple(strides, 2, "strides")
        self.dilation = as_tuple(dilation_rate, 2, "dilation_rate")
        self.padding = padding

    def __call__(self, x, kernel, bias=None):
        args = (operand(x), kernel) if bias is None else (operand(x), kernel, bias)
        return super().__call__(*args)

    def forward(self, x, kernel, bias=None):
        kh, kw, c, m = kernel.shape
        n, h, w, _ = x.shape
        pads = _resolve_pads((h, w), (kh, kw), self.strides, self.padding, self.dilation)
        out_hw = tuple(output_length(a, k, s, p, d) for a, k, s, p, d in
                       zip((h, w), (kh, kw), self.strides, pads, self.dilation))
        _check_positive(out_hw, "DepthwiseConv2D")
        xpad = pad_spatial(x, pads)
        cols = im2col(xpad, (kh, kw), self.strides, self.dilation, out_hw).reshape(-1, kh * kw, c)
        # one batched GEMM over channels: (C, P, kh*kw) @ (C, kh*kw, M) -> (C, P, M)
        out = xp.matmul(cols.transpose(2, 0, 1), kernel.reshape(kh * kw, c, m).transpose(1, 0, 2))
        out = out.transpose(1, 0, 2).reshape((n,) + out_hw + (c * m,))
        if bias is not None:
            out += bias
        if _keeps_grad():
            self.cols, self.kernel, self.x_shape, self.padded_shape, self.pads = cols, kernel, x.shape, xpad.shape, pads
        return out

    def backward(self, g):
        kh, kw, c, m = self.kernel.shape
        gc = g.reshape(-1, c, m).transpose(1, 0, 2)  # (C, P, M)
        gx = gk = None
        if _needs_grad(self, 0):
            kt = self.kernel.reshape(kh * kw, c, m).transpose(1, 2, 0)  # (C, M, kh*kw)
            dcols = xp.matmul(gc, kt).transpose(1, 2, 0)  # (P, kh*kw, C)
            dcols = dcols.reshape(g.shape[:3] + (kh, kw, c))
            padded = col2im(dcols, self.padded_shape, self.strides, self.dilation)
            gx = _crop(padded, self.pads, self.x_shape[1:3])
        if _needs_grad(self, 1):
            gk = xp.matmul(self.cols.transpose(2, 1, 0), gc)  # (C, kh*kw, M)
            gk = gk.transpose(1, 0, 2).reshape(self.kernel.shape)
        if len(self.inputs) == 3:
            return gx, gk, g.reshape(-1, c * m).sum(axis=0)
        return gx, gk


# --- pooling --------------------------------------------------------------------------------

class Pool(Op):
    """Max or average pooling for rank 1 or 2 (channels_last): x (N, [H,] W, C) -> (N, [Ho,] Wo, C).

    The ph*pw window offsets are first copied apart into contiguous slabs (ph*pw, N, Ho, Wo, C), which are
    then reduced slab by slab: NumPy's elementwise loops run several times faster on contiguous operands
    than on strided ones. When the windows tile the input (strides == pool_size, 'valid') that copy is one
    transposing pass, and so is the way back. 'same' average pooling divides by the number of real
    (unpadded) values, as Keras. The max gradient goes to one maximum of each window: on ties the first
    in row-major order, as PyTorch and TF.
    """

    def __init__(self, mode, pool_size, strides=None, padding="valid", rank=2):
        if mode not in ("max", "avg"):
            raise ValueError(f"Pool mode must be 'max' or 'avg', got {mode!r}.")
        if padding not in ("valid", "same"):
            raise ValueError(f"padding must be 'valid' or 'same', received padding={padding!r}.")
        self.mode, self.rank, self.padding = mode, rank, padding
        self.pool = _spatial(pool_size, rank, "pool_size")
        self.strides = self.pool if strides is None else _spatial(strides, rank, "strides")

    def forward(self, x):
        x4 = _as_2d(x, self.rank)
        n, h, w, c = x4.shape
        pads = _resolve_pads((h, w), self.pool, self.strides, self.padding, (1, 1))
        out_hw = tuple(output_length(a, k, s, p) for a, k, s, p in zip((h, w), self.pool, self.strides, pads))
        _check_positive(out_hw, "Pooling")
        self.x_shape, self.out_hw, self.pads = x.shape, out_hw, pads
        self.tiled = self.strides == self.pool and pads == ((0, 0), (0, 0))
        padded = x4 if self.tiled else pad_spatial(x4, pads, -xp.inf if self.mode == "max" else 0)
        out = self._reduce(self._window_slabs(padded), (h, w))
        return out.reshape((n,) + out_hw[2 - self.rank:] + (c,))

    def _reduce(self, slabs, hw, in_place=False):
        """The pooled (N, Ho, Wo, C) of the window slabs (k, N, Ho, Wo, C), or an iterator of them that may reuse
        their arrays `in_place` (see _reduce_slabs); for a max that will be differentiated, which slabs won is
        kept for backward."""
        keep = self.mode == "max" and _keeps_grad()
        out, won = _reduce_slabs(slabs, self.mode, keep, in_place)
        if self.mode == "avg":
            out /= out.dtype.type(self._size()) if self.padding == "valid" else self._counts(*hw, out.dtype)
        if keep:
            self.won = won
        return out

    def _slab_gradients(self, g4, hw):
        """The gradient of the window slabs (k, N, Ho, Wo, C) from that of the output g4 (N, Ho, Wo, C)."""
        k = self._size()
        slabs = xp.empty((k,) + g4.shape, dtype=g4.dtype)
        if self.mode == "max":  # each window's gradient goes to the offset that won
            for _ in _route(g4, self.won, slabs.__getitem__, slabs[0]):
                pass
        else:  # spread evenly over the window
            slabs[...] = g4 / (k if self.padding == "valid" else self._counts(*hw, g4.dtype))
        return slabs

    def _each_slab_gradient(self, g4):
        """(m, the gradient of window slab m) for every m, from that of the output g4 (N, Ho, Wo, C): what
        _slab_gradients gives, one slab at a time, in arrays the next slab's may overwrite ('valid' only)."""
        if self.mode == "avg":
            share = g4 / g4.dtype.type(self._size())
            return ((m, share) for m in range(self._size()))
        slab, rest = xp.empty_like(g4), xp.empty_like(g4)
        return _route(g4, self.won, lambda m: slab, rest)

    def _size(self):
        """The number of values in a window."""
        return self.pool[0] * self.pool[1]

    def _offsets(self):
        """The window offsets (i, j), row-major: slab m of the window slabs is offset m."""
        return [(i, j) for i in range(self.pool[0]) for j in range(self.pool[1])]

    def _window_slabs(self, padded):
        """padded (N, Hp, Wp, C) -> (ph*pw, N, Ho, Wo, C): slab m holds each window's value at offset m."""
        n, c = padded.shape[0], padded.shape[3]
        (ph, pw), (ho, wo) = self.pool, self.out_hw
        slabs = xp.empty((ph, pw, n, ho, wo, c), dtype=padded.dtype)
        if self.tiled:
            slabs[...] = tile_order(padded, self.pool)
        else:
            for i, j in self._offsets():
                slabs[i, j] = padded[_offset_slices(i, j, self.strides, (1, 1), self.out_hw)]
        return slabs.reshape((ph * pw, n, ho, wo, c))

    def _from_window_slabs(self, slabs, padded_shape):
        """The inverse of _window_slabs: (ph*pw, N, Ho, Wo, C) -> (N, Hp, Wp, C), adding where windows
        overlap; positions no window covers get zero."""
        (ph, pw), (ho, wo) = self.pool, self.out_hw
        slabs = slabs.reshape((ph, pw) + slabs.shape[1:])
        covered = self.tiled and (ho * ph, wo * pw) == padded_shape[1:3]
        out = (xp.empty if covered else xp.zeros)(padded_shape, dtype=slabs.dtype)
        if self.tiled:
            tile_order(out, self.pool)[...] = slabs
            return out
        for i, j in self._offsets():
            out[_offset_slices(i, j, self.strides, (1, 1), self.out_hw)] += slabs[i, j]
        return out

    def _counts(self, h, w, dtype):
        """Number of real input values in each window, shape (Ho, Wo, 1)."""
        counts = []
        for length, k, s, (before, _), o in zip((h, w), self.pool, self.strides, self.pads, self.out_hw):
            start = xp.arange(o) * s - before
            counts.append(xp.minimum(start + k, length) - xp.maximum(start, 0))
        return (counts[0][:, None] * counts[1][None, :]).astype(dtype)[:, :, None]

    def backward(self, g):
        x_shape = self.x_shape
        n, c = x_shape[0], x_shape[-1]
        hw = (1, x_shape[1]) if self.rank == 1 else x_shape[1:3]
        slabs = self._slab_gradients(g.reshape((n,) + self.out_hw + (c,)), hw)
        (pt, pb), (pl, pr) = self.pads
        padded_shape = (n, hw[0] + pt + pb, hw[1] + pl + pr, c)
        return (_crop(self._from_window_slabs(slabs, padded_shape), self.pads, hw).reshape(x_shape),)


def _reduce_slabs(slabs, mode, keep, in_place=False):
    """The max (or sum) of the window slabs, k arrays in order (or an iterator of them); for a max with `keep`
    also the k - 1 boolean arrays won[m - 1] = (slab m > max of slabs 0..m-1): where slab m took the lead, so
    a tie stays with the earliest slab (and a NaN, which compares False, with the lead it found). The result
    is a new array, or with `in_place` slab 0's own, reduced into."""
    combine = xp.add if mode == "avg" else xp.maximum
    slabs = iter(slabs)
    out, owned, won = next(slabs), in_place, []
    for slab in slabs:
        if keep:
            won.append(slab > out)
        out = combine(out, slab, out=out if owned else None)
        owned = True
    return (out if owned else out.copy()), won


def _route(g, won, slab_out, rest_out):
    """Yield (m, g where slab m won the max, else 0) for m = k-1 down to 0, walking the chain of
    _reduce_slabs back: slab m gets the gradient where it took the lead, and the rest goes on to slabs
    0..m-1. Slab m's gradient is written to slab_out(m), the rest (slab 0's gradient, in the end) to
    rest_out."""
    rest = g
    for m in range(len(won), 0, -1):
        slab = xp.multiply(rest, won[m - 1], out=slab_out(m))
        rest = xp.subtract(rest, slab, out=rest_out)
        yield m, slab
    if not won:  # a single slab: all of g
        rest_out[...] = g
        rest = rest_out
    yield 0, rest


# --- padding, cropping, upsampling -----------------------------------------------------------

class Pad(Op):
    """Zero padding of the spatial axes 1..k of x (N, d1, ..., dk, C): pads ((b1, a1), ..., (bk, ak))."""

    def __init__(self, pads):
        self.pads = tuple(tuple(int(v) for v in p) for p in pads)

    def forward(self, x):
        self.x_shape = x.shape
        shape = (x.shape[0],) + tuple(d + b + a for d, (b, a) in zip(x.shape[1:], self.pads)) + \
            x.shape[1 + len(self.pads):]
        out = xp.zeros(shape, dtype=x.dtype)
        out[self._index(x.shape)] = x
        return out

    def _index(self, shape):
        return (slice(None),) + tuple(slice(b, b + d) for d, (b, _) in zip(shape[1:], self.pads))

    def backward(self, g):
        return (g[self._index(self.x_shape)],)


class Crop(Op):
    """Remove ((b1, a1), ..., (bk, ak)) values from the spatial axes 1..k of x (N, d1, ..., dk, C)."""

    def __init__(self, crops):
        self.crops = tuple(tuple(int(v) for v in p) for p in crops)

    def forward(self, x):
        self.x_shape, self.dtype = x.shape, x.dtype
        self.index = (slice(None),) + tuple(slice(b, d - a) for d, (b, a) in zip(x.shape[1:], self.crops))
        out = x[self.index]
        _check_positive(out.shape[1:], "Cropping")
        return out

    def backward(self, g):
        grad = xp.zeros(self.x_shape, dtype=g.dtype)
        grad[self.index] = g
        return (grad,)


class UpSample(Op):
    """Nearest-neighbour upsampling: repeat axis 1+i of x (N, d1, ..., dk, C) size[i] times."""

    def __init__(self, size):
        self.size = tuple(int(s) for s in size)

    def forward(self, x):
        self.x_shape = x.shape
        k = len(self.size)
        shape, expanded, index = [x.shape[0]], [x.shape[0]], [slice(None)]
        for d, s in zip(x.shape[1:1 + k], self.size):
            shape += [d, s]
            expanded += [d * s]
            index += [slice(None), None]
        view = x[tuple(index)]
        target = tuple(v for pair in zip(x.shape[1:1 + k], self.size) for v in pair)
        out = xp.broadcast_to(view, (x.shape[0],) + target + x.shape[1 + k:])
        return out.reshape(tuple(expanded) + x.shape[1 + k:])

    def backward(self, g):
        k = len(self.size)
        split = (g.shape[0],) + tuple(v for pair in zip(self.x_shape[1:1 + k], self.size) for v in pair) + \
            g.shape[1 + k:]
        return (g.reshape(split).sum(axis=tuple(2 + 2 * i for i in range(k))),)


# --- functions ------------------------------------------------------------------------------

def conv2d(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1):
    """x (N, H, W, C), kernel (kh, kw, C, F), bias (F,) -> (N, Ho, Wo, F)."""
    return Conv(2, strides, padding, dilation_rate)(x, kernel, bias)


def conv1d(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1):
    """x (N, L, C), kernel (k, C, F), bias (F,) -> (N, Lo, F); padding may also be 'causal'."""
    return Conv(1, strides, _causal_pads(padding, kernel, dilation_rate), dilation_rate)(x, kernel, bias)


def conv_pool(x, kernel, bias, mode, pool_size, rank=2, strides=1, padding="valid", dilation_rate=1):
    """max_pool or avg_pool (windows `pool_size`, strides = pool_size, 'valid') of conv2d (rank 2) or conv1d
    (rank 1) of x with these arguments, as one op (`ConvPool`): (N, [Ho // ph,] Wo // pw, F)."""
    padding = _causal_pads(padding, kernel, dilation_rate) if rank == 1 else padding
    return ConvPool(mode, pool_size, rank, strides, padding, dilation_rate)(x, kernel, bias)


def _causal_pads(padding, kernel, dilation_rate):
    """A 1-D convolution's 'causal' padding as explicit pads: all of it before (Keras); else `padding`."""
    if padding != "causal":
        return padding
    return ((as_tuple(dilation_rate, 1)[0] * (kernel.shape[0] - 1), 0),)


def conv2d_transpose(x, kernel, bias=None, strides=1, padding="valid", output_padding=None, dilation_rate=1):
    """x (N, H, W, Cin), kernel (kh, kw, F, Cin), bias (F,) -> (N, Ho, Wo, F)."""
    return ConvTranspose(strides, padding, output_padding, dilation_rate)(x, kernel, bias)


def depthwise_conv2d(x, kernel, bias=None, strides=1, padding="valid", dilation_rate=1):
    """x (N, H, W, C), kernel (kh, kw, C, M), bias (C*M,) -> (N, Ho, Wo, C*M)."""
    return DepthwiseConv(strides, padding, dilation_rate)(x, kernel, bias)


def max_pool2d(x, pool_size, strides=None, padding="valid"):
    return Pool("max", pool_size, strides, padding, 2)(operand(x))


def avg_pool2d(x, pool_size, strides=None, padding="valid"):
    return Pool("avg", pool_size, strides, padding, 2)(operand(x))


def max_pool1d(x, pool_size, strides=None, padding="valid"):
    return Pool("max", pool_size, strides, padding, 1)(operand(x))


def avg_pool1d(x, pool_size, strides=None, padding="valid"):
    return Pool("avg", pool_size, strides, padding, 1)(operand(x))


def pad(x, pads):
    return Pad(pads)(operand(x))


def crop(x, crops):
    return Crop(crops)(operand(x))


def upsample(x, size):
    return UpSample(size)(operand(x))


__all__ = ["conv1d", "conv2d", "conv_pool", "conv2d_transpose", "depthwise_conv2d", "max_pool1d", "max_pool2d",
           "avg_pool1d", "avg_pool2d", "pad", "crop", "upsample", "output_length", "padding_amounts",
           "deconv_output_length", "as_tuple"]
