"""DynamoDB tables (with their optional change stream and auto scaling).

Auto scaling is Application Auto Scaling's: per capacity a scalable target and a target
tracking policy (model.aws.autoscaling). Registering a target again updates it, so
creating and updating are the same calls; a target no longer wanted is deregistered,
which deletes its policies too.
"""

from __future__ import annotations

from model.aws import autoscaling

from ..core import Kind, tag_dict, tag_list

BILLING = {"on_demand": "PAY_PER_REQUEST", "provisioned": "PROVISIONED"}
STREAM_VIEWS = {"keys_only": "KEYS_ONLY", "new_image": "NEW_IMAGE", "old_image": "OLD_IMAGE",
                "new_and_old_images": "NEW_AND_OLD_IMAGES"}


class Table(Kind):
    name = "table"
    mutable = frozenset({"billing_mode", "read_capacity", "write_capacity", "stream", "scaling"})

    def find(self, ctx, res):
        ddb = ctx.client("dynamodb")
        try:
            arn = ddb.describe_table(TableName=res.name)["Table"]["TableArn"]
        except ddb.exceptions.ResourceNotFoundException:
            return None
        return {"tags": self.live_tags(ctx, {"arn": arn})}

    def create(self, ctx, res, record):
        ddb, cfg = ctx.client("dynamodb"), res.config
        table = ddb.create_table(
            TableName=res.name, KeySchema=[{"AttributeName": cfg["partition_key"], "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": cfg["partition_key"], "AttributeType": "S"}],
            Tags=tag_list(ctx.tags), **_capacity(cfg), **_stream(cfg))["TableDescription"]
        outputs = {"arn": table["TableArn"], "name": res.name}
        record(outputs)
        outputs = self._wait(ddb, outputs)
        _scale(ctx, res.name, cfg.get("scaling", []))
        return outputs

    def update(self, ctx, res, outputs, changed):
        ddb, cfg = ctx.client("dynamodb"), res.config
        params = {}
        if changed & {"billing_mode", "read_capacity", "write_capacity"}:
            params.update(_capacity(cfg))
        if "stream" in changed:
            # A stream's view type cannot change while enabled: switch it off first.
            if ddb.describe_table(TableName=res.name)["Table"].get("StreamSpecification", {}).get("StreamEnabled"):
                ddb.update_table(TableName=res.name, StreamSpecification={"StreamEnabled": False})
                ddb.get_waiter("table_exists").wait(TableName=res.name)
            if cfg["stream"] != "none":
                params.update(_stream(cfg))
        if params:
            ddb.update_table(TableName=res.name, **params)
        outputs = self._wait(ddb, outputs)
        if "scaling" in changed:
            _scale(ctx, res.name, cfg.get("scaling", []))
        return outputs

    @staticmethod
    def _wait(ddb, outputs):
        ddb.get_waiter("table_exists").wait(TableName=outputs["name"], WaiterConfig={"Delay": 1})
        table = ddb.describe_table(TableName=outputs["name"])["Table"]
        return {**outputs, "stream_arn": table.get("LatestStreamArn", "")}

    def delete(self, ctx, outputs):
        _scale(ctx, outputs["name"], [])
        ctx.client("dynamodb").delete_table(TableName=outputs["name"])

    def exists(self, ctx, outputs):
        ddb = ctx.client("dynamodb")
        try:
            status = ddb.describe_table(TableName=outputs["name"])["Table"]["TableStatus"]
        except ddb.exceptions.ResourceNotFoundException:
            return False
        return status != "DELETING"

    def live_tags(self, ctx, outputs):
        return tag_dict(ctx.client("dynamodb").list_tags_of_resource(ResourceArn=outputs["arn"])["Tags"])


def _capacity(cfg: dict) -> dict:
    params = {"BillingMode": BILLING[cfg["billing_mode"]]}
    if cfg["billing_mode"] == "provisioned":
        params["ProvisionedThroughput"] = {"ReadCapacityUnits": cfg["read_capacity"],
                                           "WriteCapacityUnits": cfg["write_capacity"]}
    return params


def _stream(cfg: dict) -> dict:
    if cfg["stream"] == "none":
        return {}
    return {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": STREAM_VIEWS[cfg["stream"]]}}




def _scale(ctx, table_name: str, scaling: list) -> None:
    """Make the table's scalable targets and policies those of `scaling` (the desired
    config's [dimension, metric, min, max, target %] rows): register and put each, and
    deregister the table's other targets."""
    aas = ctx.client("application-autoscaling")
    resource_id = autoscaling.ScalingDimension.resource_id(table_name)
    wanted = {row[0] for row in scaling}
    live = aas.describe_scalable_targets(ServiceNamespace=autoscaling.SERVICE_NAMESPACE,
                                         ResourceIds=[resource_id])["ScalableTargets"]
    for target in live:
        if target["ScalableDimension"] not in wanted:
            aas.deregister_scalable_target(ServiceNamespace=autoscaling.SERVICE_NAMESPACE, ResourceId=resource_id,
                                           ScalableDimension=target["ScalableDimension"])
    for dimension, metric, low, high, target_percent in scaling:
        aas.register_scalable_target(ServiceNamespace=autoscaling.SERVICE_NAMESPACE, ResourceId=resource_id,
                                     ScalableDimension=dimension, MinCapacity=low, MaxCapacity=high)
        aas.put_scaling_policy(
            PolicyName=f"{table_name}-{autoscaling.CAPACITY_OF_DIMENSION[dimension].name}",
            ServiceNamespace=autoscaling.SERVICE_NAMESPACE, ResourceId=resource_id, ScalableDimension=dimension,
            PolicyType=autoscaling.POLICY_TYPE,
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": target_percent, "PredefinedMetricSpecification": {"PredefinedMetricType": metric}})
