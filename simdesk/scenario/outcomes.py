"""What service does to the business: customers' reactions (``outcomes:``) and money
(``money:``). Both are off unless written; neither changes what the desk does, only
what a run reports about it.

Every default is a documented assumption with its source (``docs/outcomes.md``):

* only about 4 % of unhappy customers complain (seeds/004, Ciotti: "the average company
  hears from only 4 % of its unhappy customers"; seeds/001 says 5 %), and "the rest go
  straight to the competitors" (seeds/001);
* 86 % of consumers stop dealing with a company after a bad customer experience
  (seeds/004);
* free users kept waiting until paid ones are served convert to paid plans less
  (seeds/004, Intercom) — the articles give no figure, so the conversion rate has no
  default and must be written;
* winning a customer costs 6–7 times as much as keeping one (seeds/004).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, NonNegativeFloat, model_validator

from simdesk.scenario.base import SpecModel
from simdesk.scenario.types import Percent, PositiveDuration


class Unhappy(SpecModel):
    """The chance that one experience leaves the ticket's customer unhappy. A ticket with
    several bad experiences is unhappy unless none of them makes it so:
    ``1 − Π(1 − p)`` over the experiences it had."""

    bad_rating: Percent = 1.0
    """Rated the service bad (with a ``satisfaction:`` model): a bad experience by
    definition."""
    gave_up: Percent = 1.0
    """Left before a first response (abandoned)."""
    refused: Percent = 1.0
    """Turned away at arrival by the routing policy."""
    late: Percent = 0.5
    """First response after the channel's target. seeds/004: slow service is cited about
    20 % less often than incompetent service (73 %) as the reason to leave a brand; 50 %
    is our rounded assumption."""
    repeat: Percent = 0.5
    """Had to come back (at least one repeat contact): the fix did not hold. Our
    assumption (seeds/002: repeated explanations and delayed fixes annoy customers)."""


class Conversion(SpecModel):
    """Free users who contact support convert to a paid plan at ``rate`` when answered at
    once; every ``halves_after`` of waiting halves that chance (seeds/004: free users left
    waiting until paid ones are served convert less). A customer who leaves does not
    convert."""

    segment: str = "free"
    """The segment of free users."""
    rate: Percent
    """Conversion of a free user answered without waiting (your own figure)."""
    halves_after: PositiveDuration = 240.0
    """Waiting this long halves the chance (default 4 h, seeds/001's email promise)."""
    to: str | None = None
    """The segment a converted user joins (its ``value`` in ``money:`` is what a
    conversion is worth); default: the first other segment."""


class Outcomes(SpecModel):
    """Complaints, churn and conversions drawn per ticket from its experience."""

    unhappy: Unhappy = Unhappy()
    complain: Percent = 0.04
    """Share of unhappy customers who complain (seeds/004: 4 %; seeds/001: 5 %)."""
    churn: Percent = 0.86
    """Share of unhappy customers who do not complain and leave (seeds/004: 86 % stop
    dealing with a company after a bad experience)."""
    churn_after_complaint: Percent = 0.0
    """Share of complaining customers who still leave: they were heard (seeds/001: those
    who do not complain are the ones who go to the competitors)."""
    conversion: Conversion | None = None


def _per_key(value: Any) -> Any:
    """A single number stands for every key (``agent_hour: 30``)."""
    return {"*": value} if isinstance(value, int | float) and not isinstance(value, bool) \
        else value


Money = NonNegativeFloat
PerKey = Annotated[dict[str, Money], BeforeValidator(_per_key)]


class CustomerValue(SpecModel):
    """What a customer of a segment is worth, and what winning one costs."""

    value: Money = 0.0
    """What the customer brings while they stay (e.g. a year's margin)."""
    acquisition: Money | None = None
    """What winning a new customer costs. When given, a lost customer costs this (you
    replace them to keep the base; seeds/004: 6–7 times what keeping one costs);
    otherwise a lost customer costs their ``value``."""

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, value: Any) -> Any:
        return {"value": value} if isinstance(value, int | float) \
            and not isinstance(value, bool) else value


class MoneySpec(SpecModel):
    """Prices to turn a run into money: staff hours, lost customers, conversions.

    ``agent_hour`` is the cost of one paid agent-hour, one number for everyone or per
    tier (``L1: 28``), per shift pattern of a tier (``"L1/daily 07:00-15:00": 31``) or
    per team (``"L1/evening": 35``); the most specific key wins. ``customers`` is per
    segment (a number is the customer's ``value``; ``"*"`` for every segment)."""

    currency: str = "€"
    agent_hour: Annotated[PerKey, Field(min_length=1)]
    customers: Annotated[dict[str, CustomerValue], BeforeValidator(_per_key)] = Field(
        default_factory=dict)

    def hourly(self, tier: str, shift: str, team: str | None) -> float:
        """The cost of an agent-hour of a tier's shift group (0 when no key applies)."""
        for key in (f"{tier}/{team}" if team else None, f"{tier}/{shift}", tier, "*"):
            if key is not None and key in self.agent_hour:
                return self.agent_hour[key]
        return 0.0

    def customer(self, segment: str) -> CustomerValue:
        """A segment's customer value (zero when neither it nor ``*`` is given)."""
        return self.customers.get(segment) or self.customers.get("*") or CustomerValue()


__all__ = ["Conversion", "CustomerValue", "MoneySpec", "Outcomes", "Unhappy"]
