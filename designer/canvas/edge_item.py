"""An edge on the canvas: a curved arrow between the facing sides of its two cards (the
router picks them), with a small label naming its kind ("event source", "write", ...).

Asynchronous edges (queues, notifications, subscriptions) are dashed, synchronous calls
solid, so the picture shows where a caller waits. Geometry is computed when an end moves
(`update_path`), never while painting; `update_path` keeps only the curve's control points
and bounds (plain floats), and the Qt path, arrow head and hit shape are made the first
time something asks for them, so a move of hundreds of nodes pays for no Qt objects.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (QFontMetricsF, QPaintEngine, QPainter, QPainterPath, QPainterPathStroker, QPen, QPixmap,
                           QPolygonF, QTransform)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from model.architecture import Architecture, Edge
from model.catalogue import edge_rule

from .. import style
from ..names import node_name
from .node_item import H, W

_LABEL_PAD_X, _LABEL_PAD_Y = 5.0, 2.0
_LABEL_MIN_ZOOM = 0.55
_ARROW_DX, _ARROW_DY = style.ARROW_SIZE * math.cos(0.42), style.ARROW_SIZE * math.sin(0.42)
_LABEL_MAX_COVER = 0.6  # share of a label's area that may lie over cards
_LABEL_SPOTS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8)  # where along the curve a label may sit
# Far zoomed out a curve is drawn as 4 straight pieces: the Bezier weights of its points.
_OVERVIEW_WEIGHTS = tuple(((1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3)
                          for t in (0.25, 0.5, 0.75))


def edge_routes(edge: Edge) -> list[str]:
    """The API routes an edge carries ("GET /items"): its `routes` list, or the older
    single `method` and `path`; [] when it names none."""
    routes = edge.config.get("routes")
    if isinstance(routes, list):
        return [str(route) for route in routes]
    method, path = edge.config.get("method"), edge.config.get("path")
    return [f"{method or 'ANY'} {path or '/'}"] if (method or path) else []


def edge_label(arch: Architecture, edge: Edge) -> str:
    """What the canvas writes on an edge: an API edge's route ("GET /items", "+1" for each
    more), the action for reads/writes, else its kind."""
    src, dst = arch.nodes.get(edge.source), arch.nodes.get(edge.target)
    rule = edge_rule(src.service, dst.service, edge.kind) if src and dst else None
    if rule is None:
        return (edge.kind or "not allowed").replace("_", " ")
    carries_routes = rule.field("routes") is not None or rule.field("path") is not None  # an API's edge
    routes = edge_routes(edge) if carries_routes else []
    if routes:
        return routes[0] + (f"  +{len(routes) - 1}" if len(routes) > 1 else "")
    action_field = rule.field("action")
    if action_field is not None:
        return str(edge.config.get("action", action_field.default)).replace("_", "/")
    label = rule.kind.replace("_", " ")
    mode_field = rule.field("mode")
    if mode_field is not None and edge.config.get("mode", mode_field.default) == "async":
        label += " (async)"
    return label


def edge_is_async(arch: Architecture, edge: Edge) -> bool:
    src, dst = arch.nodes.get(edge.source), arch.nodes.get(edge.target)
    rule = edge_rule(src.service, dst.service, edge.kind) if src and dst else None
    return rule is not None and not rule.is_synchronous(edge.config)


_ANTIALIASING = QPainter.RenderHint.Antialiasing
_NO_PEN = Qt.PenStyle.NoPen
_SMOOTH_EDGES_ZOOM = 0.5
_BACK_BEND = H * 1.5  # how far a backwards edge's curve dips to pass under the cards
_PENS: dict[tuple[int, bool, bool, bool], QPen] = {}


def _edge_pen(colour, dashed: bool, selected: bool, zoomed_in: bool) -> QPen:
    key = (colour.rgba(), dashed, selected, zoomed_in)
    pen = _PENS.get(key)
    if pen is None:
        # 1 px lines keep the fast stroker at normal zoom; zoomed in, few edges are on
        # screen and a heavier line matches the magnified cards.
        width = style.EDGE_WIDTH * (1.6 if zoomed_in else 1.0) + (0.8 if selected else 0.0)
        pen = QPen(colour, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap, Qt.PenJoinStyle.RoundJoin)
        pen.setCosmetic(True)
        if dashed:
            pen.setDashPattern([d / width for d in style.EDGE_ASYNC_DASH])
        _PENS[key] = pen
    return pen


# Pre-drawn arrowheads for arrows arriving level from the left at 100 % zoom, keyed by
# colour and the tip's sub-pixel offset in eighths of a pixel (a sixteenth of a pixel off at
# most: invisible). Drawn exactly as the polygon would be, with antialiasing.
_ARROW_STEPS = 8
_ARROW_PAD = 2  # pixels of margin for the antialiased rim
_ARROW_PIXMAPS: dict[tuple[int, int, int], QPixmap] = {}
_RASTER_ENGINE = QPaintEngine.Type.Raster
_PIXEL_ALIGNED = (QTransform.TransformationType.TxNone, QTransform.TransformationType.TxTranslate)
_ARROW_BOX_W = math.ceil(_ARROW_DX) + 1 + 2 * _ARROW_PAD  # the tip sits at _ARROW_BOX_W - _ARROW_PAD - 1 (+ offset)
_ARROW_HALF_H = math.ceil(_ARROW_DY) + _ARROW_PAD


def _arrow_pixmap(colour, tip_x: float, tip_y: float) -> tuple[int, int, QPixmap]:
    """(left, top, pixmap) in device pixels for an arrow whose tip is at (tip_x, tip_y)."""
    ix, iy = math.floor(tip_x), math.floor(tip_y)
    qx, qy = round((tip_x - ix) * _ARROW_STEPS), round((tip_y - iy) * _ARROW_STEPS)
    key = (colour.rgba(), qx, qy)
    pixmap = _ARROW_PIXMAPS.get(key)
    left, top = ix - (_ARROW_BOX_W - _ARROW_PAD - 1), iy - _ARROW_HALF_H
    if pixmap is None:
        pixmap = QPixmap(_ARROW_BOX_W + 1, 2 * _ARROW_HALF_H + 2)
        pixmap.fill(Qt.GlobalColor.transparent)
        x, y = _ARROW_BOX_W - _ARROW_PAD - 1 + qx / _ARROW_STEPS, _ARROW_HALF_H + qy / _ARROW_STEPS
        painter = QPainter(pixmap)
        painter.setRenderHint(_ANTIALIASING)
        painter.setPen(_NO_PEN)
        painter.setBrush(colour)
        painter.drawPolygon(QPolygonF([QPointF(x, y), QPointF(x - _ARROW_DX, y - _ARROW_DY),
                                       QPointF(x - _ARROW_DX, y + _ARROW_DY)]))
        painter.end()
        _ARROW_PIXMAPS[key] = pixmap
    return left, top, pixmap


_NO_RECT = QRectF()  # shared, never changed
_NOWHERE = (math.inf, math.inf, -math.inf, -math.inf)  # the reach of an edge with no bounds: meets no rectangle
_LABEL_FONT = None
_LABEL_BORDER_PENS: dict[int, QPen] = {}


def _label_font():
    global _LABEL_FONT
    if _LABEL_FONT is None:  # made once: a QFont per paint is slow
        _LABEL_FONT = style.edge_label_font()
    return _LABEL_FONT


def _label_border_pen(colour) -> QPen:
    key = colour.rgba()
    pen = _LABEL_BORDER_PENS.get(key)
    if pen is None:
        pen = _LABEL_BORDER_PENS[key] = QPen(colour, 0.8)
    return pen


class EdgeLabelItem(QGraphicsItem):
    """The kind label of an edge, stacked above the nodes so a short edge's label stays
    readable; clicks pass through to the edge below."""

    def __init__(self, edge_item: "EdgeItem") -> None:
        super().__init__()
        self.edge_item = edge_item
        self._rect = QRectF()
        self._bounds = QRectF()  # Qt asks for it often: made once per move, not per call
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setZValue(2)
        # A rounded box and a line of text are slow to draw and rarely change: a full
        # repaint of the view blits a hundred labels instead of typesetting them.
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_rect(self, rect: QRectF) -> None:
        if rect != self._rect:
            self.prepareGeometryChange()
            self._rect = rect
            # An empty label has empty bounds (not a speck at the origin that would
            # stretch the scene's itemsBoundingRect).
            self._bounds = rect.adjusted(-1, -1, 1, 1) if not rect.isEmpty() else QRectF()

    def boundingRect(self) -> QRectF:
        return self._bounds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        edge = self.edge_item
        if not edge.label or self._rect.isEmpty() or painter.worldTransform().m11() < _LABEL_MIN_ZOOM:
            return
        colour = edge.colour()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(_label_border_pen(colour if edge.isSelected() else style.NODE_BORDER))
        painter.setBrush(style.EDGE_LABEL_FILL)
        rect = self._rect
        painter.drawRoundedRect(rect, rect.height() / 2, rect.height() / 2)
        painter.setFont(_label_font())
        painter.setPen(colour if colour != style.EDGE_COLOUR else style.EDGE_LABEL_TEXT)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, edge.label)


class EdgeItem(QGraphicsItem):
    Type = QGraphicsItem.UserType + 2
    _label_metrics: QFontMetricsF | None = None

    def __init__(self, edge: Edge) -> None:
        super().__init__()
        self.edge = edge
        self.label = ""
        self.dashed = False
        self.allowed = True
        self.problem_severity: str | None = None
        self._qpath: QPainterPath | None = QPainterPath()  # None: make it from _curve
        self._polylines: list[QPolygonF] | None = []
        self._label_size = (0.0, 0.0)
        self._label_blocked = False
        self._curve: tuple | None = None  # (sx, sy, c1x, c1y, c2x, c2y, ex, ey); None for a self loop
        self.label_stale = False
        self._label_pending = False  # routed while labels were hidden: its rect is old
        self.port_out = self.port_in = 0.0  # where it leaves / enters its cards (the router spreads them)
        self.side_out, self.side_in = 0, 1  # which side of each card (routing.RIGHT, LEFT, BOTTOM, TOP)
        self._arrow: QPolygonF | None = QPolygonF()  # None: make it from _arrow_from
        self._arrow_from: tuple = ((0.0, 0.0), 0.0, 0.0)
        self._label_rect = QRectF()
        self._bounds = QRectF()
        self._reach: tuple[float, float, float, float] | None = None  # None: make it from the rects
        self._shape: QPainterPath | None = QPainterPath()
        self.setFlags(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0)
        self.label_item = EdgeLabelItem(self)  # the scene adds and removes it with the edge

    def type(self) -> int:
        return self.Type

    def path(self) -> QPainterPath:
        """The drawn curve in scene coordinates (the results overlay follows it)."""
        if self._qpath is None:
            sx, sy, c1x, c1y, c2x, c2y, ex, ey = self._curve
            path = QPainterPath(QPointF(sx, sy))
            path.cubicTo(c1x, c1y, c2x, c2y, ex, ey)
            self._qpath = path
        return self._qpath

    @property
    def _path(self) -> QPainterPath:  # the name other modules read before path() existed
        return self.path()

    def overview_points(self) -> list[tuple[float, float]]:
        """The curve as a few straight pieces, for drawing far zoomed out."""
        curve = self._curve
        if curve is None:
            polygon = self.path().toFillPolygon()
            return [(p.x(), p.y()) for p in polygon][:-1] if polygon.size() > 1 else []
        sx, sy, c1x, c1y, c2x, c2y, ex, ey = curve
        points = [(sx, sy)]
        for a, b, c, d in _OVERVIEW_WEIGHTS:
            points.append((a * sx + b * c1x + c * c2x + d * ex, a * sy + b * c1y + c * c2y + d * ey))
        points.append((ex, ey))
        return points

    @classmethod
    def _metrics(cls) -> QFontMetricsF:
        if cls._label_metrics is None:
            cls._label_metrics = QFontMetricsF(style.edge_label_font())
        return cls._label_metrics

    def refresh(self, arch: Architecture) -> None:
        self.label = edge_label(arch, self.edge)
        metrics = self._metrics()
        self._label_size = (metrics.horizontalAdvance(self.label) + 2 * _LABEL_PAD_X,
                            metrics.height() + 2 * _LABEL_PAD_Y)
        self.dashed = edge_is_async(arch, self.edge)
        src, dst = arch.nodes.get(self.edge.source), arch.nodes.get(self.edge.target)
        self.allowed = bool(src and dst and edge_rule(src.service, dst.service, self.edge.kind))
        tip = f"{node_name(arch, self.edge.source)} → {node_name(arch, self.edge.target)}: {self.label}"
        routes = edge_routes(self.edge)
        if len(routes) > 1:
            tip += "\nRoutes: " + ", ".join(routes)
        self.setToolTip(tip)
        self.update()
        self.label_item.update()

    def set_problem(self, severity: str | None) -> None:
        if severity != self.problem_severity:
            self.problem_severity = severity
            self.update()
            self.label_item.update()

    # -- geometry ----------------------------------------------------------------------

    def update_path(self, sx: float, sy: float, ex: float, ey: float, lane: float = 0.0,
                    overlap=None, place_label: bool = True,
                    out_dir: tuple[float, float] = (1.0, 0.0), in_dir: tuple[float, float] = (-1.0, 0.0)) -> None:
        """Route from (sx, sy) on a side of the source to (ex, ey) on a side of the target;
        `out_dir` and `in_dir` point out of those sides (by default the source's right
        and the target's left).

        `lane` bends parallel edges between the same two nodes apart so their labels
        do not sit on top of each other. `overlap(x0, y0, x1, y1)` tells how much of a
        rectangle cards cover: the label slides along the curve to the first place
        where it hides no card (or the least). `place_label=False` (labels hidden, far
        zoomed out) leaves the label alone until `settle_label`. Plain floats: this runs
        for every edge of every moved node, so it avoids temporary Qt objects.
        """
        self.prepareGeometryChange()
        self._label_blocked = False
        if self.edge.source == self.edge.target:
            self._curve, self.label_stale = None, False
            path, middle = self._self_loop(QPointF(sx, sy), QPointF(ex, ey))
            self._qpath = path
            bounds = path.controlPointRect()
            left, top, right, bottom = bounds.left(), bounds.top(), bounds.right(), bounds.bottom()
            towards = (ex - 50.0, ey)
        else:
            (ox, oy), (ix, iy) = out_dir, in_dir
            horizontal = oy == 0.0
            # How far the curve runs straight out of its sides: half the distance between
            # the ends along the way it leaves.
            span = (ex - sx) * ox if horizontal else (ey - sy) * oy
            if span > 0:
                reach, bend = max(40.0, span * 0.5), 0.0
            else:
                # The sides do not face each other (overlapping cards): swing below (or
                # above) both cards instead of cutting back through them.
                reach = max(80.0, min(240.0, -span * 0.5 + 60))
                bend = _BACK_BEND if ey >= sy - 1 else -_BACK_BEND
            # Parallel edges' lanes bend across the way the edge runs.
            lane_x, lane_y = (0.0, lane + bend) if horizontal else (lane, bend)
            c1x, c1y = sx + ox * reach + lane_x, sy + oy * reach + lane_y
            c2x, c2y = ex + ix * reach + lane_x, ey + iy * reach + lane_y
            self._curve = (sx, sy, c1x, c1y, c2x, c2y, ex, ey)
            self._qpath = None
            middle = self._label_spot(self._curve, overlap) if place_label else None
            # Without `overlap` (off screen in a big change) the label waits at the
            # middle until the view scrolls to it: see place_label.
            self.label_stale = overlap is None and bool(self.label)
            towards = (c2x, c2y)
            # The control points' bounds, from floats (what controlPointRect would say).
            left, right = min(sx, ex, c1x, c2x), max(sx, ex, c1x, c2x)
            top, bottom = min(sy, ey, c1y, c2y), max(sy, ey, c1y, c2y)
        # Derived shapes are made on demand: a move of hundreds of nodes only pays for
        # the control points, and an edge never painted never flattens its curve.
        self._polylines = None
        self._shape = None
        self._arrow, self._arrow_from = None, (towards, ex, ey)
        if middle is None:
            self._label_pending = bool(self.label)
            self._label_rect = _NO_RECT
        else:
            self._label_pending = False
            self._label_rect = self._place_label(middle)
            self.label_item.set_rect(self._label_rect)
        self._bounds = QRectF(left - 10, top - 10, right - left + 20, bottom - top + 20)
        self._reach = None

    def place_label(self, overlap) -> None:
        """Slide the label off the cards (for a label routed without `overlap`)."""
        self.label_stale = False
        if self._curve is None or not self.label:
            return
        self._label_pending = False
        self._label_blocked = False
        self._label_rect = self._place_label(self._label_spot(self._curve, overlap))
        self.label_item.set_rect(self._label_rect)
        self._shape = None
        self._reach = None

    def settle_label(self) -> None:
        """A label left behind (hidden or off screen in a big change) goes to its
        curve's middle for now; it stays stale: place_label finds it a free spot once
        it is in view."""
        if self._label_pending:
            self._label_pending = False
            self._label_rect = self._place_label(self._label_spot(self._curve, None))
            self.label_item.set_rect(self._label_rect)
            self._shape = None
            self._reach = None

    def _label_spot(self, curve: tuple, overlap) -> tuple[float, float]:
        sx, sy, c1x, c1y, c2x, c2y, ex, ey = curve
        width, height = self._label_size
        best, best_cover = None, None
        for t in _LABEL_SPOTS if (overlap is not None and self.label) else (0.5,):
            u = 1.0 - t
            a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
            x = a * sx + b * c1x + c * c2x + d * ex
            y = a * sy + b * c1y + c * c2y + d * ey
            if overlap is None:
                return x, y
            cover = overlap(x - width / 2, y - height / 2, x + width / 2, y + height / 2)
            if best_cover is None or cover < best_cover - 1.0:
                best, best_cover = (x, y), cover
            if cover <= 0:
                break
        # A label that would mostly hide a card (an edge running behind one) is left
        # out; the tooltip and the inspector still name the kind.
        self._label_blocked = best_cover > _LABEL_MAX_COVER * width * height
        return best

    @staticmethod
    def _self_loop(start: QPointF, end: QPointF) -> tuple[QPainterPath, tuple[float, float]]:
        top = start.y() - H / 2 - 30
        middle = QPointF(start.x() - W / 2, top)
        path = QPainterPath(start)
        path.cubicTo(QPointF(start.x() + 50, start.y()), QPointF(start.x() + 50, top), middle)
        path.cubicTo(QPointF(end.x() - 50, top), QPointF(end.x() - 50, end.y()), end)
        return path, (middle.x(), middle.y())

    @staticmethod
    def _arrow_head(towards: tuple[float, float], x: float, y: float) -> QPolygonF:
        if towards[1] == y and towards[0] < x:  # the usual case: arriving from the left
            return QPolygonF([QPointF(x, y), QPointF(x - _ARROW_DX, y - _ARROW_DY), QPointF(x - _ARROW_DX, y + _ARROW_DY)])
        angle = math.atan2(y - towards[1], x - towards[0])
        size = style.ARROW_SIZE
        return QPolygonF([QPointF(x, y),
                          QPointF(x - size * math.cos(angle - 0.42), y - size * math.sin(angle - 0.42)),
                          QPointF(x - size * math.cos(angle + 0.42), y - size * math.sin(angle + 0.42))])

    def _place_label(self, centre: tuple[float, float]) -> QRectF:
        if not self.label or self._label_blocked:
            return QRectF()
        width, height = self._label_size
        return QRectF(centre[0] - width / 2, centre[1] - height / 2, width, height)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def reach(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of the edge and its label together, as floats
        (the scene tests hundreds of waiting labels against the screen per scroll step)."""
        if self._reach is None:
            reach = _NOWHERE
            for rect in (self._bounds, self.label_item.boundingRect()):
                if not rect.isEmpty():
                    left, top, right, bottom = rect.left(), rect.top(), rect.right(), rect.bottom()
                    reach = (min(reach[0], left), min(reach[1], top), max(reach[2], right), max(reach[3], bottom))
            self._reach = reach
        return self._reach

    def curve_rect(self) -> QRectF:
        """The tight bounds of the drawn curve and its arrow."""
        return self.path().boundingRect().united(self.arrow().boundingRect())

    def arrow(self) -> QPolygonF:
        if self._arrow is None:
            self._arrow = self._arrow_head(*self._arrow_from)
        return self._arrow

    def shape(self) -> QPainterPath:
        if self._shape is None:
            stroker = QPainterPathStroker()
            stroker.setWidth(10)
            self._shape = stroker.createStroke(self.path())
            self._shape.addRect(self._label_rect)
        return self._shape

    # -- painting ----------------------------------------------------------------------

    def colour(self):
        if self.isSelected():
            return style.SELECTION
        if not self.allowed or self.problem_severity == "error":
            return style.ERROR
        if self.problem_severity == "warning":
            return style.WARNING
        return style.EDGE_COLOUR

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        # Called for every visible edge on every frame: no Qt enum look-ups or new pens
        # here (both are slow from Python), only cached objects.
        colour = self.colour()
        zoom = painter.worldTransform().m11()
        # The speed-ups below are for pixels on screen; exports to SVG (or any vector
        # device) get plain vector shapes.
        raster = painter.paintEngine().type() == _RASTER_ENGINE
        # Qt's antialiased cosmetic lines take a path twice as fast when the painter
        # clips (any rectangle will do: the view paints a full frame unclipped), so clip
        # to the bounds while drawing and leave no clip behind for the next item.
        unclipped = raster and not painter.hasClipping()
        if unclipped:
            painter.setClipRect(self._bounds)
        self._draw(painter, colour, zoom, raster)
        if unclipped:
            painter.setClipping(False)

    def _draw(self, painter: QPainter, colour, zoom: float, raster: bool) -> None:
        # Far out, hundreds of 1 px lines are on screen and smoothing them buys nothing.
        painter.setRenderHint(_ANTIALIASING, zoom >= _SMOOTH_EDGES_ZOOM)
        painter.setPen(_edge_pen(colour, self.dashed, colour is style.SELECTION, zoom > 1.25))
        if self._polylines is None:
            # Painting a pre-flattened polyline with a 1 px cosmetic pen takes Qt's fast
            # stroker, which clips each segment to the screen: long edges cost little.
            # (No brush needed: a polyline is never filled.)
            self._polylines = self.path().toSubpathPolygons()
        for polyline in self._polylines:
            painter.drawPolyline(polyline)
        towards, x, y = self._arrow_from
        if zoom == 1.0 and raster and towards[1] == y and towards[0] < x:
            # The usual arrow (arriving level from the left, at 100 %): a blit of the
            # same antialiased triangle, pre-drawn at this sub-pixel offset, costs a
            # fifth of filling the polygon.
            device = painter.deviceTransform()
            if device.type() in _PIXEL_ALIGNED:
                dx, dy = device.dx(), device.dy()
                left, top, pixmap = _arrow_pixmap(colour, x + dx, y + dy)
                painter.drawPixmap(QPointF(left - dx, top - dy), pixmap)
                return
        painter.setPen(_NO_PEN)
        painter.setBrush(colour)
        painter.drawPolygon(self.arrow())

    def itemChange(self, change, value):
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self.label_item.update()
        return super().itemChange(change, value)
