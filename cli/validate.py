"""`validate DESIGN`: report every problem of a design file."""

from __future__ import annotations

import os
import sys

from cli.common import plural


def register(sub) -> None:
    parser = sub.add_parser("validate", help="check a design file and list every problem")
    parser.add_argument("design", help="design file (.yaml)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from model.designfile import load_design
    from model.validation import validate

    arch = load_design(args.design)
    problems = validate(arch, base_dir=os.path.dirname(os.path.abspath(args.design)))
    for problem in problems:
        print(problem.format(args.design), file=sys.stderr)
    n_errors = sum(p.is_error for p in problems)
    if n_errors:
        print(f"{args.design}: {plural(n_errors, 'error')}", file=sys.stderr)
        return 1
    counts = ", ".join(plural(n, what) for n, what in
                       ((len(arch.nodes), "node"), (len(arch.edges), "edge"), (len(arch.scenarios), "scenario")))
    print(f"{args.design}: valid ({counts})")
    return 0
