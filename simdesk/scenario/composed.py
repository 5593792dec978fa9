"""The ``composed`` routing policy as written: an ordered list of keys and some filters.

``by`` lists the keys a waiting ticket is ranked on, the first deciding and each next
one breaking the ties of those before (and, last, the order tickets entered the queue):
``segment``, ``topic``, ``channel`` (each in the order the policy lists them), ``deadline``
(earliest SLA deadline first), ``oldest``, ``newest`` and ``effort`` (the agents'
estimate, lightest first). ``filters`` say which agents may take which tickets:
``skills`` (an agent with a ``skills`` list takes only those topics), ``team`` (agents
of a team, in some hours, take only some tickets, in an order of their own) and
``effort`` (in some hours nobody takes a ticket estimated heavier than a cap).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, PositiveFloat, field_validator, model_validator

from simdesk.scenario.base import SpecModel
from simdesk.scenario.types import Percent, PositiveDuration, ShiftText

KEYS = ("segment", "topic", "channel", "deadline", "oldest", "newest", "effort")
Key = Literal["segment", "topic", "channel", "deadline", "oldest", "newest", "effort"]


def _keys(value: list[str]) -> list[str]:
    seen: set[str] = set()
    for key in value:
        if key in seen:
            raise ValueError(f"key {key!r} is listed twice; each key ranks once")
        seen.add(key)
    if "oldest" in seen and "newest" in seen:
        raise ValueError("'oldest' and 'newest' contradict each other; keep one")
    return value


class SkillsFilter(SpecModel):
    """Agents with a ``skills`` list take only tickets of those topics (others take
    everything); the ticket waiting longest is anyone's once it waited ``fallback_after``."""

    filter: Literal["skills"]
    fallback_after: PositiveDuration | None = None


class TeamFilter(SpecModel):
    """Agents of ``team`` (during ``windows``) take only the tickets that match, in the
    order ``by`` (default: the policy's)."""

    filter: Literal["team"]
    team: Annotated[str, Field(min_length=1)]
    windows: ShiftText = "24x7"
    segments: list[str] | None = None
    topics: list[str] | None = None
    channels: list[str] | None = None
    max_effort: PositiveFloat | None = None
    """Tickets whose estimated effort is above this are passed over."""
    by: list[Key] | None = None

    @field_validator("by")
    @classmethod
    def _unique(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _keys(value)


class EffortFilter(SpecModel):
    """During ``windows`` nobody takes a ticket whose estimated effort is above
    ``max_effort``."""

    filter: Literal["effort"]
    max_effort: PositiveFloat
    windows: ShiftText = "24x7"


def _by_age() -> list[Key]:
    return ["oldest"]


def _filter(value: Any) -> Any:
    return {"filter": value} if isinstance(value, str) else value


Filter = Annotated[SkillsFilter | TeamFilter | EffortFilter, Field(discriminator="filter")]


class Composed(SpecModel):
    """Routing composed from keys and filters (see the module docstring)."""

    policy: Literal["composed"]
    ownership: Literal["shared", "owner"] = "shared"
    owner_fallback: PositiveDuration | None = None
    by: Annotated[list[Key], Field(min_length=1)] = Field(default_factory=_by_age)
    segments: list[str] | None = None
    """Segments in priority order for the ``segment`` key (default: as declared);
    unlisted ones come after, equal."""
    topics: list[str] | None = None
    """Topics in priority order for the ``topic`` key (default: as declared)."""
    channels: list[str] | None = None
    """Channels in priority order for the ``channel`` key (default: as declared)."""
    noise: Percent = 0.0
    """Error of the agents' effort estimate (coefficient of variation, lognormal)."""
    filters: list[Filter] = Field(default_factory=list)

    @field_validator("by")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return _keys(value)

    @field_validator("filters", mode="before")
    @classmethod
    def _named(cls, value: Any) -> Any:
        return [_filter(item) for item in value] if isinstance(value, list) else value

    @model_validator(mode="after")
    def _one_skills(self) -> Composed:
        if sum(isinstance(f, SkillsFilter) for f in self.filters) > 1:
            raise ValueError("at most one skills filter")
        return self
