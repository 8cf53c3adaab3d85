"""SQS queues and the Lambda event source mapping that polls them.

Rules (SQS Developer Guide; Lambda with SQS, with-sqs.html / services-sqs-scaling.html):
- A queue is unbounded. SendMessage takes `latency_ms`; the message is visible at once.
- The poller starts with 5 concurrent batches and, for as long as messages wait with every
  poller busy, adds 300 per minute (5 per second, continuously: a new whole poller every
  0.2 s, whether or not anything else happens meanwhile), up to 1,000 concurrent batches
  (services-sqs-scaling.html) and the edge's `max_concurrency`. It never scales down within
  a run (simplification).
- The mapping does not look at the function's concurrency (knowledge-center
  lambda-sqs-scaling: "event source mappings don't account for reserved concurrency"):
  a batch the function throttles stays with its poller, which retries it after 1 s, 2 s,
  4 s, ... while its visibility timeout lasts, then lets it go; its messages reappear with
  that receive counted (services-sqs-errorhandling.html), so they may reach the dead-letter
  queue. While any batch is being throttled the mapping does not add pollers (Lambda backs
  off). The edge's `max_concurrency` at or below the function's concurrency avoids it.
- A batch holds up to `batch_size` visible messages; with `batch_window_s` the poller waits
  up to that long after the oldest message for a fuller batch.
- Receiving makes messages invisible for `visibility_timeout_s`. A successful invocation
  deletes them; a failed or throttled one leaves them to reappear when the visibility
  timeout (counted from the receive) ends. A message received `max_receive_count` times
  moves to the dead-letter edge's queue instead (sqs-dead-letter-queues.html); with no
  dead-letter queue it is retried until the run ends (retention is not modelled).
- FIFO queues keep each message group in order with at most one batch of it in flight: a
  group with a message received and not yet deleted (or back after its visibility
  timeout, or dead-lettered) hands out nothing else. A batch takes as many messages of the
  first ready group as it can, then of the next groups. Each message joins one of the
  queue's `message_groups` at random, except from senders that always write one fixed
  group id (EventBridge rule targets: catalogue.FIXED_MESSAGE_GROUP_KINDS), as exported.
  Deduplication and FIFO throughput quotas are not modelled.
- Billing usage: 64 KB chunks of every send, one receive per batch (its payload in 64 KB
  chunks) and one delete per successful batch; the empty receives of long polling are not
  counted.
- Latency at a queue = time a message waited (visible) before a consumer received it.
- Backlog = messages waiting once the pollers have taken what they can at that instant: a
  message received the moment it is sent never enters it (its time integral would be zero
  anyway), so max_backlog is the largest number of messages that really waited.
"""

from __future__ import annotations

import math
from collections import deque

from model.catalogue import FIXED_MESSAGE_GROUP_KINDS

from .base import OK, THROTTLED, Behaviour, Reply, chunks, sampler

# A batch the function throttles is retried after 1 s, then 2 s, 4 s, ... until its
# visibility timeout ends (AWS documents the backoff, not its steps: an assumption).
THROTTLE_RETRY_FIRST_S = 1.0
INITIAL_POLLERS = 5.0
POLLERS_ADDED_PER_S = 300.0 / 60.0
MAX_POLLERS = 1000


class Message:
    __slots__ = ("visible_since", "receives", "ctx", "epoch")
    group = 0  # its message group (FIFO queues): the only one, unless a GroupedMessage

    def __init__(self, now: float, ctx, epoch: int) -> None:
        self.visible_since = now
        self.receives = 0
        self.ctx = ctx
        self.epoch = epoch  # Sim.epoch when it arrived at this queue


class GroupedMessage(Message):
    """A message of a FIFO queue with several message groups."""

    __slots__ = ("group",)

    def __init__(self, now: float, ctx, epoch: int, group: int) -> None:
        super().__init__(now, ctx, epoch)
        self.group = group


