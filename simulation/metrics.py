"""Streaming statistics: a log-bucketed latency histogram, time integrals, time series.

Everything here is O(1) per observation and bounded in memory whatever the run length:
- `LatencyHistogram` keeps counts in buckets whose width is 0.5% of their value (the idea
  of HdrHistogram), so any percentile is known to within ~0.25% relative error plus the
  rank discretisation, whatever the number of samples.
- `Level` integrates a piecewise-constant quantity (concurrency, live environments,
  backlog) over time, for time averages and maxima.
- `SeriesSet` holds per-bucket time series for every node; when a series would need more
  than `cap` buckets, neighbours are merged and the bucket width doubles.
"""

from __future__ import annotations

import math

# Relative width of a histogram bucket: bucket k covers [G^k, G^(k+1)).
GROWTH = 1.005
_LOG_GROWTH = math.log(GROWTH)
PER_LOG_GROWTH = 1.0 / _LOG_GROWTH  # multiply, don't divide, on every observation
_log, _floor = math.log, math.floor
SERIES_CAP = 4096


class LatencyHistogram:
    """Counts of values (ms) in log-spaced buckets, plus exact count, sum, min and max."""

    __slots__ = ("buckets", "count", "total", "low", "high", "zeros")

    def __init__(self) -> None:
        self.buckets: dict[int, int] = {}
        self.count = 0
        self.total = 0.0
        self.low = math.inf
        self.high = 0.0
        self.zeros = 0  # values <= 0 have no logarithm

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value
        if value > self.high:
            self.high = value
        if value < self.low:
            self.low = value
        if value > 0.0:
            key = _floor(_log(value) * PER_LOG_GROWTH)
            buckets = self.buckets
            buckets[key] = buckets.get(key, 0) + 1
        else:
            self.zeros += 1

    @property
    def mean(self) -> float:
        return self.total / self.count if self.count else 0.0

    def percentile(self, q: float) -> float:
        """The value below which a share q (0..1) of the observations fall."""
        if not self.count:
            return 0.0
        rank = max(1, math.ceil(q * self.count))  # nearest-rank definition
        if rank <= self.zeros:
            return 0.0
        seen = self.zeros
        for key in sorted(self.buckets):
            seen += self.buckets[key]
            if seen >= rank:
                # geometric middle of the bucket, clamped to what was really seen
                middle = GROWTH ** (key + 0.5)
                return min(max(middle, self.low), self.high)
        return self.high

    def summary(self) -> dict[str, float]:
        return {"mean": self.mean, "p50": self.percentile(0.50), "p95": self.percentile(0.95),
                "p99": self.percentile(0.99), "max": self.high if self.count else 0.0}

    def coarse(self, bins: int = 40) -> tuple[list[float], list[int]]:
        """The distribution re-binned into `bins` log-spaced bins from min to max (for plots)."""
        if not self.count:
            return [], []
        low = max(self.low, 1e-3)
        high = max(self.high, low * 1.0001)
        ratio = (high / low) ** (1.0 / bins)
        edges = [low * ratio**i for i in range(bins + 1)]
        edges[-1] = high
        counts = [0] * bins
        counts[0] += self.zeros
        log_low, log_ratio = math.log(low), math.log(ratio)
        for key, n in self.buckets.items():
            centre = GROWTH ** (key + 0.5)
            index = int((math.log(max(centre, low)) - log_low) / log_ratio)
            counts[min(max(index, 0), bins - 1)] += n
        return edges, counts


class Level:
    """A piecewise-constant level (e.g. concurrency) with its time integral and maximum."""

    __slots__ = ("value", "area", "since", "peak", "start")

    def __init__(self, now: float = 0.0) -> None:
        self.value = 0
        self.area = 0.0
        self.since = now
        self.peak = 0
        self.start = now  # when measuring began

    def move(self, now: float, delta: int) -> None:
        self.area += self.value * (now - self.since)
        self.since = now
        self.value += delta
        if self.value > self.peak:
            self.peak = self.value

    def restart(self, now: float) -> None:
        """Forget the past (end of warm-up): integrate from now, peak = current value."""
        self.area = 0.0
        self.since = now
        self.start = now
        self.peak = self.value

    def mean(self, now: float) -> float:
        span = now - self.start
        if span <= 0:
            return 0.0
        return (self.area + self.value * (now - self.since)) / span


