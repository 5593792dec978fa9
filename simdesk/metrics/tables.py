"""Flat engine records → the pandas tables of the output contract.

``tickets``: one row per ticket per replication, times in minutes since the start:
``replication, ticket, channel, segment, topic, arrived, first_response, wait,
resolved, abandoned, sla_met, path, warmup``.

After the contract's columns: ``refused``, turned away at arrival by the routing
policy (e.g. email for paid plans only); ``deflected``, answered by self-service and
never seen by an agent — neither has an SLA outcome; ``reopens``, the repeat contacts
the ticket had (its ``resolved`` is the last resolution; empty while a repeat contact is
open at the horizon).

``satisfaction`` (only with a ``satisfaction:`` model): the rating of each resolved
ticket, an ordered categorical ``bad < okay < good``, missing for tickets not resolved
(see :mod:`simdesk.metrics.ratings`).

``replies`` (only when tickets can need several agent replies): one row per reply at
the conversation tier: ``replication, ticket, touch, asked, answered, wait, agent``.

``visits``: one row per ticket per tier entered: ``replication, ticket, tier, agent,
queued, start, end, contact`` — ``end`` is when it left the tier (service done, or the
customer gave up: then ``agent`` is empty and ``start`` NaN); NaN if still there at the
horizon; ``contact`` is 0 for the first contact and k for the k-th repeat contact.

``duty``: when each agent was actually on the queue: ``replication, tier, agent, on, off``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import cast

import numpy as np
import pandas as pd

from simdesk.engine.records import (
    DUTY_AGENT,
    DUTY_OFF,
    DUTY_ON,
    REPLY_AGENT,
    REPLY_ANSWERED,
    REPLY_ASKED,
    REPLY_TICKET,
    REPLY_TOUCH,
    VISIT_AGENT,
    VISIT_CONTACT,
    VISIT_END,
    VISIT_QUEUED,
    VISIT_START,
    VISIT_TICKET,
    VISIT_TIER,
    RunRecord,
)
from simdesk.fates.tickets import TicketBatch
from simdesk.metrics.customers import (
    add_customer_columns,
    apply_segment_targets,
    resolution_met,
    resolution_targets,
    segment_targets,
)
from simdesk.metrics.ratings import ticket_ratings
from simdesk.plan.model import DeskPlan


def _categorical(codes: np.ndarray, names: tuple[str, ...] | list[str]) -> pd.Categorical[str]:
    """Integer codes with their names, as a pandas categorical (the codes are valid by
    construction: not checked again)."""
    values = pd.Categorical.from_codes(codes.astype(np.int64, copy=False),
                                       dtype=_categories(tuple(names)),
                                       validate=False)
    return cast("pd.Categorical[str]", values)


@lru_cache(maxsize=256)
def _categories(names: tuple[str, ...]) -> pd.CategoricalDtype:
    """The categorical type of ``names``, made once (its index of text is the cost of a
    small categorical: a search builds thousands)."""
    return pd.CategoricalDtype(pd.Index(list(names)))


def _own(column: np.ndarray) -> np.ndarray:
    """A column of an engine record as an array of its own: the tables are built with
    ``copy=False`` (pandas would otherwise copy every column once more, into one block per
    dtype: at the peak of a big run, a second copy of the table), so a column must not be
    a view that keeps the engine's whole record buffer alive."""
    return np.array(column, copy=True, order="C")


def _paths(plan: DeskPlan) -> tuple[list[str], dict[tuple[int, int], int]]:
    """Every possible path string and its code, keyed by (channel, tiers entered)."""
    names: list[str] = []
    codes: dict[tuple[int, int], int] = {}
    for channel in plan.channels:
        for entered in range(len(channel.chain) + 1):
            text = ">".join(plan.tiers[t].name for t in channel.chain[:entered])
            if text not in names:
                names.append(text)
            codes[(channel.index, entered)] = names.index(text)
    return names, codes


