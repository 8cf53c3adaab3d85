"""SQS queues and the Lambda event source mapping that polls them.

Rules (SQS Developer Guide; Lambda with SQS, with-sqs.html / services-sqs-scaling.html):
- A queue is unbounded. SendMessage takes `latency_ms`; the message is visible at once.
- The poller starts with 5 concurrent batches and, while messages wait and every poller is
  busy, adds up to 300 per minute (5 per second, here continuous), up to 1,250, the
  edge's `max_concurrency`, and the function's concurrency (it does not receive more than
  the function can run). It never scales down within a run (simplification).
- A batch holds up to `batch_size` visible messages; with `batch_window_s` the poller waits
  up to that long after the oldest message for a fuller batch.
- Receiving makes messages invisible for `visibility_timeout_s`. A successful invocation
  deletes them; a failed or throttled one leaves them to reappear when the visibility
  timeout (counted from the receive) ends. A message received `max_receive_count` times
  moves to the dead-letter edge's queue instead (sqs-dead-letter-queues.html); with no
  dead-letter queue it is retried until the run ends (retention is not modelled).
- FIFO queues are simplified: ordering and message groups are not tracked (a FIFO queue
  behaves as a standard one for timing).
- Billing usage: 64 KB chunks of every send, one receive per batch (its payload in 64 KB
  chunks) and one delete per successful batch; the empty receives of long polling are not
  counted.
- Latency at a queue = time a message waited (visible) before a consumer received it.
- Backlog = messages waiting once the pollers have taken what they can at that instant: a
  message received the moment it is sent never enters it (its time integral would be zero
  anyway), so max_backlog is the largest number of messages that really waited.
"""

from __future__ import annotations

from collections import deque

from ..traces import Traced, batch_context
from .base import OK, Behaviour, Reply, chunks, sampler

INITIAL_POLLERS = 5.0
POLLERS_ADDED_PER_S = 300.0 / 60.0
MAX_POLLERS = 1250


class Message:
    __slots__ = ("visible_since", "receives", "ctx", "epoch")

    def __init__(self, now: float, ctx, epoch: int) -> None:
        self.visible_since = now
        self.receives = 0
        self.ctx = ctx
        self.epoch = epoch  # Sim.epoch when it arrived at this queue


class Batch:
    __slots__ = ("poller", "messages", "received")

    def __init__(self, poller: "QueuePoller", messages: list, received: float) -> None:
        self.poller, self.messages, self.received = poller, messages, received

    def result(self, status: int, t_end: float) -> None:
        poller = self.poller
        poller.active -= 1
        poller.queue.batch_finished(self, status)
        poller.dispatch()


class QueuePoller:
    """The event source mapping of one SQS -> Lambda edge."""

    def __init__(self, queue: "Queue", edge) -> None:
        cfg = edge.config
        self.queue, self.fn = queue, edge.target
        self.batch_size = int(cfg.get("batch_size", 10))
        self.window = float(cfg.get("batch_window_s", 0))
        self.cap = min(int(cfg.get("max_concurrency") or MAX_POLLERS), MAX_POLLERS)
        self.limit = min(INITIAL_POLLERS, self.cap)
        self.last = 0.0
        self.active = 0
        self.busy = False  # inside dispatch (a synchronous result must not re-enter)
        self.window_armed = False

    def _grow(self, now: float) -> bool:
        """Every poller is busy while messages wait: add pollers (5 per second since the last
        look, up to the cap). True if one is free now."""
        if self.limit < self.cap:
            self.limit = min(self.cap, self.limit + (now - self.last) * POLLERS_ADDED_PER_S)
        self.last = now
        return self.active < int(self.limit)

    def dispatch(self) -> None:
        """Hand waiting messages to the function, a batch per free poller."""
        queue = self.queue
        messages = queue.messages
        if self.busy or not messages:
            return
        self.busy = True
        now = queue.env.now
        pool = self.fn.pool
        try:
            while messages:
                if self.active >= int(self.limit) and not self._grow(now):
                    return
                self.last = now  # growth counts the time since the last look
                if pool.used >= pool.limit:  # the function has no room: wait for a release
                    pool.wait(self.dispatch)
                    return
                if self.window and self._should_wait(now):
                    return
                if self.batch_size == 1:
                    batch = [messages.popleft()]
                else:
                    batch = [messages.popleft() for _ in range(min(self.batch_size, len(messages)))]
                self.active += 1
                ctx = queue.received(batch, now)
                self.fn.invoke(ctx, Batch(self, batch, now).result)
        finally:
            self.busy = False

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
        self.messages: deque[Message] = deque()
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
        self.enqueue(Message(self.env.now, ctx, self.sim.epoch))
        if done is not None:
            self.sim.after(self.latency_s(), Reply(done, self.env).ok)

    def enqueue(self, message: Message) -> None:
        if not self.pollers:
            self.stats.backlog.up(self.env.now)
            return  # nobody reads: only the backlog count matters
        messages = self.messages
        messages.append(message)
        self.arriving = message
        for poller in self.pollers:
            poller.dispatch()
        self.arriving = None
        if messages and messages[-1] is message:  # not taken at once: it waits
            self.stats.backlog.up(self.env.now)

    def received(self, batch: list[Message], now: float):
        """Count the receive of a batch; returns the context its consumer carries."""
        stats = self.stats
        n = len(batch)
        # the message being sent (always last: FIFO) was never counted in the backlog
        waited = n - 1 if batch[-1] is self.arriving else n
        if waited:
            stats.backlog.move(now, -waited)
        stats.concurrency.up(now)
        billed = self.receive_chunks.get(n)
        if billed is None:
            billed = self.receive_chunks[n] = chunks(self.kb * n, 64.0)
        self.usage["requests"] += billed
        latency = stats.latency
        epoch = self.sim.epoch
        traced = False
        for message in batch:
            message.receives += 1
            if message.epoch == epoch:
                latency.add((now - message.visible_since) * 1000.0)
            if message.ctx.__class__ is Traced:
                message.ctx.waited(self.id, message.visible_since, now, message.receives)
                traced = True
        return batch_context(batch[0].ctx, [m.ctx for m in batch]) if traced else batch[0].ctx

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
            return
        reappear = max(0.0, batch.received + self.visibility_s - now)
        self.stats.backlog.move(now, len(batch.messages))
        self.sim.after(reappear, lambda _e: self._reappear(batch.messages))

    def _reappear(self, messages: list[Message]) -> None:
        now = self.env.now
        for message in messages:
            if message.receives >= self.max_receives and self.dead_letter is not None:
                self.stats.backlog.down(now)
                if message.epoch == self.sim.epoch:
                    self.error(now)
                self.dead_letter.target.redrive(message)
                continue
            message.visible_since = now
            self.messages.append(message)
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
            "per minute while messages wait (up to 1,250, max_concurrency and the function's "
            "concurrency), never scaling down within a run; failed or throttled batches reappear "
            "visibility_timeout_s after their receive; after max_receive_count receives a "
            "message moves to the dead-letter queue (counted as an error at the source queue); "
            "FIFO ordering and message groups are not modelled; empty receives are not billed.",
        ]
