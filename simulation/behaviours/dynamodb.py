"""DynamoDB tables: capacity as token buckets in request units, SDK retries, streams.

Rules (DynamoDB Developer Guide):
- A strongly consistent read of an item costs ceil(item_kb / 4) read units, an eventually
  consistent one (the default; `consistency: strong` on the edge asks otherwise) half
  that; a write ceil(item_kb / 1) write units (read-write-capacity-mode.html). Capacity
  and on-demand request units are consumed, and billed, alike.
- Capacity (provisioned with optional auto scaling, on-demand warm throughput and table
  quotas, the hot key's partition) is in dynamodb_capacity.py: the table asks it to admit
  each attempt, and it names the limit that refused one.
- A throttled call (ProvisionedThroughputExceededException) is retried by the SDK's
  standard retry mode (3 attempts, random(0, 1) x 2^(n-1) s backoff), see base.SdkCall;
  a call to the hot key (`hot_key_share`) is retried on the same key.
- Streams: every successful write appends a record to the table's stream; shards: one per
  1,000 provisioned WCU (a partition's write limit), 4 for on-demand tables.
"""

from __future__ import annotations

import math
from functools import partial

from .base import ACTION_OPS, SdkCall, SdkService, sampler
from .dynamodb_capacity import Check, TableCapacity, admit_all
from .streams import DYNAMODB_STREAM_RETENTION_S, StreamFeed

ON_DEMAND_STREAM_SHARDS = 4
EVENTUAL_READ_SHARE = 0.5  # an eventually consistent read costs half a strongly consistent one
WCU_PER_STREAM_SHARD = 1000


class TableOp:
    """A read or a write on one table, worked out once: the capacity checks it passes
    (dynamodb_capacity) and its cost."""

    __slots__ = ("name", "checks", "take", "single", "units", "counter")

    def __init__(self, table: "Table", name: str, checks: tuple, units: float) -> None:
        self.name, self.checks, self.units, self.counter = name, checks, units, name + "_units"
        # take(now, units): the only bucket's own take in the common case (one bucket taking
        # the operation's units: as cheap as before quotas), else every check in turn
        self.single = checks[0] if len(checks) == 1 and checks[0].amount == units else None
        self.take = self.single.bucket.take if self.single else partial(admit_all, table, checks)


class Table(SdkService):
    tracks_calls = True  # concurrency = SDK calls in flight

    def setup(self) -> None:
        c = self.config
        self.latency_s = sampler(c["latency_ms"], self.rng, 0.001)
        kb = float(c["item_kb"])
        self.units = {"read": math.ceil(kb / 4 - 1e-9) or 1, "write": math.ceil(kb - 1e-9) or 1}
        if c["billing_mode"] == "provisioned":
            shards = math.ceil(float(c["write_capacity"]) / WCU_PER_STREAM_SHARD)
        else:
            shards = ON_DEMAND_STREAM_SHARDS
        self.has_stream = c["stream"] != "none"
        self.feed = StreamFeed(self, max(1, shards), "stream_read_requests", per_batch=True,
                               retention_s=DYNAMODB_STREAM_RETENTION_S)
        self.hot_share = float(c["hot_key_share"])
        self.capacity: TableCapacity | None = None  # share_account: it reads the account's quotas
        self.next_look = math.inf  # when capacity.look() wants to see the consumption next
        self.refused = self.limit("dynamodb_on_demand_throughput")  # admit() names the real one

    @classmethod
    def share_account(cls, tables, account_setting) -> None:
        """Each table's capacity checks (the on-demand ones read the per-table quotas)."""
        for table in tables:
            table.capacity = TableCapacity(table, table.config, table.units, account_setting)
            table.next_look = table.capacity.first_look()
            # [strongly consistent?][action] -> its operations
            table.action_ops = tuple(table.ops_for(table.capacity.checks, strong) for strong in (False, True))
            table.hot_action_ops = tuple(table.ops_for(table.capacity.hot_checks, strong)
                                         for strong in (False, True))
            if table.hot_share:
                table.call = table.call_with_hot_key  # only such tables draw per call

    def ops_for(self, checks: dict, strong: bool) -> dict:
        read_share = 1.0 if strong else EVENTUAL_READ_SHARE
        read_checks = tuple(Check(c.bucket, c.amount * read_share, c.refused) for c in checks["read"])
        ops = {"read": TableOp(self, "read", read_checks, self.units["read"] * read_share),
               "write": TableOp(self, "write", checks["write"], self.units["write"])}
        return {action: tuple(ops[op] for op in names) for action, names in ACTION_OPS.items()}

    def wired(self) -> None:
        self.feed.connect_readers(self.edges("event_source"))

    def call(self, ctx, done, edge) -> None:
        SdkCall(self, ctx, done, self.action_ops[edge.strong][edge.action]).try_once()

    def call_with_hot_key(self, ctx, done, edge) -> None:
        """`call` of a table with a hot key: a share of the calls (and their retries) go to it."""
        ops = self.hot_action_ops if self.rng.random() < self.hot_share else self.action_ops
        SdkCall(self, ctx, done, ops[edge.strong][edge.action]).try_once()

    def admit(self, op: TableOp, now: float) -> bool:
        if op.take(now, op.units):
            return True
        if op.single is not None:  # (admit_all names the check that refused itself)
            self.refused = op.single.refused
        return False

    def succeeded(self, op: TableOp, ctx, now: float, epoch: int) -> None:
        self.usage[op.counter] += op.units
        if now >= self.next_look:  # on-demand: the first success of a minute, for the peaks
            self.next_look = self.capacity.look(now)
        if self.has_stream and op.name == "write":
            self.feed.add(ctx, now, epoch)

    def finish(self, now: float) -> None:
        self.feed.finish(now)
        super().finish(now)

    def restart(self, now: float) -> None:
        super().restart(now)
        self.capacity.restart(now)

    def close_usage(self, measured_s: float) -> None:
        """Provisioned capacity over the window, for billing auto-scaled tables."""
        hours = self.capacity.capacity_hours(self.sim.duration_s, measured_s)
        self.usage["read_capacity_hours"], self.usage["write_capacity_hours"] = hours

    def assumptions(self) -> list[str]:
        return [
            "DynamoDB: strongly consistent reads cost ceil(item_kb/4) units, eventually consistent "
            "ones (the default; consistency: strong on the edge) half that, writes ceil(item_kb) "
            "units, in capacity and on the bill alike; throttled calls "
            "are retried by the SDK's standard mode (3 attempts, backoff random(0,1) x 2^(n-1) s) "
            "and table latency includes the retries.",
            "DynamoDB capacity: provisioned capacity is a token bucket with 300 s of burst (full at "
            "the start); with auto_scaling, each minute consumed units are compared with "
            "target_utilization x capacity, and 2 minutes above it (15 minutes 20 points below it) "
            "set the capacity to consumed / target within [read/write_capacity, max_*_capacity]. "
            "On-demand tables serve warm_write_units writes or warm_read_units reads per second "
            "(a linear mix; a new table: 4,000 / 12,000), growing to twice the highest one-minute "
            "average consumption 30 minutes after it, within the per-table quotas "
            "(dynamodb_table_max_rru / _wru, 40,000). A share hot_key_share of the calls go to one "
            "item whose partition serves 1,000 WCU or 3,000 RCU (a linear mix); other keys are "
            "taken as spread evenly (adaptive capacity).",
            "DynamoDB streams: one shard per 1,000 provisioned WCU (4 for on-demand tables); "
            "records hash to shards uniformly.",
        ]
