"""One Terraform renderer per service (API Gateway's is in api.py): each writes the node's
resources as blocks into the Config, from the facts of the catalogue and model.aws."""

from __future__ import annotations

import json
from typing import Any

from model.aws import checkov_skips as skips
from model.aws import autoscaling, iam, wiring
from model.aws.asl import definition
from model.aws.defaults import (ALIAS_NAME, DEAD_LETTER_RETENTION_S, PLACEHOLDER_HANDLERS, placeholder_family,
                                provisioned)
from model.aws.naming import DEAD_LETTER_QUEUE_ROOM, LOG_GROUP_NAME_ROOM, fifo_suffix, kebab

from ..serialize import Block, Expr, hcl_value
from .config import ACCOUNT, Config, custom_bus, log_group, quoted, role


def render_function(c: Config, node_id: str) -> None:
    cfg = c.config(node_id)
    name = c.name(node_id)
    function_name = c.physical_name(node_id)
    role_ref = role(c, node_id)
    logs = log_group(c, node_id, wiring.log_group_name(c.service(node_id), function_name))
    archive = _archive(c, node_id, cfg)
    body: dict[str, Any] = {
        "function_name": quoted(function_name),
        "description": f"{c.arch.nodes[node_id].display_name} (Stratus design '{c.arch.name}')",
        "role": Expr(f"{role_ref}.arn"),
        "runtime": cfg["runtime"],
        "handler": cfg.get("handler") or "index.handler",
        "architectures": [cfg["architecture"]],
        "memory_size": int(cfg["memory_mb"]),
        "timeout": int(cfg["timeout_s"]),
        "filename": Expr(f"{archive}.output_path"),
        "source_code_hash": Expr(f"{archive}.output_base64sha256"),
        "tags": c.tags(),
    }
    family = placeholder_family(cfg["runtime"])
    if cfg.get("code") is None and family is not None:
        body["handler"] = PLACEHOLDER_HANDLERS[family][0]
    if cfg.get("reserved_concurrency") is not None:
        body["reserved_concurrent_executions"] = int(cfg["reserved_concurrency"])
    if provisioned(cfg):
        body["publish"] = True
    blocks = [Block("tracing_config", body={"mode": "Active"}),
              Block("logging_config", body={"log_format": "Text", "log_group": Expr(f"{logs}.name")})]
    env = {variable: c.handle(target) for variable, target in wiring.environment(c.arch, node_id).items()}
    if env:
        blocks.append(Block("environment", body={"variables": env}))
    dlq = _dead_letter_queue(c, node_id)
    if dlq is not None:
        blocks.append(Block("dead_letter_config", body={"target_arn": dlq}))
    body["blocks"] = blocks
    body["depends_on"] = [Expr(logs), Expr(f"aws_iam_role_policy.{c.name(node_id, 'role')}")]
    c.resource(c.resource_type(node_id), name, body, skip=skips.function_skips(cfg, env, dlq) + skips.TF_FUNCTION)
    if provisioned(cfg):
        alias = c.name(node_id, ALIAS_NAME)
        c.resource("aws_lambda_alias", alias, {"name": ALIAS_NAME, "function_name": c.ref(node_id, "function_name"),
                                               "function_version": c.ref(node_id, "version")})
        c.resource("aws_lambda_provisioned_concurrency_config", alias, {
            "function_name": Expr(f"aws_lambda_alias.{alias}.function_name"),
            "qualifier": Expr(f"aws_lambda_alias.{alias}.name"),
            "provisioned_concurrent_executions": int(cfg["provisioned_concurrency"])})
    _event_invoke_config(c, node_id, cfg)
    c.output(node_id, "name", c.ref(node_id, "function_name"), f"Function {node_id}")


PLACEHOLDER_FILES = {"python": "index.py", "nodejs": "index.js"}


