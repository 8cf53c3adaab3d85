"""Naming nodes as a user does: the id in the inspector, the label on the card (F2 or a
double-click), and the id a new node takes from its label."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from model.designfile import dump_design
from tests.designer.test_adding import drop_service

pytestmark = pytest.mark.gui

CTRL = Qt.KeyboardModifier.ControlModifier


def type_into(widget, text: str) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
    QTest.keyClick(widget, Qt.Key.Key_A, CTRL)
    QTest.keyClick(widget, Qt.Key.Key_Backspace)
    QTest.keyClicks(widget, text)
    QTest.keyClick(widget, Qt.Key.Key_Return)


def card_point(window, node_id: str) -> QPoint:
    item = window.scene.node_item(node_id)
    return window.view.mapFromScene(item.mapToScene(item.card_rect().center()))


def test_renaming_an_id_in_the_inspector_renames_it_everywhere_in_one_undo_step(active):
    window = active
    window.arch.scenarios[0].overrides["handler"] = {"memory_mb": 1024}
    before = dump_design(window.arch)
    window.select(("node", "handler"))
    type_into(window.inspector.form.id_edit, "create_order")
    arch = window.arch
    assert "handler" not in arch.nodes and "create_order" in arch.nodes
    assert ("api", "create_order") in [(e.source, e.target) for e in arch.edges]
    assert ("create_order", "orders") in [(e.source, e.target) for e in arch.edges]
    assert "create_order" in arch.scenarios[0].overrides
    assert window.scene.node_item("create_order") is not None and window.scene.node_item("handler") is None
    assert window.scene.node_item("create_order").title == "create_order"
    assert window.inspector.subject == ("node", "create_order")
    assert window.undo_stack.count() == 1
    assert window.inspector.form.id_edit.hasFocus()
    QTest.keyClick(window.inspector.form.id_edit, Qt.Key.Key_Z, CTRL)
    assert dump_design(arch) == before
    assert window.scene.node_item("handler") is not None


@pytest.mark.parametrize("typed, reason", [("2fast", "must start with a letter"),
                                           ("orders", "already the id of another node"),
                                           ("", "cannot be empty")])
def test_an_invalid_or_taken_id_is_refused_with_a_clear_message(active, typed, reason):
    window = active
    before = dump_design(window.arch)
    window.select(("node", "handler"))
    type_into(window.inspector.form.id_edit, typed)
    message = window.inspector.form.findChild(QLabel, "id_problem")
    assert message.isVisible() and reason in message.text()
    assert dump_design(window.arch) == before and window.undo_stack.count() == 0


def test_f2_edits_the_label_on_the_card_and_a_new_node_takes_its_id_from_it(active):
    window = active
    drop_service(window, "lambda", window.view.viewport().rect().center() + QPoint(0, 200))
    assert "lambda" in window.arch.nodes  # the automatic id, until it is named
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_F2)
    editor = window.view.editor()
    assert editor is not None and editor.hasFocus() and editor.text() == "lambda"
    QTest.keyClicks(editor, "Create order")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    assert window.view.editor() is None and window.view.hasFocus()
    node = window.arch.nodes.get("create_order")
    assert node is not None and node.label == "Create order"
    assert window.scene.node_item("create_order").title == "Create order"
    assert "create_order" in window.statusBar().currentMessage()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Z, CTRL)  # one step takes back both
    assert "lambda" in window.arch.nodes and window.arch.nodes["lambda"].label is None


def test_double_click_edits_a_label_and_escape_gives_up(active):
    window = active
    viewport = window.view.viewport()
    point = card_point(window, "orders")
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    editor = window.view.editor()
    assert editor is not None
    QTest.keyClicks(editor, "Forgotten")
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    assert window.view.editor() is None and window.arch.nodes["orders"].label is None
    QTest.mouseClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    QTest.mouseDClick(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    QTest.keyClicks(window.view.editor(), "Orders table")
    QTest.keyClick(window.view.editor(), Qt.Key.Key_Return)
    # A chosen id ("orders", not the automatic "dynamodb") stays as it is.
    assert window.arch.nodes["orders"].label == "Orders table"
    assert window.undo_stack.count() == 1
