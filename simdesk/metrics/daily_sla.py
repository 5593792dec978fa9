"""SLA attainment per calendar day: on how many days did each channel meet its target?

A plan meets "80 % within 30 s" on average, yet a manager lives day by day. Here each
replication's measured window is cut into the scenario's **calendar days** (midnight to
midnight of the scenario's clock, ``start`` being day 0), and per replication, day and
channel with a target the attainment is taken over the tickets that *arrived* that day:
tickets that got a first response within the target time over those with an SLA outcome
(as in :mod:`simdesk.metrics.tickets`: abandoned tickets count as missed, tickets still waiting
at the horizon count once they have waited longer than the target). The day met the
target when its attainment is at or above it.

**Whole days only.** A day counts when all of it lies after the warm-up and before the
horizon: the day in which the warm-up ends and a last day cut by the horizon are left
out, since a part of a day (say, only its night) would distort the distribution. A day
on which a channel had no ticket with an SLA outcome (a weekend for an office channel)
is not a measured day of that channel.

Metrics per replication (scope ``channel``): ``days`` (measured days), ``days_met``
(share of them meeting the target), ``day_sla_p10``, ``day_sla_median``,
``day_sla_p90`` (quantiles of the daily attainment, pandas' linear rule) and
``day_sla_worst`` (the worst day). Scope ``overall``: ``days`` (days on which *every*
channel with a target was measured: had tickets with an SLA outcome) and ``days_met``
(share of them on which every channel met its target). A weekend day on which only
email had tickets is not a day of "every channel": it counts for email alone.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simdesk.metrics.kernels import long_metrics, ratio
from simdesk.plan.model import DeskPlan
from simdesk.scenario.calendar import MINUTES_PER_DAY

DAY_COLUMNS = ("replication", "date", "channel", "tickets", "decided", "sla", "target", "met")
"""Columns of :func:`day_table` (and ``days.parquet``)."""


@dataclass(frozen=True)
class Days:
    """The whole calendar days of a plan's measured window."""

    first: int
    """Index of the first whole day after the warm-up (0: the start date)."""
    count: int
    offset: float
    """Minutes from midnight of the start date to the scenario start."""

    def start(self, day: int) -> float:
        """Scenario minutes at the midnight that begins day ``day``."""
        return day * MINUTES_PER_DAY - self.offset

    def dates(self, plan: DeskPlan) -> pd.DatetimeIndex:
        """The calendar dates of the measured days."""
        first = pd.Timestamp(plan.clock.start.date()) + pd.Timedelta(days=self.first)
        return pd.date_range(first, periods=self.count, freq="D")


def measured_days(plan: DeskPlan) -> Days:
    """The whole days between the warm-up and the horizon."""
    start = plan.clock.start
    offset = start.hour * 60 + start.minute + start.second / 60 + start.microsecond / 6e7
    first = math.ceil((plan.warmup + offset) / MINUTES_PER_DAY - 1e-9)
    last = math.floor((plan.horizon + offset) / MINUTES_PER_DAY + 1e-9)
    return Days(first, max(last - first, 0), offset)


def _targets(plan: DeskPlan) -> list[int]:
    """Indices of the channels with a service target."""
    return [c.index for c in plan.channels
            if math.isfinite(c.sla_within) and not math.isnan(c.sla_target)]


@dataclass(frozen=True)
class DayCounts:
    """Per replication × channel × day: tickets arrived, with an SLA outcome, within it."""

    replications: np.ndarray
    channels: list[int]
    days: Days
    tickets: np.ndarray
    decided: np.ndarray
    met: np.ndarray

    @property
    def attainment(self) -> np.ndarray:
        """Shape (replications, channels, days); NaN where nothing was decided."""
        return ratio(self.met, self.decided)


