"""Desk rules against their analytic twins: pre-emptive-resume priority (M/G/1
formulas) and cross-tier help (the exact Markov chain of two single-agent tiers).

Fixed seeds; the analytic value must lie in the 99.9 % Student-t interval of the mean
over independent replications. The default run uses short horizons; ``-m slow`` runs
long ones.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from simdesk.analytic import mg1_preemptive_sojourns
from simdesk.engine.run import run_desk
from simdesk.fates.streams import Streams
from simdesk.fates.tickets import draw_tickets
from simdesk.plan.compile import compile_plan
from simdesk.policies import make_policy
from simdesk.scenario.load import load_scenario
from tests.helpers import assert_close_to
from tests.statistics.help_chain import help_desk, help_law

SIZES = [
    pytest.param({"days": 12, "replications": 8}, id="short"),
    pytest.param({"days": 60, "replications": 20}, id="long", marks=pytest.mark.slow),
]


def _replicate(desk: dict[str, Any], replications: int, measure: Any) -> list[Any]:
    scenario = load_scenario(desk)
    plan = compile_plan(scenario)
    found = []
    for replication in range(replications):
        batch = draw_tickets(plan, Streams(2026, replication))
        record = run_desk(plan, batch, make_policy(scenario.routing))
        kept = (record.arrived >= plan.warmup) & (record.arrived < plan.horizon - 600)
        found.append(measure(record, batch, kept))
    return found


# -- pre-emption ----------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_preemptive_resume_two_classes_match_mg1(size: dict[str, int]) -> None:
    """Calls (1 min) interrupt emails (2 min) at one blended agent: each class's mean
    time in system is the pre-emptive-resume M/G/1 value; calls see an M/M/1 queue."""
    rates, means = (0.3, 0.2), (1.0, 2.0)
    desk = {
        "name": "pre-emption", "horizon": f"{size['days']}d", "warmup": "1d",
        "channels": {"phone": {"sla": {"within": "1m", "target": "80%"}},
                     "email": {"sla": {"within": "1h", "target": "80%"}}},
        "arrivals": [{"channel": "phone", "rate": f"{rates[0] * 60}/h"},
                     {"channel": "email", "rate": f"{rates[1] * 60}/h"}],
        "tiers": {"L1": {"agents": [{"shift": "24x7", "count": 1,
                                     "channels": ["phone", "email"]}],
                         "handle": {"dist": "exponential", "mean": "1m"},
                         "handle_by": {"email": {"dist": "exponential", "mean": "2m"}},
                         "preempt": [{"channel": "phone", "interrupts": ["email"]}]}},
    }

    def sojourns(record: Any, batch: Any, kept: np.ndarray) -> tuple[float, float]:
        time = record.resolved - record.arrived
        return (float(np.nanmean(time[kept & (batch.channel == 0)])),
                float(np.nanmean(time[kept & (batch.channel == 1)])))

    found = _replicate(desk, size["replications"], sojourns)
    expected = mg1_preemptive_sojourns(rates, means, [2 * m * m for m in means])
    assert expected[0] == pytest.approx(1 / (1 - rates[0]))  # M/M/1 alone
    for k, what in enumerate(("calls", "emails")):
        assert_close_to([f[k] for f in found], expected[k], what=what)


def test_preemption_negative_control() -> None:
    """Without pre-emption (plain blending) the emails' time in system differs from the
    pre-emptive value by far more than the interval: the check can fail."""
    desk = {
        "name": "blended", "horizon": "12d", "warmup": "1d",
        "channels": {"phone": {"sla": {"within": "1m", "target": "80%"}},
                     "email": {"sla": {"within": "1h", "target": "80%"}}},
        "arrivals": [{"channel": "phone", "rate": "18/h"}, {"channel": "email", "rate": "12/h"}],
        "tiers": {"L1": {"agents": [{"shift": "24x7", "count": 1,
                                     "channels": ["phone", "email"]}],
                         "handle": {"dist": "exponential", "mean": "1m"},
                         "handle_by": {"email": {"dist": "exponential", "mean": "2m"}}}},
    }

    def calls(record: Any, batch: Any, kept: np.ndarray) -> float:
        time = record.resolved - record.arrived
        return float(np.nanmean(time[kept & (batch.channel == 0)]))

    found = _replicate(desk, 8, calls)
    with pytest.raises(AssertionError):
        assert_close_to(found, 1 / (1 - 0.3), what="calls without pre-emption")


# -- cross-tier help ------------------------------------------------------------------------


def help_chain(rate_a: float, rate_b: float, mean_a: float, mean_b: float,
               most: int = 60) -> tuple[float, float]:
    """Mean waits (until pickup) at tiers A and B of the help chain
    (:func:`tests.statistics.help_chain.help_law`), by Little's law."""
    states, law = help_law(rate_a, rate_b, mean_a, mean_b, most)
    waiting_a = sum(law[i] * s[0] for i, s in enumerate(states))
    waiting_b = sum(law[i] * s[1] for i, s in enumerate(states))
    return waiting_a / rate_a, waiting_b / rate_b


def test_help_chain_without_help_is_two_mm1_queues() -> None:
    """The oracle itself: with no B tickets, A is M/M/1."""
    wait_a, _ = help_chain(0.5, 1e-9, 1.0, 1.0, most=50)
    assert wait_a == pytest.approx(0.5 / (1 - 0.5), rel=1e-6)


@pytest.mark.parametrize("size", SIZES)
def test_cross_tier_help_matches_the_exact_chain(size: dict[str, int]) -> None:
    """L2 (one agent) helps L1 (one agent, load 90 %) when it has none of its own."""
    rate_a, rate_b, mean_a, mean_b = 0.3, 0.9, 1.5, 1.0
    desk = help_desk(size["days"], rate_a, rate_b, mean_a, mean_b)

    def waits(record: Any, batch: Any, kept: np.ndarray) -> tuple[float, float]:
        wait = record.first_response - record.arrived
        return (float(np.nanmean(wait[kept & (batch.channel == 1)])),
                float(np.nanmean(wait[kept & (batch.channel == 0)])))

    found = _replicate(desk, size["replications"], waits)
    wait_a, wait_b = help_chain(rate_a, rate_b, mean_a, mean_b)
    assert_close_to([f[0] for f in found], wait_a, what="L2's own wait")
    assert_close_to([f[1] for f in found], wait_b, what="L1's wait, helped")
    alone = rate_b * mean_b * mean_b / (1 - rate_b * mean_b)  # M/M/1 without help
    assert wait_b < alone / 2
