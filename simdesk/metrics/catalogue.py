"""The metric catalogue: every metric of a run's summary, declared once.

Each :class:`Metric` says in which **scopes** it is measured (``overall``, ``channel``,
``segment``, ``topic``, ``tier``, ``reply``, ``helper``, ``agent``), its **unit**
(``share``, ``duration`` in minutes, ``count`` or ``rate``), which side is **better**
(``higher``, ``lower`` or ``none``), the optional **feature** a scenario must use for it
to be measured (``satisfaction``, ``deflection``, ``reopens``, the customer rules'
``queue_limit``, ``redial``, ``callback``, ``overflow`` and ``resolution``, the desk
rules' ``help``, ``preemption`` and ``occupancy``; a scope may
need one too: ``reply`` needs ``replies``, ``helper`` needs ``helpers``, ``agent`` needs
``satisfaction``), the **aliases** an ``expect:`` target may use, a short **label** for
tables, how to **format** a value, and what a count or rate counts (**per**: the unit
column of ``summary.csv``, :func:`unit_text`).

Everything that names metrics reads this module: the measures (which metric each
source computes, in which order), the summary's interval clipping, the ``expect:``
grammar, a sweep's ``metric:`` check, ``compare``'s better side, the console and the
HTML report. Adding a metric is one entry here plus its computation; the generated test
(``tests/test_catalogue.py``) fails if a summary holds a metric this table lacks, or if
this table declares one no run produces.

The module imports nothing from simdesk but :mod:`simdesk.scenario.units`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from simdesk.scenario.units import humanize_minutes

Unit = Literal["share", "duration", "count", "rate"]
Better = Literal["higher", "lower", "none"]
Source = Literal["tickets", "days", "tiers", "replies", "helpers", "effort", "outcomes",
                 "money", "rules"]
"""The measure that writes a metric in its first scope (:mod:`simdesk.metrics.tickets`,
``daily_sla``, ``tiers``, the replies of ``tickets``, ``helpers``, ``agents``); a name
shared by several measures (``wait_mean`` also per tier and reply, ``csat`` also per
agent) is listed under the first. :func:`from_source` gives a measure its names."""

TICKET_SCOPES = ("overall", "channel", "segment", "topic")
"""The scopes of ticket metrics: all tickets, and per channel, segment and topic."""
SCOPES = (*TICKET_SCOPES, "tier", "reply", "helper", "agent")
"""Every scope of the summary, as written before ``:`` in a target."""
OVERALL_GROUP = "all"
"""The one group of the ``overall`` scope."""

FEATURES: dict[str, str] = {
    "satisfaction": "the scenario has no satisfaction model; add e.g. satisfaction: {} "
                    "(see docs/behaviour.md)",
    "deflection": "no topic has a deflection (self-service share); add e.g. "
                  "deflection: 20% to a topic",
    "reopens": "no topic or tier has reopens (repeat contacts); add e.g. reopens: {share: "
               "10%, after: {dist: exponential, mean: 2d}} to a topic or tier",
    "replies": "no ticket needs more than one agent reply; add touches above 1 to a "
               "channel or topic",
    "helpers": "no tier has helpers; add e.g. helpers: [{name: lead, shift: ...}] to a tier",
    "queue_limit": "no channel or tier has a queue_limit (busy signal); add e.g. "
                   "queue_limit: 10 to a channel",
    "redial": "no channel has redial; add e.g. redial: {share: 50%, after: {dist: "
              "exponential, mean: 10m}} to a channel",
    "callback": "no channel offers callbacks; add e.g. callback: {share: 40%, after: 2m, "
                "handle: {dist: exponential, mean: 5m}} to a channel",
    "overflow": "no channel overflows; add e.g. overflow: {to: email, after: 10m} to a "
                "channel",
    "resolution": "no channel has a resolution target; add e.g. resolution: {within: 2d, "
                  "target: 90%} to a channel",
    "help": "no tier helps another; add e.g. helps: [{tier: L1}] to a tier (see "
            "docs/behaviour.md)",
    "preemption": "no tier lets a channel interrupt another; add e.g. preempt: [{channel: "
                  "phone, interrupts: [email]}] to a tier",
    "occupancy": "no agents have an occupancy cap; add e.g. occupancy: {cap: 85%, window: "
                 "1h} to an agent group",
    "outcomes": "the scenario has no outcomes: section (complaints, churn, conversion); add "
                "e.g. outcomes: {} (see docs/outcomes.md)",
    "money": "the scenario has no money: section; add e.g. money: {agent_hour: 30, "
             "customers: {paid: 600}} (see docs/outcomes.md)",
}
"""Optional features, each with how a scenario turns it on (for messages)."""

SCOPE_FEATURES: dict[str, str] = {"reply": "replies", "helper": "helpers",
                                  "agent": "satisfaction"}
"""Scopes that exist only when the scenario uses a feature."""


@dataclass(frozen=True)
class Metric:
    """One metric of the summary."""

    name: str
    unit: Unit
    scopes: tuple[str, ...]
    source: Source
    label: str
    """A short table heading: ``SLA``, ``Mean wait``."""
    better: Better = "none"
    feature: str | None = None
    """The feature a scenario must use for it to be measured in any scope."""
    aliases: tuple[str, ...] = ()
    """Other names an ``expect:`` target may use."""
    signed: bool = False
    """A share that may be negative (a difference of shares)."""
    digits: int = 1
    """Decimals of a count or rate in a table."""
    per: str = ""
    """What a count or rate counts, when not plain tickets or days: ``agents``,
    ``per agent-day (8 h on duty)`` (:func:`unit_text`)."""

    def format(self, value: float) -> str:
        """``84.1%``, ``4m12s``, ``1,234`` — as the tables show it (``—`` for NaN)."""
        if math.isnan(value):
            return "—"
        if self.unit == "share":
            return f"{value:.1%}"
        if self.unit == "duration":
            return humanize_minutes(value)
        return f"{value:,.{self.digits}f}"

    def bounds(self) -> tuple[float, float]:
        """The range the metric can take: its confidence intervals are clipped to it."""
        if self.signed:
            return -1.0, 1.0
        return 0.0, (1.0 if self.unit == "share" else math.inf)


_T = TICKET_SCOPES
_WAITS = (*_T, "tier", "reply")
_EFFORT = ("overall", "topic", "agent")
_AGENT_DAY = "per agent-day (8 h on duty)"
_MONEY = "money (the scenario's currency)"

CATALOGUE: tuple[Metric, ...] = (
    # -- tickets: every run (in the order the ticket measure writes them) --------------
    Metric("tickets", "count", _T, "tickets", "Tickets", digits=0),
    Metric("sla", "share", _T, "tickets", "SLA", "higher"),
    Metric("wait_mean", "duration", _WAITS, "tickets", "Mean wait", "lower",
           aliases=("mean_wait",)),
    Metric("wait_median", "duration", (*_T, "reply"), "tickets", "Median wait", "lower",
           aliases=("median_wait",)),
    Metric("wait_p90", "duration", (*_T, "reply"), "tickets", "P90 wait", "lower",
           aliases=("p90_wait",)),
    Metric("abandonment", "share", _T, "tickets", "Gave up", "lower"),
    Metric("resolution_mean", "duration", _T, "tickets", "Resolution", "lower",
           aliases=("resolution",)),
    Metric("unresolved", "count", _T, "tickets", "Unresolved", "lower", digits=0),
    Metric("refused", "share", _T, "tickets", "Refused", "lower"),
    # -- tickets: with a feature -------------------------------------------------------
    Metric("csat", "share", (*_T, "agent"), "tickets", "Good ratings", "higher",
           "satisfaction", aliases=("good",)),
    Metric("bad", "share", (*_T, "agent"), "tickets", "Bad ratings", "lower",
           "satisfaction"),
    Metric("net", "share", _T, "tickets", "Net rating", "higher", "satisfaction",
           signed=True),
    Metric("rated", "count", (*_T, "agent"), "tickets", "Rated", feature="satisfaction",
           digits=0),
    Metric("deflected", "share", _T, "tickets", "Self-service", feature="deflection"),
    Metric("reopen_rate", "rate", _T, "tickets", "Repeat contacts per resolved ticket",
           "lower", "reopens", digits=2, per="per resolved ticket"),
    Metric("blocked", "share", _T, "tickets", "Busy signal", "lower", "queue_limit"),
    Metric("attempts", "rate", _T, "tickets", "Attempts per customer", "lower", "redial",
           digits=2, per="per customer"),
    Metric("callbacks", "share", _T, "tickets", "Called back", feature="callback"),
    Metric("overflowed", "share", _T, "tickets", "Came by overflow", feature="overflow"),
    Metric("resolution_sla", "share", _T, "tickets", "Resolved in target", "higher",
           "resolution"),
    # -- calendar days -----------------------------------------------------------------
    Metric("days", "count", ("overall", "channel"), "days", "Measured days", digits=0),
    Metric("days_met", "share", ("overall", "channel"), "days", "Days meeting the target",
           "higher"),
    Metric("day_sla_p10", "share", ("channel",), "days", "Day SLA p10", "higher"),
    Metric("day_sla_median", "share", ("channel",), "days", "Day SLA median", "higher"),
    Metric("day_sla_p90", "share", ("channel",), "days", "Day SLA p90", "higher"),
    Metric("day_sla_worst", "share", ("channel",), "days", "Worst day SLA", "higher",
           aliases=("worst_day",)),
    # -- tiers -------------------------------------------------------------------------
    Metric("utilization", "share", ("tier",), "tiers", "Utilization"),
    Metric("agents_on_duty", "count", ("tier",), "tiers", "Agents on duty", per="agents"),
    Metric("handled", "count", ("tier",), "tiers", "Handled", digits=0),
    Metric("per_agent_day", "rate", ("tier",), "tiers", "Tickets/agent-day", per=_AGENT_DAY),
    Metric("services_per_agent_day", "rate", ("tier",), "tiers", "Services/agent-day",
           per=_AGENT_DAY),
    Metric("queue_mean", "count", ("tier",), "tiers", "Queue (avg)", "lower",
           per="tickets waiting"),
    Metric("repeat_work", "share", ("tier",), "tiers", "Repeat work", "lower", "reopens"),
    # -- desk rules: pre-emption, cross-tier help, occupancy caps -----------------------
    Metric("interrupted", "share", _T, "rules", "Interrupted", "lower", "preemption"),
    Metric("restart_hours", "count", ("overall",), "rules", "Restart hours / day", "lower",
           "preemption", per="hours of restart cost per day"),
    Metric("helped", "share", ("tier",), "rules", "Served by other tiers", feature="help"),
    Metric("helping", "share", ("tier",), "rules", "Time on other tiers", feature="help"),
    Metric("rests", "rate", ("tier",), "rules", "Rests/agent-day", feature="occupancy",
           digits=2, per=_AGENT_DAY),
    Metric("rest_share", "share", ("tier",), "rules", "Resting", feature="occupancy"),
    # -- replies -----------------------------------------------------------------------
    Metric("replies", "count", ("reply",), "replies", "Replies", digits=0),
    # -- helpers -----------------------------------------------------------------------
    Metric("queue_hours", "count", ("helper",), "helpers", "Hours on the queue / week",
           per="hours per person-week"),
    Metric("queue_share", "share", ("helper",), "helpers", "Share of hours on the queue",
           "lower"),
    Metric("overrun_share", "share", ("helper",), "helpers",
           "Share of hours past the cap", "lower"),
    Metric("joins", "count", ("helper",), "helpers", "Joins / week", per="per person-week"),
    # -- effort and ratings per agent and topic (a satisfaction model) -------------------
    Metric("worked", "count", ("agent",), "effort", "Tickets worked", feature="satisfaction",
           digits=0),
    Metric("resolved", "count", _EFFORT, "effort", "Resolved", feature="satisfaction",
           digits=0),
    Metric("handle_mean", "duration", _EFFORT, "effort", "Agent time per ticket",
           feature="satisfaction", aliases=("mean_handle",)),
    Metric("escalated", "share", _EFFORT, "effort", "Escalated", feature="satisfaction"),
    Metric("csat_expected", "share", ("agent",), "effort", "Good ratings on this mix",
           feature="satisfaction"),
    Metric("csat_vs_mix", "share", ("agent",), "effort", "Good ratings vs the mix",
           "higher", "satisfaction", signed=True),
    # -- customers' reactions (outcomes:) ----------------------------------------------
    Metric("unhappy", "share", _T, "outcomes", "Unhappy customers", "lower", "outcomes"),
    Metric("complaints", "count", _T, "outcomes", "Complaints", "lower", "outcomes",
           digits=0, per="customers"),
    Metric("churned", "count", _T, "outcomes", "Customers lost", "lower", "outcomes",
           digits=0, per="customers"),
    Metric("converted", "count", _T, "outcomes", "Conversions", "higher", "outcomes",
           digits=0, per="customers"),
    Metric("churn_per_1000", "rate", _T, "outcomes", "Lost per 1,000 tickets", "lower",
           "outcomes", per="customers lost per 1,000 tickets"),
    # -- money (money:) -----------------------------------------------------------------
    Metric("staff_cost", "count", ("overall",), "money", "Staff cost", "lower", "money",
           digits=0, per=_MONEY),
    Metric("churn_cost", "count", ("overall",), "money", "Cost of customers lost", "lower",
           "money", digits=0, per=_MONEY),
    Metric("conversion_value", "count", ("overall",), "money", "Value of conversions",
           "higher", "money", digits=0, per=_MONEY),
    Metric("total_cost", "count", ("overall",), "money", "Total cost", "lower", "money",
           digits=0, per=_MONEY),
)
"""Every metric, once. A name measured by several sources (``wait_mean`` per ticket
scope, tier and reply; ``csat`` per ticket scope and agent) has one entry whose scopes
cover them all."""

METRICS: dict[str, Metric] = {m.name: m for m in CATALOGUE}
"""Metric name → its entry."""
ALIASES: dict[str, str] = {a: m.name for m in CATALOGUE for a in m.aliases}
"""Alias → metric name (names themselves are not listed)."""


def find(word: str) -> Metric | None:
    """The metric a name or alias (any case, spaces trimmed) stands for, if any."""
    key = word.strip().lower()
    return METRICS.get(ALIASES.get(key, key))


def get(name: str) -> Metric:
    """The entry of a metric name; ``KeyError`` names the valid ones."""
    try:
        return METRICS[name]
    except KeyError:
        raise KeyError(f"no metric {name!r} in the catalogue; valid: "
                       f"{', '.join(METRICS)}") from None


def in_scope(scope: str) -> tuple[str, ...]:
    """The metric names measured in ``scope`` (some only with a feature: :func:`feature_of`)."""
    return tuple(m.name for m in CATALOGUE if scope in m.scopes)


def from_source(source: Source, scope: str | None = None,
                features: Iterable[str] = ()) -> tuple[str, ...]:
    """The names one source computes (in ``scope`` if given), in catalogue order, with
    the metrics of the ``features`` the run uses."""
    used = set(features)
    return tuple(m.name for m in CATALOGUE if m.source == source
                 and (scope is None or scope in m.scopes)
                 and (m.feature is None or m.feature in used))


def feature_of(scope: str, metric: str) -> str | None:
    """The feature a scenario needs for ``metric`` to be measured in ``scope`` (``None``:
    every run measures it)."""
    entry = METRICS.get(metric)
    return (entry.feature if entry is not None and entry.feature else None) or \
        SCOPE_FEATURES.get(scope)


def unit_of(metric: str) -> Unit:
    """The unit of a metric (``count`` for a name the catalogue lacks)."""
    entry = METRICS.get(metric)
    return "count" if entry is None else entry.unit


def unit_text(metric: str) -> str:
    """The unit as ``summary.csv`` and ``summary.json`` name it: ``share`` (0–1),
    ``signed share`` (−1–1), ``minutes``, ``count``, or what a count or rate counts
    (``per agent-day (8 h on duty)``, ``tickets waiting``); ``number`` for a name the
    catalogue lacks."""
    entry = METRICS.get(metric)
    if entry is None:
        return "number"
    if entry.unit == "share":
        return "signed share" if entry.signed else "share"
    if entry.unit == "duration":
        return "minutes"
    return entry.per or "count"


def better_of(metric: str) -> Better:
    """Which side of a metric is better (``none`` for a name the catalogue lacks)."""
    entry = METRICS.get(metric)
    return "none" if entry is None else entry.better


def label_of(metric: str) -> str:
    """The metric's table heading (the name itself when the catalogue lacks it)."""
    entry = METRICS.get(metric)
    return metric if entry is None else entry.label


