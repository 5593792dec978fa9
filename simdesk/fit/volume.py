"""Day-to-day variation of the volume: do the history's days vary more than Poisson
arrivals at the fitted rates would, and by how much?

With a random day factor of mean 1 and coefficient of variation ``cv`` (gamma: what
``volume.day_factor`` simulates), a day expecting ``m`` tickets has a count with variance
``m + cv² m²`` (negative binomial). The moment estimate pools the channels' days:
``cv² = Σ [(N − m)² · n / (n − k) − N] / Σ m²`` — the factor ``n / (n − k)`` restores
the variance the fitted profile absorbed (it matches each weekday's total: ``k``
constraints per channel over its ``n`` days with tickets, ``k`` the weekdays it is open).
Surge days are left out, as in the rates.

**Is it there?** The dispersion statistic ``Σ (N − m)² / m`` is χ² with ``Σ (n − k)``
degrees of freedom under Poisson days; the fit writes a day factor only when it is
significant at 1 %. **Its interval** comes from resampling days (a bootstrap with a fixed
seed). **Shared or per channel?** One factor for every channel makes the channels' totals
vary as much as each channel (``cv²`` again); independent factors make the totals vary
less, by ``κ = Σ m_c² / (Σ m_c)²``. The fit says shared when the totals' estimate is
nearer the first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import stats

from simdesk.fit.arrivals import ChannelArrivals

SIGNIFICANCE = 0.01
RESAMPLES = 2000


@dataclass(frozen=True)
class DayVariation:
    """The day factor the history shows, or that it shows none."""

    days: int
    """Days used (with tickets expected, no surge on any channel)."""
    cv: float
    interval: tuple[float, float]
    """95 % bootstrap interval of ``cv``."""
    statistic: float
    dof: int
    shared: bool
    totals_cv: float
    """The same estimate from the channels' daily totals (for ``shared``)."""

    @property
    def p_value(self) -> float:
        return float(stats.chi2.sf(self.statistic, self.dof)) if self.dof > 0 else 1.0

    @property
    def significant(self) -> bool:
        return self.p_value < SIGNIFICANCE and self.cv > 0

    def volume(self) -> dict[str, object] | None:
        """The scenario's ``volume:`` (None when the days vary no more than Poisson)."""
        if not self.significant:
            return None
        return {"day_factor": {"dist": "gamma", "cv": f"{self.cv:.1%}"},
                "shared": self.shared}


def _free(expected: np.ndarray, weekday: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per channel (row): days with tickets expected, and those less the weekdays among
    them (the totals the profile matches)."""
    used = expected > 0
    days = used.sum(axis=1)
    opened = np.array([len(np.unique(weekday[row])) for row in used])
    return days, days - opened


def _alpha(counts: np.ndarray, expected: np.ndarray, weekday: np.ndarray) -> float:
    """Pooled moment estimate of cv² over ``channels × days`` (rows: channels)."""
    days, free = _free(expected, weekday)
    with np.errstate(invalid="ignore", divide="ignore"):
        inflate = np.where(free > 0, days / free, np.nan)[:, None]
    used = expected > 0
    excess = np.where(used, (counts - expected) ** 2 * inflate - counts, 0.0).sum()
    weight = np.where(used, expected**2, 0.0).sum()
    return float(excess / weight) if weight > 0 else math.nan


def fit_day_variation(arrivals: Mapping[str, ChannelArrivals]) -> DayVariation:
    """The day factor of the history's channels (see the module's docstring)."""
    tables = list(arrivals.values())
    surge = np.logical_or.reduce([a.daily["surge"].to_numpy(dtype=bool) for a in tables])
    counts = np.array([a.daily["tickets"].to_numpy(dtype=float) for a in tables])
    expected = np.array([a.daily["expected"].to_numpy(dtype=float) for a in tables])
    keep = ~surge & (expected.sum(axis=0) > 0)
    counts, expected = counts[:, keep], expected[:, keep]
    weekday = tables[0].daily["day"].dt.day_of_week.to_numpy()[keep]
    days = int(keep.sum())
    alpha = _alpha(counts, expected, weekday)
    with np.errstate(invalid="ignore", divide="ignore"):
        cells = np.where(expected > 0, (counts - expected) ** 2 / expected, 0.0)
    dof = int(_free(expected, weekday)[1].clip(0).sum())
    rng = np.random.default_rng(20261122)
    draws = np.array([_alpha(counts[:, pick], expected[:, pick], weekday[pick]) for pick in
                      rng.integers(0, days, size=(RESAMPLES, days))]) if days else np.array([])
    low, high = (np.nanquantile(draws, [0.025, 0.975]) if len(draws) and
                 np.isfinite(draws).any() else (math.nan, math.nan))
    totals = _alpha(counts.sum(axis=0, keepdims=True), expected.sum(axis=0, keepdims=True),
                    weekday)
    kappa = float((expected**2).sum() / (expected.sum(axis=0) ** 2).sum()) if days else 1.0
    shared = len(tables) == 1 or not alpha > 0 or totals > alpha * (1 + kappa) / 2

    def root(value: float) -> float:
        return math.sqrt(value) if value > 0 else 0.0

    return DayVariation(days, root(alpha), (root(float(low)), root(float(high))),
                        float(cells.sum()), dof, bool(shared), root(totals))
