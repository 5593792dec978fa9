"""Per hour of the week, what the target measures: SLA attainment per channel × weekday ×
hour of arrival, with the customers who gave up counted.

For each replication and each (channel, weekday, hour of arrival) cell, over the tickets
that arrived after the warm-up (deflected ones left out):

* ``tickets`` — tickets that arrived;
* ``sla`` — share with an SLA outcome that got a first response within the channel's
  target time (abandoned and refused count as missed, as in the channel's ``sla``);
* ``abandonment`` — share of those answered or abandoned whose customer gave up;
* ``wait_mean``, ``wait_p90`` — first-response wait of the answered.

:func:`hour_table` gives their means across replications with 95 % Student-t intervals
(as :func:`simdesk.metrics.stats.summarize`), plus ``decided`` — tickets with an SLA
outcome over all replications, what a cell's verdict rests on. ``hours.parquet`` holds
it per weekday; :func:`pooled_days` finds the weekdays the scenario makes identical (the
same expected arrivals and agents on duty, hour by hour) so that a map can pool them:
cells resting on five times the tickets, instead of five noisy copies of one hour.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from simdesk.metrics.stats import summarize
from simdesk.plan.model import DeskPlan
from simdesk.scenario.calendar import DAY_NAMES, MINUTES_PER_DAY

WEEK = 7 * MINUTES_PER_DAY
HOUR_METRICS = ("tickets", "sla", "abandonment", "wait_mean", "wait_p90")
"""The metrics of each cell (each with ``_low`` and ``_high`` in :func:`hour_table`)."""
MIN_DECIDED = 30
"""A cell with fewer tickets with an SLA outcome (over all replications) is too thin to
call met or missed."""


def _cells(plan: DeskPlan, tickets: pd.DataFrame, days: list[int]
           ) -> tuple[pd.DataFrame, np.ndarray]:
    """Measured tickets with their ``cell``: one integer per (replication, channel, pool of
    weekdays, hour of arrival), in that order of significance (see :func:`_decode`). Only
    the columns needed are read, and the cell is one key rather than four: grouping a big
    run's tickets by four columns held more memory than the tickets themselves. Also the
    replication numbers (sorted) that the cells' replication indices point into."""
    measured = ~tickets["warmup"].to_numpy(dtype=bool)
    if "deflected" in tickets:
        measured &= ~tickets["deflected"].to_numpy(dtype=bool)
    minute = (tickets["arrived"].to_numpy(dtype=float)[measured] + plan.clock.week_offset
              ) % WEEK
    weekday = (minute // MINUTES_PER_DAY).astype(np.int64)
    hour = ((minute % MINUTES_PER_DAY) // 60).astype(np.int64)
    numbers, replication = np.unique(tickets["replication"].to_numpy()[measured],
                                     return_inverse=True)
    cell = (replication.astype(np.int64) * len(plan.channels)
            + channel_codes(plan, tickets["channel"])[measured])
    cell = (cell * 7 + np.asarray(days, dtype=np.int64)[weekday]) * 24 + hour
    return pd.DataFrame({
        "cell": cell,
        "sla": tickets["sla_met"].to_numpy(dtype=float, na_value=np.nan)[measured],
        "abandoned": tickets["abandoned"].to_numpy(dtype=bool)[measured],
        "wait": tickets["wait"].to_numpy(dtype=float)[measured],
    }), numbers


def _decode(cell: np.ndarray, channels: int) -> tuple[np.ndarray, ...]:
    """(replication index, channel, pool of weekdays, hour) of each cell key."""
    rest, hour = np.divmod(cell, 24)
    rest, days = np.divmod(rest, 7)
    replication, channel = np.divmod(rest, channels)
    return replication, channel, days, hour


def channel_codes(plan: DeskPlan, channel: pd.Series) -> np.ndarray:
    """Each ticket's channel as its index in the plan (its place in ``plan.channels``)."""
    codes = {c.name: c.index for c in plan.channels}
    if isinstance(channel.dtype, pd.CategoricalDtype):
        lookup = np.array([codes[str(name)] for name in channel.cat.categories], dtype=np.int64)
        return np.asarray(lookup[channel.cat.codes.to_numpy()])
    return np.array([codes[str(name)] for name in channel], dtype=np.int64)


def _per_replication(cells: pd.DataFrame, channels: list[str], replications: np.ndarray
                     ) -> pd.DataFrame:
    """Long table ``replication, scope, group, metric, value`` (group: channel|days|hour,
    the channel by name: ``channels[code]``; ``replications`` the sorted replication
    numbers the cells' replication indices point into)."""
    cells = cells.assign(
        decided=cells["sla"].notna(),
        answered=cells["wait"].notna(),
        left=cells["abandoned"].astype(float).where(cells["wait"].notna()
                                                    | cells["abandoned"]))
    grouped = cells.groupby("cell", sort=True)
    wide = pd.DataFrame({
        "tickets": grouped.size().astype(float),
        "decided": grouped["decided"].sum().astype(float),
        "sla": grouped["sla"].mean(),
        "abandonment": grouped["left"].mean(),
        "wait_mean": grouped["wait"].mean(),
        "wait_p90": grouped["wait"].quantile(0.9),
    }).reset_index()
    replication, channel, days, hour = _decode(wide.pop("cell").to_numpy(dtype=np.int64),
                                               len(channels))
    wide.insert(0, "replication", replications[replication])
    names = np.asarray(channels, dtype=object)[channel]
    wide["group"] = (pd.Series(names, index=wide.index, dtype=object) + "|"
                     + pd.Series(days, index=wide.index).astype(str) + "|"
                     + pd.Series(hour, index=wide.index).astype(str))
    long = wide.melt(id_vars=["replication", "group"],
                     value_vars=["decided", *HOUR_METRICS], var_name="metric",
                     value_name="value")
    long.insert(1, "scope", "hour")
    return long


def _fill_missing_replications(long: pd.DataFrame, replications: np.ndarray) -> pd.DataFrame:
    """A cell without tickets in some replication has 0 tickets there (not a missing value):
    counts are filled with zeros, shares and waits stay undefined."""
    counts = long.loc[long["metric"].isin(["tickets", "decided"])]
    full = pd.MultiIndex.from_product([replications, counts["group"].unique(),
                                       ["tickets", "decided"]],
                                      names=["replication", "group", "metric"])
    filled = (counts.set_index(["replication", "group", "metric"])["value"]
              .reindex(full, fill_value=0.0).reset_index())
    filled.insert(1, "scope", "hour")
    rest = long.loc[~long["metric"].isin(["tickets", "decided"])]
    return pd.concat([filled, rest], ignore_index=True)


def hour_table(plan: DeskPlan, tickets: pd.DataFrame, *, pooled: bool = False
               ) -> pd.DataFrame:
    """One row per channel × weekday (or pool of identical weekdays, with ``pooled``) ×
    hour of arrival that had tickets: ``channel, days, weekday, hour``, each of
    :data:`HOUR_METRICS` with ``_low``/``_high`` (95 % across replications; NaN with one),
    ``decided`` (tickets with an SLA outcome, all replications), ``replications``.

    ``days`` names the weekday or the pool (``Mon–Fri``); ``weekday`` is the first
    weekday of the pool (0 = Monday)."""
    groups = pooled_days(plan) if pooled else [[d] for d in range(7)]
    index = [0] * 7
    for number, group in enumerate(groups):
        for day in group:
            index[day] = number
    columns = ["channel", "days", "weekday", "hour", *[
        f"{m}{s}" for m in HOUR_METRICS for s in ("", "_low", "_high")], "decided",
        "replications"]
    cells, measured = _cells(plan, tickets, index)
    if cells.empty:
        return pd.DataFrame(columns=columns)
    replications = np.unique(tickets["replication"].to_numpy())
    long = _fill_missing_replications(
        _per_replication(cells, [c.name for c in plan.channels], measured), replications)
    summary = summarize(long)
    parts = summary["group"].str.split("|", expand=True)
    summary = summary.assign(channel=parts[0], pool=parts[1].astype(int),
                             hour=parts[2].astype(int))
    wide = summary.pivot(index=["channel", "pool", "hour"], columns="metric",
                         values=["mean", "ci_low", "ci_high"])
    table = pd.DataFrame(index=wide.index)
    for metric in HOUR_METRICS:
        table[metric] = wide[("mean", metric)]
        table[f"{metric}_low"] = wide[("ci_low", metric)]
        table[f"{metric}_high"] = wide[("ci_high", metric)]
    table["decided"] = wide[("mean", "decided")] * len(replications)
    counted = summary.loc[summary["metric"] == "sla"].set_index(
        ["channel", "pool", "hour"])["replications"]
    table["replications"] = counted.reindex(table.index).fillna(0).astype(int)
    table = table.reset_index()
    table["weekday"] = table["pool"].map(lambda p: groups[p][0])
    table["days"] = table["pool"].map(lambda p: days_label(groups[p]))
    order = {c.name: c.index for c in plan.channels}
    table = table.sort_values(["channel", "weekday", "hour"],
                              key=lambda s: s.map(order) if s.name == "channel" else s)
    return table[columns].reset_index(drop=True)


def days_label(days: list[int]) -> str:
    """``Mon``, ``Mon–Fri`` (consecutive) or ``Mon, Wed``."""
    if len(days) == 1:
        return DAY_NAMES[days[0]]
    if days == list(range(days[0], days[-1] + 1)):
        return f"{DAY_NAMES[days[0]]}–{DAY_NAMES[days[-1]]}"
    return ", ".join(DAY_NAMES[d] for d in days)


def _expected(begin: np.ndarray, end: np.ndarray, rates: np.ndarray, b: np.ndarray,
              e: np.ndarray) -> np.ndarray:
    """``StreamPlan.expected_between(b[k], e[k])`` for every k, to the bit. Where a span
    meets at most two of the rate's pieces the sum has at most two terms other than
    zero, whatever its order; else the whole row is summed as that method sums it."""
    lo = np.searchsorted(end, b, side="right")
    hi = np.searchsorted(begin, e, side="left")
    if len(begin) < 3 or (hi - lo).max(initial=0) > 2:
        overlap = np.clip(np.minimum(end, e[:, None]) - np.maximum(begin, b[:, None]), 0,
                          None)
        return np.asarray(np.sum(rates * overlap, axis=1))
    total = np.zeros(len(b))
    for k in (0, 1):
        at = np.minimum(lo + k, len(begin) - 1)
        term = rates[at] * np.clip(np.minimum(end[at], e) - np.maximum(begin[at], b), 0, None)
        total = total + np.where(lo + k < hi, term, 0.0)
    return total


def _overlaps(hours: np.ndarray, b: np.ndarray, e: np.ndarray) -> np.ndarray:
    """The minutes on duty in each span and interval, spans first, the zeros left out
    (adding 0.0 changes no sum)."""
    begin, end = hours[:, 0], hours[:, 1]
    if len(hours) > 1 and not (np.all(np.diff(begin) >= 0) and np.all(np.diff(end) >= 0)):
        on = np.maximum(0.0, np.minimum(e[:, None], end) - np.maximum(b[:, None], begin))
        flat = on.ravel()
        return np.asarray(flat[flat != 0])
    lo = np.searchsorted(end, b, side="right")
    count = np.maximum(np.searchsorted(begin, e, side="left") - lo, 0)
    span = np.repeat(np.arange(len(b)), count)
    index = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count) + lo[span]
    met = np.maximum(0.0, np.minimum(e[span], end[index]) - np.maximum(b[span], begin[index]))
    return np.asarray(met[met != 0])


def _day_signature(plan: DeskPlan, day: int) -> tuple[float, ...] | None:
    """Per hour of ``day``: expected arrivals per stream and agents on duty per agent,
    averaged over the day's occurrences in the measured window (None: never measured)."""
    low, high = plan.warmup, plan.horizon
    offset = plan.clock.week_offset
    first_week = math.floor((low + offset) / WEEK) - 1
    last_week = math.ceil((high + offset) / WEEK) + 1
    starts = [week * WEEK + day * MINUTES_PER_DAY - offset
              for week in range(first_week, last_week + 1)]
    starts = [s for s in starts if s >= low and s + MINUTES_PER_DAY <= high]
    if not starts:
        return None
    values: list[float] = []
    first = np.array(starts, dtype=float)
    pieces = [(stream.starts, np.append(stream.starts[1:], stream.horizon), stream.rates)
              for stream in plan.streams]
    duty = [np.array(agent.duty, dtype=float).reshape(-1, 2) for agent in plan.agents]
    for hour in range(24):  # the sums of StreamPlan.expected_between's callers, in order
        b = first + hour * 60
        e = b + 60
        for begin, end, rates in pieces:
            values.append(sum(_expected(begin, end, rates, b, e).tolist()) / len(starts))
        for hours in duty:
            values.append(sum(_overlaps(hours, b, e).tolist()) / len(starts))
    return tuple(round(v, 9) for v in values)


def pooled_days(plan: DeskPlan) -> list[list[int]]:
    """The weekdays, grouped where the scenario makes them identical: the same expected
    arrivals of every stream and the same agents on duty, hour by hour, on every whole
    occurrence of the day in the measured window. Days never wholly measured stay alone."""
    cached: list[list[int]] | None = plan.cache.get(("pooled_days",))
    if cached is not None:
        return [list(group) for group in cached]
    groups: dict[tuple[float, ...], list[int]] = {}
    alone: list[list[int]] = []
    for day in range(7):
        signature = _day_signature(plan, day)
        if signature is None:
            alone.append([day])
        else:
            groups.setdefault(signature, []).append(day)
    pooled = sorted([*groups.values(), *alone], key=lambda g: g[0])
    plan.cache[("pooled_days",)] = pooled
    return [list(group) for group in pooled]


def cell_verdict(sla: float, low: float, high: float, decided: float, target: float
                 ) -> tuple[str, str]:
    """(``met`` / ``missed`` / ``uncertain``, the reason when uncertain) of one hour."""
    if math.isnan(target) or math.isnan(sla):
        return "uncertain", "no ticket with an SLA outcome"
    if decided < MIN_DECIDED:
        return "uncertain", f"only {decided:.0f} tickets (fewer than {MIN_DECIDED})"
    if math.isnan(low):
        return "uncertain", "one replication: no interval"
    if low >= target:
        return "met", ""
    if high < target:
        return "missed", ""
    return "uncertain", "its interval straddles the target"


__all__ = ["HOUR_METRICS", "MIN_DECIDED", "cell_verdict", "channel_codes", "days_label",
           "hour_table", "pooled_days"]
