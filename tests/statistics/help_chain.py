"""The exact twin of cross-tier help: two tiers A and B, one agent each, A's agent taking
B's tickets when it has none of its own (non-pre-emptive), exponential times.

The stationary law of the chain (waiting at A, waiting at B, A's agent idle/on A/on B,
B's idle/busy), queues truncated at ``most``; used for the waits
(``tests/statistics/test_desk_rules.py``) and for the help metrics
(``tests/statistics/test_rule_metrics.py``).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import spsolve

State = tuple[int, int, int, int]


def help_law(rate_a: float, rate_b: float, mean_a: float, mean_b: float,
             most: int = 60) -> tuple[list[State], np.ndarray]:
    """The chain's states and their stationary probabilities (truncation checked)."""
    mu_a, mu_b = 1 / mean_a, 1 / mean_b
    states: list[State] = list(itertools.product(range(most + 1), range(most + 1), range(3),
                                                 range(2)))
    index = {s: i for i, s in enumerate(states)}
    rows, cols, values = [], [], []

    def move(frm: State, to: State, rate: float) -> None:
        if to in index and rate > 0:
            rows.append(index[frm])
            cols.append(index[to])
            values.append(rate)

    for state in states:
        qa, qb, sa, sb = state
        # an A ticket arrives: A's agent if idle, else the queue
        move(state, (qa, qb, 1, sb) if sa == 0 else (qa + 1, qb, sa, sb), rate_a)
        # a B ticket arrives: B's agent if idle, else A's if idle (help), else the queue
        move(state, (qa, qb, sa, 1) if sb == 0 else (qa, qb, 2, sb) if sa == 0
             else (qa, qb + 1, sa, sb), rate_b)
        if sa:  # A's agent finishes: its own queue first, then B's
            nxt = ((qa - 1, qb, 1, sb) if qa else (qa, qb - 1, 2, sb) if qb
                   else (qa, qb, 0, sb))
            move(state, nxt, mu_a if sa == 1 else mu_b)
        if sb:  # B's agent finishes: B's queue only
            move(state, (qa, qb - 1, sa, 1) if qb else (qa, qb, sa, 0), mu_b)
    n = len(states)
    rates = sparse.coo_matrix((values, (rows, cols)), shape=(n, n)).tocsr()
    generator = (rates - sparse.diags(np.asarray(rates.sum(axis=1)).ravel())).T.tolil()
    generator[0, :] = 1.0  # replace one balance equation by Σπ = 1
    rhs = np.zeros(n)
    rhs[0] = 1.0
    law = np.asarray(spsolve(generator.tocsc(), rhs))
    assert law[[i for i, s in enumerate(states) if most in s[:2]]].sum() < 1e-9  # truncation
    return states, law


def help_desk(days: int, rate_a: float, rate_b: float, mean_a: float,
              mean_b: float) -> dict[str, Any]:
    """The chain as a scenario: L2 (tier A, channel ``escalation``) helps L1 (tier B,
    channel ``chat``); rates per minute, means in minutes."""
    return {
        "name": "help", "horizon": f"{days}d", "warmup": "1d",
        "channels": {"chat": {"sla": {"within": "1m", "target": "80%"}},
                     "escalation": {"sla": {"within": "1h", "target": "80%"}}},
        "arrivals": [{"channel": "chat", "rate": f"{rate_b * 60}/h"},
                     {"channel": "escalation", "rate": f"{rate_a * 60}/h"}],
        "tiers": {"L1": {"agents": 1, "channels": ["chat"],
                         "handle": {"dist": "exponential", "mean": f"{mean_b}m"}},
                  "L2": {"agents": 1, "channels": ["escalation"],
                         "handle": {"dist": "exponential", "mean": f"{mean_a}m"},
                         "helps": [{"tier": "L1"}]}},
    }


__all__ = ["help_desk", "help_law"]
