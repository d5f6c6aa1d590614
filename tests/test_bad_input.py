"""Mistakes users make: each raises a clear error BEFORE any training work (no weight changed, no
optimizer step, nothing printed, no callback called), naming the layer and the shapes involved."""
import warnings

import numpy as np
import pandas as pd
import pytest

from zerodl import initializers
from zerodl.callbacks import Callback
from zerodl.layers import Dense, Input
from zerodl.models import Model, Sequential
from zerodl.optimizers import SGD

rng = np.random.default_rng(17)
X = rng.standard_normal((10, 2)).astype("float32")
Y = rng.integers(0, 2, 10)


class Spy(Callback):
    def __init__(self):
        super().__init__()
        self.called = False

    def on_train_begin(self, logs=None):
        self.called = True


def course_model():
    model = Sequential([Dense(4, input_shape=(2,), activation="tanh", name="hidden"),
                        Dense(1, activation="sigmoid", name="out")])
    model.compile(SGD(lr=0.5), "binary_crossentropy", metrics=["accuracy"])
    return model


def raises_before_training(capsys, exc, match, call, model=None):
    model = model or course_model()
    before = [w.copy() for w in model.get_weights()]
    spy = Spy()
    with pytest.raises(exc, match=match):
        call(model, spy)
    assert not spy.called
    assert model.optimizer is None or model.optimizer.iterations == 0
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert capsys.readouterr().out == ""


# --- shapes --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(10, 3), (10,), (10, 2, 1)])
def test_input_feature_size_mismatch(capsys, shape):
    raises_before_training(
        capsys, ValueError, r'layer "hidden".*expected shape=\(None, 2\), found shape=' + re_shape(shape),
        lambda m, spy: m.fit(np.zeros(shape), np.zeros(10), callbacks=[spy]))


def re_shape(shape):
    return r"\(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + r"\)"


def test_input_mismatch_in_predict_and_evaluate():
    model = course_model()
    with pytest.raises(ValueError, match=r'"hidden".*expected shape=\(None, 2\), found shape=\(5, 4\)'):
        model.predict(np.zeros((5, 4)))
    with pytest.raises(ValueError, match=r'"hidden".*\(5, 4\)'):
        model.evaluate(np.zeros((5, 4)), np.zeros(5), verbose=0)


def test_input_mismatch_of_a_built_layer_called_directly():
    layer = Dense(3, name="d")
    layer(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r'layer "d".*axis -1.*value 4.*\(2, 5\)'):
        layer(np.zeros((2, 5)))


@pytest.mark.parametrize("y_shape", [(10, 3), (10, 1, 1), (10, 2)])
def test_target_shape_that_cannot_match_output(capsys, y_shape):
    raises_before_training(
        capsys, ValueError, r'Target y has shape ' + re_shape(y_shape) + r'.*layer "out" of shape \(None, 1\)',
        lambda m, spy: m.fit(X, np.zeros(y_shape), callbacks=[spy]))


def test_class_labels_with_categorical_crossentropy_get_a_hint(capsys):
    model = Sequential([Dense(3, input_shape=(2,), activation="softmax", name="probs")])
    model.compile("sgd", "categorical_crossentropy")
    raises_before_training(capsys, ValueError, r"\(10,\).*\"probs\".*\(None, 3\).*to_categorical.*sparse",
                           lambda m, spy: m.fit(X, rng.integers(0, 3, 10), callbacks=[spy]), model)


def test_sparse_labels_out_of_range(capsys):
    model = Sequential([Dense(3, input_shape=(2,), activation="softmax", name="probs")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    raises_before_training(capsys, ValueError, r'labels from 1 to 3.*"probs".*\[0, 3\)',
                           lambda m, spy: m.fit(X, np.tile([1, 2, 3, 1, 2], 2), callbacks=[spy]), model)


def test_validation_data_shape_checked_before_training(capsys):
    raises_before_training(
        capsys, ValueError, r'"hidden".*found shape=\(3, 5\)',
        lambda m, spy: m.fit(X, Y, validation_data=(np.zeros((3, 5)), np.zeros(3)), callbacks=[spy]))


def test_sample_count_mismatch(capsys):
    raises_before_training(capsys, ValueError, r"cardinality.*\(10, 9\)",
                           lambda m, spy: m.fit(X, Y[:9], callbacks=[spy]))
    raises_before_training(capsys, ValueError, r"cardinality.*9",
                           lambda m, spy: m.fit(X, Y, sample_weight=np.ones(9), callbacks=[spy]))


def test_multi_input_count_mismatch():
    a, b = Input((2,)), Input((2,))
    from zerodl.layers import Lambda
    model = Model([a, b], Dense(1)(Lambda(lambda ts: ts[0] + ts[1])([a, b])))
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="cardinality"):
        model.fit([X, X[:5]], np.zeros(10), verbose=0)


# --- compile, names ------------------------------------------------------------------------------------
def test_fit_before_compile(capsys):
    model = Sequential([Dense(1, input_shape=(2,))])
    raises_before_training(capsys, RuntimeError, "compile", lambda m, spy: m.fit(X, Y, callbacks=[spy]), model)
    with pytest.raises(RuntimeError, match="compile"):
        model.evaluate(X, Y)
    with pytest.raises(RuntimeError, match="compile"):
        model.train_on_batch(X, Y)
    assert model.predict(X).shape == (10, 1)  # predicting needs no compile


def test_unknown_loss_lists_valid_names():
    with pytest.raises(ValueError, match=r"Unknown loss 'binary_crossentrophy'.*binary_crossentropy.*mse"):
        course_model().compile("sgd", "binary_crossentrophy")


def test_unknown_optimizer_lists_valid_names():
    with pytest.raises(ValueError, match=r"Unknown optimizer: 'sdg'.*adam.*sgd"):
        course_model().compile("sdg", "mse")


def test_unknown_activation_lists_valid_names():
    with pytest.raises(ValueError, match=r"Unknown activation 'sigmoids'.*relu.*sigmoid.*tanh"):
        Dense(2, activation="sigmoids")


def test_unknown_initializer_lists_valid_names():
    with pytest.raises(ValueError, match=r"Unknown initializer: 'glorot'.*glorot_uniform.*he_normal"):
        Dense(2, kernel_initializer="glorot")
    with pytest.raises(ValueError, match="glorot_uniform"):
        initializers.get("xavier")


def test_unknown_metric_lists_valid_names():
    model = course_model()
    with pytest.raises(ValueError, match=r"Unknown metric 'acuracy'.*accuracy"):
        model.compile("sgd", "mse", metrics=["acuracy"])


# --- values --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad_x", [np.array([["a", "b"]] * 10), pd.DataFrame({"a": ["x"] * 10, "b": [1.0] * 10}),
                                   np.array([[1, "2x"]] * 10, dtype=object)], ids=["str", "df", "object"])
