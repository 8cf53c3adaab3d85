"""The canvas through the gestures a user makes: drops, drags, connections, keys."""

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from designer.canvas import SERVICE_MIME_TYPE
from designer.canvas.edge_item import EdgeItem
from designer.palette import Palette
from model.architecture import Node
from model.catalogue import SERVICES
from model.designfile import dump_design, loads_design
from model.errors import Problem

pytestmark = [pytest.mark.gui,
              pytest.mark.filterwarnings("ignore:Function.*QDrag.*deprecated:DeprecationWarning")]


def view_point(view, item, local: QPointF) -> QPoint:
    return view.mapFromScene(item.mapToScene(local))


def card_centre(view, item) -> QPoint:
    return view_point(view, item, item.card_rect().center())


def drag(view, start: QPoint, end: QPoint, steps: int = 6) -> None:
    viewport = view.viewport()
    QTest.mouseMove(viewport, start)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, steps + 1):
        QTest.mouseMove(viewport, start + (end - start) * (i / steps))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def drop_on(view, mime, pos: QPoint) -> QDropEvent:
    """Deliver a drag-and-drop to the viewport, as Qt's drag manager would."""
    viewport = view.viewport()
    action = Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(viewport, QDragEnterEvent(pos, action, mime, buttons, mods))
    QApplication.sendEvent(viewport, QDragMoveEvent(pos, action, mime, buttons, mods))
    drop = QDropEvent(QPointF(pos), action, mime, buttons, mods)
    QApplication.sendEvent(viewport, drop)
    return drop


def test_dragging_a_service_from_the_palette_creates_a_node_where_dropped(qtbot, canvas, undo_stack):
    scene, view = canvas
    palette = Palette()
    qtbot.addWidget(palette)
    item = palette.service_item("kinesis")
    mime = palette.tree.mimeData([item])  # what the palette's own drag carries
    assert mime.hasFormat(SERVICE_MIME_TYPE)
    target = QPoint(700, 550)
    drop = drop_on(view, mime, target)
    assert drop.isAccepted()
    assert "kinesis" in scene.arch.nodes
    node = scene.arch.nodes["kinesis"]
    assert node.config == SERVICES["kinesis"].defaults()
    card = scene.node_item("kinesis")
    assert card.sceneBoundingRect().contains(view.mapToScene(target))
    assert node.at[0] % 20 == 0 and node.at[1] % 20 == 0
    assert undo_stack.count() == 1 and undo_stack.undoText() == f"Add {SERVICES['kinesis'].name}"
    undo_stack.undo()
    assert "kinesis" not in scene.arch.nodes and scene.node_item("kinesis") is None


def test_a_foreign_drop_is_ignored(canvas):
    from PySide6.QtCore import QMimeData

    scene, view = canvas
    mime = QMimeData()
    mime.setText("lambda")
    before = len(scene.arch.nodes)
    drop_on(view, mime, QPoint(600, 500))
    assert len(scene.arch.nodes) == before


def test_palette_search_filters_by_name_key_and_summary(qtbot):
    palette = Palette()
    qtbot.addWidget(palette)
    palette.search.setText("dynamo")
    assert palette.visible_services() == ["dynamodb"]
    palette.search.setText("token bucket")  # API Gateway's summary
    assert palette.visible_services() == ["api_gateway"]
    palette.search.setText("")
    assert len(palette.visible_services()) >= 9
    with qtbot.waitSignal(palette.service_activated) as signal:
        palette._activated(palette.service_item("sqs"))
    assert signal.args == ["sqs"]


def test_dragging_from_the_handle_connects_two_nodes(canvas, undo_stack):
    scene, view = canvas
    source, target = scene.node_item("bucket"), scene.node_item("worker")
    edges_before = len(scene.arch.edges)
    drag(view, view_point(view, source, source.handle_centre()), card_centre(view, target))
    assert len(scene.arch.edges) == edges_before + 1
    edge = scene.arch.edges[-1]
    assert (edge.source, edge.target, scene.arch.edge_kind(edge)) == ("bucket", "worker", "notification")
    assert isinstance(scene.edge_item(edge), EdgeItem)
    assert scene.edge_item(edge).label == "notification"
    assert not scene.connecting()
    assert undo_stack.count() == 1


