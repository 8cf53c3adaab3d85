"""Least-privilege IAM derived from a design's edges, shared by every renderer and the deployer.

Three questions, answered from data rather than per-format code:

- principals(arch): which nodes need an execution role (functions, state machines, APIs
  with direct service integrations, event buses whose rules target Step Functions/Kinesis).
- role_statements(arch, node_id): what that role may do — for each edge the node takes
  part in, the actions that edge needs, on that one resource only. Renderers turn
  `Statement.resource_node` into their own syntax (CFN !GetAtt/Fn::Sub, Terraform
  references, real ARNs for boto3).
- resource_policies(arch): who may send to what — SQS queue policies, SNS topic
  policies and Lambda permissions for service principals (S3, SNS, EventBridge, API GW).

No statement ever has a "*" action. A "*" resource appears only with `scope=ANY`, used for
the few actions AWS defines without resource-level permissions (X-Ray segments, the
CloudWatch Logs delivery API Step Functions uses); the renderers write "*" for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

from model.architecture import Architecture, Edge
from model.catalogue import SERVICES, edge_rule

# Statement scopes: what the resource of a statement is.
NODE = "node"  # the ARN of resource_node (+ resource_suffix)
OWN_LOGS = "own_logs"  # the principal's own CloudWatch log group (resource_node is None)
ANY = "any"  # "*": only for actions AWS offers without resource-level permissions
OWN_DLQ = "own_dead_letter_queue"  # the dead-letter queue the exporters add for the principal


@dataclass(frozen=True)
class Statement:
    actions: tuple[str, ...]  # e.g. ("dynamodb:PutItem", "dynamodb:UpdateItem")
    resource_node: str | None  # node id whose ARN is the resource (None: see scope)
    resource_suffix: str = ""  # appended to that ARN: "/*" (S3 objects), "/stream/*", "/index/*"
    sid: str = ""
    scope: str = NODE


@dataclass(frozen=True)
class ResourcePolicyGrant:
    """`principal_service` may perform `actions` on `target_node`, for events from `source_node`.

    kind: "lambda_permission" (AWS::Lambda::Permission / aws_lambda_permission),
    "sqs_queue_policy" or "sns_topic_policy". The renderer writes the condition on the
    source's ARN: for an EventBridge source that is the ARN of the rule made for the edge
    (source_node -> target_node), for API Gateway the API's execute-api ARN.
    """

    kind: str
    target_node: str
    source_node: str
    source_service: str
    principal_service: str  # "s3.amazonaws.com", "sns.amazonaws.com", ...
    actions: tuple[str, ...]


# --------------------------------------------------------------------------------------
# The action table: (edge kind, target service, action) -> ((actions, resource suffix), ...)
# `action` is the edge's read/write/read_write, or None for edges without one.

_DDB_READ = ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem")
_DDB_WRITE = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem")
_S3_READ = (("s3:GetObject",), "/*"), (("s3:ListBucket",), "")
_S3_WRITE = (("s3:PutObject", "s3:DeleteObject"), "/*")
# API Gateway direct integrations and Step Functions tasks do one call per route/state.
_DDB_ITEM_READ = ("dynamodb:GetItem",)
_DDB_ITEM_WRITE = ("dynamodb:PutItem",)
_SQS_POLL = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")
# kinesis:ListStreams is left out: it has no resource-level permission (it would need
# "*"), and an event source mapping on a known stream ARN works without it.
_KINESIS_POLL = ("kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream",
                 "kinesis:DescribeStreamSummary", "kinesis:ListShards")
_DDB_STREAM_POLL = ("dynamodb:GetRecords", "dynamodb:GetShardIterator",
                    "dynamodb:DescribeStream", "dynamodb:ListStreams")

Grant = tuple[tuple[str, ...], str]  # (actions, resource suffix)

ACTIONS: Mapping[tuple[str, str, str | None], tuple[Grant, ...]] = {
    # A caller's SDK calls (the source node's role).
    ("data_access", "dynamodb", "read"): ((_DDB_READ, ""), (_DDB_READ[1:3], "/index/*")),
    ("data_access", "dynamodb", "write"): ((_DDB_WRITE, ""),),
    ("data_access", "dynamodb", "read_write"): ((_DDB_READ + _DDB_WRITE, ""), (_DDB_READ[1:3], "/index/*")),
    ("data_access", "s3", "read"): _S3_READ,
    ("data_access", "s3", "write"): (_S3_WRITE,),
    ("data_access", "s3", "read_write"): (((_S3_READ[0][0] + _S3_WRITE[0]), "/*"), _S3_READ[1]),
    ("send", "sqs", None): ((("sqs:SendMessage",), ""),),
    ("publish", "sns", None): ((("sns:Publish",), ""),),
    ("put_record", "kinesis", None): ((("kinesis:PutRecord", "kinesis:PutRecords"), ""),),
    ("put_events", "eventbridge", None): ((("events:PutEvents",), ""),),
    ("invoke", "lambda", None): ((("lambda:InvokeFunction",), ""),),
    ("start_execution", "step_functions", None): ((("states:StartExecution",), ""),),
    ("on_failure", "sqs", None): ((("sqs:SendMessage",), ""),),
    ("on_failure", "sns", None): ((("sns:Publish",), ""),),
    # API Gateway direct service integrations (the API's integration role).
    ("integration", "sqs", None): ((("sqs:SendMessage",), ""),),
    ("integration", "kinesis", None): ((("kinesis:PutRecord",), ""),),
    ("integration", "step_functions", None): ((("states:StartExecution",), ""),),
    ("integration", "dynamodb", "read"): ((_DDB_ITEM_READ, ""),),
    ("integration", "dynamodb", "write"): ((_DDB_ITEM_WRITE, ""),),
    ("integration", "dynamodb", "read_write"): ((_DDB_ITEM_READ + _DDB_ITEM_WRITE, ""),),
    # Step Functions task states (the state machine's role).
    ("task", "lambda", None): ((("lambda:InvokeFunction",), ""),),
    ("task", "sqs", None): ((("sqs:SendMessage",), ""),),
    ("task", "sns", None): ((("sns:Publish",), ""),),
    ("task", "dynamodb", "read"): ((_DDB_ITEM_READ, ""),),
    ("task", "dynamodb", "write"): ((_DDB_ITEM_WRITE, ""),),
    ("task", "dynamodb", "read_write"): ((_DDB_ITEM_READ + _DDB_ITEM_WRITE, ""),),
    # EventBridge rule targets that need a role (the others use resource policies).
    ("rule_target", "step_functions", None): ((("states:StartExecution",), ""),),
    ("rule_target", "kinesis", None): ((("kinesis:PutRecord",), ""),),
}

# Event source mappings: the *target* function's role polls the source.
POLL_ACTIONS: Mapping[str, Grant] = {
    "sqs": (_SQS_POLL, ""),
    "kinesis": (_KINESIS_POLL, ""),
    "dynamodb": (_DDB_STREAM_POLL, "/stream/*"),
}

# Edge kinds whose delivery is authorised by a policy on the target, not a role:
# (edge kind, target service) -> grant kind and actions.
RESOURCE_POLICY_KINDS: Mapping[tuple[str, str], tuple[str, tuple[str, ...]]] = {
    ("invoke", "lambda"): ("lambda_permission", ("lambda:InvokeFunction",)),
    ("notification", "lambda"): ("lambda_permission", ("lambda:InvokeFunction",)),
    ("subscription", "lambda"): ("lambda_permission", ("lambda:InvokeFunction",)),
    ("rule_target", "lambda"): ("lambda_permission", ("lambda:InvokeFunction",)),
    ("notification", "sqs"): ("sqs_queue_policy", ("sqs:SendMessage",)),
    ("subscription", "sqs"): ("sqs_queue_policy", ("sqs:SendMessage",)),
    ("rule_target", "sqs"): ("sqs_queue_policy", ("sqs:SendMessage",)),
    ("notification", "sns"): ("sns_topic_policy", ("sns:Publish",)),
    ("rule_target", "sns"): ("sns_topic_policy", ("sns:Publish",)),
}

# Who needs a role, and as which principal, is in each service's catalogue record
# (ServiceSpec.aws: `principal`, `role_edges`).


def service_principal(service: str) -> str | None:
    """The principal a service acts as ("lambda.amazonaws.com"), or None."""
    return SERVICES[service].aws.principal


_XRAY = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
_LAMBDA_LOGS = ("logs:CreateLogStream", "logs:PutLogEvents")
# Step Functions writes to CloudWatch Logs through the log-delivery API, which has no
# resource-level permissions: AWS documents these on "*".
_SFN_LOG_DELIVERY = (
    "logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups",
    "logs:DescribeResourcePolicies", "logs:GetLogDelivery", "logs:ListLogDeliveries",
    "logs:PutResourcePolicy", "logs:UpdateLogDelivery",
)
# Base statements per principal service: logging and tracing.
_BASE: Mapping[str, tuple[Statement, ...]] = {
    "lambda": (Statement(_LAMBDA_LOGS, None, ":*", "Logs", OWN_LOGS),
               Statement(_XRAY, None, "", "Tracing", ANY)),
    "step_functions": (Statement(_SFN_LOG_DELIVERY, None, "", "LogDelivery", ANY),
                       Statement(_XRAY, None, "", "Tracing", ANY)),
}


# --------------------------------------------------------------------------------------


class IndexedDesign:
    """A read-only view of an Architecture with its edges indexed by node and their kinds
    cached. Exporting asks "which edges leave/enter this node" for every node; the model
    answers by scanning every edge, which makes a 2000-node export quadratic."""

    def __init__(self, arch: Architecture) -> None:
        self._arch = arch
        self._out: dict[str, list[Edge]] = {}
        self._in: dict[str, list[Edge]] = {}
        for edge in arch.edges:
            self._out.setdefault(edge.source, []).append(edge)
            self._in.setdefault(edge.target, []).append(edge)
        self._kinds: dict[int, str | None] = {id(e): arch.edge_kind(e) for e in arch.edges}

    def __getattr__(self, name: str):
        return getattr(self._arch, name)

    def edges_from(self, node_id: str) -> list[Edge]:
        return list(self._out.get(node_id, ()))

    def edges_to(self, node_id: str) -> list[Edge]:
        return list(self._in.get(node_id, ()))

    def edge_kind(self, edge: Edge) -> str | None:
        kind = self._kinds.get(id(edge))
        return kind if kind is not None else self._arch.edge_kind(edge)


def indexed(arch: Architecture) -> Architecture:
    """`arch` with fast edge look-ups (the same object if it already is indexed)."""
    return arch if isinstance(arch, IndexedDesign) else IndexedDesign(arch)  # type: ignore[return-value]


def edge_action(arch: Architecture, edge: Edge) -> str | None:
    """The edge's read/write/read_write, defaulting as the catalogue does; None if it has none."""
    src, dst = arch.nodes[edge.source], arch.nodes[edge.target]
    rule = edge_rule(src.service, dst.service, arch.edge_kind(edge))
    field = rule.field("action") if rule else None
    return edge.config.get("action", field.default) if field else None