def count_days(plan: DeskPlan, tickets: pd.DataFrame) -> DayCounts:
    """Count each replication's tickets per channel (with a target) and measured day."""
    days = measured_days(plan)
    channels = _targets(plan)
    replications, rep_index = np.unique(tickets["replication"].to_numpy(), return_inverse=True)
    shape = (len(replications), len(channels), days.count)
    size = int(np.prod(shape))
    if size == 0:
        empty = np.zeros(shape)
        return DayCounts(replications, channels, days, empty, empty.copy(), empty.copy())
    arrived = tickets["arrived"].to_numpy(dtype=float)
    day = np.floor((arrived + days.offset) / MINUTES_PER_DAY).astype(np.int64) - days.first
    position = np.full(len(plan.channels), -1, dtype=np.int64)
    position[channels] = np.arange(len(channels))
    slot = position[tickets["channel"].cat.codes.to_numpy().astype(np.int64)]
    keep = (day >= 0) & (day < days.count) & (slot >= 0)
    sla = tickets["sla_met"].to_numpy(dtype=float, na_value=np.nan)
    if "deflected" in tickets:
        sla = np.where(tickets["deflected"].to_numpy(dtype=bool), np.nan, sla)
    keys = ((rep_index * len(channels) + slot) * days.count + day)[keep]
    sla = sla[keep]
    decided = ~np.isnan(sla)
    return DayCounts(
        replications, channels, days,
        np.bincount(keys, minlength=size).reshape(shape).astype(float),
        np.bincount(keys[decided], minlength=size).reshape(shape).astype(float),
        np.bincount(keys[decided], weights=sla[decided], minlength=size).reshape(shape),
    )


def day_table(plan: DeskPlan, tickets: pd.DataFrame) -> pd.DataFrame:
    """One row per replication, measured day and channel with a target: ``replication,
    date, channel, tickets, decided, sla, target, met`` (``met`` is missing on a day
    without any SLA outcome)."""
    counts = count_days(plan, tickets)
    reps, width, length = counts.tickets.shape
    names = [plan.channels[c].name for c in counts.channels]
    targets = np.array([plan.channels[c].sla_target for c in counts.channels])
    attainment = counts.attainment
    met = pd.array((attainment >= targets[None, :, None]).ravel(), dtype="boolean")
    met[np.isnan(attainment).ravel()] = pd.NA
    return pd.DataFrame({
        "replication": np.repeat(counts.replications, width * length).astype(np.int32),
        "date": np.tile(counts.days.dates(plan).to_numpy(), reps * width),
        "channel": pd.Categorical(np.tile(np.repeat(np.array(names, dtype=object), length),
                                          reps), categories=names),
        "tickets": counts.tickets.ravel().astype(np.int64),
        "decided": counts.decided.ravel().astype(np.int64),
        "sla": attainment.ravel(),
        "target": np.tile(np.repeat(targets, length), reps),
        "met": met,
    })


def day_metrics(plan: DeskPlan, tickets: pd.DataFrame) -> pd.DataFrame:
    """Long table ``replication, scope, group, metric, value`` of the per-day metrics
    (empty when the measured window holds no whole day)."""
    counts = count_days(plan, tickets)
    if counts.days.count == 0 or not counts.channels:
        return long_metrics(counts.replications, "overall", ["all"], {})
    attainment = counts.attainment
    measured = ~np.isnan(attainment)
    targets = np.array([plan.channels[c].sla_target for c in counts.channels])
    met = measured & (attainment >= targets[None, :, None])
    days = measured.sum(axis=2).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN: a channel never measured
        p10, median, p90 = np.nanquantile(attainment, [0.1, 0.5, 0.9], axis=2)
        worst = np.nanmin(attainment, axis=2)
    names = [plan.channels[c].name for c in counts.channels]
    channel = long_metrics(counts.replications, "channel", names, {
        "days": days.ravel(),
        "days_met": ratio(met.sum(axis=2), days).ravel(),
        "day_sla_p10": p10.ravel(),
        "day_sla_median": median.ravel(),
        "day_sla_p90": p90.ravel(),
        "day_sla_worst": worst.ravel(),
    })
    all_measured = measured.all(axis=1)
    all_met = all_measured & met.all(axis=1)
    overall_days = all_measured.sum(axis=1).astype(float)
    overall = long_metrics(counts.replications, "overall", ["all"], {
        "days": overall_days,
        "days_met": ratio(all_met.sum(axis=1), overall_days),
    })
    return pd.concat([overall, channel], ignore_index=True)


__all__ = ["DAY_COLUMNS", "DayCounts", "Days",
           "count_days", "day_metrics", "day_table", "measured_days"]
