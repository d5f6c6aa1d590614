"""Gradient, forward and dtype checks for zerodl.ops.conv (conv, transposed and depthwise conv,
pooling, pad/crop/upsample) and zerodl.ops.normalization (batch norm)."""
import numpy as np
import pytest

from gradcheck import Case, check_gradients, run_float32, run_forward, run_gradient
from zerodl.autodiff import Tensor, Variable, gradients, no_grad
from zerodl.ops import conv as C
from zerodl.ops import normalization as N

rng = np.random.default_rng(7)


def normal(*shape):
    return rng.standard_normal(shape)


# --- direct references (loops over output positions: slow, obviously right) ----------------

def ref_pads(n, k, s, padding, d=1):
    if padding == "valid":
        return 0, 0
    if padding == "same":
        out = -(-n // s)
        total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
        return total // 2, total - total // 2
    return padding


def ref_conv2d(x, k, b=None, strides=(1, 1), padding="valid", dilation=(1, 1)):
    n, h, w, c = x.shape
    kh, kw, _, f = k.shape
    pt, pb = ref_pads(h, kh, strides[0], padding if isinstance(padding, str) else padding[0], dilation[0])
    pl, pr = ref_pads(w, kw, strides[1], padding if isinstance(padding, str) else padding[1], dilation[1])
    xp_ = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    ho = (h + pt + pb - (kh - 1) * dilation[0] - 1) // strides[0] + 1
    wo = (w + pl + pr - (kw - 1) * dilation[1] - 1) // strides[1] + 1
    out = np.zeros((n, ho, wo, f))
    for i in range(ho):
        for j in range(wo):
            for a in range(kh):
                for bb in range(kw):
                    out[:, i, j] += xp_[:, i * strides[0] + a * dilation[0], j * strides[1] + bb * dilation[1]] @ k[a, bb]
    return out if b is None else out + b


def ref_conv_transpose(x, k, b=None, strides=(1, 1), padding="valid"):
    """Scatter each input pixel times the kernel into the output (the definition), then crop."""
    n, h, w, cin = x.shape
    kh, kw, f, _ = k.shape
    sh, sw = strides
    full = np.zeros((n, (h - 1) * sh + kh + sh, (w - 1) * sw + kw + sw, f))
    for i in range(h):
        for j in range(w):
            full[:, i * sh:i * sh + kh, j * sw:j * sw + kw] += np.einsum("nc,abfc->nabf", x[:, i, j], k)
    if padding == "valid":
        ho, wo = h * sh + max(kh - sh, 0), w * sw + max(kw - sw, 0)
        out = full[:, :ho, :wo]
    else:
        ho, wo = h * sh, w * sw
        t, l = max(kh - sh, 0) // 2, max(kw - sw, 0) // 2
        out = full[:, t:t + ho, l:l + wo]
    return out if b is None else out + b


def ref_pool(x, pool, strides, padding, mode):
    n, h, w, c = x.shape
    (ph, pw), (sh, sw) = pool, strides
    pt, pb = ref_pads(h, ph, sh, padding)
    pl, pr = ref_pads(w, pw, sw, padding)
    ho = (h + pt + pb - ph) // sh + 1
    wo = (w + pl + pr - pw) // sw + 1
    out = np.zeros((n, ho, wo, c))
    for i in range(ho):
        for j in range(wo):
            r0, c0 = i * sh - pt, j * sw - pl
            win = x[:, max(r0, 0):min(r0 + ph, h), max(c0, 0):min(c0 + pw, w)]
            out[:, i, j] = win.max(axis=(1, 2)) if mode == "max" else win.mean(axis=(1, 2))
    return out


def ref_depthwise(x, k, b=None, strides=(1, 1), padding="valid"):
    kh, kw, c, m = k.shape
    outs = [ref_conv2d(x[..., i:i + 1], k[:, :, i:i + 1, :], None, strides, padding) for i in range(c)]
    out = np.concatenate(outs, axis=-1)
    return out if b is None else out + b


def ref_batch_norm(x, gamma, beta, axis=-1, eps=1e-3):
    axes = tuple(a for a in range(x.ndim) if a != axis % x.ndim)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma.reshape(shape) + beta.reshape(shape)


# --- cases ---------------------------------------------------------------------------------

x_small = normal(2, 5, 6, 3)
k_small = normal(3, 3, 3, 4)
b_small = normal(4)

CASES = []
for strides in [(1, 1), (2, 1), (2, 3)]:
    for padding in ["valid", "same"]:
        CASES.append(Case(f"conv2d-s{strides}-{padding}",
                          lambda x, k, b, s=strides, p=padding: C.conv2d(x, k, b, s, p),
                          [x_small, k_small, b_small],
                          lambda x, k, b, s=strides, p=padding: ref_conv2d(x, k, b, s, p)))
CASES += [
    Case("conv2d-dilation2-same", lambda x, k: C.conv2d(x, k, None, 1, "same", 2), [normal(2, 7, 6, 2), normal(3, 2, 2, 3)],
         lambda x, k: ref_conv2d(x, k, None, (1, 1), "same", (2, 2))),
    Case("conv2d-dilation-valid", lambda x, k: C.conv2d(x, k, None, 1, "valid", (2, 1)), [normal(1, 7, 5, 2), normal(2, 3, 2, 2)],
         lambda x, k: ref_conv2d(x, k, None, (1, 1), "valid", (2, 1))),
    Case("conv2d-explicit-pads", lambda x, k: C.conv2d(x, k, None, 2, ((1, 0), (2, 1))),
         [normal(2, 5, 5, 2), normal(2, 3, 2, 3)],
         lambda x, k: ref_conv2d(x, k, None, (2, 2), ((1, 0), (2, 1)))),
    Case("conv2d-1x1", lambda x, k, b: C.conv2d(x, k, b), [normal(2, 3, 4, 5), normal(1, 1, 5, 2), normal(2)],
         lambda x, k, b: x @ k[0, 0] + b),
    Case("conv2d-kernel-larger-than-stride-input", lambda x, k: C.conv2d(x, k, None, 3, "same"),
         [normal(2, 4, 4, 1), normal(5, 5, 1, 2)], lambda x, k: ref_conv2d(x, k, None, (3, 3), "same")),
    Case("conv1d-valid", lambda x, k, b: C.conv1d(x, k, b), [normal(2, 9, 3), normal(3, 3, 4), normal(4)],
         lambda x, k, b: ref_conv2d(x[:, None], k[None], b)[:, 0]),
    Case("conv1d-same-stride2", lambda x, k: C.conv1d(x, k, None, 2, "same"), [normal(2, 9, 3), normal(4, 3, 2)],
         lambda x, k: ref_conv2d(x[:, None], k[None], None, (1, 2), "same")[:, 0]),
    Case("conv1d-causal-dilated", lambda x, k: C.conv1d(x, k, None, 1, "causal", 2), [normal(2, 8, 2), normal(3, 2, 2)],
         lambda x, k: ref_conv2d(np.pad(x, ((0, 0), (4, 0), (0, 0)))[:, None], k[None], None, (1, 1), "valid",
                                 (1, 2))[:, 0]),
]
for strides in [(1, 1), (2, 2), (3, 2)]:
    for padding in ["valid", "same"]:
        CASES.append(Case(f"conv2d-transpose-s{strides}-{padding}",
                          lambda x, k, b, s=strides, p=padding: C.conv2d_transpose(x, k, b, s, p),
                          [normal(2, 3, 4, 3), normal(3, 2, 2, 3), normal(2)],
                          lambda x, k, b, s=strides, p=padding: ref_conv_transpose(x, k, b, s, p)))
CASES += [
    Case("depthwise-valid", lambda x, k, b: C.depthwise_conv2d(x, k, b), [normal(2, 5, 5, 3), normal(3, 3, 3, 2), normal(6)],
         ref_depthwise),
    Case("depthwise-same-s2", lambda x, k: C.depthwise_conv2d(x, k, None, 2, "same"), [normal(2, 5, 6, 2), normal(3, 2, 2, 1)],
         lambda x, k: ref_depthwise(x, k, None, (2, 2), "same")),
]
for mode in ["max", "avg"]:
    fn = C.max_pool2d if mode == "max" else C.avg_pool2d
    for pool, strides, padding, shape in [((2, 2), None, "valid", (2, 6, 4, 3)),     # tiles exactly
                                          ((2, 2), None, "valid", (2, 7, 5, 2)),     # tiles, remainder dropped
                                          ((3, 2), (1, 2), "valid", (2, 6, 5, 2)),   # overlapping windows
                                          ((3, 3), (2, 2), "same", (2, 7, 6, 2)),
                                          ((2, 2), None, "same", (1, 5, 5, 2)),
                                          ((5, 5), None, "valid", (1, 11, 10, 1))]:
        CASES.append(Case(f"{mode}-pool2d-{pool}-{strides}-{padding}-{shape}",
                          lambda x, fn=fn, p=pool, s=strides, pad=padding: fn(x, p, s, pad), [normal(*shape)],
                          lambda x, p=pool, s=strides, pad=padding, m=mode: ref_pool(x, p, s or p, pad, m)))
    fn1 = C.max_pool1d if mode == "max" else C.avg_pool1d
    CASES.append(Case(f"{mode}-pool1d-same", lambda x, fn=fn1: fn(x, 3, 2, "same"), [normal(2, 8, 3)],
                      lambda x, m=mode: ref_pool(x[:, None], (1, 3), (1, 2), "same", m)[:, 0]))
    CASES.append(Case(f"{mode}-pool1d-tiled", lambda x, fn=fn1: fn(x, 2), [normal(2, 9, 3)],
                      lambda x, m=mode: ref_pool(x[:, None], (1, 2), (1, 2), "valid", m)[:, 0]))


def conv_pool(x, k, b, pool, mode, rank=2, strides=1, padding="valid", dilation=1):
    """A convolution and a pooling whose windows tile its output, as one op (what a Conv layer followed by such
    a pooling layer runs as)."""
    return C.conv_pool(x, k, b, mode, pool, rank, strides, padding, dilation)


def ref_conv_pool(x, k, b, pool, mode, strides=1, padding="valid", dilation=1):
    conv = ref_conv2d(x, k, b, C.as_tuple(strides, 2), padding, C.as_tuple(dilation, 2))
    return ref_pool(conv, pool, pool, "valid", mode)


for mode in ["max", "avg"]:
    for name, shapes, pool, conv_args in [
            ("one-channel", [(2, 8, 8, 1), (3, 3, 1, 3), (3,)], (2, 2), ()),          # W4's first layer
            ("remainder-dropped", [(2, 8, 7, 2), (2, 2, 2, 3), (3,)], (2, 2), ()),    # 7x6 outputs: a row left out
            ("tall-pool-strided", [(1, 9, 8, 2), (3, 2, 2, 2), (2,)], (3, 2), ((2, 1), "same")),
            ("dilated", [(1, 9, 9, 1), (2, 2, 1, 2), (2,)], (2, 2), (1, "valid", 2)),
            ("batched-blocks", [(2, 18, 18, 1), (3, 3, 1, 2), (2,)], (2, 2), ())]:  # 64 rows a slab and image
        CASES.append(Case(f"conv-pool-{mode}-{name}",
                          lambda x, k, b, p=pool, m=mode, a=conv_args: conv_pool(x, k, b, p, m, 2, *a),
                          [normal(*s) for s in shapes],
                          lambda x, k, b, p=pool, m=mode, a=conv_args: ref_conv_pool(x, k, b, p, m, *a)))
        # x a constant: the kernel's gradient is taken one slab at a time
        x_const = Tensor(normal(*shapes[0]).astype(np.float32))
        CASES.append(Case(f"conv-pool-{mode}-{name}-kernel-only",
                          lambda k, b, x=x_const, p=pool, m=mode, a=conv_args: conv_pool(x, k, b, p, m, 2, *a),
                          [normal(*s) for s in shapes[1:]],
                          lambda k, b, x=x_const, p=pool, m=mode, a=conv_args: ref_conv_pool(x.value, k, b, p, m, *a)))
    CASES.append(Case(f"conv1d-pool-{mode}", lambda x, k, b, m=mode: conv_pool(x, k, b, 3, m, 1),
                      [normal(2, 12, 2), normal(3, 2, 3), normal(3)],
                      lambda x, k, b, m=mode: ref_pool(ref_conv2d(x[:, None], k[None], b), (1, 3), (1, 3), "valid",
                                                       m)[:, 0]))
    CASES.append(Case(f"conv1d-causal-pool-{mode}-no-bias",
                      lambda x, k, m=mode: conv_pool(x, k, None, 2, m, 1, 1, "causal"),
                      [normal(2, 9, 2), normal(3, 2, 2)],
                      lambda x, k, m=mode: ref_pool(ref_conv2d(np.pad(x, ((0, 0), (2, 0), (0, 0)))[:, None], k[None]),
                                                    (1, 2), (1, 2), "valid", m)[:, 0]))
CASES += [
    Case("pad2d", lambda x: C.pad(x, ((1, 2), (0, 3))), [normal(2, 3, 4, 2)],
         lambda x: np.pad(x, ((0, 0), (1, 2), (0, 3), (0, 0)))),
    Case("pad1d", lambda x: C.pad(x, ((2, 1),)), [normal(2, 3, 2)], lambda x: np.pad(x, ((0, 0), (2, 1), (0, 0)))),
    Case("crop2d", lambda x: C.crop(x, ((1, 0), (2, 1))), [normal(2, 4, 6, 2)], lambda x: x[:, 1:, 2:5]),
    Case("upsample2d", lambda x: C.upsample(x, (2, 3)), [normal(2, 3, 2, 2)],
         lambda x: x.repeat(2, axis=1).repeat(3, axis=2)),
    Case("upsample1d", lambda x: C.upsample(x, (3,)), [normal(2, 3, 2)], lambda x: x.repeat(3, axis=1)),
    Case("batch-norm-last-axis", lambda x, g, b: N.batch_norm(x, g, b, -1, 1e-3), [normal(4, 3, 2, 3), normal(3), normal(3)],
         ref_batch_norm, rtol=1e-4, atol=1e-6),
    Case("batch-norm-axis1", lambda x, g, b: N.batch_norm(x, g, b, 1, 1e-3), [normal(4, 3, 2, 2), normal(3), normal(3)],
         lambda x, g, b: ref_batch_norm(x, g, b, 1), rtol=1e-4, atol=1e-6),
    Case("batch-norm-2d", lambda x, g, b: N.batch_norm(x, g, b, -1, 1e-3), [normal(6, 4), normal(4), normal(4)],
         ref_batch_norm, rtol=1e-4, atol=1e-6),
    Case("batch-norm-inference", lambda x, g, b: N.batch_norm_inference(x, np.full(3, 0.3), np.full(3, 2.0), g, b, -1, 1e-3),
         [normal(4, 2, 3), normal(3), normal(3)], lambda x, g, b: (x - 0.3) / np.sqrt(2.001) * g + b),
]


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_gradient(case):
    run_gradient(case)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_forward(case):
    run_forward(case)


@pytest.mark.parametrize("case", CASES, ids=repr)
def test_float32(case):
    run_float32(case)


# --- against SciPy, and behaviour the cases above do not pin down ----------------------------

def test_conv2d_matches_scipy_correlate2d():
    signal = pytest.importorskip("scipy.signal")
    image, kernel = normal(12, 15), normal(3, 4)
    out = C.conv2d(Variable(image[None, :, :, None], dtype="float64"), kernel[:, :, None, None]).value[0, :, :, 0]
    np.testing.assert_allclose(out, signal.correlate2d(image, kernel, mode="valid"), atol=1e-12)


def test_conv1d_matches_numpy_convolve():
    a = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], dtype=np.float64)
    b = np.array([-1, 1], dtype=np.float64)
    out = C.conv1d(Variable(a[None, :, None], dtype="float64"), b[::-1, None, None]).value[0, :, 0]  # convolution = correlation with b flipped
    np.testing.assert_allclose(out, np.convolve(a, b, mode="valid"))


