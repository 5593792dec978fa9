"""A forecast on disk: ``NAME.csv`` (per channel and day: mean and prediction interval)
and ``NAME.hourly.csv`` (per channel, day and hour: the mean), each written whole."""

from __future__ import annotations

from pathlib import Path

from simdesk.forecast.forecast import Forecast
from simdesk.store.atomic import atomic_write
from simdesk.store.spreadsheet import neutralised


def hourly_path(path: Path) -> Path:
    """``forecast.csv`` → ``forecast.hourly.csv``."""
    return path.with_name(f"{path.stem}.hourly{path.suffix or '.csv'}")


def write_forecast(forecast: Forecast, path: Path) -> tuple[Path, Path]:
    """Write the daily and the hourly table; channel names a spreadsheet would run are
    written as text."""
    path.parent.mkdir(parents=True, exist_ok=True)
    daily = neutralised(forecast.table())
    hourly = neutralised(forecast.hourly_table())
    atomic_write(path, lambda p: daily.to_csv(p, index=False))
    second = hourly_path(path)
    atomic_write(second, lambda p: hourly.to_csv(p, index=False))
    return path, second


__all__ = ["hourly_path", "write_forecast"]
