"""Automatic layout: layered, left to right along the flow of events.

Used by the designer's Auto-Layout action and by the importers, so that any design gets a
readable picture: each node sits one column right of its furthest upstream node, and
nodes within a column are ordered to keep edges short (a few barycentre sweeps, the
classic Sugiyama heuristic), so edges rarely cross.
"""

from __future__ import annotations

from .architecture import Architecture
from .graph import layers

COLUMN_STEP = 240.0  # card width (~170) plus room for edge labels
ROW_STEP = 120.0
ORIGIN = (40.0, 40.0)
SWEEPS = 4


def layered_layout(arch: Architecture) -> dict[str, tuple[float, float]]:
    """Positions for every node: no two nodes overlap."""
    if not arch.nodes:
        return {}
    layer_of = layers(arch)
    columns: dict[int, list[str]] = {}
    for node_id in arch.nodes:  # file order gives a stable first ordering
        columns.setdefault(layer_of[node_id], []).append(node_id)
    neighbours = _neighbours(arch)
    for sweep in range(SWEEPS):
        order = sorted(columns) if sweep % 2 == 0 else sorted(columns, reverse=True)
        for col in order:
            position = {n: i for c in columns.values() for i, n in enumerate(c)}
            columns[col].sort(key=lambda n: _barycentre(n, neighbours, position, layer_of, col))
    tallest = max(len(c) for c in columns.values())
    positions = {}
    for col, members in columns.items():
        offset = (tallest - len(members)) * ROW_STEP / 2  # centre short columns
        for row, node_id in enumerate(members):
            positions[node_id] = (ORIGIN[0] + col * COLUMN_STEP, ORIGIN[1] + offset + row * ROW_STEP)
    return positions


def _neighbours(arch: Architecture) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {n: [] for n in arch.nodes}
    for edge in arch.edges:
        if edge.source in out and edge.target in out and edge.source != edge.target:
            out[edge.source].append(edge.target)
            out[edge.target].append(edge.source)
    return out


def _barycentre(node_id, neighbours, position, layer_of, col) -> float:
    adjacent = [position[n] for n in neighbours[node_id] if layer_of[n] != col]
    if not adjacent:
        return float(position[node_id])
    return sum(adjacent) / len(adjacent)
