"""`import TEMPLATE_OR_DIR -o DESIGN`: a CloudFormation/SAM template or a Terraform folder
becomes a design file, with a report of what was mapped, absorbed, kept and not mapped.

Exit 0 when a design was written (even a partial one: the report says what is missing),
1 when nothing usable came out of the input, 2 for usage errors (argparse).
"""

from __future__ import annotations

import os
import sys

from cli.common import check_writable
from model.errors import StratusError


def register(sub) -> None:
    parser = sub.add_parser("import", help="read CloudFormation/SAM or Terraform into a design")
    parser.add_argument("source", metavar="TEMPLATE_OR_DIR")
    parser.add_argument("-o", "--output", required=True, metavar="DESIGN")
    parser.set_defaults(func=run)


def run(args) -> int:
    from importers import import_template
    from importers.base import format_report
    from model.designfile import save_design
    from model.validation import validate

    result = import_template(args.source)
    arch = result.architecture
    if not arch.nodes and not arch.extra.get("extras"):
        raise StratusError(f"{args.source}: nothing could be imported\n{format_report(result)}")
    check_writable(args.output)
    out_dir = os.path.dirname(os.path.abspath(args.output))
    _relative_code_paths(arch, out_dir)
    save_design(arch, args.output)
    problems = validate(arch, base_dir=out_dir)
    print(f"Imported {args.source} -> {args.output}: {len(arch.nodes)} nodes, {len(arch.edges)} edges, "
          f"{len(arch.extra.get('extras', []))} extras")
    print(format_report(result))
    if problems:
        print(f"Validation ({len(problems)}):")
        for problem in problems:
            print(f"  {problem.format(args.output)}")
    else:
        print("Validation: no problems")
    if not arch.nodes:
        print("warning: no resource of the nine services was found; the design holds only extras",
              file=sys.stderr)
    return 0


def _relative_code_paths(arch, out_dir: str) -> None:
    """Code folders were read relative to the template; the design needs them relative to itself."""
    for node in arch.nodes.values():
        code = node.config.get("code")
        if isinstance(code, str) and os.path.isabs(code):
            node.config["code"] = os.path.relpath(code, out_dir)
