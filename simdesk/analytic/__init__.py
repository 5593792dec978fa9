"""Analytic queueing twins that the simulator is tested against.

Erlang B/C/A, M/M/c and tandem Jackson networks, non-preemptive priority queues (Cobham),
pre-emptive-resume priority (M/G/1).
Pure functions of rates and mean times in one consistent unit (simdesk uses minutes).
"""

from simdesk.analytic.erlang import (
    ErlangAResult,
    ErlangC,
    ErlangCResult,
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_agents,
    erlang_c_probability,
    erlang_c_service_level,
)
from simdesk.analytic.networks import (
    Station,
    TandemResult,
    jackson_tandem_sojourn,
    mmc_mean_sojourn,
)
from simdesk.analytic.preemptive import mg1_preemptive_sojourns
from simdesk.analytic.priority import mg1_priority_waits, mmc_priority_waits

__all__ = [
    "ErlangAResult",
    "ErlangC",
    "ErlangCResult",
    "Station",
    "TandemResult",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "erlang_c_agents",
    "erlang_c_probability",
    "erlang_c_service_level",
    "jackson_tandem_sojourn",
    "mg1_preemptive_sojourns",
    "mg1_priority_waits",
    "mmc_mean_sojourn",
    "mmc_priority_waits",
]
