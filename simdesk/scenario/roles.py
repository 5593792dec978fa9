"""Roles and habits that change the desk's work: follow-up after a fix (``followup:`` in
``reopens:``), morale (``morale:`` on a tier) and problem management by a level-one analyst
(``problems:``). Each is off unless written. Sources: seeds/001 (the help desk's roles:
the level-one analyst "analyses the kinds of problems, classifies them and works to stop
them recurring"; following up to check the fix held), seeds/004 (stress rises when work
piles up; clearing the backlog lifts the team)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, PositiveInt, model_validator

from simdesk.scenario.base import SpecModel
from simdesk.scenario.distributions import Distribution
from simdesk.scenario.types import Duration, Percent, PositiveDuration, PositiveRatio


class FollowUp(SpecModel):
    """A proactive check-back after a resolution: ``share`` of resolutions get one,
    ``after`` later, taking ``handle`` of an agent of the resolving tier; a resolution that
    is followed up reopens with its share lowered by ``lowers`` (20 % → 20 % × (1 − 50 %)).
    """

    share: Percent
    after: Distribution
    handle: Distribution
    lowers: Percent = 0.5
    """Our assumption: checking back halves the chance the customer has to come back."""


class Morale(SpecModel):
    """Agents' speed follows the tier's queue at the moment they start a ticket: ``empty``
    with nobody waiting, ``full`` with ``full_at`` or more waiting, in a straight line
    between (handle times are divided by it; seeds/004: stress rises as work piles up)."""

    empty: PositiveRatio = 1.1
    full: PositiveRatio = 0.9
    full_at: PositiveInt = 20


class ProblemRule(SpecModel):
    """Problem management for one topic: once ``after`` tickets of it arrived within
    ``within``, the analyst spends ``work`` of their queue time on its cause; ``delay`` after
    that moment the fix lands and lowers the topic's new ``arrivals`` (or the ``reopens``
    share of its tickets) by ``lowers``."""

    topic: str
    after: PositiveInt
    within: PositiveDuration = 10080.0
    work: Duration = 240.0
    delay: Duration = 4320.0
    lowers: Percent
    target: Literal["arrivals", "reopens"] = "arrivals"


class Problems(SpecModel):
    """The level-one analyst (an agent of a tier, by name like ``L1#1``, or a tier's first
    agent) and the topics they watch."""

    analyst: str
    rules: Annotated[list[ProblemRule], Field(min_length=1)]

    @model_validator(mode="after")
    def _one_rule_per_topic(self) -> Problems:
        topics = [rule.topic for rule in self.rules]
        if len(set(topics)) != len(topics):
            raise ValueError("one rule per topic")
        return self


__all__ = ["FollowUp", "Morale", "ProblemRule", "Problems"]
