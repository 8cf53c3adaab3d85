"""Several cards at once: a field shared by nodes of one service, align and distribute,
and smart guides while dragging."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from designer import commands
from designer.form_parts import Header
from designer.inspector import MultiNodeForm, SelectionForm
from model.catalogue import SERVICES
from tests.designer.test_context_menus import choose, right_click

pytestmark = pytest.mark.gui

CTRL, NONE, LEFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton


def card(window, node_id: str) -> QPoint:
    item = window.scene.node_item(node_id)
    return window.view.mapFromScene(item.mapToScene(item.card_rect().center()))


def click_cards(window, *node_ids: str) -> None:
    viewport = window.view.viewport()
    QTest.mouseClick(viewport, LEFT, NONE, card(window, node_ids[0]))
    for node_id in node_ids[1:]:
        QTest.mouseClick(viewport, LEFT, CTRL, card(window, node_id))


def test_a_field_edited_for_several_functions_is_set_on_all_in_one_step(active):
    window = active
    click_cards(window, "handler", "worker")
    form = window.inspector.form
    assert isinstance(form, MultiNodeForm)
    memory = form.rows.editors["memory_mb"]
    assert form.rows.labels["memory_mb"].text().endswith("differs")  # 512 and the default
    spin = memory.spin
    spin.setFocus()
    spin.selectAll()
    QTest.keyClicks(spin, "2048")
    QTest.keyClick(spin, Qt.Key.Key_Return)
    assert [window.arch.nodes[n].config["memory_mb"] for n in ("handler", "worker")] == [2048, 2048]
    assert not form.rows.labels["memory_mb"].text().endswith("differs")
    assert window.undo_stack.count() == 1 and window.undo_stack.undoText() == "Set memory_mb on 2 nodes"
    QTest.keyClick(spin, Qt.Key.Key_Z, CTRL)
    assert window.arch.nodes["handler"].config["memory_mb"] == 512
    assert "memory_mb" not in window.arch.nodes["worker"].config


def test_nodes_of_different_services_show_what_is_selected(active):
    window = active
    click_cards(window, "api", "handler")
    form = window.inspector.form
    assert isinstance(form, SelectionForm)
    header = form.findChild(Header)
    assert header.title.text() == "2 items selected"
    assert header.subtitle.text() == f"1 {SERVICES['api_gateway'].name}, 1 {SERVICES['lambda'].name}"


def test_align_and_distribute_from_the_card_menu(active):
    window = active
    window.undo_stack.push(commands.MoveNodesCommand(window.arch, {"bucket": (40.0, 360.0)},
                                                     {"bucket": (100.0, 380.0)}))
    click_cards(window, "queue", "worker", "bucket")
    choose(right_click(window, card(window, "queue")), "Arrange", "Align Top Edges")
    assert {window.arch.nodes[n].at[1] for n in ("queue", "worker", "bucket")} == {200.0}
    assert window.undo_stack.undoText() == "Align top"
    choose(right_click(window, card(window, "queue")), "Arrange", "Distribute Horizontally")
    xs = sorted(window.arch.nodes[n].at[0] for n in ("queue", "worker", "bucket"))
    assert xs == [100.0, 310.0, 520.0]
    window.undo_stack.undo()
    window.undo_stack.undo()
    assert window.arch.nodes["bucket"].at == (100.0, 380.0)


def test_smart_guides_show_and_line_a_card_up_while_dragging(active):
    window = active
    # "orders" off the grid, as after a distribute: a card dragged near it lines up.
    window.undo_stack.push(commands.MoveNodesCommand(window.arch, {"orders": (520.0, 40.0)},
                                                     {"orders": (525.0, 40.0)}))
    viewport = window.view.viewport()
    start = card(window, "worker")  # at (520, 200), below orders
    QTest.mouseMove(viewport, start)
    QTest.mousePress(viewport, LEFT, NONE, start)
    QTest.mouseMove(viewport, start + QPoint(2, 20))
    QTest.mouseMove(viewport, start + QPoint(3, 40))
    guides = window.scene.guides()
    assert guides and guides[0].line().x1() == guides[0].line().x2() == 525.0
    assert window.scene.node_item("worker").x() == 525.0
    QTest.mouseRelease(viewport, LEFT, NONE, start + QPoint(3, 40))
    assert window.scene.guides() == []
    assert window.arch.nodes["worker"].at == (525.0, 240.0)  # x from the guide, y from the grid
    QTest.mouseMove(viewport, start)
    QTest.mousePress(viewport, LEFT, NONE, card(window, "worker"))
    QTest.mouseMove(viewport, card(window, "worker") + QPoint(-60, 5))
    QTest.mouseRelease(viewport, LEFT, NONE, card(window, "worker") + QPoint(-60, 5))
    assert window.arch.nodes["worker"].at[0] % 20 == 0  # far from any card: the grid again
