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


def configure_application(app) -> None:
    """Name (for QSettings and the app-data folder), Fusion style, the light or dark theme
    the system asks for (designer/theme.py: palette and style sheet), font."""
    from PySide6.QtGui import QFont

    from .theme import apply_theme, follow_system, system_theme

    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    app.setStyle("Fusion")
    font = QFont()
    font.setFamilies(["Inter", "Segoe UI", "Helvetica Neue", "Noto Sans", "DejaVu Sans", "Arial"])
    font.setPointSizeF(9.0)
    app.setFont(font)
    apply_theme(app, system_theme())
    follow_system(app)


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
                 size: tuple[int, int] | None = None, presentation: bool = False, trace: str | None = None) -> int:
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
                           presentation, trace)
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


def _selection(arch, select: str) -> tuple | str:
    """What `--select` names: a node id, or an edge as SOURCE->TARGET (the first edge
    between them); else why not, in words."""
    if arch is None:
        return "no design is open"
    source, arrow, target = select.partition("->")
    if not arrow:
        return ("node", select) if select in arch.nodes else "no such node"
    edge = next((e for e in arch.edges if (e.source, e.target) == (source.strip(), target.strip())), None)
    return ("edge", edge) if edge is not None else "no such edge"


def _in_window(arch, subject: tuple) -> tuple:
    """The same subject in the window's own copy of the design."""
    kind, value = subject
    if kind == "edge":
        value = next(e for e in arch.edges if (e.source, e.target) == (value.source, value.target))
    return kind, value


def _screenshot(path: str | None, out: str, select: str | None, simulate: str | None = None,
                duration: float | None = None, panel: str = "canvas", size: tuple[int, int] = SCREENSHOT_SIZE,
                presentation: bool = False, trace: str | None = None) -> int:
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
    subject = None
    if select:
        subject = _selection(arch, select)
        if isinstance(subject, str):
            print(f"error: --select {select}: {subject} in {path}", file=sys.stderr)
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

            problem = run_for_screenshot(window, simulate, duration, panel, _settle, presentation, trace)
            if problem:
                print(f"error: --simulate {simulate}: {problem}", file=sys.stderr)
                window.undo_stack.setClean()
                window.close()
                return 1
        if subject:
            window.select(_in_window(window.arch, subject))
        window.view.fit_to_view()
        _settle(QApplication)
        from .results_ui import grab_with_dialogs

        pixmap = grab_with_dialogs(window)
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
