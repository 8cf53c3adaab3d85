"""Canvas speed: open+render a 500-node, 1000-edge design, pan frames, undo a big move.

Run by hand:  QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_canvas.py
Goals (issue 5): open and render < 2 s; a pan frame < 16 ms; undo a 500-node move < 50 ms.

Figures are wall-clock; "cpu" is this thread's CPU time, which stays meaningful when
other processes compete for the cores (wall time then includes waiting for a core).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtGui import QUndoStack  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from designer.canvas import CanvasView, DiagramScene  # noqa: E402
from designer.commands import MoveNodesCommand  # noqa: E402
from model.architecture import Architecture, Edge, Node  # noqa: E402
from model.catalogue import EDGE_RULES  # noqa: E402

SERVICES_CYCLE = ("api_gateway", "lambda", "dynamodb", "sqs", "lambda", "sns", "lambda", "s3",
                  "kinesis", "lambda", "eventbridge", "step_functions")
COLUMNS = 25


def big_design(n_nodes: int = 500, n_edges: int = 1000, seed: int = 7) -> Architecture:
    """A grid of services wired with allowed edges between nearby columns."""
    rng = random.Random(seed)
    arch = Architecture("Benchmark")
    for i in range(n_nodes):
        service = SERVICES_CYCLE[i % len(SERVICES_CYCLE)]
        col, row = i % COLUMNS, i // COLUMNS
        arch.nodes[f"n{i}"] = Node(f"n{i}", service, at=(col * 240.0, row * 100.0))
    allowed = {(r.source, r.target) for r in EDGE_RULES}
    ids = list(arch.nodes)
    seen = set()
    while len(arch.edges) < n_edges:
        a = rng.randrange(n_nodes)
        b = a + rng.choice((1, 2, COLUMNS - 1, COLUMNS + 1, 3, -COLUMNS + 1))
        if not 0 <= b < n_nodes or a == b:
            continue
        src, dst = arch.nodes[ids[a]], arch.nodes[ids[b]]
        if (src.service, dst.service) in allowed and (a, b) not in seen:
            seen.add((a, b))
            arch.edges.append(Edge(src.id, dst.id))
    return arch


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


class Timer:
    """Wall and thread-CPU time of a block."""

    def __enter__(self):
        self.wall0, self.cpu0 = time.perf_counter(), time.thread_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.thread_time() - self.cpu0

    def __str__(self) -> str:
        return f"{ms(self.wall)} (cpu {ms(self.cpu)})"


def open_and_render(arch: Architecture, fit: bool):
    with Timer() as total:
        with Timer() as build:
            scene = DiagramScene(arch, QUndoStack())
        view = CanvasView(scene)
        view.resize(1400, 900)
        view.show()
        if fit:
            view.fit_to_view()
        else:
            view.centerOn(700, 450)
        view.grab()
    return scene, view, build, total


def pan_frames(view: CanvasView, full: bool, frames: int = 120) -> list[float]:
    """Scroll 40 px per frame. full=False: Qt's own repaint (it blits what it can and
    paints the exposed strip); full=True: render the whole viewport every frame (grab),
    the worst case, as when nothing can be reused."""
    bar = view.horizontalScrollBar()
    frames_timed = []
    for i in range(frames):
        step = 40 if (i // 30) % 2 == 0 else -40  # back and forth, staying over the drawing
        with Timer() as frame:
            bar.setValue(bar.value() + step)
            if full:
                view.viewport().grab()
            else:
                view.viewport().repaint()
        frames_timed.append(frame)
    return frames_timed


def report_pan(label: str, frames: list) -> None:
    frames = frames[5:]  # the first frames fill caches
    for kind in ("wall", "cpu"):
        times = sorted(getattr(f, kind) for f in frames)
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"  pan frame ({label}, {kind}): mean {ms(statistics.mean(times))}, p95 {ms(p95)}, "
              f"max {ms(times[-1])}")


def undo_big_move(scene: DiagramScene, view: CanvasView) -> tuple[float, float]:
    arch = scene.arch
    old = {n: arch.nodes[n].at for n in arch.nodes}
    new = {n: (at[0] + 20, at[1] + 20) for n, at in old.items()}
    scene.undo_stack.push(MoveNodesCommand(arch, old, new))
    QApplication.processEvents()
    with Timer() as undo:
        scene.undo_stack.undo()
    with Timer() as paint:
        view.viewport().repaint()
    assert arch.nodes["n499"].at == old["n499"]
    return undo, paint


def main() -> None:
    app = QApplication.instance() or QApplication([])
    arch = big_design()
    print(f"Design: {len(arch.nodes)} nodes, {len(arch.edges)} edges; view 1400x900")
    for fit in (False, True):
        label = "fit to view" if fit else "100 % zoom"
        scene, view, build, total = open_and_render(arch.copy(), fit)
        print(f"[{label}] open: build scene {build}; build + first grab {total}  (goal < 2000 ms)")
        report_pan(label + ", repaint", pan_frames(view, full=False))
        report_pan(label + ", full re-render", pan_frames(view, full=True))
        undo, paint = undo_big_move(scene, view)
        print(f"  undo move of {len(scene.arch.nodes)} nodes: {undo}  (goal < 50 ms); "
              f"then the repaint {paint}")
        scene.detach()
        view.close()
    del app


if __name__ == "__main__":
    main()
