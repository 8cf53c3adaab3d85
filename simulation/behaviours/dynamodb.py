"""DynamoDB tables: capacity as token buckets in request units, SDK retries, streams.

Rules (DynamoDB Developer Guide):
- A read of an item costs ceil(item_kb / 4) read units (strongly consistent), a write
  ceil(item_kb / 1) write units (read-write-capacity-mode.html).
- Provisioned mode: read_capacity / write_capacity units per second, and up to 300 s of
  unused capacity kept as burst (burst-adaptive-capacity.html): a token bucket of size
  300 x capacity, full at the start.
- On-demand mode: simplified to the default per-table ceiling of 40,000 read and 40,000
  write request units per second (ServiceQuotas.html); the "2x previous peak" warm
  throughput of a new table is not modelled (tables are assumed warmed up).
- A throttled call (ProvisionedThroughputExceededException) is retried by the SDK's
  standard retry mode (3 attempts, random(0, 1) x 2^(n-1) s backoff), see base.SdkCall.
- Streams: every successful write appends a record to the table's stream; shards: one per
  1,000 provisioned WCU (a partition's write limit), 4 for on-demand tables.
"""

from __future__ import annotations

import math

from .base import ACTION_OPS, SdkCall, SdkService, TokenBucket, sampler
from .streams import StreamFeed

ON_DEMAND_TABLE_UNITS = 40_000.0
BURST_SECONDS = 300.0
ON_DEMAND_STREAM_SHARDS = 4
WCU_PER_STREAM_SHARD = 1000


class TableOp:
    """A read or a write on one table, worked out once: its capacity bucket and cost."""

    __slots__ = ("name", "bucket", "units", "counter")

    def __init__(self, name: str, bucket: TokenBucket, units: int) -> None:
        self.name, self.bucket, self.units, self.counter = name, bucket, units, name + "_units"


class Table(SdkService):
    tracks_calls = True  # concurrency = SDK calls in flight

    def setup(self) -> None:
        c = self.config
        self.latency_s = sampler(c["latency_ms"], self.rng, 0.001)
        kb = float(c["item_kb"])
        self.units = {"read": math.ceil(kb / 4 - 1e-9) or 1, "write": math.ceil(kb - 1e-9) or 1}
        if c["billing_mode"] == "provisioned":
            rcu, wcu = float(c["read_capacity"]), float(c["write_capacity"])
            self.buckets = {"read": TokenBucket(rcu, rcu * BURST_SECONDS),
                            "write": TokenBucket(wcu, wcu * BURST_SECONDS)}
            shards = math.ceil(wcu / WCU_PER_STREAM_SHARD)
        else:
            self.buckets = {op: TokenBucket(ON_DEMAND_TABLE_UNITS, ON_DEMAND_TABLE_UNITS)
                            for op in ("read", "write")}
            shards = ON_DEMAND_STREAM_SHARDS
        self.has_stream = c["stream"] != "none"
        self.feed = StreamFeed(self, max(1, shards), "stream_read_requests", per_batch=True)
        ops = {op: TableOp(op, self.buckets[op], self.units[op]) for op in ("read", "write")}
        self.action_ops = {action: tuple(ops[op] for op in names) for action, names in ACTION_OPS.items()}

    def wired(self) -> None:
        self.feed.connect_readers(self.edges("event_source"))

    def call(self, ctx, done, edge) -> None:
        SdkCall(self, ctx, done, self.action_ops[edge.action]).try_once()

    def admit(self, op: TableOp, now: float) -> bool:
        return op.bucket.take(now, op.units)

    def succeeded(self, op: TableOp, ctx, now: float, epoch: int) -> None:
        self.usage[op.counter] += op.units
        if self.has_stream and op.name == "write":
            self.feed.add(ctx, now, epoch)

    def finish(self, now: float) -> None:
        self.feed.finish(now)
        super().finish(now)

    def assumptions(self) -> list[str]:
        return [
            "DynamoDB: reads cost ceil(item_kb/4) units, writes ceil(item_kb) units; provisioned "
            "capacity is a token bucket with 300 s of burst (full at the start); on-demand tables "
            "are capped at 40,000 read and 40,000 write units/s (the default table quota; the "
            "2x-previous-peak warm-up is not modelled); throttled calls are retried by the SDK's "
            "standard mode (3 attempts, backoff random(0,1) x 2^(n-1) s) and table latency "
            "includes the retries.",
            "DynamoDB streams: one shard per 1,000 provisioned WCU (4 for on-demand tables); "
            "records hash to shards uniformly.",
        ]
