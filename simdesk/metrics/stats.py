"""Means with 95 % confidence intervals across replications, and differences of means
(paired and Welch), from scipy."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simdesk.metrics.catalogue import CATALOGUE

CONFIDENCE = 0.95
SHARES = tuple(m.name for m in CATALOGUE if m.unit == "share" and not m.signed)
"""Shares of a whole: their intervals are clipped to 0–100 %."""
SIGNED = tuple(m.name for m in CATALOGUE if m.signed)
"""Differences of shares: their intervals are clipped to −100 %–100 %."""


def t_quantile(replications: int) -> float:
    """Two-sided 95 % Student-t quantile for ``replications`` values (NaN below 2)."""
    if replications < 2:
        return math.nan
    from scipy.special import stdtrit

    return float(stdtrit(replications - 1, 0.5 + CONFIDENCE / 2))


def summarize(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95 % confidence interval across replications of each metric.

    Columns: ``scope, group, metric, mean, ci_low, ci_high, half_width, replications``.
    The interval is Student-t on independent replications (NaN with one), clipped to
    the range the metric can take (no negative waits, no share above 100 %).
    """
    groups = metrics.groupby(["scope", "group", "metric"], sort=False)["value"]
    summary = groups.agg(mean="mean", sd="std", replications="count").reset_index()
    quantiles = summary["replications"].map(t_quantile)
    summary["half_width"] = quantiles * summary["sd"] / np.sqrt(summary["replications"])
    low = summary["mean"] - summary["half_width"]
    high = summary["mean"] + summary["half_width"]
    shares = summary["metric"].isin(SHARES)
    signed = summary["metric"].isin(SIGNED)
    summary["ci_low"] = low.where(signed, low.clip(lower=0.0)).clip(lower=-1.0)
    summary["ci_high"] = high.where(~(shares | signed), high.clip(upper=1.0))
    columns = ["scope", "group", "metric", "mean", "ci_low", "ci_high", "half_width",
               "replications"]
    return summary[columns]


# -- differences of means ------------------------------------------------------------


@dataclass(frozen=True)
class ConfidenceInterval:
    """A difference of means with its 95 % confidence interval.

    ``count`` is the number of values it rests on (pairs, or the smaller sample); with
    fewer than two the interval is NaN.
    """

    mean: float
    low: float
    high: float
    count: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    @property
    def significant(self) -> bool:
        """The interval excludes 0 (NaN intervals are never significant)."""
        return bool(self.low > 0 or self.high < 0)


def paired_interval(values: Sequence[float] | np.ndarray,
                    baseline: Sequence[float] | np.ndarray) -> ConfidenceInterval:
    """Mean of the paired differences ``values[r] − baseline[r]`` and its Student-t 95 %
    interval (:func:`scipy.stats.ttest_rel`); pairs with a NaN are dropped, and the
    interval is NaN below two pairs."""
    a, b = np.asarray(values, dtype=float), np.asarray(baseline, dtype=float)
    differences = a - b
    kept = ~np.isnan(differences)
    count = int(kept.sum())
    if count == 0:
        return ConfidenceInterval(math.nan, math.nan, math.nan, 0)
    mean = float(differences[kept].mean())
    if count < 2:
        return ConfidenceInterval(mean, math.nan, math.nan, count)
    if np.all(differences[kept] == differences[kept][0]):
        return ConfidenceInterval(mean, mean, mean, count)  # no spread: scipy would give NaN
    from scipy.stats import ttest_rel

    found = ttest_rel(a[kept], b[kept]).confidence_interval(CONFIDENCE)
    return ConfidenceInterval(mean, float(found.low), float(found.high), count)


def welch_interval(values: Sequence[float] | np.ndarray,
                   baseline: Sequence[float] | np.ndarray) -> ConfidenceInterval:
    """Difference of means ``mean(values) − mean(baseline)`` with Welch's 95 % interval
    (:func:`scipy.stats.ttest_ind` with unequal variances).

    Treats the two sets as independent samples (NaNs dropped from each): what the
    interval would be without common random numbers.
    """
    a = np.asarray(values, dtype=float)
    b = np.asarray(baseline, dtype=float)
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    count = min(len(a), len(b))
    if count == 0:
        return ConfidenceInterval(math.nan, math.nan, math.nan, 0)
    mean = float(a.mean() - b.mean())
    if count < 2:
        return ConfidenceInterval(mean, math.nan, math.nan, count)
    if float(a.var(ddof=1)) == 0 and float(b.var(ddof=1)) == 0:
        return ConfidenceInterval(mean, mean, mean, count)
    from scipy.stats import ttest_ind

    found = ttest_ind(a, b, equal_var=False).confidence_interval(CONFIDENCE)
    return ConfidenceInterval(mean, float(found.low), float(found.high), count)
