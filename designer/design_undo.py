"""Undo and Redo in the main window are always the design's.

A line edit or a spin box keeps its own undo for its text, and it takes Ctrl+Z before any
window shortcut does (it accepts the ShortcutOverride event Qt sends first). In the
inspector that undid the text and left the design changed. So the field that has the
focus gets an event filter that lets the window's Undo/Redo keys through to the window's
actions, and those actions first commit what the field holds (as leaving it would) and
then undo the design: the field shows the model's value again, like every other view.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QPlainTextEdit, QTextEdit,
                               QWidget)

TEXT_FIELDS = (QLineEdit, QAbstractSpinBox, QComboBox, QPlainTextEdit, QTextEdit)


class DesignUndo(QObject):
    """The window's Undo and Redo actions, and the filter on the focused field."""

    def __init__(self, window: QWidget, stack: QUndoStack) -> None:
        super().__init__(window)
        self.window, self.stack = window, stack
        self.undo_action = QAction("&Undo", window)
        self.redo_action = QAction("&Redo", window)
        self.undo_action.triggered.connect(self.undo)
        self.redo_action.triggered.connect(self.redo)
        stack.canUndoChanged.connect(self.undo_action.setEnabled)
        stack.canRedoChanged.connect(self.redo_action.setEnabled)
        stack.undoTextChanged.connect(lambda text: self.undo_action.setText(_titled("&Undo", text)))
        stack.redoTextChanged.connect(lambda text: self.redo_action.setText(_titled("&Redo", text)))
        self.undo_action.setEnabled(stack.canUndo())
        self.redo_action.setEnabled(stack.canRedo())
        self._filtered: QWidget | None = None
        QApplication.instance().focusChanged.connect(self._focus_changed)

    # -- the actions -------------------------------------------------------------------

    def undo(self) -> None:
        commit_focused_field(self.window)
        self.stack.undo()

    def redo(self) -> None:
        commit_focused_field(self.window)
        self.stack.redo()

    # -- the focused field -------------------------------------------------------------

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if self._filtered is not None:
            try:
                self._filtered.removeEventFilter(self)
            except RuntimeError:  # the field is gone (a form was rebuilt)
                pass
            self._filtered = None
        if isinstance(new, TEXT_FIELDS) and new.window() is self.window:
            new.installEventFilter(self)
            self._filtered = new

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.ShortcutOverride and self._is_undo_key(event):
            return True  # not the field's to take: the window's action gets the key
        return False

    def _is_undo_key(self, event) -> bool:
        pressed = QKeySequence(event.keyCombination())
        return any(pressed == key for action in (self.undo_action, self.redo_action) for key in action.shortcuts())


def commit_focused_field(window: QWidget) -> None:
    """Let the focused text field of `window` hand in what it holds, as leaving it would.

    Spin boxes and combo boxes commit as the value changes; a line edit commits on
    editingFinished, which is what it would emit on losing the focus."""
    field = QApplication.focusWidget()
    if field is None or field.window() is not window:
        return
    if callable(getattr(field, "commit", None)):  # a text of several lines (a note)
        field.commit()
        return
    if not isinstance(field, QLineEdit):
        return
    owner = field.parentWidget()
    if isinstance(owner, (QAbstractSpinBox, QComboBox)):
        return
    field.editingFinished.emit()


def _titled(verb: str, text: str) -> str:
    return f"{verb} {text}" if text else verb
