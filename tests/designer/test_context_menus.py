"""Right-click menus on cards, edges, groups, notes and the empty canvas, opened and
chosen from as a user does (a context-menu event, then keys in the menu)."""

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from model.catalogue import SERVICES

pytestmark = pytest.mark.gui


def right_click(window, pos: QPoint):
    viewport = window.view.viewport()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos, viewport.mapToGlobal(pos))
    QApplication.sendEvent(viewport, event)
    menu = window.context_menu
    assert menu is not None and menu.isVisible()
    return menu


def texts(menu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def choose(menu, *path: str) -> None:
    """Walk the menus by keyboard: highlight each entry and press Enter."""
    for text in path:
        action = next(a for a in menu.actions() if a.text().replace("&", "").startswith(text))
        assert action.isEnabled(), text
        menu.setActiveAction(action)
        QTest.keyClick(menu, Qt.Key.Key_Return)
        menu = action.menu()


def edge_point(window, edge) -> QPoint:
    """A point of the edge where nothing else is on top of it."""
    path = window.scene.edge_item(edge).path()
    for percent in (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8):
        point = path.pointAtPercent(percent)
        if window.scene.subject_at(point) == ("edge", edge):
            return window.view.mapFromScene(point)
    raise AssertionError("the edge is hidden everywhere")


def card(window, node_id: str) -> QPoint:
    item = window.scene.node_item(node_id)
    return window.view.mapFromScene(item.mapToScene(item.card_rect().center()))


def test_a_card_menu_selects_the_card_and_acts_on_it(active):
    window = active
    window.scene.select_subject(("node", "api"))
    menu = right_click(window, card(window, "worker"))
    assert window.scene.selected_subjects() == [("node", "worker")]
    assert {"Rename", "Connect To", "Cut", "Copy", "Duplicate", "Delete", "Group"} <= set(texts(menu))
    choose(menu, "Delete")
    assert "worker" not in window.arch.nodes


def test_connect_to_from_a_card_menu_lists_what_it_may_reach_with_kinds(active):
    window = active
    menu = right_click(window, card(window, "handler"))
    choose(menu, "Connect To")
    connect = next(a.menu() for a in menu.actions() if a.menu() and a.text() == "Connect To")
    entries = texts(connect)
    assert "queue — send" in entries and "queue — on failure" in entries
    assert not any(e.startswith("Public API") for e in entries)  # a function cannot call an API
    choose(connect, "queue — on failure")
    edge = window.arch.edges[-1]
    assert (edge.source, edge.target, edge.kind) == ("handler", "queue", "on_failure")


def test_an_edge_menu_changes_its_kind_and_selects_its_ends(active):
    window = active
    window.scene.connect_nodes("handler", "queue")
    edge = window.arch.edges[-1]
    menu = right_click(window, edge_point(window, edge))
    assert window.scene.selected_subjects() == [("edge", edge)]
    choose(menu, "Kind", "on failure")
    assert edge.kind == "on_failure"
    menu = right_click(window, edge_point(window, edge))
    choose(menu, "Select Target")
    assert window.scene.selected_subjects() == [("node", "queue")]


def test_a_group_menu_colours_and_selects_its_nodes(active):
    window = active
    window.scene.select_nodes(["queue", "worker"])
    group_id = window.scene.group_selection()
    frame = window.scene.group_item(group_id).frame()
    menu = right_click(window, window.view.mapFromScene(QPointF(frame.left() + 6, frame.bottom() - 6)))
    assert window.scene.selected_subjects() == [("group", group_id)]
    choose(menu, "Colour", "Green")
    assert window.arch.group(group_id).colour == "#12B76A"
    menu = right_click(window, window.view.mapFromScene(QPointF(frame.left() + 6, frame.bottom() - 6)))
    choose(menu, "Select Its Nodes")
    assert {v for k, v in window.scene.selected_subjects() if k == "node"} == {"queue", "worker"}


def test_a_card_menu_adds_to_and_removes_from_groups(active):
    window = active
    window.scene.select_nodes(["queue", "worker"])
    group_id = window.scene.group_selection()
    choose(right_click(window, card(window, "bucket")), "Add to Group", "Group")
    assert window.arch.group(group_id).nodes == ["queue", "worker", "bucket"]
    choose(right_click(window, card(window, "worker")), "Remove from")
    assert window.arch.group(group_id).nodes == ["queue", "bucket"]


def test_the_empty_canvas_menu_adds_a_service_or_a_note_where_clicked_and_pastes_there(active):
    window = active
    spot = window.view.mapFromScene(QPointF(900, 500))
    menu = right_click(window, spot)
    assert window.scene.selected_subjects() == []
    choose(menu, "Add Service Here", SERVICES["sqs"].name)
    new = list(window.arch.nodes)[-1]
    assert window.arch.nodes[new].service == "sqs"
    assert window.scene.node_item(new).sceneBoundingRect().contains(QPointF(900, 500))
    choose(right_click(window, window.view.mapFromScene(QPointF(900, 700))), "Add Note Here")
    assert window.arch.notes[-1].at == (900.0, 700.0)
    QTest.keyClick(window.view.editor(), Qt.Key.Key_Escape)
    window.select(("node", "bucket"))
    window.act_copy.trigger()
    choose(right_click(window, window.view.mapFromScene(QPointF(1200, 200))), "Paste Here")
    pasted = list(window.arch.nodes)[-1]
    assert pasted.startswith("bucket") and window.arch.nodes[pasted].at == (1200.0, 200.0)


def test_an_api_edge_menu_adds_a_route_ready_to_edit(active, qtbot):
    from PySide6.QtWidgets import QLineEdit

    window = active
    edge = window.arch.edges[0]  # api -> handler: ANY /
    menu = right_click(window, edge_point(window, edge))
    choose(menu, "Add Route")
    assert [f"{m} {p}" for m, p in edge.routes] == ["ANY /", "ANY /handler"]
    assert window.statusBar().currentMessage().startswith("The edge Public API → handler now also serves ANY /handler")
    path = window.inspector.form.findChild(QLineEdit, "route_path_1")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is path)
    window.undo_stack.undo()
    assert "routes" not in edge.config
