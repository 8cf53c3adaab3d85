"""aws_appautoscaling_target/_policy of DynamoDB tables -> the tables' auto scaling fields
(importers.table_scaling decides what the fields can say)."""

from __future__ import annotations

from importers import table_scaling
from importers.base import tokens_in
from importers.terraform.state import TerraformImport

TARGET = "aws_appautoscaling_target"
POLICY = "aws_appautoscaling_policy"
# Policy arguments the design can say (the rest, cooldowns, disable_scale_in, a customized
# metric, keep the policy as written); the target's own are matched by reference.
PLAIN_POLICY = {"name", "policy_type", "resource_id", "scalable_dimension", "service_namespace",
                "target_tracking_scaling_policy_configuration"}


def absorb_table_scaling(imp: TerraformImport) -> None:
    found: dict[str, table_scaling.FoundScaling] = {}
    for res in imp.resources.values():
        values = res.values
        if res.tf_type == TARGET and values.get("service_namespace") == "dynamodb":
            found[res.address] = table_scaling.FoundScaling(
                res.address, TARGET, imp.b.node_for(values.get("resource_id"), "dynamodb"),
                str(values.get("scalable_dimension")), values.get("min_capacity"), values.get("max_capacity"))
    for res in imp.resources.values():
        if res.tf_type == POLICY:
            target = _target_of(res.values, found)
            if target is not None:
                target.policies.append((res.address, _settings(res.values)))
    imp.absorbed_as.update(table_scaling.absorb(imp.b, list(found.values())))


def _target_of(policy: dict, found: dict[str, table_scaling.FoundScaling]) -> table_scaling.FoundScaling | None:
    """The target a policy refers to (`aws_appautoscaling_target.x.resource_id`)."""
    for name in tokens_in(policy.get("resource_id")):
        address = ".".join(name.split(".")[:2])
        if address in found:
            return found[address]
    return None


def _settings(values: dict) -> dict:
    tracking = _single_block(values.get("target_tracking_scaling_policy_configuration"))
    metric = _single_block(tracking.get("predefined_metric_specification"))
    others = {name: value for part, plain in ((values, PLAIN_POLICY),
                                              (tracking, {"target_value", "predefined_metric_specification"}),
                                              (metric, {"predefined_metric_type"}))
              for name, value in part.items() if name not in plain}
    return table_scaling.policy_settings(values.get("policy_type"), tracking.get("target_value"),
                                         metric.get("predefined_metric_type"), others)


def _single_block(value) -> dict:
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        return value[0]
    return value if isinstance(value, dict) else {}
