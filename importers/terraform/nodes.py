"""The core of the Terraform reader: resources of the nine services -> nodes (their
arguments read into the node's config), function aliases linked to their function,
provisioned concurrency added up per function, and, once every edge is wired, every other
resource classified: absorbed into a node or edge, IAM mapped into edges, or kept under
`extras` for the exporters to emit again.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from importers.base import as_bool, as_int, strip_tokens, tokens_in
from importers.terraform import supporting
from importers.terraform.hcl_values import decoded_json
from importers.terraform.modules import Resource, address_of, first_block
from importers.terraform.state import TerraformImport
from importers.terraform.types import ABSORBED_TYPES, IAM_TYPES
from model.catalogue import LAMBDA_RUNTIMES


def add_node(imp: TerraformImport, res: Resource, service: str) -> None:
    values = res.values
    config = CONFIG_READERS[service](imp, res, values)
    names = [values.get(k) for k in ("function_name", "name", "bucket") if isinstance(values.get(k), str)]
    if isinstance(values.get("bucket_prefix"), str):
        names.append(values["bucket_prefix"] + "*")
    label = res.address.split(".")[-1]
    if res.module.prefix:
        label = f"{res.module.prefix.replace('module.', '').replace('.', '_')}{label}"
    extra = {"terraform": {"address": res.tf_address, "tf_type": res.tf_type, "body": res.plain_body()}}
    imp.b.add_node(res.address, res.tf_type, service, config, label, extra, names)


def _lambda(imp: TerraformImport, res: Resource, v: dict) -> dict:
    reserved = as_int(v.get("reserved_concurrent_executions"))
    config = {"runtime": _runtime(imp, res, v.get("runtime")), "memory_mb": as_int(v.get("memory_size")),
              "timeout_s": as_int(v.get("timeout")),
              "reserved_concurrency": reserved if reserved is not None and reserved >= 0 else None,
              "handler": v.get("handler") if isinstance(v.get("handler"), str) else None}
    archs = v.get("architectures")
    if isinstance(archs, list) and archs:
        config["architecture"] = archs[0]
    return {k: val for k, val in config.items() if val is not None}


def _runtime(imp: TerraformImport, res: Resource, runtime: Any) -> str | None:
    if not isinstance(runtime, str) or runtime in LAMBDA_RUNTIMES:
        return runtime if isinstance(runtime, str) else None
    family = re.match(r"[a-z]+", runtime)
    same = [r for r in LAMBDA_RUNTIMES if family and r.startswith(family.group(0))]
    if not same:
        imp.b.note("note", res.address, res.tf_type, f"runtime {runtime} is not in Stratus's catalogue; "
                   "the default is used", "warning")
        return None
    imp.b.note("note", res.address, res.tf_type, f"runtime {runtime} is newer than Stratus's catalogue; "
               f"simulated as {same[0]} (the original is kept in the node's terraform body)")
    return same[0]


def _table(imp: TerraformImport, res: Resource, v: dict) -> dict:
    mode = v.get("billing_mode", "PROVISIONED")
    config = {"billing_mode": "on_demand" if mode == "PAY_PER_REQUEST" else "provisioned",
              "read_capacity": as_int(v.get("read_capacity")), "write_capacity": as_int(v.get("write_capacity")),
              "partition_key": v.get("hash_key") if isinstance(v.get("hash_key"), str) else None}
    if as_bool(v.get("stream_enabled")) and isinstance(v.get("stream_view_type"), str):
        config["stream"] = v["stream_view_type"].lower()
    return {k: val for k, val in config.items() if val is not None}


def _queue(imp: TerraformImport, res: Resource, v: dict) -> dict:
    config = {"fifo": as_bool(v.get("fifo_queue")), "visibility_timeout_s": as_int(v.get("visibility_timeout_seconds")),
              "retention_s": as_int(v.get("message_retention_seconds"))}
    redrive = decoded_json(v.get("redrive_policy"))
    if isinstance(redrive, dict):
        config["max_receive_count"] = as_int(redrive.get("maxReceiveCount"))
    return {k: val for k, val in config.items() if val is not None}


def _topic(imp: TerraformImport, res: Resource, v: dict) -> dict:
    fifo = as_bool(v.get("fifo_topic"))
    return {"fifo": fifo} if fifo is not None else {}


def _stream(imp: TerraformImport, res: Resource, v: dict) -> dict:
    details = first_block(v.get("stream_mode_details"))
    config = {"capacity_mode": "on_demand" if details.get("stream_mode") == "ON_DEMAND" else "provisioned",
              "shards": as_int(v.get("shard_count")), "retention_hours": as_int(v.get("retention_period"))}
    return {k: val for k, val in config.items() if val is not None}


def _bucket(imp: TerraformImport, res: Resource, v: dict) -> dict:
    return {}


def _bus(imp: TerraformImport, res: Resource, v: dict) -> dict:
    name = v.get("name")
    return {"bus_name": name} if isinstance(name, str) and not tokens_in(name) else {}


def _state_machine(imp: TerraformImport, res: Resource, v: dict) -> dict:
    return {"workflow_type": "express" if str(v.get("type", "STANDARD")).upper() == "EXPRESS" else "standard"}


def _api(imp: TerraformImport, res: Resource, v: dict) -> dict:
    http = res.tf_type == "aws_apigatewayv2_api"
    if http and v.get("protocol_type") not in ("HTTP", None):
        imp.b.note("note", res.address, res.tf_type, f"{v.get('protocol_type')} API simulated as an HTTP API", "warning")
    return {"api_type": "http" if http else "rest"}


def link_aliases(imp: TerraformImport) -> None:
    """An alias stands for its function wherever it is referenced (`aws_lambda_alias.x.arn`
    in an integration invokes the function; a provisioned concurrency config on it is the
    function's)."""
    for res in imp.resources.values():
        if res.tf_type != "aws_lambda_alias":
            continue
        fn = imp.b.node_for(res.values.get("function_name"), "lambda")
        if fn is None:
            imp.b.warn(res.address, res.tf_type, f"alias of {strip_tokens(str(res.values.get('function_name')))}, "
                       "which is not a function of this configuration")
            continue
        imp.b.alias(res.address, fn)
        imp.absorbed_as[res.address] = f"function alias of '{fn}'"


def apply_provisioned(imp: TerraformImport) -> None:
    for fn, counts in imp.provisioned.items():
        total = sum(count for _, count in counts)
        first = imp.resources[counts[0][0]]
        config = imp.b._checked_config(first.address, first.tf_type, "lambda", {"provisioned_concurrency": total})
        imp.b.arch.nodes[fn].config.update(config)
        for address, count in counts:
            imp.absorbed_as[address] = f"provisioned concurrency of '{fn}' ({count} -> the node)"
        if len(counts) > 1:
            imp.b.note("note", fn, "", f"provisioned concurrency of {len(counts)} configurations "
                       f"({', '.join(a for a, _ in counts)}) added up: {total}")


def classify_rest(imp: TerraformImport) -> None:
    """Every resource that is not a node: absorbed, mapped into edges, or kept under extras
    (see `supporting` for what is kept whole so that the exporters lose nothing)."""
    kept: dict[str, str] = {}
    for address, res in imp.resources.items():
        if address in imp.b.node_of:
            continue
        why = supporting.kept_whole(imp, res)
        if why:
            kept[address] = why
        elif not (address in imp.absorbed_as or res.tf_type in ABSORBED_TYPES
                  or res.tf_type in IAM_TYPES and _iam_used(imp, res)):
            kept[address] = "not one of the nine services; kept under extras"
    kept.update(supporting.referred_to(imp, set(kept)))
    for address, res in imp.resources.items():
        if address in imp.b.node_of:
            continue
        if address in kept:
            imp.b.extras.append({"address": address, "tf_type": res.tf_type, "body": res.plain_body()})
            imp.b.note("extra", address, res.tf_type, kept[address])
        elif address in imp.absorbed_as:
            imp.b.note("absorbed", address, res.tf_type, imp.absorbed_as[address])
        elif res.tf_type in ABSORBED_TYPES:
            imp.b.note("absorbed", address, res.tf_type, ABSORBED_TYPES[res.tf_type])
        else:
            imp.b.note("mapped_into_edges", address, res.tf_type, "permissions are derived from the design's edges")


def _iam_used(imp: TerraformImport, res: Resource) -> bool:
    if res.address in imp.used_roles:
        return True
    roles = {address_of(k) for k in tokens_in(res.values.get("role"))}
    if roles & imp.used_roles:
        return True
    if res.tf_type == "aws_iam_policy":  # attached to a used role
        return any(o.tf_type == "aws_iam_role_policy_attachment" and
                   res.address in map(address_of, tokens_in(o.values.get("policy_arn"))) and
                   {address_of(k) for k in tokens_in(o.values.get("role"))} & imp.used_roles
                   for o in imp.resources.values())
    return False


# service -> the reader of a node's config from the resource's evaluated arguments
CONFIG_READERS: dict[str, Callable[[TerraformImport, Resource, dict], dict]] = {
    "lambda": _lambda, "dynamodb": _table, "sqs": _queue, "sns": _topic, "kinesis": _stream, "s3": _bucket,
    "eventbridge": _bus, "step_functions": _state_machine, "api_gateway": _api,
}
