"""What a ticket export holds, field by field, and the column names of common exports.

The fit reads the **fields** below; a **preset** names the column that holds each one in
a given help desk's export (and translates its channel names), and ``--map
field=Column`` overrides or adds any of them. Only ``created_at`` and ``channel`` are
required; each other field enables a part of the fit (handle times need
``work_minutes``, patience needs ``abandoned_at`` or an abandoned ``status``, ...).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from simdesk.errors import SimdeskError

FIELDS: dict[str, str] = {
    "id": "the ticket's id (used in messages; the row number otherwise)",
    "created_at": "when the ticket arrived (required)",
    "channel": "how it arrived: phone, email, chat, ... (required)",
    "segment": "the customer's segment or plan",
    "topic": "the kind of problem (a category, type or topic tag)",
    "status": "the ticket's status; 'abandoned' (or the preset's words) means the "
              "customer gave up",
    "assigned_at": "when an agent first picked it up (the call answered, the chat "
                   "accepted); first_response_at when missing",
    "first_response_at": "when the customer got a first response",
    "first_response_minutes": "the first response as minutes after creation (instead of "
                              "first_response_at)",
    "abandoned_at": "when the customer gave up (hung up, closed the chat)",
    "solved_at": "when it was solved",
    "groups": "the tiers (groups) that worked it, in order, e.g. 'L1>L2'",
    "work_minutes": "minutes of work at each of those tiers, same order, e.g. '12.5>40'",
    "assignees": "the agent at each of those tiers, same order",
}
"""Every field the fit reads, with what it means."""

TIME_FIELDS = ("created_at", "assigned_at", "first_response_at", "abandoned_at", "solved_at")
LIST_FIELDS = ("groups", "work_minutes", "assignees")
LIST_SEPARATORS = re.compile(r"\s*[>;|]\s*")
"""Items of a list field are separated by ``>``, ``;`` or ``|``."""


@dataclass(frozen=True)
class Preset:
    """The columns of one kind of export and how its values read."""

    name: str
    description: str
    columns: Mapping[str, str]
    """field → column name."""
    channel_names: Mapping[str, str] = field(default_factory=dict)
    """The export's channel values (lower case) → simdesk channel names."""
    abandoned_statuses: tuple[str, ...] = ("abandoned",)
    """Statuses (lower case) that mean the customer gave up."""
    open_statuses: tuple[str, ...] = ("open",)
    """Statuses (lower case) of tickets still in progress. A ticket with another status,
    no first response and no abandonment was turned away (``refused``)."""
    naive_times: bool = False
    """Whether the export writes local times without an offset (``simdesk export``
    writes them so for this preset)."""
    statuses: Mapping[str, str] = field(default_factory=dict)
    """``simdesk export``: simdesk's status (solved, abandoned, open, refused) → the
    export's word."""

    def channel(self, value: str) -> str:
        """A channel value of this export as a simdesk channel name."""
        cleaned = " ".join(value.split()).lower()
        return self.channel_names.get(cleaned) or re.sub(r"\s+", "-", cleaned)

    def channel_value(self, name: str) -> str:
        """``simdesk export``: the export's own word for a simdesk channel."""
        for value, channel in self.channel_names.items():
            if channel == name:
                return _EXPORT_SPELLING.get(value, value)
        return name


_EXPORT_SPELLING = {
    "phone call (inbound)": "Phone call (inbound)", "mail": "Mail", "web form": "Web form",
    "chat": "Chat", "voicemail": "Voicemail", "email": "Email", "portal": "Portal",
    "phone": "Phone", "walk-in": "Walk-in",
}

