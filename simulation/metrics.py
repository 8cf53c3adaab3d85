"""Streaming statistics: latency histograms, levels over time, per-bucket time series.

Recording is an append; the arithmetic is done in bulk. The simulator's hot paths (every
call that starts, ends or completes) only hand a number to a list's `append`, a C call
with no Python frame; `fold()` turns what was recorded into histogram buckets, time
integrals and series with numpy. The engine folds every ~33,000 events and at the
end, so the buffers stay small and memory is bounded whatever the run length; readers
(`summary`, `mean`, `export`) fold first, so they never see a stale value.

- `LatencyHistogram` keeps counts in buckets whose width is 0.5% of their value (the idea
  of HdrHistogram), so any percentile is known to within ~0.25% relative error plus the
  rank discretisation, whatever the number of samples.
- `TimedLevel` integrates a piecewise-constant quantity (concurrency, live environments,
  backlog) over time, for time averages, maxima and a per-bucket series.
- `CountSeries` counts events per bucket (throughput, throttles, cold starts, errors).
- `SeriesSet` holds the per-bucket series of every node on one time axis; when a series
  would need more than `cap` buckets, neighbours are merged and the bucket width doubles.
"""

from __future__ import annotations

import math

import numpy as np

# Relative width of a histogram bucket: bucket k covers [G^k, G^(k+1)).
GROWTH = 1.005
_LOG_GROWTH = math.log(GROWTH)
PER_LOG_GROWTH = 1.0 / _LOG_GROWTH
SERIES_CAP = 4096


class LatencyHistogram:
    """Counts of values (ms) in log-spaced buckets, plus exact count, sum, min and max.

    `add(value)` is a list append; `fold()` bins what was added (readers fold first)."""

    __slots__ = ("buckets", "_count", "_total", "_low", "_high", "_zeros", "pending", "add")

    def __init__(self) -> None:
        self.buckets: dict[int, int] = {}
        self._count = 0
        self._total = 0.0
        self._low = math.inf
        self._high = 0.0
        self._zeros = 0  # values <= 0 have no logarithm
        self.pending: list[float] = []
        self.add = self.pending.append  # record one value: the hot path, no Python frame

    def fold(self) -> None:
        """Bin the values added since the last fold."""
        pending = self.pending
        if not pending:
            return
        values = np.array(pending, dtype=np.float64)
        pending.clear()
        self._count += len(values)
        self._total += float(values.sum())
        self._low = min(self._low, float(values.min()))
        self._high = max(self._high, float(values.max()))
        positive = values[values > 0.0]
        self._zeros += len(values) - len(positive)
        keys, counts = np.unique(np.floor(np.log(positive) * PER_LOG_GROWTH).astype(np.int64),
                                 return_counts=True)
        buckets = self.buckets
        for key, n in zip(keys.tolist(), counts.tolist()):
            buckets[key] = buckets.get(key, 0) + n

    @property
    def count(self) -> int:
        self.fold()
        return self._count

    @property
    def total(self) -> float:
        self.fold()
        return self._total

    @property
    def low(self) -> float:
        self.fold()
        return self._low

    @property
    def high(self) -> float:
        self.fold()
        return self._high

    @property
    def zeros(self) -> int:
        self.fold()
        return self._zeros

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

    def make_room_until(self, t: float) -> None:
        """Buckets up to the instant before t (an interval ending at t does not reach the
        bucket starting at t: a run of exactly cap x width seconds keeps its width)."""
        self.index(math.nextafter(t, 0.0))  # the width may double here

    def integrate(self, data: list[float], t0: float, t1: float, value: float) -> None:
        """Add value x time over [t0, t1), split across the buckets it spans."""
        if value == 0 or t1 <= t0:
            return
        self.make_room_until(t1)
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


class CountSeries:
    """Events counted per bucket of a "sum" series (throughput, throttles, cold starts,
    errors): `add(t)` records one event at time t (a list append), `add_many(t, n)` n of
    them; `fold()` bins them into the series."""

    __slots__ = ("series", "data", "times", "add", "weighted")

    def __init__(self, series: SeriesSet, data: list[float]) -> None:
        self.series = series
        self.data = data
        self.times: list[float] = []
        self.add = self.times.append
        self.weighted: list[tuple[float, float]] = []

    def add_many(self, t: float, n: float) -> None:
        self.weighted.append((t, n))

    def fold(self) -> None:
        if self.times:
            times = np.array(self.times, dtype=np.float64)
            self.times.clear()
            self._bin(times, None)
        if self.weighted:
            pairs = np.array(self.weighted, dtype=np.float64)
            self.weighted.clear()
            self._bin(pairs[:, 0], pairs[:, 1])

    def _bin(self, times: np.ndarray, weights: np.ndarray | None) -> None:
        series = self.series
        series.index(float(times.max()))  # make room first: the width may double here
        buckets = (times / series.width).astype(np.int64)
        first = int(buckets.min())
        data = self.data
        for i, n in enumerate(np.bincount(buckets - first, weights).tolist(), first):
            if n:
                data[i] += n


