"""`simulate DESIGN`: run a scenario, print a summary, optionally write JSON and HTML.

    python main.py simulate DESIGN [--scenario NAME] [--duration S] [--seed N]
                                   [--json OUT] [--report OUT.html] [--free-tier]

Bad input (an unknown scenario, a non-positive duration, an invalid design, a loop that
would recurse forever, an output path that cannot be written) is a StratusError: the CLI
prints the message and exits 1. Output paths are checked before the run starts, so a
long simulation is not wasted on a typo.
"""

from __future__ import annotations

import json
import math
import os
import time
from typing import Any, Iterable, Mapping

from cli.common import check_writable, load_valid_design, pick_scenario, write_output
from model.errors import StratusError
from simulation.progress import ProgressBar

# The engine (numpy, SimPy, networkx) and the report (matplotlib) are imported where used,
# to keep the command line's start-up light.


def register(sub) -> None:
    parser = sub.add_parser("simulate", help="simulate a scenario: latency, throughput, cost")
    parser.add_argument("design")
    parser.add_argument("--scenario", help="scenario name (default: the first)")
    parser.add_argument("--duration", type=float, metavar="S", help="override the scenario's duration")
    parser.add_argument("--seed", type=int, metavar="N", help="override the scenario's seed")
    parser.add_argument("--json", metavar="OUT", help="write results as JSON")
    parser.add_argument("--report", metavar="OUT.html", help="write a self-contained HTML report")
    parser.add_argument("--free-tier", action="store_true",
                        help="subtract AWS's monthly free-tier allowances from the cost (off by default)")
    parser.set_defaults(func=run)


def run(args) -> int:
    _check_numbers(args)
    for path in (args.json, args.report):
        if path:
            check_writable(path)

    arch = load_valid_design(args.design)
    scenario = pick_scenario(arch, args.scenario, args.design)
    duration = args.duration if args.duration is not None else scenario.duration_s
    if duration <= scenario.warmup_s:
        raise StratusError(f"{args.design}: scenario '{scenario.name}' runs {duration:g} s, not longer than "
                           f"its warm-up of {scenario.warmup_s:g} s: nothing would be measured")

    from simulation.engine import simulate

    started = time.monotonic()
    with ProgressBar(duration) as bar:
        result = simulate(arch, scenario, seed=args.seed, duration_s=duration,
                          base_dir=os.path.dirname(os.path.abspath(args.design)),
                          free_tier=args.free_tier, progress=bar.fraction)
    wall_s = time.monotonic() - started
    data = result.to_json()
    print(format_summary(data, arch, wall_s))
    if args.json:
        write_output(args.json, json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n")
        print(f"JSON written to {args.json}")
    if args.report:
        from simulation.report import render_report

        write_output(args.report, render_report(data, arch))
        print(f"Report written to {args.report}")
    return 0


# --------------------------------------------------------------------------------------
# Input checks


def _check_numbers(args) -> None:
    if args.duration is not None and not (math.isfinite(args.duration) and args.duration > 0):
        raise StratusError(f"--duration must be a positive number of seconds, not {args.duration:g}")
    if args.seed is not None and args.seed < 0:
        raise StratusError(f"--seed must be 0 or more, not {args.seed}")


# --------------------------------------------------------------------------------------
# The summary printed on stdout


def format_summary(data: Mapping[str, Any], arch, wall_s: float | None = None) -> str:
    nodes = getattr(arch, "nodes", {})

    def label(node_id: str) -> str:
        node = nodes.get(node_id)
        return node.display_name if node is not None else node_id

    def service(node_id: str) -> str:
        node = nodes.get(node_id)
        return node.service if node is not None else ""

    wall = f", {wall_s:.1f} s wall-clock" if wall_s is not None else ""
    header = (f"{getattr(arch, 'name', '')}: scenario '{data.get('scenario')}', seed {data.get('seed')}, "
              f"{data.get('duration_s', 0):g} s simulated{wall}")
    entries = [[label(eid), _int(e.get("requests")), _int(e.get("succeeded")), _int(e.get("failed")),
                _ms(e.get("latency_ms", {}).get("p50")), _ms(e.get("latency_ms", {}).get("p95")),
                _ms(e.get("latency_ms", {}).get("p99"))]
               for eid, e in data.get("entries", {}).items()]
    cost = data.get("cost", {}) or {}
    by_node = cost.get("by_node", {})
    node_rows = [[label(nid), service(nid), _int(n.get("requests")), _int(n.get("throttled")),
                  _int(n.get("errors")), _int(n.get("cold_starts")), _ms(n.get("latency_ms", {}).get("p99")),
                  _int(n.get("max_concurrency")), _int(n.get("max_backlog")) if "max_backlog" in n else "-",
                  f"{float(by_node.get(nid, 0)):,.2f}"]
                 for nid, n in data.get("nodes", {}).items()]
    limit_rows = [[hit.get("limit", ""), "account" if hit.get("scope") == "account" else label(hit.get("scope", "")),
                   f"{float(hit.get('first_hit_s', 0)):,.1f}", _int(hit.get("throttled"))]
                  for hit in data.get("limits", [])]
    limits = ("Limits hit (AWS limits that refused or delayed work, earliest first)\n" + format_table(
        ["Limit", "Scope", "First hit (s)", "Throttled"], limit_rows, text_columns=2)
        if limit_rows else "Limits hit: none")
    free = "with" if cost.get("free_tier") else "without"
    total = (f"Monthly cost: ${float(cost.get('monthly_usd', 0)):,.2f} "
             f"(us-east-1 list prices, usage scaled to a 730-hour month, {free} the free tier)")
    return "\n\n".join([
        header,
        "Entry points\n" + format_table(
            ["Entry", "Requests", "Succeeded", "Failed", "p50 (ms)", "p95 (ms)", "p99 (ms)"], entries),
        "Nodes\n" + format_table(
            ["Node", "Service", "Requests", "Throttled", "Errors", "Cold starts", "p99 (ms)",
             "Max conc.", "Max backlog (msgs)", "Cost ($/month)"], node_rows, text_columns=2),
        limits,
        total,
    ])


def format_table(headers: list[str], rows: Iterable[list[str]], text_columns: int = 1) -> str:
    """Columns aligned: the first `text_columns` to the left, numbers to the right."""
    rows = [[str(c) for c in row] for row in rows]
    widths = [max(len(headers[i]), *(len(r[i]) for r in rows)) if rows else len(headers[i])
              for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < text_columns else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def _int(value: Any) -> str:
    return "-" if value is None else f"{float(value):,.0f}"


def _ms(value: Any) -> str:
    return "-" if value is None else f"{float(value):,.1f}"
