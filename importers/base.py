"""What CloudFormation/SAM and Terraform importers share: the result and its report,
reference tokens, small value readers, the graph builder that checks every edge against
the catalogue (reading IAM statements and state machine definitions with the help of
`aws_documents`), and the reading of a template file. The dispatcher
`import_template(path)` is in `importers/__init__.py`.

References between resources are carried through resolution as text tokens
(`⟦key⟧`, where key is a CloudFormation logical id or a Terraform address), so that
`Sub`, `Join`, `jsonencode()` and string interpolation keep them wherever they end up
(an ARN in an IAM statement, a substitution in a state machine definition...).
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from importers.aws_documents import (
    AWS_SERVICE_OF_ARN, DYNAMODB_READ_ACTIONS, TASK_TARGET_PARAMS, access_from_actions, name_from_arn, walk_states,
)
from importers.loops import LOOP_SHARE, close_loops
from model.architecture import Architecture, Edge, Node, Scenario, Load, route_text
from model.catalogue import SERVICES, edge_rule
from model.errors import StratusError
from model.layout import layered_layout
from model.validation import field_problem

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
SCHEDULES_KEY = "default bus schedules"  # the builder's key of the node scheduled rules come from

# --------------------------------------------------------------------------------------
# Result and report


@dataclass(frozen=True)
class ImportNote:
    """One line of the import report.

    severity: info (mapped, absorbed, kept), warning (something not mapped or guessed),
    error (nothing usable). category groups the report: node, edge, absorbed, extra,
    mapped_into_edges, unmapped, note.
    """

    severity: str
    logical_id: str
    type: str
    message: str
    category: str = "note"

    def format(self) -> str:
        subject = f"{self.logical_id} ({self.type})" if self.type else self.logical_id
        return f"{subject}: {self.message}" if subject else self.message


@dataclass(frozen=True)
class ImportResult:
    architecture: Architecture
    report: list[ImportNote] = field(default_factory=list)

    def notes(self, category: str) -> list[ImportNote]:
        return [n for n in self.report if n.category == category]

    @property
    def clean(self) -> bool:
        """Every resource mapped, absorbed or kept, with nothing left unmapped."""
        return not any(n.severity in ("warning", "error") for n in self.report)


REPORT_SECTIONS = (
    ("node", "Nodes created"),
    ("edge", "Edges created"),
    ("absorbed", "Resources absorbed into nodes and edges"),
    ("mapped_into_edges", "IAM resources mapped into edges"),
    ("extra", "Resources kept as extras (re-emitted by the exporters)"),
    ("unmapped", "Could not be mapped"),
    ("note", "Notes"),
)


def format_report(result: ImportResult) -> str:
    lines = []
    for category, title in REPORT_SECTIONS:
        notes = result.notes(category)
        if not notes:
            continue
        lines.append(f"{title} ({len(notes)}):")
        lines += [f"  {'! ' if n.severity != 'info' else ''}{n.format()}" for n in notes]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# Reference tokens

TOKEN_RE = re.compile(r"⟦([^⟧]+)⟧")


def token(key: str) -> str:
    return f"⟦{key}⟧"


def tokens_in(value: Any) -> list[str]:
    """Every reference key inside a resolved value, in order of appearance."""
    found: list[str] = []
    if isinstance(value, str):
        found += TOKEN_RE.findall(value)
    elif isinstance(value, dict):
        for k, v in value.items():
            found += tokens_in(k) + tokens_in(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            found += tokens_in(v)
    return found


def strip_tokens(value: str) -> str:
    return TOKEN_RE.sub(lambda m: m.group(1), value)


# --------------------------------------------------------------------------------------
# Ids, values


def node_id_for(name: str, taken: Iterable[str]) -> str:
    stem = re.sub(r"[^A-Za-z0-9_]", "_", name).strip("_") or "node"
    if not stem[0].isalpha():
        stem = "n_" + stem
    taken = set(taken)
    candidate, n = stem, 2
    while candidate in taken:
        candidate, n = f"{stem}_{n}", n + 1
    return candidate


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value.strip()))
        except ValueError:
            return None
    return None


def as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def as_list(value: Any) -> list:
    """None as [], a list as itself, anything else as a list of one (a template may write
    a single item where a list is allowed)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def rule_rate(expression: str) -> str:
    """A schedule expression as an EventBridge rule takes it: EventBridge Scheduler accepts
    rate(5 minute), a rule wants the unit singular for 1 and plural above."""
    match = re.fullmatch(r"\s*rate\(\s*(\d+)\s+(minute|hour|day)s?\s*\)\s*", expression or "")
    if not match:
        return expression.strip() if isinstance(expression, str) else expression
    count, unit = int(match.group(1)), match.group(2)
    return f"rate({count} {unit}{'' if count == 1 else 's'})"


