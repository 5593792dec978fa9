"""Assemble the report page: header, assumptions, tables, figures, one plotly.js.

The page is one self-contained HTML file: plotly.js is inlined once in the head, each
figure's JSON sits in a ``<script type="application/json" data-figure="ID">`` next to
its ``<div id="ID">``, and one small script draws them all. It opens offline, from a
file or an e-mail attachment. Every piece of scenario text is escaped.
"""

from __future__ import annotations

from simdesk.report import aggregate
from simdesk.report.bars import abandonment_chart, agents_chart, sla_chart, utilization_chart
from simdesk.report.behaviour import (
    agents_rating_chart,
    days_chart,
    effort_tables,
    has_days,
    has_satisfaction,
    satisfaction_chart,
    workload_tables,
)
from simdesk.report.blocks import (
    assumptions,
    difference_table,
    facts,
    points_table,
    results_table,
    routing,
    section,
    toc,
    verdict_cards,
    verdict_table,
)
from simdesk.report.differences import difference_chart
from simdesk.report.figures import Chart
from simdesk.report.flows import escalation_chart, queue_chart
from simdesk.report.misses import misses_html
from simdesk.report.outcomes import outcome_sections
from simdesk.report.rules import NOTE as RULES_NOTE
from simdesk.report.rules import TITLE as RULES_TITLE
from simdesk.report.rules import rule_tables
from simdesk.report.shell import figure_section, page
from simdesk.report.style import (
    percent,
    text,
)
from simdesk.report.sweep_figures import (
    parameter_label,
    sweep_heatmap_chart,
    sweep_sla_chart,
    sweep_utilization_chart,
)
from simdesk.report.waits import heatmap_arrivals_chart, heatmap_sla_chart, wait_ecdf_chart
from simdesk.store.read import DeskResults, Results, SweepResults


def desk_charts(results: DeskResults) -> list[Chart]:
    """Every chart of a run or comparison, in page order."""
    grid = aggregate.week_grid(results.plan, results.tickets)
    charts = [sla_chart(results)]
    if results.kind == "compare":
        charts.append(difference_chart(results))
    if has_days(results):
        charts.append(days_chart(results))
    charts += [wait_ecdf_chart(results), heatmap_sla_chart(results),
               heatmap_arrivals_chart(results, grid), queue_chart(results),
               utilization_chart(results), agents_chart(results), abandonment_chart(results),
               escalation_chart(results)]
    if has_satisfaction(results):
        charts += [satisfaction_chart(results), agents_rating_chart(results)]
    return charts


def desk_page(results: DeskResults) -> tuple[str, str, list[Chart]]:
    """(title, body HTML, charts) of a run or a comparison."""
    scenario = results.scenario
    charts = desk_charts(results)
    compare = results.kind == "compare"
    kicker = ("Comparison of routing policies" if compare else "Simulation report")
    description = (f'<p class="description">{text(scenario.description.strip())}</p>'
                   if scenario.description.strip() else "")
    header = (f'<header><div class="kicker">simdesk · {kicker}</div>'
              f"<h1>{text(scenario.name)}</h1>{description}"
              f'<p class="facts">{facts(results)}</p>')
    if compare:
        policies = ", ".join(
            f"{routing(results.routing[label])}"
            + (" <span class='muted'>(baseline)</span>" if label == results.baseline else "")
            for label in results.labels)
        header += (f'<p class="facts">{len(results.labels)} policies on the same tickets: '
                   f"{policies}</p>")
        header += f"<h2 class='sr'>Verdicts</h2>{verdict_table(results)}"
    else:
        header += verdict_cards(results)
    header += ('<p class="note">Verdicts are judged on the 95 % confidence interval: '
               "<b>met</b> when all of it is at or above the target, <b>missed</b> when all "
               "of it is below, <b>close</b> when it contains the target.</p></header>")
    sections = [("assumptions", "What was simulated")]
    body = [section("assumptions", "What was simulated", assumptions(scenario, results.plan),
                     "The scenario as it ran: channels and their targets, who works each "
                     "tier and when, and how tickets are routed.")]
    if not compare:
        sections.append(("results", "Results at a glance"))
        body.append(section("results", "Results at a glance", results_table(results),
                             "Means over the replications, after the warm-up; waits are "
                             "over answered tickets."))
        why = misses_html(results.folder)
        if why:
            sections.append(("misses", "Why targets were missed"))
            body.append(section("misses", "Why targets were missed", why,
                                "Computed from the run for each channel that missed its "
                                "target or came close: where the misses fall, who gave "
                                "up, what those customers queued behind, and changes "
                                "simulated on the same tickets."))
        workload = workload_tables(results)
        if workload:
            sections.append(("workload", "Self-service, repeat contacts and helpers"))
            body.append(section("workload", "Self-service, repeat contacts and helpers",
                                workload, "What never reached an agent, what came back, "
                                "and who was pulled into the queue: means per replication "
                                "after the warm-up."))
        rules = rule_tables(results)
        if rules:
            sections.append(("desk-rules", RULES_TITLE))
            body.append(section("desk-rules", RULES_TITLE, rules, RULES_NOTE))
        for key, title, content, note in outcome_sections(results):
            sections.append((key, title))
            body.append(section(key, title, content, note))
    for chart in charts:
        sections.append((f"section-{chart.id}", chart.title))
        body.append(figure_section(chart))
        if chart.id == "fig-satisfaction-agents":
            title = "Satisfaction next to the effort it took"
            if compare:
                title += f" ({text(results.baseline)})"
            sections.append(("effort", title))
            body.append(section("effort", title, effort_tables(results),
                                 "Means per replication after the warm-up: the agents' "
                                 "minutes per ticket, the share escalated and the ratings. "
                                 "Same tickets: the desk's good share on this agent's mix "
                                 "(channel, topic and path); a difference whose interval "
                                 "holds 0 is a hard or easy mix, not a worse or better "
                                 "agent."))
        if chart.id == "fig-compare-diff":
            sections.append(("differences", "All differences against the baseline"))
            body.append(section("differences", "All differences against the baseline",
                                 difference_table(results),
                                 f"Every policy minus {text(results.baseline)} on the same "
                                 "tickets, ± the 95 % half-width: ✓ significantly better, "
                                 "✗ significantly worse, = no significant difference."))
    return str(scenario.name), header + toc(sections) + "".join(body), charts


