"""The cost model against AWS's own published pricing examples and its own rules.

Rounding: AWS rounds every line of its examples to cents before adding them (example 1 of
the Lambda page: 140,000 GB-s x $0.0000166667 = $2.333 shown as $2.33, plus $0.40, total
$2.73, while the unrounded sum is $2.7333). So each of our lines is rounded to cents the
same way (half up) and must equal AWS's line exactly, and the sum of the rounded lines
must equal AWS's published total exactly: stricter than a +-$0.01 tolerance, and any
wrong price, tier or free-tier rule moves at least one line by a cent or more.
"""

from __future__ import annotations

import math
import pickle
from decimal import ROUND_HALF_UP, Decimal

import pytest

from model.architecture import Architecture, Node
from model.catalogue import SERVICES
from simulation.cost import SERVICE_PRICING, CostBreakdown, CostLine, estimate_cost, load_prices

MONTH_S = 730 * 3600
KB_PER_GB = 1024 * 1024


def _cents(usd: float) -> Decimal:
    return Decimal(repr(usd)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _design(*nodes: tuple[str, str, dict]) -> Architecture:
    arch = Architecture("cost test")
    for node_id, service, config in nodes:
        arch.add_node(Node(node_id, service, dict(config)))
    return arch


def _gb(memory_mb: float) -> float:
    return memory_mb / 1024


# ---- usage dicts built from each example's inputs, the way the engine would count ----


def _lambda_on_demand(x: dict) -> tuple[str, dict, dict]:
    seconds = x["requests"] * x["avg_duration_ms"] / 1000
    usage = {"requests": x["requests"], "duration_gb_s": seconds * _gb(x["memory_mb"])}
    if "ephemeral_storage_mb" in x:  # only the part above the free 512 MB is billed
        usage["ephemeral_storage_gb_s"] = seconds * _gb(x["ephemeral_storage_mb"] - 512)
    return "lambda", {"memory_mb": x["memory_mb"], "architecture": x["architecture"]}, usage


def _lambda_provisioned_partly(x: dict) -> tuple[str, dict, dict]:
    gb = _gb(x["memory_mb"])
    usage = {
        "requests": x["requests_total"],
        "provisioned_gb_s": x["provisioned_concurrency"] * gb * x["provisioned_hours"] * 3600,
        "provisioned_duration_gb_s": x["requests_while_provisioned"]
        * x["avg_duration_ms_while_provisioned"] / 1000 * gb,
        "duration_gb_s": x["requests_without_provisioned"] * x["avg_duration_ms_without_provisioned"] / 1000 * gb,
    }
    return "lambda", {"memory_mb": x["memory_mb"], "architecture": x["architecture"]}, usage


def _lambda_provisioned_all(x: dict) -> tuple[str, dict, dict]:
    gb = _gb(x["memory_mb"])
    usage = {
        "requests": x["requests"],
        "provisioned_gb_s": x["provisioned_concurrency"] * gb * x["provisioned_hours"] * 3600,
        "provisioned_duration_gb_s": x["requests"] * x["avg_duration_ms"] / 1000 * gb,
    }
    return "lambda", {"memory_mb": x["memory_mb"], "architecture": x["architecture"]}, usage


def _http_page_loads(x: dict) -> tuple[str, dict, dict]:
    metered = math.ceil(max(x["request_kb"], 1) / 512)  # HTTP APIs meter per 512 KB
    requests = x["page_loads_per_minute"] * 60 * 24 * x["days"] * metered
    return "api_gateway", {"api_type": x["api_type"]}, {"requests": requests}


def _http_uploads(x: dict) -> tuple[str, dict, dict]:
    metered = math.ceil(x["avg_payload_mb"] * 1024 / 512)
    requests = x["calls_per_minute"] * 60 * 24 * x["days"] * metered
    return "api_gateway", {"api_type": x["api_type"]}, {"requests": requests}


def _rest_calls(x: dict) -> tuple[str, dict, dict]:
    usage = {"requests": x["requests"], "data_transfer_out_gb": x["requests"] * x["response_kb"] / KB_PER_GB}
    return "api_gateway", {"api_type": x["api_type"]}, usage


EXAMPLE_USAGE = {
    "lambda_mobile_backend": _lambda_on_demand,
    "lambda_bert_ephemeral_storage": _lambda_on_demand,
    "lambda_provisioned_concurrency_launch": _lambda_provisioned_partly,
    "lambda_provisioned_concurrency_cyber_monday": _lambda_provisioned_all,
    "api_gateway_http_web_app": _http_page_loads,
    "api_gateway_http_uploads": _http_uploads,
    "api_gateway_rest_5m": _rest_calls,
    "api_gateway_rest_15b": _rest_calls,
}

# AWS's line names -> ours (AWS splits tiered request charges into one line per tier).
AWS_LINE_TO_ITEM = {
    "compute": "duration", "compute_on_demand": "duration", "compute_provisioned": "provisioned_duration",
    "requests": "requests", "provisioned_concurrency": "provisioned_concurrency",
    "ephemeral_storage": "ephemeral_storage", "data_transfer_out": "data_transfer_out",
    "tier_1": "requests", "tier_2": "requests",
}

EXAMPLES = load_prices()["examples"]


def test_every_published_example_has_a_usage_builder():
    assert {e["id"] for e in EXAMPLES} == set(EXAMPLE_USAGE)


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e["id"])
def test_reproduces_aws_published_example(example):
    service, config, usage = EXAMPLE_USAGE[example["id"]](example["inputs"])
    arch = _design(("fn", service, config))
    cost = estimate_cost(arch, {"fn": usage}, MONTH_S, free_tier=example["free_tier_applied"])

    ours = {line.item: _cents(line.usd_per_month) for line in cost.lines}
    expected_total = Decimal(str(example["expected_monthly_usd"]))
    assert sum(ours.values()) == expected_total, (example["id"], ours)
    published: dict[str, Decimal] = {}
    for aws_name, usd in example.get("lines_usd", {}).items():
        item = AWS_LINE_TO_ITEM[aws_name]
        published[item] = published.get(item, Decimal(0)) + Decimal(str(usd))
    for item, usd in published.items():
        assert ours[item] == usd, (example["id"], item, ours)


