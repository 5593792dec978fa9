"""One replication: the compiled loop or the plain desk where their fast paths apply,
else the general one."""

from __future__ import annotations

from collections.abc import Sequence

from simdesk.engine.compiled import MIN_TICKETS, covers, in_search, run_compiled
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
             fast: bool = True, duty: Sequence[Sequence[Interval]] | None = None,
             compiled: bool | None = None) -> RunRecord:
    """Simulate one replication of ``plan`` on the tickets of ``batch``.

    ``duty`` replaces the planned on-queue intervals of every agent (by index) — the
    replication's draw of absences and meetings. ``fast=False`` keeps the general code
    paths (:class:`Desk`) even where the plain ones (:class:`PlainDesk`) apply; both give
    the same records. Where they apply, the compiled loop
    (:mod:`~simdesk.engine.compiled`, with numba installed) runs instead, for
    ``compiled=None`` from :data:`~simdesk.engine.compiled.MIN_TICKETS` tickets on (or
    always within :func:`~simdesk.engine.compiled.searching`), for ``compiled=True``
    always; again, the same records. A plan with desk rules (help,
    pre-emption, occupancy caps) runs on :class:`RulesDesk`, one with customer rules
    (busy signal, redial, callbacks, overflow) on
    :class:`~simdesk.engine.customers.CustomerDesk`, one with both on their union.
    """
    rules = desk_rules(plan).used
    if batch.customers is not None:
        from simdesk.engine.customers import CustomerDesk, CustomerRulesDesk

        kind: type[Desk] = CustomerRulesDesk if rules else CustomerDesk
        return kind(plan, batch, policy, trace=trace, duty=duty).run()
    if rules:
        return RulesDesk(plan, batch, policy, trace=trace, duty=duty).run()
    plain = fast and is_plain(plan, batch, trace)
    if (plain and compiled is not False and (compiled or len(batch) >= MIN_TICKETS
                                                 or in_search())
            and covers(plan, batch, policy, duty)):
        record = run_compiled(plan, batch, duty)
        if record is not None:
            return record
    kind = PlainDesk if plain else Desk
    return kind(plan, batch, policy, trace=trace, duty=duty).run()
