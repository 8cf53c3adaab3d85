"""Service rules one at a time, on small designs built in code."""

import json
import pickle
import time

import pytest

from model.errors import StratusError
from simulation.engine import Cancelled, Run, simulate
from simulation.results import Result

from .designs import design, function


def run(arch, **kw):
    return simulate(arch, **kw)


def test_token_bucket_exact_count_under_overload():
    rate, burst, seconds = 100, 50, 10
    arch = design({"api": ("api_gateway", {"throttle_rate_rps": rate, "throttle_burst": burst}),
                   "fn": function(duration_ms=1)},
                  edges=[("api", "fn", {})], loads=[("api", "constant", {"rate_rps": 300})],
                  duration_s=seconds)
    api = run(arch).nodes["api"]
    assert abs((api.requests - api.throttled) - (burst + rate * seconds)) <= 1
    assert api.requests == 3000


def test_provisioned_concurrency_means_no_cold_starts():
    # offered load 2 Erlangs: 20 busy at once has probability ~1e-12 (Poisson(2) tail), so
    # 20 provisioned environments serve every request (10 would fail ~15% of seeds)
    arch = design({"fn": function(provisioned_concurrency=20, reserved_concurrency=30, cold_start_ms=300)},
                  loads=[("fn", "poisson", {"rate_rps": 20})], duration_s=200)
    node = run(arch).nodes["fn"]
    assert node.requests > 3000 and node.cold_starts == 0 and node.throttled == 0


def test_reserved_concurrency_caps_concurrency():
    arch = design({"fn": function(reserved_concurrency=5)},
                  loads=[("fn", "poisson", {"rate_rps": 200})], duration_s=30)
    node = run(arch).nodes["fn"]
    assert node.max_concurrency == 5 and node.throttled > 0
    assert 0 <= node.requests - node.completed - node.errors - node.throttled <= 5  # still running


def test_scale_up_limited_to_1000_per_10_s():
    arch = design({"fn": function(duration_ms=20_000)}, account_limit=10_000,
                  loads=[("fn", "constant", {"rate_rps": 3000})], duration_s=2)
    node = run(arch).nodes["fn"]
    # 1000 at once, then 100 more per second: at most 1200 by t = 2 s.
    assert 1150 <= node.max_concurrency <= 1201
    assert node.throttled == node.requests - node.max_concurrency


def test_sqs_redrive_to_dead_letter_queue():
    arch = design({"q": ("sqs", {"visibility_timeout_s": 1, "max_receive_count": 3}),
                   "dlq": ("sqs", {}),
                   "fn": function(error_rate=1.0, duration_ms=10, timeout_s=1)},
                  edges=[("q", "fn", {"batch_size": 1}), ("q", "dlq", {})],
                  loads=[("q", "constant", {"rate_rps": 1})], duration_s=60)
    result = run(arch)
    moved = result.nodes["dlq"].requests
    assert moved >= 55
    assert result.nodes["q"].errors == moved
    assert result.nodes["fn"].completed == 0
    assert result.nodes["fn"].errors >= 3 * moved


def test_sqs_backlog_counts_only_messages_that_waited():
    # one message a second to an idle consumer: each is received the moment it is sent
    idle = run(design({"q": ("sqs", {}), "fn": function(duration_ms=10)}, edges=[("q", "fn", {"batch_size": 1})],
                      loads=[("q", "constant", {"rate_rps": 1})], duration_s=20)).nodes["q"]
    assert idle.completed >= 19 and idle.max_backlog == 0 and idle.mean_concurrency > 0
    # two consumers (max_concurrency = reserved concurrency, so none is throttled), twice
    # too slow: the backlog grows by ~1 message every 2 s
    slow = run(design({"q": ("sqs", {}), "fn": function(duration_ms=4000, reserved_concurrency=2)},
                      edges=[("q", "fn", {"batch_size": 1, "max_concurrency": 2})],
                      loads=[("q", "constant", {"rate_rps": 1})], duration_s=40)).nodes["q"]
    assert 18 <= slow.max_backlog <= 21 and slow.latency_ms.max >= 18_000  # message k waits ~k s


