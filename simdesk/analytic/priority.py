"""Non-preemptive priority queues (Cobham's formula) for M/M/c and M/G/1.

Classes are listed in priority order (index 0 = highest). Within a class service is FIFO;
a ticket in service is never interrupted. Times are in the unit of the inputs (simdesk:
minutes). A class k with σ_k ≥ 1 (cumulative load of classes 0..k) has an infinite mean
wait; classes above it stay stable and their waits are still given by the formulas, with
the servers then busy all the time (the residual term uses the carried, not offered, load).

References
----------
- A. Cobham (1954), "Priority assignment in waiting line problems", Journal of the
  Operations Research Society of America 2(1):70-76.
- L. Kleinrock (1976), *Queueing Systems, Vol. 2*, Wiley, §3.6 (conservation law).
- N. Gans, G. Koole, A. Mandelbaum (2003), M&SOM 5(2):79-141 (Erlang C).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from simdesk.analytic.erlang import (
    _check_agents,
    _check_nonnegative,
    _check_positive,
    erlang_c,
)

__all__ = ["mg1_priority_waits", "mmc_priority_waits"]


def _check_rates(rates: Sequence[float]) -> list[float]:
    if len(rates) == 0:
        raise ValueError("rates must list at least one class, got an empty sequence")
    return [_check_nonnegative(f"rates[{i}]", r) for i, r in enumerate(rates)]


def _cobham(w0: float, loads: Sequence[float]) -> tuple[float, ...]:
    """W_k = W0 / ((1 − σ_{k−1})(1 − σ_k)), σ_k = Σ_{i≤k} loads_i; inf once σ_k ≥ 1."""
    waits: list[float] = []
    prev = 0.0
    for load in loads:
        cum = prev + load
        if cum >= 1.0:
            waits.append(math.inf)
        else:
            waits.append(w0 / ((1.0 - prev) * (1.0 - cum)))
        prev = cum
    return tuple(waits)


def mmc_priority_waits(
    rates_by_class: Sequence[float], mean_handle: float, agents: int
) -> tuple[float, ...]:
    """Mean queueing delay per class in a non-preemptive priority M/M/c queue.

    All classes share the exponential handle time 1/μ. With λ = Σ λ_i, a = λ/μ and
    σ_k = Σ_{i≤k} λ_i/(cμ)::

        W_k = C(c, a) / (cμ) / ((1 − σ_{k−1})(1 − σ_k))

    where C(c, a) is the Erlang C probability of wait for the total load (1 if ρ ≥ 1).
    With one class this is the Erlang C mean wait C / (cμ − λ).
    """
    rates = _check_rates(rates_by_class)
    h = _check_positive("mean_handle", mean_handle)
    c = _check_agents(agents)
    total = math.fsum(rates)
    p_wait = erlang_c(total, h, c).p_wait
    w0 = p_wait * h / c  # P(all busy) × mean time to the next of c completions
    return _cobham(w0, [r * h / c for r in rates])


def mg1_priority_waits(
    rates: Sequence[float], means: Sequence[float], second_moments: Sequence[float]
) -> tuple[float, ...]:
    """Mean queueing delay per class in a non-preemptive priority M/G/1 queue (Cobham).

    Class i has Poisson rate λ_i and service time S_i with E[S_i] = ``means[i]`` and
    E[S_i²] = ``second_moments[i]`` (≥ E[S_i]²). With σ_k = Σ_{i≤k} λ_i E[S_i]::

        W_k = W0 / ((1 − σ_{k−1})(1 − σ_k)),   W0 = Σ_i λ_i E[S_i²] / 2

    W0 is the mean residual work in service seen by an arrival. If the total load is ≥ 1,
    W0 uses the carried rates (classes served up to a utilization of 1).
    """
    lams = _check_rates(rates)
    n = len(lams)
    if len(means) != n or len(second_moments) != n:
        raise ValueError(
            f"rates, means and second_moments must have equal lengths, got "
            f"{n}, {len(means)}, {len(second_moments)}"
        )
    ms = [_check_positive(f"means[{i}]", m) for i, m in enumerate(means)]
    m2s = [_check_positive(f"second_moments[{i}]", m2) for i, m2 in enumerate(second_moments)]
    for i, (m, m2) in enumerate(zip(ms, m2s, strict=True)):
        if m2 < m * m * (1.0 - 1e-12):
            raise ValueError(
                f"second_moments[{i}] must be >= means[{i}]**2 = {m * m!r}, got {m2!r}"
            )
    loads = [lam * m for lam, m in zip(lams, ms, strict=True)]
    # Residual work: each class contributes (throughput × E[S²]/2); overloaded classes are
    # carried only up to the capacity left by the classes above them.
    w0_terms: list[float] = []
    spare = 1.0
    for load, m, m2 in zip(loads, ms, m2s, strict=True):
        carried = min(load, spare)
        w0_terms.append(carried / m * m2 / 2.0)
        spare -= carried
    return _cobham(math.fsum(w0_terms), loads)
