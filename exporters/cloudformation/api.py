"""API Gateway in CloudFormation: REST (v1) and HTTP (v2) APIs, Lambda proxy and direct
service integrations (SQS, Kinesis, Step Functions; DynamoDB on REST APIs only).

REST: RestApi + Resource per path segment + Method per route + Deployment + Stage (with
the account-level CloudWatch role API Gateway needs for access logs). HTTP: Api +
Integration + Route per route + an auto-deployed Stage.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from model.aws import checkov_skips as skips
from model.aws import iam, openapi_keys, wiring
from model.aws.authorisers import Authorisation, Authoriser, kept_authorisation
from model.aws.defaults import ACCESS_LOG_FORMAT
from model.aws.routes import Route, routes_of

from . import template as tpl
from .imported import imported_logical_ids, kept_resources
from .kept import add_kept_grants, renamed, source_names


def render_api(t: tpl.Template, api_id: str) -> None:
    cfg = t.config(api_id)
    credentials_grants = _kept_credentials_grants(t, api_id)
    if api_id in t.principals or credentials_grants:
        tpl.role(t, api_id)
        add_kept_grants(t, t.id(api_id, "Role"), credentials_grants)
    tpl.log_group(t, api_id)
    if cfg["api_type"] == "http":
        _render_http(t, api_id, cfg)
    else:
        _render_rest(t, api_id, cfg)
    t.output(api_id, "Url", tpl.sub("https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}/",
                                     Api=tpl.ref(t.id(api_id))), f"Base URL of {api_id}")


# --------------------------------------------------------------------------------------
# REST


def _render_rest(t: tpl.Template, api_id: str, cfg: dict) -> None:
    api = t.id(api_id)
    t.add(api, t.resource_type(api_id), {
        "Name": tpl.sub(t.physical_name(api_id)),
        "Description": f"{t.node(api_id).display_name} (Stratus design '{t.arch.name}')",
        "EndpointConfiguration": {"Types": ["REGIONAL"]},
        "Tags": tpl.tags(t),
    })
    methods = []
    for route in routes_of(t.arch, api_id):
        resource = _resource_for(t, api_id, route.parts)
        methods.append(_rest_method(t, api_id, route, resource, cfg))
    for kept in kept_operations(t, api_id):
        methods.append(_kept_rest_method(t, api_id, kept))
    if not methods and not _kept_resource_methods(t, api_id):  # a deployment needs a method: a mock health check
        methods.append(_mock_method(t, api_id))
    deployment = t.id(api_id, "Deployment")
    t.add(deployment, "AWS::ApiGateway::Deployment", {"RestApiId": tpl.ref(api), "Description": "Stratus export"},
          depends_on=methods)
    account = _cloudwatch_account(t)
    t.add(t.id(api_id, "Stage"), "AWS::ApiGateway::Stage", {
        "RestApiId": tpl.ref(api),
        "DeploymentId": tpl.ref(deployment),
        "StageName": tpl.ref("Stage"),
        "TracingEnabled": True,
        "AccessLogSetting": {"DestinationArn": tpl.getatt(t.id(api_id, "LogGroup"), "Arn"),
                             "Format": ACCESS_LOG_FORMAT},
        "MethodSettings": [{
            "ResourcePath": "/*", "HttpMethod": "*", "MetricsEnabled": True, "LoggingLevel": "ERROR",
            "DataTraceEnabled": False,
            "ThrottlingRateLimit": float(cfg["throttle_rate_rps"]),
            "ThrottlingBurstLimit": int(cfg["throttle_burst"]),
        }],
        "Tags": tpl.tags(t),
    }, depends_on=[account], skip=skips.REST_STAGE)


def _resource_for(t: tpl.Template, api_id: str, parts: list[str]) -> Any:
    """The Resource for a path, creating its parents first; the root for '/'."""
    if not parts:
        return tpl.getatt(t.id(api_id), "RootResourceId")
    parent = _resource_for(t, api_id, parts[:-1])
    logical_id = t.id(api_id, "Resource", *[p.strip("{}+") for p in parts], *(["Var"] if "{" in parts[-1] else []))
    if logical_id not in t.resources:
        t.add(logical_id, "AWS::ApiGateway::Resource", {
            "RestApiId": tpl.ref(t.id(api_id)), "ParentId": parent, "PathPart": parts[-1]})
    return tpl.ref(logical_id)


def _rest_method(t: tpl.Template, api_id: str, route: Route, resource: Any, cfg: dict) -> str:
    logical_id = t.id(api_id, "Method", route.method, *route.words or ["Root"])
    integration = _integration(t, api_id, route)
    integration["TimeoutInMillis"] = wiring.integration_timeout_ms(cfg)
    properties: dict[str, Any] = {
        "RestApiId": tpl.ref(t.id(api_id)), "ResourceId": resource, "HttpMethod": route.method,
        "AuthorizationType": "NONE", "Integration": integration,
    }
    if route.path_params:
        properties["RequestParameters"] = {f"method.request.path.{p}": True for p in route.path_params}
    if integration["Type"] != "AWS_PROXY":  # the service's answer maps to the client's
        properties["MethodResponses"] = [{"StatusCode": "200"}]
    t.add(logical_id, "AWS::ApiGateway::Method", properties, skip=skips.REST_METHOD)
    return logical_id


def _kept_resource_methods(t: tpl.Template, api_id: str) -> bool:
    """Whether methods an import kept as written (kept.py) hang on this API."""
    source = imported_logical_ids(t.arch).get(api_id)
    return source is not None and any(
        e["type"] == "AWS::ApiGateway::Method" and (e.get("properties") or {}).get("RestApiId") == {"Ref": source}
        for e in kept_resources(t.arch))


def _mock_method(t: tpl.Template, api_id: str) -> str:
    logical_id = t.id(api_id, "Method", "Health")
    t.add(logical_id, "AWS::ApiGateway::Method", {
        "RestApiId": tpl.ref(t.id(api_id)), "ResourceId": tpl.getatt(t.id(api_id), "RootResourceId"),
        "HttpMethod": "GET", "AuthorizationType": "NONE",
        "Integration": {"Type": "MOCK", "RequestTemplates": {"application/json": '{"statusCode": 200}'},
                        "IntegrationResponses": [{"StatusCode": "200"}]},
        "MethodResponses": [{"StatusCode": "200"}],
    }, skip=skips.REST_METHOD)
    return logical_id


def _integration(t: tpl.Template, api_id: str, route: Route) -> dict:
    """The method's integration: wiring's facts for the target in CloudFormation syntax."""
    target = route.edge.target
    wired = wiring.rest_integration(t.arch, route.edge, route.method, route.path_params)
    uri = _text(t, target, wiring.Text("arn:${AWS::Partition}:apigateway:${AWS::Region}:" + wired.uri.text,
                                       wired.uri.variables))
    if wired.proxy:
        return {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": uri}
    integration: dict[str, Any] = {
        "Type": "AWS", "IntegrationHttpMethod": "POST", "Uri": uri,
        "Credentials": tpl.getatt(t.id(api_id, "Role"), "Arn"),
        "PassthroughBehavior": "NEVER",
        "RequestTemplates": {"application/json": _text(t, target, wired.template)},
        "IntegrationResponses": [{"StatusCode": "200"}],
    }
    if wired.content_type:
        integration["RequestParameters"] = {"integration.request.header.Content-Type": f"'{wired.content_type}'"}
    return integration


def _text(t: tpl.Template, target: str, text: wiring.Text) -> Any:
    """Fn::Sub when the text names the target (or an AWS pseudo parameter), else the text as is."""
    if text.variables or "${AWS::" in text.text:
        return tpl.sub(text.text, **{var: t.attribute(target, attr) for var, attr in text.variables.items()})
    return text.text


def _cloudwatch_account(t: tpl.Template) -> str:
    """API Gateway writes REST access logs through one account-level role (once per template)."""
    account = t.names.name("api_gateway", "Account")
    if account in t.resources:
        return account
    role = t.names.name("api_gateway", "CloudWatchRole")
    t.add(role, "AWS::IAM::Role", {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": iam.service_principal("api_gateway")},
            "Action": "sts:AssumeRole"}]},
        "ManagedPolicyArns": [tpl.sub("arn:${AWS::Partition}:iam::aws:policy/service-role/"
                                       "AmazonAPIGatewayPushToCloudWatchLogs")],
    })
    t.add(account, "AWS::ApiGateway::Account", {"CloudWatchRoleArn": tpl.getatt(role, "Arn")})
    return account


# --------------------------------------------------------------------------------------
# HTTP


def _render_http(t: tpl.Template, api_id: str, cfg: dict) -> None:
    api = t.id(api_id)
    t.add(api, t.resource_type(api_id), {
        "Name": tpl.sub(t.physical_name(api_id)), "ProtocolType": "HTTP",
        "Description": f"{t.node(api_id).display_name} (Stratus design '{t.arch.name}')",
    })
    for route in routes_of(t.arch, api_id):
        integration = t.id(api_id, "Integration", route.edge.target)
        if integration not in t.resources:
            t.add(integration, "AWS::ApiGatewayV2::Integration", _http_integration(t, api_id, route, cfg))
        t.add(t.id(api_id, "Route", route.method, *route.words or ["Root"]),
              "AWS::ApiGatewayV2::Route", {
                  "ApiId": tpl.ref(api), "RouteKey": route.http_route_key, "AuthorizationType": "NONE",
                  "Target": tpl.sub("integrations/${Integration}", Integration=tpl.ref(integration))},
              skip=skips.HTTP_ROUTE)
    for kept in kept_operations(t, api_id):
        _kept_http_route(t, api_id, kept)
    t.add(t.id(api_id, "Stage"), "AWS::ApiGatewayV2::Stage", {
        "ApiId": tpl.ref(api), "StageName": tpl.ref("Stage"), "AutoDeploy": True,
        "AccessLogSettings": {"DestinationArn": tpl.getatt(t.id(api_id, "LogGroup"), "Arn"),
                              "Format": ACCESS_LOG_FORMAT},
        "DefaultRouteSettings": {"ThrottlingRateLimit": float(cfg["throttle_rate_rps"]),
                                 "ThrottlingBurstLimit": int(cfg["throttle_burst"]),
                                 "DetailedMetricsEnabled": True},
    })


def _http_integration(t: tpl.Template, api_id: str, route: Route, cfg: dict) -> dict:
    target = route.edge.target
    wired = wiring.http_integration(t.arch, route.edge)
    timeout = wiring.integration_timeout_ms(cfg)
    if wired.subtype is None:
        return {"ApiId": tpl.ref(t.id(api_id)), "IntegrationType": "AWS_PROXY",
                "IntegrationUri": t.function_target(target), "PayloadFormatVersion": wired.payload_format,
                "TimeoutInMillis": timeout}
    params = {k: t.attribute(target, v.name) if isinstance(v, wiring.Attribute) else v
              for k, v in wired.parameters.items()}
    return {"ApiId": tpl.ref(t.id(api_id)), "IntegrationType": "AWS_PROXY", "IntegrationSubtype": wired.subtype,
            "CredentialsArn": tpl.getatt(t.id(api_id, "Role"), "Arn"), "PayloadFormatVersion": wired.payload_format,
            "RequestParameters": params, "TimeoutInMillis": timeout}


# --------------------------------------------------------------------------------------
# OpenAPI operations an import kept (integrations with services outside the design;
# their keys' property names: model/aws/openapi_keys.py)


class KeptOperation(NamedTuple):
    route: Route  # without an edge
    operation: dict  # the OpenAPI operation as written, renamed to the export's ids
    authorisation: dict  # {security, security_schemes, auth} (see openapi._authorisation), renamed


def kept_operations(t: tpl.Template, api_id: str) -> list[KeptOperation]:
    """The operations an import kept on this API (importers/cloudformation/openapi.py),
    their references renamed to the export's ids."""
    cfn = t.node(api_id).extra.get("cfn")
    kept = cfn.get("kept_operations") if isinstance(cfn, dict) else None
    out = []
    source = source_names(t)
    for item in kept if isinstance(kept, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("operation"), dict):
            continue
        names = source
        if item.get("credentials_role"):  # mapped into the API's role
            names = {**source, str(item["credentials_role"]): t.id(api_id, "Role")}
        authorisation = {k: item[k] for k in ("security", "security_schemes", "auth", "sam_authorisers")
                         if k in item}
        out.append(KeptOperation(Route(None, str(item.get("method")), str(item.get("path"))),
                                 renamed(item["operation"], names), renamed(authorisation, names)))
    return out


