"""The engine's shortcuts give exactly the records of its general code paths."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from simdesk.engine.records import RunRecord
from simdesk.engine.run import run_desk
from simdesk.fates.streams import Streams
from simdesk.fates.tickets import draw_tickets
from simdesk.plan.compile import compile_plan
from simdesk.plan.model import DeskPlan
from simdesk.policies import Fifo
from simdesk.policies.fifo import ArrivalQueue
from simdesk.scenario.load import load_scenario
from tests.helpers import scenario_dict


class QueuedFifoQueue(ArrivalQueue):
    """FIFO without the direct hand-over: every ticket goes through the queue."""

    any_agent = False


class QueuedFifo(Fifo):
    def queue(self, plan: DeskPlan, tier: Any, agents: Sequence[Any]) -> ArrivalQueue:
        return QueuedFifoQueue()


def _plan() -> DeskPlan:
    return compile_plan(load_scenario(scenario_dict(
        horizon="3w", warmup="1d",
        channels={"phone": {"sla": {"within": "30s", "target": "80%"},
                            "patience": {"dist": "exponential", "mean": "3m"}}},
        arrivals=[{"channel": "phone", "rate": "40/h", "profile": "office"}],
        tiers={"L1": {"agents": [{"shift": "Mon-Fri 08:00-18:00", "count": 5},
                                 {"shift": "daily 12:00-20:00", "count": 2}],
                      "handle": {"dist": "lognormal", "mean": "9m", "cv": 1},
                      "resolves": "70%", "escalate_to": "L2"},
               "L2": {"agents": 2, "handle": {"dist": "exponential", "mean": "20m"}}},
    )))


def _same(a: RunRecord, b: RunRecord) -> None:
    for field in ("arrived", "first_response", "resolved", "abandoned_at", "refused",
                  "visits", "duty", "queue_area"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)


def test_the_plain_hot_paths_match_the_general_ones() -> None:
    plan = _plan()
    batch = draw_tickets(plan, Streams(5, 0))
    _same(run_desk(plan, batch, Fifo()), run_desk(plan, batch, Fifo(), fast=False))


def test_handing_an_arrival_straight_to_an_idle_agent_matches_queueing_it() -> None:
    plan = _plan()
    batch = draw_tickets(plan, Streams(6, 0))
    direct, queued = run_desk(plan, batch, Fifo()), run_desk(plan, batch, QueuedFifo())
    _same(direct, queued)
    assert np.isnan(direct.abandoned_at).sum() < len(batch)  # some customers did leave
