"""Arrival rates: the weekday × hour model, rates recovered within their errors, surges
found where they are and nowhere else."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from simdesk.fit.arrivals import fit_channel
from simdesk.scenario.profiles import BUILTIN_PROFILES
from simdesk.simulation import simulate

Z = 3.5
START = pd.Timestamp("2026-01-05")  # a Monday


def _arrivals(seed: int, weeks: int, arrival: dict[str, Any],
              surges: list[dict[str, Any]] | None = None) -> pd.Series:
    """Local creation times of one simulated stream (a desk that answers at once)."""
    result = simulate({
        "name": "arrivals", "start": f"{START:%Y-%m-%d}", "horizon": f"{weeks}w",
        "channels": {"email": {"sla": {"within": "4h", "target": "90%"}}},
        "arrivals": [{"channel": "email", **arrival}], "surges": surges or [],
        "tiers": {"L1": {"agents": 50, "handle": {"dist": "exponential", "mean": "1m"}}},
    }, seed=seed, replications=1)
    return pd.Series(START + pd.to_timedelta(result.tickets["arrived"], unit="min"))


def test_a_regular_week_is_fitted_as_weekday_by_hour_factors() -> None:
    """The office profile is a product of weekday and hour factors: AIC prefers the
    30-parameter product to the free table, and each weekday's and hour's total is within
    its Poisson error of the truth."""
    created = _arrivals(41, 4, {"rate": "10/h", "profile": "office"})
    fitted = fit_channel("email", created, START, 28, None)
    assert fitted.model == "product"
    truth = 10 * BUILTIN_PROFILES["office"][1]
    assert fitted.surges == ()
    for axis in (0, 1):
        expected = (truth * fitted.exposure).sum(axis=axis)
        got = (fitted.rates * fitted.exposure).sum(axis=axis)
        assert np.all(np.abs(got - expected) <= Z * np.sqrt(np.maximum(expected, 1))), axis
    assert abs(fitted.weekly - truth.sum()) <= Z * fitted.weekly_se


def test_days_with_their_own_hours_are_fitted_as_a_free_table() -> None:
    """Open Mon-Thu 08:00-18:00 but Friday only 08:00-12:00 and Saturday 10:00-14:00: no
    product of factors can say that, the free table can (8 weeks)."""
    matrix = np.zeros((7, 24))
    matrix[:4, 8:18] = 1.0
    matrix[4, 8:12] = 1.0
    matrix[5, 10:14] = 1.0
    created = _arrivals(42, 8, {"rate": "12/h", "profile": {"matrix": matrix.tolist()}})
    fitted = fit_channel("email", created, START, 56, None)
    assert fitted.model == "matrix"
    assert np.all(fitted.rates[matrix == 0] == 0)
    standard = np.sqrt(12 / fitted.exposure[matrix > 0])
    assert np.all(np.abs(fitted.rates[matrix > 0] - 12) <= 4 * standard)


def test_a_surge_is_found_with_its_hours_and_left_out_of_the_base_rate() -> None:
    """An outage quadruples email for three hours on day 10 (Wednesday 14 January,
    09:00-12:00). It is the only surge found; its window covers those hours and its
    multiplier is 4 within the Poisson error; the base rate is the rate without it."""
    surge = {"at": "day 10 09:00", "for": "3h", "multiplier": 4, "channels": ["email"]}
    created = _arrivals(43, 4, {"rate": "10/h", "profile": "office"}, [surge])
    fitted = fit_channel("email", created, START, 28, None)
    (found,) = fitted.surges
    assert found.day == pd.Timestamp("2026-01-14")
    assert 8 <= found.start_hour <= 9 and 9 <= found.start_hour + found.hours <= 13
    assert abs(found.multiplier - 4) <= Z * math.sqrt(found.window_tickets) / (
        found.window_expected) + 4 * 0.1  # the window's edges may hold an hour off-surge
    assert fitted.daily.loc[fitted.daily["surge"], "day"].tolist() == [found.day]
    truth = 10 * BUILTIN_PROFILES["office"][1]
    assert abs(fitted.weekly - truth.sum()) <= Z * fitted.weekly_se
    assert found.at == "2026-01-14 " + f"{found.start_hour:02d}:00"


def test_ordinary_histories_have_no_surges() -> None:
    """Family-wise, an ordinary channel-history is called surging 1 % of the time: none in
    these ten (the chance of two or more is 0.4 %)."""
    found = sum(len(fit_channel("email", _arrivals(seed, 4, {"rate": "6/h", "profile":
                                                              "consumer"}),
                                START, 28, None).surges) for seed in range(50, 60))
    assert found <= 1


@pytest.mark.parametrize("model", ["matrix", "product"])
def test_the_model_can_be_chosen(model: str) -> None:
    created = _arrivals(44, 2, {"rate": "5/h", "profile": "office"})
    fitted = fit_channel("email", created, START, 14, None, model)
    assert fitted.model == model
    assert set(fitted.aic) == {"matrix", "product"}


def test_a_channel_seen_on_one_day_keeps_that_day_as_its_rate() -> None:
    """Two tickets of a rare channel on the same morning: judged against the other days'
    nothing, that day is far above them, but leaving it out would leave no rate at all
    (and a profile of NaN). It stays in, as the channel's whole history."""
    created = pd.Series(pd.to_datetime(["2026-01-05 08:43", "2026-01-05 08:53"]))
    fitted = fit_channel("twitter", created, START, 28, None)
    assert fitted.surges == ()
    assert fitted.counts.sum() == 2
    assert fitted.weekly == pytest.approx(2 / 4)
