"""Optimizers with Keras names, Keras 3 defaults and Keras 3 update rules.

All optimizers update `variable.value` in place and allocate nothing per step.
Per-variable state ("slots", e.g. Adam's m and v) and scratch buffers live in one
flat array per kind, allocated when a variable is first seen (keyed by
id(variable)); each variable gets reshaped views into them. Per-step scalars
(learning rate after decay, bias corrections) are computed once per step in
`_prepare`, not once per variable.

Two paths, same arithmetic: when a step updates exactly the known variables in
their known order and the model is small, the gradients are copied into one flat
buffer and the update runs once over all of them (a handful of numpy calls per
step instead of per variable); otherwise the update runs per variable on the views.

Keras 2 spellings work too: `lr=` for `learning_rate=`, the `lr` property, and
`decay=` (inverse time decay, lr_t = lr / (1 + decay * iterations)).
"""
import math

import numpy as np

from . import config

_ndarray = np.ndarray


class LearningRate(float):
    """The float returned by `optimizer.learning_rate` / `optimizer.lr`.

    It behaves as a plain float; `assign(value)` sets the owning optimizer's
    learning rate, so Keras 2 code such as `K.set_value(model.optimizer.lr, 0.01)`
    works when `set_value` calls `x.assign(value)` as it does for variables.
    """
    __slots__ = ("_owner",)

    def __new__(cls, value, owner=None):
        obj = super().__new__(cls, value)
        obj._owner = owner
        return obj

    def assign(self, value):
        if self._owner is None:
            raise TypeError("This learning rate is not attached to an optimizer.")
        self._owner.learning_rate = value

    def numpy(self):
        return float(self)

    def __reduce__(self):  # pickles and deep-copies as a plain float
        return (float, (float(self),))


class _VariableList(list):
    """A list that can also be called, so `opt.variables` (Keras 3) and
    `opt.variables()` (tf.keras 2) both work."""

    def __call__(self):
        return self


def _as_array(x):
    x = getattr(x, "value", x)
    return x if isinstance(x, _ndarray) else np.asarray(x, dtype=config.floatx())


