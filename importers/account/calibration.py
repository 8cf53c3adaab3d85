"""Calibrate a scanned design from what CloudWatch measured over the scan's window.

- Functions: Duration p50 and p99 become `duration_ms: {dist: lognormal, p50, p99}`. Where
  percentiles are unavailable (an endpoint without them, or an error) the lognormal whose
  mean is the Average and whose p99 is the Maximum is used instead (a conservative tail),
  and the report says so. The measured Duration includes the function's synchronous
  downstream calls, which the simulator adds again, so their modelled time (a callee
  function's measured average, a table's or queue's `latency_ms`) is taken off first.
  Errors / Invocations becomes `error_rate`; the peak of ConcurrentExecutions is checked
  against the function's reserved concurrency.
- Entry points (nodes nothing in the design feeds): their request counts (API Gateway
  Count, SQS NumberOfMessagesSent, Kinesis IncomingRecords, EventBridge MatchedEvents,
  Step Functions ExecutionsStarted, Lambda Invocations, SNS NumberOfMessagesPublished, S3
  PutRequests) per period become an `observed` scenario, one `trace` load per entry
  (`second,count` CSV rows: each period's count spread evenly over its seconds), and a
  `peak hour` scenario: Poisson loads at each entry's rate in the busiest hour.
- API routes: when every route's target counts its own requests and is fed by nothing
  else, the routes' `calls` become the observed shares.
- Tables: consumed capacity per request sets `item_kb` (a write unit per KB, a read unit
  per 4 KB, eventually consistent reads at half); a table only read, or only written,
  turns its read_write callers into readers or writers.
"""

from __future__ import annotations

import math
from datetime import timezone
from typing import Any, Callable

from model.architecture import Load, Node, Scenario
from model.catalogue import SERVICES, edge_rule
from model.distributions import Z99, parse_distribution

from .aws import FALLBACK_ATTEMPTS, AccountReader
from .metrics import BATCH, Query, Window, fetch
from .shared import GraphBuilder

Dimensions = Callable[[dict], tuple[tuple[str, str], ...]]

# Resource kind -> (namespace, metric, dimensions) of the count of requests arriving at it.
ARRIVALS: dict[str, tuple[str, str, Dimensions]] = {
    "function": ("AWS/Lambda", "Invocations", lambda a: (("FunctionName", a["name"]),)),
    "queue": ("AWS/SQS", "NumberOfMessagesSent", lambda a: (("QueueName", a["name"]),)),
    "topic": ("AWS/SNS", "NumberOfMessagesPublished", lambda a: (("TopicName", a["name"]),)),
    "stream": ("AWS/Kinesis", "IncomingRecords", lambda a: (("StreamName", a["name"]),)),
    "event_bus": ("AWS/Events", "MatchedEvents", lambda a: (("EventBusName", a["name"]),)),
    "state_machine": ("AWS/States", "ExecutionsStarted", lambda a: (("StateMachineArn", a["arn"]),)),
    "rest_api": ("AWS/ApiGateway", "Count", lambda a: (("ApiName", a["name"]),)),
    "http_api": ("AWS/ApiGateway", "Count", lambda a: (("ApiId", a["id"]),)),
    "bucket": ("AWS/S3", "PutRequests", lambda a: (("BucketName", a["name"]), ("FilterId", "EntireBucket"))),
}
# Whole-window statistics read per node kind: (name, namespace, metric, stat).
FUNCTION_STATS = (("average", "AWS/Lambda", "Duration", "Average"), ("maximum", "AWS/Lambda", "Duration", "Maximum"),
                  ("errors", "AWS/Lambda", "Errors", "Sum"), ("invocations", "AWS/Lambda", "Invocations", "Sum"),
                  ("peak", "AWS/Lambda", "ConcurrentExecutions", "Maximum"))