class FifoMessages:
    """A FIFO queue's waiting messages, by message group, with at most one batch of a group
    in flight: a group that has messages out (received, not yet deleted or back) is locked.
    Truthy when a message can be received now (the poller's `while messages`)."""

    __slots__ = ("groups", "ready", "locked")

    def __init__(self) -> None:
        self.groups: dict[int, deque[Message]] = {}  # group -> its waiting messages, in order
        self.ready: deque[int] = deque()  # unlocked groups with messages, in the order they became so
        self.locked: set[int] = set()

    def __bool__(self) -> bool:
        return bool(self.ready)

    def append(self, message: Message) -> None:
        group = message.group
        waiting = self.groups.get(group)
        if waiting is None:
            waiting = self.groups[group] = deque()
        if not waiting and group not in self.locked:
            self.ready.append(group)
        waiting.append(message)

    def take(self, size: int) -> list[Message]:
        """A batch of up to `size`: the first ready group's messages, then the next group's;
        every group in it is locked."""
        batch: list[Message] = []
        ready, groups = self.ready, self.groups
        while ready and len(batch) < size:
            group = ready.popleft()
            waiting = groups[group]
            while waiting and len(batch) < size:
                batch.append(waiting.popleft())
            if not waiting:
                del groups[group]
            self.locked.add(group)
        return batch

    def unlock(self, messages: list[Message]) -> None:
        """The batch holding these messages is over: their groups may go on."""
        for group in {m.group for m in messages}:
            self.locked.discard(group)
            if group in self.groups:
                self.ready.append(group)

    def put_back(self, messages: list[Message]) -> None:
        """Messages back after their visibility timeout: first in their groups again."""
        for message in reversed(messages):
            waiting = self.groups.get(message.group)
            if waiting is None:
                waiting = self.groups[message.group] = deque()
            waiting.appendleft(message)


class Batch:
    __slots__ = ("poller", "messages", "received", "backoff")

    def __init__(self, poller: "QueuePoller", messages: list, received: float) -> None:
        self.poller, self.messages, self.received = poller, messages, received
        self.backoff = 0.0  # the wait before its next retry once throttled (0: never was)

    def invoke(self, _event=None) -> None:
        poller = self.poller
        poller.fn.invoke(self.messages[0].ctx, self.result, len(self.messages) * poller.per_record_ms)

    def result(self, status: int, t_end: float) -> None:
        poller = self.poller
        if status == THROTTLED:
            poller.throttled(self)
            return
        poller.active -= 1
        poller.queue.batch_finished(self, status)
        poller.dispatch()

    def let_go(self, _event) -> None:
        """Throttled until its visibility timeout ended: the messages are back in the queue."""
        poller = self.poller
        poller.active -= 1
        poller.throttled_batches -= 1
        poller.queue.batch_finished(self, THROTTLED)
        poller.dispatch()


