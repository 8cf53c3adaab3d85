"""The streaming estimators: percentiles against exact sorting, bounded time series."""

import math
import random

import pytest

from simulation.metrics import CountSeries, LatencyHistogram, SeriesSet, TimedLevel


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
    counter = CountSeries(series, series.new("n", "throughput", "sum"))
    peaks = series.new("n", "max_backlog", "max")
    level = TimedLevel(series, series.new("n", "backlog", "area"), peaks)
    for t in range(10_000):
        counter.add(t + 0.5)
        level.move(t + 0.5, t % 97 - (t - 1) % 97 if t else 0)  # the level reads t % 97
        if t % 1000 == 999:
            counter.fold()
            level.fold(t + 0.5)
    counter.fold()
    level.fold(10_000)
    counts = counter.data
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


def new_level(width=1.0, peaks=False):
    series = SeriesSet(width=width)
    level = TimedLevel(series, series.new("n", "concurrency", "area"),
                       series.new("n", "max", "max") if peaks else None)
    return series, level


def test_level_time_average():
    _, level = new_level()
    level.move(1.0, 2)  # 0 over [0, 1), 2 over [1, 3)
    level.move(3.0, -2)
    assert level.mean(4.0) == pytest.approx(1.0)
    assert level.peak == 2


def test_level_matches_an_exact_step_function_across_folds():
    """Random ups, downs and moves, folded at random moments, against the integral and the
    per-bucket areas of the same step function worked out directly."""
    rng = random.Random(3)
    series, level = new_level(width=0.7)
    changes, t, value = [], 0.0, 0
    for _ in range(5000):
        t += rng.expovariate(20.0)
        delta = rng.choice((1, 1, -1, 3)) if value < 40 else -1
        delta = max(delta, -value)
        value += delta
        changes.append((t, delta))
        if delta == 1:
            level.up(t)
        elif delta == -1:
            level.down(t)
        else:
            level.move(t, delta)
        if rng.random() < 0.01:
            level.fold(t)
    end = t + 2.0
    assert level.mean(end) == pytest.approx(_exact_area(changes, 0.0, end) / end, rel=1e-9)
    assert level.peak == max(_running(changes))
    _, _, out = series.export(end)
    for i, area in enumerate(out["n"]["concurrency"]):
        lo, hi = i * series.width, min((i + 1) * series.width, end)
        assert area * series.width == pytest.approx(_exact_area(changes, lo, hi), abs=1e-9)


def _running(changes):
    value, out = 0, []
    for _, delta in changes:
        value += delta
        out.append(value)
    return out


def _exact_area(changes, lo, hi):
    area, value, since = 0.0, 0, 0.0
    for t, delta in changes + [(math.inf, 0)]:
        a, b = max(since, lo), min(t, hi)
        if b > a:
            area += value * (b - a)
        value, since = value + delta, t
    return area


def test_a_late_change_is_backdated():
    """An environment found expired after the last fold: counted as gone from its time."""
    series, level = new_level()
    level.up(0.5)
    level.fold(3.0)
    level.down(1.5)  # recorded late
    level.fold(4.0)
    assert level.mean(4.0) == pytest.approx(1.0 / 4.0)
    _, _, out = series.export(4.0)
    assert out["n"]["concurrency"] == pytest.approx([0.5, 0.5, 0.0, 0.0])


def test_changes_at_one_instant_apply_decreases_first():
    _, level = new_level(peaks=True)
    level.up(1.0)
    level.up(2.0)  # one ends and another starts at t=2: never two at once
    level.down(2.0)
    level.fold(3.0)
    assert level.peak == 1


def test_bucket_peaks_record_the_value_after_each_rise():
    series, level = new_level(peaks=True)
    for t in (0.1, 0.2, 0.3):
        level.up(t)
    level.move(1.5, -2)
    level.up(2.5)
    level.fold(3.0)
    _, _, out = series.export(3.0)
    assert out["n"]["max"] == [3.0, 0.0, 2.0]


def test_count_series_bins_single_and_weighted_counts():
    series = SeriesSet()
    counts = CountSeries(series, series.new("n", "throughput", "sum"))
    for t in (0.2, 0.9, 1.1, 5.5):
        counts.add(t)
    counts.add_many(1.5, 10)
    counts.fold()
    _, _, out = series.export(6.0)
    assert out["n"]["throughput"] == [2.0, 11.0, 0.0, 0.0, 0.0, 1.0]


def test_histogram_readers_see_values_added_since_the_last_fold():
    hist = LatencyHistogram()
    hist.add(10.0)
    assert hist.count == 1
    hist.add(30.0)
    assert hist.count == 2 and hist.high == 30.0 and hist.mean == 20.0


def test_a_run_of_exactly_cap_buckets_keeps_its_width():
    """Integrating up to the end of the last bucket must not ask for a bucket after it."""
    series = SeriesSet(cap=8)
    level = TimedLevel(series, series.new("n", "concurrency", "area"))
    level.up(0.5)
    level.fold(8.0)
    width, times, out = series.export(8.0)
    assert width == 1.0 and len(times) == 8 and out["n"]["concurrency"] == [0.5] + [1.0] * 7


def test_a_change_at_a_bucket_boundary_is_folded_into_that_bucket():
    series = SeriesSet()
    level = TimedLevel(series, series.new("n", "concurrency", "area"), series.new("n", "max", "max"))
    level.up(2.0)
    level.fold(2.0)  # the fold happens at the instant of the change, a bucket boundary
    level.fold(3.0)
    _, _, out = series.export(3.0)
    assert out["n"]["concurrency"] == [0.0, 0.0, 1.0] and out["n"]["max"] == [0.0, 0.0, 1.0]
