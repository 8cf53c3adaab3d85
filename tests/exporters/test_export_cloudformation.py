"""CloudFormation and SAM exports: cfn-lint clean, deterministic, least privilege, complete."""

from __future__ import annotations

import json

import pytest

from model.aws import iam
from exporters.cloudformation import build_template, template_text
from cli import run as main
from model.architecture import Architecture, Edge, Node
from model.catalogue import EDGE_RULES
from tests.exporters.designs import every_edge_design, nasty_names_design
from tests.exporters.export_helpers import (cfn_errors, examples, load_yaml, policy_statements,
                                            wildcard_actions)

EXAMPLES = examples()
DESIGNS = EXAMPLES + [("every_edge_rest", every_edge_design("rest")), ("every_edge_http", every_edge_design("http")),
                      ("nasty_names", nasty_names_design())]


def test_there_are_examples_to_export():
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize("sam", [False, True], ids=["cloudformation", "sam"])
@pytest.mark.parametrize("name,arch", DESIGNS, ids=[n for n, _ in DESIGNS])
def test_export_passes_cfn_lint(name, arch, sam):
    text = template_text(arch, sam=sam)
    assert cfn_errors(text) == []


@pytest.mark.parametrize("name,arch", DESIGNS, ids=[n for n, _ in DESIGNS])
def test_same_design_same_bytes_and_no_wildcard_actions(name, arch):
    first, second = template_text(arch), template_text(arch)
    assert first == second
    document = load_yaml(first)
    statements = policy_statements(document)
    assert statements, "every design here has at least one role or resource policy"
    assert wildcard_actions(statements) == []
    assert json.loads(template_text(arch, fmt="json")) == document


def test_every_node_becomes_its_resource_type():
    arch = every_edge_design()
    resources = build_template(arch)["Resources"]
    from model.catalogue import SERVICES

    types = {r["Type"] for r in resources.values()}
    for node_id, node in arch.nodes.items():
        if node.service == "eventbridge":
            continue  # the default bus is not a resource
        expected = SERVICES[node.service].aws.resource(node.effective_config()).cloudformation
        assert expected in types, node.service
    for kind_type in ("AWS::Lambda::EventSourceMapping", "AWS::SNS::Subscription", "AWS::Events::Rule",
                      "AWS::Lambda::Permission", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy",
                      "AWS::ApiGateway::Method", "AWS::Lambda::EventInvokeConfig"):
        assert kind_type in types


def _design(*nodes, edges=()) -> Architecture:
    arch = Architecture("Small", "us-east-1")
    for node_id, service, config in nodes:
        arch.add_node(Node(node_id, service, config))
    for source, target, config in edges:
        arch.add_edge(Edge(source, target, config))
    return arch


def _resources_of(doc: dict, type_: str) -> list[dict]:
    return [r for r in doc["Resources"].values() if r["Type"] == type_]


def test_event_source_mapping_settings_come_from_the_edge():
    arch = _design(("q", "sqs", {"visibility_timeout_s": 5}), ("fn", "lambda", {"timeout_s": 40}),
                   ("s", "kinesis", {}), ("g", "lambda", {}),
                   edges=[("q", "fn", {"batch_size": 7, "max_concurrency": 12, "batch_window_s": 3}),
                          ("s", "g", {"batch_size": 250, "parallelization_factor": 4,
                                      "starting_position": "TRIM_HORIZON"})])
    doc = build_template(arch)
    sqs_esm, stream_esm = _resources_of(doc, "AWS::Lambda::EventSourceMapping")
    assert sqs_esm["Properties"]["BatchSize"] == 7
    assert sqs_esm["Properties"]["ScalingConfig"] == {"MaximumConcurrency": 12}
    assert sqs_esm["Properties"]["MaximumBatchingWindowInSeconds"] == 3
    assert stream_esm["Properties"]["ParallelizationFactor"] == 4
    assert stream_esm["Properties"]["StartingPosition"] == "TRIM_HORIZON"
    # Lambda refuses a mapping whose queue hides messages for less than the function runs.
    assert doc["Resources"]["Q"]["Properties"]["VisibilityTimeout"] == 40


def test_stream_mapping_error_handling_and_on_failure_destination():
    arch = _design(("s", "kinesis", {}), ("g", "lambda", {}), ("lost", "sqs", {}),
                   edges=[("s", "g", {"bisect_on_error": True, "max_record_age_s": 600})])
    arch.add_edge(Edge("g", "lost", {}, kind="on_failure"))
    (esm,) = _resources_of(build_template(arch), "AWS::Lambda::EventSourceMapping")
    props = esm["Properties"]
    assert (props["BisectBatchOnFunctionError"], props["MaximumRecordAgeInSeconds"],
            props["MaximumRetryAttempts"]) == (True, 600, -1)
    assert props["DestinationConfig"] == {"OnFailure": {"Destination": {"Fn::GetAtt": ["Lost", "Arn"]}}}


