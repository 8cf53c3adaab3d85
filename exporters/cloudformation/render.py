"""Design -> CloudFormation (or SAM) template as a plain dict.

One renderer per service (SERVICE_RENDERERS) and one per edge kind (EDGE_RENDERERS), all
writing into a `Template` that knows how to name and reference every node. How nodes are
wired together (event source parameters, rule targets, grant sources, integrations) comes
from model.aws.wiring and IAM from model.aws.iam; this module turns their facts into
CloudFormation syntax (ATTRIBUTES says how each node attribute is written).

Patterns worth knowing:
- S3 buckets get a fixed name (NamePrefix, Stage, node, account id) and everything refers
  to a bucket through an ARN built with Fn::Sub from that name, never !Ref/!GetAtt. That
  breaks the classic bucket -> notification -> permission -> bucket dependency cycle.
- A bucket that notifies SQS/SNS/Lambda DependsOn the queue policy, topic policy or
  Lambda permission: S3 checks it may deliver when the notification is saved.
- Functions with provisioned concurrency get a published Version and an Alias `live`
  (logical id `<Fn>Aliaslive`, the id SAM's AutoPublishAlias gives) carrying the
  ProvisionedConcurrencyConfig, and every trigger invokes the alias (provisioned
  environments serve only qualified invocations). Both sit behind the
  ProvisionedConcurrencyEnabled condition, so a stage can switch them off. The Version's
  Description carries a hash of the function's properties: changing the function replaces
  the Version, so a changed function publishes a new version, as AutoPublishAlias does.
- checkov findings that do not apply are skipped in the resource's Metadata, with a reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

from model.architecture import Architecture, Edge, Node

from model.aws import iam, wiring
from model.aws.naming import Namer, camel, fit, kebab, logical_ids, short_hash
from ..serialize import compact_json
from model.aws import checkov_skips as skips

ALIAS_NAME = "live"
PROVISIONED_CONDITION = "ProvisionedConcurrencyEnabled"
LOG_RETENTION_DAYS = 30
# Room for the node's part of a physical name once "${NamePrefix}-${Stage}-" (at most 26
# characters) and any suffix are added: SQS names stop at 80 characters (".fifo" included),
# state machine names at 80.
SQS_NAME_ROOM = 48
STATE_MACHINE_NAME_ROOM = 54
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"

PLACEHOLDER_HANDLERS = {
    "python": ("index.handler",
               "import json\n\n\ndef handler(event, context):\n"
               "    # Placeholder from Stratus: replace with the real handler.\n"
               "    print(json.dumps(event))\n"
               "    return {\"statusCode\": 200, \"body\": \"ok\"}\n"),
    "nodejs": ("index.handler",
               "exports.handler = async (event) => {\n"
               "  // Placeholder from Stratus: replace with the real handler.\n"
               "  console.log(JSON.stringify(event));\n"
               "  return { statusCode: 200, body: 'ok' };\n};\n"),
}


def _inline_family(runtime: str) -> str | None:
    """CloudFormation's ZipFile works for Python and Node.js runtimes only."""
    return next((f for f in PLACEHOLDER_HANDLERS if runtime.startswith(f)), None)


def sub(text: str, **variables: Any) -> dict:
    return {"Fn::Sub": [text, variables] if variables else text}


def ref(logical_id: str) -> dict:
    return {"Ref": logical_id}


def getatt(logical_id: str, attribute: str) -> dict:
    return {"Fn::GetAtt": [logical_id, attribute]}