class SeriesSet:
    """Per-bucket series for many nodes, all on one time axis whose width can only double.

    kinds: "sum" (counts added per bucket), "area" (time integral, divided by the width on
    output: a time average), "max" (largest value seen in the bucket).
    """

    def __init__(self, cap: int = SERIES_CAP, width: float = 1.0) -> None:
        self.cap = cap
        self.width = width
        self.series: dict[tuple[str, str], tuple[str, list[float]]] = {}
        self.length = 0  # buckets in use

    def new(self, node_id: str, name: str, kind: str) -> list[float]:
        data: list[float] = [0.0] * self.length
        self.series[(node_id, name)] = (kind, data)
        return data

    def index(self, t: float) -> int:
        i = int(t / self.width)
        if i >= self.length:
            self._extend(i)
            i = int(t / self.width)
        return i

    def _extend(self, i: int) -> None:
        while i >= self.cap:
            self._halve()
            i //= 2
        grow = i + 1 - self.length
        for _, data in self.series.values():
            data.extend([0.0] * grow)
        self.length = i + 1

    def _halve(self) -> None:
        """Merge neighbours pairwise and double the width (bounded memory on long runs)."""
        for kind, data in self.series.values():
            pairs = [data[j:j + 2] for j in range(0, len(data), 2)]
            merged = [max(p) if kind == "max" else sum(p) for p in pairs]
            data[:] = merged
        self.width *= 2
        self.length = (self.length + 1) // 2

    def add(self, data: list[float], t: float, amount: float = 1.0) -> None:
        i = int(t / self.width)
        if i >= self.length:
            i = self.index(t)
        data[i] += amount

    def peak(self, data: list[float], t: float, value: float) -> None:
        i = self.index(t)
        if value > data[i]:
            data[i] = value

    def integrate(self, data: list[float], t0: float, t1: float, value: float) -> None:
        """Add value x time over [t0, t1), split across the buckets it spans."""
        if value == 0 or t1 <= t0:
            return
        self.index(t1)  # make room first: the width may double here
        w = self.width
        i0, i1 = int(t0 / w), min(int(t1 / w), self.length - 1)
        if i0 == i1:
            data[i0] += value * (t1 - t0)
            return
        data[i0] += value * ((i0 + 1) * w - t0)
        for i in range(i0 + 1, i1):
            data[i] += value * w
        data[i1] += value * (t1 - i1 * w)

    def export(self, end: float) -> tuple[float, list[float], dict[str, dict[str, list[float]]]]:
        """(width, bucket start times, {node: {name: values}}) up to `end`."""
        n = max(1, min(self.length, math.ceil(end / self.width - 1e-9)))
        self.index(min(end, (n - 0.5) * self.width))
        times = [round(i * self.width, 9) for i in range(n)]
        out: dict[str, dict[str, list[float]]] = {}
        for (node_id, name), (kind, data) in self.series.items():
            values = data[:n] + [0.0] * (n - len(data[:n]))
            if kind == "area":
                values = [v / self.width for v in values]
            out.setdefault(node_id, {})[name] = values
        return self.width, times, out


class TimedLevel(Level):
    """A `Level` that also writes its time average into a series (concurrency, backlog),
    and optionally its per-bucket maximum.

    `up` / `down` are the hot paths (every call start and end): Level.move and
    SeriesSet.integrate inlined, the common case (no bucket boundary crossed) in a few
    arithmetic operations.
    """

    __slots__ = ("series", "data", "peak_data")

    def __init__(self, series: SeriesSet, data: list[float], peak_data: list[float] | None = None) -> None:
        super().__init__()
        self.series = series
        self.data = data
        self.peak_data = peak_data

    def up(self, now: float, amount: int = 1) -> None:
        value, since = self.value, self.since
        if value:  # accrue value x (now - since) into the integral and the series
            area = value * (now - since)
            self.area += area
            series = self.series
            width = series.width
            i = int(since / width)
            if i == int(now / width) and i < series.length:
                self.data[i] += area
            else:
                series.integrate(self.data, since, now, value)
        self.since = now
        value = self.value = value + amount
        if value > self.peak:
            self.peak = value
        if self.peak_data is not None:
            self.series.peak(self.peak_data, now, value)

    def down(self, now: float, amount: int = 1) -> None:
        value, since = self.value, self.since
        if value:  # the same accrual as in up(), inlined: both are hot
            area = value * (now - since)
            self.area += area
            series = self.series
            width = series.width
            i = int(since / width)
            if i == int(now / width) and i < series.length:
                self.data[i] += area
            else:
                series.integrate(self.data, since, now, value)
        self.since = now
        self.value = value - amount

    def move(self, now: float, delta: int) -> None:
        if delta > 0:
            self.up(now, delta)
        else:
            self.down(now, -delta)

    def close(self, now: float) -> None:
        """Bring the integral and the series up to `now` (end of the run)."""
        self.down(now, 0)
