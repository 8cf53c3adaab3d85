"""What every behaviour shares: the simulation core, edges, stats, token buckets, SDK retries.

A behaviour is one node of the design at run time. Callers reach it through
`call(ctx, done, edge)`:
- `ctx` is the request chain's loop counter (None, or a dict node id -> visits) used to
  stop recursive loops as AWS does;
- `done(status, t_end)` is called once when the call is over from the caller's point of
  view (synchronous part only), or `done` is None when nobody waits;
- `edge` is the `OutEdge` used (its action, mode and config), or the entry pseudo-edge.
Work is scheduled as callbacks on SimPy's event queue (`Sim.after`), not as one SimPy
process per request: that is what makes the engine fast.

The measured window (warm-up): `Sim.epoch` is 0 during warm-up and 1 after it. Every
request object is stamped with the epoch when it ARRIVES at a node; its outcome
(completed, errors, latency) is recorded only if the stamp still equals `Sim.epoch`, so a
request that arrived during warm-up and ends after it is ignored, and the counts of the
window always describe the same requests (completed + errors + throttled <= requests).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Any, Callable

import numpy as np

from model.distributions import Exponential, Fixed, LogNormal, parse_distribution
from model.quotas import SDK_CALL_LIMITS

from ..cost import usage_counters
from ..limits import LimitLog
from ..metrics import CountSeries, LatencyHistogram, SeriesSet, TimedLevel
from ..simpy_compat import Environment

OK, ERROR, THROTTLED = 0, 1, 2
Done = Callable[[int, float], None] | None

# AWS stops a request chain that has looped through the same function, queue or topic
# about 16 times (Lambda recursive loop detection, https://docs.aws.amazon.com/lambda/
# latest/dg/invocation-recursion.html): the 17th pass is dropped.
MAX_LOOP_VISITS = 16


class Sim:
    """The simulation core shared by all behaviours: SimPy's clock and event queue.

    Behaviours read the clock as `env.now` (a plain attribute read, see simpy_compat) and
    schedule work with `sim.after(delay_s, callback)`: `callback(event)` runs delay_s
    seconds from now, as a bare callback on SimPy's event queue (no process, no Timeout)."""

    def __init__(self, seed: int, duration_s: float, series: SeriesSet) -> None:
        self.env = Environment()
        self.after = self.env.call_later
        self.seed = seed
        self.duration_s = duration_s
        self.series = series
        self.limits = LimitLog()  # which AWS limits refused or delayed work, and when
        self.epoch = 0  # 1 once warm-up is over: outcomes of older requests are not recorded

    @property
    def now(self) -> float:
        return self.env.now

    def rng_for(self, name: str) -> random.Random:
        """A stream per node, derived from the seed and the node id only, so adding a node
        does not change what the others draw (str seeds are hashed with SHA-512)."""
        return random.Random(f"{self.seed}:{name}")


@dataclass
class OutEdge:
    """A design edge at run time, as its source sees it."""

    source: str
    target: "Behaviour"
    kind: str
    config: dict[str, Any]
    synchronous: bool  # the caller waits for the target
    calls: float = 1.0

    def __post_init__(self) -> None:
        # worked out once: used on every request
        self.whole = int(self.calls)
        self.chance = self.calls - self.whole
        self.waits = self.synchronous and self.target.caller_waits
        self.action = self.config.get("action", "read")
        self.strong = self.config.get("consistency") == "strong"  # reads of a table

    def repeats(self, rng: random.Random) -> int:
        """How many times this edge is used by one upstream request (fractions: a chance)."""
        chance = self.chance
        return self.whole + 1 if chance and rng.random() < chance else self.whole


class Reply:
    """Answers a waiting caller with OK when its event fires (no closure per request)."""

    __slots__ = ("done", "env")

    def __init__(self, done: Callable[[int, float], None], env: Environment) -> None:
        self.done, self.env = done, env

    def ok(self, _event) -> None:
        self.done(OK, self.env.now)


def entry_edge(entry: "Behaviour") -> OutEdge:
    """The pseudo-edge of outside traffic: clients write (uploads, items) and wait."""
    return OutEdge("(clients)", entry, "entry", {"action": "write", "mode": "sync"}, True)


