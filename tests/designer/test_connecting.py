"""The rule behind the rubber line: which connections may be drawn, and the reason given
for those that may not (the validator's words)."""

import pytest

from designer.canvas.connecting import connection_problem
from model.architecture import Architecture, Edge, Node
from model.validation import validate


@pytest.fixture
def arch() -> Architecture:
    arch = Architecture("Rules")
    for node_id, service in (("api", "api_gateway"), ("fn", "lambda"), ("table", "dynamodb"),
                             ("bucket", "s3"), ("odd", "teleporter")):
        arch.add_node(Node(node_id, service))
    arch.add_edge(Edge("api", "fn"))
    return arch


def test_an_allowed_connection_has_no_problem(arch):
    assert connection_problem(arch, "fn", "table") is None


def test_a_pair_aws_cannot_integrate_is_refused_in_the_validators_words(arch):
    reason = connection_problem(arch, "bucket", "table")
    assert reason.startswith("S3 cannot send to DynamoDB: AWS has no such integration (S3 connects to ")
    arch.add_edge(Edge("bucket", "table"))
    assert any(reason in p.message for p in validate(arch))


def test_a_second_edge_of_the_same_kind_is_refused_in_good_english(arch):
    assert connection_problem(arch, "api", "fn") == (
        "api already has an invoke edge to fn (use 'calls' for more than one call)")
    assert connection_problem(arch, "fn", "api") is not None  # and a Lambda cannot call an API back


def test_a_pair_with_several_kinds_takes_the_next_free_one(arch):
    from designer.canvas.connecting import connection_choices, free_kinds

    arch.add_node(Node("dlq", "sqs"))
    assert [r.kind for r in free_kinds(arch, "fn", "dlq")] == ["send", "on_failure"]
    arch.add_edge(Edge("fn", "dlq"))
    assert connection_problem(arch, "fn", "dlq") is None
    assert [r.kind for r in free_kinds(arch, "fn", "dlq")] == ["on_failure"]
    arch.add_edge(Edge("fn", "dlq", kind="on_failure"))
    assert connection_problem(arch, "fn", "dlq") == (
        "fn already has a send and an on failure edge to dlq (use 'calls' for more than one call)")
    assert ("dlq", "send") not in [(t, r.kind) for t, r in connection_choices(arch, "fn")]
    assert ("table", "data_access") in [(t, r.kind) for t, r in connection_choices(arch, "fn")]


def test_a_node_cannot_connect_to_itself_nor_to_an_unknown_service(arch):
    assert "cannot connect to itself" in connection_problem(arch, "fn", "fn")
    assert connection_problem(arch, "fn", "odd") == "'odd' has an unknown service"
