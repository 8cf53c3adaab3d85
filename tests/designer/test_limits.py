"""Limits hit (DESIGN.md section 4, `limits`): which AWS limit refused work, where and
first when, in the dashboard and on the canvas.

The tests give a real run's Result a known list of limits, so what is shown can be
checked figure by figure."""

import pytest
from PySide6.QtWidgets import QApplication

from designer.limits import describe, limit_words, run_limits
from model.designfile import load_design
from simulation.results import LimitHit
from tests.conftest import EXAMPLES_DIR

pytestmark = pytest.mark.gui

LIMITS = (
    LimitHit("lambda_concurrency", "get_order", 121.4, 2210),
    LimitHit("api_gateway_account_rps", "account", 61.2, 1234),
)


@pytest.fixture
def limited(qtbot, make_window):
    win = make_window(load_design(EXAMPLES_DIR / "orders_api.yaml"))
    win.resize(1280, 720)
    win.show()
    ui = win.results
    ui.panel.select_scenario("flash-sale")
    with qtbot.waitSignal(ui.panel.run_finished, timeout=30000) as blocker:
        ui.panel.run(6)
    outcome = blocker.args[0]
    object.__setattr__(outcome.result, "limits", LIMITS)
    ui.session.set_outcome(outcome)
    QApplication.processEvents()
    return win, outcome


def test_limits_are_listed_first_hit_first():
    assert run_limits(type("R", (), {"limits": ()})()) == []
    assert [limit["first_hit_s"] for limit in run_limits(type("R", (), {"limits": LIMITS})())] == [61.2, 121.4]


def test_limits_are_written_in_words():
    assert limit_words("api_gateway_account_rps") == "API Gateway account requests/s"
    assert describe(LIMITS[0].to_json(), {"get_order": "Get order"}) == (
        "Lambda concurrency, at Get order: first hit at 121.4 s, 2,210 refused or delayed")


def test_the_dashboard_lists_the_limits_first_hit_first(limited):
    win, _outcome = limited
    strip = win.results.dashboard.limits
    assert strip.isVisible()
    text = strip.text()
    assert text.index("API Gateway account requests/s") < text.index("Lambda concurrency")
    assert "account-wide from 61.2 s (1,234)" in text and ">Get order</a> from 121.4 s (2,210)" in text
    assert strip.toolTip().splitlines()[0].startswith("API Gateway account requests/s, account-wide: first hit at 61.2 s")
    # the node's name is a link to it
    strip.linkActivated.emit("node:get_order")
    assert win.scene.selected_subjects() == [("node", "get_order")]


def test_the_canvas_flags_the_node_that_hit_a_limit(limited):
    win, _outcome = limited
    overlay = win.results.overlay
    assert overlay.node_items["get_order"].limited
    assert not any(item.limited for node_id, item in overlay.node_items.items() if node_id != "get_order")
    assert "Limit hit: Lambda concurrency, at Get order: first hit at 121.4 s" in overlay.node_items["get_order"].toolTip()
    assert "2 AWS limits hit, first API Gateway account requests/s at 61.2 s" in overlay.banner.text()


def test_no_limits_no_strip_no_flags(qtbot, limited):
    win, outcome = limited
    object.__setattr__(outcome.result, "limits", [])
    win.results.session.set_outcome(outcome)
    QApplication.processEvents()
    assert not win.results.dashboard.limits.isVisible()
    assert not any(item.limited for item in win.results.overlay.node_items.values())
    assert "limit" not in win.results.overlay.banner.text()
