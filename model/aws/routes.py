"""An API node's routes: method, path and the edge behind each, the same in every output
(CloudFormation and Terraform API Gateway resources, the live deployer's routes)."""

from __future__ import annotations

from dataclasses import dataclass

from model.architecture import Architecture, Edge
from model.errors import StratusError

ROUTE_EDGE_KINDS = frozenset({"invoke", "integration"})


@dataclass(frozen=True)
class Route:
    edge: Edge
    method: str
    path: str

    @property
    def parts(self) -> list[str]:
        return [p for p in self.path.strip("/").split("/") if p]

    @property
    def path_params(self) -> list[str]:
        """Names of the path's {parameters}, in order."""
        return [p.strip("{}+") for p in self.parts if p.startswith("{")]

    @property
    def words(self) -> list[str]:
        """The path's segments without braces, for naming the route's resources."""
        return [p.strip("{}+") for p in self.parts]

    @property
    def http_route_key(self) -> str:
        """An HTTP API's route key: "$default" for ANY /, else "METHOD /path"."""
        return "$default" if self.method == "ANY" and self.path == "/" else f"{self.method} {self.path}"


def routes_of(arch: Architecture, api_id: str) -> list[Route]:
    """The API's routes (method, path, target edge), every route of every edge (an edge's
    `routes` list, or its older method + path); a clear error when two clash (the validator
    refuses such a design first)."""
    seen: dict[tuple[str, str], str] = {}
    out = []
    for edge in arch.edges_from(api_id):
        if arch.edge_kind(edge) not in ROUTE_EDGE_KINDS:
            continue
        for method, path in edge.routes:
            if (method, path) in seen:
                raise StratusError(f"{edge.describe()}: route {method} {path} is also taken by the edge to "
                                   f"'{seen[(method, path)]}'; give each route its own method or path")
            seen[(method, path)] = edge.target
            out.append(Route(edge, method, path))
    return out
