"""Whole-sequence recurrent ops: SimpleRNN, LSTM and GRU scans with hand-derived backprop through time.

Each op takes x (batch, timesteps, features), kernel (features, G*units), recurrent_kernel
(units, G*units), bias and optional initial states (batch, units), and runs as:

    1. one GEMM projecting every timestep's input at once: Zx = x W + b   (timesteps, batch, G*units)
    2. a time loop doing only the recurrent GEMM h_{t-1} U and the gate math, into preallocated buffers
    3. backward: the same loop in reverse giving dZ per step, then one GEMM each for dW, dU and dx.

Gate layouts are Keras's: LSTM i, f, c, o; GRU z, r, h. Options as in Keras's RNN loop:
`go_backwards` reads the sequence from its end (outputs stay in processing order); `mask`
(batch, timesteps) bool carries the states unchanged through masked steps, whose output repeats the
previous output (zeros before the first kept step) or is zero with `zero_output_for_mask`;
`recurrent_mask` (batch, units) multiplies h_{t-1} where it enters the recurrent GEMM (the
per-sequence recurrent dropout mask). The final states come back as extra tensors with
`return_state=True`; gradients flowing into them are handed to the scan's backward.
"""
from ..autodiff import Op
from ..config import xp
from .base import operand


# --- activations the scans fuse: in-place forward on a buffer, derivative from the output ------------
def _sigmoid_(a):
    a *= 0.5
    xp.tanh(a, out=a)
    a *= 0.5
    a += 0.5


def _hard_sigmoid_(a):
    a /= 6
    a += 0.5
    xp.clip(a, 0, 1, out=a)


def _elu_(a):
    negative = a < 0
    a[negative] = xp.expm1(a[negative])


ACTIVATIONS = {
    "linear": (None, None),
    "tanh": (lambda a: xp.tanh(a, out=a), lambda y: 1 - y * y),
    "sigmoid": (_sigmoid_, lambda y: y * (1 - y)),
    "hard_sigmoid": (_hard_sigmoid_, lambda y: ((y > 0) & (y < 1)) * y.dtype.type(1 / 6)),
    "relu": (lambda a: xp.maximum(a, 0, out=a), lambda y: (y > 0).astype(y.dtype)),
    "elu": (_elu_, lambda y: xp.where(y > 0, y.dtype.type(1), y + 1)),
}


def _scale_by_derivative(name, grad, y):
    """grad *= f'(pre-activation), f' written in terms of the output y = f(pre-activation)."""
    deriv = ACTIVATIONS[name][1]
    if deriv is not None:
        grad *= deriv(y)


_LSTM_CONSTANTS = {}


def _lstm_constants(n, dtype, batch):
    """Rows (batch, 4n) over the gate columns (i, f, c, o) letting one tanh give sigmoid(i, f, o) and
    tanh(c): a = tanh(z * s) * s + shift; the derivative from a is (q - a) * a + p. Full rows, as NumPy
    takes much longer over a broadcast operand than over one of the same shape at these small sizes."""
    key = (n, dtype, batch)
    if key not in _LSTM_CONSTANTS:
        if len(_LSTM_CONSTANTS) > 64:
            _LSTM_CONSTANTS.clear()
        half, one, zero = xp.full(n, 0.5, dtype), xp.ones(n, dtype), xp.zeros(n, dtype)
        rows = [xp.concatenate(parts) for parts in ((half, half, one, half), (half, half, zero, half),
                                                     (one, one, zero, one), (zero, zero, one, zero))]
        _LSTM_CONSTANTS[key] = [xp.repeat(r[None], batch, axis=0) for r in rows]
    return _LSTM_CONSTANTS[key]


