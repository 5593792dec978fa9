"""metrics/stats: scipy's intervals against the textbook formulas they replace."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import stdtrit

from simdesk.metrics.stats import SHARES, SIGNED, paired_interval, summarize, welch_interval


def test_the_paired_interval_is_mean_plus_minus_t_sd_over_root_n() -> None:
    rng = np.random.default_rng(3)
    for n in (2, 3, 10, 40):
        a = rng.normal(5, 2, n)
        b = a + rng.normal(0.3, 1, n)
        d = a - b
        half = float(stdtrit(n - 1, 0.975)) * d.std(ddof=1) / math.sqrt(n)
        found = paired_interval(a, b)
        assert found.count == n and found.mean == pytest.approx(d.mean(), abs=1e-15)
        assert found.low == pytest.approx(d.mean() - half, rel=1e-12, abs=1e-14)
        assert found.high == pytest.approx(d.mean() + half, rel=1e-12, abs=1e-14)


def test_the_welch_interval_uses_the_welch_satterthwaite_degrees_of_freedom() -> None:
    rng = np.random.default_rng(4)
    a, b = rng.normal(10, 2, 12), rng.normal(9, 5, 7)
    va, vb = a.var(ddof=1) / 12, b.var(ddof=1) / 7
    df = (va + vb) ** 2 / (va * va / 11 + vb * vb / 6)
    half = float(stdtrit(df, 0.975)) * math.sqrt(va + vb)
    found = welch_interval(a, b)
    assert found.half_width == pytest.approx(half, rel=1e-12)
    assert found.count == 7


def test_pairs_with_a_nan_are_dropped_and_a_constant_difference_has_no_spread() -> None:
    found = paired_interval([1.0, 2.0, math.nan, 4.0], [0.0, 1.0, 0.0, 3.0])
    assert (found.mean, found.low, found.high, found.count) == (1.0, 1.0, 1.0, 3)
    assert found.significant


def test_summary_intervals_are_clipped_to_the_range_of_the_metric() -> None:
    assert "sla" in SHARES and "net" in SIGNED and "wait_mean" not in SHARES
    rows = [(r, m, v) for m, values in (("sla", (0.99, 1.0, 0.2)), ("net", (-0.99, 0.9, -1.0)),
                                       ("wait_mean", (0.1, 40.0, 0.0)))
            for r, v in enumerate(values)]
    metrics = pd.DataFrame([{"replication": r, "scope": "overall", "group": "all", "metric": m,
                             "value": v} for r, m, v in rows])
    summary = summarize(metrics).set_index("metric")
    assert summary.loc["sla", "ci_high"] == 1.0 and summary.loc["sla", "ci_low"] == 0.0
    assert summary.loc["net", "ci_low"] == -1.0 and summary.loc["net", "ci_high"] == 1.0
    assert summary.loc["wait_mean", "ci_low"] == 0.0
    assert summary.loc["wait_mean", "ci_high"] > 40