def edge_grants(arch: Architecture, edge: Edge) -> tuple[Grant, ...]:
    """What the source's role needs for this edge (empty when a resource policy covers it)."""
    kind = arch.edge_kind(edge)
    target = arch.nodes[edge.target].service
    return ACTIONS.get((kind, target, edge_action(arch, edge)), ())


def principals(arch: Architecture) -> list[str]:
    """Node ids that need an execution role, in design order."""
    return [node_id for node_id, node in arch.nodes.items() if _needs_role(arch, node_id, node.service)]


def _needs_role(arch: Architecture, node_id: str, service: str) -> bool:
    if service in _BASE:  # functions and state machines always run as a role
        return True
    kinds = SERVICES[service].aws.role_edges
    return bool(kinds) and any(arch.edge_kind(e) in kinds and edge_grants(arch, e)
                               for e in arch.edges_from(node_id))


def role_statements(arch: Architecture, principal_node_id: str,
                    own_dead_letter_queue: bool = False) -> list[Statement]:
    """Least-privilege statements for one principal's role, merged and in stable order.

    own_dead_letter_queue: the caller gives functions that need one a dead-letter queue of
    their own (see needs_dead_letter_queue); Lambda sends to it with the function's role."""
    node = arch.nodes[principal_node_id]
    grants: dict[tuple[str | None, str, str], set[str]] = {}
    if own_dead_letter_queue and needs_dead_letter_queue(arch, principal_node_id):
        grants[(None, "", OWN_DLQ)] = {"sqs:SendMessage"}
    for stmt in _BASE.get(node.service, ()):
        grants.setdefault((stmt.resource_node, stmt.resource_suffix, stmt.scope), set()).update(stmt.actions)
    own_kinds = SERVICES[node.service].aws.role_edges
    for edge in arch.edges_from(principal_node_id):
        if arch.edge_kind(edge) in own_kinds:
            for actions, suffix in edge_grants(arch, edge):
                grants.setdefault((edge.target, suffix, NODE), set()).update(actions)
    for edge in arch.edges_to(principal_node_id):
        if arch.edge_kind(edge) == "event_source":
            actions, suffix = POLL_ACTIONS[arch.nodes[edge.source].service]
            grants.setdefault((edge.source, suffix, NODE), set()).update(actions)
    return [_statement(arch, key, actions) for key, actions in _ordered(grants)]