def _archive(c: Config, node_id: str, cfg: dict) -> str:
    """The deployment package: the `code` folder zipped, or a placeholder handler."""
    name = c.name(node_id, "package")
    body: dict[str, Any] = {"type": "zip", "output_path": quoted("${path.module}/build/" + kebab(node_id) + ".zip")}
    if cfg.get("code") is not None:
        body["source_dir"] = quoted("${path.module}/" + c.code_path(str(cfg["code"])))
    else:
        # Compiled runtimes get the Python placeholder: the package must be replaced anyway.
        family = placeholder_family(cfg["runtime"]) or "python"
        body["blocks"] = [Block("source", body={"content": PLACEHOLDER_HANDLERS[family][1],
                                                "filename": PLACEHOLDER_FILES[family]})]
    return c.data("archive_file", name, body)


def _dead_letter_queue(c: Config, node_id: str) -> Expr | None:
    if not iam.needs_dead_letter_queue(c.arch, node_id):
        return None
    name = c.name(node_id, "dead_letter_queue")
    c.resource("aws_sqs_queue", name, {"name": quoted(c.physical_name(node_id, DEAD_LETTER_QUEUE_ROOM) + "-dlq"),
                                       "sqs_managed_sse_enabled": True,
                                       "message_retention_seconds": DEAD_LETTER_RETENTION_S,
                                       "tags": c.tags()}, skip=[skips.SQS_MANAGED_SSE])
    return Expr(f"aws_sqs_queue.{name}.arn")


def _event_invoke_config(c: Config, node_id: str, cfg: dict) -> None:
    failure = c.edges(node_id, {"on_failure"}, incoming=False)
    if not failure and not iam.invoked_asynchronously(c.arch, node_id):
        return
    body: dict[str, Any] = {
        "function_name": c.ref(node_id, "function_name"),
        "maximum_retry_attempts": int(cfg.get("max_retry_attempts", 2)),
    }
    if provisioned(cfg):
        body["qualifier"] = Expr(f"aws_lambda_alias.{c.name(node_id, ALIAS_NAME)}.name")
    if failure:
        body["blocks"] = [Block("destination_config", body={"blocks": [
            Block("on_failure", body={"destination": c.arn(failure[0].target)})]})]
    c.resource("aws_lambda_function_event_invoke_config", c.name(node_id), body)


def render_table(c: Config, node_id: str) -> None:
    cfg = c.config(node_id)
    key = cfg.get("partition_key") or "pk"
    body: dict[str, Any] = {"name": quoted(c.physical_name(node_id)), "hash_key": key}
    skip = [skips.DYNAMODB_CMK]
    if cfg["billing_mode"] == "provisioned":
        body.update(billing_mode="PROVISIONED", read_capacity=int(cfg["read_capacity"]),
                    write_capacity=int(cfg["write_capacity"]))
        skip += skips.TF_DYNAMODB_PROVISIONED
    else:
        body["billing_mode"] = "PAY_PER_REQUEST"
    view = wiring.stream_view(c.arch, node_id)
    if view:
        body.update(stream_enabled=True, stream_view_type=view)
    body["tags"] = c.tags()
    body["blocks"] = [Block("attribute", body={"name": key, "type": "S"}),
                      Block("server_side_encryption", body={"enabled": True}),
                      Block("point_in_time_recovery", body={"enabled": True})]
    scaling = autoscaling.table_scaling(cfg)
    if scaling:  # auto scaling moves the capacity: a later apply must not set it back
        body["blocks"].append(Block("lifecycle", body={"ignore_changes": Expr("[read_capacity, write_capacity]")}))
    c.resource(c.resource_type(node_id), c.name(node_id), body, skip=skip)
    c.output(node_id, "table_name", c.ref(node_id, "name"), f"Table {node_id}")
    for dimension in scaling:
        _table_scaling(c, node_id, dimension)


