"""`sweep DESIGN --vary TARGET=V1,V2,...`: what-if runs with replications and 95% intervals.

    python main.py sweep DESIGN --vary NODE.FIELD=V1,V2,... [--vary ...] [--scenario NAME]
                     [--replications N] [--duration S] [--seed N] [--json OUT] [--report OUT.html]
                     [--scheduler ADDRESS | --workers N]

TARGET is NODE.FIELD (any node config field), load.ENTRY.PARAM / load.INDEX.PARAM (the
scenario's load) or account.FIELD; see simulation/targets.py. The simulation's messages
speak of targets and values; this module names the option they came from. Runs are the cartesian product
of the values; each runs `--replications` times with the same seeds in every run.

Exit status: 2 when a --vary is not TARGET=V1,V2,... at all (a usage error, from argparse);
1 when it names an unknown node, field or load, or a value the catalogue refuses, when the
design is invalid, or when any replication failed (the others still finish and are
reported); 130 on Ctrl-C, after pending work is cancelled and local workers are stopped.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from typing import Any

from cli.common import check_writable, load_valid_design, pick_scenario, write_output
from cli.simulate import format_table
from model.errors import StratusError
from simulation.executors import dask_executor, local_executor, stop_executor
from simulation.progress import ProgressBar
from simulation.targets import TargetError, split_vary

# simulation.sweep (the engine: numpy, SimPy, networkx) and the report (matplotlib) are
# imported where used, to keep the command line's start-up light.


def register(sub) -> None:
    parser = sub.add_parser("sweep", help="what-if sweep with replications and confidence intervals")
    parser.add_argument("design")
    parser.add_argument("--vary", action="append", required=True, metavar="NODE.FIELD=V1,V2,...",
                        type=_vary_argument,
                        help="a parameter and its values (repeatable): NODE.FIELD, load.ENTRY.PARAM, "
                             "load.INDEX.PARAM or account.FIELD")
    parser.add_argument("--scenario", help="scenario name (default: the first)")
    parser.add_argument("--replications", type=int, default=4, metavar="N",
                        help="replications of every run (default 4)")
    parser.add_argument("--duration", type=float, metavar="S", help="override the scenario's duration")
    parser.add_argument("--seed", type=int, metavar="N",
                        help="base seed of the replications (default: the scenario's)")
    parser.add_argument("--json", metavar="OUT", help="write the runs as JSON")
    parser.add_argument("--report", metavar="OUT.html", help="write a self-contained HTML report")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address (tcp://host:8786)")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="local worker processes (default: all cores; 1 runs in this process)")
    parser.add_argument("--free-tier", action="store_true",
                        help="subtract AWS's monthly free-tier allowances from the cost")
    parser.set_defaults(func=run)


def _vary_argument(text: str) -> tuple[str, list[str]]:
    try:
        return split_vary(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args) -> int:
    _check_options(args)
    for path in (args.json, args.report):
        if path:
            check_writable(path)
    variations = _variations(args.vary)

    from simulation.sweep import plan_runs

    arch = load_valid_design(args.design)
    scenario = pick_scenario(arch, args.scenario, args.design)
    base_dir = os.path.dirname(os.path.abspath(args.design))
    try:
        runs = plan_runs(arch, scenario, variations, base_dir)  # bad targets/values: before any work
    except TargetError as exc:
        raise StratusError(f"--vary {exc}") from None
    total = len(runs) * args.replications

    started = time.monotonic()
    result = _execute(args, arch, scenario, variations, base_dir, total)
    wall_s = time.monotonic() - started

    print(format_sweep(result, arch, wall_s))
    if args.json:
        write_output(args.json, json.dumps(result.to_json(), indent=2, sort_keys=True, allow_nan=False) + "\n")
        print(f"JSON written to {args.json}")
    if args.report:
        from simulation.sweep_report import render_sweep_report

        write_output(args.report, render_sweep_report(result, arch))
        print(f"Report written to {args.report}")
    return _report_failures(result)


def _check_options(args) -> None:
    if args.replications < 1:
        raise StratusError(f"--replications must be at least 1, not {args.replications}")
    if args.duration is not None and not (math.isfinite(args.duration) and args.duration > 0):
        raise StratusError(f"--duration must be a positive number of seconds, not {args.duration:g}")
    if args.seed is not None and args.seed < 0:
        raise StratusError(f"--seed must be 0 or more, not {args.seed}")
    if args.workers is not None and args.workers < 1:
        raise StratusError(f"--workers must be at least 1, not {args.workers}")
    if args.workers is not None and args.scheduler:
        raise StratusError("--workers is for local runs; with --scheduler the Dask cluster decides")


def _variations(pairs: list[tuple[str, list[str]]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, values in pairs:
        if key in out:
            raise StratusError(f"--vary {key} is given twice; list all its values in one --vary")
        out[key] = values
    return out


# --------------------------------------------------------------------------------------
# Where the replications run


def _execute(args, arch, scenario, variations, base_dir: str, total: int):
    from simulation.sweep import run_sweep

    executor, closer = _open_executor(args, total)
    try:
        with ReplicationBar(total) as bar:
            return run_sweep(arch, scenario, variations, args.replications, args.duration, executor,
                             progress=bar.update, base_dir=base_dir, free_tier=args.free_tier,
                             seed=args.seed)
    except KeyboardInterrupt:
        if executor is not None:
            stop_executor(executor)
        raise
    finally:
        closer()


def _open_executor(args, total: int):
    """(executor or None for in-process, a function that releases it)."""
    if args.scheduler:
        try:
            return dask_executor(args.scheduler)
        except StratusError as exc:
            raise StratusError(f"--scheduler: {exc}") from None
    workers = min(args.workers or os.cpu_count() or 1, total)
    if workers <= 1:
        return None, lambda: None
    executor = local_executor(workers)
    return executor, lambda: executor.shutdown(wait=True, cancel_futures=True)


class ReplicationBar(ProgressBar):
    """The terminal progress bar (simulation.progress), counting replications, not seconds."""

    def render(self, now_s: float, fraction: float, elapsed_s: float) -> str:
        text = super().render(now_s, fraction, elapsed_s)
        bar, _, rest = text.partition("%")
        eta = rest.rpartition("ETA")[2].strip()
        return f"{bar}%  {int(now_s)} of {int(self.total_s)} replications  ETA {eta}"

    def update(self, done: int, total: int) -> None:
        self(done, total)


# --------------------------------------------------------------------------------------
# Output


def format_sweep(result, arch, wall_s: float | None = None) -> str:
    """One row per run: its parameters and the key metrics as mean ± 95% half-width."""
    from simulation.sweep import key_metrics

    wall = f", {wall_s:.1f} s wall-clock" if wall_s is not None else ""
    requested = len(result.runs[0].seeds) if result.runs else 0
    header = (f"{result.design}: scenario '{result.scenario}', {len(result.runs)} run(s) x "
              f"{requested} replication(s), {result.duration_s:g} s simulated each{wall}")
    columns = key_metrics(result, arch, for_table=True)
    headers = [*result.varied, *(label for _, label in columns), "n"]
    rows = [[*(_param(run.params[k]) for k in result.varied),
             *(_estimate(run.metrics.get(name), _digits(name)) for name, _ in columns),
             str(run.replications)]
            for run in result.runs]
    note = "Values: mean ± half-width of the 95% confidence interval (Student t) over the replications."
    return "\n\n".join([header, format_table(headers, rows, text_columns=len(result.varied)), note])


def _digits(name: str) -> int:
    return 2 if name.startswith("cost.") else 1 if "latency" in name else 0


def _param(value: Any) -> str:
    return "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _estimate(estimate, digits: int) -> str:
    if estimate is None:
        return "-"
    return f"{estimate.mean:,.{digits}f} ± {estimate.half_width:,.{digits}f}"


def _report_failures(result) -> int:
    failures = result.failures
    if not failures:
        return 0
    total = sum(len(run.seeds) for run in result.runs)
    lines = [f"error: {len(failures)} of {total} replications failed (their runs use the others):"]
    for params, failure in failures:
        where = ", ".join(f"{k}={_param(v)}" for k, v in params.items())
        lines.append(f"  - {where}, replication {failure.replication} (seed {failure.seed}): {failure.error}")
    print("\n".join(lines), file=sys.stderr)
    return 1


