"""SNS topics and EventBridge buses: one message in, a delivery per subscription / target.

Rules:
- SNS (sns-message-delivery.html): every subscription receives each published message
  (its edge's `calls` x), `latency_ms` after the publish; deliveries to Lambda are
  asynchronous invocations (Lambda's async retry rules apply), to SQS a SendMessage.
- EventBridge (eb-rules.html): each rule target receives a published event with the
  probability `fraction` (the share of events its pattern matches), `latency_ms` later.
- The Publish / PutEvents call itself returns to the caller after PUBLISH_CALL_MS.
- EventBridge PutEvents calls (from code and producers; S3's event notifications are not
  PutEvents) share the account's quota, `eventbridge_put_events_rps` (10,000/s in
  us-east-1, as low as 400/s in smaller regions; eb-quota.html), a token bucket holding
  1 s of it; a refused call is retried by the caller's SDK (base.QuotaCall).
- Billing usage: publishes / events in 64 KB chunks; deliveries counted per target type.
"""

from __future__ import annotations

from .base import Behaviour, QuotaCall, Reply, TokenBucket, chunks, sampler

# Typical in-region response time of SNS Publish and EventBridge PutEvents (the delivery
# latency is the node's latency_ms; this is only the caller's wait).
PUBLISH_CALL_MS = 10.0


class FanOut(Behaviour):
    edge_kind = ""
    size_field = "message_kb"
    publish_counter = ""

    def setup(self) -> None:
        self.latency_s = sampler(self.config["latency_ms"], self.rng, 0.001)
        self.chunks = chunks(float(self.config[self.size_field]), 64.0)
        self.targets: list = []

    def wired(self) -> None:
        self.targets = self.edges(self.edge_kind)

    def call(self, ctx, done, edge) -> None:
        ctx, go = self.enter_loop(ctx, done)
        if not go:
            return
        self.stats.requests += 1
        self.publish(ctx, done)

    def publish(self, ctx, done) -> None:
        """The message is accepted: deliver it to every target."""
        sim, now = self.sim, self.env.now
        self.usage[self.publish_counter] += self.chunks
        epoch = sim.epoch
        for target in self.targets:
            for _ in range(self.deliveries(target)):
                sim.after(self.latency_s(),
                          lambda _e, t=target: self.deliver(ctx, t, now, epoch))
        self.stats.completed += 1
        self.stats.ts_throughput.add(now)
        if done is not None:
            sim.after(PUBLISH_CALL_MS / 1000.0, Reply(done, self.env).ok)

    def deliveries(self, edge) -> int:
        return edge.repeats(self.rng)

    def deliver(self, ctx, edge, published: float, epoch: int) -> None:
        now = self.env.now
        if epoch == self.sim.epoch:  # published before the end of warm-up: not recorded
            self.stats.latency.add((now - published) * 1000.0)
        self.count_delivery(edge)
        edge.target.call(ctx, None, edge)

    def count_delivery(self, edge) -> None:
        raise NotImplementedError


class Topic(FanOut):
    counts_loops_for = True
    edge_kind = "subscription"
    publish_counter = "publishes"

    def count_delivery(self, edge) -> None:
        self.usage["deliveries_" + edge.target.service] += 1

    def assumptions(self) -> list[str]:
        return ["SNS: each subscription receives every message (x its calls) latency_ms after "
                "the publish; Lambda subscribers are invoked asynchronously; the publish call "
                f"returns after {PUBLISH_CALL_MS:g} ms; FIFO topics are not ordered."]


# Callers that use the PutEvents API: code (a Lambda edge) and outside producers.
PUT_EVENTS_KINDS = frozenset({"put_events", "entry"})


class EventBus(FanOut):
    edge_kind = "rule_target"
    size_field = "event_kb"
    publish_counter = "events"

    @classmethod
    def share_account(cls, buses, account_setting) -> None:
        rate = float(account_setting("eventbridge_put_events_rps"))
        quota = TokenBucket(rate, rate)  # AWS gives a rate; one second of it is the burst
        refused = buses[0].limit("eventbridge_put_events", "account")
        for bus in buses:
            bus.quota, bus.quota_refused = quota, refused

    def call(self, ctx, done, edge) -> None:
        if edge.kind not in PUT_EVENTS_KINDS:  # an AWS service's own events: no PutEvents
            super().call(ctx, done, edge)
            return
        ctx, go = self.enter_loop(ctx, done)
        if go:
            QuotaCall(self, self.quota, self.quota_refused, self.publish, ctx, done, edge).try_once()

    def deliveries(self, edge) -> int:
        fraction = float(edge.config.get("fraction", 1.0))
        if fraction < 1.0 and self.rng.random() >= fraction:
            return 0
        return edge.repeats(self.rng)

    def count_delivery(self, edge) -> None:
        self.usage["matched_deliveries"] += 1

    def assumptions(self) -> list[str]:
        return ["EventBridge: each rule target receives an event with probability `fraction` "
                "(x its calls) latency_ms after PutEvents; targets are invoked asynchronously; "
                f"PutEvents returns after {PUBLISH_CALL_MS:g} ms.",
                "EventBridge PutEvents (from code and producers, not S3 notifications) shares the "
                "account quota eventbridge_put_events_rps (10,000/s in us-east-1, 400-2,400/s in "
                "most other regions), a token bucket holding 1 s of it; a refused call is retried "
                "by the SDK (3 attempts, then an error)."]
