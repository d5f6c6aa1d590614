"""Global settings, chosen in one place: the array namespace, float type, epsilon, randomness, names.

Everything else imports `xp` from here, so a CuPy backend can replace NumPy by changing one line.
"""
import numpy as xp

_FLOATX = "float32"
_EPSILON = 1e-7
_rng = xp.random.default_rng()
_name_counts = {}


def floatx():
    """The default float type as a string, 'float32' unless changed."""
    return _FLOATX


def set_floatx(value):
    global _FLOATX
    if value not in ("float16", "float32", "float64"):
        raise ValueError(f"Unknown floatx {value!r}: expected 'float16', 'float32' or 'float64'.")
    _FLOATX = value


def epsilon():
    """The fuzz factor used to keep logs and divisions finite (1e-7)."""
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def rng():
    """The library-wide random generator (reseeded by `zerodl.utils.set_random_seed`)."""
    return _rng


def seed(value):
    global _rng
    _rng = xp.random.default_rng(value)


def unique_name(base):
    """Keras-style names: 'dense', 'dense_1', 'dense_2', ... per base, reset by clear_session."""
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def reset_names():
    _name_counts.clear()
