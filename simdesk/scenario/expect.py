"""Expectations: assertions on a run's summary that gate a staffing plan (``simdesk check``).

A scenario may list them under ``expect:``; each is one string ``TARGET OP VALUE``::

    expect:
      - email.sla >= 90%             # a channel's metric
      - segment:paid.sla >= 90%      # scope:group.metric, when the name needs a scope
      - tier:L1.utilization <= 85%
      - abandonment <= 5%            # a metric alone: over all tickets
      - reply:2.wait_mean <= 1h      # the second agent reply of a conversation
      - agent:L2#1.csat_vs_mix >= -5%   # an agent (with a satisfaction model)

Grammar::

    expectation := target op value
    target      := metric                    over all tickets
                 | "overall." metric         the same, spelled out
                 | group "." metric          a channel, else a segment, topic or tier
                 | scope ":" group "." metric
    scope       := overall | channel | segment | topic | tier | reply | helper | agent
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

This module is the grammar only (no pandas, nothing of the simulation): which metric
names, aliases, scopes and units exist comes from :mod:`simdesk.metrics.catalogue`, and
judging a run's summary is :mod:`simdesk.metrics.verdicts`.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from typing import Literal

from simdesk.errors import SimdeskError
from simdesk.metrics import catalogue
from simdesk.metrics.catalogue import OVERALL_GROUP, SCOPES, Unit, format_value, in_scope, unit_of
from simdesk.scenario.messages import did_you_mean, one_of
from simdesk.scenario.units import format_duration, format_percent, parse_duration, parse_percent

Bound = Literal["lower", "upper", "mean"]

LOOKUP_ORDER = ("segment", "topic", "tier")
"""Where a bare ``group.metric`` is looked up when no channel has that name."""

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
            sign = "-" if self.target < 0 else ""  # a difference of shares
            text = sign + format_percent(abs(self.target))
        elif self.unit == "duration":
            text = format_duration(self.target)
        else:
            text = f"{self.target:g}"
        return f"{self.op} {text}"


def _metric(word: str) -> str:
    found = catalogue.find(word)
    if found is None:
        written = word.strip().lower()
        aliases = ", ".join(catalogue.ALIASES)
        raise ExpectationError(
            f"unknown metric {word.strip()!r}; valid: {one_of(list(catalogue.METRICS))} "
            f"(or {aliases}){did_you_mean(written, [*catalogue.METRICS, *catalogue.ALIASES])}"
        )
    return found.name


def _target_value(metric: str, text: str) -> float:
    unit = unit_of(metric)
    if catalogue.get(metric).signed and text.startswith("-"):
        return -_target_value(metric, text[1:].strip())  # a difference of shares
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
            f"{metric} is a {unit}: write a plain number such as 1500, not {text!r}"
        ) from None
    if not math.isfinite(number) or number < 0:
        raise ExpectationError(f"{metric} is a {unit}: {text!r} is not zero or more")
    return number


def _check_metric(scope: str, group: str, metric: str) -> None:
    """The metric is measured in this scope, or a clear message saying where it is."""
    valid = in_scope(scope)
    if metric in valid:
        return
    homes = [s for s in SCOPES if metric in in_scope(s)]
    what = "over all tickets" if scope == "overall" else f"per {scope} (for {scope} {group!r})"
    hint = ""
    if len(homes) == 1 and homes[0] not in catalogue.TICKET_SCOPES:
        home = homes[0]
        name = "N" if home == "reply" else "NAME"
        hint = f"; it is a{'n' if home[0] in 'aeiou' else ''} {home} metric: " \
               f"write {home}:{name}.{metric}"
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
    """A metric of ``scope`` to show in a message: its first share, else its first."""
    names = in_scope(scope)
    return next((m for m in names if unit_of(m) == "share"), names[0])


@dataclass(frozen=True)
class Names:
    """The group names a target may use, per scope (``reply``: ``"1"``, ``"2"``, ...)."""

    channel: tuple[str, ...] = ()
    segment: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    tier: tuple[str, ...] = ()
    reply: tuple[str, ...] = ()
    helper: tuple[str, ...] = ()
    agent: tuple[str, ...] = ()

    def of(self, scope: str) -> tuple[str, ...]:
        return (OVERALL_GROUP,) if scope == "overall" else tuple(getattr(self, scope))

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> Names:
        """The groups found in ``(scope, group)`` pairs, e.g. a summary's rows."""
        found: dict[str, list[str]] = {}
        for scope, group in pairs:
            names = found.setdefault(str(scope), [])
            if str(group) not in names:
                names.append(str(group))
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


__all__ = [
    "Expectation",
    "ExpectationError",
    "Names",
    "parse_expectation",
    "resolve",
    "unit_of",
]
