"""The document model: nodes, edges and scenarios, with change notifications.

Plain Python, no Qt: the designer subscribes with `Architecture.subscribe(callback)` and
redraws when told, the same way any headless client could. Every mutation goes through a
method here so that no change escapes the listeners (and so the GUI's undo commands have
one small vocabulary to call).

Unknown keys read from a file are kept in each object's `extra` mapping and written back.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable

from .catalogue import ACCOUNT_FIELDS, SERVICES, edge_rule
from .errors import StratusError
from .quotas import QUOTAS, quota_overrides, quota_value


@dataclass
class Node:
    id: str
    service: str
    config: dict[str, Any] = field(default_factory=dict)
    label: str | None = None
    at: tuple[float, float] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def display_name(self) -> str:
        return self.label or self.id

    def effective_config(self) -> dict[str, Any]:
        """Catalogue defaults overlaid with what the design sets."""
        spec = SERVICES.get(self.service)
        merged = spec.defaults() if spec else {}
        merged.update(self.config)
        return merged


# The HTTP methods an API route may have (ANY: every method).
ROUTE_METHODS = ("ANY", "GET", "POST", "PUT", "PATCH", "DELETE")


def route_text(method: str, path: str) -> str:
    """One route as the design file writes it: "GET /items/{id}"."""
    return f"{str(method).upper()} /{str(path).strip().strip('/')}"


def parse_route(text: Any) -> tuple[str, str] | None:
    """("GET", "/items") from "GET /items" (method upper-cased, path with one leading slash
    and no trailing one); None when the text is not a route."""
    if not isinstance(text, str):
        return None
    method, _, path = text.strip().partition(" ")
    path = path.strip()
    if method.upper() not in ROUTE_METHODS or not path.startswith("/") or any(c.isspace() for c in path):
        return None
    return method.upper(), "/" + path.strip("/")


@dataclass
class Edge:
    source: str
    target: str
    config: dict[str, Any] = field(default_factory=dict)  # action, calls, batch_size...
    kind: str | None = None  # None: the catalogue's default kind for the pair
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.source, self.target, self.kind)

    def describe(self) -> str:
        return f"edge {self.source} -> {self.target}"

    @property
    def routes(self) -> list[tuple[str, str]]:
        """An API edge's routes as (method, path): its `routes` list ("GET /items", a list or
        one text of routes separated by commas), or the older single `method` + `path`.
        Entries that are not routes are left out (the validator names them)."""
        listed = self.config.get("routes")
        if isinstance(listed, str):
            listed = [part for part in listed.split(",") if part.strip()]
        if isinstance(listed, list) and listed:
            found = [parse_route(text) for text in listed]
            return list(dict.fromkeys(r for r in found if r is not None))
        return [parse_route(route_text(self.config.get("method", "ANY"), self.config.get("path", "/")))
                or ("ANY", "/")]


@dataclass
class Load:
    entry: str
    pattern: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Scenario:
    name: str
    duration_s: float = 600.0
    seed: int = 1
    load: list[Load] = field(default_factory=list)
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    warmup_s: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Note:
    """A free text on the canvas (DESIGN.md section 3, `annotations.notes`)."""

    id: str
    text: str = ""
    at: tuple[float, float] = (0.0, 0.0)
    size: tuple[float, float] = (220.0, 100.0)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Group:
    """A named, coloured frame around nodes (`annotations.groups`): an account, a bounded
    context. It has no position of its own: it is drawn around its nodes."""

    id: str
    label: str = ""
    nodes: list[str] = field(default_factory=list)
    colour: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """What changed, for listeners. `what` is one of the names in CHANGE_KINDS."""

    what: str
    subject: Any = None  # node id, edge, scenario name...
    detail: Any = None


# A node id (DESIGN.md section 3): exporters derive CloudFormation and Terraform names from it.
NODE_ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def id_from_text(text: str) -> str:
    """A node id spelled after a display name: 'Create order' -> 'create_order'
    (ASCII letters, digits and _, starting with a letter; 'node' when nothing is left)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9]+", "_", plain).strip("_").lower()
    if not stem:
        return "node"
    return stem if stem[0].isalpha() else f"n_{stem}"


