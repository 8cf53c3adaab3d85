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

import copy
from typing import Any

from model.architecture import Architecture, Edge
from model.catalogue import SERVICES, EdgeRule, allowed_targets, edge_rule, rules_between

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
    rules = rules_between(src.service, dst.service)
    if not rules:
        allowed = ", ".join(SERVICES[t].name for t in allowed_targets(src.service)) or "nothing"
        return (f"{src_spec.name} cannot send to {dst_spec.name}: AWS has no such integration "
                f"({src_spec.name} connects to {allowed})")
    if not free_kinds(arch, source_id, target_id):
        kinds = " and ".join(with_article(kind_name(r.kind)) for r in rules)
        return (f"{src.display_name} already has {kinds} edge to {dst.display_name} "
                "(use 'calls' for more than one call)")
    return None


def free_kinds(arch: Architecture, source_id: str, target_id: str) -> list[EdgeRule]:
    """The kinds of edge from one node to another that are not drawn yet, the pair's
    default first (Lambda -> SQS: send, then on-failure destination)."""
    src, dst = arch.nodes.get(source_id), arch.nodes.get(target_id)
    if src is None or dst is None:
        return []
    used = {arch.edge_kind(e) for e in arch.edges if e.source == source_id and e.target == target_id}
    return [r for r in rules_between(src.service, dst.service) if r.kind not in used]


def connection_choices(arch: Architecture, source_id: str) -> list[tuple[str, EdgeRule]]:
    """Every (target id, kind) a new edge from this node may have: what Connect To offers."""
    return [(target_id, rule) for target_id in arch.nodes if target_id != source_id
            and connection_problem(arch, source_id, target_id) is None
            for rule in free_kinds(arch, source_id, target_id)]


class EdgeChoices:
    """The choices (choice fields: `action`, `mode`...) last made on an edge of each
    (source service, target service, kind): a new edge of that kind starts with them, so a
    Lambda -> DynamoDB edge writes when the last one was set to write."""

    def __init__(self) -> None:
        self._made: dict[tuple[str, str, str], dict[str, Any]] = {}

    def remember(self, arch: Architecture, edge: Edge, key: str | None) -> None:
        """An edge's field changed (from edge_changed): keep it if it is a choice."""
        src, dst = arch.nodes.get(edge.source), arch.nodes.get(edge.target)
        rule = edge_rule(src.service, dst.service, edge.kind) if src and dst else None
        fdef = rule.field(key) if rule and key else None
        if fdef is None or fdef.kind != "choice":
            return
        made = self._made.setdefault((src.service, dst.service, rule.kind), {})
        if key in edge.config:
            made[key] = copy.deepcopy(edge.config[key])
        else:
            made.pop(key, None)

    def new_edge(self, arch: Architecture, source_id: str, target_id: str, kind: str | None = None) -> Edge | None:
        """An edge of this kind (or the pair's first kind not drawn yet) with the choices
        last made on one like it; None if it may not be drawn."""
        rule = next((r for r in free_kinds(arch, source_id, target_id) if kind is None or r.kind == kind), None)
        if rule is None or connection_problem(arch, source_id, target_id) is not None:
            return None
        src, dst = arch.nodes[source_id], arch.nodes[target_id]
        config = copy.deepcopy(self._made.get((src.service, dst.service, rule.kind), {}))
        default = edge_rule(src.service, dst.service).kind
        return Edge(source_id, target_id, config, kind=None if rule.kind == default else rule.kind)


def kind_name(kind: str) -> str:
    """'on_failure' -> 'on failure'."""
    return kind.replace("_", " ")


def with_article(words: str) -> str:
    return f"{'an' if words[:1].lower() in 'aeiou' else 'a'} {words}"
