"""The customer rules against exact Markov chains: the busy signal against M/M/c/K, redial
against a retrial queue's birth–death chain (orbit truncated far beyond its mass), overflow
against the two-station loss system. Fixed seeds; tolerances from standard errors."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest

import simdesk
from simdesk.scenario.load import load_scenario
from tests.helpers import assert_close_to, scenario_dict

HORIZON = "10d"
WARMUP = "1d"
CUT = 9 * 1440.0
"""Customers who arrive in the last day are left out: they may still be redialing."""


def _run(replications: int, **overrides: Any) -> Any:
    spec = scenario_dict(horizon=HORIZON, warmup=WARMUP, **overrides)
    return simdesk.simulate(load_scenario(spec), seed=7, replications=replications)


def _per_replication(tickets: Any, column: str, channel: str | None = None) -> list[float]:
    rows = tickets[(~tickets["warmup"]) & (tickets["arrived"] < CUT)]
    if channel is not None:
        rows = rows[rows["channel"] == channel]
    return [float(v) for v in rows.groupby("replication")[column].mean()]


def stationary(generator: np.ndarray) -> np.ndarray:
    """π with πQ = 0, Σπ = 1 (a dense solve)."""
    n = len(generator)
    system = np.vstack([generator.T, np.ones(n)])
    rhs = np.zeros(n + 1)
    rhs[-1] = 1.0
    pi, *_ = np.linalg.lstsq(system, rhs, rcond=None)
    return np.asarray(pi)


def mmck_blocking(rate: float, mean: float, servers: int, room: int) -> float:
    """P(an arrival finds all ``servers`` busy and ``room`` waiting) in M/M/c/K."""
    a = rate * mean
    terms = [a**n / math.factorial(n) if n <= servers
             else a**servers / math.factorial(servers) * (a / servers) ** (n - servers)
             for n in range(servers + room + 1)]
    return terms[-1] / math.fsum(terms)


def test_mmck_blocking_formula_against_the_chain() -> None:
    rate, mean, c, room = 0.4, 5.0, 2, 3
    size = c + room + 1
    q = np.zeros((size, size))
    for n in range(size - 1):
        q[n, n + 1] = rate
        q[n + 1, n] = min(n + 1, c) / mean
    np.fill_diagonal(q, -q.sum(axis=1))
    assert stationary(q)[-1] == pytest.approx(mmck_blocking(rate, mean, c, room), rel=1e-10)


def test_busy_signal_matches_mmck() -> None:
    """Two agents, three places in the queue, Poisson 24/h, exponential 5 m: the share of
    customers blocked is M/M/2/5's blocking probability (PASTA)."""
    result = _run(8, channels={"phone": {"sla": {"within": "30s", "target": "80%"},
                                         "queue_limit": 3}},
                  arrivals=[{"channel": "phone", "rate": "24/h"}],
                  tiers={"L1": {"agents": 2, "handle": {"dist": "exponential",
                                                         "mean": "5m"}}})
    expected = mmck_blocking(24 / 60, 5.0, 2, 3)
    assert 0.05 < expected < 0.3
    assert_close_to(_per_replication(result.tickets, "blocked"), expected, what="blocked")


def test_tier_queue_limit_counts_every_channel() -> None:
    """A tier's limit holds the queue of two channels together: M/M/2/4 on their sum."""
    result = _run(6, channels={"phone": {"sla": {"within": "30s", "target": "80%"}},
                               "chat": {"sla": {"within": "1m", "target": "80%"}}},
                  arrivals=[{"channel": "phone", "rate": "12/h"},
                            {"channel": "chat", "rate": "12/h"}],
                  tiers={"L1": {"agents": 2, "queue_limit": 2,
                                "handle": {"dist": "exponential", "mean": "5m"}}})
    assert_close_to(_per_replication(result.tickets, "blocked"),
                    mmck_blocking(24 / 60, 5.0, 2, 2), what="blocked, both channels")


