"""S3 buckets: per-prefix request rates and event notifications.

Rules (S3 User Guide, optimizing-performance.html): each prefix supports 3,500
PUT/COPY/POST/DELETE and 5,500 GET/HEAD requests per second; beyond that S3 answers
503 SlowDown, which the SDK retries (standard retry mode, base.SdkCall). Requests spread
uniformly over `prefixes`; each prefix is a token bucket holding one second of its rate.
A successful PUT sends an event notification to every `notification` edge whose `events`
includes object creation (asynchronously, at once).
"""

from __future__ import annotations

from .base import ACTION_OPS, SdkCall, SdkService, TokenBucket, sampler

PUTS_PER_PREFIX_S = 3500.0
GETS_PER_PREFIX_S = 5500.0
OP_RATES = {"read": GETS_PER_PREFIX_S, "write": PUTS_PER_PREFIX_S}
OP_COUNTERS = {"read": "get_requests", "write": "put_requests"}


class Bucket(SdkService):
    tracks_calls = True  # concurrency = SDK calls in flight

    def setup(self) -> None:
        self.latency_s = sampler(self.config["latency_ms"], self.rng, 0.001)
        self.prefixes = int(self.config["prefixes"])
        self.limits: dict[tuple[str, int], TokenBucket] = {}  # created when first used
        self.refusals = {"read": self.limit("s3_prefix_get_rps"), "write": self.limit("s3_prefix_put_rps")}
        self.refused = self.refusals["write"]  # admit() points it at the limit of the refused op
        self.notifications: list = []

    def wired(self) -> None:
        self.notifications = [e for e in self.edges("notification")
                              if e.config.get("events", "object_created") != "object_removed"]

    def call(self, ctx, done, edge) -> None:
        SdkCall(self, ctx, done, ACTION_OPS[edge.action]).try_once()

    def admit(self, op: str, now: float) -> bool:
        key = (op, self.rng.randrange(self.prefixes) if self.prefixes > 1 else 0)
        bucket = self.limits.get(key)
        if bucket is None:
            rate = OP_RATES[op]
            bucket = self.limits[key] = TokenBucket(rate, rate, now)
        if bucket.take(now):
            return True
        self.refused = self.refusals[op]
        return False

    def succeeded(self, op: str, ctx, now: float, epoch: int) -> None:
        self.usage[OP_COUNTERS[op]] += 1
        if op == "write":
            for edge in self.notifications:
                for _ in range(edge.repeats(self.rng)):
                    edge.target.call(ctx, None, edge)

    def assumptions(self) -> list[str]:
        return ["S3: 3,500 PUT and 5,500 GET requests/s per prefix (one second of burst), requests "
                "spread uniformly over `prefixes`; 503 SlowDown retried by the SDK (standard "
                "mode); a PUT notifies each notification edge at once."]
