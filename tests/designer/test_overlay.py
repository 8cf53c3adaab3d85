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
    assert item.text.startswith(f"p99 {fmt_ms(stats.latency_ms.p99)} ms")
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
