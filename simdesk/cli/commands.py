"""The ``simdesk`` command: a thin shell over the library.

Input errors (:class:`SimdeskError`) become ``Error: ...`` lines on stderr and exit
status 2; ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from simdesk import __version__
from simdesk.errors import ScenarioError, SimdeskError

F = TypeVar("F", bound=Callable[..., Any])
EXIT_BAD_INPUT = 2


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _stdout() -> Console:
    """Standard output; wide when redirected, so tables are not wrapped in files."""
    console = Console(highlight=False, soft_wrap=True)
    return console if console.is_terminal else Console(highlight=False, soft_wrap=True,
                                                       width=160)


@contextmanager
def _progress(console: Console, label: str, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on a terminal (none when quiet or redirected); yields the hook that
    advances it. No refresh thread: replications may run in forked worker processes."""
    from rich.progress import Progress

    shown = console.is_terminal and not quiet
    with Progress(console=console, transient=True, disable=not shown,
                  auto_refresh=False) as progress:
        task = progress.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, refresh=True)

        yield advance


def reports_errors(command: F) -> F:
    """Turn :class:`SimdeskError` into a clear message and exit status 2."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        context = click.get_current_context()
        try:
            return command(*args, **kwargs)
        except KeyboardInterrupt:
            _stderr().print("Interrupted.")
            sys.exit(130)
        except SimdeskError as exc:
            if context.find_root().params.get("debug"):
                raise
            lines = (
                [str(p) for p in exc.problems] if isinstance(exc, ScenarioError) else [str(exc)]
            )
            console = _stderr()
            for line in lines:
                console.print(f"[red]Error:[/] {line}", markup=True, highlight=False)
            if isinstance(exc, ScenarioError) and len(lines) > 1:
                console.print(f"{len(lines)} problems found.")
            sys.exit(EXIT_BAD_INPUT)

    return wrapper  # type: ignore[return-value]


def _allow(context: click.Context, parameter: click.Parameter, value: bool) -> None:
    if value:
        from simdesk.policies.custom import allow_code

        allow_code()  # also for the worker processes this command starts


allow_code_option = click.option(
    "--allow-code", is_flag=True, expose_value=False, is_eager=True, callback=_allow,
    help="Let the scenario name your own policy classes (module:Class); a scenario runs "
         "no code without it (see docs/policies.md).")


_REPORT_HELP = ("Also write an HTML report with charts to the results folder (report.html; "
                "see simdesk report).")


def _write_report(folder: Path, console: Console, out: Path | None = None) -> None:
    """Write the HTML report of ``folder`` and say where it went."""
    import time

    from simdesk.report import write_report

    started = time.perf_counter()
    written = write_report(folder, out)
    size = written.stat().st_size / 1e6
    console.print(f"Report written to {written} ({size:.1f} MB, "
                  f"{time.perf_counter() - started:.1f} s)")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="simdesk")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of short error messages.")
def main(debug: bool) -> None:
    """simdesk: simulate a help desk and see the SLA you will hit, with confidence intervals."""


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@allow_code_option
@reports_errors
def validate(scenario: Path) -> None:
    """Check SCENARIO and report every problem at once (exit 2 if any)."""
    from simdesk.console.run import describe_plan, print_notices
    from simdesk.plan.diagnostics import diagnose
    from simdesk.plan.model import compile_plan
    from simdesk.policies import make_policy
    from simdesk.scenario.load import load_scenario

    loaded = load_scenario(scenario)
    plan = compile_plan(loaded)
    for routing in (loaded.routing, *loaded.policies.values()):
        make_policy(routing)  # imports your own policy classes: a missing one is an error
    console = _stdout()
    console.print(f"[green]✓[/] {scenario} is valid: {loaded.name} — {describe_plan(plan)}")
    print_notices(_stderr(), diagnose(plan))


def _results_options(command: F) -> F:
    """--overwrite, --workers, --quiet and --report, as ``run`` and ``compare`` take them."""
    for option in reversed([
        click.option("--overwrite", is_flag=True, help="Replace results already in --out."),
        click.option("--workers", "-w", type=click.IntRange(0), default=0, show_default=True,
                     help="Processes running replications side by side (0: one per core "
                          "when the run is big enough to gain). Results do not depend on it."),
        click.option("--quiet", "-q", is_flag=True, help="Print only where the results went."),
        click.option("--report", "with_report", is_flag=True, help=_REPORT_HELP),
    ]):
        command = option(command)
    return command


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None,
              help="Root random seed (default: the scenario's seed, else a fresh one).")
@click.option("--replications", "-r", type=click.IntRange(1), default=None,
              help="Independent replications (default: the scenario's, else 10).")
@click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Results folder (default: results/<scenario>-<timestamp>/).")
@_results_options
@allow_code_option
@reports_errors
def run(scenario: Path, seed: int | None, replications: int | None, out: Path | None,
        overwrite: bool, workers: int, quiet: bool, with_report: bool) -> None:
    """Simulate SCENARIO, print a summary and write results to a folder."""
    from simdesk.console.run import print_notices, print_result
    from simdesk.plan.diagnostics import diagnose
    from simdesk.plan.model import compile_plan
    from simdesk.scenario.load import load_scenario
    from simdesk.simulation import auto_workers, simulate
    from simdesk.store.results import check_results_folder, default_results_dir, write_results

    loaded = load_scenario(scenario)
    plan = compile_plan(loaded)
    errors = _stderr()
    if not quiet:
        print_notices(errors, diagnose(plan))
    folder = out or default_results_dir(loaded.name)
    check_results_folder(folder, overwrite=overwrite)  # before the work, not after
    with _progress(errors, "Simulating replications", quiet) as advance:
        result = simulate(loaded, seed=seed, replications=replications,
                          workers=workers or auto_workers(plan, replications or
                                                          loaded.replications),
                          progress=advance)
    written = write_results(result, folder, overwrite=overwrite)
    console = _stdout()
    if not quiet:
        print_result(console, result)
    console.print(f"Results written to {written}/")
    if with_report:
        _write_report(written, console)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--policies", "-p", required=True, metavar="NAME,NAME,...",
              help="Routing policies to compare, comma-separated; the first is the baseline. "
                   "Each is a key of the scenario's policies:, its own routing policy, a "
                   "built-in (fifo, cherry-pick, paid-first, ...) or package.module:Class.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None,
              help="Root random seed, the same for every policy (default: the scenario's "
                   "seed, else a fresh one).")
@click.option("--replications", "-r", type=click.IntRange(1), default=None,
              help="Replications per policy (default: the scenario's, else 10); at least 2 "
                   "for confidence intervals.")
@click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Results folder (default: results/<scenario>-compare-<timestamp>/).")
@_results_options
@allow_code_option
@reports_errors
def compare(scenario: Path, policies: str, seed: int | None, replications: int | None,
            out: Path | None, overwrite: bool, workers: int, quiet: bool,
            with_report: bool) -> None:
    """Run SCENARIO under several routing policies on the same tickets and show the
    paired differences to the first, with 95 % confidence intervals."""

    from simdesk.console.compare import print_comparison
    from simdesk.console.run import print_notices
    from simdesk.experiments.compare import compare as compare_policies
    from simdesk.experiments.compare import resolve_policies, split_policy_names
    from simdesk.plan.diagnostics import diagnose
    from simdesk.plan.model import compile_plan
    from simdesk.scenario.load import load_scenario
    from simdesk.simulation import auto_workers
    from simdesk.store.results import check_results_folder, default_comparison_dir, write_comparison

    loaded = load_scenario(scenario)
    names = split_policy_names(policies)
    resolve_policies(loaded, names)  # bad names fail before any work
    plan = compile_plan(loaded)
    errors = _stderr()
    if not quiet:
        print_notices(errors, diagnose(plan))
    folder = out or default_comparison_dir(loaded.name)
    check_results_folder(folder, overwrite=overwrite)  # before the work, not after
    with _progress(errors, f"Simulating {len(names)} policies", quiet) as advance:
        comparison = compare_policies(
            loaded, names, seed=seed, replications=replications,
            workers=workers or auto_workers(plan, replications or loaded.replications),
            progress=advance)
    written = write_comparison(comparison, folder, overwrite=overwrite)
    console = _stdout()
    if not quiet:
        print_comparison(console, comparison)
    console.print(f"Results written to {written}/")
    if with_report:
        _write_report(written, console)


@main.command()
@click.argument("sweep_file", metavar="SWEEP", type=click.Path(path_type=Path))
@click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Results folder (default: results/<sweep>-sweep-<timestamp>/). Running "
                   "again into the same folder resumes: finished points are kept.")
@click.option("--resume", is_flag=True,
              help="Finish the sweep in --out, and refuse if --out holds none (running "
                   "into the same --out without it resumes too).")
@click.option("--workers", "-w", type=click.IntRange(0), default=0, show_default=True,
              help="Local processes running points side by side (0: one per core; 1: in "
                   "this process); with --dask local, the cluster's workers. Results do "
                   "not depend on it.")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS|local",
              help="Run the points on a dask.distributed cluster: a scheduler address "
                   "(tcp://host:8786) or 'local' to start a LocalCluster here.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None,
              help="Root random seed, the same for every point (default: the sweep file's, "
                   "else the one recorded in --out, else a fresh one).")
@click.option("--replications", "-r", default=None, metavar="N|auto",
              help="Replications per point (overrides the sweep file); 'auto' runs them "
                   "until the main metric is precise enough.")
@click.option("--precision", default=None, metavar="PERCENT",
              help="With --replications auto: the main metric's 95 % half-width as a share "
                   "of its mean, e.g. 1%.")
@click.option("--keep-tickets", is_flag=True,
              help="Also keep every point's per-ticket table (large).")
@click.option("--quiet", "-q", is_flag=True, help="Print only where the results went.")
@click.option("--report", "with_report", is_flag=True,
              help="Also write an HTML report with charts of the finished points to the "
                   "results folder (report.html; see simdesk report).")
@allow_code_option
@reports_errors
def sweep(sweep_file: Path, out: Path | None, resume: bool, workers: int,
          dask_address: str | None, seed: int | None, replications: str | None,
          precision: str | None, keep_tickets: bool, quiet: bool, with_report: bool) -> None:
    """Run SWEEP: a base scenario with parameters varied by key path, point by point.

    Every point runs on the same random numbers (replication r of every point uses the
    same seed). Each point is written as soon as it finishes; running again into the
    same --out skips the finished points and retries the failed ones. Exit 1 when a
    point failed, 130 when interrupted, 2 for bad input. See docs/sweeps.md."""
    from simdesk.console.sweep import print_sweep, sweep_progress
    from simdesk.experiments import Dask, InProcess, LocalProcesses, load_sweep, run_sweep
    from simdesk.experiments.sweeps.runner import check_sweep_folder
    from simdesk.store.results import default_results_dir, slug

    loaded = load_sweep(sweep_file)
    updates: dict[str, object] = {}
    if seed is not None:
        updates["seed"] = seed
    if replications is not None:
        updates["replications"] = replications if replications == "auto" else _count(
            replications)
    if precision is not None:
        updates["precision"] = _percent(precision)
    if keep_tickets:
        updates["keep_tickets"] = True
    if updates:
        spec = type(loaded.spec).model_validate(loaded.spec.model_dump() | updates)
        loaded = type(loaded)(spec, loaded.file, loaded.base, loaded.base_file)
    if precision is not None and loaded.spec.replications != "auto":
        raise SimdeskError("--precision applies to --replications auto (or replications: "
                           "auto in the sweep file)")
    if resume and out is None:
        raise SimdeskError("--resume needs the --out folder of the sweep to finish")
    folder = out or default_results_dir(f"{slug(loaded.name)}-sweep")
    loaded, _ = check_sweep_folder(loaded, folder, resume=resume)  # before any work
    if dask_address is not None:
        executor: Any = Dask(dask_address, workers or None)
    elif workers == 1:
        executor = InProcess()
    else:
        executor = LocalProcesses(workers or None)
    errors = _stderr()
    with sweep_progress(errors, executor.name, quiet) as advance:
        outcome = run_sweep(loaded, folder, executor, progress=advance, resume=resume)
    console = _stdout()
    if not quiet:
        print_sweep(console, loaded, outcome)
    failed = f", {len(outcome.failures)} failed" if outcome.failures else ""
    skipped = f", {outcome.skipped} skipped (finished before)" if outcome.skipped else ""
    console.print(f"{outcome.ran} point(s) run{failed}{skipped}; results in "
                  f"{outcome.folder}/")
    if with_report and not outcome.interrupted and not outcome.summary.empty:
        _write_report(outcome.folder, console)
    if outcome.interrupted:
        errors.print(f"Interrupted: the finished points are kept in {outcome.folder}/; run "
                     "the same command again to finish the others.")
        sys.exit(130)
    if outcome.failures:
        errors.print(f"[red]Error:[/] {len(outcome.failures)} point(s) failed:")
        for record in outcome.failures:
            values = ", ".join(f"{k}={v}" for k, v in record.get("values", {}).items())
            errors.print(f"  {record['key']} ({values}): {record['error']}", markup=False)
        errors.print(f"Details in {outcome.folder}/failures/; running the same command "
                     "again retries only these points.")
        sys.exit(1)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise SimdeskError(f"--replications: {text!r} is not a number or 'auto'") from None
    if value < 2:
        raise SimdeskError("--replications: at least 2 for a confidence interval")
    return value


def _percent(text: str) -> float:
    from simdesk.scenario.units import parse_percent

    try:
        value = parse_percent(text)
    except ValueError as exc:
        raise SimdeskError(f"--precision: {exc}") from None
    if not 0 < value < 1:
        raise SimdeskError(f"--precision: {text} is not above 0% and below 100%; write e.g. 1%")
    return value


@main.command()
@click.argument("results_dir", metavar="RESULTS_DIR", type=click.Path(path_type=Path))
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help="Where to write the report (default: RESULTS_DIR/report.html; a folder "
                   "gets report.html inside).")
@reports_errors
def report(results_dir: Path, out: Path | None) -> None:
    """Write one self-contained HTML report of RESULTS_DIR, a folder written by run,
    compare or sweep: verdicts, assumptions and interactive charts, with plotly.js
    inside, so it opens offline (from a disk or an e-mail attachment). See
    docs/report.md."""
    _write_report(results_dir, _stdout(), out)


EXIT_EXPECTATION_FAILED = 1
NO_EXPECTATIONS = (
    "{file} has no expectations to check; add an expect: list to it, one assertion per "
    "line, e.g.\n"
    "  expect:\n"
    "    - chat.sla >= 80%\n"
    "    - email.p90_wait <= 4h\n"
    "    - tier:L1.utilization <= 85%\n"
    "(see docs/ci.md)"
)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None,
              help="Root random seed (default: the scenario's seed, else a fresh one); fix "
                   "it in CI so that runs are reproducible.")
@click.option("--replications", "-r", type=click.IntRange(1), default=None,
              help="Independent replications (default: the scenario's, else 10); with one "
                   "there is no interval and the mean is judged.")
@click.option("--workers", "-w", type=click.IntRange(0), default=0, show_default=True,
              help="Processes running replications side by side (0: one per core when "
                   "the run is big enough to gain). Results do not depend on it.")
@click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Also write the results to this folder, as run does (default: none).")
@click.option("--overwrite", is_flag=True, help="Replace results already in --out.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a JSON document (every expectation with its metric, bound, value, "
                   "target and pass) instead of the table.")
@click.option("--quiet", "-q", is_flag=True,
              help="Print only the failed expectations and the count met.")
@allow_code_option
@reports_errors
def check(scenario: Path, seed: int | None, replications: int | None, workers: int,
          out: Path | None, overwrite: bool, as_json: bool, quiet: bool) -> None:
    """Simulate SCENARIO (or every point of a SWEEP file) and check the expect: assertions
    against the conservative end of the 95 % CI (exit 0 if all pass, 1 if any fails, 2
    for bad input)."""
    import json

    from simdesk.console.check import print_check
    from simdesk.console.run import print_notices
    from simdesk.plan.diagnostics import diagnose
    from simdesk.plan.model import compile_plan
    from simdesk.scenario.expect import evaluate, report
    from simdesk.scenario.load import load_scenario
    from simdesk.simulation import auto_workers, simulate
    from simdesk.store.results import check_results_folder, write_results

    if _is_sweep(scenario):
        _check_sweep(scenario, seed, replications, workers, out, as_json, quiet)
        return
    loaded = load_scenario(scenario)
    if not loaded.expect:
        raise SimdeskError(NO_EXPECTATIONS.format(file=scenario))
    plan = compile_plan(loaded)
    errors = _stderr()
    if not quiet:
        print_notices(errors, diagnose(plan))
    if out is not None:
        check_results_folder(out, overwrite=overwrite)  # before the work, not after
    with _progress(errors, "Simulating replications", quiet) as advance:
        result = simulate(loaded, seed=seed, replications=replications,
                          workers=workers or auto_workers(plan, replications or
                                                          loaded.replications),
                          progress=advance)
    verdicts = evaluate(result, loaded.expect)
    written = None if out is None else write_results(result, out, overwrite=overwrite)
    if as_json:
        document = report(verdicts, scenario=str(scenario), name=loaded.name,
                          seed=result.seed, replications=result.replications,
                          results=None if written is None else str(written))
        click.echo(json.dumps(document, indent=2, allow_nan=False))
    else:
        console = _stdout()
        print_check(console, result, verdicts, quiet)
        if written is not None:
            console.print(f"Results written to {written}/")
    if not all(v.passed for v in verdicts):
        sys.exit(EXIT_EXPECTATION_FAILED)


def _is_sweep(path: Path) -> bool:
    """A sweep file names a base ``scenario:`` and its ``parameters:``."""
    from simdesk.scenario.yamlsource import load_yaml_file

    data, _ = load_yaml_file(path)
    return isinstance(data, dict) and "parameters" in data and "scenario" in data


def _check_sweep(path: Path, seed: int | None, replications: int | None, workers: int,
                 out: Path | None, as_json: bool, quiet: bool) -> None:
    """``check`` on a sweep: every point judged against the sweep's expectations (or its
    base scenario's); exit 1 unless every point meets every one."""
    import json
    import tempfile

    from simdesk.console.check import sweep_check_table
    from simdesk.experiments import InProcess, LocalProcesses, load_sweep, run_sweep
    from simdesk.scenario.expect import evaluate_points

    loaded = load_sweep(path)
    expectations = list(loaded.spec.expect or loaded.base.get("expect") or [])
    if not expectations:
        raise SimdeskError(NO_EXPECTATIONS.format(file=path))
    updates: dict[str, object] = {"expect": expectations}
    if seed is not None:
        updates["seed"] = seed
    if replications is not None:
        updates["replications"] = replications
    spec = type(loaded.spec).model_validate(loaded.spec.model_dump() | updates)
    loaded = type(loaded)(spec, loaded.file, loaded.base, loaded.base_file)
    executor: Any = InProcess() if workers == 1 else LocalProcesses(workers or None)
    with tempfile.TemporaryDirectory(prefix="simdesk-check-") as scratch:
        folder = out or Path(scratch) / "sweep"
        with _progress(_stderr(), f"Sweep on {executor.name}", quiet) as advance:
            outcome = run_sweep(loaded, folder, executor,
                                progress=lambda done, total, failed: advance(done, total))
        verdicts = evaluate_points(outcome.summary, expectations)
    if outcome.interrupted:
        sys.exit(130)
    passed = [p for p in outcome.points if all(v.passed for v in verdicts.get(p.key, []))
              and p.key in verdicts]
    if as_json:
        document = {
            "sweep": str(path), "seed": outcome.seed, "expectations": expectations,
            "points": [{"index": p.index, "key": p.key,
                        "values": {k: str(v) for k, v in p.assignments},
                        "passed": p in passed,
                        "verdicts": [v.as_dict() for v in verdicts.get(p.key, [])]}
                       for p in outcome.points],
        }
        click.echo(json.dumps(document, indent=2, allow_nan=False))
    else:
        console = _stdout()
        if not quiet:
            console.print(sweep_check_table(outcome.points, verdicts, expectations))
        console.print(f"{len(passed)} of {len(outcome.points)} points meet every expectation",
                      highlight=False)
    if outcome.failures:
        names = ", ".join(f["key"] for f in outcome.failures)
        _stderr().print(f"[red]Error:[/] {len(outcome.failures)} point(s) failed: {names}")
    if len(passed) < len(outcome.points):
        sys.exit(EXIT_EXPECTATION_FAILED)


