"""A table's Application Auto Scaling read back into the design's auto scaling fields.

Both template readers find each DynamoDB scalable target and its policies and describe
them as a `FoundScaling`; `absorb` decides, per table, whether the design's fields say
exactly what they do (model.aws.autoscaling: both capacities scaled, from the table's
provisioned capacity up to a maximum, each by one target tracking policy on the predefined
utilisation metric, at one target value). If so the table gets `auto_scaling` and the
resources are absorbed; if not, they stay as written under extras (the exporters emit
them again) and the report says why the fields could not carry them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from importers.base import GraphBuilder
from model.aws import autoscaling


@dataclass
class FoundScaling:
    """One scalable target of a table, with the policies attached to it."""

    key: str  # the target's logical id / Terraform address
    rtype: str
    table: str | None  # the node id of the table it scales, if it is one of the design's
    dimension: str
    min_capacity: object
    max_capacity: object
    policies: list[tuple[str, dict]] = field(default_factory=list)  # (key, the policy's settings)

    def target_value(self) -> float | None:
        """The policy's target value when it is the single plain target tracking policy the
        design can say (predefined utilisation metric, no cooldowns or scale-in switch)."""
        capacity = autoscaling.CAPACITY_OF_DIMENSION.get(self.dimension)
        if capacity is None or len(self.policies) != 1:
            return None
        settings = self.policies[0][1]
        if set(settings) - PLAIN_SETTINGS or settings.get("policy_type") != autoscaling.POLICY_TYPE or \
                settings.get("metric") != capacity.metric:
            return None
        value = settings.get("target_value")
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


PLAIN_SETTINGS = {"policy_type", "target_value", "metric"}


def policy_settings(policy_type, target_value, metric, others: dict) -> dict:
    """A policy as `FoundScaling` reads it, from any format: its type, target value and
    predefined metric, plus every other setting it has (`others`, by name) that is not at
    its zero value (DisableScaleIn false or a 0 s cooldown change nothing); any of those
    keeps the policy as written."""
    settings = {"policy_type": policy_type, "target_value": target_value, "metric": metric}
    settings.update({name: value for name, value in others.items() if value})
    return settings


def absorb(b: GraphBuilder, found: list[FoundScaling]) -> dict[str, str]:
    """Set the auto scaling fields of every table whose scaling they describe exactly;
    return {key: what it became} for the targets and policies absorbed."""
    absorbed: dict[str, str] = {}
    by_table: dict[str, list[FoundScaling]] = {}
    for item in found:
        if item.table is not None:
            by_table.setdefault(item.table, []).append(item)
    for table, items in by_table.items():
        config, why_not = scaling_config(b.arch.nodes[table].effective_config(), items)
        if why_not:
            for item in items:
                b.note("note", item.key, item.rtype, f"auto scaling of '{table}' kept as written: {why_not}")
            continue
        b.arch.nodes[table].config.update(config)
        for item in items:
            absorbed[item.key] = f"auto scaling of table '{table}' (its {item.dimension.rsplit(':', 1)[-1]})"
            for key, _ in item.policies:
                absorbed[key] = f"target tracking policy of table '{table}'"
    return absorbed


def scaling_config(table_config: dict, items: list[FoundScaling]) -> tuple[dict, str]:
    """(the table's auto scaling fields, "") when they say exactly what `items` do, else
    ({}, why not)."""
    why_not = _why_not_representable(table_config, items)
    if why_not:
        return {}, why_not
    config: dict = {"auto_scaling": True, "target_utilization": items[0].target_value() / 100.0}
    for item in items:
        config[autoscaling.CAPACITY_OF_DIMENSION[item.dimension].max_field] = item.max_capacity
    return config, ""


def _why_not_representable(table_config: dict, items: list[FoundScaling]) -> str:
    if table_config.get("billing_mode") != "provisioned":
        return "the table is on-demand"
    dimensions = sorted(item.dimension for item in items)
    if dimensions != sorted(capacity.dimension for capacity in autoscaling.CAPACITIES):
        return "the design scales both capacities or neither, and this scales " + \
            (", ".join(dimensions) or "none")
    for item in items:
        low_field = autoscaling.CAPACITY_OF_DIMENSION[item.dimension].min_field
        if item.min_capacity != table_config.get(low_field):
            return f"its minimum ({item.min_capacity}) is not the table's {low_field} ({table_config.get(low_field)})"
        if not isinstance(item.max_capacity, int) or item.max_capacity < item.min_capacity:
            return f"its maximum ({item.max_capacity}) is not a number at or above the minimum"
        if item.target_value() is None:
            return "its policies are not one plain target tracking policy on the utilisation metric"
    values = {item.target_value() for item in items}
    if len(values) != 1:
        return "the read and write target values differ (the design has one target_utilization)"
    value = values.pop()
    if not 20.0 <= value <= 90.0:
        return f"its target value ({value}%) is outside the 20-90% the design takes"
    return ""
