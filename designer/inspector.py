"""The inspector: a form generated from the catalogue for what is selected.

A node shows its id, label and its service's config fields; an edge its kind and the
edge rule's fields (with `calls`); a note its text, a group its name, colour and nodes;
nothing selected shows the design's own settings. The
Scenarios tab edits load scenarios (designer/scenario_editor.py). Every edit is pushed as
a command from `designer.commands`, so it is undoable; the form listens to the model and
refreshes its values in place when an undo changes them (it is rebuilt only when its
shape changes, so focus survives ordinary edits).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap, QUndoStack
from PySide6.QtWidgets import (
    QComboBox, QFrame, QLabel, QLineEdit, QPlainTextEdit, QScrollArea, QSizePolicy, QTabWidget, QVBoxLayout,
    QWidget,
)

from model.architecture import Architecture, Change, Edge
from model.catalogue import ACCOUNT_FIELDS, SERVICES, edge_rule, rules_between
from model.errors import Problem

from . import commands, style
from .form_parts import FieldRows, Header, heading, new_form, plain_label
from .inspector_widgets import compact
from .quota_form import QuotaSection
from .routes import free_route, route_texts
from .routes_editor import RoutesEditor
from .scenario_editor import ScenariosPage
from .theme import set_tone

# An API edge's route fields: the routes editor shows them (`method` and `path` are the
# older form of one route, which the editor's list replaces).
ROUTE_FIELDS = ("routes", "method", "path")

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
        self.label_edit = QLineEdit(node.label or "")
        self.label_edit.setObjectName("field_label")
        self.label_edit.setPlaceholderText(node_id)
        self.label_edit.setToolTip("Display name on the canvas (optional; F2 or a double-click "
                                   "edits it on the card)")
        self.label_edit.editingFinished.connect(self._label_edited)
        form.addRow(plain_label("Label"), compact(self.label_edit))
        self.id_edit = QLineEdit(node_id)
        self.id_edit.setObjectName("field_id")
        self.id_edit.setToolTip("The node's id: exporters name its resources after it. Renaming "
                                "it renames it in edges, loads and overrides too.")
        self.id_edit.editingFinished.connect(self._id_edited)
        form.addRow(plain_label("Id"), compact(self.id_edit))
        self.id_problem = QLabel()
        self.id_problem.setObjectName("id_problem")
        self.id_problem.setWordWrap(True)
        set_tone(self.id_problem, "error")
        self.id_problem.hide()
        form.addRow(self.id_problem)
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
            self.stack.push(commands.relabel_node(self.arch, self.node_id, text))

    def _id_edited(self) -> None:
        new_id = self.id_edit.text().strip()
        problem = self.arch.node_id_problem(new_id, self.node_id)
        self.id_problem.setText(problem[:1].upper() + problem[1:] + "." if problem else "")
        self.id_problem.setVisible(bool(problem))
        if problem is None and new_id != self.node_id:
            self.stack.push(commands.RenameNodeCommand(self.arch, self.node_id, new_id))

    def refresh(self) -> None:
        node = self.arch.nodes[self.node_id]
        # Even with the focus in it: the window's Undo commits a field before undoing.
        if self.label_edit.text() != (node.label or ""):
            self.label_edit.setText(node.label or "")
        self.findChild(Header).title.setText(node.display_name)
        self.rows.refresh()


class MultiNodeForm(QWidget):
    """Several nodes of one service: a field edited here is set on all of them (one undo
    step); a field whose values differ says so until it is set."""

    def __init__(self, arch: Architecture, stack: QUndoStack, node_ids: list[str], icon_for) -> None:
        super().__init__()
        self.arch, self.stack, self.node_ids = arch, stack, list(node_ids)
        service = arch.nodes[node_ids[0]].service
        spec = SERVICES.get(service)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        names = ", ".join(arch.nodes[n].display_name for n in node_ids)
        layout.addWidget(Header(f"{len(node_ids)} × {spec.name if spec else service}",
                                f"{names}. A field set here is set on all of them.",
                                icon_for(service) if icon_for else None))
        form = new_form()
        form.addRow(heading("Shared configuration"))
        self.rows = FieldRows(self._value, self._set, self._is_change)
        for fdef in spec.fields if spec else ():
            self.rows.add(form, fdef)
        self._label_texts = {key: (label.text(), label.toolTip()) for key, label in self.rows.labels.items()}
        layout.addLayout(form)
        layout.addStretch(1)
        self.refresh()

    def _values(self, key: str) -> list[Any]:
        return [self.arch.nodes[n].effective_config().get(key) for n in self.node_ids]

    def _value(self, key: str) -> Any:
        return self._values(key)[0]

    def _set(self, key: str, value: Any) -> None:
        self.stack.push(commands.SetNodesConfigCommand(self.arch, self.node_ids, key, value))

    def _is_change(self, key: str, value: Any) -> bool:
        return any(v != value for v in self._values(key))

    def refresh(self) -> None:
        self.rows.refresh()
        for key, label in self.rows.labels.items():
            values = self._values(key)
            text, tip = self._label_texts[key]
            if any(v != values[0] for v in values[1:]):
                label.setText(f"{text} · differs")
                label.setToolTip("\n".join(f"{self.arch.nodes[n].display_name}: {v}"
                                           for n, v in zip(self.node_ids, values)))
            else:
                label.setText(text)
                label.setToolTip(tip)


class SelectionForm(QWidget):
    """Several items of different kinds or services: what is selected, and how to edit it."""

    def __init__(self, arch: Architecture, subjects: list) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        counts: dict[str, int] = {}
        for kind, value in subjects:
            name = kind
            if kind == "node":
                spec = SERVICES.get(arch.nodes[value].service)
                name = spec.name if spec else arch.nodes[value].service
            counts[name] = counts.get(name, 0) + 1
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        layout.addWidget(Header(f"{len(subjects)} items selected", summary))
        hint = QLabel("Select nodes of one service to edit a field they share; Arrange aligns and "
                      "distributes the selected cards.")
        hint.setWordWrap(True)
        hint.setStyleSheet("padding-top: 12px;")
        set_tone(hint, "hint")
        layout.addWidget(hint)
        layout.addStretch(1)

    def refresh(self) -> None:
        pass


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
        self.problems = QLabel()  # the validator's words about this edge
        self.problems.setObjectName("edge_problems")
        self.problems.setWordWrap(True)
        set_tone(self.problems, "error")
        self.problems.hide()
        layout.addWidget(self.problems)
        form = new_form()
        kinds = rules_between(src.service, dst.service) if src and dst else []
        if len(kinds) > 1:
            form.addRow(plain_label("Kind"), compact(self._kind_choice(kinds, kind)))
        else:
            kind_label = QLabel(kind.replace("_", " "))
            kind_label.setObjectName("edge_kind")
            kind_label.setStyleSheet("font-weight: 600;")
            form.addRow(plain_label("Kind"), kind_label)
        if rule is not None:
            mode = "synchronous (caller waits)" if rule.is_synchronous(edge.config) else "asynchronous"
            form.addRow(plain_label("Delivery"), QLabel(mode))
        self.routes: RoutesEditor | None = None
        if rule is not None and rule.field("routes") is not None:  # an API's edge: its routes list
            form.addRow(heading("Routes"))
            self.routes = RoutesEditor(lambda: free_route(arch, edge.source, edge.target))
            self.routes.set_routes(route_texts(edge))
            self.routes.edited.connect(self._set_routes)
            form.addRow(self.routes)
        self.rows = FieldRows(self._value, self._set)
        if rule is not None:
            form.addRow(heading("Settings"))
            for fdef in rule.all_fields:
                if self.routes is None or fdef.name not in ROUTE_FIELDS:
                    self.rows.add(form, fdef)
        layout.addLayout(form)
        layout.addStretch(1)

    def _kind_choice(self, rules, current: str) -> QComboBox:
        """The kinds this pair may have (Lambda -> SQS: send or on-failure destination);
        those another edge of the pair already has are greyed out."""
        combo = QComboBox()
        combo.setObjectName("edge_kind_choice")
        taken = {self.arch.edge_kind(e) for e in self.arch.edges
                 if e is not self.edge and (e.source, e.target) == (self.edge.source, self.edge.target)}
        for rule in rules:
            combo.addItem(f"{rule.kind.replace('_', ' ')} — {rule.help}", rule.kind)
            combo.setItemData(combo.count() - 1, rule.help, Qt.ToolTipRole)
            if rule.kind in taken:
                combo.model().item(combo.count() - 1).setEnabled(False)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.setToolTip("What this edge does: AWS offers more than one integration between these services")
        default = rules[0].kind
        combo.currentIndexChanged.connect(
            lambda i: self._set_kind(None if combo.itemData(i) == default else combo.itemData(i)))
        return combo

    def _set_kind(self, kind: str | None) -> None:
        if kind != self.edge.kind:
            self.stack.push(commands.SetEdgeKindCommand(self.arch, self.edge, kind))

    def _value(self, key: str) -> Any:
        fdef = self._rule.field(key) if self._rule else None
        return self.edge.config.get(key, fdef.default if fdef else None)

    def _set(self, key: str, value: Any) -> None:
        self.stack.push(commands.SetEdgeConfigCommand(self.arch, self.edge, key, value))

    def _set_routes(self, routes: list[str], text: str) -> None:
        self.stack.push(commands.SetEdgeRoutesCommand(self.arch, self.edge, routes, text))

    def show_problems(self, problems: list[Problem]) -> None:
        """The validator's problems with this edge (a route another edge serves...)."""
        index = next((i for i, e in enumerate(self.arch.edges) if e is self.edge), None)
        mine = [p for p in problems if index is not None and tuple(p.target or ())[:2] == ("edge", index)]
        self.problems.setText("\n".join(f"{p.message[:1].upper()}{p.message[1:]}" for p in mine))
        self.problems.setVisible(bool(mine))

    def refresh(self) -> None:
        if self.routes is not None:
            self.routes.set_routes(route_texts(self.edge))
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
        self.quotas = QuotaSection(arch, stack)
        layout.addWidget(self.quotas)
        hint = QLabel("Select a node or an edge on the canvas to edit it. "
                      "Drag services from the palette; drag from a node's handle to connect.")
        hint.setWordWrap(True)
        hint.setStyleSheet("padding-top: 12px;")
        set_tone(hint, "hint")
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
        if self.name_edit.text() != self.arch.name:
            self.name_edit.setText(self.arch.name)
        if self.region.currentText() != self.arch.region:
            self.region.blockSignals(True)
            self.region.setCurrentText(self.arch.region)
            self.region.blockSignals(False)
        self.rows.refresh()
        self.quotas.refresh()


