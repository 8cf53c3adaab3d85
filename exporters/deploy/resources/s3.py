"""S3 buckets and their event notifications."""

from __future__ import annotations

from model.aws import wiring

from ..core import Kind, ParentSettings, error_code, tag_dict, tag_list

# Notification target service -> (configuration list, ARN key in it)
TARGET_LISTS = {"lambda": ("LambdaFunctionConfigurations", "LambdaFunctionArn"),
                "sqs": ("QueueConfigurations", "QueueArn"),
                "sns": ("TopicConfigurations", "TopicArn")}


class Bucket(Kind):
    name = "bucket"

    def find(self, ctx, res):
        if not self.exists(ctx, {"name": res.name}):
            return None
        return {"tags": self.live_tags(ctx, {"name": res.name})}

    def create(self, ctx, res, record):
        s3 = ctx.client("s3")
        params = {} if ctx.region == "us-east-1" else {
            "CreateBucketConfiguration": {"LocationConstraint": ctx.region}}
        s3.create_bucket(Bucket=res.name, **params)
        outputs = {"arn": f"arn:aws:s3:::{res.name}", "name": res.name}
        record(outputs)
        s3.get_waiter("bucket_exists").wait(Bucket=res.name, WaiterConfig={"Delay": 1})
        s3.put_bucket_tagging(Bucket=res.name, Tagging={"TagSet": tag_list(ctx.tags)})
        s3.put_public_access_block(Bucket=res.name, PublicAccessBlockConfiguration={
            "BlockPublicAcls": True, "IgnorePublicAcls": True,
            "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
        return outputs

    def delete(self, ctx, outputs):
        """The bucket is ours: its objects go with it (S3 refuses to delete a full bucket)."""
        s3 = ctx.client("s3")
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=outputs["name"]):
            doomed = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                      for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
            if doomed:
                s3.delete_objects(Bucket=outputs["name"], Delete={"Objects": doomed})
        s3.delete_bucket(Bucket=outputs["name"])

    def exists(self, ctx, outputs):
        try:
            ctx.client("s3").head_bucket(Bucket=outputs["name"])
        except Exception as exc:  # noqa: BLE001 - head_bucket raises a bare ClientError
            if error_code(exc) in ("404", "NoSuchBucket", "NotFound"):
                return False
            raise
        return True

    def live_tags(self, ctx, outputs):
        try:
            return tag_dict(ctx.client("s3").get_bucket_tagging(Bucket=outputs["name"])["TagSet"])
        except Exception as exc:  # noqa: BLE001
            if error_code(exc) == "NoSuchTagSet":
                return {}
            raise


class BucketNotification(ParentSettings):
    """The bucket's whole notification configuration (S3 keeps one per bucket)."""

    name = "bucket_notification"
    mutable = frozenset({"targets"})

    def parent(self, ctx, res):
        return {"bucket": ctx.out(res.refs["bucket"], "name")}

    def put(self, ctx, res, outputs):
        config: dict = {}
        for target in res.config["targets"]:
            if target["service"] in wiring.BUCKET_WIDE_NOTIFICATIONS:
                config["EventBridgeConfiguration"] = {}
                continue
            listing, arn_key = TARGET_LISTS[target["service"]]
            entry = {"Id": target["id"], arn_key: ctx.out(res.refs[target["ref"]]),
                     "Events": list(wiring.S3_EVENTS[target["events"]])}
            rules = [{"Name": n, "Value": target[n]} for n in ("prefix", "suffix") if target[n]]
            if rules:
                entry["Filter"] = {"Key": {"FilterRules": rules}}
            config.setdefault(listing, []).append(entry)
        ctx.client("s3").put_bucket_notification_configuration(
            Bucket=outputs["bucket"], NotificationConfiguration=config)

    def delete(self, ctx, outputs):
        ctx.client("s3").put_bucket_notification_configuration(
            Bucket=outputs["bucket"], NotificationConfiguration={})

    def exists(self, ctx, outputs):
        if not Bucket().exists(ctx, {"name": outputs["bucket"]}):
            return False
        config = ctx.client("s3").get_bucket_notification_configuration(Bucket=outputs["bucket"])
        return any(k.endswith("Configurations") or k == "EventBridgeConfiguration" for k in config)
