"""What customers do when the desk is busy, and the targets they are held to: the
optional ``channels:`` keys ``redial``, ``callback``, ``overflow``, ``queue_limit`` and
``resolution``, a tier's ``queue_limit``, a segment's own ``sla`` and the ``calendar:``
section (closure dates, per-date arrival multipliers). Each is off unless written; what
each models: ``docs/behaviour.md``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, NonNegativeInt, PositiveInt, model_validator

from simdesk.scenario.base import SpecModel
from simdesk.scenario.behaviour import Day
from simdesk.scenario.distributions import Distribution
from simdesk.scenario.types import Percent, PositiveDuration, Ratio, ShiftText


class Redial(SpecModel):
    """After giving up (or a busy signal), ``share`` of customers call again ``after``
    a delay, as a new attempt with a fresh patience; each further attempt's share is the
    previous one times ``decay``; at most ``max`` repeat attempts."""

    share: Percent
    after: Distribution
    decay: Annotated[Ratio, Field(le=1)] = 1.0
    max: PositiveInt = 3
    blocked: bool = True
    """Customers turned away by a busy signal redial too (``false``: only those who
    gave up while waiting)."""


class Callback(SpecModel):
    """Virtual hold: a caller who arrives to ``queue`` or more waiting, or is still
    waiting ``after`` this long, chooses a callback with probability ``share``, keeps
    their place and never gives up; the agent's call back takes ``handle``."""

    share: Percent
    handle: Distribution
    after: PositiveDuration | None = None
    queue: NonNegativeInt | None = None

    @model_validator(mode="after")
    def _offered(self) -> Callback:
        if self.after is None and self.queue is None:
            raise ValueError("say when a callback is offered: after (a wait, e.g. 2m) "
                             "and/or queue (callers waiting at arrival, e.g. 5)")
        return self


class Overflow(SpecModel):
    """A ticket still waiting ``after`` this long, or (with ``closed``) arriving while
    nobody who takes the channel is on duty, or (with ``full``) arriving to a full queue
    (``queue_limit``), moves to channel ``to``; its SLA clock restarts there (``sla:
    restart``) or keeps running (``sla: keep``)."""

    to: str
    after: PositiveDuration | None = None
    closed: bool = False
    full: bool = False
    sla: Literal["restart", "keep"] = "restart"

    @model_validator(mode="after")
    def _when(self) -> Overflow:
        if self.after is None and not self.closed and not self.full:
            raise ValueError("say when tickets overflow: after (a wait, e.g. 10m), "
                             "closed: true (nobody on duty for the channel) and/or "
                             "full: true (the queue is at its queue_limit)")
        return self


class Resolution(SpecModel):
    """Resolution target: ``target`` of tickets resolved ``within`` this time of
    arrival (counted only in ``hours`` when given, e.g. ``Mon-Fri 09:00-17:00``)."""

    within: PositiveDuration
    target: Percent
    hours: ShiftText | None = None


class Closure(SpecModel):
    """A closed date: no ``arrivals``, no ``staff``, or ``both``."""

    date: Day
    closed: Literal["arrivals", "staff", "both"] = "both"
    name: str | None = None


class DateMultiplier(SpecModel):
    """Arrivals on ``date`` are the profile's times ``multiplier`` (every channel)."""

    date: Day
    multiplier: Ratio
    name: str | None = None


class Calendar(SpecModel):
    """Dates that differ from the weekly profiles: ``closed`` dates and per-date
    arrival ``multipliers`` (a quiet day at 30 %, a launch at 200 %)."""

    closed: list[Closure] = Field(default_factory=list)
    multipliers: list[DateMultiplier] = Field(default_factory=list)


QueueLimit = NonNegativeInt
"""The most tickets that may wait; one more gets a busy signal (is blocked)."""

SlaCounts = Literal["customers", "attempts"]
"""What the SLA counts with redials: each customer once (the wait from their first
attempt), or every attempt (a redial is a new chance to meet or miss it)."""

__all__ = ["Calendar", "Callback", "Closure", "DateMultiplier", "Overflow", "QueueLimit",
           "Redial", "Resolution", "SlaCounts"]
