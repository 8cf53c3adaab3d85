"""The inspector: a form generated from the catalogue for what is selected.

A node shows its id, label and its service's config fields; an edge its kind and the
edge rule's fields (with `calls`); nothing selected shows the design's own settings. The
Scenarios tab edits load scenarios. Every edit is pushed as a command from
`designer.commands`, so it is undoable; the form listens to the model and refreshes its
values in place when an undo changes them (it is rebuilt only when its shape changes, so
focus survives ordinary edits).
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import yaml
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFormLayout, QFrame, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QListWidget, QListWidgetItem, QPushButton, QScrollArea, QSizePolicy,
    QTableWidget, QTableWidgetItem, QTabWidget, QToolButton, QVBoxLayout, QWidget,
)

from model.architecture import Architecture, Change, Edge, Load, Scenario
from model.catalogue import (
    ACCOUNT_FIELDS, LOAD_PATTERNS, SCENARIO_FIELDS, SERVICES, Field, edge_rule,
)

from . import commands
from .inspector_widgets import FieldEditor, compact, field_label, field_tooltip, make_editor

REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1",
    "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "eu-south-1", "ap-south-1",
    "ap-northeast-1", "ap-northeast-2", "ap-southeast-1", "ap-southeast-2", "sa-east-1",
)


def _heading(text: str) -> QLabel:
    label = QLabel(text.upper())
    label.setObjectName("inspectorSection")
    label.setStyleSheet("color: #5f6b7a; font-weight: 600; font-size: 8pt; "
                        "letter-spacing: 0.5px; padding-top: 8px;")
    return label


def _new_form() -> QFormLayout:
    form = QFormLayout()
    form.setContentsMargins(0, 0, 0, 0)
    form.setHorizontalSpacing(10)
    form.setVerticalSpacing(4)
    form.setLabelAlignment(Qt.AlignLeft | Qt.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
    # Labels above their fields, as in Infrastructure Composer: long names never squeeze
    # the editors, and the column reads top to bottom.
    form.setRowWrapPolicy(QFormLayout.WrapAllRows)
    return form


LABEL_STYLE = "color: #3d4654; padding-top: 4px;"


def _row_label(fdef: Field) -> QLabel:
    label = QLabel(field_label(fdef.name))
    label.setToolTip(field_tooltip(fdef))
    label.setStyleSheet(LABEL_STYLE)
    return label


def _plain_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(LABEL_STYLE)
    return label


def _replace_widget(scroll: QScrollArea, widget: QWidget) -> None:
    """Swap a scroll area's content; the old one is deleted later, because the signal
    that led here may come from one of its own editors."""
    old = scroll.takeWidget()
    if old is not None:
        old.hide()
        old.deleteLater()
    scroll.setWidget(widget)


class Header(QWidget):
    """Icon, title and one line of explanation at the top of a form."""

    def __init__(self, title: str, subtitle: str, icon=None) -> None:
        super().__init__()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 4)
        row.setSpacing(10)
        if icon is not None:
            picture = QLabel()
            picture.setPixmap(icon)
            picture.setFixedSize(36, 36)
            row.addWidget(picture, 0, Qt.AlignTop)
        texts = QVBoxLayout()
        texts.setSpacing(1)
        self.title = QLabel(title)
        self.title.setStyleSheet("font-size: 11pt; font-weight: 600; color: #1f2733;")
        self.title.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.subtitle = QLabel(subtitle)
        self.subtitle.setWordWrap(True)
        self.subtitle.setMinimumWidth(120)
        self.title.setMinimumWidth(120)
        self.title.setWordWrap(True)
        self.subtitle.setStyleSheet("color: #6b7380;")
        texts.addWidget(self.title)
        texts.addWidget(self.subtitle)
        row.addLayout(texts, 1)


class FieldRows:
    """Editors bound to model values: `getter(key)` reads, `setter(key, value)` pushes."""

    def __init__(self, getter: Callable[[str], Any], setter: Callable[[str, Any], None]) -> None:
        self.getter, self.setter = getter, setter
        self.editors: dict[str, FieldEditor] = {}

    def add(self, form: QFormLayout, fdef: Field, key: str | None = None) -> FieldEditor:
        key = key or fdef.name
        editor = make_editor(fdef)
        editor.setObjectName(f"field_{key}")
        editor.set_value(self.getter(key))
        editor.edited.connect(lambda value, k=key: self._edited(k, value))
        form.addRow(_row_label(fdef), editor)
        self.editors[key] = editor
        return editor

    def _edited(self, key: str, value: Any) -> None:
        if value != self.getter(key):
            self.setter(key, value)

    def refresh(self) -> None:
        for key, editor in self.editors.items():
            editor.set_value(self.getter(key))


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
        form = _new_form()
        self.id_edit = QLineEdit(node_id)
        self.id_edit.setReadOnly(True)
        self.id_edit.setToolTip("The node's id: exporters derive resource names from it")
        self.id_edit.setStyleSheet("color: #5f6b7a; background: #f1f3f6;")
        form.addRow(_plain_label("Id"), compact(self.id_edit))
        self.label_edit = QLineEdit(node.label or "")
        self.label_edit.setObjectName("field_label")
        self.label_edit.setPlaceholderText(node_id)
        self.label_edit.setToolTip("Display name on the canvas (optional)")
        self.label_edit.editingFinished.connect(self._label_edited)
        form.addRow(_plain_label("Label"), compact(self.label_edit))
        form.addRow(_heading("Configuration"))
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
        form = _new_form()
        kind_label = QLabel(kind.replace("_", " "))
        kind_label.setObjectName("edge_kind")
        kind_label.setStyleSheet("font-weight: 600;")
        form.addRow(_plain_label("Kind"), kind_label)
        if rule is not None:
            mode = "synchronous (caller waits)" if rule.is_synchronous(edge.config) else "asynchronous"
            form.addRow(_plain_label("Delivery"), QLabel(mode))
        self.rows = FieldRows(self._value, self._set)
        if rule is not None:
            form.addRow(_heading("Settings"))
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
        form = _new_form()
        self.name_edit = QLineEdit(arch.name)
        self.name_edit.setObjectName("field_name")
        self.name_edit.setToolTip("The design's name (shown in the title bar and exports)")
        self.name_edit.editingFinished.connect(self._name_edited)
        form.addRow(_plain_label("Name"), compact(self.name_edit))
        self.region = QComboBox()
        self.region.setObjectName("field_region")
        self.region.setEditable(True)
        self.region.addItems(REGIONS)
        self.region.setCurrentText(arch.region)
        self.region.setToolTip("AWS region: prices and exports use it")
        self.region.currentTextChanged.connect(self._region_edited)
        form.addRow(_plain_label("Region"), compact(self.region))
        form.addRow(_heading("Account"))
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
# Scenarios


def _entry_nodes(arch: Architecture) -> list[str]:
    return [n.id for n in arch.nodes.values()
            if (spec := SERVICES.get(n.service)) is not None and spec.takes_outside_traffic]


class LoadRow(QFrame):
    """One load entry: entry node, pattern and the pattern's parameters."""

    def __init__(self, form: "ScenarioForm", index: int, load: Load) -> None:
        super().__init__()
        self.setObjectName("loadRow")
        self.setStyleSheet("#loadRow { background: #f7f8fa; border: 1px solid #e1e5ea; border-radius: 6px; }")
        self.form, self.index = form, index
        layout = _new_form()
        layout.setContentsMargins(8, 6, 8, 8)
        self.setLayout(layout)
        top = QHBoxLayout()
        self.entry = QComboBox()
        self.entry.setToolTip("Node the traffic enters at")
        entries = _entry_nodes(form.arch)
        if load.entry not in entries:
            entries.append(load.entry)
        self.entry.addItems(entries)
        self.entry.setCurrentText(load.entry)
        self.entry.currentTextChanged.connect(
            lambda t: form.edit(lambda s: setattr(s.load[index], "entry", t)))
        top.addWidget(compact(self.entry), 1)
        remove = QToolButton()
        remove.setText("✕")
        remove.setToolTip("Remove this load")
        remove.setAutoRaise(True)
        remove.clicked.connect(lambda: form.edit(lambda s: s.load.pop(index)))
        top.addWidget(remove)
        layout.addRow(_plain_label("Entry"), top)
        self.pattern = QComboBox()
        for name, shape in LOAD_PATTERNS.items():
            self.pattern.addItem(name)
            self.pattern.setItemData(self.pattern.count() - 1, shape.help, Qt.ToolTipRole)
        if load.pattern not in LOAD_PATTERNS:
            self.pattern.addItem(load.pattern)
        self.pattern.setCurrentText(load.pattern)
        self.pattern.setToolTip(LOAD_PATTERNS[load.pattern].help if load.pattern in LOAD_PATTERNS else "")
        self.pattern.currentTextChanged.connect(self._pattern_chosen)
        layout.addRow(_plain_label("Pattern"), compact(self.pattern))
        self.rows = FieldRows(self._value, self._set)
        shape = LOAD_PATTERNS.get(load.pattern)
        for pdef in shape.fields if shape else ():
            self.rows.add(layout, pdef)

    def _load(self) -> Load:
        return self.form.scenario().load[self.index]

    def _value(self, key: str) -> Any:
        shape = LOAD_PATTERNS.get(self._load().pattern)
        default = next((f.default for f in shape.fields if f.name == key), None) if shape else None
        return self._load().params.get(key, default)

    def _set(self, key: str, value: Any) -> None:
        self.form.edit(lambda s: s.load[self.index].params.__setitem__(key, value),
                       merge_key=f"load{self.index}.{key}")

    def _pattern_chosen(self, pattern: str) -> None:
        shape = LOAD_PATTERNS[pattern]
        old = self._load().params
        params = {f.name: old.get(f.name, f.default) for f in shape.fields}

        def change(s: Scenario) -> None:
            s.load[self.index].pattern = pattern
            s.load[self.index].params = params

        self.form.edit(change)


