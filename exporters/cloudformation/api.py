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

from .. import iam
from . import render as r

REST_MAX_TIMEOUT_MS = 29_000
HTTP_MAX_TIMEOUT_MS = 30_000
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
    t.output(api_id, "Url", r._sub("https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}/",
                                   Api=r._ref(t.id(api_id))), f"Base URL of {api_id}")


# --------------------------------------------------------------------------------------
# REST


def _render_rest(t: r.Template, api_id: str, cfg: dict) -> None:
    api = t.id(api_id)
    t.add(api, "AWS::ApiGateway::RestApi", {
        "Name": r._sub(t.physical_name(api_id, 100)),
        "Description": f"{t.node(api_id).display_name} (Stratus design '{t.arch.name}')",
        "EndpointConfiguration": {"Types": ["REGIONAL"]},
        "Tags": r._tags(t),
    })
    methods = []
    for route in routes(t, api_id):
        resource = _resource_for(t, api_id, route.parts)
        methods.append(_rest_method(t, api_id, route, resource, cfg))
    if not methods:  # a deployment needs at least one method: a mock health check
        methods.append(_mock_method(t, api_id))
    deployment = t.id(api_id, "Deployment")
    t.add(deployment, "AWS::ApiGateway::Deployment", {"RestApiId": r._ref(api), "Description": "Stratus export"},
          depends_on=methods)
    account = _cloudwatch_account(t)
    t.add(t.id(api_id, "Stage"), "AWS::ApiGateway::Stage", {
        "RestApiId": r._ref(api),
        "DeploymentId": r._ref(deployment),
        "StageName": r._ref("Stage"),
        "TracingEnabled": True,
        "AccessLogSetting": {"DestinationArn": r._getatt(t.id(api_id, "LogGroup"), "Arn"),
                             "Format": ACCESS_LOG_FORMAT},
        "MethodSettings": [{
            "ResourcePath": "/*", "HttpMethod": "*", "MetricsEnabled": True, "LoggingLevel": "ERROR",
            "DataTraceEnabled": False,
            "ThrottlingRateLimit": float(cfg["throttle_rate_rps"]),
            "ThrottlingBurstLimit": int(cfg["throttle_burst"]),
        }],
        "Tags": r._tags(t),
    }, depends_on=[account], skip=STAGE_SKIPS_REST)


def _resource_for(t: r.Template, api_id: str, parts: list[str]) -> Any:
    """The Resource for a path, creating its parents first; the root for '/'."""
    if not parts:
        return r._getatt(t.id(api_id), "RootResourceId")
    parent = _resource_for(t, api_id, parts[:-1])
    logical_id = t.id(api_id, "Resource", *[p.strip("{}+") for p in parts], *(["Var"] if "{" in parts[-1] else []))
    if logical_id not in t.resources:
        t.add(logical_id, "AWS::ApiGateway::Resource", {
            "RestApiId": r._ref(t.id(api_id)), "ParentId": parent, "PathPart": parts[-1]})
    return r._ref(logical_id)


def _rest_method(t: r.Template, api_id: str, route: Route, resource: Any, cfg: dict) -> str:
    logical_id = t.id(api_id, "Method", route.method, *[p.strip("{}+") for p in route.parts] or ["Root"])
    target_service = t.node(route.edge.target).service
    integration = REST_INTEGRATIONS[target_service](t, api_id, route)
    integration["TimeoutInMillis"] = min(int(cfg["timeout_ms"]), REST_MAX_TIMEOUT_MS)
    properties: dict[str, Any] = {
        "RestApiId": r._ref(t.id(api_id)), "ResourceId": resource, "HttpMethod": route.method,
        "AuthorizationType": "NONE", "Integration": integration,
    }
    path_params = [p.strip("{}+") for p in route.parts if p.startswith("{")]
    if path_params:
        properties["RequestParameters"] = {f"method.request.path.{p}": True for p in path_params}
    if target_service != "lambda":
        properties["MethodResponses"] = [{"StatusCode": "200"}]
    t.add(logical_id, "AWS::ApiGateway::Method", properties, skip=API_SKIPS_REST)
    return logical_id


