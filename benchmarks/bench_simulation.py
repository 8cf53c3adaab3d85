"""Simulation speed and memory, run by hand:  .venv/bin/python benchmarks/bench_simulation.py [--full]

Prints simulated requests per wall-clock second for
  (a) one function at its concurrency cap (Poisson load above the cap: throttles), and
  (b) a multi-service design (API Gateway -> Lambda -> DynamoDB x2 and SQS -> worker Lambda),
each beside the same model written directly on bare SimPy in the straightforward
process-per-request style, in the same run, and the ratio (goal >= 1.0). Stratus runs as
`simulate` does by default: with request journeys recorded at the default sample
(simulation/traces.py: MAX_TRACES, SHARE), so the ratio includes tracing's cost.

Paired design: the machine is a shared virtual machine whose speed drifts by +-20% from
one second to the next (CPU steal), so "best of 3" of each side can compare a fast moment
with a slow one. Instead each case runs --pairs pairs, Stratus and bare SimPy back to
back (alternating which goes first), and reports the geometric mean of the per-pair speed
ratios with a 95% confidence interval (Student t on the log ratios): drift that hits
both halves of a pair cancels out.
--full also measures the peak memory (ru_maxrss) of 10 million simulated requests and of a
sparse 1,500,000-second scenario, each in a fresh process.
"""

from __future__ import annotations

import argparse
import math
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import simpy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from model.architecture import Architecture, Edge, Load, Node, Scenario  # noqa: E402
from simulation.engine import simulate  # noqa: E402
from simulation.traces import MAX_TRACES, SHARE  # noqa: E402

CAP, RATE, MEAN_MS = 50, 600.0, 100.0


def capped_design(duration_s: float) -> Architecture:
    arch = Architecture("bench-capped")
    arch.add_node(Node("fn", "lambda", {"reserved_concurrency": CAP, "cold_start_ms": 0,
                                        "duration_ms": {"dist": "exponential", "mean": MEAN_MS}}))
    arch.add_scenario(Scenario("load", duration_s, 1, [Load("fn", "poisson", {"rate_rps": RATE})]))
    return arch


def multi_design(duration_s: float) -> Architecture:
    arch = Architecture("bench-multi")
    for node in (Node("api", "api_gateway", {"overhead_ms": 8}),
                 Node("fn", "lambda", {"cold_start_ms": 0, "duration_ms": {"dist": "exponential", "mean": 30}}),
                 Node("table", "dynamodb", {"latency_ms": {"dist": "exponential", "mean": 6}}),
                 Node("queue", "sqs", {"latency_ms": 10}),
                 Node("worker", "lambda", {"reserved_concurrency": 20, "cold_start_ms": 0,
                                           "duration_ms": {"dist": "exponential", "mean": 50}})):
        arch.add_node(node)
    for edge in (Edge("api", "fn"), Edge("fn", "table", {"action": "write", "calls": 2}),
                 Edge("fn", "queue"), Edge("queue", "worker", {"batch_size": 1})):
        arch.add_edge(edge)
    arch.add_scenario(Scenario("load", duration_s, 1, [Load("api", "poisson", {"rate_rps": 300.0})]))
    return arch


# -- the same models on bare SimPy, one process per request ---------------------------------


def bare_capped(duration_s: float) -> int:
    env, rng = simpy.Environment(), random.Random(1)
    pool = simpy.Resource(env, CAP)
    served = [0]

    def request():
        with pool.request() as req:
            yield req
            yield env.timeout(rng.expovariate(1000.0 / MEAN_MS))
            served[0] += 1

    def arrivals():
        while True:
            yield env.timeout(rng.expovariate(RATE))
            if pool.count < CAP:
                env.process(request())

    env.process(arrivals())
    env.run(until=duration_s)
    return served[0]


def bare_multi(duration_s: float) -> int:
    """API Gateway (8 ms) -> Lambda (account concurrency 1000, 30 ms) -> two DynamoDB writes
    one after the other (6 ms each) -> SQS SendMessage (the message is visible at once, the
    call returns after 10 ms) -> 20 worker consumers (50 ms). Same distributions and routing
    as multi_design; no statistics, no throttling rules (never reached at this load), the
    poller starts at 20 rather than growing from 5."""
    env, rng = simpy.Environment(), random.Random(1)
    front = simpy.Resource(env, 1000)
    queue = simpy.Store(env)
    done = [0]

    def api_request():
        yield env.timeout(0.008)
        with front.request() as req:
            yield req
            yield env.timeout(rng.expovariate(1 / 0.030))
            for _ in range(2):
                yield env.timeout(rng.expovariate(1 / 0.006))
            yield queue.put(env.now)
            yield env.timeout(0.010)
        done[0] += 1

    def worker():  # one process per consumer slot: the function's reserved concurrency of 20
        while True:
            yield queue.get()
            yield env.timeout(rng.expovariate(1 / 0.050))

    def arrivals():
        while True:
            yield env.timeout(rng.expovariate(300.0))
            env.process(api_request())

    for _ in range(20):
        env.process(worker())
    env.process(arrivals())
    env.run(until=duration_s)
    return done[0]


