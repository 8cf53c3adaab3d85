"""Every undo command: redo changes the model, undo restores the saved file exactly."""

import copy

import pytest

from designer import commands
from model.architecture import Edge, Node, Scenario
from model.designfile import dump_design


def _add_node(a):
    return commands.AddNodeCommand(a, Node("fn2", "lambda", {"memory_mb": 256}, at=(100.0, 300.0)))


def _remove_mixed(a):
    # An edge chosen on its own plus a node whose own edges go with it: indices must come back.
    return commands.RemoveItemsCommand(a, ["handler"], [a.edges[2]])


def _remove_middle_node(a):
    return commands.RemoveItemsCommand(a, ["queue", "orders"], [])


def _move(a):
    return commands.MoveNodesCommand(a, {"api": a.nodes["api"].at, "bucket": a.nodes["bucket"].at},
                                     {"api": (60.0, 80.0), "bucket": (400.0, 400.0)})


def _add_edge(a):
    return commands.AddEdgeCommand(a, Edge("bucket", "worker"))


def _set_config_new_key(a):
    return commands.SetNodeConfigCommand(a, "worker", "memory_mb", 2048)


def _set_config_existing(a):
    return commands.SetNodeConfigCommand(a, "handler", "memory_mb", 1024)


def _set_config_nullable(a):
    return commands.SetNodeConfigCommand(a, "worker", "reserved_concurrency", None)


def _set_label(a):
    return commands.SetNodeLabelCommand(a, "handler", "Create order")


def _clear_label(a):
    return commands.SetNodeLabelCommand(a, "api", "")


def _set_edge_config_new(a):
    return commands.SetEdgeConfigCommand(a, a.edges[0], "calls", 2)


def _set_edge_config_existing(a):
    return commands.SetEdgeConfigCommand(a, a.edges[1], "action", "read_write")


def _add_scenario(a):
    return commands.AddScenarioCommand(a, Scenario("peak", 120, 7))


def _remove_scenario(a):
    return commands.RemoveScenarioCommand(a, "base")


def _replace_scenario(a):
    edited = copy.deepcopy(a.scenario("base"))
    edited.name, edited.duration_s = "renamed", 900
    return commands.ReplaceScenarioCommand(a, "base", edited)


def _set_name(a):
    return commands.SetPropertyCommand(a, "name", "Renamed design")


def _set_account(a):
    return commands.SetPropertyCommand(a, "account.concurrency_limit", 3000)


def _paste(a):
    return commands.PasteCommand(a, [Node("p1", "sqs", at=(0.0, 500.0)), Node("p2", "lambda", at=(240.0, 500.0))],
                                 [Edge("p1", "p2")])


def _auto_layout(a):
    from model.layout import layered_layout

    return commands.AutoLayoutCommand(a, {n: a.nodes[n].at for n in a.nodes}, layered_layout(a))


COMMANDS = [_add_node, _remove_mixed, _remove_middle_node, _move, _add_edge, _set_config_new_key,
            _set_config_existing, _set_config_nullable, _set_label, _clear_label, _set_edge_config_new,
            _set_edge_config_existing, _add_scenario, _remove_scenario, _replace_scenario, _set_name,
            _set_account, _paste, _auto_layout]


@pytest.mark.parametrize("make", COMMANDS, ids=[f.__name__.strip("_") for f in COMMANDS])
def test_undo_and_redo_restore_the_saved_design_exactly(design, undo_stack, make):
    before = dump_design(design)
    undo_stack.push(make(design))
    after = dump_design(design)
    assert after != before, "the command changed nothing"
    undo_stack.undo()
    assert dump_design(design) == before
    undo_stack.redo()
    assert dump_design(design) == after
    undo_stack.undo()
    assert dump_design(design) == before


def test_remove_restores_edge_order_when_several_edges_and_nodes_go(design, undo_stack):
    design.edges.append(Edge("handler", "queue"))
    design.edges.append(Edge("api", "queue"))
    before = dump_design(design)
    undo_stack.push(commands.RemoveItemsCommand(design, ["queue", "api"], [design.edges[1]]))
    assert "queue" not in design.nodes and len(design.edges) == 0
    undo_stack.undo()
    assert dump_design(design) == before


def test_typing_into_one_field_is_one_undo_entry(design, undo_stack):
    for value in (2, 25, 256):
        undo_stack.push(commands.SetNodeConfigCommand(design, "handler", "memory_mb", value))
    undo_stack.push(commands.SetNodeConfigCommand(design, "handler", "timeout_s", 30))
    assert undo_stack.count() == 2
    assert design.nodes["handler"].config["memory_mb"] == 256
    undo_stack.undo()
    undo_stack.undo()
    assert design.nodes["handler"].config["memory_mb"] == 512


def test_property_edits_merge_and_undo_to_the_first_value(design, undo_stack):
    for name in ("R", "Re", "Ren"):
        undo_stack.push(commands.SetPropertyCommand(design, "name", name))
    assert undo_stack.count() == 1
    undo_stack.undo()
    assert design.name == "Canvas test"


def test_command_texts_are_human(design):
    assert _add_node(design).text() == "Add Lambda"
    assert _move(design).text() == "Move 2 nodes"
    assert _set_config_existing(design).text() == "Set memory_mb"
    assert _auto_layout(design).text() == "Auto-layout"
    assert _remove_mixed(design).text() == "Delete 1 node and 1 edge"


def test_undo_stack_clean_state_tracks_unsaved_changes(design, undo_stack):
    undo_stack.setClean()
    undo_stack.push(_set_label(design))
    assert not undo_stack.isClean()
    undo_stack.undo()
    assert undo_stack.isClean()