class RunningStats:
    """Mutable counters of one node while the run goes; frozen into a results.NodeStats at the end.
    The latency histogram, the levels and the count series record by appending; `fold()`
    does their arithmetic in bulk (see metrics)."""

    def __init__(self, sim: Sim, node_id: str) -> None:
        self.requests = self.completed = self.throttled = self.errors = self.cold_starts = 0
        self.latency = LatencyHistogram()
        s = sim.series
        self.ts_throughput = CountSeries(s, s.new(node_id, "throughput", "sum"))
        self.ts_throttled = CountSeries(s, s.new(node_id, "throttled", "sum"))
        self.ts_cold = CountSeries(s, s.new(node_id, "cold_starts", "sum"))
        self.ts_errors = CountSeries(s, s.new(node_id, "errors", "sum"))
        self.concurrency = TimedLevel(s, s.new(node_id, "concurrency", "area"))
        self.backlog = TimedLevel(s, s.new(node_id, "backlog", "area"), s.new(node_id, "max_backlog", "max"))
        self.instances: TimedLevel | None = None
        self.has_backlog = False
        self.max_iterator_age_ms: float | None = None

    def levels(self) -> list[TimedLevel]:
        return [level for level in (self.concurrency, self.backlog, self.instances) if level is not None]

    def fold(self, now: float) -> None:
        """Do the arithmetic of everything recorded up to now (bounded buffers)."""
        self.latency.fold()
        for counts in (self.ts_throughput, self.ts_throttled, self.ts_cold, self.ts_errors):
            counts.fold()
        for level in self.levels():
            level.fold(now)

    def restart(self, now: float) -> None:
        """End of warm-up: counts start again (levels keep their value)."""
        self.fold(now)
        self.requests = self.completed = self.throttled = self.errors = self.cold_starts = 0
        self.latency = LatencyHistogram()
        for level in self.levels():
            level.restart(now)
        if self.max_iterator_age_ms is not None:
            self.max_iterator_age_ms = 0.0


class Usage(dict):
    """A node's billing usage counters over the measured window: exactly the counters its
    service declares (cost.SERVICE_PRICING), all starting at 0. Counting a name that is
    not one of them raises at once, where a misspelt counter would otherwise price $0."""

    __slots__ = ("service",)

    def __init__(self, service: str) -> None:
        super().__init__(dict.fromkeys(usage_counters(service), 0.0))
        self.service = service

    def __missing__(self, name: str) -> float:
        raise KeyError(f"'{name}' is not a usage counter of {self.service} "
                       f"(its counters: {', '.join(self) or 'none'}; see cost.SERVICE_PRICING)")

    def reset(self) -> None:
        for name in self:
            self[name] = 0.0


class TokenBucket:
    """Capacity refilled continuously at `rate` per second up to `size` (starts full)."""

    __slots__ = ("rate", "size", "tokens", "since")

    def __init__(self, rate: float, size: float, now: float = 0.0) -> None:
        self.rate = rate
        self.size = size
        self.tokens = size
        self.since = now

    def take(self, now: float, amount: float = 1.0) -> bool:
        tokens = self.tokens + (now - self.since) * self.rate
        if tokens > self.size:
            tokens = self.size
        self.since = now
        if tokens >= amount - 1e-9:
            self.tokens = tokens - amount
            return True
        self.tokens = tokens
        return False

    def reserve(self, now: float, amount: float = 1.0) -> float:
        """Take `amount` now even if it is not there yet (the bucket goes into debt): the
        seconds until it is. Callers that reserve in turn are served in order, at `rate`
        once the bucket is empty, like a queue."""
        tokens = self.tokens + (now - self.since) * self.rate
        if tokens > self.size:
            tokens = self.size
        self.since = now
        self.tokens = tokens = tokens - amount
        return 0.0 if tokens >= -1e-9 else -tokens / self.rate

    def give_back(self, amount: float) -> None:
        """Return what a take() took (the work was refused by a later check)."""
        self.tokens += amount


# AWS SDK "standard" retry mode (boto3 `retries={'mode': 'standard'}`, the default of the
# newer SDKs): at most 3 attempts; before attempt n+1 wait random(0, 1) x 2^(n-1) s, capped
# at 20 s. https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
SDK_MAX_ATTEMPTS = 3
SDK_BACKOFF_BASE_S = 1.0
SDK_MAX_BACKOFF_S = 20.0


