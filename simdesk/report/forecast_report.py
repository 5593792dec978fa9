"""The forecast in HTML: per channel the history, the model's fit and the weeks ahead
with their prediction band; the weekly table, each channel's model, the back-test
against seasonal-naive and the assumptions. :func:`forecast_parts` is shared with the
``simdesk plan`` report."""

from __future__ import annotations

import math
from pathlib import Path

import plotly.graph_objects as go

from simdesk.errors import SimdeskError
from simdesk.forecast.forecast import ChannelForecast, Forecast
from simdesk.report.blocks import section, table, toc
from simdesk.report.figures import Chart
from simdesk.report.shell import figure_section, page
from simdesk.report.style import PALETTE, base_layout, colour, rgba, text
from simdesk.store.atomic import atomic_text

Part = tuple[str, str, str, str]
"""(anchor, title, HTML body, lead sentence) of a report section."""
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _share(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.1%}"


def _chart(index: int, name: str, found: ChannelForecast, level: float) -> Chart:
    ink = colour(PALETTE, index)
    history = found.history
    figure = go.Figure()
    figure.add_trace(go.Scatter(
        x=list(history.index), y=history.to_numpy().tolist(), mode="lines",
        name="history", line={"color": "#9AA5B1", "width": 1}))
    figure.add_trace(go.Scatter(
        x=list(history.index), y=[round(float(v), 1) for v in found.fitted], mode="lines",
        name="model (history)", line={"color": ink, "width": 1, "dash": "dot"}))
    days = list(found.days)
    figure.add_trace(go.Scatter(
        x=days + days[::-1], y=found.high.tolist() + found.low[::-1].tolist(),
        fill="toself", fillcolor=rgba(ink, 0.18), line={"width": 0}, hoverinfo="skip",
        name=f"{level:.0%} prediction interval"))
    figure.add_trace(go.Scatter(
        x=days, y=[round(float(v), 1) for v in found.mean], mode="lines", name="forecast",
        line={"color": ink, "width": 2}))
    figure.update_layout(**base_layout(340, yaxis={"title": {"text": "tickets per day"},
                                                   "rangemode": "tozero"}))
    weeks = found.weeks
    return Chart(f"forecast-{index}", f"Forecast: {text(name)}",
                 f"Tickets per day: the history (grey), the model's fit to it (dotted) and "
                 f"the {len(weeks)} week(s) ahead, {weeks['mean'].sum():,.0f} tickets in all.",
                 figure)


def _weeks(forecast: Forecast) -> str:
    names = list(forecast.channels)
    first = next(iter(forecast.channels.values()))
    rows = []
    for index, week in enumerate(first.weeks["week"]):
        cells = [f"{week:%a %Y-%m-%d}"]
        for name in names:
            row = forecast.channels[name].weeks.iloc[index]
            cells.append(f"{row['mean']:,.0f} <span class='small'>({row['low']:,.0f}–"
                         f"{row['high']:,.0f})</span>")
        rows.append(cells)
    return table(["Week", *(text(n) for n in names)], rows, "numbers")


def _models(forecast: Forecast) -> str:
    rows = []
    for name, found in forecast.channels.items():
        model = found.model
        growth = model.growth
        trend = ("none (AIC)" if growth is None else
                 f"{growth[0]:+.1%} ({growth[1]:+.1%} to {growth[2]:+.1%})")
        holiday = model.holiday_effect
        closed = ", ".join(DAY_NAMES[d] for d in range(7) if d not in model.design.open_days)
        rows.append([text(name), f"{model.days_used:,}", trend,
                     "Poisson" if model.alpha == 0 else f"{model.alpha:.3f}", closed or "—",
                     "closed" if model.design.holiday_closed else "—" if holiday is None
                     else f"×{holiday[0]:.2f} ({holiday[1]:.2f}–{holiday[2]:.2f})",
                     text(", ".join(f"{d:%Y-%m-%d}" for d in model.surges)) or "—"])
    return table(["Channel", "Days used", "Growth per week (95 % CI)", "Overdispersion α",
                  "Closed", "Holiday factor", "Surge days left out"], rows, "numbers")


