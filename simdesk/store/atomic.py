"""The one atomic write: a file appears whole, or not at all.

The content goes to a temporary file created exclusively (``O_CREAT | O_EXCL``, which
does not follow a symlink) under an unpredictable name in the same folder, and is moved
over the target by ``rename`` (which replaces a symlink at the target rather than
writing through it). A write that fails — a full disk, a read-only folder, an interrupt
— removes the temporary file and leaves the target as it was; an ``OSError`` becomes a
:class:`~simdesk.errors.SimdeskError` naming the file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from simdesk.errors import SimdeskError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_MODE = 0o666 & ~_umask()
FOLDER_MODE = 0o777 & ~_umask()
"""The mode a new folder gets from ``mkdir`` under this process's umask."""


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write`` with a fresh temporary path beside ``path``, then move it into
    place; nothing is left behind when it fails, and an empty result is refused."""
    path = Path(path)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial",
                                    dir=path.parent)
    except OSError as exc:
        raise SimdeskError(f"cannot write {path}: {exc.strerror or exc}") from None
    temporary = Path(name)
    try:
        os.fchmod(fd, _MODE)
        os.close(fd)
        write(temporary)
        if temporary.stat().st_size == 0:
            raise SimdeskError(f"cannot write {path}: nothing was written (disk full?)")
        temporary.replace(path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise SimdeskError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def atomic_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