class OverridesTable(QWidget):
    """Per-node config overrides: rows of node, field, value (YAML scalar)."""

    def __init__(self, form: "ScenarioForm") -> None:
        super().__init__()
        self.form = form
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Node", "Field", "Value"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setMinimumHeight(90)
        self.table.setMaximumHeight(140)
        self.table.setToolTip("What-if: these values replace the node's config in this scenario only")
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        add = QPushButton("Add override")
        add.clicked.connect(self._add)
        remove = QPushButton("Remove")
        remove.clicked.connect(self._remove)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.table.itemChanged.connect(self._changed)
        self.refresh()

    def _rows(self) -> list[tuple[str, str, Any]]:
        return [(node_id, key, value)
                for node_id, config in self.form.scenario().overrides.items()
                for key, value in config.items()]

    def refresh(self) -> None:
        rows = self._rows()
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for r, (node_id, key, value) in enumerate(rows):
            text = yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()
            for c, cell in enumerate((node_id, key, text)):
                self.table.setItem(r, c, QTableWidgetItem(cell))
        self.table.blockSignals(False)

    def _table_overrides(self) -> dict[str, dict[str, Any]]:
        overrides: dict[str, dict[str, Any]] = {}
        for r in range(self.table.rowCount()):
            cells = [self.table.item(r, c).text().strip() if self.table.item(r, c) else "" for c in range(3)]
            node_id, key, text = cells
            if not node_id or not key:
                continue
            try:
                value = yaml.safe_load(text) if text else None
            except yaml.YAMLError:
                value = text
            overrides.setdefault(node_id, {})[key] = value
        return overrides

    def _changed(self, _item) -> None:
        overrides = self._table_overrides()
        self.form.edit(lambda s: setattr(s, "overrides", overrides))

    def _add(self) -> None:
        arch = self.form.arch
        node = next(iter(arch.nodes.values()), None)
        spec = SERVICES.get(node.service) if node else None
        if node is None or spec is None or not spec.fields:
            return
        existing = self.form.scenario().overrides.get(node.id, {})
        fdef = next((f for f in spec.fields if f.name not in existing), spec.fields[0])
        value = node.effective_config().get(fdef.name)

        def change(s: Scenario) -> None:
            s.overrides.setdefault(node.id, {})[fdef.name] = copy.deepcopy(value)

        self.form.edit(change)

    def _remove(self) -> None:
        row = self.table.currentRow()
        rows = self._rows()
        if not 0 <= row < len(rows):
            return
        node_id, key, _ = rows[row]

        def change(s: Scenario) -> None:
            s.overrides[node_id].pop(key, None)
            if not s.overrides[node_id]:
                del s.overrides[node_id]

        self.form.edit(change)


