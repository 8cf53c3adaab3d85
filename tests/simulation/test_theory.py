"""The engine against queueing theory, over independent replications.

Each test runs n replications with different seeds and asserts that the theoretical value
lies within mean +/- t(0.975, n-1) * s / sqrt(n) (a 95% confidence interval), widened by a
small stated allowance for model bias (runs start empty, finite length). With several
tests at 95% a false failure is possible in principle, but seeds are fixed, so a result
is reproducible and a failure means the model moved.
"""

import math

import pytest

from simulation.engine import simulate

from .designs import confidence_interval, design, erlang_b, erlang_c, function

REPLICATIONS = 10
SEEDS = range(101, 101 + REPLICATIONS)


def within(values, theory, allowance):
    mean, half = confidence_interval(values)
    assert abs(mean - theory) <= half + allowance, (mean, half, theory)


@pytest.mark.slow
def test_erlang_b_throttle_fraction():
    # c = 5 environments, all provisioned (no cold starts); a = 50/s x 0.1 s = 5 erlangs.
    c, rate, mean_s = 5, 50.0, 0.1
    arch = design({"fn": function(reserved_concurrency=c, provisioned_concurrency=c,
                                  duration_ms={"dist": "exponential", "mean": mean_s * 1000})},
                  loads=[("fn", "poisson", {"rate_rps": rate})], duration_s=1000)
    fractions = []
    for seed in SEEDS:
        node = simulate(arch, seed=seed).nodes["fn"]
        fractions.append(node.throttled / node.requests)
    # bias allowance 0.003: the run starts empty (first ~1 s under-throttled) out of 1000 s.
    within(fractions, erlang_b(c, rate * mean_s), 0.003)


@pytest.mark.slow
def test_erlang_c_queue_wait():
    # SQS -> Lambda with c = 4 warm consumers, batch 1, exponential service 100 ms, 30/s.
    c, rate, mean_s = 4, 30.0, 0.1
    arch = design({"q": ("sqs", {"latency_ms": 0}),
                   "fn": function(reserved_concurrency=c, provisioned_concurrency=c,
                                  duration_ms={"dist": "exponential", "mean": mean_s * 1000})},
                  edges=[("q", "fn", {"batch_size": 1, "max_concurrency": c})],
                  loads=[("q", "poisson", {"rate_rps": rate})], duration_s=500, warmup_s=20)
    waits = [simulate(arch, seed=seed).nodes["q"].latency_ms.mean for seed in SEEDS]
    a, mu = rate * mean_s, 1 / mean_s
    wq_ms = erlang_c(c, a) / (c * mu - rate) * 1000.0
    # max_concurrency = c: c pollers from the start, never more than the function runs (5
    # pollers would throttle the fifth batch); allowance 1 ms for the finite run.
    within(waits, wq_ms, 1.0)


@pytest.mark.slow
def test_littles_law_on_concurrency():
    rate, mean_ms = 50.0, 200.0
    arch = design({"fn": function(duration_ms={"dist": "exponential", "mean": mean_ms})},
                  loads=[("fn", "poisson", {"rate_rps": rate})], duration_s=500)
    values = [simulate(arch, seed=seed).nodes["fn"].mean_concurrency for seed in SEEDS]
    # L = lambda W = 10; allowance 0.05 for the empty start (0.2 s of ramp in 500 s).
    within(values, rate * mean_ms / 1000.0, 0.05)


@pytest.mark.slow
def test_cold_start_share_under_sparse_traffic():
    # One request per 100 s, 50 ms each: one environment; it is cold when the gap since the
    # last use exceeds the idle timeout T = 60 s: P = exp(-lambda (T + 0.05)).
    rate, idle = 0.01, 60
    arch = design({"fn": function(idle_timeout_s=idle, duration_ms=50, cold_start_ms=0)},
                  loads=[("fn", "poisson", {"rate_rps": rate})], duration_s=200_000)
    shares = []
    for seed in SEEDS:
        node = simulate(arch, seed=seed).nodes["fn"]
        shares.append(node.cold_starts / node.requests)
    # allowance 0.001: the first request of a run is always cold (1 in ~2000).
    within(shares, math.exp(-rate * (idle + 0.05)), 0.001)
