"""The desk with its optional rules: pre-emption (:mod:`~simdesk.engine.preemption`),
cross-tier help (:mod:`~simdesk.engine.helping`) and occupancy caps
(:mod:`~simdesk.engine.occupancy`), each a section over the core loop of
:class:`~simdesk.engine.desk.Desk`. :func:`~simdesk.engine.run.run_desk` uses it only
for a plan that writes one of these rules, so every other desk runs as before."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simdesk.engine.helping import Helping
from simdesk.engine.occupancy import Occupancy
from simdesk.engine.preemption import Preemption
from simdesk.engine.records import RULE_COLUMNS, RuleRecord, RunRecord


class RulesDesk(Preemption, Helping, Occupancy):
    """:class:`~simdesk.engine.desk.Desk` with the desk rules. A ticket that enters a
    tier goes to an idle agent of the tier, else an idle helper, else pre-empts."""

    def run(self) -> RunRecord:
        """The records, with what the rules did (:class:`RuleRecord`)."""
        record = super().run()
        events = np.asarray(self._interrupts + self._rests, dtype=float).reshape(-1, RULE_COLUMNS)
        return replace(record, rules=RuleRecord(events=events))
