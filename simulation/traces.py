"""Request journeys: a seeded sample of requests followed through the design, span by
span, like a distributed trace (DESIGN.md section 4, `traces`).

What a journey is. A traced request carries a `Traced` context instead of the usual
loop-counting one: a dict of loop counts like any context (so loop detection is
unchanged) that also names the journeys it belongs to. Every behaviour passes its
context on to the calls it makes (synchronous and asynchronous, through queues and
streams), so the journey follows the request wherever it goes. Where a node takes a
request, one check (`ctx.__class__ is Traced`) opens a span for it: its node, when it
started and ended (ms from the journey's start), whether it was a cold start, how long
it waited (in a queue or a stream before a consumer took it; in SDK back-off between
retries), how many times the SDK retried it, and how it ended (ok, throttled, error,
timeout). A span ends when the node answers its caller (the `done` callback is
wrapped; a call to a quota-guarded API, base.QuotaCall, spans every attempt, and a publish
nobody waits for ends when it is accepted, a Standard execution when it ends), or, for a
queue or a stream, when a consumer receives the message. A batch of
messages carries on the journeys of every traced message in it.
The journey's `outcome` is what the client at the entry point got, as in `entries`.

Sampling, bounded. Which arrivals are traced is drawn from the recorder's own random
stream, seeded from (seed, "traces"): no node's draws change, so a run with tracing
gives exactly the same statistics as one without. Each arrival gets (conceptually) a
uniform key and is traced when its key is below the threshold; the threshold only ever
falls, and when it does, the journeys whose key is no longer below it are dropped. So
the journeys kept are a uniform sample of the run's arrivals, spread over the whole
run. It starts at 1 (every arrival); once PROJECT_AFTER arrivals are seen it falls to
aim at SHARE of the arrivals projected for the run (from the rate so far), but at least
MIN_TRACES and at most `limit` (MAX_TRACES; the designer asks for TEACHING_TRACES and
TEACHING_SHARE); and it halves whenever more than `limit`
journeys are kept (a load that grows later in the run). The cost: about
PROJECT_AFTER + max(MIN_TRACES, SHARE x N) of the N requests of a run are followed (a
journey costs about as much again as the request itself), and an untraced request pays
one comparison at its arrival and one check per node it visits.
"""

from __future__ import annotations

import math
import random
from typing import Callable

MAX_TRACES = 300  # journeys kept per run, at most
MIN_TRACES = 100  # aimed at, at least (short runs: every arrival, up to this)
SHARE = 0.01  # of the projected arrivals, aimed at between the two
# The designer's teaching replay wants denser dots, and a run in the designer can afford
# following more requests (the statistics stay the same).
TEACHING_TRACES, TEACHING_SHARE = 2000, 0.1
PROJECT_AFTER = 50  # arrivals seen before the rate so far is trusted for a projection
_OK, _ERROR, _THROTTLED = 0, 1, 2  # the behaviours' status codes (behaviours.base)
_STATUS_WORDS = {_OK: "ok", _ERROR: "error", _THROTTLED: "throttled"}


class Span:
    __slots__ = ("node", "start", "end", "cold_start", "wait_s", "retries", "status")

    def __init__(self, node: str, start: float) -> None:
        self.node, self.start = node, start
        self.end: float | None = None
        self.cold_start = False
        self.wait_s = 0.0
        self.retries = 0
        self.status = "in flight"

    def to_json(self, t0: float, run_end: float) -> dict:
        end = self.end if self.end is not None else run_end
        return {"node": self.node, "start_ms": _ms(self.start - t0), "end_ms": _ms(end - t0),
                "cold_start": self.cold_start, "wait_ms": _ms(self.wait_s), "retries": self.retries,
                "status": self.status}


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)


class Journey:
    __slots__ = ("entry", "start", "key", "outcome", "spans", "dropped")

    def __init__(self, entry: str, start: float, key: float) -> None:
        self.entry, self.start, self.key = entry, start, key
        self.outcome: str | None = None  # set when the entry's client gets its answer
        self.spans: list[Span] = []
        self.dropped = False

    def to_json(self, run_end: float) -> dict:
        return {"entry": self.entry, "start_s": round(self.start, 6), "outcome": self.outcome,
                "spans": [span.to_json(self.start, run_end) for span in self.spans]}


class Traced(dict):
    """The context of a traced request: loop counts (what every context is) plus the
    journeys it belongs to. `copy()` keeps the journeys (loop detection copies contexts)."""

    __slots__ = ("journeys",)

    def copy(self) -> "Traced":
        twin = Traced(self)
        twin.journeys = self.journeys
        return twin

    def enter(self, node, done: Callable | None, now: float) -> "SpanEnd":
        """`node` takes the request now: open a span, and return the `done` to use
        instead of the caller's (it ends the span, then answers the caller)."""
        spans = [_open(journey, node.id, now) for journey in self.journeys if not journey.dropped]
        return SpanEnd(spans, done, getattr(node, "timeout_ms", None))

    def waited(self, node_id: str, since: float, now: float, receives: int = 1) -> None:
        """A message or record waited at `node_id` from `since` until a consumer took it now."""
        for journey in self.journeys:
            if not journey.dropped:
                span = _open(journey, node_id, since)
                span.end, span.wait_s, span.retries, span.status = now, now - since, receives - 1, "ok"


