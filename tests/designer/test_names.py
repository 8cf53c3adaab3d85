"""Readable names: long card titles wrap onto two lines, and panels name nodes by their
labels (with the id where it is needed)."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QComboBox

from designer.canvas.node_item import _TEXT_WIDTH
from designer.names import node_name
from model.errors import Problem

pytestmark = pytest.mark.gui


def rename_on_card(window, node_id: str, label: str) -> None:
    window.scene.select_subject(("node", node_id))
    window.view.setFocus()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_F2)
    editor = window.view.editor()
    QTest.keyClicks(editor, label)
    QTest.keyClick(editor, Qt.Key.Key_Return)


def test_a_long_card_title_wraps_onto_two_lines_instead_of_being_cut(active):
    window = active
    rename_on_card(window, "orders", "Customer orders and invoices")
    item = window.scene.node_item("orders")
    metrics = item._text_styles()[1][1]
    assert len(item.title_lines) == 2
    assert " ".join(item.title_lines) == "Customer orders and invoices"  # nothing cut off
    assert all(metrics.horizontalAdvance(line) <= _TEXT_WIDTH for line in item.title_lines)
    rename_on_card(window, "orders", "A very long name that cannot fit on two lines of a card at all")
    assert len(item.title_lines) == 2 and item.title_lines[1].endswith("…")
    rename_on_card(window, "orders", "Orders")
    assert item.title_lines == ["Orders"]


def test_problems_and_tooltips_name_nodes_by_their_labels(active):
    window = active
    rename_on_card(window, "worker", "Order worker")
    problem = Problem("node 'worker'", "timeout is too long", target=("node", "worker"))
    window.problems.set_problems([problem])
    assert window.problems.list.item(0).text() == "node Order worker (worker): timeout is too long"
    edge_tip = window.scene.edge_item(window.arch.edges[0]).toolTip()
    assert edge_tip == "Public API → handler: ANY /"  # its route
    assert "Order worker" in window.scene.node_item("worker").toolTip()


def test_the_scenario_load_entry_list_shows_labels_and_keeps_ids(active):
    window = active
    window.inspector.tabs.setCurrentWidget(window.inspector.scenarios)
    combo = window.inspector.scenarios.form.load_rows[0].findChild(QComboBox, "load_entry")
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert texts[combo.currentIndex()] == "Public API (api)"
    assert "handler" in texts  # no label: the id
    combo.setFocus()
    QTest.keyClick(combo, Qt.Key.Key_Down)
    assert window.arch.scenarios[0].load[0].entry == combo.itemData(combo.currentIndex())
    assert window.arch.scenarios[0].load[0].entry != "api"


def test_node_names_add_the_id_where_labels_would_be_ambiguous(design):
    assert node_name(design, "api") == "Public API"
    assert node_name(design, "api", with_id=True) == "Public API (api)"
    assert node_name(design, "handler") == "handler"
    design.set_node_label("worker", "Public API")
    assert node_name(design, "api") == "Public API (api)"
    assert node_name(design, "missing") == "missing"