def _kept_credentials_grants(t: tpl.Template, api_id: str) -> dict:
    """What the API's role must grant for kept operations whose credentials it stands for
    (importers/cloudformation/openapi.py), all operations' together."""
    cfn = t.node(api_id).extra.get("cfn")
    kept = cfn.get("kept_operations") if isinstance(cfn, dict) else None
    merged: dict[str, list] = {"statements": [], "derived": []}
    for item in kept if isinstance(kept, list) else []:
        if isinstance(item, dict) and item.get("credentials_role") and isinstance(item.get("grants"), dict):
            for key, grants in merged.items():
                for grant in item["grants"].get(key) or []:
                    if grant not in grants:  # one role statement shared by several operations
                        grants.append(grant)
    return merged if any(merged.values()) else {}


def _kept_integration(operation: dict, keys: dict[str, str]) -> dict:
    written = operation.get("x-amazon-apigateway-integration") or {}
    out = {keys[k]: v for k, v in written.items() if k in keys}
    for name in openapi_keys.UPPER_CASE_VALUES:
        if isinstance(out.get(name), str):
            out[name] = out[name].upper()
    return _substituted(out)


def _kept_rest_method(t: tpl.Template, api_id: str, kept: KeptOperation) -> str:
    route, operation = kept.route, kept.operation
    integration = _kept_integration(operation, openapi_keys.REST_INTEGRATION)
    responses = (operation.get("x-amazon-apigateway-integration") or {}).get("responses") or {}
    integration["IntegrationResponses"] = [
        {"StatusCode": str(r.get("statusCode", "200")), **({"SelectionPattern": p} if p != "default" else {}),
         **({"ResponseTemplates": r["responseTemplates"]} if r.get("responseTemplates") else {}),
         **({"ResponseParameters": r["responseParameters"]} if r.get("responseParameters") else {})}
        for p, r in responses.items() if isinstance(r, dict)]
    properties: dict[str, Any] = {
        "RestApiId": tpl.ref(t.id(api_id)), "ResourceId": _resource_for(t, api_id, route.parts),
        "HttpMethod": route.method, "Integration": integration,
        "MethodResponses": [{"StatusCode": str(code)} for code in operation.get("responses") or {}
                            if str(code).isdigit()],
        **_kept_authorisation(t, api_id, kept.authorisation, http=False),
    }
    parameters = {f"method.request.{openapi_keys.PARAMETER_PLACES[p['in']]}.{p['name']}": bool(p.get("required"))
                  for p in operation.get("parameters") or [] if isinstance(p, dict) and p.get("in") in openapi_keys.PARAMETER_PLACES}
    parameters.update({f"method.request.path.{p}": True for p in route.path_params})
    if parameters:
        properties["RequestParameters"] = parameters
    logical_id = t.id(api_id, "Method", route.method, *route.words or ["Root"])
    t.add(logical_id, "AWS::ApiGateway::Method", properties, skip=_skips(skips.REST_METHOD, properties))
    return logical_id


