"""How the services are wired to one another: the facts every output format shares.

The CloudFormation and Terraform renderers and the live deployer each write these facts in
their own syntax; none of them decides per service or per edge kind on its own. Adding a
service means adding rows here (and its resource renderers), not branches in each format.

References name an *attribute* of a node's main resource, never a format's spelling of it:
ARN, NAME, URL, STREAM_ARN, ID. Each format has one table that says how it writes each
(service, attribute): CloudFormation `Ref`/`Fn::GetAtt`, Terraform `<type>.<name>.<attr>`,
the deployer's recorded outputs. Where a fact names an AWS API parameter it uses the API's
own spelling (`BatchSize`, `SqsParameters`), which CloudFormation shares and Terraform
turns into snake_case arguments and blocks.

IAM (which actions, which resource policies) lives in model.aws.iam; this module says how
the resources are connected.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from model.architecture import Architecture, Edge, Node
from model.errors import StratusError

from . import iam

ARN, NAME, URL, STREAM_ARN, ID = "arn", "name", "url", "stream_arn", "id"

# API Gateway's longest integration timeout: 29 s for REST APIs, 30 s for HTTP APIs
# (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
MAX_INTEGRATION_TIMEOUT_MS = {"rest": 29_000, "http": 30_000}


def integration_timeout_ms(cfg: Mapping[str, Any]) -> int:
    """Every route's integration timeout: an API node's timeout_ms within its kind's limit."""
    return min(int(cfg["timeout_ms"]), MAX_INTEGRATION_TIMEOUT_MS[cfg["api_type"]])

# What code is handed to call a node (a function's environment variable, a state
# machine's task parameter): the attribute its SDK call takes.
HANDLE: Mapping[str, str] = {
    "lambda": ARN, "dynamodb": NAME, "s3": NAME, "sqs": URL, "sns": ARN, "kinesis": NAME,
    "eventbridge": NAME, "step_functions": ARN, "api_gateway": ID,
}

# Where each service writes its logs (CloudWatch log group name, before the resource's name).
LOG_GROUP_PREFIX: Mapping[str, str] = {
    "lambda": "/aws/lambda/", "step_functions": "/aws/vendedlogs/states/", "api_gateway": "/aws/apigateway/",
}

# Message group of everything Stratus's wiring sends to a FIFO queue (rules, integrations, tasks).
FIFO_GROUP = "stratus"
DEFAULT_BUS = "default"


def custom_bus(config: Mapping[str, Any]) -> bool:
    """An event bus node is either the account's default bus (there already, never created
    or deleted) or a bus of its own."""
    return config.get("bus_name", DEFAULT_BUS) != DEFAULT_BUS


# service -> does this node stand for something every account already has?
ACCOUNT_OWNED: Mapping[str, Callable[[Mapping[str, Any]], bool]] = {
    "eventbridge": lambda cfg: not custom_bus(cfg),
}


def account_owned(node: Node) -> bool:
    test = ACCOUNT_OWNED.get(node.service)
    return bool(test and test(node.effective_config()))


def edge_settings(arch: Architecture, edge: Edge) -> dict:
    """The edge's config over the catalogue's defaults for its rule."""
    from model.catalogue import edge_rule

    rule = edge_rule(arch.nodes[edge.source].service, arch.nodes[edge.target].service, arch.edge_kind(edge))
    return {**{f.name: f.default for f in (rule.fields if rule else ())}, **edge.config}


# --------------------------------------------------------------------------------------
# Event source mappings (queue or stream -> function)


@dataclass(frozen=True)
class EventSource:
    source_attribute: str  # what of the source the mapping reads
    stream: bool  # a stream (records in order, read from a starting position) or a queue
    # (edge field, API parameter): copied when set; a parameter "A.B" nests B inside A.
    optional: tuple[tuple[str, str], ...] = ()
    required: tuple[tuple[str, str], ...] = ()
    # Written by the exported templates on every mapping of this source (the deployer
    # leaves AWS's defaults for these).
    fixed: Mapping[str, Any] = field(default_factory=dict)


