"""Merge layers against NumPy, through the functional API, with gradients and configs."""
import sys
import pathlib

import numpy as np
import pytest

from zerodl.layers import (Add, Average, Concatenate, Dense, Dot, Input, Maximum, Minimum, Multiply, Subtract,
                           add, concatenate, dot)
from zerodl.models import Model, model_from_json

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "ops"))
from gradcheck import check_gradients  # noqa: E402

rng = np.random.default_rng(0)
A, B, C = (rng.normal(size=(4, 3)).astype("float32") for _ in range(3))

CASES = [
    (Add, lambda a, b, c: a + b + c),
    (Multiply, lambda a, b, c: a * b * c),
    (Average, lambda a, b, c: (a + b + c) / 3),
    (Maximum, lambda a, b, c: np.maximum(np.maximum(a, b), c)),
    (Minimum, lambda a, b, c: np.minimum(np.minimum(a, b), c)),
]


@pytest.mark.parametrize("layer_class, reference", CASES, ids=[c[0].__name__ for c in CASES])
def test_elementwise_merges(layer_class, reference):
    np.testing.assert_allclose(layer_class()([A, B, C]).value, reference(A, B, C), rtol=1e-6)
    assert layer_class()([Input((3,)), Input((1,))]).shape == (None, 3)  # broadcasting, batch axis kept
    check_gradients(lambda a, b, c: layer_class()([a, b, c]), A, B, C)


def test_subtract_takes_exactly_two():
    np.testing.assert_allclose(Subtract()([A, B]).value, A - B)
    x, y, z = Input((3,)), Input((3,)), Input((3,))
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        Subtract()([x, y, z])


def test_concatenate_in_a_model_and_its_gradient():
    x, y = Input((3,)), Input((2,))
    out = Dense(1)(concatenate([Dense(4)(x), y]))
    model = Model([x, y], out)
    assert model.layers[-2].output_shape == (None, 6)
    xs = [A, rng.normal(size=(4, 2)).astype("float32")]
    W1, b1, W2, b2 = model.get_weights()
    expected = np.concatenate([xs[0] @ W1 + b1, xs[1]], axis=-1) @ W2 + b2
    np.testing.assert_allclose(model.predict(xs), expected, rtol=1e-5)
    check_gradients(lambda a, b: Concatenate(axis=0)([a, b]), A, B)
    rebuilt = model_from_json(model.to_json())
    rebuilt.set_weights(model.get_weights())
    np.testing.assert_allclose(rebuilt.predict(xs), expected, rtol=1e-5)


def test_concatenate_shape_errors_name_the_layer():
    with pytest.raises(ValueError, match='"concat".*matching shapes'):
        Concatenate(name="concat")([Input((3, 2)), Input((4, 2))])


def test_dot_is_the_per_sample_inner_product():
    np.testing.assert_allclose(Dot(axes=1)([A, B]).value, (A * B).sum(-1, keepdims=True), rtol=1e-6)
    unit = lambda v: v / np.linalg.norm(v, axis=-1, keepdims=True)  # noqa: E731
    np.testing.assert_allclose(Dot(axes=1, normalize=True)([A, B]).value,
                               (unit(A) * unit(B)).sum(-1, keepdims=True), rtol=1e-5)
    a3, b3 = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 5, 4))
    np.testing.assert_allclose(Dot(axes=(2, 2))([a3, b3]).value, np.einsum("bik,bjk->bij", a3, b3), rtol=1e-5)
    check_gradients(lambda a, b: Dot(axes=(2, 2))([a, b]), a3, b3)
    assert dot([Input((3,)), Input((3,))], axes=1).shape == (None, 1)


def test_add_functional_form_broadcasts_and_trains():
    x = Input((3,))
    model = Model(x, Dense(1)(add([Dense(3)(x), x])))
    model.compile("adam", "mse")
    history = model.fit(A, A.sum(1, keepdims=True), epochs=30, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
