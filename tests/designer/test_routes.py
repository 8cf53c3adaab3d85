"""An API's routes as a user meets them (issue 16, bug 6 and "routes in the GUI"):
connecting an API again to a function it reaches adds a route, the inspector edits the
routes list (each change one undo step), the edge shows its routes, and a new edge gets a
route no other edge of its API has, so a fresh design validates."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QPushButton, QToolButton

from designer.canvas.edge_item import _LABEL_PAD_X, _LABEL_PAD_Y
from model.architecture import Architecture, Node
from model.designfile import load_design
from model.validation import errors, validate
from tests.conftest import EXAMPLES_DIR
from tests.designer.test_edges import connect_by_mouse, edges_between

pytestmark = pytest.mark.gui

LEFT, NONE = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier


def routes_of(edge) -> list[str]:
    return [f"{method} {path}" for method, path in edge.routes]


def form_widget(window, kind, name):
    return window.inspector.form.findChild(kind, name)


def type_path(window, index: int, text: str) -> None:
    """Click into a route's path, replace it with `text` and press Enter."""
    line = form_widget(window, QLineEdit, f"route_path_{index}")
    QTest.mouseClick(line, LEFT)
    line.selectAll()
    QTest.keyClicks(line, text)
    QTest.keyClick(line, Qt.Key.Key_Return)


def click(window, kind, name) -> None:
    button = form_widget(window, kind, name)
    assert button is not None and button.isEnabled(), name
    QTest.mouseClick(button, LEFT)


# -- bug 6: a second route to the same function ----------------------------------------


def test_connecting_an_api_again_adds_a_route_to_its_edge_ready_to_edit(active, qtbot):
    window = active
    edge = window.arch.edges[0]  # api -> handler: ANY / (no route written)
    steps = window.undo_stack.count()
    connect_by_mouse(window, "api", "handler")
    assert edges_between(window, "api", "handler") == [edge]  # one edge, two routes
    assert routes_of(edge) == ["ANY /", "ANY /handler"]
    assert window.undo_stack.count() == steps + 1
    message = window.statusBar().currentMessage()
    assert "already has" not in message and "refused" not in message
    assert "Public API already reaches handler" in message and "ANY /handler" in message
    # The edge is selected and the new route's path has the keyboard, all selected.
    assert window.scene.selected_subjects() == [("edge", edge)]
    path = form_widget(window, QLineEdit, "route_path_1")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is path)
    assert path.selectedText() == "/handler"
    QTest.keyClicks(path, "/items/{id}")
    QTest.keyClick(path, Qt.Key.Key_Return)
    assert routes_of(edge) == ["ANY /", "ANY /items/{id}"]
    window.undo_stack.undo()
    assert routes_of(edge) == ["ANY /", "ANY /handler"]
    window.undo_stack.undo()  # the connection was one step
    assert routes_of(edge) == ["ANY /"] and "routes" not in edge.config


def test_connect_to_offers_another_route_for_a_function_the_api_reaches(active):
    from designer.context_menus import connect_menu

    window = active
    menu = connect_menu(window, "api")
    action = next(a for a in menu.actions() if a.text().startswith("handler"))
    assert "another route" in action.text()
    action.trigger()
    assert routes_of(window.arch.edges[0]) == ["ANY /", "ANY /handler"]


# -- defaults: a new API edge gets a route of its own ------------------------------------


def test_a_fresh_api_design_validates_route_by_route(make_window, qtbot):
    arch = Architecture("Fresh")
    arch.add_node(Node("items_api", "api_gateway", at=(40.0, 200.0)))
    arch.add_node(Node("list_items", "lambda", at=(320.0, 80.0)))
    arch.add_node(Node("getItem", "lambda", at=(320.0, 320.0)))
    window = make_window(arch)
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    connect_by_mouse(window, "items_api", "list_items")
    connect_by_mouse(window, "items_api", "getItem")
    connect_by_mouse(window, "items_api", "getItem")
    arch = window.arch  # the window's copy
    first, second = arch.edges
    assert routes_of(first) == ["ANY /"]
    assert routes_of(second) == ["ANY /get-item", "ANY /get-item-2"]
    assert not errors(validate(arch))
    assert first.config["routes"] == ["ANY /"]  # written out, so the file says it