def test_dynamodb_on_demand_uses_the_november_2024_prices():
    arch = _design(("table", "dynamodb", {"billing_mode": "on_demand"}))
    cost = estimate_cost(arch, {"table": {"write_units": 10e6, "read_units": 50e6}}, MONTH_S)
    by_item = {line.item: line.usd_per_month for line in cost.lines}
    assert by_item["write_request_units"] == pytest.approx(6.25)
    assert by_item["read_request_units"] == pytest.approx(6.25)
    assert cost.monthly_usd == pytest.approx(12.50)


def test_usage_of_a_600_s_window_is_scaled_to_a_730_hour_month():
    arch = _design(("fn", "lambda", {"memory_mb": 1024}), ("queue", "sqs", {}))
    window = {"fn": {"requests": 1000, "duration_gb_s": 50.0}, "queue": {"requests": 3000}}
    cost = estimate_cost(arch, window, 600)
    factor = 730 * 3600 / 600  # 4380 ten-minute windows in the month
    quantities = {(line.node_id, line.item): line.quantity_per_month for line in cost.lines}
    assert quantities[("fn", "requests")] == pytest.approx(1000 * factor)
    assert quantities[("fn", "duration")] == pytest.approx(50.0 * factor)
    assert quantities[("queue", "requests")] == pytest.approx(3000 * factor)
    expected = 1000 * factor * 0.2e-6 + 50.0 * factor * 0.0000166667 + 3000 * factor * 0.4e-6
    assert cost.monthly_usd == pytest.approx(expected)


def test_free_tier_is_off_unless_asked_and_shared_once_across_functions():
    arch = _design(("a", "lambda", {}), ("b", "lambda", {"architecture": "arm64"}))
    usage = {"a": {"requests": 600_000, "duration_gb_s": 300_000},
             "b": {"requests": 900_000, "duration_gb_s": 200_000}}
    off = estimate_cost(arch, usage, MONTH_S)
    on = estimate_cost(arch, usage, MONTH_S, free_tier=True)
    assert off.monthly_usd == pytest.approx(1.5e6 * 0.2e-6 + 300_000 * 0.0000166667 + 200_000 * 0.0000133334)
    # 1M free requests and 400,000 free GB-s for the whole account, not per function:
    # 0.5M requests and 100,000 GB-s stay billable, shared 40/60 and 60/40.
    requests = {line.node_id: line.usd_per_month for line in on.lines if line.item == "requests"}
    assert requests["a"] == pytest.approx(0.2e6 * 0.2e-6)
    assert requests["b"] == pytest.approx(0.3e6 * 0.2e-6)
    duration = {line.node_id: line.usd_per_month for line in on.lines if line.item == "duration"}
    assert duration["a"] == pytest.approx(60_000 * 0.0000166667)
    assert duration["b"] == pytest.approx(40_000 * 0.0000133334)
    assert on.monthly_usd < off.monthly_usd
    assert on.free_tier and not off.free_tier
    assert any("Free tier not applied" in a for a in off.assumptions)


def test_free_tier_never_covers_provisioned_concurrency():
    arch = _design(("fn", "lambda", {"memory_mb": 1024}))
    usage = {"fn": {"provisioned_gb_s": 1000.0, "provisioned_duration_gb_s": 10.0}}
    on = estimate_cost(arch, usage, MONTH_S, free_tier=True)
    off = estimate_cost(arch, usage, MONTH_S)
    assert on.monthly_usd == pytest.approx(off.monthly_usd) and on.monthly_usd > 0


