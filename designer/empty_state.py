"""What an empty canvas says: how to start (drag a service, or open an example), with
buttons for the ways that need one. Shown over the canvas while the design has no node
and no note; drags and clicks around it reach the canvas as usual."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class EmptyCanvasHint(QFrame):
    def __init__(self, viewport: QWidget, actions: list) -> None:
        """`actions`: (button text, QAction) pairs, the first one the suggested one."""
        super().__init__(viewport)
        self.setObjectName("emptyCanvasHint")
        self.setStyleSheet(
            "#emptyCanvasHint { background: white; border: 1px solid #E1E5EA; border-radius: 10px; }"
            "QLabel#hintTitle { font-size: 13pt; font-weight: 600; color: #1F2733; }"
            "QLabel#hintText { color: #5F6B7A; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(8)
        title = QLabel("Start your design")
        title.setObjectName("hintTitle")
        text = QLabel("Drag a service from the <b>Services</b> palette on the left onto the canvas "
                      "(or select it there and press Enter), then drag from a card's right edge to "
                      "another card to connect them. Or begin from a ready-made example.")
        text.setObjectName("hintText")
        text.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(text)
        row = QHBoxLayout()
        row.setSpacing(8)
        self.buttons: dict[str, QPushButton] = {}
        for i, (label, action) in enumerate(actions):
            button = QPushButton(label)
            button.setDefault(i == 0)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(action.trigger)
            row.addWidget(button)
            self.buttons[label] = button
        row.addStretch(1)
        layout.addLayout(row)
        self.setFixedWidth(460)
        # The canvas moves its children when it scrolls: the hint goes back to the middle.
        self._centre = _Centring(self)
        viewport.installEventFilter(self._centre)
        self.installEventFilter(self._centre)

    def place(self) -> None:
        """In the middle of the canvas, a little above centre."""
        self.adjustSize()
        parent = self.parentWidget().rect()
        self.move(max(0, (parent.width() - self.width()) // 2), max(0, (parent.height() - self.height()) // 3))

    def set_shown(self, shown: bool) -> None:
        if shown:
            self.place()
            self.raise_()
        self.setVisible(shown)


class _Centring(QObject):
    """Keeps the hint in the middle when the canvas is resized or scrolled."""

    def __init__(self, hint: EmptyCanvasHint) -> None:
        super().__init__(hint)
        self.hint = hint

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt override)
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Move, QEvent.Type.Show) and self.hint.isVisible():
            self.hint.place()  # (placing it where it is sends no new Move)
        return False
