"""'New from Example': a gallery of the example designs with rendered thumbnails.

Thumbnails are drawn from the designs themselves (a DiagramScene rendered offscreen), so
they can never go stale; each is cached by file and modification time.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QUndoStack
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget,
)

from model.architecture import Architecture
from model.designfile import load_design
from model.errors import StratusError

from .theme import current, set_tone

THUMBNAIL = QSize(260, 160)
PATH_ROLE = Qt.UserRole + 1
_cache: dict[tuple[str, float, int, int], QPixmap] = {}


def describe(path: Path) -> str:
    """The example's leading comment block (after the header keys), as one paragraph."""
    lines = []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            lines.append(stripped.lstrip("#").strip())
        elif lines:
            break
    return " ".join(lines)


def render_thumbnail(arch: Architecture, size: QSize = THUMBNAIL) -> QPixmap:
    from .canvas.scene import DiagramScene

    scene = DiagramScene(arch, QUndoStack())
    pixmap = QPixmap(size)
    pixmap.fill(QColor("#F7F8FA"))
    painter = QPainter(pixmap)
    painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing | QPainter.SmoothPixmapTransform)
    source = scene.itemsBoundingRect().adjusted(-20, -20, 20, 20)
    scene.render(painter, QRectF(6, 6, size.width() - 12, size.height() - 12), source, Qt.KeepAspectRatio)
    painter.end()
    if hasattr(scene, "detach"):
        scene.detach()
    return pixmap


def thumbnail(path: Path, size: QSize = THUMBNAIL) -> QPixmap | None:
    key = (str(path), path.stat().st_mtime, size.width(), size.height())
    if key not in _cache:
        try:
            _cache[key] = render_thumbnail(load_design(path), size)
        except StratusError:
            return None
    return _cache[key]


class GalleryDialog(QDialog):
    def __init__(self, examples_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New from Example")
        self.resize(900, 620)
        layout = QVBoxLayout(self)
        intro = QLabel("Start from an example design. It opens as a new, unsaved design.")
        intro.setStyleSheet("padding-bottom: 4px;")
        set_tone(intro, "secondary")
        layout.addWidget(intro)
        self.list = QListWidget()
        self.list.setViewMode(QListWidget.IconMode)
        self.list.setIconSize(THUMBNAIL)
        self.list.setGridSize(QSize(THUMBNAIL.width() + 24, THUMBNAIL.height() + 56))
        self.list.setResizeMode(QListWidget.Adjust)
        self.list.setMovement(QListWidget.Static)
        self.list.setWordWrap(True)
        self.list.setSpacing(6)
        theme = current()
        picked = theme.pressed if theme.dark else "#EAF2FD"
        self.list.setStyleSheet(
            f"QListWidget {{ background: {theme.panel}; }}"
            f"QListWidget::item {{ border: 2px solid transparent; border-radius: 6px; padding: 4px; color: {theme.text}; }}"
            f"QListWidget::item:selected {{ background: {picked}; border: 2px solid {theme.accent}; color: {theme.text}; }}")
        layout.addWidget(self.list, 1)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setMinimumHeight(48)
        set_tone(self.description, "label")
        layout.addWidget(self.description)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Create")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.list.currentItemChanged.connect(self._current_changed)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self._fill(Path(examples_dir))

    def _fill(self, examples_dir: Path) -> None:
        for path in sorted(examples_dir.glob("*.yaml")):
            pixmap = thumbnail(path)
            if pixmap is None:
                continue
            try:
                name = load_design(path).name
            except StratusError:
                continue
            icon = QIcon(pixmap)
            icon.addPixmap(pixmap, QIcon.Selected)  # no blue tint: the frame shows the choice
            item = QListWidgetItem(icon, name)
            item.setData(PATH_ROLE, str(path))
            item.setToolTip(describe(path))
            item.setTextAlignment(Qt.AlignHCenter | Qt.AlignTop)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def _current_changed(self, item: QListWidgetItem | None, _previous=None) -> None:
        self.description.setText(item.toolTip() if item else "")

    def selected_path(self) -> Path | None:
        item = self.list.currentItem()
        return Path(item.data(PATH_ROLE)) if item else None
