"""Turn a ticket history into a scenario: every part fitted, assembled and checked.

:func:`fit_history` runs the parts — arrivals (:mod:`~simdesk.fit.arrivals`), handle
times (:mod:`~simdesk.fit.handles`), patience (:mod:`~simdesk.fit.patience`), routing
(:mod:`~simdesk.fit.routing`), mixes and observed SLA (:mod:`~simdesk.fit.shares`),
targets (:mod:`~simdesk.fit.targets`) and staffing (:mod:`~simdesk.fit.staffing`) — and
writes the scenario (:mod:`~simdesk.fit.scenario`), which must load without errors.

Why this module is long: it holds the one place where the fitted parts meet, plus the
~150-line rendering of the commented YAML (``_render``), which reads every part; the
rendering is the next thing to move into a module of its own.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simdesk import __version__
from simdesk.errors import ScenarioError, SimdeskError
from simdesk.fit.arrivals import MODEL_NAMES, ChannelArrivals, fit_arrivals
from simdesk.fit.assumed import AssumedHandle, assume, check_aht_names
from simdesk.fit.handles import TierHandles, fit_handles, minutes_text
from simdesk.fit.history import History, responds
from simdesk.fit.memory import give_back
from simdesk.fit.patience import ChannelPatience, fit_patience
from simdesk.fit.routing import DIFFERENCE_P, Routing, fit_routing
from simdesk.fit.scenario import Entry, block, commented, document, scalar
from simdesk.fit.shares import Mix, ObservedSla, fit_mix, observed_sla, share_texts
from simdesk.fit.staffing import (
    TierStaffing,
    from_scenario,
    infer_from_assignees,
    placeholder,
)
from simdesk.fit.targets import PLACEHOLDER_TARGET, SLA_PRESETS, placeholder_within
from simdesk.fit.volume import DayVariation, fit_day_variation
from simdesk.plan.compile import compile_plan
from simdesk.plan.diagnostics import Notice, diagnose
from simdesk.scenario.load import load_scenario, scenario_to_dict
from simdesk.scenario.schema import Scenario
from simdesk.scenario.units import format_duration, format_percent, humanize_minutes

MIN_TICKETS = 100
"""Usable tickets below which the fit refuses."""
MIN_DAYS = 7
"""Days of history a weekday × hour profile needs."""
MIN_WORK = 2
"""Work times a tier needs for its handle-time fit."""
DEFAULT_WARMUP = 1440.0
PICKUP_TOLERANCE = 0.02
"""Minutes between pickup and first response below which they count as the same moment."""


@dataclass(frozen=True)
class FitOptions:
    """What the fit takes besides the history."""

    name: str | None = None
    profile: str = "auto"
    """``auto`` (AIC), ``matrix`` or ``product``: the weekday × hour model."""
    staff: Path | None = None
    """A scenario to take staffing, routing and SLA targets from."""
    sla: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    """channel → (within, target) given on the command line."""
    keep_surges: bool = False
    """Write the detected surges as active ``surges:`` (replaying the history)."""
    warmup: float | None = None
    min_tickets: int = MIN_TICKETS
    aht: Mapping[str, float] = field(default_factory=dict)
    """Average handle times (minutes) for tiers without work times: ``""`` for all, or
    by channel or tier name (``--aht``)."""


@dataclass(frozen=True)
class Fit:
    """Every fitted part, the scenario written from them, and what to look at."""

    history: History
    options: FitOptions
    arrivals: dict[str, ChannelArrivals]
    days: DayVariation
    """How much the days vary beyond Poisson (a ``volume.day_factor`` when they do)."""
    handles: dict[str, TierHandles]
    patience: dict[str, ChannelPatience]
    routing: Routing
    segments: Mix | None
    topics: Mix | None
    sla: dict[str, ObservedSla]
    responses: dict[str, tuple[str, str]]
    """channel → (pickup or reply, where that came from)."""
    staffing: dict[str, TierStaffing]
    escalations: dict[str, str | None]
    """tier → the tier it escalates to in the scenario."""
    scenario: Scenario
    text: str
    """The scenario's YAML, with its comments."""
    warnings: tuple[str, ...]
    notices: tuple[Notice, ...]
    """Warnings about the fitted scenario itself (as ``simdesk validate`` gives them)."""
    assumed: dict[str, AssumedHandle] = field(default_factory=dict)
    """Tiers whose handle time is not in the export (``--aht`` or a placeholder)."""

    @property
    def unverifiable(self) -> str | None:
        """Why a verifying simulation would say nothing (``None`` when it would)."""
        if self.placeholders:
            return "the handle times are placeholders"
        if not responds(self.history.has):
            return "the export holds no response times to compare with"
        return None

    @property
    def placeholders(self) -> bool:
        """Whether any handle time is a placeholder (a verifying simulation would check
        the placeholder, not the desk)."""
        return any(a.placeholder for a in self.assumed.values())

    @property
    def data(self) -> dict[str, Any]:
        return scenario_to_dict(self.scenario)