def _ordered(grants: dict) -> Iterable:
    scope_rank = {OWN_LOGS: 0, OWN_DLQ: 1, ANY: 2, NODE: 3}
    return sorted(grants.items(), key=lambda kv: (scope_rank[kv[0][2]], kv[0][0] or "", kv[0][1]))


def _statement(arch: Architecture, key: tuple, actions: set[str]) -> Statement:
    node_id, suffix, scope = key
    return Statement(tuple(sorted(actions)), node_id, suffix, _sid(arch, node_id, suffix, scope, actions), scope)


def _sid(arch: Architecture, node_id: str | None, suffix: str, scope: str, actions: set[str]) -> str:
    """A readable, unique-per-role statement id (alphanumeric, as IAM requires)."""
    if scope == OWN_LOGS:
        return "OwnLogs"
    if scope == OWN_DLQ:
        return "OwnDeadLetterQueue"
    if scope == ANY:
        return "".join(sorted({_camel(a.split(":")[0]) for a in actions})) + "NoResourceLevel"
    part = {"": "", "/*": "Objects", "/stream/*": "Stream", "/index/*": "Indexes"}.get(suffix, "Sub")
    return _camel(node_id) + part


def _camel(text: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in text.replace("-", "_").split("_") if p)


ASYNC_INVOKE_KINDS = frozenset({"notification", "subscription", "rule_target"})


