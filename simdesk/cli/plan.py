"""``simdesk plan``: a thin click shell over :mod:`simdesk.chain.plan`."""

from __future__ import annotations

from pathlib import Path

import click

from simdesk.cli.common import err_console, out_console, progress_bar, reports_errors
from simdesk.cli.forecast import history_options, parse_forecast_options, read_for_forecast
from simdesk.errors import SimdeskError


@click.command("plan")
@click.argument("tickets", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--weeks", type=click.IntRange(1, 26), default=4, show_default=True,
              help="Whole weeks to plan, from the day after the history's last day.")
@click.option("--shifts", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Allowed shift patterns (as for simdesk staff --shifts).")
@history_options
@click.option("--staff", "staff_path", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="A scenario to take staffing, routing and SLA targets from "
                                 "(as for simdesk fit --staff).")
@click.option("--sla", "sla_options", multiple=True, metavar="CHANNEL=WITHIN@TARGET",
              help="A channel's SLA target, e.g. --sla chat=2m@80% (repeatable).")
@click.option("--tiers", default=None, metavar="NAME,NAME",
              help="Tiers to staff (default: those answering customers first).")
@click.option("--interval", default="1h", show_default=True, metavar="DURATION",
              help="Staffing interval; it must divide a day (30m, 1h, 2h, ...).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=1, show_default=True,
              help="Root random seed of every simulation.")
@click.option("--replications", "-r", type=click.IntRange(2), default=5, show_default=True,
              help="Replications each staffing simulation starts with.")
@click.option("--max-replications", type=click.IntRange(2), default=20, show_default=True,
              help="Replications a simulation may grow to while a verdict is undecided.")
@click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder for the scenario, forecast, requirement, roster and plan.html "
                   "(default: results/<history>-plan-<timestamp>/).")
@click.option("--workers", "-w", type=click.IntRange(0), default=0, show_default=True,
              help="Processes for the replications (0: by expected work).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary lines.")
@reports_errors
def plan(tickets: Path, weeks: int, shifts: Path, preset: str | None, mapping: tuple[str, ...],
         zone_name: str | None, time_format: str | None, channels: str | None,
         holidays: str | None, level: str, backtest_weeks: int | None, staff_path: Path | None,
         sla_options: tuple[str, ...], tiers: str | None, interval: str, seed: int,
         replications: int, max_replications: int, out: Path | None, workers: int,
         quiet: bool) -> None:
    """From TICKETS (a ticket export) to the next weeks' roster in one chain: fit the
    desk, forecast its volume, staff every interval by simulation, find the cheapest
    roster of the allowed --shifts and verify it by simulation. Writes the scenario, the
    forecast, the requirement, the roster and one HTML report. See docs/plan.md."""
    from rich.markup import escape

    from simdesk.chain.plan import PlanOptions, run_plan, write_plan
    from simdesk.console.forecast import backtest_table, weeks_table
    from simdesk.console.staffing import (
        requirement_grid,
        roster_table,
        shortfall_lines,
        verdict_line,
    )
    from simdesk.fit.fit import FitOptions
    from simdesk.fit.targets import parse_sla_options
    from simdesk.report.plan_report import write_plan_report
    from simdesk.scenario.units import parse_duration
    from simdesk.staffing.grid import WeekGrid
    from simdesk.staffing.roster import load_roster_spec
    from simdesk.store.results import default_results_dir, slug
    from simdesk.store.writable import check_writable

    if not shifts.is_file():
        raise SimdeskError(f"--shifts {shifts}: no such file (see examples/saas-shifts.yaml "
                           "for the format)")
    spec = load_roster_spec(shifts)
    dates, coverage = parse_forecast_options(holidays, level)
    try:
        minutes = parse_duration(interval)
    except ValueError as exc:
        raise SimdeskError(f"--interval: {exc}") from None
    if minutes != int(minutes) or minutes <= 0:
        raise SimdeskError("--interval must be a whole number of minutes")
    try:
        WeekGrid(int(minutes))  # before the work, not after the fit and forecast
    except SimdeskError as exc:
        raise SimdeskError(f"--interval: {exc}") from None
    folder = out or default_results_dir(f"{slug(tickets.name.split('.')[0])}-plan")
    check_writable(folder)
    accepted = channels
    if staff_path is not None and accepted is None:
        from simdesk.scenario.load import load_scenario

        accepted = ",".join(load_scenario(staff_path).channels)
    history = read_for_forecast(tickets, preset, mapping, zone_name, time_format, accepted)
    options = PlanOptions(
        weeks=weeks, holidays=dates, level=coverage,
        fit=FitOptions(staff=staff_path, sla=parse_sla_options(sla_options)),
        tiers=tuple(t.strip() for t in tiers.split(",") if t.strip()) if tiers else None,
        interval=int(minutes), seed=seed, replications=replications, most=max_replications,
        workers=workers)
    errors = err_console()
    console = out_console()
    with progress_bar(errors, "Planning", quiet) as advance:
        result = run_plan(
            history, spec, options,
            progress=None if quiet else (lambda step: errors.print(f"… {step}",
                                                                   highlight=False)),
            staff_progress=lambda n, what: advance(n, 0))
    if not quiet:
        console.print(weeks_table(result.forecast))
        tested = backtest_table(result.forecast)
        if tested is not None:
            console.print(tested)
        for goal in result.staffing.goals:
            console.print(requirement_grid(result.staffing, goal.tier))
    for tier, roster in result.rosters.rosters.items():
        if not quiet:
            console.print(roster_table(tier, roster))
        for line in shortfall_lines(tier, roster, result.staffing):
            console.print(line, highlight=False)
    console.print(verdict_line(result.rosters.missed(result.staffing)), highlight=False)
    if not quiet:
        console.print("[bold]Assumptions[/] (each step's; all in plan.html)")
        for step, lines in result.assumptions.items():
            for line in lines[:4]:
                console.print(f"  {step}: {escape(line)}", highlight=False)
    written = write_plan(folder, result)
    report = write_plan_report(result, folder / "plan.html")
    console.print(f"Written to {folder}/: {', '.join(p.name for p in [*written, report])}",
                  highlight=False)
