"""Helpers for the scanner's tests: deploy an example into moto's server, put CloudWatch
metrics for it as a running system would report them, and name its resources.

The metrics follow one rule, so the tests can say what the scan must find: function i of
a design spends OWN_MS(i) in its own handler, and its reported Duration adds the time of
its synchronous calls (a callee function's reported average, a table's or queue's
catalogue latency, as the simulator models them); its Maximum is that plus 3 x its own
time. Entry point j receives ENTRY_RPS(j) requests per second, minute after minute.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone

import boto3

from exporters.deploy import apply
from exporters.deploy.desired import node_kind
from model.aws.naming import deployed_name, fifo_suffix
from model.architecture import Architecture
from model.catalogue import SERVICES, edge_rule
from model.designfile import load_design
from model.distributions import parse_distribution
from tests.conftest import EXAMPLES_DIR
from tests.moto_sandbox import CREDENTIALS, REGION, client

MINUTES = 10  # of metrics put, ending at the minute before now
INVOCATIONS_PER_MINUTE = 120
ERROR_SHARE = 0.02


def session() -> boto3.Session:
    return boto3.Session(region_name=REGION, **CREDENTIALS)


def deploy(url: str, example: str, tmp_path) -> Architecture:
    """Deploy assets/examples/<example>.yaml into the server at `url`."""
    shutil.copy(EXAMPLES_DIR / f"{example}.yaml", tmp_path / f"{example}.yaml")
    for extra in EXAMPLES_DIR.glob("*.csv"):
        shutil.copy(extra, tmp_path / extra.name)
    arch = load_design(tmp_path / f"{example}.yaml")
    result = apply(arch, session(), tmp_path / f"{example}.state.json", endpoint_url=url, design_dir=tmp_path)
    assert result.ok, result.error
    return arch


def resource_name(arch: Architecture, node_id: str) -> str:
    """The physical name the deployer gave a node ("default" for the account's bus)."""
    node = arch.nodes[node_id]
    kind = node_kind(node)
    if kind is None:
        return node.effective_config()["bus_name"]
    return deployed_name(arch.name, node_id, kind=kind, suffix=fifo_suffix(node.effective_config()))


def own_ms(index: int) -> float:
    return 40.0 + 15.0 * index


def entry_rps(index: int) -> float:
    return 3.0 + 2.0 * index


def synchronous_ms(arch: Architecture, node_id: str, reported: dict[str, float]) -> float:
    """What the scan must take off a function's Duration: its synchronous calls, once each
    (a live account does not say how often a function calls something)."""
    total = 0.0
    for edge in arch.edges_from(node_id):
        target = arch.nodes[edge.target]
        rule = edge_rule("lambda", target.service, arch.edge_kind(edge))
        if not rule.is_synchronous(edge.config):
            continue
        if target.service == "lambda":
            total += reported[edge.target]
        elif "latency_ms" in SERVICES[target.service].field_map:  # the scan keeps the catalogue's
            total += parse_distribution(SERVICES[target.service].defaults()["latency_ms"]).mean
    return total


def reported_durations(arch: Architecture) -> dict[str, tuple[float, float, float]]:
    """node id -> (own handler ms, reported Average, reported Maximum) of every function."""
    functions = [n for n, node in arch.nodes.items() if node.service == "lambda"]
    average: dict[str, float] = {}
    out = {}

    def visit(node_id: str) -> float:  # callees first: a caller's Duration holds theirs
        if node_id not in average:
            for edge in arch.edges_from(node_id):
                if arch.nodes[edge.target].service == "lambda" and edge.target != node_id:
                    visit(edge.target)
            own = own_ms(functions.index(node_id))
            average[node_id] = own + synchronous_ms(arch, node_id, average)
            out[node_id] = (own, average[node_id], average[node_id] + 2 * own)
        return average[node_id]

    for node_id in functions:
        visit(node_id)
    return out


def entries(arch: Architecture) -> list[str]:
    """Entry points as the scan sees them: fed by nothing (a function reading a bucket does
    not feed it), counted by CloudWatch."""
    def feeds(edge) -> bool:
        rule = edge_rule(arch.nodes[edge.source].service, arch.nodes[edge.target].service, arch.edge_kind(edge))
        return rule.is_triggering(edge.config)

    return [n for n, node in arch.nodes.items()
            if node.service in ENTRY_METRICS and not any(feeds(e) for e in arch.edges_to(n))
            and not (node.service == "eventbridge" and node_kind(node) is None)]


ENTRY_METRICS = {"api_gateway": ("AWS/ApiGateway", "Count"), "lambda": ("AWS/Lambda", "Invocations"),
                 "sqs": ("AWS/SQS", "NumberOfMessagesSent"), "sns": ("AWS/SNS", "NumberOfMessagesPublished"),
                 "kinesis": ("AWS/Kinesis", "IncomingRecords"), "eventbridge": ("AWS/Events", "MatchedEvents"),
                 "step_functions": ("AWS/States", "ExecutionsStarted"), "s3": ("AWS/S3", "PutRequests")}


def put_metrics(url: str, arch: Architecture, now: datetime | None = None) -> dict:
    """Put MINUTES of metrics for every function, table and entry point of a deployed
    design; returns what was put: {"durations": {node: (own, average, maximum)},
    "entries": {node: rps}, "invocations": {node: per minute}}."""
    end = (now or datetime.now(timezone.utc)).replace(second=0, microsecond=0)
    minutes = [end - timedelta(minutes=m) for m in range(1, MINUTES + 1)]
    data: list[tuple[str, dict]] = []
    rates = {node_id: entry_rps(index) for index, node_id in enumerate(entries(arch))}
    durations = reported_durations(arch)
    invocations = {}
    for node_id, (own, average, maximum) in durations.items():
        dims = [{"Name": "FunctionName", "Value": resource_name(arch, node_id)}]
        n = invocations[node_id] = rates[node_id] * 60 if node_id in rates else INVOCATIONS_PER_MINUTE
        for when in minutes:
            data += [("AWS/Lambda", {"MetricName": "Duration", "Dimensions": dims, "Timestamp": when,
                                     "StatisticValues": {"SampleCount": n, "Sum": n * average, "Minimum": own / 2,
                                                         "Maximum": maximum}, "Unit": "Milliseconds"}),
                     ("AWS/Lambda", {"MetricName": "Errors", "Dimensions": dims, "Timestamp": when,
                                     "Value": n * ERROR_SHARE, "Unit": "Count"}),
                     ("AWS/Lambda", {"MetricName": "ConcurrentExecutions", "Dimensions": dims, "Timestamp": when,
                                     "Value": 3, "Unit": "Count"})]
            if node_id not in rates:  # an entry function's invocations are put below, as its arrivals
                data.append(("AWS/Lambda", {"MetricName": "Invocations", "Dimensions": dims, "Timestamp": when,
                                            "Value": n, "Unit": "Count"}))
    for node_id, node in arch.nodes.items():
        if node.service != "dynamodb":
            continue
        dims = [{"Name": "TableName", "Value": resource_name(arch, node_id)}]
        for when in minutes:  # 100 writes of 2 units, 50 reads of 1 unit a minute
            data += [("AWS/DynamoDB", {"MetricName": "ConsumedWriteCapacityUnits", "Dimensions": dims,
                                       "Timestamp": when, "StatisticValues": {"SampleCount": 100, "Sum": 200,
                                                                              "Minimum": 2, "Maximum": 2}}),
                     ("AWS/DynamoDB", {"MetricName": "ConsumedReadCapacityUnits", "Dimensions": dims,
                                       "Timestamp": when, "StatisticValues": {"SampleCount": 50, "Sum": 50,
                                                                              "Minimum": 1, "Maximum": 1}})]
    for node_id, rate in rates.items():
        namespace, metric = ENTRY_METRICS[arch.nodes[node_id].service]
        dims = _entry_dimensions(url, arch, node_id)
        for when in minutes:
            data.append((namespace, {"MetricName": metric, "Dimensions": dims, "Timestamp": when,
                                     "Value": rate * 60, "Unit": "Count"}))
    _put(url, data)
    return {"durations": durations, "entries": rates, "invocations": invocations}


def _entry_dimensions(url: str, arch: Architecture, node_id: str) -> list[dict]:
    node, name = arch.nodes[node_id], resource_name(arch, node_id)
    service = node.service
    if service == "api_gateway" and node.effective_config()["api_type"] == "http":
        api = next(a for a in client("apigatewayv2", url).get_apis()["Items"] if a["Name"] == name)
        return [{"Name": "ApiId", "Value": api["ApiId"]}]
    if service == "step_functions":
        return [{"Name": "StateMachineArn", "Value": f"arn:aws:states:{REGION}:123456789012:stateMachine:{name}"}]
    key = {"api_gateway": "ApiName", "lambda": "FunctionName", "sqs": "QueueName", "sns": "TopicName",
           "kinesis": "StreamName", "eventbridge": "EventBusName", "s3": "BucketName"}[service]
    dims = [{"Name": key, "Value": name}]
    if service == "s3":
        dims.append({"Name": "FilterId", "Value": "EntireBucket"})
    return dims


def _put(url: str, data: list[tuple[str, dict]]) -> None:
    cloudwatch = client("cloudwatch", url)
    by_namespace: dict[str, list[dict]] = {}
    for namespace, datum in data:
        by_namespace.setdefault(namespace, []).append(datum)
    for namespace, items in by_namespace.items():
        for first in range(0, len(items), 500):
            cloudwatch.put_metric_data(Namespace=namespace, MetricData=items[first:first + 500])