def _check_enough(history: History, options: FitOptions) -> None:
    tickets = len(history.tickets)
    reasons = history.bad.lines()[:3]
    why = ("; the rows left out: " + "; ".join(reasons)) if reasons else ""
    if tickets < options.min_tickets:
        raise SimdeskError(
            f"{history.source}: only {tickets} usable ticket(s) of {history.rows} row(s); "
            f"the fit needs at least {options.min_tickets} to estimate rates and "
            f"distributions{why}")
    if history.days < MIN_DAYS:
        raise SimdeskError(
            f"{history.source}: the tickets cover {history.days} day(s); a weekday × hour "
            f"profile needs at least {MIN_DAYS} (a whole week){why}")


def _target(channel: str, options: FitOptions, staff: Scenario | None,
            tickets: pd.DataFrame) -> tuple[float, float, str, str | None]:
    """(within, target, source, business hours) of a channel's SLA."""
    if channel in options.sla:
        within, target = options.sla[channel]
        return within, target, "--sla", None
    if staff is not None and channel in staff.channels and staff.channels[channel].sla:
        sla = staff.channels[channel].sla
        assert sla is not None
        return sla.within, sla.target, "--staff", sla.hours
    if channel in SLA_PRESETS:
        within, target = SLA_PRESETS[channel]
        return within, target, "preset", None
    waits = tickets.loc[(tickets["channel"] == channel) & (tickets["state"] == "answered"),
                        "response_wait"].to_numpy(dtype=float)
    return placeholder_within(waits), PLACEHOLDER_TARGET, "placeholder", None


def _response(channel: str, staff: Scenario | None, tickets: pd.DataFrame,
              has_pickup: bool) -> tuple[str, str]:
    if staff is not None and channel in staff.channels:
        return staff.channels[channel].response, "--staff"
    if not has_pickup:
        return "pickup", "default (no pickup times in the export)"
    mine = tickets.loc[(tickets["channel"] == channel) & (tickets["state"] == "answered")]
    gap = (mine["response_wait"] - mine["pickup_wait"]).dropna()
    if gap.empty:
        return "pickup", "default"
    same = float(np.mean(gap <= PICKUP_TOLERANCE))
    if same >= 0.9:
        return "pickup", f"first response at pickup for {same:.0%} of tickets"
    return "reply", f"first response after the first work for {1 - same:.0%} of tickets"


def _escalations(routing: Routing, warnings: list[str]) -> dict[str, str | None]:
    order = routing.order
    result: dict[str, str | None] = {}
    for tier in routing.tiers:
        target = tier.escalate_to
        if target is not None and order.index(target) <= order.index(tier.tier):
            warnings.append(f"tier {tier.tier} passed tickets back to {target}: a scenario's "
                            "escalations only go forward, so these are not modelled")
            target = None
        if target is not None and len(tier.destinations) > 1:
            others = ", ".join(f"{k} ({v})" for k, v in tier.destinations.items() if k != target)
            warnings.append(f"tier {tier.tier} escalated to several tiers; the scenario sends "
                            f"all to {target} ({tier.destinations[target]}), not {others}")
        result[tier.tier] = target
    return result


