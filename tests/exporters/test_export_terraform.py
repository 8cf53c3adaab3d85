"""Terraform exports: parse with python-hcl2, declare each resource type's required arguments,
refer only to what they declare, same bytes every time, least privilege."""

from __future__ import annotations

import json
import re

import hcl2
import pytest

from exporters.terraform import config_files
from model.architecture import Architecture, Edge, Node
from tests.exporters.designs import every_edge_design, nasty_names_design
from tests.exporters.export_helpers import examples

DESIGNS = examples() + [("every_edge_rest", every_edge_design("rest")), ("every_edge_http", every_edge_design("http")),
                        ("nasty_names", nasty_names_design())]

# Required arguments (and blocks) per resource type, from the Terraform AWS provider 5.x and
# archive provider docs. A type missing here fails the test: add it, from the docs, when an
# exporter starts writing it.
REQUIRED = {
    "aws_lambda_function": {"function_name", "role"},
    "aws_lambda_alias": {"name", "function_name", "function_version"},
    "aws_lambda_provisioned_concurrency_config": {"function_name", "provisioned_concurrent_executions", "qualifier"},
    "aws_lambda_function_event_invoke_config": {"function_name"},
    "aws_lambda_event_source_mapping": {"function_name"},
    "aws_lambda_permission": {"action", "function_name", "principal"},
    "aws_iam_role": {"assume_role_policy"},
    "aws_iam_role_policy": {"policy", "role"},
    "aws_iam_role_policy_attachment": {"role", "policy_arn"},
    "aws_cloudwatch_log_group": set(),
    "aws_dynamodb_table": {"name", "hash_key", "attribute"},
    "aws_s3_bucket": set(),
    "aws_s3_bucket_server_side_encryption_configuration": {"bucket", "rule"},
    "aws_s3_bucket_public_access_block": {"bucket"},
    "aws_s3_bucket_ownership_controls": {"bucket", "rule"},
    "aws_s3_bucket_versioning": {"bucket", "versioning_configuration"},
    "aws_s3_bucket_policy": {"bucket", "policy"},
    "aws_s3_bucket_notification": {"bucket"},
    "aws_sqs_queue": set(),
    "aws_sqs_queue_policy": {"queue_url", "policy"},
    "aws_sns_topic": set(),
    "aws_sns_topic_policy": {"arn", "policy"},
    "aws_sns_topic_subscription": {"topic_arn", "protocol", "endpoint"},
    "aws_kinesis_stream": {"name"},
    "aws_cloudwatch_event_bus": {"name"},
    "aws_cloudwatch_event_rule": set(),
    "aws_cloudwatch_event_target": {"rule", "arn"},
    "aws_sfn_state_machine": {"definition", "role_arn"},
    "aws_api_gateway_rest_api": {"name"},
    "aws_api_gateway_resource": {"rest_api_id", "parent_id", "path_part"},
    "aws_api_gateway_method": {"rest_api_id", "resource_id", "http_method", "authorization"},
    "aws_api_gateway_integration": {"rest_api_id", "resource_id", "http_method", "type"},
    "aws_api_gateway_method_response": {"rest_api_id", "resource_id", "http_method", "status_code"},
    "aws_api_gateway_integration_response": {"rest_api_id", "resource_id", "http_method", "status_code"},
    "aws_api_gateway_deployment": {"rest_api_id"},
    "aws_api_gateway_stage": {"rest_api_id", "deployment_id", "stage_name"},
    "aws_api_gateway_method_settings": {"rest_api_id", "stage_name", "method_path", "settings"},
    "aws_api_gateway_account": set(),
    "aws_apigatewayv2_api": {"name", "protocol_type"},
    "aws_apigatewayv2_integration": {"api_id", "integration_type"},
    "aws_apigatewayv2_route": {"api_id", "route_key"},
    "aws_apigatewayv2_stage": {"api_id", "name"},
}
REQUIRED_DATA = {"archive_file": {"type", "output_path"}, "aws_caller_identity": set(), "aws_partition": set(),
                 "aws_region": set()}
# One of these must be present.
ONE_OF = {"aws_lambda_function": {"filename", "image_uri", "s3_bucket"},
          "aws_cloudwatch_event_rule": {"event_pattern", "schedule_expression"}}


def _unquote(label: str) -> str:
    """python-hcl2 keeps the quotes of block labels (and of string values)."""
    return label[1:-1] if len(label) >= 2 and label[0] == label[-1] == '"' else label