def test_queue_batches_in_flight_never_exceed_the_consumer_cap():
    """When a batch ends, the consumer's freed slot takes the next batch at the same instant
    (the function releases its slot before the batch's end reaches the queue); the queue
    never counts both batches at once."""
    node = run(design({"q": ("sqs", {}), "fn": function(duration_ms=50, reserved_concurrency=2)},
                      edges=[("q", "fn", {"batch_size": 1, "max_concurrency": 2})],
                      loads=[("q", "poisson", {"rate_rps": 100})], duration_s=20)).nodes["q"]
    assert node.max_backlog > 100  # the consumer is far too slow: always busy
    assert node.max_concurrency == 2


def test_kinesis_per_shard_throttling():
    arch = design({"ks": ("kinesis", {"shards": 1, "record_kb": 0.5})},
                  loads=[("ks", "constant", {"rate_rps": 2000})], duration_s=10)
    node = run(arch).nodes["ks"]
    assert node.throttled > 0
    assert node.completed <= 1000 * 10 + 1000 + 1  # rate x time + one second of burst
    two = run(design({"ks": ("kinesis", {"shards": 3, "record_kb": 0.5})},
                     loads=[("ks", "constant", {"rate_rps": 2000})], duration_s=10)).nodes["ks"]
    assert two.throttled == 0


def test_kinesis_reader_iterator_age_and_batches():
    arch = design({"ks": ("kinesis", {"shards": 2}), "fn": function(duration_ms=10)},
                  edges=[("ks", "fn", {"batch_size": 50})],
                  loads=[("ks", "poisson", {"rate_rps": 100})], duration_s=60)
    result = run(arch)
    assert result.nodes["ks"].max_iterator_age_ms >= 0
    assert result.usage["ks"]["records_read"] >= 0.95 * result.nodes["ks"].completed
    assert result.nodes["fn"].requests < result.nodes["ks"].completed  # batched


def test_dynamodb_provisioned_throttling_with_retries():
    arch = design({"t": ("dynamodb", {"billing_mode": "provisioned", "write_capacity": 5, "item_kb": 1})},
                  loads=[("t", "constant", {"rate_rps": 20})], duration_s=200)
    node = run(arch).nodes["t"]
    assert node.throttled > 0 and node.errors > 0
    assert node.completed <= 5 * 200 + 5 * 300 + 1  # rate x time + 300 s of burst
    assert node.requests > 20 * 200  # retries are attempts too
    assert node.latency_ms.p99 > 100  # includes the SDK's backoff


def test_s3_per_prefix_limits():
    one = run(design({"b": ("s3", {"prefixes": 1})},
                     loads=[("b", "constant", {"rate_rps": 7000})], duration_s=2)).nodes["b"]
    assert one.throttled > 0 and one.completed <= 3500 * 2 + 3500 + 1
    four = run(design({"b": ("s3", {"prefixes": 4})},
                      loads=[("b", "constant", {"rate_rps": 7000})], duration_s=2)).nodes["b"]
    assert four.throttled == 0


def test_sns_fan_out_counts():
    arch = design({"topic": ("sns", {}), "a": function(duration_ms=5), "b": function(duration_ms=5),
                   "q": ("sqs", {})},
                  edges=[("topic", "a", {}), ("topic", "b", {}), ("topic", "q", {"calls": 2})],
                  loads=[("topic", "schedule", {"every_s": 1})], duration_s=100)
    result = run(arch)
    assert result.usage["topic"]["deliveries_lambda"] == 200
    assert result.usage["topic"]["deliveries_sqs"] == 200
    assert result.nodes["a"].requests == 100 and result.nodes["q"].requests == 200


