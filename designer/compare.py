"""What-if: run two variants of the design side by side and show what changed.

A variant is a scenario plus overrides written as `TARGET=VALUE, ...`, with the targets
of `sweep --vary`: `NODE.FIELD` (`create_order.memory_mb=1024`), `load.ENTRY.PARAM` or
`load.INDEX.PARAM` (`load.orders_api.rate_rps=80`) and `account.FIELD`
(`account.concurrency_limit=500`). Preparing, running and comparing the variants is
`simulation.compare`'s work: this dialog reads the two variants, runs them on a worker
thread (one after the other, with the same seed) and shows the rows of differences, the
change from A to B coloured green (better) or red (worse), and a chart of the same.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout,
    QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar, QPushButton,
    QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from model.architecture import Architecture
from model.errors import StratusError
from simulation.compare import (
    Row, Variant, compare_results, example_overrides, parse_overrides, prepare_variant, run_variants,
)

from .charts import MUTED, TEXT, Chart
from .simulation_panel import BackgroundJob

BETTER, WORSE = QColor("#067647"), QColor("#D92D20")
COLOUR_A, COLOUR_B = "#9AA3AF", "#2F80ED"
HELP = ("Overrides: NODE.FIELD=value, load.ENTRY.PARAM=value (or load.0.PARAM), "
        "account.FIELD=value; separate several with commas.")


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
        example = example_overrides(self.arch)
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
        seed = prepared[0][1].seed  # run_variants runs both with the first one's seed

        def job(progress, cancel):
            return run_variants(prepared, duration, base_dir, progress, cancel)

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
            cells = (row.metric, row.value_text(row.a), row.value_text(row.b), row.change_text())
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

