"""Which tiers work which tickets: entry tiers, escalations and the share each resolves.

From each ticket's ``groups`` (the tiers in the order they worked it):

* the tiers, ordered so that every escalation goes forward (a topological order of the
  observed hand-overs, ties by how many tickets each tier saw);
* each channel's entry tier, the first tier of most of its tickets;
* each tier's ``resolves``: among tickets whose work there is finished and whose fate is
  known (solved there, or passed to another tier), the share solved there — with its
  Wilson 95 % interval; and its ``escalate_to``, the tier most of the others went to.

The scenario has one resolution share per tier; when the channels of a tier differ
clearly (χ² test, p < 0.1 %) the fit says so.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

DIFFERENCE_P = 0.001


def wilson(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion."""
    if trials == 0:
        return math.nan, math.nan
    p = successes / trials
    centre = (p + z**2 / (2 * trials)) / (1 + z**2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z**2 / (4 * trials**2)) / (1 + z**2 / trials)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class TierRouting:
    """What one tier did with the tickets it finished."""

    tier: str
    entered: int
    resolved: int
    escalated: int
    escalate_to: str | None
    destinations: dict[str, int] = field(default_factory=dict)
    """Every tier it passed tickets to, with counts."""
    by_channel: dict[str, tuple[int, int]] = field(default_factory=dict)
    """channel → (resolved, finished)."""
    channels_differ: float = math.nan
    """p-value of the χ² test that every channel has the same resolution share."""

    @property
    def finished(self) -> int:
        return self.resolved + self.escalated

    @property
    def resolves(self) -> float:
        return self.resolved / self.finished if self.finished else math.nan

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.resolved, self.finished)


@dataclass(frozen=True)
class Routing:
    """The fitted routing of the whole desk."""

    tiers: tuple[TierRouting, ...]
    entries: dict[str, str]
    """channel → the tier its tickets enter."""
    entry_shares: dict[str, float]
    """channel → share of its tickets entering at that tier."""

    @property
    def order(self) -> list[str]:
        return [t.tier for t in self.tiers]

    def tier(self, name: str) -> TierRouting:
        return next(t for t in self.tiers if t.tier == name)


def _order(paths: pd.Series) -> list[str]:
    """Tiers in an order where every hand-over goes forward (Kahn's algorithm)."""
    seen: Counter[str] = Counter()
    edges: set[tuple[str, str]] = set()
    for path, count in paths.value_counts(sort=False).items():
        tiers = str(path).split(">") if path else []
        for tier in tiers:
            seen[tier] += int(count)
        edges.update((a, b) for a, b in itertools.pairwise(tiers) if a != b)
    order: list[str] = []
    remaining = set(seen)
    while remaining:
        ready = [t for t in remaining if not any(a in remaining and b == t for a, b in edges)]
        if not ready:  # a cycle: take the busiest tier next
            ready = list(remaining)
        chosen = max(ready, key=lambda t: (seen[t], t))
        order.append(chosen)
        remaining.remove(chosen)
    return order


def fit_routing(tickets: pd.DataFrame, steps: pd.DataFrame) -> Routing:
    """Entry tiers, escalation targets and resolution shares."""
    order = _order(tickets["path"])
    counts = steps.groupby("ticket").size()
    length = counts.reindex(range(len(tickets)), fill_value=0).to_numpy()
    step_ticket = steps["ticket"].to_numpy()
    last = steps["step"].to_numpy() == length[step_ticket] - 1
    solved = tickets["solved_after"].notna().to_numpy()[step_ticket]
    known = steps["work"].notna().to_numpy()
    finished_work = known if known.any() else np.ones(len(steps), dtype=bool)
    ticket_codes, uniques = pd.factorize(tickets["channel"])
    names = [str(v) for v in uniques]
    codes = ticket_codes[step_ticket]
    tier_text = steps["tier"].astype(str).array  # Arrow text: no million Python strings
    tiers = []
    for name in order:
        here = (steps["tier"] == name).to_numpy()
        resolved_here = here & last & solved & finished_work
        passed_on = here & ~last
        # a step passed on is never a ticket's last, so the next step is its next tier
        destinations = Counter(tier_text.take(np.flatnonzero(passed_on) + 1).tolist())
        by_channel = {}
        present = np.bincount(codes[here], minlength=len(names)) > 0
        resolved_by = np.bincount(codes[resolved_here], minlength=len(names))
        finished_by = np.bincount(codes[resolved_here | passed_on], minlength=len(names))
        for code in sorted(np.flatnonzero(present).tolist(), key=lambda c: names[c]):
            by_channel[names[code]] = (int(resolved_by[code]), int(finished_by[code]))
        tiers.append(TierRouting(
            name, int(here.sum()), int(resolved_here.sum()), int(passed_on.sum()),
            destinations.most_common(1)[0][0] if destinations else None,
            dict(destinations.most_common()), by_channel, _difference(by_channel)))
    entries, shares = {}, {}
    entry = np.flatnonzero(steps["step"].to_numpy() == 0)
    entered = pd.DataFrame({"channel": tickets["channel"].array.take(step_ticket[entry]),
                            "tier": tier_text.take(entry)})
    entered = entered.loc[entered["tier"] != ""]
    for value in pd.unique(tickets["channel"]):
        first = entered.loc[entered["channel"] == value, "tier"]
        if len(first):
            top = first.value_counts()
            entries[str(value)] = str(top.index[0])
            shares[str(value)] = float(top.iloc[0] / len(first))
    return Routing(tuple(tiers), entries, shares)


def _difference(by_channel: dict[str, tuple[int, int]]) -> float:
    table = [(r, n - r) for r, n in by_channel.values() if n > 0]
    if len(table) < 2:
        return math.nan
    array = np.array(table, dtype=float)
    if np.any(array.sum(axis=0) == 0):
        return 1.0
    return float(stats.chi2_contingency(array, correction=False).pvalue)
