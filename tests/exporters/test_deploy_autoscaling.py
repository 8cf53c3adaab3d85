"""The live deployer gives a provisioned table with auto scaling its scalable targets and
target tracking policies, changes them with the design, and removes them (against moto's
server: Application Auto Scaling is one of the services it serves)."""

from __future__ import annotations

import pytest

from exporters.deploy import apply, destroy, plan, sandbox
from model.architecture import Architecture
from model.aws.naming import deployed_name
from tests.exporters.test_export_autoscaling import SCALED, design
from tests.moto_sandbox import client, moto_server

pytestmark = pytest.mark.slow

@pytest.fixture(scope="module")
def endpoint():
    with moto_server() as url:
        yield url


def live_scaling(url: str, arch: Architecture) -> dict[str, tuple]:
    """ScalableDimension -> (min, max, target value of its policy) of the deployed table."""
    aas = client("application-autoscaling", url)
    resource = "table/" + deployed_name(arch.name, "orders", kind="table")
    targets = aas.describe_scalable_targets(ServiceNamespace="dynamodb", ResourceIds=[resource])["ScalableTargets"]
    policies = aas.describe_scaling_policies(ServiceNamespace="dynamodb", ResourceId=resource)["ScalingPolicies"]
    values = {p["ScalableDimension"]: p["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] for p in policies}
    return {t["ScalableDimension"]: (t["MinCapacity"], t["MaxCapacity"], values.get(t["ScalableDimension"]))
            for t in targets}


def test_auto_scaling_is_deployed_changed_and_removed(endpoint, tmp_path):
    state = tmp_path / "state.json"
    session = sandbox.session("us-east-1")
    arch = design(SCALED)
    assert apply(arch, session, state, endpoint_url=endpoint).ok
    try:
        assert live_scaling(endpoint, arch) == {"dynamodb:table:ReadCapacityUnits": (10, 500, 60.0),
                                                "dynamodb:table:WriteCapacityUnits": (20, 800, 60.0)}
        again = plan(design(SCALED), session, state_path=state, endpoint_url=endpoint)
        assert again.counts() == {"unchanged": len(again.items)}

        wider = design({**SCALED, "max_read_capacity": 900, "target_utilization": 0.5})
        changed = plan(wider, session, state_path=state, endpoint_url=endpoint)
        assert [(i.key, i.action) for i in changed.items if i.action != "unchanged"] == [("table:orders", "update")]
        assert apply(wider, session, state, endpoint_url=endpoint).ok
        assert live_scaling(endpoint, arch)["dynamodb:table:ReadCapacityUnits"] == (10, 900, 50.0)

        assert apply(design({**SCALED, "auto_scaling": False}), session, state, endpoint_url=endpoint).ok
        assert live_scaling(endpoint, arch) == {}
        assert apply(arch, session, state, endpoint_url=endpoint).ok  # back on, for destroy to remove
    finally:
        assert destroy(arch, session, state, endpoint_url=endpoint).ok
    assert live_scaling(endpoint, arch) == {}
