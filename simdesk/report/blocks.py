"""HTML pieces of the report page: verdict chips, tables (assumptions, results,
differences, sweep points), sections and the table of contents. Every piece of
scenario text is escaped with :func:`simdesk.report.style.text`."""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

from simdesk.metrics.catalogue import (
    format_difference,
    format_metric,
    label_of,
    split_reference,
    unit_of,
)
from simdesk.metrics.verdicts import judgement, summary_verdicts, verdict
from simdesk.report.assumed import behaviour_items, group_details, tier_lines
from simdesk.report.differences import difference_rows
from simdesk.report.figures import Estimates
from simdesk.report.style import (
    VERDICT_WORDS,
    duration,
    exact_duration,
    interval,
    percent,
    round_duration,
    text,
)
from simdesk.report.sweep_figures import (
    parameter_label,
    sweep_channels,
)
from simdesk.scenario.calendar import MINUTES_PER_WEEK
from simdesk.scenario.schema import Scenario
from simdesk.store.read import DeskResults, SweepResults


def chip(kind: str) -> str:
    """A met / missed / close label (``kind`` as :func:`simdesk.console.run.verdict` says)."""
    word = VERDICT_WORDS.get(kind, kind)
    mark = {"met": "✓", "missed": "✗", "borderline": "≈"}.get(kind, "")
    return f'<span class="chip chip-{html.escape(word)}">{mark} {html.escape(word)}</span>'


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], css: str = "") -> str:
    """An HTML table; cells are HTML already (escape scenario text before)."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (f'<div class="table-wrap"><table class="{css}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def section(anchor: str, title: str, body: str, lead: str = "") -> str:
    lead_html = f'<p class="lead">{lead}</p>' if lead else ""
    return f'<section id="{anchor}"><h2>{title}</h2>{lead_html}{body}</section>'


def distribution(value: Any) -> str:
    if value is None:
        return "—"
    name = getattr(value, "dist", "")
    mean = getattr(value, "expected", math.nan)
    cv = getattr(value, "cv", None)
    shape = f", cv {cv:g}" if isinstance(cv, int | float) and name not in (
        "exponential", "deterministic") else ""
    return f"{html.escape(str(name))}, mean {round_duration(mean)}{shape}"


def routing(spec: dict[str, Any]) -> str:
    """``paid-first (order: paid, free; promote after: 3h)``, escaped."""
    options = []
    for key, value in spec.items():
        if key == "policy" or (key == "ownership" and value == "shared") or value in (
                None, [], {}):
            continue
        if isinstance(value, list):
            shown = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            shown = "; ".join(f"{k}: {v}" for k, v in value.items())
        else:
            shown = str(value)
        options.append(f"{key.replace('_', ' ')}: {shown}")
    name = f"<b>{text(spec.get('policy', '?'))}</b>"
    return name + (f" ({text('; '.join(options))})" if options else "")


def staffing(scenario: Scenario, tier_name: str) -> str:
    tier = scenario.tiers[tier_name]
    parts = []
    for group in tier.agents:
        if group.count == 0:
            continue
        extra = []
        if group.team:
            extra.append(f"team {text(group.team)}")
        if group.skills:
            extra.append("skills " + text(", ".join(group.skills)))
        extra += group_details(group)
        more = f" ({'; '.join(extra)})" if extra else ""
        parts.append(f"{group.count} × {text(group.shift)}{more}")
    rotation = tier.rotation
    if rotation is not None:
        line = (f"rota: {rotation.on_duty} of {rotation.pool} on duty, handing over every "
                f"{exact_duration(rotation.every)}, {text(rotation.shift)}")
        if rotation.availability < 1:
            line += (f", on the queue {percent(rotation.availability, 0)} of every "
                     f"{exact_duration(rotation.cycle)}")
        if rotation.speed != 1:
            line += f", speed {percent(rotation.speed, 0)}"
        parts.append(line)
    parts += tier_lines(tier)
    return "<br>".join(parts) or "nobody"


def assumptions(scenario: Scenario, plan: Any) -> str:
    """Channels, tiers and surges as two small tables and a list."""
    weekly: dict[int, float] = {}
    for stream in plan.streams:
        weekly[stream.channel] = weekly.get(stream.channel, 0.0) + (
            stream.expected / plan.horizon * MINUTES_PER_WEEK)
    channel_rows = []
    for channel in plan.channels:
        spec = scenario.channels[channel.name]
        target = "—"
        if spec.sla is not None:
            target = (f"{percent(spec.sla.target, 0)} within "
                      f"{exact_duration(spec.sla.within)}")
            if spec.sla.hours:
                target += f" <span class='muted'>(counted {text(spec.sla.hours)})</span>"
        channel_rows.append([
            f"<b>{text(channel.name)}</b>", target,
            f"{weekly.get(channel.index, 0.0):,.0f}",
            distribution(spec.patience) if spec.patience is not None else "never",
            "first reply" if spec.response == "reply" else "pickup",
        ])
    channels = table(["Channel", "SLA target", "Tickets / week (expected)",
                       "Customers give up after", "First response is"], channel_rows)
    tier_rows = []
    for tier in plan.tiers:
        tier_spec = scenario.tiers[tier.name]
        escalate = text(tier_spec.escalate_to) if tier_spec.escalate_to else "—"
        served = text(", ".join(tier_spec.channels)) if tier_spec.channels else ""
        role = "dispatcher" if tier.role == "dispatcher" else ""
        name = f"<b>{text(tier.name)}</b>" + (f" <span class='muted'>{role}</span>"
                                              if role else "")
        if served:
            name += f"<br><span class='muted'>takes {served}</span>"
        tier_rows.append([name, staffing(scenario, tier.name), distribution(tier.handle),
                          percent(tier.resolves, 0), escalate])
    tiers = table(["Tier", "Staffing (agents × shift)", "Handle time", "Resolves",
                    "Escalates to"], tier_rows)
    surges = ""
    if scenario.surges:
        items = "".join(
            f"<li>{text(s.name or 'surge')}: ×{s.multiplier:g} from {text(s.at)} for "
            f"{exact_duration(s.for_)}"
            f"{' on ' + text(', '.join(s.channels)) if s.channels else ''}</li>"
            for s in scenario.surges)
        surges = f"<h3>Surges</h3><ul class='plain'>{items}</ul>"
    mix = []
    if scenario.segments:
        mix.append("<b>Segments</b>: " + ", ".join(
            f"{text(name)} {percent(share, 0)}" for name, share in scenario.segments.items()))
    if scenario.topics:
        mix.append("<b>Topics</b> (share, effort × handle time): " + ", ".join(
            f"{text(name)} {percent(topic.share, 0)} ×{topic.effort:g}"
            for name, topic in scenario.topics.items()))
    mixes = "".join(f"<p class='small'>{line}</p>" for line in mix)
    behaviour = "".join(f"<li>{item}</li>" for item in behaviour_items(scenario))
    if behaviour:
        behaviour = f"<h3>Behaviour</h3><ul class='plain'>{behaviour}</ul>"
    return f"<h3>Channels</h3>{channels}{mixes}<h3>Tiers</h3>{tiers}{surges}{behaviour}"


def toc(entries: Sequence[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="#{anchor}">{title}</a></li>' for anchor, title in entries)
    return f'<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>{items}</ol></nav>'



# -- a run or a comparison ---------------------------------------------------------


def facts(results: DeskResults) -> str:
    """How it ran: horizon, warm-up, replications, seed (and routing for a run)."""
    scenario, plan = results.scenario, results.plan
    measured = plan.horizon - plan.warmup
    parts = [
        f"{exact_duration(plan.horizon)} from {scenario.start:%a %d %b %Y}",
        f"warm-up {exact_duration(plan.warmup)} (measured: {exact_duration(measured)})"
        if plan.warmup else "no warm-up",
        f"{results.replications} replication{'s' if results.replications != 1 else ''}",
        f"seed {results.seed}" if results.seed is not None else "seed not recorded",
    ]
    if results.kind == "run":
        parts.append("routing " + routing(results.routing[results.baseline]))
    return " · ".join(parts)


def verdict_cards(results: DeskResults) -> str:
    """A card per channel: its SLA, interval, target and verdict."""
    estimates = Estimates(results.summary)
    label = results.baseline
    summary = results.summary.loc[results.summary["policy"] == label]
    verdicts = summary_verdicts(results.plan.channels, summary)
    cards = []
    for channel in results.plan.channels:
        mean, low, high = estimates.get(label, "channel", channel.name, "sla")
        if math.isnan(channel.sla_target):
            body = '<span class="muted">no SLA target</span>'
            mark = ""
        else:
            ci = "" if math.isnan(low) else (
                f"95 % CI {low * 100:.1f}–{high * 100:.1f}%")
            hours = " business hours" if channel.sla_hours is not None else ""
            body = (f'<div class="big">{percent(mean)}</div><div class="muted">{ci}</div>'
                    f'<div class="small">target {percent(channel.sla_target, 0)} within '
                    f'{exact_duration(channel.sla_within)}{hours}</div>')
            mark = chip(verdicts.get(channel.name, ""))
        cards.append(f'<div class="card"><div class="card-head"><b>{text(channel.name)}</b>'
                     f"{mark}</div>{body}</div>")
    return f'<div class="cards">{"".join(cards)}</div>'


def verdict_table(results: DeskResults) -> str:
    """A comparison's SLA per channel (rows) and policy (columns) with the verdicts."""
    estimates = Estimates(results.summary)
    headers = ["Channel", "Target"] + [
        text(label) + (" <span class='muted'>(baseline)</span>" if label == results.baseline
                       else "") for label in results.labels]
    rows = []
    for channel in results.plan.channels:
        target = "—" if math.isnan(channel.sla_target) else (
            f"{percent(channel.sla_target, 0)} within {exact_duration(channel.sla_within)}")
        cells = [f"<b>{text(channel.name)}</b>", target]
        for label in results.labels:
            mean, low, high = estimates.get(label, "channel", channel.name, "sla")
            cell = percent(mean)
            if not math.isnan(channel.sla_target) and not math.isnan(mean):
                cell += " " + chip(verdict(mean, low, high, channel.sla_target))
            if not math.isnan(low):  # the interval on its own line: 4+ policies fit
                cell += (f"<br><span class='muted'>{percent(low)}–{percent(high)}</span>")
            cells.append(cell)
        rows.append(cells)
    return table(headers, rows, "numbers")


