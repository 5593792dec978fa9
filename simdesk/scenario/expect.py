"""Expectations: assertions on a run's summary that gate a staffing plan (``simdesk check``).

A scenario may list them under ``expect:``; each is one string ``TARGET OP VALUE``::

    expect:
      - email.sla >= 90%             # a channel's metric
      - segment:paid.sla >= 90%      # scope:group.metric, when the name needs a scope
      - tier:L1.utilization <= 85%
      - abandonment <= 5%            # a metric alone: over all tickets
      - reply:2.wait_mean <= 1h      # the second agent reply of a conversation

Grammar::

    expectation := target op value
    target      := metric                    over all tickets
                 | "overall." metric         the same, spelled out
                 | group "." metric          a channel, else a segment, topic or tier
                 | scope ":" group "." metric
    scope       := overall | channel | segment | topic | tier | reply | helper
    op          := ">=" | "<=" | ">" | "<"
    value       := a share (80% or 0.8), a duration (30s, 4h) or a number, by metric

A bare ``group.metric`` names a channel if one has that name, else the segment, topic or
tier of that name (a name declared as several of these needs the scope prefix). The
group is everything between the scope's ``:`` and the last ``.``.

An expectation holds when the **conservative bound** of the 95 % confidence interval
satisfies it: the lower bound for ``>=`` and ``>``, the upper bound for ``<=`` and ``<``.
A plan passes only if it meets the target with 95 % confidence, not merely on average.
Without an interval (one replication) the mean is judged instead, and the verdict says
so. A value equal to the target satisfies ``>=`` and ``<=``, not ``>`` or ``<``.

:func:`evaluate` works on a :class:`~simdesk.simulation.SimulationResult` or on any
summary table with the columns ``scope, group, metric, mean, ci_low, ci_high,
replications`` and one row per ``(scope, group, metric)``; a table of several runs (a
sweep) is evaluated one run at a time, e.g. per ``groupby`` part.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from simdesk.errors import SimdeskError
from simdesk.scenario.messages import did_you_mean, one_of
from simdesk.scenario.units import (
    format_duration,
    format_percent,
    humanize_minutes,
    parse_duration,
    parse_percent,
)

if TYPE_CHECKING:
    from simdesk.simulation import SimulationResult

Unit = Literal["share", "duration", "count"]
Bound = Literal["lower", "upper", "mean"]

SCOPES = ("overall", "channel", "segment", "topic", "tier", "reply", "helper")
"""The summary's scopes, as written before ``:``."""
LOOKUP_ORDER = ("segment", "topic", "tier")
"""Where a bare ``group.metric`` is looked up when no channel has that name."""
OVERALL_GROUP = "all"

TICKET_METRICS = ("tickets", "sla", "wait_mean", "wait_median", "wait_p90", "abandonment",
                  "resolution_mean", "unresolved", "refused")
TIER_METRICS = ("utilization", "agents_on_duty", "handled", "per_agent_day",
                "services_per_agent_day", "queue_mean", "wait_mean")
REPLY_METRICS = ("wait_mean", "wait_median", "wait_p90", "replies")
HELPER_METRICS = ("queue_hours", "queue_share", "overrun_share", "joins")
"""Per helper in a tier's ``helpers:`` (:mod:`simdesk.metrics.helpers`)."""
SATISFACTION_METRICS = ("csat", "bad", "net", "rated")
"""With a ``satisfaction:`` model, per ticket scope (:mod:`simdesk.metrics.ratings`)."""
EFFORT_METRICS = ("resolved", "handle_mean", "escalated")
"""With a ``satisfaction:`` model, overall and per topic (:mod:`simdesk.metrics.agents`)."""
BEHAVIOUR_METRICS = ("deflected", "reopen_rate")
"""With deflection / repeat contacts, per ticket scope."""
CHANNEL_DAY_METRICS = ("days", "days_met", "day_sla_p10", "day_sla_median", "day_sla_p90",
                       "day_sla_worst")