def invoked_asynchronously(arch: Architecture, node_id: str) -> bool:
    """Does anything invoke this function with the Event (asynchronous) invocation type?"""
    for edge in arch.edges_to(node_id):
        kind = arch.edge_kind(edge)
        if kind in ASYNC_INVOKE_KINDS or (kind == "invoke" and arch.nodes[edge.source].service == "lambda"
                                          and edge.config.get("mode", "sync") == "async"):
            return True
    return False


def needs_dead_letter_queue(arch: Architecture, node_id: str) -> bool:
    """Asynchronous invocations that fail every retry must land somewhere: the design's
    on_failure destination if it has one, else a dead-letter queue the exporters add."""
    return (arch.nodes[node_id].service == "lambda" and invoked_asynchronously(arch, node_id)
            and not any(arch.edge_kind(e) == "on_failure" for e in arch.edges_from(node_id)))


def resource_policies(arch: Architecture) -> list[ResourcePolicyGrant]:
    """Grants to AWS services that deliver to a resource, in edge order."""
    grants = []
    for edge in arch.edges:
        src, dst = arch.nodes[edge.source], arch.nodes[edge.target]
        policy = RESOURCE_POLICY_KINDS.get((arch.edge_kind(edge), dst.service))
        principal = service_principal(src.service)
        # Lambda -> Lambda invoke is an IAM call on the caller's role, not a permission.
        if policy is None or principal is None or src.service == "lambda":
            continue
        kind, actions = policy
        grants.append(ResourcePolicyGrant(kind, edge.target, edge.source, src.service, principal, actions))
    return grants


def all_statements(arch: Architecture) -> dict[str, list[Statement]]:
    """Every principal's statements (for tests and the deployer's plan)."""
    return {node_id: role_statements(arch, node_id) for node_id in principals(arch)}
