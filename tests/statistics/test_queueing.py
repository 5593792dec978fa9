"""The engine against queueing theory: Erlang C, Erlang A, Jackson networks, Little's law.

Fixed seeds; each check compares the mean over independent replications with the
analytic value: the value must lie in the 99.9 % Student-t confidence interval of that
mean (a correct engine fails a check once in 1,000 seeds). The default run uses short
horizons; ``-m slow`` runs long ones.
"""

from __future__ import annotations

import heapq
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from simdesk import simulate
from simdesk.analytic import erlang_a, erlang_c, jackson_tandem_sojourn
from simdesk.engine.run import run_desk
from simdesk.fates.streams import Streams
from simdesk.fates.tickets import draw_tickets
from simdesk.plan.compile import compile_plan
from simdesk.policies import Fifo
from simdesk.scenario.load import load_scenario
from tests.helpers import assert_close_to, scenario_dict

SIZES = [
    pytest.param({"hours": 1500, "replications": 10}, id="short"),
    pytest.param({"hours": 4000, "replications": 20}, id="long", marks=pytest.mark.slow),
]


def _mmc(rate_per_hour: float, mean_handle: float, agents: int, hours: float,
         patience: float | None = None, within: str = "1m") -> dict[str, Any]:
    channel: dict[str, Any] = {"sla": {"within": within, "target": "80%"}}
    if patience is not None:
        channel["patience"] = {"dist": "exponential", "mean": f"{patience}m"}
    return scenario_dict(
        horizon=f"{hours}h",
        warmup="10h",
        channels={"phone": channel},
        arrivals=[{"channel": "phone", "rate": f"{rate_per_hour}/h"}],
        tiers={"L1": {"agents": agents,
                      "handle": {"dist": "exponential", "mean": f"{mean_handle}m"}}},
    )


def _per_replication(result: Any, metric: str, scope: str = "overall",
                     group: str = "all") -> list[float]:
    m = result.metrics
    rows = m.loc[(m["scope"] == scope) & (m["group"] == group) & (m["metric"] == metric)]
    return rows.sort_values("replication")["value"].tolist()


def _measured(tickets: pd.DataFrame) -> pd.DataFrame:
    return tickets.loc[~tickets["warmup"]]


@pytest.mark.parametrize("size", SIZES)
def test_mmc_fifo_matches_erlang_c(size: dict[str, int]) -> None:
    rate, handle, agents = 24.0, 10.0, 5  # 80 % load
    result = simulate(_mmc(rate, handle, agents, size["hours"]), seed=11,
                      replications=size["replications"])
    theory = erlang_c(rate / 60, handle, agents)
    tickets = _measured(result.tickets)
    waited = (tickets["wait"] > 0) | tickets["abandoned"]
    p_wait = waited.groupby(tickets["replication"]).mean().tolist()
    assert_close_to(p_wait, theory.p_wait, what="P(wait)")
    assert_close_to(_per_replication(result, "wait_mean"), theory.asa, what="mean wait")
    assert_close_to(_per_replication(result, "sla"), theory.service_level(1.0),
                    what="P(wait <= 1m)")
    assert_close_to(_per_replication(result, "utilization", "tier", "L1"),
                    theory.occupancy, what="utilization")


@pytest.mark.parametrize("size", SIZES)
def test_exponential_patience_matches_erlang_a(size: dict[str, int]) -> None:
    rate, handle, agents, patience = 30.0, 10.0, 5, 4.0  # offered load 100 %
    result = simulate(_mmc(rate, handle, agents, size["hours"], patience=patience),
                      seed=12, replications=size["replications"])
    theory = erlang_a(rate / 60, handle, agents, patience)
    tickets = _measured(result.tickets)
    waited = (tickets["wait"] > 0) | tickets["abandoned"]
    p_wait = waited.groupby(tickets["replication"]).mean().tolist()
    assert_close_to(_per_replication(result, "abandonment"), theory.p_abandon,
                    what="P(abandon)")
    assert_close_to(p_wait, theory.p_wait, what="P(wait)")
    assert_close_to(_per_replication(result, "wait_mean"), theory.asa_served,
                    what="mean wait of answered")
    assert_close_to(_per_replication(result, "sla"), theory.service_level(1.0),
                    what="P(answered within 1m)")


