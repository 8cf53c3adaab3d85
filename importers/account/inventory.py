"""What is in the account: every resource of the nine services a region holds, as Records.

Reading happens in two passes so that a narrow scan stays cheap: `list_all` asks each
service for its resources (one paginated list call each), the scope (scope.py) keeps
some, and `read_details` then asks only about those (attributes, subscriptions, mappings,
routes, roles...). One `ResourceKind` per kind of resource declares how: its service, its
CloudFormation type (the report speaks in those), how to list it, how to read its
details and how to read its tags when the tagging API does not know it.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import Callable

from .aws import AccountReader, policy_document


@dataclass
class Record:
    """One resource found in the account."""

    kind: str  # a key of KINDS
    name: str
    arn: str
    ids: set[str]  # every identifier a stack or the tagging API may name it by
    data: dict  # what the list call returned
    details: dict = field(default_factory=dict)  # what read_details added
    tags: dict[str, str] | None = None  # read only for the per-service tag fallback
    node: str | None = None  # the node it became, once mapped
    logical_id: str | None = None  # its logical id, when scanned as part of a stack

    @property
    def spec(self) -> "ResourceKind":
        return KINDS[self.kind]


# --------------------------------------------------------------------------------------
# Listing


def _functions(r: AccountReader) -> list[Record]:
    items = r.paginate("lambda", "list_functions", "Functions", missed="Lambda functions are left out") or []
    return [Record("function", f["FunctionName"], f["FunctionArn"], {f["FunctionName"], f["FunctionArn"]}, f)
            for f in items]


def _queues(r: AccountReader) -> list[Record]:
    urls = r.paginate("sqs", "list_queues", "QueueUrls", missed="SQS queues are left out") or []
    records = []
    for url in urls:
        name = url.rstrip("/").rsplit("/", 1)[-1]
        # A queue URL's host differs between endpoints (a stack records sqs.<region>.amazonaws.com
        # where a sandbox lists its own host): its path, /<account>/<name>, identifies it too.
        records.append(Record("queue", name, "", {name, url, urllib.parse.urlparse(url).path},
                              {"QueueUrl": url}))
    return records


def _topics(r: AccountReader) -> list[Record]:
    items = r.paginate("sns", "list_topics", "Topics", missed="SNS topics are left out") or []
    return [Record("topic", t["TopicArn"].rsplit(":", 1)[-1], t["TopicArn"], {t["TopicArn"]}, t) for t in items]


def _tables(r: AccountReader) -> list[Record]:
    names = r.paginate("dynamodb", "list_tables", "TableNames", missed="DynamoDB tables are left out") or []
    return [Record("table", n, "", {n}, {}) for n in names]


def _streams(r: AccountReader) -> list[Record]:
    """Kinesis pages by NextToken, older endpoints (moto) by ExclusiveStartStreamName."""
    names: list[str] = []
    params: dict = {}
    while True:
        page = r.call("kinesis", "list_streams", missed="Kinesis streams are left out", **params)
        if page is None:
            break
        names += page.get("StreamNames") or []
        if page.get("NextToken"):
            params = {"NextToken": page["NextToken"]}
        elif page.get("HasMoreStreams") and names:
            params = {"ExclusiveStartStreamName": names[-1]}
        else:
            break
    return [Record("stream", n, "", {n}, {}) for n in dict.fromkeys(names)]


def _event_buses(r: AccountReader) -> list[Record]:
    buses = r.paginate("events", "list_event_buses", "EventBuses", missed="event buses are left out") or []
    return [Record("event_bus", b["Name"], b["Arn"], {b["Name"], b["Arn"]}, b) for b in buses]


def _state_machines(r: AccountReader) -> list[Record]:
    items = r.paginate("stepfunctions", "list_state_machines", "stateMachines",
                       missed="state machines are left out") or []
    return [Record("state_machine", m["name"], m["stateMachineArn"], {m["name"], m["stateMachineArn"]}, m)
            for m in items]


def _rest_apis(r: AccountReader) -> list[Record]:
    items = r.paginate("apigateway", "get_rest_apis", "items", missed="REST APIs are left out") or []
    return [Record("rest_api", a["name"], f"arn:aws:apigateway:{r.region}::/restapis/{a['id']}",
                   {a["id"], f"arn:aws:apigateway:{r.region}::/restapis/{a['id']}"}, a, tags=a.get("tags") or {})
            for a in items]


def _http_apis(r: AccountReader) -> list[Record]:
    items = r.paginate("apigatewayv2", "get_apis", "Items", missed="HTTP APIs are left out") or []
    return [Record("http_api", a["Name"], f"arn:aws:apigateway:{r.region}::/apis/{a['ApiId']}",
                   {a["ApiId"], f"arn:aws:apigateway:{r.region}::/apis/{a['ApiId']}"}, a, tags=a.get("Tags") or {})
            for a in items if a.get("ProtocolType", "HTTP") == "HTTP"]


def _buckets(r: AccountReader) -> list[Record]:
    """Buckets are listed account-wide: keep those in the scanned region."""
    response = r.call("s3", "list_buckets", missed="S3 buckets are left out")
    records = []
    for bucket in (response or {}).get("Buckets", []):
        name = bucket["Name"]
        region = bucket.get("BucketRegion")
        if region is None:
            where = r.call("s3", "get_bucket_location", name, "its region is unknown; left out", Bucket=name)
            if where is None:
                continue
            region = where.get("LocationConstraint") or "us-east-1"
            region = "eu-west-1" if region == "EU" else region
        if region == r.region:
            records.append(Record("bucket", name, f"arn:aws:s3:::{name}", {name, f"arn:aws:s3:::{name}"}, bucket))
    return records


def _rules(r: AccountReader, buses: list[Record]) -> list[Record]:
    records = []
    for bus in buses:
        for rule in r.paginate("events", "list_rules", "Rules", bus.name, "its rules are left out",
                               EventBusName=bus.name) or []:
            if rule.get("ManagedBy"):
                continue  # made by an AWS service for itself, not part of the application
            name, arn = rule["Name"], rule["Arn"]
            records.append(Record("rule", name, arn, {name, arn, f"{bus.name}|{name}"}, {**rule, "bus": bus.name}))
    return records


# --------------------------------------------------------------------------------------
# Details (only for what the scope keeps)


def _function_details(r: AccountReader, rec: Record) -> None:
    name = rec.name
    concurrency = r.call("lambda", "get_function_concurrency", name, "reserved concurrency not read",
                         FunctionName=name) or {}
    rec.details["reserved"] = concurrency.get("ReservedConcurrentExecutions")
    provisioned = r.paginate("lambda", "list_provisioned_concurrency_configs", "ProvisionedConcurrencyConfigs",
                             name, "provisioned concurrency not read", FunctionName=name)
    rec.details["provisioned"] = sum(int(c.get("AllocatedProvisionedConcurrentExecutions")
                                         or c.get("RequestedProvisionedConcurrentExecutions") or 0)
                                     for c in provisioned or [])
    rec.details["mappings"] = r.paginate("lambda", "list_event_source_mappings", "EventSourceMappings", name,
                                         "its event source mappings (triggers) are left out",
                                         FunctionName=name) or []
    rec.details["invoke_config"] = r.call("lambda", "get_function_event_invoke_config", name,
                                          "asynchronous retries and destinations not read",
                                          absent=("ResourceNotFoundException",), FunctionName=name)
    role = rec.data.get("Role", "")
    if role:
        rec.details["policies"], rec.details["managed_policies"] = _role_policies(r, role.rsplit("/", 1)[-1])


def _role_policies(r: AccountReader, role: str) -> tuple[list[dict], list[str]]:
    """(policy documents of the role, names of AWS-managed policies not read). Roles shared
    by several functions are read once."""
    cache = r.memo.setdefault("roles", {})
    if role in cache:
        return cache[role]
    missed = "the function's calls to other resources (edges read from IAM) are left out"
    documents, aws_managed = [], []
    for policy in r.paginate("iam", "list_role_policies", "PolicyNames", role, missed, RoleName=role) or []:
        got = r.call("iam", "get_role_policy", f"{role}/{policy}", missed, RoleName=role, PolicyName=policy)
        if got:
            documents.append(policy_document(got.get("PolicyDocument")))
    for attached in r.paginate("iam", "list_attached_role_policies", "AttachedPolicies", role, missed,
                               RoleName=role) or []:
        arn = attached["PolicyArn"]
        if arn.startswith("arn:aws:iam::aws:policy/"):
            aws_managed.append(attached["PolicyName"])  # grants on every resource: no edges in it
            continue
        policy = r.call("iam", "get_policy", arn, missed, PolicyArn=arn)
        version = (policy or {}).get("Policy", {}).get("DefaultVersionId")
        if version:
            got = r.call("iam", "get_policy_version", arn, missed, PolicyArn=arn, VersionId=version)
            if got:
                documents.append(policy_document(got.get("PolicyVersion", {}).get("Document")))
    cache[role] = (documents, aws_managed)
    return cache[role]


def _queue_details(r: AccountReader, rec: Record) -> None:
    got = r.call("sqs", "get_queue_attributes", rec.name, "its attributes and redrive not read",
                 QueueUrl=rec.data["QueueUrl"], AttributeNames=["All"]) or {}
    rec.details["attributes"] = got.get("Attributes", {})
    rec.arn = rec.details["attributes"].get("QueueArn", rec.arn)


def _topic_details(r: AccountReader, rec: Record) -> None:
    got = r.call("sns", "get_topic_attributes", rec.name, "its attributes not read", TopicArn=rec.arn) or {}
    rec.details["attributes"] = got.get("Attributes", {})
    subscriptions = r.paginate("sns", "list_subscriptions_by_topic", "Subscriptions", rec.name,
                               "its subscriptions are left out", TopicArn=rec.arn) or []
    for sub in subscriptions:
        arn = sub.get("SubscriptionArn", "")
        if sub.get("Protocol") == "sqs" and arn.startswith("arn:"):
            attrs = r.call("sns", "get_subscription_attributes", arn, "raw message delivery not read",
                           SubscriptionArn=arn) or {}
            sub["Attributes"] = attrs.get("Attributes", {})
    rec.details["subscriptions"] = subscriptions


def _table_details(r: AccountReader, rec: Record) -> None:
    got = r.call("dynamodb", "describe_table", rec.name, "its capacity and stream not read", TableName=rec.name)
    rec.details["table"] = (got or {}).get("Table", {})
    rec.arn = rec.details["table"].get("TableArn", rec.arn)
    if rec.details["table"].get("BillingModeSummary", {}).get("BillingMode") != "PAY_PER_REQUEST":
        _table_scaling(r, rec)


def _table_scaling(r: AccountReader, rec: Record) -> None:
    """A provisioned table's Application Auto Scaling targets and policies: without them a
    what-if would hold the table at today's capacity."""
    missed = "its auto scaling not read (the table is simulated at its current capacity)"
    resource = f"table/{rec.name}"
    targets = r.call("application-autoscaling", "describe_scalable_targets", rec.name, missed,
                     ServiceNamespace="dynamodb", ResourceIds=[resource])
    policies = r.call("application-autoscaling", "describe_scaling_policies", rec.name, missed,
                      ServiceNamespace="dynamodb", ResourceId=resource) if targets else None
    rec.details["scaling"] = {"targets": (targets or {}).get("ScalableTargets", []),
                              "policies": (policies or {}).get("ScalingPolicies", [])}