CHANGE_KINDS = (
    "node_added", "node_removed", "node_changed", "node_moved", "node_renamed",
    "edge_added", "edge_removed", "edge_changed",
    "scenario_added", "scenario_removed", "scenario_changed",
    "note_added", "note_removed", "note_changed", "notes_moved",
    "group_added", "group_removed", "group_changed",
    "properties_changed", "reset",
)

Listener = Callable[[Change], None]


class Architecture:
    """A design: what the file holds, with mutation methods that notify listeners."""

    def __init__(self, name: str = "Untitled", region: str = "us-east-1") -> None:
        self.name = name
        self.region = region
        self.account: dict[str, Any] = {}
        self.nodes: dict[str, Node] = {}  # insertion order is file order
        self.edges: list[Edge] = []
        self.scenarios: list[Scenario] = []
        # Canvas-only annotations (ignored by the simulator and the exporters).
        self.notes: list[Note] = []
        self.groups: list[Group] = []
        self.annotations_extra: dict[str, Any] = {}  # unknown keys under `annotations`
        self.extra: dict[str, Any] = {}
        self.source_map: dict[tuple, int] = {}  # ("node", id) -> line in the file read
        self.file_problems: list = []  # parts of the file read too malformed to keep
        self._listeners: list[Listener] = []

    # -- listeners ---------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _notify(self, what: str, subject: Any = None, detail: Any = None) -> None:
        change = Change(what, subject, detail)
        for listener in list(self._listeners):
            listener(change)

    # -- queries -----------------------------------------------------------------------

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def edges_from(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.source == node_id]

    def edges_to(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.target == node_id]

    def find_edge(self, source: str, target: str, kind: str | None = None) -> Edge | None:
        return next((e for e in self.edges
                     if e.source == source and e.target == target and (kind is None or e.kind == kind)),
                    None)

    def edge_kind(self, edge: Edge) -> str | None:
        """The edge's explicit kind or the catalogue default for its pair."""
        if edge.kind:
            return edge.kind
        src, dst = self.nodes.get(edge.source), self.nodes.get(edge.target)
        rule = edge_rule(src.service, dst.service) if src and dst else None
        return rule.kind if rule else None

    def note(self, note_id: str) -> Note | None:
        return next((n for n in self.notes if n.id == note_id), None)

    def group(self, group_id: str) -> Group | None:
        return next((g for g in self.groups if g.id == group_id), None)

    def groups_of(self, node_id: str) -> list[Group]:
        return [g for g in self.groups if node_id in g.nodes]

    def unique_annotation_id(self, stem: str) -> str:
        """An id for a new note or group (`note_1`, `group_2`...) that no annotation has."""
        taken = {n.id for n in self.notes} | {g.id for g in self.groups}
        n = 1
        while f"{stem}_{n}" in taken:
            n += 1
        return f"{stem}_{n}"

    def scenario(self, name: str) -> Scenario | None:
        return next((s for s in self.scenarios if s.name == name), None)

    def pick_scenario(self, name: str | None) -> Scenario:
        """The named scenario, or the first one when `name` is None; StratusError (one
        wording for the engine, sweeps and the command line) when there is none."""
        if name is None:
            if not self.scenarios:
                raise StratusError("the design has no scenarios to run")
            return self.scenarios[0]
        found = self.scenario(name)
        if found is None:
            known = ", ".join(s.name for s in self.scenarios) or "none"
            raise StratusError(f"no scenario named '{name}' (scenarios: {known})")
        return found

    def account_setting(self, name: str) -> Any:
        """An account field (`concurrency_limit`), or a regional quota of model.quotas: its
        `account.quotas` override, else AWS's default for the design's region."""
        if name in QUOTAS:
            return quota_value(name, self.region, self.account, self.account_setting("concurrency_limit"))
        default = next(f.default for f in ACCOUNT_FIELDS if f.name == name)
        return self.account.get(name, default)

    def unique_id(self, base: str) -> str:
        """A node id not yet used, derived from `base` (for new and pasted nodes)."""
        stem = "".join(c if (c.isascii() and c.isalnum()) or c == "_" else "_" for c in base) or "node"
        if not stem[0].isalpha():
            stem = "n_" + stem
        if stem not in self.nodes:
            return stem
        n = 2
        while f"{stem}_{n}" in self.nodes:
            n += 1
        return f"{stem}_{n}"

    def node_id_problem(self, new_id: str, old_id: str | None = None) -> str | None:
        """Why `new_id` cannot be a node's id (the node `old_id` being renamed), or None."""
        if new_id == old_id:
            return None
        if not new_id:
            return "a node id cannot be empty"
        if not NODE_ID_PATTERN.match(new_id):
            return (f"'{new_id}' is not a valid node id: it must start with a letter and hold only "
                    "letters, digits and _ (exporters make resource names from it)")
        if new_id in self.nodes:
            other = self.nodes[new_id]
            named = f" ({other.label})" if other.label else ""
            return f"'{new_id}' is already the id of another node{named}"
        user = self._mentions(new_id)
        if user:
            # Taking it would join those leftovers to this node, and a rename back could
            # not tell them apart: refused rather than guessed.
            return f"'{new_id}' is still named by {user}, although no node has that id"
        return None

    def _mentions(self, node_id: str) -> str | None:
        """Where a design still names a node id (an edge, a load, an override, a group)."""
        for edge in self.edges:
            if node_id in (edge.source, edge.target):
                return edge.describe()
        for scenario in self.scenarios:
            if node_id in scenario.overrides or any(load.entry == node_id for load in scenario.load):
                return f"scenario '{scenario.name}'"
        for group in self.groups:
            if node_id in group.nodes:
                return f"group '{group.label or group.id}'"
        return None

    # -- node mutations ----------------------------------------------------------------

    def add_node(self, node: Node, index: int | None = None) -> Node:
        if node.id in self.nodes:
            raise ValueError(f"node id {node.id!r} is already used")
        items = list(self.nodes.items())
        items.insert(len(items) if index is None else index, (node.id, node))
        self.nodes = dict(items)
        self._notify("node_added", node.id)
        return node

    def remove_node(self, node_id: str) -> tuple[Node, int, list[tuple[int, Edge]]]:
        """Remove a node and its edges; returns what is needed to put them back."""
        index = list(self.nodes).index(node_id)
        removed_edges = [(i, e) for i, e in enumerate(self.edges)
                         if node_id in (e.source, e.target)]
        for i, edge in reversed(removed_edges):
            del self.edges[i]
            self._notify("edge_removed", edge)
        node = self.nodes.pop(node_id)
        self._notify("node_removed", node_id)
        return node, index, removed_edges

    def restore_node(self, node: Node, index: int, edges: list[tuple[int, Edge]]) -> None:
        """Undo of `remove_node`."""
        self.add_node(node, index)
        for i, edge in edges:
            self.add_edge(edge, i)

    def set_node_config(self, node_id: str, key: str, value: Any) -> None:
        """Set one config field; `value=None` on a non-nullable field removes the key."""
        node = self.nodes[node_id]
        spec = SERVICES.get(node.service)
        fdef = spec.field(key) if spec else None
        if value is None and not (fdef and fdef.nullable):
            node.config.pop(key, None)
        else:
            node.config[key] = copy.deepcopy(value)
        self._notify("node_changed", node_id, key)

    def replace_node_config(self, node_id: str, config: dict[str, Any]) -> None:
        self.nodes[node_id].config = copy.deepcopy(config)
        self._notify("node_changed", node_id, None)

    def set_node_label(self, node_id: str, label: str | None) -> None:
        self.nodes[node_id].label = label or None
        self._notify("node_changed", node_id, "label")

    def rename_node(self, old_id: str, new_id: str) -> None:
        """Give a node another id; its edges, the scenarios' loads and overrides follow.
        StratusError (with the reason) if the id is invalid or taken. Renaming back
        restores the design exactly."""
        problem = self.node_id_problem(new_id, old_id)
        if problem:
            raise StratusError(problem)
        if new_id == old_id:
            return
        self.nodes = {(new_id if key == old_id else key): node for key, node in self.nodes.items()}
        self.nodes[new_id].id = new_id
        for edge in self.edges:
            if edge.source == old_id:
                edge.source = new_id
            if edge.target == old_id:
                edge.target = new_id
        for scenario in self.scenarios:
            for load in scenario.load:
                if load.entry == old_id:
                    load.entry = new_id
            if old_id in scenario.overrides:
                scenario.overrides = {(new_id if key == old_id else key): value
                                      for key, value in scenario.overrides.items()}
        for group in self.groups:
            group.nodes = [new_id if member == old_id else member for member in group.nodes]
        self._notify("node_renamed", old_id, new_id)

    def move_nodes(self, positions: dict[str, tuple[float, float] | None]) -> None:
        """Move many nodes as one change (a drag of a selection is one undo entry)."""
        for node_id, at in positions.items():
            self.nodes[node_id].at = None if at is None else (float(at[0]), float(at[1]))
        self._notify("node_moved", tuple(positions))

    # -- edge mutations ----------------------------------------------------------------

    def add_edge(self, edge: Edge, index: int | None = None) -> Edge:
        self.edges.insert(len(self.edges) if index is None else index, edge)
        self._notify("edge_added", edge)
        return edge

    def remove_edge(self, edge: Edge) -> int:
        index = next(i for i, e in enumerate(self.edges) if e is edge)
        del self.edges[index]
        self._notify("edge_removed", edge)
        return index

    def set_edge_kind(self, edge: Edge, kind: str | None) -> None:
        """Another kind for a pair that has several (Lambda -> SQS: send or on_failure);
        None is the pair's default kind."""
        edge.kind = kind
        self._notify("edge_changed", edge, "kind")

    def set_edge_config(self, edge: Edge, key: str, value: Any) -> None:
        if value is None:
            edge.config.pop(key, None)
        else:
            edge.config[key] = copy.deepcopy(value)
        self._notify("edge_changed", edge, key)

    # -- annotations: notes and groups -------------------------------------------------

    def add_note(self, note: Note, index: int | None = None) -> Note:
        self.notes.insert(len(self.notes) if index is None else index, note)
        self._notify("note_added", note.id)
        return note

    def remove_note(self, note_id: str) -> tuple[Note, int]:
        index = next(i for i, n in enumerate(self.notes) if n.id == note_id)
        note = self.notes.pop(index)
        self._notify("note_removed", note_id)
        return note, index

    def update_note(self, note_id: str, **values: Any) -> None:
        """Set `text`, `at` and/or `size` of a note."""
        note = self.note(note_id)
        for key, value in values.items():
            if key not in ("text", "at", "size"):
                raise KeyError(key)
            setattr(note, key, value if key == "text" else (float(value[0]), float(value[1])))
        self._notify("note_changed", note_id, tuple(values))

    def move_notes(self, positions: dict[str, tuple[float, float]]) -> None:
        """Move many notes as one change (they move with the nodes of a selection)."""
        for note_id, at in positions.items():
            self.note(note_id).at = (float(at[0]), float(at[1]))
        self._notify("notes_moved", tuple(positions))

    def add_group(self, group: Group, index: int | None = None) -> Group:
        self.groups.insert(len(self.groups) if index is None else index, group)
        self._notify("group_added", group.id)
        return group

    def remove_group(self, group_id: str) -> tuple[Group, int]:
        index = next(i for i, g in enumerate(self.groups) if g.id == group_id)
        group = self.groups.pop(index)
        self._notify("group_removed", group_id)
        return group, index

    def update_group(self, group_id: str, **values: Any) -> None:
        """Set `label`, `colour` and/or `nodes` (its members) of a group."""
        group = self.group(group_id)
        for key, value in values.items():
            if key not in ("label", "colour", "nodes"):
                raise KeyError(key)
            setattr(group, key, list(value) if key == "nodes" else value)
        self._notify("group_changed", group_id, tuple(values))

    # -- scenarios and properties ------------------------------------------------------

    def add_scenario(self, scenario: Scenario, index: int | None = None) -> None:
        self.scenarios.insert(len(self.scenarios) if index is None else index, scenario)
        self._notify("scenario_added", scenario.name)

    def remove_scenario(self, name: str) -> tuple[Scenario, int]:
        index = next(i for i, s in enumerate(self.scenarios) if s.name == name)
        scenario = self.scenarios.pop(index)
        self._notify("scenario_removed", name)
        return scenario, index

    def replace_scenario(self, name: str, scenario: Scenario) -> None:
        index = next(i for i, s in enumerate(self.scenarios) if s.name == name)
        self.scenarios[index] = scenario
        self._notify("scenario_changed", scenario.name, name)

    def property_value(self, key: str) -> Any:
        """A design-level setting as `set_property` names it; None when it is not set (an
        account field or quota then takes its default)."""
        if key.startswith("account.quotas."):
            return quota_overrides(self.account).get(key.split(".", 2)[2])
        if key.startswith("account."):
            return self.account.get(key.split(".", 1)[1])
        return getattr(self, key)

    def set_property(self, key: str, value: Any) -> None:
        """Design-level settings: name, region, `account.<field>` or `account.quotas.<quota>`
        (None removes the setting: the default applies again)."""
        if key.startswith("account.quotas."):
            quotas = dict(quota_overrides(self.account))
            quota = key.split(".", 2)[2]
            if value is None:
                quotas.pop(quota, None)
            else:
                quotas[quota] = value
            if quotas:
                self.account["quotas"] = quotas
            else:
                self.account.pop("quotas", None)
        elif key.startswith("account."):
            field_name = key.split(".", 1)[1]
            if value is None:
                self.account.pop(field_name, None)
            else:
                self.account[field_name] = value
        elif key in ("name", "region"):
            setattr(self, key, value)
        else:
            raise KeyError(key)
        self._notify("properties_changed", key)

    def replace_with(self, other: "Architecture") -> None:
        """Take over another design's content (open, revert), keeping the listeners."""
        listeners = self._listeners
        self.__dict__.update(copy.deepcopy({k: v for k, v in other.__dict__.items() if k != "_listeners"}))
        self._listeners = listeners
        self._notify("reset")

    def copy(self) -> "Architecture":
        clone = Architecture()
        clone.__dict__.update(copy.deepcopy({k: v for k, v in self.__dict__.items() if k != "_listeners"}))
        clone._listeners = []
        return clone

    def __getstate__(self) -> dict:
        # Listeners are GUI callbacks: never pickled with the design (simulations run it
        # in other processes).
        state = self.__dict__.copy()
        state["_listeners"] = []
        return state

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Architecture):
            return NotImplemented
        ignored = ("_listeners", "source_map", "file_problems")
        mine = {k: v for k, v in self.__dict__.items() if k not in ignored}
        theirs = {k: v for k, v in other.__dict__.items() if k not in ignored}
        return mine == theirs

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        return (f"Architecture({self.name!r}, {len(self.nodes)} nodes, {len(self.edges)} edges, "
                f"{len(self.scenarios)} scenarios)")