def _skips(skip: list, properties: dict) -> list:
    """A kept method's or route's checkov skips; 'no authoriser' only where it has none."""
    return skip if properties["AuthorizationType"] == "NONE" else [s for s in skip if s[0] not in skips.NO_AUTHORISER]


def _kept_http_route(t: tpl.Template, api_id: str, kept: KeptOperation) -> None:
    route, operation = kept.route, kept.operation
    integration = t.id(api_id, "Integration", route.method, *route.words or ["Root"])
    t.add(integration, "AWS::ApiGatewayV2::Integration",
          {"ApiId": tpl.ref(t.id(api_id)), **_kept_integration(operation, openapi_keys.HTTP_INTEGRATION)})
    properties = {"ApiId": tpl.ref(t.id(api_id)), "RouteKey": route.http_route_key,
                  "Target": tpl.sub("integrations/${Integration}", Integration=tpl.ref(integration)),
                  **_kept_authorisation(t, api_id, kept.authorisation, http=True)}
    t.add(t.id(api_id, "Route", route.method, *route.words or ["Root"]), "AWS::ApiGatewayV2::Route", properties,
          skip=_skips(skips.HTTP_ROUTE, properties))


# --------------------------------------------------------------------------------------
# A kept operation's authoriser (its OpenAPI security scheme) as an Authorizer resource



