"""The scenario as a form: which values of the YAML text the page lets a manager change.

Built from the parsed text (plain data), so it works while the scenario is still invalid.
Only scalars that exist in the text become fields (each is changed in place by
:mod:`simdesk.studio.textedit`); anything else is shown as a note, to be changed in the
YAML text beside the form.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from simdesk.plan.model import DeskPlan
from simdesk.scenario.calendar import MINUTES_PER_WEEK
from simdesk.scenario.routing import BUILTIN_POLICIES

KeyPath = tuple[str | int, ...]
Kind = Literal["count", "text", "choice"]

ROTATION_KEYS = ("pool", "on_duty", "every", "availability", "cycle", "shift")


@dataclass(frozen=True)
class Field:
    """One editable value: where it is in the text, its label and how it is entered."""

    path: KeyPath
    label: str
    value: Any
    kind: Kind = "text"
    choices: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The path as JSON: the field's id on the page."""
        return json.dumps(list(self.path))


@dataclass(frozen=True)
class Group:
    """A block of the form: a channel, an arrival stream, a tier or the routing."""

    section: str
    title: str
    fields: tuple[Field, ...]
    notes: tuple[str, ...] = ()
    arrival: int | None = None
    """For an arrival stream: its index (the weekly profile chart)."""


def path_of(key: str) -> KeyPath:
    """The inverse of :attr:`Field.key`."""
    loaded = json.loads(key)
    if not isinstance(loaded, list) or not all(isinstance(s, str | int) for s in loaded):
        raise ValueError(f"not a key path: {key!r}")
    return tuple(loaded)


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _text_fields(mapping: Mapping[str, Any], path: KeyPath, keys: tuple[str, ...],
                 labels: Mapping[str, str] | None = None) -> list[Field]:
    labels = labels or {}
    return [Field((*path, key), labels.get(key, key.replace("_", " ")), mapping[key])
            for key in keys if _scalar(mapping.get(key))]


def _channel(name: str, spec: Any) -> Group:
    fields: list[Field] = []
    notes: list[str] = []
    sla = spec.get("sla") if isinstance(spec, Mapping) else None
    if isinstance(sla, Mapping):
        fields += _text_fields(sla, ("channels", name, "sla"), ("within", "target", "hours"),
                               {"within": "answered within", "target": "target share",
                                "hours": "clock runs"})
    else:
        notes.append("no SLA target")
    return Group("channels", name, tuple(fields), tuple(notes))


def _arrival(index: int, spec: Any) -> Group:
    if not isinstance(spec, Mapping):
        return Group("arrivals", f"arrivals[{index}]", (), ("not a mapping",), index)
    fields = _text_fields(spec, ("arrivals", index), ("rate",), {"rate": "rate"})
    profile = spec.get("profile")
    notes = [f"profile: {profile}" if isinstance(profile, str) else
             "profile: by weekday and hour (in the YAML)" if profile else "flat profile"]
    if spec.get("segments") or spec.get("topics"):
        notes.append("own segment or topic mix (in the YAML)")
    return Group("arrivals", str(spec.get("channel", f"arrivals[{index}]")), tuple(fields),
                 tuple(notes), index)


def _tier(name: str, spec: Any) -> Group:
    path: KeyPath = ("tiers", name)
    fields: list[Field] = []
    notes: list[str] = []
    if not isinstance(spec, Mapping):
        return Group("tiers", name, (), ("not a mapping",))
    agents = spec.get("agents")
    if isinstance(agents, int) and not isinstance(agents, bool):
        fields.append(Field((*path, "agents"), "agents (always on)", agents, "count"))
    elif isinstance(agents, list):
        for index, group in enumerate(agents):
            where = (*path, "agents", index)
            if not isinstance(group, Mapping):
                notes.append(f"group {index + 1}: {group}")
                continue
            if _scalar(group.get("shift")):
                fields.append(Field((*where, "shift"), f"group {index + 1} shift",
                                    group["shift"]))
            if isinstance(group.get("count"), int):
                fields.append(Field((*where, "count"), f"group {index + 1} agents",
                                    group["count"], "count"))
            elif "count" not in group:
                notes.append(f"group {index + 1}: one agent (add count: to change)")
            extra = sorted(set(group) - {"shift", "count"})
            if extra:
                notes.append(f"group {index + 1} also sets {', '.join(map(str, extra))}")
    rotation = spec.get("rotation")
    if isinstance(rotation, Mapping):
        fields += _text_fields(rotation, (*path, "rotation"), ROTATION_KEYS,
                               {"pool": "rotation pool", "on_duty": "rotation on duty",
                                "every": "rotation every", "availability":
                                "rotation availability", "cycle": "rotation cycle",
                                "shift": "rotation shift"})
    if agents is None and rotation is None:
        notes.append("no agents")
    return Group("tiers", name, tuple(fields), tuple(notes))


