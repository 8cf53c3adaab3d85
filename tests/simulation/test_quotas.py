"""AWS's regional quotas and the `limits` of the results, one quota at a time.

Each test works its expected number out by hand from the quota's token bucket. Loads are
`constant` (evenly spaced arrivals), so a bucket of size B refilled at R that is offered
λ > R per second lets through exactly B + R x T requests in T seconds once it is empty,
and first refuses the arrival that finds less than one token: at (B - 1) / (λ - R), to
within one gap between arrivals (`first_refusal`). The tolerances on counts are the one
or two requests of discreteness, unless a test says otherwise.
"""

from __future__ import annotations

import math

import pytest

from simulation.engine import simulate

from .designs import design, function

UNROUTED_API = ("api_gateway", {})  # an API with no route answers by itself: only the throttles matter


def limits_of(result) -> dict[tuple[str, str], tuple[float, int]]:
    return {(hit.limit, hit.scope): (hit.first_hit_s, hit.throttled) for hit in result.limits}


def first_refusal(burst: float, refill: float, offered: float) -> tuple[float, float]:
    """When a full bucket first refuses a constant load, and the tolerance (one gap)."""
    return (burst - 1) / (offered - refill), 1.0 / offered


def assert_first(found: float, burst: float, refill: float, offered: float) -> None:
    expected, gap = first_refusal(burst, refill, offered)
    assert abs(found - expected) <= gap + 1e-9, f"first refusal at {found}, expected {expected} +- {gap}"


def in_region(arch, region: str, **quotas):
    arch.region = region
    if quotas:
        arch.account["quotas"] = quotas
    return arch


# -- API Gateway ----------------------------------------------------------------------------


def test_two_apis_share_the_account_throttle():
    # Two APIs at 8,000 req/s each, their stages at the default 10,000 / 5,000 (never binding
    # alone), the account's bucket at 10,000 / 5,000 for both: it empties at
    # 5,000 / (16,000 - 10,000) = 0.833 s, after which 1 - 10,000 / 16,000 = 37.5 % are refused.
    seconds = 5.0
    arch = design({"a": UNROUTED_API, "b": UNROUTED_API},
                  loads=[("a", "constant", {"rate_rps": 8000}), ("b", "constant", {"rate_rps": 8000})],
                  duration_s=seconds)
    result = simulate(arch)
    offered = 2 * 8000 * seconds
    accepted = 5000 + 10_000 * seconds
    throttled = sum(result.nodes[n].throttled for n in ("a", "b"))
    assert abs(throttled - (offered - accepted)) <= 2  # 25,000 of 80,000
    # the share refused after the burst is gone: 1 - 10,000 / 16,000
    assert abs(throttled / (offered - 16_000 * 5000 / 6000) - (1 - 10_000 / 16_000)) < 0.001
    first, count = limits_of(result)[("api_gateway_account_rps", "account")]
    assert_first(first, 5000, 10_000, 16_000)
    assert count == throttled
    assert ("api_gateway_stage_rps", "a") not in limits_of(result)


def test_smaller_regions_have_a_quarter_of_the_account_throttle():
    # af-south-1: 2,500 req/s and a bucket of 1,250. One API at 3,000 req/s for 10 s: empty
    # at 1,250 / 500 = 2.5 s, then 500 refused per second: 3,750 in all.
    arch = in_region(design({"api": UNROUTED_API}, loads=[("api", "constant", {"rate_rps": 3000})],
                            duration_s=10), "af-south-1")
    result = simulate(arch)
    assert abs(result.nodes["api"].throttled - (30_000 - (1250 + 2500 * 10))) <= 2
    first, _ = limits_of(result)[("api_gateway_account_rps", "account")]
    assert_first(first, 1250, 2500, 3000)


