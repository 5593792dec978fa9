"""Hand memory freed while reading a big export back to the system.

Reading a million-ticket export makes and frees many short-lived arrays and strings.
glibc keeps freed heap pages for reuse and Arrow's allocator keeps its own, so the
process's resident memory stays near its high-water mark and the next step's arrays
stack on top of it. pandas' objects also hold one another in reference cycles (caches,
views), which keep a column's arrays alive after it is deleted until the cyclic
collector runs. :func:`give_back` collects them and returns both (``malloc_trim``, Arrow's
``release_unused``) at the boundaries between steps; on systems without glibc it does
nothing but Arrow's part.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
from collections.abc import Callable


@functools.cache
def _trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        trim = getattr(libc, "malloc_trim", None)
    except OSError:  # pragma: no cover - no C library to load
        return None
    return trim if callable(trim) else None


def system_pool() -> None:
    """Let Arrow allocate with the C library's ``malloc`` from now on: its default
    pool (mimalloc or jemalloc) keeps freed pages, so the reader's many short-lived
    Arrow columns piled up; glibc hands them back (:func:`give_back`)."""
    try:
        import pyarrow as pa

        if _trim() is not None:
            pa.set_memory_pool(pa.system_memory_pool())
    except (ImportError, AttributeError):  # pragma: no cover - older pyarrow
        pass


def give_back() -> None:
    """Free what only reference cycles still hold, then return freed memory to the
    system (glibc heap pages, Arrow's pool)."""
    gc.collect()
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except (ImportError, AttributeError):  # pragma: no cover - older pyarrow
        pass
    trim = _trim()
    if trim is not None:
        trim(0)


__all__ = ["give_back", "system_pool"]
