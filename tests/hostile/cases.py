"""Hostile inputs, each a command line over files written into a folder, with the exit
status and the words its one error line must have.

A case's ``files`` maps a name to its content (text, bytes, or a callable taking the
folder); ``args`` may name those files as ``{name}`` and the folder as ``{dir}``.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAAS = (ROOT / "scenarios" / "saas-startup.yaml").read_text(encoding="utf-8")
BAD_MONTH = (ROOT / "scenarios" / "bad-month.yaml").read_text(encoding="utf-8")

Content = str | bytes | Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    files: dict[str, Content] = field(default_factory=dict)
    code: int = 2
    says: str = ""
    """A regular expression the error output must match (case-insensitive)."""
    root_only: bool = False

    def materialise(self, folder: Path) -> list[str]:
        for name, content in self.files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if callable(content):
                content(path)
            elif isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        names = {name.replace(".", "_").replace("/", "_"): str(folder / name)
                 for name in self.files}
        return [arg.format(dir=folder, **names) for arg in self.args]


def saas(old: str, new: str, text: str = SAAS) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def laughs(levels: int = 9, key: str = "lol") -> str:
    lines = [f'{key}0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        items = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"{key}{level}: &a{level} [{items}]")
    return "\n".join(lines) + "\n"


def fifo(path: Path) -> None:
    os.mkfifo(path)


def folder(path: Path) -> None:
    path.mkdir()


def big_file(size: int, comment: bool) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        filler = ("# " + "x" * 98 + "\n") if comment else ""
        with path.open("w", encoding="utf-8") as stream:
            stream.write(SAAS)
            if comment:
                stream.write(filler * (size // len(filler)))
            else:
                stream.write("\nnotes: '" + "x" * size + "'\n")
    return write


SWEEP = "scenario: {base}\nparameters:\n{parameters}\nreplications: 2\n"


def sweep_file(parameters: str, base: str = "saas.yaml", extra: str = "") -> str:
    return SWEEP.format(base=base, parameters=parameters) + extra


def history_rows() -> tuple[str, list[str]]:
    """The example history's header and first 3,000 rows (twelve days)."""
    with gzip.open(ROOT / "examples" / "history" / "tickets.csv.gz", "rt",
                   encoding="utf-8") as stream:
        lines = stream.read().splitlines()
    return lines[0], lines[1:3001]


HEADER, ROWS = history_rows()


