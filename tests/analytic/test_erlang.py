"""Erlang B / C / A against textbook values, direct formulas, dense solves and Monte Carlo."""

from __future__ import annotations

import itertools
import math
import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from scipy.linalg import expm

from simdesk.analytic import (
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_agents,
    erlang_c_probability,
    erlang_c_service_level,
)

# The classic call-centre example: 100 calls per 30 min, AHT 3 min, target 80 % in 20 s.
RATE = 100 / 30  # per minute
AHT = 3.0  # minutes
WITHIN = 20 / 60  # minutes


# ----------------------------------------------------------------------------- Erlang C


def test_textbook_thirteen_agents() -> None:
    res = erlang_c(RATE, AHT, 13)
    assert res.offered_load == pytest.approx(10.0)
    assert res.occupancy == pytest.approx(10 / 13)
    assert res.service_level(WITHIN) == pytest.approx(0.796, abs=0.001)
    assert erlang_c_service_level(RATE, AHT, 13, WITHIN) == res.service_level(WITHIN)
    assert res.asa * 60 == pytest.approx(17.0, abs=0.5)  # seconds
    assert res.mean_queue == pytest.approx(RATE * res.asa)
    assert res.mean_sojourn == pytest.approx(res.asa + AHT)


def test_textbook_staffing() -> None:
    # 13 agents give 79.56 % < 80 %, so an 80 % target needs 14 (88.8 %).
    assert erlang_c_service_level(RATE, AHT, 13, WITHIN) < 0.80
    assert erlang_c_service_level(RATE, AHT, 14, WITHIN) == pytest.approx(0.888, abs=0.001)
    assert erlang_c_agents(RATE, AHT, WITHIN, 0.80) == 14
    assert erlang_c_agents(RATE, AHT, WITHIN, 0.79) == 13
    assert erlang_c_service_level(RATE, AHT, 12, WITHIN) < 0.79
    # Target 0 still demands a stable system; infinite threshold too.
    assert erlang_c_agents(RATE, AHT, WITHIN, 0.0) == 11
    assert erlang_c_agents(RATE, AHT, math.inf, 0.99) == 11
    assert erlang_c_agents(0.0, AHT, WITHIN, 0.99) == 1


def _erlang_b_direct(a: float, c: int) -> float:
    terms = [a**k / math.factorial(k) for k in range(c + 1)]
    return terms[-1] / math.fsum(terms)


def _erlang_c_direct(a: float, c: int) -> float:
    top = a**c / math.factorial(c) * c / (c - a)
    return top / (math.fsum(a**k / math.factorial(k) for k in range(c)) + top)


@pytest.mark.parametrize("c", range(1, 13))
@pytest.mark.parametrize("a", [0.1, 0.5, 0.9, 2.0, 5.5, 10.0])
def test_erlang_b_c_match_factorial_formulas(a: float, c: int) -> None:
    assert erlang_b(a, c) == pytest.approx(_erlang_b_direct(a, c), rel=1e-12)
    if a < c:
        assert erlang_c_probability(a, c) == pytest.approx(_erlang_c_direct(a, c), rel=1e-12)
    else:
        assert erlang_c_probability(a, c) == 1.0


def test_erlang_b_c_hundreds_of_agents_exact_rational() -> None:
    a, c = 480, 500
    terms = [Fraction(a**k, math.factorial(k)) for k in range(c + 1)]
    b_exact = terms[-1] / sum(terms, Fraction(0))
    c_exact = b_exact / (1 - Fraction(a, c) * (1 - b_exact))
    assert erlang_b(a, c) == pytest.approx(float(b_exact), rel=1e-11)
    assert erlang_c_probability(a, c) == pytest.approx(float(c_exact), rel=1e-11)
    res = erlang_c(a / 2.0, 2.0, c)
    assert math.isfinite(res.asa)
    assert 0 < res.service_level(0.1) < 1


def test_unstable_erlang_c_no_exception() -> None:
    res = erlang_c(RATE, AHT, 10)  # a = 10 = c
    assert not res.stable
    assert res.p_wait == 1.0
    assert math.isinf(res.asa)
    assert math.isinf(res.mean_queue)
    assert res.service_level(WITHIN) == 0.0
    assert math.isinf(res.wait_quantile(0.5))


def test_wait_quantile_inverts_service_level() -> None:
    res = erlang_c(RATE, AHT, 13)
    for q in (0.75, 0.8, 0.9, 0.99):
        t = res.wait_quantile(q)
        assert res.service_level(t) == pytest.approx(q, abs=1e-12)
    assert res.wait_quantile(0.5) == 0.0  # more than half never wait
    assert res.service_level(0.0) == pytest.approx(1.0 - res.p_wait)


