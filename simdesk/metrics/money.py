"""What a run costs in money (a ``money:`` section, :class:`~simdesk.scenario.outcomes.MoneySpec`).

Per replication, over the measured window (after the warm-up), in the scenario's currency:

* ``staff_cost`` — paid agent-hours × their price: every agent's scheduled hours (shifts,
  rotation duty), absences and breaks included since they are paid; reserve agents a
  supervisor called in, for their hours on the queue (priced by ``tier/reserve`` if
  given); helpers are not counted (their hours are paid by their own team);
* ``churn_cost`` — customers lost (``outcomes:``), each at its segment's ``acquisition``
  cost if given (it is replaced), else its ``value``;
* ``conversion_value`` — free users converted, each worth the ``value`` of the segment it
  joins less that of the free segment;
* ``total_cost`` — ``staff_cost + churn_cost − conversion_value``.

Without an ``outcomes:`` section no customer is lost or converted: both are 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simdesk.metrics.catalogue import OVERALL_GROUP, from_source
from simdesk.plan.model import DeskPlan
from simdesk.plan.reserve import RESERVE
from simdesk.scenario.outcomes import MoneySpec

MINUTES_PER_HOUR = 60.0


def paid_hours(plan: DeskPlan) -> dict[tuple[str, str, str | None], float]:
    """Scheduled hours in the measured window per (tier, shift group, team)."""
    hours: dict[tuple[str, str, str | None], float] = {}
    for tier in plan.tiers:
        for agent in tier.agents:
            if agent.helper is not None or agent.group == RESERVE:
                continue
            minutes = sum(max(0.0, min(end, plan.horizon) - max(begin, plan.warmup))
                          for begin, end in agent.duty)
            key = (tier.name, agent.group, agent.team)
            hours[key] = hours.get(key, 0.0) + minutes / MINUTES_PER_HOUR
    return hours


def staff_cost(plan: DeskPlan, money: MoneySpec) -> float:
    """Paid agent-hours × their price over the measured window."""
    return sum(h * money.hourly(tier, group, team)
               for (tier, group, team), h in paid_hours(plan).items())


def conversion_target(plan: DeskPlan) -> str | None:
    """The segment converted free users join (``conversion.to``, else the first other)."""
    outcomes = plan.scenario.outcomes
    if outcomes is None or outcomes.conversion is None:
        return None
    conversion = outcomes.conversion
    if conversion.to is not None:
        return conversion.to
    others = [s for s in plan.segments if s != conversion.segment]
    return others[0] if others else None


def reserve_cost(plan: DeskPlan, money: MoneySpec, duty: pd.DataFrame,
                 replications: np.ndarray) -> np.ndarray:
    """Per replication: reserve agents' hours on the queue in the measured window × price."""
    reserves = {agent.name: money.hourly(plan.tiers[agent.tier].name, RESERVE, None)
                for agent in plan.agents if agent.group == RESERVE}
    cost = np.zeros(len(replications))
    if not reserves or duty.empty:
        return cost
    rows = duty.loc[duty["agent"].astype(str).isin(list(reserves))]
    hours = (np.minimum(rows["off"].to_numpy(float), plan.horizon)
             - np.maximum(rows["on"].to_numpy(float), plan.warmup)).clip(0) / MINUTES_PER_HOUR
    price = rows["agent"].astype(str).map(reserves).to_numpy(float)
    index = np.searchsorted(replications, rows["replication"].to_numpy())
    inside = index < len(replications)
    np.add.at(cost, index[inside], (hours * price)[inside])
    return cost


def money_metrics(plan: DeskPlan, customers: pd.DataFrame | None,
                  replications: np.ndarray, duty: pd.DataFrame | None = None
                  ) -> pd.DataFrame:
    """``replication, scope, group, metric, value`` of the money metrics (overall)."""
    money = plan.scenario.money
    if money is None:
        raise ValueError("the scenario has no money: section")
    staff = np.full(len(replications), staff_cost(plan, money))
    if duty is not None:
        staff = staff + reserve_cost(plan, money, duty, replications)
    lost: np.ndarray = np.zeros(len(replications))
    won: np.ndarray = np.zeros(len(replications))
    if customers is not None:
        c = customers.loc[~customers["warmup"].to_numpy(dtype=bool)]
        index = np.searchsorted(replications, c["replication"].to_numpy())
        segment = c["segment"].astype(str).to_numpy()
        price = {s: money.customer(s) for s in plan.segments}
        lost_each = np.array([price[s].acquisition if price[s].acquisition is not None
                              else price[s].value for s in segment], dtype=float)
        churned = c["churned"].to_numpy(dtype=bool)
        lost = np.bincount(index[churned], weights=lost_each[churned],
                           minlength=len(replications))
        target = conversion_target(plan)
        if target is not None:
            gain = np.array([money.customer(target).value - price[s].value for s in segment],
                            dtype=float)
            converted = c["converted"].to_numpy(dtype=bool)
            won = np.bincount(index[converted], weights=gain[converted],
                              minlength=len(replications))
    values = {"staff_cost": staff, "churn_cost": lost, "conversion_value": won,
              "total_cost": staff + lost - won}
    names = from_source("money", "overall", ("money",))
    return pd.DataFrame({
        "replication": np.tile(replications, len(names)),
        "scope": "overall",
        "group": OVERALL_GROUP,
        "metric": np.repeat(np.array(names, dtype=object), len(replications)),
        "value": np.concatenate([values[m] for m in names]),
    })


__all__ = ["conversion_target", "money_metrics", "paid_hours", "reserve_cost", "staff_cost"]
