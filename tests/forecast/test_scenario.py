"""The forecast as a scenario's arrivals: the compiled plan expects, day by day and
channel by channel, the tickets the forecast says (its analytic twin), over exactly the
forecast weeks after the warm-up."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simdesk.fit.fit import fit_history
from simdesk.forecast.forecast import forecast_history
from simdesk.forecast.scenario import forecast_scenario
from simdesk.plan.compile import compile_plan
from tests.forecast.helpers import daily_draws, history_of, true_means


def _expected_per_day(stream_starts: np.ndarray, rates: np.ndarray, horizon: float,
                      begin: float, days: int) -> np.ndarray:
    ends = np.append(stream_starts[1:], horizon)
    totals = np.zeros(days)
    for day in range(days):
        low, high = begin + day * 1440, begin + (day + 1) * 1440
        overlap = np.clip(np.minimum(ends, high) - np.maximum(stream_starts, low), 0, None)
        totals[day] = float((overlap * rates).sum())
    return totals


def test_the_scenario_expects_the_forecast_days() -> None:
    rng = np.random.default_rng(11)
    days = pd.date_range("2025-09-01", periods=10 * 7, freq="D")
    counts = {"chat": daily_draws(true_means(days, growth=0.03), rng),
              "email": daily_draws(true_means(days, level=50, growth=-0.02), rng)}
    history = history_of(counts, rng)
    holidays = {pd.Timestamp("2025-11-14").date(), pd.Timestamp("2025-11-21").date()}
    found = forecast_history(history, 3, holidays=holidays)
    steps = history.tickets.assign(ticket=range(len(history.tickets)))
    work = steps.assign(step=0, tier="L1", work=5.0, agent=pd.NA, start=pd.NaT)[
        ["ticket", "step", "tier", "work", "agent", "start"]]
    tickets = history.tickets.assign(
        id=range(len(history.tickets)), row=range(len(history.tickets)), segment=pd.NA,
        topic=pd.NA, state="answered", pickup_wait=1.0, response_wait=1.0,
        abandon_wait=np.nan, open_for=np.nan, solved_after=np.nan, path="L1")
    full = type(history)(history.source, history.preset, None, history.rows, tickets, work,
                         history.first_day, history.days,
                         {**history.columns, "work_minutes": "w"}, history.bad, ())
    fitted = fit_history(full)
    scenario, text = forecast_scenario(fitted.scenario, found, "synthetic.csv")
    assert text.startswith("# Forecast by simdesk")
    plan = compile_plan(scenario)
    warmup = scenario.warmup
    assert plan.horizon - warmup == pytest.approx(3 * 7 * 1440)
    for index, name in enumerate(scenario.channels):
        streams = [s for s in plan.streams if s.channel == index]
        expected = sum(_expected_per_day(s.starts, s.rates, s.horizon, warmup, 21)
                       for s in streams)
        mean = found.channels[name].mean
        # multipliers are written to 1 %: each day within half a step (and rounding)
        assert np.allclose(expected, mean, rtol=0.006, atol=0.05), (name, expected, mean)
    cv = found.day_cv
    assert scenario.volume is not None and scenario.volume.day_factor is not None
    assert scenario.volume.day_factor.cv == pytest.approx(cv, abs=0.0005)
