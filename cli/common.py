"""Helpers shared by commands: load a design and refuse it, with every problem, if invalid;
let Ctrl-C ask a long command to stop at its next safe point."""

from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import contextmanager

from model.architecture import Architecture
from model.designfile import load_design
from model.errors import StratusError
from model.validation import errors, validate


def load_valid_design(path: str, show_warnings: bool = True) -> Architecture:
    """The design at `path`, or StratusError listing every error in it."""
    arch = load_design(path)
    problems = validate(arch, base_dir=os.path.dirname(os.path.abspath(path)))
    if show_warnings:
        for p in problems:
            if not p.is_error:
                print(p.format(path), file=sys.stderr)
    bad = errors(problems)
    if bad:
        listing = "\n".join(p.format(path) for p in bad)
        raise StratusError(f"{path} has {len(bad)} problem{'s' if len(bad) > 1 else ''}:\n{listing}")
    return arch


def pick_scenario(arch: Architecture, name: str | None, path: str):
    """The named scenario, or the first one; Architecture.pick_scenario's error, prefixed
    with the design file's path."""
    try:
        return arch.pick_scenario(name)
    except StratusError as exc:
        raise StratusError(f"{path}: {exc}") from None


def check_writable(path: str) -> None:
    """Refuse an output path before a long run rather than after it."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise StratusError(f"cannot write {path}: it is a directory")
    if not os.path.isdir(directory):
        raise StratusError(f"cannot write {path}: the folder {directory} does not exist")
    if not os.access(directory, os.W_OK):
        raise StratusError(f"cannot write {path}: no permission to write in {directory}")


def write_output(path: str, text: str) -> None:
    """Write a result file atomically; a failure names the path and why."""
    from model.designfile import atomic_write_text

    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise StratusError(f"cannot write {path}: {exc.strerror or exc}") from None


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@contextmanager
def ctrl_c_cancels(message: str):
    """While the block runs, Ctrl-C sets the yielded event (and prints `message`) instead of
    raising KeyboardInterrupt, so the work stops where it is safe to; the old handler is
    restored after."""
    requested = threading.Event()

    def on_sigint(_signum, _frame) -> None:
        requested.set()
        print(message, file=sys.stderr, flush=True)

    try:
        previous = signal.signal(signal.SIGINT, on_sigint)
    except ValueError:  # not the main thread: no signals here, nothing to install
        yield requested
        return
    try:
        yield requested
    finally:
        signal.signal(signal.SIGINT, previous)