def _mock_method(t: r.Template, api_id: str) -> str:
    logical_id = t.id(api_id, "Method", "Health")
    t.add(logical_id, "AWS::ApiGateway::Method", {
        "RestApiId": r._ref(t.id(api_id)), "ResourceId": r._getatt(t.id(api_id), "RootResourceId"),
        "HttpMethod": "GET", "AuthorizationType": "NONE",
        "Integration": {"Type": "MOCK", "RequestTemplates": {"application/json": '{"statusCode": 200}'},
                        "IntegrationResponses": [{"StatusCode": "200"}]},
        "MethodResponses": [{"StatusCode": "200"}],
    }, skip=API_SKIPS_REST)
    return logical_id


def _aws_uri(path: str) -> dict:
    return r._sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:" + path)


def _aws_integration(t: r.Template, api_id: str, uri: Any, template: Any, content_type: str | None = None) -> dict:
    integration: dict[str, Any] = {
        "Type": "AWS", "IntegrationHttpMethod": "POST", "Uri": uri,
        "Credentials": r._getatt(t.id(api_id, "Role"), "Arn"),
        "PassthroughBehavior": "NEVER",
        "RequestTemplates": {"application/json": template},
        "IntegrationResponses": [{"StatusCode": "200"}],
    }
    if content_type:
        integration["RequestParameters"] = {"integration.request.header.Content-Type": f"'{content_type}'"}
    return integration


def _rest_lambda(t, api_id, route):
    return {"Type": "AWS_PROXY", "IntegrationHttpMethod": "POST",
            "Uri": r._sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
                          "${Function}/invocations", Function=t.function_target(route.edge.target))}


def _rest_sqs(t, api_id, route):
    target = route.edge.target
    body = "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"
    if t.config(target).get("fifo"):
        body += "&MessageGroupId=stratus&MessageDeduplicationId=$context.requestId"
    uri = r._sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:sqs:path/${AWS::AccountId}/${Queue}",
                 Queue=r._getatt(t.id(target), "QueueName"))
    return _aws_integration(t, api_id, uri, body, "application/x-www-form-urlencoded")


def _rest_kinesis(t, api_id, route):
    template = r._sub('{"StreamName": "${Stream}", "Data": "$util.base64Encode($input.body)", '
                      '"PartitionKey": "$context.requestId"}', Stream=r._ref(t.id(route.edge.target)))
    return _aws_integration(t, api_id, _aws_uri("kinesis:action/PutRecord"), template)


def _rest_states(t, api_id, route):
    template = r._sub('{"input": "$util.escapeJavaScript($input.body)", "stateMachineArn": "${Machine}"}',
                      Machine=r._ref(t.id(route.edge.target)))
    return _aws_integration(t, api_id, _aws_uri("states:action/StartExecution"), template)


def _rest_dynamodb(t, api_id, route):
    target = route.edge.target
    key = t.config(target).get("partition_key") or "pk"
    action = iam.edge_action(t.arch, route.edge)
    reads = action == "read" or (action == "read_write" and route.method in ("GET", "HEAD"))
    if reads:
        params = [p.strip("{}+") for p in route.parts if p.startswith("{")]
        source = f"$input.params('{params[-1] if params else key}')"
        template = r._sub('{"TableName": "${Table}", "Key": {"' + key + '": {"S": "' + source + '"}}}',
                          Table=r._ref(t.id(target)))
        return _aws_integration(t, api_id, _aws_uri("dynamodb:action/GetItem"), template)
    template = r._sub('{"TableName": "${Table}", "Item": {"' + key + '": {"S": "$context.requestId"}, '
                      '"body": {"S": "$util.escapeJavaScript($input.body)"}}}', Table=r._ref(t.id(target)))
    return _aws_integration(t, api_id, _aws_uri("dynamodb:action/PutItem"), template)


REST_INTEGRATIONS = {"lambda": _rest_lambda, "sqs": _rest_sqs, "kinesis": _rest_kinesis,
                     "step_functions": _rest_states, "dynamodb": _rest_dynamodb}


