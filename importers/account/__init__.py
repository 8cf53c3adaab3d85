"""Scan a live AWS account into a calibrated design.

    from importers.account import Scope, scan_account, save_scan, session_for
    session, region = session_for(profile=None, region="us-east-1", endpoint_url=None)
    scan = scan_account(session, region, scope=Scope(stack="orders"), since_hours=168)
    print(format_report(scan.result))
    save_scan(scan, "orders.yaml")   # the design and its observed traces beside it

How: list every resource of the nine services in the region (inventory.py), keep those in
the scope (scope.py: a stack, a tag, or everything), read their details, map them to
nodes and edges with the importers' GraphBuilder (mapping.py), calibrate durations, error
rates, item sizes and the observed load from CloudWatch (calibration.py), lay it out. Only
read calls are sent, through aws.AccountReader, which also retries throttled calls and
reports (by name) those AWS refused while the scan goes on.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from model.designfile import atomic_write_text, save_design
from model.errors import StratusError

from .aws import AccountReader, Cancel, Progress, ScanCancelled, ScanProgress, session_for
from .calibration import OBSERVED, PEAK_HOUR, calibrate
from .inventory import Record, list_all, read_details
from .mapping import build
from .metrics import window
from .scope import Scope, select
from .shared import DEFAULT_BUS, ImportResult, format_report

__all__ = ["DEFAULT_SINCE_HOURS", "OBSERVED", "PEAK_HOUR", "NothingToScan", "ScanCancelled", "ScanProgress",
           "ScanResult", "Scope", "format_report", "save_scan", "scan_account", "session_for",
           "trace_prefix_for"]

DEFAULT_SINCE_HOURS = 168.0


class NothingToScan(StratusError):
    """The scope holds no resource of the nine services."""


@dataclass
class ScanResult:
    result: ImportResult  # the design and the report (importers.base.format_report prints it)
    traces: dict[str, str]  # trace file name (beside the design) -> CSV text
    seconds: float
    calls: int  # AWS calls made

    @property
    def architecture(self):
        return self.result.architecture


def trace_prefix_for(design_path: str | os.PathLike) -> str:
    """Trace files are named <design>.observed.<entry>.csv, beside the design."""
    return f"{Path(design_path).stem}.observed"


def scan_account(session, region: str, *, scope: Scope = Scope(), endpoint_url: str | None = None,
                 since_hours: float = DEFAULT_SINCE_HOURS, trace_prefix: str = "scan.observed",
                 progress: Progress | None = None, cancel: Cancel | None = None,
                 now: datetime | None = None) -> ScanResult:
    """Read the scope, map it, calibrate it. Raises NothingToScan, ScanCancelled, or
    StratusError for an unusable target (no credentials, no such stack, unreachable)."""
    win = window(since_hours, now)
    started = time.monotonic()
    r = AccountReader(session, region, endpoint_url, progress=progress, cancel=cancel)
    records = list_all(r)
    kept, scope_notes = select(r, records, scope)
    kept += _buses_of_rules(kept, records)
    read_details(r, kept)
    sent_to = _buses_sent_to(kept, records)
    read_details(r, sent_to)
    kept += sent_to
    if not any(rec.spec.service for rec in kept):
        raise NothingToScan(_nothing_message(scope, region, r))
    b = build(scope.design_name(region), region, kept)
    b.notes += scope_notes
    b.fold_destination_grants()  # before calibrating: a destination's grant is no synchronous call
    _account_limit(b, r)
    traces = calibrate(b, r, win, trace_prefix)
    b.notes += r.problems
    b.arch.extra["scanned_from"] = {"scope": scope.describe(region), "since_hours": since_hours,
                                    "window": [win.start.isoformat(), win.end.isoformat()],
                                    **({"endpoint_url": endpoint_url} if endpoint_url else {})}
    r.advance(f"mapped {len(b.arch.nodes)} nodes and {len(b.arch.edges)} edges")
    return ScanResult(b.finish(), traces, time.monotonic() - started, r.calls)


def save_scan(scan: ScanResult, path: str | os.PathLike) -> list[str]:
    """Write the trace files, then the design (atomically); returns the paths written."""
    folder = os.path.dirname(os.path.abspath(path))
    written = []
    try:
        for name, text in sorted(scan.traces.items()):
            trace = os.path.join(folder, name)
            atomic_write_text(trace, text)
            written.append(trace)
        save_design(scan.architecture, path)
    except OSError as exc:
        raise StratusError(f"cannot write {exc.filename or path}: {exc.strerror or exc}") from None
    return written + [os.fspath(path)]


def _buses_of_rules(kept: list[Record], records: list[Record]) -> list[Record]:
    """The buses that kept event-pattern rules are on (the account's default bus among
    them), unless kept already."""
    wanted = {rec.data["bus"] for rec in kept if rec.kind == "rule" and rec.data.get("EventPattern")}
    have = {id(rec) for rec in kept}
    return [rec for rec in records if rec.kind == "event_bus" and rec.name in wanted and id(rec) not in have]


def _buses_sent_to(kept: list[Record], records: list[Record]) -> list[Record]:
    """Buses a kept bucket notifies (the default bus) or a kept function's role may put
    events on, unless kept already."""
    wanted: set[str] = set()
    for rec in kept:
        if rec.kind == "bucket" and "EventBridgeConfiguration" in (rec.details.get("notifications") or {}):
            wanted.add(DEFAULT_BUS)
        for document in rec.details.get("policies", []):
            wanted |= set(_strings(document.get("Statement")))
    have = {id(rec) for rec in kept}
    return [rec for rec in records if rec.kind == "event_bus" and id(rec) not in have and rec.ids & wanted]


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _account_limit(b, r: AccountReader) -> None:
    settings = r.call("lambda", "get_account_settings", "the account",
                      "the account's Lambda concurrency limit not read (the default 1000 is used)")
    limit = ((settings or {}).get("AccountLimit") or {}).get("ConcurrentExecutions")
    if limit:
        b.arch.account["concurrency_limit"] = int(limit)


def _nothing_message(scope: Scope, region: str, r: AccountReader) -> str:
    lines = [f"nothing to scan: no resources of the nine services (Lambda, API Gateway, DynamoDB, S3, SQS, "
             f"SNS, Kinesis, EventBridge, Step Functions) in {scope.describe(region)}"]
    if r.problems:
        lines.append(f"{len(r.problems)} call(s) failed, which may be why:")
        lines += [f"  {note.format()}" for note in r.problems]
    return "\n".join(lines)
