"""Your own routing policy: a class referenced from YAML as ``package.module:Class``.

Two ways to write one:

* the full protocol — a class with ``name`` and ``queue(plan, tier, agents)`` returning
  an object with ``push``, ``pop``, ``__len__`` and ``__iter__`` (see
  :mod:`simdesk.policies.base`), like the built-ins;
* the short way — subclass :class:`ChoosingPolicy` and write ``choose(waiting, agent,
  now)``: given the waiting tickets (oldest first) and a free agent, return the ticket
  it takes, or ``None``.

``options:`` in the YAML are passed to the class as keyword arguments. The module is
imported from the current directory or anywhere on ``PYTHONPATH``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simdesk.errors import SimdeskError
from simdesk.policies.base import Entries

if TYPE_CHECKING:
    from simdesk.engine.entities import Agent, Ticket
    from simdesk.plan import DeskPlan, TierPlan
    from simdesk.policies.base import Policy


class ChoosingQueue:
    """Waiting tickets in arrival order; the policy's ``choose`` picks one.

    Tickets are kept as :class:`~simdesk.policies.base.Entries` of the tier: a ticket
    taken from here and later waiting at the next tier (or back with a follow-up) is
    not offered again through its old entry.
    """

    __slots__ = ("_choose", "_tickets")

    def __init__(self, choose: Any) -> None:
        self._tickets = Entries()
        self._choose = choose

    def push(self, ticket: Ticket, now: float) -> None:
        self._tickets.push(ticket)

    def pop(self, agent: Agent, now: float) -> Ticket | None:
        self._tickets.compact()
        waiting = [t for t in self._tickets if t.abandon_at > now]
        return self._choose(waiting, agent, now) if waiting else None

    def __len__(self) -> int:
        return len(self._tickets)

    def __iter__(self) -> Iterator[Ticket]:
        return iter(self._tickets)


class ChoosingPolicy:
    """Base class for a policy written as one ``choose`` method."""

    name = "custom"

    def choose(self, waiting: Sequence[Ticket], agent: Agent, now: float) -> Ticket | None:
        """The ticket ``agent`` takes now (one of ``waiting``, oldest first), or None."""
        raise NotImplementedError

    def queue(self, plan: DeskPlan, tier: TierPlan, agents: Sequence[Agent]) -> ChoosingQueue:
        return ChoosingQueue(self.choose)


def load_policy(reference: str, options: dict[str, Any]) -> Policy:
    """Import ``package.module:Class`` and build it with ``options``."""
    module_name, _, class_name = reference.partition(":")
    here = str(Path.cwd())
    added = here not in sys.path
    if added:
        sys.path.insert(0, here)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise SimdeskError(f"policy {reference!r}: cannot import {module_name!r}: "
                           f"{type(exc).__name__}: {exc}") from exc
    finally:
        if added:
            sys.path.remove(here)
    cls = getattr(module, class_name, None)
    if cls is None:
        raise SimdeskError(f"policy {reference!r}: module {module_name!r} has no "
                           f"{class_name!r}")
    try:
        policy = cls(**options)
    except TypeError as exc:
        raise SimdeskError(f"policy {reference!r} does not take these options: "
                           f"{exc}") from exc
    if not callable(getattr(policy, "queue", None)):
        raise SimdeskError(f"policy {reference!r} has no queue(plan, tier, agents) method; "
                           "subclass simdesk.policies.ChoosingPolicy and write "
                           "choose(waiting, agent, now)")
    if getattr(policy, "name", None) in (None, ChoosingPolicy.name):
        policy.name = reference  # results must say which policy ran
    return policy  # type: ignore[no-any-return]