def test_dead_letter_edge_sets_redrive_from_the_source_queue():
    arch = _design(("work", "sqs", {"max_receive_count": 3}), ("dlq", "sqs", {}),
                   edges=[("work", "dlq", {})])
    redrive = build_template(arch)["Resources"]["Work"]["Properties"]["RedrivePolicy"]
    assert redrive == {"deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]}, "maxReceiveCount": 3}


def test_step_functions_definition_follows_task_order():
    arch = _design(("flow", "step_functions", {}), ("a", "lambda", {}), ("t", "dynamodb", {}),
                   ("n", "sns", {}),
                   edges=[("flow", "n", {"order": 3}), ("flow", "a", {"order": 1}),
                          ("flow", "t", {"order": 2, "action": "write"})])
    machine = build_template(arch)["Resources"]["Flow"]["Properties"]
    text, variables = machine["DefinitionString"]["Fn::Sub"]
    definition = json.loads(text)
    order = [definition["StartAt"]]
    while "Next" in definition["States"][order[-1]]:
        order.append(definition["States"][order[-1]]["Next"])
    resources = [definition["States"][s]["Resource"] for s in order]
    assert resources == ["arn:aws:states:::lambda:invoke", "arn:aws:states:::dynamodb:putItem",
                         "arn:aws:states:::sns:publish"]
    assert set(variables) == {"A", "T", "N"}


def test_provisioned_concurrency_makes_triggers_invoke_the_alias():
    arch = _design(("api", "api_gateway", {}), ("fn", "lambda", {"provisioned_concurrency": 5}),
                   edges=[("api", "fn", {"method": "GET", "path": "/x"})])
    doc = build_template(arch)
    alias = doc["Resources"]["FnAliaslive"]
    assert alias["Properties"]["ProvisionedConcurrencyConfig"] == {"ProvisionedConcurrentExecutions": 5}
    permission = _resources_of(doc, "AWS::Lambda::Permission")[0]
    assert permission["Properties"]["FunctionName"]["Fn::If"][1] == {"Ref": "FnAliaslive"}
    sam = build_template(arch, sam=True)["Resources"]["Fn"]["Properties"]
    assert sam["AutoPublishAlias"] == "live"


def test_function_settings_and_placeholder_code():
    arch = _design(("fn", "lambda", {"memory_mb": 1536, "timeout_s": 42, "reserved_concurrency": 7,
                                     "architecture": "arm64", "runtime": "nodejs22.x"}),
                   ("java", "lambda", {"runtime": "java21"}),
                   ("coded", "lambda", {"code": "src/coded"}))
    doc = build_template(arch)
    fn = doc["Resources"]["Fn"]["Properties"]
    assert (fn["MemorySize"], fn["Timeout"], fn["ReservedConcurrentExecutions"], fn["Architectures"]) == \
        (1536, 42, 7, ["arm64"])
    assert "exports.handler" in fn["Code"]["ZipFile"]
    # CloudFormation cannot inline compiled runtimes: their package comes from the code bucket.
    assert doc["Resources"]["Java"]["Properties"]["Code"]["S3Key"] == {"Ref": "JavaCodeKey"}
    sam = build_template(arch, sam=True, code_path=lambda code: "../" + code)["Resources"]
    assert sam["Coded"]["Properties"]["CodeUri"] == "../src/coded"
    assert "InlineCode" in sam["Fn"]["Properties"]


def test_extras_are_written_back_unchanged():
    arch = _design(("q", "sqs", {}))
    extra = {"logical_id": "Alarm", "type": "AWS::CloudWatch::Alarm",
             "properties": {"Threshold": 1, "EvaluationPeriods": 1, "ComparisonOperator": "GreaterThanThreshold",
                            "MetricName": "Errors", "Namespace": "AWS/Lambda", "Period": 60,
                            "Statistic": "Sum"}}
    arch.extra["extras"] = [extra]
    resources = build_template(arch)["Resources"]
    assert resources["Alarm"] == {"Type": "AWS::CloudWatch::Alarm", "Properties": extra["properties"]}


def test_route_clash_is_a_clear_error():
    from model.errors import StratusError

    arch = _design(("api", "api_gateway", {}), ("a", "lambda", {}), ("b", "lambda", {}),
                   edges=[("api", "a", {"method": "GET", "path": "/x"}), ("api", "b", {"method": "GET", "path": "x"})])
    with pytest.raises(StratusError, match="GET /x"):
        build_template(arch)


def test_iam_covers_every_edge_rule_that_needs_a_role():
    arch = every_edge_design()
    statements = iam.all_statements(arch)
    for rule in EDGE_RULES:
        edge = next(e for e in arch.edges if (arch.nodes[e.source].service, arch.nodes[e.target].service,
                                              arch.edge_kind(e)) == (rule.source, rule.target, rule.kind))
        granted = [s for s in statements.get(edge.source, []) + statements.get(edge.target, [])
                   if s.resource_node in (edge.source, edge.target)]
        policy = [g for g in iam.resource_policies(arch) if (g.source_node, g.target_node) == (edge.source, edge.target)]
        covered = granted or policy or rule.kind in ("dead_letter",) or (rule.kind == "notification"
                                                                          and rule.target == "eventbridge")
        assert covered, f"{rule.source} -> {rule.target} ({rule.kind}) has no permission"


def test_cli_export_writes_template(tmp_path, examples_dir, capsys):
    out = tmp_path / "orders.yaml"
    assert main(["export", str(examples_dir / "orders_api.yaml"), "--format", "cloudformation", "-o", str(out)]) == 0
    assert cfn_errors(out.read_text()) == []
    assert main(["export", str(tmp_path / "missing.yaml"), "--format", "sam", "-o", str(out)]) == 1
    assert "missing.yaml" in capsys.readouterr().err
