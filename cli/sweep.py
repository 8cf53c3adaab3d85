"""`sweep DESIGN --vary NODE.FIELD=V1,V2` (the sweeps issue fills this in)."""

from __future__ import annotations

from model.errors import StratusError


def register(sub) -> None:
    parser = sub.add_parser("sweep", help="what-if sweep with replications and confidence intervals")
    parser.add_argument("design")
    parser.add_argument("--vary", action="append", required=True, metavar="NODE.FIELD=V1,V2,...")
    parser.add_argument("--scenario")
    parser.add_argument("--replications", type=int, default=4, metavar="N")
    parser.add_argument("--duration", type=float, metavar="S")
    parser.add_argument("--json", metavar="OUT")
    parser.add_argument("--report", metavar="OUT.html")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address")
    parser.set_defaults(func=run)


def run(args) -> int:
    raise StratusError("sweep is not available in this build yet")
