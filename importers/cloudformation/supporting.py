"""Supporting resources, decided so that nothing is lost on the way back out: what each
absorbed or SAM-generated logical id is part of in the design, and which resources the
exporter would not write again and so are kept whole under `extras`.

- Absorbed resources that the exporter writes in its own form (an API's stage and
  deployment, a SAM function's generated role, a bus's rule to a target...) are recorded
  as *parts*: `[node id, part, other node]`, under `imported_from.parts`. An extra that
  refers to one (`DependsOn: ApiStage`, `!Ref MyApi.Stage`, `!GetAtt MyFunctionRole.Arn`)
  is pointed at the exporter's counterpart when the design is exported.
- Kept whole, beside the nodes: a WebSocket API with its routes, integrations, stages and
  deployments (Stratus models REST and HTTP APIs); a Lambda permission for a caller that
  is not a node (a load balancer, IoT, Cognito...); the targets of a rule that are not
  nodes; an IAM role or policy, or an API path, that a kept resource refers to (a role
  may trust more services than the exporter's role for a node does).
"""

from __future__ import annotations

import copy
import re

from importers.base import as_list, strip_tokens, tokens_in
from importers.cloudformation.intrinsics import references
from importers.cloudformation.state import TemplateImport
from model.aws.defaults import LOG_RETENTION_CHOICES
from model.catalogue import edge_rule

WEBSOCKET_PARTS = ("AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration", "AWS::ApiGatewayV2::Stage",
                   "AWS::ApiGatewayV2::Deployment", "AWS::ApiGatewayV2::RouteResponse",
                   "AWS::ApiGatewayV2::IntegrationResponse", "AWS::ApiGatewayV2::Authorizer",
                   "AWS::ApiGatewayV2::Model", "AWS::ApiGatewayV2::ApiMapping")
# Principal of a Lambda permission -> the service whose edge into the function needs it.
PERMISSION_PRINCIPALS = {"apigateway.amazonaws.com": "api_gateway", "sns.amazonaws.com": "sns",
                         "s3.amazonaws.com": "s3", "events.amazonaws.com": "eventbridge"}
# Absorbed type -> (property naming the node it belongs to, its part of that node). The part
# "" is the node itself, good for a DependsOn only: something a kept resource's properties
# refer to must be a node, a named part or kept itself.
PART_OF = {
    "AWS::ApiGateway::Stage": ("RestApiId", "stage"), "AWS::ApiGatewayV2::Stage": ("ApiId", "stage"),
    "AWS::ApiGateway::Deployment": ("RestApiId", "deployment"),
    "AWS::ApiGatewayV2::Deployment": ("ApiId", "deployment"),
    "AWS::ApiGateway::Method": ("RestApiId", ""), "AWS::ApiGateway::Resource": ("RestApiId", ""),
    "AWS::ApiGatewayV2::Route": ("ApiId", ""), "AWS::ApiGatewayV2::Integration": ("ApiId", ""),
    "AWS::Lambda::Permission": ("FunctionName", ""), "AWS::Lambda::EventInvokeConfig": ("FunctionName", ""),
    "AWS::Lambda::Version": ("FunctionName", ""), "AWS::Lambda::Alias": ("FunctionName", ""),
    "AWS::Lambda::EventSourceMapping": ("FunctionName", ""),
    "AWS::SQS::QueuePolicy": ("Queues", "policy"), "AWS::SNS::TopicPolicy": ("Topics", "policy"),
    "AWS::SNS::Subscription": ("TopicArn", ""),
}
LAMBDA_LOG_PREFIX = "/aws/lambda/"
# SAM's `!Ref Name.Attribute` / `${Name.Attribute}` forms: service -> (attribute, part)
SAM_ATTRIBUTES = {"api_gateway": (("Stage", "stage"), ("Deployment", "deployment")),
                  "lambda": (("Alias", ""), ("Version", ""))}
