"""Records read from an account -> nodes and edges, through the importers' GraphBuilder.

Each kind of resource has a `config` reader (its node's config from what AWS said) and a
`wire` function (the edges it shows): event source mappings, destinations, subscriptions,
redrive, rules and their targets, state machine tasks (in execution order), API routes
and their integrations, bucket notifications, and a function's own calls read from its
role's IAM policies and its environment. GraphBuilder checks every edge against the
catalogue and reports, by name, what it cannot map; the wiring facts (event source
parameters, subscription protocols, S3 event types, HTTP API integration subtypes) are
model.aws.wiring's, read backwards.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

from importers import table_scaling

from .inventory import KINDS, Record
from .shared import (
    AWS_SERVICE_OF_ARN, BUCKET_WIDE_NOTIFICATIONS, DEFAULT_BUS, EVENT_SOURCES, HTTP_INTEGRATIONS,
    S3_EVENTS, SUBSCRIPTIONS, Attribute, GraphBuilder, parse_rate,
)

ESM_TYPE = "AWS::Lambda::EventSourceMapping"
ROLE_TYPE = "AWS::IAM::Role"


def build(name: str, region: str, records: list[Record]) -> GraphBuilder:
    """A GraphBuilder holding a node per resource of the nine services and every edge found."""
    b = GraphBuilder(name, "aws")
    b.arch.region = region
    nodes = [rec for rec in records if rec.spec.service]
    stems = short_names(nodes)
    for rec in nodes:
        _add_node(b, rec, stems[id(rec)])
    by_node = {rec.node: rec for rec in nodes}
    for rec in records:
        WIRE[rec.kind](b, rec)
    _async_invokes(b, by_node)
    return b


# --------------------------------------------------------------------------------------
# Node ids


def short_names(records: list[Record]) -> dict[int, str]:
    """A node id stem per record: its logical id when it comes from a stack, else its name
    without the words every name starts with ("stratus-shop-orders", "stratus-shop-users"
    -> "orders", "users"), ".fifo" dropped."""
    words = {id(rec): [w for w in re.split(r"[-_.\s]+", _base_name(rec)) if w] or [rec.kind] for rec in records}
    named = [w for rec, w in ((rec, words[id(rec)]) for rec in records) if not _is_default_bus(rec)]
    common = 0
    if len(named) >= 2:
        shortest = min(len(w) for w in named)
        while common < shortest - 1 and len({tuple(w[:common + 1]) for w in named}) == 1:
            common += 1
    out = {}
    for rec in records:
        if rec.logical_id:  # scanned from a stack: its logical id, as the template importer names it
            out[id(rec)] = rec.logical_id
        elif _is_default_bus(rec):
            out[id(rec)] = "default_event_bus"
        else:
            out[id(rec)] = "_".join(words[id(rec)][common:])
    return out


def _base_name(rec: Record) -> str:
    return rec.name[:-5] if rec.name.endswith(".fifo") else rec.name


def _is_default_bus(rec: Record) -> bool:
    return rec.kind == "event_bus" and rec.name == DEFAULT_BUS


# --------------------------------------------------------------------------------------
# Nodes


def _add_node(b: GraphBuilder, rec: Record, stem: str) -> None:
    config, notes = CONFIG[rec.kind](rec)
    physical = [rec.name, rec.arn] + [i for i in rec.ids if i.startswith(("http://", "https://"))]
    extra = {"aws": {"kind": rec.kind, "name": rec.name, **({"arn": rec.arn} if rec.arn else {}),
                     **({"id": rec.data["id"]} if rec.kind == "rest_api" else {}),
                     **({"id": rec.data["ApiId"]} if rec.kind == "http_api" else {})}}
    node = b.add_node(rec.name, rec.spec.cfn_type, rec.spec.service, config, stem, extra, physical)
    node.label = rec.name
    rec.node = node.id
    for note in notes:
        b.note("note", rec.name, rec.spec.cfn_type, note, "warning")


def _function_config(rec: Record) -> tuple[dict, list[str]]:
    d, det = rec.data, rec.details
    config = {"runtime": d.get("Runtime"), "architecture": (d.get("Architectures") or [None])[0],
              "memory_mb": d.get("MemorySize"), "timeout_s": d.get("Timeout"), "handler": d.get("Handler"),
              "reserved_concurrency": det.get("reserved"), "provisioned_concurrency": det.get("provisioned") or 0}
    invoke = det.get("invoke_config") or {}
    if "MaximumRetryAttempts" in invoke:
        config["max_retry_attempts"] = invoke["MaximumRetryAttempts"]
    notes = []
    if not d.get("Runtime"):
        notes.append(f"a {d.get('PackageType', 'container image').lower()} function: its runtime is not "
                     "known, the default is used")
    return config, notes


def _queue_config(rec: Record) -> tuple[dict, list[str]]:
    attrs = rec.details.get("attributes", {})
    config = {"fifo": attrs.get("FifoQueue") == "true" or rec.name.endswith(".fifo"),
              "visibility_timeout_s": _int(attrs.get("VisibilityTimeout")),
              "retention_s": _int(attrs.get("MessageRetentionPeriod"))}
    redrive = _json(attrs.get("RedrivePolicy"))
    if redrive.get("maxReceiveCount") is not None:
        config["max_receive_count"] = _int(redrive["maxReceiveCount"])
    return config, []


def _topic_config(rec: Record) -> tuple[dict, list[str]]:
    attrs = rec.details.get("attributes", {})
    return {"fifo": attrs.get("FifoTopic") == "true" or rec.name.endswith(".fifo")}, []


STREAM_VIEWS = {"KEYS_ONLY": "keys_only", "NEW_IMAGE": "new_image", "OLD_IMAGE": "old_image",
                "NEW_AND_OLD_IMAGES": "new_and_old_images"}


def _table_config(rec: Record) -> tuple[dict, list[str]]:
    table = rec.details.get("table", {})
    if not table:
        return {}, []
    on_demand = table.get("BillingModeSummary", {}).get("BillingMode") == "PAY_PER_REQUEST"
    config: dict[str, Any] = {"billing_mode": "on_demand" if on_demand else "provisioned"}
    if not on_demand:
        throughput = table.get("ProvisionedThroughput", {})
        config.update(read_capacity=throughput.get("ReadCapacityUnits"),
                      write_capacity=throughput.get("WriteCapacityUnits"))
    stream = table.get("StreamSpecification", {})
    config["stream"] = STREAM_VIEWS.get(stream.get("StreamViewType"), "none") if stream.get("StreamEnabled") \
        else "none"
    key = next((k["AttributeName"] for k in table.get("KeySchema", []) if k.get("KeyType") == "HASH"), None)
    if key:
        config["partition_key"] = key
    return config, _table_scaling(rec, config)


def _table_scaling(rec: Record, config: dict) -> list[str]:
    """Add the table's auto scaling fields to `config`; a note when its scaling is one the
    fields cannot say (the table is then simulated at its current capacity)."""
    scaling = rec.details.get("scaling") or {}
    found = []
    for target in scaling.get("targets", []):
        item = table_scaling.FoundScaling(target.get("ResourceId", ""), "scalable target", rec.name,
                                          target.get("ScalableDimension", ""), target.get("MinCapacity"),
                                          target.get("MaxCapacity"))
        item.policies = [(p.get("PolicyName", ""), _policy_settings(p)) for p in scaling.get("policies", [])
                         if p.get("ScalableDimension") == item.dimension]
        found.append(item)
    if not found:
        return []
    fields, why_not = table_scaling.scaling_config(config, found)
    config.update(fields)
    return [f"auto scaling not carried over: {why_not}; simulated at its current capacity"] if why_not else []


def _policy_settings(policy: dict) -> dict:
    tracking = policy.get("TargetTrackingScalingPolicyConfiguration") or {}
    others = {name: value for name, value in tracking.items()
              if name not in ("TargetValue", "PredefinedMetricSpecification")}
    return table_scaling.policy_settings(policy.get("PolicyType"), tracking.get("TargetValue"),
                                         (tracking.get("PredefinedMetricSpecification") or {})
                                         .get("PredefinedMetricType"), others)


def _stream_config(rec: Record) -> tuple[dict, list[str]]:
    summary = rec.details.get("stream", {})
    if not summary:
        return {}, []
    on_demand = summary.get("StreamModeDetails", {}).get("StreamMode") == "ON_DEMAND"
    config = {"capacity_mode": "on_demand" if on_demand else "provisioned",
              "retention_hours": summary.get("RetentionPeriodHours")}
    if not on_demand:
        config["shards"] = summary.get("OpenShardCount")
    return config, []


def _bus_config(rec: Record) -> tuple[dict, list[str]]:
    return {"bus_name": rec.name}, []


def _state_machine_config(rec: Record) -> tuple[dict, list[str]]:
    kind = rec.details.get("machine", {}).get("type") or rec.data.get("type")
    return ({"workflow_type": kind.lower()} if kind else {}), []


def _rest_api_config(rec: Record) -> tuple[dict, list[str]]:
    stage, notes = _pick_stage(rec.details.get("stages", []), "stageName")
    config: dict[str, Any] = {"api_type": "rest"}
    if stage:
        config["stage"] = stage["stageName"]
        everywhere = (stage.get("methodSettings") or {}).get("*/*", {})
        config["throttle_rate_rps"] = everywhere.get("throttlingRateLimit")
        config["throttle_burst"] = everywhere.get("throttlingBurstLimit")
    timeouts = [spec["methodIntegration"].get("timeoutInMillis") for res in rec.details.get("resources", [])
                for spec in (res.get("resourceMethods") or {}).values() if spec.get("methodIntegration")]
    config["timeout_ms"] = max((t for t in timeouts if t), default=None)
    return config, notes


def _http_api_config(rec: Record) -> tuple[dict, list[str]]:
    stage, notes = _pick_stage(rec.details.get("stages", []), "StageName")
    config: dict[str, Any] = {"api_type": "http"}
    if stage:
        config["stage"] = stage["StageName"]
        settings = stage.get("DefaultRouteSettings") or {}
        config["throttle_rate_rps"] = settings.get("ThrottlingRateLimit")
        config["throttle_burst"] = settings.get("ThrottlingBurstLimit")
    timeouts = [i.get("TimeoutInMillis") for i in rec.details.get("integrations", [])]
    config["timeout_ms"] = max((t for t in timeouts if t), default=None)
    return config, notes


def _pick_stage(stages: list[dict], key: str) -> tuple[dict | None, list[str]]:
    if not stages:
        return None, []
    stage = stages[0]
    notes = [f"has {len(stages)} stages ({', '.join(s[key] for s in stages)}); throttling read from "
             f"'{stage[key]}'"] if len(stages) > 1 else []
    return stage, notes


def _no_config(rec: Record) -> tuple[dict, list[str]]:
    return {}, []


CONFIG: dict[str, Callable[[Record], tuple[dict, list[str]]]] = {
    "function": _function_config, "queue": _queue_config, "topic": _topic_config, "table": _table_config,
    "stream": _stream_config, "event_bus": _bus_config, "state_machine": _state_machine_config,
    "rest_api": _rest_api_config, "http_api": _http_api_config, "bucket": _no_config,
}


# --------------------------------------------------------------------------------------
# Edges: functions


def _wire_function(b: GraphBuilder, rec: Record) -> None:
    for mapping in rec.details.get("mappings", []):
        _event_source(b, rec, mapping)
    _destinations(b, rec)
    _role_edges(b, rec)
    _environment_edges(b, rec)


def _event_source(b: GraphBuilder, rec: Record, mapping: dict) -> None:
    source_arn = mapping.get("EventSourceArn", "")
    source = b.node_for(source_arn, tuple(EVENT_SOURCES)) if source_arn else None
    if source is None:
        what = source_arn or "a source that is not a queue or stream (Kafka, MQ...)"
        b.warn(rec.name, ESM_TYPE, f"event source mapping {mapping.get('UUID', '')} reads {what}, which is not "
                                   "a node of this scan; no edge")
        return
    settings = EVENT_SOURCES[b.arch.nodes[source].service]
    config = {"batch_size": mapping.get("BatchSize"),
              "batch_window_s": mapping.get("MaximumBatchingWindowInSeconds")}
    for field_name, parameter in settings.optional + settings.required:
        config[field_name] = _nested(mapping, parameter)
    b.add_edge(source, rec.node, "event_source", config, "event source mapping", rec.name, ESM_TYPE)
    if mapping.get("State") in ("Disabled", "Disabling"):
        b.note("note", rec.name, ESM_TYPE, f"the event source mapping from {b.arch.nodes[source].label} is "
                                           "disabled; the design keeps it as an edge", "warning")


def _destinations(b: GraphBuilder, rec: Record) -> None:
    config = (rec.details.get("invoke_config") or {}).get("DestinationConfig") or {}
    rtype = "AWS::Lambda::EventInvokeConfig"
    failure = (config.get("OnFailure") or {}).get("Destination")
    if failure:
        target = b.node_for(failure, ("sqs", "sns"))
        if target is None:
            b.warn(rec.name, rtype, f"on-failure destination {failure} is not a queue or topic of this scan; no edge")
        else:
            b.add_edge(rec.node, target, "on_failure", {}, "on-failure destination", rec.name, rtype)
    success = (config.get("OnSuccess") or {}).get("Destination")
    if success:
        b.warn(rec.name, rtype, f"on-success destination {success}: Stratus models on-failure destinations only")


def _role_edges(b: GraphBuilder, rec: Record) -> None:
    role = rec.data.get("Role", "").rsplit("/", 1)[-1]
    outside = []
    for document in rec.details.get("policies", []):
        statements = document.get("Statement")
        b.edges_from_statements(rec.node, statements, rec.name, ROLE_TYPE, f"IAM policy of role {role}")
        outside += _resources_outside(b, statements)
    if outside:
        b.note("note", rec.name, ROLE_TYPE, f"its role also grants access to {', '.join(sorted(set(outside)))}, "
                                            "which this scan did not find (outside its scope or region); no edge",
               "warning")
    managed = rec.details.get("managed_policies") or []
    if managed:
        b.note("note", rec.name, ROLE_TYPE, f"AWS managed policies {', '.join(sorted(managed))} are not read: "
                                            "they name no resource of this design")


def _resources_outside(b: GraphBuilder, statements: Any) -> list[str]:
    """ARNs of the nine services a role names that are no node (nothing to draw an edge to)."""
    found = []
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect", "Allow") != "Allow":
            continue
        resources = statement.get("Resource")
        for resource in resources if isinstance(resources, list) else [resources]:
            if not isinstance(resource, str) or "*" in resource.split(":")[-1].split("/")[0]:
                continue
            parts = resource.split(":")
            if len(parts) > 5 and parts[2] in AWS_SERVICE_OF_ARN and b.node_for(resource) is None:
                found.append(resource)
    return found


def _environment_edges(b: GraphBuilder, rec: Record) -> None:
    """A name, ARN or URL of a node in an environment variable: the function uses it (as
    the template importers read it), unless an edge already says how."""
    variables = (rec.data.get("Environment") or {}).get("Variables") or {}
    for variable, value in sorted(variables.items()):
        target = b.node_for(value) if isinstance(value, str) and value else None
        if target is None or target == rec.node or _linked(b, rec.node, target):
            continue
        service = b.arch.nodes[target].service
        config = {"action": "read_write"} if service in ("dynamodb", "s3") else {}
        b.add_edge(rec.node, target, None, config, f"environment variable {variable}", rec.name,
                   KINDS["function"].cfn_type)


def _linked(b: GraphBuilder, a: str, c: str) -> bool:
    return b.has_edge_between(a, c) or b.has_edge_between(c, a)


def _async_invokes(b: GraphBuilder, by_node: dict[str, Record]) -> None:
    """Whether one function invokes another synchronously is not written anywhere in the
    account; a callee with asynchronous invoke settings (retries, destinations) is taken to
    be invoked asynchronously, and the report says it was guessed."""
    for edge in b.arch.edges:
        source, target = b.arch.nodes[edge.source], b.arch.nodes[edge.target]
        if source.service == target.service == "lambda" and b.arch.edge_kind(edge) == "invoke":
            if by_node[edge.target].details.get("invoke_config"):
                edge.config["mode"] = "async"
                b.note("note", source.label or source.id, "", f"{edge.source} -> {edge.target}: taken as an "
                       "asynchronous invoke (the callee has asynchronous invoke settings); check the code", "warning")


# --------------------------------------------------------------------------------------
# Edges: queues, topics, rules, state machines


def _wire_queue(b: GraphBuilder, rec: Record) -> None:
    redrive = _json(rec.details.get("attributes", {}).get("RedrivePolicy"))
    target_arn = redrive.get("deadLetterTargetArn")
    if not target_arn:
        return
    target = b.node_for(target_arn, "sqs")
    if target is None:
        b.warn(rec.name, "AWS::SQS::Queue", f"redrive to {target_arn}, which is not a queue of this scan; no edge")
        return
    b.add_edge(rec.node, target, "dead_letter", {}, "redrive policy", rec.name, "AWS::SQS::Queue")


PROTOCOL_SERVICE = {protocol: service for service, (protocol, _raw) in SUBSCRIPTIONS.items()}


def _wire_topic(b: GraphBuilder, rec: Record) -> None:
    rtype = "AWS::SNS::Subscription"
    for sub in rec.details.get("subscriptions", []):
        protocol, endpoint = sub.get("Protocol", ""), sub.get("Endpoint", "")
        service = PROTOCOL_SERVICE.get(protocol)
        target = b.node_for(endpoint, service) if service else None
        if target is None:
            what = f"{protocol} subscription to {endpoint}"
            b.warn(rec.name, rtype, f"{what}: not a node of this scan" if service
                   else f"{what}: Stratus models Lambda and SQS subscriptions only")
            continue
        raw = (sub.get("Attributes") or {}).get("RawMessageDelivery") == "true"
        b.add_edge(rec.node, target, "subscription", {"raw_message_delivery": raw} if service == "sqs" else {},
                   "subscription", rec.name, rtype)


def _wire_rule(b: GraphBuilder, rec: Record) -> None:
    rtype = KINDS["rule"].cfn_type
    targets = rec.details.get("targets", [])
    schedule = rec.data.get("ScheduleExpression")
    if rec.data.get("State") == "DISABLED":
        b.note("note", rec.name, rtype, "disabled: not scanned into an edge", "warning")
        return
    if schedule:
        _schedule(b, rec, schedule, targets)
        return
    bus = b.node_for(rec.data["bus"], "eventbridge")
    if bus is None:
        b.warn(rec.name, rtype, f"on event bus {rec.data['bus']}, which is not in this scan; no edges")
        return
    for target in targets:
        node = b.node_for(target.get("Arn", ""))
        if node is None:
            b.warn(rec.name, rtype, f"target {target.get('Arn')} is not a node of this scan; no edge")
            continue
        config = {"pattern": rec.data["EventPattern"]} if rec.data.get("EventPattern") else {}
        b.add_edge(bus, node, "rule_target", config, f"rule {rec.name}", rec.name, rtype)


def _schedule(b: GraphBuilder, rec: Record, expression: str, targets: list[dict]) -> None:
    rtype = KINDS["rule"].cfn_type
    every = parse_rate(expression)
    for target in targets:
        node = b.node_for(target.get("Arn", ""))
        if node is None:
            b.warn(rec.name, rtype, f"scheduled target {target.get('Arn')} is not a node of this scan")
        elif every is None:
            b.warn(rec.name, rtype, f"schedule {expression} of {node}: only rate() schedules become loads")
        else:
            b.schedules.append((node, every, rec.name))
            b.note("absorbed", rec.name, rtype, f"{expression} -> a schedule load of '{node}' "
                                                "(scenario 'imported schedules')")


def _wire_state_machine(b: GraphBuilder, rec: Record) -> None:
    text = rec.details.get("machine", {}).get("definition")
    if not text:
        return
    try:
        definition = json.loads(text)
    except json.JSONDecodeError as exc:
        b.warn(rec.name, KINDS["state_machine"].cfn_type, f"definition is not JSON ({exc.msg}); no task edges")
        return
    b.outside_tasks_lost(rec.name, KINDS["state_machine"].cfn_type,
                         b.task_edges(rec.node, definition, rec.name, KINDS["state_machine"].cfn_type))


# --------------------------------------------------------------------------------------
# Edges: APIs

# REST integrations by the service in their URI (arn:aws:apigateway:<region>:<service>:...):
# the request template field naming the target (model.aws.wiring.REST_INTEGRATIONS writes
# them), or the path for SQS, whose URI ends in the queue's name.
REST_TARGET_FIELDS = {"kinesis": ("kinesis", "StreamName"), "states": ("step_functions", "stateMachineArn"),
                      "dynamodb": ("dynamodb", "TableName")}
DYNAMODB_READS = ("GetItem", "Query", "Scan", "BatchGetItem")


def _wire_rest_api(b: GraphBuilder, rec: Record) -> None:
    for resource in rec.details.get("resources", []):
        path = resource.get("path", "/")
        for method, spec in sorted((resource.get("resourceMethods") or {}).items()):
            integration = spec.get("methodIntegration")
            if integration:
                _rest_route(b, rec, method, path, integration)


def _rest_route(b: GraphBuilder, rec: Record, method: str, path: str, integration: dict) -> None:
    route = f"{method} {path}"
    rtype = "AWS::ApiGateway::Method"
    kind, uri = integration.get("type", ""), integration.get("uri", "")
    if kind == "MOCK":
        b.note("note", rec.name, rtype, f"route {route}: a mock integration (no backend), not an edge")
        return
    if kind not in ("AWS", "AWS_PROXY"):
        b.warn(rec.name, rtype, f"route {route}: {kind} integration with {uri or 'an HTTP backend'} is not a "
                                "node Stratus models; no edge")
        return
    match = re.match(r"arn:[^:]+:apigateway:[^:]*:([^:]+):(?:path|action)/(.*)", uri)
    service, rest = (match.group(1), match.group(2)) if match else ("", "")
    config: dict[str, Any] = {"method": method, "path": path}
    template = " ".join((integration.get("requestTemplates") or {}).values())
    if service == "lambda":
        arn = re.search(r"functions/(arn:[^/]+)/invocations", rest)
        target = b.node_for(arn.group(1), "lambda") if arn else None
    elif service == "sqs":
        target = b.node_for(rest.rstrip("/").rsplit("/", 1)[-1], "sqs")
    elif service in REST_TARGET_FIELDS:
        node_service, field_name = REST_TARGET_FIELDS[service]
        value = re.search(rf'"{field_name}"\s*:\s*"([^"]+)"', template)
        target = b.node_for(value.group(1), node_service) if value else None
        if service == "dynamodb":
            config["action"] = "read" if rest.startswith(DYNAMODB_READS) else "write"
    else:
        target = None
    if target is None:
        b.warn(rec.name, rtype, f"route {route}: integration {uri} reaches no node of this scan; no edge")
        return
    b.add_edge(rec.node, target, None, config, f"route {route}", rec.name, rtype)


def _http_subtypes() -> dict[str, tuple[str, str]]:
    """Integration subtype -> (target service, request parameter naming the target), read
    from the wiring facts the exporters use."""
    out = {}
    for service, make in HTTP_INTEGRATIONS.items():
        facts = make({})
        parameter = next((k for k, v in facts.parameters.items() if isinstance(v, Attribute)), None)
        if facts.subtype and parameter:
            out[facts.subtype] = (service, parameter)
    return out


HTTP_SUBTYPES = _http_subtypes()


def _wire_http_api(b: GraphBuilder, rec: Record) -> None:
    rtype = "AWS::ApiGatewayV2::Route"
    integrations = {i["IntegrationId"]: i for i in rec.details.get("integrations", [])}
    for route in rec.details.get("routes", []):
        key = route.get("RouteKey", "")
        method, _, path = key.partition(" ")
        if not path:  # "$default": every method and path
            method, path = "ANY", "/"
        integration = integrations.get(str(route.get("Target", "")).split("/")[-1])
        if integration is None:
            b.warn(rec.name, rtype, f"route {key}: no integration; no edge")
            continue
        subtype = integration.get("IntegrationSubtype")
        if subtype:
            service, parameter = HTTP_SUBTYPES.get(subtype, (None, None))
            value = (integration.get("RequestParameters") or {}).get(parameter or "")
            target = b.node_for(value, service) if service and value else None
        elif integration.get("IntegrationType") == "AWS_PROXY":
            uri = integration.get("IntegrationUri", "")
            arn = re.search(r"functions/(arn:[^/]+)/invocations", uri)
            target = b.node_for(arn.group(1) if arn else uri, "lambda")
        else:
            target = None
        if target is None:
            what = subtype or integration.get("IntegrationType", "")
            b.warn(rec.name, rtype, f"route {key}: {what} integration "
                                    f"{integration.get('IntegrationUri', '')} reaches no node of this scan; no edge")
            continue
        b.add_edge(rec.node, target, None, {"method": method, "path": path}, f"route {key}", rec.name, rtype)


# --------------------------------------------------------------------------------------
# Edges: buckets

NOTIFICATION_LISTS = (("LambdaFunctionConfigurations", "LambdaFunctionArn", "lambda"),
                      ("QueueConfigurations", "QueueArn", "sqs"), ("TopicConfigurations", "TopicArn", "sns"))


def _wire_bucket(b: GraphBuilder, rec: Record) -> None:
    rtype = "AWS::S3::Bucket"
    notifications = rec.details.get("notifications") or {}
    for listing, arn_key, service in NOTIFICATION_LISTS:
        for entry in notifications.get(listing) or []:
            target = b.node_for(entry.get(arn_key, ""), service)
            if target is None:
                b.warn(rec.name, rtype, f"notification to {entry.get(arn_key)}: not a node of this scan; no edge")
                continue
            b.add_edge(rec.node, target, "notification", _notification_config(b, rec, entry),
                       "event notification", rec.name, rtype)
    if "EventBridgeConfiguration" in notifications:
        (wide,) = BUCKET_WIDE_NOTIFICATIONS  # EventBridge: every event goes to the default bus
        bus = b.node_for(DEFAULT_BUS, wide)
        if bus is not None:
            b.add_edge(rec.node, bus, "notification", {}, "notifications to EventBridge", rec.name, rtype)


def _notification_config(b: GraphBuilder, rec: Record, entry: dict) -> dict:
    events = entry.get("Events") or []
    chosen = _events_choice(events)
    if chosen is None or any(not _covered(e, S3_EVENTS["all"]) for e in events):
        chosen = chosen or "all"
        b.note("note", rec.name, "AWS::S3::Bucket", f"notification {entry.get('Id', '')} on {', '.join(events)}: "
                                                    f"taken as {chosen}", "warning")
    config: dict[str, Any] = {"events": chosen}
    rules = ((entry.get("Filter") or {}).get("Key") or {}).get("FilterRules") or []
    for rule in rules:
        name = str(rule.get("Name", "")).lower()
        if name in ("prefix", "suffix"):
            config[name] = rule.get("Value", "")
    return config


def _events_choice(events: list[str]) -> str | None:
    """The narrowest `events` value of the edge (model.aws.wiring.S3_EVENTS) covering them."""
    choices = sorted(S3_EVENTS, key=lambda name: len(S3_EVENTS[name]))
    matched = [name for name in choices if events and all(_covered(e, S3_EVENTS[name]) for e in events)]
    return matched[0] if matched else None


def _covered(event: str, patterns: tuple[str, ...]) -> bool:
    """s3:ObjectCreated:Put is covered by s3:ObjectCreated:*."""
    return any(event == p or (p.endswith("*") and event.startswith(p[:-1])) for p in patterns)


def _no_edges(b: GraphBuilder, rec: Record) -> None:
    pass  # tables and streams: their triggers are read from the functions' mappings


WIRE: dict[str, Callable[[GraphBuilder, Record], None]] = {
    "function": _wire_function, "queue": _wire_queue, "topic": _wire_topic, "table": _no_edges,
    "stream": _no_edges, "event_bus": _no_edges, "rule": _wire_rule, "state_machine": _wire_state_machine,
    "rest_api": _wire_rest_api, "http_api": _wire_http_api, "bucket": _wire_bucket,
}


# --------------------------------------------------------------------------------------
# Small readers


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _json(text: Any) -> dict:
    if isinstance(text, dict):
        return text
    try:
        value = json.loads(text) if isinstance(text, str) and text else {}
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _nested(mapping: dict, parameter: str) -> Any:
    """mapping["A"]["B"] for the API parameter "A.B"."""
    value: Any = mapping
    for part in parameter.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value
