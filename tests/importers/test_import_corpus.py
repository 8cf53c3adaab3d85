"""Every template of the shared corpus imports into the nodes and edges it really holds,
validates, reloads, and re-exports to a template cfn-lint accepts."""

from __future__ import annotations

from collections import Counter

import pytest

from importers import import_template
from model.designfile import load_design, save_design
from model.validation import errors, validate
from tests.conftest import CORPUS_DIR, requires_corpus

PATTERNS = CORPUS_DIR / "serverless-patterns"
pytestmark = requires_corpus("serverless-patterns")

# pattern -> (node id -> service, {(source, target, kind)}); read off each template by hand.
EXPECTED = {
    "apigw-http-api-lambda": (
        {"HttpApi": "api_gateway", "LambdaFunction": "lambda"},
        {("HttpApi", "LambdaFunction", "invoke")}),
    "apigw-lambda-dynamodb": (
        {"LambdaFunction": "lambda", "DynamoDBTable": "dynamodb", "ServerlessRestApi": "api_gateway"},
        {("ServerlessRestApi", "LambdaFunction", "invoke"), ("LambdaFunction", "DynamoDBTable", "data_access")}),
    "apigw-rest-api-dynamodb": (
        {"DynamoDBTable": "dynamodb", "Api": "api_gateway"},
        {("Api", "DynamoDBTable", "integration")}),
    "dynamodb-lambda": (
        {"DynamoDBProcessStreamFunction": "lambda", "MyDynamoDBtable": "dynamodb"},
        {("MyDynamoDBtable", "DynamoDBProcessStreamFunction", "event_source")}),
    "eventbridge-lambda": (
        {"ConsumerFunction": "lambda", "DefaultEventBus": "eventbridge"},
        {("DefaultEventBus", "ConsumerFunction", "rule_target")}),
    "kinesis-lambda": (
        {"KinesisStream": "kinesis", "ApplicationFunction": "lambda"},
        {("KinesisStream", "ApplicationFunction", "event_source")}),
    "s3-lambda-resizing-python": (
        {"SourceBucket": "s3", "DestinationBucket": "s3", "ResizerFunction": "lambda"},
        {("SourceBucket", "ResizerFunction", "notification"), ("ResizerFunction", "SourceBucket", "data_access"),
         ("ResizerFunction", "DestinationBucket", "data_access")}),
    "sfn-lambda": (
        {"StateMachineExpressSynctoLambda": "step_functions", "GenerateRefernceNumber": "lambda"},
        {("StateMachineExpressSynctoLambda", "GenerateRefernceNumber", "task")}),
    "sns-sqs-fanout": (
        {"MetricsSnsTopic": "sns", "AllMetricsSqsQueue": "sqs", "TemperatureSqsQueue": "sqs",
         "HumiditySqsQueue": "sqs", "MetricsSqsDLQueue": "sqs", "TemperatureSqsDLQueue": "sqs",
         "HumiditySqsDLQueue": "sqs"},
        {("MetricsSnsTopic", q, "subscription") for q in ("AllMetricsSqsQueue", "TemperatureSqsQueue", "HumiditySqsQueue")}
        | {("AllMetricsSqsQueue", "MetricsSqsDLQueue", "dead_letter"),
           ("TemperatureSqsQueue", "TemperatureSqsDLQueue", "dead_letter"),
           ("HumiditySqsQueue", "HumiditySqsDLQueue", "dead_letter")}),
    "sqs-lambda-python-sam": (
        {"ProcessingQueue": "sqs", "ProcessingDLQ": "sqs", "ProcessorFunction": "lambda"},
        {("ProcessingQueue", "ProcessingDLQ", "dead_letter"), ("ProcessingQueue", "ProcessorFunction", "event_source"),
         ("ProcessorFunction", "ProcessingDLQ", "on_failure")}),
    "sqs-lambda-terraform-python": (
        {"sqs_lambda_demo_queue": "sqs", "sqs_lambda_demo_function": "lambda"},
        {("sqs_lambda_demo_queue", "sqs_lambda_demo_function", "event_source")}),
    "apigw-lambda-dynamodb-terraform": (
        {"movie_table": "dynamodb", "lambda_bucket": "s3", "apigw_lambda_ddb": "lambda", "http_lambda": "api_gateway"},
        {("http_lambda", "apigw_lambda_ddb", "invoke"), ("apigw_lambda_ddb", "movie_table", "data_access")}),
    "sns-sqs-fanout-tf": (
        {"MetricsSnsTopic": "sns", "AllMetricsSqsQueue": "sqs", "TemperatureSqsQueue": "sqs",
         "HumiditySqsQueue": "sqs", "MetricsSqsDLQueue": "sqs", "TemperatureSqsDLQueue": "sqs",
         "HumiditySqsDLQueue": "sqs"},
        {("MetricsSnsTopic", q, "subscription") for q in ("AllMetricsSqsQueue", "TemperatureSqsQueue", "HumiditySqsQueue")}
        | {("AllMetricsSqsQueue", "MetricsSqsDLQueue", "dead_letter"),
           ("TemperatureSqsQueue", "TemperatureSqsDLQueue", "dead_letter"),
           ("HumiditySqsQueue", "HumiditySqsDLQueue", "dead_letter")}),
}


