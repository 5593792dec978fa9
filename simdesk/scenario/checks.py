"""Checks across sections of a scenario: names that must exist, cycles, coverage.

Two kinds of checks, both run even when other parts of the scenario are broken, so one
run reports every problem:

* :func:`check_references` reads the raw data: every name used (a channel in an
  arrival, a tier in ``escalate_to``) must be declared — even inside an entry that has
  errors of its own. :func:`check_expectations` does the same for the assertions under
  ``expect:``, which it also parses.
* the rule checks take the sections they need, validated item by item (``None`` for an
  item that failed), and yield ``(key path, message)`` pairs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from simdesk.metrics.catalogue import FEATURES, feature_of
from simdesk.scenario.behaviour import Helper
from simdesk.scenario.expect import ExpectationError, Names, parse_expectation, resolve
from simdesk.scenario.messages import did_you_mean, one_of
from simdesk.scenario.outcome_checks import check_outcome_references
from simdesk.scenario.rule_checks import check_composed, check_desk_rules
from simdesk.scenario.schema import Arrival, Channel, Surge, Tier, Topic, moment_minutes
from simdesk.scenario.yamlsource import KeyPath

Finding = tuple[KeyPath, str]


def _names(data: Mapping[str, Any], key: str) -> list[str]:
    section = data.get(key)
    return [str(k) for k in section] if isinstance(section, dict) else []


def _helper_names(data: Mapping[str, Any]) -> list[str]:
    names = []
    for _, tier in _items(data, "tiers"):
        helpers = tier.get("helpers")
        for helper in helpers if isinstance(helpers, list) else []:
            if isinstance(helper, dict):
                names.append(str(helper.get("name", Helper.model_fields["name"].default)))
    return names


MOST_AGENT_NAMES = 100_000
"""Agent names listed for ``agent:`` expectations: far above what a run accepts (the work
budget refuses more than 20,000 agents), and bounded, so a count of ``10**400`` is
refused by the budget rather than exhausting the memory here."""


def _agent_names(data: Mapping[str, Any]) -> list[str]:
    """The agents' names as the plan gives them (``L1#1``, ``L1#rota2``, ``L1#lead``),
    at most :data:`MOST_AGENT_NAMES` of them."""
    names: list[str] = []

    def numbered(prefix: str, count: int) -> list[str]:
        most = max(0, min(count, MOST_AGENT_NAMES - len(names)))
        return [f"{prefix}{n}" for n in range(1, most + 1)]

    for tier_name, tier in _items(data, "tiers"):
        groups = tier.get("agents")
        if isinstance(groups, int):
            count = groups  # the shorthand: that many agents, always on duty
        elif isinstance(groups, list):
            count = sum(g.get("count", 1) for g in groups if isinstance(g, dict)
                        and isinstance(g.get("count", 1), int))
        else:
            count = 0
        names += numbered(f"{tier_name}#", count)
        rotation = tier.get("rotation")
        pool = rotation.get("pool") if isinstance(rotation, dict) else None
        names += numbered(f"{tier_name}#rota", pool) if isinstance(pool, int) else []
        helpers = tier.get("helpers")
        for helper in helpers if isinstance(helpers, list) else []:
            if isinstance(helper, dict):
                name = str(helper.get("name", Helper.model_fields["name"].default))
                many = helper.get("count", 1)
                names += [f"{tier_name}#{name}"] if many == 1 else \
                    numbered(f"{tier_name}#{name}", many) if isinstance(many, int) else []
    return names


def _items(data: Mapping[str, Any], key: str) -> Iterator[tuple[str | int, dict[str, Any]]]:
    section = data.get(key)
    if isinstance(section, dict):
        yield from ((k, v) for k, v in section.items() if isinstance(v, dict))
    elif isinstance(section, list):
        yield from ((i, v) for i, v in enumerate(section) if isinstance(v, dict))


def _unknown(kind: str, name: object, known: list[str]) -> str:
    return (
        f"unknown {kind} {name!r}; known: {one_of(known) or '(none declared)'}"
        f"{did_you_mean(str(name), known)}"
    )


def check_references(data: Mapping[str, Any]) -> Iterator[Finding]:
    """Every channel, segment, topic and tier named anywhere is declared."""
    channels, tiers = _names(data, "channels"), _names(data, "tiers")
    segments, topics = _names(data, "segments"), _names(data, "topics")

    def names_in(value: Any) -> list[Any]:
        if isinstance(value, list):
            return value
        return [] if value is None or isinstance(value, dict) else [value]

    for index, arrival in _items(data, "arrivals"):
        if "channel" in arrival and arrival["channel"] not in channels:
            yield ("arrivals", index, "channel"), _unknown("channel", arrival["channel"], channels)
        for kind, declared in (("segment", segments), ("topic", topics)):
            mix = arrival.get(f"{kind}s")
            for name in mix if isinstance(mix, dict) else []:
                if name not in declared:
                    message = _unknown(kind, name, declared) + f"; declare it under {kind}s:"
                    yield ("arrivals", index, f"{kind}s", name), message
    for name, channel in _items(data, "channels"):
        overflow = channel.get("overflow")
        target = overflow.get("to") if isinstance(overflow, dict) else None
        if isinstance(target, str) and target not in channels:
            yield ("channels", name, "overflow", "to"), _unknown("channel", target, channels)
        elif target == name:
            yield (("channels", name, "overflow", "to"),
                   f"channel {name!r} cannot overflow to itself; name another channel")
        limits = channel.get("queue_limit") is not None or any(
            tier.get("queue_limit") is not None for _, tier in _items(data, "tiers"))
        if isinstance(overflow, dict) and overflow.get("full") is True and not limits:
            yield (("channels", name, "overflow", "full"),
                   "full: true overflows a ticket that would be blocked, but no queue_limit "
                   f"is set; add e.g. queue_limit: 10 to channel {name!r} or its tier")
        sla = channel.get("sla")
        if isinstance(sla, dict) and sla.get("counts") == "attempts" and not channel.get(
                "redial"):
            yield (("channels", name, "sla", "counts"),
                   "counts: attempts needs redial on the channel (without redials every "
                   "customer makes one attempt); add e.g. redial: {share: 50%, after: "
                   "{dist: exponential, mean: 10m}}")
    for index, surge in _items(data, "surges"):
        for name in names_in(surge.get("channels")):
            if name not in channels:
                yield ("surges", index, "channels"), _unknown("channel", name, channels)
    teams: list[str] = []
    for name, tier in _items(data, "tiers"):
        target = tier.get("escalate_to")
        if target is not None and target not in tiers:
            yield ("tiers", name, "escalate_to"), _unknown("tier", target, tiers)
        for channel in names_in(tier.get("channels")):
            if channel not in channels:
                yield ("tiers", name, "channels"), _unknown("channel", channel, channels)
        by = tier.get("handle_by")
        for key in by if isinstance(by, dict) else []:
            problem = _handle_key(str(key), channels, topics)
            if problem:
                yield ("tiers", name, "handle_by", key), problem
        groups: list[tuple[KeyPath, dict[str, Any]]] = [
            (("tiers", name, "agents", i), g) for i, g in _items(tier, "agents")]
        if isinstance(tier.get("rotation"), dict):
            groups.append((("tiers", name, "rotation"), tier["rotation"]))
        for path, group in groups:
            if isinstance(group.get("team"), str):
                teams.append(group["team"])
            for skill in names_in(group.get("skills")):
                if skill not in topics:
                    yield (*path, "skills"), _unknown("topic", skill, topics)
            for channel in names_in(group.get("channels")):
                if channel not in channels:
                    yield (*path, "channels"), _unknown("channel", channel, channels)
    routings: list[tuple[KeyPath, Any]] = [(("routing",), data.get("routing"))]
    routings += [(("policies", key), value) for key, value in _items(data, "policies")]
    for path, routing in routings:
        if isinstance(routing, dict):
            yield from _routing_references(path, routing, channels, segments, teams)
            yield from check_composed(path, routing, data, teams)


def _handle_key(key: str, channels: list[str], topics: list[str]) -> str | None:
    """What is wrong with a ``handle_by`` key (a channel, a topic or ``channel/topic``)."""
    if "/" in key:
        channel, _, topic = key.partition("/")
        if channel not in channels:
            return _unknown("channel", channel, channels)
        if topic not in topics:
            return _unknown("topic", topic, topics)
        return None
    if key in channels and key in topics:
        return (f"{key!r} is both a channel and a topic; write {key}/TOPIC or "
                f"CHANNEL/{key} to say which")
    if key in channels or key in topics:
        return None
    return (f"{key!r} is neither a channel nor a topic; write a channel "
            f"({one_of(channels)}), a topic ({one_of(topics) or 'none declared'}) or "
            f"channel/topic{did_you_mean(key, channels + topics)}")


def _routing_references(path: KeyPath, routing: dict[str, Any], channels: list[str],
                        segments: list[str], teams: list[str]) -> Iterator[Finding]:
    """Segments, channels and teams a routing policy names are declared."""
    order = routing.get("order")
    for segment in order if isinstance(order, list) else []:
        if segment not in segments:
            yield (*path, "order"), _unknown("segment", segment, segments)
    restrict = routing.get("restrict")
    for channel, allowed in restrict.items() if isinstance(restrict, dict) else []:
        if channel not in channels:
            yield (*path, "restrict", channel), _unknown("channel", channel, channels)
        for segment in allowed if isinstance(allowed, list) else []:
            if segment not in segments:
                yield (*path, "restrict", channel), _unknown("segment", segment, segments)
    team = routing.get("team")
    if isinstance(team, str) and team not in teams:
        yield (*path, "team"), _unknown("team", team, sorted(set(teams)))
    newest = routing.get("newest")
    for team in newest if isinstance(newest, list) else []:
        if team not in teams:
            yield (*path, "newest"), _unknown("team", team, sorted(set(teams)))
    if isinstance(routing.get("base"), dict):
        yield from _routing_references((*path, "base"), routing["base"], channels, segments,
                                       teams)


def _most_touches(data: Mapping[str, Any]) -> int:
    """The most agent replies a ticket can need, from the ``touches`` written anywhere."""
    most = 1
    for key in ("channels", "topics"):
        for _, entry in _items(data, key):
            touches = entry.get("touches")
            for count in touches if isinstance(touches, dict) else []:
                if isinstance(count, int) or (isinstance(count, str) and count.isdigit()):
                    most = max(most, int(count))
    return most


def _features(data: Mapping[str, Any]) -> set[str]:
    """The optional features the raw scenario writes: satisfaction, deflection, reopens,
    helpers and replies (a ticket needing several agent replies)."""
    used = set()
    if _most_touches(data) > 1:
        used.add("replies")
    if _helper_names(data):
        used.add("helpers")
    if data.get("satisfaction") is not None:
        used.add("satisfaction")
    used.update(key for key in ("outcomes", "money") if data.get(key) is not None)
    for _, topic in _items(data, "topics"):
        if topic.get("deflection") is not None:
            used.add("deflection")
        if topic.get("reopens") is not None:
            used.add("reopens")
    if any(tier.get("reopens") is not None for _, tier in _items(data, "tiers")):
        used.add("reopens")
    if any(tier.get("queue_limit") is not None for _, tier in _items(data, "tiers")):
        used.add("queue_limit")
    for _, channel in _items(data, "channels"):
        used.update(key for key in ("queue_limit", "redial", "callback", "overflow",
                                    "resolution") if channel.get(key) is not None)
    for _, tier in _items(data, "tiers"):
        if tier.get("helps"):
            used.add("help")
        if tier.get("preempt"):
            used.add("preemption")
        groups = tier.get("agents")
        if isinstance(groups, list) and any(isinstance(group, dict) and group.get(
                "occupancy") is not None for group in groups):
            used.add("occupancy")
    return used


def check_expectations(data: Mapping[str, Any]) -> Iterator[Finding]:
    """Every assertion under ``expect:`` parses, and names a declared channel, segment,
    topic or tier (or a reply that can happen) with a metric measured there — and, for
    a metric of an optional feature (satisfaction, deflection, reopens), the scenario
    uses that feature."""
    items = data.get("expect")
    if not isinstance(items, list):
        return
    most = _most_touches(data)
    used = _features(data)
    names = Names(
        channel=tuple(_names(data, "channels")),
        segment=tuple(_names(data, "segments")),
        topic=tuple(_names(data, "topics")),
        tier=tuple(_names(data, "tiers")),
        reply=tuple(str(n) for n in range(1, most + 1)) if most > 1 else (),
        helper=tuple(_helper_names(data)),
        agent=tuple(_agent_names(data)),
    )
    for index, text in enumerate(items):
        if not isinstance(text, str):
            continue  # the schema says it is not text
        try:
            found = resolve(parse_expectation(text), names)
        except ExpectationError as exc:
            yield ("expect", index), str(exc)
            continue
        assert found.scope is not None
        feature = feature_of(found.scope, found.metric)
        if feature is not None and feature not in used:
            yield ("expect", index), f"{found.metric} is not measured: {FEATURES[feature]}"


def check_arrivals(channels: dict[str, Channel | None], arrivals: list[Arrival | None],
                   topics: dict[str, Topic | None]) -> Iterator[Finding]:
    """A channel that receives tickets has a service target, and a ``reply_after`` when
    its tickets can need more than one agent reply."""
    several = any(t is not None and t.touches and max(t.touches) > 1 for t in topics.values())
    for name in dict.fromkeys(a.channel for a in arrivals if a is not None):
        channel = channels.get(name)
        if channel is None:
            continue
        if channel.sla is None:
            yield (
                ("channels", name),
                f"channel {name!r} has arrivals but no sla; add e.g. "
                "sla: {within: 30s, target: 80%}",
            )
        touches = several or bool(channel.touches and max(channel.touches) > 1)
        if touches and channel.reply_after is None:
            yield (
                ("channels", name),
                f"tickets on {name!r} can need several replies but the channel has no "
                "reply_after (when the customer answers); add e.g. "
                "reply_after: {dist: exponential, mean: 2h}",
            )


def check_surges(surges: list[Surge | None], start: dt.datetime) -> Iterator[Finding]:
    """Surges start no earlier than the scenario."""
    for index, surge in enumerate(surges):
        if surge is not None and moment_minutes(surge.at, start) < 0:
            yield ("surges", index, "at"), f"{surge.at!r} is before the scenario start {start}"


def check_tiers(tiers: dict[str, Tier | None]) -> Iterator[Finding]:
    """Each tier has people, says what it resolves, escalates without cycles; every
    channel enters somewhere."""
    for name, tier in tiers.items():
        if tier is None:
            continue
        target = tier.escalate_to
        if target == name:
            yield ("tiers", name, "escalate_to"), f"tier {name!r} cannot escalate to itself"
        if tier.resolves is None:
            yield (
                ("tiers", name),
                f"tier {name!r} escalates to {target!r} but does not say which share it "
                "resolves; add e.g. resolves: 75%",
            )
        elif tier.resolves < 1 and target is None:
            yield (
                ("tiers", name, "resolves"),
                f"tier {name!r} resolves {tier.resolves:.0%} but has no escalate_to for the rest",
            )
        if not tier.agents and tier.rotation is None:
            yield ("tiers", name), f"tier {name!r} has no agents and no rotation"
    yield from _cycles(tiers)
    claimed: dict[str, str] = {}
    for name, tier in tiers.items():
        for channel in (tier.channels if tier else None) or []:
            if channel in claimed:
                yield (
                    ("tiers", name, "channels"),
                    f"channel {channel!r} already enters at tier {claimed[channel]!r}; "
                    "a channel enters at one tier",
                )
            claimed.setdefault(channel, name)
    if tiers and all(t is not None and t.role == "dispatcher" for t in tiers.values()):
        yield ("tiers",), "every tier is a dispatcher: add a tier that works tickets"
    helpers: dict[str, str] = {}
    for name, tier in tiers.items():
        for index, helper in enumerate(tier.helpers if tier else []):
            if helper.name in helpers:
                yield (
                    ("tiers", name, "helpers", index, "name"),
                    f"helper name {helper.name!r} is already used in tier "
                    f"{helpers[helper.name]!r}; give each helper its own name (their time "
                    "in the queue is reported by name)",
                )
            helpers.setdefault(helper.name, name)


def _target(tiers: dict[str, Tier | None], name: str) -> str | None:
    tier = tiers.get(name)
    return tier.escalate_to if tier is not None else None


def _cycles(tiers: dict[str, Tier | None]) -> Iterator[Finding]:
    reported: set[str] = set()
    for first in tiers:
        seen = [first]
        current = _target(tiers, first)
        while current is not None and current in tiers and current not in seen:
            seen.append(current)
            current = _target(tiers, current)
        if current == first and first not in reported and len(seen) > 1:
            reported.update(seen)
            loop = " → ".join([*seen, first])
            yield ("tiers", first, "escalate_to"), f"escalations form a cycle: {loop}"


def check_horizon(horizon: float, warmup: float) -> Iterator[Finding]:
    """The warm-up ends before the horizon."""
    if warmup >= horizon:
        yield ("warmup",), "the warm-up must be shorter than the horizon"


RULES: list[tuple[tuple[str, ...], Callable[..., Iterator[Finding]]]] = [
    (("channels", "arrivals", "topics"), check_arrivals),
    (("surges", "start"), check_surges),
    (("tiers",), check_tiers),
    (("horizon", "warmup"), check_horizon),
]


def cross_check(data: Mapping[str, Any], sections: Mapping[str, Any]) -> list[Finding]:
    """Reference findings from the raw ``data``, then every rule whose sections validated."""
    findings = [*check_references(data), *check_expectations(data),
                *check_outcome_references(data), *check_desk_rules(data)]
    for needs, rule in RULES:
        if all(name in sections for name in needs):
            findings.extend(rule(*(sections[name] for name in needs)))
    return findings
