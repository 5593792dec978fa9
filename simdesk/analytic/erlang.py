"""Erlang B, Erlang C (M/M/c) and Erlang A (M/M/c+M) formulas.

All functions take an arrival ``rate`` λ (arrivals per time unit), a ``mean_handle`` time
1/μ and, for Erlang A, a ``mean_patience`` 1/θ, all in one consistent time unit (simdesk
uses minutes); every returned time is in that unit. The offered load is a = λ/μ Erlangs.

References
----------
- N. Gans, G. Koole, A. Mandelbaum (2003), "Telephone call centers: tutorial, review, and
  research prospects", Manufacturing & Service Operations Management 5(2):79-141
  (Erlang B/C, service level, staffing).
- A. Mandelbaum, S. Zeltyn (2007), "Service engineering in action: the Palm/Erlang-A queue,
  with applications to call centers", in *Advances in Services Innovations*, Springer;
  O. Garnett, A. Mandelbaum, M. Reiman (2002), "Designing a call center with impatient
  customers", M&SOM 4(3):208-227 (Erlang A).

Why this module is long: the three formulas share their input checks and recursions
(Erlang C is built on Erlang B, Erlang A truncates the same birth-death chain), and
each comes with its result type and staffing inversion; apart, they would import each
other's private helpers.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import NDArray

__all__ = [
    "ErlangAResult",
    "ErlangC",
    "ErlangCResult",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "erlang_c_agents",
    "erlang_c_probability",
    "erlang_c_service_level",
]

#: Relative tail mass below which the Erlang A birth-death chain is truncated.
_TAIL_TOLERANCE = 1e-14
#: Largest queue truncation tried before giving up (patience effectively infinite).
_MAX_TRUNCATION = 1 << 23
#: Above this cμ/θ the wait-phase CDF uses its θ → 0 (gamma) limit.
_BETA_LIMIT = 1e12


# --------------------------------------------------------------------------- validation


def _check_nonnegative(name: str, value: float) -> float:
    x = float(value)
    if not (math.isfinite(x) and x >= 0.0):
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return x


def _check_positive(name: str, value: float) -> float:
    x = float(value)
    if not (math.isfinite(x) and x > 0.0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return x


def _check_agents(value: int, name: str = "agents") -> int:
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    try:
        c = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}") from None
    if c < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return c


def _check_threshold(name: str, value: float) -> float:
    """A time threshold: >= 0, ``inf`` allowed."""
    x = float(value)
    if math.isnan(x) or x < 0.0:
        raise ValueError(f"{name} must be a time >= 0 (inf allowed), got {value!r}")
    return x


def _check_probability(name: str, value: float) -> float:
    x = float(value)
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")
    return x


# --------------------------------------------------------------------------- Erlang B / C


def _erlang_b(a: float, c: int) -> float:
    """Recursion B(0) = 1, B(k) = a·B(k-1) / (k + a·B(k-1)); stable for any c."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def _erlang_c_from_b(b: float, a: float, c: int) -> float:
    rho = a / c
    if rho >= 1.0:
        return 1.0
    return b / (1.0 - rho * (1.0 - b))


def erlang_b(offered_load: float, agents: int) -> float:
    """Erlang B blocking probability of M/M/c/c with offered load a = λ/μ.

    B(c, a) = (a^c / c!) / Σ_{k=0..c} a^k / k!, computed by the stable recursion
    B(k) = a·B(k−1) / (k + a·B(k−1)), B(0) = 1 (no overflow for any c).
    """
    a = _check_nonnegative("offered_load", offered_load)
    c = _check_agents(agents)
    return _erlang_b(a, c)


def erlang_c_probability(offered_load: float, agents: int) -> float:
    """Erlang C probability that an arrival waits in M/M/c: C = B / (1 − ρ(1 − B)), ρ = a/c.

    Returns 1.0 for an unstable system (ρ ≥ 1).
    """
    a = _check_nonnegative("offered_load", offered_load)
    c = _check_agents(agents)
    return _erlang_c_from_b(_erlang_b(a, c), a, c)


