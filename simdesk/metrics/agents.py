"""Satisfaction next to the effort it took: per agent and per topic.

The articles' warning: an agent who takes the hard tickets — the 45-minute bug that
needed three replies and a developer — gets worse ratings than one who answers password
resets, without being any worse at the job. So ratings are shown next to the work
behind them, and each agent's good share next to what the desk as a whole gets on the
same mix of tickets.

Per replication, over tickets that arrived after the warm-up (not refused, not
deflected), scope ``agent`` (group: the agent's name):

* ``worked`` — tickets the agent finished at least one piece of work on;
* ``resolved`` — tickets the agent resolved (whose last piece of work was theirs: the
  rating is theirs);
* ``handle_mean`` — the agent's minutes on their tickets per ticket worked;
* ``escalated`` — share of the tickets worked that went on to a later tier (none for a
  dispatcher, whose job is to hand every ticket on);
* ``csat``, ``bad``, ``rated`` — good and bad shares of the ratings of the tickets they
  resolved, and how many were rated;
* ``csat_expected`` — the good share the whole desk got on tickets of the same kind
  (channel, topic and path through the tiers), averaged over the agent's rated tickets:
  what the desk as a whole scores on this agent's mix. ``csat`` below
  ``csat_expected`` is an agent who does worse than others on the same tickets; ``csat``
  low but equal to ``csat_expected`` is a hard mix, not a worse agent;
* ``csat_vs_mix`` — ``csat − csat_expected`` in the same replication (its interval
  says whether the agent really scores differently from the desk on the same tickets);

Scopes ``overall`` and ``topic``: ``resolved`` (tickets resolved), ``handle_mean``
(agent minutes spent per resolved ticket, every tier, reply and repeat contact) and
``escalated`` (share of resolved tickets that went past their first working tier).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simdesk.metrics.kernels import category_codes, long_metrics, ratio
from simdesk.metrics.ratings import BAD, GOOD, rating_codes
from simdesk.plan.model import DeskPlan


def visit_rows(tickets: pd.DataFrame, visits: pd.DataFrame) -> np.ndarray:
    """For each visit, the row of its ticket in ``tickets`` (−1 if it has none)."""
    ticket_rep = tickets["replication"].to_numpy().astype(np.int64)
    visit_rep = visits["replication"].to_numpy().astype(np.int64)
    reps, codes = np.unique(np.concatenate([ticket_rep, visit_rep]), return_inverse=True)
    ticket_id = tickets["ticket"].to_numpy().astype(np.int64)
    visit_id = visits["ticket"].to_numpy().astype(np.int64)
    span = int(max(ticket_id.max(initial=-1), visit_id.max(initial=-1))) + 1
    lookup = np.full(len(reps) * span, -1, dtype=np.int64)
    lookup[codes[: len(ticket_rep)] * span + ticket_id] = np.arange(len(tickets))
    found: np.ndarray = lookup[codes[len(ticket_rep):] * span + visit_id]
    return found


def tiers_entered(tickets: pd.DataFrame) -> np.ndarray:
    """How many tiers each ticket entered, from its ``path``."""
    names, codes = category_codes(tickets["path"])
    lengths = np.array([len(n.split(">")) if n else 0 for n in names] + [0], dtype=np.int64)
    entered: np.ndarray = lengths[codes]  # code −1 (no path) reads the trailing 0
    return entered


def measured_tickets(tickets: pd.DataFrame) -> np.ndarray:
    """Tickets that count: arrived after the warm-up, not refused, not deflected."""
    keep: np.ndarray = (~tickets["warmup"].to_numpy(dtype=bool)
                        & ~tickets["refused"].to_numpy(dtype=bool))
    if "deflected" in tickets:
        keep &= ~tickets["deflected"].to_numpy(dtype=bool)
    return keep


def _agent_codes(plan: DeskPlan, visits: pd.DataFrame) -> np.ndarray:
    """Plan agent index of each visit (−1: nobody, the customer left)."""
    index = {a.name: a.index for a in plan.agents}
    names, codes = category_codes(visits["agent"])
    mapping = np.array([index.get(n, -1) for n in names] + [-1], dtype=np.int64)
    found: np.ndarray = mapping[codes]
    return found


def _chain_steps(plan: DeskPlan) -> np.ndarray:
    """``[channel, tier]`` → position of the tier in the channel's chain (−1: not in it)."""
    steps = np.full((len(plan.channels), len(plan.tiers)), -1, dtype=np.int64)
    for channel in plan.channels:
        for position, tier in enumerate(channel.chain):
            steps[channel.index, tier] = position
    return steps