_STREAM_SETTINGS = (("starting_position", "StartingPosition"), ("parallelization_factor", "ParallelizationFactor"),
                    ("max_retry_attempts", "MaximumRetryAttempts"))
# A failing record splits its batch until the bad record is alone (streams retry in order).
_STREAM_FIXED = {"BisectBatchOnFunctionError": True}

EVENT_SOURCES: Mapping[str, EventSource] = {
    # The handler reports the failed messages of a batch; the rest are deleted.
    "sqs": EventSource(ARN, False, optional=(("max_concurrency", "ScalingConfig.MaximumConcurrency"),),
                       fixed={"FunctionResponseTypes": ["ReportBatchItemFailures"]}),
    "kinesis": EventSource(ARN, True, required=_STREAM_SETTINGS, fixed=_STREAM_FIXED),
    # A table's mapping reads its stream, not the table.
    "dynamodb": EventSource(STREAM_ARN, True, required=_STREAM_SETTINGS, fixed=_STREAM_FIXED),
}


def event_source(arch: Architecture, edge: Edge) -> EventSource:
    return EVENT_SOURCES[arch.nodes[edge.source].service]


def mapping_parameters(arch: Architecture, edge: Edge, fixed: bool = True) -> dict[str, Any]:
    """CreateEventSourceMapping parameters (API names) for an event_source edge."""
    source = event_source(arch, edge)
    settings = edge_settings(arch, edge)
    params: dict[str, Any] = {"BatchSize": int(settings["batch_size"])}
    if settings.get("batch_window_s"):
        params["MaximumBatchingWindowInSeconds"] = int(settings["batch_window_s"])
    for name, parameter in source.optional:
        if settings.get(name):
            _put(params, parameter, settings[name])
    for name, parameter in source.required:
        _put(params, parameter, settings[name])
    if fixed:
        params.update(source.fixed)
    return params


def _put(params: dict, parameter: str, value: Any) -> None:
    *outer, inner = parameter.split(".")
    for key in outer:
        params = params.setdefault(key, {})
    params[inner] = value if isinstance(value, str) else int(value)


# --------------------------------------------------------------------------------------
# SNS subscriptions and EventBridge rule targets


# target service -> (SNS protocol, may deliver the raw message instead of SNS's envelope)
SUBSCRIPTIONS: Mapping[str, tuple[str, bool]] = {"lambda": ("lambda", False), "sqs": ("sqs", True)}


def subscription(arch: Architecture, edge: Edge) -> tuple[str, bool]:
    """(protocol, raw message delivery) of a subscription edge."""
    protocol, raw_allowed = SUBSCRIPTIONS[arch.nodes[edge.target].service]
    return protocol, raw_allowed and bool(edge.config.get("raw_message_delivery", False))


# target service -> the PutTargets parameters a rule target of that service needs.
RULE_TARGET_PARAMETERS: Mapping[str, Callable[[Mapping[str, Any]], dict]] = {
    "kinesis": lambda cfg: {"KinesisParameters": {"PartitionKeyPath": "$.id"}},
    "sqs": lambda cfg: {"SqsParameters": {"MessageGroupId": FIFO_GROUP}} if cfg.get("fifo") else {},
}


def rule_target_parameters(arch: Architecture, edge: Edge) -> dict:
    target = arch.nodes[edge.target]
    return RULE_TARGET_PARAMETERS.get(target.service, lambda cfg: {})(target.effective_config())


def rule_target_needs_role(arch: Architecture, edge: Edge) -> bool:
    """Targets reached through the bus's role (Step Functions, Kinesis) rather than a
    resource policy on the target (Lambda, SQS, SNS): exactly those iam gives role actions."""
    return bool(iam.edge_grants(arch, edge))


def event_pattern(arch: Architecture, edge: Edge) -> Any:
    """The rule's event pattern (the catalogue's default when the edge gives none), parsed."""
    text = edge.config.get("pattern") or edge_settings(arch, edge)["pattern"]
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise StratusError(f"{edge.describe()}: 'pattern' is not valid JSON ({exc.msg})") from None


