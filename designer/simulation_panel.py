"""The Simulation panel: pick a scenario, adjust its run, and simulate in the background.

The simulation runs on a worker QThread: the worker calls `simulation.engine.simulate`
with a `progress` callback (emitted as a Qt signal, so the bar moves on the GUI thread)
and a `cancel` callback that reads a threading.Event the Cancel button sets. The engine
checks it 200 times per run and raises `Cancelled`, so a long run stops within a fraction
of a second and the window never blocks.

The design is copied before the run starts: the user may keep editing while it runs; any
edit marks the finished result "stale" (see `ResultsSession`).
"""

from __future__ import annotations

import copy
import threading
import time
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox, QDoubleSpinBox, QFormLayout, QFrame, QHBoxLayout, QLabel, QProgressBar,
    QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from model.architecture import Architecture, Change, Scenario
from model.errors import StratusError

from . import theme

# --------------------------------------------------------------------------------------
# Background jobs


class _Worker(QObject):
    """Runs `job(progress, cancelled)` once on its thread and reports how it ended."""

    progress = Signal(float)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, job: Callable, stop: threading.Event) -> None:
        super().__init__()
        self.job, self.stop = job, stop

    @Slot()
    def run(self) -> None:
        # Everything, imports included, inside the try: a worker that dies silently would
        # leave the panel "busy" for ever.
        try:
            value = self.job(self.progress.emit, self.stop.is_set)
        except StratusError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # noqa: BLE001 - a bug must not kill the window silently
            if _is_cancel(exc):
                self.cancelled.emit()
            else:
                self.failed.emit(f"{type(exc).__name__}: {exc}")
        else:
            if self.stop.is_set():
                self.cancelled.emit()
            else:
                self.finished.emit(value)


def _is_cancel(exc: BaseException) -> bool:
    try:
        from simulation.engine import Cancelled
    except Exception:  # noqa: BLE001 - the engine failed to import: then it cannot have cancelled
        return False
    return isinstance(exc, Cancelled)


class BackgroundJob(QObject):
    """One job at a time on a QThread; its signals arrive on the GUI thread.

    `start(job)` where job(progress: Callable[[float], None], cancel: Callable[[], bool]).
    """

    progress = Signal(float)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: _Worker | None = None
        self._stop = threading.Event()

    def busy(self) -> bool:
        return self._thread is not None

    def start(self, job: Callable) -> None:
        if self.busy():
            raise RuntimeError("a job is already running")
        self._stop = threading.Event()
        thread = QThread()
        worker = _Worker(job, self._stop)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self.progress, Qt.QueuedConnection)
        for signal, handler in ((worker.finished, self._on_finished), (worker.failed, self._on_failed),
                                (worker.cancelled, self._on_cancelled)):
            signal.connect(handler, Qt.QueuedConnection)
        self._thread, self._worker = thread, worker
        thread.start()
        self.busy_changed.emit(True)

    def cancel(self) -> None:
        self._stop.set()

    def wait(self, timeout_s: float = 5.0) -> bool:
        """Block until the thread ends (closing the window, tests)."""
        return self._thread is None or self._thread.wait(int(timeout_s * 1000))

    def _end(self) -> None:
        thread = self._thread
        self._thread = self._worker = None
        if thread is not None:
            thread.quit()
            thread.wait()
            thread.deleteLater()
        self.busy_changed.emit(False)

    def _on_finished(self, value) -> None:
        self._end()
        self.finished.emit(value)

    def _on_failed(self, text: str) -> None:
        self._end()
        self.failed.emit(text)

    def _on_cancelled(self) -> None:
        self._end()
        self.cancelled.emit()


# --------------------------------------------------------------------------------------
# What a run is and what came out of it


class RunRequest:
    """A frozen copy of everything `simulate` needs (the design may change meanwhile)."""

    def __init__(self, arch: Architecture, scenario: Scenario, duration_s: float | None,
                 seed: int | None, base_dir: str | None) -> None:
        self.arch = arch.copy()
        self.scenario = copy.deepcopy(scenario)
        self.duration_s, self.seed, self.base_dir = duration_s, seed, base_dir

    def __call__(self, progress, cancel):
        from simulation.engine import simulate
        from simulation.traces import TEACHING_SHARE, TEACHING_TRACES

        started = time.perf_counter()
        # denser journeys than the command line's, for the teaching replay (same statistics)
        result = simulate(self.arch, self.scenario, seed=self.seed, duration_s=self.duration_s,
                          base_dir=self.base_dir, progress=progress, cancel=cancel,
                          traces=TEACHING_TRACES, trace_share=TEACHING_SHARE)
        return RunOutcome(self.arch, self.scenario, result, time.perf_counter() - started)


class RunOutcome:
    def __init__(self, arch: Architecture, scenario: Scenario, result, seconds: float) -> None:
        self.arch, self.scenario, self.result, self.seconds = arch, scenario, result, seconds


