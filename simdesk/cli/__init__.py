"""Step 9 of the flow: the ``simdesk`` command, a thin shell over the library.

Input errors (:class:`SimdeskError`) become ``Error: ...`` lines on stderr and exit
status 2; ``--debug`` shows the traceback instead. Each command group lives in a module
of its own; :mod:`simdesk.cli.common` holds the boundary they share."""

from __future__ import annotations

import sys

import click

from simdesk import __version__
from simdesk.cli.diff import diff
from simdesk.cli.fit import export, fit
from simdesk.cli.forecast import forecast
from simdesk.cli.plan import plan
from simdesk.cli.report import report
from simdesk.cli.run import check, compare, run, validate
from simdesk.cli.staff import erlang, staff
from simdesk.cli.studio import studio
from simdesk.cli.sweep import sweep


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="simdesk")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of short error messages.")
def main(debug: bool) -> None:
    """simdesk: simulate a help desk and see the SLA you will hit, with confidence intervals."""


for _command in (validate, run, compare, diff, sweep, report, check, erlang, staff, fit,
                 export, forecast, plan, studio):
    main.add_command(_command)


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

    from simdesk.cli.common import install_signal_handlers, interrupt_status, interrupted

    try:
        install_signal_handlers()
        main.main(standalone_mode=True)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, int | None):
            print(exc.code, file=sys.stderr)
    except KeyboardInterrupt:  # before or after a command's own handling
        print("Interrupted.", file=sys.stderr)
        code = interrupt_status()
    if interrupted() and code in (0, 1):
        code = interrupt_status()
    if threading.active_count() > 1:
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            code = code or 1
    os._exit(code)


__all__ = ["console_main", "main"]
