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


def _trim() -> Callable[[int], int] | None:
    trim = getattr(_libc(), "malloc_trim", None)
    return trim if callable(trim) else None


MMAP_THRESHOLD = 1 << 20
"""Bytes from which glibc gives each allocation its own pages (``mmap``), handed back
the moment it is freed. glibc raises this threshold as big blocks are freed, after which
a million-row column's temporaries come from the heap and stay resident; fixing it
keeps them out (a little more system time for a lower peak)."""
_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:  # pragma: no cover - no C library to load
        return None


LEAN_BYTES = 10 * 2**20
"""Exports from this size on (about 60,000 tickets) are read leanly; below it the peak is
small and collecting cycles at every step (~40 ms each) would cost more than it saves."""
_LEAN: list[bool] = [False]


def lean_allocation(size: int) -> None:
    """For an export of ``size`` bytes from :data:`LEAN_BYTES` on, allocate so that freed
    memory goes back to the system: big blocks get their own pages
    (:data:`MMAP_THRESHOLD`), and Arrow allocates with the C library's ``malloc`` (its
    default pool, mimalloc or jemalloc, keeps freed pages, so the reader's many
    short-lived Arrow columns piled up); and let :func:`give_back` work. Only with glibc;
    elsewhere, and for smaller exports, nothing changes."""
    _LEAN[0] = size >= LEAN_BYTES
    if not _LEAN[0]:
        return
    libc = _libc()
    mallopt = getattr(libc, "mallopt", None)
    if not callable(mallopt) or not callable(getattr(libc, "malloc_trim", None)):
        return
    mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    try:
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
    except (ImportError, AttributeError):  # pragma: no cover - older pyarrow
        pass


def give_back() -> None:
    """Free what only reference cycles still hold, then return freed memory to the
    system (glibc heap pages, Arrow's pool) — while a big export is read
    (:func:`lean_allocation`); otherwise nothing."""
    if not _LEAN[0]:
        return
    gc.collect()
    try:
        import pyarrow as pa

        pa.default_memory_pool().release_unused()
    except (ImportError, AttributeError):  # pragma: no cover - older pyarrow
        pass
    trim = _trim()
    if trim is not None:
        trim(0)


__all__ = ["LEAN_BYTES", "MMAP_THRESHOLD", "give_back", "lean_allocation"]
