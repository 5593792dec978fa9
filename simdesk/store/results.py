"""Write a run's results to a folder: the resolved scenario, tables and summary.

Files: ``scenario.yaml`` (every default filled in, seed included: running it again
gives the same tables), ``tickets.parquet``, ``visits.parquet``, ``duty.parquet``,
``days.parquet`` (SLA attainment per replication, calendar day and channel:
:func:`simdesk.metrics.daily_sla.day_table`), ``customers.parquet`` (with an
``outcomes:`` section: who was unhappy, complained, left or converted,
:mod:`simdesk.metrics.outcomes`), ``actions.parquet`` (with a ``supervisor:``: each
action, :mod:`simdesk.metrics.actions`), ``fixes.parquet`` (with ``problems:``: the
analyst's fixes, :mod:`simdesk.fates.problems`), ``hours.parquet`` (per channel, weekday and
hour of arrival: :func:`simdesk.metrics.hours.hour_table`), ``summary.csv`` and
``summary.json`` (each metric with its ``unit``, from the metric catalogue:
:func:`simdesk.metrics.catalogue.unit_text`). Each file is written to a temporary name
and moved into place, so a crash never leaves half a file.

A comparison of routing policies (:func:`write_comparison`) writes the same files with
a ``policy`` column, plus ``comparison.csv``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
import shlex
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from simdesk import __version__
from simdesk.errors import SimdeskError
from simdesk.metrics.catalogue import unit_text
from simdesk.metrics.daily_sla import day_table
from simdesk.metrics.hours import hour_table
from simdesk.scenario.load import scenario_to_yaml
from simdesk.simulation import SimulationResult
from simdesk.store.atomic import atomic_text, atomic_write
from simdesk.store.spreadsheet import neutralised
from simdesk.store.writable import check_writable

if TYPE_CHECKING:
    from simdesk.experiments.compare import Comparison
    from simdesk.metrics.misses import ChannelMisses

RESULT_FILES = ("scenario.yaml", "tickets.parquet", "visits.parquet", "duty.parquet",
                "replies.parquet", "customers.parquet", "actions.parquet", "fixes.parquet",
                "days.parquet",
                "hours.parquet", "summary.csv", "summary.json", "misses.json",
                "comparison.csv")


def slug(text: str) -> str:
    """A file-name-safe version of a scenario name."""
    cleaned = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return cleaned[:60] or "scenario"


def default_results_dir(name: str, root: Path = Path("results")) -> Path:
    """``results/<scenario>-<YYYYmmdd-HHMMSS>`` (with a suffix if that exists already)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = root / f"{slug(name)}-{stamp}"
    candidate, number = base, 1
    while candidate.exists():
        number += 1
        candidate = base.with_name(f"{base.name}-{number}")
    return candidate


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """``frame`` as CSV at ``path``, atomically, text a spreadsheet would run as a formula
    neutralised (:mod:`simdesk.store.spreadsheet`)."""
    atomic_write(path, lambda p: neutralised(frame).to_csv(p, index=False))


def _parquet_writer(frame: pd.DataFrame) -> Callable[[Path], None]:
    """What writes ``frame`` as Parquet: zstd, with dictionary encoding only where it pays,
    the categorical columns (as ``frame.to_parquet(path, index=False,
    compression="zstd", use_dictionary=<its categorical columns>)``). The frame is
    converted to Arrow here, on the calling thread: the writer, which may run on another
    thread, then touches no pandas object (pandas is not thread-safe: a frame read
    meanwhile may consolidate its blocks in place)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    categorical = [str(c) for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return partial(pq.write_table, table, compression="zstd", use_dictionary=categorical)


def with_units(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary with a ``unit`` column after ``metric``."""
    columns = list(summary.columns)
    after = columns.index("metric") + 1
    units = summary["metric"].map(unit_text)
    return summary.assign(unit=units)[[*columns[:after], "unit", *columns[after:]]]


def _number(value: float) -> float | None:
    return None if value is None or math.isnan(value) else float(value)