def test_a_raised_account_quota_no_longer_throttles():
    arch = in_region(design({"a": UNROUTED_API, "b": UNROUTED_API},
                            loads=[("a", "constant", {"rate_rps": 8000}), ("b", "constant", {"rate_rps": 8000})],
                            duration_s=3), "us-east-1", api_gateway_rps=20_000)
    result = simulate(arch)
    assert result.nodes["a"].throttled == result.nodes["b"].throttled == 0
    assert result.limits == ()


def test_stage_throttle_is_reported_as_the_stage_limit():
    arch = design({"api": ("api_gateway", {"throttle_rate_rps": 100, "throttle_burst": 50})},
                  loads=[("api", "constant", {"rate_rps": 300})], duration_s=10)
    result = simulate(arch)
    first, count = limits_of(result)[("api_gateway_stage_rps", "api")]
    # empty at 50 / (300 - 100) = 0.25 s; refused: 3,000 - (50 + 100 x 10) = 1,950
    assert_first(first, 50, 100, 300)
    assert abs(count - 1950) <= 1
    assert [hit.limit for hit in result.limits] == ["api_gateway_stage_rps"]


# -- Lambda invocation rate ----------------------------------------------------------------------


def test_lambda_invocation_rate_is_ten_times_the_account_concurrency():
    # account limit 1,000: 10,000 synchronous invocations may start in each whole second. A
    # 1 ms function invoked 20,000 times a second needs only ~20 environments, so concurrency
    # never binds; in each second the 10,001st invocation (at 0.5 s) and all after it are
    # refused: throttled share 1 - 10,000 / 20,000, 30,000 of 60,000 in 3 s.
    arch = design({"fn": function(duration_ms=1)}, loads=[("fn", "constant", {"rate_rps": 20_000})],
                  duration_s=3)
    result = simulate(arch)
    node = result.nodes["fn"]
    assert node.max_concurrency <= 30
    assert abs(node.throttled - 60_000 * (1 - 10_000 / 20_000)) <= 3
    first, count = limits_of(result)[("lambda_invocation_rps", "account")]
    assert abs(first - 10_000 / 20_000) < 1e-6 and count == node.throttled


def test_reserved_function_has_ten_times_its_reservation():
    # reserved 50: 500 invocations may start per second; offered 1,000/s for 4 s: refused
    # 4 x 500 = 2,000 from the 501st of each second (0.5 s), reported for the function itself.
    arch = design({"fn": function(duration_ms=1, reserved_concurrency=50)},
                  loads=[("fn", "constant", {"rate_rps": 1000})], duration_s=4)
    result = simulate(arch)
    assert abs(result.nodes["fn"].throttled - 2000) <= 3
    first, _ = limits_of(result)[("lambda_invocation_rps", "fn")]
    assert abs(first - 0.5) < 1e-6


def test_asynchronous_invocations_are_not_rate_limited():
    # S3 notifies the function asynchronously: 2,000 events/s to a function reserved at 50
    # would be refused three times in four by its 500 per second; AWS bounds async
    # invocations by concurrency only (50 environments x 1 ms = 50,000/s here).
    arch = design({"bucket": ("s3", {"prefixes": 10}), "fn": function(duration_ms=1, reserved_concurrency=50)},
                  edges=[("bucket", "fn", {})], loads=[("bucket", "constant", {"rate_rps": 2000})],
                  duration_s=3)
    result = simulate(arch)
    assert result.nodes["fn"].throttled == 0
    assert ("lambda_invocation_rps", "fn") not in limits_of(result)


def test_event_source_mappings_are_not_rate_limited():
    # AWS documents the 10-per-second rate for Invoke requests; an SQS poller feeding a
    # function reserved at 50 (a 500/s rate) 1,000 one-message batches a second is bounded by
    # concurrency only: 50 environments x 1 ms is far more than it needs.
    arch = design({"q": ("sqs", {}), "fn": function(duration_ms=1, reserved_concurrency=50)},
                  edges=[("q", "fn", {"batch_size": 1})], loads=[("q", "constant", {"rate_rps": 1000})],
                  duration_s=3)
    result = simulate(arch)
    assert result.nodes["fn"].completed > 2900 and result.nodes["fn"].throttled == 0
    assert ("lambda_invocation_rps", "fn") not in limits_of(result)