def test_a_forbidden_connection_is_refused_with_the_reason(qtbot, canvas, undo_stack):
    scene, view = canvas
    source, target = scene.node_item("bucket"), scene.node_item("orders")
    edges_before = len(scene.arch.edges)
    items_before = len(scene.items())
    with qtbot.waitSignal(scene.connection_refused, timeout=1000) as signal:
        drag(view, view_point(view, source, source.handle_centre()), card_centre(view, target))
    assert signal.args[0].startswith("S3 cannot send to DynamoDB: AWS has no such integration")
    assert len(scene.arch.edges) == edges_before
    assert len(scene.items()) == items_before  # the rubber line is gone
    assert undo_stack.count() == 0


def test_a_duplicate_connection_is_refused(qtbot, canvas):
    scene, view = canvas
    source, target = scene.node_item("queue"), scene.node_item("worker")  # an API's would add a route
    with qtbot.waitSignal(scene.connection_refused, timeout=1000) as signal:
        drag(view, view_point(view, source, source.handle_centre()), card_centre(view, target))
    assert "already has an event source edge" in signal.args[0]


def test_dragging_several_nodes_is_one_undo_entry_and_snaps(canvas, undo_stack):
    scene, view = canvas
    before = dump_design(scene.arch)
    for node_id in ("handler", "queue", "worker"):
        scene.node_item(node_id).setSelected(True)
    grab = scene.node_item("queue")
    start = card_centre(view, grab)
    drag(view, start, start + QPoint(67, 33), steps=10)
    assert undo_stack.count() == 1 and undo_stack.undoText() == "Move 3 nodes"
    assert scene.arch.nodes["queue"].at == (340.0, 240.0)  # 280+67, 200+33 snapped to the grid
    assert scene.arch.nodes["handler"].at == (340.0, 80.0)
    assert scene.arch.nodes["api"].at == (40.0, 40.0)
    # The edge follows the node while dragging: its end sits on the moved card.
    edge_item = scene.edge_item(scene.arch.edges[0])
    assert edge_item.boundingRect().right() >= scene.node_item("handler").pos().x() - 1
    undo_stack.undo()
    assert dump_design(scene.arch) == before
    assert scene.node_item("queue").pos() == QPointF(280, 200)


def test_a_click_without_moving_pushes_nothing(canvas, undo_stack):
    scene, view = canvas
    point = card_centre(view, scene.node_item("orders"))
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point)
    assert undo_stack.count() == 0
    assert scene.selected_subjects() == [("node", "orders")]


def test_rubber_band_selects_several_nodes(canvas):
    scene, view = canvas
    top_left = view.mapFromScene(QPointF(260, 20))
    bottom_right = view.mapFromScene(QPointF(700, 270))
    drag(view, top_left, bottom_right)
    nodes = {v for k, v in scene.selected_subjects() if k == "node"}
    assert {"handler", "orders", "queue", "worker"} <= nodes and "api" not in nodes


def test_delete_key_removes_the_selection_and_undo_brings_it_back(canvas, undo_stack):
    scene, view = canvas
    before = dump_design(scene.arch)
    scene.select_subject(("node", "handler"))
    view.setFocus()
    QTest.keyClick(view.viewport(), Qt.Key.Key_Delete)
    assert "handler" not in scene.arch.nodes
    assert scene.node_item("handler") is None
    assert all("handler" not in (e.source, e.target) for e in scene.arch.edges)
    assert len(scene.edge_items()) == len(scene.arch.edges)
    undo_stack.undo()
    assert dump_design(scene.arch) == before
    assert len(scene.edge_items()) == len(scene.arch.edges)


