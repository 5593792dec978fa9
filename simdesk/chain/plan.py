"""The chain behind ``simdesk plan``: each step is the library's own (nothing is
re-implemented here), and each step's assumptions are collected for the report.

1. **fit** (:func:`simdesk.fit.fit.fit_history`): the desk from its history;
2. **forecast** (:func:`simdesk.forecast.forecast.forecast_history`): each channel's
   volume for the weeks ahead, which becomes the scenario's arrivals
   (:func:`simdesk.forecast.scenario.forecast_scenario`);
3. **staff** (:func:`simdesk.staffing.search.staff`): the fewest agents per interval of
   the week meeting every target in simulation of the forecast weeks;
4. **roster** and **verify** (:func:`simdesk.staffing.verify.roster_for`): the cheapest
   allowed shifts covering that requirement, simulated again to list any interval that
   misses its target.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path

from simdesk.fit.fit import Fit, FitOptions, fit_history
from simdesk.fit.history import History
from simdesk.forecast.forecast import Forecast, forecast_history
from simdesk.forecast.scenario import forecast_scenario
from simdesk.scenario.schema import Scenario
from simdesk.staffing.roster import RosterSpec
from simdesk.staffing.search import Staffing, staff
from simdesk.staffing.verify import RosterPlan, roster_for

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PlanOptions:
    """What the chain takes besides the history and the shifts."""

    weeks: int = 4
    holidays: Collection[dt.date] = ()
    level: float = 0.9
    fit: FitOptions = field(default_factory=FitOptions)
    tiers: tuple[str, ...] | None = None
    interval: int = 60
    seed: int = 1
    replications: int = 5
    most: int = 20
    tier_wait: float = 60.0
    workers: int = 0


@dataclass(frozen=True)
class PlanResult:
    """Every step's answer, and the scenarios that carry them."""

    fit: Fit
    forecast: Forecast
    scenario: Scenario
    """The fitted desk over the forecast weeks (today's staffing)."""
    scenario_text: str
    staffing: Staffing
    rosters: RosterPlan
    assumptions: dict[str, list[str]]
    """Step name → what it assumed."""


def _assumptions(result_fit: Fit, found: Forecast, staffing: Staffing, spec: RosterSpec,
                 options: PlanOptions) -> dict[str, list[str]]:
    goals = ", ".join(g.tier for g in staffing.goals)
    return {
        "fit": [
            "Handle times, patience, escalations and mixes as fitted from the history "
            "(docs/fit.md); routing oldest first unless --staff gives one.",
            *result_fit.warnings],
        "forecast": found.assumptions(),
        "staff": [
            f"Tier(s) staffed: {goals}; the other tiers keep the fitted staffing.",
            f"Intervals of {options.interval} min; one requirement per interval of the week, "
            f"judged on all {found.weeks} forecast week(s) together (a trend makes the later "
            "weeks busier than the average the requirement meets).",
            "Every interval meets every channel's SLA target (the WFM convention: --goal "
            "interval), decided on 95 % intervals over replications.",
            f"Seed {staffing.seed}; {staffing.replications} replications to start, up to "
            f"{staffing.most} where a verdict is undecided."],
        "roster": [
            f"Allowed shifts: {len(spec.patterns)} pattern(s) from the shifts file, cheapest "
            "cover by integer programming (HiGHS); breaks off the queue.",
            "Verified by simulating the rostered scenario over the forecast weeks "
            "(at least 10 replications, same seed)."],
    }


def run_plan(history: History, spec: RosterSpec, options: PlanOptions,
             progress: Progress | None = None,
             staff_progress: Callable[[int, str], None] | None = None) -> PlanResult:
    """Fit, forecast, staff, roster and verify."""
    say = progress or (lambda _step: None)
    say("fit")
    fitted = fit_history(history, options.fit)
    say("forecast")
    found = forecast_history(history, options.weeks, holidays=options.holidays,
                             level=options.level, arrivals=fitted.arrivals,
                             profile=options.fit.profile)
    scenario, text = forecast_scenario(fitted.scenario, found, history.source)
    say("staff")
    staffing = staff(scenario, tiers=list(options.tiers) if options.tiers else None,
                     interval=options.interval, seed=options.seed,
                     replications=options.replications, most=options.most, goal="interval",
                     tier_wait=options.tier_wait, workers=options.workers,
                     progress=staff_progress)
    say("roster")
    rosters = roster_for(staffing, spec)
    return PlanResult(fitted, found, scenario, text, staffing, rosters,
                      _assumptions(fitted, found, staffing, spec, options))


def write_plan(folder: Path, result: PlanResult) -> list[Path]:
    """``scenario.yaml`` (the forecast desk), ``forecast.csv`` (+ hourly), and the
    staffing's files (``staffing.csv``, ``staffed.yaml``, ``roster.csv``,
    ``rostered.yaml``)."""
    from simdesk.forecast.files import write_forecast
    from simdesk.staffing.verify import write_staffing
    from simdesk.store.atomic import atomic_text

    folder.mkdir(parents=True, exist_ok=True)
    atomic_text(folder / "scenario.yaml", result.scenario_text)
    written = [folder / "scenario.yaml", *write_forecast(result.forecast, folder / "forecast.csv")]
    write_staffing(folder, result.staffing, result.rosters)
    written += [folder / n for n in ("staffing.csv", "staffed.yaml", "roster.csv",
                                     "rostered.yaml")]
    return written


__all__ = ["PlanOptions", "PlanResult", "run_plan", "write_plan"]