# -- Step Functions ---------------------------------------------------------------------------


def test_standard_start_execution_quota_in_us_east_1():
    # 1,300 tokens refilled at 300/s; 500 starts/s for 20 s: empty at 1,300 / 200 = 6.5 s;
    # refused starts are retried by the SDK, but only tokens start executions: 1,300 + 300 x 20.
    arch = design({"flow": ("step_functions", {})}, loads=[("flow", "constant", {"rate_rps": 500})],
                  duration_s=20)
    result = simulate(arch)
    assert abs(result.nodes["flow"].completed - (1300 + 300 * 20)) <= 2
    first, _ = limits_of(result)[("step_functions_start_execution", "account")]
    assert_first(first, 1300, 300, 500)


def test_standard_start_execution_quota_elsewhere():
    # eu-central-1: 800 tokens at 150/s: 800 + 150 x 20 = 3,800 started; empty at 800 / 350 s.
    arch = in_region(design({"flow": ("step_functions", {})}, loads=[("flow", "constant", {"rate_rps": 500})],
                            duration_s=20), "eu-central-1")
    result = simulate(arch)
    assert abs(result.nodes["flow"].completed - 3800) <= 2
    first, _ = limits_of(result)[("step_functions_start_execution", "account")]
    assert_first(first, 800, 150, 500)


def test_express_workflows_have_their_own_start_quota():
    # 500 starts/s is far below Express's 6,000: nothing refused, and the Standard bucket
    # (300/s) is not touched by Express starts.
    arch = design({"flow": ("step_functions", {"workflow_type": "express"})},
                  loads=[("flow", "constant", {"rate_rps": 500})], duration_s=20)
    result = simulate(arch)
    assert result.nodes["flow"].throttled == 0 and result.nodes["flow"].completed == 10_000
    assert result.limits == ()


def test_standard_state_transitions_wait_for_their_quota():
    # One task per execution, so one transition each; starts raised out of the way. The
    # transition bucket (5,000, refilled at 1,500/s) meets 2,000 transitions/s: it is empty
    # at (5,000 - 1) / 500 = 9.998 s, after which every transition waits its turn (2,000 x
    # 10.002 = 20,004 delayed by 20 s) and executions end at 1,500/s: by 20 s, 5,000 + 1,500
    # x 19.965 have (each waits 25 ms of transition and 10 ms of SNS Publish after its
    # token). None fail.
    arch = design({"flow": ("step_functions", {"transition_ms": 25}), "topic": ("sns", {})},
                  edges=[("flow", "topic", {})], loads=[("flow", "constant", {"rate_rps": 2000})],
                  duration_s=20)
    arch.account["quotas"] = {"step_functions_start_rps": 10_000, "step_functions_start_burst": 10_000}
    result = simulate(arch)
    node = result.nodes["flow"]
    assert abs(node.completed - (5000 + 1500 * 19.965)) <= 3
    assert node.errors == 0 and node.throttled == 0
    first, delayed = limits_of(result)[("step_functions_state_transitions", "account")]
    assert_first(first, 5000, 1500, 2000)
    assert abs(delayed - 2000 * (20 - first_refusal(5000, 1500, 2000)[0])) <= 2


# -- EventBridge -----------------------------------------------------------------------------


