"""Simulation panel: a short run fills the dashboard; cancel stops a long one and the
window stays usable (a short run still works afterwards)."""

import time

import pytest

from model.designfile import load_design
from simulation.health import fmt_count, fmt_ms, fmt_usd
from tests.conftest import EXAMPLES_DIR


@pytest.fixture
def orders_window(make_window):
    win = make_window(load_design(EXAMPLES_DIR / "orders_api.yaml"))
    win.resize(1400, 900)
    win.show()
    return win


def run_and_wait(qtbot, ui, scenario, duration, timeout_ms=20000):
    ui.panel.select_scenario(scenario)
    with qtbot.waitSignal(ui.panel.run_finished, timeout=timeout_ms) as blocker:
        assert ui.panel.run(duration)
    return blocker.args[0]


def test_short_run_fills_dashboard(qtbot, orders_window):
    ui = orders_window.results
    outcome = run_and_wait(qtbot, ui, "flash-sale", 10)
    result = outcome.result
    assert result.duration_s == 10
    assert ui.panel.duration_box.value() == 10  # the panel says what was run
    assert ui.session.outcome is outcome and not ui.session.stale
    dash = ui.dashboard
    assert dash.table.rowCount() == len(result.nodes) == 9
    for node_id, stats in result.nodes.items():
        assert dash.cell_text(node_id, "requests") == fmt_count(stats.requests)
        assert dash.cell_text(node_id, "cold_starts") == fmt_count(stats.cold_starts)
        assert dash.cell_text(node_id, "p99") == (fmt_ms(stats.latency_ms.p99) if stats.requests else "—")
        assert dash.cell_text(node_id, "cost") == fmt_usd(result.cost.by_node.get(node_id, 0.0))
    assert result.nodes["get_order"].requests > 0
    assert dash.headlines["cost"].value.text() == fmt_usd(result.cost.monthly_usd)
    # every chart draws something from this run, when its tab is shown
    for index in range(dash.tabs.count()):
        dash.tabs.setCurrentIndex(index)
    assert dash.drawn["latency"] == sum(1 for s in result.nodes.values() if s.latency_ms.p99 > 0)
    assert dash.drawn["throughput"] > 0 and dash.drawn["cost"] > 0
    dash.tabs.setCurrentIndex(1)
    lines = dash.charts["throughput"].figure.axes[0].get_lines()
    series = result.to_json()["timeseries"]["nodes"]
    assert any(list(line.get_ydata()) == series[n]["throughput"] for line in lines for n in series)
    # clicking a node narrows the charts to it
    orders_window.select(("node", "create_order"))
    qtbot.waitUntil(lambda: dash.focus == "create_order", timeout=2000)
    assert dash.drawn["throughput"] == 1
    assert "Create order" in dash.charts["throughput"].figure.axes[0].get_title(loc="left")


def test_cancel_stops_a_long_run_and_window_stays_usable(qtbot, orders_window):
    ui = orders_window.results
    ui.panel.select_scenario("flash-sale")
    assert ui.panel.run(6_000)  # ~45 s of work if left alone; the engine checks cancel every 30 s simulated
    qtbot.waitUntil(lambda: ui.panel.progress_bar.value() > 0, timeout=10000)
    assert ui.panel.cancel_button.isEnabled() and not ui.panel.run_button.isEnabled()
    # the GUI thread is free while it runs: edits go through
    orders_window.scene.select_subject(("node", "orders_api"))
    assert orders_window.scene.selected_subjects() == [("node", "orders_api")]
    started = time.perf_counter()
    with qtbot.waitSignal(ui.panel.job.cancelled, timeout=3000):
        ui.panel.cancel()
    assert time.perf_counter() - started < 1.5
    assert "Cancelled" in ui.panel.status.text()
    assert ui.session.outcome is None and ui.dashboard.table.rowCount() == 0
    assert ui.panel.run_button.isEnabled()
    outcome = run_and_wait(qtbot, ui, "flash-sale", 5)
    assert outcome.result.duration_s == 5
    assert ui.dashboard.table.rowCount() == 9


def test_bad_run_reports_instead_of_crashing(qtbot, orders_window):
    ui = orders_window.results
    ui.panel.select_scenario("normal-day")  # 60 s warm-up
    assert not ui.panel.run(30)
    assert "warm-up" in ui.panel.status.text()
