"""Saving is atomic; loading runs no code from the file, refuses Lambda layers unless safe_mode=False,
and says which file is corrupt or truncated."""
import os
import pathlib
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest

from zerodl import ops
from zerodl.layers import Dense, Input, Lambda
from zerodl.models import Model, Sequential, load_model
from zerodl.saving import keras_zip, legacy_h5

pytest.importorskip("h5py", reason="h5py is the optional extra zerodl[h5]")
ROOT = pathlib.Path(__file__).resolve().parents[2]
X = np.random.default_rng(0).standard_normal((5, 3)).astype("float32")


def small_model(units=2):
    model = Sequential([Dense(units, input_shape=(3,))])
    model.compile("sgd", "mse")
    return model


# --- atomic writes -------------------------------------------------------------------------------
@pytest.mark.parametrize("ext,module", [("keras", keras_zip), ("h5", legacy_h5)])
def test_a_failed_save_leaves_the_previous_file_intact(tmp_path, monkeypatch, ext, module):
    path = tmp_path / f"model.{ext}"
    old = small_model()
    old.save(path)
    before = path.read_bytes()

    def fail_midway(group_or_file, model, *args):
        group_or_file.create_group("half_written")
        raise RuntimeError("disk full")

    monkeypatch.setattr(module, "write_weights", fail_midway)
    with pytest.raises(RuntimeError, match="disk full"):
        small_model(units=4).save(path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == [path.name]  # no temporary file left behind
    np.testing.assert_array_equal(load_model(path).predict(X), old.predict(X))


def test_a_crash_mid_save_leaves_the_previous_file_intact(tmp_path):
    """A process killed while writing (os._exit: no cleanup runs) cannot damage the file it was replacing."""
    path = tmp_path / "model.keras"
    small_model().save(path)
    before = path.read_bytes()
    script = textwrap.dedent(f"""
        import os
        from zerodl.layers import Dense
        from zerodl.models import Sequential
        from zerodl.saving import keras_zip
        original = keras_zip.write_weights
        def crash(f, model, *args):
            original(f, model, *args)
            os._exit(3)
        keras_zip.write_weights = crash
        Sequential([Dense(7, input_shape=(3,))]).save({str(path)!r})
    """)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True)
    assert result.returncode == 3
    assert path.read_bytes() == before
    assert load_model(path).layers[0].units == 2


def test_saving_keeps_an_ordinary_file_mode(tmp_path):
    small_model().save(tmp_path / "m.keras")
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(tmp_path / "m.keras").st_mode & 0o777 == 0o666 & ~umask


# --- corrupt, truncated, missing -----------------------------------------------------------------
@pytest.mark.parametrize("ext", ["keras", "h5", "weights.h5"])
def test_truncated_files_give_an_error_naming_the_file(tmp_path, ext):
    path = tmp_path / f"model.{ext}"
    model = small_model()
    model.save_weights(path) if ext == "weights.h5" else model.save(path)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(ValueError, match=f"model.{ext}"):
        model.load_weights(path) if ext == "weights.h5" else load_model(path)


def test_garbage_and_missing_files(tmp_path):
    (tmp_path / "noise.keras").write_bytes(b"this is not a model" * 10)
    with pytest.raises(ValueError, match="noise.keras"):
        load_model(tmp_path / "noise.keras")
    with pytest.raises(ValueError, match="noise.keras"):
        small_model().load_weights(tmp_path / "noise.keras")
    with pytest.raises(FileNotFoundError, match="absent.keras"):
        load_model(tmp_path / "absent.keras")


def test_a_zip_with_a_broken_config_names_the_file(tmp_path):
    path = tmp_path / "m.keras"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("config.json", "{not json")
    with pytest.raises(ValueError, match="m.keras"):
        load_model(path)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("metadata.json", "{}")
    with pytest.raises(ValueError, match="config.json"):
        load_model(path)


def test_a_weights_only_h5_is_not_a_model(tmp_path):
    small_model().save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match="load_weights"):
        load_model(tmp_path / "w.h5")


def test_without_h5py_the_error_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "h5py", None)
    with pytest.raises(ImportError, match=r"zerodl\[h5\]"):
        small_model().save(tmp_path / "m.keras")


# --- Lambda and code ------------------------------------------------------------------------------
def double(x):
    return ops.multiply(x, 2.0)


@pytest.mark.parametrize("ext", ["keras", "h5"])
def test_lambda_layers_load_only_with_safe_mode_off_and_the_function_given(tmp_path, ext):
    inputs = Input((3,))
    model = Model(inputs, Dense(1)(Lambda(double, name="twice")(inputs)))
    path = tmp_path / f"m.{ext}"
    model.save(path)
    with pytest.raises(ValueError, match="safe_mode=False"):
        load_model(path)
    with pytest.raises(ValueError, match="custom_objects"):
        load_model(path, safe_mode=False)
    copy = load_model(path, safe_mode=False, custom_objects={"twice": double})
    np.testing.assert_array_equal(copy.predict(X), model.predict(X))
    by_function_name = load_model(path, safe_mode=False, custom_objects={"double": double})
    np.testing.assert_array_equal(by_function_name.predict(X), model.predict(X))


def test_python_code_in_a_file_is_never_run(tmp_path):
    """A Keras-style Lambda whose stored bytecode would write a file: zerodl refuses it even with
    safe_mode=False (the function must come from custom_objects), and the file is never written."""
    marker = tmp_path / "pwned"
    evil = eval(f"lambda x: open({str(marker)!r}, 'w') or x")  # noqa: S307 (the test's own code)
    model = Sequential([Lambda(evil, input_shape=(3,), output_shape=(3,))])
    model.save(tmp_path / "m.keras")
    config = zipfile.ZipFile(tmp_path / "m.keras").read("config.json").decode()
    assert "__lambda__" in config  # the bytecode is there, as Keras writes it
    for safe_mode in (True, False):
        with pytest.raises(ValueError, match="Lambda"):
            load_model(tmp_path / "m.keras", safe_mode=safe_mode)
    assert not marker.exists()


# --- custom objects -------------------------------------------------------------------------------
def test_unknown_classes_and_functions_ask_for_custom_objects(tmp_path):
    from zerodl.layers import Layer

    class Scale(Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.gain = self.add_weight("gain", (input_shape[-1],), "ones")

        def call(self, inputs):
            return ops.multiply(ops.multiply(inputs, self.gain), self.factor)

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    def my_loss(y_true, y_pred):
        return ops.mean(ops.abs(ops.subtract(y_true, y_pred)), axis=-1)

    model = Sequential([Dense(3, input_shape=(3,)), Scale(3.0)])
    model.compile("adam", my_loss)
    model.fit(X, X, epochs=2, verbose=0)
    for ext in ("keras", "h5"):
        model.save(tmp_path / f"m.{ext}")
        with pytest.raises(ValueError, match="custom_objects"):
            load_model(tmp_path / f"m.{ext}")
        with pytest.raises(ValueError, match="my_loss"):
            load_model(tmp_path / f"m.{ext}", custom_objects={"Scale": Scale})
        copy = load_model(tmp_path / f"m.{ext}", custom_objects={"Scale": Scale, "my_loss": my_loss})
        assert copy.layers[1].factor == 3.0
        np.testing.assert_array_equal(copy.predict(X), model.predict(X))
        assert copy.optimizer.iterations == model.optimizer.iterations
        uncompiled = load_model(tmp_path / f"m.{ext}", custom_objects={"Scale": Scale}, compile=False)
        np.testing.assert_array_equal(uncompiled.predict(X), model.predict(X))