def test_eventbridge_fraction():
    arch = design({"bus": ("eventbridge", {}), "q": ("sqs", {})},
                  edges=[("bus", "q", {"fraction": 0.3})],
                  loads=[("bus", "constant", {"rate_rps": 100})], duration_s=100)
    result = run(arch)
    # 10,000 events, binomial(0.3): sd 46; 4 sd either side.
    assert abs(result.usage["bus"]["matched_deliveries"] - 3000) < 4 * 46


def test_step_functions_run_tasks_in_order():
    arch = design({"flow": ("step_functions", {"workflow_type": "express", "transition_ms": 10}),
                   "second": function(duration_ms=100), "first": function(duration_ms=50)},
                  edges=[("flow", "second", {"order": 2}), ("flow", "first", {"order": 1})],
                  loads=[("flow", "schedule", {"every_s": 10})], duration_s=100)
    runner = Run(arch, arch, arch.scenarios[0], 1, 100.0, None)
    assert [e.target.id for e in runner.nodes["flow"].tasks] == ["first", "second"]
    result = run(arch)
    assert result.nodes["flow"].latency_ms.mean == pytest.approx(2 * 10 + 50 + 100, abs=1)
    assert result.usage["flow"]["state_transitions"] == 20
    assert result.usage["flow"]["express_gb_s"] == pytest.approx(10 * 0.2 * 64 / 1024)


def test_recursive_loop_stopped_after_16():
    arch = design({"fn": function(duration_ms=10)},
                  edges=[("fn", "fn", {"mode": "async", "calls": 0.99999})],
                  loads=[("fn", "schedule", {"every_s": 10_000})], duration_s=100)
    node = run(arch).nodes["fn"]
    assert node.completed == 16 and node.errors == 1


def test_same_seed_same_json_and_different_seed_differs():
    arch = design({"api": ("api_gateway", {}), "fn": function(), "t": ("dynamodb", {})},
                  edges=[("api", "fn", {}), ("fn", "t", {"action": "write", "calls": 1.5})],
                  loads=[("api", "poisson", {"rate_rps": 50})], duration_s=30)
    a = json.dumps(run(arch, seed=3).to_json(), sort_keys=True)
    b = json.dumps(run(arch, seed=3).to_json(), sort_keys=True)
    c = json.dumps(run(arch, seed=4).to_json(), sort_keys=True)
    assert a == b and a != c


def test_result_pickles_and_round_trips_json():
    arch = design({"fn": function()}, loads=[("fn", "poisson", {"rate_rps": 10})], duration_s=20)
    result = pickle.loads(pickle.dumps(run(pickle.loads(pickle.dumps(arch)))))
    again = Result.from_json(json.loads(json.dumps(result.to_json())))
    assert again.to_json() == result.to_json()
    assert set(result.to_json()["nodes"]["fn"]) >= {
        "requests", "completed", "throttled", "errors", "cold_starts", "latency_ms",
        "mean_concurrency", "max_concurrency", "mean_instances"}


def test_overrides_apply_to_a_copy():
    arch = design({"fn": function(reserved_concurrency=5)}, loads=[("fn", "poisson", {"rate_rps": 200})],
                  duration_s=10, overrides={"fn": {"reserved_concurrency": 2}})
    assert run(arch).nodes["fn"].max_concurrency == 2
    assert arch.nodes["fn"].config["reserved_concurrency"] == 5


def test_invalid_design_and_unknown_scenario_raise_stratus_error():
    arch = design({"fn": function(memory_mb=5)}, loads=[("fn", "poisson", {"rate_rps": 1})])
    with pytest.raises(StratusError, match="memory_mb"):
        run(arch)
    good = design({"fn": function()}, loads=[("fn", "poisson", {"rate_rps": 1})])
    with pytest.raises(StratusError, match="no scenario"):
        run(good, scenario="nope")
    with pytest.raises(StratusError, match="duration"):
        run(good, duration_s=0)


