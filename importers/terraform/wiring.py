"""Edges between the services' own resources: a function's role policies, dead-letter queue
and environment references, asynchronous invoke settings and provisioned concurrency, queue
redrive, SNS subscriptions, event source mappings, bucket notifications, EventBridge rule
targets (a scheduled rule becomes a rule edge carrying its schedule, and a schedule load),
and a state machine's Task states.
"""

from __future__ import annotations

import json
from typing import Any

from importers.base import as_bool, as_int, as_list, rule_rate, strip_tokens, tokens_in
from importers.terraform.hcl_values import decoded_json
from importers.terraform.modules import Resource, address_of, first_block
from importers.terraform.state import TerraformImport


def wire_function(imp: TerraformImport, res: Resource) -> None:
    v, fn = res.values, imp.b.node_of[res.address]
    for role in tokens_in(v.get("role")):
        _role_statements(imp, res, fn, address_of(role))
    target = first_block(v.get("dead_letter_config")).get("target_arn")
    if target:
        _on_failure(imp, res, fn, target, "dead-letter queue")
    variables = first_block(v.get("environment")).get("variables") or {}
    for name, value in (variables.items() if isinstance(variables, dict) else []):
        node = imp.b.node_for(value) if isinstance(value, str) else None
        if node is None or node == fn or imp.b.has_edge_between(fn, node):
            continue
        service = imp.b.arch.nodes[node].service
        imp.b.add_edge(fn, node, None, {"action": "read_write"} if service in ("dynamodb", "s3") else {},
                       f"environment variable {name}", res.address, res.tf_type)


def _role_statements(imp: TerraformImport, res: Resource, fn: str, role: str) -> None:
    role_res = imp.resources.get(role)
    if role_res is None or role_res.tf_type != "aws_iam_role":
        return
    imp.used_roles.add(role)
    documents = [p.get("policy") for p in as_list(role_res.values.get("inline_policy")) if isinstance(p, dict)]
    for other in imp.resources.values():
        if other.tf_type == "aws_iam_role_policy" and role in map(address_of, tokens_in(other.values.get("role"))):
            documents.append(other.values.get("policy"))
        if other.tf_type == "aws_iam_role_policy_attachment" and \
                role in map(address_of, tokens_in(other.values.get("role"))):
            for policy in tokens_in(other.values.get("policy_arn")):
                policy_res = imp.resources.get(address_of(policy))
                if policy_res is not None:
                    documents.append(policy_res.values.get("policy"))
    for document in documents:
        parsed = decoded_json(document)
        if isinstance(parsed, dict):
            imp.b.edges_from_statements(fn, parsed.get("Statement"), res.address, res.tf_type,
                                        f"policy of role {role}")


def _on_failure(imp: TerraformImport, res: Resource, fn: str, ref: Any, why: str) -> None:
    target = imp.b.node_for(ref, ("sqs", "sns"))
    if target is None:
        imp.b.warn(res.address, res.tf_type, f"{why} {strip_tokens(str(ref))} is not a queue or topic node")
        return
    imp.b.add_edge(fn, target, "on_failure", {}, why, res.address, res.tf_type)


def wire_event_invoke_config(imp: TerraformImport, res: Resource) -> None:
    v = res.values
    fn = imp.b.node_for(v.get("function_name"), "lambda")
    if fn is None:
        imp.b.warn(res.address, res.tf_type, f"asynchronous invoke settings of {strip_tokens(str(v.get('function_name')))}, "
                   "which is not a function of this configuration")
        return
    retries = as_int(v.get("maximum_retry_attempts"))
    if retries is not None:
        imp.b.arch.nodes[fn].config.update(
            imp.b._checked_config(res.address, res.tf_type, "lambda", {"max_retry_attempts": retries}))
    failure = first_block(first_block(v.get("destination_config")).get("on_failure")).get("destination")
    if failure:
        _on_failure(imp, res, fn, failure, "on-failure destination")


def wire_provisioned_concurrency(imp: TerraformImport, res: Resource) -> None:
    fn = imp.b.node_for(res.values.get("function_name"), "lambda")
    count = as_int(res.values.get("provisioned_concurrent_executions"))
    if fn is None:
        imp.b.warn(res.address, res.tf_type, f"provisioned concurrency ({count}) of "
                   f"{strip_tokens(str(res.values.get('function_name')))}, which is not a function of this "
                   "configuration; not attached to any node")
        return
    if count is None:
        imp.b.warn(res.address, res.tf_type, f"provisioned_concurrent_executions "
                   f"{strip_tokens(str(res.values.get('provisioned_concurrent_executions')))} is not a number; "
                   f"'{fn}' keeps the default")
        return
    imp.provisioned.setdefault(fn, []).append((res.address, count))


