"""API Gateway routes -> edges: REST API Methods (their path walked up the Resource tree),
HTTP API Integrations and Routes, an HTTP API's quick-create Target, Lambda proxy and
direct service integrations (`...:apigateway:<region>:<service>:action/...` URIs and HTTP
API integration subtypes). Also what stages and usage plans say: throttling, and the
longest integration timeout as the API's timeout. OpenAPI definitions reach the same
integration readers through `openapi`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from importers.base import as_int, as_list, route_config, strip_tokens, token, tokens_in
from importers.cloudformation.properties import throttle_config
from importers.cloudformation.state import TemplateImport
from importers.cloudformation.types import HTTP_METHODS, OPENAPI_SOURCES, SUBTYPE_SERVICES
from model.catalogue import edge_rule


def wire_method(imp: TemplateImport, key: str, props: dict) -> None:
    api = imp.b.node_for(props.get("RestApiId"), "api_gateway")
    integration = props.get("Integration") or {}
    if api is None:
        imp.b.warn(key, imp.types[key], "API is not in the template")
        return
    route = {"method": _method_name(imp, key, props.get("HttpMethod", "ANY")),
             "path": _path(imp, props.get("ResourceId"))}
    add_integration_edge(imp, key, api, integration.get("Uri"), integration, route)


def _method_name(imp: TemplateImport, key: str, method: Any) -> str:
    text = str(method).upper()
    if text == "*":
        return "ANY"
    if text not in HTTP_METHODS:
        imp.b.note("note", key, imp.types[key], f"HTTP method {strip_tokens(str(method))} is not one Stratus "
                   "models; the route is imported as ANY", "warning")
        return "ANY"
    return text


def _path(imp: TemplateImport, resource_ref: Any) -> str:
    parts = []
    keys = tokens_in(resource_ref)
    seen = set()
    while keys and keys[0] in imp.props and keys[0] not in seen:
        seen.add(keys[0])
        props = imp.props[keys[0]]
        parts.insert(0, str(props.get("PathPart", "")))
        keys = tokens_in(props.get("ParentId"))
        if keys and keys[0].endswith(".RootResourceId"):
            break
    return "/" + "/".join(parts)


def add_integration_edge(imp: TemplateImport, key: str, api: str, uri: Any, integration: dict, route: dict,
                         origin: str = "") -> bool:
    """The edge an API integration makes (Lambda proxy or a direct service action),
    whether it comes from a Method, a V2 Integration or an OpenAPI definition. False when
    an OpenAPI operation reaches nothing the design models (the caller keeps it whole)."""
    rtype = imp.types[key]
    target = imp.b.node_for(uri, ("lambda", "step_functions", "sqs", "kinesis", "dynamodb")) if uri else None
    text = strip_tokens(str(uri or ""))
    config = route_config(route)
    match = re.search(r":apigateway:[^:]*:([a-z]+):(action|path)/(.+)$", text)
    if target is None and match:
        service, action = match.group(1), match.group(3)
        target = _service_integration_target(imp, service, action, integration, text)
        if service == "dynamodb":
            config["action"] = "read" if action.lower() in ("getitem", "query", "scan", "batchgetitem") else "write"
    what = f"{origin}{route['method']} {route['path']}: integration {text or integration.get('Type')}"
    if (target is None or not _allowed(imp, target)) and rtype in RESOURCE_INTEGRATIONS:
        imp.kept_as_written[key] = f"{what} reaches nothing the design models: kept as written"
        return True
    if (target is None or not _allowed(imp, target)) and rtype in OPENAPI_SOURCES \
            and integration.get("Type") not in ("MOCK", "HTTP", "HTTP_PROXY", None):
        return False
    if target is None:
        if integration.get("Type") not in ("MOCK", "HTTP", "HTTP_PROXY", None):
            imp.b.warn(key, rtype, f"{what} reaches no node of the design")
        return True
    imp.use_roles(integration.get("Credentials") or integration.get("CredentialsArn"), api)
    _api_timeout(imp, api, integration.get("TimeoutInMillis"), key)
    imp.b.add_edge(api, target, None, config, f"{origin}{route['method']} {route['path']} integration",
                   key, rtype)
    return True


def _service_integration_target(imp: TemplateImport, service: str, action: str, integration: dict,
                                uri: str) -> str | None:
    node_service = {"sqs": "sqs", "kinesis": "kinesis", "dynamodb": "dynamodb", "states": "step_functions",
                    "sns": "sns", "events": "eventbridge"}.get(service)
    if node_service is None:
        return None
    if service == "sqs" and "/" in action and not action.startswith("SendMessage"):
        return imp.b.node_by_name(action.rsplit("/", 1)[1], ("sqs",))
    raw_evidence = [integration.get("RequestTemplates"), integration.get("RequestParameters")]
    evidence = json.dumps(raw_evidence, default=str, ensure_ascii=False)
    for key in tokens_in(raw_evidence):
        node = imp.b.node_for(token(key), node_service)
        if node:
            return node
    for name in re.findall(r'(?:TableName|StreamName|QueueUrl|stateMachineArn)\\*"\s*:\s*\\*"([^"\\]+)', evidence):
        node = imp.b.node_by_name(name, (node_service,))
        if node:
            return node
    candidates = [n.id for n in imp.b.arch.nodes.values() if n.service == node_service]
    if len(candidates) == 1:
        imp.b.note("note", "", "", f"{service} integration {uri}: the template's only "
                   f"{node_service} '{candidates[0]}' is taken as its target", "warning")
        return candidates[0]
    return None


def wire_v2_api(imp: TemplateImport, key: str, props: dict) -> None:
    if props.get("Target"):
        add_integration_edge(imp, key, imp.b.node_of[key], props["Target"], {}, {"method": "ANY", "path": "/"})


def wire_v2_integration(imp: TemplateImport, key: str, props: dict) -> None:
    api = imp.b.node_for(props.get("ApiId"), "api_gateway")
    if api is None:
        imp.b.warn(key, imp.types[key], "API is not in the template")
        return
    route = _route_of(imp, key)
    if props.get("IntegrationSubtype"):
        add_subtype_integration_edge(imp, key, api, props, route)
        return
    add_integration_edge(imp, key, api, props.get("IntegrationUri"), props, route)


def add_subtype_integration_edge(imp: TemplateImport, key: str, api: str, props: dict, route: dict,
                                 origin: str = "") -> bool:
    """An HTTP API's direct service integration (IntegrationSubtype SQS-SendMessage...).
    False when an OpenAPI operation reaches nothing the design models."""
    subtype = str(props["IntegrationSubtype"])
    params = props.get("RequestParameters")
    service = SUBTYPE_SERVICES.get(subtype.split("-")[0])
    target = None
    for value in (params.values() if isinstance(params, dict) and service else ()):
        target = target or imp.b.node_for(value, service)
    where = f"{origin}{route['method']} {route['path']}: " if origin else ""
    if (target is None or not _allowed(imp, target)) and imp.types[key] in RESOURCE_INTEGRATIONS:
        imp.kept_as_written[key] = f"{where}{subtype} integration reaches nothing the design models: kept as written"
        return True
    if (target is None or not _allowed(imp, target)) and imp.types[key] in OPENAPI_SOURCES:
        return False
    if target is None:
        imp.b.warn(key, imp.types[key], f"{where}{subtype} integration reaches no node of the design")
        return True
    imp.use_roles(props.get("CredentialsArn") or props.get("Credentials"), api)
    _api_timeout(imp, api, props.get("TimeoutInMillis"), key)
    why = f"{origin}{route['method']} {route['path']}: {subtype} integration" if origin else f"{subtype} integration"
    imp.b.add_edge(api, target, None, route_config(route), why, key, imp.types[key])
    return True


# Integrations that are resources of their own (not operations of an OpenAPI document):
# one that reaches nothing the design models is kept as written, with its route.
RESOURCE_INTEGRATIONS = ("AWS::ApiGateway::Method", "AWS::ApiGatewayV2::Integration")


def _allowed(imp: TemplateImport, target: str) -> bool:
    return edge_rule("api_gateway", imp.b.arch.nodes[target].service) is not None


def _route_of(imp: TemplateImport, integration_key: str) -> dict:
    for key, props in imp.props.items():
        if imp.types[key] == "AWS::ApiGatewayV2::Route" and integration_key in tokens_in(props.get("Target")):
            method, _, path = str(props.get("RouteKey", "ANY /")).partition(" ")
            method = method.upper()
            return {"method": method if method in HTTP_METHODS else "ANY", "path": path or "/"}
    return {"method": "ANY", "path": "/"}


def apply_throttling(imp: TemplateImport) -> None:
    for key, props in imp.props.items():
        rtype = imp.types[key]
        if rtype == "AWS::ApiGateway::Stage":
            settings, ref = as_list(props.get("MethodSettings")), props.get("RestApiId")
        elif rtype == "AWS::ApiGatewayV2::Stage":
            settings, ref = [props.get("DefaultRouteSettings") or {}], props.get("ApiId")
        elif rtype == "AWS::ApiGateway::UsagePlan":
            settings = [{"ThrottlingRateLimit": (props.get("Throttle") or {}).get("RateLimit"),
                         "ThrottlingBurstLimit": (props.get("Throttle") or {}).get("BurstLimit")}]
            ref = [stage.get("ApiId") for stage in as_list(props.get("ApiStages")) if isinstance(stage, dict)]
        else:
            continue
        api = imp.b.node_for(ref, "api_gateway")
        throttle = {}
        for setting in settings:
            throttle.update(throttle_config(setting))
        if api and throttle:
            imp.b.arch.nodes[api].config.update(imp.b._checked_config(key, rtype, "api_gateway", throttle))


def _api_timeout(imp: TemplateImport, api: str, timeout: Any, key: str) -> None:
    value = as_int(timeout)
    if value is not None and value > imp.api_timeouts.get(api, (-1, ""))[0]:
        imp.api_timeouts[api] = (value, key)


def apply_api_timeouts(imp: TemplateImport) -> None:
    """The API's timeout_ms: the longest integration timeout (each integration sets its own)."""
    for api, (timeout, key) in imp.api_timeouts.items():
        imp.b.arch.nodes[api].config.update(
            imp.b._checked_config(key, imp.types.get(key, ""), "api_gateway", {"timeout_ms": timeout}))