def retrial_chain(rate: float, mean: float, servers: int, retry_mean: float, share: float,
                  orbit: int) -> tuple[float, float]:
    """A retrial queue with no waiting room: an arrival finding every server busy joins
    the orbit with probability ``share`` (else is lost); each orbiting customer retries
    at rate 1/``retry_mean``, and a failed retry stays in orbit with probability
    ``share``. States (busy, orbiting), the orbit truncated at ``orbit``. Returns
    (share of customers lost, attempts per customer)."""
    mu, theta = 1 / mean, 1 / retry_mean
    index = {state: k for k, state in
             enumerate(itertools.product(range(servers + 1), range(orbit + 1)))}
    q = np.zeros((len(index), len(index)))
    for (i, j), k in index.items():
        if i < servers:
            q[k, index[i + 1, j]] += rate
            if j:
                q[k, index[i + 1, j - 1]] += j * theta
        else:
            if j < orbit:
                q[k, index[i, j + 1]] += rate * share
            if j:
                q[k, index[i, j - 1]] += j * theta * (1 - share)
        if i:
            q[k, index[i - 1, j]] += i * mu
    np.fill_diagonal(q, -q.sum(axis=1))
    pi = stationary(q)
    full = sum(pi[index[servers, j]] for j in range(orbit + 1))
    orbiting = sum(j * pi[k] for (_, j), k in index.items())
    busy_orbit = sum(j * pi[index[servers, j]] for j in range(orbit + 1))
    assert sum(pi[index[i, orbit]] for i in range(servers + 1)) < 1e-12  # truncation
    lost = (rate * full + theta * busy_orbit) * (1 - share) / rate
    return lost, (rate + theta * orbiting) / rate


def test_redial_matches_the_retrial_queue_chain() -> None:
    """Two agents, no queue (``queue_limit: 0``): a busy signal sends 70 % into orbit,
    each retry after Exp(6 m), 70 % again after each failure (at most 40 retries: their
    chance is 0.7**40 ≈ 6e-7). Lost customers and attempts per customer as the chain."""
    redial = {"share": "70%", "after": {"dist": "exponential", "mean": "6m"}, "max": 40}
    result = _run(8, channels={"phone": {"sla": {"within": "30s", "target": "80%"},
                                         "queue_limit": 0, "redial": redial}},
                  arrivals=[{"channel": "phone", "rate": "18/h"}],
                  tiers={"L1": {"agents": 2, "handle": {"dist": "exponential",
                                                         "mean": "5m"}}})
    lost, attempts = retrial_chain(18 / 60, 5.0, 2, 6.0, 0.7, 80)
    assert 0.05 < lost < 0.3 and attempts > 1.2
    assert_close_to(_per_replication(result.tickets, "blocked"), lost, what="lost")
    assert_close_to(_per_replication(result.tickets, "attempts"), attempts, what="attempts")


def overflow_chain(rates: tuple[float, float], mean: float, servers: tuple[int, int]
                   ) -> tuple[float, float, float]:
    """Two loss stations; station 1's blocked arrivals try station 2. Returns (share of
    station-1 arrivals that overflow, that are lost, share of station-2's own arrivals
    lost)."""
    c1, c2 = servers
    index = {s: k for k, s in enumerate(itertools.product(range(c1 + 1), range(c2 + 1)))}
    q = np.zeros((len(index), len(index)))
    for (i, j), k in index.items():
        if i < c1:
            q[k, index[i + 1, j]] += rates[0]
        elif j < c2:
            q[k, index[i, j + 1]] += rates[0]
        if j < c2:
            q[k, index[i, j + 1]] += rates[1]
        if i:
            q[k, index[i - 1, j]] += i / mean
        if j:
            q[k, index[i, j - 1]] += j / mean
    np.fill_diagonal(q, -q.sum(axis=1))
    pi = stationary(q)
    first_full = sum(pi[index[c1, j]] for j in range(c2 + 1))
    both_full = pi[index[c1, c2]]
    second_full = sum(pi[index[i, c2]] for i in range(c1 + 1))
    return first_full, both_full, second_full