# --------------------------------------------------------------------------------------
# S3 event notifications

# The edge's `events` -> the S3 event types it subscribes to.
S3_EVENTS: Mapping[str, tuple[str, ...]] = {
    "object_created": ("s3:ObjectCreated:*",), "object_removed": ("s3:ObjectRemoved:*",),
    "all": ("s3:ObjectCreated:*", "s3:ObjectRemoved:*"),
}
# Targets S3 feeds through one bucket-wide switch (EventBridge receives every event once it
# is on) rather than one configuration entry per edge with its own events, filter and grant.
BUCKET_WIDE_NOTIFICATIONS = frozenset({"eventbridge"})


def notification_events(edge: Edge) -> tuple[str, ...]:
    return S3_EVENTS[edge.config.get("events", "object_created")]


def bucket_wide(arch: Architecture, edge: Edge) -> bool:
    return arch.nodes[edge.target].service in BUCKET_WIDE_NOTIFICATIONS


# --------------------------------------------------------------------------------------
# Resource policies


@dataclass(frozen=True)
class GrantSource:
    """What a resource policy's aws:SourceArn condition names for a sending service."""

    via_rule: bool = False  # EventBridge delivers through the rule made for the edge, not the bus
    arn_suffix: str = ""  # API Gateway: "/*", every stage, method and path of the API


GRANT_SOURCES: Mapping[str, GrantSource] = {
    "s3": GrantSource(), "sns": GrantSource(), "eventbridge": GrantSource(via_rule=True),
    "api_gateway": GrantSource(arn_suffix="/*"),
}

# Grant kind (iam.ResourcePolicyGrant.kind) of a policy document -> the attribute of the
# target its API names the resource by (a queue policy takes the URL, a topic policy the ARN).
POLICY_TARGET: Mapping[str, str] = {"sqs_queue_policy": URL, "sns_topic_policy": ARN}
LAMBDA_PERMISSION = "lambda_permission"


def grant_kind(arch: Architecture, edge: Edge) -> str:
    """The resource policy that lets the edge's source deliver to its target."""
    return iam.RESOURCE_POLICY_KINDS[(arch.edge_kind(edge), arch.nodes[edge.target].service)][0]


def grouped_grants(grants: list[iam.ResourcePolicyGrant]) -> tuple[list[iam.ResourcePolicyGrant],
                                                                  dict[str, list[iam.ResourcePolicyGrant]]]:
    """Lambda permissions (one resource each) and the other grants by target (one policy
    document per queue or topic), both in grant order."""
    permissions, by_target = [], {}
    for grant in grants:
        if grant.kind == LAMBDA_PERMISSION:
            permissions.append(grant)
        else:
            by_target.setdefault(grant.target_node, []).append(grant)
    return permissions, by_target


# --------------------------------------------------------------------------------------
# API Gateway integrations


@dataclass(frozen=True)
class Text:
    """Text with ${Var} placeholders, each standing for an attribute of the route's target.
    `${AWS::AccountId}` is the account (CloudFormation's spelling; other formats replace it)."""

    text: str
    variables: Mapping[str, str] = field(default_factory=dict)  # placeholder -> attribute


@dataclass(frozen=True)
class RestIntegration:
    proxy: bool  # AWS_PROXY (Lambda) or AWS (a service action with a request template)
    uri: Text  # after "arn:<partition>:apigateway:<region>:"
    template: Text | None = None  # the application/json request template (AWS integrations)
    content_type: str | None = None  # sent to the service as Content-Type


def _rest_lambda(arch, edge, method, path_params):
    return RestIntegration(True, Text("lambda:path/2015-03-31/functions/${Function}/invocations", {"Function": ARN}))


