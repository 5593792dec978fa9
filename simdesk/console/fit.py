"""The fit in the terminal: what was read, each fitted part with its uncertainty, and
what to check before trusting the scenario."""

from __future__ import annotations

import math

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from simdesk.console.run import print_notices
from simdesk.fit.arrivals import MODEL_NAMES
from simdesk.fit.fit import Fit
from simdesk.fit.verify import Verification
from simdesk.scenario.calendar import DAY_NAMES
from simdesk.scenario.units import format_duration, humanize_minutes


def _table(title: str, columns: list[str]) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right", no_wrap=index > 0)
    return table


def _interval(low: float, high: float, shown: str = "duration") -> str:
    if math.isnan(low):
        return ""
    if shown == "duration":
        return f"[dim]({humanize_minutes(low)}–{humanize_minutes(high)})[/]"
    if shown == "percent":
        return f"[dim]({low:.1%}–{high:.1%})[/]"
    return f"[dim]({low:.2f}–{high:.2f})[/]"


def describe_history(fit: Fit) -> str:
    history = fit.history
    zone = f"times in {history.zone}" if history.zone is not None else "local times (no --tz)"
    last = history.first_day + np.timedelta64(history.days - 1, "D")
    return (f"Read [bold]{escape(history.source)}[/] ({history.preset} columns, {zone}): "
            f"{history.rows:,} rows, {len(history.tickets):,} tickets from "
            f"{history.first_day:%a %Y-%m-%d} to {last:%a %Y-%m-%d} ({history.days} days)")


def arrivals_table(fit: Fit) -> Table:
    table = _table("Arrivals (Poisson rates per weekday × hour; surge days left out)",
                   ["Channel", "Tickets", "Per week", "95% CI", "Busiest hour", "Profile",
                    "Surge days"])
    for channel, fitted in fit.arrivals.items():
        half = 1.96 * fitted.weekly_se
        day, hour = np.unravel_index(int(np.argmax(fitted.rates)), fitted.rates.shape)
        table.add_row(escape(channel), f"{fitted.tickets:,}", f"{fitted.weekly:,.1f}",
                      f"[dim]{fitted.weekly - half:,.1f}–{fitted.weekly + half:,.1f}[/]",
                      f"{DAY_NAMES[day]} {hour:02d}:00 ({fitted.rates[day, hour]:.1f}/h)",
                      MODEL_NAMES[fitted.model].split(" ")[0] if fitted.model == "matrix"
                      else "factors", str(len(fitted.surges)) or "0")
    return table


def surges_table(fit: Fit) -> Table | None:
    surges = [s for fitted in fit.arrivals.values() for s in fitted.surges]
    if not surges:
        return None
    table = _table("Surges (days far above the profile: reported, not in the base rate)",
                   ["Channel", "Day", "Tickets", "Expected", "Hours", "×", "p"])
    for surge in surges:
        table.add_row(escape(surge.channel), f"{surge.day:%a %Y-%m-%d}", f"{surge.tickets:,}",
                      f"{surge.expected:,.0f}",
                      f"{surge.start_hour:02d}:00 +{surge.hours}h",
                      f"{surge.multiplier:.2f}", f"{surge.p_value:.1g}")
    return table


def handles_table(fit: Fit) -> Table:
    table = _table("Handle times (maximum likelihood; family by AIC, groups by BIC)",
                   ["Tier / group", "Tickets", "Family", "Mean", "95% CI", "cv", "95% CI ",
                    "KS p", "next (ΔAIC)"])
    notes: list[str] = []
    for tier, fitted in fit.handles.items():
        for group in (fitted.handle, *fitted.overrides):
            best = group.best
            others = sorted((f for f in group.fits.values() if f.family != best.family),
                            key=lambda f: f.aic)
            nearest = f"{others[0].family} (+{others[0].aic - best.aic:,.0f})" if others else ""
            by = f" [dim](by {fitted.level})[/]" if fitted.overrides else ""
            label = (f"[bold]{escape(tier)}[/]{by}" if not group.key
                     else f"  {escape(group.key)}")
            cv_low, cv_high = best.interval("cv")
            table.add_row(label, f"{group.n:,}", group.chosen,
                          humanize_minutes(group.mean), _interval(*best.interval()),
                          f"{group.cv:.2f}",
                          "" if best.family == "exponential" else _interval(cv_low, cv_high,
                                                                            "number"),
                          f"{best.ks_p:.2f}", nearest)
        if fitted.small:
            small = ", ".join(f"{escape(k)} ({n})" for k, n in fitted.small)
            notes.append(f"{escape(tier)}: {small} have fewer than 30 tickets and use the "
                         "tier's fit")
    for tier, given in fit.assumed.items():
        source = "[red]placeholder[/]" if given.placeholder else "--aht"
        table.add_row(f"[bold]{escape(tier)}[/] [dim](not in the export)[/]", "0",
                      f"exponential ({source})", humanize_minutes(given.mean), "", "1.00",
                      "", "", "")
        for channel, minutes in given.by_channel.items():
            table.add_row(f"  {escape(channel)}", "0", f"exponential ({source})",
                          humanize_minutes(minutes), "", "1.00", "", "", "")
    table.caption = "; ".join(notes) or None
    return table