def parse_rate(expression: str) -> float | None:
    """Seconds between runs of `rate(5 minutes)`; None for cron() and anything else."""
    match = re.fullmatch(r"\s*rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)\s*",
                         expression or "")
    if not match:
        return None
    unit = {"minute": 60, "hour": 3600, "day": 86400}[match.group(2).rstrip("s")]
    return float(match.group(1)) * unit


# --------------------------------------------------------------------------------------
# The builder


class GraphBuilder:
    """Collects nodes, edges, extras and notes; checks every edge against the catalogue."""

    def __init__(self, name: str, source_format: str) -> None:
        self.arch = Architecture(name=name)
        self.notes: list[ImportNote] = []
        self.node_of: dict[str, str] = {}  # reference key (logical id / address) -> node id
        # Keys that stand for a node without being one: a function's aliases and versions.
        self.alias_of: dict[str, str] = {}
        self.names: dict[str, dict[str, str]] = {}  # service -> physical name -> node id
        self.extras: list[dict] = []
        self.format = source_format
        self.schedules: list[tuple[str, float, str]] = []
        # Edges read only from IAM grants (source, target, kind) -> their report note, so a
        # grant that only serves an on-failure destination can be folded into that edge.
        self._granted: dict[tuple[str, str, str], ImportNote] = {}

    # -- notes ---------------------------------------------------------------------------

    def note(self, category: str, key: str, rtype: str, message: str, severity: str = "info") -> None:
        self.notes.append(ImportNote(severity, key, rtype, message, category))

    def warn(self, key: str, rtype: str, message: str) -> None:
        self.note("unmapped", key, rtype, message, "warning")

    # -- nodes ---------------------------------------------------------------------------

    def add_node(self, key: str, rtype: str, service: str, config: dict, label: str,
                 extra: dict, physical_names: Iterable[str] = ()) -> Node:
        clean = self._checked_config(key, rtype, service, config)
        node = Node(id=node_id_for(label, self.arch.nodes), service=service, config=clean,
                    label=label, extra=extra)
        self.arch.add_node(node)
        self.node_of[key] = node.id
        for name in physical_names:
            if isinstance(name, str) and name and not TOKEN_RE.search(name):
                self.names.setdefault(service, {})[name] = node.id
        self.note("node", key, rtype, f"-> node '{node.id}' ({SERVICES[service].name})")
        return node

    def _checked_config(self, key: str, rtype: str, service: str, config: dict) -> dict:
        """Drop values the catalogue would refuse, with a note (a template may say anything)."""
        spec = SERVICES[service]
        clean = {}
        for name, value in config.items():
            if value is None and not (spec.field(name) and spec.field(name).nullable):
                continue
            fdef = spec.field(name)
            problem = field_problem(fdef, value) if fdef else None
            if problem:
                self.note("note", key, rtype, f"{problem}; the default is used instead", "warning")
                continue
            clean[name] = value
        return clean

    def node_for(self, value: Any, service: str | tuple[str, ...] | None = None) -> str | None:
        """The node a resolved value refers to: a reference token, or an ARN/name that
        matches a node's physical name."""
        services = (service,) if isinstance(service, str) else service
        for key in tokens_in(value):
            parts = key.split(".")
            # the longest known prefix: "Table.Arn" -> "Table", "aws_sqs_queue.q.arn" -> "aws_sqs_queue.q"
            node_id = next((self._known(".".join(parts[:n])) for n in range(len(parts), 0, -1)
                            if self._known(".".join(parts[:n]))), None)
            if node_id and (services is None or self.arch.nodes[node_id].service in services):
                return node_id
        if isinstance(value, str) and value and not TOKEN_RE.search(value):
            return self.node_by_name(value, services)
        return None

    def _known(self, key: str) -> str | None:
        return self.node_of.get(key) or self.alias_of.get(key)

    def alias(self, key: str, node_id: str) -> None:
        """`key` (an alias, a version) refers to node `node_id` from now on."""
        self.alias_of[key] = node_id

    def node_by_name(self, text: str, services: tuple[str, ...] | None) -> str | None:
        service_hint, name = name_from_arn(text)
        candidates = [service_hint] if service_hint else list(services or self.names)
        for svc in candidates:
            if services and svc not in services:
                continue
            table = self.names.get(svc, {})
            if name in table:
                return table[name]
            if svc == "lambda" and name.count(":") == 1 and name.split(":")[0] in table:
                return table[name.split(":")[0]]  # a qualified name: `fn:live`, `fn:3`
            matches = [nid for phys, nid in table.items() if ("*" in name or "?" in name)
                       and fnmatch.fnmatchcase(phys, name)]
            if len(matches) == 1:
                return matches[0]
        return None

    # -- edges ---------------------------------------------------------------------------

    def add_edge(self, source: str, target: str, kind: str | None, config: dict | None,
                 why: str, key: str = "", rtype: str = "", grant: bool = False) -> Edge | None:
        """Add (or merge into) an edge the catalogue allows; report one it forbids.
        grant: the edge is read from an IAM permission (and from nothing else so far)."""
        src, dst = self.arch.nodes[source], self.arch.nodes[target]
        rule = edge_rule(src.service, dst.service, kind)
        config = {k: v for k, v in (config or {}).items() if v is not None}
        if rule is None:
            what = f"{kind} edge" if kind else "an edge"
            self.warn(key or source, rtype, f"{why}: {SERVICES[src.service].name} '{source}' -> "
                      f"{SERVICES[dst.service].name} '{target}' is not {what} Stratus models; not added")
            return None
        config = self._edge_config(rule, config, key, rtype)
        existing = self.arch.find_edge(source, target, rule.kind)
        if not grant:
            self._granted.pop((source, target, rule.kind), None)
        if existing is not None:
            _merge_edge_config(existing.config, config)
            return existing
        edge = Edge(source, target, config=config, kind=rule.kind)
        self.arch.add_edge(edge)
        self.note("edge", key or source, rtype, f"{source} -> {target} ({rule.kind}; {why})")
        if grant:
            self._granted[(source, target, rule.kind)] = self.notes[-1]
        return edge

    def _edge_config(self, rule, config: dict, key: str, rtype: str) -> dict:
        clean = {}
        for name, value in config.items():
            fdef = rule.field(name)
            if fdef is None:
                continue
            problem = field_problem(fdef, value)
            if problem:
                self.note("note", key, rtype, f"{rule.kind} edge: {problem}; default used", "warning")
                continue
            clean[name] = value
        return clean

    def has_edge_between(self, source: str, target: str) -> bool:
        return any(e.source == source and e.target == target for e in self.arch.edges)

    # -- schedules ------------------------------------------------------------------------

    def schedules_node(self, target: str) -> str:
        """The node a scheduled rule to `target` comes from: the default event bus, as a node
        of its own (a target may have a pattern rule from the default bus too), and one more
        such node for each further schedule of one target (one rule edge per pair)."""
        n = 1
        while True:
            key = SCHEDULES_KEY if n == 1 else f"{SCHEDULES_KEY} {n}"
            if key not in self.node_of:
                self.add_node(key, "implicit", "eventbridge", {"bus_name": "default"}, "Schedules",
                              {self.format_key: {"implicit": True}})
            if self.arch.find_edge(self.node_of[key], target, "rule_target") is None:
                return self.node_of[key]
            n += 1

    @property
    def format_key(self) -> str:
        return "cfn" if self.format == "cloudformation" else self.format

    def schedule_load(self, target: str, expression: str) -> float:
        """A schedule load at `target` for the scenario 'imported schedules': seconds between
        runs (a cron() expression, which has no one interval, runs hourly, with a warning)."""
        every = parse_rate(expression)
        if every is None:
            every = 3600.0
            self.note("note", target, "", f"schedule '{expression}' is not a rate(); the scenario runs it hourly",
                      "warning")
        self.schedules.append((target, every, expression))
        return every

    # -- IAM ------------------------------------------------------------------------------

    def edges_from_statements(self, fn_id: str, statements: Any, key: str, rtype: str, why: str) -> None:
        """A function's own access read from IAM statements (Allow only)."""
        for statement in as_list(statements):
            if not isinstance(statement, dict) or statement.get("Effect", "Allow") != "Allow":
                continue
            actions = [a for a in as_list(statement.get("Action")) if isinstance(a, str)]
            for resource in as_list(statement.get("Resource")):
                target = self.node_for(resource)
                if target is None or target == fn_id and not actions:
                    continue
                for kind, config in access_from_actions(self.arch.nodes[target].service, actions):
                    if config.pop("_wildcard", False) and self.has_edge_between(target, fn_id):
                        continue  # `sqs:*` on the queue that triggers the function: its poller's grant
                    self.add_edge(fn_id, target, kind, config, why, key, rtype, grant=True)

    # -- state machines --------------------------------------------------------------------

    def task_edges(self, sm_id: str, definition: Any, key: str, rtype: str) -> list[str]:
        """`task` edges for the Task states of an ASL definition, in execution order. Returns
        the task states that call what is not a node ("'State' calls arn:..."): the caller
        keeps the definition as written for them, or reports them lost."""
        if not isinstance(definition, dict):
            self.warn(key, rtype, "state machine definition is not a JSON object; no task edges")
            return []
        order, outside = 0, []
        for state_name, state in walk_states(definition):
            target, config = self._task_target(state)
            if target is None:
                resource = state.get("Resource", "")
                if _is_call_resource(resource):
                    outside.append(f"task state '{state_name}' calls {strip_tokens(str(resource))}")
                continue
            existing = self.arch.find_edge(sm_id, target, "task")
            if existing is not None:
                action = config.get("action")
                if action and existing.config.get("action") not in (None, action):
                    existing.config["action"] = "read_write"  # a write and a read of one table
                else:
                    existing.config["calls"] = existing.config.get("calls", 1) + 1
                continue
            order += 1
            self.add_edge(sm_id, target, "task", {"order": order, **config},
                          f"task state '{state_name}'", key, rtype)
        return outside

    def outside_calls(self, definition: Any) -> list[tuple[str, str, dict]]:
        """(state name, Resource as text, Parameters) of every Task state that calls what is
        not a node: what a definition kept as written needs its role to grant beside the
        task edges."""
        if not isinstance(definition, dict):
            return []
        return [(name, strip_tokens(state["Resource"]), state.get("Parameters") or state.get("Arguments") or {})
                for name, state in walk_states(definition)
                if self._task_target(state)[0] is None and _is_call_resource(state.get("Resource"))]

    def outside_tasks_lost(self, key: str, rtype: str, outside: list[str]) -> None:
        for call in outside:
            self.warn(key, rtype, f"{call}, which is not a node of this design; no edge")

    def _task_target(self, state: dict) -> tuple[str | None, dict]:
        resource = state.get("Resource")
        params = state.get("Parameters") or state.get("Arguments") or {}
        if not isinstance(resource, str):
            return None, {}
        if not isinstance(params, dict):
            params = {}
        plain = strip_tokens(resource)
        if ":states:::" in plain:
            integration = plain.split(":states:::", 1)[1].split(".")[0]
            service, _, action = integration.partition(":")
            param = TASK_TARGET_PARAMS.get(service)
            if param is None:
                return None, {}
            value = params.get(param)
            target = self.node_for(value, AWS_SERVICE_OF_ARN.get(service, service)) if value else None
            config = {}
            if service == "dynamodb":
                config["action"] = "read" if action.lower() in DYNAMODB_READ_ACTIONS else "write"
            return target, config
        return self.node_for(resource, "lambda"), {}

    # -- finishing -------------------------------------------------------------------------

    def fold_destination_grants(self) -> None:
        """A function's on-failure destination is sent to with the function's own role, so
        its SendMessage/Publish grant is part of the on_failure edge, not an SDK call."""
        for edge in list(self.arch.edges):
            if self.arch.edge_kind(edge) != "on_failure":
                continue
            for kind in ("send", "publish"):
                note = self._granted.pop((edge.source, edge.target, kind), None)
                granted = self.arch.find_edge(edge.source, edge.target, kind)
                if note is None or granted is None:
                    continue
                self.arch.remove_edge(granted)
                self.notes.remove(note)
                self.note("note", note.logical_id, note.type, f"{edge.source} -> {edge.target}: the {kind} "
                          "permission serves the on-failure destination; part of the on_failure edge")

    def finish(self) -> "ImportResult":
        self.fold_destination_grants()
        for edge, loop in close_loops(self.arch):
            self.note("note", edge.source, "", f"{edge.source} -> {edge.target} closes the loop {loop}: imported "
                      f"with calls {LOOP_SHARE} (a stated default, one request in {round(1 / LOOP_SHARE)} goes "
                      "round again; the template does not say how often): set the real share on the edge",
                      "warning")
        if self.extras:
            self.arch.extra["extras"] = self.extras
        if self.schedules:
            self.arch.add_scenario(Scenario(
                name="imported schedules", duration_s=3600, seed=1,
                load=[Load(entry, "schedule", {"every_s": every}) for entry, every, _ in self.schedules]))
        for node_id, at in layered_layout(self.arch).items():
            self.arch.nodes[node_id].at = at
        return ImportResult(self.arch, list(self.notes))


