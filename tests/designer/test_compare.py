"""What-if compare: two configurations of one design side by side.

Overrides take the three kinds of target of `sweep --vary` (node fields, load parameters,
account settings), picked from lists or typed; a bad one is reported in the status line,
in sweep's words. Each variant runs its scenario's own duration unless told otherwise,
in replications, and only changes whose 95% intervals do not overlap are coloured."""

import copy

import pytest

from model.designfile import load_design
from model.errors import StratusError
from PySide6.QtCore import Qt

from simulation.compare import Variant, compare_runs, parse_overrides, prepare_variant
from simulation.engine import simulate
from simulation.health import fmt_usd
from simulation.sweep import plan_runs
from tests.conftest import EXAMPLES_DIR

from designer.compare import CompareDialog

RED = "#D92D20"


@pytest.fixture
def orders():
    return load_design(EXAMPLES_DIR / "orders_api.yaml")


@pytest.fixture
def arch(orders):
    orders.nodes["get_order"].config["reserved_concurrency"] = 3
    return orders


def compare(qtbot, design, a: str, b: str, duration_s: float = 6, scenario: str = "flash-sale",
            replications: int = 1):
    """Run the dialog on two override texts and return its (A, B) results (first replication)."""
    dialog = CompareDialog(design)
    qtbot.addWidget(dialog)
    dialog.duration.setValue(duration_s)
    dialog.replications.setValue(replications)
    dialog.set_variant("a", scenario, a)
    dialog.set_variant("b", scenario, b)
    with qtbot.waitSignal(dialog.job.finished, timeout=60000):
        assert dialog.run(), dialog.status.text()
    return [runs[0] for runs in dialog.results]


def test_overrides_are_checked(arch):
    assert parse_overrides("get_order.memory_mb=1024; load.0.rate_rps=80, account.concurrency_limit=500") == (
        ("get_order.memory_mb", "1024"), ("load.0.rate_rps", "80"), ("account.concurrency_limit", "500"))
    with pytest.raises(StratusError, match="is not TARGET="):
        parse_overrides("get_order.memory_mb")
    variant = Variant("flash-sale", parse_overrides(
        "get_order.memory_mb=1024, load.orders_api.rate_rps=600, account.concurrency_limit=500"))
    design, scenario = prepare_variant(arch, variant)
    assert scenario.overrides["get_order"] == {"memory_mb": 1024}
    assert scenario.load[0].params["rate_rps"] == 600 and design.account["concurrency_limit"] == 500
    # the user's design is untouched
    assert arch.account == {} and arch.scenario("flash-sale").load[0].params["rate_rps"] == 40
    assert "get_order" not in arch.scenario("flash-sale").overrides


