"""Pre-emptive-resume priority in M/G/1: textbook cases and the conservation law."""

from __future__ import annotations

import math

import pytest

from simdesk.analytic import mg1_preemptive_sojourns, mg1_priority_waits


def test_one_class_is_pollaczek_khinchine() -> None:
    rate, mean, second = 0.4, 1.5, 4.0  # ρ = 0.6
    (sojourn,) = mg1_preemptive_sojourns([rate], [mean], [second])
    assert sojourn == pytest.approx(mean + rate * second / 2 / (1 - rate * mean))


def test_two_class_mm1_textbook() -> None:
    # λ1 = 0.3, λ2 = 0.4, μ = 1: class 1 is M/M/1 alone; class 2's sojourn is
    # 1/(μ(1−ρ1)) + (ρ/μ)/((1−ρ1)(1−ρ)) (Harchol-Balter §32.3).
    high, low = mg1_preemptive_sojourns([0.3, 0.4], [1.0, 1.0], [2.0, 2.0])
    assert high == pytest.approx(1 / (1 - 0.3))
    assert low == pytest.approx(1 / 0.7 + 0.7 / (0.7 * 0.3))


def test_equal_exponential_classes_conserve_the_mm1_number_in_system() -> None:
    """Same exponential service for every class: the order of service does not change the
    number in system, so the rate-weighted mean sojourn is M/M/1's 1/(μ − λ)."""
    rates = [0.1, 0.25, 0.3]
    sojourns = mg1_preemptive_sojourns(rates, [1.0] * 3, [2.0] * 3)
    mean = math.fsum(r * t for r, t in zip(rates, sojourns, strict=True)) / sum(rates)
    assert mean == pytest.approx(1 / (1 - sum(rates)))
    assert list(sojourns) == sorted(sojourns)


def test_the_top_class_never_waits_for_lower_ones() -> None:
    """Against non-pre-emptive priority (Cobham), the top class loses the residual work of
    the classes below it."""
    rates, means, seconds = [0.3, 0.4], [1.0, 1.0], [2.0, 2.0]
    waits = mg1_priority_waits(rates, means, seconds)
    sojourns = mg1_preemptive_sojourns(rates, means, seconds)
    assert sojourns[0] < waits[0] + means[0]


def test_overload_is_infinite_from_the_class_that_saturates() -> None:
    sojourns = mg1_preemptive_sojourns([0.5, 0.7], [1.0, 1.0], [2.0, 2.0])
    assert math.isfinite(sojourns[0]) and math.isinf(sojourns[1])


@pytest.mark.parametrize(("args", "bad"), [
    (([], [], []), "non-empty"),
    (([0.1], [1.0, 2.0], [2.0]), "equal"),
    (([-0.1], [1.0], [2.0]), "rates\\[0\\]"),
    (([0.1], [math.nan], [2.0]), "means\\[0\\]"),
])
def test_invalid_arguments(args: tuple[list[float], ...], bad: str) -> None:
    with pytest.raises(ValueError, match=bad):
        mg1_preemptive_sojourns(*args)
