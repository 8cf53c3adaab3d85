"""AWS Lambda: execution environments, concurrency, cold starts, async retries.

Rules (AWS Lambda Developer Guide):
- One request per execution environment; a new environment means a cold start
  (lambda-concurrency.html, lambda-runtime-environment.html). Idle environments are reused
  most-recently-used first (a stack) and reclaimed after `idle_timeout_s` unused.
- Provisioned environments are always initialised: they serve first, never cold, never
  expire (provisioned-concurrency.html).
- Concurrency is capped by `reserved_concurrency`, or else by the account pool shared by
  all unreserved functions (account limit minus every reservation)
  (configuration-concurrency.html). Synchronous callers get a 429 at the cap.
- Invocation rate of synchronous Invoke requests (limits.html: "each instance of your
  execution environment can serve up to 10 requests per second"; asynchronous ones are
  bounded by concurrency only, and AWS documents no such rate for event source mappings,
  which Stratus leaves out): unreserved functions share 10 x the account's concurrency
  limit per second (account.quotas.lambda_invocation_rps, lambda-concurrency.html), a
  reserved function has 10 x its reservation; counted per whole second (at most that many
  invocations start in [n, n + 1)), checked after the concurrency cap. Every refusal is
  recorded as the limit that made it.
- Scaling: each function gains at most 1,000 environments per 10 s (scaling-behavior.html),
  modelled as a token bucket of 1,000 refilled at 100/s; a cold start that finds it empty
  is throttled.
- Asynchronous invocations (S3, SNS, EventBridge, Invoke with Event) are retried as in
  invocation-async-error-handling.html: a throttled event is retried with backoff from 1 s
  doubling to 5 min for up to 6 h; a failed one `max_retry_attempts` times (0-2) after
  1 min then 2 min; then it goes to the `on_failure` destination, if any.
- Duration = cold start + handler time (+ `per_record_ms` per record of a batch from an
  event source mapping) + synchronous downstream calls (in edge order, each `calls`
  times); a throttled synchronous call (a 429 from another function) is retried by the
  SDK's standard mode (base.SDK_MAX_ATTEMPTS attempts, jittered backoff). `timeout_s`
  ends the invocation with an error whatever it is doing: a synchronous downstream call
  still running is cut off (the environment is freed and the error returned at the
  timeout; the function called runs on, and is billed, as nothing tells it its caller
  has gone). `error_rate` makes the handler fail.
- Billing usage: duration rounded up to 1 ms x memory (the INIT phase is billed too, as
  for managed runtimes since 1 Aug 2025), split between on-demand and provisioned
  environments; provisioned capacity itself = provisioned_concurrency x memory x time.
"""

from __future__ import annotations

import math
from collections import deque
from itertools import count

from ..metrics import TimedLevel
from .base import ERROR, OK, SDK_MAX_ATTEMPTS, THROTTLED, Behaviour, TokenBucket, sampler, sdk_backoff_s

PROVISIONED, WARM, COLD = 0, 1, 2
SCALE_UP_PER_10_S = 1000.0
# "Lambda applies a requests-per-second limit of 10 x your concurrency" (lambda-concurrency.html):
# the account's unreserved functions share account.quotas.lambda_invocation_rps.
INVOCATIONS_PER_S_PER_CONCURRENCY = 10.0
ASYNC_MAX_AGE_S = 6 * 3600.0
ASYNC_THROTTLE_FIRST_S = 1.0
ASYNC_THROTTLE_MAX_S = 300.0
ASYNC_ERROR_RETRY_DELAYS_S = (60.0, 120.0)
# At 1,769 MB a function has the equivalent of one vCPU (configuration-memory.html).
ONE_VCPU_MB = 1769.0
_ceil = math.ceil
SYNC_KINDS = ("data_access", "send", "publish", "put_record", "put_events", "invoke", "start_execution")


