"""Shared GUI fixtures (offscreen Qt). Append new fixtures; don't change existing ones."""

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from model.architecture import Architecture, Edge, Node, Scenario, Load  # noqa: E402


def build_small_design() -> Architecture:
    """API -> Lambda -> table, a queue feeding a second function, a bucket: enough for
    allowed and forbidden connections, built in code so example edits don't break tests."""
    arch = Architecture("Canvas test", "us-east-1")
    for node in (
        Node("api", "api_gateway", {"throttle_rate_rps": 500}, label="Public API", at=(40.0, 40.0)),
        Node("handler", "lambda", {"memory_mb": 512}, at=(280.0, 40.0)),
        Node("orders", "dynamodb", {}, at=(520.0, 40.0)),
        Node("queue", "sqs", {}, at=(280.0, 200.0)),
        Node("worker", "lambda", {}, at=(520.0, 200.0)),
        Node("bucket", "s3", {}, at=(40.0, 360.0)),
    ):
        arch.nodes[node.id] = node
    arch.edges += [
        Edge("api", "handler"),
        Edge("handler", "orders", {"action": "write"}),
        Edge("queue", "worker", {"batch_size": 10}),
    ]
    arch.scenarios.append(Scenario("base", 60, 1, [Load("api", "poisson", {"rate_rps": 10})]))
    return arch


@pytest.fixture
def design() -> Architecture:
    return build_small_design()


@pytest.fixture
def undo_stack(qtbot):
    """A stack without a parent, deleted when the test ends, with its commands, while what
    they refer to is still alive. Left to Python's garbage collector, the stack and its
    commands could be freed in either order, and a later test would crash in
    QUndoStack::clear (it did, in CI)."""
    import shiboken6
    from PySide6.QtGui import QUndoStack

    stack = QUndoStack()
    yield stack
    shiboken6.delete(stack)


@pytest.fixture
def canvas(qtbot, design, undo_stack):
    """(scene, view) showing `design`, 1000x700, at 100 % zoom with the origin visible."""
    from designer.canvas import CanvasView, DiagramScene

    scene = DiagramScene(design, undo_stack)
    view = CanvasView(scene)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    qtbot.waitExposed(view)
    view.centerOn(450, 250)
    yield scene, view
    scene.detach()


# -- main window fixtures (test_window, test_inspector, test_files) -------------------


class FakePrompter:
    """Answers the document's questions without modal dialogs, and records them."""

    def __init__(self) -> None:
        self.save_answer = "discard"
        self.recover_answer = True
        self.open_answer = None
        self.save_as_answer = None
        self.asked: list[tuple] = []
        self.errors: list[tuple[str, str]] = []

    def ask_save_changes(self, parent, name):
        self.asked.append(("save_changes", name))
        return self.save_answer

    def ask_recover(self, parent, document, saved_at):
        self.asked.append(("recover", document))
        return self.recover_answer

    def error(self, parent, title, text):
        self.errors.append((title, text))

    def open_path(self, parent, directory):
        return self.open_answer

    def save_path(self, parent, suggested):
        return self.save_as_answer


@pytest.fixture
def prompter() -> FakePrompter:
    return FakePrompter()


@pytest.fixture
def autosave_dir(tmp_path, monkeypatch):
    folder = tmp_path / "recovery"
    monkeypatch.setenv("STRATUS_AUTOSAVE_DIR", str(folder))
    return folder


@pytest.fixture
def make_window(qtbot, tmp_path, prompter, autosave_dir):
    """Build MainWindows with throwaway settings and the fake prompter."""
    from PySide6.QtCore import QSettings

    from designer.main_window import MainWindow

    windows = []

    def make(arch=None, path=None, autosave_interval_s=3600):
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)
        window = MainWindow(settings=settings, prompter=prompter, autosave_interval_s=autosave_interval_s)
        qtbot.addWidget(window)
        if arch is not None:
            window.documents.show_design(arch, path)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.undo_stack.setClean()  # no prompt while the fixture closes it
        window.close()


@pytest.fixture
def window(make_window, design):
    """A main window showing the small test design (never saved)."""
    win = make_window(design)
    win.run_validation()
    return win


@pytest.fixture
def active(window, qtbot):
    """The small test design in a shown, active main window: shortcuts and key events need
    one, as a user's window is."""
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    return window
