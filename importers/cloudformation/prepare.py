"""Template preparation, before any resource is read: the Resources section checked (every
resource typed; references that go round noted, or refused where CloudFormation refuses
them), SAM Globals merged under each resource's own properties, and the template sections
a design keeps (the exporters declare again the Parameters, Conditions and Mappings that
kept resources use). Conditions are evaluated, and properties resolved, by
`state.TemplateImport`.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import networkx as nx

from importers.base import as_list
from importers.cloudformation.intrinsics import references
from importers.cloudformation.types import GLOBALS_SECTIONS
from model.errors import StratusError


def checked_resources(template: dict, path: str) -> dict:
    """The template's Resources, refused clearly when empty or untyped."""
    resources = template.get("Resources")
    if not isinstance(resources, dict) or not resources:
        raise StratusError(f"{path}: the Resources section is empty or missing: nothing to import")
    bad = [k for k, v in resources.items() if not isinstance(v, dict) or not isinstance(v.get("Type"), str)]
    if bad:
        raise StratusError(f"{path}: resource{'s' if len(bad) > 1 else ''} {', '.join(map(str, bad))} "
                           "has no Type")
    return resources


def circular_references(template: dict, path: str) -> list[str]:
    """What the import should say about references that go round: a resource whose
    properties refer to itself, and (in a SAM template) a cycle between resources. Neither
    stops the import (references are kept as tokens, never followed). A cycle in a plain
    CloudFormation template is refused: CloudFormation refuses it too, while SAM's transform
    splits resources (a GraphQL API's resolvers, a function's event sources) and can break it."""
    resources = template["Resources"]
    graph = nx.DiGraph()
    found = []
    for key, resource in resources.items():
        graph.add_node(key)
        properties = _dependency_properties(resource)
        depends_on = set(as_list(resource.get("DependsOn")))
        if key in depends_on:
            raise StratusError(f"{path}: resource {key} depends on itself (DependsOn)")
        if key in references(properties):
            found.append(f"{key} refers to itself in its properties; the reference is kept as written")
        deps = references(properties) | depends_on
        graph.add_edges_from((key, d) for d in deps if d in resources and d != key)
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return found
    chain = " -> ".join([u for u, _ in cycle] + [cycle[0][0]])
    if not is_sam(template):
        raise StratusError(f"{path}: circular reference between resources: {chain}")
    return found + [f"circular reference between resources: {chain} (SAM's transform may split it; "
                    "the references are kept as written)"]


def is_sam(template: dict) -> bool:
    return any(str(t).startswith("AWS::Serverless") for t in as_list(template.get("Transform")))


def source_extra(template: dict, path: str) -> dict:
    """What the design keeps of the template's own sections (`imported_from`)."""
    keep = {"format": "cloudformation", "file": os.path.basename(path)}
    for section in ("Description", "Transform", "Parameters", "Conditions", "Mappings", "Globals", "Outputs"):
        if section in template:
            keep[section.lower()] = copy.deepcopy(template[section])
    return keep


def with_globals(resource: dict, globals_: dict) -> dict:
    """SAM Globals merged under a resource's own properties (its own values win)."""
    section = GLOBALS_SECTIONS.get(resource.get("Type"))
    defaults = globals_.get(section) if section else None
    if not isinstance(defaults, dict):
        return resource
    merged = copy.deepcopy(resource)
    merged["Properties"] = _merge(copy.deepcopy(defaults), resource.get("Properties") or {})
    return merged


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, dict) and isinstance(override, dict) and not any(k.startswith("Fn::") or k == "Ref" for k in override):
        out = dict(base)
        for k, v in override.items():
            out[k] = _merge(base.get(k), v) if k in base else v
        return out
    if isinstance(base, list) and isinstance(override, list):
        return base + override
    return override


def _dependency_properties(resource: dict) -> dict:
    """The properties a resource depends on. SAM turns a function's (or state machine's)
    Events into resources of their own (permissions, mappings, rules), so an API whose
    OpenAPI definition names the function while the function's Api event names the API
    is no cycle."""
    properties = resource.get("Properties") or {}
    if resource.get("Type") in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine") \
            and isinstance(properties, dict) and "Events" in properties:
        return {k: v for k, v in properties.items() if k != "Events"}
    return properties
