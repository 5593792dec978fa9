"""The ``routing:`` section: which policy matches waiting tickets with free agents.

Every policy shares the follow-up options (``ownership``); each has its own options.
``policy: package.module:Class`` loads your own policy with ``options`` as keyword
arguments (see :mod:`simdesk.policies.custom`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Discriminator,
    Field,
    PositiveFloat,
    PositiveInt,
    PrivateAttr,
    Tag,
    field_validator,
)

from simdesk.scenario.base import SpecModel
from simdesk.scenario.composed import Composed as Composed
from simdesk.scenario.types import Percent, PositiveDuration, ShiftText


class RoutingBase(SpecModel):
    """Options every policy has: who answers a customer's follow-up replies."""

    ownership: Literal["shared", "owner"] = "shared"
    """``shared``: anyone takes a follow-up; ``owner``: it goes back to the first responder."""
    owner_fallback: PositiveDuration | None = None
    """With ``owner``: a follow-up waiting this long for its owner goes to anyone."""


class Fifo(RoutingBase):
    """Oldest ticket first."""

    policy: Literal["fifo"] = "fifo"


class NewestFirst(RoutingBase):
    """Newest ticket first (LIFO)."""

    policy: Literal["newest-first"]


class CherryPick(RoutingBase):
    """The ticket that looks easiest first, by an estimate of its effort."""

    policy: Literal["cherry-pick"]
    noise: Percent = 0.0
    """Error of the agents' effort estimate (coefficient of variation, lognormal)."""


class SlaDeadline(RoutingBase):
    """Earliest SLA deadline first ("next breach")."""

    policy: Literal["sla-deadline"]


class PaidFirst(RoutingBase):
    """Segments in strict priority order, optionally promoting tickets that waited long."""

    policy: Literal["paid-first"]
    order: list[str] | None = None
    """Segments, highest priority first (default: as declared under ``segments:``)."""
    promote_after: PositiveDuration | None = None
    """A ticket waiting this long is served with the top segment, by age."""
    restrict: dict[str, list[str]] | None = None
    """Channel → the only segments it serves, e.g. ``{email: [paid]}``; others are refused."""


class Split(RoutingBase):
    """One team on the newest tickets, the others on the oldest."""

    policy: Literal["split"]
    newest: list[str] | None = None
    """Teams (``team:`` of agent groups) on the newest tickets (default: the first half of
    each tier's agents)."""


class RoundRobin(RoutingBase):
    """Each ticket assigned at arrival to the next agent on duty, in turn."""

    policy: Literal["round-robin"]


class Skills(RoutingBase):
    """Tickets go to agents with the topic among their ``skills``."""

    policy: Literal["skills"]
    fallback_after: PositiveDuration | None = None
    """After waiting this long a ticket goes to any agent (default: never)."""


BaseRouting = Annotated[
    Fifo | NewestFirst | CherryPick | SlaDeadline | PaidFirst,
    Field(discriminator="policy"),
]


class Ninja(RoutingBase):
    """Designated agents take the newest light tickets during busy windows."""

    policy: Literal["ninja"]
    team: str | None = None
    """Agents of this team are the ninjas (default: the first ``agents`` of the first tier
    that is not a dispatcher)."""
    agents: PositiveInt = 1
    windows: ShiftText = "24x7"
    """When the ninjas play ninja, e.g. ``Mon-Fri 09:00-12:00``; otherwise they work as
    everyone else."""
    max_effort: PositiveFloat = 1.0
    """A ticket whose estimated effort is above this is passed over."""
    noise: Percent = 0.0
    """Error of the effort estimate (coefficient of variation, lognormal)."""
    base: BaseRouting = Fifo()
    """What everyone else (and the ninjas outside the windows) does: a policy name
    (``base: fifo``) or a mapping with its options (``base: {policy: cherry-pick, ...}``)."""

    @field_validator("base", mode="before")
    @classmethod
    def _named(cls, value: Any) -> Any:
        return {"policy": value} if isinstance(value, str) else value


class Custom(RoutingBase):
    """Your own policy class, ``package.module:Class``, built with ``options``."""

    policy: str
    options: dict[str, Any] = Field(default_factory=dict)
    _folder: Path | None = PrivateAttr(default=None)
    """Where the scenario file lies: the module is also looked up there."""

    def beside(self, folder: Path) -> Custom:
        """This policy, looked up beside a scenario file in ``folder`` too."""
        found = self.model_copy()
        found._folder = folder
        return found

    @field_validator("policy")
    @classmethod
    def _dotted(cls, value: str) -> str:
        module, _, name = value.partition(":")
        if not module or not name:
            raise ValueError(f"{value!r}: write your own policy as 'package.module:Class'")
        return value


BUILTIN_POLICIES = ("fifo", "newest-first", "cherry-pick", "sla-deadline", "paid-first",
                    "split", "round-robin", "skills", "ninja", "composed")


def _tag(value: Any) -> str:
    policy = value.get("policy", "fifo") if isinstance(value, dict) else getattr(
        value, "policy", "fifo")
    return "custom" if isinstance(policy, str) and ":" in policy else str(policy)


Routing = Annotated[
    Annotated[Fifo, Tag("fifo")]
    | Annotated[NewestFirst, Tag("newest-first")]
    | Annotated[CherryPick, Tag("cherry-pick")]
    | Annotated[SlaDeadline, Tag("sla-deadline")]
    | Annotated[PaidFirst, Tag("paid-first")]
    | Annotated[Split, Tag("split")]
    | Annotated[RoundRobin, Tag("round-robin")]
    | Annotated[Skills, Tag("skills")]
    | Annotated[Ninja, Tag("ninja")]
    | Annotated[Composed, Tag("composed")]
    | Annotated[Custom, Tag("custom")],
    Discriminator(_tag, custom_error_type="unknown_policy",
                  custom_error_message="unknown routing policy",
                  custom_error_context={"discriminator": "policy"}),
]
"""Any routing policy, chosen by its ``policy`` key."""
