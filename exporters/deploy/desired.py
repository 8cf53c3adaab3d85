"""What a design wants deployed: the list of Resources, in dependency order.

Each node's main resource kind comes from its catalogue record (ServiceSpec.aws); the
builders are tables per service and edge kind (NODE_BUILDERS, EDGE_BUILDERS). How
resources are wired together comes from model.aws.wiring and IAM from model.aws.iam, so
the deployment is connected exactly as the exported templates are.
"""

from __future__ import annotations

import json
import os

import networkx as nx

from model.architecture import Architecture, Edge, Node
from model.aws import asl, autoscaling, iam, wiring
from model.aws.naming import deployed_name, fifo_suffix
from model.aws.routes import routes_of
from model.catalogue import SERVICES
from model.errors import StratusError

from .code import package
from .core import Resource

# service -> settings the templates export but the live deployer does not create (moto's
# server, which the deployer is tested against, lacks their API): field -> what it is.
NOT_DEPLOYED_LIVE = {"lambda": {"provisioned_concurrency": "provisioned concurrency"}}
# Creation order among kinds that do not depend on one another (ties in the topological sort).
KIND_RANK = {k: i for i, k in enumerate((
    "role", "table", "queue", "topic", "stream", "bucket", "event_bus", "role_policy",
    "function", "state_machine", "invoke_config", "event_source_mapping", "rule", "permission",
    "queue_policy", "topic_policy", "subscription", "bucket_notification", "rest_api", "http_api"))}


def node_kind(node: Node) -> str | None:
    """The kind of the node's main resource; None when there is nothing to create (the
    account's default event bus: used, never created or deleted)."""
    if wiring.account_owned(node):
        return None
    return SERVICES[node.service].aws.resource(node.effective_config()).kind


class _Builder:
    def __init__(self, arch: Architecture, design_dir: str | None) -> None:
        self.arch = arch
        self.design_dir = design_dir
        self.resources: dict[str, Resource] = {}
        self.main: dict[str, str] = {}  # node id -> key of its main resource
        for node in arch.nodes.values():
            kind = node_kind(node)
            if kind:
                self.main[node.id] = f"{kind}:{node.id}"

    def name(self, *parts: str, kind: str, suffix: str = "") -> str:
        return deployed_name(self.arch.name, *parts, kind=kind, suffix=suffix)

    def node_name(self, node_id: str) -> str:
        node = self.arch.nodes[node_id]
        return self.name(node_id, kind=node_kind(node), suffix=fifo_suffix(node.effective_config()))

    def add(self, kind: str, ident: str, config: dict, refs: dict | None = None, name: str = "",
            node: str | None = None, **extra) -> Resource:
        res = Resource(f"{kind}:{ident}", kind, name, config, dict(refs or {}), node or ident, **extra)
        self.resources[res.key] = res
        return res

    def cfg(self, node_id: str) -> dict:
        return self.arch.nodes[node_id].effective_config()

    def service(self, node_id: str) -> str:
        return self.arch.nodes[node_id].service


# -- nodes ------------------------------------------------------------------------------


def _function(b: _Builder, node: Node) -> None:
    cfg = node.effective_config()
    code = package(node.id, cfg, b.design_dir)
    env = {"STRATUS_NODE": node.id}
    for edge in b.arch.edges_from(node.id):
        if edge.target in b.main:
            env["STRATUS_" + edge.target.upper()] = b.node_name(edge.target)
    config = {k: cfg[k] for k in ("runtime", "handler", "memory_mb", "timeout_s", "architecture",
                                  "reserved_concurrency")}
    config.update(code_sha256=code.sha256, environment=env)
    b.add("function", node.id, config, {"role": f"role:{node.id}"}, b.node_name(node.id),
          warning=code.warning, payload=code.zip_bytes)


def _table(b: _Builder, node: Node) -> None:
    cfg = node.effective_config()
    config = {k: cfg[k] for k in ("billing_mode", "read_capacity", "write_capacity", "stream", "partition_key")}
    scaling = autoscaling.table_scaling(cfg)
    if scaling:  # only then: a table deployed before auto scaling existed stays unchanged
        config["scaling"] = [[d.capacity.dimension, d.capacity.metric, d.min_capacity, d.max_capacity, d.target_percent]
                             for d in scaling]
    b.add("table", node.id, config, name=b.node_name(node.id))


