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
    "tags": "the ticket's tags (separated by spaces or commas); one of the preset's "
            "abandoned tags means the customer gave up",
    "closed_at": "when the ticket was closed; only read as the moment a customer gave up "
                 "when the status or a tag says so and there is no abandoned_at",
}
"""Every field the fit reads, with what it means."""

TIME_FIELDS = ("created_at", "assigned_at", "first_response_at", "abandoned_at", "solved_at",
               "closed_at")
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
    alternatives: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """field → other column names that hold it, tried in order when ``columns``' is not
    in the file (the tool's standard columns besides the custom ones simdesk writes)."""
    abandoned_tags: tuple[str, ...] = ()
    """Tags (lower case) that mean the customer gave up."""
    default_channel: str | None = None
    """The channel of every ticket when the export has no channel column (a tool whose
    default export names none)."""
    units: Mapping[str, str] = field(default_factory=dict)
    """column → the unit its work times are documented in (``seconds``, ``minutes``,
    ``hours``); other columns' units are told from their name and values."""

    def candidates(self, key: str) -> tuple[str, ...]:
        """The columns that may hold ``key``, in order of preference."""
        first = (self.columns[key],) if key in self.columns else ()
        return first + tuple(c for c in self.alternatives.get(key, ()) if c not in first)

    def find(self, key: str, present: Iterable[str]) -> str | None:
        """The column of ``key`` among ``present`` (``None`` if none is there)."""
        have = set(present)
        return next((c for c in self.candidates(key) if c in have), None)

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


_ABANDONED_TAGS = ("abandoned", "abandoned_call", "missed_call", "missed_chat",
                   "chat_missed", "gave_up")
"""Tags read as "the customer gave up" in every preset (none of the tools has a status
for it; such tickets usually end closed like a solved one)."""

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
        alternatives={"groups": ("Group",), "assignees": ("Assignee",),
                      "work_minutes": ("Total time spent (sec)",), "tags": ("Tags",)},
        abandoned_tags=_ABANDONED_TAGS,
        units={"Total time spent (sec)": "seconds"},
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
        alternatives={"groups": ("Group",), "assignees": ("Agent",),
                      "work_minutes": ("Time tracked",), "tags": ("Tags",)},
        abandoned_tags=_ABANDONED_TAGS,
    ),
}
"""The built-in presets that ``simdesk export`` also writes, by name."""

STANDARD_ONLY: dict[str, Preset] = {
    "jira": Preset(
        "jira",
        "Jira Service Management's issue export (Export > CSV; times in the user's time "
        "zone, no offset, e.g. 02/Mar/26 4:11 AM); it names no channel unless a Request "
        "channel field is exported",
        {"id": "Issue key", "created_at": "Created",
         "channel": "Custom field (Request channel)",
         "topic": "Custom field (Request Type)", "status": "Status", "solved_at": "Resolved",
         "work_minutes": "Time Spent", "assignees": "Assignee"},
        alternatives={"channel": ("Request channel", "Custom field (Channel)"),
                      "topic": ("Request Type", "Custom field (Request type)", "Issue Type"),
                      "groups": ("Custom field (Team)", "Team"),
                      "segment": ("Custom field (Organizations)", "Organizations"),
                      "tags": ("Labels",), "work_minutes": ("Σ Time Spent",)},
        channel_names={"portal": "web", "email": "email", "jira": "agent", "api": "api",
                       "anonymous portal": "web", "chat": "chat", "phone": "phone",
                       "slack": "chat", "microsoft teams": "chat"},
        abandoned_statuses=("canceled", "cancelled", "withdrawn"),
        open_statuses=("open", "new", "to do", "waiting for support", "waiting for customer",
                       "in progress", "work in progress", "pending", "escalated",
                       "waiting for approval", "reopened", "under investigation"),
        naive_times=True,
        abandoned_tags=_ABANDONED_TAGS,
        default_channel="requests",
        units={"Time Spent": "seconds", "Σ Time Spent": "seconds"},
    ),
    "servicenow": Preset(
        "servicenow",
        "ServiceNow's incident list export (CSV with field names, or the column labels; "
        "times in the user's time zone, no offset)",
        {"id": "number", "created_at": "opened_at", "channel": "contact_type",
         "topic": "category", "status": "state", "solved_at": "resolved_at",
         "closed_at": "closed_at", "groups": "assignment_group",
         "assignees": "assigned_to", "work_minutes": "time_worked"},
        alternatives={"id": ("Number",), "created_at": ("Opened",),
                      "channel": ("Channel", "Contact type"), "topic": ("Category",),
                      "status": ("State", "Incident state", "incident_state"),
                      "solved_at": ("Resolved",), "closed_at": ("Closed",),
                      "groups": ("Assignment group",), "assignees": ("Assigned to",),
                      "work_minutes": ("Time worked",), "tags": ("sys_tags", "Tags")},
        channel_names={"self-service": "web", "virtual agent": "chat",
                       "virtual_agent": "chat", "e-mail": "email"},
        # the incident table's state codes too (1 New, 2 In Progress, 3 On Hold,
        # 6 Resolved, 7 Closed, 8 Canceled), for exports of values rather than labels
        abandoned_statuses=("canceled", "cancelled", "8"),
        open_statuses=("new", "in progress", "on hold", "active", "awaiting user info",
                       "awaiting caller", "awaiting problem", "awaiting vendor",
                       "awaiting change", "assigned", "work in progress", "1", "2", "3"),
        naive_times=True,
        abandoned_tags=_ABANDONED_TAGS,
    ),
}
"""Presets for exports simdesk reads but does not write."""

ALL_PRESETS: dict[str, Preset] = {**PRESETS, **STANDARD_ONLY}
"""Every preset ``simdesk fit`` reads, by name."""
"""The built-in presets, by name."""


def detect_preset(columns: Iterable[str]) -> Preset | None:
    """The preset whose ``created_at`` and ``channel`` columns are present (or that
    needs no channel column), the one matching the most fields if several are (``None``
    if none)."""
    present = set(columns)
    best: tuple[int, Preset] | None = None
    for preset in ALL_PRESETS.values():
        if preset.find("created_at", present) is None:
            continue
        if preset.find("channel", present) is None and (
                preset.default_channel is None or preset.find("id", present) is None):
            continue
        score = sum(preset.find(key, present) is not None for key in FIELDS)
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
