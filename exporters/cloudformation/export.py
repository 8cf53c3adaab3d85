"""Write a design as a CloudFormation or SAM template file (YAML, or JSON for *.json)."""

from __future__ import annotations

import os

from model.architecture import Architecture
from model.designfile import atomic_write_text

from ..serialize import to_json, to_yaml
from .render import build_template


def template_text(arch: Architecture, sam: bool = False, fmt: str = "yaml",
                  code_path=None) -> str:
    document = build_template(arch, sam=sam, code_path=code_path)
    return to_json(document) if fmt == "json" else to_yaml(document)


def export_template(arch: Architecture, out_path: str, sam: bool = False, design_dir: str | None = None) -> str:
    """Write the template to `out_path`; returns the path written."""
    out_dir = os.path.dirname(os.path.abspath(out_path))
    code_path = _code_path_from(design_dir, out_dir)
    fmt = "json" if out_path.lower().endswith(".json") else "yaml"
    os.makedirs(out_dir, exist_ok=True)
    atomic_write_text(out_path, template_text(arch, sam, fmt, code_path))
    return out_path


def _code_path_from(design_dir: str | None, out_dir: str):
    """`code` is relative to the design file; CodeUri is relative to the template."""
    if design_dir is None:
        return None

    def code_path(code: str) -> str:
        absolute = os.path.normpath(os.path.join(design_dir, code))
        return os.path.relpath(absolute, out_dir).replace(os.sep, "/")

    return code_path
