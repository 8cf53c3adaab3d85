"""A table's Application Auto Scaling comes back as its auto scaling fields when they can
say exactly what the template does, and is kept as written (with the reason) when not."""

from __future__ import annotations

import textwrap

import pytest

from exporters.cloudformation import export_template
from exporters.terraform import export_terraform
from importers import import_template
from tests.exporters.test_export_autoscaling import SCALED, design

SCALING_FIELDS = ("auto_scaling", "read_capacity", "write_capacity", "max_read_capacity", "max_write_capacity",
                  "target_utilization")


def kept_types(arch) -> list[str]:
    return sorted(e.get("type") or e.get("address", "").split(".")[0] for e in arch.extra.get("extras") or [])


@pytest.mark.parametrize("fmt", ["cloudformation", "sam", "terraform"])
def test_exported_auto_scaling_comes_back_as_the_table_s_fields(tmp_path, fmt):
    if fmt == "terraform":
        out = tmp_path / "tf"
        export_terraform(design(SCALED), str(out))
    else:
        out = tmp_path / "t.yaml"
        export_template(design(SCALED), str(out), sam=fmt == "sam")
    result = import_template(out)
    table = next(n for n in result.architecture.nodes.values() if n.service == "dynamodb")
    assert {k: table.config.get(k) for k in SCALING_FIELDS} == {k: SCALED[k] for k in SCALING_FIELDS}
    assert not [t for t in kept_types(result.architecture) if "ApplicationAutoScaling" in t or "appautoscaling" in t]
    assert sum("auto scaling of table" in n.message for n in result.report) == 2


CFN = textwrap.dedent("""\
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Orders:
        Type: AWS::DynamoDB::Table
        Properties:
          BillingMode: PROVISIONED
          ProvisionedThroughput: {{ReadCapacityUnits: 5, WriteCapacityUnits: 5}}
          AttributeDefinitions: [{{AttributeName: pk, AttributeType: S}}]
          KeySchema: [{{AttributeName: pk, KeyType: HASH}}]
      ReadTarget:
        Type: AWS::ApplicationAutoScaling::ScalableTarget
        Properties:
          MaxCapacity: 100
          MinCapacity: {read_min}
          ResourceId: !Sub table/${{Orders}}
          ScalableDimension: dynamodb:table:ReadCapacityUnits
          ServiceNamespace: dynamodb
      ReadPolicy:
        Type: AWS::ApplicationAutoScaling::ScalingPolicy
        Properties:
          PolicyName: read
          PolicyType: TargetTrackingScaling
          ScalingTargetId: !Ref ReadTarget
          TargetTrackingScalingPolicyConfiguration:
            TargetValue: 70
            {read_extra}
            PredefinedMetricSpecification: {{PredefinedMetricType: DynamoDBReadCapacityUtilization}}
      WriteTarget:
        Type: AWS::ApplicationAutoScaling::ScalableTarget
        Properties:
          MaxCapacity: 50
          MinCapacity: 5
          ResourceId: !Sub table/${{Orders}}
          ScalableDimension: dynamodb:table:WriteCapacityUnits
          ServiceNamespace: dynamodb
      WritePolicy:
        Type: AWS::ApplicationAutoScaling::ScalingPolicy
        Properties:
          PolicyName: write
          PolicyType: TargetTrackingScaling
          ScalingTargetId: !Ref WriteTarget
          TargetTrackingScalingPolicyConfiguration:
            TargetValue: 70
            PredefinedMetricSpecification: {{PredefinedMetricType: DynamoDBWriteCapacityUtilization}}
    """)


def test_a_hand_written_scaling_the_fields_can_say_is_absorbed(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(CFN.format(read_min=5, read_extra=""))
    table = import_template(path).architecture.nodes["Orders"]
    assert (table.config["auto_scaling"], table.config["max_read_capacity"], table.config["max_write_capacity"],
            table.config["target_utilization"]) == (True, 100, 50, 0.7)


@pytest.mark.parametrize("read_min, read_extra, why", [
    (2, "", "its minimum (2) is not the table's read_capacity (5)"),
    (5, "ScaleInCooldown: 600", "not one plain target tracking policy"),
])
def test_scaling_the_fields_cannot_say_is_kept_whole_and_exported_again(tmp_path, read_min, read_extra, why):
    path = tmp_path / "t.yaml"
    path.write_text(CFN.format(read_min=read_min, read_extra=read_extra))
    result = import_template(path)
    table = result.architecture.nodes["Orders"]
    assert not table.config.get("auto_scaling")
    assert kept_types(result.architecture).count("AWS::ApplicationAutoScaling::ScalableTarget") == 2
    assert kept_types(result.architecture).count("AWS::ApplicationAutoScaling::ScalingPolicy") == 2
    assert any(why in n.message for n in result.report if n.logical_id == "ReadTarget")
    out = tmp_path / "again.yaml"
    export_template(result.architecture, str(out))
    again = out.read_text()
    assert again.count("AWS::ApplicationAutoScaling::ScalableTarget") == 2  # kept, not doubled
    assert ("ScaleInCooldown: 600" in again) == bool(read_extra)