PRESETS: dict[str, Preset] = {
    "simdesk": Preset(
        "simdesk",
        "what `simdesk export` writes: ISO 8601 times with their UTC offset",
        {"id": "ticket_id", "created_at": "created_at", "channel": "channel",
         "segment": "segment", "topic": "topic", "status": "status",
         "assigned_at": "assigned_at", "first_response_at": "first_response_at",
         "abandoned_at": "abandoned_at", "solved_at": "solved_at", "groups": "groups",
         "work_minutes": "work_minutes", "assignees": "assignees"},
    ),
    "zendesk": Preset(
        "zendesk",
        "Zendesk Support's ticket export (times in the account's time zone, no offset); "
        "Plan, Topic, Abandoned at, Groups, Work minutes and Assignees are custom fields",
        {"id": "Id", "created_at": "Created at", "channel": "Via", "segment": "Plan",
         "topic": "Topic", "status": "Status", "assigned_at": "Initially assigned at",
         "first_response_minutes": "First reply time in minutes",
         "abandoned_at": "Abandoned at", "solved_at": "Solved at", "groups": "Groups",
         "work_minutes": "Work minutes", "assignees": "Assignees"},
        channel_names={"phone call (inbound)": "phone", "phone call (outbound)": "phone",
                       "voicemail": "voicemail", "mail": "email", "email": "email",
                       "web form": "web", "chat": "chat", "messaging": "chat",
                       "walk-in": "walk-in"},
        open_statuses=("new", "open", "pending", "hold", "on-hold"),
        naive_times=True,
        statuses={"solved": "solved", "abandoned": "closed", "open": "open",
                  "refused": "closed"},
    ),
    "freshdesk": Preset(
        "freshdesk",
        "Freshdesk's ticket export (times in the helpdesk's time zone, no offset); Plan, "
        "First assigned time, Abandoned time, Groups, Work minutes and Agents are custom "
        "fields",
        {"id": "Ticket ID", "created_at": "Created time", "channel": "Source",
         "segment": "Plan", "topic": "Type", "status": "Status",
         "assigned_at": "First assigned time", "abandoned_at": "Abandoned time",
         "first_response_at": "Initial response time", "solved_at": "Resolved time",
         "groups": "Groups", "work_minutes": "Work minutes", "assignees": "Agents"},
        channel_names={"phone": "phone", "email": "email", "portal": "web",
                       "chat": "chat", "feedback widget": "web", "walk-in": "walk-in",
                       "voicemail": "voicemail"},
        abandoned_statuses=("abandoned",),
        open_statuses=("open", "pending", "waiting on customer", "waiting on third party"),
        naive_times=True,
        statuses={"solved": "Resolved", "abandoned": "Abandoned", "open": "Open",
                  "refused": "Closed"},
    ),
}
"""The built-in presets, by name."""


def detect_preset(columns: Iterable[str]) -> Preset | None:
    """The preset whose ``created_at`` and ``channel`` columns are all present, the one
    matching the most columns if several are (``None`` if none)."""
    present = set(columns)
    best: tuple[int, Preset] | None = None
    for preset in PRESETS.values():
        required = {preset.columns["created_at"], preset.columns["channel"]}
        if not required <= present:
            continue
        score = sum(column in present for column in preset.columns.values())
        if best is None or score > best[0]:
            best = (score, preset)
    return None if best is None else best[1]


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """``--map created_at=Created,channel=Via`` (repeatable) → ``{field: column}``.

    A column name may hold spaces (``--map "created_at=Created at"``); pairs are
    separated by commas.
    """
    mapping: dict[str, str] = {}
    for item in items:
        for pair in item.split(","):
            if not pair.strip():
                continue
            key, sep, column = pair.partition("=")
            key = key.strip()
            if not sep or not column.strip():
                raise SimdeskError(
                    f"--map {pair.strip()!r}: write field=Column, e.g. --map "
                    "created_at=Created,channel=Via")
            if key not in FIELDS:
                raise SimdeskError(
                    f"--map {pair.strip()!r}: unknown field {key!r}; fields: "
                    f"{', '.join(FIELDS)}")
            mapping[key] = column.strip()
    return mapping
