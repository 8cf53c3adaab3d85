"""Speed-up of a sweep's replications on a local process pool over running them serially.

    .venv/bin/python benchmarks/bench_sweep.py [--replications 20] [--workers 2] [--duration 300]

20 replications of one run of a small API -> Lambda -> DynamoDB design, each long enough
(about 1-2 s of CPU) that starting the pool does not dominate. The pool is the one the
`sweep` command uses (forkserver, spawn-safe) and its start-up is included in the time.
The results must be identical; the goal is >= 1.7x on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from model.designfile import loads_design  # noqa: E402
from simulation.sweep import local_executor, run_sweep  # noqa: E402

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
    args = parser.parse_args()
    arch = loads_design(DESIGN)
    load_before = os.getloadavg()[0]
    variations = {"fn.memory_mb": [512]}

    started, cpu = time.perf_counter(), time.process_time()
    serial = run_sweep(arch, None, variations, args.replications, args.duration)
    serial_s = time.perf_counter() - started
    serial_cpu = time.process_time() - cpu

    started = time.perf_counter()
    with local_executor(args.workers) as pool:
        pooled = run_sweep(arch, None, variations, args.replications, args.duration, executor=pool)
        pool_cpu = sum(_cpu_seconds(pid) for pid in getattr(pool, "_processes", {}) or {})
    pooled_s = time.perf_counter() - started

    same = json.dumps(serial.to_json(), sort_keys=True) == json.dumps(pooled.to_json(), sort_keys=True)
    requests = serial.runs[0].metrics["entries.api.requests"].mean
    print(f"{args.replications} replications of {args.duration:g} simulated s (~{requests:,.0f} requests each), "
          f"{os.cpu_count()} cores on this machine")
    print(f"serial:            {serial_s:6.2f} s  ({serial_s / args.replications:.2f} s per replication)")
    print(f"pool of {args.workers} workers: {pooled_s:6.2f} s  (start-up included)")
    print(f"speed-up:          {serial_s / pooled_s:6.2f}x  (goal >= 1.7x on 2 cores)")
    print(f"identical results: {'yes' if same else 'NO'}")
    print(f"CPU obtained:      serial {serial_cpu / serial_s:.2f} of 1 core, pool "
          f"{pool_cpu / pooled_s:.2f} of {args.workers} cores (less than all: other processes took the rest)")
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
