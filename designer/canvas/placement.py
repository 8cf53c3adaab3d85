"""Where a card or note added without a drop point goes (palette double-click or Enter,
Add Note): the grid position nearest the wanted one where it covers nothing else on the
canvas, so two additions never stack on top of each other. Plain numbers, no Qt."""

from __future__ import annotations

import math
from typing import Iterable

from .. import style

GAP = style.GRID_SIZE  # free room kept around the new item
SEARCH_RADIUS = 1200.0  # beyond this the wanted spot is taken as it is

Rect = tuple[float, float, float, float]  # left, top, width, height


def free_spot(x: float, y: float, taken: Iterable[Rect], width: float, height: float,
              step: float = style.GRID_SIZE) -> tuple[float, float]:
    """The top left corner on the `step` grid nearest (x, y) ((x, y) itself if free) where
    a width x height item keeps GAP away from every rectangle in `taken`."""
    nearby = [r for r in taken
              if r[0] < x + width + SEARCH_RADIUS and r[0] + r[2] > x - SEARCH_RADIUS
              and r[1] < y + height + SEARCH_RADIUS and r[1] + r[3] > y - SEARCH_RADIUS]

    def free(px: float, py: float) -> bool:
        return all(px + width + GAP <= cx or cx + cw + GAP <= px or py + height + GAP <= cy or cy + ch + GAP <= py
                   for cx, cy, cw, ch in nearby)

    if free(x, y):
        return x, y
    rings = int(SEARCH_RADIUS // step)
    candidates = [(i * step, j * step) for i in range(-rings, rings + 1) for j in range(-rings, rings + 1)]
    # Nearest first; ties go down, then right (reading order beside the crowded spot).
    candidates.sort(key=lambda d: (math.hypot(*d), -d[1], -d[0]))
    for dx, dy in candidates:
        if free(x + dx, y + dy):
            return x + dx, y + dy
    return x, y