@dataclass
class Template:
    """The template being built, with naming and cross-references for every node."""

    arch: Architecture
    sam: bool = False
    names: Namer = None  # type: ignore[assignment]
    resources: dict[str, dict] = field(default_factory=dict)
    outputs: dict[str, dict] = field(default_factory=dict)
    parameters: dict[str, dict] = field(default_factory=dict)
    conditions: dict[str, Any] = field(default_factory=dict)
    code_path: Callable[[str], str] = None  # type: ignore[assignment]  # design-relative -> template-relative

    def __post_init__(self) -> None:
        self.arch = iam.indexed(self.arch)
        # Computed once: renderers ask per node.
        self.principals = set(iam.principals(self.arch))
        self.grants = iam.resource_policies(self.arch)
        self.names = logical_ids(self.arch.nodes)
        if self.code_path is None:
            self.code_path = lambda code: code
        for fixed in ("NamePrefix", "Stage", "CodeBucket", "ProvisionedConcurrency", PROVISIONED_CONDITION):
            self.names.reserve(fixed)
        for node_id in self.arch.nodes:  # the ids SAM derives from a function's id
            self.names.reserve(self.alias_id(node_id))

    # -- names ---------------------------------------------------------------------------

    def id(self, node_id: str, *role: str) -> str:
        return self.names.name(node_id, *role)

    def add(self, logical_id: str, type_: str, properties: dict, *, depends_on: list[str] | None = None,
            skip: list[tuple[str, str]] | None = None, condition: str | None = None) -> str:
        resource: dict[str, Any] = {"Type": type_}
        if condition:
            resource["Condition"] = condition
        if depends_on:
            resource["DependsOn"] = sorted(set(depends_on))
        if skip:
            resource["Metadata"] = {"checkov": {"skip": [{"id": i, "comment": c} for i, c in skip]}}
        resource["Properties"] = properties
        self.resources[logical_id] = resource
        return logical_id

    def output(self, node_id: str, what: str, value: Any, description: str) -> None:
        self.outputs[self.id(node_id, what)] = {"Description": description, "Value": value}

    # -- references ----------------------------------------------------------------------

    def node(self, node_id: str) -> Node:
        return self.arch.nodes[node_id]

    def config(self, node_id: str) -> dict:
        return self.node(node_id).effective_config()

    def physical_name(self, node_id: str, limit: int = 24) -> str:
        """`${NamePrefix}-${Stage}-<node>`: the Sub text of a node's AWS name."""
        return "${NamePrefix}-${Stage}-" + fit(kebab(node_id), limit)

    def bucket_name(self, node_id: str) -> dict:
        return sub(self.physical_name(node_id) + "-${AWS::AccountId}")

    def attribute(self, node_id: str, attribute: str) -> Any:
        """A node's attribute (wiring.ARN, NAME, URL...) as Ref, Fn::GetAtt or Fn::Sub."""
        service = self.node(node_id).service
        computed = COMPUTED_ATTRIBUTES.get((service, attribute))
        if computed is not None:
            return computed(self, node_id)
        name = ATTRIBUTES[service][attribute]
        return ref(self.id(node_id)) if name is REF else getatt(self.id(node_id), name)

    def arn(self, node_id: str) -> Any:
        return self.attribute(node_id, wiring.ARN)

    def arn_with(self, node_id: str, suffix: str) -> Any:
        if not suffix:
            return self.arn(node_id)
        text = ARN_TEXTS.get(self.node(node_id).service)
        if text is not None:  # a built ARN: the suffix goes inside its Fn::Sub
            body, variables = text(self, node_id)
            return sub(body + suffix, **variables)
        return sub("${Arn}" + suffix, Arn=self.arn(node_id))

    def handle(self, node_id: str) -> Any:
        """What code needs to call the node: table name, queue URL, topic ARN..."""
        return self.attribute(node_id, wiring.HANDLE[self.node(node_id).service])

    def function_target(self, node_id: str) -> Any:
        """The ARN triggers invoke: the `live` alias when it has provisioned concurrency."""
        unqualified = getatt(self.id(node_id), "Arn")
        if provisioned(self.config(node_id)):
            self.use_provisioned_switch()
            return {"Fn::If": [PROVISIONED_CONDITION, ref(self.alias_id(node_id)), unqualified]}
        return unqualified

    def alias_id(self, node_id: str) -> str:
        """`<Fn>Aliaslive`: the logical id SAM's AutoPublishAlias gives, kept in plain CFN too."""
        return self.id(node_id) + "Alias" + ALIAS_NAME

    def use_provisioned_switch(self) -> None:
        self.parameters["ProvisionedConcurrency"] = {
            "Type": "String", "Default": "enabled", "AllowedValues": ["enabled", "disabled"],
            "Description": "Keep the design's provisioned concurrency (disable for cheap stages)"}
        self.conditions[PROVISIONED_CONDITION] = {"Fn::Equals": [ref("ProvisionedConcurrency"), "enabled"]}

    def rule_id(self, source: str, target: str) -> str:
        """The rule made for the rule_target edge source -> target."""
        return self.id(source, "Rule", target)

    def has_edges(self, node_id: str, kinds: set[str], incoming: bool = True) -> list[Edge]:
        edges = self.arch.edges_to(node_id) if incoming else self.arch.edges_from(node_id)
        return [e for e in edges if self.arch.edge_kind(e) in kinds]


def provisioned(config: dict) -> bool:
    return bool(config.get("provisioned_concurrency") or 0)


REF = None  # the attribute is what !Ref returns
# service -> attribute -> the Fn::GetAtt attribute that gives it (REF: !Ref gives it).
ATTRIBUTES: dict[str, dict[str, str | None]] = {
    "dynamodb": {wiring.ARN: "Arn", wiring.NAME: REF, wiring.STREAM_ARN: "StreamArn"},
    "sqs": {wiring.ARN: "Arn", wiring.URL: REF, wiring.NAME: "QueueName"},
    "sns": {wiring.ARN: REF},
    "kinesis": {wiring.ARN: "Arn", wiring.NAME: REF},
    "step_functions": {wiring.ARN: REF},
    "api_gateway": {wiring.ID: REF},
}