def _tiers_entered(plan: DeskPlan, record: RunRecord, n: int) -> np.ndarray:
    """How many tiers each ticket entered (a conversation visits its tier several times;
    repeat contacts return to a tier already entered)."""
    visits = record.visits
    if plan.max_reopens:
        visits = visits[visits[:, VISIT_CONTACT] == 0]
    tickets = visits[:, VISIT_TICKET].astype(np.int64)
    if plan.max_touches == 1 and record.customers is None:  # one visit per tier entered
        return np.bincount(tickets, minlength=n)
    tiers = len(plan.tiers)
    seen = np.bincount(tickets * tiers + visits[:, VISIT_TIER].astype(np.int64),
                       minlength=n * tiers).reshape(n, tiers)
    entered: np.ndarray = np.count_nonzero(seen, axis=1)
    return entered


SLA_COLUMNS = ("replication", "channel", "arrived", "warmup", "sla_met")
"""The columns of a slim ticket table: what a staffing verdict reads."""


def ticket_table(
    plan: DeskPlan, batch: TicketBatch, record: RunRecord, replication: int,
    satisfaction: np.ndarray | None = None, *, slim: bool = False,
) -> pd.DataFrame:
    """The per-ticket table of one replication; ``satisfaction`` holds the tickets'
    logistic draws of the satisfaction model (None: no ``satisfaction`` column).
    ``slim``: only :data:`SLA_COLUMNS` (the same values)."""
    n = len(batch)
    arrived = record.arrived
    first_response = record.first_response
    wait = first_response - arrived
    abandoned = ~np.isnan(record.abandoned_at)
    refused = record.refused
    deflected = (np.zeros(n, dtype=bool) if batch.deflected is None
                 else batch.deflected.astype(bool))
    customers = record.customers
    channel_codes, clock_from = (batch.channel, arrived) if customers is None else (
        customers.channel, customers.sla_from)
    within = np.array([c.sla_within for c in plan.channels])[channel_codes]
    answered = ~np.isnan(first_response)
    reckoned = segment_targets(plan) or any(c.sla_hours is not None for c in plan.channels)
    if customers is not None:
        sla_wait = first_response - clock_from
    else:  # the wait itself unless some waits are reckoned otherwise (changed in place)
        sla_wait = wait.copy() if reckoned else wait
    waited_by_horizon = plan.horizon - clock_from
    for channel in plan.channels:
        if channel.sla_hours is not None:
            rows = channel_codes == channel.index
            start = channel.sla_hours.elapsed(clock_from[rows])
            sla_wait[rows] = channel.sla_hours.elapsed(first_response[rows]) - start
            waited_by_horizon[rows] = channel.sla_hours.elapsed(
                np.full(rows.sum(), plan.horizon)) - start
    if segment_targets(plan):
        apply_segment_targets(plan, batch.segment, first_response, clock_from, within,
                              sla_wait, waited_by_horizon)
    if customers is not None:
        abandoned = abandoned | customers.blocked  # a busy signal misses the SLA too
    decided = (answered | abandoned | (waited_by_horizon > within)) & ~refused & ~deflected
    sla_met = pd.array(answered & (sla_wait <= within), dtype="boolean")
    sla_met[~decided] = pd.NA
    del decided, waited_by_horizon, within  # each a column's worth of memory in a big run
    numbers = np.full(n, replication, dtype=np.int32)
    channel_column = _categorical(channel_codes, [c.name for c in plan.channels])
    warmup = arrived < plan.warmup
    if slim:
        return pd.DataFrame({"replication": numbers, "channel": channel_column, "arrived": arrived,
                             "warmup": warmup, "sla_met": sla_met}, copy=False)
    entered = _tiers_entered(plan, record, n)
    if customers is not None:  # an overflowed ticket's path is along its last channel
        longest = np.array([len(c.chain) for c in plan.channels])[channel_codes]
        entered = np.minimum(entered, longest)
    path_names, path_codes = _paths(plan)
    lookup = np.zeros((len(plan.channels), max(len(c.chain) for c in plan.channels) + 1),
                      dtype=np.int64)
    for (channel_index, entered_count), code in path_codes.items():
        lookup[channel_index, entered_count] = code
    table = pd.DataFrame({
        "replication": numbers,
        "ticket": np.arange(n, dtype=np.int64),
        "channel": channel_column,
        "segment": _categorical(batch.segment, plan.segments),
        "topic": _categorical(batch.topic, plan.topics),
        "arrived": arrived,
        "first_response": _own(first_response),
        "wait": wait,
        "resolved": _own(record.resolved),
        "abandoned": ~np.isnan(record.abandoned_at),
        "sla_met": sla_met,
        "path": _categorical(lookup[channel_codes, entered.astype(np.int64, copy=False)],
                             path_names),
        "warmup": warmup,
        "refused": refused,
        "deflected": deflected,
        "reopens": _reopens(plan, record, n),
    }, copy=False)
    if customers is not None:
        add_customer_columns(plan, table, customers)
    if resolution_targets(plan):
        table["resolution_met"] = resolution_met(plan, table)
    if satisfaction is not None:
        rated = ~np.isnan(record.resolved) & ~refused
        if "deflected" in table:
            rated &= ~table["deflected"].to_numpy(dtype=bool)
        table["satisfaction"] = ticket_ratings(
            plan, satisfaction, sla_wait=sla_wait, channel=batch.channel,
            replies=batch.touches, entered=entered, arrived=arrived, resolved=record.resolved,
            rated=rated,
            reopens=table["reopens"].to_numpy() if "reopens" in table else None)
    return table


