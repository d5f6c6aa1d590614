"""Weight initializers with Keras names, defaults and `seed=` semantics.

Every initializer is a callable `init(shape, dtype=None) -> ndarray` (floatx() by
default). Unseeded initializers draw from the library-wide generator
`zerodl.config.rng()` at call time, so `config.seed(n)` makes a run reproducible;
an initializer given an integer `seed` uses a fresh `default_rng(seed)` on each
call, so it returns the same values every time (as Keras does for integer seeds).
"""
import math

import numpy as np

from . import config
from .config import floatx, xp

# Standard deviation of a unit normal truncated to [-2, 2]; VarianceScaling divides
# by it so the *truncated* samples have the requested standard deviation.
_TRUNCATED_STDDEV = 0.87962566103423978


def _compute_fans(shape):
    """(fan_in, fan_out) as Keras computes them.

    Dense (in, out): fan_in = in, fan_out = out. Conv kernels (..., in, out):
    receptive field rf = prod(shape[:-2]); fan_in = in * rf, fan_out = out * rf.
    """
    shape = tuple(shape)
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    receptive_field = 1
    for dim in shape[:-2]:
        receptive_field *= dim
    return int(shape[-2] * receptive_field), int(shape[-1] * receptive_field)


compute_fans = _compute_fans


def _shape(shape):
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape)


class Initializer:
    """Base class: subclasses implement `__call__(shape, dtype=None)`."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        config = dict(config or {})
        return cls(**config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


# ----------------------------------------------------------------- constants

class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        return xp.zeros(_shape(shape), dtype=dtype or floatx())


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return xp.ones(_shape(shape), dtype=dtype or floatx())


class Constant(Initializer):
    """Every element equal to `value`."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return xp.full(_shape(shape), self.value, dtype=dtype or floatx())

    def get_config(self):
        value = self.value
        if isinstance(value, np.generic):
            value = value.item()
        return {"value": value}


class Identity(Initializer):
    """`gain * eye(rows, cols)`; only for 2-D shapes."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError(f"Identity initializer requires a 2-D shape. Received: shape={shape}")
        return (self.gain * xp.eye(*shape)).astype(dtype or floatx())

    def get_config(self):
        return {"gain": self.gain}


# -------------------------------------------------------------------- random

class RandomInitializer(Initializer):
    """Holds `seed`; `_rng()` gives the generator for one call."""

    def __init__(self, seed=None):
        if seed is not None and not isinstance(seed, (int, np.integer)):
            raise ValueError(f"`seed` must be an integer or None. Received: seed={seed!r}")
        self.seed = None if seed is None else int(seed)

    def _rng(self):
        return config.rng() if self.seed is None else np.random.default_rng(self.seed)

    def get_config(self):
        return {"seed": self.seed}


def _truncated_normal(gen, shape, mean, stddev, dtype):
    """Normal(mean, stddev) samples, redrawing those beyond 2 stddev from the mean."""
    values = gen.standard_normal(shape)
    bad = np.abs(values) > 2.0
    while bad.any():
        values[bad] = gen.standard_normal(int(bad.sum()))
        bad = np.abs(values) > 2.0
    values *= stddev
    values += mean
    return values.astype(dtype, copy=False)


class RandomNormal(RandomInitializer):
    """Normal(mean, stddev) samples."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        values = self._rng().normal(self.mean, self.stddev, _shape(shape))
        return values.astype(dtype or floatx(), copy=False)

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class TruncatedNormal(RandomInitializer):
    """Normal(mean, stddev) samples, values beyond 2 stddev redrawn."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        return _truncated_normal(self._rng(), _shape(shape), self.mean, self.stddev,
                                 dtype or floatx())

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomUniform(RandomInitializer):
    """Uniform samples in [minval, maxval)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        values = self._rng().uniform(self.minval, self.maxval, _shape(shape))
        return values.astype(dtype or floatx(), copy=False)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


