"""The charts of the fit report: observed against fitted for every part.

Each builder returns a :class:`simdesk.report.figures.Chart` (id, title, one sentence,
figure) like the simulation report's, drawn from aggregated values: weekday × hour
cells, daily counts, 200 quantiles per handle-time group, the Kaplan–Meier steps — never
one point per ticket.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simdesk.fit.arrivals import MODEL_NAMES
from simdesk.fit.families import FAMILIES
from simdesk.fit.fit import Fit
from simdesk.fit.routing import wilson
from simdesk.fit.verify import Verification
from simdesk.report.figures import Chart, channel_colour, grid_of
from simdesk.report.style import (
    MUTED,
    TARGET_COLOUR,
    TIER_PALETTE,
    VERDICT_COLOURS,
    base_layout,
    colour,
    duration,
    percent,
    rgba,
    text,
)
from simdesk.scenario.calendar import DAY_NAMES

FIT_FIGURES = ("fig-fit-arrivals", "fig-fit-daily", "fig-fit-handles", "fig-fit-patience",
               "fig-fit-shares", "fig-fit-sla")
"""Every figure id of a fit report, in page order (patience and shares only when the
history has abandonment or mixes)."""
QUANTILES = 200
MAX_PANELS = 24
FAMILY_DASH = dict(zip(FAMILIES, ("dot", "dash", "dashdot"), strict=True))
PATIENCE_DASH = {"exponential": "dot", "weibull": "dash", "lognormal": "dashdot"}
DURATION_TICKS = ((5 / 60, "5s"), (10 / 60, "10s"), (0.5, "30s"), (1, "1m"), (2, "2m"),
                  (5, "5m"), (10, "10m"), (20, "20m"), (60, "1h"), (120, "2h"), (240, "4h"),
                  (480, "8h"), (1440, "1d"), (2880, "2d"), (10080, "1w"))
"""Round durations (minutes, label) marked on the log-scale axes of work time."""
COARSE_TICKS = ("10s", "1m", "5m", "20m", "1h", "4h", "1d", "1w")
"""The marks kept when a panel spans too many of :data:`DURATION_TICKS` to label each."""
MAX_TICKS = 6
TITLE_ROOM = 28
"""Pixels between the top of the plots and the legend, for the subplots' titles."""


def _style_axes(figure: go.Figure) -> None:
    """Every subplot's axes in the style :func:`base_layout` gives the first."""
    axis = base_layout(0)["xaxis"]
    figure.update_xaxes(**axis)
    figure.update_yaxes(**axis)


def _legend_over_titles(layout: dict[str, Any], height: int) -> None:
    """Lift the legend above the subplots' titles (it would cover them at its usual
    place, just above the plots)."""
    margin = layout.setdefault("margin", {"l": 60, "r": 20, "t": 40, "b": 50})
    margin["t"] = max(margin.get("t", 40), TITLE_ROOM + 50)
    plotted = height - margin["t"] - margin.get("b", 50)
    layout["legend"]["y"] = 1 + TITLE_ROOM / max(plotted, 1)


def _duration_axis(figure: go.Figure, low: float, high: float, row: int, col: int) -> None:
    """A log axis of minutes marked at round durations (30s, 1m, 2m, 5m, ...) within
    ``low``..``high``, rather than plotly's bare digits (5, 1, 2, 5, 10, 2, ...)."""
    marks = [(v, t) for v, t in DURATION_TICKS if low <= v <= high]
    if len(marks) > MAX_TICKS:
        marks = [(v, t) for v, t in marks if t in COARSE_TICKS]
    figure.update_xaxes(type="log", tickvals=[v for v, _ in marks],
                        ticktext=[t for _, t in marks], row=row, col=col)


def _family_legend(figure: go.Figure, families: tuple[str, ...],
                   dashes: dict[str, str] = FAMILY_DASH) -> None:
    """Legend entries: the chosen family in black, the others grey by their dash."""
    figure.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name="chosen family",
                                line={"color": "#1f2933", "width": 2}, hoverinfo="skip"))
    for family in families:
        figure.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=family,
                                    line={"color": "#9AA5B1", "width": 1.2,
                                          "dash": dashes[family]}, hoverinfo="skip"))


