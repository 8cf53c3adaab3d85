"""API Gateway in CloudFormation: REST (v1) and HTTP (v2) APIs, Lambda proxy and direct
service integrations (SQS, Kinesis, Step Functions; DynamoDB on REST APIs only).

REST: RestApi + Resource per path segment + Method per route + Deployment + Stage (with
the account-level CloudWatch role API Gateway needs for access logs). HTTP: Api +
Integration + Route per route + an auto-deployed Stage.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from model.architecture import Edge
from model.errors import StratusError

from model.aws import wiring
from . import render as r

ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId", "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime", "httpMethod": "$context.httpMethod",
    "routeKey": "$context.routeKey", "status": "$context.status",
    "responseLength": "$context.responseLength"}, sort_keys=True)
API_SKIPS_REST = [
    ("CKV_AWS_59", "The design models no authorizer; add a Cognito, IAM or Lambda authorizer before exposing it"),
    ("CKV_AWS_120", "Responses are per-request writes and reads; caching would serve stale data and is a cost"),
]
STAGE_SKIPS_REST = [
    ("CKV_AWS_120", "Caching is off on purpose: routes return per-request data"),
    ("CKV2_AWS_29", "A WAF web ACL is an account-level decision (and a cost) outside the design"),
    ("CKV2_AWS_51", "Client certificates authenticate API Gateway to HTTP backends; the backends here are "
                    "Lambda and AWS services"),
    ("CKV2_AWS_4", "Execution logging is at ERROR level; access logs carry every request"),
]


@dataclass(frozen=True)
class Route:
    edge: Edge
    method: str
    path: str

    @property
    def parts(self) -> list[str]:
        return [p for p in self.path.strip("/").split("/") if p]

    @property
    def path_params(self) -> list[str]:
        """Names of the path's {parameters}, in order."""
        return [p.strip("{}+") for p in self.parts if p.startswith("{")]


def routes(t: r.Template, api_id: str) -> list[Route]:
    return routes_of(t.arch, api_id)


def routes_of(arch, api_id: str) -> list[Route]:
    """The API's routes (method, path, target edge); a clear error when two clash."""
    seen: dict[tuple[str, str], str] = {}
    out = []
    for edge in arch.edges_from(api_id):
        if arch.edge_kind(edge) not in ("invoke", "integration"):
            continue
        method = str(edge.config.get("method", "ANY")).upper()
        path = "/" + str(edge.config.get("path", "/")).strip().strip("/")
        if (method, path) in seen:
            raise StratusError(f"{edge.describe()}: route {method} {path} is also taken by the edge to "
                               f"'{seen[(method, path)]}'; give each route its own method or path")
        seen[(method, path)] = edge.target
        out.append(Route(edge, method, path))
    return out


def render_api(t: r.Template, api_id: str) -> None:
    cfg = t.config(api_id)
    if api_id in t.principals:
        r.role(t, api_id, "apigateway.amazonaws.com")
    r.log_group(t, api_id)
    if cfg["api_type"] == "http":
        _render_http(t, api_id, cfg)
    else:
        _render_rest(t, api_id, cfg)
    t.output(api_id, "Url", r.sub("https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}/",
                                   Api=r.ref(t.id(api_id))), f"Base URL of {api_id}")


# --------------------------------------------------------------------------------------
# REST