def test_put_events_quota_is_regional():
    # ap-south-1: 600 PutEvents/s (1 s of burst); producers at 1,000/s for 10 s: empty at
    # 600 / 400 = 1.5 s; accepted 600 + 600 x 10 = 6,600 (the SDK's retries take no more).
    arch = in_region(design({"bus": ("eventbridge", {})}, loads=[("bus", "constant", {"rate_rps": 1000})],
                            duration_s=10), "ap-south-1")
    result = simulate(arch)
    assert abs(result.nodes["bus"].completed - 6600) <= 2
    first, _ = limits_of(result)[("eventbridge_put_events", "account")]
    assert_first(first, 600, 600, 1000)
    # the same load in us-east-1 (10,000/s) is never refused
    result = simulate(in_region(arch, "us-east-1"))
    assert result.nodes["bus"].completed == 10_000 and result.limits == ()


# -- DynamoDB ---------------------------------------------------------------------------------


def test_on_demand_table_doubles_its_previous_peak_after_30_minutes():
    # Warm throughput 20 writes/s (scaled down from AWS's 4,000 to keep the test short),
    # offered 50 writes/s of 1 KB: 20/s (plus the 20 of the bucket) until 30 min after the
    # first minute's peak of 20/s, i.e. t = 60 + 1,800 s, then twice that, 40/s, until 2,000 s.
    arch = design({"t": ("dynamodb", {"warm_write_units": 20, "warm_read_units": 60,
                                      "latency_ms": 5})},
                  loads=[("t", "constant", {"rate_rps": 50})], duration_s=2000)
    result = simulate(arch)
    expected = 20 + 20 * 1860 + 40 * 140  # 42,820
    assert abs(result.nodes["t"].completed - expected) <= 45  # one second of the new rate
    first, _ = limits_of(result)[("dynamodb_on_demand_throughput", "t")]
    assert_first(first, 20, 20, 50)


def test_a_new_on_demand_table_serves_4000_writes_per_second():
    # AWS's defaults: 6,000 writes/s of 1 KB meet 4,000 WRU/s (bucket 4,000): empty at
    # 4,000 / 2,000 = 2 s; completed in 5 s: 4,000 + 4,000 x 5 = 24,000.
    arch = design({"t": ("dynamodb", {"latency_ms": 5})}, loads=[("t", "constant", {"rate_rps": 6000})],
                  duration_s=5)
    result = simulate(arch)
    assert abs(result.nodes["t"].completed - 24_000) <= 30  # the last 5 ms of calls in flight
    first, _ = limits_of(result)[("dynamodb_on_demand_throughput", "t")]
    assert_first(first, 4000, 4000, 6000)


@pytest.mark.parametrize("action, rate, partition", [("write", 2500, 1000), ("read", 6000, 3000)])
def test_hot_key_partition_limit(action, rate, partition):
    # Every call to one item (hot_key_share 1): its partition serves 1,000 WCU or 3,000 RCU
    # (1 KB items: 1 unit per call; reads strongly consistent, so a read is a whole RCU),
    # 1 s of burst: partition + partition x 10 in 10 s.
    edge = {"action": action, **({"consistency": "strong"} if action == "read" else {})}
    arch = design({"fn": function(duration_ms=1), "t": ("dynamodb", {"hot_key_share": 1.0, "latency_ms": 1})},
                  edges=[("fn", "t", edge)], loads=[("fn", "constant", {"rate_rps": rate})],
                  duration_s=10, account_limit=10_000)
    result = simulate(arch)
    # calls in flight at the end (1 ms each) and one arrival either side: within 10
    assert abs(result.nodes["t"].completed - partition * 11) <= 10
    first, _ = limits_of(result)[("dynamodb_partition_throughput", "t")]
    assert_first(first - 0.001, partition, partition, rate)  # each call leaves after 1 ms of handler


def test_half_the_calls_on_a_hot_key():
    # 5,000 writes/s, half of them to one item: the other half (2,500/s) pass, the hot item
    # 1,000/s after its 1,000 of burst: 25,000 + 11,000 = 36,000 in 10 s. The hot half is a
    # binomial draw of 50,000 calls (sd 112): 500 is 4.5 sd.
    arch = design({"t": ("dynamodb", {"hot_key_share": 0.5, "latency_ms": 1, "warm_write_units": 10_000})},
                  loads=[("t", "constant", {"rate_rps": 5000})], duration_s=10)
    result = simulate(arch)
    assert abs(result.nodes["t"].completed - 36_000) <= 500
    assert [hit.limit for hit in result.limits] == ["dynamodb_partition_throughput"]


