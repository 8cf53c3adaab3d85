"""Validation: every problem of a design at once, each naming what is wrong and where.

`validate(arch)` returns `Problem`s (errors and warnings). Field checks are driven by the
catalogue's field definitions; the few rules that relate fields of one service to each
other, or to the account, are in SERVICE_RULES, one small function per rule.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from typing import Any, Callable, Iterable

import networkx as nx

from .architecture import ROUTE_METHODS, Architecture, Edge, Node, Scenario, parse_route
from .catalogue import (
    ACCOUNT_FIELDS, FIXED_MESSAGE_GROUP_KINDS, LOAD_PATTERNS, MAX_EDGES, MAX_NODES, MAX_SCENARIOS,
    SERVICES, STRICTLY_POSITIVE, Field, allowed_targets, edge_rule, rules_between,
)
from .aws.wiring import MAX_INTEGRATION_TIMEOUT_MS
from .distributions import distribution_problems
from .errors import Problem
from .graph import trigger_graph
from .quotas import QUOTAS

ID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
GROUP_FIELD_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# A stream event source mapping's MaximumRecordAgeInSeconds: -1, or at least this.
MIN_RECORD_AGE_S = 60
# Lambda keeps this much of the account's concurrency unreserved.
UNRESERVED_MINIMUM = 100


def validate(arch: Architecture, base_dir: str | None = None) -> list[Problem]:
    """All problems: file shape, size, nodes, edges, scenarios, loops."""
    problems: list[Problem] = list(arch.file_problems)
    problems += _check_size(arch)
    problems += _check_account(arch)
    for node in arch.nodes.values():
        problems += _check_node(arch, node)
    problems += _check_reserved_total(arch)
    seen_edges: set = set()
    for index, edge in enumerate(arch.edges):
        problems += _check_edge(arch, index, edge, seen_edges)
    problems += _check_dead_letter_queues(arch)
    problems += _check_routes(arch)
    names: set[str] = set()
    for scenario in arch.scenarios:
        problems += _check_scenario(arch, scenario, names, base_dir)
    problems += _check_loops(arch)
    return problems


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


# --------------------------------------------------------------------------------------
# Values


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def field_problem(fdef: Field, value: Any) -> str | None:
    """What is wrong with one value for a field, or None."""
    if value is None:
        return None if fdef.nullable else f"{fdef.name} must be set"
    kind = fdef.kind
    if kind == "int" and not (_is_number(value) and float(value).is_integer()):
        return f"{fdef.name} must be a whole number, got {value!r}"
    if kind == "float" and not _is_number(value):
        return f"{fdef.name} must be a number, got {value!r}"
    if kind == "bool" and not isinstance(value, bool):
        return f"{fdef.name} must be true or false, got {value!r}"
    if kind in ("str", "path") and not isinstance(value, str):
        return f"{fdef.name} must be text, got {value!r}"
    if kind == "choice" and value not in fdef.choices:
        return f"{fdef.name} must be one of {', '.join(fdef.choices)}; got {value!r}"
    if kind == "routes":
        return _routes_problem(fdef, value)
    if kind == "dist":
        found = distribution_problems(value)
        return f"{fdef.name}: {'; '.join(found)}" if found else None
    if kind in ("int", "float"):
        low_bad = fdef.min is not None and value < fdef.min
        high_bad = fdef.max is not None and value > fdef.max
        if low_bad or high_bad:
            return f"{fdef.name} {value} is out of range {fdef.describe_range()}"
    return None


def _routes_problem(fdef: Field, value: Any) -> str | None:
    entries = [part for part in value.split(",") if part.strip()] if isinstance(value, str) else value
    if not isinstance(entries, list) or not entries:
        return f'{fdef.name} must be a list of routes such as ["GET /items"], got {value!r}'
    bad = [entry for entry in entries if parse_route(entry) is None]
    if bad:
        return (f"{fdef.name}: {', '.join(map(repr, bad))} is not a route: write the method "
                f"({', '.join(ROUTE_METHODS)}) and the path, as in \"GET /items/{{id}}\"")
    return None


def _check_fields(fields: dict[str, Field], values: dict[str, Any], subject: str,
                  line_of: Callable[[str], int | None], target: tuple,
                  what: str) -> list[Problem]:
    problems = []
    for key, value in values.items():
        fdef = fields.get(key)
        if fdef is None:
            known = ", ".join(fields) or "none"
            problems.append(Problem(subject, f"unknown {what} field '{key}' (kept; known: {known})",
                                    "warning", line_of(key), target))
            continue
        message = field_problem(fdef, value)
        if message:
            problems.append(Problem(subject, message, line=line_of(key), target=target))
    return problems


# --------------------------------------------------------------------------------------
# Design and nodes


def _check_size(arch: Architecture) -> list[Problem]:
    limits = (("nodes", len(arch.nodes), MAX_NODES), ("edges", len(arch.edges), MAX_EDGES),
              ("scenarios", len(arch.scenarios), MAX_SCENARIOS))
    return [Problem("design", f"{count:,} {what} is more than Stratus handles ({limit:,} at most)")
            for what, count, limit in limits if count > limit]


def _check_account(arch: Architecture) -> list[Problem]:
    fields = {f.name: f for f in ACCOUNT_FIELDS}
    settings = {k: v for k, v in arch.account.items() if k != "quotas"}
    return (_check_fields(fields, settings, "account",
                          lambda _: arch.source_map.get(("key", "account")), ("design", None), "account")
            + _check_quotas(arch))


def _check_quotas(arch: Architecture) -> list[Problem]:
    """`account.quotas`: a mapping of model.quotas keys to positive numbers. An unknown key
    is kept with a warning that names the closest known one (a misspelt quota would
    otherwise be silently ignored)."""
    if "quotas" not in arch.account:
        return []
    quotas, line = arch.account["quotas"], arch.source_map.get(("key", "account"))
    if not isinstance(quotas, dict):
        return [Problem("account", f"quotas must be a mapping of quota name to value, got {quotas!r}",
                        line=line, target=("design", None))]
    problems = []
    for key, value in quotas.items():
        quota = QUOTAS.get(key)
        if quota is None:
            close = difflib.get_close_matches(str(key), QUOTAS, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            problems.append(Problem("account", f"unknown quota '{key}' (kept, not used; {hint}known: "
                                               f"{', '.join(QUOTAS)})", "warning", line, ("design", None)))
        elif not (_is_number(value) and value > 0):
            problems.append(Problem("account", f"quota {key} must be a positive number ({quota.unit}; "
                                               f"AWS's default here: {quota.describe_default(arch.region)}), "
                                               f"got {value!r}", line=line, target=("design", None)))
    return problems


def _check_node(arch: Architecture, node: Node) -> list[Problem]:
    subject, target = f"node '{node.id}'", ("node", node.id)
    line = arch.source_map.get(("node", node.id))
    problems = []
    if not ID_PATTERN.match(node.id):
        problems.append(Problem(subject, "id must start with a letter and hold only letters, digits "
                                         "and underscores", line=line, target=target))
    spec = SERVICES.get(node.service)
    if spec is None:
        problems.append(Problem(subject, f"unknown service '{node.service}' (known: {', '.join(SERVICES)})",
                                line=line, target=target))
        return problems
    problems += _check_fields(spec.field_map, node.config, subject,
                              lambda key: arch.source_map.get(("node", node.id, key), line), target,
                              spec.name)
    if not any(p.is_error for p in problems):
        for rule in SERVICE_RULES.get(node.service, ()):
            message = rule(arch, node.effective_config())
            if message:
                problems.append(Problem(subject, message, line=line, target=target))
    return problems


def _lambda_provisioned_within_reserved(arch: Architecture, config: dict) -> str | None:
    reserved = config["reserved_concurrency"]
    if reserved is not None and config["provisioned_concurrency"] > reserved:
        return (f"provisioned_concurrency {config['provisioned_concurrency']} exceeds "
                f"reserved_concurrency {reserved}")
    return None


def _lambda_reserved_within_account(arch: Architecture, config: dict) -> str | None:
    reserved = config["reserved_concurrency"]
    limit = arch.account_setting("concurrency_limit")
    if reserved is not None and reserved > limit - UNRESERVED_MINIMUM:
        return (f"reserved_concurrency {reserved} leaves less than {UNRESERVED_MINIMUM} of the account's "
                f"{limit} unreserved (AWS refuses this)")
    return None


def _sqs_group_field_is_a_name(arch: Architecture, config: dict) -> str | None:
    """The exporters write it into mapping templates and state machine paths ($.NAME)."""
    if not GROUP_FIELD_PATTERN.match(config["message_group_field"]):
        return (f"message_group_field {config['message_group_field']!r} must be a JSON field name "
                "(letters, digits and underscores, not starting with a digit)")
    return None


def _dynamodb_capacity_within_quota(arch: Architecture, config: dict) -> str | None:
    """AWS refuses to provision (or auto-scale to) more than the per-table quota."""
    if config["billing_mode"] != "provisioned":
        return None
    scaled = config["auto_scaling"]
    for kind, unit in (("read", "rru"), ("write", "wru")):
        quota_key = f"dynamodb_table_max_{unit}"
        quota = arch.account_setting(quota_key)
        field_name = f"max_{kind}_capacity" if scaled else f"{kind}_capacity"
        if config[field_name] > quota:
            return (f"{field_name} {config[field_name]} exceeds the per-table quota of {quota:,.0f} "
                    f"(raise account.quotas.{quota_key} if AWS raised it for the account)")
        if scaled and config[f"max_{kind}_capacity"] < config[f"{kind}_capacity"]:
            return (f"max_{kind}_capacity {config[f'max_{kind}_capacity']} is below {kind}_capacity "
                    f"{config[f'{kind}_capacity']} (the auto scaling minimum)")
    return None


def _http_api_timeout_within_30_s(arch: Architecture, config: dict) -> str | None:
    """An HTTP API's integration timeout cannot be raised (a REST API's 29 s can, on request:
    the exporters write 29 s and the simulator uses it)."""
    limit = MAX_INTEGRATION_TIMEOUT_MS["http"]
    if config["api_type"] == "http" and config["timeout_ms"] > limit:
        return f"timeout_ms {config['timeout_ms']}: an HTTP API's integration timeout is at most {limit:,} ms"
    return None


SERVICE_RULES: dict[str, tuple[Callable[[Architecture, dict], str | None], ...]] = {
    "lambda": (_lambda_provisioned_within_reserved, _lambda_reserved_within_account),
    "sqs": (_sqs_group_field_is_a_name,),
    "dynamodb": (_dynamodb_capacity_within_quota,),
    "api_gateway": (_http_api_timeout_within_30_s,),
}


def _check_reserved_total(arch: Architecture) -> list[Problem]:
    reserved = sum(n.effective_config()["reserved_concurrency"] or 0
                   for n in arch.nodes.values()
                   if n.service == "lambda" and _is_number(n.config.get("reserved_concurrency")))
    limit = arch.account_setting("concurrency_limit")
    if _is_number(limit) and reserved > limit - UNRESERVED_MINIMUM:
        return [Problem("account", f"functions reserve {reserved} of {limit} concurrent executions; "
                                   f"AWS keeps at least {UNRESERVED_MINIMUM} unreserved")]
    return []


# --------------------------------------------------------------------------------------
# Edges


def _check_edge(arch: Architecture, index: int, edge: Edge, seen: set) -> list[Problem]:
    subject, target = edge.describe(), ("edge", index)
    line = arch.source_map.get(("edge", index))
    src, dst = arch.nodes.get(edge.source), arch.nodes.get(edge.target)
    unnamed = [end for end, name in (("from", edge.source), ("to", edge.target)) if not name]
    if unnamed:
        return [Problem(subject, f"missing '{' and '.join(unnamed)}': an edge names the node it "
                                 "comes from and the node it goes to", line=line, target=target)]
    missing = [end for end, node in (("from", src), ("to", dst)) if node is None]
    if missing:
        names = " and ".join(f"'{getattr(edge, 'source' if m == 'from' else 'target')}'" for m in missing)
        return [Problem(subject, f"refers to no node {names} (dangling edge)", line=line, target=target)]
    if src.service not in SERVICES or dst.service not in SERVICES:
        return []  # the node itself is reported
    rules = rules_between(src.service, dst.service)
    src_name, dst_name = SERVICES[src.service].name, SERVICES[dst.service].name
    if not rules:
        allowed = ", ".join(SERVICES[t].name for t in allowed_targets(src.service)) or "nothing"
        return [Problem(subject, f"{src_name} cannot send to {dst_name}: AWS has no such integration "
                                 f"({src_name} connects to {allowed})", line=line, target=target)]
    rule = edge_rule(src.service, dst.service, edge.kind)
    if rule is None:
        kinds = ", ".join(r.kind for r in rules)
        return [Problem(subject, f"kind '{edge.kind}' is not an edge from {src_name} to {dst_name} "
                                 f"(allowed: {kinds})", line=line, target=target)]
    problems = _check_fields({f.name: f for f in rule.all_fields}, edge.config, subject,
                             lambda _: line, target, f"{rule.kind} edge")
    key = (edge.source, edge.target, rule.kind)
    if key in seen:
        problems.append(Problem(subject, f"duplicate {rule.kind} edge (one edge per pair and kind; "
                                         "use 'calls' for more than one call)", line=line, target=target))
    seen.add(key)
    problems += _edge_specific(arch, edge, rule.kind, subject, line, target)
    return problems


def _edge_specific(arch, edge, kind, subject, line, target) -> list[Problem]:
    src, dst = arch.nodes[edge.source].effective_config(), arch.nodes[edge.target].effective_config()
    src_service, dst_service = arch.nodes[edge.source].service, arch.nodes[edge.target].service
    out = []
    if kind == "rule_target" and edge.config.get("schedule"):
        out += [Problem(subject, message, line=line, target=target)
                for message in _schedule_problems(edge, SERVICES[src_service].aws.account_owned(src))]
    if kind == "event_source" and src_service == "dynamodb" and src["stream"] == "none":
        out.append(Problem(subject, f"table '{edge.source}' has no stream; set its 'stream' to trigger "
                                    "a function", line=line, target=target))
    if kind == "dead_letter" and src["fifo"] != dst["fifo"]:
        out.append(Problem(subject, "a FIFO queue's dead-letter queue must be FIFO too, and a standard "
                                    "queue's must be standard", line=line, target=target))
    if kind == "subscription" and src_service == "sns" and src["fifo"] and not dst.get("fifo", False):
        out.append(Problem(subject, "a FIFO topic delivers only to FIFO SQS queues", line=line, target=target))
    if kind == "integration" and src.get("api_type") == "http" and dst_service == "dynamodb":
        out.append(Problem(subject, "an HTTP API has no direct DynamoDB integration; use a REST API "
                                    "or a function", line=line, target=target))
    if kind in FIXED_MESSAGE_GROUP_KINDS and dst_service == "sqs" and dst["fifo"] and dst["message_groups"] != 1:
        out.append(Problem(subject, f"{SERVICES[src_service].name} sends every message to FIFO queue "
                                    f"'{edge.target}' with one fixed message group id, so its messages "
                                    f"share one group whatever message_groups ({dst['message_groups']}) says",
                           "warning", line, target))
    age = edge.config.get("max_record_age_s", -1)
    if kind == "event_source" and _is_number(age) and 0 <= age < MIN_RECORD_AGE_S:
        out.append(Problem(subject, f"max_record_age_s {age}: AWS takes -1 (no limit) or "
                                    f"{MIN_RECORD_AGE_S}..604800", line=line, target=target))
    if kind == "event_source" and src_service == "sqs":
        out += [Problem(subject, message, line=line, target=target)
                for message in _sqs_batching_problems(edge.config, src["fifo"])]
        if _is_number(src["visibility_timeout_s"]) and _is_number(dst["timeout_s"]) \
                and src["visibility_timeout_s"] < dst["timeout_s"]:
            out.append(Problem(subject, f"queue '{edge.source}' has visibility_timeout_s "
                                        f"{src['visibility_timeout_s']}, less than function '{edge.target}''s "
                                        f"timeout_s {dst['timeout_s']} (AWS refuses this event source "
                                        "mapping; it recommends 6x the timeout)", line=line, target=target))
    return out


RATE_EXPRESSION = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
CRON_EXPRESSION = re.compile(r"^cron\((\S+ ){5}\S+\)$")


def _schedule_problems(edge: Edge, on_default_bus: bool) -> list[str]:
    """A scheduled rule: EventBridge's expression syntax (rate(1 minute), rate(5 minutes):
    singular for 1, plural above; cron with six fields), on the default bus only."""
    expression = edge.config["schedule"]
    out = []
    rate = RATE_EXPRESSION.match(expression.strip()) if isinstance(expression, str) else None
    if rate and int(rate.group(1)) < 1 or rate and (int(rate.group(1)) == 1) != (not rate.group(2).endswith("s")):
        out.append(f"schedule {expression!r}: a rate is at least 1, its unit singular for 1 and plural above "
                   "(rate(1 minute), rate(5 minutes))")
    elif not rate and not (isinstance(expression, str) and CRON_EXPRESSION.match(expression.strip())):
        out.append(f"schedule {expression!r} is not a schedule expression: write rate(5 minutes) or "
                   "cron(0 12 * * ? *)")
    if not on_default_bus:
        out.append(f"a scheduled rule runs on the default event bus only: connect '{edge.target}' to a "
                   "node with bus_name 'default'")
    return out


def _sqs_batching_problems(config: dict, fifo: bool) -> list[str]:
    """AWS's rules for SQS event source batching (Lambda developer guide, CreateEventSourceMapping)."""
    batch, window = config.get("batch_size", 10), config.get("batch_window_s", 0)
    if not (_is_number(batch) and _is_number(window)):
        return []
    if fifo and batch > 10:
        return [f"batch_size {batch}: a FIFO queue's event source takes at most 10 messages"]
    if fifo and window > 0:
        return ["a FIFO queue's event source takes no batch window"]
    if batch > 10 and window < 1:
        return [f"batch_size {batch} above 10 needs batch_window_s of at least 1 s"]
    return []