# --- the shared scan machinery ----------------------------------------------------------------------
class _Scan(Op):
    """Base of the recurrent ops. Inputs: x, kernel, recurrent_kernel, bias (or None), *initial states."""
    gates = 1
    n_states = 1

    def __init__(self, activation="tanh", recurrent_activation="sigmoid", return_sequences=False,
                 go_backwards=False, mask=None, recurrent_mask=None, zero_output_for_mask=False):
        for name in (activation, recurrent_activation):
            if name not in ACTIVATIONS:
                raise ValueError(f"Recurrent ops fuse the activations {sorted(ACTIVATIONS)}, not {name!r}.")
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.return_sequences, self.go_backwards = return_sequences, go_backwards
        self.mask = None if mask is None else xp.asarray(getattr(mask, "value", mask), dtype=bool)
        self.recurrent_mask = None if recurrent_mask is None else getattr(recurrent_mask, "value", recurrent_mask)
        self.zero_output_for_mask = zero_output_for_mask
        self.state_grads = {}

    def forward(self, x, kernel, recurrent_kernel, bias=None, *initial):
        if x.ndim != 3:
            raise ValueError(f"Recurrent ops expect inputs of shape (batch, timesteps, features), got {x.shape}.")
        batch, steps, features = x.shape
        if steps == 0:
            raise ValueError("Recurrent ops need at least one timestep.")
        units, dtype = recurrent_kernel.shape[0], recurrent_kernel.dtype
        self.x_dtype = x.dtype
        if x.dtype != dtype:
            x = x.astype(dtype)
        xt = x.transpose(1, 0, 2)  # time-major
        if self.go_backwards:
            xt = xt[::-1]
        self.xt = xt.reshape(steps * batch, features)
        zx = xp.dot(self.xt, kernel)
        input_bias = self._input_bias(bias)
        if input_bias is not None:
            zx += input_bias
        self.zx = zx.reshape(steps, batch, -1)
        self.kernel, self.recurrent_kernel, self.bias = kernel, recurrent_kernel, bias
        self.shape = batch, steps, features, units
        # states for every step: h[0] is the initial state
        self.has_initial = [s is not None for s in initial] + [False] * (self.n_states - len(initial))
        initial = list(initial) + [None] * (self.n_states - len(initial))
        if initial[0] is None:
            self.h = xp.zeros((steps + 1, batch, units), dtype)
        else:
            self.h = xp.empty((steps + 1, batch, units), dtype)
            self.h[0] = initial[0]
        keep = None
        if self.mask is not None:
            keep = self.mask.T[:, :, None]  # (steps, batch, 1)
            if self.go_backwards:
                keep = keep[::-1]
        self.keep = keep
        rm = self.recurrent_mask
        self.hm = self.h[:steps] if rm is None else xp.empty((steps, batch, units), dtype)
        self._scan(initial, dtype)
        return self._outputs()

    def _input_bias(self, bias):
        return bias

    def _outputs(self):
        """The layer output from h[1:], with the masked-step rules; the final states for return_state."""
        keep, steps = self.keep, self.shape[1]
        weight = None
        if keep is not None:
            if self.zero_output_for_mask:
                weight = keep
            elif self.has_initial[0]:  # before the first kept step the output is zero, not h0
                weight = xp.logical_or.accumulate(keep, axis=0)
        self.out_weight = weight
        if self.return_sequences:
            out = self.h[1:] if weight is None else self.h[1:] * weight
            return out.transpose(1, 0, 2)
        return self.h[steps] if weight is None else self.h[steps] * weight[-1]

    def final_states(self):
        return [self.h[-1]]

    # --- backward helpers ---
    def _output_grads(self, g, copy=True):
        """(grads of h[1:] per step from the output, or None; grad of the final h: a copy unless copy=False)."""
        weight = self.out_weight
        if self.return_sequences:
            gt = g.transpose(1, 0, 2)
            if weight is not None:
                gt = gt * weight
            dh = xp.zeros_like(gt[0])
            return gt, dh
        dh = g * weight[-1] if weight is not None else g.copy() if copy else g
        return None, dh

    def _finish(self, dz, dzh, dh, extra_states):
        """dW, dU, db, dx from the per-step pre-activation grads dz (steps, batch, G*units) of the input
        projection and dzh (steps, batch, G*units) of the recurrent one; dh, *extra: grads of the initial states."""
        batch, steps, features, units = self.shape
        dz2 = dz.reshape(steps * batch, -1)
        dkernel = xp.dot(self.xt.T, dz2)
        drec = self._recurrent_kernel_grad(dzh)
        dbias = self._bias_grad(dz2, dzh) if self.bias is not None else None
        dx = None
        if getattr(self.inputs[0], "requires_grad", False):
            dx = xp.dot(dz2, self.kernel.T).reshape(steps, batch, features)
            if self.go_backwards:
                dx = dx[::-1]
            dx = dx.transpose(1, 0, 2)
            if dx.dtype != self.x_dtype and self.x_dtype.kind == "f":
                dx = dx.astype(self.x_dtype)
        state_grads = [dh] + list(extra_states)
        state_grads = [gs if has else None for gs, has in zip(state_grads, self.has_initial)]
        return (dx, dkernel, drec, dbias, *state_grads)

    def _recurrent_kernel_grad(self, dzh):
        steps, batch = dzh.shape[:2]
        if steps == 1 and not self.has_initial[0]:  # h_{-1} = 0
            return xp.zeros(self.recurrent_kernel.shape, self.recurrent_kernel.dtype)
        return xp.dot(self.hm.reshape(steps * batch, -1).T, dzh.reshape(steps * batch, -1))

    def _bias_grad(self, dz2, dzh):
        return dz2.sum(axis=0) if len(dz2) > 1 else dz2[0].copy()


