"""Results on the canvas: the bottleneck visible at a glance.

- every node gets a coloured ring and a utilisation bar: green (fine), amber (busy: 80 %
  of its capacity or more, or errors), red (throttled), grey (no traffic);
- every edge gets a translucent band under it, thicker for more requests per second;
- a badge by each node gives its p99 latency, cold starts, throttles, errors and backlog.
  Badges never overlap a card or each other (`place_badges`): each goes below its card,
  else above, else in its short form (the one figure that matters most), else it is
  folded away; the most troubled nodes are placed first. Hovering a node shows its hover
  card with every figure and, for an amber or red ring, why;
- a node that hit an AWS limit (the run's `limits`) gets a "limit" flag and the limit
  in its hover card.

The verdicts (level, utilisation, badge words, rates along edges) come from
`simulation.health`; this module only draws them. The overlay draws its own items as
children of the canvas's node and edge items (so they follow a drag) and never touches
the model. When the design changes the overlay turns grey and a banner says the results
are stale; `clear()` removes every item.
"""

from __future__ import annotations

import html
import math
from typing import Callable

import shiboken6
from PySide6.QtCore import QPoint, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QLabel

from simulation.health import (
    BUSY, IDLE, OK, THROTTLED, Health, badge_short, badge_text, edge_rates, node_health,
)

from . import style
from .canvas.node_item import H, W
from .limits import describe, limit_words, limits_by_node, run_limits

LEVEL_COLOURS = {OK: QColor("#12B76A"), BUSY: QColor("#F79009"), THROTTLED: QColor("#D92D20"),
                 IDLE: QColor("#9AA3AF")}
STALE_COLOUR = QColor("#B4BAC3")
FLOW_COLOUR = QColor(47, 128, 237, 70)
MIN_FLOW_WIDTH, MAX_FLOW_WIDTH = 2.0, 14.0
BADGE_GAP = 5.0  # between a card and its badge
CLEARANCE = 3.0  # kept free around cards and badges
LEVEL_ORDER = {THROTTLED: 0, BUSY: 1, OK: 2, IDLE: 3}  # who gets the best place first
FULL, SHORT, FOLDED = "full", "short", "folded"


# --------------------------------------------------------------------------------------
# Badge placement (pure geometry, in scene coordinates)


def badge_candidates(card: QRectF, size: QSizeF) -> list[QRectF]:
    """Where a badge of `size` may go around `card`, best first: below, above, then
    below or above flush with either side, then astride the card's bottom or top edge
    at its right (half on the card: it fits where cards stand close together)."""
    w, h = size.width(), size.height()
    centre = card.center().x() - w / 2
    below, above = card.bottom() + BADGE_GAP, card.top() - BADGE_GAP - h
    astride_bottom, astride_top = card.bottom() - h / 2, card.top() - h / 2
    inset = card.right() - w - 8
    return [QRectF(x, y, w, h) for y, x in (
        (below, centre), (above, centre), (below, card.left()), (below, card.right() - w),
        (above, card.left()), (above, card.right() - w), (astride_bottom, inset), (astride_top, inset))]


def place_badges(cards: dict[str, QRectF], texts: dict[str, tuple[str, str]], order: list[str],
                 measure: Callable[[str], QSizeF]) -> dict[str, tuple[str, QRectF | None, str]]:
    """For each node in `order` (the most troubled first): (FULL or SHORT, its badge's
    rectangle, its text), or (FOLDED, None, "") when no place is free of every card and
    every badge placed before it. `texts[node] = (full, short)`; `measure(text)` gives a
    badge's size."""
    def grown(rect: QRectF) -> QRectF:
        return rect.adjusted(-CLEARANCE, -CLEARANCE, CLEARANCE, CLEARANCE)

    others = {node_id: grown(rect) for node_id, rect in cards.items()}
    badges: list[QRectF] = []
    placed: dict[str, tuple[str, QRectF | None, str]] = {}
    for node_id in order:
        full, short = texts.get(node_id, ("", ""))
        placed[node_id] = (FOLDED, None, "")
        if not full:
            continue
        obstacles = [rect for other, rect in others.items() if other != node_id] + badges
        own = others[node_id]
        for form, text in ((FULL, full), (SHORT, short)):
            if not text:
                continue
            rect = next((r for r in badge_candidates(cards[node_id], measure(text))
                         if not any(r.intersects(o) for o in obstacles)
                         and (not r.intersects(own) or _astride(r, cards[node_id]))), None)
            if rect is not None:
                placed[node_id] = (form, rect, text)
                badges.append(grown(rect))
                break
    return placed


