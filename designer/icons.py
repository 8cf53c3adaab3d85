"""Service icons: our SVGs rendered once per (service, size, device pixel ratio).

Painting a QSvgRenderer every frame is slow; a cached QPixmap at the device's pixel ratio
is both fast and crisp.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from assets import ICON_DIR
from model.catalogue import SERVICES

from . import style

_renderers: dict[str, QSvgRenderer | None] = {}
_pixmaps: dict[tuple[str, int, float], QPixmap] = {}


def icon_path(service_key: str) -> Path:
    spec = SERVICES.get(service_key)
    return ICON_DIR / (spec.icon if spec else f"{service_key}.svg")


def _renderer(service_key: str) -> QSvgRenderer | None:
    if service_key not in _renderers:
        path = icon_path(service_key)
        renderer = QSvgRenderer(str(path)) if path.exists() else None
        _renderers[service_key] = renderer if renderer and renderer.isValid() else None
    return _renderers[service_key]


def service_pixmap(service_key: str, size: int, device_pixel_ratio: float = 1.0) -> QPixmap:
    """The icon at `size` logical pixels; unknown services get a neutral tile."""
    dpr = max(1.0, round(float(device_pixel_ratio), 2))
    key = (service_key, size, dpr)
    pixmap = _pixmaps.get(key)
    if pixmap is None:
        pixmap = _render(service_key, size, dpr)
        _pixmaps[key] = pixmap
    return pixmap


def _render(service_key: str, size: int, dpr: float) -> QPixmap:
    pixels = max(1, round(size * dpr))
    pixmap = QPixmap(pixels, pixels)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer = _renderer(service_key)
    if renderer is not None:
        renderer.render(painter, QRectF(0, 0, pixels, pixels))
    else:
        spec = SERVICES.get(service_key)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(style.category_colour(spec.category) if spec else QColor("#8A93A0"))
        painter.drawRoundedRect(QRectF(0, 0, pixels, pixels), pixels * 0.16, pixels * 0.16)
    painter.end()
    pixmap.setDevicePixelRatio(dpr)
    return pixmap


def service_icon(service_key: str) -> QIcon:
    """A QIcon for lists and menus (sharp at any size: built from the SVG)."""
    icon = QIcon()
    for size in (16, 24, 32, 48):
        icon.addPixmap(service_pixmap(service_key, size, 1.0))
        icon.addPixmap(service_pixmap(service_key, size, 2.0))
    return icon