def format_metric(metric: str, value: float) -> str:
    """A value of ``metric`` as the tables show it (:meth:`Metric.format`)."""
    entry = METRICS.get(metric)
    if entry is None:
        return "—" if math.isnan(value) else f"{value:,.1f}"
    return entry.format(value)


def format_value(unit: Unit, value: float, near: float | None = None) -> str:
    """A readable value; with ``near`` (a target), digits are added until a value that
    differs from it does not look equal to it."""
    if math.isnan(value):
        return "—"
    if unit == "duration":
        text = humanize_minutes(value)
        if near is not None and value != near and text == humanize_minutes(near):
            text = f"{value:.6g}m"
        return text
    whole = unit == "count" and value == round(value)
    for digits in range(0 if whole else 1, 7):
        if unit == "share":
            text, other = f"{value:.{digits}%}", f"{(near or 0.0):.{digits}%}"
        else:
            text, other = f"{value:,.{digits}f}", f"{(near or 0.0):,.{digits}f}"
        if near is None or value == near or text != other:
            break
    return text


def format_difference(metric: str, mean: float, half_width: float) -> str:
    """A difference of two values of ``metric``: ``+2.8pp ±1.1`` for shares (percentage
    points), ``-1m34s ±40s`` for durations, ``+1.2 ±0.4`` otherwise; no ``±`` part when
    the half-width is NaN (a single replication)."""
    if math.isnan(mean):
        return "—"
    unit = unit_of(metric)
    if unit == "share":
        text, spread, zero = f"{abs(mean) * 100:.1f}pp", f"{half_width * 100:.1f}", "0.0pp"
    elif unit == "duration":
        text, spread, zero = humanize_minutes(abs(mean)), humanize_minutes(half_width), "0.0s"
    else:
        text, spread, zero = f"{abs(mean):,.1f}", f"{half_width:,.1f}", "0.0"
    if text != zero:  # no sign on what rounds to zero
        text = ("+" if mean > 0 else "-") + text
    return text if math.isnan(half_width) else f"{text} ±{spread}"


