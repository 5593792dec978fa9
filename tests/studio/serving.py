"""Start ``simdesk studio`` in a subprocess for a test or the benchmark, and stop it.

The server is started as a user would (``simdesk studio TARGET --no-browser --port 0``);
its output goes to a file (never a pipe that could fill up and block it), from whose
first line the URL is read. Leaving the ``with`` block sends SIGTERM and waits for the
process (the studio removes its scratch folder then); it is killed if it does not stop in
time, so no process is left behind.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT = 30.0


@dataclass
class StudioProcess:
    url: str
    process: subprocess.Popen[bytes]
    started: float
    """``time.monotonic()`` just before the process was started."""
    log: Path

    @property
    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def studio_process(target: Path, *extra: str) -> Iterator[StudioProcess]:
    """The studio of ``target`` running on a free port until the block ends."""
    command = [sys.executable, "-c", "from simdesk.cli import console_main; console_main()",
               "studio", str(target), "--no-browser", "--port", "0", *extra]
    with tempfile.TemporaryDirectory(prefix="studio-log-") as folder:
        log = Path(folder) / "output.txt"
        with log.open("wb") as sink:
            started = time.monotonic()
            process = subprocess.Popen(
                command, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env={**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"})
        try:
            running = StudioProcess("", process, started, log)
            deadline = time.monotonic() + START_TIMEOUT
            while not running.url:
                first = running.output.split("\n", 1)[0]
                if "http://127.0.0.1:" in first and "\n" in running.output:
                    running.url = first.split(" on ", 1)[1].split()[0]
                elif process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the studio did not start: {running.output}")
                else:
                    time.sleep(0.01)
            yield running
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)
