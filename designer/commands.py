"""Undo commands: one QUndoCommand per user action.

Each command changes only the model, through Architecture's mutation methods; the canvas
and the inspector listen to the model and redraw themselves (as in Orange's canvas). So
undo/redo works the same whether the action came from a mouse drag, a menu or a script,
and `QUndoStack.isClean()` tells the main window whether the design has unsaved changes.

`redo()` runs when the command is pushed, so a caller builds the command and pushes it,
never mutating the model itself first.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from PySide6.QtGui import QUndoCommand

from model.architecture import Architecture, Edge, Group, Node, Note, Scenario, id_from_text
from model.catalogue import SERVICES

_MISSING = object()  # "the key was not set", distinct from a stored None

# Ids for QUndoCommand.mergeWith: consecutive edits of the same field collapse into one entry.
_MERGE_NODE_CONFIG = 1
_MERGE_EDGE_CONFIG = 2
_MERGE_PROPERTY = 3
_MERGE_LABEL = 4
_MERGE_SCENARIO = 5
_MERGE_NODES_CONFIG = 6


def _service_name(arch: Architecture, node_id: str) -> str:
    node = arch.nodes.get(node_id)
    spec = SERVICES.get(node.service) if node else None
    return spec.name if spec else "node"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


class AddNodeCommand(QUndoCommand):
    def __init__(self, arch: Architecture, node: Node, parent: QUndoCommand | None = None) -> None:
        spec = SERVICES.get(node.service)
        super().__init__(f"Add {spec.name if spec else node.service}", parent)
        self.arch, self.node = arch, node

    def redo(self) -> None:
        self.arch.add_node(self.node)

    def undo(self) -> None:
        self.arch.remove_node(self.node.id)


class AddEdgeCommand(QUndoCommand):
    def __init__(self, arch: Architecture, edge: Edge, parent: QUndoCommand | None = None) -> None:
        kind = arch.edge_kind(edge) or "edge"
        super().__init__(f"Connect {edge.source} to {edge.target} ({kind.replace('_', ' ')})", parent)
        self.arch, self.edge = arch, edge

    def redo(self) -> None:
        self.arch.add_edge(self.edge)

    def undo(self) -> None:
        self.arch.remove_edge(self.edge)


class RemoveItemsCommand(QUndoCommand):
    """Delete edges, then nodes (with their remaining edges, and out of their groups), then
    notes and groups (a group's nodes stay); undo puts every item back at its former index,
    so the saved file is byte-identical after undo."""

    def __init__(self, arch: Architecture, node_ids, edges, parent: QUndoCommand | None = None,
                 note_ids=(), group_ids=()) -> None:
        self.arch = arch
        self.node_ids = [n for n in dict.fromkeys(node_ids) if n in arch.nodes]
        node_set = set(self.node_ids)
        # Edges attached to a removed node go with it (remove_node records them).
        self.edges = [e for e in edges if e.source not in node_set and e.target not in node_set]
        self.note_ids = [n for n in dict.fromkeys(note_ids) if arch.note(n) is not None]
        self.group_ids = [g for g in dict.fromkeys(group_ids) if arch.group(g) is not None]
        self._removed_edges: list[tuple[int, Edge]] = []
        self._removed_nodes: list[tuple[Node, int, list[tuple[int, Edge]]]] = []
        self._memberships: list[tuple[str, list[str]]] = []  # groups that lost members: (id, members before)
        self._removed_notes: list[tuple[Note, int]] = []
        self._removed_groups: list[tuple[Group, int]] = []
        super().__init__(self._describe(), parent)

    def _describe(self) -> str:
        parts = [_count(len(items), noun) for items, noun in (
            (self.node_ids, "node"), (self.edges, "edge"), (self.note_ids, "note"), (self.group_ids, "group"))
            if items]
        if len(parts) > 2:
            parts = [", ".join(parts[:-1]), parts[-1]]
        return "Delete " + (" and ".join(parts) or "nothing")

    def redo(self) -> None:
        arch, node_set = self.arch, set(self.node_ids)
        self._removed_edges = [(arch.remove_edge(e), e) for e in self.edges]
        self._memberships = [(g.id, list(g.nodes)) for g in arch.groups
                             if g.id not in self.group_ids and node_set & set(g.nodes)]
        for group_id, members in self._memberships:
            arch.update_group(group_id, nodes=[m for m in members if m not in node_set])
        self._removed_nodes = [arch.remove_node(n) for n in self.node_ids]
        self._removed_notes = [arch.remove_note(n) for n in self.note_ids]
        self._removed_groups = [arch.remove_group(g) for g in self.group_ids]

    def undo(self) -> None:
        arch = self.arch
        for group, index in reversed(self._removed_groups):
            arch.add_group(group, index)
        for note, index in reversed(self._removed_notes):
            arch.add_note(note, index)
        for node, index, edges in reversed(self._removed_nodes):
            arch.restore_node(node, index, edges)
        for group_id, members in reversed(self._memberships):
            arch.update_group(group_id, nodes=members)
        for index, edge in reversed(self._removed_edges):
            arch.add_edge(edge, index)
        self._removed_nodes, self._removed_edges = [], []
        self._removed_notes, self._removed_groups, self._memberships = [], [], []


class MoveNodesCommand(QUndoCommand):
    """Positions before and after: a whole drag of a selection (nodes, and the notes
    selected with them) is one entry."""

    def __init__(self, arch: Architecture, old_positions: dict, new_positions: dict,
                 parent: QUndoCommand | None = None, text: str | None = None,
                 old_notes: dict | None = None, new_notes: dict | None = None) -> None:
        self.arch = arch
        self.old, self.new = dict(old_positions), dict(new_positions)
        self.old_notes, self.new_notes = dict(old_notes or {}), dict(new_notes or {})
        if text is None:
            text = self._describe()
        super().__init__(text, parent)
        if self.old == self.new and self.old_notes == self.new_notes:
            self.setObsolete(True)

    def _describe(self) -> str:
        if not self.new_notes:
            return f"Move {next(iter(self.new))}" if len(self.new) == 1 else f"Move {len(self.new)} nodes"
        if not self.new:
            return "Move note" if len(self.new_notes) == 1 else f"Move {len(self.new_notes)} notes"
        return f"Move {len(self.new) + len(self.new_notes)} items"

    def redo(self) -> None:
        self._apply(self.new, self.new_notes)

    def undo(self) -> None:
        self._apply(self.old, self.old_notes)

    def _apply(self, nodes: dict, notes: dict) -> None:
        if nodes:
            self.arch.move_nodes(nodes)
        if notes:
            self.arch.move_notes(notes)


class AutoLayoutCommand(MoveNodesCommand):
    def __init__(self, arch: Architecture, old_positions: dict, new_positions: dict,
                 parent: QUndoCommand | None = None) -> None:
        super().__init__(arch, old_positions, new_positions, parent, text="Auto-layout")


class SetNodeConfigCommand(QUndoCommand):
    """One config field; consecutive edits of the same node and field merge (typing)."""

    def __init__(self, arch: Architecture, node_id: str, key: str, value: Any,
                 parent: QUndoCommand | None = None) -> None:
        super().__init__(f"Set {key}", parent)
        self.arch, self.node_id, self.key = arch, node_id, key
        self.value = copy.deepcopy(value)
        self.old_config = copy.deepcopy(arch.nodes[node_id].config)

    def id(self) -> int:
        return _MERGE_NODE_CONFIG

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetNodeConfigCommand) or (other.node_id, other.key) != (self.node_id, self.key):
            return False
        self.value = other.value
        return True

    def redo(self) -> None:
        self.arch.set_node_config(self.node_id, self.key, self.value)

    def undo(self) -> None:
        # The whole former config: restores a missing key and the key order exactly.
        self.arch.replace_node_config(self.node_id, self.old_config)


class SetNodesConfigCommand(QUndoCommand):
    """One config field set on several nodes at once (multi-select editing); consecutive
    edits of the same field on the same nodes merge (typing)."""

    def __init__(self, arch: Architecture, node_ids, key: str, value: Any,
                 parent: QUndoCommand | None = None) -> None:
        self.node_ids = list(node_ids)
        super().__init__(f"Set {key} on {_count(len(self.node_ids), 'node')}", parent)
        self.arch, self.key = arch, key
        self.value = copy.deepcopy(value)
        self.old_configs = {n: copy.deepcopy(arch.nodes[n].config) for n in self.node_ids}

    def id(self) -> int:
        return _MERGE_NODES_CONFIG

    def mergeWith(self, other: QUndoCommand) -> bool:
        if (not isinstance(other, SetNodesConfigCommand) or other.node_ids != self.node_ids
                or other.key != self.key):
            return False
        self.value = other.value
        return True

    def redo(self) -> None:
        for node_id in self.node_ids:
            self.arch.set_node_config(node_id, self.key, self.value)

    def undo(self) -> None:
        for node_id in self.node_ids:
            self.arch.replace_node_config(node_id, self.old_configs[node_id])


class SetNodeLabelCommand(QUndoCommand):
    def __init__(self, arch: Architecture, node_id: str, label: str | None,
                 parent: QUndoCommand | None = None) -> None:
        super().__init__("Rename node", parent)
        self.arch, self.node_id = arch, node_id
        self.label = label or None
        self.old = arch.nodes[node_id].label

    def id(self) -> int:
        return _MERGE_LABEL

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetNodeLabelCommand) or other.node_id != self.node_id:
            return False
        self.label = other.label
        return True

    def redo(self) -> None:
        self.arch.set_node_label(self.node_id, self.label)

    def undo(self) -> None:
        self.arch.set_node_label(self.node_id, self.old)


class RenameNodeCommand(QUndoCommand):
    """A new id for a node; its edges, loads and overrides follow (Architecture.rename_node).
    The caller checks `arch.node_id_problem` first: an invalid id raises."""

    def __init__(self, arch: Architecture, old_id: str, new_id: str, parent: QUndoCommand | None = None) -> None:
        super().__init__(f"Rename id {old_id} to {new_id}", parent)
        self.arch, self.old_id, self.new_id = arch, old_id, new_id

    def redo(self) -> None:
        self.arch.rename_node(self.old_id, self.new_id)

    def undo(self) -> None:
        self.arch.rename_node(self.new_id, self.old_id)


def has_automatic_id(node: Node) -> bool:
    """True while a node keeps the id it got when added ('lambda', 'lambda_2'): nobody
    has chosen one yet, so it may follow the label."""
    return re.fullmatch(rf"{re.escape(node.service)}(_\d+)?", node.id) is not None


def relabel_node(arch: Architecture, node_id: str, label: str | None) -> QUndoCommand:
    """The command for a new label (one undo step). A node whose id is still the automatic
    one takes an id spelled after the label too ('Create order' -> create_order), so
    exports get meaningful names without a separate rename."""
    label = (label or "").strip() or None
    node = arch.nodes[node_id]
    if label and has_automatic_id(node):
        wanted = id_from_text(label)
        new_id = wanted if wanted == node_id else arch.unique_id(wanted)
        if new_id != node_id and arch.node_id_problem(new_id, node_id) is None:
            return StepsCommand(f"Rename {node.display_name} to {label} (id {new_id})",
                                [SetNodeLabelCommand(arch, node_id, label), RenameNodeCommand(arch, node_id, new_id)])
    return SetNodeLabelCommand(arch, node_id, label)


class StepsCommand(QUndoCommand):
    """Several commands as one undo entry, done in order and undone in reverse. (Not Qt's
    child commands: their Python objects would have to be kept alive by hand anyway.)"""

    def __init__(self, text: str, steps: list[QUndoCommand], parent: QUndoCommand | None = None) -> None:
        super().__init__(text, parent)
        self.steps = list(steps)

    def redo(self) -> None:
        for step in self.steps:
            step.redo()

    def undo(self) -> None:
        for step in reversed(self.steps):
            step.undo()


class SetEdgeConfigCommand(QUndoCommand):
    def __init__(self, arch: Architecture, edge: Edge, key: str, value: Any,
                 parent: QUndoCommand | None = None) -> None:
        super().__init__(f"Set {key}", parent)
        self.arch, self.edge, self.key = arch, edge, key
        self.value = copy.deepcopy(value)
        self.old = copy.deepcopy(edge.config[key]) if key in edge.config else _MISSING

    def id(self) -> int:
        return _MERGE_EDGE_CONFIG

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetEdgeConfigCommand) or other.edge is not self.edge or other.key != self.key:
            return False
        self.value = other.value
        return True

    def redo(self) -> None:
        self.arch.set_edge_config(self.edge, self.key, self.value)

    def undo(self) -> None:
        self.arch.set_edge_config(self.edge, self.key, None if self.old is _MISSING else self.old)


class SetEdgeRoutesCommand(QUndoCommand):
    """An API edge's list of routes after one route was added, removed or changed: one
    undo step each (never merged with the next). It writes the `routes` list and drops
    the older single `method` + `path`, which the list replaces."""

    _KEYS = ("routes", "method", "path")

    def __init__(self, arch: Architecture, edge: Edge, routes: list[str], text: str,
                 parent: QUndoCommand | None = None) -> None:
        super().__init__(text, parent)
        self.arch, self.edge, self.routes = arch, edge, list(routes)
        self.old = {key: copy.deepcopy(edge.config[key]) for key in self._KEYS if key in edge.config}

    def redo(self) -> None:
        self.arch.set_edge_config(self.edge, "method", None)
        self.arch.set_edge_config(self.edge, "path", None)
        self.arch.set_edge_config(self.edge, "routes", self.routes)

    def undo(self) -> None:
        for key in self._KEYS:
            self.arch.set_edge_config(self.edge, key, self.old.get(key))


class SetEdgeKindCommand(QUndoCommand):
    def __init__(self, arch: Architecture, edge: Edge, kind: str | None, parent: QUndoCommand | None = None) -> None:
        super().__init__(f"Make the edge {(kind or 'default').replace('_', ' ')}", parent)
        self.arch, self.edge, self.kind, self.old = arch, edge, kind, edge.kind

    def redo(self) -> None:
        self.arch.set_edge_kind(self.edge, self.kind)

    def undo(self) -> None:
        self.arch.set_edge_kind(self.edge, self.old)


class AddScenarioCommand(QUndoCommand):
    def __init__(self, arch: Architecture, scenario: Scenario, parent: QUndoCommand | None = None) -> None:
        super().__init__(f"Add scenario {scenario.name}", parent)
        self.arch, self.scenario = arch, scenario

    def redo(self) -> None:
        self.arch.add_scenario(self.scenario)

    def undo(self) -> None:
        self.arch.remove_scenario(self.scenario.name)


class RemoveScenarioCommand(QUndoCommand):
    def __init__(self, arch: Architecture, name: str, parent: QUndoCommand | None = None) -> None:
        super().__init__(f"Delete scenario {name}", parent)
        self.arch, self.name = arch, name
        self._removed: tuple[Scenario, int] | None = None

    def redo(self) -> None:
        self._removed = self.arch.remove_scenario(self.name)

    def undo(self) -> None:
        scenario, index = self._removed
        self.arch.add_scenario(scenario, index)


class ReplaceScenarioCommand(QUndoCommand):
    """Swap a scenario for an edited copy. With `merge_key` (e.g. the field being typed),
    consecutive edits of the same scenario and key merge into one entry."""

    def __init__(self, arch: Architecture, old_name: str, scenario: Scenario,
                 parent: QUndoCommand | None = None, merge_key: str | None = None) -> None:
        super().__init__(f"Edit scenario {scenario.name}", parent)
        self.arch, self.old_name, self.scenario = arch, old_name, scenario
        self.merge_key = merge_key
        self.old = copy.deepcopy(arch.scenario(old_name))

    def id(self) -> int:
        return _MERGE_SCENARIO if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if (not isinstance(other, ReplaceScenarioCommand) or other.merge_key != self.merge_key
                or other.old_name != self.scenario.name):
            return False
        self.scenario = other.scenario
        self.setText(other.text())
        return True

    def redo(self) -> None:
        self.arch.replace_scenario(self.old_name, self.scenario)

    def undo(self) -> None:
        self.arch.replace_scenario(self.scenario.name, self.old)


class SetPropertyCommand(QUndoCommand):
    """Design settings: `name`, `region`, `account.<field>` or `account.quotas.<quota>`."""

    def __init__(self, arch: Architecture, key: str, value: Any, parent: QUndoCommand | None = None) -> None:
        super().__init__(f"Set {key.split('.')[-1]}", parent)
        self.arch, self.key, self.value = arch, key, value
        self.old = arch.property_value(key)  # None: not set (the default applies)

    def id(self) -> int:
        return _MERGE_PROPERTY

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetPropertyCommand) or other.key != self.key:
            return False
        self.value = other.value
        return True

    def redo(self) -> None:
        self.arch.set_property(self.key, self.value)

    def undo(self) -> None:
        self.arch.set_property(self.key, self.old)


class PasteCommand(QUndoCommand):
    """Nodes and the edges among them, added as one entry (paste, duplicate)."""

    def __init__(self, arch: Architecture, nodes: list[Node], edges: list[Edge],
                 parent: QUndoCommand | None = None, text: str | None = None) -> None:
        super().__init__(text or f"Paste {_count(len(nodes), 'node')}", parent)
        self.arch, self.nodes, self.edges = arch, list(nodes), list(edges)

    def redo(self) -> None:
        for node in self.nodes:
            self.arch.add_node(node)
        for edge in self.edges:
            self.arch.add_edge(edge)

    def undo(self) -> None:
        for edge in reversed(self.edges):
            self.arch.remove_edge(edge)
        for node in reversed(self.nodes):
            self.arch.remove_node(node.id)


# --------------------------------------------------------------------------------------
# Annotations: notes and groups


class AddNoteCommand(QUndoCommand):
    def __init__(self, arch: Architecture, note: Note, parent: QUndoCommand | None = None) -> None:
        super().__init__("Add note", parent)
        self.arch, self.note = arch, note

    def redo(self) -> None:
        self.arch.add_note(self.note)

    def undo(self) -> None:
        self.arch.remove_note(self.note.id)


class UpdateNoteCommand(QUndoCommand):
    """A note's text, position or size."""

    def __init__(self, arch: Architecture, note_id: str, description: str, parent: QUndoCommand | None = None,
                 **values: Any) -> None:
        super().__init__(description, parent)
        note = arch.note(note_id)
        self.arch, self.note_id = arch, note_id
        self.new = copy.deepcopy(values)
        self.old = {key: copy.deepcopy(getattr(note, key)) for key in values}

    def redo(self) -> None:
        self.arch.update_note(self.note_id, **self.new)

    def undo(self) -> None:
        self.arch.update_note(self.note_id, **self.old)


class AddGroupCommand(QUndoCommand):
    def __init__(self, arch: Architecture, group: Group, parent: QUndoCommand | None = None) -> None:
        super().__init__(f"Group {_count(len(group.nodes), 'node')}", parent)
        self.arch, self.group = arch, group

    def redo(self) -> None:
        self.arch.add_group(self.group)

    def undo(self) -> None:
        self.arch.remove_group(self.group.id)


class UpdateGroupCommand(QUndoCommand):
    """A group's label, colour or members."""

    def __init__(self, arch: Architecture, group_id: str, description: str, parent: QUndoCommand | None = None,
                 **values: Any) -> None:
        super().__init__(description, parent)
        group = arch.group(group_id)
        self.arch, self.group_id = arch, group_id
        self.new = copy.deepcopy(values)
        self.old = {key: copy.deepcopy(getattr(group, key)) for key in values}

    def redo(self) -> None:
        self.arch.update_group(self.group_id, **self.new)

    def undo(self) -> None:
        self.arch.update_group(self.group_id, **self.old)