def test_copy_paste_and_duplicate(canvas, undo_stack):
    scene, view = canvas
    scene.select_nodes(["handler", "orders"])
    text = scene.copy_selection()
    copied = loads_design(text)
    assert list(copied.nodes) == ["handler", "orders"] and len(copied.edges) == 1  # only the edge among them
    new_ids = scene.paste(text, (0, 200))
    assert new_ids == ["handler_2", "orders_2"]
    assert scene.arch.nodes["handler_2"].at == (280.0, 240.0)
    assert scene.arch.find_edge("handler_2", "orders_2") is not None
    assert {v for _, v in scene.selected_subjects() if isinstance(v, str)} == {"handler_2", "orders_2"}
    assert undo_stack.count() == 1
    dup = scene.duplicate_selection()
    assert dup == ["handler_3", "orders_3"] and undo_stack.undoText() == "Duplicate 2 nodes"
    undo_stack.undo()
    undo_stack.undo()
    assert "handler_2" not in scene.arch.nodes and scene.node_item("handler_2") is None
    assert scene.paste("not: [a design") == []


def test_the_scene_follows_changes_made_directly_to_the_model(canvas, design):
    from model.architecture import Architecture, Edge, Node

    scene, view = canvas
    design.set_node_label("worker", "Order worker")
    assert scene.node_item("worker").title == "Order worker"
    design.add_node(Node("topic", "sns", at=(700.0, 200.0)))
    design.add_edge(Edge("worker", "topic"))
    assert scene.node_item("topic") is not None and len(scene.edge_items()) == 4
    other = Architecture("Other")
    other.nodes["solo"] = Node("solo", "lambda")  # no position: drawn anyway
    design.replace_with(other)
    assert [i.node_id for i in scene.node_items()] == ["solo"] and scene.edge_items() == []


def test_selection_signal_and_select_subject(qtbot, canvas):
    scene, view = canvas
    with qtbot.waitSignal(scene.subjects_selected) as signal:
        scene.select_subject(("edge", 1))
    assert signal.args[0] == [("edge", scene.arch.edges[1])]
    scene.select_subject(("design", None))
    assert scene.selected_subjects() == []


def test_problem_badges(canvas):
    scene, view = canvas
    scene.set_problems([Problem("node 'worker'", "timeout too short", "warning", target=("node", "worker")),
                        Problem("node 'worker'", "memory too small", target=("node", "worker")),
                        Problem("edge", "bad", target=("edge", 0))])
    worker = scene.node_item("worker")
    assert worker.problem_severity == "error" and "memory too small" in worker.toolTip()
    assert scene.edge_item(scene.arch.edges[0]).problem_severity == "error"
    scene.set_problems([])
    assert worker.problem_severity is None


def test_auto_layout_is_one_undoable_command(canvas, undo_stack):
    scene, view = canvas
    before = dump_design(scene.arch)
    scene.auto_layout()
    assert undo_stack.undoText() == "Auto-layout"
    undo_stack.undo()
    assert dump_design(scene.arch) == before


def test_zoom_and_fit(canvas):
    scene, view = canvas
    view.zoom_in()
    assert view.zoom() == pytest.approx(1.2)
    view.zoom_out()
    view.zoom_out()
    assert view.zoom() < 1
    view.reset_zoom()
    assert view.zoom() == pytest.approx(1.0)
    view.fit_to_view()
    for item in scene.node_items():
        assert view.viewport().rect().contains(view.mapFromScene(item.sceneBoundingRect()).boundingRect())


def test_wheel_zooms_around_the_cursor_and_middle_drag_pans(canvas):
    from PySide6.QtGui import QWheelEvent

    scene, view = canvas
    cursor = card_centre(view, scene.node_item("worker"))
    under_cursor = view.mapToScene(cursor)
    wheel = QWheelEvent(QPointF(cursor), QPointF(view.viewport().mapToGlobal(cursor)), QPoint(0, 0),
                        QPoint(0, 120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), wheel)
    assert view.zoom() == pytest.approx(1.2)
    after = view.mapToScene(cursor)
    assert abs(after.x() - under_cursor.x()) < 3 and abs(after.y() - under_cursor.y()) < 3

    before = view.mapToScene(QPoint(500, 350))
    viewport = view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, QPoint(500, 350))
    QTest.mouseMove(viewport, QPoint(440, 300))
    QTest.mouseRelease(viewport, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, QPoint(440, 300))
    moved = view.mapToScene(QPoint(500, 350)) - before
    assert moved.x() > 30 and moved.y() > 25  # the drawing followed the hand
    assert scene.selected_subjects() == [] and scene.arch.nodes["worker"].at == (520.0, 200.0)