class Optimizer:
    """Base class.

    Args (shared by all optimizers):
        learning_rate / lr: float (either spelling, not both), or a callable
            `schedule(iterations) -> float` (a Keras LearningRateSchedule).
        decay: Keras 2 inverse time decay: lr_t = lr / (1 + decay * iterations).
        clipnorm: clip each gradient to this L2 norm: g * c / max(||g||, c).
        clipvalue: clip each gradient element to [-clipvalue, clipvalue].
        global_clipnorm: scale all gradients so their joint L2 norm is at most this.
        weight_decay: Keras 3 decoupled weight decay: w -= w * weight_decay * lr.
        name: a name for the optimizer.

    Subclasses set `_default_lr` and `_n_scratch`, and define `_slot_names()`,
    `_prepare(lr, t)` (per-step scalars, t = iterations + 1) and
    `_update(g, *slots, *scratch) -> d`, which updates the slots in place and
    returns the array d with the step `w -= d` (`w += d` when `_adds_delta`).
    `_update` never reads w, so it can run on all variables at once.
    """
    _default_lr = 0.001
    _n_scratch = 1
    _adds_delta = False
    _flat_max_size = 1 << 17  # flat path up to this many parameters (measured crossover ~100k)

    def __init__(self, learning_rate=None, name=None, decay=0.0, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, weight_decay=None, lr=None, **kwargs):
        if kwargs:
            raise ValueError(f"Argument(s) not recognized by {type(self).__name__}: {kwargs}")
        if lr is not None and learning_rate is not None:
            raise ValueError("Pass either `learning_rate` or its Keras 2 alias `lr`, not both.")
        if learning_rate is None:
            learning_rate = self._default_lr if lr is None else lr
        for arg, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                           ("global_clipnorm", global_clipnorm)):
            if value is not None and value <= 0:
                raise ValueError(f"`{arg}` must be positive. Received: {arg}={value}")
        if clipnorm is not None and global_clipnorm is not None:
            raise ValueError("Set at most one of `clipnorm` and `global_clipnorm`.")
        decay = 0.0 if decay is None else float(decay)
        if decay < 0:
            raise ValueError(f"`decay` must be >= 0. Received: decay={decay}")
        self.name = name or type(self).__name__.lower()
        self.decay = decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.weight_decay = weight_decay
        self.iterations = 0
        self.learning_rate = learning_rate
        # Storage: _vars, the known variables in first-seen order (kept alive, so ids
        # stay unique); _states, id(variable) -> views (slots..., scratch...) into the
        # flat arrays _flat; _flat_views, id(flat array) -> its views for each of _vars;
        # _flat_grad, the flat gradient buffer (None: no flat path); _key, the ids of _vars.
        self._reset_storage()

    # ------------------------------------------------------------ learning rate
    @property
    def learning_rate(self):
        """The learning rate (before decay) as a float; settable at any time."""
        if self._schedule is not None:
            return float(self._schedule(self.iterations))
        return LearningRate(self._lr, self)

    @learning_rate.setter
    def learning_rate(self, value):
        value = getattr(value, "value", value)  # a Variable or Tensor holding the value
        if callable(value) and not isinstance(value, (float, np.ndarray, np.generic)):
            self._schedule, self._lr = value, None
        else:
            self._schedule, self._lr = None, float(value)

    lr = learning_rate  # Keras 2 name

    def _current_lr(self):
        lr = self._lr if self._schedule is None else float(self._schedule(self.iterations))
        if self.decay:
            lr = lr / (1.0 + self.decay * self.iterations)
        return lr

    # ------------------------------------------------------------------- state
    def _slot_names(self):
        """Names of the per-variable state arrays, in their saving order."""
        return ()

    def _slot_init(self, name):
        """Initial value of the slot `name`."""
        return 0.0

    def _global_state(self):
        """Optimizer-wide state arrays saved after `iterations` (e.g. Nadam's u_product)."""
        return []

    def _set_global_state(self, arrays):
        pass

    @property
    def built(self):
        return bool(self._vars)

    def build(self, var_list):
        """Allocate the state of the variables in `var_list` not seen yet
        (done automatically on their first update)."""
        new, seen = [], set(self._states)
        for v in var_list:
            if id(v) not in seen:
                seen.add(id(v))
                new.append(v)
        if not new:
            return
        names = self._slot_names()
        old_vars, old_flat = self._vars, self._flat
        old_size = sum(v.value.size for v in old_vars)
        variables = old_vars + new
        sizes = [v.value.size for v in variables]
        total = sum(sizes)
        dtype = np.result_type(*[v.value.dtype for v in variables])
        flat = []
        for k in range(len(names) + self._n_scratch):
            arr = np.empty(total, dtype=dtype)
            if k < len(names):
                if old_flat:
                    arr[:old_size] = old_flat[k]
                arr[old_size:] = self._slot_init(names[k])
            flat.append(arr)
        self._flat = tuple(flat)
        self._flat_grad = np.empty(total, dtype=dtype) if total <= self._flat_max_size else None
        self._states, offset = {}, 0
        for v, size in zip(variables, sizes):
            shape = v.value.shape
            self._states[id(v)] = tuple(a[offset:offset + size].reshape(shape) for a in flat)
            offset += size
        self._flat_views = {id(a): [self._states[id(v)][k] for v in variables] for k, a in enumerate(flat)}
        self._vars = variables
        self._key = tuple(id(v) for v in variables)

    @property
    def variables(self):
        """[iterations, *global state, *slots]; slots grouped by kind (every variable's
        first slot, then every variable's second slot, ...), variables in first-seen
        order. Slot arrays are the live state; `get_weights` returns copies."""
        n = len(self._slot_names())
        slots = [self._states[id(v)][k] for k in range(n) for v in self._vars]
        return _VariableList([np.array(self.iterations, dtype=np.int64)]
                             + self._global_state() + slots)

    weights = variables

    def get_weights(self):
        """Copies of the optimizer state (see `variables`), for saving."""
        return [np.array(a, copy=True) for a in self.variables]

    def set_weights(self, weights):
        """Restore state saved by `get_weights`. The variables must be known (updated
        once, or passed to `build`) in the same order as when the state was saved."""
        weights = list(weights)
        current = self.variables
        if len(weights) != len(current):
            hint = "" if self._vars else " Call `optimizer.build(variables)` first."
            raise ValueError(f"Optimizer '{self.name}' has {len(current)} state arrays but "
                             f"{len(weights)} were given.{hint}")
        for i, (old, new) in enumerate(zip(current, weights)):
            if old.shape != np.shape(new):
                raise ValueError(f"Optimizer state array {i} has shape {old.shape}; "
                                 f"the given array has shape {np.shape(new)}.")
        self.iterations = int(weights[0])
        n_global = len(self._global_state())
        self._set_global_state([np.asarray(a) for a in weights[1:1 + n_global]])
        for old, new in zip(current[1 + n_global:], weights[1 + n_global:]):
            old[...] = new

    def _reset_storage(self):
        self._vars, self._states, self._flat, self._flat_views = [], {}, (), {}
        self._flat_grad, self._key, self._clip_bufs = None, (), {}

    def __getstate__(self):
        # Views and id() keys do not survive pickling or deep copies: save the
        # variables and a copy of the state, and rebuild the storage on load.
        state = {k: v for k, v in self.__dict__.items()
                 if k not in ("_states", "_flat", "_flat_views", "_flat_grad", "_key", "_clip_bufs")}
        state["_saved_weights"] = self.get_weights()
        return state

    def __setstate__(self, state):
        state = dict(state)
        weights, variables = state.pop("_saved_weights"), state.pop("_vars")
        self.__dict__.update(state)
        self._reset_storage()
        self.build(variables)
        self.set_weights(weights)

    # ------------------------------------------------------------------ update
    def _prepare(self, lr, t):
        """Set the per-step scalars used by `_update`; t = iterations + 1."""
        self._lr_t = lr

    def _update(self, g, *state):
        raise NotImplementedError

    def apply_gradients(self, grads_and_vars):
        """Update each Variable in place from its gradient; returns `iterations`.

        `grads_and_vars`: (gradient array, Variable) pairs; pairs whose gradient is
        None are skipped. Variable constraints are applied after the update.
        """
        pairs = grads_and_vars if isinstance(grads_and_vars, list) else list(grads_and_vars)
        if not pairs:
            return self.iterations
        grads, variables = zip(*pairs)
        return self.apply(grads, variables)

    def apply(self, grads, trainable_variables):
        """Keras 3 spelling: `apply(grads, variables)`, gradients and variables in two sequences."""
        variables = trainable_variables
        if self.clipnorm or self.clipvalue or self.global_clipnorm:
            grads = [g for g, _ in self._clip(list(zip(grads, variables)))]
        key = tuple(map(id, variables))
        if key != self._key:
            self.build([v for g, v in zip(grads, variables) if g is not None])
        lr = self._current_lr()
        self._prepare(lr, self.iterations + 1)
        update, adds = self._update, self._adds_delta
        decay_factor = 1.0 - self.weight_decay * lr if self.weight_decay else None  # w -= w*wd*lr

        if (key == self._key and self._flat_grad is not None
                and not any(g is None for g in grads)):
            # Flat path: one update over all variables, then one subtraction each.
            np.concatenate([g.ravel() if type(g) is _ndarray else _as_array(g).ravel()
                            for g in grads], out=self._flat_grad)
            deltas = self._flat_views[id(update(self._flat_grad, *self._flat))]
        else:
            deltas = [None if g is None else update(_as_array(g), *self._states[id(v)])
                      for g, v in zip(grads, variables)]
        for v, d in zip(variables, deltas):
            if d is None:
                continue
            w = v.value
            if decay_factor is not None:
                w *= decay_factor
            if adds:
                w += d
            else:
                w -= d
            if v.constraint is not None:
                v.assign(v.constraint(w))
        self.iterations += 1
        return self.iterations

    def _clip_buffer(self, var, g):
        buf = self._clip_bufs.get(id(var))
        if buf is None or buf.shape != g.shape:
            buf = self._clip_bufs[id(var)] = np.empty(g.shape, dtype=var.value.dtype)
        return buf

    def _clip(self, pairs):
        """Clipped gradients, written to per-variable buffers (the caller's gradient
        arrays are never modified: the same array may be the gradient of two variables)."""
        pairs = [(g if g is None or type(g) is _ndarray else _as_array(g), v) for g, v in pairs]
        if self.global_clipnorm:
            c = float(self.global_clipnorm)
            norm = math.sqrt(sum(float(np.vdot(g, g)) for g, _ in pairs if g is not None))
            # scale = c * min(1/norm, 1/c); NaN when the norm is not finite (as Keras).
            scale = c * min(1.0 / norm, 1.0 / c) if norm > 0 else 1.0
            if not math.isfinite(norm):
                scale = float("nan")
            if scale != 1.0:
                pairs = [(g if g is None else np.multiply(g, scale, out=self._clip_buffer(v, g)), v)
                         for g, v in pairs]
        if self.clipnorm:
            c = float(self.clipnorm)
            clipped = []
            for g, v in pairs:
                if g is not None:
                    norm = math.sqrt(float(np.vdot(g, g)))
                    if norm > c:  # g * c / max(norm, c)
                        g = np.multiply(g, c / norm, out=self._clip_buffer(v, g))
                clipped.append((g, v))
            pairs = clipped
        if self.clipvalue:
            c = float(self.clipvalue)
            pairs = [(g if g is None else np.clip(g, -c, c, out=self._clip_buffer(v, g)), v)
                     for g, v in pairs]
        return pairs

    # ------------------------------------------------------------------ config
    def get_config(self):
        lr = self._lr
        if self._schedule is not None:
            lr = self._schedule
            if hasattr(lr, "get_config"):
                lr = {"class_name": type(lr).__name__, "config": lr.get_config()}
        return {"name": self.name, "learning_rate": lr, "decay": self.decay,
                "clipnorm": self.clipnorm, "clipvalue": self.clipvalue,
                "global_clipnorm": self.global_clipnorm, "weight_decay": self.weight_decay}

    @classmethod
    def from_config(cls, config):
        return cls(**dict(config))

    def __repr__(self):
        return f"<{type(self).__name__} name='{self.name}' learning_rate={self._lr}>"