def split_reference(text: str) -> tuple[str, str, str]:
    """``(scope, group, metric)`` of a summary row written ``scope:group.metric``; over
    all tickets also ``metric``, ``overall.metric`` or ``overall:metric`` (a sweep's
    main metric). The names are not checked here."""
    scope, _, rest = text.strip().rpartition(":")
    group, _, metric = rest.rpartition(".")
    if not scope and group == "overall":
        group = ""
    return scope or "overall", group or OVERALL_GROUP, metric


def markdown_table() -> str:
    """The catalogue as the Markdown table of docs/ci.md (a test keeps the two equal)."""
    lines = ["| metric | also written | unit | scopes | needs | better |",
             "|---|---|---|---|---|---|"]
    for m in CATALOGUE:
        aliases = ", ".join(f"`{a}`" for a in m.aliases)
        unit = "share (may be negative)" if m.signed else m.unit
        lines.append(f"| `{m.name}` | {aliases} | {unit} | {', '.join(m.scopes)} | "
                     f"{m.feature or ''} | {'' if m.better == 'none' else m.better} |")
    return "\n".join(lines) + "\n"


__all__ = [
    "ALIASES",
    "CATALOGUE",
    "FEATURES",
    "METRICS",
    "OVERALL_GROUP",
    "SCOPES",
    "SCOPE_FEATURES",
    "TICKET_SCOPES",
    "Metric",
    "better_of",
    "feature_of",
    "find",
    "format_difference",
    "format_metric",
    "format_value",
    "from_source",
    "get",
    "in_scope",
    "label_of",
    "markdown_table",
    "split_reference",
    "unit_of",
    "unit_text",
]
