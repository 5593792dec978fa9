"""``simdesk fit --no-verify`` on a million tickets: wall time, CPU time and peak memory.

The history is the example shop desk (``examples/history/desk.yaml``) with every arrival
rate and every shift's head count scaled by ``--scale`` (default 83: about a million
tickets in its six weeks), simulated once (seed 7) and exported in Zendesk's columns with
Berlin times, as ``examples/history/tickets.csv.gz`` was. It is made once and kept in
``--cache`` (default ``~/.cache/simdesk-bench``). Each fit then runs as a fresh process
``--repeat`` times (default 3); the figures are medians, the memory is the process's peak
resident set. The targets (issue 15): at most 15 s and 600 MB.

Run it with ``python benchmarks/bench_fit.py`` (``--help`` for the options).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 15.0
TARGET_MB = 600.0
DEFAULT_SCALE = 83
DEFAULT_REPEAT = 3

_CHILD = """
import resource, sys, time
from simdesk.cli import main
started = time.perf_counter()
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"BENCH {time.perf_counter() - started:.3f} {usage.ru_utime + usage.ru_stime:.3f} "
          f"{usage.ru_maxrss}", file=sys.stderr)
"""


def scaled_desk(scale: int) -> str:
    """The example desk's YAML with its rates and head counts multiplied by ``scale``."""
    text = (REPO / "examples" / "history" / "desk.yaml").read_text(encoding="utf-8")
    text = re.sub(r"rate: (\d+)/h", lambda m: f"rate: {int(m.group(1)) * scale}/h", text)
    return re.sub(r"count: (\d+)", lambda m: f"count: {int(m.group(1)) * scale}", text)


def history(cache: Path, scale: int) -> Path:
    """The export to fit, made once per scale."""
    path = cache / f"shop-x{scale}.csv"
    if path.exists():
        return path
    cache.mkdir(parents=True, exist_ok=True)
    desk = cache / f"shop-x{scale}.yaml"
    desk.write_text(scaled_desk(scale), encoding="utf-8")
    run = cache / f"shop-x{scale}-run"
    simdesk = [sys.executable, "-m", "simdesk"]
    subprocess.run([*simdesk, "run", str(desk), "--seed", "7", "-r", "1", "-o", str(run),
                    "--overwrite"], check=True, capture_output=True)
    subprocess.run([*simdesk, "export", str(run), "-o", str(path), "--format", "zendesk",
                    "--tz", "Europe/Berlin", "--overwrite"], check=True, capture_output=True)
    return path


def fit_once(tickets: Path, out: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak MB) of one ``simdesk fit --no-verify``."""
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, "fit", str(tickets), "--tz", "Europe/Berlin", "-o",
         str(out), "--no-verify", "--no-report", "--overwrite", "--quiet"],
        capture_output=True, text=True, check=False)
    found = re.search(r"BENCH ([\d.]+) ([\d.]+) (\d+)", result.stderr)
    if result.returncode != 0 or found is None:
        raise SystemExit(f"simdesk fit failed:\n{result.stderr}")
    return float(found.group(1)), float(found.group(2)), int(found.group(3)) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=DEFAULT_SCALE)
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT)
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "simdesk-bench")
    parser.add_argument("--json", type=Path, default=None, help="Also write the figures here.")
    args = parser.parse_args(argv)
    console = Console()
    started = time.perf_counter()
    tickets = history(args.cache, args.scale)
    rows = sum(1 for _ in tickets.open(encoding="utf-8")) - 1
    console.print(f"History: {tickets} ({rows:,} tickets; made or found in "
                  f"{time.perf_counter() - started:.0f} s)")
    runs = [fit_once(tickets, args.cache / "fitted.yaml") for _ in range(args.repeat)]
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    peak = statistics.median(r[2] for r in runs)
    per_million = 1e6 / rows
    table = Table(title=f"simdesk fit --no-verify, {rows:,} tickets (median of {args.repeat})")
    for column in ("figure", "measured", "per 1M tickets", "target", "met"):
        table.add_column(column, justify="right" if column != "figure" else "left")
    table.add_row("wall time", f"{wall:.1f} s", f"{wall * per_million:.1f} s", "", "")
    table.add_row("CPU time", f"{cpu:.1f} s", f"{cpu * per_million:.1f} s",
                  f"≤ {TARGET_SECONDS:.0f} s", _met(cpu * per_million <= TARGET_SECONDS))
    table.add_row("peak memory", f"{peak:.0f} MB", f"{peak * per_million:.0f} MB",
                  f"≤ {TARGET_MB:.0f} MB", _met(peak * per_million <= TARGET_MB))
    table.caption = ("The time target is judged on CPU time (every thread): wall time on a "
                     "shared machine measures its load; on an idle one it is at most the CPU "
                     "time. Memory is the peak resident set in MB of 2**20 bytes (MiB).")
    console.print(table)
    if args.json is not None:
        args.json.write_text(json.dumps({"tickets": rows, "runs": runs, "wall": wall,
                                         "cpu": cpu, "peak_mb": peak}, indent=2))
    return 0


def _met(ok: bool) -> str:
    return "[green]met[/]" if ok else "[red]not met[/]"


if __name__ == "__main__":
    sys.exit(main())