def _queue(b: _Builder, node: Node) -> None:
    cfg = node.effective_config()
    attributes = {"VisibilityTimeout": str(cfg["visibility_timeout_s"]),
                  "MessageRetentionPeriod": str(cfg["retention_s"])}
    if cfg["fifo"]:
        attributes.update(FifoQueue="true", ContentBasedDeduplication="true")
    config, refs = {"attributes": attributes}, {}
    for edge in b.arch.edges_from(node.id):
        if b.arch.edge_kind(edge) == "dead_letter":
            refs["dead_letter"] = b.main[edge.target]
            config["max_receive_count"] = cfg["max_receive_count"]
    b.add("queue", node.id, config, refs, b.node_name(node.id))


def _topic(b: _Builder, node: Node) -> None:
    b.add("topic", node.id, {"fifo": node.effective_config()["fifo"]}, name=b.node_name(node.id))


def _stream(b: _Builder, node: Node) -> None:
    cfg = node.effective_config()
    b.add("stream", node.id, {k: cfg[k] for k in ("capacity_mode", "shards", "retention_hours")},
          name=b.node_name(node.id))


def _bucket(b: _Builder, node: Node) -> None:
    b.add("bucket", node.id, {}, name=b.node_name(node.id))


def _event_bus(b: _Builder, node: Node) -> None:
    if node.id in b.main:
        b.add("event_bus", node.id, {}, name=b.node_name(node.id))


def _state_machine(b: _Builder, node: Node) -> None:
    refs, outputs = {"role": f"role:{node.id}"}, {}
    for edge in asl.task_edges(b.arch, node.id):
        refs[f"task_{edge.target}"] = b.main[edge.target]
        # The ASL builder writes one reference per target; apply puts the real value there.
        outputs[edge.target] = wiring.handle(b.service(edge.target))
    template, _ = asl.definition(b.arch, node.id, lambda target: f"${{stratus:{target}}}", lambda target: None)
    b.add("state_machine", node.id, {"workflow_type": node.effective_config()["workflow_type"],
                                     "definition": template, "task_outputs": outputs},
          refs, b.node_name(node.id))


def _api(b: _Builder, node: Node) -> None:
    cfg = node.effective_config()
    kind = node_kind(node)
    routes, refs = [], {}
    for route in routes_of(b.arch, node.id):
        edge = route.edge
        ref = f"route_{edge.target}"
        refs[ref] = b.main[edge.target]
        routes.append({"method": route.method, "path": route.path, "service": b.service(edge.target),
                       "ref": ref, "integration": API_WIRING[kind](b.arch, route)})
    if node.id in iam.principals(b.arch):
        refs.update(role=f"role:{node.id}", policy=f"role_policy:{node.id}")
    b.add(kind, node.id, {"stage": cfg["stage"], "routes": routes,
                          "throttle": [cfg["throttle_rate_rps"], cfg["throttle_burst"]],
                          "timeout_ms": wiring.integration_timeout_ms(cfg)},
          refs, b.node_name(node.id))


def _text(text: wiring.Text | None) -> dict | None:
    """wiring's text as plain data: apply fills its ${Var} placeholders with real outputs."""
    return None if text is None else {"text": text.text, "variables": dict(text.variables)}


def _rest_wiring(arch: Architecture, route) -> dict:
    wired = wiring.rest_integration(arch, route.edge, route.method, route.path_params)
    return {"proxy": wired.proxy, "uri": _text(wired.uri), "template": _text(wired.template),
            "content_type": wired.content_type, "path_params": list(route.path_params)}


def _http_wiring(arch: Architecture, route) -> dict:
    """Parameters naming an attribute of the target are kept as {"attribute": name}."""
    wired = wiring.http_integration(arch, route.edge)  # a clear error for targets HTTP APIs cannot reach
    return {"subtype": wired.subtype, "payload_format": wired.payload_format,
            "parameters": {k: {"attribute": v.name} if isinstance(v, wiring.Attribute) else v
                           for k, v in wired.parameters.items()}}


# API kind -> the route's integration facts from model.aws.wiring, as data.
API_WIRING = {"rest_api": _rest_wiring, "http_api": _http_wiring}


NODE_BUILDERS = {
    "lambda": _function, "dynamodb": _table, "sqs": _queue, "sns": _topic, "kinesis": _stream,
    "s3": _bucket, "eventbridge": _event_bus, "step_functions": _state_machine, "api_gateway": _api,
}

# -- roles ------------------------------------------------------------------------------


