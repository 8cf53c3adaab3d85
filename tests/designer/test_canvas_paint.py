"""Edge painting shortcuts (pre-drawn arrowheads, clipping for fast lines) must not change
what is drawn on screen, and exports to vector formats must stay vectors."""

import numpy as np
import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QStyleOptionGraphicsItem

from designer.canvas import edge_item

pytestmark = pytest.mark.gui


def pixels(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_ARGB32)
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    return data.reshape(image.height(), image.bytesPerLine())[:, : image.width() * 4].astype(int)


def test_blitted_arrowheads_look_like_the_drawn_polygons(canvas, monkeypatch):
    scene, view = canvas
    next(iter(scene._edges.values())).setSelected(True)  # a second colour
    edge_item._ARROW_PIXMAPS.clear()
    blitted = view.viewport().grab().toImage()
    assert len(edge_item._ARROW_PIXMAPS) >= 2  # the shortcut really ran, for both colours

    monkeypatch.setattr(edge_item, "_PIXEL_ALIGNED", ())  # every arrow as a polygon
    view.viewport().update()
    drawn = view.viewport().grab().toImage()
    difference = np.abs(pixels(blitted) - pixels(drawn))
    # Identical where the tip sits on whole pixels; within an eighth-pixel rounding
    # (a few levels of one channel) elsewhere.
    assert difference.max() <= 12


def test_an_edge_leaves_no_clip_behind_and_exports_to_svg_as_vectors(canvas):
    scene, _ = canvas
    item = next(iter(scene._edges.values()))
    image = QImage(800, 600, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    item.paint(painter, QStyleOptionGraphicsItem(), None)
    assert not painter.hasClipping()  # the next item is not clipped to this edge
    painter.end()
    assert pixels(image).min() < 255  # it did draw

    source = scene.itemsBoundingRect()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(int(source.width()), int(source.height())))
    painter = QPainter(generator)
    scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
    painter.end()
    svg = bytes(data).decode()
    assert svg.count("<polygon") == len(scene._edges)  # every arrowhead a shape, not a picture
