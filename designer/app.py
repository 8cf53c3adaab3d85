"""Start the designer: the QApplication, its look, the main window, and `--screenshot`."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from model.errors import StratusError

APP_NAME = "Stratus"
ORGANISATION = "Stratus"
SCREENSHOT_SIZE = (1400, 900)


def _has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform in ("win32", "darwin")


def light_palette():
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    colours = {
        QPalette.Window: "#F3F4F6", QPalette.WindowText: "#1F2733",
        QPalette.Base: "#FFFFFF", QPalette.AlternateBase: "#F7F8FA",
        QPalette.ToolTipBase: "#1F2733", QPalette.ToolTipText: "#FFFFFF",
        QPalette.PlaceholderText: "#9AA3AF", QPalette.Text: "#1F2733",
        QPalette.Button: "#FFFFFF", QPalette.ButtonText: "#1F2733",
        QPalette.BrightText: "#FFFFFF", QPalette.Light: "#FFFFFF", QPalette.Midlight: "#E5E7EB",
        QPalette.Mid: "#C9CED6", QPalette.Dark: "#9AA3AF", QPalette.Shadow: "#6B7380",
        QPalette.Highlight: "#2F80ED", QPalette.HighlightedText: "#FFFFFF",
        QPalette.Link: "#1F6FD1",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.Text, QPalette.WindowText, QPalette.ButtonText):
        palette.setColor(QPalette.Disabled, role, QColor("#A0A7B1"))
    return palette


STYLE_SHEET = """
QMainWindow::separator { background: #E1E5EA; width: 1px; height: 1px; }
QDockWidget { font-weight: 600; color: #3D4654; }
QDockWidget::title { background: #EEF0F3; padding: 6px 8px; border-bottom: 1px solid #E1E5EA; }
QToolBar { background: #FFFFFF; border: none; border-bottom: 1px solid #E1E5EA; padding: 3px 6px; spacing: 2px; }
QToolBar QToolButton { padding: 4px 9px; border-radius: 5px; color: #1F2733; }
QToolBar QToolButton:hover { background: #EEF2F8; }
QToolBar QToolButton:pressed { background: #DCE6F5; }
QToolBar QToolButton:disabled { color: #A0A7B1; }
QToolBar::separator { background: #E1E5EA; width: 1px; margin: 5px 6px; }
QStatusBar { background: #FFFFFF; border-top: 1px solid #E1E5EA; color: #3D4654; }
QMenuBar { background: #FFFFFF; border-bottom: 1px solid #EEF0F3; }
QMenuBar::item { padding: 4px 10px; }
QMenuBar::item:selected { background: #EEF2F8; border-radius: 4px; }
QTabWidget::pane { border: none; border-top: 1px solid #E1E5EA; }
QTabBar::tab { background: transparent; border: none; border-bottom: 2px solid transparent;
               padding: 7px 14px; color: #5F6B7A; }
QTabBar::tab:selected { color: #1F2733; border-bottom: 2px solid #2F80ED; font-weight: 600; }
QTabBar::tab:hover:!selected { color: #1F2733; }
QToolTip { color: #FFFFFF; background: #1F2733; border: none; padding: 4px 6px; }
"""


def configure_application(app) -> None:
    """Name (for QSettings and the app-data folder), Fusion style, light palette, font."""
    from PySide6.QtGui import QFont

    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    app.setStyle("Fusion")
    app.setPalette(light_palette())
    font = QFont()
    font.setFamilies(["Inter", "Segoe UI", "Helvetica Neue", "Noto Sans", "DejaVu Sans", "Arial"])
    font.setPointSizeF(9.0)
    app.setFont(font)
    app.setStyleSheet(STYLE_SHEET)


# Qt platform chatter that says nothing to a user (the offscreen plugin has no window manager).
_QUIET_QT_MESSAGES = ("does not support propagateSizeHints",)


def _qt_message(mode, context, message: str) -> None:
    if not any(quiet in message for quiet in _QUIET_QT_MESSAGES):
        print(message, file=sys.stderr)


def create_application():
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    qInstallMessageHandler(_qt_message)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    configure_application(app)
    return app


def run_designer(path: str | None, screenshot: str | None = None, select: str | None = None,
                 simulate: str | None = None, duration: float | None = None, panel: str = "canvas",
                 size: tuple[int, int] | None = None, presentation: bool = False) -> int:
    """Open the designer (blocking), or with `screenshot` render it to a PNG and return."""
    if screenshot and not _has_display():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if not screenshot:
        # Checked before Qt starts: without a screen Qt aborts the process with a core dump.
        if path and not os.path.exists(path):
            raise StratusError(f"{path}: no such file")
        if not _has_display() and "QT_QPA_PLATFORM" not in os.environ:
            raise StratusError("no display to open the designer on (DISPLAY and WAYLAND_DISPLAY are unset); "
                               "run it on a desktop, or render a picture with --screenshot OUT.png")
    app = create_application()
    if screenshot:
        return _screenshot(path, screenshot, select, simulate, duration, panel, size or SCREENSHOT_SIZE,
                           presentation)
    from PySide6.QtCore import QTimer

    from .main_window import MainWindow

    window = MainWindow()
    window.size_docks()
    window.restore_layout()
    window.show()
    # Crash recovery first: if the user takes the autosaved copy back, it replaces `path`.
    recovered = window.documents.offer_recovery()
    if path and not recovered:
        window.documents.load(path)  # an unreadable file: a dialog, then an empty design
    QTimer.singleShot(0, window.view.fit_to_view)  # once the window has its real size
    return app.exec()


def _screenshot(path: str | None, out: str, select: str | None, simulate: str | None = None,
                duration: float | None = None, panel: str = "canvas", size: tuple[int, int] = SCREENSHOT_SIZE,
                presentation: bool = False) -> int:
    """Render the window with `path` loaded at `size` (1400x900), offscreen, and save a PNG."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from model.designfile import load_design

    from .main_window import MainWindow

    try:
        arch = load_design(path) if path else None
    except StratusError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if select and (arch is None or select not in arch.nodes):
        print(f"error: --select {select}: no such node in {path}", file=sys.stderr)
        return 1
    # Throwaway settings: a screenshot must not touch the user's recent files or layout.
    with tempfile.TemporaryDirectory(prefix="stratus-shot-") as scratch:
        settings = QSettings(str(Path(scratch) / "settings.ini"), QSettings.IniFormat)
        window = MainWindow(settings=settings, autosave_interval_s=3600)
        window.documents.autosave_timer.stop()
        if arch is not None:
            window.documents.show_design(arch, path)
        window.resize(*size)
        window.show()
        _settle(QApplication)
        window.size_docks()
        _settle(QApplication)
        window.run_validation()
        if simulate:
            from .results_ui import run_for_screenshot

            problem = run_for_screenshot(window, simulate, duration, panel, _settle, presentation)
            if problem:
                print(f"error: --simulate {simulate}: {problem}", file=sys.stderr)
                window.undo_stack.setClean()
                window.close()
                return 1
        if select:
            window.select(("node", select))
        window.view.fit_to_view()
        _settle(QApplication)
        pixmap = window.grab()
        window.undo_stack.setClean()
        window.close()
        window.deleteLater()
        del settings
        _settle(QApplication)
    if not pixmap.save(out, "PNG"):
        print(f"error: cannot write {out}", file=sys.stderr)
        return 1
    return 0


def _settle(qapplication) -> None:
    for _ in range(5):
        qapplication.processEvents()