# ARNs built from a name rather than read from the resource: (Fn::Sub text, variables).
# A bucket's ARN is spelled out to break the bucket -> notification -> permission cycle.
ARN_TEXTS: dict[str, Callable[[Template, str], tuple[str, dict]]] = {
    "s3": lambda t, n: ("arn:${AWS::Partition}:s3:::" + t.physical_name(n) + "-${AWS::AccountId}", {}),
    "api_gateway": lambda t, n: ("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}",
                                 {"Api": ref(t.id(n))}),
}


def _arn_from_text(t: Template, node_id: str) -> Any:
    text, variables = ARN_TEXTS[t.node(node_id).service](t, node_id)
    return sub(text, **variables)


# Attributes that are not one of the resource's own: (service, attribute) -> value.
COMPUTED_ATTRIBUTES: dict[tuple[str, str], Callable[[Template, str], Any]] = {
    ("lambda", wiring.ARN): lambda t, n: t.function_target(n),
    ("s3", wiring.ARN): _arn_from_text,
    ("s3", wiring.NAME): lambda t, n: t.bucket_name(n),
    ("api_gateway", wiring.ARN): _arn_from_text,
    ("eventbridge", wiring.ARN): lambda t, n: _bus_arn(t, n),
    ("eventbridge", wiring.NAME): lambda t, n: _bus_name(t, n),
}


def _custom_bus(t: Template, node_id: str) -> bool:
    return wiring.custom_bus(t.config(node_id))


def _bus_arn(t: Template, node_id: str) -> Any:
    if _custom_bus(t, node_id):
        return getatt(t.id(node_id), "Arn")
    return sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default")


def _bus_name(t: Template, node_id: str) -> Any:
    """The bus's name, spelled out (rules then DependsOn the bus): moto's CloudFormation
    resolves !Ref of an EventBus to an object, not its name."""
    return sub(t.physical_name(node_id, 200)) if _custom_bus(t, node_id) else "default"


# --------------------------------------------------------------------------------------
# IAM in CloudFormation syntax


def policy_document(t: Template, principal: str) -> dict:
    statements = []
    for stmt in iam.role_statements(t.arch, principal, own_dead_letter_queue=True):
        statements.append({"Sid": stmt.sid, "Effect": "Allow", "Action": list(stmt.actions),
                           "Resource": _statement_resource(t, principal, stmt)})
    return {"Version": "2012-10-17", "Statement": statements}


def _statement_resource(t: Template, principal: str, stmt: iam.Statement) -> Any:
    if stmt.scope == iam.ANY:
        return "*"
    if stmt.scope == iam.OWN_LOGS:
        return getatt(t.id(principal, "LogGroup"), "Arn")  # that ARN already ends in ":*"
    if stmt.scope == iam.OWN_DLQ:
        return getatt(t.id(principal, "DeadLetterQueue"), "Arn")
    return t.arn_with(stmt.resource_node, stmt.resource_suffix)


def role(t: Template, principal: str, service_principal: str) -> str:
    logical_id = t.id(principal, "Role")
    properties = {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service_principal},
                           "Action": "sts:AssumeRole"}],
        },
        "Policies": [{"PolicyName": "least-privilege", "PolicyDocument": policy_document(t, principal)}],
        "Tags": tags(t),
    }
    skip = skips.role_skips(iam.role_statements(t.arch, principal))
    return t.add(logical_id, "AWS::IAM::Role", properties, skip=skip)


def tags(t: Template) -> list[dict]:
    return [{"Key": "stratus:design", "Value": tag_value(t.arch.name)}]


def tag_value(text: str) -> str:
    """Tag values allow letters, digits, spaces and _.:/=+-@ only (256 characters)."""
    return "".join(c if c.isalnum() or c in " _.:/=+-@" else "-" for c in text)[:256]


def log_group(t: Template, node_id: str, name: Any = None) -> str:
    properties: dict[str, Any] = {"RetentionInDays": LOG_RETENTION_DAYS}
    if name is not None:
        properties["LogGroupName"] = name
    return t.add(t.id(node_id, "LogGroup"), "AWS::Logs::LogGroup", properties, skip=[skips.LOG_KMS])


# --------------------------------------------------------------------------------------
# Services


