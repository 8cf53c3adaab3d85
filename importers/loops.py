"""Loops in imported designs: a function that writes back to its own trigger, invokes
itself, or is fed again from a dead-letter queue it redrives. Such templates are common
and deployed (the code decides when to stop), but a template does not say how often a
request goes round again, and a loop whose every edge fires on each request never ends.

The importer closes each such loop on one edge, the call back towards the loop's entry,
with a stated default share (`calls: LOOP_SHARE`, a probability), and says so in the
report: the design then validates (a loop that ends by itself is a warning) and the
simulator follows it a geometric number of times.
"""

from __future__ import annotations

import networkx as nx

from model.architecture import Architecture, Edge
from model.graph import layers, trigger_graph

# The share of requests that go round an imported loop again, when the template cannot say.
LOOP_SHARE = 0.1
# Edges a function (or state machine) chooses to make on a request: where a loop is closed.
CALLER_KINDS = ("send", "publish", "put_record", "put_events", "invoke", "start_execution", "data_access", "task")


def close_loops(arch: Architecture) -> list[tuple[Edge, str]]:
    """Give the closing edge of every loop that would never end `calls: LOOP_SHARE`;
    returns (edge, loop as text) for the report."""
    closed = []
    while True:
        cycle = _endless_cycle(arch)
        if cycle is None:
            return closed
        edge = _closing_edge(arch, cycle)
        edge.config["calls"] = LOOP_SHARE
        names = [arch.edges[i].source for i in cycle]
        closed.append((edge, " -> ".join(names + [names[0]])))


def _endless_cycle(arch: Architecture) -> list[int] | None:
    """The edge indexes of one loop whose edges all fire on every request, or None."""
    graph = trigger_graph(arch)
    certain = nx.MultiDiGraph()
    certain.add_nodes_from(graph.nodes)
    certain.add_edges_from((u, v, k) for u, v, k, d in graph.edges(keys=True, data=True)
                           if _fires_always(d["config"]))
    try:
        return [key for _, _, key in nx.find_cycle(certain)]
    except nx.NetworkXNoCycle:
        return None


def _fires_always(config: dict) -> bool:
    calls = config.get("calls", 1)
    return not isinstance(calls, (int, float)) or isinstance(calls, bool) or calls >= 1


def _closing_edge(arch: Architecture, cycle: list[int]) -> Edge:
    """The call that goes back: among the loop's caller edges (else all its edges), the
    one whose target sits furthest left in the layout (nearest the entry), the later of
    two in file order."""
    edges = [arch.edges[i] for i in cycle]
    callers = [e for e in edges if arch.edge_kind(e) in CALLER_KINDS] or edges
    layer = layers(arch)
    return min(reversed(callers), key=lambda e: layer.get(e.target, 0))