def history(rows: list[str], header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def with_work(value: str) -> str:
    out = []
    for row in ROWS:
        fields = row.split(",")
        if fields[11]:
            fields[11] = value
        out.append(",".join(fields))
    return history(out)


def spread_over_years() -> str:
    """Tickets every 20 days for six years: no gap, but far too long a history."""
    import datetime as dt

    rows = []
    for number in range(120):
        day = dt.datetime(2020, 1, 6, 10) + dt.timedelta(days=20 * number)
        rows.append(f"{number},{day:%Y-%m-%d %H:%M:%S},Chat,standard,order,solved,"
                    f"{day:%Y-%m-%d %H:%M:%S},1,,{day:%Y-%m-%d %H:%M:%S},L1,3,L1#1")
    return history(rows)


def ro_mount(path: Path) -> None:
    """A read-only tmpfs at ``path`` (root only)."""
    path.mkdir()
    os.system(f"mount -t tmpfs -o size=1m,ro tmpfs {path} 2>/dev/null")


def full_mount(path: Path) -> None:
    """A tiny tmpfs with no room at ``path`` (root only)."""
    path.mkdir()
    os.system(f"mount -t tmpfs -o size=64k tmpfs {path} 2>/dev/null")


RUN = ("run", "-q", "--out", "{dir}/out")
FIT = ("--no-verify", "--no-report", "-q", "--overwrite")
FIT_LOUD = ("--no-verify", "--no-report", "--overwrite")


def _yaml_cases() -> list[Case]:
    v = ("validate", "{s_yaml}")
    return [
        Case("billion-laughs", v, {"s.yaml": saas("name:", laughs() + "name:")},
             says=r"aliases .* expand .* at most 10,000"),
        Case("laughs-in-description", v, {"s.yaml": saas(
            "description: >\n  Five L1 agents on staggered weekday shifts, an L2 developer on "
            "a weekly rotation at 50 %,\n  an L3 technical specialist on a weekly rotation; "
            "chat and email, FIFO.\n",
            "description:\n" + "".join("  " + line + "\n" for line in
                                        laughs().splitlines()))}, says="aliases"),
        Case("recursive-alias-in-description", v, {"s.yaml": saas(
            "description: >\n  Five L1", "description: &d [[*d]]\nnotes: >\n  Five L1")},
             says="never end"),
        Case("recursive-alias", v, {"s.yaml": "a: &a [*a]\n"}, says="never end"),
        Case("merge-key-bomb", v, {"s.yaml": laughs(7) + "m: {<<: {x: *a6}}\n" + SAAS},
             says="aliases"),
        Case("nesting-500", v, {"s.yaml": "name: " + "[" * 500 + "]" * 500 + "\n"},
             says="nested more than 64"),
        Case("nesting-20000", v, {"s.yaml": "name: " + "[" * 20000 + "]" * 20000 + "\n"},
             says="nested more than 64"),
        Case("nesting-mappings", v, {"s.yaml": "".join(f"{' ' * i}k{i}:\n" for i in range(200))
                                     + " " * 200 + "x: 1\n"}, says="nested"),
        Case("nesting-flow-mappings", v, {"s.yaml": "a: " + "{a: " * 300 + "1" + "}" * 300},
             says="nested"),
        Case("dev-zero", ("validate", "/dev/zero"), says="not a regular file"),
        Case("dev-urandom", ("validate", "/dev/urandom"), says="not a regular file"),
        Case("fifo", v, {"s.yaml": fifo}, says="not a regular file"),
        Case("a-folder", v, {"s.yaml": folder}, says="is a folder"),
        Case("missing-file", ("validate", "{dir}/nope.yaml"), says="no such file"),
        Case("big-description", v, {"s.yaml": big_file(3 * 2**20, comment=False)},
             says=r"MiB.* at most 1 MiB"),
        Case("big-comments", v, {"s.yaml": big_file(3 * 2**20, comment=True)},
             says=r"at most 1 MiB"),
        Case("not-utf8", v, {"s.yaml": b"name: \xff\xfe\xfa\n"}, says="not UTF-8"),
        Case("nul-bytes", v, {"s.yaml": "name: a\x00b\n"}, says="YAML syntax error"),
        Case("python-tag", v, {"s.yaml": saas("name:", "x: !!python/object/apply:os.system "
                                                     "['touch pwned']\nname:")},
             says="tag .* not allowed"),
        Case("python-name-tag", v, {"s.yaml": saas("name:", "x: !!python/name:os.system ''"
                                                          "\nname:")}, says="tag .* not allowed"),
        Case("binary-tag", v, {"s.yaml": saas("name:", "x: !!binary '@@@'\nname:")},
             says="tag .* not allowed"),
        Case("start-feb-30", v, {"s.yaml": saas("start: 2026-01-05", "start: 2026-02-30")},
             says="day is out of range"),
        Case("start-month-13", v, {"s.yaml": saas("start: 2026-01-05", "start: 2026-13-01")},
             says="start"),
        Case("start-year-0", v, {"s.yaml": saas("start: 2026-01-05", "start: 0000-01-01")},
             says="start"),
        Case("integer-5000-digits", v, {"s.yaml": saas("count: 1}  # clears",
                                                       "count: 1" + "0" * 5000 + "}  #")},
             says="digits"),
        Case("empty-file", v, {"s.yaml": ""}, says="got empty"),
        Case("scalar-document", v, {"s.yaml": "42\n"}, says="mapping"),
        Case("list-document", v, {"s.yaml": "- a\n- b\n"}, says="mapping"),
        Case("two-documents", v, {"s.yaml": SAAS + "---\n" + SAAS}, says="YAML syntax"),
        Case("duplicate-key", v, {"s.yaml": saas("horizon: 4w", "horizon: 4w\nhorizon: 5w")},
             says="duplicate key"),
        Case("tab-indent", v, {"s.yaml": "name: x\n\thorizon: 1w\n"}, says="YAML syntax"),
        Case("markup-in-key", v, {"s.yaml": saas("horizon: 4w", "horizon: 4w\n'[/red]': 1")},
             says=r"\[/red\]"),
        Case("markup-in-name", v, {"s.yaml": saas("horizon: 4w", "horizon: [bold]")},
             says="horizon"),
        Case("anchor-undefined", v, {"s.yaml": saas("horizon: 4w", "horizon: *nothing")},
             says="undefined alias"),
        Case("complex-key", v, {"s.yaml": saas("horizon: 4w", "horizon: 4w\n? [a, b]\n: 1")},
             says="plain name"),
    ]


def _number_cases() -> list[Case]:
    v = ("validate", "{s_yaml}")
    r = (*RUN, "{s_yaml}")
    return [
        Case("count-10^400", v, {"s.yaml": saas("count: 1}  # clears",
                                                "count: 1" + "0" * 400 + "}  #")},
             says="agents"),
        Case("agents-10^6", r, {"s.yaml": saas("count: 1}  # clears", "count: 1000000}  #")},
             says=r"1,000,0\d\d agents; at most 20,000"),
        Case("rotation-pool-10^6", v, {"s.yaml": saas("pool: 5, on_duty", "pool: 1000000, "
                                                                          "on_duty")},
             says="agents"),
        Case("rate-1e400", r, {"s.yaml": saas("rate: 9/h", "rate: 1e400/h")}, says="rate"),
        Case("rate-1e400-validate", v, {"s.yaml": saas("rate: 9/h", "rate: 1e400/h")},
             says="rate"),
        Case("rate-1e308", r, {"s.yaml": saas("rate: 9/h", "rate: 1e308/h")},
             says="too big|overflow"),
        Case("rate-1e9", r, {"s.yaml": saas("rate: 9/h", "rate: 1e9/h")},
             says=r"too big: about .* tickets per replication"),
        Case("rate-1e9-validate", v, {"s.yaml": saas("rate: 9/h", "rate: 1e9/h")},
             says="too big"),
        Case("rate-inf", r, {"s.yaml": saas("rate: 9/h", "rate: .inf")}, says="rate"),
        Case("rate-nan", r, {"s.yaml": saas("rate: 9/h", "rate: .nan")}, says="rate"),
        Case("volume-1e308", r, {"s.yaml": saas("rate: 5.5/h", "volume: 1e308/w")},
             says="too big|overflow|volume"),
        Case("surge-1e12", r, {"s.yaml": saas("multiplier: 4", "multiplier: 1e12", BAD_MONTH)},
             says="too big"),
        Case("surge-inf", r, {"s.yaml": saas("multiplier: 4", "multiplier: .inf", BAD_MONTH)},
             says="multiplier"),
        Case("day-factor-cv-1e6", r, {"s.yaml": saas("cv: 25%}", "cv: 1000000}", BAD_MONTH)},
             says=r"cv .* above 500%"),
        Case("trend-1000pct-a-day", r, {"s.yaml": saas("trend: 2%/w", "trend: 1000%/d",
                                                      BAD_MONTH)}, says="too big|overflow"),
        Case("trend-minus-100", r, {"s.yaml": saas("trend: 2%/w", "trend: -100%/w",
                                                   BAD_MONTH)}, says="trend"),
        Case("horizon-100-years", v, {"s.yaml": saas("horizon: 4w", "horizon: 5200w")},
             says=r"100 years; at most 5 years"),
        Case("horizon-1e9-weeks", r, {"s.yaml": saas("horizon: 4w", "horizon: 1000000000w")},
             says="years"),
        Case("horizon-inf", v, {"s.yaml": saas("horizon: 4w", "horizon: .inf")},
             says="horizon"),
        Case("warmup-1e9-weeks", v, {"s.yaml": saas("warmup: 1w", "warmup: 1000000000w")},
             says="warm"),
        Case("replications-1e9-run", (*RUN, "-r", "1000000000", "{s_yaml}"),
             {"s.yaml": SAAS}, says=r"1,000,000,000 replications .* budget"),
        Case("replications-1e9-file", v, {"s.yaml": saas("routing:", "replications: "
                                                                     "1000000000\nrouting:")},
             says="budget"),
        Case("replications-1e9-check", ("check", "-r", "1000000000", "{s_yaml}"),
             {"s.yaml": SAAS}, says="budget"),
        Case("replications-huge-compare", ("compare", "-q", "--out", "{dir}/c", "-p",
                                           "fifo,cherry-pick", "-r", "100000000", "{s_yaml}"),
             {"s.yaml": SAAS}, says="budget"),
        Case("max-tickets-flag", (*RUN, "--max-tickets", "100", "{s_yaml}"), {"s.yaml": SAAS},
             says=r"budget is 100 tickets; pass --max-tickets"),
        Case("negative-rate", v, {"s.yaml": saas("rate: 9/h", "rate: -9/h")}, says="rate"),
    ]


def _output_cases() -> list[Case]:
    s = {"s.yaml": SAAS, "file": "x"}
    return [
        Case("run-out-is-a-file", ("run", "-q", "--out", "{file}", "{s_yaml}"), s,
             says="is a file|not a folder"),
        Case("run-out-under-a-file", ("run", "-q", "--out", "{file}/sub/out", "{s_yaml}"), s,
             says=r"is a file, not a folder"),
        Case("compare-out-under-a-file", ("compare", "-q", "-p", "fifo,cherry-pick", "--out",
                                          "{file}/o", "{s_yaml}"), s, says="is a file"),
        Case("check-out-under-a-file", ("check", "-q", "--out", "{file}/o", "{s_yaml}"), s,
             says="is a file"),
        Case("sweep-out-is-a-file", ("sweep", "-q", "-w", "1", "--out", "{file}", "{w_yaml}"),
             {**s, "saas.yaml": SAAS, "w.yaml": sweep_file("  arrivals[0].rate: [9/h]")},
             says="is a file|not a folder"),
        Case("sweep-out-under-a-file", ("sweep", "-q", "-w", "1", "--out", "{file}/o",
                                        "{w_yaml}"),
             {**s, "saas.yaml": SAAS, "w.yaml": sweep_file("  arrivals[0].rate: [9/h]")},
             says="is a file"),
        Case("staff-out-under-a-file", ("staff", "-q", "--out", "{file}/o", "{s_yaml}"), s,
             says="is a file"),
        Case("export-out-under-a-file", ("export", "{dir}", "-o", "{file}/t.csv"), s,
             says="is a file"),
        Case("fit-out-under-a-file", ("fit", "{h_csv}", "-o", "{file}/f.yaml", *FIT),
             {**s, "h.csv": history(ROWS)}, says="is a file"),
        Case("fit-report-under-a-file", ("fit", "{h_csv}", "-o", "{dir}/f.yaml", "--report",
                                         "{file}/r.html", "--no-verify", "-q"),
             {**s, "h.csv": history(ROWS)}, says="--report .* is a file"),
        Case("run-out-read-only", ("run", "-q", "--out", "{ro}/out", "{s_yaml}"),
             {**s, "ro": ro_mount}, says="not writable", root_only=True),
        Case("run-out-disk-full", ("run", "-q", "--out", "{full}/out", "{s_yaml}"),
             {**s, "full": full_mount}, says=r"MiB free", root_only=True),
        Case("sweep-out-disk-full", ("sweep", "-q", "-w", "1", "--out", "{full}/o",
                                     "{w_yaml}"),
             {"saas.yaml": SAAS, "w.yaml": sweep_file("  arrivals[0].rate: [9/h]"),
              "full": full_mount}, says="MiB free", root_only=True),
        Case("fit-out-read-only", ("fit", "{h_csv}", "-o", "{ro}/f.yaml", *FIT),
             {"h.csv": history(ROWS), "ro": ro_mount}, says="not writable", root_only=True),
    ]


def _sweep_cases() -> list[Case]:
    base = {"saas.yaml": SAAS}
    sw = ("sweep", "-q", "-w", "1", "--out", "{dir}/o", "{w_yaml}")
    grid = "\n".join(f"  tiers.L1.agents[{i}].count: [{', '.join(map(str, range(16)))}]"
                     for i in range(5))
    return [
        Case("grid-10^6", sw, {**base, "w.yaml": sweep_file(
            grid + "\n  arrivals[0].rate: [" + ", ".join(f"{n}/h" for n in range(1, 2))
            + "]")}, says=r"1,048,576 points .* at most 10,000"),
        Case("grid-100k", sw, {**base, "w.yaml": sweep_file(
            "  tiers.L1.agents[0].count: [" + ", ".join(map(str, range(100))) + "]\n"
            "  tiers.L1.agents[1].count: [" + ", ".join(map(str, range(1000))) + "]")},
             says="points"),
        Case("sweep-value-invalid", sw, {**base, "w.yaml": sweep_file(
            "  arrivals[0].rate: [9/h, abc]")}, code=1, says=r"1 point\(s\) failed"),
        Case("sweep-value-code", sw, {**base, "w.yaml": sweep_file(
            "  routing.policy: [fifo, 'subprocess:Popen']")}, says="names Python code"),
        Case("sweep-value-rate-1e9", sw, {**base, "w.yaml": sweep_file(
            "  arrivals[0].rate: [9/h, 1e9/h]")}, says="too big"),
        Case("sweep-value-horizon", sw, {**base, "w.yaml": sweep_file(
            "  horizon: [4w, 100000w]")}, says="years"),
        Case("sweep-work", (*sw, "-r", "100000"), {**base, "w.yaml": sweep_file(
            "  arrivals[0].rate: [9/h, 11/h]")}, says="budget"),
        Case("sweep-replications-1e9", sw, {**base, "w.yaml": sweep_file(
            "  arrivals[0].rate: [9/h]").replace("replications: 2", "replications: "
                                                 "1000000000")}, says="budget"),
        Case("sweep-file-dev-zero", ("sweep", "-q", "/dev/zero"), says="not a regular file"),
        Case("sweep-base-dev-urandom", sw, {"w.yaml": sweep_file(
            "  arrivals[0].rate: [9/h]", base="/dev/urandom")}, says="not a regular file"),
        Case("sweep-file-laughs", sw, {"w.yaml": laughs() + sweep_file("  x: [1]")},
             says="aliases"),
        Case("sweep-resume-bad-state", (*sw, "--resume"), {
            **base, "w.yaml": sweep_file("  arrivals[0].rate: [9/h]"),
            "o/state.json": "{not json"}, says="state.json cannot be read"),
        Case("sweep-resume-state-not-ours", (*sw, "--resume"), {
            **base, "w.yaml": sweep_file("  arrivals[0].rate: [9/h]"),
            "o/state.json": "[1, 2]"}, says="not a sweep's state"),
        Case("dask-garbage", (*sw, "--dask", "no such host!"), {
            **base, "w.yaml": sweep_file("  arrivals[0].rate: [9/h]")}, says="--dask"),
        Case("dask-not-a-port", (*sw, "--dask", "tcp://host:notaport"), {
            **base, "w.yaml": sweep_file("  arrivals[0].rate: [9/h]")}, says="--dask .*Port"),
        Case("dask-http", (*sw, "--dask", "http://localhost:8786"), {
            **base, "w.yaml": sweep_file("  arrivals[0].rate: [9/h]")},
             says="not a dask scheduler's"),
        Case("dask-port-range", (*sw, "--dask", "tcp://127.0.0.1:99999"), {
            **base, "w.yaml": sweep_file("  arrivals[0].rate: [9/h]")}, says="--dask"),
        Case("dask-bad-ipv6", (*sw, "--dask", "tcp://[::1"), {
            **base, "w.yaml": sweep_file("  arrivals[0].rate: [9/h]")}, says="--dask"),
        Case("dask-refused", (*sw, "--dask", "tcp://127.0.0.1:1"), {
            **base, "w.yaml": sweep_file("  arrivals[0].rate: [9/h]")},
             says="cannot connect"),
        Case("dask-path", (*sw, "--dask", "tcp://127.0.0.1:8786/x?y"), {
            **base, "w.yaml": sweep_file("  arrivals[0].rate: [9/h]")}, says="not an address"),
    ]


def _fit_cases() -> list[Case]:
    fit = ("fit", "{h_csv}", "-o", "{dir}/f.yaml", *FIT)
    loud = ("fit", "{h_csv}", "-o", "{dir}/f.yaml", *FIT_LOUD)
    rows = list(ROWS)
    ragged = [*rows[:10], rows[10] + ",extra,more", *rows[11:]]
    dst = [*rows[:5], "90001,2026-03-29 02:30:00,Chat,standard,order,closed,,,,,L1,,",
           "90002,2026-10-25 02:30:00,Chat,standard,order,closed,,,,,L1,,", *rows[5:]]
    one = "1,{},Chat,standard,order,solved,,,,,L1,,"
    return [
        Case("fit-ragged", loud, {"h.csv": history(ragged)}, code=0,
             says=r"1 line: has 15 fields, the header 13 — left out \(line 12\)"),
        Case("fit-year-1", loud, {"h.csv": history([one.format("0001-03-02 02:55:56"),
                                                    *rows])}, code=0,
             says=r"not a timestamp \(e.g. '0001-03-02 02:55:56'.* \(line 2\)"),
        Case("fit-year-9999", loud, {"h.csv": history([*rows, one.format("9999-12-31 "
                                                                         "23:59:59")])},
             code=0, says="not a timestamp .*9999"),
        Case("fit-1980-outlier", loud, {"h.csv": history([one.format("1980-03-02 10:00:00"),
                                                          *rows])}, code=0,
             says=r"on 1980-03-02 is more than 31 days away .* \(line 2\)"),
        Case("fit-work-nan", fit, {"h.csv": with_work("nan")}, says="work time"),
        Case("fit-work-inf", fit, {"h.csv": with_work("inf")}, says="work time"),
        Case("fit-work-1e308", fit, {"h.csv": with_work("1e308")}, says="work time"),
        Case("fit-work-abc", fit, {"h.csv": with_work("abc")}, says="work time"),
        Case("fit-work-clock-99", fit, {"h.csv": with_work("0:99:99")}, says="work time"),
        Case("fit-dst-berlin", (*loud, "--tz", "Europe/Berlin"), {"h.csv": history(dst)},
             code=0, says="2 created_at time.* clocks changed"),
        Case("fit-time-format", (*fit, "--time-format", "%Q%Q"), {"h.csv": history(rows)},
             says="--time-format '%Q%Q'"),
        Case("fit-bad-zone", (*fit, "--tz", "Mars/Base"), {"h.csv": history(rows)},
             says="--tz"),
        Case("fit-dev-zero", ("fit", "/dev/zero", "-o", "{dir}/f.yaml", *FIT),
             says="not a regular file"),
        Case("fit-empty", fit, {"h.csv": ""}, says="cannot read|usable"),
        Case("fit-header-only", fit, {"h.csv": HEADER + "\n"}, says="usable"),
        Case("fit-all-bad", fit, {"h.csv": history([one.format("never")] * 200)},
             says="usable"),
        Case("fit-binary", fit, {"h.csv": bytes(range(256)) * 100}, says="cannot read|column"),
        Case("fit-six-years", fit, {"h.csv": spread_over_years()}, says="years"),
    ]


def _code_cases() -> list[Case]:
    def routing(policy: str) -> str:
        return saas("routing: {policy: fifo}", f"routing: {{policy: '{policy}'}}")

    allowed = ("validate", "--allow-code", "{s_yaml}")
    return [
        Case("code-refused", ("validate", "{s_yaml}"), {"s.yaml": routing("subprocess:Popen")},
             says="names Python code"),
        Case("code-os-system", ("validate", "{s_yaml}"), {"s.yaml": routing("os:system")},
             says="names Python code"),
        Case("code-exit-on-import", allowed, {"s.yaml": routing("evil_exit:Policy"),
                                              "evil_exit.py": "import sys\nsys.exit(3)\n"},
             says="evil_exit"),
        Case("code-raises-on-import", allowed, {
            "s.yaml": routing("evil_raise:Policy"),
            "evil_raise.py": "raise RuntimeError('boom')\n"}, says="evil_raise"),
        Case("code-wrong-signature", allowed, {
            "s.yaml": routing("evil_signature:Policy"),
            "evil_signature.py": "class Policy:\n    def choose(self):\n        return None\n"},
             says="Policy"),
        Case("code-not-a-policy", allowed, {"s.yaml": routing("subprocess:Popen")},
             says="Popen"),
    ]


def cases() -> list[Case]:
    return [*_yaml_cases(), *_number_cases(), *_output_cases(), *_sweep_cases(),
            *_fit_cases(), *_code_cases()]

