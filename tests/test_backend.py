"""zerodl.backend (K): sessions and names, K.function, floatx/epsilon, shapes, values, eager gradients."""
import numpy as np
import pytest

from zerodl import backend as K
from zerodl import losses
from zerodl.layers import Dense, Dropout, Input
from zerodl.models import Model, Sequential
from zerodl.optimizers import SGD

rng = np.random.default_rng(5)


def test_clear_session_resets_names():
    Dense(1), Dense(1), Input((2,))
    m = Sequential()
    assert m.name == "sequential"
    assert Sequential().name == "sequential_1"
    K.clear_session()
    assert Dense(1).name == "dense"
    assert Sequential().name == "sequential"


def test_floatx_and_set_floatx():
    assert K.floatx() == "float32"
    try:
        K.set_floatx("float64")
        assert K.floatx() == "float64"
        model = Sequential([Dense(3, input_shape=(2,), activation="tanh"), Dense(1)])
        assert all(w.dtype == np.float64 for w in model.get_weights())
        model.compile(SGD(0.1), "mse")
        model.fit(rng.standard_normal((8, 2)), rng.standard_normal(8), verbose=0)
        assert model.predict(np.ones((2, 2))).dtype == np.float64
        assert all(w.dtype == np.float64 for w in model.get_weights())
    finally:
        K.set_floatx("float32")
    with pytest.raises(ValueError, match="float16"):
        K.set_floatx("float8")


def test_float32_end_to_end_by_default():
    model = Sequential([Dense(3, input_shape=(2,), activation="relu"), Dense(1)])
    model.compile(SGD(0.1), "mse")
    model.fit(rng.standard_normal((8, 2)), rng.standard_normal(8), verbose=0)  # float64 data
    assert all(w.dtype == np.float32 for w in model.get_weights())
    assert model.predict(rng.standard_normal((3, 2))).dtype == np.float32


def test_epsilon():
    assert K.epsilon() == 1e-7
    try:
        K.set_epsilon(1e-4)
        assert K.epsilon() == 1e-4
        loss = losses.binary_crossentropy(np.array([[1.0]]), np.array([[0.0]]))
        assert float(loss.numpy()[0]) == pytest.approx(-np.log(1e-4), rel=1e-5)
    finally:
        K.set_epsilon(1e-7)


def test_int_shape_ndim_dtype():
    assert K.int_shape(np.zeros((2, 3))) == (2, 3)
    assert K.int_shape(Input((4, 5))) == (None, 4, 5)
    v = K.variable(np.zeros((3, 2)))
    assert K.int_shape(v) == (3, 2) and K.ndim(v) == 2 and K.dtype(v) == "float32"
    model = Sequential([Dense(2, input_shape=(3,))])
    assert K.int_shape(model.output) == (None, 2)
    assert K.int_shape(model.layers[0].kernel) == (3, 2)


def test_get_value_set_value():
    v = K.variable([[1.0, 2.0]])
    np.testing.assert_array_equal(K.get_value(v), [[1.0, 2.0]])
    np.testing.assert_array_equal(K.eval(v), [[1.0, 2.0]])
    K.set_value(v, np.array([[3.0, 4.0]]))
    np.testing.assert_array_equal(K.get_value(v), [[3.0, 4.0]])
    assert K.get_value(v).dtype == np.float32
    with pytest.raises(ValueError, match="shape"):
        K.set_value(v, np.zeros(3))
    layer = Dense(2)
    layer.build((None, 3))
    K.set_value(layer.kernel, np.ones((3, 2)))
    np.testing.assert_array_equal(layer.get_weights()[0], np.ones((3, 2)))
    assert K.batch_get_value([v, layer.kernel])[1].shape == (3, 2)


def test_get_set_value_on_optimizer_learning_rate():
    opt = SGD(lr=0.1)
    assert K.get_value(opt.lr) == pytest.approx(0.1)
    K.set_value(opt.lr, 0.01)
    assert K.get_value(opt.lr) == pytest.approx(0.01) and float(opt.learning_rate) == pytest.approx(0.01)