def _routing(spec: Any) -> Group:
    if not isinstance(spec, Mapping):
        return Group("routing", "routing", (), ("fifo (the default)",))
    policy = spec.get("policy", "fifo")
    fields: list[Field] = []
    if isinstance(policy, str) and "policy" in spec:
        choices = BUILTIN_POLICIES if policy in BUILTIN_POLICIES else (policy,
                                                                        *BUILTIN_POLICIES)
        fields.append(Field(("routing", "policy"), "policy", policy, "choice", choices))
    notes: list[str] = []
    for key, value in spec.items():
        if key == "policy":
            continue
        if _scalar(value):
            fields.append(Field(("routing", str(key)), str(key).replace("_", " "), value))
        else:
            notes.append(f"{key}: {json.dumps(value, ensure_ascii=False, default=str)}")
    return Group("routing", f"policy {policy}", tuple(fields), tuple(notes))


def form_groups(data: Any) -> list[Group]:
    """The form of a parsed scenario (empty when it is not a mapping)."""
    if not isinstance(data, Mapping):
        return []
    groups: list[Group] = []
    channels = data.get("channels")
    if isinstance(channels, Mapping):
        groups += [_channel(str(n), s) for n, s in channels.items()]
    arrivals = data.get("arrivals")
    if isinstance(arrivals, list):
        groups += [_arrival(i, s) for i, s in enumerate(arrivals)]
    tiers = data.get("tiers")
    if isinstance(tiers, Mapping):
        groups += [_tier(str(n), s) for n, s in tiers.items()]
    groups.append(_routing(data.get("routing", {})))
    return groups


def field_value(field: Field, entered: Any) -> Any:
    """What the YAML should hold for a value entered in the form (None: nothing usable)."""
    if entered is None:
        return None
    if field.kind == "count":
        if isinstance(entered, float) and entered.is_integer():
            entered = int(entered)
        return entered if isinstance(entered, int) and entered >= 0 else None
    text = str(entered).strip()
    if not text:
        return None
    if isinstance(field.value, int | float) and not isinstance(field.value, bool):
        for parse in (int, float):
            try:
                return parse(text)
            except ValueError:
                continue
    return text


def weekly_profile(plan: DeskPlan, arrival: int) -> tuple[np.ndarray, np.ndarray]:
    """Hours since Monday 00:00 and the arrival rate per hour of stream ``arrival``, over
    the first whole week after the warm-up (the first week when none fits)."""
    stream = plan.streams[arrival]
    offset = plan.clock.week_offset
    first = -offset
    while first < plan.warmup:
        first += MINUTES_PER_WEEK
    if first + MINUTES_PER_WEEK > plan.horizon:
        first = -offset
    ends = np.append(stream.starts[1:], stream.horizon)
    keep = (ends > first) & (stream.starts < first + MINUTES_PER_WEEK)
    starts = np.maximum(stream.starts[keep], first)
    hours = (starts - first) / 60
    rates = stream.rates[keep] * 60
    return np.append(hours, min(ends[keep][-1] - first, MINUTES_PER_WEEK) / 60) if len(
        hours) else hours, np.append(rates, rates[-1]) if len(rates) else rates
