"""The compiled loop's machine code: built once with numba, cached as an object file, and
loaded by every later process with llvmlite alone.

Loading the loop through numba costs ~0.24 s of CPU in every process — importing numba
(0.12 s) and filling its CPU target's typing registries (0.11 s) — more than the loop takes
on 500,000 tickets. The loop needs none of that at run time: its native function calls
nothing outside itself (no Python, no numba runtime). So the first process that needs it
compiles it with numba, keeps that function and the loop's helpers it calls (numba's
Python and C wrappers are dropped, and with them every outside symbol), has LLVM emit an
object file for this CPU and caches it; later processes load the file with llvmlite's
MCJIT (~0.03 s) and call the function through :mod:`ctypes`, in numba's native calling
convention: a status is returned, and each array is passed as its seven (two-dimensional:
nine) fields — meminfo, parent, length, item size, data, shape, strides.

The file is keyed by the loop's sources, numba's and llvmlite's versions, Python's, and the
host CPU and its features, and holds a digest of its own bytes, so a stale or damaged file
is never loaded; :mod:`~simdesk.engine.compiled` stores it only after a probe desk run both
ways — numba's dispatcher and this machine code — gave the same records bit for bit.
The cache lives where numba would keep its own: ``$NUMBA_CACHE_DIR`` if set, else beside
the loop's source (``__pycache__``), else the user's cache folder.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import platform
import re
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"simdesk-loop-object-1\n"
SOURCES = ("compiled_loop.py", "compiled_slots.py", "native.py")
"""The files whose text decides the machine code (beside this one, in the engine)."""

Runner = Callable[..., int]
"""``runner(f, i, o, arrived, patience, handles, channel, deflected, visits, horizon)``:
runs the loop on those arrays (C-contiguous, of the loop's dtypes); 0 when it ran."""


def cache_file() -> Path | None:
    """Where the object file of this loop, numba, Python and CPU is kept (``None``: llvmlite
    or numba is not installed)."""
    key = _key()
    if key is None:
        return None
    name = f"compiled_loop.{key}.o"
    folder = os.environ.get("NUMBA_CACHE_DIR")
    if folder:
        return Path(folder) / "simdesk" / name
    beside = Path(__file__).resolve().parent / "__pycache__"
    if _writable(beside):
        return beside / name
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return home / "simdesk" / name


def load_cached() -> Runner | None:
    """The loop from its cached object file, or ``None`` (no file, a stale or damaged one,
    or llvmlite cannot load it here)."""
    path = cache_file()
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError:
        return None
    unpacked = _unpack(data)
    if unpacked is None:
        return None
    name, machine_code = unpacked
    try:
        return load(machine_code, name)
    except Exception:  # an llvmlite that cannot load it: numba builds it again
        return None


def build(ir: str, name: str) -> bytes:
    """The object file of ``name`` and the functions it calls, from numba's LLVM IR of the
    loop's library: every other definition (numba's wrappers) is dropped, and the result
    must reference nothing outside itself (else :class:`ValueError`)."""
    import llvmlite.binding as llvm

    module = llvm.parse_assembly(ir)
    kept = []
    for function in module.functions:
        if function.is_declaration:
            continue
        if function.name == name or function.linkage == llvm.Linkage.linkonce_odr:
            kept.append(function)
        else:  # a wrapper: never emitted (only its declaration is left)
            function.linkage = llvm.Linkage.available_externally
    outside = {f.name for f in module.functions if f.is_declaration
               and not f.name.startswith("llvm.")}
    outside |= {g.name for g in module.global_variables if g.is_declaration}
    for function in kept:
        text = str(function)
        used = [symbol for symbol in outside
                if re.search(rf'@"?{re.escape(symbol)}(?![\w.$])', text)]
        if used:
            raise ValueError(f"the loop calls outside itself: {sorted(used)[:3]}")
    module.verify()
    return bytes(_target_machine().emit_object(module))


def store(machine_code: bytes, name: str) -> None:
    """Cache ``machine_code`` (written whole or not at all); a cache that cannot be
    written is left alone: the next process builds it again."""
    path = cache_file()
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".compiled_loop.",
                                         delete=False) as handle:
            written = Path(handle.name)
            try:
                handle.write(_pack(machine_code, name))
                os.fchmod(handle.fileno(), 0o644)  # as numba's own cache files
            except OSError:
                written.unlink(missing_ok=True)
                raise
        written.replace(path)
    except OSError:
        return


