"""The results dashboard: headline figures, a per-node table and charts of one run.

Charts are matplotlib `Figure`s on `FigureCanvasQTAgg` (no pyplot global state). Their
data come from `Result.to_json()["timeseries"]` (throughput, concurrency, backlog, cold
starts and throttles per time bucket) and the per-node statistics. Colours: each node
gets a shade of its AWS category colour, so the charts read like the canvas.

`show_node(id)` narrows every chart to one node (a click on the canvas does that);
`show_node(None)` shows them all again.
"""

from __future__ import annotations

import colorsys
import warnings

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFrame, QHBoxLayout, QHeaderView, QLabel, QSizePolicy,
    QSplitter, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from model.architecture import Architecture
from model.catalogue import CATEGORY_COLOURS, SERVICES
from simulation.health import fmt_count, fmt_ms, fmt_usd

# Charts on tabs not yet shown have no size; matplotlib's layout warns about it on every
# redraw, and lays them out properly once they are shown.
warnings.filterwarnings("ignore", message="constrained_layout not applied", category=UserWarning)

TEXT, MUTED, GRID = "#1F2733", "#6B7380", "#E5E7EB"
THROTTLE_RED, COLD_BLUE = "#D92D20", "#2F80ED"
MAX_LINES = 8  # more lines than this on one chart is a tangle: the busiest ones are drawn

COLUMNS = (
    ("node", "Node"), ("requests", "Requests"), ("throttled", "Throttled"), ("cold_starts", "Cold starts"),
    ("p50", "p50 ms"), ("p95", "p95 ms"), ("p99", "p99 ms"), ("max_concurrency", "Peak conc."),
    ("max_backlog", "Peak backlog"), ("cost", "$ / month"), ("errors", "Errors"), ("completed", "Completed"),
    ("service", "Service"),
)
NUMERIC_ROLE = Qt.UserRole + 7


# --------------------------------------------------------------------------------------
# Colours (numbers are written by simulation.health's fmt_count, fmt_ms and fmt_usd)


def node_colours(arch: Architecture, node_ids) -> dict[str, str]:
    """A shade of its category colour per node, nodes of one category spread in lightness."""
    by_category: dict[str, list[str]] = {}
    for node_id in node_ids:
        node = arch.nodes.get(node_id)
        spec = SERVICES.get(node.service) if node else None
        by_category.setdefault(spec.category if spec else "", []).append(node_id)
    out = {}
    for category, ids in by_category.items():
        base = QColor(CATEGORY_COLOURS.get(category, "#5A6270"))
        h, l, s = colorsys.rgb_to_hls(base.redF(), base.greenF(), base.blueF())
        for i, node_id in enumerate(ids):
            shift = (i - (len(ids) - 1) / 2) * min(0.12, 0.36 / max(1, len(ids)))
            r, g, b = colorsys.hls_to_rgb(h, min(0.75, max(0.22, l + shift)), s)
            out[node_id] = QColor.fromRgbF(r, g, b).name()
    return out


def node_cost(result, node_id: str) -> float | None:
    return None if result.cost is None else float(result.cost.by_node.get(node_id, 0.0))


# --------------------------------------------------------------------------------------
# Charts