def test_overflow_matches_the_two_station_chain() -> None:
    """Phone (2 agents, no queue) overflows to chat (1 agent, no queue) when full; chat
    also has its own arrivals. Overflow share, phone losses and chat's own losses."""
    none = {"sla": {"within": "30s", "target": "80%"}, "queue_limit": 0}
    result = _run(8, channels={"phone": {**none, "overflow": {"to": "chat", "full": True}},
                               "chat": none},
                  arrivals=[{"channel": "phone", "rate": "18/h"},
                            {"channel": "chat", "rate": "6/h"}],
                  tiers={"P": {"agents": 2, "channels": ["phone"],
                               "handle": {"dist": "exponential", "mean": "5m"}},
                         "C": {"agents": 1, "channels": ["chat"],
                               "handle": {"dist": "exponential", "mean": "5m"}}})
    overflow, lost, chat_lost = overflow_chain((18 / 60, 6 / 60), 5.0, (2, 1))
    tickets = result.tickets
    from_phone = tickets["overflowed_from"] == "phone"
    born_phone = (tickets["channel"] == "phone") | from_phone
    phone = tickets[born_phone].assign(
        overflowed=from_phone[born_phone].astype(float))
    assert_close_to(_per_replication(phone, "overflowed"), overflow, what="overflowed")
    assert_close_to(_per_replication(phone, "blocked"), lost, what="lost")
    own_chat = tickets[(tickets["channel"] == "chat") & ~from_phone]
    assert_close_to(_per_replication(own_chat, "blocked"), chat_lost, what="chat lost")


def test_negative_controls_the_twins_tell_near_models_apart() -> None:
    """The tolerances are tight enough to fail on a near miss: one place fewer in the
    queue, or customers who never come back, are rejected."""
    result = _run(8, channels={"phone": {"sla": {"within": "30s", "target": "80%"},
                                         "queue_limit": 3}},
                  arrivals=[{"channel": "phone", "rate": "24/h"}],
                  tiers={"L1": {"agents": 2, "handle": {"dist": "exponential",
                                                         "mean": "5m"}}})
    with pytest.raises(AssertionError):
        assert_close_to(_per_replication(result.tickets, "blocked"),
                        mmck_blocking(24 / 60, 5.0, 2, 2), what="one place fewer")
    redial = {"share": "70%", "after": {"dist": "exponential", "mean": "6m"}, "max": 40}
    retrial = _run(8, channels={"phone": {"sla": {"within": "30s", "target": "80%"},
                                          "queue_limit": 0, "redial": redial}},
                   arrivals=[{"channel": "phone", "rate": "18/h"}],
                   tiers={"L1": {"agents": 2, "handle": {"dist": "exponential",
                                                          "mean": "5m"}}})
    lost_without_redial, _ = retrial_chain(18 / 60, 5.0, 2, 6.0, 0.0, 80)
    with pytest.raises(AssertionError):
        assert_close_to(_per_replication(retrial.tickets, "blocked"), lost_without_redial,
                        what="no redial")


@pytest.mark.slow
def test_redial_matches_the_chain_without_losses_at_high_load() -> None:
    """A heavier variant over more replications: three agents at 72 % offered load, every
    blocked caller retries (share 100 %, at most 60 times) — none is lost, and the
    attempts per customer are the chain's."""
    redial = {"share": "100%", "after": {"dist": "exponential", "mean": "4m"}, "max": 60}
    result = _run(20, channels={"phone": {"sla": {"within": "30s", "target": "80%"},
                                          "queue_limit": 0, "redial": redial}},
                  arrivals=[{"channel": "phone", "rate": "21.6/h"}],
                  tiers={"L1": {"agents": 3, "handle": {"dist": "exponential",
                                                         "mean": "5m"}}})
    lost, attempts = retrial_chain(21.6 / 60, 5.0, 3, 4.0, 1.0, 120)
    assert lost == pytest.approx(0.0, abs=1e-12)
    assert_close_to(_per_replication(result.tickets, "attempts"), attempts, what="attempts")
