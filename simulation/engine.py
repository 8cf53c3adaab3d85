"""`simulate()`: build the network of behaviours from a design, drive it with the
scenario's load on SimPy, and collect a `Result`.

A pure function of its inputs: every random draw comes from per-node / per-load streams
seeded from (seed, name), nothing global is touched, the caller's design is never mutated,
and the inputs and the result pickle both ways.
"""

from __future__ import annotations

import copy
import math
import time
from typing import Callable

import networkx as nx

from model.architecture import Architecture, Scenario
from model.catalogue import edge_rule
from model.errors import StratusError
from model.graph import trigger_graph
from model.validation import errors, validate

from .behaviours import REGISTRY
from .behaviours.base import OK, Behaviour, OutEdge, Sim, entry_edge
from .cost import estimate_cost
from .metrics import SERIES_CAP, LatencyHistogram, SeriesSet
from .results import EntryStats, Latency, LimitHit, NodeStats, Result, TimeSeries
from .simpy_compat import StopSimulation
from .traces import MAX_TRACES, SHARE, Recorder
from .workloads import arrivals

# The engine steps SimPy's event loop itself, CHECK_EVERY_EVENTS events at a time, then:
# - looks at the wall clock, and calls cancel()/progress() every CHECK_INTERVAL_S of wall
#   time (so a simulated week stops as fast as a minute; worst case between two looks:
#   CHECK_INTERVAL_S plus the time of CHECK_EVERY_EVENTS events, a few ms);
# - every FOLD_EVERY_CHECKS rounds, folds the statistics (metrics: recording appends to
#   buffers, folding does the arithmetic in bulk), which keeps the buffers small.
CHECK_EVERY_EVENTS = 1024
CHECK_INTERVAL_S = 0.1
FOLD_EVERY_CHECKS = 32
ENGINE_ASSUMPTIONS = (
    "Measured window: statistics describe the requests that ARRIVED at a node (or entry) at or "
    "after warmup_s; a request that arrived during warm-up is not counted, even when it "
    "completes, fails or is received after it, and requests still in flight at the end are "
    "counted in requests only. So at every node completed + errors + throttled <= requests "
    "and at every entry succeeded + failed <= requests (the difference is what was in flight "
    "at the end). Concurrency, backlog and instance averages are time averages over the "
    "window; billing usage counts the work done inside it. completed = finished "
    "successfully; errors = failed (timeouts, error_rate, failed downstream calls, "
    "dead-lettered messages, loops stopped).",
    "SDK calls (DynamoDB, S3, Kinesis puts): each attempt is one request; a refused attempt "
    "the SDK retries counts as throttled, the last refused attempt of a call it gives up on "
    "as an error. A stream record its reader skipped after its retries turns its write from "
    "completed into an error at the stream or table.",
    "A request chain that passes through the same Lambda function, SQS queue or SNS topic more "
    "than 16 times is dropped (AWS recursive loop detection) and counted in that node's errors.",
    "Entries: end-to-end view of each load entry point; succeeded = the whole synchronous chain "
    "succeeded; latency = response time of succeeded requests.",
    "Edge calls: the integer part is made every time, the fraction is a probability.",
    "Limits hit: every AWS limit that refused or delayed work in the measured window, with the "
    "time it first did and how often: refused attempts (each SDK retry and a last attempt the "
    "SDK gave up on count), event source batches that waited for Lambda concurrency, Step "
    "Functions transitions that waited for their quota. Regional quotas are AWS's published "
    "defaults for the design's region unless account.quotas overrides them.",
)


class Cancelled(Exception):
    """Raised by simulate() and sweep.run_sweep() when their `cancel` callback asked to stop."""


def simulate(arch: Architecture, scenario: str | Scenario | None = None, seed: int | None = None,
             duration_s: float | None = None, *, base_dir: str | None = None, free_tier: bool = False,
             progress: Callable[[float], None] | None = None,
             cancel: Callable[[], bool] | None = None, traces: int = MAX_TRACES,
             trace_share: float = SHARE) -> Result:
    """Run one scenario of a design and return its Result (see DESIGN.md section 4).
    `traces`: how many request journeys to keep at most, and `trace_share` the share of
    the arrivals aimed at (simulation/traces.py; traces=0: none)."""
    chosen = _pick_scenario(arch, scenario)
    design = _design_for(arch, chosen)
    _check(design, chosen, base_dir, duration_s)
    run_seed = chosen.seed if seed is None else int(seed)
    duration = float(chosen.duration_s if duration_s is None else duration_s)
    run = Run(design, arch, chosen, run_seed, duration, base_dir, traces, trace_share)
    run.execute(progress, cancel)
    return run.result(free_tier)


