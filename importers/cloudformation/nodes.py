"""The core of the CloudFormation/SAM reader: resources of the nine services -> nodes (their
settings read into the node's config), function aliases and versions linked to their
function, and, once every edge is wired, every other resource classified: absorbed into a
node or edge, IAM mapped into edges, or kept under `extras` for the exporters to emit again.
"""

from __future__ import annotations

import copy
import json
import os
import re
from typing import Any, Callable

from importers.base import as_bool, as_int, as_list, strip_tokens, tokens_in
from importers.cloudformation import outside_events, permissions, supporting
from importers.cloudformation.properties import throttle_config
from importers.cloudformation.state import TemplateImport
from importers.cloudformation.types import ABSORBED_TYPES, IAM_TYPES, NAME_PROPERTIES
from model.catalogue import LAMBDA_RUNTIMES


def add_node(imp: TemplateImport, key: str, service: str, props: dict) -> None:
    rtype = imp.types[key]
    config = CONFIG_READERS[service](imp, key, props)
    names = [props.get(p) for p in NAME_PROPERTIES if isinstance(props.get(p), str)]
    if service == "eventbridge":
        names.append(props.get("Name"))
    extra = {"cfn": {"logical_id": key, "type": rtype,
                     "properties": copy.deepcopy(imp.raw[key].get("Properties") or {})}}
    for attribute in ("Condition", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Metadata"):
        if attribute in imp.raw[key]:
            extra["cfn"][attribute.lower()] = copy.deepcopy(imp.raw[key][attribute])
    imp.b.add_node(key, rtype, service, config, key, extra, names)


def _lambda(imp: TemplateImport, key: str, props: dict) -> dict:
    config = {
        "runtime": _runtime(imp, key, props.get("Runtime")),
        "memory_mb": as_int(props.get("MemorySize")),
        "timeout_s": as_int(props.get("Timeout")),
        "reserved_concurrency": as_int(props.get("ReservedConcurrentExecutions")),
        "provisioned_concurrency": as_int((props.get("ProvisionedConcurrencyConfig") or {})
                                          .get("ProvisionedConcurrentExecutions")),
        "handler": props.get("Handler") if isinstance(props.get("Handler"), str) else None,
    }
    architectures = props.get("Architectures")
    if isinstance(architectures, list) and architectures:
        config["architecture"] = architectures[0]
    code = props.get("CodeUri")
    if isinstance(code, str) and not code.startswith("s3://") and not tokens_in(code):
        config["code"] = os.path.normpath(os.path.join(imp.base_dir, code))
    return {k: v for k, v in config.items() if v is not None}


def _runtime(imp: TemplateImport, key: str, runtime: Any) -> str | None:
    if not isinstance(runtime, str) or runtime in LAMBDA_RUNTIMES:
        return runtime if isinstance(runtime, str) else None
    family = re.match(r"[a-z]+", runtime)
    same = [r for r in LAMBDA_RUNTIMES if family and r.startswith(family.group(0))]
    if not same:
        imp.b.note("note", key, imp.types[key], f"runtime {runtime} is not in Stratus's catalogue; "
                   "the default is used (the original is kept in the node's cfn properties)", "warning")
        return None
    imp.b.note("note", key, imp.types[key], f"runtime {runtime} is newer than Stratus's catalogue; "
               f"simulated as {same[0]} (the original is kept in the node's cfn properties)")
    return same[0]


def _table(imp: TemplateImport, key: str, props: dict) -> dict:
    if imp.types[key] == "AWS::Serverless::SimpleTable":
        throughput = props.get("ProvisionedThroughput")
        config = {"billing_mode": "provisioned" if throughput else "on_demand",
                  "partition_key": (props.get("PrimaryKey") or {}).get("Name")}
    else:
        throughput = props.get("ProvisionedThroughput")
        mode = props.get("BillingMode") or ("PROVISIONED" if throughput else "PAY_PER_REQUEST")
        config = {"billing_mode": "on_demand" if mode == "PAY_PER_REQUEST" else "provisioned"}
        hash_keys = [k.get("AttributeName") for k in props.get("KeySchema") or []
                     if isinstance(k, dict) and k.get("KeyType") == "HASH"]
        config["partition_key"] = hash_keys[0] if hash_keys else None
    if isinstance(throughput, dict):
        config["read_capacity"] = as_int(throughput.get("ReadCapacityUnits"))
        config["write_capacity"] = as_int(throughput.get("WriteCapacityUnits"))
    view = (props.get("StreamSpecification") or {}).get("StreamViewType")
    if isinstance(view, str):
        config["stream"] = view.lower()
    return {k: v for k, v in config.items() if v is not None}


def _queue(imp: TemplateImport, key: str, props: dict) -> dict:
    config = {"fifo": as_bool(props.get("FifoQueue")),
              "visibility_timeout_s": as_int(props.get("VisibilityTimeout")),
              "retention_s": as_int(props.get("MessageRetentionPeriod"))}
    redrive = props.get("RedrivePolicy")
    if isinstance(redrive, str):
        try:
            redrive = json.loads(redrive)
        except ValueError:
            redrive = {}
    if isinstance(redrive, dict):
        config["max_receive_count"] = as_int(redrive.get("maxReceiveCount"))
    return {k: v for k, v in config.items() if v is not None}


def _topic(imp: TemplateImport, key: str, props: dict) -> dict:
    fifo = as_bool(props.get("FifoTopic"))
    return {"fifo": fifo} if fifo is not None else {}


def _stream(imp: TemplateImport, key: str, props: dict) -> dict:
    mode = (props.get("StreamModeDetails") or {}).get("StreamMode")
    config = {"capacity_mode": "on_demand" if mode == "ON_DEMAND" else "provisioned",
              "shards": as_int(props.get("ShardCount")),
              "retention_hours": as_int(props.get("RetentionPeriodHours"))}
    return {k: v for k, v in config.items() if v is not None}


def _bucket(imp: TemplateImport, key: str, props: dict) -> dict:
    return {}


def _bus(imp: TemplateImport, key: str, props: dict) -> dict:
    name = props.get("Name")
    return {"bus_name": name} if isinstance(name, str) and not tokens_in(name) else {}


def _state_machine(imp: TemplateImport, key: str, props: dict) -> dict:
    kind = props.get("Type") or props.get("StateMachineType") or "STANDARD"
    return {"workflow_type": "express" if str(kind).upper() == "EXPRESS" else "standard"}


def _api(imp: TemplateImport, key: str, props: dict) -> dict:
    rtype = imp.types[key]
    http = rtype == "AWS::Serverless::HttpApi" or (
        rtype == "AWS::ApiGatewayV2::Api" and props.get("ProtocolType") == "HTTP")
    if rtype == "AWS::ApiGatewayV2::Api" and props.get("ProtocolType") not in ("HTTP", None):
        imp.b.note("note", key, rtype, f"{props.get('ProtocolType')} API simulated as an HTTP API", "warning")
    config: dict[str, Any] = {"api_type": "http" if http else "rest"}
    stage = props.get("StageName")
    if isinstance(stage, str) and not tokens_in(stage):
        config["stage"] = stage
    for setting in as_list(props.get("MethodSettings")) + [props.get("DefaultRouteSettings") or {}]:
        config.update(throttle_config(setting))
    return config


def link_aliases(imp: TemplateImport) -> None:
    """Aliases and versions stand for their function wherever they are referenced (an
    integration that invokes `Fn:live` invokes Fn), and their provisioned concurrency is
    the function's. SAM's AutoPublishAlias makes `<Fn>Alias<name>` and `<Fn>Version<hash>`."""
    provisioned: dict[str, list[tuple[str, int]]] = {}
    for key, props in imp.props.items():
        rtype = imp.types[key]
        if rtype == "AWS::Serverless::Function" and isinstance(props.get("AutoPublishAlias"), str):
            fn = imp.b.node_of[key]
            imp.b.alias(f"{key}Alias{props['AutoPublishAlias']}", fn)
            for name in imp.resolver.unresolved:
                if re.fullmatch(re.escape(key) + r"Version[0-9a-f]{10}", name):
                    imp.b.alias(name, fn)
        if rtype not in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
            continue
        what = "alias" if rtype == "AWS::Lambda::Alias" else "version"
        count = as_int((props.get("ProvisionedConcurrencyConfig") or {}).get("ProvisionedConcurrentExecutions"))
        fn = imp.b.node_for(props.get("FunctionName"), "lambda")
        if fn is None:
            extra = f"; its provisioned concurrency ({count}) is not attached to any node" if count else ""
            imp.b.warn(key, rtype, f"{what} of {strip_tokens(str(props.get('FunctionName')))}, "
                       f"which is not a function of this template{extra}")
            continue
        imp.b.alias(key, fn)
        imp.absorbed_as[key] = f"function {what} of '{fn}'"
        if count:
            provisioned.setdefault(fn, []).append((key, count))
    for fn, counts in provisioned.items():
        _set_provisioned(imp, fn, counts)


def _set_provisioned(imp: TemplateImport, fn: str, counts: list[tuple[str, int]]) -> None:
    total = sum(count for _, count in counts)
    key, rtype = counts[0][0], imp.types[counts[0][0]]
    config = imp.b._checked_config(key, rtype, "lambda", {"provisioned_concurrency": total})
    if not config:
        return
    imp.b.arch.nodes[fn].config.update(config)
    for key, count in counts:
        imp.absorbed_as[key] += f" (provisioned concurrency {count} -> the node)"
    if len(counts) > 1:
        imp.b.note("note", fn, "", f"provisioned concurrency of {len(counts)} aliases/versions "
                   f"({', '.join(k for k, _ in counts)}) added up: {total}")


def classify_rest(imp: TemplateImport) -> None:
    """Every resource that is not a node: absorbed, mapped into edges, or kept under extras
    (see `supporting` for what is kept whole so that the exporters lose nothing)."""
    supporting.record_parts(imp)
    kept: dict[str, str] = {}
    for key, rtype in imp.types.items():
        if key in imp.skipped:  # not in the design, but written back: its condition keeps it off
            kept[key] = f"condition '{imp.raw[key]['Condition']}' is false with the parameters' defaults: not in " \
                        "the design, kept as written with its condition"
            continue
        if key in imp.b.node_of or key in imp.skipped:
            continue
        why = supporting.kept_whole(imp, key)
        if why:
            kept[key] = why
        elif not (key in imp.absorbed_as or rtype in ABSORBED_TYPES or rtype in IAM_TYPES and _iam_used(imp, key)):
            kept[key] = "not one of the nine services; kept under extras"
    _keep_what_extras_refer_to(imp, kept)
    for key, rtype in imp.types.items():
        if key in imp.b.node_of:
            continue
        if key in kept:
            _keep_extra(imp, key, rtype, kept[key])
        elif key in imp.absorbed_as:
            imp.b.note("absorbed", key, rtype, imp.absorbed_as[key])
        elif rtype in ABSORBED_TYPES:
            imp.b.note("absorbed", key, rtype, ABSORBED_TYPES[rtype])
        else:
            imp.b.note("mapped_into_edges", key, rtype, "permissions are derived from the design's edges")
    for entry in supporting.sam_function_urls(imp):
        imp.b.extras.append(entry)
        imp.b.note("extra", entry["logical_id"], entry["type"], "made by SAM from the function's FunctionUrlConfig; "
                   "kept as SAM writes it")
    for entry, (topic, _, endpoint) in zip(supporting.inline_subscriptions(imp), imp.inline_subscriptions):
        imp.b.extras.append(entry)
        imp.b.note("extra", entry["logical_id"], entry["type"], f"inline subscription of '{topic}' to {endpoint}, "
                   "outside the design: kept as a subscription of its own")
    for entry, why in outside_events.kept_resources(imp) + permissions.outside_grants(imp):
        imp.b.extras.append(entry)
        imp.b.note("extra", entry["logical_id"], entry["type"], why)
    if imp.parts:
        imp.b.arch.extra["imported_from"]["parts"] = dict(sorted(imp.parts.items()))


def _keep_what_extras_refer_to(imp: TemplateImport, kept: dict[str, str]) -> None:
    """An IAM resource or an absorbed one that a kept resource's properties refer to, and
    that no named part of a node stands for (a role several functions share, an API path a
    kept method hangs on), is kept too."""
    todo = list(kept)
    while todo:
        key = todo.pop()
        for name in supporting.property_references(imp.raw[key]):
            other = name.split(".")[0]
            named = [p for p in (imp.parts.get(name), imp.parts.get(other)) if p and len(p) > 1]
            if other in imp.types and other not in kept and other not in imp.b.node_of and \
                    other not in imp.skipped and not named:
                kept[other] = f"{key} (kept) refers to it; kept as written"
                todo.append(other)


def _iam_used(imp: TemplateImport, key: str) -> bool:
    if key in imp.used_roles:
        return True
    roles = {k.split(".")[0] for k in tokens_in(imp.props.get(key, {}).get("Roles"))}
    return bool(roles & imp.used_roles)


def _keep_extra(imp: TemplateImport, key: str, rtype: str, why: str) -> None:
    """The resource as written (its references to parameters, conditions and other
    resources included: the exporters write those again)."""
    resource = imp.raw[key]
    properties = copy.deepcopy(resource.get("Properties") or {})
    if key in imp.outside_targets:  # the targets that are nodes are edges, written by the exporter
        properties["Targets"] = [t for t in as_list(properties.get("Targets"))
                                 if not supporting.is_rule_edge(imp, (t or {}).get("Arn"))]
    entry = {"logical_id": key, "type": rtype, "properties": properties}
    for attribute in ("Condition", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Metadata"):
        if attribute in resource:
            entry[attribute[0].lower() + re.sub(r"([A-Z])", r"_\1", attribute[1:]).lower()] = \
                copy.deepcopy(resource[attribute])
    imp.b.extras.append(entry)
    imp.b.note("extra", key, rtype, why)


# service -> the reader of a node's config from the resource's properties
CONFIG_READERS: dict[str, Callable[[TemplateImport, str, dict], dict]] = {
    "lambda": _lambda, "dynamodb": _table, "sqs": _queue, "sns": _topic, "kinesis": _stream, "s3": _bucket,
    "eventbridge": _bus, "step_functions": _state_machine, "api_gateway": _api,
}
