"""``simdesk forecast``: a thin click shell over :mod:`simdesk.forecast`, and the history
options it shares with ``simdesk plan``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from simdesk.cli.common import out_console, reports_errors
from simdesk.errors import SimdeskError

if TYPE_CHECKING:
    from simdesk.fit.history import History

F = TypeVar("F", bound=Callable[..., Any])


def history_options(command: F) -> F:
    """The options that say how to read a ticket export (as ``simdesk fit`` reads it)."""
    options = [
        click.option("--preset", default=None, metavar="NAME",
                     help="Column names of the export, one of simdesk fit's presets "
                          "(default: detected from the header)."),
        click.option("--map", "mapping", multiple=True, metavar="FIELD=COLUMN,...",
                     help="Read a field from another column (as in simdesk fit)."),
        click.option("--tz", "zone_name", default=None, metavar="ZONE",
                     help="The desk's time zone (IANA, e.g. Europe/Berlin)."),
        click.option("--time-format", default=None, metavar="FORMAT",
                     help="strptime format of the timestamps (default: ISO 8601)."),
        click.option("--channels", default=None, metavar="NAME,NAME",
                     help="The channels to accept; rows of any other are left out."),
        click.option("--holidays", default=None, metavar="DATES|FILE",
                     help="Holidays, in the history and ahead: dates (2026-12-25,"
                          "2026-12-31..2027-01-01) or a file with one date per line."),
        click.option("--level", default="90%", show_default=True, metavar="PERCENT",
                     help="Coverage of the prediction intervals."),
        click.option("--backtest", "backtest_weeks", type=click.IntRange(0), default=None,
                     help="Weeks to hold out for the back-test (default: the forecast's "
                          "weeks, at most a third of the history; 0: none)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def read_for_forecast(tickets: Path, preset: str | None, mapping: tuple[str, ...],
                      zone_name: str | None, time_format: str | None, channels: str | None
                      ) -> History:
    """The history, read with the fit's reader."""
    from simdesk.fit.history import read_history
    from simdesk.fit.presets import parse_mapping
    from simdesk.fit.times import zone_named

    accepted = [c.strip() for c in channels.split(",") if c.strip()] if channels else None
    return read_history(tickets, preset=preset, mapping=parse_mapping(mapping),
                        zone=zone_named(zone_name), time_format=time_format, channels=accepted)


def parse_forecast_options(holidays: str | None, level: str) -> tuple[frozenset[dt.date], float]:
    """(holidays, level) from their options, or a clear error."""
    from simdesk.forecast.holidays import HolidayError, parse_holidays
    from simdesk.scenario.units import parse_percent

    try:
        dates = parse_holidays(holidays)
    except HolidayError as exc:
        raise SimdeskError(str(exc)) from None
    try:
        coverage = parse_percent(level)
    except ValueError as exc:
        raise SimdeskError(f"--level: {exc}") from None
    if not 0.5 <= coverage <= 0.999:
        raise SimdeskError(f"--level: {level!r} is outside 50%–99.9%")
    return dates, coverage


def refuse_existing(path: Path, overwrite: bool, option: str) -> None:
    """Before any work: an output that cannot be written, or one that exists."""
    from simdesk.store.writable import check_writable

    check_writable(path, folder=False, option=option)
    if path.exists() and not overwrite:
        raise SimdeskError(f"{path} exists; choose another {option} or pass --overwrite")


@click.command("forecast")
@click.argument("tickets", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--weeks", type=click.IntRange(1, 26), default=4, show_default=True,
              help="Whole weeks to forecast, from the day after the history's last day.")
@click.option("--out", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the daily forecast (CSV; the hourly one beside it as NAME.hourly.csv)"
                   " and an HTML report (NAME.html).")
@click.option("--no-report", is_flag=True, help="With -o: write no HTML report.")
@history_options
@click.option("--overwrite", is_flag=True, help="Replace the files at -o.")
@reports_errors
def forecast(tickets: Path, weeks: int, out: Path | None, no_report: bool, preset: str | None,
             mapping: tuple[str, ...], zone_name: str | None, time_format: str | None,
             channels: str | None, holidays: str | None, level: str,
             backtest_weeks: int | None, overwrite: bool) -> None:
    """Forecast each channel's volume for the coming weeks from TICKETS (a ticket export,
    read as simdesk fit reads it): by day with prediction intervals, and by weekday ×
    hour; back-tested on held-out weeks against seasonal-naive. See docs/forecast.md."""
    from simdesk.console.forecast import print_forecast
    from simdesk.forecast.files import hourly_path, write_forecast
    from simdesk.forecast.forecast import forecast_history

    dates, coverage = parse_forecast_options(holidays, level)
    report = None
    if out is not None:
        refuse_existing(out, overwrite, "-o")
        refuse_existing(hourly_path(out), overwrite, "-o")
        if not no_report:
            report = out.with_suffix(".html")
            refuse_existing(report, overwrite, "-o")
    history = read_for_forecast(tickets, preset, mapping, zone_name, time_format, channels)
    found = forecast_history(history, weeks, holidays=dates, level=coverage,
                             backtest_weeks=backtest_weeks)
    console = out_console()
    print_forecast(console, found)
    if out is not None:
        daily, hourly = write_forecast(found, out)
        console.print(f"Forecast written to {daily} and {hourly}", highlight=False)
    if report is not None:
        from simdesk.report.forecast_report import write_forecast_report

        written = write_forecast_report(found, report)
        console.print(f"Report written to {written}", highlight=False)


def fit_forecast_paths(out: Path) -> tuple[Path, Path]:
    """``desk.yaml`` → (``desk.forecast.yaml``, ``desk.forecast.csv``)."""
    return out.with_name(f"{out.stem}.forecast.yaml"), out.with_name(f"{out.stem}.forecast.csv")


def check_fit_forecast(out: Path, holidays: str | None, overwrite: bool
                       ) -> frozenset[dt.date]:
    """Before ``fit --forecast`` works: its outputs writable, its holidays readable."""
    from simdesk.forecast.files import hourly_path

    scenario_path, table_path = fit_forecast_paths(out)
    for path in (scenario_path, table_path, hourly_path(table_path)):
        refuse_existing(path, overwrite, "-o")
    return parse_forecast_options(holidays, "90%")[0]


def write_fit_forecast(fitted: Any, weeks: int, holidays: frozenset[dt.date], out: Path,
                       quiet: bool) -> None:
    """``fit --forecast``: forecast the fitted history, and write the fitted scenario over
    the forecast weeks beside ``out`` with the forecast's tables."""
    from simdesk.console.forecast import print_forecast
    from simdesk.forecast.files import write_forecast
    from simdesk.forecast.forecast import forecast_history
    from simdesk.forecast.scenario import forecast_scenario
    from simdesk.store.atomic import atomic_text

    found = forecast_history(fitted.history, weeks, holidays=holidays,
                             arrivals=fitted.arrivals, profile=fitted.options.profile)
    _, text = forecast_scenario(fitted.scenario, found, fitted.history.source)
    scenario_path, table_path = fit_forecast_paths(out)
    console = out_console()
    if not quiet:
        print_forecast(console, found)
    atomic_text(scenario_path, text)
    daily, hourly = write_forecast(found, table_path)
    console.print(f"Forecast scenario written to {scenario_path}; forecast to {daily} and "
                  f"{hourly}", highlight=False)
