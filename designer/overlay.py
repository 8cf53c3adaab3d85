"""Results on the canvas: the bottleneck visible at a glance.

- every node gets a coloured ring and a utilisation bar: green (fine), amber (busy: 80 %
  of its capacity or more, or errors), red (throttled), grey (no traffic);
- every edge gets a translucent band under it, thicker for more requests per second;
- a badge under each busy node gives its p99 latency, cold starts and throttles.

The verdicts (level, utilisation, badge words, rates along edges) come from
`simulation.health`; this module only draws them. The overlay draws its own items as
children of the canvas's node and edge items (so they follow a drag) and never touches
the model. When the design changes the overlay turns grey and a banner says the results
are stale; `clear()` removes every item.
"""

from __future__ import annotations

import math

import shiboken6
from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QLabel

from simulation.health import BUSY, IDLE, OK, THROTTLED, Health, badge_text, edge_rates, node_health

from . import style
from .canvas.node_item import H, W

LEVEL_COLOURS = {OK: QColor("#12B76A"), BUSY: QColor("#F79009"), THROTTLED: QColor("#D92D20"),
                 IDLE: QColor("#9AA3AF")}
STALE_COLOUR = QColor("#B4BAC3")
FLOW_COLOUR = QColor(47, 128, 237, 70)
MIN_FLOW_WIDTH, MAX_FLOW_WIDTH = 2.0, 14.0


# --------------------------------------------------------------------------------------
# Geometry


def edge_path(edge_item) -> QPainterPath:
    """The curve the canvas draws for an edge (scene coordinates).

    The EdgeItem keeps it in `_path` (no public accessor yet); read defensively."""
    path = getattr(edge_item, "path", None)
    if callable(path):
        return path()
    return getattr(edge_item, "_path", QPainterPath())


# --------------------------------------------------------------------------------------
# Items


class NodeResultItem(QGraphicsItem):
    """Ring, utilisation bar and badge around one node card (a child of its NodeItem)."""

    def __init__(self, parent, health: Health, text: str) -> None:
        super().__init__(parent)
        self.health, self.text, self.stale = health, text, False
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setZValue(5)
        self._font = style.ui_font(8.0, bold=True)
        metrics = QFontMetricsF(self._font)
        self._badge = QRectF()
        if text:
            width = metrics.horizontalAdvance(text) + 16
            self._badge = QRectF((W - width) / 2, H + 6, width, metrics.height() + 6)
        self.setToolTip(health.summary)

    def colour(self) -> QColor:
        return STALE_COLOUR if self.stale else LEVEL_COLOURS[self.health.level]

    def boundingRect(self) -> QRectF:
        return QRectF(-5, -5, W + 10, H + 10).united(self._badge.adjusted(-2, -2, 2, 2))

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.Antialiasing)
        colour = self.colour()
        painter.setPen(QPen(colour, 3.0))
        painter.setBrush(Qt.NoBrush)
        painter.drawRoundedRect(QRectF(-2.5, -2.5, W + 5, H + 5), style.NODE_RADIUS + 2, style.NODE_RADIUS + 2)
        if self.health.utilisation is not None:
            track = QRectF(style.NODE_PADDING, H - 7, W - 2 * style.NODE_PADDING, 3.5)
            painter.setPen(Qt.NoPen)
            painter.setBrush(QColor("#E5E7EB"))
            painter.drawRoundedRect(track, 1.75, 1.75)
            filled = QRectF(track.left(), track.top(), track.width() * min(1.0, self.health.utilisation),
                            track.height())
            painter.setBrush(colour)
            painter.drawRoundedRect(filled, 1.75, 1.75)
        if self.text:
            painter.setPen(Qt.NoPen)
            painter.setBrush(colour if self.health.level in (THROTTLED, BUSY) or self.stale else QColor("#1F2733"))
            painter.drawRoundedRect(self._badge, self._badge.height() / 2, self._badge.height() / 2)
            painter.setPen(QColor("white"))
            painter.setFont(self._font)
            painter.drawText(self._badge, Qt.AlignCenter, self.text)


