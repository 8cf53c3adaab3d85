"""Adding services as a user does: drops from the palette, double-click and Enter in it."""

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

pytestmark = [pytest.mark.gui,
              pytest.mark.filterwarnings("ignore:Function.*QDrag.*deprecated:DeprecationWarning")]


def drop_service(window, key: str, pos: QPoint) -> None:
    """What the palette's drag delivers to the canvas when released at `pos`."""
    palette = window.palette
    mime = palette.tree.mimeData([palette.service_item(key)])
    viewport = window.view.viewport()
    action, buttons, mods = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(viewport, QDragEnterEvent(pos, action, mime, buttons, mods))
    QApplication.sendEvent(viewport, QDragMoveEvent(pos, action, mime, buttons, mods))
    QApplication.sendEvent(viewport, QDropEvent(QPointF(pos), action, mime, buttons, mods))
    QApplication.processEvents()


def card_on_screen(window, node_id: str):
    """The card's rectangle in viewport pixels."""
    item = window.scene.node_item(node_id)
    return window.view.mapFromScene(item.mapRectToScene(item.card_rect())).boundingRect()


@pytest.fixture
def new_window(make_window, qtbot):
    window = make_window()  # a new, empty design
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_drop_lands_under_the_cursor_and_nothing_else_moves(new_window):
    """Bug 3: in a new design the card landed away from the cursor and the whole canvas
    jumped by ~170 px on each drop."""
    window = new_window
    viewport = window.view.viewport().rect()
    first_at = viewport.center() + QPoint(-150, -80)
    drop_service(window, "lambda", first_at)
    first = next(iter(window.arch.nodes))
    assert card_on_screen(window, first).contains(first_at)
    before = card_on_screen(window, first)
    for i, (key, offset) in enumerate((("dynamodb", QPoint(200, 60)), ("sqs", QPoint(-40, 160)),
                                       ("sns", QPoint(260, -120)))):
        at = viewport.center() + offset
        drop_service(window, key, at)
        new = list(window.arch.nodes)[-1]
        assert card_on_screen(window, new).contains(at), f"drop {i + 2} landed away from the cursor"
        assert card_on_screen(window, first) == before, f"the canvas moved on drop {i + 2}"
    node = window.arch.nodes[first]
    assert node.at[0] % 20 == 0 and node.at[1] % 20 == 0  # snapped to the grid


def double_click_service(window, key: str) -> None:
    tree = window.palette.tree
    rect = tree.visualItemRect(window.palette.service_item(key))
    # What a mouse delivers: press and release, then a double-click press and release
    # (QTest.mouseDClick sends only the double-click event).
    button, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mouseClick(tree.viewport(), button, mods, rect.center())
    QTest.mouseDClick(tree.viewport(), button, mods, rect.center())


def cards_overlap(window, a: str, b: str) -> bool:
    first, second = window.scene.node_item(a), window.scene.node_item(b)
    return first.mapRectToScene(first.card_rect()).intersects(second.mapRectToScene(second.card_rect()))


def test_double_clicking_palette_items_never_stacks_cards(window, qtbot):
    """Bug 5: two double-clicks put two cards exactly on top of each other."""
    window.show()
    qtbot.waitExposed(window)
    before = set(window.arch.nodes)
    for key in ("lambda", "sqs", "lambda"):
        double_click_service(window, key)
    added = [n for n in window.arch.nodes if n not in before]
    assert len(added) == 3  # one node per double-click
    every = list(window.arch.nodes)
    for new in added:
        assert not any(cards_overlap(window, new, other) for other in every if other != new), new
        assert window.view.viewport().rect().contains(card_on_screen(window, new))  # in view


def test_enter_on_a_palette_item_adds_it(window, qtbot):
    """Bug 5: Enter on a palette item did nothing."""
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    tree = window.palette.tree
    tree.setFocus()
    tree.setCurrentItem(window.palette.service_item("sns"))
    count = len(window.arch.nodes)
    QTest.keyClick(tree, Qt.Key.Key_Return)
    assert len(window.arch.nodes) == count + 1
    new = list(window.arch.nodes)[-1]
    assert window.arch.nodes[new].service == "sns"
    assert window.scene.selected_subjects() == [("node", new)]
    QTest.keyClick(tree, Qt.Key.Key_Enter)  # the keypad's Enter too, and never on top
    assert len(window.arch.nodes) == count + 2
    assert not cards_overlap(window, new, list(window.arch.nodes)[-1])
    header = window.palette.service_item("sns").parent()
    tree.setCurrentItem(header)
    QTest.keyClick(tree, Qt.Key.Key_Return)  # a category heading adds nothing
    assert len(window.arch.nodes) == count + 2


def test_free_spot_is_the_nearest_grid_place_clear_of_other_cards():
    from designer.canvas.placement import GAP, free_spot

    card = (176, 56)
    assert free_spot(100, 100, [], *card) == (100, 100)
    assert free_spot(100, 100, [(500, 500, *card)], *card) == (100, 100)
    x, y = free_spot(100, 100, [(100, 100, *card)], *card)
    assert abs(x - 100) >= 176 + GAP or abs(y - 100) >= 56 + GAP
    assert (x, y) == (100, 180)  # straight below, on the grid: the nearest free place
    crowded = [(100, 100, *card), (100, 180, *card), (100, 20, *card)]
    x, y = free_spot(100, 100, crowded, *card)
    assert all(abs(x - cx) >= 176 + GAP or abs(y - cy) >= 56 + GAP for cx, cy, _, _ in crowded)
    assert x % 20 == 0 and y % 20 == 0
    # A big note is kept clear of as a whole, not as a card.
    x, y = free_spot(100, 100, [(60, 60, 400, 300)], *card)
    assert x >= 60 + 400 + GAP or x + 176 + GAP <= 60 or y >= 60 + 300 + GAP or y + 56 + GAP <= 60


def test_the_empty_canvas_says_how_to_start_with_buttons(new_window, qtbot):
    from PySide6.QtWidgets import QDialog

    window = new_window
    hint = window.empty_hint
    assert hint.isVisible()
    assert set(hint.buttons) == {"Open an Example…", "Quick Start", "Open a Design…"}
    assert window.view.viewport().rect().contains(hint.geometry())
    where = hint.geometry()
    window.view.horizontalScrollBar().setValue(window.view.horizontalScrollBar().value() + 200)
    assert hint.geometry() == where  # it does not scroll away with the canvas
    QTest.mouseClick(hint.buttons["Quick Start"], Qt.MouseButton.LeftButton)
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, QDialog) and w.objectName() == "quickStartDialog" and w.isVisible())
    dialog.close()
    drop_service(window, "lambda", window.view.viewport().rect().center())
    assert not hint.isVisible()
    window.undo_stack.undo()
    assert hint.isVisible()


def test_the_example_button_opens_the_gallery(new_window, qtbot):
    from PySide6.QtCore import QTimer

    from designer.gallery import GalleryDialog

    window = new_window
    seen = []

    def close_gallery():
        dialog = QApplication.activeModalWidget()
        seen.append(type(dialog))
        dialog.reject()

    QTimer.singleShot(50, close_gallery)
    QTest.mouseClick(window.empty_hint.buttons["Open an Example…"], Qt.MouseButton.LeftButton)
    assert seen == [GalleryDialog]