def test_arrow_keys_nudge_the_selection_one_grid_step(canvas, undo_stack):
    scene, view = canvas
    scene.select_nodes(["queue", "worker"])
    view.setFocus()
    QTest.keyClick(view.viewport(), Qt.Key.Key_Right)
    QTest.keyClick(view.viewport(), Qt.Key.Key_Up)
    assert scene.arch.nodes["queue"].at == (300.0, 180.0)
    assert scene.node_item("worker").pos() == QPointF(540, 180)
    assert undo_stack.count() == 2


def test_deleting_a_selected_edge_keeps_its_nodes_and_undo_puts_it_back_in_place(canvas, undo_stack):
    scene, view = canvas
    before = dump_design(scene.arch)
    middle = scene.arch.edges[1]
    scene.select_subject(("edge", middle))
    scene.delete_selection()
    assert middle not in scene.arch.edges and len(scene.arch.nodes) == 6
    assert scene.edge_item(middle) is None
    undo_stack.undo()
    assert scene.arch.edges[1] is middle and dump_design(scene.arch) == before
    assert scene.edge_item(middle) is not None


def test_edge_labels_keep_off_cards_and_wait_while_zoomed_out(canvas, design, undo_stack):
    from designer import commands

    scene, view = canvas
    # handler -> orders runs straight through a card placed between them.
    design.add_node(Node("blocker", "s3", at=(460.0, 40.0)))
    undo_stack.push(commands.MoveNodesCommand(design, {"orders": (520.0, 40.0)}, {"orders": (700.0, 40.0)}))
    item = scene.edge_item(design.edges[1])
    blocker = scene.node_item("blocker")
    label = item.label_item.boundingRect()
    covered = label.intersected(blocker.mapRectToScene(blocker.card_rect()))
    assert label.isEmpty() or covered.width() * covered.height() < 0.6 * label.width() * label.height()

    view.set_zoom(0.3)  # labels are not drawn this far out: none is placed
    undo_stack.push(commands.MoveNodesCommand(design, {"orders": (700.0, 40.0)}, {"orders": (720.0, 60.0)}))
    assert item.label_stale and not item.label_item.isVisible()
    view.set_zoom(1.0)
    assert not item.label_stale and item.label_item.isVisible()


def test_far_zoomed_out_an_overview_paints_while_cards_still_click_and_exports_stay_detailed(canvas, design):
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtWidgets import QGraphicsItem

    from designer import style
    from designer.canvas.overview import OverviewItem

    scene, view = canvas
    no_contents = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
    overview = next(i for i in scene.items() if isinstance(i, OverviewItem))
    node_id = next(iter(design.nodes))
    card = scene.node_item(node_id)
    assert not overview.isVisible() and not card.flags() & no_contents

    view.set_zoom(style.OVERVIEW_ZOOM * 0.8)
    assert overview.isVisible() and card.flags() & no_contents
    assert all(i.flags() & no_contents for i in scene.edge_items())
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     card_centre(view, card))
    assert scene.selected_subjects() == [("node", node_id)]
    # The overview shows the card in its category colour; an export shows the white card.
    shot = view.viewport().grab().toImage()
    colour = style.category_colour(SERVICES[card.service].category)
    assert shot.pixelColor(card_centre(view, card) + QPoint(8, 0)).name() == colour.name()
    source = scene.node_item(node_id).mapRectToScene(card.card_rect())
    image = QImage(int(source.width()), int(source.height()), QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    scene.render(painter, source=source)
    painter.end()
    assert image.pixelColor(int(source.width()) - 12, int(source.height()) // 2).name() == style.NODE_FILL.name()
    assert overview.isVisible() and card.flags() & no_contents  # the view's mode is back

    view.set_zoom(1.0)
    assert not overview.isVisible() and not card.flags() & no_contents