# SAM-generated logical ids: pattern over "<node id><rest>" -> the part it names
SAM_GENERATED = (
    (re.compile(r"\.Stage|[A-Za-z0-9]*Stage"), "api_gateway", "stage"),
    (re.compile(r"\.Deployment|Deployment[0-9a-f]{10}"), "api_gateway", "deployment"),
    (re.compile(r"Role"), "lambda", "role"), (re.compile(r"Role"), "step_functions", "role"),
    (re.compile(r"\.Alias|\.Version|Alias[A-Za-z0-9]+|Version[0-9a-f]{10}|[A-Za-z0-9]*Permission[A-Za-z0-9]*"),
     "lambda", ""),
)


def is_websocket(imp: TemplateImport, key: str) -> bool:
    return imp.types[key] == "AWS::ApiGatewayV2::Api" and \
        str(imp.props.get(key, {}).get("ProtocolType", "")).upper() == "WEBSOCKET"


def websocket_keys(imp: TemplateImport) -> set[str]:
    """The WebSocket APIs and every resource of theirs (its ApiId names one)."""
    apis = {k for k in imp.props if is_websocket(imp, k)}
    return apis | {k for k, props in imp.props.items() if imp.types[k] in WEBSOCKET_PARTS
                   and {t.split(".")[0] for t in tokens_in(props.get("ApiId"))} & apis}


def kept_whole(imp: TemplateImport, key: str) -> str | None:
    """Why an absorbed resource is kept whole under extras instead, or None."""
    if key in imp.websocket:
        return "part of a WebSocket API, kept whole (Stratus models REST and HTTP APIs)"
    if imp.types[key] == "AWS::Lambda::Permission" and not _permission_covered(imp, imp.props.get(key, {})):
        principal = strip_tokens(str(imp.props.get(key, {}).get("Principal")))
        return f"invoke permission for {principal}, which is no node's edge: kept as written"
    if key in imp.outside_targets:
        return "rule targets outside the design kept as written: " + ", ".join(imp.outside_targets[key])
    if key in imp.kept_as_written:
        return imp.kept_as_written[key]
    if imp.types[key] == "AWS::ApiGatewayV2::Route" and \
            {t.split(".")[0] for t in tokens_in(imp.props.get(key, {}).get("Target"))} & set(imp.kept_as_written):
        return "the route of an integration kept as written"
    return None


def _permission_covered(imp: TemplateImport, props: dict) -> bool:
    """An edge into the function already needs this permission (the exporter writes it)."""
    fn = imp.b.node_for(props.get("FunctionName"), "lambda")
    if fn is None:
        return False
    callers = {e.source for e in imp.b.arch.edges_to(fn)}
    named = [k.split(".")[0] for k in tokens_in(props.get("SourceArn"))]
    if named:
        return any(imp.b.node_of.get(k) in callers or imp.parts.get(k, [None])[0] in callers for k in named)
    service = PERMISSION_PRINCIPALS.get(str(props.get("Principal")))
    return any(imp.b.arch.nodes[c].service == service for c in callers)


def record_parts(imp: TemplateImport) -> None:
    """What each absorbed resource and SAM-generated id is part of. (A role of the
    template that an extra refers to is kept as written: it may trust more than the one
    service the exporter's role trusts.)"""
    for key, rtype in imp.types.items():
        if rtype in PART_OF and key in imp.props:
            prop, part = PART_OF[rtype]
            node = imp.b.node_for(as_list(imp.props[key].get(prop))[:1] or None)
            if node is not None:
                imp.parts[key] = [node, part] if part else [node]
    for key, rtype in imp.types.items():
        if rtype == "AWS::Logs::LogGroup" and key in imp.props:
            _function_log_group(imp, key, imp.props[key])
    for key, node_id in imp.b.node_of.items():  # SAM's Name.Attribute forms, wherever written
        for attribute, part in SAM_ATTRIBUTES.get(imp.b.arch.nodes[node_id].service, ()):
            imp.parts.setdefault(f"{key}.{attribute}", [node_id, part] if part else [node_id])
    undefined = set(imp.resolver.unresolved) | {str(d) for r in imp.raw.values() for d in as_list(r.get("DependsOn"))
                                                if str(d) not in imp.types}
    for name in undefined:
        part = _sam_generated(imp, name)
        if part is not None:
            imp.parts[name] = part