def wire_queue(imp: TerraformImport, res: Resource) -> None:
    redrive = decoded_json(res.values.get("redrive_policy"))
    _redrive(imp, res, imp.b.node_of[res.address], redrive)


def _redrive(imp: TerraformImport, res: Resource, queue: str | None, redrive: Any) -> None:
    if queue is None or not isinstance(redrive, dict) or not redrive.get("deadLetterTargetArn"):
        return
    target = imp.b.node_for(redrive["deadLetterTargetArn"], "sqs")
    if target is None:
        imp.b.warn(res.address, res.tf_type, "redrive target is not a queue of this configuration")
        return
    count = as_int(redrive.get("maxReceiveCount"))
    if count is not None:
        imp.b.arch.nodes[queue].config["max_receive_count"] = count
    imp.b.add_edge(queue, target, "dead_letter", {}, "redrive policy", res.address, res.tf_type)


def wire_redrive_policy(imp: TerraformImport, res: Resource) -> None:
    _redrive(imp, res, imp.b.node_for(res.values.get("queue_url"), "sqs"), decoded_json(res.values.get("redrive_policy")))


def wire_subscription(imp: TerraformImport, res: Resource) -> None:
    v = res.values
    topic = imp.b.node_for(v.get("topic_arn"), "sns")
    target = imp.b.node_for(v.get("endpoint"), ("sqs", "lambda"))
    if topic is not None and target is None:
        imp.kept_as_written[res.address] = f"{v.get('protocol')} subscription to " \
                                           f"{strip_tokens(str(v.get('endpoint')))}, outside the design: kept as written"
        return
    if topic is None or target is None:
        imp.b.warn(res.address, res.tf_type, f"{v.get('protocol')} subscription: topic or endpoint is not a node")
        return
    raw = as_bool(v.get("raw_message_delivery")) if imp.b.arch.nodes[target].service == "sqs" else None
    imp.b.add_edge(topic, target, "subscription", {"raw_message_delivery": raw}, "subscription",
                   res.address, res.tf_type)


def wire_event_source_mapping(imp: TerraformImport, res: Resource) -> None:
    v = res.values
    source = imp.b.node_for(v.get("event_source_arn"), ("sqs", "kinesis", "dynamodb"))
    fn = imp.b.node_for(v.get("function_name"), "lambda")
    if source is None and fn is not None:  # Amazon MQ, Kafka, DocumentDB...: kept as written
        imp.kept_as_written[res.address] = f"event source {strip_tokens(str(v.get('event_source_arn')))} is outside " \
                                           "the design: kept as written"
        return
    if source is None or fn is None:
        imp.b.warn(res.address, res.tf_type, "event source or function is not a node")
        return
    config = {"batch_size": as_int(v.get("batch_size")),
              "batch_window_s": as_int(v.get("maximum_batching_window_in_seconds"))}
    if imp.b.arch.nodes[source].service == "sqs":
        config["max_concurrency"] = as_int(first_block(v.get("scaling_config")).get("maximum_concurrency"))
    else:
        config.update({"parallelization_factor": as_int(v.get("parallelization_factor")),
                       "starting_position": v.get("starting_position") if v.get("starting_position") in
                       ("LATEST", "TRIM_HORIZON") else None,
                       "max_retry_attempts": as_int(v.get("maximum_retry_attempts")),
                       "max_record_age_s": as_int(v.get("maximum_record_age_in_seconds")),
                       "bisect_on_error": as_bool(v.get("bisect_batch_on_function_error"))})
    imp.b.add_edge(source, fn, "event_source", config, "event source mapping", res.address, res.tf_type)