class EdgeFlowItem(QGraphicsItem):
    """A translucent band under an edge, as wide as its share of the busiest edge's rate."""

    def __init__(self, parent, width: float, rate: float) -> None:
        super().__init__(parent)
        self.width, self.rate, self.stale = width, rate, False
        self.setFlag(QGraphicsItem.ItemStacksBehindParent, True)
        self.setAcceptedMouseButtons(Qt.NoButton)
        parent.setToolTip(f"{parent.toolTip().split(chr(10))[0]}\n≈ {rate:,.1f} requests/s")

    def boundingRect(self) -> QRectF:
        return edge_path(self.parentItem()).controlPointRect().adjusted(
            -self.width, -self.width, self.width, self.width)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setRenderHint(QPainter.Antialiasing)
        colour = QColor(STALE_COLOUR) if self.stale else QColor(FLOW_COLOUR)
        colour.setAlpha(70)
        painter.setPen(QPen(colour, self.width, Qt.SolidLine, Qt.RoundCap, Qt.RoundJoin))
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(edge_path(self.parentItem()))


# --------------------------------------------------------------------------------------
# The overlay


class ResultsOverlay:
    """Puts a run's results on a DiagramScene (and a banner on its view)."""

    def __init__(self, scene, view=None) -> None:
        self.scene, self.view = scene, view
        self.node_items: dict[str, NodeResultItem] = {}
        self.edge_items: dict[int, EdgeFlowItem] = {}
        self.health: dict[str, Health] = {}
        self.stale = False
        self.banner = None
        if view is not None:
            # On the view, not its viewport: scrolling moves the viewport's child widgets.
            self.banner = QLabel(view)
            self.banner.setObjectName("resultsBanner")
            self.banner.move(12, 10)
            self.banner.hide()

    def show(self, outcome) -> None:
        self.clear()
        arch, result = outcome.arch, outcome.result
        live = self.scene.arch
        for node_id in result.nodes:
            item = self.scene.node_item(node_id)
            if item is None or node_id not in live.nodes:
                continue
            health = node_health(arch, result, node_id)
            self.health[node_id] = health
            self.node_items[node_id] = NodeResultItem(item, health, badge_text(result.nodes[node_id]))
        rates = edge_rates(arch, result)
        busiest = max(rates.values(), default=0.0) or 1.0
        for index, rate in rates.items():
            if index >= len(live.edges):
                continue
            item = self.scene.edge_item(live.edges[index])
            if item is None or rate <= 0:
                continue
            width = MIN_FLOW_WIDTH + (MAX_FLOW_WIDTH - MIN_FLOW_WIDTH) * math.sqrt(rate / busiest)
            self.edge_items[index] = EdgeFlowItem(item, width, rate)
        self.stale = False
        self._banner(f"Results: {result.scenario} · {result.duration_s:g} s simulated", stale=False)

    def set_stale(self, stale: bool) -> None:
        if not self.node_items and not self.edge_items:
            return
        self.stale = stale
        for item in self._items():
            item.stale = stale
            item.update()
        if stale:
            self._banner("Results are stale: the design changed since this run. Run again to refresh.",
                         stale=True)

    def clear(self) -> None:
        for item in self._items():
            scene = item.scene()
            if scene is not None:
                scene.removeItem(item)
        self.node_items.clear()
        self.edge_items.clear()
        self.health.clear()
        if self.banner is not None:
            self.banner.hide()

    def _items(self):
        """Our items still alive (a node deleted from the canvas takes its children along)."""
        for item in list(self.node_items.values()) + list(self.edge_items.values()):
            if shiboken6.isValid(item):
                yield item

    def _banner(self, text: str, stale: bool) -> None:
        if self.banner is None:
            return
        colours = ("#FEF3C7", "#92400E", "#F5C451") if stale else ("#FFFFFF", "#3D4654", "#D5DAE1")
        self.banner.setStyleSheet(f"background: {colours[0]}; color: {colours[1]}; border: 1px solid {colours[2]};"
                                  " border-radius: 5px; padding: 5px 10px; font-weight: 600;")
        legend = ("" if stale else "<br><span style='font-weight:400; color:#5F6B7A'>ring: "
                  "<span style='color:#12B76A'>■</span> fine  <span style='color:#F79009'>■</span> busy or erroring  "
                  "<span style='color:#D92D20'>■</span> throttled · band width: requests/s</span>")
        self.banner.setText(("⚠  " if stale else "●  ") + text + legend)
        self.banner.adjustSize()
        self.banner.move(self.view.viewport().geometry().topLeft() + QPoint(12, 10))
        self.banner.show()
        self.banner.raise_()

    def legend(self) -> str:
        return "green: fine · amber: ≥80 % of capacity or errors · red: throttled · band width: requests/s"


def overlay_point(path: QPainterPath, fraction: float) -> QPointF:
    return path.pointAtPercent(max(0.0, min(1.0, fraction)))