def test_volume_tiers_apply_to_the_account_total_not_per_function():
    arch = _design(("a", "lambda", {}), ("b", "lambda", {}))
    usage = {"a": {"duration_gb_s": 4e9}, "b": {"duration_gb_s": 4e9}}
    cost = estimate_cost(arch, usage, MONTH_S)
    # 8 billion GB-s: the first 6 billion at the first tier, 2 billion at the second.
    assert cost.monthly_usd == pytest.approx(6e9 * 0.0000166667 + 2e9 * 0.000015)
    assert cost.by_node["a"] == pytest.approx(cost.by_node["b"])


def test_provisioned_table_costs_the_same_whatever_the_load():
    arch = _design(("table", "dynamodb", {"billing_mode": "provisioned", "read_capacity": 10,
                                          "write_capacity": 5}))
    idle = estimate_cost(arch, {}, 600)
    busy = estimate_cost(arch, {"table": {"read_units": 5e6, "write_units": 2e6}}, 60)
    expected = 10 * 730 * 0.00013 + 5 * 730 * 0.00065
    assert idle.monthly_usd == pytest.approx(expected)
    assert busy.monthly_usd == pytest.approx(expected)
    # With the free tier, 25 RCU and 25 WCU are free all month: nothing left to pay.
    assert estimate_cost(arch, {}, 600, free_tier=True).monthly_usd == 0


def _everything() -> tuple[Architecture, dict]:
    arch = _design(
        ("api", "api_gateway", {"api_type": "http"}), ("fn", "lambda", {"memory_mb": 512}),
        ("table", "dynamodb", {}), ("ptable", "dynamodb", {"billing_mode": "provisioned"}),
        ("bucket", "s3", {}), ("queue", "sqs", {}), ("fifo", "sqs", {"fifo": True}),
        ("topic", "sns", {}), ("stream", "kinesis", {"shards": 2}),
        ("odstream", "kinesis", {"capacity_mode": "on_demand", "record_kb": 4.5}),
        ("bus", "eventbridge", {}), ("flow", "step_functions", {}),
        ("express", "step_functions", {"workflow_type": "express"}),
    )
    usage = {
        "api": {"requests": 6000}, "fn": {"requests": 6000, "duration_gb_s": 150.0},
        "table": {"read_units": 9000, "write_units": 2000, "stream_read_requests": 50},
        "bucket": {"put_requests": 100, "get_requests": 400}, "queue": {"requests": 900},
        "fifo": {"requests": 300}, "topic": {"publishes": 100, "deliveries_lambda": 100, "deliveries_sqs": 100},
        "stream": {"put_payload_units": 5000, "shard_hours": 2 / 6, "records_read": 5000},
        "odstream": {"put_payload_units": 1000, "records_read": 2000},
        "bus": {"events": 700, "matched_deliveries": 1400},
        "flow": {"executions": 0.2, "state_transitions": 0.9}, "express": {"executions": 50, "express_gb_s": 5.0},
    }
    return arch, usage


def test_every_catalogue_service_has_a_price_model():
    assert set(SERVICE_PRICING) == set(SERVICES)


@pytest.mark.parametrize("free_tier", [False, True])
def test_by_node_adds_up_to_the_monthly_total(free_tier):
    arch, usage = _everything()
    cost = estimate_cost(arch, usage, 600, free_tier=free_tier)
    assert set(cost.by_node) == set(arch.nodes)
    assert sum(cost.by_node.values()) == pytest.approx(cost.monthly_usd)
    assert sum(line.usd_per_month for line in cost.lines) == pytest.approx(cost.monthly_usd)
    assert all(line.usd_per_month >= 0 and line.source.startswith("https://") for line in cost.lines)
    priced = {line.node_id for line in cost.lines if line.usd_per_month > 0}
    # With the free tier, 0.9 x 4380 = 3942 state transitions fit in the 4,000 free ones.
    assert priced == set(arch.nodes) - ({"ptable", "topic", "flow"} if free_tier else set())


def test_kinesis_on_demand_charges_stream_hours_and_data_by_record_size():
    arch = _design(("s", "kinesis", {"capacity_mode": "on_demand", "record_kb": 4.5}))
    # 1000 records of 4.5 KB = 1000 PUT payload units; ingest metered at 5 KB each.
    cost = estimate_cost(arch, {"s": {"put_payload_units": 1000, "records_read": 1000}}, MONTH_S)
    by_item = {line.item: line.quantity_per_month for line in cost.lines}
    assert by_item["stream_hours"] == 730
    assert by_item["data_in"] == pytest.approx(1000 * 5 / KB_PER_GB)
    assert by_item["data_out"] == pytest.approx(1000 * 4.5 / KB_PER_GB)


def test_breakdown_is_picklable_and_jsonable():
    arch, usage = _everything()
    cost = estimate_cost(arch, usage, 600)
    again = pickle.loads(pickle.dumps(cost))
    assert isinstance(again, CostBreakdown) and again == cost
    data = cost.to_json()
    assert data["monthly_usd"] == cost.monthly_usd and data["by_node"] == cost.by_node
    assert tuple(CostLine(**line) for line in data["lines"]) == cost.lines


def test_a_non_positive_window_is_refused():
    with pytest.raises(ValueError):
        estimate_cost(_design(("fn", "lambda", {})), {}, 0)
