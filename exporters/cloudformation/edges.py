"""CloudFormation for the edges that are resources of their own (event source mappings,
subscriptions, rules) and for the resource policies that let services deliver (Lambda
permissions, queue and topic policies). The other edge kinds are written with a node:
routes with their API (api.py), notifications with their bucket, redrive with its queue,
and every SDK call as IAM on the caller's role (template.py).
"""

from __future__ import annotations

from typing import Any

from model.architecture import Edge
from model.aws import iam, wiring
from model.aws.naming import RULE_TARGET_ID_LIMIT, camel, fit

from .template import Template, bus_name, custom_bus, getatt, ref


def render_event_source(t: Template, edge: Edge) -> None:
    properties: dict[str, Any] = {
        "FunctionName": t.function_target(edge.target),
        "EventSourceArn": t.attribute(edge.source, wiring.event_source(t.arch, edge).source_attribute),
        "Enabled": True,
        **wiring.mapping_parameters(t.arch, edge),
    }
    destination = wiring.mapping_failure_destination(t.arch, edge)
    if destination:
        properties["DestinationConfig"] = {"OnFailure": {"Destination": t.arn(destination)}}
    depends = [t.id(edge.target, "Role")]
    t.add(t.id(edge.target, "EventSource", edge.source), "AWS::Lambda::EventSourceMapping", properties,
          depends_on=depends)


def render_subscription(t: Template, edge: Edge) -> None:
    protocol, raw = wiring.subscription(t.arch, edge)
    properties: dict[str, Any] = {"TopicArn": ref(t.id(edge.source)), "Protocol": protocol,
                                  "Endpoint": t.arn(edge.target)}
    if raw:
        properties["RawMessageDelivery"] = True
    depends = [t.delivery_grant_id(edge)]
    t.add(t.id(edge.source, "Subscription", edge.target), "AWS::SNS::Subscription", properties,
          depends_on=depends)


def render_rule_target(t: Template, edge: Edge) -> None:
    schedule = wiring.rule_schedule(edge)
    target: dict[str, Any] = {"Id": fit(camel(edge.target), RULE_TARGET_ID_LIMIT), "Arn": t.arn(edge.target)}
    if wiring.rule_target_needs_role(t.arch, edge):
        target["RoleArn"] = getatt(t.id(edge.source, "Role"), "Arn")
    target.update(wiring.rule_target_parameters(t.arch, edge))
    properties = {
        "Description": f"{edge.source} -> {edge.target}",
        "EventBusName": bus_name(t, edge.source),
        **({"ScheduleExpression": schedule} if schedule else {"EventPattern": wiring.event_pattern(t.arch, edge)}),
        "State": "ENABLED",
        "Targets": [target],
    }
    depends = [t.id(edge.source)] if custom_bus(t, edge.source) else None
    t.add(t.rule_id(edge.source, edge.target), "AWS::Events::Rule", properties, depends_on=depends)



# --------------------------------------------------------------------------------------
# Resource policies


def _grant_source_arn(t: Template, grant: iam.ResourcePolicyGrant) -> Any:
    source = wiring.GRANT_SOURCES[grant.source_service]
    if source.via_rule:
        return getatt(t.rule_id(grant.source_node, grant.target_node), "Arn")
    return t.arn_with(grant.source_node, source.arn_suffix)


def render_resource_policies(t: Template) -> None:
    permissions, by_target = wiring.grouped_grants(t.grants)
    for grant in permissions:
        _lambda_permission(t, grant)
    for target, grants in by_target.items():
        _target_policy(t, target, grants)


def _lambda_permission(t: Template, grant: iam.ResourcePolicyGrant) -> None:
    properties = {
        "Action": grant.actions[0],
        "FunctionName": t.function_target(grant.target_node),
        "Principal": grant.principal_service,
        "SourceArn": _grant_source_arn(t, grant),
        "SourceAccount": ref("AWS::AccountId"),
    }
    t.add(t.id(grant.target_node, "Permission", grant.source_node), "AWS::Lambda::Permission", properties)


# Grant kind -> (policy resource type, the property that lists its queues/topics)
POLICY_RESOURCES = {"sqs_queue_policy": ("AWS::SQS::QueuePolicy", "Queues"),
                    "sns_topic_policy": ("AWS::SNS::TopicPolicy", "Topics")}


def _target_policy(t: Template, target: str, grants: list[iam.ResourcePolicyGrant]) -> None:
    statements = []
    for grant in grants:
        statements.append({
            "Sid": "Allow" + camel(grant.source_node),
            "Effect": "Allow",
            "Principal": {"Service": grant.principal_service},
            "Action": list(grant.actions),
            "Resource": t.arn(target),
            "Condition": {"ArnEquals": {"aws:SourceArn": _grant_source_arn(t, grant)}},
        })
    document = {"Version": "2012-10-17", "Statement": statements}
    type_, listing = POLICY_RESOURCES[grants[0].kind]
    t.add(t.id(target, "Policy"), type_, {listing: [t.attribute(target, wiring.POLICY_TARGET[grants[0].kind])],
                                          "PolicyDocument": document})

