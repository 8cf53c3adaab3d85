"""Kinesis Data Streams and DynamoDB Streams: shards, per-shard readers, iterator age.

Rules (Kinesis Developer Guide, Lambda with Kinesis / DynamoDB Streams):
- A shard takes at most 1 MB/s or 1,000 records/s in (service-sizes-and-limits.html);
  a PutRecord beyond it fails with ProvisionedThroughputExceededException and the SDK
  retries it (standard retry mode, base.SdkCall). Buckets hold one second of capacity.
- Records hash to shards uniformly (random partition keys).
- On-demand streams: modelled as 4 shards (4 MB/s, 4,000 records/s: the default write
  capacity of a new on-demand stream); their automatic growth is not modelled.
- The event source mapping polls each shard once per second when idle and at once after
  a batch while records wait; it reads up to `batch_size` records, waits up to
  `batch_window_s` to fill a batch, and keeps at most `parallelization_factor` batches
  per shard in flight (ordering within a partition key is not tracked).
- A failing batch blocks its slot (kinesis-on-failure-destination.html): a function error
  is retried 1 s later, up to `max_retry_attempts` times (default -1: no limit); a
  throttle is retried 1 s later without counting. Either way the batch is given up once
  its oldest record would be `max_record_age_s` old at the next try (default -1: until the
  stream's retention ends, 24 h for DynamoDB streams), so by default a bad batch blocks its
  shard until its records expire. With `bisect_on_error` a failing batch of more than one
  record is split in two and the halves are tried in order at once, which uses no retry.
  Records already too old when read are discarded unread.
- A discarded batch goes to the function's `on_failure` edges (one message per batch, as
  the mapping's on-failure destination sends one record of the batch's metadata), and
  each of its records' writes turns from completed into an error at the stream (or table).
- Iterator age = time now minus the arrival of the oldest record read, observed at each
  read and at the end of the run for records still unread.
"""

from __future__ import annotations

from collections import deque

from .base import OK, THROTTLED, Behaviour, SdkCall, SdkService, TokenBucket, chunks, sampler

POLL_INTERVAL_S = 1.0
RETRY_DELAY_S = 1.0
DYNAMODB_STREAM_RETENTION_S = 24 * 3600.0
SHARD_RECORDS_PER_S = 1000.0
SHARD_KB_PER_S = 1024.0
ON_DEMAND_SHARDS = 4


class Shard:
    __slots__ = ("records", "inflight", "poll_pending", "last_poll")

    def __init__(self) -> None:
        self.records: deque = deque()  # (arrival time, ctx, epoch of the write: -1 = not recorded)
        self.inflight = 0
        self.poll_pending = False
        self.last_poll = -POLL_INTERVAL_S


class StreamBatch:
    """The batch a shard slot works on: `batch` is the records being tried now; after a
    bisection, `halves` holds the parts still to try (the next one last)."""

    __slots__ = ("reader", "shard", "batch", "tries", "halves")

    def __init__(self, reader: "StreamReader", shard: Shard, batch: list) -> None:
        self.reader, self.shard, self.batch = reader, shard, batch
        self.tries = 0
        self.halves: list[list] = []

    def invoke(self, _event=None) -> None:
        reader = self.reader
        reader.fn.invoke(self.batch[0][1], self.result, len(self.batch) * reader.per_record_ms)

    def result(self, status: int, t_end: float) -> None:
        self.reader.batch_result(self, status)


