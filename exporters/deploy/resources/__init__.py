"""Every resource kind the deployer manages, keyed by kind name."""

from __future__ import annotations

from typing import Mapping

from ..core import Kind
from .apigateway import HttpApi, RestApi
from .dynamodb import Table
from .eventbridge import EventBus, Rule
from .iam_roles import Role, RolePolicy
from .kinesis import Stream
from .lambda_ import EventSourceMapping, Function, InvokeConfig, Permission
from .s3 import Bucket, BucketNotification
from .sns import Subscription, Topic, TopicPolicy
from .sqs import Queue, QueuePolicy
from .stepfunctions import StateMachine

KINDS: Mapping[str, Kind] = {k.name: k for k in (
    Role(), RolePolicy(), Table(), Queue(), Topic(), Stream(), Bucket(), EventBus(),
    Function(), StateMachine(), EventSourceMapping(), Permission(), InvokeConfig(),
    QueuePolicy(), TopicPolicy(), Subscription(), BucketNotification(), Rule(),
    RestApi(), HttpApi(),
)}
