"""The Problems panel: validation results, one line each; a click shows the culprit."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from model.errors import Problem

from .theme import set_tone

ERROR_COLOUR = QColor("#D92D20")
WARNING_COLOUR = QColor("#E59A0B")
OK_COLOUR = QColor("#12B76A")
PROBLEM_ROLE = Qt.UserRole + 1


def _badge(kind: str, size: int = 16, dpr: float = 2.0) -> QPixmap:
    """A small round (error) or triangular (warning) badge, drawn so it is crisp anywhere."""
    pixmap = QPixmap(int(size * dpr), int(size * dpr))
    pixmap.setDevicePixelRatio(dpr)
    pixmap.fill(Qt.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.Antialiasing)
    painter.setPen(Qt.NoPen)
    s = float(size)
    if kind == "warning":
        painter.setBrush(WARNING_COLOUR)
        path = QPainterPath(QPointF(s / 2, 1.5))
        path.lineTo(s - 1, s - 1.5)
        path.lineTo(1, s - 1.5)
        path.closeSubpath()
        painter.drawPath(path)
        mark_top = s * 0.38
    else:
        painter.setBrush(OK_COLOUR if kind == "ok" else ERROR_COLOUR)
        painter.drawEllipse(QRectF(1, 1, s - 2, s - 2))
        mark_top = s * 0.25
    painter.setPen(QPen(Qt.white, s * 0.13, Qt.SolidLine, Qt.RoundCap))
    if kind == "ok":
        path = QPainterPath(QPointF(s * 0.3, s * 0.52))
        path.lineTo(s * 0.45, s * 0.67)
        path.lineTo(s * 0.72, s * 0.37)
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(path)
    else:
        painter.drawLine(QPointF(s / 2, mark_top), QPointF(s / 2, s * 0.6))
        painter.drawPoint(QPointF(s / 2, s * 0.76))
    painter.end()
    return pixmap


_icons: dict[str, QIcon] = {}


def severity_icon(kind: str) -> QIcon:
    if kind not in _icons:
        _icons[kind] = QIcon(_badge(kind))
    return _icons[kind]


class ProblemsPanel(QWidget):
    """Lists problems as "subject: message"; `problem_activated` on click."""

    problem_activated = Signal(object)  # Problem

    def __init__(self, parent: QWidget | None = None,
                 name_of: Callable[[Problem], str | None] | None = None) -> None:
        """`name_of(problem)`: how to name what a problem is about (a node by its label and
        id), or None to keep the validator's subject."""
        super().__init__(parent)
        self.name_of = name_of or (lambda problem: None)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.summary = QLabel()
        self.summary.setObjectName("problemsSummary")
        self.summary.setStyleSheet("padding: 4px 8px;")
        set_tone(self.summary, "secondary")
        layout.addWidget(self.summary)
        self.list = QListWidget()
        self.list.setObjectName("problemsList")
        self.list.setFrameShape(QListWidget.NoFrame)
        self.list.setUniformItemSizes(True)
        self.list.setAlternatingRowColors(False)
        self.list.setIconSize(QSize(14, 14))
        self.list.setStyleSheet("QListWidget::item { padding: 1px 4px; }")
        self.list.itemClicked.connect(self._clicked)
        self.list.itemActivated.connect(self._clicked)
        layout.addWidget(self.list, 1)
        self.problems: list[Problem] = []
        self.set_problems([])

    def set_problems(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        # Errors first, then warnings; within each, the validator's order (file order).
        ordered = sorted(self.problems, key=lambda p: 0 if p.is_error else 1)
        self.list.clear()
        for problem in ordered:
            subject = self.name_of(problem) or problem.subject
            item = QListWidgetItem(severity_icon("error" if problem.is_error else "warning"),
                                   f"{subject}: {problem.message}")
            item.setData(PROBLEM_ROLE, problem)
            item.setToolTip(problem.format())
            self.list.addItem(item)
        self.summary.setText(self._summary_text())
        # With problems listed, the dock title and status bar carry the count: the rows
        # get the room.
        self.summary.setVisible(not self.problems)
        self.list.setToolTip("Click a problem to select what it is about" if self.problems else "")

    def _summary_text(self) -> str:
        n_errors = sum(1 for p in self.problems if p.is_error)
        n_warnings = len(self.problems) - n_errors
        if not self.problems:
            return "✓  No problems: the design is valid."
        parts = []
        if n_errors:
            parts.append(f"{n_errors} error{'s' if n_errors != 1 else ''}")
        if n_warnings:
            parts.append(f"{n_warnings} warning{'s' if n_warnings != 1 else ''}")
        return ", ".join(parts) + " — click one to show it"

    def counts(self) -> tuple[int, int]:
        n_errors = sum(1 for p in self.problems if p.is_error)
        return n_errors, len(self.problems) - n_errors

    def _clicked(self, item: QListWidgetItem) -> None:
        problem = item.data(PROBLEM_ROLE)
        if problem is not None:
            self.problem_activated.emit(problem)

    def item_for(self, problem: Problem) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            if self.list.item(row).data(PROBLEM_ROLE) == problem:
                return self.list.item(row)
        return None

