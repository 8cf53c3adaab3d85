"""Errors and problems that reach users: each names the file, node or line, and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass


class StratusError(Exception):
    """Bad input from the user. The CLI prints it and exits 1; the GUI shows it."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a design.

    subject names what is wrong in the user's words ("node 'create_order'",
    "edge orders_api -> create_order", "scenario 'launch-day'"); `line` is the line in the
    file it was read from, when known.
    """

    subject: str
    message: str
    severity: str = "error"  # or "warning"
    line: int | None = None
    # What the GUI selects when the problem is clicked: ("node", id), ("edge", index),
    # ("scenario", name) or ("design", None).
    target: tuple = ("design", None)

    def format(self, filename: str | None = None) -> str:
        where = ""
        if filename:
            where = f"{filename}:{self.line}: " if self.line else f"{filename}: "
        elif self.line:
            where = f"line {self.line}: "
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}{prefix}{self.subject}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class DesignFileError(StratusError):
    """A file that cannot be read as a design at all (not YAML, not a mapping...)."""

    def __init__(self, path: str, message: str, line: int | None = None,
                 problems: list[str] | None = None) -> None:
        self.path = path
        self.line = line
        self.problems = problems or []
        where = f"{path}:{line}" if line else path
        text = f"{where}: {message}"
        if self.problems:
            text += "".join(f"\n  - {p}" for p in self.problems)
        super().__init__(text)
