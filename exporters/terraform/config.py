"""The Terraform configuration being built, and the building blocks every renderer uses.

`Config` names every node's resources (Terraform names) and writes references to them: a
node's attribute (model.aws.wiring's ARN, NAME, URL...) becomes `<type>.<name>.<attr>`
through ATTRIBUTE_NAMES and COMPUTED_ATTRIBUTES, the type coming from the node's
catalogue record. Below it: IAM roles and `jsonencode(...)` policies with Terraform
references, log groups, AWS API parameters as arguments and blocks (`arguments`), and the
names of the resources that rules and grants make. The service, API and edge renderers
(services.py, api.py, edges.py) build on this module; render.py picks a renderer per
service and edge kind and writes the files. checkov skips are written as
`#checkov:skip=ID:reason` comments inside the resource they concern.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

from model.architecture import Architecture, Edge
from model.aws import checkov_skips as skips
from model.aws import iam, wiring
from model.aws.defaults import ALIAS_NAME, DESIGN_TAG, provisioned
from model.aws.naming import Namer, fit, kebab, snake, tag_value, template_name_part, template_name_room, \
    terraform_names
from model.catalogue import SERVICES

from ..serialize import Block, Expr, hcl_value

ACCOUNT = "data.aws_caller_identity.current.account_id"
PARTITION = "data.aws_partition.current.partition"
REGION = "data.aws_region.current.name"


def quoted(text: str) -> Expr:
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

    def checkpoint(self) -> tuple[int, frozenset]:
        """Where the configuration is, to go back to (`rollback`) if what follows cannot be written."""
        return len(self.blocks), frozenset(self._seen)

    def rollback(self, mark: tuple[int, frozenset]) -> None:
        del self.blocks[mark[0]:]
        self._seen = set(mark[1])

    def data(self, type_: str, name: str, body: dict) -> str:
        self.blocks.append(Block("data", (type_, name), body))
        return f"data.{type_}.{name}"

    def output(self, node_id: str, what: str, value: Expr, description: str) -> None:
        self.outputs.append(Block("output", (self.name(node_id, what),), {"description": description, "value": value}))

    def config(self, node_id: str) -> dict:
        return self.arch.nodes[node_id].effective_config()

    def service(self, node_id: str) -> str:
        return self.arch.nodes[node_id].service

    def physical_name(self, node_id: str, room: int | None = None) -> str:
        """`${var.name_prefix}-${var.stage}-<node>`, the node's part cut to `room` (by
        default its main resource's, from the catalogue)."""
        if room is None:
            room = template_name_room(self.arch.nodes[node_id])
        return "${var.name_prefix}-${var.stage}-" + template_name_part(node_id, room)

    def resource_type(self, node_id: str) -> str:
        """The Terraform type of the node's main resource (from the catalogue)."""
        return SERVICES[self.service(node_id)].aws.resource(self.config(node_id)).terraform

    def address(self, node_id: str) -> str:
        """`<resource type>.<name>` of the node's main resource."""
        return f"{self.resource_type(node_id)}.{self.name(node_id)}"

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
        return quoted(self.arn_text(node_id) + suffix) if suffix else self.arn(node_id)

    def handle(self, node_id: str) -> Expr:
        return self.attribute(node_id, wiring.handle(self.service(node_id)))

    def function_target(self, node_id: str) -> Expr:
        if provisioned(self.config(node_id)):
            return Expr(f"aws_lambda_alias.{self.name(node_id, ALIAS_NAME)}.arn")
        return self.ref(node_id, "arn")

    def edges(self, node_id: str, kinds: set[str], incoming: bool = True) -> list[Edge]:
        edges = self.arch.edges_to(node_id) if incoming else self.arch.edges_from(node_id)
        return [e for e in edges if self.arch.edge_kind(e) in kinds]

    def tags(self) -> dict:
        return {DESIGN_TAG: tag_value(self.arch.name)}

    def rule_name(self, source: str, target: str) -> str:
        """The rule made for the rule_target edge source -> target."""
        return self.name(source, "rule", target)

    def grant_address(self, edge: Edge) -> str:
        """The resource that lets the edge's source deliver to its target (which must wait for it)."""
        kind = wiring.grant_kind(self.arch, edge)
        if kind == wiring.LAMBDA_PERMISSION:
            return f"aws_lambda_permission.{self.name(edge.target, 'permission', edge.source)}"
        return f"{POLICY_RESOURCES[kind][0]}.{self.name(edge.target)}"


# service -> attribute -> the Terraform attribute that gives it, where the names differ.
ATTRIBUTE_NAMES: dict[str, dict[str, str]] = {
    "s3": {wiring.NAME: "bucket"},
    "api_gateway": {wiring.ARN: "execution_arn"},
}


def custom_bus(c: Config, node_id: str) -> bool:
    return wiring.custom_bus(c.config(node_id))


# Attributes that are not one of the resource's own: (service, attribute) -> value.
COMPUTED_ATTRIBUTES: dict[tuple[str, str], Callable[[Config, str], Expr]] = {
    ("lambda", wiring.ARN): lambda c, n: c.function_target(n),
    ("eventbridge", wiring.ARN): lambda c, n: c.ref(n, "arn") if custom_bus(c, n) else Expr(
        f'"arn:${{{PARTITION}}}:events:${{{REGION}}}:${{{ACCOUNT}}}:event-bus/{wiring.DEFAULT_BUS}"'),
    ("eventbridge", wiring.NAME): lambda c, n: c.ref(n, "name") if custom_bus(c, n) else quoted(wiring.DEFAULT_BUS),
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
        return quoted("${aws_cloudwatch_log_group." + c.name(principal, "logs") + ".arn}" + stmt.resource_suffix)
    if stmt.scope == iam.OWN_DLQ:
        return Expr(f"aws_sqs_queue.{c.name(principal, 'dead_letter_queue')}.arn")
    return c.arn_with(stmt.resource_node, stmt.resource_suffix)


def _assume(service: str) -> Expr:
    return Expr("jsonencode(" + hcl_value({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}, 1) + ")")


def role(c: Config, principal: str) -> str:
    """The node's execution role, assumed by its service's principal (from the catalogue)."""
    role_name = c.name(principal, "role")
    service_principal = iam.service_principal(c.service(principal))
    c.resource("aws_iam_role", role_name, {"name_prefix": fit(kebab(principal), 30) + "-", "assume_role_policy":
                                           _assume(service_principal), "tags": c.tags()})
    if principal in c.principals:  # else an API's role that serves only kept operations (kept.py)
        c.resource("aws_iam_role_policy", role_name, {"name": "least-privilege",
                                                      "role": Expr(f"aws_iam_role.{role_name}.id"),
                                                      "policy": _policy(c, principal)},
                   skip=skips.role_skips(iam.role_statements(c.arch, principal)))
    return f"aws_iam_role.{role_name}"


def log_group(c: Config, node_id: str, name: str) -> str:
    return c.resource("aws_cloudwatch_log_group", c.name(node_id, "logs"), {
        "name": quoted(name), "retention_in_days": Expr("var.log_retention_days"), "tags": c.tags()},
        skip=[skips.LOG_KMS] + skips.TF_LOG_GROUP)


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


# Grant kind -> (policy resource type, the argument naming its queue/topic)
POLICY_RESOURCES = {"sqs_queue_policy": ("aws_sqs_queue_policy", "queue_url"),
                    "sns_topic_policy": ("aws_sns_topic_policy", "arn")}


