"""Replay plans: which requests to show moving through the design, and when.

From real journeys (`plan_trips`): a Result's `traces` (simulation/traces.py) are a
seeded sample of requests followed span by span. Each journey becomes a `Trip`: its
stops, one per span, at the span's node from its start to its end (simulated time),
with what the request was doing there (working, a cold start, waiting in a queue or a
stream, retrying, throttled, failed) and the edge it came along (the latest earlier
stop whose node has an edge to this one). `Trip.where(clock, travel_s)` says where the
request is at a moment: at a node, or on the edge it is moving along (the move is drawn
over `travel_s`, from the stop's start). The teaching replay (designer/replay.py)
animates the trips at their real pace.

Derived from rates (`plan_replay`, for results without traces, such as older JSON):

- the rate along an edge in each time bucket is what its source completed in that bucket
  (`timeseries.nodes[source].throughput`) times the edge's `calls` (and `fraction`);
- the share of those requests refused is the target's throttled share in that bucket
  (`throttled / (throughput + throttled)`);
- dots are drawn from those rates with a seeded random.Random (Poisson counts per
  bucket, uniform times within it), so the same result always replays the same way.

At most `MAX_DOTS` dots are sampled for the whole run: when more requests flowed, one dot
stands for several requests. The designer's teaching mode (designer/replay.py) animates
the plan on the canvas; this module is Qt-free.
"""

from __future__ import annotations

import bisect
import math
import random
from dataclasses import dataclass
from functools import cached_property

from model.architecture import Architecture

MAX_DOTS = 4000


@dataclass(frozen=True)
class Dot:
    t_s: float  # simulated departure time
    edge: int  # index in arch.edges
    throttled: bool


@dataclass(frozen=True)
class ReplayPlan:
    dots: tuple[Dot, ...]  # by departure time
    requests_per_dot: float
    duration_s: float

    def times(self) -> list[float]:
        return [d.t_s for d in self.dots]

    @cached_property
    def _times(self) -> list[float]:
        return self.times()

    def in_flight(self, clock: float, travel_s: float, limit: int) -> list[tuple[Dot, float]]:
        """(dot, fraction of its edge crossed) for the dots on their way at `clock`: those
        that left less than `travel_s` simulated seconds ago, the latest `limit` of them."""
        lo = bisect.bisect_left(self._times, clock - travel_s)
        hi = bisect.bisect_right(self._times, clock)
        return [(dot, (clock - dot.t_s) / travel_s if travel_s else 1.0) for dot in self.dots[lo:hi][-limit:]]


def plan_replay(arch: Architecture, result, max_dots: int = MAX_DOTS) -> ReplayPlan:
    """Sample a bounded set of request departures from the result's time series."""
    series = result.timeseries.nodes
    width = result.timeseries.bucket_s
    times = result.timeseries.t_s
    expected: dict[int, list[tuple[float, float, float]]] = {}  # edge -> [(t0, requests, throttled share)]
    total = 0.0
    for index, edge in enumerate(arch.edges):
        source, target = series.get(edge.source, {}), series.get(edge.target, {})
        factor = float(edge.config.get("calls", 1)) * float(edge.config.get("fraction", 1))
        rows = []
        for b, t0 in enumerate(times):
            count = source.get("throughput", [0] * len(times))[b] * width * factor
            if count <= 0:
                continue
            done = target.get("throughput", [0] * len(times))[b]
            refused = target.get("throttled", [0] * len(times))[b] / width
            share = refused / (done + refused) if done + refused > 0 else 0.0
            rows.append((t0, count, share))
            total += count
        expected[index] = rows
    per_dot = max(1.0, total / max_dots)
    rng = random.Random(f"replay:{result.seed}:{result.scenario}")
    dots = []
    for index, rows in expected.items():
        for t0, count, share in rows:
            for _ in range(_poisson(rng, count / per_dot)):
                dots.append(Dot(t0 + rng.random() * width, index, rng.random() < share))
    dots.sort(key=lambda d: (d.t_s, d.edge))
    return ReplayPlan(tuple(dots), per_dot, float(result.duration_s))


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 50:  # normal approximation: Knuth's method is slow for large means
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


# --------------------------------------------------------------------------------------
# Real journeys


QUIET = 0.25  # timelines: a stretch with no span longer than this share of the journey is cut out
CUT = 0.04  # of the axis, given to a cut stretch
WORKING, COLD, WAITING, RETRYING, THROTTLED, FAILED = "working", "cold", "waiting", "retrying", "throttled", "failed"


@dataclass(frozen=True)
class Stop:
    node: str
    t0: float  # simulated seconds from the start of the run
    t1: float
    state: str  # WORKING, COLD, WAITING, RETRYING, THROTTLED or FAILED
    via: int | None  # index in arch.edges of the edge it came along (None: where it entered)


@dataclass(frozen=True)
class Trip:
    index: int  # in result.traces
    entry: str
    start: float
    end: float
    outcome: str
    stops: tuple[Stop, ...]  # by start

    def where(self, clock: float, travel_s: float) -> tuple[str, object, float, str] | None:
        """Where the request is at `clock`: ("node", node id, 0, state), ("edge", edge
        index, fraction along it, state) while it moves to a stop (over `travel_s` from
        the stop's start), or None before its start. After its last stop ends it stays
        at the stop it ended in (the caller decides how long to show it)."""
        if clock < self.start:
            return None
        active = [s for s in self.stops if s.t0 <= clock < s.t1 or (s.t0 == s.t1 == clock)]
        stop = active[-1] if active else max((s for s in self.stops if s.t1 <= clock),
                                             key=lambda s: (s.t1, s.t0), default=self.stops[0])
        if stop.via is not None and travel_s > 0 and clock - stop.t0 < travel_s:
            return ("edge", stop.via, (clock - stop.t0) / travel_s, stop.state)
        return ("node", stop.node, 0.0, stop.state)


