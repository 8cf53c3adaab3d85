"""CloudFormation and SAM templates -> a design (`import_cloudformation(path)`).

Three passes over the resources: (1) a node for every resource of the nine services,
(2) the wiring between them (SAM Events, event source mappings, subscriptions,
notifications, rules, API integrations and OpenAPI definitions, state machine tasks, IAM
policies, SAM policy templates, connectors, environment references), (3) every other resource classified:
absorbed into a node or edge, IAM mapped into edges, or kept under `extras` for the
exporters to emit again. The report says which, by logical id.
"""

from __future__ import annotations

import copy
import json
import os
import re
from typing import Any, Callable

import networkx as nx

from importers.cloudformation.intrinsics import Resolver, load_data, load_template, references
from importers.base import (
    GraphBuilder, ImportResult, as_bool, as_int, parse_rate, read_text, strip_tokens, token,
    tokens_in,
)
from model.catalogue import LAMBDA_RUNTIMES
from model.errors import StratusError

# Resource type -> service key for the node it becomes.
NODE_TYPES = {
    "AWS::Serverless::Function": "lambda", "AWS::Lambda::Function": "lambda",
    "AWS::DynamoDB::Table": "dynamodb", "AWS::Serverless::SimpleTable": "dynamodb",
    "AWS::DynamoDB::GlobalTable": "dynamodb",
    "AWS::SQS::Queue": "sqs", "AWS::SNS::Topic": "sns", "AWS::Kinesis::Stream": "kinesis",
    "AWS::S3::Bucket": "s3", "AWS::Events::EventBus": "eventbridge",
    "AWS::Serverless::StateMachine": "step_functions", "AWS::StepFunctions::StateMachine": "step_functions",
    "AWS::Serverless::Api": "api_gateway", "AWS::Serverless::HttpApi": "api_gateway",
    "AWS::ApiGateway::RestApi": "api_gateway", "AWS::ApiGatewayV2::Api": "api_gateway",
}
# Properties holding a resource's physical name (matched by policies and ARNs).
NAME_PROPERTIES = ("FunctionName", "TableName", "QueueName", "TopicName", "BucketName", "Name",
                   "StateMachineName")
# Supporting resources that are part of a node or an edge.
ABSORBED_TYPES = {
    "AWS::Lambda::Permission": "invoke permission (derived from edges)",
    "AWS::Lambda::EventSourceMapping": "event source mapping (an event_source edge)",
    "AWS::Lambda::EventInvokeConfig": "asynchronous invoke settings of the function",
    "AWS::Lambda::Version": "function version", "AWS::Lambda::Alias": "function alias",
    "AWS::ApiGateway::Deployment": "API deployment", "AWS::ApiGateway::Stage": "API stage",
    "AWS::ApiGateway::Method": "API method (an integration edge)",
    "AWS::ApiGateway::Resource": "API path", "AWS::ApiGateway::Account": "API account settings",
    "AWS::ApiGatewayV2::Stage": "API stage", "AWS::ApiGatewayV2::Deployment": "API deployment",
    "AWS::ApiGatewayV2::Integration": "API integration (an edge)", "AWS::ApiGatewayV2::Route": "API route",
    "AWS::SNS::Subscription": "subscription (an edge)", "AWS::SQS::QueuePolicy": "queue policy (derived from edges)",
    "AWS::SNS::TopicPolicy": "topic policy (derived from edges)", "AWS::Events::Rule": "rule (rule_target edges)",
    "AWS::Serverless::Connector": "connector (edges)",
}
IAM_TYPES = ("AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")

# SAM policy template -> (parameter naming the resource, service, edge kind, action)
POLICY_TEMPLATES = {
    "DynamoDBCrudPolicy": ("TableName", "dynamodb", "data_access", "read_write"),
    "DynamoDBReadPolicy": ("TableName", "dynamodb", "data_access", "read"),
    "DynamoDBWritePolicy": ("TableName", "dynamodb", "data_access", "write"),
    "DynamoDBReconfigurePolicy": ("TableName", "dynamodb", "data_access", "read"),
    "SQSSendMessagePolicy": ("QueueName", "sqs", "send", None),
    "SNSPublishMessagePolicy": ("TopicName", "sns", "publish", None),
    "SNSCrudPolicy": ("TopicName", "sns", "publish", None),
    "S3ReadPolicy": ("BucketName", "s3", "data_access", "read"),
    "S3WritePolicy": ("BucketName", "s3", "data_access", "write"),
    "S3CrudPolicy": ("BucketName", "s3", "data_access", "read_write"),
    "S3FullAccessPolicy": ("BucketName", "s3", "data_access", "read_write"),
    "KinesisCrudPolicy": ("StreamName", "kinesis", "put_record", None),
    "EventBridgePutEventsPolicy": ("EventBusName", "eventbridge", "put_events", None),
    "StepFunctionsExecutionPolicy": ("StateMachineName", "step_functions", "start_execution", None),
    "LambdaInvokePolicy": ("FunctionName", "lambda", "invoke", None),
}
# Policy templates that only let a function be triggered (the event edge says it all).
EVIDENCE_POLICIES = {"SQSPollerPolicy", "KinesisStreamReadPolicy", "DynamoDBStreamReadPolicy"}

# (service of the resource, SAM Events type) -> how the event is wired
# API resource type -> (property with the inline OpenAPI document, property with its location)
OPENAPI_SOURCES = {
    "AWS::Serverless::Api": ("DefinitionBody", "DefinitionUri"),
    "AWS::Serverless::HttpApi": ("DefinitionBody", "DefinitionUri"),
    "AWS::ApiGateway::RestApi": ("Body", "BodyS3Location"),
    "AWS::ApiGatewayV2::Api": ("Body", "BodyS3Location"),
}
# OpenAPI operation key -> HTTP method (HEAD and OPTIONS are imported as ANY, with a note)
OPENAPI_METHODS = {"get": "GET", "put": "PUT", "post": "POST", "delete": "DELETE", "patch": "PATCH",
                   "head": "HEAD", "options": "OPTIONS", "x-amazon-apigateway-any-method": "ANY"}
# x-amazon-apigateway-integration key -> the Method/Integration property it stands for
OPENAPI_INTEGRATION_KEYS = {
    "type": "Type", "uri": "Uri", "httpMethod": "IntegrationHttpMethod", "credentials": "Credentials",
    "requestTemplates": "RequestTemplates", "requestParameters": "RequestParameters",
    "timeoutInMillis": "TimeoutInMillis", "integrationSubtype": "IntegrationSubtype",
}
# An HTTP API integration subtype's prefix -> the service it reaches
SUBTYPE_SERVICES = {"SQS": "sqs", "Kinesis": "kinesis", "StepFunctions": "step_functions",
                    "EventBridge": "eventbridge"}
IMPLICIT_APIS = {"Api": ("ServerlessRestApi", "rest"), "HttpApi": ("ServerlessHttpApi", "http")}
HTTP_METHODS = ("ANY", "GET", "POST", "PUT", "PATCH", "DELETE")


def import_cloudformation(path: str | os.PathLike) -> ImportResult:
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise StratusError(f"{path}: no such file")
    template = load_template(read_text(path, "template"), path)
    return _Importer(template, path).run()


