"""Canvas speed: open+render a 500-node, 1000-edge design, pan frames, undo a big move.

Run by hand:  QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_canvas.py
Goals (issue 5): open and render < 2 s; a pan frame < 16 ms; undo a 500-node move < 50 ms.
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


def open_and_render(arch: Architecture, fit: bool):
    started = time.perf_counter()
    scene = DiagramScene(arch, QUndoStack())
    built = time.perf_counter()
    view = CanvasView(scene)
    view.resize(1400, 900)
    view.show()
    if fit:
        view.fit_to_view()
    else:
        view.centerOn(700, 450)
    view.grab()
    done = time.perf_counter()
    return scene, view, built - started, done - started


def pan_frames(view: CanvasView, full: bool, frames: int = 120) -> list[float]:
    """Scroll 40 px per frame. full=False: Qt's own repaint (it blits what it can and
    paints the exposed strip); full=True: render the whole viewport every frame (grab),
    the worst case, as when nothing can be reused."""
    bar = view.horizontalScrollBar()
    times = []
    for i in range(frames):
        step = 40 if (i // 30) % 2 == 0 else -40  # back and forth, staying over the drawing
        started = time.perf_counter()
        bar.setValue(bar.value() + step)
        if full:
            view.viewport().grab()
        else:
            view.viewport().repaint()
        times.append(time.perf_counter() - started)
    return times


def report_pan(label: str, times: list[float]) -> None:
    times = times[5:]  # the first frames fill caches
    p95 = sorted(times)[int(len(times) * 0.95) - 1]
    print(f"  pan frame ({label}): mean {ms(statistics.mean(times))}, p95 {ms(p95)}, max {ms(max(times))}")


def undo_big_move(scene: DiagramScene, view: CanvasView) -> tuple[float, float]:
    arch = scene.arch
    old = {n: arch.nodes[n].at for n in arch.nodes}
    new = {n: (at[0] + 20, at[1] + 20) for n, at in old.items()}
    scene.undo_stack.push(MoveNodesCommand(arch, old, new))
    QApplication.processEvents()
    started = time.perf_counter()
    scene.undo_stack.undo()
    undone = time.perf_counter()
    view.viewport().repaint()
    painted = time.perf_counter()
    assert arch.nodes["n499"].at == old["n499"]
    return undone - started, painted - started


def main() -> None:
    app = QApplication.instance() or QApplication([])
    arch = big_design()
    print(f"Design: {len(arch.nodes)} nodes, {len(arch.edges)} edges; view 1400x900")
    for fit in (False, True):
        label = "fit to view" if fit else "100 % zoom"
        scene, view, build, total = open_and_render(arch.copy(), fit)
        print(f"[{label}] open: build scene {ms(build)}, build + first grab {ms(total)}  (goal < 2000 ms)")
        report_pan(label + ", repaint", pan_frames(view, full=False))
        report_pan(label + ", full re-render", pan_frames(view, full=True))
        undo, undo_paint = undo_big_move(scene, view)
        print(f"  undo move of {len(scene.arch.nodes)} nodes: {ms(undo)}; with the repaint {ms(undo_paint)}"
              "  (goal < 50 ms)")
        scene.detach()
        view.close()
    del app


if __name__ == "__main__":
    main()
