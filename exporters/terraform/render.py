"""Design -> Terraform (HCL) as a list of blocks, for the AWS provider 5.x.

Same structure as the CloudFormation renderer: one function per service
(SERVICE_RENDERERS), one per edge kind (EDGE_RENDERERS), the wiring facts of
model.aws.wiring written in Terraform syntax (AWS API parameters become snake_case
arguments and nested blocks, see `arguments`), IAM from model.aws.iam turned into
`jsonencode(...)` policies with Terraform references, checkov skips written as
`#checkov:skip=ID:reason` comments inside the resource they concern.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

from model.architecture import Architecture, Edge

from model.aws import iam, wiring
from model.aws.asl import definition
from model.aws import checkov_skips as skips
from ..cloudformation.render import (LOG_RETENTION_DAYS, SQS_NAME_ROOM, STATE_MACHINE_NAME_ROOM, PLACEHOLDER_HANDLERS, default_prefix,
                                     default_stage, invoked_asynchronously, service_publishers, stream_view,
                                     tag_value)
from model.aws.naming import Namer, fit, kebab, snake, terraform_names
from ..serialize import Block, Expr, hcl_value

ALIAS_NAME = "live"
ACCOUNT = "data.aws_caller_identity.current.account_id"
PARTITION = "data.aws_partition.current.partition"
REGION = "data.aws_region.current.name"

TF_SKIPS = {
    "lambda": [("CKV_AWS_272", "Code signing needs a signing profile the design does not have; packages are "
                               "built from the project's own sources")],
    "log_group": [("CKV_AWS_338", f"Logs are kept {LOG_RETENTION_DAYS} days by design; raise "
                                  "var.log_retention_days where a year is required")],
    "bucket": [("CKV_AWS_145", "Encrypted with SSE-S3 (AES-256); a customer-managed KMS key is an opt-in cost "
                               "the design does not ask for"),
               ("CKV_AWS_144", "Cross-region replication is a disaster-recovery choice (and a cost) outside the "
                               "design"),
               ("CKV2_AWS_61", "Object lifetime is the application's decision; no lifecycle rule is implied "
                               "by the design"),
               ("CKV2_AWS_62", "Event notifications are written only where the design has notification edges")],
    "dynamodb_provisioned": [("CKV2_AWS_16", "Capacity is the design's fixed provisioned throughput; auto "
                                             "scaling would change what was simulated")],
    "sfn": [("CKV_AWS_285", "Errors are logged without execution data on purpose: inputs and outputs may "
                            "carry personal data")],
}


def _q(text: str) -> Expr:
    """A quoted HCL string with ${...} interpolation kept live."""
    return Expr(json.dumps(text, ensure_ascii=False))


@dataclass
class Config:
    """The Terraform configuration being built, with naming and references for every node."""

    arch: Architecture
    code_path: Callable[[str], str] | None = None
    names: Namer = None  # type: ignore[assignment]
    blocks: list[Block] = field(default_factory=list)
    outputs: list[Block] = field(default_factory=list)
    _seen: set = field(default_factory=set)

    def __post_init__(self) -> None:
        self.arch = iam.indexed(self.arch)
        self.principals = set(iam.principals(self.arch))  # computed once: renderers ask per node
        self.grants = iam.resource_policies(self.arch)
        self.names = terraform_names(self.arch.nodes)
        if self.code_path is None:
            self.code_path = lambda code: code

    def name(self, node_id: str, *role: str) -> str:
        return self.names.name(node_id, *role)

    def resource(self, type_: str, name: str, body: dict, skip: list[tuple[str, str]] | None = None) -> str:
        if (type_, name) in self._seen:
            return f"{type_}.{name}"
        self._seen.add((type_, name))
        comments = [f"checkov:skip={i}:{reason}" for i, reason in (skip or [])]
        self.blocks.append(Block("resource", (type_, name), body, comments))
        return f"{type_}.{name}"

    def data(self, type_: str, name: str, body: dict) -> str:
        self.blocks.append(Block("data", (type_, name), body))
        return f"data.{type_}.{name}"

    def output(self, node_id: str, what: str, value: Expr, description: str) -> None:
        self.outputs.append(Block("output", (self.name(node_id, what),), {"description": description, "value": value}))

    def config(self, node_id: str) -> dict:
        return self.arch.nodes[node_id].effective_config()

    def service(self, node_id: str) -> str:
        return self.arch.nodes[node_id].service

    def physical_name(self, node_id: str, limit: int = 24) -> str:
        return "${var.name_prefix}-${var.stage}-" + fit(kebab(node_id), limit)

    def address(self, node_id: str) -> str:
        """`<resource type>.<name>` of the node's main resource."""
        service = self.service(node_id)
        variant = VARIANT_TYPES.get(service)
        return f"{variant(self.config(node_id)) if variant else TYPES[service]}.{self.name(node_id)}"

    def ref(self, node_id: str, attribute: str) -> Expr:
        return Expr(f"{self.address(node_id)}.{attribute}")

    def attribute(self, node_id: str, attribute: str) -> Expr:
        """A node's attribute (wiring.ARN, NAME, URL...) as a Terraform expression."""
        service = self.service(node_id)
        computed = COMPUTED_ATTRIBUTES.get((service, attribute))
        if computed is not None:
            return computed(self, node_id)
        return self.ref(node_id, ATTRIBUTE_NAMES.get(service, {}).get(attribute, attribute))

    def arn(self, node_id: str) -> Expr:
        return self.attribute(node_id, wiring.ARN)

    def arn_text(self, node_id: str) -> str:
        """The ARN as an interpolation inside a string."""
        return "${" + str(self.arn(node_id)) + "}"

    def arn_with(self, node_id: str, suffix: str) -> Expr:
        return _q(self.arn_text(node_id) + suffix) if suffix else self.arn(node_id)

    def handle(self, node_id: str) -> Expr:
        return self.attribute(node_id, wiring.HANDLE[self.service(node_id)])

    def function_target(self, node_id: str) -> Expr:
        if _provisioned(self.config(node_id)):
            return Expr(f"aws_lambda_alias.{self.name(node_id, ALIAS_NAME)}.arn")
        return self.ref(node_id, "arn")

    def edges(self, node_id: str, kinds: set[str], incoming: bool = True) -> list[Edge]:
        edges = self.arch.edges_to(node_id) if incoming else self.arch.edges_from(node_id)
        return [e for e in edges if self.arch.edge_kind(e) in kinds]

    def tags(self) -> dict:
        return {"stratus:design": tag_value(self.arch.name)}


