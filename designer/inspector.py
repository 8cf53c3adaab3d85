"""The inspector: a form generated from the catalogue for what is selected.

A node shows its id, label and its service's config fields; an edge its kind and the
edge rule's fields (with `calls`); nothing selected shows the design's own settings. The
Scenarios tab edits load scenarios (designer/scenario_editor.py). Every edit is pushed as
a command from `designer.commands`, so it is undoable; the form listens to the model and
refreshes its values in place when an undo changes them (it is rebuilt only when its
shape changes, so focus survives ordinary edits).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QComboBox, QFrame, QLabel, QLineEdit, QScrollArea, QSizePolicy, QTabWidget, QVBoxLayout, QWidget,
)

from model.architecture import Architecture, Change, Edge
from model.catalogue import ACCOUNT_FIELDS, SERVICES, edge_rule

from . import commands
from .form_parts import FieldRows, Header, heading, new_form, plain_label, replace_widget
from .inspector_widgets import compact
from .scenario_editor import ScenariosPage

REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1",
    "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "eu-south-1", "ap-south-1",
    "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "sa-east-1",
)


# --------------------------------------------------------------------------------------
# Properties: node, edge, design


class NodeForm(QWidget):
    def __init__(self, arch: Architecture, stack: QUndoStack, node_id: str, icon_for) -> None:
        super().__init__()
        self.arch, self.stack, self.node_id = arch, stack, node_id
        node = arch.nodes[node_id]
        spec = SERVICES.get(node.service)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        subtitle = f"{spec.name} · {spec.summary}" if spec else f"unknown service '{node.service}'"
        layout.addWidget(Header(node.display_name, subtitle,
                                icon_for(node.service) if icon_for else None))
        form = new_form()
        self.id_edit = QLineEdit(node_id)
        self.id_edit.setReadOnly(True)
        self.id_edit.setToolTip("The node's id: exporters derive resource names from it")
        self.id_edit.setStyleSheet("color: #5f6b7a; background: #f1f3f6;")
        form.addRow(plain_label("Id"), compact(self.id_edit))
        self.label_edit = QLineEdit(node.label or "")
        self.label_edit.setObjectName("field_label")
        self.label_edit.setPlaceholderText(node_id)
        self.label_edit.setToolTip("Display name on the canvas (optional)")
        self.label_edit.editingFinished.connect(self._label_edited)
        form.addRow(plain_label("Label"), compact(self.label_edit))
        form.addRow(heading("Configuration"))
        self.rows = FieldRows(self._value, self._set)
        for fdef in spec.fields if spec else ():
            self.rows.add(form, fdef)
        layout.addLayout(form)
        layout.addStretch(1)

    def _value(self, key: str) -> Any:
        return self.arch.nodes[self.node_id].effective_config().get(key)

    def _set(self, key: str, value: Any) -> None:
        self.stack.push(commands.SetNodeConfigCommand(self.arch, self.node_id, key, value))

    def _label_edited(self) -> None:
        text = self.label_edit.text().strip() or None
        if text != self.arch.nodes[self.node_id].label:
            self.stack.push(commands.SetNodeLabelCommand(self.arch, self.node_id, text))

    def refresh(self) -> None:
        node = self.arch.nodes[self.node_id]
        if self.label_edit.text() != (node.label or "") and not self.label_edit.hasFocus():
            self.label_edit.setText(node.label or "")
        self.findChild(Header).title.setText(node.display_name)
        self.rows.refresh()


class EdgeForm(QWidget):
    def __init__(self, arch: Architecture, stack: QUndoStack, edge: Edge) -> None:
        super().__init__()
        self.arch, self.stack, self.edge = arch, stack, edge
        src, dst = arch.nodes.get(edge.source), arch.nodes.get(edge.target)
        rule = edge_rule(src.service, dst.service, edge.kind) if src and dst else None
        self._rule = rule
        kind = arch.edge_kind(edge) or "not allowed"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        title = f"{src.display_name if src else edge.source} → {dst.display_name if dst else edge.target}"
        subtitle = rule.help if rule else "AWS offers no integration between these services"
        layout.addWidget(Header(title, subtitle))
        form = new_form()
        kind_label = QLabel(kind.replace("_", " "))
        kind_label.setObjectName("edge_kind")
        kind_label.setStyleSheet("font-weight: 600;")
        form.addRow(plain_label("Kind"), kind_label)
        if rule is not None:
            mode = "synchronous (caller waits)" if rule.is_synchronous(edge.config) else "asynchronous"
            form.addRow(plain_label("Delivery"), QLabel(mode))
        self.rows = FieldRows(self._value, self._set)
        if rule is not None:
            form.addRow(heading("Settings"))
            for fdef in rule.all_fields:
                self.rows.add(form, fdef)
        layout.addLayout(form)
        layout.addStretch(1)

    def _value(self, key: str) -> Any:
        fdef = self._rule.field(key) if self._rule else None
        return self.edge.config.get(key, fdef.default if fdef else None)

    def _set(self, key: str, value: Any) -> None:
        self.stack.push(commands.SetEdgeConfigCommand(self.arch, self.edge, key, value))

    def refresh(self) -> None:
        self.rows.refresh()


class DesignForm(QWidget):
    def __init__(self, arch: Architecture, stack: QUndoStack) -> None:
        super().__init__()
        self.arch, self.stack = arch, stack
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.header = Header(arch.name, self._summary())
        layout.addWidget(self.header)
        form = new_form()
        self.name_edit = QLineEdit(arch.name)
        self.name_edit.setObjectName("field_name")
        self.name_edit.setToolTip("The design's name (shown in the title bar and exports)")
        self.name_edit.editingFinished.connect(self._name_edited)
        form.addRow(plain_label("Name"), compact(self.name_edit))
        self.region = QComboBox()
        self.region.setObjectName("field_region")
        self.region.setEditable(True)
        self.region.addItems(REGIONS)
        self.region.setCurrentText(arch.region)
        self.region.setToolTip("AWS region: prices and exports use it")
        self.region.currentTextChanged.connect(self._region_edited)
        form.addRow(plain_label("Region"), compact(self.region))
        form.addRow(heading("Account"))
        self.rows = FieldRows(self._value, self._set)
        for fdef in ACCOUNT_FIELDS:
            self.rows.add(form, fdef, f"account.{fdef.name}")
        layout.addLayout(form)
        hint = QLabel("Select a node or an edge on the canvas to edit it. "
                      "Drag services from the palette; drag from a node's handle to connect.")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #8a93a0; padding-top: 12px;")
        layout.addWidget(hint)
        layout.addStretch(1)

    def _summary(self) -> str:
        a = self.arch
        return (f"{len(a.nodes)} nodes · {len(a.edges)} edges · "
                f"{len(a.scenarios)} scenario{'s' if len(a.scenarios) != 1 else ''}")

    def _value(self, key: str) -> Any:
        return self.arch.account_setting(key.split(".", 1)[1])

    def _set(self, key: str, value: Any) -> None:
        self.stack.push(commands.SetPropertyCommand(self.arch, key, value))

    def _name_edited(self) -> None:
        name = self.name_edit.text().strip()
        if name and name != self.arch.name:
            self.stack.push(commands.SetPropertyCommand(self.arch, "name", name))
        elif not name:
            self.name_edit.setText(self.arch.name)

    def _region_edited(self, region: str) -> None:
        region = region.strip()
        if region and region != self.arch.region:
            self.stack.push(commands.SetPropertyCommand(self.arch, "region", region))

    def refresh(self) -> None:
        self.header.title.setText(self.arch.name)
        self.header.subtitle.setText(self._summary())
        if self.name_edit.text() != self.arch.name and not self.name_edit.hasFocus():
            self.name_edit.setText(self.arch.name)
        if self.region.currentText() != self.arch.region:
            self.region.blockSignals(True)
            self.region.setCurrentText(self.arch.region)
            self.region.blockSignals(False)
        self.rows.refresh()


# --------------------------------------------------------------------------------------
# The dock's widget


class Inspector(QWidget):
    """Properties of the selection (or the design) and the scenarios, in two tabs."""

    subject_changed = Signal(object)

    def __init__(self, arch: Architecture, undo_stack: QUndoStack, icon_for=None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.arch, self.stack, self.icon_for = arch, undo_stack, icon_for
        self.setMinimumWidth(280)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.tabs.addTab(self.scroll, "Properties")
        self.scenarios = ScenariosPage(arch, undo_stack)
        self.tabs.addTab(self.scenarios, "Scenarios")
        self.subject: tuple = ("design", None)
        self.form: QWidget | None = None
        arch.subscribe(self._on_change)
        self.show_design()

    # -- what to show ------------------------------------------------------------------

    def show_subject(self, subject: tuple) -> None:
        """("node", id), ("edge", Edge), ("scenario", name) or ("design", None)."""
        kind, value = subject
        if kind == "node" and value in self.arch.nodes:
            self._set_form(("node", value), NodeForm(self.arch, self.stack, value, self.icon_for))
        elif kind == "edge" and any(e is value for e in self.arch.edges):
            self._set_form(("edge", value), EdgeForm(self.arch, self.stack, value))
        elif kind == "scenario" and self.arch.scenario(value) is not None:
            self.tabs.setCurrentWidget(self.scenarios)
            self.scenarios.rebuild(select=value)
            return
        else:
            self._set_form(("design", None), DesignForm(self.arch, self.stack))
        self.tabs.setCurrentWidget(self.scroll)

    def show_design(self) -> None:
        self.show_subject(("design", None))

    def _set_form(self, subject: tuple, form: QWidget) -> None:
        self.subject = subject
        self.form = form
        form.setContentsMargins(12, 12, 12, 12)
        form.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        replace_widget(self.scroll, form)
        self.subject_changed.emit(subject)

    # -- keeping up with the model -----------------------------------------------------

    def _on_change(self, change: Change) -> None:
        self.scenarios.on_change(change)
        kind, value = self.subject
        what = change.what
        if what == "reset":
            self.show_design()
        elif kind == "node" and what == "node_removed" and change.subject == value:
            self.show_design()
        elif kind == "node" and what == "node_changed" and change.subject == value:
            self.form.refresh()
        elif kind == "edge" and what == "edge_removed" and change.subject is value:
            self.show_design()
        elif kind == "edge" and what == "edge_changed" and change.subject is value:
            self.form.refresh()
        elif kind == "design" and what in ("properties_changed", "node_added", "node_removed",
                                           "edge_added", "edge_removed", "scenario_added",
                                           "scenario_removed"):
            self.form.refresh()