def route_config(route: dict) -> dict:
    """An API edge's config for one route ({"method", "path"} as a reader finds it)."""
    return {"routes": [route_text(route["method"], route["path"])]}


def _is_call_resource(resource: Any) -> bool:
    return isinstance(resource, str) and (":states:::" in resource or ":function:" in resource
                                          or TOKEN_RE.search(resource) is not None)


def _merge_edge_config(existing: dict, new: dict) -> None:
    action_old, action_new = existing.get("action"), new.get("action")
    if action_old and action_new and action_old != action_new:
        existing["action"] = "read_write"
    for k, v in new.items():
        if k == "action":
            existing.setdefault(k, v)
        elif k == "routes":  # every route to the same target is kept, in order
            existing[k] = list(dict.fromkeys(list(existing.get(k) or []) + list(v)))
        elif k in ("method", "path") and existing.get(k) not in (None, v):  # the older single route
            existing["method"] = "ANY" if k == "method" else existing["method"]
        elif k == "events" and existing.get(k) not in (None, v):
            existing[k] = "all"  # created and removed: one configuration each
        else:
            existing.setdefault(k, v)


# --------------------------------------------------------------------------------------
# Reading files


def read_text(path: str, what: str) -> str:
    """A template's text, refusing binaries, huge files and bad encodings clearly."""
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise StratusError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if size > MAX_TEMPLATE_BYTES:
        raise StratusError(f"{path}: {size / 1e6:.1f} MB is larger than the {MAX_TEMPLATE_BYTES // 2**20} MB "
                           f"a {what} may have")
    with open(path, "rb") as handle:
        raw = handle.read()
    if b"\x00" in raw[:65536]:
        raise StratusError(f"{path}: a binary file, not a {what}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StratusError(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None
