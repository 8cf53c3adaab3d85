"""The main window: title and modified flag, undo/redo, problems, edit actions, exports."""

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from designer.inspector import NodeForm
from model.designfile import dump_design

pytestmark = pytest.mark.gui


def test_title_names_design_and_file_and_follows_the_undo_stack(window):
    assert window.windowTitle().startswith("Canvas test — unsaved")
    assert not window.isWindowModified()
    window.scene.add_service_at("sqs", QPointF(600, 400))
    assert window.isWindowModified()
    window.undo_stack.undo()
    assert not window.isWindowModified()  # back at the clean state
    window.undo_stack.redo()
    assert window.isWindowModified()
    window.undo_stack.setClean()
    assert not window.isWindowModified()


def test_undo_and_redo_of_every_action_restore_the_model_exactly(window):
    arch, stack = window.arch, window.undo_stack
    states = [dump_design(arch)]
    window.scene.add_service_at("sns", QPointF(700, 300))
    states.append(dump_design(arch))
    window.select(("node", "handler"))
    window.inspector.form.rows.editors["timeout_s"].spin.setValue(30)
    states.append(dump_design(arch))
    window.act_duplicate.trigger()
    states.append(dump_design(arch))
    window.select(("node", "orders"))
    window.act_delete.trigger()
    states.append(dump_design(arch))
    window.act_layout.trigger()
    states.append(dump_design(arch))
    assert len(set(states)) == len(states)  # every action changed something
    for expected in reversed(states[:-1]):
        stack.undo()
        assert dump_design(arch) == expected
    for expected in states[1:]:
        stack.redo()
        assert dump_design(arch) == expected


def test_undo_action_text_names_the_command(window):
    window.scene.add_service_at("s3", QPointF(600, 400))
    assert window.act_undo.isEnabled()
    assert "Add S3" in window.act_undo.text()


def test_selecting_a_node_shows_it_in_the_inspector(window):
    window.scene.select_subject(("node", "worker"))
    assert isinstance(window.inspector.form, NodeForm)
    assert window.inspector.subject == ("node", "worker")
    window.scene.clearSelection()
    assert window.inspector.subject == ("design", None)


def test_validation_is_debounced_and_feeds_the_problems_panel(window, qtbot):
    assert window.problems.list.count() == 0
    window.arch.set_node_config("handler", "memory_mb", 64)  # below Lambda's minimum
    assert window.validation_timer.isActive()
    qtbot.waitUntil(lambda: window.problems.list.count() > 0, timeout=2000)
    assert "handler" in window.problems.list.item(0).text()
    assert window.validity_label.text().endswith("1 error")


def test_clicking_a_problem_selects_the_culprit(window, qtbot):
    window.arch.set_node_config("worker", "timeout_s", 5000)
    window.run_validation()
    item = next(window.problems.list.item(i) for i in range(window.problems.list.count())
                if "worker" in window.problems.list.item(i).text())
    window.show()
    qtbot.waitExposed(window)
    rect = window.problems.list.visualItemRect(item)
    qtbot.mouseClick(window.problems.list.viewport(), Qt.LeftButton, pos=rect.center())
    assert window.scene.selected_subjects() == [("node", "worker")]
    assert window.inspector.subject == ("node", "worker")


def test_refused_connection_reason_reaches_the_status_bar(window):
    window.scene.connection_refused.emit("S3 cannot send to DynamoDB")
    assert "S3 cannot send to DynamoDB" in window.statusBar().currentMessage()


def test_palette_activation_adds_a_node_in_view(window):
    count = len(window.arch.nodes)
    window.palette.service_activated.emit("kinesis")
    assert len(window.arch.nodes) == count + 1
    assert any(n.service == "kinesis" for n in window.arch.nodes.values())


def test_copy_paste_through_the_clipboard(window):
    window.select(("node", "queue"))
    window.act_copy.trigger()
    assert "queue" in QApplication.clipboard().text()
    window.act_paste.trigger()
    window.act_paste.trigger()
    queues = [n for n in window.arch.nodes.values() if n.service == "sqs"]
    assert len(queues) == 3
    assert len({n.at for n in queues}) == 3  # each paste lands somewhere new
    window.select(("node", "bucket"))
    window.act_cut.trigger()
    assert "bucket" not in window.arch.nodes
    window.undo_stack.undo()
    assert "bucket" in window.arch.nodes


def test_select_all(window):
    window.act_select_all.trigger()
    selected = {v for k, v in window.scene.selected_subjects() if k == "node"}
    assert selected == set(window.arch.nodes)


def test_export_png_and_svg(window, tmp_path):
    png, svg = tmp_path / "d.png", tmp_path / "d.svg"
    assert window.export_png(str(png))
    image = QImage(str(png))
    assert image.width() > 300 and image.height() > 200
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 20
    assert window.export_svg(str(svg))
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text and "Canvas test" in text


def test_delete_key_edits_text_in_the_inspector_but_deletes_on_the_canvas(window, qtbot):
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    window.select(("node", "worker"))
    label = window.inspector.form.label_edit
    label.setFocus()
    label.setText("abc")
    label.setCursorPosition(0)
    qtbot.keyClick(label, Qt.Key_Delete)
    assert label.text() == "bc" and "worker" in window.arch.nodes
    window.view.setFocus()
    qtbot.keyClick(window.view.viewport(), Qt.Key_Delete)
    assert "worker" not in window.arch.nodes


def test_problem_about_a_scenario_opens_the_scenarios_tab(window):
    scenario = window.arch.scenarios[0]
    window.arch.replace_scenario(scenario.name, type(scenario)(scenario.name, duration_s=10, warmup_s=20,
                                                                load=scenario.load))
    problems = window.run_validation()
    problem = next(p for p in problems if p.target[0] == "scenario")
    window.show_problem(problem)
    assert window.inspector.tabs.currentWidget() is window.inspector.scenarios
    assert window.inspector.scenarios.current_name() == scenario.name


def test_renaming_a_scenario_in_the_inspector_is_undoable(window):
    page = window.inspector.scenarios
    page.form.name_edit.setText("peak")
    page.form.name_edit.editingFinished.emit()
    assert [s.name for s in window.arch.scenarios] == ["peak"]
    assert page.current_name() == "peak"
    window.undo_stack.undo()
    assert [s.name for s in window.arch.scenarios] == ["base"]
    assert page.current_name() == "base"
