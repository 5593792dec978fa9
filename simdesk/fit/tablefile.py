"""A ticket export read from disk as text columns, for :mod:`simdesk.fit.history`.

Only a regular file is read (never a device, pipe or folder). CSV rows whose number of
fields differs from the header's are left out and listed with their line numbers, and
the remaining rows keep their true line numbers; Parquet rows are numbered from 1.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from simdesk.errors import SimdeskError

_RAGGED = re.compile(r"Skipping line (\d+): expected (\d+) fields?, saw (\d+)")


def _checked(path: Path) -> None:
    import stat

    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise SimdeskError(f"{path}: no such file") from None
    except OSError as exc:
        raise SimdeskError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(mode):
        raise SimdeskError(f"{path}: not a regular file (a device, pipe or folder); give "
                           "a CSV or Parquet export")


def _parquet(path: Path) -> bool:
    return path.name.lower().endswith((".parquet", ".pq"))


def read_header(path: Path) -> list[str]:
    """The file's column names (stripped), without reading its rows."""
    _checked(path)
    try:
        if _parquet(path):
            import pyarrow.parquet as pq

            names = pq.read_schema(path).names
        else:
            names = list(pd.read_csv(path, dtype=str, nrows=0).columns)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise SimdeskError(f"{path}: cannot read it as "
                           f"{'Parquet' if _parquet(path) else 'CSV'}: {exc}") from None
    return [str(c).strip() for c in names]


def _fast_csv(path: Path, usecols: list[str] | None) -> pd.DataFrame | None:
    """The CSV read by pyarrow (several times faster), or ``None`` when it cannot be
    (a row with the wrong number of fields, ...): the careful reader then lists them."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                               engine="pyarrow", usecols=usecols)
    except Exception:  # any trouble: the C reader explains it
        return None


def read_table(path: Path, columns: list[str] | None = None
               ) -> tuple[pd.DataFrame, str, np.ndarray, dict[int, str]]:
    """The file as text columns (only ``columns`` when given: names as in the header,
    stripped), how its rows are numbered, each row's number, and the lines left out
    because they do not have the header's number of fields."""
    _checked(path)
    ragged: dict[int, str] = {}
    usecols = None
    found: pd.DataFrame | None = None
    if columns is not None:
        raw = {str(c).strip(): c for c in (pq_names(path) if _parquet(path)
                                           else pd.read_csv(path, dtype=str, nrows=0).columns)}
        usecols = [raw[c] for c in columns if c in raw]
    try:
        if _parquet(path):
            frame = pd.read_parquet(path, columns=usecols)
            unit = "row"
        else:
            unit = "line"
            found = _fast_csv(path, usecols)
            if found is not None:
                frame = found
            else:
                with warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always", pd.errors.ParserWarning)
                    # every column: with usecols the C reader does not see ragged rows
                    frame = pd.read_csv(path, dtype=str, keep_default_na=False,
                                        skipinitialspace=True, on_bad_lines="warn")
                if usecols is not None:
                    frame = frame[usecols]
                for warning in caught:
                    for match in _RAGGED.finditer(str(warning.message)):
                        ragged[int(match.group(1))] = (
                            f"has {match.group(3)} fields, the header {match.group(2)}")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise SimdeskError(f"{path}: cannot read it as "
                           f"{'Parquet' if _parquet(path) else 'CSV'}: {exc}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if found is not None:  # empty fields are already missing
        return frame, unit, np.arange(2, len(frame) + 2), ragged
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            strings = values.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
        elif pd.api.types.is_string_dtype(values) and unit == "line":
            strings = values
        else:
            strings = values.astype("string")
        blank = strings.isna() | (strings.str.len() == 0) | (
            strings.str.match(r"\s") & (strings.str.strip() == ""))
        frame[column] = strings.mask(values.isna() | blank) if bool(blank.any()) else strings
    if unit == "row":
        return frame, unit, frame.index.to_numpy() + 1, ragged
    lines = np.arange(2, len(frame) + len(ragged) + 2)
    if ragged:
        lines = np.setdiff1d(lines, list(ragged))
    return frame, unit, lines[:len(frame)], ragged


def pq_names(path: Path) -> list[str]:
    import pyarrow.parquet as pq

    return list(pq.read_schema(path).names)