def _render_rest(t: r.Template, api_id: str, cfg: dict) -> None:
    api = t.id(api_id)
    t.add(api, "AWS::ApiGateway::RestApi", {
        "Name": r.sub(t.physical_name(api_id, 100)),
        "Description": f"{t.node(api_id).display_name} (Stratus design '{t.arch.name}')",
        "EndpointConfiguration": {"Types": ["REGIONAL"]},
        "Tags": r.tags(t),
    })
    methods = []
    for route in routes(t, api_id):
        resource = _resource_for(t, api_id, route.parts)
        methods.append(_rest_method(t, api_id, route, resource, cfg))
    if not methods:  # a deployment needs at least one method: a mock health check
        methods.append(_mock_method(t, api_id))
    deployment = t.id(api_id, "Deployment")
    t.add(deployment, "AWS::ApiGateway::Deployment", {"RestApiId": r.ref(api), "Description": "Stratus export"},
          depends_on=methods)
    account = _cloudwatch_account(t)
    t.add(t.id(api_id, "Stage"), "AWS::ApiGateway::Stage", {
        "RestApiId": r.ref(api),
        "DeploymentId": r.ref(deployment),
        "StageName": r.ref("Stage"),
        "TracingEnabled": True,
        "AccessLogSetting": {"DestinationArn": r.getatt(t.id(api_id, "LogGroup"), "Arn"),
                             "Format": ACCESS_LOG_FORMAT},
        "MethodSettings": [{
            "ResourcePath": "/*", "HttpMethod": "*", "MetricsEnabled": True, "LoggingLevel": "ERROR",
            "DataTraceEnabled": False,
            "ThrottlingRateLimit": float(cfg["throttle_rate_rps"]),
            "ThrottlingBurstLimit": int(cfg["throttle_burst"]),
        }],
        "Tags": r.tags(t),
    }, depends_on=[account], skip=STAGE_SKIPS_REST)


def _resource_for(t: r.Template, api_id: str, parts: list[str]) -> Any:
    """The Resource for a path, creating its parents first; the root for '/'."""
    if not parts:
        return r.getatt(t.id(api_id), "RootResourceId")
    parent = _resource_for(t, api_id, parts[:-1])
    logical_id = t.id(api_id, "Resource", *[p.strip("{}+") for p in parts], *(["Var"] if "{" in parts[-1] else []))
    if logical_id not in t.resources:
        t.add(logical_id, "AWS::ApiGateway::Resource", {
            "RestApiId": r.ref(t.id(api_id)), "ParentId": parent, "PathPart": parts[-1]})
    return r.ref(logical_id)


def _rest_method(t: r.Template, api_id: str, route: Route, resource: Any, cfg: dict) -> str:
    logical_id = t.id(api_id, "Method", route.method, *[p.strip("{}+") for p in route.parts] or ["Root"])
    integration = _integration(t, api_id, route)
    integration["TimeoutInMillis"] = wiring.integration_timeout_ms(cfg)
    properties: dict[str, Any] = {
        "RestApiId": r.ref(t.id(api_id)), "ResourceId": resource, "HttpMethod": route.method,
        "AuthorizationType": "NONE", "Integration": integration,
    }
    if route.path_params:
        properties["RequestParameters"] = {f"method.request.path.{p}": True for p in route.path_params}
    if integration["Type"] != "AWS_PROXY":  # the service's answer maps to the client's
        properties["MethodResponses"] = [{"StatusCode": "200"}]
    t.add(logical_id, "AWS::ApiGateway::Method", properties, skip=API_SKIPS_REST)
    return logical_id


def _mock_method(t: r.Template, api_id: str) -> str:
    logical_id = t.id(api_id, "Method", "Health")
    t.add(logical_id, "AWS::ApiGateway::Method", {
        "RestApiId": r.ref(t.id(api_id)), "ResourceId": r.getatt(t.id(api_id), "RootResourceId"),
        "HttpMethod": "GET", "AuthorizationType": "NONE",
        "Integration": {"Type": "MOCK", "RequestTemplates": {"application/json": '{"statusCode": 200}'},
                        "IntegrationResponses": [{"StatusCode": "200"}]},
        "MethodResponses": [{"StatusCode": "200"}],
    }, skip=API_SKIPS_REST)
    return logical_id


