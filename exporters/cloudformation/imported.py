"""What a design holds from a CloudFormation import, read for the exporter: the resources
kept under `extras` and the logical ids the nodes were imported from. The template
(template.py) reserves these names before naming anything; kept.py writes the resources."""

from __future__ import annotations

import re

from model.architecture import Architecture

LOGICAL_ID = re.compile(r"^[A-Za-z0-9]+$")


def kept_resources(arch: Architecture) -> list[dict]:
    """The CloudFormation extras of a design (each with a logical id and a type)."""
    return [e for e in arch.extra.get("extras") or []
            if isinstance(e, dict) and isinstance(e.get("logical_id"), str) and isinstance(e.get("type"), str)]


def kept_logical_ids(arch: Architecture, taken: tuple[str, ...]) -> dict[str, str]:
    """Kept resource's logical id -> its logical id in the export: the same, unless the
    exporter's own parameters take it (a resource named `Stage` becomes `StageResource`)."""
    out = {}
    for extra in kept_resources(arch):
        name = extra["logical_id"]
        candidate, n = name, 1
        while candidate in taken:
            candidate, n = f"{name}Resource{n if n > 1 else ''}", n + 1
        out[name] = candidate
    return out


def imported_logical_ids(arch: Architecture) -> dict[str, str]:
    """node id -> the logical id it was imported from, where that is a valid one."""
    out = {}
    for node_id, node in arch.nodes.items():
        cfn = node.extra.get("cfn")
        logical_id = cfn.get("logical_id") if isinstance(cfn, dict) else None
        if isinstance(logical_id, str) and LOGICAL_ID.match(logical_id):
            out[node_id] = logical_id
    return out
