"""How each node fared in a run: the verdict the canvas shows as a coloured ring and a badge.

A node's health level is one of:

- `idle`: no request reached it;
- `throttled`: more than 0.1 % of the attempts on it were refused;
- `busy`: at 80 % of its capacity or more at its peak, more than 1 % of its requests
  failed, or (a queue or stream) it ends the run with more than a minute of its arrivals
  still waiting (it is backing up), or its messages waited more than a minute at p99
  beyond the longest batch window its consumers ask for (they are slow to drain it);
- `ok`: none of these.

Capacity (for utilisation) is a per-service rule in `CAPACITY`, not an if-chain: a
function's concurrency against its reserved concurrency or the account's limit, an API's
offered rate against its throttle rate, a provisioned table's throughput against its
read and write capacity. Services without a rule have no utilisation.

An amber or red verdict carries its `reason` in words ("13% of requests failed, more
than 1%"), so a ring's tooltip says why it is that colour.

The badge under a node gives its p99 latency, cold starts, throttles, errors and
backlog (`badge_text`); where the canvas has no room for all of it, `badge_short` gives
the one figure that matters most. The band along an edge is as wide as the requests per
second on it (`edge_rates`). `headline` gives the dashboard's key figures, success rate
and failures included. The number formats (`fmt_count`, `fmt_ms`, `fmt_usd`) are the
ones every results view uses, so the canvas, the dashboard and What-if Compare write a
figure the same way.

Pure functions of a design and a Result: the designer's overlay and replay, the CLI
and tests all call them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from model.architecture import Architecture

OK, BUSY, THROTTLED, IDLE = "ok", "busy", "throttled", "idle"
LEVELS = (OK, BUSY, THROTTLED, IDLE)
BUSY_UTILISATION = 0.8
THROTTLE_SHARE = 0.001  # more than 0.1 % of attempts refused counts as throttled
ERROR_SHARE = 0.01
BACKLOG_SECONDS = 60.0  # a queue ending the run with more than this much of its arrivals waiting is backing up
WAIT_SECONDS = 60.0  # a queue whose p99 wait exceeds this (beyond its batch windows) is slow to drain
# Services whose latency is the time a message or record waited before a consumer took it
# (DESIGN.md section 4), not the time of a call.
WAITING_LATENCY = frozenset({"sqs", "kinesis"})


# --------------------------------------------------------------------------------------
# How figures are written


def fmt_count(value) -> str:
    return "—" if value is None else f"{int(round(value)):,}"


def fmt_ms(value: float) -> str:
    """A duration given in milliseconds, with its unit: "0.2 ms", "290 ms", "2,500 ms",
    then seconds from 10 s ("12.3 s")."""
    if value >= 10_000:
        return f"{value / 1000:,.1f} s"
    return f"{value:,.0f} ms" if value >= 10 else f"{value:,.1f} ms"


def fmt_share(share: float) -> str:
    """A share as a percentage, with decimals only where they matter ("13%", "4.2%",
    "99.2%", "0.4%"); never rounded to 0% or 100% when it is not exactly that."""
    percent = 100.0 * share
    if percent <= 0 or percent >= 100 or 10 <= percent <= 99:
        return f"{percent:.0f}%"
    if 1 <= percent < 10:
        return f"{percent:.1f}".removesuffix(".0") + "%"
    if percent > 99:
        return f"{math.floor(percent * 10) / 10:.1f}%"
    if percent >= 0.1:
        return f"{math.ceil(percent * 10) / 10:.1f}%"
    return f"{math.ceil(percent * 100) / 100:.2f}%"


def fmt_usd(value: float) -> str:
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else f"${value:.4f}"


# --------------------------------------------------------------------------------------
# Capacity: the share of a node's capacity it used at its peak


def _lambda_capacity(arch: Architecture, node_id: str, stats, series) -> float | None:
    config = arch.nodes[node_id].effective_config()
    cap = config.get("reserved_concurrency") or arch.account_setting("concurrency_limit")
    return stats.max_concurrency / cap if cap else None


def _api_capacity(arch: Architecture, node_id: str, stats, series) -> float | None:
    rate = arch.nodes[node_id].effective_config().get("throttle_rate_rps")
    offered = [a + b for a, b in zip(series.get("throughput", ()), series.get("throttled", ()))]
    return max(offered) / rate if rate and offered else None


def _provisioned_table(arch: Architecture, node_id: str, stats, series) -> float | None:
    config = arch.nodes[node_id].effective_config()
    if config.get("billing_mode") != "provisioned":
        return None
    capacity = (config.get("read_capacity") or 0) + (config.get("write_capacity") or 0)
    peak = max(series.get("throughput", ()) or [0])
    return peak / capacity if capacity else None


CAPACITY = {"lambda": _lambda_capacity, "api_gateway": _api_capacity, "dynamodb": _provisioned_table}


# --------------------------------------------------------------------------------------
# Verdicts


@dataclass(frozen=True)
class Health:
    level: str  # ok, busy, throttled, idle
    utilisation: float | None  # share of the node's capacity at its peak, if it has one
    throttle_share: float
    summary: str  # tooltip text: the reason first, then the figures
    reason: str = ""  # why it is amber or red, in words ("" when ok or idle)


def node_health(arch: Architecture, result, node_id: str) -> Health:
    """The verdict on one node of `result`, which was simulated on `arch`."""
    stats = result.nodes[node_id]
    series = result.timeseries.nodes.get(node_id, {})
    rule = CAPACITY.get(stats.service)
    utilisation = rule(arch, node_id, stats, series) if rule and node_id in arch.nodes else None
    share = stats.throttled / stats.requests if stats.requests else 0.0
    errors = stats.errors / stats.requests if stats.requests else 0.0
    reason = ""
    if stats.requests == 0:
        level = IDLE
    elif share > THROTTLE_SHARE:
        level = THROTTLED
        reason = (f"Throttled: {fmt_share(share)} of the attempts were refused for capacity "
                  f"(more than {fmt_share(THROTTLE_SHARE)})")
    elif errors > ERROR_SHARE:
        level = BUSY
        reason = f"Erroring: {fmt_share(errors)} of the requests failed (more than {fmt_share(ERROR_SHARE)})"
    elif _backing_up(result, stats, series):
        level = BUSY
        reason = (f"Backing up: {fmt_count(series['backlog'][-1])} messages still waiting at the end "
                  f"of the run, more than {BACKLOG_SECONDS:.0f} s of its arrivals")
    elif (wait_s := _slow_to_drain(arch, node_id, stats)) is not None:
        level = BUSY
        reason = (f"Slow to drain: 1% of the messages waited {fmt_ms(stats.latency_ms.p99)} or more "
                  f"before a consumer took them, more than {wait_s:.0f} s")
    elif (utilisation or 0) >= BUSY_UTILISATION:
        level = BUSY
        reason = (f"Busy: at its peak it used {fmt_share(utilisation)} of its capacity "
                  f"({fmt_share(BUSY_UTILISATION)} or more)")
    else:
        level = OK
    lines = [reason] if reason else []
    lines.append(f"{fmt_count(stats.requests)} requests, {fmt_count(stats.throttled)} throttled "
                 f"({share:.1%}), {fmt_count(stats.errors)} errors")
    if utilisation is not None:
        lines.append(f"peak utilisation {utilisation:.0%} of capacity")
    lines.append(f"latency p50 {fmt_ms(stats.latency_ms.p50)} · p99 {fmt_ms(stats.latency_ms.p99)}")
    if stats.cold_starts:
        lines.append(f"{fmt_count(stats.cold_starts)} cold starts")
    if stats.max_backlog:
        lines.append(f"peak backlog {fmt_count(stats.max_backlog)} messages")
    return Health(level, utilisation, share, "\n".join(lines), reason)


def _backing_up(result, stats, series) -> bool:
    """A queue or stream whose backlog at the end exceeds BACKLOG_SECONDS of its arrivals."""
    backlog = series.get("backlog")
    if stats.max_backlog is None or not backlog:
        return False
    measured = result.measured_s or result.duration_s
    arrivals_per_s = stats.requests / measured if measured else 0.0
    return backlog[-1] > max(1.0, BACKLOG_SECONDS * arrivals_per_s)


def _slow_to_drain(arch: Architecture, node_id: str, stats) -> float | None:
    """For a queue or stream whose p99 wait exceeds WAIT_SECONDS plus the longest batch
    window of its consumers (a wait they ask for), that limit in seconds; else None."""
    if stats.service not in WAITING_LATENCY:
        return None
    windows = [float(e.config.get("batch_window_s") or 0) for e in arch.edges_from(node_id)
               if arch.edge_kind(e) == "event_source"]
    limit_s = WAIT_SECONDS + max(windows, default=0.0)
    return limit_s if stats.latency_ms.p99 > limit_s * 1000.0 else None


def badge_text(stats) -> str:
    """The words under a node: p99, then cold starts, throttles, errors and backlog when
    there are any."""
    parts = [f"p99 {fmt_ms(stats.latency_ms.p99)}"] if stats.latency_ms.p99 > 0 else []
    if stats.cold_starts:
        parts.append(f"{fmt_count(stats.cold_starts)} cold")
    if stats.throttled:
        parts.append(f"{fmt_count(stats.throttled)} throttled")
    if stats.errors:
        parts.append(f"{fmt_count(stats.errors)} errors")
    if stats.max_backlog:
        parts.append(f"backlog {fmt_count(stats.max_backlog)}")
    return " · ".join(parts)


def badge_short(stats) -> str:
    """The one figure that matters most, for a badge with little room: throttles, then
    errors, then backlog, else p99."""
    if stats.throttled:
        return f"{fmt_count(stats.throttled)} throttled"
    if stats.errors:
        return f"{fmt_count(stats.errors)} errors"
    if stats.max_backlog:
        return f"backlog {fmt_count(stats.max_backlog)}"
    return f"p99 {fmt_ms(stats.latency_ms.p99)}" if stats.latency_ms.p99 > 0 else ""


# --------------------------------------------------------------------------------------
# The key figures of a run


@dataclass(frozen=True)
class Headline:
    requests: int  # arrived at the entry points
    succeeded: int
    failed: int
    p99_ms: float  # worst entry's p99, of succeeded requests
    throttled: int  # refused attempts, all nodes
    cold_starts: int
    monthly_usd: float | None

    @property
    def success_rate(self) -> float | None:
        """Succeeded of the requests that ended (those in flight at the end are neither)."""
        ended = self.succeeded + self.failed
        return self.succeeded / ended if ended else None


def headline(result) -> Headline:
    entries = result.entries.values()
    return Headline(
        requests=sum(e.requests for e in entries), succeeded=sum(e.succeeded for e in entries),
        failed=sum(e.failed for e in entries),
        p99_ms=max((e.latency_ms.p99 for e in entries), default=0.0),
        throttled=sum(s.throttled for s in result.nodes.values()),
        cold_starts=sum(s.cold_starts for s in result.nodes.values()),
        monthly_usd=None if result.cost is None else result.cost.monthly_usd)


def edge_rates(arch: Architecture, result) -> dict[int, float]:
    """Requests per second along each edge (by index in arch.edges): what left the source
    per second times the edge's `calls` (and `fraction`, for rules that match a share)."""
    measured = result.measured_s or result.duration_s or 1.0
    rates = {}
    for index, edge in enumerate(arch.edges):
        stats = result.nodes.get(edge.source)
        if stats is None:
            continue
        calls = edge.config.get("calls", 1)
        fraction = edge.config.get("fraction", 1)
        rates[index] = stats.completed / measured * float(calls) * float(fraction)
    return rates
