"""The diagram scene: draws an Architecture and turns gestures into undo commands.

The scene never changes the model directly. Gestures (drop a service, drag nodes, drag a
connection, delete, paste) build a command from designer.commands and push it on the undo
stack; the command calls the model's mutation methods; the model notifies the scene,
which updates only the items that changed. A change made any other way (the inspector,
a script, `replace_with` on open) shows up the same way.

The scene manages the items, selection, moves, level of detail and problem badges; it
hands out the rest: `routing.EdgeRouter` lays out the edges, `connecting.ConnectionDrag`
draws the line of a connection being dragged (and `connecting.EdgeChoices` makes the new
edge), `annotations.AnnotationLayer` keeps the groups and notes, `arrange` aligns,
distributes and finds smart guides, `placement` finds a free spot, and `model.clipboard`
decides what copy, paste and duplicate make (the main window talks to the system
clipboard).
"""

from __future__ import annotations

import copy
from typing import Any, Iterable

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPen, QUndoStack
from PySide6.QtWidgets import QGraphicsItem, QGraphicsLineItem, QGraphicsScene

from model import clipboard
from model.architecture import Architecture, Change, Edge, Node
from model.catalogue import SERVICES

from .. import commands, style
from .annotation_items import GroupItem, NoteItem
from .annotations import AnnotationLayer
from .arrange import align, distribute, smart_guides
from .connecting import ConnectionDrag, EdgeChoices, connection_problem
from .edge_item import _LABEL_MIN_ZOOM, EdgeItem, EdgeLabelItem
from .node_item import H, W, NodeItem, snap
from .overview import OverviewItem
from .placement import free_spot
from .routing import EdgeRouter

_HAS_NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents

_SCENE_MARGIN = 2000.0
_GUIDE_PEN = QPen(QColor("#E8467C"), 1.0, Qt.PenStyle.DashLine)
_GUIDE_PEN.setCosmetic(True)