class NoteText(QPlainTextEdit):
    """A note's text: handed in when the focus leaves it or on Ctrl+Enter (not per key)."""

    editing_finished = Signal()

    def commit(self) -> None:
        self.editing_finished.emit()

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and event.modifiers() & Qt.ControlModifier:
            self.commit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().focusOutEvent(event)
        self.commit()


class NoteForm(QWidget):
    def __init__(self, arch: Architecture, stack: QUndoStack, note_id: str) -> None:
        super().__init__()
        self.arch, self.stack, self.note_id = arch, stack, note_id
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(Header("Note", "Free text on the canvas, saved with the design; the simulator "
                                        "and the exporters ignore it."))
        layout.addWidget(plain_label("Text"))
        self.text = NoteText(arch.note(note_id).text)
        self.text.setObjectName("note_text")
        self.text.setToolTip("Ctrl+Enter or leaving the box keeps the text; a double-click on the note "
                             "edits it on the canvas")
        self.text.editing_finished.connect(self._text_edited)
        layout.addWidget(self.text, 1)

    def _text_edited(self) -> None:
        note = self.arch.note(self.note_id)
        if note is not None and self.text.toPlainText() != note.text:
            self.stack.push(commands.UpdateNoteCommand(self.arch, self.note_id, "Edit note",
                                                       text=self.text.toPlainText()))

    def refresh(self) -> None:
        note = self.arch.note(self.note_id)
        if note is not None and self.text.toPlainText() != note.text:
            self.text.setPlainText(note.text)