# Edges of an API that carry routes (a Lambda proxy or a direct service integration).
ROUTE_EDGE_KINDS = ("invoke", "integration")


def _check_routes(arch: Architecture) -> list[Problem]:
    """Two edges of one API may not serve the same route: no export or deployment could
    write both (exporters and the deployer refuse the design otherwise)."""
    problems = []
    for api in (n for n in arch.nodes.values() if n.service == "api_gateway"):
        taken: dict[tuple[str, str], str] = {}
        edges = [(i, e) for i, e in enumerate(arch.edges) if e.source == api.id and e.target in arch.nodes
                 and arch.edge_kind(e) in ROUTE_EDGE_KINDS]
        used = {route for _, e in edges for route in e.routes}
        for index, edge in edges:
            for method, path in edge.routes:
                if (method, path) not in taken:
                    taken[(method, path)] = edge.target
                    continue
                free = _free_route(method, edge.target, used)
                used.add(free)
                problems.append(Problem(
                    edge.describe(), f"route {method} {path} is also served by the edge to "
                    f"'{taken[(method, path)]}': API '{api.id}' can send a route to one target only; give this "
                    f"edge a route of its own, e.g. routes: [\"{free[0]} {free[1]}\"]",
                    line=arch.source_map.get(("edge", index)), target=("edge", index)))
    return problems