# -- the inspector edits the routes list ---------------------------------------------------


def test_the_inspector_adds_changes_and_removes_routes_one_undo_step_each(active):
    window = active
    edge = window.arch.edges[0]
    window.select(("edge", edge))
    assert form_widget(window, QLineEdit, "field_method") is None  # the list replaces method + path
    assert form_widget(window, QToolButton, "route_remove_0").isEnabled() is False  # the last route stays
    steps = window.undo_stack.count()
    click(window, QPushButton, "route_add")
    assert routes_of(edge) == ["ANY /", "ANY /handler"]
    assert QApplication.focusWidget() is form_widget(window, QLineEdit, "route_path_1")
    QTest.keyClicks(QApplication.focusWidget(), "/items/{id}")
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    method = form_widget(window, QComboBox, "route_method_0")
    method.setFocus()
    QTest.keyClick(method, Qt.Key.Key_Down)  # ANY -> GET
    type_path(window, 0, "items")  # no slash typed: the path gets one
    assert edge.config["routes"] == ["GET /items", "ANY /items/{id}"]
    click(window, QToolButton, "route_remove_1")
    assert edge.config["routes"] == ["GET /items"]
    assert window.undo_stack.count() == steps + 5
    assert window.undo_stack.undoText() == "Remove route ANY /items/{id}"
    history = [["GET /items", "ANY /items/{id}"], ["GET /", "ANY /items/{id}"], ["ANY /", "ANY /items/{id}"],
               ["ANY /", "ANY /handler"]]
    for expected in history:
        window.undo_stack.undo()
        assert edge.config["routes"] == expected
        assert [form_widget(window, QLineEdit, f"route_path_{i}").text() for i in range(len(expected))] == \
            [route.split(" ")[1] for route in expected]
    window.undo_stack.undo()
    assert "routes" not in edge.config and routes_of(edge) == ["ANY /"]


def test_an_edge_in_the_older_form_is_edited_as_a_list(active):
    window = active
    edge = window.arch.edges[0]
    window.arch.set_edge_config(edge, "method", "POST")
    window.arch.set_edge_config(edge, "path", "/orders")
    window.select(("edge", edge))
    assert form_widget(window, QComboBox, "route_method_0").currentText() == "POST"
    type_path(window, 0, "/orders/{id}")
    assert edge.config == {"routes": ["POST /orders/{id}"]}
    window.undo_stack.undo()
    assert edge.config == {"method": "POST", "path": "/orders"}


def test_a_route_another_edge_serves_shows_the_validators_message(active, qtbot):
    window = active
    connect_by_mouse(window, "api", "worker")  # ANY /worker
    edge = edges_between(window, "api", "worker")[0]
    window.select(("edge", edge))
    type_path(window, 0, "/")  # ANY /: the handler's route
    assert routes_of(edge) == ["ANY /"]
    problems = form_widget(window, QLabel, "edge_problems")
    qtbot.waitUntil(lambda: problems.isVisible())
    assert "Route ANY / is also served by the edge to 'handler'" in problems.text()
    assert any("also served by" in p.message for p in window.problems_list)
    assert window.scene.edge_item(edge).problem_severity == "error"
    window.undo_stack.undo()
    qtbot.waitUntil(lambda: not problems.isVisible())


def test_what_cannot_be_a_route_of_this_edge_is_refused_with_the_reason(active):
    window = active
    edge = window.arch.edges[0]
    window.select(("edge", edge))
    click(window, QPushButton, "route_add")
    steps = window.undo_stack.count()
    type_path(window, 1, "/")  # this edge has ANY / already
    message = form_widget(window, QLabel, "routes_problem")
    assert message.isVisible() and message.text() == "ANY / is already a route of this edge"
    assert form_widget(window, QLineEdit, "route_path_1").text() == "/handler"  # the model's value again
    type_path(window, 1, "/items list")
    assert "“/items list” is not a path" in message.text()
    assert routes_of(edge) == ["ANY /", "ANY /handler"] and window.undo_stack.count() == steps
    type_path(window, 1, "/items")
    assert not message.isVisible() and routes_of(edge) == ["ANY /", "ANY /items"]


