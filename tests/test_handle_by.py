"""``handle_by``: a tier's handle time per channel, topic or channel/topic."""

from __future__ import annotations

import numpy as np
import pytest

from simdesk.errors import ScenarioError
from simdesk.fates.streams import Streams
from simdesk.fates.tickets import draw_tickets
from simdesk.plan.diagnostics import tier_load
from simdesk.scenario.load import load_scenario
from tests.helpers import plan_for, scenario_dict

CHANNELS = {"phone": {"sla": {"within": "30s", "target": "80%"}},
            "email": {"sla": {"within": "4h", "target": "80%"}}}
TOPICS = {"howto": {"share": "50%", "effort": 0.5}, "bug": {"share": "50%", "effort": 2}}
ARRIVALS = [{"channel": "phone", "rate": "40/h"}, {"channel": "email", "rate": "40/h"}]


def _desk(handle_by: dict[str, object]) -> dict[str, object]:
    tier = {"agents": 40, "handle": {"dist": "deterministic", "value": "10m"},
            "handle_by": handle_by}
    return {"channels": CHANNELS, "topics": TOPICS, "arrivals": ARRIVALS, "horizon": "10d",
            "tiers": {"L1": tier}}


def test_the_most_specific_override_wins_and_topic_overrides_ignore_effort() -> None:
    plan = plan_for(**_desk({
        "phone": {"dist": "deterministic", "value": "4m"},
        "bug": {"dist": "deterministic", "value": "30m"},
        "email/bug": {"dist": "deterministic", "value": "60m"},
    }))
    batch = draw_tickets(plan, Streams(1, 0))
    handle = batch.handles[:, 0]
    phone, email = batch.channel == 0, batch.channel == 1
    howto, bug = batch.topic == 0, batch.topic == 1
    assert np.all(handle[phone & howto] == 4 * 0.5)  # a channel override keeps the effort
    assert np.all(handle[phone & bug] == 30)
    assert np.all(handle[email & howto] == 10 * 0.5)  # the tier's own handle
    assert np.all(handle[email & bug] == 60)
    assert min(np.sum(phone & howto), np.sum(email & bug)) > 100


def test_expected_load_uses_the_overrides() -> None:
    plan = plan_for(**_desk({"bug": {"dist": "exponential", "mean": "30m"}}))
    load, _ = tier_load(plan, 0)
    per_ticket = 0.5 * 10 * 0.5 + 0.5 * 30  # howto at 10 m × 0.5, bug at 30 m
    assert load == pytest.approx(80 / 60 * per_ticket)


def test_without_overrides_the_draws_are_unchanged() -> None:
    plain = draw_tickets(plan_for(**_desk({})), Streams(3, 0))
    other = draw_tickets(plan_for(**_desk({"email/howto": {"dist": "exponential",
                                                           "mean": "9m"}})), Streams(3, 0))
    keep = ~((other.channel == 1) & (other.topic == 0))
    assert np.array_equal(plain.handles[keep, 0], other.handles[keep, 0])


@pytest.mark.parametrize(("key", "message"), [
    ("chat", "'chat' is neither a channel nor a topic; write a channel (phone, email), "
             "a topic (howto, bug) or channel/topic"),
    ("phone/bgu", "unknown topic 'bgu'; known: howto, bug (did you mean 'bug'?)"),
    ("fone/bug", "unknown channel 'fone'; known: phone, email (did you mean 'phone'?)"),
])
def test_a_bad_key_is_named_with_what_is_valid(key: str, message: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario_dict(**_desk({key: {"dist": "exponential", "mean": "9m"}})))
    assert [str(p) for p in caught.value.problems] == [
        f"<scenario>: tiers.L1.handle_by.{key}: {message}"]