"""SLA per calendar day, per channel (:mod:`simdesk.metrics.daily_sla`); overall: days, days_met."""
SCOPE_METRICS: dict[str, tuple[str, ...]] = {
    "overall": (*TICKET_METRICS, *SATISFACTION_METRICS, *BEHAVIOUR_METRICS, "days",
                "days_met", *EFFORT_METRICS),
    "channel": (*TICKET_METRICS, *SATISFACTION_METRICS, *BEHAVIOUR_METRICS,
                *CHANNEL_DAY_METRICS),
    "segment": (*TICKET_METRICS, *SATISFACTION_METRICS, *BEHAVIOUR_METRICS),
    "topic": (*TICKET_METRICS, *SATISFACTION_METRICS, *BEHAVIOUR_METRICS, *EFFORT_METRICS),
    "tier": (*TIER_METRICS, "repeat_work"),
    "reply": REPLY_METRICS,
    "helper": HELPER_METRICS,
}
"""The metrics of :mod:`simdesk.metrics.measures` in each scope of the summary (some only when the
scenario uses the feature behind them: :data:`FEATURE_OF`)."""
FEATURE_OF: dict[str, str] = {
    **dict.fromkeys((*SATISFACTION_METRICS, *EFFORT_METRICS), "satisfaction"),
    "deflected": "deflection",
    "reopen_rate": "reopens",
    "repeat_work": "reopens",
}
"""Metrics measured only when the scenario uses a feature: ``satisfaction`` (a
``satisfaction:`` model), ``deflection`` (a topic's ``deflection``) or ``reopens`` (a
topic's or tier's ``reopens``)."""

ALIASES: dict[str, str] = {
    "sla": "sla",
    "abandonment": "abandonment",
    "refused": "refused",
    "utilization": "utilization",
    "mean_wait": "wait_mean",
    "wait_mean": "wait_mean",
    "median_wait": "wait_median",
    "wait_median": "wait_median",
    "p90_wait": "wait_p90",
    "wait_p90": "wait_p90",
    "resolution": "resolution_mean",
    "resolution_mean": "resolution_mean",
    "tickets": "tickets",
    "unresolved": "unresolved",
    "handled": "handled",
    "per_agent_day": "per_agent_day",
    "services_per_agent_day": "services_per_agent_day",
    "queue_mean": "queue_mean",
    "agents_on_duty": "agents_on_duty",
    "replies": "replies",
    "csat": "csat",
    "good": "csat",
    "bad": "bad",
    "net": "net",
    "rated": "rated",
    "resolved": "resolved",
    "handle_mean": "handle_mean",
    "mean_handle": "handle_mean",
    "escalated": "escalated",
    "deflected": "deflected",
    "reopen_rate": "reopen_rate",
    "repeat_work": "repeat_work",
    "days": "days",
    "days_met": "days_met",
    "day_sla_p10": "day_sla_p10",
    "day_sla_median": "day_sla_median",
    "day_sla_p90": "day_sla_p90",
    "day_sla_worst": "day_sla_worst",
    "worst_day": "day_sla_worst",
    "queue_hours": "queue_hours",
    "queue_share": "queue_share",
    "overrun_share": "overrun_share",
    "joins": "joins",
}
"""What an expectation may call a metric → the summary's metric name."""

SHARES = frozenset({"sla", "abandonment", "utilization", "refused", "csat", "bad", "net",
                    "escalated", "deflected", "repeat_work", "queue_share", "overrun_share",
                    "days_met", "day_sla_p10", "day_sla_median", "day_sla_p90", "day_sla_worst"})
DURATIONS = frozenset({"wait_mean", "wait_median", "wait_p90", "resolution_mean",
                       "handle_mean"})

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt,
}
_WRONG_OPERATORS = {"=": "", "==": "", "=>": ">=", "=<": "<=", "≥": ">=", "≤": "<=",
                    "!=": "", "<>": ""}
_OPERATOR = re.compile(r"[<>=!≥≤]+")
EXAMPLE = "'chat.sla >= 80%'"
FORM = "TARGET OP VALUE such as 'email.p90_wait <= 4h' or 'tier:L1.utilization <= 85%'"


class ExpectationError(SimdeskError, ValueError):
    """An expectation that cannot be parsed, or names something the run does not have."""


def unit_of(metric: str) -> Unit:
    """How a metric's values and targets are written: a share, a duration or a count."""
    if metric in SHARES:
        return "share"
    return "duration" if metric in DURATIONS else "count"


@dataclass(frozen=True)
class Expectation:
    """One parsed assertion, e.g. ``email.p90_wait <= 4h``.

    ``target`` is in the summary's units: a fraction for shares, minutes for durations.
    ``scope`` is ``None`` for a bare ``group.metric`` until :func:`resolve` finds it.
    """

    text: str
    scope: str | None
    group: str
    metric: str
    op: str
    target: float

    @property
    def unit(self) -> Unit:
        return unit_of(self.metric)

    @property
    def bound(self) -> Bound:
        """The bound of the interval that must satisfy the expectation."""
        return "lower" if self.op in (">=", ">") else "upper"

    @property
    def where(self) -> str:
        """``channel email``, ``tier L1``, ``reply 2`` or ``all tickets``."""
        if self.scope == "overall":
            return "all tickets"
        return f"{self.scope or '?'} {self.group}"

    def holds(self, value: float) -> bool:
        """Whether ``value`` satisfies the comparison (NaN never does)."""
        return not math.isnan(value) and OPERATORS[self.op](value, self.target)

    def format(self, value: float) -> str:
        """``value`` in this expectation's unit, precise enough to tell it from the target."""
        return format_value(self.unit, value, self.target)

    @property
    def target_text(self) -> str:
        """``>= 90%``, ``<= 4h``, ``>= 1500``."""
        if self.unit == "share":
            text = format_percent(self.target)
        elif self.unit == "duration":
            text = format_duration(self.target)
        else:
            text = f"{self.target:g}"
        return f"{self.op} {text}"


