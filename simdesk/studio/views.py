"""Dash components that show what a job produced: a run as the report shows it, plans
against the baseline with paired intervals, staffing against today's.

Every piece of scenario text goes in as a component's text, which Dash escapes; no raw
HTML is ever built here. Figures are the report's own builders
(:mod:`simdesk.report.bars`, :mod:`~simdesk.report.waits`,
:mod:`~simdesk.report.behaviour`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import plotly.graph_objects as go
from dash import dcc, html
from rich.text import Text

from simdesk.metrics.catalogue import format_difference
from simdesk.metrics.misses_text import channel_lines
from simdesk.metrics.verdicts import judgement, summary_verdicts
from simdesk.report.bars import abandonment_chart, sla_chart, utilization_chart
from simdesk.report.behaviour import days_chart, has_days
from simdesk.report.figures import Chart, Estimates
from simdesk.report.misses import read_misses
from simdesk.report.style import VERDICT_WORDS, base_layout, duration, exact_duration, percent
from simdesk.report.waits import heatmap_sla_chart
from simdesk.scenario.calendar import DAY_NAMES
from simdesk.studio.plotting import GRAPH_CONFIG, plain
from simdesk.studio.work import PlansOutcome, RunOutcome, StaffOutcome

MARKS = {"met": "✓", "missed": "✗", "borderline": "≈"}
PLAN_METRICS = (("sla", "SLA"), ("abandonment", "gave up"), ("wait_p90", "p90 wait"))
JUDGED = {"better": "✓", "worse": "✗", "same": "="}


def chip(kind: str) -> html.Span:
    word = VERDICT_WORDS.get(kind, kind)
    return html.Span(f"{MARKS.get(kind, '')} {word}", className=f"chip chip-{word}")


def _ci(low: float, high: float) -> str:
    if math.isnan(low) or math.isnan(high):
        return "one replication: no interval"
    return f"95 % CI {low * 100:.1f}–{high * 100:.1f} %"


def verdict_cards(outcome: RunOutcome) -> html.Div:
    """A card per channel: SLA, its interval, the target and the verdict."""
    results = outcome.results
    estimates = Estimates(results.summary)
    verdicts = summary_verdicts(results.plan.channels, results.summary)
    cards = []
    for channel in results.plan.channels:
        mean, low, high = estimates.get(results.baseline, "channel", channel.name, "sla")
        if math.isnan(channel.sla_target):
            body: list[Any] = [html.Div("no SLA target", className="muted")]
            head: list[Any] = [html.B(channel.name)]
        else:
            hours = " (business hours)" if channel.sla_hours is not None else ""
            body = [html.Div(percent(mean), className="big"),
                    html.Div(_ci(low, high), className="muted ci"),
                    html.Div(f"target {percent(channel.sla_target, 0)} within "
                             f"{exact_duration(channel.sla_within)}{hours}", className="small")]
            head = [html.B(channel.name), chip(verdicts.get(channel.name, ""))]
        cards.append(html.Div([html.Div(head, className="card-head"), *body],
                              className="card", id={"type": "verdict", "channel": channel.name}))
    return html.Div(cards, className="cards")


def chart_block(chart: Chart, prefix: str) -> html.Section:
    return html.Section([html.H3(chart.title), html.P(chart.sentence, className="lead"),
                         dcc.Graph(id=f"{prefix}-{chart.id}", figure=plain(chart.figure),
                                   config=GRAPH_CONFIG)],
                        className="chart")


def misses_block(outcome: RunOutcome) -> html.Section | None:
    """Why each channel missed (or nearly missed) its target, from the run's
    ``misses.json``: the lines ``simdesk run`` prints under its table, as text."""
    found = read_misses(outcome.folder)
    if not found:
        return None
    parts: list[Any] = []
    for misses in found:
        lines = [Text.from_markup(line).plain.strip() for line in channel_lines(misses)]
        parts.append(html.Div([html.P(html.B(lines[0])),
                               html.Ul([html.Li(line.lstrip("• ")) for line in lines[1:]])],
                              className="misses",
                              id={"type": "misses", "channel": misses.channel}))
    return html.Section([
        html.H3("Why targets were missed"),
        html.P("For each channel that missed its target or came close: where the misses "
               "fall (blocks of weekday × hour of arrival), how many of them gave up, and "
               "what those customers found waiting ahead of them. On the command line, "
               "simdesk run also tries a few changes on the same tickets.", className="lead"),
        *parts], className="chart", id="run-misses")


def run_view(outcome: RunOutcome, seconds: float) -> html.Div:
    """The run as the report shows it: verdicts, why targets were missed, SLA, per-day
    SLA, SLA by weekday × hour of arrival, utilization, abandonment."""
    results = outcome.results
    charts = [sla_chart(results)]
    if has_days(results):
        charts.append(days_chart(results))
    charts += [heatmap_sla_chart(results), utilization_chart(results),
               abandonment_chart(results)]
    facts = (f"{outcome.variant}: {results.replications} replications, seed {results.seed}, "
             f"{seconds:.1f} s. Verdicts are judged on the 95 % confidence interval: met when "
             "all of it is at or above the target, missed when all of it is below, close "
             "when it contains the target.")
    why = misses_block(outcome)
    return html.Div([html.P(facts, className="facts"), verdict_cards(outcome),
                     *([why] if why is not None else []),
                     *[chart_block(chart, "run") for chart in charts]])


def _value(metric: str, mean: float, low: float, high: float) -> str:
    if math.isnan(mean):
        return "—"
    if metric == "wait_p90":
        shown = duration(mean)
        return shown if math.isnan(low) else f"{shown} ({duration(low)}–{duration(high)})"
    return percent(mean) if math.isnan(low) else (
        f"{percent(mean)} ({percent(low)}–{percent(high)})")


def plans_view(outcome: PlansOutcome, seconds: float) -> html.Div:
    """Each plan against the baseline on the same tickets: value with its CI, and the
    paired difference ± its 95 % half-width, judged ✓ better / ✗ worse / = no
    significant difference."""
    estimates = Estimates(outcome.summary)
    differences = {(r["group"], r["metric"], r["policy"]): r
                   for r in outcome.differences.to_dict("records") if r["scope"] == "channel"}
    baseline = outcome.labels[0]
    head = html.Tr([html.Th("Channel"), html.Th("Measure"),
                    *[html.Th(f"{label} (baseline)" if label == baseline else label)
                      for label in outcome.labels]])
    rows = []
    for channel in outcome.plan.channels:
        for metric, title in PLAN_METRICS:
            cells: list[Any] = [html.Td(channel.name), html.Td(title)]
            for label in outcome.labels:
                mean, low, high = estimates.get(label, "channel", channel.name, metric)
                content: list[Any] = [html.Div(_value(metric, mean, low, high))]
                found = differences.get((channel.name, metric, label))
                if found is not None:
                    side = judgement(str(found["better"]), label, bool(found["significant"]))
                    half = (float(found["ci_high"]) - float(found["ci_low"])) / 2
                    shown = format_difference(metric, found["mean_difference"], half)
                    content.append(html.Div(
                        f"{JUDGED[side]} {shown}",
                        className=f"diff d-{side}",
                        id={"type": "paired", "channel": channel.name, "metric": metric,
                            "variant": label}))
                cells.append(html.Td(content))
            rows.append(html.Tr(cells))
    notes = []
    for label, differing in outcome.pairing.items():
        if differing:
            notes.append(html.Li(f"{label}: draws different tickets where it changes "
                                 f"{', '.join(differing)}; the pairing is partial there."))
        else:
            notes.append(html.Li(f"{label}: exactly the same tickets as {baseline} "
                                 "(common random numbers)."))
    lead = (f"{len(outcome.labels)} plans, {outcome.replications} replications each, seed "
            f"{outcome.seed}, {seconds:.1f} s. Under each plan's value: its paired difference "
            f"to {baseline}, replication by replication, ± the 95 % half-width (Student t): "
            "✓ significantly better, ✗ significantly worse, = no significant difference.")
    return html.Div([html.P(lead, className="facts"),
                     html.Div(html.Table([html.Thead(head), html.Tbody(rows)],
                                         className="numbers"), className="table-wrap"),
                     html.Ul(notes, className="plain small")])


def _week_axis() -> dict[str, Any]:
    return {"tickvals": [24 * d + 12 for d in range(7)], "ticktext": list(DAY_NAMES),
            "range": [0, 168]}


def staff_view(outcome: StaffOutcome, seconds: float) -> html.Div:
    """Per staffed tier: today's agents on duty against what the simulation and Erlang
    say each hour of the week needs, and the agent-hours of each."""
    staffing = outcome.staffing
    hours = staffing.grid.minutes / 60
    blocks: list[Any] = []
    for goal in staffing.goals:
        today = outcome.today[goal.tier]
        needed = staffing.levels[goal.tier].astype(float)
        erlang = staffing.erlang[goal.tier].astype(float)
        x = np.arange(len(today) + 1) * hours
        figure = go.Figure()
        for values, name, colour, dash in ((today, "today", "#3E4C59", "solid"),
                                           (needed, "needed (simulation)", "#D55E00", "solid"),
                                           (erlang, "Erlang", "#0072B2", "dot")):
            figure.add_trace(go.Scatter(x=x, y=np.append(values, values[-1]), name=name,
                                        mode="lines", line={"shape": "hv", "color": colour,
                                                            "dash": dash, "width": 2}))
        layout = base_layout(260)
        layout.update(xaxis=_week_axis(), yaxis={"title": "agents on duty",
                                                 "rangemode": "tozero"})
        figure.update_layout(**layout)
        short = int(np.sum(today + 1e-9 < needed))
        spare = float(np.sum(np.clip(today - needed, 0, None)) * hours)
        summary = (f"{goal.tier}: today {today.sum() * hours:,.0f} agent-hours a week; the "
                   f"targets need {needed.sum() * hours:,.0f} by simulation (Erlang "
                   f"{erlang.sum() * hours:,.0f}). Today is short in {short} of "
                   f"{len(today)} hours and has {spare:,.0f} agent-hours more than needed "
                   "elsewhere.")
        blocks += [html.H3(goal.tier), html.P(summary, className="lead",
                                              id={"type": "staff-summary", "tier": goal.tier}),
                   dcc.Graph(id=f"staff-{goal.tier}", figure=plain(figure),
                             config=GRAPH_CONFIG)]
    lead = (f"simdesk staff: every hour of the week meets each channel's target (the WFM "
            f"convention), {staffing.simulations} simulations of {staffing.replications} "
            f"replications, seed {staffing.seed}, {seconds:.1f} s.")
    return html.Div([html.P(lead, className="facts"), *blocks])
