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
    """Layer of each node for a left-to-right layout: longest path from a source,
    with cycles broken (the back edges of a depth-first search are ignored)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(arch.nodes)
    graph.add_edges_from((e.source, e.target) for e in arch.edges
                         if e.source in arch.nodes and e.target in arch.nodes and e.source != e.target)
    dag = nx.DiGraph(graph)
    for u, v, kind in nx.dfs_labeled_edges(graph):
        if kind == "nontree" and u != v and nx.has_path(dag, v, u):
            dag.remove_edge(u, v)
    while not nx.is_directed_acyclic_graph(dag):  # defensive: any cycle left is broken here
        u, v = nx.find_cycle(dag)[0][:2]
        dag.remove_edge(u, v)
    layer = {}
    for node in nx.topological_sort(dag):
        preds = list(dag.predecessors(node))
        layer[node] = 1 + max(layer[p] for p in preds) if preds else 0
    return layer