def render_function(t: Template, node_id: str) -> None:
    cfg = t.config(node_id)
    fn_id = t.id(node_id)
    role(t, node_id, "lambda.amazonaws.com")
    log_group(t, node_id)
    properties: dict[str, Any] = {
        "Description": f"{t.node(node_id).display_name} (Stratus design '{t.arch.name}')",
        "Runtime": cfg["runtime"],
        "Handler": cfg.get("handler") or "index.handler",
        "Architectures": [cfg["architecture"]],
        "MemorySize": int(cfg["memory_mb"]),
        "Timeout": int(cfg["timeout_s"]),
        "Role": getatt(t.id(node_id, "Role"), "Arn"),
        "TracingConfig": {"Mode": "Active"},
        "LoggingConfig": {"LogGroup": ref(t.id(node_id, "LogGroup"))},
        "Tags": tags(t),
    }
    properties.update(_function_code(t, node_id, cfg))
    if cfg.get("reserved_concurrency") is not None:
        properties["ReservedConcurrentExecutions"] = int(cfg["reserved_concurrency"])
    env = _environment(t, node_id)
    if env:
        properties["Environment"] = {"Variables": env}
    dlq = _dead_letter_target(t, node_id)
    if dlq is not None:
        properties["DeadLetterConfig"] = {"TargetArn": dlq}
    t.add(fn_id, "AWS::Lambda::Function", properties, skip=skips.function_skips(cfg, env, dlq))
    if provisioned(cfg):
        _version_and_alias(t, node_id, cfg, properties)
    _event_invoke_config(t, node_id, cfg)
    t.output(node_id, "Name", ref(fn_id), f"Function {node_id}")


def _function_code(t: Template, node_id: str, cfg: dict) -> dict:
    family = _inline_family(cfg["runtime"])
    if cfg.get("code") is None and family is not None:
        handler, source = PLACEHOLDER_HANDLERS[family]
        return {"Handler": handler, "Code": {"ZipFile": source}}
    # Packaged code: the user uploads a zip (or the placeholder of a compiled runtime)
    # to CodeBucket under this key.
    key_param = t.id(node_id, "CodeKey")
    t.parameters.setdefault("CodeBucket", {
        "Type": "String", "Description": "S3 bucket holding the functions' deployment packages"})
    t.parameters[key_param] = {"Type": "String", "Default": f"{kebab(node_id)}.zip",
                               "Description": f"S3 key of {node_id}'s package"
                               + (f" (built from {cfg['code']})" if cfg.get("code") else "")}
    return {"Code": {"S3Bucket": ref("CodeBucket"), "S3Key": ref(key_param)}}


def _environment(t: Template, node_id: str) -> dict:
    """One variable per resource the function calls, named after the node (ORDERS=...)."""
    env = {}
    for edge in t.arch.edges_from(node_id):
        if t.arch.edge_kind(edge) == "on_failure":
            continue  # Lambda delivers failures itself; the code never calls it
        env[edge.target.upper()] = t.handle(edge.target)
    return env


invoked_asynchronously = iam.invoked_asynchronously


def _on_failure(t: Template, node_id: str) -> Edge | None:
    return next(iter(t.has_edges(node_id, {"on_failure"}, incoming=False)), None)


def _dead_letter_target(t: Template, node_id: str) -> Any:
    """The function's own dead-letter queue, when it needs one (iam.needs_dead_letter_queue)."""
    if not iam.needs_dead_letter_queue(t.arch, node_id):
        return None
    dlq_id = t.id(node_id, "DeadLetterQueue")
    t.add(dlq_id, "AWS::SQS::Queue", {"SqsManagedSseEnabled": True, "MessageRetentionPeriod": 1_209_600},
          skip=[skips.SQS_MANAGED_SSE])
    t.output(node_id, "DeadLetterQueueUrl", ref(dlq_id), f"Failed asynchronous invocations of {node_id}")
    return getatt(dlq_id, "Arn")


def _version_and_alias(t: Template, node_id: str, cfg: dict, function_properties: dict) -> None:
    t.use_provisioned_switch()
    if t.sam:
        return  # AutoPublishAlias makes both (see sam.py)
    version_id = t.id(node_id, "Version")
    fingerprint = short_hash([compact_json(function_properties)], 8)
    t.add(version_id, "AWS::Lambda::Version", {
        "FunctionName": ref(t.id(node_id)), "Description": f"Published by Stratus ({fingerprint})",
    }, condition=PROVISIONED_CONDITION)
    t.add(t.alias_id(node_id), "AWS::Lambda::Alias", {
        "FunctionName": ref(t.id(node_id)),
        "FunctionVersion": getatt(version_id, "Version"),
        "Name": ALIAS_NAME,
        "ProvisionedConcurrencyConfig": {"ProvisionedConcurrentExecutions": int(cfg["provisioned_concurrency"])},
    }, condition=PROVISIONED_CONDITION)


