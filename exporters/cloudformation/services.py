"""One CloudFormation renderer per service (API Gateway's is in api.py): each writes the
node's resources into the Template, from the facts of the catalogue and model.aws.

- A function with provisioned concurrency gets a published Version and an Alias `live`
  carrying the ProvisionedConcurrencyConfig, and every trigger invokes the alias. Both sit
  behind the ProvisionedConcurrencyEnabled condition, so a stage can switch them off. The
  Version's Description carries a hash of the function's properties: changing the function
  replaces the Version, so a changed function publishes a new version, as SAM's
  AutoPublishAlias does.
- A bucket that notifies SQS/SNS/Lambda DependsOn the queue policy, topic policy or
  Lambda permission: S3 checks it may deliver when the notification is saved.
"""

from __future__ import annotations

import json
from typing import Any

from model.architecture import Edge
from model.aws import checkov_skips as skips
from model.aws import autoscaling, iam, wiring
from model.aws.asl import definition
from model.aws.defaults import (ALIAS_NAME, DEAD_LETTER_RETENTION_S, PLACEHOLDER_HANDLERS, placeholder_family,
                                provisioned)
from model.aws.naming import FIFO_SUFFIX, LOG_GROUP_NAME_ROOM, kebab, short_hash

from ..serialize import compact_json
from .kept import add_kept_grants, definition_grants, kept_definition
from .template import (PROVISIONED_CONDITION, Template, bus_name, custom_bus, getatt, log_group, ref, role, sub,
                       tags)


def render_function(t: Template, node_id: str) -> None:
    cfg = t.config(node_id)
    fn_id = t.id(node_id)
    role(t, node_id)
    log_group(t, node_id)
    properties: dict[str, Any] = {
        "Description": f"{t.node(node_id).display_name} (Stratus design '{t.arch.name}')",
        "Runtime": cfg["runtime"],
        "Handler": cfg.get("handler") or "index.handler",
        "Architectures": [cfg["architecture"]],
        "MemorySize": int(cfg["memory_mb"]),
        "Timeout": int(cfg["timeout_s"]),
        "Role": getatt(t.id(node_id, "Role"), "Arn"),
        "TracingConfig": {"Mode": "Active"},
        "LoggingConfig": {"LogGroup": ref(t.id(node_id, "LogGroup"))},
        "Tags": tags(t),
        **t.loop_name(node_id),
    }
    properties.update(_function_code(t, node_id, cfg))
    if cfg.get("reserved_concurrency") is not None:
        properties["ReservedConcurrentExecutions"] = int(cfg["reserved_concurrency"])
    env = _environment(t, node_id)
    if env:
        properties["Environment"] = {"Variables": env}
    dlq = _dead_letter_target(t, node_id)
    if dlq is not None:
        properties["DeadLetterConfig"] = {"TargetArn": dlq}
    t.add(fn_id, t.resource_type(node_id), properties, skip=skips.function_skips(cfg, env, dlq))
    if provisioned(cfg):
        _version_and_alias(t, node_id, cfg, properties)
    _event_invoke_config(t, node_id, cfg)
    t.output(node_id, "Name", ref(fn_id), f"Function {node_id}")


def _function_code(t: Template, node_id: str, cfg: dict) -> dict:
    family = placeholder_family(cfg["runtime"])
    if cfg.get("code") is None and family is not None:
        handler, source = PLACEHOLDER_HANDLERS[family]
        return {"Handler": handler, "Code": {"ZipFile": source}}
    # Packaged code: the user uploads a zip (or the placeholder of a compiled runtime)
    # to CodeBucket under this key.
    key_param = t.id(node_id, "CodeKey")
    t.parameters.setdefault("CodeBucket", {
        "Type": "String", "Description": "S3 bucket holding the functions' deployment packages"})
    t.parameters[key_param] = {"Type": "String", "Default": f"{kebab(node_id)}.zip",
                               "Description": f"S3 key of {node_id}'s package"
                               + (f" (built from {cfg['code']})" if cfg.get("code") else "")}
    return {"Code": {"S3Bucket": ref("CodeBucket"), "S3Key": ref(key_param)}}


