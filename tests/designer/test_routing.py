"""Edge routing: ports spread over a card's side, lanes for parallel edges, labels kept
off cards; first the plain geometry, then the router on a scene."""

import pytest
from PySide6.QtGui import QUndoStack

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
def fan_scene(qtbot):
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
    scene = DiagramScene(arch, QUndoStack())
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