def _event_invoke_config(t: Template, node_id: str, cfg: dict) -> None:
    failure = _on_failure(t, node_id)
    if failure is None and not invoked_asynchronously(t.arch, node_id):
        return
    properties: dict[str, Any] = {
        "FunctionName": ref(t.id(node_id)),
        "Qualifier": _qualifier(t, node_id, cfg),
        "MaximumRetryAttempts": int(cfg.get("max_retry_attempts", 2)),
    }
    if failure is not None:
        properties["DestinationConfig"] = {"OnFailure": {"Destination": t.arn(failure.target)}}
    t.add(t.id(node_id, "EventInvokeConfig"), "AWS::Lambda::EventInvokeConfig", properties)


def _qualifier(t: Template, node_id: str, cfg: dict) -> Any:
    """`live` (taken from the alias's ARN, which makes this wait for the alias) or $LATEST."""
    if not provisioned(cfg):
        return "$LATEST"
    alias_name = {"Fn::Select": [7, {"Fn::Split": [":", ref(t.alias_id(node_id))]}]}
    return {"Fn::If": [PROVISIONED_CONDITION, alias_name, "$LATEST"]}


def render_table(t: Template, node_id: str) -> None:
    cfg = t.config(node_id)
    key = cfg.get("partition_key") or "pk"
    properties: dict[str, Any] = {
        "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
        "SSESpecification": {"SSEEnabled": True},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "Tags": tags(t),
    }
    if cfg["billing_mode"] == "provisioned":
        properties["BillingMode"] = "PROVISIONED"
        properties["ProvisionedThroughput"] = {"ReadCapacityUnits": int(cfg["read_capacity"]),
                                               "WriteCapacityUnits": int(cfg["write_capacity"])}
    else:
        properties["BillingMode"] = "PAY_PER_REQUEST"
    view = stream_view(t.arch, node_id)
    if view:
        properties["StreamSpecification"] = {"StreamViewType": view}
    t.add(t.id(node_id), "AWS::DynamoDB::Table", properties, skip=[skips.DYNAMODB_CMK])
    t.output(node_id, "TableName", ref(t.id(node_id)), f"Table {node_id}")


def stream_view(arch: Architecture, node_id: str) -> str | None:
    """The table's stream view type, if it has a stream (or a function reads one)."""
    view = arch.nodes[node_id].effective_config().get("stream", "none")
    if view == "none" and any(arch.edge_kind(e) == "event_source" for e in arch.edges_from(node_id)):
        view = "new_and_old_images"
    return None if view == "none" else view.upper()


# Notification target service -> (its configuration list, the ARN key in an entry).
S3_NOTIFICATION_KEYS = {"lambda": ("LambdaConfigurations", "Function"),
                        "sqs": ("QueueConfigurations", "Queue"),
                        "sns": ("TopicConfigurations", "Topic")}


def render_bucket(t: Template, node_id: str) -> None:
    bucket_id = t.id(node_id)
    properties: dict[str, Any] = {
        "BucketName": t.bucket_name(node_id),
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": True}]},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                           "IgnorePublicAcls": True, "RestrictPublicBuckets": True},
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
        "VersioningConfiguration": {"Status": "Enabled"},
        "Tags": tags(t),
    }
    notifications, depends = _bucket_notifications(t, node_id)
    if notifications:
        properties["NotificationConfiguration"] = notifications
    t.add(bucket_id, "AWS::S3::Bucket", properties, depends_on=depends, skip=skips.BUCKET)
    t.add(t.id(node_id, "Policy"), "AWS::S3::BucketPolicy", {
        "Bucket": ref(bucket_id),
        "PolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [t.arn(node_id), t.arn_with(node_id, "/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]},
    })
    t.output(node_id, "BucketName", ref(bucket_id), f"Bucket {node_id}")


def _bucket_notifications(t: Template, node_id: str) -> tuple[dict, list[str]]:
    config: dict[str, Any] = {}
    depends: list[str] = []
    for edge in t.has_edges(node_id, {"notification"}, incoming=False):
        if wiring.bucket_wide(t.arch, edge):
            config["EventBridgeConfiguration"] = {"EventBridgeEnabled": True}
            continue
        key, arn_key = S3_NOTIFICATION_KEYS[t.node(edge.target).service]
        for event in wiring.notification_events(edge):
            entry: dict[str, Any] = {"Event": event, arn_key: t.arn(edge.target)}
            rules = [{"Name": name, "Value": edge.config[name]} for name in ("prefix", "suffix")
                     if edge.config.get(name)]
            if rules:
                entry["Filter"] = {"S3Key": {"Rules": rules}}
            config.setdefault(key, []).append(entry)
        depends.append(_delivery_grant_id(t, edge))
    return config, depends


def _delivery_grant_id(t: Template, edge: Edge) -> str:
    """The resource that lets the edge's source deliver to its target (which must wait for it)."""
    if wiring.grant_kind(t.arch, edge) == wiring.LAMBDA_PERMISSION:
        return t.id(edge.target, "Permission", edge.source)
    return t.id(edge.target, "Policy")


