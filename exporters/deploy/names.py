"""Physical names: derived from the design name and node id, deterministic, within AWS limits.

"Orders API" + "create_order" -> "stratus-orders-api-create-order". A name longer than the
service allows is cut and ends in 8 hex digits of a hash of the full name, so two long
names that share a prefix stay distinct and the same design always gets the same names.
"""

from __future__ import annotations

import hashlib
import re
from typing import Mapping

PREFIX = "stratus"

# kind -> (maximum length, suffix the service requires for FIFO variants)
NAME_LIMITS: Mapping[str, int] = {
    "role": 64,
    "function": 64,
    "table": 255,
    "queue": 80,
    "topic": 256,
    "stream": 128,
    "bucket": 63,
    "state_machine": 80,
    "event_bus": 256,
    "rule": 64,
    "rest_api": 128,
    "http_api": 128,
}


def slug(text: str) -> str:
    """Lower-case letters, digits and single hyphens (valid for every service, S3 included)."""
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", text.lower())).strip("-") or "x"


def physical_name(design: str, *parts: str, kind: str, suffix: str = "") -> str:
    """stratus-<design>-<parts...>[suffix], at most NAME_LIMITS[kind] characters."""
    base = "-".join([PREFIX, slug(design), *(slug(p) for p in parts)])
    limit = NAME_LIMITS[kind] - len(suffix)
    if len(base) > limit:
        digest = hashlib.sha256(base.encode()).hexdigest()[:8]
        base = base[: limit - 9].rstrip("-") + "-" + digest
    return base + suffix