def _free_route(method: str, target: str, used: set) -> tuple[str, str]:
    path, n = f"/{target}", 2
    while (method, path) in used:
        path, n = f"/{target}{n}", n + 1
    return method, path


def _check_dead_letter_queues(arch: Architecture) -> list[Problem]:
    count: dict[str, int] = {}
    redrive = nx.DiGraph()
    for edge in arch.edges:
        if edge.source in arch.nodes and edge.target in arch.nodes and arch.edge_kind(edge) == "dead_letter":
            count[edge.source] = count.get(edge.source, 0) + 1
            redrive.add_edge(edge.source, edge.target)
    problems = [Problem(f"node '{queue}'", f"has {n} dead-letter queues; a queue has at most one",
                        line=arch.source_map.get(("node", queue)), target=("node", queue))
                for queue, n in count.items() if n > 1]
    order = {node_id: i for i, node_id in enumerate(arch.nodes)}
    for cycle in nx.simple_cycles(redrive):
        start = min(range(len(cycle)), key=lambda i: order[cycle[i]])  # told from the design's first node
        cycle = cycle[start:] + cycle[:start]
        path = " -> ".join(cycle + [cycle[0]])
        problems.append(Problem(f"node '{cycle[0]}'", f"dead-letter queues go round: {path}; a queue's "
                                "dead-letter queue must be another queue that does not redrive back to it",
                                line=arch.source_map.get(("node", cycle[0])), target=("node", cycle[0])))
    return problems