class StreamReader:
    """One event source mapping reading every shard of a stream."""

    def __init__(self, feed: "StreamFeed", edge, index: int) -> None:
        cfg = edge.config
        self.feed, self.fn, self.primary = feed, edge.target, index == 0
        self.batch_size = int(cfg.get("batch_size", 100))
        self.parallel = int(cfg.get("parallelization_factor", 1))
        self.window = float(cfg.get("batch_window_s", 0))
        self.max_retries = int(cfg.get("max_retry_attempts", -1))
        max_age = float(cfg.get("max_record_age_s", -1))
        self.max_age_s = feed.retention_s if max_age < 0 else min(max_age, feed.retention_s)
        self.bisect = bool(cfg.get("bisect_on_error", False))
        self.per_record_ms = self.fn.record_ms(cfg)  # handler time a record adds to a batch
        self.shards = [Shard() for _ in range(feed.shards)]

    def add(self, shard_index: int, now: float, ctx, epoch: int) -> None:
        shard = self.shards[shard_index]
        shard.records.append((now, ctx, epoch))
        if self.primary:
            self.feed.owner.stats.backlog.up(now)
        if not shard.poll_pending and shard.inflight < self.parallel:
            self._schedule_poll(shard, now)

    def _schedule_poll(self, shard: Shard, now: float) -> None:
        delay = shard.last_poll + POLL_INTERVAL_S - now
        if self.window and len(shard.records) < self.batch_size:
            delay = max(delay, shard.records[0][0] + self.window - now)
        shard.poll_pending = True
        self.feed.owner.sim.after(max(0.0, delay), lambda _e, s=shard: self.poll(s))

    def poll(self, shard: Shard) -> None:
        owner = self.feed.owner
        now = owner.env.now
        shard.poll_pending = False
        shard.last_poll = now
        while shard.records and shard.inflight < self.parallel:
            if now - shard.records[0][0] >= self.max_age_s:
                self._drop_expired(shard, now)
                continue
            if not self.fn.has_capacity():
                shard.poll_pending = True
                self.fn.pool.wait(lambda s=shard: self._woken(s))
                return
            take = min(self.batch_size, len(shard.records))
            batch = [shard.records.popleft() for _ in range(take)]
            self._observe(batch, now)
            shard.inflight += 1
            StreamBatch(self, shard, batch).invoke()

    def _woken(self, shard: Shard) -> None:
        shard.poll_pending = False
        self.poll(shard)

    def _observe(self, batch: list, now: float, slot: bool = True) -> None:
        """Records read (`slot`: into a batch that takes a slot of the shard)."""
        owner = self.feed.owner
        self.feed.count_read(len(batch))
        if not self.primary:
            return
        stats = owner.stats
        stats.backlog.move(now, -len(batch))
        if slot and not owner.tracks_calls:  # a table's concurrency counts its SDK calls instead
            stats.concurrency.up(now)
        age = (now - batch[0][0]) * 1000.0
        if age > stats.max_iterator_age_ms:
            stats.max_iterator_age_ms = age
        if not owner.record_call_latency:  # a stream: latency = wait before the read
            epoch = owner.sim.epoch
            for t, _, stamp in batch:
                if stamp == epoch:
                    stats.latency.add((now - t) * 1000.0)

    def _drop_expired(self, shard: Shard, now: float) -> None:
        """Records too old to send when read: discarded unread, a batch at a time."""
        records = shard.records
        expired = []
        while records and len(expired) < self.batch_size and now - records[0][0] >= self.max_age_s:
            expired.append(records.popleft())
        self._observe(expired, now, slot=False)
        self._discard(expired, now)

    def batch_result(self, sb: StreamBatch, status: int) -> None:
        now = self.feed.owner.env.now
        if status == OK:
            self._next_part(sb, now)
            return
        if status != THROTTLED:  # a function error (a throttle never reached the handler)
            if self.bisect and len(sb.batch) > 1:
                half = len(sb.batch) // 2
                sb.halves.append(sb.batch[half:])
                sb.batch, sb.tries = sb.batch[:half], 0
                sb.invoke()  # splitting uses no retry
                return
            sb.tries += 1
        # a THROTTLED batch was recorded as lambda_concurrency by the function; it retries without counting
        may_retry = status == THROTTLED or self.max_retries < 0 or sb.tries <= self.max_retries
        if may_retry and now + RETRY_DELAY_S - sb.batch[0][0] < self.max_age_s:
            self.feed.owner.sim.after(RETRY_DELAY_S, sb.invoke)
            return
        self._discard(sb.batch, now)
        self._next_part(sb, now)

    def _next_part(self, sb: StreamBatch, now: float) -> None:
        """The records being tried are done with: the next half, or the slot is free."""
        if sb.halves:
            sb.batch, sb.tries = sb.halves.pop(), 0
            sb.invoke()
            return
        owner = self.feed.owner
        if self.primary and not owner.tracks_calls:
            owner.stats.concurrency.down(now)
        sb.shard.inflight -= 1
        if sb.shard.records and not sb.shard.poll_pending:
            self.poll(sb.shard)

    def _discard(self, batch: list, now: float) -> None:
        """Give up on these records: their writes become errors (primary reader), and the
        function's on-failure destinations get one message for the batch."""
        if self.primary:
            self._skipped(batch, now)
        for edge in self.fn.failure_edges:
            edge.target.call(batch[0][1], None, edge)

    def _skipped(self, batch: list, now: float) -> None:
        """Records the reader gave up on: each one's write (put / table write) turns from
        completed into an error at the owner, so every request keeps one outcome."""
        owner = self.feed.owner
        epoch = owner.sim.epoch
        lost = sum(1 for _, _, stamp in batch if stamp == epoch)
        owner.stats.completed -= lost
        owner.stats.errors += lost
        owner.stats.ts_errors.add_many(now, len(batch))

    def oldest_unread(self) -> float | None:
        heads = [s.records[0][0] for s in self.shards if s.records]
        return min(heads) if heads else None