def _stream_details(r: AccountReader, rec: Record) -> None:
    got = r.call("kinesis", "describe_stream_summary", rec.name, "its shards and mode not read",
                 StreamName=rec.name)
    rec.details["stream"] = (got or {}).get("StreamDescriptionSummary", {})
    rec.arn = rec.details["stream"].get("StreamARN", rec.arn)


def _rule_details(r: AccountReader, rec: Record) -> None:
    rec.details["targets"] = r.paginate("events", "list_targets_by_rule", "Targets", rec.name,
                                        "its targets are left out", Rule=rec.name,
                                        EventBusName=rec.data["bus"]) or []


def _state_machine_details(r: AccountReader, rec: Record) -> None:
    rec.details["machine"] = r.call("stepfunctions", "describe_state_machine", rec.name,
                                    "its type and task states not read", stateMachineArn=rec.arn) or {}


def _rest_api_details(r: AccountReader, rec: Record) -> None:
    api = rec.data["id"]
    missed = "its routes are left out"
    resources = r.paginate("apigateway", "get_resources", "items", rec.name, missed, restApiId=api,
                           embed=["methods"]) or []
    for resource in resources:
        for method, spec in (resource.get("resourceMethods") or {}).items():
            if "methodIntegration" not in spec:  # endpoints that do not embed the integration
                got = r.call("apigateway", "get_integration", f"{rec.name} {method} {resource.get('path')}",
                             "this route is left out", absent=("NotFoundException",), restApiId=api,
                             resourceId=resource["id"], httpMethod=method)
                if got:
                    spec["methodIntegration"] = got
    rec.details["resources"] = resources
    stages = r.call("apigateway", "get_stages", rec.name, "its stage and throttling not read", restApiId=api)
    rec.details["stages"] = (stages or {}).get("item", [])


