"""Handle times per tier, and per channel, topic or channel/topic where they differ.

For each tier, the minutes of work its agents spent on each ticket are fitted four ways:
one distribution for the tier; one per channel; one per topic; one per channel × topic.
Each group with at least :data:`MIN_GROUP` tickets gets its own fit (the family with the
smallest AIC among exponential, lognormal and gamma); tickets of smaller groups fall back
to the tier's own fit, exactly as the scenario's ``handle_by`` lookup does. The grouping
with the smallest BIC (−2 log-likelihood + parameters × log n) wins, so a split is kept
only when the data clearly ask for it. The tier's ``handle`` is always the fit of all its
tickets (the fallback for tickets of groups not seen in the history), and the chosen
groups become ``handle_by`` entries, which the scenario uses as written (topics keep
``effort: 1``).

A group whose every family is rejected by the Kolmogorov–Smirnov test (p < 1 %) is
written as an ``empirical`` distribution: :data:`EMPIRICAL_VALUES` equally likely values,
the means of equal-count slices of the sorted data (so the mean is kept exactly).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simdesk.fit.families import FamilyFit, best_by_aic, fit_families
from simdesk.fit.memory import give_back

MIN_GROUP = 30
"""Tickets a channel, topic or channel/topic needs for its own handle-time fit."""
REJECT_P = 0.01
EMPIRICAL_VALUES = 200
LEVELS = ("tier", "channel", "topic", "channel/topic")
FloatArray = np.ndarray[tuple[int], np.dtype[np.float64]]


@dataclass(frozen=True)
class GroupFit:
    """The handle time of one group of tickets at one tier."""

    key: str
    """``""`` for the whole tier, else a channel, a topic or ``channel/topic``."""
    sample: FloatArray
    """The observed minutes of work, sorted."""
    fits: dict[str, FamilyFit]

    @property
    def n(self) -> int:
        return len(self.sample)

    @property
    def best(self) -> FamilyFit:
        """The parametric family with the smallest AIC."""
        return best_by_aic(self.fits)

    @property
    def empirical(self) -> bool:
        """Whether every family is rejected, so the observed values are used."""
        return all(f.ks_p < REJECT_P for f in self.fits.values()) and self.n >= 50

    @property
    def chosen(self) -> str:
        return "empirical" if self.empirical else self.best.family

    @property
    def mean(self) -> float:
        return float(np.mean(self.sample)) if self.empirical else self.best.mean

    @property
    def cv(self) -> float:
        if self.empirical:
            return float(np.std(self.sample) / np.mean(self.sample))
        return self.best.cv

    def empirical_values(self) -> FloatArray:
        """Means of equal-count slices of the sorted sample (at most
        :data:`EMPIRICAL_VALUES`): resampling them keeps the mean and the shape."""
        slices = np.array_split(self.sample, min(EMPIRICAL_VALUES, self.n))
        return np.array([float(np.mean(s)) for s in slices])

    def distribution(self) -> dict[str, object]:
        """The scenario's distribution for this group."""
        if self.empirical:
            return {"dist": "empirical",
                    "values": [minutes_text(v) for v in self.empirical_values()]}
        best = self.best
        spec: dict[str, object] = {"dist": best.family, "mean": minutes_text(best.mean)}
        if best.family != "exponential":
            spec["cv"] = round(best.cv, 3)
        return spec


def minutes_text(minutes: float) -> str:
    """A duration to about three significant digits: ``7.42m``, ``125m``, ``12.5s``."""
    if minutes < 0.1:
        return f"{minutes * 60:.3g}s"
    if minutes >= 100:
        return f"{minutes:.0f}m"
    return f"{minutes:.3g}m" if minutes >= 10 else f"{minutes:.2f}m"


