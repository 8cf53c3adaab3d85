"""Keys in the main window, pressed as a user presses them: undo and redo, Delete where the
focus is, Undo inside an inspector field, the palette's Enter, Tab and connect by keyboard."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

pytestmark = pytest.mark.gui

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def active(window, qtbot):
    """The small test design in a shown, active main window (shortcuts need one)."""
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    return window


def press(widget, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(widget, key, modifiers)


def test_ctrl_shift_z_and_ctrl_y_both_redo(active):
    """Bug 1: Ctrl+Y was bound twice (ambiguous) and Ctrl+Shift+Z, which the README
    documents, not at all."""
    window = active
    window.view.setFocus()
    window.scene.select_subject(("node", "bucket"))
    press(window.view.viewport(), Qt.Key.Key_Delete)
    assert "bucket" not in window.arch.nodes
    for redo in ((Qt.Key.Key_Z, CTRL | SHIFT), (Qt.Key.Key_Y, CTRL)):
        press(window.view.viewport(), Qt.Key.Key_Z, CTRL)
        assert "bucket" in window.arch.nodes
        press(window.view.viewport(), *redo)
        assert "bucket" not in window.arch.nodes, f"{redo} did not redo"