def _http_api_details(r: AccountReader, rec: Record) -> None:
    api = rec.data["ApiId"]
    missed = "its routes are left out"
    rec.details["routes"] = r.paginate("apigatewayv2", "get_routes", "Items", rec.name, missed, ApiId=api) or []
    rec.details["integrations"] = r.paginate("apigatewayv2", "get_integrations", "Items", rec.name, missed,
                                             ApiId=api) or []
    rec.details["stages"] = r.paginate("apigatewayv2", "get_stages", "Items", rec.name,
                                       "its stage and throttling not read", ApiId=api) or []


def _bucket_details(r: AccountReader, rec: Record) -> None:
    rec.details["notifications"] = r.call("s3", "get_bucket_notification_configuration", rec.name,
                                          "its event notifications are left out", Bucket=rec.name) or {}


def _event_bus_details(r: AccountReader, rec: Record) -> None:
    pass  # a bus is its name; its rules are records of their own


# --------------------------------------------------------------------------------------
# Tags, for scans by tag on endpoints whose tagging API does not know a kind


def _tag_list(items: list | None, key: str = "Key", value: str = "Value") -> dict[str, str]:
    return {t[key]: t[value] for t in items or []}


TAGS_MISSED = "its tags are unknown; left out of the scan"


def _listed_tags(r: AccountReader, rec: Record) -> dict[str, str]:
    return rec.tags or {}  # APIs: their listing carries the tags


