"""`export DESIGN --format ... -o PATH` (the exporters issue fills this in)."""

from __future__ import annotations

from model.errors import StratusError


def register(sub) -> None:
    parser = sub.add_parser("export", help="write CloudFormation, SAM or Terraform")
    parser.add_argument("design")
    parser.add_argument("--format", required=True, choices=("cloudformation", "sam", "terraform"))
    parser.add_argument("-o", "--output", required=True, metavar="PATH")
    parser.set_defaults(func=run)


def run(args) -> int:
    raise StratusError("export is not available in this build yet")
