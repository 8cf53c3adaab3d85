"""API Gateway in Terraform: REST (v1) and HTTP (v2) APIs, Lambda proxy and direct service
integrations, mirroring exporters/cloudformation/api.py (same routes, templates, skips)."""

from __future__ import annotations

from typing import Any

from model.aws import checkov_skips as skips
from model.aws import iam, wiring
from model.aws.defaults import ACCESS_LOG_FORMAT
from model.aws.routes import Route, routes_of

from ..serialize import Block, Expr, hcl_value
from . import kept
from .config import ACCOUNT, PARTITION, REGION, Config, log_group, quoted, role


def render_api(c: Config, api_id: str) -> None:
    cfg = c.config(api_id)
    credentials_grants, credentials_role = kept.kept_credentials_grants(c, api_id)
    if api_id in c.principals or credentials_grants:
        role(c, api_id)
    log_group(c, api_id, wiring.log_group_name(c.service(api_id), c.physical_name(api_id)))
    if cfg["api_type"] == "http":
        url = _render_http(c, api_id, cfg)
    else:
        url = _render_rest(c, api_id, cfg)
    if credentials_grants:  # after the API's resource, which says what could not be written
        kept.kept_role_policy(c, api_id, credentials_grants, kept.CfnValues(c, api_id, credentials_role))
    c.output(api_id, "url", url, f"Base URL of {api_id}")


def _kept_operations(c: Config, api_id: str, write) -> list[str]:
    """Each operation an import kept on this API, written by `write(kept, route, name)`;
    one that refers to what this configuration does not hold is left out, and the API's
    resource says so."""
    changed = []
    for item in kept.kept_operations(c, api_id):
        route = Route(None, str(item.get("method")), str(item.get("path")))  # type: ignore[arg-type]
        mark = c.checkpoint()
        try:
            changed += write(item, route, c.name(api_id, route.method.lower(), *_parts_key(route))) or []
        except kept.Untranslatable as why:
            c.rollback(mark)
            kept.not_written(c, api_id, f"{route.method} {route.path}", why)
    return changed


def _parts_key(route: Route) -> list[str]:
    return route.words or ["root"]


# --------------------------------------------------------------------------------------
# REST


def _render_rest(c: Config, api_id: str, cfg: dict) -> Expr:
    api = c.name(api_id)
    api_ref = c.address(api_id)
    c.resource(c.resource_type(api_id), api, {
        "name": quoted(c.physical_name(api_id)),
        "description": f"{c.arch.nodes[api_id].display_name} (Stratus design '{c.arch.name}')",
        "tags": c.tags(), "blocks": [Block("endpoint_configuration", body={"types": ["REGIONAL"]}),
                                     Block("lifecycle", body={"create_before_destroy": True})]})
    changes = []
    for route in routes_of(c.arch, api_id):
        resource = _resource_for(c, api_id, route.parts)
        changes += _rest_method(c, api_id, route, resource, cfg)
    changes += _kept_operations(c, api_id, lambda item, route, name: kept.kept_rest_method(
        c, api_id, item, route, _resource_for(c, api_id, route.parts), name))
    if not changes:
        changes += _mock_method(c, api_id)
    deployment = c.name(api_id, "deployment")
    c.resource("aws_api_gateway_deployment", deployment, {
        "rest_api_id": Expr(f"{api_ref}.id"),
        # A new deployment whenever a method or integration changes.
        "triggers": {"redeployment": Expr("sha1(jsonencode([" + ", ".join(f"{x}.id" for x in changes) + "]))")},
        "depends_on": [Expr(x) for x in changes],
        "blocks": [Block("lifecycle", body={"create_before_destroy": True})]})
    account = _cloudwatch_account(c)
    stage = c.name(api_id, "stage")
    c.resource("aws_api_gateway_stage", stage, {
        "rest_api_id": Expr(f"{api_ref}.id"), "deployment_id": Expr(f"aws_api_gateway_deployment.{deployment}.id"),
        "stage_name": Expr("var.stage"), "xray_tracing_enabled": True, "tags": c.tags(),
        "blocks": [Block("access_log_settings", body={
            "destination_arn": Expr(f"aws_cloudwatch_log_group.{c.name(api_id, 'logs')}.arn"),
            "format": ACCESS_LOG_FORMAT})],
        "depends_on": [Expr(account)]}, skip=skips.REST_STAGE)
    c.resource("aws_api_gateway_method_settings", stage, {
        "rest_api_id": Expr(f"{api_ref}.id"), "stage_name": Expr(f"aws_api_gateway_stage.{stage}.stage_name"),
        "method_path": "*/*", "blocks": [Block("settings", body={
            "metrics_enabled": True, "logging_level": "ERROR", "data_trace_enabled": False,
            "caching_enabled": False,
            "throttling_rate_limit": float(cfg["throttle_rate_rps"]),
            "throttling_burst_limit": int(cfg["throttle_burst"])})]},
        skip=skips.TF_REST_METHOD_SETTINGS)
    return Expr(f"aws_api_gateway_stage.{stage}.invoke_url")


