"""Recurrent scans (zerodl.ops.recurrent): forward against a plain per-step NumPy loop of the Keras
formulas, finite-difference gradients for every option, and float32 in -> float32 out."""
import numpy as np
import pytest

from gradcheck import check_gradients
from zerodl import ops
from zerodl.autodiff import Variable, gradients
from zerodl.ops import recurrent

rng = np.random.default_rng(5)
B, T, F, U = 2, 4, 3, 3
GATES = {"simple": 1, "lstm": 4, "gru": 3}
ACT = {"tanh": np.tanh, "sigmoid": lambda v: 1 / (1 + np.exp(-v)), "linear": lambda v: v,
       "relu": lambda v: np.maximum(v, 0), "hard_sigmoid": lambda v: np.clip(v / 6 + 0.5, 0, 1),
       "elu": lambda v: np.where(v > 0, v, np.expm1(np.minimum(v, 0)))}


def reference(kind, x, W, Uk, b, initial=(), mask=None, rmask=None, go_backwards=False, return_sequences=False,
              zero_output=False, activation="tanh", recurrent_activation="sigmoid", reset_after=True):
    """The Keras RNN loop, one step at a time: returns (output, final states)."""
    act, ract = ACT[activation], ACT[recurrent_activation]
    n = Uk.shape[0]
    h = np.array(initial[0]) if len(initial) else np.zeros((x.shape[0], n))
    c = np.array(initial[1]) if len(initial) > 1 else np.zeros((x.shape[0], n))
    xs, ms = (x[:, ::-1], None if mask is None else mask[:, ::-1]) if go_backwards else (x, mask)
    outputs, prev_out = [], np.zeros_like(h)
    for t in range(x.shape[1]):
        xt, hm = xs[:, t], h if rmask is None else h * rmask
        cn = c
        if kind == "simple":
            hn = act(xt @ W + hm @ Uk + (0 if b is None else b))
        elif kind == "lstm":
            z = xt @ W + hm @ Uk + (0 if b is None else b)
            i, f, g, o = ract(z[:, :n]), ract(z[:, n:2 * n]), act(z[:, 2 * n:3 * n]), ract(z[:, 3 * n:])
            cn = f * c + i * g
            hn = o * act(cn)
        elif reset_after:
            mx = xt @ W + (0 if b is None else b[0])
            mi = hm @ Uk + (0 if b is None else b[1])
            z, r = ract(mx[:, :n] + mi[:, :n]), ract(mx[:, n:2 * n] + mi[:, n:2 * n])
            hn = z * h + (1 - z) * act(mx[:, 2 * n:] + r * mi[:, 2 * n:])
        else:
            mx = xt @ W + (0 if b is None else b)
            z = ract(mx[:, :n] + hm @ Uk[:, :n])
            r = ract(mx[:, n:2 * n] + hm @ Uk[:, n:2 * n])
            hn = z * h + (1 - z) * act(mx[:, 2 * n:] + (r * hm) @ Uk[:, 2 * n:])
        out = hn
        if ms is not None:
            k = ms[:, t:t + 1]
            out = np.where(k, hn, 0 if zero_output else prev_out)
            hn, cn = np.where(k, hn, h), np.where(k, cn, c)
        h, c, prev_out = hn, cn, out
        outputs.append(out)
    output = np.stack(outputs, axis=1) if return_sequences else outputs[-1]
    return output, ([h, c] if kind == "lstm" else [h])


def params(kind, n=U, features=F, bias=True, reset_after=True):
    g = GATES[kind]
    W = rng.standard_normal((features, g * n)) * 0.6
    Uk = rng.standard_normal((n, g * n)) * 0.6
    b = None
    if bias:
        b = rng.standard_normal((2, g * n) if kind == "gru" and reset_after else (g * n,)) * 0.3
    return W, Uk, b