def test_zero_rate() -> None:
    res = erlang_c(0.0, AHT, 1)
    assert (res.p_wait, res.asa, res.mean_queue) == (0.0, 0.0, 0.0)
    assert res.service_level(0.0) == 1.0
    ra = erlang_a(0.0, AHT, 1, 2.0)
    assert (ra.p_wait, ra.p_abandon, ra.mean_wait) == (0.0, 0.0, 0.0)
    assert ra.service_level(0.0) == 1.0


@pytest.mark.parametrize(
    ("call", "bad"),
    [
        (lambda: erlang_c(-1.0, 3.0, 2), "-1.0"),
        (lambda: erlang_c(math.nan, 3.0, 2), "nan"),
        (lambda: erlang_c(1.0, 0.0, 2), "0.0"),
        (lambda: erlang_c(1.0, math.inf, 2), "inf"),
        (lambda: erlang_c(1.0, 3.0, 0), "0"),
        (lambda: erlang_c(1.0, 3.0, 2.5), "2.5"),  # type: ignore[arg-type]
        (lambda: erlang_c(1.0, 3.0, True), "True"),
        (lambda: erlang_b(-0.5, 2), "-0.5"),
        (lambda: erlang_c_service_level(1.0, 3.0, 5, -1.0), "-1.0"),
        (lambda: erlang_c_agents(1.0, 3.0, 0.3, 1.5), "1.5"),
        (lambda: erlang_c_agents(1.0, 3.0, 0.3, 1.0), "1.0"),
        (lambda: erlang_c(1.0, 3.0, 5).wait_quantile(-0.1), "-0.1"),
        (lambda: erlang_a(1.0, 3.0, 5, 0.0), "0.0"),
        (lambda: erlang_a(1.0, 3.0, 5, -2.0), "-2.0"),
        (lambda: erlang_a(-1.0, 3.0, 5, 2.0), "-1.0"),
        (lambda: erlang_a(1.0, 3.0, 5, 2.0).service_level(-3.0), "-3.0"),
    ],
)
def test_invalid_arguments_raise_value_error(call: object, bad: str) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match=f"got {re.escape(bad)}"):
        call()


@settings(max_examples=60, deadline=None)
@given(
    rate=st.floats(0.01, 50.0),
    handle=st.floats(0.05, 20.0),
    within=st.floats(0.0, 10.0),
    extra=st.integers(0, 5),
)
def test_erlang_c_monotone_in_agents(rate: float, handle: float, within: float, extra: int) -> None:
    c0 = math.floor(rate * handle) + 1 + extra
    lo, hi = erlang_c(rate, handle, c0), erlang_c(rate, handle, c0 + 1)
    assert hi.service_level(within) >= lo.service_level(within) - 1e-12
    assert hi.asa <= lo.asa * (1 + 1e-12)
    assert hi.p_wait <= lo.p_wait * (1 + 1e-12)
    target = lo.service_level(within)
    if 0.0 < target < 1.0:
        assert erlang_c_agents(rate, handle, within, target * (1 - 1e-9)) <= c0


# ----------------------------------------------------------------------------- Erlang A


def _dense_birth_death(
    rate: float, handle: float, c: int, patience: float, states: int
) -> NDArray[np.float64]:
    """Stationary law of the truncated M/M/c+M chain by a dense linear solve of πQ = 0."""
    mu, theta = 1 / handle, 1 / patience
    q = np.zeros((states, states))
    for n in range(states):
        if n + 1 < states:
            q[n, n + 1] = rate
        if n > 0:
            q[n, n - 1] = min(n, c) * mu + max(n - c, 0) * theta
        q[n, n] = -q[n].sum()
    lhs = np.vstack([q.T, np.ones(states)])
    rhs = np.zeros(states + 1)
    rhs[-1] = 1.0
    pi, *_ = np.linalg.lstsq(lhs, rhs, rcond=None)
    return np.asarray(pi, dtype=np.float64)


@pytest.mark.parametrize(
    ("rate", "handle", "c", "patience"),
    [(0.8, 1.0, 1, 2.0), (1.5, 1.0, 1, 0.7), (2.5, 1.0, 3, 4.0), (4.0, 1.0, 3, 1.0)],
)
def test_erlang_a_matches_dense_solve(rate: float, handle: float, c: int, patience: float) -> None:
    res = erlang_a(rate, handle, c, patience)
    pi = _dense_birth_death(rate, handle, c, patience, c + 150)
    queue = np.maximum(np.arange(pi.size) - c, 0)
    mean_queue = float(pi @ queue)
    assert res.p_wait == pytest.approx(float(pi[c:].sum()), rel=1e-9)
    assert res.mean_queue == pytest.approx(mean_queue, rel=1e-9)
    assert res.p_abandon == pytest.approx(mean_queue / patience / rate, rel=1e-9)
    assert res.mean_wait == pytest.approx(mean_queue / rate, rel=1e-9)
    busy = float(pi @ np.minimum(np.arange(pi.size), c))
    assert res.occupancy == pytest.approx(busy / c, rel=1e-9)