# --------------------------------------------------------------------------------------
# Scenarios


def _check_scenario(arch: Architecture, s: Scenario, names: set[str], base_dir: str | None) -> list[Problem]:
    subject, target = f"scenario '{s.name}'", ("scenario", s.name)
    line = arch.source_map.get(("scenario", s.name))
    problems = []

    def add(message: str, severity: str = "error", at: int | None = None) -> None:
        problems.append(Problem(subject, message, severity, at or line, target))

    if s.name in names:
        add("duplicate scenario name")
    names.add(s.name)
    if not _is_number(s.duration_s) or s.duration_s <= 0:
        add(f"duration_s must be a positive number of seconds, got {s.duration_s!r}")
    if not isinstance(s.seed, int) or isinstance(s.seed, bool) or s.seed < 0:
        add(f"seed must be a whole number >= 0, got {s.seed!r}")
    if not _is_number(s.warmup_s) or s.warmup_s < 0:
        add(f"warmup_s must be a number >= 0, got {s.warmup_s!r}")
    elif _is_number(s.duration_s) and s.warmup_s >= s.duration_s > 0:
        add(f"warmup_s {s.warmup_s} leaves nothing of duration_s {s.duration_s} to measure")
    if not s.load:
        add("has no load: nothing would happen", "warning")
    for j, load in enumerate(s.load):
        for message in _load_problems(arch, load, base_dir):
            add(message, at=arch.source_map.get(("load", s.name, j)))
    for node_id, config in s.overrides.items():
        node = arch.nodes.get(node_id)
        if node is None:
            add(f"overrides unknown node '{node_id}'")
            continue
        spec = SERVICES.get(node.service)
        if spec is None:
            continue
        for p in _check_fields(spec.field_map, config, subject, lambda _: line, target,
                               f"{spec.name} (override of '{node_id}')"):
            problems.append(p)
    return problems