def _kept_authorisation(t: tpl.Template, api_id: str, authorisation: dict, http: bool) -> dict:
    """The Method's (http=False) or Route's authorisation properties for a kept operation
    (model/aws/authorisers.py), its authoriser written once per API."""
    found = kept_authorisation(authorisation, http)
    out: dict[str, Any] = {"AuthorizationType": found.type}
    if found.authoriser is not None:
        authorizer = (_http_authorizer if http else _rest_authorizer)(t, api_id, found)
        out["AuthorizerId"] = tpl.ref(authorizer)
        if found.authoriser.name in (authorisation.get("sam_authorisers") or ()):
            _sam_authoriser_permission(t, api_id, found.authoriser, authorizer)
    if found.scopes:
        out["AuthorizationScopes"] = list(found.scopes)
    if found.api_key_required:
        out["ApiKeyRequired"] = True
    return out


def _rest_authorizer(t: tpl.Template, api_id: str, found: Authorisation) -> str:
    authoriser = found.authoriser
    assert authoriser is not None
    logical_id = t.id(api_id, "Authorizer", authoriser.name)
    if logical_id not in t.resources:
        properties = {"RestApiId": tpl.ref(t.id(api_id)), "Name": authoriser.name, "Type": authoriser.type,
                      **_substituted({openapi_keys.REST_AUTHORIZER[k]: v for k, v in authoriser.settings.items()
                                      if k in openapi_keys.REST_AUTHORIZER})}
        source = authoriser.identity_source(found.header)
        if source is not None:
            properties["IdentitySource"] = source
        t.add(logical_id, "AWS::ApiGateway::Authorizer", properties)
    return logical_id


