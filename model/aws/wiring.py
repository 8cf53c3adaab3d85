"""How the services are wired to one another: the facts every output format shares.

The CloudFormation and Terraform renderers and the live deployer each write these facts in
their own syntax; none of them decides per service or per edge kind on its own. A
service's own facts (its handle, log group, whether the account already owns it) are in
its catalogue record (model.catalogue, ServiceSpec.aws); the tables here say how it
connects to other services, keyed by the service at either end of an edge.

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

from model import catalogue
from model.architecture import Architecture, Edge, Node
from model.catalogue import SERVICES, edge_rule
from model.errors import StratusError

from . import iam

# The attributes a reference may name, declared with the catalogue's records (whose
# `handle` is one of them).
ARN, NAME, URL, STREAM_ARN, ID = catalogue.ARN, catalogue.NAME, catalogue.URL, catalogue.STREAM_ARN, catalogue.ID

# API Gateway's longest integration timeout: 29 s for REST APIs, 30 s for HTTP APIs
# (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
MAX_INTEGRATION_TIMEOUT_MS = {"rest": 29_000, "http": 30_000}


def integration_timeout_ms(cfg: Mapping[str, Any]) -> int:
    """Every route's integration timeout: an API node's timeout_ms within its kind's limit."""
    return min(int(cfg["timeout_ms"]), MAX_INTEGRATION_TIMEOUT_MS[cfg["api_type"]])


def handle(service: str) -> str:
    """What code is handed to call a node (a function's environment variable, a state
    machine's task parameter): the attribute its SDK call takes."""
    return SERVICES[service].aws.handle


def log_group_name(service: str, resource_name: str) -> str:
    """The CloudWatch log group a service writes a resource's logs to."""
    return SERVICES[service].aws.log_group_prefix + resource_name


# Message group of everything Stratus's wiring sends to a FIFO queue of one message group
# (rules, integrations, tasks). With more groups (`message_groups` > 1) the integrations and
# tasks take each message's group id from its `message_group_field`; EventBridge rules take
# only a constant id and still write this one (catalogue.FIXED_MESSAGE_GROUP_KINDS), which
# is what the simulator assumes too.
FIFO_GROUP = "stratus"


def message_group_field(queue_config: Mapping[str, Any]) -> str | None:
    """The message field a FIFO queue's integrations and tasks read the MessageGroupId from,
    or None when they write FIFO_GROUP (a queue of one message group)."""
    if queue_config.get("message_groups", 1) > 1:
        return queue_config.get("message_group_field", "groupId")
    return None
DEFAULT_BUS = "default"  # the name of every account's own event bus


def custom_bus(config: Mapping[str, Any]) -> bool:
    """An event bus node is either the account's default bus (there already, never created
    or deleted: its catalogue record says when) or a bus of its own."""
    return not SERVICES["eventbridge"].aws.account_owned(config)


def account_owned(node: Node) -> bool:
    """Does this node stand for something every account already has (the default bus)?"""
    return SERVICES[node.service].aws.account_owned(node.effective_config())


def edge_settings(arch: Architecture, edge: Edge) -> dict:
    """The edge's config over the catalogue's defaults for its rule."""
    rule = edge_rule(arch.nodes[edge.source].service, arch.nodes[edge.target].service, arch.edge_kind(edge))
    return {**{f.name: f.default for f in (rule.fields if rule else ())}, **edge.config}


# --------------------------------------------------------------------------------------
# Settings of a node's own resource that follow from its edges (each format spells them)


def environment(arch: Architecture, node_id: str) -> dict[str, str]:
    """A function's environment: one variable per node it calls, named after that node
    (ORDERS=<the orders table's handle>): variable -> node id."""
    return {edge.target.upper(): edge.target for edge in arch.edges_from(node_id)
            # Lambda delivers failures itself; the code never calls the destination.
            if arch.edge_kind(edge) != "on_failure"}


def visibility_timeout(arch: Architecture, node_id: str) -> int:
    """A queue's visibility timeout: at least its consuming functions' timeout (Lambda
    refuses the event source mapping otherwise)."""
    consumers = [int(arch.nodes[e.target].effective_config()["timeout_s"])
                 for e in arch.edges_from(node_id) if arch.edge_kind(e) == "event_source"]
    return max([int(arch.nodes[node_id].effective_config()["visibility_timeout_s"])] + consumers)


