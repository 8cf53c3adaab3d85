"""What-if: run two variants of the design side by side and show what changed.

A variant is a scenario plus overrides written as `TARGET=VALUE, ...`, with the targets
of `sweep --vary`: `NODE.FIELD` (`create_order.memory_mb=1024`), `load.ENTRY.PARAM` or
`load.INDEX.PARAM` (`load.orders_api.rate_rps=80`) and `account.FIELD`
(`account.concurrency_limit=500`). Nobody has to know ids to write one: under each
variant, three lists pick a node (by its name), a load or the account, one of its
fields and a value (a few are suggested; any can be typed), and Add writes the target
into the overrides, which can still be typed by hand.

Each variant runs with its scenario's own duration (what the Run button does) unless a
duration is set, and `Replications` times (replication i of both with the same seed):
`simulation.compare` prepares, runs and compares them. The table shows every figure's
mean ± the half-width of its 95% interval, and the change from A to B coloured green
(better) or red (worse) only where the two intervals do not overlap; a chart shows the
p99 latencies with their intervals. A comparison that fails clears the previous one.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout,
    QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar, QPushButton, QSpinBox,
    QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from model.architecture import Architecture
from model.errors import StratusError
from simulation.compare import (
    DEFAULT_REPLICATIONS, Row, Variant, compare_runs, current_value, example_overrides, parse_overrides,
    prepare_variant, replicate_variants, settable_fields, settable_targets, suggested_values,
)

from . import theme
from .charts import Chart, axes, legend, short, title
from .names import node_name
from .simulation_panel import BackgroundJob

COLOUR_A, COLOUR_B = "#9AA3AF", "#2F80ED"
HELP = ("Overrides: NODE.FIELD=value, load.ENTRY.PARAM=value (or load.0.PARAM), "
        "account.FIELD=value; separate several with commas.")
OWN_DURATION = "scenario's own"


class TargetPicker(QWidget):
    """Node (or load, or account), field and value from lists; Add writes the target."""

    def __init__(self, arch: Architecture, scenario_box: QComboBox, overrides: QLineEdit) -> None:
        super().__init__()
        self.arch, self.scenario_box, self.overrides = arch, scenario_box, overrides
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.target = QComboBox()
        self.target.setToolTip("A node, a load of the scenario, or the account")
        self.field = QComboBox()
        self.field.setToolTip("The setting to change")
        self.value = QComboBox()
        self.value.setEditable(True)
        self.value.setToolTip("A suggested value, or type any")
        self.value.setMinimumContentsLength(6)
        self.add = QPushButton("Add")
        self.add.setToolTip("Add this change to the overrides")
        for widget, stretch in ((self.target, 3), (self.field, 2), (self.value, 1), (self.add, 0)):
            row.addWidget(widget, stretch)
        self.target.currentIndexChanged.connect(lambda _i: self._fill_fields())
        self.field.currentIndexChanged.connect(lambda _i: self._fill_values())
        self.add.clicked.connect(self.add_change)
        scenario_box.currentIndexChanged.connect(lambda _i: self.refresh())
        self.refresh()

    def scenario(self):
        return self.arch.scenario(self.scenario_box.currentText())

    def refresh(self) -> None:
        scenario = self.scenario()
        self.target.blockSignals(True)
        self.target.clear()
        if scenario is not None:
            for prefix, label in settable_targets(self.arch, scenario):
                self.target.addItem(label, prefix)
        self.target.blockSignals(False)
        self._fill_fields()

    def _fill_fields(self) -> None:
        self.field.blockSignals(True)
        self.field.clear()
        prefix, scenario = self.target.currentData(), self.scenario()
        if prefix and scenario is not None:
            for field in settable_fields(self.arch, scenario, prefix):
                unit = f" ({field.unit})" if field.unit else ""
                self.field.addItem(f"{field.name}{unit}", field)
                self.field.setItemData(self.field.count() - 1, field.help, Qt.ToolTipRole)
        self.field.blockSignals(False)
        self._fill_values()

    def _fill_values(self) -> None:
        self.value.clear()
        field, key = self.field.currentData(), self.key()
        if field is None or key is None:
            return
        self.value.addItems(suggested_values(field, current_value(self.arch, self.scenario(), key)))

    def key(self) -> str | None:
        prefix, field = self.target.currentData(), self.field.currentData()
        return f"{prefix}.{field.name}" if prefix and field is not None else None

    def pick(self, prefix: str, field: str, value: str) -> None:
        """Choose from the lists by target prefix and field name (tests, scripts)."""
        self.target.setCurrentIndex(self.target.findData(prefix))
        names = [self.field.itemData(i).name for i in range(self.field.count())]
        self.field.setCurrentIndex(names.index(field))
        self.value.setCurrentText(value)

    def add_change(self) -> None:
        """Write TARGET=VALUE into the overrides, replacing a setting of the same target."""
        key, value = self.key(), self.value.currentText().strip()
        if key is None or not value:
            return
        try:
            kept = [(k, v) for k, v in parse_overrides(self.overrides.text()) if k != key]
        except StratusError:
            kept = None  # the typed text does not parse: append, and let Compare name the problem
        if kept is None:
            text = self.overrides.text().strip().rstrip(",")
            self.overrides.setText(f"{text}, {key}={value}" if text else f"{key}={value}")
        else:
            self.overrides.setText(", ".join(f"{k}={v}" for k, v in kept + [(key, value)]))


class CompareDialog(QDialog):
    """Two variants, one Compare button, a table and a chart of the differences."""

    def __init__(self, arch: Architecture, base_dir: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.arch, self.base_dir = arch, base_dir
        self.rows: list[Row] = []
        self.results = None  # (A's Results, B's Results), one per replication
        self.job = BackgroundJob(self)
        self.setWindowTitle("What-if: compare two variants")
        self.resize(1060, 720)
        self._build()
        self.job.progress.connect(lambda f: self.progress.setValue(int(f * 1000)))
        self.job.finished.connect(self._show)
        self.job.failed.connect(lambda text: self._failed(f"Could not compare: {text}"))
        self.job.cancelled.connect(lambda: self._status("Cancelled."))
        self.job.busy_changed.connect(self._busy)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.sides, self.pickers = {}, {}
        names = [s.name for s in self.arch.scenarios]
        example = example_overrides(self.arch)
        for key, heading in (("a", "A (baseline)"), ("b", "B (what if…)")):
            box = QGroupBox(heading)
            form = QFormLayout(box)
            scenario = QComboBox()
            scenario.addItems(names)
            overrides = QLineEdit()
            overrides.setPlaceholderText(example)
            overrides.setToolTip(f"{HELP}\nFor example: {example}")
            form.addRow("Scenario", scenario)
            form.addRow("Overrides", overrides)
            self.pickers[key] = TargetPicker(self.arch, scenario, overrides)
            form.addRow("Change", self.pickers[key])
            self.sides[key] = (scenario, overrides)
            top.addWidget(box)
        layout.addLayout(top)
        self.help = QLabel(f"{HELP}  For example: {example}")
        self.help.setWordWrap(True)
        layout.addWidget(self.help)
        row = QHBoxLayout()
        row.addWidget(QLabel("Duration"))
        self.duration = QDoubleSpinBox()
        self.duration.setRange(0, 86400)
        self.duration.setDecimals(0)
        self.duration.setSuffix(" s")
        self.duration.setSpecialValueText(OWN_DURATION)  # 0: each scenario runs its own duration
        self.duration.setValue(0)
        self.duration.setToolTip("Simulated time of each run; by default each scenario's own, as Run does")
        row.addWidget(self.duration)
        row.addWidget(QLabel("Replications"))
        self.replications = QSpinBox()
        self.replications.setRange(1, 30)
        self.replications.setValue(DEFAULT_REPLICATIONS)
        self.replications.setToolTip("Runs of each variant (same seeds for both); with 2 or more, a change "
                                     "is coloured only when the 95% intervals of A and B do not overlap")
        row.addWidget(self.replications)
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
        splitter.setSizes([620, 420])
        layout.addWidget(splitter, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.help.setStyleSheet(f"color: {theme.current().muted};")

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
        """Start both variants' runs; False (and the reason in red) when a variant is wrong."""
        try:
            a, b = self.variants()
            prepared = [prepare_variant(self.arch, v) for v in (a, b)]
        except StratusError as exc:
            self._failed(str(exc))
            return False
        duration = self.duration.value() or None
        replications, base_dir = self.replications.value(), self.base_dir

        def job(progress, cancel):
            return replicate_variants(prepared, replications, duration, base_dir, progress, cancel)

        self.labels = (a.label, b.label)
        self.run_facts = (replications, [duration or s.duration_s for _d, s in prepared])
        lengths = " and ".join(dict.fromkeys(f"{d:g} s" for d in self.run_facts[1]))
        runs = f"{replications} run{'s' if replications != 1 else ''} each"
        self._status(f"Simulating A ({a.label}) and B ({b.label}): {runs} of {lengths}…")
        self.job.start(job)
        return True

    def _busy(self, busy: bool) -> None:
        self.run_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)

    def _status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        t = theme.current()
        self.status.setStyleSheet(f"color: {t.bad if error else t.text};")

    def _failed(self, text: str) -> None:
        """A comparison that could not run: say why, and leave no older result on show."""
        self.results, self.rows = None, []
        self.table.setRowCount(0)
        self.chart.empty("No comparison: see the message above")
        self.progress.setValue(0)
        self._status(text, error=True)

    def _show(self, results) -> None:
        self.results = tuple(results)
        self.rows = compare_runs(*self.results)
        t = theme.current()
        self.table.setRowCount(len(self.rows))
        for i, row in enumerate(self.rows):
            cells = (self._named(row.metric), row.interval_text("a"), row.interval_text("b"), row.change_text())
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col:
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                if col == 3:
                    verdict = row.better()
                    if verdict is not None:
                        item.setForeground(QBrush(QColor(t.good if verdict else t.bad)))
                        font = item.font()
                        font.setBold(True)
                        item.setFont(font)
                    item.setToolTip(_change_tip(row))
                self.table.setItem(i, col, item)
        self._plot()
        replications, lengths = self.run_facts
        clear = sum(1 for r in self.rows if r.better() is not None)
        verdict = (f"{clear} of {len(self.rows)} figures differ clearly (95% intervals apart; coloured)"
                   if replications > 1 else "one run each: no difference is tested (set 2 or more replications)")
        durations = " and ".join(dict.fromkeys(f"{d:g} s" for d in lengths))
        self._status(f"A: {self.labels[0]}   ·   B: {self.labels[1]}   ·   {replications} × {durations}   ·   {verdict}")

    def _named(self, metric: str) -> str:
        """'create_order: p99 duration' -> 'Create order: p99 duration' (the canvas's names)."""
        head, sep, rest = metric.partition(": ")
        return f"{node_name(self.arch, head)}{sep}{rest}" if sep and head in self.arch.nodes else metric

    def _plot(self) -> None:
        picked = [r for r in self.rows if r.kind == "ms" and "p99" in r.metric][:6]
        if not picked:
            self.chart.empty("No latency to compare")
            return
        labels = [self._named(r.metric) for r in picked]
        self.chart.present(("p99", id(self.results)), lambda figure: _plot_p99(figure, picked, labels))

    def done(self, code: int) -> None:
        self.job.cancel()
        self.job.wait()
        super().done(code)


