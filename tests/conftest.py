"""Shared test set-up: Qt offscreen, paths to the examples and the shared corpus."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = ROOT / "assets" / "examples"
CORPUS_DIR = ROOT.parent / "shared" / "corpus"


def example_paths() -> list[Path]:
    return sorted(EXAMPLES_DIR.glob("*.yaml"))


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES_DIR
