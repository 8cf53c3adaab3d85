"""The CloudFormation template being built, and the building blocks every renderer uses.

`Template` names every node's resources (logical ids) and writes references to them:
a node's attribute (model.aws.wiring's ARN, NAME, URL...) becomes Ref, Fn::GetAtt or
Fn::Sub through ATTRIBUTES, ARN_TEXTS and COMPUTED_ATTRIBUTES. Below it: IAM roles and
policies in CloudFormation syntax, tags and log groups. The service, API and edge
renderers (services.py, api.py, edges.py) all build on this module; render.py holds the
tables that pick a renderer per service and edge kind, and assembles the document.

Patterns worth knowing:
- S3 buckets get a fixed name (NamePrefix, Stage, node, account id) and everything refers
  to a bucket through an ARN built with Fn::Sub from that name, never !Ref/!GetAtt. That
  breaks the classic bucket -> notification -> permission -> bucket dependency cycle.
- Functions with provisioned concurrency are invoked through their alias `live` (logical
  id `<Fn>Aliaslive`, the id SAM's AutoPublishAlias gives), behind the
  ProvisionedConcurrencyEnabled condition so a stage can switch it off (services.py).
- checkov findings that do not apply are skipped in the resource's Metadata, with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import networkx as nx

from model.architecture import Architecture, Edge, Node
from model.aws import checkov_skips as skips
from model.aws import iam, wiring
from model.aws.defaults import ALIAS_NAME, DESIGN_TAG, log_retention_days, provisioned
from model.aws.naming import Namer, logical_ids, tag_value, template_name_part, template_name_room
from model.catalogue import SERVICES

from .imported import imported_logical_ids, kept_logical_ids

PROVISIONED_CONDITION = "ProvisionedConcurrencyEnabled"
# Parameters every template may have; generated logical ids keep away from them.
FIXED_NAMES = ("NamePrefix", "Stage", "CodeBucket", "ProvisionedConcurrency", PROVISIONED_CONDITION)


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
    mappings: dict[str, Any] = field(default_factory=dict)  # kept from an import (kept.py)
    metadata: dict[str, Any] = field(default_factory=dict)
    transforms: set[str] = field(default_factory=set)  # macros kept resources need (kept.py)
    code_path: Callable[[str], str] = None  # type: ignore[assignment]  # design-relative -> template-relative

    def __post_init__(self) -> None:
        self.arch = iam.indexed(self.arch)
        # Computed once: renderers ask per node.
        self.principals = set(iam.principals(self.arch))
        self.grants = iam.resource_policies(self.arch)
        # Nodes keep the logical ids they were imported from; the resources kept from an
        # import keep theirs, and generated names keep away from them (kept.py).
        self.names = logical_ids(self.arch.nodes, imported_logical_ids(self.arch))
        if self.code_path is None:
            self.code_path = lambda code: code
        self.kept_ids = kept_logical_ids(self.arch, FIXED_NAMES)
        for fixed in FIXED_NAMES + tuple(self.kept_ids.values()):
            self.names.reserve(fixed)
        self.loop_nodes = nodes_in_reference_loops(self.arch)
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

    def physical_name(self, node_id: str, room: int | None = None) -> str:
        """`${NamePrefix}-${Stage}-<node>`: the Sub text of a node's AWS name, the node's
        part cut to `room` (by default its main resource's, from the catalogue)."""
        if room is None:
            room = template_name_room(self.node(node_id))
        return "${NamePrefix}-${Stage}-" + template_name_part(node_id, room)

    def resource_type(self, node_id: str) -> str:
        """The CloudFormation type of the node's main resource (from the catalogue)."""
        node = self.node(node_id)
        return SERVICES[node.service].aws.resource(node.effective_config()).cloudformation

    def bucket_name(self, node_id: str) -> dict:
        return sub(self.physical_name(node_id) + "-${AWS::AccountId}")

    def attribute(self, node_id: str, attribute: str) -> Any:
        """A node's attribute (wiring.ARN, NAME, URL...) as Ref, Fn::GetAtt or Fn::Sub."""
        service = self.node(node_id).service
        if node_id in self.loop_nodes and (service, attribute) in LOOP_ATTRIBUTES:
            return LOOP_ATTRIBUTES[(service, attribute)](self, node_id)
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
        return self.attribute(node_id, wiring.handle(self.node(node_id).service))

    def function_target(self, node_id: str) -> Any:
        """The ARN triggers invoke: the `live` alias when it has provisioned concurrency."""
        if node_id in self.loop_nodes:
            unqualified, alias = _built_arn(self, node_id), _built_arn(self, node_id, ":" + ALIAS_NAME)
        else:
            unqualified, alias = getatt(self.id(node_id), "Arn"), ref(self.alias_id(node_id))
        if provisioned(self.config(node_id)):
            self.use_provisioned_switch()
            return {"Fn::If": [PROVISIONED_CONDITION, alias, unqualified]}
        return unqualified

    def loop_name(self, node_id: str) -> dict:
        """The explicit physical name of a node in a reference loop (see LOOP_NAMES), else {}."""
        prop = LOOP_NAMES.get(self.node(node_id).service) if node_id in self.loop_nodes else None
        return {prop: sub(self.physical_name(node_id))} if prop else {}

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

    def delivery_grant_id(self, edge: Edge) -> str:
        """The resource that lets the edge's source deliver to its target (which must wait for it)."""
        if wiring.grant_kind(self.arch, edge) == wiring.LAMBDA_PERMISSION:
            return self.id(edge.target, "Permission", edge.source)
        return self.id(edge.target, "Policy")


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
    ("eventbridge", wiring.NAME): lambda t, n: bus_name(t, n),
}


