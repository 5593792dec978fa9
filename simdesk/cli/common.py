"""The boundary every command shares: error reporting, consoles, progress, the shared
options and the parsing of option values."""


import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from simdesk.errors import ScenarioError, SimdeskError

F = TypeVar("F", bound=Callable[..., Any])
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
"""128 + SIGINT (Ctrl-C)."""
EXIT_TERMINATED = 143
"""128 + SIGTERM."""
GRACE_SECONDS = 1.5
"""After a signal, the time cleanup may take before the process exits regardless."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be, so the same cleanup runs."""


class _Signals:
    received: int | None = None


def interrupt_status() -> int:
    """The exit status after an interrupt: 143 for SIGTERM, else 130."""
    return EXIT_TERMINATED if _Signals.received == signal.SIGTERM else EXIT_INTERRUPTED


def interrupted() -> bool:
    return _Signals.received is not None


def _stop_children() -> None:
    """Terminate the worker processes this process started (they would finish points
    nobody waits for)."""
    import multiprocessing

    for child in multiprocessing.active_children():
        with suppress(OSError, ValueError, AttributeError):
            child.kill()


def _exit_now() -> None:
    _stop_children()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            stream.flush()
    os._exit(interrupt_status())


def _on_signal(number: int, frame: object) -> None:
    """SIGINT or SIGTERM: stop the workers and unwind once (finished work is kept);
    a second signal, or cleanup beyond :data:`GRACE_SECONDS`, exits at once."""
    if _Signals.received is not None:
        _exit_now()
    _Signals.received = number
    _stop_children()
    timer = threading.Timer(GRACE_SECONDS, _exit_now)
    timer.daemon = True
    timer.start()
    raise Terminated() if number == signal.SIGTERM else KeyboardInterrupt()


def install_signal_handlers() -> None:
    """For the ``simdesk`` process: SIGINT and SIGTERM unwind as :func:`_on_signal`
    says, and every worker process forked from now on ignores Ctrl-C (the parent stops
    it), dies with its parent, and cannot be signalled between the fork and that setup
    (see :mod:`simdesk.experiments.sweeps.workers`)."""
    from simdesk.experiments.sweeps.workers import guard_forks

    if threading.current_thread() is not threading.main_thread():
        return
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    guard_forks()


def err_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def out_console() -> Console:
    """Standard output; wide when redirected, so tables are not wrapped in files."""
    console = Console(highlight=False, soft_wrap=True)
    return console if console.is_terminal else Console(highlight=False, soft_wrap=True,
                                                       width=160)


@contextmanager
def progress_bar(console: Console, label: str, quiet: bool) -> Iterator[Callable[[int, int], None]]:
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
            result = command(*args, **kwargs)
        except KeyboardInterrupt as exc:
            if isinstance(exc, Terminated):
                _Signals.received = signal.SIGTERM
            err_console().print("Interrupted." if not isinstance(exc, Terminated)
                                else "Terminated.")
            sys.exit(interrupt_status())
        except Exception as exc:
            if interrupted():  # an error the interrupt caused (a worker stopped)
                err_console().print("Interrupted.")
                sys.exit(interrupt_status())
            if not isinstance(exc, SimdeskError):
                raise
            if context.find_root().params.get("debug"):
                raise
            lines = (
                [str(p) for p in exc.problems] if isinstance(exc, ScenarioError) else [str(exc)]
            )
            console = err_console()
            for line in lines:  # the text is the user's: never read as markup
                console.print(f"[red]Error:[/] {escape(line)}", markup=True, highlight=False)
            if isinstance(exc, ScenarioError) and len(lines) > 1:
                console.print(f"{len(lines)} problems found.")
            sys.exit(EXIT_BAD_INPUT)
        if interrupted():  # never 0 after an interrupt, whatever the command did
            sys.exit(interrupt_status())
        return result

    return wrapper  # type: ignore[return-value]


def _allow(context: click.Context, parameter: click.Parameter, value: bool) -> None:
    if value:
        from simdesk.policies.custom import allow_code

        allow_code()  # also for the worker processes this command starts


allow_code_option = click.option(
    "--allow-code", is_flag=True, expose_value=False, is_eager=True, callback=_allow,
    help="Let the scenario name your own policy classes (module:Class); a scenario runs "
         "no code without it (see docs/policies.md).")


def _max_tickets(context: click.Context, parameter: click.Parameter, value: int | None
                 ) -> None:
    from simdesk.plan.budget import MAX_TICKETS, limits

    limits().max_tickets = MAX_TICKETS if value is None else value


def _no_limits(context: click.Context, parameter: click.Parameter, value: bool) -> None:
    from simdesk.plan.budget import limits

    limits().enforced = not value


def limits_options(command: F) -> F:
    """--max-tickets and --no-limits: the budget of work a command accepts (see
    docs/scenario.md, Limits)."""
    command = click.option(
        "--no-limits", is_flag=True, expose_value=False, callback=_no_limits,
        help="Run whatever the work (horizon, agents, expected tickets); you may run out "
             "of memory or time.")(command)
    return click.option(
        "--max-tickets", type=click.IntRange(1), default=None, expose_value=False,
        callback=_max_tickets, metavar="N",
        help="Accept up to N expected tickets over all replications (default 10 million); "
             "a bigger run is refused before it starts, with the estimate.")(command)


REPORT_HELP = ("Also write an HTML report with charts to the results folder (report.html; "
                "see simdesk report).")


def write_report_to(folder: Path, console: Console, out: Path | None = None) -> None:
    """Write the HTML report of ``folder`` and say where it went."""
    import time

    from simdesk.report import write_report

    started = time.perf_counter()
    written = write_report(folder, out)
    size = written.stat().st_size / 1e6
    console.print(f"Report written to {written} ({size:.1f} MB, "
                  f"{time.perf_counter() - started:.1f} s)")



def results_options(command: F) -> F:
    """--overwrite, --workers, --quiet and --report, as ``run`` and ``compare`` take them."""
    for option in reversed([
        click.option("--overwrite", is_flag=True, help="Replace results already in --out."),
        click.option("--workers", "-w", type=click.IntRange(0), default=0, show_default=True,
                     help="Processes running replications side by side (0: one per core "
                          "when the run is big enough to gain). Results do not depend on it."),
        click.option("--quiet", "-q", is_flag=True, help="Print only where the results went."),
        click.option("--report", "with_report", is_flag=True, help=REPORT_HELP),
    ]):
        command = option(command)
    return command



def replication_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise SimdeskError(f"--replications: {text!r} is not a number or 'auto'") from None
    if value < 2:
        raise SimdeskError("--replications: at least 2 for a confidence interval")
    return value


def precision_option(text: str) -> float:
    from simdesk.scenario.units import parse_percent

    try:
        value = parse_percent(text)
    except ValueError as exc:
        raise SimdeskError(f"--precision: {exc}") from None
    if not 0 < value < 1:
        raise SimdeskError(f"--precision: {text} is not above 0% and below 100%; write e.g. 1%")
    return value



def unit_option(parse: Callable[[object], float], name: str
                ) -> Callable[[str | None], float | None]:
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