def _environment(t: Template, node_id: str) -> dict:
    """One variable per resource the function calls, named after the node (ORDERS=...)."""
    return {variable: t.handle(target) for variable, target in wiring.environment(t.arch, node_id).items()}


def _on_failure(t: Template, node_id: str) -> Edge | None:
    return next(iter(t.has_edges(node_id, {"on_failure"}, incoming=False)), None)


def _dead_letter_target(t: Template, node_id: str) -> Any:
    """The function's own dead-letter queue, when it needs one (iam.needs_dead_letter_queue)."""
    if not iam.needs_dead_letter_queue(t.arch, node_id):
        return None
    dlq_id = t.id(node_id, "DeadLetterQueue")
    t.add(dlq_id, "AWS::SQS::Queue", {"SqsManagedSseEnabled": True, "MessageRetentionPeriod": DEAD_LETTER_RETENTION_S},
          skip=[skips.SQS_MANAGED_SSE])
    t.output(node_id, "DeadLetterQueueUrl", ref(dlq_id), f"Failed asynchronous invocations of {node_id}")
    return getatt(dlq_id, "Arn")


def _version_and_alias(t: Template, node_id: str, cfg: dict, function_properties: dict) -> None:
    t.use_provisioned_switch()
    if t.sam:
        return  # AutoPublishAlias makes both (see sam.py)
    version_id = t.id(node_id, "Version")
    fingerprint = short_hash([compact_json(function_properties)], 8)
    t.add(version_id, "AWS::Lambda::Version", {
        "FunctionName": ref(t.id(node_id)), "Description": f"Published by Stratus ({fingerprint})",
    }, condition=PROVISIONED_CONDITION)
    t.add(t.alias_id(node_id), "AWS::Lambda::Alias", {
        "FunctionName": ref(t.id(node_id)),
        "FunctionVersion": getatt(version_id, "Version"),
        "Name": ALIAS_NAME,
        "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": int(cfg["provisioned_concurrency"])},
    }, condition=PROVISIONED_CONDITION)


def _event_invoke_config(t: Template, node_id: str, cfg: dict) -> None:
    failure = _on_failure(t, node_id)
    if failure is None and not iam.invoked_asynchronously(t.arch, node_id):
        return
    properties: dict[str, Any] = {
        "FunctionName": ref(t.id(node_id)),
        "Qualifier": _qualifier(t, node_id, cfg),
        "MaximumRetryAttempts": int(cfg.get("max_retry_attempts", 2)),
    }
    if failure is not None:
        properties["DestinationConfig"] = {"OnFailure": {"Destination": t.arn(failure.target)}}
    t.add(t.id(node_id, "EventInvokeConfig"), "AWS::Lambda::EventInvokeConfig", properties)


def _qualifier(t: Template, node_id: str, cfg: dict) -> Any:
    """`live` (taken from the alias's ARN, which makes this wait for the alias) or $LATEST."""
    if not provisioned(cfg):
        return "$LATEST"
    alias_name = {"Fn::Select": [7, {"Fn::Split": [":", ref(t.alias_id(node_id))]}]}
    return {"Fn::If": [PROVISIONED_CONDITION, alias_name, "$LATEST"]}


