"""Kinesis data streams."""

from __future__ import annotations

from ..core import Kind, tag_dict

MODES = {"provisioned": "PROVISIONED", "on_demand": "ON_DEMAND"}


class Stream(Kind):
    name = "stream"
    mutable = frozenset({"shards", "retention_hours", "capacity_mode"})

    def find(self, ctx, res):
        kinesis = ctx.client("kinesis")
        try:
            arn = kinesis.describe_stream_summary(StreamName=res.name)["StreamDescriptionSummary"]["StreamARN"]
        except kinesis.exceptions.ResourceNotFoundException:
            return None
        return {"tags": self.live_tags(ctx, {"name": res.name, "arn": arn})}

    def create(self, ctx, res, record):
        kinesis, cfg = ctx.client("kinesis"), res.config
        params = {"StreamModeDetails": {"StreamMode": MODES[cfg["capacity_mode"]]}}
        if cfg["capacity_mode"] == "provisioned":
            params["ShardCount"] = cfg["shards"]
        kinesis.create_stream(StreamName=res.name, **params)
        outputs = {"arn": ctx.arn("kinesis", f"stream/{res.name}"), "name": res.name}
        record(outputs)
        self._wait(kinesis, res.name)
        kinesis.add_tags_to_stream(StreamName=res.name, Tags=ctx.tags)
        if cfg["retention_hours"] > 24:
            kinesis.increase_stream_retention_period(StreamName=res.name,
                                                     RetentionPeriodHours=cfg["retention_hours"])
            self._wait(kinesis, res.name)
        summary = kinesis.describe_stream_summary(StreamName=res.name)["StreamDescriptionSummary"]
        return {**outputs, "arn": summary["StreamARN"]}

    def update(self, ctx, res, outputs, changed):
        kinesis, cfg = ctx.client("kinesis"), res.config
        if "capacity_mode" in changed:
            kinesis.update_stream_mode(StreamARN=outputs["arn"],
                                       StreamModeDetails={"StreamMode": MODES[cfg["capacity_mode"]]})
            self._wait(kinesis, res.name)
        if changed & {"shards", "capacity_mode"} and cfg["capacity_mode"] == "provisioned":
            kinesis.update_shard_count(StreamName=res.name, TargetShardCount=cfg["shards"],
                                       ScalingType="UNIFORM_SCALING")
            self._wait(kinesis, res.name)
        if "retention_hours" in changed:
            current = kinesis.describe_stream_summary(StreamName=res.name)[
                "StreamDescriptionSummary"]["RetentionPeriodHours"]
            call = (kinesis.increase_stream_retention_period if cfg["retention_hours"] > current
                    else kinesis.decrease_stream_retention_period)
            call(StreamName=res.name, RetentionPeriodHours=cfg["retention_hours"])
            self._wait(kinesis, res.name)
        return outputs

    @staticmethod
    def _wait(kinesis, name):
        kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 1})

    def delete(self, ctx, outputs):
        ctx.client("kinesis").delete_stream(StreamName=outputs["name"], EnforceConsumerDeletion=True)

    def exists(self, ctx, outputs):
        kinesis = ctx.client("kinesis")
        try:
            status = kinesis.describe_stream_summary(StreamName=outputs["name"])[
                "StreamDescriptionSummary"]["StreamStatus"]
        except kinesis.exceptions.ResourceNotFoundException:
            return False
        return status != "DELETING"

    def live_tags(self, ctx, outputs):
        return tag_dict(ctx.client("kinesis").list_tags_for_stream(StreamName=outputs["name"])["Tags"])
