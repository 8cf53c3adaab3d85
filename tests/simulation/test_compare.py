"""What-if compare without the dialog: override text, variants prepared on copies, the two
runs with one seed, and the rows that say what changed."""

import copy

import pytest

from model.designfile import load_design
from model.errors import StratusError
from simulation.compare import (
    Row, Variant, compare_results, example_overrides, parse_overrides, prepare_variant, run_variants,
)
from simulation.engine import Cancelled, simulate
from simulation.results import EntryStats, Latency, NodeStats, Result, TimeSeries
from simulation.sweep import plan_runs
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
    assert rows["fn: throttled"].better() is True and rows["all nodes: cold starts"].better() is False
    assert rows["fn: p99 duration"].b == 150
    assert rows["cost per month"].change_text() == "+$1.50 (+12%)" and rows["cost per month"].better() is False
    assert rows["api: p50 latency"].change_text() == "no change"
    assert rows["fn: throttled"].change_text() == "−8 (-100%)"


def test_quiet_nodes_and_missing_costs_add_no_rows():
    metrics = [r.metric for r in compare_results(_result(200, 0, None), _result(200, 0, None))]
    assert "fn: throttled" not in metrics and "fn: p99 duration" not in metrics
    assert not any("cost" in m for m in metrics)


def test_values_are_written_with_their_unit():
    assert Row("m", 1500, 2500, "ms").value_text(2500) == "2,500 ms"
    assert Row("m", 0, 3, "ms").change_text() == "+3.0 ms"  # from nothing: no percentage
    assert Row("m", 2000, 1000, "count").change_text() == "−1,000 (-50%)"
    assert Row("m", 1, 2, "usd").value_text(0.005) == "$0.0050"