# -- preparing ---------------------------------------------------------------------------


def _pick_scenario(arch: Architecture, scenario: str | Scenario | None) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    return arch.pick_scenario(scenario)


def _design_for(arch: Architecture, scenario: Scenario) -> Architecture:
    """A copy of the design with the scenario's overrides applied (the caller's is untouched)."""
    design = arch.copy()
    for node_id, fields in scenario.overrides.items():
        if node_id in design.nodes:
            design.nodes[node_id].config.update(copy.deepcopy(fields))
    if design.scenario(scenario.name) is not scenario:
        design.scenarios = [s for s in design.scenarios if s.name != scenario.name] + [copy.deepcopy(scenario)]
    return design


def _check(design: Architecture, scenario: Scenario, base_dir: str | None, duration_s: float | None) -> None:
    bad = errors(validate(design, base_dir=base_dir))
    if bad:
        listing = "\n".join(f"  - {p.format()}" for p in bad)
        raise StratusError(f"design '{design.name}' has {len(bad)} problem(s):\n{listing}")
    if duration_s is not None and not (isinstance(duration_s, (int, float)) and math.isfinite(duration_s)
                                       and duration_s > 0):
        raise StratusError(f"duration must be a positive number of seconds, got {duration_s!r}")
    if duration_s is not None and scenario.warmup_s >= duration_s:
        raise StratusError(f"scenario '{scenario.name}': warmup_s {scenario.warmup_s} leaves nothing "
                           f"of a {duration_s} s run to measure")


def _initial_width(duration: float) -> float:
    """Start the series at 1 s buckets, coarser (powers of two) when the run is long."""
    width = 1.0
    while duration / width > SERIES_CAP:
        width *= 2
    return width


# -- running -----------------------------------------------------------------------------


class EntryPoint:
    """The end-to-end view of one load entry node. With a trace recorder, the arrival
    numbered `trace_at` (counted in `requests`) starts a traced journey."""

    def __init__(self, behaviour: Behaviour, recorder: Recorder | None = None) -> None:
        self.behaviour = behaviour
        self.edge = entry_edge(behaviour)
        self.requests = self.succeeded = self.failed = 0
        self.before_warmup = 0  # arrivals counted before the end of warm-up
        self.latency = LatencyHistogram()
        self.recorder = recorder
        self.trace_at, self.trace_p = (math.inf, 0.0) if recorder is None else recorder.gap()

    def restart(self) -> None:
        """End of warm-up (Sim.epoch already moved on: older requests are ignored)."""
        self.trace_at -= self.requests  # arrivals are counted afresh
        self.before_warmup += self.requests
        self.requests = self.succeeded = self.failed = 0
        self.latency = LatencyHistogram()

    def traced(self, now: float, done):
        """The arrival to trace is here: (its context, its done); and the next one drawn."""
        ctx, done = self.recorder.begin(self.behaviour.id, now, self.trace_p, done)
        gap, self.trace_p = self.recorder.gap()
        self.trace_at = self.requests + gap
        return ctx, done

    def stats(self) -> EntryStats:
        edges, counts = self.latency.coarse()
        return EntryStats(self.requests, self.succeeded, self.failed, Latency(**self.latency.summary()),
                          tuple(edges), tuple(counts))


class _EntryRequest:
    __slots__ = ("entry", "start", "epoch")

    def __init__(self, entry: EntryPoint, start: float, epoch: int) -> None:
        self.entry, self.start, self.epoch = entry, start, epoch

    def done(self, status: int, t_end: float) -> None:
        entry = self.entry
        if self.epoch != entry.behaviour.sim.epoch:
            return  # arrived before the end of warm-up: not recorded
        if status == OK:
            entry.succeeded += 1
            entry.latency.add((t_end - self.start) * 1000.0)
        else:
            entry.failed += 1


