"""What-if: run two variants of the design side by side and show what changed.

A variant is a scenario plus overrides written as `TARGET=VALUE, ...`, with the targets
of `sweep --vary` (and its parser, checks and messages, from simulation/sweep.py):
`NODE.FIELD` (`create_order.memory_mb=1024`), `load.ENTRY.PARAM` or `load.INDEX.PARAM`
(`load.orders_api.rate_rps=80`) and `account.FIELD` (`account.concurrency_limit=500`).
Both run on one worker thread, one after the other, with the same seed (common random
numbers: differences come from the change, not from luck). The table lists end-to-end
latency, throttling, cold starts, errors and cost, with the change from A to B coloured
green (better) or red (worse); a chart shows the same.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout,
    QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar, QPushButton,
    QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from model.architecture import Architecture, Scenario
from model.catalogue import ACCOUNT_FIELDS, LOAD_PATTERNS, SERVICES
from model.errors import StratusError
from simulation.targets import apply_setting, split_vary

from .dashboard import Chart, MUTED, TEXT, fmt_count, fmt_ms, fmt_usd
from .simulation_panel import BackgroundJob

BETTER, WORSE = QColor("#067647"), QColor("#D92D20")
COLOUR_A, COLOUR_B = "#9AA3AF", "#2F80ED"
HELP = ("Overrides: NODE.FIELD=value, load.ENTRY.PARAM=value (or load.0.PARAM), "
        "account.FIELD=value; separate several with commas.")


@dataclass(frozen=True)
class Variant:
    scenario: str
    settings: tuple[tuple[str, str], ...]  # (target, value as typed), in the order written
    label: str = ""


def parse_overrides(text: str) -> tuple[tuple[str, str], ...]:
    """'fn.memory_mb=1024, load.api.rate_rps=80' -> (("fn.memory_mb", "1024"), ...): the
    syntax only, by sweep's own splitter; targets and values are checked by prepare_variant."""
    settings = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        try:
            key, (value,) = split_vary(part)
        except ValueError as exc:
            raise StratusError(_for_dialog(str(exc))) from None
        settings.append((key, value))
    return tuple(settings)


def prepare_variant(arch: Architecture, variant: Variant) -> tuple[Architecture, Scenario]:
    """Copies of the design and of the variant's scenario with every setting applied, each
    resolved, typed and checked exactly as a sweep run is (StratusError names the first bad one)."""
    base = arch.scenario(variant.scenario)
    if base is None:
        raise StratusError(f"no scenario named '{variant.scenario}'")
    design, scenario = arch.copy(), copy.deepcopy(base)
    for key, value in variant.settings:
        try:
            apply_setting(design, scenario, key, value)
        except StratusError as exc:
            raise StratusError(_for_dialog(str(exc))) from None
    return design, scenario


def _for_dialog(message: str) -> str:
    """Sweep's message without the name of its command-line option."""
    return message.removeprefix("--vary ")


@dataclass(frozen=True)
class Row:
    metric: str
    a: float
    b: float
    kind: str  # ms, count, usd

    @property
    def delta(self) -> float:
        return self.b - self.a

    def change_text(self) -> str:
        if self.a == self.b:
            return "no change"
        sign = "+" if self.delta > 0 else "−"
        amount = abs(self.delta)
        text = {"ms": lambda v: f"{fmt_ms(v)} ms", "usd": fmt_usd, "count": fmt_count}[self.kind](amount)
        pct = f" ({self.delta / self.a:+.0%})" if self.a else ""
        return f"{sign}{text}{pct}"

    def better(self) -> bool | None:
        """Every metric here is better lower."""
        return None if self.a == self.b else self.b < self.a