def stream_view(arch: Architecture, node_id: str) -> str | None:
    """A table's stream view type (API spelling: NEW_AND_OLD_IMAGES), if it has a stream:
    its own setting, or new and old images when a function reads the stream."""
    view = arch.nodes[node_id].effective_config().get("stream", "none")
    if view == "none" and any(arch.edge_kind(e) == "event_source" for e in arch.edges_from(node_id)):
        view = "new_and_old_images"
    return None if view == "none" else view.upper()


AWS_MANAGED_SNS_KEY = "alias/aws/sns"


@dataclass(frozen=True)
class TopicSettings:
    fifo: bool
    kms_key: str | None  # None: left unencrypted, see topic_settings


def topic_settings(arch: Architecture, node_id: str,
                   grants: list[iam.ResourcePolicyGrant] | None = None) -> TopicSettings:
    """FIFO or not, and its encryption key. S3 and EventBridge cannot use the AWS-managed
    aws/sns key (its key policy cannot grant them), so a topic they publish to (through
    its topic policy) stays unencrypted: encrypting it would silently drop their messages.
    `grants`: iam.resource_policies(arch), when the caller has it already."""
    grants = iam.resource_policies(arch) if grants is None else grants
    service_publishers = [g for g in grants if g.target_node == node_id and g.kind == "sns_topic_policy"]
    return TopicSettings(fifo=bool(arch.nodes[node_id].effective_config().get("fifo")),
                         kms_key=None if service_publishers else AWS_MANAGED_SNS_KEY)


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
                    ("max_retry_attempts", "MaximumRetryAttempts"),
                    ("max_record_age_s", "MaximumRecordAgeInSeconds"),
                    ("bisect_on_error", "BisectBatchOnFunctionError"))

EVENT_SOURCES: Mapping[str, EventSource] = {
    # The handler reports the failed messages of a batch; the rest are deleted.
    "sqs": EventSource(ARN, False, optional=(("max_concurrency", "ScalingConfig.MaximumConcurrency"),),
                       fixed={"FunctionResponseTypes": ["ReportBatchItemFailures"]}),
    "kinesis": EventSource(ARN, True, required=_STREAM_SETTINGS),
    # A table's mapping reads its stream, not the table.
    "dynamodb": EventSource(STREAM_ARN, True, required=_STREAM_SETTINGS),
}


def event_source(arch: Architecture, edge: Edge) -> EventSource:
    return EVENT_SOURCES[arch.nodes[edge.source].service]


def mapping_failure_destination(arch: Architecture, edge: Edge) -> str | None:
    """The node a stream mapping sends the batches it discards to (its DestinationConfig
    OnFailure): the function's own on_failure destination, as the simulator does; None for
    queues (they have a dead-letter queue instead) or a function without one."""
    if not event_source(arch, edge).stream:
        return None
    failures = [e.target for e in arch.edges_from(edge.target) if arch.edge_kind(e) == "on_failure"]
    return failures[0] if failures else None


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
    params[inner] = value if isinstance(value, (str, bool)) else int(value)


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


def rule_schedule(edge: Edge) -> str | None:
    """A scheduled rule's expression (rate(...) or cron(...)), or None for a pattern rule."""
    schedule = edge.config.get("schedule")
    return schedule.strip() if isinstance(schedule, str) and schedule.strip() else None


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
    queue = arch.nodes[edge.target].effective_config()
    if queue.get("fifo"):
        field_name = message_group_field(queue)
        group = f"$util.urlEncode($input.path('$.{field_name}'))" if field_name else FIFO_GROUP
        body += f"&MessageGroupId={group}&MessageDeduplicationId=$context.requestId"
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
        # GetItem is eventually consistent unless the edge asks for strong reads
        consistent = ', "ConsistentRead": true' if edge_settings(arch, edge).get("consistency") == "strong" else ""
        return RestIntegration(False, Text("dynamodb:action/GetItem"), Text(
            '{"TableName": "${Table}", "Key": {"' + key + '": {"S": "' + source + '"}}' + consistent + '}',
            {"Table": NAME}))
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


def _http_message_group(queue_config: Mapping[str, Any]) -> str:
    field_name = message_group_field(queue_config)
    return f"$request.body.{field_name}" if field_name else FIFO_GROUP


HTTP_INTEGRATIONS: Mapping[str, Callable[[Mapping[str, Any]], HttpIntegration]] = {
    "lambda": lambda cfg: _HTTP_LAMBDA,
    "sqs": lambda cfg: HttpIntegration("SQS-SendMessage", "1.0", {
        "QueueUrl": Attribute(URL), "MessageBody": "$request.body",
        **({"MessageGroupId": _http_message_group(cfg)} if cfg.get("fifo") else {})}),
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