def _function_tags(r: AccountReader, rec: Record) -> dict[str, str]:
    return (r.call("lambda", "list_tags", rec.name, TAGS_MISSED, Resource=rec.arn) or {}).get("Tags", {})


def _queue_tags(r: AccountReader, rec: Record) -> dict[str, str]:
    got = r.call("sqs", "list_queue_tags", rec.name, TAGS_MISSED, QueueUrl=rec.data["QueueUrl"])
    return (got or {}).get("Tags", {})


def _topic_tags(r: AccountReader, rec: Record) -> dict[str, str]:
    got = r.call("sns", "list_tags_for_resource", rec.name, TAGS_MISSED, ResourceArn=rec.arn)
    return _tag_list((got or {}).get("Tags"))


def _table_tags(r: AccountReader, rec: Record) -> dict[str, str]:
    arn = rec.arn or f"arn:aws:dynamodb:{r.region}:{_account(r)}:table/{rec.name}"
    got = r.call("dynamodb", "list_tags_of_resource", rec.name, TAGS_MISSED, ResourceArn=arn)
    return _tag_list((got or {}).get("Tags"))


def _stream_tags(r: AccountReader, rec: Record) -> dict[str, str]:
    got = r.call("kinesis", "list_tags_for_stream", rec.name, TAGS_MISSED, StreamName=rec.name)
    return _tag_list((got or {}).get("Tags"))


def _events_tags(r: AccountReader, rec: Record) -> dict[str, str]:
    got = r.call("events", "list_tags_for_resource", rec.name, TAGS_MISSED, ResourceARN=rec.arn)
    return _tag_list((got or {}).get("Tags"))


