"""What-if compare: two configurations of one design side by side."""

import pytest

from model.designfile import load_design
from model.errors import StratusError
from tests.conftest import EXAMPLES_DIR

from designer.compare import CompareDialog, compare_results, parse_overrides


@pytest.fixture
def arch():
    design = load_design(EXAMPLES_DIR / "orders_api.yaml")
    design.nodes["get_order"].config["reserved_concurrency"] = 3
    return design


def test_overrides_are_checked(arch):
    assert parse_overrides(arch, "get_order.memory_mb=1024, get_order.reserved_concurrency=40") == {
        "get_order": {"memory_mb": 1024, "reserved_concurrency": 40}}
    with pytest.raises(StratusError, match="no node 'nope'"):
        parse_overrides(arch, "nope.memory_mb=1")
    with pytest.raises(StratusError, match="no setting 'colour'"):
        parse_overrides(arch, "get_order.colour=red")


def test_compare_dialog_shows_differences_of_two_configs(qtbot, arch):
    dialog = CompareDialog(arch)
    qtbot.addWidget(dialog)
    dialog.duration.setValue(6)
    dialog.set_variant("a", "flash-sale", "get_order.reserved_concurrency=3")
    dialog.set_variant("b", "flash-sale", "get_order.reserved_concurrency=60, get_order.memory_mb=1024")
    with qtbot.waitSignal(dialog.job.finished, timeout=20000):
        assert dialog.run()
    a, b = dialog.results
    assert a.nodes["get_order"].throttled > 0 and b.nodes["get_order"].throttled < a.nodes["get_order"].throttled
    rows = {r.metric: r for r in dialog.rows}
    assert rows == {r.metric: r for r in compare_results(a, b)}
    throttled = rows["get_order: throttled"]
    assert (throttled.a, throttled.b) == (a.nodes["get_order"].throttled, b.nodes["get_order"].throttled)
    assert throttled.better() is True
    cost = rows["get_order: cost per month"]
    assert cost.b == pytest.approx(b.cost.by_node["get_order"]) and cost.b != cost.a
    # the table shows the same rows, the change column coloured
    texts = {dialog.table.item(i, 0).text(): dialog.table.item(i, 3).text() for i in range(dialog.table.rowCount())}
    assert texts["get_order: throttled"] == throttled.change_text()
    assert texts["get_order: throttled"].startswith("−")
    assert "orders_api: p99 latency" in texts
    assert dialog.chart.figure.axes