def _load_problems(arch: Architecture, load, base_dir: str | None) -> list[str]:
    node = arch.nodes.get(load.entry)
    if node is None:
        return [f"load enters at unknown node '{load.entry}'"]
    spec = SERVICES.get(node.service)
    out = []
    if spec is not None and not spec.takes_outside_traffic:
        out.append(f"load cannot enter at '{load.entry}': {spec.name} takes no outside traffic")
    shape = LOAD_PATTERNS.get(load.pattern)
    if shape is None:
        return out + [f"unknown load pattern '{load.pattern}' (known: {', '.join(LOAD_PATTERNS)})"]
    fields = {f.name: f for f in shape.fields}
    for fdef in shape.fields:
        if fdef.name not in load.params:
            out.append(f"{load.pattern} load at '{load.entry}' needs '{fdef.name}'")
    for key, value in load.params.items():
        fdef = fields.get(key)
        if fdef is None:
            out.append(f"{load.pattern} load does not take '{key}' (it takes {', '.join(fields)})")
            continue
        message = field_problem(fdef, value)
        if message:
            out.append(f"load at '{load.entry}': {message}")
        elif key in STRICTLY_POSITIVE and value <= 0:
            out.append(f"load at '{load.entry}': {key} must be greater than 0, got {value}")
    if load.pattern == "ramp" and load.params.get("from_rps") == 0 and load.params.get("to_rps") == 0:
        out.append(f"ramp load at '{load.entry}' has a zero rate throughout")
    if load.pattern == "trace" and base_dir and isinstance(load.params.get("file"), str):
        path = os.path.join(base_dir, load.params["file"])
        if not os.path.isfile(path):
            out.append(f"trace file '{load.params['file']}' not found (looked in {base_dir})")
    return out


