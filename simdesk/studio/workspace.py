"""The folder the studio was given: the only place it reads scenarios from or saves to.

Every name the page sends is checked here: a relative path of a ``.yaml``/``.yml`` file
whose resolved location (symlinks followed) lies inside the folder; ``..``, absolute
paths and links that lead out are refused.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path, PurePosixPath

from simdesk.errors import SimdeskError

SUFFIXES = (".yaml", ".yml")
SKIPPED = ("results", "node_modules", "__pycache__")
"""Subfolders never listed (besides hidden ones)."""
SAFE_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.+-]*")
"""One part of a file name the page may name: no leading dot, no separators."""


class Workspace:
    """A folder of scenarios (and the file to open first)."""

    def __init__(self, target: str | Path) -> None:
        given = Path(target)
        self.initial: str
        """The file the page opens first."""
        if not given.exists():
            raise SimdeskError(f"{given}: no such file or folder")
        if given.is_dir():
            self.root = given.resolve()
            files = self.files()
            if not files:
                raise SimdeskError(f"{given}: no scenario (.yaml or .yml) in this folder or "
                                   "the folders just below it")
            self.initial = files[0]
        else:
            if given.suffix not in SUFFIXES:
                raise SimdeskError(f"{given}: a scenario is a .yaml or .yml file")
            self.root = given.resolve().parent
            self.initial = given.resolve().name

    def files(self) -> list[str]:
        """The scenario files in the folder and its subfolders (one level down), as
        relative POSIX names; hidden folders, ``results`` and links leading out left out."""
        found: list[str] = []
        below = sorted(p for p in self.root.iterdir()
                       if p.is_dir() and not p.name.startswith(".") and p.name not in SKIPPED)
        folders = [self.root, *below]
        for folder in folders:
            for path in sorted(folder.iterdir()):
                if path.suffix in SUFFIXES and path.is_file() and self._inside(path):
                    found.append(path.relative_to(self.root).as_posix())
        return found

    def _inside(self, path: Path) -> bool:
        return path.resolve().is_relative_to(self.root)

    def path(self, name: str) -> Path:
        """The file ``name`` names inside the folder; :class:`SimdeskError` otherwise."""
        pure = PurePosixPath(name)
        if (not name or "\\" in name or pure.is_absolute()
                or not all(SAFE_PART.fullmatch(part) for part in pure.parts)):
            raise SimdeskError(f"{name!r}: give a file name inside {self.root} (letters, "
                               "digits, spaces, _ . + -; no '..', no absolute path)")
        if pure.suffix not in SUFFIXES:
            raise SimdeskError(f"{name!r}: a scenario file ends in .yaml or .yml")
        path = self.root.joinpath(*pure.parts)
        if not self._inside(path):
            raise SimdeskError(f"{name!r} leads out of {self.root} (a link); refused")
        return path

    def read(self, name: str) -> str:
        path = self.path(name)
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SimdeskError(f"{name}: cannot read: {exc}") from None

    def write(self, name: str, text: str) -> Path:
        """Write ``text`` to ``name`` atomically (a temporary file beside it, renamed)."""
        path = self.path(name)
        if not path.parent.is_dir():
            raise SimdeskError(f"{name}: no such folder in {self.root}")
        handle, partial = tempfile.mkstemp(prefix=".studio-", suffix=".partial",
                                           dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            Path(partial).replace(path)
        except OSError as exc:
            Path(partial).unlink(missing_ok=True)
            raise SimdeskError(f"{name}: cannot write: {exc.strerror or exc}") from None
        return path
