"""A simulated history written in a help desk tool's *default* export columns.

``simdesk export`` writes every field the fit can use, in custom columns where a tool has
none (``Groups``, ``Work minutes``). Real exports are poorer: Zendesk names only the last
group and assignee, tracks time in seconds and has no status for "gave up"; Jira names no
channel and writes ``02/Mar/26 4:11 AM``. :func:`vendor_table` turns a ``simdesk``-format
export (:func:`simdesk.fit.export.export_tickets`) into such a file, so that the fit is
tested — and the examples under ``examples/exports/`` are made — on what the tools really
give. Conventions (documented in docs/fit.md):

* a ticket whose customer gave up is tagged ``abandoned`` (Zendesk, Freshdesk) or ends
  ``Canceled`` (Jira, ServiceNow), with its solve (resolve, close) time when they gave up;
* a solved ticket ends ``closed``/``Closed`` when it was solved more than
  :data:`AUTO_CLOSE_DAYS` before the export was taken (as Zendesk and Freshdesk close
  solved tickets), else ``solved``/``Resolved``;
* work is the total over the ticket's tiers, credited to its last group and agent.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from simdesk.errors import SimdeskError

VENDORS = ("zendesk", "freshdesk", "jira", "servicenow")
AUTO_CLOSE_DAYS = 4
_TIME_FORMATS = {"zendesk": "%Y-%m-%d %H:%M:%S", "freshdesk": "%Y-%m-%d %H:%M:%S",
                 "jira": "%d/%b/%y %I:%M %p", "servicenow": "%Y-%m-%d %H:%M:%S"}
_VIA = {"phone": "Phone call (inbound)", "email": "Mail", "chat": "Chat", "web": "Web form"}
_SOURCE = {"phone": "Phone", "email": "Email", "chat": "Chat", "web": "Portal"}
_CONTACT = {"phone": "phone", "email": "email", "chat": "chat", "web": "self-service"}


def _local(values: pd.Series) -> pd.Series:
    """ISO text (with or without an offset) → naive local timestamps."""
    text = values.replace("", None)
    stamps = pd.to_datetime(text.str.slice(0, 19), format="ISO8601", errors="coerce")
    return stamps.astype("datetime64[ns]")


def _last(values: pd.Series) -> pd.Series:
    return values.fillna("").str.split(">").str[-1].fillna("")


def _total_minutes(values: pd.Series) -> np.ndarray:
    parts = values.fillna("").str.split(">")
    return np.array([sum(float(p) for p in items if p) if any(items) else np.nan
                     for items in parts], dtype=float)


def vendor_table(table: pd.DataFrame, vendor: str) -> pd.DataFrame:
    """A ``simdesk``-format export as ``vendor``'s default export (local times)."""
    if vendor not in VENDORS:
        raise SimdeskError(f"unknown vendor {vendor!r}; vendors: {', '.join(VENDORS)}")
    fmt = _TIME_FORMATS[vendor]
    times = {key: _local(table[key]) for key in ("created_at", "assigned_at",
                                                  "first_response_at", "abandoned_at",
                                                  "solved_at")}
    end = max(t.max() for t in times.values() if t.notna().any())
    status = table["status"].astype(str)
    gave_up = (status == "abandoned").to_numpy()
    ended = times["solved_at"].where(~gave_up, times["abandoned_at"])
    old = (end - ended) > pd.Timedelta(days=AUTO_CLOSE_DAYS)

    def text(stamps: pd.Series) -> pd.Series:
        written: pd.Series = stamps.dt.strftime(fmt).fillna("")
        return written

    work = _total_minutes(table["work_minutes"])
    seconds = pd.Series(np.round(work * 60), dtype="Int64").astype(str).replace("<NA>", "")
    group, agent = _last(table["groups"]), _last(table["assignees"])
    channel = table["channel"].astype(str)
    topic = table["topic"] if "topic" in table else pd.Series("", index=table.index)
    ids = table["ticket_id"].astype(str)
    first_reply = (times["first_response_at"] - times["created_at"]).dt.total_seconds() / 60
    words: dict[str, Callable[[], pd.DataFrame]] = {
        "zendesk": lambda: pd.DataFrame({
            "Id": ids, "Requester": "customer " + ids, "Assignee": agent, "Group": group,
            "Subject": "Ticket " + ids, "Tags": np.where(gave_up, "abandoned", ""),
            "Status": np.select([gave_up, status == "open", status == "refused", old],
                                ["closed", "open", "closed", "closed"], "solved"),
            "Priority": "normal", "Via": channel.map(_VIA).fillna(channel),
            "Ticket type": "question", "Created at": text(times["created_at"]),
            "Initially assigned at": text(times["assigned_at"]),
            "Solved at": text(ended),
            "Group stations": table["groups"].fillna("").str.count(">") + (group != ""),
            "First reply time in minutes": first_reply.round().astype("Int64").astype(
                str).replace("<NA>", ""),
            "Total time spent (sec)": seconds}),
        "freshdesk": lambda: pd.DataFrame({
            "Ticket ID": ids, "Subject": "Ticket " + ids,
            "Status": np.select([gave_up, status == "open", status == "refused", old],
                                ["Closed", "Open", "Closed", "Closed"], "Resolved"),
            "Priority": "Medium", "Source": channel.map(_SOURCE).fillna(channel),
            "Type": topic, "Agent": agent, "Group": group,
            "Created time": text(times["created_at"]),
            "Resolved time": text(ended),
            "Initial response time": text(times["first_response_at"]),
            "Time tracked": [_clock(m) for m in work],
            "Tags": np.where(gave_up, "abandoned", "")}),
        "jira": lambda: pd.DataFrame({
            "Summary": "Request " + ids, "Issue key": "HELP-" + ids, "Issue id": ids,
            "Issue Type": "Service Request",
            "Status": np.select([gave_up, status == "open", status == "refused"],
                                ["Canceled", "Waiting for support", "Closed"], "Resolved"),
            "Priority": "Medium",
            "Resolution": np.select([gave_up, status == "solved"], ["Won't Do", "Done"], ""),
            "Assignee": agent, "Reporter": "customer " + ids,
            "Created": text(times["created_at"]), "Resolved": text(ended),
            "Time Spent": seconds, "Custom field (Request Type)": topic}),
        "servicenow": lambda: pd.DataFrame({
            "number": "INC" + ids.str.zfill(7), "opened_at": text(times["created_at"]),
            "short_description": "Incident " + ids, "caller_id": "customer " + ids,
            "contact_type": channel.map(_CONTACT).fillna(channel), "category": topic,
            "priority": "4 - Low",
            "state": np.select([gave_up, status == "open", status == "refused", old],
                               ["Canceled", "In Progress", "Closed", "Closed"], "Resolved"),
            "assignment_group": group, "assigned_to": agent,
            "resolved_at": text(times["solved_at"]),
            "closed_at": text(ended.where(old | pd.Series(gave_up, index=table.index))),
            "time_worked": seconds}),
    }
    return words[vendor]()


