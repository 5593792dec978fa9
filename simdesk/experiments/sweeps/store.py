"""A sweep's results folder: every finished point on disk as soon as it finishes.

```
OUT/sweep.yaml               the sweep as run: spec, seed, base scenario file
OUT/scenario.yaml            the base scenario as written (a copy)
OUT/state.json               what must match to resume (fingerprint, seed) and the points
OUT/points/KEY.parquet       one row per replication × scope × group × metric, with the
                             point's parameter values as columns: together a Parquet
                             dataset (pandas.read_parquet("OUT/points"))
OUT/points/_KEY.json         the point's values, replications, time: written last, the
                             mark of a finished point (readers of the dataset skip _files)
OUT/tickets/KEY.parquet      with keep_tickets only
OUT/failures/KEY.json        why a point failed (removed when it later succeeds)
OUT/summary.parquet, .csv    every finished point's summary with its values, rewritten
                             at the end of every run
```

Files are written to a temporary name and moved into place, so an interrupted write
never leaves a half file that looks finished.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from simdesk.errors import SimdeskError
from simdesk.experiments.sweeps.spec import Point, Sweep
from simdesk.experiments.sweeps.work import PointFailure, PointResult

MARKER = "_{key}.json"


def _atomic_text(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def _atomic_parquet(path: Path, frame: pd.DataFrame) -> None:
    partial = path.with_name(f".{path.name}.partial")
    frame.to_parquet(partial, index=False, compression="zstd")
    partial.replace(path)


def _plain(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def value_types(points: list[Point]) -> dict[str, str]:
    """One column type per parameter, the same in every file: ``bool``, ``int64``,
    ``float64`` when every value is one, else ``string`` (``9/h``, ``2h``, mixed)."""
    types: dict[str, str] = {}
    for position, (name, _) in enumerate(points[0].assignments):
        values = [p.assignments[position][1] for p in points]
        if all(isinstance(v, bool) for v in values):
            types[name] = "bool"
        elif all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            types[name] = "int64"
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            types[name] = "float64"
        else:
            types[name] = "string"
    return types


def _with_values(frame: pd.DataFrame, point: Point, types: dict[str, str]) -> pd.DataFrame:
    """``frame`` with the point's values as typed columns after ``point``."""
    frame = frame.copy()
    for position, (name, value) in enumerate(point.assignments, start=1):
        cell = str(_plain(value)) if types[name] == "string" else value
        frame.insert(position, name, pd.Series([cell] * len(frame), index=frame.index,
                                               dtype=types[name]))
    return frame


def _difference(recorded: dict[str, Any], now: dict[str, Any]) -> str:
    """What changed between two sweep identities, in words."""
    changes = []
    auto_only = {"precision", "metric", "min_replications", "max_replications"}
    for key in sorted(set(recorded) | set(now)):
        if recorded.get(key) == now.get(key):
            continue
        if key in auto_only and recorded.get("replications") != now.get("replications"):
            continue  # follows from the replications changing to or from auto
        if key == "base":
            changes.append("the base scenario changed")
        elif key == "parameters":
            changes.append("the parameters changed")
        else:
            changes.append(f"{key} was {recorded.get(key, 'unset')}, is now "
                           f"{now.get(key, 'unset')}")
    return "; ".join(changes)