def _reopens(plan: DeskPlan, record: RunRecord, n: int) -> np.ndarray:
    """Repeat contacts each ticket had (opened by the horizon)."""
    count = np.zeros(n, dtype=np.int16)
    if plan.max_reopens and len(record.visits):
        contacts = record.visits[:, VISIT_CONTACT]
        rows = contacts > 0
        np.maximum.at(count, record.visits[rows, VISIT_TICKET].astype(np.int64),
                      contacts[rows].astype(np.int16))
    return count


def reply_table(plan: DeskPlan, record: RunRecord, replication: int) -> pd.DataFrame:
    """Every agent reply at the conversation tier: when the customer wrote, when they
    got the reply (``touch`` 0 is the tier's first reply to the ticket)."""
    replies = record.replies
    return pd.DataFrame({
        "replication": np.full(len(replies), replication, dtype=np.int32),
        "ticket": replies[:, REPLY_TICKET].astype(np.int64),
        "touch": replies[:, REPLY_TOUCH].astype(np.int64),
        "asked": replies[:, REPLY_ASKED],
        "answered": replies[:, REPLY_ANSWERED],
        "wait": replies[:, REPLY_ANSWERED] - replies[:, REPLY_ASKED],
        "agent": _categorical(replies[:, REPLY_AGENT].astype(np.int64),
                              [a.name for a in plan.agents]),
    })


def visit_table(plan: DeskPlan, record: RunRecord, replication: int) -> pd.DataFrame:
    """The per-visit table of one replication."""
    visits = record.visits
    agents = [a.name for a in plan.agents]
    agent_codes = visits[:, VISIT_AGENT].astype(np.int64)
    return pd.DataFrame({
        "replication": np.full(len(visits), replication, dtype=np.int32),
        "ticket": visits[:, VISIT_TICKET].astype(np.int64),
        "tier": _categorical(visits[:, VISIT_TIER].astype(np.int64),
                             [t.name for t in plan.tiers]),
        "agent": _categorical(agent_codes, agents),
        "queued": _own(visits[:, VISIT_QUEUED]),
        "start": _own(visits[:, VISIT_START]),
        "end": _own(visits[:, VISIT_END]),
        "contact": visits[:, VISIT_CONTACT].astype(np.int16),
    }, copy=False)


def duty_table(plan: DeskPlan, record: RunRecord, replication: int) -> pd.DataFrame:
    """When each agent was on the queue in one replication."""
    duty = record.duty
    agents = plan.agents
    agent_codes = duty[:, DUTY_AGENT].astype(np.int64)
    tier_of = np.array([a.tier for a in agents], dtype=np.int64)
    return pd.DataFrame({
        "replication": np.full(len(duty), replication, dtype=np.int32),
        "tier": _categorical(tier_of[agent_codes] if len(duty) else agent_codes,
                             [t.name for t in plan.tiers]),
        "agent": _categorical(agent_codes, [a.name for a in agents]),
        "on": duty[:, DUTY_ON],
        "off": duty[:, DUTY_OFF],
    })
