"""The document model: notifications, reversible mutations, graph views, layout."""

from model.architecture import Architecture, Edge, Node
from model.designfile import dump_design, load_design
from model.graph import to_networkx, trigger_graph
from model.layout import COLUMN_STEP, layered_layout
from tests.conftest import example_paths


def small() -> Architecture:
    arch = Architecture("Small")
    for node_id, service in (("api", "api_gateway"), ("fn", "lambda"), ("table", "dynamodb")):
        arch.add_node(Node(node_id, service))
    arch.add_edge(Edge("api", "fn"))
    arch.add_edge(Edge("fn", "table", {"action": "read"}))
    return arch


def test_listeners_hear_every_mutation():
    arch, heard = small(), []
    arch.subscribe(heard.append)
    arch.set_node_config("fn", "memory_mb", 256)
    arch.move_nodes({"fn": (10, 20), "api": (0, 0)})
    arch.remove_node("fn")
    assert [c.what for c in heard] == ["node_changed", "node_moved", "edge_removed", "edge_removed", "node_removed"]


def test_remove_then_restore_gives_back_the_same_design():
    arch = small()
    before = dump_design(arch)
    node, index, edges = arch.remove_node("fn")
    assert list(arch.nodes) == ["api", "table"] and arch.edges == []
    arch.restore_node(node, index, edges)
    assert dump_design(arch) == before


def test_effective_config_overlays_catalogue_defaults():
    arch = small()
    arch.set_node_config("fn", "memory_mb", 2048)
    config = arch.nodes["fn"].effective_config()
    assert config["memory_mb"] == 2048 and config["timeout_s"] == 3 and config["idle_timeout_s"] == 600


def test_nullable_field_keeps_an_explicit_none():
    arch = small()
    arch.set_node_config("fn", "reserved_concurrency", None)
    assert "reserved_concurrency" in arch.nodes["fn"].config
    arch.set_node_config("fn", "memory_mb", None)  # not nullable: None means "back to default"
    assert "memory_mb" not in arch.nodes["fn"].config


def test_unique_id():
    arch = small()
    assert arch.unique_id("fn") == "fn_2"
    assert arch.unique_id("9 lives") == "n_9_lives"


def test_graph_views():
    arch = small()
    graph = to_networkx(arch)
    assert set(graph.edges()) == {("api", "fn"), ("fn", "table")}
    assert graph.nodes["fn"]["config"]["memory_mb"] == 128
    assert set(trigger_graph(arch).edges()) == {("api", "fn")}  # a read triggers nothing


def test_layout_goes_left_to_right_without_overlaps():
    for path in example_paths():
        arch = load_design(path)
        positions = layered_layout(arch)
        assert set(positions) == set(arch.nodes)
        assert len(set(positions.values())) == len(positions), path.name
        # events flow rightwards: every triggering edge points right
        graph = trigger_graph(arch)
        assert all(positions[v][0] > positions[u][0] for u, v in graph.edges()), path.name
    arch = small()
    x = {n: p[0] for n, p in layered_layout(arch).items()}
    assert x["fn"] - x["api"] == COLUMN_STEP and x["table"] - x["fn"] == COLUMN_STEP
