"""DynamoDB capacity: every limit that may refuse a table's read or write, as token buckets
in request units, and provisioned auto scaling.

Rules (DynamoDB Developer Guide; the pages are in model.quotas.LIMITS):
- Provisioned: `read_capacity` / `write_capacity` units per second with 300 s of unused
  capacity kept as burst (burst-adaptive-capacity.html): a bucket of 300 x capacity, full
  at the start. With `auto_scaling`, Application Auto Scaling's target tracking
  (AutoScaling.html; knowledge-center/dynamodb-auto-scaling): each minute the consumed
  units are compared with `target_utilization` x capacity; after 2 consecutive minutes
  above it the capacity becomes consumed / target (at most `max_*_capacity`), after 15
  consecutive minutes 20 points or more below it, consumed / target (at least the
  configured `read_capacity` / `write_capacity`, the minimum).
- On-demand (on-demand-capacity-mode.html): a new table serves up to 4,000 writes or 12,000
  reads per second, or a linear mix of both (`warm_write_units`, `warm_read_units`: AWS's
  warm throughput); it instantly serves up to twice its previous peak, while traffic that
  more than doubles the peak within 30 minutes may be throttled. Modelled as one bucket in
  write units (a read unit costs warm_write / warm_read of one) holding 1 s, whose rate
  becomes twice the highest one-minute average consumption 30 minutes after that peak was
  reached, up to the per-table quota. The per-table quotas (`dynamodb_table_max_rru` /
  `_wru`, 40,000) cap reads and writes apart.
- Consumption (for peaks and auto scaling) is read once a minute from the table's billing
  counters, as CloudWatch reports it: the call path only adds a time comparison.
- A partition serves at most 3,000 RCU or 1,000 WCU, or a linear mix
  (bp-partition-key-design.html). With uniform keys adaptive capacity spreads any load the
  table may take, so only a hot key can hit it: a share `hot_key_share` of the calls go to
  one item, whose partition is a bucket of 1,000 write units (a read unit a third of one)
  holding 1 s. A call's retries go to the same item.

Each check names the limit it enforces (simulation.limits), so the table reports which
one refused an attempt.
"""

from __future__ import annotations

import math
from collections import deque

from .base import TokenBucket

BURST_SECONDS = 300.0
WARM_UP_S = 30 * 60.0  # "exceeding double your previous peak within 30 minutes" may throttle
PEAK_WINDOW_S = 60.0  # the peak is the highest one-minute average (CloudWatch's datapoints)
PARTITION_WCU = 1000.0
PARTITION_RCU = 3000.0
SCALING_PERIOD_S = 60.0  # CloudWatch's one-minute datapoints
SCALE_OUT_PERIODS = 2  # consecutive minutes above the target before scaling out
SCALE_IN_PERIODS = 15  # consecutive minutes ...
SCALE_IN_MARGIN = 0.20  # ... 20 points or more below the target before scaling in


def resize(bucket: TokenBucket, now: float, rate: float, burst_s: float) -> None:
    """A new capacity from now on (the tokens so far are kept, up to the new size)."""
    bucket.take(now, 0.0)  # bring the tokens up to date at the old rate
    bucket.rate, bucket.size = rate, rate * burst_s
    bucket.tokens = min(bucket.tokens, bucket.size)


class ConsumedUnits:
    """What a table consumed between two looks, read from its billing counters (as
    CloudWatch's ConsumedRead/WriteCapacityUnits are): no work on the hot path."""

    def __init__(self, table, weights: dict[str, float]) -> None:
        self.usage = table.usage
        self.weights = {op + "_units": weight for op, weight in weights.items()}
        self.last = 0.0

    def since_last_look(self) -> float:
        total = sum(self.usage[counter] * weight for counter, weight in self.weights.items())
        used, self.last = total - self.last, total
        return used

    def restart(self) -> None:
        """The usage counters were reset (end of warm-up)."""
        self.last = 0.0


