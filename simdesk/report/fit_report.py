"""The fit report: one self-contained HTML page showing observed against fitted.

Built with the simulation report's pieces (:mod:`simdesk.report`): its style, its figure
embedding (JSON next to each ``<div>``, one plotly.js inlined, ``data-rendered`` set
when drawn) and its escaping of every piece of text from the data. The page holds what
was read (and the rows left out), each part's table and chart, the warnings, and the
scenario written.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from simdesk.errors import SimdeskError
from simdesk.fit.arrivals import MODEL_NAMES
from simdesk.fit.fit import Fit
from simdesk.fit.verify import Verification
from simdesk.report.blocks import section, table, toc
from simdesk.report.figures import Chart
from simdesk.report.fit_figures import fit_charts
from simdesk.report.shell import figure_section, page
from simdesk.report.style import duration, percent, text
from simdesk.scenario.units import format_duration
from simdesk.store.atomic import atomic_text

PRE_STYLE = "pre { overflow-x: auto; background: var(--soft); padding: 12px; font-size: 12px; }"


def _interval(low: float, high: float, shown: str = "duration") -> str:
    if math.isnan(low):
        return "—"
    if shown == "percent":
        return f"{percent(low)}–{percent(high)}"
    if shown == "number":
        return f"{low:.2f}–{high:.2f}"
    return f"{duration(low)}–{duration(high)}"


def _arrivals(fit: Fit) -> str:
    rows = []
    for channel, fitted in fit.arrivals.items():
        half = 1.96 * fitted.weekly_se
        other = "product" if fitted.model == "matrix" else "matrix"
        rows.append([text(channel), f"{fitted.tickets:,}", f"{fitted.weekly:,.1f}",
                     f"{fitted.weekly - half:,.1f}–{fitted.weekly + half:,.1f}",
                     MODEL_NAMES[fitted.model],
                     f"{fitted.aic[fitted.model]:,.0f} vs {fitted.aic[other]:,.0f}",
                     f"{fitted.dispersion:.3f}", str(len(fitted.surges))])
    body = table(["Channel", "Tickets", "Per week", "95 % CI", "Profile", "AIC (other)",
                  "Day overdispersion", "Surge days"], rows, "numbers")
    surges = [s for fitted in fit.arrivals.values() for s in fitted.surges]
    if surges:
        body += "<h3>Surges</h3>" + table(
            ["Channel", "Day", "Tickets", "Expected", "From", "Hours", "Multiplier", "p"],
            [[text(s.channel), f"{s.day:%a %Y-%m-%d}", f"{s.tickets:,}", f"{s.expected:,.0f}",
              f"{s.start_hour:02d}:00", str(s.hours), f"{s.multiplier:.2f}",
              f"{s.p_value:.1g}"] for s in surges], "numbers")
    return body


def _handles(fit: Fit) -> str:
    rows = []
    for tier, fitted in fit.handles.items():
        for group in (fitted.handle, *fitted.overrides):
            best = group.best
            others = sorted((f for f in group.fits.values() if f.family != best.family),
                            key=lambda f: f.aic)
            rows.append([
                f"<b>{text(tier)}</b>" if not group.key else f"{text(tier)} · {text(group.key)}",
                f"{group.n:,}", group.chosen, duration(group.mean),
                _interval(*best.interval()), f"{group.cv:.2f}",
                "—" if best.family == "exponential" else _interval(*best.interval("cv"),
                                                                   "number"),
                f"{best.ks_statistic:.3f} (p {best.ks_p:.2f})",
                f"{others[0].family} +{others[0].aic - best.aic:,.1f}" if others else "—"])
    for tier, given in fit.assumed.items():
        source = "placeholder" if given.placeholder else "--aht"
        for key, minutes in (("", given.mean), *given.by_channel.items()):
            rows.append([f"<b>{text(tier)}</b>" if not key else f"{text(tier)} · {text(key)}",
                         "0 (not in the export)", f"exponential ({source})",
                         duration(minutes), "—", "1.00", "—", "—", "—"])
    levels = "; ".join(f"{text(t)}: {f.level} (BIC " + ", ".join(
        f"{k} {v:,.0f}" for k, v in f.bic.items()) + ")" for t, f in fit.handles.items())
    return table(["Tier · group", "Tickets", "Family", "Mean", "95 % CI", "cv", "95 % CI",
                  "KS distance", "Next family (ΔAIC)"], rows, "numbers") + (
        f'<p class="note">Groupings chosen by BIC — {levels}.</p>')


def _patience(fit: Fit) -> str:
    rows = []
    for channel, fitted in fit.patience.items():
        best = fitted.best
        rows.append([text(channel), f"{fitted.abandoned:,} of {fitted.tickets:,}", best.family,
                     duration(best.mean), _interval(*best.interval()), f"{best.cv:.2f}",
                     f"{duration(fitted.naive_mean)} ± {duration(1.96 * fitted.naive_se)}",
                     f"{fitted.distance:.3f}"])
    return table(["Channel", "Gave up", "Family", "Mean patience", "95 % CI", "cv",
                  "Naive average of abandoned waits (biased)", "Largest gap to Kaplan–Meier"],
                 rows, "numbers")


def _routing(fit: Fit) -> str:
    rows = []
    for tier in fit.routing.tiers:
        target = fit.escalations[tier.tier]
        staffing = fit.staffing[tier.tier]
        source = {"staff": "from --staff", "assignees":
                  f"inferred from {staffing.people} assignees",
                  "placeholder": "<b>placeholder</b>"}[staffing.source]
        entry = ", ".join(text(c) for c, t in fit.routing.entries.items() if t == tier.tier)
        rows.append([text(tier.tier), f"{tier.entered:,}", f"{tier.finished:,}",
                     percent(tier.resolves) if target else "100 %",
                     _interval(*tier.interval, "percent") if target else "—",
                     text(target or "—"), entry or "—", source])
    return table(["Tier", "Entered", "Finished", "Resolves", "95 % CI", "Escalates to",
                  "Entry tier of", "Staffing"], rows, "numbers")


def _sla(fit: Fit, verification: Verification | None) -> str:
    checks = {(c.channel, c.metric): c for c in verification.checks} if verification else {}
    rows = []
    for channel, observed in fit.sla.items():
        row = [text(channel), f"{percent(observed.target, 0)} within "
               f"{format_duration(observed.within)}", text(observed.source),
               percent(observed.share), f"{observed.decided:,}",
               (f"{percent(min(observed.weekly), 0)}–{percent(max(observed.weekly), 0)}"
                if observed.weekly else "—"), percent(observed.abandonment)]
        for metric in ("sla", "abandonment"):
            check = checks.get((channel, metric))
            if check is None:
                row.append("—")
                continue
            mark = "✓" if check.consistent else "✗"
            row.append(f"{percent(check.observed)} vs {percent(check.simulated)} {mark}"
                       f"<br><span class='note'>PI "
                       f"{_interval(check.low, check.high, 'percent')}</span>")
        rows.append(row)
    return table(["Channel", "Target", "From", "Observed", "Tickets", "Weekly range",
                  "Abandoned", "SLA: history vs simulated (95 % PI)",
                  "Abandoned: history vs simulated (95 % PI)"], rows, "numbers")


def _read(fit: Fit) -> str:
    history = fit.history
    columns = ", ".join(f"<code>{text(k)}</code> ← <code>{text(v)}</code>"
                        for k, v in history.columns.items())
    bad = history.bad
    problems = ""
    if bad.problems:
        items = "".join(f"<li>{text(line)}</li>" for line in bad.lines())
        problems = (f"<div class='warning'><b>{bad.affected:,} row(s) with problems</b> "
                    f"({bad.dropped:,} left out):<ul class='plain'>{items}</ul></div>")
    notes = "".join(f"<li>{text(n)}</li>" for n in history.notes)
    return (f"<p>{history.rows:,} rows read with the <b>{text(history.preset)}</b> columns; "
            f"{len(history.tickets):,} tickets used.</p>{problems}"
            f"<p class='small'>Fields read: {columns}.</p>"
            + (f"<h3>Notes</h3><ul class='plain'>{notes}</ul>" if notes else ""))


def render(fit: Fit, verification: Verification | None, scenario_path: str) -> tuple[str,
                                                                                       list[Chart]]:
    """The fit report page and its charts."""
    history = fit.history
    charts = fit_charts(fit, verification)
    last = history.first_day + dt.timedelta(days=history.days - 1)
    zone = (f"times in {text(history.zone)}" if history.zone is not None
            else "local times (no time zone given)")
    warnings = "".join(f"<li>{text(w)}</li>" for w in
                       [*fit.warnings, *(str(n) for n in fit.notices)])
    verdict = ""
    if verification is not None:
        consistent = sum(c.consistent for c in verification.checks)
        verdict = (f'<p class="facts">Simulating the fitted scenario '
                   f"({verification.result.replications} replications, seed "
                   f"{verification.result.seed}): {consistent} of "
                   f"{len(verification.checks)} service-level and abandonment figures of the "
                   "history fall inside its 95 % prediction interval.</p>")
    header = (f'<header><div class="kicker">simdesk · Fit report</div>'
              f"<h1>{text(fit.scenario.name)}</h1>"
              f'<p class="facts">{len(history.tickets):,} tickets of '
              f"<code>{text(history.source)}</code> from {history.first_day:%a %Y-%m-%d} to "
              f"{last:%a %Y-%m-%d} ({history.days} days, {zone}); scenario written to "
              f"<code>{text(scenario_path)}</code>.</p>{verdict}"
              + (f"<div class='warning'><b>Check before you trust it</b><ul class='plain'>"
                 f"{warnings}</ul></div>" if warnings else "") + "</header>")
    parts = [
        ("read", "What was read", _read(fit),
         "The export, the columns each field came from, and every row that could not be "
         "used as it was."),
        ("arrivals", "Arrivals", _arrivals(fit),
         "Tickets per week per channel (surge days left out) with a 95 % interval, and the "
         "weekday × hour model AIC chose."),
        ("handles", "Handle times", _handles(fit),
         "Maximum-likelihood fits per tier and group: the family with the smallest AIC, its "
         "mean and coefficient of variation with 95 % intervals, and the Kolmogorov–Smirnov "
         "distance to the data (p below 1 % for every family: the observed values are used)."),
    ]
    if fit.patience:
        parts.append(("patience", "Patience", _patience(fit),
                      "Customers who gave up are events; answered customers' waits are "
                      "lower bounds of their patience (censored). Their naive average is "
                      "shown for comparison: it is biased low."))
    parts.append(("routing", "Tiers and escalations", _routing(fit),
                  "Tickets entering each tier, the share resolved of those finished there "
                  "(Wilson 95 % interval), where the rest went, and where staffing came "
                  "from."))
    parts.append(("sla", "Service level", _sla(fit, verification),
                  "Observed against the fitted scenario simulated: each figure of the "
                  "history should fall in the 95 % prediction interval (PI) for one history. "
                  "The comparison counts the history's tickets created after the scenario's "
                  "warm-up, as the simulation does, so its figure can differ a little from "
                  "the Observed column (all tickets)."))
    sections = [(anchor, title) for anchor, title, _, _ in parts]
    body = [section(anchor, title, content, lead) for anchor, title, content, lead in parts]
    for chart in charts:
        sections.append((f"section-{chart.id}", chart.title))
        body.append(figure_section(chart))
    sections.append(("scenario", "The fitted scenario"))
    body.append(section("scenario", "The fitted scenario",
                        f"<details><summary>Show the YAML</summary><pre><code>"
                        f"{text(fit.text)}</code></pre></details>",
                        f"As written to <code>{text(scenario_path)}</code>, comments "
                        "included."))
    return page(fit.scenario.name, header + toc(sections) + "".join(body), charts,
                history.source, kind="fit report", by=" fit",
                footnote="How each part is fitted: docs/fit.md in the simdesk repository.",
                extra_style=PRE_STYLE), charts


def write_fit_report(fit: Fit, verification: Verification | None, out: str | Path,
                     scenario_path: str) -> Path:
    """Write the fit report to ``out`` and return the path."""
    target = Path(out)
    page_html, _ = render(fit, verification, scenario_path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SimdeskError(f"cannot write the fit report to {target}: "
                           f"{exc.strerror or exc}") from None
    atomic_text(target, page_html)
    return target
