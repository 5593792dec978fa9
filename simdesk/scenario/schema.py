"""The scenario schema: what a YAML scenario may say, with units and defaults.

Checks that need one field only live here (shares summing to 100 %, a shift's syntax);
checks across sections (``escalate_to`` names, channels used by arrivals) live in
:mod:`simdesk.scenario.checks`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    NonNegativeInt,
    PlainSerializer,
    PositiveFloat,
    PositiveInt,
    field_validator,
    model_validator,
)

from simdesk.scenario.base import SpecModel
from simdesk.scenario.behaviour import (
    Break,
    Concurrency,
    Day,
    Deflection,
    Helper,
    Ramp,
    Reopen,
    Satisfaction,
    Shrinkage,
    Volume,
    share_only,
)
from simdesk.scenario.calendar import SHIFT_HINT
from simdesk.scenario.customers import (
    Calendar,
    Callback,
    Overflow,
    QueueLimit,
    Redial,
    Resolution,
)
from simdesk.scenario.desk_rules import Help, Occupancy, Preempt
from simdesk.scenario.distributions import Distribution
from simdesk.scenario.outcomes import MoneySpec, Outcomes
from simdesk.scenario.profiles import Profile
from simdesk.scenario.roles import Morale, Problems
from simdesk.scenario.routing import Fifo, Routing
from simdesk.scenario.supervisor import Supervisor
from simdesk.scenario.targets import Segment, Sla
from simdesk.scenario.types import (
    Duration,
    Percent,
    PositiveDuration,
    PositiveRatio,
    Rate,
    ShiftText,
)

SHARE_TOLERANCE = 1e-6
DEFAULT_START = dt.datetime(2024, 1, 1)  # a Monday


_MOMENT_DAY = re.compile(r"^\s*day\s+([0-9]+)(?:\s+([0-9]{1,2}):([0-5][0-9]))?\s*$", re.I)
MOMENT_HINT = "'day N HH:MM' (day 1 is the start date) or a date and time 'YYYY-MM-DD HH:MM'"


def _moment(value: object) -> str:
    if isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d} 00:00"
    if isinstance(value, str):
        match = _MOMENT_DAY.match(value)
        if match:
            day, hour, minute = int(match.group(1)), int(match.group(2) or 0), match.group(3)
            if day < 1 or hour > 24:
                raise ValueError(f"{value!r}: days count from 1, hours from 00 to 24")
            return f"day {day} {hour:02d}:{minute or '00'}"
        try:
            return f"{dt.datetime.fromisoformat(value.strip()):%Y-%m-%d %H:%M}"
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a moment; write {MOMENT_HINT}")


Moment = Annotated[str, BeforeValidator(_moment)]
"""A point in the scenario's calendar, kept as canonical text."""


def moment_minutes(moment: str, start: dt.datetime) -> float:
    """Scenario minutes at a canonical moment (``day 3 09:00`` or ``2026-01-07 09:00``)."""
    match = _MOMENT_DAY.match(moment)
    if match:
        midnight = dt.datetime.combine(start.date(), dt.time())
        when = midnight + dt.timedelta(
            days=int(match.group(1)) - 1,
            hours=int(match.group(2) or 0),
            minutes=int(match.group(3) or 0),
        )
    else:
        when = dt.datetime.fromisoformat(moment)
    return (when - start).total_seconds() / 60


def _start(value: object) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a date; write YYYY-MM-DD or 'YYYY-MM-DD HH:MM'")


def _start_text(value: dt.datetime) -> str:
    return f"{value:%Y-%m-%d}" if value.time() == dt.time() else f"{value:%Y-%m-%d %H:%M}"


StartMoment = Annotated[
    dt.datetime, BeforeValidator(_start), PlainSerializer(_start_text, return_type=str)
]


def check_shares(shares: dict[str, float], what: str) -> dict[str, float]:
    """Shares must add up to 100 %."""
    total = sum(shares.values())
    if shares and abs(total - 1) > SHARE_TOLERANCE:
        listed = ", ".join(f"{k} {v * 100:g}%" for k, v in shares.items())
        raise ValueError(f"{what} shares add up to {total * 100:g}%, not 100% ({listed})")
    return shares


def _touch_shares(value: dict[int, float] | None) -> dict[int, float] | None:
    if value is not None:
        check_shares({str(k): v for k, v in value.items()}, "touches")
    return value


Touches = Annotated[dict[PositiveInt, Percent], AfterValidator(_touch_shares)]
"""How many agent replies a ticket needs → share of tickets, e.g. ``{1: 60%, 2: 40%}``."""