def corpus_sources() -> list:
    """Every template and Terraform folder of the corpus, found by glob (so a new one fails
    the test until its expectation is written)."""
    cfn = [p for p in PATTERNS.glob("*/template.y*ml")]
    tf = sorted({p.parent for p in PATTERNS.glob("*/*.tf")})
    return sorted(cfn + tf)


def _pattern(source) -> str:
    return (source if source.is_dir() else source.parent).name


def test_the_corpus_has_ten_templates_and_three_terraform_folders():
    sources = corpus_sources()
    assert sum(1 for s in sources if s.is_dir()) == 3
    assert sum(1 for s in sources if s.is_file()) == 10
    assert {_pattern(s) for s in sources} == set(EXPECTED)


@pytest.mark.parametrize("source", corpus_sources(), ids=_pattern)
def test_corpus_template_imports_to_expected_graph(source, tmp_path):
    nodes, edges = EXPECTED[_pattern(source)]
    arch = import_template(source).architecture
    assert {n.id: n.service for n in arch.nodes.values()} == nodes
    assert Counter((e.source, e.target, arch.edge_kind(e)) for e in arch.edges) == Counter(edges)
    assert not errors(validate(arch)), [p.format() for p in validate(arch)]
    assert all(n.at is not None for n in arch.nodes.values())
    out = tmp_path / "design.yaml"
    save_design(arch, out)
    again = load_design(out)
    assert set(again.nodes) == set(nodes)
    assert not errors(validate(again))


@pytest.mark.parametrize("source", [s for s in corpus_sources() if s.is_file()], ids=_pattern)
def test_corpus_template_reexports_and_passes_cfn_lint(source):
    export = pytest.importorskip("exporters.cloudformation.export")
    from cfnlint.api import ManualArgs, lint

    arch = import_template(source).architecture
    for sam in (False, True):
        text = export.template_text(arch, sam=sam)
        found = [f"{m.rule.id} {m.message}" for m in lint(text, config=ManualArgs(regions=["us-east-1"]))
                 if m.rule.id.startswith("E")]
        assert not found, (sam, found)


def test_corpus_configs_are_carried():
    arch = import_template(PATTERNS / "sqs-lambda-python-sam" / "template.yaml").architecture
    fn, queue = arch.nodes["ProcessorFunction"].config, arch.nodes["ProcessingQueue"].config
    assert (fn["architecture"], fn["memory_mb"], fn["timeout_s"]) == ("arm64", 128, 3)
    assert (queue["visibility_timeout_s"], queue["max_receive_count"]) == (30, 3)
    assert arch.find_edge("ProcessingQueue", "ProcessorFunction").config["batch_size"] == 10
    table = import_template(PATTERNS / "dynamodb-lambda" / "template.yaml").architecture.nodes["MyDynamoDBtable"]
    assert table.config == {"billing_mode": "provisioned", "partition_key": "id", "read_capacity": 5,
                            "write_capacity": 5, "stream": "new_image"}
    rest = import_template(PATTERNS / "apigw-rest-api-dynamodb" / "template.yml").architecture
    edge = rest.find_edge("Api", "DynamoDBTable")
    assert edge.config["action"] == "read_write"  # PutItem on POST, Query on GET
    assert rest.nodes["Api"].config["throttle_rate_rps"] == 500  # the usage plan's throttle
    http = import_template(PATTERNS / "apigw-http-api-lambda" / "template.yml").architecture
    assert http.nodes["LambdaFunction"].config["memory_mb"] == 128  # from Globals
    assert http.nodes["LambdaFunction"].config["timeout_s"] == 15
    sfn = import_template(PATTERNS / "sfn-lambda" / "template.yaml").architecture
    assert sfn.nodes["StateMachineExpressSynctoLambda"].config["workflow_type"] == "express"


def test_corpus_nothing_silently_dropped():
    result = import_template(PATTERNS / "apigw-rest-api-dynamodb" / "template.yml")
    listed = {n.logical_id for n in result.report if n.category in ("node", "absorbed", "extra", "mapped_into_edges")}
    import yaml
    from importers.cloudformation.intrinsics import SafeCfnLoader
    template = yaml.load((PATTERNS / "apigw-rest-api-dynamodb" / "template.yml").read_text(), Loader=SafeCfnLoader)  # noqa: S506
    assert listed == set(template["Resources"])
    extras = result.architecture.extra["extras"]
    assert {e["logical_id"]: e["type"] for e in extras} == {
        "ApiKey": "AWS::ApiGateway::ApiKey", "ApiUsagePlan": "AWS::ApiGateway::UsagePlan",
        "ApiUsagePlanKey": "AWS::ApiGateway::UsagePlanKey"}
    assert set(extras[0]) == {"logical_id", "type", "properties", "depends_on"}


def test_share_of_corpus_importing_cleanly():
    """Clean: every resource mapped, absorbed or kept, nothing unmapped, validation clean."""
    clean = []
    for source in corpus_sources():
        result = import_template(source)
        unmapped = result.notes("unmapped")
        if not unmapped and not errors(validate(result.architecture)):
            clean.append(_pattern(source))
    assert len(clean) == len(corpus_sources()), set(EXPECTED) - set(clean)
