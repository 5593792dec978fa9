"""One replication: the plain desk where its fast paths apply, else the general one."""

from __future__ import annotations

from collections.abc import Sequence

from simdesk.engine.desk import Desk
from simdesk.engine.plain import PlainDesk
from simdesk.engine.records import RunRecord
from simdesk.engine.rules import RulesDesk
from simdesk.engine.state import is_plain
from simdesk.fates.tickets import TicketBatch
from simdesk.plan.model import DeskPlan
from simdesk.plan.rules import desk_rules
from simdesk.policies.base import Policy
from simdesk.scenario.calendar import Interval


def run_desk(plan: DeskPlan, batch: TicketBatch, policy: Policy, *, trace: bool = False,
             fast: bool = True, duty: Sequence[Sequence[Interval]] | None = None
             ) -> RunRecord:
    """Simulate one replication of ``plan`` on the tickets of ``batch``.

    ``duty`` replaces the planned on-queue intervals of every agent (by index) — the
    replication's draw of absences and meetings. ``fast=False`` keeps the general code
    paths (:class:`Desk`) even where the plain ones (:class:`PlainDesk`) apply; both give
    the same records. A plan with desk rules (help, pre-emption, occupancy caps) runs
    on :class:`RulesDesk`.
    """
    kind: type[Desk] = (RulesDesk if desk_rules(plan).used
                        else PlainDesk if fast and is_plain(plan, batch, trace) else Desk)
    return kind(plan, batch, policy, trace=trace, duty=duty).run()
