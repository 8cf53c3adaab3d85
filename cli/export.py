"""`export DESIGN --format cloudformation|sam|terraform -o PATH`.

CloudFormation and SAM write one template (YAML, or JSON when PATH ends in .json);
Terraform writes a folder of .tf files.
"""

from __future__ import annotations

import os

from cli.common import load_valid_design
from model.errors import StratusError


def register(sub) -> None:
    parser = sub.add_parser("export", help="write CloudFormation, SAM or Terraform")
    parser.add_argument("design")
    parser.add_argument("--format", required=True, choices=("cloudformation", "sam", "terraform"))
    parser.add_argument("-o", "--output", required=True, metavar="PATH",
                        help="template file (CloudFormation/SAM) or folder (Terraform)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from exporters import export

    arch = load_valid_design(args.design)
    if args.format != "terraform" and os.path.isdir(args.output):
        raise StratusError(f"{args.output}: is a folder; give a template file name such as template.yaml")
    if args.format == "terraform" and os.path.isfile(args.output):
        raise StratusError(f"{args.output}: is a file; Terraform output goes to a folder")
    try:
        written = export(arch, args.format, args.output, design_dir=os.path.dirname(os.path.abspath(args.design)))
    except OSError as exc:
        raise StratusError(f"{args.output}: cannot write ({exc.strerror or exc})") from None
    for path in written:
        print(f"wrote {path}")
    return 0