def arrivals_chart(fit: Fit) -> Chart:
    channels = list(fit.arrivals)
    figure = make_subplots(rows=len(channels), cols=1, shared_xaxes=True,
                           subplot_titles=[f"<b>{text(c)}</b>" for c in channels],
                           vertical_spacing=0.08 if len(channels) > 1 else 0.1)
    x = np.arange(168)
    labels = [f"{DAY_NAMES[i // 24]} {i % 24:02d}:00" for i in x]
    for row, channel in enumerate(channels, start=1):
        fitted = fit.arrivals[channel]
        counts = fitted.counts.reshape(-1)
        exposure = fitted.exposure.reshape(-1)
        observed = fitted.observed_rates().reshape(-1)
        rates = fitted.rates.reshape(-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            half = np.where(exposure > 0, 1.96 * np.sqrt(np.maximum(counts, 1)) / exposure, 0)
        hover = [f"<b>{text(channel)}</b> · {label}<br>{int(n):,} tickets in {e:g} hours "
                 f"observed<br>observed {o:.2f}/h · fitted {r:.2f}/h"
                 for label, n, e, o, r in zip(labels, counts, exposure, observed, rates,
                                              strict=True)]
        colour_ = channel_colour(row - 1)
        figure.add_trace(go.Scatter(
            x=x, y=observed, mode="markers", name="observed (95 % CI)",
            marker={"color": rgba(colour_, 0.55), "size": 5},
            error_y={"type": "data", "array": half, "color": rgba(colour_, 0.35),
                     "thickness": 1, "width": 0},
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>",
            showlegend=row == 1, legendgroup="observed"), row=row, col=1)
        figure.add_trace(go.Scatter(
            x=x, y=rates, mode="lines", name="fitted", line={"color": colour_, "width": 2,
                                                             "shape": "hv"},
            hoverinfo="skip", showlegend=row == 1, legendgroup="fitted"), row=row, col=1)
        figure.update_yaxes(title={"text": "tickets / hour"}, rangemode="tozero", row=row,
                            col=1)
    height = max(260, 230 * len(channels))
    layout = base_layout(height)
    _legend_over_titles(layout, height)
    figure.update_layout(layout)
    _style_axes(figure)
    figure.update_xaxes(tickvals=list(range(0, 168, 24)), ticktext=list(DAY_NAMES),
                        range=[-1, 168])
    models = "; ".join(f"{text(c)}: {MODEL_NAMES[f.model]}" for c, f in fit.arrivals.items())
    return Chart(
        "fig-fit-arrivals", "Arrivals through the week: observed and fitted",
        "Tickets per hour in each hour of the week: the dots are what the history shows "
        "(tickets over the hours that weekday and hour were observed, with a 95 % Poisson "
        "interval), the line the fitted rate the scenario uses. Dots scattered around the "
        "line are noise; a run of dots above or below it is a pattern the fit misses.",
        figure, f"Surge days are left out. Profiles chosen by AIC — {models}.")


def daily_chart(fit: Fit) -> Chart:
    figure = go.Figure()
    for index, (channel, fitted) in enumerate(fit.arrivals.items()):
        daily = fitted.daily
        colour_ = channel_colour(index)
        days = [f"{d:%Y-%m-%d}" for d in daily["day"]]
        figure.add_trace(go.Scatter(
            x=days, y=daily["expected"], mode="lines", name=f"{text(channel)} expected",
            line={"color": colour_, "width": 1.5, "dash": "dot"}, hoverinfo="skip"))
        hover = [f"<b>{text(channel)}</b> {d:%a %Y-%m-%d}<br>{n:,} tickets, {e:,.0f} expected"
                 + ("<br><b>surge</b>" if s else "")
                 for d, n, e, s in zip(daily["day"], daily["tickets"], daily["expected"],
                                       daily["surge"], strict=True)]
        figure.add_trace(go.Scatter(
            x=days, y=daily["tickets"], mode="lines+markers", name=text(channel),
            line={"color": colour_, "width": 2},
            marker={"size": [11 if s else 5 for s in daily["surge"]],
                    "color": [VERDICT_COLOURS["missed"] if s else colour_
                              for s in daily["surge"]],
                    "symbol": ["diamond" if s else "circle" for s in daily["surge"]]},
            hovertext=hover, hovertemplate="%{hovertext}<extra></extra>"))
    layout = base_layout(360)
    layout["yaxis"].update(title={"text": "tickets per day"}, rangemode="tozero")
    figure.update_layout(layout)
    return Chart(
        "fig-fit-daily", "Tickets per day and the surges",
        "Each channel's tickets per day (solid) against what the fitted profile expects "
        "for that day (dotted). Red diamonds are surge days: far above the profile, left out "
        "of the base rate and reported as surges.",
        figure, "A surge day's upper-tail probability is below 1 % divided by the number of "
        "days (negative binomial with the overdispersion of ordinary days), and it has at "
        "least 20 % more tickets than expected.")


def handles_chart(fit: Fit) -> Chart:
    groups = [(tier, group) for tier, fitted in fit.handles.items()
              for group in (fitted.handle, *fitted.overrides)]
    shown = sorted(groups, key=lambda g: (g[1].key != "", -g[1].n))[:MAX_PANELS]
    shown = [g for g in groups if g in shown]
    rows, cols = grid_of(len(shown), 3)
    titles = [f"<b>{text(tier)}</b> · {text(group.key or 'all tickets')} "
              f"<span style='color:{MUTED}'>({group.n:,})</span>" for tier, group in shown]
    figure = make_subplots(rows=rows, cols=cols, subplot_titles=titles,
                           horizontal_spacing=0.06, vertical_spacing=min(0.5 / rows, 0.12))
    probabilities = (np.arange(QUANTILES) + 0.5) / QUANTILES
    for number, (tier, group) in enumerate(shown):
        row, col = number // cols + 1, number % cols + 1
        tier_colour = colour(TIER_PALETTE, list(fit.handles).index(tier) + 1)
        sample = group.sample
        quantiles = np.quantile(sample, probabilities)
        low = max(float(np.quantile(sample, 0.002)), 1e-3)
        high = float(np.quantile(sample, 0.998))
        grid = np.geomspace(low, high, 120)
        figure.add_trace(go.Scatter(
            x=quantiles, y=probabilities, mode="markers", name="observed",
            marker={"color": rgba(tier_colour, 0.6), "size": 4},
            hovertemplate="%{y:.0%} within %{x:.2f} min<extra>observed</extra>",
            showlegend=number == 0, legendgroup="observed"), row=row, col=col)
        for family, fitted in group.fits.items():
            chosen = family == group.best.family
            figure.add_trace(go.Scatter(
                x=grid, y=fitted.cdf(grid), mode="lines", name=family,
                line={"color": "#1f2933" if chosen else "#9AA5B1",
                      "width": 2 if chosen else 1.2,
                      "dash": "solid" if chosen else FAMILY_DASH[family]},
                hovertemplate=(f"{family}{' (chosen)' if chosen else ''}: "
                               "%{y:.0%} within %{x:.2f} min<extra></extra>"),
                showlegend=False), row=row, col=col)
        _duration_axis(figure, low, high, row, col)
        figure.update_yaxes(tickformat=".0%", range=[0, 1.02], row=row, col=col)
    _family_legend(figure, FAMILIES)
    layout = base_layout(max(300, 250 * rows))
    layout["margin"] = {"l": 50, "r": 20, "t": 60, "b": 40}
    figure.update_layout(layout)
    _style_axes(figure)
    figure.update_annotations(font={"size": 12})
    omitted = len(groups) - len(shown)
    note = ("Work time on a log scale. Each tier's 'all tickets' fit is its handle: the "
            "fallback for groups with fewer than 30 tickets.")
    if omitted:
        note += f" {omitted} smaller group(s) not drawn; every group is in the table above."
    return Chart(
        "fig-fit-handles", "Handle times: observed against the fitted distributions",
        "For each tier and group, the share of tickets worked within a time: dots are the "
        "history (200 quantiles), the black line the chosen distribution (smallest AIC), grey "
        "lines the other families. Dots on the black line: the distribution fits.",
        figure, note)


def patience_chart(fit: Fit) -> Chart | None:
    if not fit.patience:
        return None
    channels = list(fit.patience)
    rows, cols = grid_of(len(channels), 2)
    figure = make_subplots(rows=rows, cols=cols,
                           subplot_titles=[f"<b>{text(c)}</b>" for c in channels],
                           horizontal_spacing=0.09, vertical_spacing=0.18 if rows > 1 else 0.1)
    for number, channel in enumerate(channels):
        row, col = number // cols + 1, number % cols + 1
        fitted = fit.patience[channel]
        curve = fitted.curve
        colour_ = channel_colour(list(fit.arrivals).index(channel))
        step = max(1, len(curve.times) // 400)
        times = np.concatenate([[0.0], curve.times[::step]])
        survival = np.concatenate([[1.0], curve.survival[::step]])
        low = np.concatenate([[1.0], curve.low[::step]])
        high = np.concatenate([[1.0], curve.high[::step]])
        first = number == 0
        figure.add_trace(go.Scatter(x=times, y=high, mode="lines", line={"width": 0,
                                    "shape": "hv"}, hoverinfo="skip", showlegend=False),
                         row=row, col=col)
        figure.add_trace(go.Scatter(x=times, y=low, mode="lines", fill="tonexty",
                                    fillcolor=rgba(colour_, 0.18),
                                    line={"width": 0, "shape": "hv"}, hoverinfo="skip",
                                    name="Kaplan–Meier 95 % band", showlegend=first),
                         row=row, col=col)
        figure.add_trace(go.Scatter(
            x=times, y=survival, mode="lines", name="Kaplan–Meier (observed)",
            line={"color": colour_, "width": 2, "shape": "hv"}, showlegend=first,
            hovertemplate="%{y:.0%} still waiting after %{x:.2f} min<extra>observed</extra>"),
            row=row, col=col)
        end = float(max(fitted.longest_wait, fitted.best.mean) * 1.1)
        grid = np.linspace(0, end, 200)
        for family, candidate in fitted.fits.items():
            chosen = family == fitted.best.family
            figure.add_trace(go.Scatter(
                x=grid, y=candidate.survival(grid), mode="lines", name=family,
                line={"color": "#1f2933" if chosen else "#9AA5B1",
                      "width": 2 if chosen else 1.2,
                      "dash": "solid" if chosen else PATIENCE_DASH[family]},
                showlegend=False,
                hovertemplate=f"{family}{' (chosen)' if chosen else ''}: "
                              "%{y:.0%} still waiting after %{x:.2f} min<extra></extra>"),
                row=row, col=col)
        for value, label, dash in ((fitted.best.mean, "fitted mean", "solid"),
                                   (fitted.naive_mean, "naive average", "dot")):
            figure.add_vline(x=value, line={"color": VERDICT_COLOURS["missed"]
                                            if dash == "dot" else "#1f2933",
                                            "dash": dash, "width": 1.5}, row=row, col=col,
                             annotation_text=f"{label} {duration(value)}",
                             annotation_font={"size": 11},
                             annotation_position="top right" if dash == "solid"
                             else "bottom left")
        figure.update_xaxes(title={"text": "minutes waited"}, range=[0, end], row=row, col=col)
        figure.update_yaxes(tickformat=".0%", range=[0, 1.02], row=row, col=col)
    _family_legend(figure, tuple(PATIENCE_DASH), PATIENCE_DASH)
    height = max(340, 320 * rows)
    layout = base_layout(height)
    _legend_over_titles(layout, height)
    figure.update_layout(layout)
    _style_axes(figure)
    return Chart(
        "fig-fit-patience", "Patience: who is still willing to wait",
        "The share of customers whose patience lasts longer than a wait. The coloured steps "
        "are the Kaplan–Meier estimate from the history (answered customers count as still "
        "patient when answered), the black line the fitted distribution. The dotted red line "
        "is the average wait of those who gave up: it understates patience, because only "
        "short patience runs out before an answer.",
        figure, "Censored maximum likelihood; AIC chooses among exponential, Weibull and "
        "lognormal.")


def _share_bars(figure: go.Figure, row: int, labels: list[str], successes: list[int],
                totals: list[int], colour_: str, hover_word: str) -> None:
    shares = [s / n if n else math.nan for s, n in zip(successes, totals, strict=True)]
    intervals = [wilson(s, n) for s, n in zip(successes, totals, strict=True)]
    figure.add_trace(go.Bar(
        y=labels, x=shares, orientation="h", marker={"color": colour_},
        error_x={"type": "data", "symmetric": False,
                 "array": [h - m for m, (_, h) in zip(shares, intervals, strict=True)],
                 "arrayminus": [m - lo for m, (lo, _) in zip(shares, intervals, strict=True)],
                 "color": "#3E4C59", "thickness": 1.2, "width": 4},
        text=[percent(s) for s in shares], textposition="auto", insidetextanchor="start",
        cliponaxis=False,
        hovertext=[f"{label}: {percent(s)} ({k:,} of {n:,} {hover_word})"
                   for label, s, k, n in zip(labels, shares, successes, totals, strict=True)],
        hovertemplate="%{hovertext}<extra></extra>", showlegend=False), row=row, col=1)


def shares_chart(fit: Fit) -> Chart:
    panels: list[tuple[str, list[str], list[int], list[int], str]] = []
    for mix in (fit.segments, fit.topics):
        if mix is None:
            continue
        labels, successes, totals = [], [], []
        scopes = [None, *mix.by_channel] if mix.per_channel else [None]
        for scope in scopes:
            counts = mix.counts if scope is None else mix.by_channel[scope]
            total = sum(counts.values())
            for value, count in counts.items():
                labels.append(text(value) if scope is None else f"{text(scope)} · {text(value)}")
                successes.append(count)
                totals.append(total)
        panels.append((f"{mix.field}s", labels, successes, totals, "tickets"))
    tiers = [t for t in fit.routing.tiers if fit.escalations[t.tier] is not None]
    if tiers:
        panels.append(("resolved at each tier (the rest escalated)",
                       [text(t.tier) for t in tiers], [t.resolved for t in tiers],
                       [t.finished for t in tiers], "finished there"))
    heights = [max(len(p[1]), 1) for p in panels]
    height = 90 + 34 * sum(heights) + 90 * len(panels)
    figure = make_subplots(rows=len(panels), cols=1, row_heights=heights,
                           subplot_titles=[f"<b>{p[0]}</b>" for p in panels],
                           vertical_spacing=min(85 / height, 0.3))
    for row, (_, labels, successes, totals, word) in enumerate(panels, start=1):
        _share_bars(figure, row, labels[::-1], successes[::-1], totals[::-1],
                    colour(TIER_PALETTE, row), word)
        figure.update_xaxes(tickformat=".0%", range=[0, 1.12], row=row, col=1)
    layout = base_layout(height)
    layout["margin"] = {"l": 120, "r": 40, "t": 50, "b": 40}
    figure.update_layout(layout)
    _style_axes(figure)
    return Chart(
        "fig-fit-shares", "Mixes and escalations",
        "The share of tickets of each segment and topic (per channel when the channels "
        "clearly differ), and the share each tier resolved of the tickets it finished, "
        "with 95 % (Wilson) intervals. These shares go into the scenario as they are.",
        figure, "Per-channel mixes are written when a χ² test says the channels differ "
        "(p < 0.1 %).")


def sla_chart(fit: Fit, verification: Verification | None) -> Chart:
    channels = list(fit.sla)
    figure = go.Figure()
    checks = ({c.channel: c for c in verification.checks if c.metric == "sla"}
              if verification is not None else {})
    names = [text(c) for c in channels]
    observed = [fit.sla[c].share for c in channels]
    if checks:
        simulated = [checks[c].simulated if c in checks else math.nan for c in channels]
        figure.add_trace(go.Bar(
            x=names, y=simulated, name="fitted scenario, simulated",
            marker={"color": [channel_colour(i) for i in range(len(channels))]},
            error_y={"type": "data", "symmetric": False,
                     "array": [checks[c].high - checks[c].simulated if c in checks else None
                               for c in channels],
                     "arrayminus": [checks[c].simulated - checks[c].low if c in checks
                                    else None for c in channels],
                     "color": "#1f2933", "thickness": 2, "width": 22},
            hovertext=[f"{text(c)}: simulated {percent(checks[c].simulated)} (95 % PI "
                       f"{percent(checks[c].low)}–{percent(checks[c].high)})"
                       if c in checks else "" for c in channels],
            hovertemplate="%{hovertext}<extra></extra>"))
        observed = [checks[c].observed if c in checks else fit.sla[c].share for c in channels]
    else:
        figure.add_trace(go.Bar(x=names, y=observed, name="history",
                                marker={"color": [channel_colour(i)
                                                  for i in range(len(channels))]},
                                hoverinfo="skip"))
    figure.add_trace(go.Scatter(
        x=names, y=observed, mode="markers", name="history (observed)",
        marker={"symbol": "diamond", "size": 10, "color": "white",
                "line": {"color": "#1f2933", "width": 2}},
        hovertext=[f"{text(c)}: observed {percent(v)}" for c, v in zip(channels, observed,
                                                                          strict=True)],
        hovertemplate="%{hovertext}<extra></extra>"))
    shapes: list[dict[str, Any]] = []
    for position, channel in enumerate(channels):
        target = fit.sla[channel].target
        shapes.append({"type": "line", "xref": "x", "yref": "y", "x0": position - 0.4,
                       "x1": position + 0.4, "y0": target, "y1": target,
                       "line": {"color": TARGET_COLOUR, "width": 2.5, "dash": "dash"}})
    figure.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name="target",
                                line={"color": TARGET_COLOUR, "dash": "dash", "width": 2.5},
                                hoverinfo="skip"))
    layout = base_layout(380, shapes=shapes, bargap=0.35)
    layout["yaxis"].update(tickformat=".0%", range=[0, 1.05], title={"text": "answered "
                                                                              "within target"})
    figure.update_layout(layout)
    sentence = ("The share of each channel's tickets answered within its target: the white "
                "diamond is the history")
    if checks:
        sentence += (", the bar the fitted scenario simulated, with the 95 % prediction "
                     "interval for one history of the same length. A diamond inside the "
                     "whisker: the fitted desk reproduces the real one.")
    else:
        sentence += "; the dashed line the target."
    return Chart("fig-fit-sla", "Service level: the history and the fitted scenario",
                 sentence, figure, "Abandoned tickets count as missed, as in the simulation. "
                 "Targets come from --sla, --staff or presets (ticket data holds none).")


def fit_charts(fit: Fit, verification: Verification | None) -> list[Chart]:
    """Every chart of the fit report, in page order."""
    charts = [arrivals_chart(fit), daily_chart(fit)]
    if fit.handles:  # none when the export holds no work times
        charts.append(handles_chart(fit))
    patience = patience_chart(fit)
    if patience is not None:
        charts.append(patience)
    if fit.segments is not None or fit.topics is not None or any(
            fit.escalations[t.tier] is not None for t in fit.routing.tiers):
        charts.append(shares_chart(fit))
    charts.append(sla_chart(fit, verification))
    return charts
