"""Where a card added without a drop point goes (palette double-click or Enter): the grid
position nearest the wanted one where it covers no other card, so two additions never
stack exactly on top of each other. Plain numbers, no Qt."""

from __future__ import annotations

import math
from typing import Iterable

from .. import style

GAP = style.GRID_SIZE  # free room kept around the new card
SEARCH_RADIUS = 1200.0  # beyond this the wanted spot is taken as it is


def free_spot(x: float, y: float, cards: Iterable[tuple[float, float]], width: float, height: float,
              step: float = style.GRID_SIZE) -> tuple[float, float]:
    """The position on the `step` grid nearest (x, y), (x, y) itself if free, where a
    width x height card keeps GAP away from every card at `cards` (top-left corners of
    cards of the same size)."""
    reach_x, reach_y = width + GAP, height + GAP
    nearby = [(cx, cy) for cx, cy in cards
              if abs(cx - x) < SEARCH_RADIUS + reach_x and abs(cy - y) < SEARCH_RADIUS + reach_y]

    def free(px: float, py: float) -> bool:
        return all(abs(px - cx) >= reach_x or abs(py - cy) >= reach_y for cx, cy in nearby)

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