class _StateOutput(Op):
    """A final state of a scan as its own tensor; its gradient is handed to the scan's backward."""

    def __init__(self, scan, index):
        self.scan, self.index = scan, index

    def forward(self, output):
        return self.scan.final_states()[self.index]

    def backward(self, g):
        previous = self.scan.state_grads.get(self.index)
        self.scan.state_grads[self.index] = g if previous is None else previous + g
        # Zeros, not None: the scan's backward must run even when only its states are used.
        return (xp.zeros_like(self.scan_output.value),)

    def __call__(self, output):
        self.scan_output = output
        return super().__call__(output)


# --- SimpleRNN -----------------------------------------------------------------------------------
class SimpleRNNScan(_Scan):
    """h_t = activation(x_t W + b + h_{t-1} U)."""

    def _scan(self, initial, dtype):
        zx, h, hm, keep, rm, rk = self.zx, self.h, self.hm, self.keep, self.recurrent_mask, self.recurrent_kernel
        act = ACTIVATIONS[self.activation][0]
        first_zero = not self.has_initial[0]
        dot, multiply, copyto = xp.dot, xp.multiply, xp.copyto
        for t in range(zx.shape[0]):
            out = h[t + 1]
            if t == 0 and first_zero:
                out[...] = zx[0]
            else:
                prev = h[t] if rm is None else multiply(h[t], rm, out=hm[t])
                dot(prev, rk, out=out)
                out += zx[t]
            if act is not None:
                act(out)
            if keep is not None:
                copyto(out, h[t], where=~keep[t])
        if rm is not None and first_zero:
            hm[0] = 0

    def backward(self, g):
        batch, steps, features, units = self.shape
        h, keep, rm, rk_t = self.h, self.keep, self.recurrent_mask, self.recurrent_kernel.T
        gseq, dh = self._output_grads(g)
        if 0 in self.state_grads:  # the final h was also returned as a state (return_state=True)
            dh += self.state_grads.pop(0)
        dz = xp.empty((steps, batch, units), h.dtype)
        for t in range(steps - 1, -1, -1):
            if gseq is not None:
                dh += gseq[t]
            if keep is not None:
                carry = dh * ~keep[t]
                dh *= keep[t]
            d = dz[t]
            d[...] = dh
            _scale_by_derivative(self.activation, d, h[t + 1])
            dh = xp.dot(d, rk_t)
            if rm is not None:
                dh *= rm
            if keep is not None:
                dh += carry
        return self._finish(dz, dz, dh, ())


