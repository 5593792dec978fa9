"""M/M/c sojourn times and feed-forward (tandem) Jackson networks of M/M/c stations.

Times are in the unit of the inputs (simdesk: minutes); rates are per that unit.

A tandem of stations 1..m where every ticket enters station 1 from a Poisson stream of rate λ
and, on leaving station i, moves on to station i+1 with probability p_i (else leaves), with
exponential handle times and FIFO at every station, is a Jackson network: by Burke's theorem
each station's departures are Poisson, so station i is an independent M/M/c_i queue with
arrival rate λ_i = λ·p_1·…·p_{i−1}, and the sojourns at successive stations are independent
of each other and of the routing coin flips. A ticket that visits exactly stations 1..k
therefore spends W_1 + … + W_k on average (e.g. L1 → L2 with escalation probability p:
escalated tickets take W_1 + W_2 with λ_2 = pλ).

References
----------
- P. J. Burke (1956), "The output of a queuing system", Operations Research 4(6):699-704.
- J. R. Jackson (1957), "Networks of waiting lines", Operations Research 5(4):518-524.
- N. Gans, G. Koole, A. Mandelbaum (2003), M&SOM 5(2):79-141 (M/M/c waiting times).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from simdesk.analytic.erlang import (
    _check_agents,
    _check_nonnegative,
    _check_positive,
    _check_probability,
    erlang_c,
)

__all__ = ["Station", "TandemResult", "jackson_tandem_sojourn", "mmc_mean_sojourn"]


def mmc_mean_sojourn(rate: float, mean_handle: float, agents: int) -> float:
    """Mean time in system of M/M/c: W = W_q + 1/μ with W_q = C(c, a)/(cμ − λ); inf if ρ ≥ 1."""
    return erlang_c(rate, mean_handle, agents).mean_sojourn


@dataclass(frozen=True, slots=True)
class Station:
    """One M/M/c station: mean handle time 1/μ, number of agents c, and the probability
    ``p_continue`` that a ticket leaving it goes on to the next station (ignored for the
    last station)."""

    mean_handle: float
    agents: int
    p_continue: float = 0.0


@dataclass(frozen=True, slots=True)
class TandemResult:
    """Per-station and per-path means of a tandem Jackson network (index i = station i+1).

    Attributes
    ----------
    rate:
        External arrival rate λ into the first station.
    arrival_rates:
        λ_i = λ·v_i, the Poisson arrival rate at each station.
    visit_probabilities:
        v_i = p_1·…·p_{i−1}, the probability that a ticket reaches station i (v_1 = 1).
    occupancies:
        ρ_i = λ_i/(c_i μ_i); a station with ρ_i ≥ 1 is unstable and has infinite waits.
    waits:
        Mean queueing delay W_q,i at each station (Erlang C).
    sojourns:
        Mean time per visit W_i = W_q,i + 1/μ_i.
    path_sojourns:
        ``path_sojourns[k-1]`` = W_1 + … + W_k, the mean total time of tickets that visit
        (exactly, or at least) the first k stations.
    mean_total_sojourn:
        Σ_i v_i·W_i, the mean total time over all tickets (= Σ_i L_i / λ by Little).
    """

    rate: float
    arrival_rates: tuple[float, ...]
    visit_probabilities: tuple[float, ...]
    occupancies: tuple[float, ...]
    waits: tuple[float, ...]
    sojourns: tuple[float, ...]
    path_sojourns: tuple[float, ...]
    mean_total_sojourn: float

    @property
    def stable(self) -> bool:
        """True when every station has ρ_i < 1."""
        return all(rho < 1.0 for rho in self.occupancies)

    def path_sojourn(self, k: int) -> float:
        """Mean total time of tickets that visit the first ``k`` stations (1 ≤ k ≤ m)."""
        if not 1 <= k <= len(self.path_sojourns):
            raise ValueError(f"k must be in 1..{len(self.path_sojourns)}, got {k!r}")
        return self.path_sojourns[k - 1]


def jackson_tandem_sojourn(
    rate: float, stations: Sequence[Station | tuple[float, int, float]]
) -> TandemResult:
    """Mean waits and sojourns of a feed-forward tandem of M/M/c stations (Jackson network).

    ``stations`` lists ``(mean_handle, agents, p_continue)`` (or :class:`Station`) in visit
    order; see the module docstring for the model and :class:`TandemResult` for the output.
    """
    lam = _check_nonnegative("rate", rate)
    if len(stations) == 0:
        raise ValueError("stations must list at least one station, got an empty sequence")
    visit = 1.0
    visits: list[float] = []
    rates: list[float] = []
    rhos: list[float] = []
    waits: list[float] = []
    sojourns: list[float] = []
    for i, raw in enumerate(stations):
        try:
            st = raw if isinstance(raw, Station) else Station(*raw)
        except TypeError:
            raise ValueError(
                f"stations[{i}] must be (mean_handle, agents, p_continue), got {raw!r}"
            ) from None
        h = _check_positive(f"stations[{i}].mean_handle", st.mean_handle)
        c = _check_agents(st.agents, f"stations[{i}].agents")
        p = _check_probability(f"stations[{i}].p_continue", st.p_continue)
        res = erlang_c(lam * visit, h, c)
        visits.append(visit)
        rates.append(res.rate)
        rhos.append(res.occupancy)
        waits.append(res.asa)
        sojourns.append(res.mean_sojourn)
        visit *= p
    paths = tuple(math.fsum(sojourns[: k + 1]) for k in range(len(sojourns)))
    total = math.fsum(v * w for v, w in zip(visits, sojourns, strict=True) if v > 0.0)
    return TandemResult(
        rate=lam,
        arrival_rates=tuple(rates),
        visit_probabilities=tuple(visits),
        occupancies=tuple(rhos),
        waits=tuple(waits),
        sojourns=tuple(sojourns),
        path_sojourns=paths,
        mean_total_sojourn=total,
    )