def test_one_wording_for_a_missing_scenario():
    good = design({"fn": function()}, loads=[("fn", "poisson", {"rate_rps": 1})])
    with pytest.raises(StratusError, match=r"^no scenario named 'nope' \(scenarios: s\)$"):
        run(good, scenario="nope")
    good.scenarios = []
    with pytest.raises(StratusError, match="^the design has no scenarios to run$"):
        run(good)


def test_progress_and_cancel():
    arch = design({"fn": function()}, loads=[("fn", "poisson", {"rate_rps": 10})], duration_s=100)
    seen = []
    run(arch, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and 0 < len(seen) <= 201
    with pytest.raises(Cancelled):
        run(arch, cancel=lambda: len(seen) > 0, progress=lambda f: seen.append(f))


def test_cancel_is_honoured_quickly_whatever_the_simulated_length():
    # a week of simulated traffic (~30 s of work): cancel must stop it within 1 s of wall time
    arch = design({"fn": function()}, loads=[("fn", "poisson", {"rate_rps": 20})], duration_s=7 * 86400)
    start = time.perf_counter()
    asked, fractions = [], []

    def cancel():
        if time.perf_counter() - start < 0.5:
            return False
        asked.append(asked[0] if asked else time.perf_counter())
        return True

    with pytest.raises(Cancelled):
        run(arch, cancel=cancel, progress=fractions.append)
    assert asked and time.perf_counter() - asked[0] < 1.0
    assert fractions and fractions == sorted(fractions) and 0 < fractions[-1] < 0.1


def test_warmup_excluded_from_statistics():
    arch = design({"fn": function()}, loads=[("fn", "constant", {"rate_rps": 10})],
                  duration_s=100, warmup_s=50)
    result = run(arch)
    assert 495 <= result.nodes["fn"].requests <= 500 and result.measured_s == 50


def test_requests_in_flight_when_warmup_ends_are_not_counted():
    # 5 s invocations, 10 per second: at t=50 (end of warm-up) 50 are running; they end
    # inside the window but arrived before it, so they must not count as completed.
    arch = design({"api": ("api_gateway", {}), "fn": function(duration_ms=5000)}, edges=[("api", "fn", {})],
                  loads=[("api", "constant", {"rate_rps": 10})], duration_s=100, warmup_s=50)
    result = run(arch)
    fn, entry = result.nodes["fn"], result.entries["api"]
    assert 499 <= fn.requests <= 501 and entry.requests == result.nodes["api"].requests
    in_flight = 50  # arrived in the last 5 s
    assert abs(fn.requests - in_flight - fn.completed) <= 1 and fn.errors == 0
    assert entry.succeeded == fn.completed and entry.failed == 0
    assert entry.requests - entry.succeeded == pytest.approx(in_flight, abs=1)
    assert fn.latency_ms.mean == pytest.approx(5000)


def test_long_sparse_run_stays_bounded_and_fast():
    arch = design({"fn": function(duration_ms=50)}, loads=[("fn", "schedule", {"every_s": 600})],
                  duration_s=1_500_000)
    result = run(arch)
    assert result.nodes["fn"].requests == 2500
    assert len(result.timeseries.t_s) <= 4096
    assert all(len(v) == len(result.timeseries.t_s) for v in result.timeseries.nodes["fn"].values())


def test_memory_override_scales_handler_time():
    arch = design({"fn": function(memory_mb=512, duration_ms=100)},
                  loads=[("fn", "constant", {"rate_rps": 1})], duration_s=20,
                  overrides={"fn": {"memory_mb": 1024}})
    assert run(arch).nodes["fn"].latency_ms.mean == pytest.approx(50, rel=0.01)


def test_api_gateway_integration_timeout_gives_504():
    arch = design({"api": ("api_gateway", {"timeout_ms": 100}), "fn": function(duration_ms=500)},
                  edges=[("api", "fn", {})], loads=[("api", "constant", {"rate_rps": 1})], duration_s=10)
    result = run(arch)
    assert result.entries["api"].failed == 10 and result.nodes["api"].latency_ms.max == 100
    assert result.nodes["fn"].completed == 10  # the backend ran on
