"""Step 4 of the flow: one replication of the desk on SimPy.

:mod:`~simdesk.engine.desk` holds the rules and the core loop, made of sections:
:mod:`~simdesk.engine.state` (what a running desk holds), :mod:`~simdesk.engine.followups`
(conversations, repeat contacts), :mod:`~simdesk.engine.shifts` (duty, breaks, helpers);
:mod:`~simdesk.engine.plain` writes the hottest paths out for the common case.
:mod:`~simdesk.engine.entities` are the moving parts (tickets, agents, tiers),
:mod:`~simdesk.engine.blend` composes per-channel queues, :mod:`~simdesk.engine.records`
names what a replication produces, and :mod:`~simdesk.engine.kernel` is the only module
that touches SimPy's internals.
"""