def _state(span: dict) -> str:
    status = span.get("status", "ok")
    if status == "throttled":
        return THROTTLED
    if status in ("error", "timeout"):
        return FAILED
    if span.get("wait_ms", 0) > 0 and span.get("retries", 0) == 0:
        return WAITING
    if span.get("retries", 0) > 0:
        return RETRYING
    return COLD if span.get("cold_start") else WORKING


def plan_trips(arch: Architecture, traces) -> tuple[Trip, ...]:
    """One Trip per journey of `traces` (a Result's), by start time."""
    edge_of: dict[tuple[str, str], int] = {}
    for index, edge in enumerate(arch.edges):
        edge_of.setdefault((edge.source, edge.target), index)
    trips = []
    for index, journey in enumerate(traces):
        start = float(journey["start_s"])
        spans = sorted(journey.get("spans", ()), key=lambda span: span["start_ms"])
        stops: list[Stop] = []
        for span in spans:
            t0, t1 = start + span["start_ms"] / 1000.0, start + span["end_ms"] / 1000.0
            via = next((edge_of[(prev.node, span["node"])] for prev in reversed(stops)
                        if (prev.node, span["node"]) in edge_of and prev.t0 <= t0), None)
            stops.append(Stop(span["node"], t0, max(t0, t1), _state(span), via))
        if stops:
            trips.append(Trip(index, journey["entry"], start, max(s.t1 for s in stops), journey["outcome"],
                              tuple(stops)))
    trips.sort(key=lambda trip: (trip.start, trip.index))
    return tuple(trips)


def slowest_and_failed(traces, count: int = 3) -> tuple[list[int], list[int]]:
    """Indexes in `traces` of the `count` journeys that succeeded slowest (by the time their
    client waited) and of the first `count` that failed (the report's and the replay's picks)."""
    ok = [i for i, j in enumerate(traces) if j["outcome"] == "ok"]
    slow = sorted(ok, key=lambda i: -response_ms(traces[i]))[:count]
    failed = [i for i, j in enumerate(traces) if j["outcome"] != "ok"][:count]
    return slow, failed


def journey_ms(journey) -> float:
    """How long a journey took, from its start to the end of its last span (asynchronous
    work included: it may go on long after the client got its answer)."""
    return max((span["end_ms"] for span in journey.get("spans", ())), default=0.0)


def response_ms(journey) -> float:
    """How long the client waited: the end of the entry node's first span."""
    first = next((span for span in journey.get("spans", ()) if span["node"] == journey["entry"]), None)
    return first["end_ms"] if first is not None else journey_ms(journey)


# --------------------------------------------------------------------------------------
# Timelines (the designer's waterfall and the report's)


# A journey's outcome in the words of a timeline's heading (the designer's and the report's).
OUTCOME_WORDS = {"ok": "succeeded", "throttled": "throttled", "error": "failed", "timeout": "timed out"}


def axis_pieces(spans: list[dict], total_ms: float) -> list[tuple[float, float, bool]]:
    """The time axis in pieces (start ms, end ms, cut): busy stretches as they are, quiet
    ones longer than QUIET of the journey cut out."""
    busy: list[list[float]] = []
    for span in sorted(spans, key=lambda s: s["start_ms"]):
        if busy and span["start_ms"] <= busy[-1][1]:
            busy[-1][1] = max(busy[-1][1], span["end_ms"])
        else:
            busy.append([span["start_ms"], span["end_ms"]])
    pieces, at = [], 0.0
    for start, end in busy:
        if start - at > QUIET * total_ms:
            pieces.append((at, start, True))
        elif start > at:
            pieces.append((at, start, False))
        pieces.append((start, end, False))
        at = end
    return pieces or [(0.0, total_ms, False)]


def axis_widths(pieces: list[tuple[float, float, bool]]) -> list[float]:
    """Each piece's share of the axis: its length among the busy ones, CUT for a cut one."""
    shown = sum(end - start for start, end, cut in pieces if not cut)
    cuts = sum(1 for piece in pieces if piece[2])
    if shown <= 0:
        return [1.0 / len(pieces)] * len(pieces)
    return [CUT if cut else (end - start) / shown * (1 - CUT * cuts) for start, end, cut in pieces]


def axis_fraction(pieces: list[tuple[float, float, bool]], widths: list[float], ms: float) -> float:
    """Where `ms` falls on a cut axis, from 0 (the journey's start) to 1."""
    share = 0.0
    for (start, end, _cut), width in zip(pieces, widths):
        if ms <= end:
            inside = 0.0 if end <= start else min(1.0, max(0.0, (ms - start) / (end - start)))
            return share + width * inside
        share += width
    return 1.0


def span_depths(arch: Architecture, spans: list[dict]) -> list[int]:
    """How deep each span sits: one more than the span it came from (see the module)."""
    edges = {(e.source, e.target) for e in arch.edges}
    depths: list[int] = []
    for i, span in enumerate(spans):
        parent = next((j for j in range(i - 1, -1, -1) if (spans[j]["node"], span["node"]) in edges
                       and spans[j]["start_ms"] <= span["start_ms"]), None)
        depths.append(0 if parent is None else depths[parent] + 1)
    return depths
