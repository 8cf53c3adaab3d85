"""A request's timeline: its journey (one of a Result's `traces`) as a waterfall of spans,
like a distributed trace.

One row per span, indented under the span it came from (the latest earlier span whose
node has an edge to it), on a shared time axis from the request's arrival: a bar from
the span's start to its end, coloured by how it ended (ok in the node's category colour,
throttled and failed in red); the part spent waiting (in a queue or a stream, or in SDK
back-off between retries) is drawn hatched at the start of the bar; a cold start and
retries are written on the bar; the time it took beside it. Hovering a bar gives every
figure of the span. A long quiet stretch (an asynchronous retry a minute later, say) is
cut out of the axis and marked, so the busy parts keep their room.
"""

from __future__ import annotations

import html
import math

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QScrollArea, QToolTip, QVBoxLayout, QWidget,
)

from model.architecture import Architecture
from model.catalogue import CATEGORY_COLOURS, SERVICES
from simulation.health import fmt_ms
from simulation.replay import (
    OUTCOME_WORDS, axis_fraction, axis_pieces, axis_widths, journey_ms, response_ms, span_depths,
)

from . import theme

ROW_H, LABEL_W, DURATION_W, AXIS_H, PAD = 28, 210, 80, 26, 10


class Waterfall(QWidget):
    """The spans of one journey, painted."""

    def __init__(self, arch: Architecture, journey: dict, scale: float = 1.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.arch, self.journey, self.scale = arch, journey, scale
        # by start; at one instant in the order they were recorded (a cause before its effect)
        self.spans = sorted(journey.get("spans", ()), key=lambda s: s["start_ms"])
        self.depths = span_depths(arch, self.spans)
        self.total_ms = max(journey_ms(journey), 1e-3)
        self.pieces = axis_pieces(self.spans, self.total_ms)
        self.widths = axis_widths(self.pieces)
        self.setMouseTracking(True)
        self.setMinimumWidth(int((LABEL_W + DURATION_W + 260) * scale))

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(int(900 * self.scale), int((AXIS_H + ROW_H * len(self.spans) + PAD * 2) * self.scale))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt override)
        return QSize(self.minimumWidth(), int((AXIS_H + ROW_H * len(self.spans) + PAD * 2) * self.scale))

    def name(self, node_id: str) -> str:
        node = self.arch.nodes.get(node_id)
        return node.display_name if node is not None else node_id

    def colour(self, span: dict) -> QColor:
        t = theme.current()
        if span.get("status") in ("throttled", "error", "timeout"):
            return QColor(t.bad)
        node = self.arch.nodes.get(span["node"])
        spec = SERVICES.get(node.service) if node is not None else None
        return QColor(CATEGORY_COLOURS.get(spec.category if spec else "", t.accent))

    # -- geometry ------------------------------------------------------------------------

    def plot_rect(self) -> QRectF:
        s = self.scale
        return QRectF(LABEL_W * s, (PAD + AXIS_H) * s, max(50.0, self.width() - (LABEL_W + DURATION_W + PAD) * s),
                      ROW_H * s * len(self.spans))

    def x_of(self, ms: float) -> float:
        plot = self.plot_rect()
        return plot.left() + plot.width() * axis_fraction(self.pieces, self.widths, ms)

    def bar_rect(self, row: int) -> QRectF:
        span, plot, s = self.spans[row], self.plot_rect(), self.scale
        left, right = self.x_of(span["start_ms"]), self.x_of(span["end_ms"])
        return QRectF(left, plot.top() + row * ROW_H * s + 6 * s, max(2.0 * s, right - left), (ROW_H - 12) * s)

    # -- painting ------------------------------------------------------------------------

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt override)
        t, s = theme.current(), self.scale
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.fillRect(self.rect(), QColor(t.panel))
        font = QFont(self.font())
        font.setPointSizeF(9 * s)
        small = QFont(font)
        small.setPointSizeF(8 * s)
        self._axis(painter, small)
        metrics = QFontMetricsF(font)
        for row, span in enumerate(self.spans):
            top = self.plot_rect().top() + row * ROW_H * s
            if row % 2:
                painter.fillRect(QRectF(0, top, self.width(), ROW_H * s), QColor(t.alternate))
            indent = (8 + 14 * self.depths[row]) * s
            painter.setFont(font)
            painter.setPen(QColor(t.text))
            label = metrics.elidedText(self.name(span["node"]), Qt.ElideRight, LABEL_W * s - indent - 6 * s)
            painter.drawText(QRectF(indent, top, LABEL_W * s - indent, ROW_H * s), Qt.AlignVCenter | Qt.AlignLeft,
                             label)
            self._bar(painter, row, span, small)
            painter.setFont(small)
            painter.setPen(QColor(t.muted))
            took = span["end_ms"] - span["start_ms"]
            painter.drawText(QRectF(self.width() - (DURATION_W + PAD) * s, top, DURATION_W * s, ROW_H * s),
                             Qt.AlignVCenter | Qt.AlignRight, fmt_ms(took))
        painter.end()

    def _axis(self, painter: QPainter, font: QFont) -> None:
        t, s, plot = theme.current(), self.scale, self.plot_rect()
        painter.setFont(font)
        longest = max((end - start for start, end, cut in self.pieces if not cut), default=self.total_ms)
        step = nice_step(max(longest, 1e-3) / 5)
        labelled: list[float] = []
        for start, end, cut in self.pieces:
            left, right = self.x_of(start), self.x_of(end)
            if cut:  # a quiet stretch cut out of the axis: a break mark and how long it was
                painter.fillRect(QRectF(left, plot.top(), right - left, plot.height()), QColor(t.alternate))
                painter.setPen(QPen(QColor(t.muted), 1, Qt.DashLine))
                for x in (left, right):
                    painter.drawLine(int(x), int(plot.top()), int(x), int(plot.bottom()))
                painter.drawText(QRectF(left - 30 * s, PAD * s, right - left + 60 * s, AXIS_H * s), Qt.AlignCenter,
                                 f"+{fmt_ms(end - start)}")
                continue
            tick = math.ceil(start / step - 1e-9) * step
            while tick <= end + 1e-9:
                x = self.x_of(tick)
                painter.setPen(QPen(QColor(t.grid), 1))
                painter.drawLine(int(x), int(plot.top()), int(x), int(plot.bottom()))
                if all(abs(x - other) > 70 * s for other in labelled):
                    painter.setPen(QColor(t.muted))
                    painter.drawText(QRectF(x - 40 * s, PAD * s, 80 * s, AXIS_H * s), Qt.AlignCenter, fmt_ms(tick))
                    labelled.append(x)
                tick += step

    def _bar(self, painter: QPainter, row: int, span: dict, font: QFont) -> None:
        t, s = theme.current(), self.scale
        rect = self.bar_rect(row)
        colour = self.colour(span)
        painter.setPen(Qt.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(rect, 3 * s, 3 * s)
        wait = span.get("wait_ms", 0.0)
        if wait > 0:
            waited = QRectF(rect.left(), rect.top(), min(rect.width(), self.x_of(span["start_ms"] + wait)
                                                         - rect.left()), rect.height())
            painter.setBrush(QColor(t.panel))
            painter.drawRect(waited)
            painter.setBrush(QBrush(colour, Qt.BDiagPattern))
            painter.setPen(QPen(colour, 1))
            painter.drawRect(waited)
        notes = []
        if span.get("cold_start"):
            notes.append("cold start")
        if span.get("retries"):
            notes.append(f"{span['retries']} retr{'y' if span['retries'] == 1 else 'ies'}")
        if wait > 0:
            notes.append(f"waited {fmt_ms(wait)}")
        if span.get("status") not in (None, "ok"):
            notes.append(span["status"])
        if notes:
            painter.setFont(font)
            text = " · ".join(notes)
            width = QFontMetricsF(font).horizontalAdvance(text) + 8 * s
            inside = rect.width() >= width and wait <= 0
            box = QRectF(rect.left() + 4 * s, rect.top(), width, rect.height()) if inside else \
                QRectF(rect.right() + 4 * s, rect.top(), width, rect.height())
            if not inside and box.right() > self.width() - (DURATION_W + PAD) * s:
                box.moveRight(rect.left() - 4 * s)  # no room on the right: before the bar
            painter.setPen(QColor("white") if inside else QColor(t.text))
            painter.drawText(box, Qt.AlignVCenter | Qt.AlignLeft, text)

    def span_at(self, x: float, y: float) -> int | None:
        for row in range(len(self.spans)):
            top = self.plot_rect().top() + row * ROW_H * self.scale
            if top <= y < top + ROW_H * self.scale:
                return row
        return None

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 (Qt override)
        row = self.span_at(event.position().x(), event.position().y())
        if row is None:
            QToolTip.hideText()
            return
        QToolTip.showText(event.globalPosition().toPoint(), span_tip(self.name(self.spans[row]["node"]),
                                                                      self.spans[row]), self)


def span_tip(name: str, span: dict) -> str:
    lines = [f"<b>{html.escape(name)}</b>",
             f"from {fmt_ms(span['start_ms'])} to {fmt_ms(span['end_ms'])} "
             f"({fmt_ms(span['end_ms'] - span['start_ms'])})",
             f"ended: {html.escape(str(span.get('status', 'ok')))}"]
    if span.get("wait_ms"):
        lines.append(f"waited {fmt_ms(span['wait_ms'])}")
    if span.get("cold_start"):
        lines.append("a cold start (a new execution environment)")
    if span.get("retries"):
        lines.append(f"retried {span['retries']} time{'s' if span['retries'] != 1 else ''}")
    return "<br>".join(lines)


def nice_step(raw: float) -> float:
    """A round tick step (1, 2 or 5 times a power of ten) near `raw`."""
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(f * power for f in (1, 2, 5, 10) if f * power >= raw)


def describe_journey(arch: Architecture, journey: dict) -> str:
    """'Request into Orders API at 168.970 s: succeeded after 132 ms (its work went on until
    60.5 s), 10 spans'."""
    entry = arch.nodes[journey["entry"]].display_name if journey["entry"] in arch.nodes else journey["entry"]
    answered, total = response_ms(journey), journey_ms(journey)
    later = f" (its work went on until {fmt_ms(total)})" if total > answered * 1.01 else ""
    return (f"Request into {entry} at {journey['start_s']:,.3f} s: "
            f"{OUTCOME_WORDS.get(journey['outcome'], journey['outcome'])} after {fmt_ms(answered)}{later}, "
            f"{len(journey.get('spans', ()))} spans")


class TimelineDialog(QDialog):
    """One request's waterfall, in a window of its own."""

    def __init__(self, arch: Architecture, journey: dict, scale: float = 1.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.journey = journey
        self.setWindowTitle("Request timeline")
        layout = QVBoxLayout(self)
        self.heading = QLabel(describe_journey(arch, journey))
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.15 * scale)
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.legend = QLabel("Bars: when each service had the request, from its arrival. Hatched: waiting (in a queue "
                             "or stream, or backing off before a retry). Red: throttled or failed. Hover a bar for "
                             "its figures.")
        self.legend.setWordWrap(True)
        self.legend.setStyleSheet(f"color: {theme.current().muted};")
        layout.addWidget(self.legend)
        self.waterfall = Waterfall(arch, journey, scale)
        area = QScrollArea()
        area.setWidget(self.waterfall)
        area.setWidgetResizable(True)
        layout.addWidget(area, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        rows = len(self.waterfall.spans)
        self.resize(int(920 * scale), int(min(640, 170 + ROW_H * rows) * scale))
