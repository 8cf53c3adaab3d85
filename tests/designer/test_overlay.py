"""Results on the canvas: colours, flow bands, badges, stale state, and the replay."""

import pytest

from model.designfile import load_design
from simulation.health import THROTTLED, badge_text, edge_rates, fmt_ms
from simulation.replay import plan_replay
from tests.conftest import EXAMPLES_DIR

from designer.overlay import LEVEL_COLOURS, STALE_COLOUR


@pytest.fixture
def simulated(qtbot, make_window):
    arch = load_design(EXAMPLES_DIR / "orders_api.yaml")
    # a tight cap on get_order so the overlay has a throttled node to show
    arch.nodes["get_order"].config["reserved_concurrency"] = 2
    win = make_window(arch)
    win.resize(1400, 900)
    win.show()
    ui = win.results
    ui.panel.select_scenario("flash-sale")
    with qtbot.waitSignal(ui.panel.run_finished, timeout=20000) as blocker:
        ui.panel.run(8)
    return win, blocker.args[0]


def test_overlay_shows_results(simulated):
    win, outcome = simulated
    overlay, result = win.results.overlay, outcome.result
    assert set(overlay.node_items) == set(result.nodes)
    stats = result.nodes["create_order"]
    item = overlay.node_items["create_order"]
    assert item.text == badge_text(stats)
    assert item.text.startswith(f"p99 {fmt_ms(stats.latency_ms.p99)}") and " ms ms" not in item.text
    assert item.parentItem() is win.scene.node_item("create_order")
    throttled = result.nodes["get_order"]
    assert throttled.throttled > 0
    assert overlay.health["get_order"].level == THROTTLED
    assert overlay.node_items["get_order"].colour() == LEVEL_COLOURS[THROTTLED]
    assert f"{throttled.throttled:,} throttled" in overlay.node_items["get_order"].text
    # edges thickened by throughput: the route taking 60 % of requests is widest of the three
    rates = edge_rates(outcome.arch, result)
    widths = {i: overlay.edge_items[i].width for i in overlay.edge_items}
    assert rates[1] > rates[0] and widths[1] > widths[0]
    assert overlay.banner.isVisible() and "flash-sale" in overlay.banner.text()


def test_design_change_makes_results_stale_and_clear_removes(simulated):
    win, _outcome = simulated
    ui = win.results
    node = win.arch.nodes["create_order"]
    win.arch.move_nodes({"create_order": (node.at[0] + 20, node.at[1])})
    assert not ui.session.stale  # moving a node does not change what was simulated
    win.arch.set_node_config("create_order", "memory_mb", 1024)
    assert ui.session.stale
    assert ui.overlay.node_items["create_order"].colour() == STALE_COLOUR
    assert "stale" in ui.overlay.banner.text() and ui.dashboard.stale_note.isVisibleTo(ui.dashboard)
    ui.act_clear.trigger()
    assert not ui.overlay.node_items
    assert not any(type(i).__name__ == "NodeResultItem" for i in win.scene.items())


def test_replay_moves_dots_along_edges(simulated):
    win, outcome = simulated
    plan = plan_replay(outcome.arch, outcome.result)
    assert plan.dots and plan == plan_replay(outcome.arch, outcome.result)  # seeded
    assert any(d.throttled for d in plan.dots)
    assert all(0 <= d.t_s <= outcome.result.duration_s for d in plan.dots)
    controls = win.results.replay
    controls.play()
    shown = controls.advance(2.0)
    assert shown > 0
    dots = [i for i in win.scene.items() if type(i).__name__ == "QGraphicsEllipseItem" and i.isVisible()]
    assert len(dots) == shown
    controls.stop()
    assert not [i for i in win.scene.items() if type(i).__name__ == "QGraphicsEllipseItem"]


# -- badges without overlap, the rest in hover cards -------------------------------------------