def _reach(channel: str, tier: str, routing: Routing, escalations: Mapping[str, str | None]
           ) -> float:
    current: str | None = routing.entries.get(channel, routing.order[0])
    probability = 1.0
    while current is not None:
        if current == tier:
            return probability
        share = routing.tier(current).resolves
        probability *= 1 - (share if escalations[current] is not None and
                            not math.isnan(share) else 1.0)
        current = escalations[current]
    return 0.0


def _workload(tier: str, history: History, arrivals: Mapping[str, ChannelArrivals],
              routing: Routing, escalations: Mapping[str, str | None],
              assumed: Mapping[str, AssumedHandle]) -> np.ndarray:
    """7 × 24 agents' worth of work offered to ``tier``."""
    steps = history.steps
    here = steps.loc[(steps["tier"] == tier) & steps["work"].notna()]
    channel_of = history.tickets["channel"].array.take(here["ticket"].to_numpy())
    overall = float(here["work"].mean()) if len(here) else math.nan
    work = np.zeros((7, 24))
    for channel, fitted in arrivals.items():
        mine = here["work"].to_numpy()[channel_of == channel]
        mean = float(np.mean(mine)) if len(mine) else overall
        if tier in assumed:
            mean = assumed[tier].by_channel.get(channel, assumed[tier].mean)
        work += fitted.rates * _reach(channel, tier, routing, escalations) * mean / 60
    return work


def _staffing(history: History, staff: Scenario | None, arrivals: Mapping[str, ChannelArrivals],
              routing: Routing, escalations: Mapping[str, str | None], warnings: list[str],
              assumed: Mapping[str, AssumedHandle]) -> dict[str, TierStaffing]:
    result: dict[str, TierStaffing] = {}
    staff_tiers = scenario_to_dict(staff)["tiers"] if staff is not None else {}
    for tier in routing.order:
        chosen = from_scenario(tier, staff_tiers) if staff is not None else None
        if chosen is None and staff is not None:
            raise SimdeskError(
                f"--staff: the history has tier {tier!r}, which the staffing scenario does "
                f"not; its tiers: {', '.join(staff_tiers)} (rename the groups with the "
                "export, or add the tier to the staffing scenario)")
        if chosen is None and "assignees" in history.has:
            chosen = infer_from_assignees(tier, history.steps, history.first_day, history.days)
        if chosen is None:
            chosen = placeholder(tier, _workload(tier, history, arrivals, routing, escalations,
                                                 assumed))
        result[tier] = chosen
    unused = [t for t in staff_tiers if t not in result]
    if unused:
        warnings.append(f"--staff: tier(s) {', '.join(unused)} of the staffing scenario saw "
                        "no ticket in the history and are left out")
    sources = {s.source for s in result.values()}
    if "assignees" in sources:
        warnings.append(
            "staffing inferred from the assignees: agents on duty per weekday × hour from "
            "the hours they began tickets (median over the weeks). Idle agents, breaks and "
            "part-time rotas are invisible in tickets: check tiers.*.agents, or pass "
            "--staff SCENARIO with your real rota")
    if "placeholder" in sources:
        names = ", ".join(t for t, s in result.items() if s.source == "placeholder")
        warnings.append(
            f"staffing of {names} is a placeholder (enough agents for the fitted workload at "
            "80 % busy): the export names no assignees with the time they worked. Replace "
            "tiers.*.agents with your rota, or pass --staff SCENARIO")
    return result


