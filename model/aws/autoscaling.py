"""A provisioned DynamoDB table's auto scaling, as Application Auto Scaling sets it up.

A table with `auto_scaling` gets, per capacity (read and write), a scalable target between
the design's capacity (the minimum) and its `max_*_capacity`, and a target tracking policy
on AWS's predefined utilisation metric at `target_utilization`. The CloudFormation/SAM and
Terraform exports and the live deployer all write these same facts; the importers read
them back into the same fields. Without a RoleARN, Application Auto Scaling uses its
service-linked role for DynamoDB, which it creates on first use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

SERVICE_NAMESPACE = "dynamodb"
POLICY_TYPE = "TargetTrackingScaling"


@dataclass(frozen=True)
class ScalingDimension:
    """One capacity of one table under target tracking."""

    capacity: str  # "read" or "write": the role of its resources in the exports
    dimension: str  # Application Auto Scaling's ScalableDimension
    metric: str  # the predefined metric the policy tracks
    min_capacity: int
    max_capacity: int
    target_percent: float  # TargetValue: consumed / provisioned capacity, in per cent

    @staticmethod
    def resource_id(table_name: str) -> str:
        return f"table/{table_name}"


# capacity -> (ScalableDimension, PredefinedMetricType, the design's minimum and maximum fields)
DIMENSIONS = {
    "read": ("dynamodb:table:ReadCapacityUnits", "DynamoDBReadCapacityUtilization",
             "read_capacity", "max_read_capacity"),
    "write": ("dynamodb:table:WriteCapacityUnits", "DynamoDBWriteCapacityUtilization",
              "write_capacity", "max_write_capacity"),
}
CAPACITY_OF_DIMENSION = {dimension: capacity for capacity, (dimension, *_) in DIMENSIONS.items()}


def table_scaling(config: Mapping[str, Any]) -> tuple[ScalingDimension, ...]:
    """The scaled capacities of a table (its effective config); none unless it is
    provisioned with `auto_scaling`."""
    if config.get("billing_mode") != "provisioned" or not config.get("auto_scaling"):
        return ()
    target = round(float(config.get("target_utilization", 0.7)) * 100.0, 2)
    return tuple(
        ScalingDimension(capacity, dimension, metric, int(config[low]), max(int(config[high]), int(config[low])),
                         target)
        for capacity, (dimension, metric, low, high) in DIMENSIONS.items())


def scaling_fields(dimension: str, max_capacity: Any, target_value: Any) -> dict[str, Any]:
    """The design fields a scalable target (and its policy's target value, if any) stand for:
    what an importer writes into the table's config."""
    capacity = CAPACITY_OF_DIMENSION.get(dimension)
    if capacity is None:
        return {}
    fields: dict[str, Any] = {"auto_scaling": True}
    if isinstance(max_capacity, (int, float)) and not isinstance(max_capacity, bool):
        fields[DIMENSIONS[capacity][3]] = int(max_capacity)
    if isinstance(target_value, (int, float)) and not isinstance(target_value, bool):
        fields["target_utilization"] = min(0.9, max(0.2, float(target_value) / 100.0))
    return fields
