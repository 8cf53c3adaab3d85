"""The results dashboard: headline figures, a per-node table and charts of one run.

Laid out for a projector as much as for a laptop (1280x720 up):
- the headline cards put the success rate and the failures first when there are any
  (a fast p99 beside 13% failed requests would mislead);
- a strip lists the AWS limits the run hit, first one first (hidden when none);
- the table and the charts share a resizable splitter; the table shows the columns that
  fit its width, most telling first (a column is shown whole or not at all: right-click
  the header to choose), and columns of figures that are zero everywhere stay hidden;
- the charts sit on tabs and only the tab in view is drawn; a chart caches its figure
  per node filter (designer/charts.py), so clicking from node to node swaps pictures;
- the node filter (above the charts) narrows the table and charts to one service
  (all Lambda functions, say) or one node; a click on the canvas picks that node;
- `set_scale(1.4)` enlarges fonts and cards for presentation mode.

The charts take their data from the Result's time series (throughput, concurrency,
backlog, cold starts and throttles per time bucket) and per-node statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFrame, QHBoxLayout, QHeaderView, QLabel, QMenu,
    QSplitter, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from model.catalogue import SERVICES
from simulation.health import fmt_count, fmt_ms, fmt_share, fmt_usd, headline

from . import theme
from .charts import Chart, node_colours, node_cost, plot_cost, plot_events, plot_latency, plot_series
from .limits import LimitsStrip, run_limits

NUMERIC_ROLE = Qt.UserRole + 7


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    tip: str
    shown_if_zero: bool = True  # False: hidden while every node has 0 in it


# In the order the table gives them room: when it is narrow, the last ones go first.
COLUMNS = (
    Column("node", "Node", "The node's name (double-click: select it on the canvas)"),
    Column("requests", "Requests", "Attempts that reached the node, throttled ones included"),
    Column("throttled", "Throttled", "Attempts refused for capacity", shown_if_zero=False),
    Column("errors", "Errors", "Requests that failed (timeouts, error_rate, failed calls)", shown_if_zero=False),
    Column("p99", "p99", "99th percentile latency"),
    Column("cold_starts", "Cold", "Cold starts", shown_if_zero=False),
    Column("cost", "$/month", "Estimated monthly cost"),
    Column("max_backlog", "Backlog", "Peak backlog (messages waiting)", shown_if_zero=False),
    Column("max_concurrency", "Conc.", "Peak concurrency (requests in flight)"),
    Column("p50", "p50", "Median latency"),
    Column("p95", "p95", "95th percentile latency"),
    Column("completed", "Completed", "Requests that finished successfully"),
    Column("service", "Service", "AWS service"),
)
KEYS = [c.key for c in COLUMNS]
OPTIONAL_AT_START = ("p95", "completed", "service")  # offered in the header's menu
NODE_COLUMN_MIN = 110  # the node column shrinks to this (names elided) before others go
CELL_PADDING = 14  # a cell's text and the table's margins around it
HEADER_PADDING, SORT_ARROW = 16, 14

TABLE_SHARE = 0.45  # of the dashboard's width, at first: the charts get the rest
PREFETCH_GAP_MS = 40  # between two charts prepared in the background (input goes first)

CHARTS = (("latency", "Latency"), ("throughput", "Throughput"), ("concurrency", "Concurrency"),
          ("backlog", "Backlog"), ("events", "Cold starts"), ("cost", "Cost"))


# --------------------------------------------------------------------------------------
# Headline cards


class HeadlineCard(QFrame):
    """A headline number with its caption."""

    def __init__(self, key: str, caption: str) -> None:
        super().__init__()
        self.key = key
        self.setObjectName("headline")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 5, 10, 5)
        layout.setSpacing(0)
        self.value = QLabel("—")
        self.caption = QLabel(caption)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        self.colour = None
        self.scale = 1.0
        self.restyle()

    def set(self, text: str, colour: str | None = None, tip: str = "") -> None:
        self.value.setText(text)
        self.colour = colour
        self.setToolTip(tip)
        self.restyle()

    def set_scale(self, scale: float) -> None:
        self.scale = scale
        self.restyle()

    def restyle(self) -> None:
        t = theme.current()
        self.setStyleSheet(f"#headline {{ background: {t.panel}; border: 1px solid {t.border}; border-radius: 6px; }}")
        self.value.setStyleSheet(f"font-size: {13 * self.scale:.1f}pt; font-weight: 600; color: {self.colour or t.text};"
                                 " border: none;")
        self.caption.setStyleSheet(f"font-size: {8.5 * self.scale:.1f}pt; color: {t.muted}; border: none;")


# --------------------------------------------------------------------------------------
# The dashboard widget


class Dashboard(QWidget):
    node_activated = Signal(str)  # a table row was double-clicked
    title_changed = Signal(str)  # what the results are of: the dock's title shows it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.outcome = None
        self.focus: str | None = None  # one node's charts, or None
        self.group: str | None = None  # a service key the filter narrows to, or None
        self.scale = 1.0
        self.wanted = {c.key for c in COLUMNS if c.key not in OPTIONAL_AT_START}
        self.needed: dict[str, int] = {}  # column -> width its header and cells need
        self.nonzero: set[str] = set()
        self.drawn: dict[str, int] = {}
        self._prefetch_queue: list[tuple] = []
        self._prefetch_timer = QTimer(self)
        self._prefetch_timer.setInterval(PREFETCH_GAP_MS)
        self._prefetch_timer.timeout.connect(self._prefetch_one)
        self._build()
        theme.themes().changed.connect(self.restyle)
        self.clear()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 8)
        layout.setSpacing(6)
        self.cards_row = QHBoxLayout()
        self.cards_row.setSpacing(8)
        self.headlines = {key: HeadlineCard(key, caption) for key, caption in (
            ("success", "succeeded"), ("failed", "failed"), ("requests", "requests in"),
            ("p99", "p99 end to end"), ("throttled", "throttled"), ("cold", "cold starts"),
            ("cost", "per month"))}
        for card in self.headlines.values():
            self.cards_row.addWidget(card)
        self.cards_row.addStretch(1)
        self.node_label = QLabel("Show")
        self.cards_row.addWidget(self.node_label, 0, Qt.AlignBottom)
        self.node_box = QComboBox()
        self.node_box.setObjectName("chartNodeBox")
        self.node_box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.node_box.setMinimumContentsLength(18)
        self.node_box.setToolTip("Narrow the table and charts to one service or one node")
        self.node_box.currentIndexChanged.connect(lambda _i: self._filter_picked())
        self.cards_row.addWidget(self.node_box, 0, Qt.AlignBottom)
        layout.addLayout(self.cards_row)
        self.title = ""
        self.limits = LimitsStrip()
        self.limits.node_clicked.connect(self.node_activated)
        layout.addWidget(self.limits)

        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.setObjectName("resultsSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(7)
        self.table = _NodeTable(self)
        self.table.itemSelectionChanged.connect(self._row_selected)
        self.table.cellDoubleClicked.connect(
            lambda row, _c: self.node_activated.emit(self.table.item(row, 0).data(Qt.UserRole)))
        self.table.horizontalHeader().sortIndicatorChanged.connect(lambda *_a: self._refit_columns())
        self.table.horizontalHeader().setContextMenuPolicy(Qt.CustomContextMenu)
        self.table.horizontalHeader().customContextMenuRequested.connect(self._column_menu)
        self.splitter.addWidget(self.table)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setUsesScrollButtons(True)
        self.charts: dict[str, Chart] = {}
        for key, label in CHARTS:
            self.charts[key] = Chart()
            self.tabs.addTab(self.charts[key], label)
        self.tabs.currentChanged.connect(lambda _i: self._plot())
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 9)
        self.splitter.setStretchFactor(1, 11)
        self._split = False  # the first time it has a width, the table gets TABLE_SHARE of it
        layout.addWidget(self.splitter, 1)
        self.stale_note = QLabel("Results are stale: the design changed since this run. Run again to refresh.")
        self.stale_note.setObjectName("staleNote")
        self.stale_note.hide()
        layout.addWidget(self.stale_note)
        self.restyle()

    def restyle(self, *_args) -> None:
        t = theme.current()
        self.node_label.setStyleSheet(f"color: {t.muted};")
        self.table.setStyleSheet(
            f"QTableWidget {{ border: 1px solid {t.border}; background: {t.panel}; color: {t.text};"
            f" alternate-background-color: {t.alternate}; font-size: {9 * self.scale:.1f}pt; }}"
            f"QHeaderView::section {{ background: {t.header}; border: none; border-bottom: 1px solid {t.border};"
            f" padding: 4px 6px; color: {t.muted}; font-weight: 600; font-size: {9 * self.scale:.1f}pt; }}")
        self.stale_note.setStyleSheet(f"background: {t.note_fill}; color: {t.note_text}; padding: 4px 8px;"
                                      " border-radius: 4px;")
        for card in self.headlines.values():
            card.restyle()
        self.limits.restyle()
        for chart in self.charts.values():
            chart.forget_all()
        if self.outcome is not None:
            self._fill_table()
            self._plot()

    # -- content ---------------------------------------------------------------------------

    def clear(self) -> None:
        self.outcome = None
        self.focus = self.group = None
        self.table.setRowCount(0)
        for card in self.headlines.values():
            card.set("—", theme.current().muted)
            card.setVisible(card.key not in ("success", "failed"))
        self._set_title("no results yet: run a scenario")
        self.limits.set_limits([], {})
        self.node_box.blockSignals(True)
        self.node_box.clear()
        self.node_box.blockSignals(False)
        self._prefetch_queue = []
        self._prefetch_timer.stop()
        for chart in self.charts.values():
            chart.forget_all()
            chart.empty("Run a scenario to see charts")
        self.drawn = {}
        self.stale_note.hide()

    def set_outcome(self, outcome) -> None:
        """Show a RunOutcome (arch snapshot + Result); None clears."""
        if outcome is None:
            self.clear()
            return
        self.outcome = outcome
        self.focus = self.group = None
        arch, result = outcome.arch, outcome.result
        self.names = {n: arch.nodes[n].display_name if n in arch.nodes else n for n in result.nodes}
        self.colours = node_colours(arch, list(result.nodes))
        self.series = {n: dict(s) for n, s in result.timeseries.nodes.items()}
        self.times = list(result.timeseries.t_s)
        self._fill_headlines(result)
        self.limits.set_limits(run_limits(result), self.names)
        self._fill_table()
        self._fill_filter(result)
        self._set_title(f"{result.scenario} · {result.duration_s:g} s simulated · seed {result.seed}")
        for chart in self.charts.values():
            chart.forget_all()
        self.drawn = {}
        self.stale_note.hide()
        self._plot()

    def _set_title(self, text: str) -> None:
        self.title = text
        self.title_changed.emit(text)

    def set_stale(self, stale: bool) -> None:
        self.stale_note.setVisible(stale and self.outcome is not None)

    def set_scale(self, scale: float) -> None:
        """Font and card scale (1.0; larger in presentation mode)."""
        self.scale = scale
        for card in self.headlines.values():
            card.set_scale(scale)
        for chart in self.charts.values():
            chart.scale = scale
        self.limits.set_scale(scale)
        self.table.verticalHeader().setDefaultSectionSize(int(24 * scale))
        self.restyle()

    def show_node(self, node_id: str | None) -> None:
        """Narrow the charts to one node (None: back to the filter's nodes)."""
        if self.outcome is None or (node_id is not None and node_id not in self.outcome.result.nodes):
            return
        if node_id == self.focus:
            return
        self.focus = node_id
        self._sync_filter_box()
        self._select_row(node_id)
        self._plot()

    def visible_nodes(self) -> list[str]:
        """The nodes the table and charts show: the focused one, or the filter's."""
        result = self.outcome.result
        if self.focus is not None:
            return [self.focus]
        return [n for n in result.nodes if self.group is None or result.nodes[n].service == self.group]

    def subject(self, focus: str | None, group: str | None) -> str:
        """What a chart is of, in words: a node's name, 'all Lambda', 'all nodes'."""
        if focus is not None:
            return self.names[focus]
        if group is not None:
            spec = SERVICES.get(group)
            return f"all {spec.name if spec else group}"
        return "all nodes"

    # -- headline cards -----------------------------------------------------------------

    def _fill_headlines(self, result) -> None:
        t = theme.current()
        figures = headline(result)
        rate = figures.success_rate
        failing = figures.failed > 0
        cards = self.headlines
        if rate is None:
            cards["success"].set("—", t.muted)
        else:
            colour = t.bad if rate < 0.99 else t.warning if rate < 0.999 else t.good
            cards["success"].set(fmt_share(rate), colour,
                                 f"{fmt_count(figures.succeeded)} of {fmt_count(figures.succeeded + figures.failed)} "
                                 "requests that ended succeeded (those still in flight at the end are not counted)")
        cards["failed"].set(fmt_count(figures.failed), t.bad if failing else t.good,
                            "Requests whose synchronous chain failed: throttled, timed out or errored")
        cards["requests"].set(fmt_count(figures.requests), None, "Requests that arrived at the entry points")
        cards["p99"].set(fmt_ms(figures.p99_ms) if figures.succeeded else "—", None,
                         "The worst entry point's p99 response time, of the requests that succeeded")
        cards["p99"].caption.setText("p99 of succeeded" if failing else "p99 end to end")
        cards["throttled"].set(fmt_count(figures.throttled), t.bad if figures.throttled else t.good,
                               "Attempts refused for capacity, at every node")
        cards["cold"].set(fmt_count(figures.cold_starts), None, "Lambda cold starts")
        cards["cost"].set(fmt_usd(figures.monthly_usd) if figures.monthly_usd is not None else "n/a", None,
                          "Estimated monthly cost at this load (us-east-1 list prices)")
        # Failures first when there are any; otherwise the success rate says 100% further on.
        order = (["success", "failed", "requests", "p99", "throttled", "cold", "cost"] if failing
                 else ["requests", "p99", "success", "throttled", "cold", "cost"])
        for card in cards.values():
            self.cards_row.removeWidget(card)
            card.setVisible(card.key in order)
        for index, key in enumerate(order):
            self.cards_row.insertWidget(index, cards[key])
        cards["success"].caption.setText("succeeded")

    def headline_order(self) -> list[str]:
        """The cards shown, left to right (tests)."""
        cards = [self.cards_row.itemAt(i).widget() for i in range(self.cards_row.count())]
        return [c.key for c in cards if isinstance(c, HeadlineCard) and not c.isHidden()]

    # -- the table -------------------------------------------------------------------------

    def _fill_table(self) -> None:
        result = self.outcome.result
        t = theme.current()
        table = self.table
        table.setSortingEnabled(False)
        table.clearContents()
        table.setRowCount(len(result.nodes))
        self.nonzero = set()
        for row, (node_id, stats) in enumerate(result.nodes.items()):
            for col, (key, text, number) in enumerate(self._cells(result, node_id, stats)):
                item = _SortItem(text)
                item.setData(NUMERIC_ROLE, number)
                if number:
                    self.nonzero.add(key)
                if key == "node":
                    item.setData(Qt.UserRole, node_id)
                    item.setForeground(QBrush(QColor(self.colours.get(node_id, t.text))))
                    item.setToolTip(f"{self.names[node_id]} ({node_id})")
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                elif number is not None:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if key in ("throttled", "errors") and number:
                    item.setForeground(QBrush(QColor(t.bad)))
                table.setItem(row, col, item)
        table.setSortingEnabled(True)
        self._measure_columns()
        self._apply_row_filter()
        self.fit_columns()

    def _cells(self, result, node_id: str, stats) -> list[tuple[str, str, float | None]]:
        spec = SERVICES.get(stats.service)
        lat = (lambda v: "—") if stats.requests == 0 else fmt_ms
        cost = node_cost(result, node_id)
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
            "cost": (fmt_usd(cost) if cost is not None else "—", cost or 0.0),
        }
        return [(key, *values[key]) for key in KEYS]

    def _measure_columns(self) -> None:
        """The width each column needs to show its header and every cell whole."""
        table = self.table
        cells = QFontMetrics(table.font())
        bold = table.font()
        bold.setBold(True)
        names, header = QFontMetrics(bold), table.horizontalHeader()
        header_metrics = QFontMetrics(header.font())
        self.needed = {}
        for col, column in enumerate(COLUMNS):
            metrics = names if column.key == "node" else cells
            widest = max((metrics.horizontalAdvance(table.item(r, col).text()) for r in range(table.rowCount())),
                         default=0)
            # the header is bold in the style sheet (the header's font is not), and the
            # sorted column shows an arrow
            head = int(header_metrics.horizontalAdvance(column.header) * 1.1) + HEADER_PADDING
            if header.sortIndicatorSection() == col:
                head += SORT_ARROW
            self.needed[column.key] = max(widest + CELL_PADDING, head)

    def _refit_columns(self) -> None:
        if self.outcome is not None:
            self._measure_columns()
            self.fit_columns()

    def shown_columns(self) -> list[str]:
        return [c.key for i, c in enumerate(COLUMNS) if not self.table.isColumnHidden(i)]

    def fit_columns(self) -> None:
        """Show the wanted columns that fit the table's width, whole, most telling first;
        the node column takes what is left (its names elided down to NODE_COLUMN_MIN)."""
        if not self.needed:
            return
        table = self.table
        room = table.viewport().width() if table.isVisible() else table.width() - 4
        candidates = [c for c in COLUMNS if c.key in self.wanted or c.key == "node"]
        candidates = [c for c in candidates if c.shown_if_zero or c.key in self.nonzero or c.key == "node"]
        node_needed = self.needed["node"]
        used = min(node_needed, NODE_COLUMN_MIN)
        shown = ["node"]
        for column in candidates[1:]:
            if used + self.needed[column.key] <= room:
                shown.append(column.key)
                used += self.needed[column.key]
        node_width = max(NODE_COLUMN_MIN, min(node_needed, room - used + min(node_needed, NODE_COLUMN_MIN)))
        for col, column in enumerate(COLUMNS):
            visible = column.key in shown
            table.setColumnHidden(col, not visible)
            if visible:
                table.setColumnWidth(col, node_width if column.key == "node" else self.needed[column.key])
        hidden = [c.header for c in COLUMNS if c.key in self.wanted and c.key not in shown
                  and (c.shown_if_zero or c.key in self.nonzero)]
        table.horizontalHeader().setToolTip(
            (f"Not enough room for: {', '.join(hidden)}. Widen the table (drag the splitter) or right-click to choose "
             "columns.") if hidden else "Right-click to choose columns")

    def _column_menu(self, pos) -> None:
        menu = QMenu(self)
        for column in COLUMNS[1:]:
            action = menu.addAction(column.tip if column.header in ("Cold", "Conc.", "$/month") else column.header)
            action.setCheckable(True)
            action.setChecked(column.key in self.wanted)
            action.toggled.connect(lambda on, key=column.key: self.want_column(key, on))
        menu.exec(self.table.horizontalHeader().mapToGlobal(pos))

    def want_column(self, key: str, wanted: bool) -> None:
        (self.wanted.add if wanted else self.wanted.discard)(key)
        if wanted:
            self.nonzero.add(key)  # asked for by name: shown even when all zero
        self.fit_columns()

    def cell_text(self, node_id: str, key: str) -> str:
        """What the table shows for one node and column (tests, accessibility)."""
        col = KEYS.index(key)
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.UserRole) == node_id:
                return self.table.item(row, col).text()
        raise KeyError(node_id)

    def _apply_row_filter(self) -> None:
        result = self.outcome.result if self.outcome else None
        for row in range(self.table.rowCount()):
            node_id = self.table.item(row, 0).data(Qt.UserRole)
            hide = result is not None and self.group is not None and result.nodes[node_id].service != self.group
            self.table.setRowHidden(row, hide)

    def _select_row(self, node_id: str | None) -> None:
        table = self.table
        table.blockSignals(True)
        table.clearSelection()
        for row in range(table.rowCount()):
            if node_id is not None and table.item(row, 0).data(Qt.UserRole) == node_id:
                table.selectRow(row)
                table.scrollToItem(table.item(row, 0))
        table.blockSignals(False)

    def _row_selected(self) -> None:
        rows = {i.row() for i in self.table.selectedItems()}
        if len(rows) == 1:
            self.show_node(self.table.item(rows.pop(), 0).data(Qt.UserRole))

    # -- the node filter -------------------------------------------------------------------

    def _fill_filter(self, result) -> None:
        """Items' data: "all", "service:KEY" or "node:ID" (QComboBox.findData needs plain values)."""
        box = self.node_box
        box.blockSignals(True)
        box.clear()
        box.addItem("All nodes", "all")
        services: dict[str, int] = {}
        for stats in result.nodes.values():
            services[stats.service] = services.get(stats.service, 0) + 1
        for service, count in services.items():
            if count > 1:
                spec = SERVICES.get(service)
                box.addItem(f"All {spec.name if spec else service} ({count})", f"service:{service}")
        box.insertSeparator(box.count())
        for node_id in result.nodes:
            box.addItem(self.names[node_id], f"node:{node_id}")
        box.setCurrentIndex(0)
        box.blockSignals(False)

    def _filter_picked(self) -> None:
        data = self.node_box.currentData()
        if self.outcome is None or data is None:
            return
        kind, _, value = data.partition(":")
        if kind == "node":
            self.show_node(value)
            return
        self.group = value if kind == "service" else None
        self.focus = None
        self._select_row(None)
        self._apply_row_filter()
        self._plot()

    def _sync_filter_box(self) -> None:
        wanted = f"node:{self.focus}" if self.focus else (f"service:{self.group}" if self.group else "all")
        index = self.node_box.findData(wanted)
        if index >= 0 and index != self.node_box.currentIndex():
            self.node_box.blockSignals(True)
            self.node_box.setCurrentIndex(index)
            self.node_box.blockSignals(False)

    # -- charts ----------------------------------------------------------------------------

    def current_chart(self) -> str:
        return CHARTS[self.tabs.currentIndex()][0]

    def _plot(self) -> None:
        """Draw the chart in view (the others are drawn when their tab is shown), then
        prepare in the background this chart for every node and filter the user may pick."""
        if self.outcome is None:
            return
        key = self.current_chart()
        ids = self.visible_nodes()
        self.drawn[key] = self.charts[key].present((key, (self.focus, self.group)),
                                                   lambda figure: self._draw(key, figure, ids))
        self._start_prefetch(key)

    def _start_prefetch(self, key: str) -> None:
        result = self.outcome.result
        filters = [(None, self.group), (None, None)]
        filters += [(None, s) for s in {stats.service for stats in result.nodes.values()}]
        filters += [(node_id, self.group) for node_id in result.nodes]
        self._prefetch_queue = [(key, f) for f in dict.fromkeys(filters)]
        self._prefetch_timer.start()

    def _prefetch_one(self) -> None:
        """Prepare one figure; stop when every one is ready (or the chart is hidden)."""
        while self._prefetch_queue and self.outcome is not None:
            key, (focus, group) = self._prefetch_queue.pop(0)
            chart = self.charts[key]
            if not chart.isVisible():
                break
            result = self.outcome.result
            ids = [focus] if focus else [n for n in result.nodes if group is None or result.nodes[n].service == group]
            if chart.prefetch((key, (focus, group)),
                              lambda figure, k=key, i=ids, f=focus, g=group: self._draw(k, figure, i, f, g)):
                return  # one per tick: the user's clicks are handled in between
        self._prefetch_queue = []
        self._prefetch_timer.stop()

    def _draw(self, key: str, figure, ids: list[str], focus=..., group=...) -> int:
        result, scale = self.outcome.result, self.scale
        subject = self.subject(self.focus if focus is ... else focus, self.group if group is ... else group)
        chart = self.charts[key]
        if key == "latency":
            return plot_latency(figure, result, ids, self.names, self.colours, f"Latency of {subject}",
                                chart.rows_that_fit(), scale)
        if key == "cost":
            return plot_cost(figure, result, ids, self.names, self.colours, f"Cost of {subject}",
                             chart.rows_that_fit(), scale)
        if key == "events":
            return plot_events(figure, self.series, self.times, ids, f"Cold starts and throttles of {subject}", scale)
        heading, unit = {"throughput": ("Throughput", "completed / s"), "concurrency": ("Concurrency", "in flight"),
                         "backlog": ("Backlog", "messages waiting")}[key]
        return plot_series(figure, self.series, self.times, ids, self.names, self.colours, key,
                           f"{heading} of {subject}", unit, scale)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        if not self._split and self.splitter.width() > 400:
            self._split = True
            width = self.splitter.width() - self.splitter.handleWidth()
            self.splitter.setSizes([int(width * TABLE_SHARE), width - int(width * TABLE_SHARE)])
        self.fit_columns()


class _NodeTable(QTableWidget):
    """The per-node table; it re-fits its columns when the splitter resizes it."""

    def __init__(self, dashboard: Dashboard) -> None:
        super().__init__(0, len(COLUMNS))
        self.dashboard = dashboard
        self.setObjectName("resultsTable")
        self.setHorizontalHeaderLabels([c.header for c in COLUMNS])
        for col, column in enumerate(COLUMNS):
            self.horizontalHeaderItem(col).setToolTip(column.tip)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(24)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        header = self.horizontalHeader()
        header.setSortIndicator(-1, Qt.AscendingOrder)
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setStretchLastSection(False)
        header.setHighlightSections(False)
        self.setSortingEnabled(True)  # file order until the user clicks a header
        self.setMinimumWidth(NODE_COLUMN_MIN + 140)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().resizeEvent(event)
        self.dashboard.fit_columns()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(480, 200)


class _SortItem(QTableWidgetItem):
    """Sorts by the number behind the text (so "1,200" comes after "900")."""

    def __lt__(self, other) -> bool:
        a, b = self.data(NUMERIC_ROLE), other.data(NUMERIC_ROLE)
        if a is None or b is None:
            return self.text().lower() < other.text().lower()
        return a < b