def _provisioned(config: dict) -> bool:
    return bool(config.get("provisioned_concurrency") or 0)


TYPES = {
    "lambda": "aws_lambda_function", "dynamodb": "aws_dynamodb_table", "s3": "aws_s3_bucket",
    "sqs": "aws_sqs_queue", "sns": "aws_sns_topic", "kinesis": "aws_kinesis_stream",
    "eventbridge": "aws_cloudwatch_event_bus", "step_functions": "aws_sfn_state_machine",
}
# Services whose resource type follows their config: service -> type from config.
API_TYPES = {"rest": "aws_api_gateway_rest_api", "http": "aws_apigatewayv2_api"}
VARIANT_TYPES: dict[str, Callable[[dict], str]] = {"api_gateway": lambda cfg: API_TYPES[cfg["api_type"]]}

# service -> attribute -> the Terraform attribute that gives it, where the names differ.
ATTRIBUTE_NAMES: dict[str, dict[str, str]] = {
    "s3": {wiring.NAME: "bucket"},
    "api_gateway": {wiring.ARN: "execution_arn"},
}


def _custom_bus(c: Config, node_id: str) -> bool:
    return wiring.custom_bus(c.config(node_id))


# Attributes that are not one of the resource's own: (service, attribute) -> value.
COMPUTED_ATTRIBUTES: dict[tuple[str, str], Callable[[Config, str], Expr]] = {
    ("lambda", wiring.ARN): lambda c, n: c.function_target(n),
    ("eventbridge", wiring.ARN): lambda c, n: c.ref(n, "arn") if _custom_bus(c, n) else Expr(
        f'"arn:${{{PARTITION}}}:events:${{{REGION}}}:${{{ACCOUNT}}}:event-bus/default"'),
    ("eventbridge", wiring.NAME): lambda c, n: c.ref(n, "name") if _custom_bus(c, n) else Expr('"default"'),
}