class WarmThroughput(TokenBucket):
    """On-demand: what the table serves at once (a token bucket in write units holding 1 s),
    growing to twice its previous peak 30 minutes after the peak. The peak is the highest
    average consumption over a minute (CloudWatch's granularity): the table calls `look()`
    with its first successful call of each new minute, so looking adds no event to the
    run, and stops once the ceiling is reached."""

    __slots__ = ("consumed", "ceiling", "best", "peaks", "at_ceiling", "last_look")

    def __init__(self, table, write_units: float, ceiling: float, read_cost: float) -> None:
        super().__init__(write_units, write_units)
        self.consumed = ConsumedUnits(table, {"write": 1.0, "read": read_cost})
        self.ceiling = ceiling
        self.at_ceiling = None  # (the write Check, the table quota's recorder): set by TableCapacity
        self.best = 0.0
        self.peaks: deque = deque()  # (time reached, peak) still within their 30 minutes
        self.last_look = 0.0

    def first_look(self) -> float:
        return PEAK_WINDOW_S if self.rate < self.ceiling else math.inf

    def look(self, now: float) -> float:
        """Note the average consumption since the last look as a peak, grow to twice the
        peaks 30 minutes old; return when to look next."""
        # what the table could sustain: a full bucket lets one window take a little more
        peak = min(self.consumed.since_last_look() / (now - self.last_look), self.rate)
        self.last_look = now
        if peak > self.best:
            self.best = peak
            self.peaks.append((now, peak))
        while self.peaks and self.peaks[0][0] + WARM_UP_S <= now:
            _, old_peak = self.peaks.popleft()
            grown = min(self.ceiling, 2.0 * old_peak)
            if grown > self.rate:
                resize(self, now, grown, 1.0)
                if grown >= self.ceiling and self.at_ceiling is not None:
                    write_check, quota_refused = self.at_ceiling
                    write_check.refused = quota_refused
        return now + PEAK_WINDOW_S if self.rate < self.ceiling else math.inf


class Check:
    """One limit on one operation: the bucket, what the operation takes from it, and the
    recorder of the limit it enforces."""

    __slots__ = ("bucket", "amount", "refused")

    def __init__(self, bucket: TokenBucket, amount: float, refused) -> None:
        self.bucket, self.amount, self.refused = bucket, amount, refused


class TableCapacity:
    """The checks of a table's reads and writes, hot-key calls apart."""

    def __init__(self, table, config: dict, units: dict[str, int], account_setting) -> None:
        self.table = table
        self.checks: dict[str, tuple[Check, ...]] = {}
        self.hot_checks: dict[str, tuple[Check, ...]] = {}
        self.scaling: AutoScaling | None = None
        self.warm: WarmThroughput | None = None
        self.provisioned: tuple[float, float] | None = None  # (RCU, WCU) as configured
        if config["billing_mode"] == "provisioned":
            table_checks = self._provisioned(config, units)
        else:
            table_checks = self._on_demand(config, units, account_setting)
        partition = TokenBucket(PARTITION_WCU, PARTITION_WCU)
        hot_refused = table.limit("dynamodb_partition_throughput")
        for op in ("read", "write"):
            self.checks[op] = table_checks[op]
            write_units = units[op] * (PARTITION_WCU / PARTITION_RCU if op == "read" else 1.0)
            self.hot_checks[op] = (Check(partition, write_units, hot_refused),) + table_checks[op]

    def _provisioned(self, config: dict, units: dict[str, int]) -> dict[str, tuple[Check, ...]]:
        checks, buckets = {}, {}
        for op, field, limit in (("read", "read_capacity", "dynamodb_provisioned_rcu"),
                                 ("write", "write_capacity", "dynamodb_provisioned_wcu")):
            capacity = float(config[field])
            buckets[op] = TokenBucket(capacity, capacity * BURST_SECONDS)
            checks[op] = (Check(buckets[op], units[op], self.table.limit(limit)),)
        self.provisioned = (float(config["read_capacity"]), float(config["write_capacity"]))
        if config["auto_scaling"]:
            self.scaling = AutoScaling(self.table, config, buckets)
        return checks

    def _on_demand(self, config: dict, units: dict[str, int], account_setting) -> dict[str, tuple[Check, ...]]:
        max_reads = float(account_setting("dynamodb_table_max_rru"))
        max_writes = float(account_setting("dynamodb_table_max_wru"))
        warm_writes, warm_reads = float(config["warm_write_units"]), float(config["warm_read_units"])
        read_cost = warm_writes / warm_reads  # one read unit in write units
        warm = self.warm = WarmThroughput(self.table, min(warm_writes, max_writes), max_writes, read_cost)
        reads_quota = TokenBucket(max_reads, max_reads)
        warm_refused = self.table.limit("dynamodb_on_demand_throughput")
        write_check = Check(warm, units["write"], warm_refused)
        # No separate bucket for the write quota: the warm bucket never holds or refills more
        # than it (rate and size <= max_writes), so it would never refuse; once the warm
        # throughput has grown to it, the warm bucket's refusals are the quota's.
        warm.at_ceiling = (write_check, self.table.limit("dynamodb_table_max_wru"))
        if warm.rate >= max_writes:
            write_check.refused = warm.at_ceiling[1]
        return {"read": (Check(reads_quota, units["read"], self.table.limit("dynamodb_table_max_rru")),
                         Check(warm, units["read"] * read_cost, warm_refused)),
                "write": (write_check,)}

    def first_look(self) -> float:
        """When the table should first call `look()` (never: math.inf)."""
        return self.warm.first_look() if self.warm is not None else math.inf

    def look(self, now: float) -> float:
        """The on-demand warm throughput's look at the table's consumption; when to look next."""
        return self.warm.look(now)

    def restart(self, now: float) -> None:
        """End of warm-up: the usage counters start again (the capacity stays as it is)."""
        if self.scaling is not None:
            self.scaling.restart(now)
        if self.warm is not None:
            self.warm.consumed.restart()

    def capacity_hours(self, end: float, measured_s: float) -> tuple[float, float]:
        """Provisioned (read, write) capacity-hours over the measured window: what AWS bills."""
        if self.scaling is not None:
            self.scaling.account(end)
            return self.scaling.capacity_s["read"] / 3600.0, self.scaling.capacity_s["write"] / 3600.0
        if self.provisioned is None:
            return 0.0, 0.0
        return tuple(capacity * measured_s / 3600.0 for capacity in self.provisioned)