TABLE_STATS = (("read_units", "AWS/DynamoDB", "ConsumedReadCapacityUnits", "Sum"),
               ("reads", "AWS/DynamoDB", "ConsumedReadCapacityUnits", "SampleCount"),
               ("write_units", "AWS/DynamoDB", "ConsumedWriteCapacityUnits", "Sum"),
               ("writes", "AWS/DynamoDB", "ConsumedWriteCapacityUnits", "SampleCount"))
PERCENTILES = (("p50", "p50"), ("p99", "p99"))
OBSERVED, PEAK_HOUR = "observed", "peak hour"


def calibrate(b: GraphBuilder, r: AccountReader, win: Window, trace_prefix: str) -> dict[str, str]:
    """Calibrate the design in `b` in place; returns the trace files of the observed
    scenario (file name beside the design -> CSV text)."""
    arch = b.arch
    aws = {nid: node.extra.get("aws", {}) for nid, node in arch.nodes.items()}
    functions = [nid for nid, a in aws.items() if a.get("kind") == "function"]
    tables = [nid for nid, a in aws.items() if a.get("kind") == "table"]
    entries = [nid for nid in arch.nodes if _is_entry(arch, nid, aws[nid])]
    counted = [nid for nid in _route_targets(arch) if aws[nid].get("kind") in ARRIVALS and nid not in entries]
    queries = [Query((nid, name), ns, metric, (("FunctionName", aws[nid]["name"]),), stat)
               for nid in functions for name, ns, metric, stat in FUNCTION_STATS]
    queries += [Query((nid, name), ns, metric, (("TableName", aws[nid]["name"]),), stat)
                for nid in tables for name, ns, metric, stat in TABLE_STATS]
    queries += [_arrivals(nid, aws[nid], series=True) for nid in entries]
    queries += [_arrivals(nid, aws[nid], series=False) for nid in counted]
    if not queries:
        return {}
    r.plan(math.ceil(len(queries) / BATCH) + (math.ceil(2 * len(functions) / BATCH) if functions else 0))
    values = fetch(r, queries, win, f"the last {_hours(win)}")
    if values is None:
        b.note("note", "CloudWatch", "", "metrics could not be read: the design keeps the catalogue's defaults "
                                         "and has no observed scenario", "warning")
        return {}
    percentiles = _percentiles(b, r, win, functions, aws)
    _functions(b, functions, values, percentiles, win)
    _tables(b, tables, values)
    traces = _entries(b, entries, values, win, trace_prefix)
    _route_shares(b, values)
    return traces


def _hours(win: Window) -> str:
    return f"{win.seconds / 3600:g} h"


def _arrivals(nid: str, a: dict, series: bool) -> Query:
    namespace, metric, dims = ARRIVALS[a["kind"]]
    return Query((nid, "arrivals"), namespace, metric, dims(a), "Sum", series)


def _is_entry(arch, nid: str, a: dict) -> bool:
    """A node nothing in the design feeds (a function reading a bucket does not feed it),
    whose arrivals CloudWatch counts."""
    return (a.get("kind") in ARRIVALS and SERVICES[arch.nodes[nid].service].takes_outside_traffic
            and not any(_feeds(arch, edge) for edge in arch.edges_to(nid)))


def _feeds(arch, edge) -> bool:
    rule = edge_rule(arch.nodes[edge.source].service, arch.nodes[edge.target].service, arch.edge_kind(edge))
    return rule is None or rule.is_triggering(edge.config)


def _route_targets(arch) -> list[str]:
    return [e.target for e in arch.edges if arch.nodes[e.source].service == "api_gateway"]


def _one(values: dict, key) -> float | None:
    found = values.get(key) or []
    return float(found[0]) if found else None


# --------------------------------------------------------------------------------------
# Functions


