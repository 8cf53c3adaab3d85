"""The wheel holds the whole product: every package, every file under assets/, and the
`stratus` command. Built once here from a clean copy of the source (scripts/build_wheel.py),
so a new package or a new kind of asset left out of pyproject.toml fails this test rather
than an installed copy. `make test-wheel` installs the wheel and runs it.
"""

from __future__ import annotations

import configparser
import subprocess
import sys
import zipfile

import pytest

from tests.conftest import ROOT

NOT_SHIPPED = {"tests"}  # packages of the source tree that are not part of the product


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_wheel.py"), str(out)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    with zipfile.ZipFile(built.stdout.strip()) as archive:
        yield archive


def source_files(folder: str, pattern: str = "*") -> set[str]:
    """Files under ROOT/folder as the wheel names them (posix, relative to ROOT), bytecode aside."""
    return {path.relative_to(ROOT).as_posix() for path in (ROOT / folder).rglob(pattern)
            if path.is_file() and "__pycache__" not in path.parts}


def test_every_file_under_assets_ships(wheel):
    missing = source_files("assets") - set(wheel.namelist())
    assert not missing, f"not in the wheel (widen [tool.setuptools.package-data] assets): {sorted(missing)}"


def test_every_package_ships(wheel):
    packages = {init.parent.name for init in ROOT.glob("*/__init__.py")} - NOT_SHIPPED
    assert {"model", "simulation", "exporters", "importers", "designer", "cli", "assets"} <= packages
    modules = set().union(*(source_files(package, "*.py") for package in packages)) | {"main.py"}
    missing = modules - set(wheel.namelist())
    assert not missing, f"not in the wheel (see [tool.setuptools.packages.find]): {sorted(missing)}"


def test_the_wheel_ships_no_bytecode_or_tests(wheel):
    stray = [name for name in wheel.namelist()
             if name.endswith(".pyc") or "__pycache__" in name or name.startswith("tests/")]
    assert not stray


def test_the_stratus_command_runs_main(wheel):
    [entry_points] = [name for name in wheel.namelist() if name.endswith(".dist-info/entry_points.txt")]
    config = configparser.ConfigParser()
    config.read_string(wheel.read(entry_points).decode())
    assert config["console_scripts"]["stratus"] == "main:main"
