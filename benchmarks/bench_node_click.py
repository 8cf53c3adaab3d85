"""How long a click on a node takes after a run, run by hand:
    .venv/bin/python benchmarks/bench_node_click.py [--design PATH] [--scenario NAME] [--duration S]

Opens the designer offscreen at 1280x720, runs the scenario through the Simulation panel
as a user would, then clicks every node in turn (twice round), on each chart tab, and
prints per tab the median and the 90th percentile of:
- `click`: from the selection on the canvas to the window having processed every event
  it caused (canvas, Inspector and dashboard, the chart painted): what a user waits;
- `dashboard`: the dashboard's part of it (its chart shown and painted);
- `builds` / `renders`: figures the charts had to plot / render for those clicks (0 when
  every click was served from the caches).
First with the dashboard's background preparation finished (the usual case: a user looks
at the results a few seconds before clicking), then, for comparison, on a fresh run with
the preparation switched off ("cold": the first click on each node plots its chart).
The machine is shared and noisy: compare medians of the same run, not single clicks.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assets import EXAMPLES_DIR  # noqa: E402


def settle(app, rounds: int = 3) -> None:
    for _ in range(rounds):
        app.processEvents()


def open_and_run(app, design: str, scenario: str, duration: float):
    from PySide6.QtCore import QSettings

    from designer.main_window import MainWindow
    from model.designfile import load_design

    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.IniFormat)
    window = MainWindow(settings=settings, autosave_interval_s=3600)
    window.documents.show_design(load_design(design), design)
    window.resize(1280, 720)
    window.show()
    settle(app, 5)
    ui = window.results
    ui.panel.select_scenario(scenario)
    ui.panel.run(duration)
    while ui.panel.job.busy():
        app.processEvents()
        time.sleep(0.01)
    settle(app, 5)
    return window


def wait_for_preparation(app, dashboard) -> float:
    started = time.perf_counter()
    while dashboard._prefetch_timer.isActive():  # noqa: SLF001 - a benchmark may look inside
        app.processEvents()
        time.sleep(0.005)
    return time.perf_counter() - started


def click_round(app, window, node_ids) -> tuple[list[float], list[float], int, int]:
    dashboard = window.results.dashboard
    charts = dashboard.charts.values()
    builds, renders = sum(c.builds for c in charts), sum(c.renders for c in charts)
    spent: list[float] = []
    original = dashboard.show_node

    def timed_show_node(node_id):
        started = time.perf_counter()
        original(node_id)
        dashboard.charts[dashboard.current_chart()].repaint()
        spent.append(time.perf_counter() - started)

    dashboard.show_node = timed_show_node
    clicks, parts = [], []
    try:
        for node_id in node_ids:
            spent.clear()
            started = time.perf_counter()
            window.scene.select_subject(("node", node_id))
            settle(app)
            clicks.append((time.perf_counter() - started) * 1000)
            parts.append(sum(spent) * 1000)
    finally:
        dashboard.show_node = original
    return (clicks, parts, sum(c.builds for c in charts) - builds, sum(c.renders for c in charts) - renders)


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]


def measure(app, window, label: str) -> None:
    dashboard = window.results.dashboard
    node_ids = list(window.arch.nodes)
    for index in range(dashboard.tabs.count()):
        dashboard.tabs.setCurrentIndex(index)
        settle(app)
        prepared = wait_for_preparation(app, dashboard) if label == "prepared" else 0.0
        clicks, parts, builds, renders = [], [], 0, 0
        for _ in range(2):
            c, p, b, r = click_round(app, window, node_ids)
            clicks += c
            parts += p
            builds += b
            renders += r
        print(f"| {label:8s} | {dashboard.current_chart():11s} | {statistics.median(clicks):6.0f} | {p90(clicks):6.0f} "
              f"| {statistics.median(parts):6.1f} | {p90(parts):6.1f} | {builds:6d} | {renders:7d} | {prepared:6.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--design", default=str(EXAMPLES_DIR / "orders_api.yaml"))
    parser.add_argument("--scenario", default="flash-sale")
    parser.add_argument("--duration", type=float, default=60.0)
    args = parser.parse_args()
    from designer.app import create_application

    app = create_application()
    print(f"{Path(args.design).name}, {args.scenario}, {args.duration:g} s; each node clicked twice per tab")
    print("| caches   | chart       | click median ms | click p90 ms | dashboard median ms | dashboard p90 ms "
          "| builds | renders | preparation s |")
    print("|----------|-------------|------:|------:|------:|------:|------:|------:|------:|")
    window = open_and_run(app, args.design, args.scenario, args.duration)
    measure(app, window, "prepared")
    window.undo_stack.setClean()
    window.close()
    window = open_and_run(app, args.design, args.scenario, args.duration)
    window.results.dashboard._prefetch_timer.timeout.disconnect()  # noqa: SLF001 - "cold": no preparation
    measure(app, window, "cold")
    window.undo_stack.setClean()
    window.close()


if __name__ == "__main__":
    main()
