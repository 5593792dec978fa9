"""What the desk rules did, on scripted tickets: the engine's exact records of
interruptions and rests (:class:`~simdesk.engine.records.RuleRecord`), and the metrics
computed from them (:mod:`simdesk.metrics.rules`), counted by hand."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from simdesk.engine.records import RULE_COLUMNS, RunRecord
from simdesk.metrics.rules import rule_features, rule_metrics, rule_table
from simdesk.metrics.tables import duty_table, ticket_table, visit_table
from simdesk.plan.model import DeskPlan
from tests.engine.test_desk_rules import (
    EMAIL,
    FOUR,
    HANDLE,
    TICKETS,
    _blended,
    _capped,
    _two_tiers,
)
from tests.helpers import Scripted, batch_of, plan_for, run_scripted


def _events(record: RunRecord) -> list[list[float]]:
    assert record.rules is not None
    return record.rules.events.tolist()


def _metrics(plan: DeskPlan, tickets: list[Scripted]) -> dict[tuple[str, str, str], float]:
    """The rule metrics of one scripted replication."""
    record = run_scripted(plan, tickets)
    batch = batch_of(plan, tickets)
    long = rule_metrics(plan, ticket_table(plan, batch, record, 0), visit_table(plan, record, 0),
                        duty_table(plan, record, 0), rule_table(plan, record, 0))
    return {(s, g, m): v for s, g, m, v in long[["scope", "group", "metric", "value"]]
            .itertuples(index=False)}


# -- pre-emption ----------------------------------------------------------------------------

INTERRUPTED = [Scripted(0, [10], channel=EMAIL), Scripted(4, [3]), Scripted(5, [2]),
               Scripted(6, [4], channel=EMAIL)]
"""Email 0 is set aside at 4 for call 1 and resumed at 9 (test_desk_rules)."""


def test_an_interruption_is_recorded_with_its_restart_cost() -> None:
    record = run_scripted(_blended("1m"), INTERRUPTED)
    # kind 0 (interrupt), at 4, ticket 0, agent 0, 1 minute to pick it up again
    assert _events(record) == [[0, 4, 0, 0, 1]]


def test_each_interruption_of_a_ticket_is_recorded() -> None:
    record = run_scripted(_blended("30s"), [
        Scripted(0, [10], channel=EMAIL), Scripted(2, [1]), Scripted(5, [1])])
    # set aside at 2 (8 left), resumed at 3 (due 11.5), set aside again at 5 (6.5
    # left), resumed at 6 (due 13)
    assert _events(record) == [[0, 2, 0, 0, 0.5], [0, 5, 0, 0, 0.5]]
    assert record.resolved.tolist() == [13, 3, 6]


def test_interrupted_counts_tickets_and_restart_hours_count_interruptions() -> None:
    plan = _blended("30s", horizon="1d")
    values = _metrics(plan, [Scripted(0, [10], channel=EMAIL), Scripted(2, [1]),
                             Scripted(5, [1]), Scripted(20, [3], channel=EMAIL)])
    assert values["channel", "email", "interrupted"] == 0.5  # email 0 of emails 0 and 3
    assert values["channel", "phone", "interrupted"] == 0.0
    assert values["overall", "all", "interrupted"] == 0.25
    assert values["overall", "all", "restart_hours"] == pytest.approx(2 * 0.5 / 60)  # one day


def test_a_call_that_finds_an_idle_agent_records_nothing() -> None:
    record = run_scripted(_blended(agents=2), [
        Scripted(0, [10], channel=EMAIL), Scripted(2, [3])])
    assert record.rules is not None
    assert record.rules.events.shape == (0, RULE_COLUMNS)


# -- occupancy caps ---------------------------------------------------------------------


def test_rests_until_back_under_the_cap_are_recorded_with_their_length() -> None:
    record = run_scripted(_capped({"cap": "50%", "window": "1h"}), FOUR)
    # rests at 40 (until 70) and 110 (until 140): kind 1, no ticket, agent 0
    assert _events(record) == [[1, 40, -1, 0, 30], [1, 110, -1, 0, 30]]


def test_fixed_rests_are_recorded() -> None:
    record = run_scripted(_capped({"cap": "50%", "window": "1h", "rest": "5m"}), FOUR)
    assert _events(record) == [[1, 40, -1, 0, 5], [1, 65, -1, 0, 5], [1, 90, -1, 0, 5]]


def _short_shift(rest: str) -> Any:
    return plan_for(tiers={"L1": {"agents": [
        {"shift": "daily 09:00-10:00", "count": 1,
         "occupancy": {"cap": "50%", "window": "1h", "rest": rest}}], "handle": HANDLE}})


def test_a_rest_past_the_end_of_the_shift_counts_until_it_ends() -> None:
    record = run_scripted(_short_shift("30m"), [Scripted(540, [40]), Scripted(541, [5])])
    assert _events(record) == [[1, 580, -1, 0, 20]]  # the shift ends at 600


def test_rests_and_rest_share_per_tier() -> None:
    plan = _capped({"cap": "50%", "window": "1h"})
    values = _metrics(plan, FOUR)
    # on the queue [0, 40], [70, 110], [140, 1440] = 1380 minutes; resting 60
    assert values["tier", "L1", "rests"] == pytest.approx(2 / (1380 / 480))
    assert values["tier", "L1", "rest_share"] == pytest.approx(60 / 1440)


def test_a_tier_without_capped_agents_has_no_rest_values() -> None:
    plan = plan_for(tiers={
        "L1": {"agents": [{"shift": "24x7", "count": 1,
                           "occupancy": {"cap": "50%", "window": "1h"}}],
               "handle": HANDLE, "resolves": "50%", "escalate_to": "L2"},
        "L2": {"agents": 1, "handle": HANDLE}})
    values = _metrics(plan, [Scripted(0, [20, 5]), Scripted(1, [20, 5])])
    assert math.isnan(values["tier", "L2", "rests"])
    assert math.isnan(values["tier", "L2", "rest_share"])
    # L1#1 works [0, 40], then rests 30 minutes (40 of the last 60 busy); the day has
    # 1440 minutes on the queue or resting
    assert values["tier", "L1", "rest_share"] == pytest.approx(30 / 1440)


# -- cross-tier help --------------------------------------------------------------------


def test_help_records_nothing_of_its_own() -> None:
    record = run_scripted(_two_tiers({"tier": "L1"}), TICKETS)
    assert record.rules is not None and record.rules.events.shape == (0, RULE_COLUMNS)


def test_helped_and_helping_count_the_helpers_visits() -> None:
    values = _metrics(_two_tiers({"tier": "L1"}), TICKETS)
    # L1 served tickets 0 (L1#1), 1, 2, 3 (L2#1); L2 served ticket 3 itself
    assert values["tier", "L1", "helped"] == 0.75
    assert values["tier", "L2", "helped"] == 0.0
    # L2#1 worked 4 + 3 + 5 minutes on L1's tickets, 6 on its own
    assert values["tier", "L2", "helping"] == pytest.approx(12 / 18)
    assert values["tier", "L1", "helping"] == 0.0


# -- off means nothing --------------------------------------------------------------------


def test_a_desk_without_rules_has_no_rule_record_and_an_empty_table() -> None:
    plan = plan_for()
    record = run_scripted(plan, [Scripted(0, [5])])
    assert record.rules is None
    assert rule_features(plan) == set()
    table = rule_table(plan, record, 0)
    assert table.empty and list(table.columns) == [
        "replication", "rule", "time", "ticket", "agent", "tier", "minutes"]
    assert rule_metrics(plan, ticket_table(plan, batch_of(plan, [Scripted(0, [5])]), record, 0),
                        visit_table(plan, record, 0), duty_table(plan, record, 0),
                        table).empty


def test_the_features_follow_the_rules_written() -> None:
    assert rule_features(_blended()) == {"preemption"}
    assert rule_features(_two_tiers({"tier": "L1"})) == {"help"}
    assert rule_features(_capped({"cap": "50%", "window": "1h"})) == {"occupancy"}
    assert isinstance(rule_table(_blended(), run_scripted(_blended(), INTERRUPTED), 3),
                      pd.DataFrame)
    assert np.all(rule_table(_blended(), run_scripted(_blended(), INTERRUPTED), 3)
                  ["replication"] == 3)
