"""Terraform for the edges that are resources of their own (event source mappings,
subscriptions, rules and their targets) and for the resource policies that let services
deliver (Lambda permissions, queue and topic policies). The other edge kinds are written
with a node: routes with their API (api.py), notifications with their bucket, redrive with
its queue, and every SDK call as IAM on the caller's role (config.py).
"""

from __future__ import annotations

from typing import Any

from model.architecture import Edge
from model.aws import iam, wiring
from model.aws.defaults import ALIAS_NAME, provisioned
from model.aws.naming import RULE_NAME_LIMIT, RULE_SOURCE_ROOM, RULE_TARGET_ID_LIMIT, fit, kebab

from ..serialize import Block, Expr, hcl_value
from .config import ACCOUNT, POLICY_RESOURCES, Config, arguments, quoted


def render_event_source(c: Config, edge: Edge) -> None:
    body: dict[str, Any] = {
        "event_source_arn": c.attribute(edge.source, wiring.event_source(c.arch, edge).source_attribute),
        "function_name": c.function_target(edge.target),
        **arguments(wiring.mapping_parameters(c.arch, edge)),
    }
    destination = wiring.mapping_failure_destination(c.arch, edge)
    if destination:
        body.setdefault("blocks", []).append(Block("destination_config", body={"blocks": [
            Block("on_failure", body={"destination_arn": c.arn(destination)})]}))
    body["depends_on"] = [Expr(f"aws_iam_role_policy.{c.name(edge.target, 'role')}")]
    c.resource("aws_lambda_event_source_mapping", c.name(edge.target, "source", edge.source), body)


def render_subscription(c: Config, edge: Edge) -> None:
    protocol, raw = wiring.subscription(c.arch, edge)
    body: dict[str, Any] = {"topic_arn": c.ref(edge.source, "arn"), "protocol": protocol,
                            "endpoint": c.arn(edge.target)}
    if raw:
        body["raw_message_delivery"] = True
    body["depends_on"] = [Expr(c.grant_address(edge))]
    c.resource("aws_sns_topic_subscription", c.name(edge.source, "to", edge.target), body)


# PutTargets parameter -> the aws_cloudwatch_event_target block that carries it.
RULE_TARGET_BLOCKS = {"KinesisParameters": "kinesis_target", "SqsParameters": "sqs_target"}


def render_rule_target(c: Config, edge: Edge) -> None:
    schedule = wiring.rule_schedule(edge)
    name = c.rule_name(edge.source, edge.target)
    bus = c.handle(edge.source)
    c.resource("aws_cloudwatch_event_rule", name, {
        "name": quoted(fit(c.physical_name(edge.source, RULE_SOURCE_ROOM) + "-" + kebab(edge.target), RULE_NAME_LIMIT)),
        "description": f"{edge.source} -> {edge.target}", "event_bus_name": bus,
        **({"schedule_expression": schedule} if schedule else
           {"event_pattern": Expr("jsonencode(" + hcl_value(wiring.event_pattern(c.arch, edge), 1) + ")")}),
        "tags": c.tags()})
    target: dict[str, Any] = {"rule": Expr(f"aws_cloudwatch_event_rule.{name}.name"), "event_bus_name": bus,
                              "target_id": fit(kebab(edge.target), RULE_TARGET_ID_LIMIT), "arn": c.arn(edge.target)}
    if wiring.rule_target_needs_role(c.arch, edge):
        target["role_arn"] = Expr(f"aws_iam_role.{c.name(edge.source, 'role')}.arn")
    target.update(arguments(wiring.rule_target_parameters(c.arch, edge), RULE_TARGET_BLOCKS))
    c.resource("aws_cloudwatch_event_target", name, target)


# --------------------------------------------------------------------------------------
# Resource policies


def _source_arn(c: Config, grant: iam.ResourcePolicyGrant) -> Expr:
    source = wiring.GRANT_SOURCES[grant.source_service]
    if source.via_rule:
        return Expr(f"aws_cloudwatch_event_rule.{c.rule_name(grant.source_node, grant.target_node)}.arn")
    return c.arn_with(grant.source_node, source.arn_suffix)


def render_resource_policies(c: Config) -> None:
    permissions, by_target = wiring.grouped_grants(c.grants)
    for grant in permissions:
        _lambda_permission(c, grant)
    for target, grants in by_target.items():
        statements = [{
            "Sid": "Allow" + "".join(w.capitalize() for w in kebab(g.source_node).split("-")),
            "Effect": "Allow", "Principal": {"Service": g.principal_service}, "Action": list(g.actions),
            "Resource": c.arn(target), "Condition": {"ArnEquals": {"aws:SourceArn": _source_arn(c, g)}},
        } for g in grants]
        policy = Expr("jsonencode(" + hcl_value({"Version": "2012-10-17", "Statement": statements}, 1) + ")")
        type_, argument = POLICY_RESOURCES[grants[0].kind]
        c.resource(type_, c.name(target), {argument: c.attribute(target, wiring.POLICY_TARGET[grants[0].kind]),
                                           "policy": policy})


def _lambda_permission(c: Config, grant: iam.ResourcePolicyGrant) -> None:
    fn = grant.target_node
    body: dict[str, Any] = {
        "statement_id": "Allow" + "".join(w.capitalize() for w in kebab(grant.source_node).split("-"))[:90],
        "action": grant.actions[0],
        "function_name": c.ref(fn, "function_name"),
        "principal": grant.principal_service,
        "source_arn": _source_arn(c, grant),
        "source_account": Expr(ACCOUNT),
    }
    if provisioned(c.config(fn)):
        body["qualifier"] = Expr(f"aws_lambda_alias.{c.name(fn, ALIAS_NAME)}.name")
    c.resource("aws_lambda_permission", c.name(fn, "permission", grant.source_node), body)

