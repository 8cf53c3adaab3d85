"""File > Scan AWS Account…: read a live account (a region, one stack, or a tag) into a
design calibrated from CloudWatch, then open it.

The same function as `python main.py scan`: `importers.account.scan_account`, run on a
worker thread through the simulation panel's BackgroundJob; its progress crosses to the
GUI thread through a Qt signal and moves the bar and the log. Cancel (or closing the
dialog while it runs) stops the scan at its next AWS call and nothing is written. When
the scan ends the design and its trace files are saved where the dialog says, the design
is opened in the window and the scan's report is shown beside it.

Credentials come from the named profile or the environment, as on the command line; an
endpoint URL (a sandbox) works without any.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QButtonGroup, QDialog, QDoubleSpinBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLineEdit,
    QPlainTextEdit, QProgressBar, QPushButton, QRadioButton, QVBoxLayout, QWidget,
)

from importers.account import ScanCancelled, Scope, save_scan, scan_account, session_for, trace_prefix_for
from importers.account.metrics import MAX_SINCE_HOURS
from model.errors import StratusError

from .simulation_panel import BackgroundJob

SCOPES = (("region", "Whole region"), ("stack", "CloudFormation stack"), ("tag", "Resources with tag"))


class _Relay(QObject):
    """Carries the scanner's progress from the worker thread to the GUI thread."""

    progress = Signal(object)  # importers.account.ScanProgress


