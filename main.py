"""Stratus: design, simulate, export and deploy serverless architectures on AWS.

    python main.py [DESIGN]          open the designer
    python main.py COMMAND --help    see cli/ for every command

Argument parsing, error formatting and exit codes live in cli/__init__.py.
"""

import sys

from cli import run


def main() -> None:
    sys.exit(run(sys.argv[1:]))


if __name__ == "__main__":
    main()
