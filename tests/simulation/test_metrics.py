"""The streaming estimators: percentiles against exact sorting, bounded time series."""

import math
import random

import pytest

from simulation.metrics import Level, LatencyHistogram, SeriesSet


def exact(values, q):
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


@pytest.mark.parametrize("draw", [
    lambda rng: rng.lognormvariate(math.log(80), 0.7),
    lambda rng: rng.expovariate(1 / 120.0),
], ids=["lognormal", "exponential"])
def test_percentiles_within_one_percent_of_exact(draw):
    rng = random.Random(7)
    values = [draw(rng) for _ in range(200_000)]
    hist = LatencyHistogram()
    for v in values:
        hist.add(v)
    for q in (0.5, 0.95, 0.99):
        assert hist.percentile(q) == pytest.approx(exact(values, q), rel=0.01)
    assert hist.high == max(values)
    assert hist.mean == pytest.approx(sum(values) / len(values), rel=1e-9)


def test_histogram_coarse_bins_hold_every_sample():
    hist = LatencyHistogram()
    for v in (0.0, 1.0, 5.0, 50.0, 500.0):
        hist.add(v)
    edges, counts = hist.coarse(40)
    assert len(edges) == 41 and len(counts) == 40 and sum(counts) == 5


def test_series_merge_keeps_totals_and_stays_capped():
    series = SeriesSet(cap=64)
    counts = series.new("n", "throughput", "sum")
    peaks = series.new("n", "max_backlog", "max")
    for t in range(10_000):
        series.add(counts, t + 0.5)
        series.peak(peaks, t + 0.5, t % 97)
    assert series.length <= 64
    assert sum(counts) == 10_000
    assert max(peaks) == 96
    width, times, out = series.export(10_000)
    assert width >= 10_000 / 64 and len(times) <= 64


def test_integrate_spreads_area_over_buckets():
    series = SeriesSet()
    data = series.new("n", "concurrency", "area")
    series.integrate(data, 0.5, 3.5, 2)
    assert data[:4] == [1.0, 2.0, 2.0, 1.0]


def test_level_time_average():
    level = Level()
    level.move(1.0, 2)  # 0 over [0, 1), 2 over [1, 3)
    level.move(3.0, -2)
    assert level.mean(4.0) == pytest.approx(1.0)
    assert level.peak == 2
