"""A forecast as a scenario's arrivals: the weeks ahead, ready to simulate and staff.

* ``start`` is the first forecast day less the warm-up, and ``horizon`` the forecast
  weeks plus the warm-up, so the measured time is exactly the forecast weeks;
* each channel's ``volume`` is its mean forecast week and its ``profile`` a 7 × 24 table
  (tickets per hour): each weekday's mean forecast over the weeks, spread by the
  history's hour shape;
* each day that differs from its weekday's mean (trend, yearly season, holidays) gets a
  ``surges:`` entry with the multiplier that gives the forecast day, runs of equal
  multipliers (to 1 %) merged; the history's own surges are dropped;
* the forecast's uncertainty beyond Poisson becomes ``volume.day_factor`` (one per
  channel, since each channel is forecast on its own), replacing the history's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

from simdesk import __version__
from simdesk.errors import ScenarioError, SimdeskError
from simdesk.forecast.forecast import ChannelForecast, Forecast
from simdesk.scenario.load import scenario_to_dict, scenario_to_yaml, validate_scenario
from simdesk.scenario.schema import Scenario
from simdesk.scenario.units import format_duration, parse_duration

MIN_CV = 0.005
"""A day factor below this cv is left out (no measurable spread beyond Poisson)."""
STEP = 0.01
"""Day multipliers are written to this step; a run of equal ones is one entry."""


def weekday_table(forecast: ChannelForecast) -> np.ndarray:
    """7 × 24 tickets per hour: each weekday's mean forecast, spread over its hours."""
    weekday = np.asarray(forecast.days.day_of_week)
    table = np.zeros((7, 24))
    for day in range(7):
        mine = weekday == day
        if mine.any():
            table[day] = forecast.mean[mine].mean() * forecast.shares[day]
    return table


def _day_surges(channel: str, forecast: ChannelForecast, table: np.ndarray
                ) -> list[dict[str, Any]]:
    totals = table.sum(axis=1)
    runs: list[tuple[dt.date, int, float]] = []
    for day, mean in zip(forecast.days, forecast.mean, strict=True):
        base = float(totals[day.day_of_week])
        if base <= 0:
            continue
        factor = round(float(mean) / base / STEP) * STEP
        if runs and runs[-1][2] == factor and (
                runs[-1][0] + dt.timedelta(days=runs[-1][1]) == day.date()):
            first, length, _ = runs[-1]
            runs[-1] = (first, length + 1, factor)
        else:
            runs.append((day.date(), 1, factor))
    return [{"at": f"{first:%Y-%m-%d} 00:00", "for": f"{length}d",
             "multiplier": round(factor, 2), "channels": [channel],
             "name": f"forecast: {channel} {first:%a %d %b}"
                     + (f" – {first + dt.timedelta(days=length - 1):%a %d %b}"
                        if length > 1 else "")}
            for first, length, factor in runs if abs(factor - 1) > STEP / 2]


def with_forecast(data: dict[str, Any], forecast: Forecast) -> dict[str, Any]:
    """The scenario ``data`` (plain, as :func:`scenario_to_dict` gives) with the forecast
    as its arrivals, start and horizon. Channels the forecast lacks keep their arrivals."""
    result = dict(data)
    warmup = parse_duration(data.get("warmup", 0) or 0)
    begin = dt.datetime.combine(forecast.start, dt.time()) - dt.timedelta(minutes=warmup)
    result["start"] = begin.strftime("%Y-%m-%d %H:%M")
    result["horizon"] = format_duration(forecast.weeks * 7 * 1440 + warmup)
    arrivals = []
    surges: list[dict[str, Any]] = []
    for entry in data["arrivals"]:
        channel = entry["channel"]
        found = forecast.channels.get(channel)
        if found is None:
            arrivals.append(entry)
            continue
        table = weekday_table(found)
        spec = {k: v for k, v in entry.items() if k not in ("rate", "volume", "profile")}
        spec["volume"] = f"{table.sum():.1f}/w"
        spec["profile"] = {"matrix": [[round(float(v), 3) for v in row] for row in table]}
        arrivals.append(spec)
        for surge in _day_surges(channel, found, table):
            if surge["for"] == "1d" and \
                    dt.date.fromisoformat(surge["at"][:10]) in forecast.holidays:
                surge["name"] += " (holiday)"
            surges.append(surge)
    result["arrivals"] = arrivals
    result["surges"] = surges
    volume = {k: v for k, v in (data.get("volume") or {}).items()
              if k not in ("day_factor", "trend", "shared")}
    cv = forecast.day_cv
    if cv >= MIN_CV:
        volume["day_factor"] = {"dist": "gamma", "cv": f"{cv:.1%}"}
        volume["shared"] = False
    if volume:
        result["volume"] = volume
    else:
        result.pop("volume", None)
    return result




def forecast_scenario(base: Scenario, forecast: Forecast, source: str) -> tuple[Scenario, str]:
    """``base`` (a fitted scenario) over the forecast weeks, and its YAML with a header
    saying what came from where."""
    data = with_forecast(scenario_to_dict(base), forecast)
    data["name"] = f"{base.name}: forecast {forecast.start:%Y-%m-%d}, {forecast.weeks} week(s)"
    try:
        scenario = validate_scenario(data)
    except ScenarioError as exc:
        lines = "; ".join(str(p) for p in exc.problems)
        raise SimdeskError(f"the forecast scenario does not validate: {lines}") from None
    cv = forecast.day_cv
    header = [
        f"Forecast by simdesk {__version__} from {source}: {forecast.weeks} week(s) from "
        f"{forecast.start:%a %Y-%m-%d}, after {forecast.history_days} days of history.",
        "arrivals: each channel's mean forecast week (volume) and weekday x hour table "
        "(profile, tickets per hour);",
        "surges: the days the forecast puts above or below their weekday's mean (trend, "
        "season, holidays);",
        f"volume.day_factor: the forecast's uncertainty beyond Poisson (cv {cv:.1%}), one "
        "factor a day per channel." if cv >= MIN_CV else
        "no volume.day_factor: the forecast's spread is no wider than Poisson.",
        "start and horizon: the warm-up, then exactly the forecast weeks. Everything else "
        "is the fitted scenario's.",
    ]
    text = "".join(f"# {line}\n" for line in header) + scenario_to_yaml(scenario)
    return scenario, text


__all__ = ["forecast_scenario", "weekday_table", "with_forecast"]
