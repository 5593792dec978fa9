"""``simdesk fit`` and ``simdesk export``: thin click shells over :mod:`simdesk.fit`."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from simdesk.cli.common import err_console, out_console, reports_errors
from simdesk.errors import SimdeskError

F = TypeVar("F", bound=Callable[..., Any])




def _refuse_existing(path: Path, overwrite: bool, option: str = "-o") -> None:
    """Before any work: an output that cannot be written, or one that exists."""
    from simdesk.store.writable import check_writable

    check_writable(path, folder=False, option=option)
    if path.exists() and not overwrite:
        raise SimdeskError(f"{path} exists; choose another {option} or pass --overwrite")


def _report_path(out: Path) -> Path:
    """``scenario.yaml`` → ``scenario.fit.html``."""
    return out.with_name(f"{out.stem}.fit.html")


@click.command("fit")
@click.argument("tickets", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--out", "-o", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Where to write the fitted scenario (YAML).")
@click.option("--preset", type=click.Choice(["simdesk", "zendesk", "freshdesk", "jira",
                                             "servicenow"]), default=None,
              help="Column names of the export (default: detected from the header).")
@click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN,...",
              help="Read a field from another column, e.g. --map created_at=Created,"
                   "channel=Via (repeatable). Fields: see docs/fit.md.")
@click.option("--tz", "zone_name", default=None, metavar="ZONE",
              help="The desk's time zone (IANA, e.g. Europe/Berlin): times without an offset "
                   "are read in it, times with one are converted to it. Required when the "
                   "export's times carry an offset.")
@click.option("--time-format", default=None, metavar="FORMAT",
              help="strptime format of the timestamps, e.g. '%d/%m/%Y %H:%M' (default: told "
                   "from the values: ISO 8601, dd/mm/yyyy, mm/dd/yyyy, dd.mm.yyyy, "
                   "dd/Mon/yy h:mm AM, ...).")
@click.option("--work-unit", type=click.Choice(["seconds", "minutes", "hours", "clock"]),
              default=None,
              help="Unit of the work times (default: told from the column name and the "
                   "values' scale; clock is h:mm or h:mm:ss).")
@click.option("--aht", "aht_options", multiple=True, metavar="[NAME=]DURATION",
              help="Average handle time for tiers without work times in the export, e.g. "
                   "--aht 8m, or per channel or tier: --aht chat=6m --aht L2=25m "
                   "(repeatable). Without it such tiers get a placeholder to fill in.")
@click.option("--staff", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A scenario to take the tiers' staffing, the routing and the SLA targets "
                   "from (by tier and channel name); everything else is fitted.")
@click.option("--sla", "sla_options", multiple=True, metavar="CHANNEL=WITHIN@TARGET",
              help="A channel's SLA target, e.g. --sla chat=2m@80% (repeatable).")
@click.option("--channels", default=None, metavar="NAME,NAME",
              help="The channels to accept; rows of any other are reported and left out.")
@click.option("--name", default=None, help="The fitted scenario's name.")
@click.option("--profile", type=click.Choice(["auto", "matrix", "product"]), default="auto",
              show_default=True,
              help="Weekday × hour model: a free 7×24 table, weekday × hour-of-day factors, "
                   "or whichever has the smaller AIC.")
@click.option("--keep-surges", is_flag=True,
              help="Write the detected surges as active surges: (replaying the history) "
                   "instead of commented suggestions.")
@click.option("--warmup", default=None, metavar="DURATION",
              help="The fitted scenario's warm-up (default: --staff's, else 1d).")
@click.option("--report", "report_path", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Where to write the HTML fit report (default: next to -o, "
                                 "NAME.fit.html).")
@click.option("--no-report", is_flag=True, help="Write no HTML report.")
@click.option("--verify/--no-verify", default=True, show_default=True,
              help="Simulate the fitted scenario and compare its service level with the "
                   "history's.")
@click.option("--replications", "-r", type=click.IntRange(2), default=5, show_default=True,
              help="Replications of the verifying simulation.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=1, show_default=True,
              help="Seed of the verifying simulation.")
@click.option("--forecast", "forecast_weeks", type=click.IntRange(1, 26), default=None,
              metavar="WEEKS", help="Also forecast this many weeks and write the scenario over "
                                    "them as NAME.forecast.yaml (docs/forecast.md).")
@click.option("--holidays", default=None, metavar="DATES|FILE",
              help="With --forecast: holidays, as dates or a file of dates.")
@click.option("--overwrite", is_flag=True, help="Replace the scenario (and report) at -o.")
@click.option("--quiet", "-q", is_flag=True, help="Print only warnings and where files went.")
@reports_errors
def fit(tickets: Path, out: Path, preset: str | None, mapping: tuple[str, ...],
        zone_name: str | None, time_format: str | None, work_unit: str | None,
        aht_options: tuple[str, ...], staff: Path | None,
        sla_options: tuple[str, ...], channels: str | None, name: str | None, profile: str,
        keep_surges: bool, warmup: str | None, report_path: Path | None, no_report: bool,
        verify: bool, replications: int, seed: int, forecast_weeks: int | None,
        holidays: str | None, overwrite: bool, quiet: bool) -> None:
    """Fit a scenario to TICKETS, a help desk's ticket export (CSV or Parquet): arrival
    rates by weekday × hour, surges, handle times, patience, escalations, mixes; write it
    to -o with an HTML report of observed against fitted. See docs/fit.md."""
    from simdesk.console.fit import print_fit
    from simdesk.fit.assumed import parse_aht_options
    from simdesk.fit.fit import FitOptions, fit_history
    from simdesk.fit.history import read_history
    from simdesk.fit.presets import parse_mapping
    from simdesk.fit.targets import parse_sla_options
    from simdesk.fit.times import zone_named
    from simdesk.scenario.units import parse_duration

    aht = parse_aht_options(aht_options)
    report = None if no_report else (report_path or _report_path(out))
    _refuse_existing(out, overwrite)
    if report is not None:
        _refuse_existing(report, overwrite, "--report")
    if forecast_weeks is not None:
        from simdesk.cli.forecast import check_fit_forecast

        holiday_dates = check_fit_forecast(out, holidays, overwrite)
    elif holidays is not None:
        raise SimdeskError("--holidays is used by --forecast; give --forecast WEEKS too")
    minutes = None
    if warmup is not None:
        try:
            minutes = parse_duration(warmup)
        except ValueError as exc:
            raise SimdeskError(f"--warmup: {exc}") from None
    accepted = [c.strip() for c in channels.split(",") if c.strip()] if channels else None
    if staff is not None and accepted is None:
        from simdesk.scenario.load import load_scenario

        accepted = list(load_scenario(staff).channels)
    history = read_history(tickets, preset=preset, mapping=parse_mapping(mapping),
                           zone=zone_named(zone_name), time_format=time_format,
                           channels=accepted, work_unit=work_unit)
    if forecast_weeks is not None and history.days < 14:
        raise SimdeskError(f"--forecast: the tickets cover {history.days} day(s); a forecast "
                           "needs at least 14 (two whole weeks)")
    options = FitOptions(name=name, profile=profile, staff=staff,
                         sla=parse_sla_options(sla_options), keep_surges=keep_surges,
                         warmup=minutes, aht=aht)
    fitted = fit_history(history, options)
    verification = None
    if verify and fitted.unverifiable is None:
        from simdesk.fit.verify import verify as simulate_fit

        verification = simulate_fit(fitted, replications=replications, seed=seed)
    from simdesk.store.atomic import atomic_text

    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SimdeskError(f"cannot write {out}: {exc.strerror or exc}") from None
    atomic_text(out, fitted.text)  # whole or not at all: never a 0-byte scenario
    console = out_console()
    if quiet:
        errors = err_console()
        for warning in fitted.warnings:
            errors.print(f"[yellow]Warning:[/] {warning}", highlight=False, markup=True)
    else:
        print_fit(console, fitted, verification)
    if verify and fitted.unverifiable is not None:
        console.print(f"Not verified by simulation: {fitted.unverifiable}", highlight=False)
    console.print(f"Scenario written to {out}", highlight=False)
    if report is not None:
        from simdesk.report.fit_report import write_fit_report

        started = time.perf_counter()
        written = write_fit_report(fitted, verification, report, str(out))
        console.print(f"Fit report written to {written} ({written.stat().st_size / 1e6:.1f} "
                      f"MB, {time.perf_counter() - started:.1f} s)", highlight=False)
    if forecast_weeks is not None:
        from simdesk.cli.forecast import write_fit_forecast

        write_fit_forecast(fitted, forecast_weeks, holiday_dates, out, quiet)


@click.command("export")
@click.argument("results_dir", metavar="RESULTS_DIR",
                type=click.Path(path_type=Path, file_okay=False))
@click.option("--out", "-o", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The export to write: .csv, .csv.gz or .parquet.")
@click.option("--format", "preset", type=click.Choice(["simdesk", "zendesk", "freshdesk"]),
              default="simdesk", show_default=True,
              help="Column names and conventions (see docs/fit.md); simdesk fit reads each "
                   "back with no mapping.")
@click.option("--replication", type=click.IntRange(0), default=None,
              help="The replication to export (default: the first).")
@click.option("--policy", default=None,
              help="From a comparison folder: the policy whose tickets to export.")
@click.option("--tz", "zone_name", default=None, metavar="ZONE",
              help="Place the scenario's local times in this time zone (IANA); without it, "
                   "times are written without an offset.")
@click.option("--overwrite", is_flag=True, help="Replace the file at -o.")
@reports_errors
def export(results_dir: Path, out: Path, preset: str, replication: int | None,
           policy: str | None, zone_name: str | None, overwrite: bool) -> None:
    """Write the tickets of one replication of RESULTS_DIR as a help desk's ticket export
    (one row per ticket: times, channel, segment, topic, status, tiers, work and agents),
    ready for simdesk fit. See docs/fit.md."""
    from simdesk.fit.export import export_table, write_export
    from simdesk.fit.times import zone_named

    _refuse_existing(out, overwrite)  # before the work, not after
    table = export_table(results_dir, preset=preset, replication=replication,
                         zone=zone_named(zone_name), policy=policy)
    written = write_export(table, out)
    out_console().print(f"{len(table):,} tickets written to {written} ({preset} format)",
                    highlight=False)
