"""Edge routing: ports spread over a card's side, lanes for parallel edges, labels kept
off cards; first the plain geometry, then the router on a scene."""

import pytest

from designer.canvas import DiagramScene
from designer.canvas.node_item import H, W
from designer.canvas.routing import (
    LANE_SPACING, PORT_MARGIN, PORT_SPACING, card_overlap_function, lane_offset, port_spread,
)
from model.architecture import Architecture, Edge, Node

pytestmark = pytest.mark.gui


# -- geometry ------------------------------------------------------------------------------


def test_ports_are_centred_and_evenly_spaced():
    assert port_spread(0) == [] and port_spread(1) == [0.0]
    assert port_spread(2) == [-PORT_SPACING / 2, PORT_SPACING / 2]
    assert port_spread(3) == [-PORT_SPACING, 0.0, PORT_SPACING]


def test_many_ports_squeeze_to_stay_on_the_card():
    offsets = port_spread(12)
    assert offsets[-1] - offsets[0] == pytest.approx(H - 2 * PORT_MARGIN)
    assert offsets == sorted(offsets) and sum(offsets) == pytest.approx(0.0)
    assert offsets[1] - offsets[0] < PORT_SPACING


def test_lanes_bend_parallel_edges_apart_around_the_straight_line():
    assert [lane_offset(i, 2) for i in range(2)] == [-LANE_SPACING / 2, LANE_SPACING / 2]
    assert [lane_offset(i, 3) for i in range(3)] == [-LANE_SPACING, 0.0, LANE_SPACING]


def test_card_overlap_measures_the_covered_area():
    overlap = card_overlap_function([(0.0, 0.0), (1000.0, 0.0)], width=100, height=50, cell=240)
    assert overlap(0, 0, 100, 50) == 100 * 50  # exactly one card
    assert overlap(50, 25, 150, 75) == 50 * 25  # a corner of it
    assert overlap(200, 0, 900, 50) == 0.0  # between the two
    assert overlap(950, 0, 1050, 10) == 50 * 10  # the far card, found through its grid cell
    assert overlap(-50, -50, 1200, 100) == 2 * 100 * 50


# -- the router on a scene -------------------------------------------------------------------


@pytest.fixture
def fan_scene(qtbot, undo_stack):
    """One function writing to three tables stacked top to bottom, and two SQS sends to
    one queue (parallel edges)."""
    arch = Architecture("Fan")
    arch.add_node(Node("fn", "lambda", at=(0.0, 200.0)))
    for i, table in enumerate(("low", "top", "middle")):
        arch.add_node(Node(table, "dynamodb", at=(400.0, {"top": 0.0, "middle": 200.0, "low": 400.0}[table])))
        arch.add_edge(Edge("fn", table, {"action": "write"}))
    arch.add_node(Node("queue", "sqs", at=(400.0, 600.0)))
    arch.add_edge(Edge("fn", "queue"))
    arch.add_edge(Edge("fn", "queue"))
    scene = DiagramScene(arch, undo_stack)
    yield arch, scene
    scene.detach()


def test_ports_follow_the_height_of_the_other_end(fan_scene):
    arch, scene = fan_scene
    out = {e.target + str(i): scene.edge_item(e).port_out for i, e in enumerate(arch.edges)}
    # five edges leave fn: ordered top, middle, low, queue, queue
    assert out["top1"] < out["middle2"] < out["low0"] < out["queue3"] <= out["queue4"]
    assert sorted(out.values()) == port_spread(5)
    assert all(scene.edge_item(e).port_in == 0.0 for e in arch.edges[:3])  # one edge per table


def test_moving_a_target_reorders_the_ports(fan_scene):
    arch, scene = fan_scene
    low = scene.edge_item(arch.edges[0])
    before = low.port_out
    arch.move_nodes({"low": (400.0, -200.0)})  # now above "top"
    assert low.port_out < before and low.port_out == min(port_spread(5))


