"""A replay plan: which requests to show flowing along which edge, and when.

The simulator does not keep per-request traces (a Result holds per-node statistics and
per-bucket time series only), so a replay is *derived* from the result:

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