# Functions and state machines whose resources would refer to each other round a loop (a
# function invoking itself; a function starting a workflow whose task calls it back; two
# functions invoking each other): CloudFormation refuses circular references, so these get
# an explicit physical name and everything refers to them by an ARN built from that name.
# service -> (the property naming it, the ARN text after "arn:${AWS::Partition}:")
LOOP_NAMES = {"lambda": "FunctionName", "step_functions": "StateMachineName"}
LOOP_ARNS = {"lambda": "lambda:${AWS::Region}:${AWS::AccountId}:function:",
             "step_functions": "states:${AWS::Region}:${AWS::AccountId}:stateMachine:"}


def nodes_in_reference_loops(arch: Architecture) -> frozenset[str]:
    """The functions and state machines on a loop of references: every edge from a node of
    theirs is a reference in its resources (environment, role policy, definition)."""
    graph = nx.DiGraph()
    graph.add_edges_from((e.source, e.target) for e in arch.edges
                         if e.source in arch.nodes and e.target in arch.nodes
                         and arch.nodes[e.source].service in LOOP_NAMES)
    looped = set()
    for component in nx.strongly_connected_components(graph):
        if len(component) > 1 or any(graph.has_edge(n, n) for n in component):
            looped |= {n for n in component if arch.nodes[n].service in LOOP_NAMES}
    return frozenset(looped)


def _built_arn(t: Template, node_id: str, suffix: str = "") -> dict:
    return sub("arn:${AWS::Partition}:" + LOOP_ARNS[t.node(node_id).service] + t.physical_name(node_id) + suffix)


LOOP_ATTRIBUTES: dict[tuple[str, str], Callable[[Template, str], Any]] = {
    ("lambda", wiring.NAME): lambda t, n: sub(t.physical_name(n)),
    ("step_functions", wiring.ARN): _built_arn,
    ("step_functions", wiring.NAME): lambda t, n: sub(t.physical_name(n)),
}


def custom_bus(t: Template, node_id: str) -> bool:
    return wiring.custom_bus(t.config(node_id))


def _bus_arn(t: Template, node_id: str) -> Any:
    if custom_bus(t, node_id):
        return getatt(t.id(node_id), "Arn")
    return sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default")


def bus_name(t: Template, node_id: str) -> Any:
    """The bus's name, spelled out (rules then DependsOn the bus): moto's CloudFormation
    resolves !Ref of an EventBus to an object, not its name."""
    return sub(t.physical_name(node_id)) if custom_bus(t, node_id) else wiring.DEFAULT_BUS


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


def role(t: Template, principal: str) -> str:
    """The node's execution role, assumed by its service's principal (from the catalogue)."""
    logical_id = t.id(principal, "Role")
    service_principal = iam.service_principal(t.node(principal).service)
    document = policy_document(t, principal)
    properties: dict[str, Any] = {
        "AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service_principal},
                           "Action": "sts:AssumeRole"}],
        },
        # none of its own for an API's role that serves only kept operations (kept.py adds theirs)
        "Policies": [{"PolicyName": "least-privilege", "PolicyDocument": document}] if document["Statement"] else [],
        "Tags": tags(t),
    }
    skip = skips.role_skips(iam.role_statements(t.arch, principal))
    return t.add(logical_id, "AWS::IAM::Role", properties, skip=skip)


def tags(t: Template) -> list[dict]:
    return [{"Key": DESIGN_TAG, "Value": tag_value(t.arch.name)}]


def log_group(t: Template, node_id: str, name: Any = None) -> str:
    properties: dict[str, Any] = {"RetentionInDays": log_retention_days(t.node(node_id).extra)}
    if name is not None:
        properties["LogGroupName"] = name
    return t.add(t.id(node_id, "LogGroup"), "AWS::Logs::LogGroup", properties, skip=[skips.LOG_KMS])


