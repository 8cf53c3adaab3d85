"""Groups and notes on the canvas, made and moved as a user does; saved as annotations and
shown in PNG/SVG pictures."""

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from model.designfile import dump_design, load_design

pytestmark = pytest.mark.gui

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
NONE, LEFT = Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton


@pytest.fixture
def active(window, qtbot):
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    window.view.setFocus()
    return window


def on_screen(window, scene_point: QPointF) -> QPoint:
    return window.view.mapFromScene(scene_point)


def card_point(window, node_id: str) -> QPoint:
    item = window.scene.node_item(node_id)
    return on_screen(window, item.mapToScene(item.card_rect().center()))


def drag(window, start: QPoint, end: QPoint, steps: int = 6) -> None:
    viewport = window.view.viewport()
    QTest.mouseMove(viewport, start)
    QTest.mousePress(viewport, LEFT, NONE, start)
    for i in range(1, steps + 1):
        QTest.mouseMove(viewport, start + (end - start) * (i / steps))
    QTest.mouseRelease(viewport, LEFT, NONE, end)


def select_by_clicks(window, *node_ids: str) -> None:
    viewport = window.view.viewport()
    QTest.mouseClick(viewport, LEFT, NONE, card_point(window, node_ids[0]))
    for node_id in node_ids[1:]:
        QTest.mouseClick(viewport, LEFT, CTRL, card_point(window, node_id))


def make_group(window, label: str, *node_ids: str) -> str:
    select_by_clicks(window, *node_ids)
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_G, CTRL)
    editor = window.view.editor()
    assert editor is not None and editor.hasFocus()  # the new group is named at once
    QTest.keyClicks(editor, label)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    return window.arch.groups[-1].id


def test_ctrl_g_frames_the_selected_nodes_in_a_named_group(active):
    window = active
    before = dump_design(window.arch)
    group_id = make_group(window, "Orders service", "api", "handler", "orders")
    group = window.arch.group(group_id)
    assert group.label == "Orders service" and group.nodes == ["api", "handler", "orders"]
    frame = window.scene.group_item(group_id).frame()
    for node_id in group.nodes:
        card = window.scene.node_item(node_id)
        assert frame.contains(card.mapRectToScene(card.card_rect()))
    assert not frame.intersects(window.scene.node_item("bucket").sceneBoundingRect())
    assert window.inspector.subject == ("group", group_id)
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Z, CTRL)
    assert window.arch.group(group_id).label == "Group"
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Z, CTRL)
    assert dump_design(window.arch) == before and window.scene.group_item(group_id) is None


def test_a_group_moves_with_its_nodes_and_dragging_its_frame_moves_them(active):
    window = active
    group_id = make_group(window, "Ingest", "queue", "worker")
    item = window.scene.group_item(group_id)
    # A member dragged alone: the frame follows it.
    QTest.mouseClick(window.view.viewport(), LEFT, NONE, on_screen(window, QPointF(900, 600)))
    start = card_point(window, "worker")
    drag(window, start, start + QPoint(0, 100))
    assert window.arch.nodes["worker"].at == (520.0, 300.0)
    card = window.scene.node_item("worker")
    assert item.frame().contains(card.mapRectToScene(card.card_rect()))
    # The frame dragged by its name band: both nodes move, one undo entry.
    before = {n: window.arch.nodes[n].at for n in ("queue", "worker")}
    count = window.undo_stack.count()
    band = on_screen(window, item.label_rect().center())
    drag(window, band, band + QPoint(60, -40))
    assert window.arch.nodes["queue"].at == (before["queue"][0] + 60, before["queue"][1] - 40)
    assert window.arch.nodes["worker"].at == (before["worker"][0] + 60, before["worker"][1] - 40)
    assert window.undo_stack.count() == count + 1 and window.undo_stack.undoText() == "Move Ingest"
    window.undo_stack.undo()
    assert {n: window.arch.nodes[n].at for n in ("queue", "worker")} == before


def test_deleting_a_grouped_node_leaves_the_group_and_undo_puts_it_back(active):
    window = active
    group_id = make_group(window, "Ingest", "queue", "worker")
    before = dump_design(window.arch)
    select_by_clicks(window, "worker")
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Delete)
    assert window.arch.group(group_id).nodes == ["queue"]
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Z, CTRL)
    assert dump_design(window.arch) == before
    # Deleting the frame keeps its nodes.
    window.scene.select_subject(("group", group_id))
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Delete)
    assert window.arch.groups == [] and {"queue", "worker"} <= set(window.arch.nodes)