def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(14, 14)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class GroupForm(QWidget):
    def __init__(self, arch: Architecture, stack: QUndoStack, group_id: str) -> None:
        super().__init__()
        self.arch, self.stack, self.group_id = arch, stack, group_id
        group = arch.group(group_id)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.header = Header(group.label or "Group", "A frame around nodes (an account, a bounded "
                                                     "context); it moves with them.")
        layout.addWidget(self.header)
        form = new_form()
        self.label_edit = QLineEdit(group.label)
        self.label_edit.setObjectName("field_group_label")
        self.label_edit.editingFinished.connect(self._label_edited)
        form.addRow(plain_label("Name"), compact(self.label_edit))
        self.colour = QComboBox()
        self.colour.setObjectName("field_group_colour")
        for name, value in style.GROUP_COLOURS:
            self.colour.addItem(_swatch(value), name, value)
        self.colour.currentIndexChanged.connect(self._colour_chosen)
        form.addRow(plain_label("Colour"), compact(self.colour))
        form.addRow(heading("Nodes"))
        self.members = QLabel()
        self.members.setObjectName("group_members")
        self.members.setWordWrap(True)
        form.addRow(self.members)
        layout.addLayout(form)
        hint = QLabel("Right-click a node to add it to a group or take it out.")
        hint.setWordWrap(True)
        hint.setStyleSheet("padding-top: 12px;")
        set_tone(hint, "hint")
        layout.addWidget(hint)
        layout.addStretch(1)
        self.refresh()

    def _label_edited(self) -> None:
        label = self.label_edit.text().strip()
        group = self.arch.group(self.group_id)
        if group is not None and label and label != group.label:
            self.stack.push(commands.UpdateGroupCommand(self.arch, self.group_id, f"Rename group to {label}",
                                                        label=label))

    def _colour_chosen(self, index: int) -> None:
        value = self.colour.itemData(index)
        group = self.arch.group(self.group_id)
        if group is not None and value and value != group.colour:
            self.stack.push(commands.UpdateGroupCommand(self.arch, self.group_id, "Colour group", colour=value))

    def refresh(self) -> None:
        group = self.arch.group(self.group_id)
        if group is None:
            return
        self.header.title.setText(group.label or "Group")
        if self.label_edit.text() != group.label:
            self.label_edit.setText(group.label)
        self.colour.blockSignals(True)
        index = self.colour.findData(group.colour)
        if index < 0 and group.colour:  # a colour from the file that is not one of ours: kept
            self.colour.addItem(_swatch(group.colour), group.colour, group.colour)
            index = self.colour.count() - 1
        self.colour.setCurrentIndex(max(0, index))
        self.colour.blockSignals(False)
        names = [self.arch.nodes[n].display_name for n in group.nodes if n in self.arch.nodes]
        self.members.setText(", ".join(names) or "none")


