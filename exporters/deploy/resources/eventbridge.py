"""EventBridge: custom event buses and rules with their one target."""

from __future__ import annotations

from ..core import Kind, tag_dict, tag_list


class EventBus(Kind):
    name = "event_bus"

    def find(self, ctx, res):
        events = ctx.client("events")
        try:
            arn = events.describe_event_bus(Name=res.name)["Arn"]
        except events.exceptions.ResourceNotFoundException:
            return None
        return {"tags": self.live_tags(ctx, {"arn": arn})}

    def create(self, ctx, res, record):
        arn = ctx.client("events").create_event_bus(Name=res.name, Tags=tag_list(ctx.tags))["EventBusArn"]
        outputs = {"arn": arn, "name": res.name}
        record(outputs)
        return outputs

    def delete(self, ctx, outputs):
        ctx.client("events").delete_event_bus(Name=outputs["name"])

    def exists(self, ctx, outputs):
        events = ctx.client("events")
        try:
            events.describe_event_bus(Name=outputs["name"])
        except events.exceptions.ResourceNotFoundException:
            return False
        return True

    def live_tags(self, ctx, outputs):
        return tag_dict(ctx.client("events").list_tags_for_resource(ResourceARN=outputs["arn"])["Tags"])


class Rule(Kind):
    """One rule per edge, with the edge's target; the bus is the account's default or ours."""

    name = "rule"
    mutable = frozenset({"pattern", "schedule", "target"})
    TARGET_ID = "stratus-target"

    def _bus(self, ctx, res) -> str:
        return res.config["bus"]

    def find(self, ctx, res):
        events = ctx.client("events")
        try:
            arn = events.describe_rule(Name=res.name, EventBusName=self._bus(ctx, res))["Arn"]
        except events.exceptions.ResourceNotFoundException:
            return None
        return {"tags": self.live_tags(ctx, {"arn": arn})}

    def create(self, ctx, res, record):
        bus = self._bus(ctx, res)
        arn = ctx.client("events").put_rule(
            Name=res.name, EventBusName=bus, **_matching(res.config), State="ENABLED",
            Description=f"Stratus: {res.node}", Tags=tag_list(ctx.tags))["RuleArn"]
        outputs = {"arn": arn, "name": res.name, "bus": bus}
        record(outputs)
        self._put_target(ctx, res, outputs)
        return outputs

    def update(self, ctx, res, outputs, changed):
        events = ctx.client("events")
        if changed & {"pattern", "schedule"}:
            events.put_rule(Name=outputs["name"], EventBusName=outputs["bus"], **_matching(res.config),
                            State="ENABLED")
        self._put_target(ctx, res, outputs)
        return outputs

    def _put_target(self, ctx, res, outputs):
        target = {"Id": self.TARGET_ID, "Arn": ctx.out(res.refs["target"])}
        if "role" in res.refs:
            target["RoleArn"] = ctx.out(res.refs["role"])
        target.update(res.config["target"])  # SqsParameters, KinesisParameters...
        failed = ctx.client("events").put_targets(Rule=outputs["name"], EventBusName=outputs["bus"],
                                                  Targets=[target])
        if failed.get("FailedEntryCount"):
            raise RuntimeError(f"put_targets failed: {failed['FailedEntries']}")

    def delete(self, ctx, outputs):
        events = ctx.client("events")
        events.remove_targets(Rule=outputs["name"], EventBusName=outputs["bus"], Ids=[self.TARGET_ID])
        events.delete_rule(Name=outputs["name"], EventBusName=outputs["bus"])

    def exists(self, ctx, outputs):
        events = ctx.client("events")
        try:
            events.describe_rule(Name=outputs["name"], EventBusName=outputs["bus"])
        except events.exceptions.ResourceNotFoundException:
            return False
        return True

    def live_tags(self, ctx, outputs):
        return tag_dict(ctx.client("events").list_tags_for_resource(ResourceARN=outputs["arn"])["Tags"])


def _matching(config: dict) -> dict:
    """A scheduled rule's ScheduleExpression, else the rule's EventPattern."""
    if config.get("schedule"):
        return {"ScheduleExpression": config["schedule"]}
    return {"EventPattern": config["pattern"]}
