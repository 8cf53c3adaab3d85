"""Editors for single catalogue fields, built from a `model.catalogue.Field`.

Each editor shows one value, emits `edited(value)` when the user changes it and accepts
`set_value(value)` from the model without echoing it back (signals blocked), so an undo
refreshes the form without pushing a new command. Ranges, units and help come from the
catalogue: a value out of range cannot be typed at all.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QHBoxLayout, QLineEdit, QSpinBox,
    QSizePolicy, QToolButton, QVBoxLayout, QWidget,
)

from model.catalogue import DISTRIBUTIONS, Field

INT_LIMIT = 2_147_483_647  # QSpinBox holds a C int
FLOAT_LIMIT = 1e15
UNSET_TEXT = "unset"

# Name endings that only repeat the unit (which the spin box shows as a suffix).
_UNIT_ENDINGS = ("_ms", "_s", "_mb", "_kb", "_rps", "_hours")
_WORDS = {"rps": "rate", "p50": "p50", "p99": "p99", "ms": "ms", "kb": "KB", "mb": "MB"}


def field_label(name: str) -> str:
    """'throttle_rate_rps' -> 'Throttle rate', 'memory_mb' -> 'Memory'."""
    stem = name
    for ending in _UNIT_ENDINGS:
        if stem.endswith(ending) and len(stem) > len(ending):
            stem = stem[: -len(ending)]
            break
    words = [_WORDS.get(w, w) for w in stem.split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def field_tooltip(fdef: Field) -> str:
    parts = [fdef.help]
    rng = fdef.describe_range()
    if rng:
        parts.append(f"Range: {rng}")
    if fdef.default is not None and fdef.kind not in ("dist",):
        parts.append(f"Default: {fdef.default}")
    if fdef.nullable:
        parts.append("Leave 'unset' for none")
    return "\n".join(p for p in parts if p)


def _suffix(unit: str) -> str:
    return f" {unit}" if unit else ""


MIN_EDITOR_WIDTH = 70


def compact(widget: QWidget) -> QWidget:
    """Let a widget shrink to the inspector's width (a spin box's size hint follows its
    range: a 1e15 maximum would make it as wide as the screen)."""
    widget.setMinimumWidth(MIN_EDITOR_WIDTH)
    widget.setSizePolicy(QSizePolicy.Ignored, widget.sizePolicy().verticalPolicy())
    return widget


class FieldEditor(QWidget):
    """Base class: one value of one field."""

    edited = Signal(object)

    def __init__(self, fdef: Field, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fdef = fdef
        self.setToolTip(field_tooltip(fdef))
        self.setMinimumWidth(MIN_EDITOR_WIDTH)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)

    def set_value(self, value: Any) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def value(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError


class CompactDoubleSpinBox(QDoubleSpinBox):
    """A double spin box that writes 512 rather than 512.000."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setLocale(QLocale.c())
        self.setDecimals(4)

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt override)
        text = f"{value:.{self.decimals()}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text


def _float_range(fdef: Field) -> tuple[float, float]:
    low = -FLOAT_LIMIT if fdef.min is None else float(fdef.min)
    high = FLOAT_LIMIT if fdef.max is None else float(fdef.max)
    return low, high


def _int_range(fdef: Field) -> tuple[int, int]:
    low = -INT_LIMIT if fdef.min is None else max(-INT_LIMIT, int(math.ceil(fdef.min)))
    high = INT_LIMIT if fdef.max is None else min(INT_LIMIT, int(fdef.max))
    return low, high


class IntEditor(FieldEditor):
    """A spin box; a nullable field gets one extra value below its minimum shown as 'unset'."""

    def __init__(self, fdef: Field, parent: QWidget | None = None) -> None:
        super().__init__(fdef, parent)
        self.spin = QSpinBox()
        low, high = _int_range(fdef)
        if fdef.nullable:
            low -= 1
            self.spin.setSpecialValueText(UNSET_TEXT)
        self.spin.setRange(low, high)
        self.spin.setSuffix(_suffix(fdef.unit))
        self.spin.setAccelerated(True)
        self.spin.setToolTip(self.toolTip())
        self.layout().addWidget(compact(self.spin))
        self.spin.valueChanged.connect(lambda _v: self.edited.emit(self.value()))

    def value(self) -> int | None:
        if self.fdef.nullable and self.spin.value() == self.spin.minimum():
            return None
        return self.spin.value()

    def set_value(self, value: Any) -> None:
        target = self.spin.minimum() if value is None else int(value)
        if self.spin.value() != target:
            self.spin.blockSignals(True)
            self.spin.setValue(target)
            self.spin.blockSignals(False)


