"""What to try when a target is missed: a few candidate changes, each simulated on the
same tickets (same seed: common random numbers) as the run, judged by the paired change
in the channel's SLA with its 95 % interval.

Candidates, for the worst block of a channel that misses (or is close):

* **one more agent in the worst block** — an agent group of one on the channel's first
  tier, on duty exactly in that block;
* **a shift moved** — one agent of the tier's group whose shift lies nearest, moved so
  that it starts (or ends) with the block, same length, same days;
* **a channel priority** — when other channels share the tier, every agent takes this
  channel first (blending order).

Cost is bounded: each candidate runs the first :data:`REPLICATIONS` replications of the
run (fewer if the run has fewer), paired with the same replications of the run itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np

from simdesk.metrics.misses import (
    Block,
    ChannelMisses,
    Suggestion,
    channel_misses,
    days_text,
)
from simdesk.metrics.stats import t_quantile
from simdesk.metrics.verdicts import summary_verdicts
from simdesk.plan.model import ChannelPlan
from simdesk.scenario.calendar import parse_shift
from simdesk.scenario.schema import Scenario, ShiftGroup
from simdesk.simulation import SimulationResult

REPLICATIONS = 5
"""Replications per candidate change (at most the run's)."""
CANDIDATES = 3
"""Candidate changes tried per channel."""
CHANNELS = 2
"""Channels whose changes are tried, furthest below their target first: together at most
``CHANNELS × CANDIDATES × REPLICATIONS`` extra replications."""


def _with_groups(scenario: Scenario, tier: str, groups: list[ShiftGroup]) -> Scenario:
    tiers = dict(scenario.tiers)
    tiers[tier] = tiers[tier].model_copy(update={"agents": groups})
    return scenario.model_copy(update={"tiers": tiers})


def _one_more(scenario: Scenario, tier: str, block: Block) -> tuple[str, Scenario]:
    group = ShiftGroup(shift=block.shift, count=1)
    return (f"one more {tier} agent {block.label}",
            _with_groups(scenario, tier, [*scenario.tiers[tier].agents, group]))


def _window(group: ShiftGroup) -> tuple[frozenset[int], int, int] | None:
    """Days and (start, end) minutes of a one-window daytime shift, else None."""
    pattern = parse_shift(group.shift)
    if pattern.always or len(pattern.windows) != 1:
        return None
    window = pattern.windows[0]
    if window.end <= window.start:
        return None
    return window.days, window.start, window.end


def _moved(scenario: Scenario, tier: str, block: Block) -> tuple[str, Scenario] | None:
    """One agent of the nearest group moved to start (or end) with the block."""
    begin, end = block.start * 60, block.end * 60
    best: tuple[float, int, str] | None = None

    for index, group in enumerate(scenario.tiers[tier].agents):
        window = _window(group)
        if window is None or group.dates is not None or group.count < 1:
            continue
        days, start, stop = window
        if not set(block.days) <= set(days) or (start <= begin and stop >= end):
            continue
        length = stop - start
        new_start = begin if start > begin else end - length  # start with it, or end with it
        new_start = min(max(new_start, 0), 1440 - length)
        distance = abs(new_start - start)
        if new_start == start or (best is not None and distance >= best[0]):
            continue
        text = (f"{days_text(days)} {new_start // 60:02d}:{new_start % 60:02d}-"
                f"{(new_start + length) // 60:02d}:{(new_start + length) % 60:02d}")
        best = (distance, index, text)
    if best is None:
        return None
    _, index, text = best
    groups = list(scenario.tiers[tier].agents)
    old = groups[index]
    moved = old.model_copy(update={"shift": text, "count": 1})
    rest = [old.model_copy(update={"count": old.count - 1})] if old.count > 1 else []
    groups[index:index + 1] = [*rest, moved]
    return (f"one {tier} agent's shift moved from {old.shift} to {text}",
            _with_groups(scenario, tier, groups))


def _priority(scenario: Scenario, tier: str, channel: ChannelPlan, sharing: list[str]
              ) -> tuple[str, Scenario] | None:
    """Every agent of the tier takes ``channel`` first."""
    if not sharing:
        return None
    groups = []
    for group in scenario.tiers[tier].agents:
        taken = group.channels if group.channels is not None else [channel.name, *sharing]
        if channel.name not in taken:
            groups.append(group)
            continue
        groups.append(group.model_copy(update={
            "channels": [channel.name, *[c for c in taken if c != channel.name]]}))
    if all(g.channels == o.channels for g, o in zip(groups, scenario.tiers[tier].agents,
                                                       strict=True)):
        return None
    return (f"{tier} agents take {channel.name} before {', '.join(sharing)}",
            _with_groups(scenario, tier, groups))


def candidates(result: SimulationResult, misses: ChannelMisses
               ) -> Iterator[tuple[str, Scenario]]:
    """The candidate changes for one channel, most targeted first."""
    plan = result.plan
    channel = next(c for c in plan.channels if c.name == misses.channel)
    tier = plan.tiers[channel.chain[0]].name
    if tier not in result.scenario.tiers or not misses.blocks:
        return
    block = misses.blocks[0]
    yield _one_more(result.scenario, tier, block)
    moved = _moved(result.scenario, tier, block)
    if moved is not None:
        yield moved
    sharing = [c.name for c in plan.channels
               if c.index != channel.index and c.chain[0] == channel.chain[0]]
    priority = _priority(result.scenario, tier, channel, sharing)
    if priority is not None:
        yield priority


def try_changes(result: SimulationResult, misses: ChannelMisses, *, workers: int = 0,
                replications: int = REPLICATIONS,
                progress: Callable[[int, int, str], None] | None = None) -> list[Suggestion]:
    """Simulate each candidate on the run's first replications (same seed) and return
    the paired change in the channel's SLA: significant gains first, largest first.

    ``progress(done, total, what)`` is called after every replication of every candidate
    (replications done over all candidates); it may raise to stop the work (the studio's
    cancel)."""
    from simdesk.simulation import auto_workers, simulate

    count = min(replications, result.replications)
    workers = workers or auto_workers(result.plan, count)
    base = _sla_by_replication(result.metrics, misses.channel, count)
    found = []
    tried = list(candidates(result, misses))[:CANDIDATES]
    for index, (change, scenario) in enumerate(tried):
        hook = None
        if progress is not None:
            def hook(done: int, _: int, before: int = index * count, what: str = change
                     ) -> None:
                progress(before + done, len(tried) * count, what)
        trial = simulate(scenario, seed=result.seed, replications=count, workers=workers,
                         progress=hook)
        gains = _sla_by_replication(trial.metrics, misses.channel, count) - base
        mean, low, high = paired_t(gains)
        found.append(Suggestion(change, mean, low, high, count))
    return sorted(found, key=_rank)


def _rank(suggestion: Suggestion) -> tuple[int, float]:
    """Significant gains first, then the rest; each by the size of the gain."""
    gain = suggestion.gain if not math.isnan(suggestion.gain) else -math.inf
    return (0 if suggestion.significant and gain > 0 else 1, -gain)


def paired_t(gains: np.ndarray) -> tuple[float, float, float]:
    """Mean paired difference and its 95 % Student-t interval (NaN with fewer than 2)."""
    gains = gains[~np.isnan(gains)]
    if len(gains) == 0:
        return math.nan, math.nan, math.nan
    mean = float(gains.mean())
    if len(gains) < 2:
        return mean, math.nan, math.nan
    half = t_quantile(len(gains)) * float(gains.std(ddof=1)) / math.sqrt(len(gains))
    return mean, mean - half, mean + half


def _sla_by_replication(metrics: object, channel: str, count: int) -> np.ndarray:
    import pandas as pd

    assert isinstance(metrics, pd.DataFrame)
    rows = metrics.loc[(metrics["scope"] == "channel") & (metrics["group"] == channel)
                       & (metrics["metric"] == "sla") & (metrics["replication"] < count)]
    return rows.sort_values("replication")["value"].to_numpy(dtype=float)


def explain_misses(result: SimulationResult, *, suggest: bool = True, workers: int = 0,
                   progress: Callable[[int, int, str], None] | None = None
                   ) -> list[ChannelMisses]:
    """For each channel whose target is missed or close (by the 95 % interval): where
    and why, and — with ``suggest`` — a few changes tried on the same tickets for the
    :data:`CHANNELS` channels furthest below their targets (``workers``: 0 chooses;
    ``progress`` as in :func:`try_changes`, the channel's name before the change)."""
    verdicts = summary_verdicts(result.plan.channels, result.summary)
    summary = result.summary
    explained: list[ChannelMisses] = []
    for channel in result.plan.channels:
        verdict = verdicts.get(channel.name)
        if verdict not in ("missed", "borderline"):
            continue
        row = summary.loc[(summary["scope"] == "channel") & (summary["group"] == channel.name)
                          & (summary["metric"] == "sla")]
        explained.append(channel_misses(result.plan, result.tickets, result.visits, channel,
                                        verdict, float(row["mean"].iloc[0])))
    if suggest:
        suggest_changes(result, explained, workers=workers, progress=progress)
    return explained


def suggest_changes(result: SimulationResult, explained: list[ChannelMisses], *,
                    workers: int = 0, progress: Callable[[int, int, str], None] | None = None
                    ) -> None:
    """Add to ``explained`` (as :func:`explain_misses` without ``suggest`` gives it) a few
    changes tried on the same tickets, for the :data:`CHANNELS` channels furthest below
    their targets."""
    worst_first = sorted(explained, key=lambda m: m.sla - m.target)
    for rank, misses in enumerate(worst_first):
        if result.replications < 2:
            misses.suggestion_note = "no changes tried: one replication gives no interval"
        elif rank >= CHANNELS:
            misses.suggestion_note = (f"no changes tried: they are tried for the {CHANNELS} "
                                      "channels furthest below their targets")
        else:
            hook = None
            if progress is not None:
                def hook(done: int, total: int, what: str, channel: str = misses.channel
                         ) -> None:
                    progress(done, total, f"{channel}: {what}")
            misses.suggestions = try_changes(result, misses, workers=workers, progress=hook)
            misses.suggestion_note = (
                f"each change simulated on the same tickets: seed {result.seed}, "
                f"replications 1–{min(REPLICATIONS, result.replications)}")


__all__ = ["CANDIDATES", "CHANNELS", "REPLICATIONS", "candidates", "explain_misses",
           "suggest_changes", "try_changes"]
