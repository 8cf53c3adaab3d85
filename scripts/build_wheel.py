#!/usr/bin/env python3
"""Build Stratus's wheel from a clean copy of the source tree.

    python scripts/build_wheel.py OUT_DIR      prints the wheel's path

A copy, because setuptools builds in place: it would leave build/ and stratus.egg-info/ in
the source tree, and a stale build/lib/ can put files deleted from the source into the next
wheel. The copy leaves out what is not source (virtual environments, git, caches, earlier
builds). pip builds with the setuptools pyproject.toml asks for, in an isolated environment.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SOURCE = Path(__file__).resolve().parent.parent
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__",
                                    "*.pyc", ".pytest_cache", ".hypothesis", "out")


def build_wheel(out_dir: Path, source: Path = SOURCE) -> Path:
    """Build the wheel into out_dir and return its path; raise RuntimeError with pip's output."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="stratus-src-") as scratch:
        copy = Path(scratch) / "stratus"
        shutil.copytree(source, copy, ignore=NOT_SOURCE)
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                               "--disable-pip-version-check", "--wheel-dir", str(out_dir), str(copy)],
                              capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"building the wheel failed:\n{done.stdout}{done.stderr}")
    wheels = sorted(out_dir.glob("stratus-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one stratus wheel in {out_dir}, found {[w.name for w in wheels]}")
    return wheels[0]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[2].strip())
    try:
        print(build_wheel(Path(sys.argv[1])))
    except RuntimeError as error:
        sys.exit(str(error))