class VarianceScaling(RandomInitializer):
    """Samples scaled to the weight's fan: variance = scale / n.

    n = fan_in, fan_out or (fan_in + fan_out) / 2 by `mode` (at least 1).
    truncated_normal:   stddev = sqrt(scale / n) / 0.8796..., truncated at 2 stddev
    untruncated_normal: stddev = sqrt(scale / n)
    uniform:            U(-limit, limit), limit = sqrt(3 * scale / n)
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be a positive float. Received: scale={scale}")
        modes = ("fan_in", "fan_out", "fan_avg")
        if mode not in modes:
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Expected one of {modes}.")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        distributions = ("truncated_normal", "untruncated_normal", "uniform")
        if distribution not in distributions:
            raise ValueError(f"Invalid `distribution` argument: {distribution!r}. "
                             f"Expected one of {distributions}.")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        dtype = dtype or floatx()
        fan_in, fan_out = _compute_fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, n)
        gen = self._rng()
        if self.distribution == "truncated_normal":
            return _truncated_normal(gen, shape, 0.0, math.sqrt(scale) / _TRUNCATED_STDDEV, dtype)
        if self.distribution == "untruncated_normal":
            return gen.normal(0.0, math.sqrt(scale), shape).astype(dtype, copy=False)
        limit = math.sqrt(3.0 * scale)
        return gen.uniform(-limit, limit, shape).astype(dtype, copy=False)

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                **super().get_config()}


class _FixedVarianceScaling(VarianceScaling):
    """A VarianceScaling preset whose only argument is `seed`."""
    _preset = {}

    def __init__(self, seed=None):
        super().__init__(seed=seed, **self._preset)

    def get_config(self):
        return {"seed": self.seed}


class GlorotUniform(_FixedVarianceScaling):
    """U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out))."""
    _preset = dict(scale=1.0, mode="fan_avg", distribution="uniform")


class GlorotNormal(_FixedVarianceScaling):
    """Truncated normal, stddev = sqrt(2 / (fan_in + fan_out))."""
    _preset = dict(scale=1.0, mode="fan_avg", distribution="truncated_normal")


class HeUniform(_FixedVarianceScaling):
    """U(-limit, limit), limit = sqrt(6 / fan_in)."""
    _preset = dict(scale=2.0, mode="fan_in", distribution="uniform")


class HeNormal(_FixedVarianceScaling):
    """Truncated normal, stddev = sqrt(2 / fan_in)."""
    _preset = dict(scale=2.0, mode="fan_in", distribution="truncated_normal")


class LecunUniform(_FixedVarianceScaling):
    """U(-limit, limit), limit = sqrt(3 / fan_in)."""
    _preset = dict(scale=1.0, mode="fan_in", distribution="uniform")


class LecunNormal(_FixedVarianceScaling):
    """Truncated normal, stddev = sqrt(1 / fan_in)."""
    _preset = dict(scale=1.0, mode="fan_in", distribution="truncated_normal")


class Orthogonal(RandomInitializer):
    """`gain` times an orthogonal matrix from the QR decomposition of a normal matrix.

    Shapes with more than 2 dims are treated as (prod(shape[:-1]), shape[-1]).
    Rows are orthonormal when there are fewer rows than columns, columns otherwise.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed)

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError(f"Orthogonal initializer requires at least a 2-D shape. "
                             f"Received: shape={shape}")
        rows = math.prod(shape[:-1])
        cols = shape[-1]
        a = self._rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))  # make the decomposition unique (uniform over orthogonal matrices)
        if rows < cols:
            q = q.T
        return (self.gain * q).reshape(shape).astype(dtype or floatx(), copy=False)

    def get_config(self):
        return {"gain": self.gain, **super().get_config()}


OrthogonalInitializer = Orthogonal

# ------------------------------------------------------- snake_case aliases
zeros = zero = Zeros
ones = one = Ones
constant = Constant
uniform = random_uniform = RandomUniform
normal = random_normal = RandomNormal
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_uniform = HeUniform
he_normal = HeNormal
lecun_uniform = LecunUniform
lecun_normal = LecunNormal
orthogonal = Orthogonal
identity = Identity

_CLASSES = (Zeros, Ones, Constant, Identity, RandomNormal, TruncatedNormal, RandomUniform,
            VarianceScaling, GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform,
            LecunNormal, Orthogonal)
_ALIASES = {
    "zeros": Zeros, "zero": Zeros, "ones": Ones, "one": Ones, "constant": Constant,
    "uniform": RandomUniform, "random_uniform": RandomUniform,
    "normal": RandomNormal, "random_normal": RandomNormal,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "glorot_uniform": GlorotUniform, "glorot_normal": GlorotNormal,
    "he_uniform": HeUniform, "he_normal": HeNormal,
    "lecun_uniform": LecunUniform, "lecun_normal": LecunNormal,
    "orthogonal": Orthogonal, "orthogonalinitializer": Orthogonal, "identity": Identity,
}
# Lookup table keyed by lower-case name with underscores removed, so 'GlorotUniform',
# 'glorot_uniform' and 'glorotuniform' all resolve.
_LOOKUP = {cls.__name__.lower(): cls for cls in _CLASSES}
_LOOKUP.update({name.replace("_", ""): cls for name, cls in _ALIASES.items()})


def _lookup(name):
    cls = _LOOKUP.get(str(name).lower().replace("_", ""))
    if cls is None:
        valid = sorted({c.__name__ for c in _CLASSES} | set(_ALIASES))
        raise ValueError(f"Unknown initializer: {name!r}. Valid names are: {', '.join(valid)}.")
    return cls


def serialize(initializer):
    """`{'class_name': ..., 'config': ...}` for an initializer instance."""
    return {"class_name": type(initializer).__name__, "config": initializer.get_config()}


def deserialize(config):
    """Inverse of `serialize`."""
    return _lookup(config["class_name"]).from_config(config.get("config") or {})


def get(identifier):
    """An initializer from a name, a config dict, an instance, a class or a callable."""
    if identifier is None:
        return None
    if isinstance(identifier, str):
        return _lookup(identifier)()
    if isinstance(identifier, dict):
        if "class_name" not in identifier:
            raise ValueError(f"Could not interpret initializer config: {identifier!r} "
                             "(expected keys 'class_name' and 'config').")
        return deserialize(identifier)
    if isinstance(identifier, type):
        return identifier()
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret initializer identifier: {identifier!r}")
