"""A sweep's results folder: every finished point on disk as soon as it finishes.

```
OUT/sweep.yaml               the sweep as run: spec, seed, base scenario file
OUT/scenario.yaml            the base scenario as written (a copy)
OUT/state.json               what must match to resume (fingerprint, seed) and the points
OUT/points/KEY.parquet       one row per replication × scope × group × metric, with the
                             point's parameter values as columns: together a Parquet
                             dataset (pandas.read_parquet("OUT/points"))
OUT/points/_KEY.json         the point's key, values, replications, time and the SHA-256
                             of its files: written last, the mark of a finished point
                             (readers of the dataset skip _files)
OUT/tickets/KEY.parquet      with keep_tickets only
OUT/failures/KEY.json        why a point failed (removed when it later succeeds)
OUT/summary.parquet, .csv    every finished point's summary with its values, rewritten
                             at the end of every run
```

Files are written to a temporary file created exclusively and moved into place
(:mod:`simdesk.store.atomic`), so an interrupted write never leaves a half file that looks
finished. A resume trusts a point only when its marker names this point (key and values)
and the checksums match its files: a point file changed, swapped, truncated or emptied
since is moved to ``OUT/rejected/`` and the point runs again.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from simdesk.errors import SimdeskError
from simdesk.experiments.sweeps.spec import Point, Sweep
from simdesk.experiments.sweeps.work import SUMMARY_INPUT, PointFailure, PointResult
from simdesk.store.atomic import FOLDER_MODE, atomic_write
from simdesk.store.atomic import atomic_text as _atomic_text
from simdesk.store.spreadsheet import neutralised

MARKER = "_{key}.json"


def _atomic_parquet(path: Path, frame: pd.DataFrame) -> None:
    atomic_write(path, lambda p: frame.to_parquet(p, index=False, compression="zstd"))


def _digest(path: Path) -> str | None:
    """SHA-256 of a file (None when it cannot be read)."""
    try:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return None


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
        self.rejected: list[str] = []
        """Point files found not to match on this resume (moved to ``rejected/``)."""
        self._summaries: dict[str, pd.DataFrame] = {}
        """The summaries of the points saved by this store, as their workers computed them."""
        self.folder = Path(folder)
        self.points_dir = self.folder / "points"
        self.failures_dir = self.folder / "failures"
        self.tickets_dir = self.folder / "tickets"

    # -- the sweep itself --------------------------------------------------------------

    def state(self) -> dict[str, Any] | None:
        path = self.folder / "state.json"
        if not path.exists():
            return None
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SimdeskError(f"{path} cannot be read ({exc}); the folder cannot be resumed: "
                               "choose another --out") from None
        if not isinstance(loaded, dict) or not isinstance(loaded.get("fingerprint"), str):
            raise SimdeskError(f"{path} is not a sweep's state; the folder cannot be "
                               "resumed: choose another --out")
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
        # Everything is written into a hidden folder beside it and moved into place in
        # one rename, so an interrupt never leaves a folder that is neither empty nor a
        # sweep (which could then be neither resumed nor reused).
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        try:
            staging = Path(tempfile.mkdtemp(prefix=f".{self.folder.name}.", suffix=".new",
                                            dir=self.folder.parent))
        except OSError as exc:
            raise SimdeskError(f"cannot create {self.folder}: {exc.strerror or exc}") from None
        try:
            staging.chmod(FOLDER_MODE)
            self._write_start(staging, sweep, seed, points)
            staging.replace(self.folder)  # onto nothing, or onto an empty folder
        except OSError as exc:
            raise SimdeskError(f"cannot create {self.folder}: {exc.strerror or exc}") from None
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)

    @staticmethod
    def _write_start(folder: Path, sweep: Sweep, seed: int, points: list[Point]) -> None:
        """A new sweep's folder before any point: its spec, base scenario and state."""
        for sub in ("points", "failures"):
            (folder / sub).mkdir()
        spec = sweep.spec.model_dump(mode="json", exclude_none=True)
        spec["seed"] = seed
        spec["scenario"] = str(sweep.base_file)
        _atomic_text(folder / "sweep.yaml", yaml.safe_dump(spec, sort_keys=False))
        _atomic_text(folder / "scenario.yaml",
                     yaml.safe_dump(sweep.base, sort_keys=False, allow_unicode=True))
        state = {
            "fingerprint": sweep.fingerprint(seed),
            "seed": seed,
            "keep_tickets": sweep.spec.keep_tickets,
            "identity": sweep.identity(seed),
            "points": [{"key": p.key, "index": p.index,
                        "values": {k: _plain(v) for k, v in p.assignments}} for p in points],
        }
        _atomic_text(folder / "state.json", json.dumps(state, indent=1))

    # -- points ------------------------------------------------------------------------

    def marker(self, key: str) -> Path:
        """The file whose presence means the point ``key`` is finished."""
        return self.points_dir / MARKER.format(key=key)

    def finished(self) -> set[str]:
        """Keys of the points whose results are complete on disk and check out (see
        :meth:`verify`); a point that does not is moved aside, to run again."""
        if not self.points_dir.exists():
            return set()
        keys = {p.stem.removeprefix("_") for p in self.points_dir.glob(MARKER.format(key="*"))}
        expected = self._expected_values()  # read once, not once per point
        return {key for key in keys if self.verify(key, expected)}

    def _expected_values(self) -> dict[str, dict[str, Any]]:
        state = self.state() or {}
        return {str(p.get("key")): p.get("values", {}) for p in state.get("points", [])
                if isinstance(p, dict)}

    def verify(self, key: str, expected: dict[str, dict[str, Any]] | None = None) -> bool:
        """Whether point ``key``'s files on disk are the ones written for it: the marker
        names this key and its values (``expected``: every point's, from the state), and
        its files' checksums match. One that does not is moved to ``rejected/`` and
        recorded in :attr:`rejected`."""
        marker = self.marker(key)
        files = [self.points_dir / f"{key}.parquet"]
        problem = None
        try:
            meta = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta, problem = None, f"{marker.name} cannot be read"
        if problem is None and not isinstance(meta, dict):
            problem = f"{marker.name} is not a point marker"
        if problem is None:
            assert isinstance(meta, dict)
            digests = meta.get("sha256")
            if expected is None:
                expected = self._expected_values()
            if meta.get("key") != key:
                problem = f"{marker.name} names another point ({meta.get('key')!r})"
            elif key in expected and meta.get("values") != expected[key]:
                problem = f"{marker.name} holds other parameter values"
            elif not isinstance(digests, dict):
                problem = f"{marker.name} has no checksums (written by an older simdesk)"
            else:
                if "tickets" in digests:
                    files.append(self.tickets_dir / f"{key}.parquet")
                for file in files:
                    if _digest(file) != digests.get(file.parent.name):
                        problem = f"{file.parent.name}/{file.name} does not match its checksum"
                        break
        if problem is None:
            return True
        self.rejected.append(f"{self.folder}/points/{marker.name}: {problem}")
        self._reject([marker, *files])
        return False

    def _reject(self, files: list[Path]) -> None:
        aside = self.folder / "rejected"
        aside.mkdir(exist_ok=True)
        for file in files:
            if file.exists() or file.is_symlink():
                file.replace(aside / f"{file.parent.name}-{file.name}")

    def save(self, point: Point, result: PointResult, types: dict[str, str]) -> None:
        """Write a finished point (its marker last)."""
        points_file = self.points_dir / f"{point.key}.parquet"
        _atomic_parquet(points_file, _with_values(result.metrics, point, types))
        digests = {"points": _digest(points_file)}
        if result.tickets is not None:
            self.tickets_dir.mkdir(exist_ok=True)
            tickets_file = self.tickets_dir / f"{point.key}.parquet"
            _atomic_parquet(tickets_file, result.tickets)
            digests["tickets"] = _digest(tickets_file)
        meta = {"key": point.key, "index": point.index,
                "values": {k: _plain(v) for k, v in point.assignments},
                "replications": result.replications, "seconds": round(result.seconds, 3),
                "sha256": digests}
        _atomic_text(self.marker(point.key), json.dumps(meta, indent=1))
        (self.failures_dir / f"{point.key}.json").unlink(missing_ok=True)
        if result.summary is not None:
            self._summaries[point.key] = result.summary

    def save_failure(self, point: Point, failure: PointFailure) -> None:
        record = asdict(failure) | {"values": {k: _plain(v) for k, v in point.assignments}}
        _atomic_text(self.failures_dir / f"{point.key}.json", json.dumps(record, indent=1))

    def failures(self) -> list[dict[str, Any]]:
        records = []
        for path in sorted(self.failures_dir.glob("*.json")):
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                record = None
            if isinstance(record, dict) and "key" in record:
                records.append(record)
            else:  # not one this sweep wrote: retried like any failed point
                path.unlink(missing_ok=True)
        return records

    # -- tables ------------------------------------------------------------------------

    def metrics(self, points: list[Point]) -> pd.DataFrame:
        """Every finished point's per-replication metrics, in the order of ``points``."""
        finished = self.finished()
        frames = [pd.read_parquet(self.points_dir / f"{p.key}.parquet") for p in points
                  if p.key in finished]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def write_summary(self, points: list[Point]) -> pd.DataFrame:
        """Summaries of all finished points, with each parameter's value as a column.

        A point saved by this store brings its summary (computed where it ran); the
        others' are computed from their files, point by point: only one point's metrics
        are in memory at a time."""
        from simdesk.metrics.stats import summarize

        finished = self.finished()
        types = value_types(points)
        frames = []
        for point in points:
            if point.key not in finished:
                continue
            summary = self._summaries.get(point.key)
            if summary is None:
                summary = summarize(pd.read_parquet(self.points_dir / f"{point.key}.parquet",
                                                    columns=SUMMARY_INPUT))
            summary = summary.copy()
            summary.insert(0, "point", point.key)
            frames.append(_with_values(summary, point, types))
        if not frames:
            return pd.DataFrame()
        table = pd.concat(frames, ignore_index=True)
        _atomic_parquet(self.folder / "summary.parquet", table)
        atomic_write(self.folder / "summary.csv",
                     lambda p: neutralised(table).to_csv(p, index=False))
        return table