# --------------------------------------------------------------------------------------
# The dock's widget


# Node forms kept after they are left, so clicking from node to node (after a run, say)
# shows a form already built instead of building one (most of a click's time). They are
# dropped whenever the design changes: a kept form never shows stale values.
NODE_FORMS_KEPT = 32


class Inspector(QWidget):
    """Properties of the selection (or the design) and the scenarios, in two tabs. The
    Properties tab's `pages` hold the form shown and, hidden, the node forms kept
    (`NODE_FORMS_KEPT`; a hidden widget takes no room in a layout, so the scroll range is
    the shown form's)."""

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
        self.pages = QWidget()
        self.page_layout = QVBoxLayout(self.pages)
        self.page_layout.setContentsMargins(0, 0, 0, 0)
        self.scroll.setWidget(self.pages)
        self.tabs.addTab(self.scroll, "Properties")
        self._node_forms: OrderedDict[str, NodeForm] = OrderedDict()  # node id -> its form, oldest first
        self.scenarios = ScenariosPage(arch, undo_stack)
        self.tabs.addTab(self.scenarios, "Scenarios")
        self.subject: tuple = ("design", None)
        self.form: QWidget | None = None
        self.problems: list[Problem] = []  # the latest validation's
        arch.subscribe(self._on_change)
        self.show_design()

    # -- what to show ------------------------------------------------------------------

    def shows(self, subject: tuple) -> bool:
        """Is `subject` what the inspector shows now (an edge: that very edge)?"""
        kind, value = self.subject
        return kind == subject[0] and (value is subject[1] or isinstance(value, str) and value == subject[1])

    def show_subject(self, subject: tuple) -> None:
        """("node", id), ("edge", Edge), ("scenario", name) or ("design", None)."""
        kind, value = subject
        if kind == "node" and value in self.arch.nodes:
            form = self._node_forms.pop(value, None) or NodeForm(self.arch, self.stack, value, self.icon_for)
            self._node_forms[value] = form  # the most recently shown last
            self._set_form(("node", value), form)
            if len(self._node_forms) > NODE_FORMS_KEPT:
                self._drop(self._node_forms.popitem(last=False)[1])
        elif kind == "edge" and any(e is value for e in self.arch.edges):
            self._set_form(("edge", value), EdgeForm(self.arch, self.stack, value))
        elif kind == "nodes" and value and all(n in self.arch.nodes for n in value):
            services = {self.arch.nodes[n].service for n in value}
            if len(services) == 1:
                self._set_form(("nodes", list(value)), MultiNodeForm(self.arch, self.stack, value, self.icon_for))
            else:
                self._set_form(("selection", [("node", n) for n in value]),
                               SelectionForm(self.arch, [("node", n) for n in value]))
        elif kind == "selection" and value:
            self._set_form(("selection", list(value)), SelectionForm(self.arch, value))
        elif kind == "note" and self.arch.note(value) is not None:
            self._set_form(("note", value), NoteForm(self.arch, self.stack, value))
        elif kind == "group" and self.arch.group(value) is not None:
            self._set_form(("group", value), GroupForm(self.arch, self.stack, value))
        elif kind == "scenario" and self.arch.scenario(value) is not None:
            self.tabs.setCurrentWidget(self.scenarios)
            self.scenarios.rebuild(select=value)
            return
        else:
            self._set_form(("design", None), DesignForm(self.arch, self.stack))
        self.tabs.setCurrentWidget(self.scroll)

    def show_design(self) -> None:
        self.show_subject(("design", None))

    def edit_route(self, edge: Edge, index: int) -> None:
        """Show an API edge and put the keyboard in one of its routes' path."""
        if not self.shows(("edge", edge)):
            self.show_subject(("edge", edge))
        if isinstance(self.form, EdgeForm) and self.form.routes is not None:
            self.form.show()  # (a hidden widget cannot take the focus)
            self.form.routes.edit_route(index)

    def set_problems(self, problems: list[Problem]) -> None:
        """The validator's latest problems: an edge's form shows its own."""
        self.problems = list(problems)
        if isinstance(self.form, EdgeForm):
            self.form.show_problems(self.problems)

    def _set_form(self, subject: tuple, form: QWidget) -> None:
        self.subject = subject
        old, self.form = self.form, form
        if isinstance(form, EdgeForm):
            form.show_problems(self.problems)
        if old is not form:
            if form.parent() is not self.pages:
                form.setContentsMargins(12, 12, 12, 12)
                form.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
                self.page_layout.addWidget(form)
            if old is not None:
                if self._kept(old):
                    old.hide()
                else:
                    self._drop(old)
            form.show()
            self.scroll.verticalScrollBar().setValue(0)  # a form is read from its top
        self.subject_changed.emit(subject)

    def _kept(self, form: QWidget) -> bool:
        return any(kept is form for kept in self._node_forms.values())

    def _drop(self, form: QWidget) -> None:
        """Remove a form that is not shown; deleted later, as the signal that led here may
        come from one of its own editors."""
        if form is self.form:
            return
        self.page_layout.removeWidget(form)
        form.hide()
        form.deleteLater()

    def _forget_kept_forms(self) -> None:
        """The design changed: drop every kept node form but the one shown."""
        for node_id, form in list(self._node_forms.items()):
            if form is not self.form:
                del self._node_forms[node_id]
                self._drop(form)

    # -- keeping up with the model -----------------------------------------------------

    def _on_change(self, change: Change) -> None:
        self.scenarios.on_change(change)
        self._update_form(change)
        self._forget_kept_forms()

    def _update_form(self, change: Change) -> None:
        kind, value = self.subject
        what = change.what
        if what == "reset":
            self.show_design()
        elif kind == "node" and what == "node_removed" and change.subject == value:
            self.show_design()
        elif kind == "node" and what == "node_changed" and change.subject == value:
            self.form.refresh()
        elif kind == "node" and what == "node_renamed" and change.subject == value:
            typing_id = self.form.id_edit.hasFocus()
            self.show_subject(("node", change.detail))
            if typing_id:  # renamed from this form: the keyboard stays in the id field
                self.form.show()  # (a hidden widget cannot take the focus)
                self.form.id_edit.setFocus()
        elif kind == "edge" and what == "edge_removed" and change.subject is value:
            self.show_design()
        elif kind == "edge" and what == "edge_changed" and change.subject is value:
            if change.detail == "kind":  # other fields: another form
                self.show_subject(("edge", value))
            else:
                self.form.refresh()
        elif kind == "nodes" and what == "node_changed" and change.subject in value:
            self.form.refresh()
        elif kind == "nodes" and what in ("node_removed", "node_renamed") and change.subject in value:
            ids = [change.detail if n == change.subject else n for n in value]
            self.show_subject(("nodes", [n for n in ids if n in self.arch.nodes]))
        elif kind in ("note", "group") and what == f"{kind}_removed" and change.subject == value:
            self.show_design()
        elif kind in ("note", "group") and what == f"{kind}_changed" and change.subject == value:
            self.form.refresh()
        elif kind == "group" and what in ("node_changed", "node_renamed"):
            self.form.refresh()  # its member list names the nodes
        elif kind == "design" and what in ("properties_changed", "node_added", "node_removed",
                                           "edge_added", "edge_removed", "scenario_added",
                                           "scenario_removed"):
            self.form.refresh()