def test_max_pool_gradient_goes_to_first_maximum_of_ties():
    x = Variable(np.zeros((1, 2, 4, 1)), dtype="float64")
    out = C.max_pool2d(x, 2)
    (g,) = gradients(out, [x], output_gradient=np.array([[[[1.0], [2.0]]]]))
    np.testing.assert_array_equal(g[0, :, :, 0], [[1, 0, 2, 0], [0, 0, 0, 0]])


@pytest.mark.parametrize("strides", [None, 1])
def test_max_pool_ties_go_to_the_row_major_first_maximum(strides):
    """A window [[0, 5], [5, 0]]: PyTorch and TF both route the gradient to (0, 1), the first in row-major
    order, on the tiled path and the overlapping one alike."""
    x = Variable(np.array([0.0, 5.0, 5.0, 0.0]).reshape(1, 2, 2, 1), dtype="float64")
    (g,) = gradients(C.max_pool2d(x, 2, strides), [x])
    np.testing.assert_array_equal(g[0, :, :, 0], [[0, 1], [0, 0]])


def test_conv_skips_input_gradient_when_not_needed():
    from zerodl.autodiff import Tensor
    x = Tensor(normal(2, 5, 5, 1).astype(np.float32))
    k = Variable(normal(3, 3, 1, 2), dtype="float32")
    out = C.conv2d(x, k)
    assert out.op.backward(np.ones(out.shape, np.float32))[0] is None


