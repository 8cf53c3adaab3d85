"""Supporting resources the Terraform exporter would not write again, kept whole under
`extras` so that nothing is lost (the Terraform counterpart of
importers/cloudformation/supporting.py): a WebSocket API with its routes, integrations,
stages and deployments (Stratus models REST and HTTP APIs), a Lambda permission for a
caller that is not a node, and the EventBridge targets that are not nodes, with their rule.
"""

from __future__ import annotations

from importers.base import strip_tokens, tokens_in
from importers.terraform.modules import Resource, address_of
from importers.terraform.state import TerraformImport

WEBSOCKET_PARTS = ("aws_apigatewayv2_route", "aws_apigatewayv2_integration", "aws_apigatewayv2_stage",
                   "aws_apigatewayv2_deployment", "aws_apigatewayv2_route_response",
                   "aws_apigatewayv2_integration_response", "aws_apigatewayv2_authorizer",
                   "aws_apigatewayv2_model", "aws_apigatewayv2_api_mapping")
# Principal of a Lambda permission -> the service whose edge into the function needs it.
PERMISSION_PRINCIPALS = {"apigateway.amazonaws.com": "api_gateway", "sns.amazonaws.com": "sns",
                         "s3.amazonaws.com": "s3", "events.amazonaws.com": "eventbridge"}


def is_websocket(res: Resource) -> bool:
    return res.tf_type == "aws_apigatewayv2_api" and str(res.values.get("protocol_type", "")).upper() == "WEBSOCKET"


def websocket_addresses(imp: TerraformImport) -> set[str]:
    """The WebSocket APIs and every resource of theirs (its api_id names one)."""
    apis = {a for a, res in imp.resources.items() if is_websocket(res)}
    return apis | {a for a, res in imp.resources.items() if res.tf_type in WEBSOCKET_PARTS
                   and {address_of(k) for k in tokens_in(res.values.get("api_id"))} & apis}


def kept_whole(imp: TerraformImport, res: Resource) -> str | None:
    """Why an absorbed resource is kept whole under extras instead, or None."""
    if res.address in imp.websocket:
        return "part of a WebSocket API, kept whole (Stratus models REST and HTTP APIs)"
    if res.tf_type == "aws_lambda_permission" and not _permission_covered(imp, res):
        return f"invoke permission for {strip_tokens(str(res.values.get('principal')))}, which is no node's edge: " \
               "kept as written"
    if res.address in imp.outside_targets:
        return f"rule target {imp.outside_targets[res.address]} is outside the design: kept as written"
    if res.tf_type == "aws_cloudwatch_event_rule" and res.address in imp.rules_with_outside_targets:
        return "a target of this rule is outside the design: the rule is kept as written for it"
    if res.address in imp.kept_as_written:
        return imp.kept_as_written[res.address]
    return None


def referred_to(imp: TerraformImport, kept: set[str]) -> dict[str, str]:
    """Resources (not nodes) that kept resources refer to, such as the method and path a
    kept integration hangs on or the route of a kept integration: kept too, with why."""
    more: dict[str, str] = {}
    todo = list(kept)
    while todo:
        address = todo.pop()
        res = imp.resources.get(address)
        for other in {address_of(k) for k in tokens_in(res.values)} if res else ():
            if other in imp.resources and other not in kept and other not in more and other not in imp.b.node_of:
                more[other] = f"{address} (kept) refers to it; kept as written"
                todo.append(other)
    for address, res in imp.resources.items():  # a route whose integration is kept
        if res.tf_type == "aws_apigatewayv2_route" and address not in kept and address not in more and \
                {address_of(k) for k in tokens_in(res.values.get("target"))} & kept:
            more[address] = "the route of an integration kept as written"
    return more


def _permission_covered(imp: TerraformImport, res: Resource) -> bool:
    fn = imp.b.node_for(res.values.get("function_name"), "lambda")
    if fn is None:
        return False
    callers = {e.source for e in imp.b.arch.edges_to(fn)}
    named = [address_of(k) for k in tokens_in(res.values.get("source_arn"))]
    if named:
        return any(imp.b.node_of.get(a) in callers for a in named)
    service = PERMISSION_PRINCIPALS.get(str(res.values.get("principal")))
    return any(imp.b.arch.nodes[c].service == service for c in callers)
