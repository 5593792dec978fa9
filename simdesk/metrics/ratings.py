"""The customer satisfaction proxy: each resolved ticket rated good, okay or bad.

An ordered logit model (:class:`~simdesk.scenario.behaviour.Satisfaction`): a ticket's
experience gives a score ::

    z = base − wait · log2(1 + W / S) − touch · (replies − 1) − reopen · reopens
             − escalation · escalations − resolution · log2(1 + R / 1 h)

with ``W`` the first-response wait on the channel's SLA clock, ``S`` the channel's SLA
time (``no_sla_wait`` without one), ``replies`` the agent replies its conversation
needed, ``reopens`` its repeat contacts, ``escalations`` the tiers it entered after the
first tier that works tickets (a dispatcher's hand-over is no escalation) and ``R`` the
minutes from arrival to the final resolution. With ``ε`` a standard logistic draw per
ticket, the rating is *bad* when ``z + ε < okay``, *good* when ``z + ε ≥ good`` and
*okay* between: ``P(bad) = σ(okay − z)``, ``P(good) = 1 − σ(good − z)``.

The draw ``ε`` comes from the stream ``satisfaction`` of the replication, one per ticket
in ticket order, so every routing policy rates the same ticket with the same luck
(common random numbers): a policy changes the ratings only through the experience.
Tickets not resolved (abandoned, refused, deflected, still open) have no rating. The
model, its defaults and where they come from: ``docs/behaviour.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from simdesk.fates.streams import Streams
from simdesk.plan.model import DeskPlan
from simdesk.scenario.behaviour import Satisfaction

RATINGS = ("bad", "okay", "good")
"""The ratings, worst first (the order of the ``satisfaction`` column's categories)."""
BAD, OKAY, GOOD = range(3)
RESOLUTION_UNIT = 60.0
"""Minutes: the resolution term is ``log2(1 + R / 1 h)``."""

FloatArray = np.ndarray[tuple[int], np.dtype[np.float64]]
IntArray = np.ndarray[tuple[int], np.dtype[np.int64]]


@dataclass(frozen=True)
class Experience:
    """What each ticket went through, one value per ticket."""

    wait: FloatArray
    """First-response wait in units of the channel's SLA time (``W / S``)."""
    replies: IntArray
    """Agent replies the conversation needed (1: answered in one go)."""
    reopens: IntArray
    """Repeat contacts (a non-final fix that came back)."""
    escalations: IntArray
    """Tiers entered after the first tier that works tickets."""
    resolution: FloatArray
    """Minutes from arrival to the final resolution."""


def score(model: Satisfaction, experience: Experience) -> FloatArray:
    """The latent score ``z`` of each ticket (higher: happier)."""
    e = experience
    z = (model.base
         - model.wait * np.log2(1 + np.maximum(e.wait, 0.0))
         - model.touch * np.maximum(e.replies - 1, 0)
         - model.reopen * e.reopens
         - model.escalation * e.escalations
         - model.resolution * np.log2(1 + np.maximum(e.resolution, 0.0) / RESOLUTION_UNIT))
    return np.asarray(z, dtype=float)


def probabilities(model: Satisfaction, z: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                               np.ndarray]:
    """``P(bad), P(okay), P(good)`` at scores ``z`` (logistic: :func:`scipy.special.expit`)."""
    from scipy.special import expit

    bad = np.asarray(expit(model.okay - np.asarray(z, dtype=float)), dtype=float)
    good = 1 - np.asarray(expit(model.good - np.asarray(z, dtype=float)), dtype=float)
    return bad, 1 - bad - good, good


def rate(model: Satisfaction, z: np.ndarray, draw: np.ndarray) -> IntArray:
    """Rating codes (:data:`BAD`, :data:`OKAY`, :data:`GOOD`) of scores ``z`` with the
    tickets' logistic draws."""
    latent = np.asarray(z, dtype=float) + np.asarray(draw, dtype=float)
    codes = np.where(latent < model.okay, BAD, np.where(latent >= model.good, GOOD, OKAY))
    return np.asarray(codes, dtype=np.int64)


def satisfaction_draw(plan: DeskPlan, streams: Streams, tickets: int) -> FloatArray | None:
    """One standard logistic draw per ticket, in ticket order, from the stream
    ``satisfaction`` (None when the scenario has no satisfaction model)."""
    if plan.scenario.satisfaction is None:
        return None
    return np.asarray(streams.generator("satisfaction").logistic(size=tickets), dtype=float)


def escalations(plan: DeskPlan, channel: np.ndarray, entered: np.ndarray) -> IntArray:
    """Tiers each ticket entered after its channel's first working tier."""
    first = np.array([c.touch_step for c in plan.channels], dtype=np.int64)[channel]
    return np.asarray(np.maximum(entered.astype(np.int64) - 1 - first, 0), dtype=np.int64)


def ratings_column(codes: np.ndarray) -> pd.Categorical[str]:
    """Rating codes (−1: no rating) as the ``satisfaction`` column: ordered categories
    bad < okay < good, missing where there is no rating."""
    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64),
                                     categories=pd.Index(list(RATINGS)), ordered=True)


def rating_codes(column: pd.Series) -> IntArray:
    """The codes (:data:`BAD`, :data:`OKAY`, :data:`GOOD`, −1: no rating) of a
    ``satisfaction`` column, whatever the order of its categories."""
    names = [str(c) for c in column.cat.categories]
    recode = np.array([RATINGS.index(n) for n in names] + [-1], dtype=np.int64)
    codes: IntArray = recode[column.cat.codes.to_numpy().astype(np.int64)]
    return codes


def ticket_ratings(plan: DeskPlan, draw: np.ndarray, *, sla_wait: np.ndarray,
                   channel: np.ndarray, replies: np.ndarray, entered: np.ndarray,
                   arrived: np.ndarray, resolved: np.ndarray, rated: np.ndarray,
                   reopens: np.ndarray | None = None) -> pd.Categorical[str]:
    """The ``satisfaction`` column of one replication's tickets.

    ``sla_wait`` is the first-response wait on each channel's SLA clock, ``rated`` the
    tickets that get a rating (resolved, not refused, not deflected); ``reopens`` is
    zero when the run has no repeat contacts.
    """
    model = plan.scenario.satisfaction
    if model is None:
        raise ValueError("the scenario has no satisfaction model")
    within = np.array([c.sla_within for c in plan.channels], dtype=float)
    unit = np.where(np.isfinite(within), within, model.no_sla_wait)[channel]
    experience = Experience(
        wait=np.asarray(np.where(unit > 0, sla_wait / np.maximum(unit, 1e-300),
                                 np.where(sla_wait > 0, np.inf, 0.0)), dtype=float),
        replies=np.asarray(replies, dtype=np.int64),
        reopens=(np.zeros(len(arrived), dtype=np.int64) if reopens is None
                 else np.asarray(reopens, dtype=np.int64)),
        escalations=escalations(plan, channel, entered),
        resolution=np.asarray(resolved - arrived, dtype=float),
    )
    z = score(model, experience)
    codes = rate(model, z, draw)
    keep = np.asarray(rated, dtype=bool) & ~np.isnan(z)
    return ratings_column(np.where(keep, codes, -1))


__all__ = ["BAD", "GOOD", "OKAY", "RATINGS", "Experience", "escalations", "probabilities",
           "rate", "rating_codes", "ratings_column", "satisfaction_draw", "score", "ticket_ratings"]
