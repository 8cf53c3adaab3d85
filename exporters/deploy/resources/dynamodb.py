"""DynamoDB tables (with their optional change stream)."""

from __future__ import annotations

from ..core import Kind, tag_dict, tag_list

BILLING = {"on_demand": "PAY_PER_REQUEST", "provisioned": "PROVISIONED"}
STREAM_VIEWS = {"keys_only": "KEYS_ONLY", "new_image": "NEW_IMAGE", "old_image": "OLD_IMAGE",
                "new_and_old_images": "NEW_AND_OLD_IMAGES"}


class Table(Kind):
    name = "table"
    mutable = frozenset({"billing_mode", "read_capacity", "write_capacity", "stream"})

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
        return self._wait(ddb, outputs)

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
        return self._wait(ddb, outputs)

    @staticmethod
    def _wait(ddb, outputs):
        ddb.get_waiter("table_exists").wait(TableName=outputs["name"], WaiterConfig={"Delay": 1})
        table = ddb.describe_table(TableName=outputs["name"])["Table"]
        return {**outputs, "stream_arn": table.get("LatestStreamArn", "")}

    def delete(self, ctx, outputs):
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