class ScenarioForm(QWidget):
    """Name, duration, seed, warm-up, load entries and overrides of one scenario."""

    def __init__(self, arch: Architecture, stack: QUndoStack, name: str) -> None:
        super().__init__()
        self.arch, self.stack, self.name = arch, stack, name
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        form = _new_form()
        self.name_edit = QLineEdit(name)
        self.name_edit.setObjectName("scenario_name")
        self.name_edit.editingFinished.connect(self._rename)
        form.addRow(_plain_label("Name"), compact(self.name_edit))
        self.rows = FieldRows(self._value, self._set)
        for fdef in SCENARIO_FIELDS:
            self.rows.add(form, fdef)
        layout.addLayout(form)
        layout.addWidget(_heading("Load"))
        scenario = self.scenario()
        self.load_rows = [LoadRow(self, i, load) for i, load in enumerate(scenario.load)]
        for row in self.load_rows:
            layout.addWidget(row)
        add_load = QPushButton("Add load")
        add_load.setObjectName("add_load")
        add_load.clicked.connect(self._add_load)
        layout.addWidget(add_load, 0, Qt.AlignLeft)
        layout.addWidget(_heading("Overrides"))
        self.overrides = OverridesTable(self)
        layout.addWidget(self.overrides)
        layout.addStretch(1)
        self.built_shape = self.shape()

    def scenario(self) -> Scenario:
        return self.arch.scenario(self.name)

    def shape(self) -> tuple:
        """What the widgets are built for: a change here means rebuild, not refresh."""
        s = self.scenario()
        return tuple((load.entry, load.pattern) for load in s.load) if s else None

    def _value(self, key: str) -> Any:
        return getattr(self.scenario(), key)

    def _set(self, key: str, value: Any) -> None:
        self.edit(lambda s: setattr(s, key, value), merge_key=key)

    def edit(self, change: Callable[[Scenario], Any], merge_key: str | None = None) -> None:
        new = copy.deepcopy(self.scenario())
        change(new)
        if new != self.scenario():
            self.stack.push(commands.ReplaceScenarioCommand(self.arch, self.name, new, merge_key=merge_key))

    def _rename(self) -> None:
        name = self.name_edit.text().strip()
        if not name or name == self.name:
            self.name_edit.setText(self.name)
            return
        if self.arch.scenario(name) is not None:
            self.name_edit.setText(self.name)
            return
        self.edit(lambda s: setattr(s, "name", name))

    def _add_load(self) -> None:
        entries = _entry_nodes(self.arch)
        if not entries:
            return
        shape = LOAD_PATTERNS["poisson"]
        load = Load(entries[0], "poisson", {f.name: f.default for f in shape.fields})
        self.edit(lambda s: s.load.append(load))

    def refresh(self) -> None:
        if self.name_edit.text() != self.name and not self.name_edit.hasFocus():
            self.name_edit.setText(self.name)
        self.rows.refresh()
        for row in self.load_rows:
            row.rows.refresh()
        self.overrides.refresh()


