"""zerodl.utils: to_categorical (also as zerodl.utils.np_utils.to_categorical), normalize, set_random_seed,
and the data conversion used by fit."""
import numpy as np
import pandas as pd
import pytest

from zerodl.utils import normalize, np_utils, set_random_seed, to_categorical
from zerodl.utils.data import to_array


@pytest.mark.parametrize("fn", [to_categorical, np_utils.to_categorical])
def test_to_categorical(fn):
    out = fn([0, 2, 1, 2])
    np.testing.assert_array_equal(out, np.eye(3)[[0, 2, 1, 2]])
    assert out.dtype == np.float32 and out.shape == (4, 3)


def test_to_categorical_num_classes_and_shapes():
    np.testing.assert_array_equal(to_categorical(np.array([1, 0]), num_classes=4), [[0, 1, 0, 0], [1, 0, 0, 0]])
    assert to_categorical(np.array([[1], [0], [2]])).shape == (3, 3)  # (n, 1) -> (n, C)
    assert to_categorical(np.array([[0, 1], [2, 1]])).shape == (2, 2, 3)
    assert to_categorical(np.array([1.0, 0.0])).shape == (2, 2)
    assert to_categorical([0, 1], dtype="int32").dtype == np.int32
    np.testing.assert_array_equal(to_categorical(pd.Series([2, 0])), [[0, 0, 1], [1, 0, 0]])


def test_to_categorical_errors():
    with pytest.raises(ValueError, match="num_classes=2"):
        to_categorical([0, 2], num_classes=2)
    with pytest.raises(ValueError, match="non-negative integer"):
        to_categorical([0.5, 1])
    with pytest.raises(ValueError, match="non-negative integer"):
        to_categorical([-1, 1])


def test_to_categorical_round_trips_with_argmax():
    labels = np.random.default_rng(0).integers(0, 10, 100)
    np.testing.assert_array_equal(to_categorical(labels).argmax(-1), labels)


def test_normalize():
    x = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, 0.0]])
    np.testing.assert_allclose(normalize(x), [[0.6, 0.8], [0, 0], [1, 0]])
    np.testing.assert_allclose(normalize(x, order=1), [[3 / 7, 4 / 7], [0, 0], [1, 0]])
    np.testing.assert_allclose(normalize(x, axis=0), x / np.linalg.norm(x, axis=0, keepdims=True))
    np.testing.assert_allclose(normalize([[3, 4]]), [[0.6, 0.8]], rtol=1e-6)  # ints and lists too
    np.testing.assert_allclose(np.linalg.norm(normalize(np.random.default_rng(1).standard_normal((5, 4))), axis=1),
                               1, rtol=1e-6)
    np.testing.assert_allclose(np_utils.normalize(x), normalize(x))


def test_set_random_seed_makes_draws_repeat():
    from zerodl import config
    set_random_seed(3)
    a = (np.random.rand(), config.rng().random())
    set_random_seed(3)
    assert (np.random.rand(), config.rng().random()) == a


def test_to_array_conversions():
    assert to_array([[1, 2], [3, 4]]).shape == (2, 2)
    assert to_array(np.array([True, False])).dtype == np.float32
    assert to_array(np.array([1.0, 2.0])).dtype == np.float32
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [3, 4]})
    np.testing.assert_array_equal(to_array(df), [[1, 3], [2, 4]])
    mixed = pd.concat([df, pd.get_dummies(pd.Series(["x", "y"]))], axis=1).values  # object dtype
    assert mixed.dtype == object
    np.testing.assert_array_equal(to_array(mixed), [[1, 3, 1, 0], [2, 4, 0, 1]])
    with pytest.raises(TypeError, match="numeric.*'x'"):
        to_array(np.array([["x", 1]], dtype=object))
