"""A node on the canvas: a rounded card with the service icon, its name and service.

The item shows the model; it never changes it. Dragging moves the item only (snapped to
the grid); the scene turns the whole drag into one MoveNodesCommand on release. Dragging
from the connection handle on the right edge asks the scene to draw a rubber line and
connect on release.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from model.architecture import Node
from model.catalogue import SERVICES

from .. import icons, style

W, H = style.NODE_WIDTH, style.NODE_HEIGHT
_MARGIN = 12.0
_TEXT_LEFT = style.NODE_PADDING * 2 + style.NODE_ICON_SIZE
_TEXT_WIDTH = W - _TEXT_LEFT - 8  # room outside the card for the shadow, handle and badge


# Pens made once (a QPen per paint is slow from Python).
_BORDER_PENS = {
    "ok": QPen(style.RUBBER_BAND_OK, 2.0),
    "refused": QPen(style.RUBBER_BAND_REFUSED, 2.0),
    "selected": QPen(style.SELECTION, 2.0),
    "hovered": QPen(style.HOVER_BORDER, 1.2),
    None: QPen(style.NODE_BORDER, 1.0),
}
_HANDLE_PEN = QPen(style.SELECTION, 1.5)
_HANDLE_BRUSH = QBrush(style.NODE_FILL)
_BADGE_RING_PEN = QPen(style.NODE_FILL, 1.5)
_BADGE_MARK_PEN = QPen(style.NODE_FILL, 2.0, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)


_BOUNDS = QRectF(-_MARGIN, -_MARGIN, W + 2 * _MARGIN, H + 2 * _MARGIN)  # room for shadow, handle, badge


def snap(value: float) -> float:
    return round(value / style.GRID_SIZE) * style.GRID_SIZE


def wrap_lines(text: str, metrics: QFontMetricsF, width: float, most: int) -> list[str]:
    """`text` broken at spaces into at most `most` lines of `width`; a word longer than a
    line is broken where it must, and what does not fit ends the last line with '…'."""
    lines: list[str] = []
    rest = text.split()
    while rest and len(lines) < most:
        if len(lines) == most - 1:
            lines.append(metrics.elidedText(" ".join(rest), Qt.TextElideMode.ElideRight, width))
            break
        line = rest.pop(0)
        while metrics.horizontalAdvance(line) > width:  # one long word: break it
            cut = len(line) - 1
            while cut > 1 and metrics.horizontalAdvance(line[:cut]) > width:
                cut -= 1
            rest.insert(0, line[cut:])
            line = line[:cut]
        while rest and metrics.horizontalAdvance(f"{line} {rest[0]}") <= width:
            line = f"{line} {rest.pop(0)}"
        lines.append(line)
    return lines or [""]


class NodeItem(QGraphicsItem):
    Type = QGraphicsItem.UserType + 1

    _fonts: tuple | None = None  # (title, compact title, subtitle) fonts and metrics

    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node_id = node.id
        self.service = node.service
        self.title = ""  # the whole label, shown on one or two lines (title_lines)
        self.title_lines: list[str] = []
        self.title_font = None
        self.subtitle = ""
        self.tooltip_base = ""
        self.problem_severity: str | None = None  # "error", "warning" or None
        self.problem_text = ""
        self._hovered = False
        self._drop_state: str | None = None  # "ok"/"refused" while a connection hovers over it
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
                      | QGraphicsItem.GraphicsItemFlag.ItemIsMovable)
        # No ItemSendsGeometryChanges: a Python itemChange call per move of every node
        # is what makes big undos slow. A drag snaps and re-routes in mouseMoveEvent.
        self.setAcceptHoverEvents(True)
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(1)
        self.refresh(node)

    def type(self) -> int:
        return self.Type

    # -- content -----------------------------------------------------------------------

    def refresh(self, node: Node) -> None:
        """Re-read what the card shows (label, service) from the model node."""
        self.service = node.service
        spec = SERVICES.get(node.service)
        service_name = spec.name if spec else f"unknown service '{node.service}'"
        (title_font, title_metrics), (compact_font, compact_metrics), (_, sub_metrics) = self._text_styles()
        width = _TEXT_WIDTH
        name = node.display_name
        self.title = name
        if title_metrics.horizontalAdvance(name) <= width:
            self.title_font, self.title_lines = title_font, [name]
        else:  # a long name wraps onto a second line rather than being cut short
            self.title_font, self.title_lines = compact_font, wrap_lines(name, compact_metrics, width, 2)
        self.subtitle = sub_metrics.elidedText(service_name, Qt.TextElideMode.ElideRight, width)
        self.tooltip_base = f"{node.display_name} ({service_name}, id {node.id})"
        if spec:
            self.tooltip_base += f"\n{spec.summary}"
        self._update_tooltip()
        self.update()

    @classmethod
    def _text_styles(cls) -> tuple:
        if cls._fonts is None:
            fonts = (style.title_font(), style.compact_title_font(), style.subtitle_font())
            cls._fonts = tuple((f, QFontMetricsF(f)) for f in fonts)
        return cls._fonts

    def set_problem(self, severity: str | None, text: str = "") -> None:
        if (severity, text) != (self.problem_severity, self.problem_text):
            self.problem_severity, self.problem_text = severity, text
            self._update_tooltip()
            self.update()

    def _update_tooltip(self) -> None:
        tip = self.tooltip_base
        if self.problem_text:
            tip += "\n\n" + self.problem_text
        self.setToolTip(tip)

    def set_drop_state(self, state: str | None) -> None:
        if state != self._drop_state:
            self._drop_state = state
            self.update()

    # -- geometry ----------------------------------------------------------------------

    def boundingRect(self) -> QRectF:
        return _BOUNDS  # Qt copies it; one shared rect spares a new object per call

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, W, H), style.NODE_RADIUS, style.NODE_RADIUS)
        path.addEllipse(self.handle_centre(), style.HANDLE_RADIUS + 3, style.HANDLE_RADIUS + 3)
        return path

    def card_rect(self) -> QRectF:
        return QRectF(0, 0, W, H)

    def title_rect(self) -> QRectF:
        """Where the label is typed when it is edited in place."""
        return QRectF(_TEXT_LEFT - 5, (H - 26) / 2, W - _TEXT_LEFT, 26)

    def handle_centre(self) -> QPointF:
        return QPointF(W, H / 2)

    def on_handle(self, local: QPointF) -> bool:
        if not (self._hovered or self.isSelected()):
            return False
        delta = local - self.handle_centre()
        return delta.x() ** 2 + delta.y() ** 2 <= (style.HANDLE_RADIUS + 4) ** 2

    def output_anchor(self, offset: float = 0.0) -> QPointF:
        return self.pos() + QPointF(W, H / 2 + offset)

    def input_anchor(self, offset: float = 0.0) -> QPointF:
        return self.pos() + QPointF(0, H / 2 + offset)

    # -- painting ----------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = self.card_rect()
        radius = style.NODE_RADIUS
        # Soft shadow: two offset translucent cards are cheap and read as depth.
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(style.NODE_SHADOW)
        painter.drawRoundedRect(card.translated(0, 2), radius, radius)
        painter.drawRoundedRect(card.adjusted(-1, 0, 1, 3), radius + 1, radius + 1)

        selected = self.isSelected()
        border = self._border_pen(selected)
        painter.setPen(border)
        painter.setBrush(style.NODE_FILL)
        painter.drawRoundedRect(card, radius, radius)

        self._paint_icon(painter, widget)
        self._paint_text(painter)
        if self._hovered or selected:
            self._paint_handle(painter)
        if self.problem_severity:
            self._paint_badge(painter)

    def _border_pen(self, selected: bool) -> QPen:
        if self._drop_state is not None:
            return _BORDER_PENS[self._drop_state]
        if selected:
            return _BORDER_PENS["selected"]
        return _BORDER_PENS["hovered" if self._hovered else None]

    def overview_outline(self):
        """The outline colour far zoomed out (drop target, selection, problem) or None."""
        if self._drop_state is not None:
            return style.RUBBER_BAND_OK if self._drop_state == "ok" else style.RUBBER_BAND_REFUSED
        if self.isSelected():
            return style.SELECTION
        if self.problem_severity:
            return style.ERROR if self.problem_severity == "error" else style.WARNING
        return None

    def _paint_icon(self, painter: QPainter, widget) -> None:
        size = style.NODE_ICON_SIZE
        dpr = widget.devicePixelRatioF() if widget is not None else 1.0
        # The view's zoom matters too: render the icon for the pixels it will cover.
        scale = painter.worldTransform().m11()
        pixmap = icons.service_pixmap(self.service, size, round(dpr * max(1.0, scale) * 4) / 4)
        top = (H - size) / 2
        painter.drawPixmap(QRectF(style.NODE_PADDING, top, size, size), pixmap, QRectF(pixmap.rect()))

    def _paint_text(self, painter: QPainter) -> None:
        left, width = _TEXT_LEFT, _TEXT_WIDTH
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.setFont(self.title_font)
        painter.setPen(style.NODE_TITLE)
        if len(self.title_lines) == 1:
            painter.drawText(QRectF(left, 9, width, 20), align, self.title_lines[0])
            subtitle_top = 29.0
        else:  # two lines of the smaller title font, the service name under them
            line = self._text_styles()[1][1].height()
            top = (H - 2 * line - 15) / 2
            for i, text in enumerate(self.title_lines):
                painter.drawText(QRectF(left, top + i * line, width, line), align, text)
            subtitle_top = top + 2 * line - 1
        painter.setFont(self._text_styles()[2][0])
        painter.setPen(style.NODE_SUBTITLE)
        painter.drawText(QRectF(left, subtitle_top, width, 18), align, self.subtitle)

    def _paint_handle(self, painter: QPainter) -> None:
        painter.setPen(_HANDLE_PEN)
        painter.setBrush(_HANDLE_BRUSH)
        painter.drawEllipse(self.handle_centre(), style.HANDLE_RADIUS, style.HANDLE_RADIUS)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(style.SELECTION)
        painter.drawEllipse(self.handle_centre(), 2.5, 2.5)

    def _paint_badge(self, painter: QPainter) -> None:
        colour = style.ERROR if self.problem_severity == "error" else style.WARNING
        centre = QPointF(W - 2, 2)
        painter.setPen(_BADGE_RING_PEN)
        painter.setBrush(colour)
        painter.drawEllipse(centre, style.BADGE_RADIUS, style.BADGE_RADIUS)
        painter.setPen(_BADGE_MARK_PEN)
        painter.drawLine(centre + QPointF(0, -3.5), centre + QPointF(0, 1))
        painter.drawPoint(centre + QPointF(0, 4))

    # -- interaction -------------------------------------------------------------------

    def hoverEnterEvent(self, event) -> None:
        self._hovered = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self._hovered = False
        self.update()
        super().hoverLeaveEvent(event)

    def hoverMoveEvent(self, event) -> None:
        on_handle = self.on_handle(event.pos())
        self.setCursor(Qt.CursorShape.CrossCursor if on_handle else Qt.CursorShape.ArrowCursor)
        super().hoverMoveEvent(event)

    def mousePressEvent(self, event) -> None:
        scene = self.scene()
        if event.button() == Qt.MouseButton.LeftButton and self.on_handle(event.pos()):
            scene.begin_connection(self, event.scenePos())
            event.accept()
            return
        super().mousePressEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            scene.begin_move()

    def mouseDoubleClickEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and not self.on_handle(event.pos()):
            self.scene().edit_requested.emit(("node", self.node_id))
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def mouseMoveEvent(self, event) -> None:
        scene = self.scene()
        if scene.connecting():
            scene.update_connection(event.scenePos())
            return
        super().mouseMoveEvent(event)  # moves every selected movable item
        scene.drag_moved()

    def mouseReleaseEvent(self, event) -> None:
        scene = self.scene()
        if scene.connecting():
            scene.finish_connection(event.scenePos())
            return
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton:
            scene.end_move()
