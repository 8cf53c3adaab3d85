"""Align and distribute cards, and the smart guides shown while dragging. Plain numbers:
positions are top left corners, every card is w x h."""

from __future__ import annotations

from typing import Iterable

ALIGNMENTS = ("left", "centre", "right", "top", "middle", "bottom")
GUIDE_REACH = 6.0  # a dragged card this close to lining up with another snaps to it

Positions = dict[str, tuple[float, float]]
Rect = tuple[float, float, float, float]  # left, top, right, bottom
Segment = tuple[float, float, float, float]  # x1, y1, x2, y2


def align(positions: Positions, how: str, w: float, h: float) -> Positions:
    """Line the cards up on the outermost one's left/right/top/bottom edge, or on the
    middle of the span they cover (centre: vertical line, middle: horizontal line)."""
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    if how == "left":
        return {k: (min(xs), y) for k, (x, y) in positions.items()}
    if how == "right":
        return {k: (max(xs), y) for k, (x, y) in positions.items()}
    if how == "centre":
        return {k: ((min(xs) + max(xs)) / 2, y) for k, (x, y) in positions.items()}
    if how == "top":
        return {k: (x, min(ys)) for k, (x, y) in positions.items()}
    if how == "bottom":
        return {k: (x, max(ys)) for k, (x, y) in positions.items()}
    if how == "middle":
        return {k: (x, (min(ys) + max(ys)) / 2) for k, (x, y) in positions.items()}
    raise ValueError(f"unknown alignment '{how}' (one of {', '.join(ALIGNMENTS)})")


def distribute(positions: Positions, axis: str, w: float, h: float) -> Positions:
    """Equal gaps between the cards along `axis` ("horizontal" or "vertical"); the first
    and the last keep their place."""
    index = 0 if axis == "horizontal" else 1
    size = w if index == 0 else h
    order = sorted(positions, key=lambda k: (positions[k][index], positions[k][1 - index]))
    if len(order) < 3:
        return dict(positions)
    first, last = positions[order[0]][index], positions[order[-1]][index]
    gap = (last - first - size * (len(order) - 1)) / (len(order) - 1)
    out = dict(positions)
    for i, key in enumerate(order[1:-1], 1):
        at = list(positions[key])
        at[index] = first + i * (size + gap)
        out[key] = (at[0], at[1])
    return out


def smart_guides(moving: Rect, others: Iterable[Rect], reach: float = GUIDE_REACH
                 ) -> tuple[float | None, float | None, list[Segment]]:
    """How far to nudge a dragged box (dx, dy) so that its left, centre or right (top,
    middle or bottom) lines up with another card's within `reach` (None: no card that
    close on that axis: the grid decides), and the guide lines to draw through the boxes
    that then line up."""
    others = list(others)
    dx, x_line = _snap_axis(moving, others, 0, reach)
    dy, y_line = _snap_axis(moving, others, 1, reach)
    left, top = moving[0] + (dx or 0.0), moving[1] + (dy or 0.0)
    right, bottom = moving[2] + (dx or 0.0), moving[3] + (dy or 0.0)
    lines: list[Segment] = []
    if x_line is not None:
        matched = [o for o in others if _lines_of(o, 0, x_line)] + [(left, top, right, bottom)]
        lines.append((x_line, min(o[1] for o in matched), x_line, max(o[3] for o in matched)))
    if y_line is not None:
        matched = [o for o in others if _lines_of(o, 1, y_line)] + [(left, top, right, bottom)]
        lines.append((min(o[0] for o in matched), y_line, max(o[2] for o in matched), y_line))
    return dx, dy, lines


def _marks(rect: Rect, axis: int) -> tuple[float, float, float]:
    low, high = rect[axis], rect[axis + 2]
    return low, (low + high) / 2, high


def _lines_of(rect: Rect, axis: int, line: float) -> bool:
    return any(abs(mark - line) < 0.5 for mark in _marks(rect, axis))


def _snap_axis(moving: Rect, others: list[Rect], axis: int, reach: float) -> tuple[float | None, float | None]:
    best: tuple[float, float] | None = None  # (shift, line)
    for other in others:
        # Like with like (left with left, centre with centre...): cards are one size, so
        # a top meeting another card's middle is seldom what anyone lines up.
        for mark, target in zip(_marks(moving, axis), _marks(other, axis)):
            shift = target - mark
            if abs(shift) <= reach and (best is None or abs(shift) < abs(best[0])):
                best = (shift, target)
    return (None, None) if best is None else best
