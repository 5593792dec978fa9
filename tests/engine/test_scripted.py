"""Deterministic engine tests: scripted arrivals and handle times, exact event orders."""

from __future__ import annotations

import math

import numpy as np

from tests.helpers import Scripted, events, plan_for, run_scripted

NAN = math.nan


def test_one_agent_serves_in_arrival_order() -> None:
    plan = plan_for()
    record = run_scripted(plan, [Scripted(1, [5]), Scripted(2, [3]), Scripted(4, [1])])
    assert events(record, "arrive", "start", "done") == [
        (1, "arrive", 0, "phone"),
        (1, "start", 0, "L1#1"),
        (2, "arrive", 1, "phone"),
        (4, "arrive", 2, "phone"),
        (6, "done", 0, "L1#1"),
        (6, "start", 1, "L1#1"),
        (9, "done", 1, "L1#1"),
        (9, "start", 2, "L1#1"),
        (10, "done", 2, "L1#1"),
    ]
    assert record.first_response.tolist() == [1, 6, 9]
    assert record.resolved.tolist() == [6, 9, 10]


def test_arriving_ticket_goes_to_the_agent_idle_longest() -> None:
    plan = plan_for(tiers={"L1": {"agents": 3, "handle": {"dist": "exponential", "mean": "5m"}}})
    record = run_scripted(plan, [Scripted(1, [2]), Scripted(2, [10]), Scripted(3, [1]),
                                 Scripted(5, [1])])
    # At 1 all three are idle since 0 (L1#1 first). L1#1 is free again at 3 and so
    # becomes the most recently idle: the ticket at 3 goes to L1#3, at 5 to L1#1.
    assert events(record, "start") == [
        (1, "start", 0, "L1#1"),
        (2, "start", 1, "L1#2"),
        (3, "start", 2, "L1#3"),
        (5, "start", 3, "L1#1"),
    ]


def test_agent_finishes_the_ticket_in_hand_when_the_shift_ends() -> None:
    plan = plan_for(
        horizon="2d",
        tiers={"L1": {"agents": [{"shift": "daily 09:00-10:00", "count": 1}],
                      "handle": {"dist": "exponential", "mean": "5m"}}},
    )
    nine_55, nine_58 = 9 * 60 + 55, 9 * 60 + 58
    record = run_scripted(plan, [Scripted(nine_55, [10]), Scripted(nine_58, [4])])
    next_day = 1440 + 9 * 60
    assert events(record, "start", "done", "on", "off") == [
        (540, "on", None, "L1#1"),
        (nine_55, "start", 0, "L1#1"),
        (605, "done", 0, "L1#1"),  # 10:05, five minutes past the shift's end
        (605, "off", None, "L1#1"),  # ... and leaves; the ticket of 09:58 waits
        (next_day, "on", None, "L1#1"),
        (next_day, "start", 1, "L1#1"),
        (next_day + 4, "done", 1, "L1#1"),
        (next_day + 60, "off", None, "L1#1"),
    ]
    assert record.first_response[1] == next_day
    duty = record.duty.tolist()
    assert duty == [[0, 540, 605], [0, next_day, next_day + 60]]


def test_agent_free_exactly_at_shift_end_takes_nothing() -> None:
    plan = plan_for(
        horizon="2d",
        tiers={"L1": {"agents": [{"shift": "daily 09:00-10:00", "count": 1}],
                      "handle": {"dist": "exponential", "mean": "5m"}}},
    )
    record = run_scripted(plan, [Scripted(590, [10]), Scripted(595, [1])])
    assert events(record, "start", "done", "off")[:4] == [
        (590, "start", 0, "L1#1"),
        (600, "done", 0, "L1#1"),
        (600, "off", None, "L1#1"),
        (1440 + 540, "start", 1, "L1#1"),
    ]


