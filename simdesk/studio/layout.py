"""The one page: header and files, the editor (form beside YAML), run controls with a
progress bar, and the results of runs, plans and staffing."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from dash import dcc, html

from simdesk.report.style import base_layout
from simdesk.scenario.calendar import DAY_NAMES
from simdesk.studio.checking import Checked, check_text
from simdesk.studio.form import Field, Group, form_groups, weekly_profile
from simdesk.studio.state import BASELINE, Studio

SECTIONS = {"channels": "Channels and targets", "arrivals": "Volumes (weekly profile)",
            "tiers": "Agents per tier", "routing": "Routing"}
TICK_MS = 400
NO_BAR: Any = {"displayModeBar": False}


def profile_figure(checked: Checked, arrival: int) -> dict[str, Any] | None:
    """A small step chart of one arrival stream's rate over a week (None if invalid), as
    plain figure data: the first page needs no plotly on the server."""
    if checked.plan is None or arrival >= len(checked.plan.streams):
        return None
    hours, rates = weekly_profile(checked.plan, arrival)
    layout = base_layout(110)
    axis = layout["xaxis"]
    layout.update(margin={"l": 36, "r": 6, "t": 4, "b": 22}, showlegend=False,
                  xaxis={**axis, "tickvals": [24 * d + 12 for d in range(7)],
                         "ticktext": list(DAY_NAMES), "range": [0, 168], "showgrid": False},
                  yaxis={**layout["yaxis"], "rangemode": "tozero", "ticksuffix": "/h"})
    trace = {"type": "scatter", "x": [round(float(h), 4) for h in hours],
             "y": [round(float(r), 4) for r in rates], "mode": "lines", "fill": "tozeroy",
             "line": {"shape": "hv", "width": 1.5, "color": "#0072B2"},
             "hovertemplate": "%{y:.1f}/h<extra></extra>"}
    return {"data": [trace], "layout": layout}


def model_key(checked: Checked) -> str:
    """A digest of what the form shows: it is rebuilt only when this changes."""
    groups = form_groups(checked.data)
    shown: list[Any] = [[g.section, g.title, g.notes, [(f.key, f.value) for f in g.fields]]
                        for g in groups]
    if checked.plan is not None:
        shown.append([[float(r) for r in s.rates[:400]] for s in checked.plan.streams])
    return hashlib.sha1(json.dumps(shown, default=str).encode()).hexdigest()


def _input(field: Field) -> Any:
    ident = {"type": "field", "path": field.key}
    if field.kind == "choice":
        return dcc.Dropdown(id=ident, options=list(field.choices), value=field.value,
                            clearable=False, className="choice")
    if field.kind == "count":
        return dcc.Input(id=ident, type="number", min=0, step=1, value=field.value,
                         debounce=True, className="count")
    return dcc.Input(id=ident, type="text", value=str(field.value), debounce=True,
                     className="text")


def _group(group: Group, checked: Checked) -> html.Div:
    rows = [html.Label([html.Span(f.label, className="label"), _input(f)], className="row")
            for f in group.fields]
    notes = [html.Div(note, className="note") for note in group.notes]
    chart: list[Any] = []
    if group.arrival is not None:
        figure = profile_figure(checked, group.arrival)
        if figure is not None:
            chart = [dcc.Graph(id={"type": "profile", "arrival": group.arrival},
                               figure=figure, config=NO_BAR,
                               className="profile")]
    return html.Div([html.Div(group.title, className="group-title"), *rows, *chart, *notes],
                    className=f"group group-{group.section}")


def form(checked: Checked) -> list[Any]:
    """The form of the text, grouped by section."""
    if checked.data is None:
        return [html.P("The YAML text does not parse: fix it on the right (the message "
                       "above says where).", className="muted")]
    groups = form_groups(checked.data)
    blocks: list[Any] = []
    for section, title in SECTIONS.items():
        members = [g for g in groups if g.section == section]
        if members:
            blocks.append(html.Fieldset([html.Legend(title),
                                         *[_group(g, checked) for g in members]]))
    return blocks


def problems(checked: Checked) -> list[Any]:
    """The validation result: a green line, or every problem as ``simdesk validate``
    prints it."""
    if checked.valid:
        assert checked.scenario is not None
        return [html.Div(f"✓ valid: {checked.scenario.name}", className="ok")]
    count = len(checked.problems)
    return [html.Div(f"✗ {count} problem{'s' if count > 1 else ''}", className="bad"),
            html.Ul([html.Li(p, className="problem") for p in checked.problems])]


def _button(ident: str, text: str, kind: str = "") -> html.Button:
    return html.Button(text, id=ident, n_clicks=0, className=f"button {kind}".strip())


def page(studio: Studio) -> html.Main:
    """The page as first served: the initial file, validated, with its form."""
    files = studio.workspace.files()
    file = studio.workspace.initial
    text = studio.workspace.read(file)
    checked = check_text(text, file, studio.workspace.path(file).parent,
                         allow_code=studio.allow_code)
    scenario = checked.scenario
    seed = scenario.seed if scenario is not None and scenario.seed is not None else 1
    replications = scenario.replications if scenario is not None else 10
    code = ("code allowed: module:Class policies are imported" if studio.allow_code else
            "no code runs: module:Class policies need --allow-code")
    header = html.Header([
        html.Div("simdesk · studio", className="kicker"),
        html.H1("What if…?"),
        html.P(f"Folder {studio.workspace.root} · {code}", className="facts", id="folder"),
        html.Div([dcc.Dropdown(id="file", options=files, value=file, clearable=False,
                               className="file"),
                  _button("save", "Save"),
                  dcc.Input(id="save-name", type="text", placeholder="new-name.yaml",
                            className="text", style={"width": "220px"}),
                  _button("save-as", "Save as"),
                  _button("download-yaml", "Download YAML")], className="toolbar"),
        html.Div(id="notice", className="notice", role="status"),
    ])
    variants = html.Div([
        html.Span("Plan", className="label"),
        dcc.Dropdown(id="variant", options=[BASELINE], value=BASELINE, clearable=False,
                     className="variant"),
        dcc.Input(id="variant-name", type="text", placeholder="+1 evening agent",
                  className="text", style={"width": "220px"}),
        _button("add-variant", "Add plan (copy of this one)"),
        _button("remove-variant", "Remove plan"),
    ], className="toolbar")
    editor = html.Section([
        html.H2("Edit"),
        variants,
        html.Div(problems(checked), id="problems"),
        html.Div([
            html.Div(form(checked), id="form", className="form"),
            html.Div(dcc.Textarea(id="yaml", value=text, spellCheck=False, className="yaml"),
                     className="yaml-wrap"),
        ], className="columns"),
    ])
    runbar = html.Div([
        html.Div([
            html.Label(["Replications ", dcc.Input(id="replications", type="number", min=1,
                                                   max=1000, step=1, value=replications,
                                                   className="count")]),
            html.Label(["Seed ", dcc.Input(id="seed", type="number", min=0, step=1,
                                           value=seed, className="count")]),
            dcc.Checklist(id="suggest", options=[{"label": " what to try where a target "
                                                             "is missed", "value": "on"}],
                          value=["on"], className="suggest", inline=True),
            _button("run", "Run this plan", "primary"),
            _button("run-plans", "Run all plans on the same tickets"),
            _button("run-staff", "Staff it (simdesk staff)"),
            _button("cancel", "Cancel", "danger"),
            _button("download-report", "Download HTML report"),
        ], className="toolbar"),
        html.Div(html.Div(id="progress-bar", className="bar", style={"width": "0%"}),
                 className="progress"),
        html.Div(id="progress-label", className="muted small"),
        html.Div(id="job-message", className="job-message"),
    ], className="runbar")
    run = html.Section([
        html.H2("Results", id="results"),
        html.Div(html.P("Run this plan to see each channel's SLA with its interval and "
                        "verdict, the SLA day by day and by weekday × hour, utilization "
                        "and who gave up.", className="muted"), id="run-results"),
        html.H2("Plans", id="plans"),
        html.Div(html.P("Add a plan above (a copy of the current one), change it, and run all "
                        "plans: each is compared with today on the same tickets.",
                        className="muted"), id="plans-results"),
        html.H2("Staffing", id="staffing"),
        html.Div(html.P("Today's staffing against what each hour of the week needs.",
                        className="muted"), id="staff-results"),
    ])
    running = studio.jobs.current()  # a reloaded page follows the job still running
    stores = [dcc.Store(id="variants", data={"file": file, "names": [BASELINE],
                                             "texts": {BASELINE: text}}),
              dcc.Store(id="form-model", data=model_key(checked)),
              dcc.Store(id="job", data=running.id if running else None),
              dcc.Interval(id="tick", interval=TICK_MS, disabled=running is None),
              dcc.Download(id="download")]
    return html.Main([header, runbar, editor, run, *stores], id="studio")


STYLE = """
:root { --ink:#1f2933; --muted:#616e7c; --line:#e4e7eb; --soft:#f5f7fa; --accent:#0072B2;
        --met:#1a7f37; --missed:#cf222e; --close:#9a6700; }
* { box-sizing: border-box; }
body { margin:0; color:var(--ink); font-family: system-ui, -apple-system, "Segoe UI", Roboto,
       sans-serif; font-size:15px; line-height:1.45; }
main { max-width: 1400px; margin: 0 auto; padding: 20px 24px 60px; }
h1 { margin: 2px 0 4px; font-size: 26px; }
h2[id] { scroll-margin-top: 130px; } h2 { margin: 26px 0 8px; font-size: 20px; }
h3 { margin: 14px 0 2px; font-size: 16px; }
.kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 12px;
          color: var(--muted); font-weight: 600; }
