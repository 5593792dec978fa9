"""From a staffing requirement to a roster, verified by simulation, written to a folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from simdesk.plan.compile import compile_plan
from simdesk.scenario.load import scenario_to_dict, scenario_to_yaml, validate_scenario
from simdesk.scenario.schema import Scenario
from simdesk.simulation import simulate
from simdesk.staffing.judge import Verdict, judge, per_replication, pool_verdict
from simdesk.staffing.roster import Roster, RosterSpec, expand, solve
from simdesk.staffing.search import Staffing
from simdesk.staffing.seats import seat_groups, today_cover
from simdesk.store.atomic import atomic_text, atomic_write
from simdesk.store.spreadsheet import neutralised


@dataclass
class RosterPlan:
    """Per staffed tier the roster, the scenario using them all, and its verification."""

    rosters: dict[str, Roster]
    scenario: Scenario
    verdict: pd.DataFrame = field(default_factory=pd.DataFrame)

    def missed(self, staffing: Staffing) -> list[str]:
        """Intervals (with their tier) where the rostered scenario misses the target."""
        if self.verdict.empty:
            return []
        rows = self.verdict.loc[~self.verdict["met"]]
        return [f"{tier} {staffing.grid.label(int(interval))}"
                for tier, interval in zip(rows["tier"], rows["interval"], strict=True)]


def roster_for(staffing: Staffing, spec: RosterSpec) -> RosterPlan:
    """The cheapest roster per staffed tier, and the scenario that uses them, simulated."""
    shifts = expand(spec)
    most = {p.name: p.most for p in spec.patterns if p.most is not None}
    rosters = {goal.tier: solve(staffing.levels[goal.tier], shifts, staffing.grid, most)
               for goal in staffing.goals}
    data = scenario_to_dict(staffing.scenario)
    plan = compile_plan(staffing.scenario)
    for name, roster in rosters.items():
        groups = roster.agents()
        profiles = seat_groups(staffing.levels[name], staffing.grid,
                               today_cover(plan, name, staffing.grid))
        if profiles and all({k: v for k, v in p.items() if k not in ("shift", "count")}
                            == {k: v for k, v in profiles[0].items()
                                if k not in ("shift", "count")} for p in profiles):
            extra = {k: v for k, v in profiles[0].items() if k not in ("shift", "count")}
            groups = [{**group, **extra} for group in groups]
        else:  # several profiles: keep each one present so routing names resolve
            groups += [{**p, "count": 0} for p in profiles]
        data["tiers"][name]["agents"] = groups
        data["tiers"][name].pop("rotation", None)
    scenario = validate_scenario(data)
    result = simulate(scenario, seed=staffing.seed, replications=max(staffing.replications, 10))
    rows = []
    for goal in staffing.goals:
        verdicts = judge(per_replication(result, goal), goal, result.plan)
        for index in range(staffing.grid.count):
            found = verdicts[int(goal.demand.classes[index])]
            met = pool_verdict(found) is not Verdict.MISSED if found else True
            rows.append({"tier": goal.tier, "interval": index, "met": met})
    return RosterPlan(rosters, scenario, pd.DataFrame(rows))


def write_staffing(folder: Path, staffing: Staffing, rosters: RosterPlan | None) -> Path:
    """``staffing.csv``, ``staffed.yaml`` (the requirement as agents), and with a roster
    ``roster.csv`` and ``rostered.yaml``."""
    folder.mkdir(parents=True, exist_ok=True)
    table = neutralised(staffing.table())  # names a spreadsheet would run: as text
    atomic_write(folder / "staffing.csv", lambda p: table.to_csv(p, index=False))
    atomic_text(folder / "staffed.yaml",
                "# The scenario with the staffing found by simulation, one 'seat' per level\n"
                + scenario_to_yaml(staffing.staffed()))
    if rosters is not None:
        rows: list[dict[str, Any]] = []
        for tier, roster in rosters.rosters.items():
            rows += [{"tier": tier, "pattern": s.pattern, "days": ",".join(map(str, s.days)),
                      "shift": s.text(), "people": n, "cost": s.cost * n}
                     for s, n in roster.shifts]
        roster_table = neutralised(pd.DataFrame(rows))
        atomic_write(folder / "roster.csv", lambda p: roster_table.to_csv(p, index=False))
        atomic_text(folder / "rostered.yaml",
                    "# The scenario with the cheapest roster of the allowed shifts\n"
                    + scenario_to_yaml(rosters.scenario))
    return folder