class ScanDialog(QDialog):
    scanned = Signal(str, object)  # design path, ScanResult
    scan_failed = Signal(str)
    scan_cancelled = Signal()

    def __init__(self, parent: QWidget | None = None, folder: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Scan AWS Account")
        self.resize(760, 620)
        self.job = BackgroundJob(self)
        self._cancel_requested = False
        self.relay = _Relay(self)
        self.relay.progress.connect(self._on_progress)
        self.job.finished.connect(self._finished)
        self.job.failed.connect(self._failed)
        self.job.cancelled.connect(self._cancelled)
        self.job.busy_changed.connect(self._busy)
        self._build(folder or str(Path.home()))
        self._scope_changed()

    # -- layout ----------------------------------------------------------------------------

    def _build(self, folder: str) -> None:
        layout = QVBoxLayout(self)
        where = QGroupBox("Account")
        form = QFormLayout(where)
        self.profile = QLineEdit()
        self.profile.setPlaceholderText("empty: credentials from the environment")
        form.addRow("AWS profile", self.profile)
        self.region = QLineEdit()
        self.region.setPlaceholderText("empty: the profile's region (us-east-1 with an endpoint URL)")
        form.addRow("Region", self.region)
        self.endpoint = QLineEdit()
        self.endpoint.setPlaceholderText("empty: AWS itself; e.g. http://127.0.0.1:5000 for a sandbox")
        form.addRow("Endpoint URL", self.endpoint)
        layout.addWidget(where)

        what = QGroupBox("What to scan")
        scope_form = QFormLayout(what)
        self.scope_group = QButtonGroup(self)
        self.scope_buttons = {}
        for key, label in SCOPES:
            button = QRadioButton(label)
            self.scope_group.addButton(button)
            self.scope_buttons[key] = button
        self.scope_buttons["region"].setChecked(True)
        self.stack = QLineEdit()
        self.stack.setPlaceholderText("stack name")
        self.tag = QLineEdit()
        self.tag.setPlaceholderText("KEY=VALUE")
        for button in self.scope_buttons.values():
            button.toggled.connect(self._scope_changed)
        scope_form.addRow(self.scope_buttons["region"])
        scope_form.addRow(self.scope_buttons["stack"], self.stack)
        scope_form.addRow(self.scope_buttons["tag"], self.tag)
        self.since = QDoubleSpinBox()
        self.since.setRange(1, MAX_SINCE_HOURS)
        self.since.setDecimals(0)
        self.since.setValue(168)
        self.since.setSuffix(" h")
        self.since.setToolTip("Calibrate durations, error rates and the observed load from this many hours "
                              "of CloudWatch metrics")
        scope_form.addRow("Calibrate from the last", self.since)
        path_row = QHBoxLayout()
        self.output = QLineEdit(os.path.join(folder, "scanned.yaml"))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row.addWidget(self.output, 1)
        path_row.addWidget(browse)
        scope_form.addRow("Save design as", path_row)
        layout.addWidget(what)

        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        layout.addWidget(self.log, 1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        layout.addWidget(self.progress)
        buttons = QHBoxLayout()
        self.scan_button = QPushButton("Scan")
        self.scan_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop at the next AWS call; nothing is written")
        self.close_button = QPushButton("Close")
        self.scan_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.request_cancel)
        self.close_button.clicked.connect(self.reject)
        buttons.addStretch(1)
        for button in (self.scan_button, self.cancel_button, self.close_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self._busy(False)

    def scope_key(self) -> str:
        return next(k for k, b in self.scope_buttons.items() if b.isChecked())

    def _scope_changed(self, *_args) -> None:
        scope = self.scope_key()
        self.stack.setEnabled(scope == "stack")
        self.tag.setEnabled(scope == "tag")

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the scanned design as", self.output.text(),
                                              "Stratus designs (*.yaml *.yml)")
        if path:
            self.output.setText(path)

    def _busy(self, busy: bool) -> None:
        self.scan_button.setEnabled(not busy)
        self.cancel_button.setEnabled(busy)
        if busy:
            self.progress.setRange(0, 0)  # indeterminate until the first step is known
        elif self.progress.maximum() == 0:
            self.progress.setRange(0, 1)

    # -- running ---------------------------------------------------------------------------

    def start(self) -> bool:
        """Check the form and start the scan in the background; False (and a log line) if
        the form is incomplete or the credentials cannot be found."""
        try:
            scope = Scope.parse(self.stack.text() if self.scope_key() == "stack" else None,
                                self.tag.text() if self.scope_key() == "tag" else None)
            if self.scope_key() == "stack" and not scope.stack:
                raise StratusError("give the stack's name")
            path = self._output_path()
            endpoint = self.endpoint.text().strip() or None
            if endpoint and not endpoint.startswith(("http://", "https://")):
                raise StratusError("give the endpoint as a URL, e.g. http://127.0.0.1:5000")
            session, region = session_for(self.profile.text().strip() or None, self.region.text().strip() or None,
                                          endpoint)
        except StratusError as exc:
            self._log(f"✗ {exc}")
            return False
        since = float(self.since.value())
        self._cancel_requested = False
        self._log(f"— scanning {scope.describe(region)}" + (f" at {endpoint}" if endpoint else ""))
        self.job.start(_ScanJob(session, region, scope, endpoint, since, path, self.relay.progress.emit))
        return True

    def _output_path(self) -> str:
        path = self.output.text().strip()
        if not path:
            raise StratusError("say where to save the design")
        if not path.endswith((".yaml", ".yml")):
            path += ".yaml"
            self.output.setText(path)
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise StratusError(f"cannot save {path}: the folder {folder} does not exist")
        return path

    def request_cancel(self) -> bool:
        if not self.job.busy() or self._cancel_requested:
            return False
        self._cancel_requested = True
        self.job.cancel()
        self.cancel_button.setEnabled(False)
        self._log("Cancelling at the next AWS call…")
        return True

    def _on_progress(self, progress) -> None:
        self.progress.setRange(0, max(progress.total, 1))
        self.progress.setValue(progress.step)
        self._log(f"[{progress.step}/{progress.total}] {progress.message}")

    def _finished(self, value) -> None:
        path, scan = value
        arch = scan.architecture
        self.progress.setValue(self.progress.maximum())
        self._log(f"✓ {len(arch.nodes)} nodes, {len(arch.edges)} edges, {len(arch.scenarios)} scenarios in "
                  f"{scan.seconds:.1f} s ({scan.calls} read calls); saved {path}")
        self.scanned.emit(path, scan)

    def _failed(self, text: str) -> None:
        self._log(f"✗ {text}")
        self.scan_failed.emit(text)

    def _cancelled(self) -> None:
        self._log("■ Scan cancelled: nothing was written")
        self.scan_cancelled.emit()

    def _log(self, text: str) -> None:
        self.log.appendPlainText(text)

    def log_text(self) -> str:
        return self.log.toPlainText()

    def done(self, code: int) -> None:
        """Closing while a scan runs: stop it at its next call and wait for the worker."""
        if self.job.busy():
            self.request_cancel()
            loop = QEventLoop()
            self.job.busy_changed.connect(loop.quit)
            QTimer.singleShot(30_000, loop.quit)
            loop.exec()
        super().done(code)


class _ScanJob:
    """What the worker thread runs: scan, save, return (path, ScanResult)."""

    def __init__(self, session, region, scope, endpoint, since, path, emit) -> None:
        self.session, self.region, self.scope, self.endpoint = session, region, scope, endpoint
        self.since, self.path, self.emit = since, path, emit

    def __call__(self, _fraction, cancel):
        try:
            scan = scan_account(self.session, self.region, scope=self.scope, endpoint_url=self.endpoint,
                                since_hours=self.since, trace_prefix=trace_prefix_for(self.path),
                                progress=self.emit, cancel=cancel)
        except ScanCancelled:
            return None  # the job sees its stop flag and reports "cancelled"
        save_scan(scan, self.path)
        return self.path, scan


def scan_into_window(window) -> ScanDialog:
    """Show the scan dialog; a finished scan opens its design in `window` with the report."""
    dialog = ScanDialog(window, window.documents.base_dir())
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.scanned.connect(lambda path, scan: _open_scanned(window, dialog, path, scan))
    dialog.show()
    return dialog


def _open_scanned(window, dialog: ScanDialog, path: str, scan) -> None:
    from .import_action import ImportReportDialog

    if not window.documents.open(path):
        dialog._log(f"The design is saved in {path}; open it with File > Open")
        return
    window.run_validation()
    QTimer.singleShot(0, window.view.fit_to_view)
    window.statusBar().showMessage(f"Scanned into {path}: {len(scan.architecture.nodes)} nodes", 8000)
    report = ImportReportDialog(path, scan.result, window)
    report.setWindowTitle(f"Scan report — {Path(path).name}")
    report.setAttribute(Qt.WA_DeleteOnClose)
    report.show()
    dialog.accept()
