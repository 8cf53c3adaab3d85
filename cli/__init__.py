"""The command line (DESIGN.md section 6, a CONTRACT): parsing, errors and exit codes.

Each command is a module in this package with `register(subparsers)`, which adds its
parser and sets `func(args) -> int`. Modules import their heavy dependencies inside
`func`, so `--help` and `validate` start fast.

Exit status: 0 success, 1 invalid input (a message names the file, node or line),
2 usage error. No traceback reaches a user: unexpected errors are summarised and the
traceback is written to a log file whose path is printed.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import sys
import tempfile
import traceback

from model.errors import StratusError

COMMAND_MODULES = (
    "cli.gui",
    "cli.validate",
    "cli.simulate",
    "cli.export",
    "cli.import_",
    "cli.scan",
    "cli.deploy",
    "cli.sandbox",
    "cli.sweep",
)

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own exit is 2 as well; keep it explicit
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="stratus", description="Design, simulate, export and deploy serverless "
                                                 "architectures on AWS.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    parser.set_defaults(commands=frozenset(sub.choices))  # for run(): which words are commands
    return parser


def run(argv: list[str]) -> int:
    parser = build_parser()
    commands = parser.get_default("commands")
    if argv and argv[0] not in commands and not argv[0].startswith("-") and not os.path.exists(argv[0]):
        close = difflib.get_close_matches(argv[0], sorted(commands), n=1)
        if close or not argv[0].endswith((".yaml", ".yml")):
            hint = f" (did you mean {close[0]}?)" if close else f" (commands: {', '.join(sorted(commands))})"
            print(f"stratus: error: unknown command or file '{argv[0]}'{hint}", file=sys.stderr)
            return EXIT_USAGE
    if not argv or (argv[0] not in commands and not argv[0].startswith("-")):
        argv = ["gui", *argv]  # `python main.py [DESIGN]` opens the designer
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        return int(args.func(args) or 0)
    except StratusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug of ours: say so without a traceback, keep it in a log
        log = _write_crash_log()
        print(f"error: Stratus failed unexpectedly ({type(exc).__name__}: {exc}).\n"
              f"The details are in {log}; please attach it to a bug report.", file=sys.stderr)
        return EXIT_INVALID


def _write_crash_log() -> str:
    directory = os.path.join(tempfile.gettempdir(), "stratus")
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "last-error.log")
    with open(path, "w", encoding="utf-8") as handle:
        traceback.print_exc(file=handle)
    return path
