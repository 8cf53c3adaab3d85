"""How panels name a node: its label, with its id where the label alone would not do.

The canvas shows labels, so panels use them too; the id is added where it is needed to
tell nodes apart (two nodes labelled alike) or to match what a message or a file says
(`with_id`)."""

from __future__ import annotations

from model.architecture import Architecture


def node_name(arch: Architecture, node_id: str, with_id: bool = False) -> str:
    """'Create order' (or 'Create order (create_order)'); the id for an unlabelled or
    unknown node."""
    node = arch.nodes.get(node_id)
    if node is None or not node.label or node.label == node_id:
        return node_id
    if with_id or _label_is_ambiguous(arch, node_id, node.label):
        return f"{node.label} ({node_id})"
    return node.label


def _label_is_ambiguous(arch: Architecture, node_id: str, label: str) -> bool:
    return any(other.display_name == label for key, other in arch.nodes.items() if key != node_id)
