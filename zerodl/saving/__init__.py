"""Saving and loading models, interchangeable with Keras.

- `model.save('m.keras')`: the Keras 3 format (zip of config.json, metadata.json, model.weights.h5).
- `model.save('m.h5')`: the Keras 2 HDF5 format (model_config, model_weights, training_config,
  optimizer_weights).
- `model.save_weights('w.weights.h5')` (Keras 3 layout) or `('w.h5')` (Keras 2 layout); `load_weights`.
- `load_model(path, custom_objects=None, compile=True, safe_mode=True)` reads all of these, whether
  zerodl or Keras wrote them.

Writes are atomic; loading never executes code from the file. The optimizer state is saved, so that
training resumes exactly where it stopped. HDF5 needs h5py, the optional extra `zerodl[h5]`.
One module per format: keras_zip.py, legacy_h5.py; walk.py says how layers map to weight groups.
"""
from .api import load_model, load_weights, save_model, save_weights

__all__ = ["load_model", "load_weights", "save_model", "save_weights"]