def sweep_page(results: SweepResults) -> tuple[str, str, list[Chart]]:
    charts = [sweep_sla_chart(results)]
    heatmap = sweep_heatmap_chart(results)
    if heatmap is not None:
        charts.append(heatmap)
    charts.append(sweep_utilization_chart(results))
    spec = results.spec
    description = results.description.strip() or (
        results.base.description.strip() if results.base is not None else "")
    parameters = "".join(
        f"<li><b>{text(parameter_label(results.base, path))}</b> "
        f"<span class='muted'><code>{text(path)}</code></span>: "
        f"{text(', '.join(str(v) for v in values))}</li>"
        for path, values in (spec.get("parameters") or {}).items())
    replications = spec.get("replications", "?")
    if replications == "auto":
        replications = (f"auto (until the 95 % half-width of {text(results.metric)} is at "
                        f"most {percent(float(spec.get('precision', 0.01)), 1)} of its mean)")
    done = len(results.points)
    shown = [f"{done} of {results.total_points} points finished",
             f"mode {text(spec.get('mode', 'grid'))}",
             f"replications {replications}",
             f"seed {results.seed}" if results.seed is not None else "seed not recorded",
             f"main metric {text(results.metric)}"]
    base_name = results.base.name if results.base is not None else "?"
    header = (f'<header><div class="kicker">simdesk · Sweep report</div>'
              f"<h1>{text(results.name)}</h1>"
              + (f'<p class="description">{text(description)}</p>' if description else "")
              + f'<p class="facts">Base scenario <b>{text(base_name)}</b> · '
              + " · ".join(shown) + "</p>"
              f"<h3>Parameters</h3><ul class='plain'>{parameters}</ul>")
    if results.failures:
        failed = "".join(f"<li><code>{text(f.get('key', '?'))}</code>: "
                         f"{text(f.get('error', ''))}</li>" for f in results.failures)
        header += (f"<div class='warning'><b>{len(results.failures)} point(s) failed</b> "
                   f"and are not shown:<ul class='plain'>{failed}</ul></div>")
    header += "</header>"
    sections = [("points", "Every point")]
    body = [section("points", "Every point", points_table(results),
                     "Each point's main metric with its 95 % confidence interval, and each "
                     "channel's SLA with its verdict against the target (met, missed, or "
                     "close when the interval contains the target).")]
    for chart in charts:
        sections.append((f"section-{chart.id}", chart.title))
        body.append(figure_section(chart))
    if results.base is not None and results.base_plan is not None:
        sections.append(("assumptions", "The base scenario"))
        body.append(section("assumptions", "The base scenario",
                             assumptions(results.base, results.base_plan),
                             "The scenario every point starts from, before the swept "
                             "parameters are set: channels and targets, staffing, routing "
                             f"({routing(results.base.routing.model_dump(mode='json'))})."))
    return str(results.name), header + toc(sections) + "".join(body), charts


# -- the page --------------------------------------------------------------------------


def render(results: Results) -> tuple[str, list[Chart]]:
    """The report page of ``results`` and its charts."""
    if isinstance(results, SweepResults):
        title, body, charts = sweep_page(results)
    else:
        title, body, charts = desk_page(results)
    footnote = ("The model's assumptions and how to read each chart: docs/report.md and "
                "docs/model.md in the simdesk repository.")
    return page(title, body, charts, str(results.folder), footnote=footnote), charts