# --- LSTM ----------------------------------------------------------------------------------------
class LSTMScan(_Scan):
    """z = x_t W + h_{t-1} U + b split i, f, c, o; c_t = f c_{t-1} + i act(z_c); h_t = o act(c_t)
    (i, f, o through recurrent_activation)."""
    gates = 4
    n_states = 2

    def _scan(self, initial, dtype):
        zx, h, hm, keep, rm, rk = self.zx, self.h, self.hm, self.keep, self.recurrent_mask, self.recurrent_kernel
        steps, batch = zx.shape[:2]
        n = rk.shape[0]
        if initial[1] is None:
            c = self.c = xp.zeros((steps + 1, batch, n), dtype)
        else:
            c = self.c = xp.empty((steps + 1, batch, n), dtype)
            c[0] = initial[1]
        a_all = self.a = xp.empty((steps, batch, 4 * n), dtype)
        tc_all = self.tc = xp.empty((steps, batch, n), dtype)
        fast = self.activation == "tanh" and self.recurrent_activation == "sigmoid"
        first_zero = not self.has_initial[0]
        c_zero = initial[1] is None
        if fast:  # one tanh gives all gates: sigmoid(v) = tanh(v / 2) / 2 + 1/2; the 1/2 goes into zx and U
            s, shift = _lstm_constants(n, dtype, batch)[:2]
            zx *= s
            if steps > 1 or not first_zero:
                rk = rk * s[0]
        act, ract = ACTIVATIONS[self.activation][0], ACTIVATIONS[self.recurrent_activation][0]
        dot, multiply, tanh, copyto = xp.dot, xp.multiply, xp.tanh, xp.copyto
        for t in range(steps):
            a = a_all[t]
            if t == 0 and first_zero:
                if fast:
                    tanh(zx[0], out=a)
                else:
                    a[...] = zx[0]
            else:
                prev = h[t] if rm is None else multiply(h[t], rm, out=hm[t])
                dot(prev, rk, out=a)
                a += zx[t]
                if fast:
                    tanh(a, out=a)
            if fast:
                a *= s
                a += shift
            else:
                if ract is not None:
                    ract(a[:, :2 * n])
                    ract(a[:, 3 * n:])
                if act is not None:
                    act(a[:, 2 * n:3 * n])
            ct, tc = c[t + 1], tc_all[t]
            if t == 0 and c_zero:
                multiply(a[:, :n], a[:, 2 * n:3 * n], out=ct)
            else:
                multiply(a[:, n:2 * n], c[t], out=ct)
                multiply(a[:, :n], a[:, 2 * n:3 * n], out=tc)
                ct += tc
            if fast:
                tanh(ct, out=tc)
            else:
                tc[...] = ct
                if act is not None:
                    act(tc)
            multiply(a[:, 3 * n:], tc, out=h[t + 1])
            if keep is not None:
                masked = ~keep[t]
                copyto(h[t + 1], h[t], where=masked)
                copyto(ct, c[t], where=masked)
        if rm is not None and first_zero:
            hm[0] = 0

    def final_states(self):
        return [self.h[-1], self.c[-1]]

    def backward(self, g):
        batch, steps, features, n = self.shape
        h, c, a_all, tc_all = self.h, self.c, self.a, self.tc
        keep, rm, rk_t = self.keep, self.recurrent_mask, self.recurrent_kernel.T
        gseq, dh = self._output_grads(g, copy=False)
        if 0 in self.state_grads:
            dh = dh + self.state_grads.pop(0)
        dc = self.state_grads.pop(1, None)
        fast = self.activation == "tanh" and self.recurrent_activation == "sigmoid"
        if fast:
            q, p = _lstm_constants(n, h.dtype, batch)[2:]
        dz = xp.empty((steps, batch, 4 * n), h.dtype)
        multiply, dot = xp.multiply, xp.dot
        need_initial = self.has_initial[0] or self.has_initial[1]
        for t in range(steps - 1, -1, -1):
            if gseq is not None:
                dh = dh + gseq[t]
            if keep is not None:
                kt, masked = keep[t], ~keep[t]
                carry_h, carry_c = dh * masked, None
                dh = dh * kt
                if dc is not None:
                    carry_c = dc * masked
                    dc = dc * kt
            a, tc, d = a_all[t], tc_all[t], dz[t]
            multiply(dh, tc, out=d[:, 3 * n:])  # d o
            dtc = dh * a[:, 3 * n:]
            _scale_by_derivative(self.activation, dtc, tc)
            dc = dtc if dc is None else dc + dtc
            multiply(dc, a[:, 2 * n:3 * n], out=d[:, :n])  # d i
            multiply(dc, c[t], out=d[:, n:2 * n])  # d f
            multiply(dc, a[:, :n], out=d[:, 2 * n:3 * n])  # d c-candidate
            if fast:
                deriv = q - a
                deriv *= a
                deriv += p
                d *= deriv
            else:
                _scale_by_derivative(self.recurrent_activation, d[:, :2 * n], a[:, :2 * n])
                _scale_by_derivative(self.activation, d[:, 2 * n:3 * n], a[:, 2 * n:3 * n])
                _scale_by_derivative(self.recurrent_activation, d[:, 3 * n:], a[:, 3 * n:])
            if t == 0 and not need_initial:
                break
            dc *= a[:, n:2 * n]
            dh = dot(d, rk_t)
            if rm is not None:
                dh *= rm
            if keep is not None:
                dh += carry_h
                if carry_c is not None:
                    dc += carry_c
        return self._finish(dz, dz, dh, (dc,))


