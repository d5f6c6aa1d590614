"""File kinds, the optional h5py import, and errors that name the file."""
import contextlib
import os
import zipfile

_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def h5py():
    """The h5py module, imported on first use (it is the optional extra `zerodl[h5]`)."""
    try:
        import h5py as module
    except ImportError as error:
        raise ImportError("Saving and loading HDF5 files (.keras, .h5) needs h5py: pip install 'zerodl[h5]' "
                          "(or pip install h5py).") from error
    return module


def kind(path):
    """'zip', 'hdf5' or None, from the file's first bytes (HDF5 may start after a user block)."""
    with open(path, "rb") as f:
        head = f.read(8)
        if head[:4] == b"PK\x03\x04" or (head[:4] in (b"PK\x05\x06", b"PK\x07\x08") and zipfile.is_zipfile(path)):
            return "zip"
        offset = 0
        while head:
            if head == _HDF5_SIGNATURE:
                return "hdf5"
            offset = 512 if offset == 0 else offset * 2
            f.seek(offset)
            head = f.read(8)
    return None


def check_exists(path):
    if not os.path.exists(path):
        raise FileNotFoundError(f"No such file: '{path}'.")
    if os.path.isdir(path):
        raise IsADirectoryError(f"'{path}' is a directory, not a saved model or weights file (a TensorFlow "
                                f"SavedModel directory cannot be loaded; save with model.save('model.keras')).")


def corrupt(path, error):
    """The error for a file that cannot be read: it names the file and what went wrong."""
    return ValueError(f"Cannot read '{path}': the file is corrupt, truncated or not what its name says "
                      f"({type(error).__name__}: {error}).")


@contextlib.contextmanager
def naming(path):
    """Errors while building a model from the config in `path` say which file it was."""
    try:
        yield
    except ValueError as error:
        raise ValueError(f"'{path}': {error}") from error
    except (KeyError, TypeError, AttributeError, IndexError) as error:
        raise ValueError(f"'{path}': the model config is malformed ({type(error).__name__}: {error}).") from error


def check_overwrite(path, overwrite):
    if not overwrite and os.path.exists(path):
        raise FileExistsError(f"'{path}' exists and overwrite=False.")
