"""Canvas speed: open+render a 500-node, 1000-edge design, pan frames, undo a big move.

Run by hand:  QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_canvas.py
Goals (issue 5): open and render < 2 s; a pan frame < 16 ms; undo a 500-node move < 50 ms.
Each is measured at 100 % zoom and at fit-to-view (the whole drawing on screen, where the
canvas draws its overview: cards as coloured blocks, edges as plain lines).

Figures are wall-clock; "cpu" is this thread's CPU time and "process cpu" the whole
process's (time.process_time: Qt's helper threads too). Both stay meaningful when other
processes compete for the cores (wall time then includes waiting for a core).
"""

from __future__ import annotations

import math
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
    """Wall, thread-CPU and process-CPU time of a block."""

    def __enter__(self):
        self.wall0, self.cpu0, self.process0 = time.perf_counter(), time.thread_time(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall0
        self.cpu = time.thread_time() - self.cpu0
        self.process = time.process_time() - self.process0

    def __str__(self) -> str:
        return f"{ms(self.wall)} (cpu {ms(self.cpu)}, process cpu {ms(self.process)})"


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


def pan_frames(view: CanvasView, full: bool, frames: int = 120) -> list[Timer]:
    """Scroll 40 px per frame. full=False: Qt's own repaint (it blits what it can and
    paints the exposed strip); full=True: the whole viewport painted again every frame
    (grab), as when nothing on screen can be reused. Item caches that survive a scroll
    (card and label pixmaps) are used, as they would be on screen."""
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
    return frames_timed[5:]  # the first frames fill caches


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * 0.95) - 1)]


def summary(timers: list[Timer], goal_ms: float | None = None) -> str:
    """mean and p95 of wall, thread-CPU and process-CPU time, e.g.
    'mean 6.1 ms, p95 8.0 ms (cpu mean 5.9 ms, p95 7.7 ms; process cpu mean 6.0 ms, p95 7.8 ms)'."""
    wall = [t.wall for t in timers]
    cpu = [t.cpu for t in timers]
    process = [t.process for t in timers]
    text = (f"mean {ms(statistics.mean(wall))}, p95 {ms(p95(wall))} "
            f"(cpu mean {ms(statistics.mean(cpu))}, p95 {ms(p95(cpu))}; "
            f"process cpu mean {ms(statistics.mean(process))}, p95 {ms(p95(process))})")
    return text + (f"  (goal < {goal_ms:g} ms)" if goal_ms else "")


def undo_big_move(scene: DiagramScene, view: CanvasView, repeats: int = 10) -> tuple[list, list]:
    """Move every node 20 px as one command, then time its undo and the repaint that shows it."""
    arch = scene.arch
    old = {n: arch.nodes[n].at for n in arch.nodes}
    new = {n: (at[0] + 20, at[1] + 20) for n, at in old.items()}
    undos, repaints = [], []
    for _ in range(repeats):
        scene.undo_stack.push(MoveNodesCommand(arch, old, new))
        view.viewport().repaint()
        QApplication.processEvents()
        with Timer() as undo:
            scene.undo_stack.undo()
        with Timer() as paint:
            view.viewport().repaint()
        undos.append(undo)
        repaints.append(paint)
        assert arch.nodes["n499"].at == old["n499"]
    return undos, repaints


def main() -> None:
    app = QApplication.instance() or QApplication([])
    arch = big_design()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Design: {len(arch.nodes)} nodes, {len(arch.edges)} edges; view 1400x900; "
          f"{os.cpu_count()} cores, load average {load:.1f}")
    for fit in (False, True):
        scene, view, build, total = open_and_render(arch.copy(), fit)
        label = f"fit to view, zoom {view.zoom():.2f}" if fit else "100 % zoom"
        print(f"[{label}] open: build scene {build}; build + first render {total}  (goal < 2000 ms)")
        print(f"  pan frame, Qt repaint of the exposed strip: {summary(pan_frames(view, full=False), 16)}")
        print(f"  pan frame, full viewport redraw:            {summary(pan_frames(view, full=True), 16)}")
        undos, repaints = undo_big_move(scene, view)
        print(f"  undo of a {len(scene.arch.nodes)}-node move:  {summary(undos, 50)}")
        print(f"  the repaint after it:      {summary(repaints)}")
        scene.detach()
        view.close()
    del app


if __name__ == "__main__":
    main()
