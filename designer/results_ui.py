"""Wires the simulation, results, what-if, export, deploy and import tools into the main
window: docks, menu entries and toolbar buttons. The main window calls `install(window)`
once; everything here only constructs and connects (the logic lives in each module).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QFrame, QScrollArea

from .dashboard import Dashboard
from .overlay import ResultsOverlay
from .presentation import PresentationMode
from .replay import ReplayControls
from .simulation_panel import ResultsSession, SimulationPanel
from .toolbar_icons import run_icon

SIMULATION_WIDTH = 320
DASHBOARD_SHARE = 0.5  # of the window's height, when results arrive
DASHBOARD_MIN_HEIGHT = 300


class ResultsUI:
    def __init__(self, window) -> None:
        self.window = window
        self.session = ResultsSession(window.arch, window)
        self.panel = SimulationPanel(window.arch, window.documents.base_dir)
        self.dashboard = Dashboard()
        self.overlay = ResultsOverlay(window.scene, window.view)
        self.replay = ReplayControls(window.scene)
        self.panel.extra_area.addWidget(self.replay)
        # In a scroll area: the panel's full height must not decide how low the results may start.
        self.simulation_dock = window._dock("Simulation", "simulation", scrollable(self.panel), Qt.RightDockWidgetArea)
        self.dashboard_dock = window._dock("Results", "results", self.dashboard, Qt.BottomDockWidgetArea)
        window.tabifyDockWidget(window.inspector_dock, self.simulation_dock)
        window.inspector_dock.raise_()
        # The results dock joins the problems' tab group once the window has its layout:
        # tabified before that, Qt leaves stray tab bars at the old dock position.
        self.dashboard_dock.hide()
        self._tabified = False
        # A click on a node clears the selection, then selects: two signals, one update.
        self._pending_focus: str | None = None
        self._focus_timer = QTimer(window)
        self._focus_timer.setSingleShot(True)
        self._focus_timer.setInterval(0)
        self._focus_timer.timeout.connect(self._apply_focus)
        self._actions()
        self.presentation = PresentationMode(window, self.dashboard)
        self._connect()

    # -- actions and menus -----------------------------------------------------------------

    def _actions(self) -> None:
        w = self.window
        a = w._action
        self.act_run = a("&Run Simulation", self.run, "F5", "Simulate the chosen scenario in the background")
        self.act_cancel = a("&Cancel Simulation", self.panel.cancel, "Shift+F5", "Stop the running simulation")
        self.act_clear = a("C&lear Results", lambda: self.session.set_outcome(None), None,
                           "Remove the results from the canvas")
        self.act_compare = a("&What-if Compare…", self.compare, "Ctrl+Shift+W",
                             "Compare two scenarios or two configurations side by side")
        self.act_import = a("&Import Template…", self.import_template, "Ctrl+I",
                            "Read a CloudFormation/SAM template or a Terraform folder into a new design")
        self.act_scan = a("Scan AWS &Account…", self.scan_account, None,
                          "Read a live AWS account into a design calibrated from CloudWatch")
        self.act_export = a("Export &Template…", self.export_template, "Ctrl+E",
                            "Write CloudFormation, SAM or Terraform and validate it")
        self.act_deploy = a("&Deploy…", self.deploy, None, "Deploy to a local sandbox or AWS; destroy")
        menu = w.menuBar().addMenu("&Simulate")
        menu.addActions([self.act_run, self.act_cancel, self.act_clear])
        menu.addSeparator()
        menu.addAction(self.act_compare)
        menu.addSeparator()
        menu.addActions([self.simulation_dock.toggleViewAction(), self.dashboard_dock.toggleViewAction()])
        help_menu = next(m.menuAction() for m in w.menuBar().findChildren(type(menu)) if m.title() == "&Help")
        w.menuBar().insertAction(help_menu, menu.menuAction())
        file_menu = next(m for m in w.menuBar().findChildren(type(menu)) if m.title() == "&File")
        before = w.act_export_png
        file_menu.insertAction(before, self.act_import)
        file_menu.insertAction(before, self.act_scan)
        file_menu.insertAction(before, self.act_export)
        file_menu.insertAction(before, self.act_deploy)
        file_menu.insertSeparator(before)
        self.act_run.setIcon(run_icon())
        w.toolbar.addSeparator()
        w.toolbar.addAction(self.act_run)
        self.act_run.setIconText("Run")
        w.toolbar.addAction(self.act_compare)
        self.act_compare.setIconText("Compare")
        self.act_cancel.setEnabled(False)

    def _connect(self) -> None:
        w = self.window
        self.panel.run_finished.connect(self.session.set_outcome)
        self.panel.edit_scenario.connect(self._edit_scenario)
        self.panel.job.busy_changed.connect(self._busy)
        self.session.result_changed.connect(self._show_outcome)
        self.session.stale_changed.connect(self._stale)
        w.scene.subjects_selected.connect(self._selection)
        self.dashboard.node_activated.connect(lambda node_id: w.select(("node", node_id)))
        self.replay.timeline_requested.connect(self.show_timeline)
        self.dashboard.title_changed.connect(
            lambda text: self.dashboard_dock.setWindowTitle(f"Results — {text}"))

    # -- behaviour -------------------------------------------------------------------------

    def run(self) -> None:
        self.simulation_dock.show()
        self.simulation_dock.raise_()
        self.panel.run()

    def _busy(self, busy: bool) -> None:
        self.act_run.setEnabled(not busy)
        self.act_cancel.setEnabled(busy)
        if busy:
            self.window.statusBar().showMessage("Simulating… (the window stays usable; Shift+F5 cancels)")
        else:
            self.window.statusBar().clearMessage()

    def show_dashboard(self) -> None:
        w = self.window
        first = not self._tabified
        if first:
            self._tabified = True
            w.tabifyDockWidget(w.problems_dock, self.dashboard_dock)
            # The results span the window's width (the side panels stop above them): the
            # table and the charts side by side need it on a 1280-pixel projector.
            w.setCorner(Qt.BottomLeftCorner, Qt.BottomDockWidgetArea)
            w.setCorner(Qt.BottomRightCorner, Qt.BottomDockWidgetArea)
        self.dashboard_dock.show()
        self.dashboard_dock.raise_()
        if first or self.dashboard_dock.height() < DASHBOARD_MIN_HEIGHT:
            # the charts need room: most of a 720-pixel projector's height below the canvas
            height = max(DASHBOARD_MIN_HEIGHT, int(w.height() * DASHBOARD_SHARE))
            w.resizeDocks([self.dashboard_dock], [height], Qt.Vertical)

    def _show_outcome(self, outcome) -> None:
        self.replay.stop()
        self.dashboard.set_outcome(outcome)
        if outcome is None:
            self.overlay.clear()
            self.replay.set_outcome(None)
            return
        self.overlay.show(outcome)
        self.replay.set_outcome(outcome)
        self.show_dashboard()

    def show_timeline(self, index: int):
        """Open the timeline of the current result's journey number `index`."""
        from .timeline import TimelineDialog  # the waterfall is only needed when asked for

        outcome = self.session.outcome
        if outcome is None or not 0 <= index < len(outcome.result.traces):
            return None
        dialog = TimelineDialog(outcome.arch, outcome.result.traces[index], self.dashboard.scale, self.window)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.show()
        self.timeline = dialog
        return dialog

    def _stale(self, stale: bool) -> None:
        self.overlay.set_stale(stale)
        self.dashboard.set_stale(stale)
        if stale:
            self.replay.stop()

    def _selection(self, subjects: list) -> None:
        nodes = [v for k, v in subjects if k == "node"]
        if len(subjects) == 1 and nodes:
            self._bring_back_inspector()
        if self.session.outcome is None:
            return
        self._pending_focus = nodes[0] if len(nodes) == 1 and not self.session.stale else None
        self._focus_timer.start()

    def _apply_focus(self) -> None:
        if self.session.outcome is not None:
            self.dashboard.show_node(self._pending_focus)

    def _bring_back_inspector(self) -> None:
        """A node was clicked: its settings are what the user wants to see, so the
        Inspector comes back in front of the Simulation panel it shares a tab group with."""
        dock = self.window.inspector_dock
        if dock.toggleViewAction().isChecked():  # not closed by the user: only behind a tab
            dock.raise_()

    def _edit_scenario(self, name: str) -> None:
        self.window.scene.clearSelection()
        self.window.inspector.show_subject(("scenario", name))
        self.window.inspector_dock.show()
        self.window.inspector_dock.raise_()

    def compare(self):
        from .compare import CompareDialog

        dialog = CompareDialog(self.window.arch, self.window.documents.base_dir(), self.window)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def export_template(self):
        from .export_dialog import ExportDialog

        dialog = ExportDialog(self.window.arch, self.window.documents.path, self.window)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def deploy(self):
        from .deploy_dialog import DeployDialog

        dialog = DeployDialog(self.window.arch, self.window.documents.path, self.window)
        dialog.setAttribute(Qt.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def import_template(self, path: str | None = None):
        from .import_action import import_into_window

        return import_into_window(self.window, path)

    def scan_account(self):
        from .scan_dialog import scan_into_window

        return scan_into_window(self.window)

    def shutdown(self) -> None:
        self.replay.stop()
        self.presentation.leave()
        self.overlay.detach()
        self.panel.detach()
        self.session.detach()


def scrollable(widget):
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    return area


def install(window) -> ResultsUI:
    return ResultsUI(window)


def run_for_screenshot(window, scenario: str, duration: float | None, panel: str, settle,
                       presentation: bool = False, trace: str | None = None) -> str | None:
    """`gui --screenshot --simulate`: run a scenario through the panel (on its worker
    thread, as a user would), wait for it, and arrange the docks; returns an error or None.
    `presentation`: in presentation mode (not full screen: the picture keeps its size).
    `trace`: a sampled request (its index, or "slowest" or "failed"): the replay is put
    at its middle and its timeline opened."""
    import time

    from model.errors import StratusError
    from PySide6.QtWidgets import QApplication

    ui: ResultsUI = window.results
    try:
        ui.panel.select_scenario(scenario)
    except StratusError as exc:
        return str(exc)
    if not ui.panel.run(duration):
        return ui.panel.status.text()
    while ui.panel.job.busy():
        QApplication.processEvents()
        time.sleep(0.01)
    settle(QApplication)
    if ui.session.outcome is None:
        return ui.panel.status.text()
    ui.simulation_dock.show()
    ui.simulation_dock.raise_()
    window.palette_dock.hide()  # results, not the palette, are the subject of this picture
    if presentation:
        ui.presentation.enter(full_screen=False)
        settle(QApplication)
    if panel == "dashboard":
        ui.dashboard.tabs.setCurrentIndex(1)
        window.resizeDocks([ui.dashboard_dock], [int(window.height() * 0.55)], Qt.Vertical)
    else:
        ui.dashboard_dock.hide()  # the canvas and its overlay get the room
        window.problems_dock.hide()
    settle(QApplication)
    if trace is not None:
        return _open_trace(window, trace, settle)
    return None


def _open_trace(window, which: str, settle) -> str | None:
    from PySide6.QtWidgets import QApplication

    from simulation.replay import journey_ms, slowest_and_failed

    ui: ResultsUI = window.results
    traces = ui.session.outcome.result.traces
    slow, failed = slowest_and_failed(traces, 1)
    picks = {"slowest": slow, "failed": failed}
    if which in picks:
        if not picks[which]:
            return f"--trace {which}: this run has no such request among its {len(traces)} sampled"
        index = picks[which][0]
    elif which.isdigit() and int(which) < len(traces):
        index = int(which)
    else:
        return f"--trace {which}: give slowest, failed or a number below {len(traces)}"
    window.view.fit_to_view()
    settle(QApplication)
    journey = traces[index]
    ui.replay.seek(journey["start_s"] + journey_ms(journey) / 2000.0)
    dialog = ui.show_timeline(index)
    dialog.resize(int(window.width() * 0.62), dialog.height())
    settle(QApplication)
    return None


def grab_with_dialogs(window):
    """The window as a picture, with an open request timeline drawn over its lower right
    (a screenshot of what a user sees; dialogs are windows of their own)."""
    from PySide6.QtGui import QPainter

    pixmap = window.grab()
    dialog = getattr(window.results, "timeline", None)
    if dialog is not None and dialog.isVisible():
        shot = dialog.grab()
        painter = QPainter(pixmap)
        x, y = pixmap.width() - shot.width() - 24, pixmap.height() - shot.height() - 24
        painter.fillRect(x - 1, y - 1, shot.width() + 2, shot.height() + 2, Qt.darkGray)
        painter.drawPixmap(x, y, shot)
        painter.end()
    return pixmap
