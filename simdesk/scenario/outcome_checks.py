"""Cross-section checks of ``outcomes:``, ``money:`` and ``supervisor:``: the segments,
tiers and channels they name are declared (run on the raw data, like
:func:`simdesk.scenario.checks.check_references`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from simdesk.scenario.messages import did_you_mean, one_of
from simdesk.scenario.yamlsource import KeyPath

Finding = tuple[KeyPath, str]
EVERY = "*"


def _keys(data: Mapping[str, Any], key: str) -> list[str]:
    section = data.get(key)
    return [str(k) for k in section] if isinstance(section, dict) else []


def _unknown(kind: str, name: str, known: list[str]) -> str:
    return (f"unknown {kind} {name!r}; known: {one_of(known) or '(none declared)'}"
            f"{did_you_mean(name, known)}")


def _groups(tier: Any) -> list[str]:
    """The shift patterns and teams of a tier's agents, as written."""
    agents = tier.get("agents") if isinstance(tier, dict) else None
    names: list[str] = []
    for group in agents if isinstance(agents, list) else []:
        if isinstance(group, dict):
            names += [str(group[k]) for k in ("shift", "team") if group.get(k) is not None]
    if isinstance(tier, dict) and tier.get("rotation") is not None:
        names.append("rotation")
    return list(dict.fromkeys([*names, "reserve"]))


def check_outcome_references(data: Mapping[str, Any]) -> Iterator[Finding]:
    """``conversion.segment``/``to`` and ``money.customers`` name declared segments;
    ``money.agent_hour`` names ``*``, a tier, or ``tier/shift`` / ``tier/team`` /
    ``tier/reserve``; supervisor rules name declared tiers and channels."""
    yield from _supervisor_references(data)
    yield from _problem_references(data)
    segments = _keys(data, "segments")
    outcomes, money = data.get("outcomes"), data.get("money")
    conversion = outcomes.get("conversion") if isinstance(outcomes, dict) else None
    if isinstance(conversion, dict):
        for key in ("segment", "to"):
            name = conversion.get(key, "free" if key == "segment" else None)
            if name is not None and str(name) not in segments:
                yield ("outcomes", "conversion", key), _unknown("segment", str(name), segments)
        if conversion.get("to") is None and len(segments) < 2:
            yield (("outcomes", "conversion"),
                   "conversion needs a segment to convert to: declare segments such as "
                   "{paid: 20%, free: 80%}")
    if not isinstance(money, dict):
        return
    customers = money.get("customers")
    for name in customers if isinstance(customers, dict) else []:
        if str(name) != EVERY and str(name) not in segments:
            yield ("money", "customers", name), _unknown("segment", str(name),
                                                         [*segments, EVERY])
    raw = data.get("tiers")
    tiers: dict[str, Any] = {str(k): v for k, v in raw.items()} if isinstance(raw, dict) else {}
    prices = money.get("agent_hour")
    for key in prices if isinstance(prices, dict) else []:
        tier, _, group = str(key).partition("/")
        if str(key) == EVERY:
            continue
        if tier not in tiers:
            yield ("money", "agent_hour", key), _unknown("tier", tier, [*tiers, EVERY])
        elif group and group not in (known := _groups(tiers[tier])):
            yield (("money", "agent_hour", key),
                   f"tier {tier} has no shift or team {group!r}; known: "
                   f"{one_of(known) or '(none)'}{did_you_mean(group, known)}")


def _supervisor_references(data: Mapping[str, Any]) -> Iterator[Finding]:
    supervisor = data.get("supervisor")
    rules = supervisor.get("rules") if isinstance(supervisor, dict) else None
    tiers, channels = _keys(data, "tiers"), _keys(data, "channels")
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        if not isinstance(rule, dict):
            continue
        policies = _keys(data, "policies")
        name = rule.get("policy")
        if name is not None and str(name) not in policies:
            yield (("supervisor", "rules", index, "policy"),
                   f"unknown policy {name!r}: name one under policies: (the scenario's named "
                   f"routing alternatives); known: {one_of(policies) or '(none declared)'}"
                   f"{did_you_mean(str(name), policies)}")
        for key, known, kind in (("tier", tiers, "tier"), ("channel", channels, "channel"),
                                 ("prioritize", channels, "channel")):
            name = rule.get(key)
            if name is not None and str(name) not in known:
                yield ("supervisor", "rules", index, key), _unknown(kind, str(name), known)


def _problem_references(data: Mapping[str, Any]) -> Iterator[Finding]:
    problems = data.get("problems")
    if not isinstance(problems, dict):
        return
    tiers = _keys(data, "tiers")
    analyst = problems.get("analyst")
    if isinstance(analyst, str) and analyst.partition("#")[0] not in tiers:
        yield ("problems", "analyst"), (
            f"{analyst!r} is not a tier or an agent such as L1#1; tiers: {one_of(tiers)}"
            f"{did_you_mean(analyst, tiers)}")
    topics = _keys(data, "topics")
    rules = problems.get("rules")
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        topic = rule.get("topic") if isinstance(rule, dict) else None
        if topic is not None and str(topic) not in topics:
            yield ("problems", "rules", index, "topic"), _unknown("topic", str(topic), topics)


__all__ = ["check_outcome_references"]