def test_function_on_intermediate_layers():
    model = Sequential([Dense(4, input_shape=(3,), activation="relu"), Dropout(0.5), Dense(2, activation="softmax")])
    x = rng.standard_normal((5, 3)).astype("float32")
    W, b = model.layers[0].get_weights()
    hidden = K.function([model.layers[0].input], [model.layers[0].output])
    (out,) = hidden([x])
    np.testing.assert_allclose(out, np.maximum(x @ W + b, 0), rtol=1e-6)
    single = K.function(model.input, model.layers[1].output)  # single tensors in and out
    np.testing.assert_allclose(single(x), out, rtol=1e-6)
    both = K.function([model.input], [model.layers[0].output, model.output])
    h, y = both([x])
    np.testing.assert_allclose(y, model.predict(x), rtol=1e-6)
    from_hidden = K.function([model.layers[1].input], [model.output])  # start mid-graph
    np.testing.assert_allclose(from_hidden([h])[0], y, rtol=1e-6)


def test_function_with_learning_phase():
    model = Sequential([Dropout(0.5, input_shape=(200,))])
    f = K.function([model.input, K.learning_phase()], [model.output])
    x = np.ones((4, 200), "float32")
    np.testing.assert_array_equal(f([x, 0])[0], x)
    train = f([x, 1])[0]
    assert set(np.unique(train)) == {0.0, 2.0}
    with pytest.raises(ValueError, match="2 input"):
        f([x])


def test_function_on_functional_multi_input():
    a, b = Input((2,)), Input((3,))
    ha = Dense(2, name="ha")(a)
    from zerodl.layers import Lambda
    out = Lambda(lambda ts: K.concatenate([ts[0], ts[1]], axis=-1))([ha, b])
    f = K.function([a, b], [out])
    xa, xb = rng.standard_normal((4, 2)), rng.standard_normal((4, 3))
    W, bias = Model([a, b], out).get_layer("ha").get_weights()
    np.testing.assert_allclose(f([xa, xb])[0], np.concatenate([xa @ W + bias, xb], -1), rtol=1e-5, atol=1e-6)


def test_gradients_eager():
    x = K.variable([1.0, 2.0, 3.0])
    loss = K.sum(K.square(x))
    np.testing.assert_allclose(K.gradients(loss, [x])[0], [2, 4, 6])
    np.testing.assert_allclose(K.gradients(K.sum(K.square(x)), x), [2, 4, 6])


def test_gradients_of_model_loss_match_finite_differences():
    K.set_floatx("float64")
    try:
        model = Sequential([Dense(3, input_shape=(2,), activation="tanh"), Dense(1, activation="sigmoid")])
        x = rng.standard_normal((6, 2))
        y = rng.integers(0, 2, (6, 1)).astype(float)

        def loss_value():
            return K.mean(losses.binary_crossentropy(y, model(x)))

        grads = K.gradients(loss_value(), model.trainable_weights)
        for w, g in zip(model.trainable_weights, grads):
            numeric = np.zeros_like(w.value)
            for i in np.ndindex(*w.shape):
                saved = w.value[i]
                w.value[i] = saved + 1e-6
                up = float(loss_value().numpy())
                w.value[i] = saved - 1e-6
                down = float(loss_value().numpy())
                w.value[i] = saved
                numeric[i] = (up - down) / 2e-6
            np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-9)
    finally:
        K.set_floatx("float32")


def test_math_functions_are_differentiable_tensors():
    x = K.variable([[-1.0, 0.5, 2.0]])
    y = K.mean(K.relu(x) * K.sigmoid(x) + K.exp(K.clip(x, -1, 1)), axis=-1)
    assert K.int_shape(y) == (1,)
    (g,) = K.gradients(K.sum(y), [x])
    assert g.shape == (1, 3) and np.isfinite(g).all()
    np.testing.assert_array_equal(K.get_value(K.argmax(x)), [2])
    np.testing.assert_allclose(K.get_value(K.std(x)), np.std([-1, 0.5, 2]), rtol=1e-6)


def test_constant_and_zeros_ones():
    c = K.constant(2.0, shape=(2, 2))
    np.testing.assert_array_equal(K.get_value(c), np.full((2, 2), 2.0))
    assert K.get_value(K.zeros((2, 3))).shape == (2, 3)
    assert K.get_value(K.ones_like(np.zeros((2,)))).tolist() == [1.0, 1.0]
    assert K.is_keras_tensor(Input((2,))) and not K.is_keras_tensor(c)