def _state_machine_tags(r: AccountReader, rec: Record) -> dict[str, str]:
    got = r.call("stepfunctions", "list_tags_for_resource", rec.name, TAGS_MISSED, resourceArn=rec.arn)
    return _tag_list((got or {}).get("tags"), "key", "value")


def _bucket_tags(r: AccountReader, rec: Record) -> dict[str, str]:
    got = r.call("s3", "get_bucket_tagging", rec.name, TAGS_MISSED, absent=("NoSuchTagSet",), Bucket=rec.name)
    return _tag_list((got or {}).get("TagSet"))


def _account(r: AccountReader) -> str:
    if "account" not in r.memo:
        r.memo["account"] = (r.call("sts", "get_caller_identity") or {}).get("Account", "")
    return r.memo["account"]


# --------------------------------------------------------------------------------------
# The kinds


@dataclass(frozen=True)
class ResourceKind:
    key: str
    service: str | None  # catalogue service key of the node it becomes (None: becomes edges)
    cfn_type: str
    singular: str  # for progress lines: "Lambda function"
    details: Callable[[AccountReader, Record], None]
    tags: Callable[[AccountReader, Record], dict[str, str]]  # its service's own tag call


KINDS: dict[str, ResourceKind] = {k.key: k for k in (
    ResourceKind("function", "lambda", "AWS::Lambda::Function", "Lambda function", _function_details, _function_tags),
    ResourceKind("queue", "sqs", "AWS::SQS::Queue", "SQS queue", _queue_details, _queue_tags),
    ResourceKind("topic", "sns", "AWS::SNS::Topic", "SNS topic", _topic_details, _topic_tags),
    ResourceKind("table", "dynamodb", "AWS::DynamoDB::Table", "DynamoDB table", _table_details, _table_tags),
    ResourceKind("stream", "kinesis", "AWS::Kinesis::Stream", "Kinesis stream", _stream_details, _stream_tags),
    ResourceKind("event_bus", "eventbridge", "AWS::Events::EventBus", "event bus", _event_bus_details, _events_tags),
    ResourceKind("rule", None, "AWS::Events::Rule", "EventBridge rule", _rule_details, _events_tags),
    ResourceKind("state_machine", "step_functions", "AWS::StepFunctions::StateMachine", "state machine",
                 _state_machine_details, _state_machine_tags),
    ResourceKind("rest_api", "api_gateway", "AWS::ApiGateway::RestApi", "REST API", _rest_api_details, _listed_tags),
    ResourceKind("http_api", "api_gateway", "AWS::ApiGatewayV2::Api", "HTTP API", _http_api_details, _listed_tags),
    ResourceKind("bucket", "s3", "AWS::S3::Bucket", "S3 bucket", _bucket_details, _bucket_tags),
)}

# Listed one service at a time; rules after buses (they are listed per bus).
LISTERS: tuple[tuple[str, Callable[[AccountReader], list[Record]]], ...] = (
    ("Lambda functions", _functions), ("SQS queues", _queues), ("SNS topics", _topics),
    ("DynamoDB tables", _tables), ("Kinesis streams", _streams), ("event buses", _event_buses),
    ("state machines", _state_machines), ("REST APIs", _rest_apis), ("HTTP APIs", _http_apis),
    ("S3 buckets", _buckets),
)


def list_all(r: AccountReader) -> list[Record]:
    """Every resource of the nine services in the region (one list call per service)."""
    r.plan(len(LISTERS) + 1)
    records: list[Record] = []
    for plural, lister in LISTERS:
        found = lister(r)
        records += found
        r.advance(f"listed {len(found)} {plural}")
    rules = _rules(r, [rec for rec in records if rec.kind == "event_bus"])
    r.advance(f"listed {len(rules)} EventBridge rules")
    return records + rules


def read_details(r: AccountReader, records: list[Record]) -> None:
    r.plan(len(records))
    for rec in records:
        rec.spec.details(r, rec)
        r.advance(f"read {rec.spec.singular} {rec.name}")


def read_tags(r: AccountReader, records: list[Record]) -> None:
    r.plan(len(records))
    for rec in records:
        rec.tags = rec.spec.tags(r, rec)
        r.advance(f"read the tags of {rec.name}")


def account_id(r: AccountReader) -> str:
    return _account(r)