def run(kind, x, W, Uk, b=None, initial=None, **options):
    fn = {"simple": recurrent.simple_rnn, "lstm": recurrent.lstm, "gru": recurrent.gru}[kind]
    if kind != "gru":
        options.pop("reset_after", None)
    if kind == "simple":
        options.pop("recurrent_activation", None)
    return fn(x, W, Uk, b, initial, **options)


MASK = np.array([[True, True, False, True], [False, False, True, True]])  # masked steps, a masked start
MASK_END = np.array([[True, True, True, False], [True, False, True, False]])  # a masked last step

CASES = []
for kind in ("simple", "lstm", "gru"):
    for seq in (False, True):
        CASES.append((kind, dict(return_sequences=seq)))
        CASES.append((kind, dict(return_sequences=seq, go_backwards=True)))
        CASES.append((kind, dict(return_sequences=seq, mask=MASK)))
        CASES.append((kind, dict(return_sequences=seq, mask=MASK_END, go_backwards=True)))
        CASES.append((kind, dict(return_sequences=seq, mask=MASK, zero_output_for_mask=True)))
    CASES.append((kind, dict(initial=True)))
    CASES.append((kind, dict(initial=True, return_sequences=True, mask=MASK)))
    CASES.append((kind, dict(initial=True, mask=MASK_END, return_sequences=True, go_backwards=True)))
    CASES.append((kind, dict(recurrent_mask=True, return_sequences=True)))
    CASES.append((kind, dict(recurrent_mask=True, initial=True, mask=MASK)))
    CASES.append((kind, dict(bias=False, return_sequences=True)))
    CASES.append((kind, dict(activation="relu", recurrent_activation="hard_sigmoid", return_sequences=True)))
    CASES.append((kind, dict(activation="elu", recurrent_activation="linear")))
CASES += [("gru", dict(reset_after=False, **extra)) for extra in (
    dict(), dict(return_sequences=True), dict(return_sequences=True, go_backwards=True, mask=MASK),
    dict(initial=True, recurrent_mask=True, return_sequences=True), dict(bias=False),
    dict(initial=True, mask=MASK_END, zero_output_for_mask=True, return_sequences=True))]


def case_id(case):
    kind, opts = case
    return kind + "-" + "-".join(f"{k}={'m' if isinstance(v, np.ndarray) else v}" for k, v in opts.items())