def _open(journey: Journey, node_id: str, now: float) -> Span:
    span = Span(node_id, now)
    journey.spans.append(span)
    return span


class SpanEnd:
    """The `done` of a traced call: ends its spans (ok, throttled, error, or timeout
    when the node's own timeout ran out), then answers the caller, if one waits."""

    __slots__ = ("spans", "done", "timeout_ms")

    def __init__(self, spans: list[Span], done: Callable | None, timeout_ms: float | None) -> None:
        self.spans, self.done, self.timeout_ms = spans, done, timeout_ms

    def __call__(self, status: int, t_end: float) -> None:
        word = _STATUS_WORDS.get(status, "error")
        for span in self.spans:
            span.end = t_end
            timed_out = status == _ERROR and self.timeout_ms and (t_end - span.start) * 1000.0 >= self.timeout_ms - 1e-6
            span.status = "timeout" if timed_out else word
        if self.done is not None:
            self.done(status, t_end)

    def cold(self) -> None:
        for span in self.spans:
            span.cold_start = True

    def retried(self, wait_s: float) -> None:
        """The SDK retries a refused attempt after `wait_s` of back-off."""
        for span in self.spans:
            span.retries += 1
            span.wait_s += wait_s


class JourneyEnd:
    """The `done` of the entry request: records what its client got, then counts it."""

    __slots__ = ("journey", "done")

    def __init__(self, journey: Journey, done: Callable) -> None:
        self.journey, self.done = journey, done

    def __call__(self, status: int, t_end: float) -> None:
        journey = self.journey
        if status == _OK:
            journey.outcome = "ok"
        elif any(span.status == "timeout" for span in journey.spans):
            journey.outcome = "timeout"
        elif status == _THROTTLED or any(span.status == "throttled" for span in journey.spans):
            journey.outcome = "throttled"
        else:
            journey.outcome = "error"
        self.done(status, t_end)


class Recorder:
    """Chooses which arrivals to trace and keeps their journeys (see the module's text).
    `arrivals()` counts the run's arrivals so far (the engine's entry points)."""

    def __init__(self, seed: int, duration_s: float, arrivals: Callable[[], int], limit: int = MAX_TRACES,
                 share: float = SHARE) -> None:
        self.rng = random.Random(f"{seed}:traces")
        self.duration_s, self.arrivals, self.limit, self.share = duration_s, arrivals, limit, share
        self.threshold = 1.0  # an arrival is kept when its key is below this
        self.projected = False  # the threshold was set from a projection of the run's arrivals
        self.journeys: list[Journey] = []
        self.followed = 0  # journeys started, kept or not (the cost)

    def gap(self) -> tuple[int, float]:
        """(arrivals until the next one to trace, the threshold it was drawn at)."""
        p = self.threshold
        if p >= 1.0:
            return 1, p
        return 1 + int(math.log(1.0 - self.rng.random()) / math.log(1.0 - p)), p

    def begin(self, entry: str, now: float, drawn_at: float, done: Callable) -> tuple[Traced | None, Callable]:
        """An arrival chosen at threshold `drawn_at`: (its context, its done) when it is
        still in the sample, else (None, done): the request goes untraced."""
        if not self.projected:
            self._project(now)
        key = self.rng.random() * drawn_at
        if key >= self.threshold:
            return None, done
        journey = Journey(entry, now, key)
        self.followed += 1
        self.journeys.append(journey)
        if len(self.journeys) > self.limit:
            self._lower(self.threshold / 2.0)
        ctx = Traced()
        ctx.journeys = (journey,)
        return ctx, JourneyEnd(journey, done)

    def _project(self, now: float) -> None:
        """Once enough arrivals are seen, aim at SHARE of the run's projected arrivals."""
        seen = self.arrivals()
        if seen < PROJECT_AFTER or now <= 0:
            return
        self.projected = True
        projected = seen * self.duration_s / now
        wanted = min(self.limit, max(MIN_TRACES, self.share * projected))
        if wanted < projected:
            self._lower(min(self.threshold, wanted / projected))

    def _lower(self, threshold: float) -> None:
        """A lower threshold: drop the journeys whose key is no longer below it (and halve
        on while more than `limit` are kept)."""
        self.threshold = threshold
        while True:
            kept = []
            for journey in self.journeys:
                if journey.key < self.threshold:
                    kept.append(journey)
                else:
                    journey.dropped = True
            self.journeys = kept
            if len(kept) <= self.limit:
                return
            self.threshold /= 2.0

    def export(self, run_end: float) -> tuple[dict, ...]:
        """The journeys whose client got an answer, in start order, as JSON-ready dicts."""
        return tuple(j.to_json(run_end) for j in sorted(self.journeys, key=lambda j: j.start) if j.outcome)


def batch_context(first, contexts) -> object:
    """The context a consumer invocation of a batch carries: the first message's (its
    loop counts), joined by the journeys of every traced message in the batch."""
    journeys = []
    for ctx in contexts:
        if ctx.__class__ is Traced:
            journeys.extend(ctx.journeys)
    if not journeys:
        return first
    joined = Traced(first or {})
    joined.journeys = tuple(dict.fromkeys(journeys))
    return joined
