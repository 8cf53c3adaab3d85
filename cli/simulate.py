"""`simulate DESIGN`: run a scenario and report (the simulation issue fills this in)."""

from __future__ import annotations

from model.errors import StratusError


def register(sub) -> None:
    parser = sub.add_parser("simulate", help="simulate a scenario: latency, throughput, cost")
    parser.add_argument("design")
    parser.add_argument("--scenario", help="scenario name (default: the first)")
    parser.add_argument("--duration", type=float, metavar="S", help="override the scenario's duration")
    parser.add_argument("--seed", type=int, metavar="N", help="override the scenario's seed")
    parser.add_argument("--json", metavar="OUT", help="write results as JSON")
    parser.add_argument("--report", metavar="OUT.html", help="write a self-contained HTML report")
    parser.set_defaults(func=run)


def run(args) -> int:
    raise StratusError("simulate is not available in this build yet")