def patience_table(fit: Fit) -> Table | None:
    if not fit.patience:
        return None
    table = _table("Patience (censored maximum likelihood: answered customers' waits are "
                   "lower bounds)",
                   ["Channel", "Gave up", "Of", "Family", "Mean", "95% CI", "cv",
                    "Naive average*", "KM gap"])
    for channel, fitted in fit.patience.items():
        best = fitted.best
        table.add_row(escape(channel), f"{fitted.abandoned:,}", f"{fitted.tickets:,}",
                      best.family, humanize_minutes(best.mean), _interval(*best.interval()),
                      f"{best.cv:.2f}", humanize_minutes(fitted.naive_mean),
                      f"{fitted.distance:.3f}")
    table.caption = ("* the average wait of the customers who gave up: biased low, since "
                     "only short patience runs out before an answer")
    return table


def routing_table(fit: Fit) -> Table:
    table = _table("Tiers (from the groups each ticket went through)",
                   ["Tier", "Entered", "Finished", "Resolves", "95% CI", "Escalates to",
                    "Entry of", "Staffing"])
    for tier in fit.routing.tiers:
        entry = ", ".join(c for c, t in fit.routing.entries.items() if t == tier.tier)
        target = fit.escalations[tier.tier]
        staffing = fit.staffing[tier.tier]
        staffed = {"staff": "--staff", "assignees": f"inferred ({staffing.people} agents)",
                   "placeholder": "[yellow]placeholder[/]"}[staffing.source]
        resolves = f"{tier.resolves:.1%}" if target is not None else "100%"
        table.add_row(escape(tier.tier), f"{tier.entered:,}", f"{tier.finished:,}", resolves,
                      _interval(*tier.interval, "percent") if target is not None else "",
                      escape(target or "—"), escape(entry), staffed)
    return table


def sla_table(fit: Fit, verification: Verification | None) -> Table:
    table = _table("Service level: the history"
                   + (" and the fitted scenario simulated" if verification else ""),
                   ["Channel", "Target", "From", "Observed", "Weekly", "Abandoned"]
                   + (["Simulated", "95% PI", ""] if verification else []))
    checks = {(c.channel, c.metric): c for c in verification.checks} if verification else {}
    for channel, observed in fit.sla.items():
        weekly = (f"{min(observed.weekly):.0%}–{max(observed.weekly):.0%}"
                  if observed.weekly else "")
        row = [escape(channel),
               f"{observed.target:.0%} in {format_duration(observed.within)}",
               observed.source, f"{observed.share:.1%}", weekly,
               "—" if math.isnan(observed.abandonment) else f"{observed.abandonment:.1%}"]
        check = checks.get((channel, "sla"))
        if check is not None:
            mark = "[green]✓ consistent[/]" if check.consistent else "[red]✗ differs[/]"
            row += [f"{check.simulated:.1%}", _interval(check.low, check.high, "percent"), mark]
        elif verification:
            row += ["", "", ""]
        table.add_row(*row)
    if verification:
        table.caption = ("Observed over the tickets after the warm-up; the simulated mean with "
                         "its 95 % prediction interval for one history: ✓ when the history "
                         "falls inside it")
    return table


def day_variation_text(fit: Fit) -> str:
    """One line on how much the days vary beyond Poisson, and what the scenario got."""
    days = fit.days
    low, high = days.interval
    found = (f"day factor cv {days.cv:.1%} ({low:.1%}–{high:.1%}) over {days.days} days, "
             f"dispersion test p = {days.p_value:.2g}")
    if not days.significant:
        return (f"[bold]Day-to-day volume[/]: {found}: no more than Poisson, no day factor "
                "written")
    return (f"[bold]Day-to-day volume[/]: {found}: written as volume.day_factor, "
            + ("one for all channels" if days.shared else "one per channel")
            + f" (channels' totals: cv {days.totals_cv:.1%})")


def print_fit(console: Console, fit: Fit, verification: Verification | None) -> None:
    """The whole terminal report of a fit."""
    console.print(describe_history(fit), highlight=False)
    bad = fit.history.bad
    if bad.problems:
        console.print(f"[yellow]{bad.affected:,} row(s) with problems[/] "
                      f"({bad.dropped:,} left out):", highlight=False)
        for line in bad.lines():
            console.print(f"  {escape(line)}", highlight=False)
    console.print(arrivals_table(fit))
    console.print(day_variation_text(fit), highlight=False)
    for extra in (surges_table(fit),):
        if extra is not None:
            console.print(extra)
    console.print(handles_table(fit))
    patience = patience_table(fit)
    if patience is not None:
        console.print(patience)
    console.print(routing_table(fit))
    for mix in (fit.segments, fit.topics):
        if mix is not None:
            shares = ", ".join(f"{escape(k)} {v:.1%}" for k, v in mix.shares().items())
            per = " (per channel: they differ)" if mix.per_channel else ""
            console.print(f"[bold]{mix.field.capitalize()}s[/]{per}: {shares}", highlight=False)
    console.print(sla_table(fit, verification))
    for warning in fit.warnings:
        console.print(f"[yellow]Warning:[/] {escape(warning)}", highlight=False)
    print_notices(console, fit.notices)
