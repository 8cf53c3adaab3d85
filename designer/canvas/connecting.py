"""Drawing a new edge: the rubber line dragged from a card's handle, and the rule that
refuses a connection.

While the user drags from a card's connection handle a dashed line follows the pointer;
over a card it snaps to that card's input and both line and card border turn blue (the
edge may be drawn) or red (refused). On release the scene adds the edge as one undoable
command, or tells the user why not. `connection_problem` is that rule, in the
validator's words so the user reads one explanation; it reads only the model.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from model.architecture import Architecture
from model.catalogue import SERVICES, allowed_targets, edge_rule

from .. import style
from .node_item import NodeItem

_LINE_WIDTH = 1.6


class ConnectionDrag:
    """The line and the cards of the connection being dragged on a DiagramScene (one at a
    time). The scene owns the items; this adds and removes the line on it."""

    def __init__(self, scene) -> None:
        self.scene = scene
        self.source: NodeItem | None = None
        self.target: NodeItem | None = None  # the card under the pointer, if any
        self._line: QGraphicsPathItem | None = None

    def active(self) -> bool:
        return self.source is not None

    def involves(self, item: NodeItem) -> bool:
        return item is self.source or item is self.target

    def begin(self, source: NodeItem, scene_pos: QPointF) -> None:
        self.cancel()
        self.source = source
        line = QGraphicsPathItem()
        line.setPen(_dashed(style.RUBBER_BAND_OK))
        line.setZValue(10)
        self.scene.addItem(line)
        self._line = line
        self.move(scene_pos)

    def move(self, scene_pos: QPointF) -> None:
        """Follow the pointer; over a card, show whether the edge would be allowed."""
        if self.source is None or self._line is None:
            return
        target = self.scene.node_at(scene_pos)
        if target is not self.target:
            if self.target is not None:
                self.target.set_drop_state(None)
            self.target = target
        refused = False
        end = scene_pos
        if target is not None:
            refused = connection_problem(self.scene.arch, self.source.node_id, target.node_id) is not None
            target.set_drop_state("refused" if refused else "ok")
            self.scene.overview_changed()
            if not refused:
                end = target.input_anchor()
        start = self.source.output_anchor()
        path = QPainterPath(start)
        reach = max(30.0, abs(end.x() - start.x()) * 0.5)
        path.cubicTo(QPointF(start.x() + reach, start.y()), QPointF(end.x() - reach, end.y()), end)
        self._line.setPath(path)
        self._line.setPen(_dashed(style.RUBBER_BAND_REFUSED if refused else style.RUBBER_BAND_OK))

    def finish(self, scene_pos: QPointF) -> tuple[str, str] | None:
        """End the drag; (source id, target id) when released on a card, else None."""
        source = self.source
        target = self.scene.node_at(scene_pos)
        self.cancel()
        if source is None or target is None:
            return None
        return source.node_id, target.node_id

    def cancel(self) -> None:
        if self.target is not None:
            self.target.set_drop_state(None)
            self.scene.overview_changed()
        if self._line is not None:
            self.scene.removeItem(self._line)
        self.source = self._line = self.target = None


def _dashed(colour) -> QPen:
    return QPen(colour, _LINE_WIDTH, Qt.PenStyle.DashLine, Qt.PenCapStyle.RoundCap)


def connection_problem(arch: Architecture, source_id: str, target_id: str) -> str | None:
    """Why an edge from one node to another may not be drawn, or None if it may.
    The wording matches the validator's, so the user reads one explanation."""
    src, dst = arch.nodes[source_id], arch.nodes[target_id]
    src_spec, dst_spec = SERVICES.get(src.service), SERVICES.get(dst.service)
    if src_spec is None or dst_spec is None:
        return f"'{src.id if src_spec is None else dst.id}' has an unknown service"
    if source_id == target_id:
        return f"{src.display_name} cannot connect to itself: that would be an endless loop"
    rule = edge_rule(src.service, dst.service)
    if rule is None:
        allowed = ", ".join(SERVICES[t].name for t in allowed_targets(src.service)) or "nothing"
        return (f"{src_spec.name} cannot send to {dst_spec.name}: AWS has no such integration "
                f"({src_spec.name} connects to {allowed})")
    for edge in arch.edges:
        if edge.source == source_id and edge.target == target_id and arch.edge_kind(edge) == rule.kind:
            return (f"{src.display_name} already has a {rule.kind.replace('_', ' ')} edge to "
                    f"{dst.display_name} (use 'calls' for more than one call)")
    return None