def results_table(results: DeskResults) -> str:
    """Per channel and segment: tickets per week, SLA, waits, abandonment (a run)."""
    estimates = Estimates(results.summary)
    label = results.baseline
    plan = results.plan
    weeks = (plan.horizon - plan.warmup) / MINUTES_PER_WEEK
    groups = [("channel", c.name, f"<b>{text(c.name)}</b>") for c in plan.channels]
    if len(plan.segments) > 1:
        groups += [("segment", s, f"segment {text(s)}") for s in plan.segments]
    mixed = len(plan.channels) > 1
    if mixed:
        groups.append(("overall", "all", "All channels <span class='muted'>(counts and "
                                         "shares only: each channel has its own time "
                                         "scale)</span>"))
    verdicts = summary_verdicts(plan.channels,
                                results.summary.loc[results.summary["policy"] == label])
    rows = []
    for scope, group, name in groups:
        def value(metric: str, scope: str = scope, group: str = group) -> float:
            return estimates.get(label, scope, group, metric)[0]

        mean, low, high = estimates.get(label, scope, group, "sla")
        mark = chip(verdicts[group]) if scope == "channel" and group in verdicts else ""
        per_week = value("tickets") / weeks if weeks > 0 else math.nan
        waits = (["", "", ""] if scope == "overall" and mixed else
                 [duration(value("wait_mean")), duration(value("wait_median")),
                  duration(value("wait_p90"))])
        rows.append([name, f"{per_week:,.0f}", f"{interval(mean, low, high)} {mark}", *waits,
                     percent(value("abandonment")),
                     "" if scope == "overall" and mixed else duration(value("resolution_mean"))])
    return table(["", "Tickets / week", "SLA (95 % CI)", "Mean wait", "Median wait",
                   "P90 wait", "Gave up", "Resolution"], rows, "numbers")


