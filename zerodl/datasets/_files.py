"""Dataset files: the cache Keras uses (~/.keras/datasets, or $KERAS_HOME/datasets), downloads written
atomically and checked against Keras's published hashes, and a clear error when offline."""
import hashlib
import os
import shutil
import tarfile
import urllib.error
import urllib.request

from ..saving.atomic import atomic_path

KERAS_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


class DatasetNotFoundError(FileNotFoundError):
    """A dataset file is not on this machine and could not be downloaded."""


def keras_home():
    """$KERAS_HOME, else ~/.keras (/tmp/.keras when the home directory is not writable), as Keras decides."""
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    home = os.path.expanduser("~")
    return os.path.join(home if os.access(home, os.W_OK) else "/tmp", ".keras")


def cache_dir(subdir="datasets"):
    return os.path.join(os.path.expanduser(keras_home()), subdir)


def data_dir():
    """The directory named by ZERODL_DATA_DIR, or None."""
    value = os.environ.get("ZERODL_DATA_DIR")
    return value if value and os.path.isdir(value) else None


def file_digest(path, algorithm):
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _algorithm(file_hash):
    return "sha256" if len(file_hash) == 64 else "md5"  # Keras publishes md5 for the word indexes


def hash_matches(path, file_hash):
    return file_hash is None or file_digest(path, _algorithm(file_hash)) == file_hash.lower()


def get_file(fname, origin, file_hash=None, cache_subdir="datasets", hint=""):
    """The local path of `fname`: a path given with a directory is used as it is; a bare name is looked
    up in the Keras cache, and downloaded there from `origin` once (and again if its hash does not match)."""
    fname = os.fspath(fname)
    if os.path.dirname(fname):
        target, check = os.path.abspath(os.path.expanduser(fname)), False  # the user's own file
    else:
        target, check = os.path.join(cache_dir(cache_subdir), fname), True
    if os.path.exists(target) and (not check or hash_matches(target, file_hash)):
        return target
    download(origin, target, file_hash, hint)
    return target


def download(origin, target, file_hash=None, hint=""):
    """Fetch `origin` into `target` atomically; the hash is checked before the file takes its place."""
    where = f"{target}" + (f" ({_algorithm(file_hash)} {file_hash})" if file_hash else "")
    if os.environ.get("ZERODL_OFFLINE"):
        raise DatasetNotFoundError(f"{os.path.basename(target)} is not on this machine and ZERODL_OFFLINE is set. "
                                   f"Download {origin} and place it at {where}.{hint}")
    print(f"Downloading data from {origin}")
    try:
        with urllib.request.urlopen(origin, timeout=60) as response, atomic_path(target) as tmp:
            with open(tmp, "wb") as out:
                for chunk in iter(lambda: response.read(1 << 20), b""):
                    out.write(chunk)
            if file_hash is not None and not hash_matches(tmp, file_hash):
                raise ValueError(f"The file downloaded from {origin} is incomplete or corrupted: its "
                                 f"{_algorithm(file_hash)} hash is not {file_hash}. Nothing was saved.")
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DatasetNotFoundError(f"Could not download {origin} ({reason}). Without network access, download "
                                   f"it elsewhere and place it at {where}.{hint}") from error


def extract_tar(archive, destination):
    """Unpack a .tar.gz into `destination`, refusing members that would land outside it."""
    root = os.path.realpath(destination)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            path = os.path.realpath(os.path.join(root, member.name))
            if os.path.commonpath([root, path]) != root or member.issym() or member.islnk():
                raise ValueError(f"Refusing to extract '{member.name}' from {archive}: it points outside "
                                 f"{destination}.")
        partial = destination + ".partial"
        shutil.rmtree(partial, ignore_errors=True)
        if hasattr(tarfile, "data_filter"):
            tar.extractall(partial, filter="data")
        else:
            tar.extractall(partial)
    os.replace(partial, destination)