class Chart(FigureCanvasQTAgg):
    """One matplotlib figure, styled like the rest of the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.figure = Figure(figsize=(5, 3), dpi=100, facecolor="white", layout="constrained")
        super().__init__(self.figure)
        self.setParent(parent)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumHeight(160)

    def axes(self):
        self.figure.clear()
        ax = self.figure.add_subplot(111)
        ax.set_facecolor("white")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for side in ("left", "bottom"):
            ax.spines[side].set_color("#C9CED6")
        ax.tick_params(colors=MUTED, labelsize=8.5)
        ax.grid(True, color=GRID, linewidth=0.8)
        ax.set_axisbelow(True)
        return ax

    def empty(self, text: str) -> None:
        ax = self.axes()
        ax.axis("off")
        ax.text(0.5, 0.5, text, ha="center", va="center", color=MUTED, fontsize=10, transform=ax.transAxes)
        self.draw_idle()


def _title(ax, text: str) -> None:
    ax.set_title(text, loc="left", fontsize=10, color=TEXT, fontweight="bold", pad=6)


def _legend(ax, count: int) -> None:
    if count:  # below the plot: a side legend would take half of a narrow chart
        ax.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.2),
                  ncol=min(count, 2), labelcolor=TEXT, handlelength=1.4, columnspacing=1.2)


def plot_series(chart: Chart, series: dict, times, node_ids, names: dict, colours: dict,
                key: str, title: str, unit: str) -> int:
    """A line per node of series[node][key] over time; returns how many were drawn."""
    ranked = sorted((n for n in node_ids if any(series.get(n, {}).get(key, ()))),
                    key=lambda n: -max(series[n][key]))[:MAX_LINES]
    if not ranked:
        chart.empty(f"No {title.lower()} in this run")
        return 0
    ax = chart.axes()
    for node_id in ranked:
        ax.plot(times, series[node_id][key], color=colours.get(node_id, MUTED), linewidth=1.6,
                label=names.get(node_id, node_id), drawstyle="steps-post")
    _title(ax, title)
    ax.set_xlabel("simulated time (s)", fontsize=8.5, color=MUTED)
    ax.set_ylabel(unit, fontsize=8.5, color=MUTED)
    ax.set_xlim(times[0] if times else 0, times[-1] if times else 1)
    ax.set_ylim(bottom=0)
    _legend(ax, len(ranked))
    chart.draw_idle()
    return len(ranked)


def plot_events(chart: Chart, series: dict, times, node_ids, names: dict) -> int:
    """Cold starts and throttles per bucket, summed over the chosen nodes."""
    cold = [sum(series.get(n, {}).get("cold_starts", [0] * len(times))[i] for n in node_ids)
            for i in range(len(times))]
    throttled = [sum(series.get(n, {}).get("throttled", [0] * len(times))[i] for n in node_ids)
                 for i in range(len(times))]
    if not any(cold) and not any(throttled):
        chart.empty("No cold starts and no throttling in this run")
        return 0
    ax = chart.axes()
    width = (times[1] - times[0]) * 0.9 if len(times) > 1 else 0.9
    ax.bar(times, cold, width=width, align="edge", color=COLD_BLUE, label="cold starts")
    ax.bar(times, throttled, width=width, align="edge", bottom=cold, color=THROTTLE_RED, label="throttled")
    _title(ax, "Cold starts and throttles")
    ax.set_xlabel("simulated time (s)", fontsize=8.5, color=MUTED)
    ax.set_ylabel("per bucket", fontsize=8.5, color=MUTED)
    _legend(ax, 2)
    chart.draw_idle()
    return 2


def plot_latency(chart: Chart, result, node_ids, names: dict, colours: dict) -> int:
    """p50 to p99 per node as a range on a log scale (p50 ring, p95 tick, p99 dot): it
    stays readable with many nodes in a short panel, where grouped bars would not."""
    rows = [n for n in node_ids if n in result.nodes and result.nodes[n].latency_ms.p99 > 0]
    if not rows:
        chart.empty("No latency measured")
        return 0
    ax = chart.axes()
    rows = rows[::-1]  # first node on top
    for i, node_id in enumerate(rows):
        lat, colour = result.nodes[node_id].latency_ms, colours.get(node_id, MUTED)
        ax.plot([lat.p50, lat.p99], [i, i], color=colour, linewidth=3, alpha=0.35, solid_capstyle="round")
        ax.plot([lat.p50], [i], "o", markersize=7, markerfacecolor="white", markeredgecolor=colour,
                markeredgewidth=1.8, label="p50" if i == 0 else None)
        ax.plot([lat.p95], [i], "|", markersize=11, color=colour, markeredgewidth=2,
                label="p95" if i == 0 else None)
        ax.plot([lat.p99], [i], "o", markersize=7, color=colour, label="p99" if i == 0 else None)
        ax.annotate(f"{fmt_ms(lat.p99)}", (lat.p99, i), xytext=(7, 0), textcoords="offset points",
                    va="center", fontsize=8, color=TEXT)
    ax.set_yticks(range(len(rows)), [names.get(n, n) for n in rows], fontsize=8.5, color=TEXT)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xscale("log")
    low, high = ax.get_xlim()
    ax.set_xlim(low, high * 2.2)  # room for the p99 labels
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_ms(v)))
    ax.grid(False, axis="y")
    ax.set_xlabel("latency (ms, log scale): ○ p50   | p95   ● p99", fontsize=8.5, color=MUTED)
    _title(ax, "Latency percentiles")
    chart.draw_idle()
    return len(rows)


def plot_cost(chart: Chart, result, node_ids, names: dict, colours: dict) -> int:
    if result.cost is None:
        chart.empty("Cost could not be estimated")
        return 0
    rows = sorted((n for n in node_ids if node_cost(result, n)), key=lambda n: node_cost(result, n))
    if not rows:
        chart.empty("No billable usage in this run")
        return 0
    ax = chart.axes()
    values = [node_cost(result, n) for n in rows]
    bars = ax.barh(range(len(rows)), values, color=[colours.get(n, MUTED) for n in rows], height=0.6)
    ax.set_yticks(range(len(rows)), [names.get(n, n) for n in rows], fontsize=8.5, color=TEXT)
    ax.bar_label(bars, labels=[fmt_usd(v) for v in values], padding=3, fontsize=8, color=TEXT)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt_usd(v)))
    ax.grid(False, axis="y")
    ax.set_xlim(0, max(values) * 1.25)
    _title(ax, f"Monthly cost by node — total {fmt_usd(result.cost.monthly_usd)}")
    chart.draw_idle()
    return len(rows)


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
