"""save_model / load_model / save_weights / load_weights: the format follows the file name on saving
and the file's content on loading."""
import os

from . import files, keras_zip, legacy_h5
from ..config import rng


def _model_format(path, save_format):
    if save_format in ("keras", "keras_v3"):
        return "keras"
    if save_format in ("h5", "hdf5"):
        return "h5"
    if save_format not in (None, "tf"):
        raise ValueError(f"Unknown save_format={save_format!r}: use 'keras' or 'h5'.")
    if save_format is None and path.endswith(".keras"):
        return "keras"
    if save_format is None and path.endswith((".h5", ".hdf5")):
        return "h5"
    raise ValueError(f"Invalid filepath extension for saving: '{path}'. Use a '.keras' extension for the Keras 3 "
                     f"format (recommended) or '.h5'/'.hdf5' for the Keras 2 HDF5 format, or pass save_format="
                     f"'keras' or 'h5'. (zerodl does not write TensorFlow SavedModel directories.)")


def save_model(model, filepath, overwrite=True, include_optimizer=True, save_format=None, **kwargs):
    """Save architecture, weights, compile() settings and optimizer state (Keras 3 `.keras` or Keras 2 `.h5`).

    The write is atomic: if it fails midway, an existing file at `filepath` is left as it was.
    """
    filepath = os.fspath(filepath)
    fmt = _model_format(filepath, save_format)
    files.check_overwrite(filepath, overwrite)
    (keras_zip if fmt == "keras" else legacy_h5).save_model(model, filepath, include_optimizer)


class _KeepRandomState:
    """Loading builds layers, whose initializers draw from zerodl's generator; put its state back after,
    so that loading between two fits does not change the shuffles and dropout masks that follow."""

    def __enter__(self):
        self.generator = rng()
        self.state = self.generator.bit_generator.state

    def __exit__(self, *exc):
        self.generator.bit_generator.state = self.state


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model saved by zerodl or Keras (`.keras` zip or `.h5`), compiled as it was saved when compile=True.

    Nothing in the file is executed: a Lambda layer loads only with safe_mode=False, its function taken
    from custom_objects; user classes and functions come from custom_objects by name.
    """
    filepath = os.fspath(filepath)
    files.check_exists(filepath)
    found = files.kind(filepath)
    with _KeepRandomState():
        if found == "zip":
            return keras_zip.load_model(filepath, custom_objects, compile, safe_mode)
        if found == "hdf5":
            return legacy_h5.load_model(filepath, custom_objects, compile, safe_mode)
    raise ValueError(f"Cannot load '{filepath}': it is neither a Keras 3 '.keras' zip archive nor an HDF5 '.h5' "
                     f"file (corrupt, truncated or of another kind).")


def save_weights(model, filepath, overwrite=True, save_format=None, **kwargs):
    """Weights only: '.weights.h5' in the Keras 3 layout, '.h5'/'.hdf5' in the Keras 2 layout. Atomic."""
    filepath = os.fspath(filepath)
    files.check_overwrite(filepath, overwrite)
    if save_format in ("keras", "keras_v3") or (save_format is None and filepath.endswith(".weights.h5")):
        keras_zip.save_weights(model, filepath)
    elif save_format in ("h5", "hdf5") or (save_format is None and filepath.endswith((".h5", ".hdf5"))):
        legacy_h5.save_weights(model, filepath)
    else:
        raise ValueError(f"The filename must end in '.weights.h5' (Keras 3 layout) or '.h5'/'.hdf5' (Keras 2 "
                         f"layout), or pass save_format='keras' or 'h5'. Received: filepath='{filepath}'.")


def load_weights(model, filepath, skip_mismatch=False, by_name=False, **kwargs):
    """Weights from a '.weights.h5' (Keras 3), a '.h5' (Keras 2, weights-only or whole model) or a '.keras' file."""
    filepath = os.fspath(filepath)
    files.check_exists(filepath)
    found = files.kind(filepath)
    if found == "zip":
        return keras_zip.load_weights(model, filepath, skip_mismatch)
    if found != "hdf5":
        raise ValueError(f"Cannot load weights from '{filepath}': it is not an HDF5 or '.keras' file (corrupt, "
                         f"truncated or of another kind).")
    h5py = files.h5py()
    try:
        with h5py.File(filepath, "r") as f:
            keras3 = "vars" in f or "layers" in f
    except OSError as error:
        raise files.corrupt(filepath, error) from None
    if keras3 and not by_name:
        return keras_zip.load_weights(model, filepath, skip_mismatch)
    return legacy_h5.load_weights(model, filepath, by_name, skip_mismatch)
