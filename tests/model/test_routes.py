"""An API edge's routes (DESIGN.md section 3): a list on the edge, the older single method
and path still read, and two edges of one API may not share a route."""

from __future__ import annotations

from model.architecture import Architecture, Edge, Node
from model.designfile import dump_design, loads_design
from model.validation import errors, validate


def _api(*configs: dict) -> Architecture:
    arch = Architecture("routes", "us-east-1")
    arch.add_node(Node("api", "api_gateway", {}))
    for index, config in enumerate(configs):
        arch.add_node(Node(f"fn{index}", "lambda", {}))
        arch.add_edge(Edge("api", f"fn{index}", dict(config)))
    return arch


def test_routes_are_a_list_and_the_older_method_and_path_still_read():
    listed, older, bare, text = _api({"routes": ["get /items/", "POST /items", "GET /items"]},
                                     {"method": "DELETE", "path": "items/{id}"}, {},
                                     {"routes": "GET /a, PUT /b"}).edges
    assert listed.routes == [("GET", "/items"), ("POST", "/items")]  # normalised, each once
    assert older.routes == [("DELETE", "/items/{id}")]
    assert bare.routes == [("ANY", "/")]
    assert text.routes == [("GET", "/a"), ("PUT", "/b")]


def test_a_design_with_routes_validates_and_survives_the_file():
    arch = _api({"routes": ["GET /items", "POST /items"]}, {"routes": ["GET /items/{id}"]}, {"method": "PUT"})
    assert not errors(validate(arch))
    again = loads_design(dump_design(arch))
    assert [e.routes for e in again.edges] == [[("GET", "/items"), ("POST", "/items")], [("GET", "/items/{id}")],
                                               [("PUT", "/")]]


def test_two_edges_of_one_api_on_one_route_are_an_error_that_says_how_to_fix_it():
    arch = _api({}, {}, {"routes": ["GET /items"]}, {"method": "GET", "path": "/items"})
    messages = [p.format() for p in errors(validate(arch))]
    assert messages == [
        "edge api -> fn1: route ANY / is also served by the edge to 'fn0': API 'api' can send a route to one "
        'target only; give this edge a route of its own, e.g. routes: ["ANY /fn1"]',
        "edge api -> fn3: route GET /items is also served by the edge to 'fn2': API 'api' can send a route to one "
        'target only; give this edge a route of its own, e.g. routes: ["GET /fn3"]',
    ]


def test_a_route_that_is_not_one_is_named():
    arch = _api({"routes": ["GET /ok", "FETCH /x", "GET no-slash"]}, {"routes": []})
    messages = [p.message for p in errors(validate(arch))]
    assert messages[0] == ("routes: 'FETCH /x', 'GET no-slash' is not a route: write the method (ANY, GET, POST, "
                           'PUT, PATCH, DELETE) and the path, as in "GET /items/{id}"')
    assert messages[1] == "routes must be a list of routes such as [\"GET /items\"], got []"