_VERDICT = {"better": "yes", "worse": "<b>no</b>", "undecided": "can't tell"}


def _backtest(forecast: Forecast) -> str:
    if not forecast.backtests:
        return "<p>No back-test: the history is too short to hold out a week.</p>"
    rows = [[text(name), f"{t.first:%Y-%m-%d} – {t.last:%Y-%m-%d}", f"{t.tickets:,}",
             _share(t.model.wape), _share(t.naive.wape), _share(t.model.mape),
             _share(t.naive.mape), _share(t.model.hourly_wape), _share(t.naive.hourly_wape),
             f"{t.coverage:.0%}", _VERDICT[t.verdict]]
            for name, t in forecast.backtests.items()]
    return table(["Channel", "Held out", "Tickets", "WAPE", "naive", "MAPE", "naive",
                  "Hourly WAPE", "naive", f"In {forecast.level:.0%} PI", "Beats naive"],
                 rows, "numbers")


def forecast_parts(forecast: Forecast) -> tuple[list[Part], list[Chart]]:
    """The forecast's sections and charts."""
    charts = [_chart(i, name, found, forecast.level)
              for i, (name, found) in enumerate(forecast.channels.items())]
    assumptions = "".join(f"<li>{text(line)}</li>" for line in forecast.assumptions())
    parts = [
        ("forecast-weeks", "Forecast per week", _weeks(forecast),
         f"Tickets per channel and week, with the {forecast.level:.0%} prediction interval "
         "(the week's total, drawn from the model)."),
        ("forecast-model", "The model per channel", _models(forecast),
         "Daily tickets as a negative-binomial regression: growth per week (kept where it "
         "lowers the AIC), weekday, yearly season and holidays."),
        ("forecast-backtest", "Back-test against seasonal-naive", _backtest(forecast),
         "The last weeks of the history held out and forecast from the weeks before them. "
         "WAPE: Σ|error| / Σ actual. Seasonal-naive repeats the last week seen."),
        ("forecast-assumptions", "Assumptions", f"<ul>{assumptions}</ul>", ""),
    ]
    return parts, charts


def assemble(title: str, header: str, parts: list[Part], charts: list[Chart], source: str,
             kind: str, footnote: str) -> str:
    """A page of ``parts`` then ``charts``, with a table of contents."""
    entries = [(anchor, name) for anchor, name, _, _ in parts]
    body = [section(anchor, name, content, lead) for anchor, name, content, lead in parts]
    for chart in charts:
        entries.append((f"section-{chart.id}", chart.title))
        body.append(figure_section(chart))
    return page(title, header + toc(entries) + "".join(body), charts, source, kind=kind,
                footnote=footnote)


def write_page(html: str, out: Path) -> Path:
    """Write a report page whole, or say why it cannot be."""
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SimdeskError(f"cannot write the report to {out}: {exc.strerror or exc}") from None
    atomic_text(out, html)
    return out


def write_forecast_report(forecast: Forecast, out: Path) -> Path:
    """The forecast report at ``out``."""
    parts, charts = forecast_parts(forecast)
    last = forecast.channels[next(iter(forecast.channels))].days[-1]
    header = (f'<header><div class="kicker">simdesk · Forecast</div>'
              f"<h1>Forecast of {text(Path(forecast.source).name)}</h1>"
              f'<p class="facts">{forecast.weeks} week(s) from {forecast.start:%a %Y-%m-%d} '
              f"to {last:%a %Y-%m-%d}, from {forecast.history_days} days of history.</p>"
              "</header>")
    html = assemble(f"Forecast of {Path(forecast.source).name}", header, parts, charts,
                    forecast.source, "forecast",
                    "How the forecast is made: docs/forecast.md in the simdesk repository.")
    return write_page(html, out)


__all__ = ["Part", "assemble", "forecast_parts", "write_forecast_report", "write_page"]
