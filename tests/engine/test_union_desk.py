"""A plan with customer rules (busy signal, redial, overflow) and desk rules (help,
pre-emption, an occupancy cap) runs on their union, and every ticket is accounted for."""

from __future__ import annotations

from typing import Any

import numpy as np

import simdesk
from simdesk.engine.customers import CustomerRulesDesk
from tests.helpers import scenario_dict


def _both() -> dict[str, Any]:
    return scenario_dict(
        horizon="3d", warmup="0m",
        channels={"phone": {"sla": {"within": "1m", "target": "80%"},
                            "patience": {"dist": "exponential", "mean": "3m"},
                            "queue_limit": 4,
                            "redial": {"share": "50%",
                                       "after": {"dist": "exponential", "mean": "10m"}},
                            "overflow": {"to": "email", "after": "5m"}},
                  "email": {"sla": {"within": "4h", "target": "80%"}}},
        arrivals=[{"channel": "phone", "rate": "30/h"}, {"channel": "email", "rate": "10/h"}],
        tiers={"L1": {"agents": [{"shift": "Mon-Sun 00:00-24:00", "count": 4,
                                  "occupancy": {"cap": "90%", "window": "1h"},
                                  "channels": ["phone", "email"]}],
                      "handle": {"dist": "exponential", "mean": "6m"},
                      "resolves": "70%", "escalate_to": "L2",
                      "preempt": [{"channel": "phone", "interrupts": ["email"]}]},
               "L2": {"agents": 2, "handle": {"dist": "exponential", "mean": "15m"},
                      "helps": [{"tier": "L1", "longer_than": 3}]}})


def test_customer_and_desk_rules_run_together() -> None:
    import simdesk.engine.run as run

    used: list[type] = []
    original = CustomerRulesDesk.run

    def spy(self: CustomerRulesDesk) -> Any:
        used.append(type(self))
        return original(self)

    CustomerRulesDesk.run = spy  # type: ignore[method-assign]
    try:
        result = simdesk.simulate(simdesk.load_scenario(_both()), seed=4, replications=2)
    finally:
        CustomerRulesDesk.run = original  # type: ignore[method-assign]
    assert used == [CustomerRulesDesk, CustomerRulesDesk]
    assert run.run_desk is not None
    tickets = result.tickets
    assert len(tickets) > 0
    # every ticket once per replication, each either resolved, gone, or still open
    for _, group in tickets.groupby("replication"):
        assert group["ticket"].is_unique
    resolved = tickets["resolved"].to_numpy(dtype=float)
    arrived = tickets["arrived"].to_numpy(dtype=float)
    finished = ~np.isnan(resolved)
    assert (resolved[finished] >= arrived[finished]).all()
    # a resolved ticket neither gave up nor got a busy signal at the end
    gone = tickets["abandoned"].to_numpy(dtype=bool) | tickets["blocked"].to_numpy(dtype=bool)
    assert not (finished & gone).any()
    visits = result.visits
    served = visits.dropna(subset=["end", "start"])
    assert (served["end"] >= served["start"]).all()
    assert set(tickets["channel"]) == {"phone", "email"}
    assert tickets["attempts"].max() > 1 and tickets["blocked"].any()
    assert (tickets["overflowed_from"].astype(str) == "phone").any()