def test_mm1_plus_m_closed_form() -> None:
    # M/M/1+M: π(n)/π(0) = (λ/μ) Π_{k=1}^{n-1} λ/(μ + kθ) for n >= 1.
    lam, mu, theta = 0.9, 1.0, 0.25
    ratios = [1.0, lam / mu]
    for k in range(1, 400):
        ratios.append(ratios[-1] * lam / (mu + k * theta))
    p0 = 1 / math.fsum(ratios)
    res = erlang_a(lam, 1 / mu, 1, 1 / theta)
    assert res.p_wait == pytest.approx(1 - p0, rel=1e-12)
    mean_queue = p0 * math.fsum((n - 1) * r for n, r in enumerate(ratios) if n >= 1)
    assert res.mean_queue == pytest.approx(mean_queue, rel=1e-12)


@pytest.mark.parametrize("c", [1, 13, 40])
def test_erlang_a_infinite_patience_is_erlang_c(c: int) -> None:
    handle = 3.0
    rate = 0.85 * c / handle
    ec, ea = erlang_c(rate, handle, c), erlang_a(rate, handle, c, math.inf)
    assert (ea.p_wait, ea.mean_queue, ea.mean_wait, ea.asa_served) == (
        ec.p_wait,
        ec.mean_queue,
        ec.asa,
        ec.asa,
    )
    assert ea.p_abandon == 0.0
    assert ea.service_level(0.5) == ec.service_level(0.5)
    # ... and very long finite patience converges to it (exact chain, not the shortcut).
    eb = erlang_a(rate, handle, c, 1e9)
    assert eb.p_wait == pytest.approx(ec.p_wait, rel=1e-5)
    assert eb.mean_wait == pytest.approx(ec.asa, rel=1e-5)
    assert eb.asa_served == pytest.approx(ec.asa, rel=1e-5)
    for t in (0.0, 0.2, 1.0, 5.0):
        assert eb.service_level(t) == pytest.approx(ec.service_level(t), abs=1e-6)
        assert eb.service_level_served(t) == pytest.approx(ec.service_level(t), abs=1e-6)


def test_erlang_a_unstable_infinite_patience() -> None:
    res = erlang_a(RATE, AHT, 9, math.inf)
    assert res.p_wait == 1.0
    assert math.isinf(res.mean_wait)
    assert res.occupancy == 1.0
    assert res.service_level(1.0) == 0.0


def test_erlang_a_overloaded_hundreds_of_agents() -> None:
    # λ = 2cμ: in the fluid limit half the arrivals abandon and E[Q] ≈ (λ - cμ)/θ.
    res = erlang_a(1000.0, 1.0, 500, 1.0)
    assert res.p_wait == pytest.approx(1.0, abs=1e-9)
    assert res.p_abandon == pytest.approx(0.5, abs=1e-3)
    assert res.mean_queue == pytest.approx(500.0, rel=1e-2)
    assert res.occupancy <= 1.0
    small = erlang_a(450.0, 1.0, 500, 2.0)  # underloaded, large c: no overflow
    assert 0.0 < small.p_wait < 1.0
    assert 0.0 < small.p_abandon < small.p_wait


def test_erlang_a_internal_identities() -> None:
    res = erlang_a(RATE, AHT, 11, 2.0)
    assert res.service_level(0.0) == pytest.approx(1.0 - res.p_wait, abs=1e-14)
    assert res.service_level(math.inf) == pytest.approx(1.0 - res.p_abandon, rel=1e-12)
    assert res.p_abandon_within(math.inf) == pytest.approx(res.p_abandon, rel=1e-12)
    assert res.p_abandon_within(0.0) == 0.0
    assert res.service_level_served(math.inf) == pytest.approx(1.0, abs=1e-12)
    assert res.asa_served < res.mean_wait * 2  # finite and of the right magnitude
    sls = [res.service_level(t) for t in np.linspace(0, 10, 21)]
    assert all(b >= a for a, b in itertools.pairwise(sls))