class DiagramScene(QGraphicsScene):
    connection_refused = Signal(str)  # why a connection the user dragged was not made
    subjects_selected = Signal(list)  # [("node", id) | ("edge", Edge) | ("note", id) | ("group", id)]
    edit_requested = Signal(object)  # ("node" | "note" | "group", id): edit its text in place
    message = Signal(str)  # for the status bar: what an action did besides the obvious

    def __init__(self, arch: Architecture, undo_stack: QUndoStack, parent=None) -> None:
        super().__init__(parent)
        self.arch = arch
        self.undo_stack = undo_stack
        self._nodes: dict[str, NodeItem] = {}
        self._edges: dict[int, EdgeItem] = {}  # id(edge) -> item (edges are unhashable)
        self._move_start: dict[str, QPointF] = {}
        self._note_move_start: dict[str, QPointF] = {}
        self._guides: list[QGraphicsLineItem] = []  # smart guides shown during a drag
        self._edge_choices = EdgeChoices()  # a new edge starts with the choices last made on one like it
        self._connection = ConnectionDrag(self)
        self._problems: dict[str, Any] = {}
        self._edge_problems: dict[int, str] = {}
        self._router = EdgeRouter(self._visible_region)
        self._overview_mode = False  # far zoomed out: one OverviewItem paints cards and edges
        self._overview: OverviewItem | None = None
        self.annotations = AnnotationLayer(self)  # groups and notes
        self.setBackgroundBrush(style.CANVAS_BACKGROUND)
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        self._rebuild()
        arch.subscribe(self._on_change)
        self.selectionChanged.connect(self._emit_selection)
        self.selectionChanged.connect(self.overview_changed)

    def detach(self) -> None:
        """Stop following the model (call before dropping the scene)."""
        self.arch.unsubscribe(self._on_change)

    # -- queries -----------------------------------------------------------------------

    def node_item(self, node_id: str) -> NodeItem | None:
        return self._nodes.get(node_id)

    def edge_item(self, edge: Edge) -> EdgeItem | None:
        return self._edges.get(id(edge))

    def node_items(self) -> list[NodeItem]:
        return list(self._nodes.values())

    def edge_items(self) -> list[EdgeItem]:
        return list(self._edges.values())

    def note_item(self, note_id: str) -> NoteItem | None:
        return self.annotations.notes.get(note_id)

    def group_item(self, group_id: str) -> GroupItem | None:
        return self.annotations.groups.get(group_id)

    def selected_subjects(self) -> list[tuple[str, Any]]:
        """Selected nodes, edges, notes then groups, each in file order."""
        selected = self.selectedItems()
        node_ids = {i.node_id for i in selected if isinstance(i, NodeItem)}
        edge_ids = {id(i.edge) for i in selected if isinstance(i, EdgeItem)}
        note_ids = {i.note_id for i in selected if isinstance(i, NoteItem)}
        group_ids = {i.group_id for i in selected if isinstance(i, GroupItem)}
        subjects: list[tuple[str, Any]] = [("node", n) for n in self.arch.nodes if n in node_ids]
        subjects += [("edge", e) for e in self.arch.edges if id(e) in edge_ids]
        subjects += [("note", n.id) for n in self.arch.notes if n.id in note_ids]
        subjects += [("group", g.id) for g in self.arch.groups if g.id in group_ids]
        return subjects

    def drawing_rect(self) -> QRectF:
        """What the drawing really covers: cards and the curves themselves (an item's
        bounding rect holds a curve's control points, which reach further)."""
        rect = QRectF()
        for item in self._nodes.values():
            rect = rect.united(item.mapRectToScene(item.card_rect()))
        for item in self._edges.values():
            rect = rect.united(item.curve_rect())
        return rect.united(self.annotations.drawing_rect())

    def select_subject(self, subject) -> None:
        """Select ("node", id), ("edge", Edge or index in arch.edges); anything else clears."""
        kind, value = (subject or (None, None))[:2]
        item: QGraphicsItem | None = None
        if kind == "node":
            item = self._nodes.get(value)
        elif kind in ("note", "group"):
            item = self.item_for(subject)
        elif kind == "edge":
            if isinstance(value, int) and 0 <= value < len(self.arch.edges):
                value = self.arch.edges[value]
            item = self._edges.get(id(value))
        self.clearSelection()
        if item is not None:
            item.setSelected(True)
            for view in self.views():
                view.ensureVisible(item, 60, 60)

    def subject_at(self, scene_pos: QPointF) -> tuple[str, Any]:
        """What is drawn on top here: ("node", id), ("edge", Edge), ("note", id),
        ("group", id), or ("canvas", None)."""
        for item in self.items(scene_pos):
            if isinstance(item, NodeItem):
                return ("node", item.node_id)
            if isinstance(item, EdgeItem):
                return ("edge", item.edge)
            if isinstance(item, EdgeLabelItem):
                return ("edge", item.edge_item.edge)
            if isinstance(item, NoteItem):
                return ("note", item.note_id)
            if isinstance(item, GroupItem):
                return ("group", item.group_id)
        return ("canvas", None)

    def item_for(self, subject) -> QGraphicsItem | None:
        kind, value = subject
        if kind == "edge":
            return self._edges.get(id(value))
        return {"node": self._nodes, "note": self.annotations.notes,
                "group": self.annotations.groups}.get(kind, {}).get(value)

    def select_nodes(self, node_ids: Iterable[str]) -> None:
        self.blockSignals(True)
        try:
            self.clearSelection()
            for node_id in node_ids:
                if node_id in self._nodes:
                    self._nodes[node_id].setSelected(True)
        finally:
            self.blockSignals(False)
        self._emit_selection()

    def _emit_selection(self) -> None:
        self.subjects_selected.emit(self.selected_subjects())

    # -- following the model -----------------------------------------------------------

    def _on_change(self, change: Change) -> None:
        handler = getattr(self, f"_on_{change.what}", None)
        if handler is not None:
            handler(change)
        elif self.annotations.on_change(change):  # a note or a group
            if change.what in ("note_added", "notes_moved"):
                self._grow_scene_rect()
        else:
            return
        self.overview_changed()

    def _on_reset(self, change: Change) -> None:
        self._rebuild()

    def _on_node_added(self, change: Change) -> None:
        node = self.arch.nodes[change.subject]
        self._add_node_item(node, self._fallback_position() if node.at is None else QPointF(*node.at))
        self._grow_scene_rect()
        self.annotations.frame_groups({node.id})

    def _on_node_removed(self, change: Change) -> None:
        item = self._nodes.pop(change.subject, None)
        self._router.remove_node(change.subject)
        if item is not None:
            if self._connection.involves(item):
                self._connection.cancel()
            self.removeItem(item)
        self.annotations.frame_groups({change.subject})

    def _on_node_changed(self, change: Change) -> None:
        item = self._nodes.get(change.subject)
        if item is None:
            return
        item.refresh(self.arch.nodes[change.subject])
        for edge_item in self._router.edges_at(change.subject):  # e.g. a stream switched on
            edge_item.refresh(self.arch)

    def _on_node_renamed(self, change: Change) -> None:
        old, new = change.subject, change.detail
        if old not in self._nodes:
            return
        # In place: the router and the overview hold this very dict; the order is kept.
        entries = [(new if key == old else key, item) for key, item in self._nodes.items()]
        self._nodes.clear()
        self._nodes.update(entries)
        item = self._nodes[new]
        item.node_id = new
        item.refresh(self.arch.nodes[new])
        self._router.rename_node(old, new)
        for edge_item in self._router.edges_at(new):
            edge_item.refresh(self.arch)
        self.annotations.node_renamed(new)
        if old in self._problems:
            self._problems[new] = self._problems.pop(old)
        # The selection is the same item: the inspector follows the rename on its own.

    def _on_node_moved(self, change: Change) -> None:
        # The model's positions are shown as they are (no snapping), edges re-routed once.
        moved = set()
        for node_id in change.subject:
            item, node = self._nodes.get(node_id), self.arch.nodes.get(node_id)
            if item is not None and node is not None and node.at is not None:
                x, y = node.at
                if item.x() != x or item.y() != y:
                    item.setPos(x, y)
                    moved.add(node_id)
        self._router.route_around(moved)
        self.annotations.frame_groups(moved)
        self._grow_scene_rect()

    def _on_edge_added(self, change: Change) -> None:
        item = self._add_edge_item(change.subject)
        if item is not None:
            self._router.route_around({item.edge.source, item.edge.target})

    def _on_edge_removed(self, change: Change) -> None:
        edge: Edge = change.subject
        item = self._edges.pop(id(edge), None)
        if item is None:
            return
        self._router.remove_edge(item)
        self.removeItem(item.label_item)
        self.removeItem(item)
        self._router.route_around({edge.source, edge.target})

    def _on_edge_changed(self, change: Change) -> None:
        self._edge_choices.remember(self.arch, change.subject, change.detail)
        item = self._edges.get(id(change.subject))
        if item is not None:
            item.refresh(self.arch)
            self._router.route_edges([item])

    # -- building items ----------------------------------------------------------------

    def _rebuild(self) -> None:
        self._connection.cancel()
        self.blockSignals(True)
        try:
            self.clear()
        finally:
            self.blockSignals(False)
        self._nodes, self._edges = {}, {}
        self._guides = []  # (clear() deleted them)
        self._router.reset(self._nodes, self._edges)
        self._overview = OverviewItem(self._nodes, self._edges)
        self._overview.setVisible(self._overview_mode)
        self.addItem(self._overview)
        fallback = self._unplaced_positions()
        for node in self.arch.nodes.values():
            at = node.at if node.at is not None else fallback[node.id]
            self._add_node_item(node, QPointF(*at))
        for edge in self.arch.edges:
            self._add_edge_item(edge)
        self._router.route_edges(self._edges.values())
        self.annotations.rebuild()
        self._grow_scene_rect()
        self._apply_problems()
        self._emit_selection()

    def _unplaced_positions(self) -> dict[str, tuple[float, float]]:
        """Where to draw nodes the file gives no position (without changing the model)."""
        if all(n.at is not None for n in self.arch.nodes.values()):
            return {}
        from model.layout import layered_layout

        return layered_layout(self.arch)

    def _fallback_position(self) -> QPointF:
        if not self._nodes:
            return QPointF(40, 40)
        bounds = self.itemsBoundingRect()
        return QPointF(snap(bounds.right() + 60), snap(bounds.top() + 20))

    def _add_node_item(self, node: Node, pos: QPointF) -> NodeItem:
        item = NodeItem(node)
        item.setPos(pos)
        item.setFlag(_HAS_NO_CONTENTS, self._overview_mode)
        self._nodes[node.id] = item
        self._router.add_node(node.id)
        self.addItem(item)
        problem = self._problems.get(node.id)
        if problem:
            item.set_problem(*problem)
        return item

    def _add_edge_item(self, edge: Edge) -> EdgeItem | None:
        if edge.source not in self._nodes or edge.target not in self._nodes:
            return None  # dangling: the validator names it; nothing to draw
        item = EdgeItem(edge)
        item.refresh(self.arch)
        item.setFlag(_HAS_NO_CONTENTS, self._overview_mode)
        self._edges[id(edge)] = item
        self._router.add_edge(item)
        self.addItem(item)
        item.label_item.setVisible(self._router.labels_shown)
        self.addItem(item.label_item)
        return item

    def _grow_scene_rect(self) -> None:
        """Room to scroll around the drawing; the rect only grows, so views don't jump.
        An empty design gets the room around the origin at once: left to Qt, the scene
        rect would follow the items and the view would re-centre on every drop.
        (From the cards' positions: itemsBoundingRect would ask every item, edges too.)"""
        xs, ys = [0.0], [0.0]
        if self._nodes:
            xs, ys = [], []
        for item in self._nodes.values():
            xs.append(item.x())
            ys.append(item.y())
        for item in self.annotations.notes.values():
            xs.append(item.x())
            ys.append(item.y())
        bounds = QRectF(min(xs), min(ys), max(xs) - min(xs) + W, max(ys) - min(ys) + H)
        bounds.adjust(-_SCENE_MARGIN, -_SCENE_MARGIN, _SCENE_MARGIN, _SCENE_MARGIN)
        current = self.sceneRect()
        if not current.contains(bounds):
            self.setSceneRect(current.united(bounds) if not current.isEmpty() else bounds)

    # -- edge routing (the EdgeRouter does the work) ----------------------------------

    def drag_moved(self) -> None:
        """During a drag (Qt has just moved the selected cards): snap them to the grid
        and bring their edges along. The model changes only on release."""
        dragged = [i for i in self.selectedItems() if isinstance(i, (NodeItem, NoteItem))]
        moved = {i.node_id for i in dragged if isinstance(i, NodeItem)}
        dx, dy = self._show_guides(moved)
        # Per axis: a smart guide (lining up with a card) wins over the grid.
        for item in dragged:
            x = item.x() + dx if dx is not None else snap(item.x())
            y = item.y() + dy if dy is not None else snap(item.y())
            if x != item.x() or y != item.y():
                item.setPos(x, y)
        self.cards_dragged(moved)

    def cards_dragged(self, moved: set[str]) -> None:
        """Cards moved on screen during a drag: their edges and groups follow."""
        self._router.route_around(moved)
        self.annotations.frame_groups(moved)
        self.overview_changed()

    def _show_guides(self, moved: set[str]) -> tuple[float | None, float | None]:
        """Smart guides: when the dragged cards come within reach of lining up with
        another card's edge or centre, a line shows it; returns the nudge on each axis
        that lines them up (None: no card that close, the grid decides)."""
        self.clear_guides()
        if not moved:
            return None, None
        xs = [self._nodes[node_id].x() for node_id in moved]
        ys = [self._nodes[node_id].y() for node_id in moved]
        others = [(item.x(), item.y(), item.x() + W, item.y() + H)
                  for node_id, item in self._nodes.items() if node_id not in moved]
        dx, dy, lines = smart_guides((min(xs), min(ys), max(xs) + W, max(ys) + H), others)
        for x1, y1, x2, y2 in lines:
            line = QGraphicsLineItem(x1, y1, x2, y2)
            line.setPen(_GUIDE_PEN)
            line.setZValue(5)
            self.addItem(line)
            self._guides.append(line)
        return dx, dy

    def guides(self) -> list[QGraphicsLineItem]:
        return list(self._guides)

    def clear_guides(self) -> None:
        for line in self._guides:
            self.removeItem(line)
        self._guides = []

    @staticmethod
    def snap(value: float) -> float:
        return snap(value)

    def place_stale_labels(self, rect: QRectF) -> None:
        """Place the labels in `rect` that a big change left behind (the view calls this
        when it scrolls, zooms or resizes, before it paints)."""
        self._router.place_stale_labels(rect)

    def _visible_region(self) -> QRectF:
        """What the views show, with a margin (labels there are placed at once)."""
        region = QRectF()
        for view in self.views():
            rect = view.mapToScene(view.viewport().rect()).boundingRect()
            region = region.united(rect.adjusted(-300, -300, 300, 300))
        return region

    # -- moving ------------------------------------------------------------------------

    def begin_move(self) -> None:
        selected = self.selectedItems()
        self._move_start = {i.node_id: i.pos() for i in selected if isinstance(i, NodeItem)}
        self._note_move_start = {i.note_id: i.pos() for i in selected if isinstance(i, NoteItem)}

    def end_move(self) -> None:
        self.clear_guides()
        start, self._move_start = self._move_start, {}
        note_start, self._note_move_start = self._note_move_start, {}
        moved = {n: p for n, p in start.items() if n in self._nodes and self._nodes[n].pos() != p}
        notes = self.annotations.notes
        moved_notes = [n for n, p in note_start.items() if n in notes and notes[n].pos() != p]
        if not moved and not moved_notes:
            return
        old = {n: self.arch.nodes[n].at for n in moved}
        new = {n: (self._nodes[n].pos().x(), self._nodes[n].pos().y()) for n in moved}
        old_notes = {n: self.arch.note(n).at for n in moved_notes}
        new_notes = {n: (notes[n].x(), notes[n].y()) for n in moved_notes}
        self.undo_stack.push(commands.MoveNodesCommand(self.arch, old, new, old_notes=old_notes,
                                                       new_notes=new_notes))
        self._grow_scene_rect()

    def nudge_selection(self, dx: int, dy: int) -> bool:
        """Move the selected nodes and notes one grid step (arrow keys); one undo entry per press."""
        subjects = self.selected_subjects()
        ids = [v for k, v in subjects if k == "node"]
        note_ids = [v for k, v in subjects if k == "note"]
        if not ids and not note_ids:
            return False
        step = style.GRID_SIZE
        old = {n: self.arch.nodes[n].at for n in ids}
        new = {}
        for n in ids:
            pos = self._nodes[n].pos()
            new[n] = (pos.x() + dx * step, pos.y() + dy * step)
        old_notes = {n: self.arch.note(n).at for n in note_ids}
        new_notes = {n: (at[0] + dx * step, at[1] + dy * step) for n, at in old_notes.items()}
        self.undo_stack.push(commands.MoveNodesCommand(self.arch, old, new, old_notes=old_notes,
                                                       new_notes=new_notes))
        return True

    # -- groups and notes (the AnnotationLayer does the work) ---------------------------

    def group_selection(self) -> str | None:
        """Frame the selected nodes as a new group (one undo step) and select it."""
        group_id = self.annotations.group_nodes(self._selected_node_ids())
        if group_id is not None:
            self.select_subject(("group", group_id))
        return group_id

    def ungroup_selection(self) -> bool:
        """Remove the selected groups' frames (or those of the selected nodes); the nodes stay."""
        subjects = self.selected_subjects()
        group_ids = [v for k, v in subjects if k == "group"]
        if not group_ids:
            node_ids = {v for k, v in subjects if k == "node"}
            group_ids = [g.id for g in self.arch.groups if node_ids & set(g.nodes)]
        return self.annotations.remove_groups(group_ids)

    def add_note_at(self, scene_pos: QPointF, text: str = "", avoid_cards: bool = False) -> str:
        """A new note (AnnotationLayer.add_note_at), selected; returns its id."""
        note_id = self.annotations.add_note_at(scene_pos, text, avoid_cards)
        self.select_subject(("note", note_id))
        return note_id

    def taken_rects(self) -> list[tuple[float, float, float, float]]:
        """Where cards and notes are (for placing a new one beside them)."""
        rects = [(item.x(), item.y(), W, H) for item in self._nodes.values()]
        rects += [(item.x(), item.y(), *item.size) for item in self.annotations.notes.values()]
        return rects

    def align_selection(self, how: str) -> bool:
        """Align the selected cards (left, centre, right, top, middle, bottom): one undo step."""
        return self._arrange(lambda at: align(at, how, W, H), f"Align {how}")

    def distribute_selection(self, axis: str) -> bool:
        """Equal gaps between the selected cards ("horizontal" or "vertical"): one undo step."""
        return self._arrange(lambda at: distribute(at, axis, W, H), f"Distribute {axis}ly")

    def _arrange(self, rule, text: str) -> bool:
        ids = self._selected_node_ids()
        if len(ids) < 2:
            self.message.emit("Select two cards or more to arrange them")
            return False
        old = {n: self.arch.nodes[n].at for n in ids}
        new = rule({n: (self._nodes[n].x(), self._nodes[n].y()) for n in ids})
        if all(tuple(new[n]) == (self._nodes[n].x(), self._nodes[n].y()) for n in ids):
            return False
        self.undo_stack.push(commands.MoveNodesCommand(self.arch, old, new, text=text))
        return True

    def auto_layout(self) -> None:
        from model.layout import layered_layout

        new = layered_layout(self.arch)
        old = {n: self.arch.nodes[n].at for n in new}
        if any(old[n] != tuple(new[n]) for n in new):
            self.undo_stack.push(commands.AutoLayoutCommand(self.arch, old, new))

    # -- connecting (the ConnectionDrag draws the rubber line) ---------------------------

    def connecting(self) -> bool:
        return self._connection.active()

    def begin_connection(self, source: NodeItem, scene_pos: QPointF) -> None:
        self._connection.begin(source, scene_pos)

    def update_connection(self, scene_pos: QPointF) -> None:
        self._connection.move(scene_pos)

    def finish_connection(self, scene_pos: QPointF) -> None:
        """Released: add the edge (one undo entry), or say why it may not be drawn."""
        ends = self._connection.finish(scene_pos)
        if ends is None:
            return  # released on empty canvas: nothing asked for
        reason = connection_problem(self.arch, *ends)
        if reason:
            self.connection_refused.emit(reason)
            return
        self.connect_nodes(*ends)

    def connect_nodes(self, source_id: str, target_id: str, kind: str | None = None) -> Edge | None:
        """Add an edge (one undo entry): of this kind, or the pair's first kind not drawn
        yet; it starts with the choices last made on an edge like it."""
        edge = self._edge_choices.new_edge(self.arch, source_id, target_id, kind)
        if edge is not None:
            self.undo_stack.push(commands.AddEdgeCommand(self.arch, edge))
        return edge

    def set_edge_kind(self, edge: Edge, kind: str | None) -> None:
        if kind != edge.kind:
            self.undo_stack.push(commands.SetEdgeKindCommand(self.arch, edge, kind))

    def node_at(self, scene_pos: QPointF) -> NodeItem | None:
        for item in self.items(scene_pos):
            if isinstance(item, NodeItem) and item.card_rect().contains(item.mapFromScene(scene_pos)):
                return item
        return None

    # -- creating, deleting, clipboard -------------------------------------------------

    def add_service_at(self, service_key: str, scene_pos: QPointF, avoid_cards: bool = False) -> str | None:
        """A new node of this service centred where it was dropped; returns its id.
        With `avoid_cards` (added from the palette without a drop point) it goes to the
        nearest place there where it covers no other card."""
        spec = SERVICES.get(service_key)
        if spec is None:
            return None
        node_id = self.arch.unique_id(service_key)
        at = (snap(scene_pos.x() - W / 2), snap(scene_pos.y() - H / 2))
        if avoid_cards:
            at = free_spot(*at, self.taken_rects(), W, H)
        node = Node(node_id, service_key, config=copy.deepcopy(spec.defaults()), at=at)
        self.undo_stack.push(commands.AddNodeCommand(self.arch, node))
        self.select_nodes([node_id])
        return node_id

    def set_node_label(self, node_id: str, text: str) -> None:
        """A label typed on the card or in the inspector (one undo step); a node whose id
        is still the automatic one takes an id after the label (commands.relabel_node)."""
        node = self.arch.nodes.get(node_id)
        if node is None:
            return
        label = text.strip() or None
        if label == node.label or (node.label is None and label == node.id):
            return
        self.undo_stack.push(commands.relabel_node(self.arch, node_id, label))
        if node.id != node_id:  # the same Node object, renamed
            self.message.emit(f"“{label}” now has the id {node.id} (exports name it after this)")

    def delete_selection(self) -> None:
        """Delete what is selected (a group: its frame; its nodes stay unless selected too)."""
        subjects = self.selected_subjects()
        chosen = {kind: [v for k, v in subjects if k == kind] for kind in ("node", "edge", "note", "group")}
        if any(chosen.values()):
            self.undo_stack.push(commands.RemoveItemsCommand(self.arch, chosen["node"], chosen["edge"],
                                                             note_ids=chosen["note"], group_ids=chosen["group"]))

    def copy_selection(self) -> str:
        """The selected nodes and the edges among them, as design-file YAML ("" if none)."""
        return clipboard.copy_nodes(self.arch, self._selected_node_ids())

    def paste(self, text: str, offset=(40.0, 40.0), text_for_undo: str | None = None) -> list[str]:
        """Add the nodes (fresh ids) and edges of copied YAML, shifted by `offset`;
        selects and returns the new node ids ([] if the text holds no design)."""
        dx, dy = (offset.x(), offset.y()) if isinstance(offset, QPointF) else offset
        return self._add_pasted(clipboard.paste_nodes(self.arch, text, (dx, dy), snap), text_for_undo)

    def duplicate_selection(self) -> list[str]:
        pasted = clipboard.duplicate_nodes(self.arch, self._selected_node_ids(), snap=snap)
        count = len(pasted.nodes)
        return self._add_pasted(pasted, f"Duplicate {count} node{'s' if count != 1 else ''}")

    def _add_pasted(self, pasted: clipboard.Pasted, text_for_undo: str | None) -> list[str]:
        if not pasted.nodes:
            return []
        self.undo_stack.push(commands.PasteCommand(self.arch, pasted.nodes, pasted.edges, text=text_for_undo))
        self.select_nodes(pasted.node_ids)
        return pasted.node_ids

    def _selected_node_ids(self) -> list[str]:
        return [v for k, v in self.selected_subjects() if k == "node"]

    # -- level of detail ---------------------------------------------------------------

    def set_zoom_detail(self, zoom: float) -> None:
        """Edge labels are unreadable when zoomed far out: hide them rather than have
        every frame ask each one to paint nothing (the view calls this on zoom)."""
        show = zoom >= _LABEL_MIN_ZOOM
        self._show_labels(show)
        self._set_overview_mode(zoom < style.OVERVIEW_ZOOM)

    def _show_labels(self, show: bool) -> None:
        # Labels left behind while hidden are placed by place_stale_labels, which the
        # view calls for what it shows right after a zoom.
        if show != self._router.labels_shown:
            self._router.labels_shown = show
            for item in self._edges.values():
                item.label_item.setVisible(show)

    def itemsBoundingRect(self) -> QRectF:
        """As Qt's, once labels left behind by a big change sit on their edges."""
        self._router.settle_labels()
        return super().itemsBoundingRect()

    def _set_overview_mode(self, on: bool) -> None:
        """Far out, cards and edges keep their place (selection, hover, hit tests) but
        paint nothing; the OverviewItem draws them all at once (see overview.py)."""
        if on == self._overview_mode:
            return
        self._overview_mode = on
        for item in self._nodes.values():
            item.setFlag(_HAS_NO_CONTENTS, on)
        for item in self._edges.values():
            item.setFlag(_HAS_NO_CONTENTS, on)
        if self._overview is not None:
            self._overview.changed()
            self._overview.setVisible(on)
            self.update()

    def overview_changed(self) -> None:
        """A card or edge moved, came, went or changed colour: redraw the overview."""
        if self._overview_mode and self._overview is not None:
            self._overview.changed()

    def render(self, painter, target=QRectF(), source=QRectF(),
               mode=Qt.AspectRatioMode.KeepAspectRatio) -> None:
        """Exports and thumbnails show the full cards and labels whatever the view's zoom."""
        overview, labels = self._overview_mode, self._router.labels_shown
        self._set_overview_mode(False)
        self._show_labels(True)
        self.place_stale_labels(source if source.isValid() else self.sceneRect())
        try:
            super().render(painter, target, source, mode)
        finally:
            self._show_labels(labels)
            self._set_overview_mode(overview)

    # -- problems ----------------------------------------------------------------------

    def set_problems(self, problems: Iterable) -> None:
        """Badges from the validator's problems (called by the problems panel)."""
        by_node: dict[str, list] = {}
        by_edge: dict[int, list] = {}
        for problem in problems:
            kind, value = (getattr(problem, "target", None) or (None, None))[:2]
            if kind == "node" and value in self.arch.nodes:
                by_node.setdefault(value, []).append(problem)
            elif kind == "edge" and isinstance(value, int) and 0 <= value < len(self.arch.edges):
                by_edge.setdefault(id(self.arch.edges[value]), []).append(problem)
        self._problems = {n: (_worst(ps), "\n".join(f"• {p.message}" for p in ps)) for n, ps in by_node.items()}
        self._edge_problems = {e: _worst(ps) for e, ps in by_edge.items()}
        self._apply_problems()

    def _apply_problems(self) -> None:
        for node_id, item in self._nodes.items():
            item.set_problem(*self._problems.get(node_id, (None, "")))
        for key, item in self._edges.items():
            item.set_problem(self._edge_problems.get(key))
        self.overview_changed()


def _worst(problems: list) -> str:
    return "error" if any(getattr(p, "severity", "error") == "error" for p in problems) else "warning"

