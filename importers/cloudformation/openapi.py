"""APIs defined by an OpenAPI (or Swagger) document -> edges: the document read from the
API's inline body (with `AWS::Include` transforms expanded from local files) or from a
local definition file, each operation's `x-amazon-apigateway-integration` (local `$ref`s
followed) turned into the edge a Method or Integration would make. A document in S3 cannot
be read offline and is reported.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from importers.base import strip_tokens, tokens_in
from importers.cloudformation import sam_auth
from importers.cloudformation.api import add_integration_edge, add_subtype_integration_edge
from importers.cloudformation.permissions import kept_wiring_grants, source_roles
from importers.cloudformation.state import TemplateImport
from importers.cloudformation.types import HTTP_METHODS, OPENAPI_SOURCES
from model.aws import integration_grants
from model.errors import StratusError

# OpenAPI operation key -> HTTP method (HEAD and OPTIONS are imported as ANY, with a note)
OPENAPI_METHODS = {"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE", "patch": "PATCH",
                   "head": "HEAD", "options": "OPTIONS", "x-amazon-apigateway-any-method": "ANY"}
# x-amazon-apigateway-integration key -> the Method/Integration property it stands for
OPENAPI_INTEGRATION_KEYS = {
    "type": "Type", "uri": "Uri", "httpMethod": "IntegrationHttpMethod", "credentials": "Credentials",
    "requestTemplates": "RequestTemplates", "requestParameters": "RequestParameters",
    "timeoutInMillis": "TimeoutInMillis", "integrationSubtype": "IntegrationSubtype",
}

_UNREADABLE = object()  # an included file that could not be read (already reported)


def wire_openapi(imp: TemplateImport) -> None:
    """Routes of the APIs defined by an OpenAPI (or Swagger) document: each operation's
    x-amazon-apigateway-integration becomes the edge a Method or Integration would."""
    for key, rtype in imp.types.items():
        if rtype in OPENAPI_SOURCES and key in imp.b.node_of and key not in imp.skipped:
            found = _openapi_definition(imp, key, *OPENAPI_SOURCES[rtype])
            if found is not None:
                _openapi_routes(imp, key, *found)
    for api, operations in imp.kept_operations.items():
        for kept in operations:
            _credentials_grants(imp, api, kept)
        imp.b.arch.nodes[api].extra["cfn"]["kept_operations"] = operations


def _openapi_definition(imp: TemplateImport, key: str, body_prop: str,
                        location_prop: str) -> tuple[Any, str, Any] | None:
    """(definition, where it came from, the definition as written), or None (nothing to
    read, or reported)."""
    rtype, lost = imp.types[key], "its routes are not imported"
    body = (imp.raw[key].get("Properties") or {}).get(body_prop)
    if body is not None:
        body = _expand_includes(imp, key, body, body_prop)
        if body is _UNREADABLE:
            return None
        if isinstance(body, str):
            try:
                body = json.loads(body)
            except ValueError as exc:
                imp.b.warn(key, rtype, f"{body_prop} is text but not JSON ({exc}); {lost}")
                return None
        return _resolve_definition(imp, key, body, body_prop), body_prop, body
    location = imp.props[key].get(location_prop)
    if location is None:
        return None
    if isinstance(location, str) and not location.startswith("s3://") and not tokens_in(location):
        definition = imp.definition_file(key, location, location_prop, "OpenAPI definition", lost)
        if definition is None:
            return None
        return _resolve_definition(imp, key, definition, location), location, definition
    imp.b.warn(key, rtype, f"{location_prop} {_s3_text(location)}: the OpenAPI definition is in S3, which "
               f"cannot be read offline; {lost}")
    return None


def _expand_includes(imp: TemplateImport, key: str, value: Any, where: str) -> Any:
    """`Fn::Transform: AWS::Include` replaced by the local file it names; _UNREADABLE
    (reported) where the file is in S3, missing or not JSON/YAML."""
    if isinstance(value, list):
        return [v for v in (_expand_includes(imp, key, item, where) for item in value) if v is not _UNREADABLE]
    if not isinstance(value, dict):
        return value
    if set(value) != {"Fn::Transform"}:
        out = {k: _expand_includes(imp, key, v, f"{where}.{k}") for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not _UNREADABLE}
    transform = value["Fn::Transform"] if isinstance(value["Fn::Transform"], dict) else {}
    lost = "the part it includes is not imported"
    if transform.get("Name") != "AWS::Include":
        imp.b.warn(key, imp.types[key], f"{where}: Fn::Transform {transform.get('Name')!r} is not one Stratus "
                   f"reads (only AWS::Include); {lost}")
        return _UNREADABLE
    location = imp.resolver.resolve((transform.get("Parameters") or {}).get("Location"))
    if not isinstance(location, str) or location.startswith("s3://") or tokens_in(location):
        imp.b.warn(key, imp.types[key], f"{where}: AWS::Include Location {_s3_text(location)} is in S3, "
                   f"which cannot be read offline; {lost}")
        return _UNREADABLE
    included = imp.definition_file(key, location, "AWS::Include Location", "included snippet", lost)
    return _UNREADABLE if included is None else _expand_includes(imp, key, included, location)


def _resolve_definition(imp: TemplateImport, key: str, definition: Any, where: str) -> Any:
    try:
        return imp.resolver.resolve(definition)
    except StratusError as exc:  # an intrinsic in the definition that cannot be evaluated
        imp.b.warn(key, imp.types[key], f"{where}: {exc}; intrinsics there are left as written")
        return definition


def _openapi_routes(imp: TemplateImport, key: str, definition: Any, where: str, written: Any) -> None:
    rtype = imp.types[key]
    paths = definition.get("paths") if isinstance(definition, dict) else None
    if not isinstance(paths, dict):
        problem = "is not an OpenAPI document" if not isinstance(definition, dict) else \
            "has no paths" if paths is None else "has a 'paths' that is not a mapping"
        imp.b.warn(key, rtype, f"{where} {problem}; no routes imported")
        return
    for path, item in paths.items():
        if not isinstance(item, dict):
            imp.b.warn(key, rtype, f"{where}: path {path} is not a mapping of operations; no edge")
            continue
        for name, operation in item.items():
            method = OPENAPI_METHODS.get(str(name).lower())
            if method is not None and not _openapi_operation(imp, key, definition, str(path), method, operation,
                                                             where):
                _keep_operation(imp, key, written, path, name, method, where)


def _openapi_operation(imp: TemplateImport, key: str, definition: dict, path: str, method: str, operation: Any,
                       where: str) -> bool:
    """The edge of one operation; False when its integration reaches nothing the design
    models (a service action on S3, SES, EventBridge...), so that it is kept whole."""
    rtype, api = imp.types[key], imp.b.node_of[key]
    route_text = f"{where}: {method} {path}"
    integration = operation.get("x-amazon-apigateway-integration") if isinstance(operation, dict) else None
    integration = _follow_ref(definition, integration)
    if integration is None:
        if (api, method, path) not in imp.event_routes:  # SAM fills those in from the function's event
            imp.b.warn(key, rtype, f"{route_text}: no x-amazon-apigateway-integration; no edge")
        return True
    if not isinstance(integration, dict):
        imp.b.warn(key, rtype, f"{route_text}: x-amazon-apigateway-integration is not a mapping; no edge")
        return True
    cfn = {OPENAPI_INTEGRATION_KEYS[k]: v for k, v in integration.items() if k in OPENAPI_INTEGRATION_KEYS}
    kind = str(cfn.get("Type", "")).upper()
    cfn["Type"] = kind
    if isinstance(cfn.get("Uri"), str) and "${" in cfn["Uri"]:  # a file's text, never through Fn::Sub
        cfn["Uri"] = _resolve_definition(imp, key, {"Fn::Sub": cfn["Uri"]}, route_text)
    if kind not in ("AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"):
        imp.b.warn(key, rtype, f"{route_text}: integration type {integration.get('type')!r} is not one "
                   "API Gateway knows; no edge")
        return True
    if kind in ("HTTP", "HTTP_PROXY", "MOCK"):
        backend = "answered by API Gateway itself" if kind == "MOCK" else \
            f"an HTTP backend outside the design ({strip_tokens(str(cfn.get('Uri')))})"
        imp.b.note("note", key, rtype, f"{route_text}: {kind.lower()} integration, {backend}; no edge")
        return True
    if method not in HTTP_METHODS:
        imp.b.note("note", key, rtype, f"{route_text}: HTTP method {method} is not one Stratus models; "
                   "the route is imported as ANY", "warning")
    route = {"method": method if method in HTTP_METHODS else "ANY", "path": path}
    if cfn.get("IntegrationSubtype"):
        return add_subtype_integration_edge(imp, key, api, cfn, route, f"{where}: ")
    if not cfn.get("Uri"):
        imp.b.warn(key, rtype, f"{route_text}: {kind.lower()} integration without a uri; no edge")
        return True
    return add_integration_edge(imp, key, api, cfn["Uri"], cfn, route, f"{where}: ")


def _keep_operation(imp: TemplateImport, key: str, written: Any, path: Any, name: str, method: str,
                    where: str) -> None:
    """An operation whose integration is a service action outside the design, kept on the
    API node as written (its x-amazon-apigateway-integration's `$ref` followed): the
    exporter writes it beside the routes of the API's edges."""
    operation = ((written.get("paths") or {}).get(path) or {}).get(name) if isinstance(written, dict) else None
    if not isinstance(operation, dict):
        imp.b.warn(key, imp.types[key], f"{where}: {method} {path}: the operation could not be kept as written")
        return
    operation = dict(operation)
    integration = _follow_ref(written, operation.get("x-amazon-apigateway-integration"))
    integration = integration if isinstance(integration, dict) else {}
    operation["x-amazon-apigateway-integration"] = integration
    api = imp.b.node_of[key]
    kept = {"path": str(path), "method": method, "operation": copy.deepcopy(operation)}
    kept.update(_authorisation(written, operation, sam_auth.authorisation(imp.raw[key], imp.types[key])))
    imp.kept_operations.setdefault(api, []).append(kept)
    target = integration.get("uri") or integration.get("integrationSubtype")
    if isinstance(target, dict) and isinstance(target.get("Fn::Sub"), str):
        target = target["Fn::Sub"]
    imp.b.note("note", key, imp.types[key], f"{where}: {method} {path}: integration {strip_tokens(str(target))} "
               "reaches nothing the design models: the operation is kept as written", "warning")


def _credentials_grants(imp: TemplateImport, api: str, kept: dict) -> None:
    """A kept operation whose credentials are a role the design's edges already map (the
    API's integration role, shared with its modelled routes): the export points them at
    the API's role, which must go on granting what this integration calls."""
    integration = kept["operation"].get("x-amazon-apigateway-integration") or {}
    roles = [r for r in source_roles(imp, imp.resolver.resolve(integration.get("credentials")))
             if api in imp.role_users.get(r, ())]
    if not roles:
        return  # no role, or one kept as written with its own policies
    uri = strip_tokens(str(imp.resolver.resolve(integration.get("uri")) or ""))
    grants = integration_grants.api_integration_grants(uri, str(integration.get("httpMethod") or ""),
                                                       str(integration.get("integrationSubtype") or ""))
    why = f"{kept['method']} {kept['path']} integration {uri or integration.get('integrationSubtype')}"
    kept["credentials_role"] = roles[0]
    kept["grants"] = kept_wiring_grants(imp, roles, None, [(why, grants)])
    if not grants:
        imp.b.note("note", roles[0], imp.types[roles[0]], f"{why}: what it calls cannot be told from its uri, so "
                   "the API's exported role is given nothing for it: add what it needs", "warning")


def _authorisation(document: dict, operation: dict, sam: sam_auth.SamAuth) -> dict:
    """How a kept operation is authorised, for the exporter to write again: its security
    requirement (the document's default where it has none of its own, else SAM's
    DefaultAuthorizer) with the security schemes it names, as written (an authoriser in
    `x-amazon-apigateway-authorizer`, an API key, IAM; SAM's Auth.Authorizers as the schemes
    SAM adds to the document), and `x-amazon-apigateway-auth`. {} when it is open."""
    requirement = operation.get("security", document.get("security", sam.default))
    schemes = (document.get("components") or {}).get("securitySchemes") or document.get("securityDefinitions") or {}
    schemes = {**sam.schemes, **(schemes if isinstance(schemes, dict) else {})}
    out: dict[str, Any] = {}
    if isinstance(requirement, list) and requirement:
        out["security"] = copy.deepcopy(requirement)
        named = {name for entry in requirement if isinstance(entry, dict) for name in entry}
        out["security_schemes"] = {name: copy.deepcopy(scheme) for name, scheme in schemes.items()
                                   if name in named and isinstance(scheme, dict)}
    auth = operation.get("x-amazon-apigateway-auth", sam.auth)
    if isinstance(auth, dict):
        out["auth"] = copy.deepcopy(auth)
    if sam.schemes:
        out["sam_authorisers"] = sorted(sam.schemes)  # SAM made their invoke permission: the export writes it
    return out


def _s3_text(location: Any) -> str:
    """An S3 location as s3://bucket/key, whatever form the template gives it in."""
    if isinstance(location, dict):
        bucket, key = location.get("Bucket"), location.get("Key")
        return strip_tokens(f"s3://{bucket}/{key}") if bucket and key else strip_tokens(json.dumps(location, default=str))
    return strip_tokens(str(location))


def _follow_ref(definition: dict, value: Any) -> Any:
    """A local `$ref` (`#/components/x-amazon-apigateway-integrations/name`) followed."""
    seen = 0
    while isinstance(value, dict) and set(value) == {"$ref"} and str(value["$ref"]).startswith("#/") and seen < 10:
        seen += 1
        target: Any = definition
        for part in str(value["$ref"])[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        value = target
    return value
