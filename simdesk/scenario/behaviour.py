"""How customers and agents really behave: the optional parts of a scenario.

Each part is off unless written: day-to-day volume uncertainty, repeat contacts
(reopens), self-service deflection, a satisfaction proxy, shrinkage (absence, time off
the queue), breaks, agents' speed and concurrency, and helpers who join the queue when
the backlog grows. What each models and where its numbers come from: ``docs/behaviour.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, NonNegativeInt, PositiveInt, model_validator

from simdesk.scenario.base import SpecModel
from simdesk.scenario.distributions import Distribution
from simdesk.scenario.roles import FollowUp
from simdesk.scenario.types import (
    Duration,
    Growth,
    Percent,
    PositiveDuration,
    PositiveRatio,
    Ratio,
    ShiftText,
)

_CLOCK = re.compile(r"^\s*([0-9]{1,2}):([0-5][0-9])\s*$")
_DAY = re.compile(r"^\s*day\s+([0-9]+)\s*$", re.I)


def _clock_time(value: object) -> str:
    if isinstance(value, str):
        match = _CLOCK.match(value)
        if match and int(match.group(1)) < 24:
            return f"{int(match.group(1)):02d}:{match.group(2)}"
    raise ValueError(f"{value!r} is not a time of day such as '12:30'")


ClockTime = Annotated[str, BeforeValidator(_clock_time)]
"""A time of day, ``HH:MM``."""


def _day(value: object) -> str:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, str):
        match = _DAY.match(value)
        if match and int(match.group(1)) >= 1:
            return f"day {int(match.group(1))}"
        try:
            return f"{dt.date.fromisoformat(value.strip()):%Y-%m-%d}"
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a day; write 'day N' (day 1 is the start date) "
                     f"or a date YYYY-MM-DD")


Day = Annotated[str, BeforeValidator(_day)]
"""A calendar day: ``day 3`` or ``2026-01-07``."""


def day_number(day: str, start: dt.date) -> int:
    """Days since the start date (0 for the start date itself)."""
    match = _DAY.match(day)
    if match:
        return int(match.group(1)) - 1
    return (dt.date.fromisoformat(day) - start).days


# -- arrivals ---------------------------------------------------------------------------


class DayFactor(SpecModel):
    """Each day's volume is the profile's times a random factor with mean 1."""

    dist: Literal["gamma", "lognormal"] = "gamma"
    cv: Ratio


class Volume(SpecModel):
    """Day-to-day uncertainty of the arrival volume, and its trend.

    With ``day_factor`` every calendar day gets a random factor (mean 1): one for all
    channels (``shared``, a bad day is bad everywhere) or one per channel. ``trend``
    compounds from the start: ``2%/w`` is ×1.02 after a week.
    """

    day_factor: DayFactor | None = None
    shared: bool = True
    trend: Growth = 0.0


def share_only(value: Any) -> Any:
    return {"share": value} if isinstance(value, str | int | float) else value


class Deflection(SpecModel):
    """A share of a topic's tickets answered by self-service: they never reach an agent.

    ``picks: random`` deflects tickets at random; ``picks: easiest`` the ones that would
    have taken least effort at their first tier (the simple questions a knowledge-base
    article answers), which leaves the harder ones for people.
    """

    share: Percent
    picks: Literal["random", "easiest"] = "random"


class Reopen(SpecModel):
    """A non-final fix: the customer comes back ``after`` a delay with ``share`` chance.

    The repeat contact goes back to the tier that resolved the ticket and takes
    ``handle`` there (default: that tier's handle time). Each resolution may reopen
    again, at most ``max`` times.
    """

    share: Percent
    after: Distribution
    handle: Distribution | None = None
    max: PositiveInt = 3
    followup: FollowUp | None = None
    """A check-back after each resolution that lowers the share (:mod:`~simdesk.scenario.roles`)."""


# -- agents -------------------------------------------------------------------------------


class Break(SpecModel):
    """A break of ``for`` at a time of day (``at``) or ``after`` the shift starts.

    An agent in the middle of a ticket finishes it first and then takes the whole
    break. ``stagger`` spreads a group: its k-th agent (from 0) goes k × stagger later.
    """

    at: ClockTime | None = None
    after: Duration | None = None
    for_: PositiveDuration = Field(alias="for")
    stagger: Duration = 0.0

    @model_validator(mode="after")
    def _when(self) -> Break:
        if (self.at is None) == (self.after is None):
            raise ValueError("give either at (a time of day, e.g. '12:00') or after (time "
                             "since the shift starts, e.g. 4h), not both or neither")
        return self


class Concurrency(SpecModel):
    """An agent handling up to ``max`` tickets at once (chat), each one slower.

    A ticket started while the agent already has k others in hand takes
    ``1 + slowdown × k`` times its handle time.
    """

    max: PositiveInt
    slowdown: Ratio = 0.0


class Ramp(SpecModel):
    """New hires: speed grows linearly from ``start`` × speed to the full speed ``over``
    the given time from the scenario start."""

    start: PositiveRatio
    over: PositiveDuration


class Shrinkage(SpecModel):
    """Time agents are paid for but not on the queue.

    ``absence``: the chance an agent misses a whole shift (sickness, leave), drawn per
    agent and shift. ``off_queue``: the share of on-duty time spent in meetings or
    training, taken as random blocks of ``block``.
    """

    absence: Percent = 0.0
    off_queue: Percent = 0.0
    block: PositiveDuration = 30.0


class Helper(SpecModel):
    """Someone who joins a tier's queue only when it is long: a manager, say.

    During their ``shift`` they join when ``joins_at`` or more tickets wait, leave (after
    the ticket in hand) when no more than ``leaves_at`` wait, and spend at most ``cap``
    of each shift in the queue, whenever it is needed (the articles warn at 20 %); the
    cap is checked between tickets.
    """

    name: Annotated[str, Field(min_length=1)] = "manager"
    count: PositiveInt = 1
    shift: ShiftText = "Mon-Fri 09:00-17:00"
    joins_at: PositiveInt
    leaves_at: NonNegativeInt = 0
    cap: Percent = 0.2
    speed: PositiveRatio = 1.0

    @model_validator(mode="after")
    def _thresholds(self) -> Helper:
        if self.leaves_at >= self.joins_at:
            raise ValueError(f"leaves_at ({self.leaves_at}) must be below joins_at "
                             f"({self.joins_at})")
        if self.cap <= 0:
            raise ValueError("cap must be above 0%")
        return self


# -- satisfaction -------------------------------------------------------------------------


class Satisfaction(SpecModel):
    """A customer satisfaction proxy: each resolved ticket is rated good, okay or bad.

    An ordered logit model: the score ``z = base − wait × log2(1 + first-response wait /
    the channel's SLA time) − touch × (agent replies − 1) − reopen × reopens −
    escalation × escalations − resolution × log2(1 + resolution time / 1 h)``, the wait
    on the SLA's clock (business hours if it has them), escalations counting the tiers
    entered after the first tier that works tickets (a dispatcher's hand-over is none);
    the rating is bad when ``z + ε < okay``, good when ``z + ε >= good``, okay between,
    with ``ε`` a standard logistic draw per ticket (:mod:`simdesk.metrics.ratings`).
    Defaults and where they come from in ``docs/behaviour.md``.
    """

    base: float = 3.0
    wait: float = 1.0
    touch: float = 0.5
    reopen: float = 1.5
    escalation: float = 0.5
    resolution: float = 0.3
    okay: float = 0.0
    good: float = 1.5
    no_sla_wait: PositiveDuration = 60.0
    """The wait unit for channels without an SLA."""

    @model_validator(mode="after")
    def _cuts(self) -> Satisfaction:
        if self.good <= self.okay:
            raise ValueError(f"good ({self.good}) must be above okay ({self.okay})")
        return self


__all__ = [
    "Break",
    "Concurrency",
    "DayFactor",
    "Deflection",
    "Helper",
    "Ramp",
    "Reopen",
    "Satisfaction",
    "Shrinkage",
    "Volume",
    "share_only",
]