def handler_time_factor(design_mb: float, run_mb: float) -> float:
    """How handler time scales when a scenario overrides memory_mb.

    duration_ms is taken as measured at the design's memory. CPU share is proportional to
    memory up to one vCPU at 1,769 MB; above it, extra vCPUs help only multi-threaded code,
    which we do not assume. So handler time scales by min(design, 1769) / min(run, 1769)
    (a CPU-bound handler: the pessimistic-for-downsizing, optimistic-for-upsizing bound).
    """
    return min(design_mb, ONE_VCPU_MB) / min(run_mb, ONE_VCPU_MB)


class ConcurrencyPool:
    """Concurrent executions allowed: one function's reservation or the shared pool; and
    the invocation rate that goes with it (10 per second per unit of concurrency).

    The rate is counted in whole seconds: at most `per_second` invocations start in each
    second [n, n + 1). AWS publishes it as requests per second, with no burst, and a
    window counter costs a C-level `next()` per invocation (LambdaFunction.run):
    `over_rate()`, a Python call, runs only at the first invocation of a new second and
    once the count is reached."""

    __slots__ = ("limit", "used", "waiters", "env", "refused", "per_second", "window_end",
                 "invocations", "rate_refused")

    def __init__(self, limit: int, owner: Behaviour, scope: str, invocations_per_s: float) -> None:
        self.limit = limit
        self.used = 0
        self.waiters: list = []
        self.env = owner.env
        self.refused = owner.limit("lambda_concurrency", scope)
        self.per_second = invocations_per_s
        self.window_end = 0.0  # the first invocation opens the first second
        self.invocations = count()  # started in the current second (next() counts one more)
        self.rate_refused = owner.limit("lambda_invocation_rps", scope)

    def over_rate(self, now: float) -> bool:
        """Called when a new second has begun (then this invocation opens it) or when the
        current second's count is reached: is this invocation over the rate?"""
        if now >= self.window_end:
            self.window_end = math.floor(now) + 1.0
            self.invocations = count(1)  # this invocation is the first of its second
            return self.per_second < 1
        return True

    def wait(self, callback) -> None:
        """Call back once an execution ends (event-source pollers waiting for room: the
        concurrency limit delays their batch)."""
        if callback not in self.waiters:
            self.waiters.append(callback)
            self.refused(self.env.now)

    def release(self) -> None:
        self.used -= 1
        if self.waiters:
            self.release_waiters()

    def release_waiters(self) -> None:
        waiters, self.waiters = self.waiters, []
        for callback in waiters:
            callback()


class ScaleUpRate(TokenBucket):
    """New environments one function may create: 1,000, refilled at 100 per second; and the
    recorder of the limit."""

    __slots__ = ("refused",)

    def __init__(self, fn: "LambdaFunction") -> None:
        super().__init__(SCALE_UP_PER_10_S / 10.0, SCALE_UP_PER_10_S)
        self.refused = fn.limit("lambda_scale_up_rate")


class Invocation:
    """One invocation; after the handler time it makes its synchronous downstream calls one
    after another (`steps`, each edge repeated its `calls` times), then ends. A failed call
    fails the invocation; no new call starts after the timeout, and one still running at
    the timeout is cut off (`LambdaFunction.cut_off_overdue`): its answer, when it comes,
    finds the invocation `over` and is ignored."""

    __slots__ = ("fn", "ctx", "done", "start", "kind", "steps", "index", "epoch", "over")

    def __init__(self, fn: "LambdaFunction", ctx, done, start: float, kind: int) -> None:
        self.fn, self.ctx, self.done, self.start, self.kind = fn, ctx, done, start, kind
        self.epoch = fn.sim.epoch
        # steps, index and over are set only for an invocation with downstream calls

    def handler_done(self, _event) -> None:
        """The handler's own time is over: make the downstream calls, if any."""
        self.next_step(OK, 0.0)

    def next_step(self, status: int, t_end: float) -> None:
        """The previous call answered `status`: make the next one, or end the invocation.
        Calls nobody waits for (asynchronous ones) are made one after another at once."""
        if self.over:
            return  # cut off at its timeout while this call ran
        fn = self.fn
        if status != OK:
            if status == THROTTLED:  # the SDK retries the call
                # (the callee recorded which limit refused it: concurrency, scaling or invocation rate)
                SdkRetry(self).after_attempt(1)
                return
            fn.complete_invocation(self, ERROR)
            return
        steps = self.steps
        while self.index < len(steps):
            if fn.env.now >= self.start + fn.timeout_s:
                fn.complete_invocation(self, ERROR)
                return
            edge = steps[self.index]
            self.index += 1
            if edge.waits:
                edge.target.call(self.ctx, self.next_step, edge)
                return
            edge.target.call(self.ctx, None, edge)
        fn.complete_invocation(self, OK)

    def succeeded(self, _event) -> None:
        """The handler's time is over and there are no downstream calls to make."""
        self.fn.complete_invocation(self, OK)

    def timed_out(self, _event) -> None:
        self.fn.complete_invocation(self, ERROR)


