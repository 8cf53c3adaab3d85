"""The service palette: every catalogue service, grouped by category, searchable.

Drag a service onto the canvas (MIME type application/x-stratus-service holding the
service key), or double-click it or press Enter on it to add it (`service_activated`).
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QDrag
from PySide6.QtWidgets import (QAbstractItemView, QLineEdit, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from model.catalogue import SERVICES

from . import icons, style
from .canvas.view import SERVICE_MIME_TYPE

CATEGORY_TITLES = {
    "compute": "Compute",
    "integration": "Application integration",
    "database": "Database",
    "storage": "Storage",
    "analytics": "Analytics",
}
_KEY_ROLE = Qt.ItemDataRole.UserRole


class _ServiceTree(QTreeWidget):
    enter_pressed = Signal(QTreeWidgetItem)  # Return or Enter on the current item

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(8)
        self.setIconSize(QSize(28, 28))
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformRowHeights(False)
        self.setFrameShape(QTreeWidget.Shape.NoFrame)

    def keyPressEvent(self, event) -> None:
        # Not itemActivated: on platforms that activate on a single click, that would add
        # a node each time a user only meant to pick one up for dragging.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentItem() is not None:
            self.enter_pressed.emit(self.currentItem())
            event.accept()
            return
        super().keyPressEvent(event)

    def mimeTypes(self) -> list[str]:
        return [SERVICE_MIME_TYPE]

    def mimeData(self, items) -> QMimeData:
        data = QMimeData()
        keys = [i.data(0, _KEY_ROLE) for i in items if i.data(0, _KEY_ROLE)]
        if keys:
            data.setData(SERVICE_MIME_TYPE, keys[0].encode("utf-8"))
            data.setText(keys[0])
        return data

    def startDrag(self, actions) -> None:
        item = self.currentItem()
        key = item.data(0, _KEY_ROLE) if item else None
        if not key:
            return
        drag = QDrag(self)
        drag.setMimeData(self.mimeData([item]))
        pixmap = icons.service_pixmap(key, 40, self.devicePixelRatioF())
        drag.setPixmap(pixmap)
        drag.setHotSpot(pixmap.rect().center() / pixmap.devicePixelRatio())
        drag.exec(Qt.DropAction.CopyAction)


class Palette(QWidget):
    service_activated = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search services…")
        self.search.setClearButtonEnabled(True)
        self.tree = _ServiceTree(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self.setMinimumWidth(180)
        self._service_items: dict[str, QTreeWidgetItem] = {}
        self._populate()
        self.search.textChanged.connect(self.filter)
        self.tree.itemDoubleClicked.connect(self._activated)
        self.tree.enter_pressed.connect(self._activated)

    def sizeHint(self) -> QSize:
        return QSize(style.PALETTE_WIDTH, 480)

    def _populate(self) -> None:
        by_category: dict[str, list] = {}
        for spec in SERVICES.values():
            by_category.setdefault(spec.category, []).append(spec)
        order = list(CATEGORY_TITLES) + sorted(set(by_category) - set(CATEGORY_TITLES))
        for category in order:
            specs = by_category.get(category)
            if not specs:
                continue
            header = QTreeWidgetItem(self.tree, [CATEGORY_TITLES.get(category, category.title()).upper()])
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            header.setFont(0, style.ui_font(7.5, bold=True))
            header.setForeground(0, QBrush(style.NODE_SUBTITLE))
            header.setSizeHint(0, QSize(0, 26))
            for spec in sorted(specs, key=lambda s: s.name):
                item = QTreeWidgetItem(header, [spec.name])
                item.setIcon(0, icons.service_icon(spec.key))
                item.setData(0, _KEY_ROLE, spec.key)
                item.setToolTip(0, f"{spec.name} — {spec.summary}\nDrag onto the canvas, or double-click (or press Enter) to add it.")
                item.setFont(0, style.ui_font(9.5))
                item.setSizeHint(0, QSize(0, 36))
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                              | Qt.ItemFlag.ItemIsDragEnabled)
                self._service_items[spec.key] = item
            header.setExpanded(True)

    def filter(self, text: str) -> None:
        """Show services whose name, key or summary contains the text (case-insensitive)."""
        needle = text.strip().lower()
        for i in range(self.tree.topLevelItemCount()):
            header = self.tree.topLevelItem(i)
            any_visible = False
            for j in range(header.childCount()):
                item = header.child(j)
                spec = SERVICES[item.data(0, _KEY_ROLE)]
                hay = f"{spec.name} {spec.key} {spec.summary}".lower()
                visible = not needle or needle in hay
                item.setHidden(not visible)
                any_visible |= visible
            header.setHidden(not any_visible)

    def visible_services(self) -> list[str]:
        return [k for k, item in self._service_items.items() if not item.isHidden() and not item.parent().isHidden()]

    def service_item(self, key: str) -> QTreeWidgetItem | None:
        return self._service_items.get(key)

    def _activated(self, item: QTreeWidgetItem, column: int = 0) -> None:
        key = item.data(0, _KEY_ROLE)
        if key:
            self.service_activated.emit(key)