def _blocks(parsed: dict, kind: str) -> list[tuple[str, str, dict]]:
    out = []
    for entry in parsed.get(kind, []):
        for type_, named in entry.items():
            for name, body in named.items():
                out.append((_unquote(type_), _unquote(name), body))
    return out


def _parse_all(arch: Architecture) -> tuple[dict[str, str], dict[str, dict]]:
    texts = config_files(arch)
    return texts, {name: hcl2.loads(text) for name, text in texts.items()}


@pytest.mark.parametrize("name,arch", DESIGNS, ids=[n for n, _ in DESIGNS])
def test_terraform_parses_and_declares_required_arguments(name, arch):
    texts, parsed = _parse_all(arch)
    assert set(texts) == {"versions.tf", "variables.tf", "main.tf", "outputs.tf"}
    main = parsed["main.tf"]
    for type_, res_name, body in _blocks(main, "resource"):
        assert type_ in REQUIRED, f"{type_} has no required-argument entry"
        missing = REQUIRED[type_] - set(body)
        assert not missing, f"{type_}.{res_name} lacks {sorted(missing)}"
        if type_ in ONE_OF:
            assert ONE_OF[type_] & set(body), f"{type_}.{res_name} needs one of {sorted(ONE_OF[type_])}"
    for type_, data_name, body in _blocks(main, "data"):
        assert not REQUIRED_DATA[type_] - set(body), f"data.{type_}.{data_name}"


@pytest.mark.parametrize("name,arch", DESIGNS, ids=[n for n, _ in DESIGNS])
def test_references_point_at_declared_resources(name, arch):
    texts, parsed = _parse_all(arch)
    resources = {(t, n) for t, n, _ in _blocks(parsed["main.tf"], "resource")}
    data = {(t, n) for t, n, _ in _blocks(parsed["main.tf"], "data")}
    variables = {n for entry in parsed["variables.tf"].get("variable", []) for n in map(_unquote, entry)}
    everything = "\n".join(texts.values())
    for prefix, type_, ref_name in re.findall(r"(data\.|var\.|\b)(aws_[a-z0-9_]+|archive_file)\.([a-z0-9_]+)",
                                              everything):
        if prefix == "data.":
            assert (type_, ref_name) in data, f"data.{type_}.{ref_name}"
        elif prefix == "":
            assert (type_, ref_name) in resources, f"{type_}.{ref_name} is referenced but not declared"
    for var in re.findall(r"\bvar\.([a-z_]+)", everything):
        assert var in variables, var


@pytest.mark.parametrize("name,arch", DESIGNS, ids=[n for n, _ in DESIGNS])
def test_same_design_same_bytes_and_no_wildcard_actions(name, arch):
    first, second = config_files(arch), config_files(arch)
    assert first == second
    assert wildcard_allow_actions(first["main.tf"]) == []


def wildcard_allow_actions(hcl_text: str) -> list[str]:
    """Actions with '*' outside Deny statements (the TLS-only bucket guard denies s3:*)."""
    bad = []
    for match in re.finditer(r'Action\s*=\s*(\[[^\]]*\]|"[^"]*")', hcl_text):
        if "*" not in match.group(1):
            continue
        effect = hcl_text.rfind("Effect = ", 0, match.start())  # the renderers write Effect before Action
        if not hcl_text.startswith('Effect = "Deny"', effect):
            bad.append(match.group(1))
    return bad


def test_wildcard_check_can_fail():
    allowed = 'Sid = "X"\n Effect = "Allow"\n Principal = {\n Service = "s3"\n }\n Action = ["s3:*"]'
    denied = 'Sid = "Y"\n Effect = "Deny"\n Action = "s3:*"'
    assert wildcard_allow_actions(allowed) == ['["s3:*"]']
    assert wildcard_allow_actions(denied) == []


def _design(*nodes, edges=()) -> Architecture:
    arch = Architecture("Small", "us-east-1")
    for node_id, service, config in nodes:
        arch.add_node(Node(node_id, service, config))
    for source, target, config in edges:
        arch.add_edge(Edge(source, target, config))
    return arch


def _resource(parsed: dict, type_: str, name: str) -> dict:
    return next(body for t, n, body in _blocks(parsed, "resource") if (t, n) == (type_, name))


