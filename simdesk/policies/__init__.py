"""Routing policies: how waiting tickets meet free agents."""

from __future__ import annotations

from simdesk.errors import SimdeskError
from simdesk.policies.base import Policy, TicketQueue
from simdesk.policies.fifo import Fifo

BUILTIN_POLICIES: dict[str, type[Policy]] = {"fifo": Fifo}


def make_policy(name: str) -> Policy:
    """The built-in policy called ``name``."""
    try:
        return BUILTIN_POLICIES[name]()
    except KeyError:
        known = ", ".join(BUILTIN_POLICIES)
        raise SimdeskError(f"unknown routing policy {name!r}; known: {known}") from None


__all__ = ["BUILTIN_POLICIES", "Fifo", "Policy", "TicketQueue", "make_policy"]
