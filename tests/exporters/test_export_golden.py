"""Golden files: the orders_api example in each format, byte for byte.

The design is a frozen copy of assets/examples/orders_api.yaml (tests/golden/
orders_api.design.yaml), so edits to the example do not move the goldens; only exporter
changes do.

After an intended change to the exporters, regenerate them and review the diff:

    STRATUS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/exporters/test_export_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from exporters.cloudformation import template_text
from exporters.terraform import config_files
from model.designfile import load_design
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden"
EXAMPLE = "orders_api"


def _exports() -> dict[str, str]:
    arch = load_design(GOLDEN / f"{EXAMPLE}.design.yaml")
    out = {f"{EXAMPLE}.cloudformation.yaml": template_text(arch),
           f"{EXAMPLE}.sam.yaml": template_text(arch, sam=True)}
    for name, text in config_files(arch).items():
        out[f"{EXAMPLE}.terraform/{name}"] = text
    return out


@pytest.mark.parametrize("name", sorted(_exports()))
def test_export_matches_golden_file(name):
    produced = _exports()[name]
    path = GOLDEN / name
    if os.environ.get("STRATUS_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(produced, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with STRATUS_UPDATE_GOLDEN=1 to create it"
    expected = Path(path).read_text(encoding="utf-8")
    assert produced == expected, f"{name} differs from its golden file (STRATUS_UPDATE_GOLDEN=1 regenerates it)"
