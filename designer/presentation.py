"""Presentation mode (View > Presentation Mode, F11; Escape leaves): for a room looking
at a projector. The window goes full screen, the toolbar, the Services palette and the
status bar are hidden, every font is SCALE times larger, and the dashboard's cards and
charts grow with them. Leaving puts every one of those back as it was.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMenu

SCALE = 1.4


class PresentationMode:
    def __init__(self, window, dashboard) -> None:
        self.window, self.dashboard = window, dashboard
        self.active = False
        self._saved: dict = {}
        self.action = QAction("&Presentation Mode", window)
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence(Qt.Key_F11))
        self.action.setStatusTip("Full screen, larger fonts and cards, no toolbar: for a projector (F11 or Esc leaves)")
        self.action.toggled.connect(lambda on: self.enter() if on else self.leave())
        window.addAction(self.action)  # the shortcut works with the menus hidden too
        self.escape = QShortcut(QKeySequence(Qt.Key_Escape), window)
        self.escape.setEnabled(False)
        self.escape.activated.connect(lambda: self.action.setChecked(False))
        view_menu = next((m for m in window.menuBar().findChildren(QMenu) if m.title() == "&View"), None)
        if view_menu is not None:
            view_menu.addSeparator()
            view_menu.addAction(self.action)

    def enter(self, full_screen: bool = True) -> None:
        if self.active:
            return
        w, app = self.window, QApplication.instance()
        self._saved = {
            "font": w.font(), "full_screen": w.isFullScreen(), "maximized": w.isMaximized(),
            "hidden": [widget for widget in (w.toolbar, w.palette_dock, w.statusBar()) if widget.isVisible()],
        }
        self.active = True
        if not self.action.isChecked():
            self.action.blockSignals(True)
            self.action.setChecked(True)
            self.action.blockSignals(False)
        self.escape.setEnabled(True)
        for widget in self._saved["hidden"]:
            widget.hide()
        font = QFont(app.font())
        font.setPointSizeF(font.pointSizeF() * SCALE)
        w.setFont(font)  # every child without a font of its own follows
        self.dashboard.set_scale(SCALE)
        if full_screen:
            w.showFullScreen()
        w.view.fit_to_view()

    def leave(self) -> None:
        if not self.active:
            return
        w = self.window
        self.active = False
        if self.action.isChecked():
            self.action.blockSignals(True)
            self.action.setChecked(False)
            self.action.blockSignals(False)
        self.escape.setEnabled(False)
        w.setFont(self._saved["font"])
        self.dashboard.set_scale(1.0)
        for widget in self._saved["hidden"]:
            widget.show()
        if not self._saved["full_screen"]:
            w.showMaximized() if self._saved["maximized"] else w.showNormal()
        w.view.fit_to_view()