def format_value(unit: Unit, value: float, near: float | None = None) -> str:
    """A readable value; with ``near`` (the target), digits are added until a value that
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


def _metric(word: str) -> str:
    name = ALIASES.get(word.strip().lower())
    if name is None:
        listed = one_of(list(dict.fromkeys(ALIASES.values())))
        raise ExpectationError(
            f"unknown metric {word.strip()!r}; valid: {listed} (or mean_wait, median_wait, "
            f"p90_wait, resolution, mean_handle, good, worst_day)"
            f"{did_you_mean(word.strip().lower(), ALIASES)}"
        )
    return name


def _target_value(metric: str, text: str) -> float:
    unit = unit_of(metric)
    if unit == "share":
        try:
            bare = float(text)
        except ValueError:
            bare = math.nan
        if bare > 1:
            raise ExpectationError(
                f"{metric} is a share: write {text}% (or {bare / 100:g}), not {text}")
        try:
            return parse_percent(text)
        except ValueError as exc:
            raise ExpectationError(f"{metric} is a share: {exc}") from None
    if unit == "duration":
        try:
            return parse_duration(text)
        except ValueError as exc:
            raise ExpectationError(f"{metric} is a duration: {exc}") from None
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        raise ExpectationError(
            f"{metric} is a count: write a plain number such as 1500, not {text!r}"
        ) from None
    if not math.isfinite(number) or number < 0:
        raise ExpectationError(f"{metric} is a count: {text!r} is not zero or more")
    return number


def _check_metric(scope: str, group: str, metric: str) -> None:
    """The metric is measured in this scope, or a clear message saying where it is."""
    valid = SCOPE_METRICS[scope]
    if metric in valid:
        return
    homes = [s for s in ("channel", "tier", "reply") if metric in SCOPE_METRICS[s]]
    what = "over all tickets" if scope == "overall" else f"per {scope} (for {scope} {group!r})"
    hint = ""
    if homes == ["tier"]:
        hint = f"; it is a tier metric: write tier:NAME.{metric}"
    elif homes == ["reply"]:
        hint = f"; it is a reply metric: write reply:N.{metric}"
    raise ExpectationError(
        f"{metric} is not measured {what}{hint}; valid there: {one_of(valid)}"
    )


def parse_expectation(text: object) -> Expectation:
    """Parse ``TARGET OP VALUE``; a bare ``group.metric`` keeps ``scope=None``.

    Raises :class:`ExpectationError` with what is wrong and what would be valid.
    """
    if not isinstance(text, str):
        raise ExpectationError(f"an expectation is text such as {EXAMPLE}, got {text!r}")
    written = text.strip()
    if not written:
        raise ExpectationError(f"empty expectation; write {FORM}")
    match = _OPERATOR.search(written)
    if match is None:
        raise ExpectationError(
            f"{written!r} has no comparison; write {FORM} (OP is one of >=, <=, >, <)")
    op = match.group()
    if op not in OPERATORS:
        better = _WRONG_OPERATORS.get(op)
        hint = f" (did you mean {better!r}?)" if better else ""
        raise ExpectationError(
            f"{op!r} is not a comparison here; use one of >=, <=, >, <{hint}")
    left, value = written[: match.start()].strip(), written[match.end():].strip()
    if not left:
        raise ExpectationError(f"nothing to compare before {op!r}; write {FORM}")
    if not value:
        raise ExpectationError(f"no value after {op!r}; write {FORM}")
    scope: str | None
    if ":" in left:
        prefix, rest = (part.strip() for part in left.split(":", 1))
        scope = prefix.lower()
        if scope not in SCOPES:
            raise ExpectationError(
                f"unknown scope {prefix!r}; valid: {one_of(SCOPES)}{did_you_mean(scope, SCOPES)}")
        if scope == "overall" and "." not in rest:
            group, word = OVERALL_GROUP, rest
        elif "." not in rest:
            raise ExpectationError(
                f"after '{scope}:' write NAME.METRIC, e.g. {scope}:NAME.{_example(scope)}")
        else:
            group, word = (part.strip() for part in rest.rsplit(".", 1))
            if scope == "overall" and group != OVERALL_GROUP:
                raise ExpectationError(
                    f"the overall scope has one group, {OVERALL_GROUP!r}: write "
                    f"overall.{word} or just {word}")
    elif "." in left:
        group, word = (part.strip() for part in left.rsplit(".", 1))
        scope = "overall" if group.lower() == "overall" else None
        group = OVERALL_GROUP if scope == "overall" else group
    else:
        scope, group, word = "overall", OVERALL_GROUP, left
    if not group:
        raise ExpectationError(f"no name before '.{word}'; write {FORM}")
    metric = _metric(word)
    if scope is not None:
        _check_metric(scope, group, metric)
    return Expectation(written, scope, group, metric, op, _target_value(metric, value))


def _example(scope: str) -> str:
    return {"tier": "utilization", "reply": "wait_mean", "helper": "queue_share"}.get(
        scope, "sla")


@dataclass(frozen=True)
class Names:
    """The group names a target may use, per scope (``reply``: ``"1"``, ``"2"``, ...)."""

    channel: tuple[str, ...] = ()
    segment: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    tier: tuple[str, ...] = ()
    reply: tuple[str, ...] = ()
    helper: tuple[str, ...] = ()

    def of(self, scope: str) -> tuple[str, ...]:
        return (OVERALL_GROUP,) if scope == "overall" else tuple(getattr(self, scope))

    @classmethod
    def from_summary(cls, summary: pd.DataFrame) -> Names:
        """The groups present in a summary table."""
        found: dict[str, list[str]] = {}
        for scope, group in summary[["scope", "group"]].drop_duplicates().itertuples(
                index=False):
            found.setdefault(str(scope), []).append(str(group))
        return cls(**{scope: tuple(found.get(scope, ())) for scope in SCOPES[1:]})


def _unknown(kind: str, name: str, known: Collection[str]) -> str:
    return (f"unknown {kind} {name!r}; known: {one_of(list(known)) or '(none declared)'}"
            f"{did_you_mean(name, known)}")


def resolve(expectation: Expectation, names: Names, *, strict: bool = True) -> Expectation:
    """The expectation with its scope found: a bare ``group.metric`` is a channel, else
    the one segment, topic or tier of that name. With ``strict``, a scoped group must be
    in ``names`` too. Raises :class:`ExpectationError` for an unknown or ambiguous name
    and for a metric the scope does not measure."""
    scope, group = expectation.scope, expectation.group
    if scope is None:
        if group in names.channel:
            scope = "channel"
        else:
            found = [s for s in LOOKUP_ORDER if group in names.of(s)]
            if not found:
                everything = [n for s in ("channel", *LOOKUP_ORDER) for n in names.of(s)]
                declared = "; ".join(f"{s}s: {one_of(names.of(s))}"
                                     for s in ("channel", *LOOKUP_ORDER) if names.of(s))
                raise ExpectationError(
                    f"unknown name {group!r}: no channel, segment, topic or tier is called "
                    f"that ({declared or 'none declared'}){did_you_mean(group, everything)}")
            if len(found) > 1:
                options = " or ".join(f"{s}:{group}.{expectation.metric}" for s in found)
                raise ExpectationError(
                    f"{group!r} is both a {' and a '.join(found)}: write {options}")
            scope = found[0]
    elif strict and scope == "reply" and group not in names.reply:
        if not names.reply:
            raise ExpectationError(
                "no reply metrics: no ticket needs more than one agent reply; reply:N "
                "targets need touches above 1 on a channel or topic")
        raise ExpectationError(
            f"reply {group!r} does not exist: replies are numbered {one_of(names.reply)} "
            "(the most touches a ticket can need)")
    elif strict and scope != "overall" and group not in names.of(scope):
        raise ExpectationError(_unknown(scope, group, names.of(scope)))
    _check_metric(scope, group, expectation.metric)
    return replace(expectation, scope=scope)


@dataclass(frozen=True)
class Verdict:
    """How one expectation fared: the mean, the bound judged and whether it passed."""

    expectation: Expectation
    """Resolved: ``scope`` is set."""
    mean: float
    ci_low: float
    ci_high: float
    replications: int
    bound: Bound
    """``lower`` / ``upper`` (the conservative end of the 95 % CI) or ``mean`` (no CI)."""
    value: float
    """The number judged: that bound, or the mean."""
    passed: bool
    note: str = ""
    """Why there is no value, if there is none."""

    @property
    def judged_on(self) -> str:
        """``lower bound``, ``upper bound`` or ``mean``."""
        return "mean" if self.bound == "mean" else f"{self.bound} bound"

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON data: shares as fractions, durations in minutes, NaN as ``None``."""
        e = self.expectation
        return {
            "expectation": e.text,
            "scope": e.scope,
            "group": e.group,
            "metric": e.metric,
            "unit": {"duration": "minutes"}.get(e.unit, e.unit),
            "op": e.op,
            "target": e.target,
            "bound": self.bound,
            "value": _number(self.value),
            "mean": _number(self.mean),
            "ci_low": _number(self.ci_low),
            "ci_high": _number(self.ci_high),
            "replications": self.replications,
            "pass": self.passed,
            "note": self.note or None,
        }