def _resource_for(c: Config, api_id: str, parts: list[str]) -> Expr:
    api_ref = c.address(api_id)
    if not parts:
        return Expr(f"{api_ref}.root_resource_id")
    parent = _resource_for(c, api_id, parts[:-1])
    name = c.name(api_id, "path", *[p.strip("{}+") for p in parts], *(["var"] if "{" in parts[-1] else []))
    c.resource("aws_api_gateway_resource", name, {"rest_api_id": Expr(f"{api_ref}.id"), "parent_id": parent,
                                                  "path_part": parts[-1]})
    return Expr(f"aws_api_gateway_resource.{name}.id")


def _rest_method(c: Config, api_id: str, route: Route, resource: Expr, cfg: dict) -> list[str]:
    api_ref = c.address(api_id)
    name = c.name(api_id, route.method.lower(), *_parts_key(route))
    method = {"rest_api_id": Expr(f"{api_ref}.id"), "resource_id": resource, "http_method": route.method,
              "authorization": "NONE"}
    if route.path_params:
        method["request_parameters"] = {f"method.request.path.{p}": True for p in route.path_params}
    c.resource("aws_api_gateway_method", name, method, skip=skips.TF_REST_METHOD)
    method_ref = f"aws_api_gateway_method.{name}"
    integration = {"rest_api_id": Expr(f"{api_ref}.id"), "resource_id": resource,
                   "http_method": Expr(f"{method_ref}.http_method"),
                   "timeout_milliseconds": wiring.integration_timeout_ms(cfg),
                   **_integration(c, api_id, route)}
    c.resource("aws_api_gateway_integration", name, integration)
    changed = [method_ref, f"aws_api_gateway_integration.{name}"]
    if integration["type"] != "AWS_PROXY":  # the service's answer maps to the client's
        common = {"rest_api_id": Expr(f"{api_ref}.id"), "resource_id": resource,
                  "http_method": Expr(f"{method_ref}.http_method"), "status_code": "200"}
        c.resource("aws_api_gateway_method_response", name, dict(common))
        c.resource("aws_api_gateway_integration_response", name, {
            **common, "status_code": Expr(f"aws_api_gateway_method_response.{name}.status_code"),
            "depends_on": [Expr(f"aws_api_gateway_integration.{name}")]})
        changed.append(f"aws_api_gateway_integration_response.{name}")
    return changed


def _mock_method(c: Config, api_id: str) -> list[str]:
    api_ref = c.address(api_id)
    name = c.name(api_id, "health")
    root = Expr(f"{api_ref}.root_resource_id")
    c.resource("aws_api_gateway_method", name, {"rest_api_id": Expr(f"{api_ref}.id"), "resource_id": root,
                                                "http_method": "GET", "authorization": "NONE"},
               skip=skips.TF_REST_METHOD)
    c.resource("aws_api_gateway_integration", name, {
        "rest_api_id": Expr(f"{api_ref}.id"), "resource_id": root,
        "http_method": Expr(f"aws_api_gateway_method.{name}.http_method"), "type": "MOCK",
        "request_templates": {"application/json": '{"statusCode": 200}'}})
    return [f"aws_api_gateway_method.{name}", f"aws_api_gateway_integration.{name}"]


def _integration(c: Config, api_id: str, route: Route) -> dict:
    """The method's integration: wiring's facts for the target in Terraform syntax."""
    target = route.edge.target
    wired = wiring.rest_integration(c.arch, route.edge, route.method, route.path_params)
    uri = quoted(f"arn:${{{PARTITION}}}:apigateway:${{{REGION}}}:" + _fill(c, target, wired.uri))
    if wired.proxy:
        return {"type": "AWS_PROXY", "integration_http_method": "POST", "uri": uri}
    template = quoted(_fill(c, target, wired.template)) if wired.template.variables else wired.template.text
    body: dict[str, Any] = {
        "type": "AWS", "integration_http_method": "POST", "uri": uri,
        "credentials": Expr(f"aws_iam_role.{c.name(api_id, 'role')}.arn"),
        "passthrough_behavior": "NEVER", "request_templates": {"application/json": template},
    }
    if wired.content_type:
        body["request_parameters"] = {"integration.request.header.Content-Type": f"'{wired.content_type}'"}
    return body


