"""Desk rules as written: cross-tier help, pre-emption between channels, occupancy caps.

Each is off unless written. ``helps`` (on a tier): its agents take another tier's
queue when their own gives them nothing, or — with ``longer_than`` / ``older_than`` —
only in a crunch there. ``preempt`` (on a tier): a ticket of a higher channel pulls an
agent off a lower channel's ticket, which resumes, after ``restart_cost``, when the
agent is free. ``occupancy`` (on an agent group): an agent who spent more than ``cap`` of
the last ``window`` handling tickets rests until back under it (or for ``rest``).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, NonNegativeInt, model_validator

from simdesk.scenario.base import SpecModel
from simdesk.scenario.types import Duration, Percent, PositiveDuration


class Help(SpecModel):
    """This tier's agents help ``tier`` when they have nothing of their own.

    Without thresholds they help whenever idle; with ``longer_than`` (more than that many
    tickets waiting there) and/or ``older_than`` (its oldest ticket waited longer), only
    while one of them holds. ``first: true`` puts that crunch before their own queue.
    """

    tier: Annotated[str, Field(min_length=1)]
    longer_than: NonNegativeInt | None = None
    older_than: PositiveDuration | None = None
    first: bool = False

    @model_validator(mode="after")
    def _crunch(self) -> Help:
        if self.first and self.longer_than is None and self.older_than is None:
            raise ValueError("first: true needs a crunch to react to: add longer_than or "
                             "older_than")
        return self


class Preempt(SpecModel):
    """A ticket of ``channel`` interrupts an agent working one of ``interrupts``.

    The interrupted ticket resumes where it stopped when the agent is free and no ticket
    that could interrupt it waits, ``restart_cost`` longer (the time to pick it up again).
    """

    channel: Annotated[str, Field(min_length=1)]
    interrupts: Annotated[list[str], Field(min_length=1)]
    restart_cost: Duration = 0.0


class Occupancy(SpecModel):
    """An agent rests when more than ``cap`` of the last ``window`` went to handling
    tickets (checked between tickets): for ``rest``, or until back under the cap."""

    cap: Percent
    window: PositiveDuration = 60.0
    rest: PositiveDuration | None = None

    @model_validator(mode="after")
    def _cap(self) -> Occupancy:
        if not 0 < self.cap < 1:
            raise ValueError("cap must be above 0% and below 100%")
        return self
