"""Colours, fonts and sizes shared by the GUI, so every panel looks like one product."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont

from model.catalogue import CATEGORY_COLOURS

# Canvas
CANVAS_BACKGROUND = QColor("#F7F8FA")
GRID_DOT = QColor("#C9CED6")
GRID_SIZE = 20  # nodes snap to this
GRID_DOT_MIN_ZOOM = 0.45  # below this zoom the dots are skipped (they would be a grey haze)

# Node cards
NODE_WIDTH = 176
NODE_HEIGHT = 56
NODE_RADIUS = 8
NODE_ICON_SIZE = 34
NODE_PADDING = 10
NODE_FILL = QColor("#FFFFFF")
NODE_BORDER = QColor("#D5DAE1")
NODE_SHADOW = QColor(16, 24, 40, 28)
NODE_TITLE = QColor("#1F2733")
NODE_SUBTITLE = QColor("#6B7380")
SELECTION = QColor("#2F80ED")
HOVER_BORDER = QColor("#93B8EE")
HANDLE_RADIUS = 6
BADGE_RADIUS = 8
ERROR = QColor("#D92D20")
WARNING = QColor("#F5A524")

# Edges
EDGE_COLOUR = QColor("#6B7585")
EDGE_WIDTH = 1.0  # 1 px cosmetic lines take the raster engine's fast stroker
EDGE_LABEL_TEXT = QColor("#4B5563")
EDGE_LABEL_FILL = QColor(255, 255, 255, 235)
EDGE_ASYNC_DASH = (5.0, 4.0)  # asynchronous edges (queues, notifications) are dashed
ARROW_SIZE = 9
RUBBER_BAND_OK = QColor("#2F80ED")
RUBBER_BAND_REFUSED = QColor("#D92D20")

# Palette
PALETTE_WIDTH = 230


def category_colour(category: str) -> QColor:
    return QColor(CATEGORY_COLOURS.get(category, "#5A6270"))


def ui_font(point_size: float = 9.5, bold: bool = False) -> QFont:
    font = QFont()
    font.setFamilies(["Inter", "Segoe UI", "Helvetica Neue", "Noto Sans", "DejaVu Sans", "Arial"])
    font.setPointSizeF(point_size)
    if bold:
        font.setWeight(QFont.Weight.DemiBold)
    return font


def title_font() -> QFont:
    return ui_font(9.5, bold=True)


def compact_title_font() -> QFont:
    """For long names: a little smaller before resorting to an ellipsis."""
    return ui_font(8.5, bold=True)


def subtitle_font() -> QFont:
    return ui_font(8.0)


def edge_label_font() -> QFont:
    return ui_font(7.5)

# Level of detail: below this zoom the canvas draws an overview (cards as blocks of their
# category colour, edges as plain lines, one item for the whole drawing) because card
# text is under 4 pt and unreadable anyway. The examples fit the window at 0.45 and more.
OVERVIEW_ZOOM = 0.4

# Groups and notes (canvas annotations)
GROUP_COLOURS = (  # (name, colour): the frames' choices, in the order new groups take them
    ("Blue", "#2F80ED"), ("Green", "#12B76A"), ("Orange", "#F79009"), ("Purple", "#7A5AF8"),
    ("Pink", "#DD2590"), ("Teal", "#0E9384"), ("Grey", "#667085"),
)
GROUP_FILL_ALPHA = 20  # of 255: a tint that leaves cards and edges readable
NOTE_FILL = QColor("#FFF6D5")
NOTE_BORDER = QColor("#E8CF7A")
NOTE_TEXT = QColor("#4A3F1C")


def group_colour(value: str | None) -> QColor:
    colour = QColor(value or GROUP_COLOURS[0][1])
    return colour if colour.isValid() else QColor(GROUP_COLOURS[0][1])


def note_font() -> QFont:
    return ui_font(9.0)


def group_label_font() -> QFont:
    return ui_font(9.0, bold=True)
