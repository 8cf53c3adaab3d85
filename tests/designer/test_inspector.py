"""The inspector: forms generated from the catalogue, every edit undoable, undo refreshes."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from designer import commands
from designer.inspector import EdgeForm, Inspector, NodeForm
from designer.inspector_widgets import DistributionEditor, FloatEditor, IntEditor
from model.catalogue import EDGE_RULES, LOAD_PATTERNS, SERVICES
from model.designfile import dump_design

pytestmark = pytest.mark.gui


@pytest.fixture
def inspector(qtbot, design, undo_stack):
    stack = undo_stack
    widget = Inspector(design, stack)
    qtbot.addWidget(widget)
    widget.resize(320, 800)
    widget.show()
    return widget, design, stack


def editor(inspector_widget, key):
    return inspector_widget.form.rows.editors[key]


def test_node_form_has_every_catalogue_field_with_ranges_units_and_help(inspector):
    widget, design, _ = inspector
    widget.show_subject(("node", "handler"))
    assert isinstance(widget.form, NodeForm)
    spec = SERVICES["lambda"]
    assert set(widget.form.rows.editors) == {f.name for f in spec.fields}
    memory = editor(widget, "memory_mb")
    fdef = spec.field("memory_mb")
    assert (memory.spin.minimum(), memory.spin.maximum()) == (fdef.min, fdef.max)
    assert memory.spin.suffix().strip() == "MB"
    assert memory.spin.value() == 512  # the design's value, not the default
    assert fdef.help in memory.toolTip()


def test_value_out_of_range_cannot_be_entered(inspector):
    widget, design, _ = inspector
    widget.show_subject(("node", "handler"))
    memory = editor(widget, "memory_mb")
    memory.spin.setValue(50_000)
    assert design.nodes["handler"].config["memory_mb"] == SERVICES["lambda"].field("memory_mb").max


def test_edit_changes_model_and_undo_redo_restore_it_exactly(inspector):
    widget, design, stack = inspector
    before = dump_design(design)
    widget.show_subject(("node", "handler"))
    editor(widget, "memory_mb").spin.setValue(1024)
    assert design.nodes["handler"].config["memory_mb"] == 1024
    after = dump_design(design)
    stack.undo()
    assert dump_design(design) == before
    assert editor(widget, "memory_mb").spin.value() == 512  # the form followed the undo
    stack.redo()
    assert dump_design(design) == after
    assert editor(widget, "memory_mb").spin.value() == 1024


def test_typing_a_number_is_one_undo_entry(inspector):
    widget, design, stack = inspector
    widget.show_subject(("node", "handler"))
    spin = editor(widget, "memory_mb").spin
    for value in (600, 650, 700):  # keystrokes arrive as successive values
        spin.setValue(value)
    assert stack.count() == 1
    stack.undo()
    assert design.nodes["handler"].config["memory_mb"] == 512


def test_nullable_field_can_be_unset(inspector):
    widget, design, stack = inspector
    widget.show_subject(("node", "handler"))
    reserved = editor(widget, "reserved_concurrency")
    assert isinstance(reserved, IntEditor) and reserved.value() is None
    reserved.spin.setValue(20)
    assert design.nodes["handler"].config["reserved_concurrency"] == 20
    reserved.spin.setValue(reserved.spin.minimum())
    assert reserved.spin.text() == "unset"
    assert design.nodes["handler"].config.get("reserved_concurrency") is None


def test_nullable_float_field_shows_unset_and_takes_a_value(qtbot):
    # an event source mapping's per_record_ms: empty means "the function's"
    fdef = next(r for r in EDGE_RULES if r.source == "sqs" and r.target == "lambda").field("per_record_ms")
    widget = FloatEditor(fdef)
    qtbot.addWidget(widget)
    widget.set_value(None)
    assert widget.spin.text() == "unset" and widget.value() is None
    edited = []
    widget.edited.connect(edited.append)
    widget.spin.setValue(25)
    widget.spin.setValue(widget.spin.minimum())
    assert edited == [25, None]


def test_distribution_editor_switches_shape_and_edits_parameters(inspector):
    widget, design, stack = inspector
    widget.show_subject(("node", "handler"))
    duration = editor(widget, "duration_ms")
    assert isinstance(duration, DistributionEditor)
    duration.combo.setCurrentText("normal")
    value = design.nodes["handler"].config["duration_ms"]
    assert value["dist"] == "normal" and set(value) == {"dist", "mean", "stddev"}
    duration.param_editors["mean"].spin.setValue(75)
    assert design.nodes["handler"].config["duration_ms"]["mean"] == 75
    stack.undo()
    stack.undo()
    assert "duration_ms" not in design.nodes["handler"].config
    assert duration.combo.currentText() == "lognormal"  # back to the catalogue default


def test_label_edit_is_undoable(inspector, qtbot):
    widget, design, stack = inspector
    widget.show_subject(("node", "orders"))
    widget.form.label_edit.setText("Orders table")
    widget.form.label_edit.editingFinished.emit()
    assert design.nodes["orders"].label == "Orders table"
    stack.undo()
    assert design.nodes["orders"].label is None
    assert widget.form.label_edit.text() == ""


def test_edge_form_shows_kind_and_edits_calls(inspector):
    widget, design, stack = inspector
    edge = design.edges[1]  # handler -> orders, data_access
    widget.show_subject(("edge", edge))
    assert isinstance(widget.form, EdgeForm)
    assert widget.form.findChild(QLabel, "edge_kind").text() == "data access"
    assert {"action", "calls"} <= set(widget.form.rows.editors)
    calls = editor(widget, "calls")
    assert isinstance(calls, FloatEditor)
    calls.spin.setValue(2.5)
    assert edge.config["calls"] == 2.5
    editor(widget, "action").combo.setCurrentText("read_write")
    assert edge.config["action"] == "read_write"
    stack.undo()
    stack.undo()
    assert edge.config == {"action": "write"}


def test_design_form_when_nothing_selected(inspector):
    widget, design, stack = inspector
    widget.show_design()
    limit = editor(widget, "account.concurrency_limit")
    limit.spin.setValue(3000)
    assert design.account["concurrency_limit"] == 3000
    widget.form.name_edit.setText("Renamed")
    widget.form.name_edit.editingFinished.emit()
    assert design.name == "Renamed"
    stack.undo()
    assert design.name == "Canvas test" and widget.form.name_edit.text() == "Canvas test"


def test_regional_quotas_fold_out_show_the_region_s_default_and_override_it(inspector, qtbot):
    widget, design, stack = inspector
    widget.show_design()
    section = widget.form.quotas
    assert not section.body.isVisible() and "AWS defaults" in section.toggle.text()
    qtbot.mouseClick(section.toggle, Qt.LeftButton)
    assert section.body.isVisible()
    spin = section.findChild(QWidget, "quota_api_gateway_rps").spin
    assert spin.text() == "AWS default: 10,000"  # us-east-1
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "20000")
    qtbot.keyClick(spin.lineEdit(), Qt.Key_Return)
    assert design.account["quotas"] == {"api_gateway_rps": 20000}
    assert design.account_setting("api_gateway_rps") == 20000
    assert "1 changed" in section.toggle.text()
    stack.undo()
    assert "quotas" not in design.account and spin.text() == "AWS default: 10,000"
    stack.push(commands.SetPropertyCommand(design, "region", "af-south-1"))  # a smaller region
    assert spin.text() == "AWS default: 2,500"


def test_removing_the_shown_node_falls_back_to_the_design(inspector):
    widget, design, stack = inspector
    widget.show_subject(("node", "worker"))
    design.remove_node("worker")
    assert widget.subject == ("design", None)


def test_scenarios_add_edit_load_pattern_and_undo(inspector):
    widget, design, stack = inspector
    page = widget.scenarios
    before = dump_design(design)
    assert page.current_name() == "base"
    page.form.rows.editors["duration_s"].spin.setValue(120)
    assert design.scenario("base").duration_s == 120
    row = page.form.load_rows[0]
    row.pattern.setCurrentText("spike")
    load = design.scenario("base").load[0]
    assert load.pattern == "spike"
    assert set(load.params) == {f.name for f in LOAD_PATTERNS["spike"].fields}
    assert load.params["rate_rps"] == 10  # kept from the poisson load
    page.form.load_rows[0].rows.editors["spike_rps"].spin.setValue(900)
    assert design.scenario("base").load[0].params["spike_rps"] == 900
    page.add_scenario()
    assert len(design.scenarios) == 2 and page.current_name() == design.scenarios[1].name
    page.form._add_load()
    assert len(design.scenarios[1].load) == 2
    while stack.canUndo():
        stack.undo()
    assert dump_design(design) == before


def test_scenario_overrides_table(inspector):
    widget, design, stack = inspector
    page = widget.scenarios
    table = page.form.overrides
    table._add()
    overrides = design.scenario("base").overrides
    assert len(overrides) == 1
    node_id, config = next(iter(overrides.items()))
    key = next(iter(config))
    table.table.item(0, 2).setText("2048" if key == "throttle_rate_rps" else "7")
    assert design.scenario("base").overrides[node_id][key] in (2048, 7)
    table.table.setCurrentCell(0, 0)
    table._remove()
    assert design.scenario("base").overrides == {}


def test_node_forms_are_kept_for_quick_clicks_and_never_stale(inspector):
    # Clicking from node to node shows the forms already built (a node click's cost was
    # mostly building its form); any change to the design drops them, so a form shown
    # again after an undo elsewhere has the design's values, not the ones it was left with.
    widget, design, stack = inspector
    widget.show_subject(("node", "handler"))
    handler_form = widget.form
    editor(widget, "memory_mb").spin.setValue(1024)
    widget.show_subject(("node", "worker"))
    worker_form = widget.form
    widget.show_subject(("node", "handler"))
    assert widget.form is handler_form and editor(widget, "memory_mb").spin.value() == 1024
    assert handler_form.isVisible() and not worker_form.isVisible()
    widget.show_subject(("node", "worker"))
    assert widget.form is worker_form
    stack.undo()  # the handler's memory back to 512 while its form is not shown
    widget.show_subject(("node", "handler"))
    assert widget.form is not handler_form and editor(widget, "memory_mb").spin.value() == 512
    # the scroll range is the shown form's, not the longest one kept
    long_form = widget.form.sizeHint().height()  # a function's
    widget.show_subject(("node", "bucket"))
    QApplication.processEvents()
    assert widget.pages.sizeHint().height() < long_form / 2  # a bucket's is short
    assert widget.scroll.verticalScrollBar().maximum() == 0  # a short form: nothing to scroll
