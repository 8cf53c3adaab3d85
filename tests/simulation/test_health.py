"""Node health from a result: the level (ring colour), utilisation, badge words and the
rate along each edge; on hand-made results with known figures, then on a real run."""

import pytest

from model.architecture import Architecture, Edge, Node
from model.designfile import load_design
from simulation.engine import simulate
from simulation.health import (
    BUSY, IDLE, OK, THROTTLED, badge_short, badge_text, edge_rates, fmt_count, fmt_ms, fmt_share, fmt_usd,
    headline, node_health,
)
from simulation.results import EntryStats, Latency, NodeStats, Result, TimeSeries
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


def test_a_queue_ending_with_more_than_a_minute_of_arrivals_waiting_is_backing_up(arch):
    # 1,000 messages in 100 s: 10/s, so a minute of arrivals is 600 messages
    def verdict(backlog_at_end):
        series = {"queue": {"backlog": [0.0, 300.0, backlog_at_end]}}
        return node_health(arch, result({"queue": stats("sqs", max_backlog=700)}, series), "queue")
    assert verdict(600).level == OK  # a minute's worth: not more
    backing_up = verdict(601)
    assert backing_up.level == BUSY
    assert backing_up.reason.startswith("Backing up: 601 messages still waiting")


def test_a_queue_whose_messages_wait_over_a_minute_at_p99_is_slow_to_drain(arch):
    def verdict(p99_ms, service="sqs"):
        return node_health(arch, result({"queue": stats(service, p99=p99_ms, max_backlog=5)}), "queue")
    assert verdict(60_000).level == OK  # a minute: not more
    slow = verdict(60_001)
    assert slow.level == BUSY
    assert slow.reason == ("Slow to drain: 1% of the messages waited 60.0 s or more before a consumer "
                           "took them, more than 60 s")
    assert verdict(90_000, service="lambda").level == OK  # a function's latency is its run time


def test_the_wait_a_consumer_asks_for_with_its_batch_window_is_not_slow(arch):
    arch.add_node(Node("reader", "lambda"))
    arch.add_edge(Edge("queue", "reader", {"batch_window_s": 120}))
    def level(p99_ms):
        return node_health(arch, result({"queue": stats("sqs", p99=p99_ms, max_backlog=5)}), "queue").level
    assert level(170_000) == OK  # within the 120 s window plus a minute
    assert level(181_000) == BUSY


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
        "Throttled: 0.3% of the attempts were refused for capacity (more than 0.1%)",
        "12,000 requests, 30 throttled (0.2%), 5 errors",
        "peak utilisation 20% of capacity",
        "latency p50 20 ms · p99 80 ms",
        "7 cold starts",
    ]


@pytest.mark.parametrize("figures, level, reason", [
    ({"errors": 130}, BUSY, "Erroring: 13% of the requests failed (more than 1%)"),
    ({"max_concurrency": 43}, BUSY, "Busy: at its peak it used 86% of its capacity (80% or more)"),
    ({"throttled": 42}, THROTTLED, "Throttled: 4.2% of the attempts were refused for capacity (more than 0.1%)"),
    ({}, OK, ""),
])
def test_an_amber_or_red_verdict_says_why_first(arch, figures, level, reason):
    health = node_health(arch, result({"fn": stats(**figures)}), "fn")
    assert (health.level, health.reason) == (level, reason)
    assert health.summary.splitlines()[0] == reason or not reason


def test_badge_shows_p99_then_only_what_happened():
    assert badge_text(stats()) == "p99 80 ms"
    busy = stats(cold=3, throttled=1200, max_backlog=40.0)
    assert badge_text(busy) == "p99 80 ms · 3 cold · 1,200 throttled · backlog 40"
    assert badge_text(stats(p99=0.0, throttled=2)) == "2 throttled"
    assert badge_text(stats(errors=7, p99=12_345)) == "p99 12.3 s · 7 errors"


def test_a_short_badge_gives_the_most_telling_figure():
    assert badge_short(stats(cold=3, throttled=1200, errors=4, max_backlog=40.0)) == "1,200 throttled"
    assert badge_short(stats(errors=4, max_backlog=40.0)) == "4 errors"
    assert badge_short(stats(max_backlog=1830.0)) == "backlog 1,830"
    assert badge_short(stats()) == "p99 80 ms"
    assert badge_short(stats(p99=0.0)) == ""


@pytest.mark.parametrize("value, text", [(0.25, "0.2 ms"), (9.96, "10.0 ms"), (12.4, "12 ms"),
                                         (2500, "2,500 ms"), (12_345, "12.3 s")])
def test_milliseconds_are_written_to_a_sensible_precision_with_their_unit(value, text):
    assert fmt_ms(value) == text  # once "12.3 s ms": the unit is fmt_ms's, never the caller's


@pytest.mark.parametrize("share, text", [(0.0, "0%"), (0.13, "13%"), (0.042, "4.2%"), (0.992, "99.2%"),
                                         (0.9999, "99.9%"), (0.00004, "0.01%"), (1.0, "100%")])
def test_shares_are_never_rounded_to_all_or_nothing(share, text):
    assert fmt_share(share) == text


def test_headline_counts_failures_and_the_success_rate_of_ended_requests():
    entries = {"api": EntryStats(1000, 850, 130, Latency(p99=290.0)), "job": EntryStats(10, 10, 0, Latency(p99=900.0))}
    run = Result("s", 1, 100.0, {"fn": stats(throttled=5, cold=3)}, entries, None, {},
                 TimeSeries(1.0, (0.0,), {}), measured_s=100.0)
    figures = headline(run)
    assert (figures.requests, figures.succeeded, figures.failed) == (1010, 860, 130)
    assert figures.success_rate == pytest.approx(860 / 990)  # 20 still in flight at the end
    assert (figures.p99_ms, figures.throttled, figures.cold_starts, figures.monthly_usd) == (900.0, 5, 3, None)


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
