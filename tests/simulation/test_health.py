"""Node health from a result: the level (ring colour), utilisation, badge words and the
rate along each edge; on hand-made results with known figures, then on a real run."""

import pytest

from model.architecture import Architecture, Edge, Node
from model.designfile import load_design
from simulation.engine import simulate
from simulation.health import (
    BUSY, IDLE, OK, THROTTLED, badge_text, edge_rates, fmt_count, fmt_ms, fmt_usd, node_health,
)
from simulation.results import Latency, NodeStats, Result, TimeSeries
from tests.conftest import EXAMPLES_DIR


def stats(service="lambda", requests=1000, completed=None, throttled=0, errors=0, cold=0, p50=20.0,
          p99=80.0, max_concurrency=10, max_backlog=None) -> NodeStats:
    completed = requests - throttled - errors if completed is None else completed
    return NodeStats(service, requests, completed, throttled, errors, cold, Latency(p50=p50, p99=p99),
                     max_concurrency / 2, max_concurrency, 1.0, max_backlog)


def result(nodes: dict, series: dict | None = None, measured_s: float = 100.0) -> Result:
    return Result("s", 1, measured_s, nodes, {}, None, {}, TimeSeries(1.0, (0.0, 1.0), series or {}),
                  measured_s=measured_s)


@pytest.fixture
def arch() -> Architecture:
    arch = Architecture("Health")
    arch.account["concurrency_limit"] = 1000
    arch.add_node(Node("api", "api_gateway", {"throttle_rate_rps": 100}))
    arch.add_node(Node("fn", "lambda", {"reserved_concurrency": 50}))
    arch.add_node(Node("shared", "lambda"))
    arch.add_node(Node("table", "dynamodb", {"billing_mode": "provisioned", "read_capacity": 30,
                                             "write_capacity": 10}))
    arch.add_node(Node("queue", "sqs"))
    arch.add_edge(Edge("api", "fn"))
    arch.add_edge(Edge("fn", "table", {"action": "write", "calls": 2}))
    arch.add_edge(Edge("fn", "queue", {"calls": 0.5}))
    return arch


# -- levels ------------------------------------------------------------------------------


def test_a_node_without_traffic_is_idle(arch):
    assert node_health(arch, result({"fn": stats(requests=0)}), "fn").level == IDLE


def test_a_node_well_within_its_capacity_is_ok(arch):
    health = node_health(arch, result({"fn": stats(max_concurrency=10)}), "fn")
    assert health.level == OK and health.utilisation == pytest.approx(10 / 50)
    assert health.throttle_share == 0.0


def test_more_than_a_tenth_of_a_percent_throttled_is_throttled(arch):
    assert node_health(arch, result({"fn": stats(throttled=1)}), "fn").level == OK  # 0.1 %: not more
    health = node_health(arch, result({"fn": stats(throttled=2)}), "fn")
    assert health.level == THROTTLED and health.throttle_share == pytest.approx(0.002)


def test_eighty_percent_of_capacity_or_one_percent_errors_is_busy(arch):
    assert node_health(arch, result({"fn": stats(max_concurrency=39)}), "fn").level == OK
    assert node_health(arch, result({"fn": stats(max_concurrency=40)}), "fn").level == BUSY  # 40 of 50
    assert node_health(arch, result({"fn": stats(errors=10)}), "fn").level == OK  # 1 %: not more
    assert node_health(arch, result({"fn": stats(errors=11)}), "fn").level == BUSY


def test_throttling_outranks_being_busy(arch):
    assert node_health(arch, result({"fn": stats(throttled=50, max_concurrency=50)}), "fn").level == THROTTLED


# -- capacity rules ------------------------------------------------------------------------


def test_an_unreserved_function_is_measured_against_the_account_limit(arch):
    health = node_health(arch, result({"shared": stats(max_concurrency=850)}), "shared")
    assert health.utilisation == pytest.approx(0.85) and health.level == BUSY


def test_an_api_is_measured_by_its_peak_offered_rate(arch):
    series = {"api": {"throughput": (60.0, 70.0), "throttled": (0.0, 20.0)}}
    health = node_health(arch, result({"api": stats("api_gateway")}, series), "api")
    assert health.utilisation == pytest.approx(0.9)  # (70 + 20) of 100 requests/s


def test_a_provisioned_table_is_measured_by_its_peak_throughput(arch):
    series = {"table": {"throughput": (12.0, 20.0)}}
    health = node_health(arch, result({"table": stats("dynamodb")}, series), "table")
    assert health.utilisation == pytest.approx(0.5)  # 20 of 30 + 10 units
    arch.nodes["table"].config["billing_mode"] = "on_demand"
    assert node_health(arch, result({"table": stats("dynamodb")}, series), "table").utilisation is None


def test_services_without_a_rule_and_nodes_gone_from_the_design_have_no_utilisation(arch):
    assert node_health(arch, result({"queue": stats("sqs")}), "queue").utilisation is None
    assert node_health(arch, result({"ghost": stats()}), "ghost").utilisation is None


# -- words ---------------------------------------------------------------------------------


def test_summary_lists_the_figures_that_matter(arch):
    summary = node_health(arch, result({"fn": stats(requests=12000, throttled=30, errors=5, cold=7,
                                                     max_concurrency=10)}), "fn").summary
    assert summary.splitlines() == [
        "12,000 requests, 30 throttled (0.2%), 5 errors",
        "peak utilisation 20% of capacity",
        "latency p50 20 ms · p99 80 ms",
        "7 cold starts",
    ]


def test_badge_shows_p99_then_only_what_happened():
    assert badge_text(stats()) == "p99 80 ms"
    busy = stats(cold=3, throttled=1200, max_backlog=40.0)
    assert badge_text(busy) == "p99 80 ms · 3 cold · 1,200 throttled · backlog 40"
    assert badge_text(stats(p99=0.0, throttled=2)) == "2 throttled"


@pytest.mark.parametrize("value, text", [(0.25, "0.2"), (9.96, "10.0"), (12.4, "12"), (2500, "2,500"),
                                         (12_345, "12.3 s")])
def test_milliseconds_are_written_to_a_sensible_precision(value, text):
    assert fmt_ms(value) == text


def test_counts_and_dollars():
    assert (fmt_count(1234.6), fmt_count(None)) == ("1,235", "—")
    assert (fmt_usd(0), fmt_usd(1234.5), fmt_usd(0.0042)) == ("$0.00", "$1,234.50", "$0.0042")


def test_edge_rates_are_the_sources_completions_per_second_times_calls(arch):
    rates = edge_rates(arch, result({"api": stats("api_gateway", completed=5000), "fn": stats(completed=3000)}))
    assert rates == {0: pytest.approx(50.0), 1: pytest.approx(60.0), 2: pytest.approx(15.0)}
    assert edge_rates(arch, result({"fn": stats(completed=3000)})).keys() == {1, 2}  # api never ran


# -- on a real run -------------------------------------------------------------------------


def test_a_tight_reserved_concurrency_shows_as_throttled_in_a_real_run():
    design = load_design(EXAMPLES_DIR / "orders_api.yaml")
    design.nodes["get_order"].config["reserved_concurrency"] = 2
    run = simulate(design, "flash-sale", duration_s=8)
    assert node_health(design, run, "get_order").level == THROTTLED
    levels = {node_id: node_health(design, run, node_id).level for node_id in run.nodes}
    assert set(levels) == set(run.nodes) and levels["create_order"] in (OK, BUSY)
    assert badge_text(run.nodes["get_order"]).endswith(f"{fmt_count(run.nodes['get_order'].throttled)} throttled")
