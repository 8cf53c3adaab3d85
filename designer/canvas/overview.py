"""The drawing far zoomed out, painted by one item.

Below style.OVERVIEW_ZOOM a card's text is unreadable and a fit-to-view of a big design
puts a thousand edges on screen. Painting each item from Python then costs more than a
frame: every item is a call into Python. Instead the scene gives its cards and edges
ItemHasNoContents (they still select, hover and hit-test as usual; Qt skips their paint)
and this item draws all of them in a few batched calls: cards as rounded blocks of their
category colour, edges as plain polylines without arrows or labels. The batches are built
once per change of the drawing, not per frame.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from model.catalogue import SERVICES

from .. import style
from .node_item import H, W

_ANTIALIASING = QPainter.RenderHint.Antialiasing
_NO_PEN = QPen(Qt.PenStyle.NoPen)
_NO_BRUSH = QBrush(Qt.BrushStyle.NoBrush)
_UNKNOWN_SERVICE = QColor("#8A93A0")
_EDGE_Z, _CARD_Z = 0.0, 1.0


def _cosmetic_pen(colour: QColor, width: float) -> QPen:
    pen = QPen(colour, width)
    pen.setCosmetic(True)  # the same width on screen at any zoom
    return pen


class OverviewItem(QGraphicsItem):
    """Cards and edges of a DiagramScene in one paint (shown only in overview mode)."""

    def __init__(self, nodes: dict, edges: dict) -> None:
        super().__init__()
        self._nodes = nodes  # the scene's own dicts: node id -> NodeItem, id(edge) -> EdgeItem
        self._edges = edges
        self._layers: list[tuple[QPen, QBrush, QPainterPath]] | None = None
        self._bounds: QRectF | None = None
        self._fills: dict[str, QBrush] = {}
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue((_EDGE_Z + _CARD_Z) / 2)  # over the edges' result overlays, under the cards'
        self.setVisible(False)

    def changed(self) -> None:
        """Something drawn moved or changed colour: rebuild before the next paint."""
        self.prepareGeometryChange()
        self._layers = None
        self._bounds = None

    # -- geometry ----------------------------------------------------------------------

    def boundingRect(self) -> QRectF:
        if self._bounds is None:
            bounds = QRectF()
            if self._nodes:
                xs = [item.x() for item in self._nodes.values()]
                ys = [item.y() for item in self._nodes.values()]
                bounds = QRectF(min(xs), min(ys), max(xs) - min(xs) + W, max(ys) - min(ys) + H)
            for item in self._edges.values():
                bounds = bounds.united(item.boundingRect())
            self._bounds = bounds
        return self._bounds

    def shape(self) -> QPainterPath:
        return QPainterPath()  # never under the mouse: clicks and rubber bands go to the items

    # -- painting ----------------------------------------------------------------------

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self._layers is None:
            self._layers = self._edge_layers() + self._card_layers()
        smooth = painter.testRenderHint(_ANTIALIASING)
        painter.setRenderHint(_ANTIALIASING, False)  # 1 px lines and tiny blocks: crisp and fast
        for pen, brush, path in self._layers:
            painter.setPen(pen)
            painter.setBrush(brush)
            painter.drawPath(path)
        painter.setRenderHint(_ANTIALIASING, smooth)  # the view does not save painter state

    def _edge_layers(self) -> list:
        # colour() hands out the style module's QColor objects: group by identity.
        paths: dict[int, tuple[QColor, QPainterPath]] = {}
        for item in self._edges.values():
            points = item.overview_points()
            if len(points) < 2:
                continue
            colour = item.colour()
            entry = paths.get(id(colour))
            if entry is None:
                entry = paths[id(colour)] = (colour, QPainterPath())
            path = entry[1]
            path.moveTo(*points[0])
            for x, y in points[1:]:
                path.lineTo(x, y)
        # Selected edges last and heavier, so they stand out.
        selection = style.SELECTION
        return [(_cosmetic_pen(colour, 2.0 if colour is selection else 1.0), _NO_BRUSH, path)
                for colour, path in sorted(paths.values(), key=lambda entry: entry[0] is selection)]

    def _card_layers(self) -> list:
        fills: dict[str, QPainterPath] = {}
        outlines: dict[int, tuple[QColor, QPainterPath]] = {}
        radius = style.NODE_RADIUS
        for item in self._nodes.values():
            x, y = item.x(), item.y()
            path = fills.get(item.service)
            if path is None:
                path = fills[item.service] = QPainterPath()
            path.addRoundedRect(x, y, W, H, radius, radius)
            outline = item.overview_outline()
            if outline is not None:
                entry = outlines.setdefault(outline.rgba(), (outline, QPainterPath()))
                entry[1].addRoundedRect(x - 2, y - 2, W + 4, H + 4, radius + 2, radius + 2)
        layers = [(_NO_PEN, self._fill(service), path) for service, path in fills.items()]
        layers += [(_cosmetic_pen(colour, 2.0), _NO_BRUSH, path) for colour, path in outlines.values()]
        return layers

    def _fill(self, service: str) -> QBrush:
        brush = self._fills.get(service)
        if brush is None:
            spec = SERVICES.get(service)
            brush = QBrush(style.category_colour(spec.category) if spec else _UNKNOWN_SERVICE)
            self._fills[service] = brush
        return brush
