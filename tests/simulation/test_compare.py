"""What-if compare without the dialog: override text, variants prepared on copies, the two
runs with one seed, and the rows that say what changed."""

import copy

import pytest

from model.designfile import load_design
from model.errors import StratusError
from simulation.compare import (
    Row, Variant, compare_results, compare_runs, current_value, example_overrides, parse_overrides, prepare_variant,
    replicate_variants, run_variants, settable_fields, settable_targets, suggested_values,
)
from simulation.engine import Cancelled, simulate
from simulation.results import EntryStats, Latency, NodeStats, Result, TimeSeries
from simulation.sweep import plan_runs, replication_seed
from tests.conftest import EXAMPLES_DIR, example_paths


@pytest.fixture
def orders():
    return load_design(EXAMPLES_DIR / "orders_api.yaml")


# -- override text and variants -----------------------------------------------------------


def test_override_text_splits_on_commas_and_semicolons():
    assert parse_overrides(" fn.memory_mb=1024; load.0.rate_rps=80 ,, account.concurrency_limit=500 ") == (
        ("fn.memory_mb", "1024"), ("load.0.rate_rps", "80"), ("account.concurrency_limit", "500"))
    assert parse_overrides("") == ()


@pytest.mark.parametrize("text", ["fn.memory_mb", "=3", "fn.memory_mb=1,2"])
def test_bad_syntax_is_refused_without_the_command_line_option_in_the_message(text):
    with pytest.raises(StratusError) as error:
        parse_overrides(text)
    assert not str(error.value).startswith("--vary")


def test_a_variant_is_applied_to_copies(orders):
    before = copy.deepcopy(orders.scenario("flash-sale"))
    variant = Variant("flash-sale", parse_overrides(
        "get_order.memory_mb=1024, load.orders_api.rate_rps=600, account.concurrency_limit=500"))
    design, scenario = prepare_variant(orders, variant)
    assert scenario.overrides["get_order"] == {"memory_mb": 1024}  # typed, not "1024"
    assert scenario.load[0].params["rate_rps"] == 600 and design.account["concurrency_limit"] == 500
    assert orders.account == {} and orders.scenario("flash-sale") == before


@pytest.mark.parametrize("text", ["nope.memory_mb=1024", "get_order.memory_mb=lots", "load.3.rate_rps=80",
                                  "account.concurrency_limit=0"])
def test_a_bad_setting_gives_sweeps_message(orders, text):
    key, _, value = text.partition("=")
    with pytest.raises(StratusError) as sweep_error:
        plan_runs(orders, orders.scenario("flash-sale"), {key: [value]})
    with pytest.raises(StratusError) as error:
        prepare_variant(orders, Variant("flash-sale", parse_overrides(text)))
    assert str(error.value) == str(sweep_error.value).removeprefix("--vary ")


def test_an_unknown_scenario_is_named(orders):
    with pytest.raises(StratusError, match="no scenario named 'launch'"):
        prepare_variant(orders, Variant("launch", ()))


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_the_example_overrides_are_valid_for_every_example(path):
    design = load_design(path)
    if not design.scenarios:
        pytest.skip("no scenario to vary")
    settings = parse_overrides(example_overrides(design))
    assert [key.split(".")[0] for key, _ in settings][-2:] == ["load", "account"]
    prepare_variant(design, Variant(design.scenarios[0].name, settings))


# -- running ------------------------------------------------------------------------------


def test_both_variants_run_with_the_first_ones_seed(orders):
    orders.scenario("normal-day").seed = 99  # B's own seed: ignored
    prepared = [prepare_variant(orders, Variant("flash-sale", ())),
                prepare_variant(orders, Variant("normal-day", parse_overrides("load.0.rate_rps=20")))]
    heard = []
    a, b = run_variants(prepared, duration_s=65, progress=heard.append)
    assert a.seed == b.seed == orders.scenario("flash-sale").seed
    assert a.to_json() == simulate(*prepared[0], duration_s=65).to_json()  # exactly the single run
    assert heard == sorted(heard) and heard[-1] == pytest.approx(1.0) and max(heard) <= 1.0
    assert any(0.4 < f < 0.6 for f in heard)  # halfway when the first is done


def test_identical_variants_give_identical_results(orders):
    prepared = [prepare_variant(orders, Variant("flash-sale", ()))] * 2
    a, b = run_variants(prepared, duration_s=5)
    assert a.to_json() == b.to_json()
    assert all(row.better() is None for row in compare_results(a, b))


def test_running_stops_when_cancelled(orders):
    prepared = [prepare_variant(orders, Variant("flash-sale", ()))] * 2
    with pytest.raises(Cancelled):
        run_variants(prepared, duration_s=60, cancel=lambda: True)


# -- what changed ------------------------------------------------------------------------


def _result(p99: float, throttled: int, cost: float | None, cold: int = 0) -> Result:
    node = NodeStats("lambda", 100, 100 - throttled, throttled, 0, cold, Latency(p50=10, p99=p99), 1, 2, 1)
    entry = EntryStats(100, 100 - throttled, throttled, Latency(p50=12, p95=40, p99=p99 + 5))
    breakdown = None if cost is None else type("Cost", (), {"monthly_usd": cost, "by_node": {"fn": cost}})()
    return Result("s", 1, 10, {"fn": node}, {"api": entry}, breakdown, {}, TimeSeries(1, (), {}))