def admit_all(table, checks: tuple[Check, ...], now: float, _units: float = 0.0) -> bool:
    """Take from every check of an operation, or from none: the first to refuse names its
    limit in `table.refused`, and what earlier checks took is given back. (`_units`: the
    signature of a bucket's take; each check knows its own amount.)"""
    for index, check in enumerate(checks):
        if not check.bucket.take(now, check.amount):
            for earlier in checks[:index]:
                earlier.bucket.give_back(earlier.amount)
            table.refused = check.refused
            return False
    return True


class AutoScaling:
    """Target tracking on a provisioned table's reads and writes, minute by minute."""

    def __init__(self, table, config: dict, buckets: dict[str, TokenBucket]) -> None:
        self.table, self.buckets = table, buckets
        self.consumed = {op: ConsumedUnits(table, {op: 1.0}) for op in buckets}
        self.target = float(config["target_utilization"])
        self.bounds = {"read": (float(config["read_capacity"]), float(config["max_read_capacity"])),
                       "write": (float(config["write_capacity"]), float(config["max_write_capacity"]))}
        self.high = dict.fromkeys(buckets, 0)  # consecutive minutes above the target
        self.low = dict.fromkeys(buckets, 0)  # consecutive minutes well below it
        self.capacity_s = dict.fromkeys(buckets, 0.0)  # capacity x seconds, for billing
        self.since = 0.0
        table.sim.after(SCALING_PERIOD_S, self.tick)

    def tick(self, _event) -> None:
        now = self.table.env.now
        for op, bucket in self.buckets.items():
            consumed = self.consumed[op].since_last_look() / SCALING_PERIOD_S
            utilisation = consumed / bucket.rate
            self.high[op] = self.high[op] + 1 if utilisation > self.target else 0
            self.low[op] = self.low[op] + 1 if utilisation < self.target - SCALE_IN_MARGIN else 0
            if self.high[op] >= SCALE_OUT_PERIODS or self.low[op] >= SCALE_IN_PERIODS:
                low, high = self.bounds[op]
                self.account(now)
                resize(bucket, now, min(high, max(low, math.ceil(consumed / self.target))), BURST_SECONDS)
                self.high[op] = self.low[op] = 0
        self.table.sim.after(SCALING_PERIOD_S, self.tick)

    def restart(self, now: float) -> None:
        self.capacity_s = dict.fromkeys(self.buckets, 0.0)
        self.since = now
        for consumed in self.consumed.values():
            consumed.restart()

    def account(self, now: float) -> None:
        """Add capacity x time up to now (capacity changes only at ticks)."""
        for op, bucket in self.buckets.items():
            self.capacity_s[op] += bucket.rate * (now - self.since)
        self.since = now
