"""Editing a text where it is drawn: a card's label, a group's name, a note's text.

The view puts one of these editors over the text (F2 or a double-click); Enter (a note:
Ctrl+Enter) or leaving it commits, Escape gives up. The editor only reports the text:
the view's caller turns it into an undo command, so the model changes the usual way.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from .. import theme


def _style() -> str:
    """The editor in the theme's colours (a white box over a dark card would glare)."""
    t = theme.current()
    return (f"border: 2px solid {t.accent}; border-radius: 4px; background: {t.panel}; color: {t.text}; "
            f"selection-background-color: {t.pressed}; selection-color: {t.text};")


class _Finishing:
    """Commit once, on the commit key or when the focus leaves; Escape cancels. The editor
    classes below say what their text is and which key commits it."""

    committed: Signal
    cancelled: Signal

    def _prepare(self) -> None:
        self.setObjectName("inPlaceEditor")
        self.setStyleSheet(_style())
        self.selectAll()

    def _finish(self, commit: bool) -> None:
        if getattr(self, "_done", False):
            return
        self._done = True
        if commit:
            self.committed.emit(self.text_value())
        else:
            self.cancelled.emit()

    def text_value(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def commits(self, event) -> bool:  # pragma: no cover - overridden
        raise NotImplementedError

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt override)
        if self.commits(event):
            self._finish(True)
        elif event.key() == Qt.Key.Key_Escape:
            self._finish(False)
        else:
            super().keyPressEvent(event)

    def focusOutEvent(self, event) -> None:  # noqa: N802 (Qt override)
        super().focusOutEvent(event)
        self._finish(True)


_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class LineEditor(_Finishing, QLineEdit):
    """One line (a label, a group's name): Enter commits."""

    committed = Signal(str)
    cancelled = Signal()

    def __init__(self, text: str, parent: QWidget) -> None:
        QLineEdit.__init__(self, text, parent)
        self._prepare()

    def text_value(self) -> str:
        return self.text()

    def commits(self, event) -> bool:
        return event.key() in _ENTER


class TextEditor(_Finishing, QPlainTextEdit):
    """Several lines (a note): Enter starts a new line, Ctrl+Enter commits."""

    committed = Signal(str)
    cancelled = Signal()

    def __init__(self, text: str, parent: QWidget) -> None:
        QPlainTextEdit.__init__(self, text, parent)
        self._prepare()

    def text_value(self) -> str:
        return self.toPlainText()

    def commits(self, event) -> bool:
        return event.key() in _ENTER and bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
