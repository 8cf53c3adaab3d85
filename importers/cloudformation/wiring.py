"""Edges between the services' own resources: a function's failure destinations, retries
and environment references (its SAM events and policies through `events` and
`permissions`), queue redrive, SNS subscriptions, S3 notifications, event source
mappings, EventBridge rules, and a state machine's Task states (its definition read
inline, from a string, or from a file next to the template; kept as written when a task
calls what the design does not model).
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from importers.base import as_bool, as_int, as_list, strip_tokens
from importers.cloudformation.events import add_schedule, add_source_edge, bus_node, wire_event
from importers.cloudformation.permissions import function_policies, kept_wiring_grants, source_roles
from importers.cloudformation.properties import notification_config, stream_config
from importers.cloudformation.state import TemplateImport
from model.aws import integration_grants
from model.aws.asl import task_edges
from model.catalogue import edge_rule


def wire_function(imp: TemplateImport, key: str, props: dict) -> None:
    fn = imp.b.node_of[key]
    for name, event in (props.get("Events") or {}).items():
        wire_event(imp, key, fn, name, event)
    function_policies(imp, key, fn, props)
    _failure_destinations(imp, key, fn, props)
    _environment(imp, key, fn, props)
    alias = props.get("ProvisionedConcurrencyConfig")
    if alias and not props.get("AutoPublishAlias"):
        imp.b.note("note", key, imp.types[key], "ProvisionedConcurrencyConfig needs AutoPublishAlias", "warning")


def _failure_destinations(imp: TemplateImport, key: str, fn: str, props: dict) -> None:
    dlq = props.get("DeadLetterQueue") or props.get("DeadLetterConfig")
    if isinstance(dlq, dict):
        _on_failure(imp, key, fn, dlq.get("TargetArn"), "dead-letter queue")
    if isinstance(props.get("EventInvokeConfig"), dict):
        _retry_attempts(imp, key, fn, props["EventInvokeConfig"])
    destination = ((props.get("EventInvokeConfig") or {}).get("DestinationConfig") or {}).get("OnFailure")
    if isinstance(destination, dict):
        _on_failure(imp, key, fn, destination.get("Destination"), "on-failure destination")


def _on_failure(imp: TemplateImport, key: str, fn: str, ref: Any, why: str) -> None:
    target = imp.b.node_for(ref, ("sqs", "sns"))
    if target is None:
        imp.b.warn(key, imp.types[key], f"{why} {strip_tokens(str(ref))} is not a queue or topic node")
        return
    imp.b.add_edge(fn, target, "on_failure", {}, why, key, imp.types[key])


def _environment(imp: TemplateImport, key: str, fn: str, props: dict) -> None:
    variables = ((props.get("Environment") or {}).get("Variables")) or {}
    for name, value in variables.items():
        if not isinstance(value, str):
            continue
        target = imp.b.node_for(value)
        if target is None or target == fn or imp.b.has_edge_between(fn, target):
            continue
        service = imp.b.arch.nodes[target].service
        config = {"action": "read_write"} if service in ("dynamodb", "s3") else {}
        imp.b.add_edge(fn, target, None, config, f"environment variable {name}", key, imp.types[key])


def wire_event_invoke_config(imp: TemplateImport, key: str, props: dict) -> None:
    fn = imp.b.node_for(props.get("FunctionName"), "lambda")
    if fn is None:
        imp.b.warn(key, imp.types[key], f"asynchronous invoke settings of {strip_tokens(str(props.get('FunctionName')))}, "
                   "which is not a function of this template")
        return
    _retry_attempts(imp, key, fn, props)
    destination = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    if destination:
        _on_failure(imp, key, fn, destination, "on-failure destination")


def _retry_attempts(imp: TemplateImport, key: str, fn: str, settings: dict) -> None:
    retries = as_int(settings.get("MaximumRetryAttempts"))
    if retries is not None:
        imp.b.arch.nodes[fn].config.update(
            imp.b._checked_config(key, imp.types[key], "lambda", {"max_retry_attempts": retries}))


def wire_queue(imp: TemplateImport, key: str, props: dict) -> None:
    redrive = props.get("RedrivePolicy")
    if isinstance(redrive, str):
        try:
            redrive = json.loads(redrive)
        except ValueError:
            redrive = None
    if isinstance(redrive, dict) and redrive.get("deadLetterTargetArn"):
        target = imp.b.node_for(redrive["deadLetterTargetArn"], "sqs")
        if target:
            imp.b.add_edge(imp.b.node_of[key], target, "dead_letter", {}, "redrive policy", key, imp.types[key])
        else:
            imp.b.warn(key, imp.types[key], "redrive target is not a queue of this template")


def wire_topic(imp: TemplateImport, key: str, props: dict) -> None:
    for index, sub in enumerate(as_list(props.get("Subscription"))):
        if not isinstance(sub, dict):
            continue
        if imp.b.node_for(sub.get("Endpoint"), ("sqs", "lambda")) is None:  # e-mail, HTTPS, Firehose...
            imp.inline_subscriptions.append((key, index, f"{sub.get('Protocol')} {strip_tokens(str(sub.get('Endpoint')))}"))
            continue
        _subscribe(imp, key, imp.b.node_of[key], sub.get("Endpoint"), sub.get("Protocol"), {}, "inline subscription")


def wire_subscription(imp: TemplateImport, key: str, props: dict) -> None:
    topic = imp.b.node_for(props.get("TopicArn"), "sns")
    if topic is None:
        imp.b.warn(key, imp.types[key], "topic is not in the template")
        return
    if imp.b.node_for(props.get("Endpoint"), ("sqs", "lambda")) is None:
        imp.kept_as_written[key] = f"{props.get('Protocol')} subscription to " \
                                   f"{strip_tokens(str(props.get('Endpoint')))}, outside the design: kept as written"
        return
    raw = as_bool(props.get("RawMessageDelivery"))
    _subscribe(imp, key, topic, props.get("Endpoint"), props.get("Protocol"),
               {"raw_message_delivery": raw}, "subscription")


def _subscribe(imp: TemplateImport, key, topic, endpoint, protocol, config, why) -> None:
    target = imp.b.node_for(endpoint, ("sqs", "lambda"))
    if target is None:
        imp.b.warn(key, imp.types[key], f"{why} to {protocol} endpoint {strip_tokens(str(endpoint))} "
                   "is not a queue or function node")
        return
    if imp.b.arch.nodes[target].service != "sqs":
        config = {}
    imp.b.add_edge(topic, target, "subscription", config, why, key, imp.types[key])


def wire_bucket(imp: TemplateImport, key: str, props: dict) -> None:
    bucket = imp.b.node_of[key]
    notifications = props.get("NotificationConfiguration") or {}
    for section, ref_key in (("LambdaConfigurations", "Function"), ("QueueConfigurations", "Queue"),
                             ("TopicConfigurations", "Topic")):
        for entry in as_list(notifications.get(section)):
            if not isinstance(entry, dict):
                continue
            target = imp.b.node_for(entry.get(ref_key))
            if target is None:
                imp.b.warn(key, imp.types[key], f"notification to {strip_tokens(str(entry.get(ref_key)))} "
                           "is not a node")
                continue
            imp.b.add_edge(bucket, target, "notification",
                           notification_config(entry.get("Event"), entry.get("Filter")),
                           "notification", key, imp.types[key])
    if as_bool((notifications.get("EventBridgeConfiguration") or {}).get("EventBridgeEnabled")):
        imp.b.add_edge(bucket, bus_node(imp, None), "notification", {}, "EventBridge notifications",
                       key, imp.types[key])


def wire_event_source_mapping(imp: TemplateImport, key: str, props: dict) -> None:
    source = imp.b.node_for(props.get("EventSourceArn"), ("sqs", "kinesis", "dynamodb"))
    fn = imp.b.node_for(props.get("FunctionName"), "lambda")
    if fn is None:
        imp.b.warn(key, imp.types[key], "function is not in the template")
        return
    config = stream_config(props)
    config["max_concurrency"] = as_int((props.get("ScalingConfig") or {}).get("MaximumConcurrency"))
    if source and imp.b.arch.nodes[source].service == "sqs":
        config = {k: config.get(k) for k in ("batch_size", "max_concurrency", "batch_window_s")}
    add_source_edge(imp, key, source, fn, config, "event source mapping", props.get("EventSourceArn"))


def wire_rule(imp: TemplateImport, key: str, props: dict) -> None:
    pattern = props.get("EventPattern")
    if isinstance(pattern, str):
        try:
            pattern = json.loads(pattern)
        except ValueError:
            pass
    schedule = props.get("ScheduleExpression")
    for target in as_list(props.get("Targets")):
        if not isinstance(target, dict):
            continue
        node = imp.b.node_for(target.get("Arn"))
        if node is None or edge_rule("eventbridge", imp.b.arch.nodes[node].service, "rule_target") is None:
            # kept under extras with the rule's pattern (see supporting)
            imp.outside_targets.setdefault(key, []).append(strip_tokens(str(target.get("Arn"))))
            continue
        if schedule:
            add_schedule(imp, key, node, str(schedule), "scheduled rule")
            continue
        config = {"pattern": json.dumps(pattern, sort_keys=True)} if isinstance(pattern, dict) else {}
        bus = bus_node(imp, props.get("EventBusName"))
        if imp.b.add_edge(bus, node, "rule_target", config, "rule", key, imp.types[key]) and key not in imp.parts:
            imp.parts[key] = [bus, "rule", node]


def wire_scheduler_schedule(imp: TemplateImport, key: str, props: dict) -> None:
    """An EventBridge Scheduler schedule is kept as written (under extras); its target, when
    a node, gets the schedule's load in the scenario 'imported schedules'."""
    target = imp.b.node_for((props.get("Target") or {}).get("Arn"))
    expression = props.get("ScheduleExpression")
    if target is None or not isinstance(expression, str):
        return
    every = imp.b.schedule_load(target, expression)
    imp.b.note("note", key, imp.types[key], f"schedule ({expression}) -> a schedule load every {every:g} s at "
               f"'{target}' in scenario 'imported schedules'")