class _Importer:
    def __init__(self, template: dict, path: str) -> None:
        self.path = path
        self.base_dir = os.path.dirname(os.path.abspath(path))
        self.template = template
        resources = template.get("Resources")
        if not isinstance(resources, dict) or not resources:
            raise StratusError(f"{path}: the Resources section is empty or missing: nothing to import")
        bad = [k for k, v in resources.items() if not isinstance(v, dict) or not isinstance(v.get("Type"), str)]
        if bad:
            raise StratusError(f"{path}: resource{'s' if len(bad) > 1 else ''} {', '.join(map(str, bad))} "
                               "has no Type")
        _check_cycles(resources, path)
        self.raw = {k: _with_globals(v, template.get("Globals") or {}) for k, v in resources.items()}
        self.resolver = Resolver(template, path)
        name = os.path.splitext(os.path.basename(path))[0]
        if name in ("template", "main"):
            name = os.path.basename(self.base_dir) or name
        self.b = GraphBuilder(name, "cloudformation")
        self.props: dict[str, dict] = {}
        self.types: dict[str, str] = {k: v["Type"] for k, v in resources.items()}
        self.skipped: set[str] = set()
        self.used_roles: set[str] = set()
        self.handled: set[str] = set()
        self.absorbed_as: dict[str, str] = {}  # logical id -> what it became (for the report)
        self.api_timeouts: dict[str, tuple[int, str]] = {}  # API node -> (longest timeout, source)
        # (API node, method, path) of SAM Api/HttpApi events: SAM writes their OpenAPI integration.
        self.event_routes: set[tuple[str, str, str]] = set()

    # -- driver --------------------------------------------------------------------------

    def run(self) -> ImportResult:
        self.b.arch.extra["imported_from"] = self._source_extra()
        for key, resource in self.raw.items():
            condition = resource.get("Condition")
            if isinstance(condition, str) and not self.resolver.condition(condition):
                self.skipped.add(key)
                self.b.note("note", key, resource["Type"], f"not imported: condition '{condition}' is false "
                            "with the parameters' defaults", "warning")
                continue
            props = self.resolver.resolve(resource.get("Properties") or {})
            self.props[key] = props if isinstance(props, dict) else {}
        for key, props in self.props.items():
            service = NODE_TYPES.get(self.types[key])
            if service:
                self._add_node(key, service, props)
        self._link_aliases()
        for key, props in self.props.items():
            wire = WIRING.get(self.types[key])
            if wire:
                wire(self, key, props)
            if isinstance(self.raw[key].get("Connectors"), dict):
                self._connectors_attribute(key, self.raw[key]["Connectors"])
        self._wire_openapi()
        self._apply_throttling()
        self._apply_api_timeouts()
        self._classify_rest()
        if self.resolver.unresolved:
            for name in sorted(self.resolver.unresolved):
                if not name.startswith(("Serverless", "AWS::")) and name not in self.b.alias_of:
                    self.b.note("note", name, "", "is referenced but not defined in the template "
                                "(a SAM-generated or outside resource)", "warning")
        return self.b.finish()

    def _source_extra(self) -> dict:
        keep = {"format": "cloudformation", "file": os.path.basename(self.path)}
        for section in ("Description", "Transform", "Parameters", "Conditions", "Mappings", "Globals", "Outputs"):
            if section in self.template:
                keep[section.lower()] = copy.deepcopy(self.template[section])
        return keep

    # -- aliases and versions ---------------------------------------------------------------

    def _link_aliases(self) -> None:
        """Aliases and versions stand for their function wherever they are referenced (an
        integration that invokes `Fn:live` invokes Fn), and their provisioned concurrency is
        the function's. SAM's AutoPublishAlias makes `<Fn>Alias<name>` and `<Fn>Version<hash>`."""
        provisioned: dict[str, list[tuple[str, int]]] = {}
        for key, props in self.props.items():
            rtype = self.types[key]
            if rtype == "AWS::Serverless::Function" and isinstance(props.get("AutoPublishAlias"), str):
                fn = self.b.node_of[key]
                self.b.alias(f"{key}Alias{props['AutoPublishAlias']}", fn)
                for name in self.resolver.unresolved:
                    if re.fullmatch(re.escape(key) + r"Version[0-9a-f]{10}", name):
                        self.b.alias(name, fn)
            if rtype not in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                continue
            what = "alias" if rtype == "AWS::Lambda::Alias" else "version"
            count = as_int((props.get("ProvisionedConcurrencyConfig") or {}).get("ProvisionedConcurrentExecutions"))
            fn = self.b.node_for(props.get("FunctionName"), "lambda")
            if fn is None:
                extra = f"; its provisioned concurrency ({count}) is not attached to any node" if count else ""
                self.b.warn(key, rtype, f"{what} of {strip_tokens(str(props.get('FunctionName')))}, "
                            f"which is not a function of this template{extra}")
                continue
            self.b.alias(key, fn)
            self.absorbed_as[key] = f"function {what} of '{fn}'"
            if count:
                provisioned.setdefault(fn, []).append((key, count))
        for fn, counts in provisioned.items():
            self._set_provisioned(fn, counts)

    def _set_provisioned(self, fn: str, counts: list[tuple[str, int]]) -> None:
        total = sum(count for _, count in counts)
        key, rtype = counts[0][0], self.types[counts[0][0]]
        config = self.b._checked_config(key, rtype, "lambda", {"provisioned_concurrency": total})
        if not config:
            return
        self.b.arch.nodes[fn].config.update(config)
        for key, count in counts:
            self.absorbed_as[key] += f" (provisioned concurrency {count} -> the node)"
        if len(counts) > 1:
            self.b.note("note", fn, "", f"provisioned concurrency of {len(counts)} aliases/versions "
                        f"({', '.join(k for k, _ in counts)}) added up: {total}")

    # -- nodes -----------------------------------------------------------------------------

    def _add_node(self, key: str, service: str, props: dict) -> None:
        rtype = self.types[key]
        config = CONFIG_READERS[service](self, key, props)
        names = [props.get(p) for p in NAME_PROPERTIES if isinstance(props.get(p), str)]
        if service == "eventbridge":
            names.append(props.get("Name"))
        extra = {"cfn": {"logical_id": key, "type": rtype,
                         "properties": copy.deepcopy(self.raw[key].get("Properties") or {})}}
        for attribute in ("Condition", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Metadata"):
            if attribute in self.raw[key]:
                extra["cfn"][attribute.lower()] = copy.deepcopy(self.raw[key][attribute])
        self.b.add_node(key, rtype, service, config, key, extra, names)

    def _lambda(self, key: str, props: dict) -> dict:
        config = {
            "runtime": self._runtime(key, props.get("Runtime")),
            "memory_mb": as_int(props.get("MemorySize")),
            "timeout_s": as_int(props.get("Timeout")),
            "reserved_concurrency": as_int(props.get("ReservedConcurrentExecutions")),
            "provisioned_concurrency": as_int((props.get("ProvisionedConcurrencyConfig") or {})
                                              .get("ProvisionedConcurrentExecutions")),
            "handler": props.get("Handler") if isinstance(props.get("Handler"), str) else None,
        }
        architectures = props.get("Architectures")
        if isinstance(architectures, list) and architectures:
            config["architecture"] = architectures[0]
        code = props.get("CodeUri")
        if isinstance(code, str) and not code.startswith("s3://") and not tokens_in(code):
            config["code"] = os.path.normpath(os.path.join(self.base_dir, code))
        return {k: v for k, v in config.items() if v is not None}

    def _runtime(self, key: str, runtime: Any) -> str | None:
        if not isinstance(runtime, str) or runtime in LAMBDA_RUNTIMES:
            return runtime if isinstance(runtime, str) else None
        family = re.match(r"[a-z]+", runtime)
        same = [r for r in LAMBDA_RUNTIMES if family and r.startswith(family.group(0))]
        if not same:
            self.b.note("note", key, self.types[key], f"runtime {runtime} is not in Stratus's catalogue; "
                        "the default is used (the original is kept in the node's cfn properties)", "warning")
            return None
        self.b.note("note", key, self.types[key], f"runtime {runtime} is newer than Stratus's catalogue; "
                    f"simulated as {same[0]} (the original is kept in the node's cfn properties)")
        return same[0]

    def _table(self, key: str, props: dict) -> dict:
        if self.types[key] == "AWS::Serverless::SimpleTable":
            throughput = props.get("ProvisionedThroughput")
            config = {"billing_mode": "provisioned" if throughput else "on_demand",
                      "partition_key": (props.get("PrimaryKey") or {}).get("Name")}
        else:
            throughput = props.get("ProvisionedThroughput")
            mode = props.get("BillingMode") or ("PROVISIONED" if throughput else "PAY_PER_REQUEST")
            config = {"billing_mode": "on_demand" if mode == "PAY_PER_REQUEST" else "provisioned"}
            hash_keys = [k.get("AttributeName") for k in props.get("KeySchema") or []
                         if isinstance(k, dict) and k.get("KeyType") == "HASH"]
            config["partition_key"] = hash_keys[0] if hash_keys else None
        if isinstance(throughput, dict):
            config["read_capacity"] = as_int(throughput.get("ReadCapacityUnits"))
            config["write_capacity"] = as_int(throughput.get("WriteCapacityUnits"))
        view = (props.get("StreamSpecification") or {}).get("StreamViewType")
        if isinstance(view, str):
            config["stream"] = view.lower()
        return {k: v for k, v in config.items() if v is not None}

    def _queue(self, key: str, props: dict) -> dict:
        config = {"fifo": as_bool(props.get("FifoQueue")),
                  "visibility_timeout_s": as_int(props.get("VisibilityTimeout")),
                  "retention_s": as_int(props.get("MessageRetentionPeriod"))}
        redrive = props.get("RedrivePolicy")
        if isinstance(redrive, str):
            try:
                redrive = json.loads(redrive)
            except ValueError:
                redrive = {}
        if isinstance(redrive, dict):
            config["max_receive_count"] = as_int(redrive.get("maxReceiveCount"))
        return {k: v for k, v in config.items() if v is not None}

    def _topic(self, key: str, props: dict) -> dict:
        fifo = as_bool(props.get("FifoTopic"))
        return {"fifo": fifo} if fifo is not None else {}

    def _stream(self, key: str, props: dict) -> dict:
        mode = (props.get("StreamModeDetails") or {}).get("StreamMode")
        config = {"capacity_mode": "on_demand" if mode == "ON_DEMAND" else "provisioned",
                  "shards": as_int(props.get("ShardCount")),
                  "retention_hours": as_int(props.get("RetentionPeriodHours"))}
        return {k: v for k, v in config.items() if v is not None}

    def _bucket(self, key: str, props: dict) -> dict:
        return {}

    def _bus(self, key: str, props: dict) -> dict:
        name = props.get("Name")
        return {"bus_name": name} if isinstance(name, str) and not tokens_in(name) else {}

    def _state_machine(self, key: str, props: dict) -> dict:
        kind = props.get("Type") or props.get("StateMachineType") or "STANDARD"
        return {"workflow_type": "express" if str(kind).upper() == "EXPRESS" else "standard"}

    def _api(self, key: str, props: dict) -> dict:
        rtype = self.types[key]
        http = rtype == "AWS::Serverless::HttpApi" or (
            rtype == "AWS::ApiGatewayV2::Api" and props.get("ProtocolType") == "HTTP")
        if rtype == "AWS::ApiGatewayV2::Api" and props.get("ProtocolType") not in ("HTTP", None):
            self.b.note("note", key, rtype, f"{props.get('ProtocolType')} API simulated as an HTTP API", "warning")
        config: dict[str, Any] = {"api_type": "http" if http else "rest"}
        stage = props.get("StageName")
        if isinstance(stage, str) and not tokens_in(stage):
            config["stage"] = stage
        for setting in _as_list(props.get("MethodSettings")) + [props.get("DefaultRouteSettings") or {}]:
            config.update(_throttle(setting))
        return config

    # -- wiring: functions -------------------------------------------------------------------

    def _wire_function(self, key: str, props: dict) -> None:
        fn = self.b.node_of[key]
        for name, event in (props.get("Events") or {}).items():
            self._event(key, fn, name, event)
        self._function_policies(key, fn, props)
        self._failure_destinations(key, fn, props)
        self._environment(key, fn, props)
        alias = props.get("ProvisionedConcurrencyConfig")
        if alias and not props.get("AutoPublishAlias"):
            self.b.note("note", key, self.types[key], "ProvisionedConcurrencyConfig needs AutoPublishAlias", "warning")

    def _event(self, key: str, target: str, name: str, event: Any) -> None:
        rtype = self.types[key]
        if not isinstance(event, dict):
            return
        kind, props = event.get("Type"), event.get("Properties") or {}
        handler = EVENT_HANDLERS.get(kind)
        if handler is None:
            self.b.warn(f"{key}.Events.{name}", rtype, f"event type {kind} is not one Stratus models; not mapped")
            return
        handler(self, key, target, name, props)

    def _api_event(self, key, target, name, props, kind=None) -> None:
        kind = kind or ("HttpApi" if "ApiId" in props or self._event_kind(key, name) == "HttpApi" else "Api")
        api_ref = props.get("RestApiId") or props.get("ApiId")
        api = self.b.node_for(api_ref, "api_gateway") if api_ref else self._implicit_api(kind)
        if api is None:
            self.b.warn(f"{key}.Events.{name}", self.types[key], f"API {strip_tokens(str(api_ref))} is not in the template")
            return
        method = str(props.get("Method", "ANY")).upper()
        route = {"method": method if method in HTTP_METHODS else "ANY", "path": props.get("Path", "/")}
        self.event_routes.add((api, route["method"], str(route["path"])))
        self.b.add_edge(api, target, None, route, f"{kind} event {name}", key, self.types[key])

    def _event_kind(self, key: str, name: str) -> str:
        return ((self.props[key].get("Events") or {}).get(name) or {}).get("Type", "")

    def _implicit_api(self, kind: str) -> str:
        logical, api_type = IMPLICIT_APIS[kind]
        if logical not in self.b.node_of:
            stage = "Prod" if api_type == "rest" else "$default"
            config = {"api_type": api_type}
            if api_type == "rest":
                config["stage"] = stage
            globals_api = (self.template.get("Globals") or {}).get(kind) or {}
            for setting in _as_list(globals_api.get("MethodSettings")) + [globals_api.get("DefaultRouteSettings") or {}]:
                config.update(_throttle(self.resolver.resolve(setting)))
            self.b.add_node(logical, f"implicit {kind}", "api_gateway", config, logical,
                            {"cfn": {"logical_id": logical, "implicit": True}})
        return self.b.node_of[logical]

    def _queue_event(self, key, target, name, props) -> None:
        source = self.b.node_for(props.get("Queue"), "sqs")
        config = {"batch_size": as_int(props.get("BatchSize")),
                  "max_concurrency": as_int((props.get("ScalingConfig") or {}).get("MaximumConcurrency")),
                  "batch_window_s": as_int(props.get("MaximumBatchingWindowInSeconds"))}
        self._source_edge(key, source, target, config, f"SQS event {name}", props.get("Queue"))

    def _stream_event(self, key, target, name, props) -> None:
        source = self.b.node_for(props.get("Stream"), ("kinesis", "dynamodb"))
        self._source_edge(key, source, target, _stream_config(props), f"stream event {name}", props.get("Stream"))

    def _source_edge(self, key, source, target, config, why, ref) -> None:
        if source is None:
            self.b.warn(key, self.types.get(key, ""), f"{why}: source {strip_tokens(str(ref))} is not a node; not mapped")
            return
        self.b.add_edge(source, target, "event_source", config, why, key, self.types.get(key, ""))

    def _s3_event(self, key, target, name, props) -> None:
        bucket = self.b.node_for(props.get("Bucket"), "s3")
        if bucket is None:
            self.b.warn(key, self.types[key], f"S3 event {name}: bucket is not in the template")
            return
        self.b.add_edge(bucket, target, "notification", _notification_config(props.get("Events"), props.get("Filter")),
                        f"S3 event {name}", key, self.types[key])

    def _sns_event(self, key, target, name, props) -> None:
        topic = self.b.node_for(props.get("Topic"), "sns")
        if topic is None:
            self.b.warn(key, self.types[key], f"SNS event {name}: topic is not in the template")
            return
        if props.get("SqsSubscription"):
            self.b.note("note", key, self.types[key], f"SNS event {name} goes through a SAM-made queue; "
                        "modelled as a direct subscription", "warning")
        self.b.add_edge(topic, target, "subscription", {}, f"SNS event {name}", key, self.types[key])

    def _rule_event(self, key, target, name, props) -> None:
        bus = self._bus_node(props.get("EventBusName"))
        pattern = props.get("Pattern")
        config = {"pattern": json.dumps(pattern, sort_keys=True)} if isinstance(pattern, dict) else {}
        self.b.add_edge(bus, target, "rule_target", config, f"EventBridge rule event {name}", key, self.types[key])

    def _schedule_event(self, key, target, name, props) -> None:
        expression = props.get("Schedule") or props.get("ScheduleExpression") or ""
        self._schedule(key, target, str(expression), f"schedule event {name}")

    def _schedule(self, key: str, target: str, expression: str, why: str) -> None:
        every = parse_rate(expression)
        if every is None:
            every = 3600.0
            self.b.note("note", key, self.types[key], f"{why}: '{expression}' is not a rate(); "
                        "the scenario runs it hourly", "warning")
        self.b.schedules.append((target, every, expression))
        self.b.note("note", key, self.types[key], f"{why} ({expression}) -> a schedule load every {every:g} s "
                    f"at '{target}' in scenario 'imported schedules'")

    def _bus_node(self, ref: Any) -> str:
        node = self.b.node_for(ref, "eventbridge") if ref not in (None, "default") else None
        if node:
            return node
        if ref not in (None, "default"):
            self.b.note("note", "", "", f"event bus {strip_tokens(str(ref))} is not in the template; "
                        "the default bus stands in", "warning")
        if "DefaultEventBus" not in self.b.node_of:
            self.b.add_node("DefaultEventBus", "implicit default bus", "eventbridge", {"bus_name": "default"},
                            "DefaultEventBus", {"cfn": {"logical_id": "DefaultEventBus", "implicit": True}})
        return self.b.node_of["DefaultEventBus"]

    def _function_policies(self, key: str, fn: str, props: dict) -> None:
        rtype = self.types[key]
        for policy in _as_list(props.get("Policies")):
            if isinstance(policy, str):
                continue  # a managed policy name or ARN: grants nothing we can tie to a node
            if not isinstance(policy, dict):
                continue
            if "Statement" in policy:
                self.b.edges_from_statements(fn, policy["Statement"], key, rtype, "inline policy")
                continue
            for template_name, params in policy.items():
                self._policy_template(key, fn, template_name, params or {})
        for role_key in tokens_in(props.get("Role")):
            self._role_statements(key, fn, role_key.split(".")[0])

    def _policy_template(self, key: str, fn: str, name: str, params: Any) -> None:
        rtype = self.types[key]
        if name in EVIDENCE_POLICIES:
            return
        spec = POLICY_TEMPLATES.get(name)
        if spec is None:
            self.b.note("note", key, rtype, f"policy template {name} grants access to nothing Stratus models")
            return
        param, service, kind, action = spec
        value = params.get(param) if isinstance(params, dict) else None
        target = self.b.node_for(value, service)
        if target is None:
            self.b.warn(key, rtype, f"policy template {name}: {param} {strip_tokens(str(value))} is not a node")
            return
        self.b.add_edge(fn, target, kind, {"action": action} if action else {}, f"policy template {name}", key, rtype)

    def _role_statements(self, key: str, fn: str, role: str) -> None:
        if self.types.get(role) != "AWS::IAM::Role" or role not in self.props:
            return
        self.used_roles.add(role)
        for policy in self.props[role].get("Policies") or []:
            if isinstance(policy, dict):
                document = policy.get("PolicyDocument") or {}
                self.b.edges_from_statements(fn, document.get("Statement"), key, self.types[key],
                                             f"policy of role {role}")
        for other, props in self.props.items():
            if self.types[other] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and \
                    token(role) in _as_list(props.get("Roles")):
                self.b.edges_from_statements(fn, (props.get("PolicyDocument") or {}).get("Statement"),
                                             key, self.types[key], f"policy {other}")

    def _failure_destinations(self, key: str, fn: str, props: dict) -> None:
        dlq = props.get("DeadLetterQueue") or props.get("DeadLetterConfig")
        if isinstance(dlq, dict):
            self._on_failure(key, fn, dlq.get("TargetArn"), "dead-letter queue")
        if isinstance(props.get("EventInvokeConfig"), dict):
            self._retry_attempts(key, fn, props["EventInvokeConfig"])
        destination = ((props.get("EventInvokeConfig") or {}).get("DestinationConfig") or {}).get("OnFailure")
        if isinstance(destination, dict):
            self._on_failure(key, fn, destination.get("Destination"), "on-failure destination")

    def _on_failure(self, key: str, fn: str, ref: Any, why: str) -> None:
        target = self.b.node_for(ref, ("sqs", "sns"))
        if target is None:
            self.b.warn(key, self.types[key], f"{why} {strip_tokens(str(ref))} is not a queue or topic node")
            return
        self.b.add_edge(fn, target, "on_failure", {}, why, key, self.types[key])

    def _environment(self, key: str, fn: str, props: dict) -> None:
        variables = ((props.get("Environment") or {}).get("Variables")) or {}
        for name, value in variables.items():
            if not isinstance(value, str):
                continue
            target = self.b.node_for(value)
            if target is None or target == fn or self.b.has_edge_between(fn, target):
                continue
            service = self.b.arch.nodes[target].service
            config = {"action": "read_write"} if service in ("dynamodb", "s3") else {}
            self.b.add_edge(fn, target, None, config, f"environment variable {name}", key, self.types[key])

    def _event_invoke_config(self, key: str, props: dict) -> None:
        fn = self.b.node_for(props.get("FunctionName"), "lambda")
        if fn is None:
            self.b.warn(key, self.types[key], f"asynchronous invoke settings of {strip_tokens(str(props.get('FunctionName')))}, "
                        "which is not a function of this template")
            return
        self._retry_attempts(key, fn, props)
        destination = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        if destination:
            self._on_failure(key, fn, destination, "on-failure destination")

    def _retry_attempts(self, key: str, fn: str, settings: dict) -> None:
        retries = as_int(settings.get("MaximumRetryAttempts"))
        if retries is not None:
            self.b.arch.nodes[fn].config.update(
                self.b._checked_config(key, self.types[key], "lambda", {"max_retry_attempts": retries}))

    # -- wiring: other services -------------------------------------------------------------

    def _wire_queue(self, key: str, props: dict) -> None:
        redrive = props.get("RedrivePolicy")
        if isinstance(redrive, str):
            try:
                redrive = json.loads(redrive)
            except ValueError:
                redrive = None
        if isinstance(redrive, dict) and redrive.get("deadLetterTargetArn"):
            target = self.b.node_for(redrive["deadLetterTargetArn"], "sqs")
            if target:
                self.b.add_edge(self.b.node_of[key], target, "dead_letter", {}, "redrive policy", key, self.types[key])
            else:
                self.b.warn(key, self.types[key], "redrive target is not a queue of this template")

    def _wire_topic(self, key: str, props: dict) -> None:
        for sub in _as_list(props.get("Subscription")):
            if isinstance(sub, dict):
                self._subscribe(key, self.b.node_of[key], sub.get("Endpoint"), sub.get("Protocol"), {}, "inline subscription")

    def _subscription(self, key: str, props: dict) -> None:
        topic = self.b.node_for(props.get("TopicArn"), "sns")
        if topic is None:
            self.b.warn(key, self.types[key], "topic is not in the template")
            return
        raw = as_bool(props.get("RawMessageDelivery"))
        self._subscribe(key, topic, props.get("Endpoint"), props.get("Protocol"),
                        {"raw_message_delivery": raw}, "subscription")

    def _subscribe(self, key, topic, endpoint, protocol, config, why) -> None:
        target = self.b.node_for(endpoint, ("sqs", "lambda"))
        if target is None:
            self.b.warn(key, self.types[key], f"{why} to {protocol} endpoint {strip_tokens(str(endpoint))} "
                        "is not a queue or function node")
            return
        if self.b.arch.nodes[target].service != "sqs":
            config = {}
        self.b.add_edge(topic, target, "subscription", config, why, key, self.types[key])

    def _wire_bucket(self, key: str, props: dict) -> None:
        bucket = self.b.node_of[key]
        notifications = props.get("NotificationConfiguration") or {}
        for section, ref_key in (("LambdaConfigurations", "Function"), ("QueueConfigurations", "Queue"),
                                 ("TopicConfigurations", "Topic")):
            for entry in _as_list(notifications.get(section)):
                if not isinstance(entry, dict):
                    continue
                target = self.b.node_for(entry.get(ref_key))
                if target is None:
                    self.b.warn(key, self.types[key], f"notification to {strip_tokens(str(entry.get(ref_key)))} "
                                "is not a node")
                    continue
                self.b.add_edge(bucket, target, "notification",
                                _notification_config(entry.get("Event"), entry.get("Filter")),
                                "notification", key, self.types[key])
        if as_bool((notifications.get("EventBridgeConfiguration") or {}).get("EventBridgeEnabled")):
            self.b.add_edge(bucket, self._bus_node(None), "notification", {}, "EventBridge notifications",
                            key, self.types[key])

    def _event_source_mapping(self, key: str, props: dict) -> None:
        source = self.b.node_for(props.get("EventSourceArn"), ("sqs", "kinesis", "dynamodb"))
        fn = self.b.node_for(props.get("FunctionName"), "lambda")
        if fn is None:
            self.b.warn(key, self.types[key], "function is not in the template")
            return
        config = _stream_config(props)
        config["max_concurrency"] = as_int((props.get("ScalingConfig") or {}).get("MaximumConcurrency"))
        if source and self.b.arch.nodes[source].service == "sqs":
            config = {k: config.get(k) for k in ("batch_size", "max_concurrency", "batch_window_s")}
        self._source_edge(key, source, fn, config, "event source mapping", props.get("EventSourceArn"))

    def _rule(self, key: str, props: dict) -> None:
        pattern = props.get("EventPattern")
        if isinstance(pattern, str):
            try:
                pattern = json.loads(pattern)
            except ValueError:
                pass
        schedule = props.get("ScheduleExpression")
        for target in _as_list(props.get("Targets")):
            if not isinstance(target, dict):
                continue
            node = self.b.node_for(target.get("Arn"))
            if node is None:
                self.b.warn(key, self.types[key], f"target {strip_tokens(str(target.get('Arn')))} is not a node")
                continue
            if schedule:
                self._schedule(key, node, str(schedule), "scheduled rule")
                continue
            config = {"pattern": json.dumps(pattern, sort_keys=True)} if isinstance(pattern, dict) else {}
            self.b.add_edge(self._bus_node(props.get("EventBusName")), node, "rule_target", config,
                            "rule", key, self.types[key])

    def _wire_state_machine(self, key: str, props: dict) -> None:
        sm = self.b.node_of[key]
        definition = self._definition(key, props)
        if definition is not None:
            self.b.task_edges(sm, definition, key, self.types[key])
        for name, event in (props.get("Events") or {}).items():
            self._event(key, sm, name, event)
        for role_key in tokens_in(props.get("Role") or props.get("RoleArn")):
            if self.types.get(role_key.split(".")[0]) == "AWS::IAM::Role":
                self.used_roles.add(role_key.split(".")[0])

    def _definition(self, key: str, props: dict) -> Any:
        rtype = self.types[key]
        definition = props.get("Definition")
        if definition is None and isinstance(props.get("DefinitionString"), str):
            try:
                definition = json.loads(props["DefinitionString"])
            except ValueError as exc:
                self.b.warn(key, rtype, f"DefinitionString is not JSON ({exc}); no task edges")
                return None
        uri = props.get("DefinitionUri")
        if definition is None and isinstance(uri, str):
            definition = self._definition_file(key, uri)
        elif definition is None and (uri or props.get("DefinitionS3Location")):
            self.b.warn(key, rtype, "definition is in S3; no task edges")
            return None
        substitutions = props.get("DefinitionSubstitutions") or {}
        return _substitute(definition, substitutions) if definition is not None else None

    def _definition_file(self, key: str, uri: str, prop: str = "DefinitionUri",
                         what: str = "state machine definition", lost: str = "no task edges") -> Any:
        """A definition file next to the template (JSON or YAML, safe loader), or None with a
        warning naming the file; `lost` says what the design misses without it."""
        rtype = self.types[key]
        path = os.path.normpath(os.path.join(self.base_dir, uri))
        if not os.path.isfile(path):
            folder, wanted = os.path.dirname(path), os.path.basename(path).lower()
            same = [n for n in (os.listdir(folder) if os.path.isdir(folder) else []) if n.lower() == wanted]
            if not same:
                self.b.warn(key, rtype, f"{prop} {uri} not found next to the template; {lost}")
                return None
            self.b.note("note", key, rtype, f"{prop} {uri} matched {same[0]} ignoring case "
                        "(a case-sensitive file system would not find it)", "warning")
            path = os.path.join(folder, same[0])
        try:
            return load_data(read_text(path, what), uri)
        except StratusError as exc:
            self.b.warn(key, rtype, f"{exc}; {lost}")
        return None

    # -- APIs ----------------------------------------------------------------------------------

    def _method(self, key: str, props: dict) -> None:
        api = self.b.node_for(props.get("RestApiId"), "api_gateway")
        integration = props.get("Integration") or {}
        if api is None:
            self.b.warn(key, self.types[key], "API is not in the template")
            return
        route = {"method": self._method_name(key, props.get("HttpMethod", "ANY")),
                 "path": self._path(props.get("ResourceId"))}
        self._integration(key, api, integration.get("Uri"), integration, route)

    def _method_name(self, key: str, method: Any) -> str:
        text = str(method).upper()
        if text == "*":
            return "ANY"
        if text not in HTTP_METHODS:
            self.b.note("note", key, self.types[key], f"HTTP method {strip_tokens(str(method))} is not one Stratus "
                        "models; the route is imported as ANY", "warning")
            return "ANY"
        return text

    def _path(self, resource_ref: Any) -> str:
        parts = []
        keys = tokens_in(resource_ref)
        seen = set()
        while keys and keys[0] in self.props and keys[0] not in seen:
            seen.add(keys[0])
            props = self.props[keys[0]]
            parts.insert(0, str(props.get("PathPart", "")))
            keys = tokens_in(props.get("ParentId"))
            if keys and keys[0].endswith(".RootResourceId"):
                break
        return "/" + "/".join(parts)

    def _integration(self, key: str, api: str, uri: Any, integration: dict, route: dict,
                     origin: str = "") -> None:
        """The edge an API integration makes (Lambda proxy or a direct service action),
        whether it comes from a Method, a V2 Integration or an OpenAPI definition."""
        rtype = self.types[key]
        target = self.b.node_for(uri, ("lambda", "step_functions", "sqs", "kinesis", "dynamodb")) if uri else None
        text = strip_tokens(str(uri or ""))
        config = dict(route)
        match = re.search(r":apigateway:[^:]*:([a-z]+):(action|path)/(.+)$", text)
        if target is None and match:
            service, action = match.group(1), match.group(3)
            target = self._service_integration_target(service, action, integration, text)
            if service == "dynamodb":
                config["action"] = "read" if action.lower() in ("getitem", "query", "scan", "batchgetitem") else "write"
        if target is None:
            if integration.get("Type") not in ("MOCK", "HTTP", "HTTP_PROXY", None):
                self.b.warn(key, rtype, f"{origin}{route['method']} {route['path']}: integration "
                            f"{text or integration.get('Type')} reaches no node of the design")
            return
        for role in tokens_in(integration.get("Credentials") or integration.get("CredentialsArn")):
            if self.types.get(role.split(".")[0]) == "AWS::IAM::Role":
                self.used_roles.add(role.split(".")[0])
        self._api_timeout(api, integration.get("TimeoutInMillis"), key)
        self.b.add_edge(api, target, None, config, f"{origin}{route['method']} {route['path']} integration",
                        key, rtype)

    # -- APIs: OpenAPI definitions --------------------------------------------------------------

    def _wire_openapi(self) -> None:
        """Routes of the APIs defined by an OpenAPI (or Swagger) document: each operation's
        x-amazon-apigateway-integration becomes the edge a Method or Integration would."""
        for key, rtype in self.types.items():
            if rtype in OPENAPI_SOURCES and key in self.b.node_of and key not in self.skipped:
                found = self._openapi_definition(key, *OPENAPI_SOURCES[rtype])
                if found is not None:
                    self._openapi_routes(key, *found)

    def _openapi_definition(self, key: str, body_prop: str, location_prop: str) -> tuple[Any, str] | None:
        """(definition, where it came from), or None (nothing to read, or reported)."""
        rtype, lost = self.types[key], "its routes are not imported"
        body = (self.raw[key].get("Properties") or {}).get(body_prop)
        if body is not None:
            body = self._expand_includes(key, body, body_prop)
            if body is _UNREADABLE:
                return None
            if isinstance(body, str):
                try:
                    body = json.loads(body)
                except ValueError as exc:
                    self.b.warn(key, rtype, f"{body_prop} is text but not JSON ({exc}); {lost}")
                    return None
            return self._resolve_definition(key, body, body_prop), body_prop
        location = self.props[key].get(location_prop)
        if location is None:
            return None
        if isinstance(location, str) and not location.startswith("s3://") and not tokens_in(location):
            definition = self._definition_file(key, location, location_prop, "OpenAPI definition", lost)
            if definition is None:
                return None
            return self._resolve_definition(key, definition, location), location
        self.b.warn(key, rtype, f"{location_prop} {_s3_text(location)}: the OpenAPI definition is in S3, which "
                    f"cannot be read offline; {lost}")
        return None

    def _expand_includes(self, key: str, value: Any, where: str) -> Any:
        """`Fn::Transform: AWS::Include` replaced by the local file it names; _UNREADABLE
        (reported) where the file is in S3, missing or not JSON/YAML."""
        if isinstance(value, list):
            return [v for v in (self._expand_includes(key, item, where) for item in value) if v is not _UNREADABLE]
        if not isinstance(value, dict):
            return value
        if set(value) != {"Fn::Transform"}:
            out = {k: self._expand_includes(key, v, f"{where}.{k}") for k, v in value.items()}
            return {k: v for k, v in out.items() if v is not _UNREADABLE}
        transform = value["Fn::Transform"] if isinstance(value["Fn::Transform"], dict) else {}
        lost = "the part it includes is not imported"
        if transform.get("Name") != "AWS::Include":
            self.b.warn(key, self.types[key], f"{where}: Fn::Transform {transform.get('Name')!r} is not one Stratus "
                        f"reads (only AWS::Include); {lost}")
            return _UNREADABLE
        location = self.resolver.resolve((transform.get("Parameters") or {}).get("Location"))
        if not isinstance(location, str) or location.startswith("s3://") or tokens_in(location):
            self.b.warn(key, self.types[key], f"{where}: AWS::Include Location {_s3_text(location)} is in S3, "
                        f"which cannot be read offline; {lost}")
            return _UNREADABLE
        included = self._definition_file(key, location, "AWS::Include Location", "included snippet", lost)
        return _UNREADABLE if included is None else self._expand_includes(key, included, location)

    def _resolve_definition(self, key: str, definition: Any, where: str) -> Any:
        try:
            return self.resolver.resolve(definition)
        except StratusError as exc:  # an intrinsic in the definition that cannot be evaluated
            self.b.warn(key, self.types[key], f"{where}: {exc}; intrinsics there are left as written")
            return definition

    def _openapi_routes(self, key: str, definition: Any, where: str) -> None:
        rtype = self.types[key]
        paths = definition.get("paths") if isinstance(definition, dict) else None
        if not isinstance(paths, dict):
            problem = "is not an OpenAPI document" if not isinstance(definition, dict) else \
                "has no paths" if paths is None else "has a 'paths' that is not a mapping"
            self.b.warn(key, rtype, f"{where} {problem}; no routes imported")
            return
        for path, item in paths.items():
            if not isinstance(item, dict):
                self.b.warn(key, rtype, f"{where}: path {path} is not a mapping of operations; no edge")
                continue
            for name, operation in item.items():
                method = OPENAPI_METHODS.get(str(name).lower())
                if method is not None:
                    self._openapi_operation(key, definition, str(path), method, operation, where)

    def _openapi_operation(self, key: str, definition: dict, path: str, method: str, operation: Any,
                           where: str) -> None:
        rtype, api = self.types[key], self.b.node_of[key]
        route_text = f"{where}: {method} {path}"
        integration = operation.get("x-amazon-apigateway-integration") if isinstance(operation, dict) else None
        integration = _follow_ref(definition, integration)
        if integration is None:
            if (api, method, path) not in self.event_routes:  # SAM fills those in from the function's event
                self.b.warn(key, rtype, f"{route_text}: no x-amazon-apigateway-integration; no edge")
            return
        if not isinstance(integration, dict):
            self.b.warn(key, rtype, f"{route_text}: x-amazon-apigateway-integration is not a mapping; no edge")
            return
        cfn = {OPENAPI_INTEGRATION_KEYS[k]: v for k, v in integration.items() if k in OPENAPI_INTEGRATION_KEYS}
        kind = str(cfn.get("Type", "")).upper()
        cfn["Type"] = kind
        if isinstance(cfn.get("Uri"), str) and "${" in cfn["Uri"]:  # a file's text, never through Fn::Sub
            cfn["Uri"] = self._resolve_definition(key, {"Fn::Sub": cfn["Uri"]}, route_text)
        if kind not in ("AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"):
            self.b.warn(key, rtype, f"{route_text}: integration type {integration.get('type')!r} is not one "
                        "API Gateway knows; no edge")
            return
        if kind in ("HTTP", "HTTP_PROXY", "MOCK"):
            backend = "answered by API Gateway itself" if kind == "MOCK" else \
                f"an HTTP backend outside the design ({strip_tokens(str(cfn.get('Uri')))})"
            self.b.note("note", key, rtype, f"{route_text}: {kind.lower()} integration, {backend}; no edge")
            return
        if method not in HTTP_METHODS:
            self.b.note("note", key, rtype, f"{route_text}: HTTP method {method} is not one Stratus models; "
                        "the route is imported as ANY", "warning")
        route = {"method": method if method in HTTP_METHODS else "ANY", "path": path}
        reported = len(self.b.notes)
        if cfn.get("IntegrationSubtype"):
            self._subtype_integration(key, api, cfn, route, f"{where}: ")
        elif not cfn.get("Uri"):
            self.b.warn(key, rtype, f"{route_text}: {kind.lower()} integration without a uri; no edge")
            return
        else:
            self._integration(key, api, cfn["Uri"], cfn, route, f"{where}: ")
        self._note_folded_route(key, api, route, route_text, reported)

    def _note_folded_route(self, key: str, api: str, route: dict, route_text: str, reported: int) -> None:
        """A design has one edge per API and target: a second route to the same target
        folds into the first edge. Say so, rather than lose the route without a word."""
        if any(n.category == "unmapped" for n in self.b.notes[reported:]):
            return  # no edge, already reported
        if any(e.config.get("path") == route["path"] and e.config.get("method") in (route["method"], "ANY")
               for e in self.b.arch.edges_from(api)):
            return
        self.b.note("note", key, self.types[key], f"{route_text}: same target as another route of this API; "
                    "Stratus keeps one edge per API and target, so the route is folded into that edge")

    def _api_timeout(self, api: str, timeout: Any, key: str) -> None:
        value = as_int(timeout)
        if value is not None and value > self.api_timeouts.get(api, (-1, ""))[0]:
            self.api_timeouts[api] = (value, key)

    def _apply_api_timeouts(self) -> None:
        """The API's timeout_ms: the longest integration timeout (each integration sets its own)."""
        for api, (timeout, key) in self.api_timeouts.items():
            self.b.arch.nodes[api].config.update(
                self.b._checked_config(key, self.types.get(key, ""), "api_gateway", {"timeout_ms": timeout}))

    def _service_integration_target(self, service: str, action: str, integration: dict, uri: str) -> str | None:
        node_service = {"sqs": "sqs", "kinesis": "kinesis", "dynamodb": "dynamodb", "states": "step_functions",
                        "sns": "sns", "events": "eventbridge"}.get(service)
        if node_service is None:
            return None
        if service == "sqs" and "/" in action and not action.startswith("SendMessage"):
            return self.b.node_by_name(action.rsplit("/", 1)[1], ("sqs",))
        raw_evidence = [integration.get("RequestTemplates"), integration.get("RequestParameters")]
        evidence = json.dumps(raw_evidence, default=str, ensure_ascii=False)
        for key in tokens_in(raw_evidence):
            node = self.b.node_for(token(key), node_service)
            if node:
                return node
        for name in re.findall(r'(?:TableName|StreamName|QueueUrl|stateMachineArn)\\*"\s*:\s*\\*"([^"\\]+)', evidence):
            node = self.b.node_by_name(name, (node_service,))
            if node:
                return node
        candidates = [n.id for n in self.b.arch.nodes.values() if n.service == node_service]
        if len(candidates) == 1:
            self.b.note("note", "", "", f"{service} integration {uri}: the template's only "
                        f"{node_service} '{candidates[0]}' is taken as its target", "warning")
            return candidates[0]
        return None

    def _v2_api(self, key: str, props: dict) -> None:
        if props.get("Target"):
            self._integration(key, self.b.node_of[key], props["Target"], {}, {"method": "ANY", "path": "/"})

    def _v2_integration(self, key: str, props: dict) -> None:
        api = self.b.node_for(props.get("ApiId"), "api_gateway")
        if api is None:
            self.b.warn(key, self.types[key], "API is not in the template")
            return
        route = self._route_of(key)
        if props.get("IntegrationSubtype"):
            self._subtype_integration(key, api, props, route)
            return
        self._integration(key, api, props.get("IntegrationUri"), props, route)

    def _subtype_integration(self, key: str, api: str, props: dict, route: dict, origin: str = "") -> None:
        """An HTTP API's direct service integration (IntegrationSubtype SQS-SendMessage...)."""
        subtype = str(props["IntegrationSubtype"])
        params = props.get("RequestParameters")
        service = SUBTYPE_SERVICES.get(subtype.split("-")[0])
        target = None
        for value in (params.values() if isinstance(params, dict) and service else ()):
            target = target or self.b.node_for(value, service)
        if target is None:
            where = f"{origin}{route['method']} {route['path']}: " if origin else ""
            self.b.warn(key, self.types[key], f"{where}{subtype} integration reaches no node of the design")
            return
        for role in tokens_in(props.get("CredentialsArn") or props.get("Credentials")):
            if self.types.get(role.split(".")[0]) == "AWS::IAM::Role":
                self.used_roles.add(role.split(".")[0])
        self._api_timeout(api, props.get("TimeoutInMillis"), key)
        why = f"{origin}{route['method']} {route['path']}: {subtype} integration" if origin else f"{subtype} integration"
        self.b.add_edge(api, target, None, route, why, key, self.types[key])

    def _route_of(self, integration_key: str) -> dict:
        for key, props in self.props.items():
            if self.types[key] == "AWS::ApiGatewayV2::Route" and integration_key in tokens_in(props.get("Target")):
                method, _, path = str(props.get("RouteKey", "ANY /")).partition(" ")
                method = method.upper()
                return {"method": method if method in HTTP_METHODS else "ANY", "path": path or "/"}
        return {"method": "ANY", "path": "/"}

    def _apply_throttling(self) -> None:
        for key, props in self.props.items():
            rtype = self.types[key]
            if rtype == "AWS::ApiGateway::Stage":
                settings, ref = _as_list(props.get("MethodSettings")), props.get("RestApiId")
            elif rtype == "AWS::ApiGatewayV2::Stage":
                settings, ref = [props.get("DefaultRouteSettings") or {}], props.get("ApiId")
            elif rtype == "AWS::ApiGateway::UsagePlan":
                settings = [{"ThrottlingRateLimit": (props.get("Throttle") or {}).get("RateLimit"),
                             "ThrottlingBurstLimit": (props.get("Throttle") or {}).get("BurstLimit")}]
                ref = [stage.get("ApiId") for stage in _as_list(props.get("ApiStages")) if isinstance(stage, dict)]
            else:
                continue
            api = self.b.node_for(ref, "api_gateway")
            throttle = {}
            for setting in settings:
                throttle.update(_throttle(setting))
            if api and throttle:
                self.b.arch.nodes[api].config.update(self.b._checked_config(key, rtype, "api_gateway", throttle))

    # -- connectors ------------------------------------------------------------------------------

    def _connector(self, key: str, props: dict) -> None:
        source = self.b.node_for(token((props.get("Source") or {}).get("Id", ""))) \
            or self.b.node_for((props.get("Source") or {}).get("Arn"))
        for destination in _as_list(props.get("Destination")):
            self._connect(key, source, destination, props.get("Permissions"))

    def _connectors_attribute(self, key: str, connectors: dict) -> None:
        source = self.b.node_of.get(key)
        for name, connector in connectors.items():
            props = self.resolver.resolve((connector or {}).get("Properties") or {})
            for destination in _as_list(props.get("Destination")):
                self._connect(f"{key}.Connectors.{name}", source, destination, props.get("Permissions"))

    def _connect(self, key: str, source: str | None, destination: Any, permissions: Any) -> None:
        rtype = "AWS::Serverless::Connector"
        target = None
        if isinstance(destination, dict):
            target = self.b.node_for(token(destination["Id"])) if destination.get("Id") else \
                self.b.node_for(destination.get("Arn"))
        if source is None or target is None:
            self.b.warn(key, rtype, "connector source or destination is not a node of the design")
            return
        perms = {str(p).lower() for p in _as_list(permissions)}
        src_service, dst_service = (self.b.arch.nodes[n].service for n in (source, target))
        config: dict[str, Any] = {}
        if dst_service in ("dynamodb", "s3"):
            config["action"] = "read_write" if perms >= {"read", "write"} else ("write" if "write" in perms else "read")
        elif "write" not in perms:
            self.b.note("note", key, rtype, "read-only connector: no event flows, no edge")
            return
        self.b.add_edge(source, target, None, config, "connector", key, rtype)

    # -- the rest --------------------------------------------------------------------------------

    def _classify_rest(self) -> None:
        for key, rtype in self.types.items():
            if key in self.b.node_of or key in self.skipped:
                continue
            if key in self.absorbed_as:
                self.b.note("absorbed", key, rtype, self.absorbed_as[key])
            elif rtype in ABSORBED_TYPES:
                self.b.note("absorbed", key, rtype, ABSORBED_TYPES[rtype])
            elif rtype in IAM_TYPES and self._iam_used(key):
                self.b.note("mapped_into_edges", key, rtype, "permissions are derived from the design's edges")
            else:
                self._keep_extra(key, rtype)

    def _iam_used(self, key: str) -> bool:
        if key in self.used_roles:
            return True
        roles = {k.split(".")[0] for k in tokens_in(self.props.get(key, {}).get("Roles"))}
        return bool(roles & self.used_roles)

    def _keep_extra(self, key: str, rtype: str) -> None:
        resource = self.raw[key]
        properties = _inline_parameters(copy.deepcopy(resource.get("Properties") or {}), self.resolver.parameters)
        entry = {"logical_id": key, "type": rtype, "properties": properties}
        for attribute in ("Condition", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Metadata"):
            if attribute in resource:
                entry[attribute[0].lower() + re.sub(r"([A-Z])", r"_\1", attribute[1:]).lower()] = \
                    copy.deepcopy(resource[attribute])
        self.b.extras.append(entry)
        self.b.note("extra", key, rtype, "not one of the nine services; kept under extras")


_UNREADABLE = object()  # an included file that could not be read (already reported)


def _s3_text(location: Any) -> str:
    """An S3 location as s3://bucket/key, whatever form the template gives it in."""
    if isinstance(location, dict):
        bucket, key = location.get("Bucket"), location.get("Key")
        return strip_tokens(f"s3://{bucket}/{key}") if bucket and key else strip_tokens(json.dumps(location, default=str))
    return strip_tokens(str(location))


def _follow_ref(definition: dict, value: Any) -> Any:
    """A local `$ref` (`#/components/x-amazon-apigateway-integrations/name`) followed."""
    seen = 0
    while isinstance(value, dict) and set(value) == {"$ref"} and str(value["$ref"]).startswith("#/") and seen < 10:
        seen += 1
        target: Any = definition
        for part in str(value["$ref"])[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            target = target.get(part) if isinstance(target, dict) else None
        value = target
    return value


def _with_globals(resource: dict, globals_: dict) -> dict:
    """SAM Globals merged under a resource's own properties (its own values win)."""
    section = {"AWS::Serverless::Function": "Function", "AWS::Serverless::Api": "Api",
               "AWS::Serverless::HttpApi": "HttpApi", "AWS::Serverless::SimpleTable": "SimpleTable",
               "AWS::Serverless::StateMachine": "StateMachine"}.get(resource.get("Type"))
    defaults = globals_.get(section) if section else None
    if not isinstance(defaults, dict):
        return resource
    merged = copy.deepcopy(resource)
    merged["Properties"] = _merge(copy.deepcopy(defaults), resource.get("Properties") or {})
    return merged


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict) and not any(k.startswith("Fn::") or k == "Ref" for k in override):
        out = dict(base)
        for k, v in override.items():
            out[k] = _merge(base.get(k), v) if k in base else v
        return out
    if isinstance(base, list) and isinstance(override, list):
        return base + override
    return override


def _check_cycles(resources: dict, path: str) -> None:
    graph = nx.DiGraph()
    for key, resource in resources.items():
        graph.add_node(key)
        properties = _dependency_properties(resource)
        deps = references(properties) | set(_as_list(resource.get("DependsOn")))
        graph.add_edges_from((key, d) for d in deps if d in resources and d != key)
        if key in _as_list(resource.get("DependsOn")) or (key in references(properties)):
            raise StratusError(f"{path}: resource {key} refers to itself")
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return
    chain = " -> ".join([u for u, _ in cycle] + [cycle[0][0]])
    raise StratusError(f"{path}: circular reference between resources: {chain}")


def _dependency_properties(resource: dict) -> dict:
    """The properties a resource depends on. SAM turns a function's (or state machine's)
    Events into resources of their own (permissions, mappings, rules), so an API whose
    OpenAPI definition names the function while the function's Api event names the API
    is no cycle."""
    properties = resource.get("Properties") or {}
    if resource.get("Type") in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine") \
            and isinstance(properties, dict) and "Events" in properties:
        return {k: v for k, v in properties.items() if k != "Events"}
    return properties


def _inline_parameters(value: Any, parameters: dict) -> Any:
    """Refs to template parameters replaced by their defaults, so an extra stands on its own
    (the exported template does not declare the imported template's parameters)."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and isinstance(value["Ref"], str) and value["Ref"] in parameters:
            return copy.deepcopy(parameters[value["Ref"]])
        if set(value) == {"Fn::Sub"}:
            arg = value["Fn::Sub"]
            text, local = (arg[0], arg[1] if len(arg) > 1 else {}) if isinstance(arg, list) else (arg, {})
            if isinstance(text, str):
                text = _SUB_PARAM.sub(lambda m: str(parameters[m.group(1)])
                                      if m.group(1) in parameters and m.group(1) not in (local or {})
                                      and isinstance(parameters[m.group(1)], (str, int, float)) else m.group(0), text)
                local = _inline_parameters(local, parameters)
                return {"Fn::Sub": [text, local] if local else text}
        return {k: _inline_parameters(v, parameters) for k, v in value.items()}
    if isinstance(value, list):
        return [_inline_parameters(v, parameters) for v in value]
    return value


_SUB_PARAM = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def _substitute(value: Any, substitutions: dict) -> Any:
    if isinstance(value, str):
        return re.sub(r"\$\{([^}]+)\}", lambda m: str(substitutions.get(m.group(1), m.group(0))), value)
    if isinstance(value, dict):
        return {k: _substitute(v, substitutions) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, substitutions) for v in value]
    return value


def _stream_config(props: dict) -> dict:
    return {"batch_size": as_int(props.get("BatchSize")),
            "parallelization_factor": as_int(props.get("ParallelizationFactor")),
            "batch_window_s": as_int(props.get("MaximumBatchingWindowInSeconds")),
            "starting_position": props.get("StartingPosition") if props.get("StartingPosition") in
            ("LATEST", "TRIM_HORIZON") else None,
            "max_retry_attempts": as_int(props.get("MaximumRetryAttempts"))}


def _notification_config(events: Any, filter_: Any) -> dict:
    names = [str(e) for e in _as_list(events)]
    if names and all("ObjectCreated" in e for e in names):
        kind = "object_created"
    elif names and all("ObjectRemoved" in e for e in names):
        kind = "object_removed"
    else:
        kind = "all"
    config = {"events": kind}
    for rule in ((filter_ or {}).get("S3Key") or {}).get("Rules") or []:
        if isinstance(rule, dict) and str(rule.get("Name", "")).lower() in ("prefix", "suffix"):
            config[str(rule["Name"]).lower()] = str(rule.get("Value", ""))
    return config


def _throttle(setting: Any) -> dict:
    if not isinstance(setting, dict):
        return {}
    out = {}
    rate, burst = setting.get("ThrottlingRateLimit"), setting.get("ThrottlingBurstLimit")
    if isinstance(rate, (int, float)) and not isinstance(rate, bool):
        out["throttle_rate_rps"] = float(rate)
    if as_int(burst) is not None:
        out["throttle_burst"] = as_int(burst)
    return out


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


CONFIG_READERS: dict[str, Callable] = {
    "lambda": _Importer._lambda, "dynamodb": _Importer._table, "sqs": _Importer._queue,
    "sns": _Importer._topic, "kinesis": _Importer._stream, "s3": _Importer._bucket,
    "eventbridge": _Importer._bus, "step_functions": _Importer._state_machine, "api_gateway": _Importer._api,
}
WIRING: dict[str, Callable] = {
    "AWS::Serverless::Function": _Importer._wire_function, "AWS::Lambda::Function": _Importer._wire_function,
    "AWS::SQS::Queue": _Importer._wire_queue, "AWS::SNS::Topic": _Importer._wire_topic,
    "AWS::SNS::Subscription": _Importer._subscription, "AWS::S3::Bucket": _Importer._wire_bucket,
    "AWS::Lambda::EventSourceMapping": _Importer._event_source_mapping, "AWS::Events::Rule": _Importer._rule,
    "AWS::Serverless::StateMachine": _Importer._wire_state_machine,
    "AWS::StepFunctions::StateMachine": _Importer._wire_state_machine,
    "AWS::ApiGateway::Method": _Importer._method, "AWS::ApiGatewayV2::Api": _Importer._v2_api,
    "AWS::ApiGatewayV2::Integration": _Importer._v2_integration,
    "AWS::Lambda::EventInvokeConfig": _Importer._event_invoke_config,
    "AWS::Serverless::Connector": _Importer._connector,
}
EVENT_HANDLERS: dict[str, Callable] = {
    "Api": lambda self, k, t, n, p: _Importer._api_event(self, k, t, n, p, "Api"),
    "HttpApi": lambda self, k, t, n, p: _Importer._api_event(self, k, t, n, p, "HttpApi"),
    "SQS": _Importer._queue_event, "Kinesis": _Importer._stream_event, "DynamoDB": _Importer._stream_event,
    "S3": _Importer._s3_event, "SNS": _Importer._sns_event,
    "EventBridgeRule": _Importer._rule_event, "CloudWatchEvent": _Importer._rule_event,
    "Schedule": _Importer._schedule_event, "ScheduleV2": _Importer._schedule_event,
}