def compare_results(a, b) -> list[Row]:
    rows: list[Row] = []
    for entry in a.entries:
        if entry in b.entries:
            ea, eb = a.entries[entry].latency_ms, b.entries[entry].latency_ms
            for key in ("p50", "p95", "p99"):
                rows.append(Row(f"{entry}: {key} latency", getattr(ea, key), getattr(eb, key), "ms"))
            rows.append(Row(f"{entry}: failed requests", a.entries[entry].failed, b.entries[entry].failed, "count"))
    for name, attr in (("throttled", "throttled"), ("cold starts", "cold_starts"), ("errors", "errors")):
        rows.append(Row(f"all nodes: {name}", sum(getattr(s, attr) for s in a.nodes.values()),
                        sum(getattr(s, attr) for s in b.nodes.values()), "count"))
    for node_id, sa in a.nodes.items():
        sb = b.nodes.get(node_id)
        if sb is None:
            continue
        if sa.throttled or sb.throttled:
            rows.append(Row(f"{node_id}: throttled", sa.throttled, sb.throttled, "count"))
        if sa.latency_ms.p99 != sb.latency_ms.p99 and sa.service == "lambda":
            rows.append(Row(f"{node_id}: p99 duration", sa.latency_ms.p99, sb.latency_ms.p99, "ms"))
    if a.cost is not None and b.cost is not None:
        rows.append(Row("cost per month", a.cost.monthly_usd, b.cost.monthly_usd, "usd"))
        for node_id in a.cost.by_node:
            ca, cb = a.cost.by_node.get(node_id, 0.0), b.cost.by_node.get(node_id, 0.0)
            if ca != cb:
                rows.append(Row(f"{node_id}: cost per month", ca, cb, "usd"))
    return rows


def _fmt(row: Row, value: float) -> str:
    return {"ms": lambda v: f"{fmt_ms(v)} ms", "usd": fmt_usd, "count": fmt_count}[row.kind](value)


class CompareDialog(QDialog):
    """Two variants, one Run button, a table and a chart of the differences."""

    def __init__(self, arch: Architecture, base_dir: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.arch, self.base_dir = arch, base_dir
        self.rows: list[Row] = []
        self.results = None
        self.job = BackgroundJob(self)
        self.setWindowTitle("What-if: compare two variants")
        self.resize(1000, 680)
        self._build()
        self.job.progress.connect(lambda f: self.progress.setValue(int(f * 1000)))
        self.job.finished.connect(self._show)
        self.job.failed.connect(lambda text: self._status(f"Could not compare: {text}", error=True))
        self.job.cancelled.connect(lambda: self._status("Cancelled."))
        self.job.busy_changed.connect(self._busy)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.sides = {}
        names = [s.name for s in self.arch.scenarios]
        example = _example_override(self.arch)
        for key, title in (("a", "A (baseline)"), ("b", "B (what if…)")):
            box = QGroupBox(title)
            form = QFormLayout(box)
            scenario = QComboBox()
            scenario.addItems(names)
            overrides = QLineEdit()
            overrides.setPlaceholderText(example)
            overrides.setToolTip(f"{HELP}\nFor example: {example}")
            form.addRow("Scenario", scenario)
            form.addRow("Overrides", overrides)
            self.sides[key] = (scenario, overrides)
            top.addWidget(box)
        layout.addLayout(top)
        self.help = QLabel(f"{HELP}  For example: {example}")
        self.help.setStyleSheet(f"color: {MUTED};")
        self.help.setWordWrap(True)
        layout.addWidget(self.help)
        row = QHBoxLayout()
        row.addWidget(QLabel("Duration"))
        self.duration = QDoubleSpinBox()
        self.duration.setRange(1, 86400)
        self.duration.setDecimals(0)
        self.duration.setSuffix(" s")
        self.duration.setValue(min((s.duration_s for s in self.arch.scenarios), default=60))
        row.addWidget(self.duration)
        self.run_button = QPushButton("▶  Compare")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.job.cancel)
        self.cancel_button.setEnabled(False)
        row.addWidget(self.run_button)
        row.addWidget(self.cancel_button)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(6)
        row.addWidget(self.progress, 1)
        layout.addLayout(row)
        self.status = QLabel("Set the two variants and press Compare.")
        self.status.setWordWrap(True)  # sweep's messages list the names it knows: they run long
        layout.addWidget(self.status)
        splitter = QSplitter(Qt.Horizontal)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Metric", "A", "B", "Change A → B"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        splitter.addWidget(self.table)
        self.chart = Chart()
        self.chart.empty("Compare to see the differences")
        splitter.addWidget(self.chart)
        splitter.setSizes([560, 420])
        layout.addWidget(splitter, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def set_variant(self, key: str, scenario: str, overrides: str = "") -> None:
        combo, line = self.sides[key]
        combo.setCurrentText(scenario)
        line.setText(overrides)

    def variants(self) -> tuple[Variant, Variant]:
        out = []
        for key in ("a", "b"):
            combo, line = self.sides[key]
            out.append(Variant(combo.currentText(), parse_overrides(line.text()),
                               line.text().strip() or combo.currentText()))
        return out[0], out[1]

    def run(self) -> bool:
        """Start both simulations; False (and the reason in red) when a variant is wrong."""
        try:
            a, b = self.variants()
            prepared = [prepare_variant(self.arch, v) for v in (a, b)]
        except StratusError as exc:
            self._status(str(exc), error=True)
            return False
        duration, base_dir = self.duration.value(), self.base_dir
        seed = prepared[0][1].seed

        def job(progress, cancel):
            from simulation.engine import simulate

            results = []
            for i, (design, scenario) in enumerate(prepared):
                results.append(simulate(design, scenario, seed=seed, duration_s=duration, base_dir=base_dir,
                                        progress=lambda f, i=i: progress((i + f) / 2), cancel=cancel))
            return results

        self.labels = (a.label, b.label)
        self._status(f"Simulating A ({a.label}) and B ({b.label}), {duration:g} s each, seed {seed}…")
        self.job.start(job)
        return True

    def _busy(self, busy: bool) -> None:
        self.run_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)

    def _status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {'#D92D20' if error else '#3D4654'};")

    def _show(self, results) -> None:
        self.results = results
        self.rows = compare_results(*results)
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            cells = (row.metric, _fmt(row, row.a), _fmt(row, row.b), row.change_text())
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if col == 3 and row.better() is not None:
                    item.setForeground(QBrush(BETTER if row.better() else WORSE))
                self.table.setItem(i, col, item)
        self._plot()
        changed = sum(1 for r in self.rows if r.better() is not None)
        self._status(f"A: {self.labels[0]}   ·   B: {self.labels[1]}   ·   {changed} of {len(self.rows)} "
                     "figures differ")

    def _plot(self) -> None:
        picked = [r for r in self.rows if r.kind == "ms" and "p99" in r.metric][:6]
        if not picked:
            self.chart.empty("No latency to compare")
            return
        ax = self.chart.axes()
        ys = range(len(picked))
        ax.barh([y + 0.2 for y in ys], [r.a for r in picked], height=0.38, color=COLOUR_A, label="A")
        ax.barh([y - 0.2 for y in ys], [r.b for r in picked], height=0.38, color=COLOUR_B, label="B")
        ax.set_yticks(list(ys), [r.metric.replace(": ", "\n") for r in picked], fontsize=8, color=TEXT)
        ax.invert_yaxis()
        ax.set_xlabel("ms", fontsize=8.5, color=MUTED)
        ax.set_title("p99 latency, A vs B", loc="left", fontsize=10, color=TEXT, fontweight="bold")
        ax.legend(fontsize=8, frameon=False)
        self.chart.draw_idle()

    def done(self, code: int) -> None:
        self.job.cancel()
        self.job.wait()
        super().done(code)