def _http_authorizer(t: tpl.Template, api_id: str, found: Authorisation) -> str:
    authoriser = found.authoriser
    assert authoriser is not None
    logical_id = t.id(api_id, "Authorizer", authoriser.name)
    if logical_id not in t.resources:
        properties = {"ApiId": tpl.ref(t.id(api_id)), "Name": authoriser.name, "AuthorizerType": authoriser.type,
                      **_substituted({openapi_keys.HTTP_AUTHORIZER[k]: v for k, v in authoriser.settings.items()
                                      if k in openapi_keys.HTTP_AUTHORIZER})}
        if authoriser.identity_sources():
            properties["IdentitySource"] = authoriser.identity_sources()
        jwt = authoriser.settings.get("jwtConfiguration")
        if isinstance(jwt, dict):
            properties["JwtConfiguration"] = {key: jwt[k] for k, key in (("audience", "Audience"), ("issuer", "Issuer"))
                                              if k in jwt}
        t.add(logical_id, "AWS::ApiGatewayV2::Authorizer", properties)
    return logical_id


def _sam_authoriser_permission(t: tpl.Template, api_id: str, authoriser: Authoriser, authorizer: str) -> None:
    """API Gateway calls a Lambda authoriser with a permission, which SAM made for the
    authorisers of an API's `Auth`: written for the function of the design its uri names."""
    named: set[str] = set()
    _names_in(authoriser.settings.get("authorizerUri"), named)
    fn = next((n for n in t.arch.nodes if t.node(n).service == "lambda" and t.id(n) in named), None)
    logical_id = t.id(api_id, "Authorizer", authoriser.name, "Permission")
    if fn is None or logical_id in t.resources:
        return
    t.add(logical_id, "AWS::Lambda::Permission", {
        "Action": "lambda:InvokeFunction", "FunctionName": t.function_target(fn),
        "Principal": iam.service_principal("api_gateway"),
        "SourceArn": tpl.sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/authorizers/"
                             "${Authorizer}", Api=tpl.ref(t.id(api_id)), Authorizer=tpl.ref(authorizer))})


def _names_in(value: Any, found: set) -> None:
    """The logical ids a value's Ref, Fn::GetAtt and Fn::Sub name."""
    if isinstance(value, list):
        for v in value:
            _names_in(v, found)
    elif isinstance(value, dict):
        for key, arg in value.items():
            if key == "Ref" and isinstance(arg, str):
                found.add(arg)
            elif key == "Fn::GetAtt":
                found.add((arg.split(".")[0] if isinstance(arg, str) else str(arg[0])) if arg else "")
            elif key == "Fn::Sub":
                text = arg[0] if isinstance(arg, list) and arg else arg
                if isinstance(text, str):
                    found.update(re.findall(r"\$\{([A-Za-z0-9]+)", text))
            _names_in(arg, found)


def _substituted(properties: dict) -> dict:
    """Text with ${AWS::Region}... from a document (as the import read it) as Fn::Sub."""
    return {k: {"Fn::Sub": v} if isinstance(v, str) and "${" in v else v for k, v in properties.items()}