def summary_document(result: SimulationResult) -> dict[str, Any]:
    """The summary as nested JSON: run facts, then scope → group → metric → estimate."""
    nested: dict[str, Any] = {}
    for row in result.summary.to_dict("records"):
        nested.setdefault(row["scope"], {}).setdefault(row["group"], {})[row["metric"]] = {
            "mean": _number(row["mean"]),
            "ci_low": _number(row["ci_low"]),
            "ci_high": _number(row["ci_high"]),
            "replications": int(row["replications"]),
            "unit": unit_text(row["metric"]),
        }
    return {
        "scenario": result.scenario.name,
        "simdesk": __version__,
        "seed": result.seed,
        "replications": result.replications,
        "replication_seeds": [
            {"replication": r, "entropy": result.seed, "spawn_key": [r]}
            for r in range(result.replications)
        ],
        "policy": result.policy,
        "confidence": 0.95,
        "targets": {
            c.name: {"within_minutes": c.sla_within, "target": c.sla_target,
                     "target_unit": "share"}
            for c in result.plan.channels if not math.isinf(c.sla_within)
        },
        "metrics": nested,
    }


def check_results_folder(folder: Path, *, overwrite: bool = False) -> None:
    """Refuse an output folder that cannot be written, or results already in ``folder``
    unless told to replace them."""
    check_writable(folder)
    existing = [name for name in RESULT_FILES if (folder / name).exists()]
    if existing and not overwrite:
        raise SimdeskError(
            f"{folder} already holds results ({', '.join(existing)}); "
            "choose another --out or pass --overwrite"
        )