def test_rows_compare_latency_failures_throttles_and_cost():
    rows = {r.metric: r for r in compare_results(_result(200, 8, 12.5), _result(150, 0, 14.0, cold=3))}
    assert list(rows)[:4] == ["api: p50 latency", "api: p95 latency", "api: p99 latency", "api: failed requests"]
    assert (rows["api: p99 latency"].a, rows["api: p99 latency"].b) == (205, 155)
    assert rows["fn: p99 duration"].b == 150
    assert rows["cost per month"].change_text() == "+$1.50 (+12%)"
    assert rows["api: p50 latency"].change_text() == "no change"
    assert rows["fn: throttled"].change_text() == "−8 (-100%)"
    # one run each: no interval, so nothing is called better or worse
    assert all(row.significant() is None and row.better() is None for row in rows.values())


def test_only_differences_whose_intervals_do_not_overlap_count():
    a = [_result(200 + d, 8 + d, 12.5 + d / 10) for d in (-2, 0, 2, 1)]
    b = [_result(150 + d, 0, 12.52 + d / 10, cold=3) for d in (-2, 0, 2, 1)]
    rows = {r.metric: r for r in compare_runs(a, b)}
    p99 = rows["api: p99 latency"]
    assert (p99.a, p99.b) == (205.25, 155.25) and p99.a_ci[0] < 205.25 < p99.a_ci[1]
    assert p99.significant() is True and p99.better() is True
    assert rows["fn: throttled"].better() is True and rows["all nodes: cold starts"].better() is False
    cost = rows["cost per month"]  # +$0.02 on $12.5 a month, well within the run-to-run spread
    assert cost.change_text() == "+$0.02 (+0%)"
    assert cost.significant() is False and cost.better() is None
    assert cost.interval_text("a") == "$12.53 ± $0.27"


def test_replications_share_seeds_across_variants_and_the_first_is_the_scenarios(orders):
    prepared = [prepare_variant(orders, Variant("flash-sale", ())),
                prepare_variant(orders, Variant("flash-sale", parse_overrides("get_order.memory_mb=1024")))]
    a_runs, b_runs = replicate_variants(prepared, 3, duration_s=4)
    assert [r.seed for r in a_runs] == [r.seed for r in b_runs] == [replication_seed(7, i) for i in range(3)]
    assert a_runs[0].seed == orders.scenario("flash-sale").seed
    assert a_runs[0].to_json() == simulate(*prepared[0], duration_s=4).to_json()
    assert len({r.entries["orders_api"].requests for r in a_runs}) > 1  # different seeds, different runs


def test_without_a_duration_each_scenario_runs_its_own(orders):
    orders.scenario("flash-sale").duration_s = 6
    orders.scenario("normal-day").duration_s = 70
    prepared = [prepare_variant(orders, Variant("flash-sale", ())), prepare_variant(orders, Variant("normal-day", ()))]
    (a,), (b,) = replicate_variants(prepared, 1)
    assert (a.duration_s, b.duration_s) == (6, 70)
    assert a.cost.monthly_usd == simulate(orders, "flash-sale").cost.monthly_usd  # what Run shows


def test_what_the_pickers_offer(orders):
    scenario = orders.scenario("flash-sale")
    targets = dict(settable_targets(orders, scenario))
    assert targets["create_order"] == "Create order (Lambda)"
    assert targets["load.orders_api"] == "Load at Orders API (spike)" and targets["account"] == "Account"
    fields = [f.name for f in settable_fields(orders, scenario, "create_order")]
    assert {"memory_mb", "reserved_concurrency", "duration_ms", "error_rate"} <= set(fields)
    assert "runtime" in fields  # a choice
    assert [f.name for f in settable_fields(orders, scenario, "load.orders_api")] == ["rate_rps", "spike_rps",
                                                                                       "at_s", "length_s"]
    memory = next(f for f in settable_fields(orders, scenario, "create_order") if f.name == "memory_mb")
    assert current_value(orders, scenario, "create_order.memory_mb") == 512
    assert suggested_values(memory, 512) == ["256", "1024", "2048", "128"]
    for text in suggested_values(memory, 512):  # every suggestion is a value sweep accepts
        prepare_variant(orders, Variant("flash-sale", parse_overrides(f"create_order.memory_mb={text}")))


def test_quiet_nodes_and_missing_costs_add_no_rows():
    metrics = [r.metric for r in compare_results(_result(200, 0, None), _result(200, 0, None))]
    assert "fn: throttled" not in metrics and "fn: p99 duration" not in metrics
    assert not any("cost" in m for m in metrics)


def test_values_are_written_with_their_unit():
    assert Row("m", 1500, 2500, "ms").value_text(2500) == "2,500 ms"
    assert Row("m", 0, 3, "ms").change_text() == "+3.0 ms"  # from nothing: no percentage
    assert Row("m", 2000, 1000, "count").change_text() == "−1,000 (-50%)"
    assert Row("m", 1, 2, "usd").value_text(0.005) == "$0.0050"