def _percentiles(b: GraphBuilder, r: AccountReader, win: Window, functions: list[str], aws: dict) -> dict:
    if not functions:
        return {}
    queries = [Query((nid, name), "AWS/Lambda", "Duration", (("FunctionName", aws[nid]["name"]),), stat)
               for nid in functions for name, stat in PERCENTILES]
    problems = len(r.problems)
    found = fetch(r, queries, win, "Duration percentiles", attempts=FALLBACK_ATTEMPTS)
    if found is None:
        del r.problems[problems:]  # not a gap in the design: the fallback covers it, said below
        b.note("note", "CloudWatch", "", "Duration percentiles (p50, p99) are not available from this endpoint: "
                                         "durations are fitted to Average and Maximum instead", "warning")
        return {}
    return found


def _functions(b: GraphBuilder, functions: list[str], values: dict, percentiles: dict, win: Window) -> None:
    arch = b.arch
    averages = {nid: _one(values, (nid, "average")) for nid in functions}
    for nid in functions:
        node = arch.nodes[nid]
        invocations = _one(values, (nid, "invocations")) or 0.0
        if invocations <= 0 or averages[nid] is None:
            b.note("note", node.label, "", f"no invocations in the last {_hours(win)}: duration_ms and error_rate "
                                           "keep the catalogue's defaults", "warning")
            continue
        downstream, callees = _synchronous_time(arch, nid, averages)
        p50, p99 = _one(percentiles, (nid, "p50")), _one(percentiles, (nid, "p99"))
        if p50 is not None and p99 is not None:
            source = f"Duration p50 {p50:.4g} ms, p99 {p99:.4g} ms"
            spec = _lognormal(p50 - downstream, p99 - downstream)
        else:
            average, maximum = averages[nid], _one(values, (nid, "maximum")) or averages[nid]
            source = f"Duration Average {average:.4g} ms and Maximum {maximum:.4g} ms (no percentiles)"
            spec = _from_mean_and_max(average - downstream, maximum - downstream)
        node.config["duration_ms"] = spec
        less = f", less {downstream:.4g} ms of synchronous calls to {', '.join(callees)}" if callees else ""
        errors = _one(values, (nid, "errors")) or 0.0
        node.config["error_rate"] = round(min(1.0, errors / invocations), 6)
        b.note("note", node.label, "", f"calibrated: duration_ms {_describe(spec)} from {source}{less}; "
                                       f"error_rate {node.config['error_rate']:g} ({errors:g} errors in "
                                       f"{invocations:g} invocations)")
        _check_concurrency(b, node, _one(values, (nid, "peak")))


def _synchronous_time(arch, nid: str, averages: dict) -> tuple[float, list[str]]:
    """Mean time of the function's synchronous downstream calls, as the simulator models
    them (which it adds to the handler's own time): calls x the callee's latency."""
    total, callees = 0.0, []
    for edge in arch.edges_from(nid):
        target = arch.nodes[edge.target]
        rule = edge_rule(arch.nodes[nid].service, target.service, arch.edge_kind(edge))
        if rule is None or not rule.is_synchronous(edge.config):
            continue
        calls = float(edge.config.get("calls", 1))
        if target.service == "lambda":
            latency = averages.get(edge.target) or 0.0
        elif "latency_ms" in SERVICES[target.service].field_map:
            latency = parse_distribution(target.effective_config()["latency_ms"]).mean
        else:
            continue
        if latency > 0 and calls > 0:
            total += calls * latency
            callees.append(edge.target)
    return total, callees


MIN_HANDLER_MS = 0.1


def _lognormal(p50: float, p99: float) -> dict | float:
    p50 = max(p50, MIN_HANDLER_MS)
    if p99 <= p50:
        return _ms(p50)
    return {"dist": "lognormal", "p50": _ms(p50), "p99": _ms(p99)}


