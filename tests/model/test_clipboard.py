"""Copy, paste and duplicate on the model alone (no Qt): what is copied, the ids a paste
makes, where pasted nodes land, and text that is not a design."""

import pytest

from model.architecture import Architecture, Edge, Node
from model.clipboard import (
    DUPLICATE_OFFSET, PASTE_STEP, Pasted, copy_nodes, duplicate_nodes, fresh_id, paste_nodes, paste_offset,
)
from model.designfile import loads_design


def design() -> Architecture:
    arch = Architecture("Shop")
    arch.add_node(Node("api", "api_gateway", at=(0.0, 0.0)))
    arch.add_node(Node("handler", "lambda", {"memory_mb": 512}, label="Handler", at=(240.0, 40.0)))
    arch.add_node(Node("orders", "dynamodb", at=(480.0, 40.0)))
    arch.add_edge(Edge("api", "handler"))
    arch.add_edge(Edge("handler", "orders", {"action": "write", "calls": 2}))
    return arch


def test_copy_keeps_the_chosen_nodes_and_only_the_edges_among_them():
    copied = loads_design(copy_nodes(design(), ["handler", "orders"]))
    assert list(copied.nodes) == ["handler", "orders"]
    assert [(e.source, e.target) for e in copied.edges] == [("handler", "orders")]
    assert copied.nodes["handler"].config["memory_mb"] == 512 and copied.nodes["handler"].label == "Handler"
    assert copied.edges[0].config == {"action": "write", "calls": 2}


def test_copying_nothing_gives_empty_text():
    assert copy_nodes(design(), []) == ""
    assert copy_nodes(design(), ["no_such_node"]) == ""


def test_paste_renames_clashing_ids_and_rewires_edges_to_the_copies():
    arch = design()
    pasted = paste_nodes(arch, copy_nodes(arch, ["handler", "orders"]), (0, 200))
    assert pasted.node_ids == ["handler_2", "orders_2"]
    assert [(e.source, e.target) for e in pasted.edges] == [("handler_2", "orders_2")]
    assert pasted.edges[0].config == {"action": "write", "calls": 2}
    assert [n.at for n in pasted.nodes] == [(240.0, 240.0), (480.0, 240.0)]
    # nothing is added by asking: the designer pushes the paste as an undoable command
    assert list(arch.nodes) == ["api", "handler", "orders"] and len(arch.edges) == 2


def test_paste_into_another_design_keeps_free_ids():
    text = copy_nodes(design(), ["handler"])
    assert paste_nodes(Architecture("Empty"), text).node_ids == ["handler"]


def test_positions_are_snapped_after_the_offset():
    arch = design()
    pasted = paste_nodes(arch, copy_nodes(arch, ["handler"]), (13.0, 7.0), snap=lambda v: round(v / 20) * 20)
    assert pasted.nodes[0].at == (260, 40)


def test_a_node_without_a_position_lands_at_the_offset():
    arch = Architecture("Loose")
    arch.add_node(Node("fn", "lambda"))
    assert paste_nodes(arch, copy_nodes(arch, ["fn"]), (40.0, 60.0)).nodes[0].at == (40.0, 60.0)


def test_duplicate_lands_at_the_duplicate_offset_with_fresh_ids():
    arch = design()
    dup = duplicate_nodes(arch, ["api", "handler"])
    assert dup.node_ids == ["api_2", "handler_2"]
    assert [(e.source, e.target) for e in dup.edges] == [("api_2", "handler_2")]
    assert dup.nodes[1].at == (240.0 + DUPLICATE_OFFSET[0], 40.0 + DUPLICATE_OFFSET[1])
    assert duplicate_nodes(arch, []) == Pasted()


def test_each_paste_of_one_copy_lands_a_step_further():
    arch = design()
    text = copy_nodes(arch, ["handler"])
    spots = [paste_nodes(arch, text, paste_offset(n)).nodes[0].at for n in (1, 2, 3)]
    assert spots == [(240.0 + n * PASTE_STEP, 40.0 + n * PASTE_STEP) for n in (1, 2, 3)]


@pytest.mark.parametrize("text", ["", "not: [a design", "just words", "stratus: 1\nnodes: 3\n", "\x00"])
def test_text_that_is_not_a_design_pastes_nothing(text):
    assert paste_nodes(design(), text) == Pasted()


@pytest.mark.parametrize("base, taken, expected", [
    ("fn", set(), "fn"),
    ("fn", {"fn"}, "fn_2"),
    ("fn", {"fn", "fn_2", "fn_3"}, "fn_4"),
    ("fn_2", {"fn", "fn_2"}, "fn_3"),        # the trailing number is a counter: not fn_2_2
    ("fn_2", {"fn_2", "fn_3"}, "fn_4"),
    ("table_v2", {"table_v2"}, "table_v2_2"),  # not a counter: the stem keeps it
    ("_7", {"_7"}, "_7_2"),                  # nothing before the underscore: no stem to count on
])
def test_fresh_id(base, taken, expected):
    assert fresh_id(base, taken) == expected
