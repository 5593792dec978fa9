"""Start ``simdesk studio`` in a subprocess for a test or the benchmark, and stop it.

The server is started as a user would (``simdesk studio TARGET --no-browser --port 0``);
the URL is read from its first line. Leaving the ``with`` block sends SIGTERM and waits
for the process (the studio removes its scratch folder then); it is killed if it does not
stop in time, so no process is left behind.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

START_TIMEOUT = 30.0


@dataclass
class StudioProcess:
    url: str
    process: subprocess.Popen[str]
    started: float
    """``time.monotonic()`` just before the process was started."""
    output: list[str] = field(default_factory=list)


def _lines(stream: object, into: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        into.put(line)


@contextmanager
def studio_process(target: Path, *extra: str) -> Iterator[StudioProcess]:
    """The studio of ``target`` running on a free port until the block ends."""
    command = [sys.executable, "-c", "from simdesk.cli import console_main; console_main()",
               "studio", str(target), "--no-browser", "--port", "0", *extra]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
    output: list[str] = []
    try:
        url = ""
        deadline = time.monotonic() + START_TIMEOUT
        while not url:
            try:
                line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError(f"the studio did not start: {''.join(output)}") from None
            output.append(line)
            if "http://127.0.0.1:" in line:
                url = line.split(" on ", 1)[1].split()[0]
        running = StudioProcess(url, process, started, output)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)
        while not lines.empty():
            output.append(lines.get())