def setup(kind, opts):
    opts = dict(opts)
    reset_after = opts.get("reset_after", True)
    W, Uk, b = params(kind, bias=opts.pop("bias", True), reset_after=reset_after)
    if opts.get("recurrent_activation") == "linear":  # unbounded gates: keep the values (and the check) tame
        W, Uk = W * 0.4, Uk * 0.4
    x = rng.standard_normal((B, T, F))
    n_states = 2 if kind == "lstm" else 1
    initial = [rng.standard_normal((B, U)) * 0.5 for _ in range(n_states)] if opts.pop("initial", False) else []
    if opts.pop("recurrent_mask", False):
        opts["recurrent_mask"] = (rng.random((B, U)) > 0.3) / 0.7
    return x, W, Uk, b, initial, opts


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_forward_matches_per_step_reference(case):
    kind, opts = case
    x, W, Uk, b, initial, opts = setup(kind, opts)
    ref_opts = dict(mask=opts.get("mask"), rmask=opts.get("recurrent_mask"),
                    go_backwards=opts.get("go_backwards", False),
                    return_sequences=opts.get("return_sequences", False),
                    zero_output=opts.get("zero_output_for_mask", False), activation=opts.get("activation", "tanh"),
                    recurrent_activation=opts.get("recurrent_activation", "sigmoid"),
                    reset_after=opts.get("reset_after", True))
    expected, states = reference(kind, x, W, Uk, b, initial, **ref_opts)
    v = lambda a: None if a is None else Variable(a, dtype="float64")  # noqa: E731
    result = run(kind, v(x), v(W), v(Uk), v(b), [v(s) for s in initial] or None, return_state=True, **opts)
    np.testing.assert_allclose(result[0].value, expected, rtol=1e-10, atol=1e-12)
    assert len(result) == 1 + len(states)
    for got, want in zip(result[1:], states):
        np.testing.assert_allclose(got.value, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_gradients_output_and_states(case):
    kind, opts = case
    x, W, Uk, b, initial, opts = setup(kind, opts)
    arrays = [x, W, Uk] + ([b] if b is not None else []) + initial
    has_bias, n_init = b is not None, len(initial)

    def fn(*v):
        x_, W_, U_ = v[:3]
        b_ = v[3] if has_bias else None
        init = list(v[3 + has_bias:]) or None
        out, *states = run(kind, x_, W_, U_, b_, init, return_state=True, **opts)
        flat = ops.reshape(out, (B, -1))
        return ops.concatenate([flat] + states, axis=-1)
    check_gradients(fn, *arrays, rtol=1e-5, atol=1e-8)
    assert n_init == len(initial)


@pytest.mark.parametrize("kind", ["simple", "lstm", "gru"])
def test_only_a_state_used(kind):
    """A loss on the final state alone (encoder style) still reaches every input."""
    x, W, Uk, b, _, _ = setup(kind, {})
    check_gradients(lambda x_, W_, U_, b_: run(kind, x_, W_, U_, b_, None, return_state=True)[-1], x, W, Uk, b)


@pytest.mark.parametrize("kind", ["simple", "lstm", "gru"])
def test_stateful_carry_over(kind):
    """Two halves with the final state carried over equal the whole sequence; the gradient flows
    through the carried state into the first half."""
    x, W, Uk, b, _, _ = setup(kind, {})
    x, W, Uk, b = [Variable(a, dtype="float64") for a in (x, W, Uk, b)]
    whole = run(kind, x, W, Uk, b, None, return_sequences=True).value
    first = run(kind, x[:, :2], W, Uk, b, None, return_sequences=True, return_state=True)
    second = run(kind, x[:, 2:], W, Uk, b, [Variable(s.value, dtype="float64") for s in first[1:]],
                 return_sequences=True)
    np.testing.assert_allclose(np.concatenate([first[0].value, second.value], axis=1), whole, rtol=1e-12)

    def chained(x_, W_, U_, b_):
        out, *states = run(kind, x_[:, :2], W_, U_, b_, None, return_state=True)
        return run(kind, x_[:, 2:], W_, U_, b_, states, return_sequences=True)
    check_gradients(chained, *[a.value for a in (x, W, Uk, b)])


@pytest.mark.parametrize("kind", ["simple", "lstm", "gru"])
def test_float32_in_float32_out(kind):
    x, W, Uk, b, _, _ = setup(kind, {})
    vs = [Variable(a.astype(np.float32)) for a in (x, W, Uk, b)]
    out, *states = run(kind, *vs, None, return_sequences=True, return_state=True, mask=MASK)
    assert out.dtype == np.float32 and all(s.dtype == np.float32 for s in states)
    loss = ops.sum(out) + ops.sum(states[0])
    for v, g in zip(vs, gradients(loss, vs)):
        assert g.dtype == np.float32 and g.shape == v.shape


def test_single_step_batch_one():
    """The course's online LSTM: input (1, 1, 1), no initial state."""
    W, Uk, b = params("lstm", n=6, features=1)
    x = rng.standard_normal((1, 1, 1))
    expected, _ = reference("lstm", x, W, Uk, b)
    out = recurrent.lstm(*[Variable(a, dtype="float64") for a in (x, W, Uk, b)])
    np.testing.assert_allclose(out.value, expected, rtol=1e-12)
    check_gradients(lambda x_, W_, U_, b_: recurrent.lstm(x_, W_, U_, b_), x, W, Uk, b)


def test_rejects_unknown_activation():
    with pytest.raises(ValueError, match="fuse"):
        recurrent.lstm(np.zeros((1, 1, 1)), *params("lstm", features=1), activation="softmax")