_ENGINES: list[Any] = []
"""The MCJIT engines of the loaded loops: kept alive as long as the process (their code)."""


def load(machine_code: bytes, name: str) -> Runner:
    """The loop from ``machine_code`` (as :func:`build` makes it), callable at once."""
    import llvmlite.binding as llvm

    engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), _target_machine())
    engine.add_object_file(llvm.ObjectFileRef.from_data(machine_code))
    engine.finalize_object()
    address = engine.get_function_address(name)
    if not address:
        raise ValueError(f"{name} is not in the object file")
    _ENGINES.append(engine)
    native = _PROTOTYPE(address)

    def runner(f: np.ndarray, i: np.ndarray, o: np.ndarray, *rest: Any) -> int:
        *fates, horizon = rest
        arguments: list[Any] = [ctypes.byref(ctypes.c_void_p()), ctypes.byref(ctypes.c_void_p())]
        for array, (dtype, dims) in zip((f, i, o, *fates), _ARRAYS, strict=True):
            arguments.extend(_fields(array, dtype, dims))
        arguments.append(float(horizon))
        return int(native(*arguments))

    return runner


_ARRAYS = ((np.float64, 1), (np.int64, 1), (np.float64, 1),  # f, i, o
           (np.float64, 1), (np.float64, 1), (np.float64, 2),  # arrived, patience, handles
           (np.int64, 1), (np.bool_, 1), (np.int64, 1))  # channel, deflected, visits
"""The loop's arrays, each with its dtype and dimensions, in the order it takes them."""


def _prototype() -> Any:
    fields: list[Any] = [ctypes.c_void_p, ctypes.c_void_p]  # return slot, exception info
    for _, dims in _ARRAYS:
        fields += [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64,
                   ctypes.c_void_p, *[ctypes.c_int64] * (2 * dims)]
    return ctypes.CFUNCTYPE(ctypes.c_int32, *fields, ctypes.c_double)


_PROTOTYPE = _prototype()
"""The native function's C type (:class:`ctypes.CFUNCTYPE` releases the GIL while it
runs)."""


def _fields(array: np.ndarray, dtype: type, dims: int) -> list[Any]:
    """An array as numba's native convention passes it: no meminfo and no parent (the loop
    allocates and reflects nothing), its length, item size, data, shape and strides; it
    must be C-contiguous, of the loop's dtype and dimensions (else :class:`ValueError`)."""
    if array.dtype != dtype or array.ndim != dims or not array.flags.c_contiguous:
        raise ValueError(f"the loop takes C-contiguous {np.dtype(dtype)} arrays of {dims} "
                         f"dimension(s), not {array.dtype} of shape {array.shape}")
    return [None, None, array.size, array.itemsize, array.ctypes.data,
            *array.shape, *array.strides]


def _target_machine() -> Any:
    import llvmlite.binding as llvm

    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    return llvm.Target.from_default_triple().create_target_machine(
        cpu=llvm.get_host_cpu_name(), features=llvm.get_host_cpu_features().flatten(),
        opt=3, jit=True)


def _key() -> str | None:
    try:
        import llvmlite.binding as llvm

        versions = f"numba {metadata.version('numba')} llvmlite {metadata.version('llvmlite')}"
    except (ImportError, metadata.PackageNotFoundError):
        return None
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for source in SOURCES:
        digest.update((here / source).read_bytes())
    digest.update(versions.encode())
    digest.update(f"{sys.version} {platform.machine()} {sys.platform}".encode())
    digest.update(f"{llvm.get_host_cpu_name()} {llvm.get_host_cpu_features().flatten()}"
                  .encode())
    return digest.hexdigest()[:20]


def _pack(machine_code: bytes, name: str) -> bytes:
    body = name.encode() + b"\n" + machine_code
    return MAGIC + hashlib.sha256(body).hexdigest().encode() + b"\n" + body


def _unpack(data: bytes) -> tuple[str, bytes] | None:
    if not data.startswith(MAGIC):
        return None
    digest, _, body = data[len(MAGIC):].partition(b"\n")
    if hashlib.sha256(body).hexdigest().encode() != digest:
        return None
    name, _, machine_code = body.partition(b"\n")
    return name.decode(), machine_code


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)