DIFFERENCE_METRICS = ("sla", "wait_mean", "wait_p90", "abandonment", "resolution_mean")
"""The paired differences in the table, in order (headings from the catalogue)."""


def difference_table(results: DeskResults) -> str:
    """Every paired difference of comparison.csv, marked ✓ / ✗ / =, as the terminal."""
    differences = results.differences
    assert differences is not None
    index = {(str(r["scope"]), str(r["group"]), str(r["metric"]), str(r["policy"])): r
             for r in differences.to_dict("records")}
    rows = []
    for scope, group, label in difference_rows(results):
        for policy in results.labels[1:]:
            cells = [f"<b>{label}</b>", text(policy)]
            for metric in DIFFERENCE_METRICS:
                row = index.get((scope, group, metric, policy))
                if row is None:
                    cells.append("—")
                    continue
                mean, low, high = (float(row[c]) for c in ("mean_difference", "ci_low",
                                                           "ci_high"))
                shown = format_difference(metric, mean, (high - low) / 2)
                if math.isnan(mean) or math.isnan(low):
                    cells.append(f'<span class="muted">{shown}</span>')
                    continue
                if mean == 0 and low == high:
                    cells.append('<span class="muted">0 =</span>')
                    continue
                judged = judgement(str(row["better"]), policy, bool(row["significant"]))
                mark = {"better": "✓", "worse": "✗", "same": "="}[judged]
                cells.append(f'<span class="d-{judged}">{shown} {mark}</span>')
            rows.append(cells)
    headers = ["", "Policy"] + [f"Δ {label_of(metric)}" for metric in DIFFERENCE_METRICS]
    return table(headers, rows, "numbers differences")


