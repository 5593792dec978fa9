"""Write a run's results to a folder: the resolved scenario, tables and summary.

Files: ``scenario.yaml`` (every default filled in, seed included: running it again
gives the same tables), ``tickets.parquet``, ``visits.parquet``, ``duty.parquet``,
``days.parquet`` (SLA attainment per replication, calendar day and channel:
:func:`simdesk.metrics.daily_sla.day_table`), ``hours.parquet`` (per channel, weekday and
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
from concurrent.futures import ThreadPoolExecutor
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

if TYPE_CHECKING:
    from simdesk.experiments.compare import Comparison
    from simdesk.metrics.misses import ChannelMisses

RESULT_FILES = ("scenario.yaml", "tickets.parquet", "visits.parquet", "duty.parquet",
                "replies.parquet", "days.parquet", "hours.parquet", "summary.csv",
                "summary.json", "misses.json",
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


def _atomic(path: Path, write: Callable[[Path], object]) -> None:
    temporary = path.with_name(f".{path.name}.partial")
    write(temporary)
    temporary.replace(path)


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """zstd, with dictionary encoding only where it pays: the categorical columns."""
    categorical = [str(c) for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    frame.to_parquet(path, index=False, compression="zstd", use_dictionary=categorical)


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
    """Refuse to replace results already in ``folder`` unless told to."""
    existing = [name for name in RESULT_FILES if (folder / name).exists()]
    if existing and not overwrite:
        raise SimdeskError(
            f"{folder} already holds results ({', '.join(existing)}); "
            "choose another --out or pass --overwrite"
        )


def _write_tables(folder: Path, tables: list[tuple[str, pd.DataFrame]],
                  summary: Callable[[], tuple[pd.DataFrame, dict[str, Any]]]) -> None:
    """Each table as ``NAME.parquet``, and ``summary.csv`` / ``summary.json``. Arrow writes
    the tables without holding the GIL while this thread computes the summary (if it has
    not been computed yet)."""
    with ThreadPoolExecutor(max_workers=len(tables)) as pool:
        writes = [pool.submit(_atomic, folder / f"{name}.parquet", partial(_write_parquet, frame))
                  for name, frame in tables]
        table, document = summary()
        _atomic(folder / "summary.csv", lambda p: with_units(table).to_csv(p, index=False))
        text = json.dumps(document, indent=2, allow_nan=False)
        _atomic(folder / "summary.json", lambda p: p.write_text(text, encoding="utf-8"))
        for write in writes:
            write.result()


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


def write_results(result: SimulationResult, folder: Path, *, overwrite: bool = False,
                  misses: Sequence[ChannelMisses] | None = None) -> Path:
    """Write every result file into ``folder`` and return it; with ``misses``, also
    ``misses.json`` (:mod:`simdesk.experiments.suggest`)."""
    folder = Path(folder)
    check_results_folder(folder, overwrite=overwrite)
    folder.mkdir(parents=True, exist_ok=True)
    header = (
        f"# Resolved scenario written by simdesk {__version__} on "
        f"{dt.datetime.now():%Y-%m-%d %H:%M}: every default filled in, seed included.\n"
        "# `simdesk run` on this file reproduces these results exactly.\n"
    )
    yaml_text = header + scenario_to_yaml(result.scenario)
    _atomic(folder / "scenario.yaml", lambda p: p.write_text(yaml_text, encoding="utf-8"))
    tables = [("tickets", result.tickets), ("visits", result.visits), ("duty", result.duty),
              ("days", day_table(result.plan, result.tickets)),
              ("hours", hour_table(result.plan, result.tickets))]
    if len(result.replies):
        tables.append(("replies", result.replies))
    _write_tables(folder, tables, lambda: (result.summary, summary_document(result)))
    if misses is not None:
        text = json.dumps(misses_document(misses), indent=2, allow_nan=False)
        _atomic(folder / "misses.json", lambda p: p.write_text(text, encoding="utf-8"))
    return folder


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
    folder.mkdir(parents=True, exist_ok=True)
    command = ("simdesk compare scenario.yaml --policies "
               f"{shlex.quote(','.join(comparison.labels))}")
    header = (
        f"# Resolved scenario written by simdesk {__version__} on "
        f"{dt.datetime.now():%Y-%m-%d %H:%M}: every default filled in, seed included;\n"
        "# policies: holds every compared routing policy.\n"
        f"# `{command}` on this file reproduces these results exactly.\n"
    )
    yaml_text = header + scenario_to_yaml(comparison.scenario)
    _atomic(folder / "scenario.yaml", lambda p: p.write_text(yaml_text, encoding="utf-8"))
    tables = [(name, comparison.table(name)) for name in ("tickets", "visits", "duty")]
    if any(len(result.replies) for result in comparison.results.values()):
        tables.append(("replies", comparison.table("replies")))
    tables.append(("days", _days_by_policy(comparison)))
    _write_tables(folder, tables,
                  lambda: (comparison.summary, comparison_document(comparison)))
    _atomic(folder / "comparison.csv",
            lambda p: with_units(comparison.differences).to_csv(p, index=False))
    return folder
