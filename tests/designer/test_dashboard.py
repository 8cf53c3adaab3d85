"""The results dashboard on a projector: readable at 1280x720 (and 1400x900), headlines
that do not mislead, node clicks served from the charts' caches, and the Inspector
coming back in front of the Simulation panel."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMenu

from model.designfile import load_design
from simulation.health import fmt_ms, fmt_share, headline
from tests.conftest import EXAMPLES_DIR
from tests.designer.designs import shop_design

pytestmark = pytest.mark.gui


def run_in_window(qtbot, make_window, arch, scenario, duration, size):
    win = make_window(arch)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    ui = win.results
    ui.panel.select_scenario(scenario)
    with qtbot.waitSignal(ui.panel.run_finished, timeout=60000) as blocker:
        assert ui.panel.run(duration)
    QApplication.processEvents()
    return win, blocker.args[0]


@pytest.fixture
def throttled_orders():
    arch = load_design(EXAMPLES_DIR / "orders_api.yaml")
    arch.nodes["get_order"].config["reserved_concurrency"] = 2  # most gets are refused: failures
    return arch


# -- what "readable" means, checked on the widgets -----------------------------------------


def clipped_labels(widget) -> list[str]:
    """Single-line labels whose text is wider than the room they have."""
    out = []
    for label in widget.findChildren(QLabel):
        if not label.isVisible() or label.wordWrap() or not label.text() or "<" in label.text():
            continue
        if label.fontMetrics().horizontalAdvance(label.text()) > label.contentsRect().width() + 1:
            out.append(label.text())
    return out


def table_problems(dash) -> list[str]:
    """Columns cut (text wider than its column) or a table wider than its viewport."""
    table, problems = dash.table, []
    shown = [c for c in range(table.columnCount()) if not table.isColumnHidden(c)]
    total = sum(table.columnWidth(c) for c in shown)
    if total > table.viewport().width():
        problems.append(f"columns take {total} px of {table.viewport().width()}")
    metrics = table.fontMetrics()
    for col in shown[1:]:  # the node column elides long names on purpose (full name in its tooltip)
        header = table.horizontalHeaderItem(col).text()
        if table.horizontalHeader().fontMetrics().horizontalAdvance(header) + 8 > table.columnWidth(col):
            problems.append(f"header {header!r} cut")
        for row in range(table.rowCount()):
            text = table.item(row, col).text()
            if metrics.horizontalAdvance(text) + 8 > table.columnWidth(col):
                problems.append(f"{header} {text!r} cut")
    return problems


def drawn_tick_labels(axis) -> list:
    """The tick labels matplotlib draws: those of ticks inside the view (it keeps others)."""
    if not axis.get_visible():
        return []
    low, high = sorted(axis.get_view_interval())
    span = (high - low) * 1e-9
    return [tick.label1 for tick in axis.get_major_ticks()
            if low - span <= tick.get_loc() <= high + span and tick.label1.get_visible()]


def figure_problems(chart) -> list[str]:
    """Text outside the figure, a legend over the plot, x tick labels running together."""
    figure = chart.figure
    chart.draw()
    renderer = chart.get_renderer()
    box = figure.bbox
    problems = []
    texts = [t for ax in figure.axes for t in (ax.title, ax._left_title, ax.xaxis.label, ax.yaxis.label,
                                                *drawn_tick_labels(ax.xaxis), *drawn_tick_labels(ax.yaxis),
                                                *ax.texts)]
    texts += [figure._suptitle] if figure._suptitle is not None else []
    texts += [t for legend in figure.legends for t in legend.get_texts()]
    for text in texts:
        if not text.get_visible() or not text.get_text():
            continue
        extent = text.get_window_extent(renderer)
        if extent.x0 < box.x0 - 1 or extent.x1 > box.x1 + 1 or extent.y0 < box.y0 - 1 or extent.y1 > box.y1 + 1:
            problems.append(f"{text.get_text()!r} outside the figure")
    for legend in figure.legends + [ax.get_legend() for ax in figure.axes if ax.get_legend()]:
        for ax in figure.axes:
            if legend.get_window_extent(renderer).overlaps(ax.get_window_extent(renderer)):
                problems.append("legend over the plot")
    for ax in figure.axes:
        labels = [t.get_window_extent(renderer) for t in drawn_tick_labels(ax.xaxis) if t.get_text()]
        for a, b in zip(labels, labels[1:]):
            if a.overlaps(b):
                problems.append("x tick labels run together")
    return problems


# -- point 1: readable at 1280x720 and 1400x900 -----------------------------------------------


@pytest.mark.parametrize("size", [(1280, 720), (1400, 900)])
@pytest.mark.parametrize("which", ["orders", "shop"])
def test_dashboard_is_readable(qtbot, make_window, throttled_orders, size, which):
    arch, scenario, duration = ((throttled_orders, "flash-sale", 10) if which == "orders"
                                else (shop_design(), "busy-day", 20))
    win, outcome = run_in_window(qtbot, make_window, arch, scenario, duration, size)
    dash = win.results.dashboard
    assert win.results.dashboard_dock.isVisible()
    assert dash.height() >= 280, "the dashboard gets the room it needs below the canvas"
    assert clipped_labels(dash) == []
    assert table_problems(dash) == []
    assert {"node", "requests", "p99", "cost"} <= set(dash.shown_columns())
    for index in range(dash.tabs.count()):
        dash.tabs.setCurrentIndex(index)
        QApplication.processEvents()
        chart = dash.charts[dash.current_chart()]
        assert chart.height() >= 150 and chart.width() >= 400, "the charts get the room"
        assert figure_problems(chart) == [], dash.current_chart()


def test_latency_chart_shows_the_slowest_nodes_that_fit_and_says_so(qtbot, make_window):
    win, outcome = run_in_window(qtbot, make_window, shop_design(), "busy-day", 20, (1280, 720))
    dash = win.results.dashboard
    dash.tabs.setCurrentIndex(0)
    chart = dash.charts["latency"]
    shown = [t.get_text() for t in chart.figure.axes[0].get_yticklabels()]
    measured = [n for n, s in outcome.result.nodes.items() if s.latency_ms.p99 > 0]
    assert 3 <= len(shown) < len(measured) == 17
    slowest = sorted(measured, key=lambda n: -outcome.result.nodes[n].latency_ms.p99)[:len(shown)]
    assert shown[::-1] == [dash.names[n][:21] + "…" if len(dash.names[n]) > 22 else dash.names[n] for n in slowest]
    assert f"{len(shown)} of {len(measured)}" in chart.figure.axes[0].get_title(loc="left")
    # more room, more rows
    before = len(shown)
    win.resizeDocks([win.results.dashboard_dock], [560], Qt.Vertical)
    qtbot.waitUntil(lambda: len(chart.figure.axes[0].get_yticklabels()) > before, timeout=3000)


def test_table_drops_whole_columns_when_narrow_and_the_menu_brings_them_back(qtbot, make_window, throttled_orders):
    win, _ = run_in_window(qtbot, make_window, throttled_orders, "flash-sale", 10, (1280, 720))
    dash = win.results.dashboard
    wide = dash.shown_columns()
    dash.splitter.setSizes([330, 900])
    QApplication.processEvents()
    narrow = dash.shown_columns()
    assert narrow[:3] == ["node", "requests", "throttled"] and len(narrow) < len(wide)
    assert table_problems(dash) == []
    assert "Not enough room for" in dash.table.horizontalHeader().toolTip()
    dash.splitter.setSizes([900, 330])
    dash.want_column("service", True)
    QApplication.processEvents()
    assert "service" in dash.shown_columns() and table_problems(dash) == []


def test_node_filter_narrows_the_table_and_the_charts_to_one_service(qtbot, make_window):
    win, outcome = run_in_window(qtbot, make_window, shop_design(), "busy-day", 20, (1400, 900))
    dash = win.results.dashboard
    dash.tabs.setCurrentIndex(1)  # throughput
    index = dash.node_box.findData("service:dynamodb")
    assert dash.node_box.itemText(index) == "All DynamoDB (4)"
    dash.node_box.setCurrentIndex(index)
    rows = [dash.table.item(r, 0).data(Qt.UserRole) for r in range(dash.table.rowCount()) if not dash.table.isRowHidden(r)]
    assert sorted(rows) == ["carts", "catalog", "orders", "shipments"]
    legend = [t.get_text() for t in dash.charts["throughput"].figure.legends[0].get_texts()]
    assert sorted(legend) == ["Carts table", "Catalog table", "Orders table", "Shipments table"]
    assert "all DynamoDB" in dash.charts["throughput"].figure.axes[0].get_title(loc="left")


# -- point 3: headlines that do not mislead -----------------------------------------------------


def test_failures_come_first_in_the_headline(qtbot, make_window, throttled_orders):
    win, outcome = run_in_window(qtbot, make_window, throttled_orders, "flash-sale", 10, (1280, 720))
    dash, figures = win.results.dashboard, headline(outcome.result)
    assert figures.failed > 0
    assert dash.headline_order()[:2] == ["success", "failed"]
    assert dash.headlines["success"].value.text() == fmt_share(figures.success_rate)
    assert dash.headlines["failed"].value.text() == f"{figures.failed:,}"
    assert dash.headlines["p99"].caption.text() == "p99 of succeeded"
    assert dash.headlines["p99"].value.text() == fmt_ms(figures.p99_ms)
    assert " ms ms" not in dash.headlines["p99"].value.text()


def test_without_failures_the_headline_leads_with_the_load(qtbot, make_window):
    arch = load_design(EXAMPLES_DIR / "orders_api.yaml")
    arch.nodes["send_confirmation"].config["error_rate"] = 0.0
    arch.nodes["create_order"].config["error_rate"] = 0.0
    win, outcome = run_in_window(qtbot, make_window, arch, "flash-sale", 10, (1280, 720))
    dash = win.results.dashboard
    assert headline(outcome.result).failed == 0
    assert dash.headline_order()[0] == "requests" and "failed" not in dash.headline_order()
    assert dash.headlines["success"].value.text() == "100%"


# -- point 4: a node click is served from the caches ----------------------------------------------


def test_node_clicks_swap_cached_charts_instead_of_redrawing(qtbot, make_window, throttled_orders):
    win, outcome = run_in_window(qtbot, make_window, throttled_orders, "flash-sale", 10, (1280, 720))
    dash = win.results.dashboard
    chart = dash.charts[dash.current_chart()]
    # the dashboard prepares every node's chart in the background after a run
    qtbot.waitUntil(lambda: not dash._prefetch_timer.isActive(), timeout=60000)
    builds, renders = chart.builds, chart.renders
    for node_id in ("create_order", "get_order", "orders", "create_order", "get_order"):
        win.select(("node", node_id))
        qtbot.waitUntil(lambda n=node_id: dash.focus == n, timeout=2000)
        QApplication.processEvents()
        assert chart.key[0] == (dash.current_chart(), (node_id, None))
    assert (chart.builds, chart.renders) == (builds, renders), "no plot built, no figure rendered"
    # and the clear-then-select of one click is one update, not two
    calls = []
    original = dash.show_node
    dash.show_node = lambda node_id: (calls.append(node_id), original(node_id))
    win.select(("node", "orders"))
    qtbot.waitUntil(lambda: dash.focus == "orders", timeout=2000)
    assert calls == ["orders"]


def test_without_prefetch_a_revisit_is_still_a_swap(qtbot, make_window, throttled_orders):
    win, outcome = run_in_window(qtbot, make_window, throttled_orders, "flash-sale", 10, (1280, 720))
    dash = win.results.dashboard
    dash._prefetch_timer.stop()
    dash._prefetch_timer.timeout.disconnect()
    chart = dash.charts[dash.current_chart()]
    dash.show_node("create_order")
    QApplication.processEvents()
    builds = chart.builds
    dash.show_node("orders")
    assert chart.builds == builds + 1
    renders = chart.renders
    dash.show_node("create_order")
    QApplication.processEvents()
    assert (chart.builds, chart.renders) == (builds + 1, renders)


# -- point 5: the Inspector comes back ---------------------------------------------------------


def test_clicking_a_node_after_a_run_brings_the_inspector_back(qtbot, make_window, throttled_orders):
    win, _ = run_in_window(qtbot, make_window, throttled_orders, "flash-sale", 10, (1280, 720))
    inspector, simulation = win.inspector_dock, win.results.simulation_dock
    simulation.raise_()
    QApplication.processEvents()
    assert inspector.visibleRegion().isEmpty(), "the Simulation panel is in front after a run"
    win.scene.select_subject(("node", "create_order"))
    QApplication.processEvents()
    assert not inspector.visibleRegion().isEmpty() and simulation.visibleRegion().isEmpty()
    # and the panel is one click away, as before
    assert simulation in win.tabifiedDockWidgets(inspector)


# -- point 1: presentation mode -----------------------------------------------------------------


def test_presentation_mode_enlarges_hides_toolbars_and_comes_back(qtbot, make_window, throttled_orders):
    from designer.presentation import SCALE

    win, _ = run_in_window(qtbot, make_window, throttled_orders, "flash-sale", 10, (1280, 720))
    mode, dash = win.results.presentation, win.results.dashboard
    assert mode.action.shortcut().toString() == "F11"
    assert mode.action in next(m for m in win.menuBar().findChildren(QMenu) if m.title() == "&View").actions()
    card_font = dash.headlines["requests"].value.fontInfo().pointSizeF()
    base = win.font().pointSizeF()
    mode.enter(full_screen=False)
    QApplication.processEvents()
    assert not win.toolbar.isVisible() and not win.palette_dock.isVisible() and not win.statusBar().isVisible()
    assert win.font().pointSizeF() == pytest.approx(base * SCALE)
    assert win.inspector.font().pointSizeF() == pytest.approx(base * SCALE)
    assert dash.headlines["requests"].value.fontInfo().pointSizeF() > card_font * 1.3
    assert all(chart.scale == SCALE for chart in dash.charts.values())
    # still readable at 1280x720
    assert clipped_labels(dash) == [] and table_problems(dash) == []
    chart = dash.charts[dash.current_chart()]
    assert figure_problems(chart) == []
    assert max(t.get_fontsize() for t in chart.figure.axes[0].get_yticklabels()) >= 8.5 * SCALE - 0.01
    # Escape leaves, and everything is as it was
    mode.escape.activated.emit()
    QApplication.processEvents()
    assert not mode.active and not mode.action.isChecked()
    assert win.toolbar.isVisible() and win.palette_dock.isVisible() and win.statusBar().isVisible()
    assert win.font().pointSizeF() == pytest.approx(base)
    assert all(chart.scale == 1.0 for chart in dash.charts.values())
