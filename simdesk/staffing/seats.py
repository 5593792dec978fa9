"""Staffing levels turned back into a tier's agent groups, keeping who the agents are.

Seat ``k`` works every interval whose level exceeds ``k``. A tier's agents differ in
what routing and blending see — ``team``, ``skills``, ``speed``, ``channels``,
``concurrency`` — so each seat takes one of the tier's *profiles* (those fields of an
existing group or rotation): the one whose agents are most on duty, today, in the hours
the seat works, counting each agent once. Every profile of the tier stays in the
staffed scenario (with ``count: 0`` if no seat takes it), so a policy naming a team
still resolves. ``dates``, ``ramp`` and ``breaks`` belong to today's shifts and are
dropped: a staffing plan repeats every week.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np

from simdesk.plan.compile import compile_plan
from simdesk.plan.model import DeskPlan
from simdesk.scenario.load import scenario_to_dict, validate_scenario
from simdesk.scenario.schema import Scenario
from simdesk.staffing.grid import WeekGrid

IntArray = np.ndarray[tuple[int], np.dtype[np.int64]]

PROFILE_FIELDS = ("team", "skills", "speed", "channels", "concurrency")


def _profile(group: Mapping[str, Any]) -> str:
    return json.dumps({k: group[k] for k in PROFILE_FIELDS
                       if group.get(k) is not None and not (k == "speed" and group[k] == 1)},
                      sort_keys=True)


def today_cover(plan: DeskPlan, tier: str, grid: WeekGrid) -> dict[str, np.ndarray]:
    """Per profile of ``tier``: mean agents on duty per interval of the week today
    (computed once per plan: a search staffs the same plan many times)."""
    key = ("today_cover", tier, grid.minutes)
    if key not in plan.cache:
        cover = _today_cover(plan, tier, grid)
        for value in cover.values():
            value.flags.writeable = False  # shared by every call
        plan.cache[key] = cover
    found: dict[str, np.ndarray] = plan.cache[key]
    return found


def _today_cover(plan: DeskPlan, tier: str, grid: WeekGrid) -> dict[str, np.ndarray]:
    scenario = plan.scenario
    spec = scenario.tiers[tier]
    tier_plan = next(t for t in plan.tiers if t.name == tier)
    groups = [g.model_dump(mode="json") for g in spec.agents]
    keys = [_profile(g) for g in groups for _ in range(g["count"])]
    if spec.rotation is not None:
        rotation = spec.rotation.model_dump(mode="json")
        keys += [_profile(rotation)] * spec.rotation.pool
    windows = grid.occurrences(plan.clock, plan.warmup, plan.horizon)
    if not any(windows):
        windows = grid.occurrences(plan.clock, 0.0, plan.horizon)
    cover: dict[str, np.ndarray] = {key: np.zeros(grid.count) for key in dict.fromkeys(keys)}
    for agent, key in zip(tier_plan.agents, keys, strict=False):
        duty = agent.duty
        for index, occurrences in enumerate(windows):
            if occurrences:
                on = sum(max(0.0, min(e, de) - max(b, db))
                         for b, e in occurrences for db, de in duty)
                cover[key][index] += on / (len(occurrences) * grid.minutes)
    return cover


def seat_groups(levels: IntArray, grid: WeekGrid, cover: Mapping[str, np.ndarray]
                ) -> list[dict[str, Any]]:
    """Agent groups putting ``levels[i]`` agents on duty in interval ``i`` of every week,
    each with the profile that best matches today's agents in its hours."""
    remaining = {key: value.copy() for key, value in cover.items()}
    weight = {key: float(value.sum()) for key, value in cover.items()}
    seats: list[tuple[np.ndarray, str]] = []
    for seat in range(int(np.max(levels, initial=0))):
        on = np.asarray(levels) > seat
        key = "{}"
        if remaining:
            key = max(remaining, key=lambda k: (float(np.sum(remaining[k] * on)), weight[k]))
            remaining[key] = np.maximum(remaining[key] - on, 0.0)
        seats.append((on, key))
    for key, value in cover.items():  # a profile left out takes its best seat if it can
        taken = [k for _, k in seats]
        if key in taken or not seats:
            continue
        spare = [i for i, (_, k) in enumerate(seats) if taken.count(k) > 1]
        if spare:
            best = max(spare, key=lambda i: float(np.sum(value * seats[i][0])))
            if float(np.sum(value * seats[best][0])) > 0:
                seats[best] = (seats[best][0], key)
    chosen: dict[tuple[str, str], int] = {}
    for on, key in seats:
        text = grid.windows_text(on)
        chosen[(text, key)] = chosen.get((text, key), 0) + 1
    used = {key for _, key in seats}
    groups = [{"shift": text, "count": count, **json.loads(key)}
              for (text, key), count in chosen.items()]
    for key in cover:
        if key not in used and key != "{}":
            groups.append({"shift": "Mon 00:00-01:00", "count": 0, **json.loads(key)})
    return groups


def staffed_scenario(scenario: Scenario, levels: Mapping[str, IntArray], grid: WeekGrid,
                     plan: DeskPlan | None = None) -> Scenario:
    """``scenario`` with each named tier's agents set to ``levels`` (rotations removed),
    every seat keeping the profile of today's agents in its hours."""
    plan = plan or compile_plan(scenario)
    data = scenario_to_dict(scenario)
    for name, level in levels.items():
        tier = data["tiers"][name]
        tier["agents"] = seat_groups(level, grid, today_cover(plan, name, grid))
        tier.pop("rotation", None)
    return validate_scenario(data)