class ScenariosPage(QWidget):
    """The list of scenarios with add/remove, and the chosen one's form."""

    def __init__(self, arch: Architecture, stack: QUndoStack) -> None:
        super().__init__()
        self.arch, self.stack = arch, stack
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(6)
        self.list = QListWidget()
        self.list.setObjectName("scenario_list")
        self.list.setMaximumHeight(96)
        self.list.currentTextChanged.connect(self._chosen)
        layout.addWidget(self.list)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add scenario")
        self.add_button.clicked.connect(self.add_scenario)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_scenario)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        layout.addWidget(self.scroll, 1)
        self.form: ScenarioForm | None = None
        self.rebuild()

    def current_name(self) -> str | None:
        item = self.list.currentItem()
        return item.text() if item else None

    def rebuild(self, select: str | None = None) -> None:
        select = select or self.current_name()
        names = [s.name for s in self.arch.scenarios]
        self.list.blockSignals(True)
        self.list.clear()
        for name in names:
            self.list.addItem(QListWidgetItem(name))
        if names:
            self.list.setCurrentRow(names.index(select) if select in names else 0)
        self.list.blockSignals(False)
        self.remove_button.setEnabled(bool(names))
        self._show(self.current_name())

    def _chosen(self, name: str) -> None:
        self._show(name or None)

    def _show(self, name: str | None) -> None:
        if self.form is not None and self.form.name == name and self.form.scenario() is not None:
            return
        self.form = ScenarioForm(self.arch, self.stack, name) if name else None
        placeholder = QLabel("No scenarios yet. Add one to describe the load to simulate.")
        placeholder.setWordWrap(True)
        placeholder.setStyleSheet("color: #8a93a0;")
        _replace_widget(self.scroll, self.form or placeholder)

    def on_change(self, change: Change) -> None:
        if change.what == "scenario_changed":
            new_name, old_name = change.subject, change.detail
            if self.form is not None and self.form.name == old_name:
                self.form.name = new_name
                if new_name != old_name:
                    self.rebuild(select=new_name)
                    return
                if self.form.shape() != self.form.built_shape:
                    self._rebuild_form()
                else:
                    self.form.refresh()
            else:
                self.rebuild()
        elif change.what in ("scenario_added", "scenario_removed", "reset"):
            select = change.subject if change.what == "scenario_added" else None
            self.form = None if change.what == "reset" else self.form
            self.rebuild(select=select)
        elif change.what in ("node_added", "node_removed") and self.form is not None:
            self._rebuild_form()

    def _rebuild_form(self) -> None:
        name = self.form.name if self.form else None
        self.form = None
        self._show(name)

    def add_scenario(self) -> None:
        n = len(self.arch.scenarios) + 1
        name = f"scenario-{n}"
        while self.arch.scenario(name) is not None:
            n += 1
            name = f"scenario-{n}"
        entries = _entry_nodes(self.arch)
        load = [Load(entries[0], "poisson", {"rate_rps": 10})] if entries else []
        self.stack.push(commands.AddScenarioCommand(self.arch, Scenario(name, load=load)))

    def remove_scenario(self) -> None:
        name = self.current_name()
        if name:
            self.stack.push(commands.RemoveScenarioCommand(self.arch, name))


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
        _replace_widget(self.scroll, form)
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