class QueuePoller:
    """The event source mapping of one SQS -> Lambda edge.

    `limit` is the number of pollers (concurrent batches), fractional while it grows: it
    grows at POLLERS_ADDED_PER_S over every interval in which messages waited with every
    poller busy (`starved`). That state only changes inside `dispatch` (messages arrive or
    reappear, a batch ends, the function frees room, a window ends, a poller is added), so
    `dispatch` accrues the growth of the interval that just ended and decides the next
    one; while starved, a timer wakes it when the next whole poller is due."""

    def __init__(self, queue: "Queue", edge) -> None:
        cfg = edge.config
        self.queue, self.fn = queue, edge.target
        self.batch_size = int(cfg.get("batch_size", 10))
        self.window = float(cfg.get("batch_window_s", 0))
        self.per_record_ms = self.fn.record_ms(cfg)  # handler time a record adds to a batch
        self.cap = min(int(cfg.get("max_concurrency") or MAX_POLLERS), MAX_POLLERS)
        self.limit = min(INITIAL_POLLERS, self.cap)
        self.since = 0.0  # when the current starved interval began
        self.starved = False  # since `since`, messages have waited with every poller busy
        self.growth_armed = False  # a timer will add the next whole poller
        self.active = 0
        self.throttled_batches = 0  # batches being retried after a throttle (no growth meanwhile)
        self.busy = False  # inside dispatch (a synchronous result must not re-enter)
        self.window_armed = False

    def dispatch(self) -> None:
        """Hand waiting messages to the function, a batch per free poller."""
        if self.busy:
            return
        queue = self.queue
        messages = queue.messages
        now = queue.env.now
        if self.starved:  # account for the pollers added since `since`
            # + 1e-9: a timer due at the next whole poller must find it whole, not 0.99999
            self.limit = min(self.cap, self.limit + (now - self.since) * POLLERS_ADDED_PER_S + 1e-9)
            self.starved = False
        if not messages:
            return
        self.busy = True
        while messages:
            if self.active >= int(self.limit):
                self._starve(now)
                break
            if self.window and self._should_wait(now):
                break
            if queue.fifo:
                batch = messages.take(self.batch_size)
            elif self.batch_size == 1:
                batch = [messages.popleft()]
            else:
                batch = [messages.popleft() for _ in range(min(self.batch_size, len(messages)))]
            self.active += 1
            queue.received(batch, now)
            per_record = self.per_record_ms
            self.fn.invoke(batch[0].ctx, Batch(self, batch, now).result,
                           len(batch) * per_record if per_record else 0.0)
        self.busy = False

    def throttled(self, batch: Batch) -> None:
        """The function refused the batch (its concurrency is full): the poller keeps it and
        retries with backoff while its visibility timeout lasts, then lets it go."""
        now = self.queue.env.now
        if not batch.backoff:  # its first refusal
            batch.backoff = THROTTLE_RETRY_FIRST_S
            self.throttled_batches += 1
        visible_again = batch.received + self.queue.visibility_s
        if now + batch.backoff < visible_again:
            self.queue.sim.after(batch.backoff, batch.invoke)
            batch.backoff *= 2
        else:
            self.queue.sim.after(max(0.0, visible_again - now), batch.let_go)

    def _starve(self, now: float) -> None:
        """Messages wait and every poller is busy: pollers are added from now on (not while
        the function throttles the mapping's batches: Lambda backs off then)."""
        if self.limit >= self.cap or self.throttled_batches:
            return
        self.starved, self.since = True, now
        if not self.growth_armed:
            self.growth_armed = True
            next_whole = (math.floor(self.limit) + 1 - self.limit) / POLLERS_ADDED_PER_S
            self.queue.sim.after(next_whole, self._poller_added)

    def _poller_added(self, _event) -> None:
        self.growth_armed = False
        self.dispatch()

    def _should_wait(self, now: float) -> bool:
        """Batching window: wait for a fuller batch until the oldest message is `window` old."""
        messages = self.queue.messages
        if not self.window or len(messages) >= self.batch_size:
            return False
        ready_at = messages[0].visible_since + self.window
        if now >= ready_at:
            return False
        if not self.window_armed:
            self.window_armed = True
            self.queue.sim.after(ready_at - now, self._window_over)
        return True

    def _window_over(self, _event) -> None:
        self.window_armed = False
        self.dispatch()