def fit_history(history: History, options: FitOptions | None = None) -> Fit:
    """Fit every part of a scenario to ``history``."""
    options = options or FitOptions()
    _check_enough(history, options)
    staff = load_scenario(options.staff) if options.staff is not None else None
    tickets = history.tickets
    warnings: list[str] = list(history.notes)
    if history.bad.affected > 0.05 * history.rows:
        warnings.append(f"{history.bad.affected:,} of {history.rows:,} rows "
                        f"({history.bad.affected / history.rows:.0%}) had problems (listed "
                        "above): check the column mapping (--map) and time zone (--tz)")
    arrivals = fit_arrivals(tickets, history.first_day, history.days, history.zone,
                            options.profile)
    if not any(math.isfinite(a.weekly) and a.weekly >= 0.05 for a in arrivals.values()):
        raise SimdeskError(f"{history.source}: the fitted scenario would have no arrivals "
                           "(below 0.05 tickets a week on every channel): check the dates "
                           "of the export")
    days = fit_day_variation(arrivals)
    give_back()
    handles = fit_handles(tickets, history.steps)
    give_back()
    routing = fit_routing(tickets, history.steps)
    give_back()
    check_aht_names(options.aht, set(tickets["channel"]), routing.order)
    lacking_work = [t for t in routing.order if t not in handles]
    if lacking_work and "work_minutes" in history.has and not options.aht:
        raise SimdeskError(
            f"{history.source}: tier(s) {', '.join(lacking_work)} have fewer than {MIN_WORK} "
            "tickets with a readable work time, too few to fit a handle time; check the "
            "work_minutes column (one value per tier in groups), or give the average "
            "handle time with --aht (e.g. --aht 8m)")
    assumed = {t: assume(t, options.aht, list(arrivals)) for t in lacking_work}
    if assumed:
        lacking = ", ".join(assumed)
        why = ("the export has no work times" if "work_minutes" not in history.has else
               f"fewer than {MIN_WORK} of their tickets have a work time")
        if any(a.placeholder for a in assumed.values()):
            warnings.append(
                f"handle times of {lacking}: {why}, so they are PLACEHOLDERS "
                f"({', '.join(f'{a.tier} {minutes_text(a.mean)}' for a in assumed.values())},"
                " exponential) and the fit was not verified by simulation. Put your average "
                "handle times in tiers.*.handle, or pass --aht 8m (or --aht chat=6m, "
                "--aht L2=25m); everything else is fitted")
        else:
            warnings.append(
                f"handle times of {lacking}: {why}; taken from --aht as exponential "
                "distributions (cv 1: the shape is not known)")
    answers = responds(history.has)
    patience = fit_patience(tickets) if answers else {}
    give_back()
    if not answers:
        warnings.append(
            "the export holds no pickup or first-response times (e.g. Jira's default "
            "columns): waits, patience and the observed service level cannot be measured, "
            "so the scenario has no patience and its SLA targets are presets or "
            "placeholders; map a response column (--map first_response_at=COLUMN) if you "
            "have one")
    segments = fit_mix(tickets, "segment") if "segment" in history.has else None
    topics = fit_mix(tickets, "topic") if "topic" in history.has else None
    escalations = _escalations(routing, warnings)
    give_back()
    staffing = _staffing(history, staff, arrivals, routing, escalations, warnings, assumed)
    give_back()
    has_pickup = "assigned_at" in history.has
    responses = {c: _response(c, staff, tickets, has_pickup) for c in arrivals}
    give_back()
    sla = {}
    for channel in arrivals:
        within, target, source, hours = _target(channel, options, staff, tickets)
        sla[channel] = observed_sla(tickets if answers else tickets.iloc[0:0], channel,
                                    within, target, source, hours, history.first_day,
                                    history.days)
        if source == "preset":
            warnings.append(
                f"channel {channel}: SLA target {format_percent(target)} within "
                f"{format_duration(within)} is simdesk's preset for {channel} (tickets do not "
                f"hold targets); set yours with --sla {channel}=WITHIN@TARGET or --staff")
        elif source == "placeholder":
            warnings.append(
                f"channel {channel}: no SLA target known; wrote {format_percent(target)} "
                f"within {format_duration(within)} (the wait 80 % of its answered tickets got "
                f"in the history, rounded up; customers who gave up count as missed, so the "
                f"history meets it less often). Set yours with --sla {channel}=WITHIN@TARGET")
    for routed in routing.tiers:
        if routed.channels_differ < DIFFERENCE_P:
            shares = ", ".join(f"{c} {r / n:.0%}" for c, (r, n) in routed.by_channel.items()
                               if n)
            warnings.append(f"tier {routed.tier} resolves clearly different shares by channel "
                            f"({shares}); the scenario has one share per tier "
                            f"({routed.resolves:.1%})")
    for channel, share in routing.entry_shares.items():
        if share < 0.95:
            warnings.append(f"channel {channel}: only {share:.0%} of its tickets entered at "
                            f"{routing.entries[channel]}; the scenario sends all there")
    for channel, fitted in patience.items():
        best = fitted.best
        if fitted.abandoned < 10:
            warnings.append(f"channel {channel}: only {fitted.abandoned} customers gave up; "
                            "their patience is a rough estimate (exponential)")
        elif best.mean > 3 * fitted.longest_wait:
            warnings.append(
                f"channel {channel}: the fitted mean patience ({humanize_minutes(best.mean)}) "
                f"is far beyond the longest wait seen ({humanize_minutes(fitted.longest_wait)}):"
                " it is an extrapolation of the fitted family")
    for tier, fitted_tier in handles.items():
        groups = [fitted_tier.handle, *fitted_tier.overrides]
        empirical = [g.key or "all tickets" for g in groups if g.empirical]
        if empirical:
            warnings.append(f"tier {tier}: no parametric family fits the handle times of "
                            f"{', '.join(empirical)} (KS p < 1 %): written as the observed "
                            "values (empirical)")
    surges = [s for a in arrivals.values() for s in a.surges]
    if surges and not options.keep_surges:
        warnings.append(f"{len(surges)} surge day(s) detected and left out of the base rates "
                        "(see surges in the report); --keep-surges replays them")
    text = _render(history, options, staff, arrivals, days, handles, patience, routing,
                   segments, topics, sla, responses, staffing, escalations, assumed)
    try:
        scenario = load_scenario(_yaml_data(text))
    except ScenarioError as exc:
        lines = "; ".join(str(p) for p in exc.problems)
        hint = (" — from the --staff scenario's routing or staffing, which refer to names the "
                "history does not have" if staff is not None else "")
        raise SimdeskError(f"the fitted scenario does not validate: {lines}{hint}") from None
    notices = tuple(diagnose(compile_plan(scenario)))
    return Fit(history, options, arrivals, days, handles, patience, routing, segments, topics,
               sla, responses, staffing, escalations, scenario, text, tuple(warnings), notices,
               assumed)


