"""Application Auto Scaling targets and policies of DynamoDB tables -> the tables' auto
scaling fields (importers.table_scaling decides what the fields can say)."""

from __future__ import annotations

from importers import table_scaling
from importers.base import tokens_in
from importers.cloudformation.state import TemplateImport

TARGET = "AWS::ApplicationAutoScaling::ScalableTarget"
POLICY = "AWS::ApplicationAutoScaling::ScalingPolicy"
# TargetTrackingScalingPolicyConfiguration keys the design can say; any other is a setting
# (cooldowns, DisableScaleIn, a customized metric) that keeps the policy as written.
PLAIN_TRACKING = {"TargetValue", "PredefinedMetricSpecification"}


def absorb_table_scaling(imp: TemplateImport) -> None:
    found: dict[str, table_scaling.FoundScaling] = {}
    for key, props in imp.props.items():
        if imp.types[key] == TARGET and props.get("ServiceNamespace") == "dynamodb":
            found[key] = table_scaling.FoundScaling(
                key, TARGET, imp.b.node_for(props.get("ResourceId"), "dynamodb"), str(props.get("ScalableDimension")),
                props.get("MinCapacity"), props.get("MaxCapacity"))
    for key, props in imp.props.items():
        if imp.types[key] != POLICY:
            continue
        target = next((found[name] for name in _referenced(props.get("ScalingTargetId")) if name in found), None)
        if target is not None:
            target.policies.append((key, _settings(props)))
    imp.absorbed_as.update(table_scaling.absorb(imp.b, list(found.values())))


def _referenced(value) -> list[str]:
    return [name.split(".")[0] for name in tokens_in(value)]


def _settings(props: dict) -> dict:
    tracking = props.get("TargetTrackingScalingPolicyConfiguration") or {}
    metric = tracking.get("PredefinedMetricSpecification") or {}
    plain_policy = {"PolicyName", "PolicyType", "ScalingTargetId", "TargetTrackingScalingPolicyConfiguration"}
    others = {name: value for part, plain in ((props, plain_policy), (tracking, PLAIN_TRACKING),
                                              (metric, {"PredefinedMetricType"}))
              for name, value in part.items() if name not in plain}
    return table_scaling.policy_settings(props.get("PolicyType"), tracking.get("TargetValue"),
                                         metric.get("PredefinedMetricType"), others)
