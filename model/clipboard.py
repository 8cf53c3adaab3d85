"""Copy, paste and duplicate on the model, without Qt.

What is copied: the chosen nodes and only the edges between two of them, written as a
design file (YAML). The clipboard then holds text a user could save and open, and another
Stratus window can paste it.

What a paste makes: every node gets an id the target design does not use yet
(`create_order` becomes `create_order_2`; `create_order_2` pasted again becomes
`create_order_3`, not `create_order_2_2`), edges follow their renamed ends, and positions
move by an offset so the copies do not hide their originals (each paste of one copy a
step further: `paste_offset`), then `snap` puts them on the canvas grid.

Nothing here changes the design: the designer pushes the result as one undoable
command, and talking to the system clipboard is its business too.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable, Iterable

from .architecture import Architecture, Edge, Node
from .designfile import dump_design, loads_design
from .errors import StratusError

DUPLICATE_OFFSET = (40.0, 40.0)  # where a duplicate lands, relative to its original
PASTE_STEP = 24.0  # each paste of the same copy lands this much further down-right, as in draw.io


def paste_offset(times_pasted: int) -> tuple[float, float]:
    """Where the n-th paste of one copy lands, relative to the copied nodes."""
    step = PASTE_STEP * times_pasted
    return (step, step)


def as_placed(coordinate: float) -> float:
    """No grid: a pasted position stays where the offset puts it."""
    return coordinate


@dataclass(frozen=True)
class Pasted:
    """The nodes and edges a paste adds, with their new ids (nothing when the text held no design)."""

    nodes: tuple[Node, ...] = ()
    edges: tuple[Edge, ...] = ()

    @property
    def node_ids(self) -> list[str]:
        return [node.id for node in self.nodes]


def copy_nodes(arch: Architecture, node_ids: Iterable[str]) -> str:
    """These nodes (in the order given) and the edges among them, as design-file YAML;
    "" when no node is chosen."""
    node_ids = [n for n in node_ids if n in arch.nodes]
    if not node_ids:
        return ""
    chosen = set(node_ids)
    part = Architecture(arch.name, arch.region)
    part.nodes = {n: copy.deepcopy(arch.nodes[n]) for n in node_ids}
    part.edges = [copy.deepcopy(e) for e in arch.edges if e.source in chosen and e.target in chosen]
    return dump_design(part)


def paste_nodes(arch: Architecture, text: str, offset: tuple[float, float] = (0.0, 0.0),
                snap: Callable[[float], float] = as_placed) -> Pasted:
    """What pasting copied YAML into `arch` would add: its nodes under fresh ids, moved by
    `offset` and snapped, and its edges between them. Text that is not a design (any
    clipboard content may arrive here) pastes nothing."""
    try:
        part = loads_design(text, "clipboard")
    except (StratusError, ValueError, TypeError):
        return Pasted()
    dx, dy = offset
    renamed: dict[str, str] = {}
    taken = set(arch.nodes)
    nodes = []
    for node in part.nodes.values():
        new_id = fresh_id(node.id, taken)
        taken.add(new_id)
        renamed[node.id] = new_id
        x, y = node.at if node.at is not None else (0.0, 0.0)
        nodes.append(Node(new_id, node.service, node.config, node.label, (snap(x + dx), snap(y + dy)), node.extra))
    edges = [Edge(renamed[e.source], renamed[e.target], e.config, e.kind, e.extra)
             for e in part.edges if e.source in renamed and e.target in renamed]
    return Pasted(tuple(nodes), tuple(edges))


def duplicate_nodes(arch: Architecture, node_ids: Iterable[str], offset: tuple[float, float] = DUPLICATE_OFFSET,
                    snap: Callable[[float], float] = as_placed) -> Pasted:
    """A copy of these nodes and the edges among them, pasted at `offset` from the originals.
    (Through the same YAML as copy and paste, so a duplicate is exactly what a paste gives.)"""
    text = copy_nodes(arch, node_ids)
    return paste_nodes(arch, text, offset, snap) if text else Pasted()


def fresh_id(base: str, taken: set[str]) -> str:
    """`base` itself if free, else the first free `stem_N` from 2 on (a trailing `_N` of
    `base` is the counter, not part of the stem)."""
    if base not in taken:
        return base
    stem = base
    head, _, tail = base.rpartition("_")
    if head and tail.isdigit():
        stem = head
    n = 2
    while f"{stem}_{n}" in taken:
        n += 1
    return f"{stem}_{n}"
