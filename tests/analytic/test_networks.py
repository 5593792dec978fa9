"""M/M/c sojourn and tandem Jackson networks: closed forms and a vectorized Lindley simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.typing import NDArray

from simdesk.analytic import Station, erlang_c, jackson_tandem_sojourn, mmc_mean_sojourn


def test_mm1_and_mm2_closed_forms() -> None:
    lam, mu = 0.7, 1.0
    assert mmc_mean_sojourn(lam, 1 / mu, 1) == pytest.approx(1 / (mu - lam), rel=1e-12)
    rho = 1.5 / (2 * mu)
    assert mmc_mean_sojourn(1.5, 1 / mu, 2) == pytest.approx(1 / (mu * (1 - rho**2)), rel=1e-12)
    assert math.isinf(mmc_mean_sojourn(2.0, 1.0, 2))


def test_l1_l2_escalation() -> None:
    lam, p = 6.0, 0.25
    res = jackson_tandem_sojourn(lam, [(0.5, 4, p), (3.0, 6, 0.0)])
    w1 = mmc_mean_sojourn(lam, 0.5, 4)
    w2 = mmc_mean_sojourn(p * lam, 3.0, 6)
    assert res.arrival_rates == pytest.approx((lam, p * lam))
    assert res.visit_probabilities == (1.0, p)
    assert res.sojourns == pytest.approx((w1, w2))
    assert res.waits == pytest.approx((w1 - 0.5, w2 - 3.0))
    assert res.path_sojourn(1) == pytest.approx(w1)
    assert res.path_sojourn(2) == pytest.approx(w1 + w2)  # escalated tickets
    assert res.mean_total_sojourn == pytest.approx(w1 + p * w2)
    # Little: total mean number in the network / λ.
    in_system = sum(r * w for r, w in zip(res.arrival_rates, res.sojourns, strict=True))
    assert res.mean_total_sojourn == pytest.approx(in_system / lam)
    assert res.stable
    assert res.occupancies == pytest.approx((0.75, 0.75))


def test_station_objects_last_p_ignored_and_unstable() -> None:
    a = jackson_tandem_sojourn(2.0, [Station(1.0, 3, 0.5), Station(1.0, 1, 0.9)])
    b = jackson_tandem_sojourn(2.0, [(1.0, 3, 0.5), (1.0, 1, 0.0)])
    assert a == b
    bad = jackson_tandem_sojourn(2.0, [(1.0, 3, 0.8), (1.0, 1, 0.0)])  # λ2 = 1.6 > μ2
    assert not bad.stable
    assert math.isinf(bad.sojourns[1]) and math.isinf(bad.mean_total_sojourn)
    assert math.isfinite(bad.path_sojourn(1))
    unused = jackson_tandem_sojourn(2.0, [(1.0, 3, 0.0), (5.0, 1, 0.0)])
    assert unused.arrival_rates[1] == 0.0
    assert unused.sojourns[1] == 5.0
    assert unused.mean_total_sojourn == pytest.approx(erlang_c(2.0, 1.0, 3).mean_sojourn)


@pytest.mark.parametrize(
    ("stations", "bad"),
    [
        ([], "empty"),
        ([(1.0, 0, 0.5)], "got 0"),
        ([(-1.0, 1, 0.5)], "got -1.0"),
        ([(1.0, 1, 1.5)], "got 1.5"),
        ([(1.0, 1, 0.5), (2.0, 1, -0.1)], "got -0.1"),
        ([(1.0,)], r"got \(1.0,\)"),
    ],
)
def test_invalid_stations(stations: list[tuple[float, int, float]], bad: str) -> None:
    with pytest.raises(ValueError, match=bad):
        jackson_tandem_sojourn(1.0, stations)


def test_invalid_rate_and_path_index() -> None:
    with pytest.raises(ValueError, match=r"got -2\.0"):
        jackson_tandem_sojourn(-2.0, [(1.0, 1, 0.0)])
    with pytest.raises(ValueError, match="got 3"):
        jackson_tandem_sojourn(0.5, [(1.0, 1, 0.0)]).path_sojourn(3)


def _fifo_single_server_departures(
    arrivals: NDArray[np.float64], services: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Lindley in closed form: D_n = S_1+..+S_n + max_{k<=n}(A_k - S_1 - .. - S_{k-1})."""
    cum = np.cumsum(services)
    return np.asarray(cum + np.maximum.accumulate(arrivals - (cum - services)))


def test_tandem_against_simulation() -> None:
    """L1 (M/M/1) → escalate with p → L2 (M/M/1): mean total time of escalated tickets."""
    lam, h1, h2, p = 1.0, 0.6, 2.0, 0.3
    res = jackson_tandem_sojourn(lam, [(h1, 1, p), (h2, 1, 0.0)])
    rng = np.random.default_rng(7)
    reps, n, warm = 40, 20_000, 2_000
    escalated_total, overall_total = np.empty(reps), np.empty(reps)
    for r in range(reps):
        arr = np.cumsum(rng.exponential(1 / lam, n))
        dep1 = _fifo_single_server_departures(arr, rng.exponential(h1, n))
        esc = rng.random(n) < p
        total = dep1 - arr
        # FIFO at L1 keeps order, so escalated tickets reach L2 in order of dep1.
        dep2 = _fifo_single_server_departures(dep1[esc], rng.exponential(h2, int(esc.sum())))
        total[esc] = dep2 - arr[esc]
        keep = np.arange(n) >= warm
        escalated_total[r] = total[esc & keep].mean()
        overall_total[r] = total[keep].mean()
    for sample, value in (
        (escalated_total, res.path_sojourn(2)),
        (overall_total, res.mean_total_sojourn),
    ):
        se = float(sample.std(ddof=1)) / math.sqrt(reps)
        assert abs(float(sample.mean()) - value) < 4 * se, (float(sample.mean()), value, se)