def render_table(t: Template, node_id: str) -> None:
    cfg = t.config(node_id)
    key = cfg.get("partition_key") or "pk"
    properties: dict[str, Any] = {
        "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
        "SSESpecification": {"SSEEnabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "Tags": tags(t),
    }
    if cfg["billing_mode"] == "provisioned":
        properties["BillingMode"] = "PROVISIONED"
        properties["ProvisionedThroughput"] = {"ReadCapacityUnits": int(cfg["read_capacity"]),
                                               "WriteCapacityUnits": int(cfg["write_capacity"])}
    else:
        properties["BillingMode"] = "PAY_PER_REQUEST"
    view = wiring.stream_view(t.arch, node_id)
    if view:
        properties["StreamSpecification"] = {"StreamViewType": view}
    t.add(t.id(node_id), t.resource_type(node_id), properties, skip=[skips.DYNAMODB_CMK])
    t.output(node_id, "TableName", ref(t.id(node_id)), f"Table {node_id}")
    for dimension in autoscaling.table_scaling(cfg):
        _table_scaling(t, node_id, dimension)


def _table_scaling(t: Template, node_id: str, dim: autoscaling.ScalingDimension) -> None:
    """A scalable target for one capacity of the table and its target tracking policy."""
    role = dim.capacity.name.capitalize()
    target_id = t.add(t.id(node_id, f"{role}ScalableTarget"), "AWS::ApplicationAutoScaling::ScalableTarget", {
        "MaxCapacity": dim.max_capacity, "MinCapacity": dim.min_capacity,
        "ResourceId": sub(dim.resource_id("${Table}"), Table=ref(t.id(node_id))),
        "ScalableDimension": dim.capacity.dimension, "ServiceNamespace": autoscaling.SERVICE_NAMESPACE})
    t.add(t.id(node_id, f"{role}ScalingPolicy"), "AWS::ApplicationAutoScaling::ScalingPolicy", {
        "PolicyName": sub(t.physical_name(node_id) + f"-{dim.capacity.name}"),
        "PolicyType": autoscaling.POLICY_TYPE, "ScalingTargetId": ref(target_id),
        "TargetTrackingScalingPolicyConfiguration": {
            "TargetValue": dim.target_percent,
            "PredefinedMetricSpecification": {"PredefinedMetricType": dim.capacity.metric}}})


# Notification target service -> (its configuration list, the ARN key in an entry).
S3_NOTIFICATION_KEYS = {"lambda": ("LambdaConfigurations", "Function"),
                        "sqs": ("QueueConfigurations", "Queue"),
                        "sns": ("TopicConfigurations", "Topic")}


def render_bucket(t: Template, node_id: str) -> None:
    bucket_id = t.id(node_id)
    properties: dict[str, Any] = {
        "BucketName": t.bucket_name(node_id),
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "VersioningConfiguration": {"Status": "Enabled"},
        "Tags": tags(t),
    }
    notifications, depends = _bucket_notifications(t, node_id)
    if notifications:
        properties["NotificationConfiguration"] = notifications
    t.add(bucket_id, t.resource_type(node_id), properties, depends_on=depends, skip=skips.BUCKET)
    t.add(t.id(node_id, "Policy"), "AWS::S3::BucketPolicy", {
        "Bucket": ref(bucket_id),
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [t.arn(node_id), t.arn_with(node_id, "/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]},
    })
    t.output(node_id, "BucketName", ref(bucket_id), f"Bucket {node_id}")


def _bucket_notifications(t: Template, node_id: str) -> tuple[dict, list[str]]:
    config: dict[str, Any] = {}
    depends: list[str] = []
    for edge in t.has_edges(node_id, {"notification"}, incoming=False):
        if wiring.bucket_wide(t.arch, edge):
            config["EventBridgeConfiguration"] = {"EventBridgeEnabled": True}
            continue
        key, arn_key = S3_NOTIFICATION_KEYS[t.node(edge.target).service]
        for event in wiring.notification_events(edge):
            entry: dict[str, Any] = {"Event": event, arn_key: t.arn(edge.target)}
            rules = [{"Name": name, "Value": edge.config[name]} for name in ("prefix", "suffix")
                     if edge.config.get(name)]
            if rules:
                entry["Filter"] = {"S3Key": {"Rules": rules}}
            config.setdefault(key, []).append(entry)
        depends.append(t.delivery_grant_id(edge))
    return config, depends


def render_queue(t: Template, node_id: str) -> None:
    cfg = t.config(node_id)
    queue_id = t.id(node_id)
    properties: dict[str, Any] = {
        "SqsManagedSseEnabled": True,
        "VisibilityTimeout": wiring.visibility_timeout(t.arch, node_id),
        "MessageRetentionPeriod": int(cfg["retention_s"]),
        "Tags": tags(t),
    }
    if cfg.get("fifo"):
        properties["FifoQueue"] = True
        properties["QueueName"] = sub(t.physical_name(node_id) + FIFO_SUFFIX)
    dlq = next(iter(t.has_edges(node_id, {"dead_letter"}, incoming=False)), None)
    if dlq is not None:
        properties["RedrivePolicy"] = {"deadLetterTargetArn": getatt(t.id(dlq.target), "Arn"),
                                       "maxReceiveCount": int(cfg["max_receive_count"])}
    t.add(queue_id, t.resource_type(node_id), properties, skip=[skips.SQS_MANAGED_SSE])
    t.output(node_id, "QueueUrl", ref(queue_id), f"Queue {node_id}")


def render_topic(t: Template, node_id: str) -> None:
    settings = wiring.topic_settings(t.arch, node_id, t.grants)
    properties: dict[str, Any] = {"Tags": tags(t)}
    if settings.kms_key:
        properties["KmsMasterKeyId"] = settings.kms_key
    if settings.fifo:
        properties["FifoTopic"] = True
        properties["TopicName"] = sub(t.physical_name(node_id) + FIFO_SUFFIX)
    t.add(t.id(node_id), t.resource_type(node_id), properties, skip=skips.topic_skips(settings))
    t.output(node_id, "TopicArn", ref(t.id(node_id)), f"Topic {node_id}")


def render_stream(t: Template, node_id: str) -> None:
    cfg = t.config(node_id)
    properties: dict[str, Any] = {
        "RetentionPeriodHours": int(cfg["retention_hours"]),
        "StreamEncryption": {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"},
        "Tags": tags(t),
    }
    if cfg["capacity_mode"] == "on_demand":
        properties["StreamModeDetails"] = {"StreamMode": "ON_DEMAND"}
    else:
        properties["StreamModeDetails"] = {"StreamMode": "PROVISIONED"}
        properties["ShardCount"] = int(cfg["shards"])
    t.add(t.id(node_id), t.resource_type(node_id), properties)
    t.output(node_id, "StreamName", ref(t.id(node_id)), f"Stream {node_id}")


def render_bus(t: Template, node_id: str) -> None:
    if custom_bus(t, node_id):
        t.add(t.id(node_id), t.resource_type(node_id), {"Name": bus_name(t, node_id)})
        t.output(node_id, "BusName", ref(t.id(node_id)), f"Event bus {node_id}")
    if node_id in t.principals:
        role(t, node_id)


def render_state_machine(t: Template, node_id: str) -> None:
    cfg = t.config(node_id)
    role(t, node_id)
    log_group(t, node_id, sub(wiring.log_group_name(t.node(node_id).service,
                                                    t.physical_name(node_id, LOG_GROUP_NAME_ROOM))))
    definition, substitutions = state_machine_definition(t, node_id)
    properties: dict[str, Any] = {
        "StateMachineType": cfg["workflow_type"].upper(),
        "RoleArn": getatt(t.id(node_id, "Role"), "Arn"),
        **(kept_definition(t, node_id) or {
            "DefinitionString": {"Fn::Sub": [json.dumps(definition, indent=2, sort_keys=True), substitutions]}
            if substitutions else json.dumps(definition, indent=2, sort_keys=True)}),
        "LoggingConfiguration": {
            "Level": "ERROR", "IncludeExecutionData": False,
            "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": getatt(t.id(node_id, "LogGroup"), "Arn")}}],
        },
        "TracingConfiguration": {"Enabled": True},
        "Tags": tags(t),
        **t.loop_name(node_id),
    }
    t.add(t.id(node_id), t.resource_type(node_id), properties)
    add_kept_grants(t, t.id(node_id, "Role"), definition_grants(t, node_id))
    t.output(node_id, "StateMachineArn", ref(t.id(node_id)), f"State machine {node_id}")


def state_machine_definition(t: Template, node_id: str) -> tuple[dict, dict]:
    """ASL from the task edges in `order`; ${Var} placeholders filled by Fn::Sub."""
    return definition(t.arch, node_id, lambda target: "${" + t.id(target) + "}",
                      lambda target: (t.id(target), t.handle(target)))