def test_compare_dialog_shows_differences_of_two_configs(qtbot, arch):
    dialog = CompareDialog(arch)
    qtbot.addWidget(dialog)
    dialog.duration.setValue(6)
    dialog.replications.setValue(3)
    dialog.set_variant("a", "flash-sale", "get_order.reserved_concurrency=3")
    dialog.set_variant("b", "flash-sale", "get_order.reserved_concurrency=60, get_order.memory_mb=1024")
    with qtbot.waitSignal(dialog.job.finished, timeout=60000):
        assert dialog.run()
    a_runs, b_runs = dialog.results
    assert len(a_runs) == len(b_runs) == 3 and [r.seed for r in a_runs] == [r.seed for r in b_runs]
    a, b = a_runs[0], b_runs[0]
    assert a.nodes["get_order"].throttled > 0 and b.nodes["get_order"].throttled < a.nodes["get_order"].throttled
    rows = {r.metric: r for r in dialog.rows}
    assert rows == {r.metric: r for r in compare_runs(a_runs, b_runs)}
    throttled = rows["get_order: throttled"]
    assert throttled.a == pytest.approx(sum(r.nodes["get_order"].throttled for r in a_runs) / 3)
    assert throttled.better() is True
    cost = rows["get_order: cost per month"]
    assert cost.b == pytest.approx(sum(r.cost.by_node["get_order"] for r in b_runs) / 3) and cost.b != cost.a
    # the table shows the same rows, means ± their intervals, the change coloured only when clear
    table = dialog.table
    cells = {table.item(i, 0).text(): [table.item(i, c) for c in range(1, 4)] for i in range(table.rowCount())}
    assert cells["Get order: throttled"][2].text() == throttled.change_text()
    assert cells["Get order: throttled"][2].text().startswith("−")
    assert cells["Get order: throttled"][0].text() == throttled.interval_text("a")
    assert " ± " in throttled.interval_text("a")
    assert cells["Get order: throttled"][2].foreground().color().name() == "#067647"
    by_label = {dialog._named(metric): row for metric, row in rows.items()}
    for label, (_a, _b, change) in cells.items():
        coloured = change.foreground().style() != Qt.NoBrush
        assert coloured == (by_label[label].better() is not None), label
        assert ("do not overlap" in change.toolTip()) == (by_label[label].better() is not None)
    assert "Orders API: p99 latency" in cells and "orders_api: p99 latency" not in cells
    assert dialog.chart.figure.axes
    assert "3 × 6 s" in dialog.status.text() and "differ clearly" in dialog.status.text()


def test_compare_runs_the_picked_scenario_for_its_own_duration(qtbot, orders):
    # Compare once ran every variant as long as the shortest scenario of the design
    orders.scenario("flash-sale").duration_s = 12
    orders.scenario("normal-day").duration_s = 70
    dialog = CompareDialog(orders)
    qtbot.addWidget(dialog)
    assert dialog.duration.text() == "scenario's own"
    dialog.replications.setValue(1)
    dialog.set_variant("a", "normal-day")
    dialog.set_variant("b", "normal-day", "load.0.rate_rps=20")
    with qtbot.waitSignal(dialog.job.finished, timeout=60000):
        assert dialog.run()
    (a,), (b,) = dialog.results
    assert a.scenario == "normal-day" and a.duration_s == b.duration_s == 70
    run = simulate(orders, "normal-day")  # what the Run button gives
    assert a.cost.monthly_usd == run.cost.monthly_usd and a.seed == run.seed
    metrics = [r.metric for r in dialog.rows]
    assert dialog.table.item(metrics.index("cost per month"), 1).text() == fmt_usd(run.cost.monthly_usd)
    assert "one run each" in dialog.status.text()
    assert all(dialog.table.item(i, 3).foreground().style() == Qt.NoBrush for i in range(dialog.table.rowCount()))


def test_only_clear_differences_are_coloured(qtbot, orders):
    dialog = CompareDialog(orders)
    qtbot.addWidget(dialog)
    dialog.duration.setValue(5)
    dialog.replications.setValue(4)
    dialog.set_variant("a", "flash-sale", "")
    dialog.set_variant("b", "flash-sale", "send_confirmation.memory_mb=272, load.0.rate_rps=200")
    with qtbot.waitSignal(dialog.job.finished, timeout=60000):
        assert dialog.run()
    rows = {r.metric: r for r in dialog.rows}
    assert rows["cost per month"].better() is False  # five times the load costs more, clearly
    quiet = [r for r in dialog.rows if r.b != r.a and r.better() is None]
    assert quiet, "some figures moved within the noise"
    for row in quiet:
        assert row.significant() is False
        index = list(rows).index(row.metric)
        assert dialog.table.item(index, 3).foreground().style() == Qt.NoBrush
        assert "Within the noise" in dialog.table.item(index, 3).toolTip()


