"""Tier and agent metrics per replication (scope ``tier``), over the window from the
warm-up to the horizon: ``utilization`` (busy time / on-duty time, overtime to finish a
ticket included), ``agents_on_duty`` (mean number on the queue), ``handled`` (services
completed: first contacts, follow-up replies and repeat contacts), ``per_agent_day``
(conversations — a ticket's first service at the tier — completed per 8 on-duty hours,
what "35 tickets per agent per day" counts), ``services_per_agent_day`` (every service,
``handled``, per 8 on-duty hours), ``queue_mean`` (time-average number waiting, measured
by the engine), ``wait_mean`` (time waiting in this tier's queue) and, with repeat
contacts, ``repeat_work``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simdesk.metrics.kernels import ratio
from simdesk.plan.model import DeskPlan

AGENT_DAY_MINUTES = 8 * 60


def _overlap(begin: np.ndarray, end: np.ndarray, low: float, high: float) -> np.ndarray:
    """Length of each interval ``[begin, end]`` inside ``[low, high]``."""
    return np.asarray(np.clip(np.minimum(end, high) - np.maximum(begin, low), 0, None))


def _keys(frame: pd.DataFrame, column: str, replications: np.ndarray, width: int
          ) -> tuple[np.ndarray, np.ndarray]:
    """Group keys ``replication index × width + code`` and which rows have a code."""
    codes = frame[column].cat.codes.to_numpy().astype(np.int64)
    rows = np.searchsorted(replications, frame["replication"].to_numpy())
    return rows * width + codes, codes >= 0


def agent_metrics(plan: DeskPlan, visits: pd.DataFrame, duty: pd.DataFrame) -> pd.DataFrame:
    """Per replication and agent: on-duty and busy minutes in the window, services done.

    ``capacity`` is on-duty minutes times the agent's seats (tickets it may hold at
    once), so ``utilization`` — busy over capacity — is the share of seats in use."""
    low, high = plan.warmup, plan.horizon
    agents = plan.agents
    width = len(agents)
    replications = np.unique(np.concatenate([visits["replication"].to_numpy(),
                                             duty["replication"].to_numpy()]))
    groups = len(replications) * width
    keys, served = _keys(visits, "agent", replications, width)
    end = visits["end"].to_numpy()
    busy = _overlap(visits["start"].to_numpy(), np.where(np.isnan(end), high, end), low, high)
    done = (end >= low) & (end < high)
    duty_keys, _ = _keys(duty, "agent", replications, width)
    duty_codes = duty["agent"].cat.codes.to_numpy().astype(np.int64)
    seats = np.array([a.seats for a in agents], dtype=float)
    staffed = _overlap(duty["on"].to_numpy(), duty["off"].to_numpy(), low, high)
    table = pd.DataFrame({
        "replication": np.repeat(replications, width),
        "tier": np.tile(np.array([plan.tiers[a.tier].name for a in agents], dtype=object),
                        len(replications)),
        "agent": np.tile(np.array([a.name for a in agents], dtype=object), len(replications)),
        "staffed": np.bincount(duty_keys, weights=staffed, minlength=groups),
        "capacity": np.bincount(duty_keys, weights=staffed * seats[duty_codes],
                                minlength=groups),
        "busy": np.bincount(keys[served], weights=busy[served], minlength=groups),
        "handled": np.bincount(keys[served], weights=done[served].astype(float),
                               minlength=groups),
    })
    table["utilization"] = ratio(table["busy"].to_numpy(), table["capacity"].to_numpy())
    return table


def _first_services(visits: pd.DataFrame, low: float, high: float) -> np.ndarray:
    """Which visits are a conversation's first service at their tier (the ticket's first
    contact there, not a follow-up reply or a repeat contact), completed in ``[low,
    high)``."""
    end = visits["end"].to_numpy(dtype=float)
    served = visits["agent"].cat.codes.to_numpy() >= 0
    contact = (visits["contact"].to_numpy() if "contact" in visits
               else np.zeros(len(visits), dtype=np.int16))
    candidate = served & ~np.isnan(end) & (contact == 0)
    tier = visits["tier"].cat.codes.to_numpy()
    ticket = visits["ticket"].to_numpy()
    replication = visits["replication"].to_numpy()
    order = np.lexsort((end, tier, ticket, replication, ~candidate))
    rows = order[: int(candidate.sum())]
    key = np.stack([replication[rows], ticket[rows], tier[rows]])
    new = np.ones(len(rows), dtype=bool)
    new[1:] = (key[:, 1:] != key[:, :-1]).any(axis=0)
    first = np.zeros(len(visits), dtype=bool)
    first[rows[new]] = True
    return first & (end >= low) & (end < high)


def tier_metrics(
    plan: DeskPlan, visits: pd.DataFrame, duty: pd.DataFrame, queue_area: pd.DataFrame,
    *, repeat_work: bool = False,
) -> pd.DataFrame:
    """Long table of tier metrics (scope ``tier``), one value per replication and tier.

    With ``repeat_work``, also the share of the tier's handling time in the window spent
    on repeat contacts (visits without a ``contact`` column have none)."""
    window = plan.horizon - plan.warmup
    agents = agent_metrics(plan, visits, duty)
    names = [t.name for t in plan.tiers]
    wide = agents.groupby(["replication", "tier"], sort=False)[
        ["staffed", "capacity", "busy", "handled"]].sum()
    index = pd.MultiIndex.from_product([np.unique(agents["replication"]), names])
    wide = wide.reindex(index, fill_value=0.0)
    staffed = wide["staffed"].to_numpy()
    wide["utilization"] = ratio(wide["busy"].to_numpy(), wide["capacity"].to_numpy())
    wide["agents_on_duty"] = staffed / window
    replications = index.levels[0].to_numpy()
    keys, _ = _keys(visits, "tier", replications, len(names))
    groups = len(replications) * len(names)
    first = _first_services(visits, plan.warmup, plan.horizon)
    agent_days = staffed / AGENT_DAY_MINUTES
    wide["per_agent_day"] = ratio(
        np.bincount(keys[first], minlength=groups).astype(float), agent_days)
    wide["services_per_agent_day"] = ratio(wide["handled"].to_numpy(), agent_days)
    waited = (visits["queued"].to_numpy() >= plan.warmup) & visits["start"].notna().to_numpy()
    wait = (visits["start"] - visits["queued"]).to_numpy()
    wide["wait_mean"] = ratio(np.bincount(keys[waited], weights=wait[waited], minlength=groups),
                               np.bincount(keys[waited], minlength=groups))
    areas = queue_area.set_index(["replication", "tier"])["area"]
    wide["queue_mean"] = areas.reindex(wide.index).to_numpy() / window
    if repeat_work:
        end = visits["end"].to_numpy(dtype=float)
        busy = _overlap(visits["start"].to_numpy(dtype=float),
                        np.where(np.isnan(end), plan.horizon, end), plan.warmup, plan.horizon)
        busy = np.nan_to_num(busy)
        repeat = (visits["contact"].to_numpy(dtype=float) > 0 if "contact" in visits
                  else np.zeros(len(visits), dtype=bool))
        wide["repeat_work"] = ratio(
            np.bincount(keys[repeat], weights=busy[repeat], minlength=groups),
            np.bincount(keys, weights=busy, minlength=groups))
    wide = wide.drop(columns=["staffed", "capacity", "busy"])
    long = wide.rename_axis(index=["replication", "group"]).reset_index().melt(
        id_vars=["replication", "group"], var_name="metric", value_name="value"
    )
    long.insert(1, "scope", "tier")
    order = {name: i for i, name in enumerate(names)}
    long["_order"] = long["group"].map(order)
    return long.sort_values(["_order", "replication"], kind="stable").drop(columns="_order")