def _yaml_data(text: str) -> dict[str, Any]:
    import yaml

    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _profile(fitted: ChannelArrivals) -> dict[str, Any]:
    if fitted.model == "matrix":
        return {"matrix": [[round(float(v), 3) for v in row] for row in fitted.rates]}
    weekdays = fitted.rates.sum(axis=1)
    hours = fitted.rates.sum(axis=0)
    return {"weekdays": [round(float(v), 4) for v in weekdays / weekdays.max()],
            "hours": [round(float(v), 4) for v in hours / hours.max()]}


def _render(history: History, options: FitOptions, staff: Scenario | None,
            arrivals: Mapping[str, ChannelArrivals], days_vary: DayVariation,
            handles: Mapping[str, TierHandles],
            patience: Mapping[str, ChannelPatience], routing: Routing, segments: Mix | None,
            topics: Mix | None, sla: Mapping[str, ObservedSla],
            responses: Mapping[str, tuple[str, str]], staffing: Mapping[str, TierStaffing],
            escalations: Mapping[str, str | None],
            assumed: Mapping[str, AssumedHandle]) -> str:
    first, days = history.first_day, history.days
    last = first + pd.Timedelta(days=days - 1)
    zone = str(history.zone) if history.zone is not None else "local time (no --tz)"
    name = options.name or f"Fitted from {Path(history.source).name}"
    warmup = options.warmup if options.warmup is not None else (
        staff.warmup if staff is not None else DEFAULT_WARMUP)
    header = [
        f"Fitted by simdesk {__version__} fit on {dt.datetime.now():%Y-%m-%d %H:%M} from "
        f"{history.source} ({history.preset} columns, times in {zone}): "
        f"{len(history.tickets):,} tickets from {first:%a %Y-%m-%d} to {last:%a %Y-%m-%d} "
        f"({days} days).",
        "Rates, mixes, handle times, patience and escalations are fitted; SLA targets and "
        "staffing come from where each comment says. The fit report shows observed against "
        "fitted for every part.",
    ]
    top = [*scalar("name", name), *scalar("description", (
        f"Fitted from {len(history.tickets):,} tickets of {Path(history.source).name}, "
        f"{first:%Y-%m-%d} to {last:%Y-%m-%d}.")),
        *scalar("start", first.date(), ["the history's first day and its length"]),
        *scalar("horizon", f"{days}d"),
        *scalar("warmup", format_duration(warmup), [
            "the simulation starts with an empty desk, the history did not"]),
        *scalar("replications", staff.replications if staff is not None else 10)]

    channel_entries = []
    for channel in arrivals:
        observed = sla[channel]
        spec: dict[str, Any] = {"sla": {"within": format_duration(observed.within),
                                        "target": format_percent(observed.target)}}
        if observed.hours:
            spec["sla"]["hours"] = observed.hours
        comments = [f"{channel}: SLA target from {_SOURCE_WORDS[observed.source]}; observed "
                    f"{observed.share:.1%} of {observed.decided:,} tickets within "
                    f"{format_duration(observed.within)}"]
        found = patience.get(channel)
        if found is not None:
            spec["patience"] = found.distribution()
            best = found.best
            comments.append(
                f"patience: {found.abandoned:,} of {found.tickets:,} customers gave up; fitted "
                f"with the answered ones' waits as censored: {best.family} mean "
                f"{humanize_minutes(best.mean)} (95 % CI {humanize_minutes(best.interval()[0])}"
                f"–{humanize_minutes(best.interval()[1])}). The average wait of those who gave "
                f"up, {humanize_minutes(found.naive_mean)}, would be biased low")
        response, why = responses[channel]
        spec["response"] = response
        comments.append(f"response: {response} ({why})")
        channel_entries.append(Entry(channel, spec, comments))

    mixes = []
    if segments is not None:
        mixes.append(scalar("segments", share_texts(segments.shares()),
                            [f"segments of {segments.total:,} tickets"]))
    if topics is not None:
        mixes.append(scalar("topics", share_texts(topics.shares()), [
            f"topics of {topics.total:,} tickets; effort 1 (handle times by topic are in "
            "each tier's handle_by, fitted directly)"]))

    arrival_entries = []
    for channel, fitted in arrivals.items():
        spec = {"channel": channel, "volume": f"{fitted.weekly:.1f}/w",
                "profile": _profile(fitted)}
        for mix, key in ((segments, "segments"), (topics, "topics")):
            if mix is not None and mix.per_channel:
                spec[key] = share_texts(mix.shares(channel))
        excluded = ", ".join(f"{s.day:%Y-%m-%d}" for s in fitted.surges) or "none"
        aic = fitted.aic
        other = "product" if fitted.model == "matrix" else "matrix"
        arrival_entries.append(Entry(None, spec, [
            f"{channel}: {fitted.tickets:,} tickets over {days} days; "
            f"{fitted.weekly:,.1f} per week (SE {fitted.weekly_se:,.1f}) outside surge days "
            f"({excluded}); profile: {MODEL_NAMES[fitted.model]}, AIC "
            f"{aic[fitted.model]:,.0f} against {aic[other]:,.0f} for "
            f"{MODEL_NAMES[other]}" + (" (in tickets per hour)" if fitted.model == "matrix"
                                       else "")]))

    surge_items = [Entry(None, {
        "at": s.at, "for": f"{s.hours}h", "multiplier": round(s.multiplier, 2),
        "channels": [s.channel],
        "name": f"detected: {s.window_tickets} tickets where {s.window_expected:.0f} "
                f"were expected"}) for a in arrivals.values() for s in a.surges
        if math.isfinite(s.multiplier)]
    if options.keep_surges:
        surge_part = block("surges", surge_items, [
            "surges detected in the history (days far above the profile), replayed "
            "(--keep-surges)"]) if surge_items else []
    else:
        surge_part = [
            "# Surges detected in the history (days far above the profile), left out of "
            "the rates above;", "# uncomment to replay them:",
            *commented(block("surges", surge_items))] if surge_items else []

    tier_entries = []
    default_entry = next((t for t in routing.order
                          if staffing[t].spec.get("role", "dispatcher" if t == "dispatcher"
                                                  else "agents") != "dispatcher"),
                         routing.order[0])
    for tier in routing.order:
        found_routing = routing.tier(tier)
        spec = dict(staffing[tier].spec)
        if tier in assumed:
            given = assumed[tier]
            spec["handle"] = given.distribution()
            if given.by_channel:
                spec["handle_by"] = {c: given.distribution(m)
                                     for c, m in given.by_channel.items()}
        else:
            spec["handle"] = handles[tier].handle.distribution()
            if handles[tier].overrides:
                spec["handle_by"] = {g.key: g.distribution() for g in handles[tier].overrides}
        target = escalations[tier]
        if target is not None:
            spec["resolves"] = share_texts({"": found_routing.resolves,
                                            "rest": 1 - found_routing.resolves})[""]
            spec["escalate_to"] = target
        elif spec.get("role") == "dispatcher":
            spec["resolves"] = "100%"
        entering = [c for c, t in routing.entries.items() if t == tier and t != default_entry]
        if entering:
            spec["channels"] = entering
        low, high = found_routing.interval
        if tier in assumed:
            comments = [assumed[tier].comment()]
        else:
            fitted_tier = handles[tier]
            comments = [
                f"{tier}: {fitted_tier.handle.n:,} tickets with a work time; handle "
                f"{fitted_tier.handle.chosen} mean {humanize_minutes(fitted_tier.handle.mean)}"
                + (f", by {fitted_tier.level} ({len(fitted_tier.overrides)} groups, chosen "
                   "by BIC)" if fitted_tier.overrides else "")]
        if target is not None:
            comments.append(f"resolves {found_routing.resolves:.1%} (95 % CI {low:.1%}–"
                            f"{high:.1%}) of {found_routing.finished:,} finished here; the "
                            f"rest went to {target}")
        comments.append(_STAFF_WORDS[staffing[tier].source])
        tier_entries.append(Entry(tier, spec, comments))
    routing_part: list[str] = []
    if staff is not None:
        staff_data = scenario_to_dict(staff)
        routing_part = scalar("routing", staff_data["routing"], ["routing from --staff"])
        policies = staff_data.get("policies")
        if policies:
            routing_part += scalar("policies", policies)
    else:
        routing_part = scalar("routing", {"policy": "fifo"},
                              ["not in ticket data: oldest first; see docs/policies.md"])
    parts = [top, block("channels", channel_entries), *mixes,
             block("arrivals", arrival_entries), _volume_part(days_vary), surge_part,
             block("tiers", tier_entries), routing_part]
    return document(header, parts)