# --------------------------------------------------------------------------------------
# IAM


def _policy(c: Config, principal: str) -> Expr:
    statements = []
    for stmt in iam.role_statements(c.arch, principal, own_dead_letter_queue=True):
        statements.append({"Sid": stmt.sid, "Effect": "Allow", "Action": list(stmt.actions),
                           "Resource": _statement_resource(c, principal, stmt)})
    return Expr("jsonencode(" + hcl_value({"Version": "2012-10-17", "Statement": statements}, 1) + ")")


def _statement_resource(c: Config, principal: str, stmt: iam.Statement) -> Any:
    if stmt.scope == iam.ANY:
        return "*"
    if stmt.scope == iam.OWN_LOGS:
        return _q("${aws_cloudwatch_log_group." + c.name(principal, "logs") + ".arn}" + stmt.resource_suffix)
    if stmt.scope == iam.OWN_DLQ:
        return Expr(f"aws_sqs_queue.{c.name(principal, 'dead_letter_queue')}.arn")
    return c.arn_with(stmt.resource_node, stmt.resource_suffix)


def _assume(service: str) -> Expr:
    return Expr("jsonencode(" + hcl_value({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}, 1) + ")")


def role(c: Config, principal: str, service_principal: str) -> str:
    role_name = c.name(principal, "role")
    c.resource("aws_iam_role", role_name, {"name_prefix": fit(kebab(principal), 30) + "-", "assume_role_policy":
                                           _assume(service_principal), "tags": c.tags()})
    c.resource("aws_iam_role_policy", role_name, {"name": "least-privilege", "role": Expr(f"aws_iam_role.{role_name}.id"),
                                                  "policy": _policy(c, principal)},
               skip=skips.role_skips(iam.role_statements(c.arch, principal)))
    return f"aws_iam_role.{role_name}"


def log_group(c: Config, node_id: str, name: str) -> str:
    return c.resource("aws_cloudwatch_log_group", c.name(node_id, "logs"), {
        "name": _q(name), "retention_in_days": Expr("var.log_retention_days"), "tags": c.tags()},
        skip=[skips.LOG_KMS] + TF_SKIPS["log_group"])


# --------------------------------------------------------------------------------------
# Services


