"""``simdesk forecast``: each channel's volume for the coming weeks, from a ticket history.

Per channel, the daily totals are modelled (:mod:`simdesk.forecast.model`: trend, weekday,
yearly season when the history spans two years, holidays) and spread over the hours of
each weekday by the shape of the history's fitted weekday × hour rates
(:mod:`simdesk.fit.arrivals`). The last weeks are held out and forecast again to say how
wrong such a forecast is (:mod:`simdesk.forecast.backtest`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from simdesk.errors import SimdeskError
from simdesk.fit.arrivals import ChannelArrivals, fit_arrivals
from simdesk.fit.history import History
from simdesk.forecast.backtest import Backtest, backtest_channel, held_out_weeks
from simdesk.forecast.counts import daily_counts, day_index, hourly_counts
from simdesk.forecast.model import YEARLY_DAYS, ChannelModel, fit_channel

MIN_DAYS = 14
"""Days of history a forecast needs (two whole weeks: a trend needs more than one)."""
MAX_WEEKS = 26
SEED = 20261205
"""Seed of the predictive draws: the same history gives the same intervals."""


@dataclass(frozen=True)
class ChannelForecast:
    """One channel's forecast: per day the mean and the prediction interval."""

    channel: str
    model: ChannelModel
    days: pd.DatetimeIndex
    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    variance: np.ndarray
    """Predictive variance of each day's tickets."""
    weeks: pd.DataFrame
    """``week`` (its first day), ``mean``, ``low``, ``high``: tickets per forecast week."""
    shares: np.ndarray
    """7 × 24: the share of each weekday's tickets in each hour."""
    history: pd.Series
    """Tickets per day of the history."""
    fitted: np.ndarray
    """The model's mean for each day of the history."""

    def hourly(self) -> np.ndarray:
        """``days × 24`` forecast tickets per hour."""
        hours: np.ndarray = self.mean[:, None] * self.shares[np.asarray(self.days.day_of_week)]
        return hours


@dataclass(frozen=True)
class Forecast:
    """Every channel's forecast, its back-test and what it assumed."""

    source: str
    start: dt.date
    weeks: int
    level: float
    channels: dict[str, ChannelForecast]
    backtests: dict[str, Backtest]
    holidays: frozenset[dt.date]
    yearly: bool
    history_days: int
    notes: tuple[str, ...]

    @property
    def day_cv(self) -> float:
        """The day factor's cv that gives the forecast days their predictive spread beyond
        Poisson: cv² = Σ (variance − mean) / Σ mean² over every channel's open days."""
        extra = sum(float(np.sum(f.variance - f.mean)) for f in self.channels.values())
        square = sum(float(np.sum(f.mean**2)) for f in self.channels.values())
        return math.sqrt(max(extra, 0.0) / square) if square > 0 else 0.0

    def assumptions(self) -> list[str]:
        """What the forecast assumed, one sentence each."""
        terms = "trend (kept only where it lowers the AIC), weekday" + (
            ", yearly season" if self.yearly else "") + (
            f", holidays ({len(self.holidays)} date(s) given)" if self.holidays
            else "; no holidays given (--holidays)")
        lines = [
            f"Daily volume per channel: {terms}.",
            "Hours within each weekday follow the history's fitted weekday × hour shape.",
            f"Prediction intervals ({self.level:.0%}) include the error of the fitted "
            "coefficients and the days' spread (negative binomial), drawn with a fixed seed.",
            "Seasonal-naive repeats the last week seen; WAPE = Σ|error| / Σ actual; MAPE "
            "leaves out days without tickets.",
        ]
        return lines + list(self.notes)

    def table(self) -> pd.DataFrame:
        """One row per channel and day: ``date, weekday, channel, mean, low, high``."""
        frames = [pd.DataFrame({
            "date": f.days.date, "weekday": f.days.strftime("%a"), "channel": name,
            "mean": np.round(f.mean, 2), "low": f.low, "high": f.high})
            for name, f in self.channels.items()]
        return pd.concat(frames, ignore_index=True)

    def hourly_table(self) -> pd.DataFrame:
        """One row per channel, day and hour: ``date, hour, channel, mean``."""
        frames = []
        for name, f in self.channels.items():
            hours = f.hourly()
            frames.append(pd.DataFrame({
                "date": np.repeat(f.days.date, 24), "hour": np.tile(np.arange(24), len(f.days)),
                "channel": name, "mean": np.round(hours.reshape(-1), 3)}))
        return pd.concat(frames, ignore_index=True)


def hour_shares(arrivals: ChannelArrivals) -> np.ndarray:
    """7 × 24 share of each weekday's tickets by hour; a weekday without rates takes the
    channel's overall shape."""
    rates = np.asarray(arrivals.rates, dtype=float)
    overall = rates.sum(axis=0)
    overall = overall / overall.sum() if overall.sum() > 0 else np.full(24, 1 / 24)
    shares = np.empty((7, 24))
    for day in range(7):
        total = rates[day].sum()
        shares[day] = rates[day] / total if total > 0 else overall
    return shares


def _weeks(days: pd.DatetimeIndex, draws: np.ndarray, level: float) -> pd.DataFrame:
    rows = []
    for start in range(0, len(days), 7):
        totals = draws[:, start:start + 7].sum(axis=1)
        low, high = np.quantile(totals, [(1 - level) / 2, (1 + level) / 2])
        rows.append({"week": days[start].date(), "mean": float(totals.mean()),
                     "low": float(low), "high": float(high)})
    return pd.DataFrame(rows)


PARTIAL_SHARE = 0.6
"""A last day with less than this share of its expected tickets (and far below it: lower
tail under 0.1 %) is taken for an export made during the day, and left out."""


