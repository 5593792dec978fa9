"""A sweep's results folder: every finished point on disk as soon as it finishes.

```
OUT/sweep.yaml            the sweep as run: spec, seed, base scenario file
OUT/scenario.yaml         the base scenario as written (a copy)
OUT/state.json            fingerprint (what must match to resume) and the points
OUT/points/KEY.parquet    per replication × scope × group × metric: a Parquet dataset
OUT/points/KEY.json       the point's values, replications, time (written last: the mark
                          of a finished point)
OUT/tickets/KEY.parquet   with keep_tickets only
OUT/failures/KEY.json     why a point failed (removed when it later succeeds)
OUT/summary.parquet/.csv  every point's summary with its values, rebuilt at the end
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
from simdesk.experiments.spec import Point, Sweep
from simdesk.experiments.work import PointFailure, PointResult


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

    def prepare(self, sweep: Sweep, seed: int, points: list[Point], *, resume: bool) -> None:
        """Create the folder, or check that it holds this very sweep before resuming."""
        state = self.state()
        fingerprint = sweep.fingerprint(seed)
        if state is not None:
            if state["fingerprint"] != fingerprint:
                raise SimdeskError(
                    f"{self.folder} holds the results of a different sweep (its spec, base "
                    "scenario or seed changed); choose another --out")
            if not resume:
                raise SimdeskError(f"{self.folder} already holds this sweep's results; add "
                                   "--resume to finish it, or choose another --out")
            return
        if self.folder.exists() and any(self.folder.iterdir()):
            raise SimdeskError(f"{self.folder} is not empty and holds no sweep; choose "
                               "another --out")
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
            "points": [{"key": p.key, "index": p.index,
                        "values": {k: _plain(v) for k, v in p.assignments}} for p in points],
        }
        _atomic_text(self.folder / "state.json", json.dumps(state, indent=1))

    # -- points ------------------------------------------------------------------------

    def finished(self) -> set[str]:
        """Keys of the points whose results are complete on disk."""
        if not self.points_dir.exists():
            return set()
        return {p.stem for p in self.points_dir.glob("*.json")
                if (self.points_dir / f"{p.stem}.parquet").exists()}

    def save(self, point: Point, result: PointResult) -> None:
        """Write a finished point (its marker last)."""
        _atomic_parquet(self.points_dir / f"{point.key}.parquet", result.metrics)
        if result.tickets is not None:
            self.tickets_dir.mkdir(exist_ok=True)
            _atomic_parquet(self.tickets_dir / f"{point.key}.parquet", result.tickets)
        meta = {"key": point.key, "index": point.index,
                "values": {k: _plain(v) for k, v in point.assignments},
                "replications": result.replications, "seconds": round(result.seconds, 3)}
        _atomic_text(self.points_dir / f"{point.key}.json", json.dumps(meta, indent=1))
        (self.failures_dir / f"{point.key}.json").unlink(missing_ok=True)

    def save_failure(self, point: Point, failure: PointFailure) -> None:
        record = asdict(failure) | {"values": {k: _plain(v) for k, v in point.assignments}}
        _atomic_text(self.failures_dir / f"{point.key}.json", json.dumps(record, indent=1))

    def failures(self) -> list[dict[str, Any]]:
        return [json.loads(p.read_text(encoding="utf-8"))
                for p in sorted(self.failures_dir.glob("*.json"))]

    # -- tables ------------------------------------------------------------------------

    def metrics(self) -> pd.DataFrame:
        """Every finished point's per-replication metrics (the Parquet dataset)."""
        files = sorted(self.points_dir.glob("*.parquet"))
        return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True) if files \
            else pd.DataFrame()

    def write_summary(self, points: list[Point]) -> pd.DataFrame:
        """Summaries of all finished points, with each parameter's value as a column."""
        from simdesk.metrics import summarize

        metrics = self.metrics()
        if metrics.empty:
            return pd.DataFrame()
        frames = []
        values = {p.key: p.assignments for p in points}
        for key, frame in metrics.groupby("point", sort=False):
            summary = summarize(frame.drop(columns="point"))
            for position, (name, value) in enumerate(values[str(key)]):
                summary.insert(position, name, _plain(value))
            summary.insert(0, "point", key)
            frames.append(summary)
        table = pd.concat(frames, ignore_index=True)
        order = {p.key: p.index for p in points}
        table = table.sort_values("point", key=lambda s: s.map(order), kind="stable")
        _atomic_parquet(self.folder / "summary.parquet", table.astype(
            {name: str for name, _ in points[0].assignments}))
        partial = self.folder / ".summary.csv.partial"
        table.to_csv(partial, index=False)
        partial.replace(self.folder / "summary.csv")
        return table