def test_non_numeric_inputs(capsys, bad_x):
    raises_before_training(capsys, TypeError, "x must be numeric.*get_dummies",
                           lambda m, spy: m.fit(bad_x, Y, callbacks=[spy]))


def test_non_numeric_targets(capsys):
    raises_before_training(capsys, TypeError, "y must be numeric.*'yes'",
                           lambda m, spy: m.fit(X, np.array(["yes", "no"] * 5), callbacks=[spy]))


def test_empty_arrays(capsys):
    raises_before_training(capsys, ValueError, r'"hidden" is empty.*\(0, 2\)',
                           lambda m, spy: m.fit(np.zeros((0, 2)), np.zeros(0), callbacks=[spy]))
    with pytest.raises(ValueError, match="empty"):
        course_model().predict(np.zeros((0, 2)))
    with pytest.raises(ValueError, match=r'"hidden".*found shape=\(0,\)'):
        course_model().predict([])


@pytest.mark.parametrize("batch_size", [0, -4, 2.5])
def test_bad_batch_size(capsys, batch_size):
    raises_before_training(capsys, ValueError, f"batch_size must be a positive integer.*{batch_size}",
                           lambda m, spy: m.fit(X, Y, batch_size=batch_size, callbacks=[spy]))
    with pytest.raises(ValueError, match="batch_size"):
        course_model().evaluate(X, Y, batch_size=batch_size)
    with pytest.raises(ValueError, match="batch_size"):
        course_model().predict(X, batch_size=batch_size)


@pytest.mark.parametrize("split", [1.0, 1.5, -0.1])
def test_validation_split_outside_range(capsys, split):
    raises_before_training(capsys, ValueError, rf"validation_split must be in \[0, 1\).*{split}",
                           lambda m, spy: m.fit(X, Y, validation_split=split, callbacks=[spy]))


def test_validation_split_leaving_nothing(capsys):
    raises_before_training(capsys, ValueError, "no samples",
                           lambda m, spy: m.fit(X[:1], Y[:1], validation_split=0.5, callbacks=[spy]))


def test_missing_targets():
    with pytest.raises(ValueError, match="targets y"):
        course_model().fit(X, verbose=0)


def test_unexpected_fit_keyword():
    with pytest.raises(TypeError, match="nb_epoch"):
        course_model().fit(X, Y, nb_epoch=3)
    with pytest.raises(TypeError, match="epoch"):
        course_model().fit(X, Y, epoch=3)


# --- divergence ---------------------------------------------------------------------------------------
def test_nan_loss_reported_once_as_runtime_warning():
    model = course_model()
    x = X.copy()
    x[3, 0] = np.nan
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h = model.fit(x, Y, epochs=3, verbose=0, batch_size=10)
    ours = [w for w in caught if "loss is nan" in str(w.message)]
    assert len(ours) == 1 and ours[0].category is RuntimeWarning
    assert "Epoch 1" in str(ours[0].message) and "learning rate" in str(ours[0].message)
    assert ours[0].filename == __file__  # points at the user's fit call
    assert np.isnan(h.history["loss"][0])


def test_diverging_learning_rate_warns():
    model = Sequential([Dense(1, input_shape=(1,))])
    model.compile(SGD(lr=1e6), "mse")
    x = np.linspace(0, 100, 50)
    with pytest.warns(RuntimeWarning, match="Training diverged"):
        with np.errstate(all="ignore"):
            model.fit(x, x, epochs=20, verbose=0)