def _integration(t: r.Template, api_id: str, route: Route) -> dict:
    """The method's integration: wiring's facts for the target in CloudFormation syntax."""
    target = route.edge.target
    wired = wiring.rest_integration(t.arch, route.edge, route.method, route.path_params)
    uri = _text(t, target, wiring.Text("arn:${AWS::Partition}:apigateway:${AWS::Region}:" + wired.uri.text,
                                       wired.uri.variables))
    if wired.proxy:
        return {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST", "Uri": uri}
    integration: dict[str, Any] = {
        "Type": "AWS", "IntegrationHttpMethod": "POST", "Uri": uri,
        "Credentials": r.getatt(t.id(api_id, "Role"), "Arn"),
        "PassthroughBehavior": "NEVER",
        "RequestTemplates": {"application/json": _text(t, target, wired.template)},
        "IntegrationResponses": [{"StatusCode": "200"}],
    }
    if wired.content_type:
        integration["RequestParameters"] = {"integration.request.header.Content-Type": f"'{wired.content_type}'"}
    return integration


def _text(t: r.Template, target: str, text: wiring.Text) -> Any:
    """Fn::Sub when the text names the target (or an AWS pseudo parameter), else the text as is."""
    if text.variables or "${AWS::" in text.text:
        return r.sub(text.text, **{var: t.attribute(target, attr) for var, attr in text.variables.items()})
    return text.text


def _cloudwatch_account(t: r.Template) -> str:
    """API Gateway writes REST access logs through one account-level role (once per template)."""
    account = t.names.name("api_gateway", "Account")
    if account in t.resources:
        return account
    role = t.names.name("api_gateway", "CloudWatchRole")
    t.add(role, "AWS::IAM::Role", {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "ManagedPolicyArns": [r.sub("arn:${AWS::Partition}:iam::aws:policy/service-role/"
                                     "AmazonAPIGatewayPushToCloudWatchLogs")],
    })
    t.add(account, "AWS::ApiGateway::Account", {"CloudWatchRoleArn": r.getatt(role, "Arn")})
    return account


# --------------------------------------------------------------------------------------
# HTTP


HTTP_ROUTE_SKIPS = [("CKV_AWS_309", "The design models no authorizer; add a JWT or IAM authorizer before "
                                    "exposing it")]


def _render_http(t: r.Template, api_id: str, cfg: dict) -> None:
    api = t.id(api_id)
    t.add(api, "AWS::ApiGatewayV2::Api", {
        "Name": r.sub(t.physical_name(api_id, 100)), "ProtocolType": "HTTP",
        "Description": f"{t.node(api_id).display_name} (Stratus design '{t.arch.name}')",
    })
    for route in routes(t, api_id):
        integration = t.id(api_id, "Integration", route.edge.target)
        if integration not in t.resources:
            t.add(integration, "AWS::ApiGatewayV2::Integration", _http_integration(t, api_id, route, cfg))
        route_key = "$default" if route.method == "ANY" and route.path == "/" else f"{route.method} {route.path}"
        t.add(t.id(api_id, "Route", route.method, *[p.strip("{}+") for p in route.parts] or ["Root"]),
              "AWS::ApiGatewayV2::Route", {
                  "ApiId": r.ref(api), "RouteKey": route_key, "AuthorizationType": "NONE",
                  "Target": r.sub("integrations/${Integration}", Integration=r.ref(integration))},
              skip=HTTP_ROUTE_SKIPS)
    t.add(t.id(api_id, "Stage"), "AWS::ApiGatewayV2::Stage", {
        "ApiId": r.ref(api), "StageName": r.ref("Stage"), "AutoDeploy": True,
        "AccessLogSettings": {"DestinationArn": r.getatt(t.id(api_id, "LogGroup"), "Arn"),
                              "Format": ACCESS_LOG_FORMAT},
        "DefaultRouteSettings": {"ThrottlingRateLimit": float(cfg["throttle_rate_rps"]),
                                 "ThrottlingBurstLimit": int(cfg["throttle_burst"]),
                                 "DetailedMetricsEnabled": True},
    })


def _http_integration(t: r.Template, api_id: str, route: Route, cfg: dict) -> dict:
    target = route.edge.target
    wired = wiring.http_integration(t.arch, route.edge)
    timeout = wiring.integration_timeout_ms(cfg)
    if wired.subtype is None:
        return {"ApiId": r.ref(t.id(api_id)), "IntegrationType": "AWS_PROXY",
                "IntegrationUri": t.function_target(target), "PayloadFormatVersion": wired.payload_format,
                "TimeoutInMillis": timeout}
    params = {k: t.attribute(target, v.name) if isinstance(v, wiring.Attribute) else v
              for k, v in wired.parameters.items()}
    return {"ApiId": r.ref(t.id(api_id)), "IntegrationType": "AWS_PROXY", "IntegrationSubtype": wired.subtype,
            "CredentialsArn": r.getatt(t.id(api_id, "Role"), "Arn"), "PayloadFormatVersion": wired.payload_format,
            "RequestParameters": params, "TimeoutInMillis": timeout}