class StreamFeed:
    """The shards of one stream and the readers (event source mappings) on it."""

    def __init__(self, owner: Behaviour, shards: int, read_counter: str, per_batch: bool,
                 retention_s: float) -> None:
        self.owner, self.shards, self.retention_s = owner, shards, retention_s
        self.read_counter, self.per_batch = read_counter, per_batch
        self.readers: list[StreamReader] = []

    def connect_readers(self, edges) -> None:
        self.readers = [StreamReader(self, e, i) for i, e in enumerate(edges)]
        if self.readers:
            self.owner.stats.has_backlog = True
            self.owner.stats.max_iterator_age_ms = 0.0

    def add(self, ctx, now: float, epoch: int, shard_index: int | None = None) -> None:
        if not self.readers:
            return
        if shard_index is None:
            shard_index = self.owner.rng.randrange(self.shards)
        for reader in self.readers:
            reader.add(shard_index, now, ctx, epoch)

    def count_read(self, records: int) -> None:
        self.owner.count(self.read_counter, 1 if self.per_batch else records)

    def finish(self, now: float) -> None:
        stats = self.owner.stats
        if not self.readers:
            return
        oldest = self.readers[0].oldest_unread()
        if oldest is not None:
            stats.max_iterator_age_ms = max(stats.max_iterator_age_ms, (now - oldest) * 1000.0)


class KinesisStream(SdkService):
    record_call_latency = False  # latency at a stream = wait before a reader got the record

    def setup(self) -> None:
        c = self.config
        self.shard_count = ON_DEMAND_SHARDS if c["capacity_mode"] == "on_demand" else int(c["shards"])
        self.record_kb = float(c["record_kb"])
        self.latency_s = sampler(c["latency_ms"], self.rng, 0.001)
        self.record_buckets = [TokenBucket(SHARD_RECORDS_PER_S, SHARD_RECORDS_PER_S) for _ in range(self.shard_count)]
        self.kb_buckets = [TokenBucket(SHARD_KB_PER_S, SHARD_KB_PER_S) for _ in range(self.shard_count)]
        self.feed = StreamFeed(self, self.shard_count, "records_read", per_batch=False,
                               retention_s=float(c["retention_hours"]) * 3600.0)
        self.payload_units = chunks(self.record_kb, 25.0)
        self.pending_shard = 0

    def wired(self) -> None:
        self.feed.connect_readers(self.edges("event_source"))
        self.stats.has_backlog = True
        self.stats.max_iterator_age_ms = 0.0

    def call(self, ctx, done, edge) -> None:
        SdkCall(self, ctx, done, ("put",)).try_once()

    def admit(self, op: str, now: float) -> bool:
        shard = self.rng.randrange(self.shard_count)
        records, kb = self.record_buckets[shard], self.kb_buckets[shard]
        if records.take(now, 1.0):
            if kb.take(now, self.record_kb):
                self.pending_shard = shard
                return True
            records.tokens += 1.0  # give the record slot back: the put was refused
        return False

    def succeeded(self, op: str, ctx, now: float, epoch: int) -> None:
        self.usage["put_payload_units"] += self.payload_units
        self.feed.add(ctx, now, epoch)

    def finish(self, now: float) -> None:
        self.feed.finish(now)
        super().finish(now)

    def close_usage(self, measured_s: float) -> None:
        self.usage["shard_hours"] = self.shard_count * measured_s / 3600.0

    def assumptions(self) -> list[str]:
        return [
            "Kinesis: per shard 1,000 records/s and 1 MB/s in (one second of burst); a refused "
            "PutRecord is retried by the SDK (standard mode, 3 attempts); records hash to shards "
            "uniformly; on-demand streams are modelled as 4 shards (their default write capacity, "
            "4 MB/s), without automatic growth.",
            "Stream event source mappings: each shard polled once per second when idle and at "
            "once after a batch while records wait; up to parallelization_factor batches per "
            "shard in flight; a failing batch blocks its slot: retried 1 s after each failure "
            "(throttles without counting) up to max_retry_attempts times (default -1: no "
            "limit) and while its oldest record stays younger than max_record_age_s (default: "
            "the stream's retention), so by default a bad batch blocks its shard until its "
            "records expire; bisect_on_error splits a failing batch in two (no retry used); a "
            "discarded batch's records' writes become errors and the function's on_failure "
            "edges get one message per batch; latency at a stream = time a record waited "
            "before it was read; iterator age observed at each read and at the end.",
        ]