def partial_last_day(history: History, holidays: Collection[dt.date]) -> str | None:
    """A note when the history's last day looks cut short (an export taken during the
    day), else None: its tickets against what every channel's model (fitted without it)
    expects."""
    from scipy import stats

    if history.days <= MIN_DAYS:
        return None
    days = day_index(history)
    seen = expected = 0.0
    spread = 0.0
    for table in hourly_counts(history).values():
        counts = daily_counts(table, days)
        model = fit_channel("", counts.iloc[:-1], holidays)
        mean = float(model.expected(days[-1:], holidays)[0])
        seen += float(counts.iloc[-1])
        expected += mean
        spread += mean + model.alpha * mean**2
    if expected <= 0 or seen >= PARTIAL_SHARE * expected:
        return None
    if stats.norm.cdf((seen - expected) / max(spread, 1e-9) ** 0.5) >= 1e-3:
        return None
    return (f"The last day ({days[-1]:%a %Y-%m-%d}) has {seen:,.0f} tickets where "
            f"{expected:,.0f} were expected: it looks cut short (an export taken during the "
            "day) and is left out")


def _without_last_day(history: History) -> History:
    cutoff = history.first_day.normalize() + pd.Timedelta(days=history.days - 1)
    tickets = history.tickets.loc[history.tickets["created"] < cutoff].reset_index(drop=True)
    return replace(history, tickets=tickets, days=history.days - 1)


def forecast_history(history: History, weeks: int, *, holidays: Collection[dt.date] = (),
                     level: float = 0.9, backtest_weeks: int | None = None,
                     arrivals: Mapping[str, ChannelArrivals] | None = None,
                     profile: str = "auto") -> Forecast:
    """Forecast ``weeks`` whole weeks after the history's last day, per channel."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise SimdeskError(f"--weeks: {weeks} is outside 1–{MAX_WEEKS}")
    if not 0.5 <= level < 1:
        raise SimdeskError(f"--level: {level:.0%} is outside 50 %–99.9 %")
    if history.days < MIN_DAYS:
        raise SimdeskError(
            f"{history.source}: the tickets cover {history.days} day(s); a forecast needs at "
            f"least {MIN_DAYS} (two whole weeks, to tell a trend from one week's pattern)")
    chosen = set(holidays)
    notes: list[str] = []
    start = day_index(history)[-1].date() + dt.timedelta(days=1)
    partial = partial_last_day(history, chosen)
    if partial is not None:
        notes.append(partial)
        history = _without_last_day(history)
        arrivals = None  # the fitted shape included the short day
    days = day_index(history)
    future = pd.date_range(start, periods=weeks * 7, freq="D")
    if arrivals is None:
        arrivals = fit_arrivals(history.tickets, history.first_day, history.days, history.zone,
                                profile)
    hourly = hourly_counts(history)
    yearly = history.days >= YEARLY_DAYS
    if not yearly:
        notes.append(f"No yearly season: the history spans {history.days} days, and a "
                     f"yearly season needs {YEARLY_DAYS} (two cycles, to tell it from the "
                     "trend)")
    seen = sorted(d for d in chosen if days[0].date() <= d <= days[-1].date())
    ahead = sorted(d for d in chosen if start <= d <= future[-1].date())
    if chosen and not seen:
        notes.append("No holiday falls in the history, so their effect cannot be measured: "
                     "the holidays ahead are forecast as ordinary days")
    rng = np.random.default_rng(SEED)
    channels: dict[str, ChannelForecast] = {}
    for channel, table in hourly.items():
        counts = daily_counts(table, days)
        model = fit_channel(channel, counts, chosen, yearly=yearly)
        means, draws = model.draws(future, chosen, rng)
        low, high = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2], axis=0)
        channels[channel] = ChannelForecast(
            channel, model, future, means.mean(axis=0), low, high, draws.var(axis=0),
            _weeks(future, draws, level), hour_shares(arrivals[channel]), counts,
            model.expected(days, chosen))
        if model.surges:
            notes.append(f"{channel}: {len(model.surges)} surge day(s) left out of the model "
                         f"({', '.join(f'{d:%Y-%m-%d}' for d in model.surges[:5])}"
                         f"{', …' if len(model.surges) > 5 else ''})")
        if model.design.holiday_closed and ahead:
            notes.append(f"{channel}: no ticket on any holiday of the history: the holidays "
                         "ahead are forecast closed")
    backtests: dict[str, Backtest] = {}
    held = held_out_weeks(history.days, weeks) if backtest_weeks is None else backtest_weeks
    if held and history.days - 7 * held < MIN_DAYS:
        raise SimdeskError(f"--backtest {held}: holding out {held} week(s) leaves "
                           f"{history.days - 7 * held} day(s) to fit; at least {MIN_DAYS} needed")
    if held:
        trained = history.tickets.loc[
            history.tickets["created"] < history.first_day.normalize()
            + pd.Timedelta(days=history.days - 7 * held)]
        train_arrivals = fit_arrivals(trained, history.first_day, history.days - 7 * held,
                                      history.zone, profile)
        for channel, table in hourly.items():
            if channel not in train_arrivals:
                notes.append(f"{channel}: no ticket before the held-out weeks: not back-tested")
                continue
            backtests[channel] = backtest_channel(
                channel, table, days, hour_shares(train_arrivals[channel]), held, chosen,
                level, rng)
    else:
        notes.append(f"No back-test: the history's {history.days} days leave too few to hold "
                     f"out a week and still fit on {MIN_DAYS}")
    return Forecast(history.source, start, weeks, level, channels, backtests,
                    frozenset(chosen), yearly, history.days, tuple(notes))


__all__ = ["MAX_WEEKS", "MIN_DAYS", "ChannelForecast", "Forecast", "forecast_history",
           "hour_shares"]
