"""DESIGN.md section 1: model/, simulation/, exporters/ and importers/ never import Qt or designer/."""

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

QT_FREE = ("model", "simulation", "exporters", "importers")
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "designer")


def test_import_linter_contracts_are_kept():
    linter = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def _imported_modules(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_no_qt_import_anywhere_in_qt_free_packages():
    # import-linter sees only imports it can resolve; this sees every import statement,
    # including ones inside functions and ones of packages that are not installed.
    offenders = []
    for package in QT_FREE:
        for path in (ROOT / package).rglob("*.py"):
            for module in _imported_modules(path):
                if module.split(".")[0] in FORBIDDEN:
                    offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_the_scan_would_catch_a_qt_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from PySide6 import QtWidgets\n")
    assert "PySide6" in list(_imported_modules(bad))
