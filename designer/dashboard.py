"""The results dashboard: headline figures, a per-node table and charts of one run.

The charts (designer/charts.py) take their data from `Result.to_json()["timeseries"]`
(throughput, concurrency, backlog, cold starts and throttles per time bucket) and the
per-node statistics.

`show_node(id)` narrows every chart to one node (a click on the canvas does that);
`show_node(None)` shows them all again.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFrame, QHBoxLayout, QHeaderView, QLabel, QSplitter,
    QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from model.architecture import Architecture
from model.catalogue import SERVICES
from simulation.health import fmt_count, fmt_ms, fmt_usd

from .charts import (
    MUTED, TEXT, THROTTLE_RED, Chart, node_colours, node_cost, plot_cost, plot_events, plot_latency,
    plot_series,
)

COLUMNS = (
    ("node", "Node"), ("requests", "Requests"), ("throttled", "Throttled"), ("cold_starts", "Cold starts"),
    ("p50", "p50 ms"), ("p95", "p95 ms"), ("p99", "p99 ms"), ("max_concurrency", "Peak conc."),
    ("max_backlog", "Peak backlog"), ("cost", "$ / month"), ("errors", "Errors"), ("completed", "Completed"),
    ("service", "Service"),
)
NUMERIC_ROLE = Qt.UserRole + 7


# --------------------------------------------------------------------------------------
# The dashboard widget


class _Figure(QFrame):
    """A headline number with its caption."""

    def __init__(self, caption: str) -> None:
        super().__init__()
        self.setObjectName("headline")
        self.setStyleSheet("#headline { background: white; border: 1px solid #E1E5EA; border-radius: 6px; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        self.value = QLabel("—")
        self.value.setStyleSheet("font-size: 13pt; font-weight: 600; color: #1F2733; border: none;")
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("color: #6B7380; border: none;")
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def set(self, text: str, colour: str = TEXT) -> None:
        self.value.setText(text)
        self.value.setStyleSheet(f"font-size: 13pt; font-weight: 600; color: {colour}; border: none;")


class Dashboard(QWidget):
    node_activated = Signal(str)  # a table row was double-clicked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outcome = None
        self.focus: str | None = None
        self._build()
        self.clear()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(6)
        top = QHBoxLayout()
        top.setSpacing(8)
        self.headlines = {key: _Figure(caption) for key, caption in (
            ("requests", "requests in"), ("p99", "p99 end to end"), ("throttled", "throttled"),
            ("cold", "cold starts"), ("cost", "per month"))}
        for figure in self.headlines.values():
            top.addWidget(figure)
        top.addStretch(1)
        self.title = QLabel()
        self.title.setObjectName("dashboardTitle")
        self.title.setStyleSheet("color: #3D4654;")
        self.title.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.title.setWordWrap(True)
        top.addWidget(self.title)
        layout.addLayout(top)

        splitter = QSplitter(Qt.Horizontal)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("resultsTable")
        self.table.setHorizontalHeaderLabels([c[1] for c in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.horizontalHeader().setSortIndicator(-1, Qt.AscendingOrder)
        self.table.setSortingEnabled(True)  # file order until the user clicks a header
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setStyleSheet("QTableWidget { border: 1px solid #E1E5EA; background: white; }"
                                 "QHeaderView::section { background: #F3F4F6; border: none;"
                                 " border-bottom: 1px solid #E1E5EA; padding: 4px 6px; color: #3D4654;"
                                 " font-weight: 600; }")
        self.table.itemSelectionChanged.connect(self._row_selected)
        self.table.cellDoubleClicked.connect(
            lambda row, _c: self.node_activated.emit(self.table.item(row, 0).data(Qt.UserRole)))
        splitter.addWidget(self.table)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(4)
        pick = QHBoxLayout()
        pick.addWidget(QLabel("Charts for"))
        self.node_box = QComboBox()
        self.node_box.setObjectName("chartNodeBox")
        self.node_box.currentIndexChanged.connect(lambda _i: self.show_node(self.node_box.currentData()))
        pick.addWidget(self.node_box, 1)
        right_layout.addLayout(pick)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.charts = {}
        for key, label in (("latency", "Latency"), ("throughput", "Throughput"),
                           ("concurrency", "Concurrency"), ("backlog", "Backlog"),
                           ("events", "Cold starts"), ("cost", "Cost")):
            self.charts[key] = Chart()
            self.tabs.addTab(self.charts[key], label)
        right_layout.addWidget(self.tabs, 1)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([620, 400])
        layout.addWidget(splitter, 1)
        self.stale_note = QLabel("Results are stale: the design changed since this run. Run again to refresh.")
        self.stale_note.setObjectName("staleNote")
        self.stale_note.setStyleSheet("background: #FEF3C7; color: #92400E; padding: 4px 8px; border-radius: 4px;")
        self.stale_note.hide()
        layout.addWidget(self.stale_note)

    # -- content ---------------------------------------------------------------------------

    def clear(self) -> None:
        self.outcome = None
        self.focus = None
        self.table.setRowCount(0)
        for figure in self.headlines.values():
            figure.set("—", MUTED)
        self.title.setText("No results yet: run a scenario.")
        self.node_box.blockSignals(True)
        self.node_box.clear()
        self.node_box.blockSignals(False)
        for chart in self.charts.values():
            chart.empty("Run a scenario to see charts")
        self.stale_note.hide()

    def set_outcome(self, outcome) -> None:
        """Show a RunOutcome (arch snapshot + Result); None clears."""
        if outcome is None:
            self.clear()
            return
        self.outcome = outcome
        self.focus = None
        arch, result = outcome.arch, outcome.result
        self.names = {n: arch.nodes[n].display_name if n in arch.nodes else n for n in result.nodes}
        self.colours = node_colours(arch, list(result.nodes))
        self._fill_headlines(result)
        self._fill_table(arch, result)
        self.node_box.blockSignals(True)
        self.node_box.clear()
        self.node_box.addItem("All nodes", None)
        for node_id in result.nodes:
            self.node_box.addItem(self.names[node_id], node_id)
        self.node_box.blockSignals(False)
        self.title.setText(f"<b>{result.scenario}</b> · {result.duration_s:g} s simulated · seed {result.seed}")
        self.stale_note.hide()
        self._plot()

    def set_stale(self, stale: bool) -> None:
        self.stale_note.setVisible(stale and self.outcome is not None)

    def show_node(self, node_id: str | None) -> None:
        """Narrow the charts to one node (None: all)."""
        if self.outcome is None or (node_id is not None and node_id not in self.outcome.result.nodes):
            return
        self.focus = node_id
        index = self.node_box.findData(node_id)
        if index >= 0 and index != self.node_box.currentIndex():
            self.node_box.blockSignals(True)
            self.node_box.setCurrentIndex(index)
            self.node_box.blockSignals(False)
        self._plot()

    def _fill_headlines(self, result) -> None:
        requests = sum(e.requests for e in result.entries.values())
        p99 = max((e.latency_ms.p99 for e in result.entries.values()), default=0.0)
        throttled = sum(s.throttled for s in result.nodes.values())
        cold = sum(s.cold_starts for s in result.nodes.values())
        self.headlines["requests"].set(fmt_count(requests))
        self.headlines["p99"].set(f"{fmt_ms(p99)} ms" if p99 < 10_000 else fmt_ms(p99))
        self.headlines["throttled"].set(fmt_count(throttled), THROTTLE_RED if throttled else "#067647")
        self.headlines["cold"].set(fmt_count(cold))
        self.headlines["cost"].set(fmt_usd(result.cost.monthly_usd) if result.cost is not None else "n/a")

    def _fill_table(self, arch: Architecture, result) -> None:
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(result.nodes))
        for row, (node_id, stats) in enumerate(result.nodes.items()):
            spec = SERVICES.get(stats.service)
            lat = (lambda v: "—") if stats.requests == 0 else fmt_ms
            values = {
                "node": (self.names[node_id], None), "service": (spec.name if spec else stats.service, None),
                "requests": (fmt_count(stats.requests), stats.requests),
                "completed": (fmt_count(stats.completed), stats.completed),
                "throttled": (fmt_count(stats.throttled), stats.throttled),
                "errors": (fmt_count(stats.errors), stats.errors),
                "cold_starts": (fmt_count(stats.cold_starts), stats.cold_starts),
                "p50": (lat(stats.latency_ms.p50), stats.latency_ms.p50),
                "p95": (lat(stats.latency_ms.p95), stats.latency_ms.p95),
                "p99": (lat(stats.latency_ms.p99), stats.latency_ms.p99),
                "max_concurrency": (fmt_count(stats.max_concurrency), stats.max_concurrency),
                "max_backlog": (fmt_count(stats.max_backlog), stats.max_backlog if stats.max_backlog is not None else -1),
                "cost": (fmt_usd(node_cost(result, node_id)) if result.cost is not None else "—",
                         node_cost(result, node_id) or 0.0),
            }
            for col, (key, _label) in enumerate(COLUMNS):
                text, number = values[key]
                item = _SortItem(text)
                item.setData(NUMERIC_ROLE, number)
                if col == 0:
                    item.setData(Qt.UserRole, node_id)
                    item.setForeground(QBrush(QColor(self.colours.get(node_id, TEXT))))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if number is not None:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if key == "throttled" and stats.throttled:
                    item.setForeground(QBrush(QColor(THROTTLE_RED)))
                self.table.setItem(row, col, item)
        self.table.setSortingEnabled(True)

    def cell_text(self, node_id: str, key: str) -> str:
        """What the table shows for one node and column (tests, accessibility)."""
        col = [k for k, _ in COLUMNS].index(key)
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.UserRole) == node_id:
                return self.table.item(row, col).text()
        raise KeyError(node_id)

    def _row_selected(self) -> None:
        rows = {i.row() for i in self.table.selectedItems()}
        if len(rows) == 1:
            self.show_node(self.table.item(rows.pop(), 0).data(Qt.UserRole))

    def _plot(self) -> None:
        result = self.outcome.result
        ts = result.to_json()["timeseries"]
        times, series = ts["t_s"], ts["nodes"]
        ids = [self.focus] if self.focus else list(result.nodes)
        suffix = f" — {self.names[self.focus]}" if self.focus else ""
        self.drawn = {
            "latency": plot_latency(self.charts["latency"], result, ids, self.names, self.colours),
            "throughput": plot_series(self.charts["throughput"], series, times, ids, self.names, self.colours,
                                      "throughput", "Throughput" + suffix, "completed / s"),
            "concurrency": plot_series(self.charts["concurrency"], series, times, ids, self.names, self.colours,
                                       "concurrency", "Concurrency" + suffix, "in flight"),
            "backlog": plot_series(self.charts["backlog"], series, times, ids, self.names, self.colours,
                                   "backlog", "Backlog" + suffix, "messages waiting"),
            "events": plot_events(self.charts["events"], series, times, ids, self.names),
            "cost": plot_cost(self.charts["cost"], result, ids, self.names, self.colours),
        }


class _SortItem(QTableWidgetItem):
    """Sorts by the number behind the text (so "1,200" comes after "900")."""

    def __lt__(self, other) -> bool:
        a, b = self.data(NUMERIC_ROLE), other.data(NUMERIC_ROLE)
        if a is None or b is None:
            return self.text().lower() < other.text().lower()
        return a < b
