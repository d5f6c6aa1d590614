import ctypes
import sys

import numpy as np
import pytest

from zerodl import _malloc

LIBC = ctypes.CDLL(None) if sys.platform.startswith("linux") else None


class _Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                     "fsmblks", "uordblks", "fordblks", "keepcost")]


@pytest.mark.skipif(LIBC is None or not hasattr(LIBC, "mallinfo2"), reason="mallinfo2 is glibc's (2.33 and later)")
def test_after_settle_a_16_mib_array_comes_from_the_heap_not_a_fresh_mmap(monkeypatch):
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    LIBC.mallinfo2.restype = _Mallinfo2
    assert _malloc.settle()
    mapped = LIBC.mallinfo2().hblkhd  # bytes held in mmapped blocks
    a = np.ones(4 << 20, np.float32)
    assert LIBC.mallinfo2().hblkhd == mapped
    assert a.sum() == 4 << 20


def test_settle_leaves_the_users_own_malloc_settings(monkeypatch):
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "131072")
    assert _malloc.settle() is False