class LoadDriver:
    """Pulls arrival times from a generator and schedules one event per arrival (`arrive`
    is the hottest path of a run: one call per request, so it does its work itself)."""

    __slots__ = ("sim", "env", "times", "entry")

    def __init__(self, sim: Sim, times, entry: EntryPoint) -> None:
        self.sim, self.env, self.times, self.entry = sim, sim.env, times, entry

    def schedule_next(self) -> None:
        t = next(self.times, None)
        if t is not None:
            self.sim.after(max(0.0, t - self.env.now), self.arrive)

    def arrive(self, _event) -> None:
        entry, now = self.entry, self.env.now
        entry.requests += 1
        done = _EntryRequest(entry, now, self.sim.epoch).done
        if entry.requests < entry.trace_at:  # the one check an untraced arrival pays
            entry.behaviour.call(None, done, entry.edge)
        else:
            entry.behaviour.call(*entry.traced(now, done), entry.edge)
        t = next(self.times, None)  # then as schedule_next
        if t is not None:
            self.sim.after(max(0.0, t - self.env.now), self.arrive)


class Run:
    """One simulation run: the network, its loads, and the result collection."""

    def __init__(self, design: Architecture, original: Architecture, scenario: Scenario, seed: int,
                 duration: float, base_dir: str | None, traces: int = MAX_TRACES,
                 trace_share: float = SHARE) -> None:
        self.design, self.scenario, self.seed, self.duration = design, scenario, seed, duration
        self.recorder = Recorder(seed, duration, self._arrivals, traces, trace_share) if traces > 0 else None
        self.warmup = float(scenario.warmup_s or 0.0)
        self.sim = Sim(seed, duration, SeriesSet(width=_initial_width(duration)))
        self.nodes = self._build_nodes(original)
        self._share_account()
        self._wire_edges()
        self._mark_loops()
        for behaviour in self.nodes.values():
            behaviour.wired()
        self.entries: dict[str, EntryPoint] = {}
        self._start_loads(base_dir)

    def _build_nodes(self, original: Architecture) -> dict[str, Behaviour]:
        """One behaviour per node, told its config as designed (`original`: before the
        scenario's overrides)."""
        nodes = {}
        for node in self.design.nodes.values():
            behaviour = REGISTRY[node.service](self.sim, node.id, node.service, node.effective_config())
            behaviour.scale_from_design(original.nodes[node.id].effective_config())
            nodes[node.id] = behaviour
        return nodes

    def _share_account(self) -> None:
        """Each behaviour class shares the account's limits among its nodes."""
        by_class: dict[type[Behaviour], list[Behaviour]] = {}
        for behaviour in self.nodes.values():
            by_class.setdefault(type(behaviour), []).append(behaviour)
        for cls, members in by_class.items():
            cls.share_account(members, self.design.account_setting)

    def _wire_edges(self) -> None:
        for edge in self.design.edges:
            source, target = self.nodes[edge.source], self.nodes[edge.target]
            rule = edge_rule(source.service, target.service, edge.kind)
            source.connect(OutEdge(edge.source, target, rule.kind, dict(edge.config),
                                   rule.is_synchronous(edge.config), float(edge.config.get("calls", 1.0))))

    def _mark_loops(self) -> None:
        graph = trigger_graph(self.design)
        for component in nx.strongly_connected_components(graph):
            for node_id in component:
                looping = len(component) > 1 or graph.has_edge(node_id, node_id)
                self.nodes[node_id].in_cycle = looping and self.nodes[node_id].counts_loops_for

    def _arrivals(self) -> int:
        """Arrivals at every entry point so far (the trace recorder's projection)."""
        return sum(entry.before_warmup + entry.requests for entry in self.entries.values())

    def _start_loads(self, base_dir: str | None) -> None:
        for index, load in enumerate(self.scenario.load):
            entry = self.entries.get(load.entry)
            if entry is None:
                entry = self.entries[load.entry] = EntryPoint(self.nodes[load.entry], self.recorder)
            rng = self.sim.rng_for(f"load:{index}:{load.entry}")
            times = arrivals(load.pattern, load.params, self.duration, rng, base_dir)
            LoadDriver(self.sim, times, entry).schedule_next()

    # -- executing -----------------------------------------------------------------------

    def execute(self, progress, cancel) -> None:
        sim = self.sim
        if self.warmup > 0:
            sim.after(self.warmup, self._end_warmup)
        if cancel is not None and cancel():
            raise Cancelled("simulation cancelled")
        self._run(progress, cancel)
        for behaviour in self.nodes.values():
            behaviour.finish(self.duration)
        if progress is not None:
            progress(1.0)

    def _run(self, progress, cancel) -> None:
        """SimPy's Environment.run(until=duration), stepping the same event loop ourselves so
        that cancel() and progress() are looked at every CHECK_INTERVAL_S of wall time and
        the statistics are folded every FOLD_EVERY_CHECKS x CHECK_EVERY_EVENTS events."""
        env, duration = self.sim.env, self.duration
        env.stop_at(duration)  # as Environment.run does: the end, before any event at that time
        step_many, clock = env.step_many, time.perf_counter
        watched = progress is not None or cancel is not None
        next_look = clock() + CHECK_INTERVAL_S
        rounds = 0
        try:
            while True:
                step_many(CHECK_EVERY_EVENTS)
                rounds += 1
                # fold between two instants, never inside one: changes at one instant are
                # applied decreases first, which needs all of them in the same fold
                if rounds >= FOLD_EVERY_CHECKS and env.peek() > env.now:
                    self._fold()
                    rounds = 0
                if watched and clock() >= next_look:
                    if cancel is not None and cancel():
                        raise Cancelled("simulation cancelled")
                    if progress is not None:
                        progress(min(env.now / duration, 0.999))
                    next_look = clock() + CHECK_INTERVAL_S
        except StopSimulation:
            pass

    def _fold(self) -> None:
        now = self.sim.now
        for behaviour in self.nodes.values():
            behaviour.stats.fold(now)
        for entry in self.entries.values():
            entry.latency.fold()
        self.sim.limits.fold()

    def _end_warmup(self, _event) -> None:
        now = self.sim.now
        self.sim.epoch += 1  # outcomes of requests stamped before now are no longer recorded
        for behaviour in self.nodes.values():
            behaviour.restart(now)
        for entry in self.entries.values():
            entry.restart()
        self.sim.limits.restart()

    # -- collecting ----------------------------------------------------------------------

    def result(self, free_tier: bool) -> Result:
        measured = self.duration - self.warmup
        usage = {}
        for node_id, behaviour in self.nodes.items():
            behaviour.close_usage(measured)
            usage[node_id] = dict(behaviour.usage)
        width, times, series = self.sim.series.export(self.duration)
        timeseries = TimeSeries(width, tuple(times), {
            n: {k: tuple(v) for k, v in s.items()} for n, s in series.items()})
        return Result(
            scenario=self.scenario.name, seed=self.seed, duration_s=self.duration,
            nodes={n: _node_stats(b, self.duration) for n, b in self.nodes.items()},
            entries={n: e.stats() for n, e in self.entries.items()},
            cost=estimate_cost(self.design, usage, measured, free_tier=free_tier), usage=usage,
            timeseries=timeseries,
            assumptions=self._assumptions(), measured_s=measured, warmup_s=self.warmup,
            limits=tuple(LimitHit(*hit) for hit in self.sim.limits.hits()),
            traces=self.recorder.export(self.duration) if self.recorder is not None else ())

    def _assumptions(self) -> tuple[str, ...]:
        seen: list[str] = list(ENGINE_ASSUMPTIONS)
        for behaviour in self.nodes.values():
            for text in behaviour.assumptions():
                if text not in seen:
                    seen.append(text)
        return tuple(seen)


def _node_stats(behaviour: Behaviour, end: float) -> NodeStats:
    s = behaviour.stats
    instances = s.instances.mean(end) if s.instances is not None else 0.0
    return NodeStats(
        service=behaviour.service, requests=s.requests, completed=s.completed, throttled=s.throttled,
        errors=s.errors, cold_starts=s.cold_starts, latency_ms=Latency(**s.latency.summary()),
        mean_concurrency=s.concurrency.mean(end), max_concurrency=s.concurrency.peak,
        mean_instances=instances,
        max_backlog=s.backlog.peak if s.has_backlog else None,
        max_iterator_age_ms=s.max_iterator_age_ms)
