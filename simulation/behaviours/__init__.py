"""One behaviour class per service family; REGISTRY maps a catalogue service key to it."""

from __future__ import annotations

from .api_gateway import Api
from .base import Behaviour
from .dynamodb import Table
from .fanout import EventBus, Topic
from .lambda_ import LambdaFunction
from .s3 import Bucket
from .sqs import Queue
from .step_functions import StateMachine
from .streams import KinesisStream

REGISTRY: dict[str, type[Behaviour]] = {
    "api_gateway": Api,
    "lambda": LambdaFunction,
    "dynamodb": Table,
    "s3": Bucket,
    "sqs": Queue,
    "sns": Topic,
    "kinesis": KinesisStream,
    "eventbridge": EventBus,
    "step_functions": StateMachine,
}