def _from_mean_and_max(mean: float, maximum: float) -> dict | float:
    """The lognormal whose mean is `mean` and whose p99 is `maximum`: sigma solves
    sigma^2/2 - Z99 sigma + ln(maximum/mean) = 0 (the smaller root); a tail too long for
    that (maximum above ~15x the mean) keeps sigma = Z99."""
    mean, maximum = max(mean, MIN_HANDLER_MS), max(maximum, MIN_HANDLER_MS)
    if maximum <= mean:
        return _ms(mean)
    sigma = Z99 - math.sqrt(max(0.0, Z99 ** 2 - 2 * math.log(maximum / mean)))
    return _lognormal(maximum / math.exp(Z99 * sigma), maximum)


def _ms(value: float) -> float:
    return float(f"{value:.4g}")


def _describe(spec: Any) -> str:
    if isinstance(spec, dict):
        return f"lognormal p50 {spec['p50']:g} ms, p99 {spec['p99']:g} ms"
    return f"fixed {spec:g} ms"


def _check_concurrency(b: GraphBuilder, node: Node, peak: float | None) -> None:
    if peak is None:
        return
    reserved = node.config.get("reserved_concurrency")
    if reserved and peak >= reserved:
        b.note("note", node.label, "", f"ConcurrentExecutions peaked at {peak:g}, its reserved concurrency: it "
                                       "was throttled in the window (the simulation should show it too)", "warning")
    else:
        cap = f" (reserved {reserved})" if reserved else ""
        b.note("note", node.label, "", f"ConcurrentExecutions peaked at {peak:g}{cap}")


# --------------------------------------------------------------------------------------
# Tables

WRITE_KB_PER_UNIT = 1.0
EVENTUAL_READ_KB_PER_UNIT = 8.0  # 4 KB per unit, eventually consistent reads at half a unit


def _tables(b: GraphBuilder, tables: list[str], values: dict) -> None:
    for nid in tables:
        node = b.arch.nodes[nid]
        reads, writes = (_one(values, (nid, "reads")) or 0.0), (_one(values, (nid, "writes")) or 0.0)
        if reads + writes <= 0:
            continue
        if writes > 0:
            item_kb = (_one(values, (nid, "write_units")) or 0.0) / writes * WRITE_KB_PER_UNIT
            how = "write units per write"
        else:
            item_kb = (_one(values, (nid, "read_units")) or 0.0) / reads * EVENTUAL_READ_KB_PER_UNIT
            how = "read units per read, reads taken as eventually consistent"
        if item_kb > 0:
            node.config["item_kb"] = _ms(min(item_kb, 400.0))
        b.note("note", node.label, "", f"calibrated: item_kb {node.config.get('item_kb', '(default)')} from "
                                       f"consumed {how}; {reads:g} reads and {writes:g} writes "
                                       f"({reads / (reads + writes):.0%} reads)")
        if reads == 0 or writes == 0:
            _narrow_callers(b, nid, "write" if reads == 0 else "read")


def _narrow_callers(b: GraphBuilder, table: str, action: str) -> None:
    for edge in b.arch.edges_to(table):
        if edge.config.get("action") == "read_write":
            edge.config["action"] = action
            b.note("note", edge.source, "", f"{edge.source} -> {table}: the table was only "
                                            f"{'written' if action == 'write' else 'read'} in the window; "
                                            f"the edge's action is now {action}", "warning")


# --------------------------------------------------------------------------------------
# Entry points: the observed and peak-hour scenarios


