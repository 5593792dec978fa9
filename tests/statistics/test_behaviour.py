"""Behaviour mechanisms against theory: negative binomial days, thinning, M/M/(c·N),
non-preemptive priority (blending), Jackson feedback (reopens), shrinkage shares.

Each check compares the mean of independent replication estimates with its analytic
value, inside the 99.9 % Student-t interval of that mean (``assert_close_to``): a
correct engine fails a check once in 1,000 seeds. ``-m slow`` runs longer variants.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from simdesk import SimulationResult, simulate
from simdesk.analytic import erlang_c, mmc_priority_waits
from simdesk.fates.duty import draw_duty
from simdesk.fates.streams import Streams
from simdesk.fates.tickets import draw_tickets, work_left
from simdesk.plan.compile import compile_plan
from simdesk.plan.diagnostics import tier_load
from simdesk.scenario.calendar import MINUTES_PER_DAY
from simdesk.scenario.load import load_scenario
from tests.helpers import assert_close_to, scenario_dict

EXP = {"dist": "exponential", "mean": "10m"}


def _per_replication(frame: pd.DataFrame, column: str, how: str = "mean") -> list[float]:
    return [float(v) for v in frame.groupby("replication")[column].agg(how).sort_index()]


def _served_waits(result: SimulationResult) -> pd.DataFrame:
    visits = result.visits
    measured = (visits["queued"] >= result.plan.warmup) & visits["start"].notna()
    frame = visits.loc[measured, ["replication", "queued", "start"]].copy()
    frame["wait"] = frame["start"] - frame["queued"]
    return frame


# -- volume ---------------------------------------------------------------------------


@pytest.mark.parametrize(("dist", "cv"), [("gamma", 0.3), ("lognormal", 0.5)])
def test_daily_counts_with_a_random_day_factor_are_overdispersed_as_theory_says(
        dist: str, cv: float) -> None:
    """Poisson counts with a mean-1 day factor of coefficient of variation cv: mean μ and
    variance μ + cv²μ² (with a gamma factor the counts are negative binomial)."""
    rate, days = 20.0, 120  # 480 tickets a day
    data = scenario_dict(horizon=f"{days}d", arrivals=[{"channel": "phone",
                                                         "rate": f"{rate}/h"}],
                         volume={"day_factor": {"dist": dist, "cv": cv}})
    plan = compile_plan(load_scenario(data))
    means, variances = [], []
    for replication in range(20):
        batch = draw_tickets(plan, Streams(11, replication))
        counts = np.bincount((batch.arrived // MINUTES_PER_DAY).astype(int), minlength=days)
        means.append(float(counts.mean()))
        variances.append(float(counts.var(ddof=1)))
    mu = rate * 24
    assert_close_to(means, mu, what="mean daily count")
    assert_close_to(variances, mu + cv**2 * mu**2, what="variance of daily counts")


def test_a_weekly_trend_compounds() -> None:
    rate, weeks = 30.0, 3
    data = scenario_dict(horizon=f"{weeks}w", arrivals=[{"channel": "phone",
                                                          "rate": f"{rate}/h"}],
                         volume={"trend": "10%/w"})
    plan = compile_plan(load_scenario(data))
    growth = []
    for replication in range(20):
        batch = draw_tickets(plan, Streams(12, replication))
        week = np.bincount((batch.arrived // (7 * MINUTES_PER_DAY)).astype(int))
        growth.append(float(week[2] / week[0]))
    # E[N2/N0] ≈ 1.21 (1 + 1/E[N0]) for Poisson counts with E[N0] ≈ 5,300
    expected_week0 = rate * 168 * (1.1 - 1) / np.log(1.1)
    assert_close_to(growth, 1.21 * (1 + 1 / expected_week0), what="week 3 / week 1")


def test_deflection_thins_the_arrival_rate_to_one_minus_d() -> None:
    """Of λ = 30/h, topic a (60 %) is 50 % deflected: the tickets agents see are Poisson
    with rate (1 − 0.6·0.5)·λ — daily counts have that mean and an equal variance."""
    data = scenario_dict(horizon="60d", arrivals=[{"channel": "phone", "rate": "30/h"}],
                         topics={"a": {"share": "60%", "deflection": "50%"}, "b": "40%"})
    plan = compile_plan(load_scenario(data))
    means, variances = [], []
    for replication in range(20):
        batch = draw_tickets(plan, Streams(13, replication))
        assert batch.deflected is not None
        kept = batch.arrived[~batch.deflected]
        counts = np.bincount((kept // MINUTES_PER_DAY).astype(int), minlength=60)
        means.append(float(counts.mean()))
        variances.append(float(counts.var(ddof=1)))
    expected = (1 - 0.6 * 0.5) * 30 * 24
    assert_close_to(means, expected, what="mean daily count reaching agents")
    assert_close_to(variances, expected, what="variance (Poisson: equal to the mean)")


def test_easiest_deflection_takes_the_shortest_tickets_of_the_topic() -> None:
    data = scenario_dict(horizon="30d", arrivals=[{"channel": "phone", "rate": "30/h"}],
                         topics={"a": {"share": "100%",
                                       "deflection": {"share": "40%", "picks": "easiest"}}},
                         tiers={"L1": {"agents": 3, "handle": EXP}})
    plan = compile_plan(load_scenario(data))
    shares = []
    for replication in range(10):
        batch = draw_tickets(plan, Streams(14, replication))
        assert batch.deflected is not None
        handles = batch.handles[:, 0]
        assert handles[batch.deflected].max() < handles[~batch.deflected].min()
        shares.append(float(batch.deflected.mean()))
    assert_close_to(shares, 0.4, what="share deflected")


def test_the_load_check_counts_the_work_easiest_deflection_leaves() -> None:
    """Exponential handle times with mean μ: deflecting the easiest share d leaves the
    work above the d-quantile q = −μ ln(1 − d), a fraction (1 − d)(1 − ln(1 − d)) of the
    whole — more than the 1 − d that random deflection leaves. The fraction comes from
    200,000 draws (standard error ≈ 0.002 at d = 40 %); the simulated work agrees."""
    d = 0.4
    data = scenario_dict(horizon="30d", arrivals=[{"channel": "phone", "rate": "30/h"}],
                         topics={"a": {"share": "100%",
                                       "deflection": {"share": "40%", "picks": "easiest"}}},
                         tiers={"L1": {"agents": 3, "handle": EXP}})
    plan = compile_plan(load_scenario(data))
    left = work_left(plan, plan.channels[0], 0)
    assert left == pytest.approx((1 - d) * (1 - np.log(1 - d)), abs=3.5 * 0.002)
    load, _ = tier_load(plan, 0)
    assert load == pytest.approx(30 / 60 * 10 * left, rel=1e-9)  # λ·E[h]·left, in agents
    work = []
    for replication in range(10):
        batch = draw_tickets(plan, Streams(15, replication))
        assert batch.deflected is not None
        work.append(float(batch.handles[~batch.deflected, 0].sum() / batch.handles[:, 0].sum()))
    assert_close_to(work, left, what="share of work left")


# -- concurrency and blending ---------------------------------------------------------

SIZES = [
    pytest.param({"hours": 1500, "replications": 10}, id="short"),
    pytest.param({"hours": 5000, "replications": 20}, id="long", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("size", SIZES)
def test_chat_concurrency_without_slowdown_is_the_equivalent_mmc(size: dict[str, int]) -> None:
    """3 agents with 3 seats each, no slowdown, exponential handling: M/M/9."""
    rate, handle = 48.0, 10.0
    data = scenario_dict(
        horizon=f"{size['hours']}h", warmup="10h",
        arrivals=[{"channel": "phone", "rate": f"{rate}/h"}],
        tiers={"L1": {"agents": [{"shift": "24x7", "count": 3,
                                  "concurrency": {"max": 3, "slowdown": "0%"}}],
                      "handle": EXP}})
    result = simulate(data, seed=21, replications=size["replications"])
    theory = erlang_c(rate / 60, handle, 9)
    waits = _served_waits(result)
    assert_close_to(_per_replication(waits, "wait"), theory.asa, what="mean wait")
    assert_close_to(_per_replication(waits.assign(late=waits["wait"] > 1), "late"),
                    theory.p_wait * np.exp(-(9 / handle - rate / 60) * 1),
                    what="P(wait > 1 min)")
    utilization = result.summary.query("scope == 'tier' and metric == 'utilization'")
    assert float(utilization["mean"].iloc[0]) == pytest.approx(rate / 60 * handle / 9, rel=0.05)


@pytest.mark.parametrize("size", SIZES)
def test_blended_agents_are_a_non_preemptive_priority_queue(size: dict[str, int]) -> None:
    """Agents who take phone before email, both exponential with one mean: Cobham's
    non-preemptive priority M/M/c per channel; both together still Erlang C."""
    phone, email, agents = 9.0, 12.0, 4
    data = scenario_dict(
        horizon=f"{size['hours']}h", warmup="10h",
        channels={"phone": {"sla": {"within": "1m", "target": "80%"}},
                  "email": {"sla": {"within": "1h", "target": "80%"}}},
        arrivals=[{"channel": "phone", "rate": f"{phone}/h"},
                  {"channel": "email", "rate": f"{email}/h"}],
        tiers={"L1": {"agents": [{"shift": "24x7", "count": agents,
                                  "channels": ["phone", "email"]}], "handle": EXP}})
    result = simulate(data, seed=22, replications=size["replications"])
    tickets = result.tickets.loc[~result.tickets["warmup"] & result.tickets["wait"].notna()]
    theory = mmc_priority_waits([phone / 60, email / 60], 10.0, agents)
    for channel, expected in zip(["phone", "email"], theory, strict=True):
        assert_close_to(_per_replication(tickets.loc[tickets["channel"] == channel], "wait"),
                        expected, what=f"{channel} mean wait")
    assert_close_to(_per_replication(tickets, "wait"),
                    erlang_c((phone + email) / 60, 10.0, agents).asa, what="mean wait of all")


def test_a_blended_agent_never_starts_an_email_while_a_call_waits() -> None:
    data = scenario_dict(
        horizon="3d",
        channels={"phone": {"sla": {"within": "1m", "target": "80%"},
                            "patience": {"dist": "exponential", "mean": "5m"}},
                  "email": {"sla": {"within": "1h", "target": "80%"}}},
        arrivals=[{"channel": "phone", "rate": "20/h"}, {"channel": "email", "rate": "10/h"}],
        tiers={"L1": {"agents": [{"shift": "24x7", "count": 3, "channels": ["phone", "email"]},
                                 {"shift": "24x7", "count": 1, "channels": ["email"]}],
                      "handle": EXP}})
    result = simulate(data, seed=23, replications=3)
    visits = result.visits.merge(result.tickets[["replication", "ticket", "channel"]],
                                 on=["replication", "ticket"])
    blended = {"L1#1", "L1#2", "L1#3"}
    for _, rep in visits.groupby("replication"):
        calls = rep.loc[rep["channel"] == "phone"]
        left = calls["start"].fillna(calls["end"]).fillna(np.inf).to_numpy()
        emails = rep.loc[(rep["channel"] == "email") & rep["agent"].isin(blended)]
        for start in emails["start"].to_numpy():
            waiting = (calls["queued"].to_numpy() < start) & (left > start)
            assert not waiting.any(), f"an email started at {start} while a call waited"
    assert visits["agent"].isin(blended).sum() > 100


def test_a_chat_agent_never_holds_more_than_its_seats() -> None:
    data = scenario_dict(horizon="2d", arrivals=[{"channel": "phone", "rate": "60/h"}],
                         tiers={"L1": {"agents": [{"shift": "24x7", "count": 3, "concurrency":
                                                   {"max": 3, "slowdown": "20%"}}],
                                       "handle": EXP}})
    result = simulate(data, seed=24, replications=2)
    visits = result.visits.loc[result.visits["start"].notna()]
    for _, mine in visits.groupby(["replication", "agent"], observed=True):
        times = np.concatenate([mine["start"], mine["end"].fillna(np.inf)])
        steps = np.concatenate([np.ones(len(mine)), -np.ones(len(mine))])
        order = np.lexsort((steps, times))  # at equal times, ends before starts
        assert np.cumsum(steps[order]).max() == 3


# -- reopens --------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_reopens_are_bernoulli_feedback_in_a_jackson_network(size: dict[str, int]) -> None:
    """Each resolution comes back with chance p after an exponential delay, handled like
    a new ticket: a Jackson network whose service node is M/M/c with λ/(1 − p) (reopens
    capped at 20, which changes nothing measurable at p = 0.25)."""
    rate, p, agents = 18.0, 0.25, 5
    data = scenario_dict(
        horizon=f"{size['hours']}h", warmup="20h",
        arrivals=[{"channel": "phone", "rate": f"{rate}/h"}],
        tiers={"L1": {"agents": agents, "handle": EXP,
                      "reopens": {"share": f"{p:.0%}", "max": 20,
                                  "after": {"dist": "exponential", "mean": "2h"}}}})
    result = simulate(data, seed=25, replications=size["replications"])
    assert_close_to(_per_replication(_served_waits(result), "wait"),
                    erlang_c(rate / 60 / (1 - p), 10.0, agents).asa, what="mean wait")
    tickets = result.tickets.loc[~result.tickets["warmup"]
                                 & (result.tickets["arrived"] < result.plan.horizon - 2000)]
    assert_close_to(_per_replication(tickets, "reopens"), p / (1 - p),
                    what="repeat contacts per ticket")


# -- shrinkage ------------------------------------------------------------------------


def test_absence_and_time_off_the_queue_remove_their_share_of_duty() -> None:
    data = scenario_dict(horizon="8w", tiers={"L1": {
        "agents": [{"shift": "Mon-Fri 09:00-17:00", "count": 6}], "handle": EXP}},
        shrinkage={"absence": "10%", "off_queue": "15%", "block": "30m"})
    plan = compile_plan(load_scenario(data))
    planned = sum(agent.duty_minutes for agent in plan.agents)
    shares, shifts = [], []
    for replication in range(20):
        duty = draw_duty(plan, Streams(26, replication))
        assert duty is not None
        on = sum(end - begin for intervals in duty for begin, end in intervals)
        shares.append(on / planned)
        shifts.append(sum(len({int(b // MINUTES_PER_DAY) for b, _ in intervals})
                          for intervals in duty) / (6 * 40))
    assert_close_to(shares, 0.9 * 0.85, what="share of planned time on the queue")
    # a present agent keeps a shift unless all 16 blocks are off (0.15^16 ≈ 0)
    assert_close_to(shifts, 0.9, what="share of shifts worked")


def test_absence_removes_whole_shifts_in_the_simulation() -> None:
    data = scenario_dict(horizon="2w", tiers={"L1": {"agents": 4, "handle": EXP,
                                                     "shrinkage": {"absence": "100%"}}})
    result = simulate(data, seed=27, replications=2)
    assert result.duty.empty
    assert result.tickets["first_response"].isna().all()