def wire_state_machine(imp: TemplateImport, key: str, props: dict) -> None:
    sm = imp.b.node_of[key]
    definition = _definition(imp, key, props)
    if definition is not None:
        outside = imp.b.task_edges(sm, definition, key, imp.types[key])
        if outside:
            _keep_definition(imp, key, sm, outside, imp.b.outside_calls(definition))
    for name, event in (props.get("Events") or {}).items():
        wire_event(imp, key, sm, name, event)
    imp.use_roles(props.get("Role") or props.get("RoleArn"), sm)


def _definition(imp: TemplateImport, key: str, props: dict) -> Any:
    rtype = imp.types[key]
    definition = props.get("Definition")
    if definition is None and isinstance(props.get("DefinitionString"), str):
        try:
            definition = json.loads(props["DefinitionString"])
        except ValueError as exc:
            imp.b.warn(key, rtype, f"DefinitionString is not JSON ({exc}); no task edges")
            return None
    uri = props.get("DefinitionUri")
    if definition is None and isinstance(uri, str):
        definition = imp.definition_file(key, uri)
    elif definition is None and (uri or props.get("DefinitionS3Location")):
        imp.b.warn(key, rtype, "definition is in S3; no task edges")
        return None
    substitutions = props.get("DefinitionSubstitutions") or {}
    return _substitute(definition, substitutions) if definition is not None else None


