"""The service catalogue: every per-service fact Stratus knows, declared once.

The palette, the inspector, the validator, the simulator's wiring and the exporters all
read these tables; nothing else in the code base should branch on a service key to learn
what a service *is*. (Behaviour — how a service queues or throttles — lives in
`simulation/`, and each exporter renders resources, but both look the service up here.)

Three tables:
- SERVICES: one `ServiceSpec` per service key, with its config fields and its AWS facts
  (`ServiceSpec.aws`: resource types, deploy kind, name limits, handle, principal, log
  group, the types the importers read as it).
- EDGE_RULES: which (source service, target service) pairs AWS really integrates, the
  edge's kind and its own config fields.
- DISTRIBUTIONS and LOAD_PATTERNS: the parameter shapes the file format accepts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Mapping

# --------------------------------------------------------------------------------------
# Field definitions


@dataclass(frozen=True)
class Field:
    """One config field: enough to validate a value and to build an inspector widget.

    kind is one of: int, float, bool, choice, str, dist (a latency distribution), path,
    list (of numbers), routes (of an API edge: "GET /items", as a list or one text
    separated by commas).
    """

    name: str
    kind: str
    default: Any
    help: str
    unit: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    nullable: bool = False  # None is a meaningful value (e.g. "unreserved")

    def describe_range(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        if self.min is not None and self.max is not None:
            return f"{_num(self.min)}..{_num(self.max)}{unit}"
        if self.min is not None:
            return f">= {_num(self.min)}{unit}"
        if self.max is not None:
            return f"<= {_num(self.max)}{unit}"
        return ""


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _int(name, default, help, unit="", min=None, max=None, nullable=False) -> Field:
    return Field(name, "int", default, help, unit, min, max, nullable=nullable)


def _float(name, default, help, unit="", min=None, max=None, nullable=False) -> Field:
    return Field(name, "float", default, help, unit, min, max, nullable=nullable)


def _choice(name, default, choices, help) -> Field:
    return Field(name, "choice", default, help, choices=tuple(choices))


def _bool(name, default, help) -> Field:
    return Field(name, "bool", default, help)


def _str(name, default, help) -> Field:
    return Field(name, "str", default, help)


def _dist(name, default, help) -> Field:
    return Field(name, "dist", default, help, unit="ms")


def _lognormal(p50: float, p99: float) -> dict:
    return {"dist": "lognormal", "p50": p50, "p99": p99}


# --------------------------------------------------------------------------------------
# What each service is on AWS
#
# The AWS facts sit in the catalogue entry itself (ServiceSpec.aws) rather than in a table
# of model/aws: model/aws reads the catalogue (edge rules, these records), so declaring
# them here keeps the dependency pointing one way, and a new service is still one entry.
# How a format *spells* these facts (CloudFormation's Fn::GetAtt names, Terraform's
# arguments) stays with that format's renderers.

# What a reference to a node's main resource may name. Each output has one table saying
# how it writes each (CloudFormation Ref/Fn::GetAtt, Terraform attributes, the deployer's
# recorded outputs); model.aws.wiring uses the same names.
ARN, NAME, URL, STREAM_ARN, ID = "arn", "name", "url", "stream_arn", "id"


@dataclass(frozen=True)
class AwsResource:
    """The AWS resource a node becomes, as each output names it."""

    kind: str  # the live deployer's kind (exporters/deploy/resources), e.g. "queue"
    cloudformation: str  # the type the CloudFormation and SAM exports write
    terraform: str  # the Terraform resource type
    name_limit: int  # the longest physical name AWS accepts (the deployer cuts names to it)
    # Characters the node's part of the name may take in an exported template, once
    # "${NamePrefix}-${Stage}-" (model.aws.naming.TEMPLATE_PREFIX_ROOM) and any suffix
    # (".fifo", a bucket's account id) are added: it keeps the whole within name_limit.
    template_name_room: int


@dataclass(frozen=True)
class ImportTypes:
    """Every resource type the importers read as a node of this service."""

    cloudformation: tuple[str, ...]
    sam: tuple[str, ...] = ()
    terraform: tuple[str, ...] = ()


@dataclass(frozen=True)
class AwsFacts:
    """One service's format-neutral AWS facts, read by the exporters, the deployer and
    model.aws (the importers' type maps are declared here too).

    A service whose main resource follows a config field (API Gateway's `api_type`) names
    that field in `variant_field` and gives the resource of each value in `variants`;
    `main` is then the resource of the field's default value.
    """

    main: AwsResource
    imports: ImportTypes
    handle: str  # what code is handed to call the node (environment, task parameters): ARN, NAME, URL, ID
    arn_service: str  # the service part of its ARNs: arn:<partition>:<arn_service>:...
    # The service principal it acts as: the role it runs as, and the principal that
    # resource policies name when it delivers to a queue, topic or function. None: neither.
    principal: str | None = None
    # Edge kinds leaving a node of this service whose actions (model.aws.iam.ACTIONS) go
    # on the node's own role.
    role_edges: frozenset[str] = frozenset()
    log_group_prefix: str = ""  # the CloudWatch log group its logs go to, before the resource's name
    # (field, value): a node whose field has this value stands for what every account
    # already has (the default event bus): used, never created or deleted.
    account_owned_when: tuple[str, Any] | None = None
    variant_field: str = ""
    variants: Mapping[str, AwsResource] = field(default_factory=dict)

    def resource(self, config: Mapping[str, Any]) -> AwsResource:
        """The main resource a node with this (effective) config becomes."""
        if self.variant_field:
            return self.variants[config[self.variant_field]]
        return self.main

    def account_owned(self, config: Mapping[str, Any]) -> bool:
        if self.account_owned_when is None:
            return False
        name, value = self.account_owned_when
        return config.get(name, value) == value

    @property
    def resources(self) -> tuple[AwsResource, ...]:
        """Every main resource a node of this service may become."""
        return tuple(self.variants.values()) if self.variant_field else (self.main,)


# --------------------------------------------------------------------------------------
# Services


@dataclass(frozen=True)
class ServiceSpec:
    key: str
    name: str
    category: str  # compute, integration, database, storage, analytics
    icon: str  # file name under assets/icons/
    fields: tuple[Field, ...]
    entry: str  # who sends outside traffic here ("" = takes none)
    summary: str
    aws: AwsFacts

    def field(self, name: str) -> Field | None:
        return self.field_map.get(name)

    @property
    def field_map(self) -> Mapping[str, Field]:
        return {f.name: f for f in self.fields}

    @property
    def takes_outside_traffic(self) -> bool:
        return bool(self.entry)

    def defaults(self) -> dict:
        return {f.name: f.default for f in self.fields}


CATEGORY_COLOURS = MappingProxyType(
    {
        "compute": "#ED7100",
        "integration": "#E7157B",
        "database": "#3B48CC",
        "storage": "#7AA116",
        "analytics": "#8C4FFF",
    }
)

LAMBDA_RUNTIMES = (
    "python3.14", "python3.13", "python3.12", "python3.11", "nodejs24.x", "nodejs22.x", "nodejs20.x",
    "java21", "java17", "dotnet8", "ruby3.3", "provided.al2023",
)

# AwsResource(deploy kind, CloudFormation type, Terraform type, name limit, template name room)
_REST_API = AwsResource("rest_api", "AWS::ApiGateway::RestApi", "aws_api_gateway_rest_api", 128, 100)

_SERVICE_LIST = (
    ServiceSpec(
        key="api_gateway",
        name="API Gateway",
        category="integration",
        icon="api_gateway.svg",
        entry="clients calling the API",
        summary="HTTPS front door: throttles with a token bucket and forwards to its integrations.",
        aws=AwsFacts(
            main=_REST_API,
            variant_field="api_type",
            variants={"rest": _REST_API,
                      "http": AwsResource("http_api", "AWS::ApiGatewayV2::Api", "aws_apigatewayv2_api", 128, 100)},
            imports=ImportTypes(("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api"),
                                ("AWS::Serverless::Api", "AWS::Serverless::HttpApi"),
                                ("aws_api_gateway_rest_api", "aws_apigatewayv2_api")),
            handle=ID,
            arn_service="execute-api",  # the ARN of its stages, methods and paths (what callers are granted)
            principal="apigateway.amazonaws.com",
            role_edges=frozenset({"integration"}),
            log_group_prefix="/aws/apigateway/",
        ),
        fields=(
            _choice("api_type", "rest", ("rest", "http"), "REST API (v1) or HTTP API (v2)"),
            _float("throttle_rate_rps", 10000, "Steady-state request rate the stage allows",
                   "req/s", 0.001, 1_000_000),
            _int("throttle_burst", 5000, "Token bucket size: requests allowed in a burst",
                 "requests", 0, 1_000_000),
            _int("timeout_ms", 29000, "Integration timeout: the client gets a 504 after this",
                 "ms", 50, 300_000),
            _dist("overhead_ms", 8, "Latency API Gateway adds to each request"),
            _str("stage", "prod", "Stage name used in the exported URL"),
        ),
    ),
    ServiceSpec(
        key="lambda",
        name="Lambda",
        category="compute",
        icon="lambda.svg",
        entry="direct synchronous Invoke calls",
        summary="Function: one request per execution environment, cold starts, concurrency caps.",
        aws=AwsFacts(
            main=AwsResource("function", "AWS::Lambda::Function", "aws_lambda_function", 64, 38),
            imports=ImportTypes(("AWS::Lambda::Function",), ("AWS::Serverless::Function",), ("aws_lambda_function",)),
            handle=ARN,
            arn_service="lambda",
            principal="lambda.amazonaws.com",
            role_edges=frozenset({"data_access", "send", "publish", "put_record", "put_events", "invoke",
                                  "start_execution", "on_failure"}),
            log_group_prefix="/aws/lambda/",
        ),
        fields=(
            _choice("runtime", "python3.12", LAMBDA_RUNTIMES, "Language runtime"),
            _choice("architecture", "x86_64", ("x86_64", "arm64"), "Instruction set (arm64 is cheaper)"),
            _int("memory_mb", 128, "Memory; CPU share grows with it", "MB", 128, 10240),
            _int("timeout_s", 3, "The invocation is stopped and fails after this", "s", 1, 900),
            _int("reserved_concurrency", None, "Concurrency reserved for this function (empty = shares the account pool)",
                 "environments", 0, 100_000, nullable=True),
            _int("provisioned_concurrency", 0, "Environments kept initialised: no cold starts",
                 "environments", 0, 100_000),
            _dist("duration_ms", _lognormal(50, 250), "Handler time, without downstream calls"),
            _float("per_record_ms", 0, "Handler time added per record of a batch from a queue or stream",
                   "ms", 0, 900_000),
            _dist("cold_start_ms", {"dist": "normal", "mean": 250, "stddev": 50},
                  "Extra time of an invocation that needs a new environment"),
            _int("idle_timeout_s", 600, "A warm environment is reclaimed after this long unused",
                 "s", 1, 86_400),
            _float("error_rate", 0.0, "Share of invocations whose handler fails", "", 0, 1),
            _int("max_retry_attempts", 2, "Retries of a failed asynchronous invocation", "", 0, 2),
            _str("handler", "index.handler", "Handler entry point"),
            Field("code", "path", None, "Folder with the handler's code (empty = placeholder)",
                  nullable=True),
        ),
    ),
    ServiceSpec(
        key="dynamodb",
        name="DynamoDB",
        category="database",
        icon="dynamodb.svg",
        entry="clients writing items",
        summary="Key-value table: capacity in read/write units, optional change stream.",
        aws=AwsFacts(
            main=AwsResource("table", "AWS::DynamoDB::Table", "aws_dynamodb_table", 255, 200),
            imports=ImportTypes(("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"),
                                ("AWS::Serverless::SimpleTable",), ("aws_dynamodb_table",)),
            handle=NAME,
            arn_service="dynamodb",
        ),
        fields=(
            _choice("billing_mode", "on_demand", ("on_demand", "provisioned"), "How capacity is bought"),
            _int("read_capacity", 5, "Provisioned read capacity units (4 KB strongly consistent reads/s)",
                 "RCU", 1, 1_000_000),
            _int("write_capacity", 5, "Provisioned write capacity units (1 KB writes/s)",
                 "WCU", 1, 1_000_000),
            _float("item_kb", 1.0, "Average item size", "KB", 0.001, 400),
            _dist("latency_ms", _lognormal(6, 25), "Service-side latency of one call"),
            _choice("stream", "none", ("none", "keys_only", "new_image", "old_image", "new_and_old_images"),
                    "Change stream view (needed to trigger a function)"),
            _str("partition_key", "pk", "Partition key attribute name"),
            _float("hot_key_share", 0.0, "Share of calls that go to one hot item (its partition "
                   "serves at most 1,000 WCU or 3,000 RCU)", "", 0, 1),
            _int("warm_write_units", 4000, "On-demand: writes/s the table serves at once (a new "
                 "table: 4,000; it later doubles its previous peak)", "WRU/s", 1, 1_000_000),
            _int("warm_read_units", 12000, "On-demand: reads/s the table serves at once (a new "
                 "table: 12,000)", "RRU/s", 1, 1_000_000),
            _bool("auto_scaling", False, "Provisioned: scale capacity between read/write_capacity "
                  "and the maximums to keep utilisation at the target"),
            _int("max_read_capacity", 40000, "Provisioned with auto scaling: most RCU", "RCU", 1, 1_000_000),
            _int("max_write_capacity", 40000, "Provisioned with auto scaling: most WCU", "WCU", 1, 1_000_000),
            _float("target_utilization", 0.7, "Provisioned with auto scaling: consumed / provisioned "
                   "capacity to keep", "", 0.2, 0.9),
        ),
    ),
    ServiceSpec(
        key="s3",
        name="S3",
        category="storage",
        icon="s3.svg",
        entry="clients uploading objects",
        summary="Object storage: per-prefix request rates, event notifications.",
        aws=AwsFacts(
            main=AwsResource("bucket", "AWS::S3::Bucket", "aws_s3_bucket", 63, 24),
            imports=ImportTypes(("AWS::S3::Bucket",), (), ("aws_s3_bucket",)),
            handle=NAME,
            arn_service="s3",
            principal="s3.amazonaws.com",
        ),
        fields=(
            _float("object_kb", 256, "Average object size", "KB", 0.001, 5_000_000),
            _dist("latency_ms", _lognormal(20, 120), "Latency of one GET or PUT"),
            _int("prefixes", 1, "Key prefixes the load is spread over (rates are per prefix)",
                 "", 1, 100_000),
        ),
    ),
    ServiceSpec(
        key="sqs",
        name="SQS",
        category="integration",
        icon="sqs.svg",
        entry="producers sending messages",
        summary="Queue: holds messages until a consumer deletes them; redrive to a dead-letter queue.",
        aws=AwsFacts(
            main=AwsResource("queue", "AWS::SQS::Queue", "aws_sqs_queue", 80, 48),
            imports=ImportTypes(("AWS::SQS::Queue",), (), ("aws_sqs_queue",)),
            handle=URL,
            arn_service="sqs",
        ),
        fields=(
            _bool("fifo", False, "First-in-first-out queue with exactly-once processing"),
            _int("message_groups", 1, "FIFO only: distinct MessageGroupIds in the traffic (one batch "
                 "of a group is processed at a time)", "groups", 1, 1_000_000),
            _str("message_group_field", "groupId", "FIFO with more than one group: the message's "
                 "JSON field holding its group id (what direct integrations send as MessageGroupId)"),
            _int("visibility_timeout_s", 30, "A received message is hidden this long before redelivery",
                 "s", 0, 43_200),
            _float("message_kb", 1.0, "Average message size", "KB", 0.001, 1024),
            _int("max_receive_count", 5, "Receives before a message moves to the dead-letter queue",
                 "", 1, 1000),
            _int("retention_s", 345_600, "Messages older than this are deleted", "s", 60, 1_209_600),
            _dist("latency_ms", 10, "Latency of one SendMessage call"),
        ),
    ),
    ServiceSpec(
        key="sns",
        name="SNS",
        category="integration",
        icon="sns.svg",
        entry="publishers",
        summary="Topic: fans each message out to every subscription.",
        aws=AwsFacts(
            main=AwsResource("topic", "AWS::SNS::Topic", "aws_sns_topic", 256, 60),
            imports=ImportTypes(("AWS::SNS::Topic",), (), ("aws_sns_topic",)),
            handle=ARN,
            arn_service="sns",
            principal="sns.amazonaws.com",
        ),
        fields=(
            _bool("fifo", False, "FIFO topic (only SQS FIFO queues may subscribe)"),
            _dist("latency_ms", _lognormal(30, 150), "Publish-to-delivery latency"),
            _float("message_kb", 1.0, "Average message size", "KB", 0.001, 256),
        ),
    ),
    ServiceSpec(
        key="kinesis",
        name="Kinesis Data Streams",
        category="analytics",
        icon="kinesis.svg",
        entry="producers putting records",
        summary="Sharded stream: 1 MB/s or 1000 records/s in per shard, ordered per shard.",
        aws=AwsFacts(
            main=AwsResource("stream", "AWS::Kinesis::Stream", "aws_kinesis_stream", 128, 100),
            imports=ImportTypes(("AWS::Kinesis::Stream",), (), ("aws_kinesis_stream",)),
            handle=NAME,
            arn_service="kinesis",
        ),
        fields=(
            _choice("capacity_mode", "provisioned", ("provisioned", "on_demand"), "How shards are managed"),
            _int("shards", 1, "Shards (provisioned mode)", "shards", 1, 10_000),
            _float("record_kb", 1.0, "Average record size", "KB", 0.001, 1024),
            _int("retention_hours", 24, "How long records stay readable", "h", 24, 8760),
            _dist("latency_ms", 15, "Latency of one PutRecord call"),
        ),
    ),
    ServiceSpec(
        key="eventbridge",
        name="EventBridge",
        category="integration",
        icon="eventbridge.svg",
        entry="producers putting events (or a schedule)",
        summary="Event bus: rules match events and deliver them to targets.",
        aws=AwsFacts(
            main=AwsResource("event_bus", "AWS::Events::EventBus", "aws_cloudwatch_event_bus", 256, 200),
            imports=ImportTypes(("AWS::Events::EventBus",), (), ("aws_cloudwatch_event_bus",)),
            handle=NAME,
            arn_service="events",
            principal="events.amazonaws.com",
            role_edges=frozenset({"rule_target"}),
            account_owned_when=("bus_name", "default"),
        ),
        fields=(
            _dist("latency_ms", _lognormal(60, 400), "Put-to-target delivery latency"),
            _str("bus_name", "default", "Event bus name ('default' uses the account's bus)"),
            _float("event_kb", 1.0, "Average event size", "KB", 0.001, 256),
        ),
    ),
    ServiceSpec(
        key="step_functions",
        name="Step Functions",
        category="integration",
        icon="step_functions.svg",
        entry="executions started by clients",
        summary="Workflow: runs its task edges in order, one state transition each.",
        aws=AwsFacts(
            main=AwsResource("state_machine", "AWS::StepFunctions::StateMachine", "aws_sfn_state_machine", 80, 54),
            imports=ImportTypes(("AWS::StepFunctions::StateMachine",), ("AWS::Serverless::StateMachine",),
                                ("aws_sfn_state_machine",)),
            handle=ARN,
            arn_service="states",
            principal="states.amazonaws.com",
            role_edges=frozenset({"task"}),
            log_group_prefix="/aws/vendedlogs/states/",
        ),
        fields=(
            _choice("workflow_type", "standard", ("standard", "express"), "Standard (durable) or Express (fast, cheap)"),
            _dist("transition_ms", 25, "Overhead of one state transition"),
            _int("memory_mb", 64, "Memory billed per Express execution", "MB", 64, 10240),
        ),
    ),
)

SERVICES: Mapping[str, ServiceSpec] = MappingProxyType({s.key: s for s in _SERVICE_LIST})

# --------------------------------------------------------------------------------------
# Edges

# Edge kinds whose sender writes one fixed MessageGroupId to a FIFO queue whatever its
# message_groups: an EventBridge rule's SqsParameters take a constant id (PutTargets API,
# SqsParameters.MessageGroupId). The exporters write Stratus's fixed group there; the
# simulator puts those messages in one group; validation warns.
FIXED_MESSAGE_GROUP_KINDS = frozenset({"rule_target"})

CALLS = _float("calls", 1.0, "Mean calls per upstream request (below 1: a probability)", "", 0, 1000)
_ROUTE = (
    Field("routes", "routes", None, 'Routes this edge serves: "GET /items", "POST /items" (empty: method and path)',
          nullable=True),
    # The older form of one route per edge, still read: `routes` wins when both are set.
    _choice("method", "ANY", ("ANY", "GET", "POST", "PUT", "PATCH", "DELETE"), "HTTP method of the route"),
    _str("path", "/", "Route path"),
)
_RW = _choice("action", "read", ("read", "write", "read_write"), "What the caller does")
# DynamoDB reads are eventually consistent unless asked (ConsistentRead): half a read unit.
_CONSISTENCY = _choice("consistency", "eventual", ("eventual", "strong"),
                       "Reads: eventually consistent (half a read unit) or strongly consistent")
_ORDER = _int("order", 1, "Position of this task in the workflow", "", 1, 1000)
# A batch's handler time may grow with its size; the mapping can say so when the function
# handles batches from several sources differently.
_PER_RECORD_MS = _float("per_record_ms", None, "Handler time added per record of a batch from this "
                        "source (empty: the function's per_record_ms)", "ms", 0, 60_000, nullable=True)
_STREAM_SOURCE = (
    _int("batch_size", 100, "Records per invocation at most", "records", 1, 10_000),
    _int("parallelization_factor", 1, "Concurrent batches per shard", "", 1, 10),
    _float("batch_window_s", 0, "Wait this long to fill a batch", "s", 0, 300),
    _choice("starting_position", "LATEST", ("LATEST", "TRIM_HORIZON"), "Where reading starts"),
    _int("max_retry_attempts", -1, "Retries of a batch the function fails before it is discarded "
         "(-1: until its records expire, blocking the shard)", "", -1, 10_000),
    _int("max_record_age_s", -1, "Records older than this are discarded (-1: kept until the stream's "
         "retention ends; else 60..604800)", "s", -1, 604_800),
    _bool("bisect_on_error", False, "Split a failing batch in two and retry each half (uses no retry)"),
    _PER_RECORD_MS,
)


@dataclass(frozen=True)
class EdgeRule:
    """An integration AWS really offers between two services.

    synchronous: the caller waits for the target (its latency adds to the caller's).
    triggers: the call makes the target run code or deliver (for loop detection);
    a read of a table or bucket does not, which is why `action` can switch it off.
    """

    source: str
    target: str
    kind: str
    help: str
    fields: tuple[Field, ...] = ()
    synchronous: bool = True
    triggers: bool = True

    @property
    def all_fields(self) -> tuple[Field, ...]:
        return self.fields + (CALLS,)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.all_fields if f.name == name), None)

    def is_synchronous(self, config: Mapping[str, Any]) -> bool:
        if self.kind == "invoke" and self.source == "lambda":
            return config.get("mode", "sync") == "sync"
        return self.synchronous

    def is_triggering(self, config: Mapping[str, Any]) -> bool:
        if self.field("fraction") is not None and config.get("fraction") == 0:
            return False  # a rule that matches no events (a scheduled rule) passes none on
        if self.field("action") is not None:
            action = config.get("action", self.field("action").default)
            return self.triggers and action != "read"
        return self.triggers


def _rule(source, targets, kind, help, fields=(), synchronous=True, triggers=True):
    return [EdgeRule(source, t, kind, help, tuple(fields), synchronous, triggers) for t in targets]


_EDGE_LIST = (
    # API Gateway: Lambda proxy, or direct service integrations.
    _rule("api_gateway", ["lambda"], "invoke", "Lambda proxy integration", _ROUTE)
    + _rule("api_gateway", ["sqs"], "integration", "SendMessage integration", _ROUTE)
    + _rule("api_gateway", ["kinesis"], "integration", "PutRecord integration", _ROUTE)
    + _rule("api_gateway", ["step_functions"], "integration", "StartExecution integration", _ROUTE)
    + _rule("api_gateway", ["dynamodb"], "integration", "GetItem/PutItem integration",
            (_RW, _CONSISTENCY) + _ROUTE)
    # Lambda's SDK calls.
    + _rule("lambda", ["dynamodb"], "data_access", "SDK reads and writes", (_RW, _CONSISTENCY))
    + _rule("lambda", ["s3"], "data_access", "SDK reads and writes", (_RW,))
    + _rule("lambda", ["sqs"], "send", "SendMessage")
    + _rule("lambda", ["sns"], "publish", "Publish")
    + _rule("lambda", ["kinesis"], "put_record", "PutRecord")
    + _rule("lambda", ["eventbridge"], "put_events", "PutEvents")
    + _rule("lambda", ["lambda"], "invoke", "Invoke another function",
            (_choice("mode", "sync", ("sync", "async"), "RequestResponse (sync) or Event (async)"),))
    + _rule("lambda", ["step_functions"], "start_execution", "StartExecution")
    + _rule("lambda", ["sqs", "sns"], "on_failure",
            "Destination for asynchronous invocations that failed every retry, and for the "
            "batches its stream event source mappings discard",
            synchronous=False)
    # S3 event notifications (asynchronous).
    + _rule("s3", ["lambda", "sqs", "sns", "eventbridge"], "notification", "Event notification",
            (_choice("events", "object_created", ("object_created", "object_removed", "all"), "Which events"),
             _str("prefix", "", "Only keys starting with this"),
             _str("suffix", "", "Only keys ending with this")),
            synchronous=False)
    # Event source mappings: a poller inside Lambda reads and invokes.
    + _rule("sqs", ["lambda"], "event_source", "Event source mapping (Lambda polls the queue)",
            (_int("batch_size", 10, "Messages per invocation at most", "messages", 1, 10_000),
             _int("max_concurrency", None, "Cap on concurrent invocations from this queue",
                  "", 2, 1000, nullable=True),
             _float("batch_window_s", 0, "Wait this long to fill a batch", "s", 0, 300),
             _PER_RECORD_MS),
            synchronous=False)
    + _rule("kinesis", ["lambda"], "event_source", "Event source mapping (one reader per shard)",
            _STREAM_SOURCE, synchronous=False)
    + _rule("dynamodb", ["lambda"], "event_source", "Stream event source mapping",
            _STREAM_SOURCE, synchronous=False)
    + _rule("sqs", ["sqs"], "dead_letter",
            "Redrive: messages received max_receive_count times move here",
            synchronous=False)
    # SNS subscriptions.
    + _rule("sns", ["lambda", "sqs"], "subscription", "Subscription",
            (_bool("raw_message_delivery", False, "Deliver the bare message (SQS only)"),),
            synchronous=False)
    # EventBridge rules.
    + _rule("eventbridge", ["lambda", "sqs", "sns", "step_functions", "kinesis"], "rule_target",
            "Rule with this target",
            (_float("fraction", 1.0, "Share of events the rule's pattern matches", "", 0, 1),
             _str("pattern", '{"source": ["stratus.app"]}', "Event pattern (JSON)"),
             _str("schedule", "", "Schedule expression, rate(...) or cron(...): a scheduled rule on the "
                                  "default bus instead of a pattern (it matches no events: set fraction 0)")),
            synchronous=False)
    # Step Functions tasks.
    + _rule("step_functions", ["lambda", "sqs", "sns"], "task", "Task state", (_ORDER,))
    + _rule("step_functions", ["dynamodb"], "task", "Task state (GetItem/PutItem)", (_ORDER, _RW, _CONSISTENCY))
)

EDGE_RULES: tuple[EdgeRule, ...] = _EDGE_LIST


def rules_between(source_service: str, target_service: str) -> list[EdgeRule]:
    """Every kind of edge allowed from one service to another, the default first."""
    return [r for r in EDGE_RULES if r.source == source_service and r.target == target_service]


def edge_rule(source_service: str, target_service: str, kind: str | None = None) -> EdgeRule | None:
    """The rule for an edge; `kind=None` picks the pair's default kind."""
    rules = rules_between(source_service, target_service)
    if kind is None:
        return rules[0] if rules else None
    return next((r for r in rules if r.kind == kind), None)


def allowed_targets(source_service: str) -> list[str]:
    return sorted({r.target for r in EDGE_RULES if r.source == source_service})


# --------------------------------------------------------------------------------------
# Distributions and load patterns: parameter shapes only (sampling is in model.distributions,
# arrival generation in simulation.workloads).


@dataclass(frozen=True)
class Shape:
    name: str
    help: str
    fields: tuple[Field, ...] = field(default_factory=tuple)


_MS = "ms"
DISTRIBUTIONS: Mapping[str, Shape] = MappingProxyType({s.name: s for s in (
    Shape("fixed", "Always the same value", (_float("value", 10, "The value", _MS, 0),)),
    Shape("exponential", "Memoryless, given its mean", (_float("mean", 10, "Mean", _MS, 0),)),
    Shape("normal", "Bell curve, truncated at 0",
          (_float("mean", 10, "Mean", _MS, 0), _float("stddev", 2, "Standard deviation", _MS, 0))),
    Shape("lognormal", "Long-tailed, given its median and 99th percentile",
          (_float("p50", 10, "Median", _MS, 0), _float("p99", 50, "99th percentile", _MS, 0))),
    Shape("uniform", "Any value between two bounds equally likely",
          (_float("low", 5, "Lowest", _MS, 0), _float("high", 15, "Highest", _MS, 0))),
    Shape("empirical", "Resampled from measured values",
          (Field("samples", "list", [10.0], "Measured values", _MS),)),
)})

RPS = "req/s"
LOAD_PATTERNS: Mapping[str, Shape] = MappingProxyType({s.name: s for s in (
    Shape("constant", "Evenly spaced arrivals", (_float("rate_rps", 10, "Rate", RPS, 0),)),
    Shape("poisson", "Random arrivals at a mean rate", (_float("rate_rps", 10, "Mean rate", RPS, 0),)),
    Shape("ramp", "Poisson arrivals whose rate grows linearly over the scenario",
          (_float("from_rps", 1, "Rate at the start", RPS, 0), _float("to_rps", 100, "Rate at the end", RPS, 0))),
    Shape("spike", "A Poisson base rate with one burst",
          (_float("rate_rps", 10, "Base rate", RPS, 0), _float("spike_rps", 500, "Rate during the spike", RPS, 0),
           _float("at_s", 60, "Spike starts at", "s", 0), _float("length_s", 30, "Spike length", "s", 0))),
    Shape("diurnal", "Sinusoidal daily cycle (non-homogeneous Poisson)",
          (_float("mean_rps", 10, "Mean rate", RPS, 0), _float("amplitude", 0.5, "Swing as a share of the mean", "", 0, 1),
           _float("period_s", 86_400, "Cycle length", "s", 0))),
    Shape("trace", "Replay a CSV of arrival times or per-second counts",
          (_str("file", "trace.csv", "CSV file, relative to the design file"),)),
    Shape("schedule", "One request every N seconds (cron-like)", (_float("every_s", 60, "Interval", "s", 0),)),
)})

# Fields that must be strictly positive, not merely >= 0 (a zero rate or duration is a
# mistake worth naming, not a silent no-op).
STRICTLY_POSITIVE = frozenset({"rate_rps", "every_s", "period_s", "mean_rps", "length_s"})

ACCOUNT_FIELDS: tuple[Field, ...] = (
    _int("concurrency_limit", 1000, "Lambda concurrent executions for the account and region",
         "", 1, 1_000_000),
)

SCENARIO_FIELDS: tuple[Field, ...] = (
    _float("duration_s", 600, "Simulated time", "s", 0.001, 100_000_000),
    _int("seed", 1, "Random seed (same seed, same result)", "", 0, 2**63 - 1),
    _float("warmup_s", 0, "Leading time left out of the statistics", "s", 0, 100_000_000),
)

# Designs beyond these sizes are refused: the GUI and the simulator are planned for them.
MAX_NODES = 5000
MAX_EDGES = 20000
MAX_SCENARIOS = 500