# -- a sweep -------------------------------------------------------------------------


def points_table(results: SweepResults) -> str:
    summary = results.summary
    scope, group, metric = split_reference(results.metric)
    channels = [c for c in sweep_channels(results)
                if not (scope == "channel" and metric == "sla" and c == group)]
    headers = ["#"] + [text(parameter_label(results.base, p)) for p in results.parameters]
    headers += ["Reps", f"{text(results.metric)} (95 % CI)"]
    headers += [f"{text(c)} SLA" for c in channels]
    by_point = {str(key): frame for key, frame in summary.groupby("point", sort=False)}
    rows = []
    for point in results.points:
        frame = by_point.get(point.key)
        if frame is None:
            continue
        lookup = {(str(s), str(g), str(m)): (float(a), float(b), float(c))
                  for s, g, m, a, b, c in frame[["scope", "group", "metric", "mean",
                                                 "ci_low", "ci_high"]].itertuples(index=False)}
        first = frame.iloc[0]
        cells = [str(point.index)] + [text(first[p]) if p in frame.columns else "—"
                                      for p in results.parameters]
        cells.append(str(int(frame["replications"].max())))
        main = lookup.get((scope, group, metric), (math.nan, math.nan, math.nan))
        unit = unit_of(metric)
        if unit in ("share", "duration"):
            cells.append(interval(*main, fmt="percent" if unit == "share" else "duration"))
        elif math.isnan(main[1]):
            cells.append(format_metric(metric, main[0]))
        else:
            bounds = "–".join(format_metric(metric, v) for v in main[1:])
            cells.append(f"{format_metric(metric, main[0])} ({bounds})")
        scenario = point.scenario or results.base
        main_sla = scenario.channels[group].sla if scope == "channel" and metric == "sla" \
            and scenario is not None and group in scenario.channels else None
        if main_sla is not None and not math.isnan(main[0]):
            cells[-1] += " " + chip(verdict(*main, main_sla.target))
        for channel in channels:
            mean, low, high = lookup.get(("channel", channel, "sla"),
                                         (math.nan, math.nan, math.nan))
            sla = scenario.channels[channel].sla if scenario is not None and \
                channel in scenario.channels else None
            cell = percent(mean)
            if sla is not None and not math.isnan(mean):
                cell += " " + chip(verdict(mean, low, high, sla.target))
            cells.append(cell)
        rows.append(cells)
    return table(headers, rows, "numbers")