def _table_scaling(c: Config, node_id: str, dim: autoscaling.ScalingDimension) -> None:
    """A scalable target for one capacity of the table and its target tracking policy."""
    name = c.name(node_id, dim.capacity.name)
    target = c.resource("aws_appautoscaling_target", name, {
        "max_capacity": dim.max_capacity, "min_capacity": dim.min_capacity,
        "resource_id": quoted(dim.resource_id("${" + c.address(node_id) + ".name}")),
        "scalable_dimension": dim.capacity.dimension, "service_namespace": autoscaling.SERVICE_NAMESPACE,
        "tags": c.tags()})
    c.resource("aws_appautoscaling_policy", name, {
        "name": quoted(c.physical_name(node_id) + f"-{dim.capacity.name}"),
        "policy_type": autoscaling.POLICY_TYPE,
        "resource_id": Expr(f"{target}.resource_id"),
        "scalable_dimension": Expr(f"{target}.scalable_dimension"),
        "service_namespace": Expr(f"{target}.service_namespace"),
        "blocks": [Block("target_tracking_scaling_policy_configuration", body={
            "target_value": dim.target_percent,
            "blocks": [Block("predefined_metric_specification", body={"predefined_metric_type": dim.capacity.metric})]})]})


def render_bucket(c: Config, node_id: str) -> None:
    name = c.name(node_id)
    bucket = c.ref(node_id, "id")
    c.resource(c.resource_type(node_id), name, {"bucket": quoted(c.physical_name(node_id) + "-${" + ACCOUNT + "}"),
                                                "tags": c.tags()}, skip=skips.BUCKET + skips.TF_BUCKET)
    c.resource("aws_s3_bucket_server_side_encryption_configuration", name, {"bucket": bucket, "blocks": [
        Block("rule", body={"bucket_key_enabled": True, "blocks": [
            Block("apply_server_side_encryption_by_default", body={"sse_algorithm": "AES256"})]})]})
    c.resource("aws_s3_bucket_public_access_block", name, {
        "bucket": bucket, "block_public_acls": True, "block_public_policy": True, "ignore_public_acls": True,
        "restrict_public_buckets": True})
    c.resource("aws_s3_bucket_ownership_controls", name, {"bucket": bucket, "blocks": [
        Block("rule", body={"object_ownership": "BucketOwnerEnforced"})]})
    c.resource("aws_s3_bucket_versioning", name, {"bucket": bucket, "blocks": [
        Block("versioning_configuration", body={"status": "Enabled"})]})
    arn = str(c.ref(node_id, "arn"))
    c.resource("aws_s3_bucket_policy", name, {"bucket": bucket, "policy": Expr("jsonencode(" + hcl_value({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [Expr(arn), quoted("${" + arn + "}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}, 1) + ")"),
        "depends_on": [Expr(f"aws_s3_bucket_public_access_block.{name}")]})
    _bucket_notifications(c, node_id)
    c.output(node_id, "bucket_name", c.ref(node_id, "bucket"), f"Bucket {node_id}")


# Notification target service -> (its block type, the ARN argument in it).
NOTIFICATION_BLOCKS = {"lambda": ("lambda_function", "lambda_function_arn"), "sqs": ("queue", "queue_arn"),
                       "sns": ("topic", "topic_arn")}


def _bucket_notifications(c: Config, node_id: str) -> None:
    edges = c.edges(node_id, {"notification"}, incoming=False)
    if not edges:
        return
    body: dict[str, Any] = {"bucket": c.ref(node_id, "id")}
    blocks, depends = [], []
    for edge in edges:
        if wiring.bucket_wide(c.arch, edge):
            body["eventbridge"] = True
            continue
        block_type, arn_key = NOTIFICATION_BLOCKS[c.service(edge.target)]
        entry: dict[str, Any] = {arn_key: c.arn(edge.target), "events": list(wiring.notification_events(edge))}
        for key in ("prefix", "suffix"):
            if edge.config.get(key):
                entry[f"filter_{key}"] = edge.config[key]
        blocks.append(Block(block_type, body=entry))
        depends.append(Expr(c.grant_address(edge)))
    body["blocks"] = blocks
    if depends:
        body["depends_on"] = depends
    c.resource("aws_s3_bucket_notification", c.name(node_id), body)


def render_queue(c: Config, node_id: str) -> None:
    cfg = c.config(node_id)
    body: dict[str, Any] = {
        "name": quoted(c.physical_name(node_id) + fifo_suffix(cfg)),
        "sqs_managed_sse_enabled": True,
        "visibility_timeout_seconds": wiring.visibility_timeout(c.arch, node_id),
        "message_retention_seconds": int(cfg["retention_s"]),
    }
    if cfg.get("fifo"):
        body["fifo_queue"] = True
    dlq = c.edges(node_id, {"dead_letter"}, incoming=False)
    if dlq:
        body["redrive_policy"] = Expr("jsonencode(" + hcl_value({
            "deadLetterTargetArn": c.ref(dlq[0].target, "arn"), "maxReceiveCount": int(cfg["max_receive_count"])}, 1)
            + ")")
    body["tags"] = c.tags()
    c.resource(c.resource_type(node_id), c.name(node_id), body, skip=[skips.SQS_MANAGED_SSE])
    c.output(node_id, "queue_url", c.ref(node_id, "url"), f"Queue {node_id}")


def render_topic(c: Config, node_id: str) -> None:
    settings = wiring.topic_settings(c.arch, node_id, c.grants)
    body: dict[str, Any] = {"name": quoted(c.physical_name(node_id) + fifo_suffix(c.config(node_id)))}
    if settings.kms_key:
        body["kms_master_key_id"] = settings.kms_key
    if settings.fifo:
        body["fifo_topic"] = True
    body["tags"] = c.tags()
    c.resource(c.resource_type(node_id), c.name(node_id), body, skip=skips.topic_skips(settings))
    c.output(node_id, "topic_arn", c.ref(node_id, "arn"), f"Topic {node_id}")


def render_stream(c: Config, node_id: str) -> None:
    cfg = c.config(node_id)
    body: dict[str, Any] = {"name": quoted(c.physical_name(node_id)), "retention_period": int(cfg["retention_hours"]),
                            "encryption_type": "KMS", "kms_key_id": "alias/aws/kinesis"}
    mode = "ON_DEMAND" if cfg["capacity_mode"] == "on_demand" else "PROVISIONED"
    if mode == "PROVISIONED":
        body["shard_count"] = int(cfg["shards"])
    body["tags"] = c.tags()
    body["blocks"] = [Block("stream_mode_details", body={"stream_mode": mode})]
    c.resource(c.resource_type(node_id), c.name(node_id), body)
    c.output(node_id, "stream_name", c.ref(node_id, "name"), f"Stream {node_id}")


def render_bus(c: Config, node_id: str) -> None:
    if custom_bus(c, node_id):
        c.resource(c.resource_type(node_id), c.name(node_id), {"name": quoted(c.physical_name(node_id)),
                                                               "tags": c.tags()})
        c.output(node_id, "bus_name", c.ref(node_id, "name"), f"Event bus {node_id}")
    if node_id in c.principals:
        role(c, node_id)


def render_state_machine(c: Config, node_id: str) -> None:
    cfg = c.config(node_id)
    role_ref = role(c, node_id)
    log_group_name = wiring.log_group_name(c.service(node_id), c.physical_name(node_id, LOG_GROUP_NAME_ROOM))
    logs = log_group(c, node_id, log_group_name)
    asl, _ = definition(c.arch, node_id, lambda target: "${" + str(c.handle(target)) + "}", lambda target: None)
    text = json.dumps(asl, indent=2, sort_keys=True)
    body = {
        "name": quoted(c.physical_name(node_id)),
        "role_arn": Expr(f"{role_ref}.arn"),
        "type": cfg["workflow_type"].upper(),
        "definition": Expr(json.dumps(text)),  # JSON-escaped text is a valid HCL string; ${...} stays live
        "tags": c.tags(),
        "blocks": [Block("logging_configuration", body={"log_destination": quoted("${" + logs + ".arn}:*"),
                                                        "include_execution_data": False, "level": "ERROR"}),
                   Block("tracing_configuration", body={"enabled": True})],
    }
    c.resource(c.resource_type(node_id), c.name(node_id), body, skip=skips.TF_STATE_MACHINE)
    c.output(node_id, "state_machine_arn", c.ref(node_id, "arn"), f"State machine {node_id}")


