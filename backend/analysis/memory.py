"""Large buffers go back to the system when freed (glibc's malloc otherwise keeps them).

ONNX Runtime allocates and frees tens of MB per model window. glibc serves an allocation of
more than M_MMAP_THRESHOLD with its own mmap and returns it on free, but after each such free it
raises the threshold (up to 32 MB), so later buffers come from the heap and stay resident once
freed: an analysis of a 1080p file peaked at 542 MB. A fixed threshold (which also turns that
adjustment off) keeps every buffer over 1 MB its own mapping: the same analysis peaks at ~330 MB
(bench/analysis.py prints the peak).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading

M_MMAP_THRESHOLD = -3  # from glibc's malloc.h
THRESHOLD_BYTES = 1 << 20

_done = False
_lock = threading.Lock()


def return_large_buffers() -> None:
    """Fix glibc's mmap threshold for this process (once; nothing where libc is not glibc)."""
    global _done
    with _lock:
        if _done:
            return
        _done = True
        name = ctypes.util.find_library("c")
        if name is None:
            return
        try:
            mallopt = ctypes.CDLL(name).mallopt
        except (OSError, AttributeError):  # not glibc (musl, macOS): its own malloc policy
            return
        mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        mallopt(M_MMAP_THRESHOLD, THRESHOLD_BYTES)