class FloatEditor(FieldEditor):
    """A spin box; a nullable field gets one step below its minimum shown as 'unset'."""

    def __init__(self, fdef: Field, parent: QWidget | None = None) -> None:
        super().__init__(fdef, parent)
        self.spin = CompactDoubleSpinBox()
        low, high = _float_range(fdef)
        if fdef.nullable:
            low -= _step_for(fdef)
            self.spin.setSpecialValueText(UNSET_TEXT)
        self.spin.setRange(low, high)
        self.spin.setSuffix(_suffix(fdef.unit))
        self.spin.setSingleStep(_step_for(fdef))
        self.spin.setAccelerated(True)
        self.spin.setToolTip(self.toolTip())
        self.layout().addWidget(compact(self.spin))
        self.spin.valueChanged.connect(lambda _v: self.edited.emit(self.value()))

    def value(self) -> float | int | None:
        value = self.spin.value()
        if self.fdef.nullable and value == self.spin.minimum():
            return None
        return int(value) if float(value).is_integer() and not _is_fraction_field(self.fdef) else value

    def set_value(self, value: Any) -> None:
        if value is None and self.fdef.nullable:
            target = self.spin.minimum()
        else:
            target = float(value if value is not None else (self.fdef.default or 0))
        if not math.isclose(self.spin.value(), target, rel_tol=0, abs_tol=1e-9):
            self.spin.blockSignals(True)
            self.spin.setValue(target)
            self.spin.blockSignals(False)


def _is_fraction_field(fdef: Field) -> bool:
    return fdef.max is not None and fdef.max <= 1


def _step_for(fdef: Field) -> float:
    if _is_fraction_field(fdef):
        return 0.01
    return 1.0


class BoolEditor(FieldEditor):
    def __init__(self, fdef: Field, parent: QWidget | None = None) -> None:
        super().__init__(fdef, parent)
        self.box = QCheckBox()
        self.box.setToolTip(self.toolTip())
        self.layout().addWidget(self.box)
        self.layout().addStretch(1)
        self.box.toggled.connect(lambda v: self.edited.emit(bool(v)))

    def value(self) -> bool:
        return self.box.isChecked()

    def set_value(self, value: Any) -> None:
        if self.box.isChecked() != bool(value):
            self.box.blockSignals(True)
            self.box.setChecked(bool(value))
            self.box.blockSignals(False)


class ChoiceEditor(FieldEditor):
    def __init__(self, fdef: Field, parent: QWidget | None = None,
                 choices: tuple[str, ...] | list[str] | None = None) -> None:
        super().__init__(fdef, parent)
        self.combo = QComboBox()
        self.combo.setToolTip(self.toolTip())
        self.combo.addItems(list(choices if choices is not None else fdef.choices))
        self.layout().addWidget(compact(self.combo))
        self.combo.currentTextChanged.connect(lambda t: self.edited.emit(t))

    def value(self) -> str:
        return self.combo.currentText()

    def set_value(self, value: Any) -> None:
        text = "" if value is None else str(value)
        if self.combo.currentText() == text:
            return
        self.combo.blockSignals(True)
        if self.combo.findText(text) < 0:  # a value the catalogue does not list: keep it
            self.combo.addItem(text)
        self.combo.setCurrentText(text)
        self.combo.blockSignals(False)


class StrEditor(FieldEditor):
    """A line edit that commits when editing finishes (not per keystroke)."""

    def __init__(self, fdef: Field, parent: QWidget | None = None) -> None:
        super().__init__(fdef, parent)
        self.line = QLineEdit()
        self.line.setToolTip(self.toolTip())
        if fdef.nullable:
            self.line.setPlaceholderText(UNSET_TEXT)
        self.layout().addWidget(compact(self.line))
        self.line.editingFinished.connect(self._commit)
        self._shown: Any = None

    def _commit(self) -> None:
        value = self.value()
        if value != self._shown:
            self._shown = value
            self.edited.emit(value)

    def value(self) -> str | None:
        text = self.line.text()
        return None if (self.fdef.nullable and not text) else text

    def set_value(self, value: Any) -> None:
        self._shown = value
        text = "" if value is None else str(value)
        if self.line.text() != text:
            self.line.blockSignals(True)
            self.line.setText(text)
            self.line.blockSignals(False)


class PathEditor(StrEditor):
    """A folder path with a browse button."""

    def __init__(self, fdef: Field, parent: QWidget | None = None) -> None:
        super().__init__(fdef, parent)
        button = QToolButton()
        button.setText("…")
        button.setToolTip("Choose a folder")
        button.clicked.connect(self._browse)
        self.layout().addWidget(button)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.fdef.help, self.line.text())
        if folder:
            self.line.setText(folder)
            self._commit()