def test_tickets_arriving_before_the_first_shift_wait_for_it() -> None:
    plan = plan_for(
        tiers={"L1": {"agents": [{"shift": "Mon 08:00-16:00", "count": 2}],
                      "handle": {"dist": "exponential", "mean": "5m"}}},
    )
    record = run_scripted(plan, [Scripted(60, [5]), Scripted(120, [5]), Scripted(180, [5])])
    assert events(record, "start") == [
        (480, "start", 0, "L1#1"),
        (480, "start", 1, "L1#2"),
        (485, "start", 2, "L1#1"),
    ]


def test_rotation_hands_over_at_the_turn_and_the_outgoing_agent_finishes() -> None:
    plan = plan_for(
        horizon="2d",
        tiers={"L1": {"rotation": {"pool": 2, "on_duty": 1, "every": "1d", "shift": "24x7"},
                      "handle": {"dist": "exponential", "mean": "5m"}}},
    )
    record = run_scripted(plan, [Scripted(1430, [20]), Scripted(1435, [5])])
    assert events(record, "start", "done", "on", "off") == [
        (0, "on", None, "L1#rota1"),
        (1430, "start", 0, "L1#rota1"),
        (1440, "on", None, "L1#rota2"),  # the turn: rota2 takes the waiting ticket
        (1440, "start", 1, "L1#rota2"),
        (1445, "done", 1, "L1#rota2"),
        (1450, "done", 0, "L1#rota1"),  # rota1 finished the ticket in hand ...
        (1450, "off", None, "L1#rota1"),  # ... and only then went off
    ]
    assert record.duty.tolist() == [[0, 0, 1450], [1, 1440, 2880]]


def test_rotation_availability_puts_the_agent_on_the_queue_part_of_each_cycle() -> None:
    plan = plan_for(
        horizon="1d",
        tiers={"L1": {"rotation": {"pool": 1, "availability": "50%", "cycle": "2h",
                                   "shift": "Mon 09:00-13:00"},
                      "handle": {"dist": "exponential", "mean": "5m"}}},
    )
    assert plan.tiers[0].agents[0].duty == ((540, 600), (660, 720))


def test_escalated_ticket_enters_the_next_tier_when_the_first_finishes() -> None:
    plan = plan_for(tiers={
        "L1": {"agents": 1, "handle": {"dist": "exponential", "mean": "5m"},
               "resolves": "50%", "escalate_to": "L2"},
        "L2": {"agents": 1, "handle": {"dist": "exponential", "mean": "30m"}},
    })
    record = run_scripted(plan, [Scripted(0, [4, 30]), Scripted(1, [2])])
    assert events(record, "arrive", "queue", "start", "done", "resolve") == [
        (0, "arrive", 0, "phone"),
        (0, "queue", 0, "L1"),
        (0, "start", 0, "L1#1"),
        (1, "arrive", 1, "phone"),
        (1, "queue", 1, "L1"),
        (4, "done", 0, "L1#1"),
        (4, "queue", 0, "L2"),
        (4, "start", 0, "L2#1"),
        (4, "start", 1, "L1#1"),
        (6, "done", 1, "L1#1"),
        (6, "resolve", 1, "L1"),
        (34, "done", 0, "L2#1"),
        (34, "resolve", 0, "L2"),
    ]
    assert record.first_response.tolist() == [0, 4]
    assert record.resolved.tolist() == [34, 6]


def test_customer_leaves_at_the_exact_patience_time() -> None:
    plan = plan_for()
    record = run_scripted(plan, [
        Scripted(0, [10]),
        Scripted(5, [1], patience=5),  # gone at 10, exactly when the agent is free
        Scripted(6, [1], patience=4.5),  # would wait until 10.5: still there at 10
    ])
    assert events(record, "start", "abandon") == [
        (0, "start", 0, "L1#1"),
        (10, "abandon", 1, "L1"),
        (10, "start", 2, "L1#1"),
    ]
    assert np.isnan(record.first_response[1])
    assert record.abandoned_at[1] == 10
    assert np.isnan(record.abandoned_at[2])


