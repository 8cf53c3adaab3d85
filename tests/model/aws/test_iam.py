"""model.aws.iam: least-privilege statements from edges, principals, resource-policy grants."""

from __future__ import annotations

import pytest

from model.aws import iam
from model.architecture import Architecture, Edge, Node
from tests.exporters.designs import every_edge_design
from tests.exporters.export_helpers import examples


def _design(*nodes, edges=()) -> Architecture:
    arch = Architecture("IAM", "us-east-1")
    for node_id, service, config in nodes:
        arch.add_node(Node(node_id, service, config))
    for source, target, config, *kind in edges:
        arch.add_edge(Edge(source, target, config, kind=kind[0] if kind else None))
    return arch


def _by_resource(statements) -> dict:
    return {(s.resource_node, s.resource_suffix): set(s.actions) for s in statements if s.scope == iam.NODE}


@pytest.mark.parametrize("action,expected", [
    ("read", {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem"}),
    ("write", {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"}),
])
def test_dynamodb_action_selects_the_action_set(action, expected):
    arch = _design(("fn", "lambda", {}), ("t", "dynamodb", {}), edges=[("fn", "t", {"action": action})])
    assert _by_resource(iam.role_statements(arch, "fn"))[("t", "")] == expected


def test_s3_reads_objects_and_lists_the_bucket_only():
    arch = _design(("fn", "lambda", {}), ("b", "s3", {}), edges=[("fn", "b", {"action": "read"})])
    grants = _by_resource(iam.role_statements(arch, "fn"))
    assert grants == {("b", "/*"): {"s3:GetObject"}, ("b", ""): {"s3:ListBucket"}}


def test_event_sources_give_the_function_poll_permissions():
    arch = _design(("fn", "lambda", {}), ("q", "sqs", {}), ("s", "kinesis", {}),
                   ("t", "dynamodb", {"stream": "new_image"}),
                   edges=[("q", "fn", {}), ("s", "fn", {}), ("t", "fn", {})])
    grants = _by_resource(iam.role_statements(arch, "fn"))
    assert grants[("q", "")] == {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}
    assert "kinesis:GetRecords" in grants[("s", "")]
    assert "dynamodb:GetRecords" in grants[("t", "/stream/*")]
    assert ("t", "") not in grants  # the stream, not the table


def test_function_logs_to_its_own_log_group_only():
    arch = _design(("fn", "lambda", {}))
    logs = [s for s in iam.role_statements(arch, "fn") if s.scope == iam.OWN_LOGS]
    assert [set(s.actions) for s in logs] == [{"logs:CreateLogStream", "logs:PutLogEvents"}]


def test_principals_and_resource_policies():
    arch = _design(("api", "api_gateway", {}), ("fn", "lambda", {}), ("q", "sqs", {}), ("topic", "sns", {}),
                   ("bucket", "s3", {}), ("bus", "eventbridge", {}), ("flow", "step_functions", {}),
                   ("plain_api", "api_gateway", {}),
                   edges=[("api", "q", {"method": "POST", "path": "/q"}), ("plain_api", "fn", {}),
                          ("bucket", "topic", {}), ("topic", "q", {}), ("bus", "flow", {}), ("bus", "fn", {})])
    assert iam.principals(arch) == ["api", "fn", "bus", "flow"]
    grants = {(g.kind, g.source_node, g.target_node, g.principal_service) for g in iam.resource_policies(arch)}
    assert grants == {
        ("lambda_permission", "plain_api", "fn", "apigateway.amazonaws.com"),
        ("sns_topic_policy", "bucket", "topic", "s3.amazonaws.com"),
        ("sqs_queue_policy", "topic", "q", "sns.amazonaws.com"),
        ("lambda_permission", "bus", "fn", "events.amazonaws.com"),
    }
    assert _by_resource(iam.role_statements(arch, "api")) == {("q", ""): {"sqs:SendMessage"}}
    assert _by_resource(iam.role_statements(arch, "bus")) == {("flow", ""): {"states:StartExecution"}}


def test_lambda_to_lambda_invoke_is_a_role_grant_not_a_permission():
    arch = _design(("a", "lambda", {}), ("b", "lambda", {}), edges=[("a", "b", {"mode": "async"})])
    assert _by_resource(iam.role_statements(arch, "a")) == {("b", ""): {"lambda:InvokeFunction"}}
    assert iam.resource_policies(arch) == []


@pytest.mark.parametrize("name,arch", examples() + [("every_edge", every_edge_design())],
                         ids=[n for n, _ in examples()] + ["every_edge"])
def test_no_wildcard_actions_and_star_resources_only_where_aws_requires(name, arch):
    allowed_star = set(iam._XRAY) | set(iam._SFN_LOG_DELIVERY)
    for principal, statements in iam.all_statements(arch).items():
        sids = [s.sid for s in statements]
        assert len(sids) == len(set(sids)), principal
        for stmt in statements:
            assert all("*" not in action for action in stmt.actions), (principal, stmt)
            if stmt.scope == iam.ANY:
                assert set(stmt.actions) <= allowed_star, (principal, stmt)
            if stmt.scope == iam.NODE:
                assert stmt.resource_node in arch.nodes


def test_async_function_without_destination_may_send_to_its_own_dead_letter_queue():
    arch = _design(("topic", "sns", {}), ("fn", "lambda", {}), ("kept", "lambda", {}), ("q", "sqs", {}),
                   edges=[("topic", "fn", {}), ("topic", "kept", {}), ("kept", "q", {}, "on_failure")])
    assert iam.needs_dead_letter_queue(arch, "fn") and not iam.needs_dead_letter_queue(arch, "kept")
    own = [s for s in iam.role_statements(arch, "fn", own_dead_letter_queue=True) if s.scope == iam.OWN_DLQ]
    assert [s.actions for s in own] == [("sqs:SendMessage",)]
    assert not [s for s in iam.role_statements(arch, "fn") if s.scope == iam.OWN_DLQ]  # opt-in
    assert not [s for s in iam.role_statements(arch, "kept", own_dead_letter_queue=True) if s.scope == iam.OWN_DLQ]
    from exporters.cloudformation import build_template

    role = build_template(arch)["Resources"]["FnRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    assert {"Sid": "OwnDeadLetterQueue", "Effect": "Allow", "Action": ["sqs:SendMessage"],
            "Resource": {"Fn::GetAtt": ["FnDeadLetterQueue", "Arn"]}} in role["Statement"]