def wire_bucket_notification(imp: TerraformImport, res: Resource) -> None:
    v = res.values
    bucket = imp.b.node_for(v.get("bucket"), "s3")
    if bucket is None:
        imp.b.warn(res.address, res.tf_type, "bucket is not a node")
        return
    for block, ref_key in (("lambda_function", "lambda_function_arn"), ("queue", "queue_arn"), ("topic", "topic_arn")):
        for entry in as_list(v.get(block)):
            if not isinstance(entry, dict):
                continue
            target = imp.b.node_for(entry.get(ref_key))
            if target is None:
                imp.b.warn(res.address, res.tf_type, f"notification to {strip_tokens(str(entry.get(ref_key)))} is not a node")
                continue
            events = [str(e) for e in as_list(entry.get("events"))]
            kind = "object_created" if events and all("ObjectCreated" in e for e in events) else (
                "object_removed" if events and all("ObjectRemoved" in e for e in events) else "all")
            config = {"events": kind, "prefix": entry.get("filter_prefix"), "suffix": entry.get("filter_suffix")}
            imp.b.add_edge(bucket, target, "notification", config, "notification", res.address, res.tf_type)
    if as_bool(v.get("eventbridge")):
        imp.b.add_edge(bucket, _default_bus(imp), "notification", {}, "EventBridge notifications",
                       res.address, res.tf_type)


def _default_bus(imp: TerraformImport) -> str:
    if "default_bus" not in imp.b.node_of:
        imp.b.add_node("default_bus", "implicit default bus", "eventbridge", {"bus_name": "default"},
                       "default_bus", {"terraform": {"implicit": True}})
    return imp.b.node_of["default_bus"]


def wire_event_target(imp: TerraformImport, res: Resource) -> None:
    v = res.values
    rule = imp.resources.get(address_of(tokens_in(v.get("rule"))[0])) if tokens_in(v.get("rule")) else None
    rule_values = rule.values if rule else {}
    target = imp.b.node_for(v.get("arn"))
    if target is None:  # kept under extras, with its rule (see supporting)
        imp.outside_targets[res.address] = strip_tokens(str(v.get("arn")))
        if rule is not None:
            imp.rules_with_outside_targets.add(rule.address)
        return
    schedule = rule_values.get("schedule_expression")
    if schedule:
        _scheduled_rule(imp, res, target, str(schedule))
        return
    bus_ref = v.get("event_bus_name") or rule_values.get("event_bus_name")
    bus = imp.b.node_for(bus_ref, "eventbridge") if bus_ref not in (None, "default") else None
    pattern = decoded_json(rule_values.get("event_pattern"))
    config = {"pattern": json.dumps(pattern, sort_keys=True)} if isinstance(pattern, dict) else {}
    imp.b.add_edge(bus or _default_bus(imp), target, "rule_target", config, "rule target",
                   res.address, res.tf_type)


def _scheduled_rule(imp: TerraformImport, res: Resource, target: str, expression: str) -> None:
    """A scheduled rule: an edge from the default bus that matches no events (fraction 0)
    and carries the schedule, which the exporters write again, and a schedule load."""
    imp.b.add_edge(imp.b.schedules_node(target), target, "rule_target", {"schedule": rule_rate(expression), "fraction": 0},
                   "scheduled rule", res.address, res.tf_type)
    every = imp.b.schedule_load(target, expression)
    imp.b.note("note", res.address, res.tf_type, f"scheduled rule ({expression}) -> a scheduled rule to '{target}' "
               f"and a schedule load every {every:g} s in scenario 'imported schedules'")


def wire_scheduler_schedule(imp: TerraformImport, res: Resource) -> None:
    """An EventBridge Scheduler schedule is kept as written (under extras); its target, when
    a node, gets the schedule's load in the scenario 'imported schedules'."""
    target = imp.b.node_for(first_block(res.values.get("target")).get("arn"))
    expression = res.values.get("schedule_expression")
    if target is None or not isinstance(expression, str):
        return
    every = imp.b.schedule_load(target, expression)
    imp.b.note("note", res.address, res.tf_type, f"schedule ({expression}) -> a schedule load every {every:g} s "
               f"at '{target}' in scenario 'imported schedules'")


def wire_state_machine(imp: TerraformImport, res: Resource) -> None:
    v = res.values
    for role in tokens_in(v.get("role_arn")):
        imp.used_roles.add(address_of(role))
    definition = decoded_json(v.get("definition"))
    if not isinstance(definition, dict):
        imp.b.warn(res.address, res.tf_type, "definition could not be evaluated (an unsupported function?); "
                   "no task edges")
        return
    outside = imp.b.task_edges(imp.b.node_of[res.address], definition, res.address, res.tf_type)
    imp.b.outside_tasks_lost(res.address, res.tf_type, outside)
