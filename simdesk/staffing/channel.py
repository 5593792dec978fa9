"""Goal ``channel``: the fewest agent-hours whose whole-horizon channel SLA and
``expect:`` assertions hold — the verdict ``simdesk run`` and ``check`` give.

Starting from the interval plan, agents are removed from the pools with the most room
over their target first, in batches (half of the candidates, then halving on failure),
each batch kept only if the plan still holds: every channel's SLA lower 95 % bound at
its target and every ``expect:`` passing on its conservative bound. A pool whose cut
failed alone is not tried again. The answer never exceeds the interval plan; it is the
best found within ``budget`` simulations, not a proven optimum.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from simdesk.metrics.verdicts import evaluate
from simdesk.simulation import SimulationResult
from simdesk.staffing.judge import Verdict, channel_sla
from simdesk.staffing.runner import Runner
from simdesk.staffing.seats import staffed_scenario
from simdesk.staffing.today import decided

if TYPE_CHECKING:  # the search calls this module: only the type, no import cycle
    from simdesk.staffing.search import Staffing

IntArray = np.ndarray[tuple[int], np.dtype[np.int64]]

BUDGET = 10
"""Simulations the channel goal may spend."""


def holds(result: SimulationResult) -> tuple[bool, list[str]]:
    """Whether the run verdict holds, and what fails."""
    failing = []
    for row in channel_sla(result).itertuples():
        if not float(row.ci_low) >= float(row.target):  # type: ignore[arg-type]
            failing.append(f"{row.channel} SLA")
    expectations = result.scenario.expect
    if expectations:
        failing += [v.expectation.text for v in evaluate(result, expectations) if not v.passed]
    return not failing, failing


def channel_goal(runner: Runner, answer: Staffing, pools: Mapping[str, IntArray],
                 budget: int = BUDGET) -> None:
    """Fill ``answer.channel_levels`` (and ``channel_result``, ``channel_note``)."""
    goals = answer.goals
    level = {name: value.copy() for name, value in pools.items()}

    def run(trial: Mapping[str, IntArray], what: str) -> SimulationResult:
        levels = {g.tier: trial[g.tier][g.demand.classes] for g in goals}
        scenario = staffed_scenario(runner.scenario, levels, runner.grid, runner.plan)
        return runner.run_scenario(scenario, what, decided)

    base = run(level, "checking the interval plan on the channel goal")
    ok, failing = holds(base)
    if not ok:
        answer.channel_levels = answer.levels
        answer.channel_result = base
        answer.channel_note = ("the interval plan already fails " + ", ".join(failing)
                               + ": cutting agents cannot help")
        return
    final = answer.final
    room: list[tuple[float, str, int]] = []
    for g in goals:
        for pool in range(g.demand.pools):
            if level[g.tier][pool] <= 0 or final is None:
                continue
            verdicts = final.verdicts[g.tier][pool]
            margin = min((v.mean - v.target for v in verdicts.values()), default=1.0)
            if final.state(g.tier, pool) is Verdict.MET:
                room.append((margin, g.tier, pool))
    room.sort(reverse=True)
    candidates = [(tier, pool) for _, tier, pool in room]
    batch = max(1, len(candidates) // 2)
    spent = 1
    while candidates and spent < budget:
        chosen, rest = candidates[:batch], candidates[batch:]
        trial = {name: value.copy() for name, value in level.items()}
        for tier, pool in chosen:
            trial[tier][pool] -= 1
        result = run(trial, f"channel goal: {len(chosen)} fewer agent(s)")
        spent += 1
        if holds(result)[0]:
            level, base = trial, result
            candidates = rest + [(t, p) for t, p in chosen if level[t][p] > 0]
        elif batch > 1:
            batch = max(1, batch // 2)
        else:
            candidates = rest
    answer.channel_levels = {g.tier: level[g.tier][g.demand.classes] for g in goals}
    answer.channel_result = base
    saved = sum(answer.agent_hours("simulated").values()) - sum(
        answer.agent_hours("channel").values())
    if saved > 0:
        answer.channel_note = (
            "the channel goal judges each channel over the whole horizon, so quiet or "
            "easy intervals may fall below the target where others make up for it; the "
            f"interval goal holds every interval to it ({saved:,.0f} agent-hours more)")
    else:
        answer.channel_note = "no agent could be removed without a channel target failing"
