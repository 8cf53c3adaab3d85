"""Align, distribute and smart guides as plain geometry."""

import pytest

from designer.canvas.arrange import align, distribute, smart_guides

W, H = 100.0, 50.0


def test_align_lines_cards_up_on_the_outermost_edge_or_the_middle():
    cards = {"a": (0.0, 0.0), "b": (200.0, 60.0), "c": (80.0, 300.0)}
    assert align(cards, "left", W, H) == {"a": (0, 0), "b": (0, 60), "c": (0, 300)}
    assert align(cards, "right", W, H) == {"a": (200, 0), "b": (200, 60), "c": (200, 300)}
    assert align(cards, "centre", W, H) == {"a": (100, 0), "b": (100, 60), "c": (100, 300)}
    assert align(cards, "bottom", W, H)["a"] == (0, 300)
    assert align(cards, "middle", W, H)["b"] == (200, 150)
    with pytest.raises(ValueError, match="unknown alignment"):
        align(cards, "diagonal", W, H)


def test_distribute_makes_equal_gaps_and_keeps_the_ends():
    cards = {"a": (0.0, 0.0), "b": (130.0, 10.0), "c": (400.0, 20.0), "d": (250.0, 5.0)}
    spread = distribute(cards, "horizontal", W, H)
    xs = sorted(x for x, _ in spread.values())
    gaps = [b - a - W for a, b in zip(xs, xs[1:])]
    assert xs[0] == 0 and xs[-1] == 400 and max(gaps) - min(gaps) < 1e-9
    assert spread["b"][1] == 10.0  # the other axis is left alone
    assert distribute({"a": (0.0, 0.0), "b": (5.0, 5.0)}, "vertical", W, H) == {"a": (0, 0), "b": (5, 5)}


def test_smart_guides_snap_within_reach_and_draw_through_the_lined_up_boxes():
    other = (530.0, 0.0, 630.0, 50.0)
    dx, dy, lines = smart_guides((526.0, 200.0, 626.0, 250.0), [other])
    assert (dx, dy) == (4.0, None)
    assert lines == [(530.0, 0.0, 530.0, 250.0)]
    dx, dy, lines = smart_guides((300.0, 200.0, 400.0, 250.0), [other])
    assert (dx, dy, lines) == (None, None, [])  # nothing close: the grid decides
    dx, dy, lines = smart_guides((400.0, 3.0, 500.0, 53.0), [other])  # tops line up
    assert dx is None and dy == -3.0 and lines == [(400.0, 0.0, 630.0, 0.0)]
