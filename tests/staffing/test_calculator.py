"""The Erlang calculator: textbook figures and the known case of the issue."""

from __future__ import annotations

import pytest

from simdesk.errors import SimdeskError
from simdesk.staffing.calculator import agents_needed, figures, table

RATE, AHT, WITHIN = 100 / 30, 3.0, 20 / 60  # 100 calls per 30 min, AHT 3 min, 20 s


def test_the_known_case() -> None:
    thirteen = figures(RATE, AHT, WITHIN, 13)
    assert thirteen.service_level == pytest.approx(0.796, abs=0.0006)
    assert thirteen.asa * 60 == pytest.approx(17, abs=0.5)
    assert thirteen.occupancy == pytest.approx(10 / 13)
    assert agents_needed(RATE, AHT, WITHIN, 0.79).agents == 13
    assert agents_needed(RATE, AHT, WITHIN, 0.80).agents == 14  # 13 gives 79.6 %


def test_erlang_a_with_patience_and_its_limits() -> None:
    patient = figures(RATE, AHT, WITHIN, 13, patience=1e9)
    plain = figures(RATE, AHT, WITHIN, 13)
    assert patient.service_level == pytest.approx(plain.service_level, abs=1e-4)
    assert patient.abandonment == pytest.approx(0, abs=1e-6)
    impatient = figures(RATE, AHT, WITHIN, 11, patience=2.0)
    assert impatient.model == "Erlang A" and 0 < impatient.abandonment < impatient.p_wait
    # with customers hanging up, fewer agents reach the same service level
    assert agents_needed(RATE, AHT, WITHIN, 0.8, patience=2.0).agents <= 14


def test_a_table_improves_with_every_agent() -> None:
    rows = table(RATE, AHT, WITHIN, range(11, 18))
    levels = [row.service_level for row in rows]
    assert levels == sorted(levels) and rows[0].agents == 11
    assert [row.asa for row in rows] == sorted((row.asa for row in rows), reverse=True)


def test_an_unstable_count_has_no_service() -> None:
    ten = figures(RATE, AHT, WITHIN, 10)  # offered load is exactly 10 Erlang
    assert ten.service_level == 0 and ten.p_wait == 1


@pytest.mark.parametrize(("args", "message"), [
    ((0, AHT, WITHIN, 10), "the rate and the handle time must be above zero"),
    ((RATE, AHT, WITHIN, 0), "agents must be at least 1, got 0"),
])
def test_bad_input(args: tuple[float, float, float, int], message: str) -> None:
    with pytest.raises(SimdeskError, match=message):
        figures(*args)
