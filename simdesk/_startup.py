"""As the ``simdesk`` command, Ctrl-C or SIGTERM while the modules load exits at once with
130/143 and no traceback (nothing has started yet). Imported first by the package; the
command's own handlers replace these (:func:`simdesk.cli.common.install_signal_handlers`).
A program that imports simdesk keeps its own handlers."""

import os
import signal
import sys
from pathlib import Path


def _exit(number: int, frame: object) -> None:
    os._exit(128 + number)


if sys.argv and Path(sys.argv[0]).name in ("simdesk", "simdesk.exe"):
    for _number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(_number, _exit)
