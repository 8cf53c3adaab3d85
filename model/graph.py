"""networkx views of a design, for analysis (loops, layering, dependency order)."""

from __future__ import annotations

import networkx as nx

from .architecture import Architecture
from .catalogue import edge_rule


def to_networkx(arch: Architecture) -> nx.MultiDiGraph:
    """Nodes carry `service` and `config` (effective); edges carry `kind`, `rule`, `config`.

    Edges whose ends are missing or whose pair the catalogue forbids are left out: the
    validator reports them, and analyses should not trip over them.
    """
    graph = nx.MultiDiGraph(name=arch.name)
    for node in arch.nodes.values():
        graph.add_node(node.id, service=node.service, config=node.effective_config())
    for index, edge in enumerate(arch.edges):
        src, dst = arch.nodes.get(edge.source), arch.nodes.get(edge.target)
        rule = edge_rule(src.service, dst.service, edge.kind) if src and dst else None
        if rule is None:
            continue
        graph.add_edge(edge.source, edge.target, key=index, kind=rule.kind, rule=rule,
                       config=edge.config, index=index)
    return graph


def trigger_graph(arch: Architecture) -> nx.MultiDiGraph:
    """Only the edges that make their target run or deliver (a read does not)."""
    full = to_networkx(arch)
    triggering = nx.MultiDiGraph()
    triggering.add_nodes_from(full.nodes(data=True))
    for u, v, key, data in full.edges(keys=True, data=True):
        if data["rule"].is_triggering(data["config"]):
            triggering.add_edge(u, v, key=key, **data)
    return triggering


def layers(arch: Architecture) -> dict[str, int]:
    """Layer of each node for a left-to-right layout: the longest path from a source.

    Cycles are broken so that events keep flowing rightwards: triggering edges are laid
    first (the back edges of a depth-first search dropped), then the other edges (a
    function reading the bucket that triggered it) only where they close no cycle.
    """
    full = to_networkx(arch)
    dag = nx.DiGraph()
    dag.add_nodes_from(arch.nodes)
    triggering = [(u, v) for u, v, d in full.edges(data=True) if d["rule"].is_triggering(d["config"])]
    passive = [(u, v) for u, v, d in full.edges(data=True) if not d["rule"].is_triggering(d["config"])]
    for u, v in triggering + passive:
        if u != v and not dag.has_edge(u, v) and not (v in dag and nx.has_path(dag, v, u)):
            dag.add_edge(u, v)
    layer = {}
    for node in nx.topological_sort(dag):
        preds = list(dag.predecessors(node))
        layer[node] = 1 + max(layer[p] for p in preds) if preds else 0
    return layer
