"""Atomic writes: build the file beside its destination, then swap it in with one `os.replace`.

A crash or an error mid-save leaves the previous file (if any) untouched and no temporary file behind.
"""
import contextlib
import os
import tempfile


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path in the directory of `path`; on a clean exit it replaces `path`."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as f:  # on disk before it takes the place of the old file
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it 0600; give it an ordinary file's mode
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


@contextlib.contextmanager
def atomic_open(path, mode="wb"):
    """`open(path, mode)` for writing, atomically (see `atomic_path`)."""
    with atomic_path(path) as tmp, open(tmp, mode) as f:
        yield f
