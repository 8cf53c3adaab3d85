"""Terraform import: conditionals, operators, `for` expressions, `count` and `for_each`.

The fixture tf_count_for_each is written the way real modules are: a DLQ created only
`count = var.create_dlq ? 1 : 0`, functions from `for_each` over a map, references such as
`aws_lambda_function.fn["billing-api"].arn`, and counts/for_each that cannot be known at
import time (variables without defaults)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from exporters import export
from importers import import_template
from importers.base import GraphBuilder, token
from importers.terraform.modules import Configuration, Module
from model.validation import errors, validate

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "templates" / "tf_count_for_each"


@pytest.fixture(scope="module")
def imported():
    return import_template(FIXTURE)


def _edges(arch) -> Counter:
    return Counter((e.source, e.target, arch.edge_kind(e)) for e in arch.edges)


def test_count_and_for_each_become_one_node_per_instance(imported):
    arch = imported.architecture
    assert {n.id: n.service for n in arch.nodes.values()} == {
        "dlq": "sqs", "jobs": "sqs", "shard_0": "sqs", "shard_1": "sqs", "shard_2": "sqs",
        "alerts": "sns", "tenant": "sns", "fn_orders": "lambda", "fn_billing_api": "lambda"}
    # count.index and each.value inside the bodies; a conditional on a local that is itself an expression
    assert [arch.nodes[f"shard_{i}"].config["visibility_timeout_s"] for i in range(3)] == [30, 40, 50]
    assert arch.nodes["fn_orders"].config["memory_mb"] == 512
    assert arch.nodes["fn_billing_api"].config["memory_mb"] == 256
    assert arch.nodes["fn_orders"].config["timeout_s"] == 30
    assert not errors(validate(arch))


def test_references_to_instances_resolve_to_their_nodes(imported):
    arch = imported.architecture
    assert _edges(arch) == Counter({
        ("jobs", "dlq", "dead_letter"),  # aws_sqs_queue.dlq[0] of a count = 1 resource
        ("fn_orders", "dlq", "on_failure"), ("fn_billing_api", "dlq", "on_failure"),  # one(dlq[*].arn)
        ("jobs", "fn_orders", "event_source"),  # fn[local.big[0]]: a for expression with an if
        ("shard_0", "fn_billing_api", "event_source"),  # shard[each.value], fn["billing-api"]
        ("shard_2", "fn_billing_api", "event_source")})
    assert arch.nodes["jobs"].config["max_receive_count"] == 5  # var.env != "prod" ? 3 : 5
    assert arch.find_edge("shard_0", "fn_billing_api").config["batch_size"] == 10
    assert arch.find_edge("shard_2", "fn_billing_api").config["batch_size"] == 5


def test_the_report_says_what_was_not_created_expanded_or_guessed(imported):
    notes = [(n.severity, n.format()) for n in imported.notes("note")]
    assert notes == [
        ("info", "aws_sqs_queue.archive (aws_sqs_queue): not created: count = 0 (var.create_archive ? 1 : 0)"),
        ("info", "aws_sqs_queue.shard (aws_sqs_queue): count = 3: 3 instances "
                 "(aws_sqs_queue.shard_0, aws_sqs_queue.shard_1, aws_sqs_queue.shard_2)"),
        ("warning", "aws_sns_topic.alerts (aws_sns_topic): count = var.alerts_enabled ? 1 : 0 "
                    "could not be evaluated; imported as one instance"),
        ("warning", "aws_sns_topic.tenant (aws_sns_topic): for_each = var.tenants could not be evaluated; "
                    "imported as one instance"),
        ("info", "aws_dynamodb_table.unused (aws_dynamodb_table): not created: for_each = toset([]) is empty"),
        ("info", "aws_lambda_function.fn (aws_lambda_function): for_each over 2 keys: 2 instances "
                 "(aws_lambda_function.fn_orders, aws_lambda_function.fn_billing_api)"),
        ("info", "aws_lambda_event_source_mapping.shards (aws_lambda_event_source_mapping): for_each over 2 keys: "
                 "2 instances (aws_lambda_event_source_mapping.shards_0, aws_lambda_event_source_mapping.shards_2)"),
    ]
    assert not imported.notes("unmapped")


def test_instances_keep_their_terraform_address_and_a_body_without_count(imported):
    arch = imported.architecture
    assert arch.nodes["fn_billing_api"].extra["terraform"]["address"] == 'aws_lambda_function.fn["billing-api"]'
    assert arch.nodes["shard_1"].extra["terraform"]["address"] == "aws_sqs_queue.shard[1]"
    assert arch.nodes["dlq"].extra["terraform"]["address"] == "aws_sqs_queue.dlq[0]"
    assert all("count" not in n.extra["terraform"]["body"] and "for_each" not in n.extra["terraform"]["body"]
               for n in arch.nodes.values())


def test_expanded_design_round_trips_through_the_terraform_exporter(imported, tmp_path):
    arch = imported.architecture
    export(arch, "terraform", str(tmp_path / "tf"))
    back = import_template(tmp_path / "tf").architecture
    assert {n.id: n.service for n in back.nodes.values()} == {n.id: n.service for n in arch.nodes.values()}
    assert _edges(back) == _edges(arch)


@pytest.fixture()
def module(tmp_path):
    configuration = Configuration(GraphBuilder("t", "terraform"))
    variables = {"on": True, "off": False, "env": "prod", "n": 3, "names": ["b", "a", "b"],
                 "sizes": {"small": 128, "large": 1024}, "unknown": token("var.unknown"),
                 "objs": [{"name": "x"}, {"name": "y"}]}
    return Module(str(tmp_path), "", variables, configuration)


@pytest.mark.parametrize("expression, expected", [
    ("var.on ? 1 : 0", 1),
    ("var.off ? 1 : 0", 0),
    ("var.env == \"prod\" && !var.off", True),
    ("var.env != \"prod\" || var.n > 2", True),
    ("var.n >= 3 && var.n <= 3 && !(var.n < 3)", True),
    ("var.n == \"3\"", False),  # HCL: a number is not equal to a string
    ("var.on == 1", False),  # nor a bool to a number
    ("var.on ? (var.off ? \"a\" : \"b\") : \"c\"", "b"),
    ("var.n * 2 + 1", 7),
    ("-var.n + 10 % 4", -1),
    ("[for s in var.names : upper(s)]", ["B", "A", "B"]),
    ("[for i, s in var.names : \"${i}-${s}\" if s != \"a\"]", ["0-b", "2-b"]),
    ("[for s in toset(var.names) : s]", ["a", "b"]),
    ("{for k, v in var.sizes : k => v * 2}", {"small": 256, "large": 2048}),
    ("{for k, v in var.sizes : upper(k) => v if v > 512}", {"LARGE": 1024}),
    ("[for v in var.sizes : v]", [128, 1024]),
    ("length(var.names) > 2 ? lookup(var.sizes, \"large\", 0) : 0", 1024),
    ("var.unknown ? \"x\" : \"y\"", token("expr:var.unknown ? \"x\" : \"y\"")),
    ("[for s in var.unknown : s]", token("expr:[for s in var.unknown : s]")),
    ("var.unknown == \"a\"", token("expr:var.unknown == \"a\"")),
    ("var.on ? var.unknown : 0", token("var.unknown")),  # only the branch taken matters
    ("one([])", None),
    ("element(var.names, 4)", "a"),
    ("var.names[*]", ["b", "a", "b"]),
    ("var.objs[*].name", ["x", "y"]),
    ("var.unknown[*].name", token("expr:var.unknown[*].name")),
])
def test_expressions(module, expression, expected):
    assert module.template("${" + expression + "}") == expected


def test_unknown_conditional_inside_an_argument_is_kept_as_text_not_a_crash(tmp_path):
    (tmp_path / "main.tf").write_text(
        'variable "big" {}\n'
        'resource "aws_lambda_function" "f" {\n'
        '  function_name = "f"\n'
        '  memory_size   = var.big ? 1024 : 128\n'
        '  runtime       = "python3.12"\n'
        '}\n')
    result = import_template(tmp_path)
    node = result.architecture.nodes["f"]
    assert "memory_mb" not in node.config  # the catalogue default, as for any expression it cannot read
    assert node.extra["terraform"]["body"]["memory_size"] == "${var.big ? 1024 : 128}"


def test_count_inside_a_local_module_and_an_output_naming_one_instance(tmp_path):
    (tmp_path / "mod").mkdir()
    (tmp_path / "main.tf").write_text(
        'module "workers" {\n  source = "./mod"\n  names  = ["a", "b"]\n  count  = 1\n}\n'
        'resource "aws_sqs_queue" "in" {\n  name = "in"\n}\n'
        'resource "aws_lambda_event_source_mapping" "m" {\n'
        '  event_source_arn = aws_sqs_queue.in.arn\n  function_name    = module.workers.second\n}\n')
    (tmp_path / "mod" / "main.tf").write_text(
        'variable "names" {}\n'
        'resource "aws_lambda_function" "w" {\n'
        '  count         = length(var.names)\n'
        '  function_name = "w-${var.names[count.index]}"\n'
        '  runtime       = "python3.12"\n}\n'
        'output "second" { value = aws_lambda_function.w[1].arn }\n')
    result = import_template(tmp_path)
    arch = result.architecture
    assert {n.id: n.extra["terraform"]["address"] for n in arch.nodes.values()} == {
        "workers_w_0": "module.workers.aws_lambda_function.w[0]",
        "workers_w_1": "module.workers.aws_lambda_function.w[1]", "in": "aws_sqs_queue.in"}
    assert _edges(arch) == Counter({("in", "workers_w_1", "event_source")})
    assert [n.format() for n in result.notes("note") if n.severity == "warning"] == [
        "module.workers (module): count on a module call is not expanded; the module is followed once"]