def render_queue(t: Template, node_id: str) -> None:
    cfg = t.config(node_id)
    queue_id = t.id(node_id)
    properties: dict[str, Any] = {
        "SqsManagedSseEnabled": True,
        "VisibilityTimeout": _visibility_timeout(t, node_id, cfg),
        "MessageRetentionPeriod": int(cfg["retention_s"]),
        "Tags": tags(t),
    }
    if cfg.get("fifo"):
        properties["FifoQueue"] = True
        properties["QueueName"] = sub(t.physical_name(node_id, SQS_NAME_ROOM) + ".fifo")
    dlq = next(iter(t.has_edges(node_id, {"dead_letter"}, incoming=False)), None)
    if dlq is not None:
        properties["RedrivePolicy"] = {"deadLetterTargetArn": getatt(t.id(dlq.target), "Arn"),
                                       "maxReceiveCount": int(cfg["max_receive_count"])}
    t.add(queue_id, "AWS::SQS::Queue", properties, skip=[skips.SQS_MANAGED_SSE])
    t.output(node_id, "QueueUrl", ref(queue_id), f"Queue {node_id}")


def _visibility_timeout(t: Template, node_id: str, cfg: dict) -> int:
    """At least the consuming functions' timeout: Lambda refuses the mapping otherwise."""
    consumers = [int(t.config(e.target)["timeout_s"]) for e in t.has_edges(node_id, {"event_source"}, incoming=False)]
    return max([int(cfg["visibility_timeout_s"])] + consumers)


def render_topic(t: Template, node_id: str) -> None:
    cfg = t.config(node_id)
    properties: dict[str, Any] = {"Tags": tags(t)}
    skip = []
    if service_publishers(t.arch, node_id, t.grants):
        # S3 and EventBridge cannot use the AWS-managed aws/sns key (its key policy cannot
        # grant them), so encrypting would silently drop their messages.
        skip.append(skips.SNS_SERVICE_PUBLISHER)
    else:
        properties["KmsMasterKeyId"] = "alias/aws/sns"
    if cfg.get("fifo"):
        properties["FifoTopic"] = True
        properties["TopicName"] = sub(t.physical_name(node_id, 60) + ".fifo")
    t.add(t.id(node_id), "AWS::SNS::Topic", properties, skip=skip)
    t.output(node_id, "TopicArn", ref(t.id(node_id)), f"Topic {node_id}")


def service_publishers(arch: Architecture, node_id: str, grants: list | None = None) -> list[str]:
    """AWS services (S3, EventBridge) that publish to this topic through its topic policy."""
    grants = iam.resource_policies(arch) if grants is None else grants
    return [g.source_node for g in grants if g.target_node == node_id and g.kind == "sns_topic_policy"]


def render_stream(t: Template, node_id: str) -> None:
    cfg = t.config(node_id)
    properties: dict[str, Any] = {
        "RetentionPeriodHours": int(cfg["retention_hours"]),
        "StreamEncryption": {"EncryptionType": "KMS", "KeyId": "alias/aws/kinesis"},
        "Tags": tags(t),
    }
    if cfg["capacity_mode"] == "on_demand":
        properties["StreamModeDetails"] = {"StreamMode": "ON_DEMAND"}
    else:
        properties["StreamModeDetails"] = {"StreamMode": "PROVISIONED"}
        properties["ShardCount"] = int(cfg["shards"])
    t.add(t.id(node_id), "AWS::Kinesis::Stream", properties)
    t.output(node_id, "StreamName", ref(t.id(node_id)), f"Stream {node_id}")


def render_bus(t: Template, node_id: str) -> None:
    if _custom_bus(t, node_id):
        t.add(t.id(node_id), "AWS::Events::EventBus", {"Name": _bus_name(t, node_id)})
        t.output(node_id, "BusName", ref(t.id(node_id)), f"Event bus {node_id}")
    if node_id in t.principals:
        role(t, node_id, "events.amazonaws.com")


def render_state_machine(t: Template, node_id: str) -> None:
    cfg = t.config(node_id)
    role(t, node_id, "states.amazonaws.com")
    log_group(t, node_id, sub(wiring.LOG_GROUP_PREFIX["step_functions"] + t.physical_name(node_id, 200)))
    definition, substitutions = state_machine_definition(t, node_id)
    properties: dict[str, Any] = {
        "StateMachineType": cfg["workflow_type"].upper(),
        "RoleArn": getatt(t.id(node_id, "Role"), "Arn"),
        "DefinitionString": {"Fn::Sub": [json.dumps(definition, indent=2, sort_keys=True), substitutions]}
        if substitutions else json.dumps(definition, indent=2, sort_keys=True),
        "LoggingConfiguration": {
            "Level": "ERROR", "IncludeExecutionData": False,
            "Destinations": [{"CloudWatchLogsLogGroup": {"LogGroupArn": getatt(t.id(node_id, "LogGroup"), "Arn")}}],
        },
        "TracingConfiguration": {"Enabled": True},
        "Tags": tags(t),
    }
    t.add(t.id(node_id), "AWS::StepFunctions::StateMachine", properties)
    t.output(node_id, "StateMachineArn", ref(t.id(node_id)), f"State machine {node_id}")