def _cloudwatch_account(t: r.Template) -> str:
    """API Gateway writes REST access logs through one account-level role (once per template)."""
    account = t.names.name("api_gateway", "Account")
    if account in t.resources:
        return account
    role = t.names.name("api_gateway", "CloudWatchRole")
    t.add(role, "AWS::IAM::Role", {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "ManagedPolicyArns": [r._sub("arn:${AWS::Partition}:iam::aws:policy/service-role/"
                                     "AmazonAPIGatewayPushToCloudWatchLogs")],
    })
    t.add(account, "AWS::ApiGateway::Account", {"CloudWatchRoleArn": r._getatt(role, "Arn")})
    return account


# --------------------------------------------------------------------------------------
# HTTP


HTTP_SUBTYPES = {
    "sqs": ("SQS-SendMessage", lambda t, n: {"QueueUrl": r._ref(t.id(n)), "MessageBody": "$request.body"}),
    "kinesis": ("Kinesis-PutRecord", lambda t, n: {"StreamName": r._ref(t.id(n)), "Data": "$request.body",
                                                   "PartitionKey": "$context.requestId"}),
    "step_functions": ("StepFunctions-StartExecution",
                       lambda t, n: {"StateMachineArn": r._ref(t.id(n)), "Input": "$request.body"}),
}
HTTP_ROUTE_SKIPS = [("CKV_AWS_309", "The design models no authorizer; add a JWT or IAM authorizer before "
                                    "exposing it")]


def _render_http(t: r.Template, api_id: str, cfg: dict) -> None:
    api = t.id(api_id)
    t.add(api, "AWS::ApiGatewayV2::Api", {
        "Name": r._sub(t.physical_name(api_id, 100)), "ProtocolType": "HTTP",
        "Description": f"{t.node(api_id).display_name} (Stratus design '{t.arch.name}')",
    })
    for route in routes(t, api_id):
        integration = t.id(api_id, "Integration", route.edge.target)
        if integration not in t.resources:
            t.add(integration, "AWS::ApiGatewayV2::Integration", _http_integration(t, api_id, route, cfg))
        route_key = "$default" if route.method == "ANY" and route.path == "/" else f"{route.method} {route.path}"
        t.add(t.id(api_id, "Route", route.method, *[p.strip("{}+") for p in route.parts] or ["Root"]),
              "AWS::ApiGatewayV2::Route", {
                  "ApiId": r._ref(api), "RouteKey": route_key, "AuthorizationType": "NONE",
                  "Target": r._sub("integrations/${Integration}", Integration=r._ref(integration))},
              skip=HTTP_ROUTE_SKIPS)
    t.add(t.id(api_id, "Stage"), "AWS::ApiGatewayV2::Stage", {
        "ApiId": r._ref(api), "StageName": r._ref("Stage"), "AutoDeploy": True,
        "AccessLogSettings": {"DestinationArn": r._getatt(t.id(api_id, "LogGroup"), "Arn"),
                              "Format": ACCESS_LOG_FORMAT},
        "DefaultRouteSettings": {"ThrottlingRateLimit": float(cfg["throttle_rate_rps"]),
                                 "ThrottlingBurstLimit": int(cfg["throttle_burst"]),
                                 "DetailedMetricsEnabled": True},
    })


def _http_integration(t: r.Template, api_id: str, route: Route, cfg: dict) -> dict:
    target = route.edge.target
    service = t.node(target).service
    timeout = min(int(cfg["timeout_ms"]), HTTP_MAX_TIMEOUT_MS)
    if service == "lambda":
        return {"ApiId": r._ref(t.id(api_id)), "IntegrationType": "AWS_PROXY",
                "IntegrationUri": t.function_target(target), "PayloadFormatVersion": "2.0",
                "TimeoutInMillis": timeout}
    if service not in HTTP_SUBTYPES:
        raise StratusError(f"{route.edge.describe()}: HTTP APIs have no direct {t.node(target).service} "
                           f"integration; set api_type: rest on '{api_id}' or put a function in between")
    subtype, parameters = HTTP_SUBTYPES[service]
    params = parameters(t, target)
    if service == "sqs" and t.config(target).get("fifo"):
        params["MessageGroupId"] = "stratus"
    return {"ApiId": r._ref(t.id(api_id)), "IntegrationType": "AWS_PROXY", "IntegrationSubtype": subtype,
            "CredentialsArn": r._getatt(t.id(api_id, "Role"), "Arn"), "PayloadFormatVersion": "1.0",
            "RequestParameters": params, "TimeoutInMillis": timeout}