def sdk_backoff_s(attempt: int, rng: random.Random) -> float:
    return min(rng.random() * SDK_BACKOFF_BASE_S * 2 ** (attempt - 1), SDK_MAX_BACKOFF_S)


class Behaviour:
    """Base class of every service's behaviour: wiring, stats, loop counting, the helpers
    callers use, and the protocol the engine drives.

    The engine calls, in this order: the constructor (which calls `setup()`), the
    `share_account()` of each behaviour class, `scale_from_design()`, `connect()` for each
    out-edge, `wired()`; then `call()` for each request, `restart()` at the end of the
    warm-up, `finish()` and `close_usage()` at the end. Subclasses override `setup`,
    `call` and whichever hooks they need; the class attributes below say how the node
    behaves towards its callers and the statistics.
    """

    record_call_latency = True  # False: latency = wait before a reader got the record (streams)
    counts_loops_for = False  # Lambda, SQS and SNS take part in AWS's loop detection
    caller_waits = True  # False: callers get an answer at once (e.g. Standard workflows)
    tracks_calls = False  # True: concurrency = SDK calls in flight (DynamoDB, S3)

    def __init__(self, sim: Sim, node_id: str, service: str, config: dict[str, Any]) -> None:
        self.sim = sim
        self.env = sim.env  # hot paths read env.now
        self.id = node_id
        self.service = service
        self.config = config  # as simulated: the scenario's overrides applied
        self.rng = sim.rng_for(node_id)
        self.stats = RunningStats(sim, node_id)
        self.usage = Usage(service)
        self.out: list[OutEdge] = []
        self.in_cycle = False
        self.setup()

    def setup(self) -> None:
        """Read the config (subclasses)."""

    @classmethod
    def share_account(cls, nodes: list["Behaviour"], account_setting: Callable[[str], Any]) -> None:
        """Share account-wide limits among `nodes`, every node of this class in the design
        (`account_setting(name)` reads the design's account settings). Called once per
        class, before any edge is connected."""

    def scale_from_design(self, designed: dict[str, Any]) -> None:
        """`designed` is the node's config before the scenario's overrides: a behaviour
        whose timings were measured at the designed config rescales them here."""

    def connect(self, edge: OutEdge) -> None:
        self.out.append(edge)

    def edges(self, *kinds: str) -> list[OutEdge]:
        return [e for e in self.out if e.kind in kinds]

    def wired(self) -> None:
        """Called once every edge is connected (subclasses sort their edges here)."""

    def call(self, ctx, done: Done, edge: OutEdge) -> None:
        raise NotImplementedError

    def finish(self, now: float) -> None:
        """End of the run: fold the statistics up to the end (subclasses may add)."""
        self.stats.fold(now)

    def restart(self, now: float) -> None:
        self.stats.restart(now)
        self.usage.reset()

    def close_usage(self, measured_s: float) -> None:
        """End of the run: write into `usage` what was kept elsewhere while running, or
        depends on the measured window's length (provisioned capacity, shard-hours)."""

    def count(self, counter: str, amount: float = 1.0) -> None:
        self.usage[counter] += amount

    def limit(self, name: str, scope: str | None = None) -> Callable[[float], None]:
        """The recorder of AWS limit `name` (model.quotas.LIMITS) at `scope` ("account", or
        by default this node): call it with the time whenever the limit refuses or delays
        work. Ask once (set-up); calling it is a list append."""
        return self.sim.limits.recorder(name, scope or self.id).hit

    # -- loops -------------------------------------------------------------------------

    def enter_loop(self, ctx, done: Done):
        """(the ctx to pass on, True), or (ctx, False) after dropping a request that looped
        too often."""
        if not self.in_cycle:
            return ctx, True
        visits = (ctx or {}).get(self.id, 0) + 1
        if visits > MAX_LOOP_VISITS:
            self.stats.requests += 1
            self.error(self.env.now)
            if done is not None:
                done(ERROR, self.env.now)
            return ctx, False
        new = dict(ctx or {})
        new[self.id] = visits
        return new, True

    # -- small recorders ---------------------------------------------------------------

    def throttle(self, now: float) -> None:
        self.stats.throttled += 1
        self.stats.ts_throttled.add(now)

    def error(self, now: float) -> None:
        self.stats.errors += 1
        self.stats.ts_errors.add(now)

    def complete(self, now: float, latency_ms: float) -> None:
        stats = self.stats
        stats.completed += 1
        stats.latency.add(latency_ms)
        stats.ts_throughput.add(now)

    def assumptions(self) -> list[str]:
        return []