class _ParquetWrites:
    """Tables written as ``NAME.parquet`` into a folder on other threads (Arrow encodes
    without holding the GIL), each converted to Arrow first on the calling thread."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._pool = ThreadPoolExecutor(max_workers=len(RESULT_FILES))
        self._writes: list[Future[None]] = []

    def add(self, name: str, frame: pd.DataFrame) -> None:
        """Start writing ``frame`` as ``NAME.parquet``."""
        self._writes.append(self._pool.submit(atomic_write, self.folder / f"{name}.parquet",
                                              _parquet_writer(frame)))

    def wait(self, *, errors: bool = True) -> None:
        """Wait for every write; with ``errors``, raise the first that failed."""
        self._pool.shutdown(wait=True)
        for write in self._writes if errors else ():
            write.result()


def _write_summary(folder: Path, table: pd.DataFrame, document: dict[str, Any]) -> None:
    """``summary.csv`` (with units) and ``summary.json``."""
    write_csv(with_units(table), folder / "summary.csv")
    atomic_text(folder / "summary.json", json.dumps(document, indent=2, allow_nan=False))


def _write_tables(folder: Path, tables: list[tuple[str, pd.DataFrame]],
                  summary: Callable[[], tuple[pd.DataFrame, dict[str, Any]]]) -> None:
    """Each table as ``NAME.parquet``, and ``summary.csv`` / ``summary.json``. Arrow writes
    the tables while this thread computes the summary (if it has not been computed yet)."""
    writes = _ParquetWrites(folder)
    try:
        for name, frame in tables:
            writes.add(name, frame)
        _write_summary(folder, *summary())
    except BaseException:
        writes.wait(errors=False)  # the error here is the one to report
        raise
    writes.wait()


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SimdeskError(f"cannot create {folder}: {exc.strerror or exc}") from None


def misses_document(misses: Sequence[ChannelMisses]) -> list[dict[str, Any]]:
    """Why each channel missed (or nearly missed) its target, as JSON (``misses.json``)."""
    document = []
    for entry in misses:
        data = dataclasses.asdict(entry)
        data["blocks"] = [{**dataclasses.asdict(b), "label": b.label} for b in entry.blocks]
        data["suggestions"] = [{**dataclasses.asdict(s), "significant": s.significant}
                               for s in entry.suggestions]
        document.append(data)
    cleaned: list[dict[str, Any]] = json.loads(
        json.dumps(document, default=_number).replace("NaN", "null"))
    return cleaned


class ResultsWriter:
    """A run's results being written into a folder, the tables while this thread goes on.

    On creation it writes ``scenario.yaml`` and starts writing the simulation's tables on
    other threads (Arrow writes Parquet without holding the GIL), so that the caller may
    analyse the result meanwhile (the why-missed analysis of ``simdesk run``);
    :meth:`finish` adds the day and hour tables and the summary and waits for every write;
    :meth:`write_misses` then writes ``misses.json``. Used as a context manager, it
    always waits for its writes (and, on an error, writes nothing more).
    """

    def __init__(self, result: SimulationResult, folder: Path, *,
                 overwrite: bool = False) -> None:
        self.result = result
        self.folder = Path(folder)
        check_results_folder(self.folder, overwrite=overwrite)
        _make_folder(self.folder)
        header = (
            f"# Resolved scenario written by simdesk {__version__} on "
            f"{dt.datetime.now():%Y-%m-%d %H:%M}: every default filled in, seed included.\n"
            "# `simdesk run` on this file reproduces these results exactly.\n"
        )
        atomic_text(self.folder / "scenario.yaml", header + scenario_to_yaml(result.scenario))
        tables = [("tickets", result.tickets), ("visits", result.visits),
                  ("duty", result.duty)]
        if len(result.replies):
            tables.append(("replies", result.replies))
        if result.scenario.outcomes is not None:
            tables.append(("customers", result.customers))
        if result.scenario.supervisor is not None:
            tables.append(("actions", result.actions))
        if result.scenario.problems is not None:
            tables.append(("fixes", result.fixes))
        self._writes: _ParquetWrites | None = _ParquetWrites(self.folder)
        for name, frame in tables:
            self._writes.add(name, frame)

    def finish(self) -> None:
        """Write the day and hour tables and the summary, and wait for every table."""
        if self._writes is None:
            return
        result = self.result
        self._writes.add("days", day_table(result.plan, result.tickets))
        self._writes.add("hours", hour_table(result.plan, result.tickets))
        _write_summary(self.folder, result.summary, summary_document(result))
        self._wait()

    def write_misses(self, misses: Sequence[ChannelMisses]) -> None:
        """``misses.json``: why each channel missed (:mod:`simdesk.experiments.suggest`)."""
        atomic_text(self.folder / "misses.json",
                    json.dumps(misses_document(misses), indent=2, allow_nan=False))

    def _wait(self, *, errors: bool = True) -> None:
        writes, self._writes = self._writes, None
        if writes is not None:
            writes.wait(errors=errors)

    def __enter__(self) -> ResultsWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.finish()
        else:  # the caller's error is the one to report
            self._wait(errors=False)


def write_results(result: SimulationResult, folder: Path, *, overwrite: bool = False,
                  misses: Sequence[ChannelMisses] | None = None) -> Path:
    """Write every result file into ``folder`` and return it; with ``misses``, also
    ``misses.json`` (:mod:`simdesk.experiments.suggest`)."""
    with ResultsWriter(result, folder, overwrite=overwrite) as writer:
        writer.finish()
        if misses is not None:
            writer.write_misses(misses)
    return writer.folder


def default_comparison_dir(name: str, root: Path = Path("results")) -> Path:
    """``results/<scenario>-compare-<YYYYmmdd-HHMMSS>`` (the name shortened, not the word
    ``compare``)."""
    return default_results_dir(f"{slug(name)[:52]}-compare", root)


def comparison_document(comparison: Comparison) -> dict[str, Any]:
    """The summary of a comparison as nested JSON: the run facts shared by every policy,
    then per policy its routing spec and metrics, then the paired differences."""
    first = summary_document(comparison.results[comparison.baseline])
    shared = {key: value for key, value in first.items() if key not in ("policy", "metrics")}
    policies = {}
    for label in comparison.labels:
        result = comparison.results[label]
        policies[label] = {
            "routing": result.scenario.routing.model_dump(mode="json", by_alias=True,
                                                        exclude_none=True),
            "metrics": summary_document(result)["metrics"],
        }
    differences: dict[str, Any] = {}
    for row in comparison.differences.to_dict("records"):
        differences.setdefault(row["policy"], {}).setdefault(row["scope"], {}).setdefault(
            row["group"], {})[row["metric"]] = {
                "mean_difference": _number(row["mean_difference"]),
                "ci_low": _number(row["ci_low"]),
                "ci_high": _number(row["ci_high"]),
                "significant": bool(row["significant"]),
                "better": row["better"] or None,
            }
    return {**shared, "baseline": comparison.baseline, "policies": policies,
            "differences": differences}


def _days_by_policy(comparison: Comparison) -> pd.DataFrame:
    """The per-day table of every policy, with a leading ``policy`` column."""
    frames = []
    for label in comparison.labels:
        result = comparison.results[label]
        frame = day_table(result.plan, result.tickets)
        frame.insert(0, "policy", label)
        frames.append(frame)
    days = pd.concat(frames, ignore_index=True)
    days["policy"] = pd.Categorical(days["policy"], categories=comparison.labels)
    return days


def write_comparison(comparison: Comparison, folder: Path, *, overwrite: bool = False) -> Path:
    """Write a comparison into ``folder``: the files of a run, each with a ``policy``
    column (``summary.json`` with a section per policy), plus ``comparison.csv``."""
    folder = Path(folder)
    check_results_folder(folder, overwrite=overwrite)
    _make_folder(folder)
    if comparison.by_file:
        files = {label: f"scenarios/{slug(label)}.yaml" for label in comparison.labels}
        command = ("simdesk compare " + " ".join(files.values())
                   + f" --seed {comparison.seed} -r {comparison.replications}")
        (folder / "scenarios").mkdir(exist_ok=True)
        for label, name in files.items():
            text = (f"# {label}: resolved from {comparison.files[label]} by simdesk "
                    f"{__version__}; `{command}` in the results folder reproduces the "
                    "comparison.\n" + scenario_to_yaml(comparison.results[label].scenario))
            atomic_text(folder / name, text)
        pairing = {label: {"identical_tickets": found.full, "draws_that_differ":
                           list(found.differ)} for label, found in comparison.pairing.items()}
        atomic_text(folder / "pairing.json",
                    json.dumps({"baseline": comparison.baseline, "seed": comparison.seed,
                                "variants": pairing}, indent=2))
    else:
        command = ("simdesk compare scenario.yaml --policies "
                   f"{shlex.quote(','.join(comparison.labels))}")
    header = (
        f"# Resolved scenario written by simdesk {__version__} on "
        f"{dt.datetime.now():%Y-%m-%d %H:%M}: every default filled in, seed included;\n"
        + ("# the baseline of a comparison of scenario files (each in scenarios/).\n"
           if comparison.by_file else "# policies: holds every compared routing policy.\n")
        + f"# `{command}` on this file reproduces these results exactly.\n"
    )
    yaml_text = header + scenario_to_yaml(comparison.scenario)
    atomic_text(folder / "scenario.yaml", yaml_text)
    tables = [(name, comparison.table(name)) for name in ("tickets", "visits", "duty")]
    if any(len(result.replies) for result in comparison.results.values()):
        tables.append(("replies", comparison.table("replies")))
    if comparison.scenario.outcomes is not None:
        tables.append(("customers", comparison.table("customers")))
    if comparison.scenario.supervisor is not None:
        tables.append(("actions", comparison.table("actions")))
    if comparison.scenario.problems is not None:
        tables.append(("fixes", comparison.table("fixes")))
    tables.append(("days", _days_by_policy(comparison)))
    _write_tables(folder, tables,
                  lambda: (comparison.summary, comparison_document(comparison)))
    write_csv(with_units(comparison.differences), folder / "comparison.csv")
    return folder
