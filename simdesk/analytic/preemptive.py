"""Pre-emptive-resume priority in the M/G/1 queue: the mean time in system per class.

Classes are listed in priority order (index 0 = highest). A ticket of a higher class
interrupts one of a lower class in service, which later resumes where it stopped (no
work is lost). Class k sees only the classes 0..k: it waits for the work of those
present when it arrives, then for every higher-class arrival during its own time in
system. With λ_i, E[S_i], E[S_i²], σ_k = Σ_{i≤k} λ_i E[S_i] and
R_k = Σ_{i≤k} λ_i E[S_i²] / 2::

    T_k = E[S_k] / (1 − σ_{k−1})  +  R_k / ((1 − σ_{k−1})(1 − σ_k))

(infinite once σ_k ≥ 1). Exponential handle times: E[S²] = 2 E[S]².

References
----------
- L. Kleinrock (1976), *Queueing Systems, Vol. 2*, Wiley, §3.7 (pre-emptive resume).
- M. Harchol-Balter (2013), *Performance Modeling and Design of Computer Systems*,
  Cambridge University Press, §32.3.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["mg1_preemptive_sojourns"]


def mg1_preemptive_sojourns(rates: Sequence[float], means: Sequence[float],
                            second_moments: Sequence[float]) -> tuple[float, ...]:
    """Mean time in system per class (see the module docstring)."""
    if not len(rates) == len(means) == len(second_moments) or not rates:
        raise ValueError("rates, means and second_moments must be non-empty and of equal "
                         f"lengths, got {len(rates)}, {len(means)}, {len(second_moments)}")
    for name, values in (("rates", rates), ("means", means),
                         ("second_moments", second_moments)):
        for i, value in enumerate(values):
            if not value >= 0 or math.isinf(value):
                raise ValueError(f"{name}[{i}] must be a finite number >= 0, got {value!r}")
    sojourns: list[float] = []
    above = residual = 0.0
    for rate, mean, second in zip(rates, means, second_moments, strict=True):
        load = above + rate * mean
        residual += rate * second / 2
        if load >= 1:
            sojourns.append(math.inf)
        else:
            sojourns.append(mean / (1 - above) + residual / ((1 - above) * (1 - load)))
        above = load
    return tuple(sojourns)