@dataclass(frozen=True, slots=True)
class ErlangCResult:
    """Steady state of the M/M/c (Erlang C) queue, FIFO, infinite patience.

    Attributes
    ----------
    rate, mean_handle, agents:
        The inputs λ, 1/μ and c.
    offered_load:
        a = λ/μ in Erlangs.
    occupancy:
        ρ = a/c (agent utilization when stable; ρ ≥ 1 means unstable).
    p_wait:
        C(c, a), probability that an arrival waits (1.0 when unstable).
    asa:
        Mean wait in queue of all arrivals, W_q = C / (cμ − λ) (``inf`` when unstable).
    mean_queue:
        Mean number waiting, L_q = λ·W_q (``inf`` when unstable).
    """

    rate: float
    mean_handle: float
    agents: int
    offered_load: float
    occupancy: float
    p_wait: float
    asa: float
    mean_queue: float

    @property
    def stable(self) -> bool:
        """True when ρ < 1."""
        return self.occupancy < 1.0

    @property
    def mean_sojourn(self) -> float:
        """Mean time in system W = W_q + 1/μ."""
        return self.asa + self.mean_handle

    def _decay(self) -> float:
        return self.agents / self.mean_handle - self.rate  # cμ − λ

    def service_level(self, within: float) -> float:
        """P(W_q ≤ within) = 1 − C·exp(−(cμ − λ)·within); 0 when unstable (finite ``within``)."""
        t = _check_threshold("within", within)
        if not self.stable:
            return 1.0 if math.isinf(t) else 0.0
        return 1.0 - self.p_wait * math.exp(-self._decay() * t)

    def wait_quantile(self, q: float) -> float:
        """Smallest t with P(W_q ≤ t) ≥ q: 0 if q ≤ 1 − C, else ln(C / (1 − q)) / (cμ − λ)."""
        p = _check_probability("q", q)
        if not self.stable:
            return math.inf
        if p <= 1.0 - self.p_wait:
            return 0.0
        if p >= 1.0:
            return math.inf
        return math.log(self.p_wait / (1.0 - p)) / self._decay()


#: Short alias of :class:`ErlangCResult`.
ErlangC = ErlangCResult


def erlang_c(rate: float, mean_handle: float, agents: int) -> ErlangCResult:
    """Erlang C (M/M/c) steady-state metrics; see :class:`ErlangCResult`.

    Unstable systems (λ/μ ≥ c) return ``p_wait = 1`` and infinite waits, no exception.
    """
    lam = _check_nonnegative("rate", rate)
    h = _check_positive("mean_handle", mean_handle)
    c = _check_agents(agents)
    a = lam * h
    rho = a / c
    if rho >= 1.0:
        return ErlangCResult(lam, h, c, a, rho, 1.0, math.inf, math.inf)
    p_wait = _erlang_c_from_b(_erlang_b(a, c), a, c)
    asa = p_wait * h / (c - a)  # C / (cμ − λ)
    return ErlangCResult(lam, h, c, a, rho, p_wait, asa, lam * asa)


def erlang_c_service_level(rate: float, mean_handle: float, agents: int, within: float) -> float:
    """Erlang C service level P(W_q ≤ within) = 1 − C(c, a)·exp(−(cμ − λ)·within).

    Zero for an unstable system (and finite ``within``).
    """
    t = _check_threshold("within", within)
    return erlang_c(rate, mean_handle, agents).service_level(t)


def erlang_c_agents(rate: float, mean_handle: float, within: float, target: float) -> int:
    """Fewest agents c with λ/μ < c and P(W_q ≤ within) ≥ target (Erlang C staffing).

    ``target`` must be in [0, 1); a target of 1 is unreachable with Poisson arrivals
    unless ``rate`` is 0 or ``within`` is infinite.
    """
    lam = _check_nonnegative("rate", rate)
    h = _check_positive("mean_handle", mean_handle)
    t = _check_threshold("within", within)
    goal = _check_probability("target", target)
    a = lam * h
    if a == 0.0 or math.isinf(t):
        return 1 if a == 0.0 else math.floor(a) + 1
    if goal >= 1.0:
        raise ValueError(f"target must be < 1 for a finite threshold, got {target!r}")
    # Erlang B recursion carried up to the first stable c, then one step per extra agent.
    c_min = math.floor(a) + 1
    b = _erlang_b(a, c_min)
    c = c_min
    while True:
        p_wait = _erlang_c_from_b(b, a, c)
        if 1.0 - p_wait * math.exp(-(c / h - lam) * t) >= goal:
            return c
        c += 1
        b = a * b / (c + a * b)


# --------------------------------------------------------------------------- Erlang A