def _astride(badge: QRectF, card: QRectF) -> bool:
    """A badge placed on purpose across its own card's top or bottom edge."""
    return abs(badge.center().y() - card.bottom()) < 0.5 or abs(badge.center().y() - card.top()) < 0.5


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
    """Ring, utilisation bar and badge around one node card (a child of its NodeItem).
    Its tooltip is the node's hover card."""

    def __init__(self, parent, health: Health, text: str, card: str = "") -> None:
        super().__init__(parent)
        self.health, self.full_text, self.stale = health, text, False
        self.text, self.form = text, FULL
        self.limited = False  # an AWS limit refused work here: a flag on the card
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setZValue(5)
        self._font = style.ui_font(8.0, bold=True)
        self._badge = QRectF()
        if text:
            self._badge = QRectF(QPointF(0, 0), badge_size(text, self._font))
            self._badge.moveTopLeft(QPointF((W - self._badge.width()) / 2, H + BADGE_GAP))
        self.setToolTip(card or health.summary)

    def place(self, form: str, rect: QRectF | None, text: str) -> None:
        """Where the overlay put the badge (scene coordinates), and in which form."""
        self.prepareGeometryChange()
        self.form, self.text = form, text
        self._badge = QRectF() if rect is None else self.mapRectFromScene(rect)

    def badge_rect(self) -> QRectF:
        """The badge in scene coordinates (empty when folded)."""
        return self.mapRectToScene(self._badge) if not self._badge.isEmpty() else QRectF()

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
        if self.limited:
            flag = QRectF(W - 40, -9, 36, 14)
            painter.setPen(Qt.NoPen)
            painter.setBrush(LEVEL_COLOURS[THROTTLED] if not self.stale else STALE_COLOUR)
            painter.drawRoundedRect(flag, 7, 7)
            painter.setPen(QColor("white"))
            painter.setFont(style.ui_font(6.5, bold=True))
            painter.drawText(flag, Qt.AlignCenter, "LIMIT")
        if self.text and not self._badge.isEmpty():
            painter.setPen(Qt.NoPen)
            painter.setBrush(colour if self.health.level in (THROTTLED, BUSY) or self.stale else QColor("#1F2733"))
            painter.drawRoundedRect(self._badge, self._badge.height() / 2, self._badge.height() / 2)
            painter.setPen(QColor("white"))
            painter.setFont(self._font)
            painter.drawText(self._badge, Qt.AlignCenter, self.text)


def badge_size(text: str, font) -> QSizeF:
    metrics = QFontMetricsF(font)
    return QSizeF(metrics.horizontalAdvance(text) + 16, metrics.height() + 6)


