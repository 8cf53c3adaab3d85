"""The design's regional quota overrides (`account.quotas`, model.quotas), in the design form.

Folded by default: most designs run on AWS's defaults. Each row shows the default for the
design's region until a value is typed; clearing a value (down to the lowest step) goes
back to the default. Every edit is one undo step (SetPropertyCommand).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QFormLayout, QToolButton, QVBoxLayout, QWidget

from model.architecture import Architecture
from model.catalogue import Field
from model.quotas import QUOTAS, quota_overrides

from . import commands
from .form_parts import FieldRows, new_form

# Words of a quota's key written as AWS writes them, for its row label.
_WORDS = {"api": "API", "gateway": "Gateway", "rps": "req/s", "lambda": "Lambda", "step": "Step",
          "functions": "Functions", "express": "Express", "eventbridge": "EventBridge", "put": "Put",
          "events": "Events", "dynamodb": "DynamoDB", "rru": "RRU/s", "wru": "WRU/s", "max": "max"}
KEY_PREFIX = "account.quotas."


def quota_label(key: str) -> str:
    words = [_WORDS.get(word, word) for word in key.split("_")]
    return " ".join(words)


def _field(key: str) -> Field:
    quota = QUOTAS[key]
    return Field(key, "float", None, f"{quota.help}.\nSource: {quota.source}", quota.unit, 1, 1e9, nullable=True)


class QuotaSection(QWidget):
    """A fold-out list of every regional quota: the override, or AWS's default shown."""

    def __init__(self, arch: Architecture, stack: QUndoStack) -> None:
        super().__init__()
        self.arch, self.stack = arch, stack
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        self.toggle = QToolButton()
        self.toggle.setObjectName("quota_toggle")
        self.toggle.setCheckable(True)
        self.toggle.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        self.toggle.setAutoRaise(True)
        self.toggle.setToolTip("AWS's regional quotas this design is simulated with; set one to "
                               "simulate a raised (or lowered) quota")
        self.toggle.toggled.connect(self._fold)
        layout.addWidget(self.toggle)
        self.body = QWidget()
        form: QFormLayout = new_form()
        self.body.setLayout(form)
        self.rows = FieldRows(self._value, self._set)
        for key in QUOTAS:
            editor = self.rows.add(form, _field(key), KEY_PREFIX + key)
            self.rows.labels[KEY_PREFIX + key].setText(quota_label(key))
            editor.setObjectName(f"quota_{key}")
        layout.addWidget(self.body)
        self.refresh()
        self._fold(False)

    def _fold(self, open_: bool) -> None:
        self.body.setVisible(open_)
        self.toggle.setArrowType(Qt.DownArrow if open_ else Qt.RightArrow)

    def _value(self, key: str) -> Any:
        return self.arch.property_value(key)

    def _set(self, key: str, value: Any) -> None:
        self.stack.push(commands.SetPropertyCommand(self.arch, key, value))

    def refresh(self) -> None:
        """Values from the design; each empty row shows the default for its region."""
        self.rows.refresh()
        concurrency = self.arch.account_setting("concurrency_limit")
        for key in QUOTAS:
            default = QUOTAS[key].default_for(self.arch.region, concurrency)
            self.rows.editors[KEY_PREFIX + key].spin.setSpecialValueText(f"AWS default: {default:,.0f}")
        changed = len(quota_overrides(self.arch.account))
        self.toggle.setText(f"Regional quotas ({changed} changed)" if changed else "Regional quotas (AWS defaults)")