@dataclass(frozen=True)
class TierHandles:
    """The handle times of one tier."""

    tier: str
    handle: GroupFit
    """All the tier's tickets: the scenario's ``handle``."""
    level: str
    """The grouping chosen by BIC (one of :data:`LEVELS`)."""
    overrides: tuple[GroupFit, ...]
    """Groups with their own fit at that level: the scenario's ``handle_by``."""
    bic: dict[str, float]
    zeros: int
    """Work times of zero, raised to half the smallest positive one."""
    small: tuple[tuple[str, int], ...]
    """Groups at the chosen level with too few tickets for their own fit."""


def _keys(frame: pd.DataFrame, level: str) -> pd.Series:
    if level == "tier":
        return pd.Series("", index=frame.index)
    if level == "channel":
        return frame["channel"].astype(str)
    if level == "topic":
        return frame["topic"].astype(str)
    return frame["channel"].astype(str) + "/" + frame["topic"].astype(str)


def _group(key: str, values: np.ndarray) -> GroupFit:
    sample = np.sort(values.astype(float))
    return GroupFit(key, sample, fit_families(sample))


def fit_tier(tier: str, work: pd.DataFrame, levels: tuple[str, ...] = LEVELS) -> TierHandles:
    """Fit one tier from ``work``: ``work`` (minutes), ``channel``, ``topic`` per ticket."""
    minutes = work["work"].to_numpy(dtype=float)
    positive = minutes[minutes > 0]
    zeros = int(np.sum(minutes <= 0))
    if zeros:
        floor = float(positive.min()) / 2 if len(positive) else 1 / 120
        minutes = np.where(minutes <= 0, floor, minutes)
    work = work.assign(work=minutes)
    pooled = _group("", minutes)
    pooled_best = pooled.best
    total = len(minutes)
    bic: dict[str, float] = {}
    groups_at: dict[str, list[GroupFit]] = {}
    small_at: dict[str, list[tuple[str, int]]] = {}
    for level in levels:
        keys = _keys(work, level)
        groups: list[GroupFit] = []
        small: list[tuple[str, int]] = []
        log_likelihood = 0.0
        parameters = pooled_best.parameters
        leftover = np.zeros(total, dtype=bool)
        if level == "tier":
            log_likelihood = pooled_best.log_likelihood
        else:
            for key, rows in keys.groupby(keys, sort=True).groups.items():
                index = work.index.get_indexer(rows)
                if len(index) < MIN_GROUP:
                    small.append((str(key), len(index)))
                    leftover[index] = True
                    continue
                group = _group(str(key), minutes[index])
                groups.append(group)
                log_likelihood += group.best.log_likelihood
                parameters += group.best.parameters
            if leftover.any():
                log_likelihood += float(np.sum(pooled_best.logpdf(minutes[leftover])))
        bic[level] = -2 * log_likelihood + parameters * math.log(total)
        groups_at[level] = groups
        small_at[level] = small
    level = min(bic, key=lambda k: bic[k])
    return TierHandles(tier, pooled, level, tuple(groups_at[level]), bic, zeros,
                       tuple(small_at[level]))


def fit_handles(tickets: pd.DataFrame, steps: pd.DataFrame) -> dict[str, TierHandles]:
    """Every tier's handle times, from the steps with a known work time."""
    known = steps["work"].notna().to_numpy()
    tiers = steps["tier"].astype(str)
    work = steps["work"].to_numpy(dtype=float)
    ticket = steps["ticket"].to_numpy()
    channel = tickets["channel"].array
    topic = tickets["topic"].array
    has_topics = bool(tickets["topic"].notna().any())
    levels = LEVELS if has_topics else ("tier", "channel")
    fits = {}
    # one tier at a time, in order of appearance, its rows in order: a million steps
    # are never copied whole (Arrow text taken by position, no Python strings)
    for tier in pd.unique(tiers[known]):
        rows = np.flatnonzero(known & np.asarray(tiers == tier, dtype=bool))
        if len(rows) >= 2:
            part = pd.DataFrame({"tier": tiers.array.take(rows), "work": work[rows],
                                 "channel": channel.take(ticket[rows]),
                                 "topic": topic.take(ticket[rows]).fillna("")})
            fits[str(tier)] = fit_tier(str(tier), part, levels)
            del part
            give_back()
    return fits