def test_provisioned_auto_scaling_follows_consumption_two_minutes_late():
    # 100 WCU (300 s of burst: 30,000) offered 500 writes/s; target 70 %, at most 300.
    # The burst is gone at 30,000 / 400 = 75 s. Minute 1 consumed 500/s, minute 2
    # (15 s at 500, 45 s at 100) 200/s: two minutes above 70 -> at 120 s the capacity is
    # ceil(200 / 0.7) = 286. Minutes 3 and 4 consume 286/s, above 70 % again -> at 240 s
    # ceil(286 / 0.7) = 409, capped at 300. Accepted by 300 s:
    # 30,000 + 100 x 120 + 286 x 120 + 300 x 60 = 94,320.
    arch = design({"t": ("dynamodb", {"billing_mode": "provisioned", "write_capacity": 100,
                                      "auto_scaling": True, "max_write_capacity": 300,
                                      "target_utilization": 0.7, "latency_ms": 1})},
                  loads=[("t", "constant", {"rate_rps": 500})], duration_s=300)
    result = simulate(arch)
    assert abs(result.nodes["t"].completed - 94_320) <= 5
    # billed: the capacity-hours it really had
    assert result.usage["t"]["write_capacity_hours"] == pytest.approx((100 * 120 + 286 * 120 + 300 * 60) / 3600)
    first, _ = limits_of(result)[("dynamodb_provisioned_wcu", "t")]
    assert_first(first, 30_000, 100, 500)


def test_provisioned_capacity_hours_without_auto_scaling():
    arch = design({"t": ("dynamodb", {"billing_mode": "provisioned", "read_capacity": 7, "write_capacity": 9})},
                  loads=[("t", "constant", {"rate_rps": 1})], duration_s=360)
    usage = simulate(arch).usage["t"]
    assert usage["read_capacity_hours"] == pytest.approx(0.7) and usage["write_capacity_hours"] == pytest.approx(0.9)


# -- the limits that were already enforced are reported too -------------------------------------


@pytest.mark.parametrize("node, load, limit, burst, refill", [
    # Kinesis: 1 shard, 1,000 records/s with 1 s of burst, offered 2,000/s
    (("kinesis", {"shards": 1, "record_kb": 0.1}), 2000, "kinesis_shard_write", 1000, 1000),
    # S3: one prefix, 3,500 PUT/s with 1 s of burst, offered 7,000/s
    (("s3", {}), 7000, "s3_prefix_put_rps", 3500, 3500),
    # provisioned table: 1 WCU with 300 s of burst, offered 3 writes/s
    (("dynamodb", {"billing_mode": "provisioned", "write_capacity": 1}), 3, "dynamodb_provisioned_wcu", 300, 1),
])
def test_existing_limits_are_reported_with_when_they_first_bound(node, load, limit, burst, refill):
    seconds = 2 + (burst - 1) / (load - refill)
    result = simulate(design({"n": node}, loads=[("n", "constant", {"rate_rps": load})], duration_s=seconds))
    first, count = limits_of(result)[(limit, "n")]
    assert_first(first, burst, refill, load)
    assert count >= result.nodes["n"].throttled > 0  # every refused attempt, the last ones too


