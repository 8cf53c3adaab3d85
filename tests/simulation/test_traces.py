"""Request journeys (DESIGN.md section 4, `traces`): a seeded, bounded sample of requests
followed span by span, without changing a single statistic of the run."""

import json
import math

import pytest

from model.designfile import load_design
from simulation.engine import simulate
from simulation.replay import plan_trips, response_ms, slowest_and_failed
from simulation.report import render_report
from simulation.traces import MAX_TRACES, MIN_TRACES
from tests.conftest import EXAMPLES_DIR, example_paths
from tests.simulation.designs import design, function

SPAN_FIELDS = {"node", "start_ms", "end_ms", "cold_start", "wait_ms", "retries"}


def without_traces(result) -> dict:
    data = result.to_json()
    data.pop("traces")
    return data


def short(path):
    arch = load_design(path)
    scenario = arch.scenarios[0]
    return arch, scenario.name, max(40.0, scenario.warmup_s + 30.0)


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_tracing_changes_no_statistic_and_is_seeded(path):
    arch, scenario, duration = short(path)
    traced = simulate(arch, scenario, duration_s=duration)
    assert traced.traces, "every example has requests to follow"
    assert without_traces(traced) == without_traces(simulate(arch, scenario, duration_s=duration, traces=0))
    assert traced.to_json() == simulate(arch, scenario, duration_s=duration).to_json()  # same seed, same journeys
    other = simulate(arch, scenario, seed=traced.seed + 1, duration_s=duration)
    assert other.traces != traced.traces


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_journeys_follow_the_designs_edges(path):
    arch, scenario, duration = short(path)
    result = simulate(arch, scenario, duration_s=duration)
    edges = {(e.source, e.target) for e in arch.edges}
    for journey in result.traces:
        assert journey["outcome"] in ("ok", "throttled", "error", "timeout")
        spans = journey["spans"]
        assert spans[0]["node"] == journey["entry"] and spans[0]["start_ms"] == 0
        for span in spans:
            assert SPAN_FIELDS <= set(span) and span["end_ms"] >= span["start_ms"] >= 0
        for later in spans[1:]:  # every later span came along an edge from an earlier one
            assert any((earlier["node"], later["node"]) in edges and earlier["start_ms"] <= later["start_ms"]
                       for earlier in spans if earlier is not later), (journey, later)
    assert all(0 <= j["start_s"] <= duration for j in result.traces)
    assert [j["start_s"] for j in result.traces] == sorted(j["start_s"] for j in result.traces)


def test_the_sample_is_bounded_uniform_and_cheap():
    arch = design({"fn": function()}, loads=[("fn", "constant", {"rate_rps": 200})], duration_s=400)
    result = simulate(arch)
    arrivals = result.entries["fn"].requests
    assert arrivals == 80_000
    assert MIN_TRACES <= len(result.traces) <= MAX_TRACES
    # 1% of the projected arrivals is 800: the cap decides, and the sample is spread over the run
    starts = sorted(j["start_s"] for j in result.traces)
    halves = sum(1 for t in starts if t < 200) / len(starts)
    assert 0.4 < halves < 0.6
    quarters = [sum(1 for t in starts if q * 100 <= t < (q + 1) * 100) for q in range(4)]
    assert min(quarters) > len(starts) / 8
    # a small run follows every request up to the minimum
    tiny = simulate(design({"fn": function()}, loads=[("fn", "constant", {"rate_rps": 2})], duration_s=30))
    assert len(tiny.traces) == tiny.entries["fn"].requests == 60


def test_the_recorder_follows_few_requests():
    from simulation import engine

    followed = []
    original = engine.Recorder.export

    def spy(self, run_end):
        followed.append((self.followed, len(self.journeys)))
        return original(self, run_end)

    arch = design({"fn": function()}, loads=[("fn", "poisson", {"rate_rps": 300})], duration_s=60)
    engine.Recorder.export = spy
    try:
        result = simulate(arch)
    finally:
        engine.Recorder.export = original
    (count, kept), arrivals = followed[0], result.entries["fn"].requests
    assert kept <= MAX_TRACES and count <= 50 + 1.6 * max(MIN_TRACES, 0.01 * arrivals)
    assert count / arrivals < 0.02  # the cost: at most 2% of this run's requests followed


def test_spans_show_cold_starts_queue_waits_and_sdk_retries():
    arch = design({"api": ("api_gateway", {}), "fn": function(cold_start_ms=300),
                   "table": ("dynamodb", {"billing_mode": "provisioned", "read_capacity": 1, "write_capacity": 2,
                                          "latency_ms": 5}),
                   "queue": ("sqs", {"latency_ms": 10}),
                   "worker": function(reserved_concurrency=1, duration_ms=200)},
                  edges=[("api", "fn", {}), ("fn", "table", {"action": "write"}), ("fn", "queue", {}),
                         ("queue", "worker", {"batch_size": 1})],
                  loads=[("api", "poisson", {"rate_rps": 20})], duration_s=60)
    result = simulate(arch)
    spans = [(j, s) for j in result.traces for s in j["spans"]]
    assert any(s["node"] == "fn" and s["cold_start"] for _j, s in spans)
    assert any(s["node"] == "queue" and s["wait_ms"] > 100 for _j, s in spans)  # one worker: messages wait
    retried = [s for _j, s in spans if s["node"] == "table" and s["retries"]]
    assert retried and all(s["wait_ms"] > 0 for s in retried)  # back-off between the attempts
    # the worker's span follows its queue wait, in the same journey
    for journey in result.traces:
        waits = [s for s in journey["spans"] if s["node"] == "queue"]
        work = [s for s in journey["spans"] if s["node"] == "worker"]
        if waits and work:
            assert work[0]["start_ms"] == pytest.approx(waits[0]["end_ms"])
            break
    else:
        pytest.fail("no journey went through the queue to its worker")