def _keep_definition(imp: TemplateImport, key: str, sm: str, outside: list[str],
                     calls: list[tuple[str, str, dict]]) -> None:
    """A definition with tasks outside the design (ECS, Bedrock, an SDK call) cannot be
    written again from the task edges: the node keeps the source's definition, which the
    exporter writes as long as the task edges are the imported ones, and what its role
    must grant for those tasks (the source role's statements for them, else derived)."""
    raw = imp.raw[key].get("Properties") or {}
    kept = {name: copy.deepcopy(raw[name]) for name in ("Definition", "DefinitionString", "DefinitionSubstitutions")
            if name in raw}
    if "Definition" not in kept and "DefinitionString" not in kept:  # SAM's DefinitionUri: a local file
        kept["Definition"] = imp.definition_file(key, raw["DefinitionUri"])
    node = imp.b.arch.nodes[sm]
    needs = [(f"task state '{state}' calls {resource}", integration_grants.task_grants(resource, parameters))
             for state, resource, parameters in calls]
    props = imp.props[key]
    grants = kept_wiring_grants(imp, source_roles(imp, props.get("Role") or props.get("RoleArn")),
                                (raw.get("Policies") if "Role" not in raw else None), needs)
    node.extra["cfn"]["kept_definition"] = {"properties": kept,
                                            "task_targets": [e.target for e in task_edges(imp.b.arch, sm)],
                                            "grants": grants}
    if grants["derived"]:
        derived = "; ".join(f"{', '.join(e['actions'])} ({', '.join(e['why'])})" for e in grants["derived"])
        imp.b.note("note", key, imp.types[key], f"the source's role grants none of {derived}: the exported role "
                   "gets them, derived from the integrations", "warning")
    imp.b.note("note", key, imp.types[key], "; ".join(outside) + ": outside the design, so the definition is kept "
               "as written (the simulation runs the task edges only)", "warning")


def _substitute(value: Any, substitutions: dict) -> Any:
    if isinstance(value, str):
        return re.sub(r"\$\{([^}]+)\}", lambda m: str(substitutions.get(m.group(1), m.group(0))), value)
    if isinstance(value, dict):
        return {k: _substitute(v, substitutions) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, substitutions) for v in value]
    return value
