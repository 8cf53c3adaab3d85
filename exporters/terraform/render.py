"""Design -> Terraform (HCL) as lists of blocks, for the AWS provider 5.x.

The same structure as the CloudFormation renderer: this module is the table of contents,
saying which renderer writes each service (SERVICE_RENDERERS: services.py, api.py) and
each edge kind (EDGE_RENDERERS: edges.py), then the resource policies, the resources kept
from an import, and the files around them (versions, variables, outputs). Every renderer
writes into a `Config` (config.py), which names and references every node. The wiring
facts of model.aws.wiring are written in Terraform syntax (AWS API parameters become
snake_case arguments and nested blocks, see config.arguments), IAM from model.aws.iam.
"""

from __future__ import annotations

from typing import Any, Callable

from model.architecture import Architecture, Edge
from model.aws.defaults import DESIGN_TAG, LOG_RETENTION_DAYS
from model.aws.naming import NAME_PREFIX_MAX, STAGE_MAX, default_prefix, default_stage, tag_value

from ..serialize import Block, Expr
from .api import render_api
from .config import Config, quoted
from .edges import render_event_source, render_resource_policies, render_rule_target, render_subscription
from .services import (render_bucket, render_bus, render_function, render_queue, render_state_machine,
                       render_stream, render_table, render_topic)

SERVICE_RENDERERS: dict[str, Callable[[Config, str], None]] = {
    "lambda": render_function, "dynamodb": render_table, "s3": render_bucket, "sqs": render_queue,
    "sns": render_topic, "kinesis": render_stream, "eventbridge": render_bus,
    "step_functions": render_state_machine, "api_gateway": render_api,
}

EDGE_RENDERERS: dict[str, Callable[[Config, Edge], None]] = {
    "event_source": render_event_source, "subscription": render_subscription, "rule_target": render_rule_target,
    # The other edge kinds are written with a node or as IAM (see edges.py).
}


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
        return Expr(inner) if inner is not None else quoted(value)
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
            Block("default_tags", body={"tags": {DESIGN_TAG: tag_value(arch.name)}})]}),
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
                 (f"can(regex(\"^[a-z0-9][a-z0-9-]{{0,{NAME_PREFIX_MAX - 1}}}$\", var.name_prefix))",
                  f"name_prefix: lower-case letters, digits and hyphens, at most {NAME_PREFIX_MAX} characters.")),
        variable("stage", "string", default_stage(arch), "Deployment stage (also the API stage name)",
                 (f"can(regex(\"^[a-z0-9]{{1,{STAGE_MAX}}}$\", var.stage))",
                  f"stage: lower-case letters and digits, at most {STAGE_MAX}.")),
        variable("log_retention_days", "number", LOG_RETENTION_DAYS, "Days CloudWatch keeps the logs"),
    ]

