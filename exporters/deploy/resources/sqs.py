"""SQS queues (with redrive to a dead-letter queue) and queue policies."""

from __future__ import annotations

import json

from ..core import Kind, ParentSettings


class Queue(Kind):
    name = "queue"
    mutable = frozenset({"attributes"})

    def find(self, ctx, res):
        sqs = ctx.client("sqs")
        try:
            url = sqs.get_queue_url(QueueName=res.name)["QueueUrl"]
        except sqs.exceptions.QueueDoesNotExist:
            return None
        return {"tags": self.live_tags(ctx, {"url": url})}

    def create(self, ctx, res, record):
        sqs = ctx.client("sqs")
        url = sqs.create_queue(QueueName=res.name, Attributes=self._attributes(ctx, res),
                               tags=ctx.tags)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        outputs = {"arn": arn, "url": url, "name": res.name}
        record(outputs)
        return outputs

    def update(self, ctx, res, outputs, changed):
        attributes = self._attributes(ctx, res)
        attributes.pop("FifoQueue", None)  # fixed at creation
        if "RedrivePolicy" not in attributes:
            attributes["RedrivePolicy"] = ""
        ctx.client("sqs").set_queue_attributes(QueueUrl=outputs["url"], Attributes=attributes)
        return outputs

    @staticmethod
    def _attributes(ctx, res) -> dict:
        attributes = dict(res.config["attributes"])
        if "dead_letter" in res.refs:
            attributes["RedrivePolicy"] = json.dumps({
                "deadLetterTargetArn": ctx.out(res.refs["dead_letter"]),
                "maxReceiveCount": res.config["max_receive_count"]})
        return attributes

    def delete(self, ctx, outputs):
        ctx.client("sqs").delete_queue(QueueUrl=outputs["url"])

    def exists(self, ctx, outputs):
        sqs = ctx.client("sqs")
        try:
            sqs.get_queue_attributes(QueueUrl=outputs["url"], AttributeNames=["QueueArn"])
        except sqs.exceptions.QueueDoesNotExist:
            return False
        return True

    def live_tags(self, ctx, outputs):
        return ctx.client("sqs").list_queue_tags(QueueUrl=outputs["url"]).get("Tags", {})


class QueuePolicy(ParentSettings):
    """Who may send to the queue: one statement per service source (S3, SNS, EventBridge)."""

    name = "queue_policy"
    mutable = frozenset({"grants"})

    def parent(self, ctx, res):
        return {"url": ctx.out(res.refs["queue"], "url")}

    def put(self, ctx, res, outputs):
        queue_arn = ctx.out(res.refs["queue"])
        document = resource_policy(ctx, res, queue_arn)
        ctx.client("sqs").set_queue_attributes(QueueUrl=outputs["url"],
                                               Attributes={"Policy": json.dumps(document, sort_keys=True)})

    def delete(self, ctx, outputs):
        ctx.client("sqs").set_queue_attributes(QueueUrl=outputs["url"], Attributes={"Policy": ""})

    def exists(self, ctx, outputs):
        sqs = ctx.client("sqs")
        try:
            attrs = sqs.get_queue_attributes(QueueUrl=outputs["url"], AttributeNames=["Policy"])
        except sqs.exceptions.QueueDoesNotExist:
            return False
        return bool(attrs.get("Attributes", {}).get("Policy"))


def resource_policy(ctx, res, resource_arn: str) -> dict:
    """A policy document from `config["grants"]`: each names its source by a ref role."""
    statements = []
    for grant in res.config["grants"]:
        source = ctx.out(res.refs[grant["source_ref"]], grant["source_output"]) + grant["source_suffix"]
        statements.append({"Sid": grant["sid"], "Effect": "Allow",
                           "Principal": {"Service": grant["principal"]},
                           "Action": grant["actions"], "Resource": resource_arn,
                           "Condition": {"ArnEquals": {"aws:SourceArn": source}}})
    return {"Version": "2012-10-17", "Statement": statements}