def test_notes_are_written_moved_resized_and_deleted(active):
    window = active
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_M, CTRL | SHIFT)
    editor = window.view.editor()
    assert editor is not None and editor.hasFocus()
    QTest.keyClicks(editor, "Throttled at 500 req/s")
    QTest.keyClick(editor, Qt.Key.Key_Return)  # a new line in a note...
    QTest.keyClicks(editor, "by the API stage")
    QTest.keyClick(editor, Qt.Key.Key_Return, CTRL)  # ...Ctrl+Enter keeps it
    note = window.arch.notes[0]
    assert note.text == "Throttled at 500 req/s\nby the API stage"
    item = window.scene.note_item(note.id)
    at = note.at
    start = on_screen(window, item.mapToScene(QPointF(30, 30)))
    drag(window, start, start + QPoint(80, 40))
    assert window.arch.note(note.id).at == (at[0] + 80, at[1] + 40)
    assert window.undo_stack.undoText() == "Move note"
    grip = on_screen(window, item.mapToScene(QPointF(item.size[0] - 4, item.size[1] - 4)))
    drag(window, grip, grip + QPoint(60, 40))
    assert window.arch.note(note.id).size == (280.0, 140.0)
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Delete)
    assert window.arch.notes == [] and window.scene.note_item(note.id) is None
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Z, CTRL)
    assert window.arch.notes[0].size == (280.0, 140.0)


def test_a_note_moves_with_the_nodes_selected_with_it(active):
    window = active
    note_id = window.scene.add_note_at(QPointF(40, 500), "Batch window 2 s")
    select_by_clicks(window, "bucket")
    QTest.mouseClick(window.view.viewport(), LEFT, CTRL,
                     on_screen(window, window.scene.note_item(note_id).mapToScene(QPointF(20, 20))))
    start = card_point(window, "bucket")
    drag(window, start, start + QPoint(100, 0))
    assert window.arch.nodes["bucket"].at == (140.0, 360.0)
    assert window.arch.note(note_id).at == (140.0, 500.0)
    assert window.undo_stack.undoText() == "Move 2 items"


def test_annotations_are_saved_and_opened_again(active, make_window, prompter, tmp_path):
    window = active
    make_group(window, "Account A", "api", "handler")
    window.scene.add_note_at(QPointF(40, 500), "Hello")
    target = tmp_path / "annotated.yaml"
    prompter.save_as_answer = str(target)
    assert window.documents.save()
    saved = load_design(target)
    assert [(g.label, g.nodes) for g in saved.groups] == [("Account A", ["api", "handler"])]
    assert [n.text for n in saved.notes] == ["Hello"]
    other = make_window()
    assert other.open_path(str(target))
    assert other.scene.group_item(saved.groups[0].id) is not None
    assert other.scene.note_item(saved.notes[0].id) is not None


def test_groups_and_notes_are_in_png_and_svg_pictures(active, tmp_path):
    window = active
    group_id = make_group(window, "Account A", "api", "handler")
    note_id = window.scene.add_note_at(QPointF(40, 520), "Reviewed")
    png, svg = tmp_path / "d.png", tmp_path / "d.svg"
    assert window.export_png(str(png), scale=1.0)
    image = QImage(str(png))
    from designer.canvas.image_export import picture_rect

    origin = picture_rect(window.scene).topLeft()
    frame = window.scene.group_item(group_id).frame()
    tint = image.pixelColor(int(frame.left() + 6 - origin.x()), int(frame.bottom() - 6 - origin.y()))
    assert tint.blue() > tint.red() + 3  # the blue group's tint, not white
    note = window.scene.note_item(note_id)
    paper = image.pixelColor(int(note.x() + 4 - origin.x()), int(note.y() + note.size[1] - 4 - origin.y()))
    assert paper.red() > paper.blue() + 20  # the note's yellow
    assert window.export_svg(str(svg))
    text = svg.read_text()
    assert "Account A" in text and "Reviewed" in text
