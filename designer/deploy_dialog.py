"""Deploy dialog: choose a target, see the plan, deploy with a live log, destroy.

Targets (as `python main.py deploy`):
- Local sandbox (the default): moto's server started in this process on 127.0.0.1 when
  first needed and stopped when the dialog closes; its state file lives in a scratch
  folder, so everything is forgotten with it. Needs no AWS account.
- Endpoint URL: any AWS-compatible endpoint (e.g. `python main.py sandbox`), dummy keys.
- AWS profile: real AWS; Deploy and Destroy stay disabled until the design's name is
  typed into the confirmation box.

Plan, apply and destroy run on a worker thread; the deployer's progress events cross to
the GUI thread through a Qt signal and are appended to the log as they happen. Cancel
(or closing the dialog while busy) asks the deployer to stop after the current resource:
nothing is rolled back, the state file records what was made, and the log says how to
finish (deploy again) or undo (destroy).
"""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFontDatabase
from PySide6.QtWidgets import (
    QButtonGroup, QDialog, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QPlainTextEdit, QProgressBar, QPushButton, QRadioButton, QSplitter,
    QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget,
)

from model.architecture import Architecture
from model.errors import StratusError
from model.validation import errors as validation_errors
from model.validation import validate

from .simulation_panel import BackgroundJob
from .theme import current

# Colours by the theme's names (designer/theme.py), so the plan and the log read in both themes.
ACTION_COLOURS = {"create": "good", "update": "accent", "replace": "warning", "delete": "bad",
                  "conflict": "bad", "unchanged": "muted"}
TARGETS = (("sandbox", "Local sandbox (moto on 127.0.0.1, no AWS account needed)"),
           ("endpoint", "Endpoint URL"), ("aws", "AWS profile (real AWS)"))


class _Relay(QObject):
    """Carries deployer events from the worker thread to the GUI thread."""

    event = Signal(object)