# --- GRU -----------------------------------------------------------------------------------------
class GRUScan(_Scan):
    """z, r = recurrent_activation(x W_{z,r} + h U_{z,r} + b); h_t = z h_{t-1} + (1 - z) hh with
    hh = activation(x W_h + r * (h U_h + b_rec_h)) (reset_after, bias (2, 3 units): input and recurrent rows)
    or hh = activation(x W_h + (r * h) U_h + b_h) (reset_after=False, bias (3 units,))."""
    gates = 3

    def __init__(self, *args, reset_after=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.reset_after = reset_after

    def _input_bias(self, bias):
        if bias is None:
            return None
        return bias[0] if self.reset_after else bias

    def _scan(self, initial, dtype):
        zx, h, hm, keep, rm, rk = self.zx, self.h, self.hm, self.keep, self.recurrent_mask, self.recurrent_kernel
        steps, batch = zx.shape[:2]
        n = rk.shape[0]
        a_all = self.a = xp.empty((steps, batch, 3 * n), dtype)  # z, r, hh after activation
        act, ract = ACTIVATIONS[self.activation][0], ACTIVATIONS[self.recurrent_activation][0]
        reset_after = self.reset_after
        rec_bias = self.bias[1] if reset_after and self.bias is not None else None
        if reset_after:
            rr_all = self.rr = xp.empty((steps, batch, 3 * n), dtype)  # h U + b_rec
        else:
            rh_all = self.rh = xp.empty((steps, batch, n), dtype)  # r * h (masked h)
            rk_zr, rk_h = rk[:, :2 * n], rk[:, 2 * n:]
        first_zero = not self.has_initial[0]
        dot, multiply, add, subtract, copyto = xp.dot, xp.multiply, xp.add, xp.subtract, xp.copyto
        for t in range(steps):
            a, x = a_all[t], zx[t]
            prev = h[t] if rm is None else multiply(h[t], rm, out=hm[t])
            if reset_after:
                rr = rr_all[t]
                if t == 0 and first_zero:
                    rr[...] = 0
                else:
                    dot(prev, rk, out=rr)
                if rec_bias is not None:
                    rr += rec_bias
                add(x[:, :2 * n], rr[:, :2 * n], out=a[:, :2 * n])
                if ract is not None:
                    ract(a[:, :2 * n])
                hh = a[:, 2 * n:]
                multiply(a[:, n:2 * n], rr[:, 2 * n:], out=hh)
                hh += x[:, 2 * n:]
            else:
                add(x[:, :2 * n], dot(prev, rk_zr), out=a[:, :2 * n])
                if ract is not None:
                    ract(a[:, :2 * n])
                rh = multiply(a[:, n:2 * n], prev, out=rh_all[t])
                hh = a[:, 2 * n:]
                add(x[:, 2 * n:], dot(rh, rk_h), out=hh)
            if act is not None:
                act(hh)
            out = h[t + 1]
            subtract(h[t], hh, out=out)  # h = hh + z (h_prev - hh)
            out *= a[:, :n]
            out += hh
            if keep is not None:
                copyto(out, h[t], where=~keep[t])

    def backward(self, g):
        batch, steps, features, n = self.shape
        h, a_all, keep, rm = self.h, self.a, self.keep, self.recurrent_mask
        rk = self.recurrent_kernel
        gseq, dh = self._output_grads(g)
        if 0 in self.state_grads:
            dh += self.state_grads.pop(0)
        dz = xp.empty((steps, batch, 3 * n), h.dtype)  # grads of the input projection x W + b
        reset_after = self.reset_after
        if reset_after:
            dzh = xp.empty((steps, batch, 3 * n), h.dtype)  # grads of h U + b_rec
            rk_t = rk.T
        else:
            rk_zr_t, rk_h_t = rk[:, :2 * n].T, rk[:, 2 * n:].T
            hm = self.hm
        multiply, subtract, dot = xp.multiply, xp.subtract, xp.dot
        for t in range(steps - 1, -1, -1):
            if gseq is not None:
                dh += gseq[t]
            if keep is not None:
                carry = dh * ~keep[t]
                dh *= keep[t]
            a, d = a_all[t], dz[t]
            z, r, hh = a[:, :n], a[:, n:2 * n], a[:, 2 * n:]
            d_hh = d[:, 2 * n:]
            multiply(dh, 1 - z, out=d_hh)
            _scale_by_derivative(self.activation, d_hh, hh)
            d_z = d[:, :n]
            subtract(h[t], hh, out=d_z)
            d_z *= dh
            _scale_by_derivative(self.recurrent_activation, d_z, z)
            d_r = d[:, n:2 * n]
            if reset_after:
                dr = dzh[t]
                multiply(d_hh, r, out=dr[:, 2 * n:])
                multiply(d_hh, self.rr[t][:, 2 * n:], out=d_r)
                _scale_by_derivative(self.recurrent_activation, d_r, r)
                dr[:, :2 * n] = d[:, :2 * n]
                dprev = dot(dr, rk_t)
            else:
                drh = dot(d_hh, rk_h_t)
                multiply(drh, hm[t], out=d_r)
                _scale_by_derivative(self.recurrent_activation, d_r, r)
                dprev = drh * r
                dprev += dot(d[:, :2 * n], rk_zr_t)
            if rm is not None:
                dprev *= rm
            dh *= z
            dh += dprev
            if keep is not None:
                dh += carry
        return self._finish(dz, dzh if reset_after else dz, dh, ())

    def _recurrent_kernel_grad(self, dzh):
        steps, batch, width = dzh.shape
        hm = self.hm.reshape(steps * batch, -1)
        if self.reset_after:
            return xp.dot(hm.T, dzh.reshape(steps * batch, width))
        n = width // 3
        d2 = dzh.reshape(steps * batch, width)
        return xp.concatenate([xp.dot(hm.T, d2[:, :2 * n]), xp.dot(self.rh.reshape(steps * batch, n).T, d2[:, 2 * n:])],
                              axis=1)

    def _bias_grad(self, dz2, dzh):
        if not self.reset_after:
            return dz2.sum(axis=0)
        return xp.stack([dz2.sum(axis=0), dzh.reshape(dz2.shape).sum(axis=0)])


# --- functional forms -------------------------------------------------------------------------------
def _run(scan, x, kernel, recurrent_kernel, bias, initial_state, return_state):
    initial = [] if initial_state is None else [operand(s) if s is not None else None for s in (
        initial_state if isinstance(initial_state, (list, tuple)) else [initial_state])]
    if len(initial) > scan.n_states:
        raise ValueError(f"{type(scan).__name__} takes {scan.n_states} initial state(s), got {len(initial)}.")
    output = scan(operand(x), kernel, recurrent_kernel, bias, *initial)
    if not return_state:
        return output
    return [output] + [_StateOutput(scan, i)(output) for i in range(scan.n_states)]


def simple_rnn(x, kernel, recurrent_kernel, bias=None, initial_state=None, activation="tanh",
               return_sequences=False, return_state=False, go_backwards=False, mask=None, recurrent_mask=None,
               zero_output_for_mask=False):
    """SimpleRNN over x (batch, timesteps, features) -> (batch, units) or (batch, timesteps, units)
    [, final h] with return_state."""
    scan = SimpleRNNScan(activation, "sigmoid", return_sequences, go_backwards, mask, recurrent_mask,
                         zero_output_for_mask)
    return _run(scan, x, kernel, recurrent_kernel, bias, initial_state, return_state)


def lstm(x, kernel, recurrent_kernel, bias=None, initial_state=None, activation="tanh",
         recurrent_activation="sigmoid", return_sequences=False, return_state=False, go_backwards=False,
         mask=None, recurrent_mask=None, zero_output_for_mask=False):
    """LSTM over x (batch, timesteps, features); kernel (features, 4 units), recurrent_kernel
    (units, 4 units), bias (4 units,); initial_state [h0, c0]. -> output [, final h, final c]."""
    scan = LSTMScan(activation, recurrent_activation, return_sequences, go_backwards, mask, recurrent_mask,
                    zero_output_for_mask)
    return _run(scan, x, kernel, recurrent_kernel, bias, initial_state, return_state)


def gru(x, kernel, recurrent_kernel, bias=None, initial_state=None, activation="tanh",
        recurrent_activation="sigmoid", reset_after=True, return_sequences=False, return_state=False,
        go_backwards=False, mask=None, recurrent_mask=None, zero_output_for_mask=False):
    """GRU over x (batch, timesteps, features); kernel (features, 3 units), recurrent_kernel
    (units, 3 units), bias (2, 3 units) with reset_after else (3 units,). -> output [, final h]."""
    scan = GRUScan(activation, recurrent_activation, return_sequences, go_backwards, mask, recurrent_mask,
                   zero_output_for_mask, reset_after=reset_after)
    return _run(scan, x, kernel, recurrent_kernel, bias, initial_state, return_state)
