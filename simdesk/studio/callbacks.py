"""What the page does when the user acts: each callback is a few lines over the
studio's modules (validation, the form, the text edits, the jobs, the views).

The YAML text is the one source of truth. The form is drawn from it; a form field
changes only its own scalar in the text (:mod:`simdesk.studio.textedit`), so comments
and layout stay. Plans are kept in the page as ``{"file", "names", "texts"}``; the first
is today's scenario, the baseline.
"""

from __future__ import annotations

import base64
from typing import Any

from dash import ALL, Dash, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from simdesk.errors import SimdeskError
from simdesk.studio import layout
from simdesk.studio.checking import check_text
from simdesk.studio.form import field_value, form_groups, path_of
from simdesk.studio.jobs import Job
from simdesk.studio.state import BASELINE, Studio
from simdesk.studio.textedit import set_value, value_at

Plans = dict[str, Any]


def sent(content: bytes, filename: str) -> dict[str, Any]:
    """What ``dcc.Download`` saves as ``filename``."""
    return {"content": base64.b64encode(content).decode("ascii"), "filename": filename,
            "base64": True}


def _fresh(file: str, text: str) -> Plans:
    return {"file": file, "names": [BASELINE], "texts": {BASELINE: text}}


def register(app: Dash, studio: Studio) -> None:
    """Attach every callback of the page to ``app``."""

    def checked(text: str, file: str) -> Any:
        return check_text(text, file, studio.workspace.path(file).parent,
                          allow_code=studio.allow_code)

    @app.callback(
        Output("yaml", "value"), Output("variants", "data"), Output("variant", "options"),
        Output("variant", "value"), Output("variant-name", "value"),
        Output("notice", "children", allow_duplicate=True),
        Input("file", "value"), Input("variant", "value"), Input("add-variant", "n_clicks"),
        Input("remove-variant", "n_clicks"), Input("yaml", "value"),
        State("variant-name", "value"), State("variants", "data"),
        prevent_initial_call=True)
    def plans(file: str, variant: str, _add: int, _remove: int, text: str, name: str | None,
              data: Plans) -> tuple[Any, ...]:
        trigger = ctx.triggered_id
        if trigger == "file":
            try:
                loaded = studio.workspace.read(file)
            except SimdeskError as exc:
                return (no_update,) * 5 + (str(exc),)
            data = _fresh(file, loaded)
            return loaded, data, data["names"], BASELINE, "", f"Opened {file}."
        if trigger == "variant":
            return data["texts"].get(variant, ""), no_update, no_update, no_update, \
                no_update, no_update
        if trigger == "add-variant":
            wanted = (name or "").strip() or f"plan {len(data['names'])}"
            if wanted in data["names"]:
                return (no_update,) * 5 + (f"A plan named {wanted!r} exists already.",)
            data["names"].append(wanted)
            data["texts"][wanted] = text
            return no_update, data, data["names"], wanted, "", (
                f"Added plan {wanted!r}: a copy of {variant!r}; change it, then run all "
                "plans.")
        if trigger == "remove-variant":
            if variant == BASELINE:
                return (no_update,) * 5 + ("Today's plan is the baseline: it stays.",)
            data["names"].remove(variant)
            data["texts"].pop(variant, None)
            return data["texts"][BASELINE], data, data["names"], BASELINE, "", (
                f"Removed plan {variant!r}.")
        if trigger == "yaml":
            data["texts"][variant] = text
            return no_update, data, no_update, no_update, no_update, no_update
        raise PreventUpdate

    @app.callback(
        Output("yaml", "value", allow_duplicate=True),
        Output("form-model", "data", allow_duplicate=True),
        Input({"type": "field", "path": ALL}, "value"),
        State("yaml", "value"), State("file", "value"),
        prevent_initial_call=True)
    def field_changed(values: list[Any], text: str, file: str) -> tuple[Any, Any]:
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not ctx.triggered:
            raise PreventUpdate
        entered = ctx.triggered[0]["value"]
        path = path_of(str(trigger["path"]))
        try:
            current = checked(text, file)
        except SimdeskError:
            raise PreventUpdate from None
        fields = {f.path: f for g in form_groups(current.data) for f in g.fields}
        field = fields.get(path)
        value = field_value(field, entered) if field is not None else None
        try:
            if value is None or value_at(text, path) == value:
                raise PreventUpdate
            changed = set_value(text, path, value)
        except SimdeskError:
            raise PreventUpdate from None
        return changed, layout.model_key(checked(changed, file))

    @app.callback(
        Output("problems", "children"), Output("form", "children"),
        Output("form-model", "data"),
        Input("yaml", "value"), State("form-model", "data"), State("file", "value"),
        prevent_initial_call=True)
    def text_changed(text: str, model: str, file: str) -> tuple[Any, Any, Any]:
        found = checked(text or "", file)
        key = layout.model_key(found)
        if key == model:
            return layout.problems(found), no_update, no_update
        return layout.problems(found), layout.form(found), key

    @app.callback(
        Output("notice", "children", allow_duplicate=True), Output("file", "options"),
        Input("save", "n_clicks"), Input("save-as", "n_clicks"),
        State("file", "value"), State("save-name", "value"), State("yaml", "value"),
        State("variant", "value"),
        prevent_initial_call=True)
    def save(_save: int, _save_as: int, file: str, name: str | None, text: str,
             variant: str) -> tuple[str, Any]:
        target = file if ctx.triggered_id == "save" else (name or "").strip()
        found = checked(text, file)
        if not found.valid:
            return (f"Not saved: the scenario has {len(found.problems)} problem(s); fix them "
                    "first."), no_update
        try:
            path = studio.workspace.write(target, text)
        except SimdeskError as exc:
            return f"Not saved: {exc}", no_update
        return (f"Saved plan {variant!r} to {path} (only the values you changed differ; "
                "comments kept)."), studio.workspace.files()

    @app.callback(
        Output("job", "data"), Output("tick", "disabled"),
        Output("notice", "children", allow_duplicate=True),
        Output("job-message", "children", allow_duplicate=True),
        Input("run", "n_clicks"), Input("run-plans", "n_clicks"),
        Input("run-staff", "n_clicks"),
        State("variants", "data"), State("variant", "value"), State("yaml", "value"),
        State("seed", "value"), State("replications", "value"), State("suggest", "value"),
        prevent_initial_call=True)
    def start(_run: int, _plans: int, _staff: int, data: Plans, variant: str, text: str,
              seed: int | None, replications: int | None, suggest: list[str] | None
              ) -> tuple[Any, Any, Any, Any]:
        file = str(data["file"])
        data["texts"][variant] = text  # the editor as it is now
        settings = studio.settings(file)
        seed = int(seed) if seed is not None else 1
        count = int(replications) if replications else 10
        from simdesk.studio import views  # the report's figures and the engine: on first use
        from simdesk.studio.work import Variant, run_plans, run_staffing, run_variant

        chosen = Variant(variant, data["texts"][variant])

        if ctx.triggered_id == "run":
            def work(job: Job) -> Any:
                outcome = run_variant(job, chosen, settings, seed, count,
                                      suggest=bool(suggest))
                studio.remember(file, variant, outcome.folder)
                job.step = "drawing the results"
                return views.run_view(outcome, job.elapsed)
            kind, label = "run", f"the run of {variant!r}"
        elif ctx.triggered_id == "run-plans":
            every = [Variant(n, data["texts"][n]) for n in data["names"]]

            def work(job: Job) -> Any:
                outcome = run_plans(job, every, settings, seed, count)
                for name_, folder in outcome.folders.items():
                    studio.remember(file, name_, folder)
                return views.plans_view(outcome, job.elapsed)
            kind, label = "plans", f"the {len(every)} plans"
        else:
            def work(job: Job) -> Any:
                return views.staff_view(run_staffing(job, chosen, settings, seed, count),
                                        job.elapsed)
            kind, label = "staff", f"staffing {variant!r}"
        try:
            job = studio.jobs.start(kind, label, work)
        except SimdeskError as exc:
            return no_update, no_update, str(exc), no_update
        return job.id, False, f"Started {label}.", ""

    @app.callback(
        Output("notice", "children", allow_duplicate=True),
        Input("cancel", "n_clicks"), State("job", "data"), prevent_initial_call=True)
    def cancel(_clicks: int, job_id: int | None) -> str:
        running = studio.jobs.current()  # also one started before the page was reloaded
        if studio.jobs.cancel(job_id) or (running is not None and
                                          studio.jobs.cancel(running.id)):
            return "Cancelling: the run stops after its current replication."
        return "Nothing is running."

    @app.callback(
        Output("progress-bar", "style"), Output("progress-label", "children"),
        Output("job-message", "children"), Output("job-message", "className"),
        Output("run-results", "children"), Output("plans-results", "children"),
        Output("staff-results", "children"), Output("tick", "disabled", allow_duplicate=True),
        Input("tick", "n_intervals"), State("job", "data"), prevent_initial_call=True)
    def tick(_n: int, job_id: int | None) -> tuple[Any, ...]:
        job = studio.jobs.get(job_id)
        if job is None:
            return ({"width": "0%"}, "", "", "job-message", no_update, no_update, no_update,
                    True)
        share = job.done / job.total if job.total else 0.0
        if job.running:
            what = f"{job.label}: {job.done} of {job.total} replications" if job.total else (
                f"{job.label}: simulation {job.done}")
            step = f" ({job.step})" if job.step else ""
            width = f"{share * 100:.0f}%" if job.total else "30%"
            return ({"width": width}, what + step, "", "job-message", no_update, no_update,
                    no_update, False)
        outputs: list[Any] = [no_update, no_update, no_update]
        message: Any = ""
        css = "job-message"
        if job.status == "done":  # the work drew its own results: this answer stays quick
            outputs[{"run": 0, "plans": 1, "staff": 2}[job.kind]] = job.result
            anchor = {"run": "#results", "plans": "#plans", "staff": "#staffing"}[job.kind]
            message = [f"Job {job.id}: finished {job.label} in {job.seconds:.1f} s. ",
                       html.A("Show ↓", href=anchor)]
        elif job.status == "failed":
            message, css = (f"Job {job.id}: {job.label} failed:\n{job.message}",
                            "job-message job-failed")
        else:
            message, css = (f"Job {job.id}: {job.label} {job.message}.",
                            "job-message job-cancelled")
        width = "100%" if job.status == "done" else f"{share * 100:.0f}%"
        return ({"width": width}, "", message, css, *outputs, True)

    @app.callback(
        Output("download", "data"), Output("notice", "children", allow_duplicate=True),
        Input("download-yaml", "n_clicks"), Input("download-report", "n_clicks"),
        State("variants", "data"), State("variant", "value"), prevent_initial_call=True)
    def download(_yaml: int, _report: int, data: Plans, variant: str) -> tuple[Any, Any]:
        from simdesk.report import write_report
        from simdesk.store.results import slug

        file = str(data["file"])
        stem = slug(f"{file.rsplit('.', 1)[0]}-{variant}")
        if ctx.triggered_id == "download-yaml":
            return sent(data["texts"][variant].encode("utf-8"), f"{stem}.yaml"), no_update
        folder = studio.results_of(file, variant)
        if folder is None:
            return no_update, f"Run plan {variant!r} first: its report is of its last run."
        try:
            written = write_report(folder)
        except SimdeskError as exc:
            return no_update, f"No report: {exc}"
        return sent(written.read_bytes(), f"{stem}-report.html"), no_update
