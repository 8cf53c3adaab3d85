"""A terminal progress bar for long simulations (no Qt: the GUI has its own).

    with ProgressBar(total_s=600) as bar:
        simulate(..., progress=bar.fraction)   # the engine reports the fraction done, 0..1

It draws on `stream` (stderr by default) only when that stream is a terminal and only
once the run has lasted `delay_s` of wall-clock time, so short runs and piped or
redirected output stay clean. It shows the percentage, the simulated time and an ETA
extrapolated from the wall-clock time spent so far, redraws at most 10 times a second,
and erases itself when closed.
"""

from __future__ import annotations

import sys
import time
from typing import Callable, TextIO


class ProgressBar:
    def __init__(self, total_s: float, stream: TextIO | None = None, delay_s: float = 2.0,
                 clock: Callable[[], float] = time.monotonic, width: int = 28, min_interval_s: float = 0.1) -> None:
        self.total_s = float(total_s)
        self.stream = stream if stream is not None else sys.stderr
        self.delay_s = delay_s
        self.clock = clock
        self.width = width
        self.min_interval_s = min_interval_s
        self.enabled = _is_terminal(self.stream)
        self.started = clock()
        self.last_draw = float("-inf")
        self.drawn = 0  # characters on the line now, to erase them

    def __call__(self, now_s: float, total_s: float | None = None) -> None:
        """Report that the simulation reached `now_s` of `total_s` simulated seconds."""
        if total_s:
            self.total_s = float(total_s)
        if not self.enabled or self.total_s <= 0:
            return
        wall = self.clock()
        elapsed = wall - self.started
        fraction = min(max(now_s / self.total_s, 0.0), 1.0)
        if elapsed < self.delay_s or (wall - self.last_draw < self.min_interval_s and fraction < 1.0):
            return
        self.last_draw = wall
        self._draw(self.render(now_s, fraction, elapsed))

    def fraction(self, done: float) -> None:
        """Report the share of the run done (simulation.engine's progress callback)."""
        self(done * self.total_s)

    def render(self, now_s: float, fraction: float, elapsed_s: float) -> str:
        filled = int(round(fraction * self.width))
        bar = "#" * filled + "-" * (self.width - filled)
        eta = _clock_text(elapsed_s * (1 - fraction) / fraction) if fraction > 0 else "?"
        return (f"[{bar}] {fraction * 100:5.1f}%  simulated {_clock_text(now_s)} of "
                f"{_clock_text(self.total_s)}  ETA {eta}")

    def _draw(self, text: str) -> None:
        padding = " " * max(0, self.drawn - len(text))
        self.stream.write("\r" + text + padding)
        self.stream.flush()
        self.drawn = len(text)

    def close(self) -> None:
        """Erase the bar, leaving the cursor where the bar started."""
        if self.drawn:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.stream.flush()
            self.drawn = 0

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a file
        return False


def _clock_text(seconds: float) -> str:
    """1h02m, 4m05s or 12s."""
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"