def _function_log_group(imp: TemplateImport, key: str, props: dict) -> None:
    """`/aws/lambda/<function>`: the function's own log group, which the exporter writes
    (one log group per function: merged, never two), with the retention it had."""
    name = props.get("LogGroupName")
    fn = imp.b.node_for(name[len(LAMBDA_LOG_PREFIX):], "lambda") \
        if isinstance(name, str) and name.startswith(LAMBDA_LOG_PREFIX) else None
    if fn is None:
        return
    imp.parts[key] = [fn, "log_group"]
    retention = props.get("RetentionInDays")
    kept = ""
    if retention in LOG_RETENTION_CHOICES:
        imp.b.arch.nodes[fn].extra.setdefault("cfn", {})["log_retention_days"] = retention
        kept = f", retention {retention} days kept"
    imp.absorbed_as[key] = f"log group of function '{fn}' (the exporter writes it{kept})"


def sam_function_urls(imp: TemplateImport) -> list[dict]:
    """A SAM function's FunctionUrlConfig, which the design does not model, as the resources
    SAM makes of it (`<Fn>Url`, and `<Fn>UrlPublicPermissions` when anyone may call it):
    kept, so that what refers to `<Fn>Url` still finds it."""
    kept = []
    for key, node_id in imp.b.node_of.items():
        config = (imp.raw.get(key, {}).get("Properties") or {}).get("FunctionUrlConfig")
        if imp.types.get(key) != "AWS::Serverless::Function" or not isinstance(config, dict):
            continue
        url = {"TargetFunctionArn": {"Ref": key}, **copy.deepcopy(config)}
        kept.append({"logical_id": f"{key}Url", "type": "AWS::Lambda::Url", "properties": url})
        if config.get("AuthType") == "NONE":
            kept.append({"logical_id": f"{key}UrlPublicPermissions", "type": "AWS::Lambda::Permission",
                         "properties": {"Action": "lambda:InvokeFunctionUrl", "FunctionName": {"Ref": key},
                                        "FunctionUrlAuthType": "NONE", "Principal": "*"}})
    return [k for k in kept if k["logical_id"] not in imp.types]


def is_rule_edge(imp: TemplateImport, arn: object) -> bool:
    """A rule target that is an edge of the design (a node a rule may target)."""
    node = imp.b.node_for(imp.resolver.resolve(arn))
    return node is not None and edge_rule("eventbridge", imp.b.arch.nodes[node].service, "rule_target") is not None


def inline_subscriptions(imp: TemplateImport) -> list[dict]:
    """A topic's inline subscriptions to endpoints outside the design (e-mail, HTTPS,
    Firehose...), as subscriptions of their own: the exporter writes the topic without them."""
    kept, taken = [], set(imp.types)
    for topic, index, _ in imp.inline_subscriptions:
        raw = as_list((imp.raw[topic].get("Properties") or {}).get("Subscription"))[index]
        name, n = f"{topic}Subscription{index + 1}", 2
        while name in taken:
            name, n = f"{topic}Subscription{index + 1}x{n}", n + 1
        taken.add(name)
        kept.append({"logical_id": name, "type": "AWS::SNS::Subscription",
                     "properties": {"TopicArn": {"Ref": topic}, **copy.deepcopy(raw)}})
    return kept


def _sam_generated(imp: TemplateImport, name: str) -> list[str] | None:
    for node_key, node_id in sorted(imp.b.node_of.items(), key=lambda kv: -len(kv[0])):
        if not name.startswith(node_key) or name == node_key:
            continue
        service = imp.b.arch.nodes[node_id].service
        for pattern, wanted, part in SAM_GENERATED:
            if service == wanted and pattern.fullmatch(name[len(node_key):]):
                return [node_id, part] if part else [node_id]
    return None


def property_references(resource: dict) -> set[str]:
    """Logical ids (and SAM's `Name.Attribute` forms) a raw resource's properties refer to
    (a DependsOn only orders, and the exporter points it at the owning node if need be)."""
    return references(resource.get("Properties") or {}) | references(resource.get("Metadata") or {})