@dataclass(frozen=True, slots=True)
class ErlangAResult:
    """Steady state of the Erlang A (M/M/c+M) queue: FIFO, exponential patience, mean 1/θ.

    Computed exactly from the birth-death chain on N (number in system) with birth rate λ
    and death rate min(n, c)·μ + max(n − c, 0)·θ, truncated at n = c + K where the
    remaining tail mass is below 1e-14. Abandoning customers count as arrivals throughout.

    Attributes
    ----------
    rate, mean_handle, agents, mean_patience:
        The inputs λ, 1/μ, c and 1/θ (``inf`` patience reduces to Erlang C).
    offered_load:
        a = λ/μ in Erlangs.
    occupancy:
        Agent utilization, carried load / c = λ(1 − P_ab)/(cμ).
    p_wait:
        P(N ≥ c): probability an arrival finds all agents busy and must wait (PASTA).
    p_abandon:
        P_ab = θ·E[Q]/λ, fraction of arrivals that abandon.
    mean_queue:
        E[Q] = E[(N − c)^+], mean number waiting.
    mean_wait:
        Mean time in queue of all arrivals, E[Q]/λ (Little); abandoners count until they leave.
    asa_served:
        Mean wait of served customers only, E[W_q | served].
    truncation:
        K, the number of queue states kept beyond c (0 for infinite patience).
    """

    rate: float
    mean_handle: float
    agents: int
    mean_patience: float
    offered_load: float
    occupancy: float
    p_wait: float
    p_abandon: float
    mean_queue: float
    mean_wait: float
    asa_served: float
    truncation: int
    # π(c + j), j = 0..K: stationary probability of finding j waiting (empty when θ = 0).
    _pi_queue: NDArray[np.float64] = field(repr=False, compare=False)
    _erlang_c: ErlangCResult | None = field(repr=False, compare=False)

    def _phase_terms(
        self, within: float
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Per j waiting ahead at arrival: (P(served | j), P(served by t | j), P(D > t | j))."""
        from scipy.special import betainc, gammainc

        cmu = self.agents / self.mean_handle
        theta = 1.0 / self.mean_patience
        j = np.arange(self._pi_queue.size, dtype=np.float64)
        x = -math.expm1(-theta * within)  # 1 − e^{−θt}
        p_served = cmu / (cmu + (j + 1.0) * theta)
        # Tagged customer with j ahead: phases j, j−1, ..., 0 with total rates cμ + (i+1)θ
        # (service completion, one of i ahead abandons, or itself abandons). Served iff every
        # phase ends without its own abandonment (prob. telescopes to cμ / (cμ + (j+1)θ));
        # given served, the wait is a sum of Exp(θ(β + i)), i = 0..j, β = cμ/θ + 1, whose CDF
        # is the regularized incomplete beta I_{1−e^{−θt}}(j + 1, β) (order statistics of
        # exponentials). Without its own abandonment the wait D has β = cμ/θ.
        if cmu / theta < _BETA_LIMIT:
            served_by = p_served * betainc(j + 1.0, cmu / theta + 1.0, x)
            d_survival = 1.0 - betainc(j + 1.0, cmu / theta, x)
        else:  # θ → 0 limit (betainc loses accuracy): Erlang(j + 1) phases of rate cμ + θ, cμ
            served_by = p_served * gammainc(j + 1.0, (cmu + theta) * within)
            d_survival = 1.0 - gammainc(j + 1.0, cmu * within)
        return p_served, served_by, d_survival

    def service_level(self, within: float) -> float:
        """P(served and W_q ≤ within) over ALL arrivals (abandoners are in the denominator).

        SL(t) = P(N < c) + Σ_j π(c + j)·cμ/(cμ + (j+1)θ)·I_{1−e^{−θt}}(j + 1, cμ/θ + 1).
        """
        t = _check_threshold("within", within)
        if self._erlang_c is not None:
            return self._erlang_c.service_level(t)
        if self.rate == 0.0:
            return 1.0
        _, served_by, _ = self._phase_terms(t)
        return min(1.0, (1.0 - self.p_wait) + float(self._pi_queue @ served_by))

    def service_level_served(self, within: float) -> float:
        """P(W_q ≤ within | served): the service level among answered customers only."""
        p_served = 1.0 - self.p_abandon
        if p_served <= 0.0:
            return math.nan
        return min(1.0, self.service_level(within) / p_served)

    def p_abandon_within(self, within: float) -> float:
        """P(abandon after waiting ≤ within) over all arrivals (→ p_abandon as within → ∞).

        With j ahead: P(leave queue by t) = 1 − e^{−θt}·P(D > t), minus P(served by t).
        """
        t = _check_threshold("within", within)
        if self._erlang_c is not None or self.rate == 0.0:
            return 0.0
        _, served_by, d_survival = self._phase_terms(t)
        left_by = 1.0 - math.exp(-t / self.mean_patience) * d_survival
        return max(0.0, float(self._pi_queue @ (left_by - served_by)))


def _queue_log_weights(lam: float, cmu: float, theta: float, k: int) -> NDArray[np.float64]:
    """log(π(c + j) / π(c)) for j = 0..k: cumulative sum of log(λ / (cμ + iθ))."""
    i = np.arange(1, k + 1, dtype=np.float64)
    out = np.empty(k + 1, dtype=np.float64)
    out[0] = 0.0
    np.cumsum(math.log(lam) - np.log(cmu + i * theta), out=out[1:])
    return out


def erlang_a(rate: float, mean_handle: float, agents: int, mean_patience: float) -> ErlangAResult:
    """Erlang A (M/M/c+M) steady-state metrics; see :class:`ErlangAResult`.

    ``mean_patience = inf`` gives the Erlang C values (with infinite waits when unstable).
    Exact up to the 1e-14 truncation; stable for hundreds of agents (log-space weights).
    """
    lam = _check_nonnegative("rate", rate)
    h = _check_positive("mean_handle", mean_handle)
    c = _check_agents(agents)
    patience = float(mean_patience)
    if not patience > 0.0:  # also rejects NaN
        raise ValueError(f"mean_patience must be > 0 (inf allowed), got {mean_patience!r}")
    a = lam * h

    if math.isinf(patience):
        ec = erlang_c(lam, h, c)
        return ErlangAResult(
            rate=lam,
            mean_handle=h,
            agents=c,
            mean_patience=patience,
            offered_load=a,
            occupancy=min(ec.occupancy, 1.0),
            p_wait=ec.p_wait,
            p_abandon=0.0,
            mean_queue=ec.mean_queue,
            mean_wait=ec.asa,
            asa_served=ec.asa,
            truncation=0,
            _pi_queue=np.zeros(0, dtype=np.float64),
            _erlang_c=ec,
        )
    if lam == 0.0:
        return ErlangAResult(
            rate=lam,
            mean_handle=h,
            agents=c,
            mean_patience=patience,
            offered_load=0.0,
            occupancy=0.0,
            p_wait=0.0,
            p_abandon=0.0,
            mean_queue=0.0,
            mean_wait=0.0,
            asa_served=0.0,
            truncation=0,
            _pi_queue=np.zeros(1, dtype=np.float64),
            _erlang_c=None,
        )

    mu = 1.0 / h
    theta = 1.0 / patience
    cmu = c * mu
    # log(π(n) / π(c)) for n < c: π(n−1)/π(n) = nμ/λ = n/a, i.e. log(a^n/n! · c!/a^c).
    n = np.arange(c, dtype=np.float64)
    log_fact = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, c + 1, dtype=np.float64)))))
    log_below = (n - c) * math.log(a) + log_fact[c] - log_fact[:c]
    log_tol = math.log(_TAIL_TOLERANCE)

    too_long = ValueError(
        f"mean_patience={mean_patience!r} is too long for an exact Erlang A solve "
        f"(more than {_MAX_TRUNCATION} queue states); use mean_patience=inf"
    )
    k_start = 2.0 * max(0.0, lam - cmu) / theta + 64.0  # overloaded: E[Q] ≈ (λ − cμ)/θ
    if k_start > _MAX_TRUNCATION:
        raise too_long
    k = int(k_start)
    from scipy.special import logsumexp

    while True:
        log_queue = _queue_log_weights(lam, cmu, theta, k)
        log_total = float(logsumexp(np.concatenate((log_below, log_queue))))
        r = lam / (cmu + (k + 1) * theta)  # ratio π(c+j+1)/π(c+j), decreasing in j
        if r < 1.0:
            # Σ_{j>k} π(c+j)·max(1, j) ≤ π(c+k)·r/(1−r)·(k + 1/(1−r)): bounds both the
            # missing probability and the missing part of E[Q].
            log_tail = log_queue[-1] + math.log(r) - math.log1p(-r) + math.log(k + 1 / (1 - r))
            if log_tail - log_total < log_tol:
                break
        if k >= _MAX_TRUNCATION:
            raise too_long
        k = min(2 * k, _MAX_TRUNCATION)

    pi_below = np.exp(log_below - log_total)
    pi_queue = np.exp(log_queue - log_total)
    # Renormalise what the truncation kept (mass lost is < 1e-14).
    norm = float(pi_below.sum() + pi_queue.sum())
    pi_below /= norm
    pi_queue /= norm

    j = np.arange(k + 1, dtype=np.float64)
    p_wait = min(1.0, float(pi_queue.sum()))
    mean_queue = float(pi_queue @ j)
    p_abandon = min(1.0, theta * mean_queue / lam)
    # Served with j ahead: prob cμ/(cμ + (j+1)θ), mean wait Σ_{i=0..j} 1/(cμ + (i+1)θ).
    p_served_j = cmu / (cmu + (j + 1.0) * theta)
    wait_served_j = np.cumsum(1.0 / (cmu + (j + 1.0) * theta))
    p_served = (1.0 - p_wait) + float(pi_queue @ p_served_j)
    asa_served = float(pi_queue @ (p_served_j * wait_served_j)) / p_served
    return ErlangAResult(
        rate=lam,
        mean_handle=h,
        agents=c,
        mean_patience=patience,
        offered_load=a,
        occupancy=min(1.0, a * (1.0 - p_abandon) / c),
        p_wait=p_wait,
        p_abandon=p_abandon,
        mean_queue=mean_queue,
        mean_wait=mean_queue / lam,
        asa_served=asa_served,
        truncation=k,
        _pi_queue=pi_queue,
        _erlang_c=None,
    )
