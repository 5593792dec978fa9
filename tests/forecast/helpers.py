"""Synthetic histories with a known trend, weekday pattern and holidays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import numpy as np
import pandas as pd

from simdesk.fit.badrows import BadRows
from simdesk.fit.history import History

WEEKDAYS = np.array([1.0, 1.1, 1.0, 0.95, 0.9, 0.35, 0.25])
"""The true weekday pattern (Monday = 1)."""
HOURS = np.r_[np.full(8, 0.2), np.full(10, 1.0), np.full(6, 0.4)]
"""The true hour shape (relative)."""
FIRST = dt.date(2025, 9, 1)  # a Monday


def true_means(days: pd.DatetimeIndex, *, level: float = 150.0, growth: float = 0.015,
               holidays: Collection[dt.date] = (), holiday_factor: float = 0.3,
               yearly: float = 0.0) -> np.ndarray:
    """The true expected tickets of each day: level × (1 + growth)^(weeks) × weekday ×
    (1 + yearly · sin) × holiday factor."""
    t = np.asarray((days - pd.Timestamp(FIRST)).days, dtype=float)
    season = 1 + yearly * np.sin(2 * np.pi * np.asarray(days.day_of_year) / 365.25)
    mean = level * (1 + growth) ** (t / 7) * WEEKDAYS[np.asarray(days.day_of_week)] * season
    off = np.array([d.date() in holidays for d in days])
    return np.where(off, mean * holiday_factor, mean)


def daily_draws(means: np.ndarray, rng: np.random.Generator, alpha: float = 0.01
                ) -> np.ndarray:
    """Negative-binomial (NB2) counts around ``means``."""
    rate = means * rng.gamma(1 / alpha, alpha, len(means)) if alpha > 0 else means
    return rng.poisson(rate)


def history_of(counts: dict[str, np.ndarray], rng: np.random.Generator,
               first: dt.date = FIRST) -> History:
    """A :class:`History` whose tickets arrive ``counts[channel][day]`` a day, spread over
    the hours by :data:`HOURS`."""
    shares = HOURS / HOURS.sum()
    frames = []
    for channel, per_day in counts.items():
        day = np.repeat(np.arange(len(per_day)), per_day)
        hour = rng.choice(24, size=len(day), p=shares)
        minute = rng.uniform(0, 60, size=len(day))
        created = (pd.Timestamp(first) + pd.to_timedelta(day, unit="D")
                   + pd.to_timedelta(hour * 60 + minute, unit="min"))
        frames.append(pd.DataFrame({"created": created, "channel": channel}))
    tickets = pd.concat(frames, ignore_index=True).sort_values("created", ignore_index=True)
    tickets["created"] = tickets["created"].astype("datetime64[ns]")
    days = max(len(v) for v in counts.values())
    return History(source="synthetic.csv", preset="simdesk", zone=None, rows=len(tickets),
                   tickets=tickets, steps=pd.DataFrame(), first_day=pd.Timestamp(first),
                   days=days, columns={"created_at": "created_at", "channel": "channel"},
                   bad=BadRows(), notes=())