def test_targets_are_picked_from_lists_and_typed_text_still_works(qtbot, orders):
    dialog = CompareDialog(orders)
    qtbot.addWidget(dialog)
    dialog.set_variant("b", "flash-sale")
    picker, line = dialog.pickers["b"], dialog.sides["b"][1]
    labels = [picker.target.itemText(i) for i in range(picker.target.count())]
    assert "Create order (Lambda)" in labels and "Load at Orders API (spike)" in labels and labels[-1] == "Account"
    picker.pick("create_order", "memory_mb", "1024")
    assert [picker.value.itemText(i) for i in range(picker.value.count())] == ["256", "1024", "2048", "128"]
    picker.add.click()
    assert line.text() == "create_order.memory_mb=1024"
    picker.pick("load.orders_api", "rate_rps", "80")
    picker.add.click()
    picker.pick("create_order", "memory_mb", "2048")  # the same target again: replaced, not repeated
    picker.add.click()
    assert line.text() == "load.orders_api.rate_rps=80, create_order.memory_mb=2048"
    line.setText(line.text() + ", account.concurrency_limit=500")  # typed by hand
    picker.pick("account", "concurrency_limit", "800")
    picker.add.click()
    assert line.text() == "load.orders_api.rate_rps=80, create_order.memory_mb=2048, account.concurrency_limit=800"
    _a, b = dialog.variants()
    assert b.settings == (("load.orders_api.rate_rps", "80"), ("create_order.memory_mb", "2048"),
                          ("account.concurrency_limit", "800"))
    prepare_variant(orders, b)


def test_a_failed_comparison_clears_the_previous_one(qtbot, orders, monkeypatch):
    dialog = CompareDialog(orders)
    qtbot.addWidget(dialog)
    dialog.duration.setValue(4)
    dialog.replications.setValue(1)
    dialog.set_variant("a", "flash-sale", "")
    dialog.set_variant("b", "flash-sale", "load.0.rate_rps=80")
    with qtbot.waitSignal(dialog.job.finished, timeout=60000):
        assert dialog.run()
    assert dialog.table.rowCount() > 0 and dialog.results is not None
    # a bad target: nothing runs, and the old rows go
    dialog.set_variant("b", "flash-sale", "nope.memory_mb=1")
    assert dialog.run() is False
    assert dialog.results is None and dialog.table.rowCount() == 0 and RED in dialog.status.styleSheet()
    assert dialog.chart.key[0][0] == "empty"
    # a run that fails on its worker thread: the same
    dialog.set_variant("b", "flash-sale", "load.0.rate_rps=80")
    with qtbot.waitSignal(dialog.job.finished, timeout=60000):
        assert dialog.run()
    assert dialog.table.rowCount() > 0

    def broken(*_args, **_kwargs):
        raise StratusError("the engine gave up")

    monkeypatch.setattr("designer.compare.replicate_variants", broken)
    with qtbot.waitSignal(dialog.job.failed, timeout=10000):
        assert dialog.run()
    assert dialog.status.text() == "Could not compare: the engine gave up"
    assert dialog.results is None and dialog.table.rowCount() == 0


def test_doubled_load_rate_doubles_the_entry_requests(qtbot, orders):
    # flash-sale's spike starts at 120 s: the first 10 s are its Poisson base rate (40/s)
    a, b = compare(qtbot, orders, "", "load.orders_api.rate_rps=80", duration_s=10)
    assert a.seed == b.seed
    ratio = b.entries["orders_api"].requests / a.entries["orders_api"].requests
    assert ratio == pytest.approx(2.0, rel=0.1)


def test_lower_account_concurrency_limit_makes_throttles_appear(qtbot, orders):
    # the design reserves 140 for two functions; a limit of 240 leaves the others the
    # minimum 100 unreserved, too few for 400 requests/s
    load = "load.orders_api.rate_rps=400"
    a, b = compare(qtbot, orders, load, f"{load}, account.concurrency_limit=240", duration_s=5)
    unreserved = ("get_order", "price_quote", "send_confirmation")
    assert all(a.nodes[n].throttled == 0 for n in unreserved)
    assert all(b.nodes[n].throttled > 0 for n in unreserved)
    assert b.entries["orders_api"].failed > a.entries["orders_api"].failed


