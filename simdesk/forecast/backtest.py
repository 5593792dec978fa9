"""How wrong the forecast was: the last weeks of the history held out, forecast from the
weeks before them, and scored against a seasonal-naive forecast (each day and hour as the
same weekday and hour of the last week seen).

* **WAPE** = Σ|actual − forecast| / Σ actual: the share of the volume forecast wrong;
* **MAPE** = mean of |actual − forecast| / actual over the days with tickets (days with
  none have no percentage error and are left out);
* **coverage**: the share of held-out days inside the prediction interval;
* **verdict**: whether the model beats seasonal-naive, judged on the paired daily absolute
  errors (a paired t-test at 95 %): ``better``, ``worse``, or ``undecided`` when the
  held-out days cannot tell them apart — a lower WAPE by a hair is not a verdict.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from simdesk.forecast.model import fit_channel

MIN_TRAINING_DAYS = 14
"""Days a back-test must keep to fit on (two whole weeks)."""


@dataclass(frozen=True)
class Score:
    """The errors of one forecast over the held-out days."""

    mape: float
    wape: float
    hourly_wape: float


@dataclass(frozen=True)
class Backtest:
    """One channel's back-test: the model against seasonal-naive, on the same days."""

    channel: str
    weeks: int
    first: dt.date
    last: dt.date
    tickets: int
    model: Score
    naive: Score
    coverage: float
    """Share of held-out days inside the model's prediction interval."""
    level: float
    verdict: str = "undecided"
    """``better``, ``worse`` or ``undecided``: the model against seasonal-naive, from a
    paired t-test on the held-out days' absolute errors (95 %)."""

    @property
    def better(self) -> bool:
        """The model beats seasonal-naive, decidedly."""
        return self.verdict == "better"


def paired_verdict(model_errors: np.ndarray, naive_errors: np.ndarray,
                   alpha: float = 0.05) -> str:
    """``better`` / ``worse`` when the paired absolute errors differ at level ``alpha``,
    else ``undecided`` (also when every difference is zero or there are under 2 days)."""
    gain = np.abs(naive_errors) - np.abs(model_errors)
    mean = float(np.mean(gain)) if gain.size else 0.0
    if gain.size < 2 or mean == 0:
        return "undecided"
    if np.all(gain == gain[0]):  # no spread: every day the same gain, a sure sign
        return "better" if mean > 0 else "worse"
    if float(stats.ttest_1samp(gain, 0.0).pvalue) >= alpha:
        return "undecided"
    return "better" if float(np.mean(gain)) > 0 else "worse"


def _score(actual_hours: np.ndarray, forecast_hours: np.ndarray) -> Score:
    actual, forecast = actual_hours.sum(axis=1), forecast_hours.sum(axis=1)
    total = float(actual.sum())
    busy = actual > 0
    mape = float(np.mean(np.abs(actual[busy] - forecast[busy]) / actual[busy])) \
        if busy.any() else math.nan
    wape = float(np.abs(actual - forecast).sum()) / total if total > 0 else math.nan
    hourly = float(np.abs(actual_hours - forecast_hours).sum()) / total if total > 0 \
        else math.nan
    return Score(mape, wape, hourly)


def backtest_channel(channel: str, hourly: np.ndarray, days: pd.DatetimeIndex,
                     shares: np.ndarray, weeks: int, holidays: Collection[dt.date],
                     level: float, rng: np.random.Generator) -> Backtest:
    """Hold out the last ``weeks`` of ``hourly`` (``days × 24``), fit on the rest and
    score both forecasts. ``shares``: 7 × 24 share of each weekday's tickets by hour,
    from the training days."""
    held = weeks * 7
    train, test = hourly[:-held], hourly[-held:]
    train_days, test_days = days[:-held], days[-held:]
    fitted = fit_channel(channel, pd.Series(train.sum(axis=1), index=train_days), holidays)
    means, draws = fitted.draws(test_days, holidays, rng)
    mean = means.mean(axis=0)
    low, high = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2], axis=0)
    daily = test.sum(axis=1)
    forecast_hours = mean[:, None] * shares[np.asarray(test_days.day_of_week)]
    naive_hours = np.tile(train[-7:], (weeks, 1))
    verdict = paired_verdict(daily - forecast_hours.sum(axis=1),
                             daily - naive_hours.sum(axis=1))
    return Backtest(channel, weeks, test_days[0].date(), test_days[-1].date(), int(daily.sum()),
                    _score(test, forecast_hours), _score(test, naive_hours),
                    float(np.mean((daily >= low) & (daily <= high))), level, verdict)


def held_out_weeks(days: int, horizon_weeks: int) -> int:
    """Weeks to hold out: the forecast's horizon, at most a third of the whole weeks of
    the history, at least one; 0 when fewer than :data:`MIN_TRAINING_DAYS` would remain."""
    weeks = max(1, min(horizon_weeks, days // 7 // 3))
    return weeks if days - 7 * weeks >= MIN_TRAINING_DAYS else 0


__all__ = ["MIN_TRAINING_DAYS", "Backtest", "Score", "backtest_channel", "held_out_weeks",
           "paired_verdict"]
