"""The scenario editor (the inspector's Scenarios tab): the list of load scenarios and a
form for the chosen one: its name, duration, seed and warm-up, its loads (entry node,
pattern and the pattern's parameters, from the catalogue's LOAD_PATTERNS) and its what-if
overrides of node config.

Every edit copies the scenario, changes the copy and pushes a ReplaceScenarioCommand, so
it is undoable and the model tells every view. The form is refreshed in place when only
values change and rebuilt when its shape does (loads added, removed or re-patterned).
"""

from __future__ import annotations

import copy
from typing import Any, Callable

import yaml
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QFrame, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QListWidget, QListWidgetItem, QPushButton, QScrollArea, QTableWidget, QTableWidgetItem,
    QToolButton, QVBoxLayout, QWidget,
)

from model.architecture import Architecture, Change, Load, Scenario
from model.catalogue import LOAD_PATTERNS, SCENARIO_FIELDS, SERVICES

from . import commands
from .form_parts import FieldRows, heading, new_form, plain_label, replace_widget
from .inspector_widgets import compact
from .names import node_name
from .theme import current, set_tone


def _entry_nodes(arch: Architecture) -> list[str]:
    return [n.id for n in arch.nodes.values()
            if (spec := SERVICES.get(n.service)) is not None and spec.takes_outside_traffic]


class LoadRow(QFrame):
    """One load entry: entry node, pattern and the pattern's parameters."""

    def __init__(self, form: "ScenarioForm", index: int, load: Load) -> None:
        super().__init__()
        self.setObjectName("loadRow")
        t = current()
        self.setStyleSheet(f"#loadRow {{ background: {t.alternate}; border: 1px solid {t.border}; border-radius: 6px; }}")
        self.form, self.index = form, index
        layout = new_form()
        layout.setContentsMargins(8, 6, 8, 8)
        self.setLayout(layout)
        top = QHBoxLayout()
        self.entry = QComboBox()
        self.entry.setObjectName("load_entry")
        self.entry.setToolTip("Node the traffic enters at")
        entries = _entry_nodes(form.arch)
        if load.entry not in entries:
            entries.append(load.entry)
        for node_id in entries:  # named as on the canvas; the id is the item's data
            self.entry.addItem(node_name(form.arch, node_id, with_id=True), node_id)
        self.entry.setCurrentIndex(entries.index(load.entry))
        self.entry.currentIndexChanged.connect(
            lambda i: form.edit(lambda s: setattr(s.load[index], "entry", self.entry.itemData(i))))
        top.addWidget(compact(self.entry), 1)
        remove = QToolButton()
        remove.setText("✕")
        remove.setToolTip("Remove this load")
        remove.setAutoRaise(True)
        remove.clicked.connect(lambda: form.edit(lambda s: s.load.pop(index)))
        top.addWidget(remove)
        layout.addRow(plain_label("Entry"), top)
        self.pattern = QComboBox()
        for name, shape in LOAD_PATTERNS.items():
            self.pattern.addItem(name)
            self.pattern.setItemData(self.pattern.count() - 1, shape.help, Qt.ToolTipRole)
        if load.pattern not in LOAD_PATTERNS:
            self.pattern.addItem(load.pattern)
        self.pattern.setCurrentText(load.pattern)
        self.pattern.setToolTip(LOAD_PATTERNS[load.pattern].help if load.pattern in LOAD_PATTERNS else "")
        self.pattern.currentTextChanged.connect(self._pattern_chosen)
        layout.addRow(plain_label("Pattern"), compact(self.pattern))
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
            # The cell holds the id (typed, and written to the file); the label is a hover away.
            self.table.item(r, 0).setToolTip(node_name(self.form.arch, node_id, with_id=True))
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
        form = new_form()
        self.name_edit = QLineEdit(name)
        self.name_edit.setObjectName("scenario_name")
        self.name_edit.editingFinished.connect(self._rename)
        form.addRow(plain_label("Name"), compact(self.name_edit))
        self.rows = FieldRows(self._value, self._set)
        for fdef in SCENARIO_FIELDS:
            self.rows.add(form, fdef)
        layout.addLayout(form)
        layout.addWidget(heading("Load"))
        scenario = self.scenario()
        self.load_rows = [LoadRow(self, i, load) for i, load in enumerate(scenario.load)]
        for row in self.load_rows:
            layout.addWidget(row)
        add_load = QPushButton("Add load")
        add_load.setObjectName("add_load")
        add_load.clicked.connect(self._add_load)
        layout.addWidget(add_load, 0, Qt.AlignLeft)
        layout.addWidget(heading("Overrides"))
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
        if self.name_edit.text() != self.name:
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
        # Delete in the list removes the scenario chosen there (and nothing on the canvas).
        delete = QAction("Remove scenario", self.list)
        delete.setShortcuts([QKeySequence(QKeySequence.StandardKey.Delete), QKeySequence("Backspace")])
        delete.setShortcutContext(Qt.WidgetShortcut)
        delete.triggered.connect(self.remove_scenario)
        self.list.addAction(delete)
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
        set_tone(placeholder, "hint")
        replace_widget(self.scroll, self.form or placeholder)

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
        elif change.what in ("node_added", "node_removed", "node_renamed") and self.form is not None:
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
