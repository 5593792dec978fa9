"""A history's tickets as counts per channel: per local day, and per local day × hour."""

from __future__ import annotations

import numpy as np
import pandas as pd

from simdesk.fit.history import History


def day_index(history: History, days: int | None = None) -> pd.DatetimeIndex:
    """Local midnight of every day of the history (or of its first ``days``)."""
    return pd.date_range(history.first_day.normalize(), periods=days or history.days,
                         freq="D")


def hourly_counts(history: History) -> dict[str, np.ndarray]:
    """channel → ``days × 24`` tickets created in each local hour, busiest channel first."""
    tickets = history.tickets
    created = tickets["created"]
    day = (created.dt.normalize() - history.first_day.normalize()).dt.days.to_numpy()
    cell = day * 24 + created.dt.hour.to_numpy()
    result: dict[str, np.ndarray] = {}
    for channel in tickets["channel"].value_counts(sort=True).index:
        mine = (tickets["channel"] == channel).to_numpy()
        table = np.bincount(cell[mine], minlength=history.days * 24)[: history.days * 24]
        result[str(channel)] = table.reshape(history.days, 24).astype(float)
    return result


def daily_counts(hourly: np.ndarray, days: pd.DatetimeIndex) -> pd.Series:
    """Tickets per day from a ``days × 24`` table."""
    return pd.Series(hourly.sum(axis=1), index=days)


__all__ = ["daily_counts", "day_index", "hourly_counts"]
