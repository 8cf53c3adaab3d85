"""Terraform configurations -> a design (`import_terraform(dir_or_file)`).

The configuration is walked first (`modules`): .tf files parsed with python-hcl2, local
modules followed, each resource block made into its `count`/`for_each` instances, every
argument evaluated (`hcl_eval` parses and evaluates the expressions python-hcl2 leaves as
`${...}` text; `hcl_values` holds what values and built-in functions mean). Then the
mapping passes: (1) a node for every resource of the nine services (`nodes`), (2) the
wiring between them (`wiring`; API integrations in `api`), (3) every other resource
classified (`nodes`): absorbed, IAM mapped into edges, or kept under `extras`. The
resource-type tables are in `types`.
"""

from __future__ import annotations

import os
import re
from typing import Callable

from importers.base import GraphBuilder, ImportResult
from importers.terraform import api, nodes, scaling, supporting, wiring
from importers.terraform.modules import Configuration, Resource, tf_files
from importers.terraform.state import TerraformImport
from importers.terraform.types import NODE_TYPES
from model.errors import StratusError


def import_terraform(dir_or_file: str | os.PathLike) -> ImportResult:
    path = os.fspath(dir_or_file)
    if not os.path.exists(path):
        raise StratusError(f"{path}: no such file or folder")
    folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    files = tf_files(path)
    if not files:
        raise StratusError(f"{path}: no .tf files")
    name = os.path.basename(os.path.abspath(folder))
    configuration = Configuration(GraphBuilder(name, "terraform"))
    configuration.load_module(files, folder, prefix="", variables={}, depth=0)
    if not configuration.resources:
        raise StratusError(f"{path}: no resource blocks: nothing to import")
    return _run(TerraformImport(configuration), path)


def _run(imp: TerraformImport, path: str) -> ImportResult:
    imp.b.arch.extra["imported_from"] = {"format": "terraform", "path": os.path.basename(os.path.abspath(path))}
    _read_region(imp)
    imp.websocket = supporting.websocket_addresses(imp)
    for res in imp.resources.values():
        service = NODE_TYPES.get(res.tf_type)
        if service and res.address not in imp.websocket:
            nodes.add_node(imp, res, service)
    nodes.link_aliases(imp)
    for res in imp.resources.values():
        wire = WIRING.get(res.tf_type) if res.address not in imp.websocket else None
        if wire:
            wire(imp, res)
    nodes.apply_provisioned(imp)
    api.apply_api_timeouts(imp)
    scaling.absorb_table_scaling(imp)
    nodes.classify_rest(imp)
    return imp.b.finish()


def _read_region(imp: TerraformImport) -> None:
    """The AWS provider's region, when the configuration names a real one."""
    if imp.providers:
        region = next((p.get("aws", {}).get("region") for p in imp.providers if isinstance(p.get("aws"), dict)), None)
        if isinstance(region, str) and re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region):
            imp.b.arch.region = region


# Resource type -> the pass that reads the edges (or settings) it makes
WIRING: dict[str, Callable[[TerraformImport, Resource], None]] = {
    "aws_lambda_function": wiring.wire_function, "aws_sqs_queue": wiring.wire_queue,
    "aws_sqs_queue_redrive_policy": wiring.wire_redrive_policy,
    "aws_sns_topic_subscription": wiring.wire_subscription,
    "aws_lambda_event_source_mapping": wiring.wire_event_source_mapping,
    "aws_lambda_function_event_invoke_config": wiring.wire_event_invoke_config,
    "aws_lambda_provisioned_concurrency_config": wiring.wire_provisioned_concurrency,
    "aws_s3_bucket_notification": wiring.wire_bucket_notification,
    "aws_cloudwatch_event_target": wiring.wire_event_target,
    "aws_sfn_state_machine": wiring.wire_state_machine, "aws_api_gateway_integration": api.wire_v1_integration,
    "aws_apigatewayv2_api": api.wire_v2_api, "aws_apigatewayv2_integration": api.wire_v2_integration,
    "aws_api_gateway_method_settings": api.wire_throttling, "aws_apigatewayv2_stage": api.wire_throttling,
    "aws_scheduler_schedule": wiring.wire_scheduler_schedule,
}