def test_lambda_concurrency_is_reported_for_a_reserved_function_and_the_account():
    # 5 reserved environments busy 1 s each, offered 10/s: the 6th arrival (0.5 s) is refused
    arch = design({"slow": function(duration_ms=1000, reserved_concurrency=5),
                   "shared": function(duration_ms=1000)}, account_limit=110,
                  loads=[("slow", "constant", {"rate_rps": 10}), ("shared", "constant", {"rate_rps": 200})],
                  duration_s=2)
    hits = limits_of(simulate(arch))
    assert abs(hits[("lambda_concurrency", "slow")][0] - 0.5) < 1e-9
    # the account pool: 110 - 5 reserved = 105 environments; the 106th arrival at 105 / 200 s
    assert abs(hits[("lambda_concurrency", "account")][0] - 105 / 200) < 1e-9


def test_lambda_scale_up_rate_is_reported():
    # 1,000 new environments at once then 100/s, offered 1,500/s of 20 s invocations: the
    # bucket is empty when 1,000 + 100 t = 1,500 t, t = 0.714 s.
    arch = design({"fn": function(duration_ms=20_000)}, account_limit=10_000,
                  loads=[("fn", "constant", {"rate_rps": 1500})], duration_s=2)
    first, _ = limits_of(simulate(arch))[("lambda_scale_up_rate", "fn")]
    assert abs(first - 1000 / 1400) < 0.002


def test_limits_are_listed_earliest_first_and_round_trip():
    from simulation.results import Result

    arch = design({"api": ("api_gateway", {"throttle_rate_rps": 100, "throttle_burst": 10}),
                   "fn": function(duration_ms=1000, reserved_concurrency=20)},
                  edges=[("api", "fn", {})], loads=[("api", "constant", {"rate_rps": 200})], duration_s=5)
    result = simulate(arch)
    firsts = [hit.first_hit_s for hit in result.limits]
    assert [hit.limit for hit in result.limits] == ["api_gateway_stage_rps", "lambda_concurrency"]
    assert firsts == sorted(firsts)
    assert Result.from_json(result.to_json()).limits == result.limits
    assert result.to_json()["limits"][0] == {"limit": "api_gateway_stage_rps", "scope": "api",
                                             "first_hit_s": result.limits[0].first_hit_s,
                                             "throttled": result.limits[0].throttled}


def test_limits_before_the_warm_up_are_forgotten():
    arch = design({"api": ("api_gateway", {"throttle_rate_rps": 100, "throttle_burst": 50})},
                  loads=[("api", "constant", {"rate_rps": 300})], duration_s=10, warmup_s=5)
    result = simulate(arch)
    first, count = limits_of(result)[("api_gateway_stage_rps", "api")]
    assert first >= 5.0 and abs(count - result.nodes["api"].throttled) <= 0
    assert math.isclose(count, 200 * 5, abs_tol=2)  # 300 offered, 100 refilled per second


def test_runs_that_hit_quotas_are_deterministic_and_pickle():
    import json
    import pickle

    # a hot key (random draws per call), SDK retries with jittered backoff, a Standard
    # workflow's start quota and an account throttle shared by two APIs
    arch = design({"a": UNROUTED_API, "b": ("api_gateway", {}), "fn": function(duration_ms=2),
                   "t": ("dynamodb", {"hot_key_share": 0.9, "warm_write_units": 5000}),
                   "flow": ("step_functions", {})},
                  edges=[("b", "fn", {}), ("fn", "t", {"action": "write"}), ("fn", "flow", {})],
                  loads=[("a", "poisson", {"rate_rps": 12_000}), ("b", "poisson", {"rate_rps": 2000})],
                  duration_s=4, account_limit=10_000)
    first, second = simulate(arch, seed=7), simulate(arch, seed=7)
    assert json.dumps(first.to_json(), sort_keys=True) == json.dumps(second.to_json(), sort_keys=True)
    assert {hit.limit for hit in first.limits} >= {"api_gateway_account_rps", "dynamodb_partition_throughput",
                                                  "step_functions_start_execution"}
    assert pickle.loads(pickle.dumps(first)).limits == first.limits
    assert simulate(arch, seed=8).to_json() != first.to_json()
