import math

import numpy as np
import pytest

from zerodl import config, initializers
from zerodl.initializers import (Constant, GlorotNormal, GlorotUniform, HeNormal, HeUniform,
                                 Identity, LecunNormal, LecunUniform, Ones, Orthogonal,
                                 RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
                                 Zeros)

TRUNC = 0.87962566103423978  # stddev of a unit normal truncated at +-2


def test_compute_fans_matches_keras():
    assert initializers._compute_fans(()) == (1, 1)
    assert initializers._compute_fans((7,)) == (7, 7)
    assert initializers._compute_fans((20, 30)) == (20, 30)
    assert initializers._compute_fans((3, 3, 16, 32)) == (9 * 16, 9 * 32)
    assert initializers._compute_fans((5, 8, 4)) == (5 * 8, 5 * 4)


@pytest.mark.parametrize("init, value", [(Zeros(), 0.0), (Ones(), 1.0), (Constant(3.5), 3.5),
                                         (initializers.zeros(), 0.0), (initializers.ones(), 1.0)])
def test_constant_initializers(init, value):
    x = init((4, 5))
    assert x.shape == (4, 5) and x.dtype == np.float32
    np.testing.assert_array_equal(x, np.full((4, 5), value, np.float32))
    assert init((3,), dtype="float64").dtype == np.float64


def test_int_shape_is_accepted():
    assert Zeros()(6).shape == (6,)
    assert RandomUniform(seed=1)(6).shape == (6,)


def test_random_uniform_statistics():
    x = RandomUniform(minval=-0.3, maxval=0.7, seed=0)((400, 500))
    assert x.dtype == np.float32
    assert x.min() >= -0.3 and x.max() < 0.7
    assert abs(x.mean() - 0.2) < 0.005
    assert x.std() == pytest.approx(1.0 / math.sqrt(12), rel=0.01)


def test_random_uniform_defaults():
    x = RandomUniform(seed=0)((300, 300))
    assert x.min() >= -0.05 and x.max() < 0.05
    assert x.min() < -0.049 and x.max() > 0.049


def test_random_normal_statistics():
    x = RandomNormal(mean=1.0, stddev=2.0, seed=0)((400, 500))
    assert x.dtype == np.float32
    assert abs(x.mean() - 1.0) < 0.02
    assert x.std() == pytest.approx(2.0, rel=0.01)
    assert RandomNormal(seed=0)((400, 500)).std() == pytest.approx(0.05, rel=0.01)


def test_truncated_normal_statistics():
    x = TruncatedNormal(mean=0.5, stddev=0.1, seed=0)((400, 500))
    assert x.dtype == np.float32
    assert np.all(np.abs(x - 0.5) <= 0.2 + 1e-6)
    assert abs(x.mean() - 0.5) < 0.002
    # Redrawn (not clipped): the std of the truncated distribution is 0.8796 * stddev,
    # and no mass piles up at the bounds.
    assert x.std() == pytest.approx(0.1 * TRUNC, rel=0.01)
    assert np.mean(np.abs(x - 0.5) > 0.199) < 0.005  # clipping would put 4.5% there


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("distribution", ["truncated_normal", "untruncated_normal", "uniform"])
@pytest.mark.parametrize("shape", [(300, 600), (3, 3, 40, 80)])
def test_variance_scaling_statistics(mode, distribution, shape):
    scale = 2.0
    x = VarianceScaling(scale=scale, mode=mode, distribution=distribution, seed=3)(shape)
    assert x.shape == shape and x.dtype == np.float32
    fan_in, fan_out = initializers._compute_fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    std = math.sqrt(scale / n)
    assert abs(x.mean()) < 0.02 * std
    # Every distribution has variance scale / n (truncated: after the correction).
    assert x.std() == pytest.approx(std, rel=0.02)
    if distribution == "uniform":
        limit = math.sqrt(3 * scale / n)
        assert np.abs(x).max() <= limit and np.abs(x).max() > 0.99 * limit
    elif distribution == "truncated_normal":
        assert np.abs(x).max() <= 2 * std / TRUNC * (1 + 1e-6)


def test_variance_scaling_validates_arguments():
    with pytest.raises(ValueError):
        VarianceScaling(scale=0)
    with pytest.raises(ValueError):
        VarianceScaling(mode="fan_middle")
    with pytest.raises(ValueError):
        VarianceScaling(distribution="cauchy")
    assert VarianceScaling(distribution="normal").distribution == "truncated_normal"


@pytest.mark.parametrize("cls, kind, scale, mode", [
    (GlorotUniform, "uniform", 1.0, "fan_avg"), (GlorotNormal, "normal", 1.0, "fan_avg"),
    (HeUniform, "uniform", 2.0, "fan_in"), (HeNormal, "normal", 2.0, "fan_in"),
    (LecunUniform, "uniform", 1.0, "fan_in"), (LecunNormal, "normal", 1.0, "fan_in"),
])
def test_named_variance_scaling_presets(cls, kind, scale, mode):
    shape = (500, 300)
    x = cls(seed=1)(shape)
    fan_in, fan_out = shape
    n = fan_in if mode == "fan_in" else (fan_in + fan_out) / 2
    if kind == "uniform":
        limit = math.sqrt(3 * scale / n)  # glorot: sqrt(6 / (fan_in + fan_out)), he: sqrt(6 / fan_in)
        assert np.abs(x).max() <= limit and np.abs(x).max() > 0.99 * limit
    else:
        assert np.abs(x).max() <= 2 * math.sqrt(scale / n) / TRUNC * (1 + 1e-6)
    assert x.std() == pytest.approx(math.sqrt(scale / n), rel=0.02)
    assert cls(seed=1).get_config() == {"seed": 1}