class ResultsSession(QObject):
    """The latest result and whether the design changed since (then it is stale).

    Moving nodes does not change what the simulation computes, so it keeps results fresh.
    """

    result_changed = Signal(object)  # RunOutcome | None
    stale_changed = Signal(bool)

    LAYOUT_ONLY = ("node_moved",)

    def __init__(self, arch: Architecture, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.arch = arch
        self.outcome: RunOutcome | None = None
        self.stale = False
        arch.subscribe(self._on_change)

    def detach(self) -> None:
        self.arch.unsubscribe(self._on_change)

    def set_outcome(self, outcome: RunOutcome | None) -> None:
        self.outcome = outcome
        self.stale = False
        self.result_changed.emit(outcome)
        self.stale_changed.emit(False)

    def _on_change(self, change: Change) -> None:
        if self.outcome is None or self.stale or change.what in self.LAYOUT_ONLY:
            return
        if change.what == "reset":  # another design: its results are meaningless here
            self.set_outcome(None)
            return
        self.stale = True
        self.stale_changed.emit(True)


# --------------------------------------------------------------------------------------
# The panel


class SimulationPanel(QWidget):
    """Scenario picker, run settings, Run / Cancel and a progress bar."""

    run_finished = Signal(object)  # RunOutcome
    edit_scenario = Signal(str)  # the user wants to edit this scenario in the inspector

    def __init__(self, arch: Architecture, base_dir: Callable[[], str | None] = lambda: None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.arch = arch
        self.base_dir = base_dir
        self.job = BackgroundJob(self)
        self._started = 0.0
        self._build()
        self.job.progress.connect(self._on_progress)
        self.job.finished.connect(self._on_finished)
        self.job.failed.connect(self._on_failed)
        self.job.cancelled.connect(self._on_cancelled)
        self.job.busy_changed.connect(self._set_busy)
        arch.subscribe(self._on_change)
        self.refresh_scenarios()
        self._set_busy(False)

    def detach(self) -> None:
        self.arch.unsubscribe(self._on_change)
        self.job.cancel()
        self.job.wait()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 10)
        layout.setSpacing(8)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignLeft)
        form.setHorizontalSpacing(10)
        form.setVerticalSpacing(6)
        self.scenario_box = QComboBox()
        self.scenario_box.setObjectName("scenarioBox")
        # long scenario names are elided, not allowed to widen the panel past its dock
        self.scenario_box.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.scenario_box.setMinimumContentsLength(8)
        self.scenario_box.currentIndexChanged.connect(self._scenario_picked)
        edit = QPushButton("Edit…")
        edit.setToolTip("Edit this scenario's load and overrides in the inspector")
        edit.clicked.connect(lambda: self.scenario_name() and self.edit_scenario.emit(self.scenario_name()))
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(self.scenario_box, 1)
        row.addWidget(edit)
        form.addRow("Scenario", row)
        self.duration_box = QDoubleSpinBox()
        self.duration_box.setObjectName("durationBox")
        self.duration_box.setRange(1, 7 * 24 * 3600)
        self.duration_box.setDecimals(0)
        self.duration_box.setSuffix(" s")
        self.duration_box.setToolTip("Simulated time (the scenario's own duration by default)")
        form.addRow("Duration", self.duration_box)
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 2**31 - 1)
        self.seed_box.setToolTip("Same seed, same result")
        form.addRow("Seed", self.seed_box)
        self.load_label = QLabel()
        self.load_label.setWordWrap(True)
        form.addRow("Load", self.load_label)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.run_button = QPushButton("▶  Run simulation")
        self.run_button.setObjectName("runButton")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.cancel)
        buttons.addWidget(self.run_button, 1)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setFixedHeight(6)
        layout.addWidget(self.progress_bar)
        self.status = QLabel("Pick a scenario and run it.")
        self.status.setObjectName("simulationStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.extra_area = QVBoxLayout()  # the replay controls go here
        self.extra_area.setSpacing(6)
        line = QFrame()
        line.setFrameShape(QFrame.HLine)
        self.line = line
        layout.addWidget(line)
        layout.addLayout(self.extra_area)
        layout.addStretch(1)
        self._error = False
        self.restyle()
        theme.themes().changed.connect(self.restyle)

    def restyle(self, *_args) -> None:
        t = theme.current()
        self.load_label.setStyleSheet(f"color: {t.muted};")
        self.run_button.setStyleSheet(
            f"QPushButton {{ background: {t.accent}; color: white; font-weight: 600; border: none;"
            " border-radius: 5px; padding: 6px 14px; }"
            f"QPushButton:hover {{ background: {QColor(t.accent).darker(115).name()}; }}"
            f"QPushButton:disabled {{ background: {t.disabled}; }}")
        self.progress_bar.setStyleSheet(
            f"QProgressBar {{ background: {t.grid}; border: none; border-radius: 3px; }}"
            f"QProgressBar::chunk {{ background: {t.accent}; border-radius: 3px; }}")
        self.status.setStyleSheet(f"color: {t.bad if self._error else t.chrome_text};")
        self.line.setStyleSheet(f"color: {t.border};")

    # -- scenarios -------------------------------------------------------------------------

    def scenario_name(self) -> str | None:
        return self.scenario_box.currentData()

    def refresh_scenarios(self) -> None:
        current = self.scenario_name()
        names = [s.name for s in self.arch.scenarios]
        self.scenario_box.blockSignals(True)
        self.scenario_box.clear()
        for name in names:
            self.scenario_box.addItem(name, name)
        if not names:
            self.scenario_box.addItem("(no scenarios: add one in the inspector)", None)
        index = names.index(current) if current in names else 0
        self.scenario_box.setCurrentIndex(index)
        self.scenario_box.blockSignals(False)
        self._scenario_picked()

    def select_scenario(self, name: str) -> None:
        index = self.scenario_box.findData(name)
        if index < 0:
            raise StratusError(f"no scenario named '{name}'")
        self.scenario_box.setCurrentIndex(index)

    def _scenario_picked(self, *_args) -> None:
        scenario = self.arch.scenario(self.scenario_name()) if self.scenario_name() else None
        if scenario is None:
            self.load_label.setText("—")
            self.run_button.setEnabled(False)
            return
        self.duration_box.setValue(float(scenario.duration_s))
        self.seed_box.setValue(int(scenario.seed))
        self.load_label.setText(describe_load(scenario))
        self.run_button.setEnabled(not self.job.busy())

    def _on_change(self, change: Change) -> None:
        if change.what.startswith("scenario") or change.what == "reset":
            self.refresh_scenarios()

    # -- running ---------------------------------------------------------------------------

    def run(self, duration_s: float | None = None) -> bool:
        """Start the chosen scenario in the background; False if nothing could start."""
        scenario = self.arch.scenario(self.scenario_name()) if self.scenario_name() else None
        if scenario is None or self.job.busy():
            return False
        if duration_s:  # shown as if typed, so the panel says what was run
            self.duration_box.setValue(float(duration_s))
        duration = self.duration_box.value()
        if scenario.warmup_s >= duration:
            self._report(f"The scenario's warm-up ({scenario.warmup_s:g} s) is longer than the run; "
                         "choose a longer duration.", error=True)
            return False
        request = RunRequest(self.arch, scenario, duration, self.seed_box.value(), self.base_dir())
        self._started = time.perf_counter()
        self.progress_bar.setValue(0)
        self._report(f"Simulating {scenario.name}: {duration:g} s of traffic…")
        self.job.start(request)
        return True

    def cancel(self) -> None:
        if self.job.busy():
            self.job.cancel()
            self._report("Cancelling…")

    def _set_busy(self, busy: bool) -> None:
        self.run_button.setEnabled(not busy and self.scenario_name() is not None)
        self.cancel_button.setEnabled(busy)
        self.scenario_box.setEnabled(not busy)

    def _on_progress(self, fraction: float) -> None:
        self.progress_bar.setValue(int(fraction * 1000))
        elapsed = time.perf_counter() - self._started
        if fraction > 0.02:
            left = elapsed / fraction * (1 - fraction)
            self.status.setText(f"Simulating… {fraction:.0%} (about {left:.0f} s left)")

    def _on_finished(self, outcome: RunOutcome) -> None:
        self.progress_bar.setValue(1000)
        r = outcome.result
        cost = f" · ${r.cost.monthly_usd:,.2f}/month" if r.cost is not None else ""
        self._report(f"✓ {r.scenario}: {r.duration_s:g} s simulated in {outcome.seconds:.1f} s{cost}")
        self.run_finished.emit(outcome)

    def _on_failed(self, text: str) -> None:
        self.progress_bar.setValue(0)
        self._report(f"Could not simulate: {text}", error=True)

    def _on_cancelled(self) -> None:
        self.progress_bar.setValue(0)
        self._report("Cancelled. The previous results (if any) are unchanged.")

    def _report(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self._error = error
        t = theme.current()
        self.status.setStyleSheet(f"color: {t.bad if error else t.chrome_text};")


def describe_load(scenario: Scenario) -> str:
    """One line per load: 'orders_api: poisson 40 rps'."""
    if not scenario.load:
        return "no load"
    parts = []
    for load in scenario.load:
        params = ", ".join(f"{k} {_short(v)}" for k, v in load.params.items())
        parts.append(f"{load.entry}: {load.pattern}" + (f" ({params})" if params else ""))
    overrides = len(scenario.overrides)
    if overrides:
        parts.append(f"{overrides} node override{'s' if overrides != 1 else ''}")
    return "\n".join(parts)


def _short(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
