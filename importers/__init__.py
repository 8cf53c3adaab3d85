"""Importers: existing infrastructure -> a Stratus design.

`import_template(path)` reads a CloudFormation/SAM template (JSON or YAML) or a Terraform
folder or file; the format readers live in `cloudformation/` and `terraform/`, and what they
share (the graph builder, the report, value tokens for what is unknown offline) in `base`.
"""

from __future__ import annotations

import os
import re

from importers.base import MAX_TEMPLATE_BYTES, ImportResult, format_report
from importers.cloudformation.read import import_cloudformation
from importers.terraform.read import import_terraform
from model.errors import StratusError

__all__ = ["ImportResult", "format_report", "import_template"]


def import_template(path: str | os.PathLike) -> ImportResult:
    """Import a CloudFormation/SAM template (JSON or YAML) or a Terraform folder/file."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise StratusError(f"{path}: no such file or folder")
    if os.path.isdir(path):
        if any(name.endswith(".tf") for name in os.listdir(path)):
            return import_terraform(path)
        templates = [n for n in sorted(os.listdir(path)) if n.endswith((".yaml", ".yml", ".json", ".template"))
                     and _looks_like_cloudformation(os.path.join(path, n))]
        if len(templates) == 1:
            return import_cloudformation(os.path.join(path, templates[0]))
        if templates:
            raise StratusError(f"{path}: holds several templates ({', '.join(templates)}); name one")
        raise StratusError(f"{path}: no Terraform (.tf) files and no CloudFormation template in this folder")
    if path.endswith(".tf"):
        return import_terraform(path)
    if _looks_like_cloudformation(path):
        return import_cloudformation(path)
    raise StratusError(f"{path}: not a CloudFormation/SAM template (no AWSTemplateFormatVersion, "
                       "Resources or Transform) and not a Terraform .tf file")


def _looks_like_cloudformation(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(MAX_TEMPLATE_BYTES).decode("utf-8", "replace")
    except OSError:
        return False
    return bool(re.search(r'^\s*"?(AWSTemplateFormatVersion|Resources|Transform)"?\s*:', head, re.M))
