"""One CloudFormation/SAM template being imported: the template prepared (see `prepare`),
its resources' resolved properties, and what the reading passes share and add to as they go
(the graph builder, the roles some edge uses, what each absorbed resource became, the
longest integration timeout of each API, the routes SAM events define).

The passes (`nodes`, `events`, `permissions`, `wiring`, `api`, `openapi`) are functions
of a `TemplateImport`; `read.import_cloudformation` runs them in order.
"""

from __future__ import annotations

import os
from typing import Any

from importers.base import GraphBuilder, read_text, tokens_in
from importers.cloudformation.intrinsics import Resolver, load_data
from importers.cloudformation.prepare import checked_resources, circular_references, with_globals
from model.errors import StratusError


class TemplateImport:
    def __init__(self, template: dict, path: str) -> None:
        self.path = path
        self.base_dir = os.path.dirname(os.path.abspath(path))
        self.template = template
        resources = checked_resources(template, path)
        circular = circular_references(template, path)
        self.raw = {k: with_globals(v, template.get("Globals") or {}) for k, v in resources.items()}
        self.resolver = Resolver(template, path)
        name = os.path.splitext(os.path.basename(path))[0]
        if name in ("template", "main"):
            name = os.path.basename(self.base_dir) or name
        self.b = GraphBuilder(name, "cloudformation")
        for message in circular:
            self.b.note("note", "", "", message, "warning")
        self.props: dict[str, dict] = {}
        self.types: dict[str, str] = {k: v["Type"] for k, v in resources.items()}
        self.skipped: set[str] = set()
        self.role_users: dict[str, set[str]] = {}  # IAM role -> the nodes whose permissions it holds
        # Absorbed or SAM-generated logical id -> what it is in the design: [node id, part,
        # other node] (a stage, a role, a rule to a target...), so that an extra that refers
        # to it can be pointed at what the exporter writes in its place.
        self.parts: dict[str, list[str]] = {}
        self.websocket: set[str] = set()  # WebSocket APIs and their resources: kept whole
        self.outside_targets: dict[str, list[str]] = {}  # rule -> its targets that are not nodes
        # A resource of the template that wires something outside the design (a method
        # integrating Comprehend, an e-mail subscription): kept whole, with why.
        self.kept_as_written: dict[str, str] = {}
        self.inline_subscriptions: list[tuple[str, int, str]] = []  # (topic, index, endpoint) outside the design
        self.kept_operations: dict[str, list[dict]] = {}  # API node -> OpenAPI operations outside the design
        self.outside_grants: list[tuple[str, str]] = []  # (function, SAM policy template) on resources outside
        self.outside_events: list[tuple[str, str, str]] = []  # (function, event name, type) of unmodelled sources
        self.absorbed_as: dict[str, str] = {}  # logical id -> what it became (for the report)
        self.api_timeouts: dict[str, tuple[int, str]] = {}  # API node -> (longest timeout, source)
        # (API node, method, path) of SAM Api/HttpApi events: SAM writes their OpenAPI integration.
        self.event_routes: set[tuple[str, str, str]] = set()
        self._unknowns_noted = 0

    def resolve_properties(self) -> None:
        """Every resource's properties with intrinsics resolved; a resource whose Condition is
        false with the parameters' defaults is skipped (`classify_rest` keeps it as written
        if it is not a node or part of one, and says which)."""
        for key, resource in self.raw.items():
            condition = resource.get("Condition")
            if isinstance(condition, str) and not self.resolver.condition(condition):
                self.skipped.add(key)
                continue
            props = self.resolver.resolve(resource.get("Properties") or {})
            self.props[key] = props if isinstance(props, dict) else {}
            self.note_unknowns(key)

    def use_roles(self, value: Any, node: str) -> None:
        """The IAM roles `value` refers to hold `node`'s permissions (mapped into its edges)."""
        for key in tokens_in(value):
            role = key.split(".")[0]
            if self.types.get(role) == "AWS::IAM::Role":
                self.role_users.setdefault(role, set()).add(node)

    @property
    def used_roles(self) -> set[str]:
        return set(self.role_users)

    def note_unknowns(self, key: str = "") -> None:
        """The values resolution could not compute since the last call, noted under `key`
        (the resource whose properties held them)."""
        for message in self.resolver.unknowns[self._unknowns_noted:]:
            self.b.note("note", key, self.types.get(key, ""), message)
        self._unknowns_noted = len(self.resolver.unknowns)

    def definition_file(self, key: str, uri: str, prop: str = "DefinitionUri",
                         what: str = "state machine definition", lost: str = "no task edges") -> Any:
        """A definition file next to the template (JSON or YAML, safe loader), or None with a
        warning naming the file; `lost` says what the design misses without it."""
        rtype = self.types[key]
        path = os.path.normpath(os.path.join(self.base_dir, uri))
        if not os.path.isfile(path):
            folder, wanted = os.path.dirname(path), os.path.basename(path).lower()
            same = [n for n in (os.listdir(folder) if os.path.isdir(folder) else []) if n.lower() == wanted]
            if not same:
                self.b.warn(key, rtype, f"{prop} {uri} not found next to the template; {lost}")
                return None
            self.b.note("note", key, rtype, f"{prop} {uri} matched {same[0]} ignoring case "
                        "(a case-sensitive file system would not find it)", "warning")
            path = os.path.join(folder, same[0])
        try:
            return load_data(read_text(path, what), uri)
        except StratusError as exc:
            self.b.warn(key, rtype, f"{exc}; {lost}")
        return None