def _fill(c: Config, target: str, text: wiring.Text) -> str:
    """The text with each ${Var} an interpolation of the target's attribute."""
    out = text.text.replace("${AWS::AccountId}", "${" + ACCOUNT + "}")
    for var, attribute in text.variables.items():
        out = out.replace("${" + var + "}", "${" + str(c.attribute(target, attribute)) + "}")
    return out


def _cloudwatch_account(c: Config) -> str:
    name = c.names.name("api_gateway", "account")
    role_name = c.names.name("api_gateway", "cloudwatch")
    c.resource("aws_iam_role", role_name, {"name_prefix": "apigw-cloudwatch-", "assume_role_policy": Expr(
        "jsonencode(" + hcl_value({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": iam.service_principal("api_gateway")},
            "Action": "sts:AssumeRole"}]}, 1) + ")")})
    c.resource("aws_iam_role_policy_attachment", role_name, {
        "role": Expr(f"aws_iam_role.{role_name}.name"),
        "policy_arn": quoted("arn:${" + PARTITION + "}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs")})
    return c.resource("aws_api_gateway_account", name, {
        "cloudwatch_role_arn": Expr(f"aws_iam_role.{role_name}.arn"),
        "depends_on": [Expr(f"aws_iam_role_policy_attachment.{role_name}")]})


# --------------------------------------------------------------------------------------
# HTTP


def _render_http(c: Config, api_id: str, cfg: dict) -> Expr:
    api = c.name(api_id)
    api_ref = c.address(api_id)
    c.resource(c.resource_type(api_id), api, {
        "name": quoted(c.physical_name(api_id)), "protocol_type": "HTTP",
        "description": f"{c.arch.nodes[api_id].display_name} (Stratus design '{c.arch.name}')", "tags": c.tags()})
    for route in routes_of(c.arch, api_id):
        integration = c.name(api_id, "integration", route.edge.target)
        c.resource("aws_apigatewayv2_integration", integration, _http_integration(c, api_id, route, cfg))
        c.resource("aws_apigatewayv2_route", c.name(api_id, "route", route.method.lower(), *_parts_key(route)), {
            "api_id": Expr(f"{api_ref}.id"), "route_key": route.http_route_key, "authorization_type": "NONE",
            "target": quoted("integrations/${aws_apigatewayv2_integration." + integration + ".id}")},
            skip=skips.HTTP_ROUTE)
    _kept_operations(c, api_id, lambda item, route, name: kept.kept_http_route(c, api_id, item, route, name))
    stage = c.name(api_id, "stage")
    c.resource("aws_apigatewayv2_stage", stage, {
        "api_id": Expr(f"{api_ref}.id"), "name": Expr("var.stage"), "auto_deploy": True, "tags": c.tags(),
        "blocks": [Block("access_log_settings", body={
            "destination_arn": Expr(f"aws_cloudwatch_log_group.{c.name(api_id, 'logs')}.arn"),
            "format": ACCESS_LOG_FORMAT}),
            Block("default_route_settings", body={
                "throttling_rate_limit": float(cfg["throttle_rate_rps"]),
                "throttling_burst_limit": int(cfg["throttle_burst"]), "detailed_metrics_enabled": True})]})
    return Expr(f"aws_apigatewayv2_stage.{stage}.invoke_url")


def _http_integration(c: Config, api_id: str, route: Route, cfg: dict) -> dict:
    target = route.edge.target
    wired = wiring.http_integration(c.arch, route.edge)
    api_ref = c.address(api_id)
    timeout = wiring.integration_timeout_ms(cfg)
    if wired.subtype is None:
        return {"api_id": Expr(f"{api_ref}.id"), "integration_type": "AWS_PROXY",
                "integration_uri": c.function_target(target), "payload_format_version": wired.payload_format,
                "timeout_milliseconds": timeout}
    params = {k: c.attribute(target, v.name) if isinstance(v, wiring.Attribute) else v
              for k, v in wired.parameters.items()}
    return {"api_id": Expr(f"{api_ref}.id"), "integration_type": "AWS_PROXY", "integration_subtype": wired.subtype,
            "credentials_arn": Expr(f"aws_iam_role.{c.name(api_id, 'role')}.arn"),
            "payload_format_version": wired.payload_format, "request_parameters": params,
            "timeout_milliseconds": timeout}