def _bend(item) -> float:
    """How far the curve's middle sits from the straight line between its ends (a cubic
    with both control points shifted by `lane` passes 3/4 of it away at its middle)."""
    points = item.overview_points()
    (_, sy), (_, my), (_, ey) = points[0], points[2], points[-1]
    return (my - (sy + ey) / 2) / 0.75


def test_parallel_edges_get_their_own_lanes_and_lose_them_alone(fan_scene):
    arch, scene = fan_scene
    first, second = (scene.edge_item(e) for e in arch.edges[3:])
    assert _bend(first) == pytest.approx(lane_offset(0, 2)) and _bend(second) == pytest.approx(lane_offset(1, 2))
    assert _bend(scene.edge_item(arch.edges[0])) == pytest.approx(0.0)
    arch.remove_edge(arch.edges[4])
    alone = scene.edge_item(arch.edges[3])
    assert _bend(alone) == pytest.approx(0.0)
    assert alone.overview_points()[0][0] == W and alone.overview_points()[-1][0] == 400.0  # fn's right, queue's left


def test_labels_sit_off_the_cards(fan_scene):
    arch, scene = fan_scene
    positions = [node.at for node in arch.nodes.values()]
    overlap = card_overlap_function(positions)
    for edge in arch.edges:
        rect = scene.edge_item(edge).label_item.sceneBoundingRect()
        assert overlap(rect.left(), rect.top(), rect.right(), rect.bottom()) < 0.6 * rect.width() * rect.height()


# -- facing sides ----------------------------------------------------------------------------


def test_facing_sides_join_the_sides_that_face_each_other():
    from designer.canvas.routing import BOTTOM, LEFT, MIN_SIDE_GAP, RIGHT, TOP, facing_sides

    assert facing_sides((0, 0), (W + MIN_SIDE_GAP, 300)) == (RIGHT, LEFT)  # to the right, even far below
    assert facing_sides((400, 0), (0, 0)) == (LEFT, RIGHT)  # a backward edge
    assert facing_sides((0, 0), (30, H + 40)) == (BOTTOM, TOP)  # one column, going down
    assert facing_sides((0, 200), (-10, 0)) == (TOP, BOTTOM)  # one column, going up
    assert facing_sides((0, 0), (10, 10)) == (RIGHT, LEFT)  # overlapping cards


def test_a_backward_edge_dragged_by_the_user_leaves_and_enters_facing_sides(qtbot, canvas):
    """Missing 9: a target dragged to the left of its source made the edge loop around the
    source card (out of its right side, back under it, into the target's left side)."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    scene, view = canvas
    worker = scene.node_item("worker")
    viewport = view.viewport()
    start = view.mapFromScene(worker.mapToScene(worker.card_rect().center()))
    end = start + QPoint(-(520 - 40), 0)  # worker from x 520 to x 40: left of the queue at 280
    QTest.mouseMove(viewport, start)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for i in range(1, 7):
        QTest.mouseMove(viewport, start + (end - start) * (i / 6))
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert scene.arch.nodes["worker"].at == (40.0, 200.0)
    edge = scene.edge_item(next(e for e in scene.arch.edges if (e.source, e.target) == ("queue", "worker")))
    points = edge.overview_points()
    assert points[0] == (280.0, 200.0 + H / 2)  # the queue's left side
    assert points[-1] == (40.0 + W, 200.0 + H / 2)  # the worker's right side
    curve = edge.curve_rect()
    assert curve.left() >= 40 + W - 1 and curve.right() <= 280 + 1  # between the cards: no loop


def test_cards_in_one_column_join_bottom_to_top(fan_scene):
    arch, scene = fan_scene
    arch.move_nodes({"queue": (0.0, 400.0)})  # right under fn (0, 200)
    edges = [scene.edge_item(e) for e in arch.edges if e.target == "queue"]
    for item in edges:
        points = item.overview_points()
        assert points[0][1] == 200.0 + H and points[-1][1] == 400.0  # fn's bottom, queue's top
        assert 0 < points[0][0] < W and 0 < points[-1][0] < W
    assert edges[0].overview_points()[0][0] != edges[1].overview_points()[0][0]  # spread along the side
