"""The building blocks the account scanner borrows from the rest of Stratus, imported here
and nowhere else in this package: other work moves some of them (the wiring tables, the
importers' shared base), and one file is then all that needs its imports fixed.
"""

from __future__ import annotations

from importers.base import (
    AWS_SERVICE_OF_ARN, GraphBuilder, ImportNote, ImportResult, format_report, parse_rate,
)
from model.aws.wiring import (
    BUCKET_WIDE_NOTIFICATIONS, DEFAULT_BUS, EVENT_SOURCES, HTTP_INTEGRATIONS, S3_EVENTS,
    SUBSCRIPTIONS, Attribute,
)

__all__ = [
    "AWS_SERVICE_OF_ARN", "BUCKET_WIDE_NOTIFICATIONS", "DEFAULT_BUS", "EVENT_SOURCES", "HTTP_INTEGRATIONS",
    "S3_EVENTS", "SUBSCRIPTIONS", "Attribute", "GraphBuilder", "ImportNote", "ImportResult", "format_report",
    "parse_rate",
]
