"""CloudWatch reads for calibration: the time window and batched GetMetricData queries.

CloudWatch keeps one-minute data for 15 days, five-minute data for 63 days and hourly
data for 455 days, so the series' resolution follows the window's length. A query asks
either for a series (one value per period) or for one value over the whole window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Hashable

from model.errors import StratusError

from .aws import MAX_ATTEMPTS, AccountReader

MAX_SINCE_HOURS = 455 * 24
BATCH = 500  # GetMetricData takes at most 500 queries a call
# (longest window in hours, period in seconds): CloudWatch's retention of each resolution.
RESOLUTIONS = ((15 * 24, 60), (63 * 24, 300), (MAX_SINCE_HOURS, 3600))


@dataclass(frozen=True)
class Window:
    start: datetime  # UTC, on a period boundary
    periods: int
    period_s: int

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds)

    @property
    def seconds(self) -> int:
        return self.periods * self.period_s

    def index(self, when: datetime) -> int:
        return int((when - self.start).total_seconds() // self.period_s)

    def at(self, index: int) -> datetime:
        return self.start + timedelta(seconds=index * self.period_s)


def window(since_hours: float, now: datetime | None = None) -> Window:
    """The `since_hours` before `now`, in whole periods ending at the last full one."""
    if not 0 < since_hours <= MAX_SINCE_HOURS:
        raise StratusError(f"--since must be more than 0 and at most {MAX_SINCE_HOURS} hours "
                           f"(CloudWatch keeps 455 days), got {since_hours:g}")
    period = next(p for hours, p in RESOLUTIONS if since_hours <= hours)
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    end = datetime.fromtimestamp(now.timestamp() // period * period, timezone.utc)
    periods = max(1, int(round(since_hours * 3600 / period)))
    return Window(end - timedelta(seconds=periods * period), periods, period)


@dataclass(frozen=True)
class Query:
    key: Hashable  # how the caller finds the answer
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str
    series: bool = False  # one value per period; else one value over the whole window


def fetch(r: AccountReader, queries: list[Query], win: Window, what: str, *,
          attempts: int = MAX_ATTEMPTS) -> dict[Hashable, list[float]] | None:
    """Answers by query key: a list of `win.periods` values (missing periods are 0) for a
    series, a one-element list (empty when CloudWatch has no data) for a whole-window value.
    None when a call failed (it is in the report)."""
    answers: dict[Hashable, list[float]] = {}
    for first in range(0, len(queries), BATCH):
        batch = queries[first:first + BATCH]
        results = _get(r, batch, win, what, attempts)
        if results is None:
            return None
        for query, (times, values) in zip(batch, results):
            answers[query.key] = _series(win, times, values) if query.series else values[:1]
        r.advance(f"read {len(batch)} CloudWatch metrics ({what})")
    return answers


def _get(r: AccountReader, batch: list[Query], win: Window, what: str, attempts: int):
    """(timestamps, values) per query, pages merged."""
    merged: dict[str, tuple[list, list]] = {f"q{i}": ([], []) for i in range(len(batch))}
    params: dict[str, Any] = {
        "MetricDataQueries": [_query(f"q{i}", q, win) for i, q in enumerate(batch)],
        "StartTime": win.start, "EndTime": win.end, "ScanBy": "TimestampAscending"}
    token = None
    while True:
        page = r.call("cloudwatch", "get_metric_data", "CloudWatch", what, attempts=attempts,
                      **params, **({"NextToken": token} if token else {}))
        if page is None:
            return None
        for result in page.get("MetricDataResults", []):
            times, values = merged.setdefault(result["Id"], ([], []))
            times += result.get("Timestamps", [])
            values += result.get("Values", [])
        token = page.get("NextToken")
        if not token:
            return [merged[f"q{i}"] for i in range(len(batch))]


def _query(ident: str, q: Query, win: Window) -> dict:
    return {"Id": ident, "ReturnData": True, "MetricStat": {
        "Metric": {"Namespace": q.namespace, "MetricName": q.metric,
                   "Dimensions": [{"Name": k, "Value": v} for k, v in q.dimensions]},
        "Period": win.period_s if q.series else win.seconds, "Stat": q.stat}}


def _series(win: Window, times: list[datetime], values: list[float]) -> list[float]:
    out = [0.0] * win.periods
    for when, value in zip(times, values):
        index = win.index(when.astimezone(timezone.utc) if when.tzinfo else when.replace(tzinfo=timezone.utc))
        if 0 <= index < win.periods:
            out[index] += float(value)
    return out
