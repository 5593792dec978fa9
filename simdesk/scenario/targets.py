"""Service targets beyond a channel's ``sla``: a segment's own SLA, written
``segments: {paid: {share: 20%, sla: {within: 1h, target: 90%}}, free: 80%}`` — it
overrides the channel's for that segment's tickets (each other segment keeps its
channel's). A channel's ``resolution`` target lives in :mod:`simdesk.scenario.customers`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, ValidationError

from simdesk.scenario import units
from simdesk.scenario.base import SpecModel
from simdesk.scenario.customers import SlaCounts
from simdesk.scenario.types import Duration, Percent, ShiftText


class Sla(SpecModel):
    """Service target: ``target`` of tickets get a first response ``within`` this time.

    With ``hours`` (a weekly pattern such as ``Mon-Fri 08:00-18:00``) the time counts
    only within those hours: "email within 4 business hours".
    """

    within: Duration
    target: Percent
    hours: ShiftText | None = None
    counts: SlaCounts | None = None
    """With ``redial``: ``customers`` (the default) or ``attempts``."""


class SegmentShare(float):
    """A segment's share of tickets, with its own SLA target (``sla``) when written
    ``{share: 20%, sla: {within: 1h, target: 90%}}``: it overrides the channel's."""

    sla: Sla | None = None


def _segment(value: object) -> SegmentShare:
    if isinstance(value, SegmentShare):
        return value
    if not isinstance(value, dict):
        return SegmentShare(units.parse_percent(value))
    unknown = sorted(set(value) - {"share", "sla"})
    if unknown or "share" not in value:
        raise ValueError(f"a segment is a share (e.g. 30%) or {{share: 30%, sla: {{within: "
                         f"1h, target: 90%}}}}; got keys {', '.join(map(str, value))}")
    share = SegmentShare(units.parse_percent(value["share"]))
    if value.get("sla") is not None:
        try:
            share.sla = Sla.model_validate(value["sla"])
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in ("sla", *first["loc"]))
            message = str(first["msg"]).removeprefix("Value error, ")
            raise ValueError(f"{where}: {message}") from None
    return share


def _segment_out(share: float) -> Any:
    sla = getattr(share, "sla", None)
    if sla is None:
        return units.format_percent(share)
    return {"share": units.format_percent(share),
            "sla": sla.model_dump(mode="json", exclude_none=True)}


Segment = Annotated[float, PlainValidator(_segment), PlainSerializer(_segment_out)]
"""A segment's share, optionally with its own SLA (:class:`SegmentShare`)."""
