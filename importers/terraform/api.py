"""API Gateway routes -> edges: REST API integrations (method and path read from the
method and the resource tree), HTTP API integrations and routes, an HTTP API's
quick-create target, Lambda proxy and direct service integrations (`...:apigateway:...`
URIs, HTTP API integration subtypes); stage and method settings as throttling, and the
longest integration timeout as the API's timeout.
"""

from __future__ import annotations

import re
from typing import Any

from importers.base import as_int, route_config, strip_tokens, token, tokens_in
from importers.terraform.modules import Resource, address_of, first_block
from importers.terraform.state import TerraformImport
from importers.terraform.types import HTTP_METHODS
from model.catalogue import edge_rule


def wire_v1_integration(imp: TerraformImport, res: Resource) -> None:
    v = res.values
    api = imp.b.node_for(v.get("rest_api_id"), "api_gateway")
    if api is None:
        return
    route = {"method": _method_name(imp, res, v.get("http_method", "ANY")), "path": _path(imp, v.get("resource_id"))}
    _integrate(imp, res, api, v.get("uri"), v, route)


def _method_name(imp: TerraformImport, res: Resource, method: Any) -> str:
    text = str(_attribute(imp, method)).upper()
    if text == "*":
        return "ANY"
    if text not in HTTP_METHODS:
        imp.b.note("note", res.address, res.tf_type, f"HTTP method {strip_tokens(str(method))} is not one "
                   "Stratus models (or could not be evaluated); the route is imported as ANY", "warning")
        return "ANY"
    return text


def _path(imp: TerraformImport, ref: Any) -> str:
    parts, keys, seen = [], tokens_in(ref), set()
    while keys and address_of(keys[0]) in imp.resources and keys[0] not in seen:
        seen.add(keys[0])
        values = imp.resources[address_of(keys[0])].values
        if "path_part" not in values:
            break
        parts.insert(0, str(values["path_part"]))
        keys = tokens_in(values.get("parent_id"))
    return "/" + "/".join(parts)


def _integrate(imp: TerraformImport, res: Resource, api: str, uri: Any, v: dict, route: dict) -> None:
    target = imp.b.node_for(uri, ("lambda", "step_functions", "sqs", "kinesis", "dynamodb")) if uri else None
    config = route_config(route)
    text = strip_tokens(str(uri or ""))
    match = re.search(r":apigateway:[^:]*:([a-z]+):(action|path)/(.+)$", text)
    if target is None and match:
        service = {"sqs": "sqs", "kinesis": "kinesis", "dynamodb": "dynamodb", "states": "step_functions"}.get(match.group(1))
        evidence = [v.get("request_templates"), v.get("request_parameters")]
        target = next((n for k in tokens_in(evidence) if (n := imp.b.node_for(token(k), service))), None)
        if match.group(1) == "dynamodb":
            config["action"] = "read" if match.group(3).lower() in ("getitem", "query", "scan") else "write"
    for role in tokens_in(v.get("credentials") or v.get("credentials_arn")):
        imp.used_roles.add(address_of(role))
    _api_timeout(imp, api, v.get("timeout_milliseconds"), res)
    if target is None or edge_rule("api_gateway", imp.b.arch.nodes[target].service) is None:
        if v.get("type") not in ("MOCK", "HTTP", "HTTP_PROXY"):
            imp.kept_as_written[res.address] = f"integration {text} reaches nothing the design models: kept as written"
        return
    imp.b.add_edge(api, target, None, config, f"{route['method']} {route['path']} integration",
                   res.address, res.tf_type)


def wire_v2_api(imp: TerraformImport, res: Resource) -> None:
    if res.values.get("target"):
        _integrate(imp, res, imp.b.node_of[res.address], res.values["target"], {}, {"method": "ANY", "path": "/"})


def wire_v2_integration(imp: TerraformImport, res: Resource) -> None:
    v = res.values
    api = imp.b.node_for(v.get("api_id"), "api_gateway")
    if api is None:
        return
    route = {"method": "ANY", "path": "/"}
    for other in imp.resources.values():
        if other.tf_type == "aws_apigatewayv2_route" and \
                res.address in map(address_of, tokens_in(other.values.get("target"))):
            method, _, path = str(other.values.get("route_key", "ANY /")).partition(" ")
            route = {"method": method.upper() if method.upper() in HTTP_METHODS else "ANY", "path": path or "/"}
    subtype = v.get("integration_subtype")
    if subtype:
        service = {"SQS": "sqs", "Kinesis": "kinesis", "StepFunctions": "step_functions"}.get(str(subtype).split("-")[0])
        params = v.get("request_parameters") or {}
        target = next((n for val in params.values() if (n := imp.b.node_for(val, service))), None)
        if target is None or edge_rule("api_gateway", imp.b.arch.nodes[target].service) is None:
            imp.kept_as_written[res.address] = f"{subtype} integration reaches nothing the design models: kept as written"
            return
        for role in tokens_in(v.get("credentials_arn")):
            imp.used_roles.add(address_of(role))
        _api_timeout(imp, api, v.get("timeout_milliseconds"), res)
        imp.b.add_edge(api, target, None, route_config(route), f"{subtype} integration", res.address, res.tf_type)
        return
    _integrate(imp, res, api, v.get("integration_uri"), v, route)


def wire_throttling(imp: TerraformImport, res: Resource) -> None:
    v = res.values
    api = imp.b.node_for(v.get("rest_api_id") or v.get("api_id"), "api_gateway")
    settings = first_block(v.get("settings") or v.get("default_route_settings"))
    throttle = {}
    if isinstance(settings.get("throttling_rate_limit"), (int, float)):
        throttle["throttle_rate_rps"] = float(settings["throttling_rate_limit"])
    if as_int(settings.get("throttling_burst_limit")) is not None:
        throttle["throttle_burst"] = as_int(settings["throttling_burst_limit"])
    if api and throttle:
        imp.b.arch.nodes[api].config.update(imp.b._checked_config(res.address, res.tf_type, "api_gateway", throttle))


def _api_timeout(imp: TerraformImport, api: str, timeout: Any, res: Resource) -> None:
    value = as_int(timeout)
    if value is not None and value > imp.api_timeouts.get(api, (-1, None))[0]:
        imp.api_timeouts[api] = (value, res)


def apply_api_timeouts(imp: TerraformImport) -> None:
    """The API's timeout_ms: the longest integration timeout (each integration sets its own)."""
    for api, (timeout, res) in imp.api_timeouts.items():
        imp.b.arch.nodes[api].config.update(
            imp.b._checked_config(res.address, res.tf_type, "api_gateway", {"timeout_ms": timeout}))


def _attribute(imp: TerraformImport, value: Any) -> Any:
    """A reference to another resource's own argument (`aws_api_gateway_method.m.http_method`)
    replaced by that argument's value; anything else unchanged."""
    keys = tokens_in(value)
    if not isinstance(value, str) or len(keys) != 1 or value != token(keys[0]):
        return value
    address = address_of(keys[0])
    rest = keys[0][len(address) + 1:]
    res = imp.resources.get(address)
    if res is None or not rest or "." in rest or rest not in res.values:
        return value
    return res.values[rest]