def _number(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


SUMMARY_COLUMNS = ("scope", "group", "metric", "mean", "ci_low", "ci_high", "replications")


def _summary(results: SimulationResult | pd.DataFrame) -> pd.DataFrame:
    summary = results if isinstance(results, pd.DataFrame) else results.summary
    missing = [c for c in SUMMARY_COLUMNS if c not in summary.columns]
    if missing:
        raise ValueError(f"a summary table needs the columns {', '.join(missing)}")
    if summary.duplicated(["scope", "group", "metric"]).any():
        raise ValueError(
            "the summary has several rows per scope, group and metric (several runs?): "
            "evaluate each run's rows separately")
    return summary


def evaluate(results: SimulationResult | pd.DataFrame,
             expectations: Iterable[str | Expectation]) -> list[Verdict]:
    """Judge each expectation on a run's summary (or any table of its columns).

    The conservative end of the 95 % CI must satisfy the expectation: ``ci_low`` for
    ``>=``/``>``, ``ci_high`` for ``<=``/``<``; with one replication (no interval) the
    mean. A target missing from the table, or without a value (no tickets measured),
    fails with a ``note``. Text that does not parse, or a bare name found nowhere in the
    table (or in several scopes), raises :class:`ExpectationError`.
    """
    summary = _summary(results)
    names = Names.from_summary(summary)
    rows: dict[tuple[str, str, str], Mapping[Any, Any]] = {
        (str(r["scope"]), str(r["group"]), str(r["metric"])): r
        for r in summary.to_dict("records")
    }
    verdicts = []
    for item in expectations:
        parsed = item if isinstance(item, Expectation) else parse_expectation(item)
        expectation = resolve(parsed, names, strict=False)
        assert expectation.scope is not None
        verdicts.append(_judge(expectation, rows.get(
            (expectation.scope, expectation.group, expectation.metric))))
    return verdicts


def _judge(expectation: Expectation, row: Mapping[Any, Any] | None) -> Verdict:
    bound: Bound = expectation.bound
    if row is None:
        nan = math.nan
        return Verdict(expectation, nan, nan, nan, 0, bound, nan, False,
                       f"no {expectation.metric} for {expectation.where} in the results")
    mean, low, high = (float(row[c]) for c in ("mean", "ci_low", "ci_high"))
    replications = int(row["replications"])
    value = low if bound == "lower" else high
    if replications < 2 or (math.isnan(value) and not math.isnan(mean)):
        bound, value = "mean", mean
    note = "" if not math.isnan(mean) else "no value: nothing measured"
    return Verdict(expectation, mean, low, high, replications, bound, value,
                   expectation.holds(value), note)


def report(verdicts: Iterable[Verdict], **facts: Any) -> dict[str, Any]:
    """The ``simdesk check --json`` document: ``pass``, ``met``, ``total``, the run
    ``facts`` given, then ``expectations`` (:meth:`Verdict.as_dict` each)."""
    listed = list(verdicts)
    met = sum(v.passed for v in listed)
    return {"pass": met == len(listed), "met": met, "total": len(listed), **facts,
            "expectations": [v.as_dict() for v in listed]}


__all__ = [
    "ALIASES",
    "Expectation",
    "ExpectationError",
    "Names",
    "Verdict",
    "evaluate",
    "parse_expectation",
    "report",
    "resolve",
]


def evaluate_points(summary: pd.DataFrame,
                    expectations: Iterable[str | Expectation]) -> dict[str, list[Verdict]]:
    """A sweep's summary (a ``point`` column) judged point by point, in the summary's order."""
    wanted = list(expectations)
    if summary.empty:
        return {}
    return {str(key): evaluate(frame.drop(columns="point"), wanted)
            for key, frame in summary.groupby("point", sort=False)}
