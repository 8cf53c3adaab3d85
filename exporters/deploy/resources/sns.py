"""SNS topics, topic policies and subscriptions."""

from __future__ import annotations

import json

from ..core import Kind, ParentSettings, tag_dict, tag_list
from .sqs import resource_policy


class Topic(Kind):
    name = "topic"

    def find(self, ctx, res):
        arn = ctx.arn("sns", res.name)
        if not self.exists(ctx, {"arn": arn}):
            return None
        return {"tags": self.live_tags(ctx, {"arn": arn})}

    def create(self, ctx, res, record):
        attributes = {"FifoTopic": "true", "ContentBasedDeduplication": "true"} if res.config["fifo"] else {}
        arn = ctx.client("sns").create_topic(Name=res.name, Attributes=attributes,
                                             Tags=tag_list(ctx.tags))["TopicArn"]
        outputs = {"arn": arn, "name": res.name}
        record(outputs)
        return outputs

    def delete(self, ctx, outputs):
        ctx.client("sns").delete_topic(TopicArn=outputs["arn"])

    def exists(self, ctx, outputs):
        sns = ctx.client("sns")
        try:
            sns.get_topic_attributes(TopicArn=outputs["arn"])
        except sns.exceptions.NotFoundException:
            return False
        return True

    def live_tags(self, ctx, outputs):
        return tag_dict(ctx.client("sns").list_tags_for_resource(ResourceArn=outputs["arn"])["Tags"])


class TopicPolicy(ParentSettings):
    name = "topic_policy"
    mutable = frozenset({"grants"})

    def parent(self, ctx, res):
        return {"topic": ctx.out(res.refs["topic"])}

    def put(self, ctx, res, outputs):
        document = resource_policy(ctx, res, outputs["topic"])
        document["Statement"].insert(0, _owner_statement(ctx, outputs["topic"]))
        ctx.client("sns").set_topic_attributes(TopicArn=outputs["topic"], AttributeName="Policy",
                                               AttributeValue=json.dumps(document, sort_keys=True))

    def delete(self, ctx, outputs):
        document = {"Version": "2012-10-17", "Statement": [_owner_statement(ctx, outputs["topic"])]}
        ctx.client("sns").set_topic_attributes(TopicArn=outputs["topic"], AttributeName="Policy",
                                               AttributeValue=json.dumps(document))

    def exists(self, ctx, outputs):
        """Our grants are in the topic's policy (deleting them leaves the owner statement)."""
        sns = ctx.client("sns")
        try:
            policy = sns.get_topic_attributes(TopicArn=outputs["topic"])["Attributes"].get("Policy", "{}")
        except sns.exceptions.NotFoundException:
            return False
        return any(s.get("Sid", "").startswith("From") for s in json.loads(policy).get("Statement", []))


def _owner_statement(ctx, topic_arn: str) -> dict:
    """The account itself keeps full use of its topic (SNS's default policy does the same)."""
    return {"Sid": "Owner", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ctx.account}:root"},
            "Action": ["sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes"], "Resource": topic_arn}


class Subscription(Kind):
    name = "subscription"
    taggable = False
    mutable = frozenset({"raw_message_delivery"})

    def create(self, ctx, res, record):
        attributes = {"RawMessageDelivery": "true"} if res.config["raw_message_delivery"] else {}
        arn = ctx.client("sns").subscribe(
            TopicArn=ctx.out(res.refs["topic"]), Protocol=res.config["protocol"],
            Endpoint=ctx.out(res.refs["endpoint"]), Attributes=attributes,
            ReturnSubscriptionArn=True)["SubscriptionArn"]
        outputs = {"arn": arn}
        record(outputs)
        return outputs

    def update(self, ctx, res, outputs, changed):
        ctx.client("sns").set_subscription_attributes(
            SubscriptionArn=outputs["arn"], AttributeName="RawMessageDelivery",
            AttributeValue=str(bool(res.config["raw_message_delivery"])).lower())
        return outputs

    def delete(self, ctx, outputs):
        ctx.client("sns").unsubscribe(SubscriptionArn=outputs["arn"])

    def exists(self, ctx, outputs):
        sns = ctx.client("sns")
        try:
            sns.get_subscription_attributes(SubscriptionArn=outputs["arn"])
        except (sns.exceptions.NotFoundException, sns.exceptions.InvalidParameterException):
            return False
        return True
