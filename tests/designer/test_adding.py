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