def test_erlang_a_service_level_matches_matrix_exponential() -> None:
    """Per-state tagged-customer chain solved with expm, mixed over a dense-solve π."""
    rate, handle, c, patience = 3.2, 1.0, 3, 1.5
    mu, theta = 1 / handle, 1 / patience
    res = erlang_a(rate, handle, c, patience)
    jmax = 80
    pi = _dense_birth_death(rate, handle, c, patience, c + jmax + 1)
    # States: position j = 0..jmax (j ahead), then S (served), A (abandoned).
    s_idx, a_idx = jmax + 1, jmax + 2
    gen = np.zeros((jmax + 3, jmax + 3))
    for j in range(jmax + 1):
        gen[j, j - 1 if j > 0 else s_idx] += c * mu + j * theta
        gen[j, a_idx] += theta
        gen[j, j] = -(c * mu + (j + 1) * theta)
    for t in (0.1, 0.5, 1.0, 3.0):
        trans = expm(gen * t)
        served_by = 1.0 - float(pi[c:].sum()) + float(pi[c:] @ trans[: jmax + 1, s_idx])
        abandoned_by = float(pi[c:] @ trans[: jmax + 1, a_idx])
        assert res.service_level(t) == pytest.approx(served_by, abs=1e-10)
        assert res.p_abandon_within(t) == pytest.approx(abandoned_by, abs=1e-10)


def _simulate_erlang_a(
    rate: float, handle: float, c: int, patience: float, reps: int, n: int, warm: int, seed: int
) -> dict[str, NDArray[np.float64]]:
    """FIFO M/M/c+M, ``reps`` independent replications advanced in lockstep (vectorized).

    Exact FIFO recursion: customer i's offered wait is max(0, earliest agent-free time −
    arrival), counting only earlier *served* customers; it is served iff that wait ≤ its
    patience, and then occupies the earliest-free agent.
    """
    rng = np.random.default_rng(seed)
    arrivals = np.cumsum(rng.exponential(1 / rate, (reps, n)), axis=1)
    services = rng.exponential(handle, (reps, n))
    patiences = rng.exponential(patience, (reps, n))
    free = np.zeros((reps, c))
    offered = np.empty((reps, n))
    rows = np.arange(reps)
    for i in range(n):
        k = np.argmin(free, axis=1)
        earliest = free[rows, k]
        w = np.maximum(earliest - arrivals[:, i], 0.0)
        offered[:, i] = w
        served = w <= patiences[:, i]
        free[rows, k] = np.where(served, arrivals[:, i] + w + services[:, i], earliest)
    offered, pat = offered[:, warm:], patiences[:, warm:]
    served = offered <= pat
    waited = np.minimum(offered, pat)
    out: dict[str, NDArray[np.float64]] = {
        "p_wait": (offered > 0).mean(axis=1),
        "p_abandon": (~served).mean(axis=1),
        "mean_wait": waited.mean(axis=1),
        "served_wait": np.where(served, offered, 0.0).sum(axis=1) / served.sum(axis=1),
    }
    for t in (0.25, 1.0, 3.0):
        out[f"sl_{t}"] = (served & (offered <= t)).mean(axis=1)
        out[f"ab_{t}"] = (~served & (pat <= t)).mean(axis=1)
    return out


def test_erlang_a_against_monte_carlo() -> None:
    rate, handle, c, patience = 2.8, 1.0, 3, 2.0  # ρ ≈ 0.93, noticeable abandonment
    res = erlang_a(rate, handle, c, patience)
    sim = _simulate_erlang_a(rate, handle, c, patience, reps=400, n=3000, warm=300, seed=20260105)
    expected = {
        "p_wait": res.p_wait,
        "p_abandon": res.p_abandon,
        "mean_wait": res.mean_wait,
        "served_wait": res.asa_served,
    }
    for t in (0.25, 1.0, 3.0):
        expected[f"sl_{t}"] = res.service_level(t)
        expected[f"ab_{t}"] = res.p_abandon_within(t)
    for key, value in expected.items():
        x = sim[key]
        se = float(x.std(ddof=1)) / math.sqrt(x.size)
        assert abs(float(x.mean()) - value) < 4 * se + 1e-9, (key, float(x.mean()), value, se)


@settings(max_examples=40, deadline=None)
@given(
    rate=st.floats(0.05, 30.0),
    handle=st.floats(0.1, 10.0),
    c=st.integers(1, 60),
    patience=st.floats(0.05, 50.0),
    within=st.floats(0.0, 20.0),
)
def test_erlang_a_properties(
    rate: float, handle: float, c: int, patience: float, within: float
) -> None:
    res = erlang_a(rate, handle, c, patience)
    assert 0.0 <= res.p_abandon <= res.p_wait <= 1.0
    assert 0.0 <= res.service_level(within) <= 1.0 - res.p_abandon + 1e-12
    assert res.service_level(math.inf) == pytest.approx(1.0 - res.p_abandon, abs=1e-10)
    more = erlang_a(rate, handle, c + 1, patience)
    assert more.service_level(within) >= res.service_level(within) - 1e-10
    assert more.p_abandon <= res.p_abandon + 1e-12
    ec = erlang_c(rate, handle, c)
    assert res.p_wait <= ec.p_wait + 1e-12  # impatience only relieves congestion