def _unit(parse: Callable[[object], float], name: str) -> Callable[[str | None], float | None]:
    """A click callback turning ``30s`` / ``200/h`` / ``80%`` into minutes, per minute, a
    fraction — or a clear error naming the option."""

    def convert(text: str | None) -> float | None:
        if text is None:
            return None
        try:
            return parse(text)
        except ValueError as exc:
            raise SimdeskError(f"{name}: {exc}") from None

    return convert


@main.command()
@click.option("--rate", required=True, metavar="RATE", help="Contacts arriving, e.g. 200/h.")
@click.option("--aht", required=True, metavar="DURATION",
              help="Average handle time, e.g. 3m.")
@click.option("--within", required=True, metavar="DURATION",
              help="Service-level time: answered within, e.g. 20s.")
@click.option("--agents", type=click.IntRange(1), default=None,
              help="Figures for this many agents.")
@click.option("--target", default=None, metavar="PERCENT",
              help="The fewest agents reaching this service level, e.g. 80% (default 80% "
                   "when --agents is not given).")
@click.option("--patience", default=None, metavar="DURATION",
              help="Mean patience of callers (exponential): Erlang A instead of Erlang C.")
@click.option("--table", "as_table", is_flag=True,
              help="Figures for a range of agent counts around the answer.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@reports_errors
def erlang(rate: str, aht: str, within: str, agents: int | None, target: str | None,
           patience: str | None, as_table: bool, as_json: bool) -> None:
    """Erlang C (Erlang A with --patience): service level, ASA, P(wait), occupancy and
    abandonment for a number of agents, or the agents needed for a target."""
    import json
    import math

    from simdesk.console.staffing import figures_table
    from simdesk.scenario.units import parse_duration, parse_percent, parse_rate
    from simdesk.staffing.calculator import agents_needed, figures, table

    per_minute = _unit(parse_rate, "--rate")(rate) or 0.0
    handle = _unit(parse_duration, "--aht")(aht) or 0.0
    answer_within = _unit(parse_duration, "--within")(within) or 0.0
    mean_patience = _unit(parse_duration, "--patience")(patience)
    goal = _unit(parse_percent, "--target")(target)
    if agents is not None and goal is not None:
        raise SimdeskError("give --agents or --target, not both")
    if agents is None:
        answer = agents_needed(per_minute, handle, answer_within, goal or 0.8, mean_patience)
    else:
        answer = figures(per_minute, handle, answer_within, agents, mean_patience)
    rows = [answer]
    if as_table:
        stable = 1 if mean_patience is not None else math.floor(per_minute * handle) + 1
        low = max(1, stable, answer.agents - 4)
        rows = table(per_minute, handle, answer_within, range(low, answer.agents + 6),
                     mean_patience)
    if as_json:
        document: dict[str, Any] = {
            "answer": answer.as_dict(), "target": (goal or 0.8) if agents is None else None}
        if as_table:
            document["table"] = [row.as_dict() for row in rows]
        click.echo(json.dumps(document, indent=2, allow_nan=False))
        return
    console = _stdout()
    console.print(figures_table(rows, highlight=answer.agents))
    if agents is None:
        console.print(f"{answer.agents} agents reach {goal or 0.8:.0%} answered within "
                      f"{within}: service level {answer.service_level:.1%}", highlight=False)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--interval", default="1h", show_default=True, metavar="DURATION",
              help="Staffing interval; it must divide a day (30m, 1h, 2h, ...).")