def _roles(b: _Builder) -> None:
    for node_id in iam.principals(b.arch):
        service = b.service(node_id)
        b.add("role", node_id, {"principal": iam.service_principal(service)},
              name=b.name(node_id, "role", kind="role"))
        statements, refs = [], {"role": f"role:{node_id}"}
        for stmt in iam.role_statements(b.arch, node_id):
            statements.append({"actions": list(stmt.actions), "node": stmt.resource_node,
                               "suffix": stmt.resource_suffix, "sid": stmt.sid, "scope": stmt.scope})
            if stmt.resource_node in b.main:
                refs[f"node:{stmt.resource_node}"] = b.main[stmt.resource_node]
        config = {"statements": statements}
        if any(s["scope"] == iam.OWN_LOGS for s in statements):
            config["log_group"] = wiring.log_group_name(service, b.node_name(node_id))
        b.add("role_policy", node_id, config, refs)


# -- edges ------------------------------------------------------------------------------

def _grant_source(b: _Builder, g: iam.ResourcePolicyGrant) -> tuple[str, str, str]:
    """Where a grant's aws:SourceArn comes from: (resource key, output, suffix)."""
    source = wiring.GRANT_SOURCES[g.source_service]
    key = f"rule:{g.source_node}->{g.target_node}" if source.via_rule else b.main[g.source_node]
    return key, "arn", source.arn_suffix


POLICY_KINDS = {"sqs_queue_policy": ("queue_policy", "queue"), "sns_topic_policy": ("topic_policy", "topic")}


def _grants(b: _Builder) -> dict[tuple[str, str], str]:
    """Lambda permissions and queue/topic policies; returns (source, target) -> grant key."""
    grant_keys: dict[tuple[str, str], str] = {}
    policies: dict[str, tuple[str, str, dict, dict]] = {}
    for g in iam.resource_policies(b.arch):
        source_key, output, suffix = _grant_source(b, g)
        if g.kind == wiring.LAMBDA_PERMISSION:
            res = b.add("permission", f"{g.source_node}->{g.target_node}",
                        {"sid": f"stratus-{g.source_node}"[:100], "principal": g.principal_service,
                         "action": g.actions[0], "source_output": output, "source_suffix": suffix},
                        {"function": b.main[g.target_node], "source": source_key})
            grant_keys[(g.source_node, g.target_node)] = res.key
            continue
        kind, parent = POLICY_KINDS[g.kind]
        _, _, config, refs = policies.setdefault(g.target_node, (kind, parent, {"grants": []},
                                                                 {parent: b.main[g.target_node]}))
        refs[f"src_{g.source_node}"] = source_key
        config["grants"].append({"sid": _sid(g.source_node), "principal": g.principal_service,
                                 "actions": list(g.actions), "source_ref": f"src_{g.source_node}",
                                 "source_output": output, "source_suffix": suffix})
        grant_keys[(g.source_node, g.target_node)] = f"{kind}:{g.target_node}"
    for target, (kind, _, config, refs) in policies.items():
        b.add(kind, target, config, refs)
    return grant_keys


def _sid(node_id: str) -> str:
    return "From" + "".join(p[:1].upper() + p[1:] for p in node_id.split("_") if p)


def _event_source(b: _Builder, edge: Edge, grants) -> None:
    source = wiring.event_source(b.arch, edge)
    # With the fixed parameters the templates set (ReportBatchItemFailures for queues), so a
    # live mapping behaves as an exported one.
    config = wiring.mapping_parameters(b.arch, edge, fixed=True)
    if source.stream:  # queues read the default output, as deployments before recorded it
        config["source_output"] = source.source_attribute
    refs = {"function": b.main[edge.target], "source": b.main[edge.source],
            "policy": f"role_policy:{edge.target}"}
    destination = wiring.mapping_failure_destination(b.arch, edge)
    if destination:
        refs["destination"] = b.main[destination]
    b.add("event_source_mapping", f"{edge.source}->{edge.target}", config, refs, node=edge.target)


def _subscription(b: _Builder, edge: Edge, grants) -> None:
    protocol, raw = wiring.subscription(b.arch, edge)
    refs = {"topic": b.main[edge.source], "endpoint": b.main[edge.target]}
    if (edge.source, edge.target) in grants:
        refs["grant"] = grants[(edge.source, edge.target)]
    b.add("subscription", f"{edge.source}->{edge.target}", {"protocol": protocol,
                                                              "raw_message_delivery": raw},
          refs, node=edge.source)


