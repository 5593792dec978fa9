"""Assemble the report page: header, assumptions, tables, figures, one plotly.js.

The page is one self-contained HTML file: plotly.js is inlined once in the head, each
figure's JSON sits in a ``<script type="application/json" data-figure="ID">`` next to
its ``<div id="ID">``, and one small script draws them all. It opens offline, from a
file or an e-mail attachment. Every piece of scenario text is escaped.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Sequence

import plotly.io as pio
from plotly.offline import get_plotlyjs

from simdesk import __version__
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
from simdesk.report.style import (
    CONFIG,
    FONT,
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


def _figure(chart: Chart) -> str:
    """The section of one chart: title, sentence, the figure's div and its JSON."""
    spec = json.loads(pio.to_json(chart.figure, validate=False, remove_uids=True))
    spec["layout"].pop("template", None)
    data = json.dumps({"data": spec["data"], "layout": spec["layout"]},
                      separators=(",", ":"), allow_nan=False, default=str)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    note = f'<p class="note">{chart.note}</p>' if chart.note else ""
    return (f'<section class="chart" id="section-{chart.id}">'
            f'<h2>{chart.title}</h2><p class="lead">{chart.sentence}</p>'
            f'<div class="figure" id="{chart.id}"></div>'
            f'<script type="application/json" data-figure="{chart.id}">{data}</script>'
            f"{note}</section>")



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
    for chart in charts:
        sections.append((f"section-{chart.id}", chart.title))
        body.append(_figure(chart))
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
    return text(scenario.name), header + toc(sections) + "".join(body), charts


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
        body.append(_figure(chart))
    if results.base is not None and results.base_plan is not None:
        sections.append(("assumptions", "The base scenario"))
        body.append(section("assumptions", "The base scenario",
                             assumptions(results.base, results.base_plan),
                             "The scenario every point starts from, before the swept "
                             "parameters are set: channels and targets, staffing, routing "
                             f"({routing(results.base.routing.model_dump(mode='json'))})."))
    return text(results.name), header + toc(sections) + "".join(body), charts


# -- the page --------------------------------------------------------------------------


STYLE = """
:root { --ink: #1f2933; --muted: #616e7c; --line: #e4e7eb; --soft: #f5f7fa;
        --accent: #0072B2; --met: #1a7f37; --missed: #cf222e; --close: #9a6700; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #fff; color: var(--ink); font-family: FONT;
       font-size: 16px; line-height: 1.5; }
main { max-width: 1120px; margin: 0 auto; padding: 32px 24px 64px; }
header { border-bottom: 1px solid var(--line); padding-bottom: 20px; margin-bottom: 8px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px;
          color: var(--muted); font-weight: 600; }
h1 { font-size: 30px; line-height: 1.2; margin: 6px 0 8px; overflow-wrap: anywhere; }
h2 { font-size: 21px; margin: 0 0 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; color: var(--muted); text-transform: uppercase;
     letter-spacing: .05em; }
.description { font-size: 17px; margin: 0 0 8px; max-width: 80ch; }
.facts { color: var(--muted); margin: 4px 0; }
.note { color: var(--muted); font-size: 13px; margin: 6px 0 0; }
.muted { color: var(--muted); }
.small { font-size: 14px; }
.lead { margin: 0 0 12px; max-width: 85ch; }
section { padding: 28px 0 8px; border-bottom: 1px solid var(--line); }
section:last-of-type { border-bottom: none; }
.figure { width: 100%; min-height: 200px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
         gap: 12px; margin: 16px 0 8px; }
.card { border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px;
        background: var(--soft); }
.card-head { display: flex; justify-content: space-between; align-items: center; gap: 8px;
             overflow-wrap: anywhere; }
.big { font-size: 28px; font-weight: 650; line-height: 1.2; margin-top: 6px; }
.chip { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 12px;
        font-weight: 650; white-space: nowrap; color: #fff; vertical-align: 1px; }
.chip-met { background: var(--met); } .chip-missed { background: var(--missed); }
.chip-close { background: var(--close); }
.toc { background: var(--soft); border-radius: 10px; padding: 14px 20px; margin: 20px 0 0; }
.toc h2 { font-size: 14px; text-transform: uppercase; letter-spacing: .06em;
          color: var(--muted); }
.toc ol { margin: 6px 0 0; padding-left: 20px; columns: 2; column-gap: 32px; }
.toc a { color: var(--accent); text-decoration: none; }
.toc a:hover { text-decoration: underline; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 14px; margin: 4px 0 8px; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line);
         vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 13px; background: var(--soft); }
table.numbers td:not(:first-child), table.numbers th:not(:first-child) {
  text-align: right; }
table.numbers td:not(:first-child) { white-space: nowrap; }
table.differences td:nth-child(2), table.differences th:nth-child(2) {
  text-align: left; }
.d-better { color: var(--met); font-weight: 600; }
.d-worse { color: var(--missed); font-weight: 600; }
.d-same { color: var(--muted); }
ul.plain { margin: 4px 0; padding-left: 20px; }
code { font-size: 13px; background: var(--soft); padding: 1px 4px; border-radius: 4px; }
.warning { border-left: 4px solid var(--missed); background: #fff5f5; padding: 8px 14px;
           margin: 12px 0; }
.sr { position: absolute; left: -9999px; }
footer { color: var(--muted); font-size: 13px; margin-top: 32px; }
@media (max-width: 700px) { .toc ol { columns: 1; } main { padding: 20px 12px; } }
@media print { .toc { display: none; } section { break-inside: avoid; } }
""".replace("FONT", FONT)

LOADER = """
(function () {
  var config = CONFIG;
  var nodes = document.querySelectorAll('script[type="application/json"][data-figure]');
  var drawn = [];
  nodes.forEach(function (node) {
    var id = node.getAttribute('data-figure');
    var spec = JSON.parse(node.textContent);
    var options = Object.assign({}, config,
      {toImageButtonOptions: Object.assign({}, config.toImageButtonOptions, {filename: id})});
    drawn.push(Plotly.newPlot(id, spec.data, spec.layout, options).then(function () {
      document.getElementById(id).setAttribute('data-rendered', 'true');
    }));
  });
  Promise.all(drawn).then(function () {
    document.body.setAttribute('data-rendered', 'true');
  }, function (error) {
    document.body.setAttribute('data-render-error', String(error));
  });
})();
"""


def page(title: str, body: str, charts: Sequence[Chart], source: str) -> str:
    """The whole HTML document."""
    figures = " ".join(chart.id for chart in charts)
    loader = LOADER.replace("CONFIG", json.dumps(CONFIG))
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    footer = (f"<footer>Written by simdesk {html.escape(__version__)} on {stamp} from "
              f"<code>{text(source)}</code>. The model's assumptions and how to read "
              "each chart: docs/report.md and docs/model.md in the simdesk repository."
              "</footer>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<meta name=\"generator\" content=\"simdesk {html.escape(__version__)}\">"
        f"<title>{title} — simdesk report</title>"
        f"<style>{STYLE}</style>"
        f"<script type=\"text/javascript\">{get_plotlyjs()}</script>"
        f"</head><body data-figures=\"{figures}\"><main>{body}{footer}</main>"
        f"<script type=\"text/javascript\">{loader}</script></body></html>\n"
    )


def render(results: Results) -> tuple[str, list[Chart]]:
    """The report page of ``results`` and its charts."""
    if isinstance(results, SweepResults):
        title, body, charts = sweep_page(results)
    else:
        title, body, charts = desk_page(results)
    return page(title, body, charts, str(results.folder)), charts