def _entries(b: GraphBuilder, entries: list[str], values: dict, win: Window, prefix: str) -> dict[str, str]:
    series = {nid: values.get((nid, "arrivals")) or [] for nid in entries}
    series = {nid: s for nid, s in series.items() if sum(s) > 0}
    for nid in entries:
        if nid not in series:
            b.note("note", b.arch.nodes[nid].label, "", f"no requests recorded at this entry point in the last "
                                                        f"{_hours(win)}; it has no load", "warning")
    if not series:
        b.note("note", "CloudWatch", "", f"no traffic at any entry point in the last {_hours(win)}: no observed "
                                         "or peak hour scenario", "warning")
        return {}
    totals = [sum(s[i] for s in series.values()) for i in range(win.periods)]
    first = next(i for i, t in enumerate(totals) if t > 0)
    last = max(i for i, t in enumerate(totals) if t > 0)
    traces, loads = {}, []
    for nid, counts in series.items():
        name = f"{prefix}.{nid}.csv"
        traces[name] = trace_csv(counts[first:last + 1], win.period_s)
        loads.append(Load(nid, "trace", {"file": name}))
        b.note("note", b.arch.nodes[nid].label, "", f"observed: {sum(counts):g} requests from "
                                                    f"{_when(win, first)} to {_when(win, last + 1)} "
                                                    f"({sum(counts) / ((last + 1 - first) * win.period_s):.4g}/s); "
                                                    f"trace {name}")
    b.arch.add_scenario(Scenario(OBSERVED, float((last + 1 - first) * win.period_s), 1, loads))
    _peak_hour(b, {nid: s[first:last + 1] for nid, s in series.items()}, totals[first:last + 1], win, first)
    return traces


def trace_csv(counts: list[float], period_s: int) -> str:
    """`second,count` rows (the trace load's CSV format): each period's count, rounded
    with the remainder carried to the next period, spread evenly over its seconds."""
    lines, carry = ["second,count"], 0.0
    for index, count in enumerate(counts):
        wanted = count + carry
        whole = int(math.floor(wanted + 0.5))
        carry = wanted - whole
        for second in range(period_s):
            here = (second + 1) * whole // period_s - second * whole // period_s
            if here:
                lines.append(f"{index * period_s + second},{here}")
    return "\n".join(lines) + "\n"


def _peak_hour(b: GraphBuilder, series: dict[str, list[float]], totals: list[float], win: Window,
               offset: int) -> None:
    """Poisson loads at each entry's mean rate in the busiest hour of the observed traffic
    (all of it when it lasted less than an hour)."""
    width = max(1, min(len(totals), 3600 // win.period_s))
    sums = [sum(totals[:width])]
    for i in range(width, len(totals)):
        sums.append(sums[-1] + totals[i] - totals[i - width])
    start = max(range(len(sums)), key=lambda i: (sums[i], -i))
    seconds = width * win.period_s
    loads = []
    for nid, counts in series.items():
        rate = sum(counts[start:start + width]) / seconds
        if rate > 0:
            loads.append(Load(nid, "poisson", {"rate_rps": _ms(rate)}))
    b.arch.add_scenario(Scenario(PEAK_HOUR, float(seconds), 1, loads))
    b.note("note", "CloudWatch", "", f"peak hour: {_when(win, offset + start)} to "
                                     f"{_when(win, offset + start + width)}, "
                                     + ", ".join(f"{load.entry} {load.params['rate_rps']:g}/s" for load in loads))


def _when(win: Window, index: int) -> str:
    return win.at(index).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


# --------------------------------------------------------------------------------------
# API routes


def _route_shares(b: GraphBuilder, values: dict) -> None:
    arch = b.arch
    for api in [nid for nid, n in arch.nodes.items() if n.service == "api_gateway"]:
        routes = [e for e in arch.edges_from(api) if arch.edge_kind(e) in ("invoke", "integration")]
        if len(routes) < 2:
            continue
        counts = {}
        for edge in routes:
            if len(arch.edges_to(edge.target)) != 1:
                break  # fed by something else too: its count is not this route's
            count = _one(values, (edge.target, "arrivals"))
            if count is None:
                break
            counts[id(edge)] = count
        total = sum(counts.values())
        if len(counts) < len(routes) or total <= 0:
            continue
        for edge in routes:
            edge.config["calls"] = round(counts[id(edge)] / total, 4)
        b.note("note", arch.nodes[api].label, "", "calibrated: route shares (calls) from their targets' "
                                                  "counts: " + ", ".join(f"{e.target} {e.config['calls']:g}"
                                                                         for e in routes))
