"""Renaming a node's id: everything that names it follows, and a rename back restores the
design exactly; invalid or taken ids are refused with the reason."""

import pytest

from model.architecture import Architecture, Edge, Load, Node, Scenario, id_from_text
from model.designfile import dump_design
from model.errors import StratusError


def design() -> Architecture:
    arch = Architecture("Rename")
    for node_id, service in (("api", "api_gateway"), ("lambda_2", "lambda"), ("table", "dynamodb"),
                             ("queue", "sqs")):
        arch.add_node(Node(node_id, service))
    arch.add_edge(Edge("api", "lambda_2"))
    arch.add_edge(Edge("lambda_2", "table", {"action": "write"}))
    arch.add_edge(Edge("lambda_2", "queue"))
    arch.add_scenario(Scenario("base", load=[Load("lambda_2", "poisson", {"rate_rps": 5}),
                                             Load("api", "constant", {"rate_rps": 1})],
                               overrides={"api": {"throttle_rate_rps": 5},
                                          "lambda_2": {"memory_mb": 1024}, "table": {}}))
    return arch


def test_edges_loads_and_overrides_follow_and_a_rename_back_restores_the_file():
    arch, heard = design(), []
    before = dump_design(arch)
    arch.subscribe(heard.append)
    arch.rename_node("lambda_2", "create_order")
    assert list(arch.nodes) == ["api", "create_order", "table", "queue"]  # same place in the file
    assert arch.nodes["create_order"].id == "create_order"
    assert [(e.source, e.target) for e in arch.edges] == [
        ("api", "create_order"), ("create_order", "table"), ("create_order", "queue")]
    scenario = arch.scenarios[0]
    assert [ld.entry for ld in scenario.load] == ["create_order", "api"]
    assert list(scenario.overrides) == ["api", "create_order", "table"]  # order kept
    assert scenario.overrides["create_order"] == {"memory_mb": 1024}
    assert [(c.what, c.subject, c.detail) for c in heard] == [("node_renamed", "lambda_2", "create_order")]
    arch.rename_node("create_order", "lambda_2")
    assert dump_design(arch) == before


@pytest.mark.parametrize("new_id, reason", [
    ("", "cannot be empty"),
    ("2fast", "must start with a letter"),
    ("has space", "only letters, digits and _"),
    ("café", "only letters, digits and _"),
    ("table", "already the id of another node"),
])
def test_an_invalid_or_taken_id_is_refused_with_the_reason(new_id, reason):
    arch = design()
    before = dump_design(arch)
    with pytest.raises(StratusError, match=reason):
        arch.rename_node("lambda_2", new_id)
    assert dump_design(arch) == before


def test_an_id_still_named_by_a_leftover_edge_or_scenario_is_refused():
    arch = design()
    arch.scenarios[0].overrides["gone"] = {"memory_mb": 256}  # a node deleted long ago
    assert "scenario 'base'" in arch.node_id_problem("gone", "lambda_2")
    arch.edges.append(Edge("ghost", "table"))
    assert "edge ghost -> table" in arch.node_id_problem("ghost", "lambda_2")
    assert arch.node_id_problem("lambda_2", "lambda_2") is None  # unchanged is fine


def test_ids_from_display_names():
    assert id_from_text("Create order") == "create_order"
    assert id_from_text("Orders API (v2)") == "orders_api_v2"
    assert id_from_text("Café façade") == "cafe_facade"
    assert id_from_text("3rd party hook") == "n_3rd_party_hook"
    assert id_from_text("…") == "node"
    assert Architecture().unique_id("naïve") == "na_ve"  # never a non-ASCII id