class SdkRetry:
    """The SDK retrying a synchronous call that was throttled (standard mode: at most
    SDK_MAX_ATTEMPTS attempts, jittered backoff); made only when a call is throttled."""

    __slots__ = ("inv", "attempt")

    def __init__(self, inv: Invocation) -> None:
        self.inv = inv
        self.attempt = 1

    def after_attempt(self, attempt: int) -> None:
        """Attempt `attempt` was throttled: try again after the backoff, or give up."""
        inv = self.inv
        fn = inv.fn
        if attempt >= SDK_MAX_ATTEMPTS:
            fn.complete_invocation(inv, ERROR)
            return
        self.attempt = attempt + 1
        fn.sim.after(sdk_backoff_s(attempt, fn.rng), self.call_again)

    def call_again(self, _event) -> None:
        inv = self.inv
        if not inv.over:  # unless the timeout came first
            edge = inv.steps[inv.index - 1]
            edge.target.call(inv.ctx, self.answer, edge)

    def answer(self, status: int, t_end: float) -> None:
        if status == THROTTLED and not self.inv.over:
            self.after_attempt(self.attempt)
        else:
            self.inv.next_step(status, t_end)


class AsyncEvent:
    """An event in Lambda's internal queue, retried as AWS does."""

    __slots__ = ("fn", "ctx", "first", "retries", "backoff")

    def __init__(self, fn: "LambdaFunction", ctx, now: float) -> None:
        self.fn, self.ctx, self.first = fn, ctx, now
        self.retries = 0
        self.backoff = ASYNC_THROTTLE_FIRST_S

    def attempt(self, _event=None) -> None:
        self.fn.run(self.ctx, self.result, rate_limited=False)

    def result(self, status: int, t_end: float) -> None:
        fn, now = self.fn, self.fn.env.now
        if status == OK:
            return
        if status == THROTTLED:
            if now + self.backoff - self.first <= ASYNC_MAX_AGE_S:
                fn.sim.after(self.backoff, self.attempt)
                self.backoff = min(2 * self.backoff, ASYNC_THROTTLE_MAX_S)
                return
        elif self.retries < fn.max_retries:
            delay = ASYNC_ERROR_RETRY_DELAYS_S[min(self.retries, len(ASYNC_ERROR_RETRY_DELAYS_S) - 1)]
            self.retries += 1
            fn.sim.after(delay, self.attempt)
            return
        fn.give_up(self.ctx)