class DeployDialog(QDialog):
    planned = Signal(object)  # Plan
    applied = Signal(object)  # ApplyResult
    destroyed = Signal(object)  # DestroyResult

    def __init__(self, arch: Architecture, design_path: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.arch = arch
        self.design_path = design_path
        self.design_dir = str(Path(design_path).parent) if design_path else None
        self._sandbox = None  # (server, url) once started
        self._scratch = tempfile.TemporaryDirectory(prefix="stratus-deploy-")
        self.plan = None
        # Set on the GUI thread, read by the deployer between resources. Not BackgroundJob's
        # cancel(): that drops the job's result, and a cancelled deploy's result says what was made.
        self._cancel = threading.Event()
        self.job = BackgroundJob(self)
        self.relay = _Relay(self)
        self.relay.event.connect(self._on_event)
        self.job.finished.connect(self._finished)
        self.job.failed.connect(lambda text: self._log(f"✗ {text}", "bad"))
        self.job.busy_changed.connect(self._busy)
        self.setWindowTitle(f"Deploy — {arch.name}")
        self.resize(900, 680)
        self._build()
        self._target_changed()

    # -- layout ----------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        box = QGroupBox("Target")
        form = QFormLayout(box)
        self.target_group = QButtonGroup(self)
        self.target_buttons = {}
        for key, label in TARGETS:
            button = QRadioButton(label)
            self.target_group.addButton(button)
            self.target_buttons[key] = button
        self.target_buttons["sandbox"].setChecked(True)
        form.addRow(self.target_buttons["sandbox"])
        self.endpoint = QLineEdit()
        self.endpoint.setPlaceholderText("http://127.0.0.1:5000")
        form.addRow(self.target_buttons["endpoint"], self.endpoint)
        self.profile = QLineEdit()
        self.profile.setPlaceholderText("profile name (empty: the default profile)")
        form.addRow(self.target_buttons["aws"], self.profile)
        self.confirm = QLineEdit()
        self.confirm.setPlaceholderText(f"type {self.arch.name} to allow changes in AWS")
        self.confirm.textChanged.connect(self._update_buttons)
        self.confirm_label = QLabel("Confirm")
        form.addRow(self.confirm_label, self.confirm)
        layout.addWidget(box)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        splitter = QSplitter(Qt.Vertical)
        self.plan_view = QTreeWidget()
        self.plan_view.setHeaderLabels(["Action", "Resource", "Name", "Detail"])
        self.plan_view.setRootIsDecorated(False)
        self.plan_view.header().setSectionResizeMode(QHeaderView.ResizeToContents)
        splitter.addWidget(self.plan_view)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        splitter.addWidget(self.log)
        splitter.setSizes([300, 220])
        layout.addWidget(splitter, 1)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(6)
        layout.addWidget(self.progress)
        buttons = QHBoxLayout()
        self.plan_button = QPushButton("Plan")
        self.deploy_button = QPushButton("Deploy")
        self.destroy_button = QPushButton("Destroy")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop after the resource being made now; nothing is rolled back")
        self.close_button = QPushButton("Close")
        self.plan_button.clicked.connect(self.run_plan)
        self.deploy_button.clicked.connect(self.run_deploy)
        self.destroy_button.clicked.connect(self.run_destroy)
        self.cancel_button.clicked.connect(self.request_cancel)
        self.close_button.clicked.connect(self.reject)
        buttons.addStretch(1)
        for button in (self.plan_button, self.deploy_button, self.destroy_button, self.cancel_button,
                       self.close_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        for button in self.target_buttons.values():
            button.toggled.connect(self._target_changed)

    def target(self) -> str:
        return next(k for k, b in self.target_buttons.items() if b.isChecked())

    def set_target(self, key: str, value: str = "") -> None:
        self.target_buttons[key].setChecked(True)
        if key == "endpoint":
            self.endpoint.setText(value)
        elif key == "aws":
            self.profile.setText(value)

    def _target_changed(self, *_args) -> None:
        target = self.target()
        self.endpoint.setEnabled(target == "endpoint")
        self.profile.setEnabled(target == "aws")
        self.confirm.setVisible(target == "aws")
        self.confirm_label.setVisible(target == "aws")
        notes = {
            "sandbox": "A local sandbox runs inside Stratus while this dialog is open; closing it forgets "
                       "everything deployed there.",
            "endpoint": "Any AWS-compatible endpoint; the state file records what was created there.",
            "aws": "Real AWS: resources are created in your account and may cost money. "
                   "Type the design's name to enable Deploy and Destroy.",
        }
        self.note.setText(notes[target])
        self.note.setStyleSheet(f"color: {current().warning if target == 'aws' else current().tab_text};")
        self.plan = None
        self.plan_view.clear()
        self._update_buttons()

    def _update_buttons(self, *_args) -> None:
        busy = self.job.busy()
        confirmed = self.target() != "aws" or self.confirm.text().strip() == self.arch.name
        self.plan_button.setEnabled(not busy)
        self.deploy_button.setEnabled(not busy and confirmed)
        self.destroy_button.setEnabled(not busy and confirmed)
        self.cancel_button.setEnabled(busy and not self._cancel.is_set())

    def _busy(self, busy: bool) -> None:
        self._update_buttons()
        self.progress.setRange(0, 0 if busy else 1)  # indeterminate until steps are known

    # -- where -----------------------------------------------------------------------------

    def _where(self) -> tuple:
        """(session, endpoint_url, state_path, label) for the chosen target."""
        from exporters.deploy import sandbox, state_path_for

        target = self.target()
        if target == "sandbox":
            if self._sandbox is None:
                self._sandbox = sandbox.start()
            url = self._sandbox[1]
            return (sandbox.session(self.arch.region), url,
                    os.path.join(self._scratch.name, "sandbox.stratus-state.json"), f"local sandbox at {url}")
        state = (str(state_path_for(self.design_path)) if self.design_path
                 else os.path.join(self._scratch.name, "design.stratus-state.json"))
        if target == "endpoint":
            url = self.endpoint.text().strip()
            if not url.startswith(("http://", "https://")):
                raise StratusError("give the endpoint as a URL, e.g. http://127.0.0.1:5000")
            return sandbox.session(self.arch.region), url, state, f"endpoint {url}"
        import boto3
        from botocore.exceptions import BotoCoreError

        profile = self.profile.text().strip() or None
        try:
            session = boto3.Session(profile_name=profile, region_name=self.arch.region)
        except BotoCoreError as exc:
            raise StratusError(f"AWS profile {profile!r}: {exc}") from exc
        return session, None, state, f"AWS ({profile or 'default profile'}, {self.arch.region})"

    def _start(self, what: str, work) -> bool:
        problems = validation_errors(validate(self.arch, self.design_dir))
        if problems:
            self._log(f"✗ The design has {len(problems)} validation error(s): {problems[0].format()}", "bad")
            return False
        try:
            session, url, state, label = self._where()
        except StratusError as exc:
            self._log(f"✗ {exc}", "bad")
            return False
        arch, design_dir, emit = self.arch.copy(), self.design_dir, self.relay.event.emit
        self._cancel = cancel = threading.Event()  # one per run: a late click cannot stop the next
        self._log(f"— {what} on {label}", "label")
        self.job.start(lambda _progress, _cancel: (what, work(arch, session, url, state, design_dir, emit,
                                                              cancel.is_set)))
        return True

    def request_cancel(self) -> bool:
        """Ask the running plan/deploy/destroy to stop after the current resource."""
        if not self.job.busy() or self._cancel.is_set():
            return False
        self._cancel.set()
        self._log("Cancelling after the current resource…", "warning")
        self._update_buttons()
        return True

    # -- actions ---------------------------------------------------------------------------

    def run_plan(self) -> bool:
        def work(arch, session, url, state, design_dir, emit, cancel):  # reads only: runs to the end
            from exporters.deploy import plan

            return plan(arch, session, state_path=state, endpoint_url=url, design_dir=design_dir)

        return self._start("plan", work)

    def run_deploy(self) -> bool:
        def work(arch, session, url, state, design_dir, emit, cancel):
            from exporters.deploy import apply, plan

            emit(("plan", plan(arch, session, state_path=state, endpoint_url=url, design_dir=design_dir)))
            return apply(arch, session, state, emit, endpoint_url=url, design_dir=design_dir, cancel=cancel)

        return self._start("deploy", work)

    def run_destroy(self) -> bool:
        def work(arch, session, url, state, design_dir, emit, cancel):
            from exporters.deploy import destroy

            return destroy(arch, session, state, emit, endpoint_url=url, cancel=cancel)

        return self._start("destroy", work)

    # -- results ---------------------------------------------------------------------------

    def _show_plan(self, the_plan) -> None:
        self.plan = the_plan
        self.plan_view.clear()
        for item in the_plan.items:
            detail = ", ".join(item.changed) if item.changed else item.reason
            row = QTreeWidgetItem([item.action, item.key, item.name or "—", detail])
            row.setForeground(0, QBrush(QColor(getattr(current(), ACTION_COLOURS.get(item.action, "text")))))
            self.plan_view.addTopLevelItem(row)
        summary = ", ".join(f"{n} {a}" for a, n in the_plan.counts().items()) or "nothing to do"
        self._log(f"Plan: {summary}", "label")
        for warning in the_plan.warnings:
            self._log(f"warning: {warning}", "warning")
        self.planned.emit(the_plan)

    def _on_event(self, event) -> None:
        from exporters.deploy.events import Message, StepFailed, StepFinished, StepStarted

        if isinstance(event, tuple) and event[0] == "plan":
            self._show_plan(event[1])
            return
        if isinstance(event, Message) and event.message.startswith("cancelled after"):
            return  # the finished handler says it, with the result
        if isinstance(event, StepStarted):
            self.progress.setRange(0, event.total)
            self.progress.setValue(event.step - 1)
            return
        step = getattr(event, "step", None)
        prefix = f"[{step}/{event.total}] " if step else "  "
        colour = "bad" if isinstance(event, StepFailed) else "text"
        self._log(prefix + event.message, colour)
        if isinstance(event, StepFinished):
            self.progress.setValue(event.step)

    def _finished(self, value) -> None:
        what, result = value
        if what == "plan":
            self._show_plan(result)
            if self._cancel.is_set():
                self._log("The plan ran to the end: it only reads the target, so there was nothing to stop",
                          "tab_text")
        elif getattr(result, "cancelled", False):
            self._log(f"■ {what.capitalize()} {result.error}", "warning")
            (self.applied if what == "deploy" else self.destroyed).emit(result)
        elif what == "deploy":
            if result.ok:
                self._log(f"✓ Deployed {len(result.done)} step(s) in {result.seconds:.1f} s", "good")
            else:
                self._log(f"✗ {result.failed_step or 'deploy'} failed: {result.error}"
                          + (f"; rolled back {len(result.rolled_back)}" if result.rolled_back else ""), "bad")
            self.applied.emit(result)
        else:
            if result.ok:
                self._log(f"✓ Destroyed {len(result.deleted)} resource(s) in {result.seconds:.1f} s", "good")
            else:
                self._log("✗ Destroy incomplete: " + "; ".join(result.errors + result.refused), "bad")
            self.destroyed.emit(result)

    def _log(self, text: str, tone: str = "text") -> None:
        """A line of the log in the theme's colour `tone` (a Theme field: text, bad, good...)."""
        safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        self.log.appendHtml(f"<span style='color:{getattr(current(), tone)}'>{safe}</span>")

    def _wait_until_idle(self, timeout_s: float) -> None:
        """Let the worker finish the resource in hand. The job's thread only ends once its
        finished signal is handled on this thread, so run the event loop rather than block."""
        if not self.job.busy():
            return
        loop = QEventLoop()
        self.job.busy_changed.connect(loop.quit)
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        loop.exec()
        self.job.busy_changed.disconnect(loop.quit)

    def log_text(self) -> str:
        return self.log.toPlainText()

    def done(self, code: int) -> None:
        self.request_cancel()  # closing while busy: stop after the current resource, then wait
        self._wait_until_idle(120)
        if self._sandbox is not None:
            self._sandbox[0].stop()
            self._sandbox = None
        self._scratch.cleanup()
        super().done(code)
