"""Checks across sections for the desk rules and composed routing: names that must be
declared, and combinations the engine does not run (each with what to write instead).

Read from the raw data, like :func:`simdesk.scenario.checks.check_references`, so they
run even when other parts of the scenario are broken.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from simdesk.scenario.messages import did_you_mean, one_of
from simdesk.scenario.yamlsource import KeyPath

Finding = tuple[KeyPath, str]


def _unknown(kind: str, name: object, known: list[str]) -> str:
    return (f"unknown {kind} {name!r}; known: {one_of(known) or '(none declared)'}"
            f"{did_you_mean(str(name), known)}")


def _dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    for index, item in enumerate(value if isinstance(value, list) else []):
        if isinstance(item, dict):
            yield index, item


def _names(data: Mapping[str, Any], key: str) -> list[str]:
    section = data.get(key)
    return [str(k) for k in section] if isinstance(section, dict) else []


def _tiers(data: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    section = data.get("tiers")
    return [(str(k), v) for k, v in section.items() if isinstance(v, dict)] if isinstance(
        section, dict) else []


def check_desk_rules(data: Mapping[str, Any]) -> Iterator[Finding]:
    """``helps``, ``preempt`` and composed routing name declared things and combine
    with the rest of the scenario."""
    tiers, channels = _names(data, "tiers"), _names(data, "channels")
    routings: list[tuple[KeyPath, Any]] = [(("routing",), data.get("routing"))]
    section = data.get("policies")
    if isinstance(section, dict):
        routings += [(("policies", key), value) for key, value in section.items()]
    owner = [path for path, r in routings if isinstance(r, dict) and r.get("ownership") == "owner"]
    robin = [path for path, r in routings if isinstance(r, dict)
             and r.get("policy") == "round-robin"]
    path: KeyPath
    for name, tier in _tiers(data):
        for index, rule in _dicts(tier.get("helps")):
            path = ("tiers", name, "helps", index, "tier")
            target = rule.get("tier")
            if target is None:
                continue
            if target not in tiers:
                yield path, _unknown("tier", target, tiers)
            elif target == name:
                yield path, f"tier {name!r} cannot help itself; name another tier"
            for where in owner:
                yield path, ("cross-tier help needs shared follow-ups, but "
                             f"{'.'.join(map(str, where))} says ownership: owner; drop one")
            for where in robin:
                yield path, (f"cross-tier help needs a shared queue, but "
                             f"{'.'.join(map(str, where))} is round-robin (a queue per agent)")
        rules = list(_dicts(tier.get("preempt")))
        for index, rule in rules:
            path = ("tiers", name, "preempt", index)
            high = rule.get("channel")
            if high is not None and high not in channels:
                yield (*path, "channel"), _unknown("channel", high, channels)
            lows = rule.get("interrupts")
            for low in lows if isinstance(lows, list) else []:
                if low not in channels:
                    yield (*path, "interrupts"), _unknown("channel", low, channels)
                elif low == high:
                    yield (*path, "interrupts"), f"channel {low!r} cannot interrupt itself"
            for where in owner:
                yield path, (f"pre-emption needs shared follow-ups, but "
                             f"{'.'.join(map(str, where))} says ownership: owner")
        if rules:
            yield from _blended(name, tier, rules)


def _blended(name: str, tier: dict[str, Any], rules: list[tuple[int, dict[str, Any]]]
             ) -> Iterator[Finding]:
    """Pre-emption works between the channels of blended agents (``channels:`` lists),
    the interrupting channel listed first."""
    groups = list(_dicts(tier.get("agents")))
    if not any(isinstance(g.get("channels"), list) for _, g in groups):
        yield (("tiers", name, "preempt"),
               f"pre-emption in tier {name!r} works between the channels agents blend: give "
               "its agent groups channels, highest priority first, e.g. "
               "channels: [phone, email]")
        return
    for position, group in groups:
        order = group.get("channels")
        if not isinstance(order, list):
            continue
        for _, rule in rules:
            lows = rule.get("interrupts")
            high = rule.get("channel")
            for low in lows if isinstance(lows, list) else []:
                if high in order and low in order and order.index(low) < order.index(high):
                    yield (("tiers", name, "agents", position, "channels"),
                           f"lists {low!r} before {high!r}, which interrupts it; list the "
                           "interrupting channel first")


def check_composed(path: KeyPath, routing: Mapping[str, Any], data: Mapping[str, Any],
                   teams: list[str]) -> Iterator[Finding]:
    """The segments, topics, channels and teams a composed policy names are declared."""
    if routing.get("policy") != "composed":
        return
    declared = {"segment": _names(data, "segments"), "topic": _names(data, "topics"),
                "channel": _names(data, "channels")}
    for kind, names in declared.items():
        listed = routing.get(f"{kind}s")
        for name in listed if isinstance(listed, list) else []:
            if name not in names:
                yield (*path, f"{kind}s"), _unknown(kind, name, names)
    for index, item in _dicts(routing.get("filters")):
        where = (*path, "filters", index)
        team = item.get("team")
        if isinstance(team, str) and team not in teams:
            yield (*where, "team"), _unknown("team", team, sorted(set(teams)))
        for kind, names in declared.items():
            listed = item.get(f"{kind}s")
            for name in listed if isinstance(listed, list) else []:
                if name not in names:
                    yield (*where, f"{kind}s"), _unknown(kind, name, names)
