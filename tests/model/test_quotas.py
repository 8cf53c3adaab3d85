"""model.quotas: AWS's regional defaults, `account.quotas` overrides, and their validation."""

from __future__ import annotations

import pytest

from model.architecture import Architecture, Node
from model.quotas import LIMITS, QUOTAS, limits_table_markdown, quota_value
from tests.conftest import ROOT
from model.validation import errors, validate


def _design(region: str = "us-east-1", **account) -> Architecture:
    arch = Architecture("quotas", region)
    arch.account.update(account)
    return arch


@pytest.mark.parametrize("region, rps, burst", [
    ("us-east-1", 10_000, 5_000), ("eu-west-3", 10_000, 5_000),
    # the API Gateway quota page lists 13 smaller regions at 2,500 RPS and 1,250 burst
    ("af-south-1", 2_500, 1_250), ("eu-central-2", 2_500, 1_250), ("mx-central-1", 2_500, 1_250),
])
def test_api_gateway_account_throttle_per_region(region, rps, burst):
    arch = _design(region)
    assert arch.account_setting("api_gateway_rps") == rps
    assert arch.account_setting("api_gateway_burst") == burst


@pytest.mark.parametrize("region, start_rps, start_burst, transitions", [
    ("us-east-1", 300, 1_300, 1_500), ("us-west-2", 300, 1_300, 1_500), ("eu-west-1", 300, 1_300, 1_500),
    ("eu-central-1", 150, 800, 500), ("ap-south-1", 150, 800, 500),
])
def test_step_functions_quotas_per_region(region, start_rps, start_burst, transitions):
    arch = _design(region)
    assert arch.account_setting("step_functions_start_rps") == start_rps
    assert arch.account_setting("step_functions_start_burst") == start_burst
    assert arch.account_setting("step_functions_transition_rps") == transitions
    assert arch.account_setting("step_functions_express_start_rps") == 6_000  # every region


@pytest.mark.parametrize("region, rps", [("us-east-1", 10_000), ("us-east-2", 2_400), ("eu-west-2", 1_200),
                                         ("sa-east-1", 600), ("me-south-1", 400)])
def test_eventbridge_put_events_per_region(region, rps):
    assert _design(region).account_setting("eventbridge_put_events_rps") == rps


def test_lambda_invocation_rate_is_ten_times_the_concurrency_limit():
    assert _design().account_setting("lambda_invocation_rps") == 10 * 1000
    assert _design(concurrency_limit=3000).account_setting("lambda_invocation_rps") == 30_000
    # an explicit quota wins over the rule
    assert _design(concurrency_limit=3000, quotas={"lambda_invocation_rps": 12_345}).account_setting(
        "lambda_invocation_rps") == 12_345


def test_an_override_wins_over_the_regional_default():
    arch = _design("af-south-1", quotas={"api_gateway_rps": 20_000})
    assert arch.account_setting("api_gateway_rps") == 20_000
    assert arch.account_setting("api_gateway_burst") == 1_250  # not overridden
    assert quota_value("api_gateway_rps", "af-south-1", {}, 1000) == 2_500


def test_valid_quotas_give_no_problem():
    assert validate(_design(quotas={key: 123 for key in QUOTAS})) == []


def test_unknown_quota_is_a_warning_naming_the_closest():
    problems = validate(_design(quotas={"api_gateway_rsp": 5}))
    assert [p.severity for p in problems] == ["warning"]
    assert "unknown quota 'api_gateway_rsp'" in problems[0].message
    assert "did you mean 'api_gateway_rps'" in problems[0].message


@pytest.mark.parametrize("value", [0, -5, "fast", True, None, float("inf")])
def test_bad_quota_value_is_an_error_naming_quota_and_default(value):
    found = errors(validate(_design(quotas={"eventbridge_put_events_rps": value})))
    assert len(found) == 1
    assert "eventbridge_put_events_rps must be a positive number" in found[0].message
    assert "10,000 req/s" in found[0].message  # AWS's default in the design's region


def test_quotas_must_be_a_mapping():
    found = errors(validate(_design(quotas=[1, 2])))
    assert len(found) == 1 and "quotas must be a mapping" in found[0].message


def test_provisioned_table_above_the_table_quota_is_an_error():
    arch = _design()
    arch.add_node(Node("t", "dynamodb", {"billing_mode": "provisioned", "write_capacity": 50_000}))
    found = errors(validate(arch))
    assert len(found) == 1 and "write_capacity 50000 exceeds the per-table quota of 40,000" in found[0].message
    arch.account["quotas"] = {"dynamodb_table_max_wru": 80_000}
    assert errors(validate(arch)) == []


def test_auto_scaling_maximum_below_minimum_is_an_error():
    arch = _design()
    arch.add_node(Node("t", "dynamodb", {"billing_mode": "provisioned", "auto_scaling": True,
                                         "read_capacity": 100, "max_read_capacity": 50}))
    found = errors(validate(arch))
    assert len(found) == 1 and "max_read_capacity 50 is below read_capacity 100" in found[0].message


def test_every_limit_names_its_source_and_known_quotas():
    for limit in LIMITS.values():
        assert limit.source.startswith("https://docs.aws.amazon.com/"), limit.name
        assert set(limit.quotas) <= set(QUOTAS), limit.name
        assert limit.scope in ("account", "node", "account or node"), limit.name
    used = {key for limit in LIMITS.values() for key in limit.quotas}
    assert used == set(QUOTAS), "every quota is read by some limit"



def test_readme_lists_every_limit():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert limits_table_markdown() in readme, (
        "README's table of limits differs from model.quotas: paste model.quotas.limits_table_markdown()")