def zendesk_statuses(table: pd.DataFrame) -> pd.DataFrame:
    """A ``simdesk export --format zendesk`` table with Zendesk's own status words: a
    solved ticket is ``closed`` once :data:`AUTO_CLOSE_DAYS` old; a customer who gave up
    has the custom ``Abandoned at`` time (their ticket ``closed`` like any other); a
    turned-away one is ``closed``. The columns stay as they are."""
    solved = pd.to_datetime(table["Solved at"].replace("", None), errors="coerce")
    created = pd.to_datetime(table["Created at"], errors="coerce")
    end = max(solved.max(), created.max())
    status = table["Status"].astype(str)
    old = (end - solved) > pd.Timedelta(days=AUTO_CLOSE_DAYS)
    result = table.copy()
    result["Status"] = np.where((status == "solved") & old, "closed", status)
    return result


def main(argv: list[str] | None = None) -> int:
    """``python -m simdesk.fit.vendor_export RESULTS_DIR OUT --vendor NAME [--tz ZONE]``:
    write a run's first replication in a tool's default columns (``zendesk-custom``:
    ``simdesk export``'s Zendesk columns with Zendesk's status words)."""
    import argparse

    from simdesk.fit.export import export_tickets, write_export
    from simdesk.fit.times import zone_named

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("results")
    parser.add_argument("out")
    parser.add_argument("--vendor", choices=[*VENDORS, "zendesk-custom"], required=True)
    parser.add_argument("--tz", default=None)
    args = parser.parse_args(argv)
    zone = zone_named(args.tz)
    if args.vendor == "zendesk-custom":
        table = zendesk_statuses(export_tickets(args.results, preset="zendesk", zone=zone))
    else:
        table = vendor_table(export_tickets(args.results, preset="simdesk", zone=zone),
                             args.vendor)
    write_export(table, args.out)
    print(f"{len(table):,} tickets written to {args.out} ({args.vendor})")
    return 0


def _clock(minutes: float) -> str:
    if not np.isfinite(minutes):
        return ""
    seconds = round(minutes * 60)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


__all__ = ["VENDORS", "main", "vendor_table", "zendesk_statuses"]


if __name__ == "__main__":
    raise SystemExit(main())