class SweepStore:
    """Reads and writes one sweep's results folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.points_dir = self.folder / "points"
        self.failures_dir = self.folder / "failures"
        self.tickets_dir = self.folder / "tickets"

    # -- the sweep itself --------------------------------------------------------------

    def state(self) -> dict[str, Any] | None:
        path = self.folder / "state.json"
        if not path.exists():
            return None
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return loaded

    def check(self, sweep: Sweep, seed: int) -> bool:
        """Whether the folder holds this very sweep (False: it is new or empty); an
        error when it holds something else."""
        state = self.state()
        if state is None:
            if self.folder.exists() and (not self.folder.is_dir() or any(
                    self.folder.iterdir())):
                raise SimdeskError(f"{self.folder} is not empty and holds no sweep; choose "
                                   "another --out")
            return False
        if state["fingerprint"] != sweep.fingerprint(seed):
            changed = _difference(state.get("identity", {}), sweep.identity(seed))
            raise SimdeskError(
                f"{self.folder} holds the results of a different sweep "
                f"({changed or 'its spec, base scenario or seed changed'}), so they "
                "cannot be resumed; choose another --out")
        if sweep.spec.keep_tickets and not state.get("keep_tickets") and self.finished():
            raise SimdeskError(
                f"{self.folder} holds points finished without their tickets; to keep "
                "every point's tickets, run into another --out")
        return True

    def prepare(self, sweep: Sweep, seed: int, points: list[Point], *, resume: bool) -> None:
        """Create the folder, or check that it holds this very sweep before resuming."""
        if self.check(sweep, seed):
            if not resume:
                raise SimdeskError(f"{self.folder} already holds this sweep's results; add "
                                   "--resume to finish it, or choose another --out")
            return
        fingerprint = sweep.fingerprint(seed)
        for folder in (self.points_dir, self.failures_dir):
            folder.mkdir(parents=True, exist_ok=True)
        spec = sweep.spec.model_dump(mode="json", exclude_none=True)
        spec["seed"] = seed
        spec["scenario"] = str(sweep.base_file)
        _atomic_text(self.folder / "sweep.yaml", yaml.safe_dump(spec, sort_keys=False))
        _atomic_text(self.folder / "scenario.yaml",
                     yaml.safe_dump(sweep.base, sort_keys=False, allow_unicode=True))
        state = {
            "fingerprint": fingerprint,
            "seed": seed,
            "keep_tickets": sweep.spec.keep_tickets,
            "identity": sweep.identity(seed),
            "points": [{"key": p.key, "index": p.index,
                        "values": {k: _plain(v) for k, v in p.assignments}} for p in points],
        }
        _atomic_text(self.folder / "state.json", json.dumps(state, indent=1))

    # -- points ------------------------------------------------------------------------

    def marker(self, key: str) -> Path:
        """The file whose presence means the point ``key`` is finished."""
        return self.points_dir / MARKER.format(key=key)

    def finished(self) -> set[str]:
        """Keys of the points whose results are complete on disk."""
        if not self.points_dir.exists():
            return set()
        keys = {p.stem.removeprefix("_") for p in self.points_dir.glob(MARKER.format(key="*"))}
        return {key for key in keys if (self.points_dir / f"{key}.parquet").exists()}

    def save(self, point: Point, result: PointResult, types: dict[str, str]) -> None:
        """Write a finished point (its marker last)."""
        _atomic_parquet(self.points_dir / f"{point.key}.parquet",
                        _with_values(result.metrics, point, types))
        if result.tickets is not None:
            self.tickets_dir.mkdir(exist_ok=True)
            _atomic_parquet(self.tickets_dir / f"{point.key}.parquet", result.tickets)
        meta = {"key": point.key, "index": point.index,
                "values": {k: _plain(v) for k, v in point.assignments},
                "replications": result.replications, "seconds": round(result.seconds, 3)}
        _atomic_text(self.marker(point.key), json.dumps(meta, indent=1))
        (self.failures_dir / f"{point.key}.json").unlink(missing_ok=True)

    def save_failure(self, point: Point, failure: PointFailure) -> None:
        record = asdict(failure) | {"values": {k: _plain(v) for k, v in point.assignments}}
        _atomic_text(self.failures_dir / f"{point.key}.json", json.dumps(record, indent=1))

    def failures(self) -> list[dict[str, Any]]:
        return [json.loads(p.read_text(encoding="utf-8"))
                for p in sorted(self.failures_dir.glob("*.json"))]

    # -- tables ------------------------------------------------------------------------

    def metrics(self, points: list[Point]) -> pd.DataFrame:
        """Every finished point's per-replication metrics, in the order of ``points``."""
        finished = self.finished()
        frames = [pd.read_parquet(self.points_dir / f"{p.key}.parquet") for p in points
                  if p.key in finished]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def write_summary(self, points: list[Point]) -> pd.DataFrame:
        """Summaries of all finished points, with each parameter's value as a column.

        Point by point: only one point's metrics are in memory at a time."""
        from simdesk.metrics.stats import summarize

        finished = self.finished()
        types = value_types(points)
        frames = []
        for point in points:
            if point.key not in finished:
                continue
            metrics = pd.read_parquet(self.points_dir / f"{point.key}.parquet",
                                      columns=["replication", "scope", "group", "metric",
                                               "value"])
            summary = summarize(metrics)
            summary.insert(0, "point", point.key)
            frames.append(_with_values(summary, point, types))
        if not frames:
            return pd.DataFrame()
        table = pd.concat(frames, ignore_index=True)
        _atomic_parquet(self.folder / "summary.parquet", table)
        partial = self.folder / ".summary.csv.partial"
        table.to_csv(partial, index=False)
        partial.replace(self.folder / "summary.csv")
        return table