def test_glorot_uniform_limit_formula():
    x = GlorotUniform(seed=0)((200, 100))
    limit = math.sqrt(6 / (200 + 100))
    assert np.abs(x).max() <= limit and np.abs(x).max() > 0.99 * limit


@pytest.mark.parametrize("shape", [(50, 50), (80, 30), (30, 80), (3, 3, 8, 16)])
def test_orthogonal(shape):
    x = Orthogonal(seed=0)(shape)
    assert x.shape == shape and x.dtype == np.float32
    flat = x.reshape(-1, shape[-1]).astype(np.float64)
    rows, cols = flat.shape
    if rows >= cols:
        np.testing.assert_allclose(flat.T @ flat, np.eye(cols), atol=1e-5)
    else:
        np.testing.assert_allclose(flat @ flat.T, np.eye(rows), atol=1e-5)


def test_orthogonal_gain_and_rank_check():
    x = Orthogonal(gain=2.0, seed=4)((20, 20)).astype(np.float64)
    np.testing.assert_allclose(x.T @ x, 4.0 * np.eye(20), atol=1e-4)
    with pytest.raises(ValueError):
        Orthogonal()((5,))


def test_identity():
    np.testing.assert_array_equal(Identity()((3, 3)), np.eye(3, dtype=np.float32))
    np.testing.assert_array_equal(Identity(gain=2.5)((2, 4)), 2.5 * np.eye(2, 4, dtype=np.float32))
    assert Identity()((3, 3)).dtype == np.float32
    with pytest.raises(ValueError):
        Identity()((2, 2, 2))


SEEDED = [RandomUniform, RandomNormal, TruncatedNormal, VarianceScaling, GlorotUniform,
          GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal, Orthogonal]


@pytest.mark.parametrize("cls", SEEDED)
def test_same_seed_same_values(cls):
    a = cls(seed=42)((16, 8))
    np.testing.assert_array_equal(a, cls(seed=42)((16, 8)))
    np.testing.assert_array_equal(a, cls(seed=42)((16, 8)))
    assert not np.array_equal(a, cls(seed=43)((16, 8)))


@pytest.mark.parametrize("cls", SEEDED)
def test_unseeded_uses_global_rng(cls):
    init = cls()
    config.seed(123)
    a, b = init((16, 8)), init((16, 8))
    assert not np.array_equal(a, b)  # successive draws differ
    config.seed(123)
    np.testing.assert_array_equal(a, init((16, 8)))
    np.testing.assert_array_equal(b, init((16, 8)))


@pytest.mark.parametrize("name, cls", [
    ("zeros", Zeros), ("Zeros", Zeros), ("ones", Ones), ("constant", Constant),
    ("uniform", RandomUniform), ("random_uniform", RandomUniform), ("RandomUniform", RandomUniform),
    ("normal", RandomNormal), ("random_normal", RandomNormal), ("truncated_normal", TruncatedNormal),
    ("glorot_uniform", GlorotUniform), ("GlorotUniform", GlorotUniform),
    ("GLOROT_NORMAL", GlorotNormal), ("he_uniform", HeUniform), ("he_normal", HeNormal),
    ("HeNormal", HeNormal), ("lecun_uniform", LecunUniform), ("lecun_normal", LecunNormal),
    ("orthogonal", Orthogonal), ("Orthogonal", Orthogonal), ("identity", Identity),
    ("variance_scaling", VarianceScaling),
])
def test_get_by_name(name, cls):
    assert type(initializers.get(name)) is cls


def test_snake_case_aliases_are_keras_callables():
    assert initializers.glorot_uniform is GlorotUniform
    assert initializers.he_normal(seed=1)((4, 4)).shape == (4, 4)
    assert initializers.random_normal is RandomNormal and initializers.normal is RandomNormal
    assert initializers.uniform is RandomUniform and initializers.truncated_normal is TruncatedNormal
    assert initializers.orthogonal is Orthogonal and initializers.identity is Identity
    assert initializers.constant is Constant and initializers.lecun_normal is LecunNormal


def test_get_other_identifiers():
    inst = HeNormal(seed=3)
    assert initializers.get(inst) is inst
    assert initializers.get(None) is None
    assert isinstance(initializers.get(GlorotUniform), GlorotUniform)

    def fn(shape, dtype=None):
        return np.full(shape, 7.0, np.float32)
    assert initializers.get(fn) is fn

    got = initializers.get({"class_name": "RandomNormal", "config": {"mean": 1.0, "stddev": 0.5,
                                                                      "seed": 9}})
    assert isinstance(got, RandomNormal) and got.mean == 1.0 and got.stddev == 0.5 and got.seed == 9


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError) as err:
        initializers.get("glorot_unifrom")
    assert "glorot_uniform" in str(err.value) and "HeNormal" in str(err.value)
    with pytest.raises(ValueError):
        initializers.get(42)


@pytest.mark.parametrize("init", [
    Zeros(), Ones(), Constant(2.0), RandomUniform(-1.0, 2.0, seed=1), RandomNormal(0.5, 2.0, seed=2),
    TruncatedNormal(0.0, 0.3, seed=3), VarianceScaling(0.5, "fan_out", "uniform", seed=4),
    GlorotUniform(seed=5), HeNormal(seed=6), Orthogonal(gain=0.5, seed=7), Identity(gain=3.0),
])
def test_config_round_trip(init):
    cfg = init.get_config()
    clone = type(init).from_config(cfg)
    assert clone.get_config() == cfg
    np.testing.assert_array_equal(clone((6, 6)), init((6, 6)))
    again = initializers.deserialize(initializers.serialize(init))
    assert type(again) is type(init) and again.get_config() == cfg