.facts, .muted, .note { color: var(--muted); } .small, .note { font-size: 13px; }
.toolbar { display:flex; flex-wrap:wrap; gap:8px; align-items:center; margin:8px 0; }
.toolbar > * { flex: 0 0 auto; }
.toolbar .file { min-width: 320px; } .toolbar .variant { min-width: 220px; }
.button { border:1px solid #cbd2d9; background:#fff; border-radius:6px; padding:6px 12px;
          cursor:pointer; font: inherit; }
.button:hover { background: var(--soft); }
.primary { background: var(--accent); color:#fff; border-color: var(--accent); }
.primary:hover { background: #005f94; } .danger { color: var(--missed); }
input.text, input.count { border:1px solid #cbd2d9; border-radius:6px; padding:5px 8px;
                          font: inherit; }
input.count { width: 90px; } input.text { min-width: 180px; }
.notice { min-height: 1.4em; color: var(--accent); white-space: pre-wrap; }
.columns { display:grid; grid-template-columns: minmax(380px, 1fr) minmax(380px, 1fr);
           gap: 18px; align-items:start; }
.runbar { position: sticky; top: 0; z-index: 10; background: #fff; padding: 4px 0 6px;
          border-bottom: 1px solid var(--line); }
textarea.yaml { width:100%; height: 70vh; font-family: ui-monospace, Menlo, Consolas,
                monospace; font-size: 13px; border:1px solid #cbd2d9; border-radius:6px;
                padding: 8px; white-space: pre; }
fieldset { border:1px solid var(--line); border-radius:8px; margin: 0 0 12px; padding: 6px 12px; }
legend { font-weight: 650; padding: 0 4px; }
.group { border-top: 1px solid var(--line); padding: 6px 0; }
.group:first-of-type { border-top: none; }
.group-title { font-weight: 600; }
.row { display:flex; align-items:center; gap: 10px; margin: 3px 0; }
.row .label { width: 170px; color: var(--muted); font-size: 14px; }
.row .choice { min-width: 200px; }
.ok { color: var(--met); font-weight: 600; } .bad { color: var(--missed); font-weight: 650; }
.problem { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px;
           color: var(--missed); }
.progress { height: 10px; background: var(--soft); border-radius: 5px; overflow: hidden;
            margin: 8px 0 2px; border: 1px solid var(--line); }
.bar { height: 100%; background: var(--accent); transition: width .3s; }
.job-message { white-space: pre-wrap; margin: 6px 0; }
.job-failed { color: var(--missed); } .job-cancelled { color: var(--close); }
.cards { display:grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap:12px;
         margin: 12px 0; }
.card { border:1px solid var(--line); border-radius:10px; padding:10px 14px;
        background: var(--soft); }
.card-head { display:flex; justify-content: space-between; gap: 8px; }
.big { font-size: 28px; font-weight: 650; }
.chip { border-radius: 999px; padding: 1px 9px; font-size: 12px; font-weight: 650; color:#fff; }
.chip-met { background: var(--met); } .chip-missed { background: var(--missed); }
.chip-close { background: var(--close); }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align:left; padding: 5px 9px; border-bottom: 1px solid var(--line);
         vertical-align: top; }
th { background: var(--soft); color: var(--muted); font-weight: 600; }
.diff { font-size: 13px; } .d-better { color: var(--met); font-weight: 600; }
.d-worse { color: var(--missed); font-weight: 600; } .d-same { color: var(--muted); }
.table-wrap { overflow-x: auto; }
ul.plain { padding-left: 18px; }
@media (max-width: 900px) { .columns { grid-template-columns: 1fr; } }
"""

INDEX = """<!DOCTYPE html>
<html lang="en"><head>{%metas%}<title>{%title%}</title>{%favicon%}{%css%}
<style>STYLE</style></head>
<body>{%app_entry%}<footer>{%config%}{%scripts%}{%renderer%}</footer></body></html>
""".replace("STYLE", STYLE)
