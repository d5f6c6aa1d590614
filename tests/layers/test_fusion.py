"""A convolution followed by a tiling pooling runs as one call (layers/fusion.py): it must give what the two
layer calls give one after the other -- outputs, gradients, training -- and stay out of every case it does
not cover."""
import numpy as np
import pytest

from zerodl import autodiff, regularizers
from zerodl.autodiff import Tensor, Variable, gradients
from zerodl.layers import (AveragePooling1D, AveragePooling2D, Conv1D, Conv2D, Dense, Flatten, Input, MaxPooling1D,
                           MaxPooling2D, Masking)
from zerodl.layers import fusion
from zerodl.models import Model, Sequential
from zerodl.ops.activations import Relu
from zerodl.ops.conv import ConvPool, Pool

rng = np.random.default_rng(3)


def data(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def ops_run(model, x, training=True):
    """The classes of the ops a forward pass of `model` on x runs."""
    with autodiff.recording() as steps:
        model._forward([Tensor(x)], training=training)
    return [type(op) for op, _ in steps]


PAIRS = [  # (convolution, pooling, input shape)
    (lambda: Conv2D(3, 3), lambda: MaxPooling2D(2), (9, 8, 1)),                        # W4's pair, one channel
    (lambda: Conv2D(4, (2, 3)), lambda: AveragePooling2D(2), (8, 9, 2)),
    (lambda: Conv2D(2, 3, strides=(2, 1), padding="same", use_bias=False, activation="relu"),
     lambda: MaxPooling2D((2, 3)), (9, 10, 3)),
    (lambda: Conv2D(2, 2, dilation_rate=2, activation="elu"), lambda: MaxPooling2D(3), (10, 10, 2)),
    (lambda: Conv1D(3, 3, padding="causal", activation="tanh"), lambda: MaxPooling1D(2), (11, 2)),
    (lambda: Conv1D(2, 2, strides=2), lambda: AveragePooling1D(3), (20, 3)),
]


@pytest.mark.parametrize("make_conv, make_pool, shape", PAIRS)
def test_a_fused_pair_gives_what_the_two_calls_give(make_conv, make_pool, shape):
    conv, pool = make_conv(), make_pool()
    model = Sequential([conv, pool, Flatten(), Dense(2)])
    model.build((None,) + shape)
    x = data(5, *shape)
    model._forward([Tensor(x)], training=True)  # the ordinary first call at this shape
    assert ConvPool in ops_run(model, x) and Pool not in ops_run(model, x)

    def loss_and_grads(forward):
        inputs = Variable(x)
        out = forward(inputs)
        loss = (out * out).sum()
        return out.value, gradients(loss, [inputs] + model.trainable_weights)

    fused_out, fused_grads = loss_and_grads(lambda t: model._forward([t], training=True)[0])
    plain_out, plain_grads = loss_and_grads(lambda t: model.layers[3](model.layers[2](pool(conv(t)))))
    np.testing.assert_allclose(fused_out, plain_out, rtol=1e-5, atol=1e-6)
    for fused, plain in zip(fused_grads, plain_grads):
        np.testing.assert_allclose(fused, plain, rtol=1e-4, atol=1e-5)


def test_a_pair_runs_fused_from_its_first_call_and_checks_its_input_like_any_call():
    model = Sequential([Conv2D(2, 3, input_shape=(None, None, 1)), MaxPooling2D(2)])
    for shape in [(2, 8, 8, 1), (3, 10, 7, 1)]:
        assert ConvPool in ops_run(model, data(*shape)) and Pool not in ops_run(model, data(*shape))
    with pytest.raises(ValueError, match=r'layer "conv2d.*expected axis -1 of input shape to have value 1'):
        model._forward([Tensor(data(2, 8, 8, 3))])
    unbuilt = Sequential([Conv2D(2, 3), MaxPooling2D(2)])  # built by its first eager call, fused
    out = unbuilt(data(2, 8, 8, 1))
    assert out.shape == (2, 3, 3, 2) and type(out.op) is ConvPool


def test_fit_evaluate_predict_and_calls_give_the_same_bits():
    """A pair that fuses always runs fused, so every path of a model takes it (the fused GEMM may round a
    last bit differently from the layer-by-layer one: paths must not mix them)."""
    model = Sequential([Conv2D(3, 3, input_shape=(8, 15, 4)), MaxPooling2D(2), Flatten(), Dense(2)])
    for n in (1, 5, 40):
        x = data(n, 8, 15, 4)
        first = model.predict(x, verbose=0)
        np.testing.assert_array_equal(model.predict(x, verbose=0), first)  # a replayed plan, for n <= 32
        np.testing.assert_array_equal(model(x).value, first)
        np.testing.assert_array_equal(model._forward([Tensor(x)], training=True)[0].value, first)


def pooled(**conv_options):
    return lambda: (Conv2D(2, 3, **conv_options), MaxPooling2D(2))


class MyPooling(MaxPooling2D):
    pass


@pytest.mark.parametrize("make_pair", [
    lambda: (Conv2D(2, 3), MaxPooling2D(2, strides=1)),          # overlapping windows
    lambda: (Conv2D(2, 3), MaxPooling2D(2, padding="same")),
    lambda: (Conv2D(2, 3), MyPooling(2)),                        # a subclass may do anything
    pooled(activation=lambda t: t * 2),                          # so may a user's activation
    pooled(activation="softmax"),                                # a max does not commute with these
    pooled(activation="swish"),
    lambda: (Conv2D(2, 3, activation="relu"), AveragePooling2D(2)),  # nor a mean with any but linear
    pooled(activity_regularizer=regularizers.l2(0.1)),           # which needs the conv's own output
], ids=["overlapping", "same", "subclass", "user-activation", "softmax", "swish", "relu-then-average",
        "activity-regularizer"])
def test_pairs_outside_the_mechanism_run_layer_by_layer(make_pair):
    conv, pool = make_pair()
    model = Sequential([Input((8, 8, 1)), conv, pool])
    x = data(2, 8, 8, 1)
    model._forward([Tensor(x)])
    assert Pool in ops_run(model, x) and ConvPool not in ops_run(model, x)


def test_an_activation_that_never_decreases_runs_on_the_pooled_output():
    """max(relu(a), relu(b)) = relu(max(a, b)): the fused pair applies relu to a quarter of the values."""
    model = Sequential([Input((8, 8, 1)), Conv2D(2, 3, activation="relu"), MaxPooling2D(2)])
    with autodiff.recording() as steps:
        out = model._forward([Tensor(data(2, 8, 8, 1))], training=True)[0]
    assert [type(op) for op, _ in steps] == [ConvPool, Relu]
    assert steps[0][1].shape == steps[1][1].shape == out.shape == (2, 3, 3, 2)


def mnist_like(n=4, seed=0):
    """A zero background with a blob: with the zero initial bias, pre-activations are exactly 0 on blank
    patches, so pooling windows hold exact ties."""
    x = np.zeros((n, 12, 12, 1), np.float32)
    x[:, 4:8, 3:9] = np.random.default_rng(seed).random((n, 4, 6, 1))
    return x


NONDECREASING = ["relu", "relu6", "leaky_relu", "elu", "selu", "sigmoid", "hard_sigmoid", "tanh", "softplus",
                 "softsign", "exponential"]


@pytest.mark.parametrize("activation", NONDECREASING)
@pytest.mark.parametrize("input_gradient", [False, True], ids=["first-layer", "inner-layer"])
def test_moving_the_activation_after_the_max_keeps_values_and_gradients(activation, input_gradient):
    """f(max(a, b)) = max(f(a), f(b)), and where f(a) = f(b) with a != b both slopes are 0 (ties on a flat
    stretch, which blank image patches make exact), so the gradients agree too."""
    x = mnist_like()
    results = []
    for pooling in (MaxPooling2D, MyPooling):  # fused, then layer by layer
        layers = [Input(x.shape[1:])] + ([Conv2D(2, 1, activation="relu")] if input_gradient else [])
        model = Sequential(layers + [Conv2D(4, 3, activation=activation), pooling(2), Flatten(), Dense(1)])
        if results:
            model.set_weights(results[0][0].get_weights())
        assert (ConvPool in ops_run(model, x)) == (pooling is MaxPooling2D)
        out = model._forward([Tensor(x)], training=True)[0]
        results.append((model, out.value, gradients((out * out).sum(), model.trainable_weights)))
    (_, fused_out, fused_grads), (_, plain_out, plain_grads) = results
    np.testing.assert_allclose(fused_out, plain_out, rtol=1e-5, atol=1e-6)
    for fused, plain in zip(fused_grads, plain_grads):
        np.testing.assert_allclose(fused, plain, rtol=1e-4, atol=1e-5)


def test_channels_first_pairs_run_layer_by_layer():
    model = Sequential([Input((1, 8, 8)), Conv2D(2, 3, data_format="channels_first"),
                        MaxPooling2D(2, data_format="channels_first")])
    x = data(2, 1, 8, 8)
    model._forward([Tensor(x)])
    assert ConvPool not in ops_run(model, x)


def test_a_functional_graph_fuses_only_where_the_conv_output_goes_to_the_pooling_alone():
    inputs = Input((8, 8, 1))
    conv_a, pool_a, flatten_a, dense_a = Conv2D(2, 3), MaxPooling2D(2), Flatten(), Dense(1)
    features = Conv2D(2, 3)(inputs)                             # also read by a Flatten: does not fuse
    model = Model(inputs, [dense_a(flatten_a(pool_a(conv_a(inputs)))), Dense(1)(Flatten()(MaxPooling2D(2)(features))),
                           Flatten()(features)])
    x = data(3, 8, 8, 1)
    model._forward([Tensor(x)])
    ops = ops_run(model, x)
    assert ops.count(ConvPool) == 1 and ops.count(Pool) == 1
    np.testing.assert_allclose(model._forward([Tensor(x)])[0].value,
                               dense_a(flatten_a(pool_a(conv_a(Tensor(x))))).value, rtol=1e-5, atol=1e-6)


def test_a_conv_output_that_is_a_model_output_is_not_fused_away():
    inputs = Input((8, 8, 1))
    features = Conv2D(2, 3)(inputs)
    model = Model(inputs, [features, MaxPooling2D(2)(features)])
    x = data(2, 8, 8, 1)
    model._forward([Tensor(x)])
    assert ConvPool not in ops_run(model, x)
    conv_node = next(i for i, node in enumerate(model._nodes) if isinstance(node.layer, Conv2D))
    assert fusion.sole_consumers(model._nodes, model.outputs)[conv_node] is None


def test_a_masked_input_runs_layer_by_layer():
    model = Sequential([Masking(0.0, input_shape=(12, 2)), Conv1D(2, 3), MaxPooling1D(2)])
    x = data(2, 12, 2)
    model._forward([Tensor(x)])
    assert ConvPool not in ops_run(model, x)


def unfused_twin(model):
    """The same network with a pooling subclass, which runs layer by layer, and the same weights."""
    twin = Sequential([Conv2D(4, 3, activation="relu", input_shape=(12, 12, 1)), MyPooling(2), Flatten(),
                       Dense(3, activation="softmax")])
    twin.set_weights(model.get_weights())
    return twin


def test_training_a_fused_model_follows_the_layer_by_layer_one():
    model = Sequential([Conv2D(4, 3, activation="relu", input_shape=(12, 12, 1)), MaxPooling2D(2), Flatten(),
                        Dense(3, activation="softmax")])
    twin = unfused_twin(model)
    x, y = data(64, 12, 12, 1), rng.integers(0, 3, 64)
    for m in (model, twin):
        m.compile("rmsprop", "sparse_categorical_crossentropy", metrics=["accuracy"])
    fused_history = model.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False).history
    plain_history = twin.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False).history
    np.testing.assert_allclose(fused_history["loss"], plain_history["loss"], rtol=1e-4)
    for fused, plain in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_allclose(fused, plain, rtol=1e-3, atol=1e-5)
    np.testing.assert_allclose(model.predict(x, verbose=0), twin.predict(x, verbose=0), rtol=1e-4, atol=1e-6)


def test_a_pickled_functional_model_fuses_its_own_nodes():
    import pickle
    inputs = Input((8, 8, 1))
    model = Model(inputs, Dense(2)(Flatten()(MaxPooling2D(2)(Conv2D(2, 3)(inputs)))))
    x = data(2, 8, 8, 1)
    expected = model._forward([Tensor(x)])[0].value
    copy = pickle.loads(pickle.dumps(model))
    copy._forward([Tensor(x)])
    assert ConvPool in ops_run(copy, x)
    np.testing.assert_allclose(copy._forward([Tensor(x)])[0].value, expected, rtol=1e-5, atol=1e-6)
    del copy._consumers  # as in a model pickled before fusion.py: it runs layer by layer
    assert ConvPool not in ops_run(copy, x)
    np.testing.assert_allclose(copy._forward([Tensor(x)])[0].value, expected, rtol=1e-5, atol=1e-6)
