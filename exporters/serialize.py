"""Plain dict -> bytes with stable ordering: YAML/JSON for CloudFormation, HCL for Terraform.

The renderers build plain dicts in a deterministic order (the design's order, then fixed
role order), so the serialisers keep insertion order for documents (readable templates)
and sort only where order carries no meaning (JSON policy/definition strings). Same design,
same bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import yaml


# libyaml's emitter when present (4x faster on big templates); both write the same bytes.
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[misc, valid-type]
    """Safe dumper that never writes aliases (a template repeats small dicts on purpose)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str_representer(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def to_yaml(document: dict) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=100)


def to_json(document: Any, indent: int | None = 2) -> str:
    """JSON for whole documents: insertion order, as the renderer built it."""
    return json.dumps(document, indent=indent, ensure_ascii=False) + ("\n" if indent else "")


def compact_json(value: Any) -> str:
    """JSON embedded in a template (a policy, an event pattern): keys sorted."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# --------------------------------------------------------------------------------------
# HCL (Terraform). A tiny document model: blocks with attributes, nested blocks, comments.


class Expr(str):
    """A raw HCL expression written as is (a reference, a function call), not a string."""


@dataclass
class Block:
    """`type "label" "label" { ... }`: attributes in insertion order, then nested blocks.

    body values: str (quoted), Expr (raw), int/float/bool, list, dict (an object
    attribute), or Block/list[Block] (nested blocks, written after the attributes in
    the order added). comments go first inside the block (checkov skips live there).
    """

    type: str
    labels: tuple[str, ...] = ()
    body: dict[str, Any] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)


def to_hcl(blocks: list[Block]) -> str:
    return "\n".join(_block(b, 0) for b in blocks)


def _block(block: Block, depth: int) -> str:
    pad = "  " * depth
    labels = "".join(f" {_quote(label)}" for label in block.labels)
    lines = [f"{pad}{block.type}{labels} {{"]
    lines += [f"{pad}  #{c}" for c in block.comments]
    nested: list[Block] = []
    attrs = [(k, v) for k, v in block.body.items()]
    width = max((len(k) for k, v in attrs if not _is_blocks(v)), default=0)
    for key, value in attrs:
        if _is_blocks(value):
            nested += value if isinstance(value, list) else [value]
            continue
        lines.append(f"{pad}  {key.ljust(width)} = {_value(value, depth + 1)}")
    for child in nested:
        lines.append(_block(child, depth + 1))
    lines.append(f"{pad}}}")
    return "\n".join(lines) + ("\n" if depth == 0 else "")


def _is_blocks(value: Any) -> bool:
    return isinstance(value, Block) or (isinstance(value, list) and bool(value)
                                        and all(isinstance(v, Block) for v in value))


def _value(value: Any, depth: int) -> str:
    if isinstance(value, Expr):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, str):
        return _quote(value)
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ", ".join(_value(v, depth) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        pad = "  " * depth
        inner = "\n".join(f"{pad}  {_key(k)} = {_value(v, depth + 1)}" for k, v in value.items())
        return "{\n" + inner + f"\n{pad}}}"
    raise TypeError(f"cannot write {type(value).__name__} as HCL")


def hcl_value(value: Any, depth: int = 0) -> str:
    """One HCL value (an expression argument, e.g. inside jsonencode(...))."""
    return _value(value, depth)


def _key(key: str) -> str:
    return key if key.replace("_", "a").isalnum() and not key[0].isdigit() else _quote(key)


def _quote(text: str) -> str:
    """An HCL string literal: JSON escaping, plus template sequences kept literal."""
    return json.dumps(text, ensure_ascii=False).replace("${", "$${").replace("%{", "%%{")
