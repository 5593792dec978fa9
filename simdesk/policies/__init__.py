"""Routing policies: how waiting tickets meet free agents (see ``docs/policies.md``)."""

from __future__ import annotations

from simdesk.policies.base import Policy, TicketQueue, estimate
from simdesk.policies.composed import ComposedPolicy
from simdesk.policies.custom import ChoosingPolicy, load_policy
from simdesk.policies.fifo import Fifo, NewestFirst
from simdesk.policies.ninja import Ninja
from simdesk.policies.paid_first import PaidFirst
from simdesk.policies.priority import CherryPick, SlaDeadline
from simdesk.policies.round_robin import RoundRobin
from simdesk.policies.skills import Skills
from simdesk.policies.split import Split
from simdesk.scenario import routing as spec


def make_policy(routing: spec.Fifo | spec.NewestFirst | spec.CherryPick | spec.SlaDeadline
                | spec.PaidFirst | spec.Split | spec.RoundRobin | spec.Skills | spec.Ninja
                | spec.Custom | spec.Composed) -> Policy:
    """The policy a ``routing:`` section describes."""
    match routing:
        case spec.Fifo():
            return Fifo()
        case spec.NewestFirst():
            return NewestFirst()
        case spec.CherryPick():
            return CherryPick(routing.noise)
        case spec.SlaDeadline():
            return SlaDeadline()
        case spec.PaidFirst():
            return PaidFirst(routing.order, routing.promote_after, routing.restrict)
        case spec.Split():
            return Split(routing.newest)
        case spec.RoundRobin():
            return RoundRobin()
        case spec.Skills():
            return Skills(routing.fallback_after)
        case spec.Ninja():
            return Ninja(make_policy(routing.base), team=routing.team, agents=routing.agents,
                         windows=routing.windows, max_effort=routing.max_effort,
                         noise=routing.noise)
        case spec.Custom():
            return load_policy(routing.policy, routing.options, routing._folder)
        case spec.Composed():
            return ComposedPolicy(routing)
    raise AssertionError(f"no policy for {routing!r}")


__all__ = [
    "CherryPick",
    "ChoosingPolicy",
    "ComposedPolicy",
    "Fifo",
    "NewestFirst",
    "Ninja",
    "PaidFirst",
    "Policy",
    "RoundRobin",
    "Skills",
    "SlaDeadline",
    "Split",
    "TicketQueue",
    "estimate",
    "load_policy",
    "make_policy",
]
