"""The queue area (∫ queue length dt over the measured window, behind ``queue_mean``):
Little's law on the visits table, exactly — over the window [warm-up, horizon], the area
is the sum of every stay's waiting time inside the window (L·T = λT·W on the sample path);
a stay waits from ``queued`` until an agent starts it, the customer leaves, or the
horizon — and the same area integrated from the engine's own event log.

Issue 13: customers who had already hung up but were still in the queue when the
warm-up ended were taken off an area that never counted them (``Queue (avg)`` < 0)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import simdesk
from simdesk.engine.run import run_desk
from simdesk.fates.duty import draw_duty
from simdesk.fates.streams import Streams
from simdesk.fates.tickets import draw_tickets
from simdesk.plan.model import DeskPlan
from simdesk.policies import make_policy
from simdesk.simulation import SimulationResult

REPO = Path(__file__).resolve().parents[2]

QNEG: dict[str, Any] = {
    "name": "qneg",
    "start": "2026-01-05",
    "horizon": "2w",
    "warmup": "2d",
    "channels": {"phone": {"sla": {"within": "1m", "target": "80%"},
                           "patience": {"dist": "exponential", "mean": "3m"}}},
    "arrivals": [{"channel": "phone", "rate": "10/h"}],
    "tiers": {"L1": {"agents": [{"shift": "Mon-Fri 08:00-18:00", "count": 2}],
                     "handle": {"dist": "exponential", "mean": "10m"}}},
}


def _waiting_in_window(result: SimulationResult) -> pd.Series:
    """Per (replication, tier), the time stays spent waiting inside the window."""
    plan = result.plan
    visits = result.visits
    start = visits["start"].to_numpy(dtype=float)
    end = visits["end"].to_numpy(dtype=float)
    left = np.where(~np.isnan(start), start, np.where(~np.isnan(end), end, plan.horizon))
    inside = np.clip(np.minimum(left, plan.horizon)
                     - np.maximum(visits["queued"].to_numpy(dtype=float), plan.warmup),
                     0.0, None)
    frame = pd.DataFrame({"replication": visits["replication"].to_numpy(),
                          "tier": visits["tier"].astype(str).to_numpy(), "wait": inside})
    return frame.groupby(["replication", "tier"])["wait"].sum()


def _check_little(result: SimulationResult) -> None:
    waited = _waiting_in_window(result)
    areas = result.queue_area.assign(tier=result.queue_area["tier"].astype(str)).set_index(
        ["replication", "tier"])["area"]
    assert (areas >= 0).all()
    expected = waited.reindex(areas.index, fill_value=0.0)
    np.testing.assert_allclose(areas.to_numpy(), expected.to_numpy(), rtol=1e-9, atol=1e-6)
    window = result.plan.horizon - result.plan.warmup
    means = result.summary.query("scope == 'tier' and metric == 'queue_mean'")
    for row in means.itertuples():
        assert row.mean == pytest.approx(expected.xs(row.group, level="tier").mean() / window)


@pytest.mark.parametrize("warmup", ["2d", "0m", "1d 9h 17m", "3d 12h"])
def test_the_queue_area_obeys_littles_law_with_any_warmup(warmup: str) -> None:
    result = simdesk.simulate(QNEG | {"warmup": warmup}, seed=1, replications=3)
    _check_little(result)


def test_issue_13_the_average_queue_is_not_negative() -> None:
    result = simdesk.simulate(QNEG, seed=1, replications=3)
    assert result.value("tier", "L1", "queue_mean") > 0.3  # the visits say 0.393


@pytest.mark.parametrize("name", ["examples/history/desk.yaml", "scenarios/helpers.yaml",
                                  "scenarios/saas-startup.yaml", "scenarios/reopens.yaml",
                                  "scenarios/blended-chat.yaml"])
def test_the_queue_area_obeys_littles_law_on_shipped_scenarios(name: str) -> None:
    _check_little(simdesk.simulate(REPO / name, seed=3, replications=2))


def area_from_log(plan: DeskPlan, log: list[tuple[float, str, int | None, str]]
                   ) -> np.ndarray:
    """Per tier, ∫ queue length dt over the window, from the trace: +1 when a ticket
    queues (at a tier, or for its owner), −1 when an agent starts it or its customer
    leaves."""
    tier_of = {t.name: t.index for t in plan.tiers} | {a.name: a.tier for a in plan.agents}
    steps = [(time, tier_of[name], +1 if kind == "queue" else -1)
             for time, kind, _, name in log if kind in ("queue", "start", "abandon")]
    steps.sort(key=lambda step: (step[0], -step[2]))
    areas = np.zeros(len(plan.tiers))
    length = np.zeros(len(plan.tiers))
    clock = 0.0
    for time, tier, change in [*steps, (plan.horizon, 0, 0)]:
        begin, end = max(clock, plan.warmup), min(time, plan.horizon)
        if end > begin:
            areas += length * (end - begin)
        clock = max(clock, time)
        length[tier] += change
    return areas


@pytest.mark.parametrize("warmup", ["2d", "0m", "1d 9h 17m"])
@pytest.mark.parametrize("name", ["scenarios/satisfaction.yaml", "scenarios/helpers.yaml",
                                  "scenarios/reopens.yaml", None])
def test_the_queue_area_matches_the_event_log(name: str | None, warmup: str) -> None:
    scenario = simdesk.load_scenario(QNEG if name is None else REPO / name)
    plan = simdesk.prepare(scenario.model_copy(update={"warmup": simdesk.load_scenario(
        QNEG | {"warmup": warmup}).warmup})).plan
    streams = Streams(7, 0)
    batch = draw_tickets(plan, streams)
    record = run_desk(plan, batch, make_policy(plan.scenario.routing), trace=True,
                      duty=draw_duty(plan, streams))
    assert record.log is not None
    np.testing.assert_allclose(record.queue_area, area_from_log(plan, record.log),
                               rtol=1e-9, atol=1e-6)