def test_place_badges_keeps_clear_of_cards_and_other_badges():
    from PySide6.QtCore import QRectF, QSizeF

    from designer.overlay import FOLDED, FULL, SHORT, place_badges

    cards = {"a": QRectF(0, 0, 176, 56), "b": QRectF(0, 80, 176, 56), "c": QRectF(0, 160, 176, 56),
             "far": QRectF(600, 0, 176, 56)}
    texts = {n: ("p99 930 ms · 37 cold · 1,234 throttled · backlog 1,830", "1,234 throttled") for n in cards}

    def measure(text):
        return QSizeF(7 * len(text), 18)

    placed = place_badges(cards, texts, ["b", "a", "c", "far"], measure)
    rects = {n: r for n, (_f, r, _t) in placed.items() if r is not None}
    for node_id, rect in rects.items():
        assert not any(rect.intersects(card) for other, card in cards.items() if other != node_id)
        assert not any(rect.intersects(r) for other, r in rects.items() if other != node_id)
    # "far" has room for every figure below it; "b", first, sits astride its own bottom edge
    assert placed["far"][0] == FULL and placed["far"][1].top() > cards["far"].bottom()
    assert placed["b"][0] == FULL and placed["b"][1].contains(cards["b"].right() - 20, cards["b"].bottom())
    assert placed["a"][1].bottom() < cards["a"].top() and placed["c"][1].top() > cards["c"].bottom()
    # hemmed in on every side but one spot: the short form goes there
    hemmed = {"x": QRectF(0, 80, 176, 56), "n1": QRectF(200, 140, 176, 56), "n2": QRectF(200, 20, 176, 56),
              "n3": QRectF(-250, 140, 176, 56), "n4": QRectF(-250, 20, 176, 56)}
    placed = place_badges(hemmed, {"x": texts["a"]}, ["x"], measure)
    assert placed["x"][0] == SHORT and placed["x"][2] == "1,234 throttled"
    # packed 4 px apart, the middle card has no room at all: folded (its hover card has it all)
    packed = {"a": QRectF(0, 0, 176, 56), "b": QRectF(0, 60, 176, 56), "c": QRectF(0, 120, 176, 56)}
    placed = place_badges(packed, texts, ["b", "a", "c"], measure)
    assert placed["b"] == (FOLDED, None, "") and placed["a"][0] == placed["c"][0] == FULL


@pytest.fixture
def shop(qtbot, make_window):
    from tests.designer.designs import shop_design

    win = make_window(shop_design())
    win.resize(1280, 720)
    win.show()
    ui = win.results
    ui.panel.select_scenario("busy-day")
    with qtbot.waitSignal(ui.panel.run_finished, timeout=30000) as blocker:
        ui.panel.run(20)
    return win, blocker.args[0]


def test_badges_of_an_18_node_design_never_overlap(shop):
    win, outcome = shop
    overlay = win.results.overlay
    cards = {item.node_id: item.mapRectToScene(item.card_rect()) for item in win.scene.node_items()}
    badges = {n: item.badge_rect() for n, item in overlay.node_items.items() if not item.badge_rect().isEmpty()}
    assert len(cards) == 18 and len(badges) >= 15
    for node_id, rect in badges.items():
        assert not any(rect.intersects(card) for other, card in cards.items() if other != node_id), node_id
        assert not any(rect.intersects(r) for other, r in badges.items() if other != node_id), node_id
    # the troubled nodes are placed first: their figure is on the canvas
    result = outcome.result
    for node_id in ("checkout", "recommend"):
        assert node_id in badges
    assert overlay.node_items["checkout"].text.endswith(f"{result.nodes['checkout'].throttled:,} throttled")
    # a folded badge is named in the banner and its figures are in the hover card
    assert len(badges) + len(overlay.folded) == sum(1 for s in result.nodes.values() if s.requests)
    # moving a node re-places the badges around it
    node = win.arch.nodes["shipments"]
    win.arch.move_nodes({"shipments": (node.at[0], node.at[1] - 80)})  # onto the badge row of the one above
    moved = overlay.node_items["shipments"]
    new_cards = {item.node_id: item.mapRectToScene(item.card_rect()) for item in win.scene.node_items()}
    for node_id, item in overlay.node_items.items():
        rect = item.badge_rect()
        if not rect.isEmpty():
            assert not any(rect.intersects(card) for other, card in new_cards.items() if other != node_id)
    assert moved.parentItem() is win.scene.node_item("shipments")


def test_hover_card_says_why_a_ring_is_amber_or_red(shop):
    win, outcome = shop
    overlay = win.results.overlay
    red, amber = overlay.node_items["checkout"], overlay.node_items["recommend"]
    assert overlay.health["checkout"].level == THROTTLED
    assert overlay.health["checkout"].reason.startswith("Throttled: ")
    assert overlay.health["checkout"].reason in red.toolTip() and "Checkout" in red.toolTip()
    assert overlay.health["recommend"].reason.startswith("Erroring: ")
    assert overlay.health["recommend"].reason in amber.toolTip()
    assert "p99" in amber.toolTip() and "requests" in amber.toolTip()