class Queue(Behaviour):
    counts_loops_for = True

    def setup(self) -> None:
        c = self.config
        self.latency_s = sampler(c["latency_ms"], self.rng, 0.001)
        self.visibility_s = float(c["visibility_timeout_s"])
        self.max_receives = int(c["max_receive_count"])
        self.kb = float(c["message_kb"])
        self.send_chunks = chunks(self.kb, 64.0)
        self.receive_chunks: dict[int, int] = {}  # batch size -> billed 64 KB chunks
        self.fifo = bool(c["fifo"])
        self.messages: deque[Message] | FifoMessages = FifoMessages() if self.fifo else deque()
        # message groups drawn per message (FIFO with more than one group)
        self.groups = int(c["message_groups"]) if self.fifo else 1
        self.pollers: list[QueuePoller] = []
        self.dead_letter = None
        self.arriving: Message | None = None  # the message being sent, while pollers look at it
        self.stats.has_backlog = True

    def wired(self) -> None:
        self.pollers = [QueuePoller(self, e) for e in self.edges("event_source")]
        dead = self.edges("dead_letter")
        self.dead_letter = dead[0] if dead else None

    def call(self, ctx, done, edge) -> None:
        """SendMessage (from producers, API Gateway, SNS, EventBridge, Step Functions)."""
        if self.in_cycle:
            ctx, go = self.enter_loop(ctx, done)
            if not go:
                return
        self.stats.requests += 1
        self.usage["requests"] += self.send_chunks
        if self.groups == 1 or edge.kind in FIXED_MESSAGE_GROUP_KINDS:
            self.enqueue(Message(self.env.now, ctx, self.sim.epoch))
        else:
            self.enqueue(GroupedMessage(self.env.now, ctx, self.sim.epoch, self.rng.randrange(self.groups)))
        if done is not None:
            self.sim.after(self.latency_s(), Reply(done, self.env).ok)

    def enqueue(self, message: Message) -> None:
        if not self.pollers:
            self.stats.backlog.up(self.env.now)
            return  # nobody reads: only the backlog count matters
        self.messages.append(message)
        self.arriving = message
        for poller in self.pollers:
            poller.dispatch()
        self.arriving = None
        if not message.receives:  # not taken at once: it waits
            self.stats.backlog.up(self.env.now)

    def received(self, batch: list[Message], now: float) -> None:
        stats = self.stats
        n = len(batch)
        stats.concurrency.up(now)
        billed = self.receive_chunks.get(n)
        if billed is None:
            billed = self.receive_chunks[n] = chunks(self.kb * n, 64.0)
        self.usage["requests"] += billed
        latency = stats.latency
        epoch, arriving = self.sim.epoch, self.arriving
        waited = n
        for message in batch:
            message.receives += 1
            if message is arriving:
                waited -= 1  # the message being sent, taken at once: never in the backlog
            if message.epoch == epoch:
                latency.add((now - message.visible_since) * 1000.0)
        if waited:
            stats.backlog.move(now, -waited)

    def batch_finished(self, batch: Batch, status: int) -> None:
        now = self.env.now
        self.stats.concurrency.down(now)
        if status == OK:
            self.usage["requests"] += 1  # DeleteMessageBatch
            epoch, stats = self.sim.epoch, self.stats
            for message in batch.messages:
                if message.epoch == epoch:
                    stats.completed += 1
                stats.ts_throughput.add(now)
            if self.fifo:
                self.messages.unlock(batch.messages)
            return
        reappear = max(0.0, batch.received + self.visibility_s - now)
        self.stats.backlog.move(now, len(batch.messages))
        self.sim.after(reappear, lambda _e: self._reappear(batch.messages))

    def _reappear(self, messages: list[Message]) -> None:
        now = self.env.now
        back = []
        for message in messages:
            if message.receives >= self.max_receives and self.dead_letter is not None:
                self.stats.backlog.down(now)
                if message.epoch == self.sim.epoch:
                    self.error(now)
                self.dead_letter.target.redrive(message)
                continue
            message.visible_since = now
            back.append(message)
        if self.fifo:
            self.messages.put_back(back)
            self.messages.unlock(messages)
        else:
            self.messages.extend(back)
        for poller in self.pollers:
            poller.dispatch()

    def redrive(self, message: Message) -> None:
        """A message moved here by the source queue's redrive policy (not a billed send)."""
        self.stats.requests += 1
        message.visible_since, message.receives, message.epoch = self.env.now, 0, self.sim.epoch
        self.enqueue(message)

    def assumptions(self) -> list[str]:
        return [
            "SQS: unbounded queue; the Lambda poller starts at 5 concurrent batches and adds 300 "
            "per minute for as long as messages wait with every poller busy (up to 1,000 and "
            "max_concurrency), never scaling down within a run; it ignores the function's "
            "reserved concurrency: a throttled batch is retried by its poller after 1, 2, 4 s... "
            "until its visibility timeout ends, then its messages reappear (that receive "
            "counted), and no pollers are added while batches are throttled; failed or throttled batches reappear "
            "visibility_timeout_s after their receive; after max_receive_count receives a "
            "message moves to the dead-letter queue (counted as an error at the source queue); "
            "FIFO queues: each message group in order, one batch of it in flight at a time (so a "
            "mapping runs at most one batch per active group); messages join one of "
            "message_groups at random, except from EventBridge rule targets (one fixed group "
            "id); deduplication and FIFO throughput quotas are not modelled; empty receives "
            "are not billed.",
        ]
