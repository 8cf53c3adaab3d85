"""Building blocks of the inspector's forms and the scenario editor: a header, section
headings, the form layout they share, and `FieldRows`, which binds catalogue-made editors
to a value in the model (read by a getter, written by a setter that pushes a command).
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from model.catalogue import Field

from .inspector_widgets import FieldEditor, field_label, field_tooltip, make_editor
from .theme import set_tone


def heading(text: str) -> QLabel:
    label = QLabel(text.upper())
    label.setObjectName("inspectorSection")
    label.setStyleSheet("font-weight: 600; font-size: 8pt; letter-spacing: 0.5px; padding-top: 8px;")
    return set_tone(label, "secondary")


def new_form() -> QFormLayout:
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


LABEL_STYLE = "padding-top: 4px;"  # coloured by its tone, "label" (theme.set_tone)


def row_label(fdef: Field) -> QLabel:
    label = QLabel(field_label(fdef.name))
    label.setToolTip(field_tooltip(fdef))
    label.setStyleSheet(LABEL_STYLE)
    return set_tone(label, "label")


def plain_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet(LABEL_STYLE)
    return set_tone(label, "label")


def replace_widget(scroll: QScrollArea, widget: QWidget) -> None:
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
        self.title.setStyleSheet("font-size: 11pt; font-weight: 600;")
        set_tone(self.title, "title")
        self.title.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.subtitle = QLabel(subtitle)
        self.subtitle.setWordWrap(True)
        self.subtitle.setMinimumWidth(120)
        self.title.setMinimumWidth(120)
        self.title.setWordWrap(True)
        set_tone(self.subtitle, "muted")
        texts.addWidget(self.title)
        texts.addWidget(self.subtitle)
        row.addLayout(texts, 1)


class FieldRows:
    """Editors bound to model values: `getter(key)` reads, `setter(key, value)` pushes."""

    def __init__(self, getter: Callable[[str], Any], setter: Callable[[str, Any], None],
                 is_change: Callable[[str, Any], bool] | None = None) -> None:
        """`is_change(key, value)` says whether an edited value changes anything (by
        default: it differs from `getter(key)`)."""
        self.getter, self.setter = getter, setter
        self.is_change = is_change or (lambda key, value: value != self.getter(key))
        self.editors: dict[str, FieldEditor] = {}
        self.labels: dict[str, QLabel] = {}

    def add(self, form: QFormLayout, fdef: Field, key: str | None = None) -> FieldEditor:
        key = key or fdef.name
        editor = make_editor(fdef)
        editor.setObjectName(f"field_{key}")
        editor.set_value(self.getter(key))
        editor.edited.connect(lambda value, k=key: self._edited(k, value))
        label = row_label(fdef)
        form.addRow(label, editor)
        self.editors[key] = editor
        self.labels[key] = label
        return editor

    def _edited(self, key: str, value: Any) -> None:
        if self.is_change(key, value):
            self.setter(key, value)

    def refresh(self) -> None:
        for key, editor in self.editors.items():
            editor.set_value(self.getter(key))