def render_function(c: Config, node_id: str) -> None:
    cfg = c.config(node_id)
    name = c.name(node_id)
    function_name = c.physical_name(node_id, 38)
    role_ref = role(c, node_id, "lambda.amazonaws.com")
    logs = log_group(c, node_id, wiring.LOG_GROUP_PREFIX["lambda"] + function_name)
    archive = _archive(c, node_id, cfg)
    body: dict[str, Any] = {
        "function_name": _q(function_name),
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
    if cfg.get("code") is None and _inline(cfg["runtime"]):
        body["handler"] = "index.handler"
    if cfg.get("reserved_concurrency") is not None:
        body["reserved_concurrent_executions"] = int(cfg["reserved_concurrency"])
    if _provisioned(cfg):
        body["publish"] = True
    blocks = [Block("tracing_config", body={"mode": "Active"}),
              Block("logging_config", body={"log_format": "Text", "log_group": Expr(f"{logs}.name")})]
    env = {edge.target.upper(): c.handle(edge.target) for edge in c.arch.edges_from(node_id)
           if c.arch.edge_kind(edge) != "on_failure"}
    if env:
        blocks.append(Block("environment", body={"variables": env}))
    dlq = _dead_letter_queue(c, node_id)
    if dlq is not None:
        blocks.append(Block("dead_letter_config", body={"target_arn": dlq}))
    body["blocks"] = blocks
    body["depends_on"] = [Expr(logs), Expr(f"aws_iam_role_policy.{c.name(node_id, 'role')}")]
    c.resource("aws_lambda_function", name, body,
               skip=skips.function_skips(cfg, env, dlq) + TF_SKIPS["lambda"])
    if _provisioned(cfg):
        alias = c.name(node_id, ALIAS_NAME)
        c.resource("aws_lambda_alias", alias, {"name": ALIAS_NAME, "function_name": Expr(f"aws_lambda_function.{name}.function_name"),
                                               "function_version": Expr(f"aws_lambda_function.{name}.version")})
        c.resource("aws_lambda_provisioned_concurrency_config", alias, {
            "function_name": Expr(f"aws_lambda_alias.{alias}.function_name"),
            "qualifier": Expr(f"aws_lambda_alias.{alias}.name"),
            "provisioned_concurrent_executions": int(cfg["provisioned_concurrency"])})
    _event_invoke_config(c, node_id, cfg)
    c.output(node_id, "name", Expr(f"aws_lambda_function.{name}.function_name"), f"Function {node_id}")


def _inline(runtime: str) -> bool:
    return any(runtime.startswith(f) for f in PLACEHOLDER_HANDLERS)


PLACEHOLDER_FILES = {"python": "index.py", "nodejs": "index.js"}


def _archive(c: Config, node_id: str, cfg: dict) -> str:
    """The deployment package: the `code` folder zipped, or a placeholder handler."""
    name = c.name(node_id, "package")
    body: dict[str, Any] = {"type": "zip", "output_path": _q("${path.module}/build/" + kebab(node_id) + ".zip")}
    if cfg.get("code") is not None:
        body["source_dir"] = _q("${path.module}/" + c.code_path(str(cfg["code"])))
    else:
        family = next((f for f in PLACEHOLDER_HANDLERS if cfg["runtime"].startswith(f)), "python")
        body["blocks"] = [Block("source", body={"content": PLACEHOLDER_HANDLERS[family][1],
                                                "filename": PLACEHOLDER_FILES[family]})]
    return c.data("archive_file", name, body)


def _dead_letter_queue(c: Config, node_id: str) -> Expr | None:
    if not iam.needs_dead_letter_queue(c.arch, node_id):
        return None
    name = c.name(node_id, "dead_letter_queue")
    c.resource("aws_sqs_queue", name, {"name": _q(c.physical_name(node_id, 40) + "-dlq"),
                                       "sqs_managed_sse_enabled": True, "message_retention_seconds": 1_209_600,
                                       "tags": c.tags()}, skip=[skips.SQS_MANAGED_SSE])
    return Expr(f"aws_sqs_queue.{name}.arn")


def _event_invoke_config(c: Config, node_id: str, cfg: dict) -> None:
    failure = c.edges(node_id, {"on_failure"}, incoming=False)
    if not failure and not invoked_asynchronously(c.arch, node_id):
        return
    body: dict[str, Any] = {
        "function_name": Expr(f"aws_lambda_function.{c.name(node_id)}.function_name"),
        "maximum_retry_attempts": int(cfg.get("max_retry_attempts", 2)),
    }
    if _provisioned(cfg):
        body["qualifier"] = Expr(f"aws_lambda_alias.{c.name(node_id, ALIAS_NAME)}.name")
    if failure:
        body["blocks"] = [Block("destination_config", body={"blocks": [
            Block("on_failure", body={"destination": c.arn(failure[0].target)})]})]
    c.resource("aws_lambda_function_event_invoke_config", c.name(node_id), body)


def render_table(c: Config, node_id: str) -> None:
    cfg = c.config(node_id)
    key = cfg.get("partition_key") or "pk"
    body: dict[str, Any] = {"name": _q(c.physical_name(node_id, 200)), "hash_key": key}
    skip = [skips.DYNAMODB_CMK]
    if cfg["billing_mode"] == "provisioned":
        body.update(billing_mode="PROVISIONED", read_capacity=int(cfg["read_capacity"]),
                    write_capacity=int(cfg["write_capacity"]))
        skip += TF_SKIPS["dynamodb_provisioned"]
    else:
        body["billing_mode"] = "PAY_PER_REQUEST"
    view = stream_view(c.arch, node_id)
    if view:
        body.update(stream_enabled=True, stream_view_type=view)
    body["tags"] = c.tags()
    body["blocks"] = [Block("attribute", body={"name": key, "type": "S"}),
                      Block("server_side_encryption", body={"enabled": True}),
                      Block("point_in_time_recovery", body={"enabled": True})]
    c.resource("aws_dynamodb_table", c.name(node_id), body, skip=skip)
    c.output(node_id, "table_name", c.ref(node_id, "name"), f"Table {node_id}")


def render_bucket(c: Config, node_id: str) -> None:
    name = c.name(node_id)
    bucket = Expr(f"aws_s3_bucket.{name}.id")
    c.resource("aws_s3_bucket", name, {"bucket": _q(c.physical_name(node_id) + "-${" + ACCOUNT + "}"),
                                       "tags": c.tags()}, skip=[s for s in skips.BUCKET] + TF_SKIPS["bucket"])
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
    arn = f"aws_s3_bucket.{name}.arn"
    c.resource("aws_s3_bucket_policy", name, {"bucket": bucket, "policy": Expr("jsonencode(" + hcl_value({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [Expr(arn), _q("${" + arn + "}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}, 1) + ")"),
        "depends_on": [Expr(f"aws_s3_bucket_public_access_block.{name}")]})
    _bucket_notifications(c, node_id)
    c.output(node_id, "bucket_name", Expr(f"aws_s3_bucket.{name}.bucket"), f"Bucket {node_id}")


# Notification target service -> (its block type, the ARN argument in it).
NOTIFICATION_BLOCKS = {"lambda": ("lambda_function", "lambda_function_arn"), "sqs": ("queue", "queue_arn"),
                       "sns": ("topic", "topic_arn")}


def _bucket_notifications(c: Config, node_id: str) -> None:
    edges = c.edges(node_id, {"notification"}, incoming=False)
    if not edges:
        return
    body: dict[str, Any] = {"bucket": Expr(f"aws_s3_bucket.{c.name(node_id)}.id")}
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
        depends.append(Expr(_grant_address(c, edge)))
    body["blocks"] = blocks
    if depends:
        body["depends_on"] = depends
    c.resource("aws_s3_bucket_notification", c.name(node_id), body)


def _grant_address(c: Config, edge: Edge) -> str:
    """The resource that lets the edge's source deliver to its target (which must wait for it)."""
    kind = wiring.grant_kind(c.arch, edge)
    if kind == wiring.LAMBDA_PERMISSION:
        return f"aws_lambda_permission.{c.name(edge.target, 'permission', edge.source)}"
    return f"{POLICY_RESOURCES[kind][0]}.{c.name(edge.target)}"


def render_queue(c: Config, node_id: str) -> None:
    cfg = c.config(node_id)
    consumers = [int(c.config(e.target)["timeout_s"]) for e in c.edges(node_id, {"event_source"}, incoming=False)]
    body: dict[str, Any] = {
        "name": _q(c.physical_name(node_id, SQS_NAME_ROOM) + (".fifo" if cfg.get("fifo") else "")),
        "sqs_managed_sse_enabled": True,
        "visibility_timeout_seconds": max([int(cfg["visibility_timeout_s"])] + consumers),
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
    c.resource("aws_sqs_queue", c.name(node_id), body, skip=[skips.SQS_MANAGED_SSE])
    c.output(node_id, "queue_url", c.ref(node_id, "url"), f"Queue {node_id}")


def render_topic(c: Config, node_id: str) -> None:
    cfg = c.config(node_id)
    body: dict[str, Any] = {"name": _q(c.physical_name(node_id, 60) + (".fifo" if cfg.get("fifo") else ""))}
    skip = []
    if service_publishers(c.arch, node_id, c.grants):
        skip.append(skips.SNS_SERVICE_PUBLISHER)
    else:
        body["kms_master_key_id"] = "alias/aws/sns"
    if cfg.get("fifo"):
        body["fifo_topic"] = True
    body["tags"] = c.tags()
    c.resource("aws_sns_topic", c.name(node_id), body, skip=skip)
    c.output(node_id, "topic_arn", c.ref(node_id, "arn"), f"Topic {node_id}")


def render_stream(c: Config, node_id: str) -> None:
    cfg = c.config(node_id)
    body: dict[str, Any] = {"name": _q(c.physical_name(node_id, 100)), "retention_period": int(cfg["retention_hours"]),
                            "encryption_type": "KMS", "kms_key_id": "alias/aws/kinesis"}
    mode = "ON_DEMAND" if cfg["capacity_mode"] == "on_demand" else "PROVISIONED"
    if mode == "PROVISIONED":
        body["shard_count"] = int(cfg["shards"])
    body["tags"] = c.tags()
    body["blocks"] = [Block("stream_mode_details", body={"stream_mode": mode})]
    c.resource("aws_kinesis_stream", c.name(node_id), body)
    c.output(node_id, "stream_name", c.ref(node_id, "name"), f"Stream {node_id}")


def render_bus(c: Config, node_id: str) -> None:
    if _custom_bus(c, node_id):
        c.resource("aws_cloudwatch_event_bus", c.name(node_id), {"name": _q(c.physical_name(node_id, 200)),
                                                                 "tags": c.tags()})
        c.output(node_id, "bus_name", c.ref(node_id, "name"), f"Event bus {node_id}")
    if node_id in c.principals:
        role(c, node_id, "events.amazonaws.com")


def render_state_machine(c: Config, node_id: str) -> None:
    cfg = c.config(node_id)
    role_ref = role(c, node_id, "states.amazonaws.com")
    logs = log_group(c, node_id, wiring.LOG_GROUP_PREFIX["step_functions"] + c.physical_name(node_id, 200))
    asl, _ = definition(c.arch, node_id, lambda target: "${" + str(c.handle(target)) + "}", lambda target: None)
    text = json.dumps(asl, indent=2, sort_keys=True)
    body = {
        "name": _q(c.physical_name(node_id, STATE_MACHINE_NAME_ROOM)),
        "role_arn": Expr(f"{role_ref}.arn"),
        "type": cfg["workflow_type"].upper(),
        "definition": Expr(json.dumps(text)),  # JSON-escaped text is a valid HCL string; ${...} stays live
        "tags": c.tags(),
        "blocks": [Block("logging_configuration", body={"log_destination": _q("${" + logs + ".arn}:*"),
                                                        "include_execution_data": False, "level": "ERROR"}),
                   Block("tracing_configuration", body={"enabled": True})],
    }
    c.resource("aws_sfn_state_machine", c.name(node_id), body, skip=TF_SKIPS["sfn"])
    c.output(node_id, "state_machine_arn", c.ref(node_id, "arn"), f"State machine {node_id}")


def _render_api(c: Config, node_id: str) -> None:
    from .api import render_api

    render_api(c, node_id)


SERVICE_RENDERERS: dict[str, Callable[[Config, str], None]] = {
    "lambda": render_function, "dynamodb": render_table, "s3": render_bucket, "sqs": render_queue,
    "sns": render_topic, "kinesis": render_stream, "eventbridge": render_bus,
    "step_functions": render_state_machine, "api_gateway": _render_api,
}


# --------------------------------------------------------------------------------------
# Edges


def render_event_source(c: Config, edge: Edge) -> None:
    body: dict[str, Any] = {
        "event_source_arn": c.attribute(edge.source, wiring.event_source(c.arch, edge).source_attribute),
        "function_name": c.function_target(edge.target),
        **arguments(wiring.mapping_parameters(c.arch, edge)),
    }
    body["depends_on"] = [Expr(f"aws_iam_role_policy.{c.name(edge.target, 'role')}")]
    c.resource("aws_lambda_event_source_mapping", c.name(edge.target, "source", edge.source), body)


def render_subscription(c: Config, edge: Edge) -> None:
    protocol, raw = wiring.subscription(c.arch, edge)
    body: dict[str, Any] = {"topic_arn": c.ref(edge.source, "arn"), "protocol": protocol,
                            "endpoint": c.arn(edge.target)}
    if raw:
        body["raw_message_delivery"] = True
    body["depends_on"] = [Expr(_grant_address(c, edge))]
    c.resource("aws_sns_topic_subscription", c.name(edge.source, "to", edge.target), body)


def _rule_name(c: Config, source: str, target: str) -> str:
    """The rule made for the rule_target edge source -> target."""
    return c.name(source, "rule", target)


# PutTargets parameter -> the aws_cloudwatch_event_target block that carries it.
RULE_TARGET_BLOCKS = {"KinesisParameters": "kinesis_target", "SqsParameters": "sqs_target"}


def render_rule_target(c: Config, edge: Edge) -> None:
    pattern = wiring.event_pattern(c.arch, edge)
    name = _rule_name(c, edge.source, edge.target)
    bus = c.handle(edge.source)
    c.resource("aws_cloudwatch_event_rule", name, {
        "name": _q(fit(c.physical_name(edge.source, 20) + "-" + kebab(edge.target), 64)),
        "description": f"{edge.source} -> {edge.target}", "event_bus_name": bus,
        "event_pattern": Expr("jsonencode(" + hcl_value(pattern, 1) + ")"), "tags": c.tags()})
    target: dict[str, Any] = {"rule": Expr(f"aws_cloudwatch_event_rule.{name}.name"), "event_bus_name": bus,
                              "target_id": fit(kebab(edge.target), 64), "arn": c.arn(edge.target)}
    if wiring.rule_target_needs_role(c.arch, edge):
        target["role_arn"] = Expr(f"aws_iam_role.{c.name(edge.source, 'role')}.arn")
    target.update(arguments(wiring.rule_target_parameters(c.arch, edge), RULE_TARGET_BLOCKS))
    c.resource("aws_cloudwatch_event_target", name, target)


def arguments(params: dict[str, Any], block_names: dict[str, str] | None = None) -> dict[str, Any]:
    """AWS API parameters as Terraform arguments: snake_case names, objects as nested
    blocks (named after the parameter unless `block_names` says otherwise)."""
    body: dict[str, Any] = {}
    blocks = []
    for key, value in params.items():
        if isinstance(value, dict):
            name = (block_names or {}).get(key) or snake(key)
            blocks.append(Block(name, body=arguments(value)))
        else:
            body[snake(key)] = value
    if blocks:
        body["blocks"] = blocks
    return body


EDGE_RENDERERS: dict[str, Callable[[Config, Edge], None]] = {
    "event_source": render_event_source, "subscription": render_subscription, "rule_target": render_rule_target,
}


# --------------------------------------------------------------------------------------
# Resource policies


def _source_arn(c: Config, grant: iam.ResourcePolicyGrant) -> Expr:
    source = wiring.GRANT_SOURCES[grant.source_service]
    if source.via_rule:
        return Expr(f"aws_cloudwatch_event_rule.{_rule_name(c, grant.source_node, grant.target_node)}.arn")
    return c.arn_with(grant.source_node, source.arn_suffix)


# Grant kind -> (policy resource type, the argument naming its queue/topic)
POLICY_RESOURCES = {"sqs_queue_policy": ("aws_sqs_queue_policy", "queue_url"),
                    "sns_topic_policy": ("aws_sns_topic_policy", "arn")}


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
        "function_name": Expr(f"aws_lambda_function.{c.name(fn)}.function_name"),
        "principal": grant.principal_service,
        "source_arn": _source_arn(c, grant),
        "source_account": Expr(ACCOUNT),
    }
    if _provisioned(c.config(fn)):
        body["qualifier"] = Expr(f"aws_lambda_alias.{c.name(fn, ALIAS_NAME)}.name")
    c.resource("aws_lambda_permission", c.name(fn, "permission", grant.source_node), body)


# --------------------------------------------------------------------------------------
# The whole configuration


def build_config(arch: Architecture, code_path: Callable[[str], str] | None = None) -> dict[str, list[Block]]:
    """File name -> blocks: versions.tf, variables.tf, main.tf, outputs.tf."""
    c = Config(arch, code_path=code_path)
    c.data("aws_caller_identity", "current", {})
    c.data("aws_partition", "current", {})
    c.data("aws_region", "current", {})
    for node_id, node in arch.nodes.items():
        SERVICE_RENDERERS[node.service](c, node_id)
    for edge in arch.edges:
        renderer = EDGE_RENDERERS.get(arch.edge_kind(edge))
        if renderer is not None:
            renderer(c, edge)
    render_resource_policies(c)
    _render_extras(c)
    return {"versions.tf": _versions(arch), "variables.tf": _variables(arch), "main.tf": c.blocks,
            "outputs.tf": c.outputs}


def _render_extras(c: Config) -> None:
    """Terraform resources outside the nine services, kept by the importer as
    {address, tf_type, body}: written back under their own name."""
    for extra in c.arch.extra.get("extras") or []:
        if not isinstance(extra, dict) or "tf_type" not in extra:
            continue
        label = str(extra.get("address") or extra.get("logical_id") or "extra").split(".")[-1]
        c.resource(str(extra["tf_type"]), label, _extra_body(extra.get("body") or extra.get("properties") or {}))


def _extra_body(body: dict) -> dict:
    """python-hcl2's shape back to ours: lists of dicts are nested blocks, strings keep ${...} live."""
    out: dict[str, Any] = {}
    blocks = []
    for key, value in body.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            blocks += [Block(key, body=_extra_body(v)) for v in value]
        else:
            out[key] = _extra_value(value)
    if blocks:
        out["blocks"] = blocks
    return out


def _extra_value(value: Any) -> Any:
    if isinstance(value, str):
        inner = value[2:-1] if value.startswith("${") and value.endswith("}") and value.count("${") == 1 else None
        return Expr(inner) if inner is not None else _q(value)
    if isinstance(value, list):
        return [_extra_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _extra_value(v) for k, v in value.items()}
    return value


def _versions(arch: Architecture) -> list[Block]:
    return [
        Block("terraform", body={"required_version": ">= 1.5", "blocks": [Block("required_providers", body={
            "aws": {"source": "hashicorp/aws", "version": ">= 5.40"},
            "archive": {"source": "hashicorp/archive", "version": ">= 2.4"}})]}),
        Block("provider", ("aws",), {"region": Expr("var.region"), "blocks": [
            Block("default_tags", body={"tags": {"stratus:design": tag_value(arch.name)}})]}),
    ]


def _variables(arch: Architecture) -> list[Block]:
    def variable(name, type_, default, description, validation=None):
        body = {"type": Expr(type_), "default": default, "description": description}
        if validation:
            body["blocks"] = [Block("validation", body={"condition": Expr(validation[0]), "error_message": validation[1]})]
        return Block("variable", (name,), body)

    return [
        variable("region", "string", arch.region, "AWS region to deploy into"),
        variable("name_prefix", "string", default_prefix(arch), "Lower-case prefix of physical resource names",
                 ("can(regex(\"^[a-z0-9][a-z0-9-]{0,15}$\", var.name_prefix))",
                  "name_prefix: lower-case letters, digits and hyphens, at most 16 characters.")),
        variable("stage", "string", default_stage(arch), "Deployment stage (also the API stage name)",
                 ("can(regex(\"^[a-z0-9]{1,8}$\", var.stage))", "stage: lower-case letters and digits, at most 8.")),
        variable("log_retention_days", "number", LOG_RETENTION_DAYS, "Days CloudWatch keeps the logs"),
    ]