def _example_override(arch: Architecture) -> str:
    """One example of each kind of target this design offers, to put in the empty field."""
    parts = []
    node = next((n for n in arch.nodes.values() if n.service == "lambda"), None)
    if node is not None:
        memory = SERVICES["lambda"].field("memory_mb")
        doubled = min(node.effective_config().get("memory_mb", memory.default) * 2, memory.max)
        parts.append(f"{node.id}.memory_mb={doubled}")
    # the first scenario's first load: the scenario both sides start on
    loads = arch.scenarios[0].load if arch.scenarios else []
    shape = LOAD_PATTERNS.get(loads[0].pattern) if loads else None
    numbers = [f for f in shape.fields if f.kind in ("int", "float")] if shape is not None else []
    if numbers:
        load, param = loads[0], numbers[0]
        which = load.entry if sum(each.entry == load.entry for each in loads) == 1 else "0"
        parts.append(f"load.{which}.{param.name}={load.params.get(param.name, param.default) * 2:g}")
    limit = next(f for f in ACCOUNT_FIELDS if f.name == "concurrency_limit")
    current = arch.account.get(limit.name, limit.default)
    # half the limit, but no lower than a valid design allows: AWS keeps 100 unreserved
    reserved = sum(n.effective_config().get("reserved_concurrency") or 0
                   for n in arch.nodes.values() if n.service == "lambda")
    parts.append(f"account.{limit.name}={max(reserved + 100, int(current) // 2)}")
    return ", ".join(parts)
