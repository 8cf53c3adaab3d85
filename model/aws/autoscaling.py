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
class Capacity:
    """One of a table's two capacities, as Application Auto Scaling and the design name it."""

    name: str  # "read" or "write": the role of its resources in the exports
    dimension: str  # Application Auto Scaling's ScalableDimension
    metric: str  # the predefined metric its target tracking policy follows
    min_field: str  # the design's field for its minimum (the table's provisioned capacity)
    max_field: str  # the design's field for its maximum


CAPACITIES = (
    Capacity("read", "dynamodb:table:ReadCapacityUnits", "DynamoDBReadCapacityUtilization",
             "read_capacity", "max_read_capacity"),
    Capacity("write", "dynamodb:table:WriteCapacityUnits", "DynamoDBWriteCapacityUtilization",
             "write_capacity", "max_write_capacity"),
)
CAPACITY_OF_DIMENSION = {capacity.dimension: capacity for capacity in CAPACITIES}


@dataclass(frozen=True)
class ScalingDimension:
    """One capacity of one table under target tracking."""

    capacity: Capacity
    min_capacity: int
    max_capacity: int
    target_percent: float  # TargetValue: consumed / provisioned capacity, in per cent

    @staticmethod
    def resource_id(table_name: str) -> str:
        return f"table/{table_name}"


def table_scaling(config: Mapping[str, Any]) -> tuple[ScalingDimension, ...]:
    """The scaled capacities of a table (its effective config); none unless it is
    provisioned with `auto_scaling`."""
    if config.get("billing_mode") != "provisioned" or not config.get("auto_scaling"):
        return ()
    target = round(float(config.get("target_utilization", 0.7)) * 100.0, 2)
    return tuple(ScalingDimension(capacity, int(config[capacity.min_field]),
                                  max(int(config[capacity.max_field]), int(config[capacity.min_field])), target)
                 for capacity in CAPACITIES)