# ---------------------------------------------------------------------- SGD

class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum.

    momentum = 0:   w -= lr * g
    momentum > 0:   m = momentum * m - lr * g
                    w += m                          (plain)
                    w += momentum * m - lr * g      (nesterov)
    """
    _default_lr = 0.01

    def __init__(self, learning_rate=None, momentum=0.0, nesterov=False, name="SGD", **kwargs):
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"`momentum` must be a float in [0, 1]. Received: momentum={momentum}")
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        if self.momentum and self.nesterov:
            self._update, self._n_scratch = self._update_nesterov, 2
        elif self.momentum:
            self._update, self._adds_delta = self._update_momentum, True
        else:
            self._update = self._update_plain
        super().__init__(learning_rate, name=name, **kwargs)

    def _slot_names(self):
        return ("momentum",) if self.momentum else ()

    def _prepare(self, lr, t):
        self._lr_t = lr
        self._mom = self.momentum

    def _update_plain(self, g, tmp):
        return np.multiply(g, self._lr_t, out=tmp)

    def _update_momentum(self, g, m, tmp):  # returns m, added to w
        m *= self._mom
        m -= np.multiply(g, self._lr_t, out=tmp)
        return m

    def _update_nesterov(self, g, m, t1, t2):  # w -= lr * g - momentum * m
        m *= self._mom
        m -= np.multiply(g, self._lr_t, out=t1)
        np.multiply(m, self._mom, out=t2)
        return np.subtract(t1, t2, out=t1)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


# ------------------------------------------------------------------ RMSprop

class RMSprop(Optimizer):
    """Divide the gradient by a running root mean square of recent gradients.

    v = rho * v + (1 - rho) * g^2
    centered: a = rho * a + (1 - rho) * g;  denom = v - a^2 + eps;  else denom = v + eps
    increment = lr * g / sqrt(denom)
    momentum > 0:  mom = momentum * mom + increment;  w -= mom    else  w -= increment
    """

    def __init__(self, learning_rate=None, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 name="rmsprop", **kwargs):
        self.rho = rho
        self.momentum = momentum
        self.epsilon = config.epsilon() if epsilon is None else epsilon
        self.centered = bool(centered)
        self._update = {(False, False): self._update_plain, (True, False): self._update_mom,
                        (False, True): self._update_centered,
                        (True, True): self._update_centered_mom}[(momentum > 0, self.centered)]
        super().__init__(learning_rate, name=name, **kwargs)

    def _slot_names(self):
        return (("velocity",) + (("momentum",) if self.momentum > 0 else ())
                + (("average_gradient",) if self.centered else ()))

    def _prepare(self, lr, t):
        self._lr_t = lr
        self._rho = self.rho
        self._one_minus_rho = 1.0 - self.rho
        self._eps = self.epsilon
        self._mom = self.momentum

    def _velocity(self, g, v, tmp):
        v *= self._rho
        np.multiply(g, g, out=tmp)
        tmp *= self._one_minus_rho
        v += tmp

    def _centered_denominator(self, g, v, a, tmp):  # tmp = v - a^2 + eps
        a *= self._rho
        a += np.multiply(g, self._one_minus_rho, out=tmp)
        np.multiply(a, a, out=tmp)
        np.subtract(v, tmp, out=tmp)
        tmp += self._eps

    def _increment(self, g, tmp):  # tmp: the denominator in, lr * g / sqrt(denominator) out
        np.sqrt(tmp, out=tmp)
        np.divide(g, tmp, out=tmp)
        tmp *= self._lr_t
        return tmp

    def _update_plain(self, g, v, tmp):
        self._velocity(g, v, tmp)
        np.add(v, self._eps, out=tmp)
        return self._increment(g, tmp)

    def _update_mom(self, g, v, mom, tmp):
        self._velocity(g, v, tmp)
        np.add(v, self._eps, out=tmp)
        mom *= self._mom
        mom += self._increment(g, tmp)
        return mom

    def _update_centered(self, g, v, a, tmp):
        self._velocity(g, v, tmp)
        self._centered_denominator(g, v, a, tmp)
        return self._increment(g, tmp)

    def _update_centered_mom(self, g, v, mom, a, tmp):
        self._velocity(g, v, tmp)
        self._centered_denominator(g, v, a, tmp)
        mom *= self._mom
        mom += self._increment(g, tmp)
        return mom

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


# ------------------------------------------------------------------ Adagrad

class Adagrad(Optimizer):
    """Per-parameter rates from the sum of squared gradients.

    acc += g^2;   w -= lr * g / sqrt(acc + eps);   acc starts at initial_accumulator_value
    """

    def __init__(self, learning_rate=None, initial_accumulator_value=0.1, epsilon=1e-7,
                 name="adagrad", **kwargs):
        if initial_accumulator_value < 0:
            raise ValueError("`initial_accumulator_value` must be non-negative. "
                             f"Received: {initial_accumulator_value}")
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = config.epsilon() if epsilon is None else epsilon
        super().__init__(learning_rate, name=name, **kwargs)

    def _slot_names(self):
        return ("accumulator",)

    def _slot_init(self, name):
        return self.initial_accumulator_value

    def _prepare(self, lr, t):
        self._lr_t = lr
        self._eps = self.epsilon

    def _update(self, g, acc, tmp):
        acc += np.multiply(g, g, out=tmp)
        np.add(acc, self._eps, out=tmp)
        np.sqrt(tmp, out=tmp)
        np.divide(g, tmp, out=tmp)
        tmp *= self._lr_t
        return tmp

    def get_config(self):
        return {**super().get_config(),
                "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


# ----------------------------------------------------------------- Adadelta

class Adadelta(Optimizer):
    """Adagrad with running averages of squared gradients and squared updates.

    ag = rho * ag + (1 - rho) * g^2
    delta = -sqrt(ad + eps) * g / sqrt(ag + eps)
    ad = rho * ad + (1 - rho) * delta^2
    w += lr * delta
    """
    _n_scratch = 2

    def __init__(self, learning_rate=None, rho=0.95, epsilon=1e-7, name="adadelta", **kwargs):
        self.rho = rho
        self.epsilon = config.epsilon() if epsilon is None else epsilon
        super().__init__(learning_rate, name=name, **kwargs)

    def _slot_names(self):
        return ("accumulated_grad", "accumulated_delta_var")

    def _prepare(self, lr, t):
        self._lr_t = lr
        self._rho = self.rho
        self._one_minus_rho = 1.0 - self.rho
        self._eps = self.epsilon

    def _update(self, g, ag, ad, t1, t2):
        np.multiply(g, g, out=t1)
        t1 *= self._one_minus_rho
        ag *= self._rho
        ag += t1
        np.add(ad, self._eps, out=t1)
        np.sqrt(t1, out=t1)
        t1 *= g
        np.add(ag, self._eps, out=t2)
        np.sqrt(t2, out=t2)
        t1 /= t2                        # t1 = -delta
        np.multiply(t1, t1, out=t2)
        t2 *= self._one_minus_rho
        ad *= self._rho
        ad += t2
        t1 *= self._lr_t
        return t1

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


# --------------------------------------------------------------------- Adam

class Adam(Optimizer):
    """Adaptive moment estimation (optionally AMSGrad).

    t = iterations + 1;  alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
    m += (g - m) * (1 - beta_1);   v += (g^2 - v) * (1 - beta_2)
    amsgrad: v_hat = max(v_hat, v), used in place of v
    w -= alpha * m / (sqrt(v) + eps)
    """

    def __init__(self, learning_rate=None, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 name="adam", **kwargs):
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = config.epsilon() if epsilon is None else epsilon
        self.amsgrad = bool(amsgrad)
        if self.amsgrad:
            self._update = self._update_amsgrad
        super().__init__(learning_rate, name=name, **kwargs)

    def _slot_names(self):
        return ("momentum", "velocity", "velocity_hat") if self.amsgrad else ("momentum", "velocity")

    def _prepare(self, lr, t):
        b1, b2 = float(self.beta_1), float(self.beta_2)
        self._alpha = lr * math.sqrt(1.0 - b2 ** t) / (1.0 - b1 ** t)
        self._one_minus_b1 = 1.0 - b1
        self._one_minus_b2 = 1.0 - b2
        self._eps = self.epsilon

    def _moments(self, g, m, v, tmp):
        np.subtract(g, m, out=tmp)
        tmp *= self._one_minus_b1
        m += tmp
        np.multiply(g, g, out=tmp)
        tmp -= v
        tmp *= self._one_minus_b2
        v += tmp

    def _step(self, m, v, tmp):  # alpha * m / (sqrt(v) + eps)
        np.sqrt(v, out=tmp)
        tmp += self._eps
        np.divide(m, tmp, out=tmp)
        tmp *= self._alpha
        return tmp

    def _update(self, g, m, v, tmp):
        self._moments(g, m, v, tmp)
        return self._step(m, v, tmp)

    def _update_amsgrad(self, g, m, v, v_hat, tmp):
        self._moments(g, m, v, tmp)
        np.maximum(v_hat, v, out=v_hat)
        return self._step(m, v_hat, tmp)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


# ------------------------------------------------------------------- Adamax

class Adamax(Optimizer):
    """Adam with the infinity norm.

    t = iterations + 1
    m += (g - m) * (1 - beta_1);   u = max(beta_2 * u, |g|)
    w -= lr * m / ((1 - beta_1^t) * (u + eps))
    """

    def __init__(self, learning_rate=None, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 name="adamax", **kwargs):
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = config.epsilon() if epsilon is None else epsilon
        super().__init__(learning_rate, name=name, **kwargs)

    def _slot_names(self):
        return ("momentum", "norm")

    def _prepare(self, lr, t):
        b1 = float(self.beta_1)
        self._step_size = lr / (1.0 - b1 ** t)
        self._one_minus_b1 = 1.0 - b1
        self._b2 = float(self.beta_2)
        self._eps = self.epsilon

    def _update(self, g, m, u, tmp):
        np.subtract(g, m, out=tmp)
        tmp *= self._one_minus_b1
        m += tmp
        u *= self._b2
        np.maximum(u, np.abs(g, out=tmp), out=u)
        np.add(u, self._eps, out=tmp)
        np.divide(m, tmp, out=tmp)
        tmp *= self._step_size
        return tmp

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


# -------------------------------------------------------------------- Nadam

class Nadam(Optimizer):
    """Adam with Nesterov momentum (Dozat's momentum schedule, as Keras 3).

    t = iterations + 1;  u_t = beta_1 * (1 - 0.5 * 0.96^t);  u_t1 = beta_1 * (1 - 0.5 * 0.96^(t+1))
    u_prod *= u_t (once per step; starts at 1);  u_prod_1 = u_prod * u_t1
    m += (g - m) * (1 - beta_1);   v += (g^2 - v) * (1 - beta_2)
    m_hat = u_t1 * m / (1 - u_prod_1) + (1 - u_t) * g / (1 - u_prod)
    v_hat = v / (1 - beta_2^t)
    w -= lr * m_hat / (sqrt(v_hat) + eps)
    """
    _n_scratch = 3

    def __init__(self, learning_rate=None, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 name="nadam", **kwargs):
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = config.epsilon() if epsilon is None else epsilon
        self._u_product = 1.0
        super().__init__(learning_rate, name=name, **kwargs)

    def _slot_names(self):
        return ("momentum", "velocity")

    def _global_state(self):
        return [np.array(self._u_product, dtype=np.float64)]

    def _set_global_state(self, arrays):
        self._u_product = float(arrays[0])

    def _prepare(self, lr, t):
        b1, b2 = float(self.beta_1), float(self.beta_2)
        u_t = b1 * (1.0 - 0.5 * 0.96 ** t)
        u_t1 = b1 * (1.0 - 0.5 * 0.96 ** (t + 1))
        self._u_product *= u_t
        u_prod, u_prod_1 = self._u_product, self._u_product * u_t1
        self._one_minus_b1 = 1.0 - b1
        self._one_minus_b2 = 1.0 - b2
        self._inv_bias2 = 1.0 / (1.0 - b2 ** t)
        self._eps = self.epsilon
        self._coef_m = lr * u_t1 / (1.0 - u_prod_1)  # lr folded into both terms of m_hat
        self._coef_g = lr * (1.0 - u_t) / (1.0 - u_prod)

    def _update(self, g, m, v, t1, t2, t3):
        np.subtract(g, m, out=t1)
        t1 *= self._one_minus_b1
        m += t1
        np.multiply(g, g, out=t1)
        t1 -= v
        t1 *= self._one_minus_b2
        v += t1
        np.multiply(v, self._inv_bias2, out=t1)  # t1 = sqrt(v_hat) + eps
        np.sqrt(t1, out=t1)
        t1 += self._eps
        np.multiply(m, self._coef_m, out=t2)     # t2 = lr * m_hat
        t2 += np.multiply(g, self._coef_g, out=t3)
        return np.divide(t2, t1, out=t2)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


# ---------------------------------------------------------------------- get

_OPTIMIZERS = {"sgd": SGD, "rmsprop": RMSprop, "adagrad": Adagrad, "adadelta": Adadelta,
               "adam": Adam, "adamax": Adamax, "nadam": Nadam}


def _lookup(name):
    cls = _OPTIMIZERS.get(str(name).lower())
    if cls is None:
        raise ValueError(f"Unknown optimizer: {name!r}. Valid names are: "
                         f"{', '.join(sorted(_OPTIMIZERS))}.")
    return cls


def serialize(optimizer):
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


def deserialize(config):
    return _lookup(config["class_name"]).from_config(config.get("config") or {})


def get(identifier):
    """An optimizer from a name ('adam', 'SGD', ...), a config dict, a class or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        return _lookup(identifier)()
    if isinstance(identifier, dict):
        if "class_name" not in identifier:
            raise ValueError(f"Could not interpret optimizer config: {identifier!r} "
                             "(expected keys 'class_name' and 'config').")
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier!r}")
