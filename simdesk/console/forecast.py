"""The forecast in the terminal: the weeks ahead per channel with their prediction
intervals, the model of each channel, the back-test against seasonal-naive, and what
was assumed."""

from __future__ import annotations

import math

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simdesk.forecast.forecast import Forecast


def _table(title: str, columns: list[str]) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right", no_wrap=index > 0)
    return table


def _share(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.1%}"


def weeks_table(forecast: Forecast) -> Table:
    """Tickets per forecast week and channel, with the prediction interval."""
    level = f"{forecast.level:.0%}"
    names = list(forecast.channels)
    table = _table(f"Forecast: tickets per week ({level} prediction interval)",
                   ["Week", *[escape(n) for n in names]])
    first = next(iter(forecast.channels.values()))
    for index, week in enumerate(first.weeks["week"]):
        cells = []
        for name in names:
            row = forecast.channels[name].weeks.iloc[index]
            cells.append(f"{row['mean']:,.0f} [dim]({row['low']:,.0f}–{row['high']:,.0f})[/]")
        table.add_row(f"{week:%a %Y-%m-%d}", *cells)
    return table


def model_table(forecast: Forecast) -> Table:
    """What each channel's model found: growth, overdispersion, closed days, holidays."""
    table = _table("Model per channel (daily tickets: negative-binomial regression)",
                   ["Channel", "Days used", "Growth / week (95% CI)", "Overdispersion",
                    "Closed", "Holiday factor"])
    for name, found in forecast.channels.items():
        model = found.model
        growth = model.growth
        trend = ("none [dim](AIC)[/]" if growth is None else
                 f"{growth[0]:+.1%} [dim]({growth[1]:+.1%} to {growth[2]:+.1%})[/]")
        closed = ", ".join(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[d]
                           for d in range(7) if d not in model.design.open_days) or "—"
        holiday = model.holiday_effect
        effect = ("closed" if model.design.holiday_closed else "—" if holiday is None else
                  f"×{holiday[0]:.2f} [dim]({holiday[1]:.2f}–{holiday[2]:.2f})[/]")
        table.add_row(escape(name), f"{model.days_used:,}", trend,
                      "Poisson" if model.alpha == 0 else f"α {model.alpha:.3f}", closed, effect)
    return table


_VERDICT_STYLE = {"better": "[green]yes[/]", "worse": "[red]no[/]",
                  "undecided": "[yellow]can't tell[/]"}


def backtest_table(forecast: Forecast) -> Table | None:
    """The held-out weeks: the model's errors against seasonal-naive's."""
    if not forecast.backtests:
        return None
    first = next(iter(forecast.backtests.values()))
    table = _table(
        f"Back-test: the last {first.weeks} week(s) held out ({first.first:%Y-%m-%d} to "
        f"{first.last:%Y-%m-%d}), forecast from the weeks before",
        ["Channel", "Tickets", "WAPE", "naive", "MAPE", "naive", "Hourly WAPE", "naive",
         f"In {forecast.level:.0%} PI", "Beats naive"])
    for name, test in forecast.backtests.items():
        table.add_row(escape(name), f"{test.tickets:,}", _share(test.model.wape),
                      f"[dim]{_share(test.naive.wape)}[/]", _share(test.model.mape),
                      f"[dim]{_share(test.naive.mape)}[/]", _share(test.model.hourly_wape),
                      f"[dim]{_share(test.naive.hourly_wape)}[/]", f"{test.coverage:.0%}",
                      _VERDICT_STYLE[test.verdict])
    return table


def assumption_lines(forecast: Forecast) -> list[str]:
    """What the forecast assumed, one sentence each."""
    return forecast.assumptions()


def print_forecast(console: Console, forecast: Forecast) -> None:
    """Every table of the forecast, then its assumptions."""
    last = forecast.start.toordinal() + forecast.weeks * 7 - 1
    console.print(f"[bold]Forecast[/] of {escape(forecast.source)}: {forecast.weeks} week(s) "
                  f"from {forecast.start:%a %Y-%m-%d} to "
                  f"{forecast.start.fromordinal(last):%a %Y-%m-%d}, from "
                  f"{forecast.history_days} days of history")
    console.print(weeks_table(forecast))
    console.print(model_table(forecast))
    tested = backtest_table(forecast)
    if tested is not None:
        console.print(tested)
    console.print("[bold]Assumptions[/]")
    for line in assumption_lines(forecast):
        console.print(f"  • {escape(line)}", highlight=False)


__all__ = ["assumption_lines", "backtest_table", "model_table", "print_forecast",
           "weeks_table"]
