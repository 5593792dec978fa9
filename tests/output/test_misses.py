"""Why a target was missed: the block that causes most misses is named, and the top
change tried on the same tickets gains significantly."""

from __future__ import annotations

import pytest

import simdesk
from simdesk.experiments.suggest import explain_misses
from simdesk.metrics.misses import ChannelMisses
from simdesk.metrics.misses_text import channel_lines
from tests.output.desks import lunch_gap_desk


@pytest.fixture(scope="module")
def explained() -> list[ChannelMisses]:
    result = simdesk.simulate(lunch_gap_desk(), seed=3, replications=4)
    return explain_misses(result)


def test_the_lunch_hour_is_named_as_the_block_holding_most_misses(
        explained: list[ChannelMisses]) -> None:
    (phone,) = explained
    assert phone.channel == "phone" and phone.verdict == "missed"
    worst = phone.blocks[0]
    assert worst.days == (0, 1, 2, 3, 4) and worst.start <= 12 < worst.end
    assert worst.end - worst.start <= 3
    assert worst.share > 0.5 > worst.tickets_share
    assert worst.gave_up > 0.5  # most of the lunch hour's missed callers hung up
    assert phone.gave_up > 0.3
    assert phone.queue is not None and phone.queue.tier == "L1"
    assert phone.queue.waiting > 0.3  # behind other callers: one channel, no backlog
    assert phone.queue.same_channel == pytest.approx(phone.queue.waiting)
    assert phone.queue.from_closed_hours == 0 and phone.queue.other_channels == {}


def test_the_top_change_gains_significantly_on_the_same_tickets(
        explained: list[ChannelMisses]) -> None:
    (phone,) = explained
    top = phone.suggestions[0]
    assert top.change.startswith("one more L1 agent Mon–Fri")
    assert "12:00" in top.change or "13:00" in top.change
    assert top.gain > 0 and top.low > 0 and top.significant
    assert top.replications == 4
    assert len(phone.suggestions) >= 2  # a moved shift too


def test_the_lines_name_the_block_and_the_change(explained: list[ChannelMisses]) -> None:
    text = "\n".join(channel_lines(explained[0]))
    block = explained[0].blocks[0].label
    assert f"Where: {block} holds" in text
    assert "gave up" in text and "What to try" in text and "a significant gain" in text


def test_a_desk_meeting_its_target_gets_no_lines() -> None:
    met = lunch_gap_desk(tiers={"L1": {"agents": 8, "handle": {"dist": "exponential",
                                                               "mean": "10m"}}})
    assert explain_misses(simdesk.simulate(met, seed=1, replications=3)) == []


def test_one_replication_says_no_change_was_tried() -> None:
    result = simdesk.simulate(lunch_gap_desk(), seed=3, replications=1)
    (phone,) = explain_misses(result)
    assert phone.suggestions == [] and "one replication" in phone.suggestion_note


def test_callers_at_opening_queue_behind_the_nights_email() -> None:
    """The issue's desk: email all night, phone and agents from 08:00, first come first
    served — the morning callers' misses are explained by the email backlog carried over
    from hours with nobody on duty."""
    from tests.output.desks import overnight_backlog_desk

    result = simdesk.simulate(overnight_backlog_desk(), seed=1, replications=3)
    phone = next(m for m in explain_misses(result, suggest=False) if m.channel == "phone")
    assert phone.blocks[0].start == 8 and phone.blocks[0].share > phone.blocks[0].tickets_share
    queue = phone.queue
    assert queue is not None and list(queue.other_channels) == ["email"]
    assert queue.other_channels["email"] > 0.9 * queue.waiting > 5
    assert queue.from_closed_hours > 0.5 * queue.waiting
    text = "\n".join(channel_lines(phone))
    assert "email" in text and "while no L1 agent was on duty" in text
    assert phone.suggestions == [] and phone.suggestion_note == ""


def test_the_queue_ahead_counts_every_stay_waiting_at_each_arrival() -> None:
    """The queue a missed customer met, against a count over every stay of the run (the
    analysis reads only the stays waiting at one of the sampled arrivals)."""
    import numpy as np

    from simdesk.metrics.misses import _queue_ahead
    from tests.output.desks import overnight_backlog_desk

    result = simdesk.simulate(overnight_backlog_desk(), seed=2, replications=2)
    plan, tickets, visits = result.plan, result.tickets, result.visits
    phone = next(c for c in plan.channels if c.name == "phone")
    missed = tickets.loc[~tickets["warmup"] & (tickets["channel"] == "phone")
                         & (tickets["sla_met"] == False) & ~tickets["refused"]]  # noqa: E712
    missed = missed.iloc[:150]
    queue = _queue_ahead(plan, phone, tickets, visits, missed)
    assert queue is not None
    tier = plan.tiers[phone.chain[0]].name
    stays = visits.loc[visits["tier"] == tier]
    left = stays["start"].fillna(stays["end"]).fillna(plan.horizon).to_numpy()
    total = same = 0
    for row in missed.itertuples():
        mine = (stays["replication"] == row.replication).to_numpy()
        waiting = (mine & (stays["queued"].to_numpy() < row.arrived) & (left > row.arrived)
                   & (stays["ticket"].to_numpy() != row.ticket))
        total += int(waiting.sum())
        names = tickets.loc[tickets["replication"] == row.replication].set_index("ticket")[
            "channel"]
        same += int((names.reindex(stays["ticket"].to_numpy()[waiting]) == "phone").sum())
    assert total > 0
    assert queue.waiting == pytest.approx(total / len(missed), rel=1e-12)
    assert queue.same_channel == pytest.approx(same / len(missed), rel=1e-12)
    assert np.isclose(queue.waiting, queue.same_channel + sum(queue.other_channels.values())
                      + queue.escalated + queue.repeat)