class LambdaFunction(Behaviour):
    """A function. Its own state is in slots: CPython 3.11 keeps an object's dict attributes
    in a compact, fast layout only up to about 30 of them, and the base class's plus a
    function's were more (every attribute read on the hottest path was then measurably
    slower: about 5 % of a run). Name new state here too (test_hot_path_layout checks)."""

    __slots__ = ("handler", "per_record_ms", "cold", "timeout_ms", "timeout_s", "idle_timeout",
                 "error_rate", "max_retries", "memory_gb", "handler_scale", "provisioned", "prov_idle",
                 "idle", "scale", "pool", "invocations", "billed_ms", "sync_edges", "fixed_steps",
                 "failure_edges", "waits_downstream", "watched", "watch_armed")
    counts_loops_for = True

    def setup(self) -> None:
        c = self.config
        self.handler = sampler(c["duration_ms"], self.rng)
        self.per_record_ms = float(c["per_record_ms"])
        self.cold = sampler(c["cold_start_ms"], self.rng)
        self.timeout_ms = float(c["timeout_s"]) * 1000.0
        self.timeout_s = float(c["timeout_s"])
        self.idle_timeout = float(c["idle_timeout_s"])
        self.error_rate = float(c["error_rate"])
        self.max_retries = int(c["max_retry_attempts"])
        self.memory_gb = float(c["memory_mb"]) / 1024.0
        self.handler_scale = 1.0
        self.provisioned = int(c["provisioned_concurrency"])
        self.prov_idle = self.provisioned
        self.idle: deque[float] = deque()  # last-use times of idle on-demand environments; MRU right
        self.scale: ScaleUpRate | None = None  # set in wired()
        self.pool: ConcurrencyPool | None = None
        s = self.sim.series
        self.stats.instances = TimedLevel(s, s.new(self.id, "instances", "area"))
        self.stats.instances.move(0.0, self.provisioned)
        # billing counters kept as plain numbers on the hot path, written to usage at the end
        self.invocations = 0
        self.billed_ms = [0, 0]  # on-demand, provisioned: sum of durations rounded up to 1 ms
        self.sync_edges: list = []
        self.fixed_steps: tuple | None = ()  # the downstream calls when no `calls` is fractional
        self.failure_edges: list = []
        # running invocations that may wait on a downstream call at their timeout, in start
        # order (so in deadline order: every one has the same timeout), and whether a timer
        # is set for the first one's deadline
        self.waits_downstream = False
        self.watched: dict[Invocation, None] = {}
        self.watch_armed = False

    def wired(self) -> None:
        self.scale = ScaleUpRate(self)
        self.sync_edges = self.edges(*SYNC_KINDS)
        if all(not e.chance for e in self.sync_edges):
            self.fixed_steps = tuple(e for e in self.sync_edges for _ in range(e.whole))
        else:
            self.fixed_steps = None  # drawn per invocation
        self.waits_downstream = any(e.waits for e in self.sync_edges)
        self.failure_edges = self.edges("on_failure")

    # -- entry points --------------------------------------------------------------------

    def call(self, ctx, done, edge) -> None:
        if edge.synchronous:  # an Invoke API call (RequestResponse): rate limited
            if self.in_cycle:
                self.invoke(ctx, done, rate_limited=True)
            else:
                self.run(ctx, done)
            return
        ctx, go = self.enter_loop(ctx, None)
        if go:
            AsyncEvent(self, ctx, self.env.now).attempt()
        if done is not None:
            done(OK, self.env.now)  # 202 Accepted

    def record_ms(self, mapping_config) -> float:
        """Handler time each record adds to a batch from an event source mapping: the
        mapping's `per_record_ms` when it sets one, else this function's."""
        own = mapping_config.get("per_record_ms")
        return self.per_record_ms if own is None else float(own)

    def invoke(self, ctx, done, extra_ms: float = 0.0, rate_limited: bool = False) -> None:
        """A synchronous invocation: by an event source mapping (not `rate_limited`: AWS
        documents the invocation rate for Invoke requests), or an Invoke call in a loop.
        `extra_ms`: handler time a batch adds for its records (per_record_ms each)."""
        if self.in_cycle:
            ctx, go = self.enter_loop(ctx, done)
            if not go:
                return
        self.run(ctx, done, rate_limited, extra_ms)

    @classmethod
    def share_account(cls, functions: list[Behaviour], account_setting) -> None:
        """Reserved functions get their own pool; the others share what is left of the
        account's concurrency limit."""
        reserved = sum(f.config["reserved_concurrency"] or 0 for f in functions)
        shared = ConcurrencyPool(max(0, int(account_setting("concurrency_limit")) - reserved), functions[0],
                                 "account", float(account_setting("lambda_invocation_rps")))
        for fn in functions:
            limit = fn.config["reserved_concurrency"]
            fn.pool = shared if limit is None else ConcurrencyPool(
                int(limit), fn, fn.id, INVOCATIONS_PER_S_PER_CONCURRENCY * int(limit))

    def scale_from_design(self, designed: dict) -> None:
        self.handler_scale = handler_time_factor(designed["memory_mb"], self.config["memory_mb"])

    def has_capacity(self) -> bool:
        return self.pool.used < self.pool.limit

    # -- environments --------------------------------------------------------------------

    def run(self, ctx, done, rate_limited: bool = True, extra_ms: float = 0.0) -> None:
        """Start an invocation in an environment: a provisioned one, else the most recently
        used idle one, else a new one (a cold start). Throttled (429) when the function is at
        its concurrency cap, over the invocation rate (synchronous Invoke calls: `rate_limited`),
        or when it may not create another environment yet. `extra_ms` is added to the handler
        time (a batch's per-record time)."""
        stats = self.stats
        now = self.env.now
        stats.requests += 1
        pool = self.pool
        if pool.used >= pool.limit:
            kind = None
            pool.refused(now)
        # (the count is a C call; over_rate() only runs in a new second or at the count)
        elif rate_limited and (now >= pool.window_end or next(pool.invocations) >= pool.per_second) \
                and pool.over_rate(now):
            kind = None
            pool.rate_refused(now)
        elif self.prov_idle:
            self.prov_idle -= 1
            kind = PROVISIONED
        else:
            idle = self.idle
            if idle and idle[0] + self.idle_timeout <= now:  # the oldest has expired
                self._expire(now)
            if idle:
                idle.pop()
                kind = WARM
            elif self.scale.take(now):
                kind = COLD
                stats.instances.up(now)
            else:
                kind = None
                self.scale.refused(now)
        if kind is None:
            self.throttle(now)
            if done is not None:
                done(THROTTLED, now)
            return
        pool.used += 1
        stats.concurrency.up(now)
        inv = Invocation(self, ctx, done, now, kind)
        ms = self.handler() * self.handler_scale
        if extra_ms:
            ms += extra_ms * self.handler_scale
        if kind == COLD:
            ms += self.cold()
            stats.cold_starts += 1
            stats.ts_cold.add(now)
        if ms >= self.timeout_ms:
            self.sim.after(self.timeout_s, inv.timed_out)
            return
        steps = self.fixed_steps
        if steps is None:
            rng = self.rng
            steps = [e for e in self.sync_edges for _ in range(e.repeats(rng))]
        if steps:
            inv.steps, inv.index, inv.over = steps, 0, False
            self.sim.after(ms / 1000.0, inv.handler_done)
            if self.waits_downstream:  # cut it off at its timeout if it still waits then
                self.watched[inv] = None
                if not self.watch_armed:
                    self.watch_armed = True
                    self.sim.after(self.timeout_s, self.cut_off_overdue)
        else:
            self.sim.after(ms / 1000.0, inv.succeeded)

    # -- timeouts during downstream calls ------------------------------------------------
    # Running invocations that may wait on a downstream call at their timeout are `watched`
    # (a dict: insertion-ordered, and an invocation leaves it as it ends, so none outlives
    # its end, which would keep the garbage collector busy); one timer per function, for
    # the earliest deadline, not one per invocation, as most end long before it.

    def cut_off_overdue(self, _event) -> None:
        """End, with an error, every watched invocation whose timeout has come; then set the
        timer for the next deadline."""
        now = self.env.now
        watched, timeout = self.watched, self.timeout_s
        while watched:
            inv = next(iter(watched))
            if inv.start + timeout > now + 1e-9:
                self.sim.after(inv.start + timeout - now, self.cut_off_overdue)
                return
            self.complete_invocation(inv, ERROR)  # timed out in a downstream call: leaves `watched`
        self.watch_armed = False

    def _expire(self, now: float) -> None:
        """Reclaim environments idle longer than idle_timeout_s, as of when they expired."""
        idle, timeout = self.idle, self.idle_timeout
        instances = self.stats.instances
        while idle and idle[0] + timeout <= now:
            instances.down(idle.popleft() + timeout)  # recorded late: the level backdates it

    def complete_invocation(self, inv: Invocation, status: int) -> None:
        if self.waits_downstream:  # a late answer to it must be ignored; no timeout to watch
            inv.over = True
            self.watched.pop(inv, None)
        now = self.env.now
        ms = (now - inv.start) * 1000.0
        if ms > self.timeout_ms:
            status, ms = ERROR, self.timeout_ms
        if status == OK and self.error_rate and self.rng.random() < self.error_rate:
            status = ERROR
        # release the environment and the concurrency
        if inv.kind == PROVISIONED:
            self.prov_idle += 1
        else:
            self.idle.append(now)
        self.stats.concurrency.down(now)
        pool = self.pool
        pool.used -= 1
        if pool.waiters:
            pool.release_waiters()
        self.invocations += 1
        self.billed_ms[inv.kind == PROVISIONED] += _ceil(ms - 1e-9)
        if inv.epoch != self.sim.epoch:
            pass  # arrived before the end of warm-up: not recorded
        elif status == OK:
            self.complete(now, ms)
        else:
            self.stats.latency.add(ms)
            self.error(now)
        if inv.done is not None:
            inv.done(status, now)

    def give_up(self, ctx) -> None:
        """An async event out of retries: to the on-failure destination, if any."""
        for edge in self.failure_edges:
            edge.target.call(ctx, None, edge)

    def finish(self, now: float) -> None:
        self._expire(now)
        super().finish(now)

    def restart(self, now: float) -> None:
        super().restart(now)
        self.invocations = 0
        self.billed_ms = [0, 0]

    def close_usage(self, measured_s: float) -> None:
        usage = self.usage
        usage["requests"] = float(self.invocations)
        usage["duration_gb_s"] = self.billed_ms[0] / 1000.0 * self.memory_gb
        usage["provisioned_duration_gb_s"] = self.billed_ms[1] / 1000.0 * self.memory_gb
        usage["provisioned_gb_s"] = self.provisioned * self.memory_gb * measured_s

    def assumptions(self) -> list[str]:
        return [
            "Lambda: one request per environment; idle environments reused most-recently-used "
            "first and reclaimed after idle_timeout_s; provisioned environments serve first and "
            "are never cold; concurrency capped by reserved_concurrency or the account pool "
            "(limit minus all reservations); at most 1,000 new environments per 10 s per function "
            "(token bucket, 100/s refill); synchronous callers get 429 at the cap.",
            "Lambda invocation rate (synchronous Invoke requests; asynchronous invocations and "
            "event source mappings are bounded by concurrency only): unreserved functions share 10 x "
            "the account concurrency limit per second (account.quotas.lambda_invocation_rps), a "
            "reserved function 10 x its reserved_concurrency; at most that many start in each whole "
            "second, checked after the concurrency cap; a refused invocation is throttled (429) like "
            "one at the cap.",
            "Lambda async invocations (S3, SNS, EventBridge, Event invoke): throttles retried "
            "with backoff 1 s doubling to 5 min for up to 6 h; errors retried max_retry_attempts "
            "times after 1 min and 2 min, then sent to on_failure edges.",
            "Lambda duration = cold start + handler time + synchronous downstream calls in edge "
            "order; a failed downstream call fails the invocation; at timeout_s the invocation "
            "ends with an error billed at timeout_s, even in the middle of a synchronous "
            "downstream call (its environment is freed and the error returned then; the "
            "service or function called runs on and is billed). A batch from SQS or a stream "
            "takes one handler time plus per_record_ms per record (default 0). A synchronous "
            "call throttled by another function is retried by the SDK (standard mode: 3 "
            "attempts, backoff random(0,1) x 2^(n-1) s).",
            "Lambda memory: duration_ms is the handler time at the design's memory_mb; a scenario "
            "override of memory_mb scales it by min(design, 1769) / min(new, 1769) (CPU share "
            "proportional to memory up to one vCPU at 1,769 MB, CPU-bound handler).",
            "Lambda billing: duration (cold start included) rounded up to 1 ms x memory; "
            "provisioned capacity billed for the whole measured window.",
        ]
