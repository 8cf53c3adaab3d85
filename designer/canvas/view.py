"""The canvas view: zoom, pan, rubber-band selection, drops from the palette, dot grid."""

from __future__ import annotations

import math

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QFrame, QGraphicsView

from .. import style
from ..theme import themes
from .in_place import LineEditor, TextEditor
from .scene import DiagramScene

SERVICE_MIME_TYPE = "application/x-stratus-service"

MIN_ZOOM, MAX_ZOOM = 0.15, 3.0
_NUDGES = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
ZOOM_STEP = 1.2


class CanvasView(QGraphicsView):
    zoom_changed = Signal(float)
    # A right-click or the menu key: (subject as in DiagramScene.subject_at, scene point,
    # global point); the window shows the menu (designer/context_menus.py).
    context_menu_requested = Signal(object, QPointF, QPoint)

    def __init__(self, scene: DiagramScene, parent=None) -> None:
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
                            | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.ItemSelectionMode.IntersectsItemShape)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        # Items set their own painter state, and their bounding rects leave room for
        # antialiased strokes, so Qt need not save state or widen exposed areas.
        self.setOptimizationFlags(QGraphicsView.OptimizationFlag.DontSavePainterState
                                  | QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._space_held = False
        self._panning_from: QPoint | None = None
        self._editor = None  # the in-place text editor, while one is open
        scene.edit_requested.connect(self.edit_subject)
        themes().changed.connect(self._repaint_in_theme)

    def _repaint_in_theme(self, _theme=None) -> None:
        """The theme changed: the cached background and the cards' and edges' cached
        pictures were drawn in the old colours."""
        self.resetCachedContent()
        for item in self.scene().items():
            item.update()

    def diagram(self) -> DiagramScene:
        return self.scene()

    # -- zoom --------------------------------------------------------------------------

    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        factor = zoom / self.zoom()
        if math.isclose(factor, 1.0):
            return
        # Anchor by hand: Qt's AnchorUnderMouse uses the last mouse *move*, not the
        # wheel event's position.
        point = anchor if anchor is not None else QPointF(self.viewport().rect().center())
        fixed = self.mapToScene(point.toPoint())
        saved = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.scale(factor, factor)
        self.setTransformationAnchor(saved)
        drift = self.mapFromScene(fixed) - point.toPoint()
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + drift.x())
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + drift.y())
        self._zoomed()

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / ZOOM_STEP)

    def reset_zoom(self) -> None:
        self.set_zoom(1.0)

    def fit_to_view(self) -> None:
        """Show the whole drawing, never magnified above 100 %."""
        drawing = self.diagram().drawing_rect()
        if drawing.isEmpty():
            # Nothing drawn yet: 100 %, the origin near the top left, where new cards go.
            self.reset_zoom()
            viewport = self.viewport().rect()
            self.centerOn(viewport.width() / 2 - 40, viewport.height() / 2 - 40)
            return
        bounds = drawing.adjusted(-40, -40, 40, 40)
        self.fitInView(bounds, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.0:
            self.resetTransform()
        elif self.zoom() < MIN_ZOOM:
            self.set_zoom(MIN_ZOOM)
        self.centerOn(bounds.center())
        self._zoomed()

    def _zoomed(self) -> None:
        self.finish_editing()  # an editor does not follow a zoom
        if isinstance(self.scene(), DiagramScene):
            self.scene().set_zoom_detail(self.zoom())
        self._place_visible_labels()
        self.zoom_changed.emit(self.zoom())

    def _place_visible_labels(self) -> None:
        scene = self.scene()
        if isinstance(scene, DiagramScene):  # the window may swap or clear the scene
            rect = self.mapToScene(self.viewport().rect()).boundingRect().adjusted(-300, -300, 300, 300)
            scene.place_stale_labels(rect)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        super().scrollContentsBy(dx, dy)
        self._place_visible_labels()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._place_visible_labels()

    def wheelEvent(self, event) -> None:
        delta = event.angleDelta().y()
        if delta == 0 or event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            super().wheelEvent(event)  # horizontal wheels / shift+wheel scroll
            return
        self.set_zoom(self.zoom() * ZOOM_STEP ** (delta / 120.0), anchor=event.position())
        event.accept()

    # -- pan ---------------------------------------------------------------------------

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = True
            self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not self._panning_from:
            self.diagram().delete_selection()
            event.accept()
            return
        nudge = _NUDGES.get(event.key())
        if nudge is not None and self.diagram().nudge_selection(*nudge):
            event.accept()
            return
        if event.key() == Qt.Key.Key_Tab and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            super().focusNextPrevChild(True)  # leave the canvas (plain Tab moves between cards)
            event.accept()
            return
        if event.key() == Qt.Key.Key_Escape and self.diagram().selectedItems():
            self.diagram().clearSelection()
            event.accept()
            return
        super().keyPressEvent(event)

    def show_selection_menu(self) -> None:
        """Shift+F10 or the menu key: the context menu of the selection."""
        centre = self.viewport().rect().center()
        event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, centre, self.viewport().mapToGlobal(centre))
        self.contextMenuEvent(event)

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802 (Qt override)
        """Tab and Shift+Tab move between the cards (Ctrl+Tab leaves the canvas)."""
        return self.select_next_node(forward) or super().focusNextPrevChild(forward)

    def select_next_node(self, forward: bool = True) -> bool:
        """Select the card after (or before) the selected one, left to right along the
        flow and top to bottom within a column; False when there is no card."""
        scene = self.diagram()
        order = sorted(scene.node_items(), key=lambda item: (item.x(), item.y(), item.node_id))
        if not order:
            return False
        selected = [i for i, item in enumerate(order) if item.isSelected()]
        if not selected:
            index = 0 if forward else len(order) - 1
        else:
            index = (selected[-1] + 1) % len(order) if forward else (selected[0] - 1) % len(order)
        scene.select_subject(("node", order[index].node_id))
        return True

    def keyReleaseEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            if self._panning_from is None:
                self.viewport().unsetCursor()
            event.accept()
            return
        super().keyReleaseEvent(event)

    def mousePressEvent(self, event) -> None:
        middle = event.button() == Qt.MouseButton.MiddleButton
        space_drag = event.button() == Qt.MouseButton.LeftButton and self._space_held
        if middle or space_drag:
            self._panning_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._panning_from is not None:
            now = event.position().toPoint()
            delta = now - self._panning_from
            self._panning_from = now
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - delta.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - delta.y())
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if self._panning_from is not None:
            self._panning_from = None
            if self._space_held:
                self.viewport().setCursor(Qt.CursorShape.OpenHandCursor)
            else:
                self.viewport().unsetCursor()
            event.accept()
            return
        super().mouseReleaseEvent(event)

    # -- context menus -----------------------------------------------------------------

    def contextMenuEvent(self, event) -> None:  # noqa: N802 (Qt override)
        scene = self.diagram()
        if event.reason() == event.Reason.Keyboard:
            # The menu key: about the selection, shown at its first item.
            selected = scene.selected_subjects()
            subject = selected[0] if selected else ("canvas", None)
            item = scene.item_for(subject) if selected else None
            scene_pos = (item.sceneBoundingRect().center() if item is not None
                         else self.mapToScene(self.viewport().rect().center()))
            position = self.viewport().mapToGlobal(self.mapFromScene(scene_pos))
        else:
            scene_pos = self.mapToScene(event.pos())
            subject = scene.subject_at(scene_pos)
            position = event.globalPos()
            item = scene.item_for(subject)
            # As in any editor: a right-click on something unselected selects just it.
            if item is None:
                scene.clearSelection()
            elif not item.isSelected():
                scene.clearSelection()
                item.setSelected(True)
        self.context_menu_requested.emit(subject, scene_pos, position)
        event.accept()

    # -- drops from the palette --------------------------------------------------------

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasFormat(SERVICE_MIME_TYPE):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if event.mimeData().hasFormat(SERVICE_MIME_TYPE):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        data = event.mimeData()
        if not data.hasFormat(SERVICE_MIME_TYPE):
            event.ignore()
            return
        service_key = bytes(data.data(SERVICE_MIME_TYPE)).decode("utf-8").strip()
        scene_pos = self.mapToScene(event.position().toPoint())
        if self.diagram().add_service_at(service_key, scene_pos) is None:
            event.ignore()
            return
        event.acceptProposedAction()
        self.setFocus()

    # -- editing text in place -----------------------------------------------------------

    def edit_selection(self) -> bool:
        """F2: edit the text of the one selected node, group or note in place."""
        subjects = self.diagram().selected_subjects()
        if len(subjects) != 1:
            return False
        return self.edit_subject(subjects[0])

    def edit_subject(self, subject) -> bool:
        kind, value = subject
        scene = self.diagram()
        if kind == "node" and scene.node_item(value) is not None:
            item, node = scene.node_item(value), scene.arch.nodes[value]
            self.ensureVisible(item, 40, 40)
            self._open_editor(LineEditor(node.display_name, self.viewport()),
                              item.mapRectToScene(item.title_rect()), style.title_font(),
                              lambda text: scene.set_node_label(item.node_id, text))
            return True
        if kind == "group" and scene.group_item(value) is not None:
            item, group = scene.group_item(value), scene.arch.group(value)
            self.ensureVisible(item.label_rect(), 40, 40)
            self._open_editor(LineEditor(group.label, self.viewport()), item.label_rect(),
                              style.group_label_font(), lambda text: scene.annotations.set_group_label(value, text))
            return True
        if kind == "note" and scene.note_item(value) is not None:
            item, note = scene.note_item(value), scene.arch.note(value)
            self.ensureVisible(item, 40, 40)
            self._open_editor(TextEditor(note.text, self.viewport()), item.mapRectToScene(item.card_rect()),
                              style.note_font(), lambda text: scene.annotations.set_note_text(value, text))
            return True
        return False

    def editor(self):
        return self._editor

    def finish_editing(self) -> None:
        if self._editor is not None:
            self._editor._finish(True)

    def _open_editor(self, editor, scene_rect: QRectF, font, on_commit) -> None:
        self.finish_editing()
        font.setPointSizeF(font.pointSizeF() * self.zoom())
        editor.setFont(font)
        editor.setGeometry(self.mapFromScene(scene_rect).boundingRect())
        editor.committed.connect(lambda text: self._editor_closed(editor, on_commit, text))
        editor.cancelled.connect(lambda: self._editor_closed(editor, None, None))
        self._editor = editor
        editor.show()
        editor.setFocus()

    def _editor_closed(self, editor, on_commit, text) -> None:
        if self._editor is editor:
            self._editor = None
        if editor.hasFocus():  # closed by a key: the canvas keeps the keyboard
            self.setFocus()
        editor.hide()
        editor.deleteLater()
        if on_commit is not None:
            on_commit(text)

    # -- background --------------------------------------------------------------------

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, style.CANVAS_BACKGROUND)
        zoom = self.zoom()
        if zoom < style.GRID_DOT_MIN_ZOOM:
            return
        step = style.GRID_SIZE * (2 if zoom < 0.8 else 1)
        left = math.floor(rect.left() / step) * step
        top = math.floor(rect.top() / step) * step
        xs = [left + i * step for i in range(int((rect.right() - left) / step) + 1)]
        ys = [top + j * step for j in range(int((rect.bottom() - top) / step) + 1)]
        points = QPolygonF([QPointF(x, y) for y in ys for x in xs])
        pen = QPen(style.GRID_DOT, 1.6 / zoom)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawPoints(points)
