"""Whether an output can be written, checked before any work: the one place commands
ask (light: no pandas, so a command that writes no table does not load it)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from simdesk.errors import SimdeskError

MIN_FREE_BYTES = 16 * 2**20
"""Free space an output needs to be started (16 MiB)."""


def check_writable(path: Path, *, folder: bool = True, option: str = "--out") -> None:
    """Refuse, before any work, an output ``path`` (a folder, or a file with
    ``folder=False``) that cannot be written: a file where a folder goes (or the other
    way round), a path under a file, a read-only place, a full disk."""
    path = Path(path)
    if path.exists() or path.is_symlink():
        if folder and not path.is_dir():
            raise SimdeskError(f"{option} {path}: exists and is not a folder")
        if not folder and path.is_dir():
            raise SimdeskError(f"{option} {path}: is a folder; give a file name")
    existing = path if folder and path.is_dir() else path.parent
    while not existing.exists() and not existing.is_symlink():
        if existing == existing.parent:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise SimdeskError(f"{option} {path}: {existing} is a file, not a folder")
    try:
        if not os.access(existing, os.W_OK | os.X_OK):
            raise SimdeskError(f"{option} {path}: {existing} is not writable (read-only "
                               "or no permission)")
        free = shutil.disk_usage(existing).free
    except OSError as exc:
        raise SimdeskError(f"{option} {path}: {exc.strerror or exc}") from None
    if free < MIN_FREE_BYTES:
        raise SimdeskError(f"{option} {path}: only {free / 2**20:.1f} MiB free on the disk "
                           f"of {existing}; at least {MIN_FREE_BYTES // 2**20} MiB needed")


__all__ = ["MIN_FREE_BYTES", "check_writable"]
