"""`import TEMPLATE_OR_DIR -o DESIGN` (the importers issue fills this in)."""

from __future__ import annotations

from model.errors import StratusError


def register(sub) -> None:
    parser = sub.add_parser("import", help="read CloudFormation/SAM or Terraform into a design")
    parser.add_argument("source", metavar="TEMPLATE_OR_DIR")
    parser.add_argument("-o", "--output", required=True, metavar="DESIGN")
    parser.set_defaults(func=run)


def run(args) -> int:
    raise StratusError("import is not available in this build yet")
