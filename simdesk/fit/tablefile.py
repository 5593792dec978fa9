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


def read_table(path: Path) -> tuple[pd.DataFrame, str, np.ndarray, dict[int, str]]:
    """The file as text columns, how its rows are numbered, each row's number, and the
    lines left out because they do not have the header's number of fields."""
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
    name = path.name.lower()
    ragged: dict[int, str] = {}
    try:
        if name.endswith((".parquet", ".pq")):
            frame = pd.read_parquet(path)
            unit = "row"
        else:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", pd.errors.ParserWarning)
                frame = pd.read_csv(path, dtype=str, keep_default_na=False,
                                    skipinitialspace=True, on_bad_lines="warn")
            unit = "line"
            for warning in caught:
                for match in _RAGGED.finditer(str(warning.message)):
                    ragged[int(match.group(1))] = (f"has {match.group(3)} fields, the header "
                                                   f"{match.group(2)}")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise SimdeskError(f"{path}: cannot read it as "
                           f"{'Parquet' if name.endswith(('.parquet', '.pq')) else 'CSV'}: "
                           f"{exc}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    text = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        missing = values.isna()
        if pd.api.types.is_datetime64_any_dtype(values):
            strings = values.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
        else:
            strings = values.astype("string")
        text[column] = strings.mask(missing | (strings.str.strip() == ""))
    if unit == "row":
        return text, unit, frame.index.to_numpy() + 1, ragged
    lines = np.arange(2, len(frame) + len(ragged) + 2)
    if ragged:
        lines = np.setdiff1d(lines, list(ragged))
    return text, unit, lines[:len(frame)], ragged