class TimedLevel:
    """A piecewise-constant level over time (concurrency, live environments, backlog): its
    time average and maximum over the measured window, its per-bucket time average in a
    series, and optionally its per-bucket maximum (the value after each rise).

    `up(t)` / `down(t)` record a change of one at time t: list appends, the hot paths.
    `move(t, delta)` records any other change. `fold(now)` integrates everything up to
    `now`. A change may be recorded late, at a time before the last fold (an environment
    found expired afterwards): the integrals are corrected back to that time. Changes at
    the same instant are applied decreases first, so a level that drops and rises at one
    instant never reads one high.
    """

    __slots__ = ("series", "data", "peak_data", "value", "area", "since", "peak", "start",
                 "ups", "downs", "moves", "up", "down")

    def __init__(self, series: SeriesSet, data: list[float], peak_data: list[float] | None = None) -> None:
        self.series = series
        self.data = data
        self.peak_data = peak_data
        self.value = 0  # as of `since` (the last fold)
        self.area = 0.0  # integral over [start, since)
        self.since = 0.0
        self.peak = 0
        self.start = 0.0  # when measuring began
        self.ups: list[float] = []
        self.downs: list[float] = []
        self.moves: list[tuple[float, int]] = []
        self.up = self.ups.append
        self.down = self.downs.append

    def move(self, t: float, delta: int) -> None:
        self.moves.append((t, delta))

    def fold(self, now: float) -> None:
        """Integrate the level up to `now` (no change may be recorded after `now`)."""
        if not (self.ups or self.downs or self.moves):
            if self.value:
                self.area += self.value * (now - self.since)
                self.series.integrate(self.data, self.since, now, self.value)
            self.since = now
            return
        times, deltas = self._take_changes()
        late = times < self.since
        if late.any():
            self._backdate(times[late].tolist(), deltas[late].tolist())
            times = np.maximum(times, self.since)
        order = np.lexsort((deltas, times))  # by time; at one instant, decreases first
        times, deltas = times[order], deltas[order]
        levels = self.value + np.cumsum(deltas)
        # make room first (the width may double here): the area reaches the instant before
        # now, the bucket peaks the bucket of the last change
        self.series.make_room_until(now)
        self.series.index(float(times[-1]))
        self._integrate(np.concatenate(([self.since], times, [now])),
                        np.concatenate(([self.value], levels)))
        self.peak = max(self.peak, int(levels.max()))
        if self.peak_data is not None:
            self._bucket_peaks(times[deltas > 0], levels[deltas > 0])
        self.value = int(levels[-1])
        self.since = now

    def _take_changes(self) -> tuple[np.ndarray, np.ndarray]:
        ups, downs, moves = self.ups, self.downs, self.moves
        times = np.array(ups + downs + [t for t, _ in moves], dtype=np.float64)
        deltas = np.concatenate((np.ones(len(ups), np.int64), -np.ones(len(downs), np.int64),
                                 np.array([d for _, d in moves], dtype=np.int64)))
        ups.clear(), downs.clear(), moves.clear()
        return times, deltas

    def _backdate(self, times: list[float], deltas: list[int]) -> None:
        """Changes that happened before the last fold: the level was off by delta since."""
        for t, delta in zip(times, deltas):
            self.area += delta * (self.since - max(t, self.start))
            self.series.integrate(self.data, t, self.since, delta)

    def _integrate(self, bounds: np.ndarray, heights: np.ndarray) -> None:
        """Add the area under a step function (heights[i] over [bounds[i], bounds[i+1]))
        to the window's integral and to the series buckets it spans."""
        cumulative = np.concatenate(([0.0], np.cumsum(heights * np.diff(bounds))))
        total = float(cumulative[-1])
        self.area += total
        if not total:
            return
        width, data = self.series.width, self.data
        first, last = int(bounds[0] / width), min(int(bounds[-1] / width), self.series.length - 1)
        if first == last:
            data[first] += total
            return
        # the integral at each bucket boundary (it is piecewise linear: interpolation is exact)
        at_edges = np.interp(np.arange(first + 1, last + 1) * width, bounds, cumulative)
        pieces = np.diff(np.concatenate(([0.0], at_edges, [total])))
        for i, piece in enumerate(pieces.tolist(), first):
            data[i] += piece

    def _bucket_peaks(self, times: np.ndarray, levels: np.ndarray) -> None:
        if not len(times):
            return
        buckets = (times / self.series.width).astype(np.int64)  # sorted: times are
        starts = np.flatnonzero(np.diff(buckets, prepend=-1))
        peaks = self.peak_data
        for i, value in zip(buckets[starts].tolist(), np.maximum.reduceat(levels, starts).tolist()):
            if value > peaks[i]:
                peaks[i] = value

    def restart(self, now: float) -> None:
        """Forget the past (end of warm-up): integrate from now, peak = current value."""
        self.fold(now)
        self.area = 0.0
        self.start = now
        self.peak = self.value

    def mean(self, now: float) -> float:
        self.fold(now)
        span = now - self.start
        return self.area / span if span > 0 else 0.0