class ListEditor(StrEditor):
    """Numbers separated by commas (empirical samples)."""

    def value(self) -> list[float]:
        values = []
        for part in self.line.text().replace(";", ",").split(","):
            try:
                values.append(float(part))
            except ValueError:
                continue
        return values

    def set_value(self, value: Any) -> None:
        self._shown = list(value or [])
        text = ", ".join(f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in value or [])
        if self.line.text() != text:
            self.line.blockSignals(True)
            self.line.setText(text)
            self.line.blockSignals(False)


def normalise_distribution(value: Any) -> dict:
    """A bare number is a fixed distribution; anything else is kept as a dict."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"dist": "fixed", "value": value}
    if isinstance(value, dict) and value.get("dist") in DISTRIBUTIONS:
        return dict(value)
    return {"dist": "fixed", "value": 0}


class DistributionEditor(FieldEditor):
    """A distribution: its shape in a combo, then that shape's parameters."""

    def __init__(self, fdef: Field, parent: QWidget | None = None) -> None:
        super().__init__(fdef, parent)
        outer = self.layout()
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        outer.addWidget(box)
        self.combo = QComboBox()
        for name, shape in DISTRIBUTIONS.items():
            self.combo.addItem(name, name)
            self.combo.setItemData(self.combo.count() - 1, shape.help, Qt.ToolTipRole)
        self.combo.setToolTip(self.toolTip())
        column.addWidget(compact(self.combo))
        self.params_row = QWidget()
        self.params_layout = QHBoxLayout(self.params_row)
        self.params_layout.setContentsMargins(0, 0, 0, 0)
        self.params_layout.setSpacing(4)
        column.addWidget(self.params_row)
        self.param_editors: dict[str, FieldEditor] = {}
        self._value: dict = {}
        self.combo.currentTextChanged.connect(self._shape_chosen)

    def _build_params(self, shape_name: str) -> None:
        for editor in self.param_editors.values():
            editor.setParent(None)
            editor.deleteLater()
        self.param_editors = {}
        for pdef in DISTRIBUTIONS[shape_name].fields:
            editor = make_editor(pdef)
            editor.setToolTip(f"{pdef.name}: {pdef.help}")
            if isinstance(editor, (IntEditor, FloatEditor)):
                editor.spin.setPrefix(f"{pdef.name}  ")
                editor.spin.setToolTip(f"{pdef.help} ({pdef.name})")
            editor.edited.connect(lambda v, key=pdef.name: self._param_edited(key, v))
            self.params_layout.addWidget(editor, 1)
            self.param_editors[pdef.name] = editor

    def _shape_chosen(self, shape_name: str) -> None:
        """The user picked another shape: keep the centre of the old one where we can."""
        centre = _centre_of(self._value)
        new = {"dist": shape_name}
        for pdef in DISTRIBUTIONS[shape_name].fields:
            new[pdef.name] = _guess_param(pdef.name, centre, pdef.default)
        self._value = new
        self._build_params(shape_name)
        self._show_params()
        self.edited.emit(self.value())

    def _param_edited(self, key: str, value: Any) -> None:
        self._value[key] = value
        self.edited.emit(self.value())

    def value(self) -> dict:
        return dict(self._value)

    def set_value(self, value: Any) -> None:
        new = normalise_distribution(value)
        if new == self._value:
            return
        shape_changed = new.get("dist") != self._value.get("dist")
        self._value = new
        if shape_changed or not self.param_editors:
            self.combo.blockSignals(True)
            self.combo.setCurrentText(new["dist"])
            self.combo.blockSignals(False)
            self._build_params(new["dist"])
        self._show_params()

    def _show_params(self) -> None:
        for key, editor in self.param_editors.items():
            editor.set_value(self._value.get(key, editor.fdef.default))


def _centre_of(value: dict) -> float:
    for key in ("value", "mean", "p50"):
        if isinstance(value.get(key), (int, float)):
            return float(value[key])
    if isinstance(value.get("low"), (int, float)) and isinstance(value.get("high"), (int, float)):
        return (value["low"] + value["high"]) / 2
    samples = value.get("samples")
    if samples:
        return float(sum(samples) / len(samples))
    return 10.0


def _guess_param(name: str, centre: float, default: Any) -> Any:
    guesses = {
        "value": centre, "mean": centre, "p50": centre, "p99": centre * 5,
        "stddev": centre * 0.2, "low": centre * 0.5, "high": centre * 1.5, "samples": [centre],
    }
    value = guesses.get(name, default)
    if isinstance(value, float):
        value = round(value, 3)
        if value.is_integer():
            value = int(value)
    return value


_EDITORS = {
    "int": IntEditor, "float": FloatEditor, "bool": BoolEditor, "choice": ChoiceEditor,
    "str": StrEditor, "path": PathEditor, "dist": DistributionEditor, "list": ListEditor,
}


def make_editor(fdef: Field, parent: QWidget | None = None) -> FieldEditor:
    return _EDITORS.get(fdef.kind, StrEditor)(fdef, parent)