def _rule_target(b: _Builder, edge: Edge, grants) -> None:
    schedule = wiring.rule_schedule(edge)
    matching = {"schedule": schedule} if schedule else \
        {"pattern": json.dumps(wiring.event_pattern(b.arch, edge), sort_keys=True)}
    refs = {"target": b.main[edge.target]}
    if edge.source in b.main:
        refs["bus"] = b.main[edge.source]
    if wiring.rule_target_needs_role(b.arch, edge):
        refs.update(role=f"role:{edge.source}", policy=f"role_policy:{edge.source}")
    params = wiring.rule_target_parameters(b.arch, edge)
    bus = b.node_name(edge.source) if edge.source in b.main else wiring.DEFAULT_BUS
    b.add("rule", f"{edge.source}->{edge.target}", {**matching, "target": params, "bus": bus}, refs,
          b.name(edge.source, edge.target, kind="rule"), node=edge.source)


EDGE_BUILDERS = {
    "event_source": _event_source,
    "subscription": _subscription,
    "rule_target": _rule_target,
}


def _bucket_notifications(b: _Builder, grants) -> None:
    per_bucket: dict[str, tuple[list, dict]] = {}
    for edge in b.arch.edges:
        if b.arch.edge_kind(edge) != "notification":
            continue
        targets, refs = per_bucket.setdefault(edge.source, ([], {"bucket": b.main[edge.source]}))
        cfg = wiring.edge_settings(b.arch, edge)
        service = b.service(edge.target)
        if not wiring.bucket_wide(b.arch, edge):  # a bucket-wide switch names no target
            refs[f"t_{edge.target}"] = b.main[edge.target]
        if (edge.source, edge.target) in grants:
            refs[f"grant_{edge.target}"] = grants[(edge.source, edge.target)]
        targets.append({"id": f"stratus-{edge.target}", "service": service, "ref": f"t_{edge.target}",
                        "events": cfg["events"], "prefix": cfg["prefix"], "suffix": cfg["suffix"]})
    for bucket, (targets, refs) in per_bucket.items():
        b.add("bucket_notification", bucket, {"targets": targets}, refs)


def _invoke_configs(b: _Builder) -> None:
    for node in b.arch.nodes.values():
        if node.service != "lambda":
            continue
        retries = node.effective_config()["max_retry_attempts"]
        failures = [e for e in b.arch.edges_from(node.id) if b.arch.edge_kind(e) == "on_failure"]
        if not failures and retries == 2:
            continue  # AWS's own defaults: nothing to set
        refs = {"function": b.main[node.id], "policy": f"role_policy:{node.id}"}
        if failures:
            refs["destination"] = b.main[failures[0].target]
        b.add("invoke_config", node.id, {"retries": retries}, refs)


# -- all together -----------------------------------------------------------------------


def not_deployed_warnings(arch: Architecture) -> list[str]:
    """One line per design setting the exported templates create but a live deploy does not."""
    warnings = []
    for node in arch.nodes.values():
        cfg = node.effective_config()
        for field, what in NOT_DEPLOYED_LIVE.get(node.service, {}).items():
            if cfg.get(field):
                warnings.append(f"{what} of {node.id} ({cfg[field]}) is not deployed live: "
                                "create it with the exported template")
    return warnings


def desired_resources(arch: Architecture, design_dir: str | os.PathLike | None = None) -> list[Resource]:
    """Every resource the design needs, in an order where each comes after what it refers to."""
    b = _Builder(arch, str(design_dir) if design_dir else None)
    _roles(b)
    for node in arch.nodes.values():
        NODE_BUILDERS[node.service](b, node)
    grants = _grants(b)
    for edge in arch.edges:
        builder = EDGE_BUILDERS.get(arch.edge_kind(edge))
        if builder:
            builder(b, edge, grants)
    _bucket_notifications(b, grants)
    _invoke_configs(b)
    return dependency_order(b.resources)


def dependency_graph(resources: dict[str, Resource]) -> nx.DiGraph:
    graph = nx.DiGraph()
    for res in resources.values():
        graph.add_node(res.key)
        for dep in res.depends_on:
            if dep not in resources:
                raise StratusError(f"internal: {res.key} refers to {dep}, which the design does not create")
            graph.add_edge(dep, res.key)
    return graph


def dependency_order(resources: dict[str, Resource]) -> list[Resource]:
    graph = dependency_graph(resources)
    try:
        order = nx.lexicographical_topological_sort(
            graph, key=lambda k: (KIND_RANK[resources[k].kind], k))
        return [resources[k] for k in order]
    except nx.NetworkXUnfeasible as exc:
        cycle = " -> ".join(a for a, _ in nx.find_cycle(graph))
        raise StratusError(f"the design's resources depend on each other in a circle: {cycle}") from exc