# --------------------------------------------------------------------------------------
# Event loops


def _check_loops(arch: Architecture) -> list[Problem]:
    """A cycle of triggering edges with no way out recurses forever.

    A cycle in which some edge fires with probability below 1 ends by itself (and AWS's
    recursive loop detection stops it after 16 rounds anyway): a warning, not an error.
    """
    graph = trigger_graph(arch)
    problems = []
    certain = nx.MultiDiGraph()
    certain.add_nodes_from(graph.nodes)
    certain.add_edges_from((u, v, k, d) for u, v, k, d in graph.edges(keys=True, data=True)
                           if _calls(d["config"]) >= 1)
    reported: set[frozenset] = set()
    for component in nx.strongly_connected_components(certain):
        cycle = _cycle_in(certain, component)
        if cycle:
            reported.add(frozenset(component))
            path = " -> ".join(cycle + [cycle[0]])
            problems.append(Problem(f"node '{cycle[0]}'", f"event loop would recurse forever: {path} "
                                    "(make one edge read-only, or send elsewhere)",
                                    line=arch.source_map.get(("node", cycle[0])), target=("node", cycle[0])))
    for component in nx.strongly_connected_components(graph):
        if any(frozenset(component) >= r for r in reported):
            continue
        cycle = _cycle_in(graph, component)
        if cycle:
            path = " -> ".join(cycle + [cycle[0]])
            problems.append(Problem(f"node '{cycle[0]}'", f"event loop {path} repeats with some probability; "
                                    "AWS stops recursive loops after 16 rounds", "warning",
                                    arch.source_map.get(("node", cycle[0])), ("node", cycle[0])))
    return problems


def _calls(config: dict) -> float:
    value = config.get("calls", 1)
    return value if _is_number(value) else 1


def _cycle_in(graph: nx.MultiDiGraph, component: set) -> list[str] | None:
    if len(component) == 1:
        (only,) = component
        return [only] if graph.has_edge(only, only) else None
    sub = graph.subgraph(component)
    edges = nx.find_cycle(sub)
    return [u for u, *_ in edges]