def traced_run(design: Architecture):
    """A Stratus run with tracing on, at the default sample (stated, not left implicit)."""
    return simulate(design, traces=MAX_TRACES, trace_share=SHARE)


def timed(fn, *args):
    start = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - start


def compare(name: str, make, bare, duration_s: float, count, pairs: int) -> float:
    """Run `pairs` back-to-back pairs; print req/s (median of each side) and the ratio."""
    ours_s, bare_s, log_ratios = [], [], []
    design = make(duration_s)
    traced_run(make(1.0)), bare(1.0)  # warm up: imports, the price file, caches
    for i in range(pairs):
        if i % 2:
            _, theirs = timed(bare, duration_s)
            result, ours = timed(traced_run, design)
        else:
            result, ours = timed(traced_run, design)
            _, theirs = timed(bare, duration_s)
        ours_s.append(ours)
        bare_s.append(theirs)
        log_ratios.append(math.log(theirs / ours))  # > 0: Stratus faster
    requests = count(result)
    mean, half = mean_and_half_width(log_ratios)
    print(f"| {name:28s} | {requests:>10,d} | {len(result.traces):>8,d} "
          f"| {requests / statistics.median(ours_s):>14,.0f} "
          f"| {requests / statistics.median(bare_s):>14,.0f} | {math.exp(mean):5.2f} "
          f"| {math.exp(mean - half):.2f}-{math.exp(mean + half):.2f} |")
    return math.exp(mean)


def mean_and_half_width(values: list[float]) -> tuple[float, float]:
    """Mean and half-width of its 95% Student-t confidence interval."""
    n = len(values)
    mean = statistics.fmean(values)
    if n < 2:
        return mean, math.inf
    t = {2: 12.71, 3: 4.30, 4: 3.18, 5: 2.78, 6: 2.57, 7: 2.45, 8: 2.36, 9: 2.31, 10: 2.26,
         12: 2.20, 15: 2.14, 20: 2.09, 30: 2.05}
    quantile = t.get(n - 1) or t[max(k for k in t if k <= n - 1)]
    return mean, quantile * statistics.stdev(values) / math.sqrt(n)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def memory_child(kind: str) -> None:
    if kind == "10M":
        arch = capped_design(10_000_000 / RATE)
    else:
        arch = Architecture("sparse")
        arch.add_node(Node("fn", "lambda", {"duration_ms": 50}))
        arch.add_scenario(Scenario("sparse", 1_500_000, 1, [Load("fn", "schedule", {"every_s": 60})]))
    start = time.perf_counter()
    result = simulate(arch)
    print(f"{kind}: {result.nodes['fn'].requests:,d} requests, {time.perf_counter() - start:.0f} s, "
          f"peak RSS {peak_rss_mb():.0f} MB, {len(result.timeseries.t_s)} series buckets")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=float, default=60.0, help="simulated seconds per run")
    parser.add_argument("--pairs", type=int, default=30, help="back-to-back pairs of runs per case")
    parser.add_argument("--full", action="store_true", help="also measure memory for 10M requests")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        memory_child(args.child)
        return
    print("| case                         |   requests | journeys | Stratus req/s  | bare SimPy req/s | ratio | 95% CI |")
    print("|------------------------------|-----------:|---------:|---------------:|---------------:|------:|-------:|")
    compare("(a) one function at its cap", capped_design, bare_capped, args.duration,
            lambda r: r.nodes["fn"].requests, args.pairs)
    compare("(b) API+Lambda+DynamoDB+SQS", multi_design, bare_multi, args.duration,
            lambda r: r.entries["api"].requests, args.pairs)
    if args.full:
        for kind in ("10M", "sparse"):
            subprocess.run([sys.executable, __file__, "--child", kind], check=True)


if __name__ == "__main__":
    main()
