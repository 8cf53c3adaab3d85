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


def test_delete_acts_on_what_has_the_focus(active):
    """Bug 2: Delete removed the selected canvas node wherever the keyboard focus was."""
    window = active
    window.scene.select_subject(("node", "worker"))
    panels = {  # the scenario list last: there Delete removes the scenario
        "problems list": window.problems.list,
        "palette": window.palette.tree,
        "results table": window.results.dashboard.table,
        "scenario list": window.inspector.scenarios.list,
    }
    window.inspector.tabs.setCurrentWidget(window.inspector.scenarios)
    window.results.show_dashboard()
    for name, widget in panels.items():
        if name == "results table":
            window.results.dashboard_dock.raise_()
        widget.setFocus()
        assert widget.hasFocus(), name
        for key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            press(widget, key)
        assert "worker" in window.arch.nodes, f"Delete in the {name} deleted the canvas node"
    window.view.setFocus()
    press(window.view.viewport(), Qt.Key.Key_Delete)
    assert "worker" not in window.arch.nodes


def test_delete_in_the_scenario_list_removes_that_scenario(active):
    window = active
    page = window.inspector.scenarios
    page.add_scenario()
    window.inspector.tabs.setCurrentWidget(page)
    page.list.setFocus()
    page.list.setCurrentRow(1)
    press(page.list, Qt.Key.Key_Delete)
    assert [s.name for s in window.arch.scenarios] == ["base"]
    assert len(window.arch.nodes) == 6
