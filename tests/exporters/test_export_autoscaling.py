"""A provisioned table with auto scaling exports, in every format, a scalable target and a
target tracking policy per capacity, from the design's fields (model.aws.autoscaling)."""

from __future__ import annotations

import hcl2
import pytest

from exporters.cloudformation import export_template
from exporters.terraform import export_terraform
from model.architecture import Architecture, Edge, Node
from tests.exporters.export_helpers import cfn_errors, load_yaml

SCALED = {"billing_mode": "provisioned", "read_capacity": 10, "write_capacity": 20, "auto_scaling": True,
          "max_read_capacity": 500, "max_write_capacity": 800, "target_utilization": 0.6}


def design(table_config: dict) -> Architecture:
    arch = Architecture("Scaled table", "us-east-1")
    arch.add_node(Node("writer", "lambda"))
    arch.add_node(Node("orders", "dynamodb", table_config))
    arch.add_edge(Edge("writer", "orders", {"action": "write"}))
    return arch


def resources_of(template: dict, type_: str) -> list[dict]:
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == type_]


@pytest.mark.parametrize("sam", [False, True])
def test_cloudformation_scales_each_capacity_between_the_design_s_bounds(tmp_path, sam):
    out = tmp_path / "t.yaml"
    export_template(design(SCALED), str(out), sam=sam)
    text = out.read_text()
    assert cfn_errors(text) == []
    template = load_yaml(text)
    targets = {t["ScalableDimension"]: t for t in resources_of(template, "AWS::ApplicationAutoScaling::ScalableTarget")}
    assert {d: (t["MinCapacity"], t["MaxCapacity"]) for d, t in targets.items()} == {
        "dynamodb:table:ReadCapacityUnits": (10, 500), "dynamodb:table:WriteCapacityUnits": (20, 800)}
    assert all(t["ServiceNamespace"] == "dynamodb" for t in targets.values())
    policies = resources_of(template, "AWS::ApplicationAutoScaling::ScalingPolicy")
    tracked = sorted(p["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]
                     ["PredefinedMetricType"] for p in policies)
    assert tracked == ["DynamoDBReadCapacityUtilization", "DynamoDBWriteCapacityUtilization"]
    assert {p["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] for p in policies} == {60.0}


def test_terraform_scales_each_capacity_and_leaves_the_moved_capacity_alone(tmp_path):
    export_terraform(design(SCALED), str(tmp_path))
    parsed = hcl2.loads((tmp_path / "main.tf").read_text())
    blocks = {}
    for resource in parsed["resource"]:
        for type_, named in resource.items():
            for name, body in named.items():
                blocks[(type_.strip('"'), name.strip('"'))] = body
    targets = {k[1]: v for k, v in blocks.items() if k[0] == "aws_appautoscaling_target"}
    assert sorted((t["min_capacity"], t["max_capacity"]) for t in targets.values()) == [(10, 500), (20, 800)]
    policies = [v for k, v in blocks.items() if k[0] == "aws_appautoscaling_policy"]
    assert len(policies) == 2
    assert {p["target_tracking_scaling_policy_configuration"][0]["target_value"] for p in policies} == {60.0}
    table = next(v for k, v in blocks.items() if k[0] == "aws_dynamodb_table")
    assert "read_capacity" in str(table["lifecycle"][0]["ignore_changes"])


@pytest.mark.parametrize("config", [{**SCALED, "auto_scaling": False}, {**SCALED, "billing_mode": "on_demand"}])
def test_a_table_without_auto_scaling_exports_none(tmp_path, config):
    export_template(design(config), str(tmp_path / "t.yaml"))
    assert "ApplicationAutoScaling" not in (tmp_path / "t.yaml").read_text()
    export_terraform(design(config), str(tmp_path / "tf"))
    assert "appautoscaling" not in (tmp_path / "tf" / "main.tf").read_text()
