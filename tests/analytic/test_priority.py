"""Non-preemptive priority (Cobham) for M/M/c and M/G/1."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simdesk.analytic import erlang_c, mg1_priority_waits, mmc_priority_waits


def test_one_class_is_erlang_c() -> None:
    for c in (1, 4, 13):
        rate, handle = 0.9 * c / 3.0, 3.0
        (w,) = mmc_priority_waits([rate], handle, c)
        assert w == pytest.approx(erlang_c(rate, handle, c).asa, rel=1e-12)


def test_two_class_mm1_textbook() -> None:
    # λ1 = λ2 = 0.4, μ = 1: W0 = ρ/μ = 0.8; W1 = 0.8/0.6, W2 = 0.8/(0.6·0.2).
    w1, w2 = mmc_priority_waits([0.4, 0.4], 1.0, 1)
    assert w1 == pytest.approx(0.8 / 0.6)
    assert w2 == pytest.approx(0.8 / (0.6 * 0.2))
    # Same as M/G/1 with exponential moments E[S²] = 2/μ².
    assert mg1_priority_waits([0.4, 0.4], [1.0, 1.0], [2.0, 2.0]) == pytest.approx((w1, w2))


def test_mmc_conservation_law() -> None:
    rates, handle, c = [0.5, 1.2, 0.8, 0.3], 2.0, 6
    waits = mmc_priority_waits(rates, handle, c)
    fifo = erlang_c(sum(rates), handle, c).asa
    assert math.fsum(r * w for r, w in zip(rates, waits, strict=True)) / sum(rates) == (
        pytest.approx(fifo, rel=1e-12)
    )
    assert list(waits) == sorted(waits)  # higher priority never waits longer


def test_mg1_conservation_law_and_pollaczek_khinchine() -> None:
    rates, means, m2 = [0.2, 0.1, 0.15], [1.0, 2.0, 0.5], [3.0, 4.0, 0.25]
    waits = mg1_priority_waits(rates, means, m2)
    rho = sum(r * m for r, m in zip(rates, means, strict=True))
    w0 = sum(r * s / 2 for r, s in zip(rates, m2, strict=True))
    # Kleinrock: Σ ρ_k W_k = ρ W0 / (1 − ρ) for any work-conserving non-preemptive order.
    weighted = math.fsum(r * m * w for r, m, w in zip(rates, means, waits, strict=True))
    assert weighted == pytest.approx(rho * w0 / (1 - rho), rel=1e-12)
    # Identical service for all classes: the arrival-weighted mean is the P-K FIFO wait.
    same = mg1_priority_waits(rates, [1.5] * 3, [5.0] * 3)
    lam = sum(rates)
    pk = lam * 5.0 / 2 / (1 - lam * 1.5)
    assert math.fsum(r * w for r, w in zip(rates, same, strict=True)) / lam == pytest.approx(pk)


def test_overload_keeps_high_classes_finite() -> None:
    # Total load 1.2: class 0 (σ = 0.5) stays stable, class 1 (σ = 1.2) does not.
    waits = mmc_priority_waits([0.5, 0.7], 1.0, 1)
    assert math.isinf(waits[1])
    assert waits[0] == pytest.approx(1.0 / (1.0 * 0.5))  # W0 = 1/(cμ) with servers always busy
    assert mg1_priority_waits([0.5, 0.7], [1.0, 1.0], [2.0, 2.0]) == pytest.approx(waits)
    three = mmc_priority_waits([1.0, 2.0, 5.0], 1.0, 4)
    assert three[0] == pytest.approx(0.25 / (1 - 0.25))
    assert three[1] == pytest.approx(0.25 / ((1 - 0.25) * (1 - 0.75)))
    assert math.isinf(three[2])


@pytest.mark.parametrize(
    ("call", "bad"),
    [
        (lambda: mmc_priority_waits([], 1.0, 1), "empty"),
        (lambda: mmc_priority_waits([0.1, -0.2], 1.0, 1), "got -0.2"),
        (lambda: mmc_priority_waits([0.1], 0.0, 1), "got 0.0"),
        (lambda: mmc_priority_waits([0.1], 1.0, 0), "got 0"),
        (lambda: mg1_priority_waits([0.1], [1.0, 2.0], [2.0]), "equal lengths"),
        (lambda: mg1_priority_waits([0.1], [-1.0], [2.0]), "got -1.0"),
        (lambda: mg1_priority_waits([0.1], [2.0], [3.0]), "got 3.0"),  # E[S²] < E[S]²
    ],
)
def test_invalid_arguments(call: object, bad: str) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match=bad):
        call()


@settings(max_examples=60, deadline=None)
@given(
    rates=st.lists(
        st.floats(0.0, 3.0).filter(lambda r: r == 0 or r > 1e-9), min_size=1, max_size=5
    ),
    handle=st.floats(0.1, 5.0),
    c=st.integers(1, 30),
)
def test_mmc_priority_properties(rates: list[float], handle: float, c: int) -> None:
    waits = mmc_priority_waits(rates, handle, c)
    assert len(waits) == len(rates)
    assert all(w >= 0.0 for w in waits)
    assert all(a <= b for a, b in itertools.pairwise(waits))
    total = sum(rates)
    if 0.0 < total * handle < c * (1 - 1e-6):
        fifo = erlang_c(total, handle, c).asa
        mean = math.fsum(r * w for r, w in zip(rates, waits, strict=True)) / total
        assert mean == pytest.approx(fifo, rel=1e-9, abs=1e-300)