SAMPLE_BLOCK = 1024  # draws made per numpy call


def sampler(spec, rng: random.Random, scale: float = 1.0) -> Callable[[], float]:
    """A zero-argument sampling function for a distribution spec, multiplied by `scale`
    (0.001: ms -> s). Draws are made SAMPLE_BLOCK at a time with numpy and handed out one
    by one, so a draw costs no Python frame: the returned function is the `__next__` of an
    itertools chain over the blocks (C code). Common distributions are inverse transforms
    of one uniform stream, seeded once from the node's `rng`, so a run stays a function of
    the seed and sweeps keep common random numbers."""
    dist = parse_distribution(spec)
    if isinstance(dist, Fixed) or (isinstance(dist, Exponential) and not dist.mean):
        return repeat(dist.mean * scale).__next__
    generator = np.random.default_rng(rng.getrandbits(64))
    if isinstance(dist, Exponential):
        minus_mean = -dist.mean * scale

        def block(n: int) -> list[float]:  # log(1 - u), u in [0, 1): never log(0)
            return (minus_mean * np.log1p(-generator.random(n))).tolist()
    elif isinstance(dist, LogNormal):
        mu, sigma = dist.mu + math.log(scale), dist.sigma

        def block(n: int) -> list[float]:
            return np.exp(mu + sigma * generator.standard_normal(n)).tolist()
    else:
        sample, local = dist.sample, random.Random(int(generator.integers(2**63)))

        def block(n: int) -> list[float]:
            return [sample(local) * scale for _ in range(n)]
    return chain.from_iterable(map(block, repeat(SAMPLE_BLOCK))).__next__


def chunks(size_kb: float, chunk_kb: float) -> int:
    """Billing chunks (e.g. 64 KB for SQS/SNS/EventBridge), at least one."""
    return max(1, math.ceil(size_kb / chunk_kb - 1e-9))


class SdkService(Behaviour):
    """A service its callers reach through the AWS SDK (DynamoDB, S3, Kinesis puts): each
    call is an `SdkCall`, which asks the service to `admit` every attempt and tells it when
    an operation `succeeded`."""

    latency_s: Callable[[], float]  # one attempt's latency in seconds (a sampler, set in setup)
    refused: Callable[[float], None]  # records the limit that refused the last attempt

    def __init__(self, sim: Sim, node_id: str, service: str, config: dict[str, Any]) -> None:
        super().__init__(sim, node_id, service, config)
        if not hasattr(self, "refused"):  # a service whose admit() names no finer limit
            self.refused = self.limit(SDK_CALL_LIMITS[service])

    def admit(self, op, now: float) -> bool:
        """Is there capacity for operation `op` now? (False: the attempt is refused; an
        owner with several limits points `refused` at the one that refused it.)"""
        raise NotImplementedError

    def succeeded(self, op, ctx, now: float, epoch: int) -> None:
        """Operation `op` of a call is done: count its usage, make its side effects.
        `epoch` is the stamp to give anything it produces, -1 when its outcome is not
        recorded (the call arrived during the warm-up)."""
        raise NotImplementedError


