"""Edge kinds and defaults as a user meets them: a second connection between a pair with
several kinds, the kind chosen in the inspector, the choice last made reused."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox, QLineEdit

pytestmark = pytest.mark.gui

NONE, LEFT = Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton


def point(window, node_id: str, local) -> QPoint:
    item = window.scene.node_item(node_id)
    return window.view.mapFromScene(item.mapToScene(local))


def connect_by_mouse(window, source: str, target: str) -> None:
    viewport = window.view.viewport()
    src, dst = window.scene.node_item(source), window.scene.node_item(target)
    start = point(window, source, src.card_rect().center())
    QTest.mouseMove(viewport, start)  # hover: the handle shows
    QTest.mouseClick(viewport, LEFT, NONE, start)  # selected: the handle stays
    handle = point(window, source, src.handle_centre())
    end = point(window, target, dst.card_rect().center())
    QTest.mouseMove(viewport, handle)
    QTest.mousePress(viewport, LEFT, NONE, handle)
    for i in range(1, 6):
        QTest.mouseMove(viewport, handle + (end - handle) * (i / 5))
    QTest.mouseRelease(viewport, LEFT, NONE, end)


def edges_between(window, source: str, target: str) -> list:
    return [e for e in window.arch.edges if (e.source, e.target) == (source, target)]


def test_a_second_connection_between_a_pair_with_two_kinds_takes_the_other_kind(active):
    window = active
    connect_by_mouse(window, "handler", "queue")
    connect_by_mouse(window, "handler", "queue")
    kinds = [window.arch.edge_kind(e) for e in edges_between(window, "handler", "queue")]
    assert kinds == ["send", "on_failure"]
    assert window.scene.edge_item(edges_between(window, "handler", "queue")[1]).label == "on failure"
    connect_by_mouse(window, "handler", "queue")
    assert len(edges_between(window, "handler", "queue")) == 2
    assert ("already has a send and an on failure edge to queue"
            in window.statusBar().currentMessage())


def test_the_kind_is_chosen_in_the_inspector(active):
    window = active
    connect_by_mouse(window, "handler", "queue")
    edge = edges_between(window, "handler", "queue")[0]
    window.select(("edge", edge))
    combo = window.inspector.form.findChild(QComboBox, "edge_kind_choice")
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Down)
    assert edge.kind == "on_failure"
    assert window.scene.edge_item(edge).label == "on failure"
    assert window.scene.edge_item(edge).dashed  # an on-failure destination is asynchronous
    window.undo_stack.undo()
    assert edge.kind is None and window.arch.edge_kind(edge) == "send"


def test_a_new_edge_takes_the_action_last_chosen_for_its_pair(active):
    window = active
    window.select(("edge", window.arch.edges[1]))  # handler -> orders, write
    action = window.inspector.form.rows.editors["action"].combo
    action.setFocus()
    QTest.keyClick(action, Qt.Key.Key_Down)  # write -> read_write
    assert window.arch.edges[1].config["action"] == "read_write"
    connect_by_mouse(window, "worker", "orders")
    edge = edges_between(window, "worker", "orders")[0]
    assert edge.config.get("action") == "read_write"
    assert window.scene.edge_item(edge).label == "read/write"


def test_an_api_edge_shows_its_route_on_the_canvas(active):
    window = active
    edge = window.arch.edges[0]  # api -> handler, no route written: it serves ANY /
    item = window.scene.edge_item(edge)
    assert item.label == "ANY /"
    window.select(("edge", edge))
    path = window.inspector.form.findChild(QLineEdit, "route_path_0")
    QTest.mouseClick(path, LEFT)
    path.selectAll()
    QTest.keyClicks(path, "/items/{id}")
    QTest.keyClick(path, Qt.Key.Key_Return)
    method = window.inspector.form.findChild(QComboBox, "route_method_0")
    method.setFocus()
    QTest.keyClick(method, Qt.Key.Key_Down)  # ANY -> GET
    assert item.label == "GET /items/{id}"
    window.arch.set_edge_config(edge, "routes", ["GET /items", "GET /items/{id}"])  # the list form
    assert item.label == "GET /items\nGET /items/{id}" and "GET /items, GET /items/{id}" in item.toolTip()
