"""Groups and notes on the canvas (the design's `annotations`).

A group is a named, coloured frame drawn around its nodes: it has no position of its
own, so it moves when they move, and dragging the frame moves them (one undo entry, as
any drag). A note is a free text on a sticky-note card; it moves like a card and its
lower right corner resizes it. Both only show the model: gestures go to the scene, which
turns them into undo commands.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem

from model.architecture import Group, Note

from .. import style

GROUP_PADDING = 20.0  # room between the frame and its cards
GROUP_LABEL_HEIGHT = 26.0  # the frame's top band, where its name is written
NOTE_MIN_SIZE = (80.0, 40.0)
_NOTE_PAD = 10.0
_FOLD = 14.0  # the note's folded corner
_GRIP = 12.0  # the resize grip in the lower right corner


class GroupItem(QGraphicsItem):
    Type = QGraphicsItem.UserType + 3

    def __init__(self, group: Group) -> None:
        super().__init__()
        self.group_id = group.id
        self.label = ""
        self.colour = style.group_colour(None)
        self.member_ids: list[str] = []
        self._frame = QRectF()
        self._press: QPointF | None = None  # where a drag of the frame started
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(-1)  # under edges and cards
        self.refresh(group)

    def type(self) -> int:
        return self.Type

    def refresh(self, group: Group) -> None:
        self.label = group.label or "Group"
        self.colour = style.group_colour(group.colour)
        self.member_ids = list(group.nodes)
        self.setToolTip(f"{self.label} (group of {len(group.nodes)} node{'s' if len(group.nodes) != 1 else ''})"
                        "\nDrag the frame to move its nodes; double-click the name to rename it.")
        self.update()

    def set_frame(self, cards: QRectF) -> None:
        """Put the frame around this rectangle of cards (empty: no member on the canvas)."""
        frame = QRectF() if cards.isEmpty() else cards.adjusted(
            -GROUP_PADDING, -GROUP_PADDING - GROUP_LABEL_HEIGHT, GROUP_PADDING, GROUP_PADDING)
        if frame != self._frame:
            self.prepareGeometryChange()
            self._frame = frame
            self.setVisible(not frame.isEmpty())

    def frame(self) -> QRectF:
        return QRectF(self._frame)

    def label_rect(self) -> QRectF:
        return QRectF(self._frame.left() + 8, self._frame.top() + 3, max(60.0, self._frame.width() - 16),
                      GROUP_LABEL_HEIGHT - 4)

    def boundingRect(self) -> QRectF:
        return self._frame.adjusted(-2, -2, 2, 2) if not self._frame.isEmpty() else QRectF()

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(self._frame, 12, 12)
        return path

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self._frame.isEmpty():
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = QColor(self.colour)
        fill.setAlpha(style.GROUP_FILL_ALPHA)
        border = QColor(self.colour)
        if not self.isSelected():
            border.setAlpha(170)
        pen = QPen(style.SELECTION if self.isSelected() else border, 2.0 if self.isSelected() else 1.4)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(self._frame, 12, 12)
        painter.setFont(style.group_label_font())
        painter.setPen(self.colour.darker(135))
        text = QFontMetricsF(painter.font()).elidedText(self.label, Qt.TextElideMode.ElideRight,
                                                         self.label_rect().width())
        painter.drawText(self.label_rect(), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)

    # -- dragging the frame moves the group's nodes --------------------------------------

    def mousePressEvent(self, event) -> None:
        super().mousePressEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.scenePos()
            self.scene().annotations.begin_group_drag(self.group_id)

    def mouseMoveEvent(self, event) -> None:
        if self._press is not None:
            self.scene().annotations.drag_group(event.scenePos() - self._press)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        if self._press is not None:
            self._press = None
            self.scene().annotations.end_group_drag()

    def mouseDoubleClickEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.scene().edit_requested.emit(("group", self.group_id))
            event.accept()
            return
        super().mouseDoubleClickEvent(event)


class NoteItem(QGraphicsItem):
    Type = QGraphicsItem.UserType + 4

    def __init__(self, note: Note) -> None:
        super().__init__()
        self.note_id = note.id
        self.text = ""
        self.size = (0.0, 0.0)
        self._resizing: QPointF | None = None
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        self.setZValue(0.5)  # over edges, under cards
        self.setToolTip("Note: double-click to edit, drag the lower right corner to resize")
        self.refresh(note)

    def type(self) -> int:
        return self.Type

    def refresh(self, note: Note) -> None:
        self.text = note.text
        self.set_size(*note.size)
        self.update()

    def set_size(self, width: float, height: float) -> None:
        size = (max(NOTE_MIN_SIZE[0], width), max(NOTE_MIN_SIZE[1], height))
        if size != self.size:
            self.prepareGeometryChange()
            self.size = size

    def card_rect(self) -> QRectF:
        return QRectF(0, 0, *self.size)

    def text_rect(self) -> QRectF:
        return self.card_rect().adjusted(_NOTE_PAD, _NOTE_PAD - 2, -_NOTE_PAD, -_NOTE_PAD)

    def boundingRect(self) -> QRectF:
        return self.card_rect().adjusted(-3, -3, 3, 4)

    def _grip(self) -> QRectF:
        w, h = self.size
        return QRectF(w - _GRIP, h - _GRIP, _GRIP, _GRIP)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.size
        outline = QPolygonF([QPointF(0, 0), QPointF(w - _FOLD, 0), QPointF(w, _FOLD), QPointF(w, h), QPointF(0, h)])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(style.NODE_SHADOW)
        painter.drawPolygon(outline.translated(0, 2))
        painter.setPen(QPen(style.SELECTION if self.isSelected() else style.NOTE_BORDER,
                            2.0 if self.isSelected() else 1.0))
        painter.setBrush(style.NOTE_FILL)
        painter.drawPolygon(outline)
        painter.setBrush(style.NOTE_BORDER)
        painter.drawPolygon(QPolygonF([QPointF(w - _FOLD, 0), QPointF(w - _FOLD, _FOLD), QPointF(w, _FOLD)]))
        painter.setFont(style.note_font())
        painter.setPen(style.NOTE_TEXT)
        flags = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        painter.drawText(self.text_rect(), flags, self.text or "Double-click to write a note")
        if self.isSelected():
            painter.setPen(QPen(style.SELECTION, 1.2))
            grip = self._grip()
            for step in (4.0, 8.0):
                painter.drawLine(QPointF(grip.right() - step, grip.bottom() - 1),
                                 QPointF(grip.right() - 1, grip.bottom() - step))

    # -- moving with the selection, resizing by the corner -------------------------------

    def mousePressEvent(self, event) -> None:
        if (event.button() == Qt.MouseButton.LeftButton and self.isSelected()
                and self._grip().adjusted(-3, -3, 3, 3).contains(event.pos())):
            self._resizing = event.pos()
            event.accept()
            return
        super().mousePressEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self.scene().begin_move()

    def mouseMoveEvent(self, event) -> None:
        if self._resizing is not None:
            self.set_size(self.scene().snap(event.pos().x()), self.scene().snap(event.pos().y()))
            return
        super().mouseMoveEvent(event)
        self.scene().drag_moved()

    def mouseReleaseEvent(self, event) -> None:
        if self._resizing is not None:
            self._resizing = None
            self.scene().annotations.resize_note(self.note_id, self.size)
            return
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            self.scene().end_move()

    def mouseDoubleClickEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.scene().edit_requested.emit(("note", self.note_id))
            event.accept()
            return
        super().mouseDoubleClickEvent(event)
