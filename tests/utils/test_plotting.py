"""Plotting: each function draws what it says and writes a non-empty image (matplotlib, Agg backend)."""
import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.image  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from zerodl.layers import Dense, Input  # noqa: E402
from zerodl.models import Model, Sequential  # noqa: E402
from zerodl.utils import (get_activations, plot_activations, plot_decision_boundary, plot_history,  # noqa: E402
                          plot_model)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def circles(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)).astype("float32")
    return X, (np.hypot(X[:, 0], X[:, 1]) < 1).astype(int)


def trained(epochs=3):
    X, y = circles()
    model = Sequential([Dense(8, input_shape=(2,), activation="relu"), Dense(2, activation="tanh"),
                        Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    return model, model.fit(X, y, epochs=epochs, verbose=0, validation_split=0.25), X, y


def assert_image(path):
    assert path.stat().st_size > 1000
    pixels = matplotlib.image.imread(str(path))
    assert pixels.ndim == 3 and pixels.shape[0] > 50 and pixels.shape[1] > 50
    assert pixels.std() > 0  # not a blank canvas


def test_plot_history(tmp_path):
    _, history, _, _ = trained(epochs=4)
    axes = plot_history(history, to_file=tmp_path / "history.png")
    assert_image(tmp_path / "history.png")
    assert [ax.get_title() for ax in axes] == ["loss", "accuracy"]  # 'acc' is the same list: drawn once
    train, val = axes[0].get_lines()
    np.testing.assert_allclose(train.get_ydata(), history.history["loss"])
    np.testing.assert_allclose(val.get_ydata(), history.history["val_loss"])
    assert list(train.get_xdata()) == [1, 2, 3, 4]
    # A dict, a chosen metric in its Keras 2 spelling, and a clear error for a missing one.
    (ax,) = plot_history(history.history, metrics=["acc"])
    assert ax.get_title() == "acc" and len(ax.get_lines()) == 2
    with pytest.raises(ValueError, match="not in the history"):
        plot_history(history, metrics=["mae"])


def test_plot_decision_boundary(tmp_path):
    model, _, X, y = trained()
    ax = plot_decision_boundary(model, X, y, to_file=tmp_path / "boundary.png")
    assert_image(tmp_path / "boundary.png")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0", "1"]
    blue, red = ax.get_lines()
    assert blue.get_marker() == "o" and red.get_marker() == "x"
    assert len(blue.get_xdata()) == (y == 0).sum() and len(red.get_xdata()) == (y == 1).sum()
    with pytest.raises(ValueError, match="2 features"):
        plot_decision_boundary(model, np.c_[X, X], y)


def test_plot_decision_boundary_multiclass_softmax(tmp_path):
    X, _ = circles()
    y = np.digitize(X[:, 0], [-0.5, 0.5])
    model = Sequential([Dense(3, input_shape=(2,), activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(X, y, epochs=2, verbose=0)
    ax = plot_decision_boundary(model, X, y, to_file=tmp_path / "three.png")
    assert len(ax.get_lines()) == 3
    assert_image(tmp_path / "three.png")


def test_plot_model_sequential_and_functional(tmp_path):
    model, _, _, _ = trained(epochs=1)
    assert plot_model(model, to_file=tmp_path / "seq.png", show_shapes=True, show_layer_activations=True) is None
    assert_image(tmp_path / "seq.png")
    inp = Input(shape=(4,), name="features")
    hidden = Dense(8, activation="relu", name="hidden")(inp)
    branching = Model(inp, [Dense(1, name="out_a")(hidden), Dense(3, name="out_b")(hidden), Dense(2)(inp)])
    plot_model(branching, to_file=tmp_path / "func.png", rankdir="LR", show_dtype=True, show_trainable=True)
    assert_image(tmp_path / "func.png")
    plot_model(branching, to_file=tmp_path / "func.svg")
    svg = (tmp_path / "func.svg").read_text()
    assert all(name in svg for name in ("features", "hidden", "out_a", "out_b"))
    with pytest.raises(ValueError, match="has not yet been built"):
        plot_model(Sequential([Dense(2)]), to_file=tmp_path / "no.png")


def test_get_and_plot_activations(tmp_path):
    model, _, X, y = trained()
    activations = get_activations(model, X[:50])
    assert list(activations) == [layer.name for layer in model.layers]
    W, b = model.layers[0].get_weights()
    np.testing.assert_allclose(activations[model.layers[0].name], np.maximum(X[:50] @ W + b, 0), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(activations[model.layers[-1].name], model.predict(X[:50]), rtol=1e-6)
    assert list(get_activations(model, X[:5], layers=[1])) == [model.layers[1].name]
    axes = plot_activations(model, X, np.where(y == 1, "inside", "outside"), to_file=tmp_path / "act.png")
    assert_image(tmp_path / "act.png")
    assert len(axes) == 3 and axes[1].get_title() == f"{model.layers[1].name} (2,)"
    assert len(axes[1].collections[0].get_offsets()) == len(X)  # lecture 77: the 2-D hidden features
    (ax,) = plot_activations(model, X[:20], layers=[model.layers[1].name], to_file=tmp_path / "one.png")
    assert_image(tmp_path / "one.png")