def effort_metrics(plan: DeskPlan, tickets: pd.DataFrame, visits: pd.DataFrame
                   ) -> pd.DataFrame:
    """Long table ``replication, scope, group, metric, value``: per agent the work and
    the ratings, per topic and overall the effort per resolved ticket (see the module)."""
    replications, rep_of_ticket = np.unique(tickets["replication"].to_numpy(),
                                            return_inverse=True)
    reps = len(replications)
    measured = measured_tickets(tickets)
    rows = visit_rows(tickets, visits)
    agent = _agent_codes(plan, visits)
    start = visits["start"].to_numpy(dtype=float)
    end = visits["end"].to_numpy(dtype=float)
    done = (rows >= 0) & (agent >= 0) & ~np.isnan(start) & ~np.isnan(end)
    done[done] &= measured[rows[done]]
    rows, agent, start, end = rows[done], agent[done], start[done], end[done]
    minutes = end - start
    channel = tickets["channel"].cat.codes.to_numpy().astype(np.int64)
    _, topic = category_codes(tickets["topic"])
    entered = tiers_entered(tickets)
    resolved = measured & ~np.isnan(tickets["resolved"].to_numpy(dtype=float))
    ratings = (rating_codes(tickets["satisfaction"]) if "satisfaction" in tickets
               else np.full(len(tickets), -1, dtype=np.int64))
    rated = resolved & (ratings >= 0)
    good, bad = rated & (ratings == GOOD), rated & (ratings == BAD)

    # -- per agent ----------------------------------------------------------------------
    width = len(plan.agents)
    groups = reps * width
    pairs = np.unique(agent * len(tickets) + rows)
    pair_agent, pair_row = pairs // max(len(tickets), 1), pairs % max(len(tickets), 1)
    pair_key = rep_of_ticket[pair_row] * width + pair_agent
    tier_of = np.array([a.tier for a in plan.agents], dtype=np.int64)
    step = _chain_steps(plan)[channel[pair_row], tier_of[pair_agent]]
    passed_on = entered[pair_row] > step + 1
    worked = np.bincount(pair_key, minlength=groups).astype(float)
    spent = np.bincount(rep_of_ticket[rows] * width + agent, weights=minutes, minlength=groups)

    resolver = np.full(len(tickets), -1, dtype=np.int64)
    last = np.lexsort((end, rows))
    final = last[np.append(rows[last][1:] != rows[last][:-1], True)] if len(last) else last
    resolver[rows[final]] = agent[final]
    credited = rated & (resolver >= 0)
    agent_key = rep_of_ticket * width + np.maximum(resolver, 0)

    paths, path = category_codes(tickets["path"])
    kinds = len(plan.topics) * (len(paths) + 1)
    cells = len(plan.channels) * kinds
    cell = rep_of_ticket * cells + channel * kinds + topic * (len(paths) + 1) + path + 1
    cell_good = ratio(np.bincount(cell[rated], weights=good[rated].astype(float),
                                  minlength=reps * cells),
                      np.bincount(cell[rated], minlength=reps * cells).astype(float))

    def by_agent(mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(agent_key[mask], weights=None if weights is None else weights[mask],
                           minlength=groups).astype(float)

    rated_count = by_agent(credited)
    expected = np.where(credited, cell_good[cell], 0.0)
    dispatcher = np.array([plan.tiers[a.tier].role == "dispatcher" for a in plan.agents])
    escalated_share = ratio(np.bincount(pair_key, weights=passed_on.astype(float),
                                        minlength=groups), worked)
    escalated_share[np.tile(dispatcher, reps)] = np.nan  # handing over is its job
    agent_table = long_metrics(replications, "agent", [a.name for a in plan.agents], {
        "worked": worked,
        "resolved": by_agent(resolved & (resolver >= 0)),
        "handle_mean": ratio(spent, worked),
        "escalated": escalated_share,
        "csat": ratio(by_agent(credited & good), rated_count),
        "bad": ratio(by_agent(credited & bad), rated_count),
        "csat_expected": ratio(by_agent(credited, expected), rated_count),
        "csat_vs_mix": ratio(by_agent(credited & good) - by_agent(credited, expected),
                             rated_count),
        "rated": rated_count,
    })

    # -- per topic and overall --------------------------------------------------------------
    first_working = np.array([c.touch_step for c in plan.channels], dtype=np.int64)[channel]
    escalated = resolved & (entered - 1 > first_working)
    ticket_minutes = np.bincount(rows, weights=minutes, minlength=len(tickets))
    frames = [agent_table]
    for scope, names_, codes in (("overall", ["all"], np.zeros(len(tickets), dtype=np.int64)),
                                 ("topic", list(plan.topics), topic)):
        size = len(names_)
        keys = rep_of_ticket * size + codes

        def count(mask: np.ndarray, weights: np.ndarray | None = None,
                  keys: np.ndarray = keys, size: int = size) -> np.ndarray:
            return np.bincount(keys[mask], weights=None if weights is None else weights[mask],
                               minlength=reps * size).astype(float)

        solved = count(resolved)
        frames.append(long_metrics(replications, scope, names_, {
            "resolved": solved,
            "handle_mean": ratio(count(resolved, ticket_minutes), solved),
            "escalated": ratio(count(escalated), solved),
        }))
    return pd.concat(frames, ignore_index=True)


__all__ = ["effort_metrics", "measured_tickets",
           "tiers_entered", "visit_rows"]
