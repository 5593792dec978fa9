"""Who was on duty: staffing for the fitted scenario, which tickets alone cannot give.

Three sources, best first:

1. ``--staff FROM.yaml``: the tiers' agents, shifts and rotations (with teams and
   skills), the routing policy and the channels' SLA targets come from an existing
   scenario, by tier and channel name. Everything else is fitted.
2. The assignee of each tier (``assignees``): an agent counts as on duty from the hour
   they began the first ticket of a session to the end of the hour they began its
   last, a session ending after four hours without a ticket begun. Per weekday × hour,
   the staff on duty is the median over the weeks of the history, written as shifts
   (one per run of hours, merged across days). It cannot see agents who took no ticket,
   breaks, or people on a rota who were on the queue part of the time, so it is a
   starting point.
3. Neither: per weekday × hour, enough agents for the fitted workload at 80 % busy
   (at least one while tickets arrive) — a placeholder to replace, with a warning.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simdesk.scenario.calendar import DAY_NAMES

PLACEHOLDER_BUSY = 0.8
SESSION_GAP = 4
"""Hours without a ticket begun that end an agent's session (a shift)."""
SOURCES = ("staff", "assignees", "placeholder")


@dataclass(frozen=True)
class TierStaffing:
    """The staffing of one tier and where it came from."""

    tier: str
    source: str
    """One of :data:`SOURCES`."""
    spec: dict[str, object]
    """The tier's ``agents`` (and ``rotation``) keys for the scenario."""
    counts: np.ndarray | None = None
    """7 × 24 agents on duty (inferred or placeholder); ``None`` from ``--staff``."""
    people: int = 0
    """Distinct agents seen (assignees)."""


def _days_text(days: Sequence[int]) -> str:
    """``[0, 1, 2, 3, 4]`` → ``Mon-Fri``; ``[0, 2, 4]`` → ``Mon,Wed,Fri``."""
    if len(days) == 7:
        return "daily"
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{DAY_NAMES[run[0]]}-{DAY_NAMES[run[-1]]}")
        else:
            parts.extend(DAY_NAMES[d] for d in run)
    return ",".join(parts)


def shifts_from_counts(counts: np.ndarray) -> list[dict[str, object]]:
    """Shift groups whose agents on duty equal ``counts`` (7 × 24, whole agents) in every
    hour. Within a day, a rise in staff starts shifts and a fall ends the earliest-started
    ones (first in, first out), so staggered shifts come out as they were worked; the same
    hours on several days become one shift."""
    counts = np.asarray(counts, dtype=int)
    if counts.min() == counts.max():
        return [{"shift": "24x7", "count": int(counts.max())}] if counts.max() > 0 else []
    runs: dict[tuple[int, int], list[int]] = {}
    for day in range(7):
        started: list[int] = []
        previous = 0
        for hour in [*range(24), 24]:
            now = int(counts[day, hour]) if hour < 24 else 0
            if now > previous:
                started += [hour] * (now - previous)
            for begin in started[:max(previous - now, 0)]:
                runs.setdefault((begin, hour), []).append(day)
            started = started[max(previous - now, 0):]
            previous = now
    groups: dict[str, int] = {}
    for (begin, end), days in sorted(runs.items()):
        remaining = list(days)
        while remaining:
            distinct = sorted(set(remaining))
            text = f"{_days_text(distinct)} {begin:02d}:00-{end:02d}:00"
            groups[text] = groups.get(text, 0) + 1
            for day in distinct:
                remaining.remove(day)
    return [{"shift": shift, "count": count} for shift, count in groups.items()]


def infer_from_assignees(tier: str, steps: pd.DataFrame, first_day: pd.Timestamp,
                         days: int) -> TierStaffing | None:
    """Agents on duty per weekday × hour from when each agent began tickets: a session of
    an agent is a run of tickets begun less than :data:`SESSION_GAP` hours apart, on duty
    from the hour of its first to the end of the hour of its last."""
    mine = steps.loc[(steps["tier"] == tier) & steps["agent"].notna() & steps["start"].notna(),
                     ["agent", "start"]]
    if mine.empty:
        return None
    began = mine["start"].dt.round("min")  # work times carry rounding of a second or so
    hour = ((began - first_day).dt.total_seconds() // 3600).to_numpy(dtype=np.int64)
    frame = pd.DataFrame({"agent": mine["agent"].astype(str).array, "hour": hour})
    frame = frame.loc[(frame["hour"] >= 0) & (frame["hour"] < days * 24)]
    frame = frame.sort_values(["agent", "hour"], kind="stable")
    on_duty = np.zeros(days * 24, dtype=int)
    for _, hours in frame.groupby("agent")["hour"]:
        values = hours.to_numpy()
        breaks = np.flatnonzero(np.diff(values) > SESSION_GAP) + 1
        for session in np.split(values, breaks):
            on_duty[session[0]:session[-1] + 1] += 1
    by_day = on_duty.reshape(days, 24)
    weekday = (first_day.weekday() + np.arange(days)) % 7
    counts = np.zeros((7, 24), dtype=int)
    for w in range(7):
        if np.any(weekday == w):
            counts[w] = np.floor(np.median(by_day[weekday == w], axis=0) + 0.5)
    if not counts.any():
        counts = np.where(by_day.max(axis=0) > 0, 1, 0)[None, :].repeat(7, axis=0)
    return TierStaffing(tier, "assignees", {"agents": shifts_from_counts(counts)}, counts,
                        int(frame["agent"].nunique()))


def placeholder(tier: str, workload: np.ndarray) -> TierStaffing:
    """Agents per weekday × hour for ``workload`` (7 × 24 agents' worth of work) at
    :data:`PLACEHOLDER_BUSY` busy, at least one wherever there is work."""
    counts = np.where(workload > 0, np.maximum(np.ceil(workload / PLACEHOLDER_BUSY), 1), 0)
    if not counts.any():
        counts = np.ones((7, 24))
    return TierStaffing(tier, "placeholder",
                        {"agents": shifts_from_counts(counts.astype(int))}, counts.astype(int))


def from_scenario(tier: str, tiers: Mapping[str, Mapping[str, object]]) -> TierStaffing | None:
    """A tier's staffing keys from another scenario (plain data), if it has the tier."""
    spec = tiers.get(tier)
    if spec is None:
        return None
    kept = {key: spec[key] for key in ("role", "agents", "rotation") if key in spec}
    return TierStaffing(tier, "staff", kept)


def on_duty_hours(counts: np.ndarray | None) -> float:
    """Agent-hours per week of a 7 × 24 staffing table."""
    return math.nan if counts is None else float(np.sum(counts))
