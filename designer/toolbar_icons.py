"""The toolbar's icons: simple line drawings on a 24-unit grid, drawn at 1x and 2x so they
stay crisp, in the theme's icon colour (dimmer when disabled); and Run's green triangle.
`TOOLBAR_ICONS` names the drawing of each toolbar action.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

from .theme import current


def line_icon(draw) -> QIcon:
    """An icon from a drawing on a 24-unit grid, for the toolbar's sizes and both states,
    in the current theme's colours."""
    theme = current()
    icon = QIcon()
    for size, dpr in ((18, 1.0), (18, 2.0), (24, 1.0), (24, 2.0)):
        pixmap = QPixmap(int(size * dpr), int(size * dpr))
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(Qt.transparent)
        for mode, colour in ((QIcon.Normal, theme.icon), (QIcon.Disabled, theme.icon_disabled)):
            image = QPixmap(pixmap)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.Antialiasing)
            painter.scale(size / 24.0, size / 24.0)
            painter.setPen(QPen(QColor(colour), 1.8, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
            painter.setBrush(Qt.NoBrush)
            draw(painter)
            painter.end()
            icon.addPixmap(image, mode)
    return icon


def _draw_new(p: QPainter) -> None:
    p.drawPolyline([QPointF(14, 3), QPointF(6, 3), QPointF(6, 21), QPointF(18, 21), QPointF(18, 7), QPointF(14, 3), QPointF(14, 7), QPointF(18, 7)])
    p.drawLine(QPointF(12, 11), QPointF(12, 17))
    p.drawLine(QPointF(9, 14), QPointF(15, 14))


def _draw_open(p: QPainter) -> None:
    p.drawPolyline([QPointF(3, 19), QPointF(3, 5), QPointF(9, 5), QPointF(11, 7), QPointF(19, 7), QPointF(19, 10)])
    p.drawPolygon([QPointF(3, 19), QPointF(6, 10), QPointF(21, 10), QPointF(18, 19)])


def _draw_save(p: QPainter) -> None:
    p.drawPolygon([QPointF(4, 4), QPointF(17, 4), QPointF(20, 7), QPointF(20, 20), QPointF(4, 20)])
    p.drawRect(QRectF(8, 4, 7, 5))
    p.drawRect(QRectF(7, 13, 10, 7))


def _draw_arrow(mirror: bool):
    def draw(p: QPainter) -> None:
        if mirror:
            p.translate(24, 0)
            p.scale(-1, 1)
        path = QPainterPath(QPointF(5, 10))
        path.lineTo(15, 10)
        path.cubicTo(QPointF(22, 10), QPointF(22, 20), QPointF(15, 20))
        path.lineTo(10, 20)
        p.drawPath(path)
        p.drawPolyline([QPointF(9, 6), QPointF(5, 10), QPointF(9, 14)])
    return draw


def _draw_delete(p: QPainter) -> None:
    p.drawLine(QPointF(4, 6), QPointF(20, 6))
    p.drawPolyline([QPointF(9, 6), QPointF(9, 3), QPointF(15, 3), QPointF(15, 6)])
    p.drawPolyline([QPointF(6, 6), QPointF(7, 21), QPointF(17, 21), QPointF(18, 6)])
    p.drawLine(QPointF(10, 10), QPointF(10, 17))
    p.drawLine(QPointF(14, 10), QPointF(14, 17))


def _draw_duplicate(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(8, 8, 13, 13), 2, 2)
    p.drawPolyline([QPointF(16, 5), QPointF(16, 3), QPointF(3, 3), QPointF(3, 16), QPointF(5, 16)])


def _draw_zoom(plus: bool):
    def draw(p: QPainter) -> None:
        p.drawEllipse(QRectF(3, 3, 14, 14))
        p.drawLine(QPointF(15, 15), QPointF(21, 21))
        p.drawLine(QPointF(7, 10), QPointF(13, 10))
        if plus:
            p.drawLine(QPointF(10, 7), QPointF(10, 13))
    return draw


def _draw_fit(p: QPainter) -> None:
    for (x, y), (dx, dy) in (((3, 3), (1, 1)), ((21, 3), (-1, 1)), ((3, 21), (1, -1)), ((21, 21), (-1, -1))):
        p.drawPolyline([QPointF(x, y + 6 * dy), QPointF(x, y), QPointF(x + 6 * dx, y)])
    p.drawRect(QRectF(8, 8, 8, 8))


def _draw_layout(p: QPainter) -> None:
    p.drawRoundedRect(QRectF(2, 9, 6, 6), 1.5, 1.5)
    p.drawRoundedRect(QRectF(16, 3, 6, 6), 1.5, 1.5)
    p.drawRoundedRect(QRectF(16, 15, 6, 6), 1.5, 1.5)
    p.drawPolyline([QPointF(8, 12), QPointF(12, 12), QPointF(12, 6), QPointF(16, 6)])
    p.drawPolyline([QPointF(12, 12), QPointF(12, 18), QPointF(16, 18)])


TOOLBAR_ICONS = {
    "new": _draw_new, "open": _draw_open, "save": _draw_save, "undo": _draw_arrow(False),
    "redo": _draw_arrow(True), "delete": _draw_delete, "duplicate": _draw_duplicate,
    "zoom_in": _draw_zoom(True), "zoom_out": _draw_zoom(False), "fit": _draw_fit, "layout": _draw_layout,
}


def run_icon() -> QIcon:
    """The green triangle of Run: filled, in colour, unlike the line icons."""
    icon = QIcon()
    for dpr in (1.0, 2.0):
        pixmap = QPixmap(int(18 * dpr), int(18 * dpr))
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(Qt.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setPen(Qt.NoPen)
        painter.setBrush(QColor("#12B76A"))
        painter.drawPolygon(QPolygonF([QPointF(5, 3), QPointF(15, 9), QPointF(5, 15)]))
        painter.end()
        icon.addPixmap(pixmap)
    return icon