@pytest.mark.parametrize("size", SIZES)
def test_escalation_matches_the_jackson_network(size: dict[str, int]) -> None:
    rate = 15.0  # per hour; L1: 3 agents, 10 min; 40 % escalate to L2: 3 agents, 20 min
    scenario = _mmc(rate, 10.0, 3, size["hours"])
    scenario["tiers"] = {
        "L1": {"agents": 3, "handle": {"dist": "exponential", "mean": "10m"},
               "resolves": "60%", "escalate_to": "L2"},
        "L2": {"agents": 3, "handle": {"dist": "exponential", "mean": "20m"}},
    }
    result = simulate(scenario, seed=13, replications=size["replications"])
    theory = jackson_tandem_sojourn(rate / 60, [(10.0, 3, 0.4), (20.0, 3, 0.0)])
    tickets = _measured(result.tickets)
    escalated = tickets.loc[(tickets["path"] == "L1>L2") & tickets["resolved"].notna()]
    times = (escalated["resolved"] - escalated["arrived"]).groupby(escalated["replication"])
    assert_close_to(times.mean().tolist(), theory.path_sojourn(2),
                    what="resolution time of escalated tickets")
    share = (tickets["path"] == "L1>L2").groupby(tickets["replication"]).mean().tolist()
    assert_close_to(share, 0.4, what="share escalated")


@pytest.mark.parametrize("size", SIZES)
def test_littles_law_on_the_queue(size: dict[str, int]) -> None:
    """The engine's time-average queue length L equals λ·W from the tickets' own times."""
    result = simulate(_mmc(24.0, 10.0, 5, size["hours"], patience=8.0), seed=14,
                      replications=size["replications"])
    plan = result.plan
    window = plan.horizon - plan.warmup
    visits = result.visits.loc[result.visits["queued"] >= plan.warmup]
    left = visits["start"].fillna(visits["end"]).fillna(plan.horizon)
    in_queue = (left - visits["queued"]).groupby(visits["replication"])
    little = (in_queue.count() / window * in_queue.mean()).tolist()
    assert_close_to(_per_replication(result, "queue_mean", "tier", "L1"), float(np.mean(little)),
                    what="L = λW")


def test_engine_queue_area_equals_the_time_tickets_spent_waiting() -> None:
    """Little's law on one sample path, exactly: ∫ Q dt = Σ time each ticket waited."""
    scenario = load_scenario(_mmc(30.0, 10.0, 5, 300, patience=3.0))
    plan = compile_plan(scenario)
    batch = draw_tickets(plan, Streams(15, 0))
    record = run_desk(plan, batch, Fifo())
    visits = record.visits
    left = np.where(np.isnan(visits[:, 4]), visits[:, 5], visits[:, 4])
    left = np.where(np.isnan(left), plan.horizon, left)
    low, high = plan.warmup, plan.horizon
    waited = np.clip(np.minimum(left, high) - np.maximum(visits[:, 3], low), 0, None)
    assert math.isclose(record.queue_area[0], waited.sum(), rel_tol=1e-9)
    assert (record.abandoned_at[~np.isnan(record.abandoned_at)] > 0).all()


def test_fifo_pool_reproduces_the_earliest_free_server_recursion_exactly() -> None:
    """DESIGN's exact oracle: each ticket starts at max(arrival, earliest free agent)."""
    scenario = load_scenario(scenario_dict(
        horizon="400h",
        arrivals=[{"channel": "phone", "rate": "50/h"}],
        tiers={"L1": {"agents": 7, "handle": {"dist": "lognormal", "mean": "8m", "cv": 1.5}}},
    ))
    plan = compile_plan(scenario)
    batch = draw_tickets(plan, Streams(16, 0))
    record = run_desk(plan, batch, Fifo())
    free = [0.0] * 7
    starts = []
    for arrived, handle in zip(batch.arrived, batch.handles[:, 0], strict=True):
        start = max(arrived, heapq.heappop(free))
        starts.append(start)
        heapq.heappush(free, start + handle)
    expected = np.array(starts)
    answered = ~np.isnan(record.first_response)
    assert answered.sum() > 0.99 * len(batch)
    np.testing.assert_allclose(record.first_response[answered], expected[answered],
                               rtol=0, atol=1e-9)
    assert (expected[~answered] >= plan.horizon).all()
