"""The groups and notes of a DiagramScene: their items, kept in step with the model, and
the gestures on them (group, ungroup, rename, colour, drag a frame, write and resize a
note) turned into undo commands.

A group's frame is drawn around its member cards, so whatever moves a card reframes its
groups (`frame_groups`). Notes move with the selection like cards; that, and deleting
them, is the scene's business, because it treats them together with the nodes.
"""

from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import QPointF, QRectF

from model.architecture import Change, Group, Note

from .. import commands, style
from .annotation_items import GroupItem, NoteItem
from .node_item import H, W, snap
from .placement import free_spot


class AnnotationLayer:
    def __init__(self, scene) -> None:
        """`scene`: the DiagramScene that owns this layer (not imported: it imports us)."""
        self.scene, self.arch, self.undo_stack = scene, scene.arch, scene.undo_stack
        self.notes: dict[str, NoteItem] = {}
        self.groups: dict[str, GroupItem] = {}
        self._group_drag: tuple[str, dict[str, QPointF]] | None = None  # (group id, its nodes' start)

    # -- building and following the model ------------------------------------------------

    def rebuild(self) -> None:
        """Items for every note and group (after the scene has made its cards)."""
        self.notes, self.groups, self._group_drag = {}, {}, None
        for note in self.arch.notes:
            self._add_note_item(note)
        for group in self.arch.groups:
            self._add_group_item(group)

    def on_change(self, change: Change) -> bool:
        """Follow a note_* or group_* change; False if the change is not about them."""
        handler = getattr(self, f"_on_{change.what}", None)
        if handler is None:
            return False
        handler(change)
        return True

    def _on_note_added(self, change: Change) -> None:
        self._add_note_item(self.arch.note(change.subject))

    def _on_note_removed(self, change: Change) -> None:
        item = self.notes.pop(change.subject, None)
        if item is not None:
            self.scene.removeItem(item)

    def _on_note_changed(self, change: Change) -> None:
        item, note = self.notes.get(change.subject), self.arch.note(change.subject)
        if item is not None and note is not None:
            item.refresh(note)
            item.setPos(*note.at)

    def _on_notes_moved(self, change: Change) -> None:
        for note_id in change.subject:
            item, note = self.notes.get(note_id), self.arch.note(note_id)
            if item is not None and note is not None:
                item.setPos(*note.at)

    def _on_group_added(self, change: Change) -> None:
        self._add_group_item(self.arch.group(change.subject))

    def _on_group_removed(self, change: Change) -> None:
        item = self.groups.pop(change.subject, None)
        if item is not None:
            self.scene.removeItem(item)

    def _on_group_changed(self, change: Change) -> None:
        item, group = self.groups.get(change.subject), self.arch.group(change.subject)
        if item is not None and group is not None:
            item.refresh(group)
            self._frame_group(item)

    def node_renamed(self, new_id: str) -> None:
        for group in self.arch.groups_of(new_id):
            self.groups[group.id].refresh(group)

    def _add_note_item(self, note: Note) -> NoteItem:
        item = NoteItem(note)
        item.setPos(*note.at)
        self.notes[note.id] = item
        self.scene.addItem(item)
        return item

    def _add_group_item(self, group: Group) -> GroupItem:
        item = GroupItem(group)
        self.groups[group.id] = item
        self.scene.addItem(item)
        self._frame_group(item)
        return item

    # -- frames --------------------------------------------------------------------------

    def frame_groups(self, node_ids: set[str]) -> None:
        """Redraw the frames of the groups these nodes belong to (none: nothing to do)."""
        if not self.groups or not node_ids:
            return
        for item in self.groups.values():
            if not node_ids.isdisjoint(item.member_ids):
                self._frame_group(item)

    def _frame_group(self, item: GroupItem) -> None:
        cards = QRectF()
        for node_id in item.member_ids:
            card = self.scene.node_item(node_id)
            if card is not None:
                cards = cards.united(QRectF(card.x(), card.y(), W, H))
        item.set_frame(cards)

    def drawing_rect(self) -> QRectF:
        rect = QRectF()
        for item in self.notes.values():
            rect = rect.united(item.mapRectToScene(item.card_rect()))
        for item in self.groups.values():
            rect = rect.united(item.frame())
        return rect

    # -- dragging a frame moves its nodes --------------------------------------------------

    def begin_group_drag(self, group_id: str) -> None:
        item = self.groups.get(group_id)
        cards = {n: self.scene.node_item(n) for n in (item.member_ids if item else ())}
        self._group_drag = (group_id, {n: card.pos() for n, card in cards.items() if card is not None})

    def drag_group(self, delta: QPointF) -> None:
        """The frame is dragged: its nodes follow (snapped); the model changes on release."""
        if self._group_drag is None:
            return
        group_id, start = self._group_drag
        dx, dy = snap(delta.x()), snap(delta.y())
        for node_id, pos in start.items():
            self.scene.node_item(node_id).setPos(pos.x() + dx, pos.y() + dy)
        self.scene.cards_dragged(set(start))

    def end_group_drag(self) -> None:
        drag, self._group_drag = self._group_drag, None
        if drag is None:
            return
        group_id, start = drag
        cards = {n: self.scene.node_item(n) for n in start}
        moved = [n for n, p in start.items() if cards[n] is not None and cards[n].pos() != p]
        if not moved:
            return
        old = {n: self.arch.nodes[n].at for n in moved}
        new = {n: (cards[n].x(), cards[n].y()) for n in moved}
        label = self.arch.group(group_id).label or "group"
        self.undo_stack.push(commands.MoveNodesCommand(self.arch, old, new, text=f"Move {label}"))

    # -- groups --------------------------------------------------------------------------

    def group_nodes(self, node_ids: list[str]) -> str | None:
        """Frame these nodes as a new group (one undo step); returns its id."""
        if not node_ids:
            return None
        group_id = self.arch.unique_annotation_id("group")
        colour = style.GROUP_COLOURS[len(self.arch.groups) % len(style.GROUP_COLOURS)][1]
        self.undo_stack.push(commands.AddGroupCommand(self.arch, Group(group_id, "Group", node_ids, colour)))
        return group_id

    def remove_groups(self, group_ids: list[str]) -> bool:
        """Remove these frames (their nodes stay): one undo step."""
        if not group_ids:
            return False
        self.undo_stack.push(commands.RemoveItemsCommand(self.arch, [], [], group_ids=group_ids))
        return True

    def set_group_label(self, group_id: str, text: str) -> None:
        group = self.arch.group(group_id)
        label = text.strip()
        if group is not None and label and label != group.label:
            self.undo_stack.push(commands.UpdateGroupCommand(self.arch, group_id, f"Rename group to {label}",
                                                             label=label))

    def set_group_colour(self, group_id: str, colour: str) -> None:
        group = self.arch.group(group_id)
        if group is not None and colour != group.colour:
            self.undo_stack.push(commands.UpdateGroupCommand(self.arch, group_id, "Colour group", colour=colour))

    def add_to_group(self, group_id: str, node_ids: Iterable[str]) -> None:
        group = self.arch.group(group_id)
        members = list(group.nodes) + [n for n in node_ids if n not in group.nodes]
        if members != group.nodes:
            self.undo_stack.push(commands.UpdateGroupCommand(
                self.arch, group_id, f"Add to {group.label or 'group'}", nodes=members))

    def remove_from_group(self, group_id: str, node_ids: Iterable[str]) -> None:
        group, leaving = self.arch.group(group_id), set(node_ids)
        members = [n for n in group.nodes if n not in leaving]
        if members != group.nodes:
            self.undo_stack.push(commands.UpdateGroupCommand(
                self.arch, group_id, f"Remove from {group.label or 'group'}", nodes=members))

    # -- notes ---------------------------------------------------------------------------

    def add_note_at(self, scene_pos: QPointF, text: str = "", avoid_cards: bool = False) -> str:
        """A new note with its top left corner here (snapped), or with `avoid_cards` the
        nearest place around its middle where it covers no card or note; returns its id."""
        note_id = self.arch.unique_annotation_id("note")
        size = Note(note_id).size
        at = (snap(scene_pos.x()), snap(scene_pos.y()))
        if avoid_cards:
            at = free_spot(snap(scene_pos.x() - size[0] / 2), snap(scene_pos.y() - size[1] / 2),
                           self.scene.taken_rects(), *size)
        self.undo_stack.push(commands.AddNoteCommand(self.arch, Note(note_id, text, at)))
        return note_id

    def set_note_text(self, note_id: str, text: str) -> None:
        note = self.arch.note(note_id)
        if note is not None and text != note.text:
            self.undo_stack.push(commands.UpdateNoteCommand(self.arch, note_id, "Edit note", text=text))

    def resize_note(self, note_id: str, size: tuple[float, float]) -> None:
        note = self.arch.note(note_id)
        if note is not None and tuple(size) != tuple(note.size):
            self.undo_stack.push(commands.UpdateNoteCommand(self.arch, note_id, "Resize note", size=tuple(size)))
