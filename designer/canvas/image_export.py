"""Pictures of the canvas: the whole drawing as a PNG or an SVG file.

A picture shows the design, not the editing session: it is drawn on white, without the
selection, with full cards and labels whatever the view's zoom (`DiagramScene.render`
sees to that), framed by `MARGIN` around everything drawn.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter

MARGIN = 24.0
_WHITE = QColor("#FFFFFF")


def picture_rect(scene) -> QRectF:
    """The part of the scene a picture shows (scene coordinates)."""
    return scene.itemsBoundingRect().adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def write_png(scene, path: str, scale: float = 2.0) -> bool:
    """The drawing at `scale` pixels per scene unit; False if the file could not be written."""
    source = picture_rect(scene)
    size = QSize(max(1, int(source.width() * scale)), max(1, int(source.height() * scale)))
    image = QImage(size, QImage.Format_ARGB32_Premultiplied)
    image.fill(_WHITE)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing | QPainter.SmoothPixmapTransform)
    _render(scene, painter, QRectF(0, 0, size.width(), size.height()), source)
    painter.end()
    return image.save(path)


def write_svg(scene, path: str, title: str) -> bool:
    """The drawing as vector shapes, one scene unit a user unit; False if not written."""
    from PySide6.QtSvg import QSvgGenerator  # loaded on first export: the window starts without it

    source = picture_rect(scene)
    generator = QSvgGenerator()
    generator.setFileName(path)
    generator.setSize(QSize(int(source.width()), int(source.height())))
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle(title)
    generator.setDescription("Exported from Stratus")
    painter = QPainter()
    ok = painter.begin(generator)
    if ok:
        painter.setRenderHint(QPainter.Antialiasing)
        _render(scene, painter, QRectF(0, 0, source.width(), source.height()), source)
        painter.end()
    return ok and Path(path).exists()


def _render(scene, painter: QPainter, target: QRectF, source: QRectF) -> None:
    selected = scene.selectedItems()
    for item in selected:  # pictures show the design, not the selection
        item.setSelected(False)
    try:
        painter.fillRect(target, _WHITE)
        scene.render(painter, target, source)
    finally:
        for item in selected:
            item.setSelected(True)