def _rest_sqs(arch, edge, method, path_params):
    body = "Action=SendMessage&MessageBody=$util.urlEncode($input.body)"
    if arch.nodes[edge.target].effective_config().get("fifo"):
        body += f"&MessageGroupId={FIFO_GROUP}&MessageDeduplicationId=$context.requestId"
    return RestIntegration(False, Text("sqs:path/${AWS::AccountId}/${Queue}", {"Queue": NAME}), Text(body),
                           "application/x-www-form-urlencoded")


def _rest_kinesis(arch, edge, method, path_params):
    return RestIntegration(False, Text("kinesis:action/PutRecord"), Text(
        '{"StreamName": "${Stream}", "Data": "$util.base64Encode($input.body)", "PartitionKey": "$context.requestId"}',
        {"Stream": NAME}))


def _rest_states(arch, edge, method, path_params):
    return RestIntegration(False, Text("states:action/StartExecution"), Text(
        '{"input": "$util.escapeJavaScript($input.body)", "stateMachineArn": "${Machine}"}', {"Machine": ARN}))


def _rest_dynamodb(arch, edge, method, path_params):
    """GetItem keyed by the last path parameter (reads, and GET/HEAD of read_write), else
    PutItem of the body keyed by the request id."""
    key = arch.nodes[edge.target].effective_config().get("partition_key") or "pk"
    action = iam.edge_action(arch, edge)
    if action == "read" or (action == "read_write" and method in ("GET", "HEAD")):
        source = f"$input.params('{path_params[-1] if path_params else key}')"
        return RestIntegration(False, Text("dynamodb:action/GetItem"), Text(
            '{"TableName": "${Table}", "Key": {"' + key + '": {"S": "' + source + '"}}}', {"Table": NAME}))
    return RestIntegration(False, Text("dynamodb:action/PutItem"), Text(
        '{"TableName": "${Table}", "Item": {"' + key + '": {"S": "$context.requestId"}, '
        '"body": {"S": "$util.escapeJavaScript($input.body)"}}}', {"Table": NAME}))


REST_INTEGRATIONS: Mapping[str, Callable[..., RestIntegration]] = {
    "lambda": _rest_lambda, "sqs": _rest_sqs, "kinesis": _rest_kinesis, "step_functions": _rest_states,
    "dynamodb": _rest_dynamodb,
}


def rest_integration(arch: Architecture, edge: Edge, method: str, path_params: list[str]) -> RestIntegration:
    return REST_INTEGRATIONS[arch.nodes[edge.target].service](arch, edge, method, path_params)


@dataclass(frozen=True)
class Attribute:
    """A request parameter whose value is an attribute of the route's target."""

    name: str


@dataclass(frozen=True)
class HttpIntegration:
    subtype: str | None  # None: Lambda proxy
    payload_format: str
    parameters: Mapping[str, Any] = field(default_factory=dict)  # str values, or Attribute


_HTTP_LAMBDA = HttpIntegration(None, "2.0")
HTTP_INTEGRATIONS: Mapping[str, Callable[[Mapping[str, Any]], HttpIntegration]] = {
    "lambda": lambda cfg: _HTTP_LAMBDA,
    "sqs": lambda cfg: HttpIntegration("SQS-SendMessage", "1.0", {
        "QueueUrl": Attribute(URL), "MessageBody": "$request.body",
        **({"MessageGroupId": FIFO_GROUP} if cfg.get("fifo") else {})}),
    "kinesis": lambda cfg: HttpIntegration("Kinesis-PutRecord", "1.0", {
        "StreamName": Attribute(NAME), "Data": "$request.body", "PartitionKey": "$context.requestId"}),
    "step_functions": lambda cfg: HttpIntegration("StepFunctions-StartExecution", "1.0", {
        "StateMachineArn": Attribute(ARN), "Input": "$request.body"}),
}


def http_integration(arch: Architecture, edge: Edge) -> HttpIntegration:
    target = arch.nodes[edge.target]
    if target.service not in HTTP_INTEGRATIONS:
        raise StratusError(f"{edge.describe()}: HTTP APIs have no direct {target.service} integration; "
                           f"set api_type: rest on '{edge.source}' or put a function in between")
    return HTTP_INTEGRATIONS[target.service](target.effective_config())
