"""SAM function events from sources the design does not model (Amazon MSK, Amazon MQ,
self-managed Kafka, DocumentDB streams, IoT rules), kept as the CloudFormation resources
SAM makes of them, so that the export still wires the function to its source:

- a poller event becomes the event source mapping `<Fn><Event>` and the poller's grants
  (`<Fn><Event>Policy`, on the function's role as the exporter writes it), as SAM adds
  them to the role it generates;
- an IoTRule event becomes the topic rule `<Fn><Event>` and the permission
  `<Fn><Event>Permission` that lets IoT invoke the function.
"""

from __future__ import annotations

import copy
from typing import Any

from importers.cloudformation.state import TemplateImport

# Event type -> (SAM property -> event source mapping property; a dotted name nests it)
MAPPING_PROPERTIES: dict[str, dict[str, str]] = {
    "MSK": {"Stream": "EventSourceArn", "ConsumerGroupId": "AmazonManagedKafkaEventSourceConfig.ConsumerGroupId"},
    "MQ": {"Broker": "EventSourceArn"},
    "SelfManagedKafka": {"KafkaBootstrapServers": "SelfManagedEventSource.Endpoints.KafkaBootstrapServers",
                         "ConsumerGroupId": "SelfManagedKafkaEventSourceConfig.ConsumerGroupId"},
    "DocumentDB": {"Cluster": "EventSourceArn", "DatabaseName": "DocumentDBEventSourceConfig.DatabaseName",
                   "CollectionName": "DocumentDBEventSourceConfig.CollectionName",
                   "FullDocument": "DocumentDBEventSourceConfig.FullDocument"},
}
SAM_ONLY_PROPERTIES = ("SecretsManagerKmsKeyId", "DynamicPolicyName")
_NETWORK = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"]
# What the poller of each event type needs on the function's role (what SAM grants).
POLLER_ACTIONS: dict[str, list[str]] = {
    "MSK": ["kafka:DescribeCluster", "kafka:DescribeClusterV2", "kafka:GetBootstrapBrokers", *_NETWORK],
    "MQ": ["mq:DescribeBroker", "secretsmanager:GetSecretValue", *_NETWORK],
    "SelfManagedKafka": ["secretsmanager:GetSecretValue", "kms:Decrypt", *_NETWORK],
    "DocumentDB": ["rds:DescribeDBClusters", "rds:DescribeDBClusterParameters", "rds:DescribeDBSubnetGroups",
                   "secretsmanager:GetSecretValue", *_NETWORK],
}
KEPT_EVENT_TYPES = (*MAPPING_PROPERTIES, "IoTRule")


def keep_event(imp: TemplateImport, key: str, name: str, kind: str) -> bool:
    """Record a function's event of a kept type; False when it is not one."""
    if kind not in KEPT_EVENT_TYPES or imp.types[key] != "AWS::Serverless::Function":
        return False
    imp.outside_events.append((key, name, kind))
    return True


def kept_resources(imp: TemplateImport) -> list[tuple[dict, str]]:
    """(extra, why) for each kept event's resources, in the order the events were read."""
    out = []
    for key, name, kind in imp.outside_events:
        event = ((imp.raw[key].get("Properties") or {}).get("Events") or {}).get(name) or {}
        props = copy.deepcopy(event.get("Properties") or {})
        if kind == "IoTRule":
            out += [(r, f"{kind} event {name} of '{key}', kept as the resources SAM makes of it")
                    for r in _iot_rule(key, name, props)]
            continue
        out += [(r, f"{kind} event {name} of '{key}' (a source outside the design), kept as the event source "
                 "mapping SAM makes of it, with the poller's grants") for r in _mapping(imp, key, name, kind, props)]
    return [(extra, why) for extra, why in out if extra["logical_id"] not in imp.types]


def _mapping(imp: TemplateImport, key: str, name: str, kind: str, props: dict) -> list[dict]:
    mapping: dict[str, Any] = {"FunctionName": {"Ref": key}}
    for prop, value in props.items():
        if prop in SAM_ONLY_PROPERTIES:
            continue
        *outer, last = MAPPING_PROPERTIES[kind].get(prop, prop).split(".")
        place = mapping
        for step in outer:
            place = place.setdefault(step, {})
        place[last] = value
    # The function's role as the exporter writes it (the SAM-generated name points there).
    if f"{key}Role" not in imp.types:  # else that role, kept or absorbed, is the one
        imp.parts.setdefault(f"{key}Role", [imp.b.node_of[key], "role"])
    policy = {"PolicyName": f"{key}{name}Poller", "Roles": [{"Ref": f"{key}Role"}],
              "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                  {"Effect": "Allow", "Action": POLLER_ACTIONS[kind], "Resource": "*"}]}}
    return [{"logical_id": f"{key}{name}", "type": "AWS::Lambda::EventSourceMapping", "properties": mapping,
             "depends_on": [f"{key}{name}Policy"]},  # the poller checks its grants when it is made
            {"logical_id": f"{key}{name}Policy", "type": "AWS::IAM::Policy", "properties": policy}]


def _iot_rule(key: str, name: str, props: dict) -> list[dict]:
    payload: dict[str, Any] = {"Sql": props.get("Sql"), "RuleDisabled": False,
                               "Actions": [{"Lambda": {"FunctionArn": {"Fn::GetAtt": [key, "Arn"]}}}]}
    if "AwsIotSqlVersion" in props:
        payload["AwsIotSqlVersion"] = props["AwsIotSqlVersion"]
    permission = {"Action": "lambda:InvokeFunction", "FunctionName": {"Ref": key}, "Principal": "iot.amazonaws.com",
                  "SourceAccount": {"Ref": "AWS::AccountId"}, "SourceArn": {"Fn::GetAtt": [f"{key}{name}", "Arn"]}}
    return [{"logical_id": f"{key}{name}", "type": "AWS::IoT::TopicRule", "properties": {"TopicRulePayload": payload}},
            {"logical_id": f"{key}{name}Permission", "type": "AWS::Lambda::Permission", "properties": permission}]
