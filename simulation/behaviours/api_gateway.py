"""API Gateway: token-bucket throttling, routes, integration timeout.

Rules (API Gateway Developer Guide, api-gateway-request-throttling.html and
limits): the stage's throttle is a token bucket of `throttle_burst` tokens refilled at
`throttle_rate_rps` (full at the start); a request finding it empty gets 429 Too Many
Requests. Every API of the account and region also shares the account throttle
(`api_gateway_rps` / `api_gateway_burst` quotas: 10,000 req/s and 5,000 in most regions),
checked after the stage's; when the stages together can never exceed it (their rates and
bursts add up to no more than the account's) it can never refuse, and is skipped. Accepted requests pay `overhead_ms`, then go to one route: with several
routes, a route is picked with probability proportional to its edge's `calls` (a total
below 1 leaves the rest unrouted: answered by API Gateway alone). If the integration has
not answered after `timeout_ms` (at most 29 s for a REST API, as the exporters write it;
an HTTP API's may not exceed 30 s, a validation error) the client gets 504 at that time,
while the backend runs on. Latency at API Gateway = response time of accepted requests
(errors included).
"""

from __future__ import annotations

from model.aws.wiring import integration_timeout_ms

from .base import ERROR, OK, THROTTLED, Behaviour, TokenBucket, sampler


class ApiRequest:
    __slots__ = ("api", "ctx", "done", "start", "epoch")

    def __init__(self, api: "Api", ctx, done, start: float) -> None:
        self.api, self.ctx, self.done, self.start = api, ctx, done, start
        self.epoch = api.sim.epoch

    def forward(self, _event) -> None:
        api = self.api
        route = api.only_route or api.pick_route()
        if route is None:
            self.reply(OK, api.env.now)
        elif route.target.caller_waits:
            route.target.call(self.ctx, self.reply, route)
        else:
            route.target.call(self.ctx, None, route)
            self.reply(OK, api.env.now)

    def reply(self, status: int, t_end: float) -> None:
        api = self.api
        now = api.env.now
        api.stats.concurrency.down(now)
        ms = (now - self.start) * 1000.0
        t_end = now
        if ms > api.timeout_ms:  # 504: the client stopped waiting at the timeout
            status, ms, t_end = ERROR, api.timeout_ms, self.start + api.timeout_ms / 1000.0
        if self.epoch != api.sim.epoch:
            pass  # arrived before the end of warm-up: not recorded
        elif status == OK:
            api.complete(t_end, ms)
        else:
            api.stats.latency.add(ms)
            api.error(t_end)
        if self.done is not None:
            self.done(status if status != THROTTLED else ERROR, t_end)


class Api(Behaviour):
    def setup(self) -> None:
        c = self.config
        self.bucket = TokenBucket(float(c["throttle_rate_rps"]), float(c["throttle_burst"]))
        self.stage_refused = self.limit("api_gateway_stage_rps")
        self.account_bucket: TokenBucket | None = None  # share_account: the account throttle
        self.account_refused = self.stage_refused
        self.overhead_s = sampler(c["overhead_ms"], self.rng, 0.001)
        self.timeout_ms = float(integration_timeout_ms(c))  # as exported: at most 29 s (REST), 30 s (HTTP)
        self.routes: list = []
        self.weights: list[float] = []
        self.only_route = None  # one route taken by every request: no draw

    def wired(self) -> None:
        self.routes = list(self.out)
        total = sum(e.calls for e in self.routes)
        scale = max(1.0, total)
        running, self.weights = 0.0, []
        for edge in self.routes:
            running += edge.calls / scale
            self.weights.append(running)
        if len(self.routes) == 1 and self.routes[0].calls >= 1:
            self.only_route = self.routes[0]

    def pick_route(self):
        """One route in proportion to the edges' calls, or None (unrouted); only when there
        is no `only_route`."""
        u = self.rng.random()
        for edge, upper in zip(self.routes, self.weights):
            if u < upper:
                return edge
        return None

    @classmethod
    def share_account(cls, apis, account_setting) -> None:
        """The account throttle every API shares, unless the stages can never exceed it (a
        token bucket lets through at most its burst plus its rate x time, so what the
        stages let through is within the account's bucket when their sums are)."""
        rate, burst = float(account_setting("api_gateway_rps")), float(account_setting("api_gateway_burst"))
        binding = (sum(api.bucket.rate for api in apis) > rate or sum(api.bucket.size for api in apis) > burst)
        shared = TokenBucket(rate, burst) if binding else None
        refused = apis[0].limit("api_gateway_account_rps", "account")
        for api in apis:
            api.account_bucket, api.account_refused = shared, refused

    def call(self, ctx, done, edge) -> None:
        now = self.env.now
        stats = self.stats
        stats.requests += 1
        if not self.bucket.take(now):
            self.refuse(now, done, self.stage_refused)
            return
        if self.account_bucket is not None and not self.account_bucket.take(now):
            self.refuse(now, done, self.account_refused)
            return
        self.usage["requests"] += 1
        stats.concurrency.up(now)
        self.sim.after(self.overhead_s(), ApiRequest(self, ctx, done, now).forward)

    def refuse(self, now: float, done, limit_refused) -> None:
        """429 Too Many Requests, because of the limit `limit_refused` records."""
        limit_refused(now)
        self.throttle(now)
        if done is not None:
            done(THROTTLED, now)

    def assumptions(self) -> list[str]:
        return ["API Gateway: token bucket of throttle_burst refilled at throttle_rate_rps (full at "
                "the start), 429 when empty; then the account throttle all APIs share (quotas "
                "api_gateway_rps / api_gateway_burst, 10,000 req/s and 5,000 in most regions, "
                "2,500 and 1,250 in the smaller ones), 429 when empty; one route per request, picked "
                "in proportion to the edges' calls; 504 after timeout_ms (at most 29 s for REST APIs, "
                "as exported) while the backend runs on; latency = response "
                "time of accepted requests."]
