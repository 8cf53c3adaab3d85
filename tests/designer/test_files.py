"""Files: save/open round trip, recent files, unsaved-changes prompt, autosave recovery."""

import os
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF

from designer.documents import MAX_RECENT, pending_recoveries
from designer.gallery import GalleryDialog
from model.designfile import dump_design, load_design, save_design

pytestmark = pytest.mark.gui


def test_save_as_then_open_round_trip(window, make_window, prompter, tmp_path):
    window.select(("node", "handler"))
    window.inspector.form.rows.editors["memory_mb"].spin.setValue(2048)
    target = tmp_path / "saved.yaml"
    prompter.save_as_answer = str(target)
    assert window.documents.save()  # never saved: Save asks where
    assert not window.isWindowModified()
    assert "saved.yaml" in window.windowTitle()
    assert load_design(target).nodes["handler"].config["memory_mb"] == 2048
    other = make_window()
    assert other.open_path(str(target))
    assert dump_design(other.arch) == dump_design(window.arch)
    assert other.documents.path == str(target.resolve())
    assert not other.isWindowModified()


def test_save_writes_to_the_same_file(window, prompter, tmp_path):
    target = tmp_path / "d.yaml"
    prompter.save_as_answer = str(target)
    window.documents.save_as()
    window.scene.add_service_at("sns", QPointF(600, 300))
    prompter.save_as_answer = None  # a second Save must not ask
    assert window.documents.save()
    assert any(n.service == "sns" for n in load_design(target).nodes.values())


def test_recent_files_newest_first_capped_and_pruned(make_window, design, tmp_path):
    window = make_window()
    paths = []
    for i in range(MAX_RECENT + 2):
        path = tmp_path / f"d{i}.yaml"
        save_design(design, path)
        paths.append(path)
        window.documents.load(str(path))
    recent = window.documents.recent_files()
    assert len(recent) == MAX_RECENT
    assert recent[0] == str(paths[-1].resolve())
    paths[-1].unlink()
    assert str(paths[-1].resolve()) not in window.documents.recent_files()
    window._fill_recent_menu()
    names = [a.text() for a in window.recent_menu.actions()]
    assert any(paths[-2].name in n for n in names)


def test_opening_a_bad_file_shows_an_error_not_a_traceback(window, prompter, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("stratus: 1\nnodes: [\n")
    before = dump_design(window.arch)
    assert not window.open_path(str(bad))
    assert len(prompter.errors) == 1
    title, text = prompter.errors[0]
    assert "bad.yaml" in text and "Cannot open" in title
    assert dump_design(window.arch) == before  # the open design is untouched


def test_unsaved_prompt_on_close(make_window, design, prompter, tmp_path):
    window = make_window(design)
    window.show()
    window.scene.add_service_at("sqs", QPointF(500, 500))
    prompter.save_answer = "cancel"
    assert not window.close()
    assert window.isVisible()
    assert prompter.asked[-1][0] == "save_changes"
    target = tmp_path / "closed.yaml"
    prompter.save_answer, prompter.save_as_answer = "save", str(target)
    assert window.close()
    assert target.exists()


def test_no_prompt_when_unmodified(make_window, design, prompter):
    window = make_window(design)
    window.show()
    assert window.close()
    assert prompter.asked == []


def test_new_asks_about_unsaved_changes(window, prompter):
    window.scene.add_service_at("sqs", QPointF(500, 500))
    prompter.save_answer = "cancel"
    assert not window.documents.new()
    assert window.arch.nodes
    prompter.save_answer = "discard"
    assert window.documents.new()
    assert not window.arch.nodes and not window.isWindowModified()


def test_autosave_then_recovery_in_a_new_window(make_window, design, prompter, autosave_dir, tmp_path):
    doc = tmp_path / "doc.yaml"
    save_design(design, doc)
    old = os.stat(doc).st_mtime - 10
    os.utime(doc, (old, old))  # the document predates the autosave
    crashed = make_window(autosave_interval_s=0.05)
    crashed.documents.load(str(doc))
    crashed.scene.add_service_at("kinesis", QPointF(600, 300))
    edited = dump_design(crashed.arch)
    recovery = crashed.documents.recovery_path()
    deadline = time.monotonic() + 3
    while not recovery.exists() and time.monotonic() < deadline:
        from PySide6.QtWidgets import QApplication

        QApplication.processEvents()
    assert recovery.exists(), "the autosave timer wrote no recovery file"
    crashed.documents.autosave_timer.stop()
    crashed.documents._recovery_file = None  # simulate the crash: nobody cleans up
    [found] = pending_recoveries()
    assert found.document == str(doc.resolve())

    fresh = make_window()
    prompter.recover_answer = True
    assert fresh.documents.offer_recovery()
    assert ("recover", "doc.yaml") in prompter.asked
    assert dump_design(fresh.arch) == edited
    assert fresh.isWindowModified()  # recovered changes are unsaved
    assert fresh.documents.path == str(doc.resolve())
    fresh.documents.save()
    assert not recovery.exists()  # a save removes the recovery file


def test_declined_recovery_is_deleted(make_window, prompter, autosave_dir, design):
    crashed = make_window(design)
    crashed.scene.add_service_at("sqs", QPointF(600, 300))
    path = crashed.documents.autosave_now()
    assert path is not None and path.exists()
    crashed.documents._recovery_file = None
    prompter.recover_answer = False
    fresh = make_window()
    assert not fresh.documents.offer_recovery()
    assert not path.exists()
    assert not fresh.arch.nodes


def test_clean_close_removes_the_recovery_file(make_window, prompter, design):
    window = make_window(design)
    window.show()
    window.scene.add_service_at("sqs", QPointF(600, 300))
    path = window.documents.autosave_now()
    assert path.exists()
    prompter.save_answer = "discard"
    assert window.close()
    assert not path.exists()
    assert pending_recoveries() == []


def test_unmodified_document_is_not_autosaved(window):
    assert window.documents.autosave_now() is None


def test_gallery_lists_examples_with_thumbnails(qtbot, examples_dir):
    dialog = GalleryDialog(examples_dir)
    qtbot.addWidget(dialog)
    assert dialog.list.count() == len(list(Path(examples_dir).glob("*.yaml")))
    item = dialog.list.item(0)
    pixmap = item.icon().pixmap(260, 160)
    image = pixmap.toImage()
    colours = {image.pixel(x, y) for x in range(0, image.width(), 5) for y in range(0, image.height(), 5)}
    assert len(colours) > 10  # a drawing, not an empty tile
    assert dialog.selected_path().suffix == ".yaml"
    assert dialog.description.text()


def test_new_from_example_is_an_unsaved_copy(window, examples_dir):
    example = sorted(Path(examples_dir).glob("*.yaml"))[0]
    assert window.documents.new_from(str(example))
    assert window.documents.path is None
    assert dump_design(window.arch) == dump_design(load_design(example))


def test_the_real_error_dialog_appears_for_a_bad_file(qtbot, tmp_path, autosave_dir):
    """Without the fake prompter: a modal message box names the file (closed by a timer)."""
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from designer.main_window import MainWindow

    bad = tmp_path / "broken.yaml"
    bad.write_bytes(b"\x00\x01binary")
    window = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    qtbot.addWidget(window)
    seen = []

    def close_dialog():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.done(0)
        else:
            QTimer.singleShot(20, close_dialog)

    QTimer.singleShot(20, close_dialog)
    assert not window.documents.load(str(bad))
    assert seen and "broken.yaml" in seen[0]
