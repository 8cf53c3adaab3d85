"""A scanned provisioned table brings its auto scaling with it, so a what-if does not hold
it at today's capacity; a scaling the fields cannot say is named in the report."""

from __future__ import annotations

import pytest

from exporters.deploy import apply, destroy
from importers.account import Scope, scan_account
from tests.exporters.test_export_autoscaling import SCALED, design
from tests.importers.account.helpers import session
from tests.moto_sandbox import REGION, client, moto_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def endpoint():
    with moto_server() as url:
        yield url


def scanned_table(url: str, arch):
    scan = scan_account(session(), REGION, scope=Scope(tag=("stratus:design", arch.name)), endpoint_url=url)
    table = next(n for n in scan.architecture.nodes.values() if n.service == "dynamodb")
    return table, scan


def test_a_scanned_table_keeps_its_auto_scaling(endpoint, tmp_path):
    arch = design(SCALED)
    assert apply(arch, session(), tmp_path / "state.json", endpoint_url=endpoint).ok
    try:
        table, _ = scanned_table(endpoint, arch)
        fields = ("auto_scaling", "read_capacity", "write_capacity", "max_read_capacity", "max_write_capacity",
                  "target_utilization")
        assert {f: table.config.get(f) for f in fields} == {f: SCALED[f] for f in fields}
    finally:
        assert destroy(arch, session(), tmp_path / "state.json", endpoint_url=endpoint).ok


def test_a_scaling_the_fields_cannot_say_is_reported(endpoint, tmp_path):
    arch = design({**SCALED, "max_read_capacity": 300})
    arch.name = "Scaled table with a cooldown"
    assert apply(arch, session(), tmp_path / "state.json", endpoint_url=endpoint).ok
    try:
        aas = client("application-autoscaling", endpoint)
        policy = next(p for p in aas.describe_scaling_policies(ServiceNamespace="dynamodb")["ScalingPolicies"]
                      if p["ScalableDimension"].endswith("ReadCapacityUnits") and "cooldown" in p["ResourceId"])
        tracking = dict(policy["TargetTrackingScalingPolicyConfiguration"], ScaleInCooldown=600)
        aas.put_scaling_policy(PolicyName=policy["PolicyName"], ServiceNamespace="dynamodb",
                               ResourceId=policy["ResourceId"], ScalableDimension=policy["ScalableDimension"],
                               PolicyType=policy["PolicyType"], TargetTrackingScalingPolicyConfiguration=tracking)
        table, scan = scanned_table(endpoint, arch)
        assert not table.config.get("auto_scaling")
        assert table.config["read_capacity"] == SCALED["read_capacity"]
        assert any("auto scaling not carried over" in note.message and "plain target tracking" in note.message
                   for note in scan.result.report)
    finally:
        assert destroy(arch, session(), tmp_path / "state.json", endpoint_url=endpoint).ok