def test_conv_under_no_grad_keeps_nothing_for_backward():
    x = normal(1, 16, 16, 1).astype(np.float32)
    with no_grad():
        out = C.conv2d(x, Variable(normal(3, 3, 1, 1)), None, (2, 1))
    assert out.shape == (1, 7, 14, 1)
    assert not hasattr(out.op, "cols")


def test_output_too_small_raises():
    with pytest.raises(ValueError, match="negative"):
        C.conv2d(normal(1, 2, 2, 1), Variable(normal(3, 3, 1, 1)))


def test_batch_norm_returns_batch_statistics():
    x = normal(50, 3) * 2 + 1
    op = N.BatchNorm(-1, 1e-3)
    op(Variable(x), None, None)
    np.testing.assert_allclose(op.mean, x.mean(0), rtol=1e-6)
    np.testing.assert_allclose(op.var, x.var(0), rtol=1e-6)


def test_batch_norm_without_scale_and_center():
    check_gradients(lambda x: N.batch_norm(x, None, None, -1, 1e-3), normal(5, 3), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("channels", [1, 3])
def test_conv_on_tall_skinny_im2col_blocks(channels):
    """First-layer shapes (few input channels, many output pixels) take the batched-GEMM path."""
    x, k, b = normal(2, 22, 23, channels), normal(3, 3, channels, 2), normal(2)
    fn = lambda x, k, b: C.conv2d(x, k, b)  # noqa: E731
    np.testing.assert_allclose(fn(Variable(x, dtype="float64"), k, b).value, ref_conv2d(x, k, b), atol=1e-12)
    check_gradients(fn, x, k, b, wrt=[1, 2])