class Channel(SpecModel):
    """A contact channel with its service target and customers' patience.

    ``touches`` and ``reply_after`` describe conversations: a ticket needing several
    agent replies comes back each time the customer answers, ``reply_after`` later.
    """

    sla: Sla | None = None
    patience: Distribution | None = None
    response: Literal["pickup", "reply"] = "pickup"
    touches: Touches | None = None
    reply_after: Distribution | None = None
    queue_limit: QueueLimit | None = None
    redial: Redial | None = None
    callback: Callback | None = None
    overflow: Overflow | None = None
    resolution: Resolution | None = None
    """Customers when busy and resolution targets: :mod:`simdesk.scenario.customers`."""


class Topic(SpecModel):
    """A kind of problem: its share of tickets, its effort multiplier on handle times and,
    optionally, its own number of ``touches`` (instead of the channel's), the share
    self-service ``deflection`` absorbs, and its own ``reopens`` (instead of the tier's)."""

    share: Percent
    effort: PositiveFloat = 1.0
    touches: Touches | None = None
    deflection: Annotated[Deflection, BeforeValidator(share_only)] | None = None
    reopens: Reopen | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_share(cls, value: Any) -> Any:
        return {"share": value} if isinstance(value, str | int | float) else value


class Arrival(SpecModel):
    """A Poisson stream of tickets on one channel, shaped by a weekday × hour profile."""

    channel: str
    rate: Rate | None = None
    volume: Rate | None = None
    profile: Profile = Profile(name="24x7")
    segments: dict[str, Percent] | None = None
    topics: dict[str, Percent] | None = None

    @model_validator(mode="after")
    def _rate_or_volume(self) -> Arrival:
        if (self.rate is None) == (self.volume is None):
            raise ValueError(
                "give either rate (the rate where the profile is 1, e.g. 12/h) or volume "
                "(the mean over the week, e.g. 300/d), not both or neither"
            )
        return self

    @field_validator("segments")
    @classmethod
    def _segment_shares(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        return None if value is None else check_shares(value, "segment")

    @field_validator("topics")
    @classmethod
    def _topic_shares(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        return None if value is None else check_shares(value, "topic")


class Surge(SpecModel):
    """A temporary multiplier on arrivals, such as an outage."""

    at: Moment
    for_: PositiveDuration = Field(alias="for")
    multiplier: Annotated[float, Field(ge=0)]
    channels: list[str] | None = None
    name: str | None = None


class ShiftGroup(SpecModel):
    """``count`` agents working the weekly ``shift``; a ``team`` name and ``skills``
    (topics) for the routing policies that use them.

    Optional behaviour: ``dates`` limits the shift to those days (all-hands days);
    ``speed`` (120 % for a senior, 70 % for a new hire; handle times are divided by it)
    and its ``ramp``; ``channels`` the group takes, highest priority first (blending:
    phone before email, between tickets); ``concurrency`` (chat); scheduled ``breaks``;
    an ``occupancy`` cap (:mod:`simdesk.scenario.desk_rules`).
    """

    shift: ShiftText
    count: NonNegativeInt = 1
    team: str | None = None
    skills: list[str] | None = None
    dates: list[Day] | None = None
    speed: PositiveRatio = 1.0
    ramp: Ramp | None = None
    channels: list[str] | None = None
    concurrency: Concurrency | None = None
    breaks: list[Break] = Field(default_factory=list)
    occupancy: Occupancy | None = None


def _agents(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"{value} agents: the count cannot be negative")
        return [{"shift": "24x7", "count": value}]
    if not isinstance(value, list):
        raise ValueError(
            f"expected a number of agents (e.g. 3) or a list of shifts such as "
            f"[{{shift: 'Mon-Fri 08:00-16:00', count: 2}}], got {value!r}"
        )
    return value


def _agents_out(groups: list[ShiftGroup]) -> Any:
    if len(groups) == 1 and groups[0].shift == "24x7":
        return groups[0].count
    return [group.model_dump(mode="json") for group in groups]


Agents = Annotated[
    list[ShiftGroup], BeforeValidator(_agents), PlainSerializer(_agents_out, return_type=Any)
]


class Rotation(SpecModel):
    """A weekly rota: ``on_duty`` of ``pool`` people take turns every ``every``.

    With ``availability`` below 100 % the person on duty is on the queue for that share
    of each ``cycle`` (first part of the cycle), working elsewhere for the rest.
    """

    pool: PositiveInt
    on_duty: PositiveInt = 1
    every: PositiveDuration = 10080.0
    availability: Percent = 1.0
    cycle: PositiveDuration = 120.0
    shift: ShiftText = "Mon-Fri 09:00-17:00"
    team: str | None = None
    skills: list[str] | None = None
    speed: PositiveRatio = 1.0

    @model_validator(mode="after")
    def _fits(self) -> Rotation:
        if self.on_duty > self.pool:
            raise ValueError(f"on_duty ({self.on_duty}) is more than the pool ({self.pool})")
        if self.availability <= 0:
            raise ValueError("availability must be above 0%")
        return self


class Tier(SpecModel):
    """A level of support: who works it, how long tickets take, where the rest go."""

    role: Literal["agents", "dispatcher"] = "agents"
    agents: Agents = Field(default_factory=list)
    rotation: Rotation | None = None
    handle: Distribution
    handle_by: dict[str, Distribution] = Field(default_factory=dict)
    """Handle times that differ from ``handle`` for a channel (``phone``), a topic
    (``bug``) or both (``phone/bug``); a topic's own distribution is used as written
    (no effort multiplier)."""
    topic_effort: bool = True
    resolves: Percent | None = None
    escalate_to: str | None = None
    channels: list[str] | None = None
    reopens: Reopen | None = None
    """Repeat contacts after this tier resolves a ticket (a topic's own take precedence)."""
    shrinkage: Shrinkage | None = None
    """This tier's absence and time off the queue (instead of the desk's)."""
    helpers: list[Helper] = Field(default_factory=list)
    queue_limit: QueueLimit | None = None
    morale: Morale | None = None
    """Speed that follows the tier's queue (:mod:`simdesk.scenario.roles`)."""
    helps: list[Help] | None = None
    """Other tiers this one's agents help (:mod:`simdesk.scenario.desk_rules`)."""
    preempt: list[Preempt] | None = None


def tier_defaults(value: Any) -> Any:
    """Fill the defaults that depend on other tiers.

    A tier called ``dispatcher`` has the dispatcher role unless it says otherwise. A
    dispatcher resolves nothing, hands every ticket to the first other tier, and takes
    as long for every topic (answering and routing does not depend on the problem). Any
    other tier without ``escalate_to`` resolves everything it gets.
    """
    if not isinstance(value, dict) or not all(isinstance(t, dict) for t in value.values()):
        return value
    tiers = {name: dict(tier) for name, tier in value.items()}
    if "dispatcher" in tiers:
        tiers["dispatcher"].setdefault("role", "dispatcher")
    workers = [name for name, tier in tiers.items() if tier.get("role") != "dispatcher"]
    for tier in tiers.values():
        if tier.get("role") == "dispatcher":
            tier.setdefault("resolves", "0%")
            tier.setdefault("topic_effort", False)
            if workers:
                tier.setdefault("escalate_to", workers[0])
        elif tier.get("escalate_to") is None:
            tier.setdefault("resolves", "100%")
    return tiers


class Scenario(SpecModel):
    """A whole help desk scenario as written in YAML."""

    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    start: StartMoment = DEFAULT_START
    horizon: PositiveDuration
    warmup: Duration = 0.0
    seed: Annotated[int, Field(ge=0, lt=2**63)] | None = None
    replications: PositiveInt = 10
    channels: Annotated[dict[str, Channel], Field(min_length=1)]
    segments: dict[str, Segment] = Field(default_factory=dict)
    topics: dict[str, Topic] = Field(default_factory=dict)
    arrivals: Annotated[list[Arrival], Field(min_length=1)]
    surges: list[Surge] = Field(default_factory=list)
    tiers: Annotated[dict[str, Tier], Field(min_length=1), BeforeValidator(tier_defaults)]
    routing: Routing = Fifo()
    policies: dict[str, Routing] = Field(default_factory=dict)
    """Named routing alternatives for ``simdesk compare``."""
    volume: Volume | None = None
    """Day-to-day uncertainty and trend of the arrival volume."""
    shrinkage: Shrinkage | None = None
    """Absence and time off the queue for every tier (a tier's own takes precedence)."""
    calendar: Calendar | None = None
    """Closure dates and per-date arrival multipliers."""
    satisfaction: Satisfaction | None = None
    """Rate each resolved ticket good, okay or bad (a documented proxy model)."""
    outcomes: Outcomes | None = None
    """Complaints, churn and conversions drawn from each ticket's experience."""
    money: MoneySpec | None = None
    """Costs of agent-hours and values of customers: a run's cost in money."""
    supervisor: Supervisor | None = None
    """Intraday rules that call in reserve agents past a threshold."""
    problems: Problems | None = None
    """A level-one analyst whose fixes lower recurring topics."""
    expect: list[str] = Field(default_factory=list)
    """Assertions for ``simdesk check``, e.g. ``chat.sla >= 80%``; the grammar is in
    :mod:`simdesk.scenario.expect`, the names are checked in :mod:`simdesk.scenario.checks`."""

    @field_validator("segments")
    @classmethod
    def _segment_shares(cls, value: dict[str, float]) -> dict[str, float]:
        return check_shares(value, "segment")

    @field_validator("topics")
    @classmethod
    def _topic_shares(cls, value: dict[str, Topic]) -> dict[str, Topic]:
        check_shares({name: topic.share for name, topic in value.items()}, "topic")
        return value


__all__ = ["SHIFT_HINT", "Scenario"]