# -- the canvas shows the routes --------------------------------------------------------


def test_the_edge_shows_its_routes_one_a_line_clear_of_the_cards(active):
    window = active
    edge = window.arch.edges[0]
    item = window.scene.edge_item(edge)
    assert item.label == "ANY /"  # an API edge always serves a route: the label says which
    window.select(("edge", edge))
    click(window, QPushButton, "route_add")
    type_path(window, 1, "/items/{id}")
    assert item.label == "ANY /\nANY /items/{id}"
    assert "Routes: ANY /, ANY /items/{id}" in item.toolTip()
    rect = item.label_item.boundingRect()
    assert rect.height() > 2 * window.scene.edge_item(window.arch.edges[1]).label_item.boundingRect().height() - 8
    for _ in range(3):
        click(window, QPushButton, "route_add")
    assert item.label.split("\n") == ["ANY /", "ANY /items/{id}", "+3 more"]


def test_routed_edges_of_the_example_are_labelled_clear_of_the_cards(make_window):
    arch = load_design(EXAMPLES_DIR / "items_api.yaml")
    arch.set_edge_config(arch.find_edge("items_api", "get_item"), "routes", ["GET /items/{id}", "PUT /items/{id}"])
    window = make_window(arch)
    window.show()
    arch, scene = window.arch, window.scene  # the window's copy
    scene.place_stale_labels(scene.sceneRect())
    cards = [item.mapRectToScene(item.card_rect()) for item in scene.node_items()]
    for edge in arch.edges:
        if edge.source == "items_api":
            label = scene.edge_item(edge).label_item.boundingRect()
            assert not label.isEmpty(), edge
            # The words stay off the cards (the pill's padding may touch a card's rim:
            # these cards are 84 px apart).
            words = label.adjusted(1 + _LABEL_PAD_X, 1 + _LABEL_PAD_Y, -1 - _LABEL_PAD_X, -1 - _LABEL_PAD_Y)
            assert not any(words.intersects(card) for card in cards), (edge, label)
    assert scene.edge_item(arch.find_edge("items_api", "get_item")).label == "GET /items/{id}\nPUT /items/{id}"


def test_another_route_for_an_api_with_routes_is_named_after_its_target(active):
    window = active
    edge = window.arch.edges[0]
    window.arch.set_edge_config(edge, "routes", ["GET /items"])  # no catch-all: ANY / is free
    connect_by_mouse(window, "api", "handler")
    assert routes_of(edge) == ["GET /items", "ANY /handler"]


def test_ctrl_z_in_a_route_path_undoes_the_design(active):
    window = active
    edge = window.arch.edges[0]
    window.select(("edge", edge))
    click(window, QPushButton, "route_add")
    path = QApplication.focusWidget()
    QTest.keyClicks(path, "/items")  # typed, not yet handed in
    QTest.keyClick(path, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert routes_of(edge) == ["ANY /", "ANY /handler"]  # the typing went in, then was undone
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert routes_of(edge) == ["ANY /"]
    assert len(window.inspector.form.routes.rows) == 1
    QTest.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert routes_of(edge) == ["ANY /", "ANY /handler"]


def test_tab_runs_through_the_routes_in_order_then_to_add_route(active):
    window = active
    window.select(("edge", window.arch.edges[0]))
    click(window, QPushButton, "route_add")
    form_widget(window, QComboBox, "route_method_0").setFocus()
    order = []
    for _ in range(7):
        widget = QApplication.focusWidget()
        order.append(widget.objectName())
        QTest.keyClick(widget, Qt.Key.Key_Tab)
    assert order == ["route_method_0", "route_path_0", "route_remove_0", "route_method_1", "route_path_1",
                     "route_remove_1", "route_add"]