def test_reply_channels_count_the_first_response_when_the_reply_is_sent() -> None:
    plan = plan_for(channels={"email": {"sla": {"within": "4h", "target": "90%"},
                                        "response": "reply"}},
                    arrivals=[{"channel": "email", "rate": "1/h"}])
    record = run_scripted(plan, [Scripted(10, [25])])
    assert record.first_response.tolist() == [35]


def test_dispatcher_answers_first_and_hands_over() -> None:
    plan = plan_for(tiers={
        "dispatcher": {"agents": 1, "handle": {"dist": "deterministic", "value": "1m"},
                       "channels": ["phone"]},
        "L1": {"agents": 1, "handle": {"dist": "exponential", "mean": "10m"}},
    })
    assert plan.channels[0].chain == (0, 1)
    record = run_scripted(plan, [Scripted(2, [1, 10])])
    assert events(record, "start", "done", "resolve") == [
        (2, "start", 0, "dispatcher#1"),
        (3, "done", 0, "dispatcher#1"),
        (3, "start", 0, "L1#1"),
        (13, "done", 0, "L1#1"),
        (13, "resolve", 0, "L1"),
    ]
    assert record.first_response.tolist() == [2]


def test_tickets_unfinished_at_the_horizon_are_kept_with_nan_times() -> None:
    plan = plan_for(horizon="1h")
    record = run_scripted(plan, [Scripted(10, [55]), Scripted(20, [10]),
                                 Scripted(50, [5], patience=5)])
    assert record.first_response[0] == 10 and np.isnan(record.resolved[0])
    assert np.isnan(record.first_response[1]) and np.isnan(record.resolved[1])
    assert record.abandoned_at[2] == 55  # left before the horizon, found at the end
    gone = record.visits[record.visits[:, 0] == 2][0]
    assert gone[2] == -1 and gone[3] == 50 and np.isnan(gone[4]) and gone[5] == 55
    visits = record.visits
    assert visits.shape == (3, 7)
    in_service = visits[visits[:, 0] == 0][0]
    assert in_service[4] == 10 and np.isnan(in_service[5])


def test_queue_area_is_the_integral_of_the_number_waiting() -> None:
    plan = plan_for(horizon="1h")
    record = run_scripted(plan, [Scripted(0, [10]), Scripted(1, [10]), Scripted(2, [10]),
                                 Scripted(3, [1], patience=4)])
    # waiting: ticket 1 over [1, 10], ticket 2 over [2, 20], ticket 3 over [3, 7] (left)
    assert math.isclose(record.queue_area[0], 9 + 18 + 4)


def test_a_business_hours_sla_clock_stops_outside_the_hours() -> None:
    from simdesk.metrics.tables import ticket_table
    from tests.helpers import batch_of

    plan = plan_for(
        horizon="3d",
        channels={"email": {"sla": {"within": "4h", "target": "90%",
                                    "hours": "Mon-Fri 09:00-17:00"}}},
        arrivals=[{"channel": "email", "rate": "1/h"}],
        tiers={"L1": {"agents": [{"shift": "Tue 11:00-17:00", "count": 1}],
                      "handle": {"dist": "exponential", "mean": "5m"}}},
    )
    tickets = [
        Scripted(960, [180]),  # Mon 16:00, answered Tue 11:00: 1 + 2 business hours, met
        Scripted(1080, [10000]),  # Mon 18:00, answered Tue 14:00: 5 business hours, missed
        Scripted(2879, [5]),  # Tue 16:59, still waiting at the horizon after 1m + 8h: missed
    ]
    record = run_scripted(plan, tickets)
    table = ticket_table(plan, batch_of(plan, tickets), record, 0)
    assert table["first_response"].tolist()[:2] == [2100, 2280]
    assert table["wait"].tolist()[:2] == [1140, 1200]
    assert table["sla_met"].tolist() == [True, False, False]