def test_function_settings_code_and_provisioned_alias():
    arch = _design(("fn", "lambda", {"memory_mb": 2048, "timeout_s": 30, "reserved_concurrency": 3,
                                     "provisioned_concurrency": 2, "code": "handlers/fn"}),
                   ("q", "sqs", {}), edges=[("q", "fn", {"batch_size": 5, "max_concurrency": 4})])
    _, parsed = _parse_all(arch)
    main = parsed["main.tf"]
    fn = _resource(main, "aws_lambda_function", "fn")
    assert (fn["memory_size"], fn["timeout"], fn["reserved_concurrent_executions"]) == (2048, 30, 3)
    pc = _resource(main, "aws_lambda_provisioned_concurrency_config", "fn_live")
    assert pc["provisioned_concurrent_executions"] == 2
    esm = _resource(main, "aws_lambda_event_source_mapping", "fn_source_q")
    assert esm["function_name"] == "${aws_lambda_alias.fn_live.arn}"
    assert esm["scaling_config"][0]["maximum_concurrency"] == 4
    archive = next(b for t, n, b in _blocks(main, "data") if t == "archive_file")
    assert "handlers/fn" in archive["source_dir"]


def test_stream_mapping_on_failure_destination():
    arch = _design(("s", "kinesis", {}), ("g", "lambda", {}), ("lost", "sqs", {}),
                   edges=[("s", "g", {"bisect_on_error": True})])
    arch.add_edge(Edge("g", "lost", {}, kind="on_failure"))
    _, parsed = _parse_all(arch)
    esm = _resource(parsed["main.tf"], "aws_lambda_event_source_mapping", "g_source_s")
    assert esm["bisect_batch_on_function_error"] is True and esm["maximum_retry_attempts"] == -1
    on_failure = esm["destination_config"][0]["on_failure"][0]
    assert on_failure["destination_arn"] == "${aws_sqs_queue.lost.arn}"


def test_state_machine_definition_is_json_with_live_references():
    arch = _design(("flow", "step_functions", {}), ("a", "lambda", {}), ("q", "sqs", {}),
                   edges=[("flow", "q", {"order": 2}), ("flow", "a", {"order": 1})])
    _, parsed = _parse_all(arch)
    definition = _unquote(_resource(parsed["main.tf"], "aws_sfn_state_machine", "flow")["definition"])
    asl = json.loads(definition.encode().decode("unicode_escape"))
    first = asl["States"][asl["StartAt"]]
    assert first["Parameters"]["FunctionName"] == "${aws_lambda_function.a.arn}"
    assert asl["States"][first["Next"]]["Parameters"]["QueueUrl"] == "${aws_sqs_queue.q.url}"


def test_extras_with_a_terraform_type_are_written_back():
    arch = _design(("q", "sqs", {}))
    arch.extra["extras"] = [{"address": "aws_cloudwatch_metric_alarm.depth", "tf_type": "aws_cloudwatch_metric_alarm",
                             "body": {"alarm_name": "depth", "threshold": 10,
                                      "dimensions": {"QueueName": "${aws_sqs_queue.q.name}"}}}]
    texts = config_files(arch)
    assert 'resource "aws_cloudwatch_metric_alarm" "depth"' in texts["main.tf"]
    assert "QueueName = aws_sqs_queue.q.name" in texts["main.tf"]


def test_long_node_ids_still_give_valid_aws_names():
    long_id = "a_really_long_node_identifier_that_goes_on_and_on_and_on_forever_more"
    arch = _design((long_id, "sqs", {"fifo": True}), (long_id + "_flow", "step_functions", {}),
                   (long_id + "_fn", "lambda", {}))
    text = config_files(arch)["main.tf"]
    longest = {"var.name_prefix": 16, "var.stage": 8}

    def length(name: str) -> int:  # with the longest prefix and stage the variables allow
        for var, size in longest.items():
            name = name.replace("${" + var + "}", "x" * size)
        return len(name)

    names = dict(re.findall(r'resource "(aws_sqs_queue|aws_sfn_state_machine|aws_lambda_function)" "[^"]+" \{'
                            r'(?:\n  #[^\n]*)*\n  (?:name|function_name)\s+= "([^"]+)"', text))
    assert set(names) == {"aws_sqs_queue", "aws_sfn_state_machine", "aws_lambda_function"}
    assert length(names["aws_sqs_queue"]) <= 80 and names["aws_sqs_queue"].endswith(".fifo")
    assert length(names["aws_sfn_state_machine"]) <= 80
    assert length(names["aws_lambda_function"]) <= 64
