"""Teaching mode from real journeys: each sampled request moves along the path it really
took, at its real pace; clicking a dot or a request in the list opens its timeline."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from model.designfile import load_design
from simulation.replay import COLD, WAITING, journey_ms, plan_trips, response_ms
from tests.conftest import EXAMPLES_DIR

from designer.replay import LINGER_WALL_S, TRAVEL_WALL_S
from designer.timeline import TimelineDialog, Waterfall, describe_journey

pytestmark = pytest.mark.gui


def run(qtbot, make_window, arch, scenario, duration):
    win = make_window(arch)
    win.resize(1280, 720)
    win.show()
    qtbot.waitExposed(win)
    ui = win.results
    ui.panel.select_scenario(scenario)
    with qtbot.waitSignal(ui.panel.run_finished, timeout=60000) as blocker:
        ui.panel.run(duration)
    QApplication.processEvents()
    return win, blocker.args[0]


@pytest.fixture
def orders(qtbot, make_window):
    arch = load_design(EXAMPLES_DIR / "orders_api.yaml")
    arch.nodes["get_order"].config["reserved_concurrency"] = 2
    return run(qtbot, make_window, arch, "flash-sale", 20)


def centre(win, node_id):
    item = win.scene.node_item(node_id)
    return item.mapToScene(item.card_rect().center())


def test_the_designer_samples_densely_for_teaching(orders):
    _win, outcome = orders
    arrived = sum(e.requests for e in outcome.result.entries.values())
    assert len(outcome.result.traces) > 0.05 * arrived  # denser than the command line's 1%


def test_dots_follow_the_real_paths_at_the_real_pace(orders):
    win, outcome = orders
    controls = win.results.replay
    replay = controls.replay
    trips = plan_trips(outcome.arch, outcome.result.traces)
    assert replay.trips == trips
    # a journey that went through two functions and a table: follow it stop by stop
    trip = next(t for t in trips if len(t.stops) >= 3 and all(s.t1 > s.t0 for s in t.stops))
    controls.speed_box.setCurrentIndex(controls.speed_box.findData(0.1))
    travel = TRAVEL_WALL_S * 0.1  # a move along an edge takes 0.35 s of wall time: 35 ms simulated
    moves = stays = 0
    for stop in trip.stops[1:]:
        # just after a stop starts the dot is on the edge it really took...
        clock = stop.t0 + travel / 2
        controls.seek(clock)
        dot = next(d for d in replay.shown_dots() if d.trip_index == trip.index)
        kind, subject, fraction, _state = trip.where(clock, travel)
        if kind == "edge":
            moves += 1
            assert (dot.pos() - replay._paths[subject].pointAtPercent(fraction)).manhattanLength() < 1.0
            arriving = [s for s in trip.stops if s.via == subject and s.t0 <= clock < s.t0 + travel]
            assert arriving and outcome.arch.edges[subject].target == arriving[-1].node
        # ...and once there, it sits at the node of the deepest stop under way
        if stop.t1 - stop.t0 > travel * 2:
            controls.seek((stop.t0 + travel + stop.t1) / 2)
            dot = next(d for d in replay.shown_dots() if d.trip_index == trip.index)
            kind, subject, _f, _state = trip.where(replay.clock, travel)
            if kind == "node":
                stays += 1
                assert (dot.pos() - centre(win, subject)).manhattanLength() < 20
    assert moves >= 1 and stays >= 1
    # before it arrived there is no dot for it; long after it ended, none either
    controls.seek(trip.start - 0.01)
    assert all(d.trip_index != trip.index for d in replay.shown_dots())
    controls.seek(trip.end + LINGER_WALL_S * 0.1 + 0.01)
    assert all(d.trip_index != trip.index for d in replay.shown_dots())


def test_waits_and_cold_starts_show_in_the_dots_colour():
    arch = load_design(EXAMPLES_DIR / "order_queue.yaml")
    from simulation.engine import simulate
    from simulation.traces import TEACHING_SHARE, TEACHING_TRACES

    scenario = arch.scenarios[0]
    result = simulate(arch, scenario.name, duration_s=max(60.0, scenario.warmup_s + 30),
                      traces=TEACHING_TRACES, trace_share=TEACHING_SHARE)
    states = {stop.state for trip in plan_trips(arch, result.traces) for stop in trip.stops}
    assert {WAITING, COLD} <= states


def test_clicking_a_dot_opens_that_requests_timeline(qtbot, orders):
    win, outcome = orders
    controls = win.results.replay
    trip = next(t for t in controls.replay.trips if len(t.stops) >= 2)
    controls.speed_box.setCurrentIndex(controls.speed_box.findData(0.1))
    controls.seek((trip.stops[0].t0 + trip.stops[0].t1) / 2)
    dot = next(d for d in controls.replay.shown_dots() if d.trip_index == trip.index)
    view = win.view
    view.centerOn(dot)
    QApplication.processEvents()
    with qtbot.waitSignal(controls.timeline_requested, timeout=2000) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view.mapFromScene(dot.scenePos()))
    assert blocker.args == [trip.index]
    dialog = win.results.timeline
    assert isinstance(dialog, TimelineDialog) and dialog.isVisible()
    assert dialog.journey is outcome.result.traces[trip.index]
    assert win.scene.selected_subjects() == []  # the click was the dot's, not the node's under it
    dialog.close()


def test_the_request_list_orders_and_opens_timelines(qtbot, orders):
    win, outcome = orders
    controls = win.results.replay
    traces = outcome.result.traces
    assert controls.requests.count() == len(traces)
    controls.order_box.setCurrentText("slowest answer first")
    first = controls.requests.item(0).data(Qt.UserRole)
    assert response_ms(traces[first]) == max(response_ms(j) for j in traces)
    controls.order_box.setCurrentText("longest work first")
    first = controls.requests.item(0).data(Qt.UserRole)
    assert journey_ms(traces[first]) == max(journey_ms(j) for j in traces)
    assert "spans" in controls.requests.item(0).toolTip()
    controls.order_box.setCurrentText("failed first")
    first = controls.requests.item(0).data(Qt.UserRole)
    assert traces[first]["outcome"] != "ok"
    with qtbot.waitSignal(controls.timeline_requested, timeout=2000):
        controls.requests.itemClicked.emit(controls.requests.item(0))
    assert win.results.timeline.journey is traces[first]


def test_the_waterfall_draws_each_span_where_and_when_it_was(qtbot, orders):
    win, outcome = orders
    journey = max(outcome.result.traces, key=lambda j: len(j["spans"]))
    view = Waterfall(outcome.arch, journey)
    qtbot.addWidget(view)
    view.resize(900, view.sizeHint().height())
    view.show()
    assert len(view.spans) == len(journey["spans"])
    rects = [view.bar_rect(row) for row in range(len(view.spans))]
    for span, rect in zip(view.spans, rects):
        assert rect.left() == pytest.approx(view.x_of(span["start_ms"]))
        assert rect.width() >= 2
    # rows in start order, each below the last; children indented under their parent
    assert [s["start_ms"] for s in view.spans] == sorted(s["start_ms"] for s in view.spans)
    assert all(b.top() > a.top() for a, b in zip(rects, rects[1:]))
    assert view.depths[0] == 0 and max(view.depths) >= 1
    words = describe_journey(outcome.arch, journey)
    assert words.startswith("Request into Orders API at ") and f"{len(journey['spans'])} spans" in words
    assert f"after {response_ms(journey):,.0f} ms" in words or "s," in words
    view.grab()  # paints without error


def test_a_long_quiet_stretch_is_cut_from_the_axis(qtbot, orders):
    _win, outcome = orders
    journey = {"entry": "orders_api", "start_s": 1.0, "outcome": "ok", "spans": [
        {"node": "orders_api", "start_ms": 0, "end_ms": 120, "cold_start": False, "wait_ms": 0, "retries": 0,
         "status": "ok"},
        {"node": "create_order", "start_ms": 5, "end_ms": 110, "cold_start": True, "wait_ms": 0, "retries": 0,
         "status": "ok"},
        {"node": "send_confirmation", "start_ms": 60_110, "end_ms": 60_300, "cold_start": False, "wait_ms": 0,
         "retries": 0, "status": "ok"}]}
    view = Waterfall(outcome.arch, journey)
    qtbot.addWidget(view)
    view.resize(900, 200)
    assert [cut for _s, _e, cut in view.pieces] == [False, True, False]
    plot = view.plot_rect()
    # the busy first 120 ms keep most of the axis instead of a sliver of a minute
    assert view.x_of(120) - plot.left() > 0.3 * plot.width()
    assert "(its work went on until 60.3 s)" in describe_journey(outcome.arch, journey)
