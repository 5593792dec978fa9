"""Follow-up after a fix (``reopens: {followup: ...}``) and morale (``morale:``).

Follow-ups: a scripted event order; the same reopen draws with and without follow-ups
(common random numbers); and the traffic equations of the Jackson feedback network
(tier → delay → tier) with the lowered reopen share: per ticket ``R = 1 / (1 − p_eff)``
resolutions with ``p_eff = p (1 − f·l)``, ``f·R`` check-backs, so the tier's load is
``λ (1 + f) R · h / c``. The queue length is not compared with Erlang C: a resolution
may fork into a check-back *and* a reopen, which leaves product form.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

import simdesk
from simdesk.fates.streams import Streams
from simdesk.fates.tickets import draw_tickets
from simdesk.plan.compile import compile_plan
from tests.helpers import (
    Scripted,
    assert_close_to,
    batch_of,
    events,
    plan_for,
    scenario_dict,
)

EXP = "exponential"


def _reopens(share: str, followup: dict[str, Any] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"share": share, "after": {"dist": EXP, "mean": "2h"}, "max": 20}
    if followup is not None:
        spec["followup"] = followup
    return spec


def test_a_check_back_is_work_at_the_resolving_tier_after_the_resolution() -> None:
    from simdesk.engine.run import run_desk
    from simdesk.policies import make_policy

    plan = plan_for(tiers={"L1": {"agents": 1, "handle": {"dist": EXP, "mean": "5m"},
                                  "reopens": _reopens("10%", {
                                      "share": "50%", "after": {"dist": EXP, "mean": "1h"},
                                      "handle": {"dist": EXP, "mean": "5m"}})}})
    batch = batch_of(plan, [Scripted(at=0, handles=[10]), Scripted(at=12, handles=[4])])
    width = plan.max_reopens + 1
    after = np.full((2, width), math.nan)
    work = np.full((2, width), math.nan)
    after[0, 0], work[0, 0] = 5.0, 3.0   # ticket 0 is checked 5 minutes after its fix
    batch = replace(batch, reopens=np.zeros(2, dtype=np.int64), checkback_after=after,
                    checkback_handles=work)
    record = run_desk(plan, batch, make_policy(plan.scenario.routing), trace=True)
    assert events(record, "start", "done", "resolve", "checkback") == [
        (0, "start", 0, "L1#1"),
        (10, "done", 0, "L1#1"),
        (10, "resolve", 0, "L1"),
        (12, "start", 1, "L1#1"),
        (15, "checkback", 0, "phone"),     # queued behind nothing, but the agent is busy
        (16, "done", 1, "L1#1"),
        (16, "resolve", 1, "L1"),
        (16, "start", 0, "L1#1"),          # the check-back
        (19, "done", 0, "L1#1"),           # resolves nothing
    ]
    assert record.resolved.tolist() == [10, 16]
    contacts = record.visits[:, 6].tolist()
    assert contacts.count(-1) == 1


def test_follow_ups_keep_the_reopen_draws_when_they_lower_nothing() -> None:
    def reopens(followup: dict[str, Any] | None) -> np.ndarray:
        data = scenario_dict(horizon="3d", tiers={"L1": {
            "agents": 3, "handle": {"dist": EXP, "mean": "5m"},
            "reopens": _reopens("30%", followup)}})
        batch = draw_tickets(compile_plan(simdesk.load_scenario(data)), Streams(4, 0))
        assert batch.reopens is not None
        return batch.reopens

    plain = reopens(None)
    same = reopens({"share": "70%", "after": {"dist": EXP, "mean": "1h"},
                    "handle": {"dist": EXP, "mean": "5m"}, "lowers": "0%"})
    lowered = reopens({"share": "100%", "after": {"dist": EXP, "mean": "1h"},
                       "handle": {"dist": EXP, "mean": "5m"}, "lowers": "100%"})
    assert plain.sum() > 100
    assert (plain == same).all()
    assert lowered.sum() == 0


@pytest.mark.parametrize(("f", "lowers"), [(0.6, 0.5), (1.0, 0.8)])
def test_follow_ups_match_the_jackson_traffic_equations(f: float, lowers: float) -> None:
    p, rate, handle, agents = 0.3, 0.1, 15.0, 4
    data = scenario_dict(
        horizon="12d", warmup="1d",
        channels={"email": {"sla": {"within": "1h", "target": "80%"}}},
        arrivals=[{"channel": "email", "rate": "6/h"}],
        tiers={"L1": {"agents": agents, "handle": {"dist": EXP, "mean": "15m"},
                      "reopens": _reopens(f"{p:.0%}", {
                          "share": f"{f:.0%}", "after": {"dist": EXP, "mean": "1h"},
                          "handle": {"dist": EXP, "mean": "15m"},
                          "lowers": f"{lowers:.0%}"})}})
    result = simdesk.simulate(data, seed=21, replications=6)
    p_eff = p * (1 - f * lowers)
    per_ticket = 1 / (1 - p_eff)
    metrics = result.metrics
    by_rep = metrics.set_index(["scope", "group", "metric"]).sort_index()
    reopen = by_rep.loc[("overall", "all", "reopen_rate"), "value"].to_numpy()
    assert_close_to(reopen, p_eff / (1 - p_eff), what="reopen rate")
    load = rate * (1 + f) * per_ticket * handle / agents
    utilization = by_rep.loc[("tier", "L1", "utilization"), "value"].to_numpy()
    assert_close_to(utilization, load, what="utilization")
    # each resolution well before the horizon (check-backs come ~1 h later) has its
    # check-back, contact −(k + 1) for the resolution of contact k, with chance f
    v = result.visits
    key = ["replication", "ticket", "k"]
    fixes = v[(v["contact"] >= 0) & (v["end"] < 11 * 1440)].assign(k=lambda d: d["contact"])
    checks = v[v["contact"] < 0].assign(k=lambda d: -d["contact"] - 1)[key]
    checked = fixes[key].merge(checks.assign(checked=1), on=key, how="left")
    share = checked["checked"].fillna(0).groupby(checked["replication"]).mean().to_numpy()
    if f == 1:
        assert (share == 1).all()
    else:
        assert_close_to(share, f, what="check-backs per resolution")


def test_morale_divides_handle_times_by_the_speed_the_queue_gives() -> None:
    """Speed 110 % with nobody waiting, 90 % with 2 or more, 100 % with 1."""
    plan = plan_for(tiers={"L1": {"agents": 1, "handle": {"dist": EXP, "mean": "5m"},
                                  "morale": {"empty": "110%", "full": "90%", "full_at": 2}}})
    from tests.helpers import run_scripted

    record = run_scripted(plan, [Scripted(at=0, handles=[11.0]),
                                 Scripted(at=1, handles=[10.0]),
                                 Scripted(at=2, handles=[9.0]),
                                 Scripted(at=3, handles=[9.0])])
    # 0: nobody waits at 0 → 11/1.1 = 10; at 10 tickets 1-3 wait, 1 starts with 2 left
    # waiting → 10/0.9; then ticket 2 with 1 waiting → 9/1.0; ticket 3 with none → 9/1.1
    done = [t for t, *_ in events(record, "done")]
    first = 10.0
    second = first + 10 / 0.9
    third = second + 9.0
    assert done == pytest.approx([first, second, third, third + 9 / 1.1])
