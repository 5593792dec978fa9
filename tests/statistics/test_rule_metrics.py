"""The desk rules' metrics against their analytic twins, through ``simulate`` (tables,
metrics, per-replication values):

* ``interrupted``: calls interrupt emails at one blended agent (pre-emptive resume,
  exponential email work of rate μ). An email is interrupted at least once iff a call
  arrives during the time it is worked on, Exp(μ) in all: λ_call / (λ_call + μ), at any
  load; with a restart cost c (itself interruptible) the interruptions per email are
  λ_call / μ / (1 − λ_call·c), which gives ``restart_hours``.
* ``helped`` / ``helping``: the exact Markov chain of two single-agent tiers where A's
  agent takes B's tickets when it has none of its own (as in test_desk_rules): the
  share of B's services A does, and the share of A's busy time spent on B.

Fixed seeds; the analytic value must lie in the 99.9 % Student-t interval of the mean
over replications. The default run is short; ``-m slow`` runs long ones.
"""

from __future__ import annotations

from typing import Any

import pytest

import simdesk
from tests.helpers import assert_close_to
from tests.statistics.help_chain import help_desk, help_law

SIZES = [
    pytest.param({"days": 10, "replications": 8}, id="short"),
    pytest.param({"days": 60, "replications": 20}, id="long", marks=pytest.mark.slow),
]


def _values(desk: dict[str, Any], replications: int, scope: str, group: str,
            metric: str) -> list[float]:
    """One value of ``metric`` per replication."""
    metrics = simdesk.simulate(desk, seed=2026, replications=replications).metrics
    rows = metrics.loc[(metrics["scope"] == scope) & (metrics["group"] == group)
                       & (metrics["metric"] == metric)]
    assert len(rows) == replications
    return [float(v) for v in rows.sort_values("replication")["value"]]


def _blended(days: int, call_rate: float, email_mean: float) -> dict[str, Any]:
    return {
        "name": "pre-emption", "horizon": f"{days}d", "warmup": "1d",
        "channels": {"phone": {"sla": {"within": "1m", "target": "80%"}},
                     "email": {"sla": {"within": "1h", "target": "80%"}}},
        "arrivals": [{"channel": "phone", "rate": f"{call_rate * 60}/h"},
                     {"channel": "email", "rate": "12/h"}],
        "tiers": {"L1": {"agents": [{"shift": "24x7", "count": 1,
                                     "channels": ["phone", "email"]}],
                         "handle": {"dist": "exponential", "mean": "1m"},
                         "handle_by": {"email": {"dist": "exponential",
                                                 "mean": f"{email_mean}m"}},
                         "preempt": [{"channel": "phone", "interrupts": ["email"],
                                      "restart_cost": "30s"}]}},
    }


@pytest.mark.parametrize("size", SIZES)
def test_the_share_of_emails_interrupted_matches_preemptive_resume(size: dict[str, int]
                                                                   ) -> None:
    call_rate, email_mean = 0.3, 2.0
    desk = _blended(size["days"], call_rate, email_mean)
    found = _values(desk, size["replications"], "channel", "email", "interrupted")
    assert_close_to(found, call_rate / (call_rate + 1 / email_mean), what="emails interrupted")
    assert _values(desk, 2, "channel", "phone", "interrupted") == [0.0, 0.0]
    # restart hours per day: 30 s per interruption; an email is worked on for its work
    # S plus 30 s per interruption N, and calls come at λ meanwhile (the restart too
    # may be interrupted): E[N] = λ(E[S] + E[N]/2), so E[N] = λE[S] / (1 − λ/2)
    interruptions = call_rate * email_mean / (1 - call_rate * 0.5)
    hours = _values(desk, size["replications"], "overall", "all", "restart_hours")
    assert_close_to(hours, 12 * 24 * interruptions * 0.5 / 60, what="restart hours per day")


def test_interrupted_negative_control() -> None:
    """Twice the call rate gives a share far outside the interval: the check can fail."""
    found = _values(_blended(10, 0.3, 2.0), 8, "channel", "email", "interrupted")
    with pytest.raises(AssertionError):
        assert_close_to(found, 0.6 / (0.6 + 0.5), what="emails interrupted, wrong rate")


def help_shares(rate_a: float, rate_b: float, mean_a: float, mean_b: float,
                most: int = 60) -> tuple[float, float]:
    """(share of B's services done by A's agent, share of A's busy time on B's tickets)
    from the help chain (:func:`tests.statistics.help_chain.help_law`)."""
    states, law = help_law(rate_a, rate_b, mean_a, mean_b, most)
    on_b = sum(law[i] for i, s in enumerate(states) if s[2] == 2)
    busy_a = sum(law[i] for i, s in enumerate(states) if s[2] > 0)
    # B's services by A begin at rate μ_b·P(A on B): A serves B tickets at that rate
    return on_b / mean_b / rate_b, on_b / busy_a


@pytest.mark.parametrize("size", SIZES)
def test_helped_and_helping_match_the_exact_chain(size: dict[str, int]) -> None:
    """L2 (one agent) helps L1 (one agent, load 90 %) when it has none of its own."""
    rate_a, rate_b, mean_a, mean_b = 0.3, 0.9, 1.5, 1.0
    desk = help_desk(size["days"], rate_a, rate_b, mean_a, mean_b)
    helped, helping = help_shares(rate_a, rate_b, mean_a, mean_b)
    assert 0.05 < helped < 0.95 and 0.05 < helping < 0.95  # the check is not trivial
    metrics = simdesk.simulate(desk, seed=2026, replications=size["replications"]).metrics

    def per_replication(group: str, metric: str) -> list[float]:
        rows = metrics.loc[(metrics["scope"] == "tier") & (metrics["group"] == group)
                           & (metrics["metric"] == metric)]
        return [float(v) for v in rows.sort_values("replication")["value"]]

    assert_close_to(per_replication("L1", "helped"), helped, what="L1 served by L2")
    assert_close_to(per_replication("L2", "helping"), helping, what="L2's time on L1")
    assert per_replication("L2", "helped") == [0.0] * size["replications"]
    assert per_replication("L1", "helping") == [0.0] * size["replications"]