class SdkCall:
    """One SDK call made of one or more operations (read_write = a read then a write), each
    retried on throttling with the SDK's standard retry mode; latency includes retries.

    The owner is an `SdkService`; `ops` are whatever it uses to name its operations.
    Owners with `tracks_calls` count the call in their concurrency while it is in flight.

    Each attempt is one request at the node and has exactly one outcome: a refused attempt
    that the SDK retries is `throttled`; the last refused attempt of a call the SDK gives up
    on is an error (not also a throttle); the accepted attempt of the last operation
    completes the call. The call's outcome belongs to its last attempt (its epoch stamp).
    """

    __slots__ = ("owner", "ctx", "done", "ops", "index", "attempt", "start", "epoch")

    def __init__(self, owner: SdkService, ctx, done: Done, ops: tuple) -> None:
        self.owner, self.ctx, self.done, self.ops = owner, ctx, done, ops
        self.index = 0
        self.attempt = 0
        self.start = now = owner.env.now
        if owner.tracks_calls:
            owner.stats.concurrency.up(now)

    def try_once(self, _event=None) -> None:
        owner = self.owner
        now = owner.env.now
        owner.stats.requests += 1
        self.epoch = owner.sim.epoch
        self.attempt += 1
        latency_s = owner.latency_s()
        if owner.admit(self.ops[self.index], now):
            owner.sim.after(latency_s, self.op_done)
            return
        owner.refused(now)
        if self.attempt < SDK_MAX_ATTEMPTS:
            owner.throttle(now)
            owner.sim.after(latency_s + sdk_backoff_s(self.attempt, owner.rng), self.try_once)
        else:
            owner.sim.after(latency_s, self.failed)

    def op_done(self, _event) -> None:
        owner = self.owner
        now = owner.env.now
        epoch = owner.sim.epoch
        fresh = self.epoch == epoch
        owner.succeeded(self.ops[self.index], self.ctx, now, epoch if fresh else -1)
        self.index += 1
        if self.index < len(self.ops):
            self.attempt = 0
            self.try_once()
            return
        if owner.tracks_calls:
            owner.stats.concurrency.down(now)
        if not fresh:
            pass  # arrived before the end of warm-up: not recorded
        elif owner.record_call_latency:
            owner.complete(now, (now - self.start) * 1000.0)
        else:
            owner.stats.completed += 1
            owner.stats.ts_throughput.add(now)
        if self.done is not None:
            self.done(OK, now)

    def failed(self, _event) -> None:
        owner = self.owner
        now = owner.env.now
        if owner.tracks_calls:
            owner.stats.concurrency.down(now)
        if self.epoch == owner.sim.epoch:
            owner.stats.latency.add((now - self.start) * 1000.0)
            owner.error(now)
        if self.done is not None:
            self.done(ERROR, now)


ACTION_OPS = {"read": ("read",), "write": ("write",), "read_write": ("read", "write")}


# Edge kinds whose caller passes a refusal straight back instead of retrying it: API
# Gateway's direct service integrations answer their client with the error. Every other
# caller of an AWS API (SDK code, producers, AWS services delivering events) retries.
NOT_RETRIED_KINDS = frozenset({"integration"})


class QuotaCall:
    """One call to an API an account quota guards (a token bucket shared by the account):
    each attempt is one request at the node; an admitted one goes on with `proceed(ctx,
    done)`; a refused one is recorded as the quota's, then retried as the SDK's standard
    mode does (counted throttled) until the last attempt fails the call (an error), or, for
    a caller that does not retry, answered THROTTLED at once."""

    __slots__ = ("owner", "bucket", "refused", "proceed", "ctx", "done", "retried", "attempt")

    def __init__(self, owner: Behaviour, bucket: TokenBucket, refused: Callable[[float], None],
                 proceed: Callable, ctx, done: Done, edge: OutEdge) -> None:
        self.owner, self.bucket, self.refused, self.proceed = owner, bucket, refused, proceed
        self.ctx, self.done = ctx, done
        self.retried = edge.kind not in NOT_RETRIED_KINDS
        self.attempt = 0

    def try_once(self, _event=None) -> None:
        owner = self.owner
        now = owner.env.now
        owner.stats.requests += 1
        self.attempt += 1
        if self.bucket.take(now):
            self.proceed(self.ctx, self.done)
            return
        self.refused(now)
        if self.retried and self.attempt < SDK_MAX_ATTEMPTS:
            owner.throttle(now)
            owner.sim.after(sdk_backoff_s(self.attempt, owner.rng), self.try_once)
            return
        if self.retried:
            owner.error(now)  # the SDK gave up: the last refusal is the call's error
        else:
            owner.throttle(now)
        if self.done is not None:
            self.done(ERROR if self.retried else THROTTLED, now)