def test_quota_retries_and_queue_semantics_keep_statistics_and_show_in_spans():
    # Issue 14's paths under tracing: StartExecution and PutEvents refused by their account
    # quotas and retried by the SDK (base.QuotaCall), an SQS batch throttled by a reserved
    # function and retried by its poller, a FIFO queue, a stream batch bisected on errors.
    arch = design({"api": ("api_gateway", {}), "fn": function(duration_ms=5),
                   "flow": ("step_functions", {}), "bus": ("eventbridge", {}),
                   "queue": ("sqs", {"latency_ms": 10}), "worker": function(reserved_concurrency=1, duration_ms=50),
                   "fifo": ("sqs", {"fifo": True, "message_groups": 3}), "fifo_fn": function(duration_ms=20),
                   "stream": ("kinesis", {}), "reader": function(duration_ms=5, error_rate=0.3)},
                  edges=[("api", "fn", {}), ("fn", "flow", {}), ("fn", "bus", {}), ("bus", "queue", {}),
                         ("queue", "worker", {"batch_size": 1}), ("fn", "fifo", {}),
                         ("fifo", "fifo_fn", {"batch_size": 2}), ("fn", "stream", {}),
                         ("stream", "reader", {"batch_size": 10, "bisect_on_error": True, "max_retry_attempts": 1})],
                  loads=[("api", "constant", {"rate_rps": 700})], duration_s=8)
    arch.region = "ap-south-1"  # PutEvents: 600/s
    arch.account["quotas"] = {"step_functions_start_rps": 50, "step_functions_start_burst": 100}
    traced = simulate(arch, traces=2000, trace_share=0.5)
    assert without_traces(traced) == without_traces(simulate(arch, traces=0))
    assert {hit.limit for hit in traced.limits} >= {"step_functions_start_execution", "eventbridge_put_events"}
    spans = [s for j in traced.traces for s in j["spans"]]
    for node in ("flow", "bus"):  # refused, backed off, tried again: one span with its retries
        retried = [s for s in spans if s["node"] == node and s["retries"]]
        assert retried and all(s["wait_ms"] > 0 for s in retried), node
    assert any(s["node"] == "worker" and s["status"] == "throttled" for s in spans)
    assert any(s["node"] == "fifo_fn" for s in spans) and any(s["node"] == "reader" for s in spans)


def test_outcomes_say_what_the_client_got():
    throttled = simulate(design({"api": ("api_gateway", {"throttle_rate_rps": 5, "throttle_burst": 5}),
                                 "fn": function()}, edges=[("api", "fn", {})],
                                loads=[("api", "constant", {"rate_rps": 50})], duration_s=20))
    outcomes = {j["outcome"] for j in throttled.traces}
    assert outcomes == {"ok", "throttled"}
    refused = next(j for j in throttled.traces if j["outcome"] == "throttled")
    assert [s["status"] for s in refused["spans"]] == ["throttled"]
    slow = simulate(design({"api": ("api_gateway", {"timeout_ms": 100}),
                            "fn": function(duration_ms={"dist": "fixed", "value": 150}, timeout_s=1)},
                           edges=[("api", "fn", {})], loads=[("api", "constant", {"rate_rps": 5})], duration_s=10))
    assert {j["outcome"] for j in slow.traces} == {"timeout"}
    journey = slow.traces[0]
    assert response_ms(journey) == pytest.approx(100.0)  # the client stopped waiting at the API's timeout
    assert [s["status"] for s in journey["spans"]] == ["timeout", "ok"]  # the function ran on


def test_json_and_report_carry_the_journeys(tmp_path):
    arch = load_design(EXAMPLES_DIR / "orders_api.yaml")
    arch.nodes["get_order"].config["reserved_concurrency"] = 2
    result = simulate(arch, "flash-sale", duration_s=20)
    data = json.loads(json.dumps(result.to_json()))
    assert data["traces"] == [dict(j) for j in result.traces]
    assert type(result).from_json(data).traces == result.traces
    page = render_report(data, arch)
    slow, failed = slowest_and_failed(result.traces, 3)
    assert len(slow) == 3 and len(failed) == 3
    assert page.count("<article class=\"journey\">") == 6
    assert page.count("Slowest: into Orders API") == 3 and page.count("Failed: into Orders API") == 3
    worst = result.traces[slow[0]]
    assert f"at {worst['start_s']:,.3f} s, succeeded after {response_ms(worst):,.0f} ms" in page


def test_trips_place_a_request_where_its_spans_are():
    arch = load_design(EXAMPLES_DIR / "orders_api.yaml")
    result = simulate(arch, "flash-sale", duration_s=20)
    trips = plan_trips(arch, result.traces)
    assert len(trips) == len(result.traces)
    for trip in trips:
        for stop in trip.stops:
            middle = (stop.t0 + stop.t1) / 2
            kind, subject, _f, _state = trip.where(middle, 0.0)
            # at its deepest active stop: this one, or one that started later inside it
            assert kind == "node"
            assert subject == stop.node or any(s.t0 >= stop.t0 and s.t0 <= middle < s.t1 for s in trip.stops)
            if stop.via is not None and stop.t1 > stop.t0:
                edge = arch.edges[stop.via]
                assert edge.target == stop.node
                moving = trip.where(stop.t0 + 1e-9, 1.0)
                assert moving[0] == "edge" and moving[1] == stop.via
    assert not math.isnan(sum(t.end for t in trips))