@click.option("--tiers", default=None, metavar="NAME,NAME",
              help="Tiers to staff (default: those answering customers first).")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), default=None,
              help="Root random seed: the same in every simulation (common random numbers).")
@click.option("--replications", "-r", type=click.IntRange(2), default=10, show_default=True,
              help="Replications per simulation.")
@click.option("--confidence", default="50%", show_default=True, metavar="PERCENT",
              help="50%: an interval meets its target on average; higher: its one-sided "
                   "lower confidence bound must.")
@click.option("--tier-wait", default="1h", show_default=True, metavar="DURATION",
              help="For a staffed tier that answers nobody first: the most its queue may "
                   "make tickets wait on average.")
@click.option("--shifts", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Allowed shift patterns: also find the cheapest roster and verify it.")
@click.option("--out", "-o", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder for staffing.csv and the staffed scenarios (default: "
                   "results/<scenario>-staffing-<timestamp>/).")
@click.option("--workers", "-w", type=click.IntRange(0), default=0, show_default=True,
              help="Processes for the replications of each simulation (0: one per core).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary lines.")
@allow_code_option
@reports_errors
def staff(scenario: Path, interval: str, tiers: str | None, seed: int | None,
          replications: int, confidence: str, tier_wait: str, shifts: Path | None,
          out: Path | None, workers: int, quiet: bool) -> None:
    """Find, per interval of the week and per tier, the fewest agents that meet every
    channel's target by simulation, next to Erlang's answer; optionally the cheapest
    roster of allowed shifts, verified by simulating it."""
    import os

    from simdesk.console.staffing import (
        print_staffing,
        roster_table,
        shortfall_lines,
        staffing_summary,
        verdict_line,
    )
    from simdesk.scenario.load import load_scenario
    from simdesk.scenario.units import parse_duration, parse_percent
    from simdesk.staffing.roster import load_roster_spec
    from simdesk.staffing.search import staff as find_staffing
    from simdesk.staffing.verify import roster_for, write_staffing
    from simdesk.store.results import default_results_dir, slug

    loaded = load_scenario(scenario)
    spec = load_roster_spec(shifts) if shifts is not None else None
    minutes = _unit(parse_duration, "--interval")(interval) or 60.0
    if minutes != int(minutes):
        raise SimdeskError("--interval must be a whole number of minutes")
    errors = _stderr()
    with _progress(errors, "Staffing by simulation", quiet) as advance:
        result = find_staffing(
            loaded, tiers=tiers.split(",") if tiers else None, interval=int(minutes),
            seed=seed, replications=replications,
            confidence=_unit(parse_percent, "--confidence")(confidence) or 0.5,
            tier_wait=_unit(parse_duration, "--tier-wait")(tier_wait) or 60.0,
            workers=workers or os.cpu_count() or 1,
            progress=lambda n, what: advance(n, 0))
    console = _stdout()
    if quiet:
        for line in staffing_summary(result):
            console.print(line, highlight=False)
    else:
        print_staffing(console, result)
    rosters = None
    if spec is not None:
        rosters = roster_for(result, spec)
        for tier, roster in rosters.rosters.items():
            if not quiet:
                console.print(roster_table(tier, roster))
            for line in shortfall_lines(tier, roster, result):
                console.print(line, highlight=False)
        console.print(verdict_line(rosters.missed(result)), highlight=False)
    folder = out or default_results_dir(f"{slug(loaded.name)}-staffing")
    write_staffing(folder, result, rosters)
    console.print(f"Results written to {folder}/")


def console_main() -> None:
    """The ``simdesk`` console script: :func:`main`, then a quick exit.

    Once the command has finished and its atexit handlers have run, nothing is left to
    do but tear down the interpreter's modules and objects, which takes ~0.2 s after a big
    run. When no other thread is alive, the streams are flushed and the process exits
    directly with the command's status; otherwise it exits normally.
    """
    import atexit
    import os
    import threading

    try:
        main.main(standalone_mode=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, int | None):
            print(exc.code, file=sys.stderr)
    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 1
    os._exit(code)


from simdesk.cli.fit import export, fit  # noqa: E402  (the commands live in simdesk.fit)

main.add_command(fit)
main.add_command(export)