def _change_tip(row: Row) -> str:
    if row.significant() is None:
        return "One run each: whether this difference is real is not tested"
    interval = f"A {row.value_text(row.a_ci[0])}–{row.value_text(row.a_ci[1])}, " \
               f"B {row.value_text(row.b_ci[0])}–{row.value_text(row.b_ci[1])} (95%)"
    if row.significant():
        return f"A clear difference: the intervals do not overlap ({interval})"
    return f"Within the noise: the intervals overlap ({interval})"


def _plot_p99(figure, picked: list[Row], labels: list[str]) -> int:
    t = theme.current()
    ax = axes(figure)
    ys = range(len(picked))

    def errors(rows, side):
        means = [r.a if side == "a" else r.b for r in rows]
        cis = [r.a_ci if side == "a" else r.b_ci for r in rows]
        return [[m - (c[0] if c else m) for m, c in zip(means, cis)], [(c[1] if c else m) - m for m, c in zip(means, cis)]]

    ax.barh([y + 0.2 for y in ys], [r.a for r in picked], height=0.38, color=COLOUR_A, label="A",
            xerr=errors(picked, "a"), ecolor=t.text, capsize=3)
    ax.barh([y - 0.2 for y in ys], [r.b for r in picked], height=0.38, color=COLOUR_B, label="B",
            xerr=errors(picked, "b"), ecolor=t.text, capsize=3)
    ax.set_yticks(list(ys), [short(label.replace(" latency", "").replace(" duration", ""), 26) for label in labels],
                  fontsize=8, color=t.text)
    ax.invert_yaxis()
    ax.set_xlabel("ms (bars: mean; whiskers: 95% interval)", fontsize=8.5, color=t.muted)
    title(ax, "p99 latency, A vs B")
    legend(figure, ax)
    return len(picked)
