"""An API edge's routes as the designer edits them ("GET /items", "GET /items/{id}").

Which edges carry routes is the catalogue's word (their rule has a `routes` field: an API's
Lambda proxy or direct integration); the routes themselves are read as the model reads
them (`Edge.routes`: the `routes` list, or the older method + path). A new edge, or a new
route on an edge, gets a route no other edge of its API serves yet, so a fresh design
validates (two edges of one API may not share a route). Qt-free.
"""

from __future__ import annotations

import re

from model.architecture import Architecture, Edge, route_text
from model.catalogue import edge_rule


def carries_routes(arch: Architecture, edge: Edge) -> bool:
    """Is this an API edge with routes (its rule has a `routes` field)?"""
    src, dst = arch.nodes.get(edge.source), arch.nodes.get(edge.target)
    rule = edge_rule(src.service, dst.service, edge.kind) if src and dst else None
    return rule is not None and rule.field("routes") is not None


def route_texts(edge: Edge) -> list[str]:
    """The edge's routes as the file writes them: ["GET /items", "GET /items/{id}"]."""
    return [route_text(method, path) for method, path in edge.routes]


def route_edge(arch: Architecture, api_id: str, target_id: str) -> Edge | None:
    """The edge from an API to this target that carries routes, if there is one."""
    return next((e for e in arch.edges if (e.source, e.target) == (api_id, target_id)
                 and carries_routes(arch, e)), None)


def served_routes(arch: Architecture, api_id: str) -> set[tuple[str, str]]:
    """Every (method, path) some edge of this API serves."""
    return {route for e in arch.edges if e.source == api_id and carries_routes(arch, e) for route in e.routes}


def free_route(arch: Architecture, api_id: str, target_id: str) -> str:
    """A route the API does not serve yet: "ANY /" for its first route (every request),
    then a path named after the target ("ANY /get-item", "ANY /get-item-2", ...): a
    second route is meant for something in particular."""
    taken = served_routes(arch, api_id)
    if not taken:
        return "ANY /"
    stem = "/" + kebab_case(target_id)
    path, n = stem, 2
    while ("ANY", path) in taken:
        path, n = f"{stem}-{n}", n + 1
    return route_text("ANY", path)


def kebab_case(node_id: str) -> str:
    """'get_item' -> 'get-item', 'createOrder' -> 'create-order': the way URL paths read."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", node_id).replace("_", "-").lower()
    return re.sub(r"-+", "-", words).strip("-") or "route"
