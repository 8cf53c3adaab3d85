"""model.aws.routes: an API node's routes, the same for every output."""

from __future__ import annotations

import pytest

from model.architecture import Architecture, Edge, Node
from model.aws.routes import routes_of
from model.errors import StratusError


def _api(*routes: tuple[str, str]) -> Architecture:
    arch = Architecture("r", "us-east-1")
    arch.add_node(Node("api", "api_gateway", {}))
    for index, (method, path) in enumerate(routes):
        arch.add_node(Node(f"fn{index}", "lambda", {}))
        arch.add_edge(Edge("api", f"fn{index}", {"method": method, "path": path}, kind="invoke"))
    return arch


def test_routes_normalise_method_and_path_and_name_their_parameters():
    root, item = routes_of(_api(("any", "/"), ("GET", "items/{id}/parts/{part+}/")), "api")
    assert (root.method, root.path, root.http_route_key) == ("ANY", "/", "$default")
    assert (item.method, item.path) == ("GET", "/items/{id}/parts/{part+}")
    assert item.path_params == ["id", "part"] and item.words == ["items", "id", "parts", "part"]
    assert item.http_route_key == "GET /items/{id}/parts/{part+}" and item.edge.target == "fn1"


def test_two_edges_on_one_route_are_refused_by_name():
    with pytest.raises(StratusError, match="route POST /orders is also taken by the edge to 'fn0'"):
        routes_of(_api(("POST", "/orders"), ("post", "orders/")), "api")


def test_an_edge_with_a_list_of_routes_gives_one_route_each():
    arch = _api(("GET", "/items"))
    arch.edges[0].config = {"routes": ["GET /items", "POST /items", "GET /items/{id}"]}
    assert [(r.method, r.path, r.edge.target) for r in routes_of(arch, "api")] == [
        ("GET", "/items", "fn0"), ("POST", "/items", "fn0"), ("GET", "/items/{id}", "fn0")]
