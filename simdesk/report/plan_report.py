"""The ``simdesk plan`` report: one page from history to roster — each step's answer and
what it assumed, the forecast with its back-test, the requirement per interval, the
roster and its verification by simulation."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simdesk.chain.plan import PlanResult
from simdesk.report.blocks import table
from simdesk.report.figures import Chart
from simdesk.report.forecast_report import Part, assemble, forecast_parts, write_page
from simdesk.report.style import text
from simdesk.scenario.calendar import DAY_NAMES, MINUTES_PER_DAY

STEP_TITLES = {"fit": "1. Fit", "forecast": "2. Forecast", "staff": "3. Staff",
               "roster": "4. Roster and verification"}


def _requirement(result: PlanResult, tier: str) -> str:
    staffing = result.staffing
    grid = staffing.grid
    per_day = MINUTES_PER_DAY // grid.minutes
    levels, erlang = staffing.levels[tier], staffing.erlang[tier]
    rows = []
    for slot in range(per_day):
        minute = slot * grid.minutes
        cells = [f"{minute // 60:02d}:{minute % 60:02d}"]
        for day in range(7):
            index = day * per_day + slot
            shown = str(levels[index]) if levels[index] or erlang[index] else "·"
            if erlang[index] != levels[index]:
                shown += f" <span class='small'>({erlang[index]})</span>"
            cells.append(shown)
        rows.append(cells)
    return table(["", *DAY_NAMES], rows, "numbers")


def _roster(result: PlanResult) -> str:
    body = []
    missed = result.rosters.missed(result.staffing)
    for tier, roster in result.rosters.rosters.items():
        rows = [[text(shift.pattern), text(",".join(DAY_NAMES[d] for d in shift.days)),
                 text(shift.hours()), str(count), f"{shift.cost * count:,.1f}"]
                for shift, count in roster.shifts]
        body.append(f"<h3>{text(tier)}: cost {roster.cost:,.1f} a week, "
                    f"{sum(c for _, c in roster.shifts)} people</h3>")
        body.append(table(["Pattern", "Days", "Hours", "People", "Cost"], rows, "numbers"))
        gaps = np.nonzero(roster.shortfall > 1e-9)[0]
        if len(gaps):
            listed = ", ".join(f"{result.staffing.grid.label(int(k))} (short "
                               f"{roster.shortfall[k]:.1f})" for k in gaps[:12])
            body.append(f"<p class='warning'>The allowed shifts cannot cover {len(gaps)} "
                        f"interval(s): {text(listed)}</p>")
    if missed:
        body.append(f"<p class='warning'><b>Verified by simulation:</b> the roster misses the "
                    f"target in {len(missed)} interval(s): {text(', '.join(missed[:20]))}</p>")
    else:
        body.append("<p><b>Verified by simulation:</b> every interval meets its target with "
                    "the roster.</p>")
    return "".join(body)


def _steps(result: PlanResult) -> str:
    items = []
    for step, lines in result.assumptions.items():
        listed = "".join(f"<li>{text(line)}</li>" for line in lines)
        items.append(f"<h3>{STEP_TITLES[step]}</h3><ul>{listed}</ul>")
    return "".join(items)


def plan_parts(result: PlanResult) -> tuple[list[Part], list[Chart]]:
    """The plan's sections (steps first) and charts."""
    forecast, charts = forecast_parts(result.forecast)
    staffing = result.staffing
    hours = staffing.agent_hours()
    today = staffing.today.agent_hours if staffing.today is not None else {}
    parts: list[Part] = [
        ("steps", "Each step and what it assumed", _steps(result),
         "Fit → forecast → staff → roster → verify: every number below rests on these."),
        *[p for p in forecast if p[0] != "forecast-assumptions"],
    ]
    for goal in staffing.goals:
        tier = goal.tier
        was = f"; today's fitted staffing {today[tier]:,.0f}" if tier in today else ""
        parts.append((f"requirement-{tier}", f"Requirement: {text(tier)}",
                      _requirement(result, tier),
                      f"Agents needed per interval so that every interval meets every "
                      f"channel's target, by simulation of the forecast weeks (Erlang's "
                      f"answer in brackets where it differs): {hours[tier]:,.0f} agent-hours a "
                      f"week{was}."))
    parts.append(("roster", "Roster and verification", _roster(result),
                  "The cheapest allowed shifts covering the requirement, and the rostered "
                  "desk simulated again over the forecast weeks."))
    parts.append(("scenario", "The forecast scenario",
                  f"<details><summary>Show the YAML</summary><pre><code>"
                  f"{text(result.scenario_text)}</code></pre></details>",
                  "As written to scenario.yaml: the fitted desk over the forecast weeks."))
    return parts, charts


def write_plan_report(result: PlanResult, out: Path) -> Path:
    """The plan report at ``out``."""
    parts, charts = plan_parts(result)
    found = result.forecast
    last = next(iter(found.channels.values())).days[-1]
    missed = result.rosters.missed(result.staffing)
    cost = sum(r.cost for r in result.rosters.rosters.values())
    verdict = ("every interval meets its target" if not missed
               else f"{len(missed)} interval(s) miss their target")
    header = (f'<header><div class="kicker">simdesk · Plan</div>'
              f"<h1>Plan for {found.weeks} week(s) from {found.start:%a %Y-%m-%d}</h1>"
              f'<p class="facts">From {found.history_days} days of '
              f"<code>{text(found.source)}</code> to {last:%a %Y-%m-%d}: forecast "
              f"{sum(f.mean.sum() for f in found.channels.values()):,.0f} tickets; roster cost "
              f"{cost:,.1f} a week; verified by simulation: {verdict}.</p></header>")
    html = assemble(f"Plan from {Path(found.source).name}", header, parts, charts,
                    found.source, "plan",
                    "How each step works: docs/plan.md in the simdesk repository.")
    return write_page(html, out)


__all__ = ["plan_parts", "write_plan_report"]
