"""CPU a command costs before it does any work: ``simdesk --help``, ``--version`` and
``validate`` beside ``python -c "import pandas"`` and a bare interpreter.

Each command runs as a fresh process ``--repeat`` times (default 5); the figure is the
median of its CPU time (user + system, from the operating system's accounting of the
child), so other load on the machine matters less than with wall time. The bar the
start-up has to clear: ``simdesk --help`` costs less than importing pandas.

Run it with ``python benchmarks/bench_startup.py`` (``--help`` for the options); it is not
part of the test suite, ``tests/test_bench_startup_smoke.py`` only checks that it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REPEAT = 5


def _simdesk() -> list[str]:
    """The installed ``simdesk`` console script (as users run it), else ``-m simdesk``."""
    script = Path(sys.executable).with_name("simdesk")
    found = str(script) if script.exists() else shutil.which("simdesk")
    return [found] if found else [sys.executable, "-m", "simdesk"]


def commands() -> dict[str, list[str]]:
    simdesk = _simdesk()
    return {
        "python (bare)": [sys.executable, "-c", "pass"],
        'python -c "import pandas"': [sys.executable, "-c", "import pandas"],
        "simdesk --help": [*simdesk, "--help"],
        "simdesk --version": [*simdesk, "--version"],
        "simdesk validate saas-startup": [*simdesk, "validate",
                                          str(REPO / "scenarios" / "saas-startup.yaml")],
    }


@dataclass(frozen=True)
class Figure:
    command: str
    cpu_seconds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.cpu_seconds)


def cpu_of(argv: Sequence[str]) -> float:
    """User + system CPU seconds of one run of ``argv`` (its output discarded)."""
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               cwd=REPO)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {process.returncode}")
    return usage.ru_utime + usage.ru_stime


def measure(repeat: int) -> list[Figure]:
    """Every command ``repeat`` times, in rounds, so all see the same machine load."""
    runs: dict[str, list[float]] = {name: [] for name in commands()}
    for _ in range(repeat):
        for name, argv in commands().items():
            runs[name].append(cpu_of(argv))
    return [Figure(name, times) for name, times in runs.items()]


def table(figures: Sequence[Figure]) -> Table:
    pandas = next(f.median for f in figures if "pandas" in f.command)
    out = Table(title="Start-up CPU (median of each command's runs)")
    out.add_column("Command")
    out.add_column("CPU", justify="right")
    out.add_column("vs import pandas", justify="right")
    for figure in figures:
        out.add_row(figure.command, f"{figure.median:.3f} s", f"{figure.median / pandas:.2f}×")
    return out


def main(argv: Sequence[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT,
                        help=f"runs per command; medians (default {DEFAULT_REPEAT})")
    parser.add_argument("--json", type=Path, default=None, help="save the figures here")
    options = parser.parse_args(argv)
    figures = measure(options.repeat)
    Console().print(table(figures))
    help_cpu = next(f.median for f in figures if f.command == "simdesk --help")
    pandas_cpu = next(f.median for f in figures if "pandas" in f.command)
    verdict = "less" if help_cpu < pandas_cpu else "MORE"
    print(f"simdesk --help: {help_cpu:.3f} s CPU, {verdict} than import pandas "
          f"({pandas_cpu:.3f} s)")
    if options.json is not None:
        options.json.write_text(json.dumps(
            {"python": sys.version.split()[0], "repeat": options.repeat,
             "figures": [asdict(f) | {"median": f.median} for f in figures]}, indent=2),
            encoding="utf-8")
    return figures


if __name__ == "__main__":
    main()
