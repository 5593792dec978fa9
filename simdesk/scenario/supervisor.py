"""The supervisor (``supervisor:``): every interval, a rule looks at a channel's running
SLA or a tier's queue and, past its threshold, acts until the next review: calls in
reserve agents (``call``), switches the tier's routing policy to one of the scenario's
named ``policies`` (``policy``), or has the tier's blended agents take a channel first
(``prioritize``) (seeds/001: the supervisor "watches the staff's performance"; seeds/003:
a manager who steps in for more than 20 % of the time has no time left for the team —
hence extra hands rather than the supervisor's own).

```yaml
supervisor:
  every: 30m                       # a review every 30 minutes (from the start)
  hours: "Mon-Fri 08:00-18:00"     # optional: reviews only in these hours
  rules:
    - {channel: chat, sla_below: 80%, window: 1h, tier: L1, call: 2}
    - {tier: L2, queue_above: 15, call: 1}
    - {channel: chat, sla_below: 70%, tier: L1, prioritize: chat}
    - {tier: L1, queue_above: 30, policy: paid-first}   # a name under policies:
```
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, NonNegativeInt, PositiveInt, model_validator

from simdesk.scenario.base import SpecModel
from simdesk.scenario.types import Percent, PositiveDuration, ShiftText


class SupervisorRule(SpecModel):
    """One rule: a threshold on a channel's running SLA (``sla_below``, over the tickets
    that arrived in the last ``window`` and are decided) or on a tier's queue
    (``queue_above`` waiting tickets); one action on ``tier`` until the next review:
    ``call`` reserve agents in, switch to the routing ``policy`` (a name under the
    scenario's ``policies:``), or ``prioritize`` a channel for its blended agents."""

    tier: str
    channel: str | None = None
    sla_below: Percent | None = None
    window: PositiveDuration = 60.0
    queue_above: NonNegativeInt | None = None
    call: PositiveInt | None = None
    policy: str | None = None
    prioritize: str | None = None
    name: str | None = None

    @model_validator(mode="after")
    def _one_threshold(self) -> SupervisorRule:
        if (self.sla_below is None) == (self.queue_above is None):
            raise ValueError("give one threshold: sla_below (with channel) or queue_above")
        if self.sla_below is not None and self.channel is None:
            raise ValueError("sla_below needs the channel whose running SLA it watches")
        actions = [k for k in ("call", "policy", "prioritize") if getattr(self, k) is not None]
        if len(actions) != 1:
            raise ValueError("give one action: call (reserve agents), policy (a name under "
                             "policies:) or prioritize (a channel)")
        return self

    @property
    def action(self) -> str:
        """``call``, ``policy`` or ``prioritize``."""
        return "call" if self.call is not None else "policy" if self.policy is not None \
            else "prioritize"


class Supervisor(SpecModel):
    """Reviews every ``every`` (within ``hours`` if given), each rule in order."""

    every: PositiveDuration = 30.0
    hours: ShiftText | None = None
    rules: Annotated[list[SupervisorRule], Field(min_length=1)]


__all__ = ["Supervisor", "SupervisorRule"]
