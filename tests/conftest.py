"""Shared test set-up: Qt offscreen, paths to the examples and the shared corpus."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES_DIR = ROOT / "assets" / "examples"
# The shared corpus of real templates: ../shared/corpus beside the project, or wherever
# STRATUS_CORPUS_DIR points (a missing folder there shows which tests need the corpus).
CORPUS_DIR = Path(os.environ.get("STRATUS_CORPUS_DIR") or ROOT.parent / "shared" / "corpus")


def _corpus_missing(path: Path) -> str:
    return (f"the shared corpus is not present ({path} is missing); it is ../shared/corpus beside "
            "the project, or where STRATUS_CORPUS_DIR points")


def requires_corpus(*parts: str) -> pytest.MarkDecorator:
    """A mark (for a test, or a module's `pytestmark`) that skips, saying why, when
    CORPUS_DIR/parts is not there. A mark rather than a skip inside the test, because
    parametrized tests read their parameters from the corpus when they are collected."""
    path = CORPUS_DIR.joinpath(*parts)
    return pytest.mark.skipif(not path.exists(), reason=_corpus_missing(path))


def example_paths() -> list[Path]:
    return sorted(EXAMPLES_DIR.glob("*.yaml"))


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES_DIR


# Starts `python ARGS...` with SIGINT at its default action and not blocked, as a shell in a
# terminal would. It is an exec, not a preexec_fn: moto's server runs threads in this process,
# and preexec_fn is not safe with threads. (A Python handler, unlike SIG_IGN, resets to the
# default action across exec, and the exec'd interpreter installs its KeyboardInterrupt one.)
WITH_DEFAULT_SIGINT = (
    "import os, signal, sys; "
    "signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT}); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
)
