"""Speed-up of a sweep's replications on a local process pool over running them serially.

    .venv/bin/python benchmarks/bench_sweep.py [--replications 20] [--workers 2] [--duration 300]

20 replications of one run of a small API -> Lambda -> DynamoDB design, each long enough
(about 0.5 s of CPU with the current engine) that starting the pool (~0.4 s) does not
dominate. The pool is the one the `sweep` command uses (forkserver, spawn-safe) and its
start-up is included in the time.
The results must be identical; the goal is >= 1.7x on 2 cores.

The machine is a shared VM whose speed drifts within seconds, so a serial run and a pool
run taken one after the other can land in different periods: --rounds alternates them
(serial, pool, pool, serial, ...) and reports the median of the per-round speed-ups.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from model.designfile import loads_design  # noqa: E402
from simulation.executors import local_executor  # noqa: E402
from simulation.sweep import run_sweep  # noqa: E402

DESIGN = """\
stratus: 1
name: Sweep benchmark
nodes:
  - id: api
    service: api_gateway
    config: {api_type: http}
  - id: fn
    service: lambda
    config: {memory_mb: 512, duration_ms: {dist: lognormal, p50: 40, p99: 200}}
  - id: table
    service: dynamodb
edges:
  - {from: api, to: fn}
  - {from: fn, to: table, action: write}
scenarios:
  - name: steady
    duration_s: 300
    seed: 1
    load:
      - {entry: api, pattern: poisson, rate_rps: 100}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=float, default=300.0, help="simulated seconds per replication")
    parser.add_argument("--rounds", type=int, default=3, help="alternating serial / pool rounds")
    args = parser.parse_args()
    arch = loads_design(DESIGN)
    load_before = os.getloadavg()[0]
    variations = {"fn.memory_mb": [512]}

    speedups, serial_times, pooled_times = [], [], []
    for round_ in range(args.rounds):
        order = ("serial", "pool") if round_ % 2 == 0 else ("pool", "serial")
        timings = {}
        for kind in order:
            started, cpu = time.perf_counter(), time.process_time()
            if kind == "serial":
                serial = run_sweep(arch, None, variations, args.replications, args.duration)
                serial_cpu = time.process_time() - cpu
            else:
                with local_executor(args.workers) as pool:
                    pooled = run_sweep(arch, None, variations, args.replications, args.duration, executor=pool)
                    pool_cpu = sum(_cpu_seconds(pid) for pid in getattr(pool, "_processes", {}) or {})
            timings[kind] = time.perf_counter() - started
        serial_times.append(timings["serial"])
        pooled_times.append(timings["pool"])
        speedups.append(timings["serial"] / timings["pool"])
    serial_s, pooled_s = statistics.median(serial_times), statistics.median(pooled_times)

    same = json.dumps(serial.to_json(), sort_keys=True) == json.dumps(pooled.to_json(), sort_keys=True)
    requests = serial.runs[0].metrics["entries.api.requests"].mean
    print(f"{args.replications} replications of {args.duration:g} simulated s (~{requests:,.0f} requests each), "
          f"{os.cpu_count()} cores on this machine")
    print(f"serial:            {serial_s:6.2f} s  ({serial_s / args.replications:.2f} s per replication, median)")
    print(f"pool of {args.workers} workers: {pooled_s:6.2f} s  (start-up included, median)")
    print(f"speed-up:          {statistics.median(speedups):6.2f}x  median of {args.rounds} rounds "
          f"({', '.join(f'{x:.2f}' for x in speedups)}; goal >= 1.7x on 2 cores)")
    print(f"identical results: {'yes' if same else 'NO'}")
    print(f"CPU obtained:      serial {serial_cpu / serial_times[-1]:.2f} of 1 core, pool "
          f"{pool_cpu / pooled_times[-1]:.2f} of {args.workers} cores in the last round (less than all: "
          f"other processes took the rest)")
    load_after = os.getloadavg()[0]
    if max(load_before, load_after) > 0.5:
        print(f"note: 1-minute load average was {load_before:.1f} before and {load_after:.1f} after; other "
              f"processes competing for the cores lower the speed-up: measure on an idle machine")
    if not same:
        sys.exit(1)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process, from /proc (Linux; 0 elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


if __name__ == "__main__":
    main()