def state_machine_definition(t: Template, node_id: str) -> tuple[dict, dict]:
    """ASL from the task edges in `order`; ${Var} placeholders filled by Fn::Sub."""
    from model.aws.asl import definition

    return definition(t.arch, node_id, lambda target: "${" + t.id(target) + "}",
                      lambda target: (t.id(target), t.handle(target)))


SERVICE_RENDERERS: dict[str, Callable[[Template, str], None]] = {
    "lambda": render_function,
    "dynamodb": render_table,
    "s3": render_bucket,
    "sqs": render_queue,
    "sns": render_topic,
    "kinesis": render_stream,
    "eventbridge": render_bus,
    "step_functions": render_state_machine,
}


def _render_api(t: Template, node_id: str) -> None:
    from .api import render_api

    render_api(t, node_id)


SERVICE_RENDERERS["api_gateway"] = _render_api


# --------------------------------------------------------------------------------------
# Edges


def render_event_source(t: Template, edge: Edge) -> None:
    properties: dict[str, Any] = {
        "FunctionName": t.function_target(edge.target),
        "EventSourceArn": t.attribute(edge.source, wiring.event_source(t.arch, edge).source_attribute),
        "Enabled": True,
        **wiring.mapping_parameters(t.arch, edge),
    }
    depends = [t.id(edge.target, "Role")]
    t.add(t.id(edge.target, "EventSource", edge.source), "AWS::Lambda::EventSourceMapping", properties,
          depends_on=depends)


def render_subscription(t: Template, edge: Edge) -> None:
    protocol, raw = wiring.subscription(t.arch, edge)
    properties: dict[str, Any] = {"TopicArn": ref(t.id(edge.source)), "Protocol": protocol,
                                  "Endpoint": t.arn(edge.target)}
    if raw:
        properties["RawMessageDelivery"] = True
    depends = [_delivery_grant_id(t, edge)]
    t.add(t.id(edge.source, "Subscription", edge.target), "AWS::SNS::Subscription", properties,
          depends_on=depends)


def render_rule_target(t: Template, edge: Edge) -> None:
    pattern = wiring.event_pattern(t.arch, edge)
    target: dict[str, Any] = {"Id": fit(camel(edge.target), 64), "Arn": t.arn(edge.target)}
    if wiring.rule_target_needs_role(t.arch, edge):
        target["RoleArn"] = getatt(t.id(edge.source, "Role"), "Arn")
    target.update(wiring.rule_target_parameters(t.arch, edge))
    properties = {
        "Description": f"{edge.source} -> {edge.target}",
        "EventBusName": _bus_name(t, edge.source),
        "EventPattern": pattern,
        "State": "ENABLED",
        "Targets": [target],
    }
    depends = [t.id(edge.source)] if _custom_bus(t, edge.source) else None
    t.add(t.rule_id(edge.source, edge.target), "AWS::Events::Rule", properties, depends_on=depends)


EDGE_RENDERERS: dict[str, Callable[[Template, Edge], None]] = {
    "event_source": render_event_source,
    "subscription": render_subscription,
    "rule_target": render_rule_target,
    # invoke/integration (API Gateway) are rendered with the API; notification with the
    # bucket; dead_letter with the source queue (RedrivePolicy); data_access, send, publish, put_*, start_execution, on_failure, task are IAM
    # (plus the function's environment / the state machine's definition).
}


# --------------------------------------------------------------------------------------
# Resource policies


def _grant_source_arn(t: Template, grant: iam.ResourcePolicyGrant) -> Any:
    source = wiring.GRANT_SOURCES[grant.source_service]
    if source.via_rule:
        return getatt(t.rule_id(grant.source_node, grant.target_node), "Arn")
    return t.arn_with(grant.source_node, source.arn_suffix)


def render_resource_policies(t: Template) -> None:
    permissions, by_target = wiring.grouped_grants(t.grants)
    for grant in permissions:
        _lambda_permission(t, grant)
    for target, grants in by_target.items():
        _target_policy(t, target, grants)