def test_mixed_override_applies_load_account_and_node_settings(qtbot, orders):
    before = copy.deepcopy(orders.scenario("flash-sale"))
    a, b = compare(qtbot, orders, "", "load.0.rate_rps=400, account.concurrency_limit=240, get_order.memory_mb=1024",
                   duration_s=5)
    # load: ten times the base rate
    assert b.entries["orders_api"].requests / a.entries["orders_api"].requests == pytest.approx(10, rel=0.1)
    # account: functions with no reserved concurrency now throttle
    assert a.nodes["price_quote"].throttled == 0 < b.nodes["price_quote"].throttled
    # node: four times the memory, so a CPU-bound handler runs about twice as fast
    assert b.nodes["get_order"].latency_ms.p50 < 0.7 * a.nodes["get_order"].latency_ms.p50
    assert orders.account == {} and orders.scenario("flash-sale") == before


@pytest.mark.parametrize("text", [
    "nope.memory_mb=1024",                  # unknown node
    "get_order.colour=red",                 # unknown field
    "load.checkout.rate_rps=80",            # no load enters there
    "load.orders_api.spin=3",               # no such load parameter
    "load.3.rate_rps=80",                   # no such load index
    "account.colour=red",                   # unknown account field
    "get_order.memory_mb=lots",             # bad value
    "load.orders_api.rate_rps=0",           # out of range for a load
    "account.concurrency_limit=0",          # out of range for the account
])
def test_bad_override_is_reported_in_sweeps_words_and_runs_nothing(qtbot, orders, text):
    key, _, value = text.partition("=")
    with pytest.raises(StratusError) as sweep_error:
        plan_runs(orders, orders.scenario("flash-sale"), {key: [value]})
    dialog = CompareDialog(orders)
    qtbot.addWidget(dialog)
    dialog.set_variant("a", "flash-sale", "get_order.memory_mb=512")
    dialog.set_variant("b", "flash-sale", f"get_order.memory_mb=1024, {text}")
    with qtbot.assertNotEmitted(dialog.job.busy_changed):
        assert dialog.run() is False
    assert dialog.status.text() == str(sweep_error.value).removeprefix("--vary ")
    assert dialog.status.text().startswith(key) and RED in dialog.status.styleSheet()
    assert dialog.results is None and not dialog.job.busy() and dialog.table.rowCount() == 0


def test_bad_syntax_is_reported_without_running(qtbot, orders):
    dialog = CompareDialog(orders)
    qtbot.addWidget(dialog)
    dialog.set_variant("b", "flash-sale", "get_order.memory_mb")
    assert dialog.run() is False
    assert "is not TARGET=" in dialog.status.text() and RED in dialog.status.styleSheet()
    assert not dialog.job.busy()


@pytest.mark.parametrize("example", ["orders_api.yaml", "order_queue.yaml", "sns_fanout.yaml"])
def test_placeholder_shows_every_kind_of_target_and_is_itself_valid(qtbot, example):
    design = load_design(EXAMPLES_DIR / example)
    dialog = CompareDialog(design)
    qtbot.addWidget(dialog)
    placeholder = dialog.sides["b"][1].placeholderText()
    keys = [key for key, _ in parse_overrides(placeholder)]
    assert [k.split(".")[0] for k in keys][1:] == ["load", "account"] and keys[0].split(".")[0] in design.nodes
    # valid, setting by setting and as a whole design, for the scenario both sides start on
    scenario = dialog.sides["b"][0].currentText()
    prepare_variant(design, Variant(scenario, parse_overrides(placeholder)))
    plan_runs(design, design.scenario(scenario), {k: [v] for k, v in parse_overrides(placeholder)})
    for form in ("NODE.FIELD", "load.ENTRY.PARAM", "account.FIELD", placeholder):
        assert form in dialog.help.text()