def hover_card(name: str, health: Health, full_text: str, limits: list[dict], names: dict[str, str]) -> str:
    """The node's hover card (rich text): its name, why its ring has its colour, every
    figure, and the AWS limits it hit."""
    colour = LEVEL_COLOURS[health.level].name()
    lines = [f"<b>{html.escape(name)}</b>"]
    if health.reason:
        lines.append(f"<span style='color:{colour}; font-weight:600'>{html.escape(health.reason)}</span>")
    lines += [html.escape(line) for line in health.summary.splitlines() if line != health.reason]
    lines += [f"<span style='color:{LEVEL_COLOURS[THROTTLED].name()}'>Limit hit: {html.escape(describe(limit, names))}"
              "</span>" for limit in limits]
    if full_text:
        lines.append(f"<i>badge: {html.escape(full_text)}</i>")
    return "<br>".join(lines)


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
        self.short_texts: dict[str, str] = {}
        self.placement: dict[str, tuple[str, QRectF | None, str]] = {}
        self.folded: list[str] = []
        self.limits_note = ""
        self._subscribed = False
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
        names = {n: arch.nodes[n].display_name if n in arch.nodes else n for n in result.nodes}
        limits = limits_by_node(run_limits(result))
        for node_id in result.nodes:
            item = self.scene.node_item(node_id)
            if item is None or node_id not in live.nodes:
                continue
            health = node_health(arch, result, node_id)
            self.health[node_id] = health
            stats = result.nodes[node_id]
            self.short_texts[node_id] = badge_short(stats)
            card = hover_card(names[node_id], health, badge_text(stats), limits.get(node_id, []), names)
            self.node_items[node_id] = NodeResultItem(item, health, badge_text(stats), card)
            self.node_items[node_id].limited = node_id in limits
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
        self.layout_badges()
        self._subscribe()
        hit = run_limits(result)
        self.limits_note = (f" · ⚠ {len(hit)} AWS limit{'s' if len(hit) != 1 else ''} hit, first "
                            f"{limit_words(hit[0].get('limit', '?'))} at {float(hit[0].get('first_hit_s', 0)):,.1f} s"
                            if hit else "")
        self._banner(f"Results: {result.scenario} · {result.duration_s:g} s simulated{self.limits_note}", stale=False)

    def layout_badges(self) -> dict[str, tuple[str, QRectF | None, str]]:
        """Place every badge free of every card and other badge (see place_badges)."""
        items = {node_id: item for node_id, item in self.node_items.items() if shiboken6.isValid(item)}
        if not items:
            return {}
        cards = {}
        for node_item in self.scene.node_items():
            cards[node_item.node_id] = node_item.mapRectToScene(node_item.card_rect())
        texts = {node_id: (item.full_text, self.short_texts.get(node_id, "")) for node_id, item in items.items()}
        order = sorted(items, key=lambda n: (LEVEL_ORDER[self.health[n].level], cards[n].top(), cards[n].left()))
        font = style.ui_font(8.0, bold=True)
        self.placement = place_badges(cards, texts, order, lambda text: badge_size(text, font))
        for node_id, (form, rect, text) in self.placement.items():
            items[node_id].place(form, rect, text)
        self.folded = [n for n, (form, _r, _t) in self.placement.items() if form == FOLDED and texts[n][0]]
        return self.placement

    def _subscribe(self) -> None:
        if not self._subscribed:
            self.scene.arch.subscribe(self._on_change)
            self._subscribed = True

    def _on_change(self, change) -> None:
        if change.what == "node_moved" and self.node_items:
            self.layout_badges()

    def detach(self) -> None:
        if self._subscribed:
            self.scene.arch.unsubscribe(self._on_change)
            self._subscribed = False

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
        self.short_texts.clear()
        self.placement, self.folded = {}, []
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
        folded = (f" · {len(self.folded)} badge{'s' if len(self.folded) != 1 else ''} folded: hover the node"
                  if self.folded else "")
        legend = ("" if stale else "<br><span style='font-weight:400; color:#5F6B7A'>ring: "
                  "<span style='color:#12B76A'>■</span> fine  <span style='color:#F79009'>■</span> busy or erroring  "
                  "<span style='color:#D92D20'>■</span> throttled · band width: requests/s · hover a node for its "
                  f"figures{folded}</span>")
        self.banner.setText(("⚠  " if stale else "●  ") + text + legend)
        self.banner.adjustSize()
        self.banner.move(self.view.viewport().geometry().topLeft() + QPoint(12, 10))
        self.banner.show()
        self.banner.raise_()

    def legend(self) -> str:
        return "green: fine · amber: ≥80 % of capacity or errors · red: throttled · band width: requests/s"


def overlay_point(path: QPainterPath, fraction: float) -> QPointF:
    return path.pointAtPercent(max(0.0, min(1.0, fraction)))