def _lambda_permission(t: Template, grant: iam.ResourcePolicyGrant) -> None:
    properties = {
        "Action": grant.actions[0],
        "FunctionName": t.function_target(grant.target_node),
        "Principal": grant.principal_service,
        "SourceArn": _grant_source_arn(t, grant),
        "SourceAccount": ref("AWS::AccountId"),
    }
    t.add(t.id(grant.target_node, "Permission", grant.source_node), "AWS::Lambda::Permission", properties)


# Grant kind -> (policy resource type, the property that lists its queues/topics)
POLICY_RESOURCES = {"sqs_queue_policy": ("AWS::SQS::QueuePolicy", "Queues"),
                    "sns_topic_policy": ("AWS::SNS::TopicPolicy", "Topics")}


def _target_policy(t: Template, target: str, grants: list[iam.ResourcePolicyGrant]) -> None:
    statements = []
    for grant in grants:
        statements.append({
            "Sid": "Allow" + camel(grant.source_node),
            "Effect": "Allow",
            "Principal": {"Service": grant.principal_service},
            "Action": list(grant.actions),
            "Resource": t.arn(target),
            "Condition": {"ArnEquals": {"aws:SourceArn": _grant_source_arn(t, grant)}},
        })
    document = {"Version": "2012-10-17", "Statement": statements}
    type_, listing = POLICY_RESOURCES[grants[0].kind]
    t.add(t.id(target, "Policy"), type_, {listing: [t.attribute(target, wiring.POLICY_TARGET[grants[0].kind])],
                                          "PolicyDocument": document})


# --------------------------------------------------------------------------------------
# The whole template


def build_template(arch: Architecture, sam: bool = False, code_path: Callable[[str], str] | None = None) -> dict:
    """The design as a CloudFormation (sam=False) or SAM template dict."""
    t = Template(arch, sam=sam, code_path=code_path)
    for node_id, node in arch.nodes.items():
        SERVICE_RENDERERS[node.service](t, node_id)
    for edge in arch.edges:
        renderer = EDGE_RENDERERS.get(arch.edge_kind(edge))
        if renderer is not None:
            renderer(t, edge)
    render_resource_policies(t)
    _render_extras(t)
    if sam:
        from .sam import to_sam

        to_sam(t)
    return _document(t)


def _render_extras(t: Template) -> None:
    """Resources outside the nine services, kept by the importer (exporters/cloudformation/
    read.py: {logical_id, type, properties, condition, depends_on, deletion_policy,
    update_replace_policy, metadata}): written back unchanged. Terraform-only extras
    ({address, tf_type, body}) have no CloudFormation form and are left to that exporter."""
    for extra in t.arch.extra.get("extras") or []:
        if not isinstance(extra, dict) or "logical_id" not in extra or "type" not in extra:
            continue
        resource: dict[str, Any] = {"Type": extra["type"]}
        for key, attribute in EXTRA_ATTRIBUTES:
            if extra.get(key) is not None:
                resource[attribute] = extra[key]
        if extra.get("properties"):
            resource["Properties"] = extra["properties"]
        t.resources[str(extra["logical_id"])] = resource


EXTRA_ATTRIBUTES = (("condition", "Condition"), ("depends_on", "DependsOn"), ("deletion_policy", "DeletionPolicy"),
                    ("update_replace_policy", "UpdateReplacePolicy"), ("metadata", "Metadata"))


def default_prefix(arch: Architecture) -> str:
    return (kebab(arch.name) or "stratus")[:16].strip("-") or "stratus"


def default_stage(arch: Architecture) -> str:
    for node in arch.nodes.values():
        if node.service == "api_gateway":
            stage = "".join(c for c in str(node.effective_config().get("stage", "")).lower() if c.isalnum())
            if stage:
                return stage[:8]
    return "prod"


def _document(t: Template) -> dict:
    doc: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09"}
    if t.sam:
        doc["Transform"] = SAM_TRANSFORM
    doc["Description"] = f"{t.arch.name}: generated by Stratus from the design (region {t.arch.region})"
    parameters = {
        "NamePrefix": {"Type": "String", "Default": default_prefix(t.arch), "AllowedPattern": "^[a-z0-9][a-z0-9-]*$",
                       "MaxLength": 16, "Description": "Lower-case prefix of physical resource names"},
        "Stage": {"Type": "String", "Default": default_stage(t.arch), "AllowedPattern": "^[a-z0-9]+$",
                  "MaxLength": 8, "Description": "Deployment stage (also the API stage name)"},
        **dict(sorted(t.parameters.items())),
    }
    used = compact_json([t.resources, t.outputs, t.conditions])
    parameters = {k: v for k, v in parameters.items() if f'"{k}"' in used or "${" + k + "}" in used}
    if parameters:
        doc["Parameters"] = parameters
    if t.conditions:
        doc["Conditions"] = t.conditions
    doc["Resources"] = t.resources
    if t.outputs:
        doc["Outputs"] = t.outputs
    return doc