def _volume_part(days: DayVariation) -> list[str]:
    """``volume:`` when the days vary beyond Poisson, else a comment saying they do not."""
    low, high = days.interval
    found = (f"{days.cv:.1%} (95 % CI {low:.1%}–{high:.1%}) over {days.days} days, "
             f"dispersion test p = {days.p_value:.2g}")
    volume = days.volume()
    if volume is None:
        return [f"# Day-to-day volume: the days vary no more than Poisson arrivals would "
                f"(day factor cv {found}): no volume.day_factor"]
    return scalar("volume", volume, [
        f"the days vary more than Poisson arrivals would: a day factor with cv {found}; "
        + ("one for all channels (their totals vary as much)" if days.shared else
           "one per channel (their totals vary less than each channel)")])


_SOURCE_WORDS = {"--sla": "--sla", "--staff": "the --staff scenario",
                 "preset": "simdesk's preset for this channel (not in ticket data; check it)",
                 "placeholder": "nowhere: a PLACEHOLDER (the wait 80 % of answered tickets got, "
                                "rounded up); set it"}
_STAFF_WORDS = {
    "staff": "staffing from the --staff scenario",
    "assignees": "staffing inferred from the assignees (agents on duty per weekday × hour, "
                 "median over the weeks); check it against your rota",
    "placeholder": "staffing is a PLACEHOLDER (enough agents for the fitted workload at 80 % "
                   "busy): replace it with your rota",
}

__all__ = ["MIN_DAYS", "MIN_TICKETS", "Fit", "FitOptions", "fit_history", "minutes_text"]
